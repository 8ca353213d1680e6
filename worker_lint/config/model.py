"""The pydantic model of a worker-lint configuration file; its JSON Schema is generated from it.

Imported only when a configuration file exists: pydantic costs about 80 ms of
start-up, which a run without configuration should not pay.  Regenerate the
shipped schema with ``python -m worker_lint.config.model --write``.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from worker_lint.core.data import CONFIG_SCHEMA_FILE as SCHEMA_FILE
from worker_lint.core.data import data_dir
from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE, Limits

__all__ = ["SCHEMA_FILE", "LintConfig", "PolicyConfig", "json_schema", "render_schema"]

#: a built-in rule's code or a policy's (`ORG001`), or a prefix of codes (`WL2`, `ORG`), or `ALL`
SELECTOR_PATTERN = r"^([A-Z]+[0-9]*|ALL)$"
CODE_PATTERN = r"^WL[0-9]{3}$"
#: a policy's code: upper-case letters, then at least three digits (never `WL`: see config.policy)
POLICY_CODE_PATTERN = r"^[A-Z]+[0-9]{3,}$"
KEBAB_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: a dotted path into a document (`worker.compute`, `tags.0`)
DOTTED_PATH_PATTERN = r"^[^.\s]+(\.[^.\s]+)*$"
VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
#: a rule code (`WL201`, a policy's `ORG001`) or a prefix selecting a block of codes (`WL2`, `ORG`; `ALL` for every rule)
Selector = Annotated[str, StringConstraints(pattern=SELECTOR_PATTERN)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Level = Literal["error", "warning", "info"]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class PolicyConfig(BaseModel):
    """One organisation policy: a rule written as data, reported as a built-in rule is."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False, title="policy")

    code: str = Field(
        pattern=POLICY_CODE_PATTERN,
        description="The policy's code: upper-case letters then at least three digits, such as `ORG001`;"
        " never in worker-lint's own `WL` range.",
    )
    name: str | None = Field(
        None, pattern=KEBAB_PATTERN, description="A kebab-case name, shown as a rule's name is (`team-tag`)."
    )
    message: str = Field(min_length=1, description="What the diagnostic says when the policy is not met.")
    severity: Level = Field("error", description="The severity its diagnostics are reported with.")
    types: list[str] | None = Field(
        None,
        min_length=1,
        description="The DataOS resource types it applies to (`worker`, `bundle`, ...); every resource when unset.",
    )
    files: list[str] = Field(
        [],
        description="Globs (relative to this file's folder) of the files it applies to; every file when empty.",
    )
    when: str | None = Field(
        None,
        min_length=1,
        description="A CEL condition on `resource` (the document) and `file` (its path relative to this file's"
        " folder): the policy applies only where it is true.",
    )
    require: str | None = Field(
        None,
        min_length=1,
        description="A CEL expression on `resource` and `file` that must be true; give this or `schema`.",
    )
    schema_: dict[str, Any] | None = Field(
        None,
        alias="schema",
        description="A JSON Schema the whole document must satisfy, each failure reported at its value;"
        " give this or `require`.",
    )
    at: str | None = Field(
        None,
        pattern=DOTTED_PATH_PATTERN,
        description="The dotted path (`worker.compute`) a `require` failure points at; the document's `type:`"
        " line when unset or missing.",
    )


class LintConfig(BaseModel):
    """`[tool.worker-lint]` in pyproject.toml, or the whole of `.worker-lint.yaml`."""

    # The one statement of the configuration's keys, types and defaults: the shipped JSON Schema
    # is generated from it, and a valid file's values are read through that schema
    # (config.file.ConfigValues) without importing pydantic.  Every default is written as a value
    # (pydantic copies mutable ones), never a factory, so that the schema carries it.

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=_kebab,
        populate_by_name=False,
        title="worker-lint configuration",
    )

    select: list[Selector] | None = Field(
        None, description="Rule codes or prefixes to report (`WL2` selects every WL2xx rule); every rule when unset."
    )
    ignore: list[Selector] = Field(
        [], description="Rule codes or prefixes never to report; the more specific of select and ignore wins."
    )
    extend_select: list[Selector] = Field([], description="Rule codes or prefixes to report in addition to `select`.")
    fixable: list[Selector] | None = Field(
        None, description="Rule codes or prefixes whose fixes `--fix` may apply; every rule when unset."
    )
    unfixable: list[Selector] = Field([], description="Rule codes or prefixes whose fixes are shown but never applied.")
    extend_safe_fixes: list[Selector] = Field(
        [], description="Rule codes or prefixes whose unsafe fixes `--fix` applies as safe."
    )
    extend_unsafe_fixes: list[Selector] = Field(
        [], description="Rule codes or prefixes whose safe fixes need `--unsafe-fixes`."
    )
    per_file_ignores: dict[str, list[Selector]] = Field(
        {}, description="Glob (relative to this file's folder) to the rule codes or prefixes ignored in matching files."
    )
    # pydantic checks dict keys but does not write them into the JSON Schema; `propertyNames`
    # says the same for editors and for the compiled fast path in config_file.
    severity: dict[Selector, Level] = Field(
        {},
        description="Rule code or prefix to the severity it is reported with.",
        json_schema_extra={"propertyNames": {"pattern": SELECTOR_PATTERN}},
    )
    options: dict[Code, dict[str, Any]] = Field(
        {},
        description="Rule code to that rule's options, as its page under rules/ documents.",
        json_schema_extra={"propertyNames": {"pattern": CODE_PATTERN}},
    )
    exclude: list[str] = Field(
        [],
        description="Globs (relative to this file's folder) of files and folders not to lint;"
        " files ignored by .gitignore are skipped too.",
    )
    root: str | None = Field(
        None, description="The project root indexed for cross-file Bundle references, relative to this file's folder."
    )
    stack_dirs: list[str] = Field([], description="Folders of extra stack schemas, relative to this file's folder.")
    variables: dict[Annotated[str, StringConstraints(pattern=VARIABLE_PATTERN)], str | int | float | bool] | None = (
        Field(
            None,
            description="Apply-time variables (`${NAME}`) to substitute before checking, as `dataos-ctl apply`"
            " would; unset leaves them unrendered.",
            json_schema_extra={"propertyNames": {"pattern": VARIABLE_PATTERN}},
        )
    )
    policies: list[PolicyConfig] = Field(
        [],
        description="The organisation's own rules, written as CEL expressions or JSON Schemas and reported as"
        " built-in rules are.",
    )
    max_file_size: int = Field(
        DEFAULT_MAX_FILE_SIZE,
        ge=1,
        strict=True,
        description="The largest file read, in bytes; a larger one is reported (WL011) without being read.",
    )
    max_line_length: int = Field(
        Limits.max_line_length,
        ge=1,
        strict=True,
        description="The longest line parsed, in characters; a file with a longer one is reported (WL013) without"
        " being parsed.",
    )
    max_nodes: int = Field(
        Limits.max_nodes,
        ge=1,
        strict=True,
        description="How many values one document may hold once its aliases are expanded before it is reported"
        " (WL010).",
    )


def json_schema() -> dict[str, Any]:
    """The configuration's JSON Schema (2020-12), as shipped in ``schemas/``."""
    schema = LintConfig.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def render_schema() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    target = data_dir("schemas") / SCHEMA_FILE
    if argv == ["--write"]:
        target.write_text(render_schema(), encoding="utf-8")
        print(f"wrote {target}")
        return 0
    if argv == ["--check"]:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != render_schema():
            print(f"{target} is out of date; run `python -m worker_lint.config.model --write`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(render_schema())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
