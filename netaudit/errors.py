"""The error hierarchy: one root, one base per layer. Only the CLI turns them into exit codes."""

from __future__ import annotations


class NetauditError(Exception):
    """Root of every error netaudit raises on purpose."""


class InputError(NetauditError):
    """A file could not be read or is not what it claims to be (exit code 2)."""

    def __init__(self, message: str, *, file: str = "", line: int = 0) -> None:
        self.file = file
        self.line = line
        where = f"{file}:{line}: " if file and line else f"{file}: " if file else ""
        super().__init__(f"{where}{message}")


class ParseError(InputError):
    """A config could not be parsed at all (a partial model is the normal way out)."""


class PolicyError(InputError):
    """A policy, inventory or waiver file is invalid."""


class AnalysisError(NetauditError):
    """The flow or reachability analysis could not answer."""


class CheckError(NetauditError):
    """A check failed to run; the engine records it as status ``error``."""
