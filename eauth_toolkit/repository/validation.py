"""Checking a submission document: its JSON Schema, then the rules a schema cannot say.

Every problem is a :class:`~eauth_toolkit.errors.SchemaError` whose ``where`` is the JSON pointer
of the value at fault, so an AMS can fix its file without guessing. The rules beyond the schema:

* every entry belongs to the document's AMS and its id starts with that AMS's lower-case code;
* ids are unique, and an entry is not both changed and withdrawn in one submission;
* the status history is in date order and ends with the current status;
* every non-null fact is covered by a pointer in ``sources`` (a pointer covers everything below
  it) or listed in ``unconfirmed``; every pointer in ``sources`` or ``unconfirmed`` names a field
  that exists in the entry;
* a headline fact resting on a source declared weak is listed in ``unconfirmed``
  (:mod:`eauth_toolkit.repository.sourcing`, which also gives the warnings).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import jsonschema
import orjson
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for

from eauth_toolkit.errors import SchemaError
from eauth_toolkit.repository.sourcing import sourcing_problems
from eauth_toolkit.schemaio import json_pointer, load_schema

__all__ = [
    "SUBMISSION_SCHEMA",
    "ENTRY_SCHEMA",
    "LIST_SCHEMA",
    "FACT_FIELDS",
    "submission_problems",
    "document_problems",
    "entry_problems",
    "fact_pointers",
    "escape_pointer_token",
    "resolve_pointer",
]

SUBMISSION_SCHEMA = "repository-submission"
ENTRY_SCHEMA = "repository-entry"
LIST_SCHEMA = "repository-list"

#: top-level entry fields that state facts and so need a source (or an ``unconfirmed`` mark)
FACT_FIELDS = (
    "name",
    "operator",
    "technology_type",
    "description",
    "legal_basis",
    "supervising_authority",
    "claimed_level",
    "oidc",
)

_MISSING = object()


@lru_cache(maxsize=8)
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = load_schema(name)
    cls = validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _precise(error: ValidationError) -> SchemaError:
    """The most specific problem: inside ``anyOf`` (nullable fields) the branch that matched
    best, and for a missing property the pointer of that property."""
    while error.context:
        branches = [
            e for e in error.context if not (e.validator == "type" and e.validator_value == "null")
        ]
        if not branches:
            break
        shaped = [e for e in branches if e.validator != "type"]
        branches = shaped or branches  # the branch of the value's own type explains best
        deepest = max(len(e.absolute_path) for e in branches)
        error = best_match([e for e in branches if len(e.absolute_path) == deepest]) or branches[0]
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = [
            n
            for n in error.validator_value
            if isinstance(error.instance, dict) and n not in error.instance
        ]
        if missing:
            path.append(missing[0])
            return SchemaError(
                f"required property {missing[0]!r} is missing", where=json_pointer(path)
            )
    return SchemaError(error.message, where=json_pointer(path))


def schema_errors(document: Any, schema_name: str) -> list[SchemaError]:
    """Schema errors of ``document``, each at the most precise JSON pointer."""
    errors = _validator(schema_name).iter_errors(document)
    return [_precise(e) for e in errors]


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` in ``document``, or ``_MISSING`` (never raises)."""
    node = document
    for token in _tokens(pointer):
        if isinstance(node, dict):
            if token not in node:
                return _MISSING
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return _MISSING
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _leaves(value: Any, pointer: str) -> Iterator[str]:
    """Pointers of the set leaves below ``value`` (null and empty containers are not set)."""
    if value is None:
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            for i, sub in enumerate(value):
                yield from _leaves(sub, f"{pointer}/{i}")
        elif value:
            yield pointer
    else:
        yield pointer


#: profile members that are bookkeeping, not facts about the technology
_PROFILE_NON_FACTS = (
    "sources",
    "unconfirmed",
    "notes",
    "evidence",
    "official_assessments",
    "profile_version",
)


def fact_pointers(entry: dict[str, Any]) -> list[str]:
    """The pointers (relative to the entry) of every fact that needs a source.

    Profile answers of ``unknown`` state nothing, so they need no source.
    """
    out = [f"/{name}" for name in FACT_FIELDS if entry.get(name) is not None]
    history = entry.get("status_history")
    if isinstance(history, list):
        out.extend(f"/status_history/{i}" for i in range(len(history)))
    profile = entry.get("profile")
    if isinstance(profile, dict):
        facts = {k: v for k, v in profile.items() if k not in _PROFILE_NON_FACTS}
        out.extend(p for p in _leaves(facts, "/profile") if resolve_pointer(entry, p) != "unknown")
    return out


