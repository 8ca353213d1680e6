"""`worker-lint server` over the protocol, as VS Code, Neovim and Emacs start it (pytest-lsp's client profiles)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import lsp_server
import pytest
import pytest_asyncio
import pytest_lsp  # the `test` extra installs it, with the `lsp` extra
from lsp_server import SharedServer
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from worker_lint.core.diagnostic import Diagnostic
from worker_lint.dataos import bento
from worker_lint.lsp import actions
from worker_lint.lsp.text import Position, TextMap

ROOT = Path(__file__).resolve().parents[1]
SERVER = [sys.executable, "-c", "from worker_lint.cli import main; main()", "server"]
#: pytest-lsp's client profiles, and the position encoding each negotiates (VS Code offers UTF-16 only)
ENCODINGS = {"visual-studio-code": "utf-16", "neovim": "utf-8", "emacs": "utf-32"}
WAIT = 20


#: as the tests' editors configure it: every keystroke linted at once
OPTIONS = {"lint": {"run": "onType", "debounceMs": 0}}

# the tests, and the fixtures that hand them a client, run in the module's event loop: the one of the shared servers
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=list(ENCODINGS))
async def server(request: pytest.FixtureRequest):
    """One server per client profile, shared by the module's tests of what the server answers."""
    shared = SharedServer(SERVER, request.param, ROOT, OPTIONS)
    client = await shared.get()
    assert client.encoding == ENCODINGS[request.param]  # type: ignore[attr-defined]
    yield shared
    await shared.close()


@pytest_asyncio.fixture(loop_scope="module")
async def client(server: SharedServer, request: pytest.FixtureRequest):
    """The profile's shared server, as a new one would be: no document open, the start-up settings."""
    yield await server.get()
    await server.after(request)


async def _open(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=uri,
                language_id="yaml",
                version=version,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )
    await _diagnostics(client, uri)
    return uri


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    async def wait() -> list[types.Diagnostic]:
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[uri])

    return await asyncio.wait_for(wait(), WAIT)


async def _change(client: LanguageClient, uri: str, text: str, version: int) -> list[types.Diagnostic]:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await _diagnostics(client, uri)


async def _until(client: LanguageClient, uri: str, codes: list[str]) -> list[types.Diagnostic]:
    """The first diagnostics published for ``uri`` with these codes (others may be in flight before them)."""

    async def wait() -> list[types.Diagnostic]:
        while [str(d.code) for d in client.diagnostics.get(uri, ())] != codes:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[uri])

    return await asyncio.wait_for(wait(), WAIT)


