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

__all__ = ["SCHEMA_FILE", "LintConfig", "json_schema", "render_schema"]

SELECTOR_PATTERN = r"^(WL[0-9]{0,3}|ALL)$"
CODE_PATTERN = r"^WL[0-9]{3}$"
VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
#: a rule code (`WL201`) or a prefix selecting a block of codes (`WL2`, `WL20`; `WL` or `ALL` for every rule)
Selector = Annotated[str, StringConstraints(pattern=SELECTOR_PATTERN)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Level = Literal["error", "warning", "info"]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


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
