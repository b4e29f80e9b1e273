"""The SARIF 2.1.0 report, for code-scanning views of a policy repository's merge requests.

One ``run`` of the ``netaudit`` driver. Mapping from the audit result (SARIF 2.1.0, OASIS
Standard, sections cited as §):

- **Rules** (§3.49 ``reportingDescriptor``): one per check that ran or reported, sorted by id,
  described by ``AuditResult.checks`` (the engine records every check it ran):
  ``shortDescription`` is the title in ``options.lang``, ``fullDescription`` the check's
  documentation, ``help`` how to fix and the guideline basis. A check known only from its
  findings (a result made elsewhere) falls back to the findings' title and basis.
- **Results** (§3.27): ``level`` critical/high → ``error``, medium → ``warning``, low/info →
  ``note``. ``fail`` and ``waived`` are ``kind: "fail"``; a waived result carries an external,
  accepted suppression (§3.35) whose justification is the finding's message. ``unknown`` and
  ``error`` are ``kind: "review"`` (a human has to decide) with ``level: "none"`` as §3.27.10
  requires for kinds other than ``fail``; ``pass`` / ``not_applicable`` (``kind: "pass"`` /
  ``"notApplicable"``) only appear with ``options.verbose``, as on the console.
- **Locations**: the first evidence line is the result's location (``artifactLocation.uri`` +
  ``region.startLine`` + ``snippet``); every evidence line and the policy entry are
  ``relatedLocations``. Relative paths stay relative (to ``%SRCROOT%``, the directory the audit
  ran in); absolute paths become ``file:`` URIs. The device is a ``logicalLocation``.
- ``partialFingerprints`` (§3.27.17) ``{"netauditFingerprint/v1": <fingerprint>}``.
- Input problems and check errors are ``toolExecutionNotifications`` of the invocation.
- A waived finding with approval data (``Finding.waiver``) has the justification
  reason + 申請番号 + approver + expiry, and the waiver as the suppression's location.
- A 新旧比較 (``netaudit diff``): ``baselineState`` (§3.27.24) is ``new``, ``unchanged``, or
  ``absent`` for a fixed finding (listed even without ``verbose``, ``kind: "pass"``); the run's
  ``properties.flowChanges`` lists the zone flows the change opens or closes.

Output is JSON with sorted rules and results and a fixed key order, so the same result always
renders to the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from netaudit.result import (
    AuditResult,
    CheckInfo,
    Evidence,
    Finding,
    PolicyRef,
    Severity,
    Status,
)

from . import RenderOptions, sorted_findings, sorted_flow_changes, sorted_problems
from .messages import waiver_text

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "netaudit"
FINGERPRINT_KEY = "netauditFingerprint/v1"
SRCROOT = "%SRCROOT%"

LEVELS: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub code scanning ranks security results by a CVSS-like score in this property; the
# values sit inside the bands GitHub documents (critical > 9.0, high 7.0–8.9, medium 4.0–6.9).
SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

KINDS: Mapping[Status, str] = {
    Status.FAIL: "fail",
    Status.WAIVED: "fail",
    Status.UNKNOWN: "review",
    Status.ERROR: "review",
    Status.PASS: "pass",
    Status.NOT_APPLICABLE: "notApplicable",
}

_QUIET = frozenset({Status.PASS, Status.NOT_APPLICABLE})

# SARIF §3.27.24 baselineState for a finding's change in a 新旧比較.
BASELINE_STATES: Mapping[str, str] = {"new": "new", "unchanged": "unchanged", "fixed": "absent"}
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def render(result: AuditResult, options: RenderOptions) -> str:
    """The result as a SARIF 2.1.0 log (UTF-8 JSON, 2-space indent, trailing newline)."""
    return json.dumps(to_log(result, options), ensure_ascii=False, indent=2) + "\n"


def to_log(result: AuditResult, options: RenderOptions) -> dict[str, Any]:
    """The SARIF log as JSON-ready data."""
    findings = [
        f
        for f in sorted_findings(result.findings)
        if options.verbose or f.status not in _QUIET or f.change == "fixed"
    ]
    rules = _rules(result, sorted_findings(result.findings), options)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": TOOL_NAME}
    if result.run.tool_version:
        driver["version"] = result.run.tool_version
    driver["rules"] = rules
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [_invocation(result, options)],
                "originalUriBaseIds": {
                    SRCROOT: {
                        "description": {"text": _SRCROOT_TEXT[options.lang]},
                    }
                },
                "language": options.lang,
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.check], options) for f in findings],
                "properties": _run_properties(result),
            }
        ],
    }


_SRCROOT_TEXT = {
    "ja": "監査を実行したディレクトリ（スナップショットとポリシーの相対パスの基準）",
    "en": "The directory the audit ran in (relative snapshot and policy paths start here)",
}


# -- rules --------------------------------------------------------------------------------


def _rules(
    result: AuditResult, findings: list[Finding], options: RenderOptions
) -> list[dict[str, Any]]:
    first: dict[str, Finding] = {}
    for f in findings:  # report order: the worst finding of a check describes its rule
        first.setdefault(f.check, f)
    basis: dict[str, list[str]] = {}
    for f in findings:
        for b in f.basis:
            if b not in basis.setdefault(f.check, []):
                basis[f.check].append(b)
    ids = sorted(set(result.checks_run) | set(first))
    info = {c.id: c for c in result.checks}
    return [
        _described(info[cid], options)
        if cid in info
        else _rule(cid, first.get(cid), basis.get(cid, []), options)
        for cid in ids
    ]


def _described(check: CheckInfo, options: RenderOptions) -> dict[str, Any]:
    """A rule from the check's own metadata (what the engine records of every check run)."""
    rule: dict[str, Any] = {
        "id": check.id,
        "name": check.id,
        "shortDescription": {"text": check.title.get(options.lang)},
        "fullDescription": {"text": check.doc or f"{check.title.ja} / {check.title.en}"},
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {
            "tags": ["security", "network-separation"],
            "security-severity": SECURITY_SEVERITY[check.severity],
            "title": {"ja": check.title.ja, "en": check.title.en},
        },
    }
    help_text = "\n".join([check.fix.get(options.lang), *check.basis]).strip()
    if help_text:
        rule["help"] = {"text": help_text}
    return rule


