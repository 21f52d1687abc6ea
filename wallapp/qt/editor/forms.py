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

import enum
import json
import re
import types
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Final, Literal, Union, cast, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QIcon, QPalette, QPixmap, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from wallapp.core.config.theme import Colour
from wallapp.core.config.zones import ZoneName
from wallapp.errors import Problem


class _Missing:
    """The value of a key left out of the JSON."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

PROBLEM_COLOUR = "#c62828"
"""Problems are written in this red, beside their field."""

_COLOUR_PATTERN = next(
    m.pattern for m in cast(FieldInfo, get_args(Colour)[1]).metadata if hasattr(m, "pattern")
)


_ZONE_CHECK = get_args(ZoneName)[1]
"""What marks a field naming a time zone."""


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


class Unreadable(Exception):
    """What an editor holds cannot be read as JSON (``message`` says why, in a validation message's words)."""

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        """Where, inside the field (a nested model's key)."""


@dataclass(frozen=True)
class Bounds:
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    @property
    def low(self) -> float | None:
        return self.ge if self.ge is not None else self.gt

    @property
    def high(self) -> float | None:
        return self.le if self.le is not None else self.lt

    def clamp(self, value: float, step: float) -> float:
        """``value`` brought within the bounds (an open bound: one ``step`` inside it)."""
        if self.ge is not None:
            value = max(value, self.ge)
        if self.gt is not None and value <= self.gt:
            value = self.gt + step
        if self.le is not None:
            value = min(value, self.le)
        if self.lt is not None and value >= self.lt:
            value = self.lt - step
        return value

    def words(self) -> str:
        """The bounds, short: "1 to 12", "> 0, ≤ 2000", "≥ 0"."""
        if self.ge is not None and self.le is not None:
            return f"{_number(self.ge)} to {_number(self.le)}"
        parts = [
            f"{sign} {_number(bound)}"
            for sign, bound in (("≥", self.ge), (">", self.gt), ("≤", self.le), ("<", self.lt))
            if bound is not None
        ]
        return ", ".join(parts)


ShapeKind = Literal["bool", "int", "float", "choice", "text", "colour", "lines", "numbers", "model", "json"]


@dataclass(frozen=True)
class Shape:
    """What a field's annotation asks an editor for."""

    kind: ShapeKind
    optional: bool = False
    """``None`` is allowed (then the key is left out)."""
    choices: tuple[Any, ...] = ()
    model: type[BaseModel] | None = None
    bounds: Bounds = Bounds()
    integer_items: bool = False
    """For ``numbers``: whole numbers."""
    suggestions: tuple[str, ...] = ()
    """For ``text``: values offered as one types (time zones)."""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _unwrap(annotation: Any, metadata: list[Any]) -> Any:
    """The type under ``Annotated``, its metadata (constraints) appended to ``metadata``."""
    while get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        for item in extra:
            metadata += item.metadata if isinstance(item, FieldInfo) else [item]
        annotation = base
    return annotation


def _bounds(metadata: Iterable[Any]) -> Bounds:
    found: dict[str, float] = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, name.title())):
                found[name] = getattr(item, name)
    return Bounds(**found)


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def shape_of(annotation: Any, metadata: Sequence[Any] = ()) -> Shape:
    """The editor a field of this annotation (with these constraints) takes."""
    found = list(metadata)
    annotation = _unwrap(annotation, found)
    optional = False
    if _is_union(annotation):
        members = [_unwrap(a, found) for a in get_args(annotation)]
        optional = type(None) in members
        members = [m for m in members if m is not type(None)]
        if all(get_origin(m) is Literal for m in members):
            choices = tuple(dict.fromkeys(c for m in members for c in get_args(m)))
            return Shape("choice", optional, choices)
        if len(members) != 1:
            return Shape("json", optional)
        annotation = members[0]
        if _is_union(annotation) or get_origin(annotation) is Literal:
            inner = shape_of(annotation, found)
            return Shape(inner.kind, True, inner.choices, inner.model, inner.bounds)
    origin = get_origin(annotation)
    if origin is Literal:
        return Shape("choice", optional, get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return Shape("choice", optional, tuple(member.value for member in annotation))
    if annotation is bool:
        return Shape("bool", optional)
    if annotation is int or annotation is float:
        return Shape("int" if annotation is int else "float", optional, bounds=_bounds(found))
    if annotation is str:
        if any(getattr(m, "pattern", None) == _COLOUR_PATTERN for m in found):
            return Shape("colour", optional)
        zone = any(m is _ZONE_CHECK for m in found)
        return Shape("text", optional, suggestions=_zones() if zone else ())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Shape("model", optional, model=annotation)
    if origin in (list, tuple, set, frozenset):
        items = [_unwrap(a, []) for a in get_args(annotation) if a is not Ellipsis]
        if items and all(item is str for item in items) and origin is list:
            return Shape("lines", optional)
        if items and all(item in (int, float) for item in items):
            return Shape("numbers", optional, integer_items=all(item is int for item in items))
    return Shape("json", optional)


def json_default(info: FieldInfo) -> Any:
    """A field's default as JSON (``MISSING`` for a required field)."""
    if info.default_factory is not None:
        return to_jsonable_python(info.default_factory())  # type: ignore[call-arg]
    if info.default is PydanticUndefined:
        return MISSING
    return to_jsonable_python(info.default, by_alias=True)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values (``true`` is not ``1``, ``2`` is ``2.0``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    numbers = isinstance(a, int | float) and isinstance(b, int | float)
    return (type(a) is type(b) or numbers) and a == b


@dataclass(frozen=True)
class FormContext:
    """What forms offer beyond the model: the theme's colours by name, for a field that takes a colour."""

    colours: Mapping[str, str] = field(default_factory=dict)


def _shown(value: Any) -> str:
    """A default or a choice as the file writes it."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class Editor(QWidget):
    """One field's editor. ``changed``: its content changed (as typed); ``committed``: an edit is finished
    (Enter, the focus left, a choice made)."""

    changed = Signal()
    committed = Signal()

    def __init__(self, original: Any, default: Any, required: bool) -> None:
        super().__init__()
        self.original = original
        self.default = default
        self.required = required
        self._initial: Any = MISSING
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)

    def _ready(self) -> None:
        """Called once the editor shows the original: what it then reads is "left alone"."""
        try:
            self._initial = self.current()
        except Unreadable:
            self._initial = self.original

    def current(self) -> Any:
        """The JSON value shown (``MISSING``: leave the key out); ``Unreadable`` if there is none."""
        raise NotImplementedError

    def value(self) -> Any:
        """The field's JSON: the original itself while the editor shows what it was given, nothing for a
        default chosen where the key was absent."""
        current = self.current()
        if same(current, self._initial):
            return self.original
        if self.original is MISSING and self.default is not MISSING and same(current, self.default):
            return MISSING
        return current

    def route(self, location: str, message: str) -> list[Problem]:
        """Show a problem at ``location`` (relative to this field); what could not be shown is returned."""
        return [Problem(location, message)]

    def clear_problems(self) -> None:
        return None


class CheckEditor(Editor):
    def __init__(self, original: Any, default: Any, required: bool) -> None:
        super().__init__(original, default, required)
        self.box = QCheckBox()
        self._row.addWidget(self.box)
        self._row.addStretch(1)
        shown = original if original is not MISSING else default
        self.box.setChecked(shown is True)
        self.box.toggled.connect(self.changed)
        self.box.toggled.connect(self.committed)
        self._ready()

    def current(self) -> Any:
        return self.box.isChecked()


_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_INT = re.compile(r"[-+]?\d+")
_FLOAT_START = re.compile(r"[-+]?(\d*\.?\d*)([eE][-+]?\d*)?")
_HUGE = 1e15


class NumberBox(QDoubleSpinBox):
    """A spin box whose arrows step within the field's bounds, while typing takes any number: one out of
    bounds is then refused by validation, in its words. Empty (``special``) when the field may be absent."""

    def __init__(self, integer: bool, bounds: Bounds, optional: bool, empty_text: str, start: float) -> None:
        super().__init__()
        self.integer = integer
        self.bounds = bounds
        self.optional = optional
        self.start = start
        self.setDecimals(0 if integer else 9)
        self.setRange(-_HUGE, _HUGE)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setSingleStep(_step(integer, bounds))
        if optional:
            self.setSpecialValueText(empty_text)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.lineEdit().textChanged.connect(self.tint)
        self.valueChanged.connect(self.tint)  # the spin box sets its text with the signals blocked

    def tint(self) -> None:
        """The text of an empty field (its default, "not set") in the placeholders' grey."""
        palette = self.lineEdit().palette()
        role = QPalette.ColorRole.PlaceholderText if self.empty() else QPalette.ColorRole.Text
        palette.setColor(QPalette.ColorRole.Text, self.palette().color(role))
        self.lineEdit().setPalette(palette)

    def empty(self) -> bool:
        text = self.lineEdit().text().strip()
        return not text or (self.optional and text == self.specialValueText())

    def textFromValue(self, value: float) -> str:
        if value <= -_HUGE:
            return ""
        if self.integer:
            return str(round(value))
        return f"{value:.9f}".rstrip("0").rstrip(".")

    def valueFromText(self, text: str) -> float:
        text = text.strip()
        if not text or (self.optional and text == self.specialValueText()):
            return -_HUGE
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        stripped = text.strip()
        if not stripped or (self.optional and stripped == self.specialValueText()):
            state = QValidator.State.Acceptable if self.optional else QValidator.State.Intermediate
        elif (_INT if self.integer else _FLOAT).fullmatch(stripped):
            number = float(stripped)
            ok = -_HUGE < number < _HUGE
            state = QValidator.State.Acceptable if ok else QValidator.State.Invalid
        elif (not self.integer and _FLOAT_START.fullmatch(stripped)) or (
            self.integer and stripped in ("-", "+")
        ):
            state = QValidator.State.Intermediate
        else:
            state = QValidator.State.Invalid
        return state, text, pos

    def fixup(self, text: str) -> str:
        return self.specialValueText() if self.optional and not text.strip() else text

    def stepBy(self, steps: int) -> None:
        if self.empty():
            target = self.start
        else:
            target = self.bounds.clamp(self.value() + steps * self.singleStep(), self.singleStep())
        self.setValue(target)
        self.selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if self.empty():
            return (
                QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
                | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
            )
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        low, high = self.bounds.low, self.bounds.high
        if low is None or self.value() > low + (self.singleStep() if self.bounds.gt is not None else 0):
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if high is None or self.value() < high - (self.singleStep() if self.bounds.lt is not None else 0):
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), 160), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 80), hint.height())


