"""Evidence: write a snapshot atomically with a signed manifest, and verify one later.

A snapshot directory holds one file per device (``<device>.cfg`` when only the running
configuration was collected, else ``<device>/running-config.txt`` plus one ``.txt`` per other
command) and ``manifest.json``:

```json
{
  "schema": "netaudit/snapshot/v1",
  "tool": {"name": "netaudit", "version": "0.1.0"},
  "created": "2026-04-01T09:00:00+00:00",
  "inventory_digest": "sha256 of the inventory file, or null",
  "secrets": {"mode": "scrubbed", "method": "hmac-sha256-48", "key_id": "…", "removed": 12},
  "devices": {"core-sw1": {"platform": "cisco_ios", "host": "192.0.2.1", "status": "ok",
                           "started": "…", "finished": "…", "error": "", "facts": {},
                           "files": ["core-sw1.cfg"], "running_config": "core-sw1.cfg",
                           "secrets_removed": 3}},
  "files": {"core-sw1.cfg": {"sha256": "…", "size": 1234}},
  "signature": {"alg": "ed25519", "key_id": "…", "public_key": "…", "value": "…"}
}
```

**Why the signature is embedded** rather than a detached ``manifest.sig``: a snapshot is
copied, zipped and attached to audit tickets, and a second file is the one that gets lost;
the audit result records the SHA-256 of ``manifest.json``, which then covers the signature
too; and verification needs no rule that exempts a sidecar file from the "added file" check.
The signature covers the canonical JSON of every other field (keys sorted, no whitespace,
UTF-8) prefixed by a domain string, so it cannot be replayed on other data.

Devices are keyed by their file-safe name (``safe_name``; the original is kept as ``name``
when it differs). A device whose status is not ``ok``/``imported`` is *not collected* for the
audit (netaudit.engine), even if part of its output was saved: that output is evidence, not a
configuration to judge. A scrubbed snapshot directory is mode 0755; one written with
``keep_secrets`` stays 0700.

**Why writes go through a hidden temporary sibling directory**: every file, then the manifest,
is written and fsynced in ``.<name>.<random>.partial`` beside the target, which is renamed into
place only when complete. An interrupted collection therefore leaves either nothing at the
target or (after a hard kill) a hidden ``.partial`` directory without a manifest: never a
directory that looks like a complete snapshot. :class:`SnapshotWriter` fills that directory
device by device while a collection runs (so writing overlaps collecting) and fsyncs the files
from a small thread pool; :func:`write_snapshot` writes a whole list of results through it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from collectors.secrets import SCRUB_METHOD, Scrubber, load_scrub_key, write_private
from netaudit import __version__
from netaudit.errors import NetauditError
from netaudit.parsers import detect
from netaudit.parsers.base import redact

log = logging.getLogger(__name__)

SCHEMA = "netaudit/snapshot/v1"
MANIFEST = "manifest.json"
RUNNING_CONFIG = "running-config"
SIGNING_KEY_ENV = "NETAUDIT_SIGNING_KEY"
_SIGN_DOMAIN = b"netaudit-snapshot-manifest-v1\n"

STATUSES = (
    "ok",
    "auth_failed",
    "timeout",
    "host_key_mismatch",
    "command_failed",
    "unreachable",
    "imported",
)
"""Collection statuses; ``ok`` and ``imported`` mean the device's config is complete."""
GOOD_STATUSES = frozenset({"ok", "imported"})


class EvidenceError(NetauditError):
    """A snapshot could not be written, or its manifest or a key could not be read."""


@dataclass(frozen=True)
class DeviceResult:
    """What collecting (or importing) one device produced; a failure is data, not an exception."""

    name: str
    host: str | None
    platform: str | None
    status: str
    started: dt.datetime
    finished: dt.datetime
    outputs: dict[str, str]
    error: str = ""
    facts: dict[str, str] = field(default_factory=dict)


# -- keys -------------------------------------------------------------------------------------


