"""Collect running configurations over SSH with netmiko, many devices at once.

One thread per device in flight (``--workers``): netmiko sessions spend their time waiting for
devices, so threads are the right tool and one failure is contained in its own result. Each
device gets its platform's profile (``profiles.yaml``), strict host-key checking against the
known_hosts file netaudit manages, a timeout on connecting and on every command, and retries
for what may pass (timeouts, unreachable devices, dropped sessions) — never for a refused
password or a wrong host key.

A failure is data: every device ends with a ``DeviceResult`` whose status is one of
``ok``, ``auth_failed``, ``timeout``, ``host_key_mismatch``, ``command_failed``,
``unreachable``; its error message never contains a secret (messages are written here, not
copied from exceptions that might quote device output).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import paramiko
from netmiko import BaseConnection, ConnectHandler
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)

from collectors.credentials import CredentialError, Credentials
from collectors.evidence import DeviceResult
from collectors.known_hosts import KnownHosts, host_entry
from collectors.profiles import RUNNING_CONFIG, Profile, profile
from netaudit.inventory import Inventory

OK = "ok"
AUTH_FAILED = "auth_failed"
TIMEOUT = "timeout"
HOST_KEY_MISMATCH = "host_key_mismatch"
COMMAND_FAILED = "command_failed"
UNREACHABLE = "unreachable"
STATUSES = (OK, AUTH_FAILED, TIMEOUT, HOST_KEY_MISMATCH, COMMAND_FAILED, UNREACHABLE)
RETRYABLE = frozenset({TIMEOUT, UNREACHABLE, COMMAND_FAILED})

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 1

# The first line of an answer that means "that command did not run", across the platforms'
# CLIs (IOS/ASA/NX-OS/AW+ `%` messages, FortiOS, PAN-OS, Junos, Yamaha, AX, a shell).
_CLI_ERROR = re.compile(
    r"^\s*(\^|% ?(Invalid|Incomplete|Ambiguous|Unknown|Command|Access denied)|ERROR: |Error: |"
    r"Unknown (action|command)|unknown command\.|Invalid syntax|Command fail|"
    r"\S+: command not found|sudo: )",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Target:
    """A device to collect from, with its credentials resolved (never printed)."""

    name: str
    host: str
    port: int
    platform: str
    username: str
    password: str = field(repr=False)
    secret: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    known_hosts: Path | None = None


@dataclass(frozen=True, slots=True)
class Options:
    """Run-wide settings."""

    known_hosts: Path
    accept_new_host_keys: bool = False
    workers: int = 8
    retry_delay: float = 0.5


class _Failure(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- planning: inventory -> targets ---------------------------------------------------------


def plan(
    inventory: Inventory,
    credentials: Credentials,
    *,
    timeout: float | None = None,
    retries: int | None = None,
    only: Sequence[str] = (),
) -> tuple[list[Target], list[DeviceResult]]:
    """Targets for the inventory's devices, and results for those that cannot be tried.

    Command-line ``timeout``/``retries`` win over the inventory's. A device without host,
    platform, username or password is not tried: its result says what is missing.
    """
    targets: list[Target] = []
    failed: list[DeviceResult] = []
    for d in inventory.devices:
        if only and d.name not in only:
            continue
        started = _now()

        def fail(status: str, error: str, d_host: str | None = d.host) -> DeviceResult:
            return DeviceResult(
                name=d.name,  # noqa: B023 - used at once, inside the iteration
                host=d_host,
                platform=d.platform,  # noqa: B023
                status=status,
                started=started,  # noqa: B023
                finished=_now(),
                outputs={},
                error=error,
            )

        if not d.host:
            failed.append(fail(UNREACHABLE, "no host in the inventory"))
            continue
        if not d.platform:
            failed.append(fail(COMMAND_FAILED, "no platform: pin it in the inventory"))
            continue
        username = d.username or os.environ.get("NETAUDIT_USERNAME")
        if not username:
            failed.append(
                fail(AUTH_FAILED, "no username (inventory username or NETAUDIT_USERNAME)")
            )
            continue
        groups = (d.group,) if d.group else ()
        try:
            password, tried = credentials.lookup(d.credential, device=d.name, groups=groups)
            secret, _ = credentials.lookup(
                d.enable_secret, device=d.name, groups=groups, kind="secret"
            )
        except CredentialError as e:
            failed.append(fail(AUTH_FAILED, str(e)))
            continue
        if password is None:
            failed.append(
                fail(AUTH_FAILED, "no password found (looked in " + ", ".join(tried) + ")")
            )
            continue
        targets.append(
            Target(
                name=d.name,
                host=d.host,
                port=d.port,
                platform=d.platform,
                username=username,
                password=password.value,
                secret=secret.value if secret is not None else "",
                timeout=timeout or d.timeout or DEFAULT_TIMEOUT,
                retries=retries
                if retries is not None
                else (d.retries if d.retries is not None else DEFAULT_RETRIES),
                # A relative known_hosts path is relative to the inventory file.
                known_hosts=Path(inventory.file).parent / Path(d.known_hosts).expanduser()
                if d.known_hosts
                else None,
            )
        )
    return targets, failed


# -- one device ----------------------------------------------------------------------------


def _classify_connect(e: Exception, target: Target) -> _Failure:
    cause = e.__context__ or e.__cause__
    where = f"{target.host}:{target.port}"
    if isinstance(e, NetmikoAuthenticationException):
        return _Failure(AUTH_FAILED, f"{where}: authentication failed for user {target.username!r}")
    if isinstance(cause, paramiko.BadHostKeyException) or isinstance(
        e, paramiko.BadHostKeyException
    ):
        return _Failure(
            HOST_KEY_MISMATCH,
            f"{where}: host key differs from the one in known_hosts "
            "(refused; if the device was replaced, check and update known_hosts)",
        )
    text = str(cause or e)
    if "not found in known_hosts" in text:
        return _Failure(
            HOST_KEY_MISMATCH,
            f"{where}: host key unknown (not in known_hosts): refused; verify it and run "
            "`netaudit known-hosts scan`, or collect with --accept-new-host-keys",
        )
    if isinstance(e, ReadTimeout):
        # Drivers that enter privileged mode while preparing the session (ASA) wait for `#`;
        # a wrong enable secret looks like a device that never answers.
        hint = " (wrong enable secret?)" if "\\#" in str(e) else ""
        return _Failure(
            TIMEOUT, f"{where}: the session got no answer within {target.timeout:g} s{hint}"
        )
    if isinstance(cause, (socket.timeout, TimeoutError)):
        return _Failure(TIMEOUT, f"{where}: connection timed out after {target.timeout:g} s")
    if isinstance(cause, OSError) or "TCP connection to device failed" in str(e):
        return _Failure(UNREACHABLE, f"{where}: connection refused or no route")
    if isinstance(e, NetmikoTimeoutException):
        return _Failure(TIMEOUT, f"{where}: no answer within {target.timeout:g} s")
    return _Failure(COMMAND_FAILED, f"{where}: SSH session failed ({type(e).__name__})")


class _HostKeyCache:
    """known_hosts files parsed once per version of the file, shared by the workers.

    netmiko's ``alt_key_file`` makes paramiko parse the whole file for every connection:
    ≈ 8 ms of CPU for 200 ed25519 entries, 1.6 s per 200-device run (and quadratic in the
    number of devices). Here the file is parsed again only when its size or mtime changed
    (``--accept-new-host-keys`` adds keys during a run), and each session's SSH client gets
    only its own host's stored keys, so paramiko checks them exactly as before: the key
    types it prefers, ``BadHostKeyException`` on a different key, the missing-key policy
    otherwise.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[Path, tuple[tuple[int, int], paramiko.HostKeys]] = {}

    def lookup(self, path: Path, name: str) -> dict[str, paramiko.PKey]:
        """The stored keys of ``name`` (``host`` or ``[host]:port``) by key type."""
        try:
            st = path.stat()
        except FileNotFoundError:
            return {}
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            cached = self._files.get(path)
            if cached is None or cached[0] != stamp:
                keys = paramiko.HostKeys()
                keys.load(str(path))
                cached = self._files[path] = (stamp, keys)
            found = cached[1].lookup(name)
            return dict(found) if found else {}


