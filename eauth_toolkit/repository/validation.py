"""Checking a submission document: its JSON Schema, then the rules a schema cannot say.

Every problem is a :class:`~eauth_toolkit.errors.SchemaError` whose ``where`` is the JSON pointer
of the value at fault, so an AMS can fix its file without guessing. The rules beyond the schema:

* every entry belongs to the document's AMS and its id starts with that AMS's lower-case code;
* ids are unique, and an entry is not both changed and withdrawn in one submission;
* the status history is in date order and ends with the current status;
* every non-null fact is covered by a pointer in ``sources`` (a pointer covers everything below
  it) or listed in ``unconfirmed``; every pointer in ``sources`` or ``unconfirmed`` names a field
  that exists in the entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eauth_toolkit.errors import SchemaError
from eauth_toolkit.schemaio import schema_errors

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
_PROFILE_NON_FACTS = ("sources", "unconfirmed", "notes")


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
    return problems


def submission_problems(document: Any) -> list[SchemaError]:
    """All problems of a submission document, schema first; empty when it is valid."""
    problems = schema_errors(document, SUBMISSION_SCHEMA)
    if problems:
        return problems
    ams = document["ams"]
    seen: dict[str, int] = {}
    for i, entry in enumerate(document.get("entries", [])):
        base = f"/entries/{i}"
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
    withdrawn: set[str] = set()
    for i, item in enumerate(document.get("withdrawals", [])):
        where = f"/withdrawals/{i}/id"
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
    return problems


def _list_payload(document: dict[str, Any]) -> Any:
    import base64
    import json

    value = document["payload"]
    if not isinstance(value, str):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, UnicodeError):
        return None


def document_problems(document: Any) -> tuple[str, list[SchemaError]]:
    """Recognise a repository document and list its problems: (kind, problems).

    A submission document is checked with every rule; a single entry against the entry schema
    and the sourcing rules; a signed list (flattened JWS) by its payload against the list schema,
    without checking the signature (that is ``eauth repo verify``).
    """
    if isinstance(document, dict) and {"protected", "payload", "signature"} <= set(document):
        payload = _list_payload(document)
        if payload is None:
            return "signed list", [SchemaError("the JWS payload is not JSON", where="/payload")]
        return "signed list", schema_errors(payload, LIST_SCHEMA)
    if isinstance(document, dict) and "entries" not in document and "id" in document:
        problems = schema_errors(document, ENTRY_SCHEMA)
        return "entry", problems or entry_problems(document)
    return "submission", submission_problems(document)
