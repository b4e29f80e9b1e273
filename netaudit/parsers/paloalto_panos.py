"""Palo Alto Networks PAN-OS configuration parser: XML, ``set`` commands and ``show config``.

Three input formats are read into one word tree, then the vendor-neutral model is read from it:

* **XML** (``<config><devices><entry name="localhost.localdomain">...``, an exported running
  config or ``show config running`` output). ``<entry name="X">`` becomes a node ``X``,
  ``<member>v</member>`` a leaf ``v``, a text value a leaf under its element. Parsed with
  defusedxml (expat) so every element keeps its line number; a malformed or truncated file
  gives a ``matters`` warning with the line and the model of what was read before the error.
* **set commands** (``set deviceconfig system hostname fw1``, ``set vsys vsys1 zone trust ...``,
  ``set config devices localhost.localdomain ...``), with ``delete`` and ``move`` applied.
  Repeated ``set`` on a list adds members; single-valued fields take the last value.
* **brace format** of ``show config running`` in the CLI (``deviceconfig { system { ... } }``).

Semantics the verdicts depend on (PAN-OS Administrator's Guide, "Security Policy"):

* Security rules are evaluated in rulebase order: Panorama pre-rules, the device rulebase (per
  vsys), Panorama post-rules. ``from``/``to`` zones are expanded to their interfaces
  (``any`` = ``None``). ``negate-source``/``negate-destination`` complement the address set.
  ``disabled yes`` disables a rule. Rules log at session end unless ``log-end no``.
* After the rules come the predefined defaults: ``intrazone-default`` allows traffic within a
  zone (a synthetic permit per zone, in = out = the zone's interfaces, span at the zone), and
  ``interzone-default`` denies everything else (``default_action`` DENY, implicit). Both can be
  overridden under ``rulebase default-security-rules``.
* Services: ``any``; ``application-default`` resolves through the application's standard ports
  in :data:`APPLICATION_PORTS` (``any`` application = every port; an application not in the
  table makes the rule unresolved); predefined ``service-http`` (tcp/80,8080) and
  ``service-https`` (tcp/443), which a config may redefine.
* Applications and users are layer-7 facts the header space cannot express. An allow rule is kept
  as its layer-4 over-approximation (applications in ``extras``); a deny/drop/reset rule limited
  to particular applications, URL categories or users is marked unresolved, since it does not
  block all the traffic its layer-4 match covers.
* Security rules see the pre-NAT destination address (and the post-NAT zone); NAT rules become
  :class:`~netaudit.model.NatRule`.

Management: interface management profiles (https, ssh, telnet, http, snmp, ping with
``permitted-ip``) become :class:`~netaudit.model.MgmtService` on the interfaces that use them;
the MGT port (interface ``management``) offers https, ssh and ping unless disabled, telnet and
http only when enabled (``deviceconfig system service disable-*``), restricted by
``deviceconfig system permitted-ip``. ``mgt-config users`` ``phash`` is a hashed password.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import defusedxml.ElementTree as DET

from netaudit.model import (
    ANY_ADDRESS,
    ANY_SERVICE,
    DEFAULT_COMMUNITIES,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_SCTP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
    Credential,
    CredentialStorage,
    DeviceConfig,
    Filter,
    FilterKind,
    Interface,
    InterfaceKind,
    IPInterface,
    IPNetwork,
    Management,
    Match,
    MgmtService,
    NatKind,
    NatRule,
    PortRange,
    Route,
    Rule,
    ServiceMatch,
    SnmpCommunity,
    SourceSpan,
    secret_digest,
)
from netaudit.parsers.base import ParseContext

PLATFORM = "paloalto_panos"

# Standard ports of common App-ID applications, used for ``service application-default``
# (Palo Alto Networks Applipedia, "Standard Ports"). Kept small on purpose: an application that
# is not here makes the rule unresolved rather than guessed.
APPLICATION_PORTS: dict[str, tuple[ServiceMatch, ...]] = {
    "web-browsing": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((80, 80),)),),
    "ssl": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((443, 443),)),),
    "dns": (
        ServiceMatch(protocol=PROTO_TCP, dst_ports=((53, 53),)),
        ServiceMatch(protocol=PROTO_UDP, dst_ports=((53, 53),)),
    ),
    "ssh": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((22, 22),)),),
    "telnet": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((23, 23),)),),
    "ftp": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((21, 21),)),),
    "smtp": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((25, 25),)),),
    "ntp": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((123, 123),)),),
    "snmp": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((161, 161),)),),
    "syslog": (ServiceMatch(protocol=PROTO_UDP, dst_ports=((514, 514),)),),
    "ldap": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((389, 389),)),),
    "ms-rdp": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((3389, 3389),)),),
    "ping": (ServiceMatch(protocol=PROTO_ICMP, icmp_type=8),),
    "icmp": (ServiceMatch(protocol=PROTO_ICMP),),
    "ipv6-icmp": (ServiceMatch(protocol=PROTO_ICMPV6),),
}

PREDEFINED_SERVICES: dict[str, tuple[ServiceMatch, ...]] = {
    "service-http": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((80, 80), (8080, 8080))),),
    "service-https": (ServiceMatch(protocol=PROTO_TCP, dst_ports=((443, 443),)),),
}

_PROTOS = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "sctp": PROTO_SCTP}
_DENY_ACTIONS = frozenset({"deny", "drop", "reset-client", "reset-server", "reset-both"})

# --------------------------------------------------------------------------------------------
# The word tree
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    key: str
    path: str
    line: int
    children: dict[str, _Node] = field(default_factory=dict)
    used: bool = False

    def child(self, key: str, line: int) -> _Node:
        n = self.children.get(key)
        if n is None:
            n = self.children[key] = _Node(
                key=key, path=f"{self.path}/{key}" if self.path else key, line=line
            )
        return n

    def walk(self) -> Iterator[_Node]:
        yield self
        for c in self.children.values():
            yield from c.walk()


@dataclass
class _Tree:
    root: _Node = field(default_factory=lambda: _Node(key="", path="", line=0))
    reg: dict[int, list[_Node]] = field(default_factory=dict)

    def register(self, line: int, node: _Node) -> None:
        self.reg.setdefault(line, []).append(node)


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|(\[)|(\])|([^\s\[\]"\']+)')


def _tokens(text: str) -> list[str | None]:
    """Words of a set/brace line; ``None`` stands for ``[`` and ``]`` list brackets."""
    out: list[str | None] = []
    for m in _TOKEN.finditer(text):
        if m.group(3) or m.group(4):
            out.append(None if m.group(3) else "]")
        else:
            word = m.group(1) if m.group(1) is not None else m.group(2)
            out.append(word if word is not None else m.group(5))
    return out


def _split_values(toks: list[str | None]) -> tuple[list[str], list[str]]:
    """Split ``path... [ a b ]`` into the path and the terminal values."""
    if None in toks:
        i = toks.index(None)
        path = [t for t in toks[:i] if t is not None]
        vals = [t for t in toks[i + 1 :] if t is not None and t != "]"]
        return path, vals
    words = [t for t in toks if t is not None and t != "]"]
    return words[:-1], words[-1:]


def _insert(tree: _Tree, base: _Node, words: list[str], vals: list[str], n: int) -> None:
    node = base
    for w in words:
        node = node.child(w, n)
    if not vals:
        tree.register(n, node)
    for v in vals:
        tree.register(n, node.child(v, n))


def _find(base: _Node, words: list[str]) -> _Node | None:
    node: _Node | None = base
    for w in words:
        node = node.children.get(w) if node is not None else None
    return node


def _read_set(ctx: ParseContext, tree: _Tree) -> None:
    for n, raw in enumerate(ctx.lines, start=1):
        text = raw.strip()
        if not text:
            continue
        if text.startswith("#"):
            ctx.skip(n)
            continue
        toks = _tokens(text)
        cmd = toks[0] if toks else None
        rest = toks[1:]
        if cmd == "set" and rest:
            path, vals = _split_values(rest)
            if not path and vals:
                path, vals = vals, []
            _insert(tree, tree.root, path, vals, n)
        elif cmd == "delete" and rest:
            words = [t for t in rest if t is not None and t != "]"]
            parent = _find(tree.root, words[:-1])
            gone = parent.children.pop(words[-1], None) if parent else None
            ctx.ok(n)
            if gone is None:
                ctx.warn(n, "delete: nothing at this path")
            else:
                for x in gone.walk():
                    x.used = True
        elif cmd == "move" and rest:
            _move(ctx, tree, [t for t in rest if t is not None], n)
        elif text in ("show config merged", "show config running", "show config candidate"):
            ctx.ok(n)
        else:
            ctx.unknown(n)


def _move(ctx: ParseContext, tree: _Tree, words: list[str], n: int) -> None:
    """``move <path> <name> top|bottom|before X|after X``."""
    ctx.ok(n)
    for i in range(len(words) - 1, 0, -1):
        where = words[i]
        if where in ("top", "bottom", "before", "after"):
            parent = _find(tree.root, words[: i - 1])
            name = words[i - 1]
            ref = words[i + 1] if i + 1 < len(words) else None
            if parent is None or name not in parent.children:
                break
            items = [(k, v) for k, v in parent.children.items() if k != name]
            node = parent.children[name]
            if where == "top":
                items.insert(0, (name, node))
            elif where == "bottom":
                items.append((name, node))
            else:
                idx = next((j for j, (k, _) in enumerate(items) if k == ref), None)
                if idx is None:
                    break
                items.insert(idx if where == "before" else idx + 1, (name, node))
            parent.children = dict(items)
            return
    ctx.warn(n, "move: cannot apply")


def _read_braces(ctx: ParseContext, tree: _Tree) -> None:
    stack: list[tuple[_Node, int]] = [(tree.root, 0)]
    for n, raw in enumerate(ctx.lines, start=1):
        text = raw.strip()
        if not text:
            continue
        if text.startswith("#"):
            ctx.skip(n)
            continue
        if text in ("show config merged", "show config running", "show config candidate"):
            ctx.ok(n)
            continue
        if text == "}":
            ctx.skip(n)
            if len(stack) > 1:
                stack.pop()
            else:
                ctx.warn(n, "unbalanced '}'", matters=True)
            continue
        cur = stack[-1][0]
        if text.endswith("{"):
            words = [t for t in _tokens(text[:-1]) if t is not None and t != "]"]
            node = cur
            for w in words:
                node = node.child(w, n)
            tree.register(n, node)
            stack.append((node, n))
        elif text.endswith(";"):
            path, vals = _split_values(_tokens(text[:-1]))
            if not path and vals:
                # A bare value inside a list block (``ip { 1.1.1.3/24; }``).
                tree.register(n, cur.child(vals[0], n))
            else:
                _insert(tree, cur, path, vals, n)
        else:
            ctx.unknown(n)
    if len(stack) > 1:
        ctx.warn(
            stack[-1][1],
            f"truncated configuration: {len(stack) - 1} block(s) not closed",
            matters=True,
        )


class _XmlTarget:
    """Builds the word tree from parser events, recording each element's line."""

    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.parser: DET.DefusedXMLParser | None = None
        self.stack: list[tuple[_Node | None, str, int, list[str]]] = [(tree.root, "", 0, [])]

    def _line(self) -> int:
        p = self.parser
        return int(p.parser.CurrentLineNumber) if p is not None else 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        line = self._line()
        parent = self.stack[-1][0]
        node: _Node | None = None
        if parent is not None and tag != "member":
            key = attrs.get("name", tag) if tag == "entry" else tag
            node = parent.child(key, line)
            self.tree.register(line, node)
        self.stack.append((node, tag, line, []))

    def end(self, tag: str) -> None:
        node, t, line, text = self.stack.pop()
        value = "".join(text).strip()
        parent = self.stack[-1][0]
        if t == "member" and parent is not None and value:
            self.tree.register(line, parent.child(value, line))
        elif node is not None and value and not node.children:
            self.tree.register(line, node.child(value, line))

    def data(self, text: str) -> None:
        self.stack[-1][3].append(text)

    def close(self) -> None:
        return None


