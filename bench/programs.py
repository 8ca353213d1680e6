"""What checking the programs a Worker runs costs: Bento configs and `sh -c` scripts, against the same run without.

    python3 bench/programs.py [--repeats 5]

Lints 200 Bento Workers (an input, a pipeline with a processor inside a `branch`, outputs in the
DataOS docs' list form) and 200 container Workers whose `sh -c` script differs in each (so
shellcheck runs once per Worker, as it would on real scripts), first with every check, then with
the checks of the programs deselected (`--ignore WL130,...,WL135`). Both pass `--no-cache --jobs 1`
and run as fresh processes of this checkout's interpreter, in turns; the median wall time of each is
reported, and the median CPU time of the process and its children (shellcheck's included). The
benchmark stops if a run reports anything: every Worker is valid.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from timing import run_once  # noqa: E402

COUNT = 200
PROGRAM_CODES = "WL130,WL131,WL132,WL133,WL134,WL135"

BENTO = """\
version: v1beta
name: relay-{n}
type: worker
description: Relays order events, copy {n}
workspace: public
worker:
  replicas: 2
  compute: runnable-default
  stack: bento-worker:3.0
  stackSpec:
    input:
      kafka_franz:
        seed_brokers: ["kafka:9092"]
        topics: ["orders-{n}"]
        consumer_group: relay-{n}
        start_from_oldest: true
    pipeline:
      processors:
        - mapping: |
            root = this
            root.copy = {n}
        - branch:
            request_map: 'root = this.id'
            processors:
              - http:
                  url: http://enrich.local/orders/{n}
                  verb: GET
                  timeout: 5s
            result_map: 'root.enriched = this'
    output:
      - broker:
          pattern: fan_out
          outputs:
            - kafka_franz:
                seed_brokers: ["kafka:9092"]
                topic: orders-copy-{n}
            - stdout:
                codec: lines
"""

CONTAINER = """\
version: v1beta
name: heartbeat-{n}
type: worker
description: Sends a heartbeat, copy {n}
workspace: public
worker:
  replicas: 1
  compute: runnable-default
  stack: container
  stackSpec:
    image: docker.io/library/alpine:3.20
    command: [sh, -c]
    arguments:
      - |
        set -eu
        target="http://monitor.local/beat/{n}"
        count=0
        while true; do
          if [ -f /tmp/stop-{n} ]; then
            echo "stopping after $count beats"
            exit 0
          fi
          wget -q -O /dev/null "$target" || echo "beat $count failed" >&2
          count=$((count + 1))
          sleep {pause}
        done
"""


def write_corpus(folder: Path) -> None:
    for n in range(COUNT):
        (folder / f"bento-{n:03}.yaml").write_text(BENTO.format(n=n), encoding="utf-8")
        (folder / f"container-{n:03}.yaml").write_text(CONTAINER.format(n=n, pause=10 + n), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="worker-lint-programs-"))
    try:
        write_corpus(work)
        base = [sys.executable, "-m", "worker_lint", "check", "--no-cache", "--jobs", "1"]
        runs = {"checked": [*base, "."], "deselected": [*base, "--ignore", PROGRAM_CODES, "."]}
        env = {**os.environ, "NO_COLOR": "1"}
        for name, argv in runs.items():  # untimed: byte-code compiled, files cached; and every Worker is clean
            done = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"{name} run reported something ({done.returncode}): {done.stdout[-1500:]}")
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}  # steadier than wall time on a shared machine
        for round_ in range(options.repeats):
            order = list(runs.items())
            for name, argv in order if round_ % 2 == 0 else order[::-1]:
                run = run_once(argv, work, env, timeout=900)
                if run.exit_code != 0:
                    raise SystemExit(f"{' '.join(argv)} failed ({run.exit_code}): {run.stderr_tail}")
                times[name].append(run.seconds)
                cpu[name].append(run.cpu_seconds)
        print(f"{COUNT} Bento Workers and {COUNT} container Workers with sh -c scripts;")
        print(f"median of {options.repeats} runs (--jobs 1, --no-cache), wall and CPU (with children):")
        for what, seconds in (("wall", times), ("CPU", cpu)):
            checked, deselected = statistics.median(seconds["checked"]), statistics.median(seconds["deselected"])
            print(
                f"  {what}: every check {checked:.3f} s, without {PROGRAM_CODES} {deselected:.3f} s,"
                f" ratio {checked / deselected:.2f}x"
            )
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
