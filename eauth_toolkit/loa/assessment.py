"""Assessing one profile with every rule set at once: a level *range* per framework, and what is unknown.

For each rule set (eIDAS 2015/1502, ISO/IEC 29115, NIST SP 800-63-3 and -4) and each enrolment
route, every phase gets two levels:

- **confirmed**: the highest level whose rules (and those of every level below) are met by
  confirmed facts only; an unconfirmed favourable value counts as unknown here;
- **reachable**: the highest level that would be met if every unknown or unconfirmed fact turned
  out favourably (a stated unfavourable value still counts against it).

A result (eIDAS overall, ISO overall, NIST IAL, NIST AAL) is the lowest of its phases. With several
enrolment routes the technology's result is that of its weakest route, unless the routes are
registered as separate means (then each route's result is reported and the best one heads the list).
The facts between the two levels are listed, and :meth:`Assessment.advice` lists every control still
needed for a target level, with its clause.

``assess`` does only the arithmetic on atom masks; explanations are computed when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from eauth_toolkit.errors import InputError, SchemaError
from eauth_toolkit.loa.facts import FIELDS, Encoded, encode
from eauth_toolkit.loa.models import CONFIRMING_KINDS, EvidenceKind, TechnologyProfile
from eauth_toolkit.loa.rules import DEFAULT_PROFILE, Rule, RuleSet, rule_sets
from eauth_toolkit.schemaio import json_pointer

__all__ = ["Range", "Assessment", "assess", "profile_from_dict", "range_label"]

#: rule-set keys and the result id used as a framework's headline
HEADLINES: tuple[tuple[str, str], ...] = (
    ("eidas-2015-1502", "overall"),
    ("iso29115-2013", "overall"),
    ("nist-800-63-3", "ial"),
    ("nist-800-63-3", "aal"),
)


@dataclass(frozen=True, slots=True)
class Range:
    """A level range: ``confirmed`` <= ``reachable`` (0: no level)."""

    confirmed: int
    reachable: int

    @property
    def exact(self) -> bool:
        return self.confirmed == self.reachable


def range_label(rs: RuleSet, r: Range, result_label: str, unknown: int) -> str:
    """``LoA 1–3, 2 facts unknown`` / ``eIDAS substantial`` / ``IAL 1–2, 1 fact unknown``."""

    def name(n: int) -> str:
        return rs.level_name(n) or "none"

    prefix = "LoA" if rs.framework == "iso29115" else result_label
    if rs.framework == "iso29115":
        lo, hi = str(r.confirmed), str(r.reachable)
    else:
        lo, hi = name(r.confirmed), name(r.reachable)
    text = f"{prefix} {lo}" if r.exact else f"{prefix} {lo}\u2013{hi}"
    if unknown:
        text += f", {unknown} fact{'s' if unknown != 1 else ''} unknown"
    return text


def profile_from_dict(
    data: Mapping[str, Any], *, source: str | None = None, prefix: str = ""
) -> TechnologyProfile:
    """Build a profile from a mapping; errors become a :class:`SchemaError` naming every pointer.

    ``prefix`` is where the profile sits in its file (``/entries/3/profile``), put before every pointer.
    """
    from eauth_toolkit.loa.migrate import old_format_problem

    def where(pointer: str) -> str:
        full = prefix + ("" if pointer == "/" and prefix else pointer)
        return f"{source}#{full}" if source else full

    problem = old_format_problem(data)
    if problem is not None:
        raise SchemaError(problem[1], where=where(problem[0]))
    try:
        return TechnologyProfile.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        first = errs[0]
        msg = first["msg"]
        if len(errs) > 1:
            others = "; ".join(f"{prefix}{json_pointer(e['loc'])}: {e['msg']}" for e in errs[1:])
            msg += f" (and {len(errs) - 1} more: {others})"
        raise SchemaError(msg, where=where(json_pointer(first["loc"]))) from None


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]" if value else "not stated"
    return str(getattr(value, "value", value))


class Assessment:
    """The explained result of assessing one profile with the shipped rule sets (a value; never raised)."""

    __slots__ = ("profile", "encoded", "sets", "levels", "guidance_profile", "__dict__")

    def __init__(
        self,
        profile: TechnologyProfile,
        encoded: Encoded,
        sets: tuple[RuleSet, ...],
        levels: tuple[tuple[tuple[tuple[int, int], ...], ...], ...],
        guidance_profile: str,
    ) -> None:
        self.profile = profile
        self.encoded = encoded
        self.sets = sets
        #: per rule set, per route, per phase: (confirmed, reachable)
        self.levels = levels
        self.guidance_profile = guidance_profile

    # ------------------------------------------------------------------ numbers

    @property
    def name(self) -> str:
        return self.profile.name

    def rule_set(self, key: str) -> RuleSet:
        for rs in self.sets:
            if rs.key == key:
                return rs
        raise InputError(f"no rule set {key!r}", where="rule set")

    def _index(self, key: str) -> int:
        for i, rs in enumerate(self.sets):
            if rs.key == key:
                return i
        raise InputError(f"no rule set {key!r}", where="rule set")

    def route_range(self, key: str, result_id: str, route: int) -> Range:
        i = self._index(key)
        rs = self.sets[i]
        res = next(r for r in rs.results if r.id == result_id)
        per_phase = self.levels[i][route]
        return Range(
            min(per_phase[p][0] for p in res.phases), min(per_phase[p][1] for p in res.phases)
        )

    def range(self, key: str, result_id: str = "overall") -> Range:
        """The technology's range for one result of one rule set."""
        ranges = [self.route_range(key, result_id, r) for r in range(len(self.encoded.routes))]
        if self.encoded.separately:
            return Range(max(r.confirmed for r in ranges), max(r.reachable for r in ranges))
        return Range(min(r.confirmed for r in ranges), min(r.reachable for r in ranges))

    def phase_range(self, key: str, phase: str) -> Range:
        i = self._index(key)
        p = self.sets[i].phase_index(phase)
        rows = [route[p] for route in self.levels[i]]
        pick = max if self.encoded.separately else min
        return Range(pick(r[0] for r in rows), pick(r[1] for r in rows))

    @property
    def eidas(self) -> Range:
        return self.range("eidas-2015-1502")

    @property
    def iso(self) -> Range:
        return self.range("iso29115-2013")

    @property
    def overall(self) -> int:
        """The confirmed ISO/IEC 29115 level (the lower bound; what filters use)."""
        return self.iso.confirmed

    # ------------------------------------------------------------------ explanations

    @cached_property
    def _pointers(self) -> dict[int, set[str]]:
        track: dict[int, set[str]] = {}
        encode(self.profile, track)
        return track

    def _route_masks(self, route: int) -> tuple[int, int]:
        rT, rU = self.encoded.routes[route]
        T = self.encoded.T | rT
        return T, T | self.encoded.U | rU

    def _value(self, field: str, route: int) -> Any:
        p = self.profile
        routes = p.enrolment.routes
        if field.startswith("route."):
            if not routes:
                return None
            return getattr(routes[route], field.removeprefix("route."))
        cm = p.credential_management
        if field == "cm.authenticators":
            return [f.type for f in cm.factors]
        if field == "cm.factor_count":
            return [str(f.effective_category.value) for f in cm.factors] + (
                [f"activation: {cm.activation.value}"] if cm.factors else []
            )
        if field == "cm.key_protection":
            return [f.key_protection for f in cm.factors]
        if field == "cm.verifier_storage":
            return [f.verifier_storage for f in cm.factors]
        if field.startswith("lpb."):
            lpb = p.enrolment.legal_person_binding
            if field == "lpb.applies":
                return lpb is not None
            return None if lpb is None else getattr(lpb, field.removeprefix("lpb."))
        section = {"cm": "credential_management", "auth": "authentication", "mgt": "management"}
        head, attr = field.split(".", 1)
        return getattr(getattr(p, section[head]), attr)

    def _missing(self, rule: Rule, route: int) -> tuple[bool, bool, list[str]]:
        """(confirmed, reachable, pointers of the facts that would settle it) for one rule."""
        T, TU = self._route_masks(route)
        confirmed = any(T & m == m for m in rule.terms)
        reachable = any(TU & m == m for m in rule.terms)
        pointers: set[str] = set()
        if not confirmed and reachable:
            track = self._pointers
            for m in rule.terms:
                if TU & m != m:
                    continue
                bits = m & ~T
                while bits:
                    low = bits & -bits
                    pointers.update(track.get(low.bit_length() - 1, ()))
                    bits ^= low
        return confirmed, reachable, sorted(pointers)

    def _why(self, rule: Rule, route: int) -> str:
        parts = [f"{FIELDS[f].label}: {_show(self._value(f, route))}" for f in rule.fields]
        return "; ".join(parts) if parts else "-"

    def _routes_for(self, key: str, result_id: str) -> list[int]:
        """The routes whose result decides the headline (the weakest, or all when separate)."""
        n = len(self.encoded.routes)
        if self.encoded.separately:
            return list(range(n))
        head = self.range(key, result_id)
        return [
            r
            for r in range(n)
            if self.route_range(key, result_id, r).confirmed == head.confirmed
            or self.route_range(key, result_id, r).reachable == head.reachable
        ]

    def unknowns(self, key: str, result_id: str = "overall") -> list[dict[str, Any]]:
        """The facts between the confirmed and the reachable level, with the rules they decide."""
        cache = self.__dict__.setdefault("cache_unknowns", {})
        found = cache.get((key, result_id))
        if found is None:
            found = cache[(key, result_id)] = self._unknowns(key, result_id)
        return [dict(u, rules=list(u["rules"])) for u in found]

    def _unknowns(self, key: str, result_id: str) -> list[dict[str, Any]]:
        i = self._index(key)
        rs = self.sets[i]
        res = next(r for r in rs.results if r.id == result_id)
        head = self.range(key, result_id)
        out: dict[str, dict[str, Any]] = {}
        for route in self._routes_for(key, result_id):
            for p in res.phases:
                phase = rs.phases[p][0]
                for rule in rs.rules_for(phase):
                    if not head.confirmed < rule.level <= head.reachable:
                        continue
                    ok, reach, pointers = self._missing(rule, route)
                    if ok or not reach:
                        continue
                    for ptr in pointers:
                        item = out.setdefault(
                            ptr, {"pointer": ptr, "rules": [], "needed_for": rule.level}
                        )
                        if rule.id not in item["rules"]:
                            item["rules"].append(rule.id)
                        item["needed_for"] = min(item["needed_for"], rule.level)
        for item in out.values():
            item["needed_for"] = rs.level_name(item["needed_for"])
        return sorted(out.values(), key=lambda d: d["pointer"])

    def advice(self, key: str, target: int) -> list[dict[str, Any]]:
        """Every control not yet confirmed for ``target`` in every phase (rules up to that level)."""
        cache = self.__dict__.setdefault("cache_advice", {})
        found = cache.get((key, target))
        if found is None:
            found = cache[(key, target)] = self._advice(key, target)
        return [dict(a) for a in found]

    def _advice(self, key: str, target: int) -> list[dict[str, Any]]:
        i = self._index(key)
        rs = self.sets[i]
        out = []
        n = len(self.encoded.routes)
        for rule in rs.rules:
            if rule.level > target:
                continue
            for route in range(n):
                ok, reach, pointers = self._missing(rule, route)
                if ok:
                    continue
                item = rule.to_dict()
                item["level"] = rs.level_name(rule.level)
                item["status"] = "not confirmed" if reach else "not met"
                item["facts"] = pointers
                item["why"] = self._why(rule, route)
                if n > 1:
                    item["route"] = self.encoded.route_names[route]
                out.append(item)
        return out

    def limiting(self, key: str, result_id: str = "overall") -> list[dict[str, Any]]:
        """The rules one level above the confirmed level that are not confirmed."""
        head = self.range(key, result_id)
        rs = self.rule_set(key)
        if head.confirmed >= rs.top:
            return []
        res = next(r for r in rs.results if r.id == result_id)
        phases = {rs.phases[p][0] for p in res.phases}
        return [
            a
            for a in self.advice(key, head.confirmed + 1)
            if a["phase"] in phases and a["level"] == rs.level_name(head.confirmed + 1)
        ]

    # ------------------------------------------------------------------ output

    def _result_dict(self, rs: RuleSet, result_id: str) -> dict[str, Any]:
        res = next(r for r in rs.results if r.id == result_id)
        r = self.range(rs.key, result_id)
        unknowns = self.unknowns(rs.key, result_id)
        out: dict[str, Any] = {
            "label": range_label(rs, r, res.label, len(unknowns)),
            "scope": res.scope,
            "confirmed": rs.level_name(r.confirmed),
            "reachable": rs.level_name(r.reachable),
            "phases": {
                rs.phases[p][0]: {
                    "confirmed": rs.level_name(self.phase_range(rs.key, rs.phases[p][0]).confirmed),
                    "reachable": rs.level_name(self.phase_range(rs.key, rs.phases[p][0]).reachable),
                }
                for p in res.phases
            },
            "unknown_facts": unknowns,
            "limiting": self.limiting(rs.key, result_id),
        }
        if len(self.encoded.routes) > 1:
            out["routes"] = {
                self.encoded.route_names[i]: {
                    "confirmed": rs.level_name(self.route_range(rs.key, result_id, i).confirmed),
                    "reachable": rs.level_name(self.route_range(rs.key, result_id, i).reachable),
                }
                for i in range(len(self.encoded.routes))
            }
        return out

    def mapping(self) -> dict[str, Any]:
        """The ISO/IEC 29115 result mapped to eIDAS and NIST (a mapping), beside the direct results."""
        from eauth_toolkit.loa.mappings import map_range

        return map_range(self)

    def claim(self) -> dict[str, Any]:
        claimed = self.profile.claimed_level
        if claimed is None:
            return {"claimed": None, "holds": None}
        iso = self.iso
        holds = True if iso.confirmed >= claimed else (False if iso.reachable < claimed else None)
        return {"claimed": claimed, "holds": holds}

    def evidence(self) -> dict[str, Any]:
        """What the facts rest on: facts per evidence kind, and AMS authorities' declarations by name."""
        kinds: dict[str, int] = {}
        declarations = []
        for pointer, e in sorted(self.profile.evidence.items()):
            kinds[e.kind.value] = kinds.get(e.kind.value, 0) + 1
            if e.kind is EvidenceKind.authority_declaration:
                who = e.authority or "an AMS authority"
                declarations.append(
                    {"pointer": pointer, "declared_by": who, "label": f"declaration of {who}"}
                )
        return {
            "by_kind": kinds,
            "confirming_kinds": sorted(k.value for k in CONFIRMING_KINDS),
            "authority_declarations": declarations,
        }

    def to_dict(self) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for rs in self.sets:
            entry: dict[str, Any] = {
                "title": rs.title,
                "version": rs.version,
            }
            for res in rs.results:
                entry[res.id] = self._result_dict(rs, res.id)
            results[rs.key] = entry
        return {
            "name": self.name,
            "guidance_profile": self.guidance_profile,
            "routes": list(self.encoded.route_names),
            "routes_registered_separately": self.encoded.separately,
            "results": results,
            "mapping": self.mapping(),
            "evidence": self.evidence(),
            "claim": self.claim(),
            "official_assessments": [
                o.model_dump(mode="json", exclude_none=True)
                for o in self.profile.official_assessments
            ],
        }

    def summary(self) -> dict[str, Any]:
        """The short form kept by the repository: ranges and labels, no explanations."""
        out: dict[str, Any] = {"guidance_profile": self.guidance_profile}
        for key, result_id in HEADLINES:
            rs = self.rule_set(key)
            res = next(r for r in rs.results if r.id == result_id)
            r = self.range(key, result_id)
            n = len(self.unknowns(key, result_id))
            name = (
                "eidas"
                if rs.framework == "eidas"
                else ("iso29115" if rs.framework == "iso29115" else f"nist_{result_id}")
            )
            out[name] = {
                "confirmed": r.confirmed if rs.framework != "eidas" else rs.level_name(r.confirmed),
                "reachable": r.reachable if rs.framework != "eidas" else rs.level_name(r.reachable),
                "unknown_facts": n,
                "label": range_label(rs, r, res.label, n),
            }
        return out


