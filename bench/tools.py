"""The tools compared, how to invoke each on a corpus, and a clear error when one is missing."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpora import Corpus

#: Exit codes that mean "ran and reported" (0 clean, 1 findings); anything else is a failure.
OK_EXIT = frozenset({0, 1})


class MissingTool(Exception):
    pass


@dataclass(frozen=True)
class Tool:
    name: str
    command: Callable[[Corpus], list[str]]
    #: whether this tool can read the corpus at all (check-jsonschema: single documents only)
    accepts: Callable[[Corpus], bool] = lambda corpus: True
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkerLint:
    """How this checkout's CLI is reached, and which speed options it offers."""

    argv: tuple[str, ...]
    has_no_cache: bool
    has_cache_dir: bool
    has_jobs: bool
    has_fix: bool = False

    def check(self, *options: str) -> Callable[[Corpus], list[str]]:
        def command(corpus: Corpus) -> list[str]:
            return [*self.argv, "check", *options, str(corpus.target)]

        return command


def find_worker_lint(venv: Path) -> WorkerLint:
    """The console script if installed, else ``python -m worker_lint``; probe ``check --help`` for options."""
    script = venv / "bin" / "worker-lint"
    argv: tuple[str, ...] = (str(script),) if script.is_file() else (str(venv / "bin" / "python"), "-m", "worker_lint")
    try:
        probe = subprocess.run([*argv, "check", "--help"], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        raise MissingTool(f"worker-lint cannot be started ({exc})") from exc
    if probe.returncode != 0:
        tail = (probe.stderr or probe.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise MissingTool(f"`{' '.join(argv[-3:])} check --help` failed: {tail[0]}")
    text = probe.stdout
    return WorkerLint(argv, "--no-cache" in text, "--cache-dir" in text, "--jobs" in text, "--diff" in text)


def build_tools(venv: Path, shared_bench: Path, wanted: list[str], cpus: int) -> tuple[list[Tool], WorkerLint | None]:
    """The tools named in ``wanted``, checked to exist; raises MissingTool naming every missing one."""
    python = venv / "bin" / "python"
    if not python.is_file():
        raise MissingTool(f"no benchmark venv at {venv}; create it with bench/setup.sh")
    floor = shared_bench / "floor_tool.py"
    schema = shared_bench / "worker.schema.json"
    missing: list[str] = []
    tools: list[Tool] = []
    wl: WorkerLint | None = None

    for name in wanted:
        if name in ("worker-lint", "worker-lint-j1", "worker-lint-fix"):
            if wl is None:
                try:
                    wl = find_worker_lint(venv)
                except MissingTool as exc:
                    missing.append(str(exc))
                    continue
            # The timed runs never read a cache: they measure the work itself.
            base = ("--no-cache",) if wl.has_no_cache else ()
            if name == "worker-lint":
                tools.append(Tool(name, wl.check(*base)))
            elif name == "worker-lint-fix":
                # The fixing path over a corpus with nothing to fix, which must cost what `check` does.
                # `--diff` runs it exactly as `--fix` does but never writes, so the corpus stays as generated.
                if wl.has_fix:
                    tools.append(Tool(name, wl.check(*base, "--diff"), accepts=lambda c: c.count == 1000))
            elif wl.has_jobs:
                tools.append(Tool(name, wl.check(*base, "--jobs", "1"), accepts=lambda c: c.count >= 1000))
        elif name == "floor-nogc":
            if not floor.is_file():
                missing.append(f"floor tool not found at {floor}")
                continue
            # The floor with its own --no-gc switch, on big single files where the cyclic GC dominates.
            tools.append(
                Tool(
                    name,
                    lambda c: [str(python), str(floor), "--no-gc", str(c.target)],
                    accepts=lambda c: c.count == 1 and c.size_bytes >= 1 << 20,
                )
            )
        elif name in ("floor", "floor-jN"):
            if not floor.is_file():
                missing.append(f"floor tool not found at {floor}")
                continue
            if name == "floor":
                tools.append(Tool(name, lambda c: [str(python), str(floor), str(c.target)]))
            else:
                tools.append(
                    Tool(
                        f"floor-j{cpus}",
                        lambda c: [str(python), str(floor), "--jobs", str(cpus), str(c.target)],
                        accepts=lambda c: c.count >= 1000,
                    )
                )
        elif name == "check-jsonschema":
            exe = venv / "bin" / "check-jsonschema"
            if not exe.is_file():
                missing.append(f"check-jsonschema not found at {exe}")
                continue
            tools.append(
                Tool(
                    name,
                    lambda c, exe=exe: [str(exe), "--schemafile", str(schema), *map(str, c.files)],
                    accepts=lambda c: c.single_document,
                )
            )
        elif name == "yamllint":
            exe = venv / "bin" / "yamllint"
            if not exe.is_file():
                missing.append(f"yamllint not found at {exe}")
                continue
            tools.append(Tool(name, lambda c, exe=exe: [str(exe), str(c.target)]))
        else:
            missing.append(f"unknown tool {name!r}")
    if missing:
        raise MissingTool("; ".join(missing))
    return tools, wl


def versions(venv: Path) -> dict[str, str]:
    code = (
        "from importlib.metadata import version, PackageNotFoundError\n"
        "import json, sys\n"
        "out = {'python': sys.version.split()[0]}\n"
        "for n in ('worker-lint', 'yamllint', 'check-jsonschema', 'pyyaml', 'jsonschema-rs', 'ruamel.yaml'):\n"
        "    try: out[n] = version(n)\n"
        "    except PackageNotFoundError: out[n] = 'checkout' if n == 'worker-lint' else 'missing'\n"
        "print(json.dumps(out))\n"
    )
    import json

    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
