"""``wallapp bench --faults --soak SECONDS``: the wall left running for hours while its backends misbehave.

The bench starts the backends on 127.0.0.1, each in a process of its own: the demo server (HTTP polls, SSE,
WebSocket) and the posts feed (SSE at 10 posts/s on each stream). Two sources (``FLAPPING``: an HTTP poll
and a WebSocket) reach the demo server through a port of their own that the bench cuts and restores, over
and over, half a cycle apart (``Cut``). It writes the file sources' files every ``file_every`` seconds.
The wall runs in a child process (``wallapp.bench.soak_wall``), so a crash is seen, counted and the wall
started again for the time left.

What is recorded:

- each sample (every ``sample_every`` seconds): the time, the child's RSS and PSS read from ``/proc``, the
  widgets found blank in the rendered canvas, the widgets not showing data, the sources' states;
- the memory every ``memory_every`` seconds, for the growth per hour (fitted over the run's second half);
- every log line of the wall naming a source: for a flapping source, attributed to the outage it follows
  (failure lines and recovery lines apart); for any other source, counted as unexpected;
- crashes: the child ending before its time, with its exit status and last lines.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from wallapp.bench import stats
from wallapp.bench.feed import FeedServer, free_port
from wallapp.bench.memory import MB
from wallapp.bench.soak_layouts import FILES, FLAPPING, KINDS, Backends, sources, write, write_file_source
from wallapp.bench.wall import offscreen_platform
from wallapp.core.config.settings import Settings
from wallapp.errors import WallError

FEED_RATE = 10.0
START_S = 60.0
"""Longest a server or the wall may take to start."""
_SOURCE = re.compile(r"source '([^']+)'")


@dataclass(frozen=True)
class Schedule:
    """When things happen, in seconds from the start (settable, so a test runs it in seconds)."""

    seconds: float
    switch_every: float = 60.0
    flap_up: float = 100.0
    """Each flapping source's server is up this long, then down ``flap_down``, and again (the second one
    half a cycle later than the first)."""
    flap_down: float = 20.0
    sample_every: float = 900.0
    file_every: float = 2.0
    poll_every: float = 5.0
    """The HTTP sources' interval."""
    memory_every: float = 10.0
    """Seconds between two readings of the wall's memory (for the growth figure)."""

    def check(self) -> None:
        if self.seconds <= 0:
            raise WallError("--faults needs --soak SECONDS above 0")
        every = [self.switch_every, self.flap_up, self.flap_down, self.sample_every, self.file_every]
        if min(every) <= 0 or min(self.poll_every, self.memory_every) <= 0:
            raise WallError("--switch-every, --flap-up, --flap-down and --sample-every must be above 0")

    def down(self, flapper: int, elapsed: float) -> bool:
        """Whether flapping server ``flapper`` (0 or 1) is to be down at ``elapsed``."""
        cycle = self.flap_up + self.flap_down
        phase = elapsed - flapper * cycle / 2
        return phase >= 0 and phase % cycle >= self.flap_up


