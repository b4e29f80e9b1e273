"""The terminal report: a rich rendering of the audit result, Japanese by default.

Sections, top to bottom: a header panel with the verdict, a summary by severity and status,
the zone-to-zone matrix, the findings grouped by severity then check (each with its example
packet, the deciding config lines and the policy entry), parse coverage per device and the
input problems.

A 新旧比較 (``AuditResult.is_diff``) shows, after the matrix, the new findings (badge 新規/NEW),
the fixed ones (解消/FIXED), the zone flows the change opens (+) or closes (-), then the
unchanged findings; a waived finding shows its approval (id, 申請番号, approver, expiry, reason).

Everything taken from configs, policies or file names is untrusted. It only ever reaches rich
as :class:`rich.text.Text` (never as markup), the console is created with ``markup=False``, and
control characters (ANSI escapes, bidi overrides) are shown as visible ``\\xNN`` escapes so a
config line cannot restyle or rewrite the operator's terminal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from io import StringIO
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from netaudit.result import (
    AuditResult,
    CellState,
    DeviceCoverage,
    Evidence,
    Finding,
    MatrixCell,
    Severity,
    Status,
    Verdict,
)

from . import (
    RenderOptions,
    diff_groups,
    sorted_coverage,
    sorted_findings,
    sorted_flow_changes,
    sorted_problems,
)
from .messages import (
    Labels,
    change_name,
    labels,
    severity_name,
    status_name,
    verdict_name,
    waiver_text,
)

_VERDICT_STYLE: Mapping[Verdict, str] = {
    Verdict.PASS: "bold green",
    Verdict.FAIL: "bold red",
    Verdict.INCOMPLETE: "bold yellow",
}

_SEVERITY_STYLE: Mapping[Severity, str] = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "blue",
}

_STATUS_STYLE: Mapping[Status, str] = {
    Status.FAIL: "bold red",
    Status.WAIVED: "cyan",
    Status.UNKNOWN: "bold yellow",
    Status.ERROR: "bold magenta",
    Status.PASS: "green",
    Status.NOT_APPLICABLE: "dim",
}

# Shown only with --verbose: they are not problems.
_QUIET_STATUSES = frozenset({Status.PASS, Status.NOT_APPLICABLE})

_ARROW = " → "

# C0 controls except TAB, DEL, C1 controls, and the Unicode bidi overrides/isolates used in
# "Trojan Source" tricks (CVE-2021-42574): shown escaped instead of acting on the terminal.
_UNSAFE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F)}
_UNSAFE |= {c: f"\\x{c:02x}" for c in range(0x80, 0xA0)}
_UNSAFE |= {c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_UNSAFE_KEEP_NEWLINE = {c: s for c, s in _UNSAFE.items() if c != 0x0A}


def render(result: AuditResult, options: RenderOptions) -> str:
    """The result as terminal text (ANSI-coloured when ``options.color``)."""
    out = StringIO()
    console = Console(
        file=out,
        width=options.width,
        height=50,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        force_jupyter=False,
        force_interactive=False,
        no_color=not options.color,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    msg = labels(options.lang)
    first = True
    for section in _sections(result, options, msg):
        if not first:
            console.print()
        console.print(section)
        first = False
    # Tables and grids pad lines to the full width; the padding carries no information.
    text = "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
    return text.rstrip("\n") + "\n"


def _sections(result: AuditResult, options: RenderOptions, msg: Labels) -> Iterator[RenderableType]:
    yield _header(result, options, msg)
    yield _section(msg.summary, _summary(result, options, msg))
    yield _section(msg.matrix, _matrix(result, msg, options.width))
    if result.is_diff:
        new, fixed, rest = diff_groups(result)
        for title, group in ((msg.new_findings, new), (msg.fixed_findings, fixed)):
            yield _section(
                f"{title} ({msg.count_fmt.format(n=len(group))})", _listed(group, options, msg)
            )
        yield _section(
            f"{msg.flow_changes} ({msg.count_fmt.format(n=len(result.flow_changes))})",
            _flow_changes(result, msg),
        )
        yield _section(msg.unchanged_findings, _findings(rest, options, msg))
    else:
        yield _section(msg.findings, _findings(result.findings, options, msg))
    yield _section(msg.coverage, _coverage(result, options, msg))
    yield _section(msg.problems, _problems(result, msg))


def _section(title: str, body: RenderableType) -> Group:
    return Group(Rule(Text(title, style="bold"), align="left", characters="─"), Text(""), body)


def safe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with terminal control characters replaced by visible escapes."""
    return text.translate(_UNSAFE_KEEP_NEWLINE if keep_newlines else _UNSAFE)


