"""The wallapp command as a user meets it: clear messages, exit codes, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from wallapp import cli

HERE = Path(__file__).resolve().parent


def wallapp(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(kwargs.pop("env", {}))
    return subprocess.Popen(
        [sys.executable, "-m", "wallapp", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    "command", ["run", "snapshot", "probe", "validate", "screens", "schema", "demo-server", "bench"]
)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    assert f"usage: wallapp {command}" in capsys.readouterr().out


def test_validate_the_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate"]) == 0
    out = capsys.readouterr().out
    for name in ("hub.json", "dark.json", "light.json", "shows/visitor-demo.json", "schedules/lobby.json"):
        assert f"{name}: ok" in out


def test_validate_lists_every_error_and_fails(
    write_json: Any, capsys: pytest.CaptureFixture[str], layouts: Path
) -> None:
    bad = write_json(
        "bad.json",
        {
            "name": "Bad",
            "widgets": [
                {"id": "a", "kind": "text", "place": {"screen": [5, 0]}, "options": {"text": "x"}},
                {"id": "a", "kind": "gauge", "place": {"screen": [0, 0]}},
            ],
        },
    )
    broken = write_json("broken.json", '{"name": "x", "widgets": [}')
    assert cli.main(["validate", str(layouts / "hub.json"), str(bad), str(broken)]) == 1
    captured = capsys.readouterr()
    assert "hub.json: ok" in captured.out
    assert f"{bad}: 1 problems" not in captured.err
    assert "widgets[1]: unknown kind 'gauge'" in captured.err
    assert f"{broken}: line 1, column 27: invalid JSON" in captured.err
    assert "Traceback" not in captured.err


def test_schema_prints_the_layout_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema"]) == 0
    assert '"title": "wallapp layout"' in capsys.readouterr().out


@pytest.mark.parametrize("document", ["show", "schedule"])
def test_schema_writes_the_show_and_schedule_schemas(document: str, tmp_path: Path) -> None:
    out = tmp_path / "x.schema.json"
    assert cli.main(["schema", document, "-o", str(out)]) == 0
    assert (HERE.parent / f"{document}s" / f"{document}.schema.json").read_text() == out.read_text()


def test_validate_tells_shows_and_schedules_by_their_fields(
    write_json: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_json("show.json", {"name": "S", "scenes": [{"layout": "nowhere", "duration": "hold"}]})
    schedule = write_json("schedule.json", {"name": "K", "windows": [{"start": "8:00", "off": True}]})
    assert cli.main(["validate", str(show), str(schedule)]) == 1
    err = capsys.readouterr().err
    assert f"{show}: scenes[0].layout: nowhere: unknown layout (known: " in err
    assert f"{schedule}: 2 problems in this schedule" in err
    assert "  windows[0].start: Input should be in a valid time format" in err
    assert "  otherwise: required but missing" in err


@pytest.mark.usefixtures("qapp")
def test_snapshot_writes_the_full_canvas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hub.png"
    assert cli.main(["snapshot", "hub", "-o", str(out), "--scale", "0.2"]) == 0
    assert QImage(str(out)).size().toTuple() == (1154, 433)
    assert f"{out}: 1154x433 px" in capsys.readouterr().out


def test_snapshot_refuses_a_broken_layout_with_the_validation_message(
    write_json: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_json("bad.json", {"name": "Bad", "theme": "neon", "widgets": []})
    assert cli.main(["snapshot", str(bad), "-o", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err
    assert err == f"wallapp: {bad}: theme: unknown theme 'neon' (known: dark, light)\n"
    assert not (tmp_path / "x.png").exists()


def test_an_unexpected_failure_is_one_line_pointing_to_the_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*_: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_dispatch", explode)
    assert cli.main(["validate"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("wallapp: internal error: RuntimeError: boom (details in ")
    log_file = Path(err[0].split("details in ")[1].rstrip(")"))
    assert "Traceback" in log_file.read_text()


def test_run_without_a_display_says_so_in_one_line() -> None:
    proc = wallapp("run")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    lines = err.splitlines()
    assert len(lines) == 1
    for words in ("no display", "wallapp snapshot", "--window"):
        assert words in lines[0]


def _wait_for(proc: subprocess.Popen[str], text: str, timeout: float = 60) -> list[str]:
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        if text in line:
            return seen
    proc.kill()
    pytest.fail(f"never saw {text!r}; stderr: {seen}")


@contextmanager
def _running(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """The wall's process, killed and reaped however the test ends (a failed assertion included)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def test_run_with_fewer_screens_previews_with_a_notice_then_quits_on_ctrl_c() -> None:
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={HERE / 'two-screens.json'}"}
    with _running(wallapp("run", "-v", env=env)) as proc:
        seen = _wait_for(proc, "on 1 window(s)")
        assert seen[0] == "wallapp: the 3x2 wall needs 6 screens, 2 found; showing a preview window"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "Traceback" not in err


def test_run_on_six_screens_opens_six_windows() -> None:
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={HERE / 'six-screens.json'}"}
    with _running(wallapp("run", "-v", env=env)) as proc:
        seen = _wait_for(proc, "window(s)")
        assert seen[-1].endswith("on 6 window(s)")
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        assert proc.returncode == 0


@pytest.mark.usefixtures("qapp")
def test_screens_lists_the_outputs_and_the_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["screens"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "wall: 3x2 screens of 1920x1080 px, mullions 6/6 px, canvas 5772x2166 px"
    assert out[1] == "detected 6 screen(s):"
    assert "  WALL-4: 1920x1080 at 1920,1080" in out
    assert "  wall screen [1, 1] (canvas 1926,1086 1920x1080) -> WALL-4" in out


@pytest.mark.usefixtures("qapp")
def test_screens_says_when_run_would_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "wall.toml"
    config.write_text("[wall]\ncolumns = 4\nrows = 2\n")
    assert cli.main(["screens", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "run would show a preview window: the 4x2 wall needs 8 screens, 6 found" in out
