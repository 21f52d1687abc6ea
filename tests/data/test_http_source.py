"""http sources against real servers on 127.0.0.1: every bad input logs once, keeps the data, recovers."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import re
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from sample_apis import MASTODON_TAG, TWEETS, TWEETS_MAPPING
from scripted import Reply, Scripted, fixed, json_reply
from servers import Clock, free_port, http_client, serve, start_source, until, warnings_of
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.freshness import SourceState
from wallapp.core.data.mapping import CompiledMapping, MappingResult
from wallapp.core.data.records import Post
from wallapp.core.data.store import Store
from wallapp.live.ingest import OFF_LOOP_BYTES

pytestmark = pytest.mark.asyncio

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
GOOD_A = {"data": [{"id": "a1", "text": "first"}]}
GOOD_B = {"data": [{"id": "b1", "text": "second"}, {"id": "a1", "text": "first"}]}
FAST = {"interval": 0.01, "timeout": 2, "backoff": {"initial": 0.01, "maximum": 0.05, "jitter": 0}}


def http_spec(url: str, **fields: Any) -> Any:
    return SPEC.validate_python(
        {"kind": "http", "url": url, "mapping": {"record": "post", "items": "data"}, **FAST, **fields}
    )


def ids(store: Store) -> list[str]:
    return sorted(record.id for record in store.records())


def slow(seconds: float) -> Reply:
    async def reply(request: Request) -> Response:
        await asyncio.sleep(seconds)
        return JSONResponse(GOOD_B)

    return reply


def chunks(size: int) -> Reply:
    async def body() -> Any:
        for _ in range(size // 100):
            yield b" " * 100

    async def reply(request: Request) -> Response:
        return StreamingResponse(body(), media_type="application/json")

    return reply


BAD: dict[str, tuple[Reply, str, dict[str, Any]]] = {
    "4xx": (fixed(lambda: Response("no", status_code=404)), "HTTP 404 Not Found", {}),
    "5xx": (fixed(lambda: Response("oops", status_code=500)), "HTTP 500 Internal Server Error", {}),
    "5xx with Retry-After": (
        fixed(lambda: Response(status_code=503, headers={"Retry-After": "1"})),
        "HTTP 503 Service Unavailable, the server asks to retry after 1 s; retrying in 1 s",
        {},
    ),
    "429 with Retry-After": (
        fixed(lambda: Response(status_code=429, headers={"Retry-After": "0"})),
        "HTTP 429 Too Many Requests, the server asks to retry after 0 s",
        {},
    ),
    "HTML": (
        fixed(lambda: HTMLResponse("<html><body>Maintenance</body></html>")),
        "the response is HTML, not JSON (Content-Type: text/html; charset=utf-8)",
        {},
    ),
    "HTML labelled JSON": (
        fixed(lambda: Response("<!doctype html><p>login</p>", media_type="application/json")),
        "the response is HTML or XML, not JSON",
        {},
    ),
    "truncated JSON": (
        fixed(lambda: Response('{"data": [{"id": "x", "te', media_type="application/json")),
        "the response is not valid JSON: Unterminated string starting at (line 1, column 23)",
        {},
    ),
    "wrong shape": (
        json_reply([1, 2, 3]),
        "the payload does not fit the mapping: nothing at 'data' in the payload (a list of 3)",
        {},
    ),
    "over the cap": (
        json_reply({"data": [{"id": str(n), "text": "x" * 50} for n in range(100)]}),
        "the response (7,",
        {"max_bytes": 2000},
    ),
    "over the cap, streamed": (
        chunks(5000),
        "the response is over the cap of 2,000 bytes",
        {"max_bytes": 2000},
    ),
    "timeout": (slow(1.0), "no complete response within 0.2 s", {"timeout": 0.2}),
}


@pytest.fixture(autouse=True)
def _data_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="wallapp.live")


@pytest.mark.parametrize("case", list(BAD))
async def test_bad_answer_is_logged_once_keeps_data_and_recovers(
    case: str, caplog: pytest.LogCaptureFixture
) -> None:
    bad, cause, fields = BAD[case]
    script = Scripted(json_reply(GOOD_A))
    store = Store("feed")
    async with serve(script.app) as base, http_client() as client:
        url = f"{base}/v2/posts?q=orbis"
        runner = start_source("feed", http_spec(url, **fields), store, client)
        await until(lambda: ids(store) == ["a1"])
        script.reply = bad
        failed_at = script.hits
        await until(lambda: runner.health.failures >= 1)
        await until(lambda: script.hits >= failed_at + 2 or runner.health.failures >= 2)
        assert ids(store) == ["a1"]
        assert runner.freshness().state is SourceState.FAILING
        script.reply = json_reply(GOOD_B)
        await until(lambda: ids(store) == ["a1", "b1"])
        assert runner.freshness(store.as_of).state is SourceState.LIVE
        await runner.stop()
    lines = warnings_of(caplog, "feed")
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"source 'feed' ({url}): ")
    assert cause in lines[0]
    assert "recovered after" in caplog.text


async def test_connection_refused_then_the_server_comes_up(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    store = Store("feed")
    store.update([Post(id="cached")], as_of=datetime(2026, 3, 1, tzinfo=UTC))
    async with http_client() as client:
        runner = start_source("feed", http_spec(f"http://127.0.0.1:{port}/posts"), store, client)
        await until(lambda: runner.health.failures >= 2)
        assert ids(store) == ["cached"]
        fresh = runner.freshness()
        assert fresh.state is SourceState.FAILING
        assert fresh.badge
        async with serve(Scripted(json_reply(GOOD_A)).app, port=port):
            await until(lambda: "a1" in ids(store))
            await runner.stop()
    (line,) = warnings_of(caplog, "feed")
    assert line.startswith(f"source 'feed' (http://127.0.0.1:{port}/posts): connection refused; retrying in")


async def test_dns_failure_then_a_resolvable_host(caplog: pytest.LogCaptureFixture) -> None:
    environ = {"API": "http://wallapp-test.invalid"}
    store = Store("feed")
    async with serve(Scripted(json_reply(GOOD_A)).app) as base, http_client() as client:
        runner = start_source("feed", http_spec("${env:API}/posts"), store, client, environ=environ)
        await until(lambda: runner.health.failures >= 1)
        environ["API"] = base
        await until(lambda: ids(store) == ["a1"])
        await runner.stop()
    (line,) = warnings_of(caplog, "feed")
    assert line.startswith("source 'feed' (${env:API}/posts): cannot resolve the host name")


async def test_an_expression_failing_on_one_record_is_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    payload = {"data": [{"id": "1", "tags": ["a", "b"]}, {"id": "2", "tags": 7}, {"id": "3", "tags": []}]}
    script = Scripted(json_reply(payload))
    store = Store("feed")
    mapping = {"record": "post", "items": "data", "fields": {"likes": "length(tags)"}}
    async with serve(script.app) as base, http_client() as client:
        runner = start_source("feed", http_spec(f"{base}/p", mapping=mapping), store, client)
        await until(lambda: script.hits >= 4)
        await runner.stop()
    assert ids(store) == ["1", "3"]
    assert runner.freshness(store.as_of).state is SourceState.LIVE
    (line,) = warnings_of(caplog, "feed")
    assert "1 of 3 items skipped (item 1: likes: " in line


async def test_conditional_requests(caplog: pytest.LogCaptureFixture) -> None:
    async def reply(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status_code=304)
        return JSONResponse(
            GOOD_A, headers={"ETag": '"v1"', "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT"}
        )

    script = Scripted(reply)
    store = Store("feed")
    async with serve(script.app) as base, http_client() as client:
        runner = start_source("feed", http_spec(f"{base}/p"), store, client)
        await until(lambda: script.hits >= 3)
        first_as_of = store.as_of
        await until(lambda: script.hits >= 5)
        await runner.stop()
    assert script.requests[0].headers.get("if-none-match") is None
    assert script.requests[2].headers["if-none-match"] == '"v1"'
    assert script.requests[2].headers["if-modified-since"] == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert ids(store) == ["a1"]
    assert store.as_of is not None
    assert first_as_of is not None
    assert store.as_of > first_as_of
    assert runner.freshness(store.as_of).state is SourceState.LIVE
    assert warnings_of(caplog, "feed") == []


async def test_three_shaped_apis_post_with_secrets_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def reply(request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer tok-123456":
            return Response(status_code=401)
        return JSONResponse(TWEETS)

    script = Scripted(reply)
    store = Store("tweets")
    secrets = {"TOKEN": "tok-000000"}
    async with serve(script.app) as base, http_client() as client:
        spec = http_spec(
            f"{base}/2/tweets/search?api_key=${{secret:TOKEN}}",
            method="POST",
            mapping=TWEETS_MAPPING,
            headers={"Authorization": "Bearer ${secret:TOKEN}"},
            query={"max_results": 10, "expand": True},
            body={"query": "#OrbisTelecom", "token": "${secret:TOKEN}"},
        )
        runner = start_source("tweets", spec, store, client, secrets=secrets)
        await until(lambda: runner.health.failures >= 1)
        secrets["TOKEN"] = "tok-123456"
        await until(lambda: len(store) == 2)
        await runner.stop()
    request = script.requests[-1]
    assert request.method == "POST"
    assert request.query_params["max_results"] == "10"
    assert request.query_params["expand"] == "true"
    assert request.query_params["api_key"] == "tok-123456"
    assert b'"token":"tok-123456"' in script.bodies[-1].replace(b" ", b"")
    handles = sorted(post.handle for post in store.records() if isinstance(post, Post))
    assert handles == ["ada", "moussa_d"]
    (line,) = warnings_of(caplog, "tweets")
    assert "HTTP 401 Unauthorized" in line
    assert "api_key=***" in line
    assert "tok-" not in caplog.text


@pytest.mark.parametrize(("items", "off_loop"), [(500, True), (5, False)], ids=["large", "small"])
async def test_a_large_payload_is_mapped_off_the_loop_and_a_small_one_on_it(
    items: int, off_loop: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = {"data": [{"id": str(n), "text": "x" * 200} for n in range(items)]}
    assert (len(json.dumps(payload, separators=(",", ":"))) > OFF_LOOP_BYTES) is off_loop
    loop_thread = threading.get_ident()  # the test runs on the loop
    mapped_in: list[int] = []
    apply = CompiledMapping.apply

    def watched(mapping: CompiledMapping, payload: Any) -> MappingResult:
        mapped_in.append(threading.get_ident())
        return apply(mapping, payload)

    monkeypatch.setattr(CompiledMapping, "apply", watched)
    store = Store("feed", capacity=1000)
    async with serve(Scripted(json_reply(payload)).app) as base, http_client() as client:
        runner = start_source("feed", http_spec(f"{base}/p"), store, client)
        await until(lambda: len(store) == items)
        await runner.stop()
    assert mapped_in
    assert all((thread != loop_thread) is off_loop for thread in mapped_in)


async def test_missing_secret_is_a_failure_naming_it(caplog: pytest.LogCaptureFixture) -> None:
    async with http_client() as client:
        runner = start_source(
            "feed", http_spec("https://api.example/${env:NOPE}"), Store("feed"), client, environ={}
        )
        await until(lambda: runner.health.failures >= 1)
        await runner.stop()
    (line,) = warnings_of(caplog, "feed")
    assert "the environment variable NOPE is not set (needed by ${env:NOPE})" in line


def truncated() -> Reply:
    """JSON cut short, a little further each time: the error's column differs on every poll."""
    text = json.dumps(GOOD_B)
    cuts = iter(range(12, len(text)))

    async def reply(request: Request) -> Response:
        return Response(text[: next(cuts)], media_type="application/json")

    return reply


