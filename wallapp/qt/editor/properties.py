"""The properties panel: the selected widget's id, kind, source, placement and options, as a form.

The form is generated from the widget kind's model (``forms``). Every change is checked at once as the
whole layout would be loaded, and the problems under the widget's JSON path are shown beside their fields,
in ``wallapp validate``'s words; a finished edit (Enter, the focus leaving a field, a choice made) that
leaves the layout valid is emitted as the new layout data (``edited``), one emission per edit. An edit the
check refuses is shown, never emitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from wallapp.core.config.sources import SourceSpec
from wallapp.core.config.theme import Theme
from wallapp.core.config.widgets import WidgetBase
from wallapp.core.data.diagnosis import KIND_NAMES
from wallapp.core.data.records import RecordKind
from wallapp.core.editing.document import widget_kinds, with_widget
from wallapp.errors import Problem
from wallapp.qt.editor.checking import Checker, located, under
from wallapp.qt.editor.fields import Editor, FixedEditor, ProblemLabel, heading
from wallapp.qt.editor.forms import Factory, FormContext, ModelForm
from wallapp.qt.editor.shapes import MISSING, same

WIDGET_MODELS: dict[str, type[BaseModel]] = widget_kinds()
"""Each widget kind's model, by kind."""


class UnknownWidget(WidgetBase):
    """What the panel edits of a widget whose kind is not known: its kind (to be corrected) and options."""

    kind: str = Field(description="One of: " + ", ".join(WIDGET_MODELS) + ".")
    options: dict[str, Any] | None = None


_SPECS: TypeAdapter[Any] = TypeAdapter(SourceSpec)

ORDER = ("id", "kind", "source", "place", "options")
"""The widget's keys in the order the panel shows them."""


def source_records(data: Mapping[str, Any]) -> dict[str, RecordKind | None]:
    """The layout's sources and the kind of records each yields (None: a declaration that does not
    validate)."""
    sources = data.get("sources")
    found: dict[str, RecordKind | None] = {}
    for name, spec in (sources if isinstance(sources, dict) else {}).items():
        try:
            found[name] = _SPECS.validate_python(spec).yields
        except ValidationError:
            found[name] = None
    return found


class SourceEditor(Editor):
    """The widget's source: none, or one of the layout's sources yielding the records its kind reads."""

    def __init__(
        self, original: Any, reads: RecordKind | None, sources: Mapping[str, RecordKind | None]
    ) -> None:
        super().__init__(original, MISSING, False)
        self.box = QComboBox()
        self.box.addItem("none", MISSING)
        for name, yields in sources.items():
            if reads is not None and yields == reads:
                self.box.addItem(f"{name}  ({KIND_NAMES[yields]})", name)
        if isinstance(original, str) and self.box.findData(original) < 0:
            yields = sources.get(original)
            said = KIND_NAMES[yields] if yields else "not declared" if original not in sources else "invalid"
            self.box.addItem(f"{original}  ({said})", original)  # kept as is; the check says what is wrong
        index = self.box.findData(original) if isinstance(original, str) else 0
        self.box.setCurrentIndex(max(index, 0))
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.box.setEnabled(self.box.count() > 1)
        self._row.addWidget(self.box)
        self._row.addStretch(1)
        self.box.currentIndexChanged.connect(self.changed)
        self.box.activated.connect(self.committed)
        self._ready()

    def choose(self, name: str | None) -> None:
        """Choose a source as the operator would (None: none)."""
        index = self.box.findData(MISSING if name is None else name)
        if index < 0:
            raise ValueError(f"no source {name!r} to choose")
        self.box.setCurrentIndex(index)
        self.box.activated.emit(index)

    def names(self) -> list[str]:
        """The sources offered."""
        return [self.box.itemData(i) for i in range(1, self.box.count())]

    def current(self) -> Any:
        return self.box.currentData()


