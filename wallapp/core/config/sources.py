"""Data source declarations of a layout (the ``sources`` object): name -> how to reach the data.

A source is one of five kinds, told apart by ``kind``:

- ``http``: a JSON API polled every ``interval`` seconds;
- ``sse``: a server-sent events stream, each event's data a JSON payload;
- ``websocket``: a WebSocket whose messages are JSON payloads, with an optional subscribe message;
- ``file``: a local JSON or NDJSON file, read again when it changes;
- ``demo``: the built-in simulator of a live social hub.

The first four take a ``mapping`` (how a payload becomes records) and every kind takes ``filters``
(moderation). Layouts never hold secrets: a URL, header, query value, body or subscribe message names
them, as ``${env:NAME}`` (an environment variable) or ``${secret:NAME}`` (a secret of the installation
settings), and they are resolved only when the source connects. A sensitive header or query value
(``Authorization``, ``api_key``...) or credentials in a URL (``https://user:pass@host``,
``?access_token=...``) written in clear are a validation error, and so is what would only fail once
connecting: a URL without a host or with a port out of range, a header that cannot be sent.

The network sources take ``tls`` (``TlsOptions``): a CA file to trust besides the system's store, a client
certificate; the installation settings hold the same for every source, and a source's own fields win.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingOf
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import AfterValidator, Field, field_validator, model_validator

from wallapp.core.data.demo import FEED_RECORDS, KPI_RECORDS, DemoFeed
from wallapp.core.data.filters import FilterOptions
from wallapp.core.data.mapping import Mapping
from wallapp.core.data.records import RecordKind
from wallapp.core.strict import Strict
from wallapp.errors import SourceError

_REFERENCE = re.compile(r"\$\{(env|secret):([A-Za-z_][A-Za-z0-9_.-]*)\}")
_ANY_REFERENCE = re.compile(r"\$\{[^}]*\}")
_SENSITIVE = re.compile(
    r"auth|token|secret|passw|api[-_]?key|apikey|^key$|signature|^sig$|cookie|session|credential"
    r"|subscription[-_]?key|access[-_]?key|private[-_]?key|^x-[\w-]*key$",
    re.IGNORECASE,
)
REDACTED = "***"
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
"""What HTTP lets a header value hold: visible ASCII, spaces and tabs (no line break)."""


def _references_only(text: str) -> str:
    for found in _ANY_REFERENCE.findall(text):
        if not _REFERENCE.fullmatch(found):
            raise ValueError(f"unknown reference {found}: use ${{env:NAME}} or ${{secret:NAME}}")
    return text


def _no_clear_secrets(values: MappingOf[str, Any] | list[tuple[str, str]], where: str = "") -> None:
    for name, value in values.items() if isinstance(values, MappingOf) else values:
        if _SENSITIVE.search(name) and isinstance(value, str) and value and not _REFERENCE.search(value):
            raise ValueError(
                f"{name!r}{where} looks like a secret written in clear: "
                "reference it as ${env:NAME} or ${secret:NAME}"
            )


def header_problem(name: str, value: str) -> str | None:
    """Why a header cannot be sent (a line break or a character outside ASCII in its value), or None."""
    if not _HEADER_NAME.fullmatch(name):
        return f"{name!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)"
    if not _HEADER_VALUE.fullmatch(value):
        return f"the value of {name!r} has a line break or a character outside ASCII"
    return None


def url_problem(url: str) -> str | None:
    """Why a URL cannot be reached (no host, a port out of range), or None. Parts naming a secret or
    an environment variable are checked once resolved."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"invalid URL ({exc})"
    host = parts.netloc.rpartition("@")[2]
    if _ANY_REFERENCE.search(host):
        return None
    if not parts.hostname:
        return "the URL has no host"
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 0 < port < 65536:
        return f"the port in {host!r} is not a number from 1 to 65535"
    return None


def _no_credentials_in(url: str) -> None:
    """A URL's user information and its own query are held to the rule of ``headers`` and ``query``."""
    parts = urlsplit(url)
    user = _REFERENCE.sub("\0", parts.netloc.rpartition("@")[0])  # a reference as one character
    secret = user.partition(":")[2] or user  # the password, or a token written as the user
    if secret and "\0" not in secret:
        raise ValueError(
            "credentials written in the URL (user:password@host): reference them as ${env:NAME} or "
            "${secret:NAME}, or send them in a header"
        )
    _no_clear_secrets(parse_qsl(parts.query, keep_blank_values=True), " in the URL's query")


