"""How the wall reaches its backends: trust, client certificates, proxies; the same for every kind of source.

- **Trust**: every HTTPS and WSS connection checks the server against the operating system's certificate
  store (``truststore``), so a company CA installed the usual way just works; ``tls.ca_file`` adds a CA
  (or, with ``system_store`` false, is the only one trusted). Checking is never turned off.
- **Clients**: sources with the same TLS settings share one HTTP client (pictures use the installation's);
  a source with its own gets its own, made once and closed with the network.
- **Proxies**: the installation's ``[proxy]``, or else the standard environment variables (``HTTPS_PROXY``,
  ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), chosen here for HTTP, SSE and WebSocket alike.
- **Failures on the way** (a certificate not trusted, a proxy refusing) are told in words that name the
  setting to change (``wallapp.live.errors``).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
import truststore

from wallapp.core.config.settings import ProxyOptions
from wallapp.core.config.sources import Resolver, TlsOptions
from wallapp.errors import SourceError
from wallapp.live.errors import ExplainedError, Route, describe_network_error
from wallapp.live.streams import closing

log = logging.getLogger("wallapp.live")

_SETTINGS = "settings"
"""Whose secrets the installation's TLS and proxy settings name (checked when the settings load)."""


@dataclass(frozen=True)
class Proxy:
    """A proxy a connection goes through."""

    url: str
    """``http://host:port``, without credentials."""
    auth: tuple[str, str] | None
    named_in: str
    """Where it is set: ``proxy.url`` or an environment variable."""

    @property
    def shown(self) -> str:
        """``host:port (where it is set)``: for a log line, never with credentials."""
        url = httpx.URL(self.url)
        return f"{url.host}:{url.port or (443 if url.scheme == 'https' else 80)} ({self.named_in})"

    @property
    def for_httpx(self) -> httpx.Proxy:
        return httpx.Proxy(self.url, auth=self.auth)

    @property
    def with_credentials(self) -> str:
        """The URL with the credentials in it (as the WebSocket library takes them)."""
        if self.auth is None:
            return self.url
        return str(httpx.URL(self.url).copy_with(username=self.auth[0], password=self.auth[1]))


def bypassed(host: str, patterns: Sequence[str]) -> bool:
    """Whether ``host`` is reached directly: ``*`` (all), a name and its subdomains (``corp.example``,
    ``.corp.example``, ``*.corp.example``), an IP address or a network (``10.0.0.0/8``)."""
    host = host.lower().strip("[]")
    for pattern in (p.strip().lower() for p in patterns):
        if pattern == "*":
            return True
        try:
            network = ipaddress.ip_network(pattern.strip("[]"), strict=False)
        except ValueError:
            name = pattern.lstrip("*.")
            if name and (host == name or host.endswith("." + name)):
                return True
            continue
        try:
            if ipaddress.ip_address(host) in network:
                return True
        except ValueError:
            continue
    return False


class Proxies:
    """Which proxy, if any, a URL goes through: the installation's, or the environment's."""

    def __init__(self, options: ProxyOptions | None, resolver: Resolver, environ: Mapping[str, str]) -> None:
        self._by_scheme: dict[str, Proxy] = {}
        self._bypass: list[str] = []
        if options is not None:
            user, password = (resolver.text(v) if v else "" for v in (options.username, options.password))
            proxy = Proxy(options.url, (user, password) if user or password else None, "proxy.url")
            self._by_scheme = {"http": proxy, "https": proxy}
            self._bypass = options.bypass
            return
        for scheme in ("http", "https"):
            for name in (f"{scheme}_proxy", "all_proxy"):
                value = environ.get(name) or environ.get(name.upper())
                if value:
                    self._by_scheme[scheme] = _from_environment(value, name.upper())
                    break
        self._bypass = (environ.get("no_proxy") or environ.get("NO_PROXY") or "").split(",")

    def for_url(self, url: httpx.URL | str) -> Proxy | None:
        try:
            url = httpx.URL(url)
        except httpx.InvalidURL:
            return None  # the connection fails and says why
        scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
        proxy = self._by_scheme.get(scheme)
        if proxy is None or bypassed(url.host, self._bypass):
            return None
        return proxy


def _from_environment(value: str, variable: str) -> Proxy:
    url = httpx.URL(value if "://" in value else f"http://{value}")
    auth = (url.username, url.password) if url.username or url.password else None
    return Proxy(str(url.copy_with(username=None, password=None)), auth, variable)


def ssl_context(tls: TlsOptions, password: str | None) -> ssl.SSLContext:
    """The context that checks servers (and shows the client certificate) as ``tls`` says."""
    context: ssl.SSLContext
    if tls.system_store:
        context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if tls.ca_file:
            context.load_verify_locations(cafile=tls.ca_file)
    else:
        context = ssl.create_default_context(cafile=tls.ca_file)
    if tls.cert_file:
        # Never None: OpenSSL would ask for the passphrase on the terminal of an unattended wall.
        context.load_cert_chain(tls.cert_file, tls.key_file, password=password or "")
    return context


