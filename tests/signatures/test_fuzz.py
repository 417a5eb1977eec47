"""Mutated signed PDFs never crash the validator: each gets a verdict or a 'cannot read' reason."""

from __future__ import annotations

import random
import time

from eauth_toolkit.signatures.api import verify
from eauth_toolkit.signatures.pades import ValidationOptions
from tests.signatures.conftest import Signed

CASES = 500


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    kind = rng.randrange(7)
    if kind == 0:  # flip bytes
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif kind == 1:  # truncate
        del buf[rng.randrange(1, len(buf)) :]
    elif kind == 2:  # insert junk
        pos = rng.randrange(len(buf))
        buf[pos:pos] = rng.randbytes(rng.randint(1, 64))
    elif kind == 3:  # delete a slice
        pos = rng.randrange(len(buf))
        del buf[pos : pos + rng.randint(1, 64)]
    elif kind == 4:  # damage a PDF token
        tokens = [
            b"/ByteRange",
            b"/Contents",
            b"xref",
            b"startxref",
            b"obj",
            b"/Length",
            b"<<",
            b"/Root",
        ]
        tok = rng.choice(tokens)
        pos = bytes(buf).find(tok, rng.randrange(len(buf)))
        if pos >= 0:
            buf[pos : pos + len(tok)] = rng.randbytes(len(tok))
    elif kind == 5:  # nest deeply
        pos = rng.randrange(len(buf))
        buf[pos:pos] = b"[" * rng.randint(100, 5000)
    else:  # change a digit (offsets, lengths, byte ranges)
        digits = [i for i in range(0, len(buf), 7) if 48 <= buf[i] <= 57]
        if digits:
            buf[rng.choice(digits)] = rng.randrange(48, 58)
    return bytes(buf)


def run_fuzz(
    sources: list[bytes], options: ValidationOptions, cases: int, seed: int = 20260501
) -> dict[str, int]:
    rng = random.Random(seed)
    outcome = {"verdict": 0, "cannot read": 0}
    for i in range(cases):
        data = mutate(sources[i % len(sources)], rng)
        report = verify(data, options, name=f"case-{i}")
        if report.error:
            assert report.error.startswith("cannot read"), report.error
            outcome["cannot read"] += 1
        else:
            assert report.format == "PAdES"
            for s in report.signatures:
                assert s.indication in ("TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE")
                if s.indication == "TOTAL-PASSED":
                    # a byte change that still passes must be outside what was signed: never silent in content
                    assert s.coverage in ("ENTIRE_FILE", "ENTIRE_REVISION")
            outcome["verdict"] += 1
    return outcome


def test_fuzz_signed_pdfs(signed: Signed, offline: ValidationOptions) -> None:
    sources = [
        signed.data("my-signer-qc", "B-LT"),
        signed.data("my-signer-qc", "B-LTA"),
        signed.data("two", "B-LT"),
    ]
    started = time.monotonic()
    outcome = run_fuzz(sources, offline, CASES)
    assert sum(outcome.values()) == CASES
    assert outcome["verdict"] > 0 and outcome["cannot read"] > 0
    assert time.monotonic() - started < 120
