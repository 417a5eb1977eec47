"""Sign a SANDBOX PDF with a test CA, verify it, and show its level (a business's first try).

    .venv/bin/python examples/signatures/check_a_signature.py

The sandbox PKI (certomancer) is served on 127.0.0.1 while signing, for the time stamp and the
revocation information that a B-LTA signature embeds; verification then runs offline.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eauth_toolkit.signatures import VerifyRequest, options_for, verify  # noqa: E402
from eauth_toolkit.signatures.samples import sample_pdf  # noqa: E402
from eauth_toolkit.signatures.sandbox import serve  # noqa: E402
from eauth_toolkit.signatures.signing import sign_pdf  # noqa: E402


def main() -> None:
    with serve() as pki:
        signed = sign_pdf(sample_pdf(), pki=pki, signer="sg-signer-qc", baseline="B-LTA")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contract.pdf"
        path.write_bytes(signed)
        # a business in Malaysia receives a contract signed in Singapore
        report = verify(path, options_for(VerifyRequest(ams="MY")))
    for sig in report.signatures:
        print(f"field:       {sig.field}")
        print(f"indication:  {sig.indication}")
        print(f"level:       {sig.level} (baseline {sig.baseline})")
        print(f"signer:      {sig.signer.subject if sig.signer else '?'}")
        print(
            f"trust:       {sig.trust.service} on the {sig.trust.ams} list, recognised in {sig.trust.recognised_in}"
        )
        print(f"proven time: {sig.proven_time}")
        for w in sig.warnings:
            print(f"warning:     {w}")


if __name__ == "__main__":
    main()
