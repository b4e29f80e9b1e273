"""YAML files validated into strict pydantic models, every problem with its file and line.

The policy, the inventory and the waivers are all read this way: ``yaml.safe_load`` semantics
(libyaml's safe loader when available), duplicate keys refused, the YAML composed once to map
each key and list item to its line, and pydantic's error locations looked up in that map.
Kept apart from :mod:`netaudit.policy` so that reading an inventory (``netaudit collect``)
does not build the policy's models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from netaudit.errors import PolicyError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


class PolicyValidationError(PolicyError):
    """The policy has problems; all of them are in ``problems``."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        super().__init__(
            f"{len(self.problems)} problem(s) in the policy; first: {first.message}",
            file=first.file,
            line=first.line,
        )


# -- YAML with line numbers --------------------------------------------------------------


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value
            out[(*path, k)] = key.start_mark.line + 1
            _line_map(value, (*path, k), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*path, i)] = item.start_mark.line + 1
            _line_map(item, (*path, i), out)


def _duplicate_keys(node: yaml.Node, file: str) -> Iterator[Problem]:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            k = str(key.value)
            if k in seen:
                yield Problem(
                    file,
                    key.start_mark.line + 1,
                    f"duplicate key {k!r} (first at line {seen[k]})",
                )
            seen[k] = key.start_mark.line + 1
            yield from _duplicate_keys(value, file)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item, file)


def _pydantic_message(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown key {err['loc'][-1]!r} at {loc}"
    if err["type"] == "missing":
        return f"missing required key {loc!r}"
    return f"{loc}: {err['msg']}"


# -- loading -------------------------------------------------------------------------------


def _yaml_problem(e: yaml.YAMLError, file: str, text: str) -> Problem:
    """A YAML syntax error at the most useful line.

    That is where the parser stopped, unless it stopped at the end of the file (an
    unterminated quote or bracket): then where the unfinished construct started.
    """
    problem_mark = getattr(e, "problem_mark", None)
    context_mark = getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    at_end = problem_mark is not None and problem_mark.index >= len(text.rstrip())
    mark = context_mark if (at_end and context_mark is not None) else problem_mark
    line = mark.line + 1 if mark is not None else 0
    detail = f" ({context} at line {context_mark.line + 1})" if context and context_mark else ""
    return Problem(file, line, f"YAML syntax: {problem}{detail}")


def line_of(lines: dict[tuple[Any, ...], int], path: Sequence[Any], default: int = 1) -> int:
    """The line of a key or list item: the nearest enclosing one that has a line, else
    ``default``."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return default


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LoadedYaml(Generic[M]):
    """A YAML file validated into a strict model, with where each key and item came from."""

    model: M
    file: str
    digest: str
    lines: dict[tuple[Any, ...], int]
    problems: tuple[Problem, ...] = ()


# libyaml's safe loader when PyYAML was built with it (10x faster on a 2,000-device inventory),
# else the pure-Python one; both build the same nodes with the same line marks.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_model(
    path: Path,
    model: type[M],
    *,
    what: str = "policy",
    empty_ok: bool = False,
    prepare: Callable[[yaml.Node, dict[str, Any]], None] | None = None,
) -> LoadedYaml[M]:
    """Read a YAML file and validate it into ``model``; every problem carries file:line.

    Shared by the policy, the inventory and the waivers: ``yaml.safe_load``, duplicate keys
    refused, pydantic errors (``extra="forbid"``) mapped back to the line of the key or item.

    Problems that leave a usable model (duplicate keys) come back in ``problems``, so the
    caller can add its own semantic problems and report them all together. ``empty_ok``
    accepts an empty file as an empty mapping; ``prepare`` may adjust the loaded data before
    validation, with the composed YAML at hand (to keep a scalar's text as written, say).

    Raises:
        PolicyValidationError: the file does not validate (with every problem found).
        PolicyError: the file cannot be read or is not UTF-8.
    """
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise PolicyError(f"cannot read {what}: {e.strerror}", file=file) from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PolicyError(
            f"{what} is not UTF-8 text (re-save it as UTF-8; Shift_JIS is not accepted)",
            file=file,
        ) from e
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or pure Python
    except yaml.YAMLError as e:
        raise PolicyValidationError([_yaml_problem(e, file, text)]) from e
    if empty_ok and node is None and data is None:
        data = {}
    elif node is None or not isinstance(data, dict):
        raise PolicyValidationError([Problem(file, 1, f"the {what} must be a YAML mapping")])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[Problem] = []
    if node is not None:
        _line_map(node, (), lines)
        problems.extend(_duplicate_keys(node, file))
        if prepare is not None:
            prepare(node, data)

    try:
        validated = model.model_validate(data)
    except ValidationError as e:
        root = lines.get((), 1)  # a missing top-level key: where the document starts
        problems.extend(
            Problem(file, line_of(lines, err["loc"], root), _pydantic_message(err))
            for err in e.errors()
        )
        raise PolicyValidationError(problems) from e
    return LoadedYaml(
        model=validated,
        file=file,
        digest=hashlib.sha256(raw).hexdigest(),
        lines=lines,
        problems=tuple(problems),
    )
