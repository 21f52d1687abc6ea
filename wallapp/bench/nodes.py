"""A wall of several PCs on this machine: Mosquitto and one ``wallapp run --node`` process per column of the
wall (three for the hub: two screens each), watched through their control APIs and the broker.

Measured, over loopback (one machine: the network's share of a real wall is not in these figures):

- a switch's skew: the spread of the shared instants the nodes showed a layout switch at (each node's
  ``node.switched.shown_at``), in frames; how far ahead each was announced, and how many node-switches came
  more than a frame late although the next scene was ready before the instant (the node busy then);
- the ticker's skew: the spread of the nodes' shared clocks at one moment (each node's ``node.time.offset_ms``
  against this machine's one wall clock), in frames: the ticker's position is a function of that time, so
  two nodes draw it this many frames' moves apart;
- data-to-pixel on a follower: a post sent by the bench's stream until the follower's store has it (its
  control API's ``/posts``, asked every ``POLL_S``): the widgets draw it at the next frame, up to one more;
- the broker's messages per second with the stream at 10 posts/s (all the wall's topics, as one subscriber
  gets them);
- failover: the leader killed with ``kill -9`` until another node says it leads, and until its sources
  are live.

Skipped, saying why, where Mosquitto is not installed (Debian's ``mosquitto`` package).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiomqtt
import httpx

from wallapp.app import Opened
from wallapp.bench.feed import feed_server, free_port
from wallapp.bench.stats import summarize
from wallapp.bench.wall import fed_copy, offscreen_screens

RATE = 10.0
FRAME_S = 1 / 60
POLL_S = 0.02
"""How often the follower's posts are asked for: the data-to-pixel figures are up to this late."""
SETTLE_S = 1.0
"""Between switches: the wall left to draw the scene it just showed (an operator's switches are seconds
apart; back to back, each node would still be painting the last one's first frames at the next instant)."""
TOPIC = "wallapp/bench"
STARTS_WITHIN_S = 90.0
Status = dict[str, Any]


def mosquitto() -> str | None:
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    return found if Path(found).is_file() else None


def measure(opened: Opened, other: str, folder: Path, seconds: float, switches: int) -> dict[str, Any]:
    """Every figure of the nodes scenario for ``opened`` (a 3 x 2 wall: one node per column), switching
    to and from the layout ``other`` (a name); or ``skipped`` with the reason."""
    broker = mosquitto()
    if broker is None:
        return {"skipped": "Mosquitto is not installed (Debian package mosquitto)"}
    wall = opened.loaded.wall
    if (wall.columns, wall.rows) != (3, 2):
        return {
            "skipped": f"the layout's wall is {wall.columns} x {wall.rows}; the scenario runs the hub's 3 x 2"
        }
    return asyncio.run(_measure(broker, opened, other, folder, seconds, switches))


async def _measure(
    broker: str, opened: Opened, other: str, folder: Path, seconds: float, switches: int
) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    with feed_server(RATE) as server, _broker(broker, folder / "broker") as port:
        shown = fed_copy(opened.loaded, server.stream_url, folder / "layouts")
        settings = _settings(folder, port, token, shown.parent)
        controls = {name: free_port() for name in NODES}
        with _nodes(folder, settings, shown, controls) as processes:
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(headers=headers, timeout=30, trust_env=False) as client:
                watch = Watch(client, controls, processes)
                await watch.until(lambda s: all(_in_step(x) for x in s.values()), "every node in step")
                leader = next(n for n, s in (await watch.statuses()).items() if s["node"]["role"] == "leader")
                follower = next(name for name in NODES if name != leader)
                counted, (arrivals, clocks) = await asyncio.gather(
                    _messages(port, seconds), _follow(watch, follower, seconds)
                )
                skews, late, ready, ahead = await _switches(watch, follower, [other, shown.stem], switches)
                failover = await _failover(watch, leader)
    return {
        "nodes": len(NODES),
        "screens_per_node": 2,
        "posts_per_s": RATE,
        "frame_ms": round(FRAME_S * 1000, 2),
        "switch_skew_frames": _summary(skews),
        "switch_late_ms": _summary(late),
        "switch_ready_ms": _summary(ready),
        "switch_prepared_late": sum(1 for r in ready if r <= 0),
        "switch_late_though_ready": sum(
            1 for r, x in zip(ready, late, strict=True) if r > 0 and x > FRAME_S * 1000
        ),
        "switch_ahead_ms": _summary(ahead),
        "ticker_skew_frames": _summary(clocks),
        "follower_latency_ms": _summary(arrivals),
        "broker_messages_per_s": round(counted / seconds, 1),
        "failover_s": failover,
        "note": "one machine over loopback",
    }


