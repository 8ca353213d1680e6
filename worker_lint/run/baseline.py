"""A baseline of known diagnostics, so a repository can adopt worker-lint and see only new problems.

Entries are keyed by file, rule and the JSON path of the offending node, never
by line or message: an edit that shifts lines, or a rule whose wording
improves, leaves the baseline valid.  Each key carries a count, so two
identical problems with one fixed still match exactly one.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worker_lint.core.atomic import write_text
from worker_lint.core.diagnostic import Diagnostic, JsonPath
from worker_lint.core.paths import relative

FORMAT_VERSION = 1
_HEADER = "worker-lint-baseline"


class BaselineError(Exception):
    """An unreadable or malformed baseline file: a usage error (exit 2)."""


@dataclass(frozen=True, slots=True, order=True)
class Key:
    file: str  # relative to the baseline file's folder, with `/` separators
    code: str
    path: JsonPath


@dataclass(frozen=True)
class Filtered:
    new: list[Diagnostic]
    known: list[Diagnostic]
    #: baseline entries no diagnostic matched any more: problems fixed since it was written
    fixed: int


class Baseline:
    def __init__(self, entries: Counter[Key], folder: Path) -> None:
        self.entries = entries
        self.folder = folder

    def key(self, diagnostic: Diagnostic) -> Key:
        return Key(relative_file(diagnostic.path, self.folder), diagnostic.code, tuple(diagnostic.json_path))

    def filter(self, diagnostics: Sequence[Diagnostic]) -> Filtered:
        """Split into new and known diagnostics; the first ``count`` of a key, in file order, are known."""
        remaining = Counter(self.entries)
        known_ids: set[int] = set()
        for index in sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key()):
            key = self.key(diagnostics[index])
            if remaining[key] > 0:
                remaining[key] -= 1
                known_ids.add(index)
        new = [d for i, d in enumerate(diagnostics) if i not in known_ids]
        known = [d for i, d in enumerate(diagnostics) if i in known_ids]
        return Filtered(new, known, sum(remaining.values()))


def relative_file(path: str, folder: Path) -> str:
    """A diagnostic's file relative to ``folder``; standard input keeps its name."""
    return relative(path, folder, climb=True)


def build(diagnostics: Iterable[Diagnostic], folder: Path) -> Baseline:
    baseline = Baseline(Counter(), folder)
    for diagnostic in diagnostics:
        baseline.entries[baseline.key(diagnostic)] += 1
    return baseline


def write(path: Path, diagnostics: Iterable[Diagnostic]) -> int:
    """Record ``diagnostics`` in ``path`` atomically; returns the number of entries."""
    folder = Path(os.path.abspath(path)).parent
    baseline = build(diagnostics, folder)
    document = {
        _HEADER: FORMAT_VERSION,
        "entries": [
            {"file": key.file, "code": key.code, "path": list(key.path), "count": count}
            for key, count in sorted(baseline.entries.items(), key=lambda item: _sortable(item[0]))
        ],
    }
    # ASCII escapes keep a file name that is not UTF-8 exact (as `\udcff`) in a file that is valid UTF-8
    ascii_only = any(not key.file.isascii() and not _utf8(key.file) for key in baseline.entries)
    text = json.dumps(document, indent=2, ensure_ascii=ascii_only) + "\n"
    write_text(Path(path), text)
    return len(baseline.entries)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _sortable(key: Key) -> tuple[str, str, tuple[tuple[int, str], ...]]:
    # Paths mix strings and indexes; order indexes numerically and before keys.
    return key.file, key.code, tuple((0, f"{p:012d}") if isinstance(p, int) else (1, p) for p in key.path)


def load(path: Path) -> Baseline:
    from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE
    from worker_lint.document.reading import ReadError, read_bytes

    if not os.path.lexists(path):
        raise BaselineError(f"{path}: baseline file not found; create it with --write-baseline")
    try:
        document = json.loads(read_bytes(path, DEFAULT_MAX_FILE_SIZE).decode("utf-8"))
    except ReadError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    except RecursionError:
        raise BaselineError(f"{path}: the baseline is nested too deeply to be one") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: the baseline is not valid JSON: {exc.msg}") from None
    if not isinstance(document, dict) or document.get(_HEADER) != FORMAT_VERSION:
        raise BaselineError(
            f"{path}: not a worker-lint baseline (version {FORMAT_VERSION}); rewrite it with --write-baseline"
        )
    entries: Counter[Key] = Counter()
    for index, entry in enumerate(document.get("entries") or []):
        key = _entry_key(entry)
        if key is None:
            raise BaselineError(
                f"{path}: entry {index} needs a string `file` and `code`, a list `path` and a positive integer `count`"
            )
        entries[key] += entry["count"]
    return Baseline(entries, Path(os.path.abspath(path)).parent)


def _entry_key(entry: Any) -> Key | None:
    if not isinstance(entry, dict):
        return None
    file, code, path, count = entry.get("file"), entry.get("code"), entry.get("path"), entry.get("count")
    if not (isinstance(file, str) and isinstance(code, str) and isinstance(path, list)):
        return None
    if not (isinstance(count, int) and not isinstance(count, bool) and count > 0):
        return None
    if not all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in path):
        return None
    return Key(file, code, tuple(path))
