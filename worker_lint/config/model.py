"""The pydantic model of a worker-lint configuration file, built from its keys' declarations (config.keys).

Its JSON Schema is generated from it.  Imported only when a configuration file exists:
pydantic costs about 80 ms of start-up, which a run without configuration should not pay.
Regenerate the shipped schema with ``python -m worker_lint.config.model --write``.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from worker_lint.config.keys import KEYS, Key, Kind
from worker_lint.core.data import CONFIG_SCHEMA_FILE as SCHEMA_FILE
from worker_lint.core.data import data_dir

__all__ = ["SCHEMA_FILE", "LintConfig", "PolicyConfig", "build", "json_schema", "render_schema"]

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


#: each kind's type, and the constraints its Field adds (config.keys declares the keys)
_TYPES: dict[Kind, tuple[Any, dict[str, Any]]] = {
    Kind.SELECTORS: (list[Selector], {}),
    Kind.SELECTORS_BY_GLOB: (dict[str, list[Selector]], {}),
    # pydantic checks dict keys but does not write them into the JSON Schema; `propertyNames`
    # says the same for editors and for the compiled fast path in config.file.
    Kind.SEVERITIES: (dict[Selector, Level], {"json_schema_extra": {"propertyNames": {"pattern": SELECTOR_PATTERN}}}),
    Kind.RULE_OPTIONS: (
        dict[Code, dict[str, Any]],
        {"json_schema_extra": {"propertyNames": {"pattern": CODE_PATTERN}}},
    ),
    Kind.GLOBS: (list[str], {}),
    Kind.FOLDER: (str, {}),
    Kind.FOLDERS: (list[str], {}),
    Kind.COUNT: (int, {"ge": 1, "strict": True}),
    Kind.VARIABLES: (
        dict[Annotated[str, StringConstraints(pattern=VARIABLE_PATTERN)], str | int | float | bool],
        {"json_schema_extra": {"propertyNames": {"pattern": VARIABLE_PATTERN}}},
    ),
    Kind.POLICIES: (list[PolicyConfig], {}),
}


def build(keys: tuple[Key, ...]) -> type[BaseModel]:
    """The model of a configuration holding ``keys``: a key whose default is None may be left unset."""
    fields: dict[str, Any] = {}
    for key in keys:
        annotation, constraints = _TYPES[key.kind]
        if key.default is None:
            annotation = annotation | None
        # every default is written as a value (pydantic copies mutable ones), never a factory, so that the schema carries it
        fields[key.attr] = (annotation, Field(key.default, description=key.description, **constraints))
    model: type[BaseModel] = create_model(
        "LintConfig",
        __config__=ConfigDict(
            extra="forbid",
            alias_generator=_kebab,
            populate_by_name=False,
            title="worker-lint configuration",
        ),
        __doc__="`[tool.worker-lint]` in pyproject.toml, or the whole of `.worker-lint.yaml`.",
        __module__=__name__,
        **fields,
    )
    return model


#: The one statement of the configuration's shape: the shipped JSON Schema is generated from it, and a valid
#: file's values are read through that schema (config.file.ConfigValues) without importing pydantic.
LintConfig = build(KEYS)


def json_schema(model: type[BaseModel] | None = None) -> dict[str, Any]:
    """The configuration's JSON Schema (2020-12), as shipped in ``schemas/``; of ``model`` when given."""
    schema = (model or LintConfig).model_json_schema(by_alias=True)
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
