"""The lab's SSH side: one asyncssh server per emulated device on 127.0.0.1.

Every server has its own host key generated for the run; the lab records it for the known_hosts
file it writes, except for a device told to present another key (``Fault.other_host_key``),
whose recorded key is a second, unrelated one. Passwords are compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import asyncssh

from collectors.lab.device import CliSession, Closed, Dropped, LabDevice

BANNER = (
    "*****************************************************\r\n"
    " 許可された者以外の接続を禁止します。\r\n"
    " Authorized access only. Activity may be monitored.\r\n"
    "*****************************************************\r\n"
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a lab device listens and the host key the lab vouches for."""

    name: str
    platform: str
    host: str
    port: int
    known_key: str  # OpenSSH public key line ("ssh-ed25519 AAAA…")


class _Server(asyncssh.SSHServer):
    def __init__(
        self, device: LabDevice, user: str, password: str, live: set[asyncssh.SSHServerConnection]
    ) -> None:
        self._live = live
        self._device = device
        self._user = user
        self._password = password
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._live.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._live.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        if self._conn is not None:
            self._conn.send_auth_banner(BANNER)
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        if self._device.fault.refuse_password:
            return False
        ok_user = hmac.compare_digest(username.encode(), self._user.encode())
        ok_pass = hmac.compare_digest(password.encode(), self._password.encode())
        return ok_user and ok_pass


class Lab:
    """Emulated devices served over SSH from one asyncio loop."""

    def __init__(
        self,
        devices: Sequence[LabDevice],
        *,
        user: str,
        password: str,
        secret: str,
        host: str = "127.0.0.1",
    ) -> None:
        self.devices = tuple(devices)
        self.user = user
        self._password = password
        self._secret = secret
        self.host = host
        self._servers: list[asyncssh.SSHAcceptor] = []
        self._live: set[asyncssh.SSHServerConnection] = set()
        self.endpoints: dict[str, Endpoint] = {}

    async def start(self) -> dict[str, Endpoint]:
        """Listen for every device on an ephemeral port."""
        for dev in self.devices:
            key = asyncssh.generate_private_key("ssh-ed25519")
            recorded = (
                asyncssh.generate_private_key("ssh-ed25519") if dev.fault.other_host_key else key
            )
            server = await asyncssh.create_server(
                lambda dev=dev: _Server(dev, self.user, self._password, self._live),
                self.host,
                0,
                server_host_keys=[key],
                process_factory=lambda proc, dev=dev: self._session(dev, proc),
                line_editor=False,
                encoding="utf-8",
                keepalive_interval=0,
                login_timeout=30,
            )
            self._servers.append(server)
            self.endpoints[dev.name] = Endpoint(
                name=dev.name,
                platform=dev.platform,
                host=self.host,
                port=server.get_port(),
                known_key=" ".join(recorded.export_public_key("openssh").decode().split()[:2]),
            )
        return self.endpoints

    async def _session(self, dev: LabDevice, proc: asyncssh.SSHServerProcess[str]) -> None:
        session = CliSession(dev, user=self.user, secret=self._secret)

        async def read() -> str:
            try:
                return await proc.stdin.read(1)
            except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
                return await read()
            except (asyncssh.DisconnectError, ConnectionError):
                return ""

        def write(text: str) -> None:
            proc.stdout.write(text)

        try:
            await session.run(read, write)
        except Dropped:
            await proc.stdout.drain()
            proc.channel.get_connection().abort()
            return
        except (Closed, ConnectionError, asyncssh.Error):
            pass
        proc.exit(0)

    async def stop(self) -> None:
        """Stop listening and close every session."""
        for server in self._servers:
            server.close()
        for conn in list(self._live):
            conn.close()
        for server in self._servers:
            await server.wait_closed()
        for conn in list(self._live):
            await conn.wait_closed()
        self._servers.clear()

    def known_hosts(self) -> str:
        """known_hosts lines for every device (``[host]:port key``)."""
        return "".join(f"[{e.host}]:{e.port} {e.known_key}\n" for e in self.endpoints.values())


class LabThread:
    """A lab running in a background thread with its own loop (tests, benchmarks)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _shutdown(self) -> None:
        await self.lab.stop()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> Lab:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.lab.start(), self._loop).result(timeout=60)
        return self.lab

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
