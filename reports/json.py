"""The JSON report: the ``netaudit/result/v1`` document of DESIGN.md.

The shape is fixed by ``reports/result.schema.json`` (committed beside this module and checked
in the tests). Conventions: every key is always present; text fields are strings (empty when
not applicable) and object fields are ``null`` when absent; lists are sorted so the same result
always gives the same bytes. ``title`` and ``message`` are in the chosen language and ``i18n``
carries both.

Two additions appear only where they apply, so a plain audit's document is unchanged: the
result of ``netaudit diff`` has ``change`` on every finding and a top-level ``flow_changes``
list; a finding waived by a waivers entry has ``waiver`` (id, 申請番号, approver, expiry,
reason, file, line).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from netaudit.result import (
    AuditResult,
    DeviceCoverage,
    Evidence,
    Finding,
    FlowDelta,
    InputProblem,
    MatrixCell,
    PolicyRef,
    WaiverRef,
)

from . import (
    RenderOptions,
    ordered_cells,
    sorted_coverage,
    sorted_findings,
    sorted_flow_changes,
    sorted_problems,
)

SCHEMA_ID = "netaudit/result/v1"
TOOL_NAME = "netaudit"
SCHEMA_FILE = "result.schema.json"

# Known keys of an example flow (flow.Packet.to_json) in the order they are written.
_FLOW_KEYS = ("proto", "src", "dst", "sport", "dport", "icmp_type", "icmp_code", "established")


def schema() -> dict[str, Any]:
    """The JSON Schema of this report (``reports/result.schema.json``)."""
    text = resources.files("reports").joinpath(SCHEMA_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def render(result: AuditResult, options: RenderOptions) -> str:
    """The result as a JSON document (UTF-8 text, 2-space indent, trailing newline)."""
    return json.dumps(to_document(result, options), ensure_ascii=False, indent=2) + "\n"


def to_document(result: AuditResult, options: RenderOptions) -> dict[str, Any]:
    """The result as JSON-ready data, keys in the documented order."""
    counts = result.counts()
    diff = result.is_diff
    doc = {
        "schema": SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": result.run.tool_version},
        "policy": {
            "file": result.policy_file,
            "digest": result.policy_digest,
            "model": result.model,
        },
        "snapshot": {"path": result.snapshot, "manifest_digest": result.manifest_digest},
        "verdict": result.verdict.value,
        "summary": {
            "findings": len(result.findings),
            "by_severity": counts["by_severity"],
            "by_status": counts["by_status"],
            "devices": len(result.coverage),
            "checks_run": sorted(set(result.checks_run)),
            "started": result.run.started,
            "duration_s": result.run.duration_s,
        },
        "coverage": [_coverage(c) for c in sorted_coverage(result.coverage)],
        "zone_matrix": {
            "zones": list(result.matrix.zones),
            "cells": [_cell(c) for c in ordered_cells(result.matrix)],
        },
        "findings": [_finding(f, options, diff=diff) for f in sorted_findings(result.findings)],
    }
    if diff:
        doc["flow_changes"] = [_delta(d) for d in sorted_flow_changes(result)]
    doc["problems"] = [_problem(p) for p in sorted_problems(result.problems)]
    return doc


def _coverage(cov: DeviceCoverage) -> dict[str, Any]:
    return {
        "device": cov.device,
        "file": cov.file,
        "platform": cov.platform,
        "lines": cov.lines,
        "recognized": cov.recognized,
        "unrecognized": [{"line": n, "text": t} for n, t in sorted(cov.unrecognized)],
        "share": round(cov.share, 4),
        "warnings": [{"line": n, "message": m} for n, m in sorted(cov.warnings)],
        "collection": cov.collection,
    }


def _cell(cell: MatrixCell) -> dict[str, Any]:
    return {
        "from": cell.zone_from,
        "to": cell.zone_to,
        "state": cell.state.value,
        "paths": cell.paths,
        "allowed_paths": cell.allowed_paths,
        "violations": cell.violations,
        "example_flow": _flow(cell.example_flow),
        "devices": sorted(cell.devices),
    }


def _finding(finding: Finding, options: RenderOptions, *, diff: bool) -> dict[str, Any]:
    out = {
        "check": finding.check,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "title": finding.title.get(options.lang),
        "message": finding.message.get(options.lang),
        "i18n": {
            "title": {"ja": finding.title.ja, "en": finding.title.en},
            "message": {"ja": finding.message.ja, "en": finding.message.en},
        },
        "device": finding.device,
        "zone_from": finding.zone_from,
        "zone_to": finding.zone_to,
        "example_flow": _flow(finding.example_flow),
        # Evidence keeps the checker's order: it follows the packet's path.
        "evidence": [_evidence(e) for e in finding.evidence],
        "policy_ref": _policy_ref(finding.policy_ref),
        "fingerprint": finding.fingerprint,
        "basis": list(finding.basis),
        "path": list(finding.path),
    }
    if diff:
        out["change"] = finding.change
    if finding.waiver is not None:
        out["waiver"] = _waiver(finding.waiver)
    return out


def _waiver(w: WaiverRef) -> dict[str, Any]:
    return {
        "id": w.id,
        "application_no": w.application_no,
        "approver": w.approver,
        "expires": w.expires,
        "reason": w.reason,
        "file": w.file,
        "line": w.line,
    }


def _delta(d: FlowDelta) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "zone_from": d.zone_from,
        "zone_to": d.zone_to,
        "example_flow": _flow(d.example_flow),
        "devices": list(d.devices),
        "evidence": [_evidence(e) for e in d.evidence],
    }


def _flow(flow: dict[str, Any] | None) -> dict[str, Any] | None:
    """An example flow with its keys in a fixed order; unknown extra keys follow, sorted."""
    if flow is None:
        return None
    known = {k: flow[k] for k in _FLOW_KEYS if k in flow}
    extra = {k: flow[k] for k in sorted(flow) if k not in known}
    return {k: _plain(v) for k, v in (known | extra).items()}


def _plain(value: Any) -> Any:
    """JSON scalars as they are; anything else (an ipaddress object, say) as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _evidence(ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file": ev.file,
        "line": ev.line,
        "text": ev.text,
        "device": ev.device,
        "role": ev.role,
    }
    if ev.context:
        out["context"] = [{"line": n, "text": t} for n, t in ev.context]
    return out


def _policy_ref(ref: PolicyRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"file": ref.file, "line": ref.line, "id": ref.id}


def _problem(problem: InputProblem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "message": problem.message}
