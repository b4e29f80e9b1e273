"""``netaudit lab up|down``: a lab in a background process, described by a state directory.

``up`` generates the lab's password and enable secret, writes them to ``lab.env`` (mode 0600)
and hands them to the child through its environment, never its command line. The child listens
for every device, then writes ``known_hosts`` (the keys it vouches for), ``inventory.yaml`` (the
devices, with credentials as ``env:`` references) and ``state.json`` (its pid and ports) — in
that order, so ``state.json`` appearing means the lab is ready. ``down`` stops the pid recorded
there after checking it still is a lab process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from collectors.lab.device import Fault
from collectors.lab.server import Lab
from netaudit.errors import InputError

PASSWORD_ENV = "NETAUDIT_LAB_PASSWORD"  # noqa: S105 - the name of a variable
ENABLE_ENV = "NETAUDIT_LAB_ENABLE"
USER = "netaudit"
STATE = "state.json"
MARKER = "collectors.lab.process"


@dataclass(frozen=True, slots=True)
class LabState:
    """A running lab as its state directory describes it."""

    directory: Path
    pid: int
    devices: dict[str, dict[str, object]]

    @property
    def inventory(self) -> Path:
        """The inventory the lab wrote."""
        return self.directory / "inventory.yaml"

    @property
    def env_file(self) -> Path:
        """The file holding the lab's credentials (mode 0600)."""
        return self.directory / "lab.env"


def read_state(directory: Path) -> LabState | None:
    """The lab state in ``directory``, if a lab wrote one."""
    path = directory / STATE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LabState(directory=directory, pid=int(data["pid"]), devices=dict(data["devices"]))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"unreadable lab state: {e}", file=str(path)) from e


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_lab(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return _alive(pid)
    return MARKER.encode() in cmdline


def up(
    snapshot: Path,
    state_dir: Path,
    *,
    faults: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> LabState:
    """Start a lab serving ``snapshot`` in the background; returns once it listens.

    Raises:
        InputError: a lab already runs from ``state_dir``, or the child failed to start.
    """
    existing = read_state(state_dir)
    if existing is not None and _alive(existing.pid) and _is_lab(existing.pid):
        raise InputError(
            f"a lab already runs from {state_dir} (pid {existing.pid}); lab down first"
        )
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / STATE).unlink(missing_ok=True)
    password, secret = secrets.token_urlsafe(18), secrets.token_urlsafe(12)
    env_file = state_dir / "lab.env"
    fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{PASSWORD_ENV}={password}\n{ENABLE_ENV}={secret}\n")
    args = [sys.executable, "-m", MARKER, str(snapshot.resolve()), str(state_dir.resolve())]
    for name, fault in (faults or {}).items():
        args += ["--fault", f"{name}={fault}"]
    log = (state_dir / "lab.log").open("ab")
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        args,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env={**os.environ, PASSWORD_ENV: password, ENABLE_ENV: secret},
        start_new_session=True,
        close_fds=True,
    )
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state(state_dir)
        if state is not None:
            return state
        if child.poll() is not None:
            tail = (state_dir / "lab.log").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise InputError(f"the lab did not start:\n{tail.strip()}")
        time.sleep(0.1)
    child.terminate()
    raise InputError(f"the lab did not start within {timeout:g} s")


def down(state_dir: Path, *, timeout: float = 10.0) -> LabState | None:
    """Stop the lab of ``state_dir``; None when none was running."""
    state = read_state(state_dir)
    if state is None:
        return None
    if _alive(state.pid) and _is_lab(state.pid):
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(state.pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(state.pid, os.WNOHANG)
            time.sleep(0.05)
        if _alive(state.pid):
            os.kill(state.pid, signal.SIGKILL)
    (state_dir / STATE).unlink(missing_ok=True)
    return state


def inventory_text(lab: Lab, snapshot: Path, known_hosts: Path) -> str:
    """The inventory of a running lab: devices on 127.0.0.1, credentials by env reference."""
    lines = [
        f"# netaudit lab: emulated devices serving {snapshot}",
        "# Generated by `netaudit lab up`; the credentials are in lab.env beside this file.",
        "defaults:",
        f"  username: {USER}",
        f"  credential: env:{PASSWORD_ENV}",
        f"  enable_secret: env:{ENABLE_ENV}",
        f"  known_hosts: {json.dumps(str(known_hosts))}",
        "  timeout: 10",
        "  retries: 1",
        "devices:",
    ]
    for e in lab.endpoints.values():
        lines.append(
            f"  - {{name: {json.dumps(e.name)}, host: {e.host}, port: {e.port}, "
            f"platform: {e.platform}}}"
        )
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


async def serve(snapshot: Path, state_dir: Path, faults: Mapping[str, Fault]) -> None:
    """The child: serve until SIGTERM, then stop and remove the state file."""
    from collectors.lab import load_devices

    password, secret = os.environ[PASSWORD_ENV], os.environ[ENABLE_ENV]
    lab = Lab(load_devices(snapshot, faults=faults), user=USER, password=password, secret=secret)
    await lab.start()
    known = state_dir / "known_hosts"
    _write(known, lab.known_hosts())
    os.chmod(known, 0o600)
    _write(state_dir / "inventory.yaml", inventory_text(lab, snapshot, known.resolve()))
    state = {
        "pid": os.getpid(),
        "snapshot": str(snapshot),
        "devices": {
            e.name: {"host": e.host, "port": e.port, "platform": e.platform}
            for e in lab.endpoints.values()
        },
    }
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    _write(state_dir / STATE, json.dumps(state, indent=2) + "\n")
    print(f"lab: {len(lab.endpoints)} device(s) listening", flush=True)
    await stop.wait()
    await lab.stop()
    (state_dir / STATE).unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    """``python -m collectors.lab.process SNAPSHOT STATE_DIR [--fault name=spec]…``."""
    import argparse
    import warnings

    # Old SSH key exchanges some drivers insist on (FortiOS: DH group14) warn on every login.
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser(prog=MARKER)
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("state_dir", type=Path)
    parser.add_argument("--fault", action="append", default=[])
    ns = parser.parse_args(argv)
    faults = {}
    for item in ns.fault:
        name, _, spec = item.partition("=")
        faults[name] = Fault.parse(spec)
    asyncio.run(serve(ns.snapshot, ns.state_dir, faults))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
