"""Waivers (例外措置): approved, time-limited exceptions that turn failing findings into ``waived``.

A waivers file is YAML validated like the policy (pydantic ``extra="forbid"``, every problem
with its file and line)::

    schema_version: 1
    waivers:
      - id: W-2026-001
        check: MYN-002              # with device, optional zone_from/zone_to and rule, or
        device: sep-rtr1
        zone_from: mynumber
        zone_to: lgwan
        rule: "eq 445"              # a substring of a deciding config line
        # fingerprint: 774b4cdc2d83178f   # the finding's fingerprint (stable across line shifts)
        reason: 移行期間中の暫定措置
        approver: 情報政策課長
        application_no: R7-情政-0123   # 申請番号
        expires: 2027-03-31          # the last day the waiver holds (required)

A waiver only ever waives *failing* findings. An expired waiver waives nothing: its findings stay
``fail`` and the waiver itself is reported (``WVR-001``). A waiver that matches no failing
finding is stale (``WVR-002``): the exception is no longer needed and should be withdrawn.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from netaudit.engine import verdict_of
from netaudit.policy import (
    Policy,
    PolicyValidationError,
    Problem,
    load_yaml_model,
)
from netaudit.result import (
    AuditResult,
    CellState,
    Evidence,
    Finding,
    MatrixCell,
    PolicyRef,
    Severity,
    Status,
    Text,
    WaiverRef,
    ZoneMatrix,
    fingerprint,
)
from netaudit.yamlmodel import line_of

EXPIRED_CHECK = "WVR-001"
STALE_CHECK = "WVR-002"
_FINGERPRINT_RE = re.compile(r"^[0-9a-f]{16}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WaiverEntry(_Strict):
    """One approved exception, as written in the waivers file."""

    id: str = Field(min_length=1)
    fingerprint: str | None = None
    check: str | None = None
    device: str | None = None
    zone_from: str | None = None
    zone_to: str | None = None
    rule: str | None = Field(default=None, min_length=1)
    reason: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    application_no: str = Field(min_length=1)
    expires: dt.date

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint_form(cls, v: str | None) -> str | None:
        if v is not None and not _FINGERPRINT_RE.match(v):
            raise ValueError(f"{v!r} is not a finding fingerprint (16 lowercase hex digits)")
        return v

    @model_validator(mode="after")
    def _selector(self) -> WaiverEntry:
        if self.fingerprint is None and (self.check is None or self.device is None):
            raise ValueError("give either 'fingerprint', or 'check' and 'device'")
        return self


class WaiversModel(_Strict):
    """The whole waivers file."""

    schema_version: Literal[1] = 1
    waivers: list[WaiverEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Waivers:
    """A validated waivers file with the line of every entry."""

    data: WaiversModel
    file: str
    lines: dict[tuple[Any, ...], int]

    @property
    def entries(self) -> tuple[WaiverEntry, ...]:
        """The waivers, in file order."""
        return tuple(self.data.waivers)

    def line(self, *path: Any) -> int:
        """The line of a key or list item (the nearest enclosing one that has a line)."""
        return line_of(self.lines, path)


def load_waivers(path: Path, *, policy: Policy | None = None) -> Waivers:
    """Read and validate a waivers file; with ``policy``, zone names are checked against it.

    Raises:
        PolicyValidationError: with every problem found, each with its line.
        PolicyError: the file cannot be read.
    """
    loaded = load_yaml_model(
        path, WaiversModel, what="waivers file", empty_ok=True, prepare=_raw_text_fields
    )
    problems = list(loaded.problems)
    waivers = Waivers(data=loaded.model, file=loaded.file, lines=loaded.lines)
    problems.extend(_semantic_problems(waivers, policy))
    if problems:
        raise PolicyValidationError(problems)
    return waivers


def _raw_text_fields(node: yaml.Node, data: dict[str, Any]) -> None:
    """Keep text fields as written: an unquoted fingerprint or 申請番号 may read as a number.

    ``0123456789abcdef`` is text, but ``1887483846721620`` is an int to YAML and
    ``0755`` even an octal one; the composed node still holds the characters.
    """
    items = data.get("waivers")
    if not isinstance(node, yaml.MappingNode) or not isinstance(items, list):
        return
    seq = next((v for k, v in node.value if k.value == "waivers"), None)
    if not isinstance(seq, yaml.SequenceNode):
        return
    for item_node, item in zip(seq.value, items, strict=False):
        if not isinstance(item_node, yaml.MappingNode) or not isinstance(item, dict):
            continue
        for k, v in item_node.value:
            plain = isinstance(v, yaml.ScalarNode) and v.style is None
            if plain and k.value in _TEXT_FIELDS and isinstance(item.get(k.value), int | float):
                item[k.value] = v.value


_TEXT_FIELDS = frozenset({"id", "fingerprint", "check", "device", "application_no", "approver"})


def _semantic_problems(w: Waivers, policy: Policy | None) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, entry in enumerate(w.entries):
        line = w.line("waivers", i, "id")
        if entry.id in first:
            yield Problem(
                w.file, line, f"duplicate waiver id {entry.id!r} (first at line {first[entry.id]})"
            )
        else:
            first[entry.id] = line
        if policy is None:
            continue
        for key in ("zone_from", "zone_to"):
            zone = getattr(entry, key)
            if zone is not None and zone not in policy.data.zones:
                yield Problem(
                    w.file, w.line("waivers", i, key), f"undefined zone {zone!r} in {entry.id}"
                )


def lint_waivers(waivers: Waivers, *, today: dt.date) -> list[Problem]:
    """Problems a valid waivers file can still have: waivers past their expiry date."""
    return [
        Problem(
            waivers.file,
            waivers.line("waivers", i, "expires"),
            f"waiver {e.id} expired on {e.expires.isoformat()}",
        )
        for i, e in enumerate(waivers.entries)
        if e.expires < today
    ]


# -- applying waivers ------------------------------------------------------------------------


class WaiverState(enum.Enum):
    """What became of one waiver in an audit."""

    APPLIED = "applied"
    EXPIRED = "expired"
    STALE = "stale"


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiverNote:
    """One waiver's outcome: the fingerprints of the failing findings it matched."""

    waiver_id: str
    file: str
    line: int
    state: WaiverState
    matched: tuple[str, ...]
    expires: dt.date


