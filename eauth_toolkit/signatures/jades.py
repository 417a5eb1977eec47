"""JWS signatures (JAdES, ETSI TS 119 182-1), compact serialisation, certificate in ``x5c``.

joserfc checks the JWS signature with the public key of the first ``x5c`` certificate; that
certificate's path to a trust list is validated by pyhanko-certvalidator (:mod:`.certpath`).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from pathlib import Path

from asn1crypto import pem, x509
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from eauth_toolkit.signatures.conclude import conclude
from eauth_toolkit.signatures.models import (
    FileReport,
)
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = ["jades_registry", "validate_jws"]


def _any(value: object) -> None:
    """JAdES structures we report but do not interpret: any JSON value is accepted."""
    return None


def jades_registry(algorithms: list[str] | None = None) -> jws.JWSRegistry:
    """joserfc's JWS registry plus the JAdES header parameters we read (TS 119 182-1, 5.1-5.2)."""
    from joserfc.registry import HeaderParameter

    registry = jws.JWSRegistry(
        header_registry={
            "sigT": HeaderParameter("Claimed signing time (JAdES)", "str"),
            "srCms": HeaderParameter("Signer commitments (JAdES)", _any),
            "sigPl": HeaderParameter("Signature production place (JAdES)", _any),
            "adoTst": HeaderParameter("Content time stamps (JAdES)", _any),
        },
        algorithms=algorithms,
    )
    # an x5c chain of two certificates is several kilobytes; the default cap is 512 bytes
    registry.max_header_length = 16 * 1024
    return registry


_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


def _b64(value: str) -> bytes:
    return base64.b64decode(value + "=" * (-len(value) % 4))


async def validate_jws(
    source: Path | bytes, options: ValidationOptions, *, name: str
) -> FileReport:
    try:
        raw = source.read_bytes() if isinstance(source, Path) else source
    except OSError as exc:
        return FileReport(file=name, format=None, error=f"cannot read: {exc.strerror}")
    token = raw.strip()
    try:
        compact = jws.extract_compact(token, registry=jades_registry())
        headers = compact.headers()
        x5c = headers.get("x5c")
        if not isinstance(x5c, list) or not x5c:
            raise ValueError("no x5c certificate chain in the protected header")
        certs = [x509.Certificate.load(_b64(c)) for c in x5c]
        leaf = certs[0]
        _ = leaf.subject
    except Exception as exc:
        return FileReport(
            file=name, format="JAdES", error=f"cannot read: not a JWS with an x5c header ({exc})"
        )
    reasons: list[str] = []
    warnings: list[str] = []
    alg = str(headers.get("alg"))
    thumb = headers.get("x5t#S256")
    intact = True
    indication, sub = "TOTAL-PASSED", None
    if (
        thumb is not None
        and _b64(str(thumb).replace("-", "+").replace("_", "/"))
        != hashlib.sha256(leaf.dump()).digest()
    ):
        indication, sub, intact = "TOTAL-FAILED", "FORMAT_FAILURE", False
        reasons.append("the x5t#S256 thumbprint does not match the x5c certificate")
    pem_key = pem.armor("PUBLIC KEY", leaf.public_key.dump())
    try:
        key = (
            RSAKey.import_key(pem_key)
            if leaf.public_key.algorithm == "rsa"
            else ECKey.import_key(pem_key)
        )
        jws.deserialize_compact(
            token, key, registry=jades_registry([alg] if alg in _ALGS else _ALGS)
        )
    except (JoseError, ValueError):
        indication, sub, intact = "TOTAL-FAILED", "SIG_CRYPTO_FAILURE", False
        reasons.append(f"the JWS signature value does not verify with the x5c certificate ({alg})")
    claimed = None
    if "sigT" in headers:
        try:
            claimed = datetime.fromisoformat(str(headers["sigT"]).replace("Z", "+00:00"))
        except ValueError:
            warnings.append("sigT is not a valid time")
    return await conclude(
        name=name,
        fmt="JAdES",
        leaf=leaf,
        chain=certs[1:],
        options=options,
        indication=indication,
        sub=sub,
        intact=intact,
        claimed=claimed,
        baseline="B-B"
        if ("x5t#S256" in headers or "x5c" in headers) and "sigT" in headers
        else None,
        reasons=reasons,
        warnings=warnings,
    )
