"""What widgets say about their sources: failures in plain words, waiting, badges, configuration mistakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from wallapp import cli
from wallapp.core.config.layout import load_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.data.diagnosis import Mismatch, missing_field, missing_metric, missing_series, wrong_kind
from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.data.records import Metric, Person, Post, Row, SeriesPoint
from wallapp.core.view.notices import Notice, badge_forms, mismatch_notice, plain_cause, waiting_notice
from wallapp.errors import LayoutError


@pytest.mark.parametrize(
    ("cause", "plain"),
    [
        ("HTTP 500 Internal Server Error", "Backend error 500"),
        ("HTTP 503 Service Unavailable, the server asks to retry after 30 s", "Backend error 503"),
        ("HTTP 429 Too Many Requests, the server asks to retry after 30 s", "Too many requests (429)"),
        ("HTTP 401 Unauthorized", "Not authorised (401)"),
        ("HTTP 404 Not Found", "Not found (404)"),
        ("HTTP 418 I'm a teapot", "Request refused (418)"),
        (
            "the response is HTML, not JSON (Content-Type: text/html; charset=utf-8)",
            "Web page instead of JSON",
        ),
        ("the response is HTML or XML, not JSON", "Web page instead of JSON"),
        ("the response is not valid JSON: Unterminated string (line 1, column 40)", "Invalid JSON"),
        ("event 3 is not JSON: Expecting value at column 1", "Invalid JSON"),
        ("the response is over the cap of 5,000,000 bytes", "Too large: over 5 MB"),
        ("the response (2,048 bytes) is over the cap of 1,000 bytes", "Too large: over 1 kB"),
        (
            "the secret search_token is not set (needed by ${secret:search_token})",
            "No such secret: search_token",
        ),
        (
            "the environment variable API_KEY is not set (needed by ${env:API_KEY})",
            "No environment variable API_KEY",
        ),
        ("the payload does not fit the mapping: items: expected a list", "Data does not fit the mapping"),
        ("no complete response within 0.2 s", "No complete response within 0.2 s"),
        (
            "cannot resolve the host name ([Errno -2] Name or service not known)",
            "Cannot resolve the host name",
        ),
        ("connection refused", "Connection refused"),
        ("internal error (RecursionError)", "Internal error"),
        (None, "Source failing"),
    ],
)
def test_a_failure_is_told_in_plain_words(cause: str | None, plain: str) -> None:
    assert plain_cause(cause) == plain


def failing(
    seconds: float, error: str = "HTTP 500 Internal Server Error", age: float | None = None
) -> Freshness:
    return Freshness(
        SourceState.FAILING,
        None if age is None else timedelta(seconds=age),
        error,
        4,
        timedelta(seconds=seconds),
    )


def test_a_widget_with_nothing_to_show_says_whether_its_source_fails_connects_or_is_empty() -> None:
    assert waiting_notice(failing(180), "care", "Waiting for data") == Notice(
        "Backend error 500", "Retrying · failing for 3 min · source 'care'", warn=True
    )
    assert waiting_notice(failing(2), "care", "x").detail == "Retrying · source 'care'"
    connecting = Freshness(SourceState.CONNECTING, None, None, 0)
    assert waiting_notice(connecting, "care", "x") == Notice("Connecting…", "Source 'care'")
    live = Freshness(SourceState.LIVE, timedelta(0), None, 0)
    assert waiting_notice(live, "posts", "No posts yet") == Notice("No posts yet")
    assert waiting_notice(None, None, "Waiting for data") == Notice("Waiting for data")


def test_badges_come_longest_first_and_say_a_failure_over_content_never_replaced() -> None:
    assert badge_forms(failing(60, age=7500)) == (
        "Reconnecting · data from 2 h 05 min ago",
        "Reconnecting · 2 h 05 min ago",
        "2 h 05 min ago",
        "2 h ago",
    )
    stale = Freshness(SourceState.STALE, timedelta(seconds=252), None, 0)
    assert badge_forms(stale) == ("Updated 4 min 12 s ago", "4 min 12 s ago", "4 min ago")
    exact = Freshness(SourceState.STALE, timedelta(minutes=4), None, 0)
    assert badge_forms(exact) == ("Updated 4 min ago", "4 min ago")  # no form twice
    assert badge_forms(failing(60)) == ("Backend error 500 · retrying", "Backend error 500")
    assert badge_forms(Freshness(SourceState.LIVE, timedelta(0), None, 0)) == ()


def metric(name: str, **dimensions: str) -> Metric:
    return Metric(name=name, value=1.0, dimensions=dimensions)


CARE = [
    metric("response_rate", country="FR", brand="Orbis"),
    metric("response_rate", country="DE", brand="Veltra"),
    metric("response_time", country="FR", brand="Orbis"),
    metric("volume", country="FR", brand="Orbis"),
]


def test_a_metric_selection_that_matches_nothing_is_named_with_what_the_source_has() -> None:
    typo = missing_metric(CARE, "response_rte", {}, "care")
    assert typo == Mismatch(
        "No metric 'response_rte' in source 'care'", ("response_rate", "response_time", "volume")
    )
    assert (
        str(typo) == "No metric 'response_rte' in source 'care' · known: response_rate, response_time, volume"
    )
    assert missing_metric(CARE, "response_rate", {"country": "FX"}, "care") == Mismatch(
        "No country 'FX' for metric 'response_rate'", ("DE", "FR")
    )
    assert missing_metric(CARE, "response_rate", {"region": "EU"}, "care") == Mismatch(
        "No dimension 'region' on metric 'response_rate'", ("brand", "country")
    )
    assert missing_metric(CARE, "response_rate", {"brand": "orbis telecom"}, "care") == Mismatch(
        "No brand 'orbis telecom' for metric 'response_rate'", ("Orbis", "Veltra")
    )
    # Each value exists, but not together: the second is looked for among the first's matches.
    assert missing_metric(CARE, "response_rate", {"country": "DE", "brand": "Orbis"}, "care") == Mismatch(
        "No brand 'Orbis' for metric 'response_rate'", ("Veltra",)
    )
    assert missing_metric(CARE, "response_rate", {}, "care", by="network") == Mismatch(
        "No dimension 'network' on metric 'response_rate'", ("brand", "country")
    )
    assert missing_metric(CARE, "response_rate", {"brand": "Orbis"}, "care", by="country") is None
    assert missing_metric([], "anything", {}, "care") is None  # nothing yet is not a mistake
    assert missing_metric([Post(id="p", text="hi")], "x", {}, "care") == Mismatch(
        "Source 'care' has posts, not metrics"
    )


def test_records_of_another_kind_series_and_fields_that_match_nothing() -> None:
    mixed = [Post(id="p", text="hi"), Person(id="a", name="Ana")]
    assert wrong_kind(mixed, "topic", "feed") == Mismatch("Source 'feed' has people and posts, not topics")
    assert wrong_kind(mixed, "post", "feed") is None
    points = [SeriesPoint(series="posts_per_minute", at="2026-01-01T00:00:00Z", value=3)]
    assert missing_series(points, ["posts_per_minut", "volume"], "activity") == Mismatch(
        "No series 'posts_per_minut', 'volume' in source 'activity'", ("posts_per_minute",)
    )
    assert missing_series(points, ["volume", "posts_per_minute"], "activity") is None
    assert missing_series(points, [], "activity") is None
    rows = [Row(values={"severity": "high", "text": "Outage"})]
    assert missing_field(rows, "level", "alerts") == Mismatch(
        "No field 'level' in the rows of source 'alerts'", ("severity", "text")
    )
    assert missing_field([Row(values={"level": "clear"})], "level", "alerts") is None


def test_a_mismatch_on_the_widget_keeps_a_short_list_of_known_names() -> None:
    many = Mismatch("No country 'FX' for metric 'response_rate'", tuple(f"C{n:02d}" for n in range(30)))
    notice = mismatch_notice(many)
    assert notice.warn
    assert notice.detail == "Known: C00, C01, C02, C03, C04, C05, C06, C07, …"
    assert mismatch_notice(Mismatch("Source 'feed' has posts, not people")).detail == ""


# Known from the layout alone: a widget bound to a source whose records are of another kind.


def layout_with(source: dict[str, Any], widget: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Kinds", "sources": {"feed": source}, "widgets": [{**widget, "source": "feed"}]}


RANKING = {"id": "top", "kind": "ranking", "place": {"screen": [0, 0]}}
POSTS_API = {
    "kind": "http",
    "url": "https://api.example.com/search",
    "mapping": {"record": "post", "items": "data"},
}


def test_validation_finds_a_widget_bound_to_a_source_of_another_record_kind(
    write_json: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    mapped = write_json("mapped.json", layout_with(POSTS_API, RANKING))
    assert cli.main(["validate", str(mapped)]) == 1
    assert "widgets[0].source: a ranking widget shows people, but source 'feed' yields posts" in (
        capsys.readouterr().err
    )
    wall = load_settings().wall
    demo = layout_with(
        {"kind": "demo", "feed": "kpis"}, {"id": "t", "kind": "ticker", "place": {"screen": [0, 0]}}
    )
    with pytest.raises(LayoutError, match=r"widgets\[0\]\.source: a ticker widget shows posts, but source "):
        load_layout(write_json("demo.json", demo), wall)
    fine = layout_with({"kind": "demo", "feed": "influencers"}, RANKING)
    assert load_layout(write_json("fine.json", fine), wall).layout.widgets
