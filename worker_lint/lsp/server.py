"""The language server itself: pygls handlers over the linter's API and this package's plain helpers.

One document is linted at a time, on the event loop, through ``api.lint`` with the editor's text as
its buffer and every other open document as ``unsaved`` contents (what a Bundle's `file:` sees).
A lint of a few hundred lines takes about a millisecond, so there is no worker thread to keep in
step with edits: a result is always for the text it was computed from, and is published with its
version.  Where the issue is silent this follows ruff's server: diagnostics pushed, not pulled;
suppression actions per line and per file; rule documentation on hover.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path

from worker_lint import __version__, api
from worker_lint.core.diagnostic import Diagnostic, FileResult, Severity
from worker_lint.core.policy import Policy
from worker_lint.core.settings import Settings
from worker_lint.dataos.resource import file_kinds
from worker_lint.document.reading import read_or_none
from worker_lint.lsp import actions, bento_complete, navigate
from worker_lint.lsp.text import UTF8, UTF16, UTF32, Position, TextMap, units

log = logging.getLogger("worker-lint.server")

SOURCE = "worker-lint"
#: names whose change reloads the configuration (with any file under a configured `stack-dirs`)
CONFIG_NAMES = frozenset({".worker-lint.yaml", ".worker-lint.yml", "pyproject.toml"})
#: a rule page's `tags` (its front matter) as the editor's diagnostic tags: greyed out, struck through
_TAGS = {"unnecessary": types.DiagnosticTag.Unnecessary, "deprecated": types.DiagnosticTag.Deprecated}
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_ON_TYPE, _ON_SAVE = "onType", "onSave"
#: how long typing pauses before a Bundle's or Workflow's text is parsed again for completion
_REMEMBER_AFTER_S = 0.5
#: container allocations between collections of the youngest generation: Python's own default
_PYTHON_YOUNG_THRESHOLD = 700
#: documents whose ids or steps completion offers, and whose `file:` items tie them to other documents
_NAMED_TYPES = frozenset({"bundle", "workflow"})


@dataclass
class LintSettings:
    """The server's own settings: `{"lint": {"run": "onType" | "onSave", "debounceMs": 150}}`."""

    run: str = _ON_TYPE
    debounce_ms: float = 150.0

    def update(self, given: Any) -> None:
        if not isinstance(given, dict):
            return
        for key in ("worker-lint", "workerLint", "worker_lint"):  # clients nest their settings under the server
            if isinstance(given.get(key), dict):
                given = given[key]
        lint = given.get("lint")
        if not isinstance(lint, dict):
            return
        if lint.get("run") in (_ON_TYPE, _ON_SAVE):
            self.run = lint["run"]
        debounce = lint.get("debounceMs")
        if isinstance(debounce, (int, float)) and not isinstance(debounce, bool) and 0 <= debounce <= 60_000:
            self.debounce_ms = float(debounce)


@dataclass
class _Open:
    """What the server keeps per open document besides its text (which pygls keeps)."""

    #: the last published diagnostics, with the ranges they were published at
    published: list[tuple[Diagnostic, types.Diagnostic]] = field(default_factory=list)
    #: the last text that parsed, for completion while the current one does not
    last_good: navigate.Parsed | None = None
    #: for a Bundle: the resolved paths of the files its last lint read (those its `file:` items name), as
    #: the lint names them: kept as they come, since a Bundle of hundreds of items is linted on every keystroke
    references: frozenset[str] = frozenset()
    #: a lint waiting for the debounce delay to pass
    pending: asyncio.TimerHandle | None = None
    #: a Bundle's or Workflow's last linted text, parsed into ``last_good`` when typing pauses
    unparsed: TextMap | None = None
    #: the timer that parses it
    parse_later: asyncio.TimerHandle | None = None

    def cancel_pending(self) -> None:
        """Drop the lint waiting for the debounce delay: a newer one replaces it, or the document closed."""
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def remember(self) -> None:
        """Parse the last linted text now, and keep it if it parsed: completion reads ids and steps from it."""
        if self.parse_later is not None:
            self.parse_later.cancel()
            self.parse_later = None
        if self.unparsed is not None:
            parsed = navigate.parsed(self.unparsed.text[self.unparsed.base :])
            self.unparsed = None
            if parsed.documents:
                self.last_good = parsed

    def forget_unparsed(self) -> None:
        if self.parse_later is not None:
            self.parse_later.cancel()
        self.parse_later = self.unparsed = None


