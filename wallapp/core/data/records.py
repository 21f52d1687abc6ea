"""Typed records that sources produce and widgets show: posts, people, metrics, series points, topics, rows.

Every record has an ``id`` (the store deduplicates by it), a ``type`` tag (last good data on disk is read back
through it) and a ``time`` (the store orders by it, newest first). Times are always timezone-aware UTC: a
naive time is read as UTC. Records are frozen: a new version of a record is a new object.

Numbers follow one rule, here, where every record passes whatever made it (a mapping, the demo, the
cache): a missing number is ``None``, whether the backend sent ``null``, ``NaN`` (Prometheus sends it as
an ordinary value), an infinity or text that is not a number. Everything downstream then has one case to
handle, and ``null`` and ``NaN`` can never give different answers.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, TypeAdapter

from wallapp.core.nesting import TOO_DEEP, too_deep

Sentiment: TypeAlias = Literal["positive", "neutral", "negative"]

_SENTIMENT_WORDS: dict[str, Sentiment] = {
    "positive": "positive",
    "pos": "positive",
    "neutral": "neutral",
    "neu": "neutral",
    "mixed": "neutral",
    "negative": "negative",
    "neg": "negative",
}


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sentiment(value: Any) -> Any:
    """A label, or a score in [-1, 1] read as negative below -0.2 and positive above 0.2."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return "positive" if value > 0.2 else "negative" if value < -0.2 else "neutral"
    if isinstance(value, str):
        return _SENTIMENT_WORDS.get(value.strip().lower(), value)
    return value


def _shallow(values: dict[str, Any]) -> dict[str, Any]:
    if too_deep(values) is not None:
        raise ValueError(TOO_DEEP)
    return values


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def parse_number(text: str) -> float:
    """A number written as text: ``"0.87"``, ``"1,234.5"``, ``"87 %"``; ValueError when it is none."""
    return float(text.strip().replace(",", "").replace("_", "").replace(" ", "").rstrip("%"))


def as_number(value: Any) -> Any:
    """The rule for a number from outside: ``None`` (missing) for null, NaN, an infinity or text that is
    not a number; the number otherwise, however large (numbers written as text are read).

    Other values (a list, an object) are returned as they are, for validation to refuse: they are a
    mapping's mistake, not a missing value.
    """
    if isinstance(value, str):
        try:
            value = parse_number(value)
        except ValueError:
            return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:  # beyond any float: as infinite as an infinity
            return None
    return value


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
SentimentLabel = Annotated[Sentiment, BeforeValidator(_sentiment)]
Count = Annotated[int, Field(ge=0)]
Number = Annotated[float | None, BeforeValidator(as_number)]
"""A measured value; ``None`` when missing (see ``as_number``)."""
Amount = Annotated[Count | None, BeforeValidator(as_number)]
"""A count (followers, reach, volume); ``None`` when missing."""
Rank = Annotated[Annotated[int, Field(ge=1)] | None, BeforeValidator(as_number)]


def digest(*parts: Any) -> str:
    """A short stable id made of values (for records whose source gives none)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


class Record(BaseModel):
    """Base of every record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(
        min_length=1, description="Its identity in the source: a record with the same id replaces it."
    )

    @property
    def time(self) -> datetime | None:
        """When the record happened; the store orders by it."""
        return None


class Post(Record):
    """A social post (a tweet, a comment...)."""

    type: Literal["post"] = "post"
    network: str | None = Field(None, description="twitter, instagram, facebook...: the mark on its card.")
    author_id: str | None = Field(None, description="The author's id on the network.")
    author_name: str = Field("", description="The author's name as shown.")
    handle: str = Field("", description="The author's handle, without the leading @.")
    avatar_url: str | None = Field(None, description="The author's picture.")
    author_followers: Amount = Field(None, description="The author's followers (a filter's minimum).")
    text: str = Field("", description="What it says, shown as plain text; a post without text is not shown.")
    content_warning: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        None, description="Shown instead of the text the author hid behind it (Mastodon's spoiler_text)."
    )
    created_at: UtcDatetime | None = Field(None, description="When it was posted: the newest come first.")
    lang: str | None = Field(None, description="ISO 639-1 language code (und: undetermined).")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    sentiment: SentimentLabel | None = Field(None, description="Or a score from -1 to 1.")
    reach: Amount = Field(None, description="How many saw it.")
    likes: Amount = Field(None, description="Likes, reactions or favourites.")
    reposts: Amount = Field(None, description="Reposts, retweets or shares.")
    url: str | None = Field(None, description="Where the post is.")
    media_url: str | None = Field(None, description="Its picture, shown as a thumbnail.")

    @property
    def time(self) -> datetime | None:
        return self.created_at

    @property
    def shown_text(self) -> str:
        """What the wall shows: the text, or its content warning when the author hid the text behind one."""
        return f"CW: {self.content_warning}" if self.content_warning else self.text


class Person(Record):
    """Someone who counts on the networks: an influencer in a ranking."""

    type: Literal["person"] = "person"
    network: str | None = Field(None, description="twitter, instagram, facebook...")
    name: str = Field("", description="Their name as shown.")
    handle: str = Field("", description="Without the leading @.")
    avatar_url: str | None = Field(None, description="Their picture.")
    followers: Amount = Field(None, description="A ranking's figure when it says so.")
    reach: Amount = Field(None, description="A ranking's figure by default.")
    topic: str | None = Field(None, description="What they talk about.")
    rank: Rank = Field(None, description="Their place; the source's order if absent.")
    previous_rank: Rank = Field(None, description="Their place before: the move shown.")
    updated_at: UtcDatetime | None = Field(None, description="When the ranking was made.")

    @property
    def time(self) -> datetime | None:
        return self.updated_at


