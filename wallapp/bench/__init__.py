"""``wallapp bench``: the wall measured the way the hub runs it, offscreen at full resolution.

- ``stats``: percentiles, frames from repaint timings, latencies, growth (pure, no Qt);
- ``frames``: the frame meter (each window's repaint timed, with the UI thread's CPU time);
- ``feed``: a local SSE server pushing realistic posts at an exact rate, in its own process;
- ``receipts``: an HTTP transport noting when each SSE event reaches the wall;
- ``wall``: the offscreen six-screen platform and the layout copy fed by the local stream;
- ``scenarios``: steady state, full repaint, ingest ramp, switching, memory;
- ``startup``: process start to first complete frame, in a child process;
- ``runner``: runs every scenario; ``report``: the table, the targets and the JSON.
"""
