"""Settings layers: command line > WALLAPP_* environment > .env > wallapp.toml > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from wallapp.core.config.settings import load_settings
from wallapp.errors import ConfigError


def test_defaults_are_the_hub_wall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert (settings.wall.columns, settings.wall.rows, settings.layout) == (3, 2, "hub")
    assert "xdg_cache_home" in str(settings.cache_dir)  # the isolated XDG home of the tests


def test_each_layer_overrides_the_one_below(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wallapp.toml").write_text(
        'layout = "from-toml"\ntheme = "from-toml"\nwindow = false\n'
        "[wall]\ncolumns = 2\nrows = 1\n[wall.screen]\nwidth_px = 3840\nheight_px = 2160\n"
    )
    (tmp_path / ".env").write_text("WALLAPP_THEME=from-dotenv\nWALLAPP_LAYOUT=from-dotenv\n")
    monkeypatch.setenv("WALLAPP_LAYOUT", "from-env")
    settings = load_settings(window=True)
    assert settings.wall.columns == 2  # toml
    assert settings.wall.screen.width_px == 3840
    assert settings.theme == "from-dotenv"  # .env over toml
    assert settings.layout == "from-env"  # environment over .env
    assert settings.window is True  # command line over everything


def test_nested_environment_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WALLAPP_WALL__SCREEN__GAP_PX", "[20, 10]")
    assert load_settings().wall.screen.mullion_px == (20, 10)


def test_explicit_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "missing.toml")


def test_invalid_settings_name_the_file_and_field(tmp_path: Path) -> None:
    config = tmp_path / "wall.toml"
    config.write_text("[wall]\ncolumns = 0\n")
    with pytest.raises(
        ConfigError, match=r"wall.toml .*wall.columns: Input should be greater than or equal to 1"
    ):
        load_settings(config)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("[wall\n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_settings(config)
