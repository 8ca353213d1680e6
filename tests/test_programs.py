"""The programs a Worker carries in strings (projected Python files, shell scripts), checked where they are written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

V2_HEADER = """\
version: v2alpha
name: verify-orders
type: worker
spec:
  compute: runnable-default
  stack: container
  stackSpec:
    image: python:3.12-slim
"""


def _lint(tmp_path: Path, text: str, *options: str) -> list[tuple[int, int, int, int, str, str, str]]:
    (tmp_path / "worker.yaml").write_text(text, encoding="utf-8")
    run = run_cli("check", "--no-cache", "--format", "json", *options, "worker.yaml", cwd=tmp_path)
    assert run.stderr == ""
    return [
        (d["line"], d["column"], d["end_line"], d["end_column"], d["code"], d["severity"], d["message"])
        for d in run.diagnostics
    ]


def _files(*items: str) -> str:
    return V2_HEADER + "  use:\n    projection:\n      projections:\n        files:\n" + "".join(items)


def test_a_projected_python_file_s_syntax_error_is_placed_inside_the_literal_block(tmp_path: Path) -> None:
    text = _files(
        "          - name: verify.py\n"
        "            directory: /etc/app\n"
        "            template: |\n"
        "              import sys\n"
        "              if ok:\n"
        "                  print('${{worker-name}}' + sys.argv[1]]\n"
    )
    found = [d for d in _lint(tmp_path, text) if d[4] == "WL133"]
    assert found == [
        (
            18,
            57,
            18,
            58,
            "WL133",
            "error",
            f"`verify.py` is not valid Python (as Python {_python()} reads it): closing parenthesis ']' does not match"
            " opening parenthesis '(' (line 3 of the file); fix the code, or the pod fails when it runs it",
        )
    ]


def test_a_python_error_in_a_double_quoted_template_counts_escapes(tmp_path: Path) -> None:
    text = _files('          - name: check.py\n            template: "s = \\"\\u00e9\\"\\nx = = 1"\n')
    found = [d[:5] for d in _lint(tmp_path, text) if d[4] == "WL133"]
    # value: 's = "é"\nx = = 1'; the second `=` is written at column 44 of the file
    assert found == [(14, 44, 14, 45, "WL133")]


def test_valid_python_placeholders_liquid_and_other_files_are_not_reported(tmp_path: Path) -> None:
    text = _files(
        "          - name: ok.py\n"
        "            template: |\n"
        "              NAME = ${{worker-name}}\n"
        "              URL = {{ resource.name }}\n"
        "              print(f'{{NAME}}', URL)\n",
        "          - name: rendered.py\n"
        "            template: |\n"
        "              {% if debug %}\n"
        "              print('debug'\n"
        "              {% endif %}\n",
        "          - name: notes.txt\n            template: 'def (:'\n",
        "          - name: escapes.py\n            template: 'import re; re.compile(\"\\d+\")'\n",
    )
    assert [d for d in _lint(tmp_path, text) if d[4] == "WL133"] == []


def test_a_syntax_error_at_a_placeholder_is_not_blamed_on_it(tmp_path: Path) -> None:
    # `1${{n}}` is a number once filled in; the stand-in `1______` is not, and that is no error of the file
    text = _files("          - name: n.py\n            template: 'x = 1${{n}}'\n")
    assert [d for d in _lint(tmp_path, text) if d[4] == "WL133"] == []


def _python() -> str:
    import sys

    return f"{sys.version_info.major}.{sys.version_info.minor}"


CONTAINER = """\
version: v2alpha
name: heartbeat
type: worker
spec:
  compute: runnable-default
  stack: container
  stackSpec:
    image: docker.io/library/alpine:3.20