def _codes(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int, int]]:
    return [(str(d.code), d.range.start.line, d.range.start.character, d.range.end.character) for d in diagnostics]


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply edits as a client does (UTF-16 positions here: the tests' texts keep to the BMP where it matters)."""
    mapped = TextMap(text)
    made = [
        actions.TextEdit(
            mapped.offset(Position(e.range.start.line, e.range.start.character)),
            mapped.offset(Position(e.range.end.line, e.range.end.character)),
            e.new_text,
        )
        for e in edits
    ]
    return actions.apply(text, made)


BAD = ROOT / "examples" / "bad" / "replicas-and-typos.yaml"
#: the quick fixes WL102 offers on `stackspec` once diagnostics carry fixes (the autofix model); none before
STACKSPEC_FIXES = ["Rename `stackspec` to `stackSpec`"] if "fixes" in Diagnostic._fields else []
#: with fixes, the fix-all source action comes last whenever the request does not filter kinds
FIX_ALL = ["Fix all safe worker-lint problems"] if STACKSPEC_FIXES else []


async def test_open_publishes_the_command_lines_diagnostics(client: LanguageClient) -> None:
    uri = await _open(client, BAD)
    found = client.diagnostics[uri]
    assert _codes(found) == [("WL106", 2, 6, 18), ("WL103", 6, 12, 17), ("WL102", 8, 2, 11)]
    unknown = found[2]
    assert unknown.source == "worker-lint"
    assert unknown.severity == types.DiagnosticSeverity.Error
    assert unknown.message == "unknown field `stackspec` in `spec`; did you mean `stackSpec`?"
    assert unknown.code_description is not None
    assert unknown.code_description.href.startswith("file://")
    assert unknown.code_description.href.endswith("/WL102-unknown-field.md")


async def test_change_relints_and_columns_count_utf16_units(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    text = BAD.read_text()
    path.write_text(text)
    uri = await _open(client, path)
    fixed = text.replace("Sleep_Worker", "sleep-worker")
    assert [c for c, *_ in _codes(await _change(client, uri, fixed, 2))] == ["WL103", "WL102"]
    # the end counts an astral character and an accented one in the negotiated units: the VS Code profile
    # offers UTF-16 only, Neovim's prefers UTF-8, Emacs's UTF-32
    astral = fixed.replace('replicas: "two"', 'replicas: {"\U0001f600x": 1, "é": "two"}')
    found = await _change(client, uri, astral, 3)
    end = {"utf-8": 37, "utf-16": 34, "utf-32": 33}[client.encoding]  # type: ignore[attr-defined]
    assert ("WL103", 6, 12, end) in _codes(found)


async def test_hover_on_a_diagnostic_and_on_a_code_in_a_comment(client: LanguageClient, tmp_path: Path) -> None:
    uri = await _open(client, BAD)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(8, 4))
    )
    assert hover is not None
    assert "WL102" in hover.contents.value and "unknown-field" in hover.contents.value
    assert "## " in hover.contents.value or hover.contents.kind == types.MarkupKind.PlainText
    path = tmp_path / "c.yaml"
    path.write_text("# worker-lint: disable-file=WL301 -- generated\nversion: v1beta\n")
    uri2 = await _open(client, path)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri2), types.Position(0, 30))
    )
    assert hover is not None and "WL301" in hover.contents.value
    nothing = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri2), types.Position(1, 2))
    )
    assert nothing is None


async def test_suppression_actions_edit_the_buffer_and_silence_the_diagnostic(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = tmp_path / "w.yaml"
    text = BAD.read_text()
    path.write_text(text)
    uri = await _open(client, path)
    unknown = client.diagnostics[uri][2]
    got = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), unknown.range, types.CodeActionContext([unknown]))
    )
    titles = [a.title for a in got]
    assert titles == [*STACKSPEC_FIXES, "Disable WL102 for this line", "Disable WL102 for this file", *FIX_ALL]
    quick = [a for a in got if a.kind == "quickfix"]
    assert [list(a.diagnostics or ()) for a in quick] == [[unknown]] * len(quick)
    assert len(quick) == len(got) - len(FIX_ALL)
    by_title = {a.title: a for a in got}
    edited = _apply(text, by_title["Disable WL102 for this line"].edit.changes[uri])
    assert edited.splitlines()[8] == "  stackspec:  # worker-lint: disable=WL102"
    assert [c for c, *_ in _codes(await _change(client, uri, edited, 2))] == ["WL106", "WL103"]
    edited = _apply(text, by_title["Disable WL102 for this file"].edit.changes[uri])
    assert edited.startswith("# worker-lint: disable-file=WL102\n# Three common")
    assert [c for c, *_ in _codes(await _change(client, uri, edited, 3))] == ["WL106", "WL103"]
    if STACKSPEC_FIXES:  # the fix itself, applied as the client would
        assert got[0].is_preferred
        edited = _apply(text, got[0].edit.changes[uri])
        assert edited.splitlines()[8] == "  stackSpec:"
        assert [c for c, *_ in _codes(await _change(client, uri, edited, 4))] == ["WL106", "WL103"]


async def test_suppression_goes_above_a_line_that_ends_inside_a_string(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    text = 'version: v1beta\nname: "Bad_Name\n  continued"\ntype: worker\n'
    path.write_text(text)
    uri = await _open(client, path)
    bad = next(d for d in client.diagnostics[uri] if d.code == "WL106")
    got = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), bad.range, types.CodeActionContext([bad]))
    )
    line_action = next(a for a in got if a.title == "Disable WL106 for this line")
    edited = _apply(text, line_action.edit.changes[uri])
    assert edited.splitlines()[1:3] == ["# worker-lint: disable-next-line=WL106", 'name: "Bad_Name']
    assert "WL106" not in [c for c, *_ in _codes(await _change(client, uri, edited, 2))]


