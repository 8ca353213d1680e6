"""One declaration per configuration key (config.keys): the model, the schema, Settings and `check`'s option follow."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from worker_lint import cli, config
from worker_lint.config import ConfigError, keys, load_settings, model
from worker_lint.config.keys import KEYS, Flag, Key, Kind
from worker_lint.core.settings import Limits, Settings

#: Settings fields no configuration key sets: what the command line, the run or the parser decide
NOT_CONFIGURED = {"hidden_variables", "config_path", "limits.max_depth"}

#: a key the configuration does not have: the parser's nesting limit, which only a declaration keeps out of reach
MAX_DEPTH = Key(
    "max-depth",
    Kind.COUNT,
    Limits.max_depth,
    "How deeply collections may nest before a file is reported (WL010) without being parsed.",
    field="limits.max_depth",
    flag=Flag("--max-depth", "Parse no deeper than N levels.", "N"),
)

#: a Worker whose `c:` holds the fifth level of nesting
NESTED = "version: v1beta\nname: deep\ntype: worker\nworker:\n  a:\n    b:\n      c:\n        d: 1\n"


def settings_fields() -> set[str]:
    top = {f.name for f in dataclasses.fields(Settings) if f.name != "limits"}
    return top | {f"limits.{f.name}" for f in dataclasses.fields(Limits)}


def test_every_settings_field_is_a_key_or_known_not_to_be() -> None:
    declared = [key.settings_field for key in KEYS]
    assert len(declared) == len(set(declared))
    assert set(declared) | NOT_CONFIGURED == settings_fields()
    assert not set(declared) & NOT_CONFIGURED


def test_every_kind_is_modelled_and_resolved() -> None:
    assert set(model._TYPES) == set(Kind)
    # policies are resolved from the file's data as written (config.policy), not by kind
    assert set(config._FROM_FILE) == set(Kind) - {Kind.POLICIES}


def test_the_model_is_the_declarations_in_their_order() -> None:
    assert list(model.json_schema()["properties"]) == [key.name for key in KEYS]
    assert [key.default for key in KEYS] == [model.LintConfig().model_dump()[key.attr] for key in KEYS]


@pytest.fixture
def with_max_depth(monkeypatch: pytest.MonkeyPatch) -> type:
    """The configuration as if `max-depth` were declared: the table, and the model built from it."""
    monkeypatch.setattr(keys, "KEYS", (*KEYS, MAX_DEPTH))
    built = model.build(keys.KEYS)
    monkeypatch.setattr(model, "LintConfig", built)
    return built


def test_one_declaration_gives_the_schema_property(with_max_depth: type) -> None:
    schema = model.json_schema(with_max_depth)
    assert schema["properties"]["max-depth"] == {
        "default": 200,
        "description": MAX_DEPTH.description,
        "minimum": 1,
        "title": "Max-Depth",  # as the shipped keys are titled
        "type": "integer",
    }
    # the shipped schema is untouched: only the extra property differs
    del schema["properties"]["max-depth"]
    assert schema == model.json_schema(model.build(KEYS))


def test_one_declaration_gives_the_settings_value_and_its_errors(tmp_path: Path, with_max_depth: type) -> None:
    (tmp_path / ".worker-lint.yaml").write_text("max-depth: 3\n", encoding="utf-8")
    assert load_settings(tmp_path).limits == Limits(max_depth=3)
    assert load_settings(tmp_path, cli_overrides={"max_depth": 7}).limits == Limits(max_depth=7)

    (tmp_path / ".worker-lint.yaml").write_text("select: [WL1]\nmax-depth: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert [str(p) for p in exc.value.problems] == [".worker-lint.yaml:2:12: `max-depth` must be at least 1, not 0"]


def test_one_declaration_gives_the_command_line_option(
    tmp_path: Path, with_max_depth: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `check` as it would be built with the declaration: its options, the configuration's generated again
    options = click.command()(cli.configuration_options(lambda **_: None)).params
    generated = {option.name for option in options}
    command = click.Command(
        "check", params=[p for p in cli.check.params if p.name not in generated] + options, callback=cli.check.callback
    )
    shown = " ".join(CliRunner().invoke(command, ["--help"]).output.split())
    assert "--max-depth N Parse no deeper than N levels. [x>=1]" in shown

    (tmp_path / "deep.yaml").write_text(NESTED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(command, ["--max-depth", "3", "--no-cache", "--format", "json", "deep.yaml"])
    found = [(d["code"], d["line"], d["column"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [("WL010", 7, 7, "nesting deeper than 3 levels; the file was not parsed")]
    assert result.exit_code == 1

    result = CliRunner().invoke(command, ["--max-depth", "0", "deep.yaml"])
    assert result.exit_code == 2
    assert "Invalid value for '--max-depth': 0 is not in the range x>=1." in result.stderr
