"""The pilot over HTTP, deciding with the published Repository List (one trust chain).

Submissions and reviews go to the repository service over HTTP; its lists are published to a file
that the running pilot (``[trust] repository`` in pilot.toml) reads on every flow. Citizens' sign-ins
are driven over real HTTP against the running pilot; nothing is restarted between lists.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from eauth_toolkit.recognition.sandbox import sandbox_agreement, sign_with_sandbox_keys
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.publication import publish
from eauth_toolkit.repository.reviews import sign_review
from eauth_toolkit.repository.trust import trust_picture
from eauth_toolkit.resources import pilot_config_path
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from pilot_sandbox.runner import FlowPlan, FlowResult, drive_flow
from tests.helpers import ThreadedServer, free_port
from tests.trust.conftest import (
    PUBLISHER_KEY,
    REPO,
    Service,
    key_path,
    pilot_entry,
    publish_list,
    submission,
)

SG_IDP = "sg-sandbox-national-idp"
MY_IDP = "my-sandbox-national-idp"
AGREEMENT = "sg-my-sandbox"


@dataclass
class Chain:
    service: Service
    out: Path
    base: str
    client: httpx.Client
    starter: Callable[[], ThreadedServer]
    server: ThreadedServer | None = None

    def start(self) -> None:
        """Start the pilot (once: later lists take effect without a restart)."""
        self.server = self.starter()

    @property
    def pilot(self) -> Any:
        assert self.server is not None
        return self.server.server.config.app.state.pilot

    def publish(self, *, carrying: dict[str, Any] | None = None, **kwargs: Any) -> int:
        """Publish the next list; ``carrying`` puts that agreement document in place of the
        registry's (a publisher that skipped the registry's checks: readers check again)."""
        if carrying is None and not kwargs:
            return int(publish_list(self.service, self.out).sequence_number)
        picture = trust_picture(self.service.store, REPO)
        if carrying is not None:
            picture["agreements"] = [
                {"id": AGREEMENT, "parties": ["SG", "MY"], "in_force": True, "document": carrying}
            ]
        return publish(
            self.service.store, load_key(PUBLISHER_KEY), self.out, trust=picture, **kwargs
        ).sequence_number

    def endorse(self, reviewer: str, entry: str) -> None:
        jws = sign_review(
            ams=reviewer,
            entry=entry,
            level=3,
            decision="endorse",
            reason="profile and evidence checked (SANDBOX)",
            key=load_key(key_path(reviewer)),
            sequence=self.service.store.next_sequence(reviewer),
        )
        r = self.service.post_review(reviewer, jws)
        assert r.status_code == 201, r.text

    def sg_sign_in_at_my(self) -> FlowResult:
        plan = FlowPlan(
            service_ams="MY", service="tax-filing", country="SG", username="tan.mei.ling"
        )
        return drive_flow(self.client, self.base, plan)

    def last_decision(self, step: str) -> dict[str, Any]:
        events = [e for e in self.pilot.store.events() if e["step"] == step]
        return dict(events[-1]["data"])

    def report(self) -> dict[str, Any]:
        r = self.client.get(f"{self.base}/pilot/report.json")
        assert r.status_code == 200
        return dict(r.json())


@pytest.fixture
def chain(service: Service, tmp_path: Path) -> Iterator[Chain]:
    """SG and MY submit the pilot's entries over HTTP; no list is published yet."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for ams, entry in (("SG", SG_IDP), ("MY", MY_IDP)):
        r = service.submit(ams, submission(ams, [pilot_entry(entry, base)]))
        assert r.status_code == 201, r.text
    out = tmp_path / "published" / "list.json"
    out.parent.mkdir()
    toml = pilot_config_path().read_text(encoding="utf-8")
    toml, n = re.subn(r"\[trust\]\n", f'[trust]\nrepository = "{out}"\n', toml)
    assert n == 1
    (tmp_path / "pilot").mkdir()
    config = tmp_path / "pilot" / "pilot.toml"
    config.write_text(toml, encoding="utf-8")
    holder: dict[str, Any] = {}

    def start() -> ThreadedServer:
        settings = Settings(
            base_url=base,
            data_dir=tmp_path / "pilot",
            database_url=f"sqlite:///{tmp_path / 'pilot' / 'pilot.sqlite3'}",
            pilot_config=config,
        )
        server = ThreadedServer(create_app(settings), port).start()
        holder["server"] = server
        return server

    with httpx.Client(timeout=30.0) as client:
        yield Chain(service, out, base, client, start)
    if "server" in holder:
        holder["server"].stop()


