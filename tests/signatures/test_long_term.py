"""B-LT and B-LTA signatures stay valid on the revocation data they embed (EN 319 102-1: data
issued after the proven signing time shows the certificate was good when it signed), long after
the OCSP responses' nextUpdate; a signer revoked before signing gets no level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from eauth_toolkit.signatures.api import verify
from eauth_toolkit.signatures.pades import ValidationOptions
from tests.signatures.conftest import Signed


@pytest.mark.parametrize("baseline", ["B-LT", "B-LTA"])
@pytest.mark.parametrize("later", [timedelta(days=1), timedelta(days=730)])
def test_long_term_signature_does_not_go_stale(
    signed: Signed, offline: ValidationOptions, baseline: str, later: timedelta
) -> None:
    data = signed.data("my-signer-qc", baseline)
    now = verify(data, offline, name="x.pdf").signatures[0]
    assert now.indication == "TOTAL-PASSED", now.reasons
    with time_machine.travel(datetime.now(UTC) + later, tick=True):
        then = verify(data, offline, name="x.pdf").signatures[0]
    assert then.indication == "TOTAL-PASSED", then.reasons
    assert (then.level, then.baseline) == ("QES", baseline)
    assert then.revocation.status == "good"


def test_b_t_without_embedded_data_still_asks_for_revocation_data(
    signed: Signed, offline: ValidationOptions
) -> None:
    """The freshness rule is not a blank cheque: with nothing embedded, nothing proves good."""
    v = verify(signed.data("my-signer-qc", "B-T"), offline, name="x.pdf").signatures[0]
    assert v.indication == "INDETERMINATE"
    assert v.sub_indication in ("TRY_LATER", "CERTIFICATE_CHAIN_GENERAL_FAILURE")


def test_signer_revoked_before_signing_has_no_level(
    signed: Signed, online: ValidationOptions
) -> None:
    v = verify(signed.data("my-signer-revoked", "B-B"), online, name="x.pdf").signatures[0]
    assert v.indication != "TOTAL-PASSED"
    assert v.sub_indication in ("REVOKED", "REVOKED_NO_POE")
    assert v.level is None
    assert v.revocation.status == "revoked"
    assert any(r.startswith(str(v.sub_indication)) for r in v.reasons)
