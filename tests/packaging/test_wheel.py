"""The product as a stranger gets it: the wheel is built, installed into a fresh virtual environment
outside the checkout, and every command of the README's tour runs from an empty folder (with only
the tour's input files copied in), followed by the service started from the wheel.

Dependencies are resolved from the package index (through uv's cache), so a missing runtime
dependency fails here.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

#: a substring each tour command must print (by the command's first words)
EXPECTED = {
    "eauth repo validate": "SG.json",
    "eauth repo load-samples": "accepted SG.json",
    "eauth repo list": "sg-singpass",
    "eauth repo show": "Singpass",
    "eauth repo publish": "published list",
    "eauth repo verify": "VALID",
    "eauth repo diff": '"added"',
    "eauth loa assess": "Singpass",
    "eauth loa map": "eidas",
    "eauth loa guidance": "loa-guidance.html",
    "eauth sig signers": "my-signer-qc",
    "eauth sig sign": "contract-signed.pdf",
    "eauth sig verify": "verdict",  # the table's header; with --json: "indication"
    "eauth trustlist show": "MY",
    "eauth trustlist build": "MY.xml",
    "eauth pilot run": "flows recorded in the store",
    "eauth pilot report": "pilot-report.html",
    "eauth laws validate": "valid",
    "eauth laws submit": "accepted",
    "eauth laws report": "Laws Reporting Scheme",
    "eauth plan report": "B.2",
    "eauth plan set": "B.2.1.4: in_progress",
}


#: exit codes a tour command may end with: 1 is a verdict of `sig verify` (not every signature
#: passed), never an error
ALLOWED_EXIT = {"eauth sig verify": (0, 1)}


def tour_commands() -> list[str]:
    """The ``eauth ...`` lines of the README's shell blocks, without their comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command.startswith("eauth "):
                lines.append(command)
    return lines


def _source_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bin/`` of a fresh virtual environment with the freshly built wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    src = (
        base / "src"
    )  # build from a copy: building writes build/ and *.egg-info next to the sources
    for name in _source_files():
        if name.startswith(("tests/", "bench/")):
            continue
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    dist = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)],
        check=True,
        capture_output=True,
    )
    wheels = list(dist.glob("eauth_toolkit-*.whl"))
    assert len(wheels) == 1, wheels
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(base / "venv")],
        check=True,
    )
    python = base / "venv" / "bin" / "python"
    # uv resolves and installs the wheel's dependencies from the package index like pip, but
    # reuses its cache: seconds instead of most of a minute
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            str(wheels[0]),
        ],
        check=True,
        capture_output=True,
    )
    return python.parent


def _env(home: Path, venv: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("EAUTH_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        PATH=f"{venv}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="200",
    )
    return env


def _installed_package(venv: Path) -> Path:
    out = subprocess.run(
        [str(venv / "python"), "-c", "import eauth_toolkit; print(eauth_toolkit.__file__)"],
        cwd=venv,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip()).parent


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def test_readme_tour_runs_from_the_installed_wheel(venv: Path, tmp_path: Path) -> None:
    from eauth_toolkit.signatures.samples import write_sample_pdf

    package = _installed_package(venv)
    assert ROOT not in package.parents, package
    before = _digest(package)
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    # the tour's input files: the sample entries and examples of the repository, and a PDF to sign
    for folder in ("repository_list", "examples"):
        shutil.copytree(ROOT / folder, work / folder)
    write_sample_pdf(work / "contract.pdf")
    # KEY.pem and CERT.pem of `trustlist build`: the SANDBOX Malaysian scheme operator's
    shutil.copy(ROOT / "eauth_toolkit/signatures/sandbox/keys/my-tlso.key.pem", work / "KEY.pem")
    shutil.copy(ROOT / "repository_list/trust-lists/certs/my-tlso.pem", work / "CERT.pem")
    # my-plan.json and AUTHORITY-KEY of `laws submit`: a SANDBOX plan and its authority's key
    shutil.copy(ROOT / "repository_list/laws/sandbox/PH-national-plan.json", work / "my-plan.json")
    shutil.copy(
        ROOT / "repository_list/sandbox-authority-keys/PH.private.jwk.json", work / "AUTHORITY-KEY"
    )
    env = _env(home, venv)

    commands = tour_commands()
    assert {" ".join(c.split()[:3]) for c in commands} >= set(EXPECTED), commands
    for command in commands:
        argv = []
        for word in shlex.split(command):
            matches = sorted(glob.glob(word, root_dir=work)) if "*" in word else []
            argv += matches or [word]
        argv[0] = str(venv / "eauth")
        run = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=300)
        allowed = ALLOWED_EXIT.get(" ".join(command.split()[:3]), (0,))
        assert run.returncode in allowed, f"{command}\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
        assert "Traceback" not in run.stderr, command
        expected = EXPECTED.get(" ".join(command.split()[:3]), "")
        if command.startswith("eauth sig verify") and "--json" in command:
            expected = '"indication": "TOTAL-PASSED"' if run.returncode == 0 else '"indication"'

        assert expected in run.stdout, f"{command}: {expected!r} not in\n{run.stdout[-2000:]}"

    # what the tour wrote went to the user data folder (platformdirs), never into the package
    data = home / "data" / "eauth-toolkit"
    assert (data / "eauth.sqlite3").is_file()
    assert "B.2.1.4:" in (data / "plan-status.yaml").read_text(encoding="utf-8")
    assert _digest(package) == before


def test_service_from_the_wheel_loads_the_samples_on_first_start(
    venv: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = _env(tmp_path, venv)
    proc = subprocess.Popen(
        [str(venv / "eauth"), "sandbox", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, timeout=60)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            for path in ("/health", "/plan", "/loa/guidance", "/signatures/check", "/pilot/report"):
                assert client.get(path).status_code == 200, path
            deadline = time.monotonic() + 30
            while "sg-singpass" not in client.get("/api/repository/entries").text:
                assert time.monotonic() < deadline, "sample entries were not loaded"
                time.sleep(0.5)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert (tmp_path / "data" / "eauth-toolkit" / "eauth.sqlite3").is_file()
