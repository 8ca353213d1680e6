"""Reading a configuration file: TOML or YAML to plain data, pydantic validation, errors at file:line:column."""

from __future__ import annotations

import copy
import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from worker_lint.config import PYPROJECT
from worker_lint.core import lazy_re, type_names
from worker_lint.core.safe_text import escape

if TYPE_CHECKING:
    from pydantic import BaseModel

TOML_TABLE = ("tool", "worker-lint")


class Problem(NamedTuple):
    source: str  # a file as shown to the user, or a command-line flag
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        # Keys, values and file names come from the configuration: shown escaped, one line per
        # problem, so that no value can print a line a CI log reads as a command (`::error`).
        if self.line is None:
            return f"{escape(self.source)}: {escape(self.message)}"
        return f"{escape(self.source)}:{self.line}:{self.column}: {escape(self.message)}"


class ConfigError(Exception):
    """A missing or invalid configuration: a usage error (exit 2) whose lines point at the offending keys."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# -- reading and locating -----------------------------------------------------------------------------------------


@dataclass
class RawConfig:
    """A configuration file's table as plain data, and how to find a key's position in its text."""

    path: Path
    shown: str
    text: str
    data: Any
    is_toml: bool
    _yaml_root: Any = field(default=None, repr=False)
    #: where the keys sit in a TOML file: `[tool.worker-lint]` in pyproject.toml, the top level elsewhere
    toml_table: tuple[str, ...] = TOML_TABLE

    def locate(self, loc: Sequence[str | int], at: str = "key", value: Any = None) -> tuple[int, int]:
        if self.is_toml:
            return _toml_locate(self.text, self.toml_table, loc, at, value)
        return _yaml_locate(self._yaml_root, self.text, loc, at)


def read_config(path: Path, cwd: Path) -> RawConfig:
    from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE
    from worker_lint.document.reading import ReadError, read_bytes

    shown = _shown(path, cwd)
    try:  # as a manifest is read: a regular file, within the size limit, never blocking (the language server reads it)
        raw = read_bytes(path, DEFAULT_MAX_FILE_SIZE)
    except ReadError as exc:
        if not os.path.lexists(path):
            raise ConfigError([Problem(shown, "configuration file not found")]) from None
        raise ConfigError([Problem(shown, f"cannot read the configuration file: {exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError([Problem(shown, "the configuration file is not UTF-8")]) from None
    try:
        raw_config = _read_toml(path, shown, text) if path.suffix == ".toml" else _read_yaml(path, shown, text)
    except RecursionError:  # tomllib reads nested arrays and inline tables by recursion
        raw_config = None
    if raw_config is None or _deeper_than(raw_config.data, MAX_DEPTH):
        raise ConfigError(
            [Problem(shown, f"values nested more than {MAX_DEPTH} levels deep; a configuration needs a few")]
        )
    return raw_config


#: how deeply a configuration's values may nest: its deepest key (`options.WL201.name`) is three
#: levels down, and validating data thousands of levels deep would exhaust the stack
MAX_DEPTH = 64


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and tables more than ``limit`` levels deep, found without recursion."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= limit:
                return True
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return False


def toml_module() -> ModuleType:
    """tomllib (tomli before Python 3.11), imported only when a TOML file is read."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]
    return tomllib


def _read_toml(path: Path, shown: str, text: str) -> RawConfig:
    tomllib = toml_module()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if where:
            message = message[: where.start()].rstrip()
            raise ConfigError([Problem(shown, f"invalid TOML: {message}", int(where[1]), int(where[2]))]) from None
        raise ConfigError([Problem(shown, f"invalid TOML: {message}")]) from None
    table: Any = data
    for key in TOML_TABLE:
        table = table.get(key) if isinstance(table, dict) else None
    if table is None:
        if path.name == PYPROJECT:
            raise ConfigError([Problem(shown, "no [tool.worker-lint] table in this file")])
        # A stand-alone TOML file given with --config holds the table's keys directly.
        return RawConfig(path, shown, text, data, True, toml_table=())
    return RawConfig(path, shown, text, table, True)


def _read_yaml(path: Path, shown: str, text: str) -> RawConfig:
    from worker_lint.document.parse import parse
    from worker_lint.document.source import normalize_breaks

    result = parse(normalize_breaks(text))
    editor = _editor_lines(text)
    problems = []
    for finding in result.findings:
        span = finding.span
        line, column = (span.line, span.column) if span else (1, 1)
        if editor is not None and span is not None:
            line, column = editor.point(line, column)
        problems.append(Problem(shown, finding.message, line, column))
    if problems:
        raise ConfigError(problems)
    if len(result.documents) > 1:
        second = result.documents[1].root.start_mark
        line, column = second.line + 1, second.column + 1
        if editor is not None:
            line, column = editor.point(line, column)
        raise ConfigError([Problem(shown, "a configuration file holds one YAML document", line, column)])
    if not result.documents or result.documents[0].data is None:
        return RawConfig(path, shown, text, {}, False)
    document = result.documents[0]
    raw = RawConfig(path, shown, text, document.data, False, document.root)
    if not isinstance(document.data, dict):
        line, column = raw.locate((), "value")
        raise ConfigError(
            [Problem(shown, "the configuration must be a mapping of keys such as `select` and `ignore`", line, column)]
        )
    return raw


