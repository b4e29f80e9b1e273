"""The Markdown report: a compact summary for merge-request comments (GitLab, GitHub).

Sections: a verdict line, failing findings by severity and all findings by status (two small
tables), the zone matrix as a table, then the findings as a list, worst first (check, device,
zones, message, example packet, evidence as inline code with ``file:line``, policy entry).
Passing and not-applicable results are listed only with ``options.verbose``, as on the console.
A 新旧比較 lists new findings (新規/NEW), fixed ones (解消/FIXED) and the zone flow changes
before the unchanged findings; a waived finding shows its approval data.

Everything from configs, policies and file names is untrusted. Plain text is backslash-escaped
(every ASCII punctuation character that Markdown or inline HTML could act on, CommonMark §2.4),
so ``<script>`` shows as text and ``|`` cannot end a table cell. Config lines go into code spans
whose backtick fence is longer than any backtick run inside (CommonMark §6.1); in tables the
pipe is escaped even there, as GitHub-flavoured Markdown requires. Line breaks and terminal
control characters are made visible, so one finding never spills into the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from netaudit.result import AuditResult, CellState, Finding, MatrixCell, Severity, Status

from . import RenderOptions, diff_groups, sorted_findings, sorted_flow_changes
from .console import packet_text, safe
from .messages import (
    Labels,
    change_name,
    labels,
    severity_name,
    status_name,
    verdict_name,
    waiver_text,
)

_QUIET = frozenset({Status.PASS, Status.NOT_APPLICABLE})

_SEVERITY_ICON = {
    Severity.CRITICAL: "🟥",
    Severity.HIGH: "🟧",
    Severity.MEDIUM: "🟨",
    Severity.LOW: "🟦",
    Severity.INFO: "⬜",
}

# CommonMark §2.4: any ASCII punctuation may be backslash-escaped. These can open or close
# inline markup anywhere (emphasis, code, links, HTML, entities, GFM tables and strikethrough);
# the characters in _LEADING only act at the start of a line (lists, headings, quotes).
_SIGNIFICANT = re.compile(r"([\\`*_\[\]<>|~&])")
_LEADING = re.compile(r"^([-+#=]|\d+(?=[.)]))")
_BACKTICKS = re.compile(r"`+")


def md_text(text: str) -> str:
    """Untrusted ``text`` as inert Markdown inline text, on one line."""
    escaped = _SIGNIFICANT.sub(r"\\\1", _one_line(text))
    return _LEADING.sub(lambda m: _escape_leading(m.group(1)), escaped)


def _escape_leading(marker: str) -> str:
    # "1." starts an ordered list; escaping the punctuation after the digits is enough.
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


def md_code(text: str) -> str:
    """Untrusted ``text`` as an inline code span that nothing inside can close.

    Only for list items and paragraphs: in a GFM table a pipe would end the cell even inside
    a code span, so table cells use :func:`md_text`.
    """
    text = _one_line(text)
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    # A space on each side is stripped by the parser; it keeps an edge backtick off the fence.
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _one_line(text: str) -> str:
    return safe(" ".join(text.split("\n")).replace("\r", " ").strip())


def render(result: AuditResult, options: RenderOptions) -> str:
    """The result as GitHub/GitLab-flavoured Markdown (trailing newline)."""
    msg = labels(options.lang)
    blocks = [
        "\n".join(_header(result, options, msg)),
        "\n".join(_summary(result, options, msg)),
        "\n".join(_matrix(result, msg)),
    ]
    if result.is_diff:
        new, fixed, rest = diff_groups(result)
        blocks.append("\n".join(_listed(msg.new_findings, new, options, msg)))
        blocks.append("\n".join(_listed(msg.fixed_findings, fixed, options, msg)))
        blocks.append("\n".join(_flow_changes(result, msg)))
        blocks.append("\n".join(_findings(rest, options, msg, msg.unchanged_findings)))
    else:
        blocks.append("\n".join(_findings(result.findings, options, msg, msg.findings)))
    return "\n\n".join(b for b in blocks if b) + "\n"


def _header(result: AuditResult, options: RenderOptions, msg: Labels) -> Iterator[str]:
    verdict = verdict_name(result.verdict, options.lang)
    title = msg.diff_title if result.is_diff else msg.report_title
    yield f"### {md_text(title)}: **{md_text(verdict)}**"
    yield ""
    policy = md_code(result.policy_file or "-")
    if result.model:
        policy += f" ({md_text(msg.model)}: {md_text(result.model)})"
    parts = [
        f"{md_text(msg.policy)}: {policy}",
        f"{md_text(msg.snapshot)}: {md_code(result.snapshot or '-')}",
        f"{md_text(msg.devices)}: {len(result.coverage)}",
        f"{md_text(msg.checks_run)}: {len(set(result.checks_run))}",
    ]
    if result.run.tool_version:
        parts.append(f"netaudit {md_code(result.run.tool_version)}")
    yield " · ".join(parts)


def _summary(result: AuditResult, options: RenderOptions, msg: Labels) -> Iterator[str]:
    counts = result.counts()
    lang = options.lang
    sev = [counts["by_severity"][s.value] for s in Severity]
    yield f"**{md_text(msg.by_severity)}**"
    yield ""
    yield "| " + " | ".join(md_text(severity_name(s, lang)) for s in Severity) + f" | {msg.total} |"
    yield "|" + "---:|" * (len(sev) + 1)
    yield "| " + " | ".join(str(n) for n in sev) + f" | {sum(sev)} |"
    yield ""
    yield f"**{md_text(msg.by_status)}**"
    yield ""
    yield "| " + " | ".join(md_text(status_name(s, lang)) for s in Status) + f" | {msg.total} |"
    yield "|" + "---:|" * (len(Status) + 1)
    by_status = [str(counts["by_status"][s.value]) for s in Status]
    yield "| " + " | ".join(by_status) + f" | {len(result.findings)} |"


def _matrix(result: AuditResult, msg: Labels) -> Iterator[str]:
    yield f"#### {md_text(msg.matrix)}"
    yield ""
    zones = list(result.matrix.zones)
    for cell in result.matrix.cells:
        for zone in (cell.zone_from, cell.zone_to):
            if zone not in zones:
                zones.append(zone)
    if not zones:
        yield md_text(msg.no_zones)
        return
    cells = {(c.zone_from, c.zone_to): c for c in result.matrix.cells}
    yield "| " + " | ".join([md_text(msg.matrix_corner), *(_zone(z) for z in zones)]) + " |"
    yield "|---|" + ":---:|" * len(zones)
    for zf in zones:
        row = [_cell(cells.get((zf, zt)), msg) for zt in zones]
        yield "| " + " | ".join([f"**{_zone(zf)}**", *row]) + " |"
    yield ""
    legend = [
        (msg.cell_same, msg.legend_same),
        (msg.cell_none, msg.legend_none),
        (msg.cell_allowed, msg.legend_allowed),
        (msg.cell_violation, msg.legend_violation),
        (msg.cell_unknown, msg.legend_unknown),
    ]
    yield f"{md_text(msg.legend)}: " + " · ".join(
        f"{md_text(sym)} {md_text(text)}" for sym, text in legend
    )


def _zone(zone: str) -> str:
    return md_text(zone)


def _cell(cell: MatrixCell | None, msg: Labels) -> str:
    if cell is None:
        return ""
    match cell.state:
        case CellState.SAME:
            return md_text(msg.cell_same)
        case CellState.NONE:
            return md_text(msg.cell_none)
        case CellState.ALLOWED:
            return f"{md_text(msg.cell_allowed)} ({cell.allowed_paths})"
        case CellState.VIOLATION:
            return f"**{md_text(msg.cell_violation)} ({cell.violations or cell.paths})**"
        case CellState.UNKNOWN:
            return f"**{md_text(msg.cell_unknown)}**"


def _listed(
    title: str, findings: list[Finding], options: RenderOptions, msg: Labels
) -> Iterator[str]:
    """New or fixed findings of a diff, all of them (a fixed one passes now)."""
    yield f"#### {md_text(title)} ({msg.count_fmt.format(n=len(findings))})"
    yield ""
    if not findings:
        yield md_text(msg.no_changed_findings)
    for finding in findings:
        yield from _finding(finding, options, msg)


def _flow_changes(result: AuditResult, msg: Labels) -> Iterator[str]:
    deltas = sorted_flow_changes(result)
    yield f"#### {md_text(msg.flow_changes)} ({msg.count_fmt.format(n=len(deltas))})"
    yield ""
    if not deltas:
        yield md_text(msg.no_flow_changes)
    for d in deltas:
        added = d.kind == "added"
        sign = "➕" if added else "➖"
        lines = [
            f"- {sign} **{md_text(d.zone_from)} → {md_text(d.zone_to)}** "
            f"({md_text(msg.flow_added if added else msg.flow_removed)})",
            f"{md_text(msg.example_packet)}: {md_code(packet_text(d.example_flow, msg))}",
        ]
        if d.devices:
            devices = ", ".join(md_code(x) for x in d.devices)
            lines.append(f"{md_text(msg.devices_responsible)}: {devices}")
        yield " \\\n  ".join(lines)
        for ev in d.evidence:
            where = f"{ev.file}:{ev.line}" if ev.line else ev.file
            role = f" ({md_text(ev.role)})" if ev.role else ""
            yield f"  - {md_code(where)} {md_code(ev.text)}{role}"


def _findings(
    findings: Iterable[Finding], options: RenderOptions, msg: Labels, title: str
) -> Iterator[str]:
    ordered = sorted_findings(findings)
    shown = [f for f in ordered if options.verbose or f.status not in _QUIET]
    hidden = len(ordered) - len(shown)
    yield f"#### {md_text(title)} ({msg.count_fmt.format(n=len(shown))})"
    yield ""
    if not shown:
        yield md_text(msg.no_findings)
    for finding in shown:
        yield from _finding(finding, options, msg)
    if hidden:
        yield ""
        yield f"_{md_text(msg.hidden_findings_fmt.format(n=hidden))}_"


def _finding(finding: Finding, options: RenderOptions, msg: Labels) -> Iterator[str]:
    lang = options.lang
    icon = _SEVERITY_ICON[finding.severity]
    head = (
        f"- {icon} **{md_text(finding.check)}** {md_text(finding.title.get(lang))} "
        f"({md_text(severity_name(finding.severity, lang))}, "
        f"{md_text(status_name(finding.status, lang))})"
    )
    if finding.change in ("new", "fixed"):
        head = f"{head} **\\[{md_text(change_name(finding.change, lang))}\\]**"
    lines = [head]
    facts: list[str] = []
    if finding.device:
        facts.append(f"{md_text(msg.device)}: {md_code(finding.device)}")
    if finding.zone_from or finding.zone_to:
        facts.append(
            f"{md_text(msg.zones)}: {md_text(finding.zone_from or '?')} → "
            f"{md_text(finding.zone_to or '?')}"
        )
    if facts:
        lines.append(" · ".join(facts))
    message = finding.message.get(lang)
    if message:
        lines.append(md_text(message))
    if finding.example_flow is not None:
        packet = packet_text(finding.example_flow, msg)
        lines.append(f"{md_text(msg.example_packet)}: {md_code(packet)}")
    if finding.waiver is not None:
        lines.append(f"{md_text(msg.waiver)}: {md_text(waiver_text(finding.waiver, lang))}")
    # A backslash before the line end is a hard line break (CommonMark §6.7).
    yield " \\\n  ".join(lines)
    for ev in finding.evidence:
        where = f"{ev.file}:{ev.line}" if ev.line else ev.file
        yield f"  - {md_code(where)} {md_code(ev.text)}"
    if finding.policy_ref is not None:
        ref = finding.policy_ref
        where = f"{ref.file}:{ref.line}" if ref.line else ref.file
        ident = f" ({md_text(ref.id)})" if ref.id else ""
        yield f"  - {md_text(msg.policy_ref)}: {md_code(where)}{ident}"
