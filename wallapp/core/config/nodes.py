"""A wall driven by several PCs (nodes): which node drives which screens, and the MQTT broker they share.

Every node reads the same settings file; ``wallapp run --node NAME`` (or the host name) picks its part.
Each node shows only its screens' part of the one canvas, in the canvas coordinates of the whole wall, so
the parts stitch. A single PC configures no nodes and no broker, and runs as it always did.

Checked when the settings are read, one line per problem: a node's screen outside the grid, two nodes
claiming one screen, a screen no node drives. The last is an error, not a warning: a wall with a screen
nobody drives has a black hole in it, and the likely cause is a typo in the file; a PC that is merely down
is a run-time matter that the file must not describe.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

from pydantic import Field, field_validator, model_validator

from wallapp.core.config.sources import SecretReference, Template, TlsOptions
from wallapp.core.strict import Strict
from wallapp.core.view.geometry import Cell, WallSpec

Screen = tuple[int, int]
"""A screen of the grid: ``[column, row]`` from the top left, as ``wallapp screens`` prints them."""


class BrokerOptions(Strict):
    """The MQTT broker (Mosquitto) every node of the wall connects to."""

    host: str = Field(description="The broker's host name or address.")
    port: int | None = Field(None, ge=1, le=65535, description="Its port (default 1883, or 8883 with tls).")
    username: Template | None = Field(None, description="May name a secret: ${secret:NAME}.")
    password: SecretReference | None = Field(None, description="The password, as ${secret:NAME}.")
    tls: TlsOptions | None = Field(
        None,
        description="Connect over TLS, checked as these options say (an empty table: the system's trust "
        "store); absent: plain TCP, for a broker on a closed wall network.",
    )
    topic: str = Field(
        "wallapp/wall",
        description="The root of the wall's topics; two walls sharing a broker need different roots.",
    )
    keepalive_s: int = Field(
        3,
        ge=1,
        le=600,
        description="Seconds between keep-alive pings: the broker gives a silent node up after 1.5 times "
        "this, and another node leads then if it led.",
    )

    @field_validator("topic")
    @classmethod
    def _plain_topic(cls, topic: str) -> str:
        if not topic or topic.startswith("/") or topic.endswith("/") or set(topic) & {"+", "#", "\0"}:
            raise ValueError(f"{topic!r}: a topic root such as wallapp/hub (no wildcards, no outer slash)")
        return topic

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port or (8883 if self.tls is not None else 1883)

    def describe(self) -> str:
        host, port = self.address
        return f"mqtt{'s' if self.tls is not None else ''}://{host}:{port}"


class NodeSpec(Strict):
    """One PC of the wall and the screens it drives."""

    name: str = Field(min_length=1, description="The node's name (by default, its host name).")
    screens: list[Screen] = Field(
        min_length=1, description="The screens it drives, as [column, row] pairs of the grid."
    )
    outputs: list[str] | None = Field(
        None,
        description="Its physical outputs (e.g. DP-1), one per screen in the order of screens; "
        "when absent, assigned by position.",
    )

    @field_validator("name")
    @classmethod
    def _topic_safe(cls, name: str) -> str:
        if set(name) & {"/", "+", "#", "\0"} or name != name.strip():
            raise ValueError(f"{name!r}: a node name has no /, +, # nor outer spaces")
        return name

    @model_validator(mode="after")
    def _outputs_match(self) -> NodeSpec:
        if len(set(self.screens)) != len(self.screens):
            raise ValueError("screens names a screen twice")
        if self.outputs is not None and len(self.outputs) != len(self.screens):
            raise ValueError(f"outputs names {len(self.outputs)} output(s) for {len(self.screens)} screen(s)")
        return self

    def cells(self, cells: Iterator[Cell]) -> list[Cell]:
        """The wall's cells this node drives, in the order of ``screens``."""
        by_place = {(cell.column, cell.row): cell for cell in cells}
        return [by_place[screen] for screen in self.screens]


def node_problems(nodes: list[NodeSpec], broker: BrokerOptions | None, wall: WallSpec) -> list[str]:
    """Every way the nodes do not make up ``wall``, one line each (none for a single PC)."""
    if not nodes:
        return (
            ["broker: set, but no [[nodes]] share the wall (a single PC needs no broker)"]
            if broker is not None
            else []
        )
    problems = []
    if broker is None:
        problems.append("nodes: a wall of several nodes needs the broker they share ([broker] host)")
    if wall.outputs is not None:
        problems.append("wall.outputs: with nodes, each node names its own outputs (nodes[].outputs)")
    if wall.spans is not None:
        problems.append("wall.spans: spanned outputs are not supported on a wall of several nodes yet")
    named: dict[str, int] = {}
    driven: dict[Screen, int] = {}
    grid = f"{wall.columns}x{wall.rows}"
    for index, node in enumerate(nodes):
        who = f"nodes[{index}] ({node.name})"
        if node.name in named:
            problems.append(f"{who}: nodes[{named[node.name]}] has the same name")
        named.setdefault(node.name, index)
        for column, row in node.screens:
            if not (0 <= column < wall.columns and 0 <= row < wall.rows):
                problems.append(f"{who}: screen [{column}, {row}] is outside the {grid} wall")
            elif (column, row) in driven:
                other = driven[column, row]
                problems.append(
                    f"{who} and nodes[{other}] ({nodes[other].name}) both drive screen [{column}, {row}]"
                )
            else:
                driven[column, row] = index
    undriven = [(c, r) for r in range(wall.rows) for c in range(wall.columns) if (c, r) not in driven]
    if undriven:
        listed = ", ".join(f"[{c}, {r}]" for c, r in undriven)
        problems.append(
            f"nodes: no node drives screen(s) {listed} of the {grid} wall (they would stay black)"
        )
    return problems


def host_name() -> str:
    """This PC's name, the node it is unless ``--node`` says otherwise."""
    return socket.gethostname()


def pick_node(nodes: list[NodeSpec], name: str | None) -> NodeSpec | None:
    """The node ``name`` (None: this host's name, or its first label) among ``nodes``; None when the wall
    has no nodes. ``ValueError`` in one line for a name that is not one of them."""
    if not nodes:
        if name is not None:
            raise ValueError(f"--node {name}: the settings name no nodes (a single PC needs none)")
        return None
    by_name = {node.name: node for node in nodes}
    wanted = [name] if name is not None else [host_name(), host_name().split(".")[0]]
    for candidate in wanted:
        if candidate in by_name:
            return by_name[candidate]
    how = f"--node {name}" if name is not None else f"this host's name ({wanted[0]})"
    raise ValueError(
        f"{how} is not one of the wall's nodes ({', '.join(by_name)}): pick one with --node NAME"
    )