def _rule(
    check: str, finding: Finding | None, basis: list[str], options: RenderOptions
) -> dict[str, Any]:
    rule: dict[str, Any] = {"id": check, "name": check}
    if finding is None:
        return rule
    title = finding.title.get(options.lang)
    rule["shortDescription"] = {"text": title}
    rule["fullDescription"] = {"text": f"{finding.title.ja} / {finding.title.en}"}
    if basis:
        rule["help"] = {"text": "\n".join(basis)}
    rule["defaultConfiguration"] = {"level": LEVELS[finding.severity]}
    rule["properties"] = {
        "tags": ["security", "network-separation"],
        "security-severity": SECURITY_SEVERITY[finding.severity],
        "title": {"ja": finding.title.ja, "en": finding.title.en},
    }
    return rule


# -- results ------------------------------------------------------------------------------


def _result(finding: Finding, rule_index: int, options: RenderOptions) -> dict[str, Any]:
    kind = KINDS[finding.status]
    out: dict[str, Any] = {
        "ruleId": finding.check,
        "ruleIndex": rule_index,
        "kind": kind,
        # SARIF §3.27.10: a result whose kind is not "fail" has level "none".
        "level": LEVELS[finding.severity] if kind == "fail" else "none",
        "message": {"text": _message(finding, options)},
    }
    locations = []
    if finding.evidence:
        locations.append(_location(finding.evidence[0], finding.device))
    elif finding.device:
        locations.append({"logicalLocations": [_device(finding.device)]})
    if locations:
        out["locations"] = locations
    related = [
        _location(ev, ev.device or finding.device, ident=i)
        for i, ev in enumerate(finding.evidence, start=1)
    ]
    if finding.policy_ref is not None:
        related.append(_policy_location(finding.policy_ref, ident=len(related) + 1))
    if related:
        out["relatedLocations"] = related
    if finding.fingerprint:
        out["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.change in BASELINE_STATES:
        out["baselineState"] = BASELINE_STATES[finding.change]
    if finding.status is Status.WAIVED:
        out["suppressions"] = [_suppression(finding, options)]
    out["properties"] = _finding_properties(finding)
    return out


def _suppression(finding: Finding, options: RenderOptions) -> dict[str, Any]:
    """SARIF §3.35: an approved external suppression (例外措置)."""
    waiver = finding.waiver
    if waiver is None:
        return {
            "kind": "external",
            "status": "accepted",
            "justification": finding.message.get(options.lang),
        }
    physical: dict[str, Any] = {"artifactLocation": artifact_location(waiver.file)}
    if waiver.line > 0:
        physical["region"] = {"startLine": waiver.line}
    return {
        "kind": "external",
        "status": "accepted",
        "justification": waiver_text(waiver, options.lang),
        "location": {"physicalLocation": physical},
        "properties": {
            "id": waiver.id,
            "applicationNo": waiver.application_no,
            "approver": waiver.approver,
            "expires": waiver.expires,
            "reason": waiver.reason,
        },
    }


def _message(finding: Finding, options: RenderOptions) -> str:
    title = finding.title.get(options.lang)
    message = finding.message.get(options.lang)
    return f"{title}: {message}" if message else title


def _location(ev: Evidence, device: str, *, ident: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(ev.file)}
    if ev.line > 0:
        physical["region"] = {"startLine": ev.line, "snippet": {"text": ev.text}}
    location: dict[str, Any] = {}
    if ident is not None:
        location["id"] = ident
    location["physicalLocation"] = physical
    if device:
        location["logicalLocations"] = [_device(device)]
    if ident is not None and ev.role:
        location["message"] = {"text": ev.role}
    return location


def _policy_location(ref: PolicyRef, *, ident: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(ref.file)}
    if ref.line > 0:
        physical["region"] = {"startLine": ref.line}
    return {
        "id": ident,
        "physicalLocation": physical,
        "message": {"text": f"policy: {ref.id}" if ref.id else "policy"},
    }


def _device(name: str) -> dict[str, Any]:
    return {"name": name, "fullyQualifiedName": name, "kind": "device"}


def artifact_location(path: str) -> dict[str, Any]:
    """A SARIF ``artifactLocation`` for a file path as the result names it.

    Relative paths become relative URI references against ``%SRCROOT%``; absolute POSIX or
    Windows paths become ``file:`` URIs. Characters outside the URI grammar (spaces, Japanese
    file names) are percent-encoded as UTF-8 (RFC 3986 §2.1).
    """
    if _DRIVE.match(path) or path.startswith("\\\\"):
        posix = PureWindowsPath(path).as_posix()
        return {"uri": "file:///" + quote(posix.lstrip("/"), safe="/:")}
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path, safe="/")}
    return {"uri": quote(path.replace("\\", "/"), safe="/"), "uriBaseId": SRCROOT}


