"""Per-platform collection profiles, kept as data in ``profiles.yaml`` beside this module.

A profile says which netmiko driver talks to the platform, whether privileged mode is needed,
which commands to run (the running configuration first) and how to read facts out of the
version output. The lab serves exactly these commands, so both sides read the same table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

RUNNING_CONFIG = "running-config"


class ProfileError(ValueError):
    """``profiles.yaml`` does not describe a platform correctly."""


@dataclass(frozen=True, slots=True)
class Profile:
    """How to collect from one platform."""

    platform: str
    netmiko: str
    privileged: bool
    paging_off: str
    commands: tuple[tuple[str, str], ...]
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    facts: tuple[tuple[str, re.Pattern[str]], ...] = field(default=())

    @property
    def running_config(self) -> str:
        """The command that shows the running configuration."""
        return dict(self.commands)[RUNNING_CONFIG]

    def read_facts(self, version_output: str) -> dict[str, str]:
        """Version, model and serial as far as the version output shows them."""
        out: dict[str, str] = {}
        for name, pattern in self.facts:
            m = pattern.search(version_output)
            if m is not None and m.group("v"):
                out[name] = m.group("v").strip()
        return out


def _profile(platform: str, raw: Any) -> Profile:
    if not isinstance(raw, dict):
        raise ProfileError(f"{platform}: not a mapping")
    commands = raw.get("commands")
    if not isinstance(commands, dict) or next(iter(commands), None) != RUNNING_CONFIG:
        raise ProfileError(f"{platform}: commands must start with {RUNNING_CONFIG!r}")
    facts = raw.get("facts") or {}
    try:
        compiled = tuple((str(k), re.compile(str(v), re.M)) for k, v in facts.items())
    except re.error as e:
        raise ProfileError(f"{platform}: bad fact pattern: {e}") from e
    for name, pattern in compiled:
        if "v" not in pattern.groupindex:
            raise ProfileError(f"{platform}: fact {name!r} has no (?P<v>…) group")
    return Profile(
        platform=platform,
        netmiko=str(raw["netmiko"]),
        privileged=bool(raw.get("privileged", False)),
        paging_off=str(raw.get("paging_off") or ""),
        commands=tuple((str(k), str(v)) for k, v in commands.items()),
        before=tuple(str(c) for c in raw.get("before") or ()),
        after=tuple(str(c) for c in raw.get("after") or ()),
        facts=compiled,
    )


@cache
def profiles() -> dict[str, Profile]:
    """Every platform's profile, read once from ``profiles.yaml``."""
    text = resources.files("collectors").joinpath("profiles.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ProfileError("profiles.yaml must be a mapping of platforms")
    return {str(k): _profile(str(k), v) for k, v in data.items()}


def profile(platform: str) -> Profile:
    """The profile of ``platform``.

    Raises:
        KeyError: no profile for that platform.
    """
    return profiles()[platform]
