"""SANDBOX national plans and annual reports (``repository_list/laws/sandbox/``), signed with the
SANDBOX authority keys of ``repository_list/sandbox-authority-keys/`` and submitted in file order
(plans before the reports on them). They show the workflow; they are not any AMS's position."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from eauth_toolkit.errors import InputError
from eauth_toolkit.laws.signing import sign_scheme_document
from eauth_toolkit.laws.store import LawsReceipt, LawsStore
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.samples import authority_key_path
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.schemaio import load_document

__all__ = ["SANDBOX_DIR", "SampleLoad", "sandbox_files", "load_sandbox_documents"]

SANDBOX_DIR = "sandbox"


@dataclass(frozen=True)
class SampleLoad:
    path: Path
    receipt: LawsReceipt | None
    skipped: str | None = None


def sandbox_files(laws_dir: Path) -> list[Path]:
    """Plans first, then reports (each group by file name)."""
    folder = Path(laws_dir) / SANDBOX_DIR
    files = sorted(folder.glob("*.json"))
    return sorted(files, key=lambda p: (0 if "plan" in p.name else 1, p.name))


def load_sandbox_documents(
    store: LawsStore, laws_dir: Path, repository_dir: Path, *, now: dt.datetime | None = None
) -> list[SampleLoad]:
    """Sign and submit each sandbox document whose AMS has no Scheme submission yet."""
    done_ams = {s["ams"] for s in store.submissions()}
    out = []
    for path in sandbox_files(laws_dir):
        document = load_document(path)
        if not isinstance(document, dict) or not isinstance(document.get("ams"), str):
            raise InputError("expected a plan or report naming its AMS", where=str(path))
        ams = document["ams"]
        if ams in done_ams:
            out.append(SampleLoad(path, None, "already loaded"))
            continue
        key = load_key(authority_key_path(repository_dir, ams))
        jws = sign_scheme_document(document, key, sequence=store.next_sequence(ams), now=now)
        try:
            receipt = store.submit(
                jws, channel="samples", submitter=f"sandbox loader ({path.name})", now=now
            )
        except SubmissionRefused as exc:
            if exc.code in ("replayed", "out_of_order"):
                out.append(SampleLoad(path, None, "loaded concurrently"))
                continue
            raise
        out.append(SampleLoad(path, receipt))
    return out
