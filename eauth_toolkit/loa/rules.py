"""The Guidance as data: loading a rule file and compiling its conditions once.

A condition is a small declarative form over the fields of a :class:`TechnologyProfile`::

    {field: credential_management.key_protection, in: [hardware, certified_hardware]}
    {field: enrolment.evidence, contains_any: [chip_id, photo_id]}
    {field: enrolment.evidence, contains_all: [photo_id, secondary_evidence]}
    {field: authentication.replay_protection, is: true}
    {field: credential_management.authenticators, not_empty: true}
    {field: credential_management.factor_count, at_least: 2}
    {all: [...]}   {any: [...]}   {not: {...}}

Every field path is resolved against the profile model and every value against the field's enum
when the file is loaded, so a typo in the Guidance is a :class:`LoaError` at load time, never a rule
that silently fails. Each condition becomes two closures: a fast ``test(profile) -> bool`` and an
``explain(profile) -> str`` that says why it is not met. Nothing is evaluated as code.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property, lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from eauth_toolkit.errors import LoaError
from eauth_toolkit.loa.guidance import DEFAULT_GUIDANCE
from eauth_toolkit.loa.models import TechnologyProfile
from eauth_toolkit.schemaio import load_document, validate

__all__ = [
    "PHASES",
    "ALL_PHASES",
    "Source",
    "Rule",
    "Condition",
    "Guidance",
    "compile_condition",
    "load_guidance",
    "default_guidance",
]

#: the three phases that get a level of their own
PHASES: tuple[str, ...] = ("enrolment", "credential_management", "authentication")
#: the phases plus management and organisation (which can cap the overall level)
ALL_PHASES: tuple[str, ...] = (*PHASES, "management")

Test = Callable[[Any], bool]
Explain = Callable[[Any], str]
#: (phases the IAL follows, phases the AAL follows, (ial, aal) for levels 0..4)
NistPlan = tuple[tuple[int, ...], tuple[int, ...], tuple[tuple[int | None, int | None], ...]]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule comes from: a reference key of the Guidance and the clause in it."""

    ref: str
    short: str
    title: str
    clause: str
    url: str | None

    def label(self) -> str:
        return f"{self.short} {self.clause}"

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "document": self.title, "clause": self.clause, "url": self.url}


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: ``test`` decides, ``explain`` says why it fails, ``text`` reads it out."""

    test: Test
    explain: Explain
    text: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One control of the Guidance, required for ``level`` and above in ``phase``."""

    id: str
    phase: str
    level: int
    control: str
    sources: tuple[Source, ...]
    edition: str
    condition: Condition
    note: str | None = None
    #: the sources as one line ("ISO/IEC 29115:2013 8.1.2; NIST SP 800-63A 5.2.2")
    source_text: str = ""

    def __post_init__(self) -> None:
        if not self.source_text:
            object.__setattr__(self, "source_text", "; ".join(s.label() for s in self.sources))


@dataclass(frozen=True)
class Guidance:
    """A loaded, compiled Guidance rule set."""

    version: str
    title: str
    edition: Mapping[str, str]
    references: Mapping[str, Mapping[str, str]]
    levels: tuple[Mapping[str, Any], ...]
    phases: tuple[Mapping[str, Any], ...]
    rules: tuple[Rule, ...]
    mappings: Mapping[str, Mapping[str, Any]]
    path: str

    @property
    def capping_phases(self) -> tuple[str, ...]:
        """The phases whose level caps the overall level (always the three assessment phases)."""
        declared = [p["id"] for p in self.phases if p.get("caps_overall")]
        return tuple(dict.fromkeys([*PHASES, *declared]))

    @cached_property
    def capping_set(self) -> frozenset[str]:
        return frozenset(self.capping_phases)

    @cached_property
    def plan(self) -> tuple[tuple[Test, int, int, Rule], ...]:
        """The rules arranged for evaluation: (test, level, index of the phase in ALL_PHASES, rule)."""
        return tuple((r.condition.test, r.level, ALL_PHASES.index(r.phase), r) for r in self.rules)

    @cached_property
    def capping_indices(self) -> tuple[int, ...]:
        return tuple(ALL_PHASES.index(p) for p in self.capping_phases if p in ALL_PHASES)

    @cached_property
    def eidas_by_level(self) -> tuple[str | None, ...]:
        table = self.mappings["eidas"]["table"]
        return tuple(table[str(n)] for n in range(5))

    @cached_property
    def nist_by_revision(self) -> dict[str, NistPlan]:
        """Per NIST revision: the phases the IAL and AAL follow, and (ial, aal) per level."""
        out = {}
        for name, table in self.mappings.items():
            if not name.startswith("nist-"):
                continue
            rows = tuple(
                (table["table"][str(n)]["ial"], table["table"][str(n)]["aal"]) for n in range(5)
            )
            ial_from = tuple(ALL_PHASES.index(p) for p in table["ial_from"])
            aal_from = tuple(ALL_PHASES.index(p) for p in table["aal_from"])
            out[name.removeprefix("nist-")] = (ial_from, aal_from, rows)
        return out

    def rules_for(self, phase: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.phase == phase)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise LoaError(f"no rule {rule_id!r} in the Guidance", where=self.path)

    def level_name(self, level: int) -> str:
        for lv in self.levels:
            if lv["level"] == level:
                return str(lv["name"])
        return f"LoA{level}"


