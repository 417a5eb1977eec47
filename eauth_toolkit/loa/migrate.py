"""Upgrading format-1 technology profiles to format 2 (``eauth loa migrate FILE``).

Format 1 had one enrolment (``enrolment.identity_proofing`` ...), one list of ``authenticators`` with
one ``key_protection`` and one ``verifier_storage``, and facts sourced by URL (``sources``) or listed
as ``unconfirmed``. Format 2 has enrolment ``routes``, ``factors`` each with its own key protection and
verifier storage, and ``evidence`` with an evidence kind per fact. The upgrade keeps every value and
source: a sourced fact becomes ``public_document`` evidence (review it: a press article is a
``secondary_source``), an unconfirmed fact keeps its value with ``unknown`` evidence.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["old_format_problem", "migrate_profile", "migrate_document", "MIGRATE_HINT"]

MIGRATE_HINT = "upgrade it with `eauth loa migrate FILE`"

_OLD_ENROLMENT = (
    "identity_proofing",
    "evidence",
    "evidence_validation",
    "applicant_verification",
    "biometric_recorded",
    "credential_binding",
)
_OLD_CM = ("authenticators", "key_protection", "verifier_storage")
_BINDING = {
    "unknown": "unknown",
    "none": "none",
    "same_session": "same_session",
    "enrolment_code": "code_to_contact_of_record",
    "in_person": "in_person",
}
_KEYED = {
    "otp_app",
    "otp_token",
    "software_key",
    "platform_key",
    "security_key",
    "smart_card",
    "push_approval",
}


def old_format_problem(data: Any) -> tuple[str, str] | None:
    """(pointer, message) when ``data`` is a format-1 profile, else ``None``."""
    if not isinstance(data, Mapping):
        return None
    enrolment = data.get("enrolment")
    if isinstance(enrolment, Mapping):
        for key in _OLD_ENROLMENT:
            if key in enrolment:
                return (
                    f"/enrolment/{key}",
                    f"format-1 LoA profile: 'enrolment.{key}' moved to 'enrolment.routes[]' in "
                    f"format 2; {MIGRATE_HINT}",
                )
    cm = data.get("credential_management")
    if isinstance(cm, Mapping):
        for key in _OLD_CM:
            if key in cm:
                return (
                    f"/credential_management/{key}",
                    f"format-1 LoA profile: 'credential_management.{key}' moved to "
                    f"'credential_management.factors[]' in format 2; {MIGRATE_HINT}",
                )
    for key in ("sources", "unconfirmed"):
        if key in data:
            return (
                f"/{key}",
                f"format-1 LoA profile: '{key}' became 'evidence' (with an evidence kind per fact) "
                f"in format 2; {MIGRATE_HINT}",
            )
    return None


def _pointer_map(auths: list[Any]) -> dict[str, list[str]]:
    """Old pointer -> new pointers (only those that change)."""
    out: dict[str, list[str]] = {"/enrolment": ["/enrolment/routes/0"]}
    for key in _OLD_ENROLMENT:
        new = "delivery" if key == "credential_binding" else key
        out[f"/enrolment/{key}"] = [f"/enrolment/routes/0/{new}"]
    n = len(auths)
    out["/credential_management/authenticators"] = [
        f"/credential_management/factors/{i}/type" for i in range(n)
    ]
    out["/credential_management/key_protection"] = [
        f"/credential_management/factors/{i}/key_protection" for i in range(n) if auths[i] in _KEYED
    ]
    out["/credential_management/verifier_storage"] = [
        f"/credential_management/factors/{i}/verifier_storage" for i in range(n)
    ]
    return out


def _move(pointer: str, mapping: Mapping[str, list[str]]) -> list[str]:
    for old in sorted(mapping, key=len, reverse=True):
        new = mapping[old]
        if pointer == old:
            return list(new)
        if pointer.startswith(old + "/"):
            rest = pointer[len(old) :]
            if old == "/credential_management/authenticators":
                return [f"/credential_management/factors{rest}/type"]
            return [n + rest for n in new]
    return [pointer]


def _convert(old: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    data = copy.deepcopy(dict(old))
    enrolment = dict(data.get("enrolment") or {})
    route = {k: enrolment.pop(k) for k in _OLD_ENROLMENT if k in enrolment}
    if "credential_binding" in route:
        route["delivery"] = _BINDING.get(str(route.pop("credential_binding")), "unknown")
    if route:
        enrolment["routes"] = [route]
    if enrolment or "enrolment" in data:
        data["enrolment"] = enrolment
    cm = dict(data.get("credential_management") or {})
    auths = list(cm.pop("authenticators", []) or [])
    kp = cm.pop("key_protection", "unknown")
    vs = cm.pop("verifier_storage", "unknown")
    factors = []
    for a in auths:
        f: dict[str, Any] = {"type": a}
        if a in _KEYED:
            f["key_protection"] = kp
        f["verifier_storage"] = vs
        factors.append(f)
    if factors:
        cm["factors"] = factors
    if cm or "credential_management" in data:
        data["credential_management"] = cm
    return data, _pointer_map(auths)


def migrate_profile(old: Mapping[str, Any]) -> dict[str, Any]:
    """A format-2 profile from a format-1 one (a format-2 profile is returned unchanged)."""
    if old_format_problem(old) is None:
        return dict(old)
    data, mapping = _convert(old)
    sources = data.pop("sources", {}) or {}
    unconfirmed = data.pop("unconfirmed", []) or []
    evidence: dict[str, Any] = dict(data.get("evidence") or {})
    for pointer, url in sources.items():
        for new in _move(pointer, mapping):
            evidence[new] = {"kind": "public_document", "url": url}
    for pointer in unconfirmed:
        for new in _move(pointer, mapping):
            evidence[new] = {"kind": "unknown", "note": "listed as unconfirmed before format 2"}
    if evidence:
        data["evidence"] = dict(sorted(evidence.items()))
    data["profile_version"] = "2"
    return {"profile_version": "2", **{k: v for k, v in data.items() if k != "profile_version"}}


def _migrate_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A repository entry: the profile is upgraded and the entry's /profile pointers follow it."""
    profile = entry.get("profile")
    if not isinstance(profile, dict) or old_format_problem(profile) is None:
        return entry
    _, mapping = _convert(profile)
    out = dict(entry)
    out["profile"] = migrate_profile(profile)
    if isinstance(entry.get("sources"), dict):
        sources: dict[str, Any] = {}
        for pointer, url in entry["sources"].items():
            if pointer.startswith("/profile/"):
                for new in _move(pointer[len("/profile") :], mapping):
                    sources["/profile" + new] = url
            else:
                sources[pointer] = url
        out["sources"] = sources
    if isinstance(entry.get("unconfirmed"), list):
        marks: list[str] = []
        for pointer in entry["unconfirmed"]:
            if isinstance(pointer, str) and pointer.startswith("/profile/"):
                marks.extend("/profile" + n for n in _move(pointer[len("/profile") :], mapping))
            else:
                marks.append(pointer)
        out["unconfirmed"] = list(dict.fromkeys(marks))
    return out


def migrate_document(doc: Any) -> tuple[Any, int]:
    """Upgrade a bare profile, an entry with ``profile``, or a list file with ``entries``.

    Returns the new document and the number of profiles upgraded.
    """
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list) and "profile" not in doc:
        out = dict(doc)
        entries = []
        n = 0
        for e in doc["entries"]:
            if isinstance(e, dict):
                new = _migrate_entry(e)
                n += new is not e
                entries.append(new)
            else:
                entries.append(e)
        out["entries"] = entries
        return out, n
    if isinstance(doc, dict) and isinstance(doc.get("profile"), dict) and "enrolment" not in doc:
        new = _migrate_entry(doc)
        return new, int(new is not doc)
    if isinstance(doc, dict) and old_format_problem(doc) is not None:
        return migrate_profile(doc), 1
    return doc, 0
