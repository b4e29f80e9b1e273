"""The bundled example city: the audit finds exactly the planted deviations, with evidence."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest

from netaudit.engine import audit
from netaudit.flow import Packet
from netaudit.model import Action
from netaudit.paths import Disposition, Network, trace_packet
from netaudit.policy import load_policy
from netaudit.reach import NetworkAnalysis
from netaudit.result import AuditResult, Finding, Status, Verdict

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "examples" / "sakuradai"
TODAY = dt.date(2026, 11, 28)

# Every deviation planted in examples/sakuradai (see its README), as (check, device, from, to).
# A: myn-core (IOS) has an SVI in the internet segment (Vlan30) and routes it without a filter.
# B: sep-rtr1 (IOS) MYN-OUT 30 lets mynumber terminals reach the LGWAN file server (SMB).
# C: sep-rtr1 (IOS) MYN-OUT 40 carries ぴったりサービス from `any` source, not the declared host.
# D: lgwan-acc1 (IOS) Gi1/0/20 puts a guest access point in VLAN 40, which is in no zone.
# F: inet-fw (FortiGate) policy 4 lets LGWAN terminals browse anywhere (HTTP).
# H: inet-fw (FortiGate) policy 3 lets Internet-segment terminals reach the LGWAN file server.
# G: inet-pa (PAN-OS) rule vendor-rdp opens RDP to an internal server from the whole Internet.
# Y: lgwan-rtr (Yamaha RTX) filter 106 passes the whole mynumber segment to the LGWAN.
# X: branch-ix (NEC IX) INET-LAN-IN lets the branch Internet LAN reach the branch LGWAN LAN.
# L: sep-rtr1 MYN-OUT 20 (SC-CHUKAN) and 40 (SC-PITTARI) do not log, nor does lgwan-rtr.
# M: lgwan-acc2 (IOS) vty admits Telnet (transport input telnet ssh).
# P: myn-core (IOS) Gi1/0/2, a mynumber server port, has no port security / 802.1X / MAB.
# S: myn-core Gi1/0/1 and myn-acc1 Gi1/0/48 trunk A's Internet VLAN 30 into the mynumber floor switch.
# I: inet-pa (PAN-OS) rule dns-direct lets the DNS server query an Internet resolver directly.
# R: sep-rtr1 (IOS) LGWAN-IN 25 denies one contractor host RDP, after the permit 20 that
#    already lets it through: unreachable, and acting otherwise (RUL-001, medium).
# Rule hygiene the existing configs show (real, see the README): lgwan-rtr filters 100-102
# are redundant behind Y's filter 106 (RUL-002); permits without log on boundaries of
# sep-rtr1 and lgwan-rtr (RUL-004); inet-fw's disabled policy 5 (RUL-005, info) and
# lgwan-rtr's unbound filter 500 (RUL-006).
# Traps that must stay silent (for the separation checks): inet-fw's disabled policy 5,
# lgwan-rtr's filter 500 (bound nowhere), the established-only return rules, the declared
# 特定通信 and allowed flows.
# End to end, only what is delivered counts: A's transit traffic through myn-core and F's
# HTTP towards the Internet die at the next device (sep-rtr1, inet-pa), so are not findings.
EXPECTED = {
    ("SEP-001", "lgwan-acc1", "", ""),  # D
    ("MYN-001", "myn-core", "mynumber", "internet"),  # A
    ("MYN-001", "myn-core", "internet", "mynumber"),  # A
    ("MYN-002", "sep-rtr1", "mynumber", "lgwan"),  # B
    ("MYN-002", "sep-rtr1", "mynumber", "lgwan_wan"),  # C
    ("MYN-003", "sep-rtr1", "mynumber", "lgwan_wan"),  # C
    ("LGW-003", "inet-fw", "lgwan", "internet"),  # F
    ("LGW-002", "inet-fw", "internet", "lgwan"),  # H
    ("INT-002", "inet-pa", "internet_wan", "internet"),  # G
    ("LGW-003", "inet-pa", "lgwan_wan", "internet"),  # G
    ("POL-001", "inet-pa", "sec_cloud", "internet"),  # G
    ("MYN-002", "lgwan-rtr", "mynumber", "lgwan_wan"),  # Y
    ("LGW-002", "branch-ix", "internet", "lgwan"),  # X
    ("BET-001", "inet-fw", "internet", "lgwan"),  # H (β: not a screen-transfer gateway)
    ("BET-001", "branch-ix", "internet", "lgwan"),  # X (β: not a screen-transfer gateway)
    ("INT-003", "inet-pa", "internet_wan", "internet"),  # G (remote access, no gateway)
    ("SC-006", "sep-rtr1", "mynumber", "lgwan_wan"),  # L
    ("SC-006", "lgwan-rtr", "mynumber", "lgwan_wan"),  # L
    ("MGT-005", "lgwan-acc2", "", ""),  # M
    ("MYN-005", "myn-core", "", ""),  # P
    ("SEP-002", "myn-core", "mynumber", "internet"),  # A (routed in one table, filters or not)
    ("SEP-003", "myn-acc1", "internet", ""),  # S
    ("INT-001", "inet-pa", "internet", "internet_wan"),  # I
    ("RUL-001", "sep-rtr1", "", ""),  # R
    ("RUL-002", "lgwan-rtr", "", ""),  # Y makes filters 100-102 redundant
    ("RUL-004", "sep-rtr1", "", ""),  # L and B: MYN-OUT 20, 30, 40 do not log
    ("RUL-004", "lgwan-rtr", "", ""),  # L: lan1 / lan2 pass filters do not log
    ("RUL-005", "inet-fw", "", ""),  # policy 5 would open internet → lgwan if enabled
    ("RUL-006", "lgwan-rtr", "", ""),  # filter 500 bound nowhere
}
# Rule-base hygiene is judged against the configuration alone, not against a policy entry.
CONFIG_ONLY_CHECKS = frozenset({"RUL-001", "RUL-002", "RUL-003", "RUL-006", "RUL-007", "RUL-008"})
PLATFORMS = {
    "branch-ix": "nec_ix",
    "inet-fw": "fortinet",
    "inet-pa": "paloalto_panos",
    "lgwan-rtr": "yamaha",
}


@pytest.fixture(scope="module")
def city() -> tuple[AuditResult, NetworkAnalysis]:
    """The audit of the example city, once for the module."""
    return audit(CITY / "snapshot", load_policy(CITY / "policy.yaml"), today=TODAY)


def _reported(result: AuditResult) -> list[Finding]:
    """Findings that are reported (not pass / not applicable, which reports keep quiet)."""
    return [f for f in result.findings if f.status not in (Status.PASS, Status.NOT_APPLICABLE)]


def _key(f: Finding) -> tuple[str, str, str, str]:
    return (f.check, f.device, f.zone_from if f.device and f.check != "SEP-001" else "", f.zone_to)


def test_finds_exactly_the_planted_deviations(city: tuple[AuditResult, NetworkAnalysis]) -> None:
    result, _ = city
    assert result.verdict is Verdict.FAIL
    assert {_key(f) for f in _reported(result)} == EXPECTED
    assert all(f.status is Status.FAIL for f in _reported(result))


def test_every_device_parsed_completely(city: tuple[AuditResult, NetworkAnalysis]) -> None:
    result, _ = city
    assert len(result.coverage) == 12
    ios = [c for c in result.coverage if c.platform == "cisco_ios"]
    assert len(ios) >= 8
    for c in result.coverage:
        assert c.platform == PLATFORMS.get(c.device, "cisco_ios")
        assert c.unrecognized == (), f"{c.device}: {c.unrecognized}"
    assert not result.problems


def test_every_finding_has_file_line_evidence(city: tuple[AuditResult, NetworkAnalysis]) -> None:
    result, _ = city
    for f in _reported(result):
        assert f.evidence, f
        for e in f.evidence:
            text = (Path(e.file)).read_text(encoding="utf-8").splitlines()[e.line - 1].strip()
            assert text == e.text, (f.check, e)
        assert f.fingerprint and f.basis
        assert f.policy_ref is not None or f.check in CONFIG_ONLY_CHECKS


def _packet(flow: dict[str, object]) -> Packet:
    proto = {"tcp": 6, "udp": 17, "icmp": 1}[str(flow["proto"])]
    return Packet(
        proto=proto,
        src=ipaddress.ip_address(str(flow["src"])),
        dst=ipaddress.ip_address(str(flow["dst"])),
        sport=flow["sport"],  # type: ignore[arg-type]
        dport=flow["dport"],  # type: ignore[arg-type]
    )


def test_example_packets_really_get_through(city: tuple[AuditResult, NetworkAnalysis]) -> None:
    """Each flow finding's example packet, evaluated rule by rule, is forwarded by the device."""
    result, analysis = city
    for f in result.findings:
        if f.example_flow is None:
            continue
        packet = _packet(f.example_flow)
        assert analysis.policy.zone_of_address(packet.src) == f.zone_from
        assert analysis.policy.zone_of_address(packet.dst) == f.zone_to
        for path in f.path:
            device, ifaces = path.split(":", 1)
            in_if, out_if = ifaces.split("->")
            steps = analysis.steps(device, in_if, out_if, packet)
            assert all(s.action is Action.PERMIT for s in steps), (f.check, path, steps)
            break


