"""Package size and the cost of importing the handler, as a cold start pays it.

    .venv/bin/python benchmarks/package_and_coldstart.py [--stage dev] [--runs 15]

Packages the stage offline (sample stack outputs), then, in one run and interleaved, times in
a stand-in for Lambda's python3.11 runtime (the package as the task root, the SDK the runtime
ships, no site-packages, no bytecode written, Lambda's environment so the Tracer is on):
  - importing chalice + boto3 (the baseline),
  - importing the handler module (app) from the package `make deploy` ships,
  - importing it from the zip `chalice package` makes by itself (bundled botocore, no .pyc).
Prints the medians, the ratios to the baseline and the handler's top import costs
(python -X importtime). Targets (issue #13): at most 10 MB zipped, a ratio of at most 1.3."""
from __future__ import annotations

import argparse
import collections
import pathlib
import statistics
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.tools import lambda_runtime, package, preflight  # noqa: E402

SIZE_LIMIT = 10_000_000
RATIO_TARGET = 1.3
TIMED = "import time\nt = time.perf_counter()\nimport {modules}\nprint(time.perf_counter() - t)"


def sizes(zip_path: pathlib.Path) -> tuple[int, int, int]:
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
    return zip_path.stat().st_size, sum(i.file_size for i in infos), len(infos)


def timed_import(task, sdk, modules: str, env: dict) -> float:
    result = lambda_runtime.run(task, sdk, TIMED.format(modules=modules), env)
    if result.returncode:
        raise SystemExit(f"importing {modules} failed:\n{result.stderr}")
    return float(result.stdout.strip().splitlines()[-1])


def import_costs(task, sdk, env: dict, top: int = 12) -> list[tuple[str, float, float]]:
    """(top-level package, self ms, share of the total) from python -X importtime."""
    result = lambda_runtime.run(task, sdk, "import app", env, python_flags=("-X", "importtime"))
    by_package: collections.Counter = collections.Counter()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line[len("import time:"):].split("|"))
        by_package[name.split(".")[0]] += int(self_us)
    total = sum(by_package.values())
    return [(name, us / 1000, us / total) for name, us in by_package.most_common(top)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev", choices=preflight.DEPLOYABLE_STAGES)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        work = pathlib.Path(tmp)
        package.package(args.stage, package.sample_outputs(args.stage), work / "build",
                        keep_chalice_zip=True)
        slim, plain = work / "build" / "deployment.zip", work / "build" / "chalice-deployment.zip"
        zipped, unzipped, files = sizes(slim)
        plain_zipped, plain_unzipped, _ = sizes(plain)
        print(f"package ({args.stage}): {zipped / 1e6:.2f} MB zipped, {unzipped / 1e6:.2f} MB "
              f"unzipped, {files} files (limit {SIZE_LIMIT / 1e6:.0f} MB zipped: "
              f"{'ok' if zipped <= SIZE_LIMIT else 'OVER'})")
        print(f"  chalice package alone: {plain_zipped / 1e6:.2f} MB zipped, "
              f"{plain_unzipped / 1e6:.2f} MB unzipped")
        sdk = lambda_runtime.provided_sdk(work / "sdk")
        task = lambda_runtime.unpack(slim, work / "task")
        plain_task = lambda_runtime.unpack(plain, work / "plain-task")
        stage_env = preflight.with_stack_outputs(preflight.stage_environment(args.stage),
                                                 package.sample_outputs(args.stage))
        env = lambda_runtime.lambda_environment(task, f"boxoffice-{args.stage}-APIHandler",
                                                stage_env)
        plain_env = dict(env, LAMBDA_TASK_ROOT=str(plain_task))
        samples = {"baseline": [], "handler": [], "plain": []}
        for _ in range(args.runs):
            samples["baseline"].append(timed_import(task, sdk, "chalice, boto3", env))
            samples["handler"].append(timed_import(task, sdk, "app", env))
            samples["plain"].append(timed_import(plain_task, sdk, "app", plain_env))
        median = {k: statistics.median(v) * 1000 for k, v in samples.items()}
        ratio = median["handler"] / median["baseline"]
        print(f"import, median of {args.runs} interleaved runs in a python3.11 Lambda stand-in:")
        print(f"  chalice + boto3 (baseline)          {median['baseline']:7.1f} ms")
        print(f"  handler, the package make deploy ships {median['handler']:7.1f} ms   "
              f"ratio {ratio:.2f} (target {RATIO_TARGET}: {'ok' if ratio <= RATIO_TARGET else 'not met'})")
        print(f"  handler, chalice package's own zip  {median['plain']:7.1f} ms   "
              f"ratio {median['plain'] / median['baseline']:.2f}")
        print("top import costs of the handler (self time by top-level package):")
        for name, ms, share in import_costs(task, sdk, env):
            print(f"  {name:28} {ms:7.1f} ms  {share:5.1%}")


if __name__ == "__main__":
    main()
