"""Finding layouts and themes by name in a list of folders, or by path."""

from __future__ import annotations

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

    def has(self, name_or_path: str) -> bool:
        try:
            self.path(name_or_path)
        except DocumentError:
            return False
        return True

    def path(self, name_or_path: str) -> Path:
        """A name (``hub``) is looked up in the folders; anything that looks like a path is taken as is."""
        candidate = Path(name_or_path)
        if candidate.suffix == ".json" or len(candidate.parts) > 1:
            return candidate
        for folder in self.folders:
            if (folder / f"{name_or_path}.json").is_file():
                return folder / f"{name_or_path}.json"
        known = ", ".join(self.names()) or "none"
        raise self.error(name_or_path, [Problem("", f"unknown {self.error.kind} (known: {known})")])
