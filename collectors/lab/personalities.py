"""How each platform's CLI looks and behaves in the lab, as data.

A personality gives the prompts, the privileged and configuration modes, the paging prompt and
the commands that turn paging off, the error a platform prints for an unknown command, and the
replies to the housekeeping commands the netmiko drivers send while preparing a session
(terminal width, FortiOS's console mode, PAN-OS's ``show system info``, ...). The commands that
show configuration, routes and versions come from the collection profiles, so the lab answers
exactly what the collector asks.

Facts are taken from the vendors' CLI references (prompt shapes, paging prompts, paging
commands, error texts); the replies are short and synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Action = Literal[
    "", "paging_off", "paging_on", "enable", "config", "leave", "exit", "submode", "setting"
]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the lab does with one exact command: print ``text``, then ``action``."""

    text: str = ""
    action: Action = ""
    prompt: str = ""  # the prompt of a sub-mode entered by action "submode"


@dataclass(frozen=True, slots=True)
class Personality:
    """One platform's CLI."""

    prompt: str  # format fields: host, user
    enable_prompt: str | None = None  # None: the login is already at the working level
    enable_commands: tuple[str, ...] = ("enable",)
    enable_needs_secret: bool = True
    config_commands: tuple[str, ...] = ("configure terminal", "conf t")
    config_prompt: str = "{host}(config)#"
    config_requires_enable: bool = True
    more: str = " --More-- "
    error: str = "% Invalid input detected at '^' marker."
    caret: bool = True  # a caret line under the offending command, then the error
    privileged_show: bool = True  # profile commands need the privileged level
    config_only: frozenset[str] = frozenset()  # commands that answer in configuration mode only
    replies: MappingProxyType[str, Reply] = field(default_factory=lambda: MappingProxyType({}))
    # In a sub-mode (FortiOS `config system console`): these replies apply, `end` leaves.
    submode_replies: MappingProxyType[str, Reply] = field(
        default_factory=lambda: MappingProxyType({})
    )
    exit_leaves_enable: bool = False  # Yamaha: `exit` from administrator returns to the user level
    version_text: str = ""  # format fields: host


def _r(**replies: Reply) -> MappingProxyType[str, Reply]:
    return MappingProxyType(dict(replies))


def _m(pairs: dict[str, Reply]) -> MappingProxyType[str, Reply]:
    return MappingProxyType(pairs)


_CISCO_TERMINAL = _m(
    {
        "terminal length 0": Reply(action="paging_off"),
        "terminal width 511": Reply(),
        "terminal length 24": Reply(action="paging_on"),
    }
)

