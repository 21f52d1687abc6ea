"""Server-sent events read from a response, the memory they take bounded by the source's cap.

httpx-sse keeps a line until its end comes and an event's data lines until the blank line that ends it:
a server sending a line with no end, or ``data:`` lines with no blank line, grows the wall's memory for
ever, and a gzip-compressed stream is inflated 64 KiB of the wire at a time, whatever that becomes.
Here no line or event holds more than ``cap`` characters: what is past the cap is dropped as it comes,
and the event it belongs to is handed on marked ``over_cap`` (the reader skips it, saying so once).
The rules are the WHATWG event-stream rules, as httpx-sse follows them.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx

from wallapp.live.http import Inflater

PIECE = 64 * 1024
"""The most inflated at once from a compressed stream."""


@dataclass(frozen=True)
class Event:
    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None
    over_cap: bool = False
    """Its data, or one of its lines, was over the cap: what came past it was dropped."""


@dataclass
class _Lines:
    """Text split into lines at ``\\r\\n``, ``\\r`` or ``\\n``, each cut at ``cap`` characters."""

    cap: int
    _buffer: list[str] = field(default_factory=list)
    _held: int = 0
    _cut: bool = False
    _told: bool = False
    _trailing_cr: bool = False

    def feed(self, text: str) -> Iterator[tuple[str, bool]]:
        """The lines ``text`` ends, each with whether it was cut."""
        if self._trailing_cr:
            text = "\r" + text
            self._trailing_cr = False
        if text.endswith("\r"):  # maybe half of a \r\n: decided with what comes next
            self._trailing_cr, text = True, text[:-1]
        parts = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for part in parts[:-1]:
            self._keep(part)
            yield self._take()
        self._keep(parts[-1])

    def cut_unfinished(self) -> bool:
        """Whether the line still coming has just gone over the cap (true once a line): a line may never
        end, and the reader says so at once rather than at its end."""
        if self._cut and not self._told:
            self._told = True
            return True
        return False

    def flush(self) -> Iterator[tuple[str, bool]]:
        if self._buffer or self._trailing_cr:
            self._trailing_cr = False
            yield self._take()

    def _keep(self, part: str) -> None:
        room = self.cap - self._held
        if len(part) > room:
            part, self._cut = part[: max(room, 0)], True
        if part:
            self._buffer.append(part)
            self._held += len(part)

    def _take(self) -> tuple[str, bool]:
        line, cut = "".join(self._buffer), self._cut
        self._buffer, self._held, self._cut, self._told = [], 0, False, False
        return line, cut


@dataclass
class _Events:
    """Lines to events (the WHATWG rules), an event's data no longer than ``cap`` characters."""

    cap: int
    last_id: str = ""
    _event: str = ""
    _data: list[str] = field(default_factory=list)
    _size: int = 0
    _over: bool = False
    _handed: bool = False
    """The event, over the cap, was handed on already (while a line of it had not ended)."""
    _retry: int | None = None

    def line(self, line: str, cut: bool) -> Event | None:
        if not line and not cut:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._size += len(value) + 1
            if (cut or self._size > self.cap) and not self._over:
                return self.over_cap()
            if not self._over:
                self._data.append(value)
        elif cut:  # another field cut short: its value is unusable, and ignored
            return None
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self.last_id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _reset(self) -> None:
        self._event, self._data, self._size, self._retry = "", [], 0, None
        self._over = self._handed = False

    def over_cap(self) -> Event:
        """The event being read, over the cap already: handed on now (its end may never come), and not
        again when it ends."""
        self._over, self._data, self._handed = True, [], True
        return Event(self._event or "message", "", self.last_id, self._retry, over_cap=True)

    def _dispatch(self) -> Event | None:
        handed, kind = self._handed, self._event or "message"  # the type of an event that names none
        event = Event(kind, "\n".join(self._data), self.last_id, self._retry, self._over)
        empty = not (self._event or self._data or self._over or self.last_id or self._retry is not None)
        self._reset()
        return None if handed or empty else event


async def read_events(response: httpx.Response, cap: int) -> AsyncIterator[Event]:
    """The events of an event-stream response, as they come (a gzip or deflate stream inflated here,
    a piece at a time)."""
    inflater = Inflater.for_encoding(response.headers.get("content-encoding", ""))
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines, events = _Lines(cap), _Events(cap)
    chunks = response.aiter_raw() if inflater is not None else response.aiter_bytes()
    async for chunk in chunks:
        for piece in inflater.pieces(chunk, PIECE) if inflater is not None else (chunk,):
            for line, cut in lines.feed(text.decode(piece)):
                if (event := events.line(line, cut)) is not None:
                    yield event
            if lines.cut_unfinished():
                yield events.over_cap()
    for line, cut in (*lines.feed(text.decode(b"", final=True)), *lines.flush()):
        if (event := events.line(line, cut)) is not None:
            yield event