class PropertiesPanel(QWidget):
    """The selected widget's properties. ``edited`` carries the whole new layout data after each valid,
    finished edit."""

    edited = Signal(object)

    def __init__(self, checker: Checker, theme: Theme | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checker = checker
        self.context = FormContext(dict(theme.palette.model_dump()) if theme is not None else {})
        self.data: dict[str, Any] = {}
        self.index: int | None = None
        self.form: ModelForm | None = None
        self._before: set[Problem] = set()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(6)
        self.title = heading("")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.title)
        self.problems = ProblemLabel()
        """Problems of the edit outside this widget (a duplicate id found at another widget, say)."""
        outer.addWidget(self.problems)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(self.area, 1)
        self.show_widget({}, None)

    def show_widget(self, data: dict[str, Any], index: int | None) -> None:
        """Show widget ``index`` of the layout ``data`` (plain JSON); None: no widget is selected. Given back
        the data it just emitted (the editor applying the edit), the form stays as it is, focus and all."""
        if index is not None and index == self.index and self.form is not None and same(data, self.data):
            self.data = data
            return
        self.data = data
        widgets = data.get("widgets") if isinstance(data, dict) else None
        if index is None or not isinstance(widgets, list) or not 0 <= index < len(widgets):
            self.index, self.form = None, None
            self.title.setText("No widget selected")
            empty = QLabel("Select a widget on the wall to edit its properties.")
            empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            empty.setWordWrap(True)
            empty.setEnabled(False)
            self.area.setWidget(empty)
            self.problems.show_messages([])
            return
        self.index = index
        widget = widgets[index] if isinstance(widgets[index], dict) else {}
        kind = widget.get("kind")
        model = WIDGET_MODELS.get(kind) if isinstance(kind, str) else None
        self.title.setText(f"{widget.get('id', '?')}  ·  {kind if isinstance(kind, str) else 'no kind'}")
        reads: RecordKind | None = getattr(model, "reads", None)
        sources = source_records(data)
        editors: dict[str, Factory] = {
            "source": lambda original, default, required: SourceEditor(original, reads, sources)
        }
        if model is not None:  # a known kind stays (another kind is another widget: the palette's)
            editors["kind"] = lambda original, default, required: FixedEditor(original)
        form = ModelForm(model or UnknownWidget, widget, self.context, order=ORDER, editors=editors)
        form.changed.connect(self._typed)
        form.committed.connect(self._finished)
        self.form = form
        form.outer.setContentsMargins(0, 0, 12, 0)  # clear of the scroll bar
        self.area.setWidget(form)
        self._before = set(self.checker(data))
        self._show(self._before)

    @property
    def path(self) -> str:
        """The JSON path of the widget shown."""
        return f"widgets[{self.index}]"

    def editor(self, key: str) -> Editor:
        """The editor of a widget key ("source") or of an option ("options.limit")."""
        assert self.form is not None
        form, *rest = self.form, *key.split(".")
        for step in rest[:-1]:
            nested = form.editors[step]
            form = nested.form  # type: ignore[attr-defined]  # a ModelEditor
        return form.editors[rest[-1]]

    def candidate(self) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
        """The layout as the form now has it, and its problems (None: the form holds what is not JSON)."""
        assert self.form is not None
        assert self.index is not None
        widget, unread = self.form.read()
        if unread:
            return None, located(self.path, unread)
        data = with_widget(self.data, self.index, widget)
        return data, self.checker(data)

    def _typed(self) -> None:
        self._show(self.candidate()[1])

    def _finished(self) -> None:
        if self.form is None:
            return
        data, problems = self.candidate()
        self._show(problems)
        if data is None or same(data, self.data) or not self._acceptable(problems):
            return
        self.data = data
        self._before = set(problems)
        self.edited.emit(data)

    def _acceptable(self, problems: Sequence[Problem]) -> bool:
        """Nothing wrong in this widget, and nothing new elsewhere."""
        return all(under(p.location, self.path) is None and p in self._before for p in problems)

    def _show(self, problems: Sequence[Problem] | set[Problem]) -> None:
        assert self.form is not None
        self.form.clear_problems()
        elsewhere = []
        for problem in problems:
            relative = under(problem.location, self.path)
            if relative is None:
                if problem not in self._before:
                    elsewhere.append(str(problem))
                continue
            for left in self.form.route(relative, problem.message):
                elsewhere.append(str(Problem(f"{self.path}.{left.location}", left.message)))
        self.problems.show_messages(elsewhere)
