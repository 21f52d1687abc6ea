"""The event loop: asyncio on Qt's loop (qasync), with asyncio's async-generator hooks.

qasync's ``run_forever`` does not install the hooks that asyncio's own loops do, so an async generator
left mid-iteration (an HTTP body abandoned past a size cap, a stream dropped on reconnect) would be
finalised by the garbage collector outside the loop: "async generator ignored GeneratorExit" and an
unclosed connection. With the hooks, it is closed on the loop, as asyncio intends.
"""

from __future__ import annotations

import sys
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication


class WallLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync ships no type information
    def run_forever(self) -> Any:
        previous = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook
        )
        try:
            return super().run_forever()
        finally:
            sys.set_asyncgen_hooks(*previous)

    def close(self) -> None:
        if not self.is_closed():
            self.run_until_complete(self.shutdown_asyncgens())
        super().close()


def event_loop(app: QApplication) -> WallLoop:
    return WallLoop(app)