def matches(entry: WaiverEntry, finding: Finding) -> bool:
    """True when ``entry`` selects ``finding`` (every key given must agree)."""
    if entry.fingerprint is not None and entry.fingerprint != finding.fingerprint:
        return False
    if entry.check is not None and entry.check.upper() != finding.check.upper():
        return False
    if entry.device is not None and entry.device != finding.device:
        return False
    if entry.zone_from is not None and entry.zone_from != finding.zone_from:
        return False
    if entry.zone_to is not None and entry.zone_to != finding.zone_to:
        return False
    return entry.rule is None or any(entry.rule in ev.text for ev in finding.evidence)


def _approval(entry: WaiverEntry) -> Text:
    expires = entry.expires.isoformat()
    return Text(
        ja=f"例外承認: 申請番号 {entry.application_no}, 承認者 {entry.approver}, 期限 {expires}"
        f"（理由: {entry.reason}）",
        en=f"Waiver: application no. {entry.application_no}, approved by {entry.approver}, "
        f"expires {expires} (reason: {entry.reason})",
    )


def waiver_ref(entry: WaiverEntry, ref: PolicyRef) -> WaiverRef:
    """The approval data of ``entry`` (at ``ref``) as reports show it."""
    return WaiverRef(
        id=entry.id,
        application_no=entry.application_no,
        approver=entry.approver,
        expires=entry.expires.isoformat(),
        reason=entry.reason,
        file=ref.file,
        line=ref.line,
    )


def _waived(finding: Finding, entry: WaiverEntry, ref: PolicyRef) -> Finding:
    note = _approval(entry)
    return replace(
        finding,
        status=Status.WAIVED,
        message=Text(ja=f"{finding.message.ja}\n{note.ja}", en=f"{finding.message.en}\n{note.en}"),
        policy_ref=ref,
        waiver=waiver_ref(entry, ref),
    )


