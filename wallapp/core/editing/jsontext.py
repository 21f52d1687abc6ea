"""A JSON document's text changed to hold new data, touching only the text of what changed.

The editor keeps the layout's text as it was opened beside the data it edits; saving writes
``rewrite(text, data)``. The text is parsed with the position of every value (the standard ``json``
module gives none, and the PyPI source-map parsers found are unmaintained, untyped and give no whitespace),
then walked together with the new data:

- a value equal to what the text holds keeps its bytes (numbers by value: ``1`` and ``1.0`` are equal,
  ``true`` and ``1`` are not);
- a changed scalar is replaced where it stands;
- in a changed object, kept keys keep their order and bytes, removed ones go with their comma, new ones
  are written after the last kept key;
- in a changed array, items are matched (``difflib``) so that an item inserted, removed or moved touches
  only its own text; a changed object item keeps its place and is rewritten inside;
- new values are written in the style of the text around them: on one line (``{"id": "logo", ...}``)
  where their sibling containers are on one line, indented with the file's own indent unit otherwise.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


@dataclass
class _Node:
    """A value in the text: ``text[start:end]``, what it parses to and, for a container, its items."""

    start: int
    end: int
    value: Any
    items: list[_Item] = field(default_factory=list)
    inner: str = ""
    """For an empty container, the whitespace between its brackets."""
    tail: str = ""
    """The whitespace between the last item and the closing bracket."""


@dataclass
class _Item:
    """One item of a container: ``gap`` (whitespace after the opening bracket or the comma), ``head`` (an
    object member's key and colon, as written), the value, and ``before_comma`` (whitespace after it)."""

    gap: str
    key: str | None
    head: str
    node: _Node
    before_comma: str = ""


@dataclass(frozen=True)
class _Style:
    """How the document writes: its indent unit, separators, and whether it escapes non-ASCII."""

    unit: str
    item_gap: str
    colon: str
    ascii: bool
    newline: str


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, at: int) -> int:
        text = self.text
        while at < len(text) and text[at] in _SPACE:
            at += 1
        return at

    def fail(self, message: str, at: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.text, at)

    def value(self, at: int) -> _Node:
        text = self.text
        if at >= len(text):
            raise self.fail("Expecting value", at)
        opening = text[at]
        if opening not in "[{":
            value, end = _DECODER.raw_decode(text, at)
            return _Node(at, end, value)
        closing = "]" if opening == "[" else "}"
        node = _Node(at, at, {} if opening == "{" else [])
        at += 1
        after_open = self.skip(at)
        if after_open < len(text) and text[after_open] == closing:
            node.inner, node.end = text[at:after_open], after_open + 1
            return node
        while True:
            gap_end = self.skip(at)
            gap = text[at:gap_end]
            key: str | None = None
            head_start = at = gap_end
            if opening == "{":
                if at >= len(text) or text[at] != '"':
                    raise self.fail("Expecting property name enclosed in double quotes", at)
                key, at = _DECODER.raw_decode(text, at)
                at = self.skip(at)
                if at >= len(text) or text[at] != ":":
                    raise self.fail("Expecting ':' delimiter", at)
                at = self.skip(at + 1)
            child = self.value(at)
            item = _Item(gap, key, text[head_start:at], child)
            node.items.append(item)
            if key is None:
                node.value.append(child.value)
            else:
                node.value[key] = child.value
            at = self.skip(child.end)
            space = text[child.end : at]
            if at < len(text) and text[at] == ",":
                item.before_comma = space
                at += 1
                continue
            if at < len(text) and text[at] == closing:
                node.tail, node.end = space, at + 1
                return node
            raise self.fail(f"Expecting ',' delimiter or {closing!r}", at)


def _parse(text: str) -> tuple[str, _Node, str]:
    """The whitespace before the document's value, the value with positions, the text after it."""
    parser = _Parser(text)
    start = parser.skip(0)
    root = parser.value(start)
    end = parser.skip(root.end)
    if end != len(text):
        raise parser.fail("Extra data", end)
    return text[:start], root, text[root.end :]


