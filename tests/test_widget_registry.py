"""Every kind of the ``Widget`` union has one item class, one row in the README, a place in the showcase."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest

from wallapp.core.config.widgets import Widget
from wallapp.qt.widgets import ITEMS, WidgetItem, item_class

ROOT = Path(__file__).resolve().parent.parent
[UNION, _] = get_args(Widget)
DECLARATIONS: tuple[type[Any], ...] = get_args(UNION)
KINDS = [get_args(declaration.model_fields["kind"].annotation)[0] for declaration in DECLARATIONS]


def layout_kinds(path: Path) -> set[str]:
    return {widget["kind"] for widget in json.loads(path.read_text())["widgets"]}


def test_every_kind_has_one_declaration() -> None:
    assert len(KINDS) == len(set(KINDS)) > 10


def test_every_declaration_has_one_item_class() -> None:
    assert set(ITEMS) == set(DECLARATIONS)


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=KINDS)
def test_the_item_class_loads_and_is_built_from_its_declaration(declaration: type[Any]) -> None:
    item = item_class(declaration)
    assert issubclass(item, WidgetItem)
    assert get_type_hints(item)["spec"] is declaration


def test_every_kind_has_one_row_in_the_readme_widget_table() -> None:
    readme = (ROOT / "README.md").read_text()
    layouts = readme[readme.index("\n## Layouts\n") :]
    table = layouts[layouts.index("| kind | shows |") :].split("\n\n")[0]
    first_cells = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert all(re.fullmatch(r"`[a-z_]+`", cell) for cell in first_cells), first_cells
    assert sorted(cell.strip("`") for cell in first_cells) == sorted(KINDS)


def test_every_kind_is_in_the_showcase() -> None:
    assert sorted(layout_kinds(ROOT / "layouts" / "showcase.json")) == sorted(KINDS)
