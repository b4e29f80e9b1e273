"""Juniper Junos / SRX parser, for both ``show configuration`` (curly braces) and ``display set``.

Both formats are first flattened into the same list of statements — the word path from the top
of the hierarchy to a leaf, e.g. ``security policies from-zone trust to-zone untrust policy P
match source-address any`` — with the line each came from and whether it is deactivated
(``inactive:`` in the brace format, ``deactivate ...`` in set format). One interpreter then reads
the statements, so the two formats give the same model by construction.

Semantics modelled (Junos OS "Security Policies User Guide for Security Devices"):

* SRX flow mode is stateful. For a packet entering an interface of zone A and leaving one of zone
  B, the zone-pair policies ``from-zone A to-zone B`` are evaluated in order, then the ``global``
  policies (whose ``match from-zone``/``to-zone``, when present, restrict them), then the
  ``default-policy`` (``deny-all`` unless configured). Intra-zone traffic is no exception: it needs
  a ``from-zone A to-zone A`` policy. An interface in no zone (or in the ``management`` functional
  zone) passes no transit traffic.
* Everything is flattened into one POLICY filter whose rules carry the member interfaces
  (unit names such as ``ge-0/0/0.0``) of the zones.
* Stateless ``firewall filter`` lists bound with ``filter input|output`` are ACL filters; an
  ``input-list``/``output-list`` is one synthetic concatenated filter (a filter that ends
  without a match hands the packet to the next one; only the last one's implicit discard applies).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from netaudit.model import (
    ANY_ADDRESS,
    ANY_SERVICE,
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
    SwitchportMode,
    Vlan,
    secret_digest,
)
from netaudit.parsers.base import ParseContext, redact

PLATFORM = "juniper_junos"

_PROTOCOLS: dict[str, int] = {
    "icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6, "egp": 8, "udp": 17, "rsvp": 46, "gre": 47,
    "esp": 50, "ah": 51, "icmp6": 58, "icmpv6": 58, "ospf": 89, "pim": 103, "vrrp": 112,
    "sctp": 132, "ipv6": 41,
}  # fmt: skip

# Port names Junos accepts in applications and firewall filters (CLI completion list).
_PORTS: dict[str, int] = {
    "afs": 1483, "bgp": 179, "biff": 512, "bootpc": 68, "bootps": 67, "cmd": 514,
    "cvspserver": 2401, "dhcp": 67, "domain": 53, "eklogin": 2105, "ekshell": 2106,
    "exec": 512, "finger": 79, "ftp": 21, "ftp-data": 20, "http": 80, "https": 443,
    "ident": 113, "imap": 143, "kerberos-sec": 88, "klogin": 543, "kpasswd": 761,
    "krb-prop": 754, "krbupdate": 760, "kshell": 544, "ldap": 389, "ldp": 646, "login": 513,
    "mobileip-agent": 434, "mobilip-mn": 435, "msdp": 639, "netbios-dgm": 138,
    "netbios-ns": 137, "netbios-ssn": 139, "nfsd": 2049, "nntp": 119, "ntalk": 518,
    "ntp": 123, "pop3": 110, "pptp": 1723, "printer": 515, "radacct": 1813, "radius": 1812,
    "rip": 520, "rkinit": 2108, "smtp": 25, "snmp": 161, "snmptrap": 162, "snpp": 444,
    "socks": 1080, "ssh": 22, "sunrpc": 111, "syslog": 514, "tacacs": 49, "tacacs-ds": 65,
    "talk": 517, "telnet": 23, "tftp": 69, "timed": 525, "who": 513, "xdmcp": 177,
}  # fmt: skip

_ICMP_TYPES: dict[str, int] = {
    "echo-reply": 0, "unreachable": 3, "source-quench": 4, "redirect": 5, "echo-request": 8,
    "router-advertisement": 9, "router-solicit": 10, "time-exceeded": 11,
    "parameter-problem": 12, "timestamp": 13, "timestamp-reply": 14, "info-request": 15,
    "info-reply": 16, "mask-request": 17, "mask-reply": 18,
}  # fmt: skip


def _svc(
    proto: int | None, dport: tuple[int, int] | None = None, *, t: int | None = None, name: str = ""
) -> ServiceMatch:
    return ServiceMatch(
        protocol=proto,
        dst_ports=(dport,) if dport is not None else None,
        icmp_type=t,
        name=name,
    )


def _tcp(port: int, hi: int | None = None) -> ServiceMatch:
    return _svc(PROTO_TCP, (port, hi if hi is not None else port))


def _udp(port: int, hi: int | None = None) -> ServiceMatch:
    return _svc(PROTO_UDP, (port, hi if hi is not None else port))


# Predefined applications (Junos OS "Predefined Applications" reference; ports as documented
# there). Names not in this table become unresolved references with a warning: they are
# never silently read as "any".
PREDEFINED_APPLICATIONS: dict[str, tuple[ServiceMatch, ...]] = {
    "junos-aol": (_tcp(5190, 5194),),
    "junos-bgp": (_tcp(179),),
    "junos-biff": (_udp(512),),
    "junos-bootpc": (_udp(68),),
    "junos-bootps": (_udp(67),),
    "junos-chargen": (_udp(19),),
    "junos-cvspserver": (_tcp(2401),),
    "junos-dhcp-client": (_udp(68),),
    "junos-dhcp-relay": (_udp(67),),
    "junos-dhcp-server": (_udp(67),),
    "junos-discard": (_udp(9),),
    "junos-dns-tcp": (_tcp(53),),
    "junos-dns-udp": (_udp(53),),
    "junos-echo": (_udp(7),),
    "junos-finger": (_tcp(79),),
    "junos-ftp": (_tcp(21),),
    "junos-ftp-data": (_tcp(20),),
    "junos-gnutella": (_udp(6346, 6347),),
    "junos-gopher": (_tcp(70),),
    "junos-gprs-gtp-c": (_udp(2123), _tcp(2123)),
    "junos-gprs-gtp-u": (_udp(2152), _tcp(2152)),
    "junos-gprs-gtp-v0": (_udp(3386), _tcp(3386)),
    "junos-gre": (_svc(47),),
    "junos-gtp": (_udp(2123), _udp(2152), _tcp(2123), _tcp(2152)),
    "junos-h323": (_tcp(1720), _udp(1719)),
    "junos-http": (_tcp(80),),
    "junos-http-ext": (_tcp(7001),),
    "junos-https": (_tcp(443),),
    "junos-icmp-all": (_svc(PROTO_ICMP),),
    "junos-icmp-ping": (_svc(PROTO_ICMP, t=8),),
    "junos-icmp6-all": (_svc(PROTO_ICMPV6),),
    "junos-ident": (_tcp(113),),
    "junos-ike": (_udp(500),),
    "junos-ike-nat": (_udp(4500),),
    "junos-imap": (_tcp(143),),
    "junos-imaps": (_tcp(993),),
    "junos-internet-locator-service": (_tcp(389),),
    "junos-irc": (_tcp(6660, 6669),),
    "junos-l2tp": (_udp(1701),),
    "junos-ldap": (_tcp(389),),
    "junos-ldp-tcp": (_tcp(646),),
    "junos-ldp-udp": (_udp(646),),
    "junos-lpr": (_tcp(515),),
    "junos-mail": (_tcp(25),),
    "junos-ms-rpc-tcp": (_tcp(135),),
    "junos-ms-rpc-udp": (_udp(135),),
    "junos-ms-sql": (_tcp(1433),),
    "junos-msn": (_tcp(1863),),
    "junos-mss": (_tcp(1723),),
    "junos-nbds": (_udp(138),),
    "junos-nbname": (_udp(137),),
    "junos-netbios-session": (_tcp(139),),
    "junos-nfs": (_udp(2049), _tcp(2049)),
    "junos-nntp": (_tcp(119),),
    "junos-ns-global": (_tcp(15397),),
    "junos-ns-global-pro": (_tcp(15397),),
    "junos-nsm": (_udp(69),),
    "junos-ntalk": (_udp(518),),
    "junos-ntp": (_udp(123),),
    "junos-ospf": (_svc(89),),
    "junos-pc-anywhere": (_udp(5632),),
    "junos-ping": (_svc(PROTO_ICMP, t=8),),
    "junos-pingv6": (_svc(PROTO_ICMPV6, t=128),),
    "junos-pop3": (_tcp(110),),
    "junos-pptp": (_tcp(1723),),
    "junos-printer": (_tcp(515),),
    "junos-r2cp": (_udp(28672),),
    "junos-radacct": (_udp(1813),),
    "junos-radius": (_udp(1812),),
    "junos-rdp": (_tcp(3389),),
    "junos-rip": (_udp(520),),
    "junos-rsh": (_tcp(514),),
    "junos-rtsp": (_tcp(554),),
    "junos-sccp": (_tcp(2000),),
    "junos-sip": (_udp(5060), _tcp(5060)),
    "junos-smb": (_tcp(139), _tcp(445)),
    "junos-smb-session": (_tcp(445),),
    "junos-smtp": (_tcp(25),),
    "junos-smtps": (_tcp(465),),
    "junos-snmp-agentx": (_tcp(705),),
    "junos-sqlnet-v1": (_tcp(1525),),
    "junos-sqlnet-v2": (_tcp(1521),),
    "junos-ssh": (_tcp(22),),
    "junos-stun": (_udp(3478, 3479), _tcp(3478, 3479)),
    "junos-sun-rpc-tcp": (_tcp(111),),
    "junos-sun-rpc-udp": (_udp(111),),
    "junos-syslog": (_udp(514),),
    "junos-tacacs": (_tcp(49),),
    "junos-tacacs-ds": (_tcp(65),),
    "junos-talk": (_udp(517),),
    "junos-telnet": (_tcp(23),),
    "junos-tftp": (_udp(69),),
    "junos-traceroute": (_udp(33434, 33534),),
    "junos-uucp": (_udp(540),),
    "junos-vnc": (_tcp(5800, 5800), _tcp(5900, 5900)),
    "junos-wais": (_tcp(210),),
    "junos-who": (_udp(513),),
    "junos-whois": (_tcp(43),),
    "junos-winframe": (_tcp(1494),),
    "junos-x-windows": (_tcp(6000, 6063),),
    "junos-ymsg": (_tcp(5000, 5010), _udp(5000, 5010), _tcp(5050), _udp(5050)),
}
for _n, _s in list(PREDEFINED_APPLICATIONS.items()):
    PREDEFINED_APPLICATIONS[_n] = tuple(
        ServiceMatch(
            protocol=x.protocol,
            dst_ports=x.dst_ports,
            icmp_type=x.icmp_type,
            name=_n,
        )
        for x in _s
    )

# Top-level hierarchies (and sub-hierarchies) read as understood but not relevant to the model.
_IRRELEVANT_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("version",), ("chassis",), ("protocols",), ("policy-options",), ("class-of-service",),
    ("event-options",), ("forwarding-options",), ("switch-options",), ("poe",),
    ("ethernet-switching-options",), ("virtual-chassis",), ("access",), ("accounting-options",),
    ("multi-chassis",), ("services",), ("security", "screen"), ("security", "ike"),
    ("security", "ipsec"), ("security", "flow"), ("security", "alg"), ("security", "log"),
    ("security", "pki"), ("security", "application-tracking"), ("security", "forwarding-options"),
    ("security", "ssh-known-hosts"), ("security", "utm"), ("security", "idp"),
    ("security", "dynamic-address"), ("security", "authentication-key-chains"),
    ("system", "time-zone"), ("system", "name-server"), ("system", "domain-name"),
    ("system", "domain-search"), ("system", "license"), ("system", "max-configurations-on-flash"),
    ("system", "max-configuration-rollbacks"), ("system", "archival"), ("system", "processes"),
    ("system", "ports"), ("system", "location"), ("system", "commit"),
    ("system", "auto-snapshot"), ("system", "internet-options"), ("system", "arp"),
    ("system", "host-name"), ("system", "static-host-mapping"), ("system", "default-address-selection"),
    ("routing-options", "router-id"), ("routing-options", "autonomous-system"),
    ("routing-options", "forwarding-table"), ("routing-options", "graceful-restart"),
    ("routing-options", "nonstop-routing"), ("routing-options", "aggregate"),
    ("routing-options", "generate"), ("routing-options", "interface-routes"),
    ("snmp", "location"), ("snmp", "contact"), ("snmp", "description"), ("snmp", "engine-id"),
    ("snmp", "v3"), ("snmp", "trap-group"), ("snmp", "trap-options"), ("snmp", "name"),
    ("snmp", "view"), ("snmp", "client-list"), ("vlans",),
)  # fmt: skip

# Firewall filter match conditions the model expresses exactly.
_FW_FROM = frozenset(
    {
        "source-address", "destination-address", "address", "source-prefix-list",
        "destination-prefix-list", "prefix-list", "protocol", "next-header", "source-port",
        "destination-port", "port", "icmp-type", "icmp-code", "tcp-established",
        "icmp-type-except", "icmp-code-except", "protocol-except", "source-port-except",
        "destination-port-except", "destination-port-range-optimize",
        "source-port-range-optimize",
    }
)  # fmt: skip

_MGMT_SERVICES = ("ssh", "telnet", "http", "https", "netconf", "ftp", "snmp", "finger")


def detect(text: str) -> int:
    """How sure we are that ``text`` is a Junos configuration (0..100)."""
    head = text[:200_000]
    if re.search(
        r"^set (system host-name|interfaces \S+ unit \d+|security (zones|policies))", head, re.M
    ):
        return 95
    if re.search(r"^\s*(system|interfaces|security|routing-options)\s*\{\s*$", head, re.M) and (
        re.search(r"^\s*unit \d+\s*\{", head, re.M) or re.search(r"host-name \S+;", head)
    ):
        return 95
    if re.search(r"^## Last commit: ", head, re.M) or re.search(r"^version \d+\.\S+;", head, re.M):
        return 90
    if re.search(r"^set (routing-options|applications|firewall|snmp|vlans|protocols) ", head, re.M):
        return 80
    return 0


# ---------------------------------------------------------------------------------------------
# flattening


@dataclass(frozen=True, slots=True)
class Stmt:
    """One leaf statement: its full word path, source line and deactivated depth."""

    words: tuple[str, ...]
    line: int
    inactive_at: int | None = None  # length of the shortest deactivated prefix, if any


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|/\*.*?\*/|#[^\n]*|[{};\[\]]|[^\s{};\[\]"]+', re.S)


def _unquote(tok: str) -> str:
    return tok[1:-1] if len(tok) >= 2 and tok[0] == tok[-1] == '"' else tok


def _set_words(line: str) -> list[str]:
    return [_unquote(t) for t in re.findall(r'"(?:[^"\\]|\\.)*"|\S+', line)]


def flatten_set(ctx: ParseContext) -> list[Stmt]:
    """Statements of a ``display set`` text (``set``/``deactivate``/``activate``/``delete``)."""
    stmts: list[Stmt] = []
    inactive: set[tuple[str, ...]] = set()
    for n, raw in enumerate(ctx.lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            ctx.skip(n)
            continue
        words = _set_words(line)
        verb, path = words[0], tuple(words[1:])
        if not path:
            ctx.unknown(n)
            continue
        if verb == "set":
            stmts.append(Stmt(words=path, line=n))
        elif verb == "deactivate":
            inactive.add(path)
            ctx.ok(n)
        elif verb == "activate":
            inactive.discard(path)
            ctx.ok(n)
        elif verb == "delete":
            stmts = [s for s in stmts if s.words[: len(path)] != path]
            ctx.ok(n)
        else:
            ctx.unknown(n)
    if not inactive:
        return stmts
    out: list[Stmt] = []
    for s in stmts:
        depth = next((k for k in range(1, len(s.words) + 1) if s.words[:k] in inactive), None)
        out.append(Stmt(words=s.words, line=s.line, inactive_at=depth))
    return out


def flatten_braces(ctx: ParseContext) -> list[Stmt]:
    """Statements of a ``show configuration`` text; unbalanced braces become warnings."""
    text = ctx.text
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())

    def line_of(pos: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    stmts: list[Stmt] = []
    stack: list[tuple[tuple[str, ...], int, bool]] = []  # (words, line, inactive)
    words: list[str] = []
    first_line = 0
    in_list = False
    list_items: list[str] = []
    comment_lines: set[int] = set()

    def path() -> tuple[str, ...]:
        out: list[str] = []
        for w, _, _ in stack:
            out.extend(w)
        return tuple(out)

    def inactive_depth(own_inactive: bool, own_len: int) -> int | None:
        depth = 0
        for w, _, ina in stack:
            depth += len(w)
            if ina:
                return depth
        return depth + own_len if own_inactive else None

    def strip_prefix(ws: list[str]) -> tuple[list[str], bool]:
        ina = False
        while ws and ws[0] in ("inactive:", "protect:", "replace:", "active:"):
            ina = ina or ws[0] == "inactive:"
            ws = ws[1:]
        return ws, ina

    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        ln = line_of(m.start())
        if tok.startswith("#") or tok.startswith("/*"):
            if not words and not in_list:
                for k in range(ln, line_of(m.end() - 1) + 1):
                    comment_lines.add(k)
            continue
        if tok == "[":
            in_list = True
            list_items = []
            continue
        if tok == "]":
            in_list = False
            continue
        if in_list:
            list_items.append(_unquote(tok))
            continue
        if tok == ";":
            ws, ina = strip_prefix(words)
            base = path()
            items: list[str | None] = list(list_items) or [None]
            for item in items:
                full = (*base, *ws, *([item] if item is not None else []))
                stmts.append(
                    Stmt(
                        words=full,
                        line=first_line or ln,
                        inactive_at=inactive_depth(ina, len(full) - len(base)),
                    )
                )
            words, list_items, first_line = [], [], 0
            continue
        if tok == "{":
            ws, ina = strip_prefix(words)
            stack.append((tuple(ws), first_line or ln, ina))
            ctx.ok(first_line or ln)
            words, list_items, first_line = [], [], 0
            continue
        if tok == "}":
            if words:
                ctx.warn(ln, "statement without ';' before '}'", matters=True)
                words = []
            if not stack:
                ctx.warn(ln, "unbalanced '}' (no block to close)", matters=True)
                ctx.unknown(ln)
                continue
            stack.pop()
            ctx.skip(ln)
            continue
        if not words:
            first_line = ln
        words.append(_unquote(tok))
    if words:
        ctx.warn(first_line, "statement cut off (no ';'): file truncated?", matters=True)
        ctx.unknown(first_line)
    if stack:
        opened = ", ".join(f"{' '.join(w)} (line {n})" for w, n, _ in stack[-3:])
        ctx.warn(
            len(ctx.lines) or 1,
            f"{len(stack)} unclosed block(s) at end of file: {opened}; file truncated?",
            matters=True,
        )
    for k in comment_lines:
        if 0 < k <= len(ctx.lines):
            ctx.skip(k)
    return stmts


def statements(text: str, *, source: str = "") -> list[Stmt]:
    """The flattened statements of a config in either format (for tools and coverage tests)."""
    ctx = ParseContext(source=source, text=text)
    return flatten_set(ctx) if _is_set_format(text) else flatten_braces(ctx)


def _is_set_format(text: str) -> bool:
    sets = len(re.findall(r"^\s*(set|deactivate|delete|activate) \S", text, re.M))
    braces = len(re.findall(r"[{}]\s*$", text, re.M))
    return sets > braces


# ---------------------------------------------------------------------------------------------
# interpretation


@dataclass
class _Unit:
    line: int
    addresses: list[IPInterface] = field(default_factory=list)
    vlan_id: int | None = None
    disabled: bool = False
    description: str = ""
    switching: bool = False
    mode: str = ""
    members: list[str] = field(default_factory=list)
    native: int | None = None
    filters: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)
    lists: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class _Phys:
    line: int
    description: str = ""
    disabled: bool = False
    native: int | None = None
    units: dict[str, _Unit] = field(default_factory=dict)


@dataclass
class _Zone:
    line: int
    interfaces: list[tuple[str, int]] = field(default_factory=list)
    services: set[str] = field(default_factory=set)
    services_except: set[str] = field(default_factory=set)
    iface_services: dict[str, set[str]] = field(default_factory=dict)
    book: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    management: bool = False


@dataclass
class _Policy:
    name: str
    line: int
    from_zone: str | None
    to_zone: str | None
    enabled: bool = True
    src: list[str] = field(default_factory=list)
    dst: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    src_excluded: bool = False
    dst_excluded: bool = False
    from_zones: list[str] = field(default_factory=list)  # global policies
    to_zones: list[str] = field(default_factory=list)
    action: str = ""
    action_line: int = 0
    log: bool = False
    unresolved: list[str] = field(default_factory=list)
    ref_lines: dict[str, int] = field(default_factory=dict)  # referenced name -> its line


@dataclass
class _NatRuleSet:
    kind: str
    name: str
    line: int
    from_: list[tuple[str, str]] = field(default_factory=list)
    to: list[tuple[str, str]] = field(default_factory=list)
    rules: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    rule_lines: dict[str, int] = field(default_factory=dict)
    rule_enabled: dict[str, bool] = field(default_factory=dict)


@dataclass
class _Term:
    name: str
    line: int
    enabled: bool = True
    cond: dict[str, list[str]] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)


class _Junos:
    """One parse run over flattened statements."""

    def __init__(self, text: str, source: str) -> None:
        self.ctx = ParseContext(source=source, text=text)
        self.set_format = _is_set_format(text)
        self.stmts = flatten_set(self.ctx) if self.set_format else flatten_braces(self.ctx)
        self.line_words: dict[int, tuple[str, ...]] = {}
        for st in reversed(self.stmts):
            self.line_words[st.line] = st.words
        self.hostname = ""
        self.phys: dict[str, _Phys] = {}
        self.zones: dict[str, _Zone] = {}
        self.global_book: dict[str, list[tuple[str, str, int]]] = {}
        self.attached_books: dict[str, dict[str, list[tuple[str, str, int]]]] = {}
        self.book_zones: dict[str, list[str]] = {}
        self.apps: dict[str, dict[str, dict[str, str]]] = {}  # app -> term -> attrs
        self.app_lines: dict[str, int] = {}
        self.app_sets: dict[str, list[tuple[str, int]]] = {}
        # Rule hygiene (RUL-007): (id of the address book, name) / application names used.
        self.obj_refs: set[tuple[int, str]] = set()
        self.app_refs: set[str] = set()
        self.policies: dict[tuple[str, str], dict[str, _Policy]] = {}
        self.global_policies: dict[str, _Policy] = {}
        self.default_policy: tuple[Action, int] | None = None
        self.nat_pools: dict[tuple[str, str], dict[str, object]] = {}
        self.nat_sets: dict[tuple[str, str], _NatRuleSet] = {}
        self.routes: dict[tuple[str | None, str], dict[str, object]] = {}
        self.instances: dict[str, dict[str, object]] = {}
        self.vlans: dict[str, list[int]] = {}
        self.vlan_lines: dict[str, int] = {}
        self.l3_vlan: dict[str, str] = {}
        self.fw_filters: dict[str, dict[str, _Term]] = {}
        self.fw_lines: dict[str, int] = {}
        self.prefix_lists: dict[str, list[IPNetwork]] = {}
        self.services: dict[str, tuple[int, list[str]]] = {}
        self.syslog: list[str] = []
        self.ntp: list[str] = []
        self.communities: list[tuple[str, int, dict[str, object]]] = []
        self.snmp_clients: dict[str, list[IPNetwork]] = {}
        self.creds: list[Credential] = []
        self.aaa = False
        self.banner = False
        self.apply_groups: list[int] = []

    def warn(self, line: int, message: str, *, matters: bool = False) -> None:
        """A warning; in brace format with the hierarchy path of the line."""
        path = "" if self.set_format else redact(" ".join(self.line_words.get(line, ())))
        self.ctx.warn(line, message, matters=matters, path=path)

    def span(self, line: int, words: tuple[str, ...] = (), *, secret: bool = False) -> SourceSpan:
        """A span; in brace format the path says where in the hierarchy the line sits."""
        if self.set_format:
            return self.ctx.span(line, secret=secret)
        words = words or self.line_words.get(line, ())
        path = " ".join(words)
        return self.ctx.span(line, secret=secret, path=redact(path) if secret else path)

    # -- dispatch ---------------------------------------------------------------------------

    def run(self) -> None:
        for s in self.stmts:
            try:
                handled = self._stmt(s)
            except (ValueError, IndexError, KeyError):
                handled = False
            if handled:
                self.ctx.ok(s.line)
            else:
                self.ctx.unknown(s.line)

    def _stmt(self, s: Stmt) -> bool:
        w = s.words
        top = w[0]
        if top == "groups" or top == "apply-groups" or "apply-groups" in w:
            if "apply-groups" in w:
                self.warn(
                    s.line,
                    "apply-groups: configuration inherited from groups is not expanded",
                    matters=True,
                )
            return False
        if s.inactive_at is not None and not self._keeps_inactive(w):
            return True  # deactivated configuration does not apply
        if top == "system":
            return self._system(s) or any(w[: len(p)] == p for p in _IRRELEVANT_PREFIXES)
        if top == "interfaces":
            return self._interfaces(s)
        if top == "security":
            return self._security(s)
        if top == "applications":
            return self._applications(s)
        if top == "routing-options":
            return self._routing(s, None, w[1:])
        if top == "routing-instances" and len(w) >= 2:
            return self._instance(s)
        if top == "snmp" and self._snmp(s):
            return True
        if top == "firewall":
            return self._firewall(s)
        if top == "vlans" and len(w) >= 3:
            self._vlan(s)
        if top == "policy-options" and len(w) >= 4 and w[1] == "prefix-list":
            net = _network(w[3])
            if net is not None:
                self.prefix_lists.setdefault(w[2], []).append(net)
        return any(w[: len(p)] == p for p in _IRRELEVANT_PREFIXES)

    @staticmethod
    def _keeps_inactive(w: tuple[str, ...]) -> bool:
        """Deactivated policies and filter terms are kept (as disabled rules)."""
        return w[:2] == ("security", "policies") or w[0] == "firewall"

    # -- system -----------------------------------------------------------------------------

    def _system(self, s: Stmt) -> bool:
        w = s.words
        if len(w) < 2:
            return False
        k = w[1]
        if k == "host-name" and len(w) == 3:
            self.hostname = w[2]
            return True
        if k == "services" and len(w) >= 3:
            name = w[2]
            if name == "web-management" and len(w) >= 4:
                proto = w[3]
                if proto in ("http", "https"):
                    entry = self.services.setdefault(proto, (s.line, []))
                    if len(w) >= 6 and w[4] == "interface":
                        entry[1].append(w[5])
                return True
            if name == "netconf" and len(w) >= 4 and w[3] == "ssh":
                self.services.setdefault("netconf", (s.line, []))
                return True
            if name in _MGMT_SERVICES or name in ("ftp", "finger", "rest", "xnm-clear-text"):
                self.services.setdefault(name, (s.line, []))
                return True
            return name in (
                "dhcp",
                "dhcp-local-server",
                "dns",
                "outbound-ssh",
                "xnm-ssl",
                "web-management",
                "netconf",
            )
        if k == "syslog":
            if len(w) >= 4 and w[2] == "host" and w[3] not in self.syslog:
                self.syslog.append(w[3])
            return True
        if k == "ntp":
            if len(w) >= 4 and w[2] == "server" and w[3] not in self.ntp:
                self.ntp.append(w[3])
            return True
        if k == "root-authentication" and len(w) >= 3:
            if w[2] in ("encrypted-password", "plain-text-password"):
                self.creds.append(
                    Credential(
                        kind="root",
                        user="root",
                        span=self.span(s.line, w, secret=True),
                        storage=_storage(w[2], w[3] if len(w) > 3 else ""),
                    )
                )
            return True
        if k == "login" and len(w) >= 3:
            if w[2] == "user" and len(w) >= 6 and w[4] == "authentication":
                if w[5] in ("encrypted-password", "plain-text-password"):
                    self.creds.append(
                        Credential(
                            kind="user",
                            user=w[3],
                            span=self.span(s.line, w, secret=True),
                            storage=_storage(w[5], w[6] if len(w) > 6 else ""),
                        )
                    )
                return True
            if w[2] in ("message", "announcement"):
                self.banner = True
            return True
        if k in ("authentication-order", "radius-server", "tacplus-server"):
            if k != "authentication-order" or any(x in w for x in ("radius", "tacplus")):
                self.aaa = True
            return True
        return k in ("accounting", "radius-options", "tacplus-options", "password-options")

    # -- interfaces -------------------------------------------------------------------------

    def _interfaces(self, s: Stmt) -> bool:
        w = s.words
        if len(w) < 2:
            return False
        if w[1] in ("interface-range", "traceoptions"):
            return False
        phys = self.phys.setdefault(w[1], _Phys(line=s.line))
        rest = w[2:]
        if not rest:
            return True
        if rest[0] == "description":
            phys.description = " ".join(rest[1:])
            return True
        if rest[0] == "disable":
            phys.disabled = True
            return True
        if rest[0] == "native-vlan-id" and len(rest) == 2:
            phys.native = int(rest[1])
            return True
        if rest[0] in (
            "vlan-tagging",
            "flexible-vlan-tagging",
            "mtu",
            "speed",
            "link-mode",
            "gigether-options",
            "ether-options",
            "aggregated-ether-options",
            "encapsulation",
            "redundant-ether-options",
            "mac",
            "enable",
            "hold-time",
            "per-unit-scheduler",
            "fastether-options",
        ):
            return True
        if rest[0] != "unit" or len(rest) < 2:
            return False
        unit = phys.units.setdefault(rest[1], _Unit(line=s.line))
        r = rest[2:]
        if not r:
            return True
        if r[0] == "description":
            unit.description = " ".join(r[1:])
            return True
        if r[0] == "disable":
            unit.disabled = True
            return True
        if r[0] == "vlan-id" and len(r) == 2:
            unit.vlan_id = int(r[1])
            return True
        if r[0] in ("encapsulation", "mtu"):
            return True
        if r[0] == "family" and len(r) >= 2:
            fam = r[1]
            f = r[2:]
            if fam in ("inet", "inet6"):
                if not f:
                    return True
                if f[0] == "address" and len(f) >= 2:
                    try:
                        addr = ipaddress.ip_interface(f[1])
                    except ValueError:
                        return False
                    if len(f) == 2 or f[2] in ("primary", "preferred"):
                        if len(f) > 2 and f[2] == "primary":
                            unit.addresses.insert(0, addr)
                        elif addr not in unit.addresses:
                            unit.addresses.append(addr)
                    return True
                if f[0] == "filter" and len(f) >= 3:
                    d = f[1]
                    if d in ("input", "output"):
                        # a later single filter replaces an earlier list, and vice versa
                        unit.filters[(fam, d)] = [(f[2], s.line)]
                        unit.lists.discard((fam, d))
                        return True
                    if d in ("input-list", "output-list"):
                        key = (fam, d.split("-")[0])
                        if key in unit.lists:
                            unit.filters[key].append((f[2], s.line))
                        else:
                            unit.filters[key] = [(f[2], s.line)]
                            unit.lists.add(key)
                        return True
                    return False
                return f[0] in (
                    "dhcp",
                    "dhcp-client",
                    "mtu",
                    "sampling",
                    "no-redirects",
                    "dad-disable",
                    "rpf-check",
                    "targeted-broadcast",
                )
            if fam == "ethernet-switching":
                unit.switching = True
                if not f:
                    return True
                if f[0] in ("interface-mode", "port-mode") and len(f) == 2:
                    unit.mode = f[1]
                    return True
                if f[0] == "vlan" and len(f) >= 3 and f[1] == "members":
                    unit.members.extend(f[2:])
                    return True
                if f[0] == "native-vlan-id" and len(f) == 2:
                    unit.native = int(f[1])
                    return True
                return f[0] in ("storm-control", "recovery-timeout")
            return fam in ("mpls", "iso", "inet6", "bridge", "vpls", "ccc")
        return False

    def _vlan(self, s: Stmt) -> None:
        w = s.words
        name = w[1]
        self.vlan_lines.setdefault(name, s.line)
        if w[2] == "vlan-id" and len(w) == 4 and w[3].isdigit():
            self.vlans[name] = [int(w[3])]
        elif w[2] == "vlan-id-list" and len(w) == 4:
            self.vlans.setdefault(name, []).extend(_vlan_range(w[3]))
        elif w[2] == "l3-interface" and len(w) == 4:
            self.l3_vlan[w[3]] = name

    # -- security -------------------------------------------------------------------------

    def _security(self, s: Stmt) -> bool:
        w = s.words
        if len(w) < 3:
            return False
        if w[1] == "zones":
            return self._zones(s)
        if w[1] == "address-book" and len(w) >= 4:
            book = w[2]
            if w[3] == "attach" and len(w) >= 6 and w[4] == "zone":
                self.book_zones.setdefault(book, []).append(w[5])
                return True
            target = (
                self.global_book if book == "global" else self.attached_books.setdefault(book, {})
            )
            return _book_entry(target, w[3:], s.line)
        if w[1] == "policies":
            return self._policies(s)
        if w[1] == "nat":
            return self._nat(s)
        return any(w[: len(p)] == p for p in _IRRELEVANT_PREFIXES)

    def _zones(self, s: Stmt) -> bool:
        w = s.words
        if w[2] == "functional-zone" and len(w) >= 4:
            zone = self.zones.setdefault(f"functional-zone {w[3]}", _Zone(line=s.line))
            zone.management = True
            if len(w) >= 6 and w[4] == "interfaces":
                zone.interfaces.append((w[5], s.line))
            return True
        if w[2] != "security-zone" or len(w) < 4:
            return False
        zone = self.zones.setdefault(w[3], _Zone(line=s.line))
        r = w[4:]
        if not r:
            return True
        if r[0] == "interfaces" and len(r) >= 2:
            if not any(n == r[1] for n, _ in zone.interfaces):
                zone.interfaces.append((r[1], s.line))
            if len(r) >= 5 and r[2] == "host-inbound-traffic" and r[3] == "system-services":
                svc = r[4]
                zone.iface_services.setdefault(r[1], set()).add(svc)
            return True
        if r[0] == "host-inbound-traffic" and len(r) >= 3:
            if r[1] == "system-services":
                if len(r) >= 4 and r[3] == "except":
                    zone.services_except.add(r[2])
                else:
                    zone.services.add(r[2])
            return True
        if r[0] == "address-book" and len(r) >= 2:
            return _book_entry(zone.book, r[1:], s.line)
        return r[0] in (
            "screen",
            "tcp-rst",
            "description",
            "application-tracking",
            "enable-reverse-reroute",
        )

    def _policies(self, s: Stmt) -> bool:
        w = s.words
        r = w[2:]
        if r[0] == "default-policy" and len(r) == 2:
            if s.inactive_at is not None:
                return True
            act = {"deny-all": Action.DENY, "permit-all": Action.PERMIT}.get(r[1])
            if act is None:
                return False
            self.default_policy = (act, s.line)
            return True
        if r[0] == "from-zone" and len(r) >= 6 and r[2] == "to-zone" and r[4] == "policy":
            pair = (r[1], r[3])
            pols = self.policies.setdefault(pair, {})
            name, rest, depth = r[5], r[6:], 8
            pol = pols.get(name)
            if pol is None:
                pol = pols[name] = _Policy(name=name, line=s.line, from_zone=r[1], to_zone=r[3])
        elif r[0] == "global" and len(r) >= 3 and r[1] == "policy":
            name, rest, depth = r[2], r[3:], 5
            pol = self.global_policies.get(name)
            if pol is None:
                pol = self.global_policies[name] = _Policy(
                    name=name, line=s.line, from_zone=None, to_zone=None
                )
        else:
            return r[0] in (
                "policy-rematch",
                "pre-id-default-policy",
                "traceoptions",
                "default-policy",
                "stateful-firewall-rule-set",
            )
        if s.inactive_at is not None:
            if s.inactive_at <= depth:
                pol.enabled = False
            else:
                return True
        if not rest:
            return True
        if rest[0] == "match" and len(rest) >= 2:
            key, val = rest[1], rest[2] if len(rest) > 2 else ""
            pol.ref_lines.setdefault(val, s.line)
            if key == "source-address":
                pol.src.append(val)
            elif key == "destination-address":
                pol.dst.append(val)
            elif key == "application":
                pol.apps.append(val)
            elif key == "source-address-excluded":
                pol.src_excluded = True
            elif key == "destination-address-excluded":
                pol.dst_excluded = True
            elif key == "from-zone":
                pol.from_zones.append(val)
            elif key == "to-zone":
                pol.to_zones.append(val)
            elif key in ("dynamic-application", "url-category"):
                if val not in ("any", "none"):
                    pol.unresolved.append(f"{key} {val}")
                    self.warn(
                        s.line, f"policy {pol.name}: {key} {val} is not modelled", matters=True
                    )
            elif key in ("source-identity", "source-end-user-profile"):
                if val != "any":
                    pol.unresolved.append(f"{key} {val}")
                    self.warn(s.line, f"policy {pol.name}: {key} is not modelled", matters=True)
            else:
                return False
            return True
        if rest[0] == "then" and len(rest) >= 2:
            verb = rest[1]
            if verb in ("permit", "deny", "reject"):
                pol.action = verb
                pol.action_line = pol.action_line or s.line
                return True
            if verb == "log":
                pol.log = True
                return True
            return verb in ("count",)
        return rest[0] in ("description", "scheduler-name")

    def _nat(self, s: Stmt) -> bool:
        w = s.words
        if len(w) < 5:
            return len(w) >= 3 and w[2] in ("source", "destination", "static")
        kind = w[2]
        if kind not in ("source", "destination", "static"):
            return w[2] in ("proxy-arp", "proxy-ndp", "traceoptions")
        if w[3] == "pool" and len(w) >= 6:
            pool = self.nat_pools.setdefault(
                (kind, w[4]), {"line": s.line, "nets": [], "port": None}
            )
            r = w[5:]
            if r[0] == "address" and len(r) >= 2:
                nets = pool["nets"]
                assert isinstance(nets, list)
                if len(r) >= 4 and r[2] == "to":
                    lo, hi = _addr(r[1]), _addr(r[3])
                    if lo is None or hi is None or lo.version != hi.version:
                        return False
                    nets.extend(ipaddress.summarize_address_range(lo, hi))
                else:
                    net = _network(r[1])
                    if net is None:
                        return False
                    nets.append(net)
                    if len(r) >= 4 and r[2] == "port" and r[3].isdigit():
                        pool["port"] = int(r[3])
                return True
            return r[0] in (
                "port",
                "routing-instance",
                "description",
                "overflow-pool",
                "address-persistent",
                "host-address-base",
            )
        if w[3] == "rule-set" and len(w) >= 6:
            rs = self.nat_sets.setdefault(
                (kind, w[4]), _NatRuleSet(kind=kind, name=w[4], line=s.line)
            )
            r = w[5:]
            if r[0] in ("from", "to") and len(r) >= 3:
                (rs.from_ if r[0] == "from" else rs.to).append((r[1], r[2]))
                return True
            if r[0] == "rule" and len(r) >= 2:
                rule = rs.rules.setdefault(r[1], {})
                rs.rule_lines.setdefault(r[1], s.line)
                if s.inactive_at is not None:
                    rs.rule_enabled[r[1]] = False
                if len(r) >= 4 and r[2] in ("match", "then"):
                    rule.setdefault(f"{r[2]} {r[3]}", []).extend(r[4:] or ["-"])
                    return True
                return len(r) == 2 or r[2] == "description"
            return r[0] == "description"
        return False

    # -- applications -------------------------------------------------------------------------

    def _applications(self, s: Stmt) -> bool:
        w = s.words
        if len(w) >= 4 and w[1] == "application-set":
            self.app_sets.setdefault(w[2], [])
            if w[3] in ("application", "application-set") and len(w) >= 5:
                self.app_sets[w[2]].append((w[4], s.line))
                return True
            return w[3] == "description"
        if len(w) >= 3 and w[1] == "application":
            app = self.apps.setdefault(w[2], {})
            self.app_lines.setdefault(w[2], s.line)
            r = list(w[3:])
            term = ""
            if r and r[0] == "term" and len(r) >= 2:
                term, r = r[1], r[2:]
            attrs = app.setdefault(term, {})
            while r:
                key = r[0]
                if (
                    key
                    in (
                        "protocol",
                        "destination-port",
                        "source-port",
                        "icmp-type",
                        "icmp-code",
                        "icmp6-type",
                        "icmp6-code",
                        "inactivity-timeout",
                        "application-protocol",
                        "rpc-program-number",
                        "uuid",
                        "alg",
                        "ether-type",
                    )
                    and len(r) >= 2
                ):
                    attrs[key] = r[1]
                    r = r[2:]
                elif key == "description":
                    r = []
                else:
                    return False
            return True
        return False

    # -- routing ------------------------------------------------------------------------------

    def _routing(self, s: Stmt, vrf: str | None, w: tuple[str, ...]) -> bool:
        if not w:
            return True
        if w[0] == "rib" and len(w) >= 3:
            w = w[2:]
        if w[0] != "static":
            return any(("routing-options", *w[: len(p) - 1]) == p for p in _IRRELEVANT_PREFIXES)
        if len(w) < 3 or w[1] != "route":
            return len(w) >= 2 and w[1] in ("defaults", "rib-group")
        prefix = w[2] if "/" in w[2] else f"{w[2]}/{128 if ':' in w[2] else 32}"
        if _network(prefix) is None:
            return False
        r = self.routes.setdefault(
            (vrf, prefix), {"line": s.line, "hops": [], "discard": False, "pref": 5}
        )
        rest = w[3:]
        if not rest:
            return True
        hops = r["hops"]
        assert isinstance(hops, list)
        if rest[0] in ("next-hop", "qualified-next-hop") and len(rest) >= 2:
            if rest[1] not in hops:
                hops.append(rest[1])
            if rest[0] == "qualified-next-hop" and len(rest) > 2:
                return True
            return True
        if rest[0] in ("discard", "reject"):
            r["discard"] = True
            return True
        if rest[0] == "preference" and len(rest) >= 2:
            r["pref"] = int(rest[1])
            return True
        if rest[0] == "next-table" and len(rest) >= 2:
            r["table"] = rest[1]
            return True
        return rest[0] in (
            "install",
            "no-install",
            "readvertise",
            "no-readvertise",
            "retain",
            "no-retain",
            "passive",
            "active",
            "tag",
            "tag2",
            "metric",
            "resolve",
            "as-path",
            "community",
            "no-resolve",
            "bfd-liveness-detection",
            "description",
        )

    def _instance(self, s: Stmt) -> bool:
        w = s.words
        inst = self.instances.setdefault(w[1], {"line": s.line, "type": "", "ifaces": []})
        if len(w) == 2:
            return True
        if w[2] == "instance-type" and len(w) == 4:
            inst["type"] = w[3]
            return True
        if w[2] == "interface" and len(w) == 4:
            ifs = inst["ifaces"]
            assert isinstance(ifs, list)
            ifs.append(w[3])
            return True
        if w[2] == "routing-options":
            return self._routing(s, w[1], w[3:])
        return w[2] in (
            "protocols",
            "route-distinguisher",
            "vrf-target",
            "vrf-import",
            "vrf-export",
            "description",
            "vrf-table-label",
        )

    # -- snmp / firewall ---------------------------------------------------------------------

    def _snmp(self, s: Stmt) -> bool:
        w = s.words
        if len(w) >= 3 and w[1] == "community":
            entry = next((c for c in self.communities if c[0] == w[2]), None)
            if entry is None:
                entry = (w[2], s.line, {"write": False, "clients": [], "acl": None})
                self.communities.append(entry)
            attrs = entry[2]
            if len(w) >= 5 and w[3] == "authorization":
                attrs["write"] = w[4] == "read-write"
            elif len(w) >= 5 and w[3] == "clients":
                net = _network(w[4])
                clients = attrs["clients"]
                assert isinstance(clients, list)
                if net is not None and "restrict" not in w:
                    clients.append(net)
            elif len(w) >= 5 and w[3] == "client-list-name":
                attrs["acl"] = w[4]
            elif len(w) > 3 and w[3] not in ("view", "routing-instance", "logical-system"):
                return False
            return True
        if len(w) >= 4 and w[1] == "client-list":
            net = _network(w[3])
            if net is not None:
                self.snmp_clients.setdefault(w[2], []).append(net)
                return True
        return False

    def _firewall(self, s: Stmt) -> bool:
        w = list(s.words[1:])
        family = "inet"
        if w and w[0] == "family" and len(w) >= 2:
            family, w = w[1], w[2:]
        if not w:
            return True
        if w[0] == "interface-set":
            return True
        if w[0] != "filter" or len(w) < 2:
            return w[0] in ("policer", "three-color-policer", "load-balance-group")
        name = w[1]
        key = f"{family}:{name}"
        self.fw_filters.setdefault(key, {})
        self.fw_lines.setdefault(key, s.line)
        r = w[2:]
        if not r:
            return True
        if r[0] != "term" or len(r) < 2:
            return r[0] in ("interface-specific", "enhanced-mode", "physical-interface-filter")
        term = self.fw_filters[key].get(r[1])
        if term is None:
            term = self.fw_filters[key][r[1]] = _Term(name=r[1], line=s.line)
        if s.inactive_at is not None:
            if s.inactive_at <= len(s.words) - len(r) + 2:
                term.enabled = False
            else:
                return True
        rest = r[2:]
        if not rest:
            return True
        if rest[0] == "from" and len(rest) >= 2:
            term.cond.setdefault(rest[1], []).append(" ".join(rest[2:]))
            return rest[1] in _FW_FROM
        if rest[0] == "then" and len(rest) >= 2:
            term.actions.append(" ".join(rest[1:]))
            return True
        return False

    # -- building the model -----------------------------------------------------------------

    def build_interfaces(self) -> tuple[list[Interface], dict[str, str]]:
        """Interfaces (one per unit) and a map unit -> zone."""
        zone_of: dict[str, str] = {}
        for zname, z in self.zones.items():
            for ifn, _ in z.interfaces:
                zone_of[ifn] = zname
        vrf_of: dict[str, str] = {}
        for iname, inst in self.instances.items():
            ifs = inst["ifaces"]
            assert isinstance(ifs, list)
            for ifn in ifs:
                vrf_of[str(ifn)] = iname
        out: list[Interface] = []
        for pname, phys in self.phys.items():
            if not phys.units:
                out.append(
                    Interface(
                        name=pname,
                        span=self.span(phys.line, ("interfaces", pname)),
                        kind=_kind(pname, None),
                        description=phys.description,
                        enabled=not phys.disabled,
                    )
                )
                continue
            for uname, unit in phys.units.items():
                name = f"{pname}.{uname}"
                kind = _kind(pname, unit.vlan_id)
                vlan = unit.vlan_id
                if kind is InterfaceKind.SVI:
                    vname = self.l3_vlan.get(name)
                    vids = self.vlans.get(vname or "", [])
                    vlan = vids[0] if vids else (int(uname) if uname.isdigit() else None)
                mode = SwitchportMode.ROUTED
                access: int | None = None
                trunk: frozenset[int] | None = None
                if unit.switching:
                    ids: list[int] = []
                    unresolved_members = False
                    for m in unit.members:
                        if m == "all":
                            unresolved_members = True
                        elif m in self.vlans:
                            ids.extend(self.vlans[m])
                        else:
                            got = _vlan_range(m)
                            if got:
                                ids.extend(got)
                            else:
                                self.warn(unit.line, f"{name}: VLAN {m!r} is not defined")
                    if unit.mode == "trunk":
                        mode = SwitchportMode.TRUNK
                        trunk = None if unresolved_members else frozenset(ids)
                    else:
                        mode = SwitchportMode.ACCESS
                        access = ids[0] if ids else None
                extras: dict[str, object] = {}
                if name in self.l3_vlan:
                    extras["vlan_name"] = self.l3_vlan[name]
                out.append(
                    Interface(
                        name=name,
                        span=self.span(unit.line, ("interfaces", pname, "unit", uname)),
                        kind=kind,
                        description=unit.description or phys.description,
                        enabled=not (unit.disabled or phys.disabled),
                        addresses=tuple(unit.addresses),
                        vrf=vrf_of.get(name),
                        mode=mode,
                        access_vlan=access,
                        trunk_vlans=trunk,
                        native_vlan=unit.native or phys.native,
                        vlan=vlan,
                        parent=pname if kind is InterfaceKind.SUBINTERFACE else None,
                        security_zone=zone_of.get(name),
                        extras=extras,
                    )
                )
        return out, zone_of

    def build_vlans(self) -> list[Vlan]:
        out: list[Vlan] = []
        for name, ids in self.vlans.items():
            for vid in ids:
                out.append(Vlan(id=vid, name=name, span=self.span(self.vlan_lines[name])))
        return out

    # addresses --------------------------------------------------------------------------

    def _books_for(self, zone: str | None) -> list[dict[str, list[tuple[str, str, int]]]]:
        books: list[dict[str, list[tuple[str, str, int]]]] = []
        if zone is not None:
            z = self.zones.get(zone)
            if z is not None and z.book:
                books.append(z.book)
            for bname, zones in self.book_zones.items():
                if zone in zones and bname in self.attached_books:
                    books.append(self.attached_books[bname])
        books.append(self.global_book)
        return books

    def resolve_address(
        self,
        names: list[str],
        zone: str | None,
        line: int,
        negate: bool,
        lines: dict[str, int] | None = None,
    ) -> AddressMatch:
        if not names or "any" in names:
            return AddressMatch(networks=ANY_ADDRESS.networks, negate=negate)
        nets: list[IPNetwork] = []
        unres: list[str] = []
        books = self._books_for(zone)
        for name in names:
            if name == "any-ipv4":
                nets.extend(ANY_V4.networks)
                continue
            if name == "any-ipv6":
                nets.extend(ANY_V6.networks)
                continue
            self._expand(name, books, nets, unres, (lines or {}).get(name, line), set())
        return AddressMatch(
            networks=tuple(dict.fromkeys(nets)),
            negate=negate,
            unresolved=tuple(dict.fromkeys(unres)),
        )

    def _expand(
        self,
        name: str,
        books: list[dict[str, list[tuple[str, str, int]]]],
        nets: list[IPNetwork],
        unres: list[str],
        line: int,
        seen: set[str],
    ) -> None:
        owner = next((b for b in books if name in b), None)
        entries = None if owner is None else owner[name]
        if owner is not None:
            self.obj_refs.add((id(owner), name))
        if entries is None or name in seen:
            inline = _network(name)
            if inline is not None:  # a literal prefix (NAT rules accept them)
                nets.append(inline)
                return
            self.warn(line, f"address {name!r} is not defined in the address book", matters=True)
            unres.append(name)
            return
        seen = seen | {name}
        for kind, value, eline in entries:
            if kind == "net":
                net = _network(value)
                if net is not None:
                    nets.append(net)
            elif kind == "range":
                lo_s, hi_s = value.split()
                lo, hi = _addr(lo_s), _addr(hi_s)
                if lo is not None and hi is not None and lo.version == hi.version:
                    nets.extend(ipaddress.summarize_address_range(lo, hi))
            elif kind == "ref":
                self._expand(value, books, nets, unres, eline, seen)
            else:
                unres.append(f"{kind}:{value}")
                self.warn(
                    eline,
                    f"address {name!r} ({kind} {value}) cannot be resolved offline",
                    matters=True,
                )

    # applications -----------------------------------------------------------------------

    def resolve_apps(
        self, names: list[str], line: int, lines: dict[str, int] | None = None
    ) -> tuple[tuple[ServiceMatch, ...], list[str]]:
        if not names or "any" in names:
            return (ANY_SERVICE,), []
        out: list[ServiceMatch] = []
        unres: list[str] = []
        for n in names:
            self._app(n, (lines or {}).get(n, line), out, unres, set())
        return tuple(dict.fromkeys(out)), unres

    def _app(
        self, name: str, line: int, out: list[ServiceMatch], unres: list[str], seen: set[str]
    ) -> None:
        if name in seen:
            return
        self.app_refs.add(name)
        if name in self.app_sets:
            for member, mline in self.app_sets[name]:
                self._app(member, mline, out, unres, seen | {name})
            return
        if name in self.apps:
            for term in self.apps[name].values():
                svc = _app_term(term, name)
                if svc is None:
                    unres.append(name)
                    self.warn(
                        self.app_lines[name], f"application {name!r} not understood", matters=True
                    )
                else:
                    out.append(svc)
            return
        if name in PREDEFINED_APPLICATIONS:
            out.extend(PREDEFINED_APPLICATIONS[name])
            return
        unres.append(name)
        what = (
            "predefined application not in netaudit's table"
            if name.startswith("junos-")
            else "application is not defined"
        )
        self.warn(line, f"{name!r}: {what}", matters=True)

    def object_table(self) -> tuple[dict[str, object], ...]:
        """Address-book entries and applications, and whether anything references them.

        The standard ``extras["objects"]`` table of rule hygiene (RUL-007); call it after the
        policies and NAT rules are built. An object is cited at its first definition line.
        """
        out: list[dict[str, object]] = []
        books = [("global", self.global_book)]
        books += [(f"zone {z}", zone.book) for z, zone in self.zones.items() if zone.book]
        books += list(self.attached_books.items())
        for where, book in books:
            for name, entries in book.items():
                if not entries:
                    continue
                line = min(e[2] for e in entries)
                kind = "address-set" if all(e[0] == "ref" for e in entries) else "address"
                out.append(self._object(name, kind, line, (id(book), name) in self.obj_refs, where))
        for name, line in self.app_lines.items():
            out.append(self._object(name, "application", line, name in self.app_refs, ""))
        for name, members in self.app_sets.items():
            if members:
                line = min(m[1] for m in members)
                out.append(self._object(name, "application-set", line, name in self.app_refs, ""))
        return tuple(out)

    def _object(self, name: str, kind: str, line: int, used: bool, book: str) -> dict[str, object]:
        return {
            "name": name,
            "kind": kind,
            "line": line,
            "text": self.ctx.span(line).text,
            "referenced": used,
            **({"address_book": book} if book else {}),
        }

    # policy -------------------------------------------------------------------------------

    def build_policy(self, interfaces: list[Interface], zone_of: dict[str, str]) -> Filter | None:
        if not self.policies and not self.global_policies and not self.zones:
            return None
        members: dict[str, frozenset[str]] = {
            z: frozenset(n for n, _ in zone.interfaces)
            for z, zone in self.zones.items()
            if not zone.management
        }
        zoned = frozenset().union(*members.values()) if members else frozenset()
        rules: list[Rule] = []
        # An interface in no security zone (or in the management functional zone) drops all
        # transit traffic (Junos "Security Zones": an interface must be bound to a zone).
        unzoned = frozenset(
            i.name
            for i in interfaces
            if i.addresses and i.name not in zoned and i.mode is SwitchportMode.ROUTED
        )
        any_match = Match(src=ANY_ADDRESS, dst=ANY_ADDRESS)
        first_zone_line = min((z.line for z in self.zones.values()), default=1)
        if unzoned and zoned:
            for ins, outs in ((unzoned, None), (None, unzoned)):
                rules.append(
                    Rule(
                        action=Action.DENY,
                        match=any_match,
                        span=self.span(first_zone_line),
                        name="interfaces in no security zone",
                        in_interfaces=ins,
                        out_interfaces=outs,
                        extras={"synthetic": "interface not bound to a security zone"},
                    )
                )

        def zone_ifaces(z: str, line: int) -> frozenset[str]:
            if z in members:
                return members[z]
            if z != "junos-host":
                self.warn(line, f"security zone {z!r} is not defined", matters=True)
            return frozenset()

        for (fz, tz), pols in self.policies.items():
            for pol in pols.values():
                rules.append(
                    self._rule(pol, zone_ifaces(fz, pol.line), zone_ifaces(tz, pol.line), fz, tz)
                )
        for pol in self.global_policies.values():
            ins = (
                frozenset().union(*(zone_ifaces(z, pol.line) for z in pol.from_zones))
                if pol.from_zones and "any" not in pol.from_zones
                else zoned
            )
            outs = (
                frozenset().union(*(zone_ifaces(z, pol.line) for z in pol.to_zones))
                if pol.to_zones and "any" not in pol.to_zones
                else zoned
            )
            rules.append(self._rule(pol, ins, outs, None, None))
        default, dspan = Action.DENY, None
        if self.default_policy is not None:
            default = self.default_policy[0]
            dspan = self.span(self.default_policy[1])
        return Filter(
            name="security-policies",
            kind=FilterKind.POLICY,
            rules=tuple(rules),
            default_action=default,
            default_span=dspan,
            stateful=True,
            extras={"zones": {z: tuple(sorted(m)) for z, m in members.items()}},
        )

    def _rule(
        self,
        pol: _Policy,
        ins: frozenset[str],
        outs: frozenset[str],
        fz: str | None,
        tz: str | None,
    ) -> Rule:
        src_zone = fz if fz is not None else None
        dst_zone = tz if tz is not None else None
        src = self.resolve_address(pol.src, src_zone, pol.line, pol.src_excluded, pol.ref_lines)
        dst = self.resolve_address(pol.dst, dst_zone, pol.line, pol.dst_excluded, pol.ref_lines)
        services, unres = self.resolve_apps(pol.apps, pol.line, pol.ref_lines)
        if not pol.action:
            self.warn(pol.line, f"policy {pol.name} has no 'then' action", matters=True)
        action = Action.PERMIT if pol.action == "permit" else Action.DENY
        extras: dict[str, object] = {"then": pol.action or "none"}
        if fz is not None:
            extras["from_zone"], extras["to_zone"] = fz, tz
        else:
            extras["global"] = True
            if pol.from_zones:
                extras["from_zones"] = tuple(pol.from_zones)
            if pol.to_zones:
                extras["to_zones"] = tuple(pol.to_zones)
        line = pol.action_line or pol.line
        words: tuple[str, ...] = (
            ("security", "policies", "from-zone", fz, "to-zone", tz or "", "policy", pol.name)
            if fz is not None
            else ("security", "policies", "global", "policy", pol.name)
        )
        return Rule(
            action=action,
            match=Match(
                src=src,
                dst=dst,
                services=services,
                unresolved=tuple(dict.fromkeys(unres + pol.unresolved)),
            ),
            span=self.span(line, words),
            name=pol.name,
            enabled=pol.enabled,
            log=pol.log,
            in_interfaces=ins,
            out_interfaces=outs,
            extras=extras,
        )

    # NAT -------------------------------------------------------------------------------

    def build_nat(self, interfaces: list[Interface]) -> list[NatRule]:
        out: list[NatRule] = []
        by_name = {i.name: i for i in interfaces}

        def where(specs: list[tuple[str, str]], line: int) -> frozenset[str] | None:
            if not specs:
                return None
            acc: set[str] = set()
            for kind, val in specs:
                if kind == "zone":
                    z = self.zones.get(val)
                    if z is None:
                        self.warn(line, f"NAT: zone {val!r} is not defined")
                    else:
                        acc.update(n for n, _ in z.interfaces)
                elif kind == "interface":
                    acc.add(val)
                elif kind == "routing-instance":
                    inst = self.instances.get(val)
                    if inst is not None:
                        ifs = inst["ifaces"]
                        assert isinstance(ifs, list)
                        acc.update(str(x) for x in ifs)
            return frozenset(acc)

        for (kind, rsname), rs in self.nat_sets.items():
            ins = where(rs.from_, rs.line)
            outs = where(rs.to, rs.line)
            for rname, attrs in rs.rules.items():
                line = rs.rule_lines[rname]
                src_names = attrs.get("match source-address", []) + attrs.get(
                    "match source-address-name", []
                )
                dst_names = attrs.get("match destination-address", []) + attrs.get(
                    "match destination-address-name", []
                )
                src = self.resolve_address(src_names, None, line, False)
                dst = self.resolve_address(dst_names, None, line, False)
                protos = list(attrs.get("match protocol", []))
                dports = _nat_ports(attrs.get("match destination-port", []))
                services: tuple[ServiceMatch, ...] = (ANY_SERVICE,)
                if protos:
                    services = tuple(
                        ServiceMatch(protocol=_PROTOCOLS.get(p), dst_ports=dports) for p in protos
                    )
                elif dports:
                    services = (ServiceMatch(dst_ports=dports),)
                extras: dict[str, object] = {"rule_set": rsname}
                tsrc: tuple[IPNetwork, ...] | None = None
                tdst: tuple[IPNetwork, ...] | None = None
                tport: PortRange | None = None
                nkind = NatKind.SOURCE
                if kind == "source":
                    then = attrs.get("then source-nat", [])
                    if then and then[0] == "interface":
                        extras["mapped"] = "interface"
                        tsrc = tuple(
                            ipaddress.ip_network(a.ip)
                            for n in sorted(outs or ())
                            if n in by_name
                            for a in by_name[n].addresses
                        )
                    elif then and then[0] == "pool" and len(then) > 1:
                        tsrc = self._pool("source", then[1], line)
                        extras["pool"] = then[1]
                    elif then and then[0] == "off":
                        extras["off"] = True
                elif kind == "destination":
                    nkind = NatKind.DESTINATION
                    then = attrs.get("then destination-nat", [])
                    if then and then[0] == "pool" and len(then) > 1:
                        tdst = self._pool("destination", then[1], line)
                        port = self.nat_pools.get(("destination", then[1]), {}).get("port")
                        if isinstance(port, int):
                            tport = (port, port)
                        extras["pool"] = then[1]
                    elif then and then[0] == "off":
                        extras["off"] = True
                else:
                    nkind = NatKind.STATIC
                    then = attrs.get("then static-nat", [])
                    if then and then[0] in ("prefix", "prefix-name") and len(then) > 1:
                        got = self.resolve_address([then[1]], None, line, False)
                        tdst = got.networks
                    elif then and then[0] == "inet":
                        extras["inet"] = True
                out.append(
                    NatRule(
                        kind=nkind,
                        match=Match(src=src, dst=dst, services=services),
                        span=self.span(line),
                        name=f"{rsname}/{rname}",
                        enabled=rs.rule_enabled.get(rname, True),
                        in_interfaces=ins,
                        out_interfaces=outs,
                        translated_src=tsrc,
                        translated_dst=tdst,
                        translated_dst_ports=tport,
                        extras=extras,
                    )
                )
        return out

    def _pool(self, kind: str, name: str, line: int) -> tuple[IPNetwork, ...]:
        pool = self.nat_pools.get((kind, name))
        if pool is None:
            self.warn(line, f"NAT pool {name!r} is not defined", matters=True)
            return ()
        nets = pool["nets"]
        assert isinstance(nets, list)
        return tuple(nets)

    # routes -----------------------------------------------------------------------------

    def build_routes(self) -> list[Route]:
        out: list[Route] = []
        for (vrf, prefix), r in self.routes.items():
            net = _network(prefix)
            assert net is not None
            line = r["line"]
            pref = r["pref"]
            hops = r["hops"]
            assert isinstance(line, int) and isinstance(pref, int) and isinstance(hops, list)
            span = self.span(line)
            if r["discard"]:
                out.append(Route(prefix=net, span=span, vrf=vrf, discard=True, distance=pref))
                continue
            for hop in hops:
                ip = _addr(str(hop))
                out.append(
                    Route(
                        prefix=net,
                        span=span,
                        next_hop=ip,
                        interface=None if ip is not None else str(hop),
                        vrf=vrf,
                        distance=pref,
                    )
                )
        return out

    # filters ----------------------------------------------------------------------------

    def build_filters(
        self, interfaces: list[Interface]
    ) -> tuple[list[Filter], list[FilterBinding]]:
        filters: dict[str, Filter] = {}
        for key, terms in self.fw_filters.items():
            family, name = key.split(":", 1)
            rules: list[Rule] = []
            for term in terms.values():
                rules.extend(self._term_rules(term, family, name))
            fname = name if family == "inet" else f"{name} ({family})"
            filters[key] = Filter(
                name=fname,
                kind=FilterKind.ACL,
                rules=tuple(rules),
                span=self.span(self.fw_lines[key]),
                family={"inet": 4, "inet6": 6}.get(family),
                extras={"family": family},
            )
        bindings: list[FilterBinding] = []
        extra: list[Filter] = []
        for pname, phys in self.phys.items():
            for uname, unit in phys.units.items():
                ifname = f"{pname}.{uname}"
                for (fam, d), lst in unit.filters.items():
                    got: list[Filter] = []
                    for fname, fline in lst:
                        f = filters.get(f"{fam}:{fname}")
                        if f is None:
                            self.warn(
                                fline,
                                f"firewall filter {fname!r} ({fam}) is not defined",
                                matters=True,
                            )
                            f = Filter(
                                name=fname, kind=FilterKind.ACL, rules=(), span=self.span(fline)
                            )
                            filters[f"{fam}:{fname}"] = f
                        got.append(f)
                    if len(got) == 1:
                        chosen = got[0]
                    else:
                        chosen = Filter(
                            name="+".join(f.name for f in got),
                            kind=FilterKind.ACL,
                            rules=tuple(r for f in got for r in f.rules),
                            span=self.span(lst[0][1]),
                            extras={"concatenates": tuple(f.name for f in got)},
                        )
                        if all(x.name != chosen.name for x in extra):
                            extra.append(chosen)
                    bindings.append(
                        FilterBinding(
                            interface=ifname,
                            direction=Direction.IN if d == "input" else Direction.OUT,
                            filter=chosen.name,
                            span=self.span(lst[0][1]),
                        )
                    )
        return [*filters.values(), *extra], bindings

    def _term_rules(self, term: _Term, family: str, fname: str) -> list[Rule]:
        c = term.cond
        span = self.span(term.line)
        unres: list[str] = []

        def addrs(
            keys: tuple[str, ...], pl_keys: tuple[str, ...]
        ) -> tuple[AddressMatch, Match | None] | None:
            vals = [v for k in keys for v in c.get(k, [])]
            pls = [v for k in pl_keys for v in c.get(k, [])]
            if not vals and not pls:
                return None
            inc: list[IPNetwork] = []
            exc: list[IPNetwork] = []
            for v in vals:
                parts = v.split()
                net = _network(parts[0]) if parts else None
                if net is None:
                    unres.append(v)
                    continue
                (exc if "except" in parts else inc).append(net)
            for pl in pls:
                name = pl.split()[0] if pl else ""
                if name in self.prefix_lists:
                    inc.extend(self.prefix_lists[name])
                else:
                    unres.append(f"prefix-list {name}")
                    self.warn(term.line, f"prefix-list {name!r} is not defined", matters=True)
            return AddressMatch(networks=tuple(inc)), (
                Match(src=AddressMatch(networks=tuple(exc))) if exc else None
            )

        protos: list[int | None] = []
        for v in c.get("protocol", []) + c.get("next-header", []):
            for p in v.split():
                if p in _PROTOCOLS:
                    protos.append(_PROTOCOLS[p])
                elif p.isdigit():
                    protos.append(int(p))
                else:
                    unres.append(f"protocol {p}")
        if not protos:
            protos = [None]
        sports = _fw_ports(c.get("source-port", []))
        dports = _fw_ports(c.get("destination-port", []))
        eports = _fw_ports(c.get("port", []))
        itypes: list[int | None] = [t for v in c.get("icmp-type", []) for t in _icmp_types(v)]
        icodes: list[int | None] = [t for v in c.get("icmp-code", []) for t in _icmp_types(v)]
        established = "tcp-established" in c
        # "*-except" conditions exclude what they name (Junos "Firewall Filter Match
        # Conditions"): they become exceptions of every rule of the term.
        except_svcs: list[ServiceMatch] = []
        for v in c.get("icmp-type-except", []):
            except_svcs.extend(ServiceMatch(icmp_type=t) for t in _icmp_types(v))
        for v in c.get("icmp-code-except", []):
            except_svcs.extend(ServiceMatch(icmp_code=t) for t in _icmp_types(v))
        for v in c.get("protocol-except", []):
            except_svcs.extend(
                ServiceMatch(protocol=_PROTOCOLS.get(p, int(p) if p.isdigit() else -1))
                for p in v.split()
            )
        for key, which in (("source-port-except", "src"), ("destination-port-except", "dst")):
            ranges = _fw_ports(c.get(key, []))
            if ranges:
                except_svcs.append(
                    ServiceMatch(src_ports=ranges)
                    if which == "src"
                    else ServiceMatch(dst_ports=ranges)
                )
        term_exc = [Match(services=(x,)) for x in except_svcs if x.protocol != -1]
        for k in c:
            if k not in _FW_FROM:
                unres.append(f"from {k}")
        if unres:
            self.warn(
                term.line,
                f"filter {fname} term {term.name}: {', '.join(unres)} not modelled",
                matters=True,
            )
        action: Action | None = None
        log = False
        for a in term.actions:
            head = a.split()[0]
            if head == "accept":
                action = action or Action.PERMIT
            elif head in ("discard", "reject"):
                action = action or Action.DENY
            elif head in ("log", "syslog"):
                log = True
        if action is None:
            if any(a.startswith("next") for a in term.actions):
                return []  # "next term": not terminating, nothing decided here
            action = Action.PERMIT  # a term without a terminating action accepts (Junos docs)

        def services(
            ports_src: tuple[PortRange, ...] | None, ports_dst: tuple[PortRange, ...] | None
        ) -> tuple[ServiceMatch, ...]:
            out: list[ServiceMatch] = []
            for p in protos:
                for t in itypes or [None]:
                    for code in icodes or [None]:
                        out.append(
                            ServiceMatch(
                                protocol=p if p is not None or not established else PROTO_TCP,
                                src_ports=ports_src,
                                dst_ports=ports_dst,
                                icmp_type=t,
                                icmp_code=code,
                                established=established,
                            )
                        )
            return tuple(out)

        src = addrs(("source-address",), ("source-prefix-list",))
        dst = addrs(("destination-address",), ("destination-prefix-list",))
        either = addrs(("address",), ("prefix-list",))
        any_fam = ANY_V6 if family == "inet6" else ANY_V4
        variants: list[tuple[AddressMatch, AddressMatch, list[Match], list[Match]]] = []
        s_am, s_exc = src if src else (any_fam, None)
        d_am, d_exc = dst if dst else (any_fam, None)
        base_exc = [m for m in (s_exc,) if m] + (
            [Match(dst=d_exc.src)] if d_exc is not None else []
        )
        if either is None:
            variants.append((s_am, d_am, base_exc, []))
        else:
            e_am, e_exc = either
            variants.append((e_am, d_am, base_exc + ([e_exc] if e_exc else []), []))
            variants.append((s_am, e_am, base_exc + ([Match(dst=e_exc.src)] if e_exc else []), []))
        port_variants: list[tuple[tuple[PortRange, ...] | None, tuple[PortRange, ...] | None]]
        if eports is not None:
            port_variants = [(eports, dports), (sports, eports)]
        else:
            port_variants = [(sports, dports)]
        rules: list[Rule] = []
        for s_a, d_a, excs, _ in variants:
            for sp, dp in port_variants:
                rules.append(
                    Rule(
                        action=action,
                        match=Match(
                            src=s_a,
                            dst=d_a,
                            services=services(sp, dp),
                            unresolved=tuple(unres),
                        ),
                        span=span,
                        name=term.name,
                        enabled=term.enabled,
                        log=log,
                        exceptions=tuple(excs) + tuple(term_exc),
                    )
                )
        return rules

    # management -------------------------------------------------------------------------

    def build_mgmt(self, interfaces: list[Interface]) -> Management:
        oob = frozenset(
            i.name for i in interfaces if i.name.split(".")[0] in ("fxp0", "em0", "me0", "vme")
        )
        zones_present = any(not z.management for z in self.zones.values()) or any(
            z.management for z in self.zones.values()
        )
        services: list[MgmtService] = []
        for proto, (line, ifs) in self.services.items():
            allowed: set[str] = set(oob)
            for z in self.zones.values():
                zsvcs = z.services
                for ifn, _ in z.interfaces:
                    own = z.iface_services.get(ifn, set())
                    svc_set = own or zsvcs
                    name_in = {"netconf": "netconf", "http": "http", "https": "https"}.get(
                        proto, proto
                    )
                    if (name_in in svc_set or "all" in svc_set) and (
                        name_in not in z.services_except
                    ):
                        allowed.add(ifn)
            restrict: frozenset[str] | None = None
            if zones_present:
                restrict = frozenset(allowed)
            if ifs:
                restrict = frozenset(ifs) if restrict is None else frozenset(ifs) & restrict
            services.append(
                MgmtService(
                    protocol=proto,
                    span=self.span(line),
                    interfaces=restrict,
                )
            )
        communities: list[SnmpCommunity] = []
        for value, line, attrs in self.communities:
            acl = attrs["acl"]
            communities.append(
                SnmpCommunity(
                    digest=secret_digest(value),
                    span=self.span(line, secret=True),
                    guessable=value.lower() in DEFAULT_COMMUNITIES,
                    write=bool(attrs["write"]),
                    acl=str(acl) if acl else None,
                )
            )
        if self.communities:
            clients: list[IPNetwork] = []
            restricted = True
            for _, _, attrs in self.communities:
                cl = attrs["clients"]
                assert isinstance(cl, list)
                acl = attrs["acl"]
                if acl:
                    cl = cl + self.snmp_clients.get(str(acl), [])
                if not cl:
                    restricted = False
                clients.extend(cl)
            services.append(
                MgmtService(
                    protocol="snmp",
                    span=self.span(self.communities[0][1], secret=True),
                    allowed_sources=tuple(dict.fromkeys(clients)) if restricted else None,
                )
            )
        return Management(
            services=tuple(services),
            snmp_communities=tuple(communities),
            credentials=tuple(self.creds),
            syslog_hosts=tuple(self.syslog),
            ntp_servers=tuple(self.ntp),
            aaa=self.aaa,
            banner=self.banner,
        )


# ---------------------------------------------------------------------------------------------
# small helpers


def _book_entry(book: dict[str, list[tuple[str, str, int]]], r: tuple[str, ...], line: int) -> bool:
    """``address N A/len | dns-name X | range-address A to B | wildcard-address ..`` / sets."""
    if len(r) < 2:
        return False
    if r[0] == "address" and len(r) >= 3:
        name, rest = r[1], r[2:]
        entries = book.setdefault(name, [])
        if rest[0] == "description":
            return True
        if rest[0] == "dns-name" and len(rest) >= 2:
            entries.append(("dns-name", rest[1], line))
            return True
        if rest[0] == "range-address" and len(rest) >= 4 and rest[2] == "to":
            entries.append(("range", f"{rest[1]} {rest[3]}", line))
            return True
        if rest[0] == "wildcard-address" and len(rest) >= 2:
            entries.append(("wildcard-address", rest[1], line))
            return True
        if _network(rest[0]) is not None:
            entries.append(("net", rest[0], line))
            return True
        return False
    if r[0] == "address-set" and len(r) >= 4:
        entries = book.setdefault(r[1], [])
        if r[2] in ("address", "address-set"):
            entries.append(("ref", r[3], line))
            return True
        return r[2] == "description"
    if r[0] == "address-set" and len(r) == 2:
        book.setdefault(r[1], [])
        return True
    return r[0] in ("description", "attach")


def _network(text: str) -> IPNetwork | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _addr(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("/")[0])
    except ValueError:
        return None


def _vlan_range(text: str) -> list[int]:
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
    if not m:
        return []
    lo = int(m.group(1))
    hi = int(m.group(2) or lo)
    return list(range(lo, hi + 1)) if 1 <= lo <= hi <= 4094 else []


def _port_range(text: str) -> PortRange | None:
    m = re.fullmatch(r"(\S+?)(?:-(\S+))?", text)
    if not m:
        return None
    lo = _port(m.group(1))
    hi = _port(m.group(2)) if m.group(2) else lo
    return (lo, hi) if lo is not None and hi is not None and lo <= hi else None


def _port(text: str) -> int | None:
    if text.isdigit():
        return int(text) if int(text) <= 65535 else None
    return _PORTS.get(text)


def _fw_ports(values: list[str]) -> tuple[PortRange, ...] | None:
    if not values:
        return None
    out: list[PortRange] = []
    for v in values:
        for part in v.split():
            r = _port_range(part)
            if r is not None:
                out.append(r)
    return tuple(out)


def _nat_ports(values: list[str]) -> tuple[PortRange, ...] | None:
    if not values:
        return None
    words = " ".join(values).split()
    if len(words) >= 3 and words[1] == "to":
        lo, hi = _port(words[0]), _port(words[2])
        if lo is not None and hi is not None:
            return ((lo, hi),)
    r = _port_range(words[0])
    return (r,) if r else None


def _icmp_type(text: str) -> int | None:
    first = text.split()[0] if text else ""
    if first.isdigit():
        return int(first)
    return _ICMP_TYPES.get(first)


def _icmp_types(text: str) -> list[int | None]:
    """``8`` / ``echo-request`` / ``10-20`` as a list of ICMP types (or codes)."""
    m = re.fullmatch(r"(\d+)-(\d+)", text.strip())
    if m and int(m.group(1)) <= int(m.group(2)) <= 255:
        return list(range(int(m.group(1)), int(m.group(2)) + 1))
    t = _icmp_type(text)
    return [t] if t is not None else []


def _app_term(attrs: dict[str, str], name: str) -> ServiceMatch | None:
    proto_s = attrs.get("protocol")
    proto: int | None = None
    if proto_s is not None:
        if proto_s.isdigit():
            proto = int(proto_s)
        elif proto_s in _PROTOCOLS:
            proto = _PROTOCOLS[proto_s]
        else:
            return None
    dport = _port_range(attrs["destination-port"]) if "destination-port" in attrs else None
    sport = _port_range(attrs["source-port"]) if "source-port" in attrs else None
    if ("destination-port" in attrs and dport is None) or (
        "source-port" in attrs and sport is None
    ):
        return None
    itype_s = attrs.get("icmp-type", attrs.get("icmp6-type"))
    icode_s = attrs.get("icmp-code", attrs.get("icmp6-code"))
    itype = _icmp_type(itype_s) if itype_s else None
    icode = int(icode_s) if icode_s and icode_s.isdigit() else None
    ports_ok = proto in (PROTO_TCP, PROTO_UDP, 132)
    icmp_ok = proto in (PROTO_ICMP, PROTO_ICMPV6)
    return ServiceMatch(
        protocol=proto,
        src_ports=(sport,) if sport and ports_ok else None,
        dst_ports=(dport,) if dport and ports_ok else None,
        icmp_type=itype if icmp_ok else None,
        icmp_code=icode if icmp_ok else None,
        name=name,
    )


def _storage(kind: str, value: str) -> CredentialStorage:
    """``encrypted-password`` holds a crypt(3) hash; ``$9$`` strings are reversible."""
    if value.startswith("$9$"):
        return CredentialStorage.REVERSIBLE
    if kind == "plain-text-password":
        return CredentialStorage.PLAIN
    return CredentialStorage.HASHED


def _kind(phys: str, vlan_id: int | None) -> InterfaceKind:
    base = phys.split("-")[0]
    if phys in ("irb", "vlan"):
        return InterfaceKind.SVI
    if vlan_id is not None:
        return InterfaceKind.SUBINTERFACE
    if phys.startswith("lo"):
        return InterfaceKind.LOOPBACK
    if base in ("gr", "ip", "lt", "vt") or phys.startswith("st"):
        return InterfaceKind.TUNNEL
    if phys.startswith(("ae", "reth")):
        return InterfaceKind.PORT_CHANNEL
    if phys.startswith("pp0"):
        return InterfaceKind.PPP
    return InterfaceKind.PHYSICAL


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse a Junos configuration (brace or set format) into the model (never raises)."""
    j = _Junos(text, source)
    j.run()
    interfaces, zone_of = j.build_interfaces()
    policy = j.build_policy(interfaces, zone_of)
    filters, bindings = j.build_filters(interfaces)
    nat = j.build_nat(interfaces)
    routes = j.build_routes()
    mgmt = j.build_mgmt(interfaces)
    objects = j.object_table()
    for ifn in zone_of:
        if not any(i.name == ifn for i in interfaces):
            zline = next(ln for z in j.zones.values() for n, ln in z.interfaces if n == ifn)
            j.warn(zline, f"zone member {ifn!r} is not a configured interface unit")
    return DeviceConfig(
        name=name or j.hostname,
        platform=PLATFORM,
        source=source,
        hostname=j.hostname,
        interfaces=tuple(interfaces),
        vlans=tuple(j.build_vlans()),
        filters=tuple(filters),
        bindings=tuple(bindings),
        policy=policy,
        routes=tuple(routes),
        nat=tuple(nat),
        mgmt=mgmt,
        coverage=j.ctx.coverage(
            paths=None
            if j.set_format
            else {n: redact(" ".join(w)) for n, w in j.line_words.items()}
        ),
        warnings=tuple(j.ctx.warnings),
        extras={"format": "set" if j.set_format else "braces"}
        | ({"objects": objects} if objects else {}),
    )
