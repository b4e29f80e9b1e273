"""The audit engine: snapshot + policy → AuditResult. Library code: never prints or exits.

Only this module and the CLI put parsers, analysis, checks and reports together (an
import-linter contract keeps it so).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from checks import CheckContext, all_checks
from checks.base import Check
from collectors.secrets import scrub_for_display
from netaudit import __version__
from netaudit.errors import InputError
from netaudit.flow import HeaderSpace
from netaudit.inventory import Inventory
from netaudit.model import DeviceConfig
from netaudit.parsers import device_name, parse_file
from netaudit.parsers.base import decode, redact
from netaudit.paths import Disposition, PathFlow, end_to_end
from netaudit.policy import Policy
from netaudit.reach import Crossing, NetworkAnalysis, analyze
from netaudit.result import (
    AuditResult,
    CellState,
    CheckInfo,
    DeviceCoverage,
    Evidence,
    Finding,
    InputProblem,
    MatrixCell,
    RunInfo,
    Severity,
    Status,
    Text,
    Verdict,
    ZoneMatrix,
    fingerprint,
)

CONFIG_SUFFIXES = (".cfg", ".conf", ".txt", ".xml", ".log", "")
REDACTED = "<redacted>"
RUNNING_CONFIG_NAMES = (
    "running-config",
    "show_running-config",
    "show running-config",
    "show config",
    "show full-configuration",
    "show configuration",
    "config",
    "iptables-save",
)


@dataclass(frozen=True, slots=True)
class SnapshotFile:
    """One device's config file in a snapshot, and the platform pinned for it (if any)."""

    device: str
    path: Path
    platform: str | None = None


def snapshot_files(snapshot: Path) -> list[SnapshotFile]:
    """The device files of a snapshot directory (or a single config file).

    ``<name>.cfg`` files stand for device ``name``; a ``<name>/`` folder holds several command
    outputs, of which the running configuration is used. ``manifest.json`` may pin platforms.

    Raises:
        InputError: the path does not exist or holds no config files.
    """
    if snapshot.is_file():
        return [SnapshotFile(device_name(snapshot), snapshot)]
    if not snapshot.is_dir():
        raise InputError("no such snapshot file or directory", file=str(snapshot))
    pinned = _manifest_platforms(snapshot)
    recorded = _manifest_devices(snapshot)
    out: list[SnapshotFile] = []
    not_collected = _manifest_failed(snapshot)
    for entry in sorted(snapshot.iterdir()):
        if entry.name.startswith(".") or entry.name == "manifest.json":
            continue
        if device_name(entry) in not_collected or entry.name in not_collected:
            continue  # partial outputs of a failed collection are evidence, not a config
        if entry.is_dir():
            info = recorded.get(entry.name)
            chosen = (
                _running_config(entry)
                if info is None or "running_config" not in info
                else _recorded_running_config(snapshot, info)
            )
            if chosen is not None:
                out.append(SnapshotFile(entry.name, chosen, pinned.get(entry.name)))
        elif entry.suffix.lower() in CONFIG_SUFFIXES:
            name = device_name(entry)
            out.append(SnapshotFile(name, entry, pinned.get(name)))
    if not out and not recorded:
        raise InputError("the snapshot holds no config files", file=str(snapshot))
    return out


def _running_config(folder: Path) -> Path | None:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    for wanted in RUNNING_CONFIG_NAMES:
        for p in files:
            if p.stem.replace("_", " ") == wanted.replace("_", " "):
                return p
    return files[0] if len(files) == 1 else None


def _manifest_devices(snapshot: Path) -> dict[str, dict[str, object]]:
    """The per-device records of ``manifest.json`` (empty without a manifest)."""
    manifest = snapshot / "manifest.json"
    if not manifest.is_file():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"unreadable manifest: {e}", file=str(manifest)) from e
    devices = data.get("devices", {}) if isinstance(data, dict) else {}
    if not isinstance(devices, dict):
        return {}
    return {str(n): info for n, info in devices.items() if isinstance(info, dict)}


def _manifest_platforms(snapshot: Path) -> dict[str, str]:
    return {
        name: str(info["platform"])
        for name, info in _manifest_devices(snapshot).items()
        if isinstance(info.get("platform"), str)
    }


