"""The resolved settings one run uses, whatever they were read from (defaults, config file, flags)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worker_lint.core.diagnostic import Severity
from worker_lint.core.paths import repo_top

if TYPE_CHECKING:
    from worker_lint.core.policy import Policy  # only a configuration with policies imports it

#: the largest file read, in bytes (see SECURITY.md)
DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input from costing unbounded memory or time (hashable: a memo's key holds them)."""

    #: collections nested deeper than this are not parsed (the C composer recurses on the C stack)
    max_depth: int = 200
    max_nodes: int = 2_000_000  # nodes after alias expansion, per document
    #: a line longer than this many characters is data, not a manifest (see `SECURITY.md`)
    max_line_length: int = 1024 * 1024


@dataclass
class Settings:
    #: codes or prefixes (`WL2`, `WL201`, a policy's `ORG001` or `ORG`); empty means every rule and policy
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    #: glob -> codes or prefixes ignored in matching files
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    #: code -> option name -> value
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    root: Path | None = None
    stack_dirs: tuple[Path, ...] = ()
    #: apply-time variables to substitute; None leaves `${VARS}` unrendered
    variables: dict[str, str] | None = None
    #: the variables whose values came from the environment or an env file (secrets, often): messages show
    #: their names, never their values
    hidden_variables: frozenset[str] = frozenset()
    limits: Limits = field(default_factory=Limits)
    #: largest file read, in bytes
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: where the configuration came from, for messages and cache keys
    config_path: Path | None = None
    #: codes or prefixes whose fixes may be applied (None: every rule), and those whose may not
    fixable: tuple[str, ...] | None = None
    unfixable: tuple[str, ...] = ()
    #: codes or prefixes whose fixes are promoted to safe, or demoted to unsafe
    extend_safe_fixes: tuple[str, ...] = ()
    extend_unsafe_fixes: tuple[str, ...] = ()
    #: the organisation's own rules, declared in the configuration (`policies:`)
    policies: tuple[Policy, ...] = ()

    def policy(self, code: str) -> Policy | None:
        """The policy with ``code``, if the configuration declares one."""
        return next((p for p in self.policies if p.code == code), None)

    def project_root(self, start: Path) -> Path | None:
        """The root of the project a file in ``start`` belongs to: the configured `root`, else the folder
        of the configuration in force, else the repository's top; None when there is none of these."""
        if self.root is not None:
            return self.root
        if self.config_path is not None:
            return self.config_path.parent
        return repo_top(start)

    def fingerprint(self) -> str:
        """A stable string of everything that changes results, for cache keys.

        Derived from the fields themselves, so that a new setting can never be forgotten here.
        """
        return repr(_stable(self))


def _stable(value: Any) -> Any:
    """``value`` as nested tuples whose ``repr`` does not depend on insertion order or object identity."""
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, _stable(getattr(value, f.name))) for f in fields(value)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _stable(v)) for k, v in value.items())))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(map(repr, value))))
    if isinstance(value, (list, tuple)):
        return tuple(_stable(item) for item in value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def specificity(code: str, selectors: Iterable[str]) -> int:
    """The length of the longest selector that is a prefix of ``code``; -1 when none is.

    Selection, `per-file-ignores` and the fix lists all let the most specific selector win.
    """
    return max((len(s) for s in selectors if code.startswith(s)), default=-1)
