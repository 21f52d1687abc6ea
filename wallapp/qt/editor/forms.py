"""Forms generated from a pydantic model and a JSON value: the editor's properties and source forms.

Each field gets the editor its annotation asks for: numbers as spin boxes stepping within their bounds,
choices (``Literal``, ``Enum``) as combo boxes, ``bool`` as a check box, text as a line edit, a theme colour
as the theme's palette, lists of text one item a line, lists of numbers comma-separated, a nested model as a
group box (one that may be absent can be switched off), anything else (``where``, ``labels``, a mapping's
``fields``) as a small JSON text. A field's description is its tooltip.

A form gives back JSON, never a model: the keys of the value it was given, in their order, then the keys
the operator set; a field left alone keeps its exact JSON value, so that saving changes only what was
edited. A field that may be absent is absent when left empty (the placeholder says what it then means).
Typing is not checked here but by the whole layout's validation; a form only says what it cannot read
(a number that is not one, JSON that does not parse).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from wallapp.errors import Problem
from wallapp.qt.editor.fields import (
    CheckEditor,
    ChoiceEditor,
    ColourEditor,
    Editor,
    JsonEditor,
    LinesEditor,
    NumberEditor,
    NumbersEditor,
    ProblemLabel,
    TextEditor,
    Unreadable,
    shown_json,
)
from wallapp.qt.editor.shapes import MISSING, Shape, json_default, shape_of


@dataclass(frozen=True)
class FormContext:
    """What forms offer beyond the model: the theme's colours by name, for a field that takes a colour."""

    colours: Mapping[str, str] = field(default_factory=dict)


class ModelEditor(Editor):
    """A nested model as a group box; one that may be absent is checkable (unchecked: left out)."""

    def __init__(
        self, title: str, original: Any, default: Any, required: bool, shape: Shape, context: FormContext
    ) -> None:
        super().__init__(original, default, required)
        assert shape.model is not None
        self.group = QGroupBox(title)
        inner = QVBoxLayout(self.group)
        inner.setContentsMargins(8, 4, 8, 8)
        given = original if isinstance(original, dict) else {}
        self.form = ModelForm(shape.model, given, context)
        if original is not MISSING and not isinstance(original, dict):
            self.form.problems.show_messages([f"not an object: {shown_json(original)}"])
        inner.addWidget(self.form)
        self.optional = shape.optional
        if self.optional:
            self.group.setCheckable(True)
            self.group.setChecked(isinstance(original, dict))
            self.form.setVisible(self.group.isChecked())
            self.group.setFlat(not self.group.isChecked())
            self.group.toggled.connect(self.form.setVisible)
            self.group.toggled.connect(lambda on: self.group.setFlat(not on))
            self.group.toggled.connect(self.changed)
            self.group.toggled.connect(self.committed)
        self.form.changed.connect(self.changed)
        self.form.committed.connect(self.committed)
        self._row.addWidget(self.group, 1)
        self._ready()

    def current(self) -> Any:
        if self.optional and not self.group.isChecked():
            return MISSING
        value, unread = self.form.read()
        if unread:
            raise Unreadable(unread[0].message, unread[0].location)
        return value

    def value(self) -> Any:
        if not isinstance(self.original, dict) and self.original is not MISSING:  # kept until replaced
            if self.optional and not self.group.isChecked():
                return self.original
        elif self.optional and not self.group.isChecked():
            return MISSING
        value, unread = self.form.read()
        if unread:
            raise Unreadable(unread[0].message, unread[0].location)
        if not value and not isinstance(self.original, dict) and not self.optional:
            return MISSING if self.original is MISSING else self.original
        return value

    def route(self, location: str, message: str) -> list[Problem]:
        return self.form.route(location, message)

    def clear_problems(self) -> None:
        self.form.clear_problems()


Factory = Callable[[Any, Any, bool], Editor]
"""Makes a field's editor from its original JSON (or ``MISSING``), its default and whether it is required."""


def editor_for(name: str, info: FieldInfo | None, original: Any, context: FormContext) -> Editor:
    """The editor of a model's field (``info`` None: a key the model does not know, as JSON)."""
    if info is None:
        return JsonEditor(original, MISSING, False)
    shape = shape_of(info.annotation, info.metadata)
    default = json_default(info)
    required = info.is_required()
    if shape.kind == "bool":
        return CheckEditor(original, default, required)
    if shape.kind in ("int", "float"):
        return NumberEditor(original, default, required, shape)
    if shape.kind == "choice":
        return ChoiceEditor(original, default, required, shape)
    if shape.kind == "text":
        return TextEditor(original, default, required, shape.suggestions)
    if shape.kind == "colour":
        return ColourEditor(original, default, required, context.colours)
    if shape.kind == "lines":
        return LinesEditor(original, default, required)
    if shape.kind == "numbers":
        return NumbersEditor(original, default, required, shape)
    if shape.kind == "model":
        return ModelEditor(name, original, default, required, shape, context)
    return JsonEditor(original, default, required)


