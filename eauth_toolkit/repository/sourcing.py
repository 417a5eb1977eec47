"""The standing of the sources behind the Collaborative Repository List's facts.

A value in an entry's ``sources`` is either a bare URL (an *unclassified* source, which counts as
weak) or an object with the source's ``kind``, the date it was ``read`` (the review date of the
facts resting on it) and what it ``supports``. The rules:

* a *headline* fact (operator, legal basis, claimed level, authentication factors, the OpenID
  provider's issuer and ``acr`` values, status) rests on a ``legal_text`` or an
  ``official_page``; where its source is weaker the fact must be listed in ``unconfirmed``.
  A source declared weak (news, vendor, simulator, statistics) for an unmarked headline fact is
  an error; a bare URL is a warning, so that submissions and signed lists made before sources
  had kinds stay valid;
* warnings (never errors): facts whose review date is older than a chosen age, and entries whose
  ``/status`` has no source.

A fact rests on the most specific pointer in ``sources`` that covers it (the pointer itself or
a parent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eauth_toolkit.errors import SchemaError
from eauth_toolkit.repository.models import STRONG_SOURCE_KINDS

__all__ = [
    "HEADLINE_POINTERS",
    "DEFAULT_MAX_AGE_DAYS",
    "SourceRef",
    "FactSource",
    "source_ref",
    "source_refs",
    "headline_facts",
    "headline_findings",
    "sourcing_problems",
    "sourcing_warnings",
    "document_entries",
    "document_warnings",
    "fact_sources",
    "standing",
]

#: pointers (and everything below them) of the headline facts
HEADLINE_POINTERS = (
    "/operator",
    "/legal_basis",
    "/claimed_level",
    "/oidc/issuer",
    "/oidc/acr_values",
    "/status",
    "/profile/credential_management/authenticators",
)
#: in a profile of format 2 the authentication factors are each factor's ``type``
_FACTORS = "/profile/credential_management/factors"
#: facts older than this (by the read date of their source) draw a warning
DEFAULT_MAX_AGE_DAYS = 365
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class SourceRef:
    """A source as the data gives it; a bare URL has kind ``unclassified`` and no read date."""

    url: str
    kind: str
    read: dt.date | None
    supports: str | None = None

    @property
    def strong(self) -> bool:
        return self.kind in STRONG_SOURCE_KINDS


@dataclass(frozen=True)
class FactSource:
    """One sourced pointer of one entry: the facts below ``pointer`` rest on ``source``."""

    ams: str
    entry_id: str
    pointer: str
    source: SourceRef
    reviewed: dt.date | None  # the source's read date, else the entry's last_reviewed
    unconfirmed: bool
    headline: bool


@dataclass
class Finding:
    pointer: str
    source_pointer: str | None
    source: SourceRef | None
    unconfirmed: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def source_refs(value: Any) -> list[SourceRef]:
    """The sources a ``sources`` value gives: one, or several for one fact."""
    if isinstance(value, list):
        return [source_ref(v) for v in value]
    return [source_ref(value)]


def _best(value: Any) -> SourceRef:
    """The source a fact rests on: the first strong one of a list, else the first."""
    refs = source_refs(value) or [SourceRef(url="", kind=UNCLASSIFIED, read=None)]
    return next((r for r in refs if r.strong), refs[0])


def source_ref(value: Any) -> SourceRef:
    if isinstance(value, list):
        return _best(value)
    if isinstance(value, dict):
        return SourceRef(
            url=str(value.get("url", "")),
            kind=str(value.get("kind", UNCLASSIFIED)),
            read=_date(value.get("read")),
            supports=value.get("supports"),
        )
    return SourceRef(url=str(value), kind=UNCLASSIFIED, read=None)


def _covers(parent: str, pointer: str) -> bool:
    return parent == "" or pointer == parent or pointer.startswith(parent + "/")


def _sources(entry: dict[str, Any]) -> dict[str, Any]:
    out = dict(entry.get("sources") or {})
    profile = entry.get("profile")
    if isinstance(profile, dict) and isinstance(profile.get("sources"), dict):
        out.update({"/profile" + p: v for p, v in profile["sources"].items()})
    return out


def _unconfirmed(entry: dict[str, Any]) -> list[str]:
    out = [p for p in entry.get("unconfirmed") or [] if isinstance(p, str)]
    profile = entry.get("profile")
    if isinstance(profile, dict) and isinstance(profile.get("unconfirmed"), list):
        out.extend("/profile" + p for p in profile["unconfirmed"] if isinstance(p, str))
    return out


def _marked(pointer: str, unconfirmed: Iterable[str]) -> bool:
    """True when the fact (or a parent of it) is listed as unconfirmed."""
    return any(_covers(u, pointer) for u in unconfirmed)


def _covering(pointer: str, sources: dict[str, Any]) -> tuple[str, Any] | None:
    best: str | None = None
    for p in sources:
        if _covers(p, pointer) and (best is None or len(p) > len(best)):
            best = p
    return None if best is None else (best, sources[best])


def _leaves(value: Any, pointer: str) -> Iterator[str]:
    if value is None or value == "unknown":
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            yield from _leaves(sub, f"{pointer}/{token}")
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _leaves(sub, f"{pointer}/{i}")
    else:
        yield pointer


def _at(entry: dict[str, Any], pointer: str) -> Any:
    node: Any = entry
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def headline_facts(entry: dict[str, Any]) -> list[str]:
    """The pointers of the headline facts the entry states (set leaves only)."""
    out: list[str] = []
    for pointer in HEADLINE_POINTERS:
        out.extend(_leaves(_at(entry, pointer), pointer))
    factors = _at(entry, _FACTORS)
    if isinstance(factors, list):
        for i, factor in enumerate(factors):
            if isinstance(factor, dict) and factor.get("type") not in (None, "unknown"):
                out.append(f"{_FACTORS}/{i}/type")
    return out


def headline_findings(entry: dict[str, Any]) -> list[Finding]:
    """Every headline fact that does not rest on a legal text or an official page."""
    sources, unconfirmed = _sources(entry), _unconfirmed(entry)
    out = []
    for fact in headline_facts(entry):
        found = _covering(fact, sources)
        if found is None:
            if fact != "/status":  # unsourced facts are the validator's business
                continue
            out.append(Finding(fact, None, None, _marked(fact, unconfirmed)))
            continue
        ref = _best(found[1])
        if not ref.strong:
            out.append(Finding(fact, found[0], ref, _marked(fact, unconfirmed)))
    return out


def _key(pointer: str) -> str:
    return pointer.replace("~", "~0").replace("/", "~1")


def sourcing_problems(entry: dict[str, Any], base: str = "") -> list[SchemaError]:
    """Errors: headline facts that rest on a source declared weak and are not unconfirmed
    (one error per source, naming its facts)."""
    grouped: dict[str, tuple[SourceRef, list[str]]] = {}
    for f in headline_findings(entry):
        if f.unconfirmed or f.source is None or f.source.kind == UNCLASSIFIED:
            continue
        grouped.setdefault(f.source_pointer or "", (f.source, []))[1].append(f.pointer)
    return [
        SchemaError(
            f"headline fact(s) {', '.join(facts)} rest on a {ref.kind} source "
            f"({pointer or '/'}); they need a legal_text or official_page source, or must be "
            "listed in unconfirmed",
            where=f"{base}/sources/{_key(pointer)}",
        )
        for pointer, (ref, facts) in grouped.items()
    ]


def sourcing_warnings(
    entry: dict[str, Any],
    base: str = "",
    *,
    today: dt.date | None = None,
    max_age_days: int | None = DEFAULT_MAX_AGE_DAYS,
) -> list[SchemaError]:
    """Warnings: unclassified sources under headline facts, facts older than ``max_age_days``
    (by their source's read date, else the entry's ``last_reviewed``), an unsourced status."""
    warnings = []
    today = today or dt.date.today()
    weak_unclassified: dict[str, list[str]] = {}
    for f in headline_findings(entry):
        if f.source is None:
            note = " (it is marked unconfirmed)" if f.unconfirmed else ""
            warnings.append(
                SchemaError(f"the entry's status has no source{note}", where=f"{base}/status")
            )
        elif f.source.kind == UNCLASSIFIED and not f.unconfirmed:
            weak_unclassified.setdefault(f.source_pointer or "", []).append(f.pointer)
    for pointer, facts in weak_unclassified.items():
        warnings.append(
            SchemaError(
                f"headline fact(s) {', '.join(facts)} rest on a bare URL (unclassified, counted "
                "as weak): give the source's kind and read date, or mark the fact unconfirmed",
                where=f"{base}/sources/{_key(pointer)}",
            )
        )
    if max_age_days is not None:
        limit = today - dt.timedelta(days=max_age_days)
        fallback = _date(entry.get("last_reviewed"))
        for pointer, value in (entry.get("sources") or {}).items():
            for ref in source_refs(value):
                reviewed = ref.read or fallback
                if reviewed is not None and reviewed < limit:
                    age = (today - reviewed).days
                    warnings.append(
                        SchemaError(
                            f"fact last checked {reviewed.isoformat()} ({age} days ago, more "
                            f"than {max_age_days}): read {ref.url} again",
                            where=f"{base}/sources/{_key(pointer)}",
                        )
                    )
    return warnings


def document_entries(document: Any) -> list[tuple[str, dict[str, Any]]]:
    """(base pointer, entry) for each entry of a submission, a single entry or a list payload."""
    if not isinstance(document, dict):
        return []
    if {"protected", "payload", "signature"} <= set(document):  # a signed list: its payload
        from eauth_toolkit.repository.validation import _list_payload

        return document_entries(_list_payload(document))
    if isinstance(document.get("entries"), list):
        return [
            (f"/entries/{i}", e) for i, e in enumerate(document["entries"]) if isinstance(e, dict)
        ]
    if "id" in document and "sources" in document:
        return [("", document)]
    return []


def document_warnings(
    document: Any, *, today: dt.date | None = None, max_age_days: int | None = None
) -> list[SchemaError]:
    out = []
    for base, entry in document_entries(document):
        out.extend(sourcing_warnings(entry, base, today=today, max_age_days=max_age_days))
    return out


def fact_sources(entries: Iterable[dict[str, Any]]) -> list[FactSource]:
    """Every sourced pointer of every entry, with its source's standing."""
    out = []
    for entry in entries:
        unconfirmed = _unconfirmed(entry)
        headline = headline_facts(entry)
        fallback = _date(entry.get("last_reviewed"))
        for pointer, value in _sources(entry).items():
            for ref in source_refs(value):
                out.append(
                    FactSource(
                        ams=str(entry.get("ams")),
                        entry_id=str(entry.get("id")),
                        pointer=pointer,
                        source=ref,
                        reviewed=ref.read or fallback,
                        unconfirmed=_marked(pointer, unconfirmed),
                        headline=any(_covers(pointer, h) or _covers(h, pointer) for h in headline),
                    )
                )
    return out


def standing(facts: Iterable[FactSource]) -> dict[str, dict[str, int]]:
    """Per AMS: how many sourced facts rest on legal texts, official pages and weaker sources."""
    out: dict[str, dict[str, int]] = {}
    for f in facts:
        counts = out.setdefault(f.ams, {"legal_text": 0, "official_page": 0, "weaker": 0})
        counts[f.source.kind if f.source.strong else "weaker"] += 1
    return dict(sorted(out.items()))
