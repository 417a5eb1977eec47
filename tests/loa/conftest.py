"""Profiles for the LoA tests, built from one strong reference profile with everything confirmed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from eauth_toolkit.loa import TechnologyProfile

CONFIRMED = {"kind": "public_document", "url": "https://example.test/doc"}

#: a chip-card means meeting every rule of every default rule set, every fact confirmed
STRONG: dict[str, Any] = {
    "name": "reference smart card",
    "enrolment": {
        "routes": [
            {
                "name": "in person",
                "identity_proofing": "in_person",
                "evidence": ["chip_id", "register_record"],
                "evidence_validation": ["authoritative_source", "chip_signature"],
                "applicant_verification": ["operator_photo_comparison"],
                "biometric_recorded": True,
                "delivery": "in_person",
            }
        ]
    },
    "credential_management": {
        "factors": [
            {
                "type": "smart_card",
                "key_protection": "certified_hardware",
                "verifier_storage": "public_key_only",
            }
        ],
        "activation": "pin",
        "revocation": True,
        "status_checked": True,
        "expiry": True,
        "renewal": "re_proofing",
    },
    "authentication": {
        "guessing_protection": True,
        "eavesdropping_protection": True,
        "replay_protection": True,
        "session_protection": True,
        "mitm_resistance": "channel_bound",
        "phishing_resistance": True,
        "attack_potential": "high",
    },
    "management": {
        "legal_basis": "statute",
        "supervision": "accredited",
        "audit": "independent",
        "information_security": "certified",
        "record_keeping": True,
    },
    "evidence": {"": CONFIRMED},
}


def build(
    changes: dict[str, Any] | None = None, evidence: dict[str, Any] | None = None
) -> TechnologyProfile:
    """STRONG with dotted-path changes (``enrolment.routes.0.delivery``); ``evidence`` is merged."""
    doc = copy.deepcopy(STRONG)
    for path, value in (changes or {}).items():
        *parents, leaf = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(leaf)] = value
        else:
            node[leaf] = value
    doc["evidence"].update(evidence or {})
    return TechnologyProfile.model_validate(doc)


@pytest.fixture
def strong() -> TechnologyProfile:
    return build()
