"""Cisco NX-OS ``show running-config`` parser.

NX-OS is written in the IOS family's syntax, so this parser is the IOS parser
(:mod:`netaudit.parsers.cisco_ios`) with NX-OS's own commands in its place:

* interfaces ``EthernetS/P``, ``port-channelN``, ``VlanN``, ``mgmt0`` (always in VRF
  ``management``), ``loopbackN``; ``ip address A/len`` (or ``A MASK``) with ``secondary``,
  ``vrf member X``, switchport modes/VLANs, ``shutdown``; ``system default switchport`` makes
  Ethernet ports layer-2 access ports (VLAN 1) unless ``no switchport``;
* ``ip access-list NAME`` / ``ipv6 access-list NAME`` with sequence numbers, ``A/len`` or
  wildcard addresses, ``addrgroup`` / ``portgroup`` object-groups (``object-group ip address``,
  ``object-group ipv6 address``, ``object-group ip port``); bindings ``ip access-group``
  (router ACL), ``ip port access-group`` (port ACL), ``ipv6 traffic-filter`` /
  ``ipv6 port traffic-filter``;
* static routes ``ip route P/len|P MASK [IFACE] [NEXTHOP] [vrf NH-VRF] [track N] [name N]
  [tag N] [PREF]`` globally and in ``vrf context X`` blocks;
* management: ``feature telnet|ssh`` (SSH on and Telnet off by default), ``line vty``
  ``access-class``, ``snmp-server community ... group|ro|rw|use-acl``, ``snmp-server user``,
  ``username ... password 5``, ``ntp server``, ``logging server``, ``banner motd``.

Semantics (Cisco Nexus 9000 NX-OS Security Configuration Guide, "Configuring IP ACLs"):
every IPv4 ACL ends in an implicit ``deny ip any any`` and every IPv6 ACL in ``deny ipv6 any
any`` — unlike IOS, NX-OS has *no* implicit neighbor-discovery permits. IPv4 ACLs filter only
IPv4 and IPv6 ACLs only IPv6 (``Filter.extras["address_family"]``). An access-group naming an
undefined ACL is recorded as on IOS (a synthetic permit-all filter plus a warning that
matters); that NX-OS passes such traffic is an assumption the warning states.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from types import MappingProxyType

from netaudit.model import (
    DEFAULT_COMMUNITIES,
    Credential,
    CredentialStorage,
    DeviceConfig,
    Direction,
    FilterBinding,
    InterfaceKind,
    MgmtService,
    Route,
    SnmpCommunity,
    SourceSpan,
    secret_digest,
)
from netaudit.parsers import cisco_ios
from netaudit.parsers._cisco_common import (
    AceSyntax,
    NetGroup,
    SvcGroup,
    netgroup_entry,
    portgroup_entry,
)
from netaudit.parsers.base import ParseContext
from netaudit.parsers.cisco_ios import _If, _Node, _Parser

PLATFORM = "cisco_nxos"

_IGNORED_TOP = frozenset(
    {
        "version",
        "power",
        "vdc",
        "cfs",
        "role",
        "no",
        "system",
        "copp",
        "rmon",
        "callhome",
        "boot",
        "clock",
        "spanning-tree",
        "vpc",
        "policy-map",
        "class-map",
        "control-plane",
        "hardware",
        "cli",
        "terminal",
        "license",
        "install",
        "fabric",
        "evpn",
        "nv",
        "port-profile",
        "mac",
        "errdisable",
        "lacp",
        "udld",
        "lldp",
        "cdp",
        "track",
        "ssh",
        "password",
        "configure",
        "end",
        "exit",
        "event",
        "slot",
        "poap",
        "userpassphrase",
        "service",
        "port-channel",
        "monitor",
        "flow",
        "sampler",
        "icam",
        "telemetry",
        "nxapi",
        "rate-limit",
        "priority-flow-control",
        "key",
        "route-map",
        "router",
        "vlan",
        "banner",
        "line",
    }
)
"""First words of top-level NX-OS commands understood as irrelevant (with their blocks).

