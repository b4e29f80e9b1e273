"""The hot-path model builders of netaudit.parsers.base give the same objects as the model's
constructors, in the pure-Python build and in the mypyc-compiled one (setup.py)."""

from __future__ import annotations

import dataclasses
import ipaddress
from types import MappingProxyType

from netaudit import model
from netaudit.model import (
    ANY_V4,
    Action,
    AddressMatch,
    Match,
    Rule,
    ServiceMatch,
    SourceSpan,
)
from netaudit.parsers import base


def _values(obj: object) -> dict[str, object]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}  # type: ignore[arg-type]


def test_builders_know_every_field_of_the_model() -> None:
    # A field added to the model must be added to the native builders too (base._FIELDS).
    for cls, names in base._FIELDS.items():
        assert tuple(f.name for f in dataclasses.fields(cls)) == names, cls


def test_native_build_exactly_when_compiled() -> None:
    compiled = not base.__file__.endswith(".py") and not model.__file__.endswith(".py")
    assert base.NATIVE_BUILD is compiled


def test_builders_equal_constructors() -> None:
    net = ipaddress.IPv4Network("10.1.2.0/24")
    span = base.new_span("r1.cfg", 12, " 10 permit ip any any", "acl/x")
    assert span == SourceSpan(file="r1.cfg", line=12, text=" 10 permit ip any any", path="acl/x")
    assert base.new_span("r1.cfg", 3) == SourceSpan("r1.cfg", 3)
    am = base.new_address((net,))
    assert _values(am) == _values(AddressMatch(networks=(net,)))
    am2 = base.new_address((), ("object-group X",), True)
    assert am2 == AddressMatch(networks=(), unresolved=("object-group X",), negate=True)
    svc = (ServiceMatch(protocol=6, dst_ports=((80, 80),)),)
    m = base.new_match(am, ANY_V4, svc, ("dscp ef",))
    assert _values(m) == _values(Match(src=am, dst=ANY_V4, services=svc, unresolved=("dscp ef",)))
    extras = MappingProxyType({"log": "log"})
    r = base.new_acl_rule(Action.DENY, m, span, "20", True, extras)
    expected = Rule(action=Action.DENY, match=m, span=span, name="20", log=True, extras=extras)
    assert _values(r) == _values(expected)
    assert r == expected and hash(r.span) == hash(expected.span)
    # Frozen either way.
    try:
        r.name = "30"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("a built Rule must stay frozen")
    assert repr(r) == repr(expected)
