"""``wallapp demo-server``: the built-in simulator served over real HTTP, to see what a backend looks like.

Endpoints (all JSON, shaped like the kind of API a hub buys from its providers, each differently):

- ``GET /api/posts?since=&limit=``: posts with their authors in ``includes.users`` (join them by id), with
  an ETag for conditional requests;
- ``GET /api/influencers``: ``{"updated_at", "ranking": [...]}``;
- ``GET /api/topics``: ``{"as_of", "trends": [{"name", "tweet_volume", "change"}]}``;
- ``GET /api/kpis``: ``{"generated": epoch ms, "kpis": [{"metric", "value", "unit", "country", "brand"}]}``;
- ``GET /api/stream``: server-sent events, one ``post`` event per post (the record's own shape),
  resuming after ``Last-Event-ID``;
- ``WS /ws``: after an optional subscribe message, ``{"type": "posts", "posts": [...]}`` every second.

``example_sources(base_url)`` gives the layout ``sources`` that read each of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from wallapp.core.data.demo import Simulator
from wallapp.core.data.records import Post
from wallapp.core.timing import Now, utc_now

BACKLOG = timedelta(seconds=30)
"""What a new stream or socket gets first: the posts of the last half minute."""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _tweet(post: Post) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": post.id,
        "text": post.text,
        "author_id": post.author_id,
        "created_at": _iso(post.created_at),
        "lang": post.lang,
        "network": post.network,
        "geo": {"country_code": post.country},
        "sentiment": {"label": post.sentiment},
        "public_metrics": {
            "like_count": post.likes,
            "retweet_count": post.reposts,
            "impression_count": post.reach,
        },
    }
    if post.media_url:
        tweet["attachments"] = {"media": [{"type": "photo", "url": post.media_url}]}
    return tweet


def _user(post: Post) -> dict[str, Any]:
    return {
        "id": post.author_id,
        "name": post.author_name,
        "username": post.handle,
        "profile_image_url": post.avatar_url,
        "public_metrics": {"followers_count": post.author_followers},
    }


def _record(post: Post) -> dict[str, Any]:
    return post.model_dump(mode="json", exclude={"type"}, exclude_none=True)


def _time_param(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.fromtimestamp(number / 1000 if number > 2e10 else number, UTC)


def _post_time(post_id: str | None) -> datetime | None:
    """Simulator post ids start with the second they were written in (resending that second is harmless:
    stores deduplicate)."""
    if not post_id or not post_id.isdigit() or len(post_id) <= 6:
        return None
    try:
        return datetime.fromtimestamp(int(post_id[:-6]), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def create_app(seed: int = 0, *, clock: Now = utc_now, tick: float = 1.0, rate: float = 1.5) -> Starlette:
    """The demo backend as an ASGI app: ``seed`` for the simulator, ``tick`` seconds between pushes."""
    simulator = Simulator(seed, base_rate=rate)

    def posts(request: Request) -> Response:
        now = clock()
        limit = min(max(int(request.query_params.get("limit", "100") or 100), 1), 1000)
        since = _time_param(request.query_params.get("since")) or now - timedelta(minutes=10)
        found = list(reversed(simulator.posts(since, now, limit=limit)))
        etag = (
            '"'
            + hashlib.blake2b(f"{found[0].id if found else ''}:{limit}".encode(), digest_size=8).hexdigest()
            + '"'
        )
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        users = {post.author_id: _user(post) for post in found}
        body = {
            "data": [_tweet(post) for post in found],
            "includes": {"users": list(users.values())},
            "meta": {"result_count": len(found), "newest_id": found[0].id if found else None},
        }
        return JSONResponse(body, headers={"ETag": etag, "Cache-Control": "no-cache"})

    def influencers(request: Request) -> Response:
        now = clock()
        ranking = [person.model_dump(mode="json", exclude={"type"}) for person in simulator.influencers(now)]
        return JSONResponse({"updated_at": _iso(now), "ranking": ranking})

    def topics(request: Request) -> Response:
        now = clock()
        trends = [{"name": t.tag, "tweet_volume": t.volume, "change": t.trend} for t in simulator.topics(now)]
        return JSONResponse({"as_of": _iso(now), "trends": trends})

    def kpis(request: Request) -> Response:
        now = clock()
        rows = [
            {"metric": m.name, "value": m.value, "unit": m.unit, **m.dimensions} for m in simulator.kpis(now)
        ]
        return JSONResponse({"generated": int(now.timestamp() * 1000), "kpis": rows})

    async def stream(request: Request) -> Response:
        since = _post_time(request.headers.get("last-event-id")) or clock() - BACKLOG

        async def events() -> AsyncIterator[str]:
            nonlocal since
            yield f"retry: {int(tick * 3000)}\n\n"
            while True:
                now = clock()
                for post in await asyncio.to_thread(simulator.posts, since, now, 1000):
                    data = json.dumps(_record(post), ensure_ascii=False)
                    yield f"id: {post.id}\nevent: post\ndata: {data}\n\n"
                since = now
                yield ": keep-alive\n\n"
                await asyncio.sleep(tick)

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        since = clock() - BACKLOG
        with contextlib.suppress(WebSocketDisconnect):
            # The subscribe message is optional: wait for it briefly, then push anyway.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(tick, 0.5)):
                    await websocket.receive_text()
            while True:
                now = clock()
                batch = await asyncio.to_thread(simulator.posts, since, now, 1000)
                since = now
                await websocket.send_text(json.dumps({"type": "posts", "posts": [_record(p) for p in batch]}))
                await asyncio.sleep(tick)

    return Starlette(
        routes=[
            Route("/api/posts", posts),
            Route("/api/influencers", influencers),
            Route("/api/topics", topics),
            Route("/api/kpis", kpis),
            Route("/api/stream", stream),
            WebSocketRoute("/ws", socket),
        ]
    )


def example_sources(base_url: str = "http://127.0.0.1:8765") -> dict[str, dict[str, Any]]:
    """Layout ``sources`` reading the demo server at ``base_url``, each endpoint mapped by config alone."""
    socket_url = base_url.replace("https://", "wss://").replace("http://", "ws://")
    return {
        "posts": {
            "kind": "http",
            "url": f"{base_url}/api/posts",
            "query": {"limit": 200},
            "interval": 5,
            "mapping": {
                "record": "post",
                "items": "data",
                "lookups": [{"as": "author", "from": "includes.users", "key": "id", "match": "author_id"}],
                "fields": {
                    "author_name": "author.name",
                    "handle": "author.username",
                    "avatar_url": "author.profile_image_url",
                    "author_followers": "author.public_metrics.followers_count",
                    "country": "geo.country_code",
                    "sentiment": "sentiment.label",
                    "likes": "public_metrics.like_count",
                    "reposts": "public_metrics.retweet_count",
                    "reach": "public_metrics.impression_count",
                    "media_url": "attachments.media[0].url",
                },
            },
        },
        "posts-live": {
            "kind": "sse",
            "url": f"{base_url}/api/stream",
            "events": ["post"],
            "expect_every": 10,
            "mapping": {"record": "post"},
        },
        "posts-socket": {
            "kind": "websocket",
            "url": f"{socket_url}/ws",
            "subscribe": {"subscribe": ["posts"]},
            "expect_every": 10,
            "mapping": {"record": "post", "items": "posts"},
        },
        "influencers": {
            "kind": "http",
            "url": f"{base_url}/api/influencers",
            "interval": 30,
            "mapping": {"record": "person", "items": "ranking"},
        },
        "topics": {
            "kind": "http",
            "url": f"{base_url}/api/topics",
            "interval": 30,
            "mapping": {
                "record": "topic",
                "items": "trends",
                "shared": {"as_of": "as_of"},
                "fields": {"tag": "name", "volume": "tweet_volume", "trend": "change", "updated_at": "as_of"},
            },
        },
        "kpis": {
            "kind": "http",
            "url": f"{base_url}/api/kpis",
            "interval": 60,
            "mapping": {
                "record": "metric",
                "items": "kpis",
                "shared": {"generated": "generated"},
                "fields": {
                    "name": "metric",
                    "measured_at": {"expr": "generated", "coerce": "epoch_ms"},
                    "dimensions.country": "country",
                    "dimensions.brand": "brand",
                },
            },
        },
    }


def serve(host: str = "127.0.0.1", port: int = 8765, seed: int = 0) -> None:
    """Run the demo server until interrupted (Ctrl+C)."""
    uvicorn.run(
        create_app(seed), host=host, port=port, log_level="info", ws="websockets-sansio", lifespan="off"
    )
