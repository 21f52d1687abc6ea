"""Every edit as one undoable step: the layout data before and after (a few KB: a whole copy is simplest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

Data = dict[str, Any]


class Edit(QUndoCommand):
    """The document goes from ``before`` to ``after`` (redo) and back (undo), through ``show``, which puts
    the data in the window (the scene rebuilt, the panels told) and selects ``select`` (widget ids)."""

    def __init__(
        self,
        text: str,
        before: Data,
        after: Data,
        show: Callable[[Data, tuple[str, ...]], None],
        selected_before: tuple[str, ...] = (),
        selected_after: tuple[str, ...] = (),
    ) -> None:
        super().__init__(text)
        self.before, self.after = before, after
        self._show = show
        self._selected = selected_before, selected_after

    def redo(self) -> None:
        self._show(self.after, self._selected[1])

    def undo(self) -> None:
        self._show(self.before, self._selected[0])
