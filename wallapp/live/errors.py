"""Third-party network errors told in words a person can act on (never with a URL: it may hold secrets).

TLS and proxy failures name the setting that fixes them (``tls.ca_file``, ``tls.cert_file``, the proxy's
credentials); the wall's own transport, which knows the route a request took, tells them before httpx's
generic words would (``ExplainedError``).
"""

from __future__ import annotations

import errno
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "no address associated",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "name resolution",
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps, outermost first (an exception group: its first member)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup) and current.exceptions:
            current = current.exceptions[0]
            continue
        current = current.__cause__ or current.__context__


def _root_cause(exc: BaseException) -> BaseException:
    """The first OSError under the wrappers (an "all connection attempts failed" hides the real one)."""
    return next((c for c in _causes(exc) if isinstance(c, OSError) and c.errno is not None), exc)


def describe_os_error(exc: BaseException) -> str:
    """An OSError (or what wraps one) as a short cause."""
    exc = _root_cause(exc)
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if any(hint in lowered for hint in _DNS_HINTS):
        return f"cannot resolve the host name ({text})"
    code = exc.errno if isinstance(exc, OSError) else None
    if code == errno.ECONNREFUSED or "refused" in lowered:
        return "connection refused"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH) or "unreachable" in lowered:
        return f"host unreachable ({text})"
    if code == errno.ECONNRESET or "reset" in lowered:
        return "connection reset by the server"
    return f"cannot connect ({text})"


def describe_http_error(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, ExplainedError):
        return str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"cannot connect within {timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"no response within {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return describe_os_error(exc.__cause__ or exc)
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the connection ({exc})"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.DecodingError):
        return f"the response cannot be decoded ({exc})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class ExplainedError(httpx.TransportError):
    """A failure on the way to the server, already told in words by the transport that knows the route."""


@dataclass(frozen=True)
class Route:
    """How a connection was made, for telling its failures: over TLS, with a client certificate, through
    which proxy (``host:port (where it is set)``)."""

    secure: bool
    client_cert: bool = False
    proxy: str | None = None


_NOT_TRUSTED = {
    2: "unknown authority",  # unable to get issuer certificate
    18: "self-signed",
    19: "self-signed authority",
    20: "unknown authority",  # unable to get local issuer certificate
    21: "unknown authority",  # unable to verify the first certificate
}
_CLIENT_CERT_ALERTS = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "certificate required",
    "SSLV3_ALERT_BAD_CERTIFICATE": "bad certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "certificate unknown",
    "TLSV1_ALERT_UNKNOWN_CA": "unknown authority",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "certificate expired",
    "SSLV3_ALERT_CERTIFICATE_REVOKED": "certificate revoked",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": "unsupported certificate",
    "TLSV1_ALERT_ACCESS_DENIED": "access denied",
}
_CLOSED = (ConnectionResetError, BrokenPipeError, EOFError, ssl.SSLEOFError, ssl.SSLZeroReturnError)


def describe_certificate_check(error: ssl.SSLCertVerificationError) -> str:
    """The server's certificate failed the wall's check: why, and what fixes it."""
    code, message = error.verify_code, error.verify_message or str(error)
    if code in _NOT_TRUSTED:
        return (
            f"the server's certificate is not trusted ({_NOT_TRUSTED[code]}): "
            "add the company CA with tls.ca_file"
        )
    if code == 10:
        return "the server's certificate has expired"
    if code == 9:
        return "the server's certificate is not valid yet (is the wall PC's clock right?)"
    if code in (62, 64):  # host name or IP address mismatch
        name = message.rpartition("not valid for ")[2].rstrip(".")
        return f"the server's certificate is for another host: it is not valid for {name}"
    if code == 23:
        return "the server's certificate has been revoked"
    return f"the server's certificate cannot be verified ({message})"


def describe_tls_error(exc: BaseException, route: Route) -> str | None:
    """A TLS failure under ``exc`` in plain words, or None if it is not one."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return describe_certificate_check(cause)
        if isinstance(cause, ssl.SSLError) and cause.reason in _CLIENT_CERT_ALERTS:
            alert = _CLIENT_CERT_ALERTS[cause.reason]
            if not route.client_cert:
                return f"the server requires a client certificate ({alert}): set tls.cert_file"
            return f"the server refused the client certificate ({alert})"
        if isinstance(cause, ssl.SSLError) and not isinstance(cause, _CLOSED):
            return f"the TLS connection failed ({cause.reason or cause})"
    return None


def describe_closed_unanswered(route: Route) -> str:
    """A TLS server that closed the connection before answering: likely a client-certificate matter (some
    servers drop the connection rather than send the alert)."""
    if route.client_cert:
        hint = "it may have refused the client certificate (tls.cert_file)"
    else:
        hint = "it may require a client certificate (tls.cert_file)"
    return f"the server closed the connection without answering: {hint}"


def describe_proxy_refusal(route: Route, status: str) -> str:
    """The proxy answered the tunnel request with ``status`` (``HTTP 407 ...``)."""
    hint = " (check the proxy's username and password)" if status.startswith("HTTP 407") else ""
    return f"the proxy {route.proxy} refused: {status}{hint}"


def describe_network_error(exc: BaseException, route: Route) -> str | None:
    """A failure on the way to the server (TLS, the proxy, a TLS connection dropped before any answer) in
    plain words; None for the others (timeouts, DNS, a refused server...), told as before."""
    if (tls := describe_tls_error(exc, route)) is not None:
        return tls
    if isinstance(exc, httpx.ProxyError):
        return describe_proxy_refusal(route, f"HTTP {exc}")
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return None
    causes = list(_causes(exc))
    during_tls = any(isinstance(cause, ssl.SSLError) for cause in causes)
    if route.proxy is not None and isinstance(exc, httpx.ConnectError | OSError) and not during_tls:
        return f"cannot reach the proxy {route.proxy}: {describe_os_error(exc)}"
    closed = any(isinstance(cause, _CLOSED) for cause in causes) or "without sending" in str(exc)
    if route.secure and closed:
        return describe_closed_unanswered(route)
    return None
