"""Data source declarations of a layout (the ``sources`` object): name -> how to reach the data.

Source kinds and their mapping land with live data; a layout can already declare the demo feed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DemoSource(BaseModel):
    """The built-in simulator of a live social hub."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["demo"]
    seed: int | None = Field(None, description="Same seed, same feed; random when absent.")


SourceSpec = DemoSource
