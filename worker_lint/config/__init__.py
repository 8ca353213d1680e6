"""Configuration: find each file's `.worker-lint.yaml` or `[tool.worker-lint]`, validate it, resolve it into Settings.

pydantic is imported only when a configuration file exists (see
``worker_lint/config/model.py``); a run without one, or with ``--isolated``, never pays for it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worker_lint.config import keys
from worker_lint.config.globs import anchor, matches
from worker_lint.config.keys import Key, Kind
from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Severity
from worker_lint.core.paths import repo_top
from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE, Settings, specificity

if TYPE_CHECKING:
    from pydantic import BaseModel

    from worker_lint.config.file import ConfigError, ConfigValues, Problem, RawConfig
    from worker_lint.core.policy import Policy

__all__ = ["ConfigError", "Problem", "Resolver", "find_config", "is_excluded", "is_selected", "load_settings"]

YAML_NAMES = (".worker-lint.yaml", ".worker-lint.yml")
PYPROJECT = "pyproject.toml"
#: what any TOML spelling of a `tool.worker-lint` table starts a line with: a `[tool.worker-lint...]` or
#: `[tool]` header, or a `tool.worker-lint...` dotted key or `tool = {...}` inline table at the top level
_MAY_CONFIGURE = lazy_re.compile(
    r"""^[ \t]*(?:\[[ \t]*tool[ \t]*(?:\]|\.[ \t]*["']?worker-lint)"""  # a table header
    r"""|tool[ \t]*(?:=|\.[ \t]*["']?worker-lint))""",  # a top-level key
    re.MULTILINE,
)
#: a rule or policy code, or a prefix of codes (`WL2`, `ORG`), or `ALL` (the same as model.SELECTOR_PATTERN)
_SELECTOR = lazy_re.compile(r"^([A-Z]+[0-9]*|ALL)$")
#: a whole code, not a prefix: letters, then three digits or more
_WHOLE_CODE = lazy_re.compile(r"^[A-Z]+[0-9]{3,}$")
_LEVELS = ("error", "warning", "info")
#: `ALL` is the prefix every code starts with: the built-in rules' and the policies'
_ALL = {"ALL": ""}


def __getattr__(name: str) -> Any:
    # Reading a configuration file, and pydantic, are imported only by a run that has one;
    # `from worker_lint.config import ConfigError` (or LintConfig) works all the same.
    if name in ("ConfigError", "Problem"):
        from worker_lint.config import file as config_file

        return getattr(config_file, name)
    if name == "LintConfig":
        from worker_lint.config.model import LintConfig

        return LintConfig
    raise AttributeError(name)


# -- finding the file ---------------------------------------------------------------------------------------------


def find_config(start: Path | str, memo: dict[str, Path | None] | None = None) -> Path | None:
    """The closest configuration file from ``start`` upward; `.worker-lint.yaml` beats pyproject.toml in one folder.

    Inside a git repository the search stops at its top (the folder holding `.git`, a folder or,
    in a worktree, a file): a configuration above a repository is not the project's, and must
    neither silence it nor receive its cache.  ``memo`` (folder to answer) spares a run that asks
    for many folders of one tree from looking at the same parents again.
    """
    folder = os.path.abspath(start)
    visited: list[str] = []
    found: Path | None = None
    while True:
        if memo is not None and folder in memo:
            found = memo[folder]
            break
        visited.append(folder)
        found = _config_in(folder)
        if found is not None or os.path.exists(os.path.join(folder, ".git")):
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if memo is not None:
        for seen in visited:
            memo[seen] = found
    return found


def _config_in(folder: str) -> Path | None:
    for name in YAML_NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return Path(candidate)
    candidate = os.path.join(folder, PYPROJECT)
    if os.path.isfile(candidate) and _has_tool_table(Path(candidate)):
        return Path(candidate)
    return None


def _has_tool_table(path: Path) -> bool:
    from worker_lint.document.reading import ReadError, read_bytes

    try:
        text = read_bytes(path, DEFAULT_MAX_FILE_SIZE).decode("utf-8")
    except (ReadError, UnicodeDecodeError):
        return False
    if not _MAY_CONFIGURE.search(text):  # most pyproject.toml files never mention us, or only as a dependency
        return False
    from worker_lint.config.file import toml_module

    tomllib = toml_module()
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return True  # it means to configure us; reading it will report the syntax error
    return isinstance(data.get("tool"), dict) and "worker-lint" in data["tool"]


# -- the rule catalogue -------------------------------------------------------------------------------------------


def _catalogue() -> Mapping[str, Any] | None:
    """The rule catalogue; selectors are checked against it."""
    from worker_lint import catalogue

    return catalogue.rules()


def _check_selectors(entries: Iterable[tuple[str, Sequence[Any]]], rules: Mapping[str, Any], report: Any) -> None:
    from worker_lint.core.suggest import did_you_mean

    codes = list(rules)
    for selector, loc in entries:
        selector = _ALL.get(selector, selector)
        # A severity entry's selector is the key; everywhere else it is a list item.
        at = "key" if loc and loc[0] == "severity" else "value"
        if selector in rules or any(code.startswith(selector) for code in codes):
            continue
        if _WHOLE_CODE.match(selector):
            report(loc, f"unknown rule code `{selector}`" + did_you_mean(selector, codes), at)
        else:
            report(loc, f"`{selector}` selects no rule", at)


def _check_options(options: Mapping[str, Mapping[str, Any]], rules: Mapping[str, Any], report: Any) -> None:
    from worker_lint.core import type_names
    from worker_lint.core.suggest import did_you_mean

    for code, values in options.items():
        meta = rules.get(code)
        if meta is None:
            report(("options", code), f"unknown rule code `{code}`" + did_you_mean(code, list(rules)), "key")
            continue
        declared = _declared_options(meta)
        for name, value in values.items():
            if name not in declared:
                hint = did_you_mean(name, declared) or (
                    f"; it takes {', '.join(f'`{n}`' for n in declared)}" if declared else "; it takes no options"
                )
                report(("options", code, name), f"rule {code} has no option `{name}`{hint}", "key")
                continue
            wanted = _option_type(declared[name])
            if wanted is not None and not _is_type(value, wanted):
                report(
                    ("options", code, name),
                    f"option `{name}` of rule {code} must be {type_names.wanted(wanted)},"
                    f" not {type_names.of_value(value)}",
                    "value",
                )


#: the option types a rule page may declare
_OPTION_TYPES = frozenset({"integer", "number", "string", "boolean", "array", "object"})


def _declared_options(meta: Any) -> dict[str, Any]:
    options = meta.get("options") if isinstance(meta, Mapping) else getattr(meta, "options", None)
    return dict(options or {})


def _option_type(spec: Any) -> str | None:
    kind = spec.get("type") if isinstance(spec, Mapping) else getattr(spec, "type", None)
    return kind if kind in _OPTION_TYPES else None


def _is_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    python = {"string": str, "boolean": bool, "array": list, "object": dict}[kind]
    return isinstance(value, python)


def _expand_severity(severity: Mapping[str, str], rules: Mapping[str, Any] | None) -> dict[str, Severity]:
    """Severity keys may be prefixes; expand them to codes, the more specific key winning."""
    if rules is None:
        return {code: Severity(level) for code, level in severity.items()}
    out: dict[str, tuple[int, Severity]] = {}
    for selector, level in severity.items():
        for code in rules:
            if code.startswith(selector) and len(selector) >= out.get(code, (-1, Severity.ERROR))[0]:
                out[code] = (len(selector), Severity(level))
    return {code: level for code, (_, level) in sorted(out.items())}


# -- resolving into Settings --------------------------------------------------------------------------------------


def load_settings(
    cwd: Path, config_path: Path | None = None, isolated: bool = False, cli_overrides: Mapping[str, Any] | None = None
) -> Settings:
    """The Settings for a run: the closest (or the given) configuration, then the command line on top.

    ``cli_overrides`` holds command-line values under the configuration keys'
    Python names (config.keys: ``extend_select``, ``max_nodes``), read by their
    kind and relative to ``cwd``; those keys declared ``adds`` (``ignore``,
    ``extend_select``, ``exclude``, ``per_file_ignores``, ``severity``,
    ``variables``) add to the file's values, the others replace them, and
    ``select`` also drops the configured ``ignore`` and ``extend-select``.
    Code lists may be comma-separated strings, ``per_file_ignores`` may be
    ``GLOB:CODES`` strings and ``severity`` ``CODE=LEVEL`` strings, as flags
    give them.  Another Settings field (``hidden_variables``) is set as given.
    Raises ConfigError.
    """
    cwd = Path(os.path.abspath(cwd))
    if isolated and config_path is not None:
        from worker_lint.config.file import ConfigError, Problem

        raise ConfigError([Problem("--config", "cannot be combined with --isolated")])
    path = None if isolated else (Path(os.path.abspath(cwd / config_path)) if config_path else find_config(cwd))
    return _settings_from(path, cwd, cli_overrides)


def _settings_from(path: Path | None, cwd: Path, cli_overrides: Mapping[str, Any] | None) -> Settings:
    settings = Settings()
    rules: Mapping[str, Any] | None = None
    if path is not None:
        from worker_lint.config.file import read_config, validate

        raw = read_config(path, cwd)
        config = validate(raw)
        rules = _catalogue()
        settings = _from_config(config, raw, rules)
    if cli_overrides:
        if rules is None and any(cli_overrides.get(key.attr) for key in keys.KEYS if key.kind in _NAMING_RULES):
            rules = _catalogue()  # the rule codes given are checked against it
        if rules is not None and settings.policies:
            rules = {**rules, **{policy.code: policy for policy in settings.policies}}
        _apply_overrides(settings, cli_overrides, cwd, rules)
    return settings


#: the kinds whose values name rules, checked against the catalogue
_NAMING_RULES = (Kind.SELECTORS, Kind.SELECTORS_BY_GLOB, Kind.SEVERITIES)


class Resolver:
    """The Settings of each file: the closest configuration to the file's own folder, as ruff finds it.

    A monorepo gives each data product's folder its own `.worker-lint.yaml`; a file, standard
    input named with ``--stdin-filename`` and an editor's buffer all get the configuration of the
    folder they name.  ``config_path`` (``--config``) overrides every file's, ``isolated`` ignores
    them all; ``cli_overrides`` (as :func:`load_settings` takes them) apply on top of each.
    Configurations are read once per run, and files of one configuration share one Settings
    object, which is how callers group them.  Raises ConfigError as files are resolved.
    """

    def __init__(
        self,
        cwd: Path | str,
        config_path: Path | None = None,
        isolated: bool = False,
        cli_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.cwd = Path(os.path.abspath(cwd))
        self._overrides = cli_overrides
        self._fixed = (
            load_settings(self.cwd, config_path, isolated, cli_overrides)
            if isolated or config_path is not None
            else None
        )
        self._configs: dict[str, Path | None] = {}
        self._settings: dict[Path | None, Settings] = {}
        self._folders: dict[Path | str, Settings] = {}

    def for_folder(self, folder: Path | str) -> Settings:
        """The Settings of the files in ``folder`` (relative to the working folder, or absolute)."""
        if self._fixed is not None:
            return self._fixed
        known = self._folders.get(folder)
        if known is not None:  # a thousand files of one folder ask a thousand times
            return known
        path = find_config(os.path.join(self.cwd, folder), self._configs)
        if path not in self._settings:
            self._settings[path] = _settings_from(path, self.cwd, self._overrides)
        self._folders[folder] = self._settings[path]
        return self._settings[path]

    def for_file(self, path: Path | str) -> Settings:
        """The Settings of the file ``path``; `<stdin>` (no name given) is in the working folder."""
        text = os.fspath(path)
        if text.startswith("<") and text.endswith(">"):
            return self.for_folder(self.cwd)
        return self.for_folder(os.path.dirname(text))

    def policies(self) -> tuple[Policy, ...]:
        """The policies of every configuration read so far, the first declaration of a code winning."""
        found: dict[str, Policy] = {}
        every = [self._fixed] if self._fixed is not None else list(self._settings.values())
        for settings in every:
            for policy in settings.policies:
                found.setdefault(policy.code, policy)
        return tuple(found.values())

    @property
    def here(self) -> Settings:
        """The working folder's Settings: what a run keeps one of (its cache folder, for one)."""
        return self.for_folder(self.cwd)


def _selector_entries(values: Mapping[str, Any]) -> list[tuple[str, Sequence[Any]]]:
    """Every rule code or prefix the configuration names, with where it is written."""
    entries: list[tuple[str, Sequence[Any]]] = []
    for key in keys.KEYS:
        value = values[key.attr]
        if key.kind is Kind.SELECTORS:
            entries += [(selector, (key.name, i)) for i, selector in enumerate(value or ())]
        elif key.kind is Kind.SELECTORS_BY_GLOB:
            for glob, codes in value.items():
                entries += [(selector, (key.name, glob, i)) for i, selector in enumerate(codes)]
        elif key.kind is Kind.SEVERITIES:  # the selector is the key
            entries += [(selector, (key.name, selector)) for selector in value]
    return entries


def _from_config(config: ConfigValues | BaseModel, raw: RawConfig, rules: Mapping[str, Any] | None) -> Settings:
    from worker_lint.config.file import ConfigError, Problem

    base = raw.path.parent
    values = config.model_dump()  # by the keys' Python names
    problems: list[Problem] = []

    def report(loc: Sequence[Any], message: str, at: str = "value") -> None:
        line, column = raw.locate(loc, at, loc[-1] if at == "key" else None)
        problems.append(Problem(raw.shown, message, line, column))

    policies: tuple[Policy, ...] = ()
    if raw.data.get("policies"):
        from worker_lint.config.policy import resolve

        # read from the validated data as written: the model's copy would name `schema` `schema_`
        policies = resolve(raw.data["policies"], base, raw.path, report)
        if rules is not None:
            rules = {**rules, **{policy.code: policy for policy in policies}}
    if rules is not None:
        _check_selectors(_selector_entries(values), rules, report)
        _check_options(values["options"], rules, report)
    for i, folder in enumerate(values["stack_dirs"]):
        outside = _outside_project(base, folder)
        if outside is not None:
            report(("stack-dirs", i), outside)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    settings = Settings(config_path=raw.path, policies=policies)
    for key in keys.KEYS:
        value = values[key.attr]
        # unset keeps Settings' own default (`select`'s `()`, `fixable`'s None); policies are resolved above
        if value is not None and key.kind is not Kind.POLICIES:
            _set(settings, key, _FROM_FILE[key.kind](value, base, rules))
    return settings


def _set(settings: Settings, key: Key, value: Any) -> None:
    """Set ``key``'s Settings field, which may be one of ``Settings.limits`` (`limits.max_nodes`)."""
    owner, _, name = key.settings_field.rpartition(".")
    if owner == "limits":
        settings.limits = dataclasses.replace(settings.limits, **{name: value})
    elif owner:
        raise TypeError(f"configuration key {key.name!r}: no Settings field {key.settings_field!r}")
    else:
        setattr(settings, name, value)


def _get(settings: Settings, key: Key) -> Any:
    owner, _, name = key.settings_field.rpartition(".")
    return getattr(settings.limits if owner == "limits" else settings, name)


#: how a configuration file's value of each kind becomes a Settings value: (value, the file's folder, rules)
_FROM_FILE: dict[Kind, Callable[[Any, Path, Mapping[str, Any] | None], Any]] = {
    Kind.SELECTORS: lambda value, _base, _rules: _normal(value),
    Kind.SELECTORS_BY_GLOB: lambda value, base, _rules: {
        anchor(glob, base): _normal(codes) for glob, codes in value.items()
    },
    Kind.SEVERITIES: lambda value, _base, rules: _expand_severity({_ALL.get(k, k): v for k, v in value.items()}, rules),
    Kind.RULE_OPTIONS: lambda value, _base, _rules: {code: dict(values) for code, values in value.items()},
    Kind.GLOBS: lambda value, base, _rules: tuple(anchor(glob, base) for glob in value),
    Kind.FOLDER: lambda value, base, _rules: Path(os.path.normpath(base / value)) if value else None,
    Kind.FOLDERS: lambda value, base, _rules: tuple(Path(os.path.normpath(base / d)) for d in value),
    Kind.COUNT: lambda value, _base, _rules: value,
    Kind.VARIABLES: lambda value, _base, _rules: {name: _text(v) for name, v in value.items()},
}


def _outside_project(base: Path, folder: str) -> str | None:
    """Why a `stack-dirs` folder of the configuration in ``base`` is not walked, or None when it may be.

    A configuration comes with the repository it is in, whoever wrote it: the
    folders it has walked must be inside that repository (or, outside one,
    inside the configuration's own folder), not `/` or `/proc`.  Links are
    followed before the test, so a link in the repository leads nowhere else.
    """
    top = repo_top(base)
    bound = os.path.realpath(top or base)
    target = os.path.realpath(base / folder)
    if target == bound or target.startswith(bound.rstrip(os.sep) + os.sep):
        return None
    where = "the repository" if top is not None else "the configuration's folder"
    return f"`stack-dirs`: `{folder}` is outside {where} (`{bound}`); list folders inside it"


def _normal(selectors: Iterable[str]) -> tuple[str, ...]:
    """`ALL` is the prefix every code starts with."""
    return tuple(_ALL.get(s, s) for s in selectors)


def _apply_overrides(
    settings: Settings, overrides: Mapping[str, Any], cwd: Path, rules: Mapping[str, Any] | None
) -> None:
    problems: list[tuple[str, str]] = []  # (flag, message)
    declared = {key.attr: key for key in keys.KEYS}
    # `select` first: it resets what the other flags then add to.
    for name, value in sorted(overrides.items(), key=lambda item: item[0] != "select"):
        if value is None or value == () or value == []:
            continue
        key = declared.get(name)
        if key is None:  # another Settings field (`hidden_variables`, which the command line sets) is set as given
            if not hasattr(settings, name):
                raise TypeError(f"unknown command-line override {name!r}")
            setattr(settings, name, value)
            continue
        read = _FROM_COMMAND_LINE.get(key.kind)
        given = read(value, _Given(key.flag_name, cwd, rules, problems)) if read is not None else value
        if key.adds:
            current = _get(settings, key)
            given = {**(current or {}), **given} if isinstance(given, dict) else current + given
        _set(settings, key, given)
        if name == "select":
            # A new selection starts afresh, as in ruff: the file's ignore and extend-select were
            # about the file's selection (per-file-ignores still apply).
            settings.ignore, settings.extend_select = (), ()
    if problems:
        from worker_lint.config.file import ConfigError, Problem

        raise ConfigError([Problem(flag, message) for flag, message in problems])


@dataclass
class _Given:
    """Where one command-line value is read: its flag, for messages, and what it is resolved against."""

    flag: str
    cwd: Path
    rules: Mapping[str, Any] | None
    problems: list[tuple[str, str]]  # (flag, message)

    def report(self, message: str) -> None:
        self.problems.append((self.flag, message))

    def selectors(self, values: Any) -> tuple[str, ...]:
        """Rule codes or prefixes, comma-separated or repeated, upper-cased and checked."""
        out = _normal(s.upper() for s in _split(values))
        for selector in out:
            if selector and not _SELECTOR.match(selector):
                self.report(f"`{selector}` is not a rule code or prefix such as `WL201` or `WL2`")
            elif self.rules is not None and selector.startswith("WL"):
                # only the built-in range is checked: a policy's code may be declared by another folder's configuration
                _check_selectors([(selector, ())], self.rules, lambda _loc, message, _at: self.report(message))
        return out


def _ignores_given(value: Any, given: _Given) -> dict[str, tuple[str, ...]]:
    """`--per-file-ignores GLOB:CODES` values (or a mapping of them): anchored glob -> selectors."""
    items = value.items() if isinstance(value, Mapping) else (_pair(v, ":") for v in _split(value, False))
    out: dict[str, tuple[str, ...]] = {}
    for glob, codes in items:
        if not glob:
            given.report(f"`{codes}` is not GLOB:CODES")
            continue
        out[anchor(glob, given.cwd)] = given.selectors(codes)
    return out


def _levels_given(value: Any, given: _Given) -> dict[str, Severity]:
    """`--severity CODE=LEVEL` values (or a mapping of them): each code the selector names -> its severity."""
    items = value.items() if isinstance(value, Mapping) else (_pair(v, "=") for v in _split(value))
    levels: dict[str, str] = {}
    for code, level in items:
        level_text = str(getattr(level, "value", level)).lower()
        if level_text not in _LEVELS:
            given.report(f"`{level}` is not a severity; use error, warning or info")
            continue
        if code:  # `ALL` is the empty prefix
            levels[given.selectors(code)[0]] = level_text
    return _expand_severity(levels, given.rules)


#: how a command-line value of each kind becomes a Settings value; a kind not here is taken as given
_FROM_COMMAND_LINE: dict[Kind, Callable[[Any, _Given], Any]] = {
    Kind.SELECTORS: lambda value, given: given.selectors(value),
    Kind.SELECTORS_BY_GLOB: _ignores_given,
    Kind.SEVERITIES: _levels_given,
    Kind.GLOBS: lambda value, given: tuple(anchor(glob, given.cwd) for glob in _split(value, commas=False)),
    Kind.FOLDER: lambda value, given: Path(os.path.normpath(given.cwd / value)),
    Kind.FOLDERS: lambda value, given: tuple(
        Path(os.path.normpath(given.cwd / d)) for d in _split(value, commas=False)
    ),
    Kind.VARIABLES: lambda value, _given: dict(value),
}


def _text(value: Any) -> str:
    """A variable's value as `dataos-ctl` substitutes it: YAML's spelling of booleans, not Python's."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _split(values: Any, commas: bool = True) -> list[str]:
    if isinstance(values, (str, Path)):
        values = [values]
    out: list[str] = []
    for value in values:
        parts = str(value).split(",") if commas else [str(value)]
        out += [p.strip() for p in parts if p.strip()]
    return out


def _pair(text: str, separator: str) -> tuple[str, str]:
    head, sep, tail = text.rpartition(separator)
    return (head.strip(), tail.strip()) if sep else ("", text)


# -- selection ----------------------------------------------------------------------------------------------------


def is_selected(code: str, settings: Settings, path: Path | str | None = None) -> bool:
    """Whether diagnostics with ``code`` are reported (in the file ``path``, when given).

    The most specific matching selector decides between select (or
    extend-select) and ignore, as in ruff: ``select = ["WL201"]`` with
    ``ignore = ["WL2"]`` keeps WL201; at equal specificity ignore wins.
    A matching per-file-ignores entry always wins.
    """
    chosen = max(specificity(code, settings.select or ("",)), specificity(code, settings.extend_select))
    if chosen <= specificity(code, settings.ignore):
        return False
    if path is not None and settings.per_file_ignores:
        return not _ignored_in_file(code, str(path), tuple(settings.per_file_ignores.items()))
    return True


def is_excluded(path: Path | str, settings: Settings) -> bool:
    """Whether ``path`` (a file or folder) matches an `exclude` glob."""
    return any(matches(path, pattern) for pattern in settings.exclude)


@functools.lru_cache(maxsize=4096)
def _ignored_in_file(code: str, path: str, items: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    return any(specificity(code, codes) >= 0 and matches(path, glob) for glob, codes in items)
