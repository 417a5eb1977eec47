"""Updating the status file: validated first, then written atomically (temp file + ``os.replace``).

The file is edited as text so that its comments and order survive: the ``status``, ``evidence``
and ``date`` lines of the activity's block are replaced (other lines, such as ``implemented_by``
and comments, are kept); a new block is inserted in id order. The edited text is parsed and
validated again before anything is written, so a failed update leaves the file unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

import yaml

from eauth_toolkit.errors import InputError, PlanError
from eauth_toolkit.plan.loader import (
    activity_index,
    is_packaged,
    load_plan,
    parse_status_document,
    read_document,
)
from eauth_toolkit.plan.models import STATUSES, ActivityStatus, WorkPlan

__all__ = ["parse_date", "set_status", "updated_text"]


def parse_date(value: str, *, where: str = "date") -> dt.date:
    """``YYYY-MM-DD`` or :class:`InputError` naming ``where``."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"malformed date {value!r} (expected YYYY-MM-DD)", where=where) from None


def _id_key(activity_id: str) -> tuple[str, tuple[int, ...]]:
    head, *rest = activity_id.split(".")
    return head, tuple(int(x) for x in rest)


_KEY_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<q>['\"]?)(?P<id>[ABC](?:\.\d+){3})(?P=q)\s*:\s*(#.*)?$"
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_lines(entry: ActivityStatus, child: str) -> dict[str, str]:
    return {
        "status": f"{child}status: {entry.status}",
        "evidence": f"{child}evidence: {json.dumps(entry.evidence, ensure_ascii=False)}",
        "date": f"{child}date: {entry.date.isoformat()}",
    }


def updated_text(text: str, activity_id: str, entry: ActivityStatus) -> str:
    """The status file text with ``activity_id``'s status, evidence and date set to ``entry``."""
    lines = text.splitlines()
    keys = [(i, m) for i, line in enumerate(lines) if (m := _KEY_LINE.match(line))]
    if not any(line.rstrip() == "activities:" for line in lines):  # e.g. "activities: {}"
        return _redump(text, activity_id, entry)
    indent = keys[0][1].group("indent") if keys else "  "
    child = indent + "  "
    for pos, (i, m) in enumerate(keys):
        if m.group("id") != activity_id:
            continue
        end = keys[pos + 1][0] if pos + 1 < len(keys) else len(lines)
        while end > i + 1 and (
            not lines[end - 1].strip() or _indent(lines[end - 1]) <= len(indent)
        ):
            end -= 1  # trailing blank lines and comments at the key's level belong to what follows
        body = lines[i + 1 : end]
        child = " " * min((_indent(b) for b in body if b.strip()), default=len(child))
        wanted = _block_lines(entry, child)
        out: list[str] = []
        skipping = False
        for b in body:
            stripped = b.strip()
            if skipping and stripped and _indent(b) > len(child):
                continue  # continuation lines of a replaced multi-line value
            skipping = False
            key = stripped.split(":", 1)[0] if _indent(b) == len(child) else None
            if key in wanted:
                out.append(wanted.pop(key))
                skipping = True
            else:
                out.append(b)
        out[0:0] = list(wanted.values())  # keys that were missing go first
        lines[i + 1 : end] = out
        return "\n".join(lines) + "\n"
    new_block = [f"{indent}{activity_id}:", *_block_lines(entry, child).values()]
    insert_at = len(lines)
    for i, m in keys:
        if _id_key(m.group("id")) > _id_key(activity_id):
            insert_at = i
            while insert_at > 0 and lines[insert_at - 1].strip().startswith("#"):
                insert_at -= 1  # keep a comment with the block it introduces
            break
    lines[insert_at:insert_at] = new_block
    return "\n".join(lines) + "\n"


def _redump(text: str, activity_id: str, entry: ActivityStatus) -> str:
    """Fallback for a layout we cannot edit line by line: rewrite the document (comments are lost)."""
    document = yaml.safe_load(text) or {}
    activities = dict(document.get("activities") or {})
    old = activities.get(activity_id) or {}
    activities[activity_id] = {**old, **entry.model_dump(mode="json", exclude={"implemented_by"})}
    document["activities"] = dict(sorted(activities.items(), key=lambda kv: _id_key(kv[0])))
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def set_status(
    path: str | Path,
    activity_id: str,
    status: str,
    evidence: str,
    *,
    date: dt.date,
    plan: WorkPlan | None = None,
) -> ActivityStatus:
    """Record ``status`` for ``activity_id`` in the status file at ``path``; returns the new entry.

    Raises :class:`PlanError` for an unknown activity id, :class:`InputError` for an invalid status
    or empty evidence, and the loader's errors when the file itself is not valid. Nothing is
    written unless the updated file validates.
    """
    p = Path(path)
    if is_packaged(p):
        raise PlanError(
            "the status file shipped with the package is read-only; "
            "write to a status file in the data folder (eauth plan set --data-dir) or --status-file",
            where=str(p),
        )
    plan = plan or load_plan()
    if activity_id not in activity_index(plan):
        raise PlanError(
            f"unknown activity id {activity_id!r} (not in the Work Plan)", where="ACTIVITY_ID"
        )
    if status not in STATUSES:
        raise InputError(
            f"invalid status {status!r} (expected one of: {', '.join(STATUSES)})", where="STATUS"
        )
    if not evidence.strip():
        raise InputError("evidence must not be empty", where="--evidence")
    current = parse_status_document(read_document(p), str(p), plan)  # the file must be valid first
    old = current.activities.get(activity_id)
    entry = ActivityStatus(
        status=status,  # type: ignore[arg-type]
        evidence=evidence.strip(),
        date=date,
        implemented_by=list(old.implemented_by) if old else [],
    )
    text = updated_text(p.read_text(encoding="utf-8"), activity_id, entry)
    try:
        new_document = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # pragma: no cover - our own edit produced bad YAML
        raise PlanError(
            f"internal error: edited status file does not parse ({exc})", where=str(p)
        ) from None
    written = parse_status_document(new_document, str(p), plan)
    if written.activities.get(activity_id) != entry:  # pragma: no cover - guard on the text edit
        raise PlanError(
            "internal error: edited status file does not hold the new status", where=str(p)
        )
    _write_atomically(p, text)
    return entry
