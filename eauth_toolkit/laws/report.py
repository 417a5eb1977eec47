"""The alignment report of the Laws Reporting Scheme as of a date (pure: no I/O, no clock).

Per AMS and provision: aligned / partly / not / unknown with its source; the UNCITRAL texts
followed and the 2005 Convention's status; which AMS lack a national plan or an annual report for
the year; measures overdue (not done or dropped, target date before the report date); the Article
7.2(a) transition of Cambodia, Lao PDR and Myanmar; an ASEAN summary table.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from eauth_toolkit.ams import AMS_CODES
from eauth_toolkit.laws.data import LawData, source_of, transition_end
from eauth_toolkit.laws.models import ALIGNMENTS, PROVISIONS

__all__ = ["FORMATS", "build_report", "render"]

FORMATS = ("table", "json", "markdown", "html")
AMS_ORDER = AMS_CODES
PROVISION_TITLES = {
    "functional_equivalence": "Functional equivalence",
    "reliability_test": "Reliability test",
    "technology_neutrality": "Technology neutrality",
    "foreign_recognition": "Foreign signatures and certificates",
}


def _transition(data: LawData, ams: str, as_of: dt.date) -> dict[str, Any] | None:
    agreement = data.agreement
    if ams not in agreement["transition_ams"]:
        return None
    ends = transition_end(agreement)
    eif_source = source_of(agreement, "/entry_into_force") or "unconfirmed"
    if ends is None:
        state, days = "unknown (entry into force not recorded)", None
    elif as_of < ends:
        state, days = "in transition", (ends - as_of).days
    else:
        state, days = "ended: Article 7.2(a) applies", 0
    return {
        "ams": ams,
        "entry_into_force": agreement.get("entry_into_force"),
        "entry_into_force_source": eif_source,
        "obliged_from": ends.isoformat() if ends else None,
        "status": state,
        "days_left": days,
    }


def build_report(
    data: LawData,
    plans: list[dict[str, Any]],
    reports: list[dict[str, Any]],
    as_of: dt.date,
    *,
    year: int | None = None,
) -> dict[str, Any]:
    """The report as JSON-ready data (the contract of ``--format json`` and ``/api/laws/report``)."""
    year = year or as_of.year
    rows = []
    overdue_all = []
    for ams in AMS_ORDER:
        doc = data.ams.get(ams)
        my_plans = [p for p in plans if p["ams"] == ams]
        my_reports = [r for r in reports if r["ams"] == ams]
        overdue = [
            {
                "ams": ams,
                "plan_id": p["plan_id"],
                "measure": m["id"],
                "title": m["title"],
                "target_date": m["target_date"],
                "status": m["status"],
                "sandbox": bool(p.get("sandbox")),
            }
            for p in my_plans
            for m in p["measures"]
            if m["status"] not in ("done", "dropped")
            and dt.date.fromisoformat(m["target_date"]) < as_of
        ]
        overdue_all.extend(overdue)
        row: dict[str, Any] = {
            "ams": ams,
            "law_data": doc is not None,
            "plans": [
                {
                    "plan_id": p["plan_id"],
                    "title": p["title"],
                    "adopted": p["adopted"],
                    "sandbox": bool(p.get("sandbox")),
                    "measures": p["measures"],
                }
                for p in my_plans
            ],
            "report_years": sorted({r["year"] for r in my_reports}),
            "has_plan": bool(my_plans),
            "has_report": any(r["year"] == year for r in my_reports),
            "overdue": overdue,
            "transition": _transition(data, ams, as_of),
        }
        if doc is not None:
            row["laws"] = [
                {k: law.get(k) for k in ("id", "title", "number", "year", "in_force", "status")}
                | {"source": source_of(doc, f"/laws/{i}")}
                for i, law in enumerate(doc["laws"])
            ]
            row["uncitral"] = {
                name: dict(doc["uncitral"][name])
                | {
                    "source": source_of(doc, f"/uncitral/{name}"),
                    "unconfirmed": [
                        key
                        for key in doc["uncitral"][name]
                        if source_of(doc, f"/uncitral/{name}/{key}") == "unconfirmed"
                    ],
                }
                for name in ("mlec", "mles", "ecc")
            }
            row["provisions"] = {
                name: dict(doc["provisions"][name])
                | {"source": source_of(doc, f"/provisions/{name}")}
                for name in PROVISIONS
            }
            row["sourced"] = len(doc["sources"])
            row["unconfirmed"] = list(doc["unconfirmed"])
        rows.append(row)
    counts = {
        name: {
            a: sum(
                1
                for r in rows
                if r.get("provisions", {}).get(name, {}).get("alignment", "unknown") == a
            )
            for a in ALIGNMENTS
        }
        for name in PROVISIONS
    }
    agreement = data.agreement
    return {
        "as_of": as_of.isoformat(),
        "year": year,
        "agreement": {
            "title": agreement["title"],
            "entry_into_force": agreement.get("entry_into_force"),
            "entry_into_force_source": source_of(agreement, "/entry_into_force") or "unconfirmed",
            "article": agreement["article"],
        },
        "provisions": list(PROVISIONS),
        "ams": rows,
        "missing_plan": [r["ams"] for r in rows if not r["has_plan"]],
        "missing_report": [r["ams"] for r in rows if not r["has_report"]],
        "overdue": overdue_all,
        "transition": [r["transition"] for r in rows if r["transition"] is not None],
        "summary": {"alignment_counts": counts},
        "note": "Law data and alignment are SANDBOX sample data compiled from public sources, not AMS positions; "
        "plans and reports marked sandbox are SANDBOX documents.",
    }


def _ecc(e: dict[str, Any]) -> str:
    parts = [e.get("status", "unknown")]
    for key in ("signed", "ratified", "acceded"):
        if e.get(key):
            mark = " (unconfirmed)" if key in e.get("unconfirmed", []) else ""
            parts.append(f"{key} {e[key]}{mark}")
    return ", ".join(parts)


def _summary_rows(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = [
        "AMS",
        "MLEC",
        "MLES",
        "ECC 2005",
        *[PROVISION_TITLES[p] for p in PROVISIONS],
        "Plan",
        f"Report {report['year']}",
        "Overdue",
        "Art. 7.2(a)",
    ]
    out = []
    for r in report["ams"]:
        un = r.get("uncitral", {})
        pv = r.get("provisions", {})
        tr = r["transition"]
        out.append(
            [
                r["ams"],
                un.get("mlec", {}).get("followed", "unknown"),
                un.get("mles", {}).get("followed", "unknown"),
                _ecc(un.get("ecc", {})),
                *[pv.get(p, {}).get("alignment", "unknown") for p in PROVISIONS],
                ("yes (sandbox)" if any(p["sandbox"] for p in r["plans"]) else "yes")
                if r["has_plan"]
                else "missing",
                "yes" if r["has_report"] else "missing",
                str(len(r["overdue"])),
                "applies"
                if tr is None
                else (
                    f"transition until {tr['obliged_from']}"
                    if tr["status"] == "in transition"
                    else tr["status"]
                ),
            ]
        )
    return head, out


def _markdown(report: dict[str, Any]) -> str:
    head, rows = _summary_rows(report)
    lines = [
        f"# Laws Reporting Scheme: alignment report as of {report['as_of']}",
        "",
        report["note"],
        "",
        "## ASEAN summary",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "## Provisions per AMS", ""]
    for r in report["ams"]:
        lines.append(f"### {r['ams']}")
        for law in r.get("laws", []):
            lines.append(
                f"- {law['title']}"
                + (f" ({law['number']})" if law.get("number") else "")
                + f", {law['year']}: {law['status']} [{law['source'] or 'no source'}]"
            )
        for name, p in r.get("provisions", {}).items():
            ref = f" {p['reference']}" if p.get("reference") else ""
            lines.append(
                f"- {PROVISION_TITLES[name]}: **{p['alignment']}**{ref} [{p['source'] or 'no source'}]"
            )
        lines.append("")
    lines += [
        "## Missing for " + str(report["year"]),
        "",
        "- National plan missing: " + (", ".join(report["missing_plan"]) or "none"),
        "- Annual report missing: " + (", ".join(report["missing_report"]) or "none"),
        "",
        "## Overdue measures",
        "",
    ]
    lines += [
        f"- {o['ams']} {o['plan_id']}/{o['measure']}: {o['title']} (target {o['target_date']}, {o['status']})"
        for o in report["overdue"]
    ] or ["- none"]
    lines += ["", "## Article 7.2(a) transition", ""]
    for t in report["transition"]:
        lines.append(
            f"- {t['ams']}: {t['status']}; obliged from {t['obliged_from']} (entry into force {t['entry_into_force']}, {t['entry_into_force_source']})"
        )
    return "\n".join(lines) + "\n"


def _table(report: dict[str, Any]) -> str:
    head, rows = _summary_rows(report)
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [
        f"Laws Reporting Scheme, as of {report['as_of']} (report year {report['year']})",
        fmt.format(*head),
        fmt.format(*["-" * w for w in widths]),
    ]
    out += [fmt.format(*r) for r in rows]
    out.append("")
    out.append("National plan missing: " + (", ".join(report["missing_plan"]) or "none"))
    out.append(
        f"Annual report {report['year']} missing: "
        + (", ".join(report["missing_report"]) or "none")
    )
    out.append(
        "Overdue measures: "
        + (
            ", ".join(
                f"{o['ams']} {o['measure']} (target {o['target_date']})" for o in report["overdue"]
            )
            or "none"
        )
    )
    for t in report["transition"]:
        out.append(
            f"Art. 7.2(a) {t['ams']}: {t['status']}, obliged from {t['obliged_from']} (entry into force {t['entry_into_force']}: {t['entry_into_force_source']})"
        )
    out.append(report["note"])
    return "\n".join(out) + "\n"


def render_html_fragment(report: dict[str, Any]) -> str:
    """The report's tables as an HTML fragment (used by the page and ``--format html``)."""
    e = html.escape
    head, rows = _summary_rows(report)
    parts = [
        f'<p class="note">{e(report["note"])}</p>',
        '<h2>ASEAN summary</h2><table id="summary"><thead><tr>',
    ]
    parts += [f"<th>{e(h)}</th>" for h in head]
    parts.append("</tr></thead><tbody>")
    for r in rows:
        parts.append(
            f'<tr data-ams="{e(r[0])}">' + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>"
        )
    parts.append("</tbody></table><h2>Provisions per AMS</h2>")
    for r in report["ams"]:
        parts.append(f'<section class="ams" id="ams-{e(r["ams"])}"><h3>{e(r["ams"])}</h3><ul>')
        for law in r.get("laws", []):
            src = law["source"]
            link = (
                f' <a href="{e(src)}">source</a>'
                if src and src.startswith("http")
                else f" ({e(src or 'no source')})"
            )
            parts.append(
                f"<li>{e(law['title'])}{' (' + e(law['number']) + ')' if law.get('number') else ''}, {law['year']}: {e(law['status'])}{link}</li>"
            )
        parts.append("</ul><table><tbody>")
        for name, p in r.get("provisions", {}).items():
            src = p["source"]
            cell = (
                f'<a href="{e(src)}">source</a>'
                if src and src.startswith("http")
                else e(src or "no source")
            )
            parts.append(
                f'<tr class="{e(p["alignment"])}"><th>{e(PROVISION_TITLES[name])}</th><td>{e(p["alignment"])}</td><td>{e(p.get("reference") or "")}</td><td>{cell}</td></tr>'
            )
        parts.append("</tbody></table></section>")
    parts.append(
        f'<h2>Missing for {report["year"]}</h2><p id="missing-plan">National plan missing: {e(", ".join(report["missing_plan"]) or "none")}</p>'
    )
    parts.append(
        f'<p id="missing-report">Annual report missing: {e(", ".join(report["missing_report"]) or "none")}</p>'
    )
    parts.append('<h2>Overdue measures</h2><ul id="overdue">')
    parts += [
        f"<li>{e(o['ams'])} {e(o['plan_id'])}/{e(o['measure'])}: {e(o['title'])} (target {e(o['target_date'])}, {e(o['status'])})</li>"
        for o in report["overdue"]
    ] or ["<li>none</li>"]
    parts.append('</ul><h2>Article 7.2(a) transition</h2><ul id="transition">')
    parts += [
        f"<li>{e(t['ams'])}: {e(t['status'])}; obliged from {e(str(t['obliged_from']))} (entry into force {e(str(t['entry_into_force']))}, {e(t['entry_into_force_source'])})</li>"
        for t in report["transition"]
    ]
    parts.append("</ul>")
    return "".join(parts)


def render(report: dict[str, Any], fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(report)
    if fmt == "html":
        title = f"Laws Reporting Scheme as of {report['as_of']}"
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body><h1>{html.escape(title)}</h1>{render_html_fragment(report)}</body></html>\n"
        )
    return _table(report)
