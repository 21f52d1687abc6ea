"""The parts of a picture of a wall of several PCs: each node's own screens, asked of its control API.

The node asked for the whole wall (``GET /picture?gather=true``) asks every other node online for its part
at one instant (``/picture?at=T&own=true``), at once, with the installation's control token (every node
reads the same file); a node that does not answer in time, or answers otherwise, is told with the reason,
and its screens are drawn by the node asked from the data it has.
"""

from __future__ import annotations

import asyncio

import httpx

PART_WITHIN_S = 10.0
"""How long a node's part may take (drawing the wall on a busy PC takes a second or more)."""


async def fetch_parts(
    controls: dict[str, str], token: str, width: int, at: float, within: float = PART_WITHIN_S
) -> dict[str, bytes | str]:
    """Each node's part (PNG), by name, from its control API's address in ``controls``; or why not."""
    headers = {"Authorization": f"Bearer {token}"}
    query: dict[str, str | int | float] = {"width": width, "at": at, "own": "true"}
    async with httpx.AsyncClient(trust_env=False, timeout=within, headers=headers) as client:

        async def part(url: str) -> bytes | str:
            try:
                answer = await client.get(f"{url.rstrip('/')}/picture", params=query)
            except httpx.HTTPError as exc:
                return f"cannot be reached ({type(exc).__name__})"
            if answer.status_code != 200:
                return f"answered {answer.status_code}"
            return answer.content

        found = await asyncio.gather(*(part(url) for url in controls.values()))
    return dict(zip(controls, found, strict=True))
