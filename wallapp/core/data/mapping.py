"""Declarative mapping of any JSON payload onto typed records, with JMESPath expressions.

A mapping names the record type, where the records are in the payload (``items``), optional joins
(``lookups``) and, per record field, an expression with a default and a coercion::

    {
      "record": "post",
      "items": "data",
      "lookups": [{"as": "author", "from": "includes.users", "key": "id", "match": "author_id"}],
      "fields": {
        "author_name": "author.name",
        "handle": "author.username",
        "created_at": {"expr": "created_at", "coerce": "datetime"},
        "likes": {"expr": "public_metrics.like_count", "default": 0}
      }
    }

Field expressions are evaluated on each item; a lookup adds the joined object to the item under its
``as`` name (``author`` above), and ``shared`` values read once from the payload's top level (a time
of the whole payload) are added the same way. A record field that is not mapped is read from the item's
key of the same name when there is one, so a payload already shaped like records needs only
``{"record": ...}``.
Fields of a dictionary (``dimensions``, ``values``) are mapped one key at a time:
``"dimensions.country": "country_code"``.

An invalid expression is a validation error of the layout, at its JSON path. When one item cannot be
read, that record is skipped (or the failing field takes its default) and the result says why, once.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal, Self, TypeAlias

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.visitor import TreeInterpreter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from wallapp.core.data.htmltext import html_to_text
from wallapp.core.data.records import RECORD_TYPES, Record, RecordKind, as_number, fields_of, parse_number

Getter: TypeAlias = Callable[[Any], Any]

_INTERPRETER = TreeInterpreter()


@lru_cache(maxsize=1024)
def compile_expression(text: str) -> Getter:
    """A fast reader for a JMESPath expression: plain paths (``a.b.c``) skip the interpreter."""
    parsed = jmespath.compile(text).parsed
    keys = _plain_path(typing.cast(dict[str, Any], parsed))
    if keys is None:
        return lambda value: _INTERPRETER.visit(parsed, value)
    if not keys:
        return lambda value: value
    if len(keys) == 1:
        key = keys[0]
        return lambda value: value.get(key) if isinstance(value, dict) else None

    def read(value: Any) -> Any:
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return read


def _plain_path(node: dict[str, Any]) -> list[str] | None:
    kind = node["type"]
    if kind == "current":
        return []
    if kind == "field":
        return [str(node["value"])]
    if kind == "subexpression":
        keys: list[str] = []
        for child in node["children"]:
            part = _plain_path(child)
            if part is None:
                return None
            keys += part
        return keys
    return None


def _valid_expression(text: str) -> str:
    try:
        compile_expression(text)
    except JMESPathError as exc:
        message = str(exc).replace("\n", " ")
        raise ValueError(f"invalid JMESPath expression {text!r}: {message}") from None
    return text


Expression = Annotated[
    str,
    Field(min_length=1, description="A JMESPath expression (https://jmespath.org)."),
    AfterValidator(_valid_expression),
]

Coercion: TypeAlias = Literal[
    "auto", "text", "html", "number", "integer", "boolean", "datetime", "epoch_s", "epoch_ms"
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldSpec(_Spec):
    """How to read one record field."""

    expr: Expression | None = Field(None, description="Where the value is; absent: always the default.")
    default: Any = Field(None, description="Used when the expression gives nothing or fails.")
    coerce: Coercion = Field(
        "auto",
        description="auto follows the field's type; html turns HTML into plain text (paragraphs and line "
        "breaks kept as new lines, tags dropped, links reduced to their text); datetime reads ISO text or "
        "epoch numbers; epoch_s and epoch_ms read numbers (or digits) as seconds or milliseconds since 1970.",
    )
    format: str | None = Field(
        None, description="strptime format of a text time, e.g. '%a %b %d %H:%M:%S %z %Y'."
    )


def _field_spec(value: Any) -> Any:
    return {"expr": value} if isinstance(value, str) else value


class Lookup(_Spec):
    """A join: the object of another list whose ``key`` equals the item's ``match``, exposed as ``as``."""

    as_: str = Field(
        alias="as", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Name given to the joined object."
    )
    from_: Expression = Field(alias="from", description="The list to look in, from the payload's top level.")
    key: Expression = Field("id", description="The key of each object of that list.")
    match: Expression = Field(description="The item's value that must equal the key.")


