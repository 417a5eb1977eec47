"""The trust a consumer takes from a verified published list: the one source for gateways and
signature checks.

:func:`load_trust_view` verifies the list the way every reader must (publisher signature, canonical
form, freshness, rollback: :func:`~eauth_toolkit.repository.publication.load_verified_list`), then
checks every agreement it carries against the registered authority keys, so a list that carries an
agreement without every party's signature, or past its end date, does not make it count.

A :class:`TrustView` answers what the pilot gateways and the signature validator ask:

- :meth:`TrustView.authentication`: may a citizen of ``from_ams`` who signed in with ``technology``
  at ``acr`` use a service of ``relying_ams``, and at which level (the technology is in the list and
  not withdrawn, an agreement in force recognises it, the ``acr`` value maps to a level, and the
  level is agreed by peer review; the level is capped by the agreement and the agreed level);
- :meth:`TrustView.signature_caps` and :meth:`TrustView.trust_lists` for the signature validator.

Every answer names the list sequence number and the agreement it relied on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joserfc.jwk import Key

from eauth_toolkit.errors import EauthError, InputError, RecognitionError
from eauth_toolkit.recognition.caps import SignatureCap, signature_caps
from eauth_toolkit.recognition.decisions import decide
from eauth_toolkit.recognition.signed import AgreementStatus, check_agreement
from eauth_toolkit.repository.keys import AuthorityRegistry

__all__ = ["AuthenticationDecision", "TrustView", "TrustSource", "load_trust_view"]


@dataclass(frozen=True)
class AuthenticationDecision:
    """Whether a cross-border sign-in is accepted, at which level, and on what grounds."""

    accepted: bool
    reason: str
    level: int | None
    technology: str
    from_ams: str
    relying_ams: str
    acr: str | None
    list_sequence: int
    agreement: str | None = None
    code: str = "ok"

    def to_event(self) -> dict[str, Any]:
        """The fields a gateway records with its event."""
        return {
            "accepted": self.accepted,
            "reason": self.reason,
            "level": self.level,
            "technology": self.technology,
            "acr": self.acr,
            "list_sequence": self.list_sequence,
            "agreement": self.agreement,
            "code": self.code,
        }


@dataclass(frozen=True)
class TrustView:
    """What one verified list says, checked."""

    list_sequence: int
    issued_at: str
    next_update: str
    entries: dict[str, dict[str, Any]]
    agreements: tuple[AgreementStatus, ...]
    levels: dict[str, dict[str, Any]]
    pointers: tuple[dict[str, Any], ...]
    on: dt.date
    sandbox: bool = False
    _caps: tuple[SignatureCap, ...] = field(default=(), repr=False)

    # -------------------------------------------------------------- authentication

    def technologies(self, ams: str | None = None) -> list[dict[str, Any]]:
        """Active technologies of ``ams`` (or all), with their OpenID issuer and acr vocabulary."""
        return [
            e
            for e in self.entries.values()
            if e.get("status") == "active" and (ams is None or e.get("ams") == ams)
        ]

    def agreements_in_force(self) -> list[AgreementStatus]:
        return [a for a in self.agreements if a.in_force]

    def acr_levels(self, technology: str) -> dict[str, int]:
        """``acr`` value -> ISO/IEC 29115 level, as the technology's entry states them."""
        oidc = (self.entries.get(technology) or {}).get("oidc") or {}
        return {
            str(a["acr"]): int(a["iso29115"])
            for a in oidc.get("acr_values") or []
            if isinstance(a, dict) and isinstance(a.get("iso29115"), int)
        }

    def authentication(
        self,
        *,
        technology: str,
        from_ams: str,
        relying_ams: str,
        acr: str | None,
    ) -> AuthenticationDecision:
        """Apply the list to one cross-border sign-in (see the module docstring)."""
        n = self.list_sequence

        def refuse(reason: str, code: str, agreement: str | None = None) -> AuthenticationDecision:
            return AuthenticationDecision(
                False, reason, None, technology, from_ams, relying_ams, acr, n, agreement, code
            )

        entry = self.entries.get(technology)
        if entry is None:
            return refuse(f"{technology} is not in the Repository List #{n}", "unknown_technology")
        if entry.get("ams") != from_ams:
            return refuse(
                f"{technology} belongs to {entry.get('ams')}, not {from_ams} (list #{n})",
                "wrong_ams",
            )
        if entry.get("status") != "active":
            last = (entry.get("status_history") or [{}])[-1]
            why = f": {last['reason']}" if last.get("reason") else ""
            return refuse(
                f"{from_ams} {entry.get('status')} {technology} on {last.get('date', '?')}{why} "
                f"(Repository List #{n})",
                "withdrawn" if entry.get("status") == "withdrawn" else "suspended",
            )
        rule = None
        reasons: list[str] = []
        for st in self.agreements:
            if not st.in_force:
                if any(r.technology == technology for r in st.agreement.recognitions):
                    reasons.append(st.reason)
                continue
            d = decide(
                st.agreement,
                technology=technology,
                from_ams=from_ams,
                relying_ams=relying_ams,
                on=self.on,
            )
            if d.recognised and d.max_level is not None:
                rule = (st, d.max_level)
                break
            reasons.append(d.reason)
        if rule is None:
            why = "; ".join(reasons) or "no agreement in the list recognises it"
            return refuse(
                f"{technology} of {from_ams} is not recognised in {relying_ams}: {why} "
                f"(Repository List #{n})",
                "not_recognised",
            )
        agreement, cap = rule
        levels = self.acr_levels(technology)
        claimed = (entry.get("claimed_level") or {}).get("iso29115")
        if not levels and acr is None and isinstance(claimed, int):
            national = claimed  # a provider that speaks no acr: the level registered for it
        elif acr is None or acr not in levels:
            return refuse(
                f"acr {acr!r} is not in the vocabulary {technology} published in list #{n} "
                f"({', '.join(levels) or 'none'})",
                "unknown_acr",
                agreement.id,
            )
        else:
            national = levels[acr]
        review = self.levels.get(technology) or {}
        if review.get("state") != "agreed" or not isinstance(review.get("agreed_level"), int):
            state = review.get("state", "not reviewed")
            return refuse(
                f"the level of {technology} is {state}, not agreed by peer review "
                f"(Repository List #{n}, policy: {review.get('policy', 'none')})",
                "level_not_agreed",
                agreement.id,
            )
        level = min(national, int(review["agreed_level"]), cap)
        capped = []
        if level < national:
            capped.append(
                f"capped from {national} by the agreed level {review['agreed_level']} and the "
                f"agreement's level {cap}"
            )
        endorsed = ", ".join(review.get("endorsed_by") or [])
        return AuthenticationDecision(
            True,
            f"{technology} of {from_ams} accepted in {relying_ams} at level {level} under "
            f"agreement {agreement.id} (Repository List #{n}; level agreed, endorsed by "
            f"{endorsed})" + (f"; {capped[0]}" if capped else ""),
            level,
            technology,
            from_ams,
            relying_ams,
            acr,
            n,
            agreement.id,
        )

    # -------------------------------------------------------------- signatures

    def signature_caps(self) -> tuple[SignatureCap, ...]:
        return self._caps

    def trust_lists(self, base: Path) -> list[Any]:
        """The AMS trust lists the list points to, each checked against the digest and the
        signing certificate the list gives (``base`` resolves relative locations)."""
        from eauth_toolkit.signatures.trustlist import load_certificates, parse_trust_list

        out = []
        for p in self.pointers:
            location = str(p["location"])
            if "://" in location:
                raise InputError(
                    f"trust list of {p['ams']} is at {location}: fetching is not supported here; "
                    "download it beside the list",
                    where="trust/trust_lists",
                )
            path = base / location
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(
                    f"cannot read the trust list of {p['ams']}: {exc.strerror}", where=str(path)
                ) from None
            if hashlib.sha256(data).hexdigest() != p["sha256"]:
                raise RecognitionError(
                    f"the trust list of {p['ams']} does not match the digest in Repository List "
                    f"#{self.list_sequence}",
                    where=str(path),
                    code="trust_list_digest",
                )
            pinned = load_certificates(
                str(p["signer_certificate"]).encode("ascii"), where="trust/signer_certificate"
            )
            tl = parse_trust_list(data, source=str(path), pinned=pinned)
            if tl.territory != p["ams"]:
                raise RecognitionError(
                    f"the list points to a trust list of {tl.territory} for {p['ams']}",
                    where=str(path),
                    code="trust_list_territory",
                )
            out.append(tl)
        return out


