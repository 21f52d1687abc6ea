#!/usr/bin/env bash
# The OpenGL path against raster on a PC with a graphics card and no monitor: a headless X server (Xvfb)
# carved into the wall's six RandR monitors, as a card driving six panels shows them (see
# docs/performance.md, "The OpenGL path").
#
#   benchmarks/gpu_bench.sh OUTDIR [SECONDS]
#
# For the 1080p wall and then the 4K wall: the GL renderer Qt gets on that X server, then the hub for
# SECONDS (default 10) drawn by the raster engine (offscreen, the bench's default) and by OpenGL
# (WALLAPP_RENDERER=opengl, on the X server's monitors); then a show's cross-fades over OpenGL viewports
# (1080p). With PIXELS=1, last, tests/gl_probe.py: every shipped layout drawn by OpenGL against raster, as
# tests/test_gl.py checks it (OUTDIR/gl_probe.json).
#
# Writes OUTDIR/bench.log (everything, as it goes) and OUTDIR/<wall>-<renderer>.json. Needs Xvfb, xrandr,
# and wallapp importable by $PYTHON (default python3), run from the repository's root.
#
# On NVIDIA's driver set __GLX_VENDOR_LIBRARY_NAME=nvidia, so that GLX draws on the card rather than in
# Mesa on the CPU; the log says which renderer drew. Where that is a software renderer (llvmpipe,
# softpipe) the OpenGL runs are skipped, unless SOFTWARE_GL=1: they would measure the CPU again.
# Vertical sync is off (__GL_SYNC_TO_VBLANK=0, vblank_mode=0): Xvfb's stand-in for a refresh would hold
# each swap far longer than a panel does. Each step has its own time limit (LIMIT seconds, SECONDS x 4
# + 60 unless set), so a step that hangs costs only itself.
set -u
out=${1:?usage: benchmarks/gpu_bench.sh OUTDIR [SECONDS]}
seconds=${2:-10}
py=${PYTHON:-python3}
limit=${LIMIT:-$((seconds * 4 + 60))}
export __GL_SYNC_TO_VBLANK=0 vblank_mode=0 PYTHONUNBUFFERED=1
mkdir -p "$out"
log=$out/bench.log
servers=()
trap 'for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; done' EXIT

say() { echo "== $(date -u +%T) $*" | tee -a "$log"; }

# Xvfb of WIDTHxHEIGHT carved into a 3 x 2 grid of monitors named WALL-0..5; prints its display (:N).
xserver() {
    local width=$1 height=$2 fd display pid
    fd=$(mktemp)
    Xvfb -displayfd 3 -screen 0 "${width}x${height}x24" -nolisten tcp -noreset 3>"$fd" >>"$log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do [ -s "$fd" ] && break; sleep 0.1; done
    display=:$(head -n1 "$fd")
    rm -f "$fd"
    [ "$display" = ":" ] && { echo "Xvfb ${width}x${height} did not start" >>"$log"; return 1; }
    local w=$((width / 3)) h=$((height / 2)) index=0 row column
    for row in 0 1; do
        for column in 0 1 2; do
            local output=none
            [ $index = 0 ] && output=screen
            DISPLAY=$display xrandr --setmonitor "WALL-$index" "$w/527x$h/296+$((column * w))+$((row * h))" \
                "$output" >>"$log" 2>&1
            index=$((index + 1))
        done
    done
    DISPLAY=$display xrandr --listmonitors >>"$log" 2>&1
    echo "$display $pid"
}

# The GL context Qt makes on DISPLAY: renderer, vendor, version, and what renderer = "auto" picks.
renderer() {
    DISPLAY=$1 QT_QPA_PLATFORM=xcb timeout 60 "$py" - <<'EOF' 2>&1 | tee -a "$log"
import sys
from PySide6.QtGui import QOffscreenSurface, QOpenGLContext
from PySide6.QtWidgets import QApplication
from wallapp.qt.renderer import choose, surface_format
app = QApplication(sys.argv)
context = QOpenGLContext()
context.setFormat(surface_format())
if context.create():
    surface = QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    context.makeCurrent(surface)
    gl = context.functions()
    for name, code in (("vendor", 0x1F00), ("renderer", 0x1F01), ("version", 0x1F02)):
        print(f"GL {name}: {gl.glGetString(code)}")
    print(f"samples: {context.format().samples()}, swap interval: {context.format().swapInterval()}")
    context.doneCurrent()
else:
    print("no OpenGL context")
print(f"renderer = auto: {choose('auto').name} ({choose('auto').why})")
EOF
}

# bench WALL RENDERER SCENARIO [DISPLAY]: one bench run, its table in the log, its results in JSON.
bench() {
    local wall=$1 engine=$2 scenario=$3 display=${4:-} name=$1-$2
    [ "$scenario" = hub ] || name=$name-$scenario
    if [ "$engine" = opengl ] && [ -n "$software" ]; then
        say "$name: skipped, $software"
        return
    fi
    say "$name: hub layout, --only $scenario --seconds $seconds --wall $wall"
    if [ "$engine" = opengl ]; then
        env DISPLAY="$display" QT_QPA_PLATFORM=xcb WALLAPP_RENDERER=opengl timeout -k 10 "$limit" \
            "$py" -m wallapp bench hub --only "$scenario" --seconds "$seconds" --wall "$wall" \
            --json "$out/$name.json" >>"$log" 2>&1
    else
        env -u DISPLAY WALLAPP_RENDERER=raster timeout -k 10 "$limit" \
            "$py" -m wallapp bench hub --only "$scenario" --seconds "$seconds" --wall "$wall" \
            --json "$out/$name.json" >>"$log" 2>&1
    fi
    say "$name: exit $?"
}

say "gpu_bench: $seconds s a run, $(nproc) CPUs, GLX vendor: ${__GLX_VENDOR_LIBRARY_NAME:-default}"
read -r hd hd_pid < <(xserver 5760 2160) || exit 1
servers+=("$hd_pid")
say "1080p wall on $hd"
software=
case $(renderer "$hd") in
    *"software renderer"* | *"no OpenGL"*)
        [ "${SOFTWARE_GL:-0}" = 1 ] || software="OpenGL runs on the CPU here" ;;
esac
bench 1080p raster hub
bench 1080p opengl hub "$hd"

read -r uhd uhd_pid < <(xserver 11520 4320) || exit 1
servers+=("$uhd_pid")
say "4K wall on $uhd"
renderer "$uhd"
bench 4k raster hub
bench 4k opengl hub "$uhd"

bench 1080p opengl crossfade "$hd"
if [ "${PIXELS:-0}" = 1 ] && [ -z "$software" ]; then
    say "pixels: tests/gl_probe.py on $hd"
    DISPLAY=$hd QT_QPA_PLATFORM=xcb PYTHONPATH="$PWD/tests${PYTHONPATH:+:$PYTHONPATH}" timeout -k 10 300 \
        "$py" tests/gl_probe.py >"$out/gl_probe.json" 2>>"$log"
    say "pixels: exit $?"
fi
say "done"