_STEP = re.compile(r"^([^.\[]+)(.*)$")


class ModelForm(QWidget):
    """The fields of ``model`` for a JSON object ``value``. ``order``: keys shown first; ``editors``: a
    factory for a key instead of the generated editor; ``hidden``: keys not shown (kept as they are)."""

    changed = Signal()
    committed = Signal()

    def __init__(
        self,
        model: type[BaseModel],
        value: Mapping[str, Any],
        context: FormContext | None = None,
        *,
        order: Sequence[str] = (),
        editors: Mapping[str, Factory] | None = None,
        hidden: Iterable[str] = (),
    ) -> None:
        super().__init__()
        context = context or FormContext()
        self.original = dict(value)
        self.hidden = set(hidden)
        infos = {info.alias or name: info for name, info in model.model_fields.items()}
        keys = [key for key in order if key in infos or key in value]
        keys += [key for key in infos if key not in keys]
        keys += [key for key in value if key not in keys]
        self.outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.problems = ProblemLabel()
        outer.addWidget(self.problems)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.layout_.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.layout_.setHorizontalSpacing(10)
        self.layout_.setVerticalSpacing(6)
        outer.addLayout(self.layout_)
        outer.addStretch(1)
        self.editors: dict[str, Editor] = {}
        self.unknown = {key for key in keys if key not in infos}
        self.labels: dict[str, ProblemLabel] = {}
        for key in keys:
            if key in self.hidden:
                continue
            info = infos.get(key)
            original = value.get(key, MISSING)
            factory = (editors or {}).get(key)
            if factory is not None and info is not None:
                editor = factory(original, json_default(info), info.is_required())
            else:
                editor = editor_for(key, info, original, context)
            self._add(key, info, editor)

    def _add(self, key: str, info: FieldInfo | None, editor: Editor) -> None:
        self.editors[key] = editor
        description = info.description if info is not None else "Not a field of this kind: remove it."
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        problems = ProblemLabel()
        column.addWidget(problems)
        self.labels[key] = problems
        if description:
            editor.setToolTip(description)
        editor.changed.connect(self.changed)
        editor.committed.connect(self.committed)
        if isinstance(editor, ModelEditor):
            self.layout_.addRow(holder)
            return
        label = QLabel(key)
        label.setObjectName(f"label-{key}")
        if description:
            label.setToolTip(description)
        font = label.font()
        if info is None:
            font.setItalic(True)
            problems.show_messages(["unknown field"])
        elif info.is_required():
            font.setBold(True)
        label.setFont(font)
        label.setBuddy(editor)
        self.layout_.addRow(label, holder)

    def read(self) -> tuple[dict[str, Any], list[Problem]]:
        """The JSON object, and what could not be read (at a key whose original is then kept)."""
        out: dict[str, Any] = {}
        unread: list[Problem] = []
        keys = list(self.original) + [key for key in self.editors if key not in self.original]
        for key in keys:
            editor = self.editors.get(key)
            if editor is None:
                out[key] = self.original[key]
                continue
            try:
                value = editor.value()
            except Unreadable as exc:
                unread.append(Problem(f"{key}.{exc.location}" if exc.location else key, exc.message))
                value = self.original.get(key, MISSING)
            if value is not MISSING:
                out[key] = value
        return out, unread

    def route(self, location: str, message: str) -> list[Problem]:
        """Show a problem at ``location`` (relative to this form) beside its field; what has no field here
        is returned."""
        if not location:
            self._add_message(self.problems, message)
            return []
        match = _STEP.match(location)
        key, rest = (match.group(1), match.group(2)) if match else (location, "")
        editor = self.editors.get(key)
        if editor is None:
            return [Problem(location, message)]
        left = editor.route(rest.removeprefix("."), message)
        for problem in left:
            where = problem.location
            self._add_message(self.labels[key], f"{where}: {problem.message}" if where else problem.message)
        return []

    @staticmethod
    def _add_message(label: ProblemLabel, message: str) -> None:
        shown = label.text().split("\n") if label.text() else []
        if message not in shown:
            label.show_messages([*shown, message])

    def clear_problems(self) -> None:
        self.problems.show_messages([])
        for key, label in self.labels.items():
            label.show_messages(["unknown field"] if key in self.unknown else [])
        for editor in self.editors.values():
            editor.clear_problems()