# Collection statuses (collectors.evidence) that mean the device's config is complete.
_COLLECTED = ("ok", "imported")


def _manifest_failed(snapshot: Path) -> dict[str, str]:
    """Devices the manifest records as not collected, with their status and error."""
    out: dict[str, str] = {}
    for name, info in _manifest_devices(snapshot).items():
        status = info.get("status")
        if isinstance(status, str) and status not in _COLLECTED:
            error = info.get("error")
            out[name] = status + (f": {error}" if isinstance(error, str) and error else "")
    return out


def _recorded_running_config(snapshot: Path, info: dict[str, object]) -> Path | None:
    """The running config the manifest names for a device folder; None when it records none
    (only other command outputs were saved: they are no config to parse)."""
    rel = info.get("running_config")
    if not isinstance(rel, str):
        return None
    path = snapshot / rel
    return path if path.is_file() else None


@dataclass
class LoadedSnapshot:
    """Parsed devices and the problems met while reading them."""

    devices: list[DeviceConfig]
    problems: list[InputProblem]
    failed: list[str]
    collection: dict[str, str] = field(default_factory=dict)
    """Why a device in ``failed`` has no config, when it was not collected (else a parse failed)."""


def load_snapshot(
    snapshot: Path,
    *,
    platform: str | None = None,
    progress: Callable[[str], None] | None = None,
    inventory: Inventory | None = None,
) -> LoadedSnapshot:
    """Parse every device of a snapshot; a file that cannot be read is a problem, not a crash.

    The inventory pins platforms, and a device it lists that has no config in the snapshot
    was not collected: a problem that makes the audit incomplete.
    """
    devices: list[DeviceConfig] = []
    problems: list[InputProblem] = []
    failed: list[str] = []
    pins = inventory.platforms() if inventory is not None else {}
    files = snapshot_files(snapshot)
    for sf in files:
        if progress is not None:
            progress(sf.device)
        chosen = pins.get(sf.device) or sf.platform or platform
        try:
            devices.append(parse_file(sf.path, platform=chosen, name=sf.device))
        except InputError as e:
            problems.append(InputProblem(file=e.file or str(sf.path), line=e.line, message=str(e)))
            failed.append(sf.device)
    not_collected = _manifest_failed(snapshot) if snapshot.is_dir() else {}
    collection: dict[str, str] = {}
    for name, why in not_collected.items():
        collection[name] = f"not collected ({why.split(':', 1)[0]})"
        # A device the collection failed on: not collected, so the audit is incomplete.
        problems.append(
            InputProblem(
                file=str(snapshot / "manifest.json"),
                line=0,
                message=f"{name}: not collected ({why})",
            )
        )
        if name not in failed:
            failed.append(name)
    if inventory is not None:
        present = {sf.device for sf in files}
        for d in inventory.devices:
            if d.name not in present:
                problems.append(
                    InputProblem(
                        file=inventory.file,
                        line=d.line,
                        message=f"{d.name}: listed in the inventory but has no config in {snapshot}",
                    )
                )
                failed.append(d.name)
                collection.setdefault(d.name, "not collected (no config in the snapshot)")
    return LoadedSnapshot(devices=devices, problems=problems, failed=failed, collection=collection)


# -- the audit ------------------------------------------------------------------------------


def _coverage(
    devices: Iterable[DeviceConfig],
    failed: Iterable[str],
    problems: Sequence[InputProblem],
    display: DisplayLines | None = None,
    collection: Mapping[str, str] | None = None,
) -> tuple[DeviceCoverage, ...]:
    shown = display or DisplayLines({})
    out = [
        DeviceCoverage(
            device=d.name,
            file=d.source,
            platform=d.platform,
            lines=d.coverage.total_lines,
            recognized=d.coverage.recognized,
            unrecognized=tuple(
                (u.line, shown.line(d.source, u.line, u.text)) for u in d.coverage.unrecognized
            ),
            warnings=tuple((w.span.line, w.message) for w in d.warnings),
        )
        for d in devices
    ]
    for name in failed:
        file = next((p.file for p in problems if name in p.file), "")
        out.append(
            DeviceCoverage(
                device=name,
                file=file,
                platform="?",
                lines=0,
                recognized=0,
                unrecognized=(),
                collection=(collection or {}).get(name, "parse failed"),
            )
        )
    return tuple(sorted(out, key=lambda c: c.device))


