"""Fuzzing what the wall reads: layouts, themes, settings files and payloads, from any input.

Every property says the same: an input gives either something usable or the project's own error, whose
problems name JSON paths into the document; never another exception, and a running wall given a broken
layout keeps what it shows. Inputs are the shipped documents mutated (a value replaced by any JSON, a
key dropped or added, a document cut short) and arbitrary text.

CI runs the ``wall`` profile (200 examples a property, the same ones every run); a longer hunt runs
with ``HYPOTHESIS_PROFILE=long`` (see ``tests/conftest.py``) and ``--hypothesis-show-statistics``.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from wallapp.app import WallDisplay
from wallapp.core.config.layout import Layout, load_layout
from wallapp.core.config.settings import Settings, load_settings
from wallapp.core.config.theme import Theme, load_theme
from wallapp.core.data.mapping import Mapping, MappingResult
from wallapp.core.data.records import RECORD_TYPES
from wallapp.core.view.geometry import WallSpec
from wallapp.errors import ConfigError, DocumentError, LayoutError, SourceError, ThemeError
from wallapp.live.ingest import map_payload, parse_json

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = sorted(p for p in (ROOT / "layouts").glob("*.json") if not p.name.endswith(".schema.json"))
THEMES = sorted(p for p in (ROOT / "themes").glob("*.json") if not p.name.endswith(".schema.json"))
SHIPPED_LAYOUTS = {path.name: json.loads(path.read_text()) for path in LAYOUTS}
SHIPPED_THEMES = {path.name: json.loads(path.read_text()) for path in THEMES}
NOT_A_FIXTURE_PROBLEM = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

# Any JSON value; numbers include the awkward ones (huge, negative zero, tiny).
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, -1, 1e308, -0.0, 5e-324, 2**53 + 1])
    | st.text(max_size=30)
    | st.sampled_from(
        ["", " ", "#zzz", "#000", "http://", "${secret:X}", "${env:NOPE}", "\u202e\x00", "../../x"]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10,
)


def _places(document: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value in ``document`` (the document itself included)."""
    yield here
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _places(value, (*here, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _places(value, (*here, index))


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


@st.composite
def mutated(draw: st.DrawFn, documents: dict[str, Any]) -> Any:
    """A shipped document with up to four mutations (none: it must load): a value replaced by any JSON,
    a key or item dropped, an unknown key added, a list emptied or a string or number pushed to an
    extreme."""
    document = copy.deepcopy(documents[draw(st.sampled_from(sorted(documents)))])
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        path = draw(st.sampled_from(list(_places(document))))
        how = draw(st.sampled_from(["replace", "drop", "add", "empty", "extreme"]))
        if not path:  # the whole document
            document = draw(JSON) if how == "replace" else document
            continue
        parent, last = _at(document, path[:-1]), path[-1]
        if how == "replace":
            parent[last] = draw(JSON)
        elif how == "drop":
            del parent[last]
        elif how == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(JSON)
        elif how == "empty":
            parent[last] = type(parent[last])() if isinstance(parent[last], dict | list | str) else None
        elif how == "extreme":
            parent[last] = draw(
                st.sampled_from([10**12, -(10**12), 1e-300, "x" * 5000, [[[[[[]]]]]], {"": {}}])
            )
    return document


def as_text(document: Any, cut: int | None) -> str:
    text = json.dumps(document, ensure_ascii=False)
    return text if cut is None else text[: cut % (len(text) + 1)]


E = TypeVar("E", bound=Exception)


def outcome(error: type[E], call: Callable[[], object]) -> tuple[object, E | None]:
    """What ``call`` gives, or the ``error`` it raises (anything else propagates: the test fails)."""
    try:
        return call(), None
    except error as raised:
        return None, raised


def _starts_at(location: str, names: object) -> bool:
    """Whether a problem's JSON path starts at one of ``names`` (keys the document has, or fields the
    model knows: a missing required field is reported where it should be). Keys are matched whole,
    since a key may itself hold a dot or a bracket."""
    return isinstance(names, dict | set) and any(
        location == name or location.startswith((f"{name}.", f"{name}[")) for name in names
    )


def _checked_error(error: DocumentError, document: Any, fields: set[str]) -> None:
    assert error.problems, error
    for problem in error.problems:
        assert problem.message.strip(), error
        where = problem.location
        assert not where or _starts_at(where, document) or _starts_at(where, fields), problem
    assert "Traceback" not in str(error)


THEME_CATALOG = load_settings().themes()
LAYOUT_FIELDS = {info.alias or name for name, info in Layout.model_fields.items()}
THEME_FIELDS = {info.alias or name for name, info in Theme.model_fields.items()}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where fuzzed documents are written, with the shipped layouts' assets and themes at hand."""
    here = tmp_path_factory.mktemp("fuzz")
    (here / "assets").symlink_to(ROOT / "layouts" / "assets")
    return here


# Layouts


@settings(suppress_health_check=NOT_A_FIXTURE_PROBLEM)
@given(document=mutated(SHIPPED_LAYOUTS), cut=st.none() | st.integers(min_value=0))
def test_any_layout_loads_or_is_refused_at_its_json_paths(
    document: Any, cut: int | None, folder: Path
) -> None:
    path = folder / "fuzzed.json"
    path.write_text(as_text(document, cut), encoding="utf-8")
    loaded, error = outcome(LayoutError, lambda: load_layout(path, WallSpec(), THEME_CATALOG))
    if error is not None and cut is None:
        _checked_error(error, document, LAYOUT_FIELDS)
    assert (loaded is None) != (error is None)
    event("a valid wall" if error is None else "refused")


@settings(suppress_health_check=NOT_A_FIXTURE_PROBLEM)
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_any_text_as_a_layout_is_refused_in_one_error(text: str, folder: Path) -> None:
    path = folder / "text.json"
    path.write_text(text, encoding="utf-8")
    _, error = outcome(LayoutError, lambda: load_layout(path, WallSpec()))
    if error is not None:
        assert error.problems
        assert str(path) in str(error)


# Themes


@settings(suppress_health_check=NOT_A_FIXTURE_PROBLEM)
@given(document=mutated(SHIPPED_THEMES), cut=st.none() | st.integers(min_value=0))
def test_any_theme_loads_or_is_refused_at_its_json_paths(
    document: Any, cut: int | None, folder: Path
) -> None:
    path = folder / "theme.json"
    path.write_text(as_text(document, cut), encoding="utf-8")
    _, error = outcome(ThemeError, lambda: load_theme(path))
    event("a valid theme" if error is None else "refused")
    if error is not None and cut is None:
        _checked_error(error, document, THEME_FIELDS)


# Settings files


TOML_KEYS = sorted({*Settings.model_fields, "tls", "proxy", "control", "secrets", "window", "kiosk_exit"})
TOML_SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's


SETTINGS_TABLE = st.dictionaries(
    st.sampled_from(TOML_KEYS) | st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10),
    TOML_SCALARS | st.lists(TOML_SCALARS, max_size=3),
    max_size=5,
)


@st.composite
def settings_file(draw: st.DrawFn) -> str:
    """A TOML file of known and unknown keys, with known and unknown tables, valued anyhow; or junk."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(st.text(max_size=200))
    lines = [f"{key} = {toml_value(value)}" for key, value in draw(SETTINGS_TABLE).items()]
    for table in draw(
        st.lists(
            st.sampled_from(["tls", "proxy", "control", "secrets", "window", "x"]), max_size=3, unique=True
        )
    ):
        lines.append(f"[{table}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in draw(SETTINGS_TABLE).items()]
    return "\n".join(lines) + "\n"


@settings(suppress_health_check=NOT_A_FIXTURE_PROBLEM)
@given(text=settings_file())
def test_any_settings_file_loads_or_is_refused_naming_the_file(text: str, folder: Path) -> None:
    path = folder / "wallapp.toml"
    path.write_text(text, encoding="utf-8")
    _, error = outcome(ConfigError, lambda: load_settings(path))
    event("valid settings" if error is None else "refused")
    if error is not None:
        assert str(path) in str(error)
        assert "\n" not in str(error).strip()  # one line


# Payloads


MAPPINGS = [
    Mapping.model_validate(spec)
    for spec in (
        {"record": "post"},
        {"record": "metric", "items": "kpis"},
        {
            "record": "post",
            "items": "data",
            "lookups": [{"as": "author", "from": "includes.users", "key": "id", "match": "author_id"}],
            "fields": {
                "author_name": "author.name",
                "likes": {"expr": "public_metrics.like_count", "default": 0},
                "created_at": {"expr": "created_at", "coerce": "datetime"},
            },
        },
        {
            "record": "metric",
            "items": "rows",
            "shared": {"generated": "generated"},
            "fields": {
                "name": "metric",
                "measured_at": {"expr": "generated", "coerce": "epoch_ms"},
                "dimensions.country": "country",
            },
        },
        {"record": "person", "items": "people"},
        {"record": "topic", "items": "topics"},
    )
]
FIELD_NAMES = [
    *("id", "text", "name", "value", "metric", "country", "author_id", "created_at", "public_metrics"),
    *("users", "rank", "handle", "count", "measured_at", "dimensions", "time", "author", "like_count"),
]
ITEMS = st.lists(st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=6), max_size=4)
PAYLOADS = st.fixed_dictionaries(
    {},
    optional={
        key: ITEMS | JSON for key in ("data", "kpis", "rows", "people", "topics", "includes", "generated")
    },
)
"""Payloads shaped like the mappings expect, their items holding the fields they read, valued anyhow."""


@given(mapping=st.sampled_from(MAPPINGS), payload=PAYLOADS | ITEMS | JSON)
def test_any_payload_maps_to_records_or_fails_as_the_source(mapping: Mapping, payload: Any) -> None:
    result, error = outcome(SourceError, lambda: map_payload("feed", mapping, payload))
    event("records" if error is None else "refused")
    if error is not None:
        assert error.source == "feed"
        assert error.cause.startswith("the payload does not fit the mapping: ")
        return
    assert isinstance(result, MappingResult)
    assert all(isinstance(record, RECORD_TYPES[mapping.record]) for record in result.records)


@given(data=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_parse_as_json_or_fail_as_the_source(data: bytes) -> None:
    _, error = outcome(SourceError, lambda: parse_json("feed", data))
    if error is not None:
        assert error.cause.startswith("the response is ")


# A running wall given broken layouts


@pytest.fixture(scope="module")
def wall(folder: Path, qapp: QApplication) -> Iterator[WallDisplay]:
    path = folder / "running.json"
    path.write_text(json.dumps(SHIPPED_LAYOUTS["scene-welcome.json"]))
    display = WallDisplay(load_settings(cache_dir=folder / "cache"), str(path))
    yield display
    display.close()


@settings(suppress_health_check=NOT_A_FIXTURE_PROBLEM, max_examples=max(20, settings().max_examples // 2))
@given(document=mutated(SHIPPED_LAYOUTS), cut=st.none() | st.integers(min_value=0))
def test_a_running_wall_shows_any_good_layout_and_keeps_its_scene_for_a_broken_one(
    document: Any, cut: int | None, wall: WallDisplay, caplog: pytest.LogCaptureFixture
) -> None:
    path = wall.opened.loaded.path
    before, scene = wall.opened, wall.scene
    path.write_text(as_text(document, cut), encoding="utf-8")
    caplog.clear()  # one test, thousands of examples: records hold their errors, and those every frame
    with caplog.at_level(logging.INFO, logger="wallapp"):
        shown = wall.reload()
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [line for line in lines if "internal error" in line], lines  # never a bug's way out
    event("shown" if shown else "refused, scene kept")
    if shown:
        assert wall.scene is not scene
        assert (
            wall.opened.loaded.layout == load_layout(path, wall.settings.wall, wall.settings.themes()).layout
        )
    else:
        assert wall.scene is scene  # the running wall is untouched
        assert wall.opened is before
        assert len(lines) == 1
        assert lines[0].endswith("(the wall keeps the previous version)")
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # let the replaced scene go


# What the long runs found, kept as plain tests


def test_a_picture_named_by_a_name_no_file_can_have_is_a_placeholder_on_a_running_wall(
    wall: WallDisplay, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by the long run: the image item's Path.is_file raised 'File name too long' out of
    # WallDisplay.reload, after the old scene was let go.
    document = copy.deepcopy(SHIPPED_LAYOUTS["lobby-night.json"])
    document["widgets"][0]["options"]["path"] = "x" * 5000
    path = wall.opened.loaded.path
    path.write_text(json.dumps(document), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="wallapp"):
        assert wall.reload()
    logo = wall.scene.items_by_id["logo"]
    assert logo.state_notice().headline == "Image unavailable"
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("widget ")]
    assert line.startswith("widget 'logo': ")
    assert line.endswith(": cannot be read (File name too long)")