def _finding_properties(finding: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {
        "severity": finding.severity.value,
        "status": finding.status.value,
        "security-severity": SECURITY_SEVERITY[finding.severity],
    }
    if finding.device:
        props["device"] = finding.device
    if finding.zone_from or finding.zone_to:
        props["zoneFrom"] = finding.zone_from
        props["zoneTo"] = finding.zone_to
    if finding.example_flow is not None:
        props["exampleFlow"] = {k: _plain(finding.example_flow[k]) for k in finding.example_flow}
    if finding.path:
        props["path"] = list(finding.path)
    if finding.basis:
        props["basis"] = list(finding.basis)
    props["i18n"] = {
        "title": {"ja": finding.title.ja, "en": finding.title.en},
        "message": {"ja": finding.message.ja, "en": finding.message.en},
    }
    return props


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# -- invocation and run -------------------------------------------------------------------


def _invocation(result: AuditResult, options: RenderOptions) -> dict[str, Any]:
    # A check that errored or a device that was not collected means the tool did not do its job;
    # an unknown finding or a failing one does not.
    ok = not any(f.status is Status.ERROR for f in result.findings) and all(
        c.collection == "ok" for c in result.coverage
    )
    inv: dict[str, Any] = {"executionSuccessful": ok}
    started = utc_time(result.run.started)
    if started:
        inv["startTimeUtc"] = started
    notes = list(_notifications(result, options))
    if notes:
        inv["toolExecutionNotifications"] = notes
    return inv


def _notifications(result: AuditResult, options: RenderOptions) -> Iterable[dict[str, Any]]:
    for problem in sorted_problems(result.problems):
        note: dict[str, Any] = {"level": "warning", "message": {"text": problem.message}}
        if problem.file:
            physical: dict[str, Any] = {"artifactLocation": artifact_location(problem.file)}
            if problem.line > 0:
                physical["region"] = {"startLine": problem.line}
            note["locations"] = [{"physicalLocation": physical}]
        yield note
    for f in sorted_findings(result.findings):
        if f.status is Status.ERROR:
            yield {
                "level": "error",
                "message": {"text": _message(f, options)},
                "associatedRule": {"id": f.check},
            }


def utc_time(text: str) -> str:
    """An ISO 8601 time as SARIF's UTC form (``2025-04-01T00:00:00Z``); ``""`` if unparseable.

    A time without an offset is taken as UTC.
    """
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def _run_properties(result: AuditResult) -> dict[str, Any]:
    counts = result.counts()
    props: dict[str, Any] = {
        "verdict": result.verdict.value,
        "policy": {
            "file": result.policy_file,
            "digest": result.policy_digest,
            "model": result.model,
        },
        "snapshot": {"path": result.snapshot, "manifestDigest": result.manifest_digest},
        "bySeverity": counts["by_severity"],
        "byStatus": counts["by_status"],
        "checksRun": sorted(set(result.checks_run)),
    }
    if result.is_diff:
        props["flowChanges"] = [
            {
                "kind": d.kind,
                "zoneFrom": d.zone_from,
                "zoneTo": d.zone_to,
                "exampleFlow": {k: _plain(v) for k, v in d.example_flow.items()},
                "devices": list(d.devices),
                "evidence": [
                    {
                        "file": e.file,
                        "line": e.line,
                        "text": e.text,
                        "device": e.device,
                        "role": e.role,
                    }
                    for e in d.evidence
                ],
            }
            for d in sorted_flow_changes(result)
        ]
    return props
