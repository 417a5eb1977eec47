"""Validation time of the non-PDF formats, per fixture class (XAdES, JAdES, CAdES, ASiC, MyInvois).

    .venv/bin/python bench/formats_bench.py            # 20 rounds per file
    .venv/bin/python bench/formats_bench.py --rounds 5

The fixtures are generated first (tests/signatures/realworld/make_formats.py, with the sandbox
PKI served on loopback); each file is then validated offline with options built once, and the
median and worst time per file are printed, grouped by format.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    from eauth_toolkit.signatures.api import VerifyRequest, options_for, verify
    from eauth_toolkit.signatures.sandbox import serve
    from tests.signatures.realworld.make_formats import generate

    with tempfile.TemporaryDirectory() as tmp, serve() as pki:
        out = Path(tmp)
        cases = generate(out, pki)
        options = options_for(VerifyRequest())
        by_format: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
        seen: set[str] = set()
        for case in cases:
            if case.file in seen or case.error:
                continue
            seen.add(case.file)
            data = {n: (out / n).read_bytes() for n in case.data} or None
            raw = (out / case.file).read_bytes()
            verify(raw, options, name=case.file, data=data)  # warm caches
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                verify(raw, options, name=case.file, data=data)
                times.append((time.perf_counter() - start) * 1000)
            label = case.file.split("-")[0]
            by_format[label].append((case.file, statistics.median(times), max(times)))
    print(f"offline validation, {args.rounds} rounds per file (ms)")
    for label, rows in sorted(by_format.items()):
        print(f"\n{label}")
        for file, median, worst in rows:
            print(f"  {file:36s} median {median:7.1f}   worst {worst:7.1f}")


if __name__ == "__main__":
    main()
