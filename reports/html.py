"""The HTML report: one self-contained page, Japanese by default, that prints cleanly on A4.

Sections (each with a fixed ``id``): ``verdict`` (header and evidence digests), ``summary``
(counts by severity and status), ``matrix`` (the zone matrix as a coloured grid with a legend),
``findings`` (grouped by check, worst first, each with its example packet, the deciding config
lines, the policy entry and basis), ``coverage`` (per-device parse coverage with the
unrecognized lines in a collapsible ``<details>``) and ``problems``.

The page loads nothing: CSS is inline and there is no script. Everything taken from configs,
policies or file names is untrusted; it only reaches the page through Jinja2 autoescaping, and
a Content-Security-Policy ``<meta>`` forbids scripts and external loads even if a template
change ever slipped. Control characters and bidi overrides are shown as visible escapes, as on
the terminal.

A 新旧比較 (``netaudit diff``) adds a section ``changes`` before the summary: the new findings
(badge 新規/NEW), the fixed ones (解消/FIXED) and the zone flows the change opens or closes,
each with its example packet and deciding lines; ``findings`` then lists the unchanged ones.
A waived finding shows its approval (id, 申請番号, approver, expiry, reason).

This module prepares plain view data; ``templates/report.html.j2`` only lays it out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from netaudit.result import (
    AuditResult,
    CellState,
    DeviceCoverage,
    Finding,
    FlowDelta,
    MatrixCell,
    Severity,
    Status,
)

from . import (
    RenderOptions,
    diff_groups,
    sorted_coverage,
    sorted_findings,
    sorted_flow_changes,
    sorted_problems,
)
from .console import packet_text, safe, share_text
from .messages import (
    Labels,
    Lang,
    cell_state_name,
    change_name,
    labels,
    severity_name,
    status_name,
    verdict_name,
    waiver_text,
)

TEMPLATE = "report.html.j2"

# Not problems: listed compactly after the other findings of their check, not as cards.
_QUIET_STATUSES = frozenset({Status.PASS, Status.NOT_APPLICABLE})

_ARROW = " → "


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render(result: AuditResult, options: RenderOptions) -> str:
    """The result as a complete HTML5 document (UTF-8 text, trailing newline)."""
    page = _environment().get_template(TEMPLATE).render(view(result, options))
    return page.rstrip("\n") + "\n"


# -- view data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Cell:
    css: str
    mark: str
    count: str
    tip: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Row:
    zone: str
    cells: tuple[_Cell, ...]


def view(result: AuditResult, options: RenderOptions) -> dict[str, Any]:
    """Everything the template shows, as already-ordered plain data (escaped by the template)."""
    lang = options.lang
    msg = labels(lang)
    counts = result.counts()
    changes: dict[str, Any] | None = None
    listed = list(result.findings)
    if result.is_diff:
        new, fixed, listed = diff_groups(result)
        changes = {
            "new": [_finding(f, options, msg) for f in new],
            "fixed": [_finding(f, options, msg) for f in fixed],
            "flows": [_delta(d, msg) for d in sorted_flow_changes(result)],
        }
    return {
        "lang": lang,
        "msg": msg,
        "title": msg.diff_title if result.is_diff else msg.report_title,
        "changes": changes,
        "findings_title": msg.unchanged_findings if result.is_diff else msg.findings,
        "verdict": {
            "css": result.verdict.value,
            "name": verdict_name(result.verdict, lang),
        },
        "header": _header(result, msg),
        "digests": [
            (msg.policy_digest, safe(result.policy_digest or "—")),
            (msg.manifest_digest, safe(result.manifest_digest or "—")),
        ],
        "severities": [
            {
                "css": sev.value,
                "name": severity_name(sev, lang),
                "count": counts["by_severity"][sev.value],
            }
            for sev in Severity
        ],
        "failing_total": sum(counts["by_severity"].values()),
        "statuses": [
            {
                "css": st.value,
                "name": status_name(st, lang),
                "count": counts["by_status"][st.value],
            }
            for st in Status
        ],
        "findings_total": len(result.findings),
        "matrix": _matrix(result, lang, msg),
        "legend": _legend(msg),
        "groups": _groups(listed, options, msg),
        "coverage": [_coverage(c) for c in sorted_coverage(result.coverage)],
        "problems": [
            {
                "file": safe(p.file),
                "line": str(p.line) if p.line else "—",
                "message": safe(p.message),
            }
            for p in sorted_problems(result.problems)
        ],
    }


def _header(result: AuditResult, msg: Labels) -> list[tuple[str, str]]:
    policy = safe(result.policy_file or "—")
    if result.model:
        policy += f"  ({msg.model}: {safe(result.model)})"
    rows = [
        (msg.policy, policy),
        (msg.snapshot, safe(result.snapshot or "—")),
        (msg.devices, str(len(result.coverage))),
        (msg.checks_run, str(len(set(result.checks_run)))),
    ]
    if result.run.started:
        duration = msg.seconds_fmt.format(s=result.run.duration_s)
        rows.append((msg.started, f"{safe(result.run.started)}  ({msg.duration} {duration})"))
    if result.run.tool_version:
        rows.append((msg.tool_version, safe(result.run.tool_version)))
    return rows


def _matrix(result: AuditResult, lang: Lang, msg: Labels) -> dict[str, Any]:
    zones = list(result.matrix.zones)
    for cell in result.matrix.cells:  # zones only named by cells still get a row and column
        for zone in (cell.zone_from, cell.zone_to):
            if zone not in zones:
                zones.append(zone)
    cells = {(c.zone_from, c.zone_to): c for c in result.matrix.cells}
    rows = [
        _Row(
            zone=safe(zf),
            cells=tuple(_cell(cells.get((zf, zt)), zf, zt, lang, msg) for zt in zones),
        )
        for zf in zones
    ]
    return {"zones": [safe(z) for z in zones], "rows": rows}


def _cell(cell: MatrixCell | None, zone_from: str, zone_to: str, lang: Lang, msg: Labels) -> _Cell:
    state = CellState.UNKNOWN if cell is None else cell.state  # not computed: unknown, not pass
    count = ""
    if cell is not None and state is CellState.ALLOWED:
        n = cell.allowed_paths or cell.paths
        count = str(n) if n else ""
    elif cell is not None and state is CellState.VIOLATION:
        count = str(cell.violations)
    marks: Mapping[CellState, str] = {
        CellState.SAME: msg.cell_same,
        CellState.NONE: msg.cell_none,
        CellState.ALLOWED: msg.cell_allowed,
        CellState.VIOLATION: msg.cell_violation,
        CellState.UNKNOWN: msg.cell_unknown,
    }
    tip = f"{zone_from}{_ARROW}{zone_to}: {cell_state_name(state, lang)}"
    if cell is not None and cell.devices:
        tip += f" ({', '.join(sorted(cell.devices))})"
    if cell is not None and cell.example_flow is not None:
        tip += f"\n{msg.example_packet}: {packet_text(cell.example_flow, msg)}"
    return _Cell(css=state.value, mark=marks[state], count=count, tip=safe(tip, keep_newlines=True))


def _legend(msg: Labels) -> list[dict[str, str]]:
    return [
        {"css": CellState.SAME.value, "mark": msg.cell_same, "text": msg.legend_same},
        {"css": CellState.NONE.value, "mark": msg.cell_none, "text": msg.legend_none},
        {
            "css": CellState.ALLOWED.value,
            "mark": f"{msg.cell_allowed} N",
            "text": msg.legend_allowed,
        },
        {
            "css": CellState.VIOLATION.value,
            "mark": f"{msg.cell_violation} N",
            "text": msg.legend_violation,
        },
        {"css": CellState.UNKNOWN.value, "mark": msg.cell_unknown, "text": msg.legend_unknown},
    ]


def _delta(d: FlowDelta, msg: Labels) -> dict[str, Any]:
    added = d.kind == "added"
    return {
        "css": d.kind,
        "sign": "+" if added else "−",
        "kind": msg.flow_added if added else msg.flow_removed,
        "zones": safe(f"{d.zone_from}{_ARROW}{d.zone_to}"),
        "packet": safe(packet_text(d.example_flow, msg)),
        "devices": safe(", ".join(d.devices)),
        "evidence": [
            {
                "where": safe(f"{ev.file}:{ev.line}" if ev.line else ev.file),
                "device": safe(ev.device),
                "role": safe(ev.role),
                "text": safe(ev.text),
            }
            for ev in d.evidence
        ],
    }


def _groups(findings: list[Finding], options: RenderOptions, msg: Labels) -> list[dict[str, Any]]:
    """Findings by check, checks in the order of their worst finding (report order)."""
    by_check: dict[str, list[Finding]] = {}
    for finding in sorted_findings(findings):
        by_check.setdefault(finding.check, []).append(finding)
    groups = []
    for check, findings in by_check.items():
        loud = [f for f in findings if f.status not in _QUIET_STATUSES]
        quiet = [f for f in findings if f.status in _QUIET_STATUSES]
        worst = max(findings, key=lambda f: f.severity.rank).severity
        groups.append(
            {
                "check": safe(check),
                "anchor": "check-" + "".join(c if c.isalnum() else "-" for c in check),
                "severity": {"css": worst.value, "name": severity_name(worst, options.lang)},
                "count": msg.count_fmt.format(n=len(findings)),
                "findings": [_finding(f, options, msg) for f in loud],
                "quiet": [_finding(f, options, msg) for f in quiet],
                "quiet_open": options.verbose,
            }
        )
    return groups


def _finding(finding: Finding, options: RenderOptions, msg: Labels) -> dict[str, Any]:
    lang = options.lang
    zones = ""
    if finding.zone_from or finding.zone_to:
        zones = safe(f"{finding.zone_from or '?'}{_ARROW}{finding.zone_to or '?'}")
    policy_ref = ""
    if finding.policy_ref is not None:
        ref = finding.policy_ref
        where = f"{ref.file}:{ref.line}" if ref.line else ref.file
        policy_ref = safe(f"{where} ({ref.id})" if ref.id else where)
    return {
        "severity": {"css": finding.severity.value, "name": severity_name(finding.severity, lang)},
        "status": {"css": finding.status.value, "name": status_name(finding.status, lang)},
        "title": safe(finding.title.get(lang)),
        "message": safe(finding.message.get(lang), keep_newlines=True),
        "device": safe(finding.device),
        "zones": zones,
        "packet": ""
        if finding.example_flow is None
        else safe(packet_text(finding.example_flow, msg)),
        # Evidence keeps the checker's order: it follows the packet's path.
        "evidence": [
            {
                "where": safe(f"{ev.file}:{ev.line}" if ev.line else ev.file),
                "device": safe(ev.device),
                "role": safe(ev.role),
                "text": safe(ev.text),
                "line": ev.line,
                "before": [(n, safe(t)) for n, t in ev.context if n < ev.line],
                "after": [(n, safe(t)) for n, t in ev.context if n > ev.line],
            }
            for ev in finding.evidence
        ],
        "policy_ref": policy_ref,
        "basis": [safe(b) for b in finding.basis],
        "path": safe(_ARROW.join(finding.path)),
        "fingerprint": safe(finding.fingerprint),
        "change": {"css": finding.change, "name": change_name(finding.change, lang)}
        if finding.change in ("new", "fixed")
        else None,
        "waiver": "" if finding.waiver is None else safe(waiver_text(finding.waiver, lang)),
    }


def _coverage(cov: DeviceCoverage) -> dict[str, Any]:
    share = cov.share
    if not cov.unrecognized:
        css = "full"
    elif share >= 0.95:
        css = "good"
    else:
        css = "low"
    return {
        "device": safe(cov.device),
        "file": safe(cov.file),
        "platform": safe(cov.platform),
        "share": share_text(share),
        "bar": f"{min(max(share, 0.0), 1.0) * 100:.1f}",
        "css": css,
        "lines": cov.lines,
        "unrecognized": [(n, safe(t)) for n, t in sorted(cov.unrecognized)],
        "warnings": [(n, safe(t)) for n, t in sorted(cov.warnings)],
        "collection": safe(cov.collection),
        "collection_ok": cov.collection == "ok",
    }