def _t(text: str, style: str = "") -> Text:
    """Untrusted text as a rich ``Text`` (never parsed as markup)."""
    return Text(safe(text), style=style)


def _table(title: Text | None = None) -> Table:
    """A light table: a rule under the header, no outer frame."""
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    return grid


# -- header and summary ---------------------------------------------------------------------


def _header(result: AuditResult, options: RenderOptions, msg: Labels) -> Panel:
    grid = _grid()
    grid.add_row(
        Text(msg.verdict),
        Text(verdict_name(result.verdict, options.lang), style=_VERDICT_STYLE[result.verdict]),
    )
    policy = _t(result.policy_file or "-")
    if result.model:
        policy.append(f"  ({msg.model}: ")
        policy.append(safe(result.model))
        policy.append(")")
    grid.add_row(Text(msg.policy), policy)
    if options.verbose and result.policy_digest:
        grid.add_row(Text(msg.policy_digest), _t(result.policy_digest))
    grid.add_row(Text(msg.snapshot), _t(result.snapshot or "-"))
    if options.verbose and result.manifest_digest:
        grid.add_row(Text(msg.manifest_digest), _t(result.manifest_digest))
    grid.add_row(Text(msg.devices), Text(str(len(result.coverage))))
    grid.add_row(Text(msg.checks_run), Text(str(len(set(result.checks_run)))))
    if result.run.started:
        started = _t(result.run.started)
        started.append(f"  ({msg.duration} {msg.seconds_fmt.format(s=result.run.duration_s)})")
        grid.add_row(Text(msg.started), started)
    if result.run.tool_version:
        grid.add_row(Text(msg.tool_version), _t(result.run.tool_version))
    title = msg.diff_title if result.is_diff else msg.report_title
    return Panel(grid, title=Text(title, style="bold"), expand=False, box=box.ROUNDED)


def _summary(result: AuditResult, options: RenderOptions, msg: Labels) -> RenderableType:
    counts = result.counts()
    by_sev = _table(title=Text(msg.by_severity))
    by_sev.add_column(Text(""), no_wrap=True)
    for sev in Severity:
        by_sev.add_column(
            Text(severity_name(sev, options.lang), style=_SEVERITY_STYLE[sev]), justify="right"
        )
    by_sev.add_column(Text(msg.total), justify="right")
    sev_counts = [counts["by_severity"][s.value] for s in Severity]
    by_sev.add_row(
        Text(msg.failing_count),
        *(
            Text(str(n), style=_SEVERITY_STYLE[s] if n else "")
            for s, n in zip(Severity, sev_counts, strict=True)
        ),
        Text(str(sum(sev_counts))),
    )

    by_status = _table(title=Text(msg.by_status))
    for status in Status:
        by_status.add_column(Text(status_name(status, options.lang)), justify="right")
    by_status.add_column(Text(msg.total), justify="right")
    by_status.add_row(
        *(
            Text(str(counts["by_status"][s.value]), style=_STATUS_STYLE[s] if n else "")
            for s in Status
            for n in (counts["by_status"][s.value],)
        ),
        Text(str(len(result.findings))),
    )
    return Group(by_sev, Text(""), by_status)


# -- zone matrix ---------------------------------------------------------------------------


