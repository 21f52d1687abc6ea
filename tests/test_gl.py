"""The OpenGL path: chosen by the settings and the renderer found, never a blank wall when OpenGL fails,
and, on a real X server with Mesa's OpenGL, the same pixels as the raster path on every shipped layout."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_x11 import six_monitor_x  # noqa: F401 (the fixture)

from wallapp.app import WallWindows, build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.errors import ConfigError
from wallapp.qt import renderer
from wallapp.qt.renderer import GlViewport, choose, gl_renderer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOLERANCE = 0.01
"""Share of a screen's pixels that may differ by more than antialiasing does (see ``spanned_probe``)."""


def test_settings_choose_the_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().renderer == "auto"
    monkeypatch.setenv("WALLAPP_RENDERER", "opengl")
    assert load_settings().renderer == "opengl"
    monkeypatch.setenv("WALLAPP_RENDERER", "vulkan")
    with pytest.raises(ConfigError, match="renderer: Input should be 'auto', 'raster' or 'opengl'"):
        load_settings()


def test_without_opengl_every_choice_is_raster(qapp: object) -> None:
    """The test platform (offscreen) makes no OpenGL context: asking for OpenGL gives raster, and why."""
    assert gl_renderer() is None
    assert choose("raster").name == choose("auto").name == choose("opengl").name == "raster"
    assert "no OpenGL context" in choose("opengl").why


@pytest.mark.parametrize(
    ("found", "auto"),
    [
        ("NVIDIA GeForce RTX 4060/PCIe/SSE2", "opengl"),
        ("AMD Radeon RX 7600 (radeonsi, navi33, LLVM 15.0.6, DRM 3.49)", "opengl"),
        ("Mesa Intel(R) UHD Graphics 770 (ADL-S GT1)", "opengl"),
        ("llvmpipe (LLVM 15.0.6, 256 bits)", "raster"),
        ("softpipe", "raster"),
        ("Software Rasterizer", "raster"),
    ],
)
def test_auto_takes_opengl_only_on_a_hardware_renderer(
    found: str, auto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(renderer, "gl_renderer", lambda: found)
    assert renderer.choose("auto").name == auto
    assert found in renderer.choose("auto").why
    assert renderer.choose("opengl").name == "opengl"
    assert renderer.choose("raster").name == "raster"


def test_each_window_logs_its_renderer(qapp: object, caplog: pytest.LogCaptureFixture) -> None:
    scene = build_scene(open_layout(load_settings(), "hub"))
    with caplog.at_level(logging.DEBUG, logger="wallapp.render"):
        windows = WallWindows(scene, preview=False, renderer="opengl")
    try:
        lines = [r.getMessage() for r in caplog.records if r.name == "wallapp.render"]
        assert len(lines) == len(windows.canvas_views()) == 6
        assert all(" draws with raster: no OpenGL context can be made" in line for line in lines)
        assert not any(isinstance(v.viewport(), GlViewport) for v in windows.canvas_views())
    finally:
        windows.close()
        scene.dispose()


FAILED_CONTEXT = textwrap.dedent(
    """
    import json, logging
    from wallapp.app import WallWindows, build_scene, open_layout
    from wallapp.core.config.settings import load_settings
    from wallapp.qt.application import application
    from wallapp.qt.renderer import Choice, GlViewport, use

    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    app = application()
    windows = WallWindows(build_scene(open_layout(load_settings(), "hub")), preview=True, renderer="raster")
    view = windows.views[0]
    use(view, Choice(True, "forced"), view.where())  # as if a context could be made: the platform can't
    windows.show()
    for _ in range(50):
        app.processEvents()
        if view.drawn:
            break
    picture = view.viewport().grab().toImage()
    print(json.dumps({
        "gl": isinstance(view.viewport(), GlViewport),
        "drawn": view.drawn,
        "colours": len({picture.pixel(x, y) for x in range(0, picture.width(), 7)
                        for y in range(0, picture.height(), 7)}),
    }))
    """
)


def test_a_context_that_fails_once_shown_falls_back_to_raster() -> None:
    """A viewport whose context cannot be made draws nothing: the view swaps it for a raster one, says so
    once, and the window draws (the blank-screen check sees it drawn only then)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", FAILED_CONTEXT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert not report["gl"]
    assert report["drawn"]
    assert report["colours"] > 5
    fell = [line for line in result.stderr.splitlines() if "its OpenGL context could not be made" in line]
    assert len(fell) == 1, result.stderr


@pytest.mark.x11
def test_opengl_draws_what_raster_draws_on_every_layout(six_monitor_x: str) -> None:  # noqa: F811
    """Every shipped layout on six real X windows drawn by Mesa's OpenGL: each screen as the X server shows
    it matches the raster snapshot within antialiasing, is no blank (one colour) read-back, and is the
    picture a cross-fade takes of it; a cross-fade over OpenGL viewports shows the old picture, then the
    new layout."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=six_monitor_x, QT_QPA_PLATFORM="xcb", PYTHONPATH=f"{ROOT}{os.pathsep}{HERE}")
    result = subprocess.run(
        [sys.executable, str(HERE / "gl_probe.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    if report["renderer"] is None:
        pytest.skip("no OpenGL on this X server (Mesa's libgl1-mesa-dri missing?)")
    shipped = sorted(p.stem for p in (ROOT / "layouts").glob("*.json") if p.stem != "layout.schema")
    assert [entry["layout"] for entry in report["layouts"]] == shipped
    for entry in report["layouts"]:
        name = entry["layout"]
        assert all(entry["drawn"]), name
        assert entry["views"], name  # six screens, or one preview of a layout for another wall
        for index, view in enumerate(entry["views"]):
            where = f"{name} screen {index}"
            assert view["opengl"], where
            assert view["colours_shown"] > 1, where
            assert view["colours_captured"] > 1, where
            assert view["vs_raster"] < TOLERANCE, (where, view)
            assert view["capture_vs_shown"] < TOLERANCE, (where, view)
            if len(entry["views"]) == 6:  # a screen each: its rectangle of the wall's snapshot too
                assert view["vs_snapshot"] < TOLERANCE, (where, view)
    fade = next(entry["fade"] for entry in report["layouts"] if "fade" in entry)
    assert max(fade["during_vs_old"]) < TOLERANCE
    assert max(fade["capture_during_vs_old"]) < TOLERANCE
    assert max(fade["after_vs_new"]) < TOLERANCE
    assert max(fade["old_vs_new"]) > 0.05
