"""How deep JSON may nest: layouts, themes and the values records keep stay within ``MAX_DEPTH`` levels.

Much deeper JSON is read by Python (up to its recursion limit) but breaks later, elsewhere, as an internal
error: writing last good data, computing a digest, serialising a declaration. No real document or record
needs more than a few levels, so deeper ones are refused where they come in, with where they go too deep.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 64
TOO_DEEP = f"nested too deeply (more than {MAX_DEPTH} levels)"


def too_deep(value: Any, limit: int = MAX_DEPTH) -> list[int | str] | None:
    """The path to a list or object nested more than ``limit`` levels deep in ``value``, or None.

    Walked with a stack, not recursion: it must not fail on the very values it guards against.
    """
    stack: list[tuple[Any, list[int | str]]] = [(value, [])]
    while stack:
        node, path = stack.pop()
        children: Any
        if isinstance(node, dict):
            children = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        if len(path) >= limit:
            return path
        stack.extend((child, [*path, key]) for key, child in children)
    return None