def _covering_pointers(entry: dict[str, Any]) -> list[str]:
    """Pointers that cover facts: the entry's sources and unconfirmed, and those the profile
    carries for itself (relative to the profile)."""
    out = list(entry.get("sources") or {}) + list(entry.get("unconfirmed") or [])
    profile = entry.get("profile")
    if isinstance(profile, dict):
        out.extend("/profile" + p for p in (profile.get("sources") or {}))
        out.extend("/profile" + p for p in (profile.get("unconfirmed") or []))
        evidence = profile.get("evidence")
        if isinstance(evidence, dict):  # LoA profile format 2: evidence per fact
            out.extend("/profile" + p for p in evidence)
    return out


def _covered(fact: str, pointers: list[str]) -> bool:
    return any(p == "" or fact == p or fact.startswith(p + "/") for p in pointers)


def entry_problems(entry: dict[str, Any], base: str = "") -> list[SchemaError]:
    """Rules beyond the schema for one entry that already passed the schema; ``base`` prefixes
    the pointers (for example ``/entries/3``)."""
    problems: list[SchemaError] = []
    ams = entry["ams"]
    if not entry["id"].startswith(ams.lower() + "-"):
        problems.append(
            SchemaError(
                f"id {entry['id']!r} must start with {ams.lower()!r}- (the entry's AMS)",
                where=f"{base}/id",
            )
        )
    history = entry["status_history"]
    for i in range(1, len(history)):
        if history[i]["date"] < history[i - 1]["date"]:
            problems.append(
                SchemaError(
                    f"status history is not in date order ({history[i]['date']} comes after "
                    f"{history[i - 1]['date']})",
                    where=f"{base}/status_history/{i}/date",
                )
            )
    if history and history[-1]["status"] != entry["status"]:
        problems.append(
            SchemaError(
                f"status is {entry['status']!r} but the last status_history item says "
                f"{history[-1]['status']!r}",
                where=f"{base}/status",
            )
        )
    sources = entry.get("sources") or {}
    unconfirmed = entry.get("unconfirmed") or []
    for pointer in sources:
        if resolve_pointer(entry, pointer) is _MISSING:
            problems.append(
                SchemaError(
                    f"source given for {pointer!r}, which is not a field of this entry",
                    where=f"{base}/sources/{escape_pointer_token(pointer)}",
                )
            )
    for i, pointer in enumerate(unconfirmed):
        if resolve_pointer(entry, pointer) is _MISSING:
            problems.append(
                SchemaError(
                    f"{pointer!r} is marked unconfirmed but is not a field of this entry",
                    where=f"{base}/unconfirmed/{i}",
                )
            )
    covering = _covering_pointers(entry)
    for fact in fact_pointers(entry):
        if not _covered(fact, covering):
            problems.append(
                SchemaError(
                    "fact has no source: add its pointer (or a parent's) to sources, "
                    "or list it in unconfirmed",
                    where=f"{base}{fact}",
                )
            )
    problems.extend(sourcing_problems(entry, base))
    return problems


def _clean(index_base: str, schema_problems: list[SchemaError]) -> bool:
    return not any(
        p.where == index_base or (p.where or "").startswith(index_base + "/")
        for p in schema_problems
    )


def _model_problems(document: Any, raw: bytes) -> list[SchemaError]:
    """Strict validation of the JSON text by the pydantic model the schema is generated from.

    The model is at least as strict as the published schema (it checks date-times, for one,
    which the schema validator leaves alone) and much faster; it is the last word.
    """
    from pydantic import ValidationError

    from eauth_toolkit.repository.models import SubmissionDocument

    try:
        SubmissionDocument.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        return [
            SchemaError(str(err["msg"]), where=_loc_pointer(document, err["loc"]))
            for err in exc.errors()
        ]
    return []


def _loc_pointer(document: Any, loc: tuple[Any, ...]) -> str:
    """A JSON pointer from a pydantic error location, skipping its union and type tags."""
    path: list[Any] = []
    node = document
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and not path[-1:] == [part]:
            if part.isidentifier() and "[" not in part and part not in ("str", "int", "none"):
                path.append(part)  # a missing or extra property: name it
                break
    return json_pointer(path)


