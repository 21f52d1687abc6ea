"""A real Mosquitto broker on 127.0.0.1 for the tests of a wall shared by several PCs.

Started on a free port with a configuration of its own in the test's folder, and stopped after; the test
is skipped, saying why, where Debian's ``mosquitto`` package is missing (``./dev test`` installs it).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from relay_node import TOPIC
from servers import free_port

from wallapp.core.config.layout import LoadedLayout, load_layout
from wallapp.core.config.nodes import BrokerOptions
from wallapp.core.config.settings import Settings
from wallapp.core.config.sources import TlsOptions
from wallapp.core.data.store import Store
from wallapp.core.timebase import ROUND_EVERY_S, TimeBase
from wallapp.live.broker import BrokerLink, linked
from wallapp.live.feeds import Feeds
from wallapp.live.network import Network

KEEPALIVE_S = 1
"""The broker gives a silent node up after 1.5 s."""

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
STARTS_WITHIN_S = 30.0  # a loaded machine


def need_mosquitto() -> None:
    if not Path(MOSQUITTO).is_file():
        pytest.skip("the MQTT broker Mosquitto is not installed (Debian package mosquitto; ./dev test)")


class Mosquitto:
    """A broker listening on 127.0.0.1 (anonymous, or only ``users`` with their passwords), which a test
    may stop and start again on the same port (a broker that goes away and comes back)."""

    def __init__(
        self, folder: Path, users: dict[str, str] | None = None, certificate: Path | None = None
    ) -> None:
        """``certificate``: TLS only, with this certificate and key (PEM, in one file)."""
        need_mosquitto()
        self.port = free_port()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"listener {self.port} 127.0.0.1", "persistence false", "log_dest stderr", "log_type error"]
        lines.append("set_tcp_nodelay true")  # as the README sets up the wall's broker: no Nagle delays
        # Started as root, Mosquitto becomes user mosquitto, who cannot read the test's private folder.
        lines.append(f"user {pwd.getpwuid(os.getuid()).pw_name}")
        if users is None:
            lines.append("allow_anonymous true")
        else:
            passwords = folder / "passwords"
            passwords.write_text("")
            passwords.chmod(0o600)
            for user, password in users.items():
                subprocess.run(
                    ["mosquitto_passwd", "-b", str(passwords), user, password],
                    check=True,
                    capture_output=True,
                )
            lines += ["allow_anonymous false", f"password_file {passwords}"]
        if certificate is not None:
            lines += [f"certfile {certificate}", f"keyfile {certificate}"]
        self.config = folder / "mosquitto.conf"
        self.config.write_text("\n".join(lines) + "\n")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.folder / "mosquitto.log").open("ab") as log:
            self.process = subprocess.Popen(
                [MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        try:
            _wait_listening(self.port, self.process)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        broker, self.process = self.process, None
        if broker is None:
            return
        broker.terminate()
        try:
            broker.wait(5)
        except subprocess.TimeoutExpired:
            broker.kill()
            broker.wait()


@contextlib.contextmanager
def mosquitto(
    folder: Path, users: dict[str, str] | None = None, certificate: Path | None = None
) -> Iterator[Mosquitto]:
    """A broker started for the block, and stopped after."""
    broker = Mosquitto(folder, users, certificate)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def _wait_listening(port: int, broker: subprocess.Popen[bytes]) -> None:
    """Until the broker accepts connections (a condition, polled: it is another process)."""
    deadline = time.monotonic() + STARTS_WITHIN_S
    while True:
        if broker.poll() is not None:
            pytest.fail(f"mosquitto exited with {broker.returncode} before listening on port {port}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            pytest.fail(f"mosquitto did not listen on port {port} within {STARTS_WITHIN_S:g} s")
        time.sleep(0.01)


# A wall's nodes in this process, on a layout whose one source reads posts.json beside it.


def write_posts(folder: Path, *ids: str) -> None:
    posts = [
        {"id": i, "text": f"post {i}", "created_at": f"2026-03-01T10:00:0{n}Z"} for n, i in enumerate(ids)
    ]
    temporary = folder / "posts.tmp"
    temporary.write_text(json.dumps({"data": posts}))
    temporary.replace(folder / "posts.json")


def layout(folder: Path) -> Path:
    """A layout whose one source reads posts.json beside it, often."""
    path = folder / "relayed.json"
    source = {
        "kind": "file",
        "path": "posts.json",
        "interval": 0.05,
        "mapping": {"record": "post", "items": "data"},
    }
    widget = {"id": "wall", "kind": "posts", "source": "posts", "place": {"screen": [0, 0]}}
    path.write_text(json.dumps({"name": "Relayed", "sources": {"posts": source}, "widgets": [widget]}))
    return path


def loaded(folder: Path) -> LoadedLayout:
    settings = Settings()
    return load_layout(layout(folder), settings.wall, settings.themes())


def ids(store: Store) -> list[str]:
    return sorted(record.id for record in store.records())


@contextlib.asynccontextmanager
async def node(
    name: str,
    port: int,
    folder: Path,
    clock: TimeBase | None = None,
    round_every: float = ROUND_EVERY_S,
    publish_every: float = 0.02,
) -> AsyncIterator[tuple[BrokerLink, Feeds]]:
    """A node in this process: its sources (not running until it leads) and its link, running;
    ``clock``: its time base (this process's clocks by default); ``publish_every``: its beat (health,
    reports)."""
    feeds = Feeds(None, leading=False)
    feeds.use(loaded(folder))
    options = BrokerOptions(host="127.0.0.1", port=port, topic=TOPIC, keepalive_s=KEEPALIVE_S)
    link = BrokerLink(
        options,
        name,
        feeds,
        publish_every=publish_every,
        clock=clock,
        round_every=round_every,
        report_every=0.2,
    )
    async with Network(TlsOptions(), None) as network:
        feeds.start(network)
        try:
            async with linked(link):
                yield link, feeds
        finally:
            await feeds.stop()
