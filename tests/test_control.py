"""The control API of a running wall, over real HTTP on 127.0.0.1, and ``wallapp ctl`` against it."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import Clock, free_port, http_client, until, while_serving
from windows_kit import whole

from wallapp import cli
from wallapp.app import WallDisplay, WallWindows
from wallapp.core.config.settings import load_settings
from wallapp.errors import ConfigError
from wallapp.live import control
from wallapp.live.control import endpoints, server
from wallapp.qt.scene import WallScene
from wallapp.qt.widgets.alert import AlertItem
from wallapp.qt.widgets.text_block import TextItem

TOKEN = "s3cret-token"
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]


def text(id_: str, words: str, column: int = 0) -> dict[str, Any]:
    return {"id": id_, "kind": "text", "place": {"screen": [column, 1]}, "options": {"text": words}}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def wall(tmp_path: Path, write_json: Callable[[str, object], Path], clock: Clock) -> WallDisplay:
    """A wall showing ``one`` (no alert widget); ``two`` has one; ``broken`` is not a layout. ``serve``
    closes it."""
    write_json("one.json", {"name": "One", "widgets": [text("a", "First layout")]})
    alert = {"id": "alert", "kind": "alert", "place": {"screen": [1, 0]}}
    write_json("two.json", {"name": "Two", "widgets": [text("b", "Second layout", 2), alert]})
    write_json("broken.json", {"name": "Broken", "widgets": [{"id": "x"}]})
    settings = load_settings(
        layouts_dirs=[tmp_path], layout="one", control={"listen": "127.0.0.1:0", "token": TOKEN}
    )
    display = WallDisplay(settings, now=clock)
    display.show()
    return display


def serve(run_async: RunAsync, wall: WallDisplay, steps: Callable[[httpx.AsyncClient], Any]) -> None:
    """Run ``steps`` with a client of the wall's API (the token sent) while the wall serves."""

    async def scenario() -> None:
        await until(lambda: wall.control_url is not None, "the control API")
        async with http_client() as client:
            client.base_url = httpx.URL(str(wall.control_url))
            client.timeout = httpx.Timeout(30)  # a loaded CI machine may answer slowly; never a flaky timeout
            client.headers["Authorization"] = f"Bearer {TOKEN}"
            await steps(client)

    while_serving(run_async, wall, scenario)


def shows(wall: WallDisplay, layout: str) -> bool:
    """The wall shows ``layout`` whole: its scene under every window (or on its way there)."""
    return whole(wall).loaded.path.stem == layout


def test_status_lists_what_is_shown_and_the_layouts(run_async: RunAsync, wall: WallDisplay) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        status = (await client.get("/status")).json()
        assert (status["layout"], status["title"], status["show"], status["blank"]) == (
            "one",
            "One",
            None,
            False,
        )
        assert status["screens"] == {"windows": 6, "preview": False, "reason": None, "undrawn": []}
        assert status["uptime_s"] >= 0
        assert status["version"]
        layouts = (await client.get("/layouts")).json()
        assert {"one", "two", "hub"} <= set(layouts["layouts"])
        assert "visitor-demo" in layouts["shows"]

    serve(run_async, wall, steps)


def test_every_route_is_described_and_needs_the_token(
    run_async: RunAsync, wall: WallDisplay, caplog: pytest.LogCaptureFixture
) -> None:
    app = server.api(wall.control, TOKEN)
    routes = {(route.path, method.lower()) for route in app.routes for method in route.methods - {"HEAD"}}  # type: ignore[attr-defined]
    described = endpoints.openapi()
    page = {("/", "get"), ("/console/{name}", "get")}  # the console's static files: public, no secret
    assert routes - page == {(path, method) for path, item in described["paths"].items() for method in item}
    routes -= page

    async def steps(client: httpx.AsyncClient) -> None:
        assert (await client.get("/openapi.json")).json() == described
        for path, method in sorted(routes):
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
                client.headers.pop("Authorization", None)
                answer = await client.request(method, path, headers=headers)
                assert answer.status_code == 401, (method, path, headers)
                assert answer.json() == {"error": "missing or wrong token"}
        # CORS closed: a page elsewhere gets no permission to read.
        client.headers["Authorization"] = f"Bearer {TOKEN}"
        answer = await client.get("/status", headers={"Origin": "http://evil.example"})
        assert answer.status_code == 200
        assert not [h for h in answer.headers if h.startswith("access-control-")]
        preflight = await client.options("/layout", headers={"Origin": "http://evil.example"})
        assert not [h for h in preflight.headers if h.startswith("access-control-")]

    serve(run_async, wall, steps)
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused == ["control API: refused a call from 127.0.0.1 (missing or wrong token)"]


