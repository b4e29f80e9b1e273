"""Observed traffic against the policy: flow records and the TRF findings.

Captures are read by :mod:`collectors.pcap` into :class:`FlowRecord` s (one per 5-tuple); this
module classifies each flow by zone pair with the policy's networks and judges it:

- ``TRF-001`` a flow crosses zones and no allowed flow or 特定通信 covers it (nor is it the
  reply of one);
- ``TRF-002`` a 特定通信 the policy declares that the capture never shows (review candidate);
- ``TRF-003`` with a config analysis: an observed crossing flow that no device's forwarding
  admits (the configs, the snapshot or the capture point are not what they seem).

Pure functions over data; the CLI prints and chooses exit codes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from netaudit.flow import Packet
from netaudit.model import ICMP_PROTOCOLS, PORT_PROTOCOLS, IPAddress, IPNetwork, ServiceMatch
from netaudit.policy import AllowedFlow, Policy, SpecifiedCommunication
from netaudit.result import (
    Evidence,
    Finding,
    PolicyRef,
    Severity,
    Status,
    Text,
    fingerprint,
)

TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58

# ICMP query types and the type of their reply (RFC 792, RFC 4443): a reply is the return
# half of a request the policy allows.
_ICMP_REPLY = {0: 8, 14: 13, 16: 15, 18: 17, 129: 128}

BASIS = (
    "総務省 地方公共団体における情報セキュリティポリシーに関するガイドライン 令和7年3月版 三層の対策",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PacketSample:
    """The first packet seen of a flow: where it is in the capture and its first bytes."""

    file: str
    frame: int
    time: float
    length: int
    head: bytes

    def describe(self) -> str:
        """``file #frame (length bytes) hex…`` for a finding's evidence."""
        return f"{self.file} #{self.frame} ({self.length} bytes) {self.head[:48].hex()}"


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowRecord:
    """Packets of one 5-tuple seen in a capture.

    ``sport``/``dport`` are ``None`` for protocols without ports and for fragments that could
    not be tied to their first fragment; ICMP flows carry ``icmp_type``/``icmp_code`` instead.
    ``opened`` is True when a connection-opening TCP SYN (without ACK) was seen.
    """

    proto: int
    src: IPAddress
    dst: IPAddress
    sport: int | None
    dport: int | None
    first_seen: float
    last_seen: float
    packets: int
    bytes: int
    sample: PacketSample
    icmp_type: int | None = None
    icmp_code: int | None = None
    opened: bool = False
    icmp_errors: int = 0
    fragments: int = 0

    def packet(self, *, established: bool | None = None) -> Packet | None:
        """This flow as a :class:`~netaudit.flow.Packet` (None when ports are unknown)."""
        if self.proto in PORT_PROTOCOLS and (self.sport is None or self.dport is None):
            return None
        est = (self.proto == TCP and not self.opened) if established is None else established
        return Packet(
            proto=self.proto,
            src=self.src,
            dst=self.dst,
            sport=self.sport,
            dport=self.dport,
            icmp_type=self.icmp_type,
            icmp_code=self.icmp_code,
            established=est,
        )

    def describe(self) -> str:
        """``tcp 10.0.0.1:49152 -> 10.0.0.2:443`` style text."""
        name = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}.get(
            self.proto, f"proto {self.proto}"
        )
        if self.proto in PORT_PROTOCOLS:
            s = "?" if self.sport is None else str(self.sport)
            d = "?" if self.dport is None else str(self.dport)
            return f"{name} {_host(self.src)}:{s} -> {_host(self.dst)}:{d}"
        if self.proto in ICMP_PROTOCOLS and self.icmp_type is not None:
            return f"{name} {self.src} -> {self.dst} type {self.icmp_type}/{self.icmp_code}"
        return f"{name} {self.src} -> {self.dst}"


def _host(a: IPAddress) -> str:
    return f"[{a}]" if a.version == 6 else str(a)


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureStats:
    """What reading the captures met besides flows."""

    files: tuple[str, ...] = ()
    packets: int = 0
    bytes: int = 0
    non_ip: int = 0
    undecodable: int = 0
    truncated: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Classified:
    """A flow with its zones and the policy entry that allows it (if any)."""

    flow: FlowRecord
    zone_from: str | None
    zone_to: str | None
    allowed_by: str | None = None
    reply_of: str | None = None

    @property
    def crosses(self) -> bool:
        """True when source and destination are in different (known) zones."""
        return self.zone_from != self.zone_to


