from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wallapp.core.config.theme import Theme, contrast_ratio, load_theme, theme_json_schema
from wallapp.errors import ThemeError

ROOT = Path(__file__).resolve().parent.parent


def shipped(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "themes" / f"{name}.json").read_text())
    return data


@pytest.mark.parametrize("name", ["dark", "light"])
def test_shipped_themes_are_valid_and_legible(name: str) -> None:
    theme = load_theme(ROOT / "themes" / f"{name}.json")
    assert theme.text.min >= 32
    assert contrast_ratio(theme.palette.text, theme.palette.surface) >= 7


def test_shipped_theme_schema_is_the_models_schema() -> None:
    assert json.loads((ROOT / "themes" / "theme.schema.json").read_text()) == theme_json_schema()


def test_a_size_below_the_floor_is_refused(write_json: Any) -> None:
    data = shipped("dark")
    data["text"]["caption"] = 20
    with pytest.raises(ThemeError, match=r"text sizes caption are below the legibility floor text\.min = 32"):
        load_theme(write_json("small.json", data))


def test_text_without_contrast_is_refused(write_json: Any) -> None:
    data = shipped("dark")
    data["palette"]["text_muted"] = "#30384A"
    with pytest.raises(ThemeError, match=r"palette.text_muted on palette.background has contrast 1.\d:1"):
        load_theme(write_json("dim.json", data))


def test_a_bad_colour_names_its_path(write_json: Any) -> None:
    data = shipped("light")
    data["palette"]["accent"] = "blue"
    with pytest.raises(ThemeError) as caught:
        load_theme(write_json("colour.json", data))
    assert [p.location for p in caught.value.problems] == ["palette.accent"]


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert Theme.model_fields["palette"].is_required()