def generate_keypair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def write_keypair(path: Path, *, overwrite: bool = False) -> tuple[Path, Path]:
    """Generate a key pair: the private key to ``path`` (mode 0600), the public to ``path.pub``.

    Raises:
        EvidenceError: a key file already exists and ``overwrite`` is off.
    """
    pub = path.with_name(path.name + ".pub")
    if not overwrite and (path.exists() or pub.exists()):
        raise EvidenceError(f"{path} or {pub} already exists; refusing to overwrite a key")
    private, public = generate_keypair()
    write_private(path, private)
    tmp = pub.with_name(f".{pub.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(public)
    os.chmod(tmp, 0o644)
    os.replace(tmp, pub)
    return path, pub


def _key_material(data: bytes) -> bytes | None:
    """Raw 32 bytes from base64 or hex text, if ``data`` is that."""
    text = data.strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) == 32:
        return raw
    try:
        raw = bytes.fromhex(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None
    return raw if len(raw) == 32 else None


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8), raw 32 bytes, or their base64/hex text.

    Raises:
        EvidenceError: not an Ed25519 private key.
    """
    if b"-----BEGIN" in data:
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as e:
            raise EvidenceError(f"not a usable private key: {e}") from e
        if not isinstance(key, Ed25519PrivateKey):
            raise EvidenceError("the signing key is not an Ed25519 key")
        return key
    raw = data if len(data) == 32 else _key_material(data)
    if raw is None:
        raise EvidenceError("not an Ed25519 private key (PEM, or 32 bytes base64/hex)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM, raw 32 bytes, or their base64/hex text.

    Raises:
        EvidenceError: not an Ed25519 public key.
    """
    if b"-----BEGIN" in data:
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as e:
            raise EvidenceError(f"not a usable public key: {e}") from e
        if not isinstance(key, Ed25519PublicKey):
            raise EvidenceError("the public key is not an Ed25519 key")
        return key
    raw = data if len(data) == 32 else _key_material(data)
    if raw is None:
        raise EvidenceError("not an Ed25519 public key (PEM, or 32 bytes base64/hex)")
    return Ed25519PublicKey.from_public_bytes(raw)


def signing_key_from(option: Path | None, environ: Mapping[str, str] | None = None) -> bytes | None:
    """The signing key bytes from ``--sign-key FILE``, else ``$NETAUDIT_SIGNING_KEY``.

    The environment variable holds either a path to a key file or the key itself (PEM, or
    base64 of the 32-byte seed). None when neither is given.

    Raises:
        EvidenceError: the file cannot be read or holds no Ed25519 private key.
    """
    env = os.environ if environ is None else environ
    if option is None:
        value = env.get(SIGNING_KEY_ENV, "")
        if not value:
            return None
        candidate = Path(value)
        if "-----BEGIN" not in value and len(value) < 4096 and candidate.is_file():
            option = candidate
        else:
            data = value.encode()
            load_private_key(data)
            return data
    try:
        data = option.read_bytes()
    except OSError as e:
        raise EvidenceError(f"cannot read the signing key {option}: {e.strerror}") from e
    load_private_key(data)
    return data


def file_digest(path: Path) -> str:
    """SHA-256 of a file (the manifest's ``inventory_digest`` is this of the inventory)."""
    return _sha256_file(path)


def public_key_id(key: Ed25519PublicKey) -> str:
    """A short identifier of a public key (SHA-256 of its raw bytes, 16 hex digits)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def canonical(body: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: canonical JSON of the manifest without its signature."""
    data = {k: v for k, v in body.items() if k != "signature"}
    return _SIGN_DOMAIN + json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


# -- writing ----------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def safe_name(name: str) -> str:
    """A file name for a device or command: no separators, no leading dot, not empty."""
    out = _UNSAFE.sub("_", name.strip()).lstrip(".").strip("_") or "_"
    return out[:120]


def _command_file(command: str) -> str:
    if command == RUNNING_CONFIG:
        return f"{RUNNING_CONFIG}.txt"
    return safe_name(command.replace(" ", "_")) + ".txt"


