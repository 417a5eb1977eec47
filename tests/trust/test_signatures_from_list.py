"""`eauth sig verify --repository LIST`: trust lists and recognition caps from the signed list."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eauth_toolkit.signatures.api import VerifyRequest, options_for, verify
from eauth_toolkit.signatures.samples import sample_pdf
from eauth_toolkit.signatures.sandbox import serve
from eauth_toolkit.signatures.signing import sign_pdf
from tests.trust.conftest import PUBLISHER_CERT, Service, publish_list


@pytest.fixture(scope="module")
def my_qes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A MY qualified signature (QSCD, B-LT) made with the sandbox PKI."""
    with serve() as pki:
        data = sign_pdf(sample_pdf(), pki=pki, signer="my-signer-qc", baseline="B-LT")
    path = tmp_path_factory.mktemp("signed") / "my-qes.pdf"
    path.write_bytes(data)
    yield path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eauth_toolkit", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_my_qualified_signature_checked_for_sg_gets_the_agreed_level(
    service: Service, my_qes: Path, tmp_path: Path
) -> None:
    out = tmp_path / "list.json"
    result = publish_list(service, out)
    request = VerifyRequest(ams="SG", repository=str(out), publisher_key=str(PUBLISHER_CERT))
    [sig] = verify(my_qes, options_for(request)).signatures
    assert sig.indication == "TOTAL-PASSED"
    assert sig.level == "AdES"  # the SG-MY agreement in the list counts MY's list in SG up to AdES
    assert any(
        f"only up to AdES (agreement sg-my-sandbox in list {result.sequence_number})" in w
        for w in sig.warnings
    ), sig.warnings
    # in MY itself the same signature is QES
    [own] = verify(my_qes, options_for(VerifyRequest(ams="MY", repository=str(out)))).signatures
    assert own.level == "QES"

    res = _cli("sig", "verify", "--json", "--ams", "SG", "--repository", str(out), str(my_qes))
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["signatures"][0]["level"] == "AdES"
    trust = report["signatures"][0]["trust"]
    assert (trust["agreement"], trust["list_sequence"]) == ("sg-my-sandbox", result.sequence_number)


def test_tampered_or_stale_list_is_refused(service: Service, my_qes: Path, tmp_path: Path) -> None:
    out = tmp_path / "list.json"
    publish_list(service, out)
    tampered = tmp_path / "tampered.json"
    raw = out.read_bytes()
    at = raw.index(b'"payload": "') + 200  # one character of the signed payload changed
    tampered.write_bytes(raw[:at] + (b"A" if raw[at : at + 1] != b"A" else b"B") + raw[at + 1 :])
    res = _cli("sig", "verify", "--ams", "SG", "--repository", str(tampered), str(my_qes))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and res.stderr.startswith("error:"), res.stderr
    import datetime as dt

    stale = tmp_path / "stale.json"
    publish_list(
        service,
        stale,
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        validity=dt.timedelta(days=1),
    )
    res = _cli("sig", "verify", "--ams", "SG", "--repository", str(stale), str(my_qes))
    assert res.returncode == 2 and "past its next update" in res.stderr, res.stderr


def test_service_checks_signatures_with_its_own_published_list(
    service: Service, my_qes: Path
) -> None:
    out = service.settings.data_dir / "repository-list.json"
    n = publish_list(service, out).sequence_number

    def check() -> dict:  # type: ignore[type-arg]
        r = service.client.post(
            "/api/signatures/verify",
            files={"file": ("my-qes.pdf", my_qes.read_bytes(), "application/pdf")},
            data={"ams": "SG"},
        )
        assert r.status_code == 200, r.text
        return dict(r.json()["signatures"][0])

    sig = check()
    assert sig["level"] == "AdES"
    assert any(f"agreement sg-my-sandbox in list {n}" in w for w in sig["warnings"])
    # a damaged newer file: the service keeps deciding with the last good list
    raw = out.read_bytes()
    at = raw.index(b'"payload": "') + 200
    out.write_bytes(raw[:at] + (b"A" if raw[at : at + 1] != b"A" else b"B") + raw[at + 1 :])
    sig = check()
    assert sig["level"] == "AdES"
    assert any(f"in list {n}" in w for w in sig["warnings"])


def test_cli_default_is_the_installation_s_own_list(
    service: Service, my_qes: Path, tmp_path: Path
) -> None:
    import os

    data = tmp_path / "data"
    data.mkdir()
    n = publish_list(service, data / "repository-list.json").sequence_number
    env = dict(os.environ, EAUTH_DATA_DIR=str(data))
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "eauth_toolkit",
            "sig",
            "verify",
            "--json",
            "--ams",
            "SG",
            str(my_qes),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert res.returncode == 0, res.stderr
    [sig] = json.loads(res.stdout)["signatures"]
    assert sig["level"] == "AdES"
    assert any(f"in list {n}" in w for w in sig["warnings"])


def test_a_foreign_trust_list_is_capped_by_the_list_of_the_data_folder_given(
    my_qes: Path, tmp_path: Path
) -> None:
    """``--trust-list MY.xml --ams SG --data-dir D``: the agreements that cap MY's list in SG come
    from D's default list, not from the environment's data folder."""
    from eauth_toolkit.resources import trust_list_dir
    from tests.helpers import run_cli

    chosen = tmp_path / "chosen"
    args = ["sig", "verify", "--json", "--trust-list", str(trust_list_dir() / "MY.xml")]
    res = run_cli(*args, "--ams", "SG", "--data-dir", str(chosen), str(my_qes))
    assert res.returncode == 0, res.stderr
    [sig] = json.loads(res.stdout)["signatures"]
    assert sig["trust"]["recognised_in"] == "SG" and sig["trust"]["agreement"]
    assert (chosen / "repository-list.json").is_file()
