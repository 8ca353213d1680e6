"""What `--changed-since` saves: a 1,000-file repository with one changed Worker, against a full run.

    python3 bench/changed_since.py [--repeats 5]

The repository holds 100 data products, each a folder of 9 Workers and the Bundle that deploys
them (1,000 files), committed; then one Worker is edited. `check --changed-since HEAD` must lint
that Worker and its Bundle and nothing else: the JUnit report, which lists every file linted, clean
ones included, says which were, and the benchmark stops if it is not exactly those two. Both runs
pass `--no-cache --jobs 1` and run as fresh processes of this checkout's interpreter, in turns; the
median wall time of each is reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from timing import run_once  # noqa: E402

PRODUCTS, WORKERS = 100, 9

WORKER = """\
version: v1beta
name: relay-{p}-{w}
type: worker
tags:
  - orders
description: Relays order events, product {p}, copy {w}
workspace: public
worker:
  replicas: 2
  compute: runnable-default
  stack: bento
  stackSpec:
    input:
      kafka:
        addresses: ["kafka:9092"]
        topics: ["orders-{p}-{w}"]
        consumer_group: relay-{p}-{w}
    output:
      kafka:
        addresses: ["kafka:9092"]
        topic: orders-copy-{p}-{w}
"""
ITEM = """\
    - id: relay-{w}
      file: relay-{w}.yaml
      workspace: public
"""
BUNDLE = """\
version: v1beta
name: product-{p}
type: bundle
description: Deploys the relays of product {p}
bundle:
  resources:
{items}"""


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=b", "-c", "user.email=b@b", *args], check=True)


def write_repository(folder: Path) -> Path:
    """The committed repository; returns the Worker that is then edited."""
    for p in range(PRODUCTS):
        product = folder / f"product-{p:03}"
        product.mkdir()
        for w in range(WORKERS):
            (product / f"relay-{w}.yaml").write_text(WORKER.format(p=p, w=w), encoding="utf-8")
        items = "".join(ITEM.format(w=w) for w in range(WORKERS))
        (product / "bundle.yaml").write_text(BUNDLE.format(p=p, items=items), encoding="utf-8")
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-qm", "base")
    changed = folder / "product-042" / "relay-3.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("replicas: 2", "replicas: 3"), encoding="utf-8")
    return changed


def linted_files(argv: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """The files a run lints, from its JUnit report (one test case per file, clean ones included)."""
    done = subprocess.run([*argv, "--format", "junit"], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-500:]}")
    cases = ET.fromstring(done.stdout).iter("testcase")
    return sorted({case.get("file") or "" for case in cases})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="worker-lint-changed-"))
    try:
        write_repository(work)
        base = [sys.executable, "-m", "worker_lint", "check", "--no-cache", "--jobs", "1"]
        runs = {"full": [*base, "."], "changed": [*base, "--changed-since", "HEAD", "."]}
        env = {**os.environ, "NO_COLOR": "1"}
        full_files = linted_files(runs["full"], work, env)
        changed_files = linted_files(runs["changed"], work, env)
        expected = ["product-042/bundle.yaml", "product-042/relay-3.yaml"]
        if changed_files != expected:
            raise SystemExit(f"--changed-since linted {changed_files}, not {expected}")
        times: dict[str, list[float]] = {name: [] for name in runs}
        for round_ in range(options.repeats):
            order = list(runs.items())
            for name, argv in order if round_ % 2 == 0 else order[::-1]:
                run = run_once(argv, work, env, timeout=600)
                if run.exit_code not in (0, 1):
                    raise SystemExit(f"{' '.join(argv)} failed ({run.exit_code}): {run.stderr_tail}")
                times[name].append(run.seconds)
        full_s, changed_s = statistics.median(times["full"]), statistics.median(times["changed"])
        print(f"{len(full_files)} files, one Worker changed; median of {options.repeats} runs (--jobs 1, --no-cache):")
        print(f"  full run:                  {full_s:.3f} s, {len(full_files)} files linted")
        print(
            f"  --changed-since HEAD:      {changed_s:.3f} s, {len(changed_files)} files linted: {', '.join(changed_files)}"
        )
        print(f"  ratio:                     {changed_s / full_s:.2f}x")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