class _Protocol(LanguageServerProtocol):
    """Two gaps of pygls 2.1 closed here, where an editor would feel them.

    Given a request it cannot read, pygls logs it and never answers: a client would wait forever.
    And it files a future for every notification handled by one of its own generator handlers
    (`didChange` is one) under a fresh id that nothing removes: about 2 KiB per keystroke, forever.
    """

    def _execute_handler(self, msg_id: Any, handler: Any, callback: Any, args: Any = None, kwargs: Any = None) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:  # done: answered (a request) or finished (a notification), it is no longer pending

            def forget(_: object) -> None:
                self._request_futures.pop(msg_id, None)

            future.add_done_callback(forget)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            raise


class WorkerLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "worker-lint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=_Protocol,
        )
        self.lint_settings = LintSettings()
        self.documents: dict[str, _Open] = {}
        #: configuration per folder, found as the command line finds it from that folder
        self.settings_cache: dict[Path, Settings] = {}
        self.resolver: Any = None  # a config.Resolver, made on first use and anew when configuration changes
        self.markdown = True

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A malformed message was answered with a protocol error already; the user need not be told too."""
        if isinstance(error, JsonRpcException):
            log.warning("malformed message: %s", error)
            return
        super().report_server_error(error, source)

    # -- positions ---------------------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        value = str(getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding) or UTF16)
        return value if value in (UTF8, UTF16, UTF32) else UTF16

    def open_text(self, uri: str) -> str | None:
        """The text the client sent for an open document; None for any other.

        pygls would read a document that is not open from the disk, and a URI can name a FIFO
        (which blocks the event loop forever) or `/dev/zero` (which fills the memory): a request
        about a document that is not open is answered at once, with nothing.
        """
        if uri not in self.documents:
            return None
        document = self.workspace.text_documents.get(unquote(uri))
        return document.source if document is not None else None

    def text_map(self, uri: str) -> TextMap | None:
        source = self.open_text(uri)
        return TextMap(source, self.encoding) if source is not None else None

    @staticmethod
    def lsp_range(text: TextMap, start: int, end: int) -> types.Range:
        a, b = text.position(start), text.position(end)
        return types.Range(types.Position(a.line, a.character), types.Position(b.line, b.character))

    def span_range(self, text: TextMap, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        return self.lsp_range(text, text.offset_of(line, column), text.offset_of(end_line, end_column))

    # -- configuration -----------------------------------------------------------------------------------------

    def settings_for(self, path: Path | None) -> Settings:
        """The configuration the command line would use for this file: its own folder's (a Resolver, as `check`)."""
        from worker_lint import config
        from worker_lint.config.globs import InvalidGlob

        folder = Path(os.path.abspath(path.parent if path is not None else Path.cwd()))
        found = self.settings_cache.get(folder)
        if found is None:
            if self.resolver is None:
                self.resolver = config.Resolver(Path.cwd())
            try:
                found = self.resolver.for_folder(folder)
            except (config.ConfigError, InvalidGlob) as exc:
                self.window_show_message(
                    types.ShowMessageParams(
                        types.MessageType.Error,
                        f"worker-lint: the configuration is invalid; linting with the"
                        f" defaults until it is fixed:\n{exc}",
                    )
                )
                found = Settings()
            self.settings_cache[folder] = found
        return found

    def is_config_file(self, path: Path) -> bool:
        if path.name in CONFIG_NAMES:
            return True
        real = os.path.realpath(path)
        for settings in self.settings_cache.values():
            for folder in settings.stack_dirs:
                if real.startswith(os.path.realpath(folder) + os.sep):
                    return True
        return False

    def reload(self) -> None:
        """Configuration or Stack definitions changed: forget the configuration and lint every open document again."""
        self.settings_cache.clear()
        self.resolver = None
        for uri in list(self.documents):
            self.lint(uri)

    # -- linting -----------------------------------------------------------------------------------------------

    def path_of(self, uri: str) -> Path | None:
        path = to_fs_path(uri)
        return Path(path) if path and uri.startswith("file:") else None

    def diagnostics_of(self, uri: str) -> tuple[TextMap, list[Diagnostic]] | None:
        """Lint the open document's current text through the command line's pipeline (None when it is not open)."""
        linted = self.lint_result(uri)
        return None if linted is None else (linted[0], sorted(linted[1].diagnostics, key=lambda d: d.sort_key()))

    def lint_result(self, uri: str) -> tuple[TextMap, FileResult] | None:
        """The open document's text and its lint result, with the files a Bundle read (None when it is not open)."""
        from worker_lint.config import is_excluded

        source = self.open_text(uri)
        if source is None:
            return None
        text = TextMap(source, self.encoding)
        path = self.path_of(uri)
        settings = self.settings_for(path)
        name = str(path) if path is not None else uri
        if path is not None and settings.exclude and is_excluded(path, settings):
            return text, FileResult([])
        unsaved = {}
        # only a Bundle reads other files (its `file:` items): other documents need not be handed over
        for other in self.documents if "bundle" in source else ():
            other_path = self.path_of(other) if other != uri else None
            other_source = self.open_text(other) if other_path is not None else None
            if other_source is not None:
                unsaved[str(other_path)] = other_source
        results = cast(
            "Generator[tuple[str, FileResult], None, None]",
            api.lint((), buffers={name: source}, settings=settings, jobs=1, cache_dir=None, unsaved=unsaved),
        )
        try:
            _, result = next(results)
        finally:
            results.close()  # the files a Bundle names are linted when they are opened, not with it
        return text, result

    def lint(self, uri: str, dependents: bool = False) -> None:
        state = self.documents.get(uri)
        if state is None:
            return
        state.cancel_pending()
        document = self.workspace.text_documents.get(unquote(uri))
        linted = self.lint_result(uri)
        if document is None or linted is None:
            return
        text, result = linted
        found = sorted(result.diagnostics, key=lambda d: d.sort_key())
        # the files the Bundle read, whatever configuration, base folder or link led to them: a change to
        # any of them lints it again (and a Bundle whose checks read nothing has nothing to follow)
        state.references = frozenset(result.references)
        version = document.version
        published = [(d, self.to_lsp(uri, text, d)) for d in found]
        state.published = published
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[p for _, p in published], version=version)
        )
        state.forget_unparsed()
        if not file_kinds(text.text[text.base :], _NAMED_TYPES):  # a Worker: nothing to keep for completion
            state.last_good = None
        else:  # parsed when typing pauses (or completion asks), not on every keystroke of a Bundle of 300 items
            state.unparsed = text
            state.parse_later = asyncio.get_running_loop().call_later(_REMEMBER_AFTER_S, state.remember)
        if dependents:
            self.lint_dependents(uri)

    def lint_dependents(self, uri: str) -> None:
        """A file a Bundle names changed: the open Bundles that name it are linted again."""
        path = self.path_of(uri)
        if path is None:
            return
        real = os.path.realpath(path)
        for other, state in list(self.documents.items()):
            if other != uri and real in state.references:
                self.lint(other)

    def schedule(self, uri: str) -> None:
        state = self.documents.get(uri)
        if state is None:
            return
        state.cancel_pending()
        delay = self.lint_settings.debounce_ms / 1000
        if delay <= 0:
            self.lint(uri, dependents=True)
        else:
            state.pending = asyncio.get_running_loop().call_later(delay, self.lint, uri, True)

    def to_lsp(self, uri: str, text: TextMap, d: Diagnostic) -> types.Diagnostic:
        span = d.span
        tags = [_TAGS[tag] for tag in _rule_tags(d.code) if tag in _TAGS] or None
        page = _rule_uri(d.code)
        related = [
            types.DiagnosticRelatedInformation(types.Location(uri, self.span_range(text, *r.span)), r.message)
            for r in d.related
        ] or None
        return types.Diagnostic(
            range=self.span_range(text, span.line, span.column, span.end_line, span.end_column),
            message=d.message,
            severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Error),
            code=d.code,
            code_description=types.CodeDescription(href=page) if page else None,
            source=SOURCE,
            tags=tags,
            related_information=related,
        )


