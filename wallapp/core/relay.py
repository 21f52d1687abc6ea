"""What the nodes of one wall say to each other over the MQTT broker: topics, payloads, who leads.

Topics, under the wall's root (``broker.topic``, e.g. ``wallapp/hub``):

- ``ROOT/nodes/NODE``: ``{"node", "online"}``, retained. A node says it is online when it connects; its
  last will, which the broker publishes when the connection dies without a goodbye (a crash, a kill -9, a
  PC that stops answering pings), says it is offline.
- ``ROOT/leader``: ``{"node"}``, retained: the node that runs the layout's sources. The last claim the
  broker kept is the leader for every node, as the broker hands every subscriber a topic's messages in the
  same order.
- ``ROOT/sources/SOURCE/records``: the records of a source as the leader's wall shows them: a snapshot of
  them all, retained, so a node that starts late shows them at once, and between snapshots what changed
  (a delta, not retained), so a post does not cost the whole store (500 posts are 700 KB). A delta that
  does not follow the message a node has (it joined, or reconnected, after the snapshot) is left aside
  until the next snapshot, which comes within ``SNAPSHOT_EVERY`` of a change (see ``Relayed``, ``Mirror``).
- ``ROOT/sources/SOURCE/state``: the source's health (last success, last failure and error) and the time
  its data is as of, retained: a follower's stale badge and failure notices say what the leader's do.
- ``ROOT/time/ask`` and ``ROOT/time/answer/NODE``: a node asking the leader's time (``TimeAsk``) and the
  leader's answer (``TimeAnswer``), not retained: the round trips of ``wallapp.core.timebase``.
- ``ROOT/switch``: a change of what the wall shows (``Switch``: a layout, a show, the files read again, a
  step of the show, the wall blacked out)
  and the instant on the shared time base it takes effect, a little after it is announced, retained: every
  node prepares it and shows it at that instant, and a node that starts later shows the same.
- ``ROOT/scene``: what the leader shows (``Scene``: a layout, or an unsaved version of it, and the instant
  it came on, or a show and its playhead; and whether the wall is blacked out), retained, published when
  it changes and when a node begins to lead: a node that starts while the wall runs shows the same at once.
- ``ROOT/report/NODE``: how a node is (``Report``: its role, its time base's offset, what it shows, how
  far from its instant it showed the last switch), retained, every ``REPORT_EVERY_S``: every node's status
  shows the whole wall.
- ``ROOT/alert``: the operator's alert banner (``AlertState``: its level and text, when it clears by
  itself; none: cleared), retained, published by the node asked: every node shows it, one that starts
  later too, and each clears it at the same instant on the shared time base.
- ``ROOT/moderate``: a moderation decision asked of any node (``ModerationAsk``), not retained; the leader
  applies it to the decisions in force and publishes them all (``ModerationState``) on
  ``ROOT/moderation``, retained (when it begins to lead too): every node shows posts as the leader
  decides, and keeps the decisions in its own file (it may lead next).
- ``ROOT/done``: a node has applied a change asked of the wall (``Done``: a switch, an alert, a moderation
  decision, by its id) or could not (why), not retained: the node asked says in its answer which nodes
  applied it.
- ``ROOT/sync/NODE``: a node's own echo, not retained. The broker sends a subscriber the retained
  messages before anything published after the subscription, so the echo coming back means the node
  knows everything the broker kept: only then does it take part in the election.

Who leads (``decide``): the node the retained claim names, while it is online (first come, first
served, so a node that returns does not take leadership back); when there is none, the online node
with the lowest name claims it, and so does the node that led before (a broker restarted without its
retained messages). Several claims at once are harmless: the last one the broker kept wins everywhere.

Payloads are JSON (``FORMAT``); a source's payloads carry a digest of its declaration, so a node whose
layout declares the source otherwise leaves them alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict, ValidationError

from wallapp.core.data.freshness import Health
from wallapp.core.data.moderation import Change, Moderation
from wallapp.core.data.records import AnyRecord, Record, UtcDatetime

FORMAT = "wallapp.relay/1"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    format: Literal["wallapp.relay/1"] = "wallapp.relay/1"


class Presence(_Payload):
    node: str
    online: bool


class Claim(_Payload):
    node: str


class SourceHealth(BaseModel):
    """``Health`` as JSON."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    last_success: UtcDatetime | None = None
    last_failure: UtcDatetime | None = None
    last_error: str | None = None
    failures: int = 0
    failing_since: UtcDatetime | None = None

    @classmethod
    def of(cls, health: Health) -> SourceHealth:
        return cls(
            last_success=health.last_success,
            last_failure=health.last_failure,
            last_error=health.last_error,
            failures=health.failures,
            failing_since=health.failing_since,
        )

    def health(self) -> Health:
        return Health(
            self.last_success, self.last_failure, self.last_error, self.failures, self.failing_since
        )


