"""``wallapp ctl``: the control API of a running wall from a terminal or a script.

Every call is one HTTP request; what goes wrong is one line (no wall listening, wrong token, the wall's
own reason), and the exit status says whether it worked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from wallapp.core.config.settings import Settings
from wallapp.errors import ControlError


def default_url(settings: Settings) -> str:
    """The API of the wall these settings run (a wall listening on every address is reached locally)."""
    where = settings.control.address()
    if where is None:
        raise ControlError("control.listen is off in the settings: give --url")
    host, port = where
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def call(url: str, token: str | None, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The wall's answer to one call, as JSON; ``ControlError`` with one line when it cannot be had."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=10, trust_env=False) as client:
            response = client.request(method, path, json=body)
    except httpx.ConnectError:
        raise ControlError(f"no wall is listening on {url}") from None
    except httpx.HTTPError as exc:
        raise ControlError(f"{url}: {type(exc).__name__}: {exc}") from None
    if response.status_code == 401:
        raise ControlError(f"{url}: wrong token" if token else f"{url}: no token (control.token or --token)")
    try:
        answer = response.json()
    except ValueError:
        raise ControlError(f"{url}{path}: HTTP {response.status_code}, not a control API") from None
    if response.is_error:
        raise ControlError(str(answer.get("error") if isinstance(answer, dict) else answer))
    return answer


def describe(status: dict[str, Any]) -> str:
    """The status for a person: what is shown, then each source."""
    screens = status["screens"]
    lines = [
        f"layout: {status['layout']} ({status['title']}, {status['file']})"
        + (": an unsaved version, not the file" if status.get("unsaved") else ""),
        f"show: {_playing(status)}",
        "screens: "
        + (
            f"preview window ({screens['reason']})" if screens["preview"] else f"{screens['windows']} windows"
        ),
    ]
    if schedule := status.get("schedule"):
        lines.insert(2, f"schedule: {_scheduled(schedule)}")
    if node := status.get("node"):
        lines.append(f"node: {_node(node)}")
        if clock := node.get("time"):
            lines.append(f"time base: {_time_base(clock)}")
        if switched := node.get("switched"):
            lines.append(f"last switch: {_switched(switched)}")
        lines += [f"wall node {_wall_node(each)}" for each in node.get("wall") or []]
    for where in screens.get("undrawn", []):
        lines.append(f"NOT DRAWN: {where} has shown nothing since it opened")
    if status["blank"]:
        lines.append("blank: the wall is black")
    if alert := status["alert"]:
        until = f" until {alert['until']}" if alert["until"] else ""
        lines.append(f"alert: {alert['level']}: {alert['text']}{until}")
    for name, source in status["sources"].items():
        age = f", data {source['age_s']:g} s old" if source["age_s"] is not None else ""
        error = f", last error: {source['last_error']}" if source["last_error"] else ""
        lines.append(f"source {name}: {source['state']}{age}{error}")
    lines.append(f"wallapp {status['version']}, up {status['uptime_s']:g} s")
    return "\n".join(lines)


def _node(node: dict[str, Any]) -> str:
    """This node's part in a wall of several PCs: "b, follows a (online: a, b), broker mqtt://h:1883"."""
    role = node["role"]
    part = {"leader": "leads", "follower": f"follows {node['leader']}"}.get(role, role)
    online = ", ".join(node["online"]) or "none"
    broker = node["broker"] if node["connected"] else f"{node['broker']} unreachable: {node['error']}"
    return f"{node['name']}, {part} (online: {online}), broker {broker}"


def _time_base(clock: dict[str, Any]) -> str:
    """The node's shared time: "a's, +1.2 ms from this PC's clock (round trip 0.4 ms, 8 samples)"."""
    said = f"{clock['leader']}'s" if clock["leader"] else "this PC's own"
    said += f", {clock['offset_ms']:+.1f} ms from this PC's clock"
    if clock["delay_ms"] is not None:
        said += (
            f" (round trip {clock['delay_ms']:g} ms, {clock['samples']} samples, {clock['age_s']:g} s ago)"
        )
    return said


def _wall_node(each: dict[str, Any]) -> str:
    """A node of the wall as it last reported: "b: follower, layout hub, time +0.3 ms, switch +1.2 ms"."""
    screens = f"screens {' '.join(each['screens'])}" if each.get("screens") else ""
    if not each["online"]:
        return f"{each['node']}: offline" + (f" ({screens})" if screens else "")
    if "role" not in each:
        return f"{each['node']}: online, not reported yet"
    said = [each["role"], each.get("showing") or "", f"time {each['offset_ms']:+.1f} ms"]
    if each.get("late_ms") is not None:
        said.append(f"last switch {each['late_ms']:+.1f} ms")
    said += [screens, "PREVIEW WINDOW" if each.get("preview") else ""]
    if each.get("undrawn"):
        said.append(f"NOT DRAWN: {', '.join(each['undrawn'])}")
    if (age := each.get("reported_s_ago")) is not None:
        said.append(f"{age:g} s ago")
    return f"{each['node']}: " + ", ".join(part for part in said if part)


def _switched(switched: dict[str, Any]) -> str:
    """The last change of what the wall shows: "layout hub asked by b, shown 0.4 ms after its instant"."""
    what = " ".join(str(part) for part in (switched["kind"], switched["name"]) if part)
    return f"{what} asked by {switched['by']}, shown {switched['late_ms']:+.1f} ms from its instant"


