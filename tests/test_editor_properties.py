"""The layout editor's properties panel: forms made from the widget models, checked as the layout loads."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from wallapp import cli
from wallapp.core.config.theme import Colour, load_theme
from wallapp.core.editing.document import new_widget
from wallapp.core.strict import Strict
from wallapp.core.view.geometry import WallSpec
from wallapp.qt.editor.checking import Checker
from wallapp.qt.editor.fields import (
    CheckEditor,
    ChoiceEditor,
    ColourEditor,
    JsonEditor,
    LinesEditor,
    NumberEditor,
    TextEditor,
)
from wallapp.qt.editor.forms import FormContext, ModelEditor, ModelForm
from wallapp.qt.editor.properties import WIDGET_MODELS, PropertiesPanel, SourceEditor
from wallapp.qt.editor.shapes import MISSING

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = sorted(p for p in (ROOT / "layouts").glob("*.json") if not p.name.endswith(".schema.json"))


def _hub() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "layouts" / "hub.json").read_text(encoding="utf-8"))
    return data


def _index(data: dict[str, Any], widget_id: str) -> int:
    return next(i for i, w in enumerate(data["widgets"]) if w["id"] == widget_id)


@pytest.fixture
def panel(qtbot: QtBot) -> PropertiesPanel:
    theme = load_theme(ROOT / "themes" / "dark.json")
    shown = PropertiesPanel(Checker(WallSpec(), None, ROOT / "layouts"), theme)
    shown.resize(460, 900)
    qtbot.addWidget(shown)
    return shown


def test_every_widget_of_every_shipped_layout_comes_back_unchanged(panel: PropertiesPanel) -> None:
    """Each kind's form builds from its model and, left alone, gives back the exact JSON it was given."""
    kinds = set()
    for path in LAYOUTS:
        data = json.loads(path.read_text(encoding="utf-8"))
        for index, widget in enumerate(data.get("widgets", [])):
            panel.show_widget(data, index)
            assert panel.form is not None
            value, unread = panel.form.read()
            assert unread == []
            assert json.dumps(value) == json.dumps(widget), f"{path.name} {widget['id']}"
            assert panel.candidate()[0] == data
            kinds.add(widget["kind"])
    assert kinds == set(WIDGET_MODELS)  # the shipped layouts show every kind


def test_fields_get_the_editor_their_annotation_asks_for(panel: PropertiesPanel) -> None:
    data = _hub()
    panel.show_widget(data, _index(data, "response-rate"))
    decimals = panel.editor("options.decimals")
    assert isinstance(decimals, NumberEditor)
    assert decimals.box.bounds.ge == 0
    assert decimals.box.bounds.le == 6
    assert decimals.toolTip() == "" or decimals.toolTip()
    assert isinstance(panel.editor("options.format"), ChoiceEditor)
    assert isinstance(panel.editor("options.sparkline"), CheckEditor)
    assert isinstance(panel.editor("options.label"), TextEditor)
    assert isinstance(panel.editor("options.where"), JsonEditor)
    assert isinstance(panel.editor("options.thresholds"), ModelEditor)
    assert isinstance(panel.editor("source"), SourceEditor)
    assert panel.editor("options.scale").toolTip().startswith("Multiplies the source's value")
    panel.show_widget(data, _index(data, "headlines"))
    assert isinstance(panel.editor("options.items"), LinesEditor)


