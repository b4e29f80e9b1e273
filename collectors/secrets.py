"""Secret scrubbing for stored snapshots: every secret becomes a marker with a keyed digest.

A collected configuration holds passwords and their hashes, SNMP communities and v3 keys,
TACACS+/RADIUS keys, NTP and routing-protocol authentication keys, IPsec pre-shared keys and
private keys. A snapshot is evidence that gets copied, attached to tickets and archived, so by
default none of that is stored: each secret value is replaced by ::

    <removed:sha256:ab12cd34ef56>

Design of the digest (why it is keyed, and by what):

* The digest must be **stable across snapshots** of the same installation, or a changed
  secret would not show as changed in ``netaudit diff`` and the evidence would be useless for
  "was the password rotated?". A per-snapshot random salt would defeat that.
* It must **not be a plain or publicly salted hash**: a 48-bit tag of a weak password with a
  known salt is brute-forced from a dictionary in seconds by whoever holds the snapshot.
* So the digest is ``HMAC-SHA256(scrub key, value)`` truncated to 12 hex digits, where the scrub
  key is 32 random bytes kept in the installation's config directory (``scrub.key``, mode 0600,
  created on first use; :func:`config_dir`). The manifest records only the key's *id* (a digest
  of the key), never the key: two snapshots with the same key id can be compared secret by
  secret; snapshots from another installation cannot, and say so by their differing ids.

What is replaced is the value token only; keywords, type digits (``secret 9``, ``ENC``,
``encrypted``) and line structure stay, and the line count never changes, so each platform
parser still understands the scrubbed text the same way and evidence line numbers still match
the device. Quoted values keep their quotes; in PAN-OS XML the marker is XML-escaped.

One deliberate exception: an SNMP community that is one of the well-known defaults
(:data:`netaudit.model.DEFAULT_COMMUNITIES`, e.g. ``public``) is kept. It protects nothing
(everyone can guess it), and the hygiene checks need to see it to report it.

The rules are per platform (netmiko names, as the parser registry) and documented beside each
group; text of an unknown platform gets the rules of every platform (safety before fidelity).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from netaudit.errors import NetauditError
from netaudit.model import DEFAULT_COMMUNITIES

MARKER_RE = re.compile(r"<removed:sha256:[0-9a-f]{12}>")
"""A marker as it appears in scrubbed text."""

SCRUB_METHOD = "hmac-sha256-48"
"""How markers are computed (recorded in the manifest)."""


class SecretsError(NetauditError):
    """The scrub key could not be read or created."""


def config_dir() -> Path:
    """netaudit's per-user configuration directory.

    ``$NETAUDIT_HOME`` when set, else ``$XDG_CONFIG_HOME/netaudit``, else ``~/.config/netaudit``.
    """
    env = os.environ.get("NETAUDIT_HOME")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "netaudit"


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600 (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def scrub_key_path() -> Path:
    """Where the installation's scrub key lives."""
    return config_dir() / "scrub.key"


def load_scrub_key(path: Path | None = None, *, create: bool = True) -> bytes:
    """The installation's scrub key, created (32 random bytes, mode 0600) on first use.

    Raises:
        SecretsError: the key file is unreadable or malformed, or absent and ``create`` is off.
    """
    path = path or scrub_key_path()
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise SecretsError(f"no scrub key at {path}") from None
        key = secrets.token_bytes(32)
        write_private(path, key.hex().encode() + b"\n")
        return key
    except (OSError, UnicodeDecodeError) as e:
        raise SecretsError(f"cannot read the scrub key {path}: {e}") from e
    try:
        key = bytes.fromhex(text)
    except ValueError as e:
        raise SecretsError(f"malformed scrub key in {path}") from e
    if len(key) < 16:
        raise SecretsError(f"scrub key in {path} is too short")
    return key


def key_id(key: bytes) -> str:
    """A public identifier of a scrub key: equal ids, comparable markers."""
    return hashlib.sha256(b"netaudit-scrub-key-id:" + key).hexdigest()[:16]


# -- rules ------------------------------------------------------------------------------------

