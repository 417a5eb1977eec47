"""`eauth trustlist` commands: build, show and refresh AMS trust lists (ETSI TS 119 612)."""

from __future__ import annotations

from pathlib import Path

import typer

from eauth_toolkit.cli._common import console, print_json
from eauth_toolkit.errors import InputError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from exc


@app.command("build")
def build_cmd(
    description: Path = typer.Argument(
        ..., help="YAML/JSON description (schemas/trustlist-description)."
    ),
    key: Path = typer.Option(..., "--key", help="Scheme operator private key (PEM, unencrypted)."),
    cert: Path = typer.Option(..., "--cert", help="Scheme operator certificate (PEM)."),
    out: Path = typer.Option(..., "--out", help="Where to write the signed trust list XML."),
) -> None:
    """Build and sign a trust list from a small description."""
    from eauth_toolkit.signatures.trustlist import (
        build_trust_list,
        load_certificates,
        load_description,
        load_trust_list,
    )

    desc = load_description(description)
    xml = build_trust_list(desc, key_pem=_read(key), cert_pem=_read(cert), base=description.parent)
    out.write_bytes(xml)
    # read it back: the written list must verify and parse
    tl = load_trust_list(out, pinned=load_certificates(_read(cert), where=str(cert)))
    console.print(
        f"{out}: trust list of {tl.territory}, sequence {tl.sequence}, {len(tl.services)} service(s), signed"
    )


@app.command("show")
def show_cmd(
    trust_list: Path = typer.Argument(..., help="Trust list XML."),
    signer: Path | None = typer.Option(
        None, "--signer", help="Pin the scheme operator certificate (PEM)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Verify a trust list's signature and show its services."""
    from rich.table import Table

    from eauth_toolkit.signatures.trustlist import describe, load_certificates, load_trust_list

    pinned = load_certificates(_read(signer), where=str(signer)) if signer else None
    tl = load_trust_list(trust_list, pinned=pinned)
    info = describe(tl)
    if as_json:
        print_json(info)
        return
    console.print(
        f"[bold]{tl.scheme_name}[/bold]\n{tl.territory} · operator {tl.operator} · sequence {tl.sequence}"
        f" · issued {info['issued']} · next update {info['next_update']}"
    )
    console.print(
        f"signed by {info['signed_by']} ({'pinned' if tl.signer_pinned else 'NOT pinned: integrity only'})"
        + (" · [yellow]SANDBOX[/yellow]" if tl.sandbox else "")
    )
    table = Table("provider", "service", "type", "status", "since", "usage", "certificate")
    for s in info["services"]:
        table.add_row(
            s["provider"],
            s["name"],
            s["type"],
            s["status"],
            s["since"] or "",
            ", ".join(s["usage"]),
            "\n".join(c["subject"] for c in s["certificates"]),
        )
    console.print(table)


@app.command("sandbox")
def sandbox_cmd(
    out_dir: Path = typer.Argument(..., help="Directory for the SANDBOX trust lists."),
) -> None:
    """Write the SANDBOX trust lists of MY and SG (test CAs only)."""
    from eauth_toolkit.signatures.sandbox.trustlists import write_sandbox_trust_lists

    written = write_sandbox_trust_lists(out_dir)
    for ams, path in written.items():
        console.print(f"{ams}: {path}")
