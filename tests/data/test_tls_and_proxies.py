"""Corporate backends: HTTPS, SSE and WSS sources against real TLS servers on 127.0.0.1 with certificates
from a test CA, client certificates, and a real HTTP proxy started by the test."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import truststore
from connect_proxy import ConnectProxy
from pki import PASSPHRASE, Pki, make_pki
from pydantic import TypeAdapter
from servers import free_port, serve, start_source, until, warnings_of
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from wallapp.core.config.settings import ProxyOptions
from wallapp.core.config.sources import SourceSpec, TlsOptions
from wallapp.core.data.freshness import SourceState
from wallapp.core.data.store import Store
from wallapp.live import Network, SourceRunner

pytestmark = pytest.mark.asyncio

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
FAST = {"timeout": 2, "backoff": {"initial": 0.01, "maximum": 0.05, "jitter": 0}}
PAYLOAD = {"data": [{"id": "a1", "text": "first"}]}
KINDS = ["http", "sse", "websocket"]
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
NOT_TRUSTED = (
    "the server's certificate is not trusted (unknown authority): add the company CA with tls.ca_file"
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True)
def _no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The tests set the proxy variables they need; the machine's own never apply."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    caplog.set_level(logging.DEBUG, logger="wallapp.live")


class Backend:
    """The same posts as a JSON API, an event stream and a WebSocket."""

    def __init__(self) -> None:
        self.hits = 0
        self.app = Starlette(
            routes=[
                Route("/posts", self._posts),
                Route("/stream", self._stream),
                WebSocketRoute("/ws", self._ws),
            ]
        )

    async def _posts(self, request: Request) -> Response:
        self.hits += 1
        return JSONResponse(PAYLOAD)

    async def _stream(self, request: Request) -> Response:
        self.hits += 1

        async def body() -> Any:
            yield f"data: {json.dumps(PAYLOAD)}\n\n"
            while not await request.is_disconnected():
                await asyncio.sleep(0.01)

        return StreamingResponse(body(), media_type="text/event-stream")

    async def _ws(self, socket: WebSocket) -> None:
        self.hits += 1
        await socket.accept()
        await socket.send_json(PAYLOAD)
        try:
            while True:
                await socket.receive_text()
        except WebSocketDisconnect:
            pass


def source(kind: str, base: str, **fields: Any) -> Any:
    """A source of ``kind`` reading the backend at ``base``."""
    url = {
        "http": f"{base}/posts",
        "sse": f"{base}/stream",
        "websocket": f"{base.replace('http', 'ws', 1)}/ws",
    }
    mapping = {"record": "post", "items": "data"}
    pace = {"interval": 0.01} if kind == "http" else {}
    return SPEC.validate_python(
        {"kind": kind, "url": url[kind], "mapping": mapping, **FAST, **pace, **fields}
    )


def tls(**fields: Any) -> dict[str, Any]:
    return {"tls": {key: str(value) if isinstance(value, Path) else value for key, value in fields.items()}}


def ids(store: Store) -> list[str]:
    return sorted(record.id for record in store.records())


async def reads(runner: SourceRunner, store: Store) -> None:
    """The source brought the backend's posts and is live."""
    await until(lambda: ids(store) == ["a1"], "the posts")
    assert runner.freshness(store.as_of).state is SourceState.LIVE


async def fails(runner: SourceRunner) -> str:
    """The source's first failure, as its health tells it."""
    await until(lambda: runner.health.failures >= 1, "a failure")
    freshness = runner.freshness()
    assert freshness.state is SourceState.FAILING
    assert freshness.last_error is not None
    return freshness.last_error


def one_warning(caplog: pytest.LogCaptureFixture, spec: Any, cause: str) -> None:
    """One log line about the failure, naming the source and the server's URL (its host), and the cause."""
    (line,) = warnings_of(caplog, "care")
    assert line.startswith(f"source 'care' ({spec.url}): {cause}"), line


# Trust


@pytest.mark.parametrize("kind", KINDS)
async def test_a_source_trusts_the_company_ca_named_in_ca_file(kind: str, pki: Pki) -> None:
    backend, store = Backend(), Store("care")
    async with serve(backend.app, ssl_certfile=str(pki.server)) as base, Network() as network:
        runner = start_source("care", source(kind, base, **tls(ca_file=pki.ca_file)), store, network)
        await reads(runner, store)
        await runner.stop()