def _rule_tags(code: str) -> tuple[str, ...]:
    from worker_lint import catalogue

    return catalogue.rule(code).tags


def _rule_uri(code: str) -> str | None:
    """The rule's page as shipped with the installed linter (it matches the version running, and works offline)."""
    from worker_lint import catalogue

    page = catalogue.rule(code).page
    return page.resolve().as_uri() if page is not None else None


def _rule_doc(code: str, markdown: bool, policies: Sequence[Policy] = ()) -> str | None:
    from worker_lint import catalogue

    rule = catalogue.find(code, policies)
    if rule is None or (rule.page is None and rule.policy is None):
        return None
    body = rule.body.strip()
    if markdown:
        return f"**{rule.code}** `{rule.name}` ({rule.severity.value})\n\n{body}"
    return f"{rule.code} {rule.name} ({rule.severity.value})\n\n{_plain(body)}"


def _plain(markdown: str) -> str:
    lines = [line for line in markdown.splitlines() if not line.startswith("```")]
    text = re.sub(r"^#+\s*", "", "\n".join(lines), flags=re.M)
    return re.sub(r"\*\*([^*]*)\*\*|`([^`]*)`", lambda m: m.group(1) or m.group(2) or "", text).strip()


server = WorkerLintServer()


def serve() -> None:
    """Serve on standard input and output until the client says `exit` (or goes away).

    pygls closes the output it was given when it stops, so it gets a duplicate of the standard
    output: the process's own stays open for the command line's last flush.  The exit status is
    the protocol's: 0 after a `shutdown` request, else 1.
    """
    import gc
    import sys

    # The command line collects garbage rarely because it lives for one run (worker_lint.console);
    # a server lives for the editor's session: what start-up built is set aside for good, and any
    # reference cycle a request leaves is collected at Python's usual pace, not after hours of edits.
    gc.freeze()
    gc.set_threshold(_PYTHON_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    logging.basicConfig(level=logging.WARNING)
    output = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    server.start_io(sys.stdin.buffer, output)
    sys.exit(0 if getattr(server.protocol, "_shutdown", False) else 1)


# -- life cycle and settings -------------------------------------------------------------------------------------------


@server.feature(types.INITIALIZE)
def _initialize(ls: WorkerLintServer, params: types.InitializeParams) -> None:
    ls.lint_settings.update(params.initialization_options)
    hover = params.capabilities.text_document.hover if params.capabilities.text_document else None
    formats = hover.content_format if hover is not None else None
    ls.markdown = not formats or types.MarkupKind.Markdown in formats


@server.feature(types.INITIALIZED)
def _initialized(ls: WorkerLintServer, params: types.InitializedParams) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    globs = ["**/.worker-lint.yaml", "**/.worker-lint.yml", "**/pyproject.toml", "**/*.yaml", "**/*.yml"]
    ls.client_register_capability(
        types.RegistrationParams(
            [
                types.Registration(
                    "worker-lint-watch",
                    types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    types.DidChangeWatchedFilesRegistrationOptions([types.FileSystemWatcher(g) for g in globs]),
                )
            ]
        )
    )


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def _configuration(ls: WorkerLintServer, params: types.DidChangeConfigurationParams) -> None:
    ls.lint_settings.update(params.settings)
    ls.reload()


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def _watched(ls: WorkerLintServer, params: types.DidChangeWatchedFilesParams) -> None:
    paths = [p for p in (ls.path_of(change.uri) for change in params.changes) if p is not None]
    if any(ls.is_config_file(p) for p in paths):
        ls.reload()
        return
    changed = {os.path.realpath(p) for p in paths}
    # a file created may be one an open Bundle names and did not find: every open document is linted again
    created = any(change.type == types.FileChangeType.Created for change in params.changes)
    for uri, state in list(ls.documents.items()):  # a file an open Bundle names changed on disk
        if created or state.references & changed:
            ls.lint(uri)


# -- documents ---------------------------------------------------------------------------------------------------------


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _did_open(ls: WorkerLintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.documents[params.text_document.uri] = _Open()
    ls.lint(params.text_document.uri, dependents=True)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(ls: WorkerLintServer, params: types.DidChangeTextDocumentParams) -> None:
    if ls.lint_settings.run == _ON_TYPE:
        ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _did_save(ls: WorkerLintServer, params: types.DidSaveTextDocumentParams) -> None:
    path = ls.path_of(params.text_document.uri)
    if path is not None and ls.is_config_file(path):
        ls.reload()
        return
    ls.lint(params.text_document.uri, dependents=True)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: WorkerLintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    state = ls.documents.pop(uri, None)
    if state is not None:
        state.cancel_pending()
        state.forget_unparsed()
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    path = ls.path_of(uri)
    if path is not None:  # Bundles that name it read it from the disk again
        real = os.path.realpath(path)
        for other, other_state in list(ls.documents.items()):
            if real in other_state.references:
                ls.lint(other)


# -- hover -------------------------------------------------------------------------------------------------------------


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: WorkerLintServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    state = ls.documents.get(uri)
    text = ls.text_map(uri)
    if text is None:
        return None
    where = params.position
    codes: list[str] = []
    line = text.line_text(where.line)
    comment = line.find("worker-lint:")
    if comment != -1 and "#" in line[:comment]:
        cursor = text.offset(Position(where.line, where.character)) - text.line_start(where.line)
        for match in re.finditer(r"\b[A-Z]+[0-9]{3,}\b", line[comment:]):  # a rule's code or a policy's
            if match.start() + comment <= cursor <= match.end() + comment:
                codes.append(match.group())
    for _, published in state.published if state is not None else ():
        r = published.range
        inside = (r.start.line, r.start.character) <= (where.line, where.character) <= (r.end.line, r.end.character)
        if inside and isinstance(published.code, str) and published.code not in codes:
            codes.append(published.code)
    policies = ls.settings_for(ls.path_of(uri)).policies if codes else ()
    pages = [page for page in (_rule_doc(code, ls.markdown, policies) for code in codes) if page]
    if not pages:
        return None
    kind = types.MarkupKind.Markdown if ls.markdown else types.MarkupKind.PlainText
    return types.Hover(types.MarkupContent(kind, "\n\n---\n\n".join(pages) if ls.markdown else "\n\n".join(pages)))


# -- code actions ------------------------------------------------------------------------------------------------------


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    return only is None or any(kind == o or kind.startswith(str(o) + ".") for o in only)


def _fix_actions(text: TextMap, diagnostic: Diagnostic) -> list[actions.Action]:
    """The quick fixes a diagnostic carries (none until diagnostics carry fixes; then each, unsafe ones titled so)."""
    return actions.fix_actions(text, diagnostic)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL], resolve_provider=False),
)
def _code_action(ls: WorkerLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    only = [str(getattr(o, "value", o)) for o in params.context.only] if params.context.only else None
    # Recomputed from the text as it is now: a client may drop `data`, or send diagnostics of an older version.
    linted = ls.diagnostics_of(uri)
    if linted is None:
        return []
    text, current = linted
    chosen = _diagnostics_asked_about(ls, uri, text, current, params)
    made: list[actions.Action] = []
    if _wanted(types.CodeActionKind.QuickFix.value, only):
        made.extend(_quick_fixes(text, [d for d, _ in chosen]))
    if _wanted(actions.FIX_ALL, only) and (only is not None or current):
        every = actions.fix_all(text, current)
        if every is not None:
            made.append(every)
    lookup = {id(d): p for d, p in chosen}
    out: list[types.CodeAction] = []
    for action in made:
        edits = [types.TextEdit(ls.lsp_range(text, e.start, e.end), e.new_text) for e in action.edits]
        fixed = lookup.get(id(action.diagnostic)) if action.diagnostic is not None else None
        out.append(
            types.CodeAction(
                action.title,
                kind=action.kind,
                diagnostics=[fixed] if fixed is not None else None,
                is_preferred=action.preferred or None,
                edit=types.WorkspaceEdit(changes={uri: edits}),
            )
        )
    return out


def _diagnostics_asked_about(
    ls: WorkerLintServer, uri: str, text: TextMap, current: Sequence[Diagnostic], params: types.CodeActionParams
) -> list[tuple[Diagnostic, types.Diagnostic]]:
    """The current diagnostics the request names, or whose range meets the requested one, as published."""
    start = text.offset(Position(params.range.start.line, params.range.start.character))
    end = text.offset(Position(params.range.end.line, params.range.end.character))
    asked = {
        (str(d.code), d.range.start.line, d.range.start.character)
        for d in params.context.diagnostics
        if d.source == SOURCE
    }
    chosen = []
    for d in current:
        published = ls.to_lsp(uri, text, d)
        key = (d.code, published.range.start.line, published.range.start.character)
        d_start = text.offset_of(d.span.line, d.span.column)
        d_end = text.offset_of(d.span.end_line, d.span.end_column)
        if key in asked or (d_start <= end and start <= d_end):
            chosen.append((d, published))
    return chosen


def _quick_fixes(text: TextMap, chosen: list[Diagnostic]) -> list[actions.Action]:
    """Each chosen diagnostic's fixes, then "disable for this line" once per code and line, and "disable for
    this file" once per code (an internal error is never silenced)."""
    made: list[actions.Action] = []
    for d in chosen:
        made.extend(_fix_actions(text, d))
    seen_line: set[tuple[str, int]] = set()
    for d in chosen:
        if (d.code, d.span.line) in seen_line or d.code == "WL900":
            continue
        seen_line.add((d.code, d.span.line))
        line_action = actions.disable_for_line(text, d.code, d.span.line)
        if line_action is not None:
            made.append(line_action._replace(diagnostic=d))
    for code in dict.fromkeys(d.code for d in chosen if d.code != "WL900"):
        file_action = actions.disable_for_file(text, code)
        if file_action is not None:
            made.append(file_action._replace(diagnostic=next(d for d in chosen if d.code == code)))
    return made


# -- navigation, completion, outline -----------------------------------------------------------------------------------


def _open_texts(ls: WorkerLintServer) -> dict[Path, str]:
    out = {}
    for uri in ls.documents:
        path = ls.path_of(uri)
        source = ls.open_text(uri) if path is not None else None
        if path is not None and source is not None:
            out[Path(os.path.realpath(path))] = source
    return out


def _location(ls: WorkerLintServer, target: navigate.Target) -> types.Location:
    uri = from_fs_path(str(target.path)) or target.path.as_uri()
    if target.start is None:
        return types.Location(uri, types.Range(types.Position(0, 0), types.Position(0, 0)))
    opened = _open_texts(ls).get(Path(os.path.realpath(target.path)))
    if opened is None:  # a Bundle's file or a Stack definition, read as the linter reads them: bounded
        data = read_or_none(target.path, ls.settings_for(target.path).max_file_size)
        opened = data.decode("utf-8", errors="replace") if data is not None else ""
    text = TextMap(opened, ls.encoding)
    end = target.end if target.end is not None else target.start
    return types.Location(uri, ls.lsp_range(text, text.from_yaml_offset(target.start), text.from_yaml_offset(end)))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: WorkerLintServer, params: types.DefinitionParams) -> types.Location | None:
    uri = params.text_document.uri
    path = ls.path_of(uri)
    text = ls.text_map(uri)
    if path is None or text is None:
        return None
    source = navigate.parsed(text.text[text.base :])
    offset = text.to_yaml_offset(text.offset(Position(params.position.line, params.position.character)))
    settings = ls.settings_for(path)
    stacks = navigate.stack_sources(settings, (path, source.text), _open_texts(ls))
    target = navigate.definition(path, source, offset, settings, stacks)
    return _location(ls, target) if target is not None else None


