"""Public corpus coverage for the Cisco ASA and Juniper Junos parsers.

Every file must parse without an exception, and the share of *security-relevant* lines the
parser understood must stay at or above what was measured. Security-relevant means:

* ASA: top-level ``interface`` blocks, ``access-list``/``access-group``, ``object``/
  ``object-group`` blocks, ``nat``, ``route``/``ipv6 route``, ``same-security-traffic``,
  ``name``, and management (``ssh``/``http``/``telnet``/``snmp-server``/``logging host``/
  ``ntp server``/``username``/``enable password``/``aaa``).
* Junos: statements under ``interfaces``, ``security zones|address-book|policies|nat``,
  ``applications``, ``firewall``, ``routing-options static``, ``routing-instances``, ``vlans``,
  ``snmp community|client-list`` and ``system services|login|root-authentication|syslog host|
  ntp server``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netaudit.model import DeviceConfig
from netaudit.parsers import cisco_asa, juniper_junos
from netaudit.parsers.base import indent_tree
from tests.conftest import corpus_dir

pytestmark = pytest.mark.corpus

# Measured on ../shared/corpus (see the report printed with -s); a drop fails the test.
ASA_MIN_SHARE = 1.0
JUNOS_MIN_SHARE = 0.95

_ASA_ROOTS = frozenset(
    {
        "interface", "access-list", "access-group", "object", "object-group", "nat", "route",
        "same-security-traffic", "name", "ssh", "http", "telnet", "snmp-server", "username",
        "enable", "aaa",
    }
)  # fmt: skip
_JUNOS_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("interfaces",), ("security", "zones"), ("security", "address-book"),
    ("security", "policies"), ("security", "nat"), ("applications",), ("firewall",),
    ("routing-options", "static"), ("routing-instances",), ("vlans",), ("snmp", "community"),
    ("snmp", "client-list"), ("system", "services"), ("system", "login"),
    ("system", "root-authentication"), ("system", "syslog", "host"), ("system", "ntp", "server"),
)  # fmt: skip


def _asa_relevant(text: str) -> set[int]:
    roots, _ = indent_tree(text, comment_chars="!:")
    out: set[int] = set()
    for root in roots:
        w = root.words
        key = w[0]
        if key in ("logging", "ntp", "ipv6"):
            relevant = len(w) > 1 and w[1] in ("host", "server", "route")
        else:
            relevant = key in _ASA_ROOTS
        if relevant:
            out.update(n.line for n in root.walk())
    return out


def _junos_relevant(text: str) -> set[int]:
    return {
        s.line
        for s in juniper_junos.statements(text)
        if any(s.words[: len(p)] == p for p in _JUNOS_PREFIXES)
    }


def _measure(files: list[Path], parse, relevant) -> tuple[int, int, list[str]]:  # type: ignore[no-untyped-def]
    total = understood = 0
    rows: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        dev = parse(text, source=path.name)
        assert isinstance(dev, DeviceConfig)
        unknown = {u.line for u in dev.coverage.unrecognized}
        rel = relevant(text)
        ok = len(rel - unknown)
        total += len(rel)
        understood += ok
        rows.append(
            f"{path.name}: relevant {ok}/{len(rel)}, all lines "
            f"{dev.coverage.recognized}/{dev.coverage.considered}, warnings {len(dev.warnings)}"
        )
    return total, understood, rows


def test_asa_corpus() -> None:
    files = sorted(p for p in corpus_dir("cisco_asa").iterdir() if p.is_file())
    assert files
    total, understood, rows = _measure(files, cisco_asa.parse, _asa_relevant)
    share = understood / total
    print(
        f"\nASA corpus: {len(files)} files, security-relevant lines {understood}/{total}"
        f" = {share:.1%}"
    )
    print("\n".join(rows))
    assert share >= ASA_MIN_SHARE
    for p in files:
        assert juniper_junos.detect(p.read_text(encoding="utf-8")) == 0, p.name


def test_junos_corpus() -> None:
    files = sorted(p for p in corpus_dir("junos").iterdir() if p.is_file())
    assert files
    total, understood, rows = _measure(files, juniper_junos.parse, _junos_relevant)
    share = understood / total
    print(
        f"\nJunos corpus: {len(files)} files, security-relevant lines {understood}/{total}"
        f" = {share:.1%}"
    )
    print("\n".join(rows))
    assert share >= JUNOS_MIN_SHARE
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert juniper_junos.detect(text) >= 80, p.name
        assert cisco_asa.detect(text) == 0, p.name
