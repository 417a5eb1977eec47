"""Mutual-recognition agreements between AMS and the decisions taken with them (B.2.1 activity 3)."""

from eauth_toolkit.recognition.decisions import (
    LOA_URN_PREFIX,
    LoaCheck,
    RecognitionDecision,
    check_published,
    check_request,
    check_returned,
    decide,
    loa_urn,
    parse_loa_urn,
)
from eauth_toolkit.recognition.models import (
    AMS_CODES,
    MINIMUM_DATA_SET,
    Agreement,
    Recognition,
)

__all__ = [
    "AMS_CODES",
    "MINIMUM_DATA_SET",
    "Agreement",
    "Recognition",
    "RecognitionDecision",
    "LoaCheck",
    "LOA_URN_PREFIX",
    "decide",
    "check_request",
    "check_returned",
    "check_published",
    "loa_urn",
    "parse_loa_urn",
]
