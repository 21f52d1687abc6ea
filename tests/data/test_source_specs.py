from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from wallapp.core.config.jsondoc import validate_document
from wallapp.core.config.layout import Layout
from wallapp.core.config.sources import (
    DemoSource,
    FileSource,
    HttpSource,
    Resolver,
    SourceSpec,
    SseSource,
    WebSocketSource,
    redact_url,
    resolve,
)
from wallapp.errors import LayoutError, SourceError
from wallapp.live.backoff import retry_after

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
POSTS = {"record": "post"}


def test_each_kind_is_chosen_by_its_kind() -> None:
    assert isinstance(SPEC.validate_python({"kind": "demo"}), DemoSource)
    assert isinstance(
        SPEC.validate_python({"kind": "http", "url": "https://x.example/a", "mapping": POSTS}), HttpSource
    )
    assert isinstance(
        SPEC.validate_python({"kind": "sse", "url": "http://x.example/s", "mapping": POSTS}), SseSource
    )
    ws = SPEC.validate_python(
        {"kind": "websocket", "url": "wss://x.example/w", "mapping": POSTS, "subscribe": {"a": 1}}
    )
    assert isinstance(ws, WebSocketSource)
    assert isinstance(
        SPEC.validate_python({"kind": "file", "path": "p.ndjson", "mapping": POSTS}), FileSource
    )
    assert (
        SPEC.validate_python({"kind": "http", "url": "${env:API}/posts", "mapping": POSTS}).expected_every
        == 30
    )


def layout_problems(source: dict[str, Any]) -> list[str]:
    with pytest.raises(LayoutError) as caught:
        validate_document(Layout, {"name": "x", "sources": {"feed": source}}, "hub.json", LayoutError)
    return [str(problem) for problem in caught.value.problems]


def test_problems_are_reported_at_their_json_path() -> None:
    assert layout_problems({"kind": "ftp"}) == [
        "sources.feed: unknown kind 'ftp'; expected one of 'http', 'sse', 'websocket', 'file', 'demo'"
    ]
    assert layout_problems({"kind": "websocket", "url": "http://x.example", "mapping": POSTS}) == [
        "sources.feed.url: the URL must start with ws:// or wss://"
    ]
    assert layout_problems(
        {"kind": "http", "url": "https://x.example", "mapping": {"record": "post", "items": "a["}}
    )[0].startswith("sources.feed.mapping.items: invalid JMESPath expression 'a['")
    assert layout_problems({"kind": "demo", "feed": "weather"})[0].startswith("sources.feed.feed: ")


def test_secrets_in_clear_and_unknown_references_are_refused() -> None:
    base = {"kind": "http", "url": "https://x.example", "mapping": POSTS}
    assert layout_problems({**base, "headers": {"Authorization": "Bearer abc123"}}) == [
        "sources.feed.headers: 'Authorization' looks like a secret written in clear: "
        "reference it as ${env:NAME} or ${secret:NAME}"
    ]
    assert "api_key" in layout_problems({**base, "query": {"api_key": "abc"}})[0]
    assert "unknown reference ${vault:X}" in layout_problems({**base, "headers": {"X-A": "${vault:X}"}})[0]
    ok = SPEC.validate_python(
        {**base, "headers": {"Authorization": "Bearer ${secret:TOKEN}"}, "query": {"n": 5}}
    )
    assert ok.headers == {"Authorization": "Bearer ${secret:TOKEN}"}


def test_resolve_names_missing_secrets_but_never_values() -> None:
    environ = {"API_TOKEN": "s3cr3t"}
    assert resolve("Bearer ${env:API_TOKEN}", "feed", {}, environ) == "Bearer s3cr3t"
    assert resolve("k=${secret:key}", "feed", {"key": "v"}, {}) == "k=v"
    resolver = Resolver("feed", {}, environ)
    assert resolver.json({"a": ["${env:API_TOKEN}", 1]}) == {"a": ["s3cr3t", 1]}
    assert resolver.scrub("bad token s3cr3t") == "bad token ***"
    with pytest.raises(SourceError) as caught:
        resolve("${secret:MISSING}", "feed", {}, environ)
    assert str(caught.value) == "source 'feed': the secret MISSING is not set (needed by ${secret:MISSING})"


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        ("https://api.example/v2/posts?q=orbis&n=5", "https://api.example/v2/posts?q=orbis&n=5"),
        ("https://api.example/p?access_token=abc&q=x", "https://api.example/p?access_token=***&q=x"),
        ("https://api.example/p?api_key=${env:KEY}", "https://api.example/p?api_key=***"),
        ("https://bob:hunter2@api.example/p", "https://bob:***@api.example/p"),
        ("https://token123@api.example/p", "https://***@api.example/p"),
        ("wss://api.example/ws?sig=xyz#frag", "wss://api.example/ws?sig=***"),
    ],
)
def test_redact_url(url: str, logged: str) -> None:
    assert redact_url(url) == logged


