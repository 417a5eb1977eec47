"""ETSI EN 319 102-1 sub-indications in plain words, for reports read by people."""

from __future__ import annotations

__all__ = ["EXPLANATIONS", "explain"]

#: plain words for the ETSI sub-indications (EN 319 102-1, table 5)
EXPLANATIONS = {
    "FORMAT_FAILURE": "the signature is not well formed",
    "HASH_FAILURE": "the signed data does not match its digest: the document was altered",
    "SIG_CRYPTO_FAILURE": "the signature value does not verify with the signer's public key",
    "REVOKED": "the signer's certificate was revoked before the signature was made",
    "NOT_YET_VALID": "the signature was made before the signer's certificate was valid",
    "NO_CERTIFICATE_CHAIN_FOUND": "the signer's certificate does not chain to a CA on a trust list that counts here",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": (
        "the certificate chain could not be validated (often: no revocation information; try --online)"
    ),
    "CHAIN_CONSTRAINTS_FAILURE": "the certificate chain breaks a constraint (key usage, path length, policy)",
    "CRYPTO_CONSTRAINTS_FAILURE": "an algorithm or key size is not acceptable",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "an algorithm became weak and nothing proves the signature existed before",
    "REVOKED_NO_POE": "the signer's certificate is revoked and nothing proves the signature existed before",
    "REVOKED_CA_NO_POE": "a CA certificate on the chain is revoked and nothing proves the signature existed before",
    "OUT_OF_BOUNDS_NO_POE": "the signer's certificate expired and nothing proves the signature existed before",
    "OUT_OF_BOUNDS_NOT_REVOKED": "the signer's certificate expired (not revoked) and nothing proves when it was signed",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "the revocation information is out of its validity period",
    "EXPIRED": "the signer's certificate has expired",
    "NO_POE": "nothing proves the signature existed at a time it could be validated",
    "TRY_LATER": "revocation information is not yet available; try again later or with --online",
    "SIG_CONSTRAINTS_FAILURE": "a signed attribute breaks the validation constraints",
    "TIMESTAMP_ORDER_FAILURE": "the time stamps are in an impossible order",
    "NO_SIGNING_CERTIFICATE_FOUND": "the signer's certificate is not in the signature",
    "SIGNED_DATA_NOT_FOUND": "the signed data could not be found",
    "POLICY_PROCESSING_ERROR": "the signature policy could not be processed",
    "SIGNATURE_POLICY_NOT_AVAILABLE": "the signature policy is not available",
    "GENERIC": "the validation could not conclude",
}


def explain(sub: str, detail: str | None = None) -> str:
    """A sentence for a sub-indication, with the engine's own detail when it adds something."""
    text = EXPLANATIONS.get(sub, sub)
    if detail and "Past validation not applicable" not in detail:
        text += f" ({detail.strip()})"
    return text