class SourceRecords(_Payload):
    """A source's records: all of them (a snapshot, retained), or what changed since the message before
    (a delta, not retained: ``records`` new or changed, ``removed`` by id)."""

    source: str
    spec: str
    """The digest of the source's declaration on the leader (``Feeds.spec_digest``)."""
    leader: str
    as_of: UtcDatetime
    records: list[AnyRecord]
    kind: Literal["snapshot", "delta"] = "snapshot"
    seq: int = 0
    """Counts the leader's messages of this source: a delta applies to the message just before it."""
    removed: list[str] = []
    changed_at: float | None = None
    """The instant the records changed on the leader (shared time, ``Store.changed_at``): a follower's
    widgets time their motion from it, not from when the message came."""


class SourceState(_Payload):
    source: str
    spec: str
    leader: str
    as_of: UtcDatetime | None
    health: SourceHealth


class TimeAsk(_Payload):
    """A node asks the leader's time: ``t0`` on the node's clock, echoed in the answer."""

    node: str
    id: int
    t0: float


class TimeAnswer(_Payload):
    """The leader's answer: ``t1`` when it read the question, ``t2`` when it answered (its shared time)."""

    node: str
    leader: str
    id: int
    t0: float
    t1: float
    t2: float


class Switch(_Payload):
    """What the wall shows from ``at`` (seconds on the shared time base) on: a ``layout`` or a ``show`` by
    name, the files of what it shows read again (``reload``), or the show's playhead moved (``step``:
    ``name`` next, previous, first, hold, resume or jump to scene ``number``), or the wall blacked out
    (``blank``: ``number`` 1) or shown again (0), as ``by`` asked."""

    id: str
    by: str
    kind: Literal["layout", "show", "reload", "step", "blank"]
    name: str | None = None
    number: int | None = None
    at: float
    document: dict[str, Any] | None = None
    """A layout not saved to its file (the editor's Apply), shown as ``name`` until the next change."""
    announced: float | None = None
    """When it was announced (shared time): a node says how long after that it was ready to show it."""


class AlertState(_Payload):
    """The alert banner from now on, as node ``by`` was asked (``text`` None: none), and when it clears by
    itself (``until``, seconds since the UTC epoch on the shared time base; None: when cleared)."""

    id: str
    by: str
    level: Literal["info", "warning", "crisis"] = "warning"
    text: str | None = None
    until: float | None = None


class ModerationAsk(_Payload):
    """A moderation decision asked of node ``by``, for the leader to take."""

    id: str
    by: str
    change: Change


class ModerationState(_Payload):
    """The decisions in force on the leader, and the ids of the latest changes it took (newest last)."""

    leader: str
    moderation: Moderation
    changes: list[str] = []


class Done(_Payload):
    """``node`` applied the change ``id`` (``error`` None) or could not (why)."""

    id: str
    node: str
    error: str | None = None


class Scene(_Payload):
    """What ``leader`` shows: a ``layout`` (by name, or the unsaved version ``document`` of it) since
    ``origin``, or a ``show`` with its playhead (``scene``, ``started``, ``held_since``, ``ended``), all
    instants on the shared time base; and whether the wall is blacked out (``blank``)."""

    leader: str
    kind: Literal["layout", "show"]
    name: str
    origin: float | None = None
    scene: int = 0
    started: float | None = None
    held_since: float | None = None
    ended: bool = False
    document: dict[str, Any] | None = None
    blank: bool = False


class Report(_Payload):
    """How ``node`` is, as of ``at`` (its shared time)."""

    node: str
    role: str
    offset_ms: float
    """Its shared time less its own wall clock."""
    delay_ms: float | None = None
    """The round trip of its last estimate (None: it has only led)."""
    showing: str | None = None
    """The layout (or show) it shows."""
    late_ms: float | None = None
    """How far from its instant it showed the last switch."""
    switch: str | None = None
    """The id of the last switch it showed."""
    ready_after_ms: float | None = None
    """How long after its announcement that switch was ready to show there (heard, its scene built):
    what the next switch is announced ahead for (``wallapp.core.ahead``)."""
    at: float
    control: str | None = None
    """Where its control API listens (None: off)."""
    preview: bool = False
    """It shows a preview window, not its screens (some are missing)."""
    undrawn: list[str] = []
    """Its screens whose windows have not drawn a frame for too long."""


