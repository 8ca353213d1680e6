"""Bundle knowledge shared by the Bundle checks: resource levels, the dependency graph, and `file:` resolution."""

from __future__ import annotations

import errno
import os
import stat
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import JsonPath
from worker_lint.core.digest import content_digest
from worker_lint.core.file_state import FileState, state_of, vouches
from worker_lint.core.paths import relative, repo_top
from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE, Limits, Settings
from worker_lint.dataos.resource import RESOURCE_TYPES, Resource, classify
from worker_lint.dataos.templating import is_templated
from worker_lint.document.reading import read_or_none

#: Resources that live in a workspace, per the Bundle documentation's callout
#: (dataos.info `docs/resources/bundle/index.md`); a Bundle item deploying one
#: inline must say which workspace.
WORKSPACE_LEVEL = frozenset(t for t, info in RESOURCE_TYPES.items() if info.level == "workspace")
#: Resources that live at instance level, per the same callout: a `workspace` on their item is ignored.
INSTANCE_LEVEL = frozenset(t for t, info in RESOURCE_TYPES.items() if info.level == "instance")

#: `dependencyConditions[].status` values (dataos.info `templates/bundle_dependencies.md`).
STATUS_VALUES = ("active", "pending", "failed", "error")
#: `dependencyConditions[].runtime` values; `running:N` means at least N pods running.
RUNTIME_VALUES = ("running", "running:N", "succeeded", "failed")
_RUNNING_N = lazy_re.compile(r"running:[0-9]+")  # ASCII: \d also takes `٣`, which DataOS does not

ITEMS: JsonPath = ("bundle", "resources")


def looks_templated(value: Any) -> bool:
    """True for a value that is not written yet: `${{x}}`, `${VAR}`, `$VAR`, `{{x}}`, `<workspace_name>`.

    Placeholders are the templating rules' business; a Bundle check that
    treated one as an id or a path would report the same cause twice.
    """
    return isinstance(value, str) and is_templated(value.strip())


# --- items and the dependency graph ---------------------------------------------------------------


class Item(NamedTuple):
    """One `bundle.resources[]` entry that is a mapping."""

    index: int  # type: ignore[assignment]  # the item's place in `resources`; tuple.index is never used on it
    data: dict[str, Any]
    #: its `id` (a number as its digits), None when it has none: found once, since every Bundle check asks
    #: it of every item, several times
    id: str | None = None

    @property
    def path(self) -> JsonPath:
        return ITEMS + (self.index,)

    def dependencies(self) -> Iterator[tuple[JsonPath, str]]:
        """(path, id) for every string in `dependencies`."""
        deps = self.data.get("dependencies")
        if isinstance(deps, list):
            for i, dep in enumerate(deps):
                if isinstance(dep, str):
                    yield self.path + ("dependencies", i), dep

    def conditions(self) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
        """(path, condition) for every mapping in `dependencyConditions`."""
        conds = self.data.get("dependencyConditions")
        if isinstance(conds, list):
            for i, cond in enumerate(conds):
                if isinstance(cond, dict):
                    yield self.path + ("dependencyConditions", i), cond

    def condition_ids(self) -> Iterator[tuple[JsonPath, str]]:
        for path, cond in self.conditions():
            rid = cond.get("resourceId")
            if isinstance(rid, str):
                yield path + ("resourceId",), rid


def items(res: Resource) -> list[Item]:
    """The Bundle's resource items, skipping entries that are not mappings (the schema reports those)."""
    raw = res.get(*ITEMS)
    if not isinstance(raw, list):
        return []
    return [Item(i, entry, _item_id(entry)) for i, entry in enumerate(raw) if isinstance(entry, dict)]


def _item_id(data: dict[str, Any]) -> str | None:
    value = data.get("id")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value != "" else None


class Edge(NamedTuple):
    """``source`` waits for ``target``; ``path`` is the entry that says so."""

    source: str
    target: str
    path: JsonPath


