"""The operator's moderation as pure decisions, and the store's read gate that applies them at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wallapp.core.data.moderation import Moderation, Pin
from wallapp.core.data.records import Metric, Person, Post
from wallapp.core.data.store import Store
from wallapp.errors import ConfigError
from wallapp.live import moderation as moderation_file
from wallapp.live.moderation import Decisions

NOW = datetime(2026, 3, 1, 10, tzinfo=UTC)


def post(id_: str, text: str = "Great support today", handle: str = "ana", minutes: int = 0) -> Post:
    return Post(
        id=id_,
        text=text,
        handle=handle,
        author_name=handle.title(),
        created_at=NOW - timedelta(minutes=minutes),
    )


def test_each_decision_gives_a_verdict_and_nothing_else_is_touched() -> None:
    quiet = Moderation()
    assert quiet.quiet()
    assert quiet.verdict("posts", post("1")) == "shown"
    hidden = quiet.hide("posts", "1")
    assert (hidden.verdict("posts", post("1")), hidden.verdict("other", post("1"))) == ("hidden", "shown")
    assert hidden.verdict("posts", post("2")) == "shown"
    assert quiet.quiet()  # a decision is a new Moderation
    blocked = quiet.block(author="@Troll").block(term="arnaque")
    assert blocked.verdict("posts", post("1", handle="troll")) == "blocked"
    assert blocked.verdict("posts", post("2", text="Quelle ARNAQUÉ !")) == "blocked"
    assert blocked.verdict("posts", post("3", text="arnaqueur")) == "shown"  # whole words
    assert blocked.verdict("people", Person(id="p", handle="troll", name="Troll")) == "blocked"
    assert blocked.verdict("kpis", Metric(name="mentions", value=3)) == "shown"
    assert blocked.unblock(author="@Troll").verdict("posts", post("1", handle="troll")) == "shown"
    waiting = quiet.set_approval("posts", True)
    assert waiting.verdict("posts", post("1")) == "waiting"
    assert waiting.verdict("other", post("1")) == "shown"  # approval is per source
    approved = waiting.approve("posts", "1")
    assert approved.verdict("posts", post("1")) == "shown"
    assert approved.verdict("posts", post("2")) == "waiting"
    assert approved.hide("posts", "1").verdict("posts", post("1")) == "hidden"  # hidden wins
    assert approved.set_approval("posts", False).verdict("posts", post("2")) == "shown"
    assert quiet.pin("posts", "1").pinned == Pin(source="posts", id="1")
    assert quiet.pin("posts", "1").pin(None, None).pinned is None
    assert quiet.hide("posts", "1").hide("posts", "1").hidden == {"posts": ["1"]}  # once


def test_the_store_gate_applies_at_once_and_a_post_sent_again_stays_hidden() -> None:
    store = Store("posts")
    told: list[tuple[str, ...]] = []
    store.subscribe(lambda s: told.append(tuple(r.id for r in s.records())))
    store.update([post("1"), post("2", minutes=1), post("3", minutes=2)], as_of=NOW)
    assert told == [("1", "2", "3")]
    decided = Moderation().hide("posts", "2")
    store.gate(decided.gate("posts"))
    assert told[1:] == [("1", "3")]  # subscribers told at once: the wall redraws without it
    store.update([post("2", text="Edited", minutes=1)], as_of=NOW)  # the source sends it again
    assert [r.id for r in store.records()] == ["1", "3"]
    assert [r.id for r in store.latest(10)] == ["1", "2", "3"]  # the operator still sees it
    store.gate(None)
    assert told[-1:] == [("1", "2", "3")]


def test_decisions_survive_a_restart_and_a_broken_file_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "state" / "moderation.json"
    decisions = Decisions.load(path)
    assert decisions.current == Moderation()
    decisions.change(lambda m: m.hide("posts", "7").block(term="spoiler").set_approval("posts", True))
    again = Decisions.load(path)
    assert again.current == decisions.current
    assert again.current.verdict("posts", post("7")) == "hidden"
    assert json.loads(path.read_text())["blocked_terms"] == ["spoiler"]
    path.write_text('{"hidden": {"posts": "7"}}')
    with pytest.raises(ConfigError, match=r"moderation\.json: hidden\.posts: "):
        moderation_file.load(path)
    path.write_text("{")
    with pytest.raises(ConfigError, match=r"moderation\.json: not JSON"):
        moderation_file.load(path)


def test_a_file_that_cannot_be_written_keeps_the_decision_until_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "state").write_text("")  # its folder is a file
    decisions = Decisions(tmp_path / "state" / "moderation.json", Moderation())
    assert decisions.change(lambda m: m.hide("posts", "1")).verdict("posts", post("1")) == "hidden"
    [line] = [r.getMessage() for r in caplog.records]
    assert "cannot write the moderation file" in line
    assert "kept until the wall restarts" in line
