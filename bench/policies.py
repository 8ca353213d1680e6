"""What four policies cost: 300 Workers linted with the four policies of examples/policies, and without them.

    python3 bench/policies.py [--repeats 7] [--check-goal]

Both runs read a configuration (the same one, less its `policies:`), pass `--no-cache` and run
as fresh processes of this checkout's interpreter (`sys.executable`, which needs the `policies`
extra), in turns, so that drift on a busy machine falls on both.  The median wall time of each
is compared; the goal is at most 1.5x.  The Workers are varied (half Bento, half container,
some with a `team:` tag, some with more than three replicas) so that every policy both passes
and fails on some of them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from timing import run_once  # noqa: E402

ROOT = HERE.parent
POLICIES = (ROOT / "examples" / "policies" / ".worker-lint.yaml").read_text(encoding="utf-8")
GOAL = 1.5
WORKERS = 300

BENTO = """\
version: v1beta
name: relay-{n}
type: worker
tags:
  - orders{team}
description: Relays order events, copy {n}
workspace: public
worker:
  replicas: {replicas}
  compute: {compute}
  resources:
    requests:
      cpu: 100m{memory}
  stack: bento
  stackSpec:
    input:
      kafka:
        addresses: ["kafka:9092"]
        topics: ["orders-{n}"]
        consumer_group: relay-{n}
    output:
      kafka:
        addresses: ["kafka:9092"]
        topic: orders-copy-{n}
"""
CONTAINER = """\
version: v2alpha
name: heartbeat-{n}
type: worker
tags:
  - monitoring{team}
description: Prints a heartbeat, copy {n}
spec:
  compute: {compute}
  replicas: {replicas}
  resources:
    requests:
      cpu: 50m{memory}
  stack: container
  stackSpec:
    image: docker.io/library/alpine:3.20
"""


def write_corpus(folder: Path) -> None:
    (folder / ".git").mkdir()
    for n in range(WORKERS):
        template = BENTO if n % 2 else CONTAINER
        text = template.format(
            n=n,
            team="\n  - team:payments" if n % 3 else "",
            replicas=5 if n % 7 == 0 else 2,
            compute="runnable-prod" if n % 5 else "runnable-default",
            memory="\n      memory: 128Mi" if n % 4 else "",
        )
        sub = folder / ("prod" if n % 2 else "dev")
        sub.mkdir(exist_ok=True)
        (sub / f"worker-{n:03}.yaml").write_text(text, encoding="utf-8")


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    run = run_once(argv, cwd, env, timeout=600)
    if run.exit_code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} in {cwd} failed ({run.exit_code}): {run.stderr_tail}")
    return run.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--check-goal", action="store_true", help="exit 1 when the ratio is above the goal")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="worker-lint-policies-"))
    try:
        with_policies, without = work / "with", work / "without"
        for folder, config in ((with_policies, POLICIES), (without, "# the same configuration, less its policies\n")):
            folder.mkdir()
            write_corpus(folder)
            (folder / ".worker-lint.yaml").write_text(config, encoding="utf-8")
        argv = [sys.executable, "-m", "worker_lint", "check", "--no-cache", "--jobs", "1", "."]
        env = {**os.environ, "NO_COLOR": "1"}
        times: dict[str, list[float]] = {"with": [], "without": []}
        for folder in (with_policies, without):  # once untimed: byte-code compiled, files in the page cache
            run_once(argv, folder, env, timeout=600)
        for round_ in range(options.repeats):
            order = [("with", with_policies), ("without", without)]
            for name, folder in order if round_ % 2 == 0 else order[::-1]:
                times[name].append(timed(argv, folder, env))
        with_s, without_s = statistics.median(times["with"]), statistics.median(times["without"])
        ratio = with_s / without_s
        print(f"{WORKERS} Workers, median of {options.repeats} runs, one process each (--jobs 1, --no-cache):")
        print(f"  without policies: {without_s:.3f} s")
        print(f"  four policies:    {with_s:.3f} s")
        print(f"  ratio:            {ratio:.2f}x (goal: at most {GOAL}x)")
        return 1 if options.check_goal and ratio > GOAL else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