def network_paths(
    analysis: NetworkAnalysis, inventory: Inventory | None, *, isolated: bool = False
) -> list[PathFlow]:
    """End-to-end paths, with the links, externals and unknown devices the inventory names."""
    if inventory is None:
        return end_to_end(analysis, isolated=isolated)
    present = set(analysis.devices)
    return end_to_end(
        analysis,
        isolated=isolated,
        links=[(k.a_device, k.a_interface, k.b_device, k.b_interface) for k in inventory.links],
        externals={(x.device, x.interface): x.zone for x in inventory.externals},
        unknown=[d.name for d in inventory.devices if not d.forwarding_known and d.name in present],
    )


def _devices_of(c: Crossing | PathFlow) -> tuple[str, ...]:
    return (c.device,) if isinstance(c, Crossing) else tuple(h.device for h in c.hops)


def _matrix(analysis: NetworkAnalysis, findings: Sequence[Finding]) -> ZoneMatrix:
    zones = analysis.policy.zone_ids
    cells: list[MatrixCell] = []
    for zf in zones:
        for zt in zones:
            if zf == zt:
                cells.append(MatrixCell(zone_from=zf, zone_to=zt, state=CellState.SAME))
                continue
            # End to end when the paths are known: what a device forwards but the next one
            # drops crosses nothing. Each distinct hop sequence is one path.
            crossings: Sequence[Crossing | PathFlow] = (
                [c for c in analysis.crossings if c.zone_from == zf and c.zone_to == zt]
                if analysis.paths is None
                else [p for p in analysis.paths if p.zone_from == zf and p.zone_to == zt]
            )
            related = [f for f in findings if f.zone_from == zf and f.zone_to == zt and f.device]
            violations = [f for f in related if f.status is Status.FAIL]
            unknown = [f for f in related if f.status is Status.UNKNOWN]
            state = (
                CellState.VIOLATION
                if violations
                else CellState.UNKNOWN
                if unknown
                else CellState.ALLOWED
                if crossings
                else CellState.NONE
            )
            example = None
            if crossings:
                w = crossings[0].packets.witness()
                example = w.to_json() if w else None
            if any(
                isinstance(c, PathFlow) and c.disposition is Disposition.UNKNOWN for c in crossings
            ):
                state = CellState.VIOLATION if violations else CellState.UNKNOWN
            if violations and violations[0].example_flow:
                example = violations[0].example_flow
            cells.append(
                MatrixCell(
                    zone_from=zf,
                    zone_to=zt,
                    state=state,
                    paths=len(crossings),
                    allowed_paths=len(crossings) - len({f.path for f in violations}),
                    violations=len(violations),
                    example_flow=example,
                    devices=tuple(sorted({d for c in crossings for d in _devices_of(c)})),
                )
            )
    return ZoneMatrix(zones=zones, cells=tuple(cells))


def _incomplete_findings(
    devices: Sequence[DeviceConfig], analysis: NetworkAnalysis
) -> list[Finding]:
    """Parser warnings that can change a verdict, and unresolved rules on a path."""
    out: list[Finding] = []
    for d in devices:
        unrec = d.coverage.unrecognized
        if unrec:
            # Principle 2: a line not understood may carry a permit; the verdict cannot pass.
            first = ", ".join(str(u.line) for u in unrec[:5]) + (" …" if len(unrec) > 5 else "")
            out.append(
                _parse_finding(
                    d.name,
                    "unrecognized",
                    Text(
                        ja="設定に解釈できない行があり、判定に影響する可能性があります",
                        en="Config lines not understood; verdicts may depend on them",
                    ),
                    Text(
                        ja=f"{d.name}: {len(unrec)} 行を解釈できませんでした（行 {first}）。解析率 {d.coverage.share:.1%}。",
                        en=f"{d.name}: {len(unrec)} line(s) not understood (lines {first}); {d.coverage.share:.1%} understood.",
                    ),
                    tuple(
                        Evidence(
                            file=d.source,
                            line=u.line,
                            text=u.text,
                            device=d.name,
                            role="not understood",
                        )
                        for u in unrec[:5]
                    ),
                )
            )
        out.extend(
            _parse_finding(
                d.name,
                w.message,
                Text(
                    ja="設定の一部を解釈できず判定に影響します",
                    en="Part of the config could not be interpreted; verdicts may change",
                ),
                Text(ja=f"{d.name}: {w.message}", en=f"{d.name}: {w.message}"),
            )
            for w in d.warnings
            if w.matters
        )
    for name, fwd in analysis.forwarding.items():
        out.extend(
            _parse_finding(
                name,
                r.span.text,
                Text(
                    ja="解決できない名前を参照するルール",
                    en="Rule references names that could not be resolved",
                ),
                Text(
                    ja=f"{name}: {', '.join(r.unresolved)} を解決できないため、このルールが許可する範囲は不明です。",
                    en=f"{name}: {', '.join(r.unresolved)} could not be resolved; what this rule permits is unknown.",
                ),
            )
            for r in {id(r): r for r in fwd.unresolved}.values()
        )
    return out


