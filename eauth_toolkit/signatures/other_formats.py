"""Signatures outside PDF: CMS (CAdES), JWS (JAdES), XML (XAdES), ASiC containers and e-invoices.

Each format module checks what is specific to it (structure, references, signature value, time
stamps, embedded certificates and revocation data) and describes every signature it found as a
:class:`Check`. :func:`finish` turns the checks into verdicts through the common conclusion: the
signer's path validated at the validation time (never the wall clock alone when ``--at`` is
given), past validation at the time a time stamp proves, the algorithm policy, the level.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms, crl, ocsp, tsp, x509

from eauth_toolkit.signatures.models import FileReport, SignatureVerdict
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = [
    "Check",
    "DetachedData",
    "TimeStampOutcome",
    "algorithm_problem",
    "archive_poe",
    "check_timestamp",
    "finish",
    "signature_timestamp",
    "validate",
]

#: detached signed data given by the caller: file name -> content (never fetched by us)
DetachedData = Mapping[str, bytes]


@dataclass
class Check:
    """What a format module found out about one signature, before the path and level decision."""

    indication: str = "TOTAL-PASSED"
    sub: str | None = None
    intact: bool = True
    leaf: x509.Certificate | None = None
    chain: list[x509.Certificate] = field(default_factory=list)
    claimed: datetime | None = None
    proven: datetime | None = None
    baseline: str | None = None
    label: str | None = None
    coverage: str | None = "ENTIRE_FILE"
    crls: list[crl.CertificateList] = field(default_factory=list)
    ocsps: list[ocsp.OCSPResponse] = field(default_factory=list)
    algorithms: list[tuple[str, int | None]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    context: str | None = None

    def fail(
        self, indication: str, sub: str, reason: str | None, *, intact: bool | None = None
    ) -> None:
        """Record a problem. A failure wins over an indeterminate outcome; the first problem of
        the winning kind is the decisive one (its ``reason`` is the context of the
        sub-indication), the others are kept as further reasons."""
        decisive = self.indication == "TOTAL-PASSED" or (
            self.indication == "INDETERMINATE" and indication == "TOTAL-FAILED"
        )
        if decisive:
            if self.context:
                self.reasons.insert(0, f"{self.sub}: {self.context}")
            self.indication, self.sub, self.context = indication, sub, reason
        elif reason:
            self.reasons.append(f"{sub}: {reason}")
        if intact is not None and not intact:
            self.intact = False


# ---------------------------------------------------------------------------------------------
# algorithm policy (ETSI TS 119 312: hash functions and key sizes acceptable for signatures)

#: digest algorithms no longer acceptable for signatures, and since when
_WEAK_DIGESTS = {
    "md5": datetime(2005, 1, 1, tzinfo=UTC),
    "sha1": datetime(2013, 1, 1, tzinfo=UTC),
}
#: smallest RSA / DSA modulus accepted today, and the date smaller ones stopped being acceptable
_MIN_RSA_BITS = 1900
_SMALL_RSA_UNTIL = datetime(2019, 1, 1, tzinfo=UTC)


def algorithm_problem(
    algorithms: list[tuple[str, int | None]], poe: datetime | None
) -> tuple[str, str] | None:
    """``(sub_indication, reason)`` when a digest or key size is not acceptable and no proof of
    existence (``poe``, a time stamp) shows the signature was made while it still was."""
    for name, bits in algorithms:
        until = _WEAK_DIGESTS.get(name)
        if until is not None and (poe is None or poe >= until):
            return (
                "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                f"{name.upper()} is not acceptable for signatures since {until:%Y-%m-%d}"
                " (ETSI TS 119 312) and no time stamp proves the signature existed before",
            )
        if (
            name in ("rsa", "dsa")
            and bits is not None
            and bits < _MIN_RSA_BITS
            and (poe is None or poe >= _SMALL_RSA_UNTIL)
        ):
            return (
                "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                f"a {bits}-bit {name.upper()} key is below the {_MIN_RSA_BITS} bits accepted"
                " (ETSI TS 119 312) and no time stamp proves the signature existed before",
            )
    return None


def key_algorithm(cert: x509.Certificate) -> tuple[str, int | None]:
    algo = cert.public_key.algorithm
    try:
        bits = cert.public_key.bit_size
    except Exception:  # an unusual key: reported without a size
        bits = None
    return algo, bits


# ---------------------------------------------------------------------------------------------
# time stamps


@dataclass(frozen=True)
class TimeStampOutcome:
    ok: bool
    time: datetime | None
    reason: str | None
    certs: tuple[x509.Certificate, ...] = ()
    #: the authority's path did not hold (curable by a proof of existence at an earlier time)
    path_problem: bool = False
    note: str | None = None


def _tst_time(token: cms.ContentInfo) -> datetime | None:
    try:
        info = token["content"]["encap_content_info"]["content"].parsed
        return info["gen_time"].native if isinstance(info, tsp.TSTInfo) else None
    except Exception:
        return None


async def check_timestamp(
    token_der: bytes | cms.ContentInfo,
    imprint_input: bytes,
    options: ValidationOptions,
    *,
    what: str = "signature time stamp",
    imprint: bool = True,
    check: Check | None = None,
    poe: datetime | None = None,
) -> TimeStampOutcome:
    """Validate an RFC 3161 token over ``imprint_input``: its TSA signature, the TSA's path to a
    trust list (at the validation time, with the certificates and revocation data the signature
    carries, from ``check``) and the message imprint.

    ``poe``: a time at which a valid archive time stamp proves the token and its validation data
    existed (EN 319 102-1, 5.6.2.4 past signature validation). When the authority's path does
    not hold at the validation time (an expired or since revoked TSA certificate), it is
    validated again at that time."""
    outcome = await _check_timestamp_at(
        token_der, imprint_input, options, what, imprint, check, options.at or datetime.now(UTC)
    )
    if outcome.path_problem and poe is not None and poe < (options.at or datetime.now(UTC)):
        past = await _check_timestamp_at(
            token_der, imprint_input, options, what, imprint, check, poe
        )
        if past.ok:
            return TimeStampOutcome(
                True,
                past.time,
                None,
                past.certs,
                note=f"the {what}'s authority validated at {poe:%Y-%m-%d %H:%M:%SZ}, the time an"
                " archive time stamp proves (past signature validation, EN 319 102-1)",
            )
    return outcome


async def _check_timestamp_at(
    token_der: bytes | cms.ContentInfo,
    imprint_input: bytes,
    options: ValidationOptions,
    what: str,
    imprint: bool,
    check: Check | None,
    moment: datetime,
) -> TimeStampOutcome:
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    try:
        token = (
            token_der if isinstance(token_der, cms.ContentInfo) else cms.ContentInfo.load(token_der)
        )
        signed = token["content"]
        _ = signed["signer_infos"][0]
    except Exception:
        return TimeStampOutcome(False, None, f"the {what} cannot be read (not an RFC 3161 token)")
    when = _tst_time(token)
    certs = tuple(
        c.chosen for c in (signed["certificates"] or []) if isinstance(c.chosen, x509.Certificate)
    )
    vc = ValidationContext(
        trust_roots=options.trust.anchors(),
        other_certs=list(certs) + (check.chain if check else []),
        crls=check.crls if check else [],
        ocsps=check.ocsps if check else [],
        moment=moment,
        allow_fetching=options.online,
    )

    def expected(algo: str) -> bytes:
        if not imprint:  # the caller does not know what the token covers: take its own value
            tst = signed["encap_content_info"]["content"].parsed
            return bytes(tst["message_imprint"]["hashed_message"].native)
        return hashlib.new(algo, imprint_input).digest()

    try:
        status = await validate_tst_signed_data(signed, vc, expected)
    except Exception:
        return TimeStampOutcome(False, when, f"the {what} does not validate", certs)
    if not status.get("intact"):
        return TimeStampOutcome(
            False, when, f"the {what} does not cover this signature (message imprint differs)"
        )
    if not status.get("valid"):
        return TimeStampOutcome(False, when, f"the {what}'s own signature does not verify", certs)
    if status.get("trust_problem_indic") is not None or status.get("validation_path") is None:
        return TimeStampOutcome(
            False,
            when,
            f"the {what}'s authority does not chain to a trust list that counts here"
            f" at {moment:%Y-%m-%d %H:%M:%SZ}",
            certs,
            path_problem=True,
        )
    return TimeStampOutcome(True, when, None, certs)


async def archive_poe(
    tokens: list[tuple[bytes | cms.ContentInfo, bytes | None]],
    options: ValidationOptions,
    check: Check,
) -> datetime | None:
    """Validate the archive time stamps ``(token, imprint input or None when what it covers is
    not recomputed)``, the latest first, each earlier one at the time the later one proves;
    return the earliest time a valid one whose message imprint was checked proves the
    signature, its time stamps and validation data existed (None when none does). Problems
    go to the check's warnings."""

    def loaded(t: bytes | cms.ContentInfo) -> cms.ContentInfo | None:
        try:
            return t if isinstance(t, cms.ContentInfo) else cms.ContentInfo.load(t)
        except Exception:
            return None

    def key(item: tuple[bytes | cms.ContentInfo, bytes | None]) -> datetime:
        token = loaded(item[0])
        when = _tst_time(token) if token is not None else None
        return when or datetime.min.replace(tzinfo=UTC)

    poe: datetime | None = None
    for token, imprint_input in sorted(tokens, key=key, reverse=True):
        outcome = await check_timestamp(
            token,
            imprint_input or b"",
            options,
            what="archive time stamp",
            imprint=imprint_input is not None,
            check=check,
            poe=poe,
        )
        if not outcome.ok or outcome.time is None:
            check.warnings.append(outcome.reason or "archive time stamp not valid")
            continue
        if outcome.note:
            check.warnings.append(outcome.note)
        if imprint_input is None:  # not known to cover this signature: proves nothing about it
            check.warnings.append(
                "archive time stamp validated (authority and signature); what it covers is not"
                " recomputed, so it is not taken as proof of existence"
            )
            continue
        poe = outcome.time if poe is None else min(poe, outcome.time)
    return poe


