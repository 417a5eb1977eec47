"""Signature level (QES-equivalent, AdES-QC, AdES, SES or none), adapted to AMS trust lists.

The decision follows the qualification logic of the EU's DSS, with an AMS trust list in the
place of an EU trusted list:

1. a signature whose AdES validation failed has no level;
2. one that is intact but could not be validated as AdES (indeterminate) is ``SES``, with the reason;
3. a passed AdES signature whose certificate does not chain to a service granted on a trust list
   that counts in the AMS of evaluation is ``AdES``;
4. otherwise the certificate's qualified status is read from its QC statements and the trust list
   (pyHanko's ``QualificationAssessor``) both at issuance and at the best signature time; if it is
   qualified for e-signatures at both, the level is ``QES`` when the key is in a QSCD and
   ``AdES-QC`` otherwise;
5. a level that relies on another AMS's list is capped by the mutual-recognition agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from asn1crypto import x509
from pyhanko.sign.validation.qualified.assess import QualificationAssessor
from pyhanko.sign.validation.qualified.tsp import QcCertType
from pyhanko_certvalidator.path import ValidationPath

from eauth_toolkit.ams import SIGNATURE_LEVELS
from eauth_toolkit.signatures.trustlist import ServiceEntry, TrustList

if TYPE_CHECKING:
    from eauth_toolkit.recognition.caps import SignatureCap

__all__ = [
    "LEVEL_ORDER",
    "LevelDecision",
    "TrustSet",
    "agreements",
    "decide_level",
    "legal_term",
]

LEVEL_ORDER = SIGNATURE_LEVELS


def __getattr__(name: str) -> Any:
    # ``Agreement``: a signature recognition cap of an agreement in force (from, to, max_level,
    # agreement id); the recognition package is loaded only when agreements are needed
    if name == "Agreement":
        from eauth_toolkit.recognition.caps import SignatureCap

        return SignatureCap
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def agreements() -> tuple[SignatureCap, ...]:
    """Caps of the agreements in force in the verified default Repository List (used when the
    caller gives no caps)."""
    from eauth_toolkit.recognition.lists import default_trust

    return default_trust()[1]


@lru_cache(maxsize=1)
def _legal_terms() -> dict[str, dict[str, str]]:
    """AMS -> level -> "term [law, section; source]", from the Laws Reporting Scheme's law data."""
    from eauth_toolkit.laws.terms import legal_terms

    return legal_terms()


def legal_term(ams: str | None, level: str | None) -> str | None:
    """The AMS's own term for ``level`` where a source gives one."""
    if not ams or not level:
        return None
    return _legal_terms().get(ams, {}).get(level)


@dataclass(frozen=True)
class TrustSet:
    """The trust lists that count for one evaluation (all loaded lists, or those recognised in an AMS)."""

    lists: tuple[TrustList, ...]
    ams: str | None = None
    caps: tuple[SignatureCap, ...] | None = None

    @classmethod
    def for_ams(
        cls,
        lists: list[TrustList],
        ams: str | None,
        caps: tuple[SignatureCap, ...] | None = None,
    ) -> TrustSet:
        """``caps`` from a verified published list; without them, the local signed agreements."""
        if ams is None:
            return cls(tuple(lists), None, caps)
        pool = caps if caps is not None else agreements()
        recognised = {ams} | {a.from_ams for a in pool if a.to_ams == ams}
        return cls(tuple(tl for tl in lists if tl.territory in recognised), ams, caps)

    def anchors(self) -> list[x509.Certificate]:
        seen: dict[bytes, x509.Certificate] = {}
        for tl in self.lists:
            for c in tl.anchors():
                seen.setdefault(c.sha256, c)
        return list(seen.values())

    def cap_for(self, territory: str) -> str | None:
        """The highest level a list of ``territory`` can give in the AMS of evaluation."""
        if self.ams is None or territory == self.ams:
            return "QES"
        cap = self.cap_agreement(territory)
        return cap.max_level if cap else None

    def cap_agreement(self, territory: str) -> SignatureCap | None:
        """The agreement cap that lets a ``territory`` list count in the AMS of evaluation (none
        without an AMS of evaluation: the agreements are then not even read)."""
        if self.ams is None:
            return None
        for a in self.caps if self.caps is not None else agreements():
            if a.from_ams == territory and a.to_ams == self.ams:
                return a
        return None

    def locate_issuer(self, cert: x509.Certificate) -> tuple[TrustList, ServiceEntry] | None:
        """The listed CA service whose certificate names ``cert``'s issuer (by name only: a hint
        for reports when no path could be validated, never a basis for trust)."""
        for tl in self.lists:
            for svc in tl.services:
                if svc.is_ca and any(c.subject == cert.issuer for c in svc.certificates):
                    return tl, svc
        return None

    def locate(self, path: ValidationPath) -> tuple[TrustList, ServiceEntry] | None:
        """The list and service that name a CA certificate on ``path`` (nearest the signer first)."""
        certs = [c for c in path.iter_certs(include_root=True) if isinstance(c, x509.Certificate)]
        for cert in reversed(certs[:-1] if len(certs) > 1 else certs):
            for tl in self.lists:
                svc = tl.service_for(cert)
                if svc is not None and svc.is_ca:
                    return tl, svc
        return None


