"""The keys a presentation clicker sends, read on every wall window.

A clicker is a tiny keyboard: PageDown/PageUp (or arrows, space) for next and previous, "." or B to
blank, often a pause key. The filter sits in front of the windows, so the keys work in a kiosk too, where
every other key is ignored. Digits then Enter jump to a scene by number.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

Key = Qt.Key
ACTIONS: dict[Key, str] = {
    **dict.fromkeys((Key.Key_PageDown, Key.Key_Right, Key.Key_Space), "next"),
    **dict.fromkeys((Key.Key_PageUp, Key.Key_Left), "previous"),
    Key.Key_Home: "first",
    **dict.fromkeys((Key.Key_B, Key.Key_Period), "blank"),
    **dict.fromkeys(
        (Key.Key_H, Key.Key_Pause, Key.Key_MediaPause, Key.Key_MediaPlay, Key.Key_MediaTogglePlayPause),
        "pause",
    ),
}
"""What each key does: next, previous, first, blank (toggle), pause (hold or resume)."""
_DIGITS = {getattr(Key, f"Key_{digit}"): digit for digit in range(10)}
_ENTER = (Key.Key_Return, Key.Key_Enter)
_CHORDS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)

Act = Callable[[str, int | None], None]
"""Does an action: ``(what, number)``, the number only for "jump"."""


class PresenterKeys(QObject):
    """Turns the presenter's keys on the windows it watches into actions; other keys go on as before."""

    def __init__(self, act: Act) -> None:
        super().__init__()
        self.act = act
        self.number = ""
        """Digits typed so far, for a jump on Enter."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.modifiers() & _CHORDS:  # Ctrl+Q, the kiosk's exit chord: not the presenter's
            return False
        key = Key(event.key())
        if key in _DIGITS:
            self.number = (self.number + str(_DIGITS[key]))[-2:]
            return True
        if key in _ENTER and self.number:
            number, self.number = int(self.number), ""
            self.act("jump", number)
            return True
        self.number = ""
        if (what := ACTIONS.get(key)) is None:
            return False
        if not event.isAutoRepeat():  # a key held down is one press, not a run through the show
            self.act(what, None)
        return True
