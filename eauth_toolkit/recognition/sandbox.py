"""The SANDBOX SG-MY agreement document, signed by both sandbox authorities.

``python -m eauth_toolkit.recognition.sandbox [REPOSITORY_DIR]`` writes
``repository_list/agreements/sg-my-sandbox.json``: one agreement covering the pilot's national
identity providers (authentication) and the two AMS trust lists (signatures), signed by the SANDBOX
authority keys of SG and MY in ``repository_list/sandbox-authority-keys/``. No real agreement between
Singapore and Malaysia is implied.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from eauth_toolkit.ams import SignatureLevel
from eauth_toolkit.recognition.models import Agreement, Recognition, SignatureRecognition
from eauth_toolkit.recognition.signed import add_signature
from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
from eauth_toolkit.resources import repository_list_dir

__all__ = [
    "SANDBOX_AGREEMENT_ID",
    "agreements_dir",
    "sandbox_agreement",
    "sign_with_sandbox_keys",
    "write_sandbox_agreement",
]

SANDBOX_AGREEMENT_ID = "sg-my-sandbox"


def agreements_dir(repository_dir: Path | None = None) -> Path:
    """The folder of signed agreement documents beside the repository data."""
    return (repository_dir or repository_list_dir()) / "agreements"


def sandbox_agreement() -> Agreement:
    """The SANDBOX SG-MY agreement (authentication and signatures)."""
    since = dt.date(2026, 11, 1)
    return Agreement(
        id=SANDBOX_AGREEMENT_ID,
        title="SG-MY mutual recognition of national digital IDs and signatures (SANDBOX: "
        "illustrative, no real agreement is implied)",
        parties=["SG", "MY"],
        concluded=dt.date(2023, 12, 15),
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2028, 12, 31),
        sandbox=True,
        recognitions=[
            Recognition(
                technology="sg-sandbox-national-idp",
                from_ams="SG",
                accepted_by="MY",
                max_level=3,
                since=since,
            ),
            Recognition(
                technology="my-sandbox-national-idp",
                from_ams="MY",
                accepted_by="SG",
                max_level=3,
                since=since,
            ),
        ],
        signatures=[
            SignatureRecognition(from_ams="SG", accepted_by="MY", max_level=SignatureLevel.QES),
            SignatureRecognition(from_ams="MY", accepted_by="SG", max_level=SignatureLevel.ADES),
        ],
    )


def sign_with_sandbox_keys(
    agreement: Agreement, repository_dir: Path | None = None, *, parties: list[str] | None = None
) -> dict[str, Any]:
    """``agreement`` signed by the SANDBOX authority key of each party (or of ``parties``)."""
    keys = (repository_dir or repository_list_dir()) / "sandbox-authority-keys"
    document: dict[str, Any] | Agreement = agreement
    for ams in parties if parties is not None else agreement.parties:
        document = add_signature(document, load_key(keys / f"{ams}.private.jwk.json"), ams=ams)
    assert isinstance(document, dict)
    return document


def write_sandbox_agreement(repository_dir: Path | None = None) -> Path:
    """Sign the SANDBOX agreement with both sandbox keys and write it; returns the path."""
    base = repository_dir or repository_list_dir()
    document = sign_with_sandbox_keys(sandbox_agreement(), base)
    # the signatures must verify with the registered keys before anything is written
    from eauth_toolkit.recognition.signed import check_agreement

    registry = AuthorityRegistry.load(base / "authorities.json")
    status = check_agreement(document, registry, on=dt.date(2026, 11, 1))
    if not status.in_force:
        raise SystemExit(f"the sandbox agreement does not check: {status.reason}")
    out = agreements_dir(base) / f"{SANDBOX_AGREEMENT_ID}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    path = write_sandbox_agreement(Path(args[0]) if args else None)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