def edges(bundle_items: Iterable[Item]) -> list[Edge]:
    """Every ordering the Bundle states, from `dependencies` and from `dependencyConditions`.

    A condition on a resource that is not also listed in `dependencies` still
    makes the item wait for it, so it takes part in cycles too.  Edges to
    unknown ids and self-edges are left out: other rules report those.
    """
    bundle_items = list(bundle_items)
    known = {item.id for item in bundle_items if item.id is not None}
    out: list[Edge] = []
    for item in bundle_items:
        if item.id is None:
            continue
        seen: set[str] = set()
        for path, target in [*item.dependencies(), *item.condition_ids()]:
            if target in known and target != item.id and target not in seen:
                seen.add(target)
                out.append(Edge(item.id, target, path))
    return out


def find_cycles(nodes: Iterable[str], graph_edges: Iterable[Edge]) -> list[tuple[list[str], Edge]]:
    """Each cycle once, as (the ids around it, first id repeated at the end; the edge that closes it).

    Depth-first in declaration order; the closing edge is the back edge, the
    entry a reader meets last when following the chain from its start.  A
    cycle of more than ``CYCLE_SHOWN`` ids is shortened to its first and last
    few, with one entry saying how many are left out between them: every back
    edge is a cycle of its own, so showing each whole made the report grow
    with the square of the Bundle (a chain of n ids, each depending back on
    the first, has n cycles of up to n ids).
    """
    adjacency: dict[str, list[Edge]] = {}
    for edge in graph_edges:
        adjacency.setdefault(edge.source, []).append(edge)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    cycles: list[tuple[list[str], Edge]] = []
    for start in nodes:
        if start in state:
            continue
        # iterative DFS keeps deep dependency chains from hitting the recursion limit
        stack: list[tuple[str, Iterator[Edge]]] = [(start, iter(adjacency.get(start, ())))]
        trail = [start]
        where = {start: 0}  # position on the trail of each id on the current path
        state[start] = 1
        while stack:
            node, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                stack.pop()
                trail.pop()
                del where[node]
                state[node] = 2
                continue
            edge = step
            mark = state.get(edge.target)
            if mark == 1:
                cycles.append((_shown_cycle(trail, where[edge.target]), edge))
            elif mark is None:
                state[edge.target] = 1
                where[edge.target] = len(trail)
                trail.append(edge.target)
                stack.append((edge.target, iter(adjacency.get(edge.target, ()))))
    return cycles


#: the most ids a reported cycle shows; a longer one shows its first and last few
CYCLE_SHOWN = 10
_HEAD_SHOWN, _TAIL_SHOWN = 5, 3


def _shown_cycle(trail: list[str], start: int) -> list[str]:
    length = len(trail) - start
    if length <= CYCLE_SHOWN:
        return trail[start:] + [trail[start]]
    left_out = length - _HEAD_SHOWN - _TAIL_SHOWN
    return (
        trail[start : start + _HEAD_SHOWN]
        + [f"... {left_out:,} more ..."]
        + trail[len(trail) - _TAIL_SHOWN :]
        + [trail[start]]
    )


def runtime_value_ok(value: str) -> bool:
    return value in RUNTIME_VALUES or bool(_RUNNING_N.fullmatch(value))


# --- files ----------------------------------------------------------------------------------------


def project_root(bundle_path: Path | str | None, settings: Settings) -> Path:
    """The root `file:` references may not leave: the settings' project root (``Settings.project_root``).

    With none, the working directory is the root when the Bundle lies under it
    (`dataos-ctl` resolves paths from there), else the Bundle's own directory.
    """
    base = bundle_dir(bundle_path)
    found = settings.project_root(base)
    if found is not None:
        return Path(os.path.abspath(found))
    cwd = Path(os.path.abspath(os.getcwd()))
    return cwd if _inside(base, cwd) else base


def bundle_dir(bundle_path: Path | str | None) -> Path:
    """The directory a Bundle's relative `file:` paths start from; the working directory for stdin."""
    if bundle_path is None or str(bundle_path) in ("", "-", "<stdin>"):
        return Path(os.path.abspath(os.getcwd()))
    return Path(os.path.abspath(bundle_path)).parent


