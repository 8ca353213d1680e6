"""Hostile input: alias bombs, code-running tags, deep nesting, huge lines, special files, bad encodings."""

from __future__ import annotations

import errno
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from conftest import Run
from hypothesis import given, settings
from hypothesis import strategies as st
from linting import lint_text

from worker_lint.core.diagnostic import Finding, Span
from worker_lint.document import guard, reading
from worker_lint.document.parse import Limits

HEAD = "version: v1beta\nname: w\ntype: worker\n"
VALID = HEAD + (
    "worker:\n  stack: container\n  compute: runnable-default\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
)


def found(text: str | bytes) -> list[tuple[str, int, int, int, int, str]]:
    return [
        (d.code, d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.message)
        for d in lint_text(text, "m.yaml")
    ]


def cli_found(run) -> list[tuple[str, str, int, int, str]]:
    return [(Path(d["path"]).name, d["code"], d["line"], d["column"], d["message"]) for d in run.diagnostics]


#: address space for each CLI run here: an input that escapes the limits fails the test with a
#: MemoryError instead of taking the machine's memory
_ADDRESS_SPACE = 2 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE, _ADDRESS_SPACE))


def bounded_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, drop: tuple[str, ...] = (), timeout: float = 120
) -> Run:
    """The CLI as `run_cli` runs it, with bounded memory, and a hang reported as exit code None.

    ``env`` adds variables to the environment and ``drop`` takes some away.
    """
    full = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", *drop)}
    full.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker_lint", *args],
        cwd=cwd,
        env=full,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_memory,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return Run(None, out.decode("utf-8", "replace"), f"timed out after {timeout} s")  # type: ignore[arg-type]
    return Run(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def billion_laughs(levels: int = 9) -> str:
    lines = [HEAD.rstrip("\n"), 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    lines.append(f"worker: *{chr(96 + levels)}")
    return "\n".join(lines) + "\n"


def child_peak_rss_kib(*args: str, cwd: Path | None = None) -> tuple[int, subprocess.CompletedProcess[bytes]]:
    """Run the CLI as the only child of a fresh interpreter and return that child's peak resident size."""
    probe = (
        "import resource, subprocess, sys\n"
        f"limit = {_ADDRESS_SPACE}\n"
        "cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, timeout=300, preexec_fn=cap)\n"
        "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
        "sys.stderr.write(str(done.returncode) + '\\n' + done.stdout.decode() + '\\n' + done.stderr.decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "worker_lint", *args],
        capture_output=True,
        cwd=cwd,
        timeout=600,
    )
    return int(done.stdout), done


# ---------------------------------------------------------------- alias bombs and recursive aliases

BOMB_MESSAGE = (
    "aliases in this document expand to more than 2,000,000 nodes (an alias bomb); it was not expanded or checked"
)


def test_billion_laughs_is_reported_not_expanded():
    text = billion_laughs()
    lint_text(VALID, "warm.yaml")  # imports and schema compilation are not the bomb's cost
    tracemalloc.start()
    try:
        result = found(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result == [("WL010", 1, 1, 1, 16, BOMB_MESSAGE)]
    # 9**9 = 387 million strings if expanded; composing the 90 written nodes costs next to nothing
    assert peak < 8 * 1024 * 1024


def test_billion_laughs_through_the_cli_keeps_memory_small(tmp_path: Path):
    (tmp_path / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    (tmp_path / "small.yaml").write_text(VALID, encoding="utf-8")
    baseline, _ = child_peak_rss_kib("check", "--format", "json", "--no-cache", "small.yaml", cwd=tmp_path)
    peak, done = child_peak_rss_kib("check", "--format", "json", "--no-cache", "bomb.yaml", cwd=tmp_path)
    report = done.stderr.decode().split("\n", 1)
    assert report[0] == "1"
    diagnostics = json.loads(report[1].rsplit("\n", 1)[0])["diagnostics"]
    assert [(d["code"], d["line"], d["message"]) for d in diagnostics] == [("WL010", 1, BOMB_MESSAGE)]
    assert peak < baseline + 32 * 1024  # KiB: within 32 MiB of linting a ten-line manifest


def test_recursive_alias_is_reported():
    text = HEAD + "worker: &w\n  stack: container\n  compute: runnable-default\n  self: *w\n"
    assert found(text) == [
        (
            "WL010",
            4,
            9,
            4,
            11,
            "this alias refers to a node that contains it (a recursive alias); it cannot be expanded",
        )
    ]


def test_alias_to_an_ancestor_in_a_sequence_is_reported():
    text = HEAD + "worker:\n  stack: container\n  compute: runnable-default\n  tags: &t [a, *t]\n"
    assert [f[:3] for f in found(text)] == [("WL010", 7, 9)]


# ---------------------------------------------------------------- tags that would run code


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:os.system",
    ],
)
def test_python_tags_are_never_constructed(tmp_path: Path, tag: str):
    marker = tmp_path / "MARKER"
    command = f"touch {marker}"
    text = VALID.replace("image: docker.io/library/alpine:3.20", f'image: {tag} ["{command}"]')
    (tmp_path / "evil.yaml").write_text(text, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "evil.yaml", cwd=tmp_path)
    assert not marker.exists()
    assert "Traceback" not in run.stderr
    assert run.returncode == 0  # WL005 is a warning: the value is read as the plain list it contains
    assert [(d["code"], d["severity"], d["line"], d["column"]) for d in run.diagnostics] == [
        ("WL005", "warning", 8, 12)
    ]
    assert run.diagnostics[0]["message"].startswith(f"tag `{tag}` is not something DataOS reads")


def test_python_tag_on_a_scalar_is_reported_and_kept_as_text():
    text = VALID.replace("image: docker.io/library/alpine:3.20", "image: !!python/name:os.system")
    assert found(text) == [
        (
            "WL005",
            8,
            12,
            8,
            35,
            "tag `!!python/name:os.system` is not something DataOS reads;"
            " the value is treated as the plain string it contains",
        )
    ]


# ---------------------------------------------------------------- no network


class _Listener:
    """A local HTTP server that records every request made to it."""

    def __init__(self) -> None:
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body = b'{"type": "string"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_custom_stack_schema_never_makes_the_linter_fetch_a_remote_ref(tmp_path: Path):
    # a Stack definition is repository content: its `$ref`s must never reach the network
    listener = _Listener()
    try:
        schema = '{"type": "object", "properties": {"message": {"$ref": "%s/leak?from=worker-lint"}}}' % listener.url
        (tmp_path / "stack.yaml").write_text(
            'name: echo-stack\nversion: v1alpha\ntype: stack\nstack:\n  name: echo\n  version: "1.0"\n'
            f"  stackSpecValueSchema:\n    jsonSchema: '{schema}'\n  workerConfig:\n    configFileTemplate: x\n",
            encoding="utf-8",
        )
        (tmp_path / "worker.yaml").write_text(
            HEAD + "worker:\n  stack: echo:1.0\n  compute: runnable-default\n  stackSpec:\n    message: 5\n",
            encoding="utf-8",
        )
        run = bounded_cli("check", "--format", "json", "--no-cache", "stack.yaml", "worker.yaml", cwd=tmp_path)
    finally:
        listener.close()
    assert listener.hits == []
    assert "Traceback" not in run.stderr
    assert [d["code"] for d in run.diagnostics if d["code"] == "WL900"] == []
    assert ("stack.yaml", "WL126", 8) in [(d["path"], d["code"], d["line"]) for d in run.diagnostics]


# ---------------------------------------------------------------- merge keys and anchors keep positions

MERGE_INLINE = (
    HEAD
    + """worker:
  <<: &base
    stack: container
    compute: runnable-default
    replicaz: 2
  stackSpec:
    image: docker.io/library/alpine:3.20
"""
)

MERGE_ALIAS = (
    HEAD
    + """defaults: &d
  stack: container
  compute: runnable-default
  replicaz: 2
worker:
  <<: *d
  stackSpec:
    image: docker.io/library/alpine:3.20
  logLevel: LOUD
"""
)


def test_anchors_and_merges_do_not_move_the_positions_around_them():
    codes = [(f[0], f[1], f[2]) for f in found(MERGE_ALIAS)]
    assert ("WL102", 4, 1) in codes  # `defaults` itself is unknown at the top level
    assert ("WL109", 12, 13) in codes  # after the merge, positions are unchanged


def test_alias_reports_at_the_anchored_text():
    text = HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n  tags: &t\n    - 5\n"
        "  stackSpec:\n    image: docker.io/library/alpine:3.20\n    command: *t\n"
    )
    assert [(f[0], f[1], f[2]) for f in found(text) if f[0] == "WL103"] == [("WL103", 8, 7)]


@pytest.mark.parametrize(
    ("text", "line", "column"), [(MERGE_INLINE, 8, 5), (MERGE_ALIAS, 7, 3)], ids=["inline", "alias"]
)
def test_a_merged_key_is_reported_where_it_is_written(text: str, line: int, column: int):
    wl102 = [f for f in found(text) if f[0] == "WL102" and "replicaz" in f[5]]
    assert [(f[1], f[2], f[3], f[4]) for f in wl102] == [(line, column, line, column + 8)]


# ---------------------------------------------------------------- nesting and long lines: the guard


def test_guard_measures_block_and_flow_nesting_exactly():
    assert guard.nesting_depth("a: 1\n").depth == 1
    assert guard.nesting_depth("a:\n- b\n- c: [d, {e: f}]\n").depth == 5
    assert guard.nesting_depth("- - - x\n").depth == 3
    assert guard.nesting_depth("k:\n  k:\n    k:\n      v\n").depth == 3
    assert guard.nesting_depth("[a: [b: c]]\n").depth == 4  # a pair in a flow sequence is a one-pair mapping
    assert guard.nesting_depth("a: |\n  [[[[\n  - - -\nb: '[[[['\nc: \"{{{\" # [[[\n").depth == 1
    assert guard.nesting_depth("a: b\n  [[[[ c\n").depth == 1  # a plain scalar's continuation line


def test_guard_stops_at_the_first_level_past_the_limit():
    text = "a:\n  b: " + "[" * 50 + "]" * 50 + "\n"
    depth = guard.nesting_depth(text, limit=10)
    assert (depth.depth, depth.offset) == (11, text.index("[") + 8)


def test_first_long_line_finds_the_first_line_over_the_limit():
    text = "a\n" + "b" * 10 + "\n" + "c" * 11 + "\n" + "d" * 12
    assert guard.first_long_line(text, 10) == 13
    assert guard.first_long_line(text, 12) is None
    assert guard.first_long_line("x" * 11, 10) == 0
    assert guard.first_long_line("", 10) is None


@pytest.mark.parametrize("shape", ["[", "{a: "], ids=["sequences", "mappings"])
def test_precheck_reports_deep_flow_nesting_where_it_passes_the_limit(shape: str):
    closing = "]" if shape == "[" else "}"
    text = HEAD + "worker:\n  x: " + shape * 10_000 + "y" + closing * 10_000 + "\n"
    # the root mapping and `worker`'s mapping are levels 1 and 2: the 199th bracket is level 201
    column = 6 + 198 * len(shape)
    assert guard.precheck(text, Limits()) == Finding(
        "WL010", (), "nesting deeper than 200 levels; the file was not parsed", span=Span(5, column, 5, column + 1)
    )


def test_precheck_reports_deep_block_nesting():
    text = HEAD + "worker:\n  x:\n    " + "- " * 10_000 + "y\n"
    finding = guard.precheck(text, Limits())
    # levels 1 and 2 are the root mapping and `worker`'s; the 199th `- ` is level 201
    assert finding is not None and (finding.code, finding.span) == ("WL010", Span(6, 5 + 2 * 198, 6, 6 + 2 * 198))
    indented = HEAD + "".join(" " * i + "k:\n" for i in range(300))
    finding = guard.precheck(indented, Limits())
    assert finding is not None and (finding.code, finding.span) == ("WL010", Span(204, 201, 204, 202))


def test_precheck_reports_the_first_long_line():
    text = HEAD + "description: " + "x" * (2 * 1024 * 1024) + "\n"
    assert guard.precheck(text, Limits()) == Finding(
        "WL013",
        (),
        "line 4 is longer than 1,048,576 characters; the file was not parsed (move the data to a file"
        " of its own, or raise `max-line-length` in the configuration)",
        span=Span(4, 1, 4, 2),
    )


def test_precheck_counts_lines_as_the_parser_does():
    text = "a: 1\rb: 2\r" + "x" * 20 + "\n"
    finding = guard.precheck(text, Limits(max_line_length=10))
    assert finding is not None and finding.span == Span(3, 1, 3, 2)


def test_precheck_passes_ordinary_manifests_untouched(shared: Path):
    for path in sorted((shared / "corpus" / "dataos").glob("*.yaml")):
        assert guard.precheck(path.read_text(encoding="utf-8"), Limits()) is None, path.name


def _event_depth(text: str) -> int:
    return _events(text)[0]


def _events(text: str) -> tuple[int, bool]:
    """The deepest nesting in the C parser's event stream up to its first error, and whether there was one."""
    from ruamel.yaml.cyaml import CSafeLoader
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    loader = CSafeLoader(text)
    depth = deepest = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except Exception:
        return deepest, True
    finally:
        loader.dispose()
    return deepest, False


def test_guard_agrees_with_the_parser_on_the_yaml_test_suite(shared: Path):
    disagree = []
    for path in sorted((shared / "corpus" / "yaml-test-suite").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        (events, error), scanned = _events(text), guard.nesting_depth(text).depth
        if events != scanned:
            disagree.append((path.stem, scanned, events, error))
    # wherever the parser reads the whole file, the guard counts exactly what it nests, except HM87-01
    # `[?x]`, where libyaml reads `?x` as an explicit key and YAML 1.2 as a plain scalar
    assert [d[:3] for d in disagree if not d[3]] == [("HM87-01", 1, 2)]
    # where the parser stops at an error, the guard may count a level the parser never reached, never miss more
    assert all(scanned >= events - 1 for _, scanned, events, _ in disagree)
    assert len(disagree) == 21


_ATOMS = [
    "[",
    "]",
    "{",
    "}",
    ",",
    ": ",
    ":",
    "- ",
    "-",
    "? ",
    "'",
    '"',
    "#",
    " #",
    "\n",
    "\n  ",
    "\n    ",
    " ",
    "a",
    "b c",
    "&x ",
    "!t ",
    "!<a,b> ",
    "*x",
    "|\n",
    ">\n",
    "\\",
    "''",
    "---\n",
    "...\n",
    "\t",
    "key: ",
    "- - ",
    "x: [",
    "\r",
    "\u2028",
]
_DEEP = ["[" * 300, "{a: " * 300, "- " * 300, "".join("  " * i + "k:\n" for i in range(300)), "[a: " * 300, "[? " * 300]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(_ATOMS), max_size=40),
    st.sampled_from(_DEEP),
    st.lists(st.sampled_from(_ATOMS), max_size=5),
)
@pytest.mark.slow
def test_no_prefix_hides_deep_nesting_from_the_guard(prefix: list[str], deep: str, suffix: list[str]):
    text = guard._LONE_BREAK.sub("\n", "".join(prefix) + deep + "".join(suffix))
    events = _event_depth(text)
    assert guard.nesting_depth(text).depth >= events - 1
    if events > 201:
        assert guard.nesting_depth(text, 200).offset is not None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_ATOMS), max_size=60))
