"""Cisco IOS / IOS-XE ``show running-config`` parser.

What it reads into the model: hostname; interfaces (physical, sub-interfaces with
``encapsulation dot1Q``, SVIs, port-channels, loopbacks, tunnels) with their IPv4/IPv6
addresses, VRF, switchport mode and VLANs, shutdown state and ACL bindings; VLANs; numbered
and named IPv4 ACLs and IPv6 ACLs with object-groups; static routes; management facts (vty
transport and access-class, HTTP(S), SSH version, SNMP communities, enable/user/line
credentials, password encryption, syslog and NTP servers, AAA, banners).

IOS semantics recorded here (sources: Cisco IOS Security Configuration Guide, "IP Access List
Overview"; ``ip access-group`` and ``ipv6 access-list`` command references):

* Every ACL ends in an implicit deny: ``Filter.default_action`` is ``DENY`` with
  ``default_span=None``. IPv6 ACLs also carry the implicit ``permit icmp any any nd-na`` and
  ``nd-ns`` entries before that deny; they are appended as rules whose span is the ACL header
  and whose ``extras`` say ``implicit``.
* An ACL that is defined but has no entries permits everything when applied (the implicit deny
  exists only once an entry does): such a filter gets ``default_action=PERMIT``.
* **An access-group naming an ACL that does not exist passes all packets** ("If the specified
  access list does not exist, all packets are passed"). The binding is recorded as written and
  bound to a *synthetic* filter of that name with no rules, ``default_action=PERMIT`` and
  ``extras={"synthetic": "undefined-acl"}``, so evaluation is faithful; a warning with
  ``matters=True`` points at the binding line.
* Named-ACL entries are ordered by sequence number; an entry without one gets the highest
  number so far plus 10, as IOS numbers them.
* ``ip access-group`` filters IPv4 only and ``ipv6 traffic-filter`` IPv6 only: every filter
  carries ``extras["address_family"]`` (``"ipv4"`` / ``"ipv6"``).
* Entry qualifiers the header space cannot express (``dscp``, ``precedence``, ``fragments``,
  ``time-range``, TCP flags other than ``established``, ...) make the rule's match unresolved
  (a warning that matters), as do non-contiguous wildcards expanding to more than 4096 networks.
  Reflexive (``evaluate``) and dynamic (lock-and-key) entries are reported unknown with a
  warning.

Lines understood but irrelevant to the audit (``version``, ``boot``, ``spanning-tree``, interface
``speed``/``duplex`` ...) are marked ok; everything else is reported as unrecognized.
"""

from __future__ import annotations

import gc
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from netaudit.model import (
    ANY_V4,
    DEFAULT_COMMUNITIES,
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
    Route,
    Rule,
    ServiceMatch,
    SnmpCommunity,
    SourceSpan,
    SwitchportMode,
    Vlan,
    secret_digest,
)
from netaudit.parsers._cisco_common import (
    ALL_VLANS,
    Ace,
    AceSyntax,
    NetGroup,
    ObjectGroups,
    SvcGroup,
    clear_caches,
    is_ipv4,
    mask_network,
    netgroup_entry,
    parse_ace,
    svcgroup_entry,
    v4int,
    vlan_list,
)
from netaudit.parsers.base import ParseContext, new_acl_rule, new_span

PLATFORM = "cisco_ios"

# -- what is understood but irrelevant ------------------------------------------------------

_IGNORED_SIMPLE = frozenset(
    {
        "version",
        "end",
        "exit",
        "boot",
        "boot-start-marker",
        "boot-end-marker",
        "clock",
        "spanning-tree",
        "cdp",
        "lldp",
        "platform",
        "multilink",
        "memory",
        "alias",
        "errdisable",
        "vtp",
        "diagnostic",
        "power",
        "mac",
        "mac-address-table",
        "system",
        "udld",
        "port-channel",
        "vstack",
        "hw-module",
        "mls",
        "qos",
        "scheduler",
        "process",
        "sdm",
        "transceiver",
        "Building",
        "Current",
        "hw-switch",
        "table-map",
        "security",
        "file",
        "privilege",
        "identity",
        "bfd",
        "netconf",
        "restconf",
        "stackwise-virtual",
        "switch",
        "default",
        "dot1x",
        "authentication",
        "login",
        "fhrp",
        "ptp",
        "service-template",
        "location",
        "access-session",
        "avc",
        "energywise",
        "digital-signature",
        "coap",
        "telemetry",
        "wireless",
        "power-supply",
        "pnp",
        "setup",
        "downward-compatible-config",
        "upgrade",
        "warm-reboot",
        "ipv6-address",
        "ip-address",
        "exception",
        "stcapp",
        "gnxi",
    }
)
"""Top-level first words understood as irrelevant, together with their whole block."""

_IGNORED_IP = frozenset(
    {
        "domain",
        "domain-name",
        "domain-lookup",
        "name-server",
        "cef",
        "routing",
        "classless",
        "subnet-zero",
        "forward-protocol",
        "source-route",
        "finger",
        "bootp",
        "dhcp",
        "tcp",
        "ftp",
        "tftp",
        "scp",
        "multicast-routing",
        "igmp",
        "pim",
        "sla",
        "flow-export",
        "flow-cache",
        "flow-top-talkers",
        "prefix-list",
        "community-list",
        "extcommunity-list",
        "as-path",
        "default-gateway",
        "arp",
        "device",
        "icmp",
        "rcmd",
        "host",
        "gratuitous-arps",
        "options",
        "nbar",
        "wccp",
        "ospf",
        "local",
        "multicast",
        "msdp",
        "mroute",
        "rip",
        "admission",
        "radius",
        "tacacs",
        "telnet",
        "auth-proxy",
        "audit",
        "accounting-threshold",
        "vrf",
        "address-pool",
        "client",
        "sftp",
        "flow",
        "dns",
        "ddns",
        "mfib",
        "hardware",
        "policy-list",
        "domain-list",
        "bgp-community",
        "explicit-path",
        "rsvp",
        "igmp-snooping",
        "ssh-client",
        "unnumbered",
        "verify",
        "inspect",
        "ips",
        "port-map",
        "urlfilter",
    }
)
"""Words after top-level ``ip`` that carry nothing the audit reads (``ip domain name ...``).

``inspect`` / ``ips`` (CBAC, IOS IPS) are stateful-inspection definitions: their effect is only
through interface ``ip inspect NAME in|out``, which is reported unknown.
"""

_IGNORED_IPV6 = frozenset(
    {
        "unicast-routing",
        "cef",
        "multicast-routing",
        "prefix-list",
        "nd",
        "dhcp",
        "host",
        "name-server",
        "router",
        "mfib",
        "pim",
        "mld",
        "ospf",
        "source-route",
        "icmp",
        "hop-limit",
        "general-prefix",
        "local",
        "multicast",
        "snooping",
        "neighbor",
    }
)

_IGNORED_SERVICE = frozenset(
    {
        "timestamps",
        "tcp-keepalives-in",
        "tcp-keepalives-out",
        "pad",
        "config",
        "sequence-numbers",
        "compress-config",
        "call-home",
        "internal",
        "counters",
        "dhcp",
        "nagle",
        "slave-log",
        "unsupported-transceiver",
        "prompt",
        "udp-small-servers",
        "tcp-small-servers",
        "finger",
        "linenumber",
        "alignment",
        "private-config-encryption",
        "hide-telnet-addresses",
        "exec-wait",
        "password-recovery",
        "routing",
        "inactivity-timer",
        "single-slot-reload-enable",
        "vstack",
    }
)

# Interface sub-commands understood as irrelevant (first one or two words).
_IGNORED_IF = frozenset(
    {
        "speed",
        "duplex",
        "negotiation",
        "mtu",
        "load-interval",
        "carrier-delay",
        "cdp",
        "lldp",
        "spanning-tree",
        "storm-control",
        "keepalive",
        "snmp",
        "logging",
        "power",
        "mls",
        "auto",
        "service-policy",
        "hold-queue",
        "arp",
        "bandwidth",
        "delay",
        "standby",
        "vrrp",
        "hsrp",
        "glbp",
        "media-type",
        "flowcontrol",
        "udld",
        "lacp",
        "pppoe",
        "pppoe-client",
        "dialer",
        "ppp",
        "mpls",
        "clns",
        "bgp-policy",
        "h323-gateway",
        "tunnel",
        "ipv6",
        "ip",
        "priority-queue",
        "queue-set",
        "srr-queue",
        "trust",
        "qos",
        "dot1x",
        "authentication",
        "mab",
        "access-session",
        "device-tracking",
        "macsec",
        "mka",
        "source",
        "no",
        "isis",
        "small-frame",
        "fair-queue",
        "random-detect",
        "tx-ring-limit",
        "rate-limit",
        "peer",
        "serial",
        "clock",
        "framing",
        "linecode",
        "cable",
        "crc",
        "dce-terminal-timing-enable",
        "invert",
        "down-when-looped",
        "ignore",
        "transmitter-delay",
        "nrzi-encoding",
        "fec",
        "transport-mode",
        "vtp",
        "macro",
        "channel-protocol",
        "flow-sampler",
        "mac-address",
        "l2protocol-tunnel",
        "ethernet",
        "backup",
        "bfd",
        "timeout",
        "encapsulation",
        "pvc",
        "atm",
        "dsl",
        "bundle",
        "medium",
        "nameif",
        "platform",
        "hardware",
        "ptp",
        "uplinkfastexclude",
        "shape",
        "service",
        "event",
        "optical",
    }
)
"""First words of interface sub-commands that carry nothing the audit reads.

``ip`` / ``ipv6`` / ``no`` / ``encapsulation`` here only cover what :data:`_IGNORED_IF_IP` and
friends allow; the security-relevant forms are handled before this table is consulted.
"""

