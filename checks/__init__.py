"""The check catalog: a literal tuple of built-ins plus third-party entry points.

Third parties register checks under the ``netaudit.checks`` entry-point group; a duplicate ID
is refused, never silently shadowed.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from checks.base import Check, CheckContext, CheckMeta
from checks.hygiene import (
    AnyAnyPermit,
    CrossZoneNoLog,
    DisabledCrossZone,
    RedundantLine,
    UndefinedObject,
    UnreachableLine,
    UnusedFilter,
    UnusedObject,
)
from checks.l2 import MynumberPortAuth, NativeVlan1, TrunkAllVlans, UnusedPortEnabled
from checks.lifecycle import (
    SpecifiedCurrent,
    SpecifiedDocumented,
    SpecifiedExact,
    SpecifiedLogged,
    SpecifiedStale,
)
from checks.management import (
    CentralAuthentication,
    CentralSyslog,
    GuessableCommunity,
    HttpEnabled,
    LoginBanner,
    RestrictedManagement,
    SnmpV2c,
    SnmpWrite,
    SshVersion1,
    TelnetEnabled,
    TimeSync,
    WeakPasswordStorage,
)
from checks.models import BreakoutDestinations, RemoteAccessGateway, ScreenTransferOnly
from checks.network import (
    GovCloudAccess,
    GovCloudTransport,
    InternetEgress,
    LgwanRouter,
    MynumberRouting,
    PhysicalSeparation,
    SpecifiedDestinationOffInternet,
    VlanSeparation,
)
from checks.separation import (
    InboundInternet,
    InternetToLgwan,
    LgwanToInternet,
    LgwanToInternetSegment,
    MynumberInternet,
    UndeclaredCrossing,
    ZoneMapping,
)
from checks.specified import NarrowSpecified, UndeclaredMynumberFlow

__all__ = ["BUILTIN", "Check", "CheckContext", "CheckMeta", "DuplicateCheckError", "all_checks"]

BUILTIN: tuple[Check, ...] = (
    ZoneMapping(),
    MynumberInternet(),
    UndeclaredMynumberFlow(),
    NarrowSpecified(),
    LgwanToInternet(),
    InternetToLgwan(),
    LgwanToInternetSegment(),
    InboundInternet(),
    UndeclaredCrossing(),
    MynumberRouting(),
    VlanSeparation(),
    PhysicalSeparation(),
    LgwanRouter(),
    InternetEgress(),
    GovCloudTransport(),
    GovCloudAccess(),
    SpecifiedDestinationOffInternet(),
    SpecifiedDocumented(),
    SpecifiedCurrent(),
    SpecifiedStale(),
    SpecifiedExact(),
    SpecifiedLogged(),
    BreakoutDestinations(),
    ScreenTransferOnly(),
    RemoteAccessGateway(),
    RestrictedManagement(),
    CentralSyslog(),
    CentralAuthentication(),
    TelnetEnabled(),
    HttpEnabled(),
    SnmpV2c(),
    GuessableCommunity(),
    SnmpWrite(),
    WeakPasswordStorage(),
    TimeSync(),
    SshVersion1(),
    LoginBanner(),
    MynumberPortAuth(),
    UnusedPortEnabled(),
    TrunkAllVlans(),
    NativeVlan1(),
    UnreachableLine(),
    RedundantLine(),
    AnyAnyPermit(),
    CrossZoneNoLog(),
    DisabledCrossZone(),
    UnusedFilter(),
    UnusedObject(),
    UndefinedObject(),
)


class DuplicateCheckError(ValueError):
    """Two checks claim the same ID."""


def all_checks() -> tuple[Check, ...]:
    """Built-in checks followed by those installed under the ``netaudit.checks`` entry point."""
    found: list[Check] = list(BUILTIN)
    for ep in entry_points(group="netaudit.checks"):
        obj = ep.load()
        found.append(obj() if isinstance(obj, type) else obj)
    seen: set[str] = set()
    for c in found:
        if c.meta.id in seen:
            raise DuplicateCheckError(f"duplicate check id {c.meta.id}")
        seen.add(c.meta.id)
    return tuple(found)
