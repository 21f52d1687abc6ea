"""Nodes of one wall over a real Mosquitto: who leads, the leader's data on the followers, a leader that
crashes or freezes, a broker that goes away and comes back, a login refused."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from brokers import KEEPALIVE_S, Mosquitto, ids, layout, loaded, mosquitto, node, write_posts
from pki import make_pki
from relay_node import TOPIC
from servers import until

from wallapp.core.config.nodes import BrokerOptions
from wallapp.core.config.settings import Settings
from wallapp.core.data.freshness import Health, SourceState
from wallapp.core.data.records import Post
from wallapp.core.timebase import TimeBase
from wallapp.core.view.notices import plain_cause
from wallapp.errors import ConfigError
from wallapp.live.broker import BrokerLink, check_login, link_for, linked
from wallapp.live.feeds import Feeds

HERE = Path(__file__).parent


@contextlib.contextmanager
def process_node(name: str, port: int, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A node in a process of its own (``relay_node.py``), killed after."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)])}
    with (folder / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "relay_node.py"),
                str(port),
                name,
                str(layout(folder)),
                str(KEEPALIVE_S),
            ],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
        process.wait()


async def retained(port: int, topic: str) -> bytes:
    """The message the broker keeps on ``topic`` (waits for one)."""
    async with aiomqtt.Client("127.0.0.1", port) as client:
        await client.subscribe(topic, qos=1)
        async for message in client.messages:
            if isinstance(message.payload, bytes) and message.payload:
                return message.payload
    raise AssertionError("unreachable")


async def leader_is(port: int, name: str) -> None:
    async with asyncio.timeout(15):
        while json.loads(await retained(port, f"{TOPIC}/leader"))["node"] != name:
            await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_one_node_leads_and_the_others_show_what_it_relays(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1", "p2")
    with mosquitto(tmp_path / "broker") as broker:
        async with node("a", broker.port, tmp_path) as (a, a_feeds):
            await until(lambda: a.leading, "a, alone, to lead")
            async with node("b", broker.port, tmp_path) as (b, b_feeds):
                await until(lambda: b.status()["role"] == "follower", "b to follow")
                assert b.status() | {"broker": None, "time": None, "wall": None} == {
                    "name": "b",
                    "broker": None,
                    "connected": True,
                    "role": "follower",
                    "leader": "a",
                    "online": ["a", "b"],
                    "error": None,
                    "time": None,
                    "wall": None,
                }
                store = b_feeds.stores()["posts"]
                await until(lambda: ids(store) == ["p1", "p2"], "a's posts on b")
                assert b_feeds.freshness()["posts"].state is SourceState.LIVE
                write_posts(tmp_path, "p1", "p2", "p3")
                await until(lambda: ids(store) == ["p1", "p2", "p3"], "a new post on b")
                # b runs no source of its own: only what a relays.
                assert all(s.runner is None for s in b_feeds._sources.values())
                assert a_feeds.leading
                assert not b_feeds.leading


@pytest.mark.asyncio
async def test_the_leader_relays_records_as_soon_as_its_source_brings_them(tmp_path: Path) -> None:
    """No beat to wait for: the nodes' beat is an hour, so what reaches b went out when a's source
    brought it."""
    write_posts(tmp_path, "p1")
    with mosquitto(tmp_path / "broker") as broker:
        async with node("a", broker.port, tmp_path, publish_every=3600) as (a, _):
            await until(lambda: a.leading, "a to lead")
            async with node("b", broker.port, tmp_path, publish_every=3600) as (b, b_feeds):
                await until(lambda: b.status()["role"] == "follower", "b to follow")
                store = b_feeds.stores()["posts"]
                await until(lambda: ids(store) == ["p1"], "a's post on b")
                write_posts(tmp_path, "p1", "p2")
                await until(lambda: ids(store) == ["p1", "p2"], "the new post on b")


@pytest.mark.asyncio
async def test_a_node_that_starts_late_shows_the_current_data_at_once(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1")
    with mosquitto(tmp_path / "broker") as broker:
        async with node("a", broker.port, tmp_path) as (a, _):
            await until(lambda: a.leading, "a to lead")
            await retained(broker.port, f"{TOPIC}/sources/posts/records")
            (tmp_path / "posts.json").unlink()  # nothing new will come: what b shows is what the broker kept
            async with node("b", broker.port, tmp_path) as (_, b_feeds):
                await until(lambda: ids(b_feeds.stores()["posts"]) == ["p1"], "the retained posts on b")


@pytest.mark.asyncio
async def test_a_killed_leaders_will_hands_the_lead_over(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1")
    with mosquitto(tmp_path / "broker") as broker, process_node("a", broker.port, tmp_path) as a:
        await leader_is(broker.port, "a")
        async with node("b", broker.port, tmp_path) as (b, b_feeds):
            store = b_feeds.stores()["posts"]
            await until(lambda: ids(store) == ["p1"], "a's posts on b")
            a.kill()  # kill -9: no goodbye; the broker publishes a's will
            await until(lambda: "a" not in b.view.online, "a's will")
            await until(lambda: b.leading, "b to take the lead")
            write_posts(tmp_path, "p1", "p2")  # b's own source now
            await until(lambda: ids(store) == ["p1", "p2"], "b's own source")
            await leader_is(broker.port, "b")


@pytest.mark.asyncio
async def test_a_frozen_leader_is_given_up_after_its_keepalive_and_follows_when_it_wakes(
    tmp_path: Path,
) -> None:
    write_posts(tmp_path, "p1")
    with mosquitto(tmp_path / "broker") as broker, process_node("a", broker.port, tmp_path) as a:
        await leader_is(broker.port, "a")
        async with node("b", broker.port, tmp_path) as (b, _):
            await until(lambda: b.status()["role"] == "follower", "b to follow a")
            a.send_signal(signal.SIGSTOP)  # a PC that stops answering: its connection stays open
            await until(lambda: b.leading, "b to take the lead after 1.5 keepalives")
            a.send_signal(signal.SIGCONT)
            await until(lambda: "a" in b.view.online, "a back online")
            await until(
                lambda: (tmp_path / "a.log").read_text().find("node a: follows b") >= 0, "a to follow"
            )
            assert b.leading


@pytest.mark.asyncio
async def test_a_follower_that_loses_the_broker_keeps_its_data_as_failing(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1")
    broker = Mosquitto(tmp_path / "broker")
    broker.start()
    try:
        async with (
            node("a", broker.port, tmp_path) as (a, a_feeds),
            node("b", broker.port, tmp_path) as (b, b_feeds),
        ):
            # Whichever node the broker hears from first leads: the other follows, fed by it.
            await until(lambda: [a.leading, b.leading].count(True) == 1, "one leader")
            leader, follower, feeds = (a, b, b_feeds) if a.leading else (b, a, a_feeds)
            store = feeds.stores()["posts"]
            await until(lambda: ids(store) == ["p1"], "the leader's posts on the follower")
            broker.stop()
            await until(lambda: feeds.freshness()["posts"].state is SourceState.FAILING, "follower cut off")
            fresh = feeds.freshness()["posts"]
            assert not follower.connected
            assert fresh.last_error == f"no connection to the wall's broker (mqtt://127.0.0.1:{broker.port})"
            assert plain_cause(fresh.last_error) == "No connection to the wall's broker"
            assert follower.status()["error"] is not None
            assert fresh.badge  # the last data, marked
            assert ids(store) == ["p1"]
            assert leader.leading  # the leader goes on with its own sources
            broker.start()  # it comes back, empty (no persistence): the nodes say it all again
            # Whichever node the broker hears from first claims the lead (it came back with no claim):
            # what matters is one leader again, and the posts live again on either.
            await until(
                lambda: a.connected and b.connected and [a.leading, b.leading].count(True) == 1, "one leader"
            )
            await until(lambda: feeds.freshness()["posts"].state is SourceState.LIVE, "live again")
    finally:
        broker.stop()


@pytest.mark.asyncio
async def test_a_login_the_broker_refuses_is_one_clear_error(tmp_path: Path) -> None:
    with mosquitto(tmp_path / "broker", users={"wall": "right"}) as broker:
        options = BrokerOptions(host="127.0.0.1", port=broker.port, topic=TOPIC)
        feeds = Feeds(None, leading=False)
        with pytest.raises(ConfigError) as refused:
            await check_login(BrokerLink(options, "a", feeds, login=("wall", "wrong")))
        assert str(refused.value).startswith(
            f"broker: mqtt://127.0.0.1:{broker.port} refused the login of node a ("
        )
        assert str(refused.value).endswith("check broker.username and broker.password")
        await check_login(BrokerLink(options, "a", feeds, login=("wall", "right")))


@pytest.mark.asyncio
async def test_nodes_started_together_agree_on_one_leader(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1")
    with mosquitto(tmp_path / "broker") as broker:
        async with (
            node("c", broker.port, tmp_path) as (c, _),
            node("b", broker.port, tmp_path) as (b, _),
            node("a", broker.port, tmp_path) as (a, _),
        ):
            links = [a, b, c]

            def agreed() -> bool:
                leaders = {link.view.leader() for link in links}
                return len(leaders) == 1 and None not in leaders and all(link.synced for link in links)

            await until(agreed, "one leader for all")
            await until(lambda: sum(link.leading for link in links) == 1, "only the leader to run sources")
            (leader,) = [link for link in links if link.leading]
            assert all(link.view.leader() == leader.node for link in links)


def tls_settings(port: int, ca_file: Path) -> Settings:
    return Settings.model_validate(
        {
            "broker": {"host": "127.0.0.1", "port": port, "topic": TOPIC, "tls": {"ca_file": str(ca_file)}},
            "nodes": [{"name": "a", "screens": [[c, r] for r in range(2) for c in range(3)]}],
            "node": "a",
        }
    )


@pytest.mark.asyncio
async def test_a_broker_over_tls_checked_against_the_company_ca(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    with mosquitto(tmp_path / "broker", certificate=pki.server) as broker:
        trusted = tls_settings(broker.port, pki.ca_file)
        link = link_for(trusted, Feeds(None, leading=False))
        assert link is not None
        assert link.options.describe() == f"mqtts://127.0.0.1:{broker.port}"
        await check_login(link)
        async with linked(link):
            await until(lambda: link.leading, "the node, over TLS, to lead")
        stranger = link_for(tls_settings(broker.port, pki.other_ca_file), Feeds(None, leading=False))
        assert stranger is not None
        with pytest.raises(ConfigError, match=r"its certificate is not trusted \(.*\): check broker\.tls"):
            await check_login(stranger)


def test_a_follower_opens_a_source_with_what_was_relayed_before(tmp_path: Path) -> None:
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    leader = Feeds(None)
    leader.use(loaded(tmp_path))
    [(name, spec, _, _)] = leader.relayed()
    follower = Feeds(None, now=lambda: at, leading=False)
    post = Post(id="p1", text="hello", created_at=at)
    # Relayed before the follower shows a layout with that source (a switch comes later): kept.
    assert not follower.relay_records(name, spec, [post], at)
    assert not follower.relay_health(name, spec, Health().succeeded(at), at)
    follower.use(loaded(tmp_path))
    assert ids(follower.stores()[name]) == ["p1"]
    assert follower.freshness()[name].state is SourceState.LIVE
    # What a leader that declares the source otherwise relays is left alone.
    assert not follower.relay_records(name, "another declaration", [], at)
    assert ids(follower.stores()[name]) == ["p1"]


def reported(link: BrokerLink) -> dict[str, dict[str, Any]]:
    """The wall as ``link``'s status shows it, by node."""
    return {each["node"]: each for each in link.status()["wall"]}


