"""Lab helpers for the collector tests: devices from fixtures, a running lab, targets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from collectors.lab import Fault, Lab, LabDevice, LabThread, device_from_text
from collectors.ssh import Target
from netaudit.parsers import PLATFORMS
from netaudit.parsers.base import decode

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CITY = ROOT / "examples" / "sakuradai"
USER, PASSWORD, SECRET = "netaudit", "lab-Pa55-w0rd-xyzzy", "lab-En4ble-plugh"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys, known_hosts and the vault of the test, not the user's."""
    monkeypatch.setenv("NETAUDIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NETAUDIT_KNOWN_HOSTS", str(tmp_path / "home" / "known_hosts"))
    monkeypatch.delenv("NETAUDIT_SIGNING_KEY", raising=False)


def fixture_devices() -> list[LabDevice]:
    """Every fixture config of every platform, as lab devices (platform pinned)."""
    out: list[LabDevice] = []
    for platform in PLATFORMS:
        for f in sorted((FIXTURES / platform).iterdir()):
            name = f"{platform}-{f.name}".replace("_", "-").replace(".", "-")
            text = decode(f.read_bytes(), source=str(f))
            out.append(device_from_text(name, text, platform=platform))
    return out


def one_device(platform: str, fault: Fault | None = None, name: str = "") -> LabDevice:
    """The first fixture config of ``platform``."""
    f = sorted((FIXTURES / platform).iterdir())[0]
    text = decode(f.read_bytes(), source=str(f))
    return device_from_text(
        name or platform.replace("_", "-"), text, platform=platform, fault=fault
    )


class RunningLab:
    """A lab in a thread plus what a test needs to reach it."""

    def __init__(self, lab: Lab, known_hosts: Path) -> None:
        self.lab = lab
        self.known_hosts = known_hosts

    def target(self, name: str, **kw: object) -> Target:
        e = self.lab.endpoints[name]
        args: dict[str, object] = {
            "name": name,
            "host": e.host,
            "port": e.port,
            "platform": e.platform,
            "username": USER,
            "password": PASSWORD,
            "secret": SECRET,
            "timeout": 5.0,
            "retries": 0,
        }
        args.update(kw)
        return Target(**args)  # type: ignore[arg-type]

    def targets(self, **kw: object) -> list[Target]:
        return [self.target(n, **kw) for n in self.lab.endpoints]


LabStarter = Callable[..., RunningLab]


@pytest.fixture
def lab_of(tmp_path: Path) -> Iterator[LabStarter]:
    """``lab_of(devices)`` starts a lab (stopped at the end) with its known_hosts written."""
    threads: list[LabThread] = []

    def start(devices: list[LabDevice], *, record_keys: bool = True) -> RunningLab:
        thread = LabThread(Lab(devices, user=USER, password=PASSWORD, secret=SECRET))
        lab = thread.__enter__()
        threads.append(thread)
        kh = tmp_path / f"known_hosts-{len(threads)}"
        kh.write_text(lab.known_hosts() if record_keys else "", encoding="utf-8")
        return RunningLab(lab, kh)

    yield start
    for t in threads:
        t.__exit__(None, None, None)
