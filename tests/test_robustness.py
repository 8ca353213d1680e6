"""No input crashes the linter: the YAML test suite, random bytes, random YAML and mutated real manifests."""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, run_cli, run_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linting import lint_text
from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import YAMLError
from wellformed import diagnostic_problems, json_problems

from worker_lint.core import safe_text

SUITE = SHARED / "corpus" / "yaml-test-suite"
DATAOS = SHARED / "corpus" / "dataos"
HEAD = b"version: v1beta\nname: w\ntype: worker\n"


def _needs(folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")


def _index() -> list[tuple[str, bool]]:
    rows = (SUITE / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(row.split("\t")[0], row.split("\t")[2] == "yes") for row in rows]


def _corpus() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(DATAOS.glob("*.yaml"))] if DATAOS.is_dir() else []


CORPUS = _corpus()


def assert_well_formed(data: bytes, path: str = "m.yaml") -> list[Any]:
    diagnostics = lint_text(data, path)
    problems = [p for d in diagnostics for p in diagnostic_problems(d, data)]
    assert problems == []
    return diagnostics


def _rejected_by_the_parser(data: bytes) -> bool:
    loader = CSafeLoader(data.decode("utf-8"))
    try:
        while loader.check_node():
            loader.get_node()
    except YAMLError:
        return True
    finally:
        loader.dispose()
    return False


# ---------------------------------------------------------------- the YAML test suite


def test_the_suite_has_402_cases_94_of_them_invalid():
    _needs(SUITE)
    index = _index()
    assert (len(index), sum(invalid for _, invalid in index)) == (402, 94)
    assert sorted(p.stem for p in SUITE.glob("*.yaml")) == sorted(case for case, _ in index)


def test_every_suite_case_in_process():
    """Each case as written, and as a DataOS manifest (so parse errors are reported, with positions)."""
    _needs(SUITE)
    reported, rejected = set(), set()
    for case, _ in _index():
        raw = (SUITE / f"{case}.yaml").read_bytes()
        assert_well_formed(raw)
        variant = HEAD + raw
        if "WL001" in {d.code for d in assert_well_formed(variant)}:
            reported.add(case)
        if _rejected_by_the_parser(variant):
            rejected.add(case)
    # every variant the parser rejects gets its syntax error, and no other does, but for the two that libyaml
    # refuses and DataOS's Go parser reads: an anchor defined twice (3GZX) and the escape `\'` (HRE5)
    assert reported == rejected - {"3GZX", "HRE5"}
    assert len(reported) == 218


def _check_cases(cases: list[str], variant_dir: Path) -> list[str]:
    """One CLI run over a few cases, each as written and as a DataOS manifest."""
    contents: dict[str, bytes] = {}
    for case in cases:
        raw = SUITE / f"{case}.yaml"
        variant = variant_dir / f"{case}.yaml"
        variant.write_bytes(HEAD + raw.read_bytes())
        contents[str(raw)] = raw.read_bytes()
        contents[str(variant)] = variant.read_bytes()
    run = run_cli("check", "--format", "json", "--no-cache", "--jobs", "1", *contents)
    problems = []
    if run.returncode not in (0, 1):
        problems.append(f"exit {run.returncode}")
    if "Traceback" in run.stderr:
        problems.append(run.stderr[-500:])
    try:
        diagnostics = json.loads(run.stdout)["diagnostics"]
    except (ValueError, KeyError) as exc:
        return [f"{cases}: {p}" for p in [*problems, f"no JSON report: {exc}"]]
    for item in diagnostics:
        if item["path"] not in contents:
            problems.append(f"unexpected path {item['path']}")
            continue
        problems += [f"{Path(item['path']).name}: {p}" for p in json_problems(item, contents[item["path"]])]
    reported = {item["path"] for item in diagnostics}
    for case in cases:
        variant = str(variant_dir / f"{case}.yaml")
        if variant not in reported and _rejected_by_the_parser(contents[variant]):
            problems.append(f"{case}: the variant's syntax error was not reported")
    return [f"{cases}: {p}" for p in problems]


