"""``ip addr`` / ``ip -o addr show`` and ``ip route show`` sections of a Linux snapshot.

Formats as iproute2 prints them (ip-address(8), ip-route(8)):

* ``ip -o addr show``: ``2: eth0    inet 192.0.2.1/24 brd 192.0.2.255 scope global eth0\\ ...``
* ``ip addr``: a header ``2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ... state UP``
  followed by indented ``link/ether``, ``inet``, ``inet6``, ``valid_lft`` lines.
* ``ip route show``: ``default via 192.0.2.254 dev eth0``, ``10.0.0.0/8 via 192.0.2.1 dev eth0``,
  ``192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.1`` (connected; no Route is made),
  ``blackhole 10.9.0.0/16``, ``unreachable``/``prohibit`` (discard routes).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from netaudit.model import IPInterface, Route, SourceSpan

ADDR_HEADER = re.compile(r"^(\d+):\s+([^\s:@]+)(@\S+?)?:\s+<([^>]*)>(.*)$")
ADDR_ONELINE = re.compile(r"^(\d+):\s+([^\s:@]+)(@\S+)?\s+(inet6?)\s+(\S+)(.*)$")
ADDR_CONT = re.compile(r"^\s+(link/\S+|inet6?\s|valid_lft|altname|alias)")
ROUTE = re.compile(
    r"^(default|blackhole|unreachable|prohibit|throw|local|broadcast|anycast|multicast|unicast"
    r"|\d+\.\d+\.\d+\.\d+(/\d+)?|[0-9a-fA-F]*:[0-9a-fA-F:]*(/\d+)?)(\s+\S+.*)?$"
)
_DISCARD = ("blackhole", "unreachable", "prohibit")


@dataclass(slots=True)
class HostIface:
    """One interface as ``ip addr`` shows it."""

    name: str
    line: int
    up: bool | None = None
    addresses: list[tuple[IPInterface, bool]] = field(default_factory=list)
    link: str = ""


def is_addr_line(text: str) -> bool:
    """Whether a line belongs to ``ip addr`` output."""
    return bool(ADDR_HEADER.match(text) or ADDR_ONELINE.match(text) or ADDR_CONT.match(text))


def is_route_line(text: str) -> bool:
    """Whether a line looks like ``ip route`` output."""
    m = ROUTE.match(text)
    if not m:
        return False
    rest = (m.group(4) or "").split()
    if m.group(1) in _DISCARD:
        return bool(rest)
    return not rest or rest[0] in ("via", "dev", "proto", "scope", "metric", "src", "table")


def parse_addr(lines: list[tuple[int, str]], ok: Callable[[int], None]) -> dict[str, HostIface]:
    """Interfaces with their addresses (primary first, ``secondary`` ones after)."""
    out: dict[str, HostIface] = {}
    current: HostIface | None = None
    for n, raw in lines:
        text = raw.rstrip()
        m = ADDR_HEADER.match(text)
        if m:
            name, flags, rest = m.group(2), m.group(4).split(","), m.group(5)
            current = out.setdefault(name, HostIface(name=name, line=n))
            state = re.search(r"\bstate\s+(\S+)", rest)
            current.up = "UP" in flags and (state is None or state.group(1) != "DOWN")
            ok(n)
            continue
        m = ADDR_ONELINE.match(text)
        if m:
            name = m.group(2)
            current = out.setdefault(name, HostIface(name=name, line=n))
            _add(current, m.group(4), m.group(5), m.group(6))
            ok(n)
            continue
        m = ADDR_CONT.match(text)
        if m and current is not None:
            words = text.split()
            if words[0] in ("inet", "inet6") and len(words) > 1:
                _add(current, words[0], words[1], " ".join(words[2:]))
            elif words[0].startswith("link/"):
                current.link = words[0][5:]
            ok(n)
    return out


def _add(iface: HostIface, kind: str, addr: str, rest: str) -> None:
    try:
        value = ipaddress.ip_interface(addr)
    except ValueError:
        return
    if value.version == 6 and value.ip.is_link_local:
        return
    iface.addresses.append((value, "secondary" in rest.split()))


def parse_routes(
    lines: list[tuple[int, str]],
    ok: Callable[[int], None],
    span: Callable[[int], SourceSpan],
) -> list[Route]:
    """Static, default and discard routes; connected (``proto kernel``) routes make none."""
    routes: list[Route] = []
    for n, raw in lines:
        words = raw.split()
        ok(n)
        kind = words[0]
        discard = kind in _DISCARD
        if kind in ("local", "broadcast", "anycast", "multicast", "throw"):
            continue
        if kind in (*_DISCARD, "unicast"):
            words = words[1:]
        if not words:
            continue
        dest = words[0]
        opts = dict(zip(words[1::2], words[2::2], strict=False))
        if opts.get("proto") == "kernel" or (
            "via" not in opts and not discard and opts.get("scope") == "link"
        ):
            continue
        try:
            if dest == "default":
                fam6 = ":" in opts.get("via", "")
                prefix = ipaddress.ip_network("::/0" if fam6 else "0.0.0.0/0")
            else:
                prefix = ipaddress.ip_network(dest, strict=False)
            hop = ipaddress.ip_address(opts["via"]) if "via" in opts else None
        except ValueError:
            continue
        routes.append(
            Route(
                prefix=prefix,
                span=span(n),
                next_hop=hop,
                interface=opts.get("dev"),
                vrf=opts.get("table") if opts.get("table") not in (None, "main") else None,
                discard=discard,
                distance=int(opts["metric"]) if opts.get("metric", "").isdigit() else 1,
            )
        )
    return routes