# A value token: a quoted string (quotes kept, content replaced) or a run of non-blanks.
_TOK = r"""(?P<v>"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"']\S*)"""
# Junos ends statements with ';' and opens blocks with '{': they are not part of a value.
_JTOK = r"""(?P<v>"(?:[^"\\\n]|\\.)*"|[^\s;{}"]+)"""
# Cisco-style encryption type digits (0 plain, 5/8/9 hashes, 6/7 reversible) before a value.
_TYPE = r"(?:\d{1,2}\s+)?"


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern whose ``v`` group is a secret, where a line (and its block) qualifies."""

    pattern: re.Pattern[str]
    line: re.Pattern[str] | None = None
    block: re.Pattern[str] | None = None
    community: bool = False


def _r(
    pattern: str,
    *,
    line: str | None = None,
    block: str | None = None,
    community: bool = False,
) -> _Rule:
    return _Rule(
        re.compile(pattern),
        re.compile(line) if line else None,
        re.compile(block) if block else None,
        community,
    )


# Words that follow `password` in Cisco-style commands without being a password.
_NOT_A_VALUE_WORD = (
    r"(?!(?:encryption|strength-check|policy|history|min-length|change|lifetime|expiry|"
    r"aging|prompt|lockout|complexity|reuse-interval|max-failed-attempts)\b)"
)

# Cisco IOS and its relatives (NX-OS, ASA, AlliedWare Plus, AlaxalA AX). Sources: Cisco IOS
# Security Command Reference (enable secret, username, key-string, snmp-server, tacacs-server,
# radius-server, ntp authentication-key, ip ospf message-digest-key, neighbor password,
# crypto isakmp key, pre-shared-key), NX-OS and ASA command references, AlliedWare Plus and
# AlaxalA AX configuration guides (same command shapes).
_IOS_COMMON: tuple[_Rule, ...] = (
    _r(rf"(?<![\w-])(?:secret|password)\s+(?:level\s+\d+\s+)?{_NOT_A_VALUE_WORD}{_TYPE}{_TOK}"),
    _r(rf"(?<![\w-])(?:area|domain|ldap-login|isis)-password\s+{_TYPE}{_TOK}"),
    _r(rf"(?<![\w-])password-encrypt\s+{_TOK}"),
    _r(rf"(?<![\w-])key-string\s+{_TYPE}{_TOK}"),
    _r(rf"(?<![\w-])authentication-key\s+\d+\s+\S+\s+{_TOK}", line=r"^\s*ntp\s"),
    _r(rf"(?<![\w-])authentication-key\s+{_TYPE}{_TOK}", line=r"^(?!\s*ntp\s)"),
    _r(rf"(?<![\w-])message-digest-key\s+\d+\s+md5\s+{_TYPE}{_TOK}"),
    _r(rf"(?<![\w-])crypto\s+isakmp\s+key\s+{_TYPE}{_TOK}"),
    _r(
        rf"(?<![\w-])pre-shared-key\s+(?:address\s+\S+(?:\s+\d+\.\d+\.\d+\.\d+)?\s+key\s+|"
        rf"hostname\s+\S+\s+key\s+|(?:local|remote)\s+)?{_TYPE}{_TOK}"
    ),
    _r(rf"(?<![\w-])pre-share\s+key\s+{_TYPE}{_TOK}"),
    _r(rf"(?<![\w-])key\s+{_TYPE}{_TOK}", line=r"^\s*(?:tacacs-server|radius-server)\b"),
    _r(rf"(?<![\w-])key\s+{_TYPE}{_TOK}", line=r"^\s*server-private\b"),
    _r(
        rf"^\s+key\s+{_TYPE}{_TOK}",
        block=r"^(?:tacacs\s+server|radius\s+server|aaa-server\s+\S+\s+(?:\(\S+\)\s+)?host)\b",
    ),
    _r(rf"^\s*snmp-server\s+community\s+{_TOK}", community=True),
    _r(
        rf"(?<![\w-])auth\s+(?:md5|sha\S*)\s+{_TOK}",
        line=r"^\s*snmp-server\s+user\b",
    ),
    _r(
        rf"(?<![\w-])priv\s+(?:(?:3des|des\S*|aes(?:-?128|-?192|-?256)?)\s+(?:(?:128|192|256)\s+)?)?{_TOK}",
        line=r"^\s*snmp-server\s+user\b",
    ),
)
# IOS, NX-OS, AW+, AX: `snmp-server host ADDR [informs|traps] [version 1|2c] COMMUNITY`.
_SNMP_HOST_POSITIONAL = _r(
    r"^\s*snmp-server\s+host\s+\S+(?:\s+vrf\s+\S+)?(?:\s+(?:informs|traps))?"
    rf"(?:\s+version\s+(?:1|2c?))?\s+(?!(?:version|informs|traps|vrf|community|use-vrf|filter-vrf|source-interface|enable|disable)\b){_TOK}",
    line=r"^(?!.*\bversion\s+3\b)(?!.*\bcommunity\b)",
    community=True,
)
# ASA: `snmp-server host IFNAME ADDR community COMMUNITY [version 2c]`.
_SNMP_HOST_KEYWORD = _r(
    rf"(?<![\w-])community\s+{_TYPE}{_TOK}", line=r"^\s*snmp-server\s+host\b", community=True
)
_ASA_EXTRA = (
    # ASA: `aaa-server NAME (IF) host ADDR KEY` (older inline form) and `passwd X encrypted`.
    _r(rf"^\s*passwd\s+{_TOK}"),
    _r(rf"(?<![\w-])(?:ikev1|ikev2\s+(?:local|remote)-authentication)\s+pre-shared-key\s+{_TOK}"),
)

# Juniper Junos, curly and `set` forms (Junos CLI User Guide: encrypted-password, secret,
# authentication-key, pre-shared-key ascii-text|hexadecimal, snmp community, snmp v3
# authentication-key / privacy-key; `$9$` reversible and `$1$`/`$5$`/`$6$` hashes).
_JUNOS: tuple[_Rule, ...] = (
    _r(
        r"(?<![\w-])(?:encrypted-password|secret|ascii-text|hexadecimal|authentication-password|"
        rf"privacy-password|simple-password|privacy-key|hmac-key)\s+{_JTOK}"
    ),
    _r(rf"(?<![\w-])authentication-key\s+(?!\d+\s+(?:type|value)\b){_JTOK}"),
    _r(rf"(?<![\w-])value\s+{_JTOK}", line=r"\bauthentication-key\s+\d+\s"),
    _r(r"""(?<![\w-])key\s+(?P<v>"(?:[^"\\\n]|\\.)*")"""),
    _r(rf"^\s*set\s+snmp\s+community\s+{_JTOK}", community=True),
    _r(rf"^\s*community\s+{_JTOK}\s*[{{;]", block=r"(?:^| )snmp$", community=True),
)

