"""A content-hash cache of per-file lint results, so unchanged files are not linted, nor even read, twice.

The cache folder usually sits inside the project, where a pull request can
put anything: a results file, a symbolic link, a FIFO.  So nothing in it is
trusted that this machine did not write.  Every key is made with a secret
kept outside the project (:func:`machine_secret`, a random key created once in
the user's cache folder, readable by the user only), so a results file
committed to a repository, or copied from another machine, has another name
and another seed, and is never read.  Files in the cache are read only when
they are regular files, not symbolic links, and smaller than
``MAX_RESULTS_SIZE``; a cache folder that is a symbolic link is not used at all.
Keys also hold a digest of the installed package's own code and data
(:func:`package_digest`), so editing a schema or a check never brings back a
result the old code gave.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from worker_lint.core.atomic import write_bytes
from worker_lint.core.diagnostic import Diagnostic, RelatedLocation, Severity, Span
from worker_lint.core.digest import blake2b, content_digest
from worker_lint.core.file_state import RACY_NS  # a file modified this close to the cache's writing is read again
from worker_lint.document.reading import ReadError, read_bytes

#: Folder name used under the project root when the caller names no other.
DEFAULT_DIRNAME = ".worker-lint-cache"
#: Environment variable that moves the cache (the CLI's ``--cache-dir`` wins over it).
ENV_DIR = "WORKER_LINT_CACHE_DIR"
#: Bumped whenever the layout below changes, so an old cache is never misread.
FORMAT = 6
#: a results file larger than this is not read (an empty cache): no project's results come near it
MAX_RESULTS_SIZE = 256 * 1024 * 1024
#: the machine's cache-key secret: its file name under the user's cache folder, and its length
SECRET_FILE = "cache-key"
_SECRET_SIZE = 32

_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by worker-lint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


# ---------------------------------------------------------------- (de)serialising diagnostics


def dump(diagnostics: Iterable[Diagnostic], with_path: bool = True) -> list[dict[str, Any]]:
    """Turn diagnostics into JSON-able dicts; ``load`` gives back equal objects.

    Without the path, as the cache keeps them: its entries are keyed by path already.
    """
    return [_dump_one(d, with_path) for d in diagnostics]


def load(entries: Iterable[dict[str, Any]], path: str | None = None) -> list[Diagnostic]:
    """Rebuild diagnostics from ``dump`` output.

    ``path`` replaces the stored file path: the cache is keyed by content, so
    the same bytes may come back for a file at another path.  Raises
    ``ValueError`` on entries of the wrong shape.
    """
    try:
        return [_load_one(e, path) for e in entries]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed diagnostic entry: {exc!r}") from exc


def _dump_span(s: Span) -> list[int]:
    return [s.line, s.column, s.end_line, s.end_column]


def _load_span(v: Any) -> Span:
    line, column, end_line, end_column = v
    # exact types, written out: a cached run rebuilds thousands of spans, and a generator per span cost a third
    if type(line) is not int or type(column) is not int or type(end_line) is not int or type(end_column) is not int:
        raise TypeError("span fields must be integers")
    return Span(line, column, end_line, end_column)


def _dump_one(d: Diagnostic, with_path: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"path": d.path} if with_path else {}  # the store keys entries by path already
    out.update(
        {
            "span": _dump_span(d.span),
            "code": d.code,
            "name": d.name,
            "severity": d.severity.value,
            "message": d.message,
            "json_path": list(d.json_path),
            "document": d.document,
        }
    )
    # Most diagnostics have neither; leaving them out keeps entries small.
    if d.related:
        out["related"] = [[_dump_span(r.span), r.message] for r in d.related]
    if d.suppression_reason is not None:
        out["suppression_reason"] = d.suppression_reason
    if d.source_line is not None:
        out["source_line"] = d.source_line
    if d.fixes:
        out["fixes"] = [
            [f.title, f.applicability, [[e.start, e.end, e.content, _dump_span(e.span)] for e in f.edits]]
            for f in d.fixes
        ]
    return out


#: severities by their spelling in the cache: a lookup, where calling the enum searches its members
_SEVERITIES = {severity.value: severity for severity in Severity}


def _load_one(e: dict[str, Any], path: str | None) -> Diagnostic:
    json_path = tuple(e["json_path"])
    for part in json_path:
        if type(part) is not str and type(part) is not int:
            raise TypeError("json_path segments must be strings or integers")
    reason, line = e.get("suppression_reason"), e.get("source_line")
    if not (reason is None or isinstance(reason, str)) or not (line is None or isinstance(line, str)):
        raise TypeError("suppression_reason and source_line must be strings")
    severity = _SEVERITIES.get(e["severity"])
    if severity is None:
        raise ValueError(f"unknown severity {e['severity']!r}")
    return Diagnostic(
        path=e["path"] if path is None else path,
        span=_load_span(e["span"]),
        code=str(e["code"]),
        name=str(e["name"]),
        severity=severity,
        message=str(e["message"]),
        json_path=json_path,
        document=int(e["document"]),
        related=tuple(RelatedLocation(_load_span(s), str(m)) for s, m in e["related"]) if "related" in e else (),
        suppression_reason=reason,
        source_line=line,
        fixes=_load_fixes(e["fixes"]) if "fixes" in e else (),
    )


def _load_fixes(entries: Any) -> tuple[Any, ...]:
    from worker_lint.core.fix import APPLICABILITIES, Edit, Fix

    fixes = []
    for title, applicability, edits in entries:
        if applicability not in APPLICABILITIES or not isinstance(title, str):
            raise TypeError("malformed fix")
        fixes.append(
            Fix(
                title,
                applicability,
                tuple(
                    Edit(int(start), int(end), str(content), _load_span(span)) for start, end, content, span in edits
                ),
            )
        )
    return tuple(fixes)


# ---------------------------------------------------------------- the store


def resolve_dir(root: str | os.PathLike[str], override: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: ``override`` if given, else ``$WORKER_LINT_CACHE_DIR``, else ``root/.worker-lint-cache``."""
    if override is not None:
        return Path(override)
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    return Path(root) / DEFAULT_DIRNAME


