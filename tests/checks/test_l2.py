"""L2 checks (MYN-005, L2-001..003): fixture folders and each switch platform's facts.

IOS fixtures live in ``fixtures/MYN-005`` and ``fixtures/L2-00x``; the other switch platforms
(NX-OS, AlliedWare Plus, AlaxalA) are small configs audited from a temporary snapshot, pinning
the defaults the checks rely on (trunk VLAN lists, native VLAN, 802.1X port-control).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.base import CheckContext
from checks.l2 import MynumberPortAuth, port_auth_methods
from netaudit.engine import audit
from netaudit.flow import HeaderSpace
from netaudit.model import DeviceConfig, Interface, SourceSpan, SwitchportMode
from netaudit.parsers import alaxala_ax, allied_telesis_awplus, cisco_ios, cisco_nxos
from netaudit.policy import load_policy
from netaudit.reach import analyze
from netaudit.result import Status
from tests.checks.test_management import FIXTURES, TODAY, by_status, check_folder, folders

POLICY = FIXTURES / "MYN-005" / "policy.yaml"


@pytest.mark.parametrize("folder", folders(("MYN-005", "L2-")), ids=lambda p: p.name)
def test_fixture_folder(folder: Path) -> None:
    """Each L2 fixture folder behaves as its file names say."""
    check_folder(folder)


def audit_one(tmp_path: Path, name: str, text: str, check: str) -> dict[Status, set[str]]:
    """Audit one config (platform detected) with one check; devices per status."""
    snap = tmp_path / "snap"
    snap.mkdir(exist_ok=True)
    (snap / name).write_text(text, encoding="utf-8")
    result, _ = audit(snap, load_policy(POLICY), only=[check], today=TODAY)
    return by_status(result, check)


def _itf(**extras: object) -> Interface:
    return Interface(
        name="Gi1/0/1",
        span=SourceSpan(file="x", line=1, text="interface Gi1/0/1"),
        mode=SwitchportMode.ACCESS,
        access_vlan=10,
        extras=extras,
    )


def test_port_auth_methods_read_every_platform_form() -> None:
    """IOS booleans, AW+/AlaxalA setting mappings; force-authorized 802.1X enforces nothing."""
    assert port_auth_methods(_itf()) == ()
    assert port_auth_methods(_itf(port_security=True)) == ("port-security",)
    assert port_auth_methods(_itf(port_security={"enabled": True})) == ("port-security",)
    assert port_auth_methods(_itf(dot1x={"port-control": "auto"})) == ("802.1X",)
    assert port_auth_methods(_itf(dot1x={"port-control": "force-authorized"})) == ()
    assert port_auth_methods(_itf(auth_mac="enable")) == ("MAC authentication",)
    assert port_auth_methods(_itf(mac_authentication="port")) == ("MAC authentication",)


IOS_PORT = "hostname sw\n!\ninterface GigabitEthernet1/0/1\n switchport access vlan 10\n switchport mode access\n{lines}!\nend\n"


@pytest.mark.parametrize(
    ("lines", "extras"),
    [
        (" switchport port-security\n", {"port_security": True}),
        (" switchport port-security\n no switchport port-security\n", {}),
        (" authentication port-control auto\n", {"port_control": "auto", "dot1x": True}),
        (" dot1x port-control auto\n", {"port_control": "auto", "dot1x": True}),
        (" dot1x pae authenticator\n", {}),
        (" authentication port-control force-authorized\n", {}),
        (
            " authentication port-control auto\n mab\n",
            {"port_control": "auto", "dot1x": True, "mac_auth": True},
        ),
        (" mab\n", {}),
    ],
)
def test_ios_port_authentication_facts(lines: str, extras: dict[str, object]) -> None:
    """The IOS parser records enforced port authentication under the standard keys."""
    dev = cisco_ios.parse(IOS_PORT.format(lines=lines), source="sw.cfg")
    itf = dev.interface("GigabitEthernet1/0/1")
    assert itf is not None
    assert dict(itf.extras) == extras
    assert not dev.coverage.unrecognized


def test_nxos_dot1x_and_port_security(tmp_path: Path) -> None:
    """NX-OS: dot1x port-control auto and switchport port-security are understood and pass."""
    text = (
        "version 9.3(8)\nhostname leaf1\nfeature dot1x\nfeature port-security\n!\n"
        "interface Ethernet1/1\n  switchport\n  switchport access vlan 10\n"
        "  dot1x port-control auto\n  no shutdown\n!\n"
        "interface Ethernet1/2\n  switchport\n  switchport access vlan 10\n"
        "  switchport port-security\n  no shutdown\n!\n"
        "interface Ethernet1/3\n  switchport\n  switchport access vlan 11\n  no shutdown\n"
    )
    dev = cisco_nxos.parse(text, source="leaf1.cfg")
    e1, e2 = dev.interface("Ethernet1/1"), dev.interface("Ethernet1/2")
    assert e1 is not None and e2 is not None
    assert port_auth_methods(e1) == ("802.1X",)
    assert port_auth_methods(e2) == ("port-security",)
    got = audit_one(tmp_path, "leaf1.cfg", text, "MYN-005")
    assert got.get(Status.FAIL) == {"leaf1"}


AWPLUS = """!
hostname x510
!
vlan database
 vlan 10 name MYN
