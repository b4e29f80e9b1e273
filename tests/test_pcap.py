"""The pcap audit: netaudit's own capture reader against captures scapy writes, and the TRF checks.

Captures are generated per test (known flows, 802.1Q/QinQ, fragments, IPv6, ICMP errors, a file
cut short) so every expectation is known from construction.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from collectors.pcap import CaptureError, read_flows
from netaudit.commands.traffic import register
from netaudit.flow import Packet
from netaudit.policy import load_policy
from netaudit.traffic import FlowRecord, judge_traffic

pytest.importorskip("scapy")
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet import fragment as _fragment
from scapy.layers.inet6 import (
    ICMPv6DestUnreach,
    ICMPv6EchoRequest,
    IPv6,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
)
from scapy.layers.inet6 import fragment6 as _fragment6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Raw
from scapy.utils import PcapNgWriter, wrpcap


def fragment(pkt: Any, fragsize: int) -> list[Any]:
    """scapy's IPv4 fragmenter (untyped)."""
    return list(_fragment(pkt, fragsize=fragsize))  # type: ignore[no-untyped-call]


def fragment6(pkt: Any, mtu: int) -> list[Any]:
    """scapy's IPv6 fragmenter (untyped)."""
    return list(_fragment6(pkt, mtu))  # type: ignore[no-untyped-call]


POLICY = Path(__file__).parent.parent / "examples" / "sakuradai" / "policy.yaml"
SNAPSHOT = Path(__file__).parent.parent / "examples" / "sakuradai" / "snapshot"
E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def _flows(path: Path) -> dict[tuple[Any, ...], FlowRecord]:
    flows, _ = read_flows([path])
    return {(f.proto, str(f.src), str(f.dst), f.sport, f.dport): f for f in flows}


def _write(
    path: Path, packets: list[Any], *, ng: bool = False, t0: float = 1_700_000_000.0
) -> Path:
    for i, p in enumerate(packets):
        p.time = t0 + i
    if ng:
        w = PcapNgWriter(str(path))
        for p in packets:
            w.write(p)
        w.close()
    else:
        wrpcap(str(path), packets)
    return path


KNOWN = [
    E / IP(src="10.10.11.20", dst="198.51.100.10") / TCP(sport=40000, dport=443, flags="S"),
    E / IP(src="198.51.100.10", dst="10.10.11.20") / TCP(sport=443, dport=40000, flags="SA"),
    E
    / IP(src="10.10.11.20", dst="198.51.100.10")
    / TCP(sport=40000, dport=443, flags="A")
    / Raw(b"x" * 100),
    E / IP(src="10.30.10.5", dst="10.10.1.1") / UDP(sport=5353, dport=53),
    E / IP(src="10.30.10.5", dst="10.10.1.1") / ICMP(type=8),
]


@pytest.mark.parametrize("ng", [False, True], ids=["pcap", "pcapng"])
def test_known_flows_counts_times_and_bytes(tmp_path: Path, ng: bool) -> None:
    path = _write(tmp_path / "k.cap", KNOWN, ng=ng)
    flows = _flows(path)
    assert set(flows) == {
        (6, "10.10.11.20", "198.51.100.10", 40000, 443),
        (6, "198.51.100.10", "10.10.11.20", 443, 40000),
        (17, "10.30.10.5", "10.10.1.1", 5353, 53),
        (1, "10.30.10.5", "10.10.1.1", None, None),
    }
    syn = flows[(6, "10.10.11.20", "198.51.100.10", 40000, 443)]
    assert syn.packets == 2 and syn.bytes == len(KNOWN[0]) + len(KNOWN[2])
    assert syn.first_seen == pytest.approx(1_700_000_000.0) and syn.last_seen == pytest.approx(
        1_700_000_002.0
    )
    assert syn.opened and syn.sample.frame == 1 and syn.sample.head == bytes(KNOWN[0])[:96]
    assert not flows[(6, "198.51.100.10", "10.10.11.20", 443, 40000)].opened
    icmp = flows[(1, "10.30.10.5", "10.10.1.1", None, None)]
    assert (icmp.icmp_type, icmp.icmp_code) == (8, 0)


def test_nanosecond_pcap(tmp_path: Path) -> None:
    path = tmp_path / "ns.pcap"
    pkt = E / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2)
    pkt.time = 1_700_000_000.123456789
    wrpcap(str(path), [pkt], nano=True)
    (f,) = read_flows([path])[0]
    assert f.first_seen == pytest.approx(1_700_000_000.123456789, abs=1e-6)


def test_vlan_and_qinq_tags_are_skipped(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "v.pcap",
        [
            E / Dot1Q(vlan=10) / IP(src="10.10.1.1", dst="10.30.1.1") / TCP(sport=1000, dport=22),
            E
            / Dot1Q(vlan=100)
            / Dot1Q(vlan=10)
            / IP(src="10.10.1.1", dst="10.30.1.1")
            / TCP(sport=1000, dport=22),
            Ether(type=0x88A8)
            / Dot1Q(vlan=200)
            / Dot1Q(vlan=10)
            / IPv6(src="2001:db8::1", dst="2001:db8::2")
            / UDP(sport=7, dport=8),
        ],
    )
    flows = _flows(path)
    assert flows[(6, "10.10.1.1", "10.30.1.1", 1000, 22)].packets == 2
    assert (17, "2001:db8::1", "2001:db8::2", 7, 8) in flows