@pytest.mark.parametrize("kind", KINDS)
async def test_a_server_from_an_unknown_authority_is_refused_in_plain_words(
    kind: str, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    backend = Backend()
    async with serve(backend.app, ssl_certfile=str(pki.server)) as base, Network() as network:
        spec = source(kind, base)
        runner = start_source("care", spec, Store("care"), network)
        assert await fails(runner) == NOT_TRUSTED
        await runner.stop()
    assert backend.hits == 0
    one_warning(caplog, spec, NOT_TRUSTED)


@pytest.mark.parametrize(
    ("certificate", "cause"),
    [
        ("expired", "the server's certificate has expired"),
        ("wrong_host", "the server's certificate is for another host: it is not valid for '127.0.0.1'"),
    ],
)
@pytest.mark.parametrize("kind", ["http", "websocket"])
async def test_an_expired_or_misnamed_certificate_is_refused_in_plain_words(
    kind: str, certificate: str, cause: str, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        serve(Backend().app, ssl_certfile=str(getattr(pki, certificate))) as base,
        Network() as network,
    ):
        spec = source(kind, base, **tls(ca_file=pki.ca_file))
        runner = start_source("care", spec, Store("care"), network)
        assert await fails(runner) == cause
        await runner.stop()
    one_warning(caplog, spec, cause)


async def test_the_system_trust_store_is_the_default(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenSSL finds the system store through SSL_CERT_FILE and SSL_CERT_DIR: an isolated one stands in
    for it, first without the company CA, then with it, as an administrator would install it."""
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # empty
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.other_ca_file))
    store = Store("care")
    async with serve(Backend().app, ssl_certfile=str(pki.server)) as base, Network() as network:
        assert isinstance(network.context(), truststore.SSLContext)
        runner = start_source("care", source("http", base), store, network)
        assert await fails(runner) == NOT_TRUSTED
        monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_file))
        await reads(runner, store)
        await runner.stop()


async def test_without_the_system_store_only_the_ca_file_is_trusted(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.other_ca_file))  # the system trusts the other CA
    async with serve(Backend().app, ssl_certfile=str(pki.other_server)) as base, Network() as network:
        trusting = start_source("trusting", source("http", base), store := Store("trusting"), network)
        await reads(trusting, store)
        only = tls(ca_file=pki.ca_file, system_store=False)
        runner = start_source("care", source("http", base, **only), Store("care"), network)
        assert await fails(runner) == NOT_TRUSTED
        await asyncio.gather(trusting.stop(), runner.stop())


# Client certificates


def requiring_client_certificates(pki: Pki) -> dict[str, Any]:
    return {
        "ssl_certfile": str(pki.server),
        "ssl_ca_certs": str(pki.ca_file),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }


@pytest.mark.parametrize("kind", ["http", "websocket"])
@pytest.mark.parametrize(
    "client",
    [
        {"cert_file": "client"},
        {
            "cert_file": "client_cert",
            "key_file": "client_key_encrypted",
            "key_password": "${secret:CLIENT_KEY}",
        },
    ],
    ids=["key in the certificate file", "encrypted key, passphrase by secret"],
)
async def test_a_server_requiring_a_client_certificate_accepts_the_right_one(
    kind: str, client: dict[str, str], pki: Pki
) -> None:
    files = {key: getattr(pki, value) if key != "key_password" else value for key, value in client.items()}
    store = Store("care")
    async with serve(Backend().app, **requiring_client_certificates(pki)) as base, Network() as network:
        spec = source(kind, base, **tls(ca_file=pki.ca_file, **files))
        runner = start_source("care", spec, store, network, secrets={"CLIENT_KEY": PASSPHRASE})
        await reads(runner, store)
        await runner.stop()


@pytest.mark.parametrize("kind", ["http", "websocket"])
@pytest.mark.parametrize(
    ("client", "cause"),
    [
        ({}, "it may require a client certificate (tls.cert_file)"),
        ({"cert_file": "stranger"}, "it may have refused the client certificate (tls.cert_file)"),
    ],
    ids=["none", "from another CA"],
)
async def test_a_server_requiring_a_client_certificate_refuses_a_wrong_or_missing_one(
    kind: str, client: dict[str, str], cause: str, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    """The test server drops the connection rather than send a TLS alert (as some servers do): the wall
    says what it knows. A server that sends the alert is told plainly (see the errors' unit tests)."""
    files = {key: getattr(pki, value) for key, value in client.items()}
    backend = Backend()
    async with serve(backend.app, **requiring_client_certificates(pki)) as base, Network() as network:
        spec = source(kind, base, **tls(ca_file=pki.ca_file, **files))
        runner = start_source("care", spec, Store("care"), network)
        error = await fails(runner)
        await runner.stop()
    assert backend.hits == 0
    expected = {"the server closed the connection without answering: " + cause}
    expected |= {  # the alert, when it arrives before the connection is dropped
        "the server requires a client certificate (certificate required): set tls.cert_file",
        "the server refused the client certificate (unknown authority)",
    }
    assert error in expected
    lines = warnings_of(caplog, "care")
    assert lines
    assert all(line.startswith(f"source 'care' ({spec.url}): ") for line in lines)
    assert all(any(cause in line for cause in expected) for line in lines)


@contextlib.contextmanager
def alerting_server(pki: Pki) -> Iterator[str]:
    """A TLS server that requires a client certificate and, refusing one, sends the TLS alert and lets the
    client read it: it reads what the client sent before closing, so no reset overtakes the alert."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server)
    context.load_verify_locations(pki.ca_file)
    context.verify_mode = ssl.CERT_REQUIRED
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    done = threading.Event()

    def refuse_all() -> None:
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(5)
            with context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False) as tls:
                try:
                    tls.do_handshake()
                except (ssl.SSLError, OSError):
                    with contextlib.suppress(OSError):
                        tls.shutdown(socket.SHUT_WR)  # after the alert, which is sent
                        while tls.recv(65536):
                            pass

    thread = threading.Thread(target=refuse_all, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize(
    ("kind", "client", "cause"),
    [
        ("http", {}, "the server requires a client certificate (certificate required): set tls.cert_file"),
        ("http", {"cert_file": "stranger"}, "the server refused the client certificate (unknown authority)"),
        # The WebSocket library does not pass the alert on: the wall says what it can.
        (
            "websocket",
            {},
            "the server closed the connection without answering: "
            "it may require a client certificate (tls.cert_file)",
        ),
        (
            "websocket",
            {"cert_file": "stranger"},
            "the server closed the connection without answering: "
            "it may have refused the client certificate (tls.cert_file)",
        ),
    ],
)
async def test_a_client_certificate_alert_is_told_plainly(
    kind: str, client: dict[str, str], cause: str, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    files = {key: getattr(pki, value) for key, value in client.items()}
    with alerting_server(pki) as base:
        async with Network() as network:
            spec = source(kind, base, **tls(ca_file=pki.ca_file, **files))
            runner = start_source("care", spec, Store("care"), network)
            assert await fails(runner) == cause
            await runner.stop()
    one_warning(caplog, spec, cause)


async def test_a_wrong_passphrase_is_a_failure_naming_the_setting(
    pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    client = tls(
        cert_file=pki.client_cert, key_file=pki.client_key_encrypted, key_password="${secret:CLIENT_KEY}"
    )
    cause = "the client key cannot be decrypted: check its passphrase (tls.key_password)"
    async with serve(Backend().app, **requiring_client_certificates(pki)) as base, Network() as network:
        spec = source("http", base, **client)
        runner = start_source("care", spec, Store("care"), network, secrets={"CLIENT_KEY": "wrong"})
        assert await fails(runner) == cause
        await runner.stop()
    one_warning(caplog, spec, cause)


# Clients


async def test_sources_with_the_same_tls_settings_share_one_client(pki: Pki) -> None:
    async with Network(TlsOptions(ca_file=str(pki.ca_file))) as network:
        default = network.client()
        same = network.tls_for(TlsOptions(ca_file="ca.pem"), pki.folder)  # relative to the layout's folder
        assert network.client(same) is default
        own = network.tls_for(TlsOptions(cert_file="client.pem"), pki.folder)
        assert own.ca_file == str(pki.ca_file)  # the installation's CA, the source's certificate
        assert network.client(own) is network.client(own) is not default
        clients = [default, network.client(own)]
    assert all(client.is_closed for client in clients)


async def test_a_relative_ca_file_is_read_from_the_layout_folder(
    pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(pki.folder.parent)
    store = Store("care")
    async with serve(Backend().app, ssl_certfile=str(pki.server)) as base, Network() as network:
        spec = source("http", base, **tls(ca_file="ca.pem"))
        runner = start_source("care", spec, store, network, base_dir=pki.folder)
        await reads(runner, store)
        await runner.stop()


# Proxies


@pytest.mark.parametrize("kind", KINDS)
async def test_a_source_goes_through_the_installation_proxy(kind: str, pki: Pki) -> None:
    store = Store("care")
    async with (
        serve(Backend().app, ssl_certfile=str(pki.server)) as base,
        ConnectProxy() as proxy,
        Network(proxy=ProxyOptions(url=proxy.url)) as network,
    ):
        runner = start_source("care", source(kind, base, **tls(ca_file=pki.ca_file)), store, network)
        await reads(runner, store)
        await runner.stop()
    assert set(proxy.tunnels) == {base.removeprefix("https://")}  # at least one, each to the backend


@pytest.mark.parametrize("kind", ["http", "websocket"])
async def test_the_proxy_credentials_come_from_secrets(
    kind: str, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = {"PROXY_PASSWORD": "pa55-w0rd"}
    credentials = {"username": "wall", "password": "${secret:PROXY_PASSWORD}"}
    store = Store("care")
    async with (
        serve(Backend().app, ssl_certfile=str(pki.server)) as base,
        ConnectProxy(("wall", "pa55-w0rd")) as proxy,
        Network(proxy=ProxyOptions(url=proxy.url)) as anonymous,
        Network(proxy=ProxyOptions(url=proxy.url, **credentials), secrets=secrets) as network,
    ):
        spec = source(kind, base, **tls(ca_file=pki.ca_file))
        refused = start_source("care", spec, Store("care"), anonymous)
        cause = f"the proxy {proxy.url.removeprefix('http://')} (proxy.url) refused: "
        cause += "HTTP 407 Proxy Authentication Required (check the proxy's username and password)"
        assert await fails(refused) == cause
        await refused.stop()
        runner = start_source("allowed", spec, store, network)
        await reads(runner, store)
        await runner.stop()
    assert proxy.refused >= 1
    assert len(proxy.tunnels) >= 1
    one_warning(caplog, spec, cause)
    assert "pa55-w0rd" not in caplog.text


@pytest.mark.parametrize("kind", ["http", "websocket"])
async def test_a_proxy_that_cannot_be_reached_is_named(
    kind: str, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    cause = f"cannot reach the proxy 127.0.0.1:{port} (proxy.url): connection refused"
    async with (
        serve(Backend().app, ssl_certfile=str(pki.server)) as base,
        Network(proxy=ProxyOptions(url=f"http://127.0.0.1:{port}")) as network,
    ):
        spec = source(kind, base, **tls(ca_file=pki.ca_file))
        runner = start_source("care", spec, Store("care"), network)
        assert await fails(runner) == cause
        await runner.stop()
    one_warning(caplog, spec, cause)


async def test_hosts_named_in_bypass_are_reached_directly(pki: Pki) -> None:
    store = Store("care")
    async with (
        serve(Backend().app, ssl_certfile=str(pki.server)) as base,
        ConnectProxy() as proxy,
        Network(proxy=ProxyOptions(url=proxy.url, bypass=["10.0.0.0/8", "127.0.0.0/8"])) as network,
    ):
        runner = start_source("care", source("http", base, **tls(ca_file=pki.ca_file)), store, network)
        await reads(runner, store)
        await runner.stop()
    assert proxy.tunnels == []


@pytest.mark.parametrize("kind", ["http", "websocket"])
@pytest.mark.parametrize(
    ("variable", "scheme"), [("HTTPS_PROXY", "https"), ("ALL_PROXY", "https"), ("HTTP_PROXY", "http")]
)
async def test_the_proxy_environment_variables_apply(
    kind: str, variable: str, scheme: str, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls_server: dict[str, Any] = {"ssl_certfile": str(pki.server)} if scheme == "https" else {}
    store = Store("care")
    async with serve(Backend().app, **tls_server) as base, ConnectProxy() as proxy:
        monkeypatch.setenv(variable, proxy.url)
        async with Network() as network:
            runner = start_source("care", source(kind, base, **tls(ca_file=pki.ca_file)), store, network)
            await reads(runner, store)
            await runner.stop()
    relayed = proxy.tunnels + proxy.forwarded
    assert relayed, "nothing went through the proxy"
    if scheme == "http" and kind == "http":
        assert set(proxy.forwarded) == {f"{base}/posts"}  # a plain request is forwarded, not tunnelled


async def test_no_proxy_sends_the_hosts_it_names_direct(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store("care")
    async with serve(Backend().app, ssl_certfile=str(pki.server)) as base, ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "kpi.corp.example,127.0.0.1")
        async with Network() as network:
            runner = start_source(
                "care", source("websocket", base, **tls(ca_file=pki.ca_file)), store, network
            )
            other = start_source(
                "other", source("http", base, **tls(ca_file=pki.ca_file)), Store("o"), network
            )
            await reads(runner, store)
            await until(lambda: other.health.last_success is not None, "the HTTP source")
            await asyncio.gather(runner.stop(), other.stop())
    assert proxy.tunnels == []


async def test_a_request_stopped_during_its_tls_handshake_closes_its_socket() -> None:
    """A source stopped while a server has not answered its hello (a layout switch, the wall closing) lets
    the connection go at once, not when the garbage collector finds it."""
    heard: list[str] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        heard.append("hello")  # the handshake now waits for the server, which never answers
        await reader.read()  # until the client lets go of the connection
        heard.append("closed")
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with Network() as network:
            request = asyncio.ensure_future(network.client().get(f"https://127.0.0.1:{port}/"))
            await until(lambda: heard == ["hello"])
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await request
            await until(lambda: heard == ["hello", "closed"])
    finally:
        server.close()
