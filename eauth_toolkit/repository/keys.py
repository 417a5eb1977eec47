"""Signing keys: loading JWKs, PEM keys and X.509 certificates with joserfc, and the
registry of AMS authorities (``repository_list/authorities.json``).

An authority's registered key is a public JWK or an X.509 certificate (PEM). Signing keys are a
private JWK (JSON) or a PEM private key. Only ES256 (P-256) and EdDSA (Ed25519) are accepted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, OKPKey, import_key

from eauth_toolkit.errors import InputError, RepositoryError
from eauth_toolkit.repository.models import AMS_CODES

__all__ = [
    "ALGORITHMS",
    "Authority",
    "AuthorityRegistry",
    "load_key",
    "key_from_data",
    "algorithm_for",
    "key_id",
    "certificate_validity",
]

#: the JWS algorithms the repository signs and accepts
ALGORITHMS = ("ES256", "EdDSA")


def algorithm_for(key: Key) -> str:
    """ES256 for a P-256 key, EdDSA for an Ed25519 key; anything else is refused."""
    if isinstance(key, ECKey) and key.get("crv") == "P-256":
        return "ES256"
    if isinstance(key, OKPKey) and key.get("crv") == "Ed25519":
        return "EdDSA"
    raise RepositoryError(
        f"unsupported key ({key.key_type} {key.get('crv', '')}): use a P-256 (ES256) or "
        "Ed25519 (EdDSA) key",
        code="unsupported_key",
    )


def key_id(key: Key) -> str:
    """The key's ``kid``, or its RFC 7638 thumbprint when it has none."""
    return str(key.kid or key.thumbprint())


def key_from_data(data: str | bytes | dict[str, Any], *, where: str) -> Key:
    """A joserfc key from a JWK (dict or JSON text), a PEM key or a PEM certificate."""
    try:
        if isinstance(data, dict):
            key = import_key(data)
        else:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            stripped = text.lstrip()
            if stripped.startswith("{"):
                key = import_key(json.loads(stripped))
            elif "-----BEGIN" in stripped:
                key = _import_pem(text.encode("ascii"))
            else:
                raise InputError("not a JWK, PEM key or PEM certificate", where=where)
    except InputError as exc:
        if not exc.where:
            raise InputError(exc.message, where=where) from None
        raise
    except (JoseError, ValueError, TypeError, KeyError, UnicodeError) as exc:
        raise InputError(f"cannot load key: {exc}", where=where) from None
    algorithm_for(key)
    return key


def _describe_public_key(public: Any) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if isinstance(public, rsa.RSAPublicKey):
        return f"an RSA {public.key_size}-bit key"
    if isinstance(public, ec.EllipticCurvePublicKey):
        return f"an EC key on {public.curve.name}"
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "an Ed25519 key"
    if isinstance(public, ed448.Ed448PublicKey):
        return "an Ed448 key"
    return f"a {type(public).__name__}"


def _check_certificate(raw: bytes) -> None:
    """Say in plain words why a certificate cannot be the signer's key (a CA certificate, an
    RSA key), before the key import fails with a library message."""
    if b"-----BEGIN CERTIFICATE-----" not in raw:
        return
    try:
        cert = x509.load_pem_x509_certificate(raw)
    except ValueError as exc:
        raise ValueError(f"not a readable PEM certificate ({exc})") from None
    public = cert.public_key()
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    usable = isinstance(public, ed25519.Ed25519PublicKey) or (
        isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
    )
    try:
        is_ca = bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        is_ca = False
    subject = cert.subject.rfc4514_string() or "an empty subject"
    if is_ca and not usable:
        raise InputError(
            f"this is a CA certificate ({subject}) with {_describe_public_key(public)}, not the "
            "signer's certificate: give the certificate (or public JWK) of the key that signs, "
            "a P-256 (ES256) or Ed25519 (EdDSA) key",
            where="",
        )
    if not usable:
        raise InputError(
            f"the certificate ({subject}) holds {_describe_public_key(public)}; signatures "
            "here use P-256 (ES256) or Ed25519 (EdDSA) keys",
            where="",
        )


def _import_pem(raw: bytes) -> Key:
    _check_certificate(raw)
    last: Exception | None = None
    for kty in ("EC", "OKP"):
        try:
            return import_key(raw, kty)  # type: ignore[call-overload, no-any-return]
        except (JoseError, ValueError, TypeError) as exc:
            last = exc
    raise ValueError(str(last))


def load_key(path: str | Path) -> Key:
    """Load a key file (JWK JSON, PEM private or public key, or PEM certificate)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("key file not found", where=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read key file ({exc})", where=str(p)) from None
    return key_from_data(raw, where=str(p))


def certificate_validity(path: str | Path) -> tuple[dt.datetime, dt.datetime] | None:
    """(not before, not after) of a PEM certificate file; None when the file is not one."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    if b"-----BEGIN CERTIFICATE-----" not in raw:
        return None
    try:
        cert = x509.load_pem_x509_certificate(raw)
    except ValueError:
        return None
    return cert.not_valid_before_utc, cert.not_valid_after_utc


@dataclass(frozen=True)
class Authority:
    """The authority of one AMS and its registered public key."""

    ams: str
    name: str
    key: Key
    label: str = "sandbox"

    @property
    def kid(self) -> str:
        return key_id(self.key)


@dataclass(frozen=True)
class AuthorityRegistry:
    """AMS code -> authority. Loaded from ``authorities.json``; passed explicitly."""

    authorities: dict[str, Authority] = field(default_factory=dict)
    label: str = "sandbox"

    def get(self, ams: str) -> Authority | None:
        return self.authorities.get(ams)

    def __contains__(self, ams: object) -> bool:
        return ams in self.authorities

    @classmethod
    def load(cls, path: str | Path) -> AuthorityRegistry:
        """Read an authority registry file; every problem names the file and pointer."""
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("authority registry not found", where=str(p)) from None
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read authority registry ({exc})", where=str(p)) from None
        return cls.from_dict(data, where=str(p), base=p.parent)

    @classmethod
    def from_dict(
        cls, data: Any, *, where: str = "authorities", base: Path | None = None
    ) -> AuthorityRegistry:
        if not isinstance(data, dict) or not isinstance(data.get("authorities"), dict):
            raise InputError("expected an object with an 'authorities' object", where=where)
        out: dict[str, Authority] = {}
        for ams, item in data["authorities"].items():
            at = f"{where}#/authorities/{ams}"
            if ams not in AMS_CODES:
                raise InputError(f"{ams!r} is not an ASEAN Member State code", where=at)
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise InputError(
                    "expected an object with 'name' and 'jwk' or 'certificate'", where=at
                )
            if "jwk" in item:
                key = key_from_data(item["jwk"], where=f"{at}/jwk")
            elif "certificate" in item:
                cert = item["certificate"]
                if base is not None and isinstance(cert, str) and not cert.startswith("-----"):
                    cert = (base / cert).read_text(encoding="ascii")
                key = key_from_data(cert, where=f"{at}/certificate")
            else:
                raise InputError("authority has neither 'jwk' nor 'certificate'", where=at)
            if key.is_private:
                raise InputError(
                    "the registry must hold public keys only (a private key was given)", where=at
                )
            out[ams] = Authority(ams, item["name"], key, str(item.get("label", "sandbox")))
        return cls(out, str(data.get("label", "sandbox")))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "authorities": {
                a.ams: {"name": a.name, "label": a.label, "jwk": a.key.as_dict(private=False)}
                for a in self.authorities.values()
            },
        }