def _parse_finding(
    device: str, key: str, title: Text, message: Text, evidence: tuple[Evidence, ...] = ()
) -> Finding:
    """A PARSE finding: something not understood that a verdict may depend on (unknown)."""
    return Finding(
        check="PARSE",
        severity=Severity.INFO,
        status=Status.UNKNOWN,
        title=title,
        message=message,
        device=device,
        evidence=evidence,
        fingerprint=fingerprint("PARSE", device, key),
    )


def run_checks(checks: Sequence[Check], ctx: CheckContext) -> list[Finding]:
    """Run checks; a check that raises becomes one ``error`` finding, the others still run."""
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check.run(ctx))
        except Exception as e:
            findings.append(
                Finding(
                    check=check.meta.id,
                    severity=check.meta.severity,
                    status=Status.ERROR,
                    title=check.meta.title,
                    message=Text(
                        ja=f"チェックの実行に失敗しました: {e!r}",
                        en=f"The check failed to run: {e!r}",
                    ),
                    fingerprint=fingerprint(check.meta.id, "error"),
                )
            )
    return findings


def verdict_of(findings: Sequence[Finding], failed_devices: Sequence[str]) -> Verdict:
    """fail when any finding fails; else incomplete when anything is unknown or missing."""
    if any(f.status is Status.FAIL for f in findings):
        return Verdict.FAIL
    if failed_devices or any(f.status in (Status.UNKNOWN, Status.ERROR) for f in findings):
        return Verdict.INCOMPLETE
    return Verdict.PASS


def audit(
    snapshot: Path,
    policy: Policy,
    *,
    today: dt.date | None = None,
    only: Sequence[str] = (),
    platform: str | None = None,
    lang: str = "ja",
    progress: Callable[[str], None] | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    space: HeaderSpace | None = None,
    inventory: Inventory | None = None,
    isolated: bool = False,
) -> tuple[AuditResult, NetworkAnalysis]:
    """Audit a snapshot against a policy.

    ``isolated`` treats each device as a network of its own: no device is the neighbour of
    another (a folder of unrelated sites whose private subnets overlap).

    Pass the same ``space`` to audits whose packet sets will be compared (a before/after
    diff): sets from different header spaces cannot be combined.
    """
    started = (clock or (lambda: dt.datetime.now(dt.UTC)))()
    t0 = time.perf_counter()
    loaded = load_snapshot(snapshot, platform=platform, progress=progress, inventory=inventory)
    space = space or HeaderSpace()
    hints = inventory.zone_hints() if inventory is not None else {}
    analysis = analyze(space, loaded.devices, policy, zone_hints=hints)
    if inventory is not None:
        analysis.links = tuple(
            (k.a_device, k.a_interface, k.b_device, k.b_interface) for k in inventory.links
        )
    analysis.paths = network_paths(analysis, inventory, isolated=isolated)
    checks = [c for c in all_checks() if not only or c.meta.id in only]
    ctx = CheckContext(analysis=analysis, today=today or started.date())
    findings = run_checks(checks, ctx) + _incomplete_findings(loaded.devices, analysis)
    display = DisplayLines({d.source: d.platform for d in loaded.devices})
    findings = with_context(_dedupe(findings), display=display)
    result = AuditResult(
        policy_file=policy.file,
        policy_digest=policy.digest,
        model=policy.data.model,
        snapshot=str(snapshot),
        verdict=verdict_of(findings, loaded.failed),
        findings=tuple(findings),
        matrix=_matrix(analysis, findings),
        coverage=_coverage(
            loaded.devices, loaded.failed, loaded.problems, display, loaded.collection
        ),
        problems=tuple(loaded.problems),
        run=RunInfo(
            tool_version=__version__,
            started=started.isoformat(timespec="seconds"),
            duration_s=round(time.perf_counter() - t0, 3),
            lang=lang,
        ),
        manifest_digest=_manifest_digest(snapshot),
        checks_run=tuple(c.meta.id for c in checks),
        checks=tuple(
            CheckInfo(
                id=c.meta.id,
                title=c.meta.title,
                severity=c.meta.severity,
                basis=c.meta.basis,
                doc=inspect.cleandoc(type(c).__doc__ or ""),
                fix=c.meta.fix,
            )
            for c in checks
        ),
    )
    return result, analysis


