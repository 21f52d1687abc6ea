from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sample_apis import (
    CARE_KPIS,
    CARE_KPIS_MAPPING,
    STATUSES,
    STATUSES_MAPPING,
    TWEETS,
    TWEETS_MAPPING,
)

from wallapp.core.config.jsondoc import validate_document
from wallapp.core.config.layout import Layout
from wallapp.core.data.mapping import Mapping, PayloadError
from wallapp.core.data.records import ANY_RECORDS, Metric, Person, Post, Row, SeriesPoint, Topic
from wallapp.errors import LayoutError


def records(mapping: dict[str, Any], payload: Any) -> list[Any]:
    result = Mapping.model_validate(mapping).compiled.apply(payload)
    assert result.skipped == 0, result.problems
    return result.records


def test_tweets_with_authors_joined_from_includes() -> None:
    first, second = records(TWEETS_MAPPING, TWEETS)
    assert isinstance(first, Post)
    assert (first.author_name, first.handle, first.author_followers) == ("Ada Lovelace", "ada", 1800)
    assert first.created_at == datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
    assert (first.likes, first.reposts, first.reach, first.network) == (12, 3, 5400, "twitter")
    # A numeric author id still joins a text user id; numbers in text are read as numbers.
    assert (second.handle, second.likes, second.reach) == ("moussa_d", 1204, 91000)


def test_statuses_list_with_nested_authors() -> None:
    first, second = records(STATUSES_MAPPING, STATUSES)
    assert (first.id, first.lang, first.handle, first.author_followers) == (
        "109001",
        "de",
        "jonas@social.example",
        310,
    )
    assert first.created_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert first.media_url == "https://media.example/1.jpg"
    assert second.media_url is None
    assert second.text.startswith("オルビス")


def test_kpis_per_country_with_shared_time() -> None:
    metrics = records(CARE_KPIS_MAPPING, CARE_KPIS)
    assert [m.dimensions for m in metrics] == [{"country": "FR"}, {"country": "SN"}, {"country": "EG"}]
    france = metrics[0]
    assert isinstance(france, Metric)
    assert (france.id, france.value, france.unit) == ("response_rate:country=FR", 92.5, "%")
    assert france.measured_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def test_records_shaped_payload_needs_only_the_record_type() -> None:
    payload = [{"id": 1, "tag": "#5G", "volume": "1 200", "trend": 0.3}, {"tag": "#Roaming", "volume": 40}]
    first, second = records({"record": "topic"}, payload)
    assert isinstance(first, Topic)
    assert (first.id, first.volume, second.id) == ("1", 1200, "#roaming")


