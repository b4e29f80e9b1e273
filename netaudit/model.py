"""The vendor-neutral network model that every parser fills and every check reads.

Every object is a frozen dataclass that carries the :class:`SourceSpan` it came from, so a
finding can always point at the config line behind it. Vendor-only facts go into ``extras``.

Conventions shared by all parsers:

* Addresses are :mod:`ipaddress` networks. ``any`` in an IPv4-only ACL is ``0.0.0.0/0``; in a
  dual-stack policy it is both ``0.0.0.0/0`` and ``::/0`` (see :data:`ANY_V4`, :data:`ANY_ADDRESS`).
* A rule matches a packet when source, destination and at least one of its services match.
* Objects a parser could not resolve (FQDN, geography, undefined names) are listed in
  ``Match.unresolved``; the flow algebra then treats that part as matching nothing and the engine
  marks results that depend on such a rule ``unknown`` (principle 2: unknown is not pass).
* Secrets are never stored: credentials keep only how they are stored, communities only a digest.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

_EMPTY: Mapping[str, object] = MappingProxyType({})


def _empty() -> Mapping[str, object]:
    return _EMPTY


# IANA protocol numbers used by name across vendors.
PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_GRE = 47
PROTO_ESP = 50
PROTO_AH = 51
PROTO_ICMPV6 = 58
PROTO_OSPF = 89
PROTO_SCTP = 132
PORT_PROTOCOLS = frozenset({PROTO_TCP, PROTO_UDP, PROTO_SCTP})
ICMP_PROTOCOLS = frozenset({PROTO_ICMP, PROTO_ICMPV6})


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """Where an object was defined: file, 1-based line (or XML element path) and the line text.

    ``text`` must already be redacted when the line carries a secret.
    """

    file: str
    line: int
    text: str = ""
    path: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} ({self.path})" if self.path else where


NO_SPAN = SourceSpan(file="", line=0)


class Action(enum.Enum):
    """What a rule does with a matching packet."""

    PERMIT = "permit"
    DENY = "deny"


class Direction(enum.Enum):
    """The direction a filter is bound in on an interface."""

    IN = "in"
    OUT = "out"


class FilterKind(enum.Enum):
    """An interface ACL (stateless unless ``stateful``) or a device's zone/interface-pair policy."""

    ACL = "acl"
    POLICY = "policy"


class InterfaceKind(enum.Enum):
    """Broad interface families; the analysis treats them alike except where noted."""

    PHYSICAL = "physical"
    SUBINTERFACE = "subinterface"
    SVI = "svi"
    PORT_CHANNEL = "port_channel"
    LOOPBACK = "loopback"
    TUNNEL = "tunnel"
    PPP = "ppp"
    NULL = "null"
    OTHER = "other"


class SwitchportMode(enum.Enum):
    """Layer-2 role of an interface. ROUTED interfaces forward by IP."""

    ROUTED = "routed"
    ACCESS = "access"
    TRUNK = "trunk"


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressMatch:
    """A set of addresses: the union of ``networks``, complemented when ``negate``.

    ``unresolved`` names objects that could not be turned into networks (FQDN, geography,
    undefined names); they contribute nothing to the set but make dependent results unknown.
    """

    networks: tuple[IPNetwork, ...]
    negate: bool = False
    unresolved: tuple[str, ...] = ()


ANY_V4 = AddressMatch(networks=(ipaddress.IPv4Network("0.0.0.0/0"),))
ANY_V6 = AddressMatch(networks=(ipaddress.IPv6Network("::/0"),))
ANY_ADDRESS = AddressMatch(
    networks=(ipaddress.IPv4Network("0.0.0.0/0"), ipaddress.IPv6Network("::/0"))
)

PortRange = tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceMatch:
    """One protocol with optional port / ICMP constraints; ``None`` means any.

    Ports apply only to TCP, UDP and SCTP; ``icmp_type``/``icmp_code`` only to ICMP and ICMPv6.
    ``established`` (TCP only) matches packets with ACK or RST set, as IOS ``established`` does.
    """

    protocol: int | None = None
    src_ports: tuple[PortRange, ...] | None = None
    dst_ports: tuple[PortRange, ...] | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    established: bool = False
    name: str = ""