REPORT_EVERY_S = 5.0
"""Seconds between a node's reports."""

SWITCH_AHEAD_S = 0.3
"""How far after its announcement a switch takes effect at least: time for every node of an idle wall to
hear it and prepare it (longer where the nodes said they needed more: ``wallapp.core.ahead``)."""

Message = (
    Presence
    | Claim
    | SourceRecords
    | SourceState
    | TimeAsk
    | TimeAnswer
    | Switch
    | Report
    | Scene
    | AlertState
    | ModerationAsk
    | ModerationState
    | Done
)

SNAPSHOT_EVERY = 5.0
"""Seconds between snapshots of a source whose records change (a late joiner's data is at most that old)."""


class Relayed:
    """What the leader has relayed of one source: the next message to send for its records now."""

    def __init__(self, source: str, spec: str, leader: str) -> None:
        self.source, self.spec, self.leader = source, spec, leader
        self.seq = 0
        self.sent: dict[str, Record] = {}
        self.snapshot_at: float | None = None
        self.pending = False
        """Whether deltas went out since the last snapshot (the retained snapshot is behind)."""

    def next(
        self, records: Sequence[Record], as_of: datetime, now: float, changed_at: float | None = None
    ) -> SourceRecords | None:
        """The message that brings a follower from what was sent to ``records`` (None: nothing to say),
        ``now`` on a monotonic clock in seconds: a snapshot when none was sent, when a delta would say
        more than half the records, or when the last is ``SNAPSHOT_EVERY`` old and deltas followed it;
        ``changed_at``: when the records changed (``SourceRecords.changed_at``)."""
        current = {record.id: record for record in records}
        # Most records are the very objects sent before: told apart by identity first (comparing 500
        # records field by field for each post that comes was a quarter of the leader's relaying).
        sent = self.sent
        changed = [r for r in records if (was := sent.get(r.id)) is not r and was != r]
        removed = [key for key in self.sent if key not in current]
        stale = self.pending and self.snapshot_at is not None and now - self.snapshot_at >= SNAPSHOT_EVERY
        if not changed and not removed and not stale:
            return None
        self.seq += 1
        self.sent = current
        old = self.snapshot_at is None or now - self.snapshot_at >= SNAPSHOT_EVERY
        if old or 2 * (len(changed) + len(removed)) > max(len(records), 1):
            self.snapshot_at, self.pending = now, False
            return self._message(as_of, list(records), "snapshot", [], changed_at)
        self.pending = True
        return self._message(as_of, changed, "delta", removed, changed_at)

    def _message(
        self,
        as_of: datetime,
        records: list[Record],
        kind: Literal["snapshot", "delta"],
        removed: list[str],
        changed_at: float | None,
    ) -> SourceRecords:
        return SourceRecords.model_construct(
            source=self.source,
            spec=self.spec,
            leader=self.leader,
            as_of=as_of,
            records=cast("list[AnyRecord]", records),  # a store holds only these kinds
            kind=kind,
            seq=self.seq,
            removed=removed,
            changed_at=changed_at,
        )


class Mirror:
    """A follower's copy of one source's records as the leader relays them."""

    def __init__(self) -> None:
        self.seq: int | None = None
        self.spec = ""
        self.leader = ""
        self.records: dict[str, Record] = {}

    def apply(self, message: SourceRecords) -> list[Record] | None:
        """The records after ``message``, newest relayed first; None for a delta that does not follow the
        message before (left aside: the next snapshot sets things right)."""
        if message.kind == "snapshot":
            self.records = {record.id: record for record in message.records}
        elif (message.spec, message.leader, message.seq) != (self.spec, self.leader, (self.seq or 0) + 1):
            return None
        else:
            for key in message.removed:
                self.records.pop(key, None)
            self.records.update((record.id, record) for record in message.records)
        self.seq, self.spec, self.leader = message.seq, message.spec, message.leader
        return list(self.records.values())


