"""Public corpus: IOS, NX-OS (and Arista EOS, IOS-like) configs parse, and coverage is measured.

Security-relevant lines (what the audit reads) are, for the IOS family:

* top-level: ``hostname``/``switchname``, ``interface``, ``vlan``, ACL definitions
  (``ip access-list``, ``ipv6 access-list``, ``access-list``), ``object-group``, static routes
  (``ip route``, ``ipv6 route``), NAT (``ip nat``), ``vrf context``/``vrf definition``/``ip vrf``,
  zone-based firewall (``zone``, ``zone-pair``), ``crypto map``, management (``line``,
  ``snmp-server community|user``, ``username``, ``enable``, ``ip http``, ``ip ssh``,
  ``feature telnet|ssh``, ``logging host|server``, ``ntp server``, ``aaa new-model``,
  ``service password-encryption``, ``banner``);
* every line inside an ACL or object-group block;
* inside interfaces: addresses, ACL bindings, VRF membership, switchport, shutdown,
  encapsulation, zone membership, NAT role, ``ip inspect``; inside ``line``: ``access-class``,
  ``transport input``, ``password``; inside ``vrf context``: ``ip route``.

Figures measured when this test was written (share of security-relevant lines understood):
IOS 392/405 = 96.8 % (the gap: batfish's non-IOS ``access-list NAME extended`` and
``ipv6 access-list standard`` spellings, zone-pair policies, a ``type inspect`` class-map),
NX-OS 1867/1870 = 99.8 % (``switchport mode fex-fabric|monitor``). All lines: IOS 97.8 %,
NX-OS 99.6 %. The asserted floors are those figures rounded down.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from netaudit.model import DeviceConfig
from netaudit.parsers import cisco_ios, cisco_nxos
from tests.conftest import corpus_dir

_TOP = (
    "hostname ",
    "switchname ",
    "interface ",
    "vlan ",
    "ip access-list ",
    "ipv6 access-list ",
    "access-list ",
    "object-group ",
    "ip route ",
    "ipv6 route ",
    "ip nat ",
    "vrf context ",
    "vrf definition ",
    "ip vrf ",
    "zone ",
    "zone-pair ",
    "crypto map ",
    "line ",
    "snmp-server community ",
    "snmp-server user ",
    "username ",
    "enable ",
    "ip http ",
    "ip ssh ",
    "feature telnet",
    "feature ssh",
    "logging host ",
    "logging server ",
    "ntp server ",
    "aaa new-model",
    "service password-encryption",
    "banner ",
)
_BLOCKS_ALL = ("ip access-list ", "ipv6 access-list ", "object-group ", "access-list ")
_IF_CHILD = (
    "ip address ",
    "ipv6 address ",
    "ip access-group ",
    "ipv6 traffic-filter ",
    "ip port access-group ",
    "ipv6 port traffic-filter ",
    "vrf ",
    "ip vrf ",
    "switchport",
    "shutdown",
    "encapsulation ",
    "zone-member ",
    "ip nat ",
    "ip inspect ",
)
_LINE_CHILD = ("access-class ", "transport input ", "password ")
_VRF_CHILD = ("ip route ", "ipv6 route ")


_CHILD_RULES = (
    (("interface ",), _IF_CHILD),
    (("line ",), _LINE_CHILD),
    (("vrf context ", "vrf definition "), _VRF_CHILD),
)


def _child_relevant(header: str, body: str) -> bool:
    if header.startswith(_BLOCKS_ALL):
        return True
    return any(header.startswith(h) and body.startswith(c) for h, c in _CHILD_RULES)


def relevant_lines(text: str) -> set[int]:
    """1-based numbers of the security-relevant lines of an IOS-family config (docstring)."""
    out: set[int] = set()
    header = ""
    for n, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped[0] == "!":
            continue
        body = stripped[3:] if stripped.startswith("no ") else stripped
        if raw[0] not in " \t":
            header = stripped
            if body.startswith(_TOP):
                out.add(n)
            continue
        if _child_relevant(header, body):
            out.add(n)
    return out


def _measure(
    folder: Path, parse: Callable[..., DeviceConfig]
) -> tuple[int, int, int, int, list[str]]:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert files
    total = understood = lines = recognized = 0
    report: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        dev = parse(text, source=path.name)
        unknown = {u.line for u in dev.coverage.unrecognized}
        rel = relevant_lines(text)
        ok = len(rel - unknown)
        total += len(rel)
        understood += ok
        lines += dev.coverage.considered
        recognized += dev.coverage.recognized
        report.append(
            f"{path.name:58} relevant {ok:4}/{len(rel):4}  all {dev.coverage.recognized:4}"
            f"/{dev.coverage.considered:4}"
        )
    return total, understood, lines, recognized, report


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("folder", "parse", "floor"),
    [
        ("cisco_ios", cisco_ios.parse, 0.96),
        ("cisco_nxos", cisco_nxos.parse, 0.995),
    ],
)
def test_corpus_security_coverage(
    folder: str, parse: Callable[..., DeviceConfig], floor: float
) -> None:
    total, understood, lines, recognized, report = _measure(corpus_dir(folder), parse)
    share = understood / total
    print(
        f"\n{folder}: security-relevant {understood}/{total} = {share:.1%};"
        f" all lines {recognized}/{lines} = {recognized / lines:.1%}"
    )
    print("\n".join(report))
    assert share >= floor


@pytest.mark.corpus
def test_arista_does_not_crash_ios_family_parsers() -> None:
    folder = corpus_dir("arista_eos")
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8", errors="replace")
        for mod in (cisco_ios, cisco_nxos):
            dev = mod.parse(text, source=path.name)
            assert dev.coverage.total_lines == len(text.splitlines())
            # EOS is not claimed by either parser.
            assert mod.detect(text) < 50, (mod.__name__, path.name)


@pytest.mark.corpus
def test_corpus_platforms_detected() -> None:
    for folder, mine, other in (
        ("cisco_ios", cisco_ios, cisco_nxos),
        ("cisco_nxos", cisco_nxos, cisco_ios),
    ):
        for path in sorted(corpus_dir(folder).iterdir()):
            text = path.read_text(encoding="utf-8", errors="replace")
            # Tiny batfish snippets carry few marks; never prefer the sibling dialect.
            assert mine.detect(text) >= other.detect(text), path.name


def test_relevant_lines_classifier() -> None:
    text = (
        "hostname r\nversion 15.2\ninterface Gi0/1\n ip address 1.1.1.1 255.0.0.0\n speed 100\n"
        "ip access-list extended A\n remark x\n permit ip any any\nline vty 0 4\n"
        " transport input ssh\n exec-timeout 5\n"
    )
    assert relevant_lines(text) == {1, 3, 4, 6, 7, 8, 9, 10}