class Backend:
    """A server in a process of its own on a free port of 127.0.0.1."""

    def __init__(self, argv: Callable[[int], list[str]], port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._argv = argv
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            self._argv(self.port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_listening(self, timeout: float = START_S) -> None:
        deadline = time.monotonic() + timeout
        while not self.listening():
            if self._process is None or self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the soak's server on port {self.port} did not start")
            time.sleep(0.05)

    def listening(self) -> bool:
        import socket

        with socket.socket() as attempt:
            return attempt.connect_ex(("127.0.0.1", self.port)) == 0

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None


class Cut:
    """A TCP relay on a port of 127.0.0.1 of its own to a server's port, which the bench cuts and restores:
    cut, the port refuses connections and those open are closed at once, as when the server's process
    dies; restored, it listens again on the same port. Instant both ways (a server's process takes
    seconds to start again on a loaded machine), so outages last what the schedule says."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.restore()

    def _call(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(10)

    def restore(self) -> None:
        self._call(self._listen())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream, onward = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, onward}
        try:
            await asyncio.gather(_pipe(reader, onward), _pipe(upstream, writer))
        finally:
            self._open -= {writer, onward}


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except OSError:
        pass
    finally:
        sink.close()


def demo_server(port: int) -> list[str]:
    return [sys.executable, "-m", "wallapp", "demo-server", "--port", str(port)]


@dataclass
class Episode:
    """One outage of a flapping server, and the wall's log lines about its source until the next one."""

    down_s: float
    up_s: float | None = None
    failure_lines: int = 0
    recovery_lines: int = 0
    lines: list[str] = field(default_factory=list)
    """The first few lines, as the wall wrote them."""


@dataclass
class Flapper:
    source: str
    cut: Cut
    index: int
    episodes: list[Episode] = field(default_factory=list)
    down: bool = False


class Lines:
    """A child's output read line by line on a thread, each line with the moment it came."""

    def __init__(self, stream: IO[bytes], clock: Callable[[], float]) -> None:
        self.queue: queue.Queue[tuple[float, str]] = queue.Queue()
        self._stream = stream
        self._clock = clock
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for raw in self._stream:
            self.queue.put((self._clock(), raw.decode("utf-8", "replace").rstrip("\n")))

    def drain(self) -> Iterator[tuple[float, str]]:
        while True:
            try:
                yield self.queue.get_nowait()
            except queue.Empty:
                return

    def join(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)


def memory_of(pid: int) -> tuple[float, float] | None:
    """RSS and PSS of process ``pid`` in MB (Linux's ``smaps_rollup``); None when it cannot be read."""
    found: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    found[key] = int(rest.split()[0]) * 1024 / MB
    except (OSError, ValueError, IndexError):
        return None
    if "Rss" not in found or "Pss" not in found:
        return None
    return round(found["Rss"], 1), round(found["Pss"], 1)


def picture_folder(path: Path) -> Path:
    """``--pictures``: the folder made if it is not there, at the start (the wall would otherwise fail at
    its first sample and be started again and again for the whole soak)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WallError(f"--pictures {path}: {exc.strerror or exc}") from None
    return path


class FaultSoak:
    """The backends, the wall in its child process, and what is recorded (see the module)."""

    def __init__(
        self, settings: Settings, schedule: Schedule, folder: Path, pictures: Path | None = None
    ) -> None:
        """``pictures``: a folder where the wall saves each sample's rendered canvas, to look at."""
        self.settings = settings
        self.pictures = pictures
        self.schedule = schedule
        self.folder = folder
        self.clock = time.monotonic
        self.start = 0.0
        self.samples: list[dict[str, Any]] = []
        self.memory: list[tuple[float, float, float]] = []
        self.crashes: list[dict[str, Any]] = []
        self.unexpected: dict[str, int] = {}
        """Log lines naming a source that is not flapping (none expected), by source."""
        self.other_lines: list[str] = []
        """Log lines naming no source at warning level or above (the first few kept)."""
        self.log_lines = 0
        self.walls_started = 0
        self.file_writes = 0
        self._tail: list[str] = []
        self._shown = False
        """Whether the wall's windows are shown: its memory is read from then on (not while it imports)."""

    def elapsed(self) -> float:
        return self.clock() - self.start

    def run(self) -> dict[str, Any]:
        self.schedule.check()
        if self.pictures is not None:
            picture_folder(self.pictures)
        demo = Backend(demo_server)
        feed: FeedServer | None = None
        flappers: list[Flapper] = []
        try:
            demo.start()
            feed = FeedServer(FEED_RATE)
            demo.wait_listening()
            flappers = [Flapper(name, Cut(demo.port), n) for n, name in enumerate(FLAPPING)]
            urls = Backends(demo.url, feed.url, flappers[0].cut.url, flappers[1].cut.url)
            layouts = write(self.folder / "layouts", urls, self.schedule.poll_every)
            self.start = self.clock()
            self._soak(layouts, flappers)
        finally:
            for flapper in flappers:
                flapper.cut.close()
            demo.kill()
            if feed is not None:
                feed.close()
        return self._results(flappers)

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["QT_QPA_PLATFORM"] = offscreen_platform(self.settings.wall, self.folder)
        env["WALLAPP_CACHE_DIR"] = str(self.folder / "cache")
        return env

    def _start_wall(
        self, layouts: list[Path], seconds: float
    ) -> tuple[subprocess.Popen[bytes], Lines, Lines]:
        """The wall's process, and its stdout and stderr read line by line."""
        self.walls_started += 1
        self._shown = False
        schedule = self.schedule
        command = [sys.executable, "-m", "wallapp.bench.soak_wall", *(str(p) for p in layouts)]
        command += ["--seconds", str(seconds), "--switch-every", str(schedule.switch_every)]
        command += ["--sample-every", str(schedule.sample_every)]
        if self.pictures is not None:
            command += ["--pictures", str(self.pictures)]
        wall = subprocess.Popen(
            command,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert wall.stdout is not None
        assert wall.stderr is not None
        return wall, Lines(wall.stdout, self.clock), Lines(wall.stderr, self.clock)

    def _soak(self, layouts: list[Path], flappers: list[Flapper]) -> None:
        schedule = self.schedule
        wall, out, err = self._start_wall(layouts, schedule.seconds)
        next_file = next_memory = 0.0
        finished = False
        try:
            while not finished:
                elapsed = self.elapsed()
                for flapper in flappers:
                    self._flap(flapper, elapsed)
                if elapsed >= next_file:
                    self.file_writes += 1
                    for name in FILES:
                        write_file_source(self.folder / "layouts", name, self.file_writes)
                    next_file += schedule.file_every
                if elapsed >= next_memory:
                    if self._shown and (found := memory_of(wall.pid)) is not None:
                        self.memory.append((elapsed, *found))
                    next_memory += schedule.memory_every
                self._read_samples(out, wall.pid)
                self._read_log(err, flappers)
                if wall.poll() is not None:
                    _close(wall, out, err)
                    self._read_samples(out, wall.pid)
                    self._read_log(err, flappers)
                    finished = self._ended(wall, layouts)
                    if not finished:
                        wall, out, err = self._start_wall(layouts, schedule.seconds - self.elapsed())
                    continue
                if elapsed > schedule.seconds + START_S + 2 * schedule.sample_every:
                    self.crashes.append({"t": round(elapsed, 1), "why": "the wall did not end in time"})
                    finished = True
                time.sleep(0.2)
        finally:
            if wall.poll() is None:
                wall.kill()
                wall.wait()
            _close(wall, out, err)

    def _ended(self, wall: subprocess.Popen[bytes], layouts: list[Path]) -> bool:
        """The wall's process ended: at its time, or a crash (then True only when too little time is
        left to start it again)."""
        last = bool(self.samples) and bool(self.samples[-1].get("last"))
        if wall.returncode == 0 and last:
            return True
        self.crashes.append(
            {"t": round(self.elapsed(), 1), "exit_status": wall.returncode, "last_lines": self._tail[-20:]}
        )
        return self.schedule.seconds - self.elapsed() < START_S

    def _flap(self, flapper: Flapper, elapsed: float) -> None:
        """Cut or restore the flapping source's server as the schedule says."""
        down = self.schedule.down(flapper.index, elapsed)
        if down and not flapper.down:
            flapper.cut.cut()
            flapper.episodes.append(Episode(elapsed))  # exact: a line at once after it is in it
            flapper.down = True
        elif not down and flapper.down:
            flapper.cut.restore()
            flapper.episodes[-1].up_s = elapsed
            flapper.down = False

    def _read_samples(self, lines: Lines, pid: int) -> None:
        for moment, line in lines.drain():
            if line == "READY":
                self._shown = True
            if not line.startswith("SAMPLE "):
                continue
            sample = json.loads(line.removeprefix("SAMPLE "))
            sample["t"] = round(moment - self.start, 1)
            found = memory_of(pid)
            if found is None and self.memory:  # the wall has just ended: its last reading
                sample["memory_at_s"], rss, pss = self.memory[-1]
                found = rss, pss
            sample["rss_mb"], sample["pss_mb"] = found if found is not None else (None, None)
            self.samples.append(sample)
            # The soak's progress (hours long): each sample on stderr as it comes, whatever happens later.
            progress = {k: sample[k] for k in ("t", "layout", "switches", "rss_mb", "pss_mb", "blank")}
            progress["memory"] = sample.get("memory")
            progress["why_blank"] = sample.get("why_blank")
            progress["not_ready"] = len(sample["not_ready"])
            progress["unexpected_lines"] = sum(self.unexpected.values())
            print("fault soak: " + json.dumps(progress), file=sys.stderr, flush=True)

    def _read_log(self, lines: Lines, flappers: list[Flapper]) -> None:
        by_source = {f.source: f for f in flappers}
        for moment, line in lines.drain():
            self.log_lines += 1
            self._tail = [*self._tail[-40:], line]
            match = _SOURCE.search(line)
            if match is None:
                if not line.startswith("wallapp: ") or _routine(line):
                    continue
                if len(self.other_lines) < 20:
                    self.other_lines.append(line)
                print(f"fault soak: at {moment - self.start:.1f} s: {line}", file=sys.stderr, flush=True)
                continue
            name = match.group(1)
            flapper = by_source.get(name)
            episode = _episode_at(flapper.episodes, moment - self.start) if flapper else None
            if episode is None:
                self.unexpected[name] = self.unexpected.get(name, 0) + 1
                if len(self.other_lines) < 20:
                    self.other_lines.append(line)
                print(f"fault soak: at {moment - self.start:.1f} s: {line}", file=sys.stderr, flush=True)
                continue
            if "recovered after" in line:
                episode.recovery_lines += 1
            else:
                episode.failure_lines += 1
            if len(episode.lines) < 4:
                episode.lines.append(line)

    def _results(self, flappers: list[Flapper]) -> dict[str, Any]:
        ran = self.elapsed()
        samples = self.samples
        half = [(t, pss) for t, _, pss in self.memory if t >= ran / 2]
        growth = stats.growth_per_hour(half) if ran >= 600 else None
        hours = _nearest(self.memory, 3600.0, ran)
        quarter_hours = _nearest(self.memory, 900.0, ran)
        episodes = {f.source: [_rounded(asdict(e)) for e in f.episodes] for f in flappers}
        return {
            "seconds": round(ran, 1),
            "planned_s": self.schedule.seconds,
            "schedule": asdict(self.schedule),
            "feed_posts_per_s": FEED_RATE,
            "sources": {
                kind: [n for n, s in sources(_PLACEHOLDER).items() if s["kind"] == kind] for kind in KINDS
            },
            "flapping": list(FLAPPING),
            "walls_started": self.walls_started,
            "crashes": len(self.crashes),
            "crash_details": self.crashes,
            "samples": samples,
            "memory": {
                "rss_start_mb": self.memory[0][1] if self.memory else None,
                "rss_end_mb": self.memory[-1][1] if self.memory else None,
                "pss_start_mb": self.memory[0][2] if self.memory else None,
                "pss_end_mb": self.memory[-1][2] if self.memory else None,
                "pss_growth_mb_per_hour": None if growth is None else round(growth, 2),
                "readings": len(self.memory),
                "each_15_min": [{"t": t, "rss_mb": r, "pss_mb": p} for t, r, p in quarter_hours],
                "each_hour": [{"t": t, "rss_mb": r, "pss_mb": p} for t, r, p in hours],
            },
            "widgets_checked": sum(s["widgets"] for s in samples),
            "blank_widgets": sum(len(s["blank"]) for s in samples),
            "not_ready_widgets": sum(len(s["not_ready"]) for s in samples),
            "switches": sum(s["switches"] for s in samples if s.get("last")),
            "switch_failures": sum(s["switch_failures"] for s in samples if s.get("last")),
            "file_writes": self.file_writes,
            "episodes": episodes,
            "episode_lines": {source: _lines_per_episode(found) for source, found in episodes.items()},
            "unexpected_source_lines": self.unexpected,
            "other_lines": self.other_lines,
            "log_lines": self.log_lines,
        }


_PLACEHOLDER = Backends("http://demo", "http://feed", "http://flap-1", "http://flap-2")


def _rounded(episode: dict[str, Any]) -> dict[str, Any]:
    return episode | {key: round(episode[key], 1) for key in ("down_s", "up_s") if episode[key] is not None}


def _close(wall: subprocess.Popen[bytes], *lines: Lines) -> None:
    """The ended wall's output read to its end, and its pipes closed."""
    for each in lines:
        each.join()
    for stream in (wall.stdout, wall.stderr):
        if stream is not None:
            stream.close()


def _nearest(
    readings: list[tuple[float, float, float]], every: float, ran: float
) -> list[tuple[float, float, float]]:
    """The reading nearest each multiple of ``every`` seconds up to ``ran`` (the first reading for 0)."""
    found = []
    for number in range(int(ran // every) + 1):
        if readings:
            found.append(min(readings, key=lambda reading: abs(reading[0] - number * every)))
    return found


def _routine(line: str) -> bool:
    """An INFO line of a wall at work: switching, reloading, showing."""
    return any(word in line for word in ("switched to", "reloaded", "showing ", "renderer:"))


def _episode_at(episodes: list[Episode], elapsed: float) -> Episode | None:
    """The outage a line at ``elapsed`` belongs to: the last one begun by then (None before the first)."""
    found = None
    for episode in episodes:
        if episode.down_s <= elapsed:
            found = episode
    return found


def _lines_per_episode(episodes: list[dict[str, Any]]) -> dict[str, Any]:
    failures = [e["failure_lines"] for e in episodes]
    return {
        "episodes": len(episodes),
        "with_one_failure_line": sum(1 for n in failures if n == 1),
        "failure_lines_max": max(failures, default=0),
        "failure_lines_min": min(failures, default=0),
        "recovery_lines": sum(e["recovery_lines"] for e in episodes),
    }


def run(settings: Settings, schedule: Schedule, pictures: Path | None = None) -> dict[str, Any]:
    """The fault soak, as the schedule says; its results (see the module)."""
    schedule.check()
    with tempfile.TemporaryDirectory(prefix="wallapp-soak-") as temporary:
        return FaultSoak(settings, schedule, Path(temporary), pictures).run()


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def markdown(results: dict[str, Any]) -> str:
    """The figures as markdown: a summary, a row per sample, a row per flapping source."""
    memory = results["memory"]
    growth = memory["pss_growth_mb_per_hour"]
    lines = [
        f"Fault soak: {results['seconds'] / 60:.1f} minutes run "
        f"(of {results['planned_s'] / 60:.1f} planned), "
        f"{sum(len(v) for v in results['sources'].values())} sources, "
        f"{len(results['flapping'])} flapping, "
        f"posts at {results['feed_posts_per_s']:.0f}/s on each feed stream, "
        f"a switch every {results['schedule']['switch_every']:g} s",
        "",
        "| figure | measured |",
        "| --- | --- |",
        f"| crashes | {results['crashes']} (wall started {results['walls_started']} time(s)) |",
        f"| layout switches | {results['switches']} ({results['switch_failures']} failed) |",
        f"| widgets found blank | {results['blank_widgets']} of {results['widgets_checked']} checked |",
        f"| widgets not showing data | {results['not_ready_widgets']} of {results['widgets_checked']} |",
        f"| memory, PSS start / end | {_mb(memory['pss_start_mb'])} / {_mb(memory['pss_end_mb'])} MB |",
        f"| memory, RSS start / end | {_mb(memory['rss_start_mb'])} / {_mb(memory['rss_end_mb'])} MB |",
        "| PSS growth (second half) | "
        + ("not measured (under 10 minutes)" if growth is None else f"{growth:+.2f} MB/h")
        + " |",
        "| log lines naming a source that was not flapping | "
        f"{sum(results['unexpected_source_lines'].values())} |",
        "",
        "| time | layout | RSS MB | PSS MB | C heap in use / free MB | pictures MB | objects "
        "| blank widgets | not showing data | sources not live |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for sample in results["samples"]:
        not_live = sorted(n for n, state in sample.get("sources", {}).items() if state != "live")
        inside = sample.get("memory", {})
        lines.append(
            f"| {sample['t'] / 60:.1f} min | {sample['layout']} | {_mb(sample['rss_mb'])} | "
            f"{_mb(sample['pss_mb'])} | {_mb(inside.get('heap_used_mb'))} / "
            f"{_mb(inside.get('heap_free_mb'))} | {_mb(inside.get('pictures_mb'))} | "
            f"{inside.get('python_objects', '-')} | {len(sample['blank'])} of {sample['widgets']} | "
            f"{len(sample['not_ready'])} | {', '.join(not_live) or '-'} |"
        )
    lines += [
        "",
        "| flapping source | outages | with exactly one failure line | failure lines min / max "
        "| recovery lines |",
        "| --- | --- | --- | --- | --- |",
    ]
    for source, found in results["episode_lines"].items():
        lines.append(
            f"| {source} | {found['episodes']} | {found['with_one_failure_line']} | "
            f"{found['failure_lines_min']} / {found['failure_lines_max']} | {found['recovery_lines']} |"
        )
    return "\n".join(lines)


def present(results: dict[str, Any], json_path: Path | None, say: Callable[[str], None] = print) -> None:
    say(markdown(results))
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        say(f"\nresults written to {json_path}")
