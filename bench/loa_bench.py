"""LoA assessment throughput on one core: assessments per second over a mixed set of profiles.

Profiles are validated once (as an authority's submission would be); the loop measures
``assess(profile)``: every shipped rule set (eIDAS, ISO/IEC 29115, NIST 800-63-3 and -4), the
confirmed and the reachable level of every phase of every enrolment route. Explanations
(``to_dict``) are measured separately, as is pydantic validation of a plain dict.

    python bench/loa_bench.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from eauth_toolkit.loa import TechnologyProfile, assess, rule_sets

ROOT = Path(__file__).resolve().parent.parent
TARGET = 100_000


def mixed_profiles() -> list[dict[str, object]]:
    docs: list[dict[str, object]] = [
        json.loads(p.read_text()) for p in sorted((ROOT / "examples" / "loa").glob("**/*.json"))
    ]
    docs.append({"name": "nothing known"})
    docs.append(
        {
            "name": "password only",
            "enrolment": {"routes": [{"identity_proofing": "self_asserted"}]},
            "credential_management": {
                "factors": [{"type": "password", "verifier_storage": "protected"}],
                "revocation": True,
            },
            "authentication": {
                "guessing_protection": True,
                "eavesdropping_protection": True,
                "session_protection": True,
            },
            "management": {
                "legal_basis": "contract",
                "information_security": "documented",
                "record_keeping": True,
            },
        }
    )
    return docs


def run(fn, items, seconds: float) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for item in items:
            fn(item)
        n += len(items)
        now = time.perf_counter()
        if now >= deadline:
            return n, now - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    sets = rule_sets()
    docs = mixed_profiles()
    profiles = [TechnologyProfile.model_validate(d) for d in docs]
    for p in profiles:  # warm up
        assess(p)

    n, elapsed = run(assess, profiles, args.seconds)
    rate = n / elapsed
    n2, elapsed2 = run(
        lambda d: assess(TechnologyProfile.model_validate(d)), docs, args.seconds / 2
    )
    n3, elapsed3 = run(lambda p: assess(p).to_dict(), profiles, args.seconds / 2)

    def cold(p: TechnologyProfile) -> None:
        # a profile seen for the first time: facts compiled and every rule evaluated
        for rs in sets:
            rs.memo.clear()
        assess(p.model_copy())

    n4, elapsed4 = run(cold, profiles, args.seconds / 2)

    rules = sum(len(rs.rules) for rs in sets)
    print(f"{len(sets)} rule sets, {rules} rules; {len(profiles)} profiles in the mix; one core")
    print(
        f"assess(pre-validated profile):      {rate:12,.0f} assessments/s  ({1e6 / rate:.1f} us each)"
    )
    print(f"assess, first sight of a profile:   {n4 / elapsed4:12,.0f} assessments/s")
    print(f"assess + to_dict():                 {n3 / elapsed3:12,.0f} assessments/s")
    print(f"validate dict + assess:             {n2 / elapsed2:12,.0f} assessments/s")
    print(f"target {TARGET:,}/s: {'met' if rate >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