def _one_reference(text: str) -> str:
    if not _REFERENCE.fullmatch(text):
        raise ValueError("name it as ${secret:NAME} or ${env:NAME}, never in clear")
    return text


Template = Annotated[str, AfterValidator(_references_only)]
"""Text that may name secrets (``${env:NAME}``, ``${secret:NAME}``)."""
SecretReference = Annotated[str, AfterValidator(_one_reference)]
"""A secret named, never written: exactly one ``${secret:NAME}`` or ``${env:NAME}``."""

Seconds = Annotated[float, Field(gt=0, le=86400)]
"""A duration: more than zero, at most a day."""
QueryValue: TypeAlias = Template | int | float | bool


def references(text: str) -> list[tuple[str, str]]:
    """The secrets ``text`` names, as (``env`` or ``secret``, NAME)."""
    return [(match.group(1), match.group(2)) for match in _REFERENCE.finditer(text)]


def resolve(text: str, source: str, secrets: MappingOf[str, str], environ: MappingOf[str, str]) -> str:
    """``text`` with its secret references replaced; ``SourceError`` names a missing one (never a value)."""

    def value(match: re.Match[str]) -> str:
        where, name = match.group(1), match.group(2)
        found = (environ if where == "env" else secrets).get(name)
        if found is None:
            what = "environment variable" if where == "env" else "secret"
            raise SourceError(source, f"the {what} {name} is not set (needed by ${{{where}:{name}}})")
        return found

    return _REFERENCE.sub(value, text)


class Resolver:
    """Resolves a source's secret references, and remembers the values so messages can be scrubbed of them."""

    def __init__(self, source: str, secrets: MappingOf[str, str], environ: MappingOf[str, str]) -> None:
        self.source = source
        self._secrets = secrets
        self._environ = environ
        self._used: set[str] = set()

    def text(self, text: str) -> str:
        resolved = resolve(text, self.source, self._secrets, self._environ)
        if resolved != text:
            self._used.update(m.group(0) for m in _REFERENCE.finditer(text))
        return resolved

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.json(item) for key, item in value.items()}
        return value

    def scrub(self, message: str) -> str:
        """``message`` without any secret value resolved so far."""
        for reference in self._used:
            value = resolve(reference, self.source, self._secrets, self._environ)
            if len(value) >= 3:
                message = message.replace(value, REDACTED)
        return message


