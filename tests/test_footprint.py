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
import wallapp.qt.crossfade
print(sorted(name for name in ("numpy", "httpx._main", "rich", "pygments") if sys.modules.get(name)))
"""


def test_a_wall_loads_neither_numpy_nor_the_httpx_command_line_until_it_needs_them() -> None:
    """numpy (12 MB) comes with the first cross-fade or chart; httpx's command-line client (rich,
    pygments, click: 5 MB) never (uvicorn, the control API's server, brings click itself)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