@pytest.mark.parametrize(
    ("coerce", "raw", "expected"),
    [
        ("auto", "2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("auto", 1772359200, datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("auto", 1772359200000, datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("datetime", "2026-03-01T10:00:00", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("epoch_s", "1772359200", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("epoch_ms", 1772359200000, datetime(2026, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_time_coercions(coerce: str, raw: Any, expected: datetime) -> None:
    mapping = {"record": "point", "fields": {"at": {"expr": "t", "coerce": coerce}, "value": "v"}}
    (point,) = records(mapping, [{"t": raw, "v": "3.5"}])
    assert isinstance(point, SeriesPoint)
    assert (point.at, point.value) == (expected, 3.5)


def test_strptime_format() -> None:
    mapping = {
        "record": "post",
        "fields": {"created_at": {"expr": "when", "format": "%a %b %d %H:%M:%S %z %Y"}},
    }
    (post,) = records(mapping, [{"id": "1", "when": "Sun Mar 01 10:00:00 +0000 2026"}])
    assert post.created_at == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_people_rows_and_sentiment_scores() -> None:
    (person,) = records({"record": "person"}, [{"id": "p", "name": "N", "followers": 10.0, "rank": "2"}])
    assert isinstance(person, Person)
    assert (person.followers, person.rank) == (10, 2)
    (row,) = records(
        {"record": "row", "fields": {"values.city": "c", "values.n": "n"}}, [{"c": "Lyon", "n": 3}]
    )
    assert isinstance(row, Row)
    assert row.values == {"city": "Lyon", "n": 3}
    posts = records(
        {"record": "post", "fields": {"sentiment": "s"}}, [{"id": 1, "s": 0.8}, {"id": 2, "s": "NEG"}]
    )
    assert [p.sentiment for p in posts] == ["positive", "negative"]


def test_one_bad_item_is_skipped_and_reported_once() -> None:
    payload = {
        "data": [{"id": "1", "created_at": "2026-03-01T10:00:00Z"}, {"id": "2", "created_at": "yesterday"}]
    }
    result = Mapping.model_validate({"record": "post", "items": "data"}).compiled.apply(payload)
    assert [r.id for r in result.records] == ["1"]
    assert result.skipped == 1
    assert result.problems == ["item 1: created_at: cannot read 'yesterday' as a time"]
    assert "1 of 2 items skipped" in result.summary()


def test_an_expression_failing_on_one_item_skips_it_or_takes_the_default() -> None:
    # length() of a number is a JMESPath type error, raised for the second item only.
    failing = {"record": "row", "fields": {"id": "id", "values.n": "length(tags)"}}
    payload = [{"id": "a", "tags": ["x", "y"]}, {"id": "b", "tags": 3}]
    result = Mapping.model_validate(failing).compiled.apply(payload)
    assert [r.id for r in result.records] == ["a"]
    assert "item 1: values: " in result.problems[0]
    with_default = {
        "record": "row",
        "fields": {"id": "id", "values.n": {"expr": "length(tags)", "default": 0}},
    }
    rows = records(with_default, payload)
    assert [r.values for r in rows] == [{"n": 2}, {"n": 0}]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([1, 2, 3], "nothing at 'data' in the payload (a list of 3)"),
        ({"data": "oops"}, "'data' is a string, not a list of items"),
        ({"data": 7}, "'data' is a number, not a list of items"),
        ({"data": [{"no": "id"}, {"x": 1}]}, "none of the 2 items could be read: item 0: id: required"),
    ],
)
def test_payload_of_the_wrong_shape(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as caught:
        Mapping.model_validate({"record": "post", "items": "data"}).compiled.apply(payload)
    assert str(caught.value) == message


def test_empty_list_is_no_records() -> None:
    result = Mapping.model_validate({"record": "post", "items": "data"}).compiled.apply({"data": []})
    assert (result.records, result.total, result.absent) == ([], 0, False)


@pytest.mark.parametrize(
    ("items", "payload"),
    [
        ("data", {"meta": {"result_count": 0}}),  # a Twitter v2 search that matched nothing
        ("data", {"data": None}),
        ("data.statuses", {"data": None}),
        ("data.statuses", {"meta": {}}),
        ("data[?lang=='en']", {"meta": {}}),
        ("@", None),
    ],
)
def test_a_missing_list_is_an_empty_result_not_a_misfit(items: str, payload: Any) -> None:
    result = Mapping.model_validate({"record": "post", "items": items}).compiled.apply(payload)
    assert (result.records, result.total, result.absent) == ([], 0, True)


@pytest.mark.parametrize(
    ("items", "payload", "message"),
    [
        (
            "data.statuses",
            {"data": [1]},
            "nothing at 'data.statuses' in the payload (an object with keys: data)",
        ),
        ("data.statuses", {"data": {"statuses": "x"}}, "'data.statuses' is a string, not a list of items"),
        ("data[?lang=='en']", "oops", "nothing at \"data[?lang=='en']\" in the payload (a string)"),
    ],
)
def test_a_payload_that_cannot_hold_the_list_is_a_misfit(items: str, payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as caught:
        Mapping.model_validate({"record": "post", "items": items}).compiled.apply(payload)
    assert str(caught.value) == message


def test_invalid_expression_is_a_layout_error_at_its_json_path() -> None:
    layout = {
        "name": "x",
        "sources": {
            "feed": {
                "kind": "file",
                "path": "posts.json",
                "mapping": {"record": "post", "fields": {"text": "body.[", "handle": {"expr": "a b"}}},
            }
        },
    }
    with pytest.raises(LayoutError) as caught:
        validate_document(Layout, layout, "hub.json", LayoutError)
    locations = [problem.location for problem in caught.value.problems]
    assert locations == ["sources.feed.mapping.fields.text.expr", "sources.feed.mapping.fields.handle.expr"]
    assert "invalid JMESPath expression 'body.['" in str(caught.value)


def test_unknown_field_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="post records have no field 'title'"):
        Mapping.model_validate({"record": "post", "fields": {"title": "t"}})
    with pytest.raises(ValidationError, match="only dictionary fields"):
        Mapping.model_validate({"record": "post", "fields": {"text.x": "t"}})


def test_records_round_trip_through_json() -> None:
    made = records(TWEETS_MAPPING, TWEETS) + records(CARE_KPIS_MAPPING, CARE_KPIS)
    dumped = ANY_RECORDS.dump_python(made, mode="json")
    assert ANY_RECORDS.validate_python(dumped) == made
