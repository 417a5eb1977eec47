"""Mutual-recognition agreements between AMS and the decisions taken with them (B.2.1 activity 3).

The one recognition model for pilot gateways and signature levels: an agreement (``models``) signed
by every party's authority (``signed``), giving authentication decisions (``decisions``) and
signature caps (``caps``).
"""

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
    ReviewPolicy,
    SignatureRecognition,
)

__all__ = [
    "AMS_CODES",
    "MINIMUM_DATA_SET",
    "Agreement",
    "Recognition",
    "SignatureRecognition",
    "ReviewPolicy",
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