async def signature_timestamp(
    token: bytes | cms.ContentInfo,
    imprint_input: bytes,
    options: ValidationOptions,
    check: Check,
    poe: datetime | None,
) -> None:
    """Validate one signature time stamp (at the validation time, or at ``poe``, the time an
    archive time stamp proves) and keep the earliest time it proves as ``check.proven``."""
    outcome = await check_timestamp(token, imprint_input, options, check=check, poe=poe)
    if outcome.ok and outcome.time is not None:
        if outcome.note:
            check.warnings.append(outcome.note)
        if check.proven is None or outcome.time < check.proven:
            check.proven = outcome.time
    else:
        check.warnings.append(outcome.reason or "signature time stamp not valid")


# ---------------------------------------------------------------------------------------------
# the common end


async def finish(
    checks: list[Check],
    options: ValidationOptions,
    *,
    name: str,
    fmt: str,
    notes: list[str] | None = None,
) -> FileReport:
    """Path, algorithm policy and level for every check, one verdict each (same contract as PAdES)."""
    verdicts = [await _conclude_one(c, options) for c in checks]
    return FileReport(file=name, format=fmt, signatures=verdicts, notes=notes or [])  # type: ignore[arg-type]


#: path problems a proof of existence (a valid time stamp) can cure by validating in the past
_CURABLE = {
    "OUT_OF_BOUNDS_NO_POE",
    "OUT_OF_BOUNDS_NOT_REVOKED",
    "REVOKED_NO_POE",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE",
    "EXPIRED",
}


