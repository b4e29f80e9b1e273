"""Read pcap and pcapng captures into flow records, fast and in flat memory.

A reader of its own (``struct`` over the file formats, hand decoding of Ethernet, 802.1Q/QinQ,
IPv4, IPv6, TCP, UDP, ICMP, ICMPv6): a general packet library builds an object tree per packet
and is one to two orders of magnitude slower (benchmarks/pcap_flows.md). Memory stays flat as
the capture grows: the file is read in fixed-size chunks and packets are folded into one entry
per 5-tuple; only the first packet of each flow is kept, as its sample.

Formats: libpcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html, both byte orders,
micro- and nanosecond magic) and pcapng (IETF draft-ietf-opsawg-pcapng: SHB, IDB with
``if_tsresol``, EPB, SPB, obsolete PB). Link types (https://www.tcpdump.org/linktypes.html):
Ethernet (1), raw IP (12, 14, 101), IPv4 (228), IPv6 (229), Linux cooked SLL (113), SLL2 (276).

Fragments: the first fragment gives the ports; later fragments are attributed to its flow by
(source, destination, protocol, IP id); one whose first fragment was not seen is counted in a
flow without ports. ICMP errors carry the head of the packet that caused them (RFC 792,
RFC 4443 §2.4): they are attributed to that inner flow. A capture cut short ends the reading
with a warning; what was read is kept.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from netaudit.errors import InputError
from netaudit.traffic import CaptureStats, FlowRecord, PacketSample, address

CHUNK = 1 << 20
SAMPLE_BYTES = 96
MAX_RECORD = 1 << 18  # larger than any link's snap length: a bigger length means corruption
FRAG_TABLE_MAX = 1 << 16

# Flags a decoded packet may carry.
SYN = 1  # TCP SYN without ACK: this flow opened the connection
ICMP_ERROR = 2  # an ICMP error attributed to its inner flow
FRAGMENT = 4  # a non-first fragment attributed to its flow
LOST_FRAGMENT = 8  # a non-first fragment whose first fragment was not seen

_VLAN_TYPES = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})
_V4_ERRORS = frozenset({3, 4, 5, 11, 12})  # RFC 792: unreachable, quench, redirect, time, param
_V6_EXT = frozenset({0, 43, 60})  # hop-by-hop, routing, destination options (RFC 8200)

LINK_ETHERNET = 1
LINK_IPV4, LINK_IPV6 = 228, 229
LINK_RAW = frozenset({12, 14, 101, LINK_IPV4, LINK_IPV6})
LINK_SLL, LINK_SLL2 = 113, 276

_PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"

Key = tuple[int, bytes, bytes, int | None, int | None]
Decoded = tuple[Key, int] | None
Progress = Callable[[int], None]


class CaptureError(InputError):
    """A file is not a capture netaudit can read."""


class _Decoder:
    """Decodes one link-layer frame into (flow key, flags); keeps the fragment table."""

    __slots__ = ("frags", "link")

    def __init__(self, link: int) -> None:
        self.link = link
        self.frags: dict[tuple[bytes, bytes, int, bytes], Key] = {}

    def decode(self, b: bytes, off: int, end: int) -> Decoded:
        """The flow of the frame ``b[off:end]``; ``None`` when it is not IP."""
        link = self.link
        if link == LINK_ETHERNET:
            if end - off < 14:
                return None
            et = b[off + 12] << 8 | b[off + 13]
            off += 14
            while et in _VLAN_TYPES and end - off >= 4:
                et = b[off + 2] << 8 | b[off + 3]
                off += 4
        elif link in LINK_RAW:
            if end <= off:
                return None
            v = b[off] >> 4
            et = 0x0800 if v == 4 else 0x86DD if v == 6 else 0
        elif link == LINK_SLL:
            if end - off < 16:
                return None
            et = b[off + 14] << 8 | b[off + 15]
            off += 16
        elif link == LINK_SLL2:
            if end - off < 20:
                return None
            et = b[off] << 8 | b[off + 1]
            off += 20
        else:
            return None
        if et == 0x0800:
            return self.ip4(b, off, end, False)
        if et == 0x86DD:
            return self.ip6(b, off, end, False)
        return None

    def ip4(self, b: bytes, off: int, end: int, inner: bool) -> Decoded:
        """An IPv4 packet (``inner``: the copy inside an ICMP error)."""
        if end - off < 20 or b[off] >> 4 != 4:
            return None
        proto = b[off + 9]
        src = b[off + 12 : off + 16]
        dst = b[off + 16 : off + 20]
        fo = b[off + 6] << 8 | b[off + 7]
        ident = b[off + 4 : off + 6]
        if fo & 0x1FFF:
            key = self.frags.get((src, dst, proto, ident))
            if key is not None:
                return key, FRAGMENT
            return (proto, src, dst, None, None), LOST_FRAGMENT
        r = self.l4(b, off + (b[off] & 15) * 4, end, proto, src, dst, 4, inner)
        if fo & 0x2000 and r is not None:
            self._remember((src, dst, proto, ident), r[0])
        return r

    def ip6(self, b: bytes, off: int, end: int, inner: bool) -> Decoded:
        """An IPv6 packet, walking extension headers to the upper layer (RFC 8200 §4)."""
        if end - off < 40 or b[off] >> 4 != 6:
            return None
        nh = b[off + 6]
        src = b[off + 8 : off + 24]
        dst = b[off + 24 : off + 40]
        p = off + 40
        more: bytes | None = None
        while True:
            if nh in _V6_EXT:
                if end - p < 2:
                    return (nh, src, dst, None, None), 0
                nh, p = b[p], p + (b[p + 1] + 1) * 8
            elif nh == 51:  # AH: length in 4-octet units minus 2 (RFC 4302)
                if end - p < 2:
                    return (nh, src, dst, None, None), 0
                nh, p = b[p], p + (b[p + 1] + 2) * 4
            elif nh == 44:  # fragment header (RFC 8200 §4.5)
                if end - p < 8:
                    return (nh, src, dst, None, None), 0
                fo = b[p + 2] << 8 | b[p + 3]
                ident = b[p + 4 : p + 8]
                nh, p = b[p], p + 8
                if fo & 0xFFF8:
                    key = self.frags.get((src, dst, nh, ident))
                    if key is not None:
                        return key, FRAGMENT
                    return (nh, src, dst, None, None), LOST_FRAGMENT
                if fo & 1:
                    more = ident
            else:
                break
        r = self.l4(b, p, end, nh, src, dst, 6, inner)
        if more is not None and r is not None:
            self._remember((src, dst, nh, more), r[0])
        return r

    def _remember(self, frag: tuple[bytes, bytes, int, bytes], key: Key) -> None:
        # Bounded: a capture of endless fragment trains must not grow memory.
        if len(self.frags) >= FRAG_TABLE_MAX:
            self.frags.clear()
        self.frags[frag] = key

    def l4(
        self, b: bytes, p: int, end: int, proto: int, src: bytes, dst: bytes, v: int, inner: bool
    ) -> Decoded:
        """TCP/UDP ports, ICMP type/code, or the inner flow of an ICMP error."""
        if proto == 6:
            if end - p >= 14:
                flags = b[p + 13]
                return (
                    (proto, src, dst, b[p] << 8 | b[p + 1], b[p + 2] << 8 | b[p + 3]),
                    SYN if flags & 0x12 == 0x02 else 0,
                )
            if end - p >= 4:  # an ICMP error's inner copy holds only 8 bytes of TCP
                return (proto, src, dst, b[p] << 8 | b[p + 1], b[p + 2] << 8 | b[p + 3]), 0
            return (proto, src, dst, None, None), 0
        if proto == 17 or proto == 132:
            if end - p >= 4:
                return (proto, src, dst, b[p] << 8 | b[p + 1], b[p + 2] << 8 | b[p + 3]), 0
            return (proto, src, dst, None, None), 0
        if proto == 1 or proto == 58:
            if end - p < 2:
                return (proto, src, dst, None, None), 0
            t = b[p]
            if not inner and end - p > 8:
                if proto == 1 and t in _V4_ERRORS:
                    r = self.ip4(b, p + 8, end, True)
                    if r is not None:
                        return r[0], ICMP_ERROR
                elif proto == 58 and t < 128:  # RFC 4443: types 0-127 are errors
                    r = self.ip6(b, p + 8, end, True)
                    if r is not None:
                        return r[0], ICMP_ERROR
            return (proto, src, dst, t, b[p + 1]), 0
        return (proto, src, dst, None, None), 0


@dataclass
class FlowTable:
    """Flows folded so far, and the counters of what was not a flow."""

    # key -> [first, last, packets, bytes, sample, opened, icmp_errors, fragments]
    flows: dict[Key, list[object]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    packets: int = 0
    bytes: int = 0
    non_ip: int = 0
    undecodable: int = 0
    truncated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def records(self) -> list[FlowRecord]:
        """The flows as :class:`FlowRecord` s, in order of first appearance."""
        out: list[FlowRecord] = []
        for (proto, src, dst, a, b), st in self.flows.items():
            first, last, packets, size, sample, opened, errors, frags = st
            icmp = proto in (1, 58)
            out.append(
                FlowRecord(
                    proto=proto,
                    src=address(src),
                    dst=address(dst),
                    sport=None if icmp else a,
                    dport=None if icmp else b,
                    icmp_type=a if icmp else None,
                    icmp_code=b if icmp else None,
                    first_seen=first,  # type: ignore[arg-type]
                    last_seen=last,  # type: ignore[arg-type]
                    packets=packets,  # type: ignore[arg-type]
                    bytes=size,  # type: ignore[arg-type]
                    sample=sample,  # type: ignore[arg-type]
                    opened=bool(opened),
                    icmp_errors=errors,  # type: ignore[arg-type]
                    fragments=frags,  # type: ignore[arg-type]
                )
            )
        return out

    def stats(self) -> CaptureStats:
        """The counters as a frozen summary."""
        return CaptureStats(
            files=tuple(self.files),
            packets=self.packets,
            bytes=self.bytes,
            non_ip=self.non_ip,
            undecodable=self.undecodable,
            truncated=tuple(self.truncated),
            warnings=tuple(self.warnings),
        )


class _Chunks:
    """A file read in fixed-size chunks: ``need(n)`` makes ``n`` bytes available at ``pos``."""

    __slots__ = ("buf", "f", "pos", "read")

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.buf = b""
        self.pos = 0
        self.read = 0

    def need(self, n: int) -> bool:
        if len(self.buf) - self.pos >= n:
            return True
        rest = self.buf[self.pos :]
        more = self.f.read(max(CHUNK, n - len(rest)))
        self.read += len(more)
        self.buf = rest + more
        self.pos = 0
        return len(self.buf) >= n

    def left(self) -> int:
        return len(self.buf) - self.pos


def _fold(
    table: FlowTable,
    dec: _Decoder,
    name: str,
    frame: int,
    ts: float,
    b: bytes,
    off: int,
    caplen: int,
    origlen: int,
) -> None:
    table.packets += 1
    table.bytes += origlen
    r = dec.decode(b, off, off + caplen)
    if r is None:
        table.non_ip += 1
        return
    key, flags = r
    st = table.flows.get(key)
    if st is None:
        table.flows[key] = [
            ts,
            ts,
            1,
            origlen,
            PacketSample(
                file=name,
                frame=frame,
                time=ts,
                length=origlen,
                head=bytes(b[off : off + min(caplen, SAMPLE_BYTES)]),
            ),
            flags & SYN,
            1 if flags & ICMP_ERROR else 0,
            1 if flags & (FRAGMENT | LOST_FRAGMENT) else 0,
        ]
        return
    st[1] = ts
    st[2] += 1  # type: ignore[operator]
    st[3] += origlen  # type: ignore[operator]
    if flags:
        if flags & SYN:
            st[5] = 1
        if flags & ICMP_ERROR:
            st[6] += 1  # type: ignore[operator]
        if flags & (FRAGMENT | LOST_FRAGMENT):
            st[7] += 1  # type: ignore[operator]


def _read_pcap(
    f: BinaryIO, name: str, table: FlowTable, progress: Progress | None, head: bytes
) -> None:
    order, scale = _PCAP_MAGIC[head[:4]]
    c = _Chunks(f)
    if not c.need(24):
        table.truncated.append(f"{name}: the global header is cut short")
        return
    link = struct.unpack_from(order + "I", c.buf, 20)[0] & 0x0FFFFFFF
    c.pos = 24
    dec = _Decoder(link)
    if link not in (LINK_ETHERNET, LINK_IPV4, LINK_IPV6, LINK_SLL, LINK_SLL2, *LINK_RAW):
        table.warnings.append(f"{name}: link type {link} is not decoded; packets counted only")
    rec = struct.Struct(order + "IIII")
    unpack = rec.unpack_from
    frame = 0
    fold = _fold
    while True:
        if len(c.buf) - c.pos < 16 and not c.need(16):
            if c.left():
                table.truncated.append(
                    f"{name}: capture ends inside the header of packet {frame + 1}"
                )
            return
        sec, frac, caplen, origlen = unpack(c.buf, c.pos)
        if caplen > MAX_RECORD:
            table.truncated.append(
                f"{name}: packet {frame + 1} claims {caplen} bytes; the rest of the file is unreadable"
            )
            return
        if len(c.buf) - c.pos - 16 < caplen and not c.need(16 + caplen):
            table.truncated.append(f"{name}: capture ends inside packet {frame + 1}")
            return
        frame += 1
        fold(table, dec, name, frame, sec + frac * scale, c.buf, c.pos + 16, caplen, origlen)
        c.pos += 16 + caplen
        if progress is not None and not frame & 0xFFFF:
            progress(c.read - c.left())


def _read_pcapng(f: BinaryIO, name: str, table: FlowTable, progress: Progress | None) -> None:
    c = _Chunks(f)
    order = "<"
    ifaces: list[tuple[_Decoder, float, int]] = []  # decoder, time scale, snaplen
    frame = 0
    fold = _fold
    while True:
        if not c.need(12):
            if c.left():
                table.truncated.append(f"{name}: capture ends inside a block header")
            return
        btype_raw = c.buf[c.pos : c.pos + 4]
        if btype_raw == _PCAPNG_SHB:
            bom = c.buf[c.pos + 8 : c.pos + 12]
            order = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">" if bom == b"\x1a\x2b\x3c\x4d" else ""
            if not order:
                raise CaptureError("bad pcapng byte-order magic", file=name)
            ifaces = []
        btype, blen = struct.unpack_from(order + "II", c.buf, c.pos)
        if blen < 12 or blen % 4 or blen > MAX_RECORD + 64:
            table.truncated.append(
                f"{name}: block of length {blen}; the rest of the file is unreadable"
            )
            return
        if not c.need(blen):
            table.truncated.append(f"{name}: capture ends inside packet {frame + 1}")
            return
        b, p = c.buf, c.pos
        if btype == 6:  # Enhanced Packet Block
            iface, hi, lo, caplen, origlen = struct.unpack_from(order + "IIIII", b, p + 8)
            if iface < len(ifaces):
                dec, scale, _ = ifaces[iface]
                frame += 1
                caplen = min(caplen, blen - 32)
                fold(table, dec, name, frame, ((hi << 32) | lo) * scale, b, p + 28, caplen, origlen)
            else:
                table.warnings.append(f"{name}: packet on undeclared interface {iface}")
        elif btype == 3:  # Simple Packet Block: interface 0, no timestamp
            (origlen,) = struct.unpack_from(order + "I", b, p + 8)
            if ifaces:
                dec, _, snap = ifaces[0]
                frame += 1
                caplen = min(origlen, snap or origlen, blen - 16)
                fold(table, dec, name, frame, 0.0, b, p + 12, caplen, origlen)
        elif btype == 2:  # obsolete Packet Block
            iface, _drops, hi, lo, caplen, origlen = struct.unpack_from(order + "HHIIII", b, p + 8)
            if iface < len(ifaces):
                dec, scale, _ = ifaces[iface]
                frame += 1
                caplen = min(caplen, blen - 32)
                fold(table, dec, name, frame, ((hi << 32) | lo) * scale, b, p + 28, caplen, origlen)
        elif btype == 1:  # Interface Description Block
            link, _, snap = struct.unpack_from(order + "HHI", b, p + 8)
            ifaces.append((_Decoder(link), _tsresol(b, p + 16, p + blen - 4, order), snap))
            if link not in (LINK_ETHERNET, LINK_IPV4, LINK_IPV6, LINK_SLL, LINK_SLL2, *LINK_RAW):
                table.warnings.append(
                    f"{name}: link type {link} is not decoded; packets counted only"
                )
        c.pos += blen
        if progress is not None and btype in (2, 3, 6) and not frame & 0xFFFF:
            progress(c.read - c.left())


def _tsresol(b: bytes, p: int, end: int, order: str) -> float:
    """The ``if_tsresol`` option (code 9) of an IDB; microseconds when absent."""
    while end - p >= 4:
        code, length = struct.unpack_from(order + "HH", b, p)
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = b[p + 4]
            return float(2 ** -(v & 0x7F)) if v & 0x80 else float(10**-v)
        p += 4 + (length + 3) // 4 * 4
    return 1e-6


def read_into(table: FlowTable, path: Path, progress: Progress | None = None) -> None:
    """Fold one capture file into ``table``.

    Raises:
        CaptureError: the file cannot be opened or is not pcap/pcapng.
    """
    name = str(path)
    try:
        f = path.open("rb")
    except OSError as e:
        raise CaptureError(f"cannot read: {e.strerror}", file=name) from e
    with f:
        head = f.read(4)
        f.seek(0)
        table.files.append(name)
        if head in _PCAP_MAGIC:
            _read_pcap(f, name, table, progress, head)
        elif head == _PCAPNG_SHB:
            _read_pcapng(f, name, table, progress)
        else:
            raise CaptureError("not a pcap or pcapng capture", file=name)
    if progress is not None:
        progress(path.stat().st_size)


def read_flows(
    paths: Iterable[Path], progress: Progress | None = None
) -> tuple[list[FlowRecord], CaptureStats]:
    """Every flow of the given captures, and what reading them met.

    ``progress`` is called now and then with the bytes read of the current file.
    """
    table = FlowTable()
    for path in paths:
        read_into(table, path, progress)
    return table.records(), table.stats()
