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
    from wallapp.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
