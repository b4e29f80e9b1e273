"""Shared parsing machinery: decoding, line bookkeeping, coverage and the indentation tree.

A parser walks the lines of a file and, for each one, says whether it understood it
(:meth:`ParseContext.ok`), did not (:meth:`ParseContext.unknown`), or that it carries no meaning
(:meth:`ParseContext.skip`, for blanks and comments). Whatever is neither ok nor skipped when the
parser finishes is reported as unrecognized, so nothing is ever dropped silently.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from netaudit.errors import InputError
from netaudit.model import (
    Action,
    AddressMatch,
    Coverage,
    IPNetwork,
    Match,
    ParseWarning,
    Rule,
    ServiceMatch,
    SourceSpan,
    UnrecognizedLine,
)

_CANDIDATE_ENCODINGS = ("utf-8", "cp932", "shift_jis", "euc_jp", "iso2022_jp")

# -- constructing model objects on hot paths --------------------------------------------------
#
# A large ACL becomes tens of thousands of frozen model objects. When this module and
# netaudit.model are compiled with mypyc (the optional accelerated build, see setup.py), the
# model classes are native classes, but the __init__ that dataclasses generates for them stays
# an interpreted function: constructing one costs as much as in pure Python. The functions
# below build the same objects field by field through the native attribute slots instead (a
# compiled store does not go through the frozen __setattr__). Interpreted, they call the
# dataclass constructor. Both give equal objects with every field set; the field lists are
# checked against the model when this module loads, and a model with other fields falls back
# to the constructors (tests/parsers/test_model_build.py pins the lists).

_FIELDS = {
    SourceSpan: ("file", "line", "text", "path"),
    AddressMatch: ("networks", "negate", "unresolved"),
    Match: ("src", "dst", "services", "unresolved"),
    Rule: (
        "action",
        "match",
        "span",
        "name",
        "enabled",
        "log",
        "in_interfaces",
        "out_interfaces",
        "conditions",
        "exceptions",
        "extras",
    ),
}
"""The fields the native builders set, per model class."""


def _native_build() -> bool:
    """Whether the compiled field-by-field construction applies (see the comment above)."""
    compiled = not __file__.endswith(".py") and hasattr(SourceSpan, "__mypyc_attrs__")
    return compiled and all(
        tuple(f.name for f in dataclasses.fields(cls)) == names for cls, names in _FIELDS.items()
    )


NATIVE_BUILD = _native_build()
"""True in the compiled build: model objects are built through their native slots."""


def new_span(file: str, line: int, text: str = "", path: str = "") -> SourceSpan:
    """``SourceSpan(file, line, text, path)``."""
    if NATIVE_BUILD:
        s = SourceSpan.__new__(SourceSpan)
        s.file = file  # type: ignore[misc]
        s.line = line  # type: ignore[misc]
        s.text = text  # type: ignore[misc]
        s.path = path  # type: ignore[misc]
        return s
    return SourceSpan(file, line, text, path)


def new_address(
    networks: tuple[IPNetwork, ...], unresolved: tuple[str, ...] = (), negate: bool = False
) -> AddressMatch:
    """``AddressMatch(networks=..., negate=..., unresolved=...)``."""
    if NATIVE_BUILD:
        a = AddressMatch.__new__(AddressMatch)
        a.networks = networks  # type: ignore[misc]
        a.negate = negate  # type: ignore[misc]
        a.unresolved = unresolved  # type: ignore[misc]
        return a
    return AddressMatch(networks=networks, negate=negate, unresolved=unresolved)


def new_match(
    src: AddressMatch,
    dst: AddressMatch,
    services: tuple[ServiceMatch, ...],
    unresolved: tuple[str, ...] = (),
) -> Match:
    """``Match(src=..., dst=..., services=..., unresolved=...)``."""
    if NATIVE_BUILD:
        m = Match.__new__(Match)
        m.src = src  # type: ignore[misc]
        m.dst = dst  # type: ignore[misc]
        m.services = services  # type: ignore[misc]
        m.unresolved = unresolved  # type: ignore[misc]
        return m
    return Match(src=src, dst=dst, services=services, unresolved=unresolved)


def new_acl_rule(
    action: Action,
    match: Match,
    span: SourceSpan,
    name: str,
    log: bool,
    extras: Mapping[str, object],
) -> Rule:
    """An enabled ACL entry: ``Rule(action=..., match=..., span=..., name=..., log=...,
    extras=...)`` with the defaults of every other field."""
    if NATIVE_BUILD:
        r = Rule.__new__(Rule)
        r.action = action  # type: ignore[misc]
        r.match = match  # type: ignore[misc]
        r.span = span  # type: ignore[misc]
        r.name = name  # type: ignore[misc]
        r.enabled = True  # type: ignore[misc]
        r.log = log  # type: ignore[misc]
        r.in_interfaces = None  # type: ignore[misc]
        r.out_interfaces = None  # type: ignore[misc]
        r.conditions = ()  # type: ignore[misc]
        r.exceptions = ()  # type: ignore[misc]
        r.extras = extras  # type: ignore[misc]
        return r
    return Rule(action=action, match=match, span=span, name=name, log=log, extras=extras)


def decode(data: bytes, *, source: str) -> str:
    """Decode a config file, detecting its encoding (UTF-8, Shift_JIS/CP932, EUC-JP, ...).

    Raises:
        InputError: the file is empty of text, binary, or in no encoding we can read.
    """
    if b"\x00" in data[:65536]:
        raise InputError("binary file (NUL bytes); not a configuration text", file=source)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for enc in _CANDIDATE_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:
        best = None
    if best is None:
        raise InputError("cannot detect the text encoding", file=source)
    return str(best)


_SECRET_PATTERNS = (
    re.compile(
        r"(?i)\b(password|secret|passwd|community|key|psk|pre-shared-key|passphrase|phash|encrypted-password)\b"
    ),
    re.compile(r"(?i)\b(snmp-server community|snmp-agent community|snmp community)\b"),
    # Yamaha puts secrets after a user name with no keyword of their own.
    re.compile(r"(?i)\b(login user|pp auth myname|pp auth username|tunnel auth on|auth myname)\b"),
)


def redact(text: str) -> str:
    """The line with everything after a secret keyword replaced, for evidence text."""
    for pat in _SECRET_PATTERNS:
        m = pat.search(text)
        if m:
            return text[: m.end()] + " <redacted>"
    return text


@dataclass
class ParseContext:
    """Bookkeeping for one file: spans, recognized lines, warnings."""

    source: str
    text: str
    lines: list[str] = field(init=False)
    _ok: set[int] = field(default_factory=set, init=False)
    _skip: set[int] = field(default_factory=set, init=False)
    _unknown: set[int] = field(default_factory=set, init=False)
    warnings: list[ParseWarning] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()

    def span(self, line: int, *, secret: bool = False, path: str = "") -> SourceSpan:
        """The span of 1-based ``line``; ``secret`` redacts the text."""
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return new_span(self.source, line, redact(text) if secret else text, path)

    def ok(self, *lines: int) -> None:
        """Mark lines as understood."""
        self._ok.update(lines)
        self._unknown.difference_update(lines)

    def ok_line(self, line: int) -> None:
        """Mark one line as understood (:meth:`ok` without the argument tuple, for hot loops)."""
        self._ok.add(line)
        if self._unknown:
            self._unknown.discard(line)

    def skip(self, *lines: int) -> None:
        """Mark lines as carrying no meaning (blank, comment, end-of-block)."""
        self._skip.update(lines)

    def unknown(self, *lines: int) -> None:
        """Mark lines as not understood (they are also reported if never marked at all)."""
        self._unknown.update(n for n in lines if n not in self._ok)

    def warn(self, line: int, message: str, *, matters: bool = False, path: str = "") -> None:
        """Record a problem found while parsing."""
        self.warnings.append(
            ParseWarning(span=self.span(line, path=path), message=message, matters=matters)
        )

    def coverage(self, *, paths: dict[int, str] | None = None) -> Coverage:
        """Coverage over all lines: unmarked non-blank lines count as unrecognized."""
        unrec: list[UnrecognizedLine] = []
        recognized = 0
        for n, raw in enumerate(self.lines, start=1):
            # (isspace: blank without allocating a stripped copy of every line)
            if n in self._skip or not raw or raw.isspace():
                continue
            if n in self._ok:
                recognized += 1
            else:
                unrec.append(
                    UnrecognizedLine(
                        line=n, text=redact(raw.strip()), path=(paths or {}).get(n, "")
                    )
                )
        return Coverage(
            total_lines=len(self.lines), recognized=recognized, unrecognized=tuple(unrec)
        )


@dataclass
class Node:
    """A line of an indented config (IOS, ASA, NX-OS, AX, AW+, IX) with its children."""

    line: int
    text: str
    indent: int
    children: list[Node] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The line split on white space."""
        return self.text.split()

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, depth first."""
        yield self
        for c in self.children:
            yield from c.walk()


def indent_tree(text: str, *, comment_chars: str = "!#") -> tuple[list[Node], set[int]]:
    """Build the indentation tree of a config; returns the roots and the comment/blank lines.

    A line indented more than the previous non-blank line becomes its child. Lines starting with
    one of ``comment_chars`` (after white space) and blank lines are not put in the tree.
    """
    roots: list[Node] = []
    stack: list[Node] = []
    skipped: set[int] = set()
    for n, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped[0] in comment_chars:
            skipped.add(n)
            continue
        indent = len(raw) - len(raw.lstrip(" \t"))
        node = Node(line=n, text=stripped, indent=indent)
        while stack and stack[-1].indent >= indent:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots, skipped
