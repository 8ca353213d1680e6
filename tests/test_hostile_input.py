"""Hostile values in options, the configuration and manifests: each a usage error or a normal diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hostile import VALID, bounded_cli

from worker_lint.config import globs

MISSING_COMPUTE = VALID.replace("  compute: runnable-default\n", "")

# ---------------------------------------------------------------- globs


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("/r/**/b", "/r/b", True),
        ("/r/**/b", "/r/x/y/b", True),
        ("/r/**/b", "/r/x/y/b/c.yaml", True),  # a folder that matches takes what is inside it
        ("/r/**/b", "/r/xb", False),
        ("/r/**/**/**/b", "/r/b", True),
        ("/r/**/**/**/b", "/r/x/b", True),
        ("/r/a/**", "/r/a", True),
        ("/r/a/**", "/r/a/x/y", True),
        ("/r/a/**", "/r/ab", False),
        ("/r/*.yaml", "/r/m.yaml", True),
        ("/r/*.yaml", "/r/x/m.yaml", False),
        ("/r/**/*.bak.yaml", "/r/x/m.bak.yaml", True),
        ("/r/m?.yaml", "/r/m1.yaml", True),
        ("/r/m?.yaml", "/r/m12.yaml", False),
        ("/r/[ab]*", "/r/bx", True),
        ("/r/[!ab]*", "/r/bx", False),
        ("/r/[!ab]*", "/r/cx", True),
        ("/r/[[]x]", "/r/[x]", True),
        ("/r/*a*a*a*b", "/r/" + "a" * 40, False),
        ("/r/*a*a*a*b", "/r/" + "a" * 40 + "b", True),
        ("/r/*a", "/r/aba", True),
        ("/r/**/a/**/a/**/b", "/r/a/a/b", True),
        ("/r/**/a/**/a/**/b", "/r/a/b", False),
    ],
)
def test_glob_matching(glob: str, path: str, expected: bool):
    assert globs.matches(path, glob) is expected


@pytest.mark.parametrize(
    ("glob", "problem"),
    [
        ("[]", "`[]` is a set of no characters, which nothing matches (write `[[]` for a literal `[`)"),
        ("gen/[!]/x", "`[]` is a set of no characters, which nothing matches (write `[[]` for a literal `[`)"),
        ("[z-a]", "bad character range z-a"),
    ],
)
def test_an_invalid_glob_is_named(glob: str, problem: str, tmp_path: Path):
    with pytest.raises(globs.InvalidGlob) as info:
        globs.anchor(glob, tmp_path)
    assert str(info.value) == f"invalid glob `{glob}`: {problem}"


@pytest.mark.parametrize(
    ("args", "config", "expected"),
    [
        (("--exclude", "[]"), None, "Error: --exclude: invalid glob `[]`: `[]` is a set of no characters"),
        (("--exclude", "x/[z-a]"), None, "Error: --exclude: invalid glob `x/[z-a]`: bad character range z-a"),
        (
            ("--per-file-ignores", "[z-a]:WL1"),
            None,
            "Error: --per-file-ignores: invalid glob `[z-a]`: bad character range z-a",
        ),
        ((), 'exclude: ["[z-a]"]\n', "Error: configuration: invalid glob `[z-a]`: bad character range z-a"),
        ((), 'per-file-ignores: {"x/[]": [WL1]}\n', "Error: configuration: invalid glob `x/[]`: `[]` is a set"),
    ],
    ids=["exclude-empty", "exclude-range", "per-file-ignores", "config-exclude", "config-per-file-ignores"],
)
def test_an_invalid_glob_is_a_usage_error(tmp_path: Path, args: tuple[str, ...], config: str | None, expected: str):
    (tmp_path / "m.yaml").write_text(MISSING_COMPUTE, encoding="utf-8")
    if config is not None:
        (tmp_path / ".worker-lint.yaml").write_text(config, encoding="utf-8")
    run = bounded_cli("check", "--no-cache", *args, ".", cwd=tmp_path, timeout=60)
    assert (run.returncode, run.stdout) == (2, "")
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines()[-1].startswith(expected)