def _shown(path: Path, cwd: Path) -> str:
    from worker_lint.core.paths import relative

    return relative(path, cwd)


def _yaml_locate(root: Any, text: str, loc: Sequence[str | int], at: str) -> tuple[int, int]:
    from worker_lint.document.positions import resolve
    from worker_lint.document.source import normalize_breaks

    span = resolve(root, tuple(loc), "key" if at == "key" else "value", normalize_breaks(text))
    editor = _editor_lines(text)
    return editor.point(span.line, span.column) if editor is not None else (span.line, span.column)


def _editor_lines(text: str) -> Any:
    """The map from the parser's lines to the editor's, when NEL, LS or PS makes them differ (see positions)."""
    if "\x85" not in text and "\u2028" not in text and "\u2029" not in text:
        return None
    from worker_lint.document.positions import EditorLines
    from worker_lint.document.source import normalize_breaks

    return EditorLines(text, normalize_breaks(text))


# TOML has no position-keeping parser in the standard library, so positions
# come from a line scan that understands table headers and dotted keys.
_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = lazy_re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*")
_PART = lazy_re.compile(_KEY_PART)


def _split_keys(text: str) -> tuple[str, ...]:
    parts = []
    for match in _PART.finditer(text):
        part = match.group(0)
        if part[0] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _toml_locate(text: str, table: tuple[str, ...], loc: Sequence[str | int], at: str, value: Any) -> tuple[int, int]:
    lines = text.split("\n")
    # An array of tables (`[[tool.worker-lint.policies]]`) is entered by an index: its n-th header.
    arrays = {_split_keys(line.lstrip()[2:].split("]", 1)[0]) for line in lines if line.lstrip().startswith("[[")}
    target: tuple[str, ...] = table
    for part in loc:
        if isinstance(part, str):
            target += (part,)
        elif tuple(p for p in target if isinstance(p, str)) in arrays:
            target += (str(part),)
    best: tuple[int, int, int] = (0, 1, 1)  # (matched depth, line, column)
    best_index = 0
    current: tuple[str, ...] = ()
    seen: dict[tuple[str, ...], int] = {}
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("["):
            inner = stripped.strip("[").split("]", 1)[0]
            current = _with_indices(_split_keys(inner), arrays, seen, stripped.startswith("[["))
            column = len(line) - len(stripped) + 1
            path, key_column = current, column
        else:
            match = _DOTTED.match(line)
            if match is None or not line[match.end() :].startswith("="):
                continue
            path = current + _split_keys(match.group(1))
            key_column = match.start(1) + 1
        depth = _common(path, target)
        if depth == len(path) and depth > best[0]:
            best, best_index = (depth, index + 1, key_column), index
            if not stripped.startswith("[") and depth < len(target):
                # An inline table such as `severity = { WL201 = "error" }`: find the inner key on the line.
                for name in target[depth:]:
                    found = re.search(rf'(?:^|[{{,\s])("?{re.escape(name)}"?)\s*=', line[key_column:])
                    if found is None:
                        break
                    key_column += found.start(1) + 1
                    best = (best[0] + 1, index + 1, key_column)
    _, line_no, column = best
    if at == "value" and best[0] > 0:
        return _toml_value(lines, best_index, column, value)
    return line_no, column


def _with_indices(
    keys: tuple[str, ...], arrays: set[tuple[str, ...]], seen: dict[tuple[str, ...], int], is_array: bool
) -> tuple[str, ...]:
    """A header's keys with the index of each array of tables it is inside (as text, as targets hold them)."""
    if is_array:
        seen[keys] = seen.get(keys, -1) + 1
    out: tuple[str, ...] = ()
    for depth in range(1, len(keys) + 1):
        out += (keys[depth - 1],)
        if keys[:depth] in arrays and keys[:depth] in seen:
            out += (str(seen[keys[:depth]]),)
    return out


def _toml_value(lines: list[str], index: int, column: int, value: Any) -> tuple[int, int]:
    """The position of a bad value: the quoted string when the value is a string, else the text after `=`."""
    if isinstance(value, str):
        for offset, line in enumerate(lines[index : index + 50]):
            start = column - 1 if offset == 0 else 0
            for quoted in (f'"{value}"', f"'{value}'"):
                found = line.find(quoted, start)
                if found != -1:
                    return index + offset + 1, found + 1
            if offset and _DOTTED.match(line) and "=" in line:
                break
    line = lines[index]
    equals = line.find("=", column - 1)
    if equals != -1:
        after = len(line) - len(line[equals + 1 :].lstrip())
        return index + 1, after + 1
    return index + 1, column


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    depth = 0
    for x, y in zip(a, b):
        if x != y:
            break
        depth += 1
    return depth


# -- validating ---------------------------------------------------------------------------------------------------


