"""A real HTTP app whose answer the test changes as it goes, recording what it was asked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Reply = Callable[[Request], Awaitable[Response]]


def json_reply(payload: object, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    async def reply(request: Request) -> Response:
        return JSONResponse(payload, status_code=status, headers=headers)

    return reply


def fixed(response: Callable[[], Response]) -> Reply:
    async def reply(request: Request) -> Response:
        return response()

    return reply


class Scripted:
    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests: list[Request] = []
        self.bodies: list[bytes] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])

    async def _handle(self, request: Request) -> Response:
        self.requests.append(request)
        self.bodies.append(await request.body())
        return await self.reply(request)

    @property
    def hits(self) -> int:
        return len(self.requests)
