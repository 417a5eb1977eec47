"""`eauth repo` user mistakes: one line that names the cause, exit 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from eauth_toolkit.cli import main
from eauth_toolkit.repository.samples import publisher_key_path
from tests.repository.conftest import REPOSITORY_DIR, Authorities


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(["repo", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def _certificate(path: Path, key: object, *, ca: bool, name: str) -> Path:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_unknown_ams_and_missing_samples(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, authorities: Authorities
) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'r.sqlite3'}"]
    reg = ["--authorities", str(authorities.registry_path)]
    for command in ("audit", "list", "token"):
        extra = ["--label", "x"] if command == "token" else []
        code, _, err = run(capsys, command, "--ams", "ZZ", *extra, *db, *reg)
        line = one_line(err)
        assert code == 2 and "'ZZ' is not an AMS code" in line and "--ams" in line
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(capsys, "load-samples", "--dir", str(empty), *db, *reg)
    assert code == 2 and "no <AMS>.json sample files" in one_line(err) and out == ""
    code, _, err = run(capsys, "load-samples", "--dir", str(tmp_path / "nowhere"), *db, *reg)
    assert code == 2 and "no such folder" in one_line(err)


def test_verify_with_a_root_ca_certificate_says_what_is_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, authorities: Authorities
) -> None:
    from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
    from eauth_toolkit.repository.publication import publish
    from eauth_toolkit.repository.store import RepositoryStore

    store = RepositoryStore.open(
        f"sqlite:///{tmp_path / 'r.sqlite3'}", AuthorityRegistry.load(authorities.registry_path)
    )
    listed = tmp_path / "list.json"
    publish(store, load_key(publisher_key_path(REPOSITORY_DIR)), listed)
    store.close()
    root = _certificate(
        tmp_path / "root.pem",
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ca=True,
        name="SANDBOX Root CA",
    )
    code, _, err = run(capsys, "verify", str(listed), "--key", str(root))
    line = one_line(err)
    assert code == 2 and "Not a key of" not in line
    assert "CA certificate (CN=SANDBOX Root CA)" in line and "RSA 2048-bit" in line
    assert "root.pem" in line
    leaf = _certificate(
        tmp_path / "p384.pem", ec.generate_private_key(ec.SECP384R1()), ca=False, name="Signer"
    )
    code, _, err = run(capsys, "verify", str(listed), "--key", str(leaf))
    assert code == 2 and "EC key on secp384r1" in one_line(err)


def test_every_command_answers_bad_paths_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, authorities: Authorities
) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'r.sqlite3'}"]
    reg = ["--authorities", str(authorities.registry_path)]
    missing = str(tmp_path / "missing.json")
    folder = tmp_path / "folder"
    folder.mkdir()
    doc = tmp_path / "doc.json"
    doc.write_text('{"ams": "SG", "authority": "x", "entries": []}')
    key = str(authorities.key_paths["SG"])
    cert = str(REPOSITORY_DIR / "sandbox-publisher-key" / "publisher.cert.pem")
    publisher = str(publisher_key_path(REPOSITORY_DIR))
    cases = [
        ("validate", missing),
        ("validate", str(folder)),
        ("sign", missing, "--key", key, "--sequence", "1"),
        ("sign", str(doc), "--key", missing, "--sequence", "1"),
        ("sign", str(doc), "--key", key, "--sequence", "1", "--out", str(folder)),
        ("submit", missing, *db, *reg),
        ("submit", str(folder), *db, *reg),
        ("submit", str(doc), "--key", key, *db, "--authorities", missing),
        ("publish", "--key", missing, "--out", str(tmp_path / "l.json"), *db, *reg),
        ("publish", "--key", publisher, "--out", str(folder), *db, *reg),
        ("export", "--out", str(tmp_path / "l.json"), *db, *reg),
        ("verify", missing, "--key", cert),
        ("verify", str(doc), "--key", str(folder)),
        ("verify", str(doc), "--key", missing),
        ("diff", missing, missing, "--key", cert),
        ("show", "sg-nothing", *db, *reg),
        ("revoke-token", "nothing", *db, *reg),
    ]
    for args in cases:
        code, _, err = run(capsys, *args)
        assert code == 2, (args, err)
        one_line(err)