# --------------------------------------------------------------------------- field resolution


def _unwrap_optional(ann: Any) -> Any:
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return ann


def _field_type(path: str) -> Any:
    """The type of a dotted profile path (model fields and read-only properties)."""
    model: Any = TechnologyProfile
    ann: Any = None
    parts = path.split(".")
    for i, part in enumerate(parts):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise LoaError(f"{'.'.join(parts[:i])!r} has no fields")
        if part in model.model_fields:
            ann = model.model_fields[part].annotation
        elif isinstance(getattr(model, part, None), property):
            prop = getattr(model, part)
            ann = typing.get_type_hints(prop.fget).get("return")
        else:
            raise LoaError(f"unknown profile field {'.'.join(parts[: i + 1])!r}")
        model = _unwrap_optional(ann)
    return _unwrap_optional(ann)


def _collection_item(ann: Any) -> Any | None:
    if typing.get_origin(ann) in (list, tuple, set, frozenset):
        args = typing.get_args(ann)
        return args[0] if args else Any
    return None


def _check_values(path: str, ann: Any, values: Sequence[Any]) -> list[Any]:
    """Check the values a condition names against the field's type; enum values become members."""
    if isinstance(ann, type) and issubclass(ann, Enum):
        allowed = [m.value for m in ann]
        out = []
        for v in values:
            if v not in allowed:
                raise LoaError(f"{v!r} is not a value of {path} (one of {', '.join(allowed)})")
            out.append(ann(v))
        return out
    if ann is bool:
        for v in values:
            if not isinstance(v, bool):
                raise LoaError(f"{v!r} is not a yes/no value for {path}")
    return list(values)


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(_show(v) for v in value)
        return "[" + ", ".join(items) + "]" if items else "none stated"
    return str(value)


# --------------------------------------------------------------------------- compiler


def compile_condition(spec: Mapping[str, Any]) -> Condition:
    """Compile one condition (already schema-valid) into closures; raises :class:`LoaError`."""
    if "all" in spec:
        parts = [compile_condition(c) for c in spec["all"]]
        tests = tuple(p.test for p in parts)

        def all_test(p: Any) -> bool:
            for t in tests:
                if not t(p):
                    return False
            return True

        def all_explain(p: Any) -> str:
            return "; ".join(c.explain(p) for c in parts if not c.test(p))

        return Condition(all_test, all_explain, " and ".join(f"({c.text})" for c in parts))
    if "any" in spec:
        parts = [compile_condition(c) for c in spec["any"]]
        tests = tuple(p.test for p in parts)

        def any_test(p: Any) -> bool:
            for t in tests:
                if t(p):
                    return True
            return False

        def any_explain(p: Any) -> str:
            return "none of: " + " | ".join(c.explain(p) for c in parts)

        return Condition(any_test, any_explain, " or ".join(f"({c.text})" for c in parts))
    if "not" in spec:
        inner = compile_condition(spec["not"])
        inner_test = inner.test

        def not_test(p: Any) -> bool:
            return not inner_test(p)

        def not_explain(p: Any) -> str:
            return f"must not hold: {inner.text}"

        return Condition(not_test, not_explain, f"not ({inner.text})")
    return _compile_leaf(spec)


