"""How far ahead a switch is announced on a wall of several PCs: long enough for its slowest node.

Every node shows a switch at the instant announced (``wallapp.core.relay.Switch.at``), with the next scene
built off screen before it. A node that hears the switch late, or builds the scene slowly (a loaded PC, a
heavy layout), is not ready at the instant and shows it late: the other nodes have switched already.

So each node says, in its report, how long after the announcement it had the last switch ready (heard and
built: ``Report.ready_after_ms``), and every node keeps what the wall's nodes said of their last
``KEPT`` switches (``Ahead``). A node announcing a switch puts its instant ``ahead()`` from now: the
slowest of those, times ``MARGIN``, never less than ``relay.SWITCH_AHEAD_S`` (what a wall of idle PCs needs)
nor more than ``MOST_S`` (an operator's switch is still prompt). A node that starts later learns the
others' last reports from the broker, which keeps them.
"""

from __future__ import annotations

from collections import deque

from wallapp.core.relay import SWITCH_AHEAD_S, Report

MARGIN = 1.5
"""How much longer than the slowest node's recent time to be ready a switch is announced ahead."""
MOST_S = 2.0
"""The furthest ahead a switch is announced, however slow a node was."""
KEPT = 8
"""The switches whose times each node's estimate holds: one slow switch counts for as many."""


class Ahead:
    """What the nodes of a wall said of their last switches, and the lead a switch is announced with."""

    def __init__(self, least: float = SWITCH_AHEAD_S, most: float = MOST_S, margin: float = MARGIN) -> None:
        self.least, self.most, self.margin = least, most, margin
        self._taken: dict[str, deque[tuple[str, float]]] = {}
        """Each node's last switches: the switch's id, and how long after its announcement it was ready
        there (seconds)."""

    def heard(self, report: Report) -> None:
        """A node's report: its last switch's time to be ready is kept (once per switch)."""
        if report.switch is None or report.ready_after_ms is None:
            return
        taken = self._taken.setdefault(report.node, deque(maxlen=KEPT))
        if any(switch == report.switch for switch, _ in taken):
            return
        taken.append((report.switch, max(0.0, report.ready_after_ms / 1000)))

    def slowest(self) -> float | None:
        """The longest any node took to be ready, of its last switches (None: none said yet)."""
        times = [seconds for taken in self._taken.values() for _, seconds in taken]
        return max(times) if times else None

    def ahead(self) -> float:
        """How far ahead to announce a switch now (seconds)."""
        slowest = self.slowest()
        wanted = self.least if slowest is None else slowest * self.margin
        return min(max(wanted, self.least), self.most)
