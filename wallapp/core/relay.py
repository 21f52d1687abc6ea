"""What the nodes of one wall say to each other over the MQTT broker: topics, payloads, who leads.

Topics, under the wall's root (``broker.topic``, e.g. ``wallapp/hub``):

- ``ROOT/nodes/NODE``: ``{"node", "online"}``, retained. A node says it is online when it connects; its
  last will, which the broker publishes when the connection dies without a goodbye (a crash, a kill -9, a
  PC that stops answering pings), says it is offline.
- ``ROOT/leader``: ``{"node"}``, retained: the node that runs the layout's sources. The last claim the
  broker kept is the leader for every node, as the broker hands every subscriber a topic's messages in the
  same order.
- ``ROOT/sources/SOURCE/records``: the records of a source as the leader's wall shows them, retained, so a
  node that starts late shows the current state at once;
- ``ROOT/sources/SOURCE/state``: the source's health (last success, last failure and error) and the time
  its data is as of, retained: a follower's stale badge and failure notices say what the leader's do.
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

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict, ValidationError

from wallapp.core.data.freshness import Health
from wallapp.core.data.records import AnyRecord, UtcDatetime

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
    source: str
    spec: str
    """The digest of the source's declaration on the leader (``Feeds.spec_digest``)."""
    leader: str
    as_of: UtcDatetime
    records: list[AnyRecord]


class SourceState(_Payload):
    source: str
    spec: str
    leader: str
    as_of: UtcDatetime | None
    health: SourceHealth


Message = Presence | Claim | SourceRecords | SourceState


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

    def records(self, source: str) -> str:
        return f"{self.root}/sources/{quote(source, safe='')}/records"

    def state(self, source: str) -> str:
        return f"{self.root}/sources/{quote(source, safe='')}/state"

    def subscriptions(self, name: str) -> list[str]:
        """Everything a node listens to; its own echo last, so the echo follows the retained messages."""
        return [self.leader, f"{self.root}/nodes/+", f"{self.root}/sources/+/+", self.sync(name)]

    def kind(self, topic: str) -> tuple[str, str] | None:
        """``("leader", "")``, ``("nodes", NODE)``, ``("records" | "state", SOURCE)``, ``("sync", NODE)``,
        or None for a topic that is not the wall's."""
        if not topic.startswith(self.root + "/"):
            return None
        parts = topic[len(self.root) + 1 :].split("/")
        match parts:
            case ["leader"]:
                return "leader", ""
            case ["nodes" | "sync" as kind, name]:
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
