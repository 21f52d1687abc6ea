"""The control API of the running wall: an HTTP server inside the wall's own event loop.

An operator in another room (``wallapp ctl``, a script) asks what the wall shows, switches it to another
layout, raises an alert banner, blanks it. Every call carries the installation's bearer token; without a
token the API does not start, and listening on anything but loopback without one is refused at start-up.

The API drives the wall through ``Wall`` (the composition root implements it with Qt): this module knows
no Qt. ``Controller`` serialises the changes: two clients switching at once never leave the wall
half-switched, a switch waits for the one in progress. A show is started by name; next, previous, hold
and resume move its playhead (409 "no show running" when none plays).

Two tokens: the operator's steers; the read token only watches (its changes: 403). Every change asked
is written to the audit log. The same server serves the operator console (``/``, ``wallapp.live.console``):
the wall's picture, layout thumbnails and a stream of events so that the page is told, never polls.

The server and its endpoints (``wallapp.live.control.server``, ``.endpoints``: starlette, uvicorn) are
imported by who serves the API, not here: most walls run without a token, and never need them.
"""

from wallapp.live.control.controller import Conflict, Controller, NotFound, Reach, ShownAlert, Wall
from wallapp.live.control.listening import address, loopback

__all__ = ["Conflict", "Controller", "NotFound", "Reach", "ShownAlert", "Wall", "address", "loopback"]
