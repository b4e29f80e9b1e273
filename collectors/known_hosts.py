"""The known_hosts file netaudit manages: strict host-key checking for every collection.

Keys are stored in OpenSSH known_hosts format (``host`` or ``[host]:port``, key type, base64
key), so ``ssh -o UserKnownHostsFile=…`` can read the same file. A device whose key is not in
the file is refused unless the run explicitly accepts new keys; a device whose key differs from
the stored one is always refused (paramiko raises ``BadHostKeyException`` before any password
is sent).
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import paramiko

from collectors.secrets import config_dir
from netaudit.errors import InputError


def default_path() -> Path:
    """``$NETAUDIT_KNOWN_HOSTS``, else ``known_hosts`` in netaudit's configuration directory."""
    env = os.environ.get("NETAUDIT_KNOWN_HOSTS")
    return Path(env) if env else config_dir() / "known_hosts"


def host_entry(host: str, port: int) -> str:
    """The known_hosts name of ``host:port`` (OpenSSH writes ``[host]:port`` unless 22)."""
    return host if port == 22 else f"[{host}]:{port}"


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH-style SHA256 fingerprint."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def parse_key(text: str) -> paramiko.PKey:
    """A public key from an OpenSSH line (``ssh-ed25519 AAAA… [comment]``).

    Raises:
        InputError: not a public key paramiko knows.
    """
    parts = text.split()
    if len(parts) < 2:
        raise InputError("not an OpenSSH public key line (type and base64 key)")
    try:
        return paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1]))
    except (ValueError, paramiko.SSHException, TypeError) as e:
        raise InputError(f"not a usable public key: {e}") from e


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored key."""

    host: str
    key_type: str
    fingerprint: str


class KnownHosts:
    """A known_hosts file; writes are atomic and serialised (workers add keys concurrently)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _load(self) -> paramiko.HostKeys:
        keys = paramiko.HostKeys()
        if self.path.is_file():
            try:
                keys.load(str(self.path))
            except (OSError, paramiko.SSHException) as e:
                raise InputError(f"unreadable known_hosts: {e}", file=str(self.path)) from e
        return keys

    def entries(self) -> list[Entry]:
        """Every stored key."""
        keys = self._load()
        return [
            Entry(host, key_type, fingerprint(key))
            for host in keys
            for key_type, key in keys[host].items()
        ]

    def get(self, host: str, port: int) -> paramiko.PKey | None:
        """The stored key of ``host:port`` (any type), if any."""
        found = self._load().lookup(host_entry(host, port))
        return next(iter(found.values()), None) if found else None

    def add(self, host: str, port: int, key: paramiko.PKey, *, replace: bool = False) -> bool:
        """Store ``key`` for ``host:port``; True when the file changed.

        Raises:
            InputError: a different key is stored and ``replace`` is false.
        """
        name = host_entry(host, port)
        with self._lock:
            keys = self._load()
            known = keys.lookup(name)
            if known:
                same = any(k == key for k in known.values())
                if same:
                    return False
                if not replace:
                    raise InputError(
                        f"{name}: a different key is stored ({fingerprint(next(iter(known.values())))}); "
                        "remove it first if the device was really replaced"
                    )
                del keys[name]
            keys.add(name, key.get_name(), key)
            self._save(keys)
        return True

    def _save(self, keys: paramiko.HostKeys) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        keys.save(str(tmp))
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)

    def policy(self, *, accept_new: bool) -> paramiko.MissingHostKeyPolicy:
        """The paramiko policy for a host not in the file: store when accepting, else refuse."""
        return _AcceptNew(self) if accept_new else paramiko.RejectPolicy()


class _AcceptNew(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    """Trust on first use, only when the user asked for it; the key is stored for next time."""

    def __init__(self, store: KnownHosts) -> None:
        self._store = store

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        with self._store._lock:
            keys = self._store._load()
            keys.add(hostname, key.get_name(), key)
            self._store._save(keys)


def scan(host: str, port: int, *, timeout: float = 10.0) -> paramiko.PKey:
    """Fetch a server's host key without logging in.

    Raises:
        InputError: the host cannot be reached or does not speak SSH.
    """
    import socket

    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        raise InputError(f"cannot connect to {host}:{port}: {e.strerror or e}") from e
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    except (paramiko.SSHException, OSError, EOFError) as e:
        raise InputError(f"{host}:{port}: no SSH host key: {e}") from e
    finally:
        transport.close()