def _write_file(path: Path, data: bytes) -> None:
    """Write one file, without syncing it (a seam the atomicity tests interrupt).

    Durability comes later, from :class:`SnapshotWriter`'s fsync pool, before the rename.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def _fsync_file(path: Path) -> None:
    """Flush one written file to disk (a read-only descriptor suffices on POSIX)."""
    fd = os.open(path, os.O_RDONLY if os.name == "posix" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _iso(t: dt.datetime) -> str:
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.isoformat(timespec="seconds")


def _platform_of(result: DeviceResult) -> str | None:
    if result.platform:
        return result.platform
    text = result.outputs.get(RUNNING_CONFIG)
    if not text:
        return None
    platform, score = detect(text)
    return platform if score > 0 else None


FSYNC_WORKERS = 8
"""Threads that fsync written files while the next ones are scrubbed and written."""


class SnapshotWriter:
    """Writes a snapshot one device at a time, then commits it atomically.

    Collection hands each device to :meth:`add` as soon as it is done; a background thread
    scrubs its outputs and writes them into a hidden ``.<name>.<random>.partial`` directory
    beside ``out_dir``, so writing overlaps collection. :meth:`commit` waits for that, writes
    the manifest (per-file SHA-256, signature) last, and renames the directory into place.
    Until then nothing at ``out_dir`` changes: an interrupted collection leaves nothing there
    (or, after a hard kill, a hidden ``.partial`` directory without a manifest), never a
    directory that looks like a complete snapshot. Use it as a context manager: leaving the
    block without :meth:`commit` (an exception, Ctrl-C) removes the partial directory.

    **Durability before the rename.** Every file must be on disk before the rename makes the
    snapshot visible, else a power cut could leave a complete-looking snapshot with empty
    files. Writing and fsyncing each file in turn cost 4–6 ms per fsync on the benchmark VM
    (ext4: each fsync waits for its own journal commit), up to 4.7 s for the 800 files of a
    200-device collection, after the collection (benchmarks/collect.md). Here each file
    is fsynced by a small thread pool (:data:`FSYNC_WORKERS`) right after it is written:
    concurrent fsyncs share journal commits (200 files: 0.80 s one by one, 0.10 s from 8
    threads) and, during a collection, happen while devices are still answering, so they
    cost no wall time at all. Chosen over one ``syncfs``/``os.sync`` before the rename,
    which is as cheap but flushes every other process's dirty data on the file system too
    (unbounded on a busy host), is Linux-only (``syncfs``), and reports errors per file
    system, not per file. A device's folder is fsynced by the pool after its files; the
    manifest and the snapshot directory last, then the parent after the rename.

    Scrubbing and writing run on one thread, in the order devices are added, so a failure
    stops the writing at once; the failure is raised by the next :meth:`add` or by
    :meth:`commit` (as :class:`EvidenceError` for I/O errors), which removes the partial
    directory.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        inventory_digest: str | None,
        keep_secrets: bool = False,
        signing_key: bytes | None = None,
        tool_version: str = "",
        scrub_key: bytes | None = None,
        created: dt.datetime | None = None,
        overwrite: bool = False,
        fsync_workers: int = FSYNC_WORKERS,
    ) -> None:
        """Check the target and the keys, and create the hidden partial directory.

        Args: as :func:`write_snapshot`, plus ``fsync_workers`` (threads that fsync files).

        Raises:
            EvidenceError: ``out_dir`` is not empty (without ``overwrite``), a bad key, or
                the partial directory cannot be created.
        """
        self._signer = load_private_key(signing_key) if signing_key is not None else None
        self._scrubber = None if keep_secrets else Scrubber(scrub_key or load_scrub_key())
        self._keep_secrets = keep_secrets
        self._inventory_digest = inventory_digest
        self._tool_version = tool_version or __version__
        self._created = created
        self._overwrite = overwrite
        self.out_dir = Path(out_dir)
        self._check_target()
        self._names: dict[str, str] = {}
        self._devices: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._removed = 0
        self._error: BaseException | None = None
        self._syncs: list[Future[None]] = []
        self._done = False
        self._committed = False
        parent = self.out_dir.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self._tmp = Path(
                tempfile.mkdtemp(prefix=f".{self.out_dir.name}.", suffix=".partial", dir=parent)
            )
            # mkdtemp makes the folder private (0700); a scrubbed snapshot is shareable
            # evidence, one with secrets kept stays private.
            os.chmod(self._tmp, 0o700 if keep_secrets else 0o755)
        except OSError as e:
            raise EvidenceError(f"cannot write the snapshot {self.out_dir}: {e}") from e
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-write")
        self._syncer = ThreadPoolExecutor(
            max_workers=max(1, fsync_workers), thread_name_prefix="snapshot-fsync"
        )

    def _check_target(self) -> None:
        out = self.out_dir
        if out.exists() and not self._overwrite and (not out.is_dir() or any(out.iterdir())):
            raise EvidenceError(f"{out} already exists and is not empty")

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self.abort()

    def add(self, result: DeviceResult) -> None:
        """Queue one device's outputs for writing; returns at once.

        Raises:
            EvidenceError: an unknown status, a device name already added (after making it
                file-safe), or an earlier write failed.
        """
        if self._done:
            raise EvidenceError("the snapshot is already committed or aborted")
        self._raise_failure()
        if result.status not in STATUSES:
            raise EvidenceError(f"{result.name}: unknown status {result.status!r}")
        name = safe_name(result.name)
        if name in self._names:
            raise EvidenceError(
                f"duplicate device names in the snapshot: {self._names[name]!r} and "
                f"{result.name!r} are both stored as {name!r}"
            )
        self._names[name] = result.name
        self._writer.submit(self._write_device, name, result)

    def _raise_failure(self) -> None:
        if self._error is not None:
            error = self._error
            self.abort()
            if isinstance(error, OSError):
                raise EvidenceError(f"cannot write the snapshot {self.out_dir}: {error}") from error
            raise error

    def _store(self, rel: str, text: str, platform: str | None) -> int:
        removed = 0
        if self._scrubber is not None:
            scrubbed = self._scrubber.scrub(text, platform)
            text, removed = scrubbed.text, scrubbed.removed
        data = text.encode("utf-8")
        path = self._tmp / rel
        _write_file(path, data)
        self._syncs.append(self._syncer.submit(_fsync_file, path))
        self._files[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        return removed

    def _write_device(self, name: str, r: DeviceResult) -> None:
        """Scrub and write one device's files and record its manifest entry (writer thread)."""
        if self._error is not None:
            return  # stop at the first failure: nothing more is written
        try:
            self._devices[name] = self._device_entry(name, r)
        except BaseException as e:  # re-raised on the caller's thread by add() or commit()
            self._error = e

    def _device_entry(self, name: str, r: DeviceResult) -> dict[str, Any]:
        platform = _platform_of(r)
        outputs = {k: v for k, v in r.outputs.items() if isinstance(v, str)}
        written: list[str] = []
        running: str | None = None
        removed = 0
        if set(outputs) == {RUNNING_CONFIG}:
            rel = f"{name}.cfg"
            removed += self._store(rel, outputs[RUNNING_CONFIG], platform)
            written.append(rel)
            running = rel
        elif outputs:
            used: set[str] = set()
            for command in sorted(outputs, key=lambda c: (c != RUNNING_CONFIG, c)):
                fname = _command_file(command)
                stem, n = fname[:-4], 2
                while fname.lower() in used:
                    fname, n = f"{stem}-{n}.txt", n + 1
                used.add(fname.lower())
                rel = f"{name}/{fname}"
                removed += self._store(rel, outputs[command], platform)
                written.append(rel)
                if command == RUNNING_CONFIG:
                    running = rel
            # The device's folder holds its entries: synced now too, not all at the end.
            self._syncs.append(self._syncer.submit(_fsync_dir, self._tmp / name))
        self._removed += removed
        error = r.error
        if self._scrubber is not None and error:
            # An error message may echo a command line; keep it free of secrets too.
            error = "\n".join(
                redact(line) for line in self._scrubber.scrub(error, platform).text.split("\n")
            )
        return {
            **({"name": r.name} if name != r.name else {}),
            "platform": platform,
            "host": r.host,
            "status": r.status,
            "started": _iso(r.started),
            "finished": _iso(r.finished),
            "error": error,
            "facts": dict(sorted(r.facts.items())),
            "files": written,
            "running_config": running,
            "secrets_removed": removed,
        }

    def manifest(self) -> dict[str, Any]:
        """The manifest of what has been written so far, unsigned (call after the writes)."""
        scrubber = self._scrubber
        return {
            "schema": SCHEMA,
            "tool": {"name": "netaudit", "version": self._tool_version},
            "created": _iso(self._created or dt.datetime.now(dt.UTC)),
            "inventory_digest": self._inventory_digest,
            "secrets": (
                {"mode": "kept"}
                if scrubber is None
                else {
                    "mode": "scrubbed",
                    "method": SCRUB_METHOD,
                    "key_id": scrubber.key_id,
                    "removed": self._removed,
                }
            ),
            "devices": dict(sorted(self._devices.items())),
            "files": dict(sorted(self._files.items())),
        }

    def commit(self) -> Path:
        """Finish the writes, write the signed manifest, move the snapshot into place.

        Returns:
            The path of ``manifest.json`` in ``out_dir``.

        Raises:
            EvidenceError: a write failed, ``out_dir`` became non-empty meanwhile, or I/O
                errors; the partial directory is removed.
        """
        if self._done:
            raise EvidenceError("the snapshot is already committed or aborted")
        tmp, out_dir = self._tmp, self.out_dir
        try:
            self._writer.shutdown(wait=True)
            self._raise_failure()
            for fut in self._syncs:
                fut.result()
            self._syncer.shutdown(wait=True)
            manifest = self.manifest()
            if self._signer is not None:
                public = self._signer.public_key()
                manifest["signature"] = {
                    "alg": "ed25519",
                    "key_id": public_key_id(public),
                    "public_key": base64.b64encode(
                        public.public_bytes(
                            serialization.Encoding.Raw, serialization.PublicFormat.Raw
                        )
                    ).decode(),
                    "value": base64.b64encode(self._signer.sign(canonical(manifest))).decode(),
                }
            text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            _write_file(tmp / MANIFEST, text.encode("utf-8"))
            _fsync_file(tmp / MANIFEST)
            _fsync_dir(tmp)  # device folders were synced by the pool
            self._check_target()
            _swap_in(tmp, out_dir)
            self._committed = self._done = True
        except BaseException as e:
            self.abort()
            if isinstance(e, OSError):
                raise EvidenceError(f"cannot write the snapshot {out_dir}: {e}") from e
            raise
        try:
            _fsync_dir(out_dir.parent)
        except OSError as e:
            raise EvidenceError(f"cannot sync {out_dir.parent}: {e}") from e
        log.info(
            "snapshot written: %s (%d devices, secrets %s)",
            out_dir,
            len(self._devices),
            "kept" if self._keep_secrets else "scrubbed",
        )
        return out_dir / MANIFEST

    def abort(self) -> None:
        """Stop writing and remove the partial directory (nothing appears at ``out_dir``).

        Does nothing after a successful :meth:`commit`; safe to call twice.
        """
        self._done = True
        self._writer.shutdown(wait=True, cancel_futures=True)
        self._syncer.shutdown(wait=True, cancel_futures=True)
        if not self._committed:
            shutil.rmtree(self._tmp, ignore_errors=True)


def write_snapshot(
    out_dir: Path,
    results: Sequence[DeviceResult],
    *,
    inventory_digest: str | None,
    keep_secrets: bool = False,
    signing_key: bytes | None = None,
    tool_version: str = "",
    scrub_key: bytes | None = None,
    created: dt.datetime | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a snapshot directory atomically and return the path of its manifest.

    All results at once, through :class:`SnapshotWriter` (the importer's way; a collection
    feeds the writer device by device instead).

    Args:
        out_dir: the snapshot directory; it must not exist (or be empty) unless ``overwrite``.
        results: one result per device; failed devices are recorded with their status.
        inventory_digest: SHA-256 of the inventory the collection used (None for imports).
        keep_secrets: store secrets as collected (recorded as ``"mode": "kept"``).
        signing_key: Ed25519 private key bytes (PEM or raw); the manifest is signed with it.
        tool_version: recorded in the manifest (default: this netaudit's version).
        scrub_key: the key of secret markers (default: the installation's, see
            :mod:`collectors.secrets`).
        created: the creation time to record (default: now).
        overwrite: replace an existing snapshot at ``out_dir`` (swapped in atomically).

    Raises:
        EvidenceError: duplicate device names, ``out_dir`` not empty, a bad key, or I/O errors.
    """
    # Refuse bad input before anything is created on disk.
    names = [safe_name(r.name) for r in results]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise EvidenceError(f"duplicate device names in the snapshot: {', '.join(dupes)}")
    for r in results:
        if r.status not in STATUSES:
            raise EvidenceError(f"{r.name}: unknown status {r.status!r}")
    with SnapshotWriter(
        out_dir,
        inventory_digest=inventory_digest,
        keep_secrets=keep_secrets,
        signing_key=signing_key,
        tool_version=tool_version,
        scrub_key=scrub_key,
        created=created,
        overwrite=overwrite,
    ) as writer:
        for r in sorted(results, key=lambda r: r.name):
            writer.add(r)
        return writer.commit()


def _swap_in(tmp: Path, out_dir: Path) -> None:
    old: Path | None = None
    if out_dir.exists():
        if out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        else:
            old = out_dir.with_name(f".{out_dir.name}.{secrets.token_hex(4)}.old")
            os.rename(out_dir, old)
    try:
        os.rename(tmp, out_dir)
    except OSError as e:
        if old is not None:
            os.rename(old, out_dir)
        raise EvidenceError(f"cannot move the snapshot into place at {out_dir}: {e}") from e
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- verification -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileCheck:
    """One file of a snapshot compared with its manifest entry."""

    path: str
    state: str  # "ok" | "changed" | "missing" | "added"
    expected: str = ""
    actual: str = ""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of :func:`verify_snapshot`.

    ``signature`` is ``ok`` (valid, by the pinned public key), ``unpinned`` (valid by the key
    embedded in the manifest, but no public key was given to trust), ``bad`` (invalid, or made
    by another key than the pinned one), or ``absent``.
    """

    directory: str
    files: tuple[FileCheck, ...]
    signature: str
    key_id: str = ""
    manifest_sha256: str = ""
    secrets_mode: str = ""
    pinned: bool = False

    @property
    def problems(self) -> tuple[FileCheck, ...]:
        """Files that are changed, missing or added."""
        return tuple(f for f in self.files if f.state != "ok")

    @property
    def ok(self) -> bool:
        """No file problem, no bad signature, and a valid one when a key was pinned."""
        if self.problems or self.signature == "bad":
            return False
        return not (self.pinned and self.signature != "ok")


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a snapshot directory.

    Raises:
        EvidenceError: there is no manifest, or it is not a netaudit snapshot manifest.
    """
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise EvidenceError(f"{directory} has no {MANIFEST}; not a collected snapshot") from e
    except (OSError, ValueError) as e:
        raise EvidenceError(f"unreadable manifest {path}: {e}") from e
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise EvidenceError(f"{path} is not a {SCHEMA} manifest")
    if not isinstance(data.get("files"), dict) or not isinstance(data.get("devices"), dict):
        raise EvidenceError(f"{path} lacks its files or devices table")
    return data


def _check_signature(manifest: Mapping[str, Any], public_key: bytes | None) -> tuple[str, str]:
    sig = manifest.get("signature")
    pinned = load_public_key(public_key) if public_key is not None else None
    if not sig:
        return "absent", ""
    if not isinstance(sig, dict) or sig.get("alg") != "ed25519":
        return "bad", ""
    try:
        embedded = load_public_key(base64.b64decode(str(sig.get("public_key", ""))))
        value = base64.b64decode(str(sig.get("value", "")), validate=True)
    except (EvidenceError, ValueError, binascii.Error):
        return "bad", ""
    key = pinned or embedded
    kid = public_key_id(key)
    try:
        key.verify(value, canonical(manifest))
    except InvalidSignature:
        return "bad", kid
    return ("ok" if pinned is not None else "unpinned"), kid


def verify_snapshot(dir: Path, public_key: bytes | None = None) -> VerifyReport:
    """Compare a snapshot with its manifest: changed, missing and added files, and the signature.

    Args:
        dir: the snapshot directory.
        public_key: the trusted Ed25519 public key (PEM or raw); without it a valid signature
            can only be reported as ``unpinned`` (anyone can re-sign with a key of their own).

    Raises:
        EvidenceError: no readable manifest, or ``public_key`` is not an Ed25519 key.
    """
    directory = Path(dir)
    manifest = read_manifest(directory)
    raw = (directory / MANIFEST).read_bytes()
    signature, kid = _check_signature(manifest, public_key)
    listed: dict[str, Any] = manifest["files"]
    present = {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.relative_to(directory).as_posix() != MANIFEST
    }
    checks: list[FileCheck] = []
    for rel in sorted(set(listed) | present):
        entry = listed.get(rel)
        expected = str(entry.get("sha256", "")) if isinstance(entry, dict) else ""
        if rel not in present:
            checks.append(FileCheck(rel, "missing", expected=expected))
            continue
        if entry is None:
            checks.append(FileCheck(rel, "added", actual=_sha256_file(directory / rel)))
            continue
        actual = _sha256_file(directory / rel)
        checks.append(FileCheck(rel, "ok" if actual == expected else "changed", expected, actual))
    secrets_info = manifest.get("secrets")
    return VerifyReport(
        directory=str(directory),
        files=tuple(checks),
        signature=signature,
        key_id=kid,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        secrets_mode=str(secrets_info.get("mode", "")) if isinstance(secrets_info, dict) else "",
        pinned=public_key is not None,
    )


def _sha256_file(path: Path) -> str:
    if path.is_symlink():
        return "symlink"
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
