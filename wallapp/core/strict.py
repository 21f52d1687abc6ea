"""The base of every model read from a file (layouts, themes, sources, widget options).

Unknown fields are refused, so a typo is an error and not a silent default; models are frozen.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
