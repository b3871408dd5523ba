"""A throw-away test CA and a server certificate for the API-SSL listener.

``ensure_certs(DIR)`` leaves ``ca.pem``, ``ca.key``, ``server.pem`` and ``server.key`` in DIR.
Clients trust ``ca.pem`` and keep hostname checking on; the server certificate names
``localhost``, ``127.0.0.1``, ``::1`` and any extra names asked for.  Existing files are reused
while they are valid and cover the asked-for names; otherwise the server certificate is reissued
(by the existing CA when its key is there, so clients that already trust ``ca.pem`` keep working).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
_VALIDITY = dt.timedelta(days=3650)
# Reissue a little before expiry so a long-running test session never meets an expired cert.
_RENEW_MARGIN = dt.timedelta(days=7)


@dataclass(frozen=True)
class CertPaths:
    directory: Path
    ca: Path
    ca_key: Path
    cert: Path
    key: Path


def cert_paths(directory: str | os.PathLike[str]) -> CertPaths:
    base = Path(directory)
    return CertPaths(base, base / "ca.pem", base / "ca.key", base / "server.pem", base / "server.key")


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _wanted_names(extra: Iterable[str]) -> list[str]:
    names: list[str] = []
    for name in (*DEFAULT_NAMES, *extra):
        if name and name not in names:
            names.append(name)
    return names


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _write_private(path: Path, data: bytes) -> None:
    # Private keys: owner-only from the moment the file exists.
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


# A certificate is valid from a little before it is made (clocks differ), for ten years.
_NOT_BEFORE = dt.timedelta(minutes=-5)


def new_ca(
    common_name: str = "routeros-sim test CA",
    *,
    not_before: dt.timedelta = _NOT_BEFORE,
    not_after: dt.timedelta = _VALIDITY,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed CA (EC P-256), valid from now + `not_before` to now + `not_after`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + not_before)
        .not_valid_after(now + not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def new_server_cert(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    names: Sequence[str],
    *,
    not_before: dt.timedelta = _NOT_BEFORE,
    not_after: dt.timedelta = _VALIDITY,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A server certificate for `names` (the first is also the subject's CN) signed by the CA,
    valid from now + `not_before` to now + `not_after` (negative: in the past)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + not_before)
        .not_valid_after(now + not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _load_cert(path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey | None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    return key if isinstance(key, ec.EllipticCurvePrivateKey) else None


def _still_valid(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - _RENEW_MARGIN > _now() >= cert.not_valid_before_utc


def _covers(cert: x509.Certificate, names: list[str]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    present = set(san)
    return all(_general_name(name) in present for name in names)


def _signed_by(cert: x509.Certificate, ca_cert: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def ensure_certs(directory: str | os.PathLike[str], hostnames: Iterable[str] = ()) -> CertPaths:
    """Create (or reuse) the CA and server certificate in ``directory``; return their paths."""
    paths = cert_paths(directory)
    paths.directory.mkdir(parents=True, exist_ok=True)
    names = _wanted_names(hostnames)

    ca_cert = _load_cert(paths.ca)
    ca_key = _load_key(paths.ca_key)
    ca_usable = ca_cert is not None and ca_key is not None and _still_valid(ca_cert)
    server_cert = _load_cert(paths.cert)
    server_key = _load_key(paths.key)
    if (
        ca_cert is not None
        and server_cert is not None
        and server_key is not None
        and _still_valid(ca_cert)
        and _still_valid(server_cert)
        and _covers(server_cert, names)
        and _signed_by(server_cert, ca_cert)
    ):
        return paths

    if not ca_usable:
        ca_cert, ca_key = new_ca()
        _write_private(paths.ca_key, key_pem(ca_key))
        _write_public(paths.ca, ca_cert.public_bytes(serialization.Encoding.PEM))
    assert ca_cert is not None and ca_key is not None
    if server_cert is not None and _still_valid(server_cert):
        # Keep the names an earlier run asked for, so reissuing never drops one.
        try:
            san = server_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            for entry in san:
                value = str(entry.value)
                if value not in names:
                    names.append(value)
        except x509.ExtensionNotFound:
            pass
    cert, key = new_server_cert(ca_cert, ca_key, names)
    _write_private(paths.key, key_pem(key))
    _write_public(paths.cert, cert.public_bytes(serialization.Encoding.PEM))
    return paths


def server_ssl_context(paths: CertPaths) -> ssl.SSLContext:
    """TLS context for the API-SSL listener, serving the server certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=paths.cert, keyfile=paths.key)
    return context