async def _conclude_one(check: Check, options: ValidationOptions) -> SignatureVerdict:
    """The signer's path (with the validation data the signature carries), past validation at
    a proven time, the algorithm policy, then the one verdict builder."""
    from eauth_toolkit.signatures.certpath import validate_signer_path
    from eauth_toolkit.signatures.verdicts import Checks, build_verdict

    warnings = list(check.warnings)
    path, revocation, detail = None, None, None
    leaf = check.leaf
    if check.indication == "TOTAL-PASSED" and leaf is None:
        check.fail("INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", None)
    if check.indication == "TOTAL-PASSED" and leaf is not None:
        moment = options.at or datetime.now(UTC)
        outcome = await validate_signer_path(
            leaf, check.chain, options, moment=moment, crls=check.crls, ocsps=check.ocsps
        )
        if (
            outcome.indication != "TOTAL-PASSED"
            and outcome.sub_indication in _CURABLE
            and check.proven is not None
            and check.proven < moment
        ):
            past = await validate_signer_path(
                leaf, check.chain, options, moment=check.proven, crls=check.crls, ocsps=check.ocsps
            )
            if past.indication == "TOTAL-PASSED":
                warnings.append(
                    f"certificate validated at {check.proven:%Y-%m-%d %H:%M:%SZ}, the time the"
                    f" signature time stamp proves (at {moment:%Y-%m-%d}: {outcome.sub_indication})"
                )
                outcome = past
        path, revocation = outcome.path, outcome.revocation
        if outcome.indication != "TOTAL-PASSED":
            check.fail(outcome.indication, str(outcome.sub_indication), None)
            detail = outcome.reason
    if check.intact and check.indication != "TOTAL-FAILED":
        problem = algorithm_problem(check.algorithms, check.proven)
        if problem is not None:
            if check.indication == "TOTAL-PASSED":
                check.fail("INDETERMINATE", problem[0], problem[1])
            else:
                check.reasons.append(f"{problem[0]}: {problem[1]}")
    embedded = bool(check.crls or check.ocsps)
    checks = Checks(
        indication=check.indication,
        sub_indication=check.sub,
        context=check.context,
        detail=detail,
        intact=check.intact,
        field=check.label,
        signer_cert=leaf,
        path=path,
        signing_time=check.claimed,
        proven_time=check.proven,
        baseline=check.baseline,
        revocation_status=revocation,
        revocation_source="embedded (signature)"
        if embedded
        else ("online" if options.online else "none"),
        coverage=check.coverage,
        warnings=warnings,
        reasons=list(check.reasons),
    )
    return build_verdict(checks, options.trust)


