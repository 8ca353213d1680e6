"""What a language server remembers of a Bundle's files follows the disk, the editor and the settings.

The subject is the server's memory of files, which no client profile changes: one profile (Neovim's) is
enough, and the test's waits for files to settle (2.2 s each) are paid once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_asyncio
from lsp_server import SharedServer
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_lsp import OPTIONS, ROOT, SERVER, _bundle_of_three, _change, _codes, _open, _until

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module")
async def client(request: pytest.FixtureRequest):
    shared = SharedServer(SERVER, "neovim", ROOT, OPTIONS)
    yield await shared.get()
    await shared.close()


#: longer than the racy window of `worker_lint.core.file_state`: a file last changed this long before it is read
#: is answered from its state alone on the keystrokes after, without being read again
_SETTLED_S = 2.2


async def test_a_bundles_remembered_files_follow_the_disk_the_editor_and_the_settings(
    client: LanguageClient, tmp_path: Path
) -> None:
    """What a Bundle's files hold is remembered by their state on disk: a file changed in place (its size kept),
    read under other limits, opened in the editor, or removed is never answered from what was remembered."""
    text = _bundle_of_three(tmp_path)
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(text)
    worker = tmp_path / "workers" / "w1.yaml"
    kept = worker.read_text()
    uri = await _open(client, bundle)
    await asyncio.sleep(_SETTLED_S)  # the files settle: read once more, then answered by their state alone
    for version in (2, 3):
        assert await _change(client, uri, text.replace("v1\n", f"v{version}\n", 1), version) == []
    not_a_manifest = "just: " + "x" * (len(kept) - len("just: ") - 1) + "\n"
    worker.write_text(not_a_manifest)  # the same size: only its times and change time say it changed
    assert worker.stat().st_size == len(kept.encode())
    await asyncio.sleep(_SETTLED_S)  # long enough that the change is not recent: its state alone shows it
    found = await _change(client, uri, text.replace("v1\n", "v4\n", 1), 4)
    assert _codes(found) == [("WL415", 10, 12, 27)] and "not a DataOS resource manifest" in found[0].message
    # other limits: the unchanged file is read again under them, and a line too long to parse is its own lint's
    # to report (WL013), not the Bundle's; the limits as they were: read again, as it was
    config = tmp_path / ".worker-lint.yaml"
    for configured, expected in (("max-line-length: 40\n", []), ("", ["WL415"])):
        config.write_text("select: [WL4]\n" + configured)
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Changed)])
        )
        await _until(client, uri, expected)
    # opened in the editor and typed back to a Worker there: the buffer, not the disk; closed: the disk again
    worker_uri = await _open(client, worker, not_a_manifest)
    await _change(client, worker_uri, kept, 2)
    assert await _until(client, uri, []) == []
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(worker_uri)))
    assert _codes(await _until(client, uri, ["WL415"])) == [("WL415", 10, 12, 27)]
    # removed, then back as it was
    worker.unlink()
    found = await _change(client, uri, text.replace("v1\n", "v5\n", 1), 5)
    assert [c for c, *_ in _codes(found)] == ["WL413"] and found[0].message.startswith(
        "`workers/w1.yaml` was not found"
    )
    worker.write_text(kept)
    assert await _change(client, uri, text.replace("v1\n", "v6\n", 1), 6) == []


async def test_a_bundle_is_linted_again_when_a_file_it_names_and_did_not_find_is_created(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = _bundle_of_three(tmp_path)
    worker = tmp_path / "workers" / "w1.yaml"
    kept = worker.read_text()
    worker.unlink()
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(text)
    uri = await _open(client, bundle)
    assert _codes(client.diagnostics[uri]) == [("WL413", 10, 12, 27)]
    worker.write_text(kept)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(worker.as_uri(), types.FileChangeType.Created)])
    )
    assert await _until(client, uri, []) == []
