"""Every attack variant of our own signed PDFs fails, is indeterminate, or carries a warning."""

from __future__ import annotations

import pytest

from eauth_toolkit.signatures.api import verify
from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.pades import ValidationOptions
from tests.signatures.attacks import VARIANTS, VARIANTS_ON_LAST
from tests.signatures.conftest import Signed


def _caught(report: FileReport) -> bool:
    assert report.error is None, report.error  # an attack variant is still a readable PDF
    assert report.signatures, report.notes
    return all(s.indication != "TOTAL-PASSED" or s.warnings for s in report.signatures)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_attack_on_b_lt(signed: Signed, offline: ValidationOptions, name: str) -> None:
    original = signed.data("my-signer-qc", "B-LT")
    assert verify(original, offline, name="original").all_passed
    report = verify(VARIANTS[name](original), offline, name=name)
    assert _caught(report), report.model_dump()


@pytest.mark.parametrize("name", sorted({**VARIANTS, **VARIANTS_ON_LAST}))
def test_attack_on_b_lta(signed: Signed, offline: ValidationOptions, name: str) -> None:
    make = {**VARIANTS, **VARIANTS_ON_LAST}[name]
    report = verify(make(signed.data("my-signer-qc", "B-LTA")), offline, name=name)
    assert _caught(report), report.model_dump()


def test_form_filling_after_signing_is_shown(signed: Signed, offline: ValidationOptions) -> None:
    report = verify(
        VARIANTS["shadow-replace-via-form"](signed.data("my-signer-qc", "B-LT")), offline, name="f"
    )
    [sig] = report.signatures
    # DocMDP permits it, so the signature stays valid, but the change is never silent
    assert sig.indication == "TOTAL-PASSED"
    assert sig.modifications == "FORM_FILLING"
    assert any("remarks" in w and "filled in" in w and "after signing" in w for w in sig.warnings)
    fills = [c for c in sig.changes if c.category == "form field filled"]
    assert fills and all(c.allowed for c in fills)


@pytest.mark.parametrize(
    "name", ["isa-new-content", "shadow-replace", "shadow-hide-and-replace", "shadow-hide"]
)
def test_content_changes_fail(signed: Signed, offline: ValidationOptions, name: str) -> None:
    [sig] = verify(VARIANTS[name](signed.data("my-signer", "B-LT")), offline, name=name).signatures
    assert sig.indication == "TOTAL-FAILED"
    assert sig.modifications == "OTHER"
    assert sig.level is None
    # the object-by-object analysis names the change and its page
    bad = [c for c in sig.changes if not c.allowed]
    assert bad and {c.category for c in bad} <= {"visual content changed", "other"}
    assert any(c.page == 1 for c in bad)


def test_broken_document_timestamp_lowers_baseline(
    signed: Signed, offline: ValidationOptions
) -> None:
    make = VARIANTS_ON_LAST["usf-byterange-short@last"]
    [sig] = verify(make(signed.data("my-signer-qc", "B-LTA")), offline, name="x").signatures
    assert sig.baseline == "B-LT"
    assert any("document time stamp" in w for w in sig.warnings)