_HOST_KEYS = _HostKeyCache()


def _connect(target: Target, prof: Profile, store: KnownHosts, accept_new: bool) -> BaseConnection:
    known = _HOST_KEYS.lookup(store.path, host_entry(target.host, target.port))
    conn = ConnectHandler(
        device_type=prof.netmiko,
        host=target.host,
        port=target.port,
        username=target.username,
        password=target.password,
        secret=target.secret,
        conn_timeout=target.timeout,
        auth_timeout=target.timeout,
        banner_timeout=target.timeout,
        read_timeout_override=target.timeout,
        ssh_strict=True,
        system_host_keys=False,
        alt_host_keys=False,  # the stored keys come from _HOST_KEYS (below)
        use_keys=False,
        allow_agent=False,
        fast_cli=True,
        auto_connect=False,
    )
    # netmiko only offers AutoAdd or Reject; the accept-new policy records the key in
    # netaudit's own file. A stored key that differs raises BadHostKeyException either way.
    conn.key_policy = store.policy(accept_new=accept_new)

    def client_with_known_keys() -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        for key_type, key in known.items():
            client.get_host_keys().add(host_entry(target.host, target.port), key_type, key)
        return client

    # netmiko's hook for the SSH client it connects with; it then sets key_policy on it.
    conn._get_ssh_client_instance = client_with_known_keys  # type: ignore[method-assign]
    try:
        conn._open()  # netmiko's split of construction and connection (auto_connect=False)
    except BaseException:
        with contextlib.suppress(Exception):
            conn.disconnect()
        raise
    return conn