def test_declared_specified_communications_are_not_findings(
    city: tuple[AuditResult, NetworkAnalysis],
) -> None:
    """eLTAX from its declared host is forwarded by sep-rtr1 and reported by no check."""
    result, analysis = city
    eltax = Packet(
        proto=6,
        src=ipaddress.ip_address("10.10.11.20"),
        dst=ipaddress.ip_address("198.51.100.10"),
        sport=50000,
        dport=443,
    )
    steps = analysis.steps("sep-rtr1", "GigabitEthernet0/0", "GigabitEthernet0/1", eltax)
    assert [s.action for s in steps] == [Action.PERMIT]
    yamaha = analysis.steps("lgwan-rtr", "lan1", "lan2", eltax)
    assert [s.action for s in yamaha] == [Action.PERMIT]
    assert yamaha[0].rule is not None and yamaha[0].rule.span.line == 21
    crossing = next(
        c for c in analysis.crossings if c.device == "sep-rtr1" and c.zone_to == "lgwan_wan"
    )
    assert crossing.packets.contains(eltax)
    assert not any(
        f.example_flow and f.example_flow["src"] == "10.10.11.20" and f.check == "MYN-002"
        for f in result.findings
    )


def test_established_return_traffic_is_not_a_crossing(
    city: tuple[AuditResult, NetworkAnalysis],
) -> None:
    """LGWAN-IN 10 permits established TCP into mynumber; that is return traffic, not a path."""
    _, analysis = city
    back = Packet(
        proto=6,
        src=ipaddress.ip_address("10.20.20.30"),
        dst=ipaddress.ip_address("10.10.10.5"),
        sport=445,
        dport=50000,
        established=True,
    )
    for c in analysis.crossings:
        assert not c.packets.contains(back)