class ConfigValues:
    """A valid configuration's values by LintConfig's field names, with LintConfig's defaults.

    Nothing here restates the shape: the keys and their defaults are read from the JSON Schema
    generated from the model (which a test keeps up to date), so a key added to the model is
    read without pydantic with no other change.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        for key, spec in _schema()["properties"].items():
            value = data[key] if key in data else spec.get("default")
            setattr(self, key.replace("-", "_"), copy.deepcopy(value))

    def model_dump(self) -> dict[str, Any]:
        """The values as LintConfig.model_dump() gives them."""
        return dict(vars(self))

    def __getattr__(self, name: str) -> Any:  # for type checkers: every field is set in __init__
        raise AttributeError(name)


@functools.cache
def _schema() -> dict[str, Any]:
    import json

    from worker_lint.core.data import CONFIG_SCHEMA_FILE, data_dir

    schema: dict[str, Any] = json.loads((data_dir("schemas") / CONFIG_SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


def validate(raw: RawConfig) -> ConfigValues | BaseModel:
    """Validate the table; every error becomes a Problem at its key or value.

    pydantic owns the configuration's shape, but importing it costs more
    than a whole lint of a small file, so a configuration is first checked
    against the JSON Schema generated from the model (compiled, and drift-tested
    against it); pydantic runs only when that check fails, to explain why.
    """
    if _fast_valid(raw.data):
        return ConfigValues(raw.data)
    from pydantic import ValidationError

    from worker_lint.config.model import LintConfig

    try:
        return LintConfig.model_validate(raw.data)
    except ValidationError as exc:
        problems = [_problem(raw, error) for error in exc.errors()]
        raise ConfigError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0))) from None


def _fast_valid(data: Any) -> bool:
    try:
        return bool(_fast_validator().is_valid(data))
    except Exception:  # no compiled validator, or a value it cannot read (a TOML date): pydantic decides
        return False


@functools.cache
def _fast_validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(_schema())


def _problem(raw: RawConfig, error: Mapping[str, Any]) -> Problem:
    loc = list(error["loc"])
    kind = error["type"]
    value = error.get("input")
    at = "value"
    if loc and loc[-1] == "[key]":
        loc.pop()
        at = "key"
        value = loc[-1] if loc else value
    where = _describe(loc)
    if kind == "extra_forbidden":
        at = "key"
        from worker_lint.core.suggest import did_you_mean

        message = f"unknown key `{loc[-1]}`" + did_you_mean(str(loc[-1]), _known_keys(loc[:-1]))
    elif kind == "missing":
        message = f"{_describe(loc[:-1])} has no `{loc[-1]}`" + _MISSING_WHY.get(str(loc[-1]), "")
    elif kind == "string_too_short":
        message = f"{where} must not be empty"
    elif kind == "too_short":
        message = f"{where} must list at least one value; leave it out for every one"
    elif kind == "string_pattern_mismatch" and loc[:1] == ["policies"] and str(loc[-1]) in _POLICY_SHAPES:
        message = f"`{value}` is not {_POLICY_SHAPES[str(loc[-1])]}"
    elif kind == "string_pattern_mismatch" and loc[:1] == ["variables"]:
        message = f"`{value}` is not a variable name: use letters, digits and `_`, not starting with a digit"
    elif kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern", "").endswith("{3}$"):
        message = f"`{value}` in {_describe(loc[:-1])} is not a rule code such as `WL201`"
    elif kind == "string_pattern_mismatch":
        message = (
            f"`{value}` in {_describe(loc[:-1] if at == 'key' else loc[:1])} is not a rule code or prefix"
            " such as `WL201` or `WL2`"
        )
    elif kind == "literal_error":
        message = f"`{value}` is not a severity for {where}; use error, warning or info"
    elif kind in _JSON_TYPES:
        message = f"{where} must be {type_names.wanted(_JSON_TYPES[kind])}, not {type_names.of_value(value)}"
    elif kind == "greater_than_equal":
        message = f"{where} must be at least {error.get('ctx', {}).get('ge')}, not {value}"
    else:
        message = f"{where}: {error['msg']}"
    line, column = raw.locate(loc, at, value)
    return Problem(raw.shown, message, line, column)


#: why a policy's required key is required
_MISSING_WHY = {
    "code": ": every policy has a code such as `ORG001`",
    "message": ": every policy says what is wrong, as its diagnostics' message",
}
#: what a policy's patterned values are, for the message that says one is not
_POLICY_SHAPES = {
    "code": "a policy code: write upper-case letters then at least three digits, such as `ORG001`",
    "name": "a kebab-case name such as `team-tag`",
    "at": "a dotted path into the document such as `worker.compute`",
}

#: pydantic's error types for a value of the wrong JSON type, and the type wanted
_JSON_TYPES = {"list_type": "array", "dict_type": "object", "string_type": "string", "int_type": "integer"}


def _known_keys(parent: Sequence[Any]) -> list[str]:
    if parent:
        return []
    return list(_schema()["properties"])


def _describe(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        text = str(part) if re.fullmatch(r"[A-Za-z0-9_-]+", str(part)) else f'"{part}"'
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + text
    return f"`{out}`" if out else "the configuration"