_IGNORED_IF_IP = frozenset(
    {
        "redirects",
        "unreachables",
        "proxy-arp",
        "mtu",
        "route-cache",
        "directed-broadcast",
        "ospf",
        "pim",
        "igmp",
        "mfib",
        "flow",
        "cef",
        "load-sharing",
        "split-horizon",
        "helper-address",
        "tcp",
        "mroute-cache",
        "flowspec",
        "virtual-reassembly",
        "virtual-reassembly-out",
        "dhcp",
        "arp",
        "verify",
        "nbar",
        "rip",
        "eigrp",
        "hello-interval",
        "hold-time",
        "authentication",
        "summary-address",
        "bandwidth-percent",
        "mask-reply",
        "local-proxy-arp",
        "accounting",
        "irdp",
        "router",
        "sap",
        "multicast",
        "wccp",
        "dvmrp",
        "rsvp",
        "urd",
        "information-reply",
        "network-broadcast",
        "bgp",
        "nhrp",
        "sticky-arp",
        "broadcast-address",
        "address-pool",
        "admission",
        "auth-proxy",
        "rtp",
        "security",
        "header-compression",
        "tcp-header-compression",
        "trigger-authentication",
        "pgm",
        "mobile",
        "ips",
        "policy",
        "dns",
        "ddns",
        "lisp",
        "ospfv3",
        "vrf",
        "sla",
        "igmp-snooping",
        "nat",
        "unnumbered",
    }
)

_IGNORED_IF_IPV6 = frozenset(
    {
        "nd",
        "redirects",
        "unreachables",
        "mfib",
        "flowspec",
        "enable",
        "mtu",
        "ospf",
        "pim",
        "mld",
        "dhcp",
        "cef",
        "eigrp",
        "rip",
        "verify",
        "router",
        "multicast",
        "flow",
        "policy",
        "tcp",
        "source-route",
        "virtual-reassembly",
        "mode",
        "destination-guard",
        "snooping",
        "nhrp",
        "ospfv3",
    }
)

_LINE_IGNORED = frozenset(
    {
        "exec-timeout",
        "transport",
        "logging",
        "privilege",
        "session-timeout",
        "length",
        "width",
        "stopbits",
        "no",
        "exec",
        "history",
        "escape-character",
        "rotary",
        "autoselect",
        "flowcontrol",
        "speed",
        "modem",
        "activation-character",
        "buffer-length",
        "hold-character",
        "stop-character",
        "absolute-timeout",
        "authorization",
        "accounting",
        "location",
        "motd-banner",
        "exec-banner",
        "login",
        "databits",
        "parity",
        "terminal-type",
        "notify",
        "timeout",
        "media-type",
        "session-limit",
        "ipv6",
        "vacant-message",
        "disconnect-character",
        "editing",
        "lockable",
        "refuse-message",
        "padding",
        "start-character",
        "special-character-bits",
        "data-character-bits",
        "insecure",
        "txspeed",
        "rxspeed",
        "autohangup",
        "international",
        "script",
        "dispatch-timeout",
        "access-class",
    }
)

_PHYSICAL_PREFIXES = (
    "ethernet",
    "fastethernet",
    "gigabitethernet",
    "tengigabitethernet",
    "twentyfivegige",
    "fortygigabitethernet",
    "hundredgige",
    "fivegigabitethernet",
    "twogigabitethernet",
    "appgigabitethernet",
    "wlan-gigabitethernet",
    "serial",
    "atm",
    "pos",
    "cellular",
    "async",
    "management",
    "mgmt",
    "gi",
    "fa",
    "te",
    "eth",
    "hu",
    "fo",
    "twe",
)

_SVI_RE = re.compile(r"^[Vv]lan(\d+)$")
_EMPTY: MappingProxyType[str, object] = MappingProxyType({})


class _Node:
    """A config line with its indented children (a lighter :class:`base.Node`)."""

    __slots__ = ("children", "indent", "line", "text")

    def __init__(self, line: int, text: str, indent: int) -> None:
        self.line = line
        self.text = text
        self.indent = indent
        self.children: list[_Node] = []

    @property
    def words(self) -> list[str]:
        """The line split on white space."""
        return self.text.split()

    def walk(self) -> Iterator[_Node]:
        """This node and all its descendants, depth first."""
        yield self
        for c in self.children:
            yield from c.walk()


def _tree(lines: list[str]) -> tuple[list[_Node], list[int]]:
    """The indentation tree (as :func:`base.indent_tree` with ``!`` comments), tuned for speed.

    Large configs are mostly indented ACL entries; this avoids the generic builder's per-line
    dataclass construction and double stripping.
    """
    roots: list[_Node] = []
    skipped: list[int] = []
    stack: list[_Node] = []
    for n, raw in enumerate(lines, 1):
        if not raw:
            skipped.append(n)
            continue
        first = raw[0]
        if first != " " and first != "\t":
            text = raw.rstrip()
            if not text or text[0] == "!":
                skipped.append(n)
                continue
            node = _Node(n, text, 0)
            roots.append(node)
            stack = [node]
            continue
        body = raw.lstrip(" \t")
        text = body.rstrip()
        if not text or text[0] == "!":
            skipped.append(n)
            continue
        indent = len(raw) - len(body)
        while stack and stack[-1].indent >= indent:
            stack.pop()
        node = _Node(n, text, indent)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots, skipped


def detect(text: str) -> int:
    """Confidence (0-100) that ``text`` is an IOS / IOS-XE configuration.

    IOS shares much syntax with ASA, NX-OS and Arista EOS; we look for marks only IOS has
    (``ip access-list extended``, masks in ``ip address``, ``version 1x.y`` / ``service
    timestamps``) and step back on marks of the others.
    """
    head = text[:200_000]
    score = 0
    if re.search(r"(?m)^version 1[0-9]\.\d", head):
        score += 30
    if re.search(r"(?m)^service timestamps ", head):
        score += 15
    if re.search(r"(?m)^ip access-list (standard|extended) \S", head):
        score += 30
    if re.search(r"(?m)^ ip address \d+\.\d+\.\d+\.\d+ \d+\.\d+\.\d+\.\d+", head):
        score += 25
    if re.search(r"(?m)^access-list \d+ (permit|deny|remark) ", head):
        score += 20
    if re.search(r"(?m)^interface (GigabitEthernet|FastEthernet|TenGigabitEthernet|Vlan)\S*", head):
        score += 15
    if re.search(r"(?m)^line vty \d", head):
        score += 15
    if re.search(r"(?m)^hostname \S", head):
        score += 5
    if re.search(r"(?m)^ ip vrf forwarding |^ vrf forwarding |^ switchport mode ", head):
        score += 10
    # Other dialects of the family.
    if re.search(r"(?m)^(ASA|PIX|FWSM) Version |^nameif |^ nameif |^ security-level ", head):
        score -= 80
    if re.search(r"(?m)^feature \S|^vrf context |^ vrf member |^ ip address \S+/\d+", head):
        score -= 60
    if re.search(
        r"(?m)^! device: .*EOS|^ *daemon TerminAttr|^management api |^! boot system flash", head
    ):
        score -= 60
    if re.search(r"(?m)^ip access-list (?!standard |extended |logging |resequence )\S+\s*$", head):
        score -= 20
    return max(0, min(100, score))


# -- mutable state while parsing ----------------------------------------------------------------


@dataclass
class _If:
    name: str
    line: int
    kind: InterfaceKind
    description: str = ""
    enabled: bool = True
    primary: IPInterface | None = None
    secondary: list[IPInterface] = field(default_factory=list)
    v6: list[IPInterface] = field(default_factory=list)
    vrf: str | None = None
    mode: SwitchportMode | None = None
    switchport: bool = False
    access_vlan: int | None = None
    trunk_vlans: set[int] | None = None
    native_vlan: int | None = None
    vlan: int | None = None
    parent: str | None = None
    zone: str | None = None
    extras: dict[str, object] = field(default_factory=dict)