def test_ipv4_fragments_follow_the_first_and_strays_are_kept_without_ports(tmp_path: Path) -> None:
    frags = fragment(
        IP(src="10.10.1.1", dst="10.30.1.1", id=4242) / UDP(sport=9, dport=514) / Raw(b"y" * 3000),
        fragsize=1000,
    )
    stray = fragment(
        IP(src="10.10.1.2", dst="10.30.1.1", id=7) / UDP(sport=9, dport=514) / Raw(b"z" * 2000),
        fragsize=1000,
    )
    path = _write(tmp_path / "f.pcap", [E / f for f in frags] + [E / stray[1]])
    flows = _flows(path)
    whole = flows[(17, "10.10.1.1", "10.30.1.1", 9, 514)]
    assert whole.packets == len(frags) == 4 and whole.fragments == 3
    lost = flows[(17, "10.10.1.2", "10.30.1.1", None, None)]
    assert lost.packets == 1 and lost.fragments == 1


def test_ipv6_extension_headers_and_fragments(tmp_path: Path) -> None:
    base = (
        IPv6(src="2001:db8:1::1", dst="2001:db8:2::1")
        / IPv6ExtHdrHopByHop()
        / IPv6ExtHdrFragment(id=99)
    )
    frags = fragment6(base / UDP(sport=5000, dport=53) / Raw(b"q" * 3000), 1280)
    path = _write(tmp_path / "v6.pcapng", [E / f for f in frags], ng=True)
    flows = _flows(path)
    f = flows[(17, "2001:db8:1::1", "2001:db8:2::1", 5000, 53)]
    assert f.packets == len(frags) >= 3 and f.fragments == len(frags) - 1
    assert len(flows) == 1


def test_icmp_errors_are_attributed_to_the_inner_flow(tmp_path: Path) -> None:
    inner4 = IP(src="10.10.1.1", dst="10.30.1.1") / UDP(sport=5, dport=53)
    inner6 = IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(sport=6, dport=80, flags="S")
    path = _write(
        tmp_path / "e.pcap",
        [
            E / inner4,
            E / IP(src="10.30.1.1", dst="10.10.1.1") / ICMP(type=3, code=3) / inner4,
            E / IPv6(src="2001:db8::2", dst="2001:db8::1") / ICMPv6DestUnreach(code=4) / inner6,
            E / IPv6(src="2001:db8::2", dst="2001:db8::1") / ICMPv6EchoRequest(),
        ],
    )
    flows = _flows(path)
    assert flows[(17, "10.10.1.1", "10.30.1.1", 5, 53)].packets == 2
    assert flows[(17, "10.10.1.1", "10.30.1.1", 5, 53)].icmp_errors == 1
    assert flows[(6, "2001:db8::1", "2001:db8::2", 6, 80)].icmp_errors == 1
    echo = flows[(58, "2001:db8::2", "2001:db8::1", None, None)]
    assert echo.icmp_type == 128
    assert len(flows) == 3


@pytest.mark.parametrize("ng", [False, True], ids=["pcap", "pcapng"])
def test_truncated_capture_keeps_what_was_read(tmp_path: Path, ng: bool) -> None:
    path = _write(tmp_path / "t.cap", KNOWN, ng=ng)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    flows, stats = read_flows([path])
    assert stats.truncated and "packet 5" in stats.truncated[0]
    assert stats.packets == 4 and sum(f.packets for f in flows) == 4


def test_not_a_capture(tmp_path: Path) -> None:
    bad = tmp_path / "x.pcap"
    bad.write_text("hostname r1\n")
    with pytest.raises(CaptureError):
        read_flows([bad])


def test_non_ip_is_counted_not_a_flow(tmp_path: Path) -> None:
    path = _write(tmp_path / "arp.pcap", [Ether(type=0x0806) / Raw(b"\0" * 28), *KNOWN[:1]])
    flows, stats = read_flows([path])
    assert stats.non_ip == 1 and len(flows) == 1


def test_many_packets_fold_into_one_flow(tmp_path: Path) -> None:
    pkt = E / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2)
    path = _write(tmp_path / "m.pcap", [pkt.copy() for _ in range(3000)])
    flows, stats = read_flows([path])
    assert len(flows) == 1 and flows[0].packets == stats.packets == 3000


# -- judging --------------------------------------------------------------------------------

