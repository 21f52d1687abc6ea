"""The status a value earns by its thresholds, shared by KPI tiles and country boards."""

from __future__ import annotations

import operator
from typing import Literal

from wallapp.core.widgets.kpi import Thresholds

Level = Literal["critical", "warning", "positive"]


def level(thresholds: Thresholds | None, value: float) -> Level | None:
    """critical, warning or positive (the palette colour); None without thresholds."""
    if thresholds is None:
        return None
    worse = operator.ge if thresholds.higher_is_worse else operator.le
    if worse(value, thresholds.critical):
        return "critical"
    if worse(value, thresholds.warning):
        return "warning"
    return "positive"