class Resolution(NamedTuple):
    """Where a `file:` value led: ``found`` (inside the root), or why not."""

    value: str
    found: Path | None = None
    #: every place looked at, in order
    tried: tuple[Path, ...] = ()
    #: a candidate that would have left the root (lexically, or through a symlink)
    outside: Path | None = None
    #: the symlink target when ``outside`` was reached through a symlink
    via_symlink: Path | None = None
    #: why the file system refused to look at a candidate (a name too long, a folder not searchable)
    refused: str | None = None
    #: ``found`` with every symbolic link resolved: the one name the run knows the file by
    real: Path | None = None
    #: ``found``'s own state when it is a regular file, not a link: what a later look compares with
    state: FileState | None = None
    #: what each candidate looked at before ``found`` turned out to be (not a file, or why not known):
    #: the resolution holds while each still is
    looked: tuple[tuple[str, bool | str], ...] = ()


def value_path(value: str) -> Path:
    """The path a `file:` value names, `~` expanded; a value the home lookup refuses (a NUL) is taken as written."""
    try:
        return Path(os.path.expanduser(value.strip()))
    except (ValueError, OSError):
        return Path(value.strip())


def _is_file(candidate: Path | str) -> bool | str:
    """Whether ``candidate`` is a file, or why the file system would not say.

    The value comes from the manifest: a name longer than the file system
    allows (ENAMETOOLONG), a NUL, a folder that cannot be searched are facts
    about the manifest to report, not errors of the linter.
    """
    try:
        return stat.S_ISREG(os.stat(candidate).st_mode)
    except ValueError:
        return "it holds a NUL character, which no file name can"
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            return False
        if exc.errno == errno.ENAMETOOLONG:
            return "its name is longer than the file system allows; shorten it"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "a folder on its path cannot be searched (permission denied)"
        return f"looking for it failed: {exc.strerror or type(exc).__name__}"


def resolve_file(
    value: str,
    bundle_directory: Path,
    root: Path,
    others: Iterable[Path] = (),
    real_root: Path | None = None,
    real_folders: dict[str, str] | None = None,
) -> Resolution:
    """Resolve a `file:` value: beside the Bundle first, then from each of ``others``, then from the project root.

    Every convention occurs in published Bundles (`./database.yaml` beside it,
    `build/dag.yml` from the repository root, `clickstream/deploy/x.yaml` from
    the folder `dataos-ctl` is run in) and the base is undocumented, so the
    first candidate that exists wins.  A candidate outside ``root``, or a
    symlink pointing out of it, is never opened.  ``real_root`` is ``root`` resolved, when the caller knows it;
    ``real_folders`` remembers resolved folders for one run (see :func:`_real_path`).
    """
    raw = value_path(value)
    # a folder outside the root is no place to look from (the working directory may be anywhere)
    inside = [base for base in others if _inside(Path(os.path.abspath(base)), root)]
    bases = [None] if raw.is_absolute() else [bundle_directory, *inside, root]
    tried: list[Path] = []
    outside: Path | None = None
    via: Path | None = None
    refused: str | None = None
    if real_root is None:
        real_root = Path(os.path.realpath(root))
    looked: list[tuple[str, bool | str]] = []
    for base in bases:
        candidate = Path(os.path.normpath(raw if base is None else os.path.join(base, raw)))
        if candidate in tried:
            continue
        tried.append(candidate)
        if not _inside(candidate, root):
            outside = outside or candidate
            continue
        is_file = _is_file(candidate)
        looked.append((str(candidate), is_file))
        if isinstance(is_file, str):
            refused = refused or is_file
            continue
        if not is_file:
            continue
        name, state = _real_path(str(candidate), real_folders if real_folders is not None else {})
        real = Path(name)
        if not _inside(real, real_root):
            outside, via = outside or candidate, via or real
            continue
        looked.pop()
        return Resolution(value, found=candidate, tried=tuple(tried), real=real, state=state, looked=tuple(looked))
    return Resolution(value, tried=tuple(tried), outside=outside, via_symlink=via, refused=refused)


def _real_path(path: str, real_folders: dict[str, str]) -> tuple[str, FileState | None]:
    """``os.path.realpath`` of a normalised absolute path, its folder's answer remembered in ``real_folders``;
    with the file's own state when it is not a link.

    Resolving a path looks at every folder above it; a Bundle's hundreds of files mostly share a few
    folders, so within one run a file that is not itself a symbolic link is its resolved folder and
    its name.  A link, or anything unusual, is resolved in full.
    """
    folder, name = os.path.split(path)
    if os.name != "posix" or name in ("", ".", ".."):  # elsewhere resolving also fixes the name's case
        return os.path.realpath(path), None
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return os.path.realpath(path), None
    if stat.S_ISLNK(info.st_mode):
        return os.path.realpath(path), None
    return os.path.join(_real_folder(folder, real_folders), name), state_of(info)


