"""Merges CloudFormation fragments into the one template `chalice package --merge-template`
takes (it takes one), with Chalice's own deep merge; later files win.

    python -m chalicelib.tools.merge_templates infra/gateway-responses.json \\
        infra/live-seat-map.json > build/merge.json
"""
from __future__ import annotations

import json
import sys

from chalice.package import TemplateDeepMerger


def merge(paths: list[str]) -> dict:
    merged: dict = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            merged = TemplateDeepMerger().merge(json.load(f), merged)
    return merged


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    json.dump(merge(paths), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
