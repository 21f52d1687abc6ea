"""The control API of the running wall: an HTTP server inside the wall's own event loop.

An operator in another room (``wallapp ctl``, a script) asks what the wall shows, switches it to another
layout, raises an alert banner, blanks it. Every call carries the installation's bearer token; without a
token the API does not start, and listening on anything but loopback without one is refused at start-up.

The API drives the wall through ``Wall`` (the composition root implements it with Qt): this module knows
no Qt. ``Controller`` serialises the changes: two clients switching at once never leave the wall
half-switched, a switch waits for the one in progress. A show is started by name; next, previous, hold
and resume move its playhead (409 "no show running" when none plays).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import uvicorn
from pydantic import BaseModel, Field, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wallapp import __version__
from wallapp.core.config.jsondoc import problems_from_validation
from wallapp.core.data.alerts import Alert, AlertLevel
from wallapp.core.strict import Strict
from wallapp.core.timing import Now, Ticks
from wallapp.errors import ConfigError, LayoutError, ShowError

log = logging.getLogger("wallapp.control")


class Wall(Protocol):
    """What the API needs of the running wall."""

    def status(self) -> dict[str, Any]:
        """The layout shown, its sources' freshness, the screens."""
        ...

    def layout_names(self) -> list[str]: ...

    def show_names(self) -> list[str]: ...

    async def switch(self, layout: str) -> None:
        """Show ``layout`` (a name) with no blank frame; ``LayoutError`` if it cannot be shown."""
        ...

    async def play(self, show: str) -> None:
        """Play ``show`` (a name) from its first scene; ``ShowError`` if none of its scenes can be shown."""
        ...

    def step(self, what: str) -> bool:
        """Move the show's playhead: next, previous, hold or resume; False when no show plays."""
        ...

    def reload(self) -> bool:
        """Show the layout as it is on disk; False (logged) when it is broken and the wall keeps it."""
        ...

    def show_alert(self, alert: Alert | None) -> None:
        """Show ``alert`` across the wall (None: clear it)."""
        ...

    def blank(self, on: bool) -> None:
        """Black out the wall, or show it again."""
        ...


class NotFound(Exception):
    """An unknown layout or show (404)."""


class Conflict(Exception):
    """The wall cannot do it now (409): a broken layout, no show running."""


@dataclass(frozen=True)
class ShownAlert:
    alert: Alert
    until: datetime | None


class Controller:
    """The wall's state as the operator sets it (alert, blank) and its changes, one at a time."""

    def __init__(self, wall: Wall, now: Now, ticks: Ticks = time.monotonic) -> None:
        self.wall, self.now, self.ticks = wall, now, ticks
        self.lock = asyncio.Lock()
        self.alert: ShownAlert | None = None
        self.blanked = False
        self.started = ticks()

    async def switch(self, layout: str) -> None:
        """Show ``layout``: after any change in progress; ``NotFound`` or ``Conflict`` if it cannot be."""
        await self._change("layout", layout, self.wall.layout_names(), self.wall.switch)

    async def start_show(self, show: str) -> None:
        """Play ``show``: after any change in progress; ``NotFound`` or ``Conflict`` if it cannot be."""
        await self._change("show", show, self.wall.show_names(), self.wall.play)

    async def _change(
        self, what: str, name: str, known: list[str], change: Callable[[str], Awaitable[None]]
    ) -> None:
        """Changes wait their turn, so two never leave the wall half-switched; a failed one keeps the wall."""
        if name not in known:
            raise NotFound(f"unknown {what} {name!r} (known: {', '.join(known)})")
        async with self.lock:
            try:
                await change(name)
            except (LayoutError, ShowError) as exc:
                raise Conflict(f"{exc} (the wall keeps what it shows)") from None

    async def reload(self) -> None:
        async with self.lock:
            if not self.wall.reload():
                raise Conflict(
                    "the layout is broken (see the wall's log); the wall keeps the previous version"
                )

    def raise_alert(self, alert: Alert, ttl: float | None) -> None:
        until = self.now() + timedelta(seconds=ttl) if ttl is not None else None
        self.alert = ShownAlert(alert, until)
        self.wall.show_alert(alert)

    def clear_alert(self) -> None:
        self.alert = None
        self.wall.show_alert(None)

    def expire(self) -> None:
        """Clear the alert once its time to live has passed (called every fraction of a second)."""
        if self.alert is not None and self.alert.until is not None and self.now() >= self.alert.until:
            log.info("alert expired: %s", self.alert.alert.message)
            self.clear_alert()

    def blank(self, on: bool | None) -> bool:
        """Black out the wall (None: toggle); the new state."""
        self.blanked = not self.blanked if on is None else on
        self.wall.blank(self.blanked)
        return self.blanked

    async def show_step(self, what: str) -> None:
        """next, previous, hold, resume: after any change in progress; ``Conflict`` when no show plays."""
        async with self.lock:
            if not self.wall.step(what):
                raise Conflict(f"{what}: no show running")

    def status(self) -> dict[str, Any]:
        alert = self.alert
        return {
            **self.wall.status(),
            "blank": self.blanked,
            "alert": None
            if alert is None
            else {
                "text": alert.alert.message,
                "level": alert.alert.level,
                "until": alert.until.isoformat() if alert.until else None,
            },
            "version": __version__,
            "uptime_s": round(self.ticks() - self.started, 1),
        }


