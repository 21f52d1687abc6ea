"""What the API's requests carry: bodies of the changes and queries of the reads, each checked so that a
malformed one is 422 naming the field."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from wallapp.core.data.alerts import AlertLevel
from wallapp.core.strict import Strict

# Request bodies: a malformed one is 422 naming the field.


class SwitchBody(Strict):
    layout: str = Field(min_length=1, description="The layout's name, as `wallapp run` takes it.")


class TryBody(Strict):
    layout: str = Field(min_length=1, description="The layout's name: its file stays as it is.")
    document: dict[str, Any] = Field(
        description="The whole layout, as its file would hold it (the editor's unsaved version)."
    )


class ShowBody(Strict):
    name: str = Field(min_length=1, description="The show's name, as `wallapp run --show` takes it.")


class AlertBody(Strict):
    text: str = Field(min_length=1, max_length=300, description="The message, in a sentence.")
    level: AlertLevel = Field("warning", description="info, warning or crisis.")
    ttl: float | None = Field(
        None, gt=0, le=7 * 86400, description="Seconds until it clears by itself (none: until cleared)."
    )


class BlankBody(Strict):
    on: bool | None = Field(None, description="true: black; false: back; absent: toggle.")


class PostBody(Strict):
    source: str = Field(min_length=1, description="The post source's name, as in the layout.")
    id: str = Field(min_length=1, description="The post's id.")


class BlockBody(Strict):
    author: str | None = Field(
        None, min_length=1, max_length=200, description="A handle (with or without @)."
    )
    term: str | None = Field(None, min_length=1, max_length=200, description="A word or phrase.")

    @model_validator(mode="after")
    def _one(self) -> BlockBody:
        if (self.author is None) == (self.term is None):
            raise ValueError("give an author or a term (one of them)")
        return self


class ApprovalBody(Strict):
    source: str = Field(min_length=1, description="The post source's name.")
    on: bool = Field(description="true: its new posts wait for approval; false: shown as they come.")


# Query strings (and path parameters) of the GET routes: a malformed one is 422 naming the field too.


class PictureQuery(Strict):
    width: int = Field(960, ge=64, le=7680, description="The picture's width in pixels.")
    at: float | None = Field(
        None,
        ge=0,
        description="Drawn as the wall shows at this instant (seconds since the UTC epoch; on a wall of "
        "several PCs, on their shared time base): every node asked for the same instant draws the ticker "
        "and clocks alike, so the parts stitch. Absent: as it shows now.",
    )
    own: bool = Field(
        False, description="Only this node's screens, the others black: its part of the whole wall."
    )
    gather: bool = Field(
        False,
        description="On a wall of several PCs: each other node's screens as that node draws them at `at` "
        "(now when absent), asked of its control API, and this node's own; the X-Wall-Parts header says "
        "who drew each node's screens (a node that does not answer: drawn by this one, and why).",
    )


class ThumbnailQuery(Strict):
    name: str = Field(min_length=1, description="The layout's name.")
    width: int = Field(320, ge=64, le=1280, description="The thumbnail's width in pixels.")


class PostsQuery(Strict):
    count: int = Field(20, ge=1, le=200, description="How many of each source's latest posts.")


class LogQuery(Strict):
    count: int = Field(50, ge=1, le=200, description="How many of the latest entries.")
