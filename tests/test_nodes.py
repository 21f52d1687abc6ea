"""A wall shared by several PCs: the nodes and the broker in the settings, each node's part of the wall."""

from __future__ import annotations

from pathlib import Path

import pytest

from wallapp import cli
from wallapp.core.config.nodes import NodeSpec, pick_node
from wallapp.core.config.outputs import Output, plan
from wallapp.core.config.settings import Settings, load_settings
from wallapp.core.view.geometry import Wall, WallSpec
from wallapp.errors import ConfigError

THREE_NODES = """
[broker]
host = "127.0.0.1"
port = 1884
username = "wall"
password = "${secret:mqtt}"

[secrets]
mqtt = "s3cret"

[[nodes]]
name = "left"
screens = [[0, 0], [0, 1]]

[[nodes]]
name = "middle"
screens = [[1, 0], [1, 1]]
outputs = ["HDMI-2", "HDMI-1"]

[[nodes]]
name = "right"
screens = [[2, 0], [2, 1]]
"""


def settings_from(tmp_path: Path, text: str, **overrides: str) -> Settings:
    config = tmp_path / "wallapp.toml"
    config.write_text(text)
    return load_settings(config, **overrides)


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_every_node_reads_the_same_file_and_picks_its_part(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, THREE_NODES, node="middle")
    node = settings.this_node()
    assert node is not None
    assert (node.name, node.screens, node.outputs) == ("middle", [(1, 0), (1, 1)], ["HDMI-2", "HDMI-1"])
    assert settings.broker is not None
    assert settings.broker.address == ("127.0.0.1", 1884)
    assert settings.broker_login() == ("wall", "s3cret")


def test_a_single_pc_has_no_node_and_no_broker() -> None:
    settings = Settings()
    assert settings.this_node() is None
    assert settings.broker is None
    assert settings.broker_login() == (None, None)


def test_two_nodes_claiming_one_screen(tmp_path: Path) -> None:
    text = THREE_NODES.replace("screens = [[2, 0], [2, 1]]", "screens = [[2, 0], [2, 1], [1, 1]]")
    assert "nodes[2] (right) and nodes[1] (middle) both drive screen [1, 1]" in refused(tmp_path, text)


def test_a_screen_outside_the_grid(tmp_path: Path) -> None:
    text = THREE_NODES.replace("[[2, 0], [2, 1]]", "[[2, 0], [2, 1], [3, 0]]")
    assert "nodes[2] (right): screen [3, 0] is outside the 3x2 wall" in refused(tmp_path, text)


def test_a_screen_no_node_drives_is_an_error(tmp_path: Path) -> None:
    text = THREE_NODES.replace("[[2, 0], [2, 1]]", "[[2, 0]]")
    assert "no node drives screen(s) [2, 1] of the 3x2 wall" in refused(tmp_path, text)


def test_outputs_one_per_screen_of_the_node(tmp_path: Path) -> None:
    text = THREE_NODES.replace('["HDMI-2", "HDMI-1"]', '["HDMI-2"]')
    assert "outputs names 1 output(s) for 2 screen(s)" in refused(tmp_path, text)


def test_nodes_need_a_broker_and_a_broker_needs_nodes(tmp_path: Path) -> None:
    no_broker = THREE_NODES.split("[secrets]")[1]
    assert "a wall of several nodes needs the broker" in refused(tmp_path, "[secrets]" + no_broker)
    assert "no [[nodes]] share the wall" in refused(tmp_path, '[broker]\nhost = "x"\n')


def test_the_broker_password_is_a_secret_by_name(tmp_path: Path) -> None:
    missing = THREE_NODES.replace('mqtt = "s3cret"', "")
    assert "broker.password: the secret mqtt is not set" in refused(tmp_path, missing)
    written = THREE_NODES.replace('"${secret:mqtt}"', '"s3cret"')
    assert "broker.password" in refused(tmp_path, written)


