#!/usr/bin/env python3
"""Time worker-lint beside yamllint, check-jsonschema and the floor tool, and print medians and goal ratios.

    bash bench/setup.sh                 # once: bench/.venv with every tool
    python3 bench/run.py                # full run: 1, 100, 1000, 10,000 files, multi-document, 1 MB and 10 MB
    python3 bench/run.py --quick        # about a minute: 1 and 1000 files
    python3 bench/run.py --sizes 1000 --big none --multidoc 0 --repeats 7 --tools worker-lint,floor

Every tool runs on the same generated corpora (../shared/bench/gen_corpus.py,
fixed seed) in the same session, in an order that rotates from one repeat to
the next, so drift on a noisy machine spreads over all of them.  Output of the
tools is discarded; the medians, their ratios and the issue's goals are
printed, and written to bench/out/latest.md and bench/out/latest.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpora import Corpus, big_corpora, ensure_repository, file_corpus  # noqa: E402
from summary import goal_lines, ratio_table, timing_table  # noqa: E402
from timing import Run, Summary, run_once, summarise  # noqa: E402
from tools import OK_EXIT, MissingTool, Tool, build_tools, versions  # noqa: E402

ROOT = HERE.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "bench"
ALL_TOOLS = [
    "worker-lint",
    "worker-lint-j1",
    "worker-lint-fix",
    "floor",
    "floor-jN",
    "floor-nogc",
    "check-jsonschema",
    "yamllint",
]
SLOW_PEERS = {"yamllint", "check-jsonschema"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,100,1000,10000", help="file counts of the single-document corpora")
    ap.add_argument(
        "--multidoc",
        type=int,
        default=1000,
        help="file count of the multi-document corpus (10%% of files hold 2-4 documents); 0 skips it",
    )
    ap.add_argument("--big", default="1mb,10mb", help="single big files: 1mb, 10mb, both, or none")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per tool and corpus (median reported)")
    ap.add_argument(
        "--slow-repeats",
        type=int,
        default=3,
        help="timed runs on the 10,000-file corpus and the 10 MB file, where one run is long",
    )
    ap.add_argument(
        "--peer-repeats",
        type=int,
        default=None,
        help="cap on runs of yamllint and check-jsonschema on corpora of 1000+ files (their runs are long)",
    )
    ap.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated subset of: " + ", ".join(ALL_TOOLS))
    ap.add_argument("--no-cache-runs", action="store_true", help="skip the first-run / second-run cache comparison")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--timeout", type=float, default=900, help="seconds before one run is killed")
    ap.add_argument("--venv", type=Path, default=HERE / ".venv")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with gen_corpus.py, floor_tool.py")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument(
        "--quick", action="store_true", help="1 and 1000 files, 3 repeats, the slow peers once: about a minute"
    )
    ap.add_argument("--check-goals", action="store_true", help="exit 1 when a measured goal is missed")
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes, a.big, a.multidoc, a.repeats, a.peer_repeats = "1,1000", "none", 0, 3, 1
    return a


def build_corpora(a: argparse.Namespace, generator: Path, root: Path) -> list[Corpus]:
    out: list[Corpus] = []
    for size in (s for s in a.sizes.split(",") if s.strip()):
        out.append(file_corpus(generator, root, int(size), a.seed, 0.0))
    if a.multidoc:
        out.append(file_corpus(generator, root, a.multidoc, a.seed, 0.10))
    big = {"none": [], "both": ["1mb", "10mb"]}.get(a.big, [b for b in a.big.split(",") if b])
    if any(b not in ("1mb", "10mb") for b in big):
        raise SystemExit(f"--big takes 1mb, 10mb, both or none, not {a.big!r}")
    if big:
        out.extend(big_corpora(generator, root, a.seed, big))
    return out


def repeats_for(a: argparse.Namespace, corpus: Corpus, tool: Tool) -> int:
    n = a.repeats
    if corpus.count >= 10_000 or corpus.size_bytes >= 5 << 20:
        n = min(n, a.slow_repeats)
    if a.peer_repeats is not None and tool.name in SLOW_PEERS and corpus.count >= 1000:
        n = min(n, a.peer_repeats)
    return max(1, n)


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WORKER_LINT_CACHE_DIR", "PYTHONDONTWRITEBYTECODE")}
    env.update(extra or {})
    return env


def time_corpus(a: argparse.Namespace, corpus: Corpus, tools: list[Tool], failures: list[str]) -> dict[str, Summary]:
    active = [t for t in tools if t.accepts(corpus)]
    runs: dict[str, list[Run]] = {t.name: [] for t in active}
    failed: set[str] = set()
    cwd = corpus.target if corpus.target.is_dir() else corpus.target.parent
    rounds = max(repeats_for(a, corpus, t) for t in active) if active else 0
    for r in range(rounds):
        # Rotate the order every round: no tool always runs right after the same other one.
        order = active[r % len(active) :] + active[: r % len(active)]
        for tool in order:
            if tool.name in failed or len(runs[tool.name]) >= repeats_for(a, corpus, tool):
                continue
            run = run_once(tool.command(corpus), cwd, tool_env(tool.env), a.timeout)
            if run.exit_code not in OK_EXIT:
                failed.add(tool.name)
                failures.append(f"{tool.name} on {corpus.label}: exit {run.exit_code}\n{run.stderr_tail.strip()}")
                print(f"  {tool.name}: FAILED (exit {run.exit_code})", file=sys.stderr, flush=True)
                continue
            runs[tool.name].append(run)
            print(f"  [{r + 1}/{rounds}] {tool.name:<18} {run.seconds:8.3f} s", file=sys.stderr, flush=True)
    return {name: summarise(rs) for name, rs in runs.items() if rs and name not in failed}


def files_seen(wl, corpus: Corpus) -> int | None:
    """How many files worker-lint says it linted (its text summary), to catch a corpus it skipped."""
    import subprocess

    done = subprocess.run(
        wl.check(*(["--no-cache"] if wl.has_no_cache else []))(corpus),
        capture_output=True,
        text=True,
        cwd=corpus.target if corpus.target.is_dir() else corpus.target.parent,
        env=tool_env(),
    )
    lines = done.stdout.strip().splitlines()
    found = re.search(r"(\d[\d,]*) files?\.?$", lines[-1]) if lines else None
    return int(found.group(1).replace(",", "")) if found else None


def time_cache(a: argparse.Namespace, corpus: Corpus, wl, failures: list[str]) -> tuple[Summary, Summary] | None:
    """First run into an empty cache, then a second run over the unchanged files."""
    cache_dir = a.out / "cache" / re.sub(r"[^a-z0-9]+", "-", corpus.label.lower())
    if wl.has_cache_dir:
        argv, env = wl.check("--cache-dir", str(cache_dir))(corpus), tool_env()
    else:
        argv, env = wl.check()(corpus), tool_env({"WORKER_LINT_CACHE_DIR": str(cache_dir)})
    firsts: list[Run] = []
    seconds: list[Run] = []
    for r in range(a.repeats if corpus.count < 10_000 else min(a.repeats, a.slow_repeats)):
        shutil.rmtree(cache_dir, ignore_errors=True)
        for bucket in (firsts, seconds):
            run = run_once(argv, corpus.target, env, a.timeout)
            if run.exit_code not in OK_EXIT:
                failures.append(
                    f"worker-lint (cache) on {corpus.label}: exit {run.exit_code}\n{run.stderr_tail.strip()}"
                )
                return None
            bucket.append(run)
        print(
            f"  [{r + 1}] cache: first {firsts[-1].seconds:.3f} s, second {seconds[-1].seconds:.3f} s",
            file=sys.stderr,
            flush=True,
        )
    shutil.rmtree(cache_dir, ignore_errors=True)
    return summarise(firsts), summarise(seconds)


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model or platform.processor() or "unknown",
        "cpus": str(os.cpu_count()),
        "system": f"{platform.system()} {platform.release()}",
    }


def human(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n / 1024:.0f} kB"


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    generator = a.shared / "gen_corpus.py"
    if not generator.is_file():
        print(f"error: the corpus generator is missing: {generator} (pass --shared FOLDER)", file=sys.stderr)
        return 2
    cpus = os.cpu_count() or 1
    wanted = [t.strip() for t in a.tools.split(",") if t.strip()]
    try:
        tools, wl = build_tools(a.venv, a.shared, wanted, cpus)
    except MissingTool as exc:
        print(
            f"error: {exc}\nCreate or repair the tools with `bash bench/setup.sh`, or leave a tool out with"
            f" --tools (choices: {', '.join(ALL_TOOLS)}).",
            file=sys.stderr,
        )
        return 2

    ensure_repository(a.out / "corpus")
    corpora = build_corpora(a, generator, a.out / "corpus")
    # One untimed run of every tool first: byte-compiles its modules and warms the page cache.
    warm = min(corpora, key=lambda c: c.size_bytes)
    for tool in tools:
        if tool.accepts(warm):
            run_once(
                tool.command(warm), warm.target if warm.target.is_dir() else warm.target.parent, tool_env(), a.timeout
            )

    failures: list[str] = []
    warnings: list[str] = []
    if wl is not None:
        for corpus in corpora:
            seen = files_seen(wl, corpus)
            if seen != corpus.count:
                warnings.append(f"worker-lint reports {seen} linted files for {corpus.label}, which has {corpus.count}")
    results: dict[str, dict[str, Summary]] = {}
    cache: dict[str, tuple[Summary, Summary]] = {}
    measure_cache = wl is not None and not a.no_cache_runs and (wl.has_cache_dir or wl.has_no_cache)
    for corpus in corpora:
        print(f"{corpus.label} ({human(corpus.size_bytes)}):", file=sys.stderr, flush=True)
        results[corpus.label] = time_corpus(a, corpus, tools, failures)
        if measure_cache and corpus.count >= 100 and corpus.target.is_dir() and "worker-lint" in wanted:
            got = time_cache(a, corpus, wl, failures)
            if got:
                cache[corpus.label] = got

    info = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        **machine(),
        **versions(a.venv),
        "seed": a.seed,
    }
    sizes = {c.label: f"{c.count} file{'s' if c.count != 1 else ''}, {human(c.size_bytes)}" for c in corpora}
    goals, all_met = goal_lines(results, cache, {c.label: c.count for c in corpora})
    report = [
        f"Measured {info['date']} on {info['cpu']} ({info['cpus']} CPUs, {info['system']}), Python {info['python']};"
        f" worker-lint {info['worker-lint']}, yamllint {info['yamllint']}, check-jsonschema {info['check-jsonschema']},"
        f" floor: pyyaml {info['pyyaml']} + jsonschema-rs {info['jsonschema-rs']}.",
        "",
        "### Goals",
        "",
        *goals,
        "",
        "### Ratios (medians, same run)",
        "",
        *ratio_table(results),
        "",
        "### Times",
        "",
        *timing_table(results, sizes),
    ]
    if wl is not None and not measure_cache and not a.no_cache_runs:
        report += [
            "",
            "The cache was not measured: `worker-lint check --help` offers neither --cache-dir nor --no-cache.",
        ]
    if warnings:
        report += ["", "**Warning:** " + "; ".join(warnings) + "."]
    text = "\n".join(report) + "\n"
    print(text)

    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "latest.md").write_text(text)
    payload = {
        "machine": info,
        "corpora": sizes,
        "results": {c: {t: asdict(s) for t, s in row.items()} for c, row in results.items()},
        "cache": {c: {"first": asdict(f), "second": asdict(s)} for c, (f, s) in cache.items()},
        "failures": failures,
        "warnings": warnings,
    }
    (a.out / "latest.json").write_text(json.dumps(payload, indent=2) + "\n")

    if failures:
        print("Some runs failed:\n" + "\n\n".join(failures), file=sys.stderr)
        return 1
    if a.check_goals and not all_met:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