ANY_SERVICE = ServiceMatch()


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """What a rule matches: source and destination address sets and a union of services."""

    src: AddressMatch = ANY_ADDRESS
    dst: AddressMatch = ANY_ADDRESS
    services: tuple[ServiceMatch, ...] = (ANY_SERVICE,)
    unresolved: tuple[str, ...] = ()

    @property
    def all_unresolved(self) -> tuple[str, ...]:
        """Every name in this match that could not be resolved."""
        return self.unresolved + self.src.unresolved + self.dst.unresolved


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One ordered entry of a filter or policy.

    ``in_interfaces``/``out_interfaces`` restrict a policy rule to traffic entering/leaving by
    those interfaces (a FortiGate srcintf, a PAN from-zone expanded to its interfaces); ``None``
    means any. ``name`` is the sequence number, policy id or rule name users know it by.

    A rule matches a packet when ``match`` and every one of ``conditions`` match it and none
    of ``exceptions`` does. Parsers use these to flatten constructs a plain match cannot say:
    a netfilter jump into a user chain (the jump's match becomes a condition of the inlined
    rules; an earlier ``RETURN`` becomes an exception), a Junos ``except`` entry.
    """

    action: Action
    match: Match
    span: SourceSpan
    name: str = ""
    enabled: bool = True
    log: bool = False
    in_interfaces: frozenset[str] | None = None
    out_interfaces: frozenset[str] | None = None
    conditions: tuple[Match, ...] = ()
    exceptions: tuple[Match, ...] = ()
    extras: Mapping[str, object] = field(default_factory=_empty)

    @property
    def unresolved(self) -> tuple[str, ...]:
        """Names anywhere in this rule that the parser could not resolve."""
        out = self.match.all_unresolved
        for m in self.conditions + self.exceptions:
            out += m.all_unresolved
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """An ordered rule list evaluated first-match, with the action when nothing matches.

    ``default_span`` is the config line that sets the default, or ``None`` for a vendor's
    implicit default (IOS implicit deny, PAN interzone deny, ...). ``stateful`` filters let the
    return traffic of sessions they allowed through (firewall policies, Yamaha dynamic filters).
    ``family`` (4 or 6) limits the filter to one address family: an IOS IPv4 ACL neither
    permits nor denies IPv6 packets. ``None``: it sees both.
    """

    name: str
    kind: FilterKind
    rules: tuple[Rule, ...]
    default_action: Action = Action.DENY
    default_span: SourceSpan | None = None
    stateful: bool = False
    family: int | None = None
    span: SourceSpan = NO_SPAN
    extras: Mapping[str, object] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True, kw_only=True)
class FilterBinding:
    """A filter applied to an interface in one direction."""

    interface: str
    direction: Direction
    filter: str
    span: SourceSpan


@dataclass(frozen=True, slots=True, kw_only=True)
class Interface:
    """A physical, logical or layer-3 interface of a device."""

    name: str
    span: SourceSpan
    kind: InterfaceKind = InterfaceKind.PHYSICAL
    description: str = ""
    enabled: bool = True
    addresses: tuple[IPInterface, ...] = ()
    vrf: str | None = None
    mode: SwitchportMode = SwitchportMode.ROUTED
    access_vlan: int | None = None
    trunk_vlans: frozenset[int] | None = None
    native_vlan: int | None = None
    vlan: int | None = None
    parent: str | None = None
    security_zone: str | None = None
    extras: Mapping[str, object] = field(default_factory=_empty)

    @property
    def networks(self) -> tuple[IPNetwork, ...]:
        """The connected subnets of this interface."""
        return tuple(a.network for a in self.addresses)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vlan:
    """A VLAN defined on a switch."""

    id: int
    span: SourceSpan
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """A static route. ``discard`` is a null/blackhole route."""

    prefix: IPNetwork
    span: SourceSpan
    next_hop: IPAddress | None = None
    interface: str | None = None
    vrf: str | None = None
    discard: bool = False
    distance: int = 1
    extras: Mapping[str, object] = field(default_factory=_empty)


class NatKind(enum.Enum):
    """Which address a NAT rule rewrites."""

    SOURCE = "source"
    DESTINATION = "destination"
    STATIC = "static"


@dataclass(frozen=True, slots=True, kw_only=True)
class NatRule:
    """An address translation: packets matching ``match`` get the translated fields."""

    kind: NatKind
    match: Match
    span: SourceSpan
    name: str = ""
    enabled: bool = True
    in_interfaces: frozenset[str] | None = None
    out_interfaces: frozenset[str] | None = None
    translated_src: tuple[IPNetwork, ...] | None = None
    translated_dst: tuple[IPNetwork, ...] | None = None
    translated_dst_ports: PortRange | None = None
    extras: Mapping[str, object] = field(default_factory=_empty)


class CredentialStorage(enum.Enum):
    """How a password is kept in the config."""

    PLAIN = "plain"
    REVERSIBLE = "reversible"
    HASHED = "hashed"
    NONE = "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class Credential:
    """A password or secret, described without its value."""

    kind: str
    span: SourceSpan
    storage: CredentialStorage
    user: str | None = None
    detail: str = ""


def secret_digest(value: str) -> str:
    """A short non-reversible tag for a secret, so equal secrets can be compared."""
    return hashlib.sha256(b"netaudit:" + value.encode()).hexdigest()[:12]


DEFAULT_COMMUNITIES = frozenset({"public", "private", "community", "snmp", "cisco", "admin"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SnmpCommunity:
    """An SNMP v1/v2c community; the value itself is never kept."""

    digest: str
    span: SourceSpan
    guessable: bool
    write: bool = False
    acl: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MgmtService:
    """A management service the device offers (telnet, ssh, http, https, snmp, ...).

    ``allowed_sources`` is ``None`` when nothing in the config restricts who may connect;
    ``acl`` names the filter that restricts it, when that is how the platform does it.
    """

    protocol: str
    span: SourceSpan
    enabled: bool = True
    allowed_sources: tuple[IPNetwork, ...] | None = None
    acl: str | None = None
    interfaces: frozenset[str] | None = None
    version: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Management:
    """Management-plane facts. ``None`` means the parser could not tell."""

    services: tuple[MgmtService, ...] = ()
    snmp_communities: tuple[SnmpCommunity, ...] = ()
    credentials: tuple[Credential, ...] = ()
    syslog_hosts: tuple[str, ...] = ()
    ntp_servers: tuple[str, ...] = ()
    aaa: bool | None = None
    banner: bool | None = None
    password_encryption: bool | None = None
    extras: Mapping[str, object] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseWarning:
    """Something the parser noticed: an undefined reference, a truncated block, ...

    ``matters`` is true when the problem can change a verdict (a filter that references an
    undefined object, say): the audit then becomes ``incomplete``.
    """

    span: SourceSpan
    message: str
    matters: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class UnrecognizedLine:
    """A config line (or XML element) the parser did not understand."""

    line: int
    text: str
    path: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """How much of a file the parser understood. Blank and comment lines are not counted."""

    total_lines: int
    recognized: int
    unrecognized: tuple[UnrecognizedLine, ...]

    @property
    def considered(self) -> int:
        """Lines that count towards the share."""
        return self.recognized + len(self.unrecognized)

    @property
    def share(self) -> float:
        """Fraction of considered lines understood (1.0 for an empty file)."""
        return self.recognized / self.considered if self.considered else 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceConfig:
    """Everything netaudit understood of one device's configuration.

    ``routing`` is ``False`` when the config turns IP forwarding off (IOS ``no ip routing`` on
    a layer-2 switch): its addresses are for management only and it forwards nothing between
    them. ``None`` means the platform's default, which is to route.
    """

    name: str
    platform: str
    source: str
    hostname: str = ""
    interfaces: tuple[Interface, ...] = ()
    vlans: tuple[Vlan, ...] = ()
    filters: tuple[Filter, ...] = ()
    bindings: tuple[FilterBinding, ...] = ()
    policy: Filter | None = None
    routes: tuple[Route, ...] = ()
    nat: tuple[NatRule, ...] = ()
    mgmt: Management = Management()
    routing: bool | None = None
    coverage: Coverage = Coverage(total_lines=0, recognized=0, unrecognized=())
    warnings: tuple[ParseWarning, ...] = ()
    extras: Mapping[str, object] = field(default_factory=_empty)

    def interface(self, name: str) -> Interface | None:
        """The interface called ``name``, if any."""
        return next((i for i in self.interfaces if i.name == name), None)

    def filter(self, name: str) -> Filter | None:
        """The filter called ``name``, if any."""
        return next((f for f in self.filters if f.name == name), None)

    def bound(self, interface: str, direction: Direction) -> tuple[FilterBinding, ...]:
        """Bindings on ``interface`` in ``direction``, in the order the platform applies them."""
        return tuple(
            b for b in self.bindings if b.interface == interface and b.direction is direction
        )