def test_fingerprints_survive_line_shifts(tmp_path: Path) -> None:
    """Inserting lines at the top changes evidence line numbers, not fingerprints."""
    snap = tmp_path / "snapshot"
    snap.mkdir()
    for cfg in (CITY / "snapshot").iterdir():
        (snap / cfg.name).write_text("\n\n\n" + cfg.read_text(encoding="utf-8"), encoding="utf-8")
    policy = load_policy(CITY / "policy.yaml")
    before, _ = audit(CITY / "snapshot", policy, today=TODAY)
    after, _ = audit(snap, policy, today=TODAY)
    assert {f.fingerprint for f in before.findings} == {f.fingerprint for f in after.findings}
    lines_before = sorted(e.line for f in before.findings for e in f.evidence)
    lines_after = sorted(e.line for f in after.findings for e in f.evidence)
    assert lines_after == [n + 3 for n in lines_before]


def test_fixing_a_deviation_removes_exactly_its_findings(tmp_path: Path) -> None:
    """Disabling inet-pa's RDP rule (G) makes its three findings disappear, nothing else."""
    snap = tmp_path / "snapshot"
    snap.mkdir()
    for cfg in (CITY / "snapshot").iterdir():
        text = cfg.read_text(encoding="utf-8")
        if cfg.stem == "inet-pa":
            text += "set vsys vsys1 rulebase security rules vendor-rdp disabled yes\n"
        (snap / cfg.name).write_text(text, encoding="utf-8")
    result, _ = audit(snap, load_policy(CITY / "policy.yaml"), today=TODAY)
    g = {k for k in EXPECTED if k[1] == "inet-pa" and k[0] != "INT-001"}  # I is not G's
    # The disabled rule stays in the rule base: informational RUL-005 until it is deleted.
    disabled = {("RUL-005", "inet-pa", "", "")}
    assert {_key(f) for f in _reported(result)} == (EXPECTED - g) | disabled


def test_enabling_the_disabled_fortigate_policy_opens_paths(tmp_path: Path) -> None:
    """The trap is live: inet-fw policy 5 (disabled, all→all) would open internet → lgwan."""
    snap = tmp_path / "snapshot"
    snap.mkdir()
    for cfg in (CITY / "snapshot").iterdir():
        text = cfg.read_text(encoding="utf-8")
        if cfg.stem == "inet-fw":
            text = text.replace("        set status disable\n", "")
        (snap / cfg.name).write_text(text, encoding="utf-8")
    result, _ = audit(snap, load_policy(CITY / "policy.yaml"), today=TODAY)
    assert any(
        f.check == "LGW-002"
        and f.device == "inet-fw"
        and any(e.text == "edit 5" for e in f.evidence)
        for f in result.findings
    )


