"""What the nodes of a wall say over the broker: topics, payloads and who leads, without a broker."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from wallapp.core import relay
from wallapp.core.data.freshness import Health
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