def read_source(source: Path | bytes) -> bytes:
    return source.read_bytes() if isinstance(source, Path) else source


async def validate(
    fmt: str,
    source: Path | bytes,
    options: ValidationOptions,
    *,
    name: str,
    data: DetachedData | None = None,
) -> FileReport:
    """Dispatch to the validator of ``fmt``; every outcome is a report, never an exception, and
    an input that cannot be read gets a one-line error."""
    report = await _validate(fmt, source, options, name=name, data=data)
    if report.error and "\n" in report.error:
        report = report.model_copy(update={"error": " ".join(report.error.split())})
    return report


async def _validate(
    fmt: str,
    source: Path | bytes,
    options: ValidationOptions,
    *,
    name: str,
    data: DetachedData | None,
) -> FileReport:
    try:
        if fmt == "CAdES":
            from eauth_toolkit.signatures.cades import validate_cms

            return await validate_cms(source, options, name=name, data=data)
        if fmt == "JAdES":
            from eauth_toolkit.signatures import einvoice
            from eauth_toolkit.signatures.jades import validate_jws

            if einvoice.is_ubl_json(read_source(source)[:4096]):
                return await einvoice.validate_ubl_json(source, options, name=name)
            return await validate_jws(source, options, name=name, data=data)
        if fmt == "ASiC":
            from eauth_toolkit.signatures.asic import validate_asic

            return await validate_asic(source, options, name=name)
        from eauth_toolkit.signatures.xades import validate_xml

        return await validate_xml(source, options, name=name, data=data)
    except RecursionError:
        return FileReport(file=name, format=None, error="cannot read: structure nested too deeply")
    except OSError as exc:
        return FileReport(file=name, format=None, error=f"cannot read: {exc.strerror or exc}")
    except Exception as exc:
        return FileReport(file=name, format=None, error=f"cannot read: {type(exc).__name__}: {exc}")


def b64any(value: str) -> bytes:
    """Decode base64 or base64url, padded or not (ETSI formats use both)."""
    import base64

    text = "".join(value.split())
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
