"""The JUnit XML report, for the test views of CI systems (GitLab, Jenkins, GitHub actions).

Layout: a ``<testsuites>`` root; one ``<testsuite>`` per check (every check that ran or
reported, sorted by id); in it one ``<testcase>`` per device the check reported on
(``classname`` = check id, ``name`` = device, or ``(policy)`` for findings about no single
device). A check that ran without any finding has one passing testcase named ``(all)``.

Statuses map to JUnit as follows (worst first when a device has several findings):

- ``fail`` → ``<failure>`` (``type`` = severity);
- ``error`` and ``unknown`` → ``<error>`` (``type`` = the status). An undecided result must not
  read as a pass in CI (DESIGN.md "unknown is not pass"), and ``<skipped>`` is shown as
  harmless by most CI views, so unknown is an error, not a skip;
- ``waived`` → ``<skipped>`` with the waiver message: accepted, visible, not failing;
- ``pass`` / ``not_applicable`` → a passing testcase.

The element's text lists every finding of the testcase: status, title, message, zones, the
example packet and the evidence lines (``file:line  text``). Config text is untrusted: the
document is written by hand with every text and attribute escaped, and characters XML 1.0
cannot carry (controls such as ESC) are shown as ``\\xNN``, so the output always parses.
Output is deterministic (sorted suites and cases, no clock, no host name).

A 新旧比較 (``netaudit diff``) adds one testsuite ``diff`` after the checks' suites: a failing
testcase per zone flow the change opens (``type="added"``) and a passing one per flow it closes,
named ``<from> -> <to>``; the findings' details say which are new or fixed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from netaudit.result import AuditResult, Finding, FlowDelta, Status

from . import RenderOptions, sorted_findings, sorted_flow_changes
from .console import packet_text
from .messages import Labels, change_name, labels, severity_name, status_name, waiver_text

DIFF_SUITE = "diff"

POLICY_CASE = "(policy)"
ALL_CASE = "(all)"

# Which JUnit element a status becomes; None = the testcase passes.
ELEMENTS: Mapping[Status, str | None] = {
    Status.FAIL: "failure",
    Status.ERROR: "error",
    Status.UNKNOWN: "error",
    Status.WAIVED: "skipped",
    Status.PASS: None,
    Status.NOT_APPLICABLE: None,
}
_PRECEDENCE = ("failure", "error", "skipped")

# XML 1.0 §2.2 Char: TAB, LF, CR and everything from U+0020 except surrogates, FFFE and FFFF.
_NOT_XML = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}
_NOT_XML |= {c: f"\\x{c:02x}" for c in (0x7F, *range(0x80, 0xA0))}
_NOT_XML |= {c: f"\\u{c:04x}" for c in (0xFFFE, 0xFFFF, *range(0xD800, 0xE000))}


def xml_text(text: str) -> str:
    """``text`` escaped for XML character data (``<``, ``&``, ``>`` and illegal characters)."""
    text = text.translate(_NOT_XML)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute, keeping newlines and tabs."""
    return (
        xml_text(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def render(result: AuditResult, options: RenderOptions) -> str:
    """The result as a JUnit XML document (UTF-8, trailing newline)."""
    msg = labels(options.lang)
    findings = sorted_findings(result.findings)
    by_check: dict[str, list[Finding]] = {cid: [] for cid in sorted(set(result.checks_run))}
    for f in findings:
        by_check.setdefault(f.check, []).append(f)
    suites = [_suite(cid, by_check[cid], options, msg) for cid in sorted(by_check)]
    if result.is_diff:
        suites.append(_diff_suite(result, msg))
    totals = [sum(s[0][i] for s in suites) for i in range(4)]
    head = _attrs(
        name="netaudit",
        tests=totals[0],
        failures=totals[1],
        errors=totals[2],
        skipped=totals[3],
        time=_seconds(result.run.duration_s),
    )
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<testsuites{head}>"]
    for _, body in suites:
        lines.extend(body)
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def _suite(
    check: str, findings: list[Finding], options: RenderOptions, msg: Labels
) -> tuple[tuple[int, int, int, int], list[str]]:
    cases: dict[str, list[Finding]] = {}
    for f in findings:
        cases.setdefault(f.device or POLICY_CASE, []).append(f)
    if not cases:
        cases[ALL_CASE] = []
    counts = {"failure": 0, "error": 0, "skipped": 0}
    body: list[str] = []
    for name in sorted(cases):
        element, case_lines = _case(check, name, cases[name], options, msg)
        if element is not None:
            counts[element] += 1
        body.extend(case_lines)
    attrs = _attrs(
        name=check,
        tests=len(cases),
        failures=counts["failure"],
        errors=counts["error"],
        skipped=counts["skipped"],
        time="0",
    )
    lines = [f"  <testsuite{attrs}>"]
    if findings:
        title = findings[0].title.get(options.lang)
        lines.append("    <properties>")
        lines.append(f'      <property name="title"{_attrs(value=title)}/>')
        worst = severity_name(findings[0].severity, options.lang)
        lines.append(f'      <property name="severity"{_attrs(value=worst)}/>')
        lines.append("    </properties>")
    lines.extend(body)
    lines.append("  </testsuite>")
    return (len(cases), counts["failure"], counts["error"], counts["skipped"]), lines


def _diff_suite(result: AuditResult, msg: Labels) -> tuple[tuple[int, int, int, int], list[str]]:
    deltas = sorted_flow_changes(result)
    failures = sum(1 for d in deltas if d.kind == "added")
    tests = len(deltas) or 1
    attrs = _attrs(name=DIFF_SUITE, tests=tests, failures=failures, errors=0, skipped=0, time="0")
    lines = [f"  <testsuite{attrs}>"]
    if not deltas:
        lines.append(f"    <testcase{_attrs(classname=DIFF_SUITE, name=ALL_CASE, time='0')}/>")
    for d in deltas:
        case = _attrs(classname=DIFF_SUITE, name=f"{d.zone_from} -> {d.zone_to}", time="0")
        if d.kind != "added":
            lines.append(f"    <testcase{case}/>")
            continue
        summary = f"{msg.flow_added}: {d.zone_from} → {d.zone_to}"
        lines.append(f"    <testcase{case}>")
        lines.append(
            f"      <failure{_attrs(message=summary, type=d.kind)}>"
            f"{xml_text(_delta_details(d, msg))}</failure>"
        )
        lines.append("    </testcase>")
    lines.append("  </testsuite>")
    return (tests, failures, 0, 0), lines


def _delta_details(d: FlowDelta, msg: Labels) -> str:
    lines = [
        f"{msg.flow_added}: {d.zone_from} → {d.zone_to}",
        f"{msg.example_packet}: {packet_text(d.example_flow, msg)}",
    ]
    if d.devices:
        lines.append(f"{msg.devices_responsible}: {', '.join(d.devices)}")
    if d.evidence:
        lines.append(f"{msg.evidence}:")
        lines.extend(
            f"  {ev.file}:{ev.line}  {ev.text.strip()}" + (f"  ({ev.role})" if ev.role else "")
            for ev in d.evidence
        )
    return "\n".join(lines)


def _case(
    check: str, name: str, findings: list[Finding], options: RenderOptions, msg: Labels
) -> tuple[str | None, list[str]]:
    elements = {ELEMENTS[f.status] for f in findings}
    element = next((e for e in _PRECEDENCE if e in elements), None)
    attrs = _attrs(classname=check, name=name, time="0")
    if element is None:
        return None, [f"    <testcase{attrs}/>"]
    shown = [f for f in findings if ELEMENTS[f.status] is not None]
    lead = next(f for f in shown if ELEMENTS[f.status] == element)
    summary = _summary(lead, options)
    if len(shown) > 1:
        summary += f" (+{len(shown) - 1})"
    el_attrs = _attrs(message=summary, type=_type(lead))
    text = "\n\n".join(_details(f, options, msg) for f in shown)
    return element, [
        f"    <testcase{attrs}>",
        f"      <{element}{el_attrs}>{xml_text(text)}</{element}>",
        "    </testcase>",
    ]


def _type(finding: Finding) -> str:
    """The severity of a failure; the status (error, unknown, waived) otherwise."""
    return str(finding.severity.value if finding.status is Status.FAIL else finding.status.value)


def _summary(finding: Finding, options: RenderOptions) -> str:
    title = finding.title.get(options.lang)
    if finding.zone_from or finding.zone_to:
        title += f" ({finding.zone_from or '?'} → {finding.zone_to or '?'})"
    return title


def _details(finding: Finding, options: RenderOptions, msg: Labels) -> str:
    lang = options.lang
    lines = [
        f"[{status_name(finding.status, lang)} / {severity_name(finding.severity, lang)}] "
        f"{finding.check} {finding.title.get(lang)}"
    ]
    if finding.change in ("new", "fixed"):
        lines[0] = f"[{change_name(finding.change, lang)}] {lines[0]}"
    message = finding.message.get(lang)
    if message:
        lines.append(message)
    if finding.device:
        lines.append(f"{msg.device}: {finding.device}")
    if finding.zone_from or finding.zone_to:
        lines.append(f"{msg.zones}: {finding.zone_from or '?'} → {finding.zone_to or '?'}")
    if finding.example_flow is not None:
        lines.append(f"{msg.example_packet}: {packet_text(finding.example_flow, msg)}")
    if finding.evidence:
        lines.append(f"{msg.evidence}:")
        lines.extend(
            f"  {ev.file}:{ev.line}  {ev.text.strip()}" if ev.line else f"  {ev.file}"
            for ev in finding.evidence
        )
    if finding.policy_ref is not None:
        ref = finding.policy_ref
        where = f"{ref.file}:{ref.line}" if ref.line else ref.file
        lines.append(
            f"{msg.policy_ref}: {where} ({ref.id})" if ref.id else f"{msg.policy_ref}: {where}"
        )
    if finding.waiver is not None:
        lines.append(f"{msg.waiver}: {waiver_text(finding.waiver, lang)}")
    lines.extend(_prefixed(msg.basis, finding.basis))
    if finding.fingerprint:
        lines.append(f"{msg.fingerprint}: {finding.fingerprint}")
    return "\n".join(lines)


def _prefixed(label: str, items: Iterable[str]) -> list[str]:
    return [f"{label}: {item}" for item in items]


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _attrs(**values: object) -> str:
    return "".join(f' {k}="{xml_attr(str(v))}"' for k, v in values.items())
