"""The language server's packaging and its plain parts: positions, suppression edits, fixes as code actions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from conftest import run_cli

from worker_lint.core.diagnostic import Diagnostic, Severity, Span
from worker_lint.lsp import actions
from worker_lint.lsp.text import UTF8, UTF16, UTF32, Position, TextMap

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_a_clean_check_imports_nothing_of_the_language_server() -> None:
    run = _run(
        "import sys\nfrom worker_lint.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')"
        " or m.startswith('worker_lint.lsp')))",
        "check",
        "examples/good/sleep-worker.yaml",
    )
    assert run.stdout.splitlines()[-1] == "[]", run.stdout + run.stderr


def test_without_the_extra_the_server_says_how_to_install_it_and_exits_2() -> None:
    run = _run("import sys\nsys.modules['pygls'] = None\nfrom worker_lint.console import main\nmain()", "server")
    assert run.returncode == 2
    assert "pip install 'worker-lint[lsp]'" in run.stderr
    assert run.stdout == ""


def test_the_command_line_lists_the_server() -> None:
    run = run_cli("--help")
    assert "server" in run.stdout and "language server" in run.stdout


# -- positions -------------------------------------------------------------------------------------------------------


def _to_editor(mapped: TextMap, line: int, column: int) -> Position:
    """The editor position of worker-lint's 1-based line and column, as the server places a diagnostic."""
    return mapped.position(mapped.offset_of(line, column))


def test_columns_convert_per_line_in_each_encoding() -> None:
    text = 'a: x\nname: "é😀x"\n'
    # worker-lint's column 12 is one past the closing quote (code points)
    assert _to_editor(TextMap(text, UTF32), 2, 12) == Position(1, 11)
    assert _to_editor(TextMap(text, UTF16), 2, 12) == Position(1, 12)
    assert _to_editor(TextMap(text, UTF8), 2, 12) == Position(1, 15)
    for encoding in (UTF8, UTF16, UTF32):
        mapped = TextMap(text, encoding)
        assert mapped.offset(_to_editor(mapped, 2, 12)) == text.index('"\n') + 1


def test_lines_the_parser_counts_but_editors_do_not() -> None:
    # a line separator (U+2028) is a line break to YAML, not to an editor; a BOM is not in worker-lint's text
    text = "\ufeffa: 1\u2028b: 2\r\nc: 3\rd: x\n"
    mapped = TextMap(text)
    assert _to_editor(mapped, 1, 1) == Position(0, 1)  # after the BOM
    assert _to_editor(mapped, 2, 1) == Position(0, 6)  # after the LS, still on the editor's first line
    assert _to_editor(mapped, 3, 1) == Position(1, 0)
    assert _to_editor(mapped, 4, 4) == Position(2, 3)
    assert _to_editor(mapped, 4, 99) == Position(2, 4)  # kept within the line


# -- suppression edits -----------------------------------------------------------------------------------------------


def _edited(text: str, action: actions.Action | None) -> str:
    assert action is not None
    return actions.apply(text, action.edits)


def test_a_trailing_directive_or_a_code_added_to_the_one_there() -> None:
    text = "a: 1\nb: 2  # worker-lint: disable=WL201 -- known\n"
    assert (
        _edited(text, actions.disable_for_line(TextMap(text), "WL102", 1))
        == "a: 1  # worker-lint: disable=WL102\nb: 2  # worker-lint: disable=WL201 -- known\n"
    )
    assert (
        _edited(text, actions.disable_for_line(TextMap(text), "WL102", 2))
        == "a: 1\nb: 2  # worker-lint: disable=WL201,WL102 -- known\n"
    )


def test_next_line_form_where_a_trailing_comment_would_be_text() -> None:
    text = "spec:\n  query: |\n    select 1\n  name: 'a\n    b'\n"
    assert (
        _edited(text, actions.disable_for_line(TextMap(text), "WL300", 2))
        == "spec:\n  # worker-lint: disable-next-line=WL300\n  query: |\n    select 1\n  name: 'a\n    b'\n"
    )
    assert (
        _edited(text, actions.disable_for_line(TextMap(text), "WL106", 4))
        == "spec:\n  query: |\n    select 1\n  # worker-lint: disable-next-line=WL106\n  name: 'a\n    b'\n"
    )
    # inside the block's own lines nothing YAML reads as a comment can be written
    assert actions.disable_for_line(TextMap(text), "WL300", 3) is None


def test_file_directive_at_the_top_or_extended() -> None:
    text = "a: 1\r\n"
    assert (
        _edited(text, actions.disable_for_file(TextMap(text), "WL102"))
        == "# worker-lint: disable-file=WL102\r\na: 1\r\n"
    )
    text = "a: 1\n# worker-lint: disable-file=WL301 -- generated\n"
    assert (
        _edited(text, actions.disable_for_file(TextMap(text), "WL102"))
        == "a: 1\n# worker-lint: disable-file=WL301,WL102 -- generated\n"
    )
    assert actions.disable_for_file(TextMap("# worker-lint: disable-file\n"), "WL102") is None


# -- fixes: what diagnostics will carry ------------------------------------------------------------------------------


class _Edit(NamedTuple):
    start: int
    end: int
    content: str
    span: Span


class _Fix(NamedTuple):
    title: str
    applicability: str
    edits: tuple[_Edit, ...]