"""


def test_an_unclosed_command_substitution_in_a_sh_c_script_is_an_error_where_it_is_written(tmp_path: Path) -> None:
    text = CONTAINER + '    command: [sh, -c]\n    arguments:\n      - "echo \\"\\u00e9\\" $(date\\n  sleep 1"\n'
    found = [d for d in _lint(tmp_path, text) if d[4] in ("WL134", "WL135")]
    # value: 'echo "é" $(date sleep 1': `$(` is the 10th character, written at column 26 after the escapes
    assert found[0] == (
        11,
        26,
        11,
        27,
        "WL134",
        "error",
        "sh script: SC1073: Couldn't parse this command expansion. Fix to allow more checks"
        " (see https://www.shellcheck.net/wiki/SC1073); the shell refuses the script when the container starts",
    )
    assert [d[4] for d in found] == ["WL134", "WL134"]  # the general "expected end of $(..)" at its end


def test_an_if_closed_by_done_in_a_literal_block_is_one_error_at_each_end(tmp_path: Path) -> None:
    text = CONTAINER + (
        "    command: [/usr/bin/env, bash]\n"
        "    arguments:\n"
        "      - -ec\n"
        "      - |\n"
        "        if [[ -f /tmp/stop ]]; then\n"
        "          exit 0\n"
        "        done\n"
    )
    found = [d[:5] for d in _lint(tmp_path, text) if d[4] in ("WL134", "WL135")]
    assert found == [(13, 9, 13, 10, "WL134"), (15, 9, 15, 10, "WL134")]


def test_shellcheck_warnings_name_their_code_and_page_and_the_dialect_is_the_command_s(tmp_path: Path) -> None:
    script = '    command: [/bin/sh, -c, "if [[ -n ${{name}} ]]; then cd \\"$HOME\\"; fi"]\n'
    found = [(d[0], d[1], d[4], d[5], d[6]) for d in _lint(tmp_path, CONTAINER + script) if d[4] == "WL135"]
    assert found == [
        (
            9,
            32,
            "WL135",
            "warning",
            "sh script: SC3010: In POSIX sh, [[ ]] is undefined (see https://www.shellcheck.net/wiki/SC3010)",
        ),
        (
            9,
            57,
            "WL135",
            "warning",
            "sh script: SC2164: Use 'cd ... || exit' or 'cd ... || return' in case cd fails"
            " (see https://www.shellcheck.net/wiki/SC2164)",
        ),
    ]
    bash = script.replace("/bin/sh", "bash")
    assert [d[6][:19] for d in _lint(tmp_path, CONTAINER + bash) if d[4] == "WL135"] == ["bash script: SC2164"]


def test_the_ignore_option_silences_shellcheck_codes(tmp_path: Path) -> None:
    (tmp_path / ".worker-lint.yaml").write_text("options:\n  WL135:\n    ignore: [SC2164, 3010]\n", encoding="utf-8")
    script = '    command: [/bin/sh, -c, "if [[ -n \\"$1\\" ]]; then cd \\"$HOME\\"; fi"]\n'
    assert [d for d in _lint(tmp_path, CONTAINER + script) if d[4] == "WL135"] == []


def test_commands_that_are_not_a_shell_script_are_not_read(tmp_path: Path) -> None:
    for command in (
        '    command: [python, -c, "print(("]\n',
        '    command: [sh, /app/run.sh, "$(("]\n',
        '    command: [sh]\n    arguments: ["-o", "pipefail", "x $("]\n',
    ):
        assert [d for d in _lint(tmp_path, CONTAINER + command) if d[4] in ("WL134", "WL135")] == [], command


def test_a_shellcheckrc_in_the_linted_tree_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".shellcheckrc").write_text("disable=SC2164\n", encoding="utf-8")
    script = '    command: [sh, -c, "cd /data; ls"]\n'
    assert [d[6][:15] for d in _lint(tmp_path, CONTAINER + script) if d[4] == "WL135"] == ["sh script: SC21"]


def test_without_shellcheck_scripts_are_not_checked_and_nothing_fails(tmp_path: Path, monkeypatch) -> None:
    from worker_lint.dataos import shellcheck

    monkeypatch.setattr(shellcheck, "binary", lambda: None)
    monkeypatch.setattr(shellcheck, "_RESULTS", {})
    script = '    command: [sh, -c, "echo $("]\n'
    assert [d for d in _lint(tmp_path, CONTAINER + script) if d[4] in ("WL134", "WL135")] == []


@pytest.mark.parametrize(
    ("command", "arguments", "expected"),
    [
        (["sh", "-c", "x"], None, ("sh", "x", "command", 2)),
        (["/bin/bash"], ["-euo", "pipefail", "-c", "x"], ("bash", "x", "arguments", 3)),  # `o` takes `pipefail`
        (["/bin/bash"], ["-o", "pipefail", "-ec", "x"], ("bash", "x", "arguments", 3)),
        (["/usr/bin/env", "bash", "-c"], ["x", "arg0"], ("bash", "x", "arguments", 0)),
        (["busybox", "sh", "-c", "x"], None, ("sh", "x", "command", 3)),
        (["dash", "-c", "--", "x"], None, ("dash", "x", "command", 3)),
        (["sh", "run.sh"], None, None),
        (["zsh", "-c", "x"], None, None),
        (["python", "-c", "x"], None, None),
        ("sh -c x", None, None),
        (["sh", "-c"], None, None),
    ],
)
def test_the_script_is_found_as_the_shell_reads_its_words(command, arguments, expected) -> None:
    from worker_lint.dataos.shell_command import find_script

    found = find_script(command, arguments)
    assert (tuple(found) if found is not None else None) == expected


def test_hostile_programs_are_reported_or_let_be_never_a_traceback(tmp_path: Path) -> None:
    deep = "f(" * 300 + ")" * 300
    text = _files(
        "          - name: nul.py\n            template: \"x = '\\0'\"\n",
        f"          - name: deep.py\n            template: '{deep}'\n",
    )
    text = text.replace("    image: python:3.12-slim\n", '    image: alpine\n    command: [sh, -c, "echo \\0 $("]\n')
    found = [(d[0], d[4]) for d in _lint(tmp_path, text)]
    assert (9, "WL134") in found
    messages = [d[6] for d in _lint(tmp_path, text) if d[4] == "WL133"]
    assert len(messages) == 2 and all("line None" not in m for m in messages)
    # a NUL is refused by every Python, whichever way its compiler says so
    assert any("null bytes (line 1 of the file)" in m for m in messages), messages


#: scripts with one shellcheck finding each, in two dialects; one a syntax error
_SCRIPTS = {
    "a.yaml": '    command: [sh, -c, "cd /data; ls"]\n',
    "b.yaml": '    command: [sh, -c, "echo $1"]\n',
    "c.yaml": '    command: [/bin/bash, -c, "if true; then echo; done"]\n',
    "d.yaml": '    command: [bash, -c, "cat $HOME/x | grep y"]\n',
    "plain.yaml": "    command: [python, app.py]\n",
}


def _write_scripts(folder: Path) -> None:
    for name, command in _SCRIPTS.items():
        (folder / name).write_text(CONTAINER + command, encoding="utf-8")
    # a file that defines a Stack and runs a script: linted again after the batch, with the same result
    (folder / "stack.yaml").write_text(
        "name: tool\nversion: v1alpha\ntype: stack\nstack:\n  name: tool\n  flavor: python\n  version: '1.0'\n"
        "  image: {registry: docker.io, repository: x, image: y, tag: '1'}\n---\n"
        + CONTAINER
        + '    command: [sh, -c, "cd /tmp; ls"]\n',
        encoding="utf-8",
    )


def _shellcheck_runs(monkeypatch) -> list[list[str]]:
    """The files each shellcheck process of this process was given (`-`: one script on standard input)."""
    from worker_lint.dataos import shellcheck

    runs: list[list[str]] = []
    real = shellcheck.spawn

    def counted(files: list[str], dialect: str, **how: object) -> object:
        runs.append(files)
        return real(files, dialect, **how)

    monkeypatch.setattr(shellcheck, "spawn", counted)
    monkeypatch.setattr(shellcheck, "_RESULTS", {})
    return runs


def _logged_shellcheck(tmp_path: Path, monkeypatch) -> Path:
    """Every process of the run (forked workers included) starts a shellcheck that logs the scripts it is
    given, one line each, then runs the real one; the log's path."""
    from worker_lint.dataos import shellcheck

    log = tmp_path / "shellcheck.log"
    wrapper = tmp_path / "bin" / "shellcheck"
    wrapper.parent.mkdir()
    import shlex

    at, real = shlex.quote(str(log)), shlex.quote(str(shellcheck.binary()))
    wrapper.write_text(
        "#!/bin/sh\n"
        f'for word in "$@"; do case "$word" in -*) ;; *) echo "$word" >> {at} ;; esac; done\n'
        f'case " $* " in *" - "*) echo - >> {at} ;; esac\n'
        f'exec {real} "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    monkeypatch.setattr(shellcheck, "binary", lambda: str(wrapper))
    monkeypatch.setattr(shellcheck, "_RESULTS", {})
    return log


def _diagnostics(folder: Path, *args: str) -> list[tuple[str, int, int, int, int, str, str]]:
    run = run_cli("check", "--no-cache", "--format", "json", *args, cwd=folder)
    assert run.stderr == ""
    return [
        (d["path"], d["line"], d["column"], d["end_line"], d["end_column"], d["code"], d["message"])
        for d in run.diagnostics
    ]


def _alone(folder: Path, monkeypatch) -> list[tuple[str, int, int, int, int, str, str]]:
    """Each file's diagnostics, linted alone in a fresh memory of scripts."""
    found: list[tuple[str, int, int, int, int, str, str]] = []
    for name in sorted(_SCRIPTS) + ["stack.yaml"]:
        monkeypatch.setattr("worker_lint.dataos.shellcheck._RESULTS", {})
        found.extend(_diagnostics(folder, name))
    return found


def test_the_scripts_of_a_run_are_each_read_once(tmp_path: Path, monkeypatch) -> None:
    _write_scripts(tmp_path)
    alone = _alone(tmp_path, monkeypatch)
    for copy in range(12):  # the same scripts in many files
        for name in [*_SCRIPTS, "stack.yaml"]:
            (tmp_path / f"copy{copy}-{name}").write_bytes((tmp_path / name).read_bytes())
    runs = _shellcheck_runs(monkeypatch)
    together = _diagnostics(tmp_path, "-j", "1", ".")
    assert [d[:6] for d in together if d[0] == "c.yaml"] == [  # the `if` and the `done` where they are written
        ("c.yaml", 9, 31, 9, 32, "WL134"),
        ("c.yaml", 9, 51, 9, 52, "WL134"),
    ]
    assert sorted(d for d in together if not d[0].startswith("copy")) == sorted(alone)
    assert sorted(d[1:] for d in together if d[0].startswith("copy0-")) == sorted(d[1:] for d in alone)
    read = [name for files in runs for name in files]
    assert "-" not in read  # none alone, on standard input
    assert len(read) == len(set(read)) == 5  # a, b, the Stack file's (sh); c, d (bash)
    assert len({Path(name).suffix for name in read}) == 2  # a shellcheck per dialect


def test_the_processes_of_a_run_share_the_scripts_they_read(tmp_path: Path, monkeypatch) -> None:
    _write_scripts(tmp_path)
    alone = _alone(tmp_path, monkeypatch)
    for copy in range(60):
        for name in [*_SCRIPTS, "stack.yaml"]:
            (tmp_path / f"copy{copy:02}-{name}").write_bytes((tmp_path / name).read_bytes())
    log = _logged_shellcheck(tmp_path, monkeypatch)
    temporary = tmp_path / "memory"
    temporary.mkdir()
    monkeypatch.setattr("worker_lint.dataos.shared_scripts.MEMORY", str(temporary))
    together = _diagnostics(tmp_path, "-j", "2", ".")
    assert sorted(d for d in together if not d[0].startswith("copy")) == sorted(alone)
    assert sorted(d[1:] for d in together if d[0].startswith("copy59-")) == sorted(d[1:] for d in alone)
    read = log.read_text(encoding="utf-8").splitlines()
    assert len(read) == len(set(read)) == 5, read  # each script once, whichever process linted its files
    assert all(Path(name).parent.parent == temporary for name in read)  # from the run's shared folder
    assert list(temporary.iterdir()) == []  # which is gone


def test_without_a_temporary_folder_each_script_is_read_alone(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    _write_scripts(tmp_path)
    expected = _diagnostics(tmp_path, "-j", "1", ".")
    runs = _shellcheck_runs(monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    monkeypatch.setattr("worker_lint.dataos.shared_scripts.MEMORY", str(tmp_path / "missing"))
    assert _diagnostics(tmp_path, "-j", "1", ".") == expected
    assert runs == [["-"]] * 5


def test_a_script_started_ahead_and_never_read_is_ended_by_the_next(monkeypatch) -> None:
    from worker_lint.dataos import shellcheck

    monkeypatch.setattr(shellcheck, "_RESULTS", {})
    monkeypatch.setattr(shellcheck, "_STARTED", {})
    shellcheck.start("cd /data; ls\n", "sh")
    (first,) = shellcheck._STARTED.values()
    shellcheck.start("echo $1\n", "sh")
    assert first.returncode is not None  # ended and waited for: no process left behind
    assert [c.code for c in shellcheck.check("echo $1\n", "sh") or ()] == [2086]
    assert shellcheck._STARTED == {}
    assert [c.code for c in shellcheck.check("cd /data; ls\n", "sh") or ()] == [2164]  # read again, alone


def test_a_failure_to_start_shellcheck_ahead_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    from worker_lint.dataos import shellcheck

    script = CONTAINER + '    command: [sh, -c, "cd /data; ls"]\n'
    monkeypatch.setattr(shellcheck, "_RESULTS", {})
    expected = _lint(tmp_path, script)

    def broken(script: str, dialect: str) -> None:
        raise OSError("no process")

    monkeypatch.setattr(shellcheck, "_RESULTS", {})
    monkeypatch.setattr(shellcheck, "start", broken)
    assert _lint(tmp_path, script) == expected
    assert [d[4] for d in expected] == ["WL135"]


def test_a_script_is_found_once_for_the_check_and_the_shellcheck_started_ahead(tmp_path: Path, monkeypatch) -> None:
    from worker_lint.checks import shell_script

    found: list[object] = []
    real = shell_script._find_script

    def counted(res):
        found.append(res.prefix)
        return real(res)

    monkeypatch.setattr(shell_script, "_find_script", counted)
    script = CONTAINER + '    command: [sh, -c, "cd /data; ls"]\n'
    assert [d[4] for d in _lint(tmp_path, script)] == ["WL135"]
    assert found == [()]


def test_a_file_whose_script_is_not_read_yet_is_resumed_to_the_result_it_would_have_had(monkeypatch) -> None:
    from worker_lint.checks.context import Project
    from worker_lint.core.settings import Settings
    from worker_lint.run.engine import Suspended, check_text, start_text

    monkeypatch.setattr("worker_lint.dataos.shellcheck._RESULTS", {})
    # two documents, the first waiting for its script, the second with a finding of its own
    data = (
        CONTAINER + '    command: [sh, -c, "echo $1"]\n    replicas: 1\n---\n' + CONTAINER.replace("v2alpha", "v9")
    ).encode()
    settings = Settings()
    project = Project(settings)
    project.waiting_for = []
    started = start_text(data, "w.yaml", settings, project)
    assert isinstance(started, Suspended)
    assert project.waiting_for == [("sh", "echo $1")]
    project.waiting_for = None
    resumed = started.resume()
    assert resumed == check_text(data, "w.yaml", settings, Project(settings))
    assert [(d.span.line, d.code) for d in resumed.diagnostics] == [(9, "WL135"), (12, "WL108")]