def test_every_suite_case_through_the_cli(tmp_path: Path):
    """All 402 cases through the command line, four to a run.

    Each run must exit 0 or 1 with a JSON report and no traceback; a crash in
    any case fails its run, which names the four cases.
    """
    _needs(SUITE)
    cases = [case for case, _ in _index()]
    groups = [cases[i : i + 4] for i in range(0, len(cases), 4)]
    problems = [p for group in groups for p in _check_cases(group, tmp_path)]
    assert problems == []


# ---------------------------------------------------------------- positions the fuzzing found outside the file


def _spans(data: bytes) -> list[tuple[str, int, int, int, int]]:
    return [(d.code, d.span.line, d.span.column, d.span.end_line, d.span.end_column) for d in lint_text(data, "m.yaml")]


@pytest.mark.parametrize(("tail", "line", "column"), [(b"worker:\nfoo", 5, 4), (b".", 4, 2)], ids=["key", "dot"])
def test_a_syntax_error_at_the_end_of_a_file_without_a_final_line_break_stays_in_the_file(
    tail: bytes, line: int, column: int
):
    # libyaml puts the end-of-stream mark on a new line when the last line has no line break
    assert [s[:3] for s in _spans(HEAD + tail)] == [("WL001", line, column)]


def test_a_bad_byte_after_a_lone_carriage_return_is_placed_on_the_line_the_parser_counts():
    # a lone CR ends a line for the parser (and for editors): the bad byte is on line 5, column 17
    assert _spans(HEAD + b"a: 1\rdescription: caf\xe9\n") == [("WL003", 5, 17, 5, 18)]


def test_a_syntax_error_after_a_lone_carriage_return_is_widened_within_its_own_line():
    data = HEAD + b"a: b\rc: d: e\nf: " + b"g" * 40 + b"\n"
    assert _spans(data) == [("WL001", 5, 5, 5, 6)]


# ---------------------------------------------------------------- random bytes and random YAML


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=3000))
def test_random_bytes(blob: bytes):
    assert_well_formed(blob)
    assert_well_formed(HEAD + blob)


_SIGNIFICANT = st.sampled_from(
    list(":-?[]{},#&*!|>'\"%@`\t\n\r ") + ["\ufeff", "\u2028", "\x85", "${", "{{", "}}", "\x00", "\\", "---", "..."]
)
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            _SIGNIFICANT,
            _TEXT,
            st.sampled_from(
                ["worker:", "  stack: ", "    - ", "resources:", "type: worker", "bundle:", "\n  ", "\n    "]
            ),
        ),
        max_size=80,
    )
)
def test_random_yaml_tokens(tokens: list[str]):
    text = "".join(tokens).encode("utf-8", errors="surrogatepass")
    assert_well_formed(text)
    assert_well_formed(HEAD + text)


def _harvest() -> tuple[list[str], list[Any]]:
    """Every mapping key and scalar of the real manifests, to build plausible random ones from."""
    from worker_lint.document.parse import parse

    keys: set[str] = set()
    scalars: set[Any] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                keys.add(str(k))
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, (str, int, float, bool)) or value is None:
            scalars.add(value)

    for _, data in CORPUS:
        for doc in parse(data.decode("utf-8")).documents:
            walk(doc.data)
    return sorted(keys), sorted(scalars, key=repr)


KEYS, SCALARS = _harvest() if CORPUS else (["worker", "stack"], ["x"])

_scalar = st.one_of(
    st.sampled_from(SCALARS), st.integers(-(10**20), 10**20), st.floats(), st.booleans(), st.none(), _TEXT
)
_key = st.one_of(st.sampled_from(KEYS), _TEXT)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(_key, inner, max_size=6)),
    max_leaves=40,
)
_TAGS = ["!!str", "!!int", "!!map", "!!seq", "!custom", "!!python/object/apply:os.system", "!!binary", "!<tag:x,y>"]


