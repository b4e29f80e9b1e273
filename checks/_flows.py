"""Shared machinery of the zone-pair flow checks: allowed sets and violation findings.

A flow check names the zone pairs it watches (by canonical root zone) and which policy
entries allow traffic there. For every device crossing in those pairs, the packets not allowed
are split by the combination of config lines that let them through: each combination becomes
one finding with its own example packet and evidence, so every offending line is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from checks.base import CheckContext, CheckMeta
from netaudit.flow import PacketSet
from netaudit.model import Rule
from netaudit.policy import AllowedFlow, LboService, Policy, SpecifiedCommunication
from netaudit.reach import Crossing, NetworkAnalysis, Step, host_route
from netaudit.result import Evidence, Finding, PolicyRef, Status, Text, fingerprint

MAX_FINDINGS_PER_CROSSING = 25
INTERNET_SIDE = frozenset({"internet", "internet_wan", "sec_cloud"})
PolicyEntry = AllowedFlow | SpecifiedCommunication | LboService


def entry_set(a: NetworkAnalysis, entry: PolicyEntry, zone_from: str, zone_to: str) -> PacketSet:
    """The packets one policy entry allows between two zones."""
    p = a.policy
    space = a.space
    src = (
        space.src(p.addresses(getattr(entry, "src", [])))
        if getattr(entry, "src", [])
        else a.zone_src[zone_from]
    )
    dst = space.dst(p.addresses(entry.dst)) if entry.dst else a.zone_dst[zone_to]
    return (
        src
        & a.zone_src[zone_from]
        & dst
        & a.zone_dst[zone_to]
        & space.services(p.services(entry.services))
    )


def entries_for(
    policy: Policy,
    zone_from: str,
    zone_to: str,
    sections: Iterable[str],
    today_ok: Callable[[PolicyEntry], bool] = lambda e: True,
) -> list[tuple[str, int, PolicyEntry]]:
    """Policy entries of ``sections`` for a zone pair, with their section and index."""
    out: list[tuple[str, int, PolicyEntry]] = []
    for section in sections:
        for i, e in enumerate(getattr(policy.data, section)):
            frm = getattr(e, "from_", "lgwan")
            to = getattr(e, "to", "internet_wan")
            if frm == zone_from and to == zone_to and today_ok(e):
                out.append((section, i, e))
    return out


def allowed_set(
    ctx: CheckContext, zone_from: str, zone_to: str, sections: Iterable[str]
) -> PacketSet:
    """Union of what the (unexpired) entries of ``sections`` allow from one zone to another."""
    a = ctx.analysis
    out = a.space.empty
    for _, _, e in entries_for(a.policy, zone_from, zone_to, sections, lambda e: _alive(e, ctx)):
        out = out | entry_set(a, e, zone_from, zone_to)
    return out


def _alive(entry: PolicyEntry, ctx: CheckContext) -> bool:
    expires = getattr(entry, "expires", None)
    return expires is None or expires >= ctx.today


def default_ref(policy: Policy) -> PolicyRef:
    """The policy line that makes everything not allowed a violation."""
    line = policy.lines.get(("default_action",), policy.line("zones"))
    return PolicyRef(file=policy.file, line=line, id="default_action: deny")


def evidence_of(
    a: NetworkAnalysis, c: Crossing, steps: list[Step], dst_route: Evidence | None
) -> tuple[Evidence, ...]:
    """The deciding lines of a crossing's example packet, in the order the packet meets them."""
    out: list[Evidence] = []
    for s in steps:
        span = s.evidence_span
        if span is not None and span.line:
            role = "permit" if s.rule is not None else "default"
            out.append(
                Evidence(
                    file=span.file,
                    line=span.line,
                    text=span.text,
                    device=c.device,
                    role=f"{role} ({s.what})",
                )
            )
    if dst_route is not None:
        out.append(dst_route)
    if not out:
        itf = a.devices[c.device].interface(c.in_interface)
        if itf is not None:
            out.append(
                Evidence(
                    file=itf.span.file,
                    line=itf.span.line,
                    text=itf.span.text,
                    device=c.device,
                    role="no filter on the path",
                )
            )
    return tuple(out)


def _route_evidence(a: NetworkAnalysis, c: Crossing, dst: object) -> Evidence | None:
    dev = a.devices[c.device]
    itf = dev.interface(c.out_interface)
    _, route, _ = host_route(dev, dst, itf.vrf if itf else None)  # type: ignore[arg-type]
    if route is None:
        return None
    return Evidence(
        file=route.span.file,
        line=route.span.line,
        text=route.span.text,
        device=c.device,
        role="route",
    )


