"""AlaxalA AX series parser (AX2500S, AX3650S, AX3660S, AX3800S, AX4600S, ...).

AX configurations are IOS-like, with their own spellings: interface names carry a space
(``interface gigabitethernet 1/0/1``, ``interface vlan 10``) and are kept exactly as written,
names and descriptions are quoted, and ``show running-config`` lists ACL entries with their
sequence numbers.

Vendor semantics this parser relies on (AlaxalA AX3660S Configuration Guide Vol.2, 1.1 Filter):

* Filter entries of an interface are searched in sequence order and the first match decides;
  "すべてのフィルタエントリに一致しなかった場合,そのフレームを廃棄します" — a frame that
  matches no entry is discarded (暗黙の廃棄, implicit discard; 1.1.1 and 1.1.7). The default
  action of every AX access list is therefore DENY.
* An IPv4 access list (``ip access-list``, ``access-list``) detects IPv4 frames only (table 1-7
  of 1.1.6); IPv6 packets are filtered by ``ipv6 traffic-filter`` lists.
* Remote login needs a ``line vty`` entry; ``ftp-server`` turns the FTP server on; the SSH
  server runs once ``ip ssh`` is configured. Login passwords are kept outside the running
  configuration (set by the ``password`` operation command), so the configuration says
  nothing about how they are stored.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from netaudit.model import (
    ANY_V4,
    DEFAULT_COMMUNITIES,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
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
    PortRange,
    Route,
    Rule,
    ServiceMatch,
    SnmpCommunity,
    SourceSpan,
    SwitchportMode,
    Vlan,
    secret_digest,
)
from netaudit.parsers.base import Node, ParseContext, indent_tree

PLATFORM = "alaxala_ax"

# -- detection -------------------------------------------------------------------------------

_ETHER = (
    r"(?:gigabitethernet|tengigabitethernet|fastethernet|twentyfivegigabitethernet|"
    r"fortygigabitethernet|hundredgigabitethernet)"
)
_DETECT_MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^#configuration list for AX", re.M), 70),
    (re.compile(rf"^interface {_ETHER} \d+/\d+(/\d+)?$", re.M), 45),
    (re.compile(r"^interface (vlan|port-channel|loopback) \d+$", re.M), 15),
    (re.compile(r'^hostname "', re.M), 15),
    (re.compile(r"^axrp ", re.M), 25),
    (re.compile(r"^flow detection mode ", re.M), 20),
    (re.compile(r"^swrt_", re.M), 20),
    (re.compile(r"^system l2-table mode", re.M), 15),
    (re.compile(r"^ntp client server ", re.M), 10),
    (re.compile(r"^\s+\d+ (permit|deny) ", re.M), 5),
    (re.compile(r'^\s+name "', re.M), 10),
)
# Spellings AX never produces: IOS/NX-OS interface names without a space, version lines.
_FOREIGN = re.compile(
    r"^(interface (GigabitEthernet|FastEthernet|TenGigabitEthernet|Ethernet|Vlan)\d|"
    r"version \d+\.\d+$|feature |ASA Version|interface port\d+\.\d+\.\d+|config system)",
    re.M,
)


def detect(text: str) -> int:
    """Confidence (0-100) that ``text`` is an AlaxalA AX configuration."""
    score = sum(weight for pat, weight in _DETECT_MARKERS if pat.search(text))
    if score and _FOREIGN.search(text):
        score -= 40
    return max(0, min(100, score))


# -- small value parsers -----------------------------------------------------------------------

# Port names accepted by AX access lists (Configuration Command Reference, "パラメータに
# 指定できる値").
_PORT_NAMES = {
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "http": 80,
    "www": 80,
    "pop3": 110,
    "ntp": 123,
    "snmp": 161,
    "snmptrap": 162,
    "bgp": 179,
    "https": 443,
    "syslog": 514,
}
_PROTOCOLS = {
    "tcp": PROTO_TCP,
    "udp": PROTO_UDP,
    "icmp": PROTO_ICMP,
    "igmp": 2,
    "gre": 47,
    "esp": 50,
    "ah": 51,
    "ospf": 89,
    "pim": 103,
    "vrrp": 112,
}


def _vlan_ids(text: str) -> set[int] | None:
    out: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        if not lo.isdigit() or (sep and not hi.isdigit()):
            return None
        a, b = int(lo), int(hi) if sep else int(lo)
        if not 1 <= a <= b <= 4095:
            return None
        out.update(range(a, b + 1))
    return out


def _is_ip(tok: str) -> bool:
    try:
        ipaddress.ip_address(tok)
    except ValueError:
        return False
    return True


def _wildcard_net(addr: str, wildcard: str) -> IPNetwork | None:
    try:
        mask = int(ipaddress.IPv4Address(wildcard)) ^ 0xFFFFFFFF
        base = int(ipaddress.IPv4Address(addr))
    except ValueError:
        return None
    plen = bin(mask).count("1")
    if mask != ((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF):
        return None
    return ipaddress.IPv4Network((base & mask, plen))


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


class _EntryError(ValueError):
    """An ACL entry that could not be read."""


class _Cursor:
    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.pos = 0

    def peek(self) -> str | None:
        return self.words[self.pos] if self.pos < len(self.words) else None

    def take(self) -> str:
        if self.pos >= len(self.words):
            raise _EntryError("unexpected end of entry")
        self.pos += 1
        return self.words[self.pos - 1]


def _address(cur: _Cursor) -> AddressMatch:
    tok = cur.take()
    if tok == "any":
        return ANY_V4
    if tok == "host":
        a = cur.take()
        if not _is_ip(a):
            raise _EntryError(f"bad host {a}")
        return AddressMatch(networks=(ipaddress.ip_network(a),))
    if _is_ip(tok):
        nxt = cur.peek()
        if nxt is not None and _is_ip(nxt):
            cur.take()
            net = _wildcard_net(tok, nxt)
            if net is None:
                return AddressMatch(networks=(), unresolved=(f"{tok} {nxt}",))
            return AddressMatch(networks=(net,))
        return AddressMatch(networks=(ipaddress.ip_network(tok),))
    raise _EntryError(f"bad address {tok}")


def _port(tok: str) -> int:
    n = int(tok) if tok.isdigit() else _PORT_NAMES.get(tok.lower())
    if n is None or n > 65535:
        raise _EntryError(f"bad port {tok}")
    return n


def _ports(cur: _Cursor) -> tuple[PortRange, ...] | None:
    op = cur.peek()
    if op not in ("eq", "neq", "lt", "gt", "range"):
        return None
    cur.take()
    a = _port(cur.take())
    if op == "eq":
        return ((a, a),)
    if op == "lt":
        return ((0, a - 1),) if a else ()
    if op == "gt":
        return ((a + 1, 65535),) if a < 65535 else ()
    if op == "neq":
        return tuple(r for r in ((0, a - 1), (a + 1, 65535)) if r[0] <= r[1])
    b = _port(cur.take())
    if b < a:
        raise _EntryError("bad port range")
    return ((a, b),)


@dataclass(frozen=True)
class _Entry:
    action: Action
    match: Match
    ignored: tuple[str, ...]


def _entry(words: list[str], *, standard: bool) -> _Entry:
    """``permit|deny PROTO SRC [ports] DST [ports] [qualifiers]`` (or ``permit|deny SRC``)."""
    cur = _Cursor(words)
    act = cur.take()
    action = {"permit": Action.PERMIT, "deny": Action.DENY}.get(act)
    if action is None:
        raise _EntryError(f"unknown action {act}")
    if standard:
        src = _address(cur)
        return _Entry(action, Match(src=src, dst=ANY_V4), tuple(cur.words[cur.pos :]))
    ptok = cur.take()
    protocol: int | None
    if ptok == "ip":
        protocol = None
    elif ptok in _PROTOCOLS:
        protocol = _PROTOCOLS[ptok]
    elif ptok.isdigit() and int(ptok) <= 255:
        protocol = int(ptok)
    else:
        raise _EntryError(f"unknown protocol {ptok}")
    ported = protocol in (PROTO_TCP, PROTO_UDP)
    src = _address(cur)
    sports = _ports(cur) if ported else None
    dst = _address(cur)
    dports = _ports(cur) if ported else None
    icmp_type: int | None = None
    icmp_code: int | None = None
    established = False
    ignored: list[str] = []
    rest = cur.words[cur.pos :]
    i = 0
    while i < len(rest):
        tok = rest[i]
        if protocol == PROTO_ICMP and tok.isdigit() and icmp_type is None:
            icmp_type = int(tok)
            if i + 1 < len(rest) and rest[i + 1].isdigit():
                icmp_code = int(rest[i + 1])
                i += 1
        elif tok == "established" and protocol == PROTO_TCP:
            established = True
        elif tok in (
            "vlan",
            "user-priority",
            "tos",
            "precedence",
            "dscp",
            "action",
        ) and i + 1 < len(rest):
            ignored.append(f"{tok} {rest[i + 1]}")
            i += 1
        else:
            ignored.append(tok)
        i += 1
    svc = ServiceMatch(
        protocol=protocol,
        src_ports=sports,
        dst_ports=dports,
        icmp_type=icmp_type,
        icmp_code=icmp_code,
        established=established,
    )
    return _Entry(action, Match(src=src, dst=dst, services=(svc,)), tuple(ignored))


# -- accumulation ------------------------------------------------------------------------------


@dataclass
class _Iface:
    name: str
    span: SourceSpan
    kind: InterfaceKind
    vlan: int | None = None
    description: str = ""
    enabled: bool = True
    addresses: list[IPInterface] = field(default_factory=list)
    vrf: str | None = None
    mode: SwitchportMode = SwitchportMode.ROUTED
    access_vlan: int | None = None
    trunk_vlans: set[int] | None = None
    native_vlan: int | None = None
    extras: dict[str, object] = field(default_factory=dict)


@dataclass
class _Acl:
    name: str
    span: SourceSpan
    standard: bool
    rules: dict[int, Rule] = field(default_factory=dict)


_IFACE_RE = re.compile(rf"({_ETHER}|vlan|port-channel|loopback|mgmt|null|tunnel) (\S+)")


def _kind(name: str) -> tuple[InterfaceKind, int | None]:
    typ, _, num = name.partition(" ")
    if typ == "vlan" and num.isdigit():
        return InterfaceKind.SVI, int(num)
    if typ == "port-channel":
        return InterfaceKind.PORT_CHANNEL, None
    if typ == "loopback":
        return InterfaceKind.LOOPBACK, None
    if typ == "null":
        return InterfaceKind.NULL, None
    if typ == "tunnel":
        return InterfaceKind.TUNNEL, None
    if typ == "mgmt":
        return InterfaceKind.OTHER, None
    return InterfaceKind.PHYSICAL, None


def expand_range(typ: str, spec: str) -> list[str] | None:
    """``gigabitethernet`` + ``1/0/1-4,1/0/8`` -> each interface name (``interface range``)."""
    out: list[str] = []
    for item in spec.split(","):
        m = re.fullmatch(r"((?:\d+/)*)(\d+)(?:-(\d+))?", item.strip())
        if m is None:
            return None
        head, lo, hi = m.group(1), int(m.group(2)), int(m.group(3) or m.group(2))
        if hi < lo:
            return None
        out.extend(f"{typ} {head}{n}" for n in range(lo, hi + 1))
    return out


_IGNORED_TOP = (
    "spanning-tree",
    "no spanning-tree",
    "system ",
    "swrt_",
    "flow detection",
    "axrp",
    "gsrp",
    "efmoam",
    "lldp",
    "oadp",
    "mac-address-table",
    "ip domain",
    "ip name-server",
    "ip ssh version",
    "ip access-list resequence",
    "snmp-server host",
    "snmp-server location",
    "snmp-server contact",
    "snmp-server engineid",
    "snmp-server view",
    "snmp-server traps",
    "logging event-kind",
    "logging trap",
    "logging syslog",
    "clock timezone",
    "clock summer-time",
    "ntp ",
    "radius-server",
    "tacacs-server",
    "aaa accounting",
    "power-control",
    "qos",
    "storm-control",
    "ip dhcp snooping",
    "link-aggregation",
    "vrf definition",
    "ip routing",
    "ipv6 routing",
    "license",
    "dot1x system-auth-control",
    "web-authentication",
    "mac-authentication",
    "username",
    "ip arp",
    "l2-loop-detection",
    "loop-detection",
    "uplink-redundant",
    "no ip domain",
)
_IGNORED_IF = (
    "spanning-tree",
    "speed",
    "duplex",
    "media-type",
    "mtu",
    "bandwidth",
    "lldp",
    "link ",
    "ip proxy-arp",
    "no ip proxy-arp",
    "ip mtu",
    "ip helper-address",
    "ip ospf",
    "ip pim",
    "ip igmp",
    "ipv6 enable",
    "ipv6 nd",
    "qos",
    "storm-control",
    "flowcontrol",
    "power-inline",
    "ip dhcp snooping",
    "axrp",
    "gsrp",
    "efmoam",
    "l2-loop-detection",
    "loop-detection",
    "authentication",
    "lacp",
    "switchport isolation",
    "switchport mac",
    "switchport protocol",
    "switchport vlan mapping",
    "ip arp inspection",
)


def _starts(text: str, prefixes: tuple[str, ...]) -> bool:
    return any(text == p.strip() or text.startswith(p) for p in prefixes)


class _Parser:
    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.hostname = ""
        self.ifaces: dict[str, _Iface] = {}
        self.vlans: dict[int, Vlan] = {}
        self.acls: dict[str, _Acl] = {}
        self.bindings: list[tuple[str, Direction, str, SourceSpan]] = []
        self.routes: list[Route] = []
        self.communities: list[SnmpCommunity] = []
        self.syslog: list[str] = []
        self.ntp: list[str] = []
        self.aaa: bool | None = None
        self.banner = False
        self.vty: SourceSpan | None = None
        self.vty_acl: tuple[str, SourceSpan] | None = None
        self.transport: tuple[set[str], SourceSpan] | None = None
        self.ftp: SourceSpan | None = None
        self.ssh: SourceSpan | None = None
        self.last: Node | None = None

    def run(self, roots: list[Node]) -> None:
        for node in roots:
            self.last = node
            try:
                self.top(node)
            except (ValueError, IndexError) as e:
                self.ctx.unknown(node.line)
                self.ctx.warn(node.line, f"cannot read: {e}")

    def top(self, node: Node) -> None:
        ctx = self.ctx
        w = node.words
        t = node.text
        if w[0] == "hostname" and len(w) >= 2:
            self.hostname = _unquote(t.split(None, 1)[1])
            ctx.ok(node.line)
        elif w[0] == "vlan" and len(w) >= 2:
            self.vlan(node)
        elif w[0] == "interface" and len(w) >= 2:
            self.interface(node)
        elif w[:2] == ["ip", "access-list"] and len(w) == 4 and w[2] in ("extended", "standard"):
            self.named_acl(node, standard=w[2] == "standard")
        elif w[0] == "access-list" and len(w) >= 3 and w[1].isdigit():
            self.numbered_acl(node)
        elif w[:2] == ["ip", "route"]:
            self.route(node)
        elif w[:2] == ["snmp-server", "community"] and len(w) >= 3:
            self.snmp(node)
        elif w[:2] == ["logging", "host"] and len(w) >= 3:
            host = next((x for x in w[2:] if _is_ip(x)), w[-1])
            self.syslog.append(host)
            ctx.ok(node.line)
        elif w[0] == "ntp" and "server" in w and w.index("server") + 1 < len(w):
            self.ntp.append(w[w.index("server") + 1])
            ctx.ok(node.line)
        elif w[0] == "aaa" and len(w) >= 2 and w[1] in ("authentication", "authorization"):
            self.aaa = True if "login" in w and "group" in w else bool(self.aaa)
            ctx.ok(node.line)
        elif w[0] == "banner":
            self.banner = True
            for c in node.walk():
                ctx.ok(c.line)
        elif w[:2] == ["line", "vty"]:
            self.line_vty(node)
        elif w[:2] == ["line", "console"]:
            for c in node.walk():
                ctx.ok(c.line)
        elif t == "ftp-server":
            self.ftp = ctx.span(node.line)
            ctx.ok(node.line)
        elif w[:2] == ["ip", "ssh"] and len(w) == 2:
            self.ssh = ctx.span(node.line)
            ctx.ok(node.line)
        elif _starts(t, _IGNORED_TOP):
            for c in node.walk():
                ctx.ok(c.line)
        else:
            for c in node.walk():
                ctx.unknown(c.line)

    # -- VLANs ------------------------------------------------------------------------------

    def vlan(self, node: Node) -> None:
        ctx = self.ctx
        ids = _vlan_ids(node.words[1])
        extra = node.words[2:]
        if ids is None or (extra and extra[0] not in ("protocol-based", "mac-based", "port-based")):
            for c in node.walk():
                ctx.unknown(c.line)
            return
        ctx.ok(node.line)
        name = ""
        for c in node.children:
            if c.words[0] == "name" and len(c.words) >= 2:
                name = _unquote(c.text.split(None, 1)[1])
                ctx.ok(c.line)
            elif c.words[0] in ("state", "protocol", "mac-address", "ip", "ipv6"):
                ctx.ok(c.line)
            else:
                ctx.unknown(c.line)
        span = ctx.span(node.line)
        for vid in sorted(ids):
            self.vlans[vid] = Vlan(id=vid, span=span, name=name)

    # -- interfaces -------------------------------------------------------------------------

    def interface(self, node: Node) -> None:
        ctx = self.ctx
        w = node.words
        names: list[str] | None
        if w[1] == "range" and len(w) >= 4:
            names = expand_range(w[2], "".join(w[3:]))
        else:
            name = " ".join(w[1:])
            names = [name] if _IFACE_RE.fullmatch(name) else None
        if not names:
            for c in node.walk():
                ctx.unknown(c.line)
            ctx.warn(node.line, "cannot read the interface name")
            return
        ctx.ok(node.line)
        targets = []
        for name in names:
            it = self.ifaces.get(name)
            if it is None:
                kind, vlan = _kind(name)
                it = _Iface(name=name, span=ctx.span(node.line), kind=kind, vlan=vlan)
                if kind in (InterfaceKind.PHYSICAL, InterfaceKind.PORT_CHANNEL):
                    # Ethernet ports start as access ports of VLAN 1.
                    it.mode = SwitchportMode.ACCESS
                    it.access_vlan = 1
                self.ifaces[name] = it
            targets.append(it)
        for c in node.children:
            results = [self.if_line(it, c) for it in targets]
            if all(results):
                ctx.ok(c.line)
            else:
                ctx.unknown(c.line)
            for g in c.children:
                ctx.unknown(g.line)

    def if_line(self, it: _Iface, node: Node) -> bool:
        w = node.words
        t = node.text
        span = self.ctx.span(node.line)
        if w[0] == "description" and len(w) >= 2:
            it.description = _unquote(t.split(None, 1)[1])
        elif t == "shutdown":
            it.enabled = False
        elif t == "no shutdown":
            it.enabled = True
        elif w[:2] == ["switchport", "mode"] and len(w) == 3:
            if w[2] == "trunk":
                it.mode = SwitchportMode.TRUNK
                it.access_vlan = None
                if it.trunk_vlans is None:
                    it.trunk_vlans = set()
                if it.native_vlan is None:
                    it.native_vlan = 1
            elif w[2] in ("access", "protocol-vlan", "mac-vlan", "dot1q-tunnel"):
                it.mode = SwitchportMode.ACCESS
                it.access_vlan = it.access_vlan or 1
                if w[2] != "access":
                    it.extras["switchport_mode"] = w[2]
            else:
                return False
        elif w[:3] == ["switchport", "access", "vlan"] and len(w) == 4 and w[3].isdigit():
            it.access_vlan = int(w[3])
        elif w[:4] == ["switchport", "trunk", "allowed", "vlan"] and len(w) >= 5:
            return self.trunk_allowed(it, w[4:])
        elif w[:4] == ["switchport", "trunk", "native", "vlan"] and len(w) == 5 and w[4].isdigit():
            it.native_vlan = int(w[4])
        elif w[0] == "ip" and len(w) >= 3 and w[1] == "address":
            return self.address(it, w)
        elif w[0] == "ipv6" and len(w) >= 3 and w[1] == "address":
            try:
                it.addresses.append(ipaddress.ip_interface(w[2]))
            except ValueError:
                return False
        elif w[:2] == ["ip", "access-group"] and len(w) == 4 and w[3] in ("in", "out"):
            direction = Direction.IN if w[3] == "in" else Direction.OUT
            self.bindings.append((it.name, direction, w[2], span))
        elif w[:2] == ["vrf", "forwarding"] and len(w) == 3:
            it.vrf = w[2]
        elif w[0] == "channel-group" and len(w) >= 2:
            it.extras["channel_group"] = f"port-channel {w[1]}"
        elif w[0] == "dot1x" and len(w) >= 2:
            d = dict(it.extras.get("dot1x") or {})  # type: ignore[call-overload]
            d[w[1]] = " ".join(w[2:]) or True
            it.extras["dot1x"] = d
        elif w[0] in ("mac-authentication", "web-authentication") and len(w) >= 2:
            it.extras[w[0].replace("-", "_")] = " ".join(w[1:])
        elif _starts(t, _IGNORED_IF):
            pass
        else:
            return False
        return True

    def trunk_allowed(self, it: _Iface, args: list[str]) -> bool:
        current = set(it.trunk_vlans or ())
        if args[0] in ("add", "remove") and len(args) == 2:
            ids = _vlan_ids(args[1])
            if ids is None:
                return False
            it.trunk_vlans = current | ids if args[0] == "add" else current - ids
            return True
        if args == ["all"]:
            it.trunk_vlans = set(range(1, 4095))
            return True
        if args == ["none"]:
            it.trunk_vlans = set()
            return True
        ids = _vlan_ids(args[0]) if len(args) == 1 else None
        if ids is None:
            return False
        it.trunk_vlans = ids
        return True

    def address(self, it: _Iface, w: list[str]) -> bool:
        if len(w) < 4:
            return False
        try:
            addr = ipaddress.ip_interface(f"{w[2]}/{w[3]}")
        except ValueError:
            return False
        if "secondary" in w[4:] or not it.addresses:
            it.addresses.append(addr)
        else:
            it.addresses[0] = addr
        return True

    # -- ACLs -------------------------------------------------------------------------------

    def named_acl(self, node: Node, *, standard: bool) -> None:
        ctx = self.ctx
        name = node.words[3]
        acl = self.acls.setdefault(name, _Acl(name, ctx.span(node.line), standard))
        ctx.ok(node.line)
        for c in node.children:
            self.acl_entry(acl, c.words, c.line)
            for g in c.children:
                ctx.unknown(g.line)

    def numbered_acl(self, node: Node) -> None:
        n = int(node.words[1])
        standard = 1 <= n <= 99 or 1300 <= n <= 1999
        if not (standard or 100 <= n <= 199 or 2000 <= n <= 2699):
            self.ctx.unknown(node.line)
            return
        acl = self.acls.setdefault(
            node.words[1], _Acl(node.words[1], self.ctx.span(node.line), standard)
        )
        self.acl_entry(acl, node.words[2:], node.line)

    def acl_entry(self, acl: _Acl, words: list[str], line: int) -> None:
        ctx = self.ctx
        if words and words[0] == "remark":
            ctx.ok(line)
            return
        seq: int | None = None
        if words and words[0].isdigit():
            seq = int(words[0])
            words = words[1:]
        if words and words[0] == "remark":
            ctx.ok(line)
            return
        try:
            entry = _entry(words, standard=acl.standard)
        except (_EntryError, ValueError) as e:
            ctx.unknown(line)
            ctx.warn(line, f"cannot read access list {acl.name} entry: {e}", matters=True)
            return
        extras: dict[str, object] = {}
        if entry.ignored:
            extras["ignored_qualifiers"] = entry.ignored
            ctx.warn(
                line,
                f"access list {acl.name}: qualifiers not modelled ({' '.join(entry.ignored)}); "
                "the entry is treated as matching more packets than it does",
                matters=entry.action is Action.DENY,
            )
        if entry.match.all_unresolved:
            ctx.warn(line, f"access list {acl.name}: non-contiguous wildcard", matters=True)
        if seq is None:
            seq = (max(acl.rules, default=0) // 10 + 1) * 10
        acl.rules[seq] = Rule(
            action=entry.action,
            match=entry.match,
            span=ctx.span(line),
            name=str(seq),
            extras=extras,
        )
        ctx.ok(line)

    # -- routes -----------------------------------------------------------------------------

    def route(self, node: Node) -> None:
        w = node.words[2:]
        vrf: str | None = None
        if w[:1] == ["vrf"] and len(w) >= 2:
            vrf, w = w[1], w[2:]
        if len(w) < 3:
            self.ctx.unknown(node.line)
            return
        try:
            prefix = ipaddress.ip_network(f"{w[0]}/{w[1]}", strict=False)
        except ValueError:
            self.ctx.unknown(node.line)
            return
        rest = w[2:]
        span = self.ctx.span(node.line)
        if rest[:2] == ["null", "0"]:
            rest = ["null0", *rest[2:]]
        distance = next((int(x) for x in rest[1:] if x.isdigit()), 1)
        if rest[0] in ("null", "null0"):
            self.routes.append(
                Route(prefix=prefix, span=span, vrf=vrf, discard=True, distance=distance)
            )
        elif _is_ip(rest[0]):
            self.routes.append(
                Route(
                    prefix=prefix,
                    span=span,
                    next_hop=ipaddress.ip_address(rest[0]),
                    vrf=vrf,
                    distance=distance,
                )
            )
        else:
            self.ctx.unknown(node.line)
            return
        self.ctx.ok(node.line)

    # -- management -------------------------------------------------------------------------

    def snmp(self, node: Node) -> None:
        w = node.words
        value = _unquote(w[2])
        rest = w[3:]
        acl = None
        for i, x in enumerate(rest):
            if x in ("ro", "rw") and i + 1 < len(rest):
                acl = _unquote(rest[i + 1])
        self.communities.append(
            SnmpCommunity(
                digest=secret_digest(value),
                span=self.ctx.span(node.line, secret=True),
                guessable=value.lower() in DEFAULT_COMMUNITIES,
                write="rw" in rest,
                acl=acl,
            )
        )
        self.ctx.ok(node.line)

    def line_vty(self, node: Node) -> None:
        ctx = self.ctx
        self.vty = ctx.span(node.line)
        ctx.ok(node.line)
        for c in node.children:
            w = c.words
            if (w[:2] == ["ip", "access-group"] or w[0] == "access-class") and len(w) >= 2:
                name = w[2] if w[0] == "ip" and len(w) >= 3 else w[1]
                self.vty_acl = (name, ctx.span(c.line))
                ctx.ok(c.line)
            elif w[:2] == ["transport", "input"]:
                self.transport = (set(w[2:]), ctx.span(c.line))
                ctx.ok(c.line)
            elif w[0] in ("exec-timeout", "login", "terminal", "ipv6", "session-limit"):
                ctx.ok(c.line)
            else:
                ctx.unknown(c.line)

    def build_mgmt(self) -> Management:
        services: list[MgmtService] = []
        acl = self.vty_acl[0] if self.vty_acl else None
        sources: tuple[IPNetwork, ...] | None = None
        if acl is not None:
            a = self.acls.get(acl)
            if a is None:
                assert self.vty_acl is not None
                self.ctx.warn(
                    self.vty_acl[1].line,
                    f"line vty references undefined access list {acl!r}",
                    matters=True,
                )
            elif all(r.action is Action.PERMIT for r in a.rules.values()):
                sources = tuple(n for r in a.rules.values() for n in r.match.src.networks)
        if self.vty is not None:
            allowed = {"telnet", "ssh"}
            span = self.vty
            if self.transport is not None:
                words, span = self.transport
                allowed = {"telnet", "ssh"} if "all" in words else words & {"telnet", "ssh"}
            for proto in ("telnet", "ssh"):
                on = proto in allowed and (proto == "telnet" or self.ssh is not None)
                services.append(
                    MgmtService(
                        protocol=proto, span=span, enabled=on, allowed_sources=sources, acl=acl
                    )
                )
        if self.ftp is not None:
            services.append(
                MgmtService(protocol="ftp", span=self.ftp, allowed_sources=sources, acl=acl)
            )
        if self.communities:
            acls = {c.acl for c in self.communities}
            services.append(
                MgmtService(
                    protocol="snmp",
                    span=self.communities[0].span,
                    acl=acls.pop() if len(acls) == 1 else None,
                )
            )
        return Management(
            services=tuple(services),
            snmp_communities=tuple(self.communities),
            syslog_hosts=tuple(self.syslog),
            ntp_servers=tuple(self.ntp),
            aaa=self.aaa,
            banner=self.banner,
            password_encryption=None,
            extras={"login_passwords": "kept outside the running configuration"},
        )

    # -- assembly ---------------------------------------------------------------------------

    def build(self, name: str) -> DeviceConfig:
        ctx = self.ctx
        filters = [
            Filter(
                name=a.name,
                kind=FilterKind.ACL,
                rules=tuple(a.rules[s] for s in sorted(a.rules)),
                default_action=Action.DENY,  # 暗黙の廃棄 (implicit discard)
                default_span=None,
                family=4,
                span=a.span,
                extras={"type": "standard" if a.standard else "extended", "family": "ipv4"},
            )
            for a in self.acls.values()
        ]
        bindings = []
        for iface, direction, acl, span in self.bindings:
            if acl not in self.acls:
                ctx.warn(
                    span.line,
                    f"{iface}: ip access-group references undefined access list {acl!r}",
                    matters=True,
                )
            bindings.append(
                FilterBinding(interface=iface, direction=direction, filter=acl, span=span)
            )
        interfaces = [
            Interface(
                name=it.name,
                span=it.span,
                kind=it.kind,
                description=it.description,
                enabled=it.enabled,
                addresses=tuple(it.addresses),
                vrf=it.vrf,
                mode=it.mode,
                access_vlan=it.access_vlan if it.mode is SwitchportMode.ACCESS else None,
                trunk_vlans=frozenset(it.trunk_vlans)
                if it.mode is SwitchportMode.TRUNK and it.trunk_vlans is not None
                else None,
                native_vlan=it.native_vlan if it.mode is SwitchportMode.TRUNK else None,
                vlan=it.vlan,
                extras=dict(it.extras),
            )
            for it in self.ifaces.values()
        ]
        last = self.last
        if (
            last is not None
            and not last.children
            and last.words[0] in ("interface", "vlan", "line")
        ) or (last is not None and last.words[:2] == ["ip", "access-list"] and not last.children):
            ctx.warn(
                last.line,
                "configuration ends inside an empty block: possibly truncated",
                matters=True,
            )
        return DeviceConfig(
            name=name or self.hostname,
            platform=PLATFORM,
            source=ctx.source,
            hostname=self.hostname,
            interfaces=tuple(interfaces),
            vlans=tuple(self.vlans[v] for v in sorted(self.vlans)),
            filters=tuple(filters),
            bindings=tuple(bindings),
            routes=tuple(self.routes),
            mgmt=self.build_mgmt(),
            coverage=ctx.coverage(),
            warnings=tuple(ctx.warnings),
        )


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse an AlaxalA AX running-config into the vendor-neutral model."""
    ctx = ParseContext(source=source, text=text)
    roots, skipped = indent_tree(text, comment_chars="!#")
    ctx.skip(*skipped)
    parser = _Parser(ctx)
    parser.run(roots)
    return parser.build(name)
