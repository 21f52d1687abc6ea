"""What the editor's panels check a candidate layout with: the problems ``wallapp validate`` gives it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallapp.core.config.catalog import Catalog
from wallapp.core.editing.document import check
from wallapp.core.view.geometry import WallSpec
from wallapp.errors import Problem


@dataclass
class Checker:
    """The editing core's ``check`` for one layout file: on the installed wall, ``themes`` where the theme
    is looked for, ``folder`` the layout file's (for the files it names; it changes with Save as)."""

    installed: WallSpec
    themes: Catalog | None = None
    folder: Path | None = None

    def __call__(self, data: Any) -> tuple[Problem, ...]:
        return check(data, self.installed, self.themes, self.folder).problems


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


def located(prefix: str, problems: list[Problem]) -> tuple[Problem, ...]:
    """A form's problems (located in the form) located in the layout, under ``prefix``."""
    return tuple(Problem(f"{prefix}.{problem.location}", problem.message) for problem in problems)
