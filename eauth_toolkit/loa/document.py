"""The Guidance document: levels, rules per phase with their sources, mappings, registered technologies.

Rendered from the Guidance data (and, when given, the repository list) as Markdown or standalone
HTML. The document is a view of the data: changing the Guidance file changes the document.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eauth_toolkit.loa.assessment import Assessment, assess
from eauth_toolkit.loa.profiles import repository_profiles
from eauth_toolkit.loa.rules import ALL_PHASES, Guidance, default_guidance

__all__ = [
    "RegisteredTechnology",
    "registered_technologies",
    "render_markdown",
    "render_html",
    "render_html_body",
]


@dataclass(frozen=True, slots=True)
class RegisteredTechnology:
    """One row of the table of registered technologies."""

    ams: str
    entry_id: str
    name: str
    claimed: int | None
    assessment: Assessment | None
    problem: str | None

    @property
    def holds(self) -> bool | None:
        if self.assessment is None or self.claimed is None:
            return None
        return self.assessment.overall >= self.claimed


def _claimed(entry: dict[str, Any], fallback: int | None) -> int | None:
    c = entry.get("claimed_level")
    if isinstance(c, dict) and isinstance(c.get("iso29115"), int):
        return int(c["iso29115"])
    if isinstance(c, int) and not isinstance(c, bool):
        return c
    return fallback


def registered_technologies(
    directory: str | Path, guidance: Guidance | None = None
) -> list[RegisteredTechnology]:
    """Assess every repository entry that has a profile (missing folder or profiles: fewer rows)."""
    g = guidance or default_guidance()
    rows = []
    for loaded, where, problem in repository_profiles(directory):
        if loaded is None:
            rows.append(
                RegisteredTechnology(
                    "?", where, Path(where.split("#")[0]).stem, None, None, problem
                )
            )
            continue
        entry = loaded.entry or {}
        result = assess(loaded.profile, g)
        rows.append(
            RegisteredTechnology(
                ams=str(entry.get("ams") or Path(where.split("#")[0]).stem),
                entry_id=str(entry.get("id") or loaded.profile.name),
                name=str(entry.get("name") or loaded.profile.name),
                claimed=_claimed(entry, loaded.profile.claimed_level),
                assessment=result,
                problem=None,
            )
        )
    return sorted(rows, key=lambda r: (r.ams, r.entry_id))


def _yes_no(v: bool | None) -> str:
    return "-" if v is None else ("yes" if v else "no")


def _level(v: int | None) -> str:
    return "-" if v is None else str(v)


# --------------------------------------------------------------------------- content model


def _sections(g: Guidance, rows: Sequence[RegisteredTechnology] | None) -> list[tuple[str, Any]]:
    """The document as a list of blocks: ('h1'|'h2'|'h3'|'p', text) or ('table', (head, rows))."""
    out: list[tuple[str, Any]] = [
        ("h1", g.title),
        (
            "p",
            f"Guidance version {g.version}, following {g.edition['name']}. "
            "Levels are computed from each technology's profile by the rules below; the rules are "
            "data, so changing the Guidance means changing the rule file and its version.",
        ),
    ]
    if g.edition.get("note"):
        out.append(("p", g.edition["note"]))
    out.append(("h2", "Levels of assurance"))
    out.append(
        (
            "table",
            (
                ["Level", "Name", "Meaning"],
                [[str(lv["level"]), lv["name"], lv["meaning"]] for lv in g.levels],
            ),
        )
    )
    out.append(
        (
            "p",
            "A rule required for a level applies to that level and every level above it. The level "
            "of a phase is the highest level whose rules are all met; the overall level is the "
            "lowest of the phases"
            + (
                " and of management and organisation, which caps it."
                if "management" in g.capping_phases
                else "."
            )
            + " An answer that is not known never meets a rule.",
        )
    )
    out.append(("h2", "Rules per phase"))
    for phase in g.phases:
        pid = phase["id"]
        if pid not in ALL_PHASES:
            continue
        out.append(("h3", f"{phase['title']} (ISO/IEC 29115 clause {phase['clause']})"))
        if phase.get("note"):
            out.append(("p", phase["note"]))
        body = [
            [r.id, str(r.level), r.control, r.condition.text, r.source_text, r.edition]
            for r in g.rules_for(pid)
        ]
        out.append(
            ("table", (["Rule", "Level", "Control", "Condition", "Sources", "Edition"], body))
        )
    out.append(("h2", "Mappings"))
    for name, table in g.mappings.items():
        out.append(
            ("h3", f"{table['title']} ({'official' if table['official'] else 'not official'})")
        )
        tbl = table["table"]
        if name == "eidas":
            body = [[k, tbl[k] or "none (below low)"] for k in sorted(tbl)]
            out.append(("table", (["ISO/IEC 29115 level", "eIDAS"], body)))
        else:
            body = [[k, _level(tbl[k]["ial"]), _level(tbl[k]["aal"])] for k in sorted(tbl)]
            out.append(("table", (["ISO/IEC 29115 level", "IAL", "AAL"], body)))
        out.append(("p", table["notes"]))
        out.append(
            (
                "p",
                "Sources: "
                + "; ".join(
                    f"{g.references[s['ref']]['short']} {s['clause']}" for s in table["sources"]
                ),
            )
        )
    out.append(("h2", "Registered technologies"))
    if rows is None:
        out.append(("p", "No repository folder was given."))
    elif not rows:
        out.append(("p", "No repository entry with a technology profile was found."))
    else:
        body = []
        for r in rows:
            a = r.assessment
            if a is None:
                body.append(
                    [
                        r.ams,
                        r.entry_id,
                        r.name,
                        _level(r.claimed),
                        "-",
                        "-",
                        "-",
                        "-",
                        "-",
                        "-",
                        f"not assessed: {r.problem}",
                    ]
                )
                continue
            body.append(
                [
                    r.ams,
                    r.entry_id,
                    r.name,
                    _level(r.claimed),
                    str(a.overall),
                    str(a.enrolment),
                    str(a.credential_management),
                    str(a.authentication),
                    str(a.management),
                    a.eidas or "-",
                    _yes_no(r.holds),
                ]
            )
        head = [
            "AMS",
            "Entry",
            "Technology",
            "Claimed",
            "Assessed",
            "Enrolment",
            "Credential mgmt",
            "Authentication",
            "Management",
            "eIDAS",
            "Claim holds",
        ]
        out.append(("table", (head, body)))
    out.append(("h2", "References"))
    out.append(
        (
            "table",
            (
                ["Key", "Document", "URL"],
                [[k, v["title"], v["url"]] for k, v in g.references.items()],
            ),
        )
    )
    return out


# --------------------------------------------------------------------------- renderers


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(
    guidance: Guidance | None = None, rows: Sequence[RegisteredTechnology] | None = None
) -> str:
    """The Guidance document as Markdown."""
    g = guidance or default_guidance()
    lines: list[str] = []
    for kind, content in _sections(g, rows):
        if kind == "h1":
            lines += [f"# {content}", ""]
        elif kind == "h2":
            lines += [f"## {content}", ""]
        elif kind == "h3":
            lines += [f"### {content}", ""]
        elif kind == "p":
            lines += [content, ""]
        else:
            head, body = content
            lines.append("| " + " | ".join(_md_cell(h) for h in head) + " |")
            lines.append("|" + "---|" * len(head))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in body]
            lines.append("")
    return "\n".join(lines)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; line-height: 1.45; color: #1b1f24; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.25rem; font-size: 0.92rem; }
th, td { border: 1px solid #c9d1d9; padding: 0.35rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #f0f3f6; }
.scroll { overflow-x: auto; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; } h3 { margin-top: 1.4rem; }
"""


def _html_rows(rows: Iterable[Sequence[str]]) -> str:
    return "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )


def render_html_body(
    guidance: Guidance | None = None, rows: Sequence[RegisteredTechnology] | None = None
) -> str:
    """The Guidance document's content as HTML (headings, paragraphs, tables that scroll)."""
    g = guidance or default_guidance()
    parts: list[str] = []
    for kind, content in _sections(g, rows):
        if kind in ("h1", "h2", "h3"):
            parts.append(f"<{kind}>{html.escape(content)}</{kind}>")
        elif kind == "p":
            parts.append(f"<p>{html.escape(content)}</p>")
        else:
            head, body = content
            th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
            parts.append(
                f'<div class="scroll"><table><thead><tr>{th}</tr></thead>'
                f"<tbody>{_html_rows(body)}</tbody></table></div>"
            )
    return "\n".join(parts)


def render_html(
    guidance: Guidance | None = None, rows: Sequence[RegisteredTechnology] | None = None
) -> str:
    """The Guidance document as a standalone HTML page."""
    g = guidance or default_guidance()
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(g.title)}</title><style>{_CSS}</style></head><body>"
    )
    return f"{head}\n{render_html_body(g, rows)}\n</body></html>\n"
