"""FortiGate (FortiOS) configuration parser: ``show full-configuration`` and backup text.

FortiOS text is a tree of ``config <path>`` sections that hold ``set``/``unset``/``append``
settings and ``edit <name>`` ... ``next`` entries, closed by ``end``. The parser first builds that
tree with FortiOS's own editing semantics (a later ``set`` replaces, ``append``/``select`` add,
``unset``/``unselect`` remove, ``delete``/``move``/``clone``/``rename`` act on the entry table,
a repeated ``config`` block adds to the earlier one), then reads the vendor-neutral model from it.

Multi-VDOM files (``config vdom`` / ``edit root`` ... and ``config global``) are read per VDOM:
objects are looked up in the VDOM first, then in ``config global``; a policy ``srcintf any`` in a
VDOM means every interface of that VDOM (in a single-VDOM file it means any interface: ``None``).
The policies of all VDOMs form the one :class:`~netaudit.model.Filter` in ``DeviceConfig.policy``;
this is exact because an interface belongs to one VDOM only.

Semantics the verdicts depend on (FortiOS Administration Guide, "Firewall policy"):

* Policies are evaluated top-down in the order they appear in the table (``move`` changes it),
  not by policy ID. The implicit policy 0 at the end denies (``default_action`` DENY, implicit).
* ``action`` defaults to ``deny``; ``status disable`` disables the policy; ``srcaddr``/``dstaddr``
  ``all`` is 0.0.0.0/0 and ``srcaddr6``/``dstaddr6`` ``all`` is ::/0; ``*-negate enable``
  complements the set (restricted to the address families the policy uses, via a condition);
  ``service ALL`` is every protocol.
* Zones are expanded to their member interfaces (``Rule.in_interfaces``); the zone names stay
  in the rule's ``extras``. A zone with ``intrazone allow`` gets a synthetic permit between its
  members after the configured policies.
* A VIP used as ``dstaddr`` matches the VIP's **external** address (``extip``): FortiOS matches
  the policy before destination NAT, so that is the address the packet carries when it is
  checked. The translation itself becomes a :class:`~netaudit.model.NatRule` (DESTINATION).
  ``nat enable`` on a policy becomes a SOURCE NatRule (to the IP pool, or the egress interface).
* Predefined services (``HTTP``, ``DNS``, ``ALL_TCP``, ...) come from :data:`PREDEFINED_SERVICES`
  when the config does not define them itself (FortiOS ships them as editable custom services).

Management: each ``allowaccess`` protocol of an interface is a
:class:`~netaudit.model.MgmtService` on that interface; administrator ``trusthost``s restrict
the login protocols (https, ssh, http, telnet). Admin passwords ``ENC SH2...`` are salted hashes.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from netaudit.model import (
    ANY_SERVICE,
    DEFAULT_COMMUNITIES,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_SCTP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
    Credential,
    CredentialStorage,
    DeviceConfig,
    Filter,
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
from netaudit.parsers.base import ParseContext

PLATFORM = "fortinet"

# --------------------------------------------------------------------------------------------
# The config tree
# --------------------------------------------------------------------------------------------


@dataclass
class _Setting:
    values: list[str]
    lines: list[int]


@dataclass
class _Block:
    """A ``config`` section or an ``edit`` entry: settings, nested sections, entries."""

    name: str
    line: int
    lines: list[int] = field(default_factory=list)
    settings: dict[str, _Setting] = field(default_factory=dict)
    sections: dict[str, _Block] = field(default_factory=dict)
    entries: dict[str, _Block] = field(default_factory=dict)
    order_lines: list[int] = field(default_factory=list)

    def walk_lines(self) -> Iterator[int]:
        """Every line of this block and its descendants."""
        yield from self.lines
        yield from self.order_lines
        for s in self.settings.values():
            yield from s.lines
        for b in self.sections.values():
            yield from b.walk_lines()
        for b in self.entries.values():
            yield from b.walk_lines()


_PLAIN = re.compile(r"^[^\"'\\]*$")
_WORD = re.compile(r"""(?:"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s"']+)+""")
_QUOTED = re.compile(r""""((?:[^"\\]|\\.)*)"?|'([^']*)'?""")
_ESCAPE = re.compile(r"\\(.)")


def _unquote(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return _ESCAPE.sub(r"\1", m.group(1))
    return m.group(2) or ""


def _words(line: str) -> list[str]:
    """Split a FortiOS line into words: quotes group (``"a b"``), ``\\`` escapes, adjacent
    quoted and bare parts join (``"new"_name``), an unterminated quote runs to the end."""
    if _PLAIN.match(line):
        return line.split()
    out: list[str] = []
    for w in _WORD.findall(line):
        if w[0] == '"' and w[-1] == '"' and len(w) > 1 and w.count('"') == 2 and "\\" not in w:
            out.append(w[1:-1])  # the common case, kept cheap
        elif '"' in w or "'" in w or "\\" in w:
            out.append(_QUOTED.sub(_unquote, w))
        else:
            out.append(w)
    return out


def _build_tree(ctx: ParseContext) -> _Block:
    """Build the section tree, applying FortiOS editing commands; warn on unbalanced blocks."""
    root = _Block(name="", line=0)
    stack: list[_Block] = [root]
    kinds: list[str] = ["root"]  # "section" or "entry" for each element of ``stack``
    for n, raw in enumerate(ctx.lines, start=1):
        text = raw.strip()
        if not text:
            continue
        if text.startswith("#"):
            ctx.skip(n)
            continue
        w = _words(text)
        if not w:
            ctx.skip(n)
            continue
        cur = stack[-1]
        cmd = w[0]
        if cmd == "config" and len(w) > 1:
            path = " ".join(w[1:])
            sec = cur.sections.get(path)
            if sec is None:
                sec = cur.sections[path] = _Block(name=path, line=n)
            sec.lines.append(n)
            stack.append(sec)
            kinds.append("section")
        elif cmd == "edit" and len(w) > 1 and kinds[-1] == "section":
            name = w[1]
            ent = cur.entries.get(name)
            if ent is None:
                ent = cur.entries[name] = _Block(name=name, line=n)
            ent.lines.append(n)
            stack.append(ent)
            kinds.append("entry")
        elif cmd == "next" and kinds[-1] == "entry":
            cur.lines.append(n)
            stack.pop()
            kinds.pop()
        elif cmd == "end" and len(stack) > 1:
            # ``end`` closes the section; an entry left open by a missing ``next`` closes too.
            if kinds[-1] == "entry":
                stack.pop()
                kinds.pop()
            stack[-1].lines.append(n)
            if len(stack) > 1:
                stack.pop()
                kinds.pop()
        elif cmd in ("set", "unset", "append", "select", "unselect") and len(w) > 1:
            _setting(cur, cmd, w[1], w[2:], n)
        elif cmd in ("move", "delete", "clone", "rename", "purge") and kinds[-1] == "section":
            _table_command(ctx, cur, w, n)
        else:
            ctx.unknown(n)
    if len(stack) > 1:
        ctx.warn(
            len(ctx.lines),
            f"truncated configuration: {len(stack) - 1} block(s) not closed "
            f"(innermost: {stack[-1].name!r}, opened at line {stack[-1].line})",
            matters=True,
        )
    return root


def _setting(cur: _Block, cmd: str, key: str, vals: list[str], n: int) -> None:
    """Apply ``set``/``append``/``select``/``unset``/``unselect`` to a block's settings."""
    s = cur.settings.get(key)
    if cmd == "set":
        cur.settings[key] = _Setting(values=list(vals), lines=[*(s.lines if s else []), n])
    elif cmd in ("append", "select"):
        if s is None:
            cur.settings[key] = _Setting(values=list(vals), lines=[n])
        else:
            s.values.extend(v for v in vals if cmd == "append" or v not in s.values)
            s.lines.append(n)
    elif cmd == "unselect" and s is not None:
        s.values = [v for v in s.values if v not in vals]
        s.lines.append(n)
    elif s is not None:  # unset
        del cur.settings[key]
        cur.order_lines.extend([*s.lines, n])
    else:
        cur.order_lines.append(n)


def _table_command(ctx: ParseContext, sec: _Block, w: list[str], n: int) -> None:
    """``move A before|after B``, ``delete A``, ``clone A to B``, ``rename A to B``, ``purge``."""
    cmd = w[0]
    ents = sec.entries
    sec.order_lines.append(n)
    if cmd == "purge":
        for e in ents.values():
            sec.order_lines.extend(e.walk_lines())
        ents.clear()
        return
    if len(w) < 2 or w[1] not in ents:
        ctx.warn(n, f"{cmd}: no entry {w[1] if len(w) > 1 else ''!r} in this table")
        return
    name = w[1]
    if cmd == "delete":
        sec.order_lines.extend(ents.pop(name).walk_lines())
        return
    if len(w) < 4:
        ctx.unknown(n)
        return
    target = w[3]
    if cmd == "move" and w[2] in ("before", "after") and target in ents and target != name:
        moving = ents.pop(name)
        items = list(ents.items())
        idx = next(i for i, (k, _) in enumerate(items) if k == target)
        items.insert(idx if w[2] == "before" else idx + 1, (name, moving))
        sec.entries = dict(items)
    elif cmd == "clone" and w[2] == "to":
        src = ents[name]
        ents[target] = _Block(
            name=target,
            line=n,
            lines=[n],
            settings={
                k: _Setting(values=list(s.values), lines=[n]) for k, s in src.settings.items()
            },
            sections=src.sections,
            entries=src.entries,
        )
    elif cmd == "rename" and w[2] == "to":
        items = [(target if k == name else k, v) for k, v in ents.items()]
        ents[name].name = target
        sec.entries = dict(items)
    else:
        ctx.warn(n, f"{cmd}: cannot apply {' '.join(w)!r}")


# --------------------------------------------------------------------------------------------
# Predefined objects
# --------------------------------------------------------------------------------------------

# FortiOS factory-default services ("config firewall service custom" of a new FortiGate; FortiOS
# Administration Guide, "Predefined services"). Written in FortiOS's own syntax: protocol and
# port ranges, ``dst[:src]`` as in ``tcp-portrange``.
PREDEFINED_SERVICES: dict[str, str] = {
    "ALL": "ip 0",
    "ALL_TCP": "tcp 1-65535",
    "ALL_UDP": "udp 1-65535",
    "ALL_ICMP": "icmp",
    "ALL_ICMP6": "icmp6",
    "GRE": "ip 47",
    "AH": "ip 51",
    "ESP": "ip 50",
    "OSPF": "ip 89",
    "AOL": "tcp 5190-5194",
    "BGP": "tcp 179",
    "DHCP": "udp 67-68",
    "DHCP6": "udp 546 547",
    "DNS": "tcp 53; udp 53",
    "FINGER": "tcp 79",
    "FTP": "tcp 21",
    "FTP_GET": "tcp 21",
    "FTP_PUT": "tcp 21",
    "GOPHER": "tcp 70",
    "H323": "tcp 1720 1503; udp 1719",
    "HTTP": "tcp 80",
    "HTTPS": "tcp 443",
    "IKE": "udp 500 4500",
    "IMAP": "tcp 143",
    "IMAPS": "tcp 993",
    "Internet-Locator-Service": "tcp 389",
    "IRC": "tcp 6660-6669",
    "L2TP": "tcp 1701; udp 1701",
    "LDAP": "tcp 389",
    "LDAP_UDP": "udp 389",
    "NetMeeting": "tcp 1720",
    "NFS": "tcp 111 2049; udp 111 2049",
    "NNTP": "tcp 119",
    "NTP": "tcp 123; udp 123",
    "PC-Anywhere": "tcp 5631; udp 5632",
    "PING": "icmp 8",
    "PING6": "icmp6 128",
    "TIMESTAMP": "icmp 13",
    "INFO_REQUEST": "icmp 15",
    "INFO_ADDRESS": "icmp 17",
    "ONC-RPC": "tcp 111; udp 111",
    "DCE-RPC": "tcp 135; udp 135",
    "POP3": "tcp 110",
    "POP3S": "tcp 995",
    "PPTP": "tcp 1723",
    "QUAKE": "udp 26000 27000 27910 27960",
    "RAUDIO": "udp 7070",
    "REXEC": "tcp 512",
    "RIP": "udp 520",
    "RLOGIN": "tcp 513:512-1023",
    "RSH": "tcp 514:512-1023",
    "SAMBA": "tcp 139",
    "SMB": "tcp 445",
    "SCCP": "tcp 2000",
    "SIP": "tcp 5060; udp 5060",
    "SIP-MSNmessenger": "tcp 1863",
    "SMTP": "tcp 25",
    "SMTPS": "tcp 465",
    "SNMP": "tcp 161-162; udp 161-162",
    "SSH": "tcp 22",
    "SYSLOG": "udp 514",
    "TALK": "udp 517-518",
    "TELNET": "tcp 23",
    "TFTP": "udp 69",
    "MGCP": "udp 2427 2727",
    "UUCP": "tcp 540",
    "VDOLIVE": "tcp 7000-7010",
    "WAIS": "tcp 210",
    "WINFRAME": "tcp 1494 2598",
    "X-WINDOWS": "tcp 6000-6063",
    "MS-SQL": "tcp 1433 1434",
    "MYSQL": "tcp 3306",
    "RDP": "tcp 3389",
    "VNC": "tcp 5900",
    "KERBEROS": "tcp 88; udp 88",
    "RADIUS": "udp 1812 1813",
    "RADIUS-OLD": "udp 1645 1646",
    "SQUID": "tcp 3128",
    "SOCKS": "tcp 1080; udp 1080",
    "WINS": "tcp 1512; udp 1512",
    "CVSPSERVER": "tcp 2401; udp 2401",
    "AFS3": "tcp 7000-7009; udp 7000-7009",
    "TRACEROUTE": "udp 33434-33535",
    "RTSP": "tcp 554 7070 8554; udp 554",
    "MMS": "tcp 1755; udp 1024-5000",
    "NONE": "tcp 0",
}

_ZERO = "0.0.0.0"  # noqa: S104 - FortiOS's default for unset addresses, not a bind

_PROTO_BY_NAME = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "sctp": PROTO_SCTP}

# Sections that carry nothing the audit reads (UI, messages, UTM profile content, hardware).
_IRRELEVANT_PREFIXES = (
    "system replacemsg",
    "system accprofile",
    "system np6",
    "system storage",
    "system email-server",
    "system session-helper",
    "system object-tagging",
    "system console",
    "system dns",
    "system fortiguard",
    "system auto-install",
    "system automation",
    "system sdn-connector",
    "system settings",
    "system ha",
    "system central-management",
    "system snmp sysinfo",
    "system api-user",
    "system password-policy",
    "system custom-language",
    "system ips-urlfilter-dns",
    "firewall service category",
    "firewall multicast-address",
    "firewall wildcard-fqdn",
    "firewall internet-service",
    "firewall ssl-ssh-profile",
    "firewall profile-protocol-options",
    "firewall schedule",
    "firewall ssl setting",
    "router access-list",
    "router prefix-list",
    "router route-map",
    "router aspath-list",
    "router community-list",
    "log memory",
    "log disk",
    "log fortianalyzer",
    "log fortiguard",
    "log setting",
    "log eventfilter",
    "log gui-display",
    "log null-device",
    "log webtrends",
    "alertemail",
    "antivirus",
    "ips",
    "webfilter",
    "application",
    "dlp",
    "spamfilter",
    "emailfilter",
    "dnsfilter",
    "waf",
    "voip",
    "icap",
    "wanopt",
    "web-proxy",
    "wireless-controller",
    "switch-controller",
    "endpoint-control",
    "report",
    "vpn certificate",
    "user device",
    "user fortitoken",
    "certificate",
)

# Sections whose lines count as security-relevant in the corpus coverage figure.
_RELEVANT_PREFIXES = (
    "system interface",
    "system zone",
    "system global",
    "system admin",
    "system snmp",
    "system ntp",
    "firewall address",
    "firewall addrgrp",
    "firewall service custom",
    "firewall service group",
    "firewall policy",
    "firewall vip",
    "firewall ippool",
    "firewall local-in-policy",
    "router static",
    "log syslogd",
)


def _starts(path: str, prefixes: Iterable[str]) -> bool:
    """Whether ``path`` is one of ``prefixes`` or a variant (``address6``, ``syslogd2 setting``)."""
    return any(
        path == p or (path.startswith(p) and path[len(p)] in " -0123456789") for p in prefixes
    )


def security_relevant_lines(text: str) -> set[int]:
    """Line numbers inside the sections the audit depends on (for coverage figures)."""
    ctx = ParseContext(source="", text=text)
    root = _build_tree(ctx)
    out: set[int] = set()

    def visit(block: _Block) -> None:
        for path, sec in block.sections.items():
            if path in ("global", "vdom"):
                visit(sec)
                for e in sec.entries.values():
                    visit(e)
            elif _starts(path, _RELEVANT_PREFIXES):
                out.update(sec.walk_lines())

    visit(root)
    return out


# --------------------------------------------------------------------------------------------
# Address and port helpers
# --------------------------------------------------------------------------------------------


def _v4_net(words: list[str]) -> IPNetwork | None:
    """``A M`` or ``A/len`` (host bits allowed) -> network; ``None`` when invalid."""
    try:
        if len(words) >= 2 and "/" not in words[0]:
            return ipaddress.ip_interface(f"{words[0]}/{words[1]}").network
        if words:
            return ipaddress.ip_interface(words[0]).network
    except ValueError:
        return None
    return None


def _v4_iface(words: list[str]) -> IPInterface | None:
    try:
        if len(words) >= 2 and "/" not in words[0]:
            return ipaddress.ip_interface(f"{words[0]}/{words[1]}")
        if words:
            return ipaddress.ip_interface(words[0])
    except ValueError:
        return None
    return None


def _range_nets(start: str, end: str) -> tuple[IPNetwork, ...] | None:
    try:
        lo = ipaddress.ip_address(start)
        hi = ipaddress.ip_address(end)
        if lo.version != hi.version or int(lo) > int(hi):
            return None
        return tuple(ipaddress.summarize_address_range(lo, hi))
    except (ValueError, TypeError):
        return None


def _wildcard_nets(addr: str, mask: str) -> tuple[IPNetwork, ...] | None:
    """A FortiOS wildcard (``A M``: bits set in M must equal A) as networks, when few enough."""
    try:
        a = int(ipaddress.IPv4Address(addr))
        m = int(ipaddress.IPv4Address(mask))
    except ValueError:
        return None
    # Trailing zero bits of the mask form the host part; other zero bits are enumerated.
    host = 0
    while host < 32 and not (m >> host) & 1:
        host += 1
    free = [b for b in range(host, 32) if not (m >> b) & 1]
    if len(free) > 10:
        return None
    out: list[IPNetwork] = []
    base = a & m
    for combo in range(1 << len(free)):
        v = base
        for i, b in enumerate(free):
            if combo >> i & 1:
                v |= 1 << b
        out.append(ipaddress.IPv4Network((v >> host << host, 32 - host)))
    return tuple(sorted(out))


def _ranges(text: str) -> tuple[PortRange, ...] | None:
    """``80`` / ``1000-2000`` -> ranges; ``None`` when malformed."""
    try:
        if "-" in text:
            lo, hi = text.split("-", 1)
            a, b = int(lo), int(hi)
        else:
            a = b = int(text)
    except ValueError:
        return None
    if not (0 <= a <= 65535 and 0 <= b <= 65535):
        return None
    return ((min(a, b), max(a, b)),)


def _port_services(proto: int, specs: list[str], name: str) -> tuple[list[ServiceMatch], bool]:
    """``tcp-portrange`` values (``dst[:src]``) -> services; flag when something was malformed."""
    plain: list[PortRange] = []
    out: list[ServiceMatch] = []
    bad = False
    for spec in specs:
        dst, _, src = spec.partition(":")
        d = _ranges(dst)
        s = _ranges(src) if src else None
        if d is None or (src and s is None):
            bad = True
            continue
        if s is None:
            plain.extend(d)
        else:
            out.append(ServiceMatch(protocol=proto, dst_ports=d, src_ports=s, name=name))
    if plain:
        out.insert(0, ServiceMatch(protocol=proto, dst_ports=tuple(plain), name=name))
    return out, bad


def _predefined(name: str) -> tuple[ServiceMatch, ...]:
    out: list[ServiceMatch] = []
    for part in PREDEFINED_SERVICES[name].split(";"):
        w = part.split()
        kind = w[0]
        if kind == "ip":
            p = int(w[1])
            out.append(ServiceMatch(protocol=p or None, name=name))
        elif kind in ("icmp", "icmp6"):
            proto = PROTO_ICMP if kind == "icmp" else PROTO_ICMPV6
            out.append(
                ServiceMatch(protocol=proto, icmp_type=int(w[1]) if len(w) > 1 else None, name=name)
            )
        else:
            out.extend(_port_services(_PROTO_BY_NAME[kind], w[1:], name)[0])
    return tuple(out)


def _exclude(nets: list[IPNetwork], minus: list[IPNetwork]) -> list[IPNetwork]:
    """The exact set difference of two network lists."""
    cur = list(nets)
    for ex in minus:
        nxt: list[IPNetwork] = []
        for n in cur:
            if n.version != ex.version or not n.overlaps(ex):
                nxt.append(n)
            elif n.subnet_of(ex):  # type: ignore[arg-type]
                continue
            else:
                nxt.extend(n.address_exclude(ex))  # type: ignore[arg-type]
        cur = nxt
    return sorted(cur, key=lambda x: (x.version, x))


@dataclass(frozen=True)
class _Addr:
    nets: tuple[IPNetwork, ...]
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Svc:
    services: tuple[ServiceMatch, ...]
    unresolved: tuple[str, ...] = ()


_ANY4 = ipaddress.IPv4Network("0.0.0.0/0")
_ANY6 = ipaddress.IPv6Network("::/0")
_LOGIN_PROTOCOLS = frozenset({"https", "ssh", "http", "telnet"})

# --------------------------------------------------------------------------------------------
# Interpretation
# --------------------------------------------------------------------------------------------


@dataclass
class _Vdom:
    name: str | None
    sections: dict[str, _Block]
    global_sections: dict[str, _Block]

    def section(self, path: str) -> _Block | None:
        return self.sections.get(path) or self.global_sections.get(path)


# Objects every FortiOS config carries from the factory (FortiOS Administration Guide,
# "Default address objects" / predefined services): an unused one is not a finding (RUL-007).
_FACTORY_OBJECTS = frozenset(
    {
        "all",
        "none",
        "FABRIC_DEVICE",
        "FIREWALL_AUTH_PORTAL_ADDRESS",
        "SSLVPN_TUNNEL_ADDR1",
        "SSLVPN_TUNNEL_IPv6_ADDR1",
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "gmail.com",
        "wildcard.google.com",
        "wildcard.dropbox.com",
        "G Suite",
        "Microsoft Office 365",
        "Email Access",
        "Web Access",
        "Windows AD",
        "Exchange Server",
    }
)


class _Reader:
    """Reads the model out of the tree, marking what it used in the parse context."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.interfaces: dict[str, Interface] = {}
        self.iface_vdom: dict[str, str] = {}
        self.rules: list[Rule] = []
        self.nat: list[NatRule] = []
        # Rule hygiene (RUL-007): (id of the vdom's table, name) of every object referenced.
        self.obj_refs: set[tuple[int, str]] = set()
        self.objects: list[dict[str, object]] = []
        self.routes: list[Route] = []
        self.services: list[MgmtService] = []
        self.credentials: list[Credential] = []
        self.communities: list[SnmpCommunity] = []
        self.snmp_hosts: list[IPNetwork] = []
        self.snmp_unrestricted = False
        self.syslog: list[str] = []
        self.ntp: list[str] = []
        self.hostname = ""
        self.banner: bool | None = None
        # AAA: None until admins are read; True when an admin authenticates remotely
        # (set remote-auth enable: RADIUS/TACACS+/LDAP group), False otherwise.
        self.aaa: bool | None = None
        self.trust: list[IPNetwork] = []
        self.trust_unrestricted = False
        self.mgmt_extras: dict[str, object] = {}
        self.zone_of: dict[str, str] = {}
        self.allowaccess: list[tuple[str, str, int]] = []

    # -- bookkeeping ------------------------------------------------------------------------

    def span(self, line: int, *, secret: bool = False) -> SourceSpan:
        return self.ctx.span(line, secret=secret)

    def structure(self, b: _Block) -> None:
        self.ctx.ok(*b.lines, *b.order_lines)

    def everything(self, b: _Block) -> None:
        self.ctx.ok(*b.walk_lines())

    def get(self, b: _Block, key: str) -> list[str] | None:
        s = b.settings.get(key)
        if s is None:
            return None
        self.ctx.ok(*s.lines)
        return s.values

    def one(self, b: _Block, key: str, default: str | None = None) -> str | None:
        v = self.get(b, key)
        return v[0] if v else default

    def line_of(self, b: _Block, key: str) -> int:
        s = b.settings.get(key)
        return s.lines[-1] if s else b.line

    def ignore(self, b: _Block, *keys: str) -> None:
        for k in keys:
            s = b.settings.get(k)
            if s is not None:
                self.ctx.ok(*s.lines)

    def secret_span(self, line: int) -> SourceSpan:
        text = self.ctx.lines[line - 1].strip() if 0 < line <= len(self.ctx.lines) else ""
        head = " ".join(text.split()[:2])
        return SourceSpan(file=self.ctx.source, line=line, text=f"{head} <redacted>")

    # -- global objects ---------------------------------------------------------------------

    def read_global(self, sec: _Block) -> None:
        self.structure(sec)
        self.hostname = self.one(sec, "hostname") or ""
        pre = self.one(sec, "pre-login-banner")
        post = self.one(sec, "post-login-banner")
        if pre is not None or post is not None:
            self.banner = "enable" in (pre, post)
        for key in ("admin-sport", "admin-port", "admin-ssh-port", "admin-telnet-port"):
            v = self.one(sec, key)
            if v is not None:
                self.mgmt_extras[key] = v
        for key in ("admin-telnet", "admin-https-redirect", "strong-crypto", "admin-ssh-v1"):
            v = self.one(sec, key)
            if v is not None:
                self.mgmt_extras[key] = v
        # The rest of "system global" is device tuning (time zone, GUI, timers).
        self.everything(sec)

    def read_interfaces(self, sec: _Block, zones: dict[str, str]) -> None:
        self.structure(sec)
        for name, e in sec.entries.items():
            self.structure(e)
            extras: dict[str, object] = {}
            addrs: list[IPInterface] = []
            ip = self.get(e, "ip")
            if ip:
                a = _v4_iface(ip)
                if a is None:
                    self.ctx.warn(self.line_of(e, "ip"), f"interface {name}: bad address {ip}")
                elif int(a.ip) != 0:
                    addrs.append(a)
            sip = e.sections.get("secondaryip")
            if sip is not None:
                self.structure(sip)
                self.get(e, "secondary-IP")
                for se in sip.entries.values():
                    self.structure(se)
                    v = self.get(se, "ip")
                    a2 = _v4_iface(v) if v else None
                    if a2 is not None:
                        addrs.append(a2)
                    self.ignore(se, "allowaccess", "gwdetect", "detectserver")
            ip6 = e.sections.get("ipv6")
            if ip6 is not None:
                self.structure(ip6)
                v6 = self.one(ip6, "ip6-address")
                if v6:
                    try:
                        a6 = ipaddress.ip_interface(v6)
                        if int(a6.ip) != 0:
                            addrs.append(a6)
                    except ValueError:
                        self.ctx.warn(self.line_of(ip6, "ip6-address"), f"bad address {v6}")
                aa6 = self.get(ip6, "ip6-allowaccess")
                if aa6:
                    extras["ip6_allowaccess"] = tuple(aa6)
                self.everything(ip6)
            vdom = self.one(e, "vdom")
            if vdom:
                self.iface_vdom[name] = vdom
                extras["vdom"] = vdom
            itype = self.one(e, "type", "physical") or "physical"
            kind = {
                "physical": InterfaceKind.PHYSICAL,
                "vlan": InterfaceKind.SUBINTERFACE,
                "aggregate": InterfaceKind.PORT_CHANNEL,
                "redundant": InterfaceKind.PORT_CHANNEL,
                "loopback": InterfaceKind.LOOPBACK,
                "tunnel": InterfaceKind.TUNNEL,
            }.get(itype, InterfaceKind.OTHER)
            if itype != "physical":
                extras["type"] = itype
            vlan_id = self.one(e, "vlanid")
            parent = self.one(e, "interface")
            if vlan_id is not None and itype in ("physical", "vlan"):
                kind = InterfaceKind.SUBINTERFACE
            for key in ("role", "alias"):
                val = self.one(e, key)
                if val:
                    extras[key] = val
            aa = self.get(e, "allowaccess")
            for proto in aa or []:
                self.allowaccess.append((name, proto, self.line_of(e, "allowaccess")))
            members = self.get(e, "member")
            if members:
                extras["members"] = tuple(members)
            vrf = self.one(e, "vrf")
            status = self.one(e, "status", "up")
            self.ignore(
                e,
                "snmp-index",
                "speed",
                "mtu",
                "mtu-override",
                "mode",
                "macaddr",
                "uuid",
                "estimated-upstream-bandwidth",
                "estimated-downstream-bandwidth",
                "device-identification",
                "lldp-transmission",
                "lldp-reception",
                "monitor-bandwidth",
                "color",
                "dedicated-to",
                "trust-ip-1",
                "icon",
                "dhcp-relay-service",
                "dhcp-relay-ip",
                "secondary-IP",
                "fortiheartbeat",
                "mediatype",
                "interconnect-profile",
                "stp",
                "src-check",
                "defaultgw",
                "dns-server-override",
                "broadcast-forward",
                "l2forward",
                "vlanforward",
                "remote-ip",
                "tcp-mss",
                "inbandwidth",
                "outbandwidth",
                "lacp-mode",
                "distance",
                "weight",
                "priority",
            )
            desc = self.one(e, "description") or ""
            self.interfaces[name] = Interface(
                name=name,
                span=self.span(e.line),
                kind=kind,
                description=desc,
                enabled=status != "down",
                addresses=tuple(addrs),
                vrf=vrf if vrf not in (None, "0") else None,
                vlan=int(vlan_id) if vlan_id and vlan_id.isdigit() else None,
                parent=parent if kind is InterfaceKind.SUBINTERFACE else None,
                security_zone=zones.get(name),
                extras=extras,
            )

    # -- per-VDOM objects --------------------------------------------------------------------

    def read_zones(self, v: _Vdom) -> dict[str, tuple[list[str], str, int]]:
        """Zone name -> (member interfaces, intrazone action, line)."""
        out: dict[str, tuple[list[str], str, int]] = {}
        sec = v.section("system zone")
        if sec is None:
            return out
        self.structure(sec)
        for name, e in sec.entries.items():
            self.structure(e)
            members = self.get(e, "interface") or []
            intra = self.one(e, "intrazone", "deny") or "deny"
            self.ignore(e, "description")
            out[name] = (members, intra, e.line)
            for m in members:
                self.zone_of[m] = name
        return out

    def address_table(self, v: _Vdom, six: bool) -> tuple[dict[str, _Block], dict[str, _Block]]:
        """The IPv4 (or IPv6) address objects and groups; the two families are separate tables."""
        sfx = "6" if six else ""
        addrs: dict[str, _Block] = {}
        groups: dict[str, _Block] = {}
        for path in (f"firewall address{sfx}", f"firewall vip{sfx}"):
            for src in (v.global_sections.get(path), v.sections.get(path)):
                if src is not None:
                    self.structure(src)
                    addrs.update({k: e for k, e in src.entries.items() if k not in addrs})
        for path in (f"firewall addrgrp{sfx}", f"firewall vipgrp{sfx}"):
            for src in (v.global_sections.get(path), v.sections.get(path)):
                if src is not None:
                    self.structure(src)
                    groups.update(src.entries)
        return addrs, groups

    def resolve_address(
        self,
        name: str,
        addrs: dict[str, _Block],
        groups: dict[str, _Block],
        memo: dict[str, _Addr],
        seen: frozenset[str] = frozenset(),
        six: bool = False,
    ) -> _Addr | None:
        if name in memo:
            return memo[name]
        if name in seen:
            return _Addr(nets=(), unresolved=(f"{name} (circular group)",))
        result: _Addr | None
        if name in addrs:
            result = self.address_object(name, addrs[name], six)
        elif name in groups:
            g = groups[name]
            self.structure(g)
            nets: list[IPNetwork] = []
            unres: list[str] = []
            for m in self.get(g, "member") or []:
                self.obj_refs.add((id(addrs), m))
                r = self.resolve_address(m, addrs, groups, memo, seen | {name}, six)
                if r is None:
                    self.ctx.warn(self.line_of(g, "member"), f"group {name}: undefined {m}")
                    unres.append(m)
                else:
                    nets.extend(r.nets)
                    unres.extend(r.unresolved)
            if (self.one(g, "exclude", "disable") or "") == "enable":
                minus: list[IPNetwork] = []
                for m in self.get(g, "exclude-member") or []:
                    self.obj_refs.add((id(addrs), m))
                    r = self.resolve_address(m, addrs, groups, memo, seen | {name}, six)
                    if r is None or r.unresolved:
                        unres.append(f"{name} exclude {m}")
                    if r is not None:
                        minus.extend(r.nets)
                nets = _exclude(nets, minus)
            else:
                self.ignore(g, "exclude-member")
            self.ignore(g, "uuid", "comment", "color", "type", "allow-routing", "fabric-object")
            result = _Addr(nets=tuple(nets), unresolved=tuple(unres))
        elif name == "all":
            result = _Addr(nets=(_ANY4, _ANY6))
        elif name == "none":
            result = _Addr(nets=())
        else:
            result = None
        if result is not None:
            memo[name] = result
        return result

    def address_object(self, name: str, e: _Block, six: bool) -> _Addr:
        self.structure(e)
        self.ignore(
            e,
            "uuid",
            "comment",
            "color",
            "associated-interface",
            "allow-routing",
            "fabric-object",
            "visibility",
            "cache-ttl",
            "sub-type",
            "sdn",
            "obj-type",
            "list",
            "tagging",
            "nat-source-vip",
            "arp-reply",
            "comments",
            "extintf",
            "portforward",
            "protocol",
            "extport",
            "mappedport",
            "mappedip",
            "src-filter",
            "service",
            "ldb-method",
            "id",
        )
        if "extip" in e.settings or "mappedip" in e.settings:
            ext = self.get(e, "extip") or []
            nets = self._ip_or_range(ext[0]) if ext else None
            if nets is None:
                return _Addr(nets=(), unresolved=(f"{name} (VIP without extip)",))
            return _Addr(nets=nets)
        if six:
            v6 = self.one(e, "ip6", "::/0")
            self.ignore(e, "type")
            try:
                return _Addr(nets=(ipaddress.ip_network(v6 or "", strict=False),))
            except ValueError:
                return _Addr(nets=(), unresolved=(f"{name} (bad ip6 {v6})",))
        atype = self.one(e, "type", "ipmask") or "ipmask"
        if atype in ("ipmask", "ipprefix"):
            sub = self.get(e, "subnet") or [_ZERO, _ZERO]
            net = _v4_net(sub)
            if net is None:
                self.ctx.warn(self.line_of(e, "subnet"), f"address {name}: bad subnet")
                return _Addr(nets=(), unresolved=(f"{name} (bad subnet)",))
            self.ignore(e, "start-ip", "end-ip", "wildcard")
            return _Addr(nets=(net,))
        if atype == "iprange":
            start = self.one(e, "start-ip", _ZERO) or _ZERO
            end = self.one(e, "end-ip", _ZERO) or _ZERO
            self.ignore(e, "subnet", "wildcard")
            r = _range_nets(start, end)
            if r is None:
                self.ctx.warn(self.line_of(e, "end-ip"), f"address {name}: bad range")
                return _Addr(nets=(), unresolved=(f"{name} (bad range)",))
            return _Addr(nets=r)
        if atype == "wildcard":
            wc = self.get(e, "wildcard") or [_ZERO, _ZERO]
            self.ignore(e, "subnet", "start-ip", "end-ip")
            w = _wildcard_nets(wc[0], wc[1]) if len(wc) >= 2 else None
            if w is None:
                return _Addr(nets=(), unresolved=(f"{name} (wildcard)",))
            return _Addr(nets=w)
        if atype == "interface-subnet":
            iface = self.one(e, "interface") or ""
            i = self.interfaces.get(iface)
            if i is not None and i.addresses:
                return _Addr(nets=i.networks)
            return _Addr(nets=(), unresolved=(f"{name} (interface-subnet {iface})",))
        for key in ("fqdn", "country", "wildcard-fqdn", "start-mac", "end-mac", "macaddr"):
            self.get(e, key)
        return _Addr(nets=(), unresolved=(f"{name} ({atype})",))

    def _ip_or_range(self, text: str) -> tuple[IPNetwork, ...] | None:
        if "-" in text:
            a, b = text.split("-", 1)
            return _range_nets(a, b)
        try:
            return (ipaddress.ip_network(text, strict=False),)
        except ValueError:
            return None

    def service_table(self, v: _Vdom) -> tuple[dict[str, _Block], dict[str, _Block]]:
        custom: dict[str, _Block] = {}
        groups: dict[str, _Block] = {}
        for path, table in (
            ("firewall service custom", custom),
            ("firewall service group", groups),
        ):
            for src in (v.global_sections.get(path), v.sections.get(path)):
                if src is not None:
                    self.structure(src)
                    table.update(src.entries)
        return custom, groups

    def resolve_service(
        self,
        name: str,
        custom: dict[str, _Block],
        groups: dict[str, _Block],
        memo: dict[str, _Svc],
        seen: frozenset[str] = frozenset(),
    ) -> _Svc | None:
        if name in memo:
            return memo[name]
        if name in seen:
            return _Svc(services=(), unresolved=(f"{name} (circular group)",))
        result: _Svc | None
        if name in custom:
            result = self.custom_service(name, custom[name])
        elif name in groups:
            g = groups[name]
            self.structure(g)
            svcs: list[ServiceMatch] = []
            unres: list[str] = []
            for m in self.get(g, "member") or []:
                self.obj_refs.add((id(custom), m))
                r = self.resolve_service(m, custom, groups, memo, seen | {name})
                if r is None:
                    self.ctx.warn(self.line_of(g, "member"), f"service group {name}: undefined {m}")
                    unres.append(m)
                else:
                    svcs.extend(r.services)
                    unres.extend(r.unresolved)
            self.ignore(g, "comment", "uuid", "color", "proxy", "fabric-object")
            result = _Svc(services=tuple(svcs), unresolved=tuple(unres))
        elif name in PREDEFINED_SERVICES:
            result = _Svc(services=_predefined(name))
        else:
            result = None
        if result is not None:
            memo[name] = result
        return result

    def custom_service(self, name: str, e: _Block) -> _Svc:
        self.structure(e)
        self.ignore(
            e,
            "category",
            "comment",
            "visibility",
            "uuid",
            "color",
            "proxy",
            "helper",
            "check-reset-range",
            "session-ttl",
            "tcp-halfclose-timer",
            "tcp-halfopen-timer",
            "tcp-timewait-timer",
            "udp-idle-timer",
            "fabric-object",
            "app-service-type",
        )
        proto = (self.one(e, "protocol", "TCP/UDP/SCTP") or "TCP/UDP/SCTP").upper()
        if "iprange" in e.settings or "fqdn" in e.settings:
            return _Svc(services=(), unresolved=(f"{name} (destination-restricted service)",))
        # Settings of another protocol are left over from an earlier "set protocol": inert.
        if proto != "IP":
            self.ignore(e, "protocol-number")
        if proto not in ("ICMP", "ICMP6"):
            self.ignore(e, "icmptype", "icmpcode")
        if not proto.startswith("TCP/UDP"):
            self.ignore(e, "tcp-portrange", "udp-portrange", "sctp-portrange")
        if proto == "IP":
            num = self.one(e, "protocol-number", "0") or "0"
            p = int(num) if num.isdigit() else 0
            return _Svc(services=(ServiceMatch(protocol=p or None, name=name),))
        if proto in ("ICMP", "ICMP6"):
            itype = self.one(e, "icmptype")
            icode = self.one(e, "icmpcode")
            return _Svc(
                services=(
                    ServiceMatch(
                        protocol=PROTO_ICMP if proto == "ICMP" else PROTO_ICMPV6,
                        icmp_type=int(itype) if itype and itype.isdigit() else None,
                        icmp_code=int(icode) if icode and icode.isdigit() else None,
                        name=name,
                    ),
                )
            )
        if proto in ("TCP/UDP/SCTP", "TCP/UDP/UDP-LITE/SCTP"):
            out: list[ServiceMatch] = []
            bad = False
            for key, p in (
                ("tcp-portrange", PROTO_TCP),
                ("udp-portrange", PROTO_UDP),
                ("sctp-portrange", PROTO_SCTP),
            ):
                specs = self.get(e, key)
                if specs:
                    svcs, b = _port_services(p, specs, name)
                    out.extend(svcs)
                    bad = bad or b
            if bad:
                self.ctx.warn(e.line, f"service {name}: malformed port range")
            return _Svc(services=tuple(out), unresolved=(f"{name} (bad port)",) if bad else ())
        return _Svc(services=(), unresolved=(f"{name} (protocol {proto})",))

    # -- policies ----------------------------------------------------------------------------

    def expand_intfs(
        self, names: list[str], v: _Vdom, zones: dict[str, tuple[list[str], str, int]], line: int
    ) -> tuple[frozenset[str] | None, list[str]]:
        out: set[str] = set()
        zone_names: list[str] = []
        for n in names:
            if n == "any":
                if v.name is None:
                    return None, zone_names
                out.update(i for i, d in self.iface_vdom.items() if d == v.name)
            elif n in zones:
                zone_names.append(n)
                out.update(zones[n][0])
            elif n in self.interfaces:
                out.add(n)
            else:
                self.ctx.warn(line, f"policy references undefined interface/zone {n}", matters=True)
        return frozenset(out), zone_names

    def read_policies(self, v: _Vdom, zones: dict[str, tuple[list[str], str, int]]) -> None:
        tables = (self.address_table(v, False), self.address_table(v, True))
        custom, sgroups = self.service_table(v)
        memos: tuple[dict[str, _Addr], dict[str, _Addr]] = ({}, {})
        smemo: dict[str, _Svc] = {}
        pools = self.read_pools(v)
        for path in ("firewall policy", "firewall policy6"):
            sec = v.sections.get(path)
            if sec is None:
                continue
            self.structure(sec)
            for pid, e in sec.entries.items():
                self.policy(pid, e, v, zones, tables, custom, sgroups, memos, smemo, pools)
        self.read_vips(v)
        # Objects no policy uses are still read (their lines are understood, bad ones warned).
        for six, ((addrs, agroups), amemo) in enumerate(zip(tables, memos, strict=True)):
            for n in list(addrs) + list(agroups):
                self.resolve_address(n, addrs, agroups, amemo, six=bool(six))
        for n in list(custom) + list(sgroups):
            self.resolve_service(n, custom, sgroups, smemo)
        self.object_table(v, tables, (custom, sgroups))
        for zname, (members, intra, line) in zones.items():
            if intra == "allow" and members:
                m = frozenset(members)
                self.rules.append(
                    Rule(
                        action=Action.PERMIT,
                        match=Match(),
                        span=self.span(line),
                        name=f"intrazone-allow:{zname}",
                        in_interfaces=m,
                        out_interfaces=m,
                        extras={"synthetic": "intrazone allow", "zone": zname, **self._vd(v)},
                    )
                )

    def object_table(
        self,
        v: _Vdom,
        tables: tuple[tuple[dict[str, _Block], dict[str, _Block]], ...],
        services: tuple[dict[str, _Block], dict[str, _Block]],
    ) -> None:
        """The vdom's named objects for rule hygiene (``extras["objects"]``, RUL-007)."""
        kinds = [
            (("address6", "address-group6") if six else ("address", "address-group"), t)
            for six, t in enumerate(tables)
        ]
        kinds.append((("service", "service-group"), services))
        for (k_obj, k_grp), (objs, grps) in kinds:
            key = id(objs)
            for kind, table in ((k_obj, objs), (k_grp, grps)):
                for n, e in table.items():
                    self.objects.append(
                        {
                            "name": n,
                            "kind": kind,
                            "line": e.line,
                            "text": self.span(e.line).text,
                            "referenced": (key, n) in self.obj_refs,
                            **self._vd(v),
                            **(
                                {"default": True}
                                if n in _FACTORY_OBJECTS or n in PREDEFINED_SERVICES
                                else {}
                            ),
                        }
                    )

    def _vd(self, v: _Vdom) -> dict[str, object]:
        return {"vdom": v.name} if v.name else {}

    def _addrs(
        self,
        names: list[str],
        table: tuple[dict[str, _Block], dict[str, _Block]],
        memo: dict[str, _Addr],
        line: int,
        v6: bool,
    ) -> tuple[list[IPNetwork], list[str]]:
        addrs, groups = table
        nets: list[IPNetwork] = []
        unres: list[str] = []
        for n in names:
            self.obj_refs.add((id(addrs), n))
            if n == "all" and n not in addrs and n not in groups:
                nets.append(_ANY6 if v6 else _ANY4)
                continue
            r = self.resolve_address(n, addrs, groups, memo, six=v6)
            if r is None:
                self.ctx.warn(line, f"policy references undefined address {n}", matters=True)
                unres.append(n)
                continue
            if v6:
                nets.extend(x for x in r.nets if x.version == 6)
            else:
                nets.extend(x for x in r.nets if x.version == 4)
            unres.extend(r.unresolved)
        return nets, unres

    def policy(
        self,
        pid: str,
        e: _Block,
        v: _Vdom,
        zones: dict[str, tuple[list[str], str, int]],
        tables: tuple[
            tuple[dict[str, _Block], dict[str, _Block]], tuple[dict[str, _Block], dict[str, _Block]]
        ],
        custom: dict[str, _Block],
        sgroups: dict[str, _Block],
        memos: tuple[dict[str, _Addr], dict[str, _Addr]],
        smemo: dict[str, _Svc],
        pools: dict[str, tuple[IPNetwork, ...]],
    ) -> None:
        self.structure(e)
        line = e.line
        extras: dict[str, object] = {"policyid": pid, **self._vd(v)}
        src_in, src_zones = self.expand_intfs(self.get(e, "srcintf") or [], v, zones, line)
        dst_out, dst_zones = self.expand_intfs(self.get(e, "dstintf") or [], v, zones, line)
        if "srcintf" not in e.settings or "dstintf" not in e.settings:
            self.ctx.warn(line, f"policy {pid}: srcintf/dstintf not set", matters=True)
        if src_zones:
            extras["srcintf_zones"] = tuple(src_zones)
        if dst_zones:
            extras["dstintf_zones"] = tuple(dst_zones)
        nm = self.one(e, "name")
        if nm:
            extras["name"] = nm
        src4, su4 = self._addrs(self.get(e, "srcaddr") or [], tables[0], memos[0], line, False)
        dst4, du4 = self._addrs(self.get(e, "dstaddr") or [], tables[0], memos[0], line, False)
        src6, su6 = self._addrs(self.get(e, "srcaddr6") or [], tables[1], memos[1], line, True)
        dst6, du6 = self._addrs(self.get(e, "dstaddr6") or [], tables[1], memos[1], line, True)
        has4 = "srcaddr" in e.settings and "dstaddr" in e.settings
        has6 = "srcaddr6" in e.settings and "dstaddr6" in e.settings
        src = (src4 if has4 else []) + (src6 if has6 else [])
        dst = (dst4 if has4 else []) + (dst6 if has6 else [])
        unres_match: list[str] = []
        if (self.one(e, "internet-service", "disable") or "") == "enable":
            isdb = self.get(e, "internet-service-name") or self.get(e, "internet-service-id") or []
            unres_match.extend(f"internet-service {x}" for x in isdb or ["(any)"])
            extras["internet_service"] = tuple(isdb)
        for key in ("internet-service-src-name", "internet-service-src-id", "src-vendor-mac"):
            if self.get(e, key):
                unres_match.append(f"{key}")
        snegate = (self.one(e, "srcaddr-negate", "disable") or "") == "enable"
        dnegate = (self.one(e, "dstaddr-negate", "disable") or "") == "enable"
        svc_names = self.get(e, "service") or []
        services: list[ServiceMatch] = []
        for s in svc_names:
            self.obj_refs.add((id(custom), s))
            r = self.resolve_service(s, custom, sgroups, smemo)
            if r is None:
                self.ctx.warn(line, f"policy {pid}: undefined service {s}", matters=True)
                unres_match.append(s)
            else:
                services.extend(r.services)
                unres_match.extend(r.unresolved)
        if not svc_names and "internet-service" not in e.settings:
            self.ctx.warn(line, f"policy {pid}: no service", matters=False)
        conditions: tuple[Match, ...] = ()
        if (self.one(e, "service-negate", "disable") or "") == "enable":
            conditions = (Match(services=(ANY_SERVICE,)),)
            exceptions: tuple[Match, ...] = (Match(services=tuple(services)),)
            services = [ANY_SERVICE]
        else:
            exceptions = ()
        if snegate or dnegate:
            fam = tuple(n for n, ok in ((_ANY4, has4), (_ANY6, has6)) if ok)
            conditions = (
                *conditions,
                Match(src=AddressMatch(networks=fam), dst=AddressMatch(networks=fam)),
            )
        act = self.one(e, "action", "deny") or "deny"
        action = Action.PERMIT if act in ("accept", "ipsec") else Action.DENY
        # User/group-restricted policies match only authenticated users: a permit is kept as an
        # over-approximation, a deny cannot be relied on for everyone (unresolved).
        for key in ("groups", "users", "fsso-groups"):
            who = self.get(e, key)
            if who:
                extras[key] = tuple(who)
                if action is Action.DENY:
                    unres_match.append(f"{key} {' '.join(who)}")
        if self.one(e, "utm-status") == "enable":
            extras["utm"] = True
        match = Match(
            src=AddressMatch(networks=tuple(src), negate=snegate, unresolved=tuple(su4 + su6)),
            dst=AddressMatch(networks=tuple(dst), negate=dnegate, unresolved=tuple(du4 + du6)),
            services=tuple(services),
            unresolved=tuple(unres_match),
        )
        if act not in ("accept", "deny", "ipsec"):
            self.ctx.warn(self.line_of(e, "action"), f"policy {pid}: unknown action {act}")
        if act != action.value:
            extras["action"] = act
        status = self.one(e, "status", "enable")
        sched = self.one(e, "schedule", "always") or "always"
        if sched != "always":
            extras["schedule"] = sched
        logtraffic = self.one(e, "logtraffic", "utm") or "utm"
        extras["logtraffic"] = logtraffic
        self.ignore(
            e,
            "uuid",
            "comments",
            "logtraffic-start",
            "av-profile",
            "webfilter-profile",
            "ips-sensor",
            "application-list",
            "dnsfilter-profile",
            "emailfilter-profile",
            "profile-protocol-options",
            "ssl-ssh-profile",
            "inspection-mode",
            "utm-status",
            "tcp-mss-sender",
            "tcp-mss-receiver",
            "global-label",
            "label",
            "match-vip",
            "match-vip-only",
            "auto-asic-offload",
            "capture-packet",
            "profile-type",
            "profile-group",
            "traffic-shaper",
            "traffic-shaper-reverse",
            "per-ip-shaper",
            "session-ttl",
            "fixedport",
            "nat-source-vip",
            "send-deny-packet",
            "anti-replay",
            "tcp-session-without-syn",
            "vpntunnel",
            "inbound",
            "outbound",
            "natinbound",
            "natoutbound",
            "dsri",
            "block-notification",
            "timeout-send-rst",
            "diffserv-forward",
            "diffserv-reverse",
            "waf-profile",
            "voip-profile",
            "dlp-sensor",
            "icap-profile",
            "cifs-profile",
            "ssh-filter-profile",
            "file-filter-profile",
            "videofilter-profile",
        )
        if match.all_unresolved:
            self.ctx.warn(
                line,
                f"policy {pid} depends on what cannot be resolved: "
                + ", ".join(dict.fromkeys(match.all_unresolved)),
                matters=True,
            )
        rule = Rule(
            action=action,
            match=match,
            span=self.span(line),
            name=f"{v.name}:{pid}" if v.name else pid,
            enabled=status != "disable",
            log=logtraffic == "all",
            in_interfaces=src_in,
            out_interfaces=dst_out,
            conditions=conditions,
            exceptions=exceptions,
            extras=extras,
        )
        self.rules.append(rule)
        if (self.one(e, "nat", "disable") or "") == "enable" and action is Action.PERMIT:
            pool_names = self.get(e, "poolname") or []
            use_pool = (self.one(e, "ippool", "disable") or "") == "enable"
            tsrc: list[IPNetwork] = []
            if use_pool:
                for p in pool_names:
                    if p in pools:
                        tsrc.extend(pools[p])
                    else:
                        self.ctx.warn(line, f"policy {pid}: undefined ippool {p}", matters=True)
            self.nat.append(
                NatRule(
                    kind=NatKind.SOURCE,
                    match=match,
                    span=self.span(self.line_of(e, "nat")),
                    name=pid,
                    enabled=rule.enabled,
                    in_interfaces=src_in,
                    out_interfaces=dst_out,
                    translated_src=tuple(tsrc) if use_pool else None,
                    extras={"pool": tuple(pool_names)} if use_pool else {"to": "egress interface"},
                )
            )
        else:
            self.ignore(e, "nat", "ippool", "poolname")

    def read_pools(self, v: _Vdom) -> dict[str, tuple[IPNetwork, ...]]:
        out: dict[str, tuple[IPNetwork, ...]] = {}
        sec = v.section("firewall ippool")
        if sec is None:
            return out
        self.structure(sec)
        for name, e in sec.entries.items():
            self.structure(e)
            nets = _range_nets(
                self.one(e, "startip", _ZERO) or "", self.one(e, "endip", _ZERO) or ""
            )
            self.ignore(e, "type", "comments", "arp-reply", "source-startip", "source-endip")
            if nets is None:
                self.ctx.warn(e.line, f"ippool {name}: bad range")
                nets = ()
            out[name] = nets
        return out

    def read_vips(self, v: _Vdom) -> None:
        for path in ("firewall vip", "firewall vip6"):
            sec = v.sections.get(path)
            if sec is None:
                continue
            for name, e in sec.entries.items():
                ext = self.get(e, "extip") or []
                mapped = self.get(e, "mappedip") or []
                extnets = self._ip_or_range(ext[0]) if ext else None
                mnets: list[IPNetwork] = []
                for m in mapped:
                    r = self._ip_or_range(m)
                    if r is not None:
                        mnets.extend(r)
                if extnets is None or not mnets:
                    self.ctx.warn(e.line, f"VIP {name}: missing or bad extip/mappedip")
                extintf = self.get(e, "extintf") or ["any"]
                svc = ANY_SERVICE
                tport: PortRange | None = None
                if (self.one(e, "portforward", "disable") or "") == "enable":
                    proto = _PROTO_BY_NAME.get(self.one(e, "protocol", "tcp") or "tcp")
                    ep = _ranges(self.one(e, "extport", "0") or "0")
                    mp = _ranges(self.one(e, "mappedport", "0") or "0")
                    svc = ServiceMatch(protocol=proto, dst_ports=ep, name=name)
                    tport = mp[0] if mp else None
                self.nat.append(
                    NatRule(
                        kind=NatKind.DESTINATION,
                        match=Match(dst=AddressMatch(networks=extnets or ()), services=(svc,)),
                        span=self.span(e.line),
                        name=name,
                        in_interfaces=None
                        if "any" in extintf
                        else frozenset(self.zone_members(extintf)),
                        translated_dst=tuple(mnets),
                        translated_dst_ports=tport,
                        extras={"vip": name, **self._vd(v)},
                    )
                )

    def zone_members(self, names: list[str]) -> set[str]:
        out: set[str] = set()
        for n in names:
            members = [i for i, z in self.zone_of.items() if z == n]
            out.update(members or [n])
        return out

    # -- routes and management ---------------------------------------------------------------

    def read_routes(self, v: _Vdom) -> None:
        for path in ("router static", "router static6"):
            sec = v.sections.get(path)
            if sec is None:
                continue
            self.structure(sec)
            for rid, e in sec.entries.items():
                self.structure(e)
                if (self.one(e, "status", "enable") or "") == "disable":
                    self.everything(e)
                    continue
                dst = self.get(e, "dst")
                if path == "router static":
                    prefix = _v4_net(dst) if dst else _ANY4
                else:
                    try:
                        prefix = ipaddress.ip_network(dst[0] if dst else "::/0", strict=False)
                    except ValueError:
                        prefix = None
                if prefix is None:
                    self.ctx.warn(e.line, f"static route {rid}: bad destination")
                    continue
                gw = self.one(e, "gateway")
                hop = None
                if gw:
                    try:
                        hop = ipaddress.ip_address(gw)
                    except ValueError:
                        self.ctx.warn(self.line_of(e, "gateway"), f"bad gateway {gw}")
                    if hop is not None and int(hop) == 0:
                        hop = None
                blackhole = (self.one(e, "blackhole", "disable") or "") == "enable"
                distance = self.one(e, "distance", "10") or "10"
                # SD-WAN members are chosen at run time; the route is kept with its device.
                self.ignore(e, "sdwan", "sdwan-zone", "dynamic-gateway", "virtual-wan-link")
                vrf = self.one(e, "vrf")
                self.ignore(e, "comment", "priority", "weight", "bfd", "link-monitor-exempt")
                self.routes.append(
                    Route(
                        prefix=prefix,
                        span=self.span(e.line),
                        next_hop=hop,
                        interface=self.one(e, "device"),
                        vrf=vrf if vrf not in (None, "0") else None,
                        discard=blackhole,
                        distance=int(distance) if distance.isdigit() else 10,
                    )
                )

    def read_admins(self, sec: _Block) -> None:
        self.structure(sec)
        for user, e in sec.entries.items():
            self.structure(e)
            remote = self.one(e, "remote-auth") == "enable"
            self.aaa = bool(self.aaa) or remote
            hosts: list[IPNetwork] = []
            for i in range(1, 11):
                for key in (f"trusthost{i}", f"ip6-trusthost{i}"):
                    val = self.get(e, key)
                    if val:
                        net = _v4_net(val)
                        if net is not None and net.prefixlen > 0:
                            hosts.append(net)
            if hosts:
                self.trust.extend(hosts)
            else:
                self.trust_unrestricted = True
            pw = e.settings.get("password")
            prof = self.one(e, "accprofile") or ""
            if pw is None and remote:
                # Authenticated by the RADIUS/TACACS+/LDAP group: no local password to judge.
                storage = None
                span = self.span(e.line)
            elif pw is None:
                storage = CredentialStorage.NONE
                span = self.span(e.line)
            else:
                self.ctx.ok(*pw.lines)
                storage = (
                    CredentialStorage.HASHED
                    if pw.values and pw.values[0] == "ENC"
                    else CredentialStorage.PLAIN
                )
                span = self.secret_span(pw.lines[-1])
            if storage is not None:
                self.credentials.append(
                    Credential(kind="admin", span=span, storage=storage, user=user, detail=prof)
                )
            self.ignore(
                e,
                "vdom",
                "remote-auth",
                "wildcard",
                "peer-auth",
                "two-factor",
                "email-to",
                "comments",
                "guest-auth",
                "force-password-change",
                "ssh-public-key1",
                "ssh-public-key2",
                "ssh-public-key3",
                "gui-default-dashboard-template",
                "gui-ignore-release-overview-version",
                "accprofile-override",
                "remote-group",
            )
            for path, sub in e.sections.items():
                if path.startswith("gui-") or path == "login-time":
                    self.everything(sub)

    def read_snmp(self, sec: _Block) -> None:
        self.structure(sec)
        for _cid, e in sec.entries.items():
            self.structure(e)
            ns = e.settings.get("name")
            if ns is None or not ns.values:
                continue
            self.ctx.ok(*ns.lines)
            value = ns.values[0]
            self.communities.append(
                SnmpCommunity(
                    digest=secret_digest(value),
                    span=self.secret_span(ns.lines[-1]),
                    guessable=value.lower() in DEFAULT_COMMUNITIES,
                    write=False,
                )
            )
            restricted = False
            for hpath in ("hosts", "hosts6"):
                h = e.sections.get(hpath)
                if h is None:
                    continue
                self.structure(h)
                for he in h.entries.values():
                    self.structure(he)
                    ip = self.get(he, "ip") or self.get(he, "ipv6")
                    net = _v4_net(ip) if ip else None
                    if net is not None and net.prefixlen > 0:
                        self.snmp_hosts.append(net)
                        restricted = True
                    self.ignore(he, "host-type", "source-ip", "ha-direct", "interface")
            if not restricted:
                self.snmp_unrestricted = True
            self.everything(e)

    def read_mgmt_sections(self, sections: dict[str, _Block]) -> None:
        for path, sec in sections.items():
            if path == "system admin":
                self.read_admins(sec)
            elif path == "system snmp community":
                self.read_snmp(sec)
            elif path in ("user radius", "user tacacs+", "user ldap", "user group"):
                # Authentication servers and the groups remote admins map to (AAA); groups in
                # firewall policies are kept by name on the rules, not resolved to members.
                self.structure(sec)
                if path != "user group":
                    known = self.mgmt_extras.get("aaa_servers", ())
                    assert isinstance(known, tuple)
                    kind = path.split()[1]
                    self.mgmt_extras["aaa_servers"] = (
                        *known,
                        *(f"{kind} {n}" for n in sec.entries),
                    )
                for e in sec.entries.values():
                    self.everything(e)
                self.everything(sec)
            elif path.startswith("log syslogd") and path.endswith("setting"):
                self.structure(sec)
                if (self.one(sec, "status", "disable") or "") == "enable":
                    srv = self.one(sec, "server")
                    if srv:
                        self.syslog.append(srv)
                self.everything(sec)
            elif path == "system ntp":
                self.structure(sec)
                sync = self.one(sec, "ntpsync", "enable")
                ntype = self.one(sec, "type", "fortiguard")
                servers = sec.sections.get("ntpserver")
                if servers is not None:
                    self.structure(servers)
                    for se in servers.entries.values():
                        self.structure(se)
                        srv = self.one(se, "server")
                        if srv and ntype == "custom" and sync == "enable":
                            self.ntp.append(srv)
                        self.everything(se)
                if ntype == "fortiguard" and sync == "enable":
                    self.ntp.append("fortiguard")
                self.everything(sec)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def _vdoms(root: _Block) -> tuple[list[_Vdom], dict[str, _Block]]:
    glob = root.sections.get("global")
    vdom = root.sections.get("vdom")
    if vdom is not None and glob is not None:
        gsec = glob.sections
        vds = [
            _Vdom(name=n, sections=e.sections, global_sections=gsec)
            for n, e in vdom.entries.items()
        ]
        return vds, gsec
    top = {k: v for k, v in root.sections.items() if k not in ("global", "vdom")}
    if glob is not None:
        top = {**glob.sections, **top}
    if vdom is not None:
        for e in vdom.entries.values():
            top = {**top, **e.sections}
    return [_Vdom(name=None, sections=top, global_sections={})], top


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse FortiOS configuration text into a :class:`DeviceConfig` (never raises)."""
    ctx = ParseContext(source=source, text=text)
    root = _build_tree(ctx)
    r = _Reader(ctx)
    vdoms, global_secs = _vdoms(root)
    for wrapper in ("global", "vdom"):
        w = root.sections.get(wrapper)
        if w is not None:
            r.structure(w)
            for e in w.entries.values():
                r.structure(e)

    all_sections: list[dict[str, _Block]] = [global_secs] + [
        v.sections for v in vdoms if v.sections is not global_secs
    ]
    gsec = global_secs.get("system global")
    if gsec is not None:
        r.read_global(gsec)
    zones_by_vdom = {id(v): r.read_zones(v) for v in vdoms}
    all_zones: dict[str, str] = dict(r.zone_of)
    isec = global_secs.get("system interface")
    if isec is not None:
        r.read_interfaces(isec, all_zones)
    for v in vdoms:
        r.read_policies(v, zones_by_vdom[id(v)])
        r.read_routes(v)
    seen: set[int] = set()
    for secs in all_sections:
        if id(secs) in seen:
            continue
        seen.add(id(secs))
        r.read_mgmt_sections(secs)
        for path, sec in secs.items():
            if _starts(path, _IRRELEVANT_PREFIXES):
                r.everything(sec)
            elif path == "firewall local-in-policy":
                r.everything(sec)
                r.mgmt_extras["local_in_policies"] = len(sec.entries)

    services: list[MgmtService] = []
    trust = None if r.trust_unrestricted or not r.trust else tuple(dict.fromkeys(r.trust))
    snmp_src = None if r.snmp_unrestricted or not r.snmp_hosts else tuple(r.snmp_hosts)
    for iface, proto, line in r.allowaccess:
        allowed = trust if proto in _LOGIN_PROTOCOLS else snmp_src if proto == "snmp" else None
        services.append(
            MgmtService(
                protocol=proto,
                span=ctx.span(line),
                allowed_sources=allowed,
                interfaces=frozenset({iface}),
            )
        )
    policy = Filter(
        name="firewall policy",
        kind=FilterKind.POLICY,
        rules=tuple(r.rules),
        default_action=Action.DENY,
        default_span=None,
        stateful=True,
        extras={"implicit_policy_id": 0},
    )
    return DeviceConfig(
        name=name or r.hostname,
        platform=PLATFORM,
        source=source,
        hostname=r.hostname,
        interfaces=tuple(r.interfaces.values()),
        policy=policy,
        routes=tuple(r.routes),
        nat=tuple(r.nat),
        mgmt=Management(
            services=tuple(services),
            snmp_communities=tuple(r.communities),
            credentials=tuple(r.credentials),
            syslog_hosts=tuple(r.syslog),
            ntp_servers=tuple(r.ntp),
            aaa=r.aaa,
            banner=r.banner,
            extras=r.mgmt_extras,
        ),
        coverage=ctx.coverage(),
        warnings=tuple(ctx.warnings),
        extras=({"vdoms": tuple(v.name for v in vdoms if v.name)} if vdoms[0].name else {})
        | ({"objects": tuple(r.objects)} if r.objects else {}),
    )


_DETECT = (
    (re.compile(r"^#config-version=FG", re.M), 60),
    (re.compile(r"^\s*config system global\s*$", re.M), 25),
    (re.compile(r"^\s*config firewall (policy|address|addrgrp|service custom)\s*$", re.M), 30),
    (re.compile(r"^\s*config system interface\s*$", re.M), 15),
    (re.compile(r"^\s*config (vdom|global)\s*$", re.M), 10),
    (re.compile(r"^\s*edit \S+\s*$", re.M), 10),
    (re.compile(r"^\s*next\s*$", re.M), 10),
    (re.compile(r"^\s*set (vdom|srcintf|dstintf|allowaccess) ", re.M), 15),
)


def detect(text: str) -> int:
    """Confidence (0-100) that ``text`` is a FortiOS configuration."""
    head = text[:200_000]
    if "config " not in head:
        return 0
    score = sum(w for pat, w in _DETECT if pat.search(head))
    return min(score, 100)