async def test_code_actions_are_recomputed_not_read_from_the_request(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(BAD.read_text())
    uri = await _open(client, path)
    stale = types.Diagnostic(
        types.Range(types.Position(8, 2), types.Position(8, 11)),
        "old",
        code="WL999",
        source="worker-lint",
        data={"fix": "rm -rf"},
    )
    got = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), stale.range, types.CodeActionContext([stale]))
    )
    assert [a.title for a in got] == [
        *STACKSPEC_FIXES,
        "Disable WL102 for this line",
        "Disable WL102 for this file",
        *FIX_ALL,
    ]


async def test_a_bundle_sees_the_unsaved_worker_it_names(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".worker-lint.yaml").write_text("select: [WL4]\n")
    worker = tmp_path / "worker.yaml"
    worker.write_text((ROOT / "examples" / "good" / "sleep-worker.yaml").read_text())
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(
        "version: v1beta\nname: b\ntype: bundle\nbundle:\n  resources:\n"
        "    - id: w\n      file: worker.yaml\n      workspace: public\n"
        "    - id: x\n      file: worker.yaml\n      dependencies: [w]\n      workspace: public\n"
    )
    bundle_uri = await _open(client, bundle)
    assert list(client.diagnostics[bundle_uri]) == []
    worker_uri = await _open(client, worker)
    await _change(client, worker_uri, "", 2)  # emptied in the editor, not on disk
    found = await _until(client, bundle_uri, ["WL415", "WL415"])
    assert found[0].message == "`worker.yaml` is empty; it holds no manifest to apply"
    assert found[0].range.start == types.Position(6, 12)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(worker_uri)))
    assert await _until(client, bundle_uri, []) == []  # closed: the Bundle reads the file on disk again


def _bundle_of_three(folder: Path) -> str:
    """A Bundle naming three Workers in `workers/`, each on disk; its text, whose description is edited."""
    (folder / ".worker-lint.yaml").write_text("select: [WL4]\n")
    (folder / "workers").mkdir()
    worker = (ROOT / "examples" / "good" / "sleep-worker.yaml").read_text()
    items = ""
    for n in range(3):
        (folder / "workers" / f"w{n}.yaml").write_text(worker.replace("sleep-worker", f"w{n}"))
        items += f"    - id: w{n}\n      file: workers/w{n}.yaml\n      workspace: public\n"
    return "version: v1beta\nname: b\ntype: bundle\ndescription: v1\nbundle:\n  resources:\n" + items


async def test_a_keystroke_in_a_bundle_reads_a_worker_changed_on_disk_again(
    client: LanguageClient, tmp_path: Path
) -> None:
    """What the Bundle's files hold is remembered by their contents: a file changed on disk is never answered stale."""
    text = _bundle_of_three(tmp_path)
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(text)
    uri = await _open(client, bundle)
    assert list(client.diagnostics[uri]) == []
    assert await _change(client, uri, text.replace("v1\n", "v2\n", 1), 2) == []  # the same files again
    worker = tmp_path / "workers" / "w1.yaml"
    kept = worker.read_text()
    worker.write_text("just: text\n")  # no watcher tells the server: the next keystroke must see it
    found = await _change(client, uri, text.replace("v1\n", "v3\n", 1), 3)
    assert _codes(found) == [("WL415", 10, 12, 27)]
    assert found[0].message == (
        "`workers/w1.yaml` is not a DataOS resource manifest: no document in it has a `type` naming a DataOS"
        " resource and a `name` or `version`, nor a `name`, a DataOS `version` and a body section such as `worker:`"
    )
    worker.write_text(kept)  # back to what it held: the remembered answer for these bytes
    assert await _change(client, uri, text.replace("v1\n", "v4\n", 1), 4) == []


