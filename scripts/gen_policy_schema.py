"""Write policies/policy.schema.json from ``netaudit.policy.json_schema()``.

The committed schema lets editors (yaml-language-server, VS Code) check a policy while it is
written; ``tests/test_policy.py`` fails when the committed file differs from what the code
generates now. Run after any change to the policy models::

    .venv/bin/python scripts/gen_policy_schema.py           # rewrite the file
    .venv/bin/python scripts/gen_policy_schema.py --check   # exit 1 if it is stale

The output is deterministic: keys sorted, two-space indent, UTF-8 (Japanese kept readable),
one trailing newline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from netaudit.policy import json_schema

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "policies" / "policy.schema.json"


def render() -> str:
    """The schema file's exact text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the committed schema; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    parser.add_argument("--output", type=Path, default=SCHEMA_PATH, help="where to write")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale; run: python scripts/gen_policy_schema.py")
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
