"""The control API of the running wall: an HTTP server inside the wall's own event loop.

An operator in another room (``wallapp ctl``, a script) asks what the wall shows, switches it to another
layout, raises an alert banner, blanks it. Every call carries the installation's bearer token; without a
token the API does not start, and listening on anything but loopback without one is refused at start-up.

The API drives the wall through ``Wall`` (the composition root implements it with Qt): this module knows
no Qt. ``Controller`` serialises the changes: two clients switching at once never leave the wall
half-switched, a switch waits for the one in progress. A show is started by name; next, previous, hold
and resume move its playhead (409 "no show running" when none plays).

Two tokens: the operator's steers; the read token only watches (its changes: 403). Every change asked
is written to the audit log. The same server serves the operator console (``/``, ``wallapp.live.console``):
the wall's picture, layout thumbnails and a stream of events so that the page is told, never polls.
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
from pydantic import BaseModel, Field, ValidationError, model_validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from wallapp import __version__
from wallapp.core.config.jsondoc import problems_from_validation
from wallapp.core.data.alerts import Alert, AlertLevel
from wallapp.core.data.moderation import Moderation
from wallapp.core.data.records import Post
from wallapp.core.strict import Strict
from wallapp.core.timing import Now, Ticks
from wallapp.errors import ConfigError, LayoutError, ShowError
from wallapp.live import console
from wallapp.live.audit import AuditLog
from wallapp.live.events import Events
from wallapp.live.moderation import Decisions

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

    def picture(self, width: int) -> bytes:
        """The whole canvas as the wall shows it now (mullions as black gaps), ``width`` pixels wide: PNG."""
        ...

    def thumbnail(self, layout: str, width: int) -> bytes:
        """The layout (a name) drawn from its file, ``width`` pixels wide: PNG; ``LayoutError`` if broken."""
        ...

    def posts(self, count: int) -> dict[str, list[Post]]:
        """The latest ``count`` posts of each post source shown, whatever moderation says of them."""
        ...

    def moderate(self, moderation: Moderation) -> None:
        """Apply the operator's decisions about posts now: a hidden post leaves the wall at the next frame."""
        ...


class NotFound(Exception):
    """An unknown layout or show (404)."""


class Conflict(Exception):
    """The wall cannot do it now (409): a broken layout, no show running."""


POSTS_KEPT = 500
"""How far back a post is found to be moderated (a store's usual capacity)."""
PICTURE_EVERY_S = 5.0
"""The console's picture of the wall is renewed this often, and at once on every change."""


@dataclass(frozen=True)
class ShownAlert:
    alert: Alert
    until: datetime | None


class Controller:
    """The wall's state as the operator sets it (alert, blank) and its changes, one at a time."""

    def __init__(
        self,
        wall: Wall,
        now: Now,
        ticks: Ticks = time.monotonic,
        audit: AuditLog | None = None,
        decisions: Decisions | None = None,
    ) -> None:
        """``audit``: where the API writes who changed what (none: not recorded); ``decisions``: the
        moderation in force and its file (none: nothing decided, kept in memory)."""
        self.wall, self.now, self.ticks, self.audit = wall, now, ticks, audit
        self.decisions = decisions or Decisions(None, Moderation())
        self.lock = asyncio.Lock()
        self.alert: ShownAlert | None = None
        self.blanked = False
        self.started = ticks()
        self.events = Events()
        self.picture_version = 0
        self._pictures: dict[tuple[int, int], bytes] = {}
        self._told: dict[str, Any] | None = None
        if audit is not None:
            audit.listeners.append(lambda entry: self.events.publish("audit", entry.__dict__))

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

    def post_sources(self) -> dict[str, list[Post]]:
        return self.wall.posts(POSTS_KEPT)

    def find_post(self, source: str, post: str) -> None:
        """``NotFound`` unless ``source`` is a post source shown and holds ``post``."""
        sources = self.post_sources()
        if source not in sources:
            raise NotFound(
                f"no post source {source!r} on the wall (post sources: {', '.join(sources) or 'none'})"
            )
        if post not in {p.id for p in sources[source]}:
            raise NotFound(f"source {source!r} has no post {post!r} (any more)")

    def decide(self, decide: Callable[[Moderation], Moderation]) -> Moderation:
        """Apply a moderation decision to the wall now, and keep it."""
        moderation = self.decisions.change(decide)
        self.wall.moderate(moderation)
        self.events.publish("posts", {})
        self.renew_picture()
        return moderation

    def picture(self, width: int) -> bytes:
        """The wall's picture at the current version (drawn once per version and width)."""
        key = (self.picture_version, width)
        if key not in self._pictures:
            self._pictures = {k: v for k, v in self._pictures.items() if k[0] == self.picture_version}
            self._pictures[key] = self.wall.picture(width)
        return self._pictures[key]

    def renew_picture(self) -> None:
        self.picture_version += 1
        self.events.publish("picture", {"version": self.picture_version})

    def tell(self, force: bool = False) -> None:
        """Push the status to the watching consoles when it changed (or ``force``), and a new picture when
        what is shown changed (a layout, a scene, the alert, blank)."""
        status = self.status()
        told, self._told = self._told, status
        if told is not None and _shown(told) != _shown(status):
            self.renew_picture()
        if force or told is None or _without_clock(told) != _without_clock(status):
            self.events.publish("status", status)

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