def _read_xml(ctx: ParseContext, tree: _Tree) -> None:
    text = ctx.text
    start = text.find("<")
    prefix_lines = text[:start].count("\n")
    for n in range(1, prefix_lines + 1):
        t = ctx.lines[n - 1].strip() if n <= len(ctx.lines) else ""
        if t and (t.startswith(("show ", "#")) or t.endswith(">")):
            ctx.ok(n)
    body = "\n" * prefix_lines + text[start:]
    target = _XmlTarget(tree)
    parser = DET.DefusedXMLParser(target=target)
    target.parser = parser
    try:
        parser.feed(body)
        parser.close()
    except ET.ParseError as e:
        line = e.position[0] if e.position else len(ctx.lines)
        ctx.warn(line, f"malformed or truncated XML ({e}); the model is partial", matters=True)
    except Exception as e:  # defusedxml refusals (entities, DTDs) are errors of the input too
        ctx.warn(1, f"XML refused: {type(e).__name__}: {e}; the model is partial", matters=True)
    # Closing-tag lines carry no meaning of their own.
    for n, raw in enumerate(ctx.lines, start=1):
        t = raw.strip()
        if (t.startswith("</") and n not in tree.reg) or t.startswith(("<?xml", "<!--")):
            ctx.skip(n)


def _build(ctx: ParseContext) -> tuple[_Tree, str]:
    tree = _Tree()
    first = next(
        (ln.strip() for ln in ctx.lines if ln.strip() and not ln.strip().startswith("#")), ""
    )
    head = ctx.text[:20000]
    if first.startswith("<") or (re.search(r"^\s*<config[\s>]", head, re.M) is not None):
        _read_xml(ctx, tree)
        return tree, "xml"
    if re.search(r"^\s*(set|delete|move) ", head, re.M) and not re.search(r"\{\s*$", head, re.M):
        _read_set(ctx, tree)
        return tree, "set"
    _read_braces(ctx, tree)
    return tree, "braces"


