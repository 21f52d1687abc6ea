"""What the editor's panels check a candidate layout with: the problems ``wallapp validate`` gives it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallapp.core.config.catalog import Catalog
from wallapp.core.config.jsondoc import validate_document
from wallapp.core.config.layout import Layout, layout_problems, wall_for
from wallapp.core.config.migrations import migrate_layout
from wallapp.core.view.geometry import WallSpec
from wallapp.errors import DocumentError, LayoutError, Problem


@dataclass(frozen=True)
class Checker:
    """Checks layout data as loading the file would, on the installed wall (``themes``: where the theme is
    looked for; ``folder``: the layout file's, for the files it names)."""

    installed: WallSpec
    themes: Catalog | None = None
    folder: Path | None = None

    def __call__(self, data: Any) -> tuple[Problem, ...]:
        source = str(self.folder or "layout")
        try:
            layout = validate_document(Layout, migrate_layout(data, source), source, LayoutError)
        except DocumentError as exc:
            return exc.problems
        wall, _ = wall_for(layout, self.installed)
        return tuple(layout_problems(layout, wall, self.themes, self.folder))


def under(location: str, prefix: str) -> str | None:
    """``location`` relative to ``prefix`` ("widgets[2].options.limit" under "widgets[2]": "options.limit"),
    or None when it is elsewhere."""
    if location == prefix:
        return ""
    if location.startswith(prefix + "."):
        return location[len(prefix) + 1 :]
    if location.startswith(prefix + "["):
        return location[len(prefix) :]
    return None
