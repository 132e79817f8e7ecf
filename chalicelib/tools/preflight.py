"""Refuses to deploy a stage whose settings cannot work, before anything touches AWS.

    python -m chalicelib.tools.preflight --stage prod [--outputs build/prod/outputs.json]

Reads the stage's environment from .chalice/config.json, adds the values the deploy script
resolved from the data and auth stacks' outputs (--outputs), and prints one line per
problem (exit 1), or one line saying the stage is ready (exit 0)."""
from __future__ import annotations

import argparse
import json
import pathlib
import sys

from chalicelib.config import Settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".chalice" / "config.json"
DEPLOYABLE_STAGES = ("dev", "prod")

# Function environment variables whose values come from stack outputs (same names as the
# app stack's parameters), never from config.json.
FROM_STACK_OUTPUTS = {
    "CATALOG_TABLE": "CatalogTableName",
    "BOOKING_TABLE": "BookingTableName",
    "PROJECTION_TABLE": "ProjectionTableName",
    "IDEMPOTENCY_TABLE": "IdempotencyTableName",
    "EVENT_BUS": "EventBusName",
    "COGNITO_USER_POOL_ID": "UserPoolId",
    "COGNITO_USER_POOL_ARN": "UserPoolArn",
    "COGNITO_CLIENT_ID": "UserPoolClientId",
    "WEBHOOK_QUEUE": "WebhookQueueName",
    "LIVE_TABLE": "LiveTableName",
}
COGNITO_SETTINGS = ("COGNITO_USER_POOL_ID", "COGNITO_USER_POOL_ARN", "COGNITO_CLIENT_ID")
SECRET_VALUE_PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_")


def stage_environment(stage: str, config: dict | None = None) -> dict[str, str]:
    """What every function of the stage sees, as Chalice merges it (global, then stage)."""
    config = config if config is not None else json.loads(CONFIG.read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return env


def with_stack_outputs(env: dict[str, str], outputs: dict[str, str]) -> dict[str, str]:
    merged = dict(env)
    merged.update({var: outputs.get(key, "") for var, key in FROM_STACK_OUTPUTS.items()})
    return merged


def _is_placeholder(value: str) -> bool:
    return not value.strip() or "SET_ME" in value.upper()


def problems(stage: str, env: dict[str, str], resolved: bool) -> list[str]:
    """Empty when the stage can start. `resolved`: the stack outputs were merged into env.
    The app's own start-up checks (Settings.startup_problems) decide, so the deploy refuses
    exactly what a cold start would; before the outputs are merged, settings that come from
    them are not judged yet."""
    if stage not in DEPLOYABLE_STAGES:
        return [f"stage {stage!r} cannot be deployed (deployable: {', '.join(DEPLOYABLE_STAGES)})"]
    found = [f"{name} holds a secret in config.json; put it in SSM and name the parameter "
             f"in {name}_PARAMETER instead" for name, value in sorted(env.items())
             if str(value).startswith(SECRET_VALUE_PREFIXES)]
    for problem in Settings.from_env({**env, "BOXOFFICE_STAGE": stage}).startup_problems():
        name = problem.split(" ", 1)[0]
        if name in FROM_STACK_OUTPUTS and not resolved and problem.endswith("is missing"):
            continue  # the stack outputs fill it in
        if name in FROM_STACK_OUTPUTS and problem.endswith("is missing"):
            problem = f"{name} is missing from the stack outputs ({FROM_STACK_OUTPUTS[name]})"
        found.append(problem)
    if resolved:
        found += [f"{name} is missing from the stack outputs ({FROM_STACK_OUTPUTS[name]})"
                  for name in FROM_STACK_OUTPUTS if _is_placeholder(env.get(name, ""))
                  and not any(line.startswith(name) for line in found)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--outputs", type=pathlib.Path,
                        help="JSON object of the data and auth stacks' outputs")
    args = parser.parse_args(argv)
    env = stage_environment(args.stage)
    if args.outputs:
        env = with_stack_outputs(env, json.loads(args.outputs.read_text()))
    found = problems(args.stage, env, resolved=bool(args.outputs))
    for line in found:
        print(f"preflight: {args.stage}: {line}", file=sys.stderr)
    if found:
        print(f"preflight: refusing to deploy {args.stage} ({len(found)} problem(s))",
              file=sys.stderr)
        return 1
    print(f"preflight: {args.stage} settings are complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
