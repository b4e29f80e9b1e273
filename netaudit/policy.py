"""The separation policy: zones, named definitions, allowed flows and 特定通信, validated.

A policy is YAML (``yaml.safe_load``) checked by pydantic models with ``extra="forbid"``. Every
problem is reported with the file and line it comes from: the YAML is composed once to map each
key and list item to its line, and pydantic's error locations are looked up in that map.

Zones are either canonical (DOMAIN.md §2: ``mynumber``, ``lgwan``, ``internet``, ``mgmt`` inside
the city; ``lgwan_wan``, ``internet_wan``, ``sec_cloud``, ``gov_cloud``, ``juki_net``,
``joho_teikyo`` outside it) or user-defined with a ``parent`` (新居浜市's 内部情報系, a DMZ).
``internet_wan`` without networks stands for every address no other zone claims.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from netaudit.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    IPNetwork,
    ServiceMatch,
)

# Re-exported (``as``): the YAML loading and its problem types lived here first.
from netaudit.yamlmodel import LoadedYaml as LoadedYaml
from netaudit.yamlmodel import PolicyValidationError as PolicyValidationError
from netaudit.yamlmodel import Problem as Problem
from netaudit.yamlmodel import line_of
from netaudit.yamlmodel import load_yaml_model as load_yaml_model

INTERNAL_ZONES = ("mynumber", "lgwan", "internet", "mgmt")
EXTERNAL_ZONES = ("lgwan_wan", "internet_wan", "sec_cloud", "gov_cloud", "juki_net", "joho_teikyo")
CANONICAL_ZONES = INTERNAL_ZONES + EXTERNAL_ZONES
RESERVED_ADDRESS_WORDS = frozenset({"any"})

# Well-known services by name (IANA assignments; display protocols per vendor documentation).
BUILTIN_SERVICES: dict[str, tuple[str, ...]] = {
    "any": ("any",),
    "http": ("tcp/80",),
    "https": ("tcp/443",),
    "http-alt": ("tcp/8080",),
    "ssh": ("tcp/22",),
    "telnet": ("tcp/23",),
    "ftp": ("tcp/21",),
    "smtp": ("tcp/25",),
    "submission": ("tcp/587",),
    "smtps": ("tcp/465",),
    "pop3": ("tcp/110",),
    "pop3s": ("tcp/995",),
    "imap": ("tcp/143",),
    "imaps": ("tcp/993",),
    "dns": ("udp/53", "tcp/53"),
    "ntp": ("udp/123",),
    "snmp": ("udp/161",),
    "snmp-trap": ("udp/162",),
    "syslog": ("udp/514",),
    "ldap": ("tcp/389", "udp/389"),
    "ldaps": ("tcp/636",),
    "kerberos": ("tcp/88", "udp/88"),
    "smb": ("tcp/445",),
    "netbios": ("udp/137-138", "tcp/139"),
    "rdp": ("tcp/3389", "udp/3389"),
    "ica": ("tcp/1494", "tcp/2598"),
    "pcoip": ("tcp/4172", "udp/4172"),
    "blast": ("tcp/22443", "udp/22443", "tcp/8443"),
    "icmp": ("icmp",),
    "ping": ("icmp/8",),
}

_PROTO_WORDS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP, "icmpv6": 58, "ip": -1}
_SERVICE_RE = re.compile(r"^(?P<proto>[a-z0-9]+)(?:/(?P<a>\d+)(?:-(?P<b>\d+))?(?:/(?P<c>\d+))?)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


_ADDRESS_LIKE = re.compile(r"^[0-9a-fA-F:.]+(/\d+)?$")


def _strict_cidr(text: str) -> str:
    """Reject a network with host bits set or a malformed address (an item validator)."""
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(f"{text!r} is not an address or network") from None
        raise ValueError(f"{text!r} has host bits set (did you mean {loose}?)") from None
    return text


def _address_ref(text: str) -> str:
    """A name passes (resolved later); text that reads as a network must be a proper one."""
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return text
    return _strict_cidr(text)


# Validated per item, so an error's location ends with the item's index (and so its line).
Cidr = Annotated[str, AfterValidator(_strict_cidr)]
AddressRef = Annotated[str, AfterValidator(_address_ref)]


class Municipality(_Strict):
    """Who the policy belongs to."""

    name: str
    prefecture: str = ""


class Transport(_Strict):
    """How the city reaches an external zone over a closed line (ガバメントクラウド: 専用回線).

    ``via`` names the ``device:interface`` ends of the line or closed VPN inside the city and
    ``next_hops`` the carrier/cloud routers behind them; a route towards the zone must leave
    the city through one of them (GOV-001).
    """

    kind: Literal["dedicated_line", "closed_vpn", "ipsec"]
    via: list[str] = Field(default_factory=list)
    next_hops: list[AddressRef] = Field(default_factory=list)


class Zone(_Strict):
    """A network segment: where it is (networks, VLANs, VRFs) and what it is.

    External zones may name ``peers`` — the provider routers the city's devices may use as
    next hops into the zone (LGWAN-SS / NOC for ``lgwan_wan``, LGW-004) — and a closed
    ``transport`` (GOV-001).
    """

    label: str = ""
    parent: str | None = None
    networks: list[Cidr] = Field(default_factory=list)
    vlans: list[int] = Field(default_factory=list)
    vrfs: list[str] = Field(default_factory=list)
    separation: Literal["physical", "logical"] | None = None
    wireless: bool | None = None
    peers: list[AddressRef] = Field(default_factory=list)
    transport: Transport | None = None
    description: str = ""

    @field_validator("vlans")
    @classmethod
    def _vlan_range(cls, v: list[int]) -> list[int]:
        for vid in v:
            if not 1 <= vid <= 4094:
                raise ValueError(f"VLAN {vid} is outside 1-4094")
        return v


class Requires(_Strict):
    """Conditions an allowed flow depends on (documented, checked where configs show them)."""

    sanitization: Literal["mail_text", "attachment_removal", "file_cdr"] | None = None
    clipboard: Literal["disabled", "enabled"] | None = None
    printer_redirect: Literal["disabled", "enabled"] | None = None
    drive_redirect: Literal["disabled", "enabled"] | None = None


class AllowedFlow(_Strict):
    """A generic inter-zone flow the policy allows. Empty src/dst mean the whole zone."""

    id: str
    from_: str = Field(alias="from")
    to: str
    src: list[AddressRef] = Field(default_factory=list)
    dst: list[AddressRef] = Field(default_factory=list)
    services: list[str] = Field(min_length=1)
    description: str = ""
    requires: Requires | None = None
    expires: dt.date | None = None


class SpecifiedCommunication(_Strict):
    """特定通信: a national-approved exception for the マイナンバー利用事務系 (DOMAIN.md §4)."""

    id: str
    name: str = ""
    from_: str = Field(alias="from")
    to: str
    via: str | None = None
    src: list[AddressRef] = Field(default_factory=list)
    dst: list[AddressRef] = Field(default_factory=list)
    services: list[str] = Field(min_length=1)
    basis: str = ""
    owner: str = ""
    approval_ref: str = ""
    expires: dt.date | None = None
    review_by: dt.date | None = None
    match_by: list[Literal["src_ip", "src_mac", "dst_ip", "dst_port"]] = Field(default_factory=list)
    description: str = ""


class LboService(_Strict):
    """An α′ local-breakout destination (LGWAN接続系 → named cloud service)."""

    id: str
    name: str = ""
    dst: list[AddressRef] = Field(default_factory=list)
    fqdn: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=lambda: ["https"])
    tenant_restriction: bool = False
    ssl_inspection: bool = False


class Gateway(_Strict):
    """A declared gateway host: the only way in for one kind of traffic (BET-001, INT-003).

    ``screen_transfer``: VDI / virtual-browser hosts through which the Internet segment uses
    LGWAN-side systems (β/β′); ``sanitizer``: mail text-ization / file 無害化 relays;
    ``remote_access``: VPN / remote-desktop concentrators that may be reached from the Internet.
    """

    id: str
    role: Literal["screen_transfer", "sanitizer", "remote_access"]
    hosts: list[AddressRef] = Field(min_length=1)
    services: list[str] = Field(default_factory=lambda: ["any"])
    description: str = ""


class ManagementPolicy(_Strict):
    """How devices must be managed."""

    allowed_admin_sources: list[str] = Field(default_factory=list)
    protocols_allowed: list[str] = Field(default_factory=lambda: ["ssh", "https"])
    ntp_servers: list[str] = Field(default_factory=list)
    syslog_servers: list[str] = Field(default_factory=list)
    log_retention_days: int | None = None


class PolicyModel(_Strict):
    """The whole policy file."""

    schema_version: Literal[1] = 1
    model: Literal["alpha", "alpha_prime", "beta", "beta_prime"]
    guideline_baseline: str = "R7.3"
    municipality: Municipality | None = None
    zones: dict[str, Zone]
    addresses: dict[str, list[AddressRef]] = Field(default_factory=dict)
    services: dict[str, list[str]] = Field(default_factory=dict)
    default_action: Literal["deny"] = "deny"
    allowed_flows: list[AllowedFlow] = Field(default_factory=list)
    specified_communications: list[SpecifiedCommunication] = Field(default_factory=list)
    lbo_services: list[LboService] = Field(default_factory=list)
    gateways: list[Gateway] = Field(default_factory=list)
    management: ManagementPolicy | None = None


# -- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """A validated policy with the lookups the engine and checks need."""

    data: PolicyModel
    file: str
    digest: str
    lines: dict[tuple[Any, ...], int]

    # -- where things are ---------------------------------------------------------------

    def line(self, *path: Any) -> int:
        """The line of a key or list item (the nearest enclosing one that has a line)."""
        return line_of(self.lines, path)

    # -- zones ------------------------------------------------------------------------------

    @property
    def zone_ids(self) -> tuple[str, ...]:
        """Declared zone ids, in file order."""
        return tuple(self.data.zones)

    def root(self, zone: str) -> str:
        """The canonical zone a (possibly user-defined) zone belongs to."""
        seen: set[str] = set()
        while zone not in CANONICAL_ZONES:
            z = self.data.zones.get(zone)
            if z is None or z.parent is None or zone in seen:
                return zone
            seen.add(zone)
            zone = z.parent
        return zone

    def is_external(self, zone: str) -> bool:
        """True for zones outside the city's own network (LGWAN, the Internet, clouds)."""
        return self.root(zone) in EXTERNAL_ZONES

    def zone_networks(self, zone: str) -> tuple[IPNetwork, ...]:
        """The networks declared for a zone."""
        z = self.data.zones.get(zone)
        if z is None:
            return ()
        return tuple(ipaddress.ip_network(n) for n in z.networks)

    def is_rest(self, zone: str) -> bool:
        """True for the zone that stands for every address no other zone claims."""
        return zone == "internet_wan" and not self.zone_networks(zone)

    def zone_vlans(self, zone: str) -> frozenset[int]:
        """The VLANs declared for a zone."""
        z = self.data.zones.get(zone)
        return frozenset(z.vlans) if z else frozenset()

    def zone_of_vlan(self, vlan: int) -> str | None:
        """The zone a VLAN belongs to, if declared."""
        return next((zid for zid, z in self.data.zones.items() if vlan in z.vlans), None)

    def zones_of_network(self, net: IPNetwork) -> tuple[str, ...]:
        """The zones whose networks contain ``net``, most specific first.

        A subnet in a child zone is also in its parent; callers take the first.
        """
        hits: list[tuple[int, str]] = []
        for zid in self.zone_ids:
            for zn in self.zone_networks(zid):
                if zn.version == net.version and net.subnet_of(zn):  # type: ignore[arg-type]
                    hits.append((zn.prefixlen, zid))
        hits.sort(key=lambda h: -h[0])
        return tuple(dict.fromkeys(z for _, z in hits))

    def zone_of_address(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        """The most specific zone containing an address (``internet_wan`` for the rest)."""
        zones = self.zones_of_network(ipaddress.ip_network(addr))
        if zones:
            return zones[0]
        return "internet_wan" if "internet_wan" in self.data.zones else None

    # -- names -------------------------------------------------------------------------------

    def addresses(self, refs: Iterable[str]) -> tuple[IPNetwork, ...]:
        """Resolve address references (CIDRs, IPs, names from ``addresses``, zone ids)."""
        out: list[IPNetwork] = []
        for ref in refs:
            out.extend(self._address(ref, ()))
        return tuple(out)

    def _address(self, ref: str, stack: tuple[str, ...]) -> list[IPNetwork]:
        if ref in self.data.addresses and ref not in stack:
            nets: list[IPNetwork] = []
            for r in self.data.addresses[ref]:
                nets.extend(self._address(r, (*stack, ref)))
            return nets
        if ref in self.data.zones:
            return list(self.zone_networks(ref))
        return [ipaddress.ip_network(ref, strict=True)]

    def services(self, refs: Iterable[str]) -> tuple[ServiceMatch, ...]:
        """Resolve service references (built-in names, ``services`` entries, ``tcp/443``)."""
        out: list[ServiceMatch] = []
        for ref in refs:
            out.extend(self._service(ref, ()))
        return tuple(out)

    def _service(self, ref: str, stack: tuple[str, ...]) -> list[ServiceMatch]:
        if ref in self.data.services and ref not in stack:
            return [s for r in self.data.services[ref] for s in self._service(r, (*stack, ref))]
        if ref in BUILTIN_SERVICES and ref not in stack:
            return [s for r in BUILTIN_SERVICES[ref] for s in self._service(r, (*stack, ref))]
        return [parse_service(ref)]

    def digest_short(self) -> str:
        """The first 12 hex digits of the policy file's SHA-256."""
        return self.digest[:12]


def parse_service(text: str) -> ServiceMatch:
    """``tcp/443``, ``udp/1000-2000``, ``icmp``, ``icmp/8``, ``icmp/3/4``, ``proto/50``, ``any``.

    Raises:
        ValueError: the text is not a service literal.
    """
    t = text.strip().lower()
    if t in ("any", "ip"):
        return ServiceMatch(name=text)
    m = _SERVICE_RE.match(t)
    if not m:
        raise ValueError(f"not a service: {text!r}")
    proto_word, a, b, c = m["proto"], m["a"], m["b"], m["c"]
    if proto_word == "proto":
        if a is None or b is not None or c is not None or not 0 <= int(a) <= 255:
            raise ValueError(f"not a protocol number: {text!r}")
        return ServiceMatch(protocol=int(a), name=text)
    if proto_word not in _PROTO_WORDS or proto_word == "ip":
        raise ValueError(f"unknown protocol in service {text!r}")
    proto = _PROTO_WORDS[proto_word]
    if proto in (PROTO_TCP, PROTO_UDP):
        if c is not None:
            raise ValueError(f"too many parts in {text!r}")
        if a is None:
            return ServiceMatch(protocol=proto, name=text)
        lo, hi = int(a), int(b) if b is not None else int(a)
        if not 0 <= lo <= hi <= 65535:
            raise ValueError(f"bad port range in {text!r}")
        return ServiceMatch(protocol=proto, dst_ports=((lo, hi),), name=text)
    if b is not None:
        raise ValueError(f"ICMP takes type[/code], not a range: {text!r}")
    itype = int(a) if a is not None else None
    icode = int(c) if c is not None else None
    for v in (itype, icode):
        if v is not None and not 0 <= v <= 255:
            raise ValueError(f"bad ICMP type/code in {text!r}")
    return ServiceMatch(protocol=proto, icmp_type=itype, icmp_code=icode, name=text)


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file.

    Raises:
        PolicyValidationError: with every structural and reference problem found.
        PolicyError: the file cannot be read.
    """
    loaded = load_yaml_model(path, PolicyModel)
    policy = Policy(data=loaded.model, file=loaded.file, digest=loaded.digest, lines=loaded.lines)
    problems = [*loaded.problems, *_semantic_problems(policy)]
    if problems:
        raise PolicyValidationError(problems)
    return policy


def _semantic_problems(p: Policy) -> Iterator[Problem]:
    """Reference, CIDR and overlap problems that pydantic cannot see."""
    d = p.data
    f = p.file
    for zid, z in d.zones.items():
        if zid not in CANONICAL_ZONES:
            if z.parent is None:
                yield Problem(
                    f,
                    p.line("zones", zid),
                    f"zone {zid!r} is not a canonical zone ({', '.join(CANONICAL_ZONES)}); "
                    "give it a parent",
                )
            elif z.parent not in d.zones and z.parent not in CANONICAL_ZONES:
                yield Problem(
                    f, p.line("zones", zid, "parent"), f"unknown parent zone {z.parent!r}"
                )
        for i, n in enumerate(z.networks):
            yield from _cidr_problem(p, n, ("zones", zid, "networks", i))
        for i, r in enumerate(z.peers):
            yield from _address_ref_problem(p, r, ("zones", zid, "peers", i))
        if z.transport is not None:
            for i, r in enumerate(z.transport.next_hops):
                yield from _address_ref_problem(p, r, ("zones", zid, "transport", "next_hops", i))
            for i, v in enumerate(z.transport.via):
                if not re.match(r"^[^:\s]+:\S+$", v):
                    yield Problem(
                        f,
                        p.line("zones", zid, "transport", "via", i),
                        f"{v!r} is not device:interface",
                    )
    yield from _overlaps(p)
    for name, refs in d.addresses.items():
        if name in RESERVED_ADDRESS_WORDS:
            yield Problem(f, p.line("addresses", name), f"{name!r} is reserved")
        for i, r in enumerate(refs):
            if r not in d.addresses and r not in d.zones:
                yield from _cidr_problem(p, r, ("addresses", name, i))
    for name, refs in d.services.items():
        for i, r in enumerate(refs):
            yield from _service_problem(p, r, ("services", name, i))
    for section in ("allowed_flows", "specified_communications"):
        for i, entry in enumerate(getattr(d, section)):
            yield from _entry_problems(p, section, i, entry)
    for i, lbo in enumerate(d.lbo_services):
        for j, r in enumerate(lbo.dst):
            yield from _address_ref_problem(p, r, ("lbo_services", i, "dst", j))
        for j, r in enumerate(lbo.services):
            yield from _service_problem(p, r, ("lbo_services", i, "services", j))
    for i, gw in enumerate(d.gateways):
        for j, r in enumerate(gw.hosts):
            yield from _address_ref_problem(p, r, ("gateways", i, "hosts", j))
        for j, r in enumerate(gw.services):
            yield from _service_problem(p, r, ("gateways", i, "services", j))
    first: dict[str, int] = {}
    for section in ("allowed_flows", "specified_communications", "lbo_services"):
        for i, entry in enumerate(getattr(d, section)):
            line = p.line(section, i, "id")
            if entry.id in first:
                yield Problem(
                    f, line, f"duplicate entry id {entry.id!r} (first at line {first[entry.id]})"
                )
            else:
                first[entry.id] = line
    yield from _cycles(p)
    yield from _shared_vlans(p)


def _cycles(p: Policy) -> Iterator[Problem]:
    """Zone parents, address names and service names that refer back to themselves."""
    d = p.data
    graphs: tuple[tuple[str, dict[str, list[str]]], ...] = (
        ("zones", {z: [v.parent] if v.parent else [] for z, v in d.zones.items()}),
        ("addresses", {k: [r for r in v if r in d.addresses] for k, v in d.addresses.items()}),
        ("services", {k: [r for r in v if r in d.services] for k, v in d.services.items()}),
    )
    for section, graph in graphs:
        reported: set[str] = set()
        for start in graph:
            path = [start]
            while True:
                nxt = [n for n in graph.get(path[-1], []) if n in graph]
                if not nxt:
                    break
                if nxt[0] in path:
                    cycle = path[path.index(nxt[0]) :]
                    if not reported & set(cycle):
                        reported.update(cycle)
                        loop = " -> ".join([*cycle, cycle[0]])
                        for name in cycle:
                            yield Problem(
                                p.file,
                                p.line(section, name),
                                f"{section} refer to each other in a cycle: {loop}",
                            )
                    break
                path.append(nxt[0])


def _shared_vlans(p: Policy) -> Iterator[Problem]:
    """A VLAN declared in two zones that are not parent and child."""
    owner: dict[int, str] = {}
    for zid, z in p.data.zones.items():
        for i, vid in enumerate(z.vlans):
            other = owner.get(vid)
            if other is not None and other != zid and not _related(p, zid, other):
                yield Problem(
                    p.file,
                    p.line("zones", zid, "vlans", i),
                    f"VLAN {vid} is in zone {zid!r} and in zone {other!r} "
                    f"(line {p.line('zones', other, 'vlans')})",
                )
            owner.setdefault(vid, zid)


def _entry_problems(
    p: Policy, section: str, i: int, entry: AllowedFlow | SpecifiedCommunication
) -> Iterator[Problem]:
    for key, zone in (("from", entry.from_), ("to", entry.to)):
        if zone not in p.data.zones:
            yield Problem(p.file, p.line(section, i, key), f"undefined zone {zone!r} in {entry.id}")
    if entry.from_ == entry.to:
        yield Problem(p.file, p.line(section, i), f"{entry.id}: from and to are the same zone")
    if isinstance(entry, SpecifiedCommunication) and entry.via and entry.via not in p.data.zones:
        yield Problem(p.file, p.line(section, i, "via"), f"undefined zone {entry.via!r}")
    for key in ("src", "dst"):
        for j, r in enumerate(getattr(entry, key)):
            yield from _address_ref_problem(p, r, (section, i, key, j))
    for j, r in enumerate(entry.services):
        yield from _service_problem(p, r, (section, i, "services", j))


def _address_ref_problem(p: Policy, ref: str, path: tuple[Any, ...]) -> Iterator[Problem]:
    if ref in p.data.addresses or ref in p.data.zones:
        return
    if not re.match(r"^[0-9a-fA-F:.]+(/\d+)?$", ref):
        yield Problem(p.file, p.line(*path), f"undefined address {ref!r}")
        return
    yield from _cidr_problem(p, ref, path)


def _cidr_problem(p: Policy, text: str, path: tuple[Any, ...]) -> Iterator[Problem]:
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError as e:
        try:
            ipaddress.ip_network(text, strict=False)
            yield Problem(p.file, p.line(*path), f"{text!r} has host bits set ({e})")
        except ValueError:
            yield Problem(p.file, p.line(*path), f"{text!r} is not an address or network")


def _service_problem(p: Policy, ref: str, path: tuple[Any, ...]) -> Iterator[Problem]:
    if ref in p.data.services or ref in BUILTIN_SERVICES:
        return
    try:
        parse_service(ref)
    except ValueError:
        yield Problem(p.file, p.line(*path), f"undefined service {ref!r}")


def _related(p: Policy, a: str, b: str) -> bool:
    """True when one zone is an ancestor of the other (a child may sit inside its parent)."""

    def ancestors(z: str) -> set[str]:
        out: set[str] = set()
        while z in p.data.zones and p.data.zones[z].parent and z not in out:
            out.add(z)
            z = p.data.zones[z].parent or z
        out.add(z)
        return out

    return a in ancestors(b) or b in ancestors(a)


def _overlaps(p: Policy) -> Iterator[Problem]:
    items: list[tuple[str, int, IPNetwork]] = []
    for zid, z in p.data.zones.items():
        for i, n in enumerate(z.networks):
            try:
                items.append((zid, i, ipaddress.ip_network(n, strict=True)))
            except ValueError:
                continue
    items.sort(key=lambda t: (t[2].version, int(t[2].network_address), t[2].prefixlen))
    # Sorted by start address, any overlap shows between a network and a later one that
    # starts inside it; keep the widest open networks seen so far.
    open_nets: list[tuple[str, int, IPNetwork]] = []
    for zid, i, net in items:
        open_nets = [
            o
            for o in open_nets
            if o[2].version == net.version
            and int(o[2].broadcast_address) >= int(net.network_address)
        ]
        for ozid, oi, onet in open_nets:
            if ozid != zid and not _related(p, zid, ozid):
                yield Problem(
                    p.file,
                    p.line("zones", zid, "networks", i),
                    f"network {net} of zone {zid!r} overlaps {onet} of zone {ozid!r} "
                    f"(line {p.line('zones', ozid, 'networks', oi)})",
                )
        open_nets.append((zid, i, net))


def lint_policy(policy: Policy, *, today: dt.date) -> list[Problem]:
    """Problems a valid policy can still have: entries past their expiry or review date."""
    out: list[Problem] = []
    for section in ("allowed_flows", "specified_communications"):
        for i, entry in enumerate(getattr(policy.data, section)):
            if entry.expires is not None and entry.expires < today:
                out.append(
                    Problem(
                        policy.file,
                        policy.line(section, i, "expires"),
                        f"{entry.id} expired on {entry.expires.isoformat()}",
                    )
                )
            review = getattr(entry, "review_by", None)
            if review is not None and review < today:
                out.append(
                    Problem(
                        policy.file,
                        policy.line(section, i, "review_by"),
                        f"{entry.id} was due for review on {review.isoformat()}",
                    )
                )
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the policy file (committed as policies/policy.schema.json)."""
    schema = PolicyModel.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "netaudit policy"
    return schema
