"""MGT checks: fixture folders (exact pass/fail/unknown sets), platform defaults, not-applicable.

The fixture folders ``fixtures/MGT-0xx/`` are also run by the shared harness
(``test_check_fixtures.py``); here they are audited with their check and every finding's
evidence is compared with the config line it cites (redacted where the line holds a secret).
Multi-platform cases are small configs written to a temporary snapshot, so each platform's
default the checks rely on is pinned by a test.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from checks import all_checks
from checks.base import CheckContext
from checks.management import RestrictedManagement
from netaudit.engine import audit
from netaudit.flow import HeaderSpace
from netaudit.parsers import parse_text
from netaudit.policy import load_policy
from netaudit.reach import analyze
from netaudit.result import AuditResult, Finding, Status

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 1, 15)
FAMILY_PREFIXES = ("MGT-",)


def run(folder: Path, check: str) -> AuditResult:
    """Audit a snapshot folder with one check."""
    result, _ = audit(folder, load_policy(folder / "policy.yaml"), only=[check], today=TODAY)
    return result


def by_status(result: AuditResult, check: str) -> dict[Status, set[str]]:
    """Devices per status of ``check``'s findings."""
    out: dict[Status, set[str]] = {}
    for f in result.findings:
        if f.check == check:
            out.setdefault(f.status, set()).add(f.device)
    return out


def folders(prefixes: tuple[str, ...]) -> list[Path]:
    """This family's fixture folders."""
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith(prefixes))


def check_folder(folder: Path) -> None:
    """Exactly the fail_/unknown_ devices fail/are unknown; evidence cites real lines."""
    check = "-".join(folder.name.split("-")[:2])
    result = run(folder, check)
    assert result.checks_run == (check,)
    devices = {p.stem for p in folder.iterdir() if p.name != "policy.yaml"}
    got = by_status(result, check)
    for status in (Status.FAIL, Status.UNKNOWN):
        want = {d for d in devices if d.startswith(f"{status.value}_")}
        assert got.get(status, set()) == want, (status, got)
    assert not got.get(Status.ERROR)
    for c in result.coverage:
        assert not c.unrecognized, (c.device, c.unrecognized)
        assert not c.warnings, (c.device, c.warnings)
    for f in result.findings:
        assert_evidence(folder, f)


def assert_evidence(folder: Path, f: Finding) -> None:
    """Each evidence line is the (redacted) text of that line of the device's file."""
    assert f.fingerprint and f.basis and f.policy_ref is not None
    for e in f.evidence:
        lines = Path(e.file).read_text(encoding="utf-8").splitlines()
        assert Path(e.file).parent.resolve() == folder.resolve()
        line = lines[e.line - 1].strip()
        if e.text != line:
            # Secrets are redacted: every other word of the line is kept, in order.
            assert "<redacted>" in e.text, (e, line)
            pattern = ".*".join(re.escape(part) for part in e.text.split("<redacted>"))
            assert re.fullmatch(pattern, line) and "<redacted>" not in line, (e, line)


@pytest.mark.parametrize("folder", folders(FAMILY_PREFIXES), ids=lambda p: p.name)
def test_fixture_folder(folder: Path) -> None:
    """Each MGT fixture folder behaves as its file names say."""
    check_folder(folder)


# -- every platform: facts and defaults, through the checks -----------------------------------

REPO_FIXTURES = Path(__file__).parents[1] / "fixtures"
POLICY = FIXTURES / "MGT-001" / "policy.yaml"


def findings_for(text: str, name: str, check: str, *, policy: Path = POLICY) -> list[Finding]:
    """Run one check over one parsed config (platform detected), without the engine's paths."""
    dev = parse_text(text, source=name, name=Path(name).stem)
    ctx = CheckContext(analysis=analyze(HeaderSpace(), [dev], load_policy(policy)), today=TODAY)
    (c,) = [c for c in all_checks() if c.meta.id == check]
    return list(c.run(ctx))


def statuses(text: str, name: str, check: str) -> list[str]:
    """The statuses of ``check``'s findings for one config."""
    return [f.status.value for f in findings_for(text, name, check)]


def repo_fixture(rel: str) -> str:
    """A parser fixture of this repository (tests/fixtures/<platform>/...)."""
    return (REPO_FIXTURES / rel).read_text(encoding="utf-8")