def _describe_loading(exc: OSError, tls: TlsOptions) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason == "KEY_VALUES_MISMATCH":
        return "the client key does not match the client certificate (tls.key_file)"
    if isinstance(exc, ssl.SSLError) and exc.reason == "NO_CERTIFICATE_OR_CRL_FOUND":
        return f"tls.ca_file holds no certificate ({tls.ca_file})"
    if isinstance(exc, ssl.SSLError) and tls.key_password:
        return "the client key cannot be decrypted: check its passphrase (tls.key_password)"
    if isinstance(exc, ssl.SSLError):
        return f"the client certificate cannot be loaded ({exc.reason or exc})"
    return f"a TLS file cannot be read: {exc.filename or ''} ({exc.strerror or exc})"


class _Routed(httpx.AsyncBaseTransport):
    """Each request straight to the server or through its proxy, checked with one TLS context; a failure
    on the way is raised told in words (``ExplainedError``), as only this transport knows the route."""

    def __init__(self, context: ssl.SSLContext, proxies: Proxies, client_cert: bool) -> None:
        self._context = context
        self._proxies = proxies
        self._client_cert = client_cert
        self._transports: dict[Proxy | None, httpx.AsyncHTTPTransport] = {}

    def _transport(self, proxy: Proxy | None) -> httpx.AsyncHTTPTransport:
        if proxy not in self._transports:
            self._transports[proxy] = closing(
                httpx.AsyncHTTPTransport(
                    verify=self._context, proxy=None if proxy is None else proxy.for_httpx
                )
            )
        return self._transports[proxy]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self._proxies.for_url(request.url)
        try:
            return await self._transport(proxy).handle_async_request(request)
        except (httpx.TransportError, ssl.SSLError) as exc:  # httpcore lets a TLS alert out unwrapped
            route = Route(request.url.scheme == "https", self._client_cert, proxy.shown if proxy else None)
            cause = describe_network_error(exc, route)
            if cause is None:
                raise
            raise ExplainedError(cause, request=request) from exc

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()


class Network:
    """The wall's ways out, for one run: made from the installation settings, closed when the wall stops."""

    def __init__(
        self,
        tls: TlsOptions | None = None,
        proxy: ProxyOptions | None = None,
        *,
        secrets: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """``tls``, ``proxy``: the installation's (relative paths from the working directory);
        ``environ``: ``os.environ`` unless given (the proxy variables); ``client``: the HTTP client of the
        installation's TLS settings, if the caller has its own (kept open: the caller closes it)."""
        environ = os.environ if environ is None else environ
        self.tls = (tls or TlsOptions()).rooted(None)
        self._resolver = Resolver(_SETTINGS, secrets or {}, environ)
        self.proxies = Proxies(proxy, self._resolver, environ)
        self._given = client
        self._contexts: dict[TlsOptions, ssl.SSLContext] = {}
        self._clients: dict[TlsOptions, httpx.AsyncClient] = {}

    async def __aenter__(self) -> Network:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def tls_for(self, own: TlsOptions | None, folder: Path | None) -> TlsOptions:
        """The TLS settings of a source: its own fields (paths from its layout's ``folder``) over the
        installation's."""
        return self.tls if own is None else own.rooted(folder).over(self.tls)

    def context(self, tls: TlsOptions | None = None, resolver: Resolver | None = None) -> ssl.SSLContext:
        """The TLS context for ``tls`` (the installation's by default), made once; ``SourceError`` (for
        ``resolver``'s source) if its files or passphrase cannot be used."""
        tls = tls or self.tls
        resolver = resolver or self._resolver
        if tls not in self._contexts:
            password = resolver.text(tls.key_password) if tls.key_password else None
            try:
                self._contexts[tls] = ssl_context(tls, password)
            except OSError as exc:
                raise SourceError(resolver.source, _describe_loading(exc, tls)) from None
        return self._contexts[tls]

    def client(self, tls: TlsOptions | None = None, resolver: Resolver | None = None) -> httpx.AsyncClient:
        """The HTTP client of ``tls`` (the installation's by default), shared by all who use the same."""
        tls = tls or self.tls
        if tls == self.tls and self._given is not None:
            return self._given
        if tls not in self._clients:
            transport = _Routed(self.context(tls, resolver), self.proxies, tls.cert_file is not None)
            # trust_env off: the proxy variables are read here, for every kind of source alike.
            self._clients[tls] = httpx.AsyncClient(
                transport=transport, follow_redirects=True, trust_env=False
            )
        return self._clients[tls]

    def route(self, url: str, tls: TlsOptions) -> tuple[Proxy | None, Route]:
        """The proxy ``url`` goes through, and how failures on the way are told."""
        proxy = self.proxies.for_url(url)
        secure = url.lower().startswith(("https:", "wss:"))
        return proxy, Route(secure, tls.cert_file is not None, proxy.shown if proxy else None)

    async def aclose(self) -> None:
        """Close the clients made here (not one given)."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