def _step(integer: bool, bounds: Bounds) -> float:
    if integer:
        return 1
    low, high = bounds.low, bounds.high
    span = None if low is None or high is None else high - low
    if span is not None and span <= 1:
        return 0.05
    if span is not None and span <= 10:
        return 0.1
    return 1


class NumberEditor(Editor):
    def __init__(self, original: Any, default: Any, required: bool, shape: Shape) -> None:
        super().__init__(original, default, required)
        integer = shape.kind == "int"
        optional = not required
        shown = default if default not in (MISSING, None) else None
        empty_text = f"{_number(shown)} (default)" if shown is not None else "not set"
        low = shape.bounds.low
        start = shown if isinstance(shown, int | float) else (low if low is not None else 0)
        self.box = NumberBox(integer, shape.bounds, optional, empty_text, float(start))
        if isinstance(original, int | float) and not isinstance(original, bool):
            self.box.setValue(float(original))
        elif optional:
            self.box.setValue(-_HUGE)
        else:
            self.box.lineEdit().setText(_shown(original) if original is not MISSING else "")
        self.box.tint()
        self._row.addWidget(self.box, 1)
        if words := shape.bounds.words():
            hint = QLabel(words)
            hint.setEnabled(False)
            hint.setMinimumWidth(hint.sizeHint().width())
            self._row.addWidget(hint)
        self.box.lineEdit().textEdited.connect(self.changed)
        self.box.valueChanged.connect(self.changed)
        self.box.valueChanged.connect(self.committed)
        self.box.editingFinished.connect(self.committed)
        self._ready()

    def current(self) -> Any:
        if self.box.empty():
            return MISSING if not self.required else _unreadable("a number is required")
        text = self.box.lineEdit().text().strip()
        if not (_INT if self.box.integer else _FLOAT).fullmatch(text):
            raise Unreadable(f"{text!r} is not a {'whole ' if self.box.integer else ''}number")
        number = float(text)
        whole = self.box.integer or (number.is_integer() and not re.search(r"[.eE]", text))
        return int(number) if whole else number