def _without_clock(status: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in status.items() if key != "uptime_s"}


def _shown(status: dict[str, Any]) -> tuple[Any, ...]:
    scene = status.get("scene") or {}
    return (status.get("layout"), status.get("show"), scene.get("number"), status["blank"], status["alert"])


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


class PostBody(Strict):
    source: str = Field(min_length=1, description="The post source's name, as in the layout.")
    id: str = Field(min_length=1, description="The post's id.")


class BlockBody(Strict):
    author: str | None = Field(
        None, min_length=1, max_length=200, description="A handle (with or without @)."
    )
    term: str | None = Field(None, min_length=1, max_length=200, description="A word or phrase.")

    @model_validator(mode="after")
    def _one(self) -> BlockBody:
        if (self.author is None) == (self.term is None):
            raise ValueError("give an author or a term (one of them)")
        return self


class ApprovalBody(Strict):
    source: str = Field(min_length=1, description="The post source's name.")
    on: bool = Field(description="true: its new posts wait for approval; false: shown as they come.")


# Query strings (and path parameters) of the GET routes: a malformed one is 422 naming the field too.


class PictureQuery(Strict):
    width: int = Field(960, ge=64, le=7680, description="The picture's width in pixels.")


class ThumbnailQuery(Strict):
    name: str = Field(min_length=1, description="The layout's name.")
    width: int = Field(320, ge=64, le=1280, description="The thumbnail's width in pixels.")


class PostsQuery(Strict):
    count: int = Field(20, ge=1, le=200, description="How many of each source's latest posts.")


class LogQuery(Strict):
    count: int = Field(50, ge=1, le=200, description="How many of the latest entries.")


Handler = Callable[[Controller, Any, "Caller"], Awaitable[dict[str, Any] | Response]]


@dataclass(frozen=True)
class Endpoint:
    """One route of the API, and what the OpenAPI description says of it."""

    method: str
    path: str
    summary: str
    handler: Handler
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    media: str = "application/json"

    @property
    def steers(self) -> bool:
        """A change to the wall: the operator's token only, and written to the audit log."""
        return self.method != "GET"

    def says(self, body: Any) -> str:
        """The change for the audit log: "layout two", "alert warning: Queue above 50"."""
        name = self.path.strip("/")
        if isinstance(body, PostBody):
            return f"{name.rpartition('/')[2]} post {body.source}/{body.id}"
        if isinstance(body, BlockBody):
            verb = "unblock" if self.method == "DELETE" else "block"
            return f"{verb} author {body.author}" if body.author else f"{verb} term {body.term}"
        if isinstance(body, ApprovalBody):
            return f"approval {'on' if body.on else 'off'} for {body.source}"
        if self.method == "DELETE":
            return f"clear {name}"
        if isinstance(body, AlertBody):
            ttl = f" (for {body.ttl:g} s)" if body.ttl is not None else ""
            return f"alert {body.level}: {' '.join(body.text.split())}{ttl}"
        if isinstance(body, BlankBody):
            return {True: "blank on", False: "blank off", None: "blank toggle"}[body.on]
        values = [str(v) for v in body.model_dump().values()] if body is not None else []
        return " ".join([name, *values])