def test_bad_values() -> None:
    with pytest.raises(ValidationError):
        SPEC.validate_python({"kind": "http", "url": "https://x.example", "mapping": POSTS, "interval": 0})
    with pytest.raises(ValidationError):
        SPEC.validate_python({"kind": "demo", "extra": 1})


def test_retry_after_values() -> None:
    now = datetime(2026, 3, 1, 10, tzinfo=UTC).timestamp()
    assert retry_after("120", now) == 120
    assert retry_after("Sun, 01 Mar 2026 10:00:30 GMT", now) == 30
    assert retry_after("Sun, 01 Mar 2026 09:00:00 GMT", now) == 0
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            {"url": "http://127.0.0.1:70000/x"},
            "sources.feed.url: the port in '127.0.0.1:70000' is not a number from 1 to 65535",
        ),
        ({"url": "https:///v1/posts"}, "sources.feed.url: the URL has no host"),
        ({"url": "https://[::1/x"}, "sources.feed.url: invalid URL (Invalid IPv6 URL)"),
        ({"interval": "1e400"}, "sources.feed.interval: Input should be a finite number"),
        ({"interval": "NaN"}, "sources.feed.interval: Input should be a finite number"),
        ({"timeout": 1e300}, "sources.feed.timeout: Input should be less than or equal to 86400"),
        ({"backoff": {"factor": "Infinity"}}, "sources.feed.backoff.factor: Input should be a finite number"),
        (
            {"headers": {"X-Request": "a\r\nX-Injected: 1"}},
            "sources.feed.headers: the value of 'X-Request' has a line break or a character outside ASCII",
        ),
        (
            {"headers": {"X-Team": "Équipe ${secret:T}"}},
            "sources.feed.headers: the value of 'X-Team' has a line break or a character outside ASCII",
        ),
        (
            {"headers": {"X Team": "x"}},
            "sources.feed.headers: 'X Team' is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)",
        ),
    ],
)
def test_what_would_fail_once_connecting_is_refused_at_its_json_path(
    fields: dict[str, Any], problem: str
) -> None:
    # The layout as JSON text: 1e400 and NaN are what Python's JSON reader makes of them.
    source = json.dumps({"kind": "http", "url": "https://x.example/p", "mapping": POSTS, **fields})
    for number in ("1e400", "NaN", "Infinity"):
        source = source.replace(f'"{number}"', number)
    assert layout_problems(json.loads(source)) == [problem]


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"url": "https://bob:hunter2@api.example/p"}, "credentials written in the URL"),
        ({"url": "https://tok123@api.example/p"}, "credentials written in the URL"),
        ({"url": "https://api.example/p?q=x&access_token=abc"}, "'access_token' in the URL's query"),
        ({"url": "${env:API}/p?api_key=abc"}, "'api_key' in the URL's query"),
        ({"headers": {"Ocp-Apim-Subscription-Key": "0123abcd"}}, "'Ocp-Apim-Subscription-Key'"),
        ({"headers": {"X-API-Key": "0123abcd"}}, "'X-API-Key'"),
        ({"headers": {"X-Partner-Key": "0123abcd"}}, "'X-Partner-Key'"),
    ],
)
def test_credentials_written_in_a_url_or_a_provider_header_are_refused(
    fields: dict[str, Any], name: str
) -> None:
    (problem,) = layout_problems({"kind": "http", "url": "https://x.example/p", "mapping": POSTS, **fields})
    assert name in problem
    assert "${env:NAME} or ${secret:NAME}" in problem


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "https://bob:${secret:PASSWORD}@api.example/p"},
        {"url": "https://${secret:TOKEN}@api.example/p"},
        {"url": "https://api.example/p?access_token=${secret:TOKEN}&q=orbis"},
        {"url": "https://${env:HOST}:${env:PORT}/p"},
        {"url": "${env:API}/p?sort=new"},
        {"headers": {"Ocp-Apim-Subscription-Key": "${secret:AZURE}", "X-Team": "care\tdesk"}},
    ],
)
def test_references_to_secrets_stay_allowed_anywhere(fields: dict[str, Any]) -> None:
    SPEC.validate_python({"kind": "http", "url": "https://x.example/p", "mapping": POSTS, **fields})