def test_a_switch_shows_the_whole_layout_and_bad_requests_are_named(
    run_async: RunAsync, wall: WallDisplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[WallScene] = []
    show_scene = WallWindows.show_scene

    def watched(
        windows: WallWindows, scene: WallScene, fade_s: float = 0.0, old: WallScene | None = None
    ) -> None:
        handed.append(scene)
        assert scene.items_by_id
        assert all(item.scene() is scene for item in scene.items_by_id.values())
        show_scene(windows, scene, fade_s, old)

    monkeypatch.setattr(WallWindows, "show_scene", watched)
    views = list(wall.windows.views)

    async def steps(client: httpx.AsyncClient) -> None:
        answer = await client.post("/layout", json={"layout": "two"})
        assert (answer.status_code, answer.json()) == (200, {"layout": "two"})
        assert shows(wall, "two")
        assert wall.windows.views == views
        assert isinstance(wall.scene.items_by_id["b"], TextItem)
        assert (await client.get("/status")).json()["layout"] == "two"

        missing = await client.post("/layout", json={"layout": "nope"})
        assert missing.status_code == 404
        assert missing.json()["error"].startswith("unknown layout 'nope' (known: ")
        broken = await client.post("/layout", json={"layout": "broken"})
        assert broken.status_code == 409
        assert "broken.json" in broken.json()["error"]
        for body, error in [
            ({"name": "two"}, "body.layout: required"),
            ({"layout": 3}, "body.layout:"),
            ("{", "body: not JSON"),
        ]:
            content = body if isinstance(body, str) else None
            answer = await client.post("/layout", json=None if content else body, content=content)
            assert answer.status_code == 422, body
            assert error in answer.json()["error"]
        assert shows(wall, "two")

    serve(run_async, wall, steps)
    assert len(handed) == 1  # the broken and unknown layouts never reached the windows


def test_two_clients_switching_at_once_leave_one_whole_layout(run_async: RunAsync, wall: WallDisplay) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        for _ in range(5):
            answers = await asyncio.gather(
                client.post("/layout", json={"layout": "two"}), client.post("/layout", json={"layout": "one"})
            )
            assert [a.status_code for a in answers] == [200, 200]
            assert shows(wall, "one") or shows(wall, "two")
            assert (await client.get("/status")).json()["layout"] == wall.scene.loaded.path.stem

    serve(run_async, wall, steps)


def test_an_alert_shows_across_the_top_or_in_the_alert_widget_and_clears_by_itself(
    run_async: RunAsync, wall: WallDisplay, clock: Clock
) -> None:
    def banners() -> list[str]:
        return [item.alert.message for item in wall.scene.overlays.get("alert", []) if item.alert]  # type: ignore[attr-defined]

    async def steps(client: httpx.AsyncClient) -> None:
        body = {"text": "Network  outage in Lyon", "level": "crisis", "ttl": 600}
        raised = await client.post("/alert", json=body)
        assert raised.status_code == 200
        assert raised.json()["alert"] == {
            "text": "Network outage in Lyon",
            "level": "crisis",
            "until": "2026-03-01T10:10:00+00:00",
        }
        # ``one`` has no alert widget: a banner on each top screen, above every widget.
        assert banners() == ["Network outage in Lyon"] * 3
        assert all(item.zValue() > 1000 for item in wall.scene.overlays["alert"])
        # ``two`` has one: the alert is shown there, and no banner.
        await client.post("/layout", json={"layout": "two"})
        widget = wall.scene.items_by_id["alert"]
        assert isinstance(widget, AlertItem)
        assert widget.alert is not None
        assert (widget.alert.level, widget.alert.message) == ("crisis", "Network outage in Lyon")
        assert banners() == []
        clock.advance(seconds=599)
        wall.control.expire()  # what the periodic check does: not yet
        assert widget.alert is not None
        clock.advance(seconds=1)
        await until(lambda: widget.alert is None, "the alert to clear when its time is up")
        assert (await client.get("/status")).json()["alert"] is None
        # Raised again and cleared by hand.
        await client.post("/layout", json={"layout": "one"})
        await client.post("/alert", json={"text": "Press visit at 3 pm", "level": "info"})
        assert banners() == ["Press visit at 3 pm"] * 3
        assert (await client.delete("/alert")).status_code == 200
        assert banners() == []
        bad = await client.post("/alert", json={"text": "x", "level": "panic"})
        assert bad.status_code == 422
        assert bad.json()["error"].startswith("body.level:")

    serve(run_async, wall, steps)


def test_blank_goes_black_and_back_across_switches_and_show_steps_wait_for_shows(
    run_async: RunAsync, wall: WallDisplay
) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        assert (await client.post("/blank")).json() == {"blank": True}
        [black] = wall.scene.overlays["blank"]
        assert black.zValue() > 1000
        assert black.boundingRect().width() >= wall.scene.sceneRect().width()
        await client.post("/layout", json={"layout": "two"})
        assert wall.scene.overlays["blank"]  # a switch while blank stays black
        assert (await client.post("/blank", json={"on": False})).json() == {"blank": False}
        assert "blank" not in wall.scene.overlays
        for step in ("next", "previous", "hold", "resume"):
            answer = await client.post(f"/{step}")
            assert (answer.status_code, answer.json()) == (409, {"error": f"{step}: no show running"})

    serve(run_async, wall, steps)


def test_reload_shows_the_file_or_keeps_the_wall(
    run_async: RunAsync, wall: WallDisplay, tmp_path: Path
) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        (tmp_path / "one.json").write_text('{"name": "One", "widgets": [')
        answer = await client.post("/reload")
        assert answer.status_code == 409
        assert "keeps the previous version" in answer.json()["error"]
        assert shows(wall, "one")

    serve(run_async, wall, steps)


def test_an_unsaved_version_shows_until_the_file_is_shown_again(
    run_async: RunAsync, wall: WallDisplay, tmp_path: Path
) -> None:
    """The editor's Apply and Revert: a layout's unsaved version goes on the wall, its file untouched,
    and a reload puts the file back; a broken version or an unknown layout leaves the wall as it was."""
    saved = (tmp_path / "one.json").read_bytes()
    unsaved = {"name": "One, edited", "widgets": [text("a", "First layout"), text("new", "Added", 2)]}

    def words(item_id: str) -> str | None:
        item = wall.scene.items_by_id.get(item_id)
        return item.spec.options.text if isinstance(item, TextItem) else None

    async def steps(client: httpx.AsyncClient) -> None:
        answer = await client.post("/layout/try", json={"layout": "one", "document": unsaved})
        assert (answer.status_code, answer.json()) == (200, {"layout": "one", "unsaved": True})
        assert shows(wall, "one")
        assert words("new") == "Added"
        status = (await client.get("/status")).json()
        assert (status["title"], status["unsaved"]) == ("One, edited", True)
        assert (tmp_path / "one.json").read_bytes() == saved

        broken = {"name": "One", "widgets": [text("a", "x"), {"id": "b", "kind": "kpi"}]}
        answer = await client.post("/layout/try", json={"layout": "one", "document": broken})
        assert answer.status_code == 409
        assert "widgets[1].place: required but missing" in answer.json()["error"]
        assert words("new") == "Added"
        answer = await client.post("/layout/try", json={"layout": "nine", "document": unsaved})
        assert answer.status_code == 404

        assert (await client.post("/reload")).status_code == 200
        assert words("new") is None
        assert words("a") == "First layout"
        assert (await client.get("/status")).json()["unsaved"] is False

    serve(run_async, wall, steps)


def test_wallapp_ctl_drives_the_same_wall(
    run_async: RunAsync,
    wall: WallDisplay,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logging.getLogger("wallapp"), "propagate", True)  # cli.main configures logging

    async def ctl(*args: str, url: str | None = None, token: str = TOKEN) -> tuple[int, str, str]:
        where = ["--url", url or str(wall.control_url), "--token", token]
        code = await asyncio.to_thread(cli.main, ["ctl", *where, *args])
        out, err = capsys.readouterr()
        return code, out.strip(), err.strip()

    async def steps(_: httpx.AsyncClient) -> None:
        assert await ctl("layout", "two") == (0, "showing two", "")
        assert shows(wall, "two")
        code, out, _err = await ctl("status")
        assert code == 0
        assert out.startswith("layout: two (Two, ")
        assert (await ctl("alert", "Queue above 50", "--level", "warning", "--ttl", "60"))[1].startswith(
            "alert raised (warning, until 2026-03-01T10:01:00"
        )
        code, out, _err = await ctl("status", "--json")
        assert code == 0
        assert '"text": "Queue above 50"' in out
        assert await ctl("alert", "--clear") == (0, "alert cleared", "")
        assert await ctl("blank") == (0, "the wall is black", "")
        assert await ctl("blank", "--off") == (0, "the wall shows again", "")
        assert await ctl("layout", "nope") == (
            1,
            "",
            "wallapp: unknown layout 'nope' (known: " + (", ".join(wall.layout_names())) + ")",
        )
        assert await ctl("next") == (1, "", "wallapp: next: no show running")
        code, _out, err = await ctl("status", token="wrong")  # the wall's own log line shares this stderr
        assert (code, err.splitlines()[-1]) == (1, f"wallapp: {wall.control_url}: wrong token")
        nobody = f"http://127.0.0.1:{free_port()}"
        assert await ctl("status", url=nobody) == (1, "", f"wallapp: no wall is listening on {nobody}")

    serve(run_async, wall, steps)


def test_an_open_address_without_a_token_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match=r"^control.listen: 0.0.0.0:8717 is not loopback and control.token"):
        control.address(("0.0.0.0", 8717), None)
    assert control.address(("127.0.0.1", 8717), None) is None  # loopback without a token: off
    assert control.address(("0.0.0.0", 8717), TOKEN) == ("0.0.0.0", 8717)
    monkeypatch.setattr(logging.getLogger("wallapp"), "propagate", True)
    monkeypatch.setenv("WALLAPP_CONTROL__LISTEN", "0.0.0.0:8717")
    assert cli.main(["run"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("wallapp: control.listen: 0.0.0.0:8717 is not loopback")
    assert "\n" not in err


def test_the_token_comes_from_a_named_secret_and_a_missing_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings(control={"token": "${secret:wall_token}"}, secrets={"wall_token": "abc"})
    assert settings.control_token() == "abc"
    monkeypatch.setenv("WALLAPP_CONTROL__TOKEN", "from-env")
    monkeypatch.setenv("WALLAPP_CONTROL__LISTEN", "off")
    settings = load_settings()
    assert (settings.control_token(), settings.control.address()) == ("from-env", None)
    with pytest.raises(ConfigError, match=r"control\.token: the secret nope is not set"):
        load_settings(control={"token": "${secret:nope}"})
    with pytest.raises(ConfigError, match=r"control\.listen: .* is not HOST:PORT"):
        load_settings(control={"listen": "8717"})


def test_ctl_status_names_a_screen_that_has_drawn_nothing() -> None:
    from wallapp.ctl import describe

    undrawn = ["screen [1, 0] (output DP-2)"]
    status: dict[str, Any] = {
        "layout": "hub",
        "title": "Hub",
        "file": "hub.json",
        "show": None,
        "screens": {"windows": 6, "preview": False, "reason": None, "undrawn": undrawn},
        "blank": False,
        "alert": None,
        "sources": {},
        "version": "0.1.0",
        "uptime_s": 12,
    }
    assert "NOT DRAWN: screen [1, 0] (output DP-2) has shown nothing since it opened" in describe(status)
    undrawn.clear()
    assert "NOT DRAWN" not in describe(status)


def test_the_api_takes_connections_as_soon_as_it_says_where(run_async: RunAsync, wall: WallDisplay) -> None:
    """A client may connect before the loop has started the server: it waits, it is not refused."""

    async def scenario() -> None:
        async with server.serving(wall.control, TOKEN, "127.0.0.1", 0) as url:
            assert url is not None
            port = int(url.rpartition(":")[2])
            with socket.create_connection(("127.0.0.1", port), timeout=5):  # the loop has not run since
                pass

    try:
        run_async(scenario())
    finally:
        wall.close()
