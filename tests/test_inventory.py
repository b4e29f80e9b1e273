"""Tests of netaudit.inventory: links, externals, forwarding, and every problem with its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from netaudit.inventory import Inventory, Link, load_inventory
from netaudit.policy import PolicyValidationError, Problem, load_policy

ROOT = Path(__file__).resolve().parents[1]
CITY = ROOT / "examples" / "sakuradai"

BASE = """\
devices:
  - {name: sep-rtr1, platform: cisco_ios}
  - {name: lgwan-core, platform: cisco_ios, forwarding: unknown}
  - {name: lgwan-rtr, platform: yamaha}
"""


def load(tmp_path: Path, text: str) -> Inventory:
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_inventory(path)


def problems(tmp_path: Path, text: str) -> list[Problem]:
    with pytest.raises(PolicyValidationError) as e:
        load(tmp_path, text)
    return list(e.value.problems)


def test_links_externals_and_forwarding_load(tmp_path: Path) -> None:
    inv = load(
        tmp_path,
        BASE
        + 'links:\n  - {a: "sep-rtr1:GigabitEthernet0/3", b: "lgwan-core:Vlan20"}\n'
        + 'externals:\n  - {name: lgwan-ss, zone: lgwan_wan, attach: "lgwan-rtr:LAN2"}\n',
    )
    assert inv.links == (Link("sep-rtr1", "GigabitEthernet0/3", "lgwan-core", "Vlan20", 6),)
    (ext,) = inv.externals
    assert (ext.name, ext.zone, ext.device, ext.interface, ext.line) == (
        "lgwan-ss",
        "lgwan_wan",
        "lgwan-rtr",
        "LAN2",
        8,
    )
    core, rtr = inv.device("lgwan-core"), inv.device("sep-rtr1")
    assert core is not None and not core.forwarding_known
    assert rtr is not None and rtr.forwarding_known


def test_interface_names_keep_what_follows_the_first_colon(tmp_path: Path) -> None:
    inv = load(tmp_path, BASE + 'links:\n  - {a: "sep-rtr1:Gi0/0.10", b: "lgwan-rtr:LAN1:2"}\n')
    assert inv.links[0].b_interface == "LAN1:2"


def test_unlisted_devices_and_malformed_endpoints_name_their_lines(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        BASE
        + "links:\n"
        + '  - {a: "nosuch:Gi0/1", b: "lgwan-core:Vlan20"}\n'  # line 6
        + '  - {a: "sep-rtr1", b: ":Vlan20"}\n'  # line 7
        + "externals:\n"
        + '  - {name: ss, zone: lgwan_wan, attach: "ghost:LAN2"}\n'  # line 9
        + '  - {name: sep-rtr1, zone: lgwan_wan, attach: "lgwan-rtr:LAN2"}\n',  # line 10
    )
    got = sorted((p.line, p.message) for p in found)
    assert [line for line, _ in got] == [6, 7, 7, 9, 10]
    assert "device 'nosuch' is not listed" in got[0][1]
    assert all("not device:interface" in m for _, m in got[1:3])
    assert "device 'ghost' is not listed" in got[3][1]
    assert "also a listed device" in got[4][1]


def test_link_to_itself_and_duplicate_external(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        BASE
        + 'links:\n  - {a: "sep-rtr1:Gi0/1", b: "sep-rtr1:Gi0/1"}\n'
        + "externals:\n"
        + '  - {name: ss, zone: lgwan_wan, attach: "lgwan-rtr:LAN2"}\n'
        + '  - {name: ss, zone: lgwan_wan, attach: "lgwan-rtr:LAN3"}\n',
    )
    assert sorted(p.line for p in found) == [6, 9]


def test_forwarding_accepts_only_known_or_unknown(tmp_path: Path) -> None:
    found = problems(tmp_path, "devices:\n  - {name: a, forwarding: maybe}\n")
    assert [p.line for p in found] == [2]


def test_password_key_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "devices:\n  - name: a\n    password: hunter2\n")
    assert [p.line for p in found] == [3]
    assert "hunter2" not in " ".join(p.message for p in found)


def test_check_zones_covers_externals(tmp_path: Path) -> None:
    policy = load_policy(CITY / "policy.yaml")
    zone = next(iter(policy.data.zones))
    inv = load(
        tmp_path,
        BASE
        + "externals:\n"
        + f'  - {{name: ok, zone: {zone}, attach: "lgwan-rtr:LAN2"}}\n'
        + '  - {name: bad, zone: nowhere, attach: "lgwan-rtr:LAN3"}\n',
    )
    found = inv.check_zones(policy)
    assert [(p.line, "nowhere" in p.message) for p in found] == [(7, True)]


def test_collection_settings_most_specific_wins(tmp_path: Path) -> None:
    inv = load(
        tmp_path,
        """\
        defaults: {username: audit, timeout: 20, retries: 1, credential: "env:NA_PW"}
        groups:
          fw: {platform: fortinet, timeout: 40, enable_secret: "vault:fw-enable"}
        devices:
          - {name: a, group: fw, retries: 3}
          - {name: b, credential: "keyring:b-login", known_hosts: /tmp/kh}
        """,
    )
    a, b = inv.devices
    assert (a.username, a.timeout, a.retries, a.credential, a.enable_secret, a.group) == (
        "audit",
        40,
        3,
        "env:NA_PW",
        "vault:fw-enable",
        "fw",
    )
    assert (b.timeout, b.retries, b.credential, b.known_hosts, b.enable_secret) == (
        20,
        1,
        "keyring:b-login",
        "/tmp/kh",
        None,
    )


def test_a_secret_given_as_a_value_is_refused_without_echoing_it(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        defaults: {enable_secret: Cisco123}
        devices:
          - {name: a}
          - {name: b, credential: "hunter2"}
        """,
    )
    assert sorted(p.line for p in found) == [1, 4]
    text = " ".join(p.message for p in found)
    assert "Cisco123" not in text and "hunter2" not in text
    assert "reference" in text
