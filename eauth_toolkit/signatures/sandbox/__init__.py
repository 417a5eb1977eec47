"""The SANDBOX test PKI: certomancer declares it (``pki.yml``), this module loads and serves it.

Every certificate and key here is a published test credential. :class:`SandboxPKI` loads the
certomancer architecture with the URL prefix of a loopback server, and :func:`serve` runs
certomancer's animator (OCSP, CRLs, time stamps) on ``127.0.0.1`` in a background thread.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyhanko.sign.ades.qualified_asn1  # noqa: F401  (registers the qc_statements extension)
from asn1crypto import keys, x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import (
    ArchLabel,
    CertLabel,
    CertomancerConfig,
    KeyLabel,
    PKIArchitecture,
)
from werkzeug.serving import WSGIRequestHandler, make_server

__all__ = [
    "PKI_CONFIG",
    "ARCH",
    "SIGNERS",
    "SandboxPKI",
    "serve",
]

PKI_CONFIG = Path(__file__).with_name("pki.yml")
ARCH = "sandbox"

#: signer labels and what they stand for
SIGNERS: dict[str, str] = {
    "my-signer-qc": "MY licensed CA, qualified certificate, key in a QSCD",
    "my-signer-qc-nosscd": "MY licensed CA, qualified certificate, no QSCD",
    "my-signer": "MY licensed CA, ordinary certificate",
    "my-signer-ec": "MY licensed CA, ordinary certificate, ECDSA P-256 key",
    "my-signer-revoked": "MY licensed CA, certificate revoked since 2025-01-01",
    "sg-signer-qc": "SG CA, qualified certificate, key in a QSCD",
    "rogue-signer": "a CA that no trust list names",
}


@dataclass(frozen=True)
class SandboxPKI:
    """The certomancer architecture loaded for one URL prefix."""

    url: str
    arch: PKIArchitecture

    @classmethod
    def load(cls, url: str = "http://127.0.0.1:9") -> SandboxPKI:
        cfg = CertomancerConfig.from_file(str(PKI_CONFIG), external_url_prefix=url)
        return cls(url=url, arch=cfg.get_pki_arch(ArchLabel(ARCH)))

    def cert(self, label: str) -> x509.Certificate:
        return self.arch.get_cert(CertLabel(label))

    def key(self, label: str) -> keys.PrivateKeyInfo:
        return self.arch.key_set.get_private_key(KeyLabel(label))

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(port: int | None = None) -> Iterator[SandboxPKI]:
    """Serve the sandbox PKI's OCSP responders, CRLs and TSA on loopback while the block runs."""
    port = port or _free_port()
    pki = SandboxPKI.load(f"http://127.0.0.1:{port}")
    animator = Animator(AnimatorArchStore({pki.arch.arch_label: pki.arch}), with_web_ui=False)
    server = make_server("127.0.0.1", port, animator, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pki
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
