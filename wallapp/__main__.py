"""Entry point of ``wallapp`` and ``python -m wallapp``.

Ctrl+C while the program is still starting (importing Qt takes a moment) exits at once and quietly: a
KeyboardInterrupt inside an extension module's import can crash the interpreter. Once the wall runs,
``wallapp.app`` replaces this with a clean shutdown through the event loop.
"""

import os
import signal
import sys


def main() -> int:
    signal.signal(signal.SIGINT, lambda *_: os._exit(130))
    # httpx imports its command-line client (click, and rich and pygments where installed: 5 MB a wall
    # holds for nothing) unless it cannot: ``httpx.main`` then says so if called, which wallapp never does.
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    # httpcore imports trio where it is installed (the browser tests' selenium brings it: 52 modules,
    # 6 MB), to support programs running under trio; the wall runs under asyncio only.
    sys.modules["trio"] = None  # type: ignore[assignment]
    from wallapp.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