async def test_an_edit_of_an_open_worker_updates_the_bundle_naming_it(client: LanguageClient, tmp_path: Path) -> None:
    text = _bundle_of_three(tmp_path)
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(text)
    bundle_uri = await _open(client, bundle)
    worker = tmp_path / "workers" / "w2.yaml"
    worker_uri = await _open(client, worker)
    kept = worker.read_text()
    await _change(client, worker_uri, "", 2)  # emptied in the editor, not on disk
    found = await _until(client, bundle_uri, ["WL415"])
    assert _codes(found) == [("WL415", 13, 12, 27)]
    assert found[0].message == "`workers/w2.yaml` is empty; it holds no manifest to apply"
    # the Bundle's own keystrokes read the buffer too, and the Worker's other files from the disk
    assert _codes(await _change(client, bundle_uri, text.replace("v1\n", "v2\n", 1), 2)) == [("WL415", 13, 12, 27)]
    await _change(client, worker_uri, kept, 3)  # typed back: the Bundle is clean again
    assert await _until(client, bundle_uri, []) == []
    await _change(client, worker_uri, kept.replace("type: worker", "type: nothing"), 4)
    found = await _until(client, bundle_uri, ["WL415"])
    assert _codes(found) == [("WL415", 13, 12, 27)] and "not a DataOS resource manifest" in found[0].message


async def test_configuration_reload_when_the_file_changes(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(BAD.read_text())
    uri = await _open(client, path)
    assert len(client.diagnostics[uri]) == 3
    config = tmp_path / ".worker-lint.yaml"
    config.write_text("ignore: [WL102]\n")
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Created)])
    )
    assert [c for c, *_ in _codes(await _diagnostics(client, uri))] == ["WL106", "WL103"]


async def test_on_save_setting_lints_on_save_only(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(BAD.read_text())
    uri = await _open(client, path)
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams({"lint": {"run": "onSave"}}))
    await _diagnostics(client, uri)  # the reload lints again
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=5),
            [types.TextDocumentContentChangeWholeDocument(text="version: v1beta\n")],
        )
    )
    await asyncio.sleep(0.3)
    assert uri not in client.diagnostics
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    found = await _diagnostics(client, uri)
    assert found == []


NAV_BUNDLE = """version: v1beta
name: nav
type: bundle
bundle:
  schedule:
    timezone: Asia/Kolk
  resources:
    - id: db
      file: worker.yaml
      workspace: public
    - id: relay
      file: worker.yaml
      workspace: public
      dependencies:
        - db
      dependencyConditions:
        - resourceId: db
          status:
            is: [active]
"""


async def test_definition_completion_and_symbols_in_a_bundle(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "worker.yaml").write_text((ROOT / "examples" / "good" / "sleep-worker.yaml").read_text())
    path = tmp_path / "bundle.yaml"
    path.write_text(NAV_BUNDLE)
    uri = await _open(client, path)
    doc = types.TextDocumentIdentifier(uri)

    async def definition(line: int, character: int) -> types.Location:
        found = await client.text_document_definition_async(
            types.DefinitionParams(doc, types.Position(line, character))
        )
        assert isinstance(found, types.Location)
        return found

    to_file = await definition(8, 14)
    assert to_file.uri == (tmp_path / "worker.yaml").as_uri()
    to_item = await definition(14, 11)
    assert to_item.uri == uri and to_item.range.start == types.Position(7, 10)
    to_item = await definition(16, 24)
    assert to_item.range.start == types.Position(7, 10) and to_item.range.end == types.Position(7, 12)

    zones = await client.text_document_completion_async(
        types.CompletionParams(doc, types.Position(5, len("    timezone: Asia/Kolk")))
    )
    assert [i.label for i in zones.items] == ["Asia/Kolkata"]
    assert zones.items[0].text_edit.range.start == types.Position(5, 14)

    edited = NAV_BUNDLE.replace("        - db\n", "        - \n")
    await _change(client, uri, edited, 2)
    ids = await client.text_document_completion_async(types.CompletionParams(doc, types.Position(14, 10)))
    assert [i.label for i in ids.items] == ["db", "relay"]

    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(doc))
    bundle = next(s for s in symbols if s.name == "bundle")
    resources = next(s for s in bundle.children if s.name == "resources")
    assert [s.name for s in resources.children] == ["db", "relay"]