def render(value: Any, rng: random.Random, indent: int = 0) -> str:
    """YAML for ``value`` in randomly chosen styles, with anchors, aliases, tags and comments now and then."""
    prefix = ""
    if rng.random() < 0.05:
        prefix += f"&a{rng.randrange(3)} "
    if rng.random() < 0.05:
        prefix += rng.choice(_TAGS) + " "
    if rng.random() < 0.03:
        return f"*a{rng.randrange(3)}"
    pad = " " * indent
    if isinstance(value, dict) and value:
        if rng.random() < 0.3:
            return (
                prefix
                + "{"
                + ", ".join(f"{_scalar_text(k, rng)}: {render(v, rng, indent + 2)}" for k, v in value.items())
                + "}"
            )
        lines = []
        for k, v in value.items():
            body = render(v, rng, indent + 2)
            nested = isinstance(v, (dict, list)) and v and not body.startswith(("{", "[", "*", "&", "!"))
            lines.append(f"{pad}{_scalar_text(k, rng)}:" + (f"\n{body}" if nested else f" {body}"))
            if rng.random() < 0.05:
                lines.append(f"{pad}# {rng.choice(KEYS)}")
        return (prefix.rstrip() + "\n" if prefix else "") + "\n".join(lines)
    if isinstance(value, list) and value:
        if rng.random() < 0.3:
            return prefix + "[" + ", ".join(render(v, rng, indent + 2) for v in value) + "]"
        items = []
        for v in value:
            body = render(v, rng, indent + 2)
            if isinstance(v, (dict, list)) and v and not body.startswith(("{", "[", "*", "&", "!")):
                body = body.lstrip(" ")
            items.append(f"{pad}- {body}")
        return (prefix.rstrip() + "\n" if prefix else "") + "\n".join(items)
    return prefix + _scalar_text(value, rng, indent)


def _scalar_text(value: Any, rng: random.Random, indent: int = 0) -> str:
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    text = "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    style = rng.random()
    if style < 0.6:
        return text
    if style < 0.75:
        return "'" + text.replace("'", "''") + "'"
    if style < 0.9:
        return json.dumps(text)
    body = "\n".join(" " * (indent + 2) + line for line in text.split("\n"))
    return "|\n" + body


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    _value,
    st.sampled_from(["worker", "bundle", "workflow", "stack", "service", "worker"]),
    st.sampled_from(["v1beta", "v2alpha", "v1", "1"]),
    st.randoms(use_true_random=False),
)
@pytest.mark.slow
def test_random_manifests(body: Any, kind: str, version: str, rng: random.Random):
    section = {"v2alpha": "spec"}.get(version, kind)
    document = {"version": version, "name": "w", "type": kind, section: body}
    assert_well_formed(render(document, rng).encode("utf-8", errors="surrogatepass") + b"\n")


# ---------------------------------------------------------------- mutations of the real manifests

_OPS = ("flip", "delete", "duplicate", "indent", "dedent", "swap", "insert", "truncate")
_INSERTS = [
    b":",
    b"- ",
    b"[",
    b"{",
    b"}",
    b"'",
    b'"',
    b"#",
    b"&x ",
    b"*x",
    b"!!python/name:os.system ",
    b"\t",
    b"<<: *x\n",
    b"\xff",
    b"${{x}}",
    b"{{",
    b"\n---\n",
    b"|\n",
    b"? ",
]

Mutation = tuple[str, int, int, int]
_mutation = st.tuples(st.sampled_from(_OPS), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 255))


def mutate(data: bytes, ops: list[Mutation]) -> bytes:
    for op, a, b, byte in ops:
        lines = data.split(b"\n")
        if op == "flip" and data:
            i = a % len(data)
            data = data[:i] + bytes([byte]) + data[i + 1 :]
        elif op == "delete" and len(lines) > 1:
            del lines[a % len(lines)]
            data = b"\n".join(lines)
        elif op == "duplicate":
            i = a % len(lines)
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif op == "indent":
            i = a % len(lines)
            lines[i] = b" " * (1 + b % 4) + lines[i]
            data = b"\n".join(lines)
        elif op == "dedent":
            i = a % len(lines)
            lines[i] = lines[i][1 + b % 2 :]
            data = b"\n".join(lines)
        elif op == "swap":
            i, j = a % len(lines), b % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif op == "insert":
            i = a % (len(data) + 1)
            data = data[:i] + _INSERTS[b % len(_INSERTS)] + data[i:]
        elif op == "truncate" and data:
            data = data[: a % len(data)]
    return data


@pytest.mark.skipif(not CORPUS, reason="../shared is not present")
@settings(max_examples=1000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, max(len(CORPUS) - 1, 0)), st.lists(_mutation, min_size=1, max_size=4))
@pytest.mark.slow
def test_a_thousand_mutations_of_the_real_manifests(index: int, ops: list[Mutation]):
    name, data = CORPUS[index]
    assert_well_formed(mutate(data, ops), name)