def test_yamaha_telnetd_is_on_by_factory_default() -> None:
    """RTX: no telnetd line = Telnet on (factory default); 'telnetd service off' = off."""
    factory = repo_fixture("secrets/yamaha.cfg")
    assert "telnetd" not in factory
    (f,) = findings_for(factory, "yamaha.cfg", "MGT-005")
    assert f.status is Status.FAIL and "factory default" in f.message.en and not f.evidence
    branch = repo_fixture("yamaha/branch_rtx1210.cfg")
    assert "telnetd service off" in branch
    assert statuses(branch, "rtx.cfg", "MGT-005") == []


def test_yamaha_host_lists_are_compared_with_the_mgmt_networks() -> None:
    """'sshd host 10.20.1.0-10.20.1.255' lies outside mgmt; moved into it, it passes."""
    branch = repo_fixture("yamaha/branch_rtx1210.cfg")
    ssh = [f for f in findings_for(branch, "rtx.cfg", "MGT-001") if " ssh " in f.message.en]
    assert [f.status for f in ssh] == [Status.FAIL]
    assert ssh[0].evidence[0].text == "sshd host 10.20.1.0-10.20.1.255"
    fixed = branch.replace("sshd host 10.20.1.0-10.20.1.255", "sshd host 10.99.0.1-10.99.0.254")
    assert not [f for f in findings_for(fixed, "rtx.cfg", "MGT-001") if " ssh " in f.message.en]


def test_yamaha_ssh_server_is_v2_only() -> None:
    """The Yamaha RT SSH server does not implement SSHv1: MGT-012 never fails there."""
    branch = repo_fixture("yamaha/branch_rtx1210.cfg")
    assert "sshd service on" in branch
    assert statuses(branch, "rtx.cfg", "MGT-012") == []


@pytest.mark.parametrize("check", ["MGT-004", "MGT-013"])
def test_yamaha_unreported_facts_are_not_applicable(check: str) -> None:
    """AAA and the banner are not reported for Yamaha: not applicable."""
    f = findings_for(repo_fixture("yamaha/branch_rtx1210.cfg"), "rtx.cfg", check)
    assert [x.status for x in f] == [Status.NOT_APPLICABLE]
    assert "yamaha" in f[0].message.en


def test_fortigate_admin_without_password_and_remote_auth() -> None:
    """FortiGate: an admin with no 'set password' fails MGT-010; remote-auth makes AAA."""
    text = repo_fixture("fortinet/city_fw.conf")
    weak = findings_for(text, "fw.conf", "MGT-010")
    assert [(f.status, "operator" in f.message.en) for f in weak] == [(Status.FAIL, True)]
    assert statuses(text, "fw.conf", "MGT-004") == ["fail"]
    remote = text.replace(
        '    edit "operator"\n', '    edit "operator"\n        set remote-auth enable\n'
    )
    assert statuses(remote, "fw.conf", "MGT-004") == []
    # A remote-auth admin has no local password: nothing for MGT-010 to judge.
    assert statuses(remote, "fw.conf", "MGT-010") == []


def test_fortigate_allowaccess_http_and_trusthosts() -> None:
    """allowaccess http fails MGT-006; trusthosts outside mgmt fail MGT-001 per protocol."""
    text = repo_fixture("fortinet/city_fw.conf")
    assert statuses(text, "fw.conf", "MGT-006") == ["fail"]
    msgs = [f.message.en for f in findings_for(text, "fw.conf", "MGT-001")]
    assert any("ssh admits 10.10.1.0/24, 10.10.100.10/32" in m for m in msgs)


def test_panos_management_defaults() -> None:
    """PAN-OS: HTTPS/SSH on and Telnet off by default; no permitted-ip = unrestricted."""
    text = repo_fixture("paloalto_panos/branch_set.txt")
    assert statuses(text, "pa.txt", "MGT-005") == []
    assert sorted(statuses(text, "pa.txt", "MGT-001")) == ["fail", "fail"]
    fixed = text + "set deviceconfig system permitted-ip 10.99.0.0/24\n"
    assert statuses(fixed, "pa.txt", "MGT-001") == []
    telnet = text + "set deviceconfig system service disable-telnet no\n"
    assert statuses(telnet, "pa.txt", "MGT-005") == ["fail"]


