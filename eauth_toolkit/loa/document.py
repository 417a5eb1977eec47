"""The Guidance document: levels, rules per phase with their sources, mappings, registered technologies.

Rendered from the Guidance data (and, when given, the repository list) as Markdown or standalone
HTML. The document is a view of the data: changing the Guidance file changes the document.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eauth_toolkit.errors import EauthError
from eauth_toolkit.loa.assessment import Assessment, assess
from eauth_toolkit.loa.mappings import mapping_tables
from eauth_toolkit.loa.profiles import repository_profiles
from eauth_toolkit.loa.rules import DEFAULT_PROFILE, rule_sets

__all__ = [
    "RegisteredTechnology",
    "registered_technologies",
    "listed_technologies",
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


def registered_technologies(
    directory: str | Path, profile: str = DEFAULT_PROFILE
) -> list[RegisteredTechnology]:
    """Assess every repository entry that has a profile (missing folder or profiles: fewer rows)."""
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
        rows.append(
            RegisteredTechnology(
                ams=str(entry.get("ams") or Path(where.split("#")[0]).stem),
                entry_id=str(entry.get("id") or loaded.profile.name),
                name=str(entry.get("name") or loaded.profile.name),
                claimed=loaded.profile.claimed_level,
                assessment=assess(loaded.profile, profile),
                problem=None,
            )
        )
    return sorted(rows, key=lambda r: (r.ams, r.entry_id))


def listed_technologies(
    entries: Iterable[Mapping[str, Any]], source: str, profile: str = DEFAULT_PROFILE
) -> list[RegisteredTechnology]:
    """Assess every entry of a published Repository List by its profile (an entry without one
    is listed as not assessed; ``source`` names the list in problems, e.g. ``Repository List
    #4``)."""
    from eauth_toolkit.loa.profiles import profile_from_document

    rows = []
    for i, entry in enumerate(entries):
        ams, entry_id = str(entry.get("ams", "?")), str(entry.get("id", f"entry {i}"))
        name = str(entry.get("name") or entry_id)
        if not isinstance(entry.get("profile"), dict):
            claimed = entry.get("claimed_level")
            rows.append(
                RegisteredTechnology(
                    ams,
                    entry_id,
                    name,
                    claimed if isinstance(claimed, int) else None,
                    None,
                    "the entry has no technology profile",
                )
            )
            continue
        try:
            loaded = profile_from_document(
                dict(entry), source=source, pointer=f"/entries/{i}/profile"
            )
        except EauthError as exc:
            rows.append(RegisteredTechnology(ams, entry_id, name, None, None, str(exc)))
            continue
        rows.append(
            RegisteredTechnology(
                ams,
                entry_id,
                name,
                loaded.profile.claimed_level,
                assess(loaded.profile, profile),
                None,
            )
        )
    return sorted(rows, key=lambda r: (r.ams, r.entry_id))


#: (list sequence number, the list's ``trust.levels``): levels agreed by peer review
AgreedLevels = tuple[int, Sequence[Mapping[str, Any]]]


def _agreed_section(agreed: AgreedLevels) -> list[tuple[str, Any]]:
    """Levels agreed by peer review, as the published list (number ``agreed[0]``) states them."""
    number, levels = agreed
    body = [
        [
            str(lv.get("ams", "")),
            str(lv.get("entry", "")),
            _level(lv.get("agreed_level")),
            _level(lv.get("assessed_level")),
            ", ".join(lv.get("endorsed_by") or []) or "-",
            str(lv.get("policy", "")),
        ]
        for lv in levels
        if lv.get("state") == "agreed"
    ]
    text = (
        f"Levels proposed by the submitting AMS and agreed by the other AMS under the review "
        f"policy, as published in Repository List #{number}."
    )
    if not body:
        return [("h2", "Mutually agreed levels"), ("p", text + " No level is agreed yet.")]
    head = ["AMS", "Entry", "Agreed level", "Assessed", "Endorsed by", "Review policy"]
    return [("h2", "Mutually agreed levels"), ("p", text), ("table", (head, body))]


def _sections(
    rows: Sequence[RegisteredTechnology] | None,
    profile: str,
    agreed: AgreedLevels | None = None,
    source: str | None = None,
) -> list[tuple[str, Any]]:
    """The document as a list of blocks: ('h1'|'h2'|'h3'|'p', text) or ('table', (head, rows))."""
    sets = rule_sets(profile)
    out: list[tuple[str, Any]] = [
        ("h1", "Levels of assurance for e-authentication technologies (LoA Guidance)"),
        (
            "p",
            f"Guidance profile: {profile}. One technology profile is assessed directly by three rule "
            "sets: eIDAS (Implementing Regulation (EU) 2015/1502, Annex 2.1-2.4), ISO/IEC 29115:2013 "
            "and NIST SP 800-63-3 (with 800-63-4 where it differs). Each rule names its clause and "
            "says what the clause requires at that level; in the default profile no rule asks more. "
            "Rules of the stricter profile 'asean-strict' say what they add.",
        ),
        (
            "p",
            "Every result is a range. The confirmed level uses only facts confirmed by a legal "
            "instrument, a notification with peer review, a certification, an AMS authority's "
            "declaration or a public document; the reachable level assumes every unknown or "
            "unconfirmed fact turns out favourably. The facts between the two are listed. Lists and "
            "filters use the confirmed (lower) level.",
        ),
    ]
    for rs in sets:
        out.append(("h2", f"{rs.title} (rule set {rs.key}, version {rs.version})"))
        out.append(("p", f"Source: {rs.source['title']} ({rs.source['url']})."))
        out.append(
            (
                "table",
                (["Level", "Name", "Meaning"], [[str(n), name, m] for n, name, m in rs.levels]),
            )
        )
        for res in rs.results:
            out.append(("p", f"Result {res.label}: {res.scope}."))
        for pid, title, clause in rs.phases:
            body = [
                [
                    r.id,
                    rs.level_name(r.level) or str(r.level),
                    r.clause,
                    r.requires,
                    r.control,
                    ", ".join(r.profiles) or "default",
                ]
                for r in rs.rules_for(pid)
            ]
            out.append(("h3", f"{title} ({clause})"))
            out.append(
                (
                    "table",
                    (
                        [
                            "Rule",
                            "Level",
                            "Clause",
                            "What the clause requires",
                            "What the profile must show",
                            "Profile",
                        ],
                        body,
                    ),
                )
            )
    out.append(("h2", "Mappings (not assessments)"))
    for name, table in mapping_tables().items():
        out.append(
            ("h3", f"{table['title']} ({'official' if table['official'] else 'not official'})")
        )
        tbl = table["table"]
        if name == "eidas":
            body = [[k, tbl[k] or "none"] for k in sorted(tbl)]
            out.append(("table", (["ISO/IEC 29115 level", "eIDAS"], body)))
        else:
            body = [[k, _level(tbl[k]["ial"]), _level(tbl[k]["aal"])] for k in sorted(tbl)]
            out.append(("table", (["ISO/IEC 29115 level", "IAL", "AAL"], body)))
        out.append(("p", table["notes"]))
    out.append(("h2", "Registered technologies"))
    if rows is None:
        out.append(("p", f"None shown: {source}." if source else "No Repository List was given."))
    elif source:
        out.append(("p", f"The technologies of {source}, each assessed by the rule sets above."))
    if rows is not None and not rows:
        out.append(("p", "No repository entry with a technology profile was found."))
    elif rows:
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
                        f"not assessed: {r.problem}",
                    ]
                )
                continue
            s = a.summary()
            claim = a.claim()["holds"]
            body.append(
                [
                    r.ams,
                    r.entry_id,
                    r.name,
                    _level(r.claimed),
                    s["iso29115"]["label"],
                    s["eidas"]["label"],
                    s["nist_ial"]["label"],
                    s["nist_aal"]["label"],
                    {True: "yes", False: "no", None: "-"}[claim],
                ]
            )
        head = [
            "AMS",
            "Entry",
            "Technology",
            "Claimed",
            "ISO/IEC 29115",
            "eIDAS",
            "NIST IAL",
            "NIST AAL",
            "Claim holds",
        ]
        out.append(("table", (head, body)))
    if agreed is not None:
        out.extend(_agreed_section(agreed))
    return out


def _level(v: int | None) -> str:
    return "-" if v is None else str(v)


# --------------------------------------------------------------------------- renderers


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(
    rows: Sequence[RegisteredTechnology] | None = None,
    profile: str = DEFAULT_PROFILE,
    agreed: AgreedLevels | None = None,
    source: str | None = None,
) -> str:
    """The Guidance document as Markdown."""
    lines: list[str] = []
    for kind, content in _sections(rows, profile, agreed, source):
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
    rows: Sequence[RegisteredTechnology] | None = None,
    profile: str = DEFAULT_PROFILE,
    agreed: AgreedLevels | None = None,
    source: str | None = None,
) -> str:
    """The Guidance document's content as HTML (headings, paragraphs, tables that scroll)."""
    parts: list[str] = []
    for kind, content in _sections(rows, profile, agreed, source):
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
    rows: Sequence[RegisteredTechnology] | None = None,
    profile: str = DEFAULT_PROFILE,
    agreed: AgreedLevels | None = None,
    source: str | None = None,
) -> str:
    """The Guidance document as a standalone HTML page."""
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>LoA Guidance</title><style>{_CSS}</style></head><body>"
    )
    return f"{head}\n{render_html_body(rows, profile, agreed, source)}\n</body></html>\n"
