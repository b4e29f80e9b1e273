"""Send a probe plan with scapy and record how each probe was answered.

Probes are TCP SYNs, UDP datagrams with a payload the service understands (a DNS query for
53, an SNMP get of ``sysDescr.0`` for 161, empty otherwise) and ICMP echo requests. They leave
through one raw layer-3 socket at the plan's rate (a token bucket, burst 1); scapy's ``sr``
matches answers to probes (a SYN-ACK or RST to its SYN, an ICMP error to the packet it quotes)
and waits ``timeout`` seconds after the last probe for late answers.

Raw sockets need root or ``CAP_NET_RAW``: :func:`privilege_problem` says why not, before
anything is sent. scapy is imported only when probes are really sent.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from netaudit.errors import NetauditError
from netaudit.model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, IPAddress
from netaudit.probe import Answer, ProbeOutcome, ProbePlan, ProbeTarget, TokenBucket

CAP_NET_RAW = 13  # linux/capability.h
PROBE_PAYLOAD = b"netaudit-probe"


class ProbeSendError(NetauditError):
    """The probes could not be sent (no privileges, no scapy, no route)."""


def privilege_problem() -> str | None:
    """Why this process cannot open raw sockets, or None when it can."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return None
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return "sending probes needs raw sockets: run as root (capabilities cannot be read here)"
    for line in status.splitlines():
        if line.startswith("CapEff:"):
            if int(line.split()[1], 16) >> CAP_NET_RAW & 1:
                return None
            break
    return (
        "sending probes needs raw sockets: run as root or grant CAP_NET_RAW "
        "(e.g. sudo setcap cap_net_raw+ep on the Python interpreter)"
    )


def _scapy() -> Any:
    try:
        from scapy import all as scapy_all
    except ImportError as e:
        raise ProbeSendError(
            "sending probes needs scapy (pip install scapy); the plan itself does not"
        ) from e
    scapy_all.conf.verb = 0
    return scapy_all


def build_packet(s: Any, t: ProbeTarget) -> Any:
    """The scapy packet for one probe (IPv4 or IPv6; echo is ICMPv6 for IPv6 targets)."""
    v6 = t.address.version == 6
    ip = s.IPv6(dst=str(t.address)) if v6 else s.IP(dst=str(t.address))
    sport = 49152 + secrets.randbelow(16384)
    if t.proto == PROTO_TCP:
        return ip / s.TCP(sport=sport, dport=t.port, flags="S", seq=secrets.randbits(32))
    if t.proto == PROTO_UDP:
        udp = s.UDP(sport=sport, dport=t.port)
        if t.port == 53:
            # RFC 1035: a recursive query for the root's NS records, answered by any resolver.
            return (
                ip
                / udp
                / s.DNS(id=secrets.randbelow(65536), rd=1, qd=s.DNSQR(qname=".", qtype="NS"))
            )
        if t.port == 161:
            # RFC 1157 GetRequest for sysDescr.0 with the default read community.
            pdu = s.SNMPget(
                id=secrets.randbelow(1 << 30),
                varbindlist=[s.SNMPvarbind(oid=s.ASN1_OID("1.3.6.1.2.1.1.1.0"))],
            )
            return ip / udp / s.SNMP(community="public", PDU=pdu)
        return ip / udp
    if t.proto == PROTO_ICMP and v6:
        return ip / s.ICMPv6EchoRequest(id=secrets.randbelow(65536), seq=1) / PROBE_PAYLOAD
    if t.proto == PROTO_ICMP:
        return ip / s.ICMP(type=8, id=secrets.randbelow(65536), seq=1) / PROBE_PAYLOAD
    raise ProbeSendError(f"cannot probe protocol {t.proto}")


def classify(s: Any, answer: Any) -> tuple[Answer, int | None]:
    """How a received packet answers its probe."""
    if answer.haslayer(s.ICMPv6EchoReply):
        return Answer.ECHO_REPLY, None
    for err in (s.ICMPv6DestUnreach, s.ICMPv6TimeExceeded):
        if answer.haslayer(err):
            return Answer.ICMP_UNREACHABLE, int(answer[err].code)
    if answer.haslayer(s.ICMP):
        icmp = answer[s.ICMP]
        if icmp.type == 0:
            return Answer.ECHO_REPLY, None
        if icmp.type in (3, 11):
            return Answer.ICMP_UNREACHABLE, int(icmp.code)
        return Answer.SILENCE, None
    if answer.haslayer(s.TCP):
        flags = answer[s.TCP].flags
        if "R" in flags:
            return Answer.RST, None
        if "S" in flags and "A" in flags:
            return Answer.SYN_ACK, None
        return Answer.SILENCE, None
    if answer.haslayer(s.UDP):
        return Answer.UDP_REPLY, None
    return Answer.SILENCE, None


def source_for(plan: ProbePlan) -> IPAddress | None:
    """The address probes leave from (the route to the first target), if scapy can tell."""
    if not plan.targets:
        return None
    s = _scapy()
    _iface, src, _gw = s.conf.route.route(str(plan.targets[0].address))
    try:
        return ipaddress.ip_address(src)
    except ValueError:
        return None


class _Paced(list[Any]):
    """The packets, handed out at the token bucket's pace when iterated.

    A list, not a generator: scapy's ``sr`` peeks at the first packet to pick the interface,
    and a peeked generator would lose that packet (measured: its answer went missing).
    """

    def __init__(self, packets: list[Any], bucket: TokenBucket) -> None:
        super().__init__(packets)
        self._bucket = bucket

    def __iter__(self) -> Iterator[Any]:
        for p in super().__iter__():
            self._bucket.take()
            yield p


def send_probes(plan: ProbePlan) -> list[ProbeOutcome]:
    """Send every probe of the plan and record its answer (or silence).

    Raises:
        ProbeSendError: no raw-socket privileges, or scapy is missing or fails.
    """
    problem = privilege_problem()
    if problem is not None:
        raise ProbeSendError(problem)
    s = _scapy()
    packets = [build_packet(s, t) for t in plan.targets]
    by_id = {id(p): t for p, t in zip(packets, plan.targets, strict=True)}
    paced = _Paced(packets, TokenBucket(plan.rate))

    try:
        answered, _unanswered = s.sr(
            paced, timeout=plan.timeout, prebuild=False, verbose=0, threaded=True
        )
    except OSError as e:
        raise ProbeSendError(f"sending probes failed: {e}") from e
    got: dict[int, ProbeOutcome] = {}
    for sent, received in answered:
        target = by_id.get(id(sent))
        if target is None or id(sent) in got:
            continue
        kind, code = classify(s, received)
        rtt = float(received.time) - float(sent.sent_time) if sent.sent_time else None
        got[id(sent)] = ProbeOutcome(
            target=target,
            answer=kind,
            icmp_code=code,
            responder=ipaddress.ip_address(received.src),
            rtt_s=max(rtt, 0.0) if rtt is not None else None,
        )
    return [
        got.get(id(p), ProbeOutcome(target=t, answer=Answer.SILENCE))
        for p, t in zip(packets, plan.targets, strict=True)
    ]
