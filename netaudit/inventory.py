"""The inventory: which devices exist, how to reach them, and facts configs cannot show.

```yaml
defaults: {port: 22}
groups:
  firewalls: {platform: fortinet, tags: [boundary]}
devices:
  - name: inet-fw
    host: 192.0.2.21
    group: firewalls
  - name: sep-rtr1
    host: 192.0.2.11
    platform: cisco_ios          # pins the platform (auto-detected otherwise)
    zones:                       # zone hints: interface -> zone, overriding subnet mapping
      GigabitEthernet0/2: mgmt
  - name: lgwan-core
    forwarding: unknown          # its routes are not known: results through it are unknown
links:                           # L3 adjacencies configs cannot show (unnumbered/transit links)
  - {a: "sep-rtr1:GigabitEthernet0/3", b: "lgwan-core:Vlan20"}
externals:                       # devices outside the snapshot, in an external zone
  - {name: lgwan-ss, zone: lgwan_wan, attach: "lgwan-rtr:LAN2"}
```

Collection settings (``username``, ``credential``, ``enable_secret``, ``timeout``,
``retries``, ``known_hosts``) may be given in ``defaults``, a group or a device; the most
specific wins. Credentials never live here (a ``password`` key is refused like every unknown
key): ``credential`` and ``enable_secret`` are references (``env:NAME``, ``keyring:NAME``,
``vault:NAME``) the collector resolves; without one it looks the device and group names up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from netaudit.parsers import PLATFORMS
from netaudit.yamlmodel import PolicyValidationError, Problem, load_yaml_model

if TYPE_CHECKING:
    from netaudit.policy import Policy

_REFERENCE = re.compile(r"^(env|keyring|vault):\S+$")
_COLLECTION_KEYS = ("username", "credential", "enable_secret", "timeout", "retries", "known_hosts")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Collection(_Strict):
    """How to log in to a device: settings a device, its group or the defaults give."""

    username: str | None = None
    credential: str | None = None  # a reference: env:NAME, keyring:NAME or vault:NAME
    enable_secret: str | None = None  # a reference, like credential
    timeout: float | None = Field(default=None, gt=0, le=3600)
    retries: int | None = Field(default=None, ge=0, le=10)
    known_hosts: str | None = None


class Settings(Collection):
    """Settings a group or the defaults give their devices."""

    platform: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    tags: list[str] = Field(default_factory=list)


class DeviceEntry(Collection):
    """One device."""

    name: str = Field(min_length=1)
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    platform: str | None = None
    group: str | None = None
    tags: list[str] = Field(default_factory=list)
    zones: dict[str, str] = Field(default_factory=dict)
    description: str = ""
    forwarding: Literal["known", "unknown"] = "known"


class LinkEntry(_Strict):
    """An L3 adjacency between two listed devices' interfaces (``device:interface``)."""

    a: str
    b: str


class ExternalEntry(_Strict):
    """A device outside the snapshot, reached through ``attach`` (``device:interface``)."""

    name: str = Field(min_length=1)
    zone: str = Field(min_length=1)
    attach: str


class InventoryModel(_Strict):
    """The whole inventory file."""

    defaults: Settings = Field(default_factory=Settings)
    groups: dict[str, Settings] = Field(default_factory=dict)
    devices: list[DeviceEntry] = Field(default_factory=list)
    links: list[LinkEntry] = Field(default_factory=list)
    externals: list[ExternalEntry] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Device:
    """A device with its group and defaults applied."""

    name: str
    host: str | None
    port: int
    platform: str | None
    tags: tuple[str, ...]
    zones: dict[str, str]
    line: int
    forwarding_known: bool = True
    group: str | None = None
    username: str | None = None
    credential: str | None = None  # a reference, never a value
    enable_secret: str | None = None  # a reference, never a value
    timeout: float | None = None
    retries: int | None = None
    known_hosts: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """An L3 adjacency the configs cannot show (an unnumbered or transit link)."""

    a_device: str
    a_interface: str
    b_device: str
    b_interface: str
    line: int


@dataclass(frozen=True, slots=True)
class External:
    """A device outside the snapshot; the interface leading to it faces ``zone``."""

    name: str
    zone: str
    device: str
    interface: str
    line: int


@dataclass(frozen=True)
class Inventory:
    """A validated inventory."""

    file: str
    digest: str
    devices: tuple[Device, ...]
    links: tuple[Link, ...] = ()
    externals: tuple[External, ...] = ()

    def device(self, name: str) -> Device | None:
        """The device called ``name``, if listed."""
        return next((d for d in self.devices if d.name == name), None)

    def platforms(self) -> dict[str, str]:
        """Pinned platforms by device name."""
        return {d.name: d.platform for d in self.devices if d.platform}

    def zone_hints(self) -> dict[tuple[str, str], str]:
        """(device, interface) -> zone, as the inventory says."""
        return {(d.name, i): z for d in self.devices for i, z in d.zones.items()}

    def check_zones(self, policy: Policy) -> list[Problem]:
        """Zone hints and externals that name zones the policy does not declare."""
        return [
            *(
                Problem(
                    self.file,
                    d.line,
                    f"{d.name}: interface {i} is hinted into undeclared zone {z!r}",
                )
                for d in self.devices
                for i, z in d.zones.items()
                if z not in policy.data.zones
            ),
            *(
                Problem(self.file, e.line, f"external {e.name}: undeclared zone {e.zone!r}")
                for e in self.externals
                if e.zone not in policy.data.zones
            ),
        ]


