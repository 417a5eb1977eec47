"""Signature recognition caps taken from agreements in force.

A cap says: a signature qualified under the trust list of ``from_ams`` counts in ``to_ams`` at most
at ``max_level``; ``agreement`` names the signed agreement that says so. Caps come only from
agreements signed by every party and in force (:mod:`eauth_toolkit.recognition.signed`), carried
by a verified published list (:mod:`eauth_toolkit.recognition.trust`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eauth_toolkit.ams import SIGNATURE_LEVELS

if TYPE_CHECKING:  # the signature checker imports this module; JOSE and the store load on use
    from eauth_toolkit.recognition.signed import AgreementStatus

__all__ = ["SignatureCap", "signature_caps"]


@dataclass(frozen=True)
class SignatureCap:
    """Signatures under ``from_ams``'s trust list count in ``to_ams`` up to ``max_level``."""

    from_ams: str
    to_ams: str
    max_level: str
    agreement: str
    list_sequence: int | None = None

    @property
    def source(self) -> str:
        where = f" in list {self.list_sequence}" if self.list_sequence is not None else ""
        return f"agreement {self.agreement}{where}"


def signature_caps(
    statuses: Iterable[AgreementStatus], *, list_sequence: int | None = None
) -> tuple[SignatureCap, ...]:
    """One cap per (from, to) pair: the highest any agreement in force allows."""
    best: dict[tuple[str, str], SignatureCap] = {}
    for st in statuses:
        if not st.in_force:
            continue
        for s in st.agreement.signatures:
            cap = SignatureCap(s.from_ams, s.accepted_by, s.max_level, st.id, list_sequence)
            old = best.get((s.from_ams, s.accepted_by))
            if old is None or SIGNATURE_LEVELS.index(cap.max_level) > SIGNATURE_LEVELS.index(
                old.max_level
            ):
                best[(s.from_ams, s.accepted_by)] = cap
    return tuple(best.values())