_COMPLETION_KIND = {
    "stack": types.CompletionItemKind.Module,
    "id": types.CompletionItemKind.Reference,
    "step": types.CompletionItemKind.Reference,
    "timezone": types.CompletionItemKind.Value,
    "component": types.CompletionItemKind.Class,
    "field": types.CompletionItemKind.Field,
}


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", "-"]))
def _completion(ls: WorkerLintServer, params: types.CompletionParams) -> types.CompletionList:
    uri = params.text_document.uri
    text = ls.text_map(uri)
    if text is None:
        return types.CompletionList(is_incomplete=False, items=[])
    line = params.position.line
    line_text = text.line_text(line)
    cursor = text.offset(Position(line, params.position.character)) - text.line_start(line)
    lines = [text.line_text(n) for n in range(text.line_count)]
    bento_key = bento_complete.key_context(lines, line, line_text[:cursor])
    if bento_key is not None and bento_complete.is_bento(lines, line):
        where, typed = bento_key
        offered = bento_complete.completions(where)
        if offered:  # outside a stackSpec's components, a list item may still be a reference
            return _completion_list(ls, params.position, typed, offered)
    found = navigate.completion_context(lines, line, line_text[:cursor])
    if found is None:
        return types.CompletionList(is_incomplete=False, items=[])
    key, typed = found
    state = ls.documents.get(uri)
    if state is not None:
        state.remember()  # the last linted text, if typing has not paused since
    last_good = state.last_good if state is not None else None
    if key in ("dependencies", "depends", "resourceId"):
        current = navigate.parsed(text.text[text.base :])
        last_good = current if current.documents else last_good
    custom: list[str] = []
    if key == "stack":
        path = ls.path_of(uri)
        own = (path or Path("untitled"), text.text[text.base :])
        custom = navigate.custom_stack_names(navigate.stack_sources(ls.settings_for(path), own, _open_texts(ls)))
    return _completion_list(ls, params.position, typed, navigate.completions(key, last_good, custom))


