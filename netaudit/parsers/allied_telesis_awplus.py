"""Allied Telesis AlliedWare Plus (AW+) parser: x-series switches and the AR-series firewalls.

Switch side: VLAN database, port ranges (``interface port1.0.1-1.0.24``), switchport modes,
hardware and software ACLs and their attachment, static routes and the management plane.
AR-series side: the entity hierarchy (``zone`` / ``network`` / ``host``), ``application``
definitions, the ``firewall`` rule list and the ``nat`` rule list.

Vendor semantics this parser relies on (AlliedWare Plus command references and How To Notes):

* Hardware ACLs (``access-list 3000-3699``, ``4000-4699``, ``access-list hardware NAME``) act on
  ingress only and forward what no entry matches: "For hardware ACLs, if no filters match then
  the packet is forwarded" (AW+ Software Reference, *ACL Rules*). Several ACLs on one port are
  checked in the order they were attached and the first match decides ("The logic of the
  operation of the hardware filters", AW+ How To Note *Hardware ACLs*), so they are
  concatenated into one filter here.
* Software ACLs (standard 1-99/1300-1999, extended 100-199/2000-2699, ``access-list
  standard|extended NAME``) end in an implicit deny ("For software ACLs, if no filters match
  then the packet is dropped").
* A trunk port carries no tagged VLAN until ``switchport trunk allowed vlan add``; VLAN 1 is
  its native (untagged) VLAN unless ``switchport trunk native vlan`` says otherwise.
* AR firewall: rules are evaluated in rule-number order; traffic no rule permits is blocked
  once the firewall is enabled with ``protect``. Sessions are tracked (stateful).
* Management defaults: the telnet and HTTP servers run unless ``no service telnet`` /
  ``no service http``; the SSH server runs only after ``service ssh``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from netaudit.model import (
    ANY_ADDRESS,
    ANY_SERVICE,
    ANY_V4,
    DEFAULT_COMMUNITIES,
    PROTO_ICMP,
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
    SwitchportMode,
    Vlan,
    secret_digest,
)
from netaudit.parsers.base import Node, ParseContext, indent_tree

PLATFORM = "allied_telesis_awplus"

# -- detection -------------------------------------------------------------------------------

_DETECT_MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^interface port\d+\.\d+\.\d+", re.M), 45),
    (re.compile(r"^access-list hardware \S+", re.M), 30),
    (re.compile(r"^access-list 3[0-6]\d\d (permit|deny|copy|send)", re.M), 25),
    (re.compile(r"^vlan database$", re.M), 15),
    (re.compile(r"^\s*vlan [\d,\-]+ state (enable|disable)", re.M), 20),
    (re.compile(r"^zone \S+$", re.M), 10),
    (re.compile(r"^\s+rule \d+ (permit|deny|reject) \S+ from ", re.M), 35),
    (re.compile(r"^\s+ip subnet \d+\.\d+\.\d+\.\d+/\d+", re.M), 20),
    (re.compile(r"^\s*protect$", re.M), 10),
    (re.compile(r"awplus|AlliedWare", re.I), 20),
    (re.compile(r"^interface (sa|po)\d+$", re.M), 10),
    (re.compile(r"^log host \d", re.M), 5),
    (re.compile(r"^interface vlan\d+$", re.M), 5),
    (re.compile(r"^\s+ip address \d+\.\d+\.\d+\.\d+/\d+", re.M), 5),
)
# Text that AW+ never produces: IOS/NX-OS/ASA interface spellings and version lines.
_FOREIGN = re.compile(
    r"^(interface (GigabitEthernet|FastEthernet|TenGigabitEthernet|Ethernet\d|Vlan\d|"
    r"gigabitethernet |tengigabitethernet )|version \d+\.\d+$|feature |ASA Version|"
    r"config system|set |#configuration list)",
    re.M,
)


def detect(text: str) -> int:
    """Confidence (0-100) that ``text`` is an AlliedWare Plus configuration."""
    score = sum(weight for pat, weight in _DETECT_MARKERS if pat.search(text))
    if score and _FOREIGN.search(text):
        score -= 40
    return max(0, min(100, score))


# -- small value parsers -----------------------------------------------------------------------

_PORT_NAMES = {
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "dns": 53,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "www": 80,
    "http": 80,
    "pop3": 110,
    "ntp": 123,
    "snmp": 161,
    "snmptrap": 162,
    "bgp": 179,
    "https": 443,
    "syslog": 514,
}


def _port(tok: str) -> int | None:
    if tok.isdigit():
        n = int(tok)
        return n if n <= 65535 else None
    return _PORT_NAMES.get(tok.lower())


def _vlan_ids(text: str) -> set[int] | None:
    """``10,20,30-40`` -> the VLAN ids, or ``None`` when the list is malformed."""
    out: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        if not lo.isdigit() or (sep and not hi.isdigit()):
            return None
        a, b = int(lo), int(hi) if sep else int(lo)
        if not 1 <= a <= b <= 4094:
            return None
        out.update(range(a, b + 1))
    return out


def _wildcard_net(addr: str, wildcard: str) -> IPNetwork | None:
    """``192.168.1.0 0.0.0.255`` -> ``192.168.1.0/24``; ``None`` for non-contiguous masks."""
    try:
        mask = int(ipaddress.IPv4Address(wildcard)) ^ 0xFFFFFFFF
        base = int(ipaddress.IPv4Address(addr))
    except ValueError:
        return None
    plen = bin(mask).count("1")
    if mask != ((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF):
        return None
    return ipaddress.IPv4Network((base & mask, plen))


def _is_ip(tok: str) -> bool:
    try:
        ipaddress.ip_address(tok)
    except ValueError:
        return False
    return True


def _network(tok: str) -> IPNetwork | None:
    try:
        return ipaddress.ip_network(tok, strict=False)
    except ValueError:
        return None


# -- ACL entry parsing -------------------------------------------------------------------------

_PROTOCOLS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP}
# Hardware ACL actions (AW+ "Actions for Hardware ACLs"): whether the packet goes on.
_HW_ACTIONS = {
    "permit": Action.PERMIT,
    "deny": Action.DENY,
    "copy-to-cpu": Action.PERMIT,
    "copy-to-mirror": Action.PERMIT,
    "send-to-cpu": Action.DENY,
    "send-to-mirror": Action.DENY,
    "send-to-vlan-port": Action.PERMIT,
}


class _EntryError(ValueError):
    """An ACL entry that could not be read."""


@dataclass
class _Cursor:
    words: list[str]
    pos: int = 0

    def peek(self, k: int = 0) -> str | None:
        i = self.pos + k
        return self.words[i] if i < len(self.words) else None

    def take(self) -> str:
        if self.pos >= len(self.words):
            raise _EntryError("unexpected end of entry")
        self.pos += 1
        return self.words[self.pos - 1]

    def done(self) -> bool:
        return self.pos >= len(self.words)


def _address(cur: _Cursor) -> AddressMatch:
    tok = cur.take()
    if tok == "any":
        return ANY_V4
    if tok == "host":
        net = _network(cur.take())
        if net is None:
            raise _EntryError("bad host address")
        return AddressMatch(networks=(net,))
    if "/" in tok:
        net = _network(tok)
        if net is None:
            raise _EntryError(f"bad prefix {tok}")
        return AddressMatch(networks=(net,))
    if _is_ip(tok):
        nxt = cur.peek()
        if nxt is not None and _is_ip(nxt) and "." in nxt:
            cur.take()
            wnet = _wildcard_net(tok, nxt)
            if wnet is None:
                return AddressMatch(networks=(), unresolved=(f"{tok} {nxt}",))
            return AddressMatch(networks=(wnet,))
        net = _network(tok)
        assert net is not None
        return AddressMatch(networks=(net,))
    raise _EntryError(f"bad address {tok}")


def _ports(cur: _Cursor) -> tuple[PortRange, ...] | None:
    op = cur.peek()
    if op not in ("eq", "lt", "gt", "ne", "neq", "range"):
        return None
    cur.take()
    a = _port(cur.take())
    if a is None:
        raise _EntryError("bad port")
    if op == "eq":
        return ((a, a),)
    if op == "lt":
        return ((0, a - 1),) if a > 0 else ()
    if op == "gt":
        return ((a + 1, 65535),) if a < 65535 else ()
    if op in ("ne", "neq"):
        return tuple(r for r in ((0, a - 1), (a + 1, 65535)) if r[0] <= r[1])
    b = _port(cur.take())
    if b is None or b < a:
        raise _EntryError("bad port range")
    return ((a, b),)


@dataclass(frozen=True)
class _Entry:
    action: Action
    match: Match
    log: bool
    ignored: tuple[str, ...]
    raw_action: str


def _ip_entry(words: list[str], *, hardware: bool) -> _Entry:
    """``permit tcp SRC [ports] DST [ports] [icmp-type N] [log] ...`` (extended/hardware)."""
    cur = _Cursor(words)
    raw = cur.take()
    action = _HW_ACTIONS.get(raw) if hardware else {"permit": Action.PERMIT}.get(raw)
    if action is None and raw == "deny":
        action = Action.DENY
    if action is None:
        raise _EntryError(f"unknown action {raw}")
    if raw == "send-to-vlan-port":
        # send-to-vlan-port vlan <vid> port <port>: skip the redirect target.
        for _ in range(4):
            cur.take()
    proto_tok = cur.take()
    if proto_tok == "mac":
        return _mac_entry(action, raw, cur)
    protocol: int | None
    if proto_tok in ("ip", "any"):
        protocol = None
    elif proto_tok in _PROTOCOLS:
        protocol = _PROTOCOLS[proto_tok]
    elif proto_tok == "proto":
        p = cur.take()
        if not p.isdigit() or int(p) > 255:
            raise _EntryError("bad protocol number")
        protocol = int(p)
    elif proto_tok.isdigit() and int(proto_tok) <= 255:
        protocol = int(proto_tok)
    else:
        raise _EntryError(f"unknown protocol {proto_tok}")
    src = _address(cur)
    sports = _ports(cur) if protocol in (PROTO_TCP, PROTO_UDP) else None
    dst = _address(cur)
    dports = _ports(cur) if protocol in (PROTO_TCP, PROTO_UDP) else None
    icmp_type: int | None = None
    icmp_code: int | None = None
    established = False
    log = False
    ignored: list[str] = []
    while not cur.done():
        tok = cur.take()
        if tok == "icmp-type" and protocol == PROTO_ICMP:
            icmp_type = int(cur.take())
        elif tok == "icmp-code" and protocol == PROTO_ICMP:
            icmp_code = int(cur.take())
        elif tok.isdigit() and protocol == PROTO_ICMP and icmp_type is None:
            icmp_type = int(tok)
        elif tok == "established" and protocol == PROTO_TCP:
            established = True
        elif tok == "log":
            log = True
        elif tok in ("vlan", "inner-vlan", "tcp-flags", "dscp", "tos", "precedence"):
            arg = cur.take() if not cur.done() else ""
            ignored.append(f"{tok} {arg}".strip())
        else:
            ignored.append(tok)
    svc = ServiceMatch(
        protocol=protocol,
        src_ports=sports,
        dst_ports=dports,
        icmp_type=icmp_type,
        icmp_code=icmp_code,
        established=established,
    )
    return _Entry(action, Match(src=src, dst=dst, services=(svc,)), log, tuple(ignored), raw)


def _mac_entry(action: Action, raw: str, cur: _Cursor) -> _Entry:
    """A MAC entry matches every IP packet when both MACs are ``any``, else an unknown set."""
    rest = cur.words[cur.pos :]
    if rest[:2] == ["any", "any"] and len(rest) == 2:
        return _Entry(action, Match(src=ANY_ADDRESS, dst=ANY_ADDRESS), False, (), raw)
    return _Entry(
        action,
        Match(src=ANY_ADDRESS, dst=ANY_ADDRESS, unresolved=("mac " + " ".join(rest),)),
        False,
        (),
        raw,
    )


def _mac_numbered_entry(words: list[str]) -> _Entry:
    """``access-list 4000 permit SRCMAC MASK|any DSTMAC MASK|any``."""
    raw = words[0]
    action = _HW_ACTIONS.get(raw)
    if action is None:
        raise _EntryError(f"unknown action {raw}")
    return _mac_entry(action, raw, _Cursor(words, 1))


def _std_entry(words: list[str]) -> _Entry:
    """``permit|deny any | host A | A W | A/len | A`` (standard ACLs)."""
    cur = _Cursor(words)
    raw = cur.take()
    action = {"permit": Action.PERMIT, "deny": Action.DENY}.get(raw)
    if action is None:
        raise _EntryError(f"unknown action {raw}")
    src = _address(cur)
    log = False
    ignored: list[str] = []
    while not cur.done():
        tok = cur.take()
        if tok == "log":
            log = True
        else:
            ignored.append(tok)
    return _Entry(action, Match(src=src, dst=ANY_V4), log, tuple(ignored), raw)


# -- AR firewall applications -------------------------------------------------------------------

# Applications used when the config names one it does not define. This is netaudit's table of
# the well-known ports of common protocols (IANA registry); a definition in the config wins.
BUILTIN_APPLICATIONS: dict[str, tuple[ServiceMatch, ...]] = {
    "any": (ANY_SERVICE,),
    "tcp": (ServiceMatch(protocol=PROTO_TCP),),
    "udp": (ServiceMatch(protocol=PROTO_UDP),),
    "icmp": (ServiceMatch(protocol=PROTO_ICMP),),
    "ping": (ServiceMatch(protocol=PROTO_ICMP, icmp_type=8),),
    "http": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((80, 80),)),),
    "https": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((443, 443),)),),
    "dns": (
        ServiceMatch(protocol=PROTO_UDP, dst_ports=((53, 53),)),
        ServiceMatch(protocol=PROTO_TCP, dst_ports=((53, 53),)),
    ),
    "ssh": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((22, 22),)),),
    "telnet": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((23, 23),)),),
    "ftp": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((21, 21),)),),
    "smtp": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((25, 25),)),),
    "pop3": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((110, 110),)),),
    "imap": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((143, 143),)),),
    "ntp": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((123, 123),)),),
    "snmp": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((161, 161),)),),
    "syslog": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((514, 514),)),),
    "tftp": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((69, 69),)),),
    "dhcp": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((67, 68),)),),
    "rdp": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((3389, 3389),)),),
    "smb": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((445, 445),)),),
    "ldap": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((389, 389),)),),
    "isakmp": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((500, 500),)),),
    "ipsec-nat-t": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((4500, 4500),)),),
    "esp": (ServiceMatch(protocol=50),),
    "gre": (ServiceMatch(protocol=47),),
}


# -- internal accumulation ----------------------------------------------------------------------


@dataclass
class _Iface:
    name: str
    span: SourceSpan
    kind: InterfaceKind
    vlan: int | None = None
    parent: str | None = None
    description: str = ""
    enabled: bool = True
    addresses: list[IPInterface] = field(default_factory=list)
    vrf: str | None = None
    mode: SwitchportMode = SwitchportMode.ROUTED
    access_vlan: int | None = None
    trunk_vlans: set[int] | None = None
    native_vlan: int | None = None
    extras: dict[str, object] = field(default_factory=dict)
    # (acl name, span) in attach order; hardware and software are split later.
    groups: list[tuple[str, Direction, SourceSpan]] = field(default_factory=list)


@dataclass
class _Acl:
    name: str
    hardware: bool
    span: SourceSpan
    rules: list[tuple[int, Rule]] = field(default_factory=list)
    standard: bool = False

    def add(self, seq: int | None, rule: Rule) -> None:
        n = seq if seq is not None else (max((s for s, _ in self.rules), default=0) // 10 + 1) * 10
        self.rules = [(s, r) for s, r in self.rules if s != n]
        self.rules.append((n, _with_name(rule, str(n))))


def _with_name(rule: Rule, name: str) -> Rule:
    return Rule(
        action=rule.action,
        match=rule.match,
        span=rule.span,
        name=name,
        enabled=rule.enabled,
        log=rule.log,
        extras=rule.extras,
    )


@dataclass
class _Host:
    name: str
    span: SourceSpan
    addresses: list[IPNetwork] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    interfaces: set[str] = field(default_factory=set)


@dataclass
class _Network:
    name: str
    span: SourceSpan
    subnets: list[tuple[IPNetwork, str | None]] = field(default_factory=list)
    hosts: dict[str, _Host] = field(default_factory=dict)


@dataclass
class _Zone:
    name: str
    span: SourceSpan
    networks: dict[str, _Network] = field(default_factory=dict)


@dataclass(frozen=True)
class _Entity:
    addresses: AddressMatch
    interfaces: frozenset[str] | None
    zone: str | None


def _iface_kind(name: str) -> tuple[InterfaceKind, int | None, str | None]:
    """Kind, VLAN id and parent of an AW+ interface name."""
    low = name.lower()
    m = re.fullmatch(r"vlan(\d+)", low)
    if m:
        return InterfaceKind.SVI, int(m.group(1)), None
    m = re.fullmatch(r"((?:eth|port\d+\.\d+\.)\d+)\.(\d+)", low)
    if m:
        return InterfaceKind.SUBINTERFACE, int(m.group(2)), name[: len(m.group(1))]
    if re.fullmatch(r"(sa|po)\d+", low):
        return InterfaceKind.PORT_CHANNEL, None, None
    if low.startswith("lo"):
        return InterfaceKind.LOOPBACK, None, None
    if low.startswith("tunnel"):
        return InterfaceKind.TUNNEL, None, None
    if low.startswith("ppp"):
        return InterfaceKind.PPP, None, None
    if re.fullmatch(r"(port\d+\.\d+\.\d+|eth\d+|wan\d+)", low):
        return InterfaceKind.PHYSICAL, None, None
    return InterfaceKind.OTHER, None, None


_RANGE = re.compile(r"([a-zA-Z]+)((?:\d+\.)*)(\d+)-(?:[a-zA-Z]+)?((?:\d+\.)*)(\d+)")


def expand_interfaces(spec: str) -> list[str] | None:
    """``port1.0.1-1.0.3,port1.0.5`` -> each interface name; ``None`` when malformed."""
    out: list[str] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        if "-" not in item:
            out.append(item)
            continue
        m = _RANGE.fullmatch(item)
        if m is None:
            return None
        prefix, head, lo, head2, hi = m.groups()
        if head2 and head2 != head:
            return None
        a, b = int(lo), int(hi)
        if b < a or b - a > 4096:
            return None
        out.extend(f"{prefix}{head}{n}" for n in range(a, b + 1))
    return out


# Commands that are understood and carry no meaning for the audit model.
_IGNORED_TOP = (
    "!",
    "end",
    "exit",
    "service password-encryption",
    "no service password-encryption",
    "clock ",
    "no clock ",
    "spanning-tree ",
    "no spanning-tree",
    "stack ",
    "switch ",
    "platform ",
    "lacp ",
    "mls qos",
    "no mls qos",
    "ip domain-lookup",
    "no ip domain-lookup",
    "ip domain-name ",
    "ip name-server ",
    "ip dns forwarding",
    "ip multicast-routing",
    "no ip multicast-routing",
    "ip igmp",
    "ipv6 forwarding",
    "atmf ",
    "no atmf",
    "loop-protection",
    "lldp ",
    "no lldp",
    "service dhcp-server",
    "no service dhcp-server",
    "service dhcp-snooping",
    "ip dhcp snooping",
    "snmp-server enable",
    "snmp-server host ",
    "snmp-server location ",
    "snmp-server contact ",
    "snmp-server view ",
    "snmp-server group ",
    "snmp-server user ",
    "snmp-server",
    "no snmp-server",
    "log buffered",
    "log console",
    "log monitor",
    "log permanent",
    "log external",
    "log event-host",
    "no log ",
    "ssh server",
    "no ssh server",
    "crypto ",
    "ntp source",
    "ntp master",
    "ntp authenticate",
    "ntp authentication-key",
    "ntp trusted-key",
    "ntp restrict",
    "no banner",
    "radius-server ",
    "tacacs-server ",
    "no aaa",
    "ip tftp",
    "security-password",
    "http secure-port",
    "mac address-table",
    "ip dhcp-relay",
    "router ",
    "update ",
    "license",
    "dpi",
    "no ip domain",
    "ip route-cache",
    "system territory",
    "ecofriendly",
    "power-inline",
    "mail ",
    "exception ",
    "auth-web-server",
    "dot1x ",
    "auth ",
    "radius ",
    "storm-control",
    "ip source binding",
    "track ",
    "ip http",
    "ip ssh",
)
_IGNORED_IF = (
    "spanning-tree",
    "speed ",
    "duplex ",
    "mtu ",
    "lldp ",
    "no lldp",
    "storm-control",
    "loop-protection",
    "thrash-limiting",
    "polarity ",
    "flowcontrol ",
    "power-inline",
    "no power-inline",
    "ip igmp",
    "ip dhcp-relay",
    "ip helper-address",
    "ip ospf",
    "ip pim",
    "ip mtu",
    "ip tcp adjust-mss",
    "ipv6 nd",
    "ipv6 enable",
    "mls qos",
    "service-policy",
    "egress-rate-limit",
    "ip dhcp snooping",
    "arp-security",
    "no ip proxy-arp",
    "ip proxy-arp",
    "switchport voice",
    "switchport enable",
    "antivirus",
    "transceiver",
    "ip unreachables",
    "no ip unreachables",
    "ip mtu",
    "ip nat",
    "ppp ",
    "keepalive",
    "bandwidth",
    "link-flap",
    "ecofriendly",
    "epsr",
    "no shutdown",
)


def _starts(text: str, prefixes: Iterable[str]) -> bool:
    return any(text == p.strip() or text.startswith(p) for p in prefixes)


class _Parser:
    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.hostname = ""
        self.ifaces: dict[str, _Iface] = {}
        self.vlans: dict[int, Vlan] = {}
        self.acls: dict[str, _Acl] = {}
        self.routes: list[Route] = []
        self.services: dict[str, tuple[bool, SourceSpan]] = {}
        self.communities: list[SnmpCommunity] = []
        self.credentials: list[Credential] = []
        self.syslog: list[str] = []
        self.ntp: list[str] = []
        self.aaa: bool | None = None
        self.ssh_versions = "1,2"
        self.banner: bool | None = None
        self.password_encryption: bool | None = None
        self.vty_acl: tuple[str, SourceSpan] | None = None
        self.vty_span: SourceSpan | None = None
        self.mgmt_extras: dict[str, object] = {}
        self.zones: dict[str, _Zone] = {}
        self.apps: dict[str, tuple[tuple[ServiceMatch, ...], SourceSpan]] = {}
        self.fw_rules: list[tuple[int, Node]] = []
        self.fw_span: SourceSpan | None = None
        self.fw_protect: SourceSpan | None = None
        self.nat_nodes: list[tuple[int, Node]] = []
        self.nat_enabled: bool | None = None
        self.saw_end = False

    # -- dispatch ---------------------------------------------------------------------------

    def run(self, roots: list[Node]) -> None:
        for node in roots:
            try:
                self.top(node)
            except (ValueError, IndexError) as e:
                self.ctx.unknown(node.line)
                self.ctx.warn(node.line, f"cannot read: {e}")

    def top(self, node: Node) -> None:
        w = node.words
        t = node.text
        ctx = self.ctx
        if w[0] == "hostname" and len(w) == 2:
            self.hostname = w[1]
            ctx.ok(node.line)
        elif t == "vlan database":
            ctx.ok(node.line)
            for c in node.children:
                self.vlan_line(c)
        elif w[0] == "interface" and len(w) >= 2:
            self.interface(node)
        elif w[0] == "access-list":
            self.access_list(node)
        elif w[0] in ("ip", "ipv6") and len(w) >= 3 and w[1] == "route":
            self.route(node)
        elif w[0] in ("service", "no") and self.service(node):
            pass
        elif w[:2] == ["ssh", "server"] and len(w) == 3 and w[2] in ("v2only", "v1v2"):
            # SSH protocol versions the server accepts; the default is v1v2 (AW+ command
            # reference, "ssh server").
            self.ssh_versions = "2" if w[2] == "v2only" else "1,2"
            ctx.ok(node.line)
        elif w[0] == "snmp-server" and len(w) >= 3 and w[1] == "community":
            self.snmp_community(node)
        elif w[0] == "log" and len(w) >= 3 and w[1] == "host":
            self.syslog.append(w[2])
            ctx.ok(node.line)
        elif w[0] == "ntp" and len(w) >= 3 and w[1] in ("server", "peer"):
            self.ntp.append(w[2])
            ctx.ok(node.line)
        elif w[0] == "username" and len(w) >= 2:
            self.username(node)
        elif w[0] == "enable" and len(w) >= 3 and w[1] in ("password", "secret"):
            self.credential(node, "enable", None, w[2:])
        elif w[0] == "aaa" and len(w) >= 3 and w[1] in ("authentication", "authorization"):
            # Central AAA for logins: `aaa authentication login ... group radius|tacacs+`.
            if "login" in w and "group" in w:
                self.aaa = True
            elif self.aaa is None:
                self.aaa = False
            ctx.ok(node.line)
        elif w[0] == "banner":
            self.banner = True
            ctx.ok(node.line)
            for c in node.walk():
                ctx.ok(c.line)
        elif w[0] == "line" and len(w) >= 2 and w[1] in ("vty", "con", "console"):
            self.line(node)
        elif w[0] == "vty" and len(w) >= 3 and w[1] == "access-class":
            self.vty_acl = (w[2], ctx.span(node.line))
            ctx.ok(node.line)
        elif w[0] == "zone" and len(w) == 2:
            self.zone(node)
        elif w[0] == "application" and len(w) == 2:
            self.application(node)
        elif t == "firewall":
            self.firewall(node)
        elif t == "nat":
            self.nat(node)
        elif t == "end":
            self.saw_end = True
            ctx.ok(node.line)
        elif _starts(t, _IGNORED_TOP):
            for c in node.walk():
                ctx.ok(c.line)
        else:
            ctx.unknown(node.line)
            for c in node.walk():
                ctx.unknown(c.line)

    # -- VLANs ------------------------------------------------------------------------------

    def vlan_line(self, node: Node) -> None:
        w = node.words
        if w[0] == "no":
            self.ctx.ok(node.line)
            return
        ids = _vlan_ids(w[1]) if w[0] == "vlan" and len(w) >= 2 else None
        if ids is None:
            self.ctx.unknown(node.line)
            return
        name = ""
        rest = w[2:]
        if rest[:1] == ["name"] and len(rest) >= 2:
            name = rest[1]
            rest = rest[2:]
        if rest[:1] == ["state"]:
            rest = rest[2:]
        if rest:
            self.ctx.unknown(node.line)
            return
        span = self.ctx.span(node.line)
        for vid in sorted(ids):
            old = self.vlans.get(vid)
            self.vlans[vid] = Vlan(
                id=vid, span=old.span if old else span, name=name or (old.name if old else "")
            )
        self.ctx.ok(node.line)

    # -- interfaces -------------------------------------------------------------------------

    def interface(self, node: Node) -> None:
        ctx = self.ctx
        names = expand_interfaces("".join(node.words[1:]))
        if not names:
            ctx.unknown(node.line)
            ctx.warn(node.line, "cannot read the interface list")
            for c in node.walk():
                ctx.unknown(c.line)
            return
        ctx.ok(node.line)
        targets: list[_Iface] = []
        for name in names:
            it = self.ifaces.get(name)
            if it is None:
                kind, vlan, parent = _iface_kind(name)
                it = _Iface(
                    name=name, span=ctx.span(node.line), kind=kind, vlan=vlan, parent=parent
                )
                if kind in (InterfaceKind.PORT_CHANNEL,) or name.lower().startswith("port"):
                    # AW+ switch ports and channel groups are access ports in VLAN 1 by default.
                    it.mode = SwitchportMode.ACCESS
                    it.access_vlan = 1
                self.ifaces[name] = it
            targets.append(it)
        for c in node.children:
            ok = True
            for it in targets:
                ok = self.if_line(it, c) and ok
            if ok:
                ctx.ok(c.line)
            else:
                ctx.unknown(c.line)
            for gc in c.children:
                ctx.unknown(gc.line)

    def if_line(self, it: _Iface, node: Node) -> bool:
        w = node.words
        t = node.text
        span = self.ctx.span(node.line)
        if w[0] == "description":
            it.description = t.split(None, 1)[1] if len(w) > 1 else ""
        elif t == "shutdown":
            it.enabled = False
        elif t == "no shutdown":
            it.enabled = True
        elif t == "switchport":
            if it.mode is SwitchportMode.ROUTED:
                it.mode = SwitchportMode.ACCESS
                it.access_vlan = 1
        elif w[:2] == ["switchport", "mode"] and len(w) >= 3:
            if w[2] == "access":
                it.mode = SwitchportMode.ACCESS
                it.access_vlan = it.access_vlan or 1
                it.trunk_vlans = None
                it.native_vlan = None
            elif w[2] == "trunk":
                it.mode = SwitchportMode.TRUNK
                it.access_vlan = None
                if it.trunk_vlans is None:
                    it.trunk_vlans = set()
                if it.native_vlan is None and "native_vlan" not in it.extras:
                    it.native_vlan = 1
            else:
                return False
            if "ingress-filter" in w:
                it.extras["ingress_filter"] = w[-1]
        elif w[:3] == ["switchport", "access", "vlan"] and len(w) == 4 and w[3].isdigit():
            it.access_vlan = int(w[3])
        elif w[:4] == ["switchport", "trunk", "allowed", "vlan"] and len(w) >= 5:
            return self.trunk_allowed(it, w[4:])
        elif w[:4] == ["switchport", "trunk", "native", "vlan"] and len(w) == 5:
            if w[4] == "none":
                it.native_vlan = None
                it.extras["native_vlan"] = "none"
            elif w[4].isdigit():
                it.native_vlan = int(w[4])
                it.extras.pop("native_vlan", None)
            else:
                return False
        elif w[:2] == ["switchport", "port-security"]:
            ps = dict(_as_dict(it.extras.get("port_security")))
            ps["enabled"] = True
            if len(w) >= 4:
                ps[w[2]] = w[3]
            it.extras["port_security"] = ps
        elif w[0] == "dot1x" and len(w) >= 2:
            d = dict(_as_dict(it.extras.get("dot1x")))
            d[w[1]] = " ".join(w[2:]) or True
            it.extras["dot1x"] = d
        elif w[0] in ("auth-mac", "auth-web") and len(w) >= 2:
            it.extras[w[0].replace("-", "_")] = " ".join(w[1:])
        elif w[0] == "auth" and len(w) >= 2:
            d = dict(_as_dict(it.extras.get("auth")))
            d[w[1]] = " ".join(w[2:]) or True
            it.extras["auth"] = d
        elif w[0] in ("ip", "ipv6") and len(w) >= 3 and w[1] == "address":
            return self.if_address(it, w)
        elif w[:3] == ["ip", "vrf", "forwarding"] and len(w) == 4:
            it.vrf = w[3]
        elif w[0] == "access-group" and len(w) == 2:
            it.groups.append((w[1], Direction.IN, span))
        elif w[0] in ("ip", "mac") and len(w) in (3, 4) and w[1] == "access-group":
            direction = Direction.OUT if w[-1] == "out" else Direction.IN
            it.groups.append((w[2], direction, span))
        elif w[0] == "static-channel-group" and len(w) >= 2:
            it.extras["channel_group"] = f"sa{w[1]}"
        elif w[0] == "channel-group" and len(w) >= 2:
            it.extras["channel_group"] = f"po{w[1]}"
        elif w[:2] == ["encapsulation", "dot1q"] and len(w) == 3 and w[2].isdigit():
            it.vlan = int(w[2])
        elif _starts(t, _IGNORED_IF):
            pass
        else:
            return False
        return True

    def trunk_allowed(self, it: _Iface, args: list[str]) -> bool:
        current = set(it.trunk_vlans or ())
        op = args[0]
        if op == "all" and len(args) == 1:
            it.trunk_vlans = set(range(1, 4095))
        elif op == "none" and len(args) == 1:
            it.trunk_vlans = set()
        elif op in ("add", "remove", "except") and len(args) == 2:
            ids = _vlan_ids(args[1])
            if ids is None:
                return False
            if op == "add":
                it.trunk_vlans = current | ids
            elif op == "remove":
                it.trunk_vlans = current - ids
            else:
                it.trunk_vlans = set(range(1, 4095)) - ids
        else:
            ids = _vlan_ids(op) if len(args) == 1 else None
            if ids is None:
                return False
            it.trunk_vlans = ids
        return True

    def if_address(self, it: _Iface, w: list[str]) -> bool:
        if len(w) >= 3 and w[2] in ("dhcp", "negotiated"):
            it.extras["address"] = w[2]
            return True
        try:
            if len(w) >= 4 and _is_ip(w[3]):
                addr: IPInterface = ipaddress.ip_interface(f"{w[2]}/{w[3]}")
            else:
                addr = ipaddress.ip_interface(w[2])
        except ValueError:
            return False
        if "secondary" in w or not it.addresses:
            it.addresses.append(addr)
        else:
            # A second non-secondary address replaces the primary, as on the device.
            it.addresses[0] = addr
        return True

    # -- ACLs -------------------------------------------------------------------------------

    def acl(self, name: str, hardware: bool, span: SourceSpan) -> _Acl:
        a = self.acls.get(name)
        if a is None:
            a = _Acl(name=name, hardware=hardware, span=span)
            self.acls[name] = a
        return a

    def access_list(self, node: Node) -> None:
        ctx = self.ctx
        w = node.words
        span = ctx.span(node.line)
        if len(w) >= 3 and w[1] in ("hardware", "extended", "standard") and not w[2].isdigit():
            hardware = w[1] == "hardware"
            a = self.acl(w[2], hardware, span)
            a.standard = w[1] == "standard"
            ctx.ok(node.line)
            if len(w) > 3:  # one-line form: access-list standard NAME permit ...
                self.acl_entry(a, w[3:], node.line)
            for c in node.children:
                self.acl_entry(a, c.words, c.line)
                for gc in c.children:
                    ctx.unknown(gc.line)
            return
        if len(w) >= 3 and w[1].isdigit():
            n = int(w[1])
            hardware = 3000 <= n <= 4699
            std = 1 <= n <= 99 or 1300 <= n <= 1999
            ext = 100 <= n <= 199 or 2000 <= n <= 2699
            if not (hardware or std or ext):
                ctx.unknown(node.line)
                return
            a = self.acl(w[1], hardware, span)
            a.standard = std
            self.acl_entry(a, w[2:], node.line, mac=4000 <= n <= 4699)
            return
        ctx.unknown(node.line)

    def acl_entry(self, a: _Acl, words: list[str], line: int, *, mac: bool = False) -> None:
        ctx = self.ctx
        if not words:
            ctx.unknown(line)
            return
        if words[0] == "remark":
            ctx.ok(line)
            return
        seq: int | None = None
        if words[0].isdigit():
            seq = int(words[0])
            words = words[1:]
        if not words:
            ctx.unknown(line)
            return
        try:
            if mac:
                entry = _mac_numbered_entry(words)
            elif a.standard:
                entry = _std_entry(words)
            else:
                entry = _ip_entry(words, hardware=a.hardware)
        except (_EntryError, ValueError) as e:
            ctx.unknown(line)
            ctx.warn(line, f"cannot read ACL {a.name} entry: {e}", matters=True)
            return
        extras: dict[str, object] = {}
        if entry.raw_action not in ("permit", "deny"):
            extras["action"] = entry.raw_action
        if entry.ignored:
            extras["ignored_qualifiers"] = entry.ignored
            ctx.warn(
                line,
                f"ACL {a.name}: qualifiers not modelled ({' '.join(entry.ignored)}); "
                "the entry is treated as matching more packets than it does",
                matters=entry.action is Action.DENY,
            )
        if entry.match.unresolved:
            ctx.warn(line, f"ACL {a.name}: entry matches on MAC addresses", matters=True)
        rule = Rule(
            action=entry.action,
            match=entry.match,
            span=ctx.span(line),
            log=entry.log,
            extras=extras,
        )
        a.add(seq, rule)
        ctx.ok(line)

    # -- routes -----------------------------------------------------------------------------

    def route(self, node: Node) -> None:
        w = node.words[2:]
        vrf: str | None = None
        if w[:1] == ["vrf"] and len(w) >= 2:
            vrf = w[1]
            w = w[2:]
        if not w:
            self.ctx.unknown(node.line)
            return
        prefix: IPNetwork | None
        if len(w) >= 2 and _is_ip(w[0]) and _is_ip(w[1]) and "." in w[1] and "/" not in w[0]:
            prefix = _network(f"{w[0]}/{w[1]}")
            w = w[2:]
        else:
            prefix = _network(w[0])
            w = w[1:]
        if prefix is None or not w:
            self.ctx.unknown(node.line)
            return
        hop: str = w[0]
        distance = int(w[1]) if len(w) >= 2 and w[1].isdigit() else 1
        span = self.ctx.span(node.line)
        if hop.lower() in ("null", "null0", "blackhole"):
            self.routes.append(
                Route(prefix=prefix, span=span, vrf=vrf, discard=True, distance=distance)
            )
        elif _is_ip(hop):
            self.routes.append(
                Route(
                    prefix=prefix,
                    span=span,
                    next_hop=ipaddress.ip_address(hop),
                    vrf=vrf,
                    distance=distance,
                )
            )
        else:
            self.routes.append(
                Route(prefix=prefix, span=span, interface=hop, vrf=vrf, distance=distance)
            )
        self.ctx.ok(node.line)

    # -- management -------------------------------------------------------------------------

    def service(self, node: Node) -> bool:
        w = node.words
        negate = w[0] == "no"
        rest = w[1:] if negate else w
        if len(rest) < 2 or rest[0] != "service":
            return False
        svc = rest[1]
        span = self.ctx.span(node.line)
        if svc == "password-encryption":
            self.password_encryption = not negate
        elif svc in ("telnet", "ssh", "http", "https"):
            self.services[svc] = (not negate, span)
        elif svc in ("dhcp-server", "dhcp-snooping", "power-inline", "terminal-length"):
            pass
        else:
            return False
        self.ctx.ok(node.line)
        return True

    def snmp_community(self, node: Node) -> None:
        w = node.words
        value = w[2]
        rest = w[3:]
        write = "rw" in rest
        acl = next(
            (x for x in rest if x not in ("rw", "ro", "view") and not x.startswith("v")), None
        )
        self.communities.append(
            SnmpCommunity(
                digest=secret_digest(value),
                span=self.ctx.span(node.line, secret=True),
                guessable=value.lower() in DEFAULT_COMMUNITIES,
                write=write,
                acl=acl,
            )
        )
        self.ctx.ok(node.line)

    def username(self, node: Node) -> None:
        w = node.words
        user = w[1]
        if "password" in w:
            self.credential(node, "user", user, w[w.index("password") + 1 :])
        elif "secret" in w:
            self.credential(node, "user", user, w[w.index("secret") + 1 :])
        else:
            self.ctx.ok(node.line)

    def credential(self, node: Node, kind: str, user: str | None, args: list[str]) -> None:
        if len(args) >= 2 and args[0] in ("8", "5"):
            storage = CredentialStorage.HASHED
            detail = f"type {args[0]}"
        elif args:
            storage = CredentialStorage.PLAIN
            detail = "clear text"
        else:
            storage = CredentialStorage.NONE
            detail = ""
        self.credentials.append(
            Credential(
                kind=kind,
                span=self.ctx.span(node.line, secret=True),
                storage=storage,
                user=user,
                detail=detail,
            )
        )
        self.ctx.ok(node.line)

    def line(self, node: Node) -> None:
        ctx = self.ctx
        ctx.ok(node.line)
        vty = node.words[1] == "vty"
        if vty:
            self.vty_span = ctx.span(node.line)
        for c in node.children:
            w = c.words
            if w[0] == "access-class" and len(w) >= 2 and vty:
                self.vty_acl = (w[1], ctx.span(c.line))
                ctx.ok(c.line)
            elif w[0] == "password" and len(w) >= 2:
                self.credential(c, "line", None, w[1:])
            elif w[0] in ("login", "exec-timeout", "length", "privilege", "stopbits", "speed"):
                ctx.ok(c.line)
            else:
                ctx.unknown(c.line)

    # -- AR firewall entities and rules -----------------------------------------------------

    def zone(self, node: Node) -> None:
        ctx = self.ctx
        z = self.zones.setdefault(node.words[1], _Zone(node.words[1], ctx.span(node.line)))
        ctx.ok(node.line)
        for c in node.children:
            if c.words[0] == "network" and len(c.words) == 2:
                ctx.ok(c.line)
                net = z.networks.setdefault(c.words[1], _Network(c.words[1], ctx.span(c.line)))
                for g in c.children:
                    self.network_line(net, g)
            else:
                ctx.unknown(c.line)
                for g in c.walk():
                    ctx.unknown(g.line)

    def network_line(self, net: _Network, node: Node) -> None:
        ctx = self.ctx
        w = node.words
        if w[:2] == ["ip", "subnet"] and len(w) in (3, 5):
            subnet = _network(w[2])
            iface = w[4] if len(w) == 5 and w[3] == "interface" else None
            if subnet is None or (len(w) == 5 and iface is None):
                ctx.unknown(node.line)
                return
            net.subnets.append((subnet, iface))
            ctx.ok(node.line)
        elif w[0] == "host" and len(w) == 2:
            ctx.ok(node.line)
            h = net.hosts.setdefault(w[1], _Host(w[1], ctx.span(node.line)))
            for c in node.children:
                cw = c.words
                if cw[:2] == ["ip", "address"] and len(cw) >= 3:
                    if cw[2] == "dynamic":
                        h.unresolved.append(f"dynamic address of {net.name}.{h.name}")
                    else:
                        a = _network(cw[2])
                        if a is None:
                            ctx.unknown(c.line)
                            continue
                        h.addresses.append(a)
                    if "interface" in cw and cw.index("interface") + 1 < len(cw):
                        h.interfaces.add(cw[cw.index("interface") + 1])
                    ctx.ok(c.line)
                else:
                    ctx.unknown(c.line)
        else:
            ctx.unknown(node.line)
            for c in node.walk():
                ctx.unknown(c.line)

    def application(self, node: Node) -> None:
        ctx = self.ctx
        ctx.ok(node.line)
        protocol: int | None = None
        sports: tuple[PortRange, ...] | None = None
        dports: tuple[PortRange, ...] | None = None
        itype: int | None = None
        icode: int | None = None
        for c in node.children:
            w = c.words
            try:
                if w[0] == "protocol" and len(w) == 2:
                    p = w[1].lower()
                    protocol = _PROTOCOLS.get(p) if p in _PROTOCOLS else int(p)
                elif w[0] in ("dport", "sport") and len(w) in (2, 4):
                    lo = int(w[1])
                    hi = int(w[3]) if len(w) == 4 and w[2] == "to" else lo
                    if hi < lo or hi > 65535:
                        raise ValueError("bad port range")
                    if w[0] == "dport":
                        dports = (dports or ()) + ((lo, hi),)
                    else:
                        sports = (sports or ()) + ((lo, hi),)
                elif w[0] == "icmp-type" and len(w) == 2:
                    itype = int(w[1])
                elif w[0] == "icmp-code" and len(w) == 2:
                    icode = int(w[1])
                else:
                    ctx.unknown(c.line)
                    continue
            except ValueError:
                ctx.unknown(c.line)
                continue
            ctx.ok(c.line)
        svc = ServiceMatch(
            protocol=protocol,
            src_ports=sports,
            dst_ports=dports,
            icmp_type=itype,
            icmp_code=icode,
            name=node.words[1],
        )
        self.apps[node.words[1]] = ((svc,), ctx.span(node.line))

    def firewall(self, node: Node) -> None:
        ctx = self.ctx
        self.fw_span = ctx.span(node.line)
        ctx.ok(node.line)
        for c in node.children:
            w = c.words
            if w[0] == "rule" and len(w) >= 4 and w[1].isdigit():
                self.fw_rules.append((int(w[1]), c))
            elif c.text == "protect":
                self.fw_protect = ctx.span(c.line)
                ctx.ok(c.line)
            elif c.text in ("no protect", "enable") or w[0] in (
                "connection-limit",
                "sip-alg",
                "ftp-alg",
                "tftp-alg",
            ):
                ctx.ok(c.line)
            else:
                ctx.unknown(c.line)

    def nat(self, node: Node) -> None:
        ctx = self.ctx
        ctx.ok(node.line)
        for c in node.children:
            w = c.words
            if w[0] == "rule" and len(w) >= 4 and w[1].isdigit():
                self.nat_nodes.append((int(w[1]), c))
            elif c.text == "enable":
                self.nat_enabled = True
                ctx.ok(c.line)
            elif c.text == "no enable":
                self.nat_enabled = False
                ctx.ok(c.line)
            else:
                ctx.unknown(c.line)

    def entity(self, ref: str, line: int, *, what: str) -> _Entity:
        """Resolve ``zone[.network[.host]]`` to its addresses and ingress/egress interfaces."""
        parts = ref.split(".")
        zone = self.zones.get(parts[0])
        if zone is None or len(parts) > 3:
            self.ctx.warn(line, f"{what}: undefined entity {ref!r}", matters=True)
            return _Entity(AddressMatch(networks=(), unresolved=(ref,)), None, None)
        networks = list(zone.networks.values())
        if len(parts) >= 2:
            net = zone.networks.get(parts[1])
            if net is None:
                self.ctx.warn(line, f"{what}: undefined entity {ref!r}", matters=True)
                return _Entity(AddressMatch(networks=(), unresolved=(ref,)), None, zone.name)
            networks = [net]
        subnets = [s for n in networks for s in n.subnets]
        ifaces: set[str] = set()
        unbound = False
        for _, iface in subnets:
            if iface is None:
                unbound = True
            else:
                ifaces.add(iface)
        if len(parts) == 3:
            host = networks[0].hosts.get(parts[2])
            if host is None:
                self.ctx.warn(line, f"{what}: undefined entity {ref!r}", matters=True)
                return _Entity(AddressMatch(networks=(), unresolved=(ref,)), None, zone.name)
            if host.interfaces:
                ifaces, unbound = set(host.interfaces), False
            if host.unresolved:
                self.ctx.warn(line, f"{what}: {ref} has a dynamic address", matters=True)
            am = AddressMatch(networks=tuple(host.addresses), unresolved=tuple(host.unresolved))
        else:
            am = AddressMatch(networks=tuple(s for s, _ in subnets))
            if not subnets:
                self.ctx.warn(line, f"{what}: entity {ref!r} has no subnet", matters=True)
        interfaces = None if unbound or not ifaces else frozenset(ifaces)
        return _Entity(am, interfaces, zone.name)

    def app_services(self, app: str, line: int, what: str) -> tuple[tuple[ServiceMatch, ...], str]:
        if app in self.apps:
            return self.apps[app][0], "config"
        if app in BUILTIN_APPLICATIONS:
            return BUILTIN_APPLICATIONS[app], "builtin"
        self.ctx.warn(line, f"{what}: undefined application {app!r}", matters=True)
        return (), "undefined"

    def build_policy(self) -> Filter | None:
        if self.fw_span is None:
            return None
        ctx = self.ctx
        protected = self.fw_protect is not None
        if not protected:
            ctx.warn(
                self.fw_span.line,
                "firewall rules are configured but the firewall is not enabled (no `protect`)",
            )
        rules: list[Rule] = []
        for num, node in sorted(self.fw_rules, key=lambda x: x[0]):
            w = node.words
            action = {"permit": Action.PERMIT, "deny": Action.DENY, "reject": Action.DENY}.get(w[2])
            args = w[4:]
            src_ref = dst_ref = None
            log = False
            ok = action is not None
            i = 0
            while ok and i < len(args):
                if args[i] in ("from", "to") and i + 1 < len(args):
                    if args[i] == "from":
                        src_ref = args[i + 1]
                    else:
                        dst_ref = args[i + 1]
                    i += 2
                elif args[i] == "log":
                    log = True
                    i += 1
                elif args[i] == "no-state-enforcement":
                    i += 1
                else:
                    ok = False
            if not ok or action is None:
                ctx.unknown(node.line)
                ctx.warn(node.line, f"cannot read firewall rule {num}", matters=True)
                continue
            what = f"firewall rule {num}"
            services, app_src = self.app_services(w[3], node.line, what)
            src = self.entity(src_ref, node.line, what=what) if src_ref else None
            dst = self.entity(dst_ref, node.line, what=what) if dst_ref else None
            unresolved = (w[3],) if app_src == "undefined" else ()
            extras: dict[str, object] = {"application": w[3], "application_source": app_src}
            if src_ref:
                extras["from"] = src_ref
            if dst_ref:
                extras["to"] = dst_ref
            if w[2] == "reject":
                extras["action"] = "reject"
            rules.append(
                Rule(
                    action=action,
                    match=Match(
                        src=src.addresses if src else ANY_ADDRESS,
                        dst=dst.addresses if dst else ANY_ADDRESS,
                        services=services,
                        unresolved=unresolved,
                    ),
                    span=ctx.span(node.line),
                    name=str(num),
                    enabled=protected,
                    log=log,
                    in_interfaces=src.interfaces if src else None,
                    out_interfaces=dst.interfaces if dst else None,
                    extras=extras,
                )
            )
            ctx.ok(node.line)
        return Filter(
            name="firewall",
            kind=FilterKind.POLICY,
            rules=tuple(rules),
            # With `protect`, what no rule permits is blocked; without it nothing is filtered.
            default_action=Action.DENY if protected else Action.PERMIT,
            default_span=None,
            stateful=True,
            span=self.fw_span,
            extras={"protect": protected},
        )

    def build_nat(self) -> list[NatRule]:
        ctx = self.ctx
        out: list[NatRule] = []
        for num, node in sorted(self.nat_nodes, key=lambda x: x[0]):
            w = node.words
            kind_word = w[2]
            what = f"nat rule {num}"
            m = re.fullmatch(
                r"rule \d+ (masq|portfwd|netmap) (\S+)(?: from (\S+))?(?: to (\S+))?"
                r"(?: with (src|dst) (\S+))?(?: dport (\d+)(?: to (\d+))?)?",
                node.text,
            )
            if m is None:
                ctx.unknown(node.line)
                ctx.warn(node.line, f"cannot read {what}", matters=True)
                continue
            _, app, src_ref, dst_ref, with_kind, with_ref, dport, dport_hi = m.groups()
            services, app_src = self.app_services(app, node.line, what)
            src = self.entity(src_ref, node.line, what=what) if src_ref else None
            dst = self.entity(dst_ref, node.line, what=what) if dst_ref else None
            target = self.entity(with_ref, node.line, what=what) if with_ref else None
            translated = target.addresses.networks if target else None
            kind = {"masq": NatKind.SOURCE, "portfwd": NatKind.DESTINATION}.get(
                kind_word, NatKind.STATIC
            )
            extras: dict[str, object] = {"type": kind_word, "application": app}
            if kind_word == "masq" and target is None:
                extras["translated"] = "egress interface address"
            ports: PortRange | None = None
            if dport:
                ports = (int(dport), int(dport_hi or dport))
            out.append(
                NatRule(
                    kind=kind,
                    match=Match(
                        src=src.addresses if src else ANY_ADDRESS,
                        dst=dst.addresses if dst else ANY_ADDRESS,
                        services=services,
                        unresolved=(app,) if app_src == "undefined" else (),
                    ),
                    span=ctx.span(node.line),
                    name=str(num),
                    enabled=self.nat_enabled is not False,
                    in_interfaces=src.interfaces if src else None,
                    # A port forward's `to` is the device's own public address: after the
                    # translation the packet leaves towards the `with dst` entity.
                    out_interfaces=(target.interfaces if target else None)
                    if kind is NatKind.DESTINATION
                    else (dst.interfaces if dst else None),
                    translated_src=translated if with_kind == "src" else None,
                    translated_dst=translated if with_kind == "dst" else None,
                    translated_dst_ports=ports,
                    extras=extras,
                )
            )
            ctx.ok(node.line)
        return out

    # -- assembly ---------------------------------------------------------------------------

    def build_filters(self) -> tuple[list[Filter], list[FilterBinding]]:
        ctx = self.ctx
        filters: dict[str, Filter] = {}
        for a in self.acls.values():
            filters[a.name] = Filter(
                name=a.name,
                kind=FilterKind.ACL,
                rules=tuple(r for _, r in sorted(a.rules, key=lambda x: x[0])),
                default_action=Action.PERMIT if a.hardware else Action.DENY,
                span=a.span,
                extras={
                    "type": "hardware" if a.hardware else "standard" if a.standard else "extended"
                },
            )
        bindings: list[FilterBinding] = []
        chains: dict[tuple[tuple[str, ...], ...], str] = {}
        for it in self.ifaces.values():
            hw: list[tuple[str, SourceSpan]] = []
            for name, direction, span in it.groups:
                acl = self.acls.get(name)
                if acl is None:
                    ctx.warn(
                        span.line,
                        f"{it.name}: access-group references undefined ACL {name!r}",
                        matters=True,
                    )
                    bindings.append(
                        FilterBinding(
                            interface=it.name, direction=direction, filter=name, span=span
                        )
                    )
                elif acl.hardware:
                    hw.append((name, span))
                else:
                    bindings.append(
                        FilterBinding(
                            interface=it.name, direction=direction, filter=name, span=span
                        )
                    )
            if len(hw) == 1:
                bindings.append(
                    FilterBinding(
                        interface=it.name, direction=Direction.IN, filter=hw[0][0], span=hw[0][1]
                    )
                )
            elif len(hw) > 1:
                # Several hardware ACLs on one port: checked in attach order, first match wins.
                key = tuple((n,) for n, _ in hw)
                chain = chains.get(key)
                if chain is None:
                    chain = "+".join(n for n, _ in hw)
                    chains[key] = chain
                    rules: list[Rule] = []
                    for n, _ in hw:
                        rules.extend(_with_name(r, f"{n}:{r.name}") for r in filters[n].rules)
                    filters[chain] = Filter(
                        name=chain,
                        kind=FilterKind.ACL,
                        rules=tuple(rules),
                        default_action=Action.PERMIT,
                        span=hw[0][1],
                        extras={"type": "hardware", "chain": tuple(n for n, _ in hw)},
                    )
                bindings.append(
                    FilterBinding(
                        interface=it.name, direction=Direction.IN, filter=chain, span=hw[0][1]
                    )
                )
        return list(filters.values()), bindings

    def build_mgmt(self) -> Management:
        ctx = self.ctx
        default = SourceSpan(file=ctx.source, line=0, text="(default)")
        vty_acl = self.vty_acl[0] if self.vty_acl else None
        sources: tuple[IPNetwork, ...] | None = None
        if vty_acl is not None:
            acl = self.acls.get(vty_acl)
            if acl is None:
                assert self.vty_acl is not None
                ctx.warn(
                    self.vty_acl[1].line,
                    f"vty access-class references undefined ACL {vty_acl!r}",
                    matters=True,
                )
            elif all(r.action is Action.PERMIT for _, r in acl.rules):
                sources = tuple(n for _, r in acl.rules for n in r.match.src.networks)
        services: list[MgmtService] = []
        for proto, default_on in (
            ("telnet", True),
            ("ssh", False),
            ("http", True),
            ("https", False),
        ):
            on, span = self.services.get(proto, (default_on, default))
            if proto == "https" and proto not in self.services:
                continue
            remote_login = proto in ("telnet", "ssh")
            services.append(
                MgmtService(
                    protocol=proto,
                    span=span,
                    enabled=on,
                    allowed_sources=sources if remote_login else None,
                    acl=vty_acl if remote_login else None,
                    version=self.ssh_versions if proto == "ssh" else "",
                )
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
            credentials=tuple(self.credentials),
            syslog_hosts=tuple(self.syslog),
            ntp_servers=tuple(self.ntp),
            aaa=self.aaa,
            banner=self.banner if self.banner is not None else False,
            password_encryption=self.password_encryption,
            extras=self.mgmt_extras,
        )

    def build_interfaces(self, zone_of: dict[str, str]) -> list[Interface]:
        out: list[Interface] = []
        for it in self.ifaces.values():
            if (
                it.kind is InterfaceKind.SVI
                and it.vlan is not None
                and it.vlan not in self.vlans
                and it.vlan != 1
            ):
                self.ctx.warn(
                    it.span.line, f"{it.name}: VLAN {it.vlan} is not in the VLAN database"
                )
            out.append(
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
                    parent=it.parent,
                    security_zone=zone_of.get(it.name),
                    extras=dict(it.extras),
                )
            )
        return out

    def build(self, name: str) -> DeviceConfig:
        policy = self.build_policy()
        nat = self.build_nat()
        filters, bindings = self.build_filters()
        zone_of: dict[str, str] = {}
        for z in self.zones.values():
            for n in z.networks.values():
                for _, iface in n.subnets:
                    if iface is None or iface in zone_of:
                        continue
                    zone_of[iface] = z.name
                    if iface not in self.ifaces:
                        self.ctx.warn(
                            n.span.line,
                            f"zone {z.name} network {n.name} names interface {iface!r}, "
                            "which is not configured",
                        )
        interfaces = self.build_interfaces(zone_of)
        mgmt = self.build_mgmt()
        if not self.saw_end and self.ctx.lines:
            last = len(self.ctx.lines)
            self.ctx.warn(
                last, "configuration does not end with `end`: possibly truncated", matters=True
            )
        extras: dict[str, object] = {}
        if self.zones:
            extras["zones"] = {
                z.name: {n.name: [str(s) for s, _ in n.subnets] for n in z.networks.values()}
                for z in self.zones.values()
            }
        return DeviceConfig(
            name=name or self.hostname,
            platform=PLATFORM,
            source=self.ctx.source,
            hostname=self.hostname,
            interfaces=tuple(interfaces),
            vlans=tuple(self.vlans[v] for v in sorted(self.vlans)),
            filters=tuple(filters),
            bindings=tuple(bindings),
            policy=policy,
            routes=tuple(self.routes),
            nat=tuple(nat),
            mgmt=mgmt,
            coverage=self.ctx.coverage(),
            warnings=tuple(self.ctx.warnings),
            extras=extras,
        )


def _as_dict(value: object) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        yield from ((str(k), v) for k, v in value.items())


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse an AlliedWare Plus running-config into the vendor-neutral model."""
    ctx = ParseContext(source=source, text=text)
    roots, skipped = indent_tree(text, comment_chars="!")
    ctx.skip(*skipped)
    parser = _Parser(ctx)
    parser.run(roots)
    return parser.build(name)