def _scheduled(schedule: dict[str, Any]) -> str:
    """The window in force: "lobby, windows[0] (show lobby) until 2026-12-02T19:00:00+01:00, overridden"."""
    where = "otherwise" if schedule["window"] is None else f"windows[{schedule['window']}]"
    what = "screens off" if schedule["kind"] == "off" else f"{schedule['kind']} {schedule['showing']}"
    until = f" until {schedule['until']}" if schedule["until"] else ""
    state = (
        ", overridden by hand until then"
        if schedule["overridden"]
        else ", cannot be shown (see the log)"
        if schedule["failed"]
        else ""
    )
    return f"{schedule['name']}, {where} ({what}){until}{state}"


def _playing(status: dict[str, Any]) -> str:
    """The show and where it is: "visitor-demo, scene 2 of 6 (What people say), 42 s left"."""
    scene = status.get("scene")
    if not status["show"] or not scene:
        return "none"
    left = status.get("time_left_s")
    state = (
        "held"
        if scene["held"]
        else "ended"
        if scene["ended"]
        else f"{left:g} s left"
        if left is not None
        else "waits for next"
    )
    return f"{status['show']}, scene {scene['number']} of {scene['of']} ({scene['title']}), {state}"


def run(action: str, url: str, token: str | None, options: Mapping[str, Any]) -> str:
    """Do ``action`` (a ``wallapp ctl`` subcommand) and say what the wall answered (on a wall of several
    PCs, and which nodes applied a change: "alert raised (warning) on a, b; c: not reached")."""
    changes: list[Any] = []

    def asked(url: str, token: str | None, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = call(url, token, method, path, body)
        if method != "GET":
            changes.append(answer)
        return answer

    said = _run(action, url, token, options, asked)
    return said + "".join(_reached(answer["nodes"]) for answer in changes if "nodes" in answer)


def _reached(nodes: dict[str, str]) -> str:
    applied = [name for name, did in nodes.items() if did == "applied"]
    others = [f"{name}: {did}" for name, did in nodes.items() if did != "applied"]
    return f" on {', '.join(applied) or 'no node'}" + "".join(f"; {other}" for other in others)


def _run(
    action: str, url: str, token: str | None, options: Mapping[str, Any], call: Callable[..., Any]
) -> str:
    if action == "status":
        status = call(url, token, "GET", "/status")
        return json.dumps(status, indent=2, ensure_ascii=False) if options.get("json") else describe(status)
    if action == "layouts":
        known = call(url, token, "GET", "/layouts")
        return f"layouts: {', '.join(known['layouts'])}\nshows: {', '.join(known['shows']) or 'none'}"
    if action == "layout":
        return f"showing {call(url, token, 'POST', '/layout', {'layout': options['name']})['layout']}"
    if action == "show":
        return f"playing {call(url, token, 'POST', '/show', {'name': options['name']})['show']}"
    if action == "reload":
        call(url, token, "POST", "/reload")
        return "reloaded"
    if action == "alert":
        if options.get("clear"):
            call(url, token, "DELETE", "/alert")
            return "alert cleared"
        if not options.get("text"):
            raise ControlError("alert: give the text, or --clear")
        body = {"text": options["text"], "level": options["level"], "ttl": options.get("ttl")}
        alert = call(url, token, "POST", "/alert", body)["alert"]
        return f"alert raised ({alert['level']}" + (f", until {alert['until']})" if alert["until"] else ")")
    if action == "blank":
        blank = call(url, token, "POST", "/blank", {"on": options.get("on")})["blank"]
        return "the wall is black" if blank else "the wall shows again"
    if action == "posts":
        count = max(1, min(200, options.get("count", 10)))
        return _posts(call(url, token, "GET", f"/posts?count={count}"))
    if action in ("hide", "approve", "pin"):
        call(url, token, "POST", f"/posts/{action}", {"source": options["source"], "id": options["id"]})
        done = {"hide": "hidden", "approve": "approved", "pin": "pinned"}[action]
        return f"{done}: {options['source']}/{options['id']}"
    if action == "unpin":
        call(url, token, "DELETE", "/posts/pin")
        return "unpinned"
    if action in ("block", "unblock"):
        body = {"author": options["author"]} if options.get("author") else {"term": options["term"]}
        call(url, token, "DELETE" if action == "unblock" else "POST", "/block", body)
        kind, value = next(iter(body.items()))
        return f"{action}ed {kind} {value}"
    if action == "approval":
        on = options["state"] == "on"
        call(url, token, "POST", "/approval", {"source": options["source"], "on": on})
        return f"approval mode {options['state']} for {options['source']}"
    if action == "log":
        entries = call(url, token, "GET", f"/log?count={max(1, min(200, options.get('count', 20)))}")
        return "\n".join(_entry(entry) for entry in entries["entries"]) or "no change asked yet"
    call(url, token, "POST", f"/{action}")  # next, previous, hold, resume
    return action


def _entry(entry: dict[str, str]) -> str:
    """One audit entry: "2026-03-01T10:00:00+00:00  operator@127.0.0.1  layout two" (and why not, if not)."""
    result = "" if entry["result"] == "ok" else f"  ({entry['result']})"
    return f"{entry['at']}  {entry['who']}  {entry['what']}{result}"


def _posts(answer: dict[str, Any]) -> str:
    """Each post source, then its latest posts: id, verdict, author, text on one line."""
    lines = []
    for source in answer["sources"]:
        lines.append(f"{source['name']}" + (" (approval mode)" if source["approval"] else ""))
        for post in source["posts"]:
            pinned = ", pinned" if post["pinned"] else ""
            text = " ".join(post["text"].split())
            lines.append(f"  {post['id']}  [{post['verdict']}{pinned}]  @{post['handle']}: {text[:80]}")
    if answer["blocked_authors"] or answer["blocked_terms"]:
        lines.append("blocked: " + ", ".join([*answer["blocked_authors"], *answer["blocked_terms"]]))
    return "\n".join(lines) or "no post source on the wall"