# Request bodies: a malformed one is 422 naming the field.


class SwitchBody(Strict):
    layout: str = Field(min_length=1, description="The layout's name, as `wallapp run` takes it.")


class ShowBody(Strict):
    name: str = Field(min_length=1, description="The show's name, as `wallapp run --show` takes it.")


class AlertBody(Strict):
    text: str = Field(min_length=1, max_length=300, description="The message, in a sentence.")
    level: AlertLevel = Field("warning", description="info, warning or crisis.")
    ttl: float | None = Field(
        None, gt=0, le=7 * 86400, description="Seconds until it clears by itself (none: until cleared)."
    )


class BlankBody(Strict):
    on: bool | None = Field(None, description="true: black; false: back; absent: toggle.")


Handler = Callable[[Controller, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Endpoint:
    """One route of the API, and what the OpenAPI description says of it."""

    method: str
    path: str
    summary: str
    handler: Handler
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()


async def _status(control: Controller, _: None) -> dict[str, Any]:
    return control.status()


async def _layouts(control: Controller, _: None) -> dict[str, Any]:
    return {"layouts": control.wall.layout_names(), "shows": control.wall.show_names()}


async def _switch(control: Controller, body: SwitchBody) -> dict[str, Any]:
    await control.switch(body.layout)
    return {"layout": body.layout}


async def _show(control: Controller, body: ShowBody) -> dict[str, Any]:
    await control.start_show(body.name)
    return {"show": body.name}


async def _reload(control: Controller, _: None) -> dict[str, Any]:
    await control.reload()
    return {"reloaded": True}


async def _alert(control: Controller, body: AlertBody) -> dict[str, Any]:
    control.raise_alert(Alert(body.level, " ".join(body.text.split())), body.ttl)
    return {"alert": control.status()["alert"]}


async def _clear(control: Controller, _: None) -> dict[str, Any]:
    control.clear_alert()
    return {"alert": None}


async def _blank(control: Controller, body: BlankBody) -> dict[str, Any]:
    return {"blank": control.blank(body.on)}


def _step(what: str) -> Handler:
    async def step(control: Controller, _: None) -> dict[str, Any]:
        await control.show_step(what)
        return {}

    return step


ENDPOINTS = (
    Endpoint("GET", "/status", "What the wall shows, its sources, screens, version and uptime", _status),
    Endpoint("GET", "/layouts", "The layouts (and shows) the wall can show", _layouts),
    Endpoint("POST", "/layout", "Switch the wall to a layout", _switch, SwitchBody, (404, 409, 422)),
    Endpoint("POST", "/show", "Play a show from its first scene", _show, ShowBody, (404, 409, 422)),
    Endpoint("POST", "/reload", "Show the layout as it is now on disk", _reload, None, (409,)),
    Endpoint("POST", "/alert", "Raise an alert banner", _alert, AlertBody, (422,)),
    Endpoint("DELETE", "/alert", "Clear the alert banner", _clear),
    Endpoint("POST", "/blank", "Black out the wall, or show it again", _blank, BlankBody, (422,)),
    *(
        Endpoint(
            "POST",
            f"/{what}",
            f"{what.capitalize()} (a show: 409 while none runs)",
            _step(what),
            None,
            (409,),
        )
        for what in ("next", "previous", "hold", "resume")
    ),
)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status)


def openapi(endpoints: tuple[Endpoint, ...] = ENDPOINTS) -> dict[str, Any]:
    """The OpenAPI description of ``endpoints`` (and of itself)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    reasons = {
        401: "Missing or wrong token",
        404: "Unknown layout or show",
        409: "Not possible now",
        422: "Bad body",
    }
    paths: dict[str, dict[str, Any]] = {
        "/openapi.json": {"get": {"summary": "This description", "responses": {"200": {"description": "OK"}}}}
    }
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
    }
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "responses": {
                "200": {
                    "description": "Done",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **{str(code): {"description": reasons[code], **error} for code in (401, *endpoint.errors)},
            },
        }
        if endpoint.body is not None:
            name = endpoint.body.__name__
            schemas[name] = endpoint.body.model_json_schema()
            operation["requestBody"] = {
                "required": endpoint.body.model_fields.keys() != set()
                and any(f.is_required() for f in endpoint.body.model_fields.values()),
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            }
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "wallapp control API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
    }


def api(control: Controller, token: str) -> Starlette:
    """The control API as an ASGI app: every route needs ``Authorization: Bearer <token>``. No CORS
    headers: a web page elsewhere cannot call it from a browser."""
    refused: set[str] = set()

    def authorised(request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.casefold() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
        peer = request.client.host if request.client else "unknown"
        if peer not in refused:  # once per peer: a script looping on a wrong token does not flood the log
            refused.add(peer)
            log.warning("control API: refused a call from %s (missing or wrong token)", peer)
        return False

    def route(endpoint: Endpoint) -> Route:
        async def handle(request: Request) -> Response:
            if not authorised(request):
                return _error(401, "missing or wrong token")
            body: Any = None
            if endpoint.body is not None:
                raw = await request.body()
                try:
                    body = endpoint.body.model_validate(json.loads(raw) if raw.strip() else {})
                except json.JSONDecodeError as exc:
                    return _error(422, f"body: not JSON ({exc.msg})")
                except ValidationError as exc:
                    problems = problems_from_validation(exc)
                    return _error(
                        422, "; ".join(f"body.{p}" if p.location else f"body: {p}" for p in problems)
                    )
            try:
                return JSONResponse(await endpoint.handler(control, body))
            except NotFound as exc:
                return _error(404, str(exc))
            except Conflict as exc:
                return _error(409, str(exc))

        return Route(endpoint.path, handle, methods=[endpoint.method])

    description = openapi()

    async def described(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "missing or wrong token")
        return JSONResponse(description)

    routes = [route(endpoint) for endpoint in ENDPOINTS]
    routes.append(Route("/openapi.json", described, methods=["GET"]))
    return Starlette(routes=routes)


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address(listen: tuple[str, int] | None, token: str | None) -> tuple[str, int] | None:
    """Where the API listens, or None when it is off (no address, or no token on loopback);
    ``ConfigError`` for another host without a token."""
    if listen is None:
        return None
    host, port = listen
    if token is None:
        if not loopback(host):
            raise ConfigError(
                f"control.listen: {host}:{port} is not loopback and control.token is not set: "
                "set a token (WALLAPP_CONTROL__TOKEN) or listen on 127.0.0.1"
            )
        log.debug("control API off: no control.token set")
        return None
    return host, port


@contextlib.asynccontextmanager
async def serving(control: Controller, token: str, host: str, port: int) -> AsyncIterator[str | None]:
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
    except OSError as exc:
        log.error("control API: cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        yield None
        return
    config = uvicorn.Config(
        api(control, token),
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = _Server(config)
    serve = asyncio.create_task(server.serve(sockets=[sock]))
    expiry = asyncio.create_task(_expire(control))
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}"
    log.info("control API on %s", url)
    try:
        yield url
    finally:
        expiry.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await expiry
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
