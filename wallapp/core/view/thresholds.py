"""Thresholds and the level a value earns by them, shared by KPI tiles and country boards."""

from __future__ import annotations

import math
import operator
from typing import Literal, Self

from pydantic import Field, model_validator

from wallapp.core.strict import Strict


class Thresholds(Strict):
    """Values at which a KPI turns to warning and critical colours."""

    warning: float
    critical: float
    higher_is_worse: bool = Field(
        False, description="True when large values are bad (response time), false when small ones are (rate)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.higher_is_worse and self.critical < self.warning:
            raise ValueError("with higher_is_worse, critical must be >= warning")
        if not self.higher_is_worse and self.critical > self.warning:
            raise ValueError("critical must be <= warning (small values are bad)")
        return self


Level = Literal["critical", "warning", "positive"]


def level(thresholds: Thresholds | None, value: float | None) -> Level | None:
    """critical, warning or positive (the palette colour); None without thresholds, and None for a
    missing value: no value is ever "OK"."""
    if thresholds is None or value is None or not math.isfinite(value):
        return None
    worse = operator.ge if thresholds.higher_is_worse else operator.le
    if worse(value, thresholds.critical):
        return "critical"
    if worse(value, thresholds.warning):
        return "warning"
    return "positive"