def load_trust_view(
    source: bytes | str | Path,
    publisher_key: Key,
    *,
    authorities: AuthorityRegistry,
    key_valid: tuple[dt.datetime, dt.datetime] | None = None,
    state_file: str | Path | None = None,
    not_older_than: int | None = None,
    now: dt.datetime | None = None,
) -> TrustView:
    """Verify a published list (signature, freshness, rollback) and check what it carries.

    Raises :class:`~eauth_toolkit.repository.publication.ListVerificationError` (or
    :class:`InputError`) for a list that must not be used: a consumer keeps its last good view."""
    from eauth_toolkit.repository.publication import load_verified_list

    now = now or dt.datetime.now(dt.UTC)
    verified = load_verified_list(
        source,
        publisher_key,
        key_valid=key_valid,
        state_file=state_file,
        not_older_than=not_older_than,
        now=now,
    )
    payload = verified.payload
    trust = payload.get("trust") or {}
    day = now.date()
    statuses: list[AgreementStatus] = []
    for i, item in enumerate(trust.get("agreements") or []):
        statuses.append(
            check_agreement(
                item.get("document"), authorities, on=day, where=f"list#/trust/agreements/{i}"
            )
        )
    n = verified.sequence_number
    return TrustView(
        list_sequence=n,
        issued_at=str(payload["issued_at"]),
        next_update=str(payload["next_update"]),
        entries={str(e["id"]): e for e in payload["entries"] if isinstance(e, dict)},
        agreements=tuple(statuses),
        levels={str(lv["entry"]): lv for lv in trust.get("levels") or []},
        pointers=tuple(trust.get("trust_lists") or []),
        on=day,
        sandbox=bool((payload.get("scheme_information") or {}).get("sandbox")),
        _caps=signature_caps(statuses, list_sequence=n),
    )


