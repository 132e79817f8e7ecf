"""Writes docs/openapi.json and the route reference in docs/api.md from the route table and
the models, or checks that both are current.

    python -m chalicelib.tools.openapi            # writes both
    python -m chalicelib.tools.openapi --check    # exit 1 when either is stale
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chalicelib.api.openapi import build, render
from chalicelib.api.reference_md import routes_markdown, splice

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC = DOCS / "openapi.json"
REFERENCE = DOCS / "api.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when either file is stale")
    args = parser.parse_args(argv)
    document = build()
    wanted = {DOC: render(document),
              REFERENCE: splice(REFERENCE.read_text(), routes_markdown(document))}
    if args.check:
        stale = [path for path, text in wanted.items() if path.read_text() != text]
        for path in stale:
            print(f"{path} is stale: run `python -m chalicelib.tools.openapi`", file=sys.stderr)
        if not stale:
            print(f"{DOC} and {REFERENCE} are current")
        return 1 if stale else 0
    for path, text in wanted.items():
        path.write_text(text)
    operations = sum(map(len, document["paths"].values()))
    print(f"wrote {DOC} ({len(wanted[DOC]):,} bytes, {operations} operations) and the route "
          f"reference in {REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
