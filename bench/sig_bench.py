"""Signature validation benchmark: our validator next to plain pyHanko on the same files.

    .venv/bin/python bench/sig_bench.py                # single files and the 200-file batch
    .venv/bin/python bench/sig_bench.py --fuzz 10000   # also 10,000 mutated PDFs, no uncaught exception
    .venv/bin/python bench/sig_bench.py --big 200      # also peak memory on a 200 MB signed PDF
    .venv/bin/python bench/sig_bench.py --corpus DIR --skip-single --skip-batch --copies 4 --corpus-repeat 7
                                                       # the real-world-like corpus (built in DIR):
                                                       # each file 4 times, 7 rounds, median and min

"Plain pyHanko" is pyHanko 0.38's own AdES long-term validation (``ades_lta_validation``) with a
fresh validation policy for every file, as a program using pyHanko directly would call it; the
corpus run also times pyHanko's classic ``validate_pdf_signature`` (fresh validation context with
the same trust roots and the document's DSS, per file) and gives ratios against both. "Ours"
is ``eauth_toolkit.signatures`` (the same engine plus baseline, level, trust lists and the extra
checks) with its options built once and, for the batch, ``-j`` worker processes. The corpus
rounds run plain pyHanko and ours alternately, so load from other programs hits all of them; on a
shared machine compare the minima too (and the load average printed with them).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign.validation import ades  # noqa: E402
from pyhanko.sign.validation.policy_decl import (  # noqa: E402
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec  # noqa: E402
from pyhanko_certvalidator.policy_decl import (  # noqa: E402
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager  # noqa: E402

from eauth_toolkit.signatures import _speedups  # noqa: E402
from eauth_toolkit.signatures.api import VerifyRequest, options_for, verify, verify_many  # noqa: E402
from eauth_toolkit.signatures.samples import sample_pdf, write_sample_pdf  # noqa: E402
from eauth_toolkit.signatures.sandbox import serve  # noqa: E402
from eauth_toolkit.signatures.signing import sign_pdf  # noqa: E402

for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


def plain_pyhanko(path: Path, anchors: list) -> list[str]:  # type: ignore[type-arg]
    """What a program calling pyHanko directly does: fresh policy, AdES LTA validation per signature."""
    rule = RevocationCheckingRule.CHECK_IF_DECLARED
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=anchors),
                revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(rule, rule)),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    out: list[str] = []
    # plain pyHanko: outside our validations none of our speed-ups is in place
    assert _speedups._ACTIVE == 0
    return _plain(path, spec, out)


def _plain(path: Path, spec: PdfSignatureValidationSpec, out: list[str]) -> list[str]:
    with open(path, "rb") as fh:
        reader = PdfFileReader(fh, strict=False)

        async def run() -> None:
            for sig in reader.embedded_regular_signatures:
                res = await ades.ades_lta_validation(sig, spec)
                out.append(res.ades_subindic.status.name)

        asyncio.run(run())
    return out


def timeit_pair(a, b, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median times of ``a`` and ``b``, run alternately so that load from elsewhere hits both alike."""
    a()
    b()
    sa, sb = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        a()
        sa.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        sb.append(time.perf_counter() - t)
    return statistics.median(sa), statistics.median(sb)


