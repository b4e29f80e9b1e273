"""Active probes: which packets to send from one zone, and what their answers mean.

A probe plan is built from the policy alone (pure, deterministic): from the zone the prober
stands in, for every other zone, a few representative hosts and the ports that must NOT answer
(:data:`DEFAULT_FORBIDDEN`), and for the allowed flows and 特定通信 leaving that zone, their
destination hosts and service ports that SHOULD answer. Sending is done by
:mod:`collectors.probe`; this module turns the recorded answers into findings:

- ``TRF-010`` a host of another zone answered a probe the policy forbids (critical when the
  マイナンバー利用事務系 is involved, else high);
- ``TRF-011`` a declared flow or 特定通信 did not answer (medium).

Only an answer that proves a service was reached counts as "answered": a TCP SYN-ACK, a UDP
reply, an ICMP echo reply. A TCP RST or an ICMP unreachable is recorded but is not proof: a
filter can send them in the host's name (iptables ``REJECT --reject-with tcp-reset``).

Targets are only ever addresses inside the policy's declared networks: ``internet_wan`` as
"every other address" is never probed.
"""

from __future__ import annotations

import enum
import ipaddress
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from netaudit.errors import InputError
from netaudit.model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, IPAddress, IPNetwork, ServiceMatch
from netaudit.policy import AllowedFlow, Policy, SpecifiedCommunication, parse_service
from netaudit.result import Finding, PolicyRef, Severity, Status, Text, fingerprint

DEFAULT_RATE = 50.0  # packets per second
MAX_RATE = 500.0  # hard cap: a probe run must never look like a flood
DEFAULT_TIMEOUT = 2.0  # seconds to wait for answers after the last probe
HOSTS_PER_ZONE = 2  # representative hosts per zone when no --targets are given
HOSTS_PER_FLOW = 2  # destination hosts per allowed flow
PORTS_PER_SERVICE = 2  # ports probed per service port range
MAX_PROBES = 2000  # a plan larger than this is refused

# Ports that must not answer across zones: remote shells, web, Windows file sharing and RDP,
# DNS and SNMP, ICMP echo (the usual lateral-movement and reconnaissance services).
DEFAULT_FORBIDDEN: tuple[str, ...] = (
    "tcp/22",
    "tcp/23",
    "tcp/80",
    "tcp/135",
    "tcp/139",
    "tcp/443",
    "tcp/445",
    "tcp/3389",
    "udp/53",
    "udp/161",
    "icmp/8",
)

BASIS = (
    "総務省 地方公共団体における情報セキュリティポリシーに関するガイドライン 令和7年3月版 三層の対策",
)


class ProbeError(InputError):
    """The probe request cannot be planned (unknown zone, a target outside the policy, ...)."""