def _real_folder(folder: str, real_folders: dict[str, str]) -> str:
    real = real_folders.get(folder)
    if real is None:
        real = real_folders[folder] = os.path.realpath(folder)
    return real


def _inside(path: Path, root: Path) -> bool:
    # the common answer by comparing names (a Bundle's hundreds of items ask it twice each); the path
    # library's own comparison for the rest: a file system root (`/`, `//`, `C:\`), a case that differs
    # where the file system folds case
    name, top = str(path), str(root)
    if name == top or (not top.endswith(os.sep) and name.startswith(top + os.sep)):
        return True
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def shown(path: Path, root: Path | None = None) -> str:
    """A path as messages show it: relative to the working directory when inside it, else to ``root`` when
    inside that, else absolute; never by how near the working directory happens to be, so that a message
    reads the same wherever the project and the run are."""
    from_cwd = relative(path)
    if os.path.isabs(from_cwd) and root is not None and _inside(path, root):
        return relative(path, root)
    return from_cwd


def shown_together(paths: list[Path], root: Path) -> list[str]:
    """Paths one message names: as :func:`shown` does, but from the working directory only when all of them
    are inside it, so that no two names in a message, one from there and one from the root, read alike."""
    if all(not os.path.isabs(relative(path)) for path in paths):
        return [relative(path) for path in paths]
    return [relative(path, root) if _inside(path, root) else relative(path) for path in paths]


def file_values(res: Resource) -> Iterator[tuple[Item, str]]:
    """(item, value) for every item whose `file` is a non-empty, non-templated string."""
    for item in items(res):
        value = item.data.get("file")
        if isinstance(value, str) and value.strip() and not looks_templated(value):
            yield item, value


@dataclass(frozen=True)
class ReferencedFile:
    """A referenced manifest, read and parsed once per run; ``kinds`` are its documents' `(type, version)`.

    Shared by every run that finds the file unchanged (see ``_READ``): read, never changed."""

    path: Path
    kinds: list[tuple[str, str | None]] = field(default_factory=list)
    #: the file could not be read, decoded or parsed; its own lint run reports why
    unreadable: bool = False
    #: how many YAML documents it holds
    documents: int = 0


def load_referenced(
    path: Path,
    cache: dict[Path, ReferencedFile] | None = None,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    limits: Limits | None = None,
    unsaved: Mapping[Path, bytes] | None = None,
    real: Path | None = None,
    state: FileState | None = None,
) -> ReferencedFile:
    """Read and classify a referenced file once per run, memoised in ``cache`` (the run's ``Project.referenced``).

    The cache key is the file's resolved path, the same key the run uses to
    lint each file once.  ``max_size`` and ``limits`` are the run's, so a referenced file is read
    as far as the file itself is when it is linted.  ``unsaved`` holds the documents open in an
    editor (``Project.unsaved``): a Bundle sees what is being typed, not what was last saved.
    ``real`` is ``path`` resolved, and ``state`` the file's state looked at in this run, when the
    caller knows them (a :class:`Resolution` does): a file still in the state it was read in is not read again.
    """
    key = real if real is not None else Path(os.path.realpath(path))
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    raw = unsaved.get(key) if unsaved else None
    loaded = (
        _load(key, max_size, limits, raw)
        if raw is not None or state is None
        else _load_on_disk(key, max_size, limits, state)
    )
    if cache is not None:
        cache[key] = loaded
    return loaded


#: a file that did not parse, or that a limit kept from the parser: its own lint run reports it
_UNREAD = frozenset({"WL001", "WL010", "WL013"})


class _Holds(NamedTuple):
    """What a referenced file's bytes hold, whoever reads them: the part of a ReferencedFile worth remembering."""

    kinds: tuple[tuple[str, str | None], ...]
    unreadable: bool
    documents: int


