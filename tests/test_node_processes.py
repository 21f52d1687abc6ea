"""Two ``wallapp run --node`` processes on offscreen screens share a wall over Mosquitto: one leads, the
other shows what it relays, and takes the lead when the leader is killed. Watched through each node's
control API, as an operator would."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from brokers import layout, mosquitto, write_posts
from relay_node import TOPIC
from servers import free_port

from wallapp.ctl import describe

HERE = Path(__file__).parent
TOKEN = "node-test-token"
Status = dict[str, Any]


def config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "wallapp.toml"
    path.write_text(
        f'layouts_dirs = ["{tmp_path}"]\n'
        f'[control]\ntoken = "{TOKEN}"\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\ntopic = "{TOPIC}"\nkeepalive_s = 1\n'
        '[[nodes]]\nname = "a"\nscreens = [[0, 0], [1, 0], [2, 0]]\n'
        '[[nodes]]\nname = "b"\nscreens = [[0, 1], [1, 1], [2, 1]]\n'
    )
    return path


@contextlib.contextmanager
def wall_node(
    tmp_path: Path,
    name: str,
    settings: Path,
    control: int,
    shown: Path | None = None,
    screens: str = "six-screens.json",
) -> Iterator[subprocess.Popen[bytes]]:
    """``wallapp run --node NAME`` on offscreen screens (six, or as ``screens`` in tests/ says), its
    control API on ``control``, showing ``shown`` (the relayed posts' layout by default)."""
    home = tmp_path / f"home-{name}"
    environ = {
        **os.environ,
        "PYTHONPATH": str(HERE.parent),
        "QT_QPA_PLATFORM": f"offscreen:configfile={HERE / screens}",
        "WALLAPP_CONTROL__LISTEN": f"127.0.0.1:{control}",
        **{variable: str(home / variable.lower()) for variable in ("XDG_CACHE_HOME", "XDG_STATE_HOME")},
    }
    command = [sys.executable, "-m", "wallapp", "run", str(shown or layout(tmp_path))]
    command += ["--config", str(settings), "--node", name]
    with (tmp_path / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(command, env=environ, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        process.wait()


async def status_when(
    port: int, holds: Callable[[Status], bool], what: str, process: subprocess.Popen[bytes]
) -> Status:
    """The node's status once ``holds`` is true of it (the node starting: no answer yet)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60  # two Qt processes starting on a loaded machine
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=2) as client:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the node exited ({process.returncode}) while waiting for {what}")
            with contextlib.suppress(httpx.TransportError):
                answer = await client.get(f"http://127.0.0.1:{port}/status")
                status: Status = answer.json()
                if answer.status_code == 200 and holds(status):
                    return status
            if loop.time() > deadline:
                pytest.fail(f"timed out waiting for {what}")
            await asyncio.sleep(0.1)


async def switched_everywhere(
    tmp_path: Path, leader: tuple[int, subprocess.Popen[bytes]], follower: tuple[int, subprocess.Popen[bytes]]
) -> None:
    """A layout switch asked of the follower's control API: shown by both nodes at the same instant."""
    second = tmp_path / "second.json"
    second.write_text(layout(tmp_path).read_text().replace('"Relayed"', '"Second"'))
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as client:
        answer = await client.post(f"http://127.0.0.1:{follower[0]}/layout", json={"layout": "second"})
        assert answer.status_code == 200, answer.text
    statuses = [
        await status_when(port, lambda s: s["title"] == "Second", "the second layout", process)
        for port, process in (leader, follower)
    ]
    shown = [status["node"] for status in statuses]
    lines = describe(statuses[1]).splitlines()
    assert any(line.startswith("last switch: layout second asked by b, shown +") for line in lines), lines
    # The whole wall in either node's status, as each node last reported.
    reports = await status_when(
        follower[0],
        lambda s: [n.get("showing") for n in s["node"]["wall"]] == ["layout second"] * 2,
        "both nodes' reports of the second layout",
        follower[1],
    )
    lines = describe(reports).splitlines()
    assert any(line.startswith("wall node a: leader, layout second, time ") for line in lines), lines
    assert shown[0]["switched"]["id"] == shown[1]["switched"]["id"]
    assert shown[0]["switched"]["by"] == "b"
    # Each node's shared instant of the switch (on its estimate of a's clock): within two frames.
    instants = [node["switched"]["shown_at"] for node in shown]
    assert abs(instants[0] - instants[1]) < 2 / 60, shown


def role(name: str) -> Callable[[Status], bool]:
    return lambda status: (status.get("node") or {}).get("role") == name


@pytest.mark.asyncio
async def test_two_wallapp_processes_lead_follow_and_take_over(tmp_path: Path) -> None:
    write_posts(tmp_path, "p1", "p2")
    with mosquitto(tmp_path / "broker") as broker:
        settings = config(tmp_path, broker.port)
        a_port, b_port = free_port(), free_port()
        with wall_node(tmp_path, "a", settings, a_port) as a:
            leader = await status_when(a_port, role("leader"), "a, alone, to lead", a)
            with wall_node(tmp_path, "b", settings, b_port) as b:
                follower = await status_when(
                    b_port,
                    lambda s: role("follower")(s) and s["sources"]["posts"]["state"] == "live",
                    "b to follow, live",
                    b,
                )
                assert leader["screens"]["windows"] == follower["screens"]["windows"] == 3
                assert follower["node"]["leader"] == "a"
                assert follower["node"]["online"] == ["a", "b"]
                said = f"node: b, follows a (online: a, b), broker mqtt://127.0.0.1:{broker.port}"
                assert said in describe(follower).splitlines()
                timed = await status_when(b_port, lambda s: s["node"]["time"]["samples"] > 0, "b's time", b)
                clock = timed["node"]["time"]
                assert clock["leader"] == "a"
                assert abs(clock["offset_ms"]) <= clock["delay_ms"] + 1  # one PC: one clock
                lines = describe(timed).splitlines()
                assert any(line.startswith("time base: a's, ") for line in lines), lines
                await switched_everywhere(tmp_path, (a_port, a), (b_port, b))
                a.send_signal(signal.SIGKILL)
                taken = await status_when(b_port, role("leader"), "b to take the lead", b)
                assert taken["node"]["online"] == ["b"]
                await status_when(
                    b_port, lambda s: s["sources"]["posts"]["state"] == "live", "b's own source", b
                )
