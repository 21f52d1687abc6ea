"""``wallapp probe``: what each source of a layout yields, or why it fails, against real servers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sample_apis import TWEETS, TWEETS_MAPPING
from scripted import Scripted, json_reply
from servers import free_port, serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from wallapp import cli
from wallapp.core.config.settings import load_settings

TOKEN = "probe-T0ken-4711"


async def search(request: Request) -> Response:
    """A tweets-like search API that wants its bearer token; ``q=nothing`` matches nothing."""
    if request.headers.get("authorization") != f"Bearer {TOKEN}":
        return JSONResponse({"title": "Unauthorized"}, status_code=401)
    if request.query_params.get("q") == "nothing":
        return JSONResponse({"data": [], "meta": {"result_count": 0}})
    return JSONResponse(TWEETS)


async def broken(request: Request) -> Response:
    return Response("oops", status_code=500)


async def stream(request: Request) -> Response:
    """An event stream that sends one KPI, then (or at once, with ``?quiet``) says nothing more."""

    async def body() -> AsyncIterator[str]:
        if "quiet" not in request.query_params:
            yield 'event: kpi\ndata: {"name": "response_rate", "value": 0.874}\n\n'
        while not await request.is_disconnected():
            await asyncio.sleep(0.01)

    return StreamingResponse(body(), media_type="text/event-stream")


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    routes = [Route("/search", search), Route("/broken", broken), Route("/stream", stream)]
    with serving(Starlette(routes=routes)) as base:
        yield base


@pytest.fixture
def probe(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    write_json: Callable[[str, object], Path],
) -> Callable[..., tuple[int, list[dict[str, Any]], list[str]]]:
    """Probe a layout made of ``sources``: the exit status, the JSON lines printed, the lines on stderr."""
    monkeypatch.setenv("WALLAPP_SECRETS__SEARCH_TOKEN", TOKEN)

    def run(sources: dict[str, Any], *args: str) -> tuple[int, list[dict[str, Any]], list[str]]:
        layout = {
            "name": "Probed",
            "sources": sources,
            "widgets": [{"id": "t", "kind": "text", "place": {"screen": [0, 0]}, "options": {"text": "x"}}],
        }
        status = cli.main(["probe", str(write_json("probed.json", layout)), *args])
        out, err = capsys.readouterr()
        return status, [json.loads(line) for line in out.splitlines()], err.splitlines()

    return run


def tweets(base: str, query: str = "orbis", token: str = "${secret:search_token}") -> dict[str, Any]:
    return {
        "kind": "http",
        "url": f"{base}/search",
        "query": {"q": query},
        "headers": {"Authorization": f"Bearer {token}"},
        "mapping": TWEETS_MAPPING,
    }


def test_the_records_a_source_yields_are_printed_as_json_lines(backend: str, probe: Any) -> None:
    status, lines, err = probe({"tweets": tweets(backend)})
    assert status == 0
    assert [(line["source"], line["type"], line["handle"]) for line in lines] == [
        ("tweets", "post", "moussa_d"),  # newest first, as the wall holds them
        ("tweets", "post", "ada"),
    ]
    assert lines[0]["author_followers"] == 52000
    assert lines[0]["likes"] == 1204
    assert lines[0]["created_at"] == "2026-03-01T10:16:30Z"
    assert err == [f"wallapp: source 'tweets' ({backend}/search?q=orbis): 2 records"]


def test_an_empty_result_is_an_answer(backend: str, probe: Any) -> None:
    status, lines, err = probe({"tweets": tweets(backend, query="nothing")})
    assert status == 0
    assert lines == []
    assert err == [f"wallapp: source 'tweets' ({backend}/search?q=nothing): no records (an empty result)"]


def test_a_failing_source_says_why_and_fails_the_probe(
    backend: str, probe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STALE_TOKEN", "an-old-token-0000")
    port = free_port()
    status, lines, err = probe(
        {
            "tweets": tweets(backend),
            "broken": {"kind": "http", "url": f"{backend}/broken", "mapping": {"record": "metric"}},
            "down": {"kind": "http", "url": f"http://127.0.0.1:{port}/kpis", "mapping": {"record": "metric"}},
            "unset": tweets(backend, token="${secret:other_token}"),
            "refused": tweets(backend, token="${env:STALE_TOKEN}"),
        }
    )
    assert status == 1
    assert {line["source"] for line in lines} == {"tweets"}
    # What the wall shows, then what the log says (the server's own words with it).
    assert sorted(err) == [
        f"wallapp: source 'broken' ({backend}/broken): Backend error 500 — HTTP 500 Internal Server Error",
        f"wallapp: source 'down' (http://127.0.0.1:{port}/kpis): Connection refused",
        f"wallapp: source 'refused' ({backend}/search?q=orbis): "
        'Not authorised (401) — HTTP 401 Unauthorized: {"title":"Unauthorized"}',
        f"wallapp: source 'tweets' ({backend}/search?q=orbis): 2 records",
        f"wallapp: source 'unset' ({backend}/search?q=orbis): "
        "No such secret: other_token — the secret other_token is not set (needed by ${secret:other_token})",
    ]


def test_one_source_is_probed_alone(backend: str, probe: Any) -> None:
    broken = {"kind": "http", "url": f"{backend}/broken", "mapping": {"record": "metric"}}
    status, lines, err = probe({"tweets": tweets(backend), "broken": broken}, "tweets")
    assert status == 0
    assert len(lines) == 2
    assert len(err) == 1


def test_a_stream_gives_its_first_message_and_is_left(backend: str, probe: Any) -> None:
    spec = {"kind": "sse", "url": f"{backend}/stream", "events": ["kpi"], "mapping": {"record": "metric"}}
    status, lines, err = probe({"care": spec}, "--timeout", "3600")  # the stream never ends by itself
    assert status == 0
    assert [(line["name"], line["value"]) for line in lines] == [("response_rate", 0.874)]
    assert err == [f"wallapp: source 'care' ({backend}/stream): 1 record"]


def test_a_silent_stream_fails_after_the_timeout(backend: str, probe: Any) -> None:
    spec = {"kind": "sse", "url": f"{backend}/stream?quiet", "mapping": {"record": "metric"}}
    status, lines, err = probe({"care": spec}, "--timeout", "0.2")
    assert status == 1
    assert lines == []
    assert err == [f"wallapp: source 'care' ({backend}/stream?quiet=): No message within 0.2 s"]


def test_a_demo_source_probes_too_and_the_limit_applies(probe: Any) -> None:
    status, lines, err = probe({"people": {"kind": "demo", "feed": "influencers"}}, "--limit", "3")
    assert status == 0
    assert [(line["type"], line["rank"]) for line in lines] == [("person", 1), ("person", 2), ("person", 3)]
    assert err == ["wallapp: source 'people' (demo influencers): 20 records"]


def test_an_unknown_source_is_a_usage_error(probe: Any, tmp_path: Path) -> None:
    status, lines, err = probe({"people": {"kind": "demo", "feed": "influencers"}}, "peeple")
    assert status == 2
    assert lines == []
    assert err == [f"wallapp: {tmp_path / 'probed.json'} has no source 'peeple' (its sources: people)"]


def test_a_probe_asks_once_and_leaves_the_walls_last_good_data_alone(probe: Any) -> None:
    api = Scripted(json_reply({"kpis": [{"name": "response_rate", "value": 0.5}]}))
    with serving(api.app) as base:
        spec = {"kind": "http", "url": f"{base}/kpis", "mapping": {"record": "metric", "items": "kpis"}}
        status, lines, _ = probe({"care": spec})
    assert status == 0
    assert api.hits == 1
    assert lines[0]["value"] == 0.5
    assert not (load_settings().cache_dir / "stores").exists()
