"""Compare worker-lint's verdict on YAML streams with go-yaml's, and write the tables the tests read.

    python3 conformance/run.py [--shared ../shared] [--oracle BINARY] [--write]

Builds the go-yaml oracle (oracle/build.sh, Debian packages, offline) unless
--oracle names one, runs it and worker-lint on every case of the YAML test
suite (each preceded by a document `type: worker` and an explicit `...`, so
it is linted as a DataOS stream and its directives stay legal) and on the
seeded mutation corpus (mutations.py), and prints the agreement figures.
With --write it stores the streams (tests/data/go-yaml-streams.jsonl.gz) and
go-yaml's verdicts (tests/data/go-yaml-verdicts.tsv) for the test suite,
which needs no Go.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import mutations  # noqa: E402

from worker_lint.run.engine import check_text  # noqa: E402

PREFIX = b"type: worker\n...\n"
#: the codes that say a stream does not parse as the platform reads it
REFUSING = frozenset({"WL001", "WL003", "WL004"})
STREAMS = ROOT / "tests" / "data" / "go-yaml-streams.jsonl.gz"
VERDICTS = ROOT / "tests" / "data" / "go-yaml-verdicts.tsv"


def lint_verdict(stream: bytes) -> tuple[str, list[str]]:
    """``ok`` or ``error`` as worker-lint sees the stream, and the refusing diagnostics."""
    result = check_text(stream, "stream.yaml")
    refusing = [f"{d.code} {d.span.line}:{d.span.column} {d.message}" for d in result.diagnostics if d.code in REFUSING]
    return ("error" if refusing else "ok"), refusing


def suite_streams(shared: Path) -> list[tuple[str, str, bytes]]:
    suite = shared / "corpus" / "yaml-test-suite"
    ids = [line.split("\t")[0] for line in (suite / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return [("suite", cid, PREFIX + (suite / f"{cid}.yaml").read_bytes()) for cid in ids]


def oracle_verdicts(
    oracle: str, streams: list[tuple[str, str, bytes]]
) -> dict[tuple[str, str], dict[str, tuple[str, str, str]]]:
    out: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for kind, cid, data in streams:
            path = Path(tmp) / f"{kind}-{cid}.yaml"
            path.write_bytes(data)
            names[str(path)] = (kind, cid)
        paths = list(names)
        for start in range(0, len(paths), 200):
            proc = subprocess.run([oracle, *paths[start : start + 200]], capture_output=True, check=True, timeout=600)
            for line in proc.stdout.decode("utf-8", "replace").splitlines():
                path, which, verdict, number, message = line.split("\t", 4)
                verdict = "error" if verdict in ("error", "panic") else verdict
                out.setdefault(names[path], {})[which] = (verdict, number, message)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--oracle", help="a built oracle; default: build one with oracle/build.sh")
    parser.add_argument("--write", action="store_true", help="write the streams and verdicts for the tests")
    parser.add_argument("--seed", type=int, default=mutations.SEED)
    parser.add_argument("--count", type=int, default=mutations.COUNT)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as build:
        oracle = args.oracle
        if oracle is None:
            oracle = str(Path(build) / "go-yaml-oracle")
            subprocess.run(["bash", str(Path(__file__).resolve().parent / "oracle" / "build.sh"), oracle], check=True)
        streams = suite_streams(args.shared)
        streams += [
            ("mutation", cid, data)
            for cid, data in mutations.generate(args.shared / "corpus" / "dataos", args.seed, args.count)
        ]
        go = oracle_verdicts(oracle, streams)

    totals: dict[str, list[int]] = {}
    rows = []
    for kind, cid, data in streams:
        v3, v2 = go[(kind, cid)]["v3"], go[(kind, cid)]["v2"]
        ours, why = lint_verdict(data)
        counted = totals.setdefault(kind, [0, 0, 0])  # agreeing, compared, v3 and v2 disagree
        if v3[0] != v2[0]:
            counted[2] += 1
        else:
            counted[1] += 1
            if ours == v3[0]:
                counted[0] += 1
            elif args.verbose:
                print(f"DISAGREE {kind} {cid}: go-yaml {v3[0]} ({v3[2]}); worker-lint {ours} {why}")
        rows.append((kind, cid, hashlib.sha256(data).hexdigest()[:16], v3[0], v2[0], v3[1], v3[2]))

    for kind, (agree, compared, split) in totals.items():
        print(
            f"{kind}: worker-lint agrees with go-yaml on {agree}/{compared} streams where go-yaml v3 and v2 agree"
            f" ({split} more where they disagree)"
        )
    if args.write:
        VERDICTS.parent.mkdir(parents=True, exist_ok=True)
        with open(VERDICTS, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("set\tid\tsha256\tv3\tv2\tv3_line\tv3_message\n")
            for row in rows:
                handle.write("\t".join(field.replace("\t", " ") for field in row) + "\n")
        with gzip.GzipFile(STREAMS, "wb", mtime=0) as handle:
            for kind, cid, data in streams:
                record = {"set": kind, "id": cid, "stream": data.decode("utf-8", "surrogateescape")}
                handle.write((json.dumps(record, ensure_ascii=True) + "\n").encode("ascii"))
        print(f"wrote {VERDICTS.relative_to(ROOT)} and {STREAMS.relative_to(ROOT)}")
    return 0 if all(agree == compared for agree, compared, _ in totals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
