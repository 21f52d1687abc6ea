"""Finding layouts and themes by name in a list of folders, or by path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wallapp.errors import DocumentError, Problem


class Catalog:
    """``*.json`` documents by name (file stem) from folders; earlier folders win."""

    def __init__(self, folders: list[Path], error: type[DocumentError]) -> None:
        self.folders = folders
        self.error = error

    def names(self) -> list[str]:
        found = {
            p.stem
            for folder in self.folders
            if folder.is_dir()
            for p in folder.glob("*.json")
            if not p.name.endswith(".schema.json")
        }
        return sorted(found)

    def has(self, name_or_path: str, base: Path | None = None) -> bool:
        try:
            self.path(name_or_path, base)
        except DocumentError:
            return False
        return True

    def path(self, name_or_path: str, base: Path | None = None) -> Path:
        """A name (``hub``) is looked up in the folders; a path (``x.json``, ``a/b``) is taken relative to
        ``base`` (the folder of the document naming it) or the working directory."""
        candidate = Path(name_or_path)
        if candidate.suffix == ".json" or len(candidate.parts) > 1:
            if base is not None and not candidate.is_absolute():
                candidate = base / candidate
            if not _is(candidate, Path.is_file):
                found = "is a directory, not a JSON file" if _is(candidate, Path.is_dir) else "file not found"
                raise self.error(candidate, [Problem("", found)])
            return candidate
        for folder in self.folders:
            if _is(folder / f"{name_or_path}.json", Path.is_file):
                return folder / f"{name_or_path}.json"
        known = ", ".join(self.names()) or "none"
        raise self.error(name_or_path, [Problem("", f"unknown {self.error.kind} (known: {known})")])


def _is(path: Path, kind: Callable[[Path], bool]) -> bool:
    """Whether ``path`` is a file (a folder); False for a name the system refuses to look up (a name
    longer than it allows, found by fuzzing a layout's theme: ``is_file`` raises for it)."""
    try:
        return kind(path)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return False