@dataclass
class _Entry:
    """A policy entry resolved once: zones, networks and services."""

    id: str
    line: int
    specified: bool
    zone_from: str
    zone_to: str
    src: tuple[IPNetwork, ...]
    dst: tuple[IPNetwork, ...]
    services: tuple[ServiceMatch, ...]
    seen: list[FlowRecord] = field(default_factory=list)


class TrafficJudge:
    """Classifies flows by zone pair and matches them to the policy's allowed flows.

    Zone lookups are memoised per address: a capture repeats the same hosts many times.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._zone_memo: dict[IPAddress, str | None] = {}
        self.entries: list[_Entry] = []
        sections: tuple[tuple[str, Sequence[AllowedFlow | SpecifiedCommunication]], ...] = (
            ("specified_communications", policy.data.specified_communications),
            ("allowed_flows", policy.data.allowed_flows),
        )
        for section, items in sections:
            for i, e in enumerate(items):
                self.entries.append(
                    _Entry(
                        id=e.id,
                        line=policy.line(section, i),
                        specified=section == "specified_communications",
                        zone_from=e.from_,
                        zone_to=e.to,
                        src=policy.addresses(e.src) if e.src else policy.zone_networks(e.from_),
                        dst=policy.addresses(e.dst) if e.dst else policy.zone_networks(e.to),
                        services=policy.services(e.services),
                    )
                )

    def zone(self, addr: IPAddress) -> str | None:
        """The zone of an address (memoised)."""
        try:
            return self._zone_memo[addr]
        except KeyError:
            z = self.policy.zone_of_address(addr)
            self._zone_memo[addr] = z
            return z

    def _in_zone(self, zone: str | None, wanted: str) -> bool:
        seen: set[str] = set()
        while zone is not None and zone not in seen:
            if zone == wanted:
                return True
            seen.add(zone)
            z = self.policy.data.zones.get(zone)
            zone = z.parent if z is not None else None
        return False

    def _matches(
        self,
        e: _Entry,
        zf: str | None,
        zt: str | None,
        src: IPAddress,
        dst: IPAddress,
        proto: int,
        sport: int | None,
        dport: int | None,
        icmp_type: int | None,
    ) -> bool:
        if not (self._in_zone(zf, e.zone_from) and self._in_zone(zt, e.zone_to)):
            return False
        if e.src and not _in_nets(src, e.src):
            return False
        if e.dst and not _in_nets(dst, e.dst):
            return False
        return any(_service_admits(s, proto, sport, dport, icmp_type) for s in e.services)

    def classify(self, flow: FlowRecord) -> Classified:
        """Zones of the flow and the entry that allows it, or of which it is the reply."""
        zf, zt = self.zone(flow.src), self.zone(flow.dst)
        c = Classified(flow=flow, zone_from=zf, zone_to=zt)
        if zf == zt:
            return c
        for e in self.entries:
            if self._matches(
                e, zf, zt, flow.src, flow.dst, flow.proto, flow.sport, flow.dport, flow.icmp_type
            ):
                e.seen.append(flow)
                return Classified(flow=flow, zone_from=zf, zone_to=zt, allowed_by=e.id)
        # The return half of an allowed flow (stateful reply): swap ends, and for ICMP map a
        # reply type to its request type. A TCP flow that opened with a SYN is not a reply.
        if flow.proto == TCP and flow.opened:
            return c
        rtype = flow.icmp_type
        if flow.proto in ICMP_PROTOCOLS:
            if flow.icmp_type not in _ICMP_REPLY:
                return c
            rtype = _ICMP_REPLY[flow.icmp_type]
        for e in self.entries:
            if self._matches(
                e, zt, zf, flow.dst, flow.src, flow.proto, flow.dport, flow.sport, rtype
            ):
                return Classified(flow=flow, zone_from=zf, zone_to=zt, reply_of=e.id)
        return c


def _in_nets(addr: IPAddress, nets: Iterable[IPNetwork]) -> bool:
    return any(addr.version == n.version and addr in n for n in nets)


def _service_admits(
    s: ServiceMatch, proto: int, sport: int | None, dport: int | None, icmp_type: int | None
) -> bool:
    if s.protocol is not None and s.protocol != proto:
        return False
    if s.dst_ports is not None and (
        dport is None or not any(lo <= dport <= hi for lo, hi in s.dst_ports)
    ):
        return False
    if s.src_ports is not None and (
        sport is None or not any(lo <= sport <= hi for lo, hi in s.src_ports)
    ):
        return False
    return s.icmp_type is None or s.icmp_type == icmp_type


# -- findings -------------------------------------------------------------------------------


def _when(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds")


def _stats_text(flows: Sequence[FlowRecord]) -> tuple[str, str]:
    first = min(f.first_seen for f in flows)
    last = max(f.last_seen for f in flows)
    packets = sum(f.packets for f in flows)
    size = sum(f.bytes for f in flows)
    ja = f"初回 {_when(first)}、最終 {_when(last)}、{packets} パケット、{size} バイト"
    en = f"first seen {_when(first)}, last seen {_when(last)}, {packets} packets, {size} bytes"
    return ja, en


def _severity(policy: Policy, zf: str | None, zt: str | None) -> Severity:
    roots = {policy.root(z) for z in (zf, zt) if z is not None}
    if "mynumber" in roots:
        return Severity.CRITICAL
    return Severity.HIGH


def unallowed_findings(judge: TrafficJudge, classified: Iterable[Classified]) -> list[Finding]:
    """TRF-001: crossing flows no allowed flow or 特定通信 covers, per conversation.

    Flows are grouped by (protocol, source, destination, destination port): ephemeral source
    ports would otherwise make one finding per connection.
    """
    groups: dict[tuple[object, ...], list[Classified]] = {}
    for c in classified:
        if not c.crosses or c.allowed_by or c.reply_of:
            continue
        f = c.flow
        key = (f.proto, f.src, f.dst, f.dport, f.icmp_type)
        groups.setdefault(key, []).append(c)
    out: list[Finding] = []
    for group in groups.values():
        flows = [c.flow for c in group]
        head = min(flows, key=lambda f: f.first_seen)
        zf, zt = group[0].zone_from or "?", group[0].zone_to or "?"
        sja, sen = _stats_text(flows)
        n = len(flows)
        packet = head.packet()
        out.append(
            Finding(
                check="TRF-001",
                severity=_severity(judge.policy, group[0].zone_from, group[0].zone_to),
                status=Status.FAIL,
                title=Text(
                    ja="ポリシーで許可されていないゾーン間通信を観測",
                    en="Observed traffic crossing zones that the policy does not allow",
                ),
                message=Text(
                    ja=f"{zf} → {zt}: {head.describe()}（{n} フロー、{sja}）は許可された通信にも特定通信にも該当しません。",
                    en=f"{zf} -> {zt}: {head.describe()} ({n} flow(s), {sen}) matches no allowed flow or 特定通信.",
                ),
                zone_from=zf,
                zone_to=zt,
                example_flow=packet.to_json() if packet is not None else _flow_json(head),
                evidence=(
                    Evidence(
                        file=head.sample.file,
                        line=head.sample.frame,
                        text=head.sample.describe(),
                        role="sample packet",
                    ),
                ),
                basis=BASIS,
                fingerprint=fingerprint(
                    "TRF-001",
                    zf,
                    zt,
                    str(head.proto),
                    str(head.src),
                    str(head.dst),
                    str(head.dport),
                ),
            )
        )
    return out


def _flow_json(f: FlowRecord) -> dict[str, object]:
    name = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}.get(f.proto, str(f.proto))
    return {"proto": name, "src": str(f.src), "dst": str(f.dst), "sport": f.sport, "dport": f.dport}


def unobserved_findings(judge: TrafficJudge) -> list[Finding]:
    """TRF-002: 特定通信 never seen in the capture (call after classifying every flow)."""
    out: list[Finding] = []
    for e in judge.entries:
        if not e.specified or e.seen:
            continue
        out.append(
            Finding(
                check="TRF-002",
                severity=Severity.LOW,
                status=Status.FAIL,
                title=Text(
                    ja="キャプチャに現れない特定通信（見直し候補）",
                    en="特定通信 never observed in the capture (candidate for review)",
                ),
                message=Text(
                    ja=f"特定通信 {e.id}（{e.zone_from} → {e.zone_to}）の通信はキャプチャにありません。不要になっていないか確認してください。",
                    en=f"特定通信 {e.id} ({e.zone_from} -> {e.zone_to}) does not occur in the capture; check whether it is still needed.",
                ),
                zone_from=e.zone_from,
                zone_to=e.zone_to,
                policy_ref=PolicyRef(file=judge.policy.file, line=e.line, id=e.id),
                basis=BASIS,
                fingerprint=fingerprint("TRF-002", e.id),
            )
        )
    return out


Possible = Callable[[Packet], bool]
"""Whether the config analysis admits a packet across some device (e.g. a crossing contains it)."""


def impossible_findings(classified: Iterable[Classified], possible: Possible) -> list[Finding]:
    """TRF-003: crossing flows that the config analysis says no device forwards.

    A reply (a TCP flow without its SYN, or a flow that is the return half of an allowed one)
    is possible when it, or its reverse, is admitted: stateful devices pass replies.
    """
    out: list[Finding] = []
    for c in classified:
        if not c.crosses:
            continue
        f = c.flow
        pkt = f.packet()
        if pkt is None:
            continue
        other = f.packet(established=not pkt.established) if f.proto == TCP else None
        if possible(pkt) or (other is not None and possible(other)):
            continue
        if not (f.proto == TCP and f.opened):
            rev = _reverse(f)
            if rev is not None and possible(rev):
                continue
        zf, zt = c.zone_from or "?", c.zone_to or "?"
        sja, sen = _stats_text([f])
        out.append(
            Finding(
                check="TRF-003",
                severity=Severity.MEDIUM,
                status=Status.FAIL,
                title=Text(
                    ja="設定上は通らないはずの通信を観測",
                    en="Observed traffic that the configurations say cannot pass",
                ),
                message=Text(
                    ja=f"{zf} → {zt}: {f.describe()}（{sja}）を通す機器が設定上ありません。スナップショットが古い、未収集の機器がある、またはキャプチャ地点の想定が違う可能性があります。",
                    en=f"{zf} -> {zt}: {f.describe()} ({sen}) is forwarded by no device according to the configs; the snapshot may be stale, a device may be missing, or the capture point is not where assumed.",
                ),
                zone_from=zf,
                zone_to=zt,
                example_flow=pkt.to_json(),
                evidence=(
                    Evidence(
                        file=f.sample.file,
                        line=f.sample.frame,
                        text=f.sample.describe(),
                        role="sample packet",
                    ),
                ),
                basis=BASIS,
                fingerprint=fingerprint(
                    "TRF-003", zf, zt, str(f.proto), str(f.src), str(f.dst), str(f.dport)
                ),
            )
        )
    return out


def _reverse(f: FlowRecord) -> Packet | None:
    if f.proto in PORT_PROTOCOLS:
        if f.sport is None or f.dport is None:
            return None
        return Packet(proto=f.proto, src=f.dst, dst=f.src, sport=f.dport, dport=f.sport)
    if f.proto in ICMP_PROTOCOLS:
        if f.icmp_type not in _ICMP_REPLY:
            return None
        return Packet(
            proto=f.proto, src=f.dst, dst=f.src, icmp_type=_ICMP_REPLY[f.icmp_type], icmp_code=0
        )
    return Packet(proto=f.proto, src=f.dst, dst=f.src)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficReport:
    """Everything the pcap audit found."""

    classified: tuple[Classified, ...]
    findings: tuple[Finding, ...]


def judge_traffic(
    policy: Policy, flows: Iterable[FlowRecord], possible: Possible | None = None
) -> TrafficReport:
    """Classify every flow and produce TRF-001, TRF-002 and (with ``possible``) TRF-003."""
    judge = TrafficJudge(policy)
    classified = tuple(judge.classify(f) for f in flows)
    findings = unallowed_findings(judge, classified) + unobserved_findings(judge)
    if possible is not None:
        findings += impossible_findings(classified, possible)
    return TrafficReport(classified=classified, findings=tuple(findings))


def address(raw: bytes) -> IPAddress:
    """An address from its 4 or 16 network-order bytes."""
    return ipaddress.ip_address(raw)
