"""A content-hash cache of per-file lint results, so unchanged files are not linted twice."""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from worker_lint.atomic import write_bytes
from worker_lint.digest import blake2b
from worker_lint.diagnostic import Diagnostic, RelatedLocation, Severity, Span

#: Folder name used under the project root when the caller names no other.
DEFAULT_DIRNAME = ".worker-lint-cache"
#: Environment variable that moves the cache (the CLI's ``--cache-dir`` wins over it).
ENV_DIR = "WORKER_LINT_CACHE_DIR"
#: Bumped whenever the entry layout below changes, so old entries are never misread.
FORMAT = 2

_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by worker-lint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


# ---------------------------------------------------------------- (de)serialising diagnostics

def dump(diagnostics: Iterable[Diagnostic]) -> list[dict[str, Any]]:
    """Turn diagnostics into JSON-able dicts; ``load`` gives back equal objects."""
    return [_dump_one(d) for d in diagnostics]


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
    if not all(type(x) is int for x in (line, column, end_line, end_column)):
        raise TypeError("span fields must be integers")
    return Span(line, column, end_line, end_column)


def _dump_one(d: Diagnostic) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": d.path,
        "span": _dump_span(d.span),
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "json_path": list(d.json_path),
        "document": d.document,
    }
    # Most diagnostics have neither; leaving them out keeps entries small.
    if d.related:
        out["related"] = [[_dump_span(r.span), r.message] for r in d.related]
    if d.suppression_reason is not None:
        out["suppression_reason"] = d.suppression_reason
    return out


def _load_one(e: dict[str, Any], path: str | None) -> Diagnostic:
    json_path = tuple(e["json_path"])
    if not all(type(p) in (str, int) for p in json_path):
        raise TypeError("json_path segments must be strings or integers")
    return Diagnostic(
        path=e["path"] if path is None else path,
        span=_load_span(e["span"]),
        code=str(e["code"]),
        name=str(e["name"]),
        severity=Severity(e["severity"]),
        message=str(e["message"]),
        json_path=json_path,
        document=int(e["document"]),
        related=tuple(RelatedLocation(_load_span(s), str(m)) for s, m in e.get("related", ())),
        suppression_reason=e.get("suppression_reason"),
    )


# ---------------------------------------------------------------- the store

def resolve_dir(root: str | os.PathLike[str], override: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: ``override`` if given, else ``$WORKER_LINT_CACHE_DIR``, else ``root/.worker-lint-cache``."""
    if override is not None:
        return Path(override)
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    return Path(root) / DEFAULT_DIRNAME


class ResultCache:
    """Per-file results keyed by a hash of the file bytes, configuration fingerprint and tool version.

    ``fingerprint`` must change whenever anything that can change a file's
    diagnostics changes: the resolved settings that apply to that file (rule
    selection, severities, options, per-file ignores) and any cross-file
    knowledge the checks read.  A disabled cache (``directory=None``) misses
    on every ``get`` and ignores every ``put``.

    Entries are one small JSON file each, under ``<dir>/v<FORMAT>/<2 hex>/``.
    Writes go to a temporary file in the same folder and are renamed into
    place with ``os.replace``, so a reader sees either no entry or a whole
    one, however many processes write at once.  An entry that cannot be read
    back (truncated, corrupt, foreign) is a miss, and the next ``put``
    overwrites it.  Any OS error (read-only disk, full disk) also just misses.
    """

    def __init__(self, directory: str | os.PathLike[str] | None, fingerprint: str, version: str | None = None) -> None:
        if version is None:
            from worker_lint import __version__ as version
        self.directory = None if directory is None else Path(directory)
        self.fingerprint = fingerprint
        self.version = version
        # The constant part of every key is hashed once; each file then only feeds its bytes.
        self._seed = blake2b(digest_size=32)
        for part in (f"worker-lint-cache/{FORMAT}", version, fingerprint):
            encoded = part.encode("utf-8")
            self._seed.update(len(encoded).to_bytes(8, "big") + encoded)
        self._entries = None if self.directory is None else self.directory / f"v{FORMAT}"
        self._prepared = False

    @property
    def enabled(self) -> bool:
        return self._entries is not None

    def key(self, content: bytes) -> str:
        h = self._seed.copy()
        h.update(content)
        return h.hexdigest()

    def _entry_path(self, key: str) -> Path:
        assert self._entries is not None
        return self._entries / key[:2] / f"{key[2:]}.json"

    def get(self, content: bytes, path: str | None = None) -> list[Diagnostic] | None:
        """The cached diagnostics for these bytes (with ``path`` as their file), or None on a miss."""
        if self._entries is None:
            return None
        key = self.key(content)
        try:
            with open(self._entry_path(key), "rb") as f:
                raw = f.read()
        except OSError:
            return None
        try:
            entry = json.loads(raw)
            if not isinstance(entry, dict) or entry.get("key") != key:
                return None  # a foreign or damaged file under our name
            diagnostics = entry["diagnostics"]
            if not isinstance(diagnostics, list):
                return None
            return load(diagnostics, path)
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, content: bytes, diagnostics: Iterable[Diagnostic]) -> bool:
        """Store the diagnostics for these bytes; return False when nothing could be written."""
        if self._entries is None:
            return False
        key = self.key(content)
        data = json.dumps({"key": key, "diagnostics": dump(diagnostics)}, separators=(",", ":")).encode("utf-8")
        target = self._entry_path(key)
        try:
            self._prepare()
            target.parent.mkdir(exist_ok=True)
            write_bytes(target, data, durable=False)
        except OSError:
            return False
        return True

    def _prepare(self) -> None:
        """Create the folder with its CACHEDIR.TAG and .gitignore, once per instance."""
        if self._prepared:
            return
        assert self.directory is not None and self._entries is not None
        self._entries.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "# Created by worker-lint.\n*\n")):
            marker = self.directory / name
            if not marker.exists():
                write_bytes(marker, text.encode("utf-8"), durable=False)
        self._prepared = True

    def clear(self) -> None:
        """Remove every entry of every format (the folder and its markers stay)."""
        if self.directory is None or not self.directory.is_dir():
            return
        import shutil

        for child in self.directory.iterdir():
            if child.is_dir() and child.name.startswith("v"):
                shutil.rmtree(child, ignore_errors=True)
