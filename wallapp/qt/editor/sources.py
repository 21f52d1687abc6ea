"""The source editor: the layout's sources (kind, URL, interval, mapping...), added, removed, renamed, and
tried once ("Test source") to see a sample of the records they yield.

Each source's form is generated from its kind's model (``forms``); changing the kind keeps the settings the
new kind has. Edits are checked as the whole layout would be loaded and emitted as new layout data
(``edited``) only when they leave it valid, as in the properties panel. "Test source" makes the attempt
``wallapp probe`` makes, with the wall's own reader, mapping and filters, on the running asyncio loop (the
editor runs on qasync, like the wall): the first records it yields, their fields as columns, or the cause
the log would give.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from wallapp.core.config.jsondoc import problems_from_validation
from wallapp.core.config.settings import ProxyOptions
from wallapp.core.config.sources import SourceSpec, TlsOptions
from wallapp.core.config.theme import Theme
from wallapp.core.data.diagnosis import KIND_NAMES
from wallapp.core.data.records import Record
from wallapp.core.editing.document import with_source
from wallapp.core.view.notices import plain_cause
from wallapp.errors import Problem, SourceError
from wallapp.live import Network, SourceRunner, open_store
from wallapp.live.probe import Probed, probe
from wallapp.qt.editor.checking import Checker, located, under
from wallapp.qt.editor.fields import ChoiceEditor, ProblemLabel, heading
from wallapp.qt.editor.forms import FormContext, ModelForm
from wallapp.qt.editor.properties import source_records
from wallapp.qt.editor.shapes import MISSING, Shape, same

log = logging.getLogger("wallapp.editor")

SOURCE_MODELS: dict[str, type[BaseModel]] = {
    get_args(model.model_fields["kind"].annotation)[0]: model for model in get_args(get_args(SourceSpec)[0])
}
"""Each source kind's model, by kind."""

_SPECS: TypeAdapter[Any] = TypeAdapter(SourceSpec)

ORDER = (
    "kind",
    "url",
    "path",
    "feed",
    "method",
    "interval",
    "expect_every",
    "events",
    "subscribe",
    "mapping",
)
"""The keys shown first, in this order: what a source is and how often it is read."""

SAMPLE = 20
"""Records shown by "Test source"."""

TEST_TIMEOUT = 10.0
"""Seconds "Test source" waits for a stream's first message."""

NEW_SOURCE: dict[str, Any] = {"kind": "demo", "feed": "posts"}
"""What "Add" declares: a source that works at once, to be changed into the one wanted."""

Tester = Callable[[str, Any], Awaitable[Probed]]
"""One attempt at a source (its name, its validated declaration)."""

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class SourceTester:
    """One attempt at a source, as ``wallapp probe`` makes it: the installation's network settings and
    secrets, relative paths from the layout's ``folder``, no last good data."""

    def __init__(
        self,
        folder: Path | None,
        tls: TlsOptions | None = None,
        proxy: ProxyOptions | None = None,
        secrets: Mapping[str, str] | None = None,
        timeout: float = TEST_TIMEOUT,
    ) -> None:
        self.folder = folder
        self.tls = tls
        self.proxy = proxy
        self.secrets = dict(secrets or {})
        self.timeout = timeout

    async def __call__(self, name: str, spec: Any) -> Probed:
        async with Network(self.tls, self.proxy, secrets=self.secrets) as network:
            runner = SourceRunner(
                name, spec, open_store(name, spec), network, secrets=self.secrets, base_dir=self.folder
            )
            return await probe(runner, self.timeout)


def renamed(data: Mapping[str, Any], old: str, new: str) -> dict[str, Any]:
    """``data`` with source ``old`` called ``new`` (in its place), and the widgets bound to it bound to
    ``new``."""
    sources = {new if key == old else key: value for key, value in (data.get("sources") or {}).items()}
    widgets = [
        {**w, "source": new} if isinstance(w, dict) and w.get("source") == old else w
        for w in data.get("widgets", [])
    ]
    out = {**data, "sources": sources}
    if "widgets" in data:
        out["widgets"] = widgets
    return out


def users(data: Mapping[str, Any], name: str) -> list[str]:
    """The ids of the widgets bound to source ``name``."""
    return [
        str(w.get("id", f"widgets[{i}]"))
        for i, w in enumerate(data.get("widgets", []))
        if isinstance(w, dict) and w.get("source") == name
    ]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value if len(value) <= 200 else value[:199] + "…"
    return json.dumps(value, ensure_ascii=False)


