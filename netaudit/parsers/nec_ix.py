"""NEC UNIVERGE IX routers (``show running-config``; comments start with ``!``).

Syntax follows NEC's public UNIVERGE IX コマンドリファレンスマニュアル and 機能説明書. The facts
that decide verdicts:

* ``ip access-list NAME permit|deny PROTO src SRC [sport PORTS] dest DST [dport PORTS]`` adds one
  entry to the list NAME; entries of one list are evaluated in the order they were written.
* Inside an interface, ``ip filter NAME SEQ in|out`` binds a list; all lists bound in one
  direction are evaluated together, in ascending SEQ order, first match wins. We build ONE
  synthetic filter ``<interface> <dir>`` from them (``ipv6 filter`` lines are folded into the
  same filter, see below).
* Once any filter is bound in a direction, a packet that no entry matches is discarded
  (IX 機能説明書, パケットフィルタ: implicit deny). This is why NEC's configuration examples end
  every filtered interface with ``permit ip src any dest any`` at the last sequence number.
  An interface direction with no filter passes everything and gets no binding.
* The IPv4 and IPv6 filters of one interface direction are separate on the device but the model
  applies every binding to every packet, so they are folded into one synthetic filter with a
  synthetic permit (``extras.synthetic``) for the family that has no filter bound.
* An access list that no interface binds has no effect: it stays in ``filters``, unbound.

Interface names are kept exactly (``GigaEthernet0.0``, ``GigaEthernet2.1``, ``FastEthernet0/0.0``,
``Tunnel0.0``, ``Loopback0.0``); a logical interface with ``encapsulation dot1q V`` is a
subinterface of ``<port>.0`` with ``vlan=V``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from types import MappingProxyType

from netaudit.model import (
    ANY_V4,
    ANY_V6,
    DEFAULT_COMMUNITIES,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
    Credential,
    CredentialStorage,
    DeviceConfig,
    Direction,
    Filter,
    FilterBinding,
    FilterKind,
    Interface,
    InterfaceKind,
    IPInterface,
    IPNetwork,
    Management,
    Match,
    MgmtService,
    NatKind,
    NatRule,
    PortRange,
    Route,
    Rule,
    ServiceMatch,
    SnmpCommunity,
    SourceSpan,
    secret_digest,
)
from netaudit.parsers.base import Node, ParseContext, indent_tree

PLATFORM = "nec_ix"

_PROTOS = {
    "tcp": PROTO_TCP,
    "udp": PROTO_UDP,
    "icmp": PROTO_ICMP,
    "icmpv6": PROTO_ICMPV6,
    "gre": 47,
    "esp": 50,
    "ah": 51,
    "ospf": 89,
}
_PORTS = {
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "www": 80,
    "http": 80,
    "pop3": 110,
    "ntp": 123,
    "snmp": 161,
    "https": 443,
    "isakmp": 500,
    "syslog": 514,
}
_IFNAME = re.compile(
    r"^(?P<base>(?:GigaEthernet|FastEthernet|TenGigaEthernet)[\d/]+|Tunnel\d+|Loopback\d+|"
    r"Null\d+|BVI\d+|Dialer\d+|Virtual-Template\d+|[A-Za-z][A-Za-z-]*\d[\d/]*)"
    r"(?:\.(?P<sub>\d+))?$"
)
_IRRELEVANT_IF = (
    "ip tcp",
    "ip mtu",
    "ipv6 mtu",
    "ip proxy-arp",
    "ip redirects",
    "ip dhcp",
    "ipv6 dhcp",
    "ipv6 enable",
    "ipv6 nd",
    "ipv6 redirects",
    "ip router",
    "ip ospf",
    "ip rip",
    "ip nhrp",
    "ip keepalive",
    "ip unnumbered",
    "ppp binding",
    "auto-connect",
    "pppoe-client",
    "tunnel ",
    "ipsec ",
    "ike ",
    "bridge-group",
    "speed",
    "duplex",
    "mtu",
    "lldp",
    "no ip",
    "no ipv6",
    "qos",
    "vrrp",
    "ip vrrp",
    "keepalive",
    "l2tp",
    "ppp ",
    "ip ufs-cache",
    "ip nat",
)
_IRRELEVANT_TOP = (
    "timezone",
    "logging ",
    "ip ufs-cache",
    "ipv6 ufs-cache",
    "ip dhcp",
    "ipv6 dhcp",
    "proxy-dns",
    "ntp ",
    "ip domain",
    "ip host",
    "ip name-server",
    "ike ",
    "ipsec ",
    "system ",
    "watch-group",
    "network-monitor",
    "ip napt ",
    "ipv6 nd",
    "clock ",
    "end",
    "exit",
    "web-console",
    "http-server",
    "ssh-server",
    "telnet-server",
    "snmp-agent",
    "license",
    "banner",
    "ppp profile",
    "device ",
    "ip access-list",
    "ipv6 access-list",
    "ip route",
    "ipv6 route",
    "hostname",
    "username",
    "service ",
    "dns ",
    "schedule",
    "ip icmp",
    "ipv6 icmp",
    "ip tcp",
    "ip fragment",
)


def detect(text: str) -> int:
    """How sure we are that ``text`` is an NEC UNIVERGE IX ``show running-config``."""
    head = text[:200_000]
    score = 0
    if re.search(r"^!\s*(NEC Portable Internetwork Core|IX Series|IX\d{4})", head, re.M):
        score += 60
    if re.search(r"^interface (GigaEthernet|FastEthernet)\d[\d/]*\.\d+\s*$", head, re.M):
        score += 40
    if re.search(r"^\s*ip access-list \S+ (permit|deny) \S+ src \S+.* dest ", head, re.M):
        score += 40
    if re.search(r"^\s+ip filter \S+ \d+ (in|out)\s*$", head, re.M):
        score += 30
    if re.search(r"^(ip ufs-cache|proxy-dns ip enable|ssh-server ip enable)", head, re.M):
        score += 20
    if re.search(r"^\s*(pp select|tunnel select|ip lan\d+ )", head, re.M):
        score -= 40
    return max(0, min(100, score))


class _Bad(ValueError):
    """A token we cannot read."""


def _network(text: str, v6: bool) -> IPNetwork:
    try:
        if v6:
            return ipaddress.IPv6Network(text, strict=False)
        return ipaddress.IPv4Network(text, strict=False)
    except ValueError as e:
        raise _Bad(text) from e


def _is_mask(text: str) -> bool:
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{text}")
    except ValueError:
        return False
    return True


def _port(text: str) -> int:
    if text.isdigit() and int(text) <= 65535:
        return int(text)
    if text in _PORTS:
        return _PORTS[text]
    raise _Bad(text)


def _ports(words: list[str], i: int) -> tuple[tuple[PortRange, ...] | None, int]:
    """Read a port spec at ``words[i]``: ``any``, ``eq P``, ``range A B``, ``gt``/``lt``, ``A-B``."""
    op = words[i]
    if op == "any":
        return None, i + 1
    if op == "eq":
        p = _port(words[i + 1])
        return ((p, p),), i + 2
    if op == "range":
        return ((_port(words[i + 1]), _port(words[i + 2])),), i + 3
    if op == "gt":
        return ((_port(words[i + 1]) + 1, 65535),), i + 2
    if op == "lt":
        return ((0, _port(words[i + 1]) - 1),), i + 2
    if op == "ge":
        return ((_port(words[i + 1]), 65535),), i + 2
    if op == "le":
        return ((0, _port(words[i + 1])),), i + 2
    if op == "neq":
        p = _port(words[i + 1])
        return tuple(r for r in ((0, p - 1), (p + 1, 65535)) if r[0] <= r[1]), i + 2
    if "-" in op:
        lo, _, hi = op.partition("-")
        return ((_port(lo), _port(hi)),), i + 1
    p = _port(op)
    return ((p, p),), i + 1


def _address(words: list[str], i: int, v6: bool) -> tuple[AddressMatch, int]:
    w = words[i]
    if w == "any":
        return (ANY_V6 if v6 else ANY_V4), i + 1
    if w == "host":
        return AddressMatch(networks=(_network(words[i + 1], v6),)), i + 2
    return AddressMatch(networks=(_network(w, v6),)), i + 1


def parse_access_entry(words: list[str], v6: bool) -> tuple[Action, Match]:
    """``permit|deny PROTO src SRC [sport P] dest DST [dport P] [type T [code C]]``."""
    if words[0] not in ("permit", "deny"):
        raise _Bad(words[0])
    action = Action.PERMIT if words[0] == "permit" else Action.DENY
    proto_t = words[1]
    if proto_t in ("ip", "ipv6"):
        proto: int | None = None
    elif proto_t.isdigit() and int(proto_t) <= 255:
        proto = int(proto_t)
    elif proto_t in _PROTOS:
        proto = _PROTOS[proto_t]
    else:
        raise _Bad(proto_t)
    if words[2] != "src":
        raise _Bad(words[2])
    src, i = _address(words, 3, v6)
    sports: tuple[PortRange, ...] | None = None
    dports: tuple[PortRange, ...] | None = None
    if i < len(words) and words[i] == "sport":
        sports, i = _ports(words, i + 1)
    if i >= len(words) or words[i] != "dest":
        raise _Bad("dest")
    dst, i = _address(words, i + 1, v6)
    if i < len(words) and words[i] == "dport":
        dports, i = _ports(words, i + 1)
    itype: int | None = None
    icode: int | None = None
    established = False
    while i < len(words):
        if words[i] == "type" and i + 1 < len(words):
            itype, i = int(words[i + 1]), i + 2
        elif words[i] == "code" and i + 1 < len(words):
            icode, i = int(words[i + 1]), i + 2
        elif words[i] == "established":
            established, i = True, i + 1
        else:
            raise _Bad(words[i])
    if (sports or dports) and proto not in (PROTO_TCP, PROTO_UDP, None):
        raise _Bad("ports on a protocol without ports")
    svc = ServiceMatch(
        protocol=proto,
        src_ports=sports,
        dst_ports=dports,
        icmp_type=itype,
        icmp_code=icode,
        established=established,
        name=proto_t,
    )
    return action, Match(src=src, dst=dst, services=(svc,))


@dataclass
class _If:
    name: str
    span: SourceSpan
    kind: InterfaceKind = InterfaceKind.PHYSICAL
    description: str = ""
    enabled: bool = True
    addresses: list[IPInterface] = field(default_factory=list)
    vlan: int | None = None
    parent: str | None = None
    extras: dict[str, object] = field(default_factory=dict)
    filters: list[tuple[int, str, Direction, bool, int]] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.ctx = ParseContext(source=source, text=text)
        self.roots, skipped = indent_tree(text, comment_chars="!")
        self.ctx.skip(*skipped)
        self.hostname = ""
        self.ifaces: dict[str, _If] = {}
        self.acls: dict[str, list[Rule]] = {}
        self.acl_span: dict[str, SourceSpan] = {}
        self.routes: list[Route] = []
        self.nat: list[NatRule] = []
        self.services: dict[str, MgmtService] = {}
        self.communities: list[SnmpCommunity] = []
        self.snmp_hosts: list[IPNetwork] = []
        self.credentials: list[Credential] = []
        self.syslog: list[str] = []
        self.ntp: list[str] = []
        self.extras: dict[str, object] = {}
        for line in text.splitlines()[:5]:
            m = re.match(r"!\s*(IX Series .*|.*Version \S+)", line.strip())
            if m:
                self.extras.setdefault("version", m.group(1))

    def span(self, n: int) -> SourceSpan:
        return self.ctx.span(n, secret=True)

    def run(self) -> None:
        for node in self.roots:
            try:
                ok = self.top(node)
            except (_Bad, ValueError, IndexError, KeyError) as e:
                self.ctx.warn(
                    node.line,
                    f"cannot read {e!s}",
                    matters=node.words[0] in ("ip", "ipv6", "interface"),
                )
                ok = False
            if ok:
                self.ctx.ok(node.line)
            else:
                self.ctx.unknown(node.line)

    # -- top level ------------------------------------------------------------------------

    def top(self, node: Node) -> bool:
        w = node.words
        n = node.line
        if w[0] == "interface" and len(w) == 2:
            self.interface(node)
            return True
        if w[0] == "hostname" and len(w) >= 2:
            self.hostname = w[1]
            return True
        if w[0] in ("ip", "ipv6") and len(w) >= 4 and w[1] == "access-list":
            v6 = w[0] == "ipv6"
            action, match = parse_access_entry(w[3:], v6)
            rules = self.acls.setdefault(w[2], [])
            self.acl_span.setdefault(w[2], self.span(n))
            rules.append(
                Rule(action=action, match=match, span=self.span(n), name=f"{w[2]}#{len(rules) + 1}")
            )
            return True
        if w[0] in ("ip", "ipv6") and len(w) >= 4 and w[1] == "route":
            return self.route(n, w)
        if w[0] == "username" and len(w) >= 2:
            storage = CredentialStorage.NONE
            if "password" in w:
                kind = w[w.index("password") + 1] if len(w) > w.index("password") + 1 else ""
                storage = {
                    "plain": CredentialStorage.PLAIN,
                    "hash": CredentialStorage.HASHED,
                }.get(kind, CredentialStorage.PLAIN)
            self.credentials.append(
                Credential(
                    kind="username",
                    span=self.span(n),
                    storage=storage,
                    user=w[1],
                    detail="administrator" if "administrator" in w else "",
                )
            )
            return True
        if w[0] in ("ssh-server", "telnet-server", "http-server") and len(w) >= 3 and w[1] == "ip":
            proto = {"ssh-server": "ssh", "telnet-server": "telnet", "http-server": "http"}[w[0]]
            svc = self.services.get(proto)
            if w[2] == "enable":
                self.services[proto] = MgmtService(
                    protocol=proto, span=self.span(n), acl=svc.acl if svc else None
                )
            elif w[2] == "access-list" and len(w) >= 4:
                base = svc or MgmtService(protocol=proto, span=self.span(n), enabled=False)
                self.services[proto] = MgmtService(
                    protocol=proto, span=base.span, enabled=base.enabled, acl=w[3]
                )
            return True
        if w[0] == "snmp-agent" and len(w) >= 4 and w[1] == "ip" and w[2] == "community":
            value = w[3]
            self.communities.append(
                SnmpCommunity(
                    digest=secret_digest(value),
                    span=self.span(n),
                    guessable=value.lower() in DEFAULT_COMMUNITIES,
                    write="rw" in w[4:] or "read-write" in w[4:],
                    acl=next((t for t in w[4:] if t not in ("ro", "rw", "read-write")), None),
                )
            )
            self.services.setdefault("snmp", MgmtService(protocol="snmp", span=self.span(n)))
            return True
        if w[0] == "snmp-agent" and len(w) >= 4 and w[1] == "ip" and w[2] == "host":
            self.snmp_hosts.append(_network(w[3], False))
            return True
        if w[0] == "logging" and len(w) >= 3 and w[1] in ("host", "server"):
            self.syslog.append(w[2])
            return True
        if w[0] == "ntp" and len(w) >= 3 and w[1] in ("server", "peer"):
            self.ntp.append(w[2] if w[2] != "ip" else w[-1])
            return True
        if w[0] == "ip" and len(w) >= 2 and w[1] == "ufs-cache":
            self.extras["ufs_cache"] = True
        if node.text.startswith(("ppp profile", "ip dhcp profile", "device ", "ike ", "ipsec ")):
            for child in node.walk():
                self.ctx.ok(child.line)
            return True
        if node.text.startswith(_IRRELEVANT_TOP) and w[0] not in ("ip", "ipv6"):
            return True
        return w[0] in ("ip", "ipv6") and node.text.startswith(
            (
                "ip ufs-cache",
                "ipv6 ufs-cache",
                "ip dhcp",
                "ipv6 dhcp",
                "ip domain",
                "ip host",
                "ip name-server",
                "ip icmp",
                "ipv6 icmp",
                "ip tcp",
                "ip fragment",
                "ip napt hairpinning",
                "ip napt translation",
                "ip napt service",
                "ipv6 nd",
            )
        )

    def route(self, n: int, w: list[str]) -> bool:
        v6 = w[0] == "ipv6"
        i = 2
        if w[2] == "default":
            prefix: IPNetwork = _network("::/0" if v6 else "0.0.0.0/0", v6)
            i = 3
        elif not v6 and "/" not in w[2] and len(w) > 4 and _is_mask(w[3]):
            prefix = _network(f"{w[2]}/{w[3]}", v6)
            i = 4
        else:
            prefix = _network(w[2], v6)
            i = 3
        gw = w[i]
        if gw.startswith("Null"):
            self.routes.append(Route(prefix=prefix, span=self.span(n), discard=True))
        elif _IFNAME.match(gw) and not gw[0].isdigit():
            self.routes.append(Route(prefix=prefix, span=self.span(n), interface=gw))
        else:
            hop = ipaddress.ip_address(gw)
            self.routes.append(Route(prefix=prefix, span=self.span(n), next_hop=hop))
        rest = w[i + 1 :]
        if rest and not all(t.isdigit() for t in rest):
            return False
        if rest:
            last = self.routes[-1]
            self.routes[-1] = Route(
                prefix=last.prefix,
                span=last.span,
                next_hop=last.next_hop,
                interface=last.interface,
                discard=last.discard,
                distance=int(rest[0]),
            )
        return True

    # -- interfaces -----------------------------------------------------------------------

    def interface(self, node: Node) -> None:
        name = node.words[1]
        m = _IFNAME.match(name)
        kind = InterfaceKind.PHYSICAL
        if name.startswith("Tunnel"):
            kind = InterfaceKind.TUNNEL
        elif name.startswith("Loopback"):
            kind = InterfaceKind.LOOPBACK
        elif name.startswith("Null"):
            kind = InterfaceKind.NULL
        elif name.startswith(("BVI", "Dialer", "Virtual")):
            kind = InterfaceKind.OTHER
        it = _If(name=name, span=self.span(node.line), kind=kind)
        if m is None:
            self.ctx.warn(node.line, f"unusual interface name {name}")
        self.ifaces[name] = it
        for child in node.children:
            try:
                ok = self.if_line(it, child, m)
            except (_Bad, ValueError, IndexError) as e:
                self.ctx.warn(child.line, f"cannot read {e!s}", matters=True)
                ok = False
            if ok:
                self.ctx.ok(child.line)
                for g in child.children:
                    self.ctx.unknown(g.line)
            else:
                for g in child.walk():
                    self.ctx.unknown(g.line)

    def if_line(self, it: _If, node: Node, m: re.Match[str] | None) -> bool:
        w = node.words
        n = node.line
        text = node.text
        if w[0] == "description":
            it.description = text[len("description") :].strip().strip('"')
            return True
        if w[0] == "shutdown":
            it.enabled = False
            return True
        if w[:2] == ["no", "shutdown"]:
            it.enabled = True
            return True
        if w[0] in ("ip", "ipv6") and len(w) >= 3 and w[1] == "address":
            v6 = w[0] == "ipv6"
            if w[2] in ("dhcp", "ipcp", "autoconfig"):
                it.extras[f"{w[0]}_address"] = " ".join(w[2:])
                return True
            if not v6 and len(w) >= 4 and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", w[3]):
                addr: IPInterface = ipaddress.IPv4Interface(f"{w[2]}/{w[3]}")
                rest = w[4:]
            else:
                addr = ipaddress.ip_interface(w[2])
                rest = w[3:]
            if "secondary" in rest:
                it.addresses.append(addr)
            else:
                it.addresses.insert(0, addr)
            return True
        if w[0] == "encapsulation" and len(w) >= 3 and w[1] == "dot1q":
            it.vlan = int(w[2])
            it.kind = InterfaceKind.SUBINTERFACE
            if m is not None and m.group("sub") is not None:
                it.parent = f"{m.group('base')}.0"
            return True
        if w[0] == "encapsulation":
            it.extras["encapsulation"] = " ".join(w[1:])
            return True
        if w[0] in ("ip", "ipv6") and len(w) == 5 and w[1] == "filter" and w[4] in ("in", "out"):
            it.filters.append((int(w[3]), w[2], Direction(w[4]), w[0] == "ipv6", n))
            return True
        if w[:3] == ["ip", "napt", "enable"]:
            self.nat.append(
                NatRule(
                    kind=NatKind.SOURCE,
                    match=Match(src=ANY_V4, dst=ANY_V4),
                    span=self.span(n),
                    name=f"napt {it.name}",
                    out_interfaces=frozenset({it.name}),
                    extras=MappingProxyType({"outer": "interface address"}),
                )
            )
            return True
        if w[:3] == ["ip", "napt", "static"] and len(w) >= 5:
            return self.napt_static(it, n, w[3:])
        if w[:2] == ["ip", "nat"]:
            return False
        return text.startswith(_IRRELEVANT_IF)

    def napt_static(self, it: _If, n: int, w: list[str]) -> bool:
        """``ip napt static INSIDE PROTO [PORT [PORT]]`` on the outside interface."""
        inside = ipaddress.IPv4Address(w[0])
        proto = _PROTOS.get(w[1]) if not w[1].isdigit() else int(w[1])
        if proto is None:
            raise _Bad(w[1])
        ports = [_port(t) for t in w[2:4]]
        outer = ports[0] if ports else None
        inner = ports[1] if len(ports) > 1 else outer
        dst_ports = ((outer, outer),) if outer is not None else None
        self.nat.append(
            NatRule(
                kind=NatKind.DESTINATION,
                match=Match(
                    src=ANY_V4,
                    dst=ANY_V4,
                    services=(ServiceMatch(protocol=proto, dst_ports=dst_ports),),
                ),
                span=self.span(n),
                name=f"napt static {it.name}",
                in_interfaces=frozenset({it.name}),
                translated_dst=(ipaddress.IPv4Network(inside),),
                translated_dst_ports=(inner, inner) if inner is not None else None,
                extras=MappingProxyType({"outer": "interface address"}),
            )
        )
        return len(w) <= 4

    # -- model ----------------------------------------------------------------------------

    def build(self, name: str) -> DeviceConfig:
        filters: list[Filter] = [
            Filter(
                name=acl,
                kind=FilterKind.ACL,
                rules=tuple(rules),
                span=self.acl_span[acl],
                extras=MappingProxyType({"definition": True}),
            )
            for acl, rules in self.acls.items()
        ]
        bindings: list[FilterBinding] = []
        for it in self.ifaces.values():
            for direction in (Direction.IN, Direction.OUT):
                entries = sorted(
                    (f for f in it.filters if f[2] is direction), key=lambda f: (f[3], f[0])
                )
                if not entries:
                    continue
                rules: list[Rule] = []
                for v6 in (False, True):
                    fam = [e for e in entries if e[3] is v6]
                    if not fam:
                        any_fam = ANY_V6 if v6 else ANY_V4
                        rules.append(
                            Rule(
                                action=Action.PERMIT,
                                match=Match(src=any_fam, dst=any_fam),
                                span=self.span(entries[0][4]),
                                name="(no ipv6 filter)" if v6 else "(no ip filter)",
                                extras=MappingProxyType(
                                    {"synthetic": "this address family has no filter here"}
                                ),
                            )
                        )
                        continue
                    seen: set[int] = set()
                    for seq, acl, _, _, line in fam:
                        if seq in seen:
                            self.ctx.warn(line, f"sequence {seq} bound twice on {it.name}")
                        seen.add(seq)
                        acl_rules = self.acls.get(acl)
                        if acl_rules is None:
                            self.ctx.warn(
                                line, f"ip filter names undefined access-list {acl}", matters=True
                            )
                            anyf = ANY_V6 if v6 else ANY_V4
                            rules.append(
                                Rule(
                                    action=Action.PERMIT,
                                    match=Match(
                                        src=anyf, dst=anyf, unresolved=(f"access-list {acl}",)
                                    ),
                                    span=self.span(line),
                                    name=f"{acl}@{seq}",
                                    extras=MappingProxyType({"undefined": True}),
                                )
                            )
                            continue
                        for r in acl_rules:
                            fam_ok = all(
                                n.version == (6 if v6 else 4)
                                for n in r.match.src.networks + r.match.dst.networks
                            )
                            if not fam_ok:
                                self.ctx.warn(line, f"access-list {acl} is of the other family")
                            rules.append(r)
                fname = f"{it.name} {direction.value}"
                filters.append(
                    Filter(
                        name=fname,
                        kind=FilterKind.ACL,
                        rules=tuple(rules),
                        default_action=Action.DENY,
                        span=self.span(entries[0][4]),
                        extras=MappingProxyType(
                            {"sequence": tuple(f"{e[0]}:{e[1]}" for e in entries)}
                        ),
                    )
                )
                bindings.append(
                    FilterBinding(
                        interface=it.name,
                        direction=direction,
                        filter=fname,
                        span=self.span(entries[0][4]),
                    )
                )
        services = list(self.services.values())
        if "snmp" in self.services and self.snmp_hosts:
            s = self.services["snmp"]
            services[services.index(s)] = MgmtService(
                protocol="snmp", span=s.span, allowed_sources=tuple(self.snmp_hosts)
            )
        for svc in services:
            if svc.acl and svc.acl not in self.acls:
                self.ctx.warn(svc.span.line, f"undefined access-list {svc.acl}", matters=True)
        for c in self.communities:
            if c.acl and c.acl not in self.acls:
                self.ctx.warn(c.span.line, f"undefined access-list {c.acl}", matters=True)
        return DeviceConfig(
            name=name or self.hostname,
            platform=PLATFORM,
            source=self.ctx.source,
            hostname=self.hostname,
            interfaces=tuple(
                Interface(
                    name=it.name,
                    span=it.span,
                    kind=it.kind,
                    description=it.description,
                    enabled=it.enabled,
                    addresses=tuple(it.addresses),
                    vlan=it.vlan,
                    parent=it.parent,
                    extras=MappingProxyType(it.extras),
                )
                for it in self.ifaces.values()
            ),
            filters=tuple(filters),
            bindings=tuple(bindings),
            routes=tuple(self.routes),
            nat=tuple(self.nat),
            mgmt=Management(
                services=tuple(services),
                snmp_communities=tuple(self.communities),
                credentials=tuple(self.credentials),
                syslog_hosts=tuple(self.syslog),
                ntp_servers=tuple(self.ntp),
            ),
            coverage=self.ctx.coverage(),
            warnings=tuple(self.ctx.warnings),
            extras=MappingProxyType(self.extras),
        )


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse an NEC UNIVERGE IX ``show running-config`` into the model (never raises)."""
    p = _Parser(text, source)
    p.run()
    return p.build(name)
