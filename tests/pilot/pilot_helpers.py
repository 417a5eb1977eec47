"""Helpers of the pilot tests: pilot.toml variants and access to a live server's pilot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

PILOT_TOML = Path(__file__).resolve().parents[2] / "pilot_sandbox" / "pilot.toml"


def pilot_variant(tmp_path: Path, *, replace: list[tuple[str, str]]) -> Path:
    """Write a pilot.toml variant (regex replacements on the default file)."""
    text = PILOT_TOML.read_text(encoding="utf-8")
    for pattern, repl in replace:
        new = re.sub(pattern, repl, text, count=1, flags=re.S)
        assert new != text, pattern
        text = new
    path = tmp_path / "pilot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def external_idp(
    code: str, issuer: str, entry: str, *, request_acr: bool = True, scope: str = "openid profile"
) -> tuple[str, str]:
    """A replacement turning AMS ``code``'s built-in IdP (and its personas) into an external one."""
    lines = [
        'kind = "external"',
        f'entry = "{entry}"',
        f'issuer = "{issuer}"',
        f'scope = "{scope}"',
        f"request_acr = {str(request_acr).lower()}",
    ]
    return (
        rf'(code = "{code}".*?\[ams\.idp\]\n)kind = "builtin"\nentry = "[^"]+"\n.*?(\n\[\[ams\.services\]\])',
        r"\1" + "\n".join(lines) + "\n" + r"\2",
    )


def pilot_of(server: Any) -> Any:
    """The running ``Pilot`` of a live server (for reading its store and keys)."""
    return server.server.config.app.state.pilot


def dpop_header(pilot: Any, code: str, part: str, endpoint: str, **kw: Any) -> dict[str, str]:
    """A DPoP header (fresh key, the provider's current nonce) for a request to a fapi2 provider."""
    from joserfc.jwk import ECKey

    from pilot_sandbox.oidc.dpop import make_proof

    provider = getattr(pilot.ams[code], part)
    proof = make_proof(
        ECKey.generate_key("P-256", private=True),
        kw.pop("method", "POST"),
        f"{provider.issuer}/{endpoint}",
        nonce=provider.dpop_nonce(),
        **kw,
    )
    return {"DPoP": proof}