# --------------------------------------------------------------------------------------------
# Interpretation
# --------------------------------------------------------------------------------------------


def _net(text: str) -> IPNetwork | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _iface_addr(text: str) -> IPInterface | None:
    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        return None


def _range(text: str) -> tuple[IPNetwork, ...] | None:
    a, _, b = text.partition("-")
    try:
        lo, hi = ipaddress.ip_address(a), ipaddress.ip_address(b)
    except ValueError:
        return None
    if lo.version != hi.version or int(lo) > int(hi):
        return None
    return tuple(ipaddress.summarize_address_range(lo, hi))


def _ports(text: str) -> tuple[PortRange, ...] | None:
    out: list[PortRange] = []
    for part in text.split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = part.split("-", 1)
                lo, hi = int(a), int(b)
            else:
                lo = hi = int(part)
        except ValueError:
            return None
        if not (0 <= lo <= hi <= 65535):
            return None
        out.append((lo, hi))
    return tuple(out)


@dataclass(frozen=True)
class _Res:
    nets: tuple[IPNetwork, ...] = ()
    services: tuple[ServiceMatch, ...] = ()
    unresolved: tuple[str, ...] = ()


@dataclass
class _Scope:
    """Where objects and rules live: a vsys, the shared section, Panorama, a device-group."""

    node: _Node
    name: str
    kind: str  # "vsys", "shared", "panorama"