def submission_problems(document: Any, *, raw: bytes | None = None) -> list[SchemaError]:
    """All problems of a submission document, in document order; empty when it is valid.

    Schema errors come first; the rules beyond the schema are checked on every entry and
    withdrawal that passed the schema, so one bad entry does not hide the others' problems.
    ``raw`` (the document's JSON text, when at hand) allows a fast check by the model first.
    """
    model_problems = _model_problems(document, raw) if raw is not None else []
    if raw is not None and not model_problems:
        schema_problems: list[SchemaError] = []
    else:
        schema_problems = schema_errors(document, SUBMISSION_SCHEMA) or model_problems
    if not isinstance(document, dict) or not _clean("/ams", schema_problems):
        return schema_problems
    problems: list[SchemaError] = []
    ams = document["ams"]
    entries = document.get("entries")
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        base = f"/entries/{i}"
        if not _clean(base, schema_problems):
            continue
        if entry["ams"] != ams:
            problems.append(
                SchemaError(
                    f"entry belongs to {entry['ams']} but the document is {ams}'s submission",
                    where=f"{base}/ams",
                )
            )
        if entry["id"] in seen:
            problems.append(
                SchemaError(
                    f"duplicate id {entry['id']!r} (also at /entries/{seen[entry['id']]})",
                    where=f"{base}/id",
                )
            )
        seen.setdefault(entry["id"], i)
        problems.extend(entry_problems(entry, base))
    withdrawals = document.get("withdrawals")
    withdrawn: set[str] = set()
    for i, item in enumerate(withdrawals if isinstance(withdrawals, list) else []):
        where = f"/withdrawals/{i}/id"
        if not _clean(f"/withdrawals/{i}", schema_problems):
            continue
        if not item["id"].startswith(ams.lower() + "-"):
            problems.append(
                SchemaError(
                    f"id {item['id']!r} is not one of {ams}'s entries (must start with "
                    f"{ams.lower()!r}-)",
                    where=where,
                )
            )
        if item["id"] in seen:
            problems.append(
                SchemaError(
                    f"{item['id']!r} is both changed (/entries/{seen[item['id']]}) and withdrawn",
                    where=where,
                )
            )
        if item["id"] in withdrawn:
            problems.append(SchemaError(f"{item['id']!r} is withdrawn twice", where=where))
        withdrawn.add(item["id"])
    return sorted(schema_problems + problems, key=lambda p: _order(p.where or ""))


def _order(pointer: str) -> list[tuple[int, int | str]]:
    return [(0, int(t)) if t.isdigit() else (1, t) for t in pointer.split("/")]


def _list_payload(document: dict[str, Any]) -> Any:
    import base64

    from eauth_toolkit.repository import strictjson

    value = document["payload"]
    if not isinstance(value, str):
        return None
    try:
        return strictjson.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except ValueError:
        return None


def document_problems(document: Any) -> tuple[str, list[SchemaError]]:
    """Recognise a repository document and list its problems: (kind, problems).

    A submission document is checked with every rule; an authority registry
    (``authorities.json``) by loading every key it holds; a single entry against the entry schema
    and the sourcing rules; a signed list (flattened JWS) by its payload against the list schema,
    without checking the signature (that is ``eauth repo verify``).
    """
    if isinstance(document, dict) and {"protected", "payload", "signature"} <= set(document):
        payload = _list_payload(document)
        if payload is None:
            return "signed list", [SchemaError("the JWS payload is not JSON", where="/payload")]
        return "signed list", schema_errors(payload, LIST_SCHEMA)
    if isinstance(document, dict) and "authorities" in document and "entries" not in document:
        return "authority registry", _registry_problems(document)
    if isinstance(document, dict) and "trust_list" in document:
        from eauth_toolkit.repository.trustdocs import trust_list_problems

        return "trust-list pointer submission", trust_list_problems(document)
    if isinstance(document, dict) and ({"agreement", "withdrawal"} & set(document)):
        from eauth_toolkit.repository.trustdocs import agreement_problems

        return "agreement submission", agreement_problems(document)
    if isinstance(document, dict) and "entries" not in document and "id" in document:
        problems = schema_errors(document, ENTRY_SCHEMA)
        return "entry", problems or entry_problems(document)
    try:
        raw: bytes | None = orjson.dumps(document)
    except TypeError:
        raw = None
    return "submission", submission_problems(document, raw=raw)


def _registry_problems(document: dict[str, Any]) -> list[SchemaError]:
    from eauth_toolkit.errors import InputError
    from eauth_toolkit.repository.keys import AuthorityRegistry

    try:
        AuthorityRegistry.from_dict(document, where="")
    except InputError as exc:
        where = (exc.where or "").lstrip("#") or "/"
        return [SchemaError(exc.message, where=where)]
    return []