def _completion_list(
    ls: WorkerLintServer, position: types.Position, typed: str, offered: list[navigate.Completion]
) -> types.CompletionList:
    """The completions that start with what is typed, each replacing it."""
    start = types.Position(position.line, position.character - units(typed, ls.encoding))
    replace = types.Range(start, position)
    items = [
        types.CompletionItem(
            c.label,
            kind=_COMPLETION_KIND.get(c.kind),
            detail=c.detail or None,
            text_edit=types.TextEdit(replace, c.label),
            filter_text=c.label,
        )
        for c in offered
        if c.label.lower().startswith(typed.lower()) or not typed
    ]
    return types.CompletionList(is_incomplete=False, items=items)


_SYMBOL_KIND = {
    "object": types.SymbolKind.Object,
    "array": types.SymbolKind.Array,
    "key": types.SymbolKind.Key,
    "module": types.SymbolKind.Module,
}


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def _symbols(ls: WorkerLintServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    text = ls.text_map(params.text_document.uri)
    if text is None:
        return []
    source = navigate.parsed(text.text[text.base :])
    return [_document_symbol(ls, text, s) for s in navigate.symbols(source)]


def _document_symbol(ls: WorkerLintServer, text: TextMap, symbol: navigate.Symbol) -> types.DocumentSymbol:
    # a module function, not a closure: a closure that calls itself is a reference cycle holding the text
    return types.DocumentSymbol(
        name=symbol.name,
        kind=_SYMBOL_KIND[symbol.kind],
        detail=symbol.detail or None,
        range=ls.lsp_range(text, text.from_yaml_offset(symbol.start), text.from_yaml_offset(symbol.end)),
        selection_range=ls.lsp_range(
            text, text.from_yaml_offset(symbol.name_start), text.from_yaml_offset(symbol.name_end)
        ),
        children=[_document_symbol(ls, text, child) for child in symbol.children] or None,
    )
