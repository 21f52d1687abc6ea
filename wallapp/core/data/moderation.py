"""What the operator decides about posts while the wall runs: hidden posts, blocked authors and terms,
posts waiting for approval, the post pinned to the spotlight.

A source's ``filters`` (in the layout) are the rules written in advance; these are the decisions taken
live from the console, kept in the installation's moderation file, not in the layout, so that they hold
whatever layout or show is on and across restarts. They decide at read time, so a decision applies at once
to the posts already on the wall, and a hidden post that the source sends again stays hidden.

In **approval mode** a source's new posts wait until approved: a lobby wall never shows one unapproved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wallapp.core.data.filters import FilterOptions, PostFilter
from wallapp.core.data.records import Post, Record

Verdict = Literal["shown", "hidden", "blocked", "waiting"]


class Pin(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    id: str = Field(min_length=1)


class Moderation(BaseModel):
    """The decisions, as kept on disk (JSON). Every change makes a new one: the old stays valid to read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hidden: dict[str, list[str]] = Field(default_factory=dict, description="Post ids hidden, by source.")
    blocked_authors: list[str] = Field(default_factory=list, description="Handles (with or without @).")
    blocked_terms: list[str] = Field(default_factory=list, description="Words or phrases.")
    approval: list[str] = Field(
        default_factory=list, description="Sources whose posts wait for approval before they are shown."
    )
    approved: dict[str, list[str]] = Field(default_factory=dict, description="Post ids approved, by source.")
    pinned: Pin | None = Field(None, description="The post the spotlight shows instead of taking turns.")

    @cached_property
    def _filter(self) -> PostFilter:
        return FilterOptions(blocked_terms=self.blocked_terms, blocked_authors=self.blocked_authors).compiled

    @cached_property
    def _hidden(self) -> dict[str, frozenset[str]]:
        return {source: frozenset(ids) for source, ids in self.hidden.items()}

    @cached_property
    def _approved(self) -> dict[str, frozenset[str]]:
        return {source: frozenset(ids) for source, ids in self.approved.items()}

    def verdict(self, source: str, record: Record) -> Verdict:
        """What the wall does with ``record`` of ``source``; records other than posts are shown (a blocked
        author's person record is not)."""
        if not isinstance(record, Post):
            return "shown" if self._filter.allows(record) else "blocked"
        if record.id in self._hidden.get(source, frozenset()):
            return "hidden"
        if not self._filter.allows(record):
            return "blocked"
        if source in self.approval and record.id not in self._approved.get(source, frozenset()):
            return "waiting"
        return "shown"

    def gate(self, source: str) -> Callable[[Record], bool]:
        """Whether a record of ``source`` may be shown (a store's read filter)."""
        return lambda record: self.verdict(source, record) == "shown"

    def quiet(self) -> bool:
        """Nothing decided: every record is shown (no need to look at each)."""
        return self == Moderation()

    # Decisions: each a new Moderation.

    def hide(self, source: str, post: str) -> Moderation:
        return self._with(hidden=_added(self.hidden, source, post))

    def approve(self, source: str, post: str) -> Moderation:
        return self._with(approved=_added(self.approved, source, post))

    def block(self, author: str | None = None, term: str | None = None) -> Moderation:
        authors = _once([*self.blocked_authors, author] if author else self.blocked_authors)
        terms = _once([*self.blocked_terms, term] if term else self.blocked_terms)
        return self._with(blocked_authors=authors, blocked_terms=terms)

    def unblock(self, author: str | None = None, term: str | None = None) -> Moderation:
        return self._with(
            blocked_authors=[a for a in self.blocked_authors if a != author],
            blocked_terms=[t for t in self.blocked_terms if t != term],
        )

    def set_approval(self, source: str, on: bool) -> Moderation:
        sources = _once([*self.approval, source]) if on else [s for s in self.approval if s != source]
        return self._with(approval=sources)

    def pin(self, source: str | None, post: str | None) -> Moderation:
        return self._with(pinned=Pin(source=source, id=post) if source and post else None)

    def _with(self, **changes: object) -> Moderation:
        return Moderation.model_validate({**self.model_dump(), **changes})


class Change(BaseModel):
    """One decision, as a value: what the control API asks, sent over the broker on a wall of several PCs
    (the leader applies each to the decisions in force, in the order it hears them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    op: Literal["hide", "approve", "pin", "block", "unblock", "approval"]
    source: str | None = None
    post: str | None = None
    author: str | None = None
    term: str | None = None
    on: bool = False

    def apply(self, moderation: Moderation) -> Moderation:
        """``moderation`` with this decision taken."""
        source, post = self.source or "", self.post or ""
        match self.op:
            case "hide":
                return moderation.hide(source, post)
            case "approve":
                return moderation.approve(source, post)
            case "pin":
                return moderation.pin(self.source, self.post)
            case "block":
                return moderation.block(self.author, self.term)
            case "unblock":
                return moderation.unblock(self.author, self.term)
            case "approval":
                return moderation.set_approval(source, self.on)


def _added(by_source: dict[str, list[str]], source: str, item: str) -> dict[str, list[str]]:
    return {**by_source, source: _once([*by_source.get(source, []), item])}


def _once(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))