def _matrix(result: AuditResult, msg: Labels, width: int) -> RenderableType:
    zones = list(result.matrix.zones)
    for cell in result.matrix.cells:  # zones only named by cells still get a row and column
        for zone in (cell.zone_from, cell.zone_to):
            if zone not in zones:
                zones.append(zone)
    if not zones:
        return Text(msg.no_zones)
    cells = {(c.zone_from, c.zone_to): c for c in result.matrix.cells}
    corner = Text(msg.matrix_corner)
    rows = [
        (_t(zf, "bold"), [_cell_text(cells.get((zf, zt)), msg) for zt in zones]) for zf in zones
    ]
    heads = [_t(zone) for zone in zones]
    # Each column: its widest cell plus one space of padding per side, plus the borders.
    needed = 1 + max(corner.cell_len, *(r[0].cell_len for r in rows)) + 3
    for i, head in enumerate(heads):
        needed += max(head.cell_len, *(r[1][i].cell_len for r in rows)) + 3
    grid: RenderableType
    if needed <= width:
        table = Table(box=box.SQUARE, show_lines=False)
        table.add_column(corner, no_wrap=True)
        for head in heads:
            table.add_column(head, justify="center", no_wrap=True)
        for label, row in rows:
            table.add_row(label, *row)
        grid = table
    else:  # too narrow for a grid: one line per zone pair, so no cell is cut off
        lines = Table.grid(padding=(0, 2))
        lines.add_column(overflow="fold")
        lines.add_column(no_wrap=True)
        for (label, row), zone_from in zip(rows, zones, strict=True):
            for mark, zone_to in zip(row, zones, strict=True):
                if zone_from != zone_to:
                    pair = label.copy()
                    pair.append(_ARROW)
                    pair.append(safe(zone_to), style="bold")
                    lines.add_row(pair, mark)
        grid = lines
    entries = (
        (msg.cell_same, "dim", msg.legend_same),
        (msg.cell_none, "green", msg.legend_none),
        (f"{msg.cell_allowed} N", "cyan", msg.legend_allowed),
        (f"{msg.cell_violation} N", "bold red", msg.legend_violation),
        (msg.cell_unknown, "bold yellow", msg.legend_unknown),
    )
    items = [Text(f"{msg.legend}:", style="bold")]
    for symbol, style, meaning in entries:
        item = Text(symbol, style=style)
        item.append(f" {meaning}")
        items.append(item)
    legend = _wrap_items(items, width)
    return Group(grid, legend)


def _wrap_items(items: list[Text], width: int, gap: int = 2) -> Text:
    """``items`` on as few lines as fit in ``width``, never breaking an item in the middle."""
    out = Text()
    used = 0
    for item in items:
        if used and used + gap + item.cell_len > width:
            out.append("\n")
            used = 0
        elif used:
            out.append(" " * gap)
            used += gap
        out.append_text(item)
        used += item.cell_len
    return out


def _cell_text(cell: MatrixCell | None, msg: Labels) -> Text:
    if cell is None:  # not computed: principle 2, unknown is not pass
        return Text(msg.cell_unknown, style="bold yellow")
    if cell.state is CellState.SAME:
        return Text(msg.cell_same, style="dim")
    if cell.state is CellState.NONE:
        return Text(msg.cell_none, style="green")
    if cell.state is CellState.ALLOWED:
        count = cell.allowed_paths or cell.paths
        return Text(f"{msg.cell_allowed} {count}" if count else msg.cell_allowed, style="cyan")
    if cell.state is CellState.VIOLATION:
        return Text(f"{msg.cell_violation} {cell.violations}", style="bold red")
    return Text(msg.cell_unknown, style="bold yellow")


# -- findings --------------------------------------------------------------------------------


def _listed(findings: list[Finding], options: RenderOptions, msg: Labels) -> RenderableType:
    """New or fixed findings of a diff, each in full, in report order."""
    if not findings:
        return Text(msg.no_changed_findings)
    parts: list[RenderableType] = []
    for i, finding in enumerate(findings):
        if i:
            parts.append(Text(""))
        parts.append(_finding(finding, options, msg))
    return Group(*parts)


