"""Certificates for the TLS cases: CAs, and server certificates with chosen names and validity
(an expired one, one not valid yet, one for other names), made by the simulator's own builders
(routeros_sim.certs) with the validity each case needs."""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from routeros_sim.certs import key_pem, new_ca, new_server_cert


@dataclass(frozen=True)
class Authority:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    path: Path  # the CA certificate as PEM, for ca_path

    @classmethod
    def create(cls, directory: Path, common_name: str) -> Authority:
        cert, key = new_ca(common_name, not_before=dt.timedelta(days=-1), not_after=dt.timedelta(days=30))
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{common_name.replace(' ', '-')}.pem"
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(cert, key, path)

    def server_context(
        self,
        directory: Path,
        label: str,
        names: tuple[str, ...],
        *,
        not_before: dt.timedelta = dt.timedelta(days=-1),
        not_after: dt.timedelta = dt.timedelta(days=30),
    ) -> ssl.SSLContext:
        """A server TLS context with a certificate for `names`, valid from now + `not_before` to
        now + `not_after` (negative: in the past), signed by this CA."""
        cert, key = new_server_cert(self.cert, self.key, names, not_before=not_before, not_after=not_after)
        cert_path, key_path = directory / f"{label}.pem", directory / f"{label}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key_pem(key))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(certfile=cert_path, keyfile=key_path)
        return context
