"""Change diff (新旧比較): what a configuration change does to findings and to inter-zone flows.

Both snapshots are audited against the same policy in ONE header space, so their packet sets
can be compared exactly. Findings are matched by ``(check, fingerprint)`` (stable when lines
move): new, fixed and unchanged. Flows are compared per zone pair as the union over devices of
the packets crossing from one zone to the other: after minus before is *added*, before minus
after is *removed*. Each non-empty change carries one example packet and, for that packet, the
devices and config lines responsible (the crossing on the after side for an added flow, on the
before side for a removed one).

Library code: never prints or exits (the ``netaudit diff`` command does).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from netaudit.engine import audit, verdict_of
from netaudit.flow import HeaderSpace, Packet, PacketSet
from netaudit.policy import Policy
from netaudit.reach import NetworkAnalysis
from netaudit.result import (
    AuditResult,
    Evidence,
    Finding,
    FlowDelta,
    Severity,
    Status,
    Verdict,
)


class Change(enum.Enum):
    """Which way a flow changed."""

    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """One device that forwards (added) or forwarded (removed) the example packet.

    ``evidence`` are the filter/policy steps the packet meets there, in order, each with the
    deciding config line (``role`` is the action: ``permit`` or ``deny``).
    """

    device: str
    in_interface: str
    out_interface: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowChange:
    """Packets from one zone to another that the change lets through (or stops)."""

    change: Change
    zone_from: str
    zone_to: str
    example: Packet
    hops: tuple[Hop, ...]
    packets: PacketSet = field(compare=False, repr=False)

    @property
    def devices(self) -> tuple[str, ...]:
        """The devices responsible, sorted."""
        return tuple(sorted({h.device for h in self.hops}))


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffResult:
    """The comparison of two audits of the same policy."""

    before: AuditResult
    after: AuditResult
    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]
    added: tuple[FlowChange, ...]
    removed: tuple[FlowChange, ...]

    @property
    def incomplete(self) -> bool:
        """True when either side could not be audited completely (unknown is not pass)."""
        return any(
            r.verdict is Verdict.INCOMPLETE
            or bool(r.problems)
            or any(c.collection != "ok" for c in r.coverage)
            or any(f.status in (Status.UNKNOWN, Status.ERROR) for f in r.findings)
            for r in (self.before, self.after)
        )

    def new_failing(self, threshold: Severity) -> tuple[Finding, ...]:
        """New failing findings at or above ``threshold``."""
        return tuple(
            f for f in self.new if f.status is Status.FAIL and f.severity.at_least(threshold)
        )


def diff(
    before: Path,
    after: Path,
    policy: Policy,
    today: dt.date | None = None,
    *,
    platform: str | None = None,
    lang: str = "ja",
    progress: Callable[[str], None] | None = None,
) -> DiffResult:
    """Audit ``before`` and ``after`` in one header space and compare them.

    Raises:
        InputError: a snapshot does not exist or holds no config files.
    """
    space = HeaderSpace()
    res_b, an_b = audit(
        before, policy, today=today, platform=platform, lang=lang, progress=progress, space=space
    )
    res_a, an_a = audit(
        after, policy, today=today, platform=platform, lang=lang, progress=progress, space=space
    )
    return compare(res_b, an_b, res_a, an_a)


def compare(
    before: AuditResult,
    before_analysis: NetworkAnalysis,
    after: AuditResult,
    after_analysis: NetworkAnalysis,
) -> DiffResult:
    """Compare two audits whose analyses share one header space."""
    if before_analysis.space is not after_analysis.space:
        raise ValueError("the two analyses must share one HeaderSpace")
    old = {(f.check, f.fingerprint): f for f in before.findings}
    cur = {(f.check, f.fingerprint): f for f in after.findings}
    new = tuple(f for k, f in cur.items() if k not in old)
    fixed = tuple(f for k, f in old.items() if k not in cur)
    unchanged = tuple(f for k, f in cur.items() if k in old)
    added: list[FlowChange] = []
    removed: list[FlowChange] = []
    zones = tuple(
        dict.fromkeys((*before_analysis.policy.zone_ids, *after_analysis.policy.zone_ids))
    )
    flows_b = _zone_flows(before_analysis)
    flows_a = _zone_flows(after_analysis)
    empty = before_analysis.space.empty
    for zf in zones:
        for zt in zones:
            if zf == zt:
                continue
            b = flows_b.get((zf, zt), empty)
            a = flows_a.get((zf, zt), empty)
            plus = _change(Change.ADDED, zf, zt, a - b, after_analysis)
            minus = _change(Change.REMOVED, zf, zt, b - a, before_analysis)
            if plus is not None:
                added.append(plus)
            if minus is not None:
                removed.append(minus)
    return DiffResult(
        before=before,
        after=after,
        new=_sorted(new),
        fixed=_sorted(fixed),
        unchanged=_sorted(unchanged),
        added=tuple(added),
        removed=tuple(removed),
    )


def as_result(result: DiffResult) -> AuditResult:
    """The diff as an :class:`AuditResult` that every report renders (``reports.render``).

    Findings of the after side carry ``change`` ``new`` or ``unchanged``; findings that are
    gone are kept with status ``pass`` and ``change="fixed"``. ``flow_changes`` holds every
    added and removed zone-pair flow as plain data (example packet, deciding lines). The
    verdict is judged on the new and unchanged findings, and is ``incomplete`` rather than
    ``pass`` when either side could not be read completely (unknown is not pass). Header,
    matrix and coverage are the after side's; the snapshot reads ``BEFORE → AFTER``.
    """
    after = result.after
    findings = (
        *(replace(f, change="new") for f in result.new),
        *(replace(f, change="unchanged") for f in result.unchanged),
    )
    fixed = tuple(replace(f, status=Status.PASS, change="fixed") for f in result.fixed)
    failed = [c.device for r in (result.before, after) for c in r.coverage if c.collection != "ok"]
    verdict = verdict_of(findings, failed)
    if verdict is Verdict.PASS and result.incomplete:
        verdict = Verdict.INCOMPLETE
    problems = tuple(dict.fromkeys((*result.before.problems, *after.problems)))
    return replace(
        after,
        snapshot=f"{result.before.snapshot} → {after.snapshot}",
        verdict=verdict,
        findings=(*findings, *fixed),
        problems=problems,
        flow_changes=tuple(_delta(c) for c in (*result.added, *result.removed)),
    )


def _delta(change: FlowChange) -> FlowDelta:
    return FlowDelta(
        zone_from=change.zone_from,
        zone_to=change.zone_to,
        kind=change.change.value,
        example_flow=change.example.to_json(),
        evidence=tuple(e for h in change.hops for e in h.evidence),
        devices=change.devices,
    )


def _sorted(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(
        sorted(
            findings,
            key=lambda f: (-f.severity.rank, f.check, f.device, f.zone_from, f.zone_to),
        )
    )


def _zone_flows(analysis: NetworkAnalysis) -> dict[tuple[str, str], PacketSet]:
    out: dict[tuple[str, str], PacketSet] = {}
    for c in analysis.crossings:
        # Only what is delivered end to end (every packet when paths were not computed).
        packets = c.packets & analysis.through(c.device, c.in_interface, c.out_interface)
        if packets.is_empty():
            continue
        key = (c.zone_from, c.zone_to)
        out[key] = out[key] | packets if key in out else packets
    return out


def _change(
    change: Change, zf: str, zt: str, packets: PacketSet, analysis: NetworkAnalysis
) -> FlowChange | None:
    example = packets.witness()
    if example is None:
        return None
    return FlowChange(
        change=change,
        zone_from=zf,
        zone_to=zt,
        example=example,
        hops=_hops(analysis, zf, zt, example),
        packets=packets,
    )


def _hops(analysis: NetworkAnalysis, zf: str, zt: str, packet: Packet) -> tuple[Hop, ...]:
    """Every crossing of the zone pair that carries ``packet``, with the steps it meets."""
    hops: list[Hop] = []
    for c in analysis.crossings:
        if c.zone_from != zf or c.zone_to != zt or not c.packets.contains(packet):
            continue
        if not analysis.through(c.device, c.in_interface, c.out_interface).contains(packet):
            continue
        evidence = []
        for step in analysis.steps(c.device, c.in_interface, c.out_interface, packet):
            span = step.evidence_span
            evidence.append(
                Evidence(
                    file=span.file if span else "",
                    line=span.line if span else 0,
                    text=(
                        span.text if span and step.rule is not None else f"{step.what} (default)"
                    ),
                    device=c.device,
                    role=step.action.value,
                )
            )
        hops.append(
            Hop(
                device=c.device,
                in_interface=c.in_interface,
                out_interface=c.out_interface,
                evidence=tuple(evidence),
            )
        )
    return tuple(hops)