def test_binding_the_yamaha_trap_filter_opens_paths(tmp_path: Path) -> None:
    """Filter 500 (pass all) is harmless only because it is bound nowhere."""
    snap = tmp_path / "snapshot"
    snap.mkdir()
    for cfg in (CITY / "snapshot").iterdir():
        text = cfg.read_text(encoding="utf-8")
        if cfg.stem == "lgwan-rtr":
            text = text.replace("secure filter in 200 201 299", "secure filter in 500 200 201 299")
        (snap / cfg.name).write_text(text, encoding="utf-8")
    result, _ = audit(snap, load_policy(CITY / "policy.yaml"), today=TODAY)
    keys = {_key(f) for f in result.findings}
    # The LGWAN segment opens to the whole LGWAN; the マイナンバー系 stays shut, end to end,
    # because sep-rtr1 admits only return traffic from the LGWAN side.
    assert ("POL-001", "lgwan-rtr", "lgwan_wan", "lgwan") in keys
    assert ("MYN-002", "lgwan-rtr", "lgwan_wan", "mynumber") not in keys


# -- end to end: paths across devices ---------------------------------------------------------


def _tcp(src: str, dst: str, dport: int) -> Packet:
    return Packet(
        proto=6,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=49152,
        dport=dport,
    )


def test_chukan_crosses_two_firewalls_and_a_nat(city: tuple[AuditResult, NetworkAnalysis]) -> None:
    """中間サーバー: myn-core → sep-rtr1 (ACL) → lgwan-core → lgwan-rtr (filter + static NAT)."""
    result, analysis = city
    p = _tcp("10.10.11.21", "198.51.100.20", 443)
    (t,) = trace_packet(Network(analysis), p)
    assert t.disposition is Disposition.EXITED
    assert [h.device for h in t.hops] == ["myn-core", "sep-rtr1", "lgwan-core", "lgwan-rtr"]
    assert t.final_packet.src == ipaddress.ip_address("192.0.2.121")
    assert [r.span.text for r in t.hops[-1].nat] == [
        "nat descriptor static 1 1 192.0.2.121=10.10.11.21 1"
    ]
    # The set view agrees: one translated path holds it, and as declared it is no violation
    # (SC-006 still notes that nothing on the path logs it: planted L).
    flows = [f for f in analysis.paths or [] if f.packets.contains(p)]
    assert flows and all(f.translated and f.delivered.contains(t.final_packet) for f in flows)
    assert not any(
        f.example_flow
        and (f.example_flow["src"], f.example_flow["dst"]) == (str(p.src), str(p.dst))
        and f.check.startswith("MYN")
        for f in _reported(result)
    )


def test_a_permit_the_next_device_drops_is_not_a_finding(
    city: tuple[AuditResult, NetworkAnalysis],
) -> None:
    """A: myn-core forwards Internet-segment hosts towards the security cloud, sep-rtr1 drops it."""
    result, analysis = city
    assert any(
        (c.device, c.zone_from, c.zone_to) == ("myn-core", "internet", "sec_cloud")
        for c in analysis.crossings
    ), "the per-device view sees the crossing"
    assert ("POL-001", "myn-core", "internet", "sec_cloud") not in {
        _key(f) for f in _reported(result)
    }
    traces = trace_packet(Network(analysis), _tcp("10.30.99.5", "203.0.113.10", 8080))
    via_myn = [t for t in traces if t.hops[0].device == "myn-core"]
    assert via_myn and all(t.disposition is Disposition.DENIED for t in via_myn)
    assert {t.hops[-1].device for t in via_myn} == {"sep-rtr1"}


def test_y_is_open_only_because_c_opens_sep_rtr1_too(tmp_path: Path) -> None:
    """Y (lgwan-rtr lets the whole マイナンバー系 out) carries traffic only where C (sep-rtr1
    line 40, any source) lets it through first: narrowing C to the declared host closes both."""
    snap = tmp_path / "snapshot"
    snap.mkdir()
    for cfg in (CITY / "snapshot").iterdir():
        text = cfg.read_text(encoding="utf-8")
        if cfg.stem == "sep-rtr1":
            old = " 40 permit tcp any host 198.51.100.30 eq 443"
            assert text.count(old) == 1
            text = text.replace(old, " 40 permit tcp host 10.10.11.22 host 198.51.100.30 eq 443")
        (snap / cfg.name).write_text(text, encoding="utf-8")
    result, _ = audit(snap, load_policy(CITY / "policy.yaml"), today=TODAY)
    keys = {_key(f) for f in _reported(result)}
    gone = {
        ("MYN-002", "sep-rtr1", "mynumber", "lgwan_wan"),
        ("MYN-003", "sep-rtr1", "mynumber", "lgwan_wan"),
        ("MYN-002", "lgwan-rtr", "mynumber", "lgwan_wan"),
    }
    assert gone <= EXPECTED
    assert not keys & gone
    assert keys <= EXPECTED
