"""What the nodes of a wall say over the broker: topics, payloads and who leads, without a broker."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from wallapp.core import relay
from wallapp.core.data.freshness import Health
from wallapp.core.data.moderation import Change, Moderation
from wallapp.core.data.records import Metric, Post

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
TOPICS = relay.Topics("wallapp/hub")


def test_topics_round_trip_and_source_names_are_escaped() -> None:
    assert TOPICS.leader == "wallapp/hub/leader"
    assert TOPICS.node("wall-a") == "wallapp/hub/nodes/wall-a"
    assert TOPICS.records("posts/fr #1") == "wallapp/hub/sources/posts%2Ffr%20%231/records"
    assert TOPICS.kind(TOPICS.records("posts/fr #1")) == ("records", "posts/fr #1")
    assert TOPICS.kind(TOPICS.state("kpis")) == ("state", "kpis")
    assert TOPICS.kind(TOPICS.node("b")) == ("nodes", "b")
    assert TOPICS.kind(TOPICS.sync("b")) == ("sync", "b")
    assert TOPICS.kind("wallapp/hub/leader") == ("leader", "")
    assert TOPICS.kind("wallapp/other/leader") is None
    assert TOPICS.kind("wallapp/hub/sources/x/y") is None
    # The node's own echo is subscribed last: it comes back after every retained message.
    assert TOPICS.subscriptions("b")[-1] == "wallapp/hub/sync/b"


def test_records_and_health_survive_the_trip() -> None:
    post = Post(id="p1", text="Hello", handle="ana", created_at=T0)
    metric = Metric(id="m1", name="rate", value=0.5)
    sent = relay.SourceRecords(source="posts", spec="d1", leader="a", as_of=T0, records=[post, metric])
    received = relay.decode("records", relay.encode(sent))
    assert received == sent
    assert isinstance(received, relay.SourceRecords)
    assert [type(r) for r in received.records] == [Post, Metric]
    health = Health().succeeded(T0).failed(T0, "Backend error 500")
    state = relay.source_state("posts", "d1", "a", T0, health)
    decoded = relay.decode("state", relay.encode(state))
    assert isinstance(decoded, relay.SourceState)
    assert decoded.health.health() == health


def test_a_payload_that_cannot_be_read_says_why_in_one_line() -> None:
    assert str(relay.decode("leader", b"not json")).startswith("Invalid JSON")
    other = json.dumps({"format": "wallapp.relay/2", "node": "a"}).encode()
    assert str(relay.decode("leader", other)).startswith("format: Input should be 'wallapp.relay/1'")
    assert relay.decode("nodes", b'{"node": "a"}') == "online: Field required"


def view(claim: str | None, *online: str) -> relay.View:
    return relay.View(claim, frozenset(online))


def test_the_lowest_named_node_claims_when_none_leads() -> None:
    alone = view(None, "b", "c")
    assert relay.decide(alone, "b") == relay.Decision(leads=False, claims=True)
    assert relay.decide(alone, "c") == relay.Decision(leads=False, claims=False)
    # A node that has not seen itself online yet (its presence not echoed) waits.
    assert relay.decide(view(None, "b"), "a") == relay.Decision(leads=False, claims=False)


def test_the_claimed_node_leads_while_online_first_come_first_served() -> None:
    claimed = view("c", "a", "b", "c")
    assert relay.decide(claimed, "c") == relay.Decision(leads=True, claims=False)
    assert relay.decide(claimed, "a") == relay.Decision(leads=False, claims=False)  # no taking it back
    assert relay.role(claimed, "a") == "follower"
    assert relay.role(claimed, "c") == "leader"


def test_the_leaders_will_hands_the_lead_to_the_lowest_online() -> None:
    before = view("a", "a", "b", "c")
    after = before.with_presence("a", False)  # its last will: offline
    assert after.leader() is None
    assert relay.role(after, "b") == "electing"
    assert relay.decide(after, "b").claims
    assert not relay.decide(after, "c").claims
    taken = after.with_claim("b")
    assert relay.decide(taken, "b").leads
    # The old leader comes back: it follows.
    assert relay.decide(taken.with_presence("a", True), "a") == relay.Decision(leads=False, claims=False)


def test_the_node_that_led_claims_again_when_the_broker_forgot_the_claim() -> None:
    forgot = view(None, "a", "c")
    assert relay.decide(forgot, "c", led=True).claims
    assert not relay.decide(forgot, "c", led=False).claims


def posts(*numbers: int) -> list[Post]:
    return [Post(id=f"p{n}", text=f"post {n}", handle="ana", created_at=T0) for n in numbers]


def test_the_leader_sends_a_snapshot_then_only_what_changed() -> None:
    sent = relay.Relayed("posts", "d1", "a")
    first = sent.next(posts(*range(500)), T0, now=0.0)
    assert first is not None
    assert (first.kind, first.seq, len(first.records)) == ("snapshot", 1, 500)
    assert sent.next(posts(*range(500)), T0, now=0.1) is None  # nothing new: nothing sent
    delta = sent.next(posts(*range(501)), T0, now=0.2)
    assert delta is not None
    assert (delta.kind, delta.seq, [r.id for r in delta.records], delta.removed) == ("delta", 2, ["p500"], [])
    assert len(relay.encode(delta)) * 100 < len(relay.encode(first))  # a post costs a post, not the store
    gone = sent.next(posts(*range(1, 501)), T0, now=0.3)
    assert gone is not None
    assert (gone.kind, gone.records, gone.removed) == ("delta", [], ["p0"])
    # Quiet since, but the retained snapshot is behind the deltas: a new one, once it is old enough.
    assert sent.next(posts(*range(1, 501)), T0, now=relay.SNAPSHOT_EVERY - 0.1) is None
    caught_up = sent.next(posts(*range(1, 501)), T0, now=relay.SNAPSHOT_EVERY)
    assert caught_up is not None
    assert (caught_up.kind, caught_up.seq, len(caught_up.records)) == ("snapshot", 4, 500)
    assert sent.next(posts(*range(1, 501)), T0, now=2 * relay.SNAPSHOT_EVERY) is None


def test_a_change_of_most_records_is_a_snapshot() -> None:
    sent = relay.Relayed("kpis", "d1", "a")
    sent.next(posts(1, 2, 3), T0, now=0.0)
    replaced = sent.next(posts(4, 5, 6), T0, now=0.1)
    assert replaced is not None
    assert replaced.kind == "snapshot"


def test_a_follower_applies_deltas_in_order_and_waits_for_a_snapshot_after_a_gap() -> None:
    sent, mirror = relay.Relayed("posts", "d1", "a"), relay.Mirror()
    messages = [
        sent.next(posts(*numbers), T0, now=0.0) for numbers in ([1, 2, 3, 4], [1, 2, 3, 4, 5], [2, 3, 4, 5])
    ]
    snapshot, added, removed = (m for m in messages if m is not None)
    late = relay.Mirror()
    assert late.apply(relay.SourceRecords.model_validate_json(relay.encode(removed))) is None  # no snapshot
    applied = [mirror.apply(relay.SourceRecords.model_validate_json(relay.encode(m))) for m in messages if m]
    assert [sorted(r.id for r in records or []) for records in applied] == [
        ["p1", "p2", "p3", "p4"],
        ["p1", "p2", "p3", "p4", "p5"],
        ["p2", "p3", "p4", "p5"],
    ]
    assert mirror.apply(added) is None  # out of order: left aside
    assert late.apply(snapshot) is not None
    assert late.apply(removed) is None  # the gap: p5 never came
    # Another leader's snapshot starts a new count.
    other = relay.Relayed("posts", "d1", "b").next(posts(9), T0, now=0.0)
    assert other is not None
    assert [r.id for r in mirror.apply(other) or []] == ["p9"]


def test_the_control_topics_and_a_moderation_decision_survive_the_trip() -> None:
    for kind in ("alert", "moderate", "moderation", "done"):
        topic = getattr(TOPICS, kind)
        assert TOPICS.kind(topic) == (kind, "")
        assert topic in TOPICS.subscriptions("b")
    change = Change(op="block", author="@troll")
    asked = relay.ModerationAsk(id="x1", by="b", change=change)
    received = relay.decode("moderate", relay.encode(asked))
    assert isinstance(received, relay.ModerationAsk)
    taken = received.change.apply(Moderation().hide("posts", "p1"))
    assert (taken.blocked_authors, taken.hidden) == (["@troll"], {"posts": ["p1"]})
    state = relay.ModerationState(leader="a", moderation=taken, changes=["x1"])
    assert relay.decode("moderation", relay.encode(state)) == state
    assert relay.decode("moderate", b'{"format": "wallapp.relay/1", "id": "x", "by": "b", "change": {}}') == (
        "change.op: Field required"
    )