def test_panos_banner_absent_means_none() -> None:
    """PAN-OS has no default login banner: absent fails, a login-banner passes."""
    text = repo_fixture("paloalto_panos/branch_set.txt")
    assert statuses(text, "pa.txt", "MGT-013") == ["fail"]
    banner = (
        text + 'set deviceconfig system login-banner "許可された管理者以外の接続を禁止します。"\n'
    )
    assert statuses(banner, "pa.txt", "MGT-013") == []


def test_nxos_telnet_off_by_default_and_ssh_v2_only() -> None:
    """NX-OS: 'feature telnet' turns Telnet on (off by default); SSHv1 does not exist."""
    text = repo_fixture("cisco_nxos/dc_leaf.cfg")
    assert statuses(text, "leaf.cfg", "MGT-005") == ["fail"]
    assert statuses(text.replace("feature telnet\n", ""), "leaf.cfg", "MGT-005") == []
    assert statuses(text, "leaf.cfg", "MGT-012") == []


def test_awplus_telnet_and_http_on_by_default() -> None:
    """AlliedWare Plus: Telnet and the HTTP service are on unless disabled."""
    text = repo_fixture("allied_telesis_awplus/ar4050s-fw.cfg")
    for check in ("MGT-005", "MGT-006"):
        (f,) = findings_for(text, "ar.cfg", check)
        assert f.status is Status.FAIL and "factory default" in f.message.en


def test_junos_lo0_filter_restricts_management() -> None:
    """Junos: the lo0 input filter is evaluated per service; without it SSH is open."""
    text = repo_fixture("juniper_junos/city-srx1.set")
    msgs = [f.message.en for f in findings_for(text, "srx.set", "MGT-001")]
    assert not any(" ssh " in m for m in msgs)
    assert any("ACL PROTECT-RE lets snmp" in m for m in msgs)
    bare = text.replace("set interfaces lo0 unit 0 family inet filter input PROTECT-RE\n", "")
    msgs = [f.message.en for f in findings_for(bare, "srx.set", "MGT-001")]
    assert any(" ssh " in m for m in msgs)


def test_nec_ix_servers_off_until_enabled() -> None:
    """NEC IX: telnet-server enabled fails MGT-005; an access list alone does not enable HTTP."""
    text = repo_fixture("nec_ix/branch_ix2215.cfg")
    assert statuses(text, "ix.cfg", "MGT-005") == ["fail"]
    assert "http-server ip access-list" in text and "http-server ip enable" not in text
    assert statuses(text, "ix.cfg", "MGT-006") == []
    on = text.replace(
        "http-server ip access-list", "http-server ip enable\nhttp-server ip access-list"
    )
    assert statuses(on, "ix.cfg", "MGT-006") == ["fail"]


def test_asa_snmp_agent_is_read_only_and_ssh_version_not_reported() -> None:
    """ASA: no community can write; the SSH version is not reported (not applicable)."""
    text = repo_fixture("cisco_asa/city-fw1.cfg")
    assert statuses(text, "asa.cfg", "MGT-009") == []
    assert statuses(text, "asa.cfg", "MGT-012") == ["not_applicable"]


@pytest.mark.parametrize(
    "check", ["MGT-002", "MGT-004", "MGT-007", "MGT-008", "MGT-009", "MGT-010", "MGT-011"]
)
def test_linux_has_no_management_settings(check: str) -> None:
    """iptables-save carries no syslog/NTP/SNMP/AAA/password facts: not applicable."""
    text = repo_fixture("linux/host_ipaddr.cfg")
    assert statuses(text, "host.cfg", check) == ["not_applicable"]


def test_awplus_and_alaxala_without_aaa_lines_log_in_locally() -> None:
    """No 'aaa authentication login ... group' on AW+/AlaxalA = local users only: fails."""
    text = repo_fixture("allied_telesis_awplus/ar4050s-fw.cfg")
    assert "aaa authentication login" not in text
    assert statuses(text, "ar.cfg", "MGT-004") == ["fail"]
    central = text.replace("!\n", "!\naaa authentication login default group radius local\n", 1)
    assert statuses(central, "ar.cfg", "MGT-004") == []


