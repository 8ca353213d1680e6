"""The rule contract's other half: what a check may read besides the resource itself.

``Project`` is what one run knows across files; ``Context`` is one document's view of it.
Both are typed so a check's needs are visible here, not discovered through ``getattr``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from worker_lint import catalogue
from worker_lint.core.settings import Settings

if TYPE_CHECKING:
    from worker_lint.checks import CheckSpec
    from worker_lint.core.diagnostic import Finding, JsonPath
    from worker_lint.dataos.bundle import Place, ReferencedFile, Resolution
    from worker_lint.dataos.product_refs import Manifest
    from worker_lint.dataos.stacks import StackRegistry
    from worker_lint.dataos.variables import Rendering
    from worker_lint.document.parse import Document


@dataclass
class Project:
    """What one run knows across files."""

    settings: Settings
    #: the run's Stack registry: built-in stacks plus custom Stack definitions; created on first use
    registry: StackRegistry | None = None
    #: files Bundles refer to, read and classified once per run, by resolved path
    referenced: dict[Path, ReferencedFile] = field(default_factory=dict)
    #: where each Bundle `file:` value leads from where its Bundle sits, found once per run
    resolutions: dict[tuple[str, str], Resolution] = field(default_factory=dict)
    #: folders resolved to their real names once per run (a Bundle's files mostly share a few)
    real_folders: dict[str, str] = field(default_factory=dict)
    #: the files the file being linted read besides itself (a Bundle's `file:` targets), by resolved path:
    #: its result holds for their contents only (an editor lints it again when one of them changes)
    reads: set[Path] = field(default_factory=set)
    #: the project root of each Bundle folder, found once per run
    roots: dict[Path, Path] = field(default_factory=dict)
    #: files linted or queued in this run, by resolved path
    seen: set[Path] = field(default_factory=set)
    #: files a linted file refers to (Bundle `file:` items), to be linted in this run too
    pending: list[Path] = field(default_factory=list)
    #: an editor's open documents by resolved path: Bundle `file:` references read these, not the disk
    unsaved: dict[Path, bytes] = field(default_factory=dict)
    #: files whose Stack definitions were registered before the file itself was linted, by display path
    prescanned: set[str] = field(default_factory=set)
    #: the Bundle, Lens and Worker manifests under each project root, looked for once per run (Data Product refs)
    manifests: dict[Path, list[Manifest]] = field(default_factory=dict)
    #: what the checks of the file being linted wait for (a shell script for shellcheck to read), when the
    #: run gets that ready for many files at once and then resumes those checks (``run.runner``); None:
    #: a check does the work itself, when it meets it.  A check that adds to it reports nothing yet.
    waiting_for: list[Any] | None = None
    #: the checks a configuration selects, by its identity, (with `per-file-ignores`) the file's path, and
    #: the resource type they run on
    selected_checks: dict[tuple[int, str, str], list[CheckSpec]] = field(default_factory=dict)

    @property
    def stacks(self) -> StackRegistry:
        """The run's Stack registry (most runs define no Stack, so it is made on first use)."""
        if self.registry is None:
            from worker_lint.dataos.stacks import StackRegistry

            self.registry = StackRegistry()
        return self.registry

    def resolve(self, value: str, where: Place) -> Resolution:
        """Where a Bundle's `file:` value leads (two Bundle checks ask the same of every item)."""
        key = (value, where.key or repr(where))
        found = self.resolutions.get(key)
        if found is None:
            found = self.resolutions[key] = where.resolve(value, self.real_folders)
        return found

    def read_referenced(self, resolution: Resolution) -> ReferencedFile:
        """The file a `file:` value was found at, read and classified once per run (the editor's text where it
        is open), and recorded among the files the file being linted read."""
        from worker_lint.dataos.bundle import load_referenced

        assert resolution.found is not None
        loaded = load_referenced(
            resolution.found,
            self.referenced,
            self.settings.max_file_size,
            self.settings.limits,
            self.unsaved,
            real=resolution.real,
            state=resolution.state,
        )
        self.reads.add(loaded.path)
        return loaded

    def manifests_under(self, root: Path) -> list[Manifest]:
        """The Bundle, Lens and Worker manifests of the project at ``root`` (the editor's text where one is open)."""
        found = self.manifests.get(root)
        if found is None:
            from worker_lint.dataos.product_refs import project_manifests

            found = self.manifests[root] = project_manifests(root, self.settings.max_file_size, self.unsaved)
        return found

    def refer(self, path: Path, real: Path | None = None) -> None:
        """Ask the run to lint ``path`` too (once), as pre-commit passes only the changed Bundle.

        ``real`` is ``path`` resolved, when the caller knows it."""
        resolved = real if real is not None else Path(os.path.realpath(path))  # never raises, even on a link loop
        if resolved not in self.seen:
            self.seen.add(resolved)
            self.pending.append(path)


@dataclass
class Context:
    """One document's view of the run: its path, the settings, the project, the document itself."""

    path: str
    settings: Settings
    project: Project
    document: Document | None = None
    #: what rendering the document's apply-time variables could not do; None when the run sets none
    rendering: Rendering | None = None
    #: what a check's prepare= hook worked out for a resource, kept for the check: by the check's name and
    #: the resource's place in the document (a Bundle inlines several); it goes with the document
    prepared: dict[tuple[str, JsonPath], Any] = field(default_factory=dict)
    #: the checks that wait for something (``Project.waiting_for``), by resource: run again to resume
    resumable: list[tuple[Any, CheckSpec]] = field(default_factory=list)

    @property
    def stacks(self) -> StackRegistry:
        return self.project.stacks

    def option(self, code: str, name: str, default: Any = None) -> Any:
        """A rule option: as configured, else as the rule's page documents it, else ``default``."""
        configured = self.settings.options.get(code, {})
        if name in configured:
            return configured[name]
        page_default = catalogue.rule(code).options.get(name, {}).get("default")
        return default if page_default is None else page_default


class Stream(NamedTuple):
    """A whole stream, for the checks that read what the parser could not: its text and syntax errors."""

    text: str
    #: the stream-level findings of the parser (syntax errors, which end the stream)
    errors: list[Finding]
    #: the last line the parsed documents reach (1-based; 0 when none parsed)
    after: int
