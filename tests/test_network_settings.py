"""TLS and proxy settings: checked when the settings or the layout load, and used by the whole wall."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pki import Pki, make_pki
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from servers import serving, until, while_serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wallapp import cli
from wallapp.app import WallDisplay
from wallapp.core.config.layout import load_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.data.freshness import SourceState
from wallapp.core.view.geometry import WallSpec
from wallapp.errors import ConfigError, LayoutError
from wallapp.live.network import bypassed

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


# The installation's settings


@pytest.mark.parametrize(
    ("tls", "says"),
    [
        ({"ca_file": "{folder}/missing.pem"}, "tls.ca_file: file not found: {folder}/missing.pem"),
        (
            {"ca_file": "{folder}/client.key"},
            "tls.ca_file: {folder}/client.key: not a PEM file of certificates",
        ),
        (
            {"cert_file": "{folder}/client.crt"},
            "tls.cert_file: {folder}/client.crt: holds no PEM private key",
        ),
        (
            {"cert_file": "{folder}/client.crt", "key_file": "{folder}/client.key"},
            "tls.key_file: {folder}/client.key: the key is encrypted: name its passphrase with key_password",
        ),
        (
            {
                "cert_file": "{folder}/client.crt",
                "key_file": "{folder}/client.key",
                "key_password": "${secret:CLIENT_KEY}",
            },
            "tls.key_password: the secret CLIENT_KEY is not set",
        ),
        (
            {"cert_file": "{folder}/client.pem", "key_password": "k3y"},
            "tls.key_password: name it as ${secret:NAME}",
        ),
        ({"system_store": False}, "name the CA file to trust instead (ca_file)"),
    ],
)
def test_unusable_tls_settings_are_refused_at_load_naming_the_key(
    tls: dict[str, Any], says: str, pki: Pki
) -> None:
    given = {
        key: value.replace("{folder}", str(pki.folder)) if isinstance(value, str) else value
        for key, value in tls.items()
    }
    with pytest.raises(ConfigError) as refused:
        load_settings(tls=given)
    assert says.replace("{folder}", str(pki.folder)) in str(refused.value)


@pytest.mark.parametrize(
    ("proxy", "says"),
    [
        ({"url": "http://wall:pw@proxy.corp.example:3128"}, "proxy.url: credentials do not go in the URL"),
        ({"url": "socks5://proxy.corp.example:1080"}, "proxy.url: the proxy URL must start with http://"),
        (
            {"url": "http://proxy.corp.example:3128", "password": "pw"},
            "proxy.password: name it as ${secret:NAME}",
        ),
        (
            {"url": "http://proxy.corp.example:3128", "username": "wall", "password": "${secret:PROXY}"},
            "proxy.password: the secret PROXY is not set",
        ),
    ],
)
def test_unusable_proxy_settings_are_refused_at_load(proxy: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(proxy=proxy)
    assert says in str(refused.value)


def test_the_readme_network_settings_load(pki: Pki, tmp_path: Path) -> None:
    [example] = [block for block in re.findall(r"```toml\n(.*?)```", README, flags=re.S) if "[tls]" in block]
    config = tmp_path / "wallapp.toml"
    config.write_text(example.replace("/etc/wallapp/company-ca.pem", str(pki.ca_file)))
    with pytest.raises(ConfigError, match=r"proxy\.password: the secret proxy_password is not set"):
        load_settings(config)
    config.write_text(config.read_text() + '\n[secrets]\nproxy_password = "pw"\n')
    settings = load_settings(config)
    assert settings.tls.ca_file == str(pki.ca_file)
    assert settings.proxy is not None
    assert settings.proxy.bypass


# Layouts


def layout_with(tls: dict[str, Any]) -> dict[str, Any]:
    source = {
        "kind": "http",
        "url": "https://kpi.corp.example/v1",
        "mapping": {"record": "metric"},
        "tls": tls,
    }
    return {"name": "Care", "sources": {"care": source}}


@pytest.mark.parametrize(
    ("tls", "says"),
    [
        ({"ca_file": "missing.pem"}, "sources.care.tls.ca_file: file not found: {folder}/missing.pem"),
        ({"ca_file": "client.key"}, "sources.care.tls.ca_file: {folder}/client.key: not a PEM file"),
        (
            {"cert_file": "client.crt", "key_file": "client.key"},
            "sources.care.tls.key_file: {folder}/client.key",
        ),
        ({"cert_file": "client.pem", "key_password": "k3y"}, "sources.care.tls.key_password: name it as"),
    ],
)
def test_unusable_tls_files_in_a_layout_are_reported_at_their_json_path(
    tls: dict[str, str], says: str, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pki.folder / "care.json"
    path.write_text(json.dumps(layout_with(tls)))
    assert cli.main(["validate", str(path)]) == 1
    assert says.replace("{folder}", str(pki.folder)) in capsys.readouterr().err


def test_tls_files_in_a_layout_are_read_from_its_folder(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    path = pki.folder / "care.json"
    path.write_text(json.dumps(layout_with({"ca_file": "ca.pem", "cert_file": "client.pem"})))
    monkeypatch.chdir(pki.folder.parent)
    load_layout(path, WallSpec())  # no error: both files found beside the layout
    with pytest.raises(LayoutError, match=r"sources\.care\.tls\.ca_file: file not found"):
        load_layout(path.rename(pki.folder.parent / "care.json"), WallSpec())


# The wall


def png() -> bytes:
    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 takes only str
    return bytes(data.data())


@pytest.fixture(scope="module")
def corporate_api(pki: Pki) -> Iterator[str]:
    """An internal HTTPS API with a certificate from the company CA, serving KPIs and a picture."""

    async def kpis(request: Request) -> Response:
        return JSONResponse({"kpis": [{"name": "response_rate", "value": 87.4}]})

    async def avatar(request: Request) -> Response:
        return Response(png(), media_type="image/png")

    app = Starlette(routes=[Route("/kpis", kpis), Route("/avatar.png", avatar)])
    with serving(app, ssl_certfile=str(pki.server)) as base:
        yield base


def test_one_line_of_settings_lets_the_wall_read_an_internal_https_api(
    pki: Pki,
    corporate_api: str,
    write_json: Callable[[str, object], Path],
    tmp_path: Path,
    run_async: Callable[[Any], Any],
) -> None:
    """``[tls] ca_file`` in wallapp.toml: sources and pictures trust the company CA; a source without it
    would say why it fails."""
    config = tmp_path / "wallapp.toml"
    config.write_text(f'[tls]\nca_file = "{pki.ca_file}"\n')
    source = {
        "kind": "http",
        "url": f"{corporate_api}/kpis",
        "interval": 0.1,
        "mapping": {"record": "metric", "items": "kpis"},
    }
    untrusting = {**source, "tls": {"ca_file": str(pki.other_ca_file), "system_store": False}}
    layout = {"name": "Care", "sources": {"care": source, "other": untrusting}}
    display = WallDisplay(load_settings(config), str(write_json("care.json", layout)))
    avatar = f"{corporate_api}/avatar.png"

    async def steps() -> None:
        freshness = display.feeds.freshness
        await until(lambda: freshness()["care"].state is SourceState.LIVE, "the KPIs over HTTPS")
        display.images.image(avatar)
        await until(lambda: display.images.image(avatar) is not None, "the picture over HTTPS")
        await until(lambda: display.feeds.freshness()["other"].failures >= 1, "the source without the CA")

    while_serving(run_async, display, steps)
    other = display.feeds.freshness()["other"]
    assert other.state is SourceState.FAILING
    assert other.last_error == (
        "the server's certificate is not trusted (unknown authority): add the company CA with tls.ca_file"
    )


# Proxy bypass


@pytest.mark.parametrize(
    ("host", "patterns", "direct"),
    [
        ("kpi.corp.example", ["corp.example"], True),
        ("corp.example", [".corp.example"], True),
        ("kpi.corp.example", ["*.corp.example"], True),
        ("notcorp.example", ["corp.example"], False),
        ("10.20.30.40", ["10.0.0.0/8"], True),
        ("11.0.0.1", ["10.0.0.0/8"], False),
        ("::1", ["::1"], True),
        ("api.example.com", ["*"], True),
        ("api.example.com", ["", " "], False),
    ],
)
def test_bypass_patterns(host: str, patterns: list[str], direct: bool) -> None:
    assert bypassed(host, patterns) is direct
