"""The line-based edit of the status file keeps comments, order and unrelated lines."""

from __future__ import annotations

import datetime as dt

import yaml

from eauth_toolkit.plan.models import ActivityStatus
from eauth_toolkit.plan.status import updated_text

ENTRY = ActivityStatus(
    status="completed", evidence="Guidance v1: https://example.org/g", date=dt.date(2026, 5, 1)
)


def test_multiline_evidence_and_missing_keys_are_replaced() -> None:
    text = (
        "activities:\n"
        "  B.2.1.2:  # the LoA Guidance\n"
        "    # reviewed by the committee\n"
        "    evidence: >-\n"
        "      first line\n"
        "      second line\n"
        "    implemented_by: [eauth loa assess]\n"
        "  B.2.1.3:\n"
        "    status: ongoing\n"
        "    evidence: x\n"
        "    date: 2025-01-01\n"
    )
    out = updated_text(text, "B.2.1.2", ENTRY)
    data = yaml.safe_load(out)["activities"]
    assert data["B.2.1.2"] == {
        "status": "completed",
        "date": dt.date(2026, 5, 1),
        "evidence": "Guidance v1: https://example.org/g",
        "implemented_by": ["eauth loa assess"],
    }
    assert data["B.2.1.3"]["status"] == "ongoing"
    assert "# the LoA Guidance" in out and "# reviewed by the committee" in out
    assert "second line" not in out


def test_new_block_goes_in_id_order_with_natural_numbers() -> None:
    text = "activities:\n  C.1.2.9:\n    status: ongoing\n    evidence: x\n    date: 2025-01-01\n"
    out = updated_text(text, "C.1.2.10", ENTRY)
    assert list(yaml.safe_load(out)["activities"]) == ["C.1.2.9", "C.1.2.10"]
    out = updated_text(text, "C.1.2.1", ENTRY)
    assert list(yaml.safe_load(out)["activities"]) == ["C.1.2.1", "C.1.2.9"]
