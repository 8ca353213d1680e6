"""The configuration's keys, each declared once: the model, its schema, Settings and `check`'s options follow.

A key's *kind* says how its value is checked (config.model), resolved against the
configuration's folder (config._from_config), read from the command line
(config._apply_overrides) and offered as an option of `worker-lint check` (cli).  Adding a
key of a known kind is one declaration here plus its typed field on ``core.settings.Settings``
(the checks read Settings with type checking, so its fields stay written out; a test fails
naming any declaration without one).  A new kind needs one entry in each of those four
places; the tests check that every kind has them.

What does not follow from a kind is said where it is done, not hidden in a table:
``select`` on the command line also drops the file's ``ignore`` and ``extend-select``;
``variables`` from ``--var``/``--env-file``/``--use-env`` add to the file's; ``policies``
are resolved from the file's data as written (config.policy); a file's ``stack-dirs`` must
lie inside its repository (config._outside_project); the parser's limits are fields of
``Settings.limits`` (``field="limits.max_nodes"``).

Imported by the command line at start-up: nothing here may import pydantic or click.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, NamedTuple

from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE, Limits

__all__ = ["KEYS", "Flag", "Key", "Kind"]


class Kind(Enum):
    """What a key's value is; everything about it but its name, default and words follows from this."""

    #: a list of rule codes or prefixes (`WL201`, `WL2`, a policy's `ORG001`, `ALL`)
    SELECTORS = "selectors"
    #: glob, anchored at the configuration's folder, to rule codes or prefixes
    SELECTORS_BY_GLOB = "selectors by glob"
    #: rule code or prefix to a severity
    SEVERITIES = "severities"
    #: rule code to that rule's options, as its page documents them
    RULE_OPTIONS = "rule options"
    #: globs anchored at the configuration's folder (on the command line: at the working folder)
    GLOBS = "globs"
    #: one folder, relative to the configuration's folder (on the command line: to the working folder)
    FOLDER = "folder"
    #: folders, relative as FOLDER is
    FOLDERS = "folders"
    #: an integer of at least 1
    COUNT = "count"
    #: apply-time variables, name to value
    VARIABLES = "variables"
    #: the organisation's own rules (config.policy)
    POLICIES = "policies"


# Flag and Key are named tuples rather than frozen dataclasses: the command line imports this module
# on every start, and a dataclass costs several times as much to create.
class Flag(NamedTuple):
    """How a key is given on the command line."""

    #: its spelling, which messages about a value given there name (`--select: ...`)
    name: str
    #: its help in `worker-lint check --help`; None: `check` has no such option, but the overrides
    #: ``config.load_settings`` takes (the API's) accept the key, and name it by ``name``
    help: str | None = None
    metavar: str | None = None


class Key(NamedTuple):
    """One configuration key."""

    #: as written in a configuration file (`extend-select`)
    name: str
    kind: Kind
    #: the value when unset, as the schema shows it (None: Settings keeps its own default)
    default: Any
    #: the schema's description, which editors show
    description: str
    #: the Settings field it sets, dotted into ``Settings.limits`` (`limits.max_nodes`); default: ``attr``
    field: str = ""
    flag: Flag | None = None
    #: whether command-line values add to the file's (a list extended, a table updated) or replace them
    adds: bool = False

    @property
    def attr(self) -> str:
        """Its Python name: the model's field, and the key of the command-line overrides (`extend_select`)."""
        return self.name.replace("-", "_")

    @property
    def settings_field(self) -> str:
        return self.field or self.attr

    @property
    def has_option(self) -> bool:
        """Whether `worker-lint check` has an option for it (cli.configuration_options)."""
        return self.flag is not None and self.flag.help is not None

    @property
    def flag_name(self) -> str:
        """What messages about a value given on the command line call it."""
        return self.flag.name if self.flag is not None else f"--{self.name}"


