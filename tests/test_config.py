"""Configuration files, their errors, command-line overrides, rule selection and file collection."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from worker_lint import config
from worker_lint.config import ConfigError, find_config, is_excluded, is_selected, load_settings
from worker_lint.core.diagnostic import Severity
from worker_lint.core.settings import Settings
from worker_lint.run.files import collect

ROOT = Path(__file__).resolve().parents[1]

#: a fixed catalogue, so messages do not change as rules are added
FAKE_RULES = {
    "WL101": {"code": "WL101"},
    "WL102": {"code": "WL102"},
    "WL201": {"code": "WL201"},
    "WL206": {
        "code": "WL206",
        "options": {
            "threshold": {"type": "integer", "default": 64, "description": "x"},
            "units": {"type": "string", "default": "m", "description": "y"},
        },
    },
}


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "_catalogue", lambda: FAKE_RULES)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


# -- discovery --------------------------------------------------------------------------------------------------


def test_closest_configuration_wins(tmp_path: Path):
    write(tmp_path / "pyproject.toml", "[tool.worker-lint]\nselect = ['WL1']\n")
    nested = write(tmp_path / "a" / ".worker-lint.yaml", "select: [WL2]\n")
    write(tmp_path / "a" / "b" / "c" / "pyproject.toml", "[project]\nname = 'not-configured'\n")
    (tmp_path / "a" / "b" / "c" / "d").mkdir()
    assert find_config(tmp_path / "a" / "b" / "c" / "d") == nested
    assert find_config(tmp_path / "a") == nested
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


def test_yaml_beats_pyproject_in_the_same_folder(tmp_path: Path):
    write(tmp_path / "pyproject.toml", "[tool.worker-lint]\nselect = ['WL1']\n")
    yaml = write(tmp_path / ".worker-lint.yml", "select: [WL2]\n")
    assert find_config(tmp_path) == yaml


@pytest.mark.parametrize(
    "table",
    [
        "[tool.worker-lint]\nselect = ['WL1']\n",
        "[tool.'worker-lint']\nselect = ['WL1']\n",
        '[ tool . "worker-lint" . options ]\nWL206 = {}\n',
        "[tool]\nworker-lint = { select = ['WL1'] }\n",
        "[tool]\nworker-lint.select = ['WL1']\n",
        "tool.worker-lint.select = ['WL1']\n[project]\nname = 'x'\n",
        "tool = { worker-lint = { select = ['WL1'] } }\n",
    ],
)
def test_every_spelling_of_the_tool_table_is_found(tmp_path: Path, table: str):
    # after another table naming the tool, where TOML allows one (top-level keys come first)
    other = "[project.scripts]\nworker-lint = 'x:y'\n\n" if table.startswith("[") else ""
    write(tmp_path / "pyproject.toml", other + table)
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    "text",
    [
        "[project]\ndependencies = ['worker-lint']\n",
        "[project.scripts]\nworker-lint = 'worker_lint.console:main'\n[tool.ruff]\nline-length = 120\n",
        "[tool]\nruff = { line-length = 120 }\n",  # a [tool] table, but not ours: read and rejected
    ],
)
def test_pyproject_mentioning_the_tool_elsewhere_is_not_a_configuration(tmp_path: Path, text: str):
    write(tmp_path / "pyproject.toml", text)
    found = find_config(tmp_path)
    assert found is None or tmp_path not in found.parents  # only a folder above the test's could hold one


# -- reading ----------------------------------------------------------------------------------------------------

YAML_CONFIG = """\
select: [WL1, WL201]
ignore: [WL102]
extend-select: [WL206]
per-file-ignores:
  "legacy/*.yaml": [WL1]
severity:
  WL201: warning
options:
  WL206:
    threshold: 32
exclude: [drafts, "generated/**/*.yml"]
root: ..
stack-dirs: [stacks]
"""

TOML_CONFIG = """\
[project]
name = "x"

[tool.worker-lint]
select = ["WL1", "WL201"]
ignore = ["WL102"]
extend-select = ["WL206"]
exclude = ["drafts", "generated/**/*.yml"]
root = ".."
stack-dirs = ["stacks"]
severity = { WL201 = "warning" }

[tool.worker-lint.per-file-ignores]
"legacy/*.yaml" = ["WL1"]