class Metric(Record):
    """A measured value: a KPI such as a response rate, per country or competitor (``dimensions``).

    Without an id, the id is made of the name and the dimensions, so a new value of the same KPI
    replaces the previous one in a store.
    """

    type: Literal["metric"] = "metric"
    id: str = Field("", description="Name and dimensions when absent.")
    name: str = Field(min_length=1, description="What is measured: a widget's metric names it.")
    value: Number = Field(None, description="The measure; absent: no value.")
    unit: str | None = Field(None, description="%, s, posts...")
    measured_at: UtcDatetime | None = Field(None, description="When: the latest value of a KPI counts.")
    dimensions: dict[str, str] = Field(
        default_factory=dict, description="country, brand, network...: a widget's where and by pick them."
    )

    def model_post_init(self, context: Any, /) -> None:
        if not self.id:
            parts = [self.name, *(f"{key}={value}" for key, value in sorted(self.dimensions.items()))]
            object.__setattr__(self, "id", ":".join(parts))

    @property
    def time(self) -> datetime | None:
        return self.measured_at


class SeriesPoint(Record):
    """One point of a time series (``series`` names it); a store of points is a set of series."""

    type: Literal["point"] = "point"
    id: str = Field("", description="Series and time when absent.")
    series: str = Field("value", min_length=1, description="The line of a chart it belongs to.")
    at: UtcDatetime = Field(description="When: along a chart's time axis.")
    value: Number = Field(None, description="The value; absent: a gap in the line.")
    dimensions: dict[str, str] = Field(default_factory=dict, description="country, brand...: kept with it.")

    def model_post_init(self, context: Any, /) -> None:
        if not self.id:
            object.__setattr__(self, "id", f"{self.series}@{self.at.isoformat()}")

    @property
    def time(self) -> datetime | None:
        return self.at


class Topic(Record):
    """A trending topic or hashtag; ``trend`` is the relative change of volume (0.25 = +25 %)."""

    type: Literal["topic"] = "topic"
    id: str = Field("", description="The tag when absent.")
    tag: str = Field(min_length=1, description="The hashtag or theme as shown.")
    volume: Amount = Field(None, description="Mentions: the size of its word in a cloud.")
    trend: Number = Field(None, description="The change of volume: 0.25 is +25 %.")
    updated_at: UtcDatetime | None = Field(None, description="When the volume was counted.")

    def model_post_init(self, context: Any, /) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.tag.casefold())

    @property
    def time(self) -> datetime | None:
        return self.updated_at


class Row(Record):
    """Anything else: named values for a table widget."""

    type: Literal["row"] = "row"
    id: str = Field("", description="A digest of the values when absent.")
    at: UtcDatetime | None = Field(None, description="When: the newest come first.")
    values: Annotated[dict[str, Any], AfterValidator(_shallow)] = Field(
        default_factory=dict, description="Anything, by name."
    )

    def model_post_init(self, context: Any, /) -> None:
        if not self.id:
            object.__setattr__(self, "id", digest(self.values))

    @property
    def time(self) -> datetime | None:
        return self.at


RecordKind: TypeAlias = Literal["post", "person", "metric", "point", "topic", "row"]

RECORD_TYPES: dict[RecordKind, type[Record]] = {
    "post": Post,
    "person": Person,
    "metric": Metric,
    "point": SeriesPoint,
    "topic": Topic,
    "row": Row,
}

AnyRecord = Annotated[Post | Person | Metric | SeriesPoint | Topic | Row, Discriminator("type")]
ANY_RECORDS: TypeAdapter[list[AnyRecord]] = TypeAdapter(list[AnyRecord])


@dataclass(frozen=True)
class FieldDoc:
    """A record field as a mapping fills it: its name, its type in words and what it is for."""

    name: str
    type: str
    meaning: str


def fields_of(kind: RecordKind) -> list[FieldDoc]:
    """The fields of a record type (its ``type`` tag aside), read from the model: what the layout schema and
    the README say of them."""
    schema = RECORD_TYPES[kind].model_json_schema()
    required = set(schema.get("required", ()))
    return [
        FieldDoc(
            name, _in_words(spec) + (", required" if name in required else ""), spec.get("description", "")
        )
        for name, spec in schema["properties"].items()
        if name != "type"
    ]


def _in_words(spec: dict[str, Any]) -> str:
    """A JSON Schema type in a newcomer's words."""
    shapes = [s for s in spec.get("anyOf", [spec]) if s.get("type") != "null"]
    if len(shapes) != 1:
        return " or ".join(_in_words(s) for s in shapes)
    [shape] = shapes
    if "enum" in shape:
        *most, last = shape["enum"]
        return f"{', '.join(most)} or {last}"
    kind = shape.get("type")
    if kind == "string":
        return "time" if shape.get("format") == "date-time" else "text"
    if kind == "integer":
        least = shape.get("minimum")
        return (
            "count" if least == 0 else f"whole number from {least}" if least is not None else "whole number"
        )
    if kind == "object":
        values = shape.get("additionalProperties")
        return (
            "text by name"
            if isinstance(values, dict) and values.get("type") == "string"
            else "values by name"
        )
    return "number" if kind == "number" else str(kind)