def _waiver_finding(check: str, entry: WaiverEntry, ref: PolicyRef, matched: int) -> Finding:
    expires = entry.expires.isoformat()
    evidence = (Evidence(file=ref.file, line=ref.line, text=f"id: {entry.id}", role="waiver"),)
    if check == EXPIRED_CHECK:
        return Finding(
            check=EXPIRED_CHECK,
            severity=Severity.MEDIUM,
            status=Status.FAIL,
            title=Text(ja="期限切れの例外措置", en="Expired waiver"),
            message=Text(
                ja=f"例外措置 {entry.id}（申請番号 {entry.application_no}）は {expires} に期限切れです。"
                f"該当する {matched} 件の指摘は免除されません。更新の承認を得るか、設定を是正してください。",
                en=f"Waiver {entry.id} (application no. {entry.application_no}) expired on "
                f"{expires}; the {matched} finding(s) it matches are not waived. Renew the "
                "approval or fix the configuration.",
            ),
            device=entry.device or "",
            zone_from=entry.zone_from or "",
            zone_to=entry.zone_to or "",
            evidence=evidence,
            policy_ref=ref,
            fingerprint=fingerprint(EXPIRED_CHECK, entry.id, expires),
        )
    return Finding(
        check=STALE_CHECK,
        severity=Severity.LOW,
        status=Status.FAIL,
        title=Text(ja="該当する指摘のない例外措置", en="Stale waiver"),
        message=Text(
            ja=f"例外措置 {entry.id}（申請番号 {entry.application_no}）に該当する不適合はありません。"
            "是正済みであれば例外措置を取り下げてください。",
            en=f"Waiver {entry.id} (application no. {entry.application_no}) matches no failing "
            "finding. If the deviation has been fixed, withdraw the waiver.",
        ),
        device=entry.device or "",
        zone_from=entry.zone_from or "",
        zone_to=entry.zone_to or "",
        evidence=evidence,
        policy_ref=ref,
        fingerprint=fingerprint(STALE_CHECK, entry.id),
    )


def apply_waivers(
    result: AuditResult, waivers: Waivers, today: dt.date
) -> tuple[AuditResult, list[WaiverNote]]:
    """Mark failing findings matched by a valid waiver ``waived``; report expired and stale ones.

    A waiver holds through its ``expires`` day. The verdict and the zone matrix are recomputed.
    """
    findings = list(result.findings)
    notes: list[WaiverNote] = []
    extra: list[Finding] = []
    for i, entry in enumerate(waivers.entries):
        line = waivers.line("waivers", i)
        ref = PolicyRef(file=waivers.file, line=line, id=entry.id)
        hits = [
            k
            for k, f in enumerate(findings)
            if f.status in (Status.FAIL, Status.WAIVED)
            and not f.check.startswith("WVR-")
            and matches(entry, f)
        ]
        # A finding already waived by an earlier entry still counts as matched (not stale).
        matched = tuple(findings[k].fingerprint for k in hits)
        if entry.expires < today:
            state = WaiverState.EXPIRED
            extra.append(_waiver_finding(EXPIRED_CHECK, entry, ref, len(hits)))
        elif not hits:
            state = WaiverState.STALE
            extra.append(_waiver_finding(STALE_CHECK, entry, ref, 0))
        else:
            state = WaiverState.APPLIED
            for k in hits:
                if findings[k].status is Status.FAIL:
                    findings[k] = _waived(findings[k], entry, ref)
        notes.append(
            WaiverNote(
                waiver_id=entry.id,
                file=waivers.file,
                line=line,
                state=state,
                matched=matched,
                expires=entry.expires,
            )
        )
    findings.extend(extra)
    failed_devices = [c.device for c in result.coverage if c.collection != "ok"]
    verdict = verdict_of(findings, failed_devices)
    return (
        replace(
            result,
            findings=tuple(findings),
            verdict=verdict,
            matrix=_rematrix(result.matrix, findings),
        ),
        notes,
    )


def _rematrix(matrix: ZoneMatrix, findings: Sequence[Finding]) -> ZoneMatrix:
    """Recount violations per cell: a cell whose violations are all waived is allowed again."""
    cells: list[MatrixCell] = []
    for c in matrix.cells:
        if c.state not in (CellState.VIOLATION, CellState.ALLOWED, CellState.UNKNOWN):
            cells.append(c)
            continue
        related = [
            f
            for f in findings
            if f.zone_from == c.zone_from
            and f.zone_to == c.zone_to
            and f.device
            and not f.check.startswith("WVR-")
        ]
        violations = [f for f in related if f.status is Status.FAIL]
        unknown = any(f.status is Status.UNKNOWN for f in related)
        state = (
            CellState.VIOLATION
            if violations
            else CellState.UNKNOWN
            if unknown
            else CellState.ALLOWED
            if c.paths
            else CellState.NONE
        )
        cells.append(
            replace(
                c,
                state=state,
                violations=len(violations),
                allowed_paths=c.paths - len({f.path for f in violations}),
            )
        )
    return ZoneMatrix(zones=matrix.zones, cells=tuple(cells))
