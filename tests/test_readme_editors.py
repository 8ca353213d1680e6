"""The README's editor setups for `worker-lint check` and `worker-lint server`, verbatim, in the real
editors Debian packages: Emacs with eglot and with flycheck (batch mode), and Vim with ALE's
standard-input linter (in tmux). The language-server setups of Neovim and Vim with ALE are run by
tests/test_lsp_editors.py. A missing editor fails under CI (.ci/editors installs them) and skips elsewhere."""

from __future__ import annotations

import glob
import os
import shlex
import subprocess
from pathlib import Path

import pytest
from test_lsp_editors import BAD, EDITORS, EXPECTED, _env, _read, _require, _tmux, _wait, readme_snippet

#: the messages of BAD's diagnostics, in line order
MESSAGES = [
    "`Sleep_Worker` is not a valid resource name: use lower-case letters, digits and '-', start and end with"
    " a letter or digit, at most 48 characters",
    "`spec.replicas` must be an integer, not a string (`two`)",
    "unknown field `stackspec` in `spec`; did you mean `stackSpec`?",
]


def _require_emacs(*packages: str) -> None:
    _require("emacs")
    missing = [p for p in packages if not glob.glob(f"/usr/share/emacs/site-lisp/elpa/{p}-*")]
    if missing:
        message = f"{', '.join('elpa-' + p for p in missing)} not installed (bash .ci/editors installs them)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)


def _emacs(tmp_path: Path, mode: str, snippet: str) -> list[str]:
    file = tmp_path / "replicas-and-typos.yaml"
    file.write_text(BAD.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**_env(tmp_path, file, snippet), "WL_MODE": mode}
    # -q, not -Q: Debian's site start-up makes its elpa packages (eglot, flycheck, yaml-mode) loadable
    run = subprocess.run(
        ["emacs", "--batch", "-q", "-l", str(EDITORS / "emacs.el")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    return _read(tmp_path / "out")


def test_emacs_with_eglot_shows_the_servers_diagnostics(tmp_path: Path) -> None:
    _require_emacs("eglot", "yaml-mode")
    shown = _emacs(tmp_path, "eglot", readme_snippet("elisp", "eglot-server-programs"))
    # Emacs lines are 1-based and its columns 0-based, as the server's are
    assert shown == [
        f"diagnostic {line + 1}:{start}-{line + 1}:{end} eglot-error worker-lint [{code}]: {message}"
        for (code, line, start, end), message in zip(EXPECTED, MESSAGES)
    ]


def test_emacs_with_flycheck_shows_the_checkers_diagnostics(tmp_path: Path) -> None:
    _require_emacs("flycheck", "yaml-mode")
    shown = _emacs(tmp_path, "flycheck", readme_snippet("elisp", "flycheck-define-checker"))
    # flycheck's columns are 1-based, as worker-lint's text report; `[*]` is not part of the message
    assert shown == [
        f"diagnostic {line + 1}:{start + 1} error {code} {message}"
        for (code, line, start, _), message in zip(EXPECTED, MESSAGES)
    ]


def test_vim_with_ales_standard_input_linter(tmp_path: Path) -> None:
    _require("vim", "tmux")
    file = tmp_path / "replicas-and-typos.yaml"
    file.write_text(BAD.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    socket = f"worker-lint-check-test-{os.getpid()}"
    env = _env(tmp_path, file, readme_snippet("vim", "WorkerLintHandle"))
    # tmux hands the command line to a shell: a checkout whose path has a space must be quoted
    command = shlex.join(["vim", "-N", "-u", str(EDITORS / "vimrc"), "-i", "NONE", str(file)])
    size = ["-x", "200", "-y", "50"]
    subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", *size, command], env=env, timeout=30)
    try:
        diag = out.with_suffix(".diag")
        assert _wait(lambda: len(_read(diag)) == 3), _tmux(socket, "capture-pane", "-p")
        assert _read(diag) == [f"diagnostic {code} {line + 1}:{start + 1}" for code, line, start, _ in EXPECTED]
    finally:
        _tmux(socket, "kill-server")