class Entry(NamedTuple):
    """What the cache knows of one file: its state when read, its content key, and its result."""

    size: int
    mtime_ns: int
    #: changes with permissions, owner and links too, which a file's modification time does not see
    ctime_ns: int
    inode: int
    key: str
    #: the file holds a Stack definition (so a run that trusts the entry need not read it to know)
    stack: bool
    diagnostics: list[dict[str, Any]]


def _tool_identity() -> str:
    from worker_lint.dataos import shellcheck

    return shellcheck.identity()


class ResultCache:
    """The results of one configuration and tool version, for every file linted with them, in one file.

    Entries are keyed by content: ``key(path, bytes)`` hashes the file's bytes
    with its path (per-file ignores make equal bytes differ by name), the
    configuration fingerprint and the tool version, and ``get`` answers only
    for an equal key.  Each entry also records the file's size, modification
    and change times and inode when it was read; ``unchanged`` answers from an
    entry whose four are still the file's, without reading it, as git's index does.
    A file modified within ``RACY_NS`` of the cache's writing is never answered
    that way (its time may not have moved with a change), only by its key.

    The results live in ``<dir>/v<FORMAT>/<fingerprint hash>.json``, read once
    and written once per run (by ``save``, when anything changed), atomically:
    concurrent runs each see a whole file, and the last one to finish wins.  A
    file that cannot be read back (truncated, corrupt, foreign) is an empty
    cache, and any OS error (read-only disk, full disk) just loses the results.
    A disabled cache (``directory=None``) misses on every lookup and writes nothing.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None,
        fingerprint: str,
        version: str | None = None,
        *,
        secret: bytes | None = None,
    ) -> None:
        if version is None:
            from worker_lint import __version__

            version = __version__
        self.directory = None if directory is None else Path(directory)
        self.version = version
        #: why the cache is off although a folder was given (a symbolic link, no secret), for a warning
        self.problem: str | None = None
        if self.directory is not None:
            if secret is None:
                secret = machine_secret()
            if secret is None:
                self.problem = "no cache-key secret could be created in the user's cache folder"
            elif os.path.islink(self.directory):
                self.problem = f"the cache folder `{self.directory}` is a symbolic link"
            if self.problem is not None:
                self.directory = None
        # The constant part of every key is hashed once; each file then only feeds its name and bytes.
        self._seed = blake2b(digest_size=32, key=secret or b"")
        # the programs whose findings are results too (a run without a cache need not look for them)
        tools = "" if self.directory is None else _tool_identity()
        for part in (f"worker-lint-cache/{FORMAT}", version, fingerprint, package_digest(), tools):
            encoded = part.encode("utf-8")
            self._seed.update(len(encoded).to_bytes(8, "big") + encoded)
        self._file = (
            None if self.directory is None else (self.directory / f"v{FORMAT}" / f"{self._seed.hexdigest()[:32]}.json")
        )
        self._entries: dict[str, Entry] | None = None
        self._written_ns = 0
        self._stacks = ""
        self._dirty = False

    @property
    def enabled(self) -> bool:
        return self._file is not None

    def key(self, path: str, content: bytes) -> str:
        return self.key_for_digest(path, content_digest(content))

    def key_for_digest(self, path: str, digest: bytes) -> str:
        """The key of a file whose bytes have this ``content_digest``."""
        h = self._seed.copy()
        encoded = os.fsencode(path)
        h.update(len(encoded).to_bytes(8, "big") + encoded + digest)
        return h.hexdigest()

    def unchanged(self, path: str, info: os.stat_result) -> Entry | None:
        """The entry of a file whose size, times and inode have not moved since it was read, else None."""
        entry = self._load().get(path)
        if (
            entry is None
            or entry.size != info.st_size
            or entry.mtime_ns != info.st_mtime_ns
            or entry.ctime_ns != info.st_ctime_ns
            or entry.inode != info.st_ino
            or entry.mtime_ns >= self._written_ns - RACY_NS
        ):
            return None
        return entry

    def get(self, path: str, key: str) -> list[Diagnostic] | None:
        """The cached diagnostics of ``path`` with this content key, or None on a miss."""
        entry = self._load().get(path)
        if entry is None or entry.key != key:
            return None
        return self.diagnostics(path, entry)

    def diagnostics(self, path: str, entry: Entry) -> list[Diagnostic] | None:
        """An entry's diagnostics, or None (a miss) when they cannot be read back."""
        try:
            return load(entry.diagnostics, path)
        except ValueError:
            return None

    def put(self, path: str, info: os.stat_result, key: str, stack: bool, diagnostics: Iterable[Diagnostic]) -> None:
        """Record a file's result, with the state it was read in (kept in memory until ``save``)."""
        if self._file is None:
            return
        entry = Entry(
            info.st_size,
            info.st_mtime_ns,
            info.st_ctime_ns,
            info.st_ino,
            key,
            stack,
            dump(diagnostics, with_path=False),
        )
        if self._load().get(path) != entry:
            self._load()[path] = entry
            self._dirty = True

    def forget_unless(self, stacks_digest: str) -> bool:
        """Drop every entry unless the Stack definitions they were linted against are still these.

        Custom Stack definitions change other files' results, so the cache is
        valid only for the definitions it was written with.  True when it is.
        """
        entries = self._load()
        if self._stacks == stacks_digest:
            return True
        if entries:
            entries.clear()
            self._dirty = True
        self._stacks = stacks_digest
        return False

    def save(self) -> bool:
        """Write the results if anything changed; False when they could not be written."""
        if self._file is None or not self._dirty:
            return True
        entries = self._load()
        document = {
            "format": FORMAT,
            "seed": self._seed.hexdigest(),
            "stacks": self._stacks,
            "written_ns": time.time_ns(),
            "files": {path: list(entry) for path, entry in entries.items()},
        }
        data = json.dumps(document, separators=(",", ":")).encode("utf-8")
        try:
            self._prepare()
            write_bytes(self._file, data, durable=False, in_place=False)
        except OSError:
            return False
        self._dirty = False
        return True

    def _load(self) -> dict[str, Entry]:
        if self._entries is None:
            self._entries = {}
            if self._file is not None:
                self._entries = self._read(self._file)
        return self._entries

    def _read(self, file: Path) -> dict[str, Entry]:
        try:
            document = json.loads(read_bytes(file, MAX_RESULTS_SIZE, follow_symlinks=False))
            if not isinstance(document, dict) or document.get("seed") != self._seed.hexdigest():
                return {}  # a foreign or damaged file under our name
            entries = {path: Entry(*fields) for path, fields in document["files"].items()}
            if not all(_well_formed(entry) for entry in entries.values()):
                return {}
            self._written_ns = int(document["written_ns"])
            self._stacks = str(document["stacks"])
        except (ReadError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return {}
        return entries

    def _prepare(self) -> None:
        """Create the folder with its CACHEDIR.TAG and .gitignore."""
        assert self.directory is not None and self._file is not None
        self._file.parent.mkdir(parents=True, exist_ok=True)
        for folder in (self.directory, self._file.parent):
            if stat.S_ISLNK(os.lstat(folder).st_mode):  # planted since the run began: never write through it
                raise OSError(f"{folder} is a symbolic link")
        for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "# Created by worker-lint.\n*\n")):
            marker = self.directory / name
            if not marker.exists():
                write_bytes(marker, text.encode("utf-8"), durable=False, in_place=False)

    def clear(self) -> None:
        """Remove every result of every format (the folder and its markers stay)."""
        self._entries = {}
        self._dirty = False
        if self.directory is None or not self.directory.is_dir():
            return
        import shutil

        for child in self.directory.iterdir():
            if child.is_dir() and child.name.startswith("v"):
                shutil.rmtree(child, ignore_errors=True)


