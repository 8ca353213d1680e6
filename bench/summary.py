"""Turn timings into the tables and goal ratios issue #8 is stated in."""

from __future__ import annotations

from dataclasses import dataclass

from timing import Summary


@dataclass(frozen=True)
class Goal:
    corpus: str
    what: str
    numerator: str
    denominator: str
    limit: float


#: The issue's goals, as ratios of median times measured in the same run.
GOALS = [
    Goal("1000 files", "1000 files vs the floor", "worker-lint", "floor", 2.0),
    Goal("1000 files", "1000 files vs check-jsonschema", "worker-lint", "check-jsonschema", 0.5),
    Goal("1000 files", "1000 files vs yamllint", "worker-lint", "yamllint", 0.15),
    Goal("1 file", "one file, cold, vs yamllint", "worker-lint", "yamllint", 1.2),
    Goal("10000 files", "10,000 files vs the floor", "worker-lint", "floor", 2.0),
    Goal("one 10MB file", "one 10 MB file vs the floor", "worker-lint", "floor", 2.0),
    Goal("one 1MB file", "one 1 MB file vs the floor", "worker-lint", "floor", 2.0),
    Goal("1000 files, multi-document", "multi-document files vs the floor", "worker-lint", "floor", 2.0),
    Goal(
        "1000 files",
        "1000 files, nothing to fix: check --fix (as --diff) vs check",
        "worker-lint-fix",
        "worker-lint",
        1.05,
    ),
]
#: A second run over unchanged files, with the cache, against the first.
CACHE_LIMIT = 0.2
#: The cache goal is held from this many files, like the other goals (set at 1000 and 10,000 files).
#: Below it, start-up (about 0.1 s, the same in both runs) is most of a first run, and no cache can
#: bring a second run under a fifth of it; those ratios are shown, as information.
CACHE_GOAL_FILES = 1000

Results = dict[str, dict[str, Summary]]


def ratio(results: Results, corpus: str, num: str, den: str) -> float | None:
    row = results.get(corpus, {})
    if num in row and den in row and row[den].median > 0:
        return row[num].median / row[den].median
    return None


def timing_table(results: Results, sizes: dict[str, str]) -> list[str]:
    lines = [
        "| corpus | tool | median s | min s | max s | CPU s | peak MiB | runs |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for corpus, row in results.items():
        for tool, s in sorted(row.items(), key=lambda kv: kv[1].median):
            lines.append(
                f"| {corpus} ({sizes.get(corpus, '')}) | {tool} | {s.median:.3f} | {s.low:.3f} | {s.high:.3f}"
                f" | {s.cpu:.2f} | {s.peak_mib:.0f} | {s.runs} |"
            )
    return lines


def ratio_table(results: Results) -> list[str]:
    """Every corpus's worker-lint time against every other tool (informative, beyond the goals)."""
    peers: list[str] = []
    for row in results.values():
        peers.extend(t for t in row if t != "worker-lint" and t not in peers)
    peers.sort(key=_peer_order)
    lines = ["| corpus | " + " | ".join(f"worker-lint / {t}" for t in peers) + " |", "| --- |" + " ---: |" * len(peers)]
    for corpus in results:
        cells = []
        for peer in peers:
            r = ratio(results, corpus, "worker-lint", peer)
            cells.append("" if r is None else f"{r:.2f}")
        if any(cells):
            lines.append(f"| {corpus} | " + " | ".join(cells) + " |")
    return lines


def _peer_order(name: str) -> tuple[int, str]:
    for i, prefix in enumerate(("floor", "check-jsonschema", "yamllint", "worker-lint")):
        if name.startswith(prefix):
            return i, name
    return 9, name


def goal_lines(
    results: Results, cache: dict[str, tuple[Summary, Summary]], counts: dict[str, int]
) -> tuple[list[str], bool]:
    """One line per goal that this run measured, and whether all of them were met."""
    lines = ["| goal | measured | limit | met |", "| --- | ---: | ---: | --- |"]
    all_met = True
    for g in GOALS:
        r = ratio(results, g.corpus, g.numerator, g.denominator)
        if r is None:
            continue
        met = r <= g.limit
        all_met &= met
        lines.append(
            f"| {g.what} ({g.numerator} / {g.denominator}) | {r:.2f}x | {g.limit:.2f}x | {'yes' if met else 'NO'} |"
        )
    for corpus, (first, second) in cache.items():
        r = second.median / first.median if first.median > 0 else float("inf")
        what = f"{corpus}: second run with the cache vs the first ({second.median:.3f} s / {first.median:.3f} s)"
        if counts.get(corpus, 0) < CACHE_GOAL_FILES:
            lines.append(f"| {what} | {r:.2f}x | (information: start-up bound) | |")
            continue
        met = r <= CACHE_LIMIT
        all_met &= met
        lines.append(f"| {what} | {r:.2f}x | {CACHE_LIMIT:.2f}x | {'yes' if met else 'NO'} |")
    return lines, all_met
