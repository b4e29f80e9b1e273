"""A multi-hop network of Linux network namespaces, built from netaudit's model of it.

The ground-truth lab of the end-to-end analysis: every router or firewall of a snapshot becomes
a network namespace with the interfaces, addresses and static routes of its model and the
netfilter rules of its own ``iptables-save`` text (``iptables-restore``, nat table included);
every host subnet becomes a host namespace. Interfaces whose subnets match are linked: two
ends by a veth pair, more by a bridge in a switch namespace; a router interface alone on its
subnet gets a dummy interface, so its connected route exists.

Probes are crafted with scapy in the test process (:func:`collectors.probe.build_packet`, the
same packets ``netaudit probe`` sends) and written by a tiny sender in the source host's
namespace to a raw socket; a packet sniffer (``AF_PACKET``) in every host namespace records
what *arrives*, so the test sees whether a probe got through and with which addresses (NAT).
Each probe carries a tag (a per-run magic plus its index) in its payload; only packets whose
own layer-4 payload carries the tag count as arrivals (an ICMP error quoting a probe does not).

Only namespaces this module creates are touched; their names carry a prefix, the process id
and a random token; :meth:`NetLab.close` (also registered with :mod:`atexit`) removes them.
IPv4 only; addresses come from the snapshot (the generator uses documentation ranges).
"""

from __future__ import annotations

import atexit
import ipaddress
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from netaudit.model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, DeviceConfig, InterfaceKind

NS_PREFIX = "nalab"
COMMAND_TIMEOUT = 30.0
SETTLE_S = 0.6  # wait for the last probes to cross every hop before the sniffers stop
SEND_GAP_S = 0.003  # between two probes of one sender: bounded, never a flood

SNIFFER = r"""
import json, socket, sys, threading
magic = bytes.fromhex(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.settimeout(0.1)
got, stop = [], threading.Event()
def loop():
    while not stop.is_set():
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] != socket.PACKET_OUTGOING and magic in data:
            got.append([addr[0], data.hex()])
t = threading.Thread(target=loop); t.start()
print("ready", flush=True)
sys.stdin.read()
stop.set(); t.join()
print(json.dumps(got), flush=True)
"""

SENDER = r"""
import json, socket, sys, time
packets, gap = json.loads(sys.stdin.read()), float(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
errors = []
for i, (dst, data) in enumerate(packets):
    try:
        s.sendto(bytes.fromhex(data), (dst, 0))
    except OSError as e:
        errors.append([i, str(e)])
    time.sleep(gap)
print(json.dumps(errors), flush=True)
"""


class LabError(RuntimeError):
    """A lab command failed."""


