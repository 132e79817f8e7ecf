"""Writes the web client's config.json for a deployed stage from the stacks' outputs:
where the API is, and Cognito's hosted sign-in (code flow with PKCE) to sign in with.

    python -m chalicelib.tools.web_config --outputs build/dev/outputs.json \
        --api-url https://abc.execute-api.eu-west-1.amazonaws.com/v1/ \
        --web-url https://d123.cloudfront.net/ --stage dev > config.json
"""
from __future__ import annotations

import argparse
import json
import sys


def web_config(outputs: dict, api_url: str, web_url: str, stage: str) -> dict:
    missing = [key for key in ("HostedSignInUrl", "UserPoolClientId") if not outputs.get(key)]
    if missing:
        raise ValueError(f"stack outputs lack {', '.join(missing)}: deploy infra/auth.yaml "
                         "with WebUrl set (infra/deploy.sh does)")
    return {"api_url": api_url.rstrip("/"), "stage": stage,
            "auth": {"mode": "cognito", "domain": outputs["HostedSignInUrl"].rstrip("/"),
                     "client_id": outputs["UserPoolClientId"], "redirect_uri": web_url,
                     "scope": "openid email profile"}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--web-url", required=True)
    parser.add_argument("--stage", required=True)
    args = parser.parse_args(argv)
    with open(args.outputs) as f:
        outputs = json.load(f)
    try:
        config = web_config(outputs, args.api_url, args.web_url, args.stage)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(config, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