class _Reader:
    def __init__(self, ctx: ParseContext, tree: _Tree) -> None:
        self.ctx = ctx
        self.tree = tree
        self.hostname = ""
        self.interfaces: dict[str, Interface] = {}
        self.iface_profile: dict[str, tuple[str, int]] = {}
        self.vrf_of: dict[str, str] = {}
        self.zones: dict[str, tuple[list[str], _Node, str]] = {}
        self.rules: list[Rule] = []
        self.nat: list[NatRule] = []
        self.routes: list[Route] = []
        self.services: list[MgmtService] = []
        self.credentials: list[Credential] = []
        self.communities: list[SnmpCommunity] = []
        self.syslog: list[str] = []
        self.ntp: list[str] = []
        self.banner: bool | None = None
        self.aaa: bool | None = None
        self.default_intra: tuple[Action, SourceSpan | None] = (Action.PERMIT, None)
        self.default_inter: tuple[Action, SourceSpan | None] = (Action.DENY, None)
        self.addr_objects: dict[str, _Node] = {}
        self.addr_groups: dict[str, _Node] = {}
        self.svc_objects: dict[str, _Node] = {}
        self.svc_groups: dict[str, _Node] = {}
        self.profiles: dict[str, _Node] = {}
        self.amemo: dict[str, _Res] = {}
        self.smemo: dict[str, _Res] = {}
        # Names referenced by rules, NAT and groups (rule hygiene RUL-007).
        self.obj_refs: set[str] = set()

    # -- tree access ---------------------------------------------------------------------------

    def ch(self, node: _Node | None, *keys: str) -> _Node | None:
        for k in keys:
            if node is None:
                return None
            node = node.children.get(k)
            if node is not None:
                node.used = True
        return node

    def kids(self, node: _Node | None) -> list[_Node]:
        return list(node.children.values()) if node is not None else []

    def vals(self, node: _Node | None, *keys: str) -> list[str]:
        n = self.ch(node, *keys)
        if n is None:
            return []
        for c in n.walk():
            c.used = True
        return list(n.children)

    def val(self, node: _Node | None, *keys: str) -> str | None:
        v = self.vals(node, *keys)
        return v[-1] if v else None

    def ignore(self, node: _Node | None, *keys: str) -> None:
        if node is None:
            return
        for k in keys:
            c = node.children.get(k)
            if c is not None:
                for x in c.walk():
                    x.used = True

    def use_all(self, node: _Node | None) -> None:
        if node is not None:
            for x in node.walk():
                x.used = True

    def span(self, node: _Node) -> SourceSpan:
        return self.ctx.span(node.line, path=node.path)

    def secret_span(self, node: _Node, label: str, line: int = 0) -> SourceSpan:
        """A span that names the secret's element but shows neither its text nor its value."""
        return SourceSpan(
            file=self.ctx.source,
            line=line or node.line,
            text=f"{label} <redacted>",
            path=_safe_path(node.path),
        )

    # -- scopes --------------------------------------------------------------------------------

    def collect(self) -> tuple[list[_Node], list[_Scope], list[_Scope], list[_Node]]:
        """Devices (network/deviceconfig holders), vsys scopes, shared/Panorama scopes, configs."""
        root = self.tree.root
        configs: list[_Node] = [root]
        resp = self.ch(root, "response", "result", "config")
        for c in (self.ch(root, "config"), resp):
            if c is not None:
                configs.append(c)
        for c in list(configs):
            for t in self.kids(self.ch(c, "template")):
                t.used = True
                inner = self.ch(t, "config")
                if inner is not None:
                    configs.append(inner)
                self.ignore(t, "settings", "description")
        devices: list[_Node] = [root]
        for c in configs:
            for d in self.kids(self.ch(c, "devices")):
                d.used = True
                devices.append(d)
        vsys: list[_Scope] = [_Scope(node=root, name="vsys1", kind="vsys")]
        for d in devices:
            for v in self.kids(self.ch(d, "vsys")):
                v.used = True
                vsys.append(_Scope(node=v, name=v.key, kind="vsys"))
        shared: list[_Scope] = []
        for c in configs:
            s = self.ch(c, "shared")
            if s is not None and c is not root:
                shared.append(_Scope(node=s, name="shared", kind="shared"))
            pano = self.ch(c, "policy", "panorama")
            if pano is not None:
                shared.append(_Scope(node=pano, name="panorama", kind="panorama"))
            for dg in self.kids(self.ch(c, "device-group")):
                dg.used = True
                shared.append(_Scope(node=dg, name=f"device-group {dg.key}", kind="panorama"))
                self.ignore(dg, "description", "devices")
        if self.ch(root, "shared") is not None:
            shared.append(_Scope(node=root.children["shared"], name="shared", kind="shared"))
        return devices, vsys, shared, configs

    # -- objects -------------------------------------------------------------------------------

    def index_objects(self, scopes: list[_Scope]) -> None:
        for sc in scopes:
            for key, table in (
                ("address", self.addr_objects),
                ("address-group", self.addr_groups),
                ("service", self.svc_objects),
                ("service-group", self.svc_groups),
            ):
                for o in self.kids(self.ch(sc.node, key)):
                    old = table.get(o.key)
                    if old is not None:
                        # The same name in a later scope (vsys over shared, child device-group
                        # over parent) shadows the earlier object.
                        self.use_all(old)
                    table[o.key] = o
            # Tags, application groups/filters, profiles and schedules: not layer-3/4 facts.
            self.ignore(
                sc.node,
                "tag",
                "application-group",
                "application-filter",
                "application",
                "profiles",
                "profile-group",
                "schedule",
                "region",
                "external-list",
                "content-preview",
                "reports",
                "report-group",
                "pdf-summary-report",
                "email-scheduler",
                "authentication-profile",
                "certificate-profile",
                "server-profile",
                "botnet",
                "admin-role",
                "import",
                "setting",
                "ssl-tls-service-profile",
                "ocsp-responder",
                "log-settings",
                "response-page",
                "dynamic-user-group",
            )

    def address(self, name: str, seen: frozenset[str] = frozenset()) -> _Res | None:
        if name in self.amemo:
            return self.amemo[name]
        res: _Res | None
        if name in seen:
            return _Res(unresolved=(f"{name} (circular group)",))
        if name in self.addr_objects:
            o = self.addr_objects[name]
            o.used = True
            self.ignore(o, "description", "tag")
            nm = self.val(o, "ip-netmask")
            rg = self.val(o, "ip-range")
            fq = self.val(o, "fqdn")
            wc = self.val(o, "ip-wildcard")
            if nm is not None:
                net = _net(nm)
                res = _Res(nets=(net,)) if net else _Res(unresolved=(f"{name} (bad {nm})",))
            elif rg is not None:
                r = _range(rg)
                res = _Res(nets=r) if r else _Res(unresolved=(f"{name} (bad range {rg})",))
            elif fq is not None:
                res = _Res(unresolved=(f"{name} (fqdn {fq})",))
            elif wc is not None:
                res = _Res(unresolved=(f"{name} (wildcard {wc})",))
            else:
                res = _Res(unresolved=(f"{name} (no address)",))
        elif name in self.addr_groups:
            g = self.addr_groups[name]
            g.used = True
            self.ignore(g, "description", "tag")
            nets: list[IPNetwork] = []
            unres: list[str] = []
            static = self.ch(g, "static")
            if static is not None:
                for m in self.vals(g, "static"):
                    self.obj_refs.add(m)
                    r2 = self.address(m, seen | {name})
                    if r2 is None:
                        r2 = self.literal(m)
                    if r2 is None:
                        self.ctx.warn(static.line, f"address-group {name}: undefined {m}")
                        unres.append(m)
                    else:
                        nets.extend(r2.nets)
                        unres.extend(r2.unresolved)
            dyn = self.ch(g, "dynamic")
            if dyn is not None:
                self.use_all(dyn)
                unres.append(f"{name} (dynamic group)")
            res = _Res(nets=tuple(nets), unresolved=tuple(unres))
        else:
            res = None
        if res is not None:
            self.amemo[name] = res
        return res

    def object_table(self) -> tuple[dict[str, object], ...]:
        """Named objects and whether anything references them (``extras["objects"]``, RUL-007).

        Called once rules and NAT are read, before the remaining objects are resolved.
        """
        out: list[dict[str, object]] = []
        for kind, table in (
            ("address", self.addr_objects),
            ("address-group", self.addr_groups),
            ("service", self.svc_objects),
            ("service-group", self.svc_groups),
        ):
            for name, o in table.items():
                out.append(
                    {
                        "name": name,
                        "kind": kind,
                        "line": o.line,
                        "text": self.span(o).text,
                        "referenced": name in self.obj_refs,
                    }
                )
        return tuple(out)

    def literal(self, text: str) -> _Res | None:
        if "-" in text:
            r = _range(text)
            return _Res(nets=r) if r else None
        net = _net(text)
        return _Res(nets=(net,)) if net else None

    def addresses(self, names: list[str], node: _Node | None) -> AddressMatch:
        if not names or "any" in names:
            return ANY_ADDRESS
        nets: list[IPNetwork] = []
        unres: list[str] = []
        for n in names:
            self.obj_refs.add(n)
            r = self.address(n) or self.literal(n)
            if r is None:
                self.ctx.warn(
                    node.line if node else 0,
                    f"undefined address {n}",
                    matters=True,
                    path=node.path if node else "",
                )
                unres.append(n)
            else:
                nets.extend(r.nets)
                unres.extend(r.unresolved)
        return AddressMatch(networks=tuple(nets), unresolved=tuple(unres))

    def service(self, name: str, seen: frozenset[str] = frozenset()) -> _Res | None:
        if name in self.smemo:
            return self.smemo[name]
        if name in seen:
            return _Res(unresolved=(f"{name} (circular group)",))
        res: _Res | None
        if name in self.svc_objects:
            o = self.svc_objects[name]
            o.used = True
            self.ignore(o, "description", "tag")
            proto = self.ch(o, "protocol")
            svcs: list[ServiceMatch] = []
            bad = False
            for p in self.kids(proto):
                p.used = True
                num = _PROTOS.get(p.key)
                dst = self.val(p, "port")
                src = self.val(p, "source-port")
                self.ignore(p, "override")
                if num is None:
                    bad = True
                    continue
                dp = _ports(dst) if dst is not None else None
                sp = _ports(src) if src is not None else None
                if (dst is not None and dp is None) or (src is not None and sp is None):
                    bad = True
                    continue
                svcs.append(ServiceMatch(protocol=num, dst_ports=dp, src_ports=sp, name=name))
            res = _Res(services=tuple(svcs), unresolved=(f"{name} (bad service)",) if bad else ())
        elif name in self.svc_groups:
            g = self.svc_groups[name]
            g.used = True
            self.ignore(g, "tag")
            out: list[ServiceMatch] = []
            unres: list[str] = []
            for m in self.vals(g, "members"):
                self.obj_refs.add(m)
                r = self.service(m, seen | {name})
                if r is None:
                    self.ctx.warn(g.line, f"service-group {name}: undefined {m}", path=g.path)
                    unres.append(m)
                else:
                    out.extend(r.services)
                    unres.extend(r.unresolved)
            res = _Res(services=tuple(out), unresolved=tuple(unres))
        elif name in PREDEFINED_SERVICES:
            res = _Res(services=PREDEFINED_SERVICES[name])
        else:
            res = None
        if res is not None:
            self.smemo[name] = res
        return res

    # -- network -------------------------------------------------------------------------------

    def read_network(self, dev: _Node) -> None:
        net = self.ch(dev, "network")
        if net is None:
            return
        for vr in self.kids(self.ch(net, "virtual-router")):
            vr.used = True
            for i in self.vals(vr, "interface"):
                self.vrf_of[i] = vr.key
        ifs = self.ch(net, "interface")
        kinds = {
            "ethernet": InterfaceKind.PHYSICAL,
            "aggregate-ethernet": InterfaceKind.PORT_CHANNEL,
            "loopback": InterfaceKind.LOOPBACK,
            "tunnel": InterfaceKind.TUNNEL,
            "vlan": InterfaceKind.SVI,
        }
        for fam, kind in kinds.items():
            famnode = self.ch(ifs, fam)
            if famnode is None:
                continue
            if fam in ("loopback", "tunnel", "vlan"):
                # These families are one interface named after the family, with units below.
                self.interface(fam, famnode, kind, None)
            else:
                for e in self.kids(famnode):
                    e.used = True
                    self.interface(e.key, e, kind, None)
        self.read_profiles(net)
        for vr in self.kids(self.ch(net, "virtual-router")):
            self.read_routes(vr)

    def _addresses(self, node: _Node | None, owner: str) -> list[IPInterface]:
        out: list[IPInterface] = []
        ipn = self.ch(node, "ip")
        for c in self.kids(ipn):
            self.use_all(c)
            a: IPInterface | None = None
            if c.key in self.addr_objects:
                # An address object of that name wins over a literal (PAN-OS resolves names
                # first); only ip-netmask objects can address an interface.
                self.address(c.key)
                nm = self.val(self.addr_objects[c.key], "ip-netmask")
                a = _iface_addr(nm) if nm else None
            else:
                a = _iface_addr(c.key)
            if a is None:
                self.ctx.warn(c.line, f"interface {owner}: cannot use address {c.key}", path=c.path)
            else:
                out.append(a)
        return out

    def interface(
        self,
        name: str,
        node: _Node,
        kind: InterfaceKind,
        parent: str | None,
        tag: int | None = None,
    ) -> None:
        extras: dict[str, object] = {}
        mode_node: _Node | None = node
        for mode in ("layer3", "layer2", "virtual-wire", "tap", "ha", "decrypt-mirror"):
            m = self.ch(node, mode)
            if m is not None:
                extras["mode"] = mode
                mode_node = m
                break
        addrs = self._addresses(mode_node, name) + (
            self._addresses(node, name) if mode_node is not node else []
        )
        for holder in (mode_node, node):
            prof = self.val(holder, "interface-management-profile")
            if prof:
                self.iface_profile[name] = (prof, node.line)
        desc = self.val(node, "comment") or ""
        link = self.val(node, "link-state")
        t = self.val(node, "tag")
        if t is not None and t.isdigit():
            tag = int(t)
        agg = self.val(node, "aggregate-group")
        if agg:
            extras["aggregate_group"] = agg
        for holder in (mode_node, node):
            self.ignore(
                holder,
                "mtu",
                "adjust-tcp-mss",
                "ipv6",
                "ndp-proxy",
                "lldp",
                "netflow-profile",
                "arp",
                "bonjour",
                "dhcp-client",
                "untagged-sub-interface",
                "link-speed",
                "link-duplex",
                "lacp",
                "sdwan-link-settings",
                "decrypt-forward",
                "policing",
                "ddns-config",
                "pppoe",
            )
        self.interfaces[name] = Interface(
            name=name,
            span=self.span(node),
            kind=kind,
            description=desc,
            enabled=link != "down",
            addresses=tuple(addrs),
            vrf=self.vrf_of.get(name) if self.vrf_of.get(name) != "default" else None,
            vlan=tag if kind in (InterfaceKind.SUBINTERFACE, InterfaceKind.SVI) else None,
            parent=parent,
            extras=extras,
        )
        for unit in self.kids(self.ch(mode_node, "units")):
            unit.used = True
            sub_kind = (
                InterfaceKind.SVI if kind is InterfaceKind.SVI else InterfaceKind.SUBINTERFACE
            )
            if kind in (InterfaceKind.LOOPBACK, InterfaceKind.TUNNEL):
                sub_kind = kind
            suffix = unit.key.rpartition(".")[2]
            vid = int(suffix) if sub_kind is InterfaceKind.SVI and suffix.isdigit() else None
            self.interface(unit.key, unit, sub_kind, name, vid)

    def read_profiles(self, net: _Node) -> None:
        for p in self.kids(self.ch(net, "profiles", "interface-management-profile")):
            p.used = True
            self.profiles[p.key] = p

    def read_routes(self, vr: _Node) -> None:
        rt = self.ch(vr, "routing-table")
        for fam in ("ip", "ipv6"):
            for r in self.kids(self.ch(rt, fam, "static-route")):
                r.used = True
                dest = self.val(r, "destination")
                prefix = _net(dest) if dest else None
                if prefix is None:
                    self.ctx.warn(r.line, f"static route {r.key}: bad destination", path=r.path)
                    continue
                nh = self.ch(r, "nexthop")
                hop = None
                discard = False
                # A next hop in another virtual router leaves neither next hop nor interface.
                self.ignore(nh, "next-vr")
                ipa = self.val(nh, "ip-address") or self.val(nh, "ipv6-address")
                if ipa:
                    hn = _net(ipa)
                    hop = hn.network_address if hn is not None else None
                if self.ch(nh, "discard") is not None:
                    self.use_all(self.ch(nh, "discard"))
                    discard = True
                self.ignore(nh, "fqdn")
                dist = self.val(r, "admin-dist")
                self.ignore(r, "metric", "route-table", "bfd", "path-monitor", "option")
                iface = self.val(r, "interface")
                self.routes.append(
                    Route(
                        prefix=prefix,
                        span=self.span(r),
                        next_hop=hop,
                        interface=iface,
                        vrf=None if vr.key == "default" else vr.key,
                        discard=discard,
                        distance=int(dist) if dist and dist.isdigit() else 10,
                    )
                )
        self.ignore(vr, "ecmp", "multicast", "admin-dists", "protocol")

    # -- zones and rules -----------------------------------------------------------------------

    def read_zones(self, sc: _Scope) -> None:
        for z in self.kids(self.ch(sc.node, "zone")):
            z.used = True
            members: list[str] = []
            netn = self.ch(z, "network")
            for mode in self.kids(netn):
                mode.used = True
                if mode.key in (
                    "zone-protection-profile",
                    "log-setting",
                    "enable-packet-buffer-protection",
                ):
                    self.use_all(mode)
                    continue
                members.extend(self.vals(netn, mode.key))
            self.ignore(z, "enable-user-identification", "user-acl", "device-acl")
            self.zones[z.key] = (members, z, sc.name)
            for m in members:
                i = self.interfaces.get(m)
                if i is not None:
                    self.interfaces[m] = replace(i, security_zone=z.key)

    def zone_ifaces(
        self, names: list[str], node: _Node | None
    ) -> tuple[frozenset[str] | None, list[str]]:
        if not names or "any" in names:
            return None, []
        out: set[str] = set()
        for n in names:
            z = self.zones.get(n)
            if z is None:
                self.ctx.warn(
                    node.line if node else 0,
                    f"undefined zone {n}",
                    matters=True,
                    path=node.path if node else "",
                )
                continue
            out.update(z[0])
        return frozenset(out), names

    def match_services(
        self, rule: _Node, names: list[str], apps: list[str]
    ) -> tuple[tuple[ServiceMatch, ...], list[str]]:
        if not names or "any" in names:
            return (ANY_SERVICE,), []
        out: list[ServiceMatch] = []
        unres: list[str] = []
        for s in names:
            self.obj_refs.add(s)
            if s == "application-default":
                for app in apps or ["any"]:
                    if app == "any":
                        out.append(ANY_SERVICE)
                    elif app in APPLICATION_PORTS:
                        out.extend(APPLICATION_PORTS[app])
                    else:
                        unres.append(f"application-default of {app}")
                continue
            r = self.service(s)
            if r is None:
                self.ctx.warn(rule.line, f"undefined service {s}", matters=True, path=rule.path)
                unres.append(s)
            else:
                out.extend(r.services)
                unres.extend(r.unresolved)
        return tuple(out), unres

    def security_rule(self, r: _Node, base: str) -> None:
        r.used = True
        extras: dict[str, object] = {"rulebase": base}
        frm = self.vals(r, "from")
        to = self.vals(r, "to")
        in_i, in_z = self.zone_ifaces(frm, self.ch(r, "from"))
        out_i, out_z = self.zone_ifaces(to, self.ch(r, "to"))
        if in_z:
            extras["from_zones"] = tuple(in_z)
        if out_z:
            extras["to_zones"] = tuple(out_z)
        src = self.addresses(self.vals(r, "source"), self.ch(r, "source"))
        dst = self.addresses(self.vals(r, "destination"), self.ch(r, "destination"))
        if self.val(r, "negate-source") == "yes":
            src = AddressMatch(networks=src.networks, negate=True, unresolved=src.unresolved)
        if self.val(r, "negate-destination") == "yes":
            dst = AddressMatch(networks=dst.networks, negate=True, unresolved=dst.unresolved)
        apps = self.vals(r, "application")
        svcs, unres = self.match_services(r, self.vals(r, "service"), apps)
        act = self.val(r, "action") or "allow"
        action = Action.PERMIT if act == "allow" else Action.DENY
        if act not in _DENY_ACTIONS and act != "allow":
            self.ctx.warn(r.line, f"rule {r.key}: unknown action {act}", path=r.path)
        if act != "allow":
            extras["action"] = act
        if apps and "any" not in apps:
            extras["applications"] = tuple(apps)
            if action is Action.DENY:
                unres.append(f"application {' '.join(apps)}")
        for key in ("source-user", "category"):
            v = self.vals(r, key)
            if v and "any" not in v:
                extras[key] = tuple(v)
                if action is Action.DENY:
                    unres.append(f"{key} {' '.join(v)}")
        sched = self.val(r, "schedule")
        if sched:
            extras["schedule"] = sched
        rtype = self.val(r, "rule-type") or "universal"
        if rtype != "universal":
            extras["rule_type"] = rtype
        log = self.val(r, "log-end") != "no" or self.val(r, "log-start") == "yes"
        disabled = self.val(r, "disabled") == "yes"
        self.ignore(
            r,
            "description",
            "tag",
            "group-tag",
            "uuid",
            "profile-setting",
            "log-setting",
            "hip-profiles",
            "source-hip",
            "destination-hip",
            "option",
            "qos",
            "target",
            "icmp-unreachable",
            "rule-type",
            "source-imei",
            "source-imsi",
            "source-nw-slice",
            "audit-comment",
        )
        match = Match(src=src, dst=dst, services=svcs, unresolved=tuple(unres))
        if match.all_unresolved:
            self.ctx.warn(
                r.line,
                f"rule {r.key} depends on what cannot be resolved: "
                + ", ".join(dict.fromkeys(match.all_unresolved)),
                matters=True,
                path=r.path,
            )
        pairs: list[tuple[frozenset[str] | None, frozenset[str] | None, str]] = []
        if rtype == "intrazone":
            for z in in_z or list(self.zones):
                m = frozenset(self.zones[z][0]) if z in self.zones else frozenset()
                pairs.append((m, m, z))
        elif rtype == "interzone" and in_z and out_z:
            for a in in_z:
                for b in out_z:
                    if a != b and a in self.zones and b in self.zones:
                        pairs.append((frozenset(self.zones[a][0]), frozenset(self.zones[b][0]), ""))
        else:
            pairs.append((in_i, out_i, ""))
        for i, o, z in pairs:
            self.rules.append(
                Rule(
                    action=action,
                    match=match,
                    span=self.span(r),
                    name=r.key,
                    enabled=not disabled,
                    log=log,
                    in_interfaces=i,
                    out_interfaces=o,
                    extras={**extras, "zone": z} if z else extras,
                )
            )

    def default_rules(self, rb: _Node | None) -> None:
        d = self.ch(rb, "default-security-rules", "rules")
        for key in ("intrazone-default", "interzone-default"):
            n = self.ch(d, key)
            if n is None:
                continue
            act = self.val(n, "action")
            self.ignore(n, "log-start", "log-end", "log-setting", "profile-setting")
            if act is None:
                continue
            a = Action.PERMIT if act == "allow" else Action.DENY
            an = self.ch(n, "action")
            sp = self.span(an) if an is not None else self.span(n)
            if key == "intrazone-default":
                self.default_intra = (a, sp)
            else:
                self.default_inter = (a, sp)

    def nat_rule(self, r: _Node) -> None:
        r.used = True
        frm = self.vals(r, "from")
        to = self.vals(r, "to")
        in_i, _ = self.zone_ifaces(frm, self.ch(r, "from"))
        out_i, _ = self.zone_ifaces(to, self.ch(r, "to"))
        toif = self.val(r, "to-interface")
        if toif and toif != "any":
            out_i = frozenset({toif})
        src = self.addresses(self.vals(r, "source"), self.ch(r, "source"))
        dst = self.addresses(self.vals(r, "destination"), self.ch(r, "destination"))
        svcs, unres = self.match_services(r, self.vals(r, "service"), [])
        match = Match(src=src, dst=dst, services=svcs, unresolved=tuple(unres))
        extras: dict[str, object] = {}
        tsrc: tuple[IPNetwork, ...] | None = None
        tdst: tuple[IPNetwork, ...] | None = None
        tport: PortRange | None = None
        kind = NatKind.SOURCE
        st = self.ch(r, "source-translation")
        if st is not None:
            for mode in self.kids(st):
                mode.used = True
                extras["source_translation"] = mode.key
                if mode.key == "static-ip":
                    kind = NatKind.STATIC
                    extras["bi_directional"] = self.val(mode, "bi-directional") == "yes"
                names = self.vals(mode, "translated-address")
                if names:
                    tsrc = self.addresses(names, mode).networks
                ia = self.ch(mode, "interface-address")
                if ia is not None:
                    self.use_all(ia)
                    extras["egress_interface_address"] = True
                self.use_all(mode)
        dt = self.ch(r, "destination-translation") or self.ch(r, "dynamic-destination-translation")
        if dt is not None:
            names = self.vals(dt, "translated-address")
            if names:
                tdst = self.addresses(names, dt).networks
            p = self.val(dt, "translated-port")
            pr = _ports(p) if p else None
            tport = pr[0] if pr else None
            self.use_all(dt)
            if st is None:
                kind = NatKind.DESTINATION
        self.ignore(r, "description", "tag", "uuid", "nat-type", "target", "group-tag")
        self.nat.append(
            NatRule(
                kind=kind,
                match=match,
                span=self.span(r),
                name=r.key,
                enabled=self.val(r, "disabled") != "yes",
                in_interfaces=in_i,
                out_interfaces=out_i,
                translated_src=tsrc,
                translated_dst=tdst,
                translated_dst_ports=tport,
                extras=extras,
            )
        )

    def rulebase(self, rb: _Node | None, base: str) -> None:
        if rb is None:
            return
        for r in self.kids(self.ch(rb, "security", "rules")):
            self.security_rule(r, base)
        for r in self.kids(self.ch(rb, "nat", "rules")):
            self.nat_rule(r)

    # -- management ----------------------------------------------------------------------------

    def read_deviceconfig(self, dev: _Node) -> None:
        system = self.ch(dev, "deviceconfig", "system")
        if system is None:
            return
        hn = self.val(system, "hostname")
        if hn:
            self.hostname = hn
        # No login-banner under deviceconfig system means none (PAN-OS has no default banner).
        self.banner = bool(self.vals(system, "login-banner"))
        ntp = self.ch(system, "ntp-servers")
        for which in ("primary-ntp-server", "secondary-ntp-server"):
            srv = self.val(ntp, which, "ntp-server-address")
            if srv:
                self.ntp.append(srv)
            self.ignore(self.ch(ntp, which), "authentication-type")
        permitted = [n for n in (_net(x) for x in self.vals(system, "permitted-ip")) if n]
        allowed = tuple(permitted) if permitted else None
        svc = self.ch(system, "service")
        span = self.span(svc) if svc is not None else self.span(system)
        defaults = {"https": True, "ssh": True, "ping": True, "telnet": False, "http": False}
        for proto, default in defaults.items():
            v = self.val(svc, f"disable-{proto}")
            enabled = default if v is None else v != "yes"
            self.services.append(
                MgmtService(
                    protocol=proto,
                    span=span,
                    enabled=enabled,
                    allowed_sources=allowed,
                    interfaces=frozenset({"management"}),
                )
            )
        self.use_all(svc)
        ipa = self.val(system, "ip-address")
        mask = self.val(system, "netmask")
        if ipa and mask:
            a = _iface_addr(f"{ipa}/{mask}")
            node = system.children["ip-address"]
            self.interfaces.setdefault(
                "management",
                Interface(
                    name="management",
                    span=self.span(node),
                    kind=InterfaceKind.OTHER,
                    addresses=(a,) if a else (),
                    extras={"mode": "mgt"},
                ),
            )
        snmp = self.ch(system, "snmp-setting")
        for ver in self.kids(self.ch(snmp, "access-setting", "version")):
            ver.used = True
            c = self.ch(ver, "snmp-community-string")
            for value in self.kids(c):
                value.used = True
                assert c is not None
                self.communities.append(
                    SnmpCommunity(
                        digest=secret_digest(value.key),
                        span=self.secret_span(c, "snmp-community-string", value.line),
                        guessable=value.key.lower() in DEFAULT_COMMUNITIES,
                    )
                )
            self.use_all(ver)
        self.use_all(snmp)
        self.ignore(
            system,
            "timezone",
            "dns-setting",
            "update-server",
            "update-schedule",
            "type",
            "default-gateway",
            "domain",
            "panorama-server",
            "panorama-server-2",
            "speed-duplex",
            "mtu",
            "locale",
            "geo-location",
            "ip-address",
            "netmask",
            "route",
            "device-telemetry",
            "server-verification",
            "secure-proxy-server",
            "snmp-setting",
        )
        self.ignore(self.ch(dev, "deviceconfig"), "setting", "high-availability")

    def read_users(self, cfg: _Node) -> None:
        for u in self.kids(self.ch(cfg, "mgt-config", "users")):
            u.used = True
            ph = self.ch(u, "phash")
            if ph is not None:
                self.use_all(ph)
                storage = CredentialStorage.HASHED
                span = self.secret_span(ph, "phash")
            else:
                storage = CredentialStorage.NONE
                span = self.span(u)
            role = self.ch(u, "permissions", "role-based")
            detail = next(iter(role.children), "") if role is not None else ""
            self.use_all(role)
            remote = self.ch(u, "authentication-profile") is not None
            # An admin with an authentication profile logs in through RADIUS/TACACS+/LDAP/SAML
            # and has no local password to judge: it makes AAA true instead.
            self.aaa = bool(self.aaa) or remote
            self.ignore(u, "permissions", "public-key", "authentication-profile", "preferences")
            if remote and ph is None:
                continue
            self.credentials.append(
                Credential(kind="admin", span=span, storage=storage, user=u.key, detail=detail)
            )
        self.ignore(self.ch(cfg, "mgt-config"), "password-complexity", "password-profile")

    def read_syslog(self, node: _Node | None) -> None:
        for prof in self.kids(self.ch(node, "log-settings", "syslog")):
            prof.used = True
            for srv in self.kids(self.ch(prof, "server")):
                srv.used = True
                host = self.val(srv, "server")
                if host:
                    self.syslog.append(host)
                self.ignore(srv, "transport", "port", "format", "facility")
            self.ignore(prof, "format")

    def mgmt_services(self) -> None:
        users: dict[str, list[str]] = {}
        lines: dict[str, int] = {}
        for iface, (prof, line) in self.iface_profile.items():
            users.setdefault(prof, []).append(iface)
            lines.setdefault(prof, line)
        for prof, ifaces in users.items():
            p = self.profiles.get(prof)
            if p is None:
                self.ctx.warn(lines[prof], f"undefined interface-management-profile {prof}")
                continue
            permitted = [n for n in (_net(x) for x in self.vals(p, "permitted-ip")) if n]
            for proto in ("https", "ssh", "telnet", "http", "snmp", "ping", "http-ocsp"):
                v = self.val(p, proto)
                if v == "yes":
                    self.services.append(
                        MgmtService(
                            protocol=proto,
                            span=self.span(p.children[proto]),
                            allowed_sources=tuple(permitted) if permitted else None,
                            interfaces=frozenset(ifaces),
                        )
                    )
            self.ignore(
                p,
                "response-pages",
                "userid-service",
                "userid-syslog-listener-ssl",
                "userid-syslog-listener-udp",
            )
        for p in self.profiles.values():
            self.use_all(p)