def test_same_name_twice_and_a_topic_with_wildcards(tmp_path: Path) -> None:
    assert "nodes[1] (left): nodes[0] has the same name" in refused(
        tmp_path, THREE_NODES.replace('name = "middle"', 'name = "left"')
    )
    assert "no wildcards" in refused(tmp_path, THREE_NODES.replace("port = 1884", 'topic = "wall/#"'))


def test_an_unknown_node_name_is_one_line(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, THREE_NODES, node="center")
    with pytest.raises(ConfigError, match=r"^--node center is not one of the wall's nodes \(left, middle"):
        settings.this_node()


def test_the_host_name_picks_the_node(monkeypatch: pytest.MonkeyPatch) -> None:
    nodes = [NodeSpec(name="wall-a", screens=[(0, 0)]), NodeSpec(name="wall-b", screens=[(1, 0)])]
    monkeypatch.setattr("wallapp.core.config.nodes.host_name", lambda: "wall-b.hub.example")
    assert pick_node(nodes, None) == nodes[1]
    monkeypatch.setattr("wallapp.core.config.nodes.host_name", lambda: "laptop")
    with pytest.raises(ValueError, match=r"this host's name \(laptop\) is not one of the wall's nodes"):
        pick_node(nodes, None)
    with pytest.raises(ValueError, match="the settings name no nodes"):
        pick_node([], "wall-a")


def outputs(count: int) -> list[Output]:
    return [Output(f"DP-{i}", i * 1920, 0, 1920, 1080) for i in range(count)]


def test_a_node_shows_its_screens_at_the_whole_walls_canvas_coordinates() -> None:
    wall = Wall(WallSpec())
    node = NodeSpec(name="right", screens=[(2, 1), (2, 0)])
    result = plan(wall, outputs(2), node=node)
    assert not result.preview
    # Its screens in reading order on its outputs in reading order; each keeps its place on the canvas.
    assert [(p.cell.name, p.output.name, p.cell.rect.x, p.cell.rect.y) for p in result.placements] == [
        ("2,0", "DP-0", 3852, 0),
        ("2,1", "DP-1", 3852, 1086),
    ]
    assert result.placements[0].cell.rect == wall.screen_rect(2, 0)


def test_a_node_names_its_outputs() -> None:
    node = NodeSpec(name="middle", screens=[(1, 0), (1, 1)], outputs=["DP-1", "DP-0"])
    result = plan(Wall(WallSpec()), outputs(3), node=node)
    assert [(p.cell.name, p.output.name) for p in result.placements] == [("1,0", "DP-1"), ("1,1", "DP-0")]
    missing = plan(Wall(WallSpec()), outputs(1), node=node)
    assert missing.preview_reason.startswith("node middle: outputs DP-1 not found (found: DP-0)")


def test_a_node_with_too_few_outputs_previews() -> None:
    node = NodeSpec(name="left", screens=[(0, 0), (0, 1)])
    assert plan(Wall(WallSpec()), outputs(1), node=node).preview_reason == (
        "node left drives 2 screens, 1 found; showing a preview window"
    )


@pytest.mark.usefixtures("qapp")
def test_screens_shows_which_node_drives_which_screen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "wallapp.toml"
    config.write_text(THREE_NODES)
    assert cli.main(["screens", "--config", str(config), "--node", "right"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "3 nodes share the wall over the broker mqtt://127.0.0.1:1884:" in out
    assert "  node left: screens [0, 0], [0, 1]" in out
    assert "  node right: screens [2, 0], [2, 1]  (this PC)" in out
    assert "  wall screen [2, 1] (canvas 3852,1086 1920x1080) -> WALL-1" in out
    assert not any("wall screen [0, 0]" in line for line in out)


@pytest.mark.usefixtures("qapp")
def test_run_refuses_an_unknown_node_before_any_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "wallapp.toml"
    config.write_text(THREE_NODES)
    assert cli.main(["run", "--config", str(config), "--node", "nowhere"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "wallapp: --node nowhere is not one of the wall's nodes (left, middle, right): "
        "pick one with --node NAME"
    )