NODES = {"a": [[0, 0], [0, 1]], "b": [[1, 0], [1, 1]], "c": [[2, 0], [2, 1]]}


def _summary(samples: list[float]) -> dict[str, Any] | None:
    found = summarize(samples)
    return None if found is None else {k: round(v, 3) for k, v in found.as_dict().items()}


def _settings(folder: Path, port: int, token: str, layouts: Path) -> Path:
    nodes = "".join(f'[[nodes]]\nname = "{name}"\nscreens = {screens}\n' for name, screens in NODES.items())
    path = folder / "wallapp.toml"
    path.write_text(
        f'layouts_dirs = ["{layouts}"]\n[control]\ntoken = "{token}"\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\ntopic = "{TOPIC}"\nkeepalive_s = 1\n{nodes}',
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def _broker(program: str, folder: Path) -> Iterator[int]:
    """Mosquitto on a free port of 127.0.0.1, as the README sets up the wall's (no Nagle delays)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = folder / "mosquitto.conf"
    lines = [
        f"listener {port} 127.0.0.1",
        "allow_anonymous true",
        "persistence false",
        "set_tcp_nodelay true",
    ]
    # Started as root, Mosquitto becomes user mosquitto, who cannot read the bench's private folder.
    lines.append(f"user {pwd.getpwuid(os.getuid()).pw_name}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (folder / "mosquitto.log").open("wb") as log:
        process = subprocess.Popen([program, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mosquitto did not start (see {folder / 'mosquitto.log'})")
            time.sleep(0.02)
        yield port
    finally:
        _stop(process)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
        if process.poll() is None:
            process.kill()
    process.wait()


@contextlib.contextmanager
def _nodes(
    folder: Path, settings: Path, shown: Path, controls: dict[str, int]
) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """``wallapp run --node NAME`` for every node, each on two offscreen screens of its own."""
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, port in controls.items():
            home = folder / f"home-{name}"
            home.mkdir(parents=True, exist_ok=True)
            screens = [(f"WALL-{n}", n * 1920, 0, 1920, 1080) for n in range(2)]
            environ = {
                **os.environ,
                "QT_QPA_PLATFORM": offscreen_screens(screens, home),
                "WALLAPP_CONTROL__LISTEN": f"127.0.0.1:{port}",
                "XDG_CACHE_HOME": str(home / "cache"),
                "XDG_STATE_HOME": str(home / "state"),
            }
            environ.pop("WALLAPP_CONFIG", None)
            command = [sys.executable, "-m", "wallapp", "run", str(shown), "--config", str(settings)]
            with (folder / f"{name}.log").open("wb") as log:
                processes[name] = subprocess.Popen(
                    [*command, "--node", name], env=environ, stdout=log, stderr=subprocess.STDOUT
                )
        yield processes
    finally:
        for process in processes.values():
            _stop(process)


class Watch:
    """The nodes' control APIs, asked as an operator would."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        controls: dict[str, int],
        processes: dict[str, subprocess.Popen[bytes]],
    ) -> None:
        self.client, self.controls, self.processes = client, controls, processes

    def url(self, name: str, path: str) -> str:
        return f"http://127.0.0.1:{self.controls[name]}{path}"

    async def status(self, name: str) -> Status | None:
        with contextlib.suppress(httpx.TransportError, ValueError):
            answer = await self.client.get(self.url(name, "/status"))
            if answer.status_code == 200:
                found: Status = answer.json()
                return found
        return None

    async def statuses(self, names: list[str] | None = None) -> dict[str, Status]:
        """The status of every running node (``names``: of these) that answers."""
        names = [n for n in names or list(self.controls) if self.processes[n].poll() is None]
        answers = await asyncio.gather(*(self.status(name) for name in names))
        return {name: status for name, status in zip(names, answers, strict=True) if status is not None}

    async def until(
        self,
        holds: Callable[[dict[str, Status]], bool],
        what: str,
        within: float = STARTS_WITHIN_S,
        names: list[str] | None = None,
    ) -> dict[str, Status]:
        deadline = time.monotonic() + within
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None and process.returncode != -signal.SIGKILL:
                    raise RuntimeError(f"node {name} exited ({process.returncode}) waiting for {what}")
            found = await self.statuses(names)
            if found and holds(found):
                return found
            if time.monotonic() > deadline:
                raise RuntimeError(f"the nodes' bench: timed out waiting for {what}")
            await asyncio.sleep(0.02)


