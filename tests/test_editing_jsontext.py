"""Saving a layout changes only the text of what changed: the shipped files, a hub diff line by line, and
any JSON data written in any of the usual styles."""

from __future__ import annotations

import copy
import difflib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wallapp.core.editing.jsontext import rewrite

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted([*ROOT.glob("layouts/*.json"), *ROOT.glob("shows/*.json")])
HUB = (ROOT / "layouts" / "hub.json").read_text(encoding="utf-8")


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added, as ``git diff`` shows them."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


def _hub() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(HUB)
    return data


def _line_of(text: str, needle: str) -> str:
    (line,) = [line for line in text.splitlines() if needle in line]
    return line


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_document_saves_byte_identical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert rewrite(text, json.loads(text)) == text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_a_copy_of_the_data_with_its_keys_reordered_still_saves_identical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    reordered = dict(reversed(list(data.items()))) if isinstance(data, dict) else data
    assert rewrite(text, reordered) == text


def test_moving_the_post_wall_changes_its_one_line() -> None:
    data = _hub()
    assert data["widgets"][9]["id"] == "post-wall"
    data["widgets"][9]["place"] = {"screen": [1, 1], "span": [2, 1], "part": [0, 0, 1, 0.84]}
    after = rewrite(HUB, data)
    assert json.loads(after) == data
    removed, added = _diff(HUB, after)
    assert removed == [_line_of(HUB, '"id": "post-wall"')]
    assert added == [removed[0].replace('"screen": [0, 1]', '"screen": [1, 1]')]


def test_a_new_widget_is_one_line_in_the_same_style_before_the_closing_bracket() -> None:
    data = _hub()
    ticker = {
        "id": "ticker",
        "kind": "ticker",
        "source": "posts",
        "place": {"screen": [2, 0], "part": [0, 0.8, 1, 0.2]},
        "options": {"speed": 90, "separator": "·"},
    }
    data["widgets"].append(ticker)
    after = rewrite(HUB, data)
    assert json.loads(after) == data
    removed, added = _diff(HUB, after)
    last = _line_of(HUB, '"id": "headlines"')
    assert removed == [last]
    assert added == [
        last + ",",
        '    {"id": "ticker", "kind": "ticker", "source": "posts", "place": {"screen": [2, 0], '
        '"part": [0, 0.8, 1, 0.2]}, "options": {"speed": 90, "separator": "·"}}',
    ]
    assert after.endswith('"separator": "·"}}\n  ]\n}\n') or after.endswith('"separator": "·"}}\n  ]\n}')


def test_removing_a_widget_removes_its_line_and_the_last_one_takes_its_comma_off() -> None:
    data = _hub()
    del data["widgets"][5]
    after = rewrite(HUB, data)
    assert _diff(HUB, after) == ([_line_of(HUB, '"id": "response-time"')], [])
    data = _hub()
    del data["widgets"][-1]
    after = rewrite(HUB, data)
    removed, added = _diff(HUB, after)
    influencers = _line_of(HUB, '"id": "influencers"')
    assert removed == [influencers, _line_of(HUB, '"id": "headlines"')]
    assert added == [influencers.removesuffix(",")]
    assert json.loads(after) == data


def test_raising_a_widget_moves_only_its_line() -> None:
    data = _hub()
    data["widgets"].append(data["widgets"].pop(0))
    after = rewrite(HUB, data)
    assert json.loads(after) == data
    removed, added = _diff(HUB, after)
    logo = _line_of(HUB, '"id": "logo"')
    headlines = _line_of(HUB, '"id": "headlines"')
    assert sorted(removed) == sorted([logo, headlines])
    assert added == [headlines + ",", logo.removesuffix(",")]


def test_changing_a_source_changes_one_line_and_a_new_key_is_indented_like_its_siblings() -> None:
    data = _hub()
    data["sources"]["care"]["seed"] = 11
    after = rewrite(HUB, data)
    assert _diff(HUB, after) == (['      "seed": 7'], ['      "seed": 11'])
    data = _hub()
    data["sources"]["care"]["filters"] = {"blocked_terms": ["outage"], "hide_links": True}
    data["sources"]["news"] = {"kind": "http", "url": "https://example.org/feed.json"}
    after = rewrite(HUB, data)
    assert json.loads(after) == data
    filters = (
        '      "seed": 7,\n'
        '      "filters": {\n'
        '        "blocked_terms": [\n'
        '          "outage"\n'
        "        ],\n"
        '        "hide_links": true\n'
        "      }\n"
    )
    news = (
        '    },\n    "news": {\n      "kind": "http",\n      "url": "https://example.org/feed.json"\n    }\n'
    )
    expected = HUB.replace('"kpis",\n      "seed": 7\n', '"kpis",\n' + filters).replace(
        '"activity",\n      "seed": 7\n    }\n', '"activity",\n      "seed": 7\n' + news
    )
    assert after == expected


def test_a_new_key_in_a_one_line_object_stays_on_its_line() -> None:
    data = _hub()
    data["widgets"][0]["place"]["span"] = [2, 1]
    data["widgets"][0]["options"] = {}
    after = rewrite(HUB, data)
    removed, added = _diff(HUB, after)
    assert removed == [_line_of(HUB, '"id": "logo"')]
    assert added == [
        '    {"id": "logo", "kind": "image", "place": {"screen": [0, 0], "part": [0, 0, 0.55, 0.22], '
        '"span": [2, 1]}, "options": {}},'
    ]