def assess(
    profile: TechnologyProfile | Mapping[str, Any], guidance_profile: str = DEFAULT_PROFILE
) -> Assessment:
    """Assess ``profile`` with every shipped rule set of the Guidance profile (``default`` or ``asean-strict``)."""
    p = profile if isinstance(profile, TechnologyProfile) else profile_from_dict(profile)
    sets = _SETS.get(guidance_profile) or _sets(guidance_profile)
    enc = encode(p)
    T0 = enc.T
    U0 = T0 | enc.U
    routes = enc.routes
    levels: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]
    if len(routes) == 1:
        rT, rU = routes[0]
        T = T0 | rT
        TU = U0 | rT | rU
        levels = tuple([(rs.evaluate(T, TU),) for rs in sets])
    else:
        levels = tuple(
            [tuple([rs.evaluate(T0 | rT, U0 | rT | rU) for rT, rU in routes]) for rs in sets]
        )
    return Assessment(p, enc, sets, levels, guidance_profile)


#: the compiled rule sets per Guidance profile, once loaded
_SETS: dict[str, tuple[RuleSet, ...]] = {}


def _sets(guidance_profile: str) -> tuple[RuleSet, ...]:
    out = rule_sets(guidance_profile)
    _SETS[guidance_profile] = out
    return out
