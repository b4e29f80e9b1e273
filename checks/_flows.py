"""Shared machinery of the zone-pair flow checks: allowed sets and violation findings.

A flow check names the zone pairs it watches (by canonical root zone) and which policy
entries allow traffic there. For every device crossing in those pairs, the packets not allowed
are split by the combination of config lines that let them through: each combination becomes
one finding with its own example packet and evidence, so every offending line is reported.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import ClassVar

from checks.base import CheckContext, CheckMeta
from netaudit.flow import Packet, PacketSet
from netaudit.model import Rule
from netaudit.paths import PathFlow
from netaudit.policy import AllowedFlow, LboService, Policy, SpecifiedCommunication
from netaudit.reach import Crossing, NetworkAnalysis, Step, host_route
from netaudit.result import Evidence, Finding, PolicyRef, Status, Text, fingerprint

MAX_FINDINGS_PER_CROSSING = 25
UNFILTERED = "no filter on the path"
INTERNET_SIDE = frozenset({"internet", "internet_wan", "sec_cloud"})
LGWAN_SIDE = frozenset({"lgwan", "lgwan_wan"})


# Which zone pairs each flow check watches (judged by their canonical root zones). POL-001 takes every pair none of these
# claims, so every crossing the policy does not allow is reported by exactly one check.


def pair_myn_internet(p: Policy, zf: str, zt: str) -> bool:
    """MYN-001: マイナンバー利用事務系 and the Internet side, either way."""
    zf, zt = p.root(zf), p.root(zt)
    return (zf == "mynumber" and zt in INTERNET_SIDE) or (zt == "mynumber" and zf in INTERNET_SIDE)


def pair_myn_other(p: Policy, zf: str, zt: str) -> bool:
    """MYN-002: マイナンバー利用事務系 and any zone not on the Internet side."""
    zf, zt = p.root(zf), p.root(zt)
    if "mynumber" not in (zf, zt) or zf == zt:
        return False
    return (zt if zf == "mynumber" else zf) not in INTERNET_SIDE


def pair_lgwan_internet_wan(p: Policy, zf: str, zt: str) -> bool:
    """LGW-001: the LGWAN side to the Internet or the security cloud."""
    zf, zt = p.root(zf), p.root(zt)
    return zf in LGWAN_SIDE and zt in ("internet_wan", "sec_cloud")


def pair_internet_lgwan(p: Policy, zf: str, zt: str) -> bool:
    """LGW-002: the Internet side into the LGWAN side."""
    zf, zt = p.root(zf), p.root(zt)
    return zf in INTERNET_SIDE and zt in LGWAN_SIDE


def pair_lgwan_internet(p: Policy, zf: str, zt: str) -> bool:
    """LGW-003: the LGWAN side to the Internet segment."""
    zf, zt = p.root(zf), p.root(zt)
    return zf in LGWAN_SIDE and zt == "internet"


def pair_inbound(p: Policy, zf: str, zt: str) -> bool:
    """INT-002: the Internet into internal zones other than the two above."""
    zf, zt = p.root(zf), p.root(zt)
    return zf == "internet_wan" and not p.is_external(zt) and zt not in ("mynumber", "lgwan")


def pair_internet_egress(p: Policy, zf: str, zt: str) -> bool:
    """INT-001: the Internet segment straight to the Internet (not via the security cloud)."""
    return p.root(zf) == "internet" and p.root(zt) == "internet_wan"


def pair_gov_cloud_inbound(p: Policy, zf: str, zt: str) -> bool:
    """GOV-002: into GovCloud from any zone but マイナンバー利用事務系 (MYN-002's)."""
    zf, zt = p.root(zf), p.root(zt)
    return zt == "gov_cloud" and zf not in ("mynumber", "gov_cloud")


CLAIMED_PAIRS = (
    pair_myn_internet,
    pair_myn_other,
    pair_lgwan_internet_wan,
    pair_internet_lgwan,
    pair_lgwan_internet,
    pair_inbound,
    pair_internet_egress,
    pair_gov_cloud_inbound,
)


def pair_unclaimed(p: Policy, zf: str, zt: str) -> bool:
    """POL-001: every pair no specific check watches, including a user-defined zone and its
    parent or sibling (same canonical root: no specific check can tell them apart)."""
    if zf == zt:
        return False
    return p.root(zf) == p.root(zt) or not any(claims(p, zf, zt) for claims in CLAIMED_PAIRS)


PolicyEntry = AllowedFlow | SpecifiedCommunication | LboService


def entry_set(a: NetworkAnalysis, entry: PolicyEntry, zone_from: str, zone_to: str) -> PacketSet:
    """The packets one policy entry allows between two zones.

    Empty ``src``/``dst`` of a flow or 特定通信 mean the whole zone. A breakout
    (``lbo_services``) names its destinations; FQDNs cannot be matched against addresses in
    configs, so an entry without ``dst`` allows no address here (see LGW-001's ``unknown``).
    """
    p = a.policy
    space = a.space
    src_refs = getattr(entry, "src", [])
    src = space.src(p.addresses(src_refs)) if src_refs else a.zone_src[zone_from]
    if entry.dst:
        dst = space.dst(p.addresses(entry.dst))
    elif isinstance(entry, LboService):
        dst = space.empty
    else:
        dst = a.zone_dst[zone_to]
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
                    role=f"{role} ({s.what}{f', rule {s.rule.name}' if s.rule is not None and s.rule.name else ''})",
                )
            )
    if not out:
        # Nothing filters this path: the interfaces themselves are the deciding lines.
        dev = a.devices[c.device]
        for name in (c.in_interface, c.out_interface):
            itf = dev.interface(name)
            if itf is not None:
                out.append(
                    Evidence(
                        file=itf.span.file,
                        line=itf.span.line,
                        text=itf.span.text,
                        device=c.device,
                        role=UNFILTERED,
                    )
                )
    if dst_route is not None:
        out.append(dst_route)
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