def _run(conn: BaseConnection, target: Target, prof: Profile) -> tuple[dict[str, str], str]:
    """Run the profile; returns outputs and an error ('' when the running config came back)."""
    if prof.privileged:
        try:
            conn.enable()  # checks the mode first (one round trip), enters it only if needed
        except (ValueError, ReadTimeout) as e:
            raise _Failure(
                AUTH_FAILED,
                "privileged mode refused"
                + ("" if target.secret else " (no enable secret was given)"),
            ) from e
    outputs: dict[str, str] = {}
    prompt = _prompt_pattern(conn)

    def send(command: str) -> str:
        text = conn.send_command(command, expect_string=prompt, read_timeout=target.timeout)
        assert isinstance(text, str)
        return text

    for name, command in prof.commands:
        if name == RUNNING_CONFIG:
            for cmd in prof.before:
                send(cmd)
        text = send(command)
        if name == RUNNING_CONFIG:
            for cmd in prof.after:
                send(cmd)
        outputs[name if name == RUNNING_CONFIG else command] = _normalise(text)
    config = outputs.get(RUNNING_CONFIG, "")
    first = next((ln for ln in config.splitlines() if ln.strip()), "")
    if not first:
        return outputs, f"{prof.running_config!r} returned nothing"
    if _CLI_ERROR.match(first) and len(config.splitlines()) <= 5:
        return outputs, f"{prof.running_config!r} was refused by the device: {first.strip()[:120]}"
    return outputs, ""


# What may follow a prompt's terminator: blanks and ANSI/VT100 control sequences.
_PROMPT_TAIL = r"(?:[ \t]|\x1b\[[0-9;?]*[A-Za-z])*"


def _prompt_pattern(conn: BaseConnection) -> str:
    """The device's prompt, in any mode, at the very end of the output.

    netmiko's ``send_command`` otherwise looks the prompt up before every command, one more
    round trip each. The base prompt (the hostname part, found during session preparation)
    followed by any mode decoration (``(config)``, a VDOM) and a prompt terminator still
    matches after a ``before`` command changed the mode. Some drivers drop the prompt's first
    characters from the base prompt (AlaxalA's unsaved-configuration mark), so a word may
    precede it. Anchored to the start of that word and to the end of what has arrived, so
    prompt-like text inside the output (``hostname r1``, a banner ``r1#``) does not end the
    read early, as netmiko's unanchored prompt search can. Spaces and terminal control
    sequences (``ESC [ K``, colours) may follow the terminator.
    """
    base = re.escape(conn.base_prompt.strip())
    return rf"(?:\A|[\r\n])\S*{base}[^\r\n]*[>#$%]{_PROMPT_TAIL}\Z"


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") or not text else text + "\n"


def collect_one(target: Target, options: Options) -> DeviceResult:
    """Collect one device, with its retries; never raises for a device problem."""
    prof = profile(target.platform)
    store = KnownHosts(target.known_hosts or options.known_hosts)
    started = _now()
    status, error = COMMAND_FAILED, ""
    outputs: dict[str, str] = {}
    for attempt in range(target.retries + 1):
        if attempt:
            time.sleep(options.retry_delay * attempt)
        status, error, outputs = _attempt(target, prof, store, options.accept_new_host_keys)
        if status not in RETRYABLE:
            break
    facts = prof.read_facts(outputs.get(dict(prof.commands).get("version", ""), ""))
    if status == OK:
        facts.setdefault("hostname", _hostname(outputs.get(RUNNING_CONFIG, "")) or target.name)
    if attempt and status != OK:
        error = f"{error} (after {attempt + 1} attempts)"
    return DeviceResult(
        name=target.name,
        host=target.host,
        platform=target.platform,
        status=status,
        started=started,
        finished=_now(),
        outputs=outputs if status == OK else {},
        error=error,
        facts={k: v for k, v in facts.items() if k in ("version", "model", "serial")},
    )


