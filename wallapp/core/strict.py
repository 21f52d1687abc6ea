"""The base of every model read from a file (layouts, themes, sources, widget options).

Unknown fields are refused, so a typo is an error and not a silent default; models are frozen. A number
that is infinite or not a number (``1e400``, ``NaN``, which Python's JSON reader accepts) is refused: no
setting means that, and it would only fail later, at run time.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