def path_names(a: NetworkAnalysis, c: Crossing, packet: Packet) -> tuple[str, ...]:
    """The whole end-to-end path that carries ``packet`` through a crossing, hop by hop.

    Falls back to the crossing's own hop when end-to-end paths were not computed.
    """
    flow = a.path_of(c.device, c.in_interface, c.out_interface, packet)
    if flow is None:
        return (f"{c.device}:{c.in_interface}->{c.out_interface}",)
    return flow.names()


def violation_findings(
    ctx: CheckContext,
    meta: CheckMeta,
    crossing: Crossing,
    violating: PacketSet,
    *,
    message: Callable[[Crossing, str], Text],
    policy_ref: PolicyRef,
    status_if_unresolved: Status = Status.UNKNOWN,
    status: Status = Status.FAIL,
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
            status=status_if_unresolved if unresolved else status,
            title=meta.title,
            message=message(crossing, str(w)),
            device=crossing.device,
            zone_from=crossing.zone_from,
            zone_to=crossing.zone_to,
            example_flow=w.to_json(),
            evidence=evidence,
            policy_ref=policy_ref,
            basis=meta.basis,
            path=path_names(a, crossing, w),
            fingerprint=fingerprint(
                meta.id,
                crossing.device,
                crossing.zone_from,
                crossing.zone_to,
                *(
                    [UNFILTERED]
                    if not rules
                    else [" ".join(e.text.split()) for e in evidence if e.role != "route"]
                ),
            ),
        )
    if not remaining.is_empty():
        w = remaining.witness()
        yield Finding(
            check=meta.id,
            severity=meta.severity,
            status=status,
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
    select: Callable[[Policy, str, str], bool],
    sections: Iterable[str],
    message: Callable[[Crossing, str], Text],
    uncertain: Callable[[Crossing], PacketSet] | None = None,
) -> Iterator[Finding]:
    """Findings for every crossing whose zone pair ``select`` accepts, minus what the entries of
    ``sections`` allow (see :func:`flow_findings`)."""
    secs = tuple(sections)
    cache: dict[tuple[str, str], PacketSet] = {}

    def allowed(zone_from: str, zone_to: str) -> PacketSet:
        key = (zone_from, zone_to)
        if key not in cache:
            cache[key] = allowed_set(ctx, zone_from, zone_to, secs)
        return cache[key]

    yield from flow_findings(
        ctx,
        meta,
        select,
        allowed,
        message,
        policy_ref=default_ref(ctx.analysis.policy),
        uncertain=uncertain,
    )


def flow_findings(
    ctx: CheckContext,
    meta: CheckMeta,
    select: Callable[[Policy, str, str], bool],
    allowed: Callable[[str, str], PacketSet],
    message: Callable[[Crossing, str], Text],
    *,
    policy_ref: PolicyRef,
    uncertain: Callable[[Crossing], PacketSet] | None = None,
) -> Iterator[Finding]:
    """Findings for every crossing (and path) of the zone pairs ``select`` accepts, minus
    ``allowed(zone_from, zone_to)``.

    Only packets delivered end to end count: a permit the next device drops is no crossing.
    Each crossing's violations are split by deciding lines (:func:`violation_findings`);
    findings of one device with the same lines on several interface pairs are merged. Then
    every end-to-end path adds what no single crossing showed (:func:`path_findings`).
    ``uncertain`` gives, per crossing, the packets the policy may allow in a way configs
    cannot show (an FQDN-only breakout): violations there are ``unknown``, the rest ``fail``.
    """
    a = ctx.analysis
    p = a.policy
    merged: dict[str, Finding] = {}
    reported: dict[tuple[str, str, str], PacketSet] = {}
    for c in a.crossings:
        if not select(p, c.zone_from, c.zone_to):
            continue
        through = a.through(c.device, c.in_interface, c.out_interface)
        violating = (c.packets - allowed(c.zone_from, c.zone_to)) & through
        if violating.is_empty():
            continue
        hop = (c.device, c.in_interface, c.out_interface)
        reported[hop] = reported.get(hop, a.space.empty) | violating
        maybe = uncertain(c) if uncertain is not None else a.space.empty
        for part, status in ((violating - maybe, Status.FAIL), (violating & maybe, Status.UNKNOWN)):
            if part.is_empty():
                continue
            for f in violation_findings(
                ctx, meta, c, part, message=message, policy_ref=policy_ref, status=status
            ):
                mkey = f"{f.fingerprint}:{f.status.value}"
                merged[mkey] = merge(merged[mkey], f) if mkey in merged else f
    yield from merged.values()
    for flow in a.paths or ():
        if select(p, flow.zone_from, flow.zone_to):
            yield from path_findings(
                ctx,
                meta,
                flow,
                allowed(flow.zone_from, flow.zone_to),
                reported,
                policy_ref=policy_ref,
            )