async def test_a_failure_episode_is_told_once_reminded_hourly_and_its_end_told_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    script = Scripted(json_reply(GOOD_A))
    store = Store("feed")
    async with serve(script.app) as base, http_client() as client:
        runner = start_source("feed", http_spec(f"{base}/p"), store, client, clock=clock)
        await until(lambda: ids(store) == ["a1"])
        script.reply = truncated()
        await until(lambda: runner.health.failures >= 3)
        clock.advance(minutes=30)
        await until(lambda: runner.health.failures >= 6)
        assert len(warnings_of(caplog, "feed")) == 1
        clock.advance(minutes=31)  # an hour since it was told: a reminder, with the count
        failures = runner.health.failures
        await until(lambda: runner.health.failures >= failures + 3)
        script.reply = fixed(lambda: Response("oops", status_code=500))  # a new cause, same outage
        failures = runner.health.failures
        await until(lambda: runner.health.failures >= failures + 3)
        assert runner.health.last_error == "HTTP 500 Internal Server Error"  # told by the status
        clock.advance(minutes=1)
        script.reply = json_reply(GOOD_B)
        await until(lambda: ids(store) == ["a1", "b1"])
        await runner.stop()
    first, reminder = warnings_of(caplog, "feed")  # the new cause is not one more line
    assert first == (
        f"source 'feed' ({base}/p): the response is not valid JSON: Unterminated string starting at "
        "(line 1, column 12); retrying in 0.01 s"
    )
    assert re.fullmatch(
        rf"source 'feed' \({base}/p\): still failing after \d+ failures over 1 h 01 min: the response is "
        r"not valid JSON: .*",
        reminder,
    )
    (recovered,) = [r.getMessage() for r in caplog.records if "recovered" in r.getMessage()]
    assert re.fullmatch(
        rf"source 'feed' \({base}/p\): recovered after \d+ failures over 1 h 02 min", recovered
    )