# FortiOS (FortiOS CLI reference: `set password ENC ...`, `set psksecret ENC ...`, RADIUS
# `set secret`, SNMP v3 `set auth-pwd`/`set priv-pwd`, NTP `set key`, OSPF `set md5-keys`,
# and SNMP communities, whose *name* is the community string).
_FORTI_KEYS = (
    "password|passwd|passwd1|passwd2|passwd3|password2|psksecret|psksecret-remote|ppk-secret|"
    "secret|secondary-secret|tertiary-secret|key|key-string|auth-pwd|priv-pwd|auth-password|"
    "priv-password|passphrase|pre-shared-key|server-key|ldap-password|login-passwd|"
    "sso-password|auth-passwd|authpasswd|authentication-key|md5-key"
)
_FORTINET: tuple[_Rule, ...] = (
    _r(rf"^\s*set\s+(?:{_FORTI_KEYS})\s+(?:ENC\s+)?{_TOK}"),
    _r(rf"^\s*set\s+md5-keys\s+\d+\s+(?:ENC\s+)?{_TOK}"),
    _r(rf"^\s*set\s+name\s+{_TOK}", block=r"^config system snmp community\b", community=True),
)

# PAN-OS `set` form (PAN-OS CLI: mgt-config users phash, ike gateway pre-shared-key key,
# server profile secret, snmp-community-string, v3 authpwd/privpwd).
_PANOS_SET: tuple[_Rule, ...] = (
    _r(
        rf"(?<![\w-])(?:phash|password|secret|authpwd|privpwd|snmp-community-string|passphrase)\s+{_TOK}",
        line=r"^\s*set\s",
    ),
    _r(rf"(?<![\w-])key\s+{_TOK}", line=r"^\s*set\s"),
    _r(rf"(?<![\w-])community\s+{_TOK}", line=r"^\s*set\s.*\bsnmp", community=True),
)
_PANOS_XML_TAGS = (
    "phash|password|key|secret|authpwd|privpwd|community|community-string|"
    "snmp-community-string|passphrase|psk|auth-password|priv-password|private-key|"
    "bind-password|api-key"
)
_PANOS_XML = re.compile(rf"<(?P<tag>{_PANOS_XML_TAGS})>(?P<v>[^<]*)</(?P=tag)>")

