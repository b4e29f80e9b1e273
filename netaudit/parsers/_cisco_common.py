"""Pieces shared by the IOS-family parsers (IOS / IOS-XE, NX-OS): ACL entries and object-groups.

Everything here is pure and vendor-documented syntax only:

* protocol keywords (``ip``, ``tcp``, ``esp``, ``ahp``, ...) and IANA numbers;
* the TCP/UDP port keywords IOS prints in ``show running-config`` (``www``, ``domain``,
  ``bootps``, ...), which differ per protocol (``cmd`` is TCP 514, ``syslog`` is UDP 514);
* ICMP message keywords, some of which name a type only (``echo``) and some a type and a code
  (``port-unreachable`` = 3/3), after the IOS ``access-list`` command reference;
* wildcard masks, including non-contiguous ones, expanded exactly into networks (up to
  :data:`MAX_WILDCARD_NETWORKS`, beyond which the address is reported unresolved);
* object-groups (``object-group network|service`` on IOS, ``object-group ip address|port`` on
  NX-OS) with nested ``group-object`` references resolved with cycle detection.

:func:`parse_ace` turns the words of one ACL entry into an :class:`Ace` (action, match, log,
problems) or ``None`` when the syntax is not understood (the caller then marks the line unknown).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from netaudit.model import (
    ANY_V4,
    ANY_V6,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
    IPNetwork,
    Match,
    PortRange,
    ServiceMatch,
)
from netaudit.parsers.base import new_address, new_match

MAX_WILDCARD_NETWORKS = 4096
"""A non-contiguous wildcard expanding to more networks than this is left unresolved."""

PROTOCOLS: dict[str, int] = {
    "icmp": PROTO_ICMP,
    "igmp": 2,
    "ipinip": 4,
    "tcp": PROTO_TCP,
    "udp": PROTO_UDP,
    "gre": 47,
    "esp": 50,
    "ahp": 51,
    "ah": 51,
    "eigrp": 88,
    "ospf": 89,
    "nos": 94,
    "pim": 103,
    "pcp": 108,
    "vrrp": 112,
    "l2tp": 115,
    "sctp": 132,
}
"""Protocol keywords of IOS / NX-OS ACLs (``ip`` / ``ipv6`` mean any protocol)."""

_COMMON_PORTS: dict[str, int] = {"echo": 7, "discard": 9, "domain": 53, "sunrpc": 111}

TCP_PORTS: dict[str, int] = {
    **_COMMON_PORTS,
    "daytime": 13,
    "chargen": 19,
    "ftp-data": 20,
    "ftp": 21,
    "telnet": 23,
    "smtp": 25,
    "time": 37,
    "whois": 43,
    "tacacs": 49,
    "gopher": 70,
    "finger": 79,
    "www": 80,
    "http": 80,
    "hostname": 101,
    "pop2": 109,
    "pop3": 110,
    "ident": 113,
    "nntp": 119,
    "bgp": 179,
    "irc": 194,
    "ldap": 389,
    "https": 443,
    "exec": 512,
    "login": 513,
    "cmd": 514,
    "lpd": 515,
    "talk": 517,
    "uucp": 540,
    "klogin": 543,
    "kshell": 544,
    "drip": 3949,
    "pim-auto-rp": 496,
    "onep-plain": 15001,
    "onep-tls": 15002,
    "msrpc": 135,
    "netbios-ssn": 139,
    "ssh": 22,
    "imap": 143,
    "ldaps": 636,
    "lotusnotes": 1352,
    "citrix-ica": 1494,
    "sqlnet": 1521,
    "h323": 1720,
    "pptp": 1723,
    "ctiqbe": 2748,
    "nfs": 2049,
    "rsh": 514,
}

UDP_PORTS: dict[str, int] = {
    **_COMMON_PORTS,
    "time": 37,
    "nameserver": 42,
    "tacacs": 49,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "ntp": 123,
    "netbios-ns": 137,
    "netbios-dgm": 138,
    "netbios-ss": 139,
    "snmp": 161,
    "snmptrap": 162,
    "xdmcp": 177,
    "dnsix": 195,
    "mobile-ip": 434,
    "isakmp": 500,
    "biff": 512,
    "who": 513,
    "syslog": 514,
    "talk": 517,
    "rip": 520,
    "non500-isakmp": 4500,
    "pim-auto-rp": 496,
    "radius": 1645,
    "radius-acct": 1646,
    "secureid-udp": 5510,
    "wsp": 9200,
    "wsp-wtls": 9202,
    "wsp-wtp": 9201,
    "wsp-wtls-wtp": 9203,
    "kerberos": 88,
    "ripng": 521,
    "dhcpv6-client": 546,
    "dhcpv6-server": 547,
    "nfs": 2049,
}

ICMP_MESSAGES: dict[str, tuple[int, int | None]] = {
    "echo-reply": (0, None),
    "unreachable": (3, None),
    "net-unreachable": (3, 0),
    "host-unreachable": (3, 1),
    "protocol-unreachable": (3, 2),
    "port-unreachable": (3, 3),
    "packet-too-big": (3, 4),
    "source-route-failed": (3, 5),
    "network-unknown": (3, 6),
    "host-unknown": (3, 7),
    "host-isolated": (3, 8),
    "dod-net-prohibited": (3, 9),
    "dod-host-prohibited": (3, 10),
    "net-tos-unreachable": (3, 11),
    "host-tos-unreachable": (3, 12),
    "administratively-prohibited": (3, 13),
    "host-precedence-unreachable": (3, 14),
    "precedence-unreachable": (3, 15),
    "source-quench": (4, None),
    "redirect": (5, None),
    "net-redirect": (5, 0),
    "host-redirect": (5, 1),
    "net-tos-redirect": (5, 2),
    "host-tos-redirect": (5, 3),
    "alternate-address": (6, None),
    "echo": (8, None),
    "router-advertisement": (9, None),
    "router-solicitation": (10, None),
    "time-exceeded": (11, None),
    "ttl-exceeded": (11, 0),
    "reassembly-timeout": (11, 1),
    "parameter-problem": (12, None),
    "general-parameter-problem": (12, 0),
    "option-missing": (12, 1),
    "no-room-for-option": (12, 2),
    "timestamp-request": (13, None),
    "timestamp-reply": (14, None),
    "information-request": (15, None),
    "information-reply": (16, None),
    "mask-request": (17, None),
    "mask-reply": (18, None),
    "traceroute": (30, None),
    "conversion-error": (31, None),
    "mobile-redirect": (32, None),
}
"""IPv4 ICMP message keywords: (type, code or None for any code). Cisco IOS ACL reference."""

ICMPV6_MESSAGES: dict[str, tuple[int, int | None]] = {
    "unreachable": (1, None),
    "no-admin": (1, 1),
    "no-route": (1, 0),
    "port-unreachable": (1, 4),
    "packet-too-big": (2, None),
    "time-exceeded": (3, None),
    "hop-limit": (3, 0),
    "reassembly-timeout": (3, 1),
    "parameter-problem": (4, None),
    "header": (4, 0),
    "next-header": (4, 1),
    "parameter-option": (4, 2),
    "echo-request": (128, None),
    "echo-reply": (129, None),
    "mld-query": (130, None),
    "mld-report": (131, None),
    "mld-reduction": (132, None),
    "router-solicitation": (133, None),
    "router-advertisement": (134, None),
    "nd-ns": (135, None),
    "nd-na": (136, None),
    "redirect": (137, None),
    "router-renumbering": (138, None),
    "mldv2": (143, None),
}
"""ICMPv6 message keywords of IOS ``ipv6 access-list`` entries."""

LOG_WORDS = frozenset({"log", "log-input"})

IGMP_TYPES = frozenset(
    {"dvmrp", "host-query", "host-report", "pim", "trace", "v2-leave", "v2-report", "v3-report"}
)
"""IGMP message keywords; the header space has no IGMP type field."""

TCP_FLAG_WORDS = frozenset({"ack", "fin", "psh", "rst", "syn", "urg", "match-all", "match-any"})
"""TCP flag matches other than ``established``: a subset the header space cannot express."""

# Qualifiers that narrow a rule to packets the header space does not model: word -> how many
# argument words follow it (-1: an operator and its operands, as in ``ttl eq 5``).
UNMODELLED_QUALIFIERS: dict[str, int] = {
    "dscp": 1,
    "precedence": 1,
    "tos": 1,
    "fragments": 0,
    "time-range": 1,
    "option": 1,
    "ttl": -1,
    "packet-length": -1,
    "flow-label": 1,
    "routing": 0,
    "routing-type": 1,
    "hbh": 0,
    "dest-option": 0,
    "dest-option-type": 1,
    "mobility": 0,
    "mobility-type": 1,
    "undetermined-transport": 0,
    "http-method": 1,
    "tcp-option-length": 1,
    "vlan": 1,
    "ingress_interface": 1,
    "udf": 2,
    "tcp-flags-mask": 1,
    "nve": 2,
}

# Words that change nothing the header space models.
NEUTRAL_WORDS: dict[str, int] = {"capture": 2, "redirect": 1, "telemetry_queue": 1}


def ports_for(protocol: int | None) -> dict[str, int]:
    """The port keyword table for a protocol (TCP's for TCP, UDP's for UDP, both merged else)."""
    if protocol == PROTO_TCP:
        return TCP_PORTS
    if protocol == PROTO_UDP:
        return UDP_PORTS
    return {**UDP_PORTS, **TCP_PORTS}


def port_number(word: str, protocol: int | None) -> int | None:
    """A port keyword or number as an int, or ``None`` when it is neither."""
    if word.isdigit():
        n = int(word)
        return n if 0 <= n <= 65535 else None
    return ports_for(protocol).get(word)


_V4_CACHE: dict[str, int] = {}
_NET_CACHE: dict[int, ipaddress.IPv4Network] = {}
_WILDCARD_CACHE: dict[int, tuple[IPNetwork, ...] | None] = {}


_AM_CACHE: dict[tuple[int, str, str], tuple[AddressMatch, int]] = {}
_SVC_CACHE: dict[tuple[object, ...], ServiceMatch] = {}


def clear_caches() -> None:
    """Forget memoized addresses (each parse starts cold, so timings stay honest)."""
    _AM_CACHE.clear()
    _SVC_CACHE.clear()
    _V4_CACHE.clear()
    _NET_CACHE.clear()
    _WILDCARD_CACHE.clear()


def v4int(word: str) -> int | None:
    """A dotted-quad IPv4 address as an int, or ``None`` when ``word`` is not one.

    Hand-rolled (with a memo) because ACL parsing is dominated by address parsing; only four
    plain decimal octets are accepted (no hex, octal or short forms, no leading zeros).
    """
    n = _V4_CACHE.get(word)
    if n is not None:
        return n
    parts = word.split(".")
    if len(parts) != 4 or not word.isascii():
        return None
    n = 0
    for part in parts:
        # Plain decimal octets only: no sign, no leading zero, at most 255 (as ipaddress).
        if not part.isdigit() or len(part) > 3 or (part[0] == "0" and len(part) > 1):
            return None
        octet = int(part)
        if octet > 255:
            return None
        n = (n << 8) | octet
    _V4_CACHE[word] = n
    return n


def net4(value: int, plen: int) -> ipaddress.IPv4Network:
    """The IPv4 network ``value/plen`` (host bits must be clear), memoized."""
    key = (value << 6) | plen
    net = _NET_CACHE.get(key)
    if net is None:
        net = ipaddress.IPv4Network((value, plen))
        _NET_CACHE[key] = net
    return net


def is_ipv4(word: str) -> bool:
    """Whether ``word`` is a dotted-quad IPv4 address."""
    return v4int(word) is not None


def wildcard_networks(address: str, wildcard: str) -> tuple[IPNetwork, ...] | None:
    """The exact networks an ``ADDRESS WILDCARD`` pair matches, or ``None`` when too many.

    Wildcard bits set to 1 are "don't care". A trailing run of ones is a prefix; every other
    one bit doubles the number of prefixes (``10.0.0.1 0.0.255.0`` is 256 /32 hosts). Address
    bits under a wildcard one are ignored, as IOS does. More than
    :data:`MAX_WILDCARD_NETWORKS` networks gives ``None``.

    Raises:
        ValueError: either word is not a dotted quad.
    """
    addr = v4int(address)
    wc = v4int(wildcard)
    if addr is None or wc is None:
        raise ValueError(f"{address} {wildcard}")
    return wildcard_int(addr, wc)


def wildcard_int(addr: int, wc: int) -> tuple[IPNetwork, ...] | None:
    """:func:`wildcard_networks` on integers."""
    key = (addr << 32) | wc
    if key in _WILDCARD_CACHE:
        return _WILDCARD_CACHE[key]
    base = addr & ~wc & 0xFFFFFFFF
    result: tuple[IPNetwork, ...] | None
    if (wc & (wc + 1)) == 0:
        # Contiguous (the common case): one prefix.
        result = (net4(base, 32 - wc.bit_length()),)
    else:
        run = 0
        while run < 32 and (wc >> run) & 1:
            run += 1
        bits = [b for b in range(run, 32) if (wc >> b) & 1]
        if 1 << len(bits) > MAX_WILDCARD_NETWORKS:
            result = None
        else:
            nets: list[IPNetwork] = []
            for combo in range(1 << len(bits)):
                value = base
                for j, b in enumerate(bits):
                    if (combo >> j) & 1:
                        value |= 1 << b
                nets.append(net4(value, 32 - run))
            nets.sort()
            result = tuple(nets)
    _WILDCARD_CACHE[key] = result
    return result


def mask_network(address: str, mask: str) -> IPNetwork:
    """``ADDRESS MASK`` (a subnet mask, as in routes and object-groups) as a network.

    Host bits are cleared. Raises ValueError on a malformed address or a non-contiguous mask.
    Like :mod:`ipaddress`, a host mask (``0.0.0.255``) is read as the same prefix.
    """
    addr = v4int(address)
    m = v4int(mask)
    if addr is not None and m is not None:
        plen = mask_prefixlen(m)
        if plen is not None:
            return net4(addr & (0xFFFFFFFF ^ (0xFFFFFFFF >> plen)), plen)
    return ipaddress.IPv4Network(f"{address}/{mask}", strict=False)


def mask_prefixlen(mask: int) -> int | None:
    """The prefix length of a netmask, else of a host mask (as :mod:`ipaddress` reads them)."""
    inverted = mask ^ 0xFFFFFFFF
    if inverted & (inverted + 1) == 0:
        return 32 - inverted.bit_length()
    if mask & (mask + 1) == 0:
        return 32 - mask.bit_length()
    return None


def parse_prefix(word: str) -> IPNetwork:
    """``A.B.C.D/len`` or ``X::/len`` as a network (host bits cleared). Raises ValueError."""
    return ipaddress.ip_network(word, strict=False)


def vlan_list(text: str) -> set[int]:
    """``10,20-30`` -> {10, 20, ..., 30}. Raises ValueError on anything else."""
    out: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            a, b = int(lo), int(hi)
            if not (1 <= a <= b <= 4095):
                raise ValueError(part)
            out.update(range(a, b + 1))
        else:
            v = int(part)
            if not 1 <= v <= 4095:
                raise ValueError(part)
            out.add(v)
    return out


ALL_VLANS = frozenset(range(1, 4095))


# -- object-groups --------------------------------------------------------------------------


@dataclass
class NetGroup:
    """A network object-group as written: networks, nested group names, unresolved words."""

    name: str
    line: int
    networks: list[IPNetwork] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


@dataclass
class SvcGroup:
    """A service (IOS) or port (NX-OS) object-group as written."""

    name: str
    line: int
    services: list[ServiceMatch] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    port_ranges: list[PortRange] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


@dataclass
class ObjectGroups:
    """All object-groups of a device, resolved on demand (nested, cycle-safe, cached)."""

    networks: dict[str, NetGroup] = field(default_factory=dict)
    services: dict[str, SvcGroup] = field(default_factory=dict)
    ports: dict[str, SvcGroup] = field(default_factory=dict)
    # Names looked up by an ACL entry or a nesting group (rule hygiene RUL-007).
    referenced: set[str] = field(default_factory=set)
    _net_cache: dict[str, AddressMatch] = field(default_factory=dict)
    _svc_cache: dict[str, tuple[tuple[ServiceMatch, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )
    _port_cache: dict[str, tuple[tuple[PortRange, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )

    def network(self, name: str) -> AddressMatch:
        """The address set of a network group; undefined names end up in ``unresolved``."""
        if name in self._net_cache:
            return self._net_cache[name]
        nets: list[IPNetwork] = []
        unresolved: list[str] = []
        seen: set[str] = set()

        def visit(n: str) -> None:
            if n in seen:
                return
            seen.add(n)
            self.referenced.add(n)
            group = self.networks.get(n)
            if group is None:
                unresolved.append(f"object-group {n}")
                return
            nets.extend(group.networks)
            unresolved.extend(group.unresolved)
            for child in group.groups:
                visit(child)

        visit(name)
        am = AddressMatch(
            networks=tuple(dict.fromkeys(nets)), unresolved=tuple(dict.fromkeys(unresolved))
        )
        self._net_cache[name] = am
        return am

    def service(self, name: str) -> tuple[tuple[ServiceMatch, ...], tuple[str, ...]]:
        """The services of a service group and the names that could not be resolved."""
        if name in self._svc_cache:
            return self._svc_cache[name]
        svcs: list[ServiceMatch] = []
        unresolved: list[str] = []
        seen: set[str] = set()

        def visit(n: str) -> None:
            if n in seen:
                return
            seen.add(n)
            self.referenced.add(n)
            group = self.services.get(n)
            if group is None:
                unresolved.append(f"object-group {n}")
                return
            svcs.extend(group.services)
            unresolved.extend(group.unresolved)
            for child in group.groups:
                visit(child)

        visit(name)
        out = (tuple(dict.fromkeys(svcs)), tuple(dict.fromkeys(unresolved)))
        self._svc_cache[name] = out
        return out

    def port(self, name: str) -> tuple[tuple[PortRange, ...], tuple[str, ...]]:
        """The port ranges of an NX-OS ``object-group ip port``."""
        self.referenced.add(name)
        if name in self._port_cache:
            return self._port_cache[name]
        group = self.ports.get(name)
        out: tuple[tuple[PortRange, ...], tuple[str, ...]]
        if group is None:
            out = ((), (f"portgroup {name}",))
        else:
            out = (tuple(group.port_ranges), tuple(group.unresolved))
        self._port_cache[name] = out
        return out

    def table(self) -> tuple[dict[str, object], ...]:
        """The standard object table (``DeviceConfig.extras["objects"]``, see checks/hygiene.py).

        Nested groups count as referenced when their parent is looked up (an ACL uses them).
        """
        out: list[dict[str, object]] = []
        for kind, groups in (
            ("object-group network", self.networks),
            ("object-group service", self.services),
            ("object-group port", self.ports),
        ):
            for name, g in groups.items():
                out.append(
                    {
                        "name": name,
                        "kind": kind,
                        "line": g.line,
                        "referenced": name in self.referenced,
                    }
                )
        return tuple(sorted(out, key=lambda o: (int(str(o["line"])), str(o["name"]))))


def port_operator(
    words: Sequence[str], i: int, protocol: int | None
) -> tuple[tuple[PortRange, ...], int] | None:
    """Parse ``eq P [P ...] | neq P | lt P | gt P | range A B`` at ``words[i]``.

    Returns the ranges and the index after them, or ``None`` when ``words[i]`` is no operator.
    Raises ValueError on a malformed operand.
    """
    op = words[i] if i < len(words) else ""
    if op not in ("eq", "neq", "lt", "gt", "range"):
        return None

    def num(w: str) -> int:
        n = port_number(w, protocol)
        if n is None:
            raise ValueError(f"port {w!r}")
        return n

    if op == "range":
        lo, hi = num(words[i + 1]), num(words[i + 2])
        return (((lo, hi),) if lo <= hi else ()), i + 3
    p = num(words[i + 1])
    if op == "eq":
        ranges = [(p, p)]
        j = i + 2
        # IOS XE accepts several ports after eq ("eq www 443"); they are a union.
        while j < len(words) and port_number(words[j], protocol) is not None:
            q = num(words[j])
            ranges.append((q, q))
            j += 1
        return tuple(ranges), j
    if op == "neq":
        out: list[PortRange] = []
        if p > 0:
            out.append((0, p - 1))
        if p < 65535:
            out.append((p + 1, 65535))
        return tuple(out), i + 2
    if op == "lt":
        return (((0, p - 1),) if p > 0 else ()), i + 2
    return (((p + 1, 65535),) if p < 65535 else ()), i + 2


# -- ACL entries --------------------------------------------------------------------------


class Ace:
    """One parsed ACL entry.

    ``problems`` are (message, matters) pairs for the caller to turn into warnings.
    (A plain slotted class: one is built per distinct entry, and a dataclass's generated
    ``__init__`` would stay interpreted in the compiled build.)
    """

    __slots__ = ("action", "extras", "log", "match", "problems")

    def __init__(
        self,
        action: Action,
        match: Match,
        log: bool = False,
        problems: list[tuple[str, bool]] | None = None,
        extras: dict[str, object] | None = None,
    ) -> None:
        self.action = action
        self.match = match
        self.log = log
        self.problems: list[tuple[str, bool]] = problems if problems is not None else []
        self.extras: dict[str, object] = extras if extras is not None else {}


@dataclass(frozen=True)
class AceSyntax:
    """Which dialect an entry is written in."""

    family: int = 4
    standard: bool = False
    allow_prefix: bool = False
    """NX-OS (and every IPv6 ACL) accepts ``A.B.C.D/len`` in place of ``ADDRESS WILDCARD``."""

    @property
    def key(self) -> int:
        """A small int naming this dialect, for memo keys (hashing the dataclass is slower)."""
        return self.family * 4 + self.standard * 2 + self.allow_prefix


_NO_SERVICES: tuple[ServiceMatch, ...] = ()


def _address(
    words: Sequence[str],
    i: int,
    syntax: AceSyntax,
    groups: ObjectGroups,
    problems: list[tuple[str, bool]],
) -> tuple[AddressMatch, int]:
    w = words[i]
    if w == "any":
        return (ANY_V6 if syntax.family == 6 else ANY_V4), i + 1
    key = (syntax.key, w, words[i + 1] if i + 1 < len(words) else "")
    hit = _AM_CACHE.get(key)
    if hit is not None:
        return hit[0], i + hit[1]
    n_problems = len(problems)
    am, j = _address_uncached(words, i, syntax, groups, problems)
    if len(problems) == n_problems and w not in ("object-group", "addrgroup"):
        _AM_CACHE[key] = (am, j - i)
    return am, j


def _address_uncached(
    words: Sequence[str],
    i: int,
    syntax: AceSyntax,
    groups: ObjectGroups,
    problems: list[tuple[str, bool]],
) -> tuple[AddressMatch, int]:
    w = words[i]
    if w == "host":
        h = words[i + 1]
        if syntax.family == 4:
            n = v4int(h)
            if n is None:
                raise ValueError(h)
            return new_address((net4(n, 32),)), i + 2
        return AddressMatch(networks=(ipaddress.IPv6Network(h),)), i + 2
    if w in ("object-group", "addrgroup"):
        am = groups.network(words[i + 1])
        if am.unresolved:
            problems.append((f"undefined object-group {words[i + 1]}", True))
        return am, i + 2
    if syntax.family == 6 and syntax.allow_prefix and ":" in w and "/" not in w:
        # NX-OS accepts a bare IPv6 address for a single host.
        return AddressMatch(networks=(ipaddress.IPv6Network(w),)), i + 1
    if "/" in w and (syntax.allow_prefix or syntax.family == 6):
        net = parse_prefix(w)
        if net.version != syntax.family:
            raise ValueError(w)
        return AddressMatch(networks=(net,)), i + 1
    addr = v4int(w) if syntax.family == 4 else None
    if addr is not None:
        nxt = words[i + 1] if i + 1 < len(words) else ""
        wc = v4int(nxt)
        if wc is not None:
            nets = wildcard_int(addr, wc)
            if nets is None:
                problems.append(
                    (
                        f"wildcard {w} {nxt} expands to more than {MAX_WILDCARD_NETWORKS}"
                        " networks; treated as unresolved",
                        True,
                    )
                )
                return new_address((), (f"{w} {nxt}",)), i + 2
            return new_address(nets), i + 2
        if syntax.standard:
            # A standard entry with a bare address means that host (IOS reference).
            return new_address((net4(addr, 32),)), i + 1
    raise ValueError(f"address {w!r}")


def _icmp(words: Sequence[str], i: int, family: int) -> tuple[int | None, int | None, int]:
    """ICMP type/code after the destination: a keyword, or ``TYPE [CODE]`` numbers."""
    if i >= len(words):
        return None, None, i
    w = words[i]
    table = ICMPV6_MESSAGES if family == 6 else ICMP_MESSAGES
    if w in table:
        t, c = table[w]
        return t, c, i + 1
    if w.isdigit() and int(w) <= 255:
        t = int(w)
        if i + 1 < len(words) and words[i + 1].isdigit() and int(words[i + 1]) <= 255:
            return t, int(words[i + 1]), i + 2
        return t, None, i + 1
    return None, None, i


def parse_ace(
    words: Sequence[str],
    syntax: AceSyntax,
    groups: ObjectGroups,
) -> Ace | None:
    """Parse ``permit|deny ...`` (sequence number already removed) into an :class:`Ace`.

    Returns ``None`` when the words are not an entry this function understands.
    """
    try:
        return _parse_ace(words, syntax, groups)
    except (ValueError, IndexError):
        return None


def _parse_ace(words: Sequence[str], syntax: AceSyntax, groups: ObjectGroups) -> Ace | None:
    if not words or words[0] not in ("permit", "deny"):
        return None
    action = Action.PERMIT if words[0] == "permit" else Action.DENY
    problems: list[tuple[str, bool]] = []
    unresolved: list[str] = []
    extras: dict[str, object] = {}
    i = 1
    if syntax.standard:
        src, i = _address(words, i, syntax, groups, problems)
        dst = ANY_V6 if syntax.family == 6 else ANY_V4
        services: tuple[ServiceMatch, ...] = (ServiceMatch(),)
    else:
        proto_word = words[i]
        svc_group = False
        protocol = None
        svc_from_group: tuple[ServiceMatch, ...] = _NO_SERVICES
        if proto_word == "object-group":
            svc_group = True
            svc_from_group, unres = groups.service(words[i + 1])
            if unres:
                unresolved.extend(unres)
                problems.append((f"undefined object-group {words[i + 1]}", True))
            i += 2
        else:
            if proto_word in ("ip", "ipv6"):
                if (proto_word == "ipv6") != (syntax.family == 6):
                    return None
                protocol = None
            elif proto_word == "icmp":
                protocol = PROTO_ICMPV6 if syntax.family == 6 else PROTO_ICMP
            elif proto_word in PROTOCOLS:
                protocol = PROTOCOLS[proto_word]
            elif proto_word.isdigit() and int(proto_word) <= 255:
                protocol = int(proto_word)
            else:
                return None
            i += 1
        src, i = _address(words, i, syntax, groups, problems)
        sports: tuple[PortRange, ...] | None = None
        dports: tuple[PortRange, ...] | None = None
        port_proto = protocol in (PROTO_TCP, PROTO_UDP, 132)
        if i < len(words) and words[i] == "portgroup" and port_proto:
            sports, unres = groups.port(words[i + 1])
            if unres:
                unresolved.extend(unres)
                problems.append((f"undefined object-group {words[i + 1]}", True))
            i += 2
        elif port_proto and (op := port_operator(words, i, protocol)) is not None:
            sports, i = op
        dst, i = _address(words, i, syntax, groups, problems)
        if i < len(words) and words[i] == "portgroup" and port_proto:
            dports, unres = groups.port(words[i + 1])
            if unres:
                unresolved.extend(unres)
                problems.append((f"undefined object-group {words[i + 1]}", True))
            i += 2
        elif port_proto and (op := port_operator(words, i, protocol)) is not None:
            dports, i = op
        icmp_type: int | None = None
        icmp_code: int | None = None
        if protocol in (PROTO_ICMP, PROTO_ICMPV6):
            icmp_type, icmp_code, i = _icmp(words, i, syntax.family)
        if protocol == 2 and i < len(words) and (words[i] in IGMP_TYPES or words[i].isdigit()):
            unresolved.append(f"igmp {words[i]}")
            problems.append((f"IGMP type '{words[i]}' is not modelled", True))
            i += 1
        established = False
        rest: Sequence[str] = words[i:] if i < len(words) else ()
        j = 0
        while j < len(rest):
            w = rest[j]
            if w == "established" and protocol == PROTO_TCP:
                established = True
            elif w in LOG_WORDS:
                extras["log"] = w
                # An optional user cookie follows "log" on IOS; it never names a keyword.
                if j + 1 < len(rest) and rest[j + 1] not in _KNOWN_TAIL:
                    j += 1
            elif w in TCP_FLAG_WORDS and protocol == PROTO_TCP:
                unresolved.append(f"tcp-flags {w}")
                while j + 1 < len(rest) and rest[j + 1][:1] in "+-" and len(rest[j + 1]) > 1:
                    j += 1
                problems.append((f"TCP flag match '{w}' is not modelled", True))
            elif w in UNMODELLED_QUALIFIERS:
                n = UNMODELLED_QUALIFIERS[w]
                if n < 0:
                    n = 3 if j + 1 < len(rest) and rest[j + 1] == "range" else 2
                arg = " ".join(rest[j : j + 1 + n])
                unresolved.append(arg)
                problems.append((f"qualifier '{arg}' is not modelled", True))
                j += n
            elif w in NEUTRAL_WORDS:
                j += NEUTRAL_WORDS[w]
            elif w == "reflect":
                extras["reflect"] = rest[j + 1]
                problems.append(
                    (f"reflexive entry 'reflect {rest[j + 1]}': return traffic not modelled", False)
                )
                j += 1
                if j + 1 < len(rest) and rest[j + 1] == "timeout":
                    j += 2
            else:
                return None
            j += 1
        if svc_group:
            services = svc_from_group
        else:
            skey = (protocol, sports, dports, icmp_type, icmp_code, established)
            svc = _SVC_CACHE.get(skey)
            if svc is None:
                svc = ServiceMatch(
                    protocol=protocol,
                    src_ports=sports,
                    dst_ports=dports,
                    icmp_type=icmp_type,
                    icmp_code=icmp_code,
                    established=established,
                )
                _SVC_CACHE[skey] = svc
            services = (svc,)
    match = new_match(src, dst, services, tuple(unresolved) if unresolved else ())
    if syntax.standard:
        for w in words[i:]:
            if w in LOG_WORDS:
                extras["log"] = w
            else:
                return None
    return Ace(action, match, "log" in extras, problems, extras)


_KNOWN_TAIL = (
    frozenset(UNMODELLED_QUALIFIERS)
    | frozenset(NEUTRAL_WORDS)
    | TCP_FLAG_WORDS
    | LOG_WORDS
    | {"established", "reflect", "sequence"}
)


def netgroup_entry(words: Sequence[str], group: NetGroup, *, family: int = 4) -> bool:
    """Add one line of an IOS ``object-group network`` / NX-OS ``object-group ip address``.

    Understood: ``host A``, ``A MASK`` (IOS: a subnet mask) or ``A WILDCARD`` (NX-OS),
    ``A/len``, ``range A B``, ``any``, ``group-object N``, ``network-object ...`` (ASA-style
    spelling IOS also accepts), ``description``. Returns False when the line is not understood.
    """
    try:
        return _netgroup_entry(list(words), group, family)
    except (ValueError, IndexError, TypeError):
        return False


def _netgroup_entry(words: list[str], group: NetGroup, family: int) -> bool:
    if words and words[0].isdigit():  # NX-OS sequence number
        words = words[1:]
    if words and words[0] == "network-object":
        words = words[1:]
        if words and words[0] == "object":
            return False
    if not words:
        return False
    head = words[0]
    if head == "description":
        return True
    if head == "group-object" and len(words) == 2:
        group.groups.append(words[1])
        return True
    if head == "host" and len(words) == 2:
        group.networks.append(ipaddress.ip_network(words[1]))
        return True
    if head == "any" and len(words) == 1:
        group.networks.append((ANY_V6 if family == 6 else ANY_V4).networks[0])
        return True
    if head == "range" and len(words) == 3:
        lo, hi = ipaddress.ip_address(words[1]), ipaddress.ip_address(words[2])
        group.networks.extend(ipaddress.summarize_address_range(lo, hi))
        return True
    if "/" in head and len(words) == 1:
        group.networks.append(parse_prefix(head))
        return True
    if len(words) == 2 and is_ipv4(head) and is_ipv4(words[1]):
        mask = int(ipaddress.IPv4Address(words[1]))
        inverted = ~mask & 0xFFFFFFFF
        if mask and (inverted & (inverted + 1)) == 0 and mask >> 31:
            group.networks.append(mask_network(head, words[1]))
            return True
        nets = wildcard_networks(head, words[1])
        if nets is None:
            group.unresolved.append(f"{head} {words[1]}")
        else:
            group.networks.extend(nets)
        return True
    return False


def svcgroup_entry(words: Sequence[str], group: SvcGroup) -> bool:
    """Add one line of an IOS ``object-group service``.

    ``tcp|udp|tcp-udp [source OP PORTS] [OP PORTS]`` (the unprefixed operator is the
    destination port), ``icmp [TYPE]``, a protocol keyword or number, ``ip``, ``group-object``,
    ``description``. Returns False when the line is not understood.
    """
    try:
        return _svcgroup_entry(list(words), group)
    except (ValueError, IndexError):
        return False


def _svcgroup_entry(words: list[str], group: SvcGroup) -> bool:
    head = words[0]
    if head == "description":
        return True
    if head == "group-object" and len(words) == 2:
        group.groups.append(words[1])
        return True
    if head == "ip" and len(words) == 1:
        group.services.append(ServiceMatch())
        return True
    if head == "icmp":
        t, c, i = _icmp(words, 1, 4)
        if i != len(words):
            return False
        group.services.append(ServiceMatch(protocol=PROTO_ICMP, icmp_type=t, icmp_code=c))
        return True
    if head in ("tcp", "udp", "tcp-udp"):
        protos = [PROTO_TCP, PROTO_UDP] if head == "tcp-udp" else [PROTOCOLS[head]]
        out: list[ServiceMatch] = []
        for proto in protos:
            i = 1
            sports: tuple[PortRange, ...] | None = None
            dports: tuple[PortRange, ...] | None = None
            if i < len(words) and words[i] == "source":
                op = port_operator(words, i + 1, proto)
                if op is None:
                    return False
                sports, i = op
            op = port_operator(words, i, proto)
            if op is not None:
                dports, i = op
            if i != len(words):
                return False
            out.append(ServiceMatch(protocol=proto, src_ports=sports, dst_ports=dports))
        group.services.extend(out)
        return True
    if len(words) == 1 and (head in PROTOCOLS or (head.isdigit() and int(head) <= 255)):
        group.services.append(ServiceMatch(protocol=PROTOCOLS.get(head) or int(head)))
        return True
    return False


def portgroup_entry(words: Sequence[str], group: SvcGroup) -> bool:
    """Add one line of an NX-OS ``object-group ip port``: ``[seq] eq|neq|lt|gt|range ...``."""
    w = list(words)
    if w and w[0].isdigit():
        w = w[1:]
    try:
        op = port_operator(w, 0, None)
    except (ValueError, IndexError):
        return False
    if op is None or op[1] != len(w):
        return False
    group.port_ranges.extend(op[0])
    return True
