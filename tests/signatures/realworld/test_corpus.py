"""The generated real-world corpus: every file gets the verdict its class calls for (indication,
sub-indication, signature count, change categories, notes), and no reason carries exception text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.signatures.api import verify
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.sandbox import SandboxPKI
from tests.signatures.realworld.make_corpus import Expected, build

_EXCEPTION_TEXT = re.compile(r"(Error|Exception)\b|Reference\(|Traceback|idnum=")


@pytest.fixture(scope="session")
def corpus(
    sandbox_pki: SandboxPKI, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Expected]]:
    out = tmp_path_factory.mktemp("realworld")
    return out, build(out, sandbox_pki)


def test_every_class_has_a_file(corpus: tuple[Path, list[Expected]]) -> None:
    classes = {e.cls.split()[0] for e in corpus[1]}
    assert {"1", "2", "4", "5", "6", "7", "9", "10"} <= classes
    assert (corpus[0] / "expected.json").exists()


def test_corpus_verdicts(
    corpus: tuple[Path, list[Expected]], offline: ValidationOptions, online: ValidationOptions
) -> None:
    folder, entries = corpus
    wrong = []
    for exp in entries:
        rep = verify(folder / exp.file, online if exp.online else offline, name=exp.file)
        got = (
            rep.error,
            [s.indication.value for s in rep.signatures],
            [s.sub_indication.value if s.sub_indication else None for s in rep.signatures],
        )
        if got != (None, exp.indications, exp.sub_indications):
            wrong.append((exp.file, got, [s.reasons for s in rep.signatures]))
            continue
        categories = {c.category.value for s in rep.signatures for c in s.changes}
        if not set(exp.categories) <= categories:
            wrong.append((exp.file, "categories", sorted(categories)))
        notes = " ".join(rep.notes)
        if not all(n in notes for n in exp.notes):
            wrong.append((exp.file, "notes", rep.notes))
        for s in rep.signatures:
            if any(_EXCEPTION_TEXT.search(r) for r in s.reasons):
                wrong.append((exp.file, "exception text", s.reasons))
    assert wrong == []


def test_signature_algorithm_in_digest_slot_is_explained(
    corpus: tuple[Path, list[Expected]], offline: ValidationOptions
) -> None:
    [sig] = verify(corpus[0] / "digest-slot-signature-algorithm.pdf", offline).signatures
    assert sig.reasons[0].startswith("FORMAT_FAILURE: ")
    assert "signature algorithm sha256_rsa" in sig.reasons[0]
    assert "where its digest algorithm belongs" in sig.reasons[0]


def test_disallowed_changes_carry_their_page(
    corpus: tuple[Path, list[Expected]], offline: ValidationOptions
) -> None:
    [sig] = verify(corpus[0] / "mod-page-added.pdf", offline).signatures
    [added] = [c for c in sig.changes if c.category == "page added"]
    assert (added.page, added.allowed) == (2, False)
    [sig] = verify(corpus[0] / "mod-annotation.pdf", offline).signatures
    [note] = [c for c in sig.changes if c.category == "annotation added"]
    assert (note.page, note.allowed) == (1, True)
    assert any("annotation (Text) added" in w for w in sig.warnings)


def test_sha1_subfilter_is_validated_and_judged_by_date(
    corpus: tuple[Path, list[Expected]], online: ValidationOptions
) -> None:
    [sig] = verify(corpus[0] / "adbe-pkcs7-sha1.pdf", online).signatures
    assert sig.reasons[0].startswith("CRYPTO_CONSTRAINTS_FAILURE_NO_POE: ")
    assert "SHA-1" in sig.reasons[0] and "2012-01-01" in sig.reasons[0]
    assert sig.signer is not None and sig.level == "SES"  # intact, only the algorithm's age


def test_two_signer_infos_get_a_verdict_each(
    corpus: tuple[Path, list[Expected]], online: ValidationOptions
) -> None:
    sigs = verify(corpus[0] / "two-signer-infos.pdf", online).signatures
    # a SET OF in DER: the SignerInfos come in encoding order
    assert sorted(s.signer.subject.split(",")[0] for s in sigs if s.signer) == [
        "Common Name: SANDBOX Aminah binti Ali (qualified)",
        "Common Name: SANDBOX Lim Wei Jie (qualified)",
    ]


def test_damaged_xref_entries_are_recovered_without_touching_signed_bytes(
    corpus: tuple[Path, list[Expected]], offline: ValidationOptions
) -> None:
    rep = verify(corpus[0] / "damaged-xref-entries.pdf", offline)
    [note] = [n for n in rep.notes if "damaged cross-reference data" in n]
    assert "3 entries pointed to the wrong byte" in note
    assert re.search(r"object \d+ 0 \(listed at byte (\d+), found at \d+\)", note)
    [sig] = rep.signatures
    assert sig.indication == "TOTAL-PASSED" and sig.modifications == "LTA_UPDATES"


def test_dss_only_updates_need_no_second_difference_analysis(
    corpus: tuple[Path, list[Expected]], offline: ValidationOptions
) -> None:
    """Every change of these files is placed by our analysis: pyHanko's runs for none of them,
    so it leaves no warning, and the level comes from our categories."""
    for name in ("mod-dss-overwrite.pdf", "mod-vri-odd-type.pdf", "mod-freed-reference.pdf"):
        [sig] = verify(corpus[0] / name, offline).signatures
        assert sig.modifications == "LTA_UPDATES", name
        assert not any("pyHanko" in w for w in sig.warnings), (name, sig.warnings)
        assert all(c.allowed for c in sig.changes), name


def test_parallel_batch_gives_the_same_verdicts_in_input_order(
    corpus: tuple[Path, list[Expected]], offline: ValidationOptions
) -> None:
    from eauth_toolkit.signatures.api import VerifyRequest, verify_many

    folder, entries = corpus
    paths = [folder / e.file for e in entries]

    def summary(r: Any) -> Any:
        return (
            r.file,
            r.error,
            r.notes,
            [
                (s.field, s.indication, s.sub_indication, sorted(c.category for c in s.changes))
                for s in r.signatures
            ],
        )

    finished: list[Any] = []
    one = verify_many(paths, VerifyRequest(), jobs=1, options=offline)
    two = verify_many(paths, VerifyRequest(), jobs=2, options=offline, progress=finished.append)
    assert [r.file for r in one] == [str(p) for p in paths]
    assert [summary(r) for r in two] == [summary(r) for r in one]
    assert sorted(r.file for r in finished) == sorted(str(p) for p in paths)


def test_workers_started_afresh_build_the_same_options(
    corpus: tuple[Path, list[Expected]],
    offline: ValidationOptions,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Where processes cannot be forked (spawn), each worker builds the options from the request
    and uses the parent's trust-list cache."""
    import multiprocessing

    from eauth_toolkit.signatures import tlcache
    from eauth_toolkit.signatures.api import VerifyRequest, verify_many

    folder, entries = corpus
    paths = [folder / e.file for e in entries if not e.online][:6]
    before = tlcache.cache_folder()
    tlcache.use_folder(tmp_path / "cache")
    try:
        expected = [
            [s.indication for s in r.signatures]
            for r in verify_many(paths, VerifyRequest(), jobs=1)
        ]
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
        got = verify_many(paths, VerifyRequest(), jobs=2)
    finally:
        tlcache.use_exact_folder(before)
    assert [[s.indication for s in r.signatures] for r in got] == expected
    assert [r.file for r in got] == [str(p) for p in paths]
