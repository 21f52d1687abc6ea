"""A node's link to the wall's MQTT broker: its presence, the election, and the leader's data relayed.

``BrokerLink.run()`` holds one connection at a time (reconnecting after a loss, the waits growing to a few
seconds) and, on each, says the node is online with a last will that says it is offline, listens to the
wall's topics (``wallapp.core.relay``), and once it knows all the broker kept, takes part in the
election. The leading node runs the sources (``Feeds.lead``) and publishes each source's records as soon
as a source brings them (a burst within ``RELAY_GAP_S`` makes one message) and its health when it changes,
retained; a follower runs none (``Feeds.follow``) and feeds its stores with what arrives. A follower that
loses the broker keeps its last data, each source failing with the reason, like a source whose backend is
down; the leader keeps running its sources and showing them.

Each node also keeps its ``TimeBase`` on the leader's clock: a round of ``SAMPLES_PER_ROUND`` questions
(``ROOT/time/ask``), answered by the leader with its shared time, read with NTP's arithmetic
(``wallapp.core.timebase``), every ``ROUND_EVERY_S`` and at once when another node leads.

A change the control API is asked on any node reaches every node: a switch (``announce``), the alert banner
(``raise_alert``, retained), a moderation decision (``ask_moderation``: the leader takes it and publishes
the decisions in force, retained). Each node says it applied it (``done``), and the node asked waits for
them (``reach``): its answer names the nodes that applied the change.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiomqtt

from wallapp.core import relay, timebase
from wallapp.core.ahead import Ahead
from wallapp.core.config.nodes import BrokerOptions
from wallapp.core.config.settings import Settings
from wallapp.core.config.sources import resolve
from wallapp.core.data.freshness import Health
from wallapp.core.data.moderation import Change, Moderation
from wallapp.core.timebase import Estimate, Sample, TimeBase
from wallapp.errors import ConfigError, SourceError
from wallapp.live.feeds import Feeds
from wallapp.live.network import ssl_context
from wallapp.live.tasks import cancelled

log = logging.getLogger("wallapp.live.broker")

PUBLISH_EVERY = 0.1
"""Seconds between the leader's looks at its sources' health and what it shows (records are relayed as
soon as they come)."""
RELAY_GAP_S = 0.03
"""The least time between two relays: records that come within it go out in one message."""
RETRY_FIRST, RETRY_MOST = 0.25, 5.0
"""The wait before connecting again after a loss, doubling from the first to the most."""
ANSWER_WITHIN_S = 1.0
"""How long a question of the leader's time waits for its answer (a sample lost, not waited for)."""
ASK_EVERY_S = 0.02
"""Between the questions of one round."""
REACHED_WITHIN_S = 2.0
"""How long the node asked waits for the other nodes to say they applied a change (after its own)."""
KEPT_DONE = 64
"""Changes remembered as acknowledged (each acknowledged once)."""
REFUSED_CODES = {4, 5, 134, 135}
"""CONNACK codes for a login the broker refuses (bad user name or password, not authorised; 3.1.1, 5)."""


