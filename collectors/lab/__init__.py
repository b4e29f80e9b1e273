"""The device lab: emulated network devices over SSH, for the collector's tests and demos.

``load_devices(snapshot)`` turns a snapshot's configs into lab devices (platform detected,
prompt from the configured hostname); ``Lab`` serves them with asyncssh on 127.0.0.1, each
behind its platform's CLI (``personalities``) and the commands of its collection profile.
``netaudit lab up`` runs a lab in a background process (``collectors.lab.process``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from collectors.lab.device import Fault, LabDevice
from collectors.lab.server import Endpoint, Lab, LabThread
from netaudit.errors import InputError
from netaudit.parsers import detect, parser_for
from netaudit.parsers.base import decode

__all__ = ["Endpoint", "Fault", "Lab", "LabDevice", "LabThread", "device_from_text", "load_devices"]

_PROMPT_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_SUFFIXES = (".cfg", ".conf", ".txt", ".xml", ".log", "")


def device_from_text(
    name: str, text: str, *, platform: str | None = None, fault: Fault | None = None
) -> LabDevice:
    """A lab device serving ``text`` as its running configuration.

    Raises:
        InputError: the platform cannot be detected.
    """
    chosen = platform or detect(text)[0]
    if chosen is None:
        raise InputError(f"{name}: cannot detect the platform of the config")
    hostname = parser_for(chosen).parse(text, source=name, name=name).hostname or ""
    if not _PROMPT_SAFE.match(hostname):
        hostname = name if _PROMPT_SAFE.match(name) else "device"
    return LabDevice(
        name=name, platform=chosen, hostname=hostname, config=text, fault=fault or Fault()
    )


def load_devices(
    snapshot: Path,
    *,
    faults: Mapping[str, Fault] | None = None,
    platforms: Mapping[str, str] | None = None,
) -> list[LabDevice]:
    """One lab device per config file of a snapshot directory (``<name>.<ext>``).

    ``faults`` maps device names (or ``*`` for every other device) to their faults.

    Raises:
        InputError: the directory holds no configs, a config is unreadable, or a fault
            names a device the snapshot does not have.
    """
    if not snapshot.is_dir():
        raise InputError("not a snapshot directory", file=str(snapshot))
    faults = dict(faults or {})
    every = faults.pop("*", None)  # a fault for every device not named on its own
    devices: list[LabDevice] = []
    for path in sorted(snapshot.iterdir()):
        if path.name.startswith(".") or path.name == "manifest.json" or not path.is_file():
            continue
        if path.suffix.lower() not in _SUFFIXES:
            continue
        name = path.stem
        try:
            text = decode(path.read_bytes(), source=str(path))
        except OSError as e:
            raise InputError(f"cannot read: {e.strerror}", file=str(path)) from e
        devices.append(
            device_from_text(
                name, text, platform=(platforms or {}).get(name), fault=faults.pop(name, every)
            )
        )
    if not devices:
        raise InputError("the snapshot holds no config files", file=str(snapshot))
    if faults:
        raise InputError(f"fault for unknown device(s): {', '.join(sorted(faults))}")
    return devices