!
interface port1.0.1
 description 窓口端末
 switchport mode access
 switchport access vlan 10
 dot1x port-control auto
!
interface port1.0.2
 description 窓口端末
 switchport mode access
 switchport access vlan 10
 {port2}
!
interface port1.0.24
 description uplink
 switchport mode trunk
 switchport trunk allowed vlan {allowed}
 {native}
!
end
"""


@pytest.mark.parametrize(
    ("port2", "fails"),
    [("auth-mac enable", False), ("switchport port-security", False), ("no shutdown", True)],
)
def test_awplus_port_authentication(tmp_path: Path, port2: str, fails: bool) -> None:
    """AW+: dot1x port-control auto, auth-mac enable and port-security each count."""
    text = AWPLUS.format(port2=port2, allowed="10", native="switchport trunk native vlan 10")
    assert allied_telesis_awplus.detect(text) > cisco_ios.detect(text)
    got = audit_one(tmp_path, "x510.cfg", text, "MYN-005")
    assert got.get(Status.FAIL, set()) == ({"x510"} if fails else set())


@pytest.mark.parametrize(
    ("allowed", "check", "fails"),
    [
        ("all", "L2-002", True),
        ("10", "L2-002", False),
        ("1,10", "L2-003", True),  # AW+ native VLAN defaults to 1
        ("10", "L2-003", False),  # VLAN 1 not carried
    ],
)
def test_awplus_trunks(tmp_path: Path, allowed: str, check: str, fails: bool) -> None:
    """AW+ trunk defaults: no VLAN until listed, native VLAN 1 unless set."""
    text = AWPLUS.format(port2="switchport port-security", allowed=allowed, native="!")
    got = audit_one(tmp_path, "x510.cfg", text, check)
    assert got.get(Status.FAIL, set()) == ({"x510"} if fails else set())


def test_awplus_native_vlan_none_passes(tmp_path: Path) -> None:
    """AW+ 'switchport trunk native vlan none' leaves no untagged VLAN."""
    text = AWPLUS.format(
        port2="switchport port-security", allowed="1,10", native="switchport trunk native vlan none"
    )
    assert audit_one(tmp_path, "x510.cfg", text, "L2-003").get(Status.FAIL) is None


def test_alaxala_dot1x_and_mac_authentication() -> None:
    """AlaxalA: dot1x port-control auto and mac-authentication port are recognised."""
    text = (
        "hostname ax\n!\nvlan 10\n name MYN\n!\n"
        "interface gigabitethernet 1/0/1\n switchport mode access\n switchport access vlan 10\n"
        " dot1x port-control auto\n!\n"
        "interface gigabitethernet 1/0/2\n switchport mode access\n switchport access vlan 10\n"
        " mac-authentication port\n!\n"
        "interface gigabitethernet 1/0/3\n switchport mode access\n switchport access vlan 10\n!\n"
    )
    dev = alaxala_ax.parse(text, source="ax.cfg")
    methods = {i.name: port_auth_methods(i) for i in dev.interfaces}
    assert methods["gigabitethernet 1/0/1"] == ("802.1X",)
    assert methods["gigabitethernet 1/0/2"] == ("MAC authentication",)
    assert methods["gigabitethernet 1/0/3"] == ()


def test_platform_without_port_facts_is_not_applicable() -> None:
    """A mynumber access port on a platform whose parser has no port facts: not applicable."""
    dev = DeviceConfig(name="odd", platform="yamaha", source="odd.cfg", interfaces=(_itf(),))
    policy = load_policy(POLICY)
    ctx = CheckContext(analysis=analyze(HeaderSpace(), [dev], policy), today=TODAY)
    findings = list(MynumberPortAuth().run(ctx))
    assert [(f.status, f.device) for f in findings] == [(Status.NOT_APPLICABLE, "odd")]
    assert "yamaha" in findings[0].message.en
    cisco = DeviceConfig(name="sw", platform="cisco_ios", source="sw.cfg", interfaces=(_itf(),))
    ctx = CheckContext(analysis=analyze(HeaderSpace(), [cisco], policy), today=TODAY)
    assert [f.status for f in MynumberPortAuth().run(ctx)] == [Status.FAIL]
