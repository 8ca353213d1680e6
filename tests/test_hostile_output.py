"""Hostile output: injected control characters and lines, secrets echoed, special files and failed writes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import RawRun, run_cli_bytes
from test_hostile import VALID
from test_hostile_cache import cli

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
#: sets the terminal's title, clears the screen, paints in red, then starts new lines that GitHub Actions runs
#: as workflow commands and that problem matchers read as diagnostics of another file
INJECTION = r"\e]0;pwned\a\e[2J\e[31mFAKE\r\e[2KNo problems found\n::add-mask::x\nother.yaml:1:1: error WL001 fake"
RAW = ("\x1b", "\x07", "\r", "\x85", "\u2028", "::add-mask::x\n")


def raw_bytes(args: list[str], cwd: Path, env: dict[str, str] | None = None, input: bytes | None = None) -> RawRun:
    """The command line run in-process, its streams as bytes: what a report lets through is what is tested."""
    return run_cli_bytes(*args, cwd=cwd, stdin=input, env=env)


def process_bytes(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess[bytes]:
    """`python -m worker_lint` in a real process: for a standard stream that is a device or a pipe of its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "worker_lint", *args], cwd=cwd, env=env, timeout=120, **streams)


# ---------------------------------------------------------------- 10: control characters in reports


