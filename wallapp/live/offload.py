"""Work too long for the UI thread's interpreter, done in another process.

A worker thread does not help with work that holds the interpreter lock: ``json.loads`` of tens of MB
holds it for its whole call, and mapping, moderation and the garbage collector of a hundred thousand
records hold it most of the time, so every screen froze while a big payload was read. Another process
has its own interpreter. It costs a start (about a second of imports, on another core), so it is
started only when a job first needs it, kept for the next, and hands its freed memory back to the
system after each job.

The payload goes down the pipe as it is, written from a worker thread with the lock released: pickled,
as a process pool would send it, it would be copied whole first, lock held (tens of ms for 40 MB) and
memory doubled.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeAlias, TypeVar

from wallapp import heap

T = TypeVar("T")
Data: TypeAlias = bytes | bytearray | memoryview


class WorkerGone(RuntimeError):
    """The worker process ended during a job (killed, or out of memory); the next job starts another."""


class WorkerFailed(RuntimeError):
    """The job raised in the worker process (a bug: jobs report bad input as their result)."""


class Offload:
    """One worker process, started on first use: ``await offload.run(function, data, *args)`` calls
    ``function(data, *args)`` there and returns its result.

    ``data`` is bytes-like, sent as it is; ``function`` (module-level), ``args`` and the result are
    pickled. The process is spawned, not forked: the wall's own threads (Qt's, the loop's) must not be
    copied half-way through what they do. Jobs run one at a time.
    """

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._pipe: Connection | None = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._process is not None

    async def run(self, function: Callable[..., T], data: Data, *args: Any) -> T:
        return await asyncio.to_thread(self._call, function, data, args)

    def _call(self, function: Callable[..., T], data: Data, args: tuple[Any, ...]) -> T:
        with self._lock:  # held until the answer is in, even when the awaiting task was cancelled
            pipe = self._pipe if self._pipe is not None else self._start()
            try:
                pipe.send((function, args))
                pipe.send_bytes(data)
                ok, result = pipe.recv()
            except (EOFError, OSError):
                self._stop()
                raise WorkerGone("the worker process ended during the job") from None
        if not ok:
            raise WorkerFailed(f"{getattr(function, '__name__', function)} failed in the worker:\n{result}")
        return result  # type: ignore[no-any-return]

    def _start(self) -> Connection:
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs,), name="wallapp offload", daemon=True)
        self._process.start()
        theirs.close()
        return self._pipe

    def _stop(self) -> None:
        pipe, process, self._pipe, self._process = self._pipe, self._process, None, None
        if pipe is not None:
            pipe.close()  # the worker's next read ends: it exits
        if process is not None:
            process.join(0)

    def close(self) -> None:
        """Let the worker go, ending the job it may have (nobody waits for it any more: its sources
        have stopped); the caller does not wait."""
        if self._lock.acquire(blocking=False):
            try:
                self._stop()
            finally:
                self._lock.release()
        elif (process := self._process) is not None:
            process.terminate()  # the thread waiting for the job then lets the rest go


def _serve(pipe: Connection) -> None:
    """The worker: jobs until the pipe closes. Ctrl+C in the terminal is the wall's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            function, args = pipe.recv()
            data = pipe.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            answer = (True, function(data, *args))
        except Exception:
            answer = (False, traceback.format_exc())
        del data
        heap.trim()
        pipe.send(answer)
