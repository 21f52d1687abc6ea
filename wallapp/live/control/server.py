"""The API served inside the wall's event loop: tokens, parsing, answers, and the uvicorn server on its
socket."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from wallapp.core.config.jsondoc import problems_from_validation
from wallapp.live import console
from wallapp.live.control.controller import PICTURE_EVERY_S, Conflict, Controller, NotFound
from wallapp.live.control.endpoints import ENDPOINTS, Caller, Endpoint, openapi

log = logging.getLogger("wallapp.control")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status)


def api(control: Controller, token: str, read_token: str | None = None) -> Starlette:
    """The control API (and the console) as an ASGI app: every route but the console's static files needs
    ``Authorization: Bearer <token>``; ``read_token`` may watch but not steer (403). No CORS headers: a
    web page elsewhere cannot call it from a browser."""
    refused: set[str] = set()
    tokens = [("operator", token), *([("watcher", read_token)] if read_token else [])]

    def caller(request: Request) -> Caller | None:
        peer = request.client.host if request.client else "unknown"
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.casefold() == "bearer":
            for role, known in tokens:
                if hmac.compare_digest(given.strip().encode(), known.encode()):
                    return Caller(role, peer)
        if peer not in refused:  # once per peer: a script looping on a wrong token does not flood the log
            refused.add(peer)
            log.warning("control API: refused a call from %s (missing or wrong token)", peer)
        return None

    def route(endpoint: Endpoint) -> Route:
        async def handle(request: Request) -> Response:
            who = caller(request)
            if who is None:
                return _error(401, "missing or wrong token")
            body: Any = None
            problem: _Unprocessable | None = None
            if endpoint.body is not None:
                try:
                    body = _parsed(endpoint, await request.body(), request)
                except _Unprocessable as exc:
                    problem = exc
            if endpoint.steers and who.role != "operator":  # refused whatever it asked, well-formed or not
                what = endpoint.says(body) if problem is None else endpoint.path.strip("/")
                _audit(control, who, what, "refused: read-only token")
                return _error(403, "this token can watch the wall but not change it")
            if problem is not None:
                return _error(422, str(problem))
            if not endpoint.steers:
                return await _answer(endpoint, control, body, who)
            what = endpoint.says(body)
            answer = await _answer(endpoint, control, body, who)
            result = "ok" if answer.status_code == 200 else json.loads(bytes(answer.body))["error"]
            _audit(control, who, what, result)
            control.tell(force=True)
            return answer

        return Route(endpoint.path, handle, methods=[endpoint.method])

    description = openapi()

    async def described(request: Request) -> Response:
        if caller(request) is None:
            return _error(401, "missing or wrong token")
        return JSONResponse(description)

    routes: list[BaseRoute] = [route(endpoint) for endpoint in ENDPOINTS]
    routes.append(Route("/openapi.json", described, methods=["GET"]))
    routes.extend(console.routes())
    return Starlette(routes=routes)


def _parsed(endpoint: Endpoint, raw: bytes, request: Request) -> Any:
    """The body (a POST) or the query and path parameters (a GET) as the endpoint's model."""
    assert endpoint.body is not None
    if endpoint.steers:
        try:
            return endpoint.body.model_validate(json.loads(raw) if raw.strip() else {})
        except json.JSONDecodeError as exc:
            raise _Unprocessable(f"body: not JSON ({exc.msg})") from None
        except ValidationError as exc:
            problems = problems_from_validation(exc)
            raise _Unprocessable(
                "; ".join(f"body.{p}" if p.location else f"body: {p}" for p in problems)
            ) from None
    try:
        return endpoint.body.model_validate({**request.query_params, **request.path_params})
    except ValidationError as exc:
        problems = problems_from_validation(exc)
        raise _Unprocessable("; ".join(f"query.{p}" for p in problems)) from None


class _Unprocessable(Exception):
    """A malformed body or query (422)."""


async def _answer(endpoint: Endpoint, control: Controller, body: Any, who: Caller) -> Response:
    try:
        answer = await endpoint.handler(control, body, who)
    except NotFound as exc:
        return _error(404, str(exc))
    except Conflict as exc:
        return _error(409, str(exc))
    return answer if isinstance(answer, Response) else JSONResponse(answer)


def _audit(control: Controller, who: Caller, what: str, result: str) -> None:
    if control.audit is not None:
        control.audit.record(str(who), what, result)
    log.info("control API: %s asked %s (%s)", who, what, result)


BACKLOG = 128
"""Connections waiting to be accepted (a few consoles and clients, never thousands)."""


@contextlib.asynccontextmanager
async def serving(
    control: Controller, token: str, host: str, port: int, read_token: str | None = None
) -> AsyncIterator[str | None]:
    """Serve the API on the running loop while in the block; yields its URL, or None (logged) when the
    address cannot be had: the wall goes on without it."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, protocol, _, where = infos[0]
        sock = socket.socket(family, kind, protocol)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Replies go out at once: a response written in two parts (headers, body) would otherwise wait for
        # the client's delayed acknowledgement, 40 ms a request (Nagle). Connections inherit it from here.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(where)
        # Listening before the URL is told: a client may connect before the loop has started the server
        # (it then waits in the backlog, not refused: the bench's client thread was, once).
        sock.listen(BACKLOG)
    except OSError as exc:
        log.error("control API: cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        yield None
        return
    config = uvicorn.Config(
        api(control, token, read_token),
        backlog=BACKLOG,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = _Server(config)
    serve = asyncio.create_task(server.serve(sockets=[sock]))
    expiry = asyncio.create_task(_expire(control))
    watch = asyncio.create_task(_watch(control))
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}"
    log.info("control API on %s", url)
    try:
        yield url
    finally:
        expiry.cancel()
        watch.cancel()
        control.events.close()  # the consoles' streams end, so the server stops at once
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await expiry
        with contextlib.suppress(asyncio.CancelledError):
            await watch
        await serve
        sock.close()


class _Server(uvicorn.Server):
    """uvicorn inside the wall: the wall's own signal handlers stay (Ctrl+C quits the wall, not the API)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _expire(control: Controller) -> None:
    while True:
        control.expire()
        await asyncio.sleep(0.25)


async def _watch(control: Controller) -> None:
    """Tell the consoles what changed without them asking: the status each second it differs (a show's
    scene, a source going stale), a new picture every ``PICTURE_EVERY_S``."""
    ticks = 0
    while True:
        control.tell()
        ticks += 1
        if ticks % round(PICTURE_EVERY_S) == 0 and control.events.watching:
            control.renew_picture()
        await asyncio.sleep(1.0)