@pytest.fixture
def injected(tmp_path: Path) -> Path:
    (tmp_path / "w.yaml").write_text(
        VALID.replace("  compute: runnable-default\n", f'  compute: runnable-default\n  replicas: "{INJECTION}"\n'),
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_from_a_value_never_reach_a_report_raw(injected: Path, fmt: str):
    done = raw_bytes(["check", "--no-cache", "--format", fmt, "w.yaml"], injected)
    assert done.returncode == 1
    out = done.stdout.decode("utf-8")
    for raw in RAW:
        assert raw not in out, (raw, out)
    if fmt == "text":
        lines = out.splitlines()
        assert lines[0].startswith(
            "w.yaml:7:13: error WL103 `worker.replicas` must be an integer, not a string (`"
            r"\x1b]0;pwned\x07\x1b[2J\x1b[31mFAKE\r\x1b[2KNo problems"
        )
        assert [line for line in lines if line.startswith(("other.yaml", "::"))] == []  # no forged line
        assert lines[-1] == "Found 1 error in 1 of 1 file."
    elif fmt == "github":
        assert out.count("\n") == 1 and out.startswith("::error file=w.yaml,line=7,col=13,")
    elif fmt == "junit":
        ET.fromstring(out.split("\n", 1)[1])
    elif fmt in ("json", "sarif", "gitlab"):
        json.loads(out)


def test_the_source_line_under_a_diagnostic_is_escaped_and_the_caret_still_points(tmp_path: Path):
    # a right-to-left override is valid YAML, and reorders what a reader of the log sees (Trojan Source)
    (tmp_path / "w.yaml").write_text(VALID.replace("name: w", 'name: "\u202eab" # \u202e'), encoding="utf-8")
    done = raw_bytes(["check", "--no-cache", "w.yaml"], tmp_path)
    out = done.stdout.decode()
    assert "\u202e" not in out
    lines = out.splitlines()
    assert lines[0].startswith("w.yaml:2:7: error WL106 `\\u202eab` is not a valid resource name")
    assert lines[1:3] == ['    2 | name: "\\u202eab" # \\u202e', "      |       ^^^^^^^^^^"]


def test_a_message_is_always_one_line(tmp_path: Path):
    key = r"bad\Lkey\Px\Ny\rz"  # YAML's escapes of LS, PS, NEL and CR
    (tmp_path / "w.yaml").write_text(VALID.replace("  compute:", f'  "{key}": 1\n  compute:'), encoding="utf-8")
    done = raw_bytes(["check", "--no-cache", "--format", "json", "w.yaml"], tmp_path)
    (diagnostic,) = json.loads(done.stdout)["diagnostics"]
    assert diagnostic["code"] == "WL102"
    assert "bad\\u2028key\\u2029x\\x85y\\rz" in diagnostic["message"]
    assert diagnostic["json_path"] == ["worker", "bad\\u2028key\\u2029x\\x85y\\rz"]


# ---------------------------------------------------------------- 9: file names that are not UTF-8


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes are a POSIX file system's")
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("repository", [False, True], ids=["plain", "git"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, fmt: str, repository: bool):
    if repository:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    broken = VALID.replace("  compute: runnable-default\n", "")
    (tmp_path / "sub").mkdir()
    with open(os.path.join(os.fsencode(tmp_path / "sub"), b"bad\xff\x1b.yaml"), "w", encoding="utf-8") as handle:
        handle.write(broken)
    for target in (["sub"], ["--output", "report.out", "sub"]):
        done = raw_bytes(["check", "--no-cache", "--format", fmt, *target], tmp_path)
        out = (tmp_path / "report.out").read_bytes() if "--output" in target else done.stdout
        assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
        assert done.returncode == 1
        text = out.decode("utf-8")  # valid UTF-8, whatever the file name
        assert "\x1b" not in text
        if fmt in ("json", "sarif", "gitlab"):
            text = json.dumps(json.loads(text), ensure_ascii=False).replace("\\\\", "\\")
        assert "bad\\xff\\x1b.yaml" in text or "bad%5Cxff%5Cx1b.yaml" in text


# ---------------------------------------------------------------- 15: secrets from the environment


SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize("fmt", FORMATS)
def test_use_env_never_echoes_an_environment_value(tmp_path: Path, fmt: str):
    (tmp_path / "w.yaml").write_text(
        VALID.replace(
            "  compute: runnable-default\n",
            "  compute: runnable-default\n  replicas: ${AWS_SECRET_ACCESS_KEY}\n  title: x${AWS_SECRET_ACCESS_KEY}\n",
        ),
        encoding="utf-8",
    )
    done = raw_bytes(
        ["check", "--no-cache", "--use-env", "--format", fmt, "w.yaml"], tmp_path, env={"AWS_SECRET_ACCESS_KEY": SECRET}
    )
    out = done.stdout.decode()
    assert done.returncode == 1
    assert SECRET not in out and SECRET[:20] not in out and SECRET[-20:] not in out
    assert "${AWS_SECRET_ACCESS_KEY}" in out


def test_env_file_values_are_hidden_and_var_values_shown(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(
        VALID.replace(
            "  compute: runnable-default\n",
            "  compute: runnable-default\n  replicas: ${FROM_FILE}\n  title: ${TYPED}\n",
        ),
        encoding="utf-8",
    )
    (tmp_path / "vars.env").write_text(f"FROM_FILE={SECRET}\n", encoding="utf-8")
    done = raw_bytes(
        ["check", "--no-cache", "--env-file", "vars.env", "--var", "TYPED=3", "--format", "json", "w.yaml"], tmp_path
    )
    messages = [d["message"] for d in json.loads(done.stdout)["diagnostics"]]
    assert "`worker.replicas` must be an integer, not a string (`${FROM_FILE}`)" in messages
    assert SECRET not in done.stdout.decode()


def test_a_secret_never_reaches_the_cache_file(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(
        VALID.replace(
            "  compute: runnable-default\n", "  compute: runnable-default\n  replicas: ${AWS_SECRET_ACCESS_KEY}\n"
        ),
        encoding="utf-8",
    )
    raw_bytes(["check", "--cache-dir", "cache", "--use-env", "w.yaml"], tmp_path, env={"AWS_SECRET_ACCESS_KEY": SECRET})
    (results,) = (tmp_path / "cache").glob("v*/*.json")
    assert SECRET.encode() not in results.read_bytes()


# ---------------------------------------------------------------- 5: writing to special files


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    (tmp_path / "w.yaml").write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    return tmp_path


FIRST_LINE = b"w.yaml:4:1: error WL101 missing required field `compute` in `worker`\n"


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_a_fifo_target_is_written_into_not_replaced(broken: Path, option: str):
    fifo = broken / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = cli("check", "--no-cache", option, "pipe", "w.yaml", cwd=broken, timeout=60)
    reader.join(timeout=60)
    assert "Traceback" not in run.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    if option == "--output":
        assert run.returncode == 1 and received[0].startswith(FIRST_LINE)
    else:
        assert run.returncode == 0 and json.loads(received[0])["entries"][0]["code"] == "WL101"


def test_a_process_substitution_target(broken: Path):
    read_end, write_end = os.pipe()
    done = subprocess.run(
        [sys.executable, "-m", "worker_lint", "check", "--no-cache", "--output", f"/dev/fd/{write_end}", "w.yaml"],
        cwd=broken,
        pass_fds=(write_end,),
        capture_output=True,
        timeout=120,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as handle:
        received = handle.read()
    assert b"Traceback" not in done.stderr
    assert done.returncode == 1 and received.startswith(FIRST_LINE)


def test_a_link_to_a_special_file_stays_a_link(broken: Path):
    os.symlink(os.devnull, broken / "sink")
    run = cli("check", "--no-cache", "--output", "sink", "w.yaml", cwd=broken)
    assert run.returncode == 1 and run.stderr == ""
    assert os.readlink(broken / "sink") == os.devnull


def _device(folder: Path, name: str, minor: int) -> Path:
    """A private copy of a memory device (1, minor), so nothing the machine uses is at stake."""
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        with open(path, "wb"):
            pass
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create or open a device node here (needs root and a mount without nodev): {exc}")
    return path


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="only root can create device nodes, and only root could replace /dev/null or /dev/full",
)
@pytest.mark.slow
def test_devices_stay_devices_as_root(broken: Path):
    null = _device(broken, "null", 3)
    full = _device(broken, "full", 7)
    for option in ("--output", "--write-baseline"):
        run = cli("check", "--no-cache", option, "null", "w.yaml", cwd=broken)
        assert run.returncode in (0, 1) and run.stderr.startswith(("", "Recorded")), run.stderr
        assert stat.S_ISCHR(os.lstat(null).st_mode)
        run = cli("check", "--no-cache", "--exit-zero", option, "full", "w.yaml", cwd=broken)
        assert (run.returncode, run.stderr) == (2, "worker-lint: cannot write full: No space left on device\n")
        assert stat.S_ISCHR(os.lstat(full).st_mode)


# ---------------------------------------------------------------- 26: a failure writing the report


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(broken: Path, option: str):
    (broken / "afile").write_text("", encoding="utf-8")
    run = cli("check", "--no-cache", "--exit-zero", option, "afile/x", "w.yaml", cwd=broken)
    assert (run.returncode, run.stderr) == (2, "worker-lint: cannot write afile/x: Not a directory\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_standard_output_on_a_full_disk(broken: Path, fmt: str):
    with open("/dev/full", "wb") as full:
        done = process_bytes(["check", "--no-cache", "--exit-zero", "--format", fmt, "w.yaml"], broken, stdout=full)
    assert (done.returncode, done.stderr.decode()) == (
        2,
        "worker-lint: cannot write the report to standard output: No space left on device\n",
    )


# ---------------------------------------------------------------- 14: never over a manifest


def test_output_never_replaces_a_file_a_bundle_refers_to(broken: Path):
    (broken / ".git").mkdir()
    (broken / "b.yaml").write_text(
        "version: v1beta\nname: b\ntype: bundle\nbundle:\n  resources:\n    - id: w\n      file: w.yaml\n",
        encoding="utf-8",
    )
    before = (broken / "w.yaml").read_bytes()
    for option in ("--output", "--write-baseline"):
        run = cli("check", "--no-cache", option, "w.yaml", "b.yaml", cwd=broken)
        assert run.returncode == 2
        assert run.stderr.endswith("Error: w.yaml is one of the files being linted; write the report elsewhere\n")
        assert (broken / "w.yaml").read_bytes() == before


def test_output_never_replaces_the_file_named_by_stdin_filename(broken: Path):
    before = (broken / "w.yaml").read_bytes()
    done = raw_bytes(
        ["check", "--no-cache", "--stdin-filename", "w.yaml", "--output", "w.yaml", "-"], broken, input=before
    )
    assert done.returncode == 2
    assert (broken / "w.yaml").read_bytes() == before


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes are a POSIX file system's")
def test_a_baseline_records_a_file_name_that_is_not_utf8(tmp_path: Path):
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.yaml"), "w", encoding="utf-8") as handle:
        handle.write(VALID.replace("  compute: runnable-default\n", ""))
    written = raw_bytes(["check", "--no-cache", "--write-baseline", "b.json", "."], tmp_path)
    assert (written.returncode, written.stderr) == (0, b"Recorded 1 diagnostic (1 entry) in b.json.\n")
    (tmp_path / "b.json").read_bytes().decode("utf-8")
    again = raw_bytes(["check", "--no-cache", "--baseline", "b.json", "."], tmp_path)
    assert (again.returncode, again.stdout) == (0, b"No problems found in 1 file.\n")
