"""Renderers of a :class:`~eauth_toolkit.plan.progress.PlanReport`: text (rich), JSON, Markdown, HTML.

The HTML body is the template the service's ``/plan`` page uses too
(``eauth_toolkit/web/templates/plan_report.html``), so the file and the page show the same thing.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from eauth_toolkit.errors import InputError
from eauth_toolkit.plan.progress import PlanReport

__all__ = [
    "FORMATS",
    "html_context",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "text_renderable",
]

FORMATS = ("text", "json", "markdown", "html")

STATUS_LABELS = {
    "not_started": "not started",
    "in_progress": "in progress",
    "completed": "completed",
    "ongoing": "ongoing",
}


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


# --------------------------------------------------------------------------- text


def text_renderable(report: PlanReport) -> RenderableType:
    """A rich renderable: workstream summary, topic table, overdue activities, CLM notes."""
    parts: list[RenderableType] = [
        Text(f"{report.title}: progress as of {report.as_of.isoformat()}", style="bold"),
        Text(
            f"{report.completed} of {report.total} activities completed ({_pct(report.completed_share)}), "
            f"{len(report.overdue)} overdue",
        ),
    ]
    streams = Table(title="Workstreams", title_justify="left")
    for col in ("Workstream", "Topics", "Completed", "Share", "Overdue"):
        streams.add_column(
            col, justify="right" if col in {"Completed", "Share", "Overdue"} else "left"
        )
    for w in report.workstreams:
        streams.add_row(
            f"{w.id} {w.title}",
            ", ".join(w.topics),
            f"{w.completed}/{w.total}",
            _pct(w.completed_share),
            str(len(w.overdue)),
        )
    parts.append(streams)
    topics = Table(title="Topics", title_justify="left")
    for col in ("Topic", "Completed", "Share", "Overdue", "Statuses"):
        topics.add_column(
            col, justify="right" if col in {"Completed", "Share", "Overdue"} else "left"
        )
    for t in report.topics:
        statuses = ", ".join(f"{n} {STATUS_LABELS[s]}" for s, n in t.status_counts if n)
        topics.add_row(
            f"{t.id} {t.title}",
            f"{t.completed}/{t.total}",
            _pct(t.completed_share),
            Text(str(len(t.overdue)), style="red" if t.overdue else ""),
            statuses,
        )
    parts.append(topics)
    overdue = [a for t in report.topics for a in t.activities if a.overdue]
    if overdue:
        late = Table(title=f"Overdue as of {report.as_of.isoformat()}", title_justify="left")
        for col in ("Activity", "Title", "Timeline", "Due", "Status"):
            late.add_column(col)
        for a in overdue:
            late.add_row(
                a.id,
                a.title,
                a.timeline or "",
                a.due.isoformat() if a.due else "",
                STATUS_LABELS[a.status],
            )
        parts.append(late)
    parts.append(Text("Cambodia, Lao PDR and Myanmar (CLM) transition notes", style="bold"))
    parts.append(Text(f"- General: {report.clm_transition.text}"))
    for t in report.topics:
        if t.clm_transition:
            parts.append(Text(f"- {t.id} ({t.clm_transition.provision}): {t.clm_transition.text}"))
        for activity_id, note in t.clm_notes:
            parts.append(Text(f"- {activity_id}: {note}"))
    return Group(*parts)


def render_text(report: PlanReport, *, width: int = 140) -> str:
    """The text report as plain text (no colour codes)."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(
        text_renderable(report)
    )
    return buffer.getvalue()


# --------------------------------------------------------------------------- json


def render_json(report: PlanReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- markdown


def _md(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: PlanReport) -> str:
    out = [
        f"# {report.title}",
        "",
        f"Progress as of **{report.as_of.isoformat()}**: {report.completed} of {report.total} "
        f"activities completed ({_pct(report.completed_share)}), {len(report.overdue)} overdue.",
        "",
        "## Workstreams",
        "",
        "| Workstream | Topics | Completed | Share | Overdue |",
        "|---|---|---:|---:|---:|",
    ]
    for w in report.workstreams:
        out.append(
            f"| {w.id} {_md(w.title)} | {', '.join(w.topics)} | {w.completed}/{w.total} "
            f"| {_pct(w.completed_share)} | {len(w.overdue)} |"
        )
    out += ["", "## Topics", "", "| Topic | Completed | Share | Overdue |", "|---|---:|---:|---:|"]
    for t in report.topics:
        out.append(
            f"| {t.id} {_md(t.title)} | {t.completed}/{t.total} | {_pct(t.completed_share)} | {len(t.overdue)} |"
        )
    out += [
        "",
        "## Cambodia, Lao PDR and Myanmar (CLM) transition notes",
        "",
        f"- General: {_md(report.clm_transition.text)}",
    ]
    for t in report.topics:
        if t.clm_transition:
            out.append(
                f"- {t.id} ({_md(t.clm_transition.provision)}): {_md(t.clm_transition.text)}"
            )
        out += [f"- {a}: {_md(note)}" for a, note in t.clm_notes]
    for t in report.topics:
        out += [
            "",
            f"## {t.id} {_md(t.title)}",
            "",
            f"Desired outcome: {_md(t.desired_outcome)}",
            "",
        ]
        for o in t.objectives:
            out += [
                f"### {o.id} {_md(o.title)}",
                "",
                "| Activity | Title | Timeline | Status | Overdue | Implemented by |",
                "|---|---|---|---|---|---|",
            ]
            for a in o.activities:
                out.append(
                    f"| {a.id} | {_md(a.title)} | {_md(a.timeline or '-')} | {STATUS_LABELS[a.status]} "
                    f"| {'**overdue**' if a.overdue else ''} | {_md(', '.join(f'`{c}`' for c in a.implemented_by))} |"
                )
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- html


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})  # raw HTML in the text is shown, not run


def _inline_markdown(text: str | None) -> Markup:
    """Inline Markdown of the status texts (`code`, *emphasis*, links) as safe HTML."""
    return Markup(_markdown().renderInline(text or ""))


def html_context(report: PlanReport) -> dict[str, Any]:
    """What the HTML templates need (shared with the service's /plan page)."""
    return {"report": report, "labels": STATUS_LABELS, "pct": _pct, "md": _inline_markdown}


def render_html(report: PlanReport) -> str:
    """A standalone HTML document (``plan_standalone.html``)."""
    from eauth_toolkit.web.templating import environment

    return environment.get_template("plan_standalone.html").render(**html_context(report))


def render(report: PlanReport, fmt: str) -> str:
    renderers = {
        "text": render_text,
        "json": render_json,
        "markdown": render_markdown,
        "html": render_html,
    }
    if fmt not in renderers:
        raise InputError(
            f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})", where="--format"
        )
    return renderers[fmt](report)