def _style(text: str, root: _Node) -> _Style:
    indented = re.search(r"\n([ \t]+)\S", text)
    unit = indented.group(1) if indented else "  "
    item_gap: str | None = None
    colon: str | None = None
    stack = [root]
    while stack and (item_gap is None or colon is None):
        node = stack.pop()
        for index, item in enumerate(node.items):
            if item_gap is None and index > 0 and "\n" not in item.gap:
                item_gap = item.gap
            if colon is None and item.key is not None:
                colon = _colon(item.head)
            stack.append(item.node)
    escapes_non_ascii = re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", text) is not None
    return _Style(
        unit,
        " " if item_gap is None else item_gap,
        ": " if colon is None else colon,
        ascii=text.isascii() and escapes_non_ascii,
        newline="\r\n" if "\r\n" in text else "\n",
    )


def _colon(head: str) -> str:
    """The colon of an object member with the whitespace around it, as written: ``": "``."""
    _, end = _DECODER.raw_decode(head)
    return head[end:]


def _key(value: Any) -> Hashable:
    """A hashable stand-in for a JSON value, equal exactly when the values are the same JSON."""
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, dict):
        return ("o", frozenset((name, _key(item)) for name, item in value.items()))
    if isinstance(value, list):
        return ("a", tuple(_key(item) for item in value))
    raise TypeError(f"not JSON data: {type(value).__name__}")


def _identity(value: Any) -> Hashable:
    """What names an array item across edits (a widget's ``id``), to pair a changed item with its text."""
    if isinstance(value, dict):
        for name in ("id", "name"):
            if isinstance(value.get(name), str):
                return (name, value[name])
    return None


def _indent_at(text: str, at: int) -> str:
    """The leading whitespace of the line holding ``text[at]``."""
    line_start = text.rfind("\n", 0, at) + 1
    line = text[line_start:at]
    return line[: len(line) - len(line.lstrip(" \t"))]


class _Writer:
    def __init__(self, text: str, style: _Style) -> None:
        self.text = text
        self.style = style

    def fresh(self, value: Any, indent: str, multiline: bool) -> str:
        """``value`` written anew: on one line, or indented from a line indented by ``indent``."""
        style = self.style
        if multiline and isinstance(value, dict | list) and value:
            written = json.dumps(
                value, indent=style.unit, separators=(",", style.colon), ensure_ascii=style.ascii
            )
            return written.replace("\n", style.newline + indent)
        return json.dumps(value, separators=("," + style.item_gap, style.colon), ensure_ascii=style.ascii)

    def multiline_here(self, parent: _Node | None, value: Any) -> bool:
        """Whether a new container in ``parent`` is written on several lines, like its siblings."""
        if parent is None:
            return "\n" in self.text
        siblings = [item.node for item in parent.items if item.node.items]
        alike = [node for node in siblings if type(node.value) is type(value)] or siblings
        if alike:
            first = alike[0]
            return "\n" in self.text[first.start : first.end]
        return "\n" in self.text[parent.start : parent.end]

    def node(self, node: _Node, value: Any, parent: _Node | None) -> str:
        if _key(node.value) == _key(value):
            return self.text[node.start : node.end]
        same_container = isinstance(value, dict | list) and type(node.value) is type(value)
        if not same_container or not node.items:
            indent = _indent_at(self.text, node.start)
            return self.fresh(value, indent, self.multiline_here(parent, value))
        if isinstance(value, dict):
            return self.object(node, value)
        return self.array(node, value)

    def object(self, node: _Node, value: dict[str, Any]) -> str:
        last_of: dict[str, int] = {}
        for index, item in enumerate(node.items):
            last_of[str(item.key)] = index
        kept = [
            (index, value[key])
            for index, item in enumerate(node.items)
            if (key := item.key) is not None and key in value and last_of[key] == index
        ]
        added = [(name, item) for name, item in value.items() if name not in last_of]
        return self.container(node, kept, added)

    def array(self, node: _Node, value: list[Any]) -> str:
        old = [item.node.value for item in node.items]
        matches = _match(old, value)
        return self.sequence(node, [(matches.get(index), item) for index, item in enumerate(value)])

    def container(self, node: _Node, kept: list[tuple[int, Any]], added: list[tuple[str, Any]]) -> str:
        parts: list[tuple[_Item | None, str]] = []
        for index, item_value in kept:
            item = node.items[index]
            parts.append((item, item.head + self.node(item.node, item_value, node)))
        new_indent = self.new_item_indent(node)
        for name, item_value in added:
            head = json.dumps(name, ensure_ascii=self.style.ascii) + _colon_of(node, self.style)
            written = self.fresh(item_value, new_indent, self.multiline_here(node, item_value))
            parts.append((None, head + written))
        return self.join(node, parts)

    def sequence(self, node: _Node, pairs: list[tuple[int | None, Any]]) -> str:
        parts: list[tuple[_Item | None, str]] = []
        new_indent = self.new_item_indent(node)
        for index, item_value in pairs:
            if index is None:
                written = self.fresh(item_value, new_indent, self.multiline_here(node, item_value))
                parts.append((None, written))
            else:
                item = node.items[index]
                parts.append((item, self.node(item.node, item_value, node)))
        return self.join(node, parts)

    def new_item_indent(self, node: _Node) -> str:
        gap = self.other_gap(node)
        if "\n" in gap:
            return gap[gap.rfind("\n") + 1 :]
        return _indent_at(self.text, node.start)

    def other_gap(self, node: _Node) -> str:
        """The whitespace before an item that is not the first one."""
        if len(node.items) > 1:
            return node.items[1].gap
        first = node.items[0].gap
        return first if first else self.style.item_gap

    def join(self, node: _Node, parts: list[tuple[_Item | None, str]]) -> str:
        opening, closing = self.text[node.start], self.text[node.end - 1]
        if not parts:
            return opening + closing
        first, last = node.items[0], node.items[-1]
        before_comma = first.before_comma if len(node.items) > 1 else ""
        out = [opening]
        for position, (item, written) in enumerate(parts):
            if position == 0:
                out.append(first.gap)
            elif item is not None and item is not first:
                out.append(item.gap)
            else:
                out.append(self.other_gap(node))
            out.append(written)
            if position < len(parts) - 1:
                out.append(item.before_comma if item is not None and item is not last else before_comma)
                out.append(",")
        out.append(node.tail)
        out.append(closing)
        return "".join(out)


