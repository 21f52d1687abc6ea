"""Moderating the posts on a running wall through the control API, over real HTTP on 127.0.0.1: hide,
block, approval mode, pin; every endpoint's 401, 403, 404 and 422; decisions kept across a restart."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import Clock, ctl_on, http_client, until, while_serving

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.core.data.records import Post
from wallapp.errors import ConfigError
from wallapp.qt.widgets.posts import PostWallItem, SpotlightItem

TOKEN = "operator-token"
READ = "watcher-token"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}
WATCHER = {"Authorization": f"Bearer {READ}"}
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]

LAYOUT = {
    "name": "Moderated",
    "sources": {"posts": {"kind": "demo", "feed": "posts", "seed": 3, "interval": 30}},
    "widgets": [
        {"id": "wall", "kind": "posts", "source": "posts", "place": {"screen": [0, 1], "span": [2, 1]}},
        {"id": "spot", "kind": "spotlight", "source": "posts", "place": {"screen": [2, 1]}},
    ],
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


def open_wall(tmp_path: Path, clock: Clock) -> WallDisplay:
    (tmp_path / "moderated.json").write_text(json.dumps(LAYOUT), encoding="utf-8")
    settings = load_settings(
        layouts_dirs=[tmp_path],
        layout="moderated",
        control={"listen": "127.0.0.1:0", "token": TOKEN, "read_token": READ},
        state_dir=tmp_path / "state",
    )
    display = WallDisplay(settings, now=clock)
    display.show()
    return display


@pytest.fixture
def wall(tmp_path: Path, clock: Clock) -> WallDisplay:
    return open_wall(tmp_path, clock)


def serve(
    run_async: RunAsync, wall: WallDisplay, steps: Callable[[httpx.AsyncClient], Coroutine[Any, Any, None]]
) -> None:
    async def scenario() -> None:
        await until(lambda: wall.control_url is not None, "the control API")
        await until(lambda: len(wall.posts(50).get("posts", [])) >= 8, "the demo's posts")
        async with http_client() as client:
            client.base_url = httpx.URL(str(wall.control_url))
            client.timeout = httpx.Timeout(30)
            client.headers.update(OPERATOR)
            await steps(client)

    while_serving(run_async, wall, scenario)


def item(wall: WallDisplay, widget: str) -> Any:
    return wall.scene.items_by_id[widget]


def on_the_wall(wall: WallDisplay) -> set[str]:
    """The ids of the posts the post wall shows now."""
    posts = item(wall, "wall")
    assert isinstance(posts, PostWallItem)
    return {post.id for post in posts.posts}


async def listed(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get("/posts?count=50")
    assert answer.status_code == 200
    [source] = answer.json()["sources"]
    assert source["name"] == "posts"
    return dict(source)


def test_a_hidden_post_leaves_the_wall_at_once_never_comes_back_and_stays_hidden_after_a_restart(
    run_async: RunAsync, wall: WallDisplay, tmp_path: Path, clock: Clock
) -> None:
    hidden: list[str] = []

    async def steps(client: httpx.AsyncClient) -> None:
        await until(lambda: on_the_wall(wall), "posts on the wall")
        target = sorted(on_the_wall(wall))[0]
        before = await listed(client)
        assert {p["verdict"] for p in before["posts"]} == {"shown"}
        assert target in {p["id"] for p in before["posts"]}
        answer = await client.post("/posts/hide", json={"source": "posts", "id": target})
        assert (answer.status_code, answer.json()) == (200, {"source": "posts", "id": target})
        await until(lambda: target not in on_the_wall(wall), "the hidden post to leave the wall")
        assert on_the_wall(wall)  # the others stay
        # The source sends it again: still hidden.
        store = wall.feeds.stores()["posts"]
        again = store.get(target)
        assert isinstance(again, Post)
        store.update([again.model_copy(update={"text": "Sent again"})], as_of=clock())
        assert target not in {r.id for r in store.records()}
        after = {p["id"]: p["verdict"] for p in (await listed(client))["posts"]}
        assert after[target] == "hidden"
        log = (await client.get("/log")).json()["entries"]
        assert log[-1]["what"] == f"hide post posts/{target}"
        hidden.append(target)

    serve(run_async, wall, steps)  # and the wall closes
    restarted = open_wall(tmp_path, clock)
    assert hidden[0] not in {r.id for r in restarted.feeds.stores()["posts"].records()}
    assert restarted.control.decisions.current.hidden == {"posts": hidden}
    restarted.close()


def test_blocking_an_author_or_a_term_takes_their_posts_off_every_widget(
    run_async: RunAsync, wall: WallDisplay
) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        posts = wall.posts(50)["posts"]
        author = posts[0].handle
        answer = await client.post("/block", json={"author": f"@{author}"})
        assert answer.status_code == 200
        assert answer.json()["blocked_authors"] == [f"@{author}"]
        store = wall.feeds.stores()["posts"]
        assert all(isinstance(r, Post) and r.handle != author for r in store.records())
        listing = await client.get("/posts")
        assert listing.json()["blocked_authors"] == [f"@{author}"]
        verdicts = {p["handle"]: p["verdict"] for p in listing.json()["sources"][0]["posts"]}
        assert verdicts[author] == "blocked"
        # A term, written as people type it (text is text: no markup reaches the page or the wall).
        word = next(w for w in posts[1].text.split() if len(w) > 4 and w.isalpha())
        assert (await client.post("/block", json={"term": word.upper()})).status_code == 200
        assert all(
            word.casefold() not in r.text.casefold().split() for r in store.records() if isinstance(r, Post)
        )
        assert (await client.request("DELETE", "/block", json={"term": word.upper()})).status_code == 200
        missing = await client.request("DELETE", "/block", json={"term": "never-blocked"})
        assert (missing.status_code, missing.json()) == (404, {"error": "term never-blocked is not blocked"})
        log = [(e["what"], e["result"]) for e in (await client.get("/log")).json()["entries"]]
        assert log[-4:] == [
            (f"block author @{author}", "ok"),
            (f"block term {word.upper()}", "ok"),
            (f"unblock term {word.upper()}", "ok"),
            ("unblock term never-blocked", "term never-blocked is not blocked"),
        ]

    serve(run_async, wall, steps)


def test_in_approval_mode_only_approved_posts_reach_the_wall_and_a_pinned_post_holds_the_spotlight(
    run_async: RunAsync, wall: WallDisplay
) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        await until(lambda: on_the_wall(wall), "posts on the wall")
        answer = await client.post("/approval", json={"source": "posts", "on": True})
        assert (answer.status_code, answer.json()) == (200, {"source": "posts", "approval": True})
        await until(lambda: not on_the_wall(wall), "the wall to hold back every unapproved post")
        listing = await listed(client)
        assert listing["approval"] is True
        assert {p["verdict"] for p in listing["posts"]} == {"waiting"}
        chosen = listing["posts"][2]["id"]
        assert (
            await client.post("/posts/approve", json={"source": "posts", "id": chosen})
        ).status_code == 200
        await until(lambda: on_the_wall(wall) == {chosen}, "the approved post, alone")
        # New posts wait too.
        store = wall.feeds.stores()["posts"]
        store.update([Post(id="new-one", text="Just arrived", handle="newcomer")], as_of=wall.control.now())
        assert "new-one" not in {r.id for r in store.records()}
        # Pin: the spotlight shows that post alone; unpinned, it takes turns again.
        assert (await client.post("/approval", json={"source": "posts", "on": False})).status_code == 200
        pinned = listing["posts"][5]["id"]
        assert (await client.post("/posts/pin", json={"source": "posts", "id": pinned})).status_code == 200
        spot = item(wall, "spot")
        assert isinstance(spot, SpotlightItem)
        assert [p.id for p in spot.candidates] == [pinned]
        assert next(p for p in (await listed(client))["posts"] if p["id"] == pinned)["pinned"] is True
        assert (await client.delete("/posts/pin")).status_code == 200
        assert len(spot.candidates) > 1

    serve(run_async, wall, steps)


def test_every_moderation_endpoint_says_401_403_404_and_422(run_async: RunAsync, wall: WallDisplay) -> None:
    async def steps(client: httpx.AsyncClient) -> None:
        some = wall.posts(1)["posts"][0].id
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("POST", "/posts/hide", {"source": "posts", "id": some}),
            ("POST", "/posts/approve", {"source": "posts", "id": some}),
            ("POST", "/posts/pin", {"source": "posts", "id": some}),
            ("DELETE", "/posts/pin", None),
            ("POST", "/block", {"term": "x"}),
            ("DELETE", "/block", {"term": "x"}),
            ("POST", "/approval", {"source": "posts", "on": True}),
        ]
        for method, path, body in [*calls, ("GET", "/posts", None)]:
            for headers in ({"Authorization": "Bearer wrong"}, {"Authorization": ""}):
                answer = await client.request(method, path, json=body, headers=headers)
                assert answer.status_code == 401, (method, path)
        for method, path, body in calls:
            answer = await client.request(method, path, json=body, headers=WATCHER)
            assert answer.status_code == 403, (method, path)
        assert (await client.get("/posts", headers=WATCHER)).status_code == 200
        assert wall.control.decisions.current.quiet()  # nothing the watcher asked was done
        for path in ("/posts/hide", "/posts/approve", "/posts/pin"):
            gone = await client.post(path, json={"source": "posts", "id": "no-such-post"})
            assert (gone.status_code, gone.json()) == (
                404,
                {"error": "source 'posts' has no post 'no-such-post' (any more)"},
            )
            nowhere = await client.post(path, json={"source": "nope", "id": some})
            assert nowhere.status_code == 404
            assert nowhere.json()["error"] == "no post source 'nope' on the wall (post sources: posts)"
            bad = await client.post(path, json={"source": "posts"})
            assert (bad.status_code, bad.json()["error"]) == (422, "body.id: required but missing")
        assert (await client.post("/approval", json={"source": "nope", "on": True})).status_code == 404
        missing = await client.post("/approval", json={"source": "posts"})
        assert missing.json()["error"] == "body.on: required but missing"
        for body in ({}, {"author": "a", "term": "b"}):
            answer = await client.post("/block", json=body)
            assert answer.status_code == 422
            assert "give an author or a term" in answer.json()["error"]
        assert (await client.get("/posts?count=0")).status_code == 422
        assert wall.control.decisions.current.quiet()

    serve(run_async, wall, steps)


def test_a_broken_moderation_file_stops_the_start_in_one_line(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "moderation.json").write_text('{"approval": "posts"}')
    with pytest.raises(ConfigError) as raised:
        open_wall(tmp_path, clock)
    assert str(raised.value).startswith(f"{tmp_path / 'state' / 'moderation.json'}: approval: ")
    assert "\n" not in str(raised.value)


def test_wallapp_ctl_moderates_the_same_wall(
    run_async: RunAsync,
    wall: WallDisplay,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logging.getLogger("wallapp"), "propagate", True)

    ctl = ctl_on(lambda: wall.control_url, capsys, TOKEN)

    async def steps(_: httpx.AsyncClient) -> None:
        first = wall.posts(1)["posts"][0]
        code, out, _err = await ctl("posts", "--count", "3")
        assert code == 0
        assert out.splitlines()[0] == "posts"
        assert out.splitlines()[1].startswith(f"  {first.id}  [shown]  @{first.handle}: ")
        assert await ctl("hide", "posts", first.id) == (0, f"hidden: posts/{first.id}", "")
        assert wall.feeds.moderation.verdict("posts", first) == "hidden"
        assert await ctl("hide", "posts", "gone") == (
            1,
            "",
            "wallapp: source 'posts' has no post 'gone' (any more)",
        )
        assert await ctl("block", "--term", "spoiler") == (0, "blocked term spoiler", "")
        assert await ctl("unblock", "--term", "spoiler") == (0, "unblocked term spoiler", "")
        assert await ctl("approval", "posts", "on") == (0, "approval mode on for posts", "")
        assert (await ctl("posts"))[1].splitlines()[0] == "posts (approval mode)"
        code, _out, err = await ctl("approval", "posts", "off", token=READ)
        assert (code, err) == (1, "wallapp: this token can watch the wall but not change it")
        assert "posts" in wall.control.decisions.current.approval

    serve(run_async, wall, steps)
