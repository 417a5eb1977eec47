"""Each AMS's legal term for a signature level, read straight from the law data files.

This is the light path the signature validator takes on every run: plain JSON reading, no schema
check and no store (``eauth laws validate`` and the test suite check the same files in full). A file
that cannot be read gives no terms for its AMS rather than an error in a signature verdict.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["legal_terms", "source_of"]


def source_of(document: dict[str, Any], pointer: str) -> str | None:
    """The URL that sources ``pointer`` (or its nearest sourced parent), ``'unconfirmed'`` when it
    is marked so, else None."""
    if any(pointer == m or pointer.startswith(m + "/") for m in document.get("unconfirmed", [])):
        return "unconfirmed"
    sources = document.get("sources") or {}
    best: str | None = None
    for mark in sources:
        if (pointer == mark or pointer.startswith(mark + "/")) and (
            best is None or len(mark) > len(best)
        ):
            best = mark
    if best is not None:
        return _url(sources[best])
    # a child of the pointer may carry the source (e.g. /provisions/x/reference)
    for mark, value in sources.items():
        if mark.startswith(pointer + "/"):
            return _url(value)
    return None


def _url(value: Any) -> str:
    if isinstance(value, dict) and "url" in value:
        return str(value["url"])
    return str(value)


def _terms_of(document: dict[str, Any]) -> dict[str, str]:
    titles = {law["id"]: law["title"] for law in document.get("laws", [])}
    out: dict[str, str] = {}
    for i, level in enumerate(document.get("signature_levels", [])):
        law = titles.get(level.get("law"), level.get("law"))
        where = ", ".join(str(x) for x in (law, level.get("reference")) if x)
        source = source_of(document, f"/signature_levels/{i}") or "unconfirmed"
        out[level["level"]] = f"{level['term']} [{where}; {source}]"
    return out


@lru_cache(maxsize=4)
def _legal_terms(folder: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("[A-Z][A-Z].json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
            terms = _terms_of(document)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if terms:
            out[str(document.get("ams", path.stem))] = terms
    return out


def legal_terms(folder: str | Path | None = None) -> dict[str, dict[str, str]]:
    """AMS -> signature level -> ``"<term> [<law>, <reference>; <source>]"`` from the law data."""
    if folder is None:
        from eauth_toolkit.resources import repository_list_dir

        folder = repository_list_dir() / "laws"
    return _legal_terms(Path(folder).resolve())