#: what the bytes of referenced files hold, by their digest and the parse limits.  A Bundle open in an
#: editor is linted on every keystroke, and the hundreds of unchanged files it names must not be parsed
#: again each time; a file is read again whenever its state does not vouch for what was read (``_READ``),
#: so a changed one is never answered from here.  A memo, not a store: it keeps digests and kinds, never
#: the bytes, and forgets the oldest when full.
_HOLDS: OrderedDict[tuple[bytes, Limits], _Holds] = OrderedDict()
_HOLDS_LIMIT = 4096


class _Read(NamedTuple):
    """A file on disk as it was read: its state, taken when (``looked_ns``), and the read's limits and answer."""

    state: FileState
    looked_ns: int
    max_size: int
    limits: Limits | None
    loaded: ReferencedFile


#: each file on disk as it was last read, by its resolved path: a file found in the same state again, not
#: modified close to being read, holds the same (see :mod:`worker_lint.core.file_state`) and is not read again
_READ: OrderedDict[Path, _Read] = OrderedDict()


def _load_on_disk(path: Path, max_size: int, limits: Limits | None, state: FileState) -> ReferencedFile:
    """A file on disk that was just found in ``state``: what it held when last read in that state, or read now."""
    known = _READ.get(path)
    if (
        known is not None
        and known.state == state
        and known.max_size == max_size
        and (known.limits is limits or known.limits == limits)  # the run's own, mostly: asked of every item
        and vouches(state, known.looked_ns)
    ):
        _READ.move_to_end(path)
        return known.loaded
    looked_ns = time.time_ns()
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        info = None
    loaded, holds = _read(path, max_size, limits)
    if holds is not None and info is not None and stat.S_ISREG(info.st_mode):  # its state, taken before it was read
        _READ[path] = _Read(state_of(info), looked_ns, max_size, limits, loaded)
        _READ.move_to_end(path)
        if len(_READ) > _MEMO_LIMIT:
            _READ.popitem(last=False)
    return loaded


def _load(path: Path, max_size: int, limits: Limits | None, raw: bytes | None = None) -> ReferencedFile:
    return _read(path, max_size, limits, raw)[0]


def _read(
    path: Path, max_size: int, limits: Limits | None, raw: bytes | None = None
) -> tuple[ReferencedFile, _Holds | None]:
    """The file (its bytes ``raw`` when given, else read now), and what its bytes hold (None when unreadable)."""
    if raw is None:
        raw = read_or_none(path, max_size)
    if raw is None:
        return ReferencedFile(path, unreadable=True), None
    key = (content_digest(raw), limits or Limits())
    holds = _HOLDS.get(key)
    if holds is None:
        holds = _HOLDS[key] = _holds(raw, limits)
        if len(_HOLDS) > _HOLDS_LIMIT:
            _HOLDS.popitem(last=False)
    else:
        _HOLDS.move_to_end(key)
    return _referenced(path, holds), holds


def _referenced(path: Path, holds: _Holds) -> ReferencedFile:
    return ReferencedFile(path, list(holds.kinds), holds.unreadable, holds.documents)


def _holds(raw: bytes, limits: Limits | None) -> _Holds:
    from worker_lint.document.parse import parse
    from worker_lint.document.source import decode

    decoded = decode(raw)
    if decoded.text is None:
        return _Holds((), True, 0)
    parsed = parse(decoded.text, limits)
    kinds = tuple(found for found in (classify(document.data) for document in parsed.documents) if found is not None)
    broken = any(f.code in _UNREAD for f in parsed.findings)
    return _Holds(kinds, broken and not kinds, len(parsed.documents))


def search_bases(directory: Path, root: Path, settings: Settings) -> list[tuple[Path, str]]:
    """Where a relative `file:` is looked for besides the Bundle's folder and ``root``, with how messages name them.

    The working directory (`dataos-ctl` resolves from where it runs: monorepos
    keep one folder per data product and apply from there), the configured
    `root`, and the folder of the configuration or the repository's top.
    """
    out: list[tuple[Path, str]] = []
    cwd = Path(os.path.abspath(os.getcwd()))
    marked = settings.config_path.parent if settings.config_path is not None else repo_top(directory)
    for base, label in (
        (cwd, "from the working directory"),
        (settings.root, "from the configured root"),
        (marked, "from the project root"),
    ):
        if base is None:
            continue
        base = Path(os.path.abspath(base))
        if base != directory and base != root and base not in [b for b, _ in out]:
            out.append((base, label))
    return out


