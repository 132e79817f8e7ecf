"""Fuzzes the API with schemathesis against a local stack, as a customer and as an organizer.

    python -m chalicelib.tools.fuzz                   # starts its own local stack
    python -m chalicelib.tools.fuzz --examples 200    # longer (make fuzz)
    python -m chalicelib.tools.fuzz --url http://127.0.0.1:8000   # a running make run

Every answer is checked against docs/openapi.json: no server error, no status, header,
content type or body the document does not describe, and invalid input refused. Two checks
are left out on purpose: `unsupported_method` (an unknown method on a known path answers 404
NOT_FOUND, as API Gateway does, not 405) and `positive_data_acceptance` (generated ids name
no event, hold or booking, so a schema-valid request rightly gets 404 or 409).
Exits 1 when schemathesis finds anything; prints the cases run and the findings."""
from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import urllib.request

from ..local.process import LocalStackProcess

CONFIG = pathlib.Path(__file__).with_name("schemathesis.toml")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance,negative_data_rejection,"
          "missing_required_header,ignored_auth")
# Who fuzzes what: customers the customer and public routes, an organizer /organizer.
ROLES = {"customer": r"^/(?!organizer)", "organizer": r"^/organizer"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running stack (default: start one)")
    parser.add_argument("--examples", type=int, default=10, help="examples per operation")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--stateful", action="store_true", help="also follow the links")
    args = parser.parse_args(argv)
    stack = None if args.url else LocalStackProcess()
    url = args.url or stack.url
    try:
        totals, findings = {"generated": 0, "with_failures": 0}, []
        for role, paths in ROLES.items():
            print(f"==> schemathesis as {role} on {paths} ({args.examples} examples per "
                  f"operation, seed {args.seed})", flush=True)
            report = run(url, token(url, role), paths, args)
            for name in totals:
                totals[name] += report["test_cases"][name]
            findings += [f"{role}: {f['code']} {f['title']} x{f['count']} on "
                         f"{', '.join(f['operations'])}" for f in report["failures"]]
            findings += [f"{role}: error {e}" for e in report.get("errors") or []]
    finally:
        if stack:
            stack.stop()
    print(f"\ncases run: {totals['generated']}; with failures: {totals['with_failures']}")
    for finding in findings:
        print("  " + finding)
    print("no findings" if not findings else f"{len(findings)} findings")
    return 1 if findings else 0


def run(url: str, bearer: str, paths: str, args) -> dict:
    phases = "examples,coverage,fuzzing" + (",stateful" if args.stateful else "")
    with tempfile.TemporaryDirectory() as tmp:
        report = pathlib.Path(tmp) / "report.json"
        answer = subprocess.run(
            [str(pathlib.Path(sys.executable).with_name("schemathesis")),
             "--config-file", str(CONFIG), "run",
             f"{url}/openapi.json", "--url", url, "-H", f"Authorization: Bearer {bearer}",
             "--include-path-regex", paths, "--checks", CHECKS, "--phases", phases,
             "--max-examples", str(args.examples), "--seed", str(args.seed),
             "--generation-database", "none", "--report-json-path", str(report)],
            cwd=tmp, check=False, capture_output=True, text=True)
        if not report.exists():
            raise SystemExit(f"schemathesis did not run:\n{answer.stdout}{answer.stderr}")
        result = json.loads(report.read_text())
        if result["failures"] or result.get("errors"):
            print(clipped(answer.stdout), flush=True)
        return result


def clipped(text: str, width: int = 400) -> str:
    """Schemathesis's report with its reproduction commands cut to a readable length."""
    return "\n".join(line if len(line) <= width else line[:width] + " ..."
                     for line in text.splitlines())


def token(url: str, role: str) -> str:
    claims = {"sub": f"fuzz-{role}", "email": f"{role}@example.com", "roles": [role]}
    if role == "organizer":
        claims["tenant_id"] = "fuzz-tenant"
    request = urllib.request.Request(f"{url}/dev/token", data=json.dumps(claims).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())["token"]


if __name__ == "__main__":
    sys.exit(main())
