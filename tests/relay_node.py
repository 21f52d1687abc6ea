"""A node of a wall in a process of its own, without windows: its sources and its broker link, until it is
killed (the tests of a leader that crashes or freezes).

    python relay_node.py PORT NODE LAYOUT.json KEEPALIVE_S
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from wallapp.core.config.layout import load_layout
from wallapp.core.config.nodes import BrokerOptions
from wallapp.core.config.settings import Settings
from wallapp.core.config.sources import TlsOptions
from wallapp.live.broker import BrokerLink
from wallapp.live.feeds import Feeds
from wallapp.live.network import Network

TOPIC = "wallapp/test"


async def node(port: int, name: str, layout: Path, keepalive: int) -> None:
    settings = Settings()
    feeds = Feeds(None, leading=False)
    feeds.use(load_layout(layout, settings.wall, settings.themes()))
    options = BrokerOptions(host="127.0.0.1", port=port, topic=TOPIC, keepalive_s=keepalive)
    async with Network(TlsOptions(), None) as network:
        feeds.start(network)
        await BrokerLink(options, name, feeds).run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format=f"{sys.argv[2]}: %(message)s")
    asyncio.run(node(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])))