# Yamaha RTX (Yamaha command reference: login password [encrypted], administrator password,
# login user, pp auth myname/username, ipsec ike pre-shared-key N text, snmp community,
# snmpv3 usm user, radius secret, l2tp tunnel auth on).
_YAMAHA: tuple[_Rule, ...] = (
    _r(rf"^\s*(?:login|administrator)\s+password\s+(?:encrypted\s+)?{_TOK}"),
    _r(rf"^\s*login\s+user\s+\S+\s+(?:encrypted\s+)?{_TOK}"),
    _r(rf"^\s*pp\s+auth\s+(?:myname|username)\s+\S+\s+{_TOK}"),
    _r(rf"^\s*ipsec\s+ike\s+pre-shared-key\s+\d+\s+(?:text\s+)?{_TOK}"),
    _r(rf"^\s*ipsec\s+ike\s+xauth\s+myname\s+\S+\s+{_TOK}"),
    _r(rf"^\s*snmp(?:v[12]c?)?\s+community\s+(?:read-only|read-write)\s+{_TOK}", community=True),
    _r(rf"^\s*snmp(?:v[12]c?)?\s+trap\s+community\s+{_TOK}", community=True),
    _r(rf"(?<![\w-])(?:md5|sha|sha256|sha512)\s+{_TOK}", line=r"^\s*snmpv3\s+usm\s+user\b"),
    _r(
        rf"(?<![\w-])(?:des-cbc|aes128-cfb|aes192-cfb|aes256-cfb)\s+{_TOK}",
        line=r"^\s*snmpv3\s+usm\s+user\b",
    ),
    _r(rf"^\s*(?:radius|tacacs)\s+secret\s+{_TOK}"),
    _r(rf"^\s*l2tp\s+tunnel\s+auth\s+on\s+{_TOK}"),
    # A saved SSH host key (the private key material follows the command).
    _r(r"^\s*sshd\s+host\s+key\s+generate\s+(?P<v>(?!\*\s*$)\S(?:.*\S)?)"),
    _r(r"(?<![\w-])(?:passwd|password|secret)=(?P<v>[^\s,]+)"),
)

# NEC UNIVERGE IX (IX command reference: username NAME password plain|hash X, ike policy ...
# key X, ikev2 authentication psk ... key char|hex X, snmp-agent ip community, PPP
# `authentication password ID X`).
_NEC_IX: tuple[_Rule, ...] = (
    _r(
        rf"(?<![\w-])password\s+(?:(?:plain|hash|0|7)\s+)?{_NOT_A_VALUE_WORD}{_TOK}",
        line=r"^\s*username\s",
    ),
    _r(rf"(?<![\w-])key\s+(?:(?:char|hex|ascii)\s+)?{_TOK}", line=r"^\s*ike(?:v2)?\s+"),
    _r(rf"(?<![\w-])key\s+{_TYPE}{_TOK}", line=r"^\s*(?:radius|tacacs)\S*\s"),
    _r(rf"^\s*authentication\s+password\s+\S+\s+{_TOK}"),
    _r(rf"(?<![\w-])authentication-key\s+(?:\d+\s+md5\s+)?{_TOK}"),
    _r(rf"(?<![\w-])pre-shared-key\s+(?:(?:plain|hex|ascii|text|char)\s+)?{_TOK}"),
    _r(rf"^\s*snmp-agent\s+ip\s+community\s+{_TOK}", community=True),
    # `snmp-agent ip host ADDR COMMUNITY [version 1|2]`
    _r(rf"^\s*snmp-agent\s+ip\s+host\s+\S+\s+(?:community\s+)?{_TOK}", community=True),
)