async def test_definition_of_a_custom_stack_and_stack_completion(client: LanguageClient, tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "mine.yaml").write_text(
        "name: my-stack-v1\nversion: v1alpha\ntype: stack\nstack:\n  name: my-stack\n"
        "  version: '1.0'\n  workerConfig:\n    configFileTemplate: x\n"
    )
    (tmp_path / ".worker-lint.yaml").write_text("stack-dirs: [stacks]\n")
    path = tmp_path / "w.yaml"
    text = (
        "version: v1beta\nname: w\ntype: worker\nworker:\n  compute: runnable-default\n"
        "  stack: my-stack:1.0\n  stackSpec: {}\n"
    )
    path.write_text(text)
    uri = await _open(client, path)
    doc = types.TextDocumentIdentifier(uri)
    found = await client.text_document_definition_async(types.DefinitionParams(doc, types.Position(5, 10)))
    assert isinstance(found, types.Location)
    assert found.uri == (stacks / "mine.yaml").as_uri()
    assert found.range.start == types.Position(4, 8)
    items = await client.text_document_completion_async(types.CompletionParams(doc, types.Position(5, 11)))
    labels = [i.label for i in items.items]
    assert labels[0] == "my-stack" and "bento" not in labels  # filtered by what is typed: `my`
    await _change(client, uri, text.replace("my-stack:1.0", ""), 2)
    items = await client.text_document_completion_async(types.CompletionParams(doc, types.Position(5, 9)))
    labels = [i.label for i in items.items]
    assert labels[0] == "my-stack" and "bento" in labels and "container" in labels


BENTO_TYPING = """\
version: v1beta
name: w
type: worker
worker:
  stack: bento-worker:3.0
  stackSpec:
    input:
      kafka
    pipeline:
      processors:
        - branch:
            request_map: |
              root = this
              kafka: not a key
            processors:
              - bra
    output:
      - broker:
          outputs:
            - pl
      - kafka_franz:
          seed
"""


async def test_bento_component_and_field_completion(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(BENTO_TYPING)  # half typed: the document does not parse
    uri = await _open(client, path)
    doc = types.TextDocumentIdentifier(uri)

    async def offered(line: int, character: int) -> list[tuple[str, str | None]]:
        found = await client.text_document_completion_async(
            types.CompletionParams(doc, types.Position(line, character))
        )
        return [(i.label, i.detail) for i in found.items]

    assert await offered(7, len("      kafka")) == [("kafka", "Bento input"), ("kafka_franz", "Bento input")]
    everything = [label for label, _ in await offered(7, len("      "))]  # nothing typed yet
    assert everything == [*bento.components("input"), "label", "processors", "type"]  # what every input takes
    # a processor inside a processor, past a block scalar whose lines look like keys
    assert await offered(15, len("              - bra")) == [("branch", "Bento processor")]
    # the DataOS form: outputs as a list; DataOS's own `plugin` output
    assert await offered(19, len("            - pl")) == [("plugin", "Bento output")]
    fields = await offered(21, len("          seed"))
    assert fields == [("seed_brokers", "field of the Bento output `kafka_franz`")]
    found = await client.text_document_completion_async(types.CompletionParams(doc, types.Position(21, 14)))
    assert found.items[0].text_edit.range == types.Range(types.Position(21, 10), types.Position(21, 14))
    # a field of the branch processor, at the branch's body
    assert await offered(11, len("            re")) == [
        ("request_map", "field of the Bento processor `branch`"),
        ("result_map", "field of the Bento processor `branch`"),
    ]

    # the same keys under a stack that is not Bento: nothing of Bento's is offered
    await _change(client, uri, BENTO_TYPING.replace("bento-worker:3.0", "container:1.0"), 2)
    assert await offered(7, len("      kafka")) == []


async def test_dag_step_definition(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(
        "version: v1\nname: wf\ntype: workflow\nworkflow:\n  dag:\n    - name: first\n"
        "      spec: {stack: flare}\n    - name: second\n      dependencies:\n        - first\n"
    )
    uri = await _open(client, path)
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(9, 11))
    )
    assert isinstance(found, types.Location)
    assert found.range.start == types.Position(5, 12)
    await _change(client, uri, path.read_text().replace("        - first\n", "        - \n"), 2)
    steps = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(9, 10))
    )
    assert [(i.label, i.detail) for i in steps.items] == [("first", "dag step"), ("second", "dag step")]


_PRODUCT = """\
name: affinity
version: v1beta
entity: product
type: data
v1beta:
  data:
    resource:
      refType: dataos
      ref: bundle:v1beta:affinity-bundle
    inputs:
      - refType: dataos
        ref: dataset:lakehouse:retail:customer
    ports:
      lens:
        - ref: lens:v1alpha:sales360:public
          refType: dataos
        - ref: lens:v1alpha:elsewhere:public
          refType: dataos
"""


