"""Public FortiGate and PAN-OS sample configs: every file parses; relevant lines are understood.

Security-relevant lines are defined by each parser's ``security_relevant_lines``:

* FortiOS: every line inside ``system interface|zone|global|admin|snmp*|ntp``,
  ``firewall address*|addrgrp*|service custom|service group|policy*|vip*|ippool|local-in-policy``,
  ``router static*`` and ``log syslogd*`` sections.
* PAN-OS: every line that defines something under an interface, zone, address/service object or
  group, a rulebase (security, NAT, pre/post), a static route, an interface management profile,
  ``mgt-config``, syslog, SNMP, NTP, hostname, banner or permitted-ip.

The thresholds are what was measured when the parsers were written (see the report printed
with ``-s``); a drop means a regression.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from netaudit.parsers import fortinet, paloalto_panos
from tests.conftest import corpus_dir

# Measured when written: FortiGate 1234/1234 relevant lines (24 files), PAN-OS 488/488 (21 files).
THRESHOLDS = {"fortigate": 1.0, "panos": 1.0}


def _measure(
    folder: Path, mod: ModuleType, relevant: Callable[[str], set[int]]
) -> tuple[int, int, list[str]]:
    total = understood = 0
    report: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.suffix in (".md", ".tsv"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        dev = mod.parse(text, source=path.name)
        assert dev.platform == mod.PLATFORM
        rel = relevant(text)
        unknown = {u.line for u in dev.coverage.unrecognized} & rel
        total += len(rel)
        understood += len(rel) - len(unknown)
        report.append(
            f"{path.name}: relevant {len(rel) - len(unknown)}/{len(rel)}, "
            f"all {dev.coverage.recognized}/{dev.coverage.considered}, "
            f"detect {mod.detect(text)}"
        )
    return total, understood, report


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("folder", "mod"),
    [("fortigate", fortinet), ("panos", paloalto_panos)],
)
def test_corpus_parses_and_is_understood(folder: str, mod: ModuleType) -> None:
    d = corpus_dir(folder)
    total, understood, report = _measure(d, mod, mod.security_relevant_lines)
    share = understood / total if total else 1.0
    print(f"\n{folder}: security-relevant lines understood {understood}/{total} = {share:.1%}")
    print("\n".join(report))
    assert total > 0
    assert share >= THRESHOLDS[folder]


@pytest.mark.corpus
@pytest.mark.parametrize(("folder", "mod"), [("fortigate", fortinet), ("panos", paloalto_panos)])
def test_corpus_detected(folder: str, mod: ModuleType) -> None:
    """Each corpus file is claimed by its own parser more strongly than by the other one."""
    d = corpus_dir(folder)
    other = paloalto_panos if mod is fortinet else fortinet
    for path in sorted(d.iterdir()):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        assert mod.detect(text) > other.detect(text), path.name