def _flow_changes(result: AuditResult, msg: Labels) -> RenderableType:
    deltas = sorted_flow_changes(result)
    if not deltas:
        return Text(msg.no_flow_changes)
    parts: list[RenderableType] = []
    for i, d in enumerate(deltas):
        if i:
            parts.append(Text(""))
        added = d.kind == "added"
        head = Text(f"{'+' if added else '-'} ", style="bold red" if added else "bold green")
        head.append(safe(f"{d.zone_from}{_ARROW}{d.zone_to}"), style="bold")
        head.append(f"  [{msg.flow_added if added else msg.flow_removed}]")
        grid = _grid()
        grid.add_row(Text(msg.example_packet), _t(packet_text(d.example_flow, msg)))
        if d.devices:
            grid.add_row(Text(msg.devices_responsible), _t(", ".join(d.devices)))
        if d.evidence:
            grid.add_row(Text(msg.evidence), _evidence_lines(d.evidence))
        parts.append(Group(head, Padding(grid, (0, 0, 0, 4))))
    return Group(*parts)


def _evidence_lines(evidence: tuple[Evidence, ...]) -> Text:
    lines = Text()
    for i, ev in enumerate(evidence):
        if i:
            lines.append("\n")
        lines.append(safe(f"{ev.file}:{ev.line}" if ev.line else ev.file), style="dim")
        lines.append("  ")
        if ev.role:
            lines.append(safe(f"[{ev.role}] "))
        lines.append(safe(ev.text))
    return lines


def _findings(findings: Iterable[Finding], options: RenderOptions, msg: Labels) -> RenderableType:
    ordered = sorted_findings(findings)
    shown = [f for f in ordered if options.verbose or f.status not in _QUIET_STATUSES]
    hidden = len(ordered) - len(shown)
    parts: list[RenderableType] = []
    if not shown:
        parts.append(Text(msg.no_findings))
    for sev in Severity:
        group = [f for f in shown if f.severity is sev]
        if not group:
            continue
        if parts:
            parts.append(Text(""))
        heading = Text(severity_name(sev, options.lang), style=_SEVERITY_STYLE[sev])
        heading.append(f" ({msg.count_fmt.format(n=len(group))})", style="bold")
        parts.append(heading)
        for i, finding in enumerate(group):
            if i:
                parts.append(Text(""))
            parts.append(_finding(finding, options, msg))
    if hidden:
        parts.append(Text(msg.hidden_findings_fmt.format(n=hidden), style="dim"))
    return Group(*parts)


def _finding(finding: Finding, options: RenderOptions, msg: Labels) -> RenderableType:
    lang = options.lang
    quiet = finding.status in (Status.WAIVED, *_QUIET_STATUSES)
    head = Text("■ ", style=_SEVERITY_STYLE[finding.severity])
    head.append(safe(finding.check), style="bold")
    head.append("  ")
    head.append(safe(finding.title.get(lang)), style="dim" if quiet else "bold")
    head.append("  ")
    head.append(f"[{status_name(finding.status, lang)}]", style=_STATUS_STYLE[finding.status])
    if finding.change in ("new", "fixed"):
        badge = f"  [{change_name(finding.change, lang)}]"
        head.append(badge, style="bold red" if finding.change == "new" else "bold green")

    grid = _grid()
    if finding.device:
        grid.add_row(Text(msg.device), _t(finding.device))
    if finding.zone_from or finding.zone_to:
        grid.add_row(
            Text(msg.zones), _t(f"{finding.zone_from or '?'}{_ARROW}{finding.zone_to or '?'}")
        )
    message = finding.message.get(lang)
    if message:
        grid.add_row(Text(msg.message), Text(safe(message, keep_newlines=True)))
    if finding.example_flow is not None:
        grid.add_row(Text(msg.example_packet), _t(packet_text(finding.example_flow, msg)))
    if finding.evidence:
        lines = Text()
        for i, ev in enumerate(finding.evidence):
            if i:
                lines.append("\n")
            lines.append(safe(f"{ev.file}:{ev.line}" if ev.line else ev.file), style="dim")
            lines.append("  ")
            lines.append(safe(ev.text))
        grid.add_row(Text(msg.evidence), lines)
    if finding.policy_ref is not None:
        ref = finding.policy_ref
        where = f"{ref.file}:{ref.line}" if ref.line else ref.file
        grid.add_row(Text(msg.policy_ref), _t(f"{where} ({ref.id})" if ref.id else where))
    if finding.waiver is not None:
        grid.add_row(Text(msg.waiver), _t(waiver_text(finding.waiver, lang)))
    if finding.basis:
        grid.add_row(Text(msg.basis), Text("\n").join(_t(b) for b in finding.basis))
    if finding.path:
        grid.add_row(Text(msg.path), Text("\n").join(_t(p) for p in finding.path))
    if finding.fingerprint:
        grid.add_row(Text(msg.fingerprint), _t(finding.fingerprint, "dim"))
    return Group(head, Padding(grid, (0, 0, 0, 4)))