class BrokerLink:
    """One node's connection to the broker, for as long as ``run()`` runs."""

    def __init__(
        self,
        options: BrokerOptions,
        node: str,
        feeds: Feeds,
        *,
        login: tuple[str | None, str | None] = (None, None),
        tls: ssl.SSLContext | None = None,
        publish_every: float = PUBLISH_EVERY,
        clock: TimeBase | None = None,
        round_every: float = timebase.ROUND_EVERY_S,
        report_every: float = relay.REPORT_EVERY_S,
        screens: dict[str, list[str]] | None = None,
    ) -> None:
        """``clock``: the node's shared time base, kept on the leader's (its own by default); ``screens``:
        the screens each node of the wall drives ("column,row"), as the installation says."""
        self.screens = screens or {}
        self.options, self.node, self.feeds = options, node, feeds
        self.login, self.tls = login, tls
        self.publish_every = publish_every
        self.clock = clock or TimeBase(time.monotonic, time.time)
        self.round_every, self.report_every = round_every, report_every
        self.topics = relay.Topics(options.topic)
        self.view = relay.View()
        """What this node knows of the election, complete once ``synced``."""
        self.synced = False
        self.connected = False
        self.error: str | None = None
        """Why the last connection failed or ended (None while connected)."""
        self._led = False
        self._claimed: str | None = None
        self._echo = ""
        self._sent_records: dict[str, object] = {}
        self._relays: dict[str, relay.Relayed] = {}
        """What this node relayed of each source while it leads."""
        self._mirrors: dict[str, relay.Mirror] = {}
        """What it was relayed of each source while it follows."""
        self._sent_state: dict[str, object] = {}
        self._unreadable: set[str] = set()
        self._mismatched: set[str] = set()
        self._asked: dict[int, asyncio.Future[Sample]] = {}
        """The questions of the leader's time waiting for their answers, by id."""
        self._ids = itertools.count(1)
        self._timed: tuple[str, float] | None = None
        """The leader the last round asked, and when it ended (local clock)."""
        self._init_relaying(feeds)
        self._init_steering()

    def _init_relaying(self, feeds: Feeds) -> None:
        """What switches, reports and the relay of records and scenes need."""
        self.on_switch: Callable[[relay.Switch], None] | None = None
        """Called with each switch announced on the wall (this node's own too)."""
        self._client: aiomqtt.Client | None = None
        self.showing: Callable[[], tuple[str | None, dict[str, Any] | None]] = lambda: (None, None)
        """What this node shows, and the last switch it showed (``Switches.switched``), for its reports."""
        self._ahead = Ahead()
        """What the nodes said of their last switches: how far ahead the next is announced."""
        self._relay_due = asyncio.Event()
        """Set when a source brings records while this node leads: relayed at once."""
        feeds.on_records = self._relay_due.set
        self.scene: Callable[[], relay.Scene | None] = lambda: None
        """What this node shows, published while it leads (None: nothing others could show)."""
        self.on_scene: Callable[[relay.Scene], None] | None = None
        """Called with what the leader shows, while this node follows."""
        self._scene: relay.Scene | None = None
        """The last scene the broker kept."""
        self._sent_scene: relay.Scene | None = None
        self.reports: dict[str, relay.Report] = {}
        """The last report of each node, and when it came (local clock)."""
        self._reported_at: dict[str, float] = {}

    def _init_steering(self) -> None:
        """What changes asked of the wall need: the wall's handlers, and which nodes applied which."""
        self.about: Callable[[], dict[str, Any]] = dict
        """More of this node for its reports (``relay.Report``'s control, preview, undrawn)."""
        self.on_alert: Callable[[relay.AlertState], None] | None = None
        """Called with the wall's alert banner, as the broker keeps it (and as it changes)."""
        self.on_moderation: Callable[[relay.ModerationState], None] | None = None
        """Called with the decisions in force, as the leader publishes them."""
        self.take_moderation: Callable[[Change], Moderation] | None = None
        """Applies a decision asked of the wall, and says the decisions then, while this node leads."""
        self.moderation: Callable[[], Moderation | None] = lambda: None
        """The decisions in force here, published while this node leads."""
        self._sent_moderation: Moderation | None = None
        self._moderated: list[str] = []
        """The ids of the latest decisions this node took as leader."""
        self._asked_moderation: list[relay.ModerationAsk] = []
        self._answers: dict[str, dict[str, str | None]] = {}
        """The nodes that said they applied each change this node waits on (their error, or None)."""
        self._answered = asyncio.Event()
        """Set when a node says it applied a change this node waits on."""
        self._acked: list[str] = []
        self._acking: set[asyncio.Task[None]] = set()

    @property
    def leading(self) -> bool:
        return self.feeds.leading

    def status(self) -> dict[str, Any]:
        """This node's part in the wall, for the control API."""
        return {
            "name": self.node,
            "broker": self.options.describe(),
            "connected": self.connected,
            "role": relay.role(self.view, self.node) if self.synced else "connecting",
            "leader": self.view.leader(),
            "online": sorted(self.view.online),
            "error": self.error,
            "time": self.time_status(),
            "wall": self.wall_status(),
        }

    def wall_status(self) -> list[dict[str, Any]]:
        """Every node of the installation and every other known (online, or reported): the screens it
        drives, whether it leads, its role, offset and what it shows, as it last said."""
        names = sorted(set(self.screens) | set(self.reports) | set(self.view.online))
        leader = self.view.leader() if self.synced else None
        wall = []
        for name in names:
            report = self.reports.get(name)
            said = report.model_dump(exclude={"format", "node", "at"}) if report is not None else {}
            heard = self._reported_at.get(name)
            age = round(self.clock.local() - heard, 1) if heard is not None else None
            wall.append(
                {
                    "node": name,
                    "screens": self.screens.get(name, []),
                    "online": name in self.view.online,
                    "leader": name == leader,
                    **said,
                    "reported_s_ago": age,
                }
            )
        return wall

    def reported(self, report: relay.Report) -> None:
        """A node's report, as the broker brings it (this node's own too)."""
        self.reports[report.node] = report
        self._reported_at[report.node] = self.clock.local()
        self._ahead.heard(report)

    def ahead(self) -> float:
        """How far ahead of now a switch is announced: long enough for the slowest node, as the nodes said
        of their last switches (``wallapp.core.ahead``)."""
        return self._ahead.ahead()

    def report(self) -> relay.Report:
        showing, switched = self.showing()
        switched = switched or {}
        clock = self.time_status()
        role = relay.role(self.view, self.node) if self.synced else "connecting"
        return relay.Report(
            node=self.node,
            role=role,
            offset_ms=clock["offset_ms"],
            delay_ms=clock["delay_ms"],
            showing=showing,
            late_ms=switched.get("late_ms"),
            switch=switched.get("id"),
            ready_after_ms=switched.get("ready_after_ms"),
            at=self.clock.ticks(),
            **self.about(),
        )

    def time_status(self) -> dict[str, Any]:
        """The shared time base: its offset from this node's wall clock, and whose time it is."""
        status = self.clock.status()
        if self.leading:
            status["leader"] = self.node
        return status

    def client(self) -> aiomqtt.Client:
        host, port = self.options.address
        offline = relay.encode(relay.Presence(node=self.node, online=False))
        return aiomqtt.Client(
            host,
            port,
            username=self.login[0],
            password=self.login[1],
            identifier=f"wallapp-{self.node}-{uuid.uuid4().hex[:8]}",
            keepalive=self.options.keepalive_s,
            will=aiomqtt.Will(self.topics.node(self.node), offline, qos=1, retain=True),
            tls_context=self.tls,
            timeout=max(5.0, 2.0 * self.options.keepalive_s),
            # No Nagle: a small message (a time question, a switch) goes out at once, not after the
            # ack of the one before (up to 40 ms on Linux); the broker needs set_tcp_nodelay too.
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )

    async def run(self) -> None:
        """Stay connected until cancelled; then say goodbye (offline), so no will is needed."""
        losses = 0
        while True:
            try:
                await self._session()
            except aiomqtt.MqttError as exc:
                self._lost(_describe(exc))
            except Exception as exc:  # a bug, not the broker: told with its traceback, and connected again
                log.error("node %s: the broker link failed", self.node, exc_info=exc)
                self._lost(f"internal error ({type(exc).__name__})")
            losses = 0 if self.synced else losses + 1
            self.synced = False
            await asyncio.sleep(min(RETRY_FIRST * 2 ** max(losses - 1, 0), RETRY_MOST))

    async def tls_checked(self) -> None:
        """A TLS handshake of our own first (nothing without TLS): paho leaves the socket of a handshake
        that fails open, once per attempt; ``MqttError`` says why it failed."""
        if self.tls is None:
            return
        host, port = self.options.address
        try:
            async with asyncio.timeout(max(5.0, 2.0 * self.options.keepalive_s)):
                _, writer = await asyncio.open_connection(host, port, ssl=self.tls, server_hostname=host)
        except ssl.SSLCertVerificationError as exc:
            raise aiomqtt.MqttError(f"CERTIFICATE_VERIFY_FAILED: {exc.verify_message}") from None
        except (OSError, TimeoutError) as exc:
            raise aiomqtt.MqttError(str(exc) or type(exc).__name__) from None
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    async def _session(self) -> None:
        await self.tls_checked()
        async with self.client() as client:
            self.connected, self.error, self.view = True, None, relay.View()
            self._sent_records.clear()
            self._sent_state.clear()
            self._relays.clear()
            self._mirrors.clear()
            self._claimed = None
            self._client, self._scene, self._sent_scene = client, None, None
            self._sent_moderation = None
            log.info("node %s: connected to the broker %s", self.node, self.options.describe())
            await client.subscribe([(topic, 1) for topic in self.topics.subscriptions(self.node)])
            online = relay.encode(relay.Presence(node=self.node, online=True))
            await client.publish(self.topics.node(self.node), online, qos=1, retain=True)
            self._echo = uuid.uuid4().hex
            await client.publish(self.topics.sync(self.node), self._echo.encode(), qos=1)
            loop = asyncio.get_running_loop()
            publishing = loop.create_task(self._publishing(client))
            timing = loop.create_task(self._timing(client))
            try:
                async for message in client.messages:
                    await self._received(client, str(message.topic), _payload(message.payload))
            except asyncio.CancelledError:
                with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                    offline = relay.encode(relay.Presence(node=self.node, online=False))
                    await asyncio.wait_for(
                        client.publish(self.topics.node(self.node), offline, qos=1, retain=True), 2.0
                    )
                raise
            finally:
                await cancelled(publishing, timing)
                self.connected, self._client = False, None

    def _lost(self, why: str) -> None:
        if self.error != why:
            log.warning("node %s: the broker %s: %s", self.node, self.options.describe(), why)
        self.connected, self.error = False, why
        if not self.leading:
            # Said on the widgets as "No connection to the wall's broker"; why is in the log and the status.
            self.feeds.cut_off(f"no connection to the wall's broker ({self.options.describe()})")

    async def _received(self, client: aiomqtt.Client, topic: str, payload: bytes) -> None:
        kind = self.topics.kind(topic)
        if kind is None:
            return
        what, name = kind
        if what in ("ask", "answer"):
            await self._time_message(client, what, name, payload)
            return
        if what == "report":
            report = relay.decode(what, payload) if payload else None
            if isinstance(report, relay.Report) and report.node == name:
                self.reported(report)
            return
        if what == "scene":
            scene = relay.decode(what, payload) if payload else None
            self._scene = scene if isinstance(scene, relay.Scene) else None
            self._follow_scene()
            return
        if what in ("alert", "moderate", "moderation", "done"):
            self._control_message(what, relay.decode(what, payload) if payload else None)
            if what == "moderate":
                await self._moderate(client)
            return
        if what == "switch":
            switch = relay.decode(what, payload) if payload else None
            if isinstance(switch, relay.Switch) and self.on_switch is not None:
                self.on_switch(switch)
            elif isinstance(switch, str):
                log.warning("node %s: a switch announced cannot be read (ignored): %s", self.node, switch)
            return
        if what == "sync":
            if name == self.node and payload.decode(errors="replace") == self._echo:
                self.synced = True
                await self._elect(client)
            return
        if not payload:  # a retained message cleared
            if what == "leader":
                self.view = self.view.with_claim(None)
            elif what == "nodes":
                self.view = self.view.with_presence(name, False)
            await self._elect(client)
            return
        message = relay.decode(what, payload)
        if isinstance(message, str):
            if topic not in self._unreadable:
                self._unreadable.add(topic)
                log.warning("node %s: %s cannot be read (ignored): %s", self.node, topic, message)
            return
        if isinstance(message, relay.Presence):
            self.view = self.view.with_presence(name, message.online)
        elif isinstance(message, relay.Claim):
            self.view = self.view.with_claim(message.node)
            self._claimed = None
        elif not self.leading:
            self._relayed(name, message)
            return
        else:
            return
        await self._elect(client)

    def _follow_scene(self) -> None:
        """Show what the leader shows, once this node knows all the broker kept and follows."""
        scene = self._scene
        if scene is None or not self.synced or self.leading or self.on_scene is None:
            return
        if scene.leader == self.view.leader() and scene.leader != self.node:
            self.on_scene(scene)

    async def announce(self, switch: relay.Switch) -> bool:
        """Announce ``switch`` to every node (this one too, through the broker); False if it cannot be
        now (no connection)."""
        return await self._send(self.topics.switch, switch, "the switch")

    async def raise_alert(self, alert: relay.AlertState) -> bool:
        """Show ``alert`` on every node, one that starts later too (retained); False if it cannot be now."""
        return await self._send(self.topics.alert, alert, "the alert", retain=True)

    async def ask_moderation(self, ask: relay.ModerationAsk) -> bool:
        """Ask the leader to take a moderation decision; False when no node leads or none can be asked."""
        if self.view.leader() is None:
            return False
        return await self._send(self.topics.moderate, ask, "the moderation decision")

    async def _send(self, topic: str, message: relay.Message, what: str, retain: bool = False) -> bool:
        client = self._client
        if client is None or not self.synced:
            return False
        try:
            await client.publish(topic, relay.encode(message), qos=1, retain=retain)
        except aiomqtt.MqttError as exc:
            log.warning("node %s: %s cannot be sent: %s", self.node, what, _describe(exc))
            return False
        return True

    def expect(self, change: str) -> list[str]:
        """Start collecting which nodes apply ``change`` (before it is sent); the nodes online now, which
        ``reach`` waits for."""
        self._answers[change] = {}
        return sorted(self.view.online)

    async def reach(self, change: str, nodes: list[str], within: float = REACHED_WITHIN_S) -> dict[str, str]:
        """Each node of the wall and what it did of ``change``: "applied", why it could not, "no answer"
        (within ``within`` seconds), or "not reached" (not among ``nodes``, those online when it was sent)."""
        answers = self._answers.setdefault(change, {})
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    while not set(nodes) <= set(answers):
                        self._answered.clear()
                        await self._answered.wait()
        finally:
            self._answers.pop(change, None)
        reached: dict[str, str] = {}
        for name in sorted(set(self.screens) | set(nodes) | set(answers)):
            if name in answers:
                reached[name] = answers[name] or "applied"
            else:
                reached[name] = "no answer" if name in nodes else "not reached"
        return reached

    def forget(self, change: str) -> None:
        """Stop collecting for ``change`` (it could not be sent)."""
        self._answers.pop(change, None)

    def alone(self) -> dict[str, str]:
        """``reach`` of a change made on this node only (cut off from the broker)."""
        names = {*self.screens, self.node}
        return {name: "applied" if name == self.node else "not reached" for name in names}

    def done(self, change: str, error: str | None = None) -> None:
        """Tell the wall this node applied ``change`` (``error``: why it could not), once."""
        if change in self._acked:
            return
        self._acked = [*self._acked[1 - KEPT_DONE :], change]
        client = self._client
        self._answer(change, self.node, error)  # asked here: counted at once (its copy is then ignored)
        if client is None or not self.synced:
            return
        message = relay.encode(relay.Done(id=change, node=self.node, error=error))

        async def send() -> None:
            with contextlib.suppress(aiomqtt.MqttError):
                await client.publish(self.topics.done, message, qos=1)

        task = asyncio.ensure_future(send())  # from a Qt timer too
        self._acking.add(task)
        task.add_done_callback(self._acking.discard)

    def _answer(self, change: str, node: str, error: str | None) -> None:
        answers = self._answers.get(change)
        if answers is not None and node not in answers:
            answers[node] = error
            self._answered.set()

    def _control_message(self, what: str, message: relay.Message | str | None) -> None:
        """The alert banner, a decision asked or taken, or a node's acknowledgement."""
        if isinstance(message, str):
            log.warning("node %s: a %s message cannot be read (ignored): %s", self.node, what, message)
        elif isinstance(message, relay.Done):
            self._answer(message.id, message.node, message.error)
        elif isinstance(message, relay.AlertState) and self.on_alert is not None:
            self.on_alert(message)
        elif isinstance(message, relay.ModerationState) and self.on_moderation is not None:
            self.on_moderation(message)
        elif isinstance(message, relay.ModerationAsk):
            self._asked_moderation.append(message)

    async def _moderate(self, client: aiomqtt.Client) -> None:
        """The leader takes the decisions asked, in the order the broker hands them, and publishes the
        decisions in force; another node leaves them to the leader."""
        asked, self._asked_moderation = self._asked_moderation, []
        take = self.take_moderation
        if not asked or take is None or not (self.synced and self.view.leader() == self.node):
            return
        for ask in asked:
            take(ask.change)
            self._moderated = [*self._moderated[-15:], ask.id]
        await self._publish_moderation(client)

    async def _publish_moderation(self, client: aiomqtt.Client) -> None:
        moderation = self.moderation()
        if moderation is None:
            return
        state = relay.ModerationState(leader=self.node, moderation=moderation, changes=self._moderated)
        await client.publish(self.topics.moderation, relay.encode(state), qos=1, retain=True)
        self._sent_moderation = moderation

    async def _time_message(self, client: aiomqtt.Client, what: str, name: str, payload: bytes) -> None:
        """A question of the leader's time (answered by the leader), or the answer to one of ours."""
        if what == "ask":
            if not (self.synced and self.leading and self.view.leader() == self.node):
                return
            t1 = self.clock.ticks()
            ask = relay.decode(what, payload)
            if isinstance(ask, relay.TimeAsk):
                answer = relay.TimeAnswer(
                    node=ask.node, leader=self.node, id=ask.id, t0=ask.t0, t1=t1, t2=self.clock.ticks()
                )
                await client.publish(self.topics.answer(ask.node), relay.encode(answer), qos=0)
            return
        t3 = self.clock.local()
        told = relay.decode(what, payload)
        if name == self.node and isinstance(told, relay.TimeAnswer):
            waiting = self._asked.get(told.id)
            if waiting is not None and not waiting.done() and told.leader == self.view.leader():
                waiting.set_result(Sample(told.t0, told.t1, told.t2, t3))

    async def _timing(self, client: aiomqtt.Client) -> None:
        """Keep the shared time base on the leader's clock, until the session ends."""
        while True:
            leader = self.view.leader() if self.synced else None
            timed = self._timed
            due = timed is None or timed[0] != leader or self.clock.local() - timed[1] >= self.round_every
            if leader is not None and leader != self.node and due:
                found = await self.measure(client, leader)
                self._timed = (leader, self.clock.local())
                if found is not None and self.view.leader() == leader:
                    self._adopt(found)
            await asyncio.sleep(0.1)

    def _adopt(self, found: Estimate) -> None:
        first = self.clock.estimate is None or self.clock.estimate.leader != found.leader
        self.clock.adopt(found)
        status = self.clock.status()
        log.log(
            logging.INFO if first else logging.DEBUG,
            "node %s: time base from %s: %+.1f ms from this PC's clock (round trip %.1f ms, %d samples)",
            self.node,
            found.leader,
            status["offset_ms"],
            status["delay_ms"],
            found.samples,
        )

    async def measure(self, client: aiomqtt.Client, leader: str) -> Estimate | None:
        """One round of questions of ``leader``'s time; None if none was answered."""
        samples: list[Sample] = []
        loop = asyncio.get_running_loop()
        for _ in range(timebase.SAMPLES_PER_ROUND):
            ask_id = next(self._ids)
            answered = self._asked[ask_id] = loop.create_future()
            try:
                t0 = self.clock.local()
                ask = relay.TimeAsk(node=self.node, id=ask_id, t0=t0)
                await client.publish(self.topics.ask, relay.encode(ask), qos=0)
                samples.append(await asyncio.wait_for(answered, ANSWER_WITHIN_S))
            except (TimeoutError, aiomqtt.MqttError):
                pass
            finally:
                del self._asked[ask_id]
            await asyncio.sleep(ASK_EVERY_S)
        return timebase.estimate(samples, leader)

    def _relayed(self, source: str, message: relay.Message) -> None:
        taken = False
        if isinstance(message, relay.SourceRecords):
            records = self._mirrors.setdefault(source, relay.Mirror()).apply(message)
            if records is None:  # a delta after a snapshot this node did not get: wait for the next
                return
            taken = self.feeds.relay_records(source, message.spec, records, message.as_of, message.changed_at)
        elif isinstance(message, relay.SourceState):
            taken = self.feeds.relay_health(source, message.spec, message.health.health(), message.as_of)
        if not taken and source in self.feeds.stores() and source not in self._mismatched:
            self._mismatched.add(source)
            log.warning(
                "node %s: source %r is declared otherwise on the leader: what it relays is left alone "
                "(do the nodes show the same layout?)",
                self.node,
                source,
            )

    async def _elect(self, client: aiomqtt.Client) -> None:
        if not self.synced:
            return
        decision = relay.decide(self.view, self.node, self._led)
        if decision.claims and self._claimed is None:
            self._claimed = self.node
            log.info("node %s: claims the lead (no node leads)", self.node)
            claim = relay.encode(relay.Claim(node=self.node))
            await client.publish(self.topics.leader, claim, qos=1, retain=True)
        if decision.leads and not self.feeds.leading:
            log.info("node %s: leads the wall: runs the sources and relays them", self.node)
            self._sent_scene = self._sent_moderation = None  # what it shows and decided, said again
            self._sent_records.clear()
            self._sent_state.clear()
            self._relays.clear()
            self.feeds.lead()
        elif not decision.leads and self.view.leader() is not None and self.feeds.leading:
            log.info("node %s: follows %s", self.node, self.view.leader())
            await self.feeds.follow()
        self._led = self.feeds.leading
        self._follow_scene()

    async def _publishing(self, client: aiomqtt.Client) -> None:
        """The leader's relay, and this node's reports, until the session ends (a publish that fails is
        tried again next time: the connection's loss ends the session)."""
        reported: tuple[float, object] | None = None
        relayed = -RELAY_GAP_S
        while True:
            now, showing = self.clock.local(), (self.showing(), self.leading)
            due = reported is None or now - reported[0] >= self.report_every or showing != reported[1]
            if self.synced and due:  # every few seconds, and at once when what it shows changes
                with contextlib.suppress(aiomqtt.MqttError):
                    await client.publish(
                        self.topics.report(self.node), relay.encode(self.report()), qos=1, retain=True
                    )
                    reported = (now, showing)
            if self.synced and self.feeds.leading and self.view.leader() == self.node:
                try:
                    scene = self.scene()
                    if scene is not None and scene != self._sent_scene:
                        await client.publish(self.topics.scene, relay.encode(scene), qos=1, retain=True)
                        self._sent_scene = scene
                    if self.moderation() != self._sent_moderation:
                        await self._publish_moderation(client)
                    relayed = asyncio.get_running_loop().time()
                    await self.publish(client)
                except aiomqtt.MqttError as exc:
                    log.debug("node %s: relaying failed: %s", self.node, exc)
            await self._rest(relayed)

    async def _rest(self, relayed: float) -> None:
        """Until the next look: ``publish_every``, or sooner when a source brings records, though not
        within ``RELAY_GAP_S`` of the last relay (``relayed``, on the loop's clock): what comes meanwhile
        goes out with them."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._relay_due.wait(), self.publish_every)
        gap = relayed + RELAY_GAP_S - asyncio.get_running_loop().time()
        if gap > 0:
            await asyncio.sleep(gap)
        self._relay_due.clear()

    async def publish(self, client: aiomqtt.Client) -> None:
        """Relay what changed of each source since it was last relayed (``relay.Relayed``)."""
        now = asyncio.get_running_loop().time()
        for name, spec, store, health in self.feeds.relayed():
            records, sent = store.records(), self._relays.get(name)
            if sent is None or sent.spec != spec:
                sent = self._relays[name] = relay.Relayed(name, spec, self.node)
            if store.as_of is not None and (self._sent_records.get(name) is not records or sent.pending):
                self._sent_records[name] = records
                message = sent.next(records, store.as_of, now, store.changed_at)
                if message is not None:
                    snapshot = message.kind == "snapshot"
                    await client.publish(
                        self.topics.records(name), relay.encode(message), qos=1, retain=snapshot
                    )
            state: tuple[str, Health, object] = (spec, health, store.as_of)
            if self._sent_state.get(name) != state:
                message_state = relay.source_state(name, spec, self.node, store.as_of, health)
                await client.publish(self.topics.state(name), relay.encode(message_state), qos=1, retain=True)
                self._sent_state[name] = state


def _payload(payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()


def _describe(exc: aiomqtt.MqttError) -> str:
    if isinstance(exc, aiomqtt.MqttCodeError) and _code(exc) in REFUSED_CODES:
        return f"refused the login ({exc.rc})"
    text = str(exc).strip() or type(exc).__name__
    return text.removeprefix("[code:").strip() if text.startswith("[code:") else text


def _code(exc: aiomqtt.MqttCodeError) -> int | None:
    rc: Any = exc.rc
    value = getattr(rc, "value", rc)
    return value if isinstance(value, int) else None


def broker_tls(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context the broker is reached with (None: plain TCP)."""
    broker = settings.broker
    if broker is None or broker.tls is None:
        return None
    tls = broker.tls.rooted(None)
    password = (
        resolve(tls.key_password, "broker.tls", settings.secret_values(), {})
        if tls.key_password is not None
        else None
    )
    try:
        return ssl_context(tls, password)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"broker.tls: {exc}") from None


