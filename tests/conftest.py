"""Test setup: the whole session runs on six real offscreen QScreens laid out as the hub's 3 x 2 wall."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Must be set before pytest-qt creates the QApplication: Qt reads the platform once.
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={HERE / 'six-screens.json'}"
os.environ.pop("WALLAPP_CONFIG", None)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Caches, logs and config go to a temporary home, never the developer's."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in [n for n in os.environ if n.startswith("WALLAPP_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def layouts() -> Path:
    return ROOT / "layouts"


@pytest.fixture
def write_json(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a JSON document (text or object) into the test's folder and return its path."""

    def write(name: str, content: object) -> Path:
        path = tmp_path / name
        path.write_text(
            content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8"
        )
        return path

    return write