class Shifted:
    """A PC's clocks: this process's, the wall clock ``wall_s`` off and the monotonic one ``local_s``."""

    def __init__(self, wall_s: float, local_s: float) -> None:
        self.wall_s, self.local_s = wall_s, local_s

    def local(self) -> float:
        return time.monotonic() + self.local_s

    def wall(self) -> float:
        return time.time() + self.wall_s

    def base(self) -> TimeBase:
        return TimeBase(self.local, self.wall)


@pytest.mark.asyncio
async def test_followers_take_the_leaders_time_base_and_report_their_offset(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1")
    # a's wall clock is 5 s ahead of b's, c's 80 ms behind; their monotonic clocks began at other boots.
    a_clock, b_clock, c_clock = Shifted(5.0, 1000.0), Shifted(0.0, -300.0), Shifted(-0.08, 7.0)
    with mosquitto(tmp_path / "broker") as broker:
        async with contextlib.AsyncExitStack() as leaving:  # a, until it leaves
            a, _ = await leaving.enter_async_context(node("a", broker.port, tmp_path, a_clock.base()))
            await until(lambda: a.leading, "a, alone, to lead")
            async with (
                node("b", broker.port, tmp_path, b_clock.base(), round_every=0.3) as (b, _),
                node("c", broker.port, tmp_path, c_clock.base()) as (c, _),
            ):
                await until(lambda: b.clock.estimate and c.clock.estimate, "b and c to estimate")
                for follower, wall_s in ((b, 0.0), (c, -0.08)):
                    status = follower.status()["time"]
                    assert status["leader"] == "a"
                    assert status["samples"] >= 2  # a loaded machine may drop one
                    assert 0 <= status["delay_ms"] < 100
                    # On loopback the estimate is within the round trip of the truth.
                    assert abs(status["offset_ms"] - (5000 - wall_s * 1000)) <= status["delay_ms"] + 1
                    assert abs(follower.clock.ticks() - a.clock.ticks()) < status["delay_ms"] / 1000 + 0.001
                assert a.status()["time"] == {
                    "offset_ms": 0.0,
                    "delay_ms": None,
                    "samples": 0,
                    "leader": "a",
                    "age_s": None,
                }
                # Every node's report on every node: the whole wall, with each node's offset.
                await until(
                    lambda: all(reported(a).get(n, {}).get("delay_ms") is not None for n in "bc"),
                    "the followers' reports since their estimates",
                )
                wall = reported(a)
                assert [wall[name]["role"] for name in "abc"] == ["leader", "follower", "follower"]
                assert all(wall[name]["online"] for name in "abc")
                assert abs(wall["c"]["offset_ms"] - 5080) < 100
                assert wall["a"]["delay_ms"] is None
                # Asked again: a round every 0.3 s for b.
                first = b.clock.estimated_at
                await until(lambda: b.clock.estimated_at != first, "b's next round")
                # a leaves: b leads and keeps the time base it had; c asks b at once and keeps to it.
                await leaving.aclose()
                await until(lambda: b.leading, "b to lead")
                base = b.clock.base
                await until(lambda: c.clock.estimate and c.clock.estimate.leader == "b", "c to ask b")
                assert b.clock.base == base
                assert b.status()["time"]["leader"] == "b"
                assert abs(c.clock.ticks() - b.clock.ticks()) < 0.1
                assert c.status()["time"]["offset_ms"] == pytest.approx(5080, abs=100)
