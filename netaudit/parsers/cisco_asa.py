"""Cisco ASA (and PIX-style 8.3+) running-config parser.

The ASA is a stateful firewall whose forwarding decision for a new connection entering
interface I and leaving interface O is (Cisco ASA Series Firewall Configuration Guide,
"Access Rules" and "Interface settings / Security levels"):

1. Same security level: traffic between two interfaces of equal level is dropped unless
   ``same-security-traffic permit inter-interface``; traffic entering and leaving the same
   interface is dropped unless ``same-security-traffic permit intra-interface``. The guide
   ("Allowing Same Security Level Communication") states this as the default, independent of
   access rules, so it is modelled before any ACL decision.
2. When an access rule applies to I's ingress (an interface ACL bound ``in``, and/or a
   ``global`` access-group), the rules decide: interface rules first, then global rules, then the
   implicit deny ("Rule Order" / "Implicit Deny": "1. Interface access rule. 2. Global access
   rule. 3. Implicit deny."). The implicit permit of a higher level to a lower level is then no
   longer applied: the global rules are inbound rules of every interface and end in the
   implicit deny.
3. Without any inbound access rule, traffic from a higher to a lower security level is
   implicitly permitted ("Implicit Permits"), lower to higher is denied.

In the model that becomes: interface ACLs (concatenated with the global ACL where both exist,
as one synthetic filter) as ``in`` bindings, ``out`` ACLs as ``out`` bindings, and the security
level behaviour as ``DeviceConfig.policy`` (kind POLICY, stateful) with synthetic rules whose
spans point at the ``nameif``/``security-level``/``access-group`` lines.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from netaudit.model import (
    ANY_ADDRESS,
    ANY_V4,
    ANY_V6,
    PORT_PROTOCOLS,
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
from netaudit.model import DEFAULT_COMMUNITIES as _DEFAULT_COMMUNITIES
from netaudit.parsers.base import Node, ParseContext, indent_tree

PLATFORM = "cisco_asa"

# Port names the ASA accepts (Cisco ASA command reference, "Protocols and Applications" /
# "TCP and UDP Ports"). ``rsh`` and ``syslog`` share 514 (tcp vs udp): a flat table suffices
# because the protocol is given separately.
_PORTS: dict[str, int] = {
    "aol": 5190, "bgp": 179, "biff": 512, "bootpc": 68, "bootps": 67, "chargen": 19,
    "cifs": 3020, "citrix-ica": 1494, "cmd": 514, "ctiqbe": 2748, "daytime": 13,
    "discard": 9, "dnsix": 195, "domain": 53, "echo": 7, "exec": 512, "finger": 79,
    "ftp": 21, "ftp-data": 20, "gopher": 70, "h323": 1720, "hostname": 101, "http": 80,
    "https": 443, "ident": 113, "imap4": 143, "irc": 194, "isakmp": 500, "kerberos": 750,
    "klogin": 543, "kshell": 544, "ldap": 389, "ldaps": 636, "login": 513, "lotusnotes": 1352,
    "lpd": 515, "mobile-ip": 434, "nameserver": 42, "netbios-dgm": 138, "netbios-ns": 137,
    "netbios-ssn": 139, "nfs": 2049, "nntp": 119, "ntp": 123, "pcanywhere-data": 5631,
    "pcanywhere-status": 5632, "pim-auto-rp": 496, "pop2": 109, "pop3": 110, "pptp": 1723,
    "radius": 1645, "radius-acct": 1646, "rip": 520, "rsh": 514, "rtsp": 554,
    "secureid-udp": 5510, "sip": 5060, "smtp": 25, "snmp": 161, "snmptrap": 162,
    "sqlnet": 1521, "ssh": 22, "sunrpc": 111, "syslog": 514, "tacacs": 49, "talk": 517,
    "telnet": 23, "tftp": 69, "time": 37, "uucp": 540, "vxlan": 4789, "who": 513,
    "whois": 43, "www": 80, "xdmcp": 177,
}  # fmt: skip

_PROTOCOLS: dict[str, int | None] = {
    "ip": None, "icmp": 1, "igmp": 2, "ipinip": 4, "tcp": 6, "igrp": 9, "udp": 17,
    "gre": 47, "esp": 50, "ah": 51, "ipsec": 50, "icmp6": 58, "eigrp": 88, "ospf": 89,
    "nos": 94, "pim": 103, "pcp": 108, "snp": 109, "sctp": 132, "pptp": 47,
}  # fmt: skip

_ICMP_TYPES: dict[str, int] = {
    "echo-reply": 0, "unreachable": 3, "source-quench": 4, "redirect": 5,
    "alternate-address": 6, "echo": 8, "router-advertisement": 9, "router-solicitation": 10,
    "time-exceeded": 11, "parameter-problem": 12, "timestamp-request": 13,
    "timestamp-reply": 14, "information-request": 15, "information-reply": 16,
    "mask-request": 17, "mask-reply": 18, "traceroute": 30, "conversion-error": 31,
    "mobile-redirect": 32,
}  # fmt: skip

# Top-level commands understood as carrying no meaning for the model (device housekeeping).
_IRRELEVANT = frozenset(
    {
        "asa", "pix", ":", "domain-name", "dns", "dns-guard", "ftp", "pager", "console",
        "mtu", "arp", "arp-inspection", "no", "clock", "boot", "terminal", "prompt",
        "threat-detection", "class-map", "policy-map", "service-policy", "timeout",
        "user-identity", "failover", "monitor-interface", "icmp", "asdm", "firewall",
        "license", "call-home", "cryptochecksum", "end", "exit", "xlate", "nat-control",
        "route-map", "router", "dynamic-access-policy-record", "webvpn", "group-policy",
        "tunnel-group", "tftp-server", "sysopt", "service", "checkheaps", "fragment",
        "flow-export", "jumbo-frame", "quit", "clear", "ip", "passwd", "dhcpd", "vpdn",
        "ssl", "crashinfo", "names", "management-access", "priority-queue", "mac-address",
        "object-group-search", "smtp-server", "auth-prompt", "dhcprelay", "wccp",
        "same-security-traffic", "multicast-routing", "nat-rule", "compression", "eject",
    }
)  # fmt: skip

_PORT_OPS = frozenset({"eq", "neq", "lt", "gt", "range"})


def detect(text: str) -> int:
    """How sure we are that ``text`` is an ASA configuration (0..100)."""
    head = text[:200_000]
    if re.search(r"^\s*(ASA|PIX) Version \d", head, re.M):
        return 95
    score = 0
    # IOS spellings the ASA never uses: without the ASA banner, such a text is IOS.
    ios_markers = len(_IOS_ONLY.findall(head))
    if re.search(r"^\s+nameif \S+", head, re.M) and re.search(r"^\s+security-level \d", head, re.M):
        score = max(score, 85)
    if re.search(r"^access-group \S+ (in|out) interface \S+", head, re.M):
        score = max(score, 80)
    if re.search(r"^access-list \S+ (line \d+ )?extended (permit|deny) ", head, re.M):
        score = max(score, 70)
    if re.search(r"^object-group network \S+\s*$", head, re.M) and re.search(
        r"^ network-object ", head, re.M
    ):
        score = max(score, 60)
    return min(score, 20) if ios_markers else score


_IOS_ONLY = re.compile(
    r"^(ip access-list |ipv6 access-list |line (vty|con) |ip route |ip (ssh|http|domain|routing)\b"
    r"| +ip access-group | +switchport |ip cef|router bgp \d+\s*$)",
    re.M,
)

# ---------------------------------------------------------------------------------------------
# object store


@dataclass
class _NetObject:
    name: str
    line: int
    # networks and nested object/group references, in config order
    items: list[IPNetwork | tuple[str, int]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    group: bool = False


@dataclass
class _SvcObject:
    """An ``object service`` or ``object-group service|protocol|icmp-type``."""

    name: str
    line: int
    kind: str  # "service", "ports", "protocol", "icmp"
    proto_type: str | None = None  # tcp / udp / tcp-udp for port groups
    services: list[ServiceMatch] = field(default_factory=list)
    ports: list[PortRange] = field(default_factory=list)
    protocols: list[int | None] = field(default_factory=list)
    icmp_types: list[int] = field(default_factory=list)
    refs: list[tuple[str, int]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def _mask_to_len(mask: str) -> int | None:
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return None


def _port(word: str) -> int | None:
    if word.isdigit():
        n = int(word)
        return n if 0 <= n <= 65535 else None
    return _PORTS.get(word)


def _protocol(word: str) -> tuple[bool, int | None]:
    """(known, number) for a protocol word; number None means any IP protocol."""
    if word.isdigit():
        n = int(word)
        return (0 <= n <= 255), n
    if word in _PROTOCOLS:
        return True, _PROTOCOLS[word]
    return False, None


def _icmp_type(word: str) -> int | None:
    if word.isdigit():
        return int(word) if int(word) <= 255 else None
    return _ICMP_TYPES.get(word)


class _Asa:
    """One parse run."""

    def __init__(self, text: str, source: str) -> None:
        self.ctx = ParseContext(source=source, text=text)
        self.roots, skipped = indent_tree(text, comment_chars="!:")
        self.ctx.skip(*skipped)
        self.hostname = ""
        self.names: dict[str, ipaddress.IPv4Address | ipaddress.IPv6Address] = {}
        self.netobjs: dict[str, _NetObject] = {}
        self.svcobjs: dict[str, _SvcObject] = {}
        # Names looked up by ACLs, NAT and groups (rule hygiene RUL-007).
        self.obj_refs: set[str] = set()
        self.interfaces: list[Interface] = []
        self.nameif: dict[str, str] = {}  # nameif -> interface name
        self.level: dict[str, int] = {}  # interface name -> security level
        self.level_span: dict[str, SourceSpan] = {}
        self.acl_lines: dict[str, list[Node]] = {}
        self.acl_first: dict[str, int] = {}
        self.routes: list[Route] = []
        self.nat: list[NatRule] = []
        self.same_inter: SourceSpan | None = None
        self.same_intra: SourceSpan | None = None
        self.groups_in: dict[str, tuple[str, SourceSpan]] = {}  # ifname -> (acl, span)
        self.groups_out: dict[str, tuple[str, SourceSpan]] = {}
        self.global_acl: tuple[str, SourceSpan] | None = None
        self.mgmt_lines: list[Node] = []
        self.mgmt_only: dict[str, SourceSpan] = {}
        self._net_cache: dict[str, tuple[tuple[IPNetwork, ...], tuple[str, ...]]] = {}

    # -- helpers --------------------------------------------------------------------------

    def _ip(self, word: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        if word in self.names:
            return self.names[word]
        try:
            return ipaddress.ip_address(word)
        except ValueError:
            return None

    def _net(self, addr: str, mask: str) -> IPNetwork | None:
        ip = self._ip(addr)
        plen = _mask_to_len(mask)
        if ip is None or plen is None or ip.version != 4:
            return None
        try:
            return ipaddress.IPv4Network(f"{ip}/{plen}", strict=False)
        except ValueError:
            return None

    def _v6net(self, word: str) -> IPNetwork | None:
        if "/" not in word:
            return None
        try:
            return ipaddress.ip_network(word, strict=False)
        except ValueError:
            return None

    # -- pass 1: definitions ---------------------------------------------------------------

    def collect(self) -> None:
        for node in self.roots:
            w = node.words
            key = w[0].lower()
            try:
                if key == "object" and len(w) >= 3:
                    self._object(node)
                elif key == "object-group" and len(w) >= 3:
                    self._object_group(node)
                elif key == "name" and len(w) >= 3:
                    ip = self._ip(w[1])
                    if ip is not None:
                        self.names[w[2]] = ip
                        self.ctx.ok(node.line)
            except (ValueError, IndexError):
                self.ctx.unknown(node.line)

    def _object(self, node: Node) -> None:
        w = node.words
        kind, name = w[1], w[2]
        self.ctx.ok(node.line)
        if kind == "network":
            obj = self.netobjs.setdefault(name, _NetObject(name=name, line=node.line))
            for c in node.children:
                cw = c.words
                if cw[0] == "host" and len(cw) == 2:
                    ip = self._ip(cw[1])
                    if ip is not None:
                        obj.items.append(ipaddress.ip_network(ip))
                        self.ctx.ok(c.line)
                elif cw[0] == "subnet" and len(cw) >= 2:
                    net = self._net(cw[1], cw[2]) if len(cw) == 3 else self._v6net(cw[1])
                    if net is not None:
                        obj.items.append(net)
                        self.ctx.ok(c.line)
                elif cw[0] == "range" and len(cw) == 3:
                    lo, hi = self._ip(cw[1]), self._ip(cw[2])
                    if lo is not None and hi is not None and lo.version == hi.version:
                        try:
                            obj.items.extend(ipaddress.summarize_address_range(lo, hi))
                            self.ctx.ok(c.line)
                        except (TypeError, ValueError):
                            pass
                elif cw[0] == "fqdn" and len(cw) >= 2:
                    obj.unresolved.append(f"fqdn:{cw[-1]}")
                    self.ctx.ok(c.line)
                elif cw[0] in ("description", "nat"):
                    # object NAT is read in pass 2, once every object is known
                    self.ctx.ok(c.line)
        elif kind == "service":
            obj_s = self.svcobjs.setdefault(
                name, _SvcObject(name=name, line=node.line, kind="service")
            )
            for c in node.children:
                cw = c.words
                if cw[0] == "service" and len(cw) >= 2:
                    svcs = self._service_spec(cw[1:], name)
                    if svcs is not None:
                        obj_s.services.extend(svcs)
                        self.ctx.ok(c.line)
                elif cw[0] == "description":
                    self.ctx.ok(c.line)
        else:
            self.ctx.unknown(node.line)

    def _service_spec(self, w: list[str], name: str) -> list[ServiceMatch] | None:
        """``tcp [source OP..] [destination OP..]`` / ``icmp echo [code]`` / ``PROTO``."""
        w = [x for x in w if not x.startswith("!")]
        if "!" in w:
            w = w[: w.index("!")]
        proto_word = w[0]
        rest = w[1:]
        if proto_word == "tcp-udp":
            protos: list[int | None] = [6, 17]
        else:
            known, num = _protocol(proto_word)
            if not known:
                return None
            protos = [num]
        if protos[0] in (1, 58):
            itype = icode = None
            if rest:
                itype = _icmp_type(rest[0])
                if itype is None:
                    return None
                if len(rest) > 1 and rest[1].isdigit():
                    icode = int(rest[1])
            return [ServiceMatch(protocol=protos[0], icmp_type=itype, icmp_code=icode, name=name)]
        src: tuple[PortRange, ...] | None = None
        dst: tuple[PortRange, ...] | None = None
        i = 0
        while i < len(rest):
            which = "destination"
            if rest[i] in ("source", "destination"):
                which = rest[i]
                i += 1
            got = _port_op(rest, i)
            if got is None:
                return None
            ranges, i = got
            if which == "source":
                src = ranges
            else:
                dst = ranges
        return [ServiceMatch(protocol=p, src_ports=src, dst_ports=dst, name=name) for p in protos]

    def _object_group(self, node: Node) -> None:
        w = node.words
        if w[1] == "group" and len(w) >= 4:  # "object-group group network X" (batfish tests)
            w = [w[0], *w[2:]]
        kind, name = w[1], w[2]
        self.ctx.ok(node.line)
        if kind == "network":
            obj = self.netobjs.setdefault(name, _NetObject(name=name, line=node.line, group=True))
            for c in node.children:
                cw = c.words
                if cw[0] == "network-object" and len(cw) >= 2:
                    if cw[1] == "host" and len(cw) == 3:
                        ip = self._ip(cw[2])
                        if ip is not None:
                            obj.items.append(ipaddress.ip_network(ip))
                            self.ctx.ok(c.line)
                    elif cw[1] == "object" and len(cw) == 3:
                        obj.items.append((cw[2], c.line))
                        self.ctx.ok(c.line)
                    elif len(cw) == 3:
                        net = self._net(cw[1], cw[2])
                        if net is not None:
                            obj.items.append(net)
                            self.ctx.ok(c.line)
                    elif len(cw) == 2:
                        net = self._v6net(cw[1])
                        if net is not None:
                            obj.items.append(net)
                            self.ctx.ok(c.line)
                elif cw[0] == "group-object" and len(cw) == 2:
                    obj.items.append((cw[1], c.line))
                    self.ctx.ok(c.line)
                elif cw[0] == "description":
                    self.ctx.ok(c.line)
            return
        if kind == "service":
            proto_type = w[3] if len(w) > 3 else None
            sobj = self.svcobjs.setdefault(
                name,
                _SvcObject(
                    name=name,
                    line=node.line,
                    kind="ports" if proto_type else "service",
                    proto_type=proto_type,
                ),
            )
            for c in node.children:
                cw = list(c.words)
                if "!" in cw:
                    cw = cw[: cw.index("!")]
                if cw[0] == "port-object" and len(cw) >= 3:
                    got = _port_op(cw, 1)
                    if got is not None:
                        sobj.ports.extend(got[0])
                        if sobj.proto_type is None:
                            sobj.kind = "ports"
                            sobj.proto_type = "tcp-udp"
                        self.ctx.ok(c.line)
                elif cw[0] == "service-object" and len(cw) >= 2:
                    if cw[1] == "object" and len(cw) == 3:
                        sobj.refs.append((cw[2], c.line))
                        self.ctx.ok(c.line)
                    else:
                        svcs = self._service_spec(cw[1:], name)
                        if svcs is not None:
                            sobj.services.extend(svcs)
                            self.ctx.ok(c.line)
                elif cw[0] == "group-object" and len(cw) == 2:
                    sobj.refs.append((cw[1], c.line))
                    self.ctx.ok(c.line)
                elif cw[0] == "description":
                    self.ctx.ok(c.line)
            return
        if kind == "protocol":
            pobj = self.svcobjs.setdefault(
                name, _SvcObject(name=name, line=node.line, kind="protocol")
            )
            for c in node.children:
                cw = c.words
                if cw[0] == "protocol-object" and len(cw) == 2:
                    known, num = _protocol(cw[1])
                    if known:
                        pobj.protocols.append(num)
                        self.ctx.ok(c.line)
                elif cw[0] == "group-object" and len(cw) == 2:
                    pobj.refs.append((cw[1], c.line))
                    self.ctx.ok(c.line)
                elif cw[0] == "description":
                    self.ctx.ok(c.line)
            return
        if kind == "icmp-type":
            iobj = self.svcobjs.setdefault(name, _SvcObject(name=name, line=node.line, kind="icmp"))
            for c in node.children:
                cw = c.words
                if cw[0] == "icmp-object" and len(cw) == 2:
                    t = _icmp_type(cw[1])
                    if t is not None:
                        iobj.icmp_types.append(t)
                        self.ctx.ok(c.line)
                elif cw[0] == "group-object" and len(cw) == 2:
                    iobj.refs.append((cw[1], c.line))
                    self.ctx.ok(c.line)
                elif cw[0] == "description":
                    self.ctx.ok(c.line)
            return
        self.ctx.unknown(node.line)

    # -- resolution ------------------------------------------------------------------------

    def resolve_net(
        self, name: str, line: int, *, matters: bool, seen: frozenset[str] = frozenset()
    ) -> tuple[tuple[IPNetwork, ...], tuple[str, ...]]:
        """Networks and unresolved names of a network object or group."""
        self.obj_refs.add(name)
        if name in self._net_cache and not seen:
            return self._net_cache[name]
        obj = self.netobjs.get(name)
        if obj is None or name in seen:
            what = "loops back to itself" if name in seen else "is not defined"
            self.ctx.warn(line, f"network object {name!r} {what}", matters=matters)
            return (), (name,)
        nets: list[IPNetwork] = []
        unres = list(obj.unresolved)
        if obj.unresolved:
            self.ctx.warn(
                obj.line, f"{name}: FQDN objects cannot be resolved offline", matters=matters
            )
        for item in obj.items:
            if not isinstance(item, tuple):
                nets.append(item)
                continue
            n, u = self.resolve_net(item[0], item[1], matters=matters, seen=seen | {name})
            nets.extend(n)
            unres.extend(u)
        out = (tuple(dict.fromkeys(nets)), tuple(dict.fromkeys(unres)))
        if not seen:
            self._net_cache[name] = out
        return out

    def resolve_svc(
        self, name: str, line: int, *, seen: frozenset[str] = frozenset()
    ) -> _SvcObject | None:
        """A flattened copy of a service/protocol/icmp object or group (refs expanded)."""
        self.obj_refs.add(name)
        obj = self.svcobjs.get(name)
        if obj is None or name in seen:
            return None
        flat = _SvcObject(
            name=obj.name,
            line=obj.line,
            kind=obj.kind,
            proto_type=obj.proto_type,
            services=list(obj.services),
            ports=list(obj.ports),
            protocols=list(obj.protocols),
            icmp_types=list(obj.icmp_types),
        )
        for ref, rline in obj.refs:
            sub = self.resolve_svc(ref, rline, seen=seen | {name})
            if sub is None:
                self.ctx.warn(rline, f"object-group {name!r} refers to undefined {ref!r}")
                flat.unresolved.append(ref)
                continue
            flat.services.extend(sub.services)
            flat.ports.extend(sub.ports)
            flat.protocols.extend(sub.protocols)
            flat.icmp_types.extend(sub.icmp_types)
            flat.unresolved.extend(sub.unresolved)
        return flat

    # -- pass 2 ----------------------------------------------------------------------------

    def walk(self) -> None:
        for node in self.roots:
            w = node.words
            key = w[0].lower()
            try:
                self._top(node, w, key)
            except (ValueError, IndexError, KeyError):
                self.ctx.unknown(node.line)

    def _top(self, node: Node, w: list[str], key: str) -> None:
        ctx = self.ctx
        if key == "hostname" and len(w) == 2:
            self.hostname = w[1]
            ctx.ok(node.line)
        elif key == "interface" and len(w) >= 2:
            self._interface(node)
        elif key == "access-list" and len(w) >= 3:
            self.acl_lines.setdefault(w[1], []).append(node)
            self.acl_first.setdefault(w[1], node.line)
        elif key == "access-group" and len(w) >= 3:
            self._access_group(node)
        elif key == "same-security-traffic" and len(w) == 3 and w[1] == "permit":
            if w[2] == "inter-interface":
                self.same_inter = ctx.span(node.line)
                ctx.ok(node.line)
            elif w[2] == "intra-interface":
                self.same_intra = ctx.span(node.line)
                ctx.ok(node.line)
        elif key == "route" and len(w) >= 4:
            self._route(node, w)
        elif key == "ipv6" and len(w) >= 4 and w[1] == "route":
            self._route(node, ["route", *w[2:]])
        elif key == "nat" and len(w) >= 4:
            self._twice_nat(node)
        elif key == "object" and len(w) >= 3 and w[1] == "network":
            for c in node.children:
                if c.words[0] == "nat":
                    self._object_nat(c, w[2])
        elif key in ("object", "object-group", "name"):
            pass  # pass 1
        elif key in (
            "ssh", "http", "telnet", "snmp-server", "logging", "ntp", "enable", "username",
            "aaa", "banner", "passwd", "password", "key", "aaa-server",
        ):  # fmt: skip
            self.mgmt_lines.append(node)
        elif key in _IRRELEVANT or (key == "ipv6" and w[1:2] != ["route"]):
            for c in node.walk():
                ctx.ok(c.line)
        else:
            ctx.unknown(node.line)

    # interfaces ---------------------------------------------------------------------------

    def _interface(self, node: Node) -> None:
        ctx = self.ctx
        name = node.words[1]
        ctx.ok(node.line)
        nameif: str | None = None
        nameif_line = 0
        level: int | None = None
        level_line = 0
        addrs: list[IPInterface] = []
        standby: list[str] = []
        vlan: int | None = None
        enabled = True
        description = ""
        members: list[str] = []
        extras: dict[str, object] = {}
        for c in node.children:
            cw = c.words
            k = cw[0]
            if k == "nameif" and len(cw) == 2:
                nameif, nameif_line = cw[1], c.line
            elif k == "security-level" and len(cw) == 2 and cw[1].isdigit():
                level, level_line = int(cw[1]), c.line
            elif k == "ip" and len(cw) >= 4 and cw[1] == "address":
                ip, plen = self._ip(cw[2]), _mask_to_len(cw[3])
                if ip is None or plen is None:
                    if cw[2] == "dhcp" or cw[2] == "pppoe":
                        extras["dynamic_address"] = cw[2]
                        ctx.ok(c.line)
                    continue
                addrs.insert(0, ipaddress.ip_interface(f"{ip}/{plen}"))
                if "standby" in cw:
                    standby.append(cw[cw.index("standby") + 1])
            elif k == "ip" and len(cw) >= 3 and cw[1] == "address" and cw[2] in ("dhcp", "pppoe"):
                extras["dynamic_address"] = cw[2]
            elif k == "ipv6" and len(cw) >= 3 and cw[1] == "address":
                try:
                    addrs.append(ipaddress.ip_interface(cw[2]))
                except ValueError:
                    if cw[2] not in ("autoconfig", "dhcp"):
                        continue
                if "standby" in cw:
                    standby.append(cw[cw.index("standby") + 1])
            elif k == "vlan" and len(cw) == 2 and cw[1].isdigit():
                vlan = int(cw[1])
            elif k == "shutdown":
                enabled = False
            elif k == "description":
                description = c.text.split(None, 1)[1] if len(cw) > 1 else ""
            elif k == "member-interface" and len(cw) == 2:
                members.append(cw[1])
            elif k == "channel-group" and len(cw) >= 2:
                extras["channel_group"] = cw[1]
            elif k == "management-only":
                extras["management_only"] = True
                self.mgmt_only[name] = ctx.span(c.line)
            elif k == "no" or k in (
                "speed", "duplex", "mtu", "mac-address", "ipv6", "nve-only", "delay",
                "flowcontrol", "lacp", "pppoe", "ddns", "dhcp", "dhcprelay", "ospf", "igmp",
                "pim", "authentication", "negotiation", "port-channel",
            ):  # fmt: skip
                pass
            else:
                ctx.unknown(c.line)
                continue
            ctx.ok(c.line)
        kind, parent = _iface_kind(name)
        if kind is InterfaceKind.SVI and vlan is None:
            m = re.match(r"(?i)vlan(\d+)$", name)
            vlan = int(m.group(1)) if m else None
        if nameif is not None:
            self.nameif[nameif] = name
            # An interface named "inside" defaults to level 100, every other to 0 (ASA
            # configuration guide, "Set the security level": "If you name an interface
            # 'inside' and do not set the security level explicitly, the ASA sets it to 100").
            if level is None:
                level = 100 if nameif == "inside" else 0
                level_line = nameif_line
            self.level[name] = level
            self.level_span[name] = ctx.span(level_line)
            extras["nameif"] = nameif
            extras["security_level"] = level
        if standby:
            extras["standby"] = tuple(standby)
        if members:
            extras["members"] = tuple(members)
        self.interfaces.append(
            Interface(
                name=name,
                span=ctx.span(node.line),
                kind=kind,
                description=description,
                enabled=enabled,
                addresses=tuple(addrs),
                vlan=vlan,
                parent=parent,
                extras=extras,
            )
        )

    def _ifname(self, nameif: str, line: int, *, matters: bool = True) -> str | None:
        name = self.nameif.get(nameif)
        if name is None:
            self.ctx.warn(line, f"interface nameif {nameif!r} is not defined", matters=matters)
        return name

    def _access_group(self, node: Node) -> None:
        w = node.words
        span = self.ctx.span(node.line)
        if len(w) == 3 and w[2] == "global":
            self.global_acl = (w[1], span)
            self.ctx.ok(node.line)
        elif len(w) >= 5 and w[2] in ("in", "out") and w[3] == "interface":
            (self.groups_in if w[2] == "in" else self.groups_out)[w[4]] = (w[1], span)
            self.ctx.ok(node.line)
        else:
            self.ctx.unknown(node.line)

    def _route(self, node: Node, w: list[str]) -> None:
        # route IF PREFIX MASK GW [distance] [track N | tunneled]; ipv6 route IF P/len GW [dist]
        ifn = w[1]
        rest = w[2:]
        if "/" in rest[0]:
            prefix = self._v6net(rest[0])
            rest = rest[1:]
        else:
            prefix = self._net(rest[0], rest[1]) if len(rest) > 1 else None
            rest = rest[2:]
        discard = ifn.lower() == "null0"
        if prefix is None or not (rest or discard):
            self.ctx.unknown(node.line)
            return
        gw = self._ip(rest[0]) if rest else None
        dist = int(rest[1]) if len(rest) > 1 and rest[1].isdigit() else 1
        iface = None if discard else self._ifname(ifn, node.line, matters=False)
        self.routes.append(
            Route(
                prefix=prefix,
                span=self.ctx.span(node.line),
                next_hop=gw,
                interface=iface or (None if discard else ifn),
                discard=discard,
                distance=dist,
            )
        )
        self.ctx.ok(node.line)

    # NAT ---------------------------------------------------------------------------------

    def _nat_ifaces(self, word: str, line: int) -> tuple[frozenset[str] | None, ...]:
        m = re.fullmatch(r"\(([^,]+),([^)]+)\)", word)
        if not m:
            return (None, None)
        out: list[frozenset[str] | None] = []
        for part in m.groups():
            if part == "any":
                out.append(None)
            else:
                name = self._ifname(part, line, matters=False)
                out.append(frozenset({name or part}))
        return tuple(out)

    def _nat_addr(self, word: str, line: int) -> tuple[tuple[IPNetwork, ...], tuple[str, ...]]:
        if word == "any":
            return ANY_ADDRESS.networks, ()
        if word in self.netobjs:
            return self.resolve_net(word, line, matters=True)
        ip = self._ip(word)
        if ip is not None:
            return (ipaddress.ip_network(ip),), ()
        if word == "interface":
            return (), ()
        return self.resolve_net(word, line, matters=True)

    def _iface_nets(self, ifaces: frozenset[str] | None) -> tuple[IPNetwork, ...]:
        """The host addresses of the (single) mapped interface, for interface PAT."""
        out: list[IPNetwork] = []
        for iface in self.interfaces:
            if ifaces is not None and iface.name in ifaces:
                out.extend(ipaddress.ip_network(a.ip) for a in iface.addresses)
        return tuple(out)

    def _object_nat(self, node: Node, objname: str) -> None:
        # nat [(real,mapped)] static|dynamic MAPPED|interface|pat-pool X [service ...] [dns]
        w = node.words
        i = 1
        real_if: frozenset[str] | None = None
        mapped_if: frozenset[str] | None = None
        if i < len(w) and w[i].startswith("("):
            real_if, mapped_if = self._nat_ifaces(w[i], node.line)
            i += 1
        if i >= len(w) or w[i] not in ("static", "dynamic"):
            self.ctx.unknown(node.line)
            return
        mode = w[i]
        mapped = w[i + 1] if i + 1 < len(w) else "interface"
        nets, unres = self.resolve_net(objname, node.line, matters=True)
        extras: dict[str, object] = {"object": objname, "type": "object"}
        if mapped == "interface":
            tsrc: tuple[IPNetwork, ...] = self._iface_nets(mapped_if)
            extras["mapped"] = "interface"
        elif mapped == "pat-pool" and i + 2 < len(w):
            tsrc, _ = self._nat_addr(w[i + 2], node.line)
            extras["mapped"] = f"pat-pool {w[i + 2]}"
        else:
            tsrc, munres = self._nat_addr(mapped, node.line)
            unres += munres
        if "interface" in w[i + 2 :]:
            extras["interface_fallback"] = True
        if "service" in w[i + 2 :]:
            # "service tcp REAL MAPPED": static port translation, kept as a fact
            k = w.index("service", i + 2)
            extras["service"] = " ".join(w[k + 1 : k + 4])
        self.nat.append(
            NatRule(
                kind=NatKind.STATIC if mode == "static" else NatKind.SOURCE,
                match=Match(src=AddressMatch(networks=nets, unresolved=unres), dst=ANY_ADDRESS),
                span=self.ctx.span(node.line),
                name=objname,
                in_interfaces=real_if,
                out_interfaces=mapped_if,
                translated_src=tsrc,
                extras=extras,
            )
        )
        self.ctx.ok(node.line)

    def _twice_nat(self, node: Node) -> None:
        w = node.words
        words = w
        desc = ""
        if "description" in words:
            desc = " ".join(words[words.index("description") + 1 :])
            words = words[: words.index("description")]
        i = 1
        real_if: frozenset[str] | None = None
        mapped_if: frozenset[str] | None = None
        if words[i].startswith("("):
            real_if, mapped_if = self._nat_ifaces(words[i], node.line)
            i += 1
        extras: dict[str, object] = {"type": "twice"}
        if words[i] == "after-auto":
            extras["section"] = "after-auto"
            i += 1
        elif words[i] == "line":
            i += 2
        if words[i] != "source" or words[i + 1] not in ("static", "dynamic"):
            self.ctx.unknown(node.line)
            return
        mode = words[i + 1]
        src_nets, src_unres = self._nat_addr(words[i + 2], node.line)
        mapped = words[i + 3] if i + 3 < len(words) else "interface"
        if mapped == "pat-pool":
            mapped = words[i + 4]
            i += 1
        tsrc, tunres = self._nat_addr(mapped, node.line)
        if mapped == "interface":
            tsrc = self._iface_nets(mapped_if)
            extras["mapped"] = "interface"
        i += 4
        dst = ANY_ADDRESS
        tdst: tuple[IPNetwork, ...] | None = None
        enabled = True
        while i < len(words):
            k = words[i]
            if k == "destination" and i + 3 < len(words):
                mnets, munres = self._nat_addr(words[i + 2], node.line)
                rnets, runres = self._nat_addr(words[i + 3], node.line)
                dst = AddressMatch(networks=mnets, unresolved=munres + runres)
                tdst = rnets
                i += 4
            elif k == "service" and i + 2 < len(words):
                extras["service"] = f"{words[i + 1]} {words[i + 2]}"
                i += 3
            elif k == "inactive":
                enabled = False
                i += 1
            else:
                i += 1
        if desc:
            extras["description"] = desc
        self.nat.append(
            NatRule(
                kind=NatKind.STATIC if mode == "static" else NatKind.SOURCE,
                match=Match(
                    src=AddressMatch(networks=src_nets, unresolved=src_unres + tunres), dst=dst
                ),
                span=self.ctx.span(node.line),
                enabled=enabled,
                in_interfaces=real_if,
                out_interfaces=mapped_if,
                translated_src=tsrc,
                translated_dst=tdst,
                extras=extras,
            )
        )
        self.ctx.ok(node.line)

    # ACLs --------------------------------------------------------------------------------

    def build_acls(self) -> list[Filter]:
        out: list[Filter] = []
        for name, nodes in self.acl_lines.items():
            rules: list[Rule] = []
            remark: list[str] = []
            position = 0
            kind = "extended"
            for node in nodes:
                w = node.words[2:]
                if w and w[0] == "line" and len(w) > 1:
                    w = w[2:]
                position += 1
                if not w:
                    self.ctx.unknown(node.line)
                    continue
                if w[0] == "remark":
                    remark.append(node.text.split("remark", 1)[1].strip())
                    self.ctx.ok(node.line)
                    continue
                if w[0] in ("extended", "standard", "webtype", "ethertype"):
                    kind = w[0]
                    w = w[1:]
                if kind in ("webtype", "ethertype"):
                    self.ctx.unknown(node.line)
                    continue
                try:
                    rule = (
                        self._standard(node, w, position)
                        if kind == "standard"
                        else self._ace(node, w, position)
                    )
                except (ValueError, IndexError, KeyError):
                    rule = None
                if rule is None:
                    self.ctx.unknown(node.line)
                    self.ctx.warn(
                        node.line, f"access-list {name}: entry not understood", matters=True
                    )
                    continue
                if remark:
                    rule = _with_extras(rule, remark=" / ".join(remark))
                    remark = []
                rules.append(rule)
                self.ctx.ok(node.line)
            out.append(
                Filter(
                    name=name,
                    kind=FilterKind.ACL,
                    rules=tuple(rules),
                    stateful=True,
                    span=self.ctx.span(self.acl_first[name]),
                    extras={"type": kind},
                )
            )
        return out

    def _standard(self, node: Node, w: list[str], pos: int) -> Rule | None:
        if w[0] not in ("permit", "deny") or len(w) < 2:
            return None
        if w[1] == "any" or w[1] == "any4":
            dst = ANY_V4
        elif w[1] == "host" and len(w) > 2:
            ip = self._ip(w[2])
            if ip is None:
                return None
            dst = AddressMatch(networks=(ipaddress.ip_network(ip),))
        elif len(w) > 2:
            net = self._net(w[1], w[2])
            if net is None:
                return None
            dst = AddressMatch(networks=(net,))
        else:
            return None
        # Standard ACLs on the ASA match the destination (route maps, OSPF); the model keeps
        # the address as destination.
        return Rule(
            action=Action.PERMIT if w[0] == "permit" else Action.DENY,
            match=Match(src=ANY_V4, dst=dst),
            span=self.ctx.span(node.line),
            name=f"line {pos}",
        )

    def _address(self, w: list[str], i: int, line: int) -> tuple[AddressMatch, int] | None:
        k = w[i]
        if k == "any":
            # ASA 9.0+: "any" in an extended ACL matches IPv4 and IPv6 (unified ACLs);
            # "any4"/"any6" one family only (ASA 9.0 release notes, "Unified ACL").
            return ANY_ADDRESS, i + 1
        if k == "any4":
            return ANY_V4, i + 1
        if k == "any6":
            return ANY_V6, i + 1
        if k == "host" and i + 1 < len(w):
            ip = self._ip(w[i + 1])
            if ip is None:
                return None
            return AddressMatch(networks=(ipaddress.ip_network(ip),)), i + 2
        if k in ("object", "object-group") and i + 1 < len(w):
            nets, unres = self.resolve_net(w[i + 1], line, matters=True)
            return AddressMatch(networks=nets, unresolved=unres), i + 2
        if k == "interface" and i + 1 < len(w):
            ifn = self._ifname(w[i + 1], line)
            iface = next((x for x in self.interfaces if x.name == ifn), None)
            if iface is None:
                return AddressMatch(networks=(), unresolved=(f"interface {w[i + 1]}",)), i + 2
            return AddressMatch(
                networks=tuple(ipaddress.ip_network(a.ip) for a in iface.addresses)
            ), i + 2
        if "/" in k:
            net = self._v6net(k)
            return (AddressMatch(networks=(net,)), i + 1) if net is not None else None
        if i + 1 < len(w):
            net = self._net(k, w[i + 1])
            if net is not None:
                return AddressMatch(networks=(net,)), i + 2
        return None

    def _ports(
        self, w: list[str], i: int, line: int
    ) -> tuple[tuple[PortRange, ...] | None, int, tuple[str, ...]]:
        """An optional port qualifier at ``i``: eq/lt/gt/neq/range or a port object-group."""
        if i < len(w) and w[i] in _PORT_OPS:
            got = _port_op(w, i)
            if got is None:
                raise ValueError(f"bad port at line {line}")
            return got[0], got[1], ()
        if i + 1 < len(w) and w[i] == "object-group":
            obj = self.svcobjs.get(w[i + 1])
            if obj is not None and obj.kind == "ports":
                flat = self.resolve_svc(w[i + 1], line)
                assert flat is not None
                return tuple(flat.ports), i + 2, tuple(flat.unresolved)
        return None, i, ()

    def _ace(self, node: Node, w: list[str], pos: int) -> Rule | None:
        line = node.line
        if len(w) < 4 or w[0] not in ("permit", "deny"):
            return None
        action = Action.PERMIT if w[0] == "permit" else Action.DENY
        i = 1
        protos: list[int | None] = []
        base_services: list[ServiceMatch] | None = None
        unresolved: list[str] = []
        if w[i] in ("object-group", "object"):
            obj = self.resolve_svc(w[i + 1], line)
            if obj is None:
                self.ctx.warn(line, f"service object {w[i + 1]!r} is not defined", matters=True)
                unresolved.append(w[i + 1])
                base_services = []
            elif obj.kind == "protocol":
                protos = obj.protocols
                unresolved.extend(obj.unresolved)
            elif obj.kind == "service":
                base_services = obj.services
                unresolved.extend(obj.unresolved)
            else:
                return None
            i += 2
        else:
            known, num = _protocol(w[i])
            if not known:
                return None
            protos = [num]
            i += 1
        got = self._address(w, i, line)
        if got is None:
            return None
        src, i = got
        port_capable = (
            base_services is None and bool(protos) and all(p in PORT_PROTOCOLS for p in protos)
        )
        sports: tuple[PortRange, ...] | None = None
        if port_capable:
            sports, i, u = self._ports(w, i, line)
            unresolved.extend(u)
        if i >= len(w):
            return None
        got = self._address(w, i, line)
        if got is None:
            return None
        dst, i = got
        dports: tuple[PortRange, ...] | None = None
        icmp: list[tuple[int | None, int | None]] = [(None, None)]
        if port_capable:
            dports, i, u = self._ports(w, i, line)
            unresolved.extend(u)
        elif base_services is None and protos and all(p in (1, 58) for p in protos):
            if i < len(w) and _icmp_type(w[i]) is not None:
                t = _icmp_type(w[i])
                i += 1
                code = None
                if i < len(w) and w[i].isdigit():
                    code = int(w[i])
                    i += 1
                icmp = [(t, code)]
            elif i + 1 < len(w) and w[i] == "object-group":
                flat = self.resolve_svc(w[i + 1], line)
                if flat is None or flat.kind != "icmp":
                    return None
                icmp = [(t, None) for t in flat.icmp_types]
                unresolved.extend(flat.unresolved)
                i += 2
        enabled = True
        log = False
        extras: dict[str, object] = {}
        while i < len(w):
            k = w[i]
            if k == "log":
                log = True
                i += 1
                if i < len(w) and w[i] == "disable":
                    log = False
                    i += 1
                continue
            if k == "inactive":
                enabled = False
            elif k == "time-range" and i + 1 < len(w):
                extras["time_range"] = w[i + 1]
                i += 1
            elif k == "interval" and i + 1 < len(w):
                i += 1
            elif (
                k
                in (
                    "default",
                    "notifications",
                    "informational",
                    "debugging",
                    "errors",
                    "warnings",
                    "critical",
                    "alerts",
                    "emergencies",
                )
                or k.isdigit()
            ):
                pass
            else:
                return None
            i += 1
        if base_services is not None:
            services = tuple(base_services)
        else:
            services = tuple(
                ServiceMatch(
                    protocol=p,
                    src_ports=sports if p in PORT_PROTOCOLS else None,
                    dst_ports=dports if p in PORT_PROTOCOLS else None,
                    icmp_type=t if p in (1, 58) else None,
                    icmp_code=c if p in (1, 58) else None,
                )
                for p in dict.fromkeys(protos)
                for t, c in icmp
            )
        return Rule(
            action=action,
            match=Match(
                src=src, dst=dst, services=services, unresolved=tuple(dict.fromkeys(unresolved))
            ),
            span=self.ctx.span(line),
            name=f"line {pos}",
            enabled=enabled,
            log=log,
            extras=extras,
        )

    # bindings and the security-level policy -------------------------------------------------

    def bind(self, filters: list[Filter]) -> tuple[list[Filter], list[FilterBinding], Filter]:
        by_name = {f.name: f for f in filters}
        bindings: list[FilterBinding] = []
        extra_filters: list[Filter] = []
        glob: Filter | None = None
        if self.global_acl is not None:
            glob = by_name.get(self.global_acl[0])
            if glob is None:
                self.ctx.warn(
                    self.global_acl[1].line,
                    f"global access-group refers to undefined access-list {self.global_acl[0]!r}",
                    matters=True,
                )
                glob = Filter(
                    name=self.global_acl[0],
                    kind=FilterKind.ACL,
                    rules=(),
                    stateful=True,
                    span=self.global_acl[1],
                )
                extra_filters.append(glob)
        inbound: dict[str, SourceSpan] = {}  # interface name -> span of what decides
        for nameif, iface in self.nameif.items():
            acl = self.groups_in.get(nameif)
            chosen: Filter | None = None
            span: SourceSpan | None = None
            if acl is not None:
                span = acl[1]
                chosen = by_name.get(acl[0])
                if chosen is None:
                    self.ctx.warn(
                        span.line,
                        f"access-group refers to undefined access-list {acl[0]!r}",
                        matters=True,
                    )
                    chosen = Filter(
                        name=acl[0], kind=FilterKind.ACL, rules=(), stateful=True, span=span
                    )
                    by_name[acl[0]] = chosen
                    extra_filters.append(chosen)
                if glob is not None:
                    # Interface rules, then global rules, then the implicit deny
                    # (ASA configuration guide, "Access Rules" > "Rule Order").
                    chosen = Filter(
                        name=f"{chosen.name}+{glob.name}",
                        kind=FilterKind.ACL,
                        rules=tuple(
                            replace(r, name=f"{src.name} {r.name}")
                            for src in (chosen, glob)
                            for r in src.rules
                        ),
                        stateful=True,
                        span=span,
                        extras={"concatenates": (chosen.name, glob.name)},
                    )
                    if chosen.name not in {f.name for f in extra_filters}:
                        extra_filters.append(chosen)
            elif glob is not None and self.global_acl is not None:
                chosen, span = glob, self.global_acl[1]
            if chosen is not None and span is not None:
                bindings.append(
                    FilterBinding(
                        interface=iface, direction=Direction.IN, filter=chosen.name, span=span
                    )
                )
                inbound[iface] = span
        for nameif, (acl_name, span) in self.groups_out.items():
            iface_name = self._ifname(nameif, span.line)
            if acl_name not in by_name:
                self.ctx.warn(
                    span.line,
                    f"access-group refers to undefined access-list {acl_name!r}",
                    matters=True,
                )
                extra_filters.append(
                    Filter(name=acl_name, kind=FilterKind.ACL, rules=(), stateful=True, span=span)
                )
                by_name[acl_name] = extra_filters[-1]
            if iface_name is not None:
                bindings.append(
                    FilterBinding(
                        interface=iface_name, direction=Direction.OUT, filter=acl_name, span=span
                    )
                )
        for nameif, (_, span) in self.groups_in.items():
            if nameif not in self.nameif:
                self._ifname(nameif, span.line)
        return extra_filters, bindings, self._policy(inbound)

    def _policy(self, inbound: dict[str, SourceSpan]) -> Filter:
        rules: list[Rule] = []
        names = list(self.level)
        any_match = Match(src=ANY_ADDRESS, dst=ANY_ADDRESS)
        for iface, mspan in self.mgmt_only.items():
            if iface not in self.level:
                continue
            # "management-only": the interface accepts traffic to the box only, never
            # through traffic (ASA configuration guide, "Management Interface").
            for ins, outs_ in ((frozenset({iface}), None), (None, frozenset({iface}))):
                rules.append(
                    Rule(
                        action=Action.DENY,
                        match=any_match,
                        span=mspan,
                        name=f"{iface}: management-only",
                        in_interfaces=ins,
                        out_interfaces=outs_,
                        extras={
                            "synthetic": "management-only interface carries no through traffic"
                        },
                    )
                )
        for iface in names:
            lvl = self.level[iface]
            lspan = self.level_span[iface]
            nameif = next(k for k, v in self.nameif.items() if v == iface)
            same = frozenset(n for n in names if n != iface and self.level[n] == lvl)
            if self.same_intra is None:
                rules.append(
                    Rule(
                        action=Action.DENY,
                        match=any_match,
                        span=lspan,
                        name=f"{nameif}: intra-interface",
                        in_interfaces=frozenset({iface}),
                        out_interfaces=frozenset({iface}),
                        extras={"synthetic": "same-security-traffic intra-interface not permitted"},
                    )
                )
            if same and self.same_inter is None:
                rules.append(
                    Rule(
                        action=Action.DENY,
                        match=any_match,
                        span=lspan,
                        name=f"{nameif}: same security level {lvl}",
                        in_interfaces=frozenset({iface}),
                        out_interfaces=same,
                        extras={"synthetic": "same-security-traffic inter-interface not permitted"},
                    )
                )
            if iface in inbound:
                rules.append(
                    Rule(
                        action=Action.PERMIT,
                        match=any_match,
                        span=inbound[iface],
                        name=f"{nameif}: inbound access rules decide",
                        in_interfaces=frozenset({iface}),
                        out_interfaces=None,
                        extras={"synthetic": "inbound ACL bound; its rules decide"},
                    )
                )
                continue
            outs = {n for n in names if self.level[n] < lvl}
            if self.same_inter is not None:
                outs |= same
            if self.same_intra is not None:
                outs.add(iface)
            if outs:
                rules.append(
                    Rule(
                        action=Action.PERMIT,
                        match=any_match,
                        span=lspan,
                        name=f"{nameif}: implicit permit to lower security levels",
                        in_interfaces=frozenset({iface}),
                        out_interfaces=frozenset(outs),
                        extras={"synthetic": "security-level implicit permit", "level": lvl},
                    )
                )
        return Filter(
            name="security-levels",
            kind=FilterKind.POLICY,
            rules=tuple(rules),
            default_action=Action.DENY,
            stateful=True,
            extras={
                "same_security_inter": self.same_inter is not None,
                "same_security_intra": self.same_intra is not None,
            },
        )

    # management --------------------------------------------------------------------------

    def management(self) -> Management:
        ctx = self.ctx
        svc: dict[tuple[str, str], tuple[list[IPNetwork], SourceSpan]] = {}
        http_enabled: SourceSpan | None = None
        communities: list[SnmpCommunity] = []
        creds: list[Credential] = []
        syslog: list[str] = []
        ntp: list[str] = []
        snmp_hosts: list[str] = []
        aaa = False
        banner = False
        pwenc: bool | None = None
        for node in self.mgmt_lines:
            w = node.words
            k = w[0]
            handled = True
            if k in ("ssh", "http", "telnet") and len(w) == 4 and w[1] != "server":
                net = self._net(w[1], w[2])
                if net is None:
                    try:
                        net = ipaddress.ip_network(w[1], strict=False)
                    except ValueError:
                        handled = False
                if net is not None:
                    iface = self._ifname(w[3], node.line, matters=False) or w[3]
                    entry = svc.setdefault((k, iface), ([], ctx.span(node.line)))
                    entry[0].append(net)
            elif k == "ssh" and len(w) == 3 and "/" in w[1]:
                iface = self._ifname(w[2], node.line, matters=False) or w[2]
                svc.setdefault((k, iface), ([], ctx.span(node.line)))[0].append(
                    ipaddress.ip_network(w[1], strict=False)
                )
            elif k == "http" and w[1:3] == ["server", "enable"]:
                http_enabled = ctx.span(node.line)
            elif k in ("ssh", "http", "telnet"):
                pass  # timeouts, versions, key-exchange, redirect ...
            elif k == "snmp-server" and len(w) >= 3 and w[1] == "community":
                communities.append(_community(w[2], ctx.span(node.line, secret=True)))
            elif k == "snmp-server" and len(w) >= 4 and w[1] == "host":
                snmp_hosts.append(w[3])
                if "community" in w:
                    value = w[w.index("community") + 1]
                    if value not in ("0", "8"):
                        communities.append(_community(value, ctx.span(node.line, secret=True)))
            elif k == "snmp-server":
                pass
            elif k == "logging" and len(w) >= 4 and w[1] == "host":
                syslog.append(w[3])
            elif k == "logging":
                pass
            elif k == "ntp" and len(w) >= 3 and w[1] == "server":
                ntp.append(w[3] if w[2] == "ipv6" and len(w) > 3 else w[2])
            elif k == "ntp":
                pass
            elif k in ("enable", "passwd") and len(w) >= 2:
                if k == "enable" and w[1] != "password":
                    pass
                else:
                    creds.append(
                        Credential(
                            kind="enable" if k == "enable" else "telnet",
                            span=ctx.span(node.line, secret=True),
                            storage=_asa_storage(w),
                        )
                    )
            elif k == "username" and len(w) >= 3:
                storage = CredentialStorage.NONE if "nopassword" in w else _asa_storage(w)
                level = w[w.index("privilege") + 1] if "privilege" in w else ""
                if "password" in w or "nopassword" in w:
                    creds.append(
                        Credential(
                            kind="user",
                            user=w[1],
                            span=ctx.span(node.line, secret=True),
                            storage=storage,
                            detail=f"privilege {level}" if level else "",
                        )
                    )
            elif k == "aaa" and len(w) >= 3 and w[1] in ("authentication", "authorization"):
                aaa = True
            elif k in ("aaa", "aaa-server"):
                pass
            elif k == "banner":
                banner = True
            elif k == "key" or k == "password":
                if w[1:3] == ["config-key", "password-encryption"] or w[1:3] == [
                    "encryption",
                    "aes",
                ]:
                    pwenc = True
            else:
                handled = False
            if handled:
                ctx.ok(node.line)
                for c in node.walk():
                    ctx.ok(c.line)
            else:
                ctx.unknown(node.line)
        services: list[MgmtService] = []
        for (proto, iface), (nets, span) in svc.items():
            services.append(
                MgmtService(
                    protocol="https" if proto == "http" else proto,
                    span=span,
                    enabled=http_enabled is not None if proto == "http" else True,
                    allowed_sources=tuple(nets),
                    interfaces=frozenset({iface}),
                )
            )
        if http_enabled is not None and not any(s.protocol == "https" for s in services):
            # The server runs but no "http A M IF" line admits anyone.
            services.append(MgmtService(protocol="https", span=http_enabled, allowed_sources=()))
        return Management(
            services=tuple(services),
            snmp_communities=tuple(communities),
            credentials=tuple(creds),
            syslog_hosts=tuple(syslog),
            ntp_servers=tuple(ntp),
            aaa=aaa,
            banner=banner,
            password_encryption=pwenc,
            extras={"snmp_hosts": tuple(snmp_hosts)} if snmp_hosts else {},
        )


def _community(value: str, span: SourceSpan) -> SnmpCommunity:
    # The ASA SNMP agent is read-only (no SET support), so no community grants write access.
    return SnmpCommunity(
        digest=secret_digest(value),
        span=span,
        guessable=value.lower() in _DEFAULT_COMMUNITIES,
        write=False,
    )


def _asa_storage(w: list[str]) -> CredentialStorage:
    """``encrypted``/``pbkdf2`` are one-way hashes (MD5-based / PBKDF2-SHA512) on the ASA."""
    if "encrypted" in w or "pbkdf2" in w or "hashed" in w:
        return CredentialStorage.HASHED
    return CredentialStorage.PLAIN


def _port_op(w: list[str], i: int) -> tuple[tuple[PortRange, ...], int] | None:
    """Parse ``eq P | neq P | lt P | gt P | range A B`` at ``w[i]``."""
    if i >= len(w) or w[i] not in _PORT_OPS or i + 1 >= len(w):
        return None
    op = w[i]
    a = _port(w[i + 1])
    if a is None:
        return None
    if op == "range":
        b = _port(w[i + 2]) if i + 2 < len(w) else None
        return (((a, b),), i + 3) if b is not None and a <= b else None
    if op == "eq":
        return ((a, a),), i + 2
    if op == "lt":
        return (((0, a - 1),), i + 2) if a > 0 else None
    if op == "gt":
        return (((a + 1, 65535),), i + 2) if a < 65535 else None
    ranges = tuple(r for r in ((0, a - 1), (a + 1, 65535)) if r[0] <= r[1])
    return ranges, i + 2


def _iface_kind(name: str) -> tuple[InterfaceKind, str | None]:
    low = name.lower()
    if "." in name:
        return InterfaceKind.SUBINTERFACE, name.split(".", 1)[0]
    if low.startswith(("port-channel", "redundant")):
        return InterfaceKind.PORT_CHANNEL, None
    if low.startswith("vlan"):
        return InterfaceKind.SVI, None
    if low.startswith("tunnel"):
        return InterfaceKind.TUNNEL, None
    if low.startswith("loopback"):
        return InterfaceKind.LOOPBACK, None
    if low.startswith(("bvi", "vni")):
        return InterfaceKind.OTHER, None
    return InterfaceKind.PHYSICAL, None


def _with_extras(rule: Rule, **extra: object) -> Rule:
    return replace(rule, extras={**rule.extras, **extra})


_SVC_KINDS = {"service": "service", "ports": "port group", "protocol": "protocol group"}


def _objects(asa: _Asa) -> tuple[dict[str, object], ...]:
    """Objects and object-groups with whether anything references them (RUL-007)."""
    out: list[dict[str, object]] = []
    for name, o in asa.netobjs.items():
        kind = "object-group network" if o.group else "object network"
        out.append({"name": name, "kind": kind, "line": o.line, "referenced": name in asa.obj_refs})
    for name, so in asa.svcobjs.items():
        kind = _SVC_KINDS.get(so.kind, "icmp-type group")
        out.append(
            {"name": name, "kind": kind, "line": so.line, "referenced": name in asa.obj_refs}
        )
    return tuple(
        {**o, "text": asa.ctx.span(int(str(o["line"]))).text}
        for o in sorted(out, key=lambda o: int(str(o["line"])))
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse an ASA running configuration into the vendor-neutral model (never raises)."""
    asa = _Asa(text, source)
    asa.collect()
    asa.walk()
    filters = asa.build_acls()
    extra, bindings, policy = asa.bind(filters)
    mgmt = asa.management()
    used = {b.filter for b in bindings}
    unused = [f.name for f in filters if f.name not in used]
    return DeviceConfig(
        name=name or asa.hostname,
        platform=PLATFORM,
        source=source,
        hostname=asa.hostname,
        interfaces=tuple(asa.interfaces),
        filters=tuple(filters) + tuple(extra),
        bindings=tuple(bindings),
        policy=policy if asa.level else None,
        routes=tuple(asa.routes),
        nat=tuple(asa.nat),
        mgmt=mgmt,
        coverage=asa.ctx.coverage(),
        warnings=tuple(asa.ctx.warnings),
        extras=({"unbound_acls": _unique(unused)} if unused else {})
        | ({"objects": objects} if (objects := _objects(asa)) else {}),
    )


__all__ = ["detect", "parse"]