def _seeded_mutations(count: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name, data = CORPUS[rng.randrange(len(CORPUS))]
        ops = [
            (rng.choice(_OPS), rng.randrange(10**6), rng.randrange(10**6), rng.randrange(256))
            for _ in range(rng.randint(1, 4))
        ]
        out.append((f"m{i:03}-{name}", mutate(data, ops)))
    return out


def test_mutations_through_the_cli(tmp_path: Path):
    """A seeded sample of mutated manifests through the real command: the same diagnostics as in process."""
    _needs(DATAOS)
    mutated = _seeded_mutations(120, seed=9)
    batches = [mutated[:60], mutated[60:]]
    for n, batch in enumerate(batches):
        folder = tmp_path / f"batch{n}"
        folder.mkdir()
        for name, data in batch:
            (folder / name).write_bytes(data)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(
            pool.map(
                lambda n: run_process("check", "--format", "json", "--no-cache", f"batch{n}", cwd=tmp_path),
                range(len(batches)),
            )
        )
    for n, (run, batch) in enumerate(zip(runs, batches)):
        assert run.returncode in (0, 1)
        assert "Traceback" not in run.stderr
        contents = {f"batch{n}/{name}": data for name, data in batch}
        by_path: dict[str, list[tuple[str, int, int, str]]] = {}
        for item in run.diagnostics:
            if item["path"] in contents:  # a Bundle's referenced files may be linted too
                assert json_problems(item, contents[item["path"]]) == []
            by_path.setdefault(item["path"], []).append((item["code"], item["line"], item["column"], item["message"]))
        for path, data in contents.items():
            if b"type: bundle" in data:
                continue  # a Bundle's referenced files resolve against its folder, which differs here
            # as reports show them: escaped, one line each
            expected = [
                (d.code, d.span.line, d.span.column, d.message) for d in safe_text.diagnostics(lint_text(data, path))
            ]
            assert by_path.get(path, []) == expected, path


# ---------------------------------------------------------------- determinism


def _corpus_copy(tmp_path: Path) -> list[str]:
    """The corpus, plus a few hostile files, in a folder of its own (so a cache can live beside it)."""
    folder = tmp_path / "files"
    shutil.copytree(DATAOS, folder, ignore=shutil.ignore_patterns("*.tsv"))
    (folder / "bomb.yaml").write_bytes(HEAD + b"a: &a [x, x]\nb: &b [*a, *a]\nworker: *b\n")
    (folder / "latin1.yaml").write_bytes(HEAD + b"description: caf\xe9\n")
    (folder / "deep.yaml").write_bytes(HEAD + b"worker: " + b"[" * 300 + b"]" * 300 + b"\n")
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_output_is_byte_identical_whatever_the_order_jobs_or_cache(tmp_path: Path, fmt: str):
    _needs(DATAOS)
    names = _corpus_copy(tmp_path)
    folder = tmp_path / "files"
    shuffled = names[:]
    random.Random(3).shuffle(shuffled)
    cache = str(tmp_path / "cache")
    past = time.time_ns() - 60 * 10**9
    for name in names[::2]:  # half the files old enough for the warm runs to take them on trust, unread
        os.utime(folder / name, ns=(past, past))
    runs: list[tuple[str, list[str]]] = [
        ("sorted, one job, no cache", ["--jobs", "1", "--no-cache", *names]),
        ("reversed, two jobs, no cache", ["--jobs", "2", "--no-cache", *reversed(names)]),
        ("shuffled, two jobs, cold cache", ["--jobs", "2", "--cache-dir", cache, *shuffled]),
        ("shuffled, one job, warm cache", ["--jobs", "1", "--cache-dir", cache, *shuffled]),
        ("the folder, warm cache", ["--jobs", "2", "--cache-dir", cache, "."]),
    ]
    outputs = {}
    for label, args in runs:
        run = run_cli("check", "--format", fmt, "--no-color", *args, cwd=folder)
        assert run.returncode == 1, label
        outputs[label] = run.stdout
    first = outputs[runs[0][0]]
    assert {label: out == first for label, out in outputs.items()} == {label: True for label, _ in runs}
    if fmt == "json":
        codes = {d["code"] for d in json.loads(first)["diagnostics"]}
        assert {"WL003", "WL010"} <= codes
