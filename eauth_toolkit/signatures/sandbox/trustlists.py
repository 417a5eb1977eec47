"""The SANDBOX trust lists of MY and SG, built from the sandbox PKI.

``write_sandbox_trust_lists(out_dir)`` writes, for each AMS, the YAML description, the CA and
scheme-operator certificates it refers to, the signed TS 119 612 XML, and ``index.yaml`` that pins
each list's signer. The committed copies live in ``repository_list/trust-lists/``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from asn1crypto import pem

from eauth_toolkit.signatures.models import TrustListDescription
from eauth_toolkit.signatures.sandbox import SandboxPKI
from eauth_toolkit.signatures.trustlist import build_trust_list

__all__ = ["DESCRIPTIONS", "write_sandbox_trust_lists"]

_NOTICE = (
    "Sample trust list of the eauth-toolkit sandbox. Its services are test certification "
    "authorities; nothing on it is licensed or accredited by any authority."
)

DESCRIPTIONS: dict[str, dict[str, object]] = {
    "MY": {
        "territory": "MY",
        "operator": "SANDBOX Malaysia trust list scheme operator",
        "scheme_name": "MY: SANDBOX list of licensed certification authorities (Digital Signature Act 1997)",
        "sequence": 1,
        "issued": "2026-01-01T00:00:00Z",
        "next_update": "2027-12-31T00:00:00Z",
        "legal_notice": _NOTICE,
        "sandbox": True,
        "providers": [
            {
                "name": "SANDBOX MY Licensed CA Sdn Bhd",
                "services": [
                    {
                        "name": "SANDBOX MY Licensed CA",
                        "type": "CA/QC",
                        "status": "granted",
                        "since": "2024-01-01T00:00:00Z",
                        "certificates": ["certs/my-root.pem"],
                        "usage": ["esignatures"],
                    }
                ],
            },
            {
                "name": "SANDBOX Time-Stamping Services",
                "services": [
                    {
                        "name": "SANDBOX Time-Stamping Authority",
                        "type": "TSA/QTST",
                        "status": "granted",
                        "since": "2024-01-01T00:00:00Z",
                        "certificates": ["certs/tsa-root.pem"],
                    }
                ],
            },
        ],
    },
    "SG": {
        "territory": "SG",
        "operator": "SANDBOX Singapore trust list scheme operator",
        "scheme_name": "SG: SANDBOX list of accredited certification authorities",
        "sequence": 1,
        "issued": "2026-01-01T00:00:00Z",
        "next_update": "2027-12-31T00:00:00Z",
        "legal_notice": _NOTICE,
        "sandbox": True,
        "providers": [
            {
                "name": "SANDBOX SG CA Pte Ltd",
                "services": [
                    {
                        "name": "SANDBOX SG CA",
                        "type": "CA/QC",
                        "status": "granted",
                        "since": "2024-01-01T00:00:00Z",
                        "certificates": ["certs/sg-root.pem"],
                        "usage": ["esignatures"],
                    }
                ],
            },
            {
                "name": "SANDBOX Time-Stamping Services",
                "services": [
                    {
                        "name": "SANDBOX Time-Stamping Authority",
                        "type": "TSA/QTST",
                        "status": "granted",
                        "since": "2024-01-01T00:00:00Z",
                        "certificates": ["certs/tsa-root.pem"],
                    }
                ],
            },
        ],
    },
}


def _pem_cert(pki: SandboxPKI, label: str) -> bytes:
    return bytes(pem.armor("CERTIFICATE", pki.cert(label).dump()))


def _pem_key(pki: SandboxPKI, label: str) -> bytes:
    return bytes(pem.armor("PRIVATE KEY", pki.key(label).dump()))


def write_sandbox_trust_lists(out_dir: Path, pki: SandboxPKI | None = None) -> dict[str, Path]:
    """Write the sandbox lists to ``out_dir``; return ``{AMS: path of the XML}``."""
    pki = pki or SandboxPKI.load()
    (out_dir / "certs").mkdir(parents=True, exist_ok=True)
    for label in ("my-root", "sg-root", "tsa-root", "my-tlso", "sg-tlso"):
        (out_dir / "certs" / f"{label}.pem").write_bytes(_pem_cert(pki, label))
    written: dict[str, Path] = {}
    index: dict[str, object] = {
        "sandbox": True,
        "note": "SANDBOX trust lists: test CAs only. 'signer' pins the scheme operator certificate.",
        "lists": {},
    }
    for ams, raw in DESCRIPTIONS.items():
        desc_path = out_dir / f"{ams}.yaml"
        desc_path.write_text(
            "# SANDBOX trust list description (eauth trustlist build)\n"
            + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        desc = TrustListDescription.model_validate(raw)
        tlso = f"{ams.lower()}-tlso"
        xml = build_trust_list(
            desc, key_pem=_pem_key(pki, tlso), cert_pem=_pem_cert(pki, tlso), base=out_dir
        )
        target = out_dir / f"{ams}.xml"
        target.write_bytes(xml)
        written[ams] = target
        index["lists"][ams] = {"file": f"{ams}.xml", "signer": f"certs/{tlso}.pem"}  # type: ignore[index]
    (out_dir / "index.yaml").write_text(yaml.safe_dump(index, sort_keys=False), encoding="utf-8")
    return written