def missing_prerequisite() -> str | None:
    """Why the lab cannot run here, or ``None`` when it can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to create network namespaces"
    for tool in ("ip", "iptables-restore"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (apt-get install iproute2 iptables)"
    probe = f"{NS_PREFIX}{os.getpid()}-check{secrets.token_hex(2)}"
    try:
        sh("ip", "netns", "add", probe)
    except LabError as e:
        return f"cannot create network namespaces here: {e}"
    try:
        # The nat table and conntrack need kernel support a container may lack.
        sh(
            *("ip", "netns", "exec", probe, "iptables-restore"),
            input_text="*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\n"
            "-A FORWARD -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n",
        )
    except LabError as e:
        return f"iptables cannot load a nat table with conntrack in a namespace here: {e}"
    finally:
        sh("ip", "netns", "del", probe)
    return None


def sh(*args: str, input_text: str | None = None) -> str:
    """Run a command; its stdout, or :class:`LabError` with its stderr."""
    try:
        res = subprocess.run(
            args,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise LabError(f"{' '.join(args)}: timed out") from e
    if res.returncode != 0:
        raise LabError(f"{' '.join(args)}: {res.stderr.strip()}")
    return res.stdout


@dataclass(frozen=True, slots=True)
class Host:
    """A host namespace on a stub subnet: its addresses (all on ``eth0``) and default gateway."""

    name: str
    addresses: tuple[ipaddress.IPv4Interface, ...]
    gateway: ipaddress.IPv4Address

    @property
    def network(self) -> ipaddress.IPv4Network:
        """The subnet the host sits on."""
        return self.addresses[0].network


@dataclass(frozen=True, slots=True)
class LabDevice:
    """A router or firewall: its model and the raw snapshot text the model was parsed from."""

    config: DeviceConfig
    text: str


@dataclass(frozen=True, slots=True)
class Probe:
    """One connection-opening packet from a host: TCP SYN, UDP datagram or ICMP echo."""

    src_host: str
    src: ipaddress.IPv4Address
    dst: ipaddress.IPv4Address
    proto: int
    dport: int | None = None
    sport: int | None = None

    def __str__(self) -> str:
        name = {PROTO_TCP: "tcp", PROTO_UDP: "udp", PROTO_ICMP: "icmp"}.get(self.proto, "?")
        port = f":{self.dport}" if self.dport is not None else ""
        return f"{name} {self.src}:{self.sport} -> {self.dst}{port} (from {self.src_host})"


@dataclass(frozen=True, slots=True)
class Arrival:
    """A probe as it arrived at a host namespace: the addresses after every NAT on the way."""

    host: str
    src: ipaddress.IPv4Address
    dst: ipaddress.IPv4Address
    proto: int
    sport: int | None
    dport: int | None


@dataclass(slots=True)
class _Endpoint:
    ns: str
    ifname: str
    addresses: tuple[ipaddress.IPv4Interface, ...]


_LIVE: dict[str, NetLab] = {}


def close_all() -> None:
    """Remove the namespaces of every lab still standing (fixture finalizers, atexit)."""
    for lab in list(_LIVE.values()):
        lab.close()


atexit.register(close_all)


@dataclass
class NetLab:
    """Namespaces for a set of Linux devices and hosts; build with :meth:`build`."""

    devices: Sequence[LabDevice]
    hosts: Sequence[Host]
    label: str = "net"
    ns: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    magic: bytes = field(default_factory=lambda: b"NAUD" + secrets.token_bytes(4))
    base: str = ""

    def __post_init__(self) -> None:
        self.base = f"{NS_PREFIX}{os.getpid()}-{secrets.token_hex(2)}-{self.label}"
        names = [d.config.name for d in self.devices] + [h.name for h in self.hosts]
        if len(set(names)) != len(names):
            raise LabError(f"node names must be unique: {names}")
        for node in names:
            self.ns[node] = f"{self.base}-{node}"

    # -- building ---------------------------------------------------------------------------

    def run(self, node: str, *args: str, input_text: str | None = None) -> str:
        """Run a command inside a node's namespace."""
        return sh("ip", "netns", "exec", self.ns[node], *args, input_text=input_text)

    def _add_ns(self, node: str) -> None:
        name = self.ns[node]
        sh("ip", "netns", "add", name)
        self.created.append(name)
        _LIVE[self.ns[node]] = self
        # Before any interface exists, so every interface inherits it: the lab's sources
        # are genuine and asymmetric paths are legitimate, reverse-path filtering is not
        # under test.
        for key in ("all", "default"):
            self.run(node, "sysctl", "-qw", f"net.ipv4.conf.{key}.rp_filter=0")
        self.run(node, "ip", "link", "set", "lo", "up")

    def build(self) -> NetLab:
        """Create namespaces, links, addresses, routes and netfilter rules."""
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def _segments(self) -> dict[ipaddress.IPv4Network, list[_Endpoint]]:
        segs: dict[ipaddress.IPv4Network, list[_Endpoint]] = {}
        for dev in self.devices:
            for itf in dev.config.interfaces:
                if not itf.enabled or itf.kind is InterfaceKind.LOOPBACK:
                    continue
                v4 = tuple(a for a in itf.addresses if isinstance(a, ipaddress.IPv4Interface))
                if not v4:
                    continue
                ep = _Endpoint(self.ns[dev.config.name], itf.name, v4)
                segs.setdefault(v4[0].network, []).append(ep)
        for host in self.hosts:
            segs.setdefault(host.network, []).append(
                _Endpoint(self.ns[host.name], "eth0", host.addresses)
            )
        return segs

    def _build(self) -> None:
        for node in self.ns:
            self._add_ns(node)
        for n, (_net, eps) in enumerate(sorted(self._segments().items())):
            if len(eps) == 1:
                sh("ip", "-n", eps[0].ns, "link", "add", eps[0].ifname, "type", "dummy")
            elif len(eps) == 2:
                a, b = eps
                sh(
                    *("ip", "-n", a.ns, "link", "add", a.ifname, "type", "veth"),
                    *("peer", "name", b.ifname, "netns", b.ns),
                )
            else:
                switch = f"sw{n}"
                self.ns[switch] = f"{self.base}-{switch}"
                self._add_ns(switch)
                self.run(switch, "ip", "link", "add", "br0", "type", "bridge")
                self.run(switch, "ip", "link", "set", "br0", "up")
                for k, ep in enumerate(eps):
                    port = f"p{k}"
                    sh(
                        *("ip", "-n", ep.ns, "link", "add", ep.ifname, "type", "veth"),
                        *("peer", "name", port, "netns", self.ns[switch]),
                    )
                    self.run(switch, "ip", "link", "set", port, "master", "br0", "up")
            for ep in eps:
                for addr in ep.addresses:
                    sh("ip", "-n", ep.ns, "addr", "add", str(addr), "dev", ep.ifname)
                sh("ip", "-n", ep.ns, "link", "set", ep.ifname, "up")
        for host in self.hosts:
            self.run(host.name, "ip", "route", "add", "default", "via", str(host.gateway))
        for dev in self.devices:
            self._configure_router(dev)

    def _configure_router(self, dev: LabDevice) -> None:
        node = dev.config.name
        self.run(node, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        for r in dev.config.routes:
            if r.prefix.version != 4 or r.vrf:
                continue
            if r.discard:
                self.run(node, "ip", "route", "add", "blackhole", str(r.prefix))
                continue
            cmd = ["ip", "route", "add", str(r.prefix)]
            if r.next_hop is not None:
                cmd += ["via", str(r.next_hop)]
            if r.interface is not None:
                cmd += ["dev", r.interface]
            self.run(node, *cmd)
        v4, v6 = netfilter_sections(dev.text)
        if v4:
            self.run(node, "iptables-restore", input_text=v4)
        if v6 and shutil.which("ip6tables-restore"):
            self.run(node, "ip6tables-restore", input_text=v6)

    # -- probing ----------------------------------------------------------------------------

    def _payload(self, index: int) -> bytes:
        return self.magic + index.to_bytes(4, "big")

    def packet_bytes(self, probe: Probe, index: int) -> bytes:
        """The probe as scapy builds it for ``netaudit probe``, with its source and tag."""
        from collectors.probe import build_packet
        from netaudit.probe import Expect, ProbeTarget

        target = ProbeTarget(
            zone="lab", address=probe.dst, proto=probe.proto, port=probe.dport, expect=Expect.ANSWER
        )
        s: Any = _scapy()
        pkt = build_packet(s, target)
        pkt[s.IP].src = str(probe.src)
        if probe.proto == PROTO_TCP:
            pkt[s.TCP].sport = probe.sport
        elif probe.proto == PROTO_UDP:
            pkt[s.UDP].sport = probe.sport
        elif probe.proto == PROTO_ICMP and probe.sport is not None:
            pkt[s.ICMP].id = probe.sport
        return bytes(pkt / s.Raw(self._payload(index)))

    def probe(self, probes: Sequence[Probe]) -> list[list[Arrival]]:
        """Send every probe and return, per probe, where (and as what) it arrived."""
        s = _scapy()

        sniffers: dict[str, subprocess.Popen[str]] = {}
        try:
            for h in self.hosts:
                proc = subprocess.Popen(
                    [
                        *("ip", "netns", "exec", self.ns[h.name]),
                        *(sys.executable, "-c", SNIFFER, self.magic.hex()),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                sniffers[h.name] = proc
            for proc in sniffers.values():
                assert proc.stdout is not None
                if proc.stdout.readline().strip() != "ready":
                    raise LabError("a sniffer did not start")
            by_host: dict[str, list[tuple[int, Probe]]] = {}
            for i, p in enumerate(probes):
                by_host.setdefault(p.src_host, []).append((i, p))
            senders = []
            for host, items in by_host.items():
                batch = [[str(p.dst), self.packet_bytes(p, i).hex()] for i, p in items]
                proc = subprocess.Popen(
                    [
                        *("ip", "netns", "exec", self.ns[host]),
                        *(sys.executable, "-c", SENDER, str(SEND_GAP_S)),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(batch))
                proc.stdin.close()
                senders.append((proc, items))
            for proc, items in senders:
                assert proc.stdout is not None
                errors = json.loads(proc.stdout.read() or "[]")
                proc.wait(timeout=COMMAND_TIMEOUT)
                if errors:
                    raise LabError(f"sending failed: {[(str(items[i][1]), e) for i, e in errors]}")
            time.sleep(SETTLE_S)
            captured: dict[str, list[tuple[str, str]]] = {}
            for host, proc in sniffers.items():
                out, _ = proc.communicate(input="", timeout=COMMAND_TIMEOUT)
                captured[host] = json.loads(out.strip().splitlines()[-1])
        finally:
            for proc in sniffers.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=COMMAND_TIMEOUT)
        arrivals: list[list[Arrival]] = [[] for _ in probes]
        for host, frames in captured.items():
            for _ifname, data in frames:
                got = self._arrival(s, host, bytes.fromhex(data), probes)
                if got is not None:
                    arrivals[got[0]].append(got[1])
        return arrivals

    def _arrival(
        self, s: Any, host: str, frame: bytes, probes: Sequence[Probe]
    ) -> tuple[int, Arrival] | None:
        """The probe a captured frame is, if it is one (not an error or reply quoting it)."""
        pkt = s.Ether(frame)
        if not pkt.haslayer(s.IP):
            return None
        ip = pkt[s.IP]
        if ip.proto == PROTO_TCP and ip.haslayer(s.TCP):
            l4: Any = ip[s.TCP]
            sport, dport = int(l4.sport), int(l4.dport)
        elif ip.proto == PROTO_UDP and ip.haslayer(s.UDP):
            l4 = ip[s.UDP]
            sport, dport = int(l4.sport), int(l4.dport)
        elif ip.proto == PROTO_ICMP and ip.haslayer(s.ICMP) and ip[s.ICMP].type == 8:
            l4 = ip[s.ICMP]
            sport, dport = int(l4.id), None
        else:
            return None
        payload = bytes(l4.payload)
        at = payload.rfind(self.magic)
        if at < 0 or len(payload) < at + len(self.magic) + 4:
            return None
        index = int.from_bytes(payload[at + len(self.magic) : at + len(self.magic) + 4], "big")
        if index >= len(probes) or probes[index].proto != ip.proto:
            return None
        return index, Arrival(
            host=host,
            src=ipaddress.IPv4Address(ip.src),
            dst=ipaddress.IPv4Address(ip.dst),
            proto=int(ip.proto),
            sport=sport if ip.proto != PROTO_ICMP else None,
            dport=dport,
        )

    def close(self) -> None:
        """Remove every namespace this lab created (idempotent)."""
        for name in reversed(self.created):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
            _LIVE.pop(name, None)
        self.created.clear()


def _scapy() -> Any:
    from scapy import all as scapy_all

    scapy_all.conf.verb = 0
    return scapy_all


def netfilter_sections(text: str) -> tuple[str, str]:
    """The ``iptables-save`` and ``ip6tables-save`` blocks of a snapshot, ready to restore.

    A block runs from ``*table`` to ``COMMIT``; the ``# Generated by ip6tables-save`` header
    before it marks it IPv6. Everything else of the file (``ip addr``, ``ip route``) is left.
    """
    v4: list[str] = []
    v6: list[str] = []
    six = False
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not inside and line.startswith("# Generated by"):
            six = "ip6tables" in line
            continue
        if line.startswith("*"):
            inside = True
        if inside:
            (v6 if six else v4).append(line)
            if line == "COMMIT":
                inside = False
    return ("\n".join(v4) + "\n" if v4 else "", "\n".join(v6) + "\n" if v6 else "")