def _fail_fast_when_closed(conn: BaseConnection) -> None:
    """Make reads on a session the device closed fail at once.

    netmiko polls the channel until its read timeout even after the device hung up; checking
    paramiko's ``closed`` flag turns a dropped session into an immediate ``ReadException``.
    """
    channel = getattr(conn, "channel", None)
    if channel is None or not hasattr(channel, "read_channel"):
        return
    original = channel.read_channel

    def read_channel() -> str:
        data: str = original()
        if not data and getattr(getattr(channel, "remote_conn", None), "closed", False):
            raise ReadException("the device closed the session")
        return data

    channel.read_channel = read_channel


def _alive(conn: BaseConnection) -> bool:
    channel = getattr(conn, "remote_conn", None)
    transport = getattr(channel, "transport", None)
    closed = bool(getattr(channel, "closed", False))
    return transport is not None and bool(transport.is_active()) and not closed


def _hostname(config: str) -> str:
    m = re.search(r"^\s*(?:hostname|set hostname|host-name)\s+\"?([\w.-]+)", config, re.M)
    return m.group(1) if m else ""


def _attempt(
    target: Target, prof: Profile, store: KnownHosts, accept_new: bool
) -> tuple[str, str, dict[str, str]]:
    try:
        conn = _connect(target, prof, store, accept_new)
    except _Failure as f:
        return f.status, f.message, {}
    except Exception as e:  # every connection failure becomes a status
        failure = _classify_connect(e, target)
        return failure.status, failure.message, {}
    _fail_fast_when_closed(conn)
    try:
        outputs, error = _run(conn, target, prof)
        return (COMMAND_FAILED, error, outputs) if error else (OK, "", outputs)
    except _Failure as f:
        return f.status, f.message, {}
    except ReadTimeout:
        if not _alive(conn):
            return COMMAND_FAILED, "the device dropped the session during collection", {}
        return TIMEOUT, f"a command got no answer within {target.timeout:g} s", {}
    except ReadException:
        return COMMAND_FAILED, "the device dropped the session during collection", {}
    except (OSError, EOFError, paramiko.SSHException) as e:
        return COMMAND_FAILED, f"the session was dropped during collection ({type(e).__name__})", {}
    except Exception as e:  # a broken session is a device result, not a crash
        return COMMAND_FAILED, f"collection failed ({type(e).__name__})", {}
    finally:
        with contextlib.suppress(Exception):  # the session may already be gone
            conn.disconnect()


# -- many devices --------------------------------------------------------------------------


def collect(
    targets: Sequence[Target],
    options: Options,
    *,
    on_done: Callable[[DeviceResult], None] | None = None,
) -> list[DeviceResult]:
    """Collect every target with ``options.workers`` sessions at once; results in input order.

    ``on_done`` runs on the calling thread as each device finishes (progress, and handing the
    result to a :class:`~collectors.evidence.SnapshotWriter`). If it raises, or the caller is
    interrupted (Ctrl-C), devices not yet started are cancelled and the sessions in flight
    finish before the exception propagates.
    """
    results: dict[str, DeviceResult] = {}
    with ThreadPoolExecutor(
        max_workers=max(1, options.workers), thread_name_prefix="collect"
    ) as pool:
        futures = {pool.submit(collect_one, t, options): t for t in targets}
        try:
            _gather(futures, results, on_done)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[t.name] for t in targets]


def _gather(
    futures: dict[Future[DeviceResult], Target],
    results: dict[str, DeviceResult],
    on_done: Callable[[DeviceResult], None] | None,
) -> None:
    for fut in as_completed(futures):
        t = futures[fut]
        try:
            result = fut.result()
        except Exception as e:  # a bug for one device must not stop the run
            result = DeviceResult(
                name=t.name,
                host=t.host,
                platform=t.platform,
                status=COMMAND_FAILED,
                started=_now(),
                finished=_now(),
                outputs={},
                error=f"internal error ({type(e).__name__})",
            )
        results[t.name] = result
        if on_done is not None:
            on_done(result)