class Place(NamedTuple):
    """Where the Bundle being checked sits: its directory, the project root, and where else `file:` is looked for."""

    directory: Path
    root: Path
    #: the other folders a relative `file:` is looked for from, with how messages name them
    others: tuple[tuple[Path, str], ...] = ()
    #: ``root`` with every symbolic link resolved
    real_root: Path | None = None
    #: the folders of ``others`` inside the root: the only ones a `file:` is looked for from
    searched: tuple[Path, ...] = ()
    #: all of the above as one string, what the memos of resolutions are keyed by: a string hashes once, and
    #: a Bundle's hundreds of items each ask
    key: str = ""

    def resolve(self, value: str, real_folders: dict[str, str] | None = None) -> Resolution:
        """Where a `file:` value of this Bundle leads (:func:`resolve_file` from here), as remembered while the
        file system still says so."""
        real_folders = real_folders if real_folders is not None else {}
        key = (value, self.key or repr(self))
        known = _RESOLVED.get(key)
        if known is not None:
            state = _still_found(known, real_folders)
            if state is not None:
                _RESOLVED.move_to_end(key)
                if state != known.resolution.state:  # the same file, another content: read again, remembered so
                    known = _RESOLVED[key] = known._replace(resolution=known.resolution._replace(state=state))
                return known.resolution
        found = resolve_file(value, self.directory, self.root, self.searched, self.real_root, real_folders)
        if _rememberable(value, found):
            assert found.found is not None and found.real is not None
            folder = os.path.dirname(str(found.found))
            _RESOLVED[key] = _Remembered(found, str(found.found), folder, real_folders[folder])
            if len(_RESOLVED) > _MEMO_LIMIT:
                _RESOLVED.popitem(last=False)
        elif known is not None:  # led elsewhere now, somewhere the file system cannot vouch for: looked for anew
            del _RESOLVED[key]
        return found

    def labels(self) -> list[tuple[Path, str]]:
        """How a message names each folder a `file:` was looked for from."""
        return [(self.directory, "beside the Bundle"), *self.others, (self.root, "at the project root")]


def place(path: str | None, settings: Settings, roots: dict[Path, Path]) -> Place:
    """The Bundle's :class:`Place`; the project root is found once per folder and run (memoised in ``roots``)."""
    directory = bundle_dir(path)
    root = roots.get(directory)
    if root is None:
        root = roots[directory] = project_root(path, settings)
    others = tuple(search_bases(directory, root, settings))
    searched = tuple(base for base, _ in others if _inside(base, root))
    real_root = Path(os.path.realpath(root))
    return Place(directory, root, others, real_root, searched, repr((directory, root, others, real_root, searched)))


#: how many resolutions, and how many files' contents, the memos below keep; the oldest go first
_MEMO_LIMIT = 4096
#: where each `file:` value led from each Bundle's place.  A Bundle open in an editor is linted on every
#: keystroke, and its hundreds of values lead where they led before unless the file system changed: each is
#: looked at again (one `lstat` of the file found, and a `stat` of each candidate before it), not resolved anew.
_RESOLVED: OrderedDict[tuple[str, str], _Remembered] = OrderedDict()


class _Remembered(NamedTuple):
    resolution: Resolution
    #: the file found, its folder, and that folder resolved, as they are compared
    found: str
    folder: str
    real_folder: str


def _rememberable(value: str, found: Resolution) -> bool:
    """A resolution the file system can vouch for later: a regular file found that is not itself a link, no
    candidate before it a file (one that led out of the root through a link), and no home folder in the value
    (the environment names it, not the file system)."""
    return (
        found.state is not None
        and not value.lstrip().startswith("~")
        and all(said is not True for _, said in found.looked)
    )


def _still_found(known: _Remembered, real_folders: dict[str, str]) -> FileState | None:
    """The found file's state now, if the file system still leads where ``known`` says; None if it may not."""
    for candidate, said in known.resolution.looked:
        if _is_file(candidate) != said:
            return None
    try:
        info = os.lstat(known.found)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):  # gone, a link now, or no longer a file
        return None
    if _real_folder(known.folder, real_folders) != known.real_folder:  # a folder on its way is another link now
        return None
    return state_of(info)
