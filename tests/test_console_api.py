"""What the operator console asks of the control API, over real HTTP to a wall started on 127.0.0.1: the
read token, the audit log, the wall's picture, layout thumbnails, the event stream and the page itself."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtGui import QColor, QImage
from servers import Clock, ctl_on, http_client, until, while_serving

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.errors import ConfigError
from wallapp.live.audit import AuditLog
from wallapp.live.control import endpoints
from wallapp.live.events import QUEUE, Events
from wallapp.qt.scene import WallScene
from wallapp.qt.thumbnails import Thumbnails

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "operator-token"
READ = "watcher-token"
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]


def layout(name: str, theme: str) -> dict[str, Any]:
    """A layout with one text on the bottom-left screen, on a canvas the colour of ``theme``."""
    text = {"id": "a", "kind": "text", "place": {"screen": [0, 1]}, "options": {"text": name}}
    return {"name": name, "theme": theme, "widgets": [text]}


def themed(write_json: Callable[[str, object], Path], name: str, background: str) -> None:
    theme = json.loads((ROOT / "themes" / "dark.json").read_text(encoding="utf-8"))
    theme["palette"]["background"] = background
    theme.pop("$schema", None)
    write_json(f"{name}.json", {**theme, "name": name})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def wall(tmp_path: Path, write_json: Callable[[str, object], Path], clock: Clock, state: Path) -> WallDisplay:
    """``one`` is drawn on a red canvas, ``two`` on a green one; ``broken`` is not a layout."""
    for name, colour in [("red", "#800000"), ("green", "#005000"), ("blue", "#000080")]:
        themed(write_json, name, colour)
    write_json("one.json", layout("One", "red"))
    write_json("two.json", layout("Two", "green"))
    write_json("broken.json", {"name": "Broken", "widgets": [{"id": "x"}]})
    settings = load_settings(
        layouts_dirs=[tmp_path],
        themes_dirs=[tmp_path],
        layout="one",
        control={"listen": "127.0.0.1:0", "token": TOKEN, "read_token": READ},
        state_dir=state,
    )
    display = WallDisplay(settings, now=clock)
    display.show()
    return display


def serve(
    run_async: RunAsync, wall: WallDisplay, steps: Callable[[httpx.AsyncClient], Coroutine[Any, Any, None]]
) -> None:
    """Run ``steps`` with a client of the wall's API (no token set: each step says which it sends)."""

    async def scenario() -> None:
        await until(lambda: wall.control_url is not None, "the control API")
        async with http_client() as client:
            client.base_url = httpx.URL(str(wall.control_url))
            client.timeout = httpx.Timeout(30)
            await steps(client)

    while_serving(run_async, wall, scenario)


OPERATOR = {"Authorization": f"Bearer {TOKEN}"}
WATCHER = {"Authorization": f"Bearer {READ}"}


def image(png: bytes) -> QImage:
    picture = QImage()
    assert picture.loadFromData(png, "PNG")
    return picture


def colour_at(picture: QImage, x: float, y: float) -> tuple[int, int, int]:
    """The colour at a point given as parts of the picture's width and height."""
    pixel = QColor(picture.pixel(int(x * picture.width()), int(y * picture.height())))
    return pixel.red(), pixel.green(), pixel.blue()


