"""The ``wallapp`` command: run, edit, snapshot, probe, validate, screens, ctl, schema.

Errors the user can act on are printed as one clear message; anything unexpected is one line pointing to
the log file that holds the details. Never a traceback on the console.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, TypeVar

from wallapp import __version__, logs
from wallapp.core.config.jsondoc import read_json
from wallapp.core.config.layout import layout_json_schema, load_layout
from wallapp.core.config.schedule import load_schedule, schedule_json_schema
from wallapp.core.config.settings import Settings, load_settings
from wallapp.core.config.show import load_show, show_json_schema
from wallapp.core.config.theme import load_theme, theme_json_schema
from wallapp.core.view.notices import plain_cause
from wallapp.errors import DocumentError, LayoutError, WallError

log = logging.getLogger("wallapp")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70

T = TypeVar("T")


def _add_fault_soak(bench: argparse.ArgumentParser) -> None:
    """``wallapp bench --faults``: the options of the fault soak."""
    faults = bench.add_argument_group(
        "fault soak",
        "--faults --soak N: instead of the scenarios, N seconds of a wall of 30 sources (six each of HTTP, "
        "SSE, WebSocket, file and demo) read from servers the bench starts on 127.0.0.1, two of which go "
        "down and up again and again, posts at 10/s, a layout switch every minute; the wall runs in a child "
        "process, so a crash is counted (see docs/reliability.md)",
    )
    faults.add_argument("--faults", action="store_true", help="run the fault soak (needs --soak N)")
    faults.add_argument(
        "--switch-every", type=float, default=60.0, metavar="S", help="seconds between switches (default 60)"
    )
    faults.add_argument(
        "--flap-up",
        type=float,
        default=100.0,
        metavar="S",
        help="seconds a flapping server is up (default 100)",
    )
    faults.add_argument(
        "--flap-down", type=float, default=20.0, metavar="S", help="seconds it is down (default 20)"
    )
    faults.add_argument(
        "--sample-every",
        type=float,
        default=900.0,
        metavar="S",
        help="seconds between samples: memory, every widget checked for blank (default 900)",
    )
    faults.add_argument(
        "--pictures", type=Path, metavar="DIR", help="save each sample's rendered canvas as a PNG in DIR"
    )


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, metavar="FILE", help="settings file (default: ./wallapp.toml, then the user's)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="say more on the console")

    parser = argparse.ArgumentParser(
        prog="wallapp",
        description="Drive a video wall: several screens as one canvas, laid out by JSON layouts.",
    )
    parser.add_argument("--version", action="version", version=f"wallapp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        parents=[common],
        help="show a layout on the wall",
        description=(
            "Show a layout full screen, one window per physical screen; with fewer screens than the wall, "
            "or --window, the whole canvas scaled in one window. Quit with Ctrl+Q or Ctrl+C."
        ),
    )
    run.add_argument(
        "layout", nargs="?", help="layout name (e.g. hub) or JSON file; default from settings: hub"
    )
    run.add_argument("--theme", help="theme name or JSON file, instead of the layout's")
    _add_node(run)
    run.add_argument(
        "--show", help="play a show (name, e.g. visitor-demo, or JSON file): its scenes in turn, cut"
    )
    run.add_argument(
        "--schedule",
        help="follow a schedule (name, e.g. lobby, or JSON file): what it says, changing at each window's "
        "edge; default from settings (schedule) when no layout or show is given",
    )
    run.add_argument(
        "--window", action="store_true", default=None, help="show the whole canvas in one preview window"
    )
    run.add_argument(
        "--presenter",
        action="store_true",
        default=None,
        help="the host's window on a screen the wall does not use: now, next, time left, the controls",
    )
    run.add_argument(
        "--kiosk",
        action="store_true",
        help="full screen, cursor hidden, keys ignored but the exit chord (kiosk_exit: Ctrl+Alt+Shift+Q)",
    )

    edit = commands.add_parser(
        "edit",
        parents=[common],
        help="arrange a layout by hand in the layout editor, and save it back to its file",
        description="Open a layout in the editor's window (on this monitor, not the wall): the wall to "
        "scale with live data, drag and resize widgets, edit their properties, undo, save. Saving changes "
        "only the lines of what changed, and never writes an invalid layout. Without LAYOUT, a new one.",
    )
    edit.add_argument("layout", nargs="?", help="layout name (e.g. hub) or JSON file; default: a new layout")

    snap = commands.add_parser(
        "snapshot",
        parents=[common],
        help="render a layout to a PNG, no display needed",
        description="Render the whole canvas offscreen, mullions shown as black gaps.",
    )
    snap.add_argument("layout", help="layout name or JSON file")
    snap.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.png", help="image to write")
    snap.add_argument(
        "--scale", type=_scale, default=1.0, metavar="S", help="size factor, e.g. 0.25 (default 1)"
    )
    snap.add_argument("--theme", help="theme name or JSON file, instead of the layout's")
    snap.add_argument(
        "--live",
        type=_seconds,
        metavar="SECONDS",
        help="run the layout's sources first, until each has brought data or failed (SECONDS at most), "
        "and draw what they gave",
    )

    probe = commands.add_parser(
        "probe",
        parents=[common],
        help="fetch each source once and print the records it yields",
        description="Fetch each source of a layout (or only SOURCE) once, as the wall would, map and filter "
        "what it sends, and print the records as JSON lines; a failing source is one line on stderr: what "
        "the wall would show, then the cause. Streams give their first message. Exit 1 if any source "
        "gave no answer.",
    )
    probe.add_argument("layout", help="layout name or JSON file")
    probe.add_argument("source", nargs="?", help="only this source of the layout")
    probe.add_argument(
        "--timeout",
        type=_seconds,
        default=5.0,
        metavar="S",
        help="how long to wait for a stream's first message (default 5)",
    )
    probe.add_argument("--limit", type=_count, metavar="N", help="print at most N records per source")

    validate = commands.add_parser(
        "validate",
        parents=[common],
        help="check layouts, themes, shows and schedules",
        description="List every problem with its JSON path; exit 1 if any file is invalid. "
        "Without FILE, checks every layout, theme, show and schedule found (shipped and in the settings' "
        "folders).",
    )
    validate.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="layout, theme, show or schedule JSON files"
    )

    _add_node(
        commands.add_parser(
            "screens",
            parents=[common],
            help="list the screens and how the wall maps onto them",
            description="The detected physical screens and which screen of the wall each shows; on a wall "
            "of several PCs, which node drives which screen, and this node's part.",
        )
    )

    server = commands.add_parser(
        "demo-server",
        parents=[common],
        help="serve the demo feed over HTTP, SSE and WebSocket on 127.0.0.1",
        description="The built-in social-hub simulator behind real endpoints, to see what a backend looks "
        "like and to run the layouts' http/sse/websocket variants. Stop with Ctrl+C.",
    )
    server.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    server.add_argument("--seed", type=int, default=0, help="same seed, same feed (default 0)")

    bench = commands.add_parser(
        "bench",
        parents=[common],
        help="measure frame cost, latency, ingest, switching, start-up and memory, offscreen",
        description="Run a layout offscreen at the wall's full resolution, fed by a local SSE stream, "
        "and measure it (see docs/performance.md). No display needed.",
    )
    bench.add_argument("layout", nargs="?", help="layout name or JSON file; default from settings: hub")
    bench.add_argument(
        "--seconds", type=float, default=20.0, metavar="N", help="length of each steady scenario (default 20)"
    )
    bench.add_argument(
        "--switches", type=int, default=100, metavar="K", help="layout switches to time (default 100)"
    )
    bench.add_argument(
        "--ramp",
        default="250,500,1000,2000,4000,8000",
        metavar="R,R,...",
        help="posts/s tried for ingest, in turn (default 250,500,1000,2000,4000,8000)",
    )
    bench.add_argument(
        "--soak",
        type=float,
        default=0.0,
        metavar="N",
        help="also leave the wall running N seconds at 10 posts/s and measure its memory growth "
        "(an hour, 3600, tells a plateau from a leak)",
    )
    bench.add_argument(
        "--only",
        metavar="S,S,...",
        help="run only these scenarios: startup, nodes, hub, soak, ingest, lobby, switching, crossfade, "
        "control, editor (nodes: three wallapp processes sharing a wall over Mosquitto, where installed)",
    )
    bench.add_argument(
        "--wall",
        metavar="4k|1080p|FILE",
        help="the wall to measure: the installed grid of 4K (3840x2160) or 1080p panels, or the [wall] "
        "table of a settings file (default: the installed wall)",
    )
    bench.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    _add_fault_soak(bench)

    _add_ctl(commands, common)

    schema = commands.add_parser(
        "schema",
        parents=[common],
        help="print the layout (theme, show, schedule) JSON Schema",
        description="The JSON Schema of layouts, themes, shows or schedules, for editors ($schema).",
    )
    schema.add_argument("document", nargs="?", choices=sorted(_SCHEMAS), default="layout")
    schema.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of printing")
    return parser


def _add_node(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--node",
        metavar="NAME",
        help="on a wall of several PCs, which node this is (settings [[nodes]]); default: the host name",
    )


def _add_ctl(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``wallapp ctl ACTION``: one subcommand per endpoint of the control API."""
    ctl = commands.add_parser(
        "ctl",
        parents=[common],
        help="control the running wall: status, switch layout, alert, blank...",
        description="Call the control API of a running wall (control.listen and control.token in the "
        "settings, or --url and --token).",
    )
    ctl.add_argument("--url", help="the wall's API, e.g. http://wall.local:8717 (default: from settings)")
    ctl.add_argument(
        "--token", help="the bearer token (default: control.token, else control.read_token, from settings)"
    )
    actions = ctl.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="what the wall shows, its sources and screens")
    status.add_argument("--json", action="store_true", help="the API's JSON answer")
    actions.add_parser("layouts", help="the layouts the wall can show")
    actions.add_parser("layout", help="switch the wall to a layout").add_argument("name", help="layout name")
    actions.add_parser("show", help="play a show from its first scene").add_argument("name", help="show name")
    actions.add_parser("reload", help="show the layout as it is now on disk")
    alert = actions.add_parser("alert", help="raise (or --clear) an alert banner")
    alert.add_argument("text", nargs="?", help="the message")
    alert.add_argument("--level", choices=["info", "warning", "crisis"], default="warning")
    alert.add_argument("--ttl", type=float, metavar="SECONDS", help="clear by itself after SECONDS")
    alert.add_argument("--clear", action="store_true", help="clear the alert")
    blank = actions.add_parser("blank", help="black out the wall, or show it again (toggle)")
    blank.add_argument("--on", dest="on", action="store_true", default=None, help="black out")
    blank.add_argument("--off", dest="on", action="store_false", help="show again")
    for step in ("next", "previous", "hold", "resume"):
        actions.add_parser(step, help=f"{step} (in a show)")
    log = actions.add_parser("log", help="the latest changes asked of the wall: when, who, what")
    log.add_argument("--count", type=int, default=20, help="how many of the latest (at most 200)")
    posts = actions.add_parser("posts", help="the latest posts of each post source, and their moderation")
    posts.add_argument("--count", type=int, default=10, help="how many of each source's latest (at most 200)")
    for verb, what in (
        ("hide", "hide a post for good"),
        ("approve", "approve a waiting post"),
        ("pin", "pin a post to the spotlight"),
    ):
        moderated = actions.add_parser(verb, help=what)
        moderated.add_argument("source", help="the post source's name")
        moderated.add_argument("id", help="the post's id (see wallapp ctl posts)")
    actions.add_parser("unpin", help="the spotlights take turns again")
    for verb in ("block", "unblock"):
        blocking = actions.add_parser(verb, help=f"{verb} an author or a term on every source")
        chosen = blocking.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--author", help="a handle, with or without @")
        chosen.add_argument("--term", help="a word or phrase")
    approval = actions.add_parser("approval", help="turn a post source's approval mode on or off")
    approval.add_argument("source", help="the post source's name")
    approval.add_argument("state", choices=["on", "off"])


