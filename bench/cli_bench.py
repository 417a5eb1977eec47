"""Start-up cost of the ``eauth`` command: wall time of whole runs, each a new process.

Targets on this machine kind: ``eauth --version`` < 0.15 s, ``eauth loa assess ONE.json`` < 0.4 s,
``eauth sig verify ONE.pdf`` < 0.8 s (median). The signed PDF is made once with the sandbox signer
before timing. Runs alternate between the commands so a busy moment does not hit one of them only.
The CPU time (user + system) of each run is printed too: on a shared, busy machine it tells the
start-up cost apart from the time spent waiting for a core.

    python bench/cli_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"version": 0.15, "loa assess": 0.4, "sig verify": 0.8}


def eauth() -> list[str]:
    script = Path(sys.executable).with_name("eauth")
    return [str(script)] if script.exists() else [sys.executable, "-m", "eauth_toolkit"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="eauth-cli-bench-"))
    env = {**os.environ, "EAUTH_DATA_DIR": str(work / "data")}
    try:
        pdf = work / "signed.pdf"
        from eauth_toolkit.signatures.samples import write_sample_pdf

        write_sample_pdf(work / "plain.pdf")
        subprocess.run(
            [*eauth(), "sig", "sign", str(work / "plain.pdf"), "-o", str(pdf)],
            env=env,
            check=False,
            capture_output=True,
        )
        if not pdf.exists():  # the older form of the command: output first, input with -i
            subprocess.run(
                [*eauth(), "sig", "sign", str(pdf), "-i", str(work / "plain.pdf")],
                env=env,
                check=True,
                capture_output=True,
            )
        commands = {
            "version": ["--version"],
            "loa assess": ["loa", "assess", str(ROOT / "examples/loa/estonia-id-card.json")],
            "sig verify": ["sig", "verify", str(pdf)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():  # one warm-up run each (bytecode, disk cache)
            subprocess.run([*eauth(), *argv], env=env, capture_output=True, check=False)
        for _ in range(args.runs):
            for name, argv in commands.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                run = subprocess.run([*eauth(), *argv], env=env, capture_output=True, check=False)
                times[name].append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(
                    after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                )
                if run.returncode not in (0, 1):
                    print(f"{name}: exit {run.returncode}: {run.stderr.decode()[-500:]}")
                    return 1
        load = os.getloadavg()[0]
        print(f"eauth start-up, {args.runs} runs each (wall seconds; load average {load:.1f}):")
        print(
            f"{'command':<12} {'median':>7} {'min':>7} {'max':>7} {'stdev':>7} {'target':>7}"
            f"      {'cpu median':>10}"
        )
        ok = True
        for name, values in times.items():
            median = statistics.median(values)
            target = TARGETS[name]
            ok &= median < target
            print(
                f"{name:<12} {median:7.3f} {min(values):7.3f} {max(values):7.3f} "
                f"{statistics.stdev(values):7.3f} {target:7.2f} {'ok  ' if median < target else 'SLOW'}"
                f"  {statistics.median(cpu[name]):10.3f}"
            )
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
