"""Small helpers every check family uses to turn what it found into a ``Finding``.

A check's identity (id, title, basis and, unless a finding says otherwise, severity) comes
from its :class:`~checks.base.CheckMeta`; the fingerprint always starts with the check id
followed by stable text (never line numbers), so it survives lines moving in a config.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checks.base import CheckMeta
from netaudit.model import SourceSpan
from netaudit.policy import Policy
from netaudit.result import Evidence, Finding, PolicyRef, Severity, Status, Text, fingerprint


def finding(
    meta: CheckMeta,
    message: Text,
    *,
    key: Iterable[str],
    status: Status = Status.FAIL,
    severity: Severity | None = None,
    device: str = "",
    zone_from: str = "",
    zone_to: str = "",
    example_flow: dict[str, Any] | None = None,
    evidence: Iterable[Evidence] = (),
    policy_ref: PolicyRef | None = None,
    path: tuple[str, ...] = (),
) -> Finding:
    """A finding of ``meta``'s check; ``key`` (stable text) follows the id in the fingerprint."""
    return Finding(
        check=meta.id,
        severity=meta.severity if severity is None else severity,
        status=status,
        title=meta.title,
        message=message,
        device=device,
        zone_from=zone_from,
        zone_to=zone_to,
        example_flow=example_flow,
        evidence=tuple(evidence),
        policy_ref=policy_ref,
        basis=meta.basis,
        path=path,
        fingerprint=fingerprint(meta.id, *key),
    )


def span_evidence(device: str, span: SourceSpan, role: str) -> Evidence:
    """The config line ``span`` of ``device`` as evidence playing ``role``."""
    return Evidence(file=span.file, line=span.line, text=span.text, device=device, role=role)


def one_line(text: str) -> str:
    """``text`` with its white space folded, as fingerprints hash config lines."""
    return " ".join(text.split())


def policy_ref(policy: Policy, *path: str | int, id: str) -> PolicyRef:
    """The policy entry at ``path`` (its line in the policy file), named ``id``."""
    return PolicyRef(file=policy.file, line=policy.line(*path), id=id)
