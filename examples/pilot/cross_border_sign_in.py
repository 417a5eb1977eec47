"""Pilot operators: run the SG-MY mutual-recognition pilot sandbox on loopback, let a Singapore
citizen sign in to a Malaysian service with the SG national digital ID (SANDBOX persona), and read
the pilot report built from the recorded events.

    .venv/bin/python examples/pilot/cross_border_sign_in.py
"""

from __future__ import annotations

import re
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from pilot_sandbox.runner import FlowPlan, drive_flow


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    data = Path(tempfile.mkdtemp(prefix="pilot-example-"))
    app = create_app(Settings(base_url=base, data_dir=data))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        with httpx.Client(timeout=30) as client:
            # service of MY -> MY Connector -> SG Proxy -> SG national IdP (login, consent) -> back
            result = drive_flow(client, base, FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling"))
            print(f"sign-in {result.outcome} in {result.seconds * 1000:.0f} ms")
            for name in ("family_name", "given_name", "birthdate", "sub", "country_of_origin"):
                value = re.search(rf'id="claim-{name}">([^<]*)<', result.page)
                print(f"  {name:18s} {value.group(1) if value else '-'}")
            # a level SG did not publish: refused by the Connector's first LoA check
            refused = drive_flow(
                client, base, FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling", level=4)
            )
            print(f"level 4 requested: {refused.outcome} ({refused.error})")
            report = client.get(f"{base}/pilot/report.json").json()
            print(
                "report:",
                report["flows"],
                "failure reasons:",
                [(f["error"], f["step"]) for f in report["failure_reasons"]],
            )
            print(f"full report: {base}/pilot/report (while this runs)")
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