def _fields_help() -> str:
    """What the layout schema says of a mapping's ``fields``: every record type's fields, with their types."""
    kinds = "; ".join(
        f"{kind}: " + ", ".join(f"{doc.name} ({doc.type})" for doc in fields_of(kind))
        for kind in RECORD_TYPES
    )
    return f"Record field -> expression, or {{expr, default, coerce, format}}. Each record's fields: {kinds}."


class Mapping(_Spec):
    """How a payload becomes records."""

    record: RecordKind = Field(description="Type of the records made.")
    items: Expression = Field("@", description="Where the list of items is; '@' for the payload itself.")
    lookups: list[Lookup] = Field(default_factory=list)
    shared: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], Expression] = Field(
        default_factory=dict,
        description="Values read once from the payload's top level and given to every item by name "
        "(a time of the whole payload, for example).",
    )
    fields: dict[
        str, Annotated[FieldSpec, BeforeValidator(_field_spec, json_schema_input_type=str | FieldSpec)]
    ] = Field(default_factory=dict, description=_fields_help())
    auto_fields: bool = Field(True, description="Read unmapped fields from the item's key of the same name.")
    mode: Literal["merge", "replace"] | None = Field(
        None,
        description="merge: new records join the history; replace: each payload is the whole picture "
        "(rankings, trends). Default: replace for person and topic, merge otherwise.",
    )

    @model_validator(mode="after")
    def _known_fields(self) -> Self:
        model = RECORD_TYPES[self.record]
        for name in self.fields:
            base, _, key = name.partition(".")
            kind = _field_kind(model, base) if base in model.model_fields and base != "type" else None
            if kind is None:
                known = ", ".join(n for n in model.model_fields if n != "type")
                raise ValueError(f"{self.record} records have no field {base!r} (fields: {known})")
            if key and kind != "dict":
                raise ValueError(f"{name!r}: only dictionary fields (dimensions, values) take a key")
        return self

    @property
    def merge(self) -> bool:
        return self.mode == "merge" if self.mode else self.record not in ("person", "topic")

    @cached_property
    def compiled(self) -> CompiledMapping:
        return CompiledMapping(self)


class PayloadError(ValueError):
    """The payload as a whole does not fit the mapping."""


@dataclass
class MappingResult:
    """Records made from one payload; ``problems`` tells why some items were skipped (a few, not all).

    ``absent``: the payload has no list at ``items`` (null or missing): an empty result, nothing new.
    """

    records: list[Record]
    total: int
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    absent: bool = False

    def summary(self) -> str:
        """One line for the log."""
        causes = "; ".join(self.problems)
        return f"{self.skipped} of {self.total} items skipped ({causes})"


_MAX_PROBLEMS = 3
_NO_VALUE = object()


@dataclass(frozen=True)
class _Field:
    name: str
    key: str | None
    read: Getter
    convert: Callable[[Any], Any]
    default: Any
    has_default: bool


