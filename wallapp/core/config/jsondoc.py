"""Reading JSON documents (layouts, themes) into pydantic models, with errors a person can act on.

Every failure becomes a ``DocumentError`` subclass listing ``Problem``s located by JSON path
(``widgets[2].place.screen``) or, for a file that is not JSON, by line and column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from wallapp.core.nesting import TOO_DEEP, too_deep
from wallapp.errors import DocumentError, Problem

M = TypeVar("M", bound=BaseModel)


def json_path(location: Sequence[int | str]) -> str:
    """``("widgets", 2, "place")`` -> ``widgets[2].place``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def read_json(path: Path, error: type[DocumentError]) -> Any:
    """Parse a JSON file, or raise ``error`` naming the file and, for bad JSON, the line and column (for
    JSON nested too deeply, where it goes too deep)."""
    return parse_json(read_text(path, error), path, error)


def read_text(path: Path, error: type[DocumentError]) -> str:
    """A document's text, or ``error`` naming the file and why it cannot be read."""
    try:
        return decoded(path.read_bytes(), path, error)
    except OSError as exc:
        raise unreadable(path, exc, error) from None


def unreadable(path: Path, exc: OSError, error: type[DocumentError]) -> DocumentError:
    """``error`` saying why ``path`` could not be read."""
    if isinstance(exc, FileNotFoundError):
        return error(path, [Problem("", "file not found")])
    if isinstance(exc, IsADirectoryError):
        return error(path, [Problem("", "is a directory, not a JSON file")])
    return error(path, [Problem("", f"cannot be read: {exc.strerror or exc}")])


def decoded(content: bytes, path: Path, error: type[DocumentError]) -> str:
    """A document's bytes as text (UTF-8, line endings as written), or ``error`` at the first bad byte."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(path, [Problem("", f"not UTF-8 text (byte {exc.start})")]) from None


def parse_json(text: str, source: Path | str, error: type[DocumentError]) -> Any:
    """A document's text parsed, or ``error`` naming ``source`` and, for bad JSON, the line and column (for
    JSON nested too deeply, where it goes too deep)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            source, [Problem(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        raise error(source, [Problem("", TOO_DEEP)]) from None
    if (deep := too_deep(data)) is not None:
        shown = _SHOWN_STEPS
        location = json_path(deep[:shown]) + ("..." if len(deep) > shown else "")
        raise error(source, [Problem(location, TOO_DEEP)])
    return data


_SHOWN_STEPS = 8
"""Steps of a very long JSON path that are shown (enough to find where it starts going deep)."""


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        return f"unknown kind {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "missing":
        return "required but missing"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _document_location(data: Any, location: Sequence[int | str], missing: bool) -> list[int | str]:
    """Pydantic's location with the steps that are not in the document left out.

    Tagged unions add a step naming the chosen tag (``widgets.0.text.options``); a person reads
    ``widgets[0].options``. A step is a tag when the document has no such key, unless it is the last
    step of a "missing" error (then it names the missing key).
    """
    kept: list[int | str] = []
    node = data
    for index, step in enumerate(location):
        names_missing_key = missing and index == len(location) - 1
        if isinstance(node, dict) and isinstance(step, str) and step not in node and not names_missing_key:
            continue
        kept.append(step)
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            node = None
    return kept


def problems_from_validation(exc: ValidationError, data: Any = None) -> list[Problem]:
    """One ``Problem`` per pydantic error, located by its JSON path (in ``data``, the document, if given)."""
    return [
        Problem(
            json_path(
                error["loc"]
                if data is None
                else _document_location(data, error["loc"], error["type"] == "missing")
            ),
            _describe(error),
        )
        for error in exc.errors(include_url=False)
    ]


def document_schema(model: type[BaseModel], schema_file: str, title: str) -> dict[str, Any]:
    """The JSON Schema of a document model, as shipped beside the documents for editors."""
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = schema_file
    schema["title"] = title
    return schema


def validate_document(model: type[M], data: Any, source: Path | str, error: type[DocumentError]) -> M:
    """Validate parsed JSON against ``model`` or raise ``error`` listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(source, problems_from_validation(exc, data)) from None