async def test_definition_of_a_data_products_references(client: LanguageClient, tmp_path: Path) -> None:
    """A Data Product's `ref` leads to the `name` of the project's manifest it names, in whichever file it is."""
    (tmp_path / "deploy").mkdir()
    bundles = tmp_path / "deploy" / "bundles.yaml"
    bundles.write_text(
        "name: affinity-bundle\nversion: v1alpha\ntype: bundle\nbundle: {}\n---\n"
        "# the one the product names\nversion: v1beta\nname:   affinity-bundle\ntype: bundle\nbundle: {}\n"
    )
    (tmp_path / "lens.yaml").write_text("version: v1alpha\nname: sales360\ntype: lens\nlens: {}\n")
    path = tmp_path / "product.yaml"
    path.write_text(_PRODUCT)
    doc = types.TextDocumentIdentifier(await _open(client, path))

    async def definition(line: int, character: int) -> types.Location | None:
        found = await client.text_document_definition_async(
            types.DefinitionParams(doc, types.Position(line, character))
        )
        assert found is None or isinstance(found, types.Location)
        return found

    to_bundle = await definition(8, 20)
    assert to_bundle is not None and to_bundle.uri == bundles.as_uri()
    assert (to_bundle.range.start, to_bundle.range.end) == (types.Position(7, 8), types.Position(7, 23))
    to_lens = await definition(14, 20)
    assert to_lens is not None and to_lens.uri == (tmp_path / "lens.yaml").as_uri()
    assert (to_lens.range.start, to_lens.range.end) == (types.Position(1, 6), types.Position(1, 14))
    assert await definition(16, 20) is None  # applied from elsewhere: nowhere to go
    assert await definition(11, 20) is None  # a dataset is no manifest


async def test_a_malformed_request_gets_an_error_and_the_server_lives_on(client: LanguageClient) -> None:
    protocol = client.protocol
    for number, params in enumerate(({"bogus": 1}, {"textDocument": {"uri": 5}, "position": "x"})):
        answer: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        protocol._request_futures[f"bad-{number}"] = answer  # what the raw request below is answered on
        protocol._send_data(
            {"jsonrpc": "2.0", "id": f"bad-{number}", "method": types.TEXT_DOCUMENT_HOVER, "params": params}
        )
        with pytest.raises(Exception) as raised:
            await asyncio.wait_for(answer, WAIT)
        assert "Invalid" in type(raised.value).__name__ or "params" in str(raised.value).lower()
    uri = await _open(client, BAD)
    assert len(client.diagnostics[uri]) == 3


async def test_tags_related_locations_and_severities(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "name: orders-relay\nversion: v1beta\ntype: worker\nworker:\n  compute: runnable-default\n"
        "  stack: container\n  resources:\n    requests: {cpu: 2000m}\n    limits: {cpu: 1000m}\n"
        "  container:\n    image: docker.io/library/alpine:3.20\n"
        "  # worker-lint: disable-next-line=WL301\n  replicas: 1\n"
    )
    uri = await _open(client, path)
    found = {str(d.code): d for d in client.diagnostics[uri]}
    assert sorted(found) == ["WL050", "WL123", "WL201"]
    assert list(found["WL050"].tags or ()) == [types.DiagnosticTag.Unnecessary]
    assert list(found["WL123"].tags or ()) == [types.DiagnosticTag.Deprecated]
    assert found["WL123"].severity == types.DiagnosticSeverity.Warning
    assert found["WL201"].tags is None
    related = found["WL201"].related_information
    assert related is not None and len(related) == 1
    assert related[0].location.uri == uri
    assert related[0].location.range.start == types.Position(8, 18)
    assert related[0].message == "the cpu limit is `1000m`"


CRASHING = [
    sys.executable,
    "-c",
    "import worker_lint.checks.workflow_dag as dag\n"
    "def boom(*args):\n    raise RuntimeError('boom')\n"
    "dag._targets = boom\nfrom worker_lint.cli import main\nmain()",
    "server",
]


@pytest_asyncio.fixture(loop_scope="module")
async def crashing():
    started = await lsp_server.start(CRASHING, "visual-studio-code", ROOT, {"lint": {"debounceMs": 0}})
    yield started
    await lsp_server.stop(started)


