"""Installation settings, layered in one documented order (highest first):

1. command-line options,
2. ``WALLAPP_*`` environment variables (nested with ``__``: ``WALLAPP_WALL__COLUMNS=2``),
3. a ``.env`` file in the working directory,
4. ``wallapp.toml`` (``--config FILE``, ``$WALLAPP_CONFIG``, ``./wallapp.toml``, or the user config folder),
5. defaults (the hub's 3 x 2 wall of 1920 x 1080 narrow-bezel screens).

The wall is installation config, never part of a layout.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from wallapp.core.config.catalog import Catalog
from wallapp.core.config.jsondoc import problems_from_validation
from wallapp.core.config.nodes import BrokerOptions, NodeSpec, node_problems, pick_node
from wallapp.core.config.resources import shipped
from wallapp.core.config.sources import SecretReference, Template, TlsOptions, references, resolve
from wallapp.core.strict import Strict
from wallapp.core.view.geometry import WallSpec
from wallapp.errors import ConfigError, LayoutError, ScheduleError, ShowError, ThemeError

APP = "wallapp"


class ProxyOptions(Strict):
    """The proxy every connection goes through (HTTP, SSE, WebSocket, pictures), but for the ``bypass`` hosts.

    Without it, the standard environment variables apply (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY).
    """

    url: str = Field(
        description="http://HOST:PORT or https://HOST:PORT; credentials go in username/password."
    )
    username: Template | None = Field(None, description="May name a secret: ${secret:NAME}.")
    password: SecretReference | None = Field(None, description="The password, as ${secret:NAME}.")
    bypass: list[str] = Field(
        default_factory=list,
        description="Hosts reached directly: a name (and subdomains), an IP address, a network (10.0.0.0/8).",
    )

    @field_validator("url")
    @classmethod
    def _plain_http_proxy(cls, url: str) -> str:
        scheme, _, rest = url.partition("://")
        if scheme.lower() not in ("http", "https") or not rest:
            raise ValueError("the proxy URL must start with http:// or https:// (SOCKS is not supported)")
        if "@" in rest.split("/", 1)[0]:
            raise ValueError("credentials do not go in the URL: use username and password (${secret:NAME})")
        return url


class ControlOptions(Strict):
    """The control API of the running wall (``wallapp ctl``, an operator's scripts)."""

    listen: str | None = Field(
        "127.0.0.1:8717",
        description="HOST:PORT the control API listens on (loopback by default; off: empty or 'off'). "
        "It starts only with a token; another host than loopback without one is refused at start-up.",
    )
    token: SecretStr | None = Field(
        None,
        description="The bearer token every call must carry: the token itself (WALLAPP_CONTROL__TOKEN) "
        "or ${secret:NAME} / ${env:NAME}. No default: without one the API stays off.",
    )
    read_token: SecretStr | None = Field(
        None,
        description="A second token that may watch (status, the wall's picture, the audit log) but not "
        "steer: its changes are refused with 403. The token itself or ${secret:NAME} / ${env:NAME}.",
    )

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, listen: str | None) -> str | None:
        if listen is None or listen.strip().casefold() in ("", "off"):
            return None
        host, colon, port = listen.strip().rpartition(":")
        if not colon or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError(f"{listen!r} is not HOST:PORT (such as 127.0.0.1:8717)")
        return listen.strip()

    def address(self) -> tuple[str, int] | None:
        """The host (brackets of an IPv6 address removed) and port, or None when off."""
        if self.listen is None:
            return None
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WALLAPP_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    wall: WallSpec = Field(default_factory=WallSpec)
    layout: str = Field("hub", description="Layout shown by `wallapp run` without an argument.")
    theme: str | None = Field(None, description="Theme for every layout, overriding the layout's own.")
    schedule: str | None = Field(
        None,
        description="Schedule followed by `wallapp run` without a layout or show (a kiosk's lobby schedule): "
        "a name (schedules/NAME.json) or file.",
    )
    window: bool = Field(False, description="Show the whole canvas scaled in one window.")
    renderer: Literal["auto", "raster", "opengl"] = Field(
        "auto",
        description="What draws the wall: opengl (the graphics card), raster (the CPU), or auto: opengl "
        "where a hardware OpenGL renderer is found, else raster. A context that cannot be made falls back "
        "to raster.",
    )
    presenter: bool = Field(
        False, description="Open the presenter window on a screen the wall does not use (the host's)."
    )
    layouts_dirs: list[Path] = Field(default_factory=list, description="Extra folders searched for layouts.")
    themes_dirs: list[Path] = Field(default_factory=list, description="Extra folders searched for themes.")
    shows_dirs: list[Path] = Field(default_factory=list, description="Extra folders searched for shows.")
    schedules_dirs: list[Path] = Field(
        default_factory=list, description="Extra folders searched for schedules."
    )
    secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Named secrets that layouts reference as ${secret:NAME} (API tokens...); "
        "set in wallapp.toml [secrets] or WALLAPP_SECRETS__NAME, never in a layout.",
    )
    tls: TlsOptions = Field(
        default_factory=TlsOptions,
        description="TLS for every source and picture: a company CA file to trust, a client certificate; "
        "relative paths from the working directory. A source's own tls fields win.",
    )
    proxy: ProxyOptions | None = Field(
        None, description="A proxy for every connection (else the environment's)."
    )
    control: ControlOptions = Field(
        default_factory=ControlOptions, description="The control API (`wallapp ctl`) of the running wall."
    )
    nodes: list[NodeSpec] = Field(
        default_factory=list,
        description="The PCs that share the wall ([[nodes]]: name, screens, outputs); none: this PC drives "
        "every screen. Every node reads the same file.",
    )
    node: str | None = Field(
        None, description="Which of the nodes this PC is (`wallapp run --node NAME`); default: the host name."
    )
    broker: BrokerOptions | None = Field(
        None, description="The MQTT broker the nodes share (Mosquitto): host, port, credentials, TLS."
    )
    kiosk_exit: str = Field(
        "Ctrl+Alt+Shift+Q", description="The only keys that quit `wallapp run --kiosk` (Qt's notation)."
    )
    cache_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_cache_dir(APP)))
    log_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_log_dir(APP)))
    state_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_state_dir(APP)),
        description="What the installation keeps of its own: the control API's audit log.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings, TomlConfigSettingsSource(settings_cls))

    @model_validator(mode="after")
    def _usable_network_settings(self) -> Settings:
        """The files and secrets named by ``tls`` and ``proxy`` exist: found at load, not on first connect."""
        problems = [f"tls.{key}: {text}" for key, text in self.tls.file_problems(None).items()]
        token = self.control.token.get_secret_value() if self.control.token is not None else None
        read = self.control.read_token.get_secret_value() if self.control.read_token is not None else None
        named = {
            "tls.key_password": self.tls.key_password,
            "control.token": token,
            "control.read_token": read,
        }
        if self.proxy is not None:
            named |= {"proxy.username": self.proxy.username, "proxy.password": self.proxy.password}
        if self.broker is not None:
            named |= {"broker.username": self.broker.username, "broker.password": self.broker.password}
            if self.broker.tls is not None:
                tls = self.broker.tls
                problems += [f"broker.tls.{key}: {text}" for key, text in tls.file_problems(None).items()]
                named["broker.tls.key_password"] = tls.key_password
        problems += node_problems(self.nodes, self.broker, self.wall)
        for key, text in named.items():
            for where, name in references(text or ""):
                if name not in (self.secrets if where == "secret" else os.environ):
                    what = "the secret" if where == "secret" else "the environment variable"
                    problems.append(f"{key}: {what} {name} is not set")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def secret_values(self) -> dict[str, str]:
        return {name: value.get_secret_value() for name, value in self.secrets.items()}

    def control_token(self, key: str = "token") -> str | None:
        """The control API's token (``read_token``: the watching one), its ``${secret:NAME}`` or
        ``${env:NAME}`` resolved (checked at load)."""
        token: SecretStr | None = getattr(self.control, key)
        if token is None:
            return None
        return resolve(token.get_secret_value(), f"control.{key}", self.secret_values(), os.environ)

    def this_node(self) -> NodeSpec | None:
        """The node this PC is (``node``, else the host name); None on a single PC. ``ConfigError`` for a
        name that is not one of the nodes."""
        try:
            return pick_node(self.nodes, self.node)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def broker_login(self) -> tuple[str | None, str | None]:
        """The broker's username and password, their ``${secret:NAME}`` resolved (checked at load)."""
        if self.broker is None:
            return None, None
        secrets, broker = self.secret_values(), self.broker

        def resolved(key: str, text: str | None) -> str | None:
            return None if text is None else resolve(text, f"broker.{key}", secrets, os.environ)

        return resolved("username", broker.username), resolved("password", broker.password)

    def layouts(self) -> Catalog:
        return Catalog([*self.layouts_dirs, shipped("layouts")], LayoutError)

    def themes(self) -> Catalog:
        return Catalog([*self.themes_dirs, shipped("themes")], ThemeError)

    def shows(self) -> Catalog:
        return Catalog([*self.shows_dirs, shipped("shows")], ShowError)

    def schedules(self) -> Catalog:
        return Catalog([*self.schedules_dirs, shipped("schedules")], ScheduleError)


def config_path(explicit: Path | None = None) -> Path | None:
    """The ``wallapp.toml`` in force.

    In order: explicit, ``$WALLAPP_CONFIG``, ``./wallapp.toml``, the user's config folder, or none.
    """
    if explicit is not None or (explicit := _env_path("WALLAPP_CONFIG")) is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        return explicit
    for candidate in (Path("wallapp.toml"), Path(platformdirs.user_config_dir(APP)) / "wallapp.toml"):
        if candidate.is_file():
            return candidate
    return None


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Settings from every layer; ``overrides`` are the command line's (``None`` means not given)."""
    path = config_path(config)

    class _Layered(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return _Layered(**given)
    except ValidationError as exc:
        where = f"{path}" if path else "settings"
        problems = "; ".join(str(p) for p in problems_from_validation(exc))
        raise ConfigError(f"{where} (or WALLAPP_* variables): {problems}") from None
    except (OSError, ValueError) as exc:  # unreadable or invalid TOML
        raise ConfigError(f"{path}: {exc}") from None
