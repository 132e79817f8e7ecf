"""The README's walk-through (docs/walkthrough.sh) runs as written against a local stack,
twice in a row (fresh idempotency keys: the second run is a second journey, not a replay),
and leaves nothing in the repository."""
import os
import subprocess
from pathlib import Path

import pytest

from chalicelib.local.process import LocalStackProcess

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def own_stack():
    stack = LocalStackProcess()
    yield stack
    stack.stop()


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True).stdout


def test_the_walkthrough_runs_as_written_twice_and_leaves_nothing_behind(own_stack):
    before = git_status()
    bookings = []
    for _ in range(2):
        run = subprocess.run(["bash", "docs/walkthrough.sh"], cwd=ROOT, capture_output=True,
                             text=True, timeout=300, env={**os.environ, "BASE": own_stack.url})
        assert run.returncode == 0, run.stdout + run.stderr
        assert "the retry replayed it byte for byte" in run.stdout
        assert "tickets sold: 2" in run.stdout and "checked in at " in run.stdout
        assert ": cancelled" in run.stdout
        bookings.append(next(line.split()[1] for line in run.stdout.splitlines()
                             if line.startswith("booking bkg_")))
    assert bookings[0] != bookings[1]
    assert git_status() == before
