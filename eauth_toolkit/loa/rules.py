"""Rule sets as data: loading a rule-set file and compiling its conditions into atom masks.

A condition is a small declarative form over the profile fields of :mod:`.facts`::

    {field: route.identity_proofing, in: [in_person, remote_supervised]}
    {field: route.evidence, contains_any: [chip_id, photo_id]}
    {field: route.evidence, contains_all: [photo_id, secondary_evidence]}
    {field: auth.replay_protection, is: true}
    {field: cm.factor_count, at_least: 2}
    {all: [...]}   {any: [...]}   {always: true}

Each condition compiles to a disjunction of atom masks (a tuple of ints). Every field and value is
checked when the file is loaded, so a typo is a :class:`LoaError` then, never a rule that silently
fails. Nothing is evaluated as code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from eauth_toolkit.errors import LoaError
from eauth_toolkit.loa.facts import FIELDS, atom, describe
from eauth_toolkit.loa.guidance import GUIDANCE_DIR, RULE_SET_FILES
from eauth_toolkit.loa.guidance.models import RuleSetDocument
from eauth_toolkit.schemaio import json_pointer, load_document

__all__ = [
    "PHASES",
    "ALL_PHASES",
    "DEFAULT_PROFILE",
    "STRICT_PROFILE",
    "Rule",
    "Result",
    "RuleSet",
    "compile_condition",
    "load_rule_set",
    "rule_sets",
]

#: the three phases of an assessment
PHASES: tuple[str, ...] = ("enrolment", "credential_management", "authentication")
#: the phases plus management and organisation
ALL_PHASES: tuple[str, ...] = (*PHASES, "management")
#: the Guidance profile applied unless another is named
DEFAULT_PROFILE = "default"
#: the named stricter Guidance profile shipped with the toolkit
STRICT_PROFILE = "asean-strict"

Terms = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement of a framework at one level, in one phase."""

    id: str
    phase: str
    level: int
    clause: str
    requires: str
    control: str
    terms: Terms
    text: str
    fields: tuple[str, ...]
    profiles: tuple[str, ...] = ()
    stricter_because: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "phase": self.phase,
            "level": self.level,
            "clause": self.clause,
            "requires": self.requires,
            "control": self.control,
        }
        if self.profiles:
            out["profiles"] = list(self.profiles)
            out["stricter_because"] = self.stricter_because
        return out


@dataclass(frozen=True, slots=True)
class Result:
    """A reported result of a rule set: the lowest level of its phases."""

    id: str
    label: str
    phases: tuple[int, ...]
    phase_names: tuple[str, ...]
    scope: str


@dataclass(frozen=True)
class RuleSet:
    """A compiled rule set (one framework, one variant, one Guidance profile)."""

    key: str
    version: str
    title: str
    framework: str
    source: Mapping[str, str]
    levels: tuple[tuple[int, str, str], ...]
    phases: tuple[tuple[str, str, str], ...]
    results: tuple[Result, ...]
    rules: tuple[Rule, ...]
    profile: str
    path: str
    #: per phase (in ``phases`` order): the rules folded per level (see :func:`_fold`)
    fast: tuple[tuple[FastLevel, ...], ...] = field(repr=False, default=())
    memo: dict[tuple[int, int], tuple[tuple[int, int], ...]] = field(
        repr=False, default_factory=dict, compare=False
    )

    @property
    def top(self) -> int:
        return self.levels[-1][0]

    def level_name(self, level: int) -> str | None:
        for n, name, _ in self.levels:
            if n == level:
                return name
        return None

    def parse_level(self, text: str) -> int | None:
        t = text.strip().lower()
        for n, name, _ in self.levels:
            if t in (name.lower(), str(n)):
                return n
        return None

    def phase_index(self, phase: str) -> int:
        for i, (pid, _, _) in enumerate(self.phases):
            if pid == phase:
                return i
        raise LoaError(f"phase {phase!r} is not in rule set {self.key}")

    def rules_for(self, phase: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.phase == phase)

    def evaluate(self, T: int, TU: int) -> tuple[tuple[int, int], ...]:
        """(confirmed, reachable) level per phase for the confirmed atoms ``T`` and possible ``TU``.

        A pure function of the two masks, remembered per rule set (bounded), so re-assessing a
        repository whose facts did not change costs a dictionary look-up per rule set.
        """
        key = (T, TU)
        memo = self.memo
        found = memo.get(key)
        if found is not None:
            return found
        out = tuple(_phase_levels(T, TU, levels, self.top) for levels in self.fast)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[key] = out
        return out


#: entries remembered per rule set before the memo is emptied
_MEMO_SIZE = 4096