def violation_findings(
    ctx: CheckContext,
    meta: CheckMeta,
    crossing: Crossing,
    violating: PacketSet,
    *,
    message: Callable[[Crossing, str], Text],
    policy_ref: PolicyRef,
    status_if_unresolved: Status = Status.UNKNOWN,
) -> Iterator[Finding]:
    """One finding per combination of deciding lines within ``violating``."""
    a = ctx.analysis
    remaining = violating
    for _ in range(MAX_FINDINGS_PER_CROSSING):
        w = remaining.witness()
        if w is None:
            return
        steps = a.steps(crossing.device, crossing.in_interface, crossing.out_interface, w)
        rules: list[Rule] = [s.rule for s in steps if s.rule is not None]
        region = remaining
        for r in rules:
            region = region & a.space.rule(r)
        remaining = remaining - region
        if region.is_empty():  # cannot happen: w is in every rule it was decided by
            remaining = remaining - a.space.packet(w)
        unresolved = any(r.unresolved for r in rules)
        evidence = evidence_of(a, crossing, steps, _route_evidence(a, crossing, w.dst))
        yield Finding(
            check=meta.id,
            severity=meta.severity,
            status=status_if_unresolved if unresolved else Status.FAIL,
            title=meta.title,
            message=message(crossing, str(w)),
            device=crossing.device,
            zone_from=crossing.zone_from,
            zone_to=crossing.zone_to,
            example_flow=w.to_json(),
            evidence=evidence,
            policy_ref=policy_ref,
            basis=meta.basis,
            path=(f"{crossing.device}:{crossing.in_interface}->{crossing.out_interface}",),
            fingerprint=fingerprint(
                meta.id,
                crossing.device,
                crossing.zone_from,
                crossing.zone_to,
                *(" ".join(e.text.split()) for e in evidence if e.role != "route"),
            ),
        )
    if not remaining.is_empty():
        w = remaining.witness()
        yield Finding(
            check=meta.id,
            severity=meta.severity,
            status=Status.FAIL,
            title=meta.title,
            message=Text(
                ja=f"{crossing.device}: さらに別の設定行の組み合わせでも通信が許可されています（省略）。例: {w}",
                en=f"{crossing.device}: further line combinations also allow traffic (elided). Example: {w}",
            ),
            device=crossing.device,
            zone_from=crossing.zone_from,
            zone_to=crossing.zone_to,
            example_flow=w.to_json() if w else None,
            policy_ref=policy_ref,
            basis=meta.basis,
            fingerprint=fingerprint(
                meta.id, crossing.device, crossing.zone_from, crossing.zone_to, "more"
            ),
        )


def crossing_message(verb_ja: str, verb_en: str) -> Callable[[Crossing, str], Text]:
    """A message factory: '<device> forwards <from> → <to> ... Example: <packet>'."""

    def make(c: Crossing, example: str) -> Text:
        return Text(
            ja=(
                f"{c.device} が {c.zone_from} から {c.zone_to} への通信を転送します"
                f"（{c.in_interface} → {c.out_interface}）。{verb_ja} 例: {example}"
            ),
            en=(
                f"{c.device} forwards traffic from {c.zone_from} to {c.zone_to} "
                f"({c.in_interface} -> {c.out_interface}). {verb_en} Example: {example}"
            ),
        )

    return make


def pair_findings(
    ctx: CheckContext,
    meta: CheckMeta,
    select: Callable[[str, str], bool],
    sections: Iterable[str],
    message: Callable[[Crossing, str], Text],
) -> Iterator[Finding]:
    """Findings for every crossing whose (root) zone pair ``select`` accepts, minus allowed."""
    a = ctx.analysis
    p = a.policy
    secs = tuple(sections)
    cache: dict[tuple[str, str], PacketSet] = {}
    for c in a.crossings:
        if not select(p.root(c.zone_from), p.root(c.zone_to)):
            continue
        key = (c.zone_from, c.zone_to)
        if key not in cache:
            cache[key] = allowed_set(ctx, c.zone_from, c.zone_to, secs)
        violating = c.packets - cache[key]
        if violating.is_empty():
            continue
        yield from violation_findings(
            ctx, meta, c, violating, message=message, policy_ref=default_ref(p)
        )