JUDGED = [
    # SC-ELTAX and its reply: allowed.
    E / IP(src="10.10.11.20", dst="198.51.100.10") / TCP(sport=40000, dport=443, flags="S"),
    E / IP(src="198.51.100.10", dst="10.10.11.20") / TCP(sport=443, dport=40000, flags="SA"),
    # mynumber -> internet: forbidden (critical), two connections, one finding.
    E / IP(src="10.10.1.1", dst="10.30.20.53") / UDP(sport=1111, dport=53),
    E / IP(src="10.10.1.1", dst="10.30.20.53") / UDP(sport=2222, dport=53),
    # lgwan -> internet: not declared (high).
    E / IP(src="10.20.10.5", dst="10.30.10.9") / TCP(sport=5555, dport=445, flags="S"),
    # F-PROXY allowed; same zone traffic never judged.
    E / IP(src="10.30.10.9", dst="203.0.113.10") / TCP(sport=3333, dport=8080, flags="S"),
    E / IP(src="10.30.10.9", dst="10.30.10.10") / TCP(sport=3333, dport=23, flags="S"),
]


def test_judge_reports_unallowed_crossings_and_unobserved_specified(tmp_path: Path) -> None:
    path = _write(tmp_path / "j.pcap", JUDGED)
    flows, _ = read_flows([path])
    report = judge_traffic(load_policy(POLICY), flows)
    trf1 = sorted(
        (f.zone_from, f.zone_to, f.severity.value, (f.example_flow or {})["dport"])
        for f in report.findings
        if f.check == "TRF-001"
    )
    assert trf1 == [("lgwan", "internet", "high", 445), ("mynumber", "internet", "critical", 53)]
    unobserved = sorted(
        f.policy_ref.id for f in report.findings if f.check == "TRF-002" and f.policy_ref
    )
    assert unobserved == ["SC-CHUKAN", "SC-PITTARI", "SC-SCREEN"]
    myn = next(f for f in report.findings if f.zone_from == "mynumber" and f.check == "TRF-001")
    assert "2 flow(s)" in myn.message.en and myn.evidence[0].line == 3
    by_flow = {(str(c.flow.src), c.flow.dport): c for c in report.classified}
    assert by_flow[("10.10.11.20", 443)].allowed_by == "SC-ELTAX"
    assert by_flow[("198.51.100.10", 40000)].reply_of == "SC-ELTAX"
    assert by_flow[("10.30.10.9", 8080)].allowed_by == "F-PROXY"


def test_a_syn_in_the_reverse_direction_is_not_a_reply(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "r.pcap",
        [E / IP(src="198.51.100.10", dst="10.10.11.20") / TCP(sport=443, dport=40000, flags="S")],
    )
    report = judge_traffic(load_policy(POLICY), read_flows([path])[0])
    assert [f.check for f in report.findings if f.check == "TRF-001"] == ["TRF-001"]


def test_impossible_flows_with_an_analysis_oracle(tmp_path: Path) -> None:
    path = _write(tmp_path / "i.pcap", JUDGED)
    flows, _ = read_flows([path])
    allowed_dst = ipaddress.ip_address("198.51.100.10")

    def possible(p: Packet) -> bool:
        return allowed_dst in (p.src, p.dst)

    report = judge_traffic(load_policy(POLICY), flows, possible)
    trf3 = sorted(
        str((f.example_flow or {})["dst"]) for f in report.findings if f.check == "TRF-003"
    )
    assert trf3 == ["10.30.10.9", "10.30.20.53", "10.30.20.53", "203.0.113.10"]


# -- the command ----------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str]:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """netaudit (test)."""

    register(app)
    r = CliRunner().invoke(app, ["pcap", *args])
    return r.exit_code, r.stdout


def test_cli_exit_1_and_json_findings(tmp_path: Path) -> None:
    path = _write(tmp_path / "j.pcap", JUDGED)
    code, out = _run(str(path), "--policy", str(POLICY), "--format", "json", "--lang", "en")
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "fail"
    assert {f["check"] for f in data["findings"]} == {"TRF-001", "TRF-002"}


def test_cli_allowed_traffic_only_exits_0(tmp_path: Path) -> None:
    path = _write(tmp_path / "ok.pcap", JUDGED[:2])
    code, _ = _run(str(path), "--policy", str(POLICY), "--lang", "en")
    assert code == 0


def test_cli_truncated_capture_is_incomplete_not_fatal(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.pcap", JUDGED[:2])
    path.write_bytes(path.read_bytes()[:-5])
    code, out = _run(str(path), "--policy", str(POLICY), "--format", "json")
    assert code == 3
    assert json.loads(out)["problems"]


def test_cli_bad_capture_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"nope" * 10)
    assert _run(str(bad), "--policy", str(POLICY))[0] == 2


def test_cli_snapshot_reports_flows_the_configs_cannot_pass(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.pcap", JUDGED)
    code, out = _run(str(path), "--policy", str(POLICY), "--snapshot", str(SNAPSHOT), "-f", "json")
    assert code == 1
    checks = [f for f in json.loads(out)["findings"] if f["check"] == "TRF-003"]
    dsts = {f["example_flow"]["dst"] for f in checks}
    # The bundled city's firewalls do not pass マイナンバー系 DNS to the Internet segment.
    assert "10.30.20.53" in dsts
    assert "198.51.100.10" not in dsts