class TrustSource:
    """A published list file as a gateway reads it: verified on every change, the last good view
    kept when a newer file fails (the reason is logged and kept in :attr:`last_error`), and a
    newer list taking effect on the next call, without a restart. Rollback is refused: once list
    N was used, a file with a lower number is not."""

    def __init__(
        self,
        path: str | Path,
        publisher_key: Key,
        *,
        authorities: AuthorityRegistry,
        key_valid: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> None:
        self.path = Path(path)
        self.publisher_key = publisher_key
        self.authorities = authorities
        self.key_valid = key_valid
        self._view: TrustView | None = None
        self._digest: str | None = None
        self._stamp: tuple[int, int, int, int] | None = None
        self.last_error: str | None = None

    def current(self, *, now: dt.datetime | None = None) -> TrustView:
        """The view to decide with now; raises only when no good list was ever read."""
        import logging

        log = logging.getLogger(__name__)
        try:
            st = self.path.stat()
        except OSError as exc:
            return self._keep(f"cannot read {self.path}: {exc.strerror}", log, now)
        # the file as it stands (a new publication is a new file or a rewrite: a new inode, a
        # new change time or size); the same file is not read again at each decision
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if stamp == self._stamp and self._view is not None and self.last_error is None:
            return self._fresh(self._view, now, log)
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            return self._keep(f"cannot read {self.path}: {exc.strerror}", log, now)
        self._stamp = stamp
        digest = hashlib.sha256(raw).hexdigest()
        if digest == self._digest and self._view is not None:
            return self._fresh(self._view, now, log)
        try:
            view = load_trust_view(
                raw,
                self.publisher_key,
                authorities=self.authorities,
                key_valid=self.key_valid,
                not_older_than=self._view.list_sequence if self._view else None,
                now=now,
            )
        except EauthError as exc:  # fail closed on the new file, keep the last good one
            return self._keep(f"list {self.path} refused: {exc}", log, now)
        self._view, self._digest, self.last_error = view, digest, None
        return view

    @property
    def last_sequence(self) -> int | None:
        """The number of the last good list read (None before the first)."""
        return self._view.list_sequence if self._view is not None else None

    def _keep(self, why: str, log: Any, now: dt.datetime | None) -> TrustView:
        self.last_error = why
        if self._view is None:
            raise RecognitionError(f"no good Repository List: {why}", code="no_list")
        log.warning("%s; keeping Repository List #%s", why, self._view.list_sequence)
        return self._fresh(self._view, now, log)

    def _fresh(self, view: TrustView, now: dt.datetime | None, log: Any) -> TrustView:
        """``view`` while it is before its ``next_update``; after that no decision is taken on it
        (a frozen list fails closed, however long the file stays unchanged)."""
        at = now or dt.datetime.now(dt.UTC)
        due = dt.datetime.fromisoformat(view.next_update.replace("Z", "+00:00"))
        if due.tzinfo is None:
            due = due.replace(tzinfo=dt.UTC)
        if due < at:
            why = (
                f"Repository List #{view.list_sequence} is past its next update "
                f"({view.next_update}) and no newer valid list is available"
            )
            if self.last_error is None or not self.last_error.startswith(why):
                log.warning(why)
            self.last_error = why
            raise RecognitionError(why, code="stale_list")
        return view
