"""One emulated device: its configuration, its CLI session logic, and the faults it plays.

The session is written against two small async callables (read one character, write text) so
the SSH server stays thin and the CLI logic reads top to bottom: echo what is typed, answer
each line the way the platform would, page long answers until paging is turned off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from collectors.lab.personalities import PERSONALITIES, Personality, Reply
from collectors.profiles import RUNNING_CONFIG, profile

PAGE_LINES = 24


@dataclass(frozen=True, slots=True)
class Fault:
    """What a device does wrong, on purpose.

    Attributes:
        slow: seconds of delay before answering each command.
        refuse_password: every password is wrong.
        other_host_key: present a host key other than the one the lab records.
        drop: close the connection halfway through the running configuration.
    """

    slow: float = 0.0
    refuse_password: bool = False
    other_host_key: bool = False
    drop: bool = False

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``slow:0.3``, ``refuse``, ``hostkey``, ``drop`` — several joined with ``+``.

        Raises:
            ValueError: an unknown fault or a bad delay.
        """
        slow, refuse, hostkey, drop = 0.0, False, False, False
        for part in text.split("+"):
            name, _, arg = part.strip().partition(":")
            if name == "slow":
                slow = float(arg or "0.3")
                if slow < 0:
                    raise ValueError("slow: the delay must not be negative")
            elif name in ("refuse", "refuse-password"):
                refuse = True
            elif name in ("hostkey", "host-key"):
                hostkey = True
            elif name == "drop":
                drop = True
            else:
                raise ValueError(f"unknown fault {name!r} (slow:S, refuse, hostkey, drop)")
        return cls(slow=slow, refuse_password=refuse, other_host_key=hostkey, drop=drop)


@dataclass(frozen=True, slots=True)
class LabDevice:
    """A device the lab serves: its running configuration and other command outputs."""

    name: str
    platform: str
    hostname: str
    config: str
    outputs: Mapping[str, str] = field(default_factory=dict)  # command -> text
    fault: Fault = Fault()


class Dropped(Exception):
    """The device drops the connection (fault injection)."""


class Closed(Exception):
    """The user logged out."""


ReadChar = Callable[[], Awaitable[str]]
Write = Callable[[str], None]