def _unreadable(message: str) -> Any:
    raise Unreadable(message)


class ChoiceEditor(Editor):
    def __init__(self, original: Any, default: Any, required: bool, shape: Shape) -> None:
        super().__init__(original, default, required)
        self.box = QComboBox()
        choices = list(shape.choices)
        if original is not MISSING and original is not None and not any(same(original, c) for c in choices):
            choices.append(original)  # shown as it is; validation says why it is refused
        if shape.optional or (default is MISSING and not required):
            self.box.addItem("not set", MISSING)
        elif default is MISSING and original is MISSING:
            self.box.addItem("choose…", MISSING)  # required, with nothing chosen yet
        for choice in choices:
            text = _shown(choice) + ("  (default)" if same(choice, default) else "")
            self.box.addItem(text, choice)
        shown = original if original not in (MISSING, None) else default
        for index in range(self.box.count()):
            if same(self.box.itemData(index), shown) or (
                shown in (MISSING, None) and self.box.itemData(index) is MISSING
            ):
                self.box.setCurrentIndex(index)
                break
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._row.addWidget(self.box)
        self._row.addStretch(1)
        self.box.currentIndexChanged.connect(self.changed)
        self.box.activated.connect(self.committed)
        self._ready()

    def choose(self, choice: Any) -> None:
        """Choose ``choice`` as the operator would (``MISSING``: "not set")."""
        for index in range(self.box.count()):
            data = self.box.itemData(index)
            if (data is MISSING and choice is MISSING) or (data is not MISSING and same(data, choice)):
                self.box.setCurrentIndex(index)
                self.box.activated.emit(index)
                return
        raise ValueError(f"no choice {choice!r}")

    def current(self) -> Any:
        return self.box.currentData()


