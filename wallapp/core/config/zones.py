"""Time zones named in files (a clock's, a schedule's): an IANA name that this machine knows."""

from __future__ import annotations

import zoneinfo
from typing import Annotated

from pydantic import AfterValidator


def _known_zone(zone: str) -> str:
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r}") from None
    return zone


ZoneName = Annotated[str, AfterValidator(_known_zone)]
"""An IANA time zone name (Europe/Paris), refused at load if unknown rather than failing at run time."""
