"""One `worker-lint server` process shared by the tests of a module, as fresh as a new one for each test.

Starting a server is most of what a language-server test costs (a new interpreter importing pygls and
lsprotocol): the tests of what the server answers share one process per client profile, and a test whose
subject is the process (start-up, exit, crashes, memory, what it reads) starts its own. Between two tests
every document the first one opened is closed and the start-up settings are sent again, which also makes
the server read every configuration file anew; what the client recorded (diagnostics, shown messages) is
forgotten. A test that failed may have left the server stuck or half-way through something: the next test
gets a new process, so one failure never becomes many.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from conftest import FAILED
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

#: how long the reset between tests may take before the server counts as stuck
WAIT = 20


class TrackingClient(LanguageClient):
    """pytest-lsp's client, which also knows the documents it has open (to close them after a test)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_documents: set[str] = set()

    def text_document_did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self.open_documents.add(params.text_document.uri)
        super().text_document_did_open(params)

    def text_document_did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        self.open_documents.discard(params.text_document.uri)
        super().text_document_did_close(params)


def _tracking_client() -> TrackingClient:
    client = TrackingClient(converter_factory=default_converter)
    register_lsp_features(client)  # what pytest-lsp's own client records: diagnostics, messages, configuration
    return client


async def start(command: list[str], profile: str, root: Path, options: dict[str, Any]) -> TrackingClient:
    """A server started with ``command`` and initialized as the editor ``profile`` (pytest-lsp's name) does."""
    client = await ClientServerConfig(server_command=command, client_factory=_tracking_client).start()
    assert isinstance(client, TrackingClient)
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)  # the file watchers the server asks for
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(profile), root_uri=root.as_uri(), initialization_options=options
        )
    )
    client.encoding = str(result.capabilities.position_encoding)  # type: ignore[attr-defined]
    return client


async def stop(client: LanguageClient) -> None:
    """Shut the server down as an editor does; one that does not answer within the wait is killed."""
    server = client._server
    try:
        if server is not None and server.returncode is None:
            await asyncio.wait_for(client.shutdown_session(), WAIT)
    except BaseException:
        if server is not None and server.returncode is None:
            server.kill()  # stuck (on a read, say): otherwise the wait for it to end below never ends
        raise
    finally:
        await client.stop()


class SharedServer:
    """A server process handed to one test after another, started again after a test that failed."""

    def __init__(self, command: list[str], profile: str, root: Path, options: dict[str, Any]) -> None:
        self.command, self.profile, self.root, self.options = command, profile, root, options
        self.client: TrackingClient | None = None

    async def get(self) -> TrackingClient:
        if self.client is None or self.client._server is None or self.client._server.returncode is not None:
            await self.close()
            self.client = await start(self.command, self.profile, self.root, self.options)
        return self.client

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await stop(client)

    async def after(self, request: pytest.FixtureRequest) -> None:
        """After a test: the server back to its start-up state, or, after a failure, gone."""
        if request.node.stash.get(FAILED, False):
            await self.close()
            return
        try:
            await asyncio.wait_for(self._reset(), WAIT)
        except BaseException:
            await self.close()
            raise

    async def _reset(self) -> None:
        client = self.client
        assert client is not None
        for uri in sorted(client.open_documents):
            client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
        # the start-up settings again; the server forgets every configuration it read, and lints nothing (none open)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(self.options))
        # answered after every notification above was handled, so after what they published
        probe = types.TextDocumentIdentifier("file:///worker-lint-test/never-opened.yaml")
        assert await client.text_document_hover_async(types.HoverParams(probe, types.Position(0, 0))) is None
        for waiting in client.protocol._notification_futures.values():
            waiting.cancel()
        client.protocol._notification_futures.clear()
        client.diagnostics.clear()
        client.messages.clear()
        client.shown_documents.clear()
        client.progress_reports.clear()