# Linux: shadow-style hashes (`user:$6$salt$hash:...`) if a collected file shows them.
_LINUX: tuple[_Rule, ...] = (_r(r"^[A-Za-z0-9_.-]+:(?P<v>\$[0-9a-z]+\$[^:\s]+):"),)

_RULES: dict[str, tuple[_Rule, ...]] = {
    "cisco_ios": (*_IOS_COMMON, _SNMP_HOST_POSITIONAL),
    "cisco_nxos": (*_IOS_COMMON, _SNMP_HOST_POSITIONAL),
    "allied_telesis_awplus": (*_IOS_COMMON, _SNMP_HOST_POSITIONAL),
    "alaxala_ax": (*_IOS_COMMON, _SNMP_HOST_POSITIONAL),
    "cisco_asa": (*_IOS_COMMON, _SNMP_HOST_KEYWORD, *_ASA_EXTRA),
    "juniper_junos": _JUNOS,
    "fortinet": _FORTINET,
    "paloalto_panos": _PANOS_SET,
    "yamaha": _YAMAHA,
    "nec_ix": _NEC_IX,
    "linux": _LINUX,
}
PLATFORMS_COVERED = tuple(_RULES)
"""Platforms with their own rules (every platform of the parser registry)."""

# How each platform nests: the "block" a rule may require is the enclosing context.
_BLOCKS: dict[str, str] = {
    "juniper_junos": "braces",
    "fortinet": "forti",
}

_PEM = re.compile(
    r"(?P<begin>-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY)-----)(?P<v>.*?)(?P<end>-----END (?P=label)-----)",
    re.S,
)


# -- the scrubber -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scrubbed:
    """Scrubbed text and how many secrets were replaced."""

    text: str
    removed: int


