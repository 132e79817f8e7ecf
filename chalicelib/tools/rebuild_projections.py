"""Recomputes an event's availability and sales counters from the source tables, reports the
drift, and with --repair corrects it (idempotently, safe while traffic flows).

    python -m chalicelib.tools.rebuild_projections --event evt_123 [--tenant acme] [--repair]

Runs with the stage's settings from the environment, as the functions do (BOXOFFICE_STAGE,
table names, AWS credentials: see docs/deploying.md). Drift is measured twice, --settle
seconds apart (default 5; make it longer than the consumer's lag, ProjectionLagSeconds), and
only what stays the same is repaired. Exit status: 0 no drift (or repaired), 1 drift left."""
from __future__ import annotations

import argparse
import sys

from chalicelib.domain import errors


def main(argv: list[str] | None = None, container=None) -> int:
    parser = argparse.ArgumentParser(prog="rebuild_projections",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--event", required=True, help="the event's id")
    parser.add_argument("--tenant", help="refuse unless the event is this tenant's")
    parser.add_argument("--repair", action="store_true", help="correct the drift found")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds between the two looks")
    args = parser.parse_args(argv)
    from chalicelib.bootstrap import container as built
    from chalicelib.domain.clock import SystemPace
    from chalicelib.services.projection_rebuild import ProjectionRebuild
    c = container or built()
    tool = ProjectionRebuild(c.catalog_store, c.inventory, c.projection_store, c.clock,
                             SystemPace(), settle_seconds=args.settle)
    try:
        report = tool.run(args.event, args.tenant, repair=args.repair)
    except errors.NotFound:
        print(f"error: no event {args.event}" + (f" of tenant {args.tenant}" if args.tenant else ""),
              file=sys.stderr)
        return 2
    print(f"event {report.event_id}")
    print(f"  source tables: sections {fmt(report.truth.sections)}; tiers {fmt(report.truth.tiers)}")
    print(f"  counters:      sections {fmt(report.counted.sections)}; tiers {fmt(report.counted.tiers)}")
    if report.drift.none:
        print("  no drift")
        return 0
    print(f"  drift (what the counters lack): sections {fmt(report.drift.sections)}; "
          f"tiers {fmt(report.drift.tiers)}")
    if report.repaired:
        print("  repaired")
        return 0
    print("  not repaired" + ("" if args.repair else " (run with --repair)"))
    return 1


def fmt(figures: dict) -> str:
    if not figures:
        return "-"
    return ", ".join(f"{name}: " + " ".join(f"{k}={v}" for k, v in vars(value).items())
                     for name, value in figures.items())


if __name__ == "__main__":
    sys.exit(main())