async def test_a_crashing_rule_is_one_wl900_and_the_server_lives_on(crashing: LanguageClient, tmp_path: Path) -> None:
    workflow = tmp_path / "wf.yaml"
    workflow.write_text(
        "version: v1\nname: wf\ntype: workflow\nworkflow:\n  dag:\n    - name: first\n      spec: {stack: flare}\n"
    )
    uri = await _open(crashing, workflow)
    found = crashing.diagnostics[uri]
    assert [(str(d.code), d.range.start.line) for d in found] == [("WL900", 0)]
    assert "internal error in the check for WL416, WL417: RuntimeError: boom" in found[0].message
    for version in range(2, 12):
        await _change(crashing, uri, workflow.read_text() + f"# edit {version}\n", version)
    assert await _open(crashing, BAD) is not None
    assert [c for c, *_ in _codes(crashing.diagnostics[BAD.as_uri()])] == ["WL106", "WL103", "WL102"]


async def test_stack_dirs_are_read_again_when_a_definition_changes(client: LanguageClient, tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (tmp_path / ".worker-lint.yaml").write_text("stack-dirs: [stacks]\n")
    path = tmp_path / "w.yaml"
    path.write_text(
        "version: v1beta\nname: w\ntype: worker\nworker:\n  compute: runnable-default\n"
        "  stack: my-stack:1.0\n  stackSpec: {}\n"
    )
    uri = await _open(client, path)
    assert [c for c, *_ in _codes(client.diagnostics[uri])] == ["WL121"]
    definition = stacks / "mine.yaml"
    definition.write_text(
        "name: my-stack-v1\nversion: v1alpha\ntype: stack\nstack:\n  name: my-stack\n"
        "  version: '1.0'\n  workerConfig:\n    configFileTemplate: x\n"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(definition.as_uri(), types.FileChangeType.Created)])
    )
    assert await _until(client, uri, []) == []


#: a server whose diagnostics carry fixes as the autofix model shapes them: WL102 on `stackspec` a safe
#: rename, WL106 an unsafe one (offsets count code points of the decoded text)
FIXING = [
    sys.executable,
    "-c",
    """
from typing import NamedTuple
from worker_lint.lsp import actions

class Edit(NamedTuple):
    start: int
    end: int
    content: str

class Fix(NamedTuple):
    title: str
    applicability: str
    edits: tuple

def fixes_of(diagnostic):
    if diagnostic.code == 'WL102':
        return (Fix('Rename `stackspec` to `stackSpec`', 'safe', (Edit(210, 219, 'stackSpec'),)),)
    if diagnostic.code == 'WL106':
        return (Fix('Rename to `sleep-worker`', 'unsafe', (Edit(111, 123, 'sleep-worker'),)),)
    return ()

actions.fixes_of = fixes_of
from worker_lint.cli import main
main()
""",
    "server",
]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=FIXING), loop_scope="module")
async def fixing(lsp_client: LanguageClient):
    lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=ROOT.as_uri(),
            initialization_options={"lint": {"debounceMs": 0}},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_fixes_are_quick_fixes_and_fix_all_takes_the_safe_ones(fixing: LanguageClient, tmp_path: Path) -> None:
    text = BAD.read_text()
    assert text[210:219] == "stackspec" and text[111:123] == "Sleep_Worker"
    path = tmp_path / "w.yaml"
    path.write_text(text)
    uri = await _open(fixing, path)
    doc = types.TextDocumentIdentifier(uri)
    found = list(fixing.diagnostics[uri])
    whole = types.Range(types.Position(0, 0), types.Position(10, 0))
    got = await fixing.text_document_code_action_async(
        types.CodeActionParams(doc, whole, types.CodeActionContext(found, only=[types.CodeActionKind.QuickFix]))
    )
    fixes = [a for a in got if not a.title.startswith("Disable")]
    assert [(a.title, a.is_preferred) for a in fixes] == [
        ("Rename to `sleep-worker` (unsafe)", None),
        ("Rename `stackspec` to `stackSpec`", True),
    ]
    assert _apply(text, fixes[1].edit.changes[uri]).splitlines()[8] == "  stackSpec:"
    every = await fixing.text_document_code_action_async(
        types.CodeActionParams(doc, whole, types.CodeActionContext([], only=["source.fixAll"]))
    )
    assert [a.kind for a in every] == ["source.fixAll.worker-lint"]
    edited = _apply(text, every[0].edit.changes[uri])
    assert "Sleep_Worker" in edited and "  stackSpec:" in edited  # the unsafe rename is left out