class Scrubber:
    """Replaces secrets by markers keyed with one scrub key (see the module docstring)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise SecretsError("a scrub key needs at least 16 bytes")
        self._key = key
        self.key_id = key_id(key)

    def marker(self, value: str) -> str:
        """The marker that stands for ``value``."""
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]
        return f"<removed:sha256:{digest}>"

    def scrub(self, text: str, platform: str | None) -> Scrubbed:
        """``text`` with every secret of ``platform`` (all platforms when None) replaced."""
        count = 0
        text, n = self._pem(text)
        count += n
        # An unknown platform gets every platform's rules, each run on the same text and
        # their findings merged, so that one platform's rule cannot hide a secret from another.
        platforms: Sequence[str] = (platform,) if platform in _RULES else tuple(_RULES)
        if "paloalto_panos" in platforms:
            text, n = self._xml(text)
            count += n
        lines = text.split("\n")
        spans: dict[int, list[tuple[int, int]]] = {}
        for p in platforms:
            for i, found in self._line_spans(lines, _RULES[p], _BLOCKS.get(p, "indent")):
                spans.setdefault(i, []).extend(found)
        for i, found in spans.items():
            lines[i], n = self._replace_spans(lines[i], found)
            count += n
        return Scrubbed("\n".join(lines), count)

    # Each secret value is replaced in place; newlines inside a value are kept so that
    # line numbers do not move.
    def _replacement(self, raw: str, *, xml: bool = False) -> str | None:
        quote = raw[0] if raw[:1] in ("'", '"') and raw[-1:] == raw[:1] and len(raw) >= 2 else ""
        value = raw[1:-1] if quote else raw
        if not value.strip() or MARKER_RE.fullmatch(value.strip()) or value.strip() in ("*", "!"):
            return None
        if xml and value.strip().startswith("&lt;removed:"):
            return None
        marker = self.marker(value)
        if xml:
            marker = xml_escape(marker)
        return quote + marker + "\n" * value.count("\n") + quote

    def _pem(self, text: str) -> tuple[str, int]:
        count = 0

        def sub(m: re.Match[str]) -> str:
            nonlocal count
            body = m.group("v")
            if MARKER_RE.search(body) or "&lt;removed:" in body:
                return m.group(0)
            count += 1
            marker = self.marker(body.strip())
            lines = body.split("\n")
            # Keep the line count (and every line non-blank, so coverage counts stay equal):
            # the marker on the first body line, a bare placeholder on the others.
            if len(lines) > 2:
                new_body = "\n" + marker + "\n<removed>" * (len(lines) - 3) + "\n"
            else:
                new_body = " " + marker + " "
            return m.group("begin") + new_body + m.group("end")

        return _PEM.sub(sub, text), count

    def _xml(self, text: str) -> tuple[str, int]:
        count = 0

        def sub(m: re.Match[str]) -> str:
            nonlocal count
            if "community" in m.group("tag") and m.group("v").lower() in DEFAULT_COMMUNITIES:
                return m.group(0)
            new = self._replacement(m.group("v"), xml=True)
            if new is None:
                return m.group(0)
            count += 1
            return f"<{m.group('tag')}>{new}</{m.group('tag')}>"

        return _PANOS_XML.sub(sub, text), count

    @staticmethod
    def _line_spans(
        lines: Sequence[str], rules: Iterable[_Rule], nesting: str
    ) -> Iterable[tuple[int, list[tuple[int, int]]]]:
        """(line index, secret spans) for every line where a rule finds a secret."""
        rules = tuple(rules)
        context = _Context(nesting)
        for i, line in enumerate(lines):
            block = context.enter(line)
            spans: list[tuple[int, int]] = []
            for rule in rules:
                if rule.line is not None and not rule.line.search(line):
                    continue
                if rule.block is not None and not rule.block.search(block):
                    continue
                for m in rule.pattern.finditer(line):
                    raw = m.group("v")
                    if raw is None:
                        continue
                    if rule.community and _unquote(raw).lower() in DEFAULT_COMMUNITIES:
                        continue
                    spans.append(m.span("v"))
            if spans:
                yield i, spans

    def _replace_spans(self, line: str, spans: Iterable[tuple[int, int]]) -> tuple[str, int]:
        """``line`` with the union of ``spans`` replaced by markers (right to left)."""
        merged: list[list[int]] = []
        for start, end in sorted(set(spans)):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        count = 0
        for start, end in reversed(merged):
            rep = self._replacement(line[start:end])
            if rep is not None:
                line = line[:start] + rep + line[end:]
                count += 1
        return line, count


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0]:
        return raw[1:-1]
    return raw


class _Context:
    """The block a line sits in: its top-level header (indentation), the Junos brace path,
    or the FortiOS ``config`` path."""

    def __init__(self, nesting: str) -> None:
        self.nesting = nesting
        self.header = ""
        self.stack: list[str] = []

    def enter(self, line: str) -> str:
        """Update the context with ``line`` and return the block it belongs to."""
        handler: Callable[[str], str] = {
            "braces": self._braces,
            "forti": self._forti,
        }.get(self.nesting, self._indent)
        return handler(line)

    def _indent(self, line: str) -> str:
        if line.strip() and not line[:1].isspace():
            self.header = line.strip()
            return ""
        return self.header

    def _braces(self, line: str) -> str:
        block = " ".join(self.stack)
        stripped = line.split("#", 1)[0].strip() if not line.lstrip().startswith('"') else ""
        opens, closes = stripped.count("{"), stripped.count("}")
        if opens > closes and stripped.endswith("{"):
            self.stack.append(stripped[:-1].strip())
        for _ in range(closes - opens):
            if self.stack:
                self.stack.pop()
        return block

    def _forti(self, line: str) -> str:
        s = line.strip()
        if s.startswith("config "):
            self.stack.append(s)
            return " / ".join(self.stack[:-1])
        if s == "end" and self.stack:
            block = " / ".join(self.stack)
            self.stack.pop()
            return block
        return self.stack[-1] if self.stack else ""


def scrub_text(text: str, platform: str | None, key: bytes) -> Scrubbed:
    """Convenience: scrub ``text`` with a one-off :class:`Scrubber`."""
    return Scrubber(key).scrub(text, platform)


_DISPLAY_KEY = secrets.token_bytes(32)


def scrub_for_display(text: str, platform: str | None) -> str:
    """``text`` with every secret replaced, for showing config lines in reports and logs.

    Scrub the whole file (block rules need their context; line numbers do not move) and then
    take the lines to show. The key is random per process, so the markers can be compared
    within one report but reveal nothing, not even to a dictionary attack.
    """
    return Scrubber(_DISPLAY_KEY).scrub(text, platform).text