def test_changing_one_widget_beside_a_removed_one_rewrites_only_the_changed_one() -> None:
    data = _hub()
    del data["widgets"][3]
    data["widgets"][3]["options"]["label"] = "We answer"
    after = rewrite(HUB, data)
    removed, added = _diff(HUB, after)
    rate = _line_of(HUB, '"id": "response-rate"')
    assert removed == [_line_of(HUB, '"id": "trending"'), rate]
    assert added == [rate.replace('"label": "Response rate"', '"label": "We answer"')]


def test_indented_files_get_indented_new_values_with_their_own_unit_and_line_endings() -> None:
    text = '{\r\n\t"a": [\r\n\t\t1\r\n\t],\r\n\t"b": {}\r\n}\r\n'
    after = rewrite(text, {"a": [1, 2], "b": {"c": [True]}})
    assert (
        after == '{\r\n\t"a": [\r\n\t\t1,\r\n\t\t2\r\n\t],\r\n'
        '\t"b": {\r\n\t\t"c": [\r\n\t\t\ttrue\r\n\t\t]\r\n\t}\r\n}\r\n'
    )


def test_one_line_and_compact_documents_keep_their_separators() -> None:
    assert rewrite('{"a":[1],"b":2}', {"a": [1, 3], "b": 2, "c": None}) == '{"a":[1,3],"b":2,"c":null}'
    assert rewrite("[ 1, 2 ]", [0, 1, 2]) == "[ 0, 1, 2 ]"
    assert rewrite("[1, 2, 3]", []) == "[]"


def test_a_document_escaping_non_ascii_goes_on_escaping_it() -> None:
    assert (
        rewrite('{"a": "caf\\u00e9"}', {"a": "café", "b": "thé"}) == '{"a": "caf\\u00e9", "b": "th\\u00e9"}'
    )
    assert rewrite('{"a": "café"}', {"a": "café", "b": "thé"}) == '{"a": "café", "b": "thé"}'


def test_numbers_keep_their_spelling_when_equal_and_booleans_are_not_numbers() -> None:
    assert rewrite("[1.0, 1e2, 0]", [1, 100, 0]) == "[1.0, 1e2, 0]"
    assert rewrite("[1, 0]", [True, False]) == "[true, false]"


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(json.JSONDecodeError):
        rewrite('{"a": 1,}', {"a": 1})
    with pytest.raises(json.JSONDecodeError):
        rewrite("[1] [2]", [1])


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(max_size=5)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)
_styles = st.sampled_from(
    [
        {"indent": 2},
        {"indent": "\t"},
        {},
        {"separators": (",", ":")},
        {"indent": 4, "ensure_ascii": False},
    ]
)


@settings(max_examples=150)
@given(_json, _json, _styles)
def test_any_data_written_over_any_document_reads_back_as_that_data(d1: Any, d2: Any, style: Any) -> None:
    text = json.dumps(d1, **style)
    assert rewrite(text, d1) == text
    assert json.loads(rewrite(text, d2)) == d2


def _mutated(data: Any, draws: st.DataObject) -> Any:
    """``data`` with a few small edits deep inside: the edits the editor makes."""
    if isinstance(data, list) and data and draws.draw(st.booleans()):
        index = draws.draw(st.integers(0, len(data) - 1))
        action = draws.draw(st.sampled_from(["change", "remove", "insert", "move"]))
        if action == "change":
            data[index] = _mutated(data[index], draws)
        elif action == "remove":
            del data[index]
        elif action == "insert":
            data.insert(index, draws.draw(_json))
        else:
            data.append(data.pop(index))
        return data
    if isinstance(data, dict) and data and draws.draw(st.booleans()):
        key = draws.draw(st.sampled_from(sorted(data)))
        action = draws.draw(st.sampled_from(["change", "remove", "add"]))
        if action == "change":
            data[key] = _mutated(data[key], draws)
        elif action == "remove":
            del data[key]
        else:
            data[key + "+"] = draws.draw(_json)
        return data
    return draws.draw(_json)


@settings(max_examples=150)
@given(_json, _styles, st.data())
def test_small_edits_read_back_and_can_be_undone(d1: Any, style: Any, draws: st.DataObject) -> None:
    text = json.dumps(d1, **style)
    d2 = _mutated(copy.deepcopy(d1), draws)
    after = rewrite(text, d2)
    assert json.loads(after) == d2
    assert rewrite(after, d2) == after
    assert json.loads(rewrite(after, d1)) == d1


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict) and data:
        return [leaf for key, value in data.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(data, list) and data:
        return [leaf for index, value in enumerate(data) for leaf in _leaves(value, (*path, index))]
    return [path]


@settings(max_examples=100)
@given(_json, st.sampled_from([2, "\t"]), _scalars, st.data())
def test_a_changed_scalar_in_an_indented_document_changes_its_one_line(
    d1: Any, indent: Any, new: Any, draws: st.DataObject
) -> None:
    text = json.dumps(d1, indent=indent)
    path = draws.draw(st.sampled_from(_leaves(d1)))
    d2 = copy.deepcopy(d1)
    if not path:
        d2 = new
    else:
        parent = d2
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = new
    after = rewrite(text, d2)
    assert json.loads(after) == d2
    before_lines, after_lines = text.splitlines(), after.splitlines()
    assert len(before_lines) == len(after_lines)
    assert sum(a != b for a, b in zip(before_lines, after_lines, strict=True)) <= 1