#: every key, in the order the schema lists them and `check --help` shows the options of those that have one
KEYS: tuple[Key, ...] = (
    Key(
        "select",
        Kind.SELECTORS,
        None,
        "Rule codes or prefixes to report (`WL2` selects every WL2xx rule); every rule when unset.",
        flag=Flag("--select", "Only these codes or prefixes (repeatable, or comma-separated)."),
    ),
    Key(
        "ignore",
        Kind.SELECTORS,
        [],
        "Rule codes or prefixes never to report; the more specific of select and ignore wins.",
        flag=Flag("--ignore", "Never these codes or prefixes."),
        adds=True,
    ),
    Key(
        "extend-select",
        Kind.SELECTORS,
        [],
        "Rule codes or prefixes to report in addition to `select`.",
        flag=Flag("--extend-select", "Codes or prefixes added to the selection."),
        adds=True,
    ),
    Key(
        "fixable",
        Kind.SELECTORS,
        None,
        "Rule codes or prefixes whose fixes `--fix` may apply; every rule when unset.",
    ),
    Key("unfixable", Kind.SELECTORS, [], "Rule codes or prefixes whose fixes are shown but never applied."),
    Key("extend-safe-fixes", Kind.SELECTORS, [], "Rule codes or prefixes whose unsafe fixes `--fix` applies as safe."),
    Key("extend-unsafe-fixes", Kind.SELECTORS, [], "Rule codes or prefixes whose safe fixes need `--unsafe-fixes`."),
    Key(
        "per-file-ignores",
        Kind.SELECTORS_BY_GLOB,
        {},
        "Glob (relative to this file's folder) to the rule codes or prefixes ignored in matching files.",
        flag=Flag("--per-file-ignores", "Ignore codes or prefixes in files matching GLOB (repeatable).", "GLOB:CODES"),
        adds=True,
    ),
    Key(
        "severity",
        Kind.SEVERITIES,
        {},
        "Rule code or prefix to the severity it is reported with.",
        flag=Flag("--severity"),
        adds=True,
    ),
    Key("options", Kind.RULE_OPTIONS, {}, "Rule code to that rule's options, as its page under rules/ documents."),
    Key(
        "exclude",
        Kind.GLOBS,
        [],
        "Globs (relative to this file's folder) of files and folders not to lint;"
        " files ignored by .gitignore are skipped too.",
        flag=Flag("--exclude", "Do not lint files or folders matching GLOB.", "GLOB"),
        adds=True,
    ),
    Key(
        "root",
        Kind.FOLDER,
        None,
        "The project root indexed for cross-file Bundle references, relative to this file's folder.",
        flag=Flag("--root", "Project root for Bundle `file:` references."),
    ),
    Key(
        "stack-dirs",
        Kind.FOLDERS,
        [],
        "Folders of extra stack schemas, relative to this file's folder.",
        flag=Flag("--stack-dir"),
    ),
    Key(
        "variables",
        Kind.VARIABLES,
        None,
        "Apply-time variables (`${NAME}`) to substitute before checking, as `dataos-ctl apply`"
        " would; unset leaves them unrendered.",
        adds=True,  # the command line's `--var`, `--env-file` and `--use-env` (cli) win over the file's
    ),
    Key(
        "policies",
        Kind.POLICIES,
        [],
        "The organisation's own rules, written as CEL expressions or JSON Schemas and reported as built-in rules are.",
    ),
    Key(
        "max-file-size",
        Kind.COUNT,
        DEFAULT_MAX_FILE_SIZE,
        "The largest file read, in bytes; a larger one is reported (WL011) without being read.",
    ),
    Key(
        "max-line-length",
        Kind.COUNT,
        Limits.max_line_length,
        "The longest line parsed, in characters; a file with a longer one is reported (WL013) without being parsed.",
        field="limits.max_line_length",
    ),
    Key(
        "max-nodes",
        Kind.COUNT,
        Limits.max_nodes,
        "How many values one document may hold once its aliases are expanded before it is reported (WL010).",
        field="limits.max_nodes",
    ),
)
