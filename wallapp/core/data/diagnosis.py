"""Why a widget bound to a source shows nothing although the source has records: a configuration mistake.

A KPI naming a metric the source does not have, a ``where`` value or a dimension no record carries, a
ranking bound to a source of posts: each would otherwise wait for data forever. These pure functions
compare what a widget selects with what the records hold, and name the mistake with the names the source
does have, closest first ("No metric 'response_rte' in source 'care' · known: response_rate, ...").
None means the configuration fits the records: there is simply nothing to show (yet).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from wallapp.core.data.records import RECORD_TYPES, Metric, Record, RecordKind, Row, SeriesPoint

KIND_NAMES: dict[RecordKind, str] = {
    "post": "posts",
    "person": "people",
    "metric": "metrics",
    "point": "series points",
    "topic": "topics",
    "row": "rows",
}
"""Record kinds as a sentence names them."""


@dataclass(frozen=True)
class Mismatch:
    """A selection that matches nothing in a source: what is missing, and what the source has instead."""

    problem: str
    known: tuple[str, ...] = ()
    """Names the source does have where the missing one was looked for, the closest first."""

    def __str__(self) -> str:
        return f"{self.problem} · known: {known_names(self.known)}" if self.known else self.problem


def known_names(names: Sequence[str], most: int = 8) -> str:
    """The first ``most`` names, and an ellipsis if there are more."""
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")


def closest_first(wanted: str, names: Iterable[str]) -> tuple[str, ...]:
    """``names`` once each, those most like ``wanted`` first (a typo's fix or the full name of an
    abbreviation leads), then alphabetical."""
    unique = sorted(set(names))
    folded = wanted.casefold()
    near = [name for name in unique if folded in name.casefold() or name.casefold() in folded]
    near += [name for name in difflib.get_close_matches(wanted, unique, n=3, cutoff=0.6) if name not in near]
    return (*near, *(name for name in unique if name not in near))


def wrong_kind(records: Sequence[Record], wanted: RecordKind, source: str) -> Mismatch | None:
    """Records, but none of the kind the widget shows: it is bound to the wrong source."""
    present = {type(record) for record in records}
    if not records or RECORD_TYPES[wanted] in present:
        return None
    found = sorted(KIND_NAMES[kind] for kind, cls in RECORD_TYPES.items() if cls in present)
    return Mismatch(f"Source '{source}' has {' and '.join(found)}, not {KIND_NAMES[wanted]}")


def missing_metric(
    records: Sequence[Record], name: str, where: Mapping[str, str], source: str, by: str | None = None
) -> Mismatch | None:
    """The first part of a metric selection that matches nothing: the name, a dimension of ``where``
    (absent, or without that value among the metrics matched so far), or the dimension ``by``."""
    metrics = [r for r in records if isinstance(r, Metric)]
    if not metrics:
        return wrong_kind(records, "metric", source)
    matched = [m for m in metrics if m.name == name]
    if not matched:
        return Mismatch(
            f"No metric '{name}' in source '{source}'", closest_first(name, (m.name for m in metrics))
        )
    for key, value in where.items():
        having = [m for m in matched if key in m.dimensions]
        if not having:
            keys = (k for m in matched for k in m.dimensions)
            return Mismatch(f"No dimension '{key}' on metric '{name}'", closest_first(key, keys))
        matched = [m for m in having if m.dimensions[key] == value]
        if not matched:
            values = (m.dimensions[key] for m in having)
            return Mismatch(f"No {key} '{value}' for metric '{name}'", closest_first(value, values))
    if by is not None and not any(by in m.dimensions for m in matched):
        keys = (k for m in matched for k in m.dimensions)
        return Mismatch(f"No dimension '{by}' on metric '{name}'", closest_first(by, keys))
    return None


def missing_series(records: Sequence[Record], names: Sequence[str], source: str) -> Mismatch | None:
    """Series named by the widget of which the source has none (every one of them missing)."""
    present = {r.series for r in records if isinstance(r, SeriesPoint)}
    if not present:
        return wrong_kind(records, "point", source)
    if not names or any(name in present for name in names):
        return None
    quoted = ", ".join(f"'{name}'" for name in names)
    return Mismatch(f"No series {quoted} in source '{source}'", closest_first(names[0], present))


def missing_field(records: Sequence[Record], field: str, source: str) -> Mismatch | None:
    """Rows of which none has the field the widget reads."""
    rows = [r for r in records if isinstance(r, Row)]
    if not rows:
        return wrong_kind(records, "row", source)
    if any(field in row.values for row in rows):
        return None
    return Mismatch(
        f"No field '{field}' in the rows of source '{source}'",
        closest_first(field, (key for row in rows for key in row.values)),
    )
