"""Fixtures of the signature tests: the sandbox PKI served on loopback and signed PDFs made at
session start (nothing binary is committed)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from eauth_toolkit.signatures.api import VerifyRequest, options_for
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.samples import sample_pdf
from eauth_toolkit.signatures.sandbox import SandboxPKI, serve
from eauth_toolkit.signatures.signing import sign_pdf

for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

#: (signer, baseline) pairs signed once per session
FIXTURES = [
    ("my-signer-qc", "B-B"),
    ("my-signer-qc", "B-T"),
    ("my-signer-qc", "B-LT"),
    ("my-signer-qc", "B-LTA"),
    ("my-signer-qc-nosscd", "B-LT"),
    ("my-signer", "B-LT"),
    ("my-signer-ec", "B-LT"),
    ("sg-signer-qc", "B-LT"),
    ("rogue-signer", "B-T"),
    ("my-signer-revoked", "B-B"),
]


@dataclass
class Signed:
    pki: SandboxPKI
    dir: Path
    files: dict[tuple[str, str], Path]

    def path(self, signer: str, baseline: str) -> Path:
        return self.files[(signer, baseline)]

    def data(self, signer: str, baseline: str) -> bytes:
        return self.files[(signer, baseline)].read_bytes()


@pytest.fixture(scope="session")
def sandbox_pki() -> Iterator[SandboxPKI]:
    """The sandbox PKI with OCSP, CRL and TSA served over HTTP on 127.0.0.1 for the whole session."""
    with serve() as pki:
        yield pki


@pytest.fixture(scope="session")
def signed(sandbox_pki: SandboxPKI, tmp_path_factory: pytest.TempPathFactory) -> Signed:
    out = tmp_path_factory.mktemp("signed")
    files: dict[tuple[str, str], Path] = {}
    for signer, baseline in FIXTURES:
        data = sign_pdf(sample_pdf(), pki=sandbox_pki, signer=signer, baseline=baseline)  # type: ignore[arg-type]
        path = out / f"{signer}_{baseline}.pdf"
        path.write_bytes(data)
        files[(signer, baseline)] = path
    # two signatures: MY qualified, then SG qualified over it
    first = files[("my-signer-qc", "B-LT")].read_bytes()
    two = sign_pdf(
        first, pki=sandbox_pki, signer="sg-signer-qc", baseline="B-LT", field_name="Signature2"
    )
    (out / "two.pdf").write_bytes(two)
    files[("two", "B-LT")] = out / "two.pdf"
    return Signed(pki=sandbox_pki, dir=out, files=files)


@pytest.fixture(scope="session")
def offline() -> ValidationOptions:
    return options_for(VerifyRequest())


@pytest.fixture(scope="session")
def online() -> ValidationOptions:
    return options_for(VerifyRequest(online=True))
