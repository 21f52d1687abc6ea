"""Opening and saving a layout's file: the text as written, one backup, atomic writes, and no silent
overwrite of a change made on disk since it was opened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wallapp.core.editing.document import added, check, moved, new_widget, widget_index
from wallapp.core.editing.files import changed_on_disk, open_text, save_text
from wallapp.core.editing.jsontext import rewrite
from wallapp.core.editing.placing import placement_for, rect_for
from wallapp.core.view.geometry import Rect, Wall, WallSpec
from wallapp.errors import ChangedOnDisk, LayoutError, WallError

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "layouts" / "hub.json"


def _copy_of_hub(folder: Path) -> Path:
    path = folder / "hub.json"
    path.write_bytes(HUB.read_bytes())
    return path


def test_open_gives_the_text_as_written(tmp_path: Path) -> None:
    path = tmp_path / "crlf.json"
    path.write_bytes(b'{\r\n  "name": "caf\xc3\xa9"\r\n}\r\n')
    opened = open_text(path)
    assert opened.text == '{\r\n  "name": "café"\r\n}\r\n'
    assert opened.fingerprint.size == len(path.read_bytes())
    assert opened.data() == {"name": "café"}
    assert not changed_on_disk(opened)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"\xff{}", "not UTF-8 text (byte 0)"),
        ("folder", "is a directory, not a JSON file"),
    ],
)
def test_what_cannot_be_opened_says_why(tmp_path: Path, content: bytes | str | None, message: str) -> None:
    path = tmp_path / "layout.json"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(LayoutError) as raised:
        open_text(path)
    assert str(raised.value) == f"{path}: {message}"


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "layout.json"
    path.write_text('{\n  "name": "x",\n}\n', encoding="utf-8")
    with pytest.raises(LayoutError) as raised:
        open_text(path).data()
    assert str(raised.value).startswith(f"{path}: line 3, column 1: invalid JSON")


def test_save_writes_the_text_and_keeps_one_backup(tmp_path: Path) -> None:
    path = _copy_of_hub(tmp_path)
    opened = open_text(path)
    first = save_text(path, opened.text.replace('"seed": 7', '"seed": 8', 1), opened.fingerprint)
    assert path.read_bytes() == HUB.read_bytes().replace(b'"seed": 7', b'"seed": 8', 1)
    backup = tmp_path / "hub.json.bak"
    assert backup.read_bytes() == HUB.read_bytes()
    save_text(path, "{}\n", first)
    assert backup.read_bytes() == HUB.read_bytes().replace(b'"seed": 7', b'"seed": 8', 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub.json", "hub.json.bak"]  # no temporary left


def test_a_new_file_is_saved_without_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    fingerprint = save_text(path, '{"name": "New"}\n', None)
    assert path.read_text(encoding="utf-8") == '{"name": "New"}\n'
    assert not (tmp_path / "new.json.bak").exists()
    assert fingerprint == open_text(path).fingerprint


def test_a_change_on_disk_is_found_by_content_not_by_time(tmp_path: Path) -> None:
    path = _copy_of_hub(tmp_path)
    opened = open_text(path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same bytes
    assert not changed_on_disk(opened)
    path.write_bytes(HUB.read_bytes().replace(b"Hub", b"Hug"))  # same size, other bytes
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old time
    assert changed_on_disk(opened)
    path.unlink()
    assert changed_on_disk(opened)


def test_saving_over_a_change_on_disk_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    path = _copy_of_hub(tmp_path)
    opened = open_text(path)
    path.write_text('{"name": "changed elsewhere"}\n', encoding="utf-8")
    with pytest.raises(ChangedOnDisk) as raised:
        save_text(path, opened.text, opened.fingerprint)
    assert isinstance(raised.value, WallError)
    assert str(path) in str(raised.value)
    assert path.read_text(encoding="utf-8") == '{"name": "changed elsewhere"}\n'
    assert not (tmp_path / "hub.json.bak").exists()
    save_text(path, opened.text, None)  # the operator chose to overwrite
    assert path.read_bytes() == HUB.read_bytes()
    assert (tmp_path / "hub.json.bak").read_text(encoding="utf-8") == '{"name": "changed elsewhere"}\n'


def test_a_place_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(LayoutError, match="cannot be written"):
        save_text(tmp_path / "plain-file" / "layout.json", "{}", None)
    assert (tmp_path / "plain-file").read_text(encoding="utf-8") == "not a folder"


def test_an_edited_hub_saves_as_just_its_changed_lines(tmp_path: Path) -> None:
    path = _copy_of_hub(tmp_path)
    opened = open_text(path)
    data = opened.data()
    wall = Wall(WallSpec())
    index = widget_index(data, "mentions")
    kpi = rect_for(data["widgets"][index]["place"], wall)
    assert kpi is not None
    data = moved(data, index, placement_for(Rect(kpi.x, kpi.y, kpi.width, kpi.height / 2), wall, {}))
    ticker = new_widget("ticker", data, {"screen": [2, 0], "part": [0, 0.9, 1, 0.1]})
    data = added(data, ticker)
    assert check(data, WallSpec(), None, tmp_path).valid
    save_text(path, rewrite(opened.text, data), opened.fingerprint)
    before, after = (
        HUB.read_text(encoding="utf-8").splitlines(),
        path.read_text(encoding="utf-8").splitlines(),
    )
    assert len(after) == len(before) + 1
    assert after[-2:] == before[-2:]  # the closing brackets
    changed = [(old, new) for old, new in zip(before[:-2], after[:-3], strict=True) if old != new]
    assert [old.split('"id": ')[1][:12] for old, _ in changed] == ['"mentions", ', '"headlines",']
    assert '"part": [0, 0.5, 0.5, 0.25]' in changed[0][1]
    assert changed[1][1] == changed[1][0] + ","
    assert after[-3] == (
        '    {"id": "ticker", "kind": "ticker", "source": "posts", '
        '"place": {"screen": [2, 0], "part": [0, 0.9, 1, 0.1]}, "options": {}}'
    )