def packet_text(flow: Mapping[str, Any], msg: Labels) -> str:
    """``tcp 10.0.0.1:40000 → 192.0.2.1:443`` for an ``example_flow`` mapping."""
    proto = str(flow.get("proto", "?"))
    src = str(flow.get("src", "?"))
    dst = str(flow.get("dst", "?"))
    if flow.get("icmp_type") is not None:
        text = f"{proto} {src}{_ARROW}{dst} type {flow['icmp_type']}"
        if flow.get("icmp_code") is not None:
            text += f" code {flow['icmp_code']}"
    else:
        text = f"{proto} {_endpoint(src, flow.get('sport'))}{_ARROW}"
        text += _endpoint(dst, flow.get("dport"))
    if flow.get("established"):
        text += f" ({msg.established})"
    return text


def _endpoint(address: str, port: object) -> str:
    if port is None:
        return address
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


# -- coverage and problems -----------------------------------------------------------------


def _coverage(result: AuditResult, options: RenderOptions, msg: Labels) -> RenderableType:
    devices = sorted_coverage(result.coverage)
    if not devices:
        return Text(msg.no_devices)
    table = _table()
    table.add_column(Text(msg.col_device), no_wrap=True)
    table.add_column(Text(msg.col_file), overflow="fold")
    table.add_column(Text(msg.col_platform), no_wrap=True)
    table.add_column(Text(msg.col_share), justify="right", no_wrap=True)
    table.add_column(Text(msg.col_unrecognized), justify="right")
    table.add_column(Text(msg.col_warnings), justify="right")
    table.add_column(Text(msg.col_collection))
    for cov in devices:
        table.add_row(
            _t(cov.device),
            _t(cov.file),
            _t(cov.platform),
            Text(share_text(cov.share), style=_share_style(cov)),
            Text(str(len(cov.unrecognized)), style="yellow" if cov.unrecognized else ""),
            Text(str(len(cov.warnings)), style="yellow" if cov.warnings else ""),
            _t(cov.collection, "" if cov.collection == "ok" else "bold red"),
        )
    parts: list[RenderableType] = [table]
    if options.verbose:
        for cov in devices:
            parts.extend(_coverage_detail(cov, msg))
    return Group(*parts)


def share_text(share: float) -> str:
    """A share as a percentage, rounded down so that only a complete parse shows 100.0%."""
    return f"{math.floor(share * 1000) / 10:.1f}%"


def _share_style(cov: DeviceCoverage) -> str:
    if not cov.unrecognized:
        return "green"
    return "" if cov.share >= 0.95 else "bold yellow"


def _coverage_detail(cov: DeviceCoverage, msg: Labels) -> Iterator[RenderableType]:
    for title, rows in (
        (msg.unrecognized_lines, sorted(cov.unrecognized)),
        (msg.parse_warnings, sorted(cov.warnings)),
    ):
        if not rows:
            continue
        head = Text(f"\n{title} — ", style="bold")
        head.append(safe(cov.device), style="bold")
        head.append(f" ({safe(cov.file)})")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", no_wrap=True, style="dim")
        grid.add_column(overflow="fold")
        for number, text in rows:
            grid.add_row(Text(str(number)), _t(text))
        yield Group(head, Padding(grid, (0, 0, 0, 2)))


def _problems(result: AuditResult, msg: Labels) -> RenderableType:
    problems = sorted_problems(result.problems)
    if not problems:
        return Text(msg.no_problems)
    table = _table()
    table.add_column(Text(msg.col_file), overflow="fold")
    table.add_column(Text(msg.col_line), justify="right", no_wrap=True)
    table.add_column(Text(msg.col_message), overflow="fold")
    for problem in problems:
        table.add_row(
            _t(problem.file),
            Text(str(problem.line) if problem.line else "—"),
            _t(problem.message, "yellow"),
        )
    return table