[tool.worker-lint.options.WL206]
threshold = 32
"""


@pytest.mark.parametrize(("name", "text"), [(".worker-lint.yaml", YAML_CONFIG), ("pyproject.toml", TOML_CONFIG)])
def test_a_full_configuration_resolves_to_settings(tmp_path: Path, fake_rules: None, name: str, text: str):
    project = tmp_path / "repo"
    path = write(project / name, text)
    (project / "sub").mkdir()
    settings = load_settings(project / "sub")  # found from a subfolder; paths stay relative to the file
    base = project.as_posix()
    assert settings == Settings(
        select=("WL1", "WL201"),
        ignore=("WL102",),
        extend_select=("WL206",),
        per_file_ignores={f"{base}/legacy/*.yaml": ("WL1",)},
        severity={"WL201": Severity.WARNING},
        options={"WL206": {"threshold": 32}},
        exclude=(f"{base}/**/drafts", f"{base}/generated/**/*.yml"),
        root=tmp_path,
        stack_dirs=(project / "stacks",),
        config_path=path,
    )


def test_severity_prefixes_expand_to_codes_and_the_more_specific_wins(tmp_path: Path, fake_rules: None):
    write(tmp_path / ".worker-lint.yaml", "severity: {WL1: info, WL102: warning, ALL: error}\n")
    assert load_settings(tmp_path).severity == {
        "WL101": Severity.INFO,
        "WL102": Severity.WARNING,
        "WL201": Severity.ERROR,
        "WL206": Severity.ERROR,
    }


def test_all_is_every_rule(tmp_path: Path, fake_rules: None):
    write(tmp_path / ".worker-lint.yaml", "select: [ALL]\nignore: [WL2]\n")
    settings = load_settings(tmp_path)
    assert settings.select == ("",)  # the prefix of every code, the policies' as well as the built-in rules'
    assert [c for c in FAKE_RULES if is_selected(c, settings)] == ["WL101", "WL102"]


def test_an_empty_configuration_is_the_defaults(tmp_path: Path):
    path = write(tmp_path / ".worker-lint.yaml", "# nothing configured yet\n")
    assert load_settings(tmp_path) == Settings(config_path=path)


def test_without_a_configuration_pydantic_is_never_imported(tmp_path: Path):
    code = (
        "import sys; from pathlib import Path; from worker_lint.config import load_settings;"
        f" s = load_settings(Path({str(tmp_path)!r}), cli_overrides={{'select': ['WL1']}});"
        " print(s.select, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "('WL1',) False"


def test_a_valid_configuration_is_read_without_pydantic(tmp_path: Path):
    write(tmp_path / ".worker-lint.yaml", "select: [WL1, WL050]\noptions: {WL050: {}}\nexclude: [drafts]\n")
    code = (
        "import sys; from pathlib import Path; from worker_lint.config import load_settings;"
        f" s = load_settings(Path({str(tmp_path)!r}));"
        " print(s.select, s.options, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "('WL1', 'WL050') {'WL050': {}} False"


def test_variables_are_read_as_dataos_ctl_substitutes_them(tmp_path: Path):
    write(tmp_path / ".worker-lint.yaml", "variables: {NAME: relay, REPLICAS: 2, DRY: true, RATIO: 0.5}\n")
    settings = load_settings(tmp_path, cli_overrides={"variables": {"NAME": "other"}})
    assert settings.variables == {"NAME": "other", "REPLICAS": "2", "DRY": "true", "RATIO": "0.5"}
    assert load_settings(tmp_path, isolated=True).variables is None
    write(tmp_path / ".worker-lint.yaml", "variables: {2BAD: x}\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert problems(exc) == [
        ".worker-lint.yaml:1:13: `2BAD` is not a variable name: use letters, digits and `_`, not starting with a digit"
    ]


@pytest.mark.parametrize(
    "text",
    [
        YAML_CONFIG,
        "{}",
        "select: []\nroot: x\n",
        "variables: {A: b, N: 2}\n",
        "max-file-size: 10\nmax-line-length: 20\nmax-nodes: 30\n",
    ],
)
def test_the_fast_path_reads_what_pydantic_reads(text: str):
    from worker_lint.config.file import ConfigValues
    from worker_lint.config.model import LintConfig
    from worker_lint.document.parse import parse

    data = parse(text).documents[0].data
    assert ConfigValues(data).model_dump() == LintConfig.model_validate(data).model_dump()
    assert ConfigValues({}).model_dump() == LintConfig().model_dump()


@pytest.mark.parametrize(
    "data",
    [
        {"selcet": []},
        {"select": "WL1"},
        {"select": ["X-1"]},
        {"ignore": [1]},
        {"severity": {"bad": "error"}},
        {"severity": {"WL1": "loud"}},
        {"options": {"WL2": {}}},
        {"options": {"WL201": 3}},
        {"root": ["a"]},
        {"per-file-ignores": {"a": "WL1"}},
        {"exclude": "x"},
        {"stack-dirs": [None]},
        {"extend_select": []},
        {"variables": {"A": [1]}},
        {"variables": {"2BAD": "x"}},
        {"max-file-size": 0},
        {"max-line-length": "9"},
        {"max-nodes": True},
        {"max-nodes": 1.5},
    ],
)
def test_the_fast_path_rejects_what_pydantic_rejects(data: dict):
    from pydantic import ValidationError

    from worker_lint.config.file import _fast_valid
    from worker_lint.config.model import LintConfig

    assert _fast_valid(data) is False
    with pytest.raises(ValidationError):
        LintConfig.model_validate(data)


def test_the_model_is_reachable_from_the_config_module():
    from worker_lint.config.model import LintConfig

    assert config.LintConfig is LintConfig


# -- errors point at the offending key --------------------------------------------------------------------------


def test_yaml_errors_name_file_line_and_column(tmp_path: Path, fake_rules: None):
    write(
        tmp_path / ".worker-lint.yaml",
        """\
