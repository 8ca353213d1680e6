"""`worker-lint server` reads only what the editor sent, and keeps nothing per text beyond the open documents."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import lsp_server
import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_lsp import _diagnostics

from worker_lint import api
from worker_lint.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
#: as an editor starts it (`worker-lint server`: the program's own start-up, its collector settings included),
#: with its address space bounded so that a read of `/dev/zero` fails here instead of filling the machine
SERVER = [
    sys.executable,
    "-c",
    "import resource, runpy\n"
    "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
    "runpy.run_module('worker_lint', run_name='__main__')",
    "server",
]
WAIT = 20

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or sys.platform != "linux", reason="FIFOs, /proc")


@pytest_asyncio.fixture
async def client():
    """A server of its own: what the process reads is what these tests test."""
    started = await lsp_server.start(SERVER, "visual-studio-code", ROOT, {"lint": {"run": "onType", "debounceMs": 0}})
    yield started
    await lsp_server.stop(started)


async def _open(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    )
    return await _diagnostics(client, uri)


async def _every_request_about(client: LanguageClient, uri: str) -> dict[str, Any]:
    """What the server answers, each within the wait, about a document the editor never opened."""
    document = types.TextDocumentIdentifier(uri=uri)
    where = types.Position(0, 3)
    requests: dict[str, Callable[[], Awaitable[Any]]] = {
        "hover": lambda: client.text_document_hover_async(types.HoverParams(document, where)),
        "codeAction": lambda: client.text_document_code_action_async(
            types.CodeActionParams(document, types.Range(where, where), types.CodeActionContext(diagnostics=[]))
        ),
        "documentSymbol": lambda: client.text_document_document_symbol_async(types.DocumentSymbolParams(document)),
        "completion": lambda: client.text_document_completion_async(types.CompletionParams(document, where)),
        "definition": lambda: client.text_document_definition_async(types.DefinitionParams(document, where)),
    }
    return {name: await asyncio.wait_for(request(), WAIT) for name, request in requests.items()}


def _answered_with_nothing(answers: dict[str, Any]) -> None:
    assert answers["hover"] is None
    assert list(answers["codeAction"]) == []
    assert list(answers["documentSymbol"]) == []
    assert list(answers["completion"].items) == [] and answers["completion"].is_incomplete is False
    assert answers["definition"] is None


async def _still_lints(client: LanguageClient, tmp_path: Path) -> None:
    found = await _open(client, tmp_path / "after.yaml", "version: v1beta\nname: After\ntype: worker\n")
    assert [(str(d.code), d.range.start.line, d.range.start.character) for d in found] == [
        ("WL101", 0, 0),
        ("WL106", 1, 6),
    ]


@pytest.mark.asyncio
async def test_requests_about_a_fifo_that_is_not_open_are_answered_at_once(
    client: LanguageClient, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    try:
        _answered_with_nothing(await _every_request_about(client, fifo.as_uri()))
        await _still_lints(client, tmp_path)
    finally:  # a server that opened the FIFO waits for a writer: give it one, so the test ends either way
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


@pytest.mark.asyncio
async def test_requests_about_dev_zero_are_answered_at_once_without_reading_it(
    client: LanguageClient, tmp_path: Path
) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    _answered_with_nothing(await _every_request_about(client, "file:///dev/zero"))
    await _still_lints(client, tmp_path)


@pytest.mark.asyncio
async def test_a_closed_document_is_not_read_from_the_disk_either(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "worker.yaml"
    path.write_text("version: v1beta\nname: Closed\ntype: worker\n", encoding="utf-8")
    found = await _open(client, path, path.read_text(encoding="utf-8"))
    assert [str(d.code) for d in found] == ["WL101", "WL106"]
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(path.as_uri())))
    _answered_with_nothing(await _every_request_about(client, path.as_uri()))


@pytest.mark.asyncio
async def test_a_bundle_naming_a_fifo_and_dev_zero_is_linted_at_once(client: LanguageClient, tmp_path: Path) -> None:
    """The one read the server makes itself, a Bundle's `file:` targets, goes through the bounded reading layer."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".worker-lint.yaml").write_text("select: [WL4]\n", encoding="utf-8")
    fifo = project / "pipe.yaml"
    os.mkfifo(fifo)
    (project / "zero.yaml").symlink_to("/dev/zero")
    bundle = project / "bundle.yaml"
    text = (
        "version: v1beta\nname: b\ntype: bundle\nbundle:\n  resources:\n"
        "    - id: p\n      file: pipe.yaml\n      workspace: public\n"
        "    - id: z\n      file: zero.yaml\n      workspace: public\n"
    )
    try:
        found = await _open(client, bundle, text)
        assert [(str(d.code), d.range.start.line, d.range.start.character) for d in found] == [
            ("WL413", 6, 12),
            ("WL413", 9, 12),
        ]
        definition = await asyncio.wait_for(
            client.text_document_definition_async(
                types.DefinitionParams(types.TextDocumentIdentifier(bundle.as_uri()), types.Position(6, 14))
            ),
            WAIT,
        )
        assert definition is None
        await _still_lints(client, tmp_path)
    finally:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _suppressed_manifest() -> str:
    return (
        "version: v1beta\n"
        "name: orders_relay  # worker-lint: disable=WL106 -- as deployed\n"
        "type: worker\n"
        "description: Relays orders – étape 1000\n"
        "workspace: public\n"
        "worker:\n"
        "  # worker-lint: disable-next-line=WL999 -- no such rule\n"
        '  replicas: "2"\n'
        "  compute: runnable-default\n"
        "  stack: bento\n"
        "  stackSpec:\n"
        "    input:\n"
        "      generate:\n"
        "        mapping: root = {}\n"
        "    output:\n"
        "      drop: {}\n"
    )


