"""One editor per kind of field: a bounded spin box, a choice, a check box, a line of text, a theme colour,
lines of text, comma-separated numbers, JSON text; and the red label that says a field's problems.

An editor shows a field's JSON value and gives it back (``value``): the original itself while it is left
alone, ``MISSING`` for a default chosen where the key was absent, else what it now holds; ``Unreadable``
when that is not JSON (a number that is not one, JSON that does not parse). ``changed`` says the content
changed as typed, ``committed`` that an edit is finished (Enter, the focus leaving, a choice made).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QIcon, QPalette, QPixmap, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from wallapp.errors import Problem
from wallapp.qt.editor.shapes import MISSING, Bounds, Shape, number_text, same

PROBLEM_COLOUR = "#c62828"
"""Problems are written in this red, beside their field."""


class Unreadable(Exception):
    """What an editor holds cannot be read as JSON (``message`` says why, in a validation message's words)."""

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        """Where, inside the field (a nested model's key)."""


def shown_json(value: Any) -> str:
    """A default or a choice as the file writes it (text without its quotes)."""
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
        empty_text = f"{number_text(shown)} (default)" if shown is not None else "not set"
        low = shape.bounds.low
        start = shown if isinstance(shown, int | float) else (low if low is not None else 0)
        self.box = NumberBox(integer, shape.bounds, optional, empty_text, float(start))
        if isinstance(original, int | float) and not isinstance(original, bool):
            self.box.setValue(float(original))
        elif optional:
            self.box.setValue(-_HUGE)
        else:
            self.box.lineEdit().setText(shown_json(original) if original is not MISSING else "")
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
            text = shown_json(choice) + ("  (default)" if same(choice, default) else "")
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
        given = "" if original is MISSING or original is None else original
        self.edit.setText(given if isinstance(given, str) else shown_json(given))
        if not required:
            self.edit.setPlaceholderText(
                f"{shown_json(default)} (default)" if default not in (MISSING, None, "") else "not set"
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
            self.edit.setText(", ".join(shown_json(item) for item in original))
        if isinstance(default, list) and not required:
            self.edit.setPlaceholderText(f"{', '.join(shown_json(v) for v in default)} (default)")
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
        self.label = QLabel("" if original is MISSING else shown_json(original))
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


def heading(text: str) -> QLabel:
    """A panel's title: bold, a quarter larger than its text."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    return label
