"""``file`` sources: a local JSON or NDJSON file, read again when it changes (its mtime or size)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from wallapp.core.config.sources import FileSource
from wallapp.errors import SourceError
from wallapp.live.ingest import Ingest


def parse_ndjson(source: str, data: bytes) -> list[Any]:
    """One JSON value per line (blank lines skipped) -> the list of values."""
    values = []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            try:
                values.append(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise SourceError(source, f"line {number} of the file is not JSON") from None
            except RecursionError:
                raise SourceError(source, f"line {number} of the file is nested too deeply") from None
    return values


class FileReader:
    def __init__(self, spec: FileSource, ingest: Ingest, path: Path) -> None:
        self.spec = spec
        self.ingest = ingest
        self.path = path
        self.name = ingest.name
        self.ndjson = spec.format == "ndjson" or (
            spec.format == "auto" and path.suffix.lower() in (".ndjson", ".jsonl")
        )
        self._seen: tuple[int, int] | None = None

    async def once(self) -> None:
        """Read the file if it changed since it was last read well; raises ``SourceError`` on failure."""
        try:
            stat = os.stat(self.path)
            signature = (stat.st_mtime_ns, stat.st_size)
            if signature == self._seen:
                self.ingest.unchanged()
                return
            if stat.st_size > self.spec.max_bytes:
                raise SourceError(
                    self.name, f"the file ({stat.st_size:,} bytes) is over the cap of {self.spec.max_bytes:,}"
                )
            data = await asyncio.to_thread(self.path.read_bytes)
        except FileNotFoundError:
            raise SourceError(self.name, "file not found") from None
        except IsADirectoryError:
            raise SourceError(self.name, "is a directory, not a file") from None
        except OSError as exc:
            raise SourceError(self.name, f"cannot read the file: {exc.strerror or exc}") from None
        if self.ndjson:
            self.ingest.payload(parse_ndjson(self.name, data))
        else:
            await self.ingest.text(data, what="file")
        self._seen = signature