CONTEXT_LINES = 2


# The scrubber's markers carry a digest so stored snapshots show a changed secret; a report only
# needs to say that a secret was there, the way parsers quote such lines.
_MARKER = re.compile(r"<removed:sha256:[0-9a-f]+>|&lt;removed:sha256:[0-9a-f]+&gt;")


class DisplayLines:
    """Config lines as reports may show them: every secret replaced.

    Parsers keep secrets out of what they model, but reports also quote raw lines (evidence,
    the lines around it, lines not understood) from files that may never have been scrubbed
    (a folder of configs copied by hand). Each file is scrubbed whole with its platform's rules
    (``collectors.secrets``; line numbers do not move) before any of its lines is shown.
    """

    def __init__(self, platforms: Mapping[str, str]) -> None:
        self.platforms = dict(platforms)
        self._files: dict[str, tuple[list[str], list[str]] | None] = {}

    def _load(self, file: str) -> tuple[list[str], list[str]] | None:
        if file not in self._files:
            try:
                raw = decode(Path(file).read_bytes(), source=file)
            except (OSError, InputError):
                self._files[file] = None
            else:
                shown = _MARKER.sub(REDACTED, scrub_for_display(raw, self.platforms.get(file)))
                self._files[file] = (raw.splitlines(), shown.splitlines())
        return self._files[file]

    def lines(self, file: str) -> list[str] | None:
        """The file's lines with secrets replaced, or ``None`` when it cannot be read."""
        loaded = self._load(file)
        return loaded[1] if loaded is not None else None

    def line(self, file: str, number: int, text: str) -> str:
        """``text`` (what a parser quoted of line ``number``), or the scrubbed line when that
        line holds a secret."""
        loaded = self._load(file) if file else None
        if loaded is None or not 1 <= number <= min(len(loaded[0]), len(loaded[1])):
            return text
        raw, shown = loaded[0][number - 1], loaded[1][number - 1]
        return text if raw == shown else shown.strip()


def with_context(
    findings: Sequence[Finding],
    around: int = CONTEXT_LINES,
    display: DisplayLines | None = None,
) -> list[Finding]:
    """Attach the lines around each piece of evidence, with every secret replaced."""
    shown = display or DisplayLines({})
    out: list[Finding] = []
    for f in findings:
        evidence = []
        for e in f.evidence:
            lines = shown.lines(e.file) if e.file and e.line > 0 else None
            if lines is None or e.line > len(lines):
                evidence.append(e)
                continue
            lo, hi = max(1, e.line - around), min(len(lines), e.line + around)
            ctx = tuple(
                (n, redact(lines[n - 1].rstrip())) for n in range(lo, hi + 1) if n != e.line
            )
            text = shown.line(e.file, e.line, e.text)
            evidence.append(replace(e, text=text, context=ctx))
        out.append(replace(f, evidence=tuple(evidence)))
    return out


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the first finding per (check, fingerprint): equal evidence reported once."""
    seen: set[tuple[str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.check, f.fingerprint)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def _manifest_digest(snapshot: Path) -> str:
    manifest = snapshot / "manifest.json" if snapshot.is_dir() else None
    if manifest is None or not manifest.is_file():
        return ""
    return hashlib.sha256(manifest.read_bytes()).hexdigest()


def with_run(result: AuditResult, run: RunInfo) -> AuditResult:
    """The same result with other run facts (for reproducible golden files)."""
    return replace(result, run=run)