class CompiledMapping:
    """A mapping ready to run: ``apply(payload)`` returns the records."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.model = RECORD_TYPES[mapping.record]
        self._items = compile_expression(mapping.items)
        self._items_path = _plain_path(typing.cast(dict[str, Any], jmespath.compile(mapping.items).parsed))
        self._shared = [(name, compile_expression(expr)) for name, expr in mapping.shared.items()]
        self._lookups = [
            (lk.as_, compile_expression(lk.from_), compile_expression(lk.key), compile_expression(lk.match))
            for lk in mapping.lookups
        ]
        self._fields = [self._field(name, spec) for name, spec in mapping.fields.items()]
        mapped = {name.partition(".")[0] for name in mapping.fields}
        self._auto = (
            [
                (name, _converter(_field_kind(self.model, name), FieldSpec()))
                for name in self.model.model_fields
                if name not in mapped and name != "type"
            ]
            if mapping.auto_fields
            else []
        )

    def _field(self, name: str, spec: FieldSpec) -> _Field:
        base, _, key = name.partition(".")
        kind = _value_kind(self.model, base) if key else _field_kind(self.model, base)
        read = compile_expression(spec.expr) if spec.expr is not None else (lambda _value: None)
        has_default = "default" in spec.model_fields_set
        return _Field(base, key or None, read, _converter(kind, spec), spec.default, has_default)

    def apply(self, payload: Any) -> MappingResult:
        """Records from a payload; raises ``PayloadError`` when the payload does not fit at all.

        A search that matched nothing often leaves its list out (``{"meta": {"result_count": 0}}``): a
        missing list is an empty result, not a misfit; a list where another value is, or a payload whose
        shape cannot hold the list at all (a list where an object is expected), is.
        """
        found = self._items(payload)
        if found is None and self._may_leave_out(payload):
            return MappingResult([], 0, absent=True)
        items = _items(found, self.mapping.items, payload)
        indexes = [(name, _index(payload, source, key)) for name, source, key, _ in self._lookups]
        matches = [match for *_, match in self._lookups]
        shared = {name: _safe(read, payload) for name, read in self._shared}
        result = MappingResult([], len(items))
        for number, item in enumerate(items):
            context = item
            if (indexes or shared) and isinstance(item, dict):
                context = {**item, **shared}
                for (name, index), match in zip(indexes, matches, strict=True):
                    context[name] = index.get(_hashable(_safe(match, item)))
            try:
                result.records.append(self._record(context))
            except (ValueError, TypeError, JMESPathError) as exc:
                result.skipped += 1
                if len(result.problems) < _MAX_PROBLEMS:
                    result.problems.append(f"item {number}: {_reason(exc)}")
        if result.total and not result.records:
            raise PayloadError(f"none of the {result.total} items could be read: {result.problems[0]}")
        return result

    def _may_leave_out(self, payload: Any) -> bool:
        """Whether the payload is of a shape that holds the list at ``items`` when there is one: each
        step of a plain path (``a.b.c``) is an object or null; for other expressions, any object or list."""
        if self._items_path is None:
            return isinstance(payload, dict | list)
        node = payload
        for key in self._items_path:
            if node is None:
                return True
            if not isinstance(node, dict):
                return False
            node = node.get(key)
        return True

    def _record(self, item: Any) -> Record:
        values: dict[str, Any] = {}
        if isinstance(item, dict):
            for name, convert in self._auto:
                raw = item.get(name)
                if raw is not None:
                    try:
                        values[name] = convert(raw)
                    except (ValueError, TypeError, OverflowError) as exc:
                        raise ValueError(f"{name}: {_reason(exc)}") from None
        for spec in self._fields:
            try:
                raw = spec.read(item)
                value = spec.convert(raw) if raw is not None else None
                if value is None:  # null, or a number that is missing (NaN...): the same, by the rule
                    value = _NO_VALUE
            except (ValueError, TypeError, JMESPathError, OverflowError) as exc:
                if not spec.has_default:
                    raise ValueError(f"{spec.name}: {_reason(exc)}") from None
                value = _NO_VALUE
            if value is _NO_VALUE:
                if not spec.has_default:
                    continue
                value = spec.default
            if spec.key is None:
                values[spec.name] = value
            else:
                values.setdefault(spec.name, {})[spec.key] = value
        return self.model.model_validate(values)


def _items(found: Any, where: str, payload: Any) -> list[Any]:
    if isinstance(found, list):
        return found
    if isinstance(found, dict):
        return [found]
    if found is None:
        raise PayloadError(f"nothing at {where!r} in the payload ({_describe(payload)})")
    raise PayloadError(f"{where!r} is {_describe(found)}, not a list of items")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(list(map(str, value))[:8])
        return f"an object with keys: {keys}" if keys else "an empty object"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "null"
    if isinstance(value, bool):  # JSON's words, not Python's ("a int", "a str")
        return f"{str(value).lower()} (a boolean)"
    return "a number" if isinstance(value, int | float) else "a string"


def _index(payload: Any, source: Getter, key: Getter) -> dict[Any, Any]:
    found = _safe(source, payload)
    if not isinstance(found, list):
        return {}
    return {_hashable(_safe(key, entry)): entry for entry in found}


def _safe(read: Getter, value: Any) -> Any:
    try:
        return read(value)
    except JMESPathError:
        return None


def _hashable(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        message = "required" if error["type"] == "missing" else error["msg"]
        return f"{where}: {message}" if where else message
    return str(exc).replace("\n", " ")


# Coercion


def _field_kind(model: type[Record], name: str) -> str:
    annotation = model.model_fields[name].annotation
    kinds = {_kind_of(arg) for arg in _union_args(annotation) if arg is not type(None)}
    return kinds.pop() if len(kinds) == 1 else "any"


def _value_kind(model: type[Record], name: str) -> str:
    """The kind of the values of a dictionary field."""
    annotation = model.model_fields[name].annotation
    return _kind_of(typing.get_args(annotation)[1])


def _union_args(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _kind_of(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _kind_of(typing.get_args(annotation)[0])
    if origin is dict:
        return "dict"
    return _KINDS.get(annotation, "any")


_KINDS: dict[Any, str] = {str: "text", int: "integer", float: "number", datetime: "datetime", bool: "boolean"}


def _converter(kind: str, spec: FieldSpec) -> Callable[[Any], Any]:
    coerce: str = spec.coerce
    if coerce == "auto":
        coerce = kind if kind in ("text", "integer", "number", "datetime", "boolean") else "auto"
    if coerce == "datetime" and spec.format:
        time_format = spec.format
        return lambda value: _strptime(value, time_format)
    return _CONVERTERS.get(coerce, _as_is)


def _as_is(value: Any) -> Any:
    return value


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value


def _html(value: Any) -> Any:
    return html_to_text(value) if isinstance(value, str) else _text(value)


def _number(value: Any) -> Any:
    """A number that must be one (a time in seconds): text is read, and refused when it is none."""
    return parse_number(value) if isinstance(value, str) else value


def _integer(value: Any) -> Any:
    """A count: a number by the records' rule (missing stays missing), rounded."""
    value = as_number(value)
    return round(value) if isinstance(value, float) else value


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _datetime(value: Any) -> Any:
    if isinstance(value, str) and not value.strip().lstrip("-").replace(".", "", 1).isdigit():
        text = value.strip()
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"cannot read {value!r} as a time") from None
    seconds = float(_number(value))
    # Like most APIs: past year 2603 in seconds, it must be milliseconds.
    return _epoch(seconds / 1000 if abs(seconds) > 2e10 else seconds)


def _epoch(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{seconds} is out of range for a time") from None


def _epoch_s(value: Any) -> Any:
    return _epoch(float(_number(value)))


def _epoch_ms(value: Any) -> Any:
    return _epoch(float(_number(value)) / 1000)


def _strptime(value: Any, time_format: str) -> datetime:
    if not isinstance(value, str):
        return typing.cast(datetime, _datetime(value))
    try:
        return datetime.strptime(value.strip(), time_format)
    except ValueError:
        raise ValueError(f"cannot read {value!r} as a time of format {time_format!r}") from None


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "html": _html,
    "number": as_number,
    "integer": _integer,
    "boolean": _boolean,
    "datetime": _datetime,
    "epoch_s": _epoch_s,
    "epoch_ms": _epoch_ms,
}