def link_for(settings: Settings, feeds: Feeds, clock: TimeBase | None = None) -> BrokerLink | None:
    """This node's link (None on a single PC); ``clock``: its shared time base."""
    node = settings.this_node()
    if node is None or settings.broker is None:
        return None
    try:
        login = settings.broker_login()
    except SourceError as exc:
        raise ConfigError(exc.cause) from None
    screens = {spec.name: [f"{column},{row}" for column, row in spec.screens] for spec in settings.nodes}
    return BrokerLink(
        settings.broker,
        node.name,
        feeds,
        login=login,
        tls=broker_tls(settings),
        clock=clock,
        screens=screens,
    )


@contextlib.asynccontextmanager
async def linked(link: BrokerLink | None) -> AsyncIterator[BrokerLink | None]:
    """``link`` running on the running loop while the block runs (nothing on a single PC); then it says
    goodbye and stops."""
    if link is None:
        yield None
        return
    task = asyncio.get_running_loop().create_task(link.run(), name=f"broker link of {link.node}")
    try:
        yield link
    finally:
        await cancelled(task)


async def check_login(link: BrokerLink) -> None:
    """Connect once: ``ConfigError`` if the broker refuses the login or shows a certificate the node does
    not trust; a broker that cannot be reached now is only logged (the node keeps trying once it runs)."""
    try:
        await link.tls_checked()
        async with link.client():
            return
    except aiomqtt.MqttCodeError as exc:
        if _code(exc) in REFUSED_CODES:
            raise ConfigError(
                f"broker: {link.options.describe()} refused the login of node {link.node} ({exc.rc}): "
                "check broker.username and broker.password"
            ) from None
        log.warning("broker: %s: %s (the node keeps trying)", link.options.describe(), _describe(exc))
    except aiomqtt.MqttError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            raise ConfigError(
                f"broker: {link.options.describe()}: its certificate is not trusted ({_describe(exc)}): "
                "check broker.tls (ca_file)"
            ) from None
        log.warning("broker: %s: %s (the node keeps trying)", link.options.describe(), _describe(exc))