def _argument(
    convert: Callable[[str], T], what: str, fits: Callable[[T], bool], bounds: str
) -> Callable[[str], T]:
    """An option's type: text made into ``what`` by ``convert``, refused unless it ``fits``."""

    def parse(text: str) -> T:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not fits(value):
            raise argparse.ArgumentTypeError(bounds)
        return value

    return parse


_scale = _argument(float, "a number", lambda v: 0.05 <= v <= 4, "scale must be between 0.05 and 4")
_seconds = _argument(float, "a number of seconds", lambda v: 0 < v <= 3600, "must be over 0 and at most 3600")
_count = _argument(int, "a whole number", lambda v: v >= 1, "must be at least 1")


def _probe(settings: Settings, layout: str, source: str | None, timeout: float, limit: int | None) -> int:
    from wallapp import app

    loaded = app.open_layout(settings, layout).loaded
    known = loaded.layout.sources
    if source is not None and source not in known:
        names = ", ".join(known) or "none"
        print(f"wallapp: {loaded.path} has no source {source!r} (its sources: {names})", file=sys.stderr)
        return EXIT_USAGE
    failed = False
    for probed in app.probe_sources(settings, loaded, None if source is None else [source], timeout):
        if probed.error is not None:
            failed = True
            plain = plain_cause(probed.error)  # what the wall shows, then what the log says
            said = plain if plain.lower() == probed.error.lower() else f"{plain} — {probed.error}"
        else:
            for record in probed.records[:limit]:
                line = {"source": probed.name, **record.model_dump(mode="json")}
                print(json.dumps(line, ensure_ascii=False))
            count = len(probed.records)
            said = f"{count} record{'s' * (count != 1)}" if count else "no records (an empty result)"
        print(f"wallapp: source {probed.name!r} ({probed.target}): {said}", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


_SCHEMAS = {
    "layout": layout_json_schema,
    "theme": theme_json_schema,
    "show": show_json_schema,
    "schedule": schedule_json_schema,
}


def _validate(settings: Settings, files: list[Path]) -> int:
    if not files:
        catalogs = (settings.layouts(), settings.themes(), settings.shows(), settings.schedules())
        files = [catalog.path(name) for catalog in catalogs for name in catalog.names()]
    failed = 0
    for path in files:
        if path.name.endswith(".schema.json"):
            print(f"{path}: a JSON Schema, not a document: skipped")
            continue
        try:
            data: Any = read_json(path, LayoutError)
            keys = data.keys() if isinstance(data, dict) else set()
            if "palette" in keys:
                load_theme(path)
            elif "scenes" in keys:
                load_show(path, settings.wall, settings.layouts(), settings.themes())
            elif "windows" in keys or "otherwise" in keys:
                load_schedule(path, settings.shows(), settings.layouts())
            else:
                load_layout(path, settings.wall, settings.themes())
        except DocumentError as exc:
            failed += 1
            print(exc, file=sys.stderr)
        else:
            print(f"{path}: ok")
    return EXIT_ERROR if failed else EXIT_OK


def _screens(settings: Settings) -> int:
    from wallapp.core.config.outputs import plan
    from wallapp.core.view.geometry import Wall
    from wallapp.qt import screens
    from wallapp.qt.application import application

    node = settings.this_node()
    application()
    wall = Wall(settings.wall)
    detected = list(screens.detect())
    mullion_x, mullion_y = wall.mullion
    canvas = wall.canvas
    print(
        f"wall: {wall.columns}x{wall.rows} screens of {wall.screen_size[0]}x{wall.screen_size[1]} px, "
        f"mullions {mullion_x}/{mullion_y} px, canvas {int(canvas.width)}x{int(canvas.height)} px"
    )
    if node is not None and settings.broker is not None:
        print(f"{len(settings.nodes)} nodes share the wall over the broker {settings.broker.describe()}:")
        for each in settings.nodes:
            driven = ", ".join(f"[{c}, {r}]" for c, r in each.screens)
            this = "  (this PC)" if each is node else ""
            print(f"  node {each.name}: screens {driven}{this}")
        print(f"this PC is node {node.name}; its part of the wall:")
    print(f"detected {len(detected)} screen(s):")
    for output in detected:
        print(f"  {output.name}: {output.width}x{output.height} at {output.x},{output.y}")
    result = plan(wall, detected, node=node)
    if result.preview:
        print(f"run would show a preview window: {result.preview_reason}")
    for placed in result.placements:
        r = placed.cell.rect
        print(
            f"  wall screen [{placed.cell.column}, {placed.cell.row}] (canvas {int(r.x)},{int(r.y)} "
            f"{int(r.width)}x{int(r.height)}) -> {placed.output.name}"
        )
    for surface in result.surfaces:
        print(f"spanned: {surface.describe()}")
        for tile in surface.tiles:
            r, t = tile.cell.rect, tile.rect
            print(
                f"  wall screen [{tile.cell.column}, {tile.cell.row}] (canvas {int(r.x)},{int(r.y)} "
                f"{int(r.width)}x{int(r.height)}) -> {surface.output.name} at {int(t.x)},{int(t.y)} "
                f"{int(t.width)}x{int(t.height)}"
            )
    return EXIT_OK


def _stopped(number: int, _frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + number)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "schema":
        schema = _SCHEMAS[args.document]()
        text = json.dumps(schema, indent=2) + "\n"
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_OK
    if args.command == "validate":
        return _validate(settings, args.files)
    if args.command == "screens":
        return _screens(settings)
    if args.command == "ctl":
        from wallapp import ctl

        url = args.url or ctl.default_url(settings)
        token = args.token or settings.control_token() or settings.control_token("read_token")
        print(ctl.run(args.action, url, token, vars(args)))
        return EXIT_OK
    if args.command == "probe":
        return _probe(settings, args.layout, args.source, args.timeout, args.limit)
    if args.command == "demo-server":
        from wallapp import demo_server

        print(f"demo backend on http://127.0.0.1:{args.port} (Ctrl+C to stop)", file=sys.stderr)
        demo_server.serve(port=args.port, seed=args.seed)
        return EXIT_OK

    from wallapp import app  # Qt is imported only by the commands that draw

    if args.command == "bench":
        # Stopped by Ctrl+C or SIGTERM (a timeout, kill), a bench still stops the servers and walls it
        # started: its cleanup runs, where dying at once would leave them running.
        signal.signal(signal.SIGINT, _stopped)
        signal.signal(signal.SIGTERM, _stopped)
    if args.command == "bench" and args.faults:
        from wallapp.bench import fault_soak

        schedule = fault_soak.Schedule(
            args.soak, args.switch_every, args.flap_up, args.flap_down, args.sample_every
        )
        fault_soak.present(fault_soak.run(settings, schedule, args.pictures), args.json)
        return EXIT_OK
    if args.command == "bench":
        from wallapp.bench import report, runner
        from wallapp.bench.wall import bench_wall

        settings = settings.model_copy(update={"wall": bench_wall(settings.wall, args.wall)})
        results = runner.run(
            settings, args.layout, args.seconds, args.switches, args.ramp, args.only, args.soak
        )
        report.present(results, args.json)
        return EXIT_OK
    if args.command == "edit":
        started = time.monotonic()
        from wallapp.editing import edit

        return edit(settings, args.layout, started)
    if args.command == "snapshot":
        image = app.render_snapshot(settings, args.layout, args.output, args.scale, args.theme, args.live)
        print(f"{args.output}: {image.width()}x{image.height()} px")
        return EXIT_OK
    return app.run(
        settings,
        args.layout,
        args.theme,
        kiosk=args.kiosk,
        show=args.show,
        schedule=args.schedule,
        presenter=settings.presenter,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    log_file = logs.configure(None, args.verbose)
    try:
        settings = load_settings(
            args.config,
            window=getattr(args, "window", None),
            presenter=getattr(args, "presenter", None),
            node=getattr(args, "node", None),
        )
        log_file = logs.configure(settings.log_dir, args.verbose)
        return _dispatch(args, settings)
    except WallError as exc:
        print(f"wallapp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: one line on the console, the traceback in the file
        where = f" (details in {log_file})" if log_file else ""
        log.error("internal error: %s: %s%s", type(exc).__name__, exc, where, exc_info=True)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
