"""A company CA and the certificates of the TLS tests, made by ``trustme`` into PEM files."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustme
from cryptography.hazmat.primitives import serialization


@dataclass(frozen=True)
class Pki:
    """A company CA and the certificates of the tests, as PEM files."""

    folder: Path
    ca_file: Path
    other_ca_file: Path
    server: Path
    """127.0.0.1's certificate (and key), from the company CA."""
    expired: Path
    wrong_host: Path
    other_server: Path
    """127.0.0.1's certificate from another CA."""
    client: Path
    """A client certificate and its key, from the company CA."""
    client_cert: Path
    client_key_encrypted: Path
    """The same key, encrypted with ``PASSPHRASE``."""
    stranger: Path
    """A client certificate from another CA."""


PASSPHRASE = "k3y-pass"


def make_pki(folder: Path) -> Pki:
    """Every file of ``Pki`` written into ``folder``."""
    company, other = trustme.CA(), trustme.CA()

    def written(name: str, blob: trustme.Blob) -> Path:
        blob.write_to_path(folder / name)
        return folder / name

    def issued(name: str, ca: trustme.CA, *identities: str, **options: Any) -> Path:
        return written(name, ca.issue_cert(*identities, **options).private_key_and_cert_chain_pem)

    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    client = company.issue_cert("wall@hub.example")
    key = serialization.load_pem_private_key(client.private_key_pem.bytes(), None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    )
    (folder / "client.key").write_bytes(encrypted)
    return Pki(
        folder=folder,
        ca_file=written("ca.pem", company.cert_pem),
        other_ca_file=written("other-ca.pem", other.cert_pem),
        server=issued("server.pem", company, "127.0.0.1"),
        expired=issued("expired.pem", company, "127.0.0.1", not_before=past, not_after=past),
        wrong_host=issued("wrong-host.pem", company, "kpi.corp.example"),
        other_server=issued("other-server.pem", other, "127.0.0.1"),
        client=written("client.pem", client.private_key_and_cert_chain_pem),
        client_cert=written("client.crt", client.cert_chain_pems[0]),
        client_key_encrypted=folder / "client.key",
        stranger=issued("stranger.pem", other, "stranger@elsewhere.example"),
    )
