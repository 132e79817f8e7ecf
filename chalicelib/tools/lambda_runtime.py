"""A stand-in for Lambda's python3.11 runtime, to try a package before deploying it: the
package unzipped as the task root, the SDK the runtime provides (boto3, botocore and their
dependencies, taken from this environment), and nothing else; no site-packages, and no
bytecode written (/var/task is read-only)."""
from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import zipfile

from .slim_zip import PROVIDED_BY_RUNTIME


def unpack(package: pathlib.Path, into: pathlib.Path) -> pathlib.Path:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(into)
    return into


def provided_sdk(into: pathlib.Path) -> pathlib.Path:
    """Links what the runtime ships (boto3 and its dependencies) into one folder."""
    into.mkdir(parents=True, exist_ok=True)
    for module in PROVIDED_BY_RUNTIME:
        spec = importlib.util.find_spec(module)
        origin = pathlib.Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        link = into / source.name
        if not link.exists():
            link.symlink_to(source)
    return into


def lambda_environment(task_root: pathlib.Path, function_name: str, extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "LANG")}
    env.update({"AWS_LAMBDA_FUNCTION_NAME": function_name, "LAMBDA_TASK_ROOT": str(task_root),
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "runtime-stand-in",
                "AWS_SECRET_ACCESS_KEY": "runtime-stand-in"})
    env.update(extra)
    return env


def run(task_root: pathlib.Path, sdk: pathlib.Path, code: str, env: dict,
        python_flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Runs `code` with only the task root, the SDK and the standard library importable."""
    prelude = f"import sys; sys.path[:0] = {json.dumps([str(task_root), str(sdk)])}\n"
    return subprocess.run([sys.executable, "-I", "-S", "-B", *python_flags, "-c", prelude + code],
                          cwd=task_root, env=env, capture_output=True, text=True, timeout=120)