class Expect(enum.Enum):
    """What the policy says a probe should get."""

    SILENCE = "silence"  # forbidden: must not answer
    ANSWER = "answer"  # an allowed flow or 特定通信: should answer


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeTarget:
    """One probe: a destination, a protocol and port, and what the policy expects.

    ``port`` is None for ICMP echo. ``flow_id``/``policy_line`` name the allowed flow or
    特定通信 an ``ANSWER`` probe checks.
    """

    zone: str
    address: IPAddress
    proto: int
    port: int | None
    expect: Expect
    flow_id: str = ""
    policy_line: int = 0

    def describe(self) -> str:
        """``tcp 10.0.0.1:22`` style text."""
        if self.proto == PROTO_ICMP:
            return f"icmp{'v6' if self.address.version == 6 else ''} echo {self.address}"
        name = "tcp" if self.proto == PROTO_TCP else "udp"
        return f"{name} {self.address}:{self.port}"

    def to_json(self) -> dict[str, object]:
        """JSON form for the printed plan."""
        return {
            "zone": self.zone,
            "address": str(self.address),
            "proto": {PROTO_TCP: "tcp", PROTO_UDP: "udp", PROTO_ICMP: "icmp"}[self.proto],
            "port": self.port,
            "expect": self.expect.value,
            "flow_id": self.flow_id or None,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbePlan:
    """Everything a probe run would send, in order."""

    from_zone: str
    targets: tuple[ProbeTarget, ...]
    rate: float = DEFAULT_RATE
    timeout: float = DEFAULT_TIMEOUT

    def to_json(self) -> dict[str, object]:
        """JSON form of the plan (printed without ``--execute``)."""
        return {
            "schema": "netaudit/probe-plan/v1",
            "from_zone": self.from_zone,
            "rate_pps": self.rate,
            "timeout_s": self.timeout,
            "probes": [t.to_json() for t in self.targets],
        }


class Answer(enum.Enum):
    """How a probe was answered."""

    SYN_ACK = "syn-ack"
    RST = "rst"
    ICMP_UNREACHABLE = "icmp-unreachable"
    UDP_REPLY = "udp-reply"
    ECHO_REPLY = "echo-reply"
    SILENCE = "silence"

    @property
    def reached(self) -> bool:
        """True when the answer proves the service was reached (see the module docstring)."""
        return self in (Answer.SYN_ACK, Answer.UDP_REPLY, Answer.ECHO_REPLY)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeOutcome:
    """What one probe got back. ``responder`` is the answer's source address."""

    target: ProbeTarget
    answer: Answer
    icmp_code: int | None = None
    responder: IPAddress | None = None
    rtt_s: float | None = None

    def describe(self) -> str:
        """``syn-ack from 10.0.0.1 in 1.2 ms`` style text."""
        text = self.answer.value
        if self.icmp_code is not None:
            text += f" (code {self.icmp_code})"
        if self.responder is not None:
            text += f" from {self.responder}"
        if self.rtt_s is not None:
            text += f" in {self.rtt_s * 1000:.1f} ms"
        return text


# -- planning -------------------------------------------------------------------------------


def parse_ports(items: Iterable[str]) -> tuple[tuple[int, int | None], ...]:
    """``tcp/22``, ``udp/53``, ``icmp`` (echo), a bare ``22`` (TCP), comma lists allowed.

    Raises:
        ProbeError: not a single port or ICMP echo.
    """
    out: list[tuple[int, int | None]] = []
    for item in items:
        for raw in item.split(","):
            word = raw.strip().lower()
            if not word:
                continue
            if word.isdigit():
                word = f"tcp/{word}"
            if word == "icmp":
                word = "icmp/8"
            try:
                s = parse_service(word)
            except ValueError as e:
                raise ProbeError(f"bad --ports item {raw!r}: {e}") from e
            probe = _single(s)
            if probe is None:
                raise ProbeError(f"--ports takes single ports or icmp, not {raw!r}")
            out.append(probe)
    return tuple(dict.fromkeys(out))


def _single(s: ServiceMatch) -> tuple[int, int | None] | None:
    if s.protocol in (PROTO_TCP, PROTO_UDP) and s.dst_ports and len(s.dst_ports) == 1:
        lo, hi = s.dst_ports[0]
        if lo == hi and lo > 0:
            return (s.protocol, lo)
    if s.protocol == PROTO_ICMP and s.icmp_type in (None, 8) and s.icmp_code in (None, 0):
        return (PROTO_ICMP, None)
    return None


def _service_probes(services: Sequence[ServiceMatch]) -> list[tuple[int, int | None]]:
    """The probes that exercise a flow's services: the first ports of each range, echo."""
    out: list[tuple[int, int | None]] = []
    for s in services:
        if s.protocol in (PROTO_TCP, PROTO_UDP) and s.dst_ports:
            for lo, hi in s.dst_ports:
                out.extend((s.protocol, p) for p in range(max(lo, 1), hi + 1)[:PORTS_PER_SERVICE])
        elif s.protocol == PROTO_ICMP and s.icmp_type in (None, 8):
            out.append((PROTO_ICMP, None))
    return list(dict.fromkeys(out))


def representative_hosts(nets: Iterable[IPNetwork], limit: int) -> list[IPAddress]:
    """The first usable addresses of each network, round-robin, at most ``limit``."""
    iters: list[Iterator[IPAddress]] = [
        iter(n.hosts()) if n.num_addresses > 1 else iter([n.network_address]) for n in nets
    ]
    out: list[IPAddress] = []
    while iters and len(out) < limit:
        alive = []
        for it in iters:
            a = next(it, None)
            if a is not None and len(out) < limit:
                out.append(a)
                alive.append(it)
        iters = alive
    return out


def _in_zone(policy: Policy, zone: str | None, wanted: str) -> bool:
    seen: set[str] = set()
    while zone is not None and zone not in seen:
        if zone == wanted:
            return True
        seen.add(zone)
        z = policy.data.zones.get(zone)
        zone = z.parent if z is not None else None
    return False


def target_zone(policy: Policy, addr: IPAddress) -> str:
    """The declared zone of a probe target.

    Raises:
        ProbeError: the address is in none of the policy's declared networks.
    """
    zones = policy.zones_of_network(ipaddress.ip_network(addr))
    if not zones:
        raise ProbeError(
            f"refusing to probe {addr}: it is in none of the policy's declared networks "
            "(only the city's and its declared partners' networks are probed)"
        )
    return zones[0]


@dataclass(frozen=True, slots=True)
class _Flow:
    id: str
    line: int
    zone_to: str
    src: tuple[IPNetwork, ...]
    dst: tuple[IPNetwork, ...]
    services: tuple[ServiceMatch, ...]


def _flows_from(policy: Policy, from_zone: str, source: IPAddress | None) -> list[_Flow]:
    """Allowed flows and 特定通信 leaving ``from_zone`` (or a zone it is part of).

    With ``source``, only those whose source addresses include it.
    """
    out: list[_Flow] = []
    sections: tuple[tuple[str, Sequence[AllowedFlow | SpecifiedCommunication]], ...] = (
        ("specified_communications", policy.data.specified_communications),
        ("allowed_flows", policy.data.allowed_flows),
    )
    for section, items in sections:
        for i, e in enumerate(items):
            if not _in_zone(policy, from_zone, e.from_):
                continue
            src = policy.addresses(e.src) if e.src else policy.zone_networks(e.from_)
            if source is not None and not _contains(src, source):
                continue
            dst = policy.addresses(e.dst) if e.dst else policy.zone_networks(e.to)
            out.append(
                _Flow(e.id, policy.line(section, i), e.to, src, dst, policy.services(e.services))
            )
    return out


def _contains(nets: Iterable[IPNetwork], addr: IPAddress) -> bool:
    return any(addr.version == n.version and addr in n for n in nets)


def _allowed(flows: Sequence[_Flow], addr: IPAddress, proto: int, port: int | None) -> bool:
    """Whether some allowed flow from the prober's zone covers a probe."""
    for f in flows:
        if not any(addr.version == n.version and addr in n for n in f.dst):
            continue
        for s in f.services:
            if s.protocol is not None and s.protocol != proto:
                continue
            if (
                proto in (PROTO_TCP, PROTO_UDP)
                and s.dst_ports is not None
                and (port is None or not any(lo <= port <= hi for lo, hi in s.dst_ports))
            ):
                continue
            if proto == PROTO_ICMP and s.icmp_type not in (None, 8):
                continue
            return True
    return False


def build_plan(
    policy: Policy,
    from_zone: str,
    *,
    targets: Sequence[IPAddress] = (),
    ports: Sequence[tuple[int, int | None]] = (),
    rate: float = DEFAULT_RATE,
    timeout: float = DEFAULT_TIMEOUT,
    hosts_per_zone: int = HOSTS_PER_ZONE,
    source: IPAddress | None = None,
) -> ProbePlan:
    """The probes to send from ``from_zone``.

    Forbidden probes (expect silence) go to ``targets`` in other zones, or to the first
    ``hosts_per_zone`` usable addresses of every other zone's networks, on ``ports``
    (default :data:`DEFAULT_FORBIDDEN`), except where an allowed flow from the zone covers the
    destination and port. Expected probes (expect an answer) go to the destination hosts and
    service ports of the allowed flows and 特定通信 leaving the zone; with ``targets``, only to
    those hosts. With ``source`` (the prober's address), only the flows whose sources include
    it count; without it, a flow's source restriction is not considered (an allowed service
    must not become a false alarm just because the prober's address is not known yet).

    Raises:
        ProbeError: unknown zone, a target outside the policy's networks or in the prober's own
            zone, a rate out of bounds, or a plan larger than :data:`MAX_PROBES`.
    """
    if from_zone not in policy.data.zones:
        raise ProbeError(f"unknown zone {from_zone!r} (declared: {', '.join(policy.zone_ids)})")
    if policy.is_rest(from_zone):
        raise ProbeError(f"{from_zone!r} stands for every undeclared address; probe from a zone")
    if not 0 < rate <= MAX_RATE:
        raise ProbeError(f"--rate must be above 0 and at most {MAX_RATE:g} packets per second")
    if not 0 < timeout <= 60:
        raise ProbeError("--timeout must be above 0 and at most 60 seconds")
    forbidden = tuple(ports) or parse_ports(DEFAULT_FORBIDDEN)
    if source is not None:
        check_source(policy, from_zone, source)
    flows = _flows_from(policy, from_zone, source)

    chosen: dict[str, list[IPAddress]] = {}
    for addr in targets:
        zone = target_zone(policy, addr)
        if _in_zone(policy, zone, from_zone) or _in_zone(policy, from_zone, zone):
            raise ProbeError(f"{addr} is in the prober's own zone {from_zone!r}; nothing to check")
        chosen.setdefault(zone, [])
        if addr not in chosen[zone]:
            chosen[zone].append(addr)
    if not targets:
        for zone in policy.zone_ids:
            if policy.is_rest(zone) or _in_zone(policy, zone, from_zone):
                continue
            if _in_zone(policy, from_zone, zone):
                continue
            hosts = representative_hosts(policy.zone_networks(zone), hosts_per_zone)
            if hosts:
                chosen[zone] = hosts

    out: list[ProbeTarget] = []
    for zone, hosts in chosen.items():
        for addr in hosts:
            for proto, port in forbidden:
                if _allowed(flows, addr, proto, port):
                    continue
                out.append(
                    ProbeTarget(
                        zone=zone, address=addr, proto=proto, port=port, expect=Expect.SILENCE
                    )
                )
    wanted = {a for hosts in chosen.values() for a in hosts} if targets else None
    for f in flows:
        hosts = (
            [a for a in wanted if any(a.version == n.version and a in n for n in f.dst)]
            if wanted is not None
            else representative_hosts(f.dst, HOSTS_PER_FLOW)
        )
        for addr in sorted(hosts, key=lambda a: (a.version, int(a))):
            zones = policy.zones_of_network(ipaddress.ip_network(addr))
            if not zones:
                continue  # the flow's destination lies outside every declared network
            for proto, port in _service_probes(f.services):
                out.append(
                    ProbeTarget(
                        zone=zones[0],
                        address=addr,
                        proto=proto,
                        port=port,
                        expect=Expect.ANSWER,
                        flow_id=f.id,
                        policy_line=f.line,
                    )
                )
    if len(out) > MAX_PROBES:
        raise ProbeError(
            f"the plan has {len(out)} probes (more than {MAX_PROBES}); narrow it with --targets"
        )
    return ProbePlan(from_zone=from_zone, targets=tuple(out), rate=rate, timeout=timeout)


def check_source(policy: Policy, from_zone: str, source: IPAddress) -> None:
    """Refuse to judge probes sent from an address that is not in ``from_zone``.

    Raises:
        ProbeError: the prober's address belongs to another zone (or to none).
    """
    zones = policy.zones_of_network(ipaddress.ip_network(source))
    if not zones or not _in_zone(policy, zones[0], from_zone):
        where = f"zone {zones[0]!r}" if zones else "none of the policy's networks"
        raise ProbeError(
            f"the probes would leave from {source}, which is in {where}, not in {from_zone!r}: "
            "run the prober inside the zone it speaks for"
        )


# -- pacing ---------------------------------------------------------------------------------


class TokenBucket:
    """At most ``rate`` packets per second on average, bursts of at most ``burst``.

    ``clock`` and ``sleep`` are injectable so the pacing is testable without waiting.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 < rate <= MAX_RATE:
            raise ValueError(f"rate must be in (0, {MAX_RATE:g}]")
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._last = clock()

    def take(self) -> None:
        """Wait until a token is available, then use it."""
        while True:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1 - 1e-9:  # float rounding must not cost another sleep
                self._tokens = max(0.0, self._tokens - 1)
                return
            self._sleep((1 - self._tokens) / self.rate)


# -- findings -------------------------------------------------------------------------------


def _example(o: ProbeOutcome, src: IPAddress | None) -> dict[str, object]:
    t = o.target
    icmp = "icmpv6" if t.address.version == 6 else "icmp"
    return {
        "proto": {PROTO_TCP: "tcp", PROTO_UDP: "udp", PROTO_ICMP: icmp}[t.proto],
        "src": str(src) if src is not None else "",
        "dst": str(t.address),
        "sport": None,
        "dport": t.port,
        **({"icmp_type": 8, "icmp_code": 0} if t.proto == PROTO_ICMP else {}),
    }


def probe_findings(
    policy: Policy,
    plan: ProbePlan,
    outcomes: Iterable[ProbeOutcome],
    *,
    source: IPAddress | None = None,
) -> list[Finding]:
    """TRF-010 for forbidden probes that reached a service, TRF-011 for expected ones that did not."""
    out: list[Finding] = []
    zf = plan.from_zone
    for o in outcomes:
        t = o.target
        if t.expect is Expect.SILENCE and o.answer.reached:
            roots = {policy.root(zf), policy.root(t.zone)}
            out.append(
                Finding(
                    check="TRF-010",
                    severity=Severity.CRITICAL if "mynumber" in roots else Severity.HIGH,
                    status=Status.FAIL,
                    title=Text(
                        ja="禁止されたゾーン間通信にホストが応答",
                        en="A host of another zone answered a probe the policy forbids",
                    ),
                    message=Text(
                        ja=f"{zf} → {t.zone}: {t.describe()} が応答しました（{o.describe()}）。ポリシーはこの通信を許可していません。",
                        en=f"{zf} -> {t.zone}: {t.describe()} answered ({o.describe()}); the policy does not allow this traffic.",
                    ),
                    zone_from=zf,
                    zone_to=t.zone,
                    example_flow=_example(o, source),
                    basis=BASIS,
                    fingerprint=fingerprint(
                        "TRF-010", zf, t.zone, str(t.proto), str(t.address), str(t.port)
                    ),
                )
            )
        elif t.expect is Expect.ANSWER and not o.answer.reached:
            out.append(
                Finding(
                    check="TRF-011",
                    severity=Severity.MEDIUM,
                    status=Status.FAIL,
                    title=Text(
                        ja="許可された通信（特定通信）が応答しない",
                        en="An allowed flow (特定通信) did not answer",
                    ),
                    message=Text(
                        ja=f"{t.flow_id}（{zf} → {t.zone}）: {t.describe()} は応答しませんでした（{o.describe()}）。経路・フィルタ・サーバを確認してください。",
                        en=f"{t.flow_id} ({zf} -> {t.zone}): {t.describe()} did not answer ({o.describe()}); check the path, the filters and the server.",
                    ),
                    zone_from=zf,
                    zone_to=t.zone,
                    example_flow=_example(o, source),
                    policy_ref=PolicyRef(file=policy.file, line=t.policy_line, id=t.flow_id),
                    basis=BASIS,
                    fingerprint=fingerprint(
                        "TRF-011", t.flow_id, str(t.proto), str(t.address), str(t.port)
                    ),
                )
            )
    return out