def _well_formed(entry: Entry) -> bool:
    return (
        all(type(n) is int for n in entry[:4])
        and isinstance(entry.key, str)
        and type(entry.stack) is bool
        and isinstance(entry.diagnostics, list)
    )


# ---------------------------------------------------------------- what keys are made of, besides the files


def user_cache_home() -> Path:
    """The user's cache folder: `$XDG_CACHE_HOME`, else the platform's usual place."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg)
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        if local:
            return Path(local)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path.home() / ".cache"


def machine_secret() -> bytes | None:
    """This machine's (this user's) random cache-key secret, created on first use; None if it cannot be.

    It lives outside every project, in ``<user cache folder>/worker-lint/cache-key``,
    created with mode 0600 (where the system has modes), so no repository can
    carry it and no other user can read it.  It is written to a temporary file
    and linked into place, so concurrent first runs agree on one secret.
    """
    folder = user_cache_home() / "worker-lint"
    path = folder / SECRET_FILE
    try:
        data = read_bytes(path, _SECRET_SIZE, follow_symlinks=False)
        if len(data) == _SECRET_SIZE:
            return data
    except ReadError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = folder / f".{SECRET_FILE}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), 0o600
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(_SECRET_SIZE))
            try:
                os.link(tmp, path)  # fails if another run created it first: theirs is kept
            except FileExistsError:
                if os.path.islink(path) or os.path.getsize(path) != _SECRET_SIZE:
                    os.replace(tmp, path)  # a damaged or planted one is replaced
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        data = read_bytes(path, _SECRET_SIZE, follow_symlinks=False)
    except (OSError, ReadError):
        return None
    return data if len(data) == _SECRET_SIZE else None


_PACKAGE_DIGEST: str | None = None


def package_digest() -> str:
    """A digest of the installed package's code (``worker_lint/**.py``) and data (rule pages, schemas).

    Made from each file's name, size and modification time, which every edit,
    reinstall or checkout changes, so it costs a directory listing rather than
    reading the package; computed once per process.
    """
    global _PACKAGE_DIGEST
    if _PACKAGE_DIGEST is None:
        from worker_lint.core.data import data_dir, package_dir

        package = package_dir()
        folders = [package]
        for name in ("rules", "schemas"):
            try:
                folder = data_dir(name)
            except FileNotFoundError:
                continue
            if package not in folder.parents:
                folders.append(folder)
        _PACKAGE_DIGEST = tree_digest(folders)
    return _PACKAGE_DIGEST


def tree_digest(folders: Iterable[Path]) -> str:
    seen: list[tuple[str, int, int]] = []
    for folder in folders:
        _list_tree(str(folder), "", seen)
    seen.sort()
    return blake2b(repr(seen).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


_DATA_SUFFIXES = (".py", ".json", ".md", ".yaml", ".yml", ".toml", ".txt")


def _list_tree(folder: str, prefix: str, seen: list[tuple[str, int, int]]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.endswith(_DATA_SUFFIXES):
            try:
                info = entry.stat()
            except OSError:
                continue
            seen.append((prefix + name, info.st_size, info.st_mtime_ns))
        elif name != "__pycache__" and not name.startswith(".") and entry.is_dir(follow_symlinks=False):
            _list_tree(entry.path, f"{prefix}{name}/", seen)
