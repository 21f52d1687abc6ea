"""Where the control API listens, decided at start-up without loading its web server (a wall without a
token never starts it, and does not hold starlette and uvicorn in memory)."""

from __future__ import annotations

import ipaddress
import logging

from wallapp.errors import ConfigError

log = logging.getLogger("wallapp.control")


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address(listen: tuple[str, int] | None, token: str | None) -> tuple[str, int] | None:
    """Where the API listens, or None when it is off (no address, or no token on loopback);
    ``ConfigError`` for another host without a token."""
    if listen is None:
        return None
    host, port = listen
    if token is None:
        if not loopback(host):
            raise ConfigError(
                f"control.listen: {host}:{port} is not loopback and control.token is not set: "
                "set a token (WALLAPP_CONTROL__TOKEN) or listen on 127.0.0.1"
            )
        log.debug("control API off: no control.token set")
        return None
    return host, port