def test_the_read_token_watches_but_cannot_steer_and_every_change_is_audited(
    run_async: RunAsync, wall: WallDisplay, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        for path in ("/status", "/layouts", "/log", "/picture", "/layouts/two/thumbnail", "/openapi.json"):
            assert (await client.get(path, headers=WATCHER)).status_code == 200, path
        for method, path, body in [
            ("POST", "/layout", {"layout": "two"}),
            ("POST", "/show", {"name": "visitor-demo"}),
            ("POST", "/alert", {"text": "Hello", "level": "info"}),
            ("DELETE", "/alert", None),
            ("POST", "/blank", {}),
            ("POST", "/reload", None),
            ("POST", "/next", None),
        ]:
            answer = await client.request(method, path, json=body, headers=WATCHER)
            assert (answer.status_code, answer.json()) == (
                403,
                {"error": "this token can watch the wall but not change it"},
            ), path
        assert wall.scene.loaded.path.stem == "one"
        assert wall.control.alert is None
        assert not wall.control.blanked
        # The operator's token steers; refused, failed and done changes are all written down.
        assert (await client.post("/layout", json={"layout": "two"}, headers=OPERATOR)).status_code == 200
        alert = {"text": "Queue  above 50", "level": "warning", "ttl": 60}
        assert (await client.post("/alert", json=alert, headers=OPERATOR)).status_code == 200
        assert (await client.post("/next", headers=OPERATOR)).status_code == 409
        assert (await client.post("/blank", json={"on": True}, headers=OPERATOR)).status_code == 200
        log = (await client.get("/log?count=4", headers=WATCHER)).json()["entries"]
        assert [(e["who"], e["what"], e["result"]) for e in log] == [
            ("operator@127.0.0.1", "layout two", "ok"),
            ("operator@127.0.0.1", "alert warning: Queue above 50 (for 60 s)", "ok"),
            ("operator@127.0.0.1", "next", "next: no show running"),
            ("operator@127.0.0.1", "blank on", "ok"),
        ]
        assert all(e["at"] == "2026-03-01T10:00:00+00:00" for e in log)
        everything = (await client.get("/log", headers=OPERATOR)).json()["entries"]
        assert [e["what"] for e in everything[:2]] == ["layout two", "show visitor-demo"]
        assert {e["result"] for e in everything[:7]} == {"refused: read-only token"}
        assert everything[0]["who"] == "watcher@127.0.0.1"
        for query, error in [("count=0", "query.count:"), ("count=many", "query.count:")]:
            answer = await client.get(f"/log?{query}", headers=OPERATOR)
            assert answer.status_code == 422
            assert answer.json()["error"].startswith(error)

    serve(run_async, wall, steps)
    # Kept in the installation's state folder, read back after a restart.
    lines = (state / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 11
    assert json.loads(lines[-1])["what"] == "blank on"
    assert [e.what for e in AuditLog(state / "audit.jsonl", wall.control.now).latest(2)] == [
        "next",
        "blank on",
    ]


def test_every_change_the_api_offers_is_refused_to_the_read_token(
    run_async: RunAsync, wall: WallDisplay
) -> None:
    changes = [(e.method, e.path) for e in endpoints.ENDPOINTS if e.steers]
    # layout, try, show, reload, alert x2, blank, 4 steps, posts x4, block x2, approval
    assert len(changes) == 18
    assert all(method in ("POST", "DELETE") for method, _ in changes)

    async def steps(client: httpx.AsyncClient) -> None:
        for method, path in changes:
            for body in (None, {"not": "a body"}):  # a malformed body too: 403 before 422
                answer = await client.request(method, path, json=body, headers=WATCHER)
                assert answer.status_code == 403, (method, path, body)
        assert (await client.post("/layout", json={"nope": 1}, headers=OPERATOR)).status_code == 422

    serve(run_async, wall, steps)
    assert wall.scene.loaded.path.stem == "one"
    assert wall.control.decisions.current.quiet()


def test_a_log_that_cannot_be_written_is_said_once_and_the_wall_goes_on(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("")
    audit = AuditLog(tmp_path / "file" / "audit.jsonl", clock)  # its folder is a file
    heard: list[str] = []
    audit.listeners.append(lambda entry: heard.append(entry.what))
    audit.record("operator@127.0.0.1", "layout two")
    audit.record("operator@127.0.0.1", "layout one")
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith(f"audit log {tmp_path / 'file' / 'audit.jsonl'}: cannot write")
    assert heard == ["layout two", "layout one"]  # the console still hears of them
    assert audit.latest() == []
    good = tmp_path / "audit.jsonl"
    good.write_text('{"at": "x", "who": "w", "what": "blank on", "result": "ok"}\nnot json\n{"at": 1}\n')
    assert [e.what for e in AuditLog(good, clock).latest()] == ["blank on"]


def test_an_entry_cut_short_by_a_crash_costs_only_itself(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path, clock)
    audit.record("operator@127.0.0.1", "layout two")
    with path.open("a", encoding="utf-8") as file:
        file.write('{"at": "2026-03-01T10:00:00+00:00", "who": "oper')  # the wall killed mid-line
    restarted = AuditLog(path, clock)
    restarted.record("operator@127.0.0.1", "blank on")
    assert [e.what for e in restarted.latest()] == ["layout two", "blank on"]


def test_the_picture_is_the_whole_wall_as_it_shows_now(run_async: RunAsync, wall: WallDisplay) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        client.headers.update(OPERATOR)
        answer = await client.get("/picture?width=600")
        assert answer.headers["content-type"] == "image/png"
        assert answer.headers["cache-control"] == "no-store"
        picture = image(answer.content)
        canvas = wall.scene.wall.canvas
        assert (picture.width(), picture.height()) == (600, round(canvas.height * 600 / canvas.width))
        # ``one``: a red canvas; the mullion between the screens is black.
        assert colour_at(picture, 5 / 6, 0.25) == (128, 0, 0)
        seam = next(s for s in wall.scene.wall.seams() if s.height == canvas.height)
        full = image((await client.get(f"/picture?width={int(canvas.width)}")).content)
        assert colour_at(full, (seam.x + seam.width / 2) / canvas.width, 0.25) == (0, 0, 0)
        assert colour_at(full, (seam.x - 2) / canvas.width, 0.25) == (128, 0, 0)
        await client.post("/layout", json={"layout": "two"})
        picture = image((await client.get("/picture?width=600")).content)
        assert colour_at(picture, 5 / 6, 0.25) == (0, 80, 0)
        await client.post("/blank", json={"on": True})
        picture = image((await client.get("/picture?width=300")).content)
        assert colour_at(picture, 5 / 6, 0.25) == (0, 0, 0)
        for query in ("width=10", "width=wide", "width=99999"):
            answer = await client.get(f"/picture?{query}")
            assert answer.status_code == 422, query
            assert answer.json()["error"].startswith("query.width:")

    serve(run_async, wall, steps)


def test_the_picture_at_an_instant_holds_the_clocks_there_and_leaves_the_wall_alone(
    run_async: RunAsync, wall: WallDisplay, write_json: Callable[[str, object], Path]
) -> None:
    clock = {"id": "c", "kind": "clock", "place": {"screen": [0, 0]}, "options": {"timezone": "UTC"}}
    write_json("clocked.json", {"name": "Clocked", "theme": "red", "widgets": [clock]})
    noon = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC).timestamp()

    async def steps(client: httpx.AsyncClient) -> None:
        client.headers.update(OPERATOR)
        await client.post("/layout", json={"layout": "clocked"})
        shown = wall.scene

        async def at(instant: float, own: bool = False) -> bytes:
            answer = await client.get("/picture", params={"width": 600, "at": instant, "own": own})
            assert answer.status_code == 200, answer.text
            return answer.content

        # The clock shows minutes: one instant, and another in the same minute, draw the same picture;
        # the next minute another one. A single PC's own screens are all of them.
        assert await at(noon) == await at(noon + 20) == await at(noon, own=True)
        assert await at(noon) != await at(noon + 60)
        assert wall.scene is shown  # drawn off screen: the windows' scene is the one they showed
        await client.post("/blank", json={"on": True})
        blanked = image(await at(noon))
        assert colour_at(blanked, 1 / 6, 0.25) == (0, 0, 0)  # as the wall shows then: blanked
        answer = await client.get("/picture?at=-1")
        assert answer.status_code == 422
        assert answer.json()["error"].startswith("query.at:")

    serve(run_async, wall, steps)


def test_thumbnails_are_drawn_from_each_layout_and_kept_until_it_changes(
    run_async: RunAsync, wall: WallDisplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    build = wall.thumbnails.build

    def counted(name: str) -> WallScene:
        built.append(name)
        return build(name)

    monkeypatch.setattr(wall.thumbnails, "build", counted)

    async def steps(client: httpx.AsyncClient) -> None:
        client.headers.update(OPERATOR)
        answer = await client.get("/layouts/two/thumbnail?width=240")
        assert answer.status_code == 200
        picture = image(answer.content)
        assert picture.width() == 240
        assert colour_at(picture, 5 / 6, 0.25) == (0, 80, 0)  # ``two``, though the wall shows ``one``
        assert wall.scene.loaded.path.stem == "one"
        assert (await client.get("/layouts/two/thumbnail?width=240")).content == answer.content
        assert built == ["two"]

        # Kept in the cache folder too: a restarted wall draws it no more.
        def never(name: str) -> WallScene:
            raise AssertionError(f"{name} drawn again")

        restarted = Thumbnails(wall.thumbnails.path, never, wall.thumbnails.folder)
        assert restarted.get("two", 240) == answer.content
        # Edited: drawn again.
        (tmp_path / "two.json").write_text(json.dumps(layout("Two", "blue")))
        picture = image((await client.get("/layouts/two/thumbnail?width=240")).content)
        assert colour_at(picture, 5 / 6, 0.25) == (0, 0, 128)
        assert built == ["two", "two"]
        missing = await client.get("/layouts/nope/thumbnail")
        assert missing.status_code == 404
        assert missing.json()["error"].startswith("unknown layout 'nope'")
        broken = await client.get("/layouts/broken/thumbnail")
        assert broken.status_code == 409
        assert "broken.json" in broken.json()["error"]
        assert (await client.get("/layouts/two/thumbnail?width=5000")).status_code == 422
        assert (await client.get("/layouts/two/thumbnail")).status_code == 200  # the default width
        assert (await client.get("/layouts/two/thumbnail", headers={"Authorization": "x"})).status_code == 401

    serve(run_async, wall, steps)


async def events(client: httpx.AsyncClient, headers: dict[str, str]) -> AsyncIterator[tuple[str, Any]]:
    """The server-sent events of ``/events``, as (name, data)."""
    async with client.stream("GET", "/events", headers=headers) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = ""
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                yield kind, json.loads(line.removeprefix("data: "))


def test_the_event_stream_tells_the_page_what_changes_without_it_asking(
    run_async: RunAsync, wall: WallDisplay
) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        heard: list[tuple[str, Any]] = []

        async def listen(headers: dict[str, str]) -> None:
            async for event in events(client, headers):
                heard.append(event)

        listening = asyncio.ensure_future(listen(WATCHER))
        await until(lambda: len(heard) >= 3, "the first events")
        (_, hello), (_, status), (_, picture) = heard[:3]
        assert [kind for kind, _ in heard[:3]] == ["hello", "status", "picture"]
        assert hello == {"role": "watcher", "peer": "127.0.0.1"}
        assert status["layout"] == "one"
        version = picture["version"]
        await client.post("/layout", json={"layout": "two"}, headers=OPERATOR)

        def told(kind: str, test: Callable[[Any], bool]) -> bool:
            return any(k == kind and test(data) for k, data in heard)

        await until(lambda: told("status", lambda s: s["layout"] == "two"), "the new layout's status")
        await until(lambda: told("picture", lambda p: p["version"] > version), "a new picture")
        await until(lambda: told("audit", lambda a: a["what"] == "layout two"), "the audit entry")
        await client.post("/alert", json={"text": "<b>Hi</b>", "level": "info"}, headers=OPERATOR)
        await until(
            lambda: told("status", lambda s: (s["alert"] or {}).get("text") == "<b>Hi</b>"), "the alert"
        )
        assert wall.control.events.watching == 1
        listening.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listening
        await until(lambda: wall.control.events.watching == 0, "the stream to be let go")
        answer = await client.get("/events")
        assert answer.status_code == 401

    serve(run_async, wall, steps)


def test_a_stream_still_open_when_the_wall_stops_ends(run_async: RunAsync, wall: WallDisplay) -> None:
    listening: list[asyncio.Future[None]] = []

    async def steps(client: httpx.AsyncClient) -> None:
        async def listen() -> None:
            async with http_client() as own:  # outlives the steps' client
                own.base_url = client.base_url
                async for _ in events(own, OPERATOR):
                    pass

        listening.append(asyncio.ensure_future(listen()))
        await until(lambda: wall.control.events.watching == 1, "the stream")

    serve(run_async, wall, steps)  # the wall stops with the stream open: it is ended, not waited on
    run_async(asyncio.wait_for(listening[0], 30))  # ended cleanly: no read error


def test_a_slow_client_is_dropped_rather_than_held(run_async: RunAsync) -> None:
    hub = Events()

    async def scenario() -> list[str]:
        stream = hub.stream([("hello", {})])
        first = await anext(stream)
        for number in range(QUEUE + 5):  # nobody reads
            hub.publish("status", {"n": number})
        rest = [text async for text in stream]
        return [first, *rest]

    frames = run_async(scenario())  # not asyncio.run: it would leave the tests after with no event loop
    assert frames[0] == "event: hello\ndata: {}\n\n"
    assert len(frames) == QUEUE  # what fitted, then the end: the page reconnects
    assert hub.watching == 0


def test_the_page_is_served_without_a_token_and_locked_down(run_async: RunAsync, wall: WallDisplay) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        page = await client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert '<script src="/console/console.js" defer></script>' in page.text
        assert "http" not in page.text.replace("http-equiv", "")  # nothing fetched from elsewhere
        script = await client.get("/console/console.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in script.text  # people's text is set as text
        assert "?token" not in script.text
        assert (await client.get("/console/console.css")).status_code == 200
        for path in ("/console/index.html", "/console/nope.js", "/console/..%2Fcontrol.py"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.post("/")).status_code == 405

    serve(run_async, wall, steps)


def test_the_openapi_description_names_the_new_routes_and_403() -> None:
    described = endpoints.openapi()
    thumbnail = described["paths"]["/layouts/{name}/thumbnail"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in thumbnail["parameters"]] == [
        ("name", "path", True),
        ("width", "query", False),
    ]
    assert "image/png" in thumbnail["responses"]["200"]["content"]
    assert "403" in described["paths"]["/layout"]["post"]["responses"]
    assert "403" not in described["paths"]["/status"]["get"]["responses"]
    assert "text/event-stream" in described["paths"]["/events"]["get"]["responses"]["200"]["content"]


def test_wallapp_ctl_log_shows_who_did_what(
    run_async: RunAsync,
    wall: WallDisplay,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logging.getLogger("wallapp"), "propagate", True)

    ctl = ctl_on(lambda: wall.control_url, capsys, TOKEN)

    async def steps(_: httpx.AsyncClient) -> None:
        assert await ctl("log") == (0, "no change asked yet", "")
        assert (await ctl("layout", "two"))[0] == 0
        code, _out, err = await ctl("layout", "one", token=READ)
        assert (code, err) == (1, "wallapp: this token can watch the wall but not change it")
        assert await ctl("log", token=READ) == (
            0,
            "2026-03-01T10:00:00+00:00  operator@127.0.0.1  layout two\n"
            "2026-03-01T10:00:00+00:00  watcher@127.0.0.1  layout one  (refused: read-only token)",
            "",
        )
        assert (await ctl("log", "--count", "1"))[1].endswith("layout one  (refused: read-only token)")

    serve(run_async, wall, steps)


def test_the_read_token_is_a_setting_like_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(control={"token": "a", "read_token": "${secret:watch}"}, secrets={"watch": "w"})
    assert (settings.control_token(), settings.control_token("read_token")) == ("a", "w")
    with pytest.raises(ConfigError, match=r"control\.read_token: the secret nope is not set"):
        load_settings(control={"read_token": "${secret:nope}"})
    monkeypatch.setenv("WALLAPP_CONTROL__READ_TOKEN", "from-env")
    monkeypatch.setenv("WALLAPP_STATE_DIR", "/srv/wall/state")
    settings = load_settings()
    assert settings.control_token("read_token") == "from-env"
    assert settings.state_dir == Path("/srv/wall/state")