def test_alaxala_passwords_are_not_applicable() -> None:
    """AlaxalA keeps login passwords outside the running configuration."""
    text = repo_fixture("alaxala_ax/core-ax3660s.cfg")
    assert statuses(text, "ax.cfg", "MGT-010") == ["not_applicable"]


IOS_VTY = (
    "hostname r1\n!\n{acl}!\nline vty 0 4\n access-class {name} in\n transport input ssh\n!\nend\n"
)


def test_ios_undefined_vty_acl_is_unknown() -> None:
    """A vty access-class naming no ACL cannot be judged: unknown, citing the vty."""
    dev = parse_text(IOS_VTY.format(acl="", name="NOPE"), source="r1.cfg", name="r1")
    ctx = CheckContext(analysis=analyze(HeaderSpace(), [dev], load_policy(POLICY)), today=TODAY)
    (f,) = RestrictedManagement().run(ctx)
    assert f.status is Status.UNKNOWN and "NOPE" in f.message.en


def test_ios_acl_evaluated_exactly_with_an_example_source() -> None:
    """A deny before a wide permit is honoured; what remains outside mgmt is the example."""
    acl = "ip access-list standard V\n deny 10.0.0.0 0.255.255.255\n permit any\n"
    (f,) = findings_for(IOS_VTY.format(acl=acl, name="V"), "r1.cfg", "MGT-001")
    assert f.status is Status.FAIL
    assert [e.text for e in f.evidence] == ["line vty 0 4", "permit any"]
    ok = "ip access-list standard V\n permit 10.99.0.0 0.0.255.255\n deny any\n"
    assert findings_for(IOS_VTY.format(acl=ok, name="V"), "r1.cfg", "MGT-001") == []


def test_no_mgmt_zone_is_not_applicable(tmp_path: Path) -> None:
    """Without a mgmt zone or admin sources, MGT-001 cannot judge: not applicable."""
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "schema_version: 1\nmodel: beta\nzones:\n"
        "  mynumber: { networks: [10.10.0.0/16] }\n  internet_wan: {}\n",
        encoding="utf-8",
    )
    acl = "ip access-list standard V\n permit any\n"
    found = findings_for(IOS_VTY.format(acl=acl, name="V"), "r1.cfg", "MGT-001", policy=policy)
    assert [f.status for f in found] == [Status.NOT_APPLICABLE]


def test_ios_vty_without_transport_input_allows_telnet_and_sshv1() -> None:
    """Classic IOS vty default admits Telnet; no 'ip ssh version 2' means SSH 1.99."""
    text = "hostname r1\n!\nline vty 0 4\n login local\n!\nend\n"
    assert statuses(text, "r1.cfg", "MGT-005") == ["fail"]
    assert statuses(text, "r1.cfg", "MGT-012") == ["fail"]
    v2 = text.replace("!\nline", "ip ssh version 2\n!\nline")
    assert statuses(v2, "r1.cfg", "MGT-012") == []


def test_declared_servers_match_by_address_and_name(tmp_path: Path) -> None:
    """Syslog servers in the policy may be addresses, networks or host names."""
    policy = tmp_path / "p.yaml"
    policy.write_text(
        POLICY.read_text(encoding="utf-8").replace(
            "syslog_servers: [10.99.0.20]", "syslog_servers: [10.99.0.16/28, log.city.local]"
        ),
        encoding="utf-8",
    )
    for host, fails in (("10.99.0.20", False), ("log.city.local", False), ("10.99.1.20", True)):
        text = f"hostname r1\nlogging host {host}\nend\n"
        found = findings_for(text, "r1.cfg", "MGT-002", policy=policy)
        assert [f.status for f in found] == ([Status.FAIL] if fails else []), host


def test_awplus_ssh_accepts_v1_unless_v2only() -> None:
    """AW+ 'ssh server' defaults to v1v2: SSH enabled without v2only fails MGT-012."""
    text = repo_fixture("allied_telesis_awplus/core-x930.cfg")
    assert "service ssh" in text and "v2only" not in text
    (f,) = findings_for(text, "x930.cfg", "MGT-012")
    assert f.status is Status.FAIL and "ssh server v2only" in f.message.en
    pinned = text.replace("service ssh\n", "service ssh\nssh server v2only\n", 1)
    assert statuses(pinned, "x930.cfg", "MGT-012") == []
