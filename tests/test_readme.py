"""The README's examples are real: they validate against the models."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from wallapp.core.config.layout import Layout
from wallapp.core.config.sources import SourceSpec

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```json\n(.*?)```", README, flags=re.S)


def test_the_layout_example_is_a_valid_layout() -> None:
    [example] = [b for b in BLOCKS if '"widgets"' in b]
    layout = Layout.model_validate(json.loads(example))
    assert [w.kind for w in layout.widgets] == ["text", "kpi", "text"]


def test_the_show_and_schedule_examples_are_valid(tmp_path: Path) -> None:
    from wallapp.core.config.schedule import load_schedule
    from wallapp.core.config.settings import load_settings
    from wallapp.core.config.show import load_show
    from wallapp.core.view.geometry import WallSpec

    settings = load_settings()
    [show] = [b for b in BLOCKS if '"scenes"' in b]
    (tmp_path / "show.json").write_text(show)
    loaded = load_show(tmp_path / "show.json", WallSpec(), settings.layouts(), settings.themes())
    assert len(loaded.scenes) == 3
    [schedule] = [b for b in BLOCKS if '"windows"' in b]
    (tmp_path / "schedule.json").write_text(schedule)
    assert load_schedule(tmp_path / "schedule.json", settings.shows(), settings.layouts()).name == "Lobby"


def test_the_source_examples_are_valid_sources() -> None:
    examples = [b for b in BLOCKS if b.lstrip().startswith('"sources"')]
    assert len(examples) >= 2  # a social API and Prometheus
    adapter: TypeAdapter[object] = TypeAdapter(SourceSpec)
    for example in examples:
        for spec in json.loads("{" + example + "}")["sources"].values():
            adapter.validate_python(spec)


def test_the_settings_example_is_valid_settings(tmp_path: Path) -> None:
    from wallapp.core.config.settings import load_settings

    [example] = [b for b in re.findall(r"```toml\n(.*?)```", README, flags=re.S) if "[wall]" in b]
    config = tmp_path / "wallapp.toml"
    config.write_text(example)
    settings = load_settings(config)
    assert settings.wall.outputs == ["DP-1", "DP-2", "DP-3", "DP-4", "DP-5", "DP-6"]
    assert settings.wall.screen.mullion_px == (6, 6)


def test_the_nodes_example_is_valid_settings(tmp_path: Path) -> None:
    from wallapp.core.config.settings import load_settings

    [example] = [b for b in re.findall(r"```toml\n(.*?)```", README, flags=re.S) if "[[nodes]]" in b]
    config = tmp_path / "wallapp.toml"
    config.write_text(example + '[secrets]\nmqtt = "x"\n')
    settings = load_settings(config, node="wall-b")
    node = settings.this_node()
    assert node is not None
    assert node.screens == [(1, 0), (1, 1)]
    assert settings.broker_login() == ("wall", "x")


def test_the_spans_example_is_valid_settings(tmp_path: Path) -> None:
    from wallapp.core.config.settings import load_settings

    [example] = [b for b in re.findall(r"```toml\n(.*?)```", README, flags=re.S) if "[[wall.spans]]" in b]
    config = tmp_path / "wallapp.toml"
    config.write_text(example)
    spans = load_settings(config).wall.spans
    assert spans is not None
    assert [(s.output, s.row, s.rows, s.bezel_corrected) for s in spans] == [
        ("DP-1", 0, 1, True),
        ("DP-2", 1, None, None),
    ]


@pytest.mark.usefixtures("qapp")
def test_the_gallery_shows_pictures_that_can_be_made_again(tmp_path: Path) -> None:
    from gallery import render_all
    from PySide6.QtGui import QImage

    made = render_all(tmp_path)
    for picture in made:
        assert f"](docs/{picture.name})" in README
        image = QImage(str(picture))
        assert (image.width(), image.height()) == (960, 540)
        assert (Path(__file__).resolve().parent.parent / "docs" / picture.name).is_file()


def test_each_record_table_lists_the_model_fields() -> None:
    """The README's table of each record type is read from the model (names, types, meanings): a field added,
    renamed or retyped fails here until the table says so too."""
    from wallapp.core.data.records import RECORD_TYPES, fields_of

    for kind in RECORD_TYPES:
        expected = [f"| `{doc.name}` | {doc.type} | {doc.meaning} |" for doc in fields_of(kind)]
        found = re.search(
            rf"^`{kind}`: .*\n\n\| field \| type \| \|\n\| --- \| --- \| --- \|\n((?:\|.*\n)*)", README, re.M
        )
        assert found, f"no table for {kind}"
        rows = found.group(1).splitlines()
        assert rows == expected, "\n".join(["The README's table should read:", *expected])


@pytest.mark.usefixtures("qapp")
def test_the_presenter_picture_can_be_made_again(tmp_path: Path) -> None:
    from presenter_picture import SIZE, render
    from PySide6.QtGui import QImage

    made = render(tmp_path)
    assert f"](docs/{made.name})" in README
    image = QImage(str(made))
    assert (image.width(), image.height()) == SIZE
    assert (Path(__file__).resolve().parent.parent / "docs" / made.name).is_file()
