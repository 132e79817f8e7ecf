"""Writes docs/openapi.json from the route table and the models, or checks it is current.

    python -m chalicelib.tools.openapi            # writes docs/openapi.json
    python -m chalicelib.tools.openapi --check    # exit 1 when docs/openapi.json is stale
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chalicelib.api.openapi import build, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when docs/openapi.json is stale")
    args = parser.parse_args(argv)
    document = build()
    text = render(document)
    if args.check:
        if not DOC.exists() or DOC.read_text() != text:
            print(f"{DOC} is stale: run `python -m chalicelib.tools.openapi`", file=sys.stderr)
            return 1
        print(f"{DOC} is current")
        return 0
    DOC.write_text(text)
    print(f"wrote {DOC} ({len(text):,} bytes, {sum(map(len, document['paths'].values()))} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
