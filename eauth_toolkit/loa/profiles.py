"""Reading technology profiles from files: a bare profile, or a repository entry with a ``profile``.

Documents are checked against ``schemas/technology-profile.schema.json`` first, so an error names
the file and the JSON pointer of the problem; only then is the pydantic model built.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eauth_toolkit.errors import EauthError, SchemaError
from eauth_toolkit.loa.assessment import profile_from_dict
from eauth_toolkit.loa.models import TechnologyProfile
from eauth_toolkit.schemaio import load_document, schema_errors

__all__ = [
    "LoadedProfile",
    "profile_from_document",
    "load_profile",
    "load_profiles",
    "repository_profiles",
]


@dataclass(frozen=True, slots=True)
class LoadedProfile:
    """A profile and where it came from (``pointer`` is ``/profile`` for repository entries)."""

    profile: TechnologyProfile
    source: str
    pointer: str
    entry: dict[str, Any] | None = None


def profile_from_document(doc: Any, *, source: str, pointer: str | None = None) -> LoadedProfile:
    """Validate a parsed document (bare profile or entry with ``profile``) and build the profile.

    ``pointer`` is where the profile sits in the file when ``doc`` is an entry inside a larger
    document (default: ``/profile`` for an entry, nothing for a bare profile).
    """
    entry = None
    data = doc
    if isinstance(doc, dict) and "profile" in doc and "enrolment" not in doc:
        entry = doc
        data = doc["profile"]
        pointer = "/profile" if pointer is None else pointer
    pointer = pointer or ""
    errors = schema_errors(data, "technology-profile")
    if errors:
        first = errors[0]
        inner = "" if first.where in ("/", None) else first.where
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SchemaError(first.message + more, where=f"{source}#{pointer + inner or '/'}")
    profile = profile_from_dict(data, source=f"{source}{'#' + pointer if pointer else ''}")
    claimed = _entry_claim(entry)
    if profile.claimed_level is None and claimed is not None:
        # the repository entry states the claim beside the profile
        profile = profile.model_copy(update={"claimed_level": claimed})
    return LoadedProfile(profile, source, pointer or "/", entry)


def _entry_claim(entry: dict[str, Any] | None) -> int | None:
    if not entry:
        return None
    claimed = entry.get("claimed_level")
    if isinstance(claimed, dict):
        claimed = claimed.get("iso29115")
    if isinstance(claimed, int) and not isinstance(claimed, bool) and 1 <= claimed <= 4:
        return claimed
    return None


def load_profile(path: str | Path) -> LoadedProfile:
    """Load one profile file (JSON, YAML or TOML)."""
    return profile_from_document(load_document(path), source=str(path))


def load_profiles(path: str | Path) -> list[LoadedProfile]:
    """Profiles in one file: a bare profile, an entry with ``profile``, or a list file with ``entries``.

    In a list file, entries without a profile are skipped; an invalid profile is an error naming
    its pointer (``file#/entries/3/profile/...``).
    """
    doc = load_document(path)
    source = str(path)
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list) and "profile" not in doc:
        out = []
        for i, entry in enumerate(doc["entries"]):
            if isinstance(entry, dict) and entry.get("profile") is not None:
                loaded = profile_from_document(
                    entry, source=source, pointer=f"/entries/{i}/profile"
                )
                out.append(loaded)
        return out
    return [profile_from_document(doc, source=source)]


def repository_profiles(
    directory: str | Path,
) -> Iterator[tuple[LoadedProfile | None, str, str | None]]:
    """Profiles of the entries in ``repository_list/*.json``: yields ``(loaded, where, problem)``.

    Tolerant by design (the list may be absent or partly filled): files and entries without a
    profile are skipped, and an entry whose profile is invalid is yielded with its problem.
    """
    base = Path(directory)
    if not base.is_dir():
        return
    for path in sorted(base.glob("*.json")):
        try:
            doc = load_document(path)
        except EauthError as exc:
            yield None, str(path), str(exc)
            continue
        entries: list[Any]
        prefix: str
        if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
            entries, prefix = doc["entries"], "/entries"
        elif isinstance(doc, list):
            entries, prefix = doc, ""
        elif isinstance(doc, dict):
            entries, prefix = [doc], None  # type: ignore[assignment]
        else:
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("profile"), dict):
                continue
            pointer = "/profile" if prefix is None else f"{prefix}/{i}/profile"
            where = f"{path}#{pointer}"
            try:
                loaded = profile_from_document(entry, source=str(path), pointer=pointer)
            except EauthError as exc:
                yield None, where, str(exc)
                continue
            yield loaded, where, None
