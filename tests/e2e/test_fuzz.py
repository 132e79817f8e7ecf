"""Schemathesis against a local stack of its own: every answer of every operation, for
generated valid and invalid input, is one docs/openapi.json describes, and none is a 5xx.
`make fuzz` runs the same with 20 times the examples and the stateful phase."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_finds_no_server_error_schema_violation_or_undocumented_status():
    run = subprocess.run([sys.executable, "-m", "chalicelib.tools.fuzz", "--examples", "10"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
    cases = int(re.search(r"cases run: (\d+); with failures: 0", run.stdout).group(1))
    assert cases >= 1000 and "no findings" in run.stdout
