"""Plain-data views of model objects: for ``netaudit parse --format json`` and golden files."""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from collections.abc import Mapping
from typing import Any

_IP_TYPES = (
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
)


def to_data(obj: Any) -> Any:
    """Turn model objects into JSON-ready data, deterministically (sets sorted, enums by value).

    Fields at their default value are left out, so golden files show what a parser found.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.default is not dataclasses.MISSING and value == f.default:
                continue
            if f.default_factory is not dataclasses.MISSING and value == f.default_factory():
                continue
            out[f.name] = to_data(value)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, _IP_TYPES):
        return str(obj)
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, frozenset | set):
        return sorted((to_data(v) for v in obj), key=str)
    if isinstance(obj, tuple | list):
        return [to_data(v) for v in obj]
    return obj