def redact_url(url: str) -> str:
    """A URL fit for a log: no password, and sensitive query values replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:{REDACTED}@{host}" if ":" in user else f"{REDACTED}@{host}"
    query = urlencode(
        [(key, REDACTED if _SENSITIVE.search(key) else value) for key, value in parse_qsl(parts.query, True)],
        safe="${}:*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class Backoff(Strict):
    """Waits after failures: ``initial`` seconds, times ``factor`` each time, up to ``maximum``, jittered."""

    initial: Seconds = 1.0
    maximum: Seconds = 300.0
    factor: float = Field(2.0, ge=1)
    jitter: float = Field(0.5, ge=0, le=1, description="Up to this fraction of each wait is drawn at random.")


_RESTART = Backoff()

_PATHS = ("ca_file", "cert_file", "key_file")


class TlsOptions(Strict):
    """How HTTPS and WSS connections check the server and, where asked, prove who the wall is.

    The operating system's trust store is always used unless ``system_store`` is false, so a company CA
    installed the usual way needs nothing here. There is no way to turn checking off: a server with a
    private or self-signed certificate is trusted by naming it (or its CA) in ``ca_file``.
    """

    ca_file: str | None = Field(
        None,
        description="PEM file of certificate authorities (or certificates) to trust, e.g. the company CA.",
    )
    system_store: bool = Field(
        True, description="Trust the operating system's certificate store too; false: only ca_file."
    )
    cert_file: str | None = Field(
        None, description="Client certificate (PEM) for servers that ask for one; may hold the key too."
    )
    key_file: str | None = Field(None, description="The client certificate's private key (PEM).")
    key_password: SecretReference | None = Field(
        None, description="The key's passphrase, as ${secret:NAME} (or ${env:NAME})."
    )

    @model_validator(mode="after")
    def _complete(self) -> TlsOptions:
        if not self.system_store and self.ca_file is None:
            raise ValueError("system_store is false: name the CA file to trust instead (ca_file)")
        if (self.key_file or self.key_password) and self.cert_file is None:
            raise ValueError("a key without a client certificate: name it with cert_file")
        return self

    def rooted(self, folder: Path | None) -> TlsOptions:
        """The same, file paths made absolute (relative ones: from ``folder``, or the working directory)."""
        base = (folder or Path.cwd()).absolute()
        paths = {
            name: str(base / Path(value).expanduser()) for name in _PATHS if (value := getattr(self, name))
        }
        return self.model_copy(update=paths)

    def over(self, base: TlsOptions) -> TlsOptions:
        """``base`` (the installation's) with the fields set here in its place."""
        return base.model_copy(update={name: getattr(self, name) for name in self.model_fields_set})

    def file_problems(self, folder: Path | None) -> dict[str, str]:
        """What is wrong with each file named (missing, unreadable, not PEM), by field."""
        rooted = self.rooted(folder)
        found: dict[str, str] = {}
        for name in _PATHS:
            path = getattr(rooted, name)
            if path is None:
                continue
            try:
                text = Path(path).read_bytes().decode("ascii", "replace")
            except FileNotFoundError:
                found[name] = f"file not found: {path}"
                continue
            except OSError as exc:
                found[name] = f"{path} cannot be read: {exc.strerror or exc}"
                continue
            if problem := _pem_problem(name, text, self):
                found[name] = f"{path}: {problem}"
        return found


def _pem_problem(field: str, text: str, tls: TlsOptions) -> str | None:
    certificates = "-----BEGIN CERTIFICATE-----" in text or "-----BEGIN TRUSTED CERTIFICATE-----" in text
    key = re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----", text)
    if field in ("ca_file", "cert_file") and not certificates:
        return "not a PEM file of certificates (no -----BEGIN CERTIFICATE----- line; convert a DER file)"
    holds_the_key = field == "key_file" or (field == "cert_file" and tls.key_file is None)
    if not holds_the_key:
        return None
    if key is None:
        return "holds no PEM private key" + (": name it with key_file" if field == "cert_file" else "")
    if ("ENCRYPTED" in key.group(0) or "Proc-Type: 4,ENCRYPTED" in text) and tls.key_password is None:
        return "the key is encrypted: name its passphrase with key_password"
    return None


class SourceBase(Strict):
    """What every source declaration shares, and how its runner paces attempts (properties, not fields)."""

    filters: FilterOptions | None = Field(None, description="Moderation before the data reaches the wall.")
    capacity: int = Field(500, ge=1, description="Records kept (the newest).")
    stale_after: float = Field(
        3, gt=0, le=1000, description="Stale after this many expected updates without data."
    )

    @property
    def expected_every(self) -> float:
        """Seconds between good updates when all is well (freshness counts in these)."""
        raise NotImplementedError

    @property
    def payload_mapping(self) -> Mapping | None:
        """How a payload becomes records; None for a source that makes records itself (demo)."""
        return None

    @property
    def yields(self) -> RecordKind:
        """The kind of records the source gives its widgets."""
        mapping = self.payload_mapping
        assert mapping is not None  # every kind but demo maps payloads; demo says what its feed gives
        return mapping.record

    @property
    def wait_after_success(self) -> float:
        """Seconds from an attempt that went well (a poll, a stream that ended cleanly) to the next."""
        return self.expected_every

    @property
    def retry_backoff(self) -> Backoff:
        """Waits after failed attempts: a local source simply tries again every ``expected_every``."""
        return Backoff(initial=self.expected_every, maximum=self.expected_every, factor=1, jitter=0)

    @property
    def restart_backoff(self) -> Backoff:
        """Waits after internal errors (a bug, not the source), each followed by a fresh start."""
        return _RESTART


class _Remote(SourceBase):
    url: Template = Field(min_length=1)
    headers: dict[str, Template] = Field(default_factory=dict)
    query: dict[str, QueryValue] = Field(default_factory=dict, description="Added to the URL's query.")
    timeout: Seconds = Field(10.0, description="Seconds to connect, and to wait for a response or data.")
    max_bytes: int = Field(5_000_000, ge=1, description="Largest payload (response, event or message) read.")
    backoff: Backoff = Field(default_factory=Backoff)
    tls: TlsOptions | None = Field(None, description="This source's TLS settings, over the installation's.")
    mapping: Mapping

    @property
    def payload_mapping(self) -> Mapping:
        return self.mapping

    @property
    def retry_backoff(self) -> Backoff:
        """The declared backoff; unless its ``maximum`` is declared, the waits grow no longer than the
        source's expected interval: a failing backend is asked no more often than a working one, and
        once it is back the wall shows its data within an interval, not five minutes later."""
        if "maximum" in self.backoff.model_fields_set:
            return self.backoff
        ceiling = max(min(self.backoff.maximum, self.expected_every), self.backoff.initial)
        return self.backoff.model_copy(update={"maximum": ceiling})

    @property
    def restart_backoff(self) -> Backoff:
        return self.backoff

    @field_validator("query")
    @classmethod
    def _no_clear_secrets(cls, values: dict[str, Any]) -> dict[str, Any]:
        _no_clear_secrets(values)
        return values

    @field_validator("headers")
    @classmethod
    def _sendable(cls, values: dict[str, str]) -> dict[str, str]:
        _no_clear_secrets(values)
        for name, value in values.items():
            if problem := header_problem(name, _ANY_REFERENCE.sub("", value)):
                raise ValueError(problem)
        return values

    @field_validator("url")
    @classmethod
    def _reachable(cls, url: str) -> str:
        if not url.startswith("${"):  # else checked once resolved, when the source connects
            schemes = cls._schemes()
            if not url.lower().startswith(tuple(f"{scheme}://" for scheme in schemes)):
                raise ValueError(f"the URL must start with {' or '.join(f'{s}://' for s in schemes)}")
            if problem := url_problem(url):
                raise ValueError(problem)
        _no_credentials_in(url)
        return url

    @classmethod
    def _schemes(cls) -> tuple[str, ...]:
        return ("http", "https")


class HttpSource(_Remote):
    """A JSON API polled at an interval, with conditional requests and polite retries."""

    kind: Literal["http"]
    method: Literal["GET", "POST"] = "GET"
    body: Any = Field(None, description="JSON body (for POST); strings may reference secrets.")
    interval: Seconds = Field(30.0, description="Seconds between polls.")
    retry_after_max: Seconds = Field(3600.0, description="Longest wait a server's Retry-After can impose.")

    @property
    def expected_every(self) -> float:
        return self.interval


class SseSource(_Remote):
    """A server-sent events stream; reconnects with Last-Event-ID and the server's retry delay."""

    kind: Literal["sse"]
    events: list[str] = Field(default_factory=list, description="Event types used; empty: all.")
    expect_every: Seconds = Field(60.0, description="Seconds between events when all is well.")

    @property
    def wait_after_success(self) -> float:
        """A stream that ended cleanly is opened again soon (unless the server set its retry delay)."""
        return self.backoff.initial

    @property
    def expected_every(self) -> float:
        return self.expect_every


class WebSocketSource(_Remote):
    """A WebSocket of JSON messages, reconnected with backoff."""

    kind: Literal["websocket"]
    subscribe: Any = Field(None, description="Sent on connect: text as is, anything else as JSON.")
    expect_every: Seconds = Field(60.0, description="Seconds between messages when all is well.")

    @classmethod
    def _schemes(cls) -> tuple[str, ...]:
        return ("ws", "wss")

    @property
    def expected_every(self) -> float:
        return self.expect_every


class FileSource(SourceBase):
    """A local JSON file, or NDJSON (one JSON value per line), read again when it changes."""

    kind: Literal["file"]
    path: str = Field(min_length=1, description="Relative paths are relative to the layout file.")
    format: Literal["auto", "json", "ndjson"] = Field("auto", description="auto: .ndjson/.jsonl are NDJSON.")
    interval: Seconds = Field(2.0, description="Seconds between checks for a change.")
    max_bytes: int = Field(50_000_000, ge=1)
    mapping: Mapping

    @property
    def payload_mapping(self) -> Mapping:
        return self.mapping

    @property
    def expected_every(self) -> float:
        return self.interval


class DemoSource(SourceBase):
    """The built-in simulator of a live social hub."""

    kind: Literal["demo"]
    seed: int | None = Field(None, description="Same seed, same feed; random when absent.")
    feed: DemoFeed = Field("posts", description="posts, influencers, topics, kpis or activity.")
    interval: Seconds = Field(1.0, description="Seconds between updates.")
    rate: float = Field(1.5, gt=0, le=500, description="Average posts per second at a normal hour.")

    @model_validator(mode="before")
    @classmethod
    def _room_for_the_whole_picture(cls, data: Any) -> Any:
        """The KPI feed sends every metric of every country and brand at once: keep them all by default."""
        if isinstance(data, dict) and data.get("feed") == "kpis" and "capacity" not in data:
            return {**data, "capacity": 2 * KPI_RECORDS}
        return data

    @property
    def expected_every(self) -> float:
        return self.interval

    @property
    def yields(self) -> RecordKind:
        return FEED_RECORDS[self.feed]


SourceSpec = Annotated[
    HttpSource | SseSource | WebSocketSource | FileSource | DemoSource,
    Field(discriminator="kind"),
]
