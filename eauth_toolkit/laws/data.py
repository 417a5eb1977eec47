"""Reading and checking the law data files (``repository_list/laws/``) and Scheme documents.

Every problem is a :class:`~eauth_toolkit.errors.SchemaError` whose ``where`` is the JSON pointer of
the value at fault. Beyond the JSON Schema, the rules are those of the Repository List: every fact
(each non-empty leaf under ``/laws``, ``/uncitral``, ``/provisions`` and ``/signature_levels``) is
covered by a pointer in ``sources`` (a pointer covers everything below it) or in ``unconfirmed``;
every pointer names a field that exists; no pointer is both sourced and unconfirmed. Ids cross-refer
(a provision or a level names a law of the file), and a plan's measures or a report's updates are
unique.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from eauth_toolkit.errors import InputError, SchemaError
from eauth_toolkit.laws.terms import legal_terms, source_of
from eauth_toolkit.repository.validation import resolve_pointer
from eauth_toolkit.schemaio import load_document, schema_errors
from eauth_toolkit.settings import Settings

__all__ = [
    "AGREEMENT_FILE",
    "KIND_SCHEMAS",
    "LawData",
    "default_laws_dir",
    "document_problems",
    "submission_document_problems",
    "load_law_data",
    "legal_terms",
    "source_of",
    "transition_end",
]

AGREEMENT_FILE = "agreement.json"
#: the ``kind`` of each Scheme document and its published schema
KIND_SCHEMAS = {
    "ams_laws": "laws-ams",
    "agreement": "laws-agreement",
    "national_plan": "laws-plan",
    "annual_report": "laws-report",
}
#: top-level fields of an AMS law file whose leaves are facts
_FACT_ROOTS = ("laws", "uncitral", "provisions", "signature_levels")
#: leaf values that state nothing (fail-closed defaults) and so need no source
_EMPTY: tuple[object, ...] = (None, "unknown", "", [], {})
#: fields that name things inside the file (ids, cross-references) rather than state facts
_NOT_FACTS = ("id", "law", "replaced_by")
#: what resolve_pointer answers for a pointer that names nothing
_ABSENT = resolve_pointer({}, "/absent")


def default_laws_dir(settings: Settings | None = None) -> Path:
    """``repository_list/laws`` beside the Repository List sample files."""
    return Path((settings or Settings()).repository_dir) / "laws"


def _leaves(node: Any, pointer: str) -> list[str]:
    if isinstance(node, dict):
        out: list[str] = []
        for key, value in node.items():
            if key not in _NOT_FACTS:
                out.extend(_leaves(value, f"{pointer}/{key}"))
        return out
    if isinstance(node, list):
        out = []
        for i, value in enumerate(node):
            out.extend(_leaves(value, f"{pointer}/{i}"))
        return out
    return [] if node in _EMPTY or isinstance(node, bool) else [pointer]


def _covers(marks: list[str], pointer: str) -> bool:
    return any(pointer == m or pointer.startswith(m.rstrip("/") + "/") for m in marks)


def sourcing_problems(document: dict[str, Any]) -> list[SchemaError]:
    """The sourcing rules (module docstring) for a law file or the agreement file."""
    problems: list[SchemaError] = []
    sources = document.get("sources") or {}
    unconfirmed = document.get("unconfirmed") or []
    for pointer in sources:
        if resolve_pointer(document, pointer) is _ABSENT:
            problems.append(
                SchemaError(
                    f"names no field of the document ({pointer})", where=f"/sources/{_esc(pointer)}"
                )
            )
        if pointer in unconfirmed:
            problems.append(
                SchemaError(
                    f"{pointer} is both sourced and marked unconfirmed",
                    where=f"/sources/{_esc(pointer)}",
                )
            )
    for i, pointer in enumerate(unconfirmed):
        if resolve_pointer(document, pointer) is _ABSENT:
            problems.append(
                SchemaError(
                    f"names no field of the document ({pointer})", where=f"/unconfirmed/{i}"
                )
            )
    roots = (
        _FACT_ROOTS
        if document.get("kind") == "ams_laws"
        else ("signed", "entry_into_force", "transition_years", "transition_ams", "article")
    )
    marks = list(sources) + list(unconfirmed)
    for root in roots:
        if root not in document:
            continue
        node = document[root]
        if root == "provisions" and isinstance(node, dict):
            node = {
                k: v
                for k, v in node.items()
                if not (isinstance(v, dict) and v.get("alignment") == "unknown")
            }
        for leaf in _leaves(node, f"/{root}"):
            if not _covers(marks, leaf):
                problems.append(
                    SchemaError("fact has no source and is not marked unconfirmed", where=leaf)
                )
    return problems


def _esc(pointer: str) -> str:
    return pointer.replace("~", "~0").replace("/", "~1")


def _reference_problems(document: dict[str, Any]) -> list[SchemaError]:
    problems: list[SchemaError] = []
    kind = document.get("kind")
    if kind == "ams_laws":
        ids: list[str] = [law["id"] for law in document["laws"]]
        for i, law_id in enumerate(ids):
            if law_id in ids[:i]:
                problems.append(
                    SchemaError(f"law id {law_id!r} appears twice", where=f"/laws/{i}/id")
                )
        known = set(ids)
        refs: list[tuple[str, Any]] = [
            (f"/laws/{i}/replaced_by", law.get("replaced_by"))
            for i, law in enumerate(document["laws"])
        ]
        refs += [
            (f"/uncitral/{k}/law", document["uncitral"][k].get("law")) for k in ("mlec", "mles")
        ]
        refs += [(f"/provisions/{k}/law", v.get("law")) for k, v in document["provisions"].items()]
        refs += [
            (f"/signature_levels/{i}/law", v["law"])
            for i, v in enumerate(document["signature_levels"])
        ]
        for where, ref in refs:
            if ref is not None and ref not in known:
                problems.append(SchemaError(f"names no law of this file ({ref!r})", where=where))
        levels = [lv["level"] for lv in document["signature_levels"]]
        for i, level in enumerate(levels):
            if level in levels[:i]:
                problems.append(
                    SchemaError(
                        f"level {level} appears twice", where=f"/signature_levels/{i}/level"
                    )
                )
    elif kind == "national_plan":
        seen: list[str] = [m["id"] for m in document["measures"]]
        for i, mid in enumerate(seen):
            if mid in seen[:i]:
                problems.append(
                    SchemaError(f"measure id {mid!r} appears twice", where=f"/measures/{i}/id")
                )
    elif kind == "annual_report":
        seen = [u["measure"] for u in document["updates"]]
        for i, mid in enumerate(seen):
            if mid in seen[:i]:
                problems.append(
                    SchemaError(f"measure {mid!r} is updated twice", where=f"/updates/{i}/measure")
                )
    return problems


def document_problems(document: Any) -> tuple[str | None, list[SchemaError]]:
    """The kind of a Scheme document and all its problems (empty when valid)."""
    if not isinstance(document, dict):
        return None, [SchemaError("expected a JSON object", where="/")]
    kind = document.get("kind")
    if kind not in KIND_SCHEMAS:
        return None, [
            SchemaError(
                f"'kind' must be one of {', '.join(KIND_SCHEMAS)} (got {kind!r})", where="/kind"
            )
        ]
    problems = schema_errors(document, KIND_SCHEMAS[kind])
    if problems:
        return kind, problems
    problems = _reference_problems(document)
    if kind in ("ams_laws", "agreement"):
        problems += sourcing_problems(document)
    return kind, problems


def submission_document_problems(document: Any, raw: bytes | None = None) -> list[SchemaError]:
    """Problems of a signed Scheme submission (a national plan or an annual report)."""
    del raw
    if isinstance(document, dict) and document.get("kind") not in (
        "national_plan",
        "annual_report",
    ):
        return [
            SchemaError(
                "a signed Scheme submission is a 'national_plan' or an 'annual_report' "
                f"(got kind {document.get('kind')!r})",
                where="/kind",
            )
        ]
    return document_problems(document)[1]


@dataclass(frozen=True)
class LawData:
    """Every AMS law file and the agreement file of one folder, validated."""

    folder: Path
    ams: dict[str, dict[str, Any]]
    agreement: dict[str, Any]


def _load_valid(path: Path, kind: str) -> dict[str, Any]:
    document = load_document(path)
    found, problems = document_problems(document)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SchemaError(first.message + more, where=f"{path}#{first.where}")
    if found != kind:
        raise InputError(f"expected a {kind!r} document, found {found!r}", where=str(path))
    assert isinstance(document, dict)
    return document


def load_law_data(folder: str | Path | None = None) -> LawData:
    """Load and check ``<AMS>.json`` and ``agreement.json`` of a folder."""
    p = Path(folder) if folder is not None else default_laws_dir()
    return _load_law_data(p.resolve())


@lru_cache(maxsize=4)
def _load_law_data(folder: Path) -> LawData:
    from eauth_toolkit.repository.models import AMS_CODES

    agreement = _load_valid(folder / AGREEMENT_FILE, "agreement")
    out: dict[str, dict[str, Any]] = {}
    for ams in AMS_CODES:
        path = folder / f"{ams}.json"
        if not path.exists():
            continue
        document = _load_valid(path, "ams_laws")
        if document["ams"] != ams:
            raise InputError(f"file of {ams} states ams {document['ams']!r}", where=f"{path}#/ams")
        expected = ams in agreement["transition_ams"]
        if document["transition_7_2_a"] != expected:
            raise SchemaError(
                f"transition_7_2_a must be {str(expected).lower()} for {ams} (Agreement: "
                f"{', '.join(agreement['transition_ams'])})",
                where=f"{path}#/transition_7_2_a",
            )
        out[ams] = document
    return LawData(folder, out, agreement)


def transition_end(agreement: dict[str, Any]) -> dt.date | None:
    """The day Article 7.2(a) starts to oblige the AMS in transition (entry into force + N years)."""
    eif = agreement.get("entry_into_force")
    if not eif:
        return None
    start = dt.date.fromisoformat(eif)
    years = int(agreement["transition_years"])
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)
