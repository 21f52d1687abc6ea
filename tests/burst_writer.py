"""A burst of writes through the wall's own code, to be killed with SIGKILL part way (test_crash_safety).

    python tests/burst_writer.py FOLDER

Three stores (posts, KPIs, a ranking) as a wall keeps them, each rewritten whole after every update
(``persist_every=0``), and pictures written as the image cache writes them (``write_atomically``), as
fast as the process can. Each generation replaces a store's records with records that all name it, so a
file that mixed two writes would show. After each write has returned, one line on stdout says so
(``posts 17``, ``image 17``): what was acknowledged must be on disk after the kill. A run starts from what
the previous (killed) run left: its stores are loaded, their temporary files swept, and counting goes on.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wallapp.core.data.records import Metric, Person, Post, Record
from wallapp.core.data.store import Store
from wallapp.core.durable import write_atomically

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
SIZES = {"posts": 300, "kpis": 40, "ranks": 20}
PICTURES = 8
"""Pictures rewritten in turn: ``image-<generation % PICTURES>``."""


def records(name: str, generation: int) -> list[Record]:
    count = SIZES[name]
    if name == "posts":
        return [Post(id=f"p{i}", text=f"generation {generation} " + "x" * 120) for i in range(count)]
    if name == "kpis":
        return [Metric(name=f"k{i}", value=float(generation), unit=f"g{generation}") for i in range(count)]
    return [Person(id=f"r{i}", name=f"generation {generation}", rank=i + 1) for i in range(count)]


def generation_of(store: Store) -> int:
    """The one generation a loaded store's records all come from (ValueError if they mix)."""
    seen = set()
    for record in store.records():
        if isinstance(record, Post):
            seen.add(int(record.text.split()[1]))
        elif isinstance(record, Metric):
            seen.add(int(record.value or 0))
        elif isinstance(record, Person):
            seen.add(int(record.name.split()[1]))
    if len(seen) != 1 or len(store) != SIZES[store.name]:
        raise ValueError(f"store {store.name!r}: {len(store)} records of generations {sorted(seen)}")
    return seen.pop()


def picture(generation: int) -> bytes:
    """Bytes that say whether they are whole: a body, then its digest."""
    body = f"picture of generation {generation} ".encode() * 400
    return body + hashlib.sha256(body).hexdigest().encode()


def picture_is_whole(data: bytes) -> bool:
    body, digest = data[:-64], data[-64:]
    return hashlib.sha256(body).hexdigest().encode() == digest


def main(folder: Path) -> None:
    stores = {
        name: Store(name, capacity=500, cache_path=folder / f"{name}.json", persist_every=0) for name in SIZES
    }
    generation = 0
    for store in stores.values():
        if store.load():
            generation = max(generation, generation_of(store))
    print("started", flush=True)
    while True:
        generation += 1
        for name, store in stores.items():
            store.update(records(name, generation), as_of=T0 + timedelta(seconds=generation), replace=True)
            print(f"{name} {generation}", flush=True)
        write_atomically(folder / "images" / f"image-{generation % PICTURES}", picture(generation))
        print(f"image {generation}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
