"""What a check is: typed metadata plus a stateless ``run`` over the analysis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from netaudit.reach import NetworkAnalysis
from netaudit.result import Finding, Severity, Text


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckMeta:
    """Identity and documentation of a check (the English description is its docstring)."""

    id: str
    family: str
    title: Text
    severity: Severity
    basis: tuple[str, ...]
    summary_ja: str
    fix: Text
    platforms: tuple[str, ...] = ("all",)
    cis: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may read: the analysed network and policy, and today's date."""

    analysis: NetworkAnalysis
    today: dt.date
    options: dict[str, str] = field(default_factory=dict)


class Check(Protocol):
    """A check: metadata and a pure function from the context to findings."""

    @property
    def meta(self) -> CheckMeta:
        """Identity and documentation of the check."""
        ...

    def run(self, ctx: CheckContext) -> Iterable[Finding]: ...