def test_sign_in_follows_review_publication_and_withdrawal(chain: Chain) -> None:
    # list N: SG's level is proposed, not yet agreed by MY: the pilot does not use it
    n = chain.publish()
    chain.start()
    result = chain.sg_sign_in_at_my()
    assert result.outcome == "failed" and result.error == "access_denied", result.page
    assert "not agreed by peer review" in result.page and f"#{n}" in result.page
    assert chain.last_decision("connector.choose")["list_sequence"] == n

    # MY (the other party to the agreement) endorses; list N+1: the sign-in succeeds at level 3
    chain.endorse("MY", SG_IDP)
    n1 = chain.publish()
    result = chain.sg_sign_in_at_my()
    assert result.outcome == "succeeded", result.page
    proxy = chain.last_decision("proxy.callback")
    assert proxy["level"] == 3 and proxy["list_sequence"] == n1
    assert proxy["agreement"] == AGREEMENT and "endorsed by MY" in proxy["decision"]
    connector = chain.last_decision("connector.callback")
    assert (connector["list_sequence"], connector["agreement"]) == (n1, AGREEMENT)
    end = chain.last_decision("flow.end")  # the demo service's level decision
    assert (end["list_sequence"], end["agreement"], end["returned_level"]) == (n1, AGREEMENT, 3)

    # SG withdraws its IdP technology; list N+2: the next SG sign-in at MY is refused, no restart
    withdrawal = {"id": SG_IDP, "date": "2026-11-30", "reason": "replaced by a new national IdP"}
    assert chain.service.submit("SG", submission("SG", [], [withdrawal])).status_code == 201
    n2 = chain.publish()
    result = chain.sg_sign_in_at_my()
    assert result.outcome == "failed" and result.error == "access_denied", result.page
    assert "withdrawn" in result.page and "replaced by a new national IdP" in result.page
    assert f"Repository List #{n2}" in result.page
    assert chain.last_decision("connector.choose")["list_sequence"] == n2

    # the report names the list and the agreement each decision relied on (JSON and HTML)
    sources = chain.report()["decision_sources"]
    seen = {(s["list_sequence"], s["agreement"], s["outcome"]) for s in sources}
    assert (n1, AGREEMENT, "ok") in seen and (n2, "-", "fail") in seen
    html = chain.client.get(f"{chain.base}/pilot/report").text
    assert 'id="decision-sources"' in html and f">{n2}<" in html and AGREEMENT in html


def test_agreement_without_every_signature_or_past_its_end_is_refused(
    chain: Chain, tmp_path: Path
) -> None:
    chain.endorse("MY", SG_IDP)
    chain.publish()
    chain.start()
    assert chain.sg_sign_in_at_my().outcome == "succeeded"

    signed = json.loads((REPO / "agreements" / f"{AGREEMENT}.json").read_text(encoding="utf-8"))
    signed["signatures"] = signed["signatures"][:1]  # SG's signature only
    n = chain.publish(carrying=signed)
    result = chain.sg_sign_in_at_my()
    assert result.outcome == "failed" and result.error == "access_denied", result.page
    assert "lacks the signature of MY" in result.page and f"#{n}" in result.page

    ended = sandbox_agreement().model_copy(update={"valid_until": dt.date(2026, 6, 30)})
    n = chain.publish(carrying=sign_with_sandbox_keys(ended))
    result = chain.sg_sign_in_at_my()
    assert result.outcome == "failed" and result.error == "access_denied", result.page
    assert "ended on 2026-06-30" in result.page and f"#{n}" in result.page


def test_withdrawn_agreement_leaves_the_next_list_and_the_pilot_refuses(chain: Chain) -> None:
    """MY withdraws the SG-MY agreement over HTTP: the next list no longer carries it and the next
    SG sign-in at a MY service is refused, naming that list; no restart in between."""
    chain.endorse("MY", SG_IDP)
    n1 = chain.publish()
    chain.start()
    assert chain.sg_sign_in_at_my().outcome == "succeeded"
    assert chain.last_decision("connector.choose")["agreement"] == AGREEMENT

    withdrawal = {"id": AGREEMENT, "reason": "MY ends the SANDBOX recognition of SG sign-ins"}
    r = chain.service.submit_agreement("MY", {"withdrawal": withdrawal})
    assert r.status_code == 201, r.text
    assert r.json()["change"] == "withdrawn"
    # TH is no party: it may not withdraw it (and the audit trail records only the accepted one)
    r = chain.service.submit_agreement("TH", {"withdrawal": withdrawal})
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    n2 = chain.publish()
    assert n2 == n1 + 1
    from eauth_toolkit.repository.publication import read_list_payload

    assert read_list_payload(chain.out)["trust"]["agreements"] == []
    result = chain.sg_sign_in_at_my()
    assert result.outcome == "failed" and result.error == "access_denied", result.page
    assert f"#{n2}" in result.page and "no agreement" in result.page
    assert chain.last_decision("connector.choose")["list_sequence"] == n2


def test_tampered_or_stale_list_keeps_the_last_good_one(
    chain: Chain, caplog: pytest.LogCaptureFixture
) -> None:
    chain.endorse("MY", SG_IDP)
    good = chain.publish()
    chain.start()
    assert chain.sg_sign_in_at_my().outcome == "succeeded"

    raw = chain.out.read_bytes()
    at = raw.index(b'"payload": "') + 300
    chain.out.write_bytes(raw[:at] + (b"A" if raw[at : at + 1] != b"A" else b"B") + raw[at + 1 :])
    with caplog.at_level(logging.WARNING):
        result = chain.sg_sign_in_at_my()
    assert result.outcome == "succeeded", result.page
    assert chain.last_decision("proxy.callback")["list_sequence"] == good
    assert chain.pilot.trust_list.last_error and "refused" in chain.pilot.trust_list.last_error
    assert f"keeping Repository List #{good}" in caplog.text

    # a newer list whose next_update has passed (stale) is refused the same way
    caplog.clear()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    stale = chain.publish(now=past, validity=dt.timedelta(days=1))
    assert stale > good
    with caplog.at_level(logging.WARNING):
        result = chain.sg_sign_in_at_my()
    assert result.outcome == "succeeded", result.page
    assert chain.last_decision("proxy.callback")["list_sequence"] == good
    assert f"keeping Repository List #{good}" in caplog.text
    assert "refused" in (chain.pilot.trust_list.last_error or "")