def test_the_shortcut_never_passes_what_the_scan_would_stop(atoms: list[str]):
    text = "".join(atoms) * 8
    if guard._surely_shallow(text, 12):
        assert guard.nesting_depth(text).depth <= 12
        assert _event_depth(text) <= 12


DEEP_MESSAGE = "nesting deeper than 200 levels; the file was not parsed"


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ("worker:\n  x: " + "[" * 50_000 + "]" * 50_000 + "\n", 5, 204),
        ("worker:\n  x:\n    " + "- " * 50_000 + "y\n", 6, 401),
        ("worker:\n  x: " + "{a: " * 50_000 + "y" + "}" * 50_000 + "\n", 5, 798),
    ],
    ids=["flow-sequences", "block-sequences", "flow-mappings"],
)
def test_fifty_thousand_levels_through_the_cli(tmp_path: Path, body: str, line: int, column: int):
    # without the guard the C composer overflows the C stack at about 25,000 levels (SIGSEGV)
    (tmp_path / "deep.yaml").write_text(HEAD + body, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "deep.yaml", cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert (run.returncode, cli_found(run)) == (1, [("deep.yaml", "WL010", line, column, DEEP_MESSAGE)])


def test_ten_thousand_levels_in_process():
    text = HEAD + "worker:\n  x: " + "[" * 10_000 + "]" * 10_000 + "\n"
    assert found(text) == [("WL010", 5, 204, 5, 205, DEEP_MESSAGE)]


LONG_MESSAGE = (
    "line 4 is longer than 1,048,576 characters; the file was not parsed (move the data to a file of its"
    " own, or raise `max-line-length` in the configuration)"
)


@pytest.mark.parametrize("value", ["x" * 5_000_000, "[" + "a, " * 1_700_000 + "a]"], ids=["plain", "flow-items"])
def test_five_megabyte_line_through_the_cli(tmp_path: Path, value: str):
    # a 5 MB line of flow items costs the composer about 25 s and 450 MB; the guard reads it once
    (tmp_path / "long.yaml").write_text(HEAD + "description: " + value + "\nworker: {}\n", encoding="utf-8")
    run = bounded_cli("check", "--format", "text", "--no-cache", "long.yaml", cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert run.returncode == 1
    assert run.stdout.startswith(f"long.yaml:4:1: error WL013 {LONG_MESSAGE}\n")
    assert len(run.stdout) < 10_000  # the report must not echo the line


# ---------------------------------------------------------------- reading files


def test_read_manifest_reads_a_regular_file(tmp_path: Path):
    path = tmp_path / "ok.yaml"
    path.write_bytes(b"a: 1\n")
    assert reading.read_manifest(path, 100) == b"a: 1\n"
    assert reading.read_manifest(path, 5) == b"a: 1\n"


def _problem(code: str, message: str) -> Finding:
    return Finding(code, (), message, span=Span(1, 1, 1, 2))


class _Os:
    """The `os` module as `reading` sees it, with a few functions replaced (the real module stays untouched)."""

    def __init__(self, **replaced: object) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


def test_read_manifest_never_opens_special_files(tmp_path: Path):
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    (tmp_path / "d.yaml").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.yaml"))
        assert reading.read_manifest(tmp_path / "s.yaml", 100) == _problem(
            "WL012", "`s.yaml` is a socket, not a regular file; it was not read"
        )
    finally:
        sock.close()
    assert reading.read_manifest(fifo, 100) == _problem(
        "WL012", "`x.yaml` is a named pipe (FIFO), not a regular file; it was not read"
    )
    assert reading.read_manifest(tmp_path / "d.yaml", 100) == _problem(
        "WL012", "`d.yaml` is a directory, not a regular file; it was not read"
    )
    assert reading.read_manifest(Path("/dev/zero"), 100) == _problem(
        "WL012", "`zero` is a character device, not a regular file; it was not read"
    )


def test_read_manifest_explains_links(tmp_path: Path):
    os.symlink("loop-b.yaml", tmp_path / "loop-a.yaml")
    os.symlink("loop-a.yaml", tmp_path / "loop-b.yaml")
    os.symlink("nowhere.yaml", tmp_path / "dangling.yaml")
    assert reading.read_manifest(tmp_path / "loop-a.yaml", 100) == _problem(
        "WL012", "`loop-a.yaml` is a symbolic link loop; it was not read"
    )
    assert reading.read_manifest(tmp_path / "dangling.yaml", 100) == _problem(
        "WL012", "`dangling.yaml` is a broken symbolic link: its target `nowhere.yaml` does not exist"
    )
    assert reading.read_manifest(tmp_path / "missing.yaml", 100) == _problem("WL012", "`missing.yaml` does not exist")


def test_read_manifest_reports_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "secret.yaml"
    path.write_bytes(b"a: 1\n")

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(reading, "os", _Os(open=denied))
    assert reading.read_manifest(path, 100) == _problem("WL012", "`secret.yaml` cannot be read: permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_read_manifest_on_a_file_without_read_permission(tmp_path: Path):
    path = tmp_path / "secret.yaml"
    path.write_bytes(b"a: 1\n")
    path.chmod(0)
    assert reading.read_manifest(path, 100) == _problem("WL012", "`secret.yaml` cannot be read: permission denied")


TOO_LARGE = (
    "the file is larger than 100 bytes; it was not read (split it, or raise `max-file-size` in the"
    " configuration if it really is a manifest)"
)


def test_read_manifest_checks_the_size_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 101)
    opened: list[object] = []
    monkeypatch.setattr(reading, "os", _Os(open=lambda *a, **k: opened.append(a) or 0))
    assert reading.read_manifest(path, 100) == _problem("WL011", TOO_LARGE)
    assert opened == []


def test_read_manifest_stops_at_the_limit_when_the_file_grows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # the file is 10 MB, but stat and fstat say 10 bytes, as if it grew after they were taken
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"x" * 10_000_000)
    real_stat, real_fstat, real_read = os.stat, os.fstat, os.read
    read_sizes: list[int] = []

    def small(result: os.stat_result) -> os.stat_result:
        fields = list(result)
        fields[6] = 10
        return os.stat_result(fields)

    def counting_read(fd: int, size: int) -> bytes:
        chunk = real_read(fd, size)
        read_sizes.append(len(chunk))
        return chunk

    monkeypatch.setattr(
        reading,
        "os",
        _Os(stat=lambda p: small(real_stat(p)), fstat=lambda fd: small(real_fstat(fd)), read=counting_read),
    )
    assert reading.read_manifest(path, 100) == _problem("WL011", TOO_LARGE)
    assert sum(read_sizes) == 101


def test_read_manifest_rechecks_the_descriptor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # the path was a regular file when checked and is a FIFO when opened: the open must not block
    path = tmp_path / "swapped.yaml"
    os.mkfifo(path)
    real_stat = os.stat
    regular = real_stat(tmp_path)
    fields = list(regular)
    fields[0], fields[6] = 0o100644, 0
    monkeypatch.setattr(reading, "os", _Os(stat=lambda p: os.stat_result(fields) if Path(p) == path else real_stat(p)))
    assert reading.read_manifest(path, 100) == _problem(
        "WL012", "`swapped.yaml` is a named pipe (FIFO), not a regular file; it was not read"
    )


# ---------------------------------------------------------------- special files through the CLI


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    return tmp_path


def test_fifo_in_a_linted_folder_does_not_hang(folder: Path):
    os.mkfifo(folder / "x.yaml")
    run = bounded_cli("check", "--format", "json", "--no-cache", ".", cwd=folder, timeout=30)
    assert "Traceback" not in run.stderr
    assert (run.returncode, cli_found(run)) == (
        1,
        [("x.yaml", "WL012", 1, 1, "`x.yaml` is a named pipe (FIFO), not a regular file; it was not read")],
    )


def test_fifo_named_on_the_command_line_does_not_hang_the_text_report(folder: Path):
    os.mkfifo(folder / "x.yaml")
    run = bounded_cli("check", "--format", "text", "--no-cache", "x.yaml", "good.yaml", cwd=folder, timeout=30)
    assert run.returncode == 1
    assert run.stdout.startswith(
        "x.yaml:1:1: error WL012 `x.yaml` is a named pipe (FIFO), not a regular file; it was not read\n"
    )


def test_device_named_on_the_command_line_is_not_read(folder: Path):
    run = bounded_cli("check", "--format", "json", "--no-cache", "/dev/zero", cwd=folder)
    assert "Traceback" not in run.stderr
    assert (run.returncode, cli_found(run)) == (
        1,
        [("zero", "WL012", 1, 1, "`zero` is a character device, not a regular file; it was not read")],
    )


def test_directory_named_like_a_manifest_is_walked_not_read(folder: Path):
    (folder / "d.yaml").mkdir()
    (folder / "d.yaml" / "inner.yaml").write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    expected = [("d.yaml/inner.yaml", "WL101", 4, "missing required field `compute` in `worker`")]
    for argument in (".", "d.yaml"):
        run = bounded_cli("check", "--format", "json", "--no-cache", argument, cwd=folder)
        assert [(d["path"], d["code"], d["line"], d["message"]) for d in run.diagnostics] == expected


def test_links_in_a_linted_folder(folder: Path):
    os.symlink("loop-b.yaml", folder / "loop-a.yaml")
    os.symlink("loop-a.yaml", folder / "loop-b.yaml")
    os.symlink("nowhere.yaml", folder / "dangling.yaml")
    os.symlink("good.yaml", folder / "alias.yaml")
    run = bounded_cli("check", "--format", "json", "--no-cache", ".", cwd=folder)
    assert "Traceback" not in run.stderr
    assert (run.returncode, cli_found(run)) == (
        1,
        [
            (
                "dangling.yaml",
                "WL012",
                1,
                1,
                "`dangling.yaml` is a broken symbolic link: its target `nowhere.yaml` does not exist",
            ),
            ("loop-a.yaml", "WL012", 1, 1, "`loop-a.yaml` is a symbolic link loop; it was not read"),
            ("loop-b.yaml", "WL012", 1, 1, "`loop-b.yaml` is a symbolic link loop; it was not read"),
        ],
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_through_the_cli(folder: Path):
    (folder / "secret.yaml").write_text(VALID, encoding="utf-8")
    (folder / "secret.yaml").chmod(0)
    run = bounded_cli("check", "--format", "json", "--no-cache", ".", cwd=folder)
    assert (run.returncode, cli_found(run)) == (
        1,
        [("secret.yaml", "WL012", 1, 1, "`secret.yaml` cannot be read: permission denied")],
    )


def test_utf16_and_invalid_utf8_through_the_cli(folder: Path):
    (folder / "utf16.yaml").write_bytes("\ufeff".encode("utf-16-le") + VALID.encode("utf-16-le"))
    (folder / "utf16be.yaml").write_bytes(b"\xfe\xff" + VALID.encode("utf-16-be"))
    (folder / "latin1.yaml").write_bytes(VALID.replace("name: w", "name: caf\u00e9").encode("latin-1"))
    (folder / "binary.yaml").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00")
    run = bounded_cli("check", "--format", "json", "--no-cache", ".", cwd=folder)
    assert "Traceback" not in run.stderr
    assert (run.returncode, cli_found(run)) == (
        1,
        [
            ("binary.yaml", "WL003", 1, 8, "the file contains a NUL byte; it is binary, not YAML"),
            ("latin1.yaml", "WL003", 2, 10, "byte 0xe9 is not valid UTF-8; save the file as UTF-8"),
            ("utf16.yaml", "WL003", 1, 1, "the file is UTF-16-encoded; save it as UTF-8"),
            ("utf16be.yaml", "WL003", 1, 1, "the file is UTF-16-encoded; save it as UTF-8"),
        ],
    )


def test_random_binary_files_named_yaml(tmp_path: Path):
    rng = random.Random(9)
    for i in range(20):
        (tmp_path / f"blob{i:02}.yaml").write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000))))
    run = bounded_cli("check", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert run.returncode in (0, 1)
    assert all(d["code"] in ("WL003",) for d in run.diagnostics)


@pytest.mark.slow
def test_peak_memory_of_a_run_is_bounded_by_the_guard(tmp_path: Path):
    # the flow-item line that costs the composer hundreds of megabytes is refused before parsing
    (tmp_path / "long.yaml").write_text(HEAD + "tags: [" + "a, " * 1_000_000 + "a]\n", encoding="utf-8")
    (tmp_path / "small.yaml").write_text(VALID, encoding="utf-8")
    baseline, _ = child_peak_rss_kib("check", "--format", "json", "--no-cache", "small.yaml", cwd=tmp_path)
    peak, done = child_peak_rss_kib("check", "--format", "json", "--no-cache", "long.yaml", cwd=tmp_path)
    assert done.stderr.decode().startswith("1\n")
    assert peak < baseline + 64 * 1024


# ---------------------------------------------------------------- writes: never over a manifest, never half a file


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_a_write_option_naming_a_linted_manifest_is_refused(tmp_path: Path, option: str):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    before = manifest.read_bytes()
    run = bounded_cli("check", "--no-cache", option, "m.yaml", "m.yaml", cwd=tmp_path)
    assert manifest.read_bytes() == before
    assert run.returncode == 2
    assert "Traceback" not in run.stderr


def test_writes_leave_no_temporary_files(tmp_path: Path):
    (tmp_path / "m.yaml").write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    bounded_cli("check", "--cache-dir", "cache", "--output", "report.txt", "m.yaml", cwd=tmp_path)
    bounded_cli("check", "--no-cache", "--write-baseline", "baseline.json", "m.yaml", cwd=tmp_path)
    assert sorted(p.name for p in tmp_path.rglob("*.tmp")) == []
    assert (
        (tmp_path / "report.txt")
        .read_text(encoding="utf-8")
        .startswith("m.yaml:4:1: error WL101 missing required field `compute` in `worker`\n")
    )


def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path):
    (tmp_path / "m.yaml").write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    first = bounded_cli("check", "--format", "json", "--cache-dir", "cache", "m.yaml", cwd=tmp_path)
    entries = [p for p in (tmp_path / "cache").rglob("*.json")]
    assert len(entries) == 1
    entries[0].write_bytes(entries[0].read_bytes()[:7])  # as a killed writer without the rename would never leave
    second = bounded_cli("check", "--format", "json", "--cache-dir", "cache", "m.yaml", cwd=tmp_path)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    (result,) = json.loads(entries[0].read_bytes())["files"].values()
    assert result[-1][0]["code"] == "WL101"