def _colon_of(node: _Node, style: _Style) -> str:
    for item in node.items:
        if item.key is not None:
            return _colon(item.head)
    return style.colon


def _match(old: list[Any], new: list[Any]) -> dict[int, int]:
    """``{new index: old index}`` for the new items written from an old item's text: equal runs, then
    changed items paired by identity (or in order) inside a changed run, then moved items."""
    old_keys, new_keys = [_key(item) for item in old], [_key(item) for item in new]
    matches: dict[int, int] = {}
    unmatched_old: list[int] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            matches.update({j1 + k: i1 + k for k in range(i2 - i1)})
        elif tag == "delete":
            unmatched_old += range(i1, i2)
        elif tag == "replace":
            inner = difflib.SequenceMatcher(
                None,
                [_identity(old[i]) for i in range(i1, i2)],
                [_identity(new[j]) for j in range(j1, j2)],
                autojunk=False,
            )
            for _, a1, a2, b1, b2 in inner.get_opcodes():
                paired = min(a2 - a1, b2 - b1)
                matches.update({j1 + b1 + k: i1 + a1 + k for k in range(paired)})
                unmatched_old += range(i1 + a1 + paired, i1 + a2)
    pool: dict[Hashable, list[int]] = {}
    for index in unmatched_old:
        pool.setdefault(old_keys[index], []).append(index)
    for index, key in enumerate(new_keys):
        if index not in matches and pool.get(key):
            matches[index] = pool[key].pop(0)
    return matches


def rewrite(original: str, data: Any) -> str:
    """``original`` (a JSON document's text) changed to hold ``data``, touching only the text of values
    that changed: equal data gives back ``original`` byte for byte (see the module's docstring).

    ``json.JSONDecodeError`` (a ``ValueError``) when ``original`` is not JSON; ``TypeError`` when ``data``
    is not JSON data (dicts with string keys, lists, strings, numbers, booleans, None).
    """
    before, root, after = _parse(original)
    writer = _Writer(original, _style(original, root))
    return before + writer.node(root, data, None) + after
