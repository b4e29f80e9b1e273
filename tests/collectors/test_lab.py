"""The lab's CLI logic without SSH: prompts, enable, paging, errors, modes, faults; profiles."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

import pytest
from netmiko.ssh_dispatcher import CLASS_MAPPER

from collectors.lab import Fault, device_from_text, load_devices
from collectors.lab.device import PAGE_LINES, CliSession, LabDevice
from collectors.lab.personalities import PERSONALITIES
from collectors.profiles import RUNNING_CONFIG, profile, profiles
from netaudit.errors import InputError
from netaudit.parsers import PLATFORMS
from tests.collectors.conftest import one_device


def talk(device: LabDevice, keys: Iterable[str], *, secret: str = "s3") -> str:
    """Type ``keys`` into a session and return everything it wrote."""
    data = list("".join(keys))
    out: list[str] = []

    async def read() -> str:
        return data.pop(0) if data else ""

    asyncio.run(CliSession(device, user="op", secret=secret).run(read, out.append))
    return "".join(out)


def test_every_platform_has_a_profile_a_personality_and_a_netmiko_driver() -> None:
    assert set(profiles()) == set(PLATFORMS) == set(PERSONALITIES)
    for platform, prof in profiles().items():
        assert prof.commands[0][0] == RUNNING_CONFIG, platform
        assert prof.netmiko in CLASS_MAPPER, platform
        assert "version" in dict(prof.commands), platform


def test_profile_facts_read_the_lab_version_text() -> None:
    """The fact patterns match the version texts the lab prints (and so the vendors')."""
    for platform, prof in profiles().items():
        text = PERSONALITIES[platform].version_text.format(host="h")
        assert prof.read_facts(text).get("version"), platform


def test_ios_prompts_enable_and_privileged_show() -> None:
    dev = one_device("cisco_ios")
    out = talk(dev, ["show running-config\r", "enable\r", "wrong\r", "enable\r", "s3\r", "exit\r"])
    h = dev.hostname
    assert out.startswith(f"{h}>")
    assert "% Invalid input detected at '^' marker." in out  # not privileged yet
    assert "Password: " in out and "% Access denied" in out
    assert f"{h}#" in out
    assert "s3" not in out and "wrong" not in out  # secrets are not echoed


def _late_line(config: str) -> str:
    """A line after the first page that occurs once in the config."""
    lines = config.splitlines()
    return next(ln for ln in reversed(lines[PAGE_LINES:]) if len(ln) > 8 and config.count(ln) == 1)


def test_paging_until_the_platform_turns_it_off() -> None:
    dev = one_device("cisco_ios")
    assert len(dev.config.splitlines()) > PAGE_LINES
    late = _late_line(dev.config)
    paged = talk(dev, ["enable\r", "s3\r", "show running-config\r", "q", "exit\r"])
    assert paged.count(" --More-- ") == 1
    assert late not in paged  # `q` stopped the output
    whole = talk(
        dev, ["terminal length 0\r", "enable\r", "s3\r", "show running-config\r", "exit\r"]
    )
    assert "--More--" not in whole
    assert late in whole
    spaced = talk(dev, ["enable\r", "s3\r", "show running-config\r", " " * 50, "\rexit\r"])
    assert late in spaced


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("cisco_ios", "% Invalid input detected at '^' marker."),
        ("cisco_asa", "ERROR: % Invalid input detected at '^' marker."),
        ("fortinet", "Command fail. Return code -1"),
        ("paloalto_panos", "Unknown command: frobnicate"),
        ("juniper_junos", "unknown command."),
        ("yamaha", "Error: Invalid command name"),
        ("alaxala_ax", "% Command not found."),
        ("linux", "-bash: frobnicate: command not found"),
    ],
)
def test_unknown_commands_answer_in_the_platform_style(platform: str, expected: str) -> None:
    out = talk(one_device(platform), ["frobnicate\r", "exit\r"])
    assert expected in out


def test_platform_prompts() -> None:
    assert talk(one_device("paloalto_panos"), ["exit\r"]).startswith("op@")
    assert talk(one_device("juniper_junos"), ["exit\r"]).startswith("op@")
    assert talk(one_device("linux"), ["exit\r"]).startswith("op@linux:~$ ")
    forti = one_device("fortinet")
    out = talk(forti, ["config system console\r", "set output standard\r", "end\r", "exit\r"])
    assert f"{forti.hostname} (console) # " in out and out.startswith(f"{forti.hostname} # ")


def test_nec_ix_shows_running_config_only_in_configuration_mode() -> None:
    dev = one_device("nec_ix")
    first = dev.config.strip().splitlines()[0]
    refused = talk(dev, ["show running-config\r", "exit\r"])
    assert first not in refused and "Invalid input" in refused
    shown = talk(dev, ["configure\r", "show running-config\r", "exit\r", "exit\r"])
    assert first in shown and f"{dev.hostname}(config)# " in shown


def test_yamaha_needs_administrator_for_show_config() -> None:
    dev = one_device("yamaha")
    out = talk(dev, ["console lines infinity\r", "show config\r", "administrator\r", "s3\r"])
    assert "Error: Invalid command name" in out
    out = talk(dev, ["console lines infinity\r", "administrator\r", "s3\r", "show config\r"])
    assert _late_line(dev.config) in out


def test_drop_fault_cuts_the_running_config() -> None:
    from collectors.lab.device import Dropped

    dev = one_device("cisco_nxos", Fault(drop=True))
    with pytest.raises(Dropped):
        talk(dev, ["terminal length 0\r", "show running-config\r"])


def test_fault_specs() -> None:
    assert Fault.parse("slow:0.3") == Fault(slow=0.3)
    assert Fault.parse("refuse+hostkey") == Fault(refuse_password=True, other_host_key=True)
    assert Fault.parse("drop+slow") == Fault(drop=True, slow=0.3)
    for bad in ("fast", "slow:-1", "slow:x"):
        with pytest.raises(ValueError):
            Fault.parse(bad)


def test_hostname_for_the_prompt_comes_from_the_config() -> None:
    dev = device_from_text("x", "hostname core-01\n!\ninterface Vlan1\n", platform="cisco_ios")
    assert dev.hostname == "core-01"
    odd = device_from_text("y-1", 'hostname "a b"\n', platform="cisco_ios")
    assert odd.hostname == "y-1"


def test_profiles_define_the_issue_quirks() -> None:
    assert profile("nec_ix").before == ("configure",)
    assert profile("yamaha").running_config == "show config"
    assert profile("fortinet").running_config == "show full-configuration"
    assert "set output standard" in profile("fortinet").paging_off
    assert profile("paloalto_panos").running_config == "show config running"
    assert profile("paloalto_panos").paging_off == "set cli pager off"
    assert profile("paloalto_panos").before == ("set cli config-output-format xml",)


def test_a_fault_for_every_device(tmp_path: Path) -> None:
    (tmp_path / "a.cfg").write_text("hostname a\n!\n", encoding="utf-8")
    (tmp_path / "b.cfg").write_text("hostname b\n!\n", encoding="utf-8")
    devs = load_devices(tmp_path, faults={"*": Fault(slow=0.1), "b": Fault(drop=True)})
    assert {d.name: d.fault for d in devs} == {"a": Fault(slow=0.1), "b": Fault(drop=True)}
    with pytest.raises(InputError, match="unknown device"):
        load_devices(tmp_path, faults={"c": Fault(drop=True)})
