"""Parsers: one module per platform, registered in one closed mapping.

Every platform module exposes two pure functions:

* ``parse(text: str, *, source: str, name: str = "") -> DeviceConfig`` — never raises on odd
  input; what it does not understand becomes coverage data and warnings.
* ``detect(text: str) -> int`` — how sure it is (0–100) that the text is its platform.

Platform names are netmiko's (DESIGN.md).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from netaudit.errors import InputError
from netaudit.model import DeviceConfig
from netaudit.parsers.base import decode

PLATFORMS: dict[str, str] = {
    "cisco_ios": "netaudit.parsers.cisco_ios",
    "cisco_asa": "netaudit.parsers.cisco_asa",
    "cisco_nxos": "netaudit.parsers.cisco_nxos",
    "fortinet": "netaudit.parsers.fortinet",
    "paloalto_panos": "netaudit.parsers.paloalto_panos",
    "juniper_junos": "netaudit.parsers.juniper_junos",
    "yamaha": "netaudit.parsers.yamaha",
    "nec_ix": "netaudit.parsers.nec_ix",
    "allied_telesis_awplus": "netaudit.parsers.allied_telesis_awplus",
    "alaxala_ax": "netaudit.parsers.alaxala_ax",
    "linux": "netaudit.parsers.linux",
}

MAX_FILE_BYTES = 512 * 1024 * 1024


class PlatformParser(Protocol):
    """What a platform module provides."""

    def parse(self, text: str, *, source: str, name: str = "") -> DeviceConfig: ...

    def detect(self, text: str) -> int: ...


def _module(platform: str) -> ModuleType | None:
    try:
        return importlib.import_module(PLATFORMS[platform])
    except ModuleNotFoundError as e:
        if e.name == PLATFORMS[platform]:
            return None
        raise


def available() -> dict[str, PlatformParser]:
    """The registered platforms whose parser module is present."""
    out: dict[str, PlatformParser] = {}
    for platform in PLATFORMS:
        mod = _module(platform)
        if mod is not None:
            out[platform] = cast(PlatformParser, mod)
    return out


def detect(text: str) -> tuple[str | None, int]:
    """The most likely platform of a config text and the parser's confidence (0 when none)."""
    best: tuple[str | None, int] = (None, 0)
    for platform, mod in available().items():
        score = mod.detect(text)
        if score > best[1]:
            best = (platform, score)
    return best


def parser_for(platform: str) -> PlatformParser:
    """The parser of ``platform``.

    Raises:
        InputError: the platform is unknown or its parser is not installed.
    """
    if platform not in PLATFORMS:
        raise InputError(f"unknown platform {platform!r}; known: {', '.join(sorted(PLATFORMS))}")
    mod = _module(platform)
    if mod is None:
        raise InputError(f"no parser for platform {platform!r} in this version")
    return cast(PlatformParser, mod)


def parse_text(
    text: str, *, source: str, name: str = "", platform: str | None = None
) -> DeviceConfig:
    """Parse config text, detecting the platform unless it is given.

    Raises:
        InputError: the platform cannot be detected, or the text is empty.
    """
    if not text.strip():
        raise InputError("empty file", file=source)
    if platform is None:
        platform, score = detect(text)
        if platform is None or score <= 0:
            raise InputError(
                "cannot detect the platform; pin it with --platform or in the inventory",
                file=source,
            )
    return parser_for(platform).parse(text, source=source, name=name)


def parse_file(path: Path, *, platform: str | None = None, name: str = "") -> DeviceConfig:
    """Read, decode and parse one config file.

    Raises:
        InputError: unreadable, binary, undecodable or empty file, or unknown platform.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"file too large ({size} bytes)", file=str(path))
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", file=str(path)) from e
    text = decode(data, source=str(path))
    return parse_text(text, source=str(path), name=name or device_name(path), platform=platform)


def device_name(path: Path) -> str:
    """The device name a snapshot file stands for: ``core-sw1.cfg`` -> ``core-sw1``."""
    return path.stem if path.suffix else path.name