class TextEditor(Editor):
    def __init__(self, original: Any, default: Any, required: bool, suggestions: Sequence[str] = ()) -> None:
        super().__init__(original, default, required)
        self.edit = QLineEdit()
        self.edit.setCursorPosition(0)  # a long text shows its start
        if suggestions:
            completer = QCompleter(list(suggestions), self.edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.edit.setCompleter(completer)
        self.edit.setText(
            original if isinstance(original, str) else "" if original in (MISSING, None) else _shown(original)
        )
        if not required:
            self.edit.setPlaceholderText(
                f"{_shown(default)} (default)" if default not in (MISSING, None, "") else "not set"
            )
        self._row.addWidget(self.edit, 1)
        self.edit.textEdited.connect(self.changed)
        self.edit.editingFinished.connect(self.committed)
        self._ready()

    def current(self) -> Any:
        text = self.edit.text()
        return MISSING if not text and not self.required else text


class ColourEditor(Editor):
    """A colour, from the theme's palette by name or as ``#RRGGBB``."""

    def __init__(self, original: Any, default: Any, required: bool, colours: Mapping[str, str]) -> None:
        super().__init__(original, default, required)
        self.box = QComboBox()
        line = QLineEdit()
        self.box.setLineEdit(line)
        self.box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for name, colour in colours.items():
            self.box.addItem(_swatch(colour), name, colour)
        self.box.setEditText(original if isinstance(original, str) else "")
        line.setPlaceholderText(f"{default} (default)" if isinstance(default, str) else "not set")
        self.name = QLabel()
        self.name.setEnabled(False)
        self._row.addWidget(self.box, 1)
        self._row.addWidget(self.name)
        self.box.activated.connect(self._chosen)
        line.textEdited.connect(self.changed)
        line.textEdited.connect(self._named)
        line.editingFinished.connect(self.committed)
        self._named()
        self._ready()

    def _chosen(self, index: int) -> None:
        self.box.setEditText(str(self.box.itemData(index)))
        self._named()
        self.changed.emit()
        self.committed.emit()

    def _named(self) -> None:
        text = self.box.currentText().strip().lower()
        names = [
            self.box.itemText(i) for i in range(self.box.count()) if str(self.box.itemData(i)).lower() == text
        ]
        self.name.setText(", ".join(names))

    def current(self) -> Any:
        text = self.box.currentText().strip()
        return MISSING if not text and not self.required else text


def _swatch(colour: str) -> QIcon:
    picture = QPixmap(14, 14)
    picture.fill(QColor(colour[:7]))
    return QIcon(picture)


class PlainEdit(QPlainTextEdit):
    """A few lines of text whose edit is finished when the focus leaves them."""

    finished = Signal()

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        height = self.fontMetrics().lineSpacing() * lines + 2 * self.frameWidth() + 10
        self.setFixedHeight(height)
        self._at_focus = ""

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._at_focus = self.toPlainText()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.toPlainText() != self._at_focus:
            self.finished.emit()


class LinesEditor(Editor):
    """A list of text, one item a line."""

    def __init__(self, original: Any, default: Any, required: bool) -> None:
        super().__init__(original, default, required)
        items = original if isinstance(original, list) else []
        self.edit = PlainEdit(max(2, min(5, len(items) + 1)))
        self.edit.setPlainText("\n".join(str(item) for item in items))
        self.edit.setPlaceholderText("one a line")
        self._row.addWidget(self.edit, 1)
        self.edit.textChanged.connect(self.changed)
        self.edit.finished.connect(self.committed)
        self._ready()

    def current(self) -> Any:
        items = [line.strip() for line in self.edit.toPlainText().splitlines() if line.strip()]
        return MISSING if not items and not self.required else items


class NumbersEditor(Editor):
    """A list of numbers, comma-separated."""

    def __init__(self, original: Any, default: Any, required: bool, shape: Shape) -> None:
        super().__init__(original, default, required)
        self.integer = shape.integer_items
        self.edit = QLineEdit()
        if isinstance(original, list):
            self.edit.setText(", ".join(_shown(item) for item in original))
        if isinstance(default, list) and not required:
            self.edit.setPlaceholderText(f"{', '.join(_shown(v) for v in default)} (default)")
        self._row.addWidget(self.edit, 1)
        self.edit.textEdited.connect(self.changed)
        self.edit.editingFinished.connect(self.committed)
        self._ready()

    def current(self) -> Any:
        parts = [part.strip() for part in self.edit.text().split(",") if part.strip()]
        if not parts:
            return MISSING if not self.required else []
        numbers: list[int | float] = []
        for part in parts:
            if not (_INT if self.integer else _FLOAT).fullmatch(part):
                raise Unreadable(f"{part!r} is not a {'whole ' if self.integer else ''}number")
            number = float(part)
            numbers.append(int(number) if self.integer or _INT.fullmatch(part) else number)
        return numbers


class JsonEditor(Editor):
    """Any JSON value, as text: one line for a small one, indented lines for a larger one."""

    def __init__(self, original: Any, default: Any, required: bool) -> None:
        super().__init__(original, default, required)
        text = "" if original is MISSING else json.dumps(original, ensure_ascii=False)
        lines = 1
        if len(text) > 60:
            text = json.dumps(original, ensure_ascii=False, indent=2)
            lines = min(8, text.count("\n") + 1)
        self.edit = PlainEdit(max(lines, 1))
        self.edit.setPlainText(text)
        if not required and default is not MISSING:
            self.edit.setPlaceholderText(f"{json.dumps(default, ensure_ascii=False)} (default)")
        self._row.addWidget(self.edit, 1)
        self.edit.textChanged.connect(self.changed)
        self.edit.finished.connect(self.committed)
        self._ready()

    def current(self) -> Any:
        text = self.edit.toPlainText().strip()
        if not text:
            return MISSING if not self.required else _unreadable("a JSON value is required")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise Unreadable(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None


class FixedEditor(Editor):
    """A value shown, not edited (a widget's kind)."""

    def __init__(self, original: Any) -> None:
        super().__init__(original, MISSING, True)
        self.label = QLabel("" if original is MISSING else _shown(original))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._row.addWidget(self.label, 1)
        self._ready()

    def current(self) -> Any:
        return self.original


class ProblemLabel(QLabel):
    """Problems, in red, under what they are about; hidden when there are none."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_messages(self, messages: Sequence[str]) -> None:
        self.setText("\n".join(messages))
        self.setVisible(bool(messages))


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
            self.form.problems.show_messages([f"not an object: {_shown(original)}"])
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
        if not isinstance(self.original, dict | _Missing):  # not an object: kept until replaced
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


def heading(text: str) -> QLabel:
    """A panel's title: bold, a quarter larger than its text."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    return label