selcet: [WL2]
ignore:
  - WL1
  - X-1
severity:
  WL201: fatal
  bad: error
per-file-ignores:
  "legacy/*.yaml": WL2
""",
    )
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert problems(exc) == [
        ".worker-lint.yaml:1:1: unknown key `selcet`; did you mean `select`?",
        ".worker-lint.yaml:4:5: `X-1` in `ignore` is not a rule code or prefix such as `WL201` or `WL2`",
        ".worker-lint.yaml:6:10: `fatal` is not a severity for `severity.WL201`; use error, warning or info",
        ".worker-lint.yaml:7:3: `bad` in `severity` is not a rule code or prefix such as `WL201` or `WL2`",
        '.worker-lint.yaml:9:20: `per-file-ignores."legacy/*.yaml"` must be a list, not a string',
    ]


def test_toml_errors_name_file_line_and_column(tmp_path: Path, fake_rules: None):
    write(
        tmp_path / "pyproject.toml",
        """\
[project]
name = "x"

[tool.worker-lint]
selcet = ["WL2"]
ignore = [
  "WL1",
  "X-1",
]
severity = { WL201 = "fatal", bad = "error" }

[tool.worker-lint.per-file-ignores]
"legacy/*.yaml" = "WL2"
""",
    )
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert problems(exc) == [
        "pyproject.toml:5:1: unknown key `selcet`; did you mean `select`?",
        "pyproject.toml:8:3: `X-1` in `ignore` is not a rule code or prefix such as `WL201` or `WL2`",
        "pyproject.toml:10:22: `fatal` is not a severity for `severity.WL201`; use error, warning or info",
        "pyproject.toml:10:31: `bad` in `severity` is not a rule code or prefix such as `WL201` or `WL2`",
        'pyproject.toml:13:19: `per-file-ignores."legacy/*.yaml"` must be a list, not a string',
    ]


def test_codes_are_checked_against_the_catalogue(tmp_path: Path, fake_rules: None):
    write(tmp_path / ".worker-lint.yaml", "select: [WL2, WL9]\nignore: [WL109]\nseverity: {WL7: info}\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert problems(exc) == [
        ".worker-lint.yaml:1:15: `WL9` selects no rule",
        ".worker-lint.yaml:2:10: unknown rule code `WL109`; did you mean `WL102`?",
        ".worker-lint.yaml:3:12: `WL7` selects no rule",
    ]


def test_rule_options_are_checked_against_the_rule_page(tmp_path: Path, fake_rules: None):
    write(
        tmp_path / "pyproject.toml",
        """\
[tool.worker-lint.options.WL206]
treshold = 10
units = 3

[tool.worker-lint.options.WL101]
strict = true