def make_files(work: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    with serve() as pki:
        for size_label, size in (("100KB", 100_000), ("5MB", 5_000_000)):
            base = sample_pdf(size=size)
            for alg, signer in (("RSA", "my-signer"), ("ECDSA", "my-signer-ec")):
                one = sign_pdf(base, pki=pki, signer=signer, baseline="B-LTA")
                files[f"{size_label} {alg} 1 sig"] = work / f"{size_label}-{alg}-1.pdf"
                files[f"{size_label} {alg} 1 sig"].write_bytes(one)
                two = sign_pdf(
                    one, pki=pki, signer="my-signer-qc", baseline="B-LTA", field_name="Signature2"
                )
                files[f"{size_label} {alg} 2 sigs"] = work / f"{size_label}-{alg}-2.pdf"
                files[f"{size_label} {alg} 2 sigs"].write_bytes(two)
        batch = work / "batch"
        batch.mkdir()
        for i in range(200):
            data = sign_pdf(
                sample_pdf(text=f"Invoice {i:04d}", size=100_000),
                pki=pki,
                signer="my-signer",
                baseline="B-LTA",
            )
            (batch / f"invoice-{i:04d}.pdf").write_bytes(data)
    files["batch"] = batch
    return files


def bench_single(files: dict[str, Path], repeat: int) -> None:
    options = options_for(VerifyRequest())
    anchors = options.trust.anchors()
    print(f"{'file':<22}{'plain pyHanko':>15}{'ours':>10}{'ratio':>8}  verdicts")
    for label, path in files.items():
        if label == "batch":
            continue
        plain, ours = timeit_pair(
            lambda p=path: plain_pyhanko(p, anchors), lambda p=path: verify(p, options), repeat
        )
        ours_verdicts = [s.indication for s in verify(path, options).signatures]
        plain_verdicts = plain_pyhanko(path, anchors)
        same = [o.split("-")[-1] for o in ours_verdicts] == plain_verdicts
        print(
            f"{label:<22}{plain * 1000:>12.1f} ms{ours * 1000:>7.1f} ms{ours / plain:>7.2f}x  "
            f"{'identical' if same else 'DIFFER'} ({', '.join(ours_verdicts)})"
        )


def bench_batch(batch: Path, jobs: int) -> None:
    paths = sorted(batch.iterdir())
    anchors = options_for(VerifyRequest()).trust.anchors()
    t = time.perf_counter()
    plain_verdicts = [plain_pyhanko(p, anchors) for p in paths]
    plain = time.perf_counter() - t
    t = time.perf_counter()
    reports = verify_many(paths, VerifyRequest(), jobs=jobs)
    ours = time.perf_counter() - t
    ours_verdicts = [[s.indication.split("-")[-1] for s in r.signatures] for r in reports]
    same = ours_verdicts == plain_verdicts
    print(
        f"batch of {len(paths)} (same CA): plain pyHanko {len(paths) / plain:.1f} files/s, "
        f"ours -j {jobs} {len(paths) / ours:.1f} files/s, throughput ratio {plain / ours:.2f}x, "
        f"verdicts {'identical' if same else 'DIFFER'} (cores: {os.cpu_count()})"
    )


def _plain_or_error(path: Path, anchors: list) -> list[str]:  # type: ignore[type-arg]
    try:
        return plain_pyhanko(path, anchors)
    except Exception as exc:
        return [f"error: {type(exc).__name__}"]


def plain_validate_pdf_signature(path: Path, anchors: list) -> list[str]:  # type: ignore[type-arg]
    """pyHanko's classic entry point, as its documentation shows it: a validation context with
    the same trust roots (no fetching, revocation data the document embeds), then
    ``validate_pdf_signature`` for each signature (with pyHanko's difference analysis)."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    assert _speedups._ACTIVE == 0
    out: list[str] = []
    try:
        with open(path, "rb") as fh:
            reader = PdfFileReader(fh, strict=False)
            settings = {"trust_roots": anchors, "allow_fetching": False}
            try:
                vc = DocumentSecurityStore.read_dss(reader).as_validation_context(settings)
            except Exception:  # no DSS (or one pyHanko cannot read)
                vc = ValidationContext(**settings)
            for sig in reader.embedded_regular_signatures:
                status = validate_pdf_signature(sig, vc)
                out.append("PASSED" if status.bottom_line else "FAILED")
    except Exception as exc:
        out.append(f"error: {type(exc).__name__}")
    return out


def bench_corpus(folder: Path, copies: int, repeat: int) -> None:
    """The generated real-world corpus, each file ``copies`` times: plain pyHanko in one process
    against ours at -j 1 and -j 2 (medians of ``repeat`` rounds, run alternately)."""
    if not (folder / "expected.json").exists():
        from tests.signatures.realworld.make_corpus import build

        with serve() as pki:
            build(folder, pki)
    originals = sorted(folder.glob("*.pdf"))
    batch = folder / "batch"
    batch.mkdir(exist_ok=True)
    paths = []
    for i in range(copies):
        for p in originals:
            q = batch / f"{i:02d}-{p.name}"
            if not q.exists():
                q.write_bytes(p.read_bytes())
            paths.append(q)
    anchors = options_for(VerifyRequest()).trust.anchors()
    plain_read = sum(
        1 for p in originals if not any(v.startswith("error") for v in _plain_or_error(p, anchors))
    )
    from eauth_toolkit.signatures import pades

    times: dict[str, list[float]] = {"plain": [], "classic": [], "j1": [], "j2": [], "j1-both": []}
    for _ in range(repeat):
        t = time.perf_counter()
        for p in paths:
            _plain_or_error(p, anchors)
        times["plain"].append(time.perf_counter() - t)
        t = time.perf_counter()
        for p in paths:
            plain_validate_pdf_signature(p, anchors)
        times["classic"].append(time.perf_counter() - t)
        # as before: pyHanko's difference analysis beside ours for every signature
        pades.PYHANKO_DIFF_ALWAYS = True
        try:
            t = time.perf_counter()
            verify_many(paths, VerifyRequest(), jobs=1)
            times["j1-both"].append(time.perf_counter() - t)
        finally:
            pades.PYHANKO_DIFF_ALWAYS = False
        for jobs in (1, 2):
            t = time.perf_counter()
            verify_many(paths, VerifyRequest(), jobs=jobs)
            times[f"j{jobs}"].append(time.perf_counter() - t)

    def figure(key: str) -> str:
        values = times[key]
        median = statistics.median(values)
        return (
            f"median {median:.2f} s, min {min(values):.2f} s "
            f"({statistics.median(times['plain']) / median:.2f}x plain pyHanko's median, "
            f"{min(times['plain']) / min(values):.2f}x on the minima)"
        )

    load = os.getloadavg()
    print(
        f"corpus: {len(originals)} files x {copies} = {len(paths)} PDFs "
        f"(plain pyHanko reads {plain_read} of the {len(originals)}), {repeat} rounds, "
        f"cores: {os.cpu_count()}, load average {load[0]:.1f} / {load[1]:.1f}\n"
        f"  plain pyHanko, one process (ades_lta_validation): "
        f"median {statistics.median(times['plain']):.2f} s, min {min(times['plain']):.2f} s\n"
        f"  plain pyHanko, one process (validate_pdf_signature): "
        f"median {statistics.median(times['classic']):.2f} s, min {min(times['classic']):.2f} s "
        f"(ours -j 1 {statistics.median(times['classic']) / statistics.median(times['j1']):.2f}x, "
        f"-j 2 {statistics.median(times['classic']) / statistics.median(times['j2']):.2f}x on the medians; "
        f"-j 1 {min(times['classic']) / min(times['j1']):.2f}x, "
        f"-j 2 {min(times['classic']) / min(times['j2']):.2f}x on the minima)\n"
        f"  ours -j 1, pyHanko's difference analysis always beside ours: {figure('j1-both')}\n"
        f"  ours -j 1:                          {figure('j1')}\n"
        f"  ours -j 2:                          {figure('j2')}"
    )


def bench_fuzz(files: dict[str, Path], cases: int) -> None:
    from tests.signatures.test_fuzz import run_fuzz

    options = options_for(VerifyRequest())
    sources = [files["100KB RSA 1 sig"].read_bytes(), files["100KB RSA 2 sigs"].read_bytes()]
    t = time.perf_counter()
    outcome = run_fuzz(sources, options, cases, seed=7)
    print(
        f"fuzz: {cases} mutated PDFs in {time.perf_counter() - t:.1f} s, no uncaught exception: {outcome}"
    )


def bench_big(work: Path, megabytes: int) -> None:
    big = work / "big.pdf"
    write_sample_pdf(big, size=megabytes * 1_000_000)
    with serve() as pki:
        # sign by streaming: pyHanko's writer reads the file and writes the signed copy
        data = big.read_bytes()
        signed = sign_pdf(data, pki=pki, signer="my-signer", baseline="B-LT")
        del data
        big.write_bytes(signed)
        del signed
    gc.collect()
    options = options_for(VerifyRequest())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    t = time.perf_counter()
    report = verify(big, options)
    elapsed = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"big file: {big.stat().st_size / 1e6:.0f} MB, {report.signatures[0].indication}, {elapsed:.2f} s, "
        f"peak Python allocations during validation {peak / 1e6:.1f} MB (max RSS of the process so far "
        f"{rss_before:.0f} MB, includes signing it)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--fuzz", type=int, default=0, help="number of fuzz cases (e.g. 10000)")
    parser.add_argument(
        "--big", type=int, default=0, help="size in MB of a big signed PDF to validate"
    )
    parser.add_argument(
        "--skip-single", action="store_true", help="skip the single-file comparison"
    )
    parser.add_argument("--skip-batch", action="store_true", help="skip the 200-file batch")
    parser.add_argument(
        "--corpus", type=Path, help="build (if needed) and time the real-world-like corpus in DIR"
    )
    parser.add_argument("--copies", type=int, default=8, help="copies of each corpus file")
    parser.add_argument("--corpus-repeat", type=int, default=5, help="rounds over the corpus")
    args = parser.parse_args()
    if args.corpus:
        bench_corpus(args.corpus, args.copies, max(1, args.corpus_repeat))
    if args.skip_single and args.skip_batch and not args.fuzz and not args.big:
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = make_files(work)
        if not args.skip_single:
            bench_single(files, args.repeat)
        if not args.skip_batch:
            bench_batch(files["batch"], args.jobs)
        if args.fuzz:
            bench_fuzz(files, args.fuzz)
        if args.big:
            bench_big(work, args.big)


if __name__ == "__main__":
    main()
