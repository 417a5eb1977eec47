"""AMS trust lists: the committed sandbox lists, signature checks, parsing by pyHanko."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from eauth_toolkit.errors import InputError, SignatureError
from eauth_toolkit.signatures.api import DEFAULT_TRUST_LIST_DIR, default_trust_lists
from eauth_toolkit.signatures.levels import TrustSet, agreements
from eauth_toolkit.signatures.sandbox import SandboxPKI
from eauth_toolkit.signatures.sandbox.trustlists import write_sandbox_trust_lists
from eauth_toolkit.signatures.trustlist import load_certificates, load_trust_list, parse_trust_list


def test_committed_lists_are_signed_pinned_and_current() -> None:
    lists = {tl.territory: tl for tl in default_trust_lists()}
    assert set(lists) == {"MY", "SG"}
    pki = SandboxPKI.load()
    for ams, root in (("MY", "my-root"), ("SG", "sg-root")):
        tl = lists[ams]
        assert tl.sandbox and tl.signer_pinned
        ca = next(s for s in tl.services if s.type == "CA/QC")
        assert ca.status == "granted" and "ForeSignatures" in ca.usage
        # the list names today's sandbox CA (the PKI is deterministic for its RSA roots)
        assert [c.sha256 for c in ca.certificates] == [pki.cert(root).sha256]
        # pyHanko's TS 119 612 parser sees the same CA as a qualified service
        assert any(
            a.certificate.sha256 == pki.cert(root).sha256
            for a in tl.registry.known_certificate_authorities
        )


def test_regenerated_lists_verify(tmp_path: Path) -> None:
    written = write_sandbox_trust_lists(tmp_path)
    pinned = load_certificates((tmp_path / "certs" / "my-tlso.pem").read_bytes(), where="my-tlso")
    tl = load_trust_list(written["MY"], pinned=pinned)
    assert tl.territory == "MY" and tl.sequence == 1
    assert hashlib.sha256(
        (tmp_path / "MY.yaml").read_bytes()
    ).hexdigest()  # the description is written too


def test_tampered_list_is_refused() -> None:
    data = (DEFAULT_TRUST_LIST_DIR / "MY.xml").read_bytes()
    tampered = data.replace(b"Svcstatus/granted", b"Svcstatus/withdrawn", 1)
    assert tampered != data
    with pytest.raises(SignatureError, match="does not verify"):
        parse_trust_list(tampered, source="tampered.xml")


def test_unsigned_or_foreign_xml_is_refused() -> None:
    with pytest.raises(InputError, match="not an ETSI TS 119 612"):
        parse_trust_list(b"<html/>", source="x.xml")
    with pytest.raises(InputError, match="not XML"):
        parse_trust_list(b"\x00\x01", source="y.xml")
    bare = (
        b'<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation/>'
        b"</TrustServiceStatusList>"
    )
    with pytest.raises(SignatureError, match="not signed"):
        parse_trust_list(bare, source="z.xml")


def test_xml_entities_are_not_expanded() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#">&a;</TrustServiceStatusList>'
    with pytest.raises((SignatureError, InputError)):
        parse_trust_list(bomb, source="bomb.xml")


def test_recognition_agreements_are_data() -> None:
    pairs = {(a.from_ams, a.to_ams): a.max_level for a in agreements()}
    assert pairs[("SG", "MY")] == "QES"
    assert pairs[("MY", "SG")] == "AdES"
    lists = default_trust_lists()
    assert {tl.territory for tl in TrustSet.for_ams(lists, "MY").lists} == {"MY", "SG"}
    assert TrustSet.for_ams(lists, "TH").lists == ()
