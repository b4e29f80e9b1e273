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
```

Credentials never live here (a ``password`` key is refused like every unknown key); the
collector takes them from the environment, the OS keyring or the vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from netaudit.parsers import PLATFORMS
from netaudit.policy import Policy, PolicyValidationError, Problem, load_yaml_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Settings(_Strict):
    """Settings a group or the defaults give their devices."""

    platform: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    tags: list[str] = Field(default_factory=list)


class DeviceEntry(_Strict):
    """One device."""

    name: str = Field(min_length=1)
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    platform: str | None = None
    group: str | None = None
    tags: list[str] = Field(default_factory=list)
    zones: dict[str, str] = Field(default_factory=dict)
    description: str = ""


class InventoryModel(_Strict):
    """The whole inventory file."""

    defaults: Settings = Field(default_factory=Settings)
    groups: dict[str, Settings] = Field(default_factory=dict)
    devices: list[DeviceEntry] = Field(default_factory=list)


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


@dataclass(frozen=True)
class Inventory:
    """A validated inventory."""

    file: str
    digest: str
    devices: tuple[Device, ...]

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
        """Zone hints that name zones the policy does not declare."""
        return [
            Problem(
                self.file, d.line, f"{d.name}: interface {i} is hinted into undeclared zone {z!r}"
            )
            for d in self.devices
            for i, z in d.zones.items()
            if z not in policy.data.zones
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
            )
        )
    if problems:
        raise PolicyValidationError(problems)
    return Inventory(file=loaded.file, digest=loaded.digest, devices=tuple(devices))
