"""Public Yamaha (and, when present, NEC IX) sample configs: parse all, measure coverage.

Security-relevant lines are the ones that can change a verdict: interfaces and addresses,
filters and their bindings, routes, NAT and management (services, users, SNMP, logging).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from netaudit.model import DeviceConfig
from netaudit.parsers import nec_ix, yamaha
from netaudit.parsers.base import decode
from tests.conftest import corpus_dir

YAMAHA_RELEVANT = (
    "ip ",
    "ipv6 ",
    "nat ",
    "telnetd ",
    "sshd ",
    "httpd ",
    "sftpd ",
    "snmp ",
    "snmpv2c ",
    "syslog host",
    "login ",
    "administrator ",
    "security class",
    "description ",
    "vlan ",
    "pp select",
    "tunnel select",
    "bridge member",
    "ntpdate ",
)
IX_RELEVANT = (
    "interface ",
    "ip ",
    "ipv6 ",
    "description ",
    "shutdown",
    "no shutdown",
    "encapsulation ",
    "ssh-server",
    "telnet-server",
    "http-server",
    "snmp-agent",
    "username ",
    "logging host",
    "ntp server",
)

CORPORA: list[tuple[str, Callable[..., DeviceConfig], tuple[str, ...], float]] = [
    # (corpus folder, parser, relevant prefixes, share measured on the corpus)
    ("yamaha_rtx", yamaha.parse, YAMAHA_RELEVANT, 1.0),
    ("nec_ix", nec_ix.parse, IX_RELEVANT, 0.95),
]


def _relevant_share(dev: DeviceConfig, text: str, prefixes: tuple[str, ...]) -> tuple[int, int]:
    lines = text.splitlines()
    unrec = {u.line for u in dev.coverage.unrecognized}
    relevant = [
        n
        for n, raw in enumerate(lines, start=1)
        if raw.strip().startswith(prefixes) and not raw.strip().startswith(("#", "!"))
    ]
    understood = sum(1 for n in relevant if n not in unrec)
    return understood, len(relevant)


@pytest.mark.corpus
@pytest.mark.parametrize(("folder", "parse", "prefixes", "measured"), CORPORA)
def test_corpus_parses_and_covers(
    folder: str,
    parse: Callable[..., DeviceConfig],
    prefixes: tuple[str, ...],
    measured: float,
) -> None:
    root = corpus_dir(folder)
    files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix in (".txt", ".cfg", ""))
    assert files, f"no sample configs in {root}"
    total_ok = total = 0
    for path in files:
        text = decode(path.read_bytes(), source=str(path))
        dev = parse(text, source=str(Path(folder) / path.name))
        ok, rel = _relevant_share(dev, text, prefixes)
        total_ok += ok
        total += rel
        print(
            f"{path.name}: lines {dev.coverage.considered}, all {dev.coverage.share:.3f}, "
            f"security-relevant {ok}/{rel}"
        )
    share = total_ok / total if total else 1.0
    print(f"{folder}: security-relevant lines understood {total_ok}/{total} = {share:.3f}")
    assert share >= max(0.95, measured)


@pytest.mark.corpus
def test_real_rtx1210_secure_filters() -> None:
    """The one real RTX1210 config: lists bound in the written order, dynamic -> stateful."""
    path = corpus_dir("yamaha_rtx") / "terraform_provider_rtx__rtx1210_sftp_raw.txt"
    if not path.exists():
        pytest.skip("the RTX1210 sample is not in this corpus")
    text = decode(path.read_bytes(), source=str(path))
    dev = yamaha.parse(text, source=path.name)
    written = next(
        line.split()[5:]
        for line in text.splitlines()
        if line.startswith("ip lan2 secure filter in")
    )
    in_filter = dev.filter("secure filter lan2 in")
    out_filter = dev.filter("secure filter lan2 out")
    assert in_filter is not None and out_filter is not None
    assert [r.name for r in in_filter.rules[: len(written)]] == written
    assert out_filter.stateful and not in_filter.stateful
    assert {(b.interface, b.direction.value) for b in dev.bindings} == {
        ("lan2", "in"),
        ("lan2", "out"),
        ("tunnel1", "in"),
    }
    assert not [w for w in dev.warnings if w.matters]