def _compile_leaf(spec: Mapping[str, Any]) -> Condition:
    path: str = spec["field"]
    ann = _field_type(path)
    item = _collection_item(ann)
    get = attrgetter(path)
    ((op, arg),) = ((k, v) for k, v in spec.items() if k != "field")

    def explain_with(expected: str) -> Explain:
        def explain(p: Any) -> str:
            return f"{path} is {_show(get(p))}; needs {expected}"

        return explain

    if op in ("in", "not_in"):
        if item is not None:
            raise LoaError(f"{op!r} needs a single-valued field; {path} is a list")
        values = frozenset(_check_values(path, ann, arg))
        shown = ", ".join(_show(v) for v in arg)
        if op == "in":

            def in_test(p: Any) -> bool:
                return get(p) in values

            return Condition(
                in_test, explain_with(f"one of: {shown}"), f"{path} is one of: {shown}"
            )

        def not_in_test(p: Any) -> bool:
            v = get(p)
            return v is not None and v not in values and getattr(v, "value", v) != "unknown"

        return Condition(
            not_in_test, explain_with(f"none of: {shown}"), f"{path} is none of: {shown}"
        )
    if op == "is":
        if ann is not bool:
            raise LoaError(f"'is' needs a yes/no field; {path} is not")
        want = bool(arg)

        def is_test(p: Any) -> bool:
            return get(p) is want

        return Condition(is_test, explain_with(_show(want)), f"{path} is {_show(want)}")
    if op in ("contains_any", "contains_all"):
        if item is None:
            raise LoaError(f"{op!r} needs a list field; {path} is not a list")
        wanted = frozenset(_check_values(path, item, arg))
        shown = ", ".join(str(v) for v in arg)
        if op == "contains_any":

            def any_of(p: Any) -> bool:
                return not wanted.isdisjoint(get(p))

            return Condition(
                any_of,
                explain_with(f"at least one of: {shown}"),
                f"{path} includes any of: {shown}",
            )

        def all_of(p: Any) -> bool:
            return wanted.issubset(get(p))

        return Condition(
            all_of, explain_with(f"all of: {shown}"), f"{path} includes all of: {shown}"
        )
    if op == "not_empty":
        if item is None:
            raise LoaError(f"'not_empty' needs a list field; {path} is not a list")

        def not_empty(p: Any) -> bool:
            return bool(get(p))

        return Condition(not_empty, explain_with("at least one entry"), f"{path} is stated")
    if op == "at_least":
        n = int(arg)
        if item is not None:

            def len_at_least(p: Any) -> bool:
                return len(get(p)) >= n

            return Condition(
                len_at_least, explain_with(f"at least {n} entries"), f"{path} has at least {n}"
            )
        if ann is not int:
            raise LoaError(f"'at_least' needs a number or list field; {path} is neither")

        def at_least(p: Any) -> bool:
            v = get(p)
            return v is not None and v >= n

        return Condition(at_least, explain_with(f"at least {n}"), f"{path} is at least {n}")
    raise LoaError(f"unknown condition operator {op!r}")  # pragma: no cover - the schema forbids it


# --------------------------------------------------------------------------- loading


def _pointer_join(*parts: object) -> str:
    return "/" + "/".join(str(p) for p in parts)


def _compile_document(doc: Mapping[str, Any], source: str) -> Guidance:
    references = doc["references"]
    phase_ids = {p["id"] for p in doc["phases"]}
    missing = set(PHASES) - phase_ids
    if missing:
        raise LoaError(f"phases missing: {', '.join(sorted(missing))}", where=f"{source}#/phases")
    edition_id = doc["edition"]["id"]
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, spec in enumerate(doc["rules"]):
        where = f"{source}#{_pointer_join('rules', i)}"
        if spec["id"] in seen:
            raise LoaError(f"rule id {spec['id']!r} is used twice", where=where + "/id")
        seen.add(spec["id"])
        if spec["phase"] not in phase_ids:
            raise LoaError(f"phase {spec['phase']!r} is not declared", where=where + "/phase")
        level_in_id = int(spec["id"].split("-")[1])
        if level_in_id != spec["level"]:
            raise LoaError(
                f"rule id says level {level_in_id} but level is {spec['level']}",
                where=where + "/level",
            )
        sources = []
        for j, s in enumerate(spec["sources"]):
            ref = references.get(s["ref"])
            if ref is None:
                raise LoaError(
                    f"reference {s['ref']!r} is not declared", where=f"{where}/sources/{j}/ref"
                )
            sources.append(
                Source(
                    s["ref"], ref["short"], ref["title"], s["clause"], s.get("url") or ref["url"]
                )
            )
        try:
            condition = compile_condition(spec["when"])
        except LoaError as exc:
            raise LoaError(exc.message, where=where + "/when") from None
        rules.append(
            Rule(
                id=spec["id"],
                phase=spec["phase"],
                level=spec["level"],
                control=spec["control"],
                sources=tuple(sources),
                edition=spec.get("edition", edition_id),
                condition=condition,
                note=spec.get("note"),
            )
        )
    for name, table in doc["mappings"].items():
        for j, s in enumerate(table["sources"]):
            if s["ref"] not in references:
                raise LoaError(
                    f"reference {s['ref']!r} is not declared",
                    where=f"{source}#/mappings/{name}/sources/{j}/ref",
                )
    return Guidance(
        version=doc["version"],
        title=doc["title"],
        edition=types.MappingProxyType(dict(doc["edition"])),
        references=types.MappingProxyType({k: dict(v) for k, v in references.items()}),
        levels=tuple(sorted(doc["levels"], key=lambda lv: lv["level"])),
        phases=tuple(doc["phases"]),
        rules=tuple(sorted(rules, key=lambda r: (ALL_PHASES.index(r.phase), r.level, r.id))),
        mappings=types.MappingProxyType(dict(doc["mappings"])),
        path=source,
    )


def load_guidance(path: str | Path) -> Guidance:
    """Load, validate (``schemas/loa-guidance.schema.json``) and compile a Guidance rule file."""
    source = str(path)
    doc = load_document(path)
    validate(doc, "loa-guidance", source=source)
    return _compile_document(doc, source)


@lru_cache(maxsize=1)
def default_guidance() -> Guidance:
    """The shipped ISO/IEC 29115:2013 Guidance, loaded and compiled once."""
    return load_guidance(DEFAULT_GUIDANCE)
