"""The audit result: what the engine produces and every report renders.

All frozen data; renderers never compute, they only present. The JSON form
(``netaudit/result/v1``) is described in DESIGN.md and produced by ``reports.json``.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.Enum):
    """How bad a finding is; ordered from worst to mildest."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is ``other`` or worse."""
        return self.rank >= other.rank


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Status(enum.Enum):
    """What a check concluded for one subject."""

    FAIL = "fail"
    WAIVED = "waived"
    UNKNOWN = "unknown"
    ERROR = "error"
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    NOT_APPLICABLE = "not_applicable"


class Verdict(enum.Enum):
    """The audit's overall answer."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A message in Japanese and English."""

    ja: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``ja`` or ``en``)."""
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """A config line that decides a finding.

    ``context`` holds the lines around it (number, text; secrets redacted), so a reader sees
    the line where it stands — the ACL or policy it belongs to.
    """

    file: str
    line: int
    text: str
    device: str = ""
    role: str = ""
    context: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyRef:
    """The policy entry a finding is judged against."""

    file: str
    line: int
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiverRef:
    """The approved exception (例外措置) that waives a finding, as data for every report.

    ``file`` and ``line`` locate the entry in the waivers file; ``expires`` is the last day
    the waiver holds (ISO date).
    """

    id: str
    application_no: str
    approver: str
    expires: str
    reason: str
    file: str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem (or explicit non-problem: unknown, not applicable) found by a check.

    ``example_flow`` is the JSON form of a witness packet (``flow.Packet.to_json``).
    ``fingerprint`` is stable when config lines move: it hashes the check, device, zone pair
    and the *text* of the deciding lines, not their numbers.
    ``change`` is set only in a 新旧比較 (``netaudit diff``): ``new``, ``fixed`` or
    ``unchanged``; ``""`` in a plain audit. ``waiver`` is the approval of a waived finding.
    """

    check: str
    severity: Severity
    status: Status
    title: Text
    message: Text
    device: str = ""
    zone_from: str = ""
    zone_to: str = ""
    example_flow: dict[str, Any] | None = None
    evidence: tuple[Evidence, ...] = ()
    policy_ref: PolicyRef | None = None
    basis: tuple[str, ...] = ()
    path: tuple[str, ...] = ()
    fingerprint: str = ""
    change: str = ""
    waiver: WaiverRef | None = None


def fingerprint(*parts: str) -> str:
    """A stable 16-hex-digit identity from the given parts."""
    h = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return h[:16]


class CellState(enum.Enum):
    """What crosses from one zone to another."""

    NONE = "none"
    ALLOWED = "allowed"
    VIOLATION = "violation"
    UNKNOWN = "unknown"
    SAME = "same"


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixCell:
    """One zone pair of the zone matrix."""

    zone_from: str
    zone_to: str
    state: CellState
    paths: int = 0
    allowed_paths: int = 0
    violations: int = 0
    example_flow: dict[str, Any] | None = None
    devices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneMatrix:
    """Zone-to-zone reachability as computed (per device, or end to end later)."""

    zones: tuple[str, ...]
    cells: tuple[MatrixCell, ...]

    def cell(self, zone_from: str, zone_to: str) -> MatrixCell | None:
        """The cell for a zone pair."""
        return next(
            (c for c in self.cells if c.zone_from == zone_from and c.zone_to == zone_to), None
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceCoverage:
    """How much of one device's config was understood, and how it was read."""

    device: str
    file: str
    platform: str
    lines: int
    recognized: int
    unrecognized: tuple[tuple[int, str], ...]
    warnings: tuple[tuple[int, str], ...] = ()
    collection: str = "ok"

    @property
    def share(self) -> float:
        """Fraction of considered lines understood."""
        total = self.recognized + len(self.unrecognized)
        return self.recognized / total if total else 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class InputProblem:
    """A file that could not be read or parsed, or another input problem that was survived."""

    file: str
    line: int
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    """Facts about the run; injected so reports are reproducible in tests."""

    tool_version: str
    started: str
    duration_s: float = 0.0
    lang: str = "ja"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckInfo:
    """What a check that ran is, for reports that describe rules (SARIF, HTML)."""

    id: str
    title: Text
    severity: Severity
    basis: tuple[str, ...] = ()
    doc: str = ""
    fix: Text = Text(ja="", en="")


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowDelta:
    """Packets from one zone to another that a change lets through (added) or stops (removed).

    Plain data for reports (the exact packet set stays in ``netaudit.diff``): one example
    packet (``flow.Packet.to_json``), the deciding config lines on the devices responsible.
    """

    zone_from: str
    zone_to: str
    kind: str
    example_flow: dict[str, Any]
    evidence: tuple[Evidence, ...] = ()
    devices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditResult:
    """Everything an audit found; reports render it, the CLI maps it to an exit code."""

    policy_file: str
    policy_digest: str
    model: str
    snapshot: str
    verdict: Verdict
    findings: tuple[Finding, ...]
    matrix: ZoneMatrix
    coverage: tuple[DeviceCoverage, ...]
    problems: tuple[InputProblem, ...] = ()
    run: RunInfo = field(default_factory=lambda: RunInfo(tool_version="", started=""))
    manifest_digest: str = ""
    checks_run: tuple[str, ...] = ()
    checks: tuple[CheckInfo, ...] = ()
    flow_changes: tuple[FlowDelta, ...] = ()

    @property
    def is_diff(self) -> bool:
        """True for the result of a 新旧比較 (a finding carries a change, or a flow changed)."""
        return bool(self.flow_changes) or any(f.change for f in self.findings)

    def counts(self) -> dict[str, dict[str, int]]:
        """Findings counted by severity (failing ones) and by status."""
        by_sev = {s.value: 0 for s in Severity}
        by_status = {s.value: 0 for s in Status}
        for f in self.findings:
            by_status[f.status.value] += 1
            if f.status is Status.FAIL:
                by_sev[f.severity.value] += 1
        return {"by_severity": by_sev, "by_status": by_status}