[tool.worker-lint.options.WL999]
x = 1
""",
    )
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert problems(exc) == [
        "pyproject.toml:2:1: rule WL206 has no option `treshold`; did you mean `threshold`?",
        "pyproject.toml:3:9: option `units` of rule WL206 must be a string, not an integer",
        "pyproject.toml:6:1: rule WL101 has no option `strict`; it takes no options",
        "pyproject.toml:8:1: unknown rule code `WL999`",
    ]


def test_invalid_toml_points_at_the_syntax_error(tmp_path: Path):
    write(tmp_path / "pyproject.toml", '[tool.worker-lint]\nselect = ["WL2",\nignore = 3\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert problems(exc) == ["pyproject.toml:3:1: invalid TOML: Invalid value"]


def test_invalid_yaml_points_at_the_syntax_error(tmp_path: Path):
    write(tmp_path / ".worker-lint.yaml", "select: [WL2\nignore: []\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert len(exc.value.problems) == 1
    problem = exc.value.problems[0]
    assert (problem.source, problem.line, problem.column) == (".worker-lint.yaml", 2, 7)
    assert problem.message.startswith("YAML syntax error: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- WL2\n", ".worker-lint.yaml:1:1: the configuration must be a mapping of keys such as `select` and `ignore`"),
        ("select: [WL2]\n---\nignore: [WL1]\n", ".worker-lint.yaml:3:1: a configuration file holds one YAML document"),
        ("select: WL2\n", ".worker-lint.yaml:1:9: `select` must be a list, not a string"),
        ("options: {WL2: {x: 1}}\n", ".worker-lint.yaml:1:11: `WL2` in `options` is not a rule code such as `WL201`"),
    ],
)
def test_shape_errors(tmp_path: Path, text: str, expected: str):
    write(tmp_path / ".worker-lint.yaml", text)
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert problems(exc) == [expected]


def test_missing_config_file_is_a_usage_error(tmp_path: Path):
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path, Path("nope.yaml"))
    assert problems(exc) == ["nope.yaml: configuration file not found"]


def test_pyproject_without_the_table_given_explicitly(tmp_path: Path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path, Path("pyproject.toml"))
    assert problems(exc) == ["pyproject.toml: no [tool.worker-lint] table in this file"]


def test_a_standalone_toml_file_holds_the_keys_at_its_top_level(tmp_path: Path, fake_rules: None):
    path = write(tmp_path / "lint.toml", 'select = ["WL2"]\nignor = []\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path, Path("lint.toml"))
    assert problems(exc) == ["lint.toml:2:1: unknown key `ignor`; did you mean `ignore`?"]
    path.write_text('select = ["WL2"]\n', encoding="utf-8")
    assert load_settings(tmp_path, Path("lint.toml")).select == ("WL2",)


def test_isolated_ignores_every_configuration_file(tmp_path: Path):
    write(tmp_path / ".worker-lint.yaml", "select: [oops]\n")
    assert load_settings(tmp_path, isolated=True) == Settings()
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path, Path(".worker-lint.yaml"), isolated=True)
    assert problems(exc) == ["--config: cannot be combined with --isolated"]


# -- the command line on top ------------------------------------------------------------------------------------


def test_command_line_overrides(tmp_path: Path, fake_rules: None):
    write(tmp_path / ".worker-lint.yaml", "select: [WL1]\nignore: [WL102]\nexclude: [old]\nseverity: {WL201: info}\n")
    settings = load_settings(
        tmp_path,
        cli_overrides={
            "select": ("WL2,wl101",),
            "ignore": ("WL206",),
            "extend_select": (),
            "exclude": ("tmp/*.yaml",),
            "per_file_ignores": ("legacy/*.yaml:WL1,WL2",),
            "severity": ("WL201=warning",),
            "root": "..",
        },
    )
    base = tmp_path.as_posix()
    assert settings.select == ("WL2", "WL101")
    assert settings.ignore == ("WL206",)  # a new selection drops the file's ignore list
    assert settings.exclude == (f"{base}/**/old", f"{base}/tmp/*.yaml")
    assert settings.per_file_ignores == {f"{base}/legacy/*.yaml": ("WL1", "WL2")}
    assert settings.severity == {"WL201": Severity.WARNING}
    assert settings.root == tmp_path.parent


def test_command_line_values_are_checked(tmp_path: Path, fake_rules: None):
    with pytest.raises(ConfigError) as exc:
        load_settings(
            tmp_path,
            isolated=True,
            cli_overrides={
                "select": ("WL2,1bad",),
                "ignore": ("WL8",),
                "severity": ("WL201=loud",),
                "per_file_ignores": ("WL1",),
            },
        )
    assert problems(exc) == [
        "--select: `1BAD` is not a rule code or prefix such as `WL201` or `WL2`",
        "--ignore: `WL8` selects no rule",
        "--severity: `loud` is not a severity; use error, warning or info",
        "--per-file-ignores: `WL1` is not GLOB:CODES",
    ]


# -- selection --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("select", "ignore", "extend", "expected"),
    [
        ((), (), (), ["WL101", "WL102", "WL201", "WL206"]),
        (("WL1",), (), (), ["WL101", "WL102"]),
        (("WL1",), (), ("WL206",), ["WL101", "WL102", "WL206"]),
        (("WL201",), ("WL2",), (), ["WL201"]),  # the more specific selector wins
        (("WL2",), ("WL201",), (), ["WL206"]),
        (("WL2",), ("WL2",), (), []),  # equal specificity: ignore wins
        ((), ("WL",), ("WL102",), ["WL102"]),
    ],
)
def test_selection_by_specificity(
    select: tuple[str, ...], ignore: tuple[str, ...], extend: tuple[str, ...], expected: list[str]
):
    settings = Settings(select=select, ignore=ignore, extend_select=extend)
    assert [code for code in FAKE_RULES if is_selected(code, settings)] == expected


def test_per_file_ignores_always_win(tmp_path: Path):
    write(
        tmp_path / ".worker-lint.yaml",
        'select: [WL201]\nper-file-ignores: {"legacy/**": [WL2], "*.tmpl.yaml": [WL1]}\n',
    )
    settings = load_settings(tmp_path)
    assert is_selected("WL201", settings, tmp_path / "legacy" / "a" / "w.yaml") is False
    assert is_selected("WL201", settings, tmp_path / "current" / "w.yaml") is True
    assert is_selected("WL101", settings, tmp_path / "deep" / "x.tmpl.yaml") is False
    assert is_selected("WL201", settings, tmp_path / "deep" / "x.tmpl.yaml") is True


def test_exclude_globs_are_relative_to_the_configuration(tmp_path: Path):
    write(tmp_path / ".worker-lint.yaml", 'exclude: [drafts, "/top.yaml", "gen/*.yaml", "**/*.bak.yaml"]\n')
    settings = load_settings(tmp_path)
    excluded = [
        name
        for name in (
            "drafts/a.yaml",
            "x/drafts/b.yaml",
            "top.yaml",
            "x/top.yaml",
            "gen/a.yaml",
            "gen/sub/a.yaml",
            "a/b/c.bak.yaml",
            "keep.yaml",
        )
        if is_excluded(tmp_path / name, settings)
    ]
    assert excluded == ["drafts/a.yaml", "x/drafts/b.yaml", "top.yaml", "gen/a.yaml", "a/b/c.bak.yaml"]


# -- collecting files -------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_collect_walks_folders_and_skips_excluded_and_git_ignored_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "build/\n*.gen.yaml\n")
    for name in (
        "a/x.yaml",
        "a/y.gen.yaml",
        "build/z.yaml",
        "drafts/d.yaml",
        "node_modules/n.yaml",
        "top.yml",
        "a/notes.txt",
        ".github/workflows/ci.yml",
        ".pre-commit-config.yaml",
    ):
        write(tmp_path / name, "a: 1\n")
    write(tmp_path / ".worker-lint.yaml", "exclude: [drafts]\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(tmp_path)
    assert collect(["."], settings) == ["a/x.yaml", "top.yml"]
    # Named files: exclude globs still apply (pre-commit names every file), .gitignore does not.
    assert collect(["a/y.gen.yaml", "drafts/d.yaml", "missing.yaml", "-"], settings) == [
        "a/y.gen.yaml",
        "missing.yaml",
        "-",
    ]
    assert collect(["."], settings, respect_gitignore=False) == ["a/x.yaml", "a/y.gen.yaml", "build/z.yaml", "top.yml"]


# -- the shipped JSON Schema ------------------------------------------------------------------------------------


def test_shipped_config_schema_is_generated_from_the_model():
    from worker_lint.config.model import SCHEMA_FILE, render_schema

    shipped = (ROOT / "schemas" / SCHEMA_FILE).read_text(encoding="utf-8")
    assert shipped == render_schema(), "run `python -m worker_lint.config.model --write`"


def test_config_schema_accepts_a_full_configuration_and_rejects_typos():
    import jsonschema

    from worker_lint.config.model import SCHEMA_FILE

    schema = json.loads((ROOT / "schemas" / SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    from worker_lint.document.parse import parse

    good = parse(YAML_CONFIG).documents[0].data
    assert list(validator.iter_errors(good)) == []
    assert sorted(e.message for e in validator.iter_errors({"selcet": ["WL2"], "severity": {"WL201": "loud"}})) == [
        "'loud' is not one of ['error', 'warning', 'info']",
        "Additional properties are not allowed ('selcet' was unexpected)",
    ]


# -- through the command line -----------------------------------------------------------------------------------

WORKER = (ROOT / "examples" / "bad" / "replicas-and-typos.yaml").read_text(encoding="utf-8")


def cli_codes(result: object) -> list[tuple[str, int, str]]:
    return [(d["path"], d["line"], d["code"]) for d in result.diagnostics]  # type: ignore[attr-defined]


def test_cli_invalid_configuration_exits_2_with_the_position(tmp_path: Path):
    from conftest import run_cli

    write(tmp_path / "w.yaml", WORKER)
    write(tmp_path / "pyproject.toml", '[tool.worker-lint]\nselect = ["WL1"]\nignroe = ["WL102"]\n')
    result = run_cli("check", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "pyproject.toml:3:1: unknown key `ignroe`; did you mean `ignore`?\n"
    missing = run_cli("check", "--config", "nope.toml", "w.yaml", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (2, "nope.toml: configuration file not found\n")
    isolated = run_cli("check", "--isolated", "--format", "json", "w.yaml", cwd=tmp_path)
    assert cli_codes(isolated) == [("w.yaml", 3, "WL106"), ("w.yaml", 7, "WL103"), ("w.yaml", 9, "WL102")]


def test_cli_configuration_is_found_upward_and_flags_add_to_it(tmp_path: Path):
    from conftest import run_cli

    write(tmp_path / ".worker-lint.yaml", "ignore: [WL106]\nper-file-ignores:\n  team/legacy/*.yaml: [WL102]\n")
    write(tmp_path / "team" / "legacy" / "w.yaml", WORKER)
    write(tmp_path / "team" / "w.yaml", WORKER)
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path / "team")
    assert cli_codes(result) == [("legacy/w.yaml", 7, "WL103"), ("w.yaml", 7, "WL103"), ("w.yaml", 9, "WL102")]
    narrowed = run_cli(
        "check",
        "--format",
        "json",
        "--ignore",
        "WL103",
        "--per-file-ignores",
        "w.yaml:WL102",
        ".",
        cwd=tmp_path / "team",
    )
    assert cli_codes(narrowed) == []
    reselected = run_cli("check", "--format", "json", "--select", "WL106", ".", cwd=tmp_path / "team")
    assert cli_codes(reselected) == [("legacy/w.yaml", 3, "WL106"), ("w.yaml", 3, "WL106")]


def test_cli_exclude_applies_to_named_files_too(tmp_path: Path):
    from conftest import run_cli

    write(tmp_path / ".worker-lint.yaml", "exclude: [drafts]\n")
    write(tmp_path / "drafts" / "w.yaml", WORKER)
    result = run_cli("check", "--format", "json", "drafts/w.yaml", cwd=tmp_path)
    assert (result.returncode, result.diagnostics) == (0, [])
    flagged = run_cli("check", "--format", "json", "--exclude", "w.yaml", "--isolated", "drafts", cwd=tmp_path)
    assert (flagged.returncode, flagged.diagnostics) == (0, [])


def test_cli_severity_override_and_strict(tmp_path: Path):
    from conftest import run_cli

    write(tmp_path / "w.yaml", WORKER)
    write(tmp_path / ".worker-lint.yaml", "severity: {WL1: warning}\n")
    result = run_cli("check", "--format", "json", "w.yaml", cwd=tmp_path)
    assert (result.returncode, {d["severity"] for d in result.diagnostics}) == (0, {"warning"})
    assert run_cli("check", "--strict", "w.yaml", cwd=tmp_path).returncode == 1
    assert run_cli("check", "--strict", "--exit-zero", "w.yaml", cwd=tmp_path).returncode == 0


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs")
def test_cli_configuration_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path):
    import os

    from conftest import run_cli

    write(tmp_path / "w.yaml", WORKER)
    os.mkfifo(tmp_path / "pipe.yaml")
    result = run_cli("check", "--config", "pipe.yaml", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "pipe.yaml: cannot read the configuration file: `pipe.yaml` is a named pipe (FIFO); it was not read\n"
    )