async def test_a_search_that_matched_nothing_is_an_empty_result_not_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Twitter v2 search with no match sends only ``meta``: nothing new, the source is live; a list of
    the wrong type is still a misfit."""
    script = Scripted(json_reply(TWEETS))
    store = Store("tweets")
    async with serve(script.app) as base, http_client() as client:
        runner = start_source(
            "tweets", http_spec(f"{base}/2/tweets/search/recent", mapping=TWEETS_MAPPING), store, client
        )
        await until(lambda: len(store) == 2)
        script.reply = json_reply({"meta": {"result_count": 0}})
        hits = script.hits
        await until(lambda: script.hits >= hits + 3)
        assert len(store) == 2  # what was found before stays
        assert runner.freshness(store.as_of).state is SourceState.LIVE
        assert runner.health.failures == 0
        assert warnings_of(caplog, "tweets") == []
        script.reply = json_reply({"data": "oops", "meta": {"result_count": 1}})
        await until(lambda: runner.health.failures >= 1)
        await runner.stop()
    (line,) = warnings_of(caplog, "tweets")
    assert "the payload does not fit the mapping: 'data' is a string, not a list of items" in line


async def test_the_readme_mastodon_example_reads_a_tag_timeline_as_written() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    [block] = [b for b in re.findall(r"```json\n(.*?)```", readme, flags=re.S) if "/timelines/tag/" in b]
    declared = json.loads("{" + block + "}")["toots"]
    script = Scripted(json_reply(MASTODON_TAG))
    store = Store("toots")
    async with serve(script.app) as base, http_client() as client:
        spec = SPEC.validate_python(
            {**declared, "url": declared["url"].replace("https://mastodon.social", base)}
        )
        runner = start_source("toots", spec, store, client)
        await until(lambda: len(store) == 2)
        await runner.stop()
    assert script.requests[0].url.path == "/api/v1/timelines/tag/orbis"
    assert script.requests[0].query_params["limit"] == "40"
    warned, fibre = store.records()
    assert isinstance(warned, Post)
    assert isinstance(fibre, Post)
    assert fibre.model_dump(exclude_none=True) == {
        "type": "post",
        "id": "113500000000000001",
        "network": "mastodon",
        "author_name": "Ada Lovelace",
        "handle": "ada",
        "avatar_url": "https://m.example/avatars/ada.png",
        "author_followers": 1800,
        "text": "Fibre is live in #Dakar & Thiès, thanks @orbis!\n940\u00a0Mbps down\nDetails soon",
        "created_at": datetime(2026, 3, 1, 10, 15, tzinfo=UTC),
        "lang": "fr",
        "likes": 12,
        "reposts": 4,
        "url": "https://m.example/@ada/113500000000000001",
        "media_url": "https://m.example/media/fibre.jpg",
    }
    assert warned.author_name == "moussa"  # no display name: the user name
    assert warned.media_url is None
    assert warned.content_warning == "TV spoilers"
    assert warned.shown_text == "CW: TV spoilers"


@pytest.mark.parametrize(
    ("depth", "cause"),
    [
        (100_000, "the response is nested too deeply"),  # past Python's recursion limit
        (
            600,
            "none of the 1 items could be read: item 0: values: Value error, nested too deeply (more than 64",
        ),
    ],
)
async def test_a_payload_nested_too_deeply_is_a_failure_not_an_internal_error(
    depth: int, cause: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    deep = "[" * depth + "]" * depth
    body = '{"rows": [{"id": "r1", "values": {"tree": DEEP}}]}'.replace("DEEP", deep)
    script = Scripted(fixed(lambda: Response(body, media_type="application/json")))
    store = Store("rows", cache_path=tmp_path / "rows.json")
    async with serve(script.app) as base, http_client() as client:
        spec = http_spec(f"{base}/rows", mapping={"record": "row", "items": "rows"})
        runner = start_source("rows", spec, store, client)
        await until(lambda: runner.health.failures >= 2)
        await runner.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    (line,) = warnings_of(caplog, "rows")
    assert cause in line


async def test_a_secret_that_cannot_be_sent_in_a_header_is_a_failure_naming_the_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = Scripted(json_reply(GOOD_A))
    secrets = {"TOKEN": "tok-123456\n"}  # read from a file, its line break kept
    async with serve(script.app) as base, http_client() as client:
        spec = http_spec(f"{base}/p", headers={"Authorization": "Bearer ${secret:TOKEN}"})
        runner = start_source("feed", spec, Store("feed"), client, secrets=secrets)
        await until(lambda: runner.health.failures >= 1)
        await runner.stop()
    assert script.hits == 0
    (line,) = warnings_of(caplog, "feed")
    assert (
        "the value of 'Authorization' has a line break or a character outside ASCII, "
        "once its references are filled in" in line
    )
    assert "tok-" not in caplog.text


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            lambda: JSONResponse(
                {"errors": [{"message": "Invalid query: 'lang:xx' is not a language"}]}, 400
            ),
            'HTTP 400 Bad Request: {"errors":[{"message":"Invalid query: \'lang:xx\' is not a language"}]}',
        ),
        (
            lambda: HTMLResponse(
                "<html><head><title>404</title></head><body><h1>No such tag</h1></body></html>", 404
            ),
            "HTTP 404 Not Found: No such tag",
        ),
        (
            lambda: Response("token tok-123456 is not valid\nfor this endpoint " + "x" * 500, 401),
            "HTTP 401 Unauthorized: token *** is not valid for this endpoint " + "x" * 158 + "\u2026",
        ),
        (lambda: Response("upstream timed out", 502), "HTTP 502 Bad Gateway"),
    ],
)
async def test_a_client_error_is_logged_with_what_the_server_says(
    answer: Any, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    """APIs explain a bad request in the body: the log line shows it (on one line, at most 200 characters,
    no secret); the wall shows the status alone."""
    script = Scripted(fixed(answer))
    async with serve(script.app) as base, http_client() as client:
        spec = http_spec(f"{base}/p", headers={"Authorization": "Bearer ${secret:TOKEN}"})
        runner = start_source("feed", spec, Store("feed"), client, secrets={"TOKEN": "tok-123456"})
        await until(lambda: runner.health.failures >= 1)
        await runner.stop()
    (line,) = warnings_of(caplog, "feed")
    assert line == f"source 'feed' ({base}/p): {said}; retrying in 0.01 s"
    assert runner.health.last_error == said.partition(":")[0]


def encoded(kind: str, payload: bytes) -> bytes:
    if kind == "gzip":
        return gzip.compress(payload)
    if kind == "gzip, two members":
        half = len(payload) // 2
        return gzip.compress(payload[:half]) + gzip.compress(payload[half:])
    if kind == "deflate":
        return zlib.compress(payload)
    squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # raw deflate, as some servers send it
    return squeeze.compress(payload) + squeeze.flush()


@pytest.mark.parametrize("kind", ["gzip", "gzip, two members", "deflate", "raw deflate"])
async def test_a_compressed_body_reads_as_the_plain_one(kind: str) -> None:
    body = encoded(kind, json.dumps(GOOD_B).encode())
    encoding = kind.split(",", maxsplit=1)[0].removeprefix("raw ")
    script = Scripted(fixed(lambda: Response(body, headers={"Content-Encoding": encoding})))
    store = Store("feed")
    async with serve(script.app) as base, http_client() as client:
        runner = start_source("feed", http_spec(f"{base}/p"), store, client)
        await until(lambda: ids(store) == ["a1", "b1"])
        await runner.stop()


async def test_a_corrupt_compressed_body_is_a_failure_saying_so(caplog: pytest.LogCaptureFixture) -> None:
    body = gzip.compress(json.dumps(GOOD_B).encode())[:-12] + b"not gzip at all"
    script = Scripted(fixed(lambda: Response(body, headers={"Content-Encoding": "gzip"})))
    async with serve(script.app) as base, http_client() as client:
        runner = start_source("feed", http_spec(f"{base}/p"), Store("feed"), client)
        await until(lambda: runner.health.failures >= 1)
        await runner.stop()
    (line,) = warnings_of(caplog, "feed")
    assert "the response cannot be decoded (Error -3 while decompressing data" in line
