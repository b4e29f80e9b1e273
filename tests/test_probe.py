"""Active probes: the plan (pure), the refusals, no sending without --execute, and real probes.

The real probes run only inside network namespaces this module creates (a prober in zone
``lgwan`` 192.0.2.0/25, a router, a target in zone ``internet`` 198.51.100.0/24 with one
listening TCP port and one port dropped by netfilter); skipped with the reason unless root and
``ip netns`` work. Nothing leaves the namespaces.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import collectors.probe as cprobe
import netaudit.commands.probe as cmd
from netaudit.commands.probe import register
from netaudit.model import PROTO_ICMP, PROTO_TCP, PROTO_UDP
from netaudit.policy import Policy, load_policy
from netaudit.probe import (
    DEFAULT_FORBIDDEN,
    Answer,
    Expect,
    ProbeError,
    ProbeOutcome,
    ProbePlan,
    ProbeTarget,
    TokenBucket,
    build_plan,
    parse_ports,
    probe_findings,
    representative_hosts,
)
from netaudit.result import Severity

ROOT = Path(__file__).resolve().parents[1]
SAKURADAI = ROOT / "examples" / "sakuradai" / "policy.yaml"
ip = ipaddress.ip_address

app = typer.Typer()
register(app)


@app.callback()
def _root() -> None:
    """Make ``probe`` a sub-command (typer collapses a single-command app)."""


runner = CliRunner()


@pytest.fixture(scope="module")
def sakuradai() -> Policy:
    return load_policy(SAKURADAI)


# -- plan -----------------------------------------------------------------------------------


def test_plan_from_mynumber(sakuradai: Policy) -> None:
    plan = build_plan(sakuradai, "mynumber")
    zones = {t.zone for t in plan.targets}
    # every other zone with networks, never mynumber itself nor the "rest" internet_wan
    assert zones == {"lgwan", "internet", "mgmt", "lgwan_wan", "sec_cloud"}
    silent = [t for t in plan.targets if t.expect is Expect.SILENCE]
    answer = [t for t in plan.targets if t.expect is Expect.ANSWER]
    # 2 hosts per zone x 11 default probes; lgwan has two networks: their first hosts
    assert len(silent) == 5 * 2 * len(DEFAULT_FORBIDDEN)
    assert {t.address for t in silent if t.zone == "lgwan"} == {ip("10.20.0.1"), ip("10.21.0.1")}
    assert {t.address for t in silent if t.zone == "mgmt"} == {ip("10.99.0.1"), ip("10.99.0.2")}
    # the three 特定通信 from mynumber: https to their LGWAN servers
    assert {(t.flow_id, str(t.address), t.proto, t.port) for t in answer} == {
        ("SC-ELTAX", "198.51.100.10", PROTO_TCP, 443),
        ("SC-CHUKAN", "198.51.100.20", PROTO_TCP, 443),
        ("SC-PITTARI", "198.51.100.30", PROTO_TCP, 443),
    }
    assert all(t.policy_line > 0 for t in answer)
    assert {(t.proto, t.port) for t in silent} == {
        (PROTO_TCP, p) for p in (22, 23, 80, 135, 139, 443, 445, 3389)
    } | {(PROTO_UDP, 53), (PROTO_UDP, 161), (PROTO_ICMP, None)}
    assert build_plan(sakuradai, "mynumber") == plan  # deterministic


def test_plan_skips_what_the_zone_may_reach(sakuradai: Policy) -> None:
    # lgwan-terminals -> lgwan-asp (198.51.100.0/24) https: 198.51.100.1:443 is allowed
    plan = build_plan(sakuradai, "lgwan")
    silent = {(str(t.address), t.port) for t in plan.targets if t.expect is Expect.SILENCE}
    assert ("198.51.100.1", 443) not in silent
    assert ("198.51.100.1", 22) in silent
    answer = {
        (t.flow_id, str(t.address), t.port) for t in plan.targets if t.expect is Expect.ANSWER
    }
    assert ("F-LGWAN-DNS", "198.51.100.53", 53) in answer
    assert ("SC-SCREEN", "10.10.11.50", 3389) in answer
    assert ("F-LGWAN-MAIL", "198.51.100.25", 25) in answer


def test_plan_with_targets_and_ports(sakuradai: Policy) -> None:
    plan = build_plan(
        sakuradai,
        "mynumber",
        targets=[ip("10.30.10.5"), ip("198.51.100.10")],
        ports=parse_ports(["tcp/22,udp/53", "icmp", "3389"]),
        rate=10,
        timeout=0.5,
    )
    got = [(t.zone, str(t.address), t.proto, t.port, t.expect) for t in plan.targets]
    assert got == [
        ("internet", "10.30.10.5", PROTO_TCP, 22, Expect.SILENCE),
        ("internet", "10.30.10.5", PROTO_UDP, 53, Expect.SILENCE),
        ("internet", "10.30.10.5", PROTO_ICMP, None, Expect.SILENCE),
        ("internet", "10.30.10.5", PROTO_TCP, 3389, Expect.SILENCE),
        ("lgwan_wan", "198.51.100.10", PROTO_TCP, 22, Expect.SILENCE),
        ("lgwan_wan", "198.51.100.10", PROTO_UDP, 53, Expect.SILENCE),
        ("lgwan_wan", "198.51.100.10", PROTO_ICMP, None, Expect.SILENCE),
        ("lgwan_wan", "198.51.100.10", PROTO_TCP, 3389, Expect.SILENCE),
        ("lgwan_wan", "198.51.100.10", PROTO_TCP, 443, Expect.ANSWER),
    ]
    assert plan.rate == 10 and plan.timeout == 0.5


def test_plan_with_source(sakuradai: Policy) -> None:
    def plan_for(src: str) -> set[tuple[str, int | None, Expect, str]]:
        plan = build_plan(
            sakuradai,
            "mynumber",
            targets=[ip("198.51.100.10"), ip("198.51.100.20")],
            ports=parse_ports(["tcp/443"]),
            source=ip(src),
        )
        return {(str(t.address), t.port, t.expect, t.flow_id) for t in plan.targets}

    # eltax-client may reach eltax-lgwan only; chukan-server:443 must be silent for it
    assert plan_for("10.10.11.20") == {
        ("198.51.100.10", 443, Expect.ANSWER, "SC-ELTAX"),
        ("198.51.100.20", 443, Expect.SILENCE, ""),
    }
    assert plan_for("10.10.11.21") == {
        ("198.51.100.10", 443, Expect.SILENCE, ""),
        ("198.51.100.20", 443, Expect.ANSWER, "SC-CHUKAN"),
    }
    with pytest.raises(ProbeError, match="in zone 'lgwan', not in 'mynumber'"):
        build_plan(sakuradai, "mynumber", source=ip("10.20.10.5"))


def test_representative_hosts_bounded() -> None:
    nets = [ipaddress.ip_network("10.0.0.0/30"), ipaddress.ip_network("10.1.0.0/24")]
    assert representative_hosts(nets, 3) == [ip("10.0.0.1"), ip("10.1.0.1"), ip("10.0.0.2")]
    assert representative_hosts([ipaddress.ip_network("10.0.0.7/32")], 2) == [ip("10.0.0.7")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"targets": [ip("8.8.8.8")]}, "none of the policy's declared networks"),
        ({"targets": [ip("10.10.1.1")]}, "own zone"),
        ({"rate": 501}, "at most 500"),
        ({"rate": 0}, "at most 500"),
        ({"timeout": 0}, "--timeout"),
    ],
)
def test_plan_refusals(sakuradai: Policy, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ProbeError, match=message):
        build_plan(sakuradai, "mynumber", **kwargs)  # type: ignore[arg-type]


def test_plan_refuses_unknown_and_rest_zone(sakuradai: Policy) -> None:
    with pytest.raises(ProbeError, match="unknown zone"):
        build_plan(sakuradai, "dmz")
    with pytest.raises(ProbeError, match="every undeclared address"):
        build_plan(sakuradai, "internet_wan")


@pytest.mark.parametrize("bad", ["tcp/1-5", "udp", "icmp/3", "gre/1", "tcp/0"])
def test_parse_ports_rejects(bad: str) -> None:
    with pytest.raises(ProbeError):
        parse_ports([bad])


# -- pacing ---------------------------------------------------------------------------------


def test_token_bucket_paces() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(d: float) -> None:
        slept.append(d)
        now[0] += d

    bucket = TokenBucket(50, clock=lambda: now[0], sleep=sleep)
    for _ in range(101):
        bucket.take()
    # the first token is there at once; 100 more at 50 pps take 2 s
    assert now[0] == pytest.approx(2.0)
    with pytest.raises(ValueError):
        TokenBucket(501)


# -- findings -------------------------------------------------------------------------------


def _t(zone: str, addr: str, port: int | None, expect: Expect, flow: str = "") -> ProbeTarget:
    proto = PROTO_ICMP if port is None else PROTO_TCP
    return ProbeTarget(
        zone=zone, address=ip(addr), proto=proto, port=port, expect=expect, flow_id=flow,
        policy_line=7 if flow else 0,
    )  # fmt: skip


def test_findings(sakuradai: Policy) -> None:
    silent_lgwan = _t("lgwan", "10.20.0.1", 445, Expect.SILENCE)
    silent_myn = _t("mynumber", "10.10.0.1", 22, Expect.SILENCE)
    rst = _t("lgwan", "10.20.0.1", 23, Expect.SILENCE)
    quiet = _t("lgwan", "10.20.0.1", None, Expect.SILENCE)
    expected_bad = _t("lgwan_wan", "198.51.100.25", 25, Expect.ANSWER, "F-LGWAN-MAIL")
    expected_ok = _t("lgwan_wan", "198.51.100.53", 53, Expect.ANSWER, "F-LGWAN-DNS")
    plan = ProbePlan(from_zone="internet", targets=())
    outcomes = [
        ProbeOutcome(target=silent_lgwan, answer=Answer.SYN_ACK, responder=ip("10.20.0.1")),
        ProbeOutcome(target=silent_myn, answer=Answer.SYN_ACK),
        ProbeOutcome(target=rst, answer=Answer.RST),
        ProbeOutcome(target=quiet, answer=Answer.ICMP_UNREACHABLE, icmp_code=13),
        ProbeOutcome(target=expected_bad, answer=Answer.RST),
        ProbeOutcome(target=expected_ok, answer=Answer.SYN_ACK),
    ]
    found = probe_findings(sakuradai, plan, outcomes, source=ip("10.30.0.9"))
    got = [(f.check, f.zone_to, f.severity, f.example_flow["dport"]) for f in found]  # type: ignore[index]
    assert got == [
        ("TRF-010", "lgwan", Severity.HIGH, 445),
        ("TRF-010", "mynumber", Severity.CRITICAL, 22),
        ("TRF-011", "lgwan_wan", Severity.MEDIUM, 25),
    ]
    assert found[0].example_flow is not None and found[0].example_flow["src"] == "10.30.0.9"
    assert found[2].policy_ref is not None and found[2].policy_ref.id == "F-LGWAN-MAIL"
    assert "syn-ack from 10.20.0.1" in found[0].message.en
    assert len({f.fingerprint for f in found}) == 3


# -- CLI: refusals and no sending without --execute ----------------------------------------


@pytest.fixture
def no_send(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []

    def boom(*args: object, **kwargs: object) -> object:
        calls.append(args)
        raise AssertionError("a probe was sent")

    monkeypatch.setattr(cmd, "send_probes", boom)
    monkeypatch.setattr(cprobe, "send_probes", boom)
    monkeypatch.setattr(cprobe, "_scapy", boom)
    return calls


def test_cli_prints_plan_without_sending(no_send: list[object]) -> None:
    res = runner.invoke(
        app, ["probe", "--policy", str(SAKURADAI), "--from-zone", "mynumber", "--lang", "en"]
    )
    assert res.exit_code == 0, res.output
    assert "Probe plan from mynumber (113 probes, 50 pps" in res.stdout
    assert "Nothing is sent without --execute." in res.stdout
    res = runner.invoke(
        app,
        ["probe", "-p", str(SAKURADAI), "--from-zone", "lgwan", "-f", "json",
         "--targets", "10.10.11.50", "--ports", "22"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["schema"] == "netaudit/probe-plan/v1"
    # rdp is tcp/3389 and udp/3389 (netaudit.policy.BUILTIN_SERVICES)
    assert [(p["proto"], p["port"], p["expect"], p["flow_id"]) for p in data["probes"]] == [
        ("tcp", 22, "silence", None),
        ("tcp", 3389, "answer", "SC-SCREEN"),
        ("udp", 3389, "answer", "SC-SCREEN"),
    ]
    assert no_send == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--targets", "8.8.8.8"], "refusing to probe 8.8.8.8"),
        (["--targets", "8.8.8.8", "--execute"], "refusing to probe 8.8.8.8"),
        (["--targets", "not-an-ip"], "is not an IP address"),
        (["--rate", "1000", "--execute"], "at most 500"),
        (["--ports", "tcp/1-100"], "single ports"),
    ],
)
def test_cli_refusals(no_send: list[object], args: list[str], message: str) -> None:
    res = runner.invoke(app, ["probe", "-p", str(SAKURADAI), "--from-zone", "lgwan", *args])
    assert res.exit_code == 2
    assert message in " ".join(res.output.split())
    assert no_send == []


def test_cli_says_when_privileges_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_scapy() -> object:
        raise AssertionError("scapy must not be reached without privileges")

    monkeypatch.setattr(cmd, "privilege_problem", lambda: "sending probes needs raw sockets")
    monkeypatch.setattr(cprobe, "_scapy", no_scapy)
    res = runner.invoke(
        app, ["probe", "-p", str(SAKURADAI), "--from-zone", "lgwan", "--ports", "22", "--execute"]
    )
    assert res.exit_code == 2
    assert "needs raw sockets" in res.output


def _fake_sender(plan: ProbePlan) -> list[ProbeOutcome]:
    """lgwan's 10.20.0.1 answers SMB; SC-ELTAX answers; everything else is silent."""
    out = []
    for t in plan.targets:
        if (str(t.address), t.port) in (("10.20.0.1", 445), ("198.51.100.10", 443)):
            out.append(ProbeOutcome(target=t, answer=Answer.SYN_ACK, responder=t.address))
        else:
            out.append(ProbeOutcome(target=t, answer=Answer.SILENCE))
    return out


