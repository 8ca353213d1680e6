"""The README's commands are what CI runs, and its sample output is what the tool prints."""

from __future__ import annotations

import re

from conftest import ROOT, run_cli


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```sh\n(.+?)\n```", text, re.MULTILINE)


def test_ci_runs_the_readme_test_command_verbatim():
    commands = _commands()
    assert len(commands) >= 2 and "pytest" in commands[1]
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_readme_sample_output_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"```text\n\$ worker-lint (check [^\n]+)\n(.*?)```", text, re.DOTALL)
    assert sample is not None
    result = run_cli(*sample.group(1).split(), cwd=ROOT)
    assert result.stdout == sample.group(2)