async def test_saving_the_configuration_in_the_editor_reloads_it(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(BAD.read_text())
    config = tmp_path / ".worker-lint.yaml"
    config.write_text("ignore: [WL106]\n")
    uri = await _open(client, path)
    assert [c for c, *_ in _codes(client.diagnostics[uri])] == ["WL103", "WL102"]
    config_uri = await _open(client, config)
    config.write_text("ignore: [WL103]\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config_uri)))
    assert [c for c, *_ in _codes(await _until(client, uri, ["WL106", "WL102"]))] == ["WL106", "WL102"]


async def test_an_invalid_configuration_is_shown_and_the_defaults_apply(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".worker-lint.yaml").write_text("select: [WL1]\nignroe: [WL102]\n")
    path = tmp_path / "w.yaml"
    path.write_text(BAD.read_text())
    uri = await _open(client, path)
    assert [c for c, *_ in _codes(client.diagnostics[uri])] == ["WL106", "WL103", "WL102"]
    shown = [m for m in client.messages if m.type == types.MessageType.Error]
    assert len(shown) == 1
    assert "configuration is invalid" in shown[0].message and "ignroe" in shown[0].message


async def test_a_bundle_is_linted_again_when_a_file_it_names_changes_on_disk(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "worker.yaml").write_text((ROOT / "examples" / "good" / "sleep-worker.yaml").read_text())
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(
        "version: v1beta\nname: b\ntype: bundle\nbundle:\n  resources:\n"
        "    - id: w\n      file: worker.yaml\n      workspace: public\n"
    )
    uri = await _open(client, bundle)
    assert list(client.diagnostics[uri]) == []
    (tmp_path / "worker.yaml").write_text("just: text\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent((tmp_path / "worker.yaml").as_uri(), types.FileChangeType.Changed)]
        )
    )
    assert [c for c, *_ in _codes(await _until(client, uri, ["WL415"]))] == ["WL415"]


#: one policy of the configuration: a Worker carries a `team:` tag, reported at `tags:`
TEAM_POLICY = """\
policies:
  - code: ORG001
    name: team-tag
    message: every Worker carries a `team:` tag
    types: [worker]
    require: 'has(resource.tags) && resource.tags.exists(t, t.startsWith("team:"))'
    at: tags
"""
UNTAGGED = """\
version: v2alpha
name: sleep-worker
type: worker
tags:
  - test
spec:
  compute: runnable-default
  stack: container
  stackSpec:
    image: docker.io/library/alpine:3.20
"""


async def test_policies_are_diagnosed_hovered_and_disabled_as_rules_are(client: LanguageClient, tmp_path: Path) -> None:
    pytest.importorskip("cel_expr_python", reason="policies evaluate CEL with the `policies` extra")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".worker-lint.yaml").write_text(TEAM_POLICY)
    path = tmp_path / "w.yaml"
    path.write_text(UNTAGGED)
    uri = await _open(client, path)
    diagnostics = client.diagnostics[uri]
    assert _codes(diagnostics) == [("ORG001", 3, 0, 4)]
    assert diagnostics[0].message == "every Worker carries a `team:` tag"
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 1))
    )
    assert hover is not None and "team-tag" in hover.contents.value
    assert "has(resource.tags)" in hover.contents.value
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), diagnostics[0].range, types.CodeActionContext([diagnostics[0]])
        )
    )
    by_title = {a.title: a for a in got}
    assert set(by_title) >= {"Disable ORG001 for this line", "Disable ORG001 for this file"}
    edited = _apply(UNTAGGED, by_title["Disable ORG001 for this line"].edit.changes[uri])
    assert edited.splitlines()[3] == "tags:  # worker-lint: disable=ORG001"
    assert await _change(client, uri, edited, 2) == []
    in_comment = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 33))
    )
    assert in_comment is not None and "team-tag" in in_comment.contents.value