@dataclass(frozen=True)
class Topics:
    """The topics of the wall whose root is ``root``."""

    root: str

    @property
    def leader(self) -> str:
        return f"{self.root}/leader"

    def node(self, name: str) -> str:
        return f"{self.root}/nodes/{name}"

    def sync(self, name: str) -> str:
        return f"{self.root}/sync/{name}"

    @property
    def ask(self) -> str:
        return f"{self.root}/time/ask"

    def answer(self, name: str) -> str:
        return f"{self.root}/time/answer/{name}"

    @property
    def switch(self) -> str:
        return f"{self.root}/switch"

    @property
    def scene(self) -> str:
        return f"{self.root}/scene"

    def report(self, name: str) -> str:
        return f"{self.root}/report/{name}"

    @property
    def alert(self) -> str:
        return f"{self.root}/alert"

    @property
    def moderate(self) -> str:
        return f"{self.root}/moderate"

    @property
    def moderation(self) -> str:
        return f"{self.root}/moderation"

    @property
    def done(self) -> str:
        return f"{self.root}/done"

    def records(self, source: str) -> str:
        return f"{self.root}/sources/{quote(source, safe='')}/records"

    def state(self, source: str) -> str:
        return f"{self.root}/sources/{quote(source, safe='')}/state"

    def subscriptions(self, name: str) -> list[str]:
        """Everything a node listens to; its own echo last, so the echo follows the retained messages."""
        return [
            self.leader,
            f"{self.root}/nodes/+",
            self.scene,
            f"{self.root}/sources/+/+",
            self.ask,
            self.answer(name),
            self.switch,
            f"{self.root}/report/+",
            self.alert,
            self.moderate,
            self.moderation,
            self.done,
            self.sync(name),
        ]

    def kind(self, topic: str) -> tuple[str, str] | None:
        """``("leader", "")``, ``("nodes", NODE)``, ``("records" | "state", SOURCE)``, ``("sync", NODE)``,
        ``("ask", "")``, ``("answer", NODE)``, ``("switch" | "scene" | "alert" | "moderate" | "moderation" |
        "done", "")``, ``("report", NODE)``, or None
        for a topic that is not the wall's."""
        if not topic.startswith(self.root + "/"):
            return None
        parts = topic[len(self.root) + 1 :].split("/")
        match parts:
            case ["leader" | "switch" | "scene" | "alert" | "moderate" | "moderation" | "done" as kind]:
                return kind, ""
            case ["time", "ask"]:
                return "ask", ""
            case ["time", "answer", name]:
                return "answer", name
            case ["nodes" | "sync" | "report" as kind, name]:
                return kind, name
            case ["sources", source, "records" | "state" as kind]:
                return kind, unquote(source)
        return None


def encode(message: Message) -> bytes:
    return message.model_dump_json().encode()


_KINDS: dict[str, type[Message]] = {
    "nodes": Presence,
    "leader": Claim,
    "records": SourceRecords,
    "state": SourceState,
    "ask": TimeAsk,
    "answer": TimeAnswer,
    "switch": Switch,
    "report": Report,
    "scene": Scene,
    "alert": AlertState,
    "moderate": ModerationAsk,
    "moderation": ModerationState,
    "done": Done,
}


def decode(kind: str, payload: bytes) -> Message | str:
    """The message of a topic of ``kind``, or why it cannot be read (one line: another version, not JSON,
    a field missing)."""
    model = _KINDS[kind]
    try:
        return model.model_validate_json(payload)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(map(str, error["loc"]))
        return f"{where}: {error['msg']}" if where else str(error["msg"])


@dataclass(frozen=True)
class View:
    """What a node knows of the election: the retained claim, and which nodes are online."""

    claim: str | None = None
    online: frozenset[str] = field(default_factory=frozenset)

    def leader(self) -> str | None:
        """The leader: the node claimed, while it is online."""
        return self.claim if self.claim in self.online else None

    def with_presence(self, node: str, online: bool) -> View:
        return View(self.claim, self.online | {node} if online else self.online - {node})

    def with_claim(self, node: str | None) -> View:
        return View(node, self.online)


@dataclass(frozen=True)
class Decision:
    leads: bool
    """Whether this node runs the sources now."""
    claims: bool
    """Whether it should publish a claim to lead."""


def decide(view: View, me: str, led: bool = False) -> Decision:
    """What ``me`` does now, knowing ``view`` (complete: after its echo); ``led``: it led until now."""
    leader = view.leader()
    if leader is not None:
        return Decision(leads=leader == me, claims=False)
    if me not in view.online:
        return Decision(leads=False, claims=False)
    return Decision(leads=False, claims=led or me == min(view.online))


def role(view: View, me: str) -> Literal["leader", "follower", "electing"]:
    leader = view.leader()
    return "electing" if leader is None else "leader" if leader == me else "follower"


def source_state(source: str, spec: str, leader: str, as_of: datetime | None, health: Health) -> SourceState:
    return SourceState(source=source, spec=spec, leader=leader, as_of=as_of, health=SourceHealth.of(health))