def sample_table(
    records: tuple[Record, ...] | list[Record], limit: int = SAMPLE
) -> tuple[list[str], list[list[str]]]:
    """The first ``limit`` records as a table: the record fields as columns (in the model's order, the id
    last), one row a record."""
    rows = [record.model_dump(mode="json") for record in records[:limit]]
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in ("type", "id") and key not in columns]
    if any(row.get("id") for row in rows):
        columns.append("id")  # last: often long, and made of the other fields
    return columns, [[_cell(row.get(column)) for column in columns] for row in rows]


class SourcesPanel(QWidget):
    """The layout's sources: a list to choose from, the chosen one's form, "Test source" and its sample.
    ``edited`` carries the whole new layout data after each valid, finished edit."""

    edited = Signal(object)

    def __init__(
        self,
        checker: Checker,
        tester: Tester | None = None,
        theme: Theme | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.checker = checker
        self.tester: Tester = tester or SourceTester(checker.folder)
        self.context = FormContext(dict(theme.palette.model_dump()) if theme is not None else {})
        self.data: dict[str, Any] = {}
        self.name: str | None = None
        self.spec: dict[str, Any] = {}
        self.form: ModelForm | None = None
        self.testing: asyncio.Future[Probed | None] | None = None
        self._before: set[Problem] = set()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(6)
        outer.addWidget(heading("Sources"))
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMaximumHeight(self.list.fontMetrics().lineSpacing() * 6 + 12)
        self.list.currentItemChanged.connect(self._picked)
        outer.addWidget(self.list)
        buttons = QHBoxLayout()
        self.add_button = _button(
            "Add", "Declare a new source (a demo feed, to change into the one you want).", self.add_source
        )
        self.remove_button = _button(
            "Remove", "Remove the chosen source (once no widget shows it).", self.remove_source
        )
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.problems = ProblemLabel()
        outer.addWidget(self.problems)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self._editing())
        self.split.addWidget(self._trying())
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        outer.addWidget(self.split, 1)
        self.show_sources({})

    def _editing(self) -> QWidget:
        """The chosen source's name and form."""
        editing = QWidget()
        column = QVBoxLayout(editing)
        column.setContentsMargins(0, 0, 0, 0)
        naming = QHBoxLayout()
        label = QLabel("name")
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        naming.addWidget(label)
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("The name widgets use to show this source's records.")
        self.name_edit.editingFinished.connect(self._rename)
        naming.addWidget(self.name_edit, 1)
        column.addLayout(naming)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column.addWidget(self.area, 1)
        return editing

    def _trying(self) -> QWidget:
        """ "Test source", what came of it and the records' sample."""
        trying = QWidget()
        bottom = QVBoxLayout(trying)
        bottom.setContentsMargins(0, 4, 0, 0)
        row = QHBoxLayout()
        self.test_button = _button(
            "Test source",
            "Read the source once, as the wall would, and show what it yields.",
            self._test_clicked,
        )
        row.addWidget(self.test_button)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.outcome, 1)
        bottom.addLayout(row)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.hide()
        bottom.addWidget(self.table, 1)
        return trying

    # What is shown

    def show_sources(self, data: dict[str, Any], name: str | None = None) -> None:
        """Show the sources of the layout ``data`` (plain JSON), with ``name`` chosen (None: the one chosen
        before if it is still there, else the first). Given back the data it just emitted, the form stays
        as it is, focus and all."""
        if same(data, self.data) and self.form is not None and name in (None, self.name):
            self.data = data
            return
        self.data = data
        names = list(self._sources())
        wanted = name if name in names else self.name if self.name in names else (names[0] if names else None)
        kinds = source_records(data)
        self.list.blockSignals(True)
        self.list.clear()
        for each in names:
            spec = self._sources()[each]
            kind = spec.get("kind", "?") if isinstance(spec, dict) else "?"
            yields = kinds.get(each)
            item = QListWidgetItem(f"{each}   {kind} · {KIND_NAMES[yields] if yields else 'invalid'}")
            item.setData(Qt.ItemDataRole.UserRole, each)
            self.list.addItem(item)
            if each == wanted:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._before = set(self.checker(data))
        self._open(wanted)

    def _sources(self) -> dict[str, Any]:
        sources = self.data.get("sources") if isinstance(self.data, dict) else None
        return sources if isinstance(sources, dict) else {}

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self._open(str(item.data(Qt.ItemDataRole.UserRole)))

    def select(self, name: str) -> None:
        """Choose source ``name`` as the operator would."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)
                return
        raise ValueError(f"no source {name!r}")

    def _open(self, name: str | None, spec: dict[str, Any] | None = None) -> None:
        """Show source ``name``'s form (``spec``: its declaration as being edited, else the layout's)."""
        self.name = name
        self.table.hide()
        self.outcome.clear()
        self.remove_button.setEnabled(name is not None)
        self.test_button.setEnabled(name is not None)
        self.name_edit.setEnabled(name is not None)
        self.name_edit.setText(name or "")
        if name is None:
            self.form = None
            empty = QLabel("No sources: add one to feed widgets with data.")
            empty.setWordWrap(True)
            empty.setEnabled(False)
            self.area.setWidget(empty)
            self.problems.show_messages([])
            return
        given = self._sources().get(name)
        self.spec = spec if spec is not None else given if isinstance(given, dict) else {}
        kind = self.spec.get("kind")
        model = SOURCE_MODELS.get(kind) if isinstance(kind, str) else None
        kinds = Shape("choice", choices=tuple(SOURCE_MODELS))
        form = ModelForm(
            model or SOURCE_MODELS["demo"],
            self.spec,
            self.context,
            order=ORDER,
            editors={
                "kind": lambda original, default, required: ChoiceEditor(original, MISSING, True, kinds)
            },
        )
        form.editors["kind"].committed.connect(self._kind_chosen)
        form.changed.connect(self._typed)
        form.committed.connect(self._finished)
        self.form = form
        form.outer.setContentsMargins(0, 0, 12, 0)  # clear of the scroll bar
        self.area.setWidget(form)
        self._show(self.candidate()[1])

    @property
    def path(self) -> str:
        """The JSON path of the source shown."""
        return self._prefix(self.name or "")

    @staticmethod
    def _prefix(name: str) -> str:
        return f"sources.{name}"

    # Edits

    def candidate(self) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
        """The layout as the form now has it, and its problems (None: the form holds what is not JSON)."""
        assert self.form is not None
        assert self.name is not None
        spec, unread = self.form.read()
        if unread:
            return None, located(self.path, unread)
        data = with_source(self.data, self.name, spec)
        return data, self.checker(data)

    def _kind_chosen(self) -> None:
        """A new kind: the form of that kind, with the settings it shares with the old one."""
        assert self.form is not None
        assert self.name is not None
        kind = self.form.editors["kind"].current()
        if kind == self.spec.get("kind") or kind not in SOURCE_MODELS:
            return
        known = {info.alias or key for key, info in SOURCE_MODELS[kind].model_fields.items()}
        spec, _ = self.form.read()
        kept = {"kind": kind, **{key: value for key, value in spec.items() if key in known and key != "kind"}}
        self._open(self.name, kept)
        self._finished()

    def _typed(self) -> None:
        self._show(self.candidate()[1])

    def _finished(self) -> None:
        if self.form is None:
            return
        data, problems = self.candidate()
        self._show(problems)
        self._emit(data, problems)

    def _emit(self, data: dict[str, Any] | None, problems: tuple[Problem, ...]) -> bool:
        if data is None or same(data, self.data) or not self._acceptable(problems):
            return False
        self.data = data
        self._before = set(problems)
        self._relabel()
        self.edited.emit(data)
        return True

    def _acceptable(self, problems: tuple[Problem, ...]) -> bool:
        """Nothing wrong in this source nor in the widgets it feeds, and nothing new elsewhere."""
        return all(p in self._before and under(p.location, self.path) is None for p in problems)

    def _relabel(self) -> None:
        kinds = source_records(self.data)
        for row in range(self.list.count()):
            item = self.list.item(row)
            name = str(item.data(Qt.ItemDataRole.UserRole))
            spec = self._sources().get(name)
            kind = spec.get("kind", "?") if isinstance(spec, dict) else "?"
            yields = kinds.get(name)
            item.setText(f"{name}   {kind} · {KIND_NAMES[yields] if yields else 'invalid'}")

    def _show(self, problems: tuple[Problem, ...]) -> None:
        if self.form is None:
            return
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

    def add_source(self) -> str:
        """Declare a new source (a demo feed of posts) and choose it; its name."""
        taken = set(self._sources())
        name = next(n for n in ("source", *(f"source-{i}" for i in range(2, 1000))) if n not in taken)
        data = with_source(self.data, name, dict(NEW_SOURCE))
        problems = self.checker(data)
        if all(p in self._before for p in problems):
            self.edited.emit(data)
            self.show_sources(data, name)
        else:
            self.problems.show_messages([str(p) for p in problems if p not in self._before])
        return name

    def remove_source(self) -> bool:
        """Remove the chosen source, unless widgets show it (then say which); whether it was removed."""
        if self.name is None:
            return False
        bound = users(self.data, self.name)
        if bound:
            self.problems.show_messages(
                [f"source {self.name!r} feeds {', '.join(bound)}: choose another source for them first"]
            )
            return False
        data = with_source(self.data, self.name, None)
        self.name = None
        self.edited.emit(data)
        self.show_sources(data)
        return True

    def _rename(self) -> None:
        if self.name is None:
            return
        new = self.name_edit.text().strip()
        if new == self.name:
            return
        if not _NAME.fullmatch(new):
            self.problems.show_messages([f"{new!r} cannot name a source: letters, digits, - _ and . only"])
            return
        if new in self._sources():
            self.problems.show_messages([f"a source is already called {new!r}"])
            return
        data = renamed(self.data, self.name, new)
        old, self.name = self.name, new
        before = {
            Problem(p.location.replace(self._prefix(old), self._prefix(new), 1), p.message)
            for p in self._before
        }
        problems = self.checker(data)
        if not all(p in before for p in problems):
            self.name = old
            self.problems.show_messages([str(p) for p in problems if p not in before])
            return
        self.data = data
        self._before = set(problems)
        self.edited.emit(data)
        self.show_sources(data, new)

    # Test source

    def _test_clicked(self) -> None:
        self.testing = asyncio.ensure_future(self.test_source())

    async def test_source(self) -> Probed | None:
        """Read the chosen source once, as it is in the form, and show what it yields (None: the form does
        not hold a valid source, said instead)."""
        if self.form is None or self.name is None:
            return None
        spec, unread = self.form.read()
        if unread:
            self._failed("; ".join(f"{p.location}: {p.message}" for p in unread))
            return None
        try:
            parsed = _SPECS.validate_python(spec)
        except ValidationError as exc:
            found = problems_from_validation(exc, spec)
            self._failed("fix the source first: " + "; ".join(str(p) for p in found))
            return None
        name = self.name
        self.test_button.setEnabled(False)
        self.table.hide()
        self.outcome.setStyleSheet("")
        self.outcome.setText("Testing…")
        try:
            probed = await self.tester(name, parsed)
        except SourceError as exc:  # the network settings cannot be used
            probed = Probed(name, "", (), exc.cause)
        except Exception as exc:  # a bug: said here, its traceback in the log
            log.exception("testing source %r failed", name)
            probed = Probed(name, "", (), f"internal error ({type(exc).__name__})")
        finally:
            if Shiboken.isValid(self):  # the editor may have been closed meanwhile
                self.test_button.setEnabled(self.name is not None)
        if not Shiboken.isValid(self) or self.name != name:
            return probed  # another source is shown now: this sample is not its
        if probed.error is not None:
            plain = plain_cause(probed.error)  # what the wall shows, then what the log says
            self._failed(plain if plain.lower() == probed.error.lower() else f"{plain} — {probed.error}")
            return probed
        count = len(probed.records)
        shown = f", the first {SAMPLE} shown" if count > SAMPLE else ""
        self.outcome.setStyleSheet("")
        self.outcome.setText(
            f"{count} record{'s' * (count != 1)}{shown}" if count else "No records (an empty result)"
        )
        columns, rows = sample_table(probed.records)
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(columns)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for c in range(len(columns)):
            header.resizeSection(c, min(header.sectionSize(c), 220))
        self.table.setVisible(bool(rows))
        if rows:  # room for the sample: about half the height
            total = sum(self.split.sizes())
            self.split.setSizes([total // 2, total - total // 2])
        return probed

    def _failed(self, message: str) -> None:
        self.table.hide()
        self.outcome.setStyleSheet("color: #c62828;")
        self.outcome.setText(message)


def _button(text: str, tip: str, clicked: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(clicked)
    return button
