"""Import configurations saved by other tools into a proper snapshot (``--from-dir``).

Three layouts are understood:

* **flat** — one file per device directly in the folder: ``<host>.cfg``, ``<host>.conf``,
  ``<host>.txt`` or a file with no suffix (a name such as ``sw1.example.jp`` keeps its dots:
  only those known suffixes are taken off).
* **oxidized** — oxidized's file output: one file per node, named by the node, optionally in
  one folder per group; the folder may be a git working tree (``.git`` is skipped and the
  commit recorded) or a *bare* git repository (oxidized's ``output: git``), whose files are
  read from ``HEAD`` with the ``git`` command.
* **RANCID** — ``<group>/configs/<host>`` (the base folder or one group folder may be given).
  RANCID prefixes each file with its own comment header (``!RANCID-CONTENT-TYPE: cisco``,
  ``!Chassis type: …``, ``#RANCID-CONTENT-TYPE: juniper`` …). The leading run of such
  comment lines is removed, so line numbers in findings match the device's own configuration,
  and the content type becomes a platform hint (``router.db`` types too).

Each device becomes a :class:`~collectors.evidence.DeviceResult` with status ``imported``
(``command_failed`` for an empty or unreadable file, so an audit names it as not collected),
the source path, layout and original file's SHA-256 in its facts, and the whole goes through
:func:`collectors.evidence.write_snapshot`: scrubbed, hashed, signed, written atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from collectors.evidence import RUNNING_CONFIG, DeviceResult, write_snapshot
from netaudit.errors import InputError
from netaudit.parsers import available
from netaudit.parsers.base import decode

log = logging.getLogger(__name__)

LAYOUTS = ("auto", "flat", "oxidized", "rancid")
_SUFFIXES = (".cfg", ".conf", ".txt", ".config", ".xml")
_SKIP_NAMES = frozenset({"router.db", ".cvsignore", "README", "README.md"})
_SKIP_DIRS = frozenset({".git", "CVS", "RCS", ".svn", "logs", "status"})

# RANCID device types (router.db / RANCID-CONTENT-TYPE) -> candidate platforms. "cisco" is
# used by RANCID for IOS and for ASA/PIX alike; the parsers' detection picks among candidates.
RANCID_TYPES: dict[str, tuple[str, ...]] = {
    "cisco": ("cisco_ios", "cisco_asa", "cisco_nxos"),
    "ios": ("cisco_ios",),
    "cisco-nx": ("cisco_nxos",),
    "nxos": ("cisco_nxos",),
    "asa": ("cisco_asa",),
    "pix": ("cisco_asa",),
    "juniper": ("juniper_junos",),
    "junos": ("juniper_junos",),
    "fortigate": ("fortinet",),
    "fortios": ("fortinet",),
    "paloalto": ("paloalto_panos",),
    "panos": ("paloalto_panos",),
    "yamaha": ("yamaha",),
    "alaxala": ("alaxala_ax",),
    "awplus": ("allied_telesis_awplus",),
    "alliedtelesis": ("allied_telesis_awplus",),
    "nec-ix": ("nec_ix",),
}
_CONTENT_TYPE = re.compile(r"^[!#]\s*RANCID-CONTENT-TYPE:\s*(\S+)", re.M)
# Comment lines the device itself prints, kept even inside RANCID's header run.
_DEVICE_COMMENTS = re.compile(r"^(?:!Command:|!Time:|!Running configuration|#config-version=)")


@dataclass(frozen=True, slots=True)
class _Found:
    name: str
    rel: str
    data: bytes
    mtime: dt.datetime
    group: str = ""
    rancid_type: str = ""


def import_dir(
    src: Path,
    out: Path,
    *,
    platform_hints: Mapping[str, str] | None = None,
    keep_secrets: bool = False,
    signing_key: bytes | None = None,
    layout: str = "auto",
    inventory_digest: str | None = None,
    tool_version: str = "",
    scrub_key: bytes | None = None,
    overwrite: bool = False,
) -> Path:
    """Import the configs under ``src`` into a snapshot at ``out``; returns the manifest path.

    Args:
        src: the folder (flat, oxidized output, oxidized bare git repository, RANCID base or
            group folder).
        out: the snapshot directory to write (see :func:`collectors.evidence.write_snapshot`).
        platform_hints: device name -> platform, winning over RANCID types and detection
            (e.g. the inventory's pins).
        keep_secrets: store secrets as found instead of scrubbing them.
        signing_key: Ed25519 private key bytes to sign the manifest with.
        layout: one of :data:`LAYOUTS`; ``auto`` recognizes the layout.

    Raises:
        InputError: ``src`` is not a folder, holds no config, or names one device twice.
        EvidenceError: the snapshot cannot be written.
    """
    src = Path(src)
    if not src.is_dir():
        raise InputError("not a directory", file=str(src))
    if layout not in LAYOUTS:
        raise InputError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    found_layout = detect_layout(src) if layout == "auto" else layout
    commit = ""
    try:
        if found_layout == "oxidized" and _is_bare_git(src):
            commit, items = _from_bare_git(src)
        elif found_layout == "rancid":
            items = list(_from_rancid(src))
        else:
            items = list(_from_files(src))
            if (src / ".git").exists():
                commit = _git_head(["-C", str(src)])
    except OSError as e:
        raise InputError(f"cannot read: {e}", file=str(src)) from e
    if not items:
        raise InputError(f"no configuration files found ({found_layout} layout)", file=str(src))
    names: dict[str, str] = {}
    for it in items:
        if it.name in names:
            raise InputError(
                f"device {it.name!r} appears twice: {names[it.name]} and {it.rel}", file=str(src)
            )
        names[it.name] = it.rel
    hints = dict(platform_hints or {})
    results = [_result(it, found_layout, commit, hints.get(it.name)) for it in items]
    log.info("importing %d device(s) from %s (%s layout)", len(results), src, found_layout)
    return write_snapshot(
        out,
        results,
        inventory_digest=inventory_digest,
        keep_secrets=keep_secrets,
        signing_key=signing_key,
        tool_version=tool_version,
        scrub_key=scrub_key,
        overwrite=overwrite,
    )


def detect_layout(src: Path) -> str:
    """``rancid``, ``oxidized`` or ``flat`` for a folder."""
    if (src / "configs").is_dir() or any(
        (d / "configs").is_dir() for d in src.iterdir() if d.is_dir()
    ):
        return "rancid"
    if _is_bare_git(src) or (src / ".git").exists():
        return "oxidized"
    if any(
        d.is_dir() and d.name not in _SKIP_DIRS and not d.name.startswith(".")
        for d in src.iterdir()
    ):
        return "oxidized"
    return "flat"


def device_name_of(filename: str) -> str:
    """The device a saved file stands for: known suffixes are taken off, other dots kept."""
    lower = filename.lower()
    for suffix in _SUFFIXES:
        if lower.endswith(suffix) and len(filename) > len(suffix):
            return filename[: -len(suffix)]
    return filename


def strip_rancid_header(text: str) -> tuple[str, str]:
    """Remove RANCID's leading comment header; return (config text, RANCID content type).

    Only the leading run of comment lines (``!`` or ``#``, the character of the
    ``RANCID-CONTENT-TYPE`` line) is removed, except comment lines the device prints itself
    (``!Command:``, ``!Time:``, ``#config-version=``).
    """
    m = _CONTENT_TYPE.search(text[:4096])
    if m is None:
        return text, ""
    content_type = m.group(1).lower()
    char = text[m.start()]
    lines = text.split("\n")
    i = 0
    kept: list[str] = []
    while i < len(lines) and (lines[i].startswith(char) or not lines[i].strip()):
        if _DEVICE_COMMENTS.match(lines[i]):
            kept.append(lines[i])
        i += 1
    return "\n".join(kept + lines[i:]), content_type


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)


def _from_files(root: Path) -> Iterator[_Found]:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(p in _SKIP_DIRS or p.startswith(".") for p in rel.parts):
            continue
        if not path.is_file() or path.name in _SKIP_NAMES:
            continue
        group = "/".join(rel.parts[:-1])
        yield _Found(
            device_name_of(path.name), rel.as_posix(), path.read_bytes(), _mtime(path), group
        )


def _rancid_groups(src: Path) -> list[Path]:
    if (src / "configs").is_dir():
        return [src]
    return sorted(d for d in src.iterdir() if d.is_dir() and (d / "configs").is_dir())


def _router_db(group: Path) -> dict[str, str]:
    """``router.db``: ``host;type;state`` (RANCID 3) or ``host:type:state`` (older)."""
    out: dict[str, str] = {}
    try:
        text = (group / "router.db").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(";") if ";" in line else line.split(":")
        if len(parts) >= 2:
            out[parts[0].strip()] = parts[1].strip().lower()
    return out


def _from_rancid(src: Path) -> Iterator[_Found]:
    for group in _rancid_groups(src):
        types = _router_db(group)
        for path in sorted((group / "configs").iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.name in _SKIP_NAMES:
                continue
            yield _Found(
                path.name,
                path.relative_to(src).as_posix(),
                path.read_bytes(),
                _mtime(path),
                "" if group == src else group.name,
                types.get(path.name, ""),
            )


def _is_bare_git(src: Path) -> bool:
    return (src / "HEAD").is_file() and (src / "objects").is_dir() and (src / "refs").is_dir()


def _git(args: list[str]) -> bytes:
    exe = shutil.which("git")
    if exe is None:
        raise InputError("reading an oxidized git repository needs the git command")
    try:
        return subprocess.run(  # noqa: S603 - fixed executable, argument list, no shell
            [exe, *args], check=True, capture_output=True, timeout=120
        ).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        raise InputError(f"git {' '.join(args[-2:])} failed") from e


def _git_head(prefix: list[str]) -> str:
    try:
        return _git([*prefix, "rev-parse", "HEAD"]).decode().strip()
    except InputError:
        return ""


def _from_bare_git(src: Path) -> tuple[str, list[_Found]]:
    prefix = ["--git-dir", str(src)]
    commit = _git_head(prefix)
    if not commit:
        return "", []
    when = _git([*prefix, "log", "-1", "--format=%ct", commit]).decode().strip()
    mtime = dt.datetime.fromtimestamp(int(when or 0), tz=dt.UTC)
    names = _git([*prefix, "ls-tree", "-r", "--name-only", "-z", commit]).split(b"\0")
    out: list[_Found] = []
    for raw in sorted(n for n in names if n):
        rel = raw.decode("utf-8", errors="replace")
        parts = rel.split("/")
        if any(p.startswith(".") for p in parts) or parts[-1] in _SKIP_NAMES:
            continue
        data = _git([*prefix, "show", f"{commit}:{rel}"])
        out.append(_Found(device_name_of(parts[-1]), rel, data, mtime, "/".join(parts[:-1])))
    return commit, out


def _pick_platform(text: str, candidates: tuple[str, ...]) -> str | None:
    parsers = available()
    scored = [(parsers[p].detect(text), p) for p in candidates if p in parsers]
    if not scored:
        return None
    best = max(scored, key=lambda s: s[0])
    return best[1] if best[0] > 0 else candidates[0]


def _result(it: _Found, layout: str, commit: str, hint: str | None) -> DeviceResult:
    facts = {
        "source": it.rel,
        "layout": layout,
        "source_sha256": hashlib.sha256(it.data).hexdigest(),
    }
    if it.group:
        facts["group"] = it.group
    if commit:
        facts["git_commit"] = commit
    try:
        text = decode(it.data, source=it.rel)
    except InputError as e:
        return DeviceResult(
            it.name, None, hint, "command_failed", it.mtime, it.mtime, {}, str(e), facts
        )
    content_type = it.rancid_type
    if layout == "rancid":
        text, header_type = strip_rancid_header(text)
        content_type = header_type or content_type
    platform = hint
    if content_type:
        facts["rancid_content_type"] = content_type
        if platform is None and content_type in RANCID_TYPES:
            platform = _pick_platform(text, RANCID_TYPES[content_type])
    if not text.strip():
        return DeviceResult(
            it.name, None, platform, "command_failed", it.mtime, it.mtime, {}, "empty file", facts
        )
    return DeviceResult(
        it.name, None, platform, "imported", it.mtime, it.mtime, {RUNNING_CONFIG: text}, "", facts
    )