#: one level of one phase: (all-of mask, any-of masks, general disjunctions)
FastLevel = tuple[int, int, tuple[int, ...], tuple[Terms, ...]]


def _holds(M: int, all_mask: int, any_masks: tuple[int, ...], general: tuple[Terms, ...]) -> bool:
    if M & all_mask != all_mask:
        return False
    for a in any_masks:
        if not M & a:
            return False
    for terms in general:
        for m in terms:
            if M & m == m:
                break
        else:
            return False
    return True


def _phase_levels(T: int, TU: int, levels: tuple[FastLevel, ...], top: int) -> tuple[int, int]:
    lower = upper = top
    for lvl, all_mask, any_masks, general in levels:
        if not _holds(TU, all_mask, any_masks, general):
            upper = lvl - 1
            return (min(lower, upper), upper)
        if lvl <= lower and not _holds(T, all_mask, any_masks, general):
            lower = lvl - 1
    return lower, upper


def _fold(rules: Sequence[Rule]) -> tuple[FastLevel, ...]:
    """The rules of one phase folded per level: conjunctions into one mask, one-bit disjunctions
    into 'any of' masks, the rest kept as disjunctions of masks."""
    out = []
    for lvl in sorted({r.level for r in rules}):
        all_mask = 0
        any_masks: list[int] = []
        general: list[Terms] = []
        for r in rules:
            if r.level != lvl:
                continue
            if len(r.terms) == 1:
                all_mask |= r.terms[0]
            elif all(t and t & (t - 1) == 0 for t in r.terms):
                any_masks.append(_or_all(r.terms))
            else:
                general.append(r.terms)
        out.append((lvl, all_mask, tuple(any_masks), tuple(general)))
    return tuple(out)


# --------------------------------------------------------------------------- compiler


def _values(spec_field: str, arg: Any) -> list[Any]:
    if not isinstance(arg, list) or not arg:
        raise LoaError(f"{spec_field}: expected a non-empty list of values")
    return arg


def compile_condition(spec: Mapping[str, Any]) -> tuple[Terms, str, tuple[str, ...]]:
    """Compile a condition into (terms, readable text, field names); raises :class:`LoaError`."""
    if not isinstance(spec, Mapping) or not spec:
        raise LoaError("a condition must be a non-empty mapping")
    if "always" in spec:
        if spec != {"always": True}:
            raise LoaError("'always' takes only the value true")
        return (0,), "always met", ()
    if "all" in spec or "any" in spec:
        if len(spec) != 1:
            raise LoaError("'all' and 'any' take no other key")
        op = "all" if "all" in spec else "any"
        parts = [compile_condition(c) for c in spec[op]]
        fields = tuple(dict.fromkeys(f for p in parts for f in p[2]))
        if op == "any":
            terms = tuple(dict.fromkeys(t for p in parts for t in p[0]))
            return terms, " or ".join(f"({p[1]})" for p in parts), fields
        combined = tuple(dict.fromkeys(_or_all(c) for c in product(*(p[0] for p in parts))))
        return combined, " and ".join(f"({p[1]})" for p in parts), fields
    name = spec.get("field")
    if name not in FIELDS:
        raise LoaError(f"unknown profile field {name!r} (one of {', '.join(FIELDS)})")
    ops = [k for k in spec if k != "field"]
    if len(ops) != 1:
        raise LoaError(f"{name}: a condition needs exactly one operator")
    op = ops[0]
    arg = spec[op]
    kind = FIELDS[name].kind
    if op == "in":
        if kind not in ("enum", "bool"):
            raise LoaError(f"'in' needs a single-valued field; {name} is not")
        vals = _values(name, arg)
        return (
            tuple(atom(name, v) for v in vals),
            f"{name} is one of: {describe(name, vals)}",
            (name,),
        )
    if op == "is":
        if kind != "bool" or not isinstance(arg, bool):
            raise LoaError(f"'is' needs a yes/no field and true or false; {name} is {kind}")
        return (atom(name, arg),), f"{name} is {'yes' if arg else 'no'}", (name,)
    if op in ("contains_any", "contains_all"):
        if kind != "list":
            raise LoaError(f"{op!r} needs a list field; {name} is not a list")
        vals = _values(name, arg)
        bits = [atom(name, v) for v in vals]
        if op == "contains_any":
            return tuple(bits), f"{name} includes any of: {describe(name, vals)}", (name,)
        return (_or_all(bits),), f"{name} includes all of: {describe(name, vals)}", (name,)
    if op == "at_least":
        if kind != "count" or not isinstance(arg, int):
            raise LoaError(f"'at_least' needs a count field; {name} is not")
        return (atom(name, arg),), f"{name} is at least {arg}", (name,)
    raise LoaError(f"unknown condition operator {op!r}")