async def _status(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    return control.status()


async def _layouts(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    return {"layouts": control.wall.layout_names(), "shows": control.wall.show_names()}


async def _switch(control: Controller, body: SwitchBody, _who: Caller) -> dict[str, Any]:
    await control.switch(body.layout)
    return {"layout": body.layout}


async def _show(control: Controller, body: ShowBody, _who: Caller) -> dict[str, Any]:
    await control.start_show(body.name)
    return {"show": body.name}


async def _reload(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    await control.reload()
    return {"reloaded": True}


async def _alert(control: Controller, body: AlertBody, _who: Caller) -> dict[str, Any]:
    control.raise_alert(Alert(body.level, " ".join(body.text.split())), body.ttl)
    return {"alert": control.status()["alert"]}


async def _clear(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    control.clear_alert()
    return {"alert": None}


async def _blank(control: Controller, body: BlankBody, _who: Caller) -> dict[str, Any]:
    return {"blank": control.blank(body.on)}


async def _picture(control: Controller, query: PictureQuery, _who: Caller) -> Response:
    return Response(control.picture(query.width), media_type="image/png", headers=_private)


async def _thumbnail(control: Controller, query: ThumbnailQuery, _who: Caller) -> Response:
    known = control.wall.layout_names()
    if query.name not in known:
        raise NotFound(f"unknown layout {query.name!r} (known: {', '.join(known)})")
    try:
        picture = control.wall.thumbnail(query.name, query.width)
    except LayoutError as exc:
        raise Conflict(str(exc)) from None
    return Response(picture, media_type="image/png", headers=_private)


async def _log(control: Controller, query: LogQuery, _who: Caller) -> dict[str, Any]:
    entries = control.audit.latest(query.count) if control.audit is not None else []
    return {"entries": [entry.__dict__ for entry in entries]}


async def _posts(control: Controller, query: PostsQuery, _who: Caller) -> dict[str, Any]:
    moderation = control.decisions.current
    pinned = moderation.pinned
    return {
        "sources": [
            {
                "name": name,
                "approval": name in moderation.approval,
                "posts": [
                    {
                        "id": post.id,
                        "author": post.author_name,
                        "handle": post.handle,
                        "network": post.network,
                        "text": post.shown_text,
                        "created_at": post.created_at.isoformat() if post.created_at else None,
                        "verdict": moderation.verdict(name, post),
                        "pinned": pinned is not None and (pinned.source, pinned.id) == (name, post.id),
                    }
                    for post in posts[: query.count]
                ],
            }
            for name, posts in control.post_sources().items()
        ],
        "blocked_authors": moderation.blocked_authors,
        "blocked_terms": moderation.blocked_terms,
    }


def _on_post(decide: Callable[[Moderation, PostBody], Moderation]) -> Handler:
    async def handle(control: Controller, body: PostBody, _who: Caller) -> dict[str, Any]:
        control.find_post(body.source, body.id)
        control.decide(lambda moderation: decide(moderation, body))
        return {"source": body.source, "id": body.id}

    return handle


async def _unpin(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    control.decide(lambda moderation: moderation.pin(None, None))
    return {"pinned": None}


async def _block(control: Controller, body: BlockBody, _who: Caller) -> dict[str, Any]:
    moderation = control.decide(lambda moderation: moderation.block(body.author, body.term))
    return {"blocked_authors": moderation.blocked_authors, "blocked_terms": moderation.blocked_terms}


async def _unblock(control: Controller, body: BlockBody, _who: Caller) -> dict[str, Any]:
    current = control.decisions.current
    if body.author not in current.blocked_authors and body.term not in current.blocked_terms:
        raise NotFound(
            f"{'author ' + body.author if body.author else 'term ' + str(body.term)} is not blocked"
        )
    moderation = control.decide(lambda moderation: moderation.unblock(body.author, body.term))
    return {"blocked_authors": moderation.blocked_authors, "blocked_terms": moderation.blocked_terms}


async def _approval(control: Controller, body: ApprovalBody, _who: Caller) -> dict[str, Any]:
    sources = control.post_sources()
    if body.source not in sources:
        raise NotFound(
            f"no post source {body.source!r} on the wall (post sources: {', '.join(sources) or 'none'})"
        )
    control.decide(lambda moderation: moderation.set_approval(body.source, body.on))
    return {"source": body.source, "approval": body.on}


async def _events(control: Controller, _: None, who: Caller) -> Response:
    first: list[tuple[str, Any]] = [
        ("hello", {"role": who.role, "peer": who.peer}),
        ("status", control.status()),
        ("picture", {"version": control.picture_version}),
    ]
    return StreamingResponse(
        control.events.stream(first),
        media_type="text/event-stream",
        headers={**_private, "X-Accel-Buffering": "no"},
    )


_private = {"Cache-Control": "no-store"}


def _step(what: str) -> Handler:
    async def step(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
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
    Endpoint(
        "GET",
        "/picture",
        "The whole wall as it shows now, mullions included (PNG)",
        _picture,
        PictureQuery,
        (422,),
        "image/png",
    ),
    Endpoint(
        "GET",
        "/layouts/{name}/thumbnail",
        "A layout drawn from its file (PNG)",
        _thumbnail,
        ThumbnailQuery,
        (404, 409, 422),
        "image/png",
    ),
    Endpoint("GET", "/log", "The latest changes asked of the wall: who, when, what", _log, LogQuery, (422,)),
    Endpoint(
        "GET",
        "/posts",
        "The latest posts of each post source, each with what moderation makes of it",
        _posts,
        PostsQuery,
        (422,),
    ),
    Endpoint(
        "POST",
        "/posts/hide",
        "Hide a post now, for good",
        _on_post(lambda m, b: m.hide(b.source, b.id)),
        PostBody,
        (404, 422),
    ),
    Endpoint(
        "POST",
        "/posts/approve",
        "Approve a post waiting for approval",
        _on_post(lambda m, b: m.approve(b.source, b.id)),
        PostBody,
        (404, 422),
    ),
    Endpoint(
        "POST",
        "/posts/pin",
        "Show a post alone in its source's spotlights",
        _on_post(lambda m, b: m.pin(b.source, b.id)),
        PostBody,
        (404, 422),
    ),
    Endpoint("DELETE", "/posts/pin", "The spotlights take turns again", _unpin),
    Endpoint("POST", "/block", "Block an author or a term on every source", _block, BlockBody, (422,)),
    Endpoint("DELETE", "/block", "Unblock an author or a term", _unblock, BlockBody, (404, 422)),
    Endpoint(
        "POST",
        "/approval",
        "Turn a post source's approval mode on or off",
        _approval,
        ApprovalBody,
        (404, 422),
    ),
    Endpoint(
        "GET",
        "/events",
        "Server-sent events: status (as it changes), picture (a new one to fetch), audit (each change)",
        _events,
        None,
        (),
        "text/event-stream",
    ),
)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status)


def openapi(endpoints: tuple[Endpoint, ...] = ENDPOINTS) -> dict[str, Any]:
    """The OpenAPI description of ``endpoints`` (and of itself)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    reasons = {
        401: "Missing or wrong token",
        403: "The read token cannot change the wall",
        404: "Unknown layout, show, source or post",
        409: "Not possible now",
        422: "Bad body or query",
    }
    paths: dict[str, dict[str, Any]] = {
        "/openapi.json": {"get": {"summary": "This description", "responses": {"200": {"description": "OK"}}}}
    }
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
    }
    for endpoint in endpoints:
        content = {"schema": {"type": "object"}} if endpoint.media == "application/json" else {}
        errors = (401, 403, *endpoint.errors) if endpoint.steers else (401, *endpoint.errors)
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "responses": {
                "200": {"description": "Done", "content": {endpoint.media: content}},
                **{str(code): {"description": reasons[code], **error} for code in errors},
            },
        }
        if endpoint.body is not None and not endpoint.steers:  # a GET: its query and path parameters
            schema = endpoint.body.model_json_schema()
            operation["parameters"] = [
                {
                    "name": name,
                    "in": "path" if f"{{{name}}}" in endpoint.path else "query",
                    "required": name in schema.get("required", []),
                    "description": field.get("description", ""),
                    "schema": {k: v for k, v in field.items() if k not in ("description", "title")},
                }
                for name, field in schema["properties"].items()
            ]
        elif endpoint.body is not None:
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


@dataclass(frozen=True)
class Caller:
    """Who calls: the kind of token it showed, and from where (the audit log's "who")."""

    role: str  # "operator" (steers) or "watcher" (the read token)
    peer: str

    def __str__(self) -> str:
        return f"{self.role}@{self.peer}"


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
    except OSError as exc:
        log.error("control API: cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        yield None
        return
    config = uvicorn.Config(
        api(control, token, read_token),
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