def test_a_number_out_of_bounds_shows_the_validate_message_and_is_not_emitted(
    panel: PropertiesPanel, qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _hub()
    index = _index(data, "post-wall")
    panel.show_widget(data, index)
    columns = panel.editor("options.columns")
    assert isinstance(columns, NumberEditor)
    line = columns.box.lineEdit()
    with qtbot.assertNotEmitted(panel.edited):
        line.selectAll()
        QTest.keyClicks(line, "40")
        QTest.keyClick(line, Qt.Key.Key_Return)
    options = panel.editor("options")
    assert isinstance(options, ModelEditor)
    message = options.form.labels["columns"].text()
    assert message == "Input should be less than or equal to 12"
    assert not options.form.labels["columns"].isHidden()
    # The very words `wallapp validate` prints for that layout.
    candidate, _ = panel.candidate()
    path = tmp_path / "hub.json"
    path.write_text(json.dumps(candidate), encoding="utf-8")
    assert cli.main(["validate", str(path)]) != 0
    assert f"widgets[{index}].options.columns: {message}" in capsys.readouterr().err


def test_a_valid_edit_emits_the_layout_with_only_that_key_changed(
    panel: PropertiesPanel, qtbot: QtBot
) -> None:
    data = _hub()
    index = _index(data, "post-wall")
    panel.show_widget(data, index)
    columns = panel.editor("options.columns")
    assert isinstance(columns, NumberEditor)
    line = columns.box.lineEdit()
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    line.selectAll()
    QTest.keyClicks(line, "3")
    assert emitted == []  # typing is checked, not emitted
    QTest.keyClick(line, Qt.Key.Key_Return)
    expected = copy.deepcopy(data)
    expected["widgets"][index]["options"]["columns"] = 3
    assert len(emitted) == 1
    assert json.dumps(emitted[0]) == json.dumps(expected)
    assert data == _hub()  # the data given is never changed
    # Given back what it emitted, the panel keeps its form (the operator goes on typing).
    form = panel.form
    panel.show_widget(emitted[0], index)
    assert panel.form is form
    # Arrows step within the bounds: one emission per step, never past 12.
    columns.box.setValue(12)
    columns.box.stepBy(1)
    assert emitted[-1]["widgets"][index]["options"]["columns"] == 12


def test_an_optional_field_left_empty_leaves_its_key_out(panel: PropertiesPanel, qtbot: QtBot) -> None:
    data = _hub()
    index = _index(data, "post-wall")
    panel.show_widget(data, index)
    rows = panel.editor("options.rows")
    assert isinstance(rows, NumberEditor)
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    rows.box.lineEdit().clear()
    QTest.keyClick(rows.box.lineEdit(), Qt.Key.Key_Return)
    assert "rows" not in emitted[-1]["widgets"][index]["options"]
    assert list(emitted[-1]["widgets"][index]["options"]) == [
        k for k in data["widgets"][index]["options"] if k != "rows"
    ]


def test_the_source_is_chosen_among_the_sources_of_the_right_records(panel: PropertiesPanel) -> None:
    data = _hub()
    data["sources"]["care-eu"] = {"kind": "demo", "feed": "kpis", "seed": 7}
    index = _index(data, "response-rate")
    panel.show_widget(data, index)
    source = panel.editor("source")
    assert isinstance(source, SourceEditor)
    assert source.names() == ["care", "care-eu"]  # metrics only: not posts, people, topics
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    source.choose("care-eu")
    expected = copy.deepcopy(data)
    expected["widgets"][index]["source"] = "care-eu"
    assert emitted == [expected]
    # A KPI without a source and still naming its metric is valid; unbinding is an edit like any other.
    source.choose(None)
    assert "source" not in emitted[-1]["widgets"][index]


def test_a_problem_of_the_whole_widget_is_shown_and_not_emitted(panel: PropertiesPanel) -> None:
    data = _hub()
    data["widgets"][_index(data, "response-rate")]["options"].pop("metric")
    data["widgets"][_index(data, "response-rate")].pop("source")
    index = _index(data, "response-rate")
    panel.show_widget(data, index)
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    source = panel.editor("source")
    assert isinstance(source, SourceEditor)
    source.choose("care")
    assert emitted == []
    assert panel.form is not None
    assert panel.form.problems.text() == "a KPI bound to a source needs options.metric"


def test_json_that_does_not_parse_is_said_beside_its_field(panel: PropertiesPanel, qtbot: QtBot) -> None:
    data = _hub()
    index = _index(data, "response-rate")
    panel.show_widget(data, index)
    where = panel.editor("options.where")
    assert isinstance(where, JsonEditor)
    with qtbot.assertNotEmitted(panel.edited):
        where.edit.setPlainText('{"brand": ')
        where.committed.emit()
    options = panel.editor("options")
    assert isinstance(options, ModelEditor)
    assert options.form.labels["where"].text().startswith("invalid JSON: Expecting value")


def test_a_duplicate_id_is_refused(panel: PropertiesPanel, qtbot: QtBot) -> None:
    data = _hub()
    panel.show_widget(data, _index(data, "mentions"))
    ident = panel.editor("id")
    assert isinstance(ident, TextEditor)
    with qtbot.assertNotEmitted(panel.edited):
        ident.edit.setText("clock")
        ident.committed.emit()
    assert panel.form is not None
    assert panel.form.labels["id"].text() == "duplicate id 'clock' (first used by widgets[1])"


class _Painted(Strict):
    ink: Colour = Field(description="The ink.")
    shade: Colour | None = None
    sizes: list[int] = Field(default_factory=list)


def test_a_colour_is_offered_from_the_theme(qtbot: QtBot) -> None:
    theme = load_theme(ROOT / "themes" / "dark.json")
    form = ModelForm(_Painted, {"ink": "#000000"}, FormContext(theme.palette.model_dump()))
    qtbot.addWidget(form)
    ink = form.editors["ink"]
    assert isinstance(ink, ColourEditor)
    names = [ink.box.itemText(i) for i in range(ink.box.count())]
    assert "accent" in names
    ink.box.setCurrentIndex(names.index("accent"))
    ink.box.activated.emit(names.index("accent"))
    assert form.read() == ({"ink": theme.palette.accent}, [])
    assert ink.name.text() == "accent"
    assert form.editors["shade"].value() is MISSING
    sizes = form.editors["sizes"]
    sizes.edit.setText("1, 2, 3")  # type: ignore[attr-defined]
    assert form.read()[0] == {"ink": theme.palette.accent, "sizes": [1, 2, 3]}


def test_a_new_widget_of_every_kind_has_its_form(panel: PropertiesPanel) -> None:
    """The palette's new widgets (the core's ``new_widget``) come back unchanged too, and valid."""
    data = _hub()
    for kind in WIDGET_MODELS:
        widget = new_widget(kind, data, {"screen": [2, 1], "part": [0, 0, 0.25, 0.25]})
        layout = {**data, "widgets": [*data["widgets"], widget]}
        panel.show_widget(layout, len(layout["widgets"]) - 1)
        assert panel.candidate() == (layout, ())
        assert panel.problems.isHidden()


def test_a_widget_of_an_unknown_kind_can_be_corrected(panel: PropertiesPanel) -> None:
    data = _hub()
    index = _index(data, "clock")
    data["widgets"][index]["kind"] = "clok"
    panel.show_widget(data, index)
    assert panel.form is not None
    assert panel.form.problems.text().startswith("unknown kind 'clok'; expected one of")
    kind = panel.editor("kind")
    assert isinstance(kind, TextEditor)
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    kind.edit.setText("clock")
    kind.committed.emit()
    assert emitted == [_hub()]


def test_a_time_zone_is_completed_from_the_zones_known(panel: PropertiesPanel) -> None:
    data = _hub()
    panel.show_widget(data, _index(data, "clock"))
    zone = panel.editor("options.timezone")
    assert isinstance(zone, TextEditor)
    completer = zone.edit.completer()
    assert completer is not None
    completer.setCompletionPrefix("paris")
    assert completer.currentCompletion() == "Europe/Paris"


def test_lists_and_optional_groups_are_edited(panel: PropertiesPanel) -> None:
    data = _hub()
    index = _index(data, "headlines")
    panel.show_widget(data, index)
    emitted: list[Any] = []
    panel.edited.connect(emitted.append)
    items = panel.editor("options.items")
    assert isinstance(items, LinesEditor)
    before = data["widgets"][index]["options"].get("items", [])
    items.edit.setPlainText("\n".join([*before, "Doors open at 9, says the mayor"]))
    items.committed.emit()
    assert emitted[-1]["widgets"][index]["options"]["items"] == [*before, "Doors open at 9, says the mayor"]

    index = _index(data, "response-rate")
    panel.show_widget(data, index)
    thresholds = panel.editor("options.thresholds")
    assert isinstance(thresholds, ModelEditor)
    thresholds.group.setChecked(False)  # switched off: the key goes
    assert "thresholds" not in emitted[-1]["widgets"][index]["options"]
    thresholds.group.setChecked(True)  # back as it was
    assert emitted[-1] == data