def _in_step(status: Status) -> bool:
    node = status.get("node") or {}
    live = all(source["state"] == "live" for source in status["sources"].values())
    timed = node.get("role") == "leader" or (node.get("time") or {}).get("samples", 0) > 0
    return bool(live and timed and node.get("online") == sorted(NODES))


async def _messages(port: int, seconds: float) -> int:
    """The messages one subscriber to all the wall's topics gets in ``seconds`` (the retained ones it
    gets on subscribing are not counted)."""
    async with aiomqtt.Client("127.0.0.1", port, identifier=f"bench-{secrets.token_hex(4)}") as client:
        await client.subscribe(f"{TOPIC}/#")
        count = 0
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                async for message in client.messages:
                    if not message.retain and time.monotonic() < deadline:
                        count += 1
        return count


async def _follow(watch: Watch, follower: str, seconds: float) -> tuple[list[float], list[float]]:
    """For ``seconds``: each new post's delay until the follower has it (ms), and the spread of the
    nodes' shared clocks (frames), sampled twice a second."""
    seen: set[str] = set()
    arrivals: list[float] = []
    clocks: list[float] = []
    first = True
    next_clock = 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError, ValueError):
            answer = await watch.client.get(watch.url(follower, "/posts"), params={"count": 20})
            now = time.time()
            for source in answer.json()["sources"]:
                for post in source["posts"]:
                    if post["id"] in seen or post["created_at"] is None:
                        continue
                    seen.add(post["id"])
                    if not first:
                        created = datetime.fromisoformat(post["created_at"]).timestamp()
                        arrivals.append((now - created) * 1000)
            first = False
        if time.monotonic() >= next_clock:
            next_clock = time.monotonic() + 0.5
            offsets = [s["node"]["time"]["offset_ms"] for s in (await watch.statuses()).values()]
            if len(offsets) == len(NODES):
                clocks.append((max(offsets) - min(offsets)) / 1000 / FRAME_S)
        await asyncio.sleep(POLL_S)
    return arrivals, clocks


async def _switches(
    watch: Watch, asked: str, layouts: list[str], count: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """``count`` layout switches asked of ``asked``, alternating ``layouts``: each one's skew in frames,
    how late after its instant each node showed it (ms), how long before it each had it ready (ms), and
    how far ahead of its instant each switch was announced (ms)."""
    skews: list[float] = []
    late: list[float] = []
    ready: list[float] = []
    ahead: list[float] = []
    for number in range(count):
        await asyncio.sleep(SETTLE_S)
        layout = layouts[number % len(layouts)]
        before = (await watch.statuses([asked]))[asked]["node"]["switched"]
        answer = await watch.client.post(watch.url(asked, "/layout"), json={"layout": layout})
        answer.raise_for_status()

        def shown(found: dict[str, Status], before: Any = before) -> bool:
            switched = [s["node"]["switched"] for s in found.values()]
            return (
                len(found) == len(NODES)
                and all(s is not None and s != before for s in switched)
                and len({s["id"] for s in switched}) == 1
            )

        found = await watch.until(shown, f"switch {number + 1} shown on every node", 30)
        instants = [s["node"]["switched"]["shown_at"] for s in found.values()]
        skews.append((max(instants) - min(instants)) / FRAME_S)
        late += [s["node"]["switched"]["late_ms"] for s in found.values()]
        ready += [s["node"]["switched"]["ready_ms"] for s in found.values()]
        first = next(iter(found.values()))["node"]["switched"]
        ahead.append((first["at"] - first["announced"]) * 1000)
    return skews, late, ready, ahead


async def _failover(watch: Watch, leader: str) -> dict[str, float]:
    """The leader killed: until another node leads, and until its sources are live."""
    others = [name for name in NODES if name != leader]
    killed = time.monotonic()
    watch.processes[leader].send_signal(signal.SIGKILL)

    def leads(found: dict[str, Status]) -> bool:
        return any((s.get("node") or {}).get("role") == "leader" for s in found.values())

    found = await watch.until(leads, "another node to lead", 30, others)
    taken = time.monotonic() - killed
    heir = next(name for name, s in found.items() if s["node"]["role"] == "leader")

    def live(found: dict[str, Status]) -> bool:
        return all(source["state"] == "live" for source in found[heir]["sources"].values())

    await watch.until(live, f"{heir}'s sources live", 30, [heir])
    return {"leader_s": round(taken, 3), "live_s": round(time.monotonic() - killed, 3)}