def path_findings(
    ctx: CheckContext,
    meta: CheckMeta,
    flow: PathFlow,
    allowed: PacketSet,
    reported: dict[tuple[str, str, str], PacketSet],
    policy_ref: PolicyRef | None = None,
) -> Iterator[Finding]:
    """What an end-to-end path delivers against the policy that no single device shows.

    A path opened only jointly — each device lets through its half, neither crossing alone is
    a boundary the per-device analysis sees — is reported here, naming every hop. Judged with
    the original source and the final destination (destination NAT reveals the real server,
    source NAT would hide the host); packets already reported at one of the path's hops are
    left out, so nothing is reported twice.
    """
    a = ctx.analysis
    violating = (
        flow.from_mixed(flow.mixed() - allowed) if flow.translated else flow.packets - allowed
    )
    for k, hop in enumerate(flow.hops):
        seen = reported.get((hop.device, hop.in_interface, hop.out_interface or ""))
        if seen is not None:
            violating = violating - flow.to_entry(k, seen & flow.at_hop[k])
    if violating.is_empty():
        return
    w = violating.witness()
    assert w is not None
    evidence: list[Evidence] = []
    packet = w
    for k, hop in enumerate(flow.hops):
        if hop.out_interface is None:
            continue
        if flow.translated:
            packet = flow.examples[k] if flow.examples[0] == w else packet
        steps = a.steps(hop.device, hop.in_interface, hop.out_interface, packet)
        c = Crossing(
            hop.device,
            hop.in_interface,
            hop.out_interface,
            flow.zone_from,
            flow.zone_to,
            a.space.empty,
        )
        evidence.extend(evidence_of(a, c, steps, None))
        for rule in hop.nat:
            evidence.append(
                Evidence(
                    file=rule.span.file,
                    line=rule.span.line,
                    text=rule.span.text,
                    device=hop.device,
                    role="nat",
                )
            )
    route = " → ".join(flow.names())
    first = next((h for h in flow.hops if h.out_interface is not None), flow.hops[0])
    yield Finding(
        check=meta.id,
        severity=meta.severity,
        status=Status.FAIL,
        title=meta.title,
        message=Text(
            ja=(
                f"{flow.zone_from} から {flow.zone_to} へ、複数の機器を経由して通信が届きます"
                f"（経路: {route}）。方針で許可されていません。例: {w}"
            ),
            en=(
                f"Traffic from {flow.zone_from} reaches {flow.zone_to} across several devices "
                f"(path: {route}); the policy does not allow it. Example: {w}"
            ),
        ),
        device=first.device,
        zone_from=flow.zone_from,
        zone_to=flow.zone_to,
        example_flow=w.to_json(),
        evidence=tuple(evidence),
        policy_ref=policy_ref or default_ref(a.policy),
        basis=meta.basis,
        path=flow.names(),
        fingerprint=fingerprint(
            meta.id,
            flow.zone_from,
            flow.zone_to,
            *flow.names(),
            *(" ".join(e.text.split()) for e in evidence if e.role != UNFILTERED),
        ),
    )


def merge(first: Finding, other: Finding) -> Finding:
    """One finding for the same deciding lines met on several interface pairs of a device."""
    evidence = {(e.file, e.line): e for e in first.evidence + other.evidence}
    return replace(
        first,
        evidence=tuple(sorted(evidence.values(), key=lambda e: (e.role == "route", e.line))),
        path=tuple(dict.fromkeys(first.path + other.path)),
    )


class ZonePairCheck(abc.ABC):
    """A flow check that is only its data: which zone pairs, which entries allow, and why.

    Subclasses set ``meta``, ``sections`` (the policy lists whose entries allow traffic there)
    and ``reason`` (the sentence that ends each finding's message), and say in ``selects``
    which (canonical) zone pairs they watch. The subclass docstring is the documentation.
    """

    meta: ClassVar[CheckMeta]
    sections: ClassVar[tuple[str, ...]] = ("allowed_flows",)
    reason: ClassVar[Text]

    @abc.abstractmethod
    def selects(self, policy: Policy, zone_from: str, zone_to: str) -> bool:
        """Whether this check watches crossings from ``zone_from`` to ``zone_to``."""

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every crossing of the watched pairs that the allowing entries do not cover."""
        yield from pair_findings(
            ctx,
            self.meta,
            self.selects,
            self.sections,
            crossing_message(self.reason.ja, self.reason.en),
        )
