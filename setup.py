"""Optional accelerated build: ``NETAUDIT_COMPILE=1`` compiles the IOS parse path with mypyc.

Everything about the distribution (name, dependencies, packages) is in ``pyproject.toml``;
this file only adds C extension modules when asked to, so the default install, editable or
not, stays pure Python. The compiled modules are the same source, type-checked by mypy and
translated to C by mypyc; the package behaves identically either way (the parser tests and the
end-to-end tests run against both builds).

Build (mypy, which ships mypyc, and a C compiler must be present in the build environment)::

    pip install 'mypy>=1.10' setuptools wheel
    NETAUDIT_COMPILE=1 pip install --no-build-isolation .
"""

from __future__ import annotations

import os

from setuptools import setup

# The modules a parse of an IOS / NX-OS configuration spends its time in. The model is
# compiled with them so that the parsers construct its objects natively; NX-OS is included
# because its parser subclasses the IOS one (a compiled class cannot have an interpreted
# subclass).
COMPILED = [
    "netaudit/model.py",
    "netaudit/parsers/base.py",
    "netaudit/parsers/_cisco_common.py",
    "netaudit/parsers/cisco_ios.py",
    "netaudit/parsers/cisco_nxos.py",
]


def _ext_modules() -> list[object]:
    if os.environ.get("NETAUDIT_COMPILE", "") not in ("1", "true", "yes"):
        return []
    from mypyc.build import mypycify

    # More modules for the same group, space-separated paths (benchmarks/parse_ios.md uses it
    # to compile its floor measurement together with the model in a scratch copy).
    extra = os.environ.get("NETAUDIT_COMPILE_EXTRA", "").split()
    return list(mypycify(COMPILED + extra, opt_level="3"))


setup(ext_modules=_ext_modules())