@pytest.mark.asyncio
async def test_memory_stays_flat_over_distinct_edits_of_a_manifest_with_an_unknown_code(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = _suppressed_manifest()
    path = tmp_path / "worker.yaml"
    uri = path.as_uri()
    found = await _open(client, path, text)
    assert [(str(d.code), d.range.start.line, d.range.start.character) for d in found] == [
        ("WL051", 6, 35),
        ("WL103", 7, 12),
    ]
    assert found[0].message == "`WL999` is not a worker-lint rule code"
    line = 3
    at = text.split("\n")[line].index("1000")
    current = "1000"
    pid = client._server.pid  # type: ignore[union-attr]
    sizes = {}
    for n in range(1, 1501):
        new = str(1000 + n)
        client.diagnostics.pop(uri, None)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=n + 1),
                [
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, at), types.Position(line, at + len(current))),
                        text=new,
                    )
                ],
            )
        )
        current = new
        assert [str(d.code) for d in await _diagnostics(client, uri)] == ["WL051", "WL103"]
        if n in (300, 1500):
            sizes[n] = _rss_mib(pid)
    # kept per text, this grew by about 20 KiB an edit: 25 MiB over these 1,200
    assert sizes[1500] - sizes[300] < 6, sizes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_suppressed_manifest(), id="suppression-with-an-unknown-code"),
        pytest.param("version: v1beta\nname: a\ntype: worker\nworker: [\n", id="syntax-error"),
        pytest.param("version: v1beta\nname: a:b:\ntype: worker\n", id="read-again-as-go-yaml-reads-it"),
    ],
)
def test_linting_a_text_leaves_no_reference_cycle_holding_it(text: str) -> None:
    def lint(edit: str) -> None:
        results = api.lint((), buffers={"worker.yaml": text + edit}, settings=Settings(), jobs=1, cache_dir=None)
        assert next(results)[1].diagnostics
        results.close()

    lint("# first\n")  # imports and one-time tables
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        lint("# second é\n")
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