_SECRET_KEY = re.compile(r"(?i)(password|secret|phash|community|key|psk|passphrase)")


def _safe_path(path: str) -> str:
    """The element path cut after the first key that holds a secret (values are path keys)."""
    keys = path.split("/")
    for i, k in enumerate(keys):
        if _SECRET_KEY.search(k):
            return "/".join(keys[: i + 1])
    return path


_RELEVANT = frozenset(
    {
        "address",
        "address-group",
        "service",
        "service-group",
        "zone",
        "rulebase",
        "pre-rulebase",
        "post-rulebase",
        "interface-management-profile",
        "mgt-config",
        "static-route",
        "syslog",
        "snmp-setting",
        "ntp-servers",
        "hostname",
        "permitted-ip",
        "login-banner",
    }
)


def _is_relevant(path: str) -> bool:
    keys = path.split("/")
    if any(k in _RELEVANT for k in keys):
        return True
    return any(a == "network" and b == "interface" for a, b in itertools.pairwise(keys))


def security_relevant_lines(text: str) -> set[int]:
    """Line numbers that carry interfaces, zones, objects, rules, routes, NAT or management."""
    ctx = ParseContext(source="", text=text)
    tree, _ = _build(ctx)
    return {n for n, nodes in tree.reg.items() if any(_is_relevant(x.path) for x in nodes)}


