"""The API's routes: who may call them, what they do to the wall, and the OpenAPI description of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from starlette.responses import Response, StreamingResponse

from wallapp import __version__
from wallapp.core.data.alerts import Alert
from wallapp.core.data.moderation import Change
from wallapp.errors import LayoutError
from wallapp.live.control.bodies import (
    AlertBody,
    ApprovalBody,
    BlankBody,
    BlockBody,
    LogQuery,
    PictureQuery,
    PostBody,
    PostsQuery,
    ShowBody,
    SwitchBody,
    ThumbnailQuery,
    TryBody,
)
from wallapp.live.control.controller import Conflict, Controller, NotFound, Reach


@dataclass(frozen=True)
class Caller:
    """Who calls: the kind of token it showed, and from where (the audit log's "who")."""

    role: str  # "operator" (steers) or "watcher" (the read token)
    peer: str

    def __str__(self) -> str:
        return f"{self.role}@{self.peer}"


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
        if isinstance(body, TryBody):
            return f"layout {body.layout} (unsaved version)"
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


def _reached(answer: dict[str, Any], reach: Reach | None) -> dict[str, Any]:
    """``answer``, with what each node did of the change on a wall of several PCs (``nodes``)."""
    return answer if reach is None else {**answer, "nodes": reach}


async def _switch(control: Controller, body: SwitchBody, _who: Caller) -> dict[str, Any]:
    return _reached({"layout": body.layout}, await control.switch(body.layout))


async def _try(control: Controller, body: TryBody, _who: Caller) -> dict[str, Any]:
    reach = await control.try_layout(body.layout, body.document)
    return _reached({"layout": body.layout, "unsaved": True}, reach)


async def _show(control: Controller, body: ShowBody, _who: Caller) -> dict[str, Any]:
    return _reached({"show": body.name}, await control.start_show(body.name))


async def _reload(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    return _reached({"reloaded": True}, await control.reload())


async def _alert(control: Controller, body: AlertBody, _who: Caller) -> dict[str, Any]:
    reach = await control.raise_alert(Alert(body.level, " ".join(body.text.split())), body.ttl)
    return _reached({"alert": control.status()["alert"]}, reach)


async def _clear(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    return _reached({"alert": None}, await control.clear_alert())


async def _blank(control: Controller, body: BlankBody, _who: Caller) -> dict[str, Any]:
    blanked, reach = await control.blank(body.on)
    return _reached({"blank": blanked}, reach)


async def _picture(control: Controller, query: PictureQuery, _who: Caller) -> Response:
    if query.gather:
        picture, drawn = await control.wall.gathered(query.width, query.at)
        parts = "; ".join(f"{node}: {who}" for node, who in drawn.items())
        return Response(picture, media_type="image/png", headers={**_private, "X-Wall-Parts": parts})
    picture = control.picture(query.width, query.at, query.own)
    return Response(picture, media_type="image/png", headers=_private)


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


def _on_post(op: Literal["hide", "approve", "pin"]) -> Handler:
    async def handle(control: Controller, body: PostBody, _who: Caller) -> dict[str, Any]:
        control.find_post(body.source, body.id)
        _, reach = await control.decide(Change(op=op, source=body.source, post=body.id))
        return _reached({"source": body.source, "id": body.id}, reach)

    return handle


async def _unpin(control: Controller, _: None, _who: Caller) -> dict[str, Any]:
    return _reached({"pinned": None}, (await control.decide(Change(op="pin")))[1])


async def _block(control: Controller, body: BlockBody, _who: Caller) -> dict[str, Any]:
    return await _blocked(control, Change(op="block", author=body.author, term=body.term))


async def _unblock(control: Controller, body: BlockBody, _who: Caller) -> dict[str, Any]:
    current = control.decisions.current
    if body.author not in current.blocked_authors and body.term not in current.blocked_terms:
        raise NotFound(
            f"{'author ' + body.author if body.author else 'term ' + str(body.term)} is not blocked"
        )
    return await _blocked(control, Change(op="unblock", author=body.author, term=body.term))


async def _blocked(control: Controller, change: Change) -> dict[str, Any]:
    moderation, reach = await control.decide(change)
    blocked = {"blocked_authors": moderation.blocked_authors, "blocked_terms": moderation.blocked_terms}
    return _reached(blocked, reach)


async def _approval(control: Controller, body: ApprovalBody, _who: Caller) -> dict[str, Any]:
    sources = control.post_sources()
    if body.source not in sources:
        raise NotFound(
            f"no post source {body.source!r} on the wall (post sources: {', '.join(sources) or 'none'})"
        )
    decided = await control.decide(Change(op="approval", source=body.source, on=body.on))
    return _reached({"source": body.source, "approval": body.on}, decided[1])


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
        return _reached({}, await control.show_step(what))

    return step


ENDPOINTS = (
    Endpoint("GET", "/status", "What the wall shows, its sources, screens, version and uptime", _status),
    Endpoint("GET", "/layouts", "The layouts (and shows) the wall can show", _layouts),
    Endpoint("POST", "/layout", "Switch the wall to a layout", _switch, SwitchBody, (404, 409, 422)),
    Endpoint(
        "POST",
        "/layout/try",
        "Show an unsaved version of a layout (the editor's Apply; /reload shows its file again)",
        _try,
        TryBody,
        (404, 409, 422),
    ),
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
        _on_post("hide"),
        PostBody,
        (404, 422),
    ),
    Endpoint(
        "POST",
        "/posts/approve",
        "Approve a post waiting for approval",
        _on_post("approve"),
        PostBody,
        (404, 422),
    ),
    Endpoint(
        "POST",
        "/posts/pin",
        "Show a post alone in its source's spotlights",
        _on_post("pin"),
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
