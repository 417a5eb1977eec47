"""Reading technology profiles from files: a bare profile, a repository entry with ``profile``, or a list file.

JSON is read strictly: a UTF-8 byte-order mark is accepted, a key given twice in one object is
refused with its JSON pointer. The profile model (published as ``schemas/technology-profile.schema.json``)
checks the document and every error is reported (pointer and message), not only the first. A format-1 profile
gets an error naming the moved field and ``eauth loa migrate FILE``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eauth_toolkit.errors import EauthError, InputError, SchemaError
from eauth_toolkit.loa.assessment import profile_from_dict
from eauth_toolkit.loa.migrate import old_format_problem
from eauth_toolkit.loa.models import EvidenceKind, FactEvidence, TechnologyProfile
from eauth_toolkit.schemaio import load_document

__all__ = [
    "LoadedProfile",
    "read_document",
    "profile_from_document",
    "load_profile",
    "load_profiles",
    "repository_profiles",
    "with_entry_evidence",
]


@dataclass(frozen=True, slots=True)
class LoadedProfile:
    """A profile and where it came from (``pointer`` is ``/profile`` for repository entries)."""

    profile: TechnologyProfile
    source: str
    pointer: str
    entry: dict[str, Any] | None = None


class _Dup(dict[str, Any]):
    """A JSON object in which a key appeared twice (``dup`` names it)."""

    dup: str


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            bad = _Dup(out)
            bad.dup = k
            return bad
        out[k] = v
    return out


def _find_dup(node: Any, path: str) -> str | None:
    if isinstance(node, _Dup):
        return f"{path}/{node.dup.replace('~', '~0').replace('/', '~1')}"
    if isinstance(node, dict):
        for k, v in node.items():
            found = _find_dup(v, f"{path}/{str(k).replace('~', '~0').replace('/', '~1')}")
            if found:
                return found
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found = _find_dup(v, f"{path}/{i}")
            if found:
                return found
    return None


def read_document(path: str | Path) -> Any:
    """Parse a JSON (strictly), YAML or TOML document; errors name the file and line or pointer."""
    p = Path(path)
    if p.suffix.lower() not in ("", ".json"):
        return load_document(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", where=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", where=str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", where=str(p)) from None
    try:
        doc = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"JSON syntax error: {exc.msg}", where=f"{p}:{exc.lineno}:{exc.colno}"
        ) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", where=str(p)) from None
    dup = _find_dup(doc, "")
    if dup is not None:
        raise InputError(
            "duplicate key in a JSON object (each key may appear once)", where=f"{p}#{dup}"
        )
    return doc


def profile_from_document(doc: Any, *, source: str, pointer: str | None = None) -> LoadedProfile:
    """Validate a parsed document (bare profile or entry with ``profile``) and build the profile."""
    entry = None
    data = doc
    if isinstance(doc, dict) and "profile" in doc and "enrolment" not in doc:
        entry = doc
        data = doc["profile"]
        pointer = "/profile" if pointer is None else pointer
    pointer = pointer or ""
    old = old_format_problem(data)
    if old is not None:
        raise SchemaError(old[1], where=f"{source}#{pointer + old[0]}")
    if not isinstance(data, dict):
        raise SchemaError(
            "a technology profile must be a JSON object", where=f"{source}#{pointer or '/'}"
        )
    profile = profile_from_dict(data, source=source, prefix=pointer)
    if entry is not None:
        profile = with_entry_evidence(profile, entry)
    return LoadedProfile(profile, source, pointer or "/", entry)


def with_entry_evidence(profile: TechnologyProfile, entry: dict[str, Any]) -> TechnologyProfile:
    """Add a repository entry's own sources (``/profile/...``) and unconfirmed marks as evidence.

    An entry source is a public document; an unconfirmed mark is unknown evidence. Evidence the
    profile states itself wins. The entry's claimed ISO/IEC 29115 level fills ``claimed_level``.
    """
    evidence = dict(profile.evidence)
    for ptr, url in (entry.get("sources") or {}).items():
        if isinstance(ptr, str) and ptr.startswith("/profile/") and isinstance(url, str):
            evidence.setdefault(
                ptr[len("/profile") :], FactEvidence(kind=EvidenceKind.public_document, url=url)
            )
    for ptr in entry.get("unconfirmed") or []:
        if isinstance(ptr, str) and (ptr == "/profile" or ptr.startswith("/profile/")):
            evidence[ptr[len("/profile") :]] = FactEvidence(kind=EvidenceKind.unknown)
    update: dict[str, Any] = {"evidence": evidence}
    claimed = entry.get("claimed_level")
    if isinstance(claimed, dict):
        claimed = claimed.get("iso29115")
    if (
        profile.claimed_level is None
        and isinstance(claimed, int)
        and not isinstance(claimed, bool)
        and 1 <= claimed <= 4
    ):
        update["claimed_level"] = claimed
    return profile.model_copy(update=update)


def load_profile(path: str | Path) -> LoadedProfile:
    """Load one profile file (JSON, YAML or TOML)."""
    return profile_from_document(read_document(path), source=str(path))


def load_profiles(path: str | Path) -> list[LoadedProfile]:
    """Profiles in one file: a bare profile, an entry with ``profile``, or a list file with ``entries``."""
    doc = read_document(path)
    source = str(path)
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list) and "profile" not in doc:
        out = []
        for i, entry in enumerate(doc["entries"]):
            if isinstance(entry, dict) and entry.get("profile") is not None:
                out.append(
                    profile_from_document(entry, source=source, pointer=f"/entries/{i}/profile")
                )
        return out
    return [profile_from_document(doc, source=source)]


def repository_profiles(
    directory: str | Path,
) -> Iterator[tuple[LoadedProfile | None, str, str | None]]:
    """Profiles of the entries in ``repository_list/*.json``: yields ``(loaded, where, problem)``."""
    base = Path(directory)
    if not base.is_dir():
        return
    for path in sorted(base.glob("*.json")):
        try:
            doc = read_document(path)
        except EauthError as exc:
            yield None, str(path), str(exc)
            continue
        if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
            entries, prefix = doc["entries"], "/entries"
        elif isinstance(doc, list):
            entries, prefix = doc, ""
        else:
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("profile"), dict):
                continue
            pointer = f"{prefix}/{i}/profile"
            where = f"{path}#{pointer}"
            try:
                loaded = profile_from_document(entry, source=str(path), pointer=pointer)
            except EauthError as exc:
                yield None, where, str(exc)
                continue
            yield loaded, where, None