class CliSession:
    """The CLI of one login session."""

    def __init__(self, device: LabDevice, *, user: str, secret: str) -> None:
        self.device = device
        self.p: Personality = PERSONALITIES[device.platform]
        self.user = user
        self.secret = secret
        self.enabled = self.p.enable_prompt is None
        self.config = False
        self.submode: str | None = None
        self.paging = bool(self.p.more)
        prof = profile(device.platform)
        self.commands = dict(prof.commands)
        self.by_command = {cmd: name for name, cmd in prof.commands}
        self._skip_lf = False

    # -- prompts -------------------------------------------------------------------------
    def _fmt(self, text: str) -> str:
        return text.format(host=self.device.hostname, user=self.user)

    def prompt(self) -> str:
        """The prompt in the current mode."""
        if self.submode is not None:
            return self._fmt(self.submode)
        if self.config:
            return self._fmt(self.p.config_prompt)
        if self.enabled and self.p.enable_prompt is not None:
            return self._fmt(self.p.enable_prompt)
        return self._fmt(self.p.prompt)

    # -- the loop ------------------------------------------------------------------------
    async def run(self, read: ReadChar, write: Write) -> None:
        """Serve until the user logs out or the input ends."""
        write(self.prompt())
        while True:
            line = await self._read_line(read, write, echo=True)
            if line is None:
                return
            command = " ".join(line.split())
            if command and self.device.fault.slow:
                await asyncio.sleep(self.device.fault.slow)
            try:
                await self.handle(command, read, write)
            except Closed:
                return
            write(self.prompt())

    async def _read_line(self, read: ReadChar, write: Write, *, echo: bool) -> str | None:
        buf: list[str] = []
        while True:
            ch = await read()
            if ch == "":
                return None
            if ch in "\r\n":
                if ch == "\r":
                    self._skip_lf = True
                elif self._skip_lf:
                    self._skip_lf = False
                    continue
                write("\r\n")
                return "".join(buf)
            self._skip_lf = False
            if ch in "\x08\x7f":
                if buf:
                    buf.pop()
                    if echo:
                        write("\x08 \x08")
                continue
            buf.append(ch)
            if echo:
                write(ch)

    async def handle(self, command: str, read: ReadChar, write: Write) -> None:
        """Answer one command line."""
        if not command:
            return
        if self.submode is not None:
            reply = self.p.submode_replies.get(command)
            if reply is not None:
                self._act(reply)
            elif command.startswith(("set ", "unset ")):
                pass
            else:
                self._error(command, write)
            return
        reply = self.p.replies.get(command)
        if reply is not None:
            if reply.action == "setting":
                write(f"output              : {'more' if self.paging else 'standard'}\r\n")
            elif reply.action == "submode":
                self.submode = reply.prompt
            else:
                if reply.text:
                    write(self._fmt(reply.text).replace("\n", "\r\n") + "\r\n")
                self._act(reply)
            return
        if command in self.p.enable_commands and not self.enabled:
            await self._enable(read, write)
            return
        if command in self.p.config_commands and (
            self.enabled or not self.p.config_requires_enable
        ):
            self.config = True
            return
        if command in ("end", "exit", "quit", "logout"):
            self._leave(command)
            return
        if self.config and command.startswith("terminal "):
            return
        await self._show(command, read, write)

    def _act(self, reply: Reply) -> None:
        if reply.action == "paging_off":
            self.paging = False
        elif reply.action == "paging_on":
            self.paging = bool(self.p.more)
        elif reply.action == "leave":
            self.submode = None

    def _leave(self, command: str) -> None:
        if self.config:
            self.config = False
        elif command == "end":
            return
        elif self.p.exit_leaves_enable and self.enabled and self.p.enable_prompt is not None:
            self.enabled = False
        else:
            raise Closed

    async def _enable(self, read: ReadChar, write: Write) -> None:
        if self.p.enable_needs_secret:
            write("Password: ")
            given = await self._read_line(read, write, echo=False)
            if given is None:
                raise Closed
            if given != self.secret:
                write("% Access denied\r\n")
                return
        self.enabled = True

    def _error(self, command: str, write: Write) -> None:
        if self.p.caret:
            write(" " * len(self.prompt()) + "^\r\n")
        text = self.p.error.format(command=command, word=command.split()[0])
        write(text.replace("\n", "\r\n") + "\r\n")

    async def _show(self, command: str, read: ReadChar, write: Write) -> None:
        no_more = False
        base = command
        if self.device.platform == "juniper_junos" and base.endswith("| no-more"):
            base, no_more = base[: -len("| no-more")].strip(), True
        name = self.by_command.get(base)
        if name is None and base not in self.device.outputs:
            self._error(command, write)
            return
        needs_enable = self.p.privileged_show and self.p.enable_prompt is not None
        if (needs_enable and not self.enabled) or (base in self.p.config_only and not self.config):
            self._error(command, write)
            return
        if name == RUNNING_CONFIG:
            text = self.device.config
        elif name == "version":
            text = self._fmt(self.p.version_text)
        else:
            text = self.device.outputs.get(base, "")
        await self._page(text, read, write, drop=name == RUNNING_CONFIG, no_more=no_more)

    async def _page(
        self, text: str, read: ReadChar, write: Write, *, drop: bool, no_more: bool
    ) -> None:
        lines = text.replace("\r\n", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if drop and self.device.fault.drop:
            write("\r\n".join(lines[: len(lines) // 2]) + "\r\n")
            raise Dropped
        if not (self.paging and not no_more):
            write("".join(line + "\r\n" for line in lines))
            return
        i, budget = 0, PAGE_LINES
        while i < len(lines):
            write(lines[i] + "\r\n")
            i, budget = i + 1, budget - 1
            if budget == 0 and i < len(lines):
                write(self.p.more)
                key = await read()
                write("\r" + " " * len(self.p.more) + "\r")
                if key in ("", "q", "Q"):
                    return
                # Space: another page; Enter: one more line (and swallow the LF of CR LF).
                budget = 1 if key in "\r\n" else PAGE_LINES
                self._skip_lf = key == "\r"
