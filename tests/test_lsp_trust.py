"""`worker-lint server` keeps nothing per text beyond the open documents."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

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


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=ROOT.as_uri(),
            initialization_options={"lint": {"run": "onType", "debounceMs": 0}},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The next diagnostics published for ``uri`` (the caller pops the last ones before it changes the document)."""

    async def wait() -> list[types.Diagnostic]:
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[uri])

    return await asyncio.wait_for(wait(), WAIT)


async def _open(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    )
    return await _diagnostics(client, uri)


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