PERSONALITIES: MappingProxyType[str, Personality] = MappingProxyType(
    {
        "cisco_ios": Personality(
            prompt="{host}>",
            enable_prompt="{host}#",
            replies=_CISCO_TERMINAL,
            version_text=(
                "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), "
                "Version 15.2(7)E8, RELEASE SOFTWARE (fc3)\n"
                "{host} uptime is 12 weeks, 3 days\n"
                "cisco WS-C2960X-24TS-L (APM86XXX) processor with 524288K bytes of memory.\n"
                "Processor board ID FOC0000X0LB\n"
            ),
        ),
        "cisco_nxos": Personality(
            prompt="{host}#",
            error="% Invalid command at '^' marker.",
            privileged_show=False,
            replies=_CISCO_TERMINAL,
            version_text=(
                "Cisco Nexus Operating System (NX-OS) Software\n"
                "  NXOS: version 9.3(10)\n"
                "  cisco Nexus9000 C93180YC-FX Chassis\n"
                "  Processor Board ID FDO00000AAA\n"
                "  Device name: {host}\n"
            ),
        ),
        "cisco_asa": Personality(
            prompt="{host}>",
            enable_prompt="{host}#",
            more="<--- More --->",
            error="ERROR: % Invalid input detected at '^' marker.",
            replies=_m(
                {
                    "show curpriv": Reply("Username : enable_1\nCurrent privilege level : 1"),
                    "terminal pager 0": Reply(action="paging_off"),
                    "terminal width 511": Reply(),
                }
            ),
            version_text=(
                "Cisco Adaptive Security Appliance Software Version 9.16(4)\n"
                "{host} up 40 days 2 hours\n"
                "Hardware:   FPR-2110, 6512 MB RAM, CPU MIPS 1200 MHz, 1 CPU (6 cores)\n"
                "Serial Number: JAD000000AB\n"
            ),
        ),
        "fortinet": Personality(
            prompt="{host} # ",
            more="--More-- ",
            error="Unknown action 0\nCommand fail. Return code -1",
            caret=False,
            privileged_show=False,
            config_commands=(),
            replies=_m(
                {
                    "get system status | grep Virtual": Reply(
                        "Virtual domain configuration: disable"
                    ),
                    "get system status | grep Version": Reply(
                        "Version: FortiGate-60F v7.2.8,build1639,240313 (GA.M)"
                    ),
                    "get system console": Reply(action="setting"),
                    "config system console": Reply(action="submode", prompt="{host} (console) # "),
                }
            ),
            submode_replies=_m(
                {
                    "set output standard": Reply(action="paging_off"),
                    "set output more": Reply(action="paging_on"),
                    "end": Reply(action="leave"),
                }
            ),
            version_text=(
                "Version: FortiGate-60F v7.2.8,build1639,240313 (GA.M)\n"
                "Serial-Number: FGT60FTK00000000\n"
                "Hostname: {host}\n"
                "Virtual domain configuration: disable\n"
            ),
        ),
        "paloalto_panos": Personality(
            prompt="{user}@{host}> ",
            more="lines 1-24 ",
            error="Unknown command: {command}",
            caret=False,
            privileged_show=False,
            config_commands=("configure",),
            config_prompt="{user}@{host}# ",
            config_requires_enable=False,
            replies=_m(
                {
                    "set cli scripting-mode on": Reply(),
                    "set cli terminal width 500": Reply(),
                    "set cli pager off": Reply(action="paging_off"),
                    "set cli pager on": Reply(action="paging_on"),
                    "set cli config-output-format set": Reply(),
                    "set cli config-output-format xml": Reply(),
                }
            ),
            version_text=(
                "hostname: {host}\n"
                "ip-address: 192.0.2.1\n"
                "model: PA-3220\n"
                "serial: 012801000000\n"
                "sw-version: 10.2.9\n"
                "operational-mode: normal\n"
            ),
        ),
        "juniper_junos": Personality(
            prompt="{user}@{host}> ",
            more="---(more)---",
            error="unknown command.",
            privileged_show=False,
            config_commands=("configure",),
            config_prompt="{user}@{host}# ",
            config_requires_enable=False,
            replies=_m(
                {
                    "set cli screen-width 511": Reply("Screen width set to 511"),
                    "set cli complete-on-space off": Reply("Disabling complete-on-space"),
                    "set cli screen-length 0": Reply("Screen length set to 0", "paging_off"),
                }
            ),
            version_text="Hostname: {host}\nModel: srx345\nJunos: 21.4R3-S5.4\n",
        ),
        "yamaha": Personality(
            # RTX routers show `>` and `#` after the name set by `console prompt`.
            prompt="{host}> ",
            enable_prompt="{host}# ",
            enable_commands=("administrator",),
            more="--- More ---",
            error="Error: Invalid command name",
            caret=False,
            config_commands=(),
            exit_leaves_enable=True,
            replies=_m(
                {
                    "console lines infinity": Reply(action="paging_off"),
                    "console columns 200": Reply(),
                    "console character en.ascii": Reply(),
                }
            ),
            version_text=(
                "RTX1210 Rev.14.01.42 (Fri Jan 12 10:31:45 2024)\n"
                "  main:  RTX1210 ver=00 serial=S00000000 MAC-Address=00:a0:de:00:00:01\n"
            ),
        ),
        "nec_ix": Personality(
            prompt="{host}# ",
            enable_commands=(),
            config_commands=("configure", "svintr-config", "enable-config"),
            config_prompt="{host}(config)# ",
            config_requires_enable=False,
            error="% Invalid input detected at '^' marker.",
            privileged_show=False,
            config_only=frozenset({"show running-config"}),
            replies=_m(
                {
                    "terminal length 0": Reply(action="paging_off"),
                }
            ),
            version_text=(
                "NEC Portable Internetwork Core Operating System Software\n"
                "IX Series IX2215 (magellan-sec) Software, Version 10.8.21, RELEASE SOFTWARE\n"
            ),
        ),
        "allied_telesis_awplus": Personality(
            prompt="{host}>",
            enable_prompt="{host}#",
            replies=_CISCO_TERMINAL,
            version_text=(
                "AlliedWare Plus (TM) 5.5.3 04/01/24 12:00:00\n"
                "Build name : x930-5.5.3-2.3.rel\n"
                "Software Version : 5.5.3-2.3\n"
            ),
        ),
        "alaxala_ax": Personality(
            prompt="{host}>",
            enable_prompt="{host}#",
            error="% Command not found.",
            caret=False,
            replies=_m(
                {
                    "set terminal pager disable": Reply(action="paging_off"),
                    "set terminal pager enable": Reply(action="paging_on"),
                }
            ),
            version_text=(
                "Date 2024/04/01 12:00:00 JST\n"
                "Model: AX3660S-24T4X\n"
                "S/W: OS-L3SA Ver. 12.1.E\n"
                "Software  :  OS-L3SA Ver. 12.1.E\n"
            ),
        ),
        "linux": Personality(
            prompt="{user}@{host}:~$ ",
            more="",
            error="-bash: {word}: command not found",
            caret=False,
            privileged_show=False,
            config_commands=(),
            version_text="Linux {host} 6.1.0-21-amd64 #1 SMP PREEMPT_DYNAMIC Debian x86_64 GNU/Linux\n",
        ),
    }
)
