"""The Lambda package without what the runtime already has or never runs, compiled ahead.

Lambda's Python runtime ships boto3, botocore and their dependencies, so
a package that bundles them pays ~20 MB and their import for nothing. /var/task is
read-only, so without .pyc files every cold start compiles every module it imports: the
package carries them, compiled by the runtime's Python (3.11) with hash-based invalidation
that never looks at file times. Our own code keeps its sources beside them (tracebacks show
its lines); libraries ship compiled only, and native libraries without their symbol tables,
which keeps the package under 10 MB."""
from __future__ import annotations

import importlib.util
import os
import pathlib
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile

TARGET_PYTHON = (3, 11)
TASK_ROOT = "/var/task"
# Top-level modules of the runtime's SDK and what it depends on, with their dist-info names.
PROVIDED_BY_RUNTIME = {"boto3": "boto3", "botocore": "botocore", "s3transfer": "s3transfer",
                       "jmespath": "jmespath", "dateutil": "python_dateutil", "six": "six",
                       "urllib3": "urllib3"}
NEVER_RUN = ("chalicelib/local/", "chalicelib/tools/")
KEEP_SOURCE = ("app.py", "chalicelib/", "chalice/")
# Code no module of the package imports (tests/integration/test_packaging.py checks that by
# reading every import left in the package): Powertools utilities the app does not use and
# its HTTP router (Chalice routes), pydantic's v1 copy and mypy plugin, and cffi's
# build-time half (cryptography needs only the compiled _cffi_backend at run time).
NEVER_IMPORTED = tuple(f"aws_lambda_powertools/utilities/{name}/" for name in (
    "parser", "auth_alpha", "kafka", "feature_flags", "circuit_breaker", "data_masking",
    "batch", "streaming", "parameters", "data_classes")) + (
    "aws_lambda_powertools/event_handler/",
    "pydantic/v1/", "pydantic/mypy.py", "cffi/", "pycparser/")
# The Stripe SDK loads its resources lazily: the package keeps its core and its resource
# classes (any object a response may carry), and drops the typed parameter dictionaries
# (imported only for type checkers), the event classes and the product families Boxoffice
# never calls. `requests` and its helpers go too: Stripe falls back to urllib without it.
STRIPE_KEPT_PACKAGES = ("stripe/v2/core/", "stripe/data/")
STRIPE_SERVICES_CALLED = ("_stripe_service", "_payment_intent_service", "_refund_service",
                          "_oauth_service")
NOT_NEEDED_AT_RUN_TIME = ("requests", "charset_normalizer", "idna", "certifi")


def _unused_stripe(path: str) -> bool:
    parts = path.split("/")
    if parts[0] != "stripe" or path.startswith(STRIPE_KEPT_PACKAGES):
        return False
    if len(parts) == 2:  # a service only loads when called: keep the ones Boxoffice calls
        name = parts[1].rsplit(".", 1)[0]
        return name.endswith("_service") and name not in STRIPE_SERVICES_CALLED
    return not (parts[1] == "v2" and len(parts) == 3)


FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Installer bookkeeping in a wheel's .dist-info, read by pip (uninstall) and SBOM tools, never
# at run time; METADATA and the licence files stay.
INSTALLER_ONLY = ("RECORD", "INSTALLER", "REQUESTED")


def _installer_only(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    return folder.endswith(".dist-info") and (name in INSTALLER_ONLY
                                              or name.endswith(".cyclonedx.json"))


def is_dropped(path: str) -> bool:
    top = path.split("/", 1)[0]
    module = top[:-3] if top.endswith(".py") else top
    dist = top.split("-", 1)[0] if top.endswith(".dist-info") else None
    return (module in PROVIDED_BY_RUNTIME or dist in PROVIDED_BY_RUNTIME.values()
            or module in NOT_NEEDED_AT_RUN_TIME or dist in NOT_NEEDED_AT_RUN_TIME
            or _unused_stripe(path) or _installer_only(path)
            or dist in ("cffi", "pycparser") or top.endswith(".data")  # a wheel's scripts
            or path.startswith(NEVER_RUN + NEVER_IMPORTED) or "/__pycache__/" in f"/{path}")


def _check_python() -> None:
    if sys.version_info[:2] != TARGET_PYTHON:
        raise RuntimeError("compile the package with Python %d.%d, the runtime's" % TARGET_PYTHON)


def _extract(src: pathlib.Path, into: pathlib.Path) -> None:
    with zipfile.ZipFile(src) as archive:
        for info in archive.infolist():
            if not info.is_dir() and not is_dropped(info.filename):
                archive.extract(info, into)


def _compile(root: pathlib.Path) -> None:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        keep_source = relative.startswith(KEEP_SOURCE)
        # A library's .pyc takes its module's place; ours goes to __pycache__ beside it.
        target = importlib.util.cache_from_source(str(path)) if keep_source else f"{path}c"
        py_compile.compile(str(path), cfile=target, dfile=f"{TASK_ROOT}/{relative}",
                           doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        if not keep_source:
            path.unlink()


def _strip_symbols(root: pathlib.Path) -> None:
    """Symbol tables serve debuggers only; the dynamic symbols Python loads stay."""
    strip = shutil.which("strip")
    if strip is None:
        raise RuntimeError("`strip` (binutils) is needed to package: apt-get install binutils")
    for library in sorted(root.rglob("*.so")):
        subprocess.run([strip, "--strip-unneeded", str(library)], check=True)


def _write(root: pathlib.Path, dst: pathlib.Path) -> None:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)


def rebuild(src: pathlib.Path, dst: pathlib.Path) -> None:
    """Writes dst: src without runtime-provided, local or tooling code, plus .pyc files."""
    _check_python()
    with tempfile.TemporaryDirectory(prefix="slim-zip-") as tmp:
        root = pathlib.Path(tmp)
        _extract(src, root)
        _compile(root)
        _strip_symbols(root)
        _write(root, dst)