class _Fixable(NamedTuple):
    """A diagnostic as the fix model shapes it: the fields of Diagnostic, and ``fixes``."""

    path: str
    span: Span
    code: str
    name: str
    severity: Severity
    message: str
    fixes: tuple[_Fix, ...] = ()


def _diagnostic(fixes: tuple[_Fix, ...]) -> Diagnostic:
    return _Fixable("w.yaml", Span(1, 1, 1, 10), "WL102", "unknown-field", Severity.ERROR, "m", fixes)  # type: ignore[return-value]


def test_fixes_become_quick_fixes_unsafe_ones_titled_so_display_only_ones_left_out() -> None:
    text = "\ufeffstackspec: {}\n"
    rename = _Fix("Rename to `stackSpec`", "safe", (_Edit(0, 9, "stackSpec", Span(1, 1, 1, 10)),))
    unsafe = _Fix("Remove the key", "unsafe", (_Edit(0, 13, "", Span(1, 1, 1, 14)),))
    shown = _Fix("Pick a value", "display-only", (_Edit(0, 1, "x", Span(1, 1, 1, 2)),))
    made = actions.fix_actions(TextMap(text), _diagnostic((rename, unsafe, shown)))
    assert [(a.title, a.preferred) for a in made] == [
        ("Rename to `stackSpec`", True),
        ("Remove the key (unsafe)", False),
    ]
    assert actions.apply(text, made[0].edits) == "\ufeffstackSpec: {}\n"  # offsets count from after the BOM
    assert actions.fix_actions(TextMap(text), _diagnostic(())) == []


def test_fix_all_takes_safe_fixes_that_do_not_overlap() -> None:
    text = "aa: 1\nbb: 2\n"
    first = _Fix("a", "safe", (_Edit(0, 2, "AA", Span(1, 1, 1, 3)),))
    clash = _Fix("a2", "safe", (_Edit(1, 2, "Z", Span(1, 2, 1, 3)),))
    second = _Fix("b", "safe", (_Edit(6, 8, "BB", Span(2, 1, 2, 3)),))
    risky = _Fix("c", "unsafe", (_Edit(9, 10, "9", Span(2, 4, 2, 5)),))
    every = actions.fix_all(
        TextMap(text), [_diagnostic((first,)), _diagnostic((clash,)), _diagnostic((second,)), _diagnostic((risky,))]
    )
    assert every is not None and every.kind == "source.fixAll.worker-lint"
    assert actions.apply(text, every.edits) == "AA: 1\nBB: 2\n"


def test_handled_notifications_leave_nothing_behind() -> None:
    """pygls files a future per notification its generator handlers run (`didChange`); the server drops them."""
    from worker_lint.lsp.server import WorkerLintServer

    protocol = WorkerLintServer().protocol
    calls = []

    def handler(*args: object) -> object:
        calls.append(args)
        yield (lambda *given: calls.append(given)), ("typed",), None

    for number in range(1000):
        protocol._execute_handler(f"notification-{number}", handler, protocol._check_handler_result, args=(number,))
    assert len(calls) == 2000
    assert protocol._request_futures == {}


def test_the_api_reads_open_documents_where_a_bundle_names_them(tmp_path: Path) -> None:
    from worker_lint import api

    worker = tmp_path / "worker.yaml"
    worker.write_text((ROOT / "examples" / "good" / "sleep-worker.yaml").read_text())
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(
        "version: v1beta\nname: b\ntype: bundle\nbundle:\n  resources:\n"
        "    - id: w\n      file: worker.yaml\n      workspace: public\n"
    )
    on_disk = {display: [d.code for d in result.diagnostics] for display, result in api.lint([str(bundle)])}
    assert list(on_disk.values()) == [[], []]
    unsaved = {str(worker): "version: v1beta\nname: Bad_Name\ntype: worker\n"}
    found = {
        display: [(d.code, d.span.line) for d in result.diagnostics]
        for display, result in api.lint([str(bundle)], unsaved=unsaved)
    }
    # the Bundle still sees a Worker; the Worker it names is linted as it is in the editor
    assert [v for k, v in found.items() if k.endswith("bundle.yaml")] == [[]]
    worker_found = next(v for k, v in found.items() if k.endswith("worker.yaml"))
    assert ("WL106", 2) in worker_found
    unsaved = {str(worker): ""}
    found = {
        display: [(d.code, d.message) for d in result.diagnostics]
        for display, result in api.lint([str(bundle)], unsaved=unsaved)
    }
    assert [v for k, v in found.items() if k.endswith("bundle.yaml")] == [
        [("WL415", "`worker.yaml` is empty; it holds no manifest to apply")]
    ]


def _frame(message: dict[str, object]) -> bytes:
    import json

    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_the_server_exits_as_the_protocol_says_without_a_traceback() -> None:
    start = _frame(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}},
        }
    ) + _frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    shutdown = _frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    leave = _frame({"jsonrpc": "2.0", "method": "exit"})
    for tail, status, answers in ((shutdown + leave, 0, 2), (leave, 1, 1), (b"", 1, 1)):
        run = subprocess.run(
            [sys.executable, "-m", "worker_lint", "server"],
            input=start + tail,
            capture_output=True,
            timeout=60,
            cwd=ROOT,
        )
        assert (run.returncode, run.stderr, run.stdout.count(b"Content-Length")) == (status, b"", answers)
