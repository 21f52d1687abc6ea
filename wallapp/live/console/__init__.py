"""The operator console: a web page served by the running wall at ``/`` of its control API.

Operators at their desks, the demo host on a phone and the tech room watch and steer the wall from a
browser, with nothing to install. The page is three static files shipped in this package (no build step,
nothing fetched from elsewhere); it holds no secret, so it is served without a token. Everything it shows
or does goes through the API with the token the operator types once (kept in the tab's session storage,
sent in the ``Authorization`` header, never in a URL).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

HERE = Path(__file__).resolve().parent / "static"

FILES = {
    "index.html": "text/html; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
}

HEADERS = {
    # Only the page's own files run; pictures come as blobs fetched with the token; no framing elsewhere.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
        "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _file(name: str) -> Response:
    return Response((HERE / name).read_bytes(), media_type=FILES[name], headers=HEADERS)


async def _page(_: Request) -> Response:
    return _file("index.html")


async def _asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in FILES or name == "index.html":
        return Response("not found", 404, media_type="text/plain")
    return _file(name)


def routes() -> list[BaseRoute]:
    """The page (``/``) and its script and style (``/console/NAME``): public, read-only."""
    return [Route("/", _page, methods=["GET"]), Route("/console/{name}", _asset, methods=["GET"])]
