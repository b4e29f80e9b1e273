"""The floor of the IOS parse benchmark: only the model objects of the ACL rules, no parsing.

Given, for every ACL rule of the benchmark's model, its line, text, name, action and the
integers of its networks, :func:`build` tokenises each entry once (``str.split``) and builds the
objects an eager parser returning this model cannot avoid: one ``Rule``, ``SourceSpan`` and
``Match`` per entry, an ``AddressMatch`` per source and destination that is not shared, and each
distinct ``IPv4Network`` once, with the standard-library constructor. Shared objects (``any``,
object-groups, services) are reused as the parser reuses them. Nothing else of the parse is
done: no tree, no interfaces, routes, coverage or warnings.

Run by ``benchmarks/parse_ios.py --floor``. Interpreted, it builds through the dataclass
constructors; compiled with mypyc in the same group as ``netaudit.model`` (see parse_ios.md for
the recipe), it stores the fields natively, as ``netaudit.parsers.base`` does in the compiled
build.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from netaudit.model import Action, AddressMatch, IPNetwork, Match, Rule, ServiceMatch, SourceSpan

Side = AddressMatch | tuple[tuple[int, int], ...]
"""A shared AddressMatch to reuse, or the (network int, prefix length) pairs of a new one."""

Spec = tuple[
    int, str, str, Action, bool, Side, Side, tuple[ServiceMatch, ...], Mapping[str, object]
]
"""(line, text, name, action, log, source, destination, services, extras) of one rule."""

NATIVE = not __file__.endswith(".py") and hasattr(SourceSpan, "__mypyc_attrs__")
"""Compiled together with the model: fields are stored natively."""


def build(source: str, specs: list[Spec]) -> list[Rule]:
    """The rules of ``specs``, built with nothing but the unavoidable allocations."""
    nets: dict[int, IPNetwork] = {}
    out: list[Rule] = []
    for line, text, name, action, log, src, dst, services, extras in specs:
        text.split()  # every entry has to be tokenised once
        ams: list[AddressMatch] = []
        for side in (src, dst):
            if isinstance(side, AddressMatch):
                ams.append(side)
                continue
            got: list[IPNetwork] = []
            for value, plen in side:
                key = (value << 6) | plen
                n = nets.get(key)
                if n is None:
                    n = ipaddress.IPv4Network((value, plen))
                    nets[key] = n
                got.append(n)
            if NATIVE:
                a = AddressMatch.__new__(AddressMatch)
                a.networks = tuple(got)  # type: ignore[misc]
                a.negate = False  # type: ignore[misc]
                a.unresolved = ()  # type: ignore[misc]
            else:
                a = AddressMatch(networks=tuple(got))
            ams.append(a)
        if NATIVE:
            m = Match.__new__(Match)
            m.src = ams[0]  # type: ignore[misc]
            m.dst = ams[1]  # type: ignore[misc]
            m.services = services  # type: ignore[misc]
            m.unresolved = ()  # type: ignore[misc]
            s = SourceSpan.__new__(SourceSpan)
            s.file = source  # type: ignore[misc]
            s.line = line  # type: ignore[misc]
            s.text = text  # type: ignore[misc]
            s.path = ""  # type: ignore[misc]
            r = Rule.__new__(Rule)
            r.action = action  # type: ignore[misc]
            r.match = m  # type: ignore[misc]
            r.span = s  # type: ignore[misc]
            r.name = name  # type: ignore[misc]
            r.enabled = True  # type: ignore[misc]
            r.log = log  # type: ignore[misc]
            r.in_interfaces = None  # type: ignore[misc]
            r.out_interfaces = None  # type: ignore[misc]
            r.conditions = ()  # type: ignore[misc]
            r.exceptions = ()  # type: ignore[misc]
            r.extras = extras  # type: ignore[misc]
        else:
            m = Match(src=ams[0], dst=ams[1], services=services)
            r = Rule(
                action=action,
                match=m,
                span=SourceSpan(source, line, text),
                name=name,
                log=log,
                extras=extras,
            )
        out.append(r)
    return out