def load_inventory(path: Path) -> Inventory:
    """Read and validate an inventory; every problem names its line.

    Raises:
        PolicyValidationError: with every problem found.
        PolicyError: the file cannot be read.
    """
    loaded = load_yaml_model(path, InventoryModel, what="inventory")
    data = loaded.model
    problems = list(loaded.problems)
    devices: list[Device] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(data.devices):
        line = loaded.lines.get(("devices", i), 1)
        group = data.groups.get(entry.group or "") if entry.group else None
        if entry.group and group is None:
            problems.append(
                Problem(
                    loaded.file,
                    loaded.lines.get(("devices", i, "group"), line),
                    f"undefined group {entry.group!r}",
                )
            )
        platform = entry.platform or (group.platform if group else None) or data.defaults.platform
        if platform is not None and platform not in PLATFORMS:
            problems.append(
                Problem(
                    loaded.file,
                    line,
                    f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}",
                )
            )
        if entry.name in seen:
            problems.append(
                Problem(
                    loaded.file,
                    line,
                    f"device {entry.name!r} listed twice (first at line {seen[entry.name]})",
                )
            )
        seen.setdefault(entry.name, line)
        located: list[tuple[tuple[object, ...], Collection]] = [
            (("devices", i), entry),
            *([(("groups", entry.group), group)] if group and entry.group else []),
            (("defaults",), data.defaults),
        ]
        layers = [layer for _, layer in located]
        for key in ("credential", "enable_secret"):
            for loc, layer in located:
                ref = getattr(layer, key)
                if ref is not None and not _REFERENCE.match(ref):
                    problems.append(
                        Problem(
                            loaded.file,
                            loaded.lines.get((*loc, key), line),
                            f"{key} must be a reference (env:NAME, keyring:NAME or vault:NAME), "
                            "never the secret itself",
                        )
                    )
        devices.append(
            Device(
                name=entry.name,
                host=entry.host,
                port=entry.port or (group.port if group else None) or data.defaults.port or 22,
                platform=platform,
                tags=tuple(
                    dict.fromkeys(
                        [*data.defaults.tags, *(group.tags if group else []), *entry.tags]
                    )
                ),
                zones=dict(entry.zones),
                line=line,
                forwarding_known=entry.forwarding == "known",
                group=entry.group,
                **{
                    key: next(
                        (getattr(x, key) for x in layers if getattr(x, key) is not None), None
                    )
                    for key in _COLLECTION_KEYS
                },
            )
        )
    links: list[Link] = []
    for i, link in enumerate(data.links):
        line = loaded.lines.get(("links", i), 1)
        ends = [
            _endpoint(value, seen, loaded.file, loaded.lines.get(("links", i, key), line), problems)
            for key, value in (("a", link.a), ("b", link.b))
        ]
        a, b = ends
        if a is not None and b is not None:
            if a == b:
                problems.append(Problem(loaded.file, line, f"link joins {link.a} to itself"))
            links.append(Link(a[0], a[1], b[0], b[1], line))
    externals: list[External] = []
    named: dict[str, int] = {}
    for i, ext in enumerate(data.externals):
        line = loaded.lines.get(("externals", i), 1)
        if ext.name in seen:
            problems.append(
                Problem(
                    loaded.file,
                    line,
                    f"external {ext.name!r} is also a listed device (line {seen[ext.name]})",
                )
            )
        if ext.name in named:
            problems.append(
                Problem(
                    loaded.file,
                    line,
                    f"external {ext.name!r} listed twice (first at line {named[ext.name]})",
                )
            )
        named.setdefault(ext.name, line)
        end = _endpoint(
            ext.attach,
            seen,
            loaded.file,
            loaded.lines.get(("externals", i, "attach"), line),
            problems,
        )
        if end is not None:
            externals.append(External(ext.name, ext.zone, end[0], end[1], line))
    if problems:
        raise PolicyValidationError(list(dict.fromkeys(problems)))
    return Inventory(
        file=loaded.file,
        digest=loaded.digest,
        devices=tuple(devices),
        links=tuple(links),
        externals=tuple(externals),
    )


def _endpoint(
    text: str, devices: dict[str, int], file: str, line: int, problems: list[Problem]
) -> tuple[str, str] | None:
    """``device:interface`` split at the first colon, the device checked against the list."""
    device, sep, interface = text.partition(":")
    device, interface = device.strip(), interface.strip()
    if not sep or not device or not interface:
        problems.append(Problem(file, line, f"{text!r} is not device:interface"))
        return None
    if device not in devices:
        problems.append(Problem(file, line, f"{text!r}: device {device!r} is not listed"))
        return None
    return device, interface
