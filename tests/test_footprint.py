"""What a wall holds in memory for nothing: libraries it imports but does not use while it runs."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
sys.argv = ["wallapp", "--version"]
from wallapp import __main__ as entry
try:
    entry.main()
except SystemExit:
    pass
import httpx
import wallapp.app
import wallapp.cli
import wallapp.qt.crossfade
print(sorted(name for name in UNUSED if sys.modules.get(name)))
"""

UNUSED = (
    "numpy",
    "httpx._main",
    "rich",
    "pygments",
    "trio",
    "starlette",
    "uvicorn",
    "aiomqtt",
    "paho",
    "websockets",
)
"""Loaded only by walls that use them: a cross-fade or chart (numpy), a control API with a token
(starlette, uvicorn), a wall of several PCs (aiomqtt, paho), a WebSocket source (websockets); httpx's
command-line client and httpcore's support for trio never."""


def test_a_wall_loads_no_library_it_does_not_use_yet() -> None:
    """numpy (12 MB) comes with the first cross-fade or chart; the control API's server (starlette,
    uvicorn: 6 MB) with a token; the MQTT client (1 MB) on a node of a wall of several PCs; the WebSocket
    client (1.5 MB) with a WebSocket source; httpx's command-line client (rich, pygments, click: 5 MB)
    never (uvicorn brings click itself), nor trio (6 MB), which httpcore imports wherever it is installed."""
    done = subprocess.run(
        [sys.executable, "-c", f"UNUSED = {UNUSED!r}\n{PROBE}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