@pytest.fixture
def fake_send(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cmd, "privilege_problem", lambda: None)
    monkeypatch.setattr(cmd, "source_for", lambda plan: None)  # route unknown: plan as is
    monkeypatch.setattr(cmd, "send_probes", _fake_sender)


def test_cli_execute_renders_findings(fake_send: None) -> None:
    base = ["probe", "-p", str(SAKURADAI), "--from-zone", "mynumber", "--execute", "--lang", "en"]
    res = runner.invoke(app, [*base, "-f", "json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    schema = json.loads((ROOT / "reports" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, schema)
    got = sorted((f["check"], f["zone_to"], f["severity"]) for f in data["findings"])
    # SMB answered from lgwan (critical: mynumber is involved); SC-CHUKAN and SC-PITTARI silent
    assert got == [
        ("TRF-010", "lgwan", "critical"),
        ("TRF-011", "lgwan_wan", "medium"),
        ("TRF-011", "lgwan_wan", "medium"),
    ]
    res = runner.invoke(app, [*base, "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    assert "TRF-010" in res.stdout and "TRF-011" in res.stdout


def test_cli_refuses_a_prober_outside_its_zone(
    fake_send: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cmd, "source_for", lambda plan: ip("10.30.10.5"))
    monkeypatch.setattr(cmd, "send_probes", lambda plan: pytest.fail("sent"))
    res = runner.invoke(
        app, ["probe", "-p", str(SAKURADAI), "--from-zone", "mynumber", "--execute"]
    )
    assert res.exit_code == 2
    assert "in zone 'internet', not in 'mynumber'" in " ".join(res.output.split())


def test_cli_execute_plans_for_the_routed_source(
    fake_send: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cmd, "source_for", lambda plan: ip("10.10.11.20"))
    base = ["probe", "-p", str(SAKURADAI), "--from-zone", "mynumber", "--lang", "en"]
    res = runner.invoke(app, [*base, "--execute", "-f", "json", "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    # eltax-client: SC-ELTAX answers; SC-CHUKAN/SC-PITTARI are not its flows, so not expected
    findings = json.loads(res.stdout)["findings"]
    assert [f["check"] for f in findings] == ["TRF-010"]
    assert findings[0]["example_flow"]["src"] == "10.10.11.20"
    res = runner.invoke(app, [*base, "--execute", "--source", "10.10.11.21"])
    assert res.exit_code == 2
    assert "would leave from 10.10.11.20" in " ".join(res.output.split())
    res = runner.invoke(app, [*base, "--source", "10.10.11.21", "-f", "json"])
    assert res.exit_code == 0
    flows = {p["flow_id"] for p in json.loads(res.stdout)["probes"] if p["flow_id"]}
    assert flows == {"SC-CHUKAN"}


def test_privilege_problem_as_non_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nCapEff:\t0000000000000000\n")
    real = Path

    monkeypatch.setattr(cprobe, "Path", lambda p: status if p == "/proc/self/status" else real(p))
    assert "CAP_NET_RAW" in (cprobe.privilege_problem() or "")
    status.write_text("CapEff:\t0000000000002000\n")
    assert cprobe.privilege_problem() is None


def test_build_packets() -> None:
    pytest.importorskip("scapy")
    s = cprobe._scapy()
    dns = cprobe.build_packet(s, _t("x", "192.0.2.1", 53, Expect.SILENCE))
    assert dns.haslayer(s.TCP)  # _t makes TCP probes
    udp = ProbeTarget(
        zone="x", address=ip("192.0.2.1"), proto=PROTO_UDP, port=53, expect=Expect.SILENCE
    )
    assert cprobe.build_packet(s, udp).haslayer(s.DNSQR)
    snmp = ProbeTarget(
        zone="x", address=ip("192.0.2.1"), proto=PROTO_UDP, port=161, expect=Expect.SILENCE
    )
    pkt = cprobe.build_packet(s, snmp)
    assert pkt.haslayer(s.SNMP) and b"public" in bytes(pkt)
    other = ProbeTarget(
        zone="x", address=ip("192.0.2.1"), proto=PROTO_UDP, port=5000, expect=Expect.SILENCE
    )
    assert len(cprobe.build_packet(s, other)[s.UDP].payload) == 0
    echo = cprobe.build_packet(s, _t("x", "192.0.2.1", None, Expect.SILENCE))
    assert echo[s.ICMP].type == 8
    echo6 = cprobe.build_packet(s, _t("x", "2001:db8::1", None, Expect.SILENCE))
    assert echo6.haslayer(s.ICMPv6EchoRequest) and echo6[s.IPv6].dst == "2001:db8::1"
    syn6 = cprobe.build_packet(s, _t("x", "2001:db8::1", 22, Expect.SILENCE))
    assert syn6[s.TCP].flags == "S" and syn6.haslayer(s.IPv6)


def test_classify_answers() -> None:
    pytest.importorskip("scapy")
    s = cprobe._scapy()
    a, b = "192.0.2.1", "198.51.100.1"
    cases = [
        (s.IP(src=b, dst=a) / s.TCP(flags="SA"), (Answer.SYN_ACK, None)),
        (s.IP(src=b, dst=a) / s.TCP(flags="RA"), (Answer.RST, None)),
        (s.IP(src=b, dst=a) / s.UDP(sport=53), (Answer.UDP_REPLY, None)),
        (s.IP(src=b, dst=a) / s.ICMP(type=0), (Answer.ECHO_REPLY, None)),
        (
            s.IP(src=b, dst=a) / s.ICMP(type=3, code=13) / s.IPerror(dst=b) / s.UDPerror(),
            (Answer.ICMP_UNREACHABLE, 13),
        ),
        (s.IPv6(src="2001:db8::1") / s.ICMPv6EchoReply(), (Answer.ECHO_REPLY, None)),
        (s.IPv6(src="2001:db8::1") / s.ICMPv6DestUnreach(code=4), (Answer.ICMP_UNREACHABLE, 4)),
    ]
    for pkt, want in cases:
        assert cprobe.classify(s, s.IP(bytes(pkt)) if pkt.haslayer(s.IP) else pkt) == want


# -- real probes inside network namespaces ---------------------------------------------------

LAB_POLICY = """\
schema_version: 1
model: beta
zones:
  lgwan: { networks: [192.0.2.0/25] }
  internet: { networks: [198.51.100.0/24] }
  internet_wan: {}
allowed_flows:
  - { id: F-WEB, from: lgwan, to: internet, dst: [198.51.100.10], services: [tcp/8443] }
  - { id: F-PING, from: lgwan, to: internet, dst: [198.51.100.10], services: [ping] }
"""

LISTENER = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(16)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.close()
"""


def _lab_missing() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to create network namespaces and send raw packets"
    for tool in ("ip", "iptables"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (apt-get install iproute2 iptables)"
    return None


def _sh(*args: str) -> str:
    res = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {res.stderr.strip()}")
    return res.stdout


@pytest.fixture(scope="module")
def probe_lab() -> Iterator[dict[str, str]]:
    reason = _lab_missing()
    if reason:
        pytest.skip(reason)
    suffix = secrets.token_hex(3)
    ns = {k: f"na-probe-{k}-{suffix}" for k in ("p", "r", "t")}
    created: list[str] = []
    listener: subprocess.Popen[str] | None = None
    try:
        for name in ns.values():
            try:
                _sh("ip", "netns", "add", name)
            except RuntimeError as e:
                pytest.skip(f"cannot create network namespaces here: {e}")
            created.append(name)

        def run(node: str, *args: str) -> str:
            return _sh("ip", "netns", "exec", ns[node], *args)

        for rif, node, raddr, haddr, plen in (
            ("lan1", "p", "192.0.2.1", "192.0.2.10", 25),
            ("lan2", "t", "198.51.100.1", "198.51.100.10", 24),
        ):
            run("r", "ip", "link", "add", rif, "type", "veth", "peer", "name", "eth0",
                "netns", ns[node])  # fmt: skip
            run("r", "ip", "addr", "add", f"{raddr}/{plen}", "dev", rif)
            run("r", "ip", "link", "set", rif, "up")
            run(node, "ip", "addr", "add", f"{haddr}/{plen}", "dev", "eth0")
            run(node, "ip", "link", "set", "eth0", "up")
            run(node, "ip", "link", "set", "lo", "up")
            run(node, "ip", "route", "add", "default", "via", raddr)
        run("r", "ip", "link", "set", "lo", "up")
        run("r", "sysctl", "-qw", "net.ipv4.ip_forward=1")
        try:
            run("t", "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "2223", "-j", "DROP")
        except RuntimeError as e:
            pytest.skip(f"iptables does not work in a namespace here: {e}")
        listener = subprocess.Popen(
            ["ip", "netns", "exec", ns["t"], sys.executable, "-c", LISTENER, "2222"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert listener.stdout is not None
        assert listener.stdout.readline().strip() == "ready"
        yield ns
    finally:
        if listener is not None:
            listener.kill()
            listener.wait(timeout=10)
        for name in created:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def test_probes_in_namespaces(probe_lab: dict[str, str], tmp_path: Path) -> None:
    policy = tmp_path / "lab.yaml"
    policy.write_text(LAB_POLICY, encoding="utf-8")
    code = textwrap.dedent(
        """
        import sys
        from netaudit.cli import main
        sys.argv[0] = "netaudit"
        main()
        """
    )
    res = subprocess.run(
        ["ip", "netns", "exec", probe_lab["p"], sys.executable, "-c", code,
         "probe", "--policy", str(policy), "--from-zone", "lgwan",
         "--targets", "198.51.100.10", "--ports", "tcp/2222,tcp/2223,udp/5353",
         "--execute", "--rate", "100", "--timeout", "1", "--format", "json", "--lang", "en"],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
    )  # fmt: skip
    assert res.returncode == 1, res.stderr
    data = json.loads(res.stdout)
    got = sorted(
        (f["check"], f["example_flow"]["proto"], f["example_flow"]["dport"], f["severity"])
        for f in data["findings"]
    )
    # 2222 listens: TRF-010; 2223 dropped and udp/5353 closed (port unreachable): nothing;
    # F-WEB's 8443 is closed (RST): TRF-011; F-PING answers: nothing
    assert got == [("TRF-010", "tcp", 2222, "high"), ("TRF-011", "tcp", 8443, "medium")]
    trf010 = next(f for f in data["findings"] if f["check"] == "TRF-010")
    assert trf010["example_flow"]["src"] == "192.0.2.10"
    assert trf010["zone_from"] == "lgwan" and trf010["zone_to"] == "internet"
