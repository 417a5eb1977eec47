"""An AMS authority's round trip with the Collaborative Repository List, in one script:

1. validate a submission document (schema and sourcing rules, with JSON pointers);
2. sign it with the authority's key and submit it to a store (a SQLite file here);
3. publish the signed list with the publisher key;
4. verify the list offline with the publisher's certificate, and show that one changed byte fails.

It uses the SANDBOX keys committed under ``repository_list/`` and Singapore's sample file.

    python examples/repository/submit_publish_verify.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from eauth_toolkit.repository import (
    AuthorityRegistry,
    ListVerificationError,
    RepositoryStore,
    load_key,
    publish,
    sign_submission,
    submission_problems,
    verify_list,
)
from eauth_toolkit.schemaio import load_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "repository_list"


def main() -> None:
    document = load_document(SAMPLES / "SG.json")
    problems = submission_problems(document)
    print(f"1. SG.json: {len(document['entries'])} entries, {len(problems)} problems")
    for p in problems:
        print(f"   {p.where}: {p.message}")

    with tempfile.TemporaryDirectory() as tmp:
        store = RepositoryStore.open(
            f"sqlite:///{Path(tmp) / 'repository.sqlite3'}",
            AuthorityRegistry.load(SAMPLES / "authorities.json"),
        )
        authority_key = load_key(SAMPLES / "sandbox-authority-keys" / "SG.private.jwk.json")
        jws = sign_submission(document, authority_key, sequence=store.next_sequence("SG"))
        receipt = store.submit(jws, submitter="example script")
        print(f"2. accepted as submission #{receipt.id}: added {', '.join(receipt.diff['added'])}")
        for entry in store.entries():
            claimed = entry.claimed_level if entry.claimed_level is not None else "-"
            print(f"   {entry.id}: claimed {claimed}, assessed {entry.assessed_level}")

        out = Path(tmp) / "repository-list.json"
        publisher = load_key(SAMPLES / "sandbox-publisher-key" / "publisher.private.jwk.json")
        result = publish(store, publisher, out)
        print(
            f"3. published list #{result.sequence_number}: {result.entry_count} entries, {result.size} bytes"
        )

        certificate = load_key(SAMPLES / "sandbox-publisher-key" / "publisher.cert.pem")
        verified = verify_list(out.read_bytes(), certificate)
        print(
            f"4. verified list #{verified.sequence_number} ({verified.algorithm}, kid {verified.key_id})"
        )
        raw = bytearray(out.read_bytes())
        raw[len(raw) // 3] ^= 0x01
        try:
            verify_list(bytes(raw), certificate)
        except ListVerificationError as exc:
            print(f"   one changed byte: refused ({exc.code}: {exc.message})")
        store.close()


if __name__ == "__main__":
    main()