def _or_all(bits: Sequence[int]) -> int:
    m = 0
    for b in bits:
        m |= b
    return m


# --------------------------------------------------------------------------- loading


def _compile(doc: RuleSetDocument, source: str, variant: str | None, profile: str) -> RuleSet:
    phase_ids: list[str] = [p.id for p in doc.phases]
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, spec in enumerate(doc.rules):
        where = f"{source}#/rules/{i}"
        if spec.id in seen:
            raise LoaError(f"rule id {spec.id!r} is used twice", where=where + "/id")
        seen.add(spec.id)
        if spec.phase not in phase_ids:
            raise LoaError(f"phase {spec.phase!r} is not declared", where=where + "/phase")
        if int(spec.id.split("-")[2]) != spec.level:
            raise LoaError("the level in the rule id differs from 'level'", where=where + "/level")
        if spec.level > len(doc.levels):
            raise LoaError("the rule's level is not declared", where=where + "/level")
        if spec.profiles and not spec.stricter_because:
            raise LoaError(
                "a rule of a stricter profile must say what it asks beyond its clause",
                where=where + "/stricter_because",
            )
        if spec.only is not None and spec.only not in doc.variants:
            raise LoaError(f"variant {spec.only!r} is not declared", where=where + "/only")
        if spec.only is not None and variant is not None and spec.only != variant:
            continue
        if spec.profiles and profile not in spec.profiles:
            continue
        try:
            terms, text, fields = compile_condition(spec.when)
        except LoaError as exc:
            raise LoaError(exc.message, where=where + "/when") from None
        rules.append(
            Rule(
                id=spec.id,
                phase=spec.phase,
                level=spec.level,
                clause=spec.clause,
                requires=spec.requires,
                control=spec.control,
                terms=terms,
                text=text,
                fields=fields,
                profiles=tuple(spec.profiles),
                stricter_because=spec.stricter_because,
                note=spec.note,
            )
        )
    rules.sort(key=lambda r: (phase_ids.index(r.phase), r.level, r.id))
    fast = tuple(_fold([r for r in rules if r.phase == pid]) for pid in phase_ids)
    results = tuple(
        Result(
            r.id,
            r.label,
            tuple(phase_ids.index(p) for p in r.phases),
            tuple(r.phases),
            r.scope,
        )
        for r in doc.results
    )
    key = doc.ruleset if variant is None else f"{doc.ruleset.split('-')[0]}-{variant}"
    return RuleSet(
        key=key,
        version=doc.version,
        title=doc.title if variant is None else f"{doc.title} ({variant})",
        framework=doc.framework,
        source=dict(doc.source),
        levels=tuple((lv.level, lv.name, lv.meaning) for lv in doc.levels),
        phases=tuple((p.id, p.title, p.clause) for p in doc.phases),
        results=results,
        rules=tuple(rules),
        profile=profile,
        path=source,
        fast=fast,
    )


def read_yaml(path: Path) -> Any:
    """A YAML data file of the Guidance, parsed with libyaml when present (errors name the line)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return load_document(path)  # the generic reader names the file and line of the problem


def _read(path: Path) -> RuleSetDocument:
    source = str(path)
    data = read_yaml(path) if path.suffix.lower() in (".yaml", ".yml") else load_document(path)
    try:
        return RuleSetDocument.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise LoaError(err["msg"], where=f"{source}#{json_pointer(err['loc'])}") from None


def load_rule_set(path: str | Path, profile: str = DEFAULT_PROFILE) -> tuple[RuleSet, ...]:
    """Load and compile a rule-set file (one :class:`RuleSet` per declared variant)."""
    p = Path(path)
    doc = _read(p)
    if not doc.variants:
        return (_compile(doc, str(p), None, profile),)
    return tuple(_compile(doc, str(p), v, profile) for v in doc.variants)


@lru_cache(maxsize=8)
def rule_sets(profile: str = DEFAULT_PROFILE) -> tuple[RuleSet, ...]:
    """The shipped rule sets (eIDAS, ISO/IEC 29115, NIST SP 800-63-3 and -4) for a Guidance profile."""
    if profile not in (DEFAULT_PROFILE, STRICT_PROFILE):
        raise LoaError(
            f"unknown Guidance profile {profile!r} (one of {DEFAULT_PROFILE}, {STRICT_PROFILE})"
        )
    out: list[RuleSet] = []
    for name in RULE_SET_FILES:
        out.extend(load_rule_set(GUIDANCE_DIR / name, profile))
    return tuple(out)