def parse(text: str, *, source: str, name: str = "") -> DeviceConfig:
    """Parse a PAN-OS configuration (XML, set or brace format) into a :class:`DeviceConfig`."""
    ctx = ParseContext(source=source, text=text)
    tree, fmt = _build(ctx)
    r = _Reader(ctx, tree)
    devices, vsys, shared, configs = r.collect()
    r.index_objects(shared + vsys)
    for d in devices:
        r.read_network(d)
        r.read_deviceconfig(d)
    for sc in vsys + shared:
        r.read_zones(sc)
    for c in configs:
        r.read_users(c)
        r.read_syslog(r.ch(c, "shared"))
    for sc in vsys:
        r.read_syslog(sc.node)
    # Rulebase order: Panorama pre-rules, device rules, Panorama post-rules.
    for sc in shared:
        r.rulebase(r.ch(sc.node, "pre-rulebase"), f"{sc.name} pre-rulebase")
    for sc in vsys:
        rb = r.ch(sc.node, "rulebase")
        r.rulebase(rb, sc.name)
        r.default_rules(rb)
    for sc in shared:
        r.rulebase(r.ch(sc.node, "post-rulebase"), f"{sc.name} post-rulebase")
        r.default_rules(r.ch(sc.node, "post-rulebase"))
    intra_action, intra_span = r.default_intra
    for zname, (members, znode, vs) in r.zones.items():
        m = frozenset(members)
        r.rules.append(
            Rule(
                action=intra_action,
                match=Match(),
                span=intra_span or r.span(znode),
                name="intrazone-default",
                in_interfaces=m,
                out_interfaces=m,
                extras={"synthetic": "intrazone-default", "zone": zname, "vsys": vs},
            )
        )
    r.mgmt_services()
    objects = r.object_table()
    # Every remaining object is read so that its lines count as understood and bad ones warn.
    for obj in list(r.addr_objects) + list(r.addr_groups):
        r.address(obj)
    for obj in list(r.svc_objects) + list(r.svc_groups):
        r.service(obj)
    for d in devices:
        r.ignore(d, "import")
    # Panorama's own bookkeeping (managed-device ids, log collectors, template stacks).
    r.ignore(tree.root, "readonly", "log-collector", "log-collector-group", "template-stack")
    paths: dict[int, str] = {}
    for n, nodes in tree.reg.items():
        unused = [x for x in nodes if not x.used]
        if unused:
            ctx.unknown(n)
            paths[n] = _safe_path(unused[0].path)
        else:
            ctx.ok(n)
    inter_action, inter_span = r.default_inter
    policy = Filter(
        name="security rulebase",
        kind=FilterKind.POLICY,
        rules=tuple(r.rules),
        default_action=inter_action,
        default_span=inter_span,
        stateful=True,
        extras={"default": "interzone-default"},
    )
    return DeviceConfig(
        name=name or r.hostname,
        platform=PLATFORM,
        source=source,
        hostname=r.hostname,
        interfaces=tuple(r.interfaces.values()),
        policy=policy,
        routes=tuple(r.routes),
        nat=tuple(r.nat),
        mgmt=Management(
            services=tuple(r.services),
            snmp_communities=tuple(r.communities),
            credentials=tuple(r.credentials),
            syslog_hosts=tuple(dict.fromkeys(r.syslog)),
            ntp_servers=tuple(r.ntp),
            aaa=r.aaa,
            banner=r.banner,
        ),
        coverage=ctx.coverage(paths=paths),
        warnings=tuple(ctx.warnings),
        extras={"format": fmt} | ({"objects": objects} if objects else {}),
    )


def detect(text: str) -> int:
    """Confidence (0-100) that ``text`` is a PAN-OS configuration."""
    head = text[:200_000]
    if re.search(r"<config[\s>]", head) and re.search(r"<(devices|shared|mgt-config)>", head):
        return 95 if "<vsys>" in head or "<deviceconfig>" in head else 85
    score = 0
    if re.search(r"^set (config (devices \S+ )?)?deviceconfig ", head, re.M):
        score += 50
    if re.search(r"^set (vsys \S+ )?rulebase ", head, re.M):
        score += 40
    if re.search(r"^set (vsys \S+ )?zone ", head, re.M):
        score += 20
    if re.search(r"^set network (interface ethernet|virtual-router) ", head, re.M):
        score += 30
    if re.search(r"^set (vsys \S+ )?(address|service)(-group)? ", head, re.M):
        score += 10
    if re.search(r"^set config (devices|shared|mgt-config) ", head, re.M):
        score += 40
    if re.search(r"^\s*deviceconfig \{", head, re.M) or re.search(r"^\s*rulebase \{", head, re.M):
        score += 60
    if re.search(r"^\s*(vsys|devices|localhost\.localdomain) \{", head, re.M):
        score += 20
    return min(score, 95)
