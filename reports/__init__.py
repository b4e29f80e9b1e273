"""Report renderers: one module per format, each a pure ``render(result, options) -> str``.

:data:`FORMATS` is the closed map from a ``--format`` name to the module that renders it;
:func:`render` dispatches through it, importing a renderer only when it is used. Renderers
present an :class:`~netaudit.result.AuditResult`; they never compute verdicts, read the clock
or the environment, so the same result always renders to the same text.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, cast

from netaudit.errors import NetauditError
from netaudit.result import (
    AuditResult,
    DeviceCoverage,
    Finding,
    FlowDelta,
    InputProblem,
    MatrixCell,
    ZoneMatrix,
)

from .messages import LANGS, Lang

FORMATS: Mapping[str, str] = MappingProxyType(
    {
        "console": "reports.console",
        "json": "reports.json",
        "sarif": "reports.sarif",
        "junit": "reports.junit",
        "markdown": "reports.markdown",
        "html": "reports.html",
    }
)
"""``--format`` name -> module path. Every renderer module in this package must be listed."""


class ReportError(NetauditError, ValueError):
    """A report was asked for in a way no renderer supports (unknown format, bad option)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """How to render: language, colour, terminal width and detail.

    Attributes:
        lang: ``ja`` (default) or ``en``, for every label and every finding message.
        color: emit ANSI colour (console only); off gives plain text.
        width: line width of the console report, in terminal cells.
        verbose: also list unrecognized config lines, parser warnings and passing results.
    """

    lang: Lang = "ja"
    color: bool = False
    width: int = 100
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ReportError(f"unknown report language {self.lang!r}; use one of {LANGS}")
        if self.width < 40:
            raise ReportError(f"report width {self.width} is too narrow (at least 40)")


class Renderer(Protocol):
    """What every renderer module provides."""

    def __call__(self, result: AuditResult, options: RenderOptions) -> str: ...


def renderer(fmt: str) -> Renderer:
    """The ``render`` function of format ``fmt``.

    Raises:
        ReportError: ``fmt`` is not in :data:`FORMATS`.
    """
    try:
        module_path = FORMATS[fmt]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ReportError(f"unknown report format {fmt!r}; use one of: {known}") from None
    module = importlib.import_module(module_path)
    return cast(Renderer, module.render)


def render(fmt: str, result: AuditResult, options: RenderOptions) -> str:
    """Render ``result`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    return renderer(fmt)(result, options)


def finding_order(finding: Finding) -> tuple[int, str, str, str, str, str, str, str]:
    """Sort key shared by all renderers: worst severity first, then check, device, fingerprint.

    The trailing fields only break ties between findings that agree on all of those, so the
    order never depends on the order the engine produced them in.
    """
    return (
        -finding.severity.rank,
        finding.check,
        finding.device,
        finding.fingerprint,
        finding.status.value,
        finding.zone_from,
        finding.zone_to,
        repr(finding),
    )


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` in report order (see :func:`finding_order`)."""
    return sorted(findings, key=finding_order)


def ordered_cells(matrix: ZoneMatrix) -> list[MatrixCell]:
    """Matrix cells row by row in the order of ``matrix.zones`` (the policy's order).

    Cells naming a zone missing from ``matrix.zones`` come last, by name, so none is lost.
    """
    index = {zone: i for i, zone in enumerate(matrix.zones)}
    last = len(index)

    def key(cell: MatrixCell) -> tuple[int, str, int, str, str]:
        return (
            index.get(cell.zone_from, last),
            cell.zone_from,
            index.get(cell.zone_to, last),
            cell.zone_to,
            repr(cell),
        )

    return sorted(matrix.cells, key=key)


def sorted_coverage(coverage: Iterable[DeviceCoverage]) -> list[DeviceCoverage]:
    """Per-device coverage by device name, then file."""
    return sorted(coverage, key=lambda c: (c.device, c.file, repr(c)))


def sorted_problems(problems: Iterable[InputProblem]) -> list[InputProblem]:
    """Input problems by file, line, then message."""
    return sorted(problems, key=lambda p: (p.file, p.line, p.message))


def diff_groups(result: AuditResult) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """A 新旧比較's findings as (new, fixed, the rest), each in report order."""
    ordered = sorted_findings(result.findings)
    new = [f for f in ordered if f.change == "new"]
    fixed = [f for f in ordered if f.change == "fixed"]
    rest = [f for f in ordered if f.change not in ("new", "fixed")]
    return new, fixed, rest


def sorted_flow_changes(result: AuditResult) -> list[FlowDelta]:
    """Flow changes: added before removed, zone pairs in the order of the policy's zones."""
    index = {zone: i for i, zone in enumerate(result.matrix.zones)}
    last = len(index)

    def key(d: FlowDelta) -> tuple[int, int, str, int, str, str]:
        return (
            0 if d.kind == "added" else 1,
            index.get(d.zone_from, last),
            d.zone_from,
            index.get(d.zone_to, last),
            d.zone_to,
            repr(d),
        )

    return sorted(result.flow_changes, key=key)