@dataclass(frozen=True)
class LevelDecision:
    level: str | None
    ams: str | None
    service: str | None
    status: str
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    #: the recognition agreement (and the published list carrying it) the level relied on
    agreement: str | None = None
    list_sequence: int | None = None


def _list_warnings(tl: TrustList) -> tuple[str, ...]:
    out = []
    if tl.next_update is not None and tl.next_update < datetime.now(UTC):
        out.append(f"the {tl.territory} trust list was due for update on {tl.next_update:%Y-%m-%d}")
    if not tl.signer_pinned:
        out.append(
            f"the {tl.territory} trust list was checked with the certificate it carries, not a pinned one"
        )
    return tuple(out)


def _status_at(svc: ServiceEntry, when: datetime) -> str:
    timeline = [(svc.status, svc.since), *svc.history]
    known = sorted(((st, t) for st, t in timeline if t is not None), key=lambda p: p[1])
    current = "not yet listed"
    for st, t in known:
        if t <= when:
            current = st
    return current


def decide_level(
    *,
    indication: str,
    intact: bool,
    path: ValidationPath | None,
    signing_time: datetime | None,
    trust: TrustSet,
    indeterminate_reason: str | None = None,
    signer_cert: x509.Certificate | None = None,
) -> LevelDecision:
    """Apply the level rules (module docstring) to one validated signature."""
    if indication == "TOTAL-FAILED":
        return LevelDecision(None, None, None, "not evaluated", ("AdES validation failed",))
    located = trust.locate(path) if path is not None else None
    if located is None and indication != "TOTAL-PASSED" and signer_cert is not None:
        located = trust.locate_issuer(signer_cert)
    ams = located[0].territory if located else None
    svc_name = located[1].name if located else None
    if indication != "TOTAL-PASSED":
        if not intact:
            return LevelDecision(
                None, ams, svc_name, "not evaluated", ("the signature is not intact",)
            )
        why = indeterminate_reason or "AdES validation was indeterminate"
        return LevelDecision(
            "SES", ams, svc_name, located[1].status if located else "not listed", (why,)
        )
    if located is None or path is None:
        return LevelDecision(
            "AdES",
            None,
            None,
            "not listed",
            ("the signer's CA is on no trust list that counts here",),
        )
    tl, svc = located
    cap = trust.cap_for(tl.territory)
    leaf = path.leaf
    assert isinstance(leaf, x509.Certificate)
    issued = leaf.not_valid_before
    when = signing_time or issued
    status_issued = _status_at(svc, issued)
    status_signed = _status_at(svc, when)
    reasons: list[str] = []
    level = "AdES"
    if status_issued != "granted" or status_signed != "granted":
        reasons.append(
            f"service '{svc.name}' was '{status_issued}' at issuance and '{status_signed}' at signing time"
        )
    else:
        assessor = QualificationAssessor(tl.registry)
        at_issue = assessor.check_entity_cert_qualified(path, issued)
        at_sign = assessor.check_entity_cert_qualified(path, when)
        both = (at_issue.status, at_sign.status)
        if all(s.qualified and s.qc_type == QcCertType.QC_ESIGN for s in both):
            if all(s.qc_key_security.is_qscd for s in both):
                level = "QES"
            else:
                level = "AdES-QC"
                reasons.append("no QSCD declared for the signing key (QC statements or trust list)")
        else:
            reasons.append("the certificate is not qualified-equivalent for e-signatures")
    warnings: list[str] = list(_list_warnings(tl))
    if cap is None:
        return LevelDecision(
            "AdES",
            tl.territory,
            svc.name,
            status_signed,
            ("no recognition agreement",),
            tuple(warnings),
        )
    used = trust.cap_agreement(tl.territory) if tl.territory != trust.ams else None
    if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(cap):
        warnings.append(
            f"level {level} under the {tl.territory} list is recognised in {trust.ams} only up to {cap}"
            + (f" ({used.source})" if used else "")
        )
        level = cap
    return LevelDecision(
        level,
        tl.territory,
        svc.name,
        status_signed,
        tuple(reasons),
        tuple(warnings),
        used.agreement if used else None,
        used.list_sequence if used else None,
    )