@dataclass
class _Acl:
    name: str
    line: int
    family: int
    standard: bool
    entries: dict[int, Rule] = field(default_factory=dict)
    last_seq: int = 0
    extras: dict[str, object] = field(default_factory=dict)

    def next_seq(self, seq: int | None) -> int | None:
        """``seq`` (or the highest so far + 10) when free, None when it is a duplicate."""
        if seq is None:
            return self.last_seq + 10
        return None if seq in self.entries else seq

    def remove(self, seq: int) -> None:
        """``no SEQ``: drop an entry; the next unnumbered entry follows the highest left."""
        self.entries.pop(seq, None)
        self.last_seq = max(self.entries, default=0)


@dataclass
class _Vty:
    line: int
    label: str
    transport: set[str] | None = None
    acl: str | None = None
    acl_line: int = 0


_STORAGE_BY_TYPE = {
    "0": CredentialStorage.PLAIN,
    "7": CredentialStorage.REVERSIBLE,
    "6": CredentialStorage.REVERSIBLE,
    "4": CredentialStorage.HASHED,
    "5": CredentialStorage.HASHED,
    "8": CredentialStorage.HASHED,
    "9": CredentialStorage.HASHED,
}


class _Parser:
    """One run over one file; :meth:`build` returns the model."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.source = ctx.source
        self.hostname = ""
        self.interfaces: dict[str, _If] = {}
        self.vlans: dict[int, Vlan] = {}
        self.acls: dict[str, _Acl] = {}
        self.bindings: list[FilterBinding] = []
        self.routes: list[Route] = []
        self.nat_pending: list[tuple[str, dict[str, object], int, str]] = []
        self.nat_pools: dict[str, tuple[IPNetwork, ...]] = {}
        self.groups = ObjectGroups()
        self.services: list[MgmtService] = []
        self.vtys: list[_Vty] = []
        self.communities: list[SnmpCommunity] = []
        self.credentials: list[Credential] = []
        self.syslog: list[str] = []
        self.ntp: list[str] = []
        self.aaa: bool | None = None
        self.banner: bool | None = None
        self.pwenc: bool | None = None
        self.routing: bool | None = None
        self.http: dict[str, tuple[bool, int]] = {}
        self.http_acl: str | None = None
        self.ssh_version = ""
        self.snmp_hosts: list[str] = []
        self.line_transport: dict[str, tuple[str, ...]] = {}
        self.extras: dict[str, object] = {}
        self.acl_refs: list[tuple[str, int, str]] = []  # (acl, line, what)
        self.ace_cache: dict[tuple[object, ...], Ace] = {}
        self.v4 = AceSyntax(family=4)
        self.v4std = AceSyntax(family=4, standard=True)
        self.v6 = AceSyntax(family=6)

    # -- driver ----------------------------------------------------------------------------

    def run(self) -> None:
        ctx = self.ctx
        banner_lines = self._banners()
        roots, skipped = _tree(ctx.lines)
        ctx.skip(*skipped)
        # Object-groups first: ACLs may name groups defined later in the file.
        rest: list[_Node] = []
        for node in roots:
            if node.line in banner_lines:
                ctx.ok(*(n.line for n in node.walk() if n.line in banner_lines))
                continue
            if node.text.startswith("object-group "):
                self._object_group(node)
            else:
                rest.append(node)
        for node in rest:
            try:
                self._top(node)
            except (ValueError, IndexError, KeyError):
                # A malformed value in an otherwise known command: report, never raise.
                ctx.unknown(node.line)
        self._check_truncation(roots)

    def _check_truncation(self, roots: list[_Node]) -> None:
        """A full ``show running-config`` ends with ``end``; warn when it does not."""
        if not self.expects_end:
            return
        full = any(r.text.startswith(("Current configuration", "version ")) for r in roots[:40])
        if full and roots and roots[-1].text != "end":
            self.ctx.warn(
                roots[-1].line,
                "configuration does not end with 'end': the file may be truncated",
                matters=True,
            )

    def _banners(self) -> set[int]:
        """Lines of ``banner TYPE <d> ... <d>`` blocks, marked ok; the banner flag is set."""
        out: set[int] = set()
        if "banner " not in self.ctx.text:
            return out
        lines = self.ctx.lines
        n = 0
        while n < len(lines):
            raw = lines[n].strip()
            n += 1
            if not raw.startswith("banner "):
                continue
            words = raw.split(None, 2)
            if len(words) < 3:
                continue
            kind, body = words[1], words[2]
            if kind in (
                "motd",
                "login",
                "exec",
                "incoming",
                "slip-ppp",
                "prompt-timeout",
                "config-save",
            ):
                pass
            else:
                continue
            delim = "^C" if body.startswith("^C") else body[0]
            first = n
            after = body[len(delim) :]
            has_text = bool(after.replace(delim, "").strip())
            if delim in after:
                end = n
            else:
                end = 0
                j = n
                while j < len(lines):
                    if delim in lines[j]:
                        end = j + 1
                        break
                    if lines[j].strip():
                        has_text = True
                    j += 1
                if not end:
                    self.ctx.warn(first, "unterminated banner: later lines read as configuration")
                    end = first
            out.update(range(first, end + 1))
            self.ctx.ok(*range(first, end + 1))
            if kind in ("motd", "login") and has_text:
                self.banner = True
            n = end
        return out

    platform = PLATFORM
    handlers: ClassVar[dict[str, Callable[[Any, _Node, list[str]], None]]] = {}
    implicit_nd: ClassVar[bool] = True
    """IPv6 ACLs permit ND (nd-na, nd-ns) before the implicit deny (IOS yes, NX-OS no)."""
    expects_end: ClassVar[bool] = True
    """A full running-config ends with ``end`` (IOS yes, NX-OS no)."""
    undefined_acl_note: ClassVar[str] = "IOS passes all packets"
    acl_misc: ClassVar[frozenset[str]] = frozenset({"statistics", "exit"})
    """Words inside an ACL block that carry nothing the model needs."""
    ignored_top: ClassVar[frozenset[str]] = frozenset()

    def _top(self, node: _Node) -> None:
        words = node.words
        w0 = words[0]
        handler = self.handlers.get(w0)
        if handler is not None:
            handler(self, node, words)
            return
        if w0 in self.ignored_top:
            self._ok_tree(node)
            return
        self._unknown_tree(node)

    def _ok_tree(self, node: _Node) -> None:
        self.ctx.ok(*(n.line for n in node.walk()))

    def _unknown_tree(self, node: _Node) -> None:
        self.ctx.unknown(*(n.line for n in node.walk()))

    # -- simple top-level commands --------------------------------------------------------

    def _hostname(self, node: _Node, words: list[str]) -> None:
        if len(words) == 2:
            self.hostname = words[1].strip('"')
            self.ctx.ok(node.line)
        else:
            self.ctx.unknown(node.line)

    def _service(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 2 and words[1] == "password-encryption":
            self.pwenc = True
            self.ctx.ok(node.line)
        elif len(words) >= 2 and words[1] in _IGNORED_SERVICE:
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _no(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        rest = words[1:]
        if not rest:
            ctx.unknown(node.line)
            return
        text = " ".join(rest)
        if text == "service password-encryption":
            self.pwenc = False
        elif text == "ip routing":
            # A layer-2 switch: its addresses are for management, it forwards nothing.
            self.routing = False
        elif text == "aaa new-model":
            self.aaa = False
        elif text in ("ip http server", "ip http secure-server"):
            proto = "http" if rest[2] == "server" else "https"
            self.http[proto] = (False, node.line)
        elif rest[0] in ("ip", "ipv6") and len(rest) >= 3 and rest[1] == "access-list":
            # "no ip access-list extended X" removes an earlier definition (aerleon output).
            name = rest[-1]
            self.acls.pop(name, None)
        elif rest[0] == "access-list" and len(rest) == 2:
            self.acls.pop(rest[1], None)
        elif not _harmless_no(rest):
            ctx.unknown(node.line)
            return
        ctx.ok(node.line)
        for child in node.children:
            self._unknown_tree(child)

    def _ip(self, node: _Node, words: list[str]) -> None:
        if len(words) < 2:
            self.ctx.unknown(node.line)
            return
        w1 = words[1]
        if w1 == "nat":
            if not self._nat(node, words):
                self._unknown_tree(node)
            return
        if w1 == "access-list" and len(words) >= 4 and words[2] in ("standard", "extended"):
            self._named_acl(node, words[3], family=4, standard=words[2] == "standard")
        elif w1 == "access-list" and len(words) >= 3 and words[2] in ("logging", "resequence"):
            self._ok_tree(node)
        elif w1 == "route":
            self._route(node, words, family=4)
        elif w1 == "http":
            self._http(node, words)
        elif w1 == "ssh":
            if len(words) == 4 and words[2] == "version":
                self.ssh_version = words[3]
            self.ctx.ok(node.line)
        elif w1 == "vrf" and len(words) == 3:
            self.extras.setdefault("vrfs", [])
            self._ok_tree(node)
        elif w1 == "routing" and len(words) == 2:
            self.routing = True
            self.ctx.ok(node.line)
        elif w1 in _IGNORED_IP:
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _ipv6(self, node: _Node, words: list[str]) -> None:
        if len(words) < 2:
            self.ctx.unknown(node.line)
            return
        w1 = words[1]
        if w1 == "access-list" and len(words) == 3:
            self._named_acl(node, words[2], family=6, standard=False)
        elif w1 == "access-list" and len(words) >= 3 and words[2] in ("log-update", "cache"):
            self._ok_tree(node)
        elif w1 == "route":
            self._route(node, words, family=6)
        elif w1 in _IGNORED_IPV6:
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _http(self, node: _Node, words: list[str]) -> None:
        w2 = words[2] if len(words) > 2 else ""
        if w2 == "server" and len(words) == 3:
            self.http["http"] = (True, node.line)
        elif w2 == "secure-server" and len(words) == 3:
            self.http["https"] = (True, node.line)
        elif w2 == "access-class" and len(words) >= 4:
            self.http_acl = words[-1]
            self.acl_refs.append((words[-1], node.line, "ip http access-class"))
        self.ctx.ok(node.line)

    def _snmp(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) >= 3 and words[1] == "community":
            value = words[2]
            if len(value) > 1 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            rest = words[3:]
            write = False
            acl: str | None = None
            i = 0
            while i < len(rest):
                w = rest[i]
                if w == "view":
                    i += 2
                    continue
                if w.upper() in ("RO", "RW"):
                    write = w.upper() == "RW"
                elif w == "ipv6":
                    i += 2
                    continue
                else:
                    acl = w
                i += 1
            span = ctx.span(node.line, secret=True)
            self.communities.append(
                SnmpCommunity(
                    digest=secret_digest(value),
                    span=span,
                    guessable=value.lower() in DEFAULT_COMMUNITIES,
                    write=write,
                    acl=acl,
                )
            )
            self.services.append(MgmtService(protocol="snmp", span=span, acl=acl, version="v2c"))
            if acl is not None:
                self.acl_refs.append((acl, -node.line, "snmp-server community"))
            ctx.ok(node.line)
            return
        if len(words) >= 3 and words[1] == "user":
            self.credentials.append(
                Credential(
                    kind="snmp-user",
                    span=ctx.span(node.line, secret=True),
                    storage=CredentialStorage.HASHED,
                    user=words[2],
                    detail="SNMPv3 user (keys are localized, not shown)",
                )
            )
        elif len(words) >= 3 and words[1] == "host":
            self.snmp_hosts.append(words[2])
        self._ok_tree(node)

    def _enable(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) >= 3 and words[1] in ("password", "secret"):
            rest = words[2:]
            level = ""
            if rest[0] == "level" and len(rest) >= 3:
                level = rest[1]
                rest = rest[2:]
            storage, detail = _storage(rest, secret=words[1] == "secret")
            self.credentials.append(
                Credential(
                    kind=f"enable-{words[1]}",
                    span=ctx.span(node.line, secret=True),
                    storage=storage,
                    detail=(f"level {level}, " if level else "") + detail,
                )
            )
            ctx.ok(node.line)
        else:
            ctx.unknown(node.line)

    def _username(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) < 2:
            ctx.unknown(node.line)
            return
        user = words[1]
        rest = words[2:]
        i = 0
        found = False
        while i < len(rest):
            w = rest[i]
            if w in ("password", "secret"):
                storage, detail = _storage(rest[i + 1 :], secret=w == "secret")
                algo = ""
                if "algorithm-type" in rest[:i]:
                    algo = rest[rest.index("algorithm-type") + 1]
                    storage = CredentialStorage.HASHED
                self.credentials.append(
                    Credential(
                        kind=f"user-{w}",
                        span=ctx.span(node.line, secret=True),
                        storage=storage,
                        user=user,
                        detail=detail + (f", {algo}" if algo else ""),
                    )
                )
                found = True
                break
            if w == "nopassword":
                self.credentials.append(
                    Credential(
                        kind="user-password",
                        span=ctx.span(node.line, secret=True),
                        storage=CredentialStorage.NONE,
                        user=user,
                        detail="nopassword",
                    )
                )
                found = True
                break
            i += 1
        del found
        ctx.ok(node.line)

    def _logging(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 3 and words[1] == "host":
            host = words[2]
            if host in ("ipv6", "vrf") and len(words) >= 4:
                host = words[3] if host == "ipv6" else (words[4] if len(words) > 4 else words[3])
            self.syslog.append(host)
        elif len(words) >= 2 and (is_ipv4(words[1]) or ":" in words[1]):
            self.syslog.append(words[1])
        self._ok_tree(node)

    def _ntp(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 3 and words[1] in ("server", "peer"):
            rest = words[2:]
            if rest[0] == "vrf" and len(rest) >= 3:
                rest = rest[2:]
            if rest[0] in ("ip", "ipv6") and len(rest) >= 2:
                rest = rest[1:]
            if words[1] == "server":
                self.ntp.append(rest[0])
        secret = len(words) >= 2 and words[1] == "authentication-key"
        if secret:
            self.ctx.ok(node.line)
        else:
            self._ok_tree(node)

    def _aaa(self, node: _Node, words: list[str]) -> None:
        if words[1:] == ["new-model"]:
            self.aaa = True
        self._ok_tree(node)

    def _banner_line(self, node: _Node, words: list[str]) -> None:
        # Banners are consumed by _banners(); a "banner" line reaching here had no body.
        self.ctx.ok(node.line)

    def _secret_block(self, node: _Node, words: list[str]) -> None:
        """tacacs/radius servers, key chains: understood, secret-bearing, nothing modelled."""
        self._ok_tree(node)

    def _router(self, node: _Node, words: list[str]) -> None:
        protos = self.extras.setdefault("dynamic_routing", [])
        assert isinstance(protos, list)
        protos.append(" ".join(words[1:]))
        self._ok_tree(node)

    def _crypto(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 2 and words[1] in ("pki", "key"):
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _class_policy_map(self, node: _Node, words: list[str]) -> None:
        # "type inspect" maps are the zone-based firewall, which this parser does not model.
        if "inspect" in words:
            self._unknown_tree(node)
        else:
            self._ok_tree(node)

    def _zone(self, node: _Node, words: list[str]) -> None:
        if len(words) == 3 and words[1] == "security":
            self.extras.setdefault("zones", [])
            zones = self.extras["zones"]
            assert isinstance(zones, list)
            zones.append(words[2])
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _zone_pair(self, node: _Node, words: list[str]) -> None:
        self.ctx.warn(
            node.line,
            "zone-based firewall policy is not modelled: traffic between these zones is unknown",
            matters=True,
        )
        self._unknown_tree(node)

    def _vrf(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 3 and words[1] == "definition":
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _route_map(self, node: _Node, words: list[str]) -> None:
        self._ok_tree(node)

    def _line(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        ctx.ok(node.line)
        label = " ".join(words[1:])
        vty = _Vty(line=node.line, label=label) if len(words) >= 2 and words[1] == "vty" else None
        for child in node.children:
            for n in child.walk():
                cw = n.words
                c0 = cw[0]
                if c0 == "password" and len(cw) >= 2:
                    storage, detail = _storage(cw[1:], secret=False)
                    self.credentials.append(
                        Credential(
                            kind="line-password",
                            span=ctx.span(n.line, secret=True),
                            storage=storage,
                            detail=f"line {label}, {detail}",
                        )
                    )
                    ctx.ok(n.line)
                elif c0 == "transport" and len(cw) >= 3 and cw[1] == "input":
                    if vty is not None:
                        vty.transport = set(cw[2:])
                    else:
                        self.line_transport[label] = tuple(cw[2:])
                    ctx.ok(n.line)
                elif c0 == "access-class" and len(cw) >= 3:
                    if cw[2] == "in" and vty is not None:
                        vty.acl = cw[1]
                        vty.acl_line = n.line
                        self.acl_refs.append((cw[1], n.line, "access-class"))
                    ctx.ok(n.line)
                elif c0 in _LINE_IGNORED:
                    ctx.ok(n.line)
                else:
                    ctx.unknown(n.line)
        if vty is not None:
            self.vtys.append(vty)

    def _vlan(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) >= 2 and words[1].lower() in (
            "internal",
            "dot1q",
            "access-map",
            "filter",
            "database",
            "accounting",
        ):
            if words[1] in ("access-map", "filter"):
                # VLAN ACLs (VACL) filter bridged traffic; not modelled.
                ctx.warn(node.line, "VLAN access-map (VACL) is not modelled", matters=True)
                self._unknown_tree(node)
            else:
                self._ok_tree(node)
            return
        if len(words) != 2:
            self._unknown_tree(node)
            return
        try:
            ids = sorted(vlan_list(words[1]))
        except ValueError:
            self._unknown_tree(node)
            return
        name = ""
        ctx.ok(node.line)
        for child in node.children:
            cw = child.words
            if cw[0] == "name" and len(cw) >= 2:
                name = child.text.split(None, 1)[1]
                ctx.ok(child.line)
            elif cw[0] in (
                "state",
                "shutdown",
                "no",
                "remote-span",
                "private-vlan",
                "mtu",
                "exit",
                "media",
                "vn-segment",
                "mode",
            ):
                ctx.ok(child.line)
            else:
                self._unknown_tree(child)
        span = ctx.span(node.line)
        for v in ids:
            self.vlans[v] = Vlan(id=v, span=span, name=name if len(ids) == 1 else "")

    # -- object-groups and ACLs -------------------------------------------------------------

    def _object_group(self, node: _Node) -> None:
        ctx = self.ctx
        words = node.words
        if len(words) != 3 or words[1] not in ("network", "service"):
            self._unknown_tree(node)
            return
        name = words[2]
        ctx.ok(node.line)
        if words[1] == "network":
            ng = self.groups.networks.setdefault(name, NetGroup(name=name, line=node.line))
            for child in node.children:
                if netgroup_entry(child.words, ng):
                    ctx.ok(child.line)
                else:
                    self._unknown_tree(child)
                    ng.unresolved.append(f"object-group {name}: {child.text}")
                    ctx.warn(child.line, f"object-group {name}: entry not understood", matters=True)
        else:
            sg = self.groups.services.setdefault(name, SvcGroup(name=name, line=node.line))
            for child in node.children:
                if svcgroup_entry(child.words, sg):
                    ctx.ok(child.line)
                else:
                    self._unknown_tree(child)
                    sg.unresolved.append(f"object-group {name}: {child.text}")
                    ctx.warn(child.line, f"object-group {name}: entry not understood", matters=True)

    def _acl(self, name: str, line: int, family: int, standard: bool) -> _Acl:
        acl = self.acls.get(name)
        if acl is None:
            acl = _Acl(name=name, line=line, family=family, standard=standard)
            self.acls[name] = acl
        return acl

    def _add_entry(
        self, acl: _Acl, seq: int | None, words: list[str], line: int, text: str
    ) -> bool:
        """Parse one entry into ``acl``; False when the words are not understood."""
        syntax = (self.v4std if acl.standard else self.v4) if acl.family == 4 else self.v6
        # Real ACLs repeat entries ("permit icmp any any echo-reply") across lists.
        key = (syntax.key, *words)
        ace = self.ace_cache.get(key)
        if ace is None:
            ace = parse_ace(words, syntax, self.groups)
            if ace is None:
                return False
            self.ace_cache[key] = ace
        for message, matters in ace.problems:
            self.ctx.warn(line, f"ACL {acl.name}: {message}", matters=matters)
        number = acl.next_seq(seq)
        if number is None:
            self.ctx.warn(line, f"ACL {acl.name}: duplicate sequence number {seq}; entry ignored")
            return True
        acl.entries[number] = new_acl_rule(
            ace.action,
            ace.match,
            new_span(self.source, line, text),
            str(number),
            ace.log,
            MappingProxyType(ace.extras) if ace.extras else _EMPTY,
        )
        if number > acl.last_seq:
            acl.last_seq = number
        return True

    def _named_acl(self, node: _Node, name: str, *, family: int, standard: bool) -> None:
        ctx = self.ctx
        acl = self._acl(name, node.line, family, standard)
        ctx.ok(node.line)
        for child in node.children:
            words = child.words
            seq: int | None = None
            if words[0] == "sequence" and len(words) >= 3 and words[1].isdigit():
                seq, words = int(words[1]), words[2:]
            elif words[0].isdigit():
                seq, words = int(words[0]), words[1:]
            if len(words) >= 3 and words[-2] == "sequence" and words[-1].isdigit():
                seq, words = int(words[-1]), words[:-2]
            w0 = words[0] if words else ""
            if w0 == "remark":
                ctx.ok_line(child.line)
            elif w0 in ("permit", "deny"):
                if len(words) > 1 and words[1] == "dynamic":
                    ctx.warn(
                        child.line,
                        f"ACL {name}: dynamic (lock-and-key) entry not modelled",
                        matters=True,
                    )
                    ctx.unknown(child.line)
                elif self._add_entry(acl, seq, words, child.line, child.text):
                    ctx.ok_line(child.line)
                else:
                    ctx.unknown(child.line)
            elif w0 == "evaluate":
                ctx.warn(
                    child.line, f"ACL {name}: reflexive 'evaluate' entry not modelled", matters=True
                )
                ctx.unknown(child.line)
            elif w0 == "no" and len(words) == 2 and words[1].isdigit():
                acl.remove(int(words[1]))
                ctx.ok(child.line)
            elif w0 in self.acl_misc:
                ctx.ok(child.line)
            else:
                ctx.unknown(child.line)
            for grandchild in child.children:
                self._unknown_tree(grandchild)

    def _numbered_acl(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) < 3:
            ctx.unknown(node.line)
            return
        name = words[1]
        if not name.isdigit():
            self._unknown_tree(node)
            return
        num = int(name)
        if 1 <= num <= 99 or 1300 <= num <= 1999:
            standard = True
        elif 100 <= num <= 199 or 2000 <= num <= 2699:
            standard = False
        else:
            # 200-1299 are non-IP (MAC, IPX, ...) lists.
            self._unknown_tree(node)
            return
        rest = words[2:]
        if rest[0] == "remark":
            self._acl(name, node.line, 4, standard)
            ctx.ok(node.line)
            return
        if rest[0] == "dynamic":
            ctx.warn(
                node.line, f"ACL {name}: dynamic (lock-and-key) entry not modelled", matters=True
            )
            ctx.unknown(node.line)
            return
        acl = self._acl(name, node.line, 4, standard)
        if self._add_entry(acl, None, rest, node.line, node.text):
            ctx.ok(node.line)
        else:
            ctx.unknown(node.line)
        for child in node.children:
            self._unknown_tree(child)

    # -- NAT ---------------------------------------------------------------------------------

    def _nat(self, node: _Node, words: list[str]) -> bool:
        """``ip nat ...``: static and dynamic inside/outside source NAT, pools; False if not."""
        rest = words[2:]
        if not rest:
            return False
        if rest[0] == "pool" and len(rest) >= 5:
            lo, hi = ipaddress.IPv4Address(rest[2]), ipaddress.IPv4Address(rest[3])
            self.nat_pools[rest[1]] = tuple(ipaddress.summarize_address_range(lo, hi))
            self._ok_tree(node)
            return True
        if rest[0] in ("translation", "log", "settings", "service", "stateful", "name"):
            self._ok_tree(node)
            return True
        if len(rest) < 4 or rest[0] not in ("inside", "outside") or rest[1] != "source":
            return False
        side = rest[0]
        info: dict[str, object] = {"side": side}
        args = rest[2:]
        if args[0] == "static":
            return self._nat_static(node, side, args[1:], info)
        if args[0] in ("list", "route-map") and len(args) >= 2:
            info[args[0]] = args[1]
            i = 2
            while i < len(args):
                a = args[i]
                if a in ("pool", "interface", "vrf") and i + 1 < len(args):
                    info[a] = args[i + 1]
                    i += 2
                elif a in ("overload", "add-route", "reversible", "oer", "no-payload"):
                    info[a] = True
                    i += 1
                else:
                    return False
            if "pool" not in info and "interface" not in info:
                return False
            self.nat_pending.append(("dynamic", info, node.line, node.text))
            self.ctx.ok(node.line)
            return True
        return False

    def _nat_static(self, node: _Node, side: str, args: list[str], info: dict[str, object]) -> bool:
        proto: int | None = None
        if args and args[0] in ("tcp", "udp"):
            proto = PROTO_TCP if args[0] == "tcp" else PROTO_UDP
            if len(args) < 5:
                return False
            local, lport, glob, gport = args[1], int(args[2]), args[3], int(args[4])
            info["ports"] = (lport, gport)
            args = args[5:]
        elif args and args[0] == "network" and len(args) >= 4:
            mask = args[3].lstrip("/")
            plen = (
                int(mask) if mask.isdigit() else ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
            )
            local_net = ipaddress.IPv4Network(f"{args[1]}/{plen}", strict=False)
            global_net = ipaddress.IPv4Network(f"{args[2]}/{plen}", strict=False)
            info["local"], info["global"] = local_net, global_net
            args = args[4:]
            local = glob = ""
        elif len(args) >= 2:
            local, glob = args[0], args[1]
            args = args[2:]
        else:
            return False
        if local:
            info["local"] = ipaddress.IPv4Network(local)
            info["global"] = ipaddress.IPv4Network(glob)
        if proto is not None:
            info["protocol"] = proto
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("vrf", "route-map", "redundancy", "mapping-id") and i + 1 < len(args):
                info[a] = args[i + 1]
                i += 2
            elif a in ("extendable", "no-alias", "no-payload", "add-route", "match-in-vrf"):
                info[a] = True
                i += 1
            else:
                return False
        self.nat_pending.append(("static", info, node.line, node.text))
        self.ctx.ok(node.line)
        return True

    def _nat_rules(self) -> list[NatRule]:
        out: list[NatRule] = []
        for kind, info, line, text in self.nat_pending:
            span = SourceSpan(self.source, line, text)
            extras = {k: v for k, v in info.items() if k not in ("local", "global", "protocol")}
            if kind == "static":
                local = info["local"]
                glob = info["global"]
                assert isinstance(local, ipaddress.IPv4Network)
                assert isinstance(glob, ipaddress.IPv4Network)
                ports = info.get("ports")
                proto = info.get("protocol")
                services: tuple[ServiceMatch, ...] = (ServiceMatch(),)
                if isinstance(ports, tuple) and isinstance(proto, int):
                    services = (ServiceMatch(protocol=proto, src_ports=((ports[0], ports[0]),)),)
                    extras["translated_src_port"] = ports[1]
                # "inside source static L G": inside packets from L leave as G, and (being
                # static) outside packets to G come in to L; "outside source static" the same
                # for outside addresses. The rule states the source rewrite; extras say which.
                out.append(
                    NatRule(
                        kind=NatKind.STATIC,
                        match=Match(
                            src=AddressMatch(networks=(local,)),
                            dst=ANY_V4,
                            services=services,
                        ),
                        span=span,
                        translated_src=(glob,),
                        extras=MappingProxyType(extras),
                    )
                )
                continue
            acl = info.get("list")
            rmap = info.get("route-map")
            ref = f"access-list {acl}" if acl is not None else f"route-map {rmap}"
            pool = info.get("pool")
            translated: tuple[IPNetwork, ...] | None = None
            if isinstance(pool, str):
                translated = self.nat_pools.get(pool)
                if translated is None:
                    self.ctx.warn(line, f"NAT references undefined pool {pool}", matters=True)
            if isinstance(acl, str) and acl not in self.acls:
                self.ctx.warn(line, f"NAT references undefined ACL {acl}", matters=True)
            # Which packets are translated is given by the ACL / route-map (extras); the match
            # names it as unresolved so nothing is assumed from it.
            out.append(
                NatRule(
                    kind=NatKind.SOURCE,
                    match=Match(src=ANY_V4, dst=ANY_V4, unresolved=(ref,)),
                    span=span,
                    translated_src=translated,
                    extras=MappingProxyType(extras),
                )
            )
        return out

    # -- routes ------------------------------------------------------------------------------

    def _route(self, node: _Node, words: list[str], *, family: int) -> None:
        ctx = self.ctx
        i = 2
        vrf: str | None = None
        if len(words) > 3 and words[i] == "vrf":
            vrf = words[i + 1]
            i += 2
        if family == 4 and words[i] == "static":
            self._ok_tree(node)
            return
        try:
            if family == 4:
                prefix = mask_network(words[i], words[i + 1])
                i += 2
            else:
                prefix = ipaddress.IPv6Network(words[i], strict=False)
                i += 1
        except (ValueError, IndexError):
            ctx.unknown(node.line)
            return
        next_hop: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
        iface: str | None = None
        distance = 1
        rest = words[i:]
        j = 0

        def addr(w: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
            if family == 4:
                n = v4int(w)
                return ipaddress.IPv4Address(n) if n is not None else None
            try:
                a = ipaddress.ip_address(w)
            except ValueError:
                return None
            return a if a.version == family else None

        hop = addr(rest[j]) if j < len(rest) else None
        if hop is None and j < len(rest) and rest[j][:1].isalpha() and rest[j] not in _ROUTE_OPTS:
            iface = rest[j]
            j += 1
            hop = addr(rest[j]) if j < len(rest) else None
        if hop is not None:
            next_hop = hop
            j += 1
        if next_hop is None and iface is None:
            ctx.unknown(node.line)
            return
        while j < len(rest):
            w = rest[j]
            if w in _ROUTE_OPTS_ARG:
                j += 2
            elif w in _ROUTE_OPTS:
                j += 1
            elif w.isdigit() and int(w) <= 255:
                distance = int(w)
                j += 1
            else:
                ctx.unknown(node.line)
                return
        discard = iface is not None and iface.lower().startswith("null")
        self.routes.append(
            Route(
                prefix=prefix,
                span=ctx.span(node.line),
                next_hop=next_hop,
                interface=iface,
                vrf=vrf,
                discard=discard,
                distance=distance,
            )
        )
        ctx.ok(node.line)

    # -- interfaces -------------------------------------------------------------------------

    def _interface(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) < 2 or words[1] == "range":
            self._unknown_tree(node)
            return
        if len(words) >= 3 and words[-1] in ("point-to-point", "multipoint"):
            name = "".join(words[1:-1])
        else:
            name = "".join(words[1:])
        itf = self.interfaces.get(name)
        if itf is None:
            itf = self._new_interface(name, node.line)
            m = _SVI_RE.match(name)
            if m:
                itf.vlan = int(m.group(1))
            if itf.kind is InterfaceKind.SUBINTERFACE:
                itf.parent = name.split(".", 1)[0]
            self.interfaces[name] = itf
        ctx.ok(node.line)
        for child in node.children:
            if self._if_block(itf, child):
                self._ok_tree(child)
                continue
            for n in child.walk():
                try:
                    understood = self._if_command(itf, n)
                except (ValueError, IndexError):
                    understood = False
                if understood:
                    ctx.ok(n.line)
                else:
                    ctx.unknown(n.line)

    def _new_interface(self, name: str, line: int) -> _If:
        return _If(name=name, line=line, kind=_kind(name))

    def _if_block(self, itf: _If, node: _Node) -> bool:
        """Whether ``node`` opens an irrelevant sub-block understood as a whole."""
        return False

    def _if_command(self, itf: _If, node: _Node) -> bool:
        words = node.words
        w0 = words[0]
        n = len(words)
        port_auth(itf.extras, words)
        if w0 == "description":
            itf.description = node.text.split(None, 1)[1] if n > 1 else ""
            return True
        if w0 == "shutdown" and n == 1:
            itf.enabled = False
            return True
        if w0 == "ip" and n >= 2:
            return self._if_ip(itf, node, words)
        if w0 == "ipv6" and n >= 2:
            return self._if_ipv6(itf, node, words)
        if w0 == "vrf" and n == 3 and words[1] == "forwarding":
            itf.vrf = words[2]
            return True
        if w0 == "switchport":
            return self._switchport(itf, words)
        if w0 == "encapsulation" and n >= 3 and words[1].lower() == "dot1q":
            itf.vlan = int(words[2].split(",")[0].split("-")[0])
            if "native" in words:
                itf.extras["native"] = True
            return True
        if w0 == "channel-group" and n >= 2:
            itf.extras["channel_group"] = int(words[1])
            return True
        if w0 == "zone-member" and n == 3 and words[1] == "security":
            itf.zone = words[2]
            return True
        if w0 == "no" and n >= 2:
            w1 = words[1]
            if w1 == "shutdown" and n == 2:
                itf.enabled = True
                return True
            if w1 == "switchport" and n > 2:
                # "no switchport <setting>" puts one setting back to its default.
                return words[2] in (
                    "access",
                    "trunk",
                    "block",
                    "host",
                    "monitor",
                    "dot1q",
                    "priority",
                    "nonegotiate",
                    "port-security",
                    "voice",
                    "mode",
                    "protected",
                    "autostate",
                )
            if w1 == "switchport" and n == 2:
                itf.mode = SwitchportMode.ROUTED
                itf.switchport = False
                itf.extras["switchport"] = False
                return True
            if w1 == "ip" and n >= 3:
                if words[2] == "address":
                    itf.primary = None
                    itf.secondary.clear()
                    return True
                if words[2] in ("access-group", "inspect"):
                    return False
                return words[2] in _IGNORED_IF_IP
            if w1 == "ipv6" and n >= 3:
                if words[2] == "address":
                    itf.v6.clear()
                    return True
                return words[2] in _IGNORED_IF_IPV6
            if w1 in ("description", "vrf", "zone-member", "channel-group", "encapsulation"):
                return True
            return w1 in _IGNORED_IF and w1 not in ("ip", "ipv6", "no")
        if w0 in ("encapsulation",):
            return True
        return w0 in _IGNORED_IF and w0 not in ("ip", "ipv6", "no")

    def _if_ip(self, itf: _If, node: _Node, words: list[str]) -> bool:
        n = len(words)
        w1 = words[1]
        if w1 == "address":
            if n >= 4 and is_ipv4(words[2]) and is_ipv4(words[3]):
                addr = ipaddress.IPv4Interface(f"{words[2]}/{words[3]}")
                if n == 5 and words[4] == "secondary":
                    itf.secondary.append(addr)
                    return True
                if n == 4:
                    itf.primary = addr
                    return True
                return False
            if n >= 3 and words[2] in ("dhcp", "negotiated", "pool"):
                itf.extras["address"] = " ".join(words[2:])
                return True
            return False
        if w1 == "access-group" and n == 4 and words[3] in ("in", "out"):
            self.bindings.append(
                FilterBinding(
                    interface=itf.name,
                    direction=Direction.IN if words[3] == "in" else Direction.OUT,
                    filter=words[2],
                    span=self.ctx.span(node.line),
                )
            )
            return True
        if w1 == "vrf" and n == 4 and words[2] == "forwarding":
            itf.vrf = words[3]
            return True
        if w1 == "unnumbered" and n == 3:
            itf.extras["unnumbered"] = words[2]
            return True
        if w1 == "nat" and n == 3 and words[2] in ("inside", "outside", "enable"):
            itf.extras["nat"] = words[2]
            return True
        if w1 == "policy" and n == 4 and words[2] == "route-map":
            itf.extras["policy_route_map"] = words[3]
            return True
        if w1 == "inspect":
            self.ctx.warn(
                node.line, "CBAC 'ip inspect' stateful inspection is not modelled", matters=True
            )
            return False
        return w1 in _IGNORED_IF_IP

    def _if_ipv6(self, itf: _If, node: _Node, words: list[str]) -> bool:
        n = len(words)
        w1 = words[1]
        if w1 == "address":
            if n >= 3 and "/" in words[2]:
                iface = ipaddress.IPv6Interface(words[2])
                opts = words[3:]
                if opts and opts[0] not in ("eui-64", "anycast", "cga"):
                    return False
                if opts:
                    itf.extras.setdefault("ipv6_options", {})[str(iface)] = opts[0]  # type: ignore[index]
                itf.v6.append(iface)
                return True
            if n == 4 and words[3] == "link-local":
                itf.extras["ipv6_link_local"] = words[2]
                return True
            if n >= 3 and words[2] in ("autoconfig", "dhcp"):
                itf.extras["ipv6_address"] = " ".join(words[2:])
                return True
            return False
        if w1 == "traffic-filter" and n == 4 and words[3] in ("in", "out"):
            self.bindings.append(
                FilterBinding(
                    interface=itf.name,
                    direction=Direction.IN if words[3] == "in" else Direction.OUT,
                    filter=words[2],
                    span=self.ctx.span(node.line),
                )
            )
            return True
        return w1 in _IGNORED_IF_IPV6

    def _switchport(self, itf: _If, words: list[str]) -> bool:
        n = len(words)
        itf.switchport = True
        if n == 1:
            return True
        w1 = words[1]
        if w1 == "mode" and n >= 3:
            mode = words[2]
            if mode == "access":
                itf.mode = SwitchportMode.ACCESS
            elif mode == "trunk":
                itf.mode = SwitchportMode.TRUNK
            elif mode == "dynamic" and n == 4:
                # DTP: a trunk forms if the peer asks; recorded as access with the DTP mode.
                itf.mode = SwitchportMode.ACCESS
                itf.extras["dtp"] = words[3]
            elif mode in ("private-vlan", "dot1q-tunnel"):
                itf.mode = SwitchportMode.ACCESS
                itf.extras["switchport_mode"] = " ".join(words[2:])
            else:
                return False
            return True
        if w1 == "access" and n == 4 and words[2] == "vlan":
            if words[3] == "dynamic":
                itf.extras["access_vlan"] = "dynamic"
                return True
            itf.access_vlan = int(words[3])
            return True
        if w1 == "trunk" and n >= 3:
            if words[2] == "native" and n == 5 and words[3] == "vlan":
                itf.native_vlan = int(words[4])
                return True
            if words[2] == "allowed" and n >= 5 and words[3] == "vlan":
                return _trunk_allowed(itf, words[4:])
            return words[2] in ("encapsulation", "pruning")
        return w1 in (
            "nonegotiate",
            "voice",
            "port-security",
            "host",
            "block",
            "protected",
            "priority",
            "backup",
            "autostate",
            "private-vlan",
            "vlan",
        )

    # -- assembling the model -------------------------------------------------------------

    def build(self, name: str, source: str) -> DeviceConfig:
        ctx = self.ctx
        filters: dict[str, Filter] = {}
        for acl in self.acls.values():
            filters[acl.name] = self._filter(acl)
        for b in self.bindings:
            if b.filter not in filters:
                ctx.warn(
                    b.span.line,
                    f"{b.interface}: access-group references undefined ACL {b.filter};"
                    f" {self.undefined_acl_note} (recorded as a synthetic permit-all filter)",
                    matters=True,
                )
                family = "ipv6" if "traffic-filter" in b.span.text else "ipv4"
                filters[b.filter] = Filter(
                    name=b.filter,
                    kind=FilterKind.ACL,
                    rules=(),
                    default_action=Action.PERMIT,
                    span=b.span,
                    extras=MappingProxyType(
                        {"synthetic": "undefined-acl", "address_family": family}
                    ),
                )
        for acl_name, line, what in self.acl_refs:
            if acl_name not in filters:
                ctx.warn(
                    abs(line),
                    f"{what} references undefined ACL {acl_name}",
                    matters=True,
                )
        interfaces = tuple(self._interface_model(i) for i in self.interfaces.values())
        mgmt = self._mgmt()
        return DeviceConfig(
            name=name or self.hostname,
            platform=self.platform,
            source=source,
            hostname=self.hostname,
            interfaces=interfaces,
            vlans=tuple(self.vlans[v] for v in sorted(self.vlans)),
            filters=tuple(filters.values()),
            bindings=tuple(self.bindings),
            routes=tuple(self.routes),
            nat=tuple(self._nat_rules()),
            mgmt=mgmt,
            routing=self.routing,
            coverage=ctx.coverage(),
            warnings=tuple(ctx.warnings),
            extras=MappingProxyType(
                {k: tuple(v) if isinstance(v, list) else v for k, v in self.extras.items()}
                | self._objects()
            ),
        )

    def _objects(self) -> dict[str, object]:
        """The object-group table for rule hygiene (RUL-007); absent when there are none."""
        table = self.groups.table()
        if not table:
            return {}
        return {
            "objects": tuple({**o, "text": self.ctx.span(int(str(o["line"]))).text} for o in table)
        }

    def _filter(self, acl: _Acl) -> Filter:
        rules = [acl.entries[s] for s in sorted(acl.entries)]
        span = self.ctx.span(acl.line)
        extras: dict[str, object] = {
            "address_family": "ipv6" if acl.family == 6 else "ipv4",
            "type": "standard" if acl.standard else "extended",
        }
        default = Action.DENY
        if not rules:
            # An applied ACL with no entries passes everything (IOS ACL overview).
            default = Action.PERMIT
            extras["empty"] = True
        elif acl.family == 6 and self.implicit_nd:
            # IOS appends "permit icmp any any nd-na / nd-ns" before the implicit deny.
            for msg, typ in (("nd-na", 136), ("nd-ns", 135)):
                rules.append(
                    Rule(
                        action=Action.PERMIT,
                        match=Match(
                            src=AddressMatch(networks=(ipaddress.IPv6Network("::/0"),)),
                            dst=AddressMatch(networks=(ipaddress.IPv6Network("::/0"),)),
                            services=(ServiceMatch(protocol=PROTO_ICMPV6, icmp_type=typ),),
                        ),
                        span=span,
                        name=f"implicit-{msg}",
                        extras=MappingProxyType({"implicit": True}),
                    )
                )
        return Filter(
            name=acl.name,
            kind=FilterKind.ACL,
            family=6 if acl.family == 6 else 4,
            rules=tuple(rules),
            default_action=default,
            span=span,
            extras=MappingProxyType(extras),
        )

    def _interface_model(self, itf: _If) -> Interface:
        mode = itf.mode
        access_vlan = itf.access_vlan
        trunk: frozenset[int] | None = None
        native = itf.native_vlan
        if mode is None:
            # Without "switchport mode", a port with switchport settings is an access port
            # (dynamic auto negotiates access unless the peer insists on a trunk).
            mode = SwitchportMode.ACCESS if itf.switchport else SwitchportMode.ROUTED
        if mode is SwitchportMode.ACCESS:
            access_vlan = access_vlan if access_vlan is not None else 1
            native = None
        elif mode is SwitchportMode.TRUNK:
            trunk = frozenset(itf.trunk_vlans) if itf.trunk_vlans is not None else ALL_VLANS
            native = native if native is not None else 1
            access_vlan = None
        else:
            access_vlan = None
            native = None
        addresses: list[IPInterface] = []
        if itf.primary is not None:
            addresses.append(itf.primary)
        addresses.extend(itf.secondary)
        addresses.extend(itf.v6)
        extras = dict(itf.extras)
        if extras.pop("mab", False) and extras.get("port_control") == "auto":
            extras["mac_auth"] = True
        if itf.secondary and itf.primary is None:
            extras["secondary_without_primary"] = True
        return Interface(
            name=itf.name,
            span=self.ctx.span(itf.line),
            kind=itf.kind,
            description=itf.description,
            enabled=itf.enabled,
            addresses=tuple(addresses),
            vrf=itf.vrf,
            mode=mode,
            access_vlan=access_vlan,
            trunk_vlans=trunk,
            native_vlan=native,
            vlan=itf.vlan,
            parent=itf.parent,
            security_zone=itf.zone,
            extras=MappingProxyType(extras) if extras else _EMPTY,
        )

    def _mgmt(self) -> Management:
        services = list(self.services)
        for vty in self.vtys:
            span = self.ctx.span(vty.line)
            if vty.transport is None:
                # Default vty transport differs between releases; classic IOS allows all.
                allowed = {"telnet", "ssh"}
                self.ctx.warn(
                    vty.line,
                    f"line {vty.label}: no 'transport input'; the release default applies"
                    " (all protocols on classic IOS)",
                )
            elif "all" in vty.transport:
                allowed = {"telnet", "ssh"}
            elif "none" in vty.transport:
                allowed = set()
            else:
                allowed = vty.transport
            for proto in ("telnet", "ssh"):
                services.append(
                    MgmtService(
                        protocol=proto,
                        span=span,
                        enabled=proto in allowed,
                        acl=vty.acl,
                        version=self.ssh_version if proto == "ssh" else "",
                    )
                )
        for proto, (enabled, line) in sorted(self.http.items()):
            services.append(
                MgmtService(
                    protocol=proto,
                    span=self.ctx.span(line),
                    enabled=enabled,
                    acl=self.http_acl,
                )
            )
        extras: dict[str, object] = {}
        if self.snmp_hosts:
            extras["snmp_trap_hosts"] = tuple(self.snmp_hosts)
        if self.line_transport:
            extras["line_transport_input"] = MappingProxyType(dict(self.line_transport))
        if self.ssh_version:
            extras["ssh_version"] = self.ssh_version
        return Management(
            services=tuple(services),
            snmp_communities=tuple(self.communities),
            credentials=tuple(self.credentials),
            syslog_hosts=tuple(self.syslog),
            ntp_servers=tuple(self.ntp),
            aaa=self.aaa,
            banner=self.banner,
            password_encryption=self.pwenc,
            extras=MappingProxyType(extras) if extras else _EMPTY,
        )


def port_auth(extras: dict[str, object], words: list[str]) -> None:
    """Record port authentication of a switch port under the standard extras keys.

    ``port_security`` for ``switchport port-security``; ``dot1x`` for ``authentication
    port-control auto`` / ``dot1x port-control auto`` (the default, force-authorized, admits
    every device, so ``dot1x pae authenticator`` alone enforces nothing); ``mab`` (turned into
    ``mac_auth`` when port-control is auto) for ``mab``. ``no ...`` removes the fact.
    """
    neg = words[0] == "no"
    w = words[1:] if neg else words
    if w == ["switchport", "port-security"]:
        key, value = "port_security", True
    elif len(w) == 3 and w[0] in ("authentication", "dot1x") and w[1] == "port-control":
        if neg or w[2] != "auto":
            extras.pop("dot1x", None)
            extras.pop("port_control", None)
            return
        extras["port_control"] = "auto"
        key, value = "dot1x", True
    elif w == ["mab"] or w[:2] == ["mab", "eap"]:
        key, value = "mab", True
    else:
        return
    if neg:
        extras.pop(key, None)
    else:
        extras[key] = value


_ROUTE_OPTS = frozenset({"permanent", "global", "multicast", "dhcp", "unicast"})
_ROUTE_OPTS_ARG = frozenset({"tag", "name", "track", "description"})


def _harmless_no(rest: list[str]) -> bool:
    """Whether ``no <rest>`` only turns off something the audit does not read."""
    w0 = rest[0]
    w1 = rest[1] if len(rest) >= 2 else ""
    if w0 == "ip":
        return w1 in _IGNORED_IP or w1 in ("ssh", "http")
    if w0 == "ipv6":
        return w1 in _IGNORED_IPV6
    if w0 == "service":
        return w1 in _IGNORED_SERVICE
    return w0 in _IGNORED_SIMPLE or w0 in ("logging", "snmp-server", "ntp", "aaa")


def _storage(rest: list[str], *, secret: bool) -> tuple[CredentialStorage, str]:
    """How ``[TYPE] VALUE`` is stored; a bare value after ``secret`` is still clear text here."""
    if len(rest) >= 2 and rest[0] in _STORAGE_BY_TYPE:
        return _STORAGE_BY_TYPE[rest[0]], f"type {rest[0]}"
    return CredentialStorage.PLAIN, "clear text" + (
        " (hashed by the device on entry)" if secret else ""
    )


def _trunk_allowed(itf: _If, args: list[str]) -> bool:
    op = args[0]
    current = itf.trunk_vlans if itf.trunk_vlans is not None else set(ALL_VLANS)
    if op == "all" and len(args) == 1:
        itf.trunk_vlans = set(ALL_VLANS)
    elif op == "none" and len(args) == 1:
        itf.trunk_vlans = set()
    elif op in ("add", "remove", "except") and len(args) == 2:
        ids = vlan_list(args[1])
        if op == "add":
            itf.trunk_vlans = current | ids
        elif op == "remove":
            itf.trunk_vlans = current - ids
        else:
            itf.trunk_vlans = set(ALL_VLANS) - ids
    elif len(args) == 1:
        itf.trunk_vlans = vlan_list(args[0])
    else:
        return False
    return True


def _kind(name: str) -> InterfaceKind:
    low = name.lower()
    if _SVI_RE.match(name):
        return InterfaceKind.SVI
    if "." in name:
        return InterfaceKind.SUBINTERFACE
    if low.startswith(("port-channel", "po")) and not low.startswith("pos"):
        return InterfaceKind.PORT_CHANNEL
    if low.startswith("loopback"):
        return InterfaceKind.LOOPBACK
    if low.startswith("tunnel"):
        return InterfaceKind.TUNNEL
    if low.startswith("null"):
        return InterfaceKind.NULL
    if low.startswith(("dialer", "virtual-template", "virtual-access", "multilink")):
        return InterfaceKind.PPP
    if low.startswith(("bvi", "bdi")):
        return InterfaceKind.SVI
    if low.startswith(_PHYSICAL_PREFIXES):
        return InterfaceKind.PHYSICAL
    return InterfaceKind.OTHER


_Parser.ignored_top = _IGNORED_SIMPLE
_Parser.handlers = {
    "hostname": _Parser._hostname,
    "interface": _Parser._interface,
    "service": _Parser._service,
    "no": _Parser._no,
    "ip": _Parser._ip,
    "ipv6": _Parser._ipv6,
    "access-list": _Parser._numbered_acl,
    "snmp-server": _Parser._snmp,
    "enable": _Parser._enable,
    "username": _Parser._username,
    "logging": _Parser._logging,
    "ntp": _Parser._ntp,
    "aaa": _Parser._aaa,
    "banner": _Parser._banner_line,
    "tacacs-server": _Parser._secret_block,
    "radius-server": _Parser._secret_block,
    "tacacs": _Parser._secret_block,
    "radius": _Parser._secret_block,
    "key": _Parser._secret_block,
    "router": _Parser._router,
    "crypto": _Parser._crypto,
    "class-map": _Parser._class_policy_map,
    "policy-map": _Parser._class_policy_map,
    "parameter-map": _Parser._class_policy_map,
    "zone": _Parser._zone,
    "zone-pair": _Parser._zone_pair,
    "vrf": _Parser._vrf,
    "route-map": _Parser._route_map,
    "line": _Parser._line,
    "vlan": _Parser._vlan,
    "redundancy": _Parser._route_map,
    "control-plane": _Parser._route_map,
    "virtual-service": _Parser._route_map,
    "license": _Parser._route_map,
    "subscriber": _Parser._route_map,
    "archive": _Parser._route_map,
    "track": _Parser._route_map,
    "event": _Parser._route_map,
    "monitor": _Parser._route_map,
    "call-home": _Parser._route_map,
    "flow": _Parser._route_map,
    "sampler": _Parser._route_map,
    "template": _Parser._route_map,
    "wsma": _Parser._route_map,
    "cts": _Parser._route_map,
}


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse an IOS / IOS-XE running configuration into the vendor-neutral model.

    Never raises on odd input: what is not understood is reported in the coverage and as
    warnings, and a partial model is returned.
    """
    return _run(_Parser, text, source=source, name=name)


def _run(parser: type[_Parser], text: str, *, source: str, name: str) -> DeviceConfig:
    """Run one IOS-family parser class over ``text`` (shared with the NX-OS parser)."""
    clear_caches()
    # The parse allocates hundreds of thousands of small acyclic objects; the cyclic collector
    # would rescan them again and again (measured: ~3x slower on 20,000 lines).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        ctx = ParseContext(source=source, text=text)
        p = parser(ctx)
        p.run()
        return p.build(name, source)
    finally:
        # The memos would otherwise keep this file's networks alive until the next parse.
        clear_caches()
        if was_enabled:
            gc.enable()