``vlan``, ``banner``, ``line``, ``router`` and ``route-map`` have handlers; they are listed for
``no vlan ...`` and the like.
"""

_IGNORED_IP = frozenset(
    {
        "domain-lookup",
        "domain-name",
        "domain-list",
        "name-server",
        "pim",
        "igmp",
        "arp",
        "prefix-list",
        "community-list",
        "extcommunity-list",
        "as-path",
        "host",
        "tcp",
        "ftp",
        "tftp",
        "dhcp",
        "load-sharing",
        "multicast",
        "msdp",
        "mroute",
        "icmp-errors",
        "sla",
        "radius",
        "tacacs",
        "source-route",
        "source",
        "routing",
        "options",
        "adjacency",
        "nat",
    }
)

_IGNORED_IF = frozenset(
    {
        "mtu",
        "speed",
        "duplex",
        "negotiate",
        "mac-address",
        "vpc",
        "bfd",
        "cdp",
        "lldp",
        "spanning-tree",
        "storm-control",
        "udld",
        "lacp",
        "load-interval",
        "delay",
        "bandwidth",
        "service-policy",
        "logging",
        "snmp",
        "link",
        "beacon",
        "flowcontrol",
        "medium",
        "carrier-delay",
        "fec",
        "priority-flow-control",
        "inherit",
        "rate-mode",
        "hardware",
        "mdix",
        "management",
        "autostate",
        "source-interface",
        "member",
        "host-reachability",
        "dot1q",
        "evpn",
        "fabric",
        "fabric-mode",
        "ethernet",
        "macsec",
        "dot1x",
        "mab",
        "ipv6",
        "ip",
        "isis",
    }
)

_IGNORED_IF_IP = frozenset(
    {
        "router",
        "ospf",
        "pim",
        "igmp",
        "redirects",
        "unreachables",
        "proxy-arp",
        "local-proxy-arp",
        "directed-broadcast",
        "arp",
        "dhcp",
        "flow",
        "mtu",
        "port-unreachable",
        "verify",
        "forward",
        "eigrp",
        "rip",
        "authentication",
        "hello-interval",
        "hold-time",
        "passive-interface",
        "policy",
        "sticky-arp",
        "helper-address",
        "mroute",
        "summary-address",
        "distribute-list",
        "split-horizon",
        "offset-list",
        "dampening",
        "unnumbered",
        "nat",
        "mask-reply",
        "load-sharing",
    }
)

_IGNORED_IF_IPV6 = frozenset(
    {
        "nd",
        "redirects",
        "unreachables",
        "router",
        "link-local",
        "mld",
        "pim",
        "dhcp",
        "ospfv3",
        "flow",
        "mtu",
        "verify",
        "policy",
        "forward",
        "eigrp",
        "rip",
        "use-link-local-only",
        "passive-interface",
    }
)

_IF_BLOCKS = frozenset({"hsrp", "vrrp", "vrrpv3", "glbp"})

_LINE_IGNORED = frozenset(
    {
        "exec-timeout",
        "session-limit",
        "absolute-timeout",
        "logout-warning",
        "speed",
        "databits",
        "parity",
        "stopbits",
        "modem",
        "terminal",
        "ipv6",
        "access-class",
        "transport",
        "login",
        "password",
    }
)


def detect(text: str) -> int:
    """Confidence (0-100) that ``text`` is an NX-OS configuration."""
    head = text[:200_000]
    score = 0
    if re.search(r"(?m)^version \d+\.\d+\(\d+\)[A-Z]", head):
        score += 35
    if re.search(r"(?m)^feature \S", head):
        score += 35
    if re.search(r"(?m)^vrf context \S", head):
        score += 20
    if re.search(
        r"(?m)^!Command: show running-config|^!Time: |RANCID-CONTENT-TYPE: cisco-nx", head
    ):
        score += 25
    if re.search(r"(?m)^  (ip address \S+/\d+|vrf member \S+)", head):
        score += 20
    if re.search(r"(?m)^interface (Ethernet\d+/\d+|mgmt0|port-channel\d+)\s*$", head):
        score += 15
    if re.search(r"(?m)^ip access-list (?!standard |extended )\S+\s*$", head):
        score += 10
    if re.search(r"(?m)^object-group ip (address|port) ", head):
        score += 15
    if re.search(r"(?m)^username \S+ password 5 \S+ +role ", head):
        score += 20
    # Other dialects of the family.
    if re.search(r"(?m)^(ASA|PIX|FWSM) Version |^ nameif ", head):
        score -= 80
    if re.search(
        r"(?m)^ip access-list (standard|extended) |^ ip address \d+\.\d+\.\d+\.\d+ \d", head
    ):
        score -= 30
    if re.search(r"(?m)^! device: .*EOS|daemon TerminAttr|^management api ", head):
        score -= 60
    return max(0, min(100, score))


class _NxParser(_Parser):
    """NX-OS handlers on top of the IOS-family machinery."""

    platform = PLATFORM

    acl_misc = frozenset({"statistics", "exit", "fragments", "ignore"})
    implicit_nd = False
    expects_end = False
    undefined_acl_note = "assumed to pass all packets, as on IOS"

    def __init__(self, ctx: ParseContext) -> None:
        super().__init__(ctx)
        self.v4 = AceSyntax(family=4, allow_prefix=True)
        self.v4std = self.v4
        self.v6 = AceSyntax(family=6, allow_prefix=True)
        self.features: dict[str, tuple[bool, int]] = {}
        self.default_switchport: bool | None = None
        self.nx_communities: dict[str, dict[str, object]] = {}
        self.route_nh_vrf: list[tuple[int, str]] = []
        self.vty_acl: tuple[str, int] | None = None

    # -- top level ----------------------------------------------------------------------------

    def _object_group(self, node: _Node) -> None:
        ctx = self.ctx
        words = node.words
        if len(words) == 4 and words[1] in ("ip", "ipv6") and words[2] in ("address", "port"):
            name = words[3]
            ctx.ok(node.line)
            if words[2] == "address":
                fam = 6 if words[1] == "ipv6" else 4
                ng = self.groups.networks.setdefault(name, NetGroup(name=name, line=node.line))
                for child in node.children:
                    if netgroup_entry(child.words, ng, family=fam):
                        ctx.ok(child.line)
                    else:
                        self._unknown_tree(child)
                        ng.unresolved.append(f"object-group {name}: {child.text}")
                return
            pg = self.groups.ports.setdefault(name, SvcGroup(name=name, line=node.line))
            for child in node.children:
                if portgroup_entry(child.words, pg):
                    ctx.ok(child.line)
                else:
                    self._unknown_tree(child)
                    pg.unresolved.append(f"portgroup {name}: {child.text}")
            return
        self._unknown_tree(node)

    def _nx_ip(self, node: _Node, words: list[str]) -> None:
        if len(words) < 2:
            self.ctx.unknown(node.line)
            return
        w1 = words[1]
        if w1 == "access-list" and len(words) == 3:
            self._named_acl(node, words[2], family=4, standard=False)
        elif w1 == "route":
            self._nx_route(node, words, None)
        elif w1 in _IGNORED_IP:
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _nx_ipv6(self, node: _Node, words: list[str]) -> None:
        if len(words) == 3 and words[1] == "access-list":
            self._named_acl(node, words[2], family=6, standard=False)
        elif len(words) >= 2 and words[1] == "route":
            self._nx_route(node, words, None)
        elif len(words) >= 2 and words[1] in cisco_ios._IGNORED_IPV6 | {"switch-packets"}:
            self._ok_tree(node)
        else:
            self._unknown_tree(node)

    def _nx_route(self, node: _Node, words: list[str], vrf: str | None) -> None:
        ctx = self.ctx
        family = 6 if words[0] == "ipv6" else 4
        if len(words) >= 3 and words[2] == "static":
            self._ok_tree(node)
            return
        try:
            i = 2
            if family == 4 and "/" not in words[i]:
                prefix: ipaddress.IPv4Network | ipaddress.IPv6Network = ipaddress.IPv4Network(
                    f"{words[i]}/{words[i + 1]}", strict=False
                )
                i += 2
            else:
                prefix = ipaddress.ip_network(words[i], strict=False)
                i += 1
            if prefix.version != family:
                raise ValueError(words[2])
        except (ValueError, IndexError):
            ctx.unknown(node.line)
            return
        rest = words[i:]
        j = 0
        iface: str | None = None
        nh: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
        distance = 1
        extras: dict[str, str] = {}

        def addr(w: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
            try:
                a = ipaddress.ip_address(w.split("%", 1)[0])
            except ValueError:
                return None
            return a if a.version == family else None

        if (
            j < len(rest)
            and addr(rest[j]) is None
            and rest[j][:1].isalpha()
            and rest[j] not in ("vrf", "track", "name", "tag")
        ):
            iface = rest[j]
            j += 1
        if j < len(rest) and addr(rest[j]) is not None:
            nh = addr(rest[j])
            j += 1
        if iface is None and nh is None:
            ctx.unknown(node.line)
            return
        while j < len(rest):
            w = rest[j]
            if w in ("vrf", "track", "name", "tag") and j + 1 < len(rest):
                extras[w] = rest[j + 1]
                j += 2
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
                span=SourceSpan(self.source, node.line, node.text),
                next_hop=nh,
                interface=iface,
                vrf=vrf,
                discard=discard,
                distance=distance,
            )
        )
        if "vrf" in extras:
            self.route_nh_vrf.append((len(self.routes) - 1, extras["vrf"]))
        ctx.ok(node.line)

    def _vrf_context(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) != 3 or words[1] != "context":
            self._unknown_tree(node)
            return
        vrf = words[2]
        ctx.ok(node.line)
        for child in node.children:
            cw = child.words
            if cw[0] in ("ip", "ipv6") and len(cw) >= 2 and cw[1] == "route":
                self._nx_route(child, cw, vrf)
                for g in child.children:
                    self._unknown_tree(g)
            else:
                self._ok_tree(child)

    def _feature(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 2:
            self.features[words[1]] = (True, node.line)
        self._ok_tree(node)

    def _nx_no(self, node: _Node, words: list[str]) -> None:
        rest = words[1:]
        if len(rest) == 2 and rest[0] == "feature":
            self.features[rest[1]] = (False, node.line)
        elif rest[:3] == ["system", "default", "switchport"]:
            self.default_switchport = False
        elif rest[:2] == ["ip", "access-list"] or rest[:2] == ["ipv6", "access-list"]:
            self.acls.pop(rest[-1], None)
        elif not rest or (
            rest[0] not in _IGNORED_TOP
            and not (rest[0] == "ip" and len(rest) > 1 and rest[1] in _IGNORED_IP)
            and rest[0] not in ("logging", "snmp-server", "ntp", "aaa", "password", "feature")
        ):
            self._unknown_tree(node)
            return
        self._ok_tree(node)

    def _system(self, node: _Node, words: list[str]) -> None:
        if words[1:] == ["default", "switchport"]:
            self.default_switchport = True
        self._ok_tree(node)

    def _nx_snmp(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) >= 3 and words[1] == "community":
            value = words[2]
            entry = self.nx_communities.setdefault(
                value, {"line": node.line, "write": False, "acl": None}
            )
            rest = words[3:]
            if rest[:1] == ["group"] and len(rest) >= 2:
                entry["write"] = rest[1] == "network-admin"
            elif rest[:1] in (["rw"], ["RW"]):
                entry["write"] = True
            elif rest[:1] in (["use-acl"], ["use-ipv4acl"]) and len(rest) >= 2:
                entry["acl"] = rest[1]
                self.acl_refs.append((rest[1], -node.line, "snmp-server community"))
            ctx.ok(node.line)
            return
        if len(words) >= 3 and words[1] == "user":
            if "auth" in words:
                self.credentials.append(
                    Credential(
                        kind="snmp-user",
                        span=ctx.span(node.line, secret=True),
                        storage=CredentialStorage.HASHED
                        if "localizedkey" in words
                        else CredentialStorage.PLAIN,
                        user=words[2],
                        detail="localized key" if "localizedkey" in words else "clear text",
                    )
                )
            ctx.ok(node.line)
            return
        if len(words) >= 3 and words[1] == "host":
            self.snmp_hosts.append(words[2])
            ctx.ok(node.line)
            return
        self._ok_tree(node)

    def _nx_username(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        if len(words) >= 4 and words[2] == "password":
            rest = words[3:]
            if rest[0] == "5" and len(rest) >= 2:
                storage = CredentialStorage.NONE if rest[1] == "!" else CredentialStorage.HASHED
                detail = "no password" if rest[1] == "!" else "type 5"
            elif rest[0] == "0":
                storage, detail = CredentialStorage.PLAIN, "type 0"
            elif rest[0] == "7" or rest[0] == "8":
                storage = (
                    CredentialStorage.REVERSIBLE if rest[0] == "7" else CredentialStorage.HASHED
                )
                detail = f"type {rest[0]}"
            else:
                storage, detail = CredentialStorage.PLAIN, "clear text"
            self.credentials.append(
                Credential(
                    kind="user-password",
                    span=ctx.span(node.line, secret=True),
                    storage=storage,
                    user=words[1],
                    detail=detail,
                )
            )
        ctx.ok(node.line)

    def _nx_logging(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 3 and words[1] == "server":
            self.syslog.append(words[2])
        self._ok_tree(node)

    def _nx_ntp(self, node: _Node, words: list[str]) -> None:
        if len(words) >= 3 and words[1] == "server":
            self.ntp.append(words[2])
        self.ctx.ok(node.line)

    def _nx_line(self, node: _Node, words: list[str]) -> None:
        ctx = self.ctx
        ctx.ok(node.line)
        vty = words[1:2] == ["vty"]
        for child in node.children:
            for n in child.walk():
                cw = n.words
                if cw[0] == "access-class" and len(cw) == 3 and cw[2] == "in" and vty:
                    self.vty_acl = (cw[1], n.line)
                    self.acl_refs.append((cw[1], n.line, "access-class"))
                    ctx.ok(n.line)
                elif cw[0] in _LINE_IGNORED:
                    ctx.ok(n.line)
                else:
                    ctx.unknown(n.line)

    # -- interfaces ---------------------------------------------------------------------------

    def _new_interface(self, name: str, line: int) -> _If:
        itf = _If(name=name, line=line, kind=_kind(name))
        if name.lower() == "mgmt0":
            itf.vrf = "management"  # mgmt0 always lives in the management VRF
        return itf

    def _if_block(self, itf: _If, node: _Node) -> bool:
        return node.words[0] in _IF_BLOCKS

    def _if_command(self, itf: _If, node: _Node) -> bool:
        words = node.words
        w0 = words[0]
        n = len(words)
        cisco_ios.port_auth(itf.extras, words)
        if words == ["no", "shutdown", "lan"]:
            return True
        if w0 == "vrf" and n == 3 and words[1] == "member":
            itf.vrf = words[2]
            return True
        if w0 == "ip" and n >= 3 and words[1] == "address":
            return _nx_address(itf, words)
        if w0 == "ipv6" and n >= 3 and words[1] == "address" and "/" in words[2]:
            itf.v6.append(ipaddress.IPv6Interface(words[2]))
            return True
        if w0 in ("ip", "ipv6") and n == 5 and words[1] == "port" and words[4] in ("in", "out"):
            if words[2] not in ("access-group", "traffic-filter"):
                return False
            self._bind(itf, words[3], words[4], node, port=True)
            return True
        if w0 == "ip" and n == 4 and words[1] == "access-group" and words[3] in ("in", "out"):
            self._bind(itf, words[2], words[3], node, port=False)
            return True
        if w0 == "ipv6" and n == 4 and words[1] == "traffic-filter" and words[3] in ("in", "out"):
            self._bind(itf, words[2], words[3], node, port=False)
            return True
        if w0 == "channel-group" and n >= 2:
            itf.extras["channel_group"] = int(words[1])
            return True
        if w0 == "encapsulation" and n == 3 and words[1].lower() == "dot1q":
            itf.vlan = int(words[2])
            return True
        if w0 == "ip" and n >= 2:
            return words[1] in _IGNORED_IF_IP
        if w0 == "ipv6" and n >= 2:
            return words[1] in _IGNORED_IF_IPV6
        if w0 == "no" and n >= 2 and words[1] == "ip" and n >= 3:
            return words[2] in _IGNORED_IF_IP or words[2] == "address"
        if w0 == "no" and n >= 2 and words[1] in _IGNORED_IF and words[1] not in ("ip", "ipv6"):
            return True
        if w0 in ("shutdown", "description", "switchport", "no"):
            return super()._if_command(itf, node)
        return w0 in _IGNORED_IF and w0 not in ("ip", "ipv6")

    def _bind(self, itf: _If, acl: str, direction: str, node: _Node, *, port: bool) -> None:
        self.bindings.append(
            FilterBinding(
                interface=itf.name,
                direction=Direction.IN if direction == "in" else Direction.OUT,
                filter=acl,
                span=SourceSpan(self.source, node.line, node.text),
            )
        )
        if port:
            itf.extras["port_acl"] = True

    # -- model --------------------------------------------------------------------------------

    def build(self, name: str, source: str) -> DeviceConfig:
        for iface in self.interfaces.values():
            if (
                self.default_switchport
                and iface.mode is None
                and iface.kind in (InterfaceKind.PHYSICAL, InterfaceKind.PORT_CHANNEL)
                and iface.name.lower() != "mgmt0"
                and iface.primary is None
            ):
                iface.switchport = True
        for value, entry in self.nx_communities.items():
            line = int(str(entry["line"]))
            span = self.ctx.span(line, secret=True)
            acl = entry["acl"]
            acl_name = acl if isinstance(acl, str) else None
            self.communities.append(
                SnmpCommunity(
                    digest=secret_digest(value),
                    span=span,
                    guessable=value.lower() in DEFAULT_COMMUNITIES,
                    write=bool(entry["write"]),
                    acl=acl_name,
                )
            )
            self.services.append(
                MgmtService(protocol="snmp", span=span, acl=acl_name, version="v2c")
            )
        acl_name = self.vty_acl[0] if self.vty_acl else None
        for proto, default in (("ssh", True), ("telnet", False)):
            enabled, line = self.features.get(proto, (default, 0))
            span = self.ctx.span(line) if line else SourceSpan(self.source, 0, f"default: {proto}")
            self.services.append(
                MgmtService(protocol=proto, span=span, enabled=enabled, acl=acl_name)
            )
        for proto, feat in (("http", "http-server"), ("https", "nxapi")):
            if feat in self.features:
                enabled, line = self.features[feat]
                self.services.append(
                    MgmtService(protocol=proto, span=self.ctx.span(line), enabled=enabled)
                )
        dev = super().build(name, source)
        if self.route_nh_vrf:
            # NX-OS "vrf X" after the next hop names the next hop's VRF, not the route's.
            extras = dict(dev.extras)
            extras["route_next_hop_vrf"] = tuple(
                (str(self.routes[i].prefix), self.routes[i].span.line, v)
                for i, v in self.route_nh_vrf
            )
            dev = replace(dev, extras=MappingProxyType(extras))
        return dev


def _nx_address(itf: _If, words: list[str]) -> bool:
    rest = words[2:]
    if "/" in rest[0]:
        addr = ipaddress.IPv4Interface(rest[0])
        rest = rest[1:]
    elif len(rest) >= 2 and "." in rest[1]:
        addr = ipaddress.IPv4Interface(f"{rest[0]}/{rest[1]}")
        rest = rest[2:]
    elif rest[0] == "dhcp":
        itf.extras["address"] = "dhcp"
        return True
    else:
        return False
    secondary = False
    while rest:
        if rest[0] == "secondary":
            secondary = True
            rest = rest[1:]
        elif rest[0] in ("tag", "route-preference") and len(rest) >= 2:
            rest = rest[2:]
        else:
            return False
    if secondary:
        itf.secondary.append(addr)
    else:
        itf.primary = addr
    return True


def _kind(name: str) -> InterfaceKind:
    low = name.lower()
    if low.startswith("mgmt"):
        return InterfaceKind.PHYSICAL
    if low.startswith("nve"):
        return InterfaceKind.OTHER
    return cisco_ios._kind(name)


_NxParser.ignored_top = _IGNORED_TOP
_NxParser.handlers = {
    **_Parser.handlers,
    "ip": _NxParser._nx_ip,
    "ipv6": _NxParser._nx_ipv6,
    "vrf": _NxParser._vrf_context,
    "feature": _NxParser._feature,
    "no": _NxParser._nx_no,
    "system": _NxParser._system,
    "snmp-server": _NxParser._nx_snmp,
    "username": _NxParser._nx_username,
    "logging": _NxParser._nx_logging,
    "ntp": _NxParser._nx_ntp,
    "line": _NxParser._nx_line,
    "switchname": _Parser._hostname,
}
for _w in ("service", "enable", "access-list"):
    _NxParser.handlers.pop(_w, None)


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse an NX-OS running configuration into the vendor-neutral model.

    Never raises on odd input: what is not understood is reported in the coverage and as
    warnings, and a partial model is returned.
    """
    return cisco_ios._run(_NxParser, text, source=source, name=name)
