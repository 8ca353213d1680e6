"""`worker-lint server` in real editors, headless: Neovim's built-in client and Vim with ALE (in tmux).

Under CI (CI=true) a missing editor fails these tests: `.ci/editors` installs them from Debian's packages.
Elsewhere they skip, saying what is missing.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from worker_lint.core.diagnostic import Diagnostic

ROOT = Path(__file__).resolve().parents[1]
EDITORS = ROOT / "tests" / "editors"
BAD = ROOT / "examples" / "bad" / "replicas-and-typos.yaml"
#: the quick fixes WL102 offers on `stackspec` once diagnostics carry fixes (the autofix model); none before
STACKSPEC_FIXES = ["Rename `stackspec` to `stackSpec`"] if "fixes" in Diagnostic._fields else []
#: the action the editor runs, and line 9 after it: the quick fix where there is one, else the suppression
ACTION, FIXED_LINE = (
    (STACKSPEC_FIXES[0], "  stackSpec:")
    if STACKSPEC_FIXES
    else ("Disable WL102 for this line", "  stackspec:  # worker-lint: disable=WL102")
)
#: (code, 0-based line, 0-based start column, end column) as an editor shows them
EXPECTED = [("WL106", 2, 6, 18), ("WL103", 6, 12, 17), ("WL102", 8, 2, 11)]


def _require(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if programs == ("vim", "tmux") and not Path("/usr/share/vim/vimfiles/pack/dist-bundle/opt/ale").exists():
        missing.append("vim-ale")
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (bash .ci/editors installs them)"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(message)
    pytest.skip(message)


def readme_snippet(language: str, marker: str) -> str:
    """The README's ```language block holding ``marker``, verbatim: the docs cannot drift from what is tested."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL) if marker in b]
    assert len(blocks) == 1, (language, marker)
    return str(blocks[0])


def _env(tmp_path: Path, file: Path, snippet: str = "") -> dict[str, str]:
    (tmp_path / "snippet").write_text(snippet, encoding="utf-8")
    return {
        **os.environ,
        # the snippets run `worker-lint` as a user has it: the one installed beside this Python
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "WL_SNIPPET": str(tmp_path / "snippet"),
        "WL_FILE": str(file),
        "WL_OUT": str(tmp_path / "out"),
        "WL_PYTHON": sys.executable,
        "WL_ROOT": str(tmp_path),
        "WL_ACTION": ACTION,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }


def test_neovim_shows_diagnostics_hovers_and_applies_a_code_action(tmp_path: Path) -> None:
    _require("nvim")
    file = tmp_path / "replicas-and-typos.yaml"
    file.write_text(BAD.read_text())
    run = subprocess.run(
        ["nvim", "--headless", "--clean", "-u", "NONE", "-c", f"luafile {EDITORS / 'neovim.lua'}"],
        env=_env(tmp_path, file, readme_snippet("lua", "vim.lsp.start_client")),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    out = (tmp_path / "out").read_text().splitlines()
    assert run.returncode == 0, "\n".join(out) + run.stderr
    shown = [tuple(line.split()[1:3]) for line in out if line.startswith("diagnostic ")]
    assert shown == [(code, f"{line}:{start}-{line}:{end}") for code, line, start, end in EXPECTED]
    assert "diagnostic WL102 8:2-8:11 unknown field `stackspec` in `spec`; did you mean `stackSpec`?" in out
    assert "hover **WL102** `unknown-field` (error)" in out and "hover-has-page true" in out
    assert [line for line in out if line.startswith("action ")] == [
        *(f"action {title}" for title in STACKSPEC_FIXES),
        "action Disable WL102 for this line",
        "action Disable WL102 for this file",
        *(["action Fix all safe worker-lint problems"] if STACKSPEC_FIXES else []),
    ]
    assert f"line 9 {FIXED_LINE}" in out
    assert out[-1] == "after 2"


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=30).stdout


def _wait(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _read(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except OSError:
        return []


def test_vim_with_ale_shows_diagnostics_hovers_and_applies_a_code_action(tmp_path: Path) -> None:
    _require("vim", "tmux")
    file = tmp_path / "replicas-and-typos.yaml"
    file.write_text(BAD.read_text())
    out = tmp_path / "out"
    socket = f"worker-lint-test-{os.getpid()}"
    env = _env(tmp_path, file, readme_snippet("vim", "'lsp': 'stdio'"))
    subprocess.run(
        [
            "tmux",
            "-L",
            socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "200",
            "-y",
            "50",
            # tmux hands this line to a shell: a checkout whose path has a space must stay one word
            shlex.join(["vim", "-N", "-u", str(EDITORS / "vimrc"), "-i", "NONE", str(file)]),
        ],
        env=env,
        check=True,
        timeout=30,
        cwd=tmp_path,
    )
    try:
        diag = out.with_suffix(".diag")
        assert _wait(lambda: len(_read(diag)) == 3), _tmux(socket, "capture-pane", "-p")
        # ALE shows 1-based lines and columns
        assert _read(diag) == [f"diagnostic {code} {line + 1}:{start + 1}" for code, line, start, _ in EXPECTED]
        _tmux(socket, "send-keys", ":call cursor(9, 4)", "Enter", ":ALEHover", "Enter")
        hover = out.with_suffix(".hover")
        assert _wait(lambda: any("WL102" in line for line in _read(hover))), _tmux(socket, "capture-pane", "-p")
        # ALE takes plain text only: the page comes without Markdown marks
        assert _read(hover)[:5] == ["WL102 unknown-field (error)", "", "unknown-field (WL102)", "", "What it does"]
        assert not any(line.startswith(("#", "```")) for line in _read(hover))
        _tmux(socket, "send-keys", ":pclose", "Enter", ":call cursor(9, 4)", "Enter", ":ALECodeAction", "Enter")
        assert _wait(lambda: "Type number" in _tmux(socket, "capture-pane", "-p")), _tmux(socket, "capture-pane", "-p")
        menu = _tmux(socket, "capture-pane", "-p").splitlines()
        choice = next(line.split(")")[0] for line in menu if line.endswith(ACTION))
        assert any(line.endswith("Disable WL102 for this file") for line in menu)
        _tmux(socket, "send-keys", choice, "Enter")
        buffer = out.with_suffix(".buf")
        assert _wait(lambda: FIXED_LINE in _read(buffer)), _read(buffer)
        assert _wait(lambda: [line.split()[1] for line in _read(diag)] == ["WL106", "WL103"]), _read(diag)
    finally:
        _tmux(socket, "kill-server")
