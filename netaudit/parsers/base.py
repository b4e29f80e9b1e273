"""Shared parsing machinery: decoding, line bookkeeping, coverage and the indentation tree.

A parser walks the lines of a file and, for each one, says whether it understood it
(:meth:`ParseContext.ok`), did not (:meth:`ParseContext.unknown`), or that it carries no meaning
(:meth:`ParseContext.skip`, for blanks and comments). Whatever is neither ok nor skipped when the
parser finishes is reported as unrecognized, so nothing is ever dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from netaudit.errors import InputError
from netaudit.model import Coverage, ParseWarning, SourceSpan, UnrecognizedLine

_CANDIDATE_ENCODINGS = ("utf-8", "cp932", "shift_jis", "euc_jp", "iso2022_jp")


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
        return SourceSpan(
            file=self.source, line=line, text=redact(text) if secret else text, path=path
        )

    def ok(self, *lines: int) -> None:
        """Mark lines as understood."""
        self._ok.update(lines)
        self._unknown.difference_update(lines)

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
            if n in self._skip or not raw.strip():
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
