"""The command line: `worker-lint check | rules | explain | schema`."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from worker_lint import __version__

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="worker-lint")
def main() -> None:
    """A position-exact linter for DataOS Worker and Bundle manifests."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
              help="Report format (default: text; github inside GitHub Actions).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--stdin-filename", help="The path to report for input read from `-`.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Read this configuration instead of the closest .worker-lint.yaml or pyproject.toml.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--select", multiple=True, help="Only these codes or prefixes (repeatable, or comma-separated).")
@click.option("--ignore", multiple=True, help="Never these codes or prefixes.")
@click.option("--extend-select", multiple=True, help="Codes or prefixes added to the selection.")
@click.option("--per-file-ignores", multiple=True, metavar="GLOB:CODES",
              help="Ignore codes or prefixes in files matching GLOB (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Do not lint files or folders matching GLOB.")
@click.option("--root", type=click.Path(file_okay=False), help="Project root for Bundle `file:` references.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Report only diagnostics that are not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record the current diagnostics in this baseline file and exit 0.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--statistics", is_flag=True, help="Print the number of diagnostics per rule.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal, unless NO_COLOR).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Substitute this apply-time variable, as dataos-ctl does, and check the result (repeatable).")
@click.option("--env-file", type=click.Path(dir_okay=False), help="Substitute the variables of this dotenv file.")
@click.option("--use-env", is_flag=True, help="Substitute variables from the environment.")
@click.option("--jobs", "-j", default="auto", metavar="N|auto",
              help="Processes to lint with (default: auto, one for small runs).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Where to keep the result cache (default: .worker-lint-cache in the project root).")
def check(paths: tuple[str, ...], output_format: str | None, output: str | None, stdin_filename: str | None,
          config_path: str | None, isolated: bool, select: tuple[str, ...], ignore: tuple[str, ...],
          extend_select: tuple[str, ...], per_file_ignores: tuple[str, ...], exclude: tuple[str, ...],
          root: str | None, baseline_path: str | None, write_baseline_path: str | None, exit_zero: bool,
          strict: bool, statistics: bool, color: bool | None, variables: tuple[str, ...], env_file: str | None,
          use_env: bool, jobs: str, no_cache: bool, cache_dir: str | None) -> None:
    """Lint manifests: files, or directories searched for *.yaml and *.yml (default: .); `-` reads stdin."""
    from worker_lint import config, files, report, runner
    from worker_lint.diagnostic import FileResult, Severity

    if baseline_path and write_baseline_path:
        raise click.UsageError("--baseline and --write-baseline cannot be combined")
    overrides = {"select": select, "ignore": ignore, "extend_select": extend_select,
                 "per_file_ignores": per_file_ignores, "exclude": exclude, "root": root}
    try:
        settings = config.load_settings(Path.cwd(), Path(config_path) if config_path else None, isolated, overrides)
    except config.ConfigError as exc:
        _usage_failure(str(exc))
    if variables or env_file or use_env:
        from worker_lint.templating import load_variables

        loaded = load_variables(list(variables), env_file, use_env)
        settings.variables = {**(settings.variables or {}), **loaded}
        typed = {item.partition("=")[0] for item in variables}  # shown: they are on the command line already
        settings.hidden_variables = frozenset(name for name in loaded if name not in typed)
    paths = paths or (".",)
    for given in paths:
        if given != "-" and not os.path.lexists(given):
            raise click.UsageError(f"path does not exist: {given}")
    options = runner.Options(jobs=_jobs(jobs), cache_dir=None if no_cache else _cache_dir(cache_dir, settings))
    diagnostics = []
    suppressed = []
    checked: list[str] = []
    file_paths = files.collect([p for p in paths if p != "-"], settings)
    protected = [*file_paths, *([stdin_filename] if stdin_filename and "-" in paths else [])]
    _refuse_writes_over(output, write_baseline_path, protected)
    if "-" in paths:
        name = stdin_filename or "<stdin>"
        from worker_lint.engine import check_text, file_problem
        from worker_lint.reading import read_stream

        data = read_stream(sys.stdin.buffer, settings.max_file_size)
        if isinstance(data, bytes):
            result = check_text(data, name, settings)
        else:
            result = FileResult([file_problem(name, data.code, data.message)])
        diagnostics.extend(result.diagnostics)
        suppressed.extend(result.suppressed)
        checked.append(name)
    fmt = output_format or _default_format()
    for display, result in runner.run(file_paths, settings, options):
        checked.append(display)
        diagnostics.extend(result.diagnostics)
        suppressed.extend(result.suppressed)
    # the same inputs give the same bytes, whatever the order of the paths on the command line
    diagnostics.sort(key=lambda d: d.sort_key())
    checked.sort()
    _refuse_writes_over(output, write_baseline_path, checked)  # the files Bundles refer to are known only now
    if write_baseline_path:
        _write_baseline(Path(write_baseline_path), diagnostics)
        return
    known: list = []
    if baseline_path:
        diagnostics, known = _apply_baseline(Path(baseline_path), diagnostics)
    if fmt == "json":
        rendered = report.json_report(diagnostics)
    elif fmt == "text":
        colour = color if color is not None else (output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        rendered = report.text(diagnostics, len(checked), colour=bool(colour))
    else:
        from worker_lint import catalogue, formats

        rendered = formats.render(fmt, diagnostics, catalogue.rules(), base=_report_base(), files=checked,
                                  baselined=known, suppressed=suppressed)
    if statistics:
        if fmt == "text":
            rendered += report.statistics(diagnostics)
        else:  # a machine-readable report must stay parseable
            sys.stderr.write(report.statistics(diagnostics))
    _emit(rendered, output)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if not exit_zero and any(d.severity in failing for d in diagnostics):
        sys.exit(1)


def _jobs(value: str) -> int | str:
    if value == "auto":
        return "auto"
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise click.BadParameter(f"`{value}` is not a number of processes; use a positive integer or `auto`",
                             param_hint="--jobs")


def _cache_dir(given: str | None, settings: object) -> Path:
    """The cache folder: as given, else beside the configuration, else at the repository's top, else here."""
    from worker_lint.cache import resolve_dir
    from worker_lint.files import repo_top

    config_path = getattr(settings, "config_path", None)
    root = config_path.parent if config_path is not None else (repo_top(Path.cwd()) or Path.cwd())
    return resolve_dir(root, given)


def _usage_failure(message: str) -> NoReturn:
    """A usage error whose lines already say where (`file:line:col: message`): printed as is, exit 2."""
    click.echo(message, err=True)
    sys.exit(2)


def _default_format() -> str:
    from worker_lint.formats import default_format

    return default_format() or "text"


def _report_base() -> Path:
    """File names in CI reports are relative to the repository root (GitHub and GitLab resolve them so)."""
    from worker_lint.files import repo_top

    cwd = Path.cwd()
    return repo_top(cwd) or cwd


def _refuse_writes_over(output: str | None, baseline_path: str | None, linted: list[str]) -> None:
    """A report or baseline must never replace a manifest: one named, walked, read from stdin or referred to."""
    from worker_lint.atomic import same_file
    from worker_lint.safe_text import escape

    for target in (output, baseline_path):
        if target and same_file(target, linted) is not None:
            raise click.UsageError(f"{escape(target)} is one of the files being linted; write the report elsewhere")


def _write_failure(target: str, exc: OSError) -> None:
    """Writing the report failed (a full disk, a missing folder): one line, exit 2, whatever --exit-zero says."""
    import errno

    from worker_lint.safe_text import escape

    if exc.errno == errno.EPIPE:  # the reader went away (`| head`): the exit status still says what was found
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit has nowhere to fail
        except OSError:
            pass
        return
    try:
        sys.stderr.write(f"worker-lint: cannot write {escape(target)}: {exc.strerror or exc}\n")
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(2)  # standard output may hold what could not be written: flushing it again at exit would fail again


def _write_baseline(path: Path, diagnostics: list) -> None:
    from worker_lint import baseline

    try:
        count = baseline.write(path, diagnostics)
    except OSError as exc:
        _write_failure(str(path), exc)
        return
    click.echo(f"Recorded {len(diagnostics)} diagnostic{'s' if len(diagnostics) != 1 else ''}"
               f" ({count} entr{'ies' if count != 1 else 'y'}) in {path}.", err=True)


def _apply_baseline(path: Path, diagnostics: list) -> tuple[list, list]:
    from worker_lint import baseline

    try:
        result = baseline.load(path).filter(diagnostics)
    except baseline.BaselineError as exc:
        _usage_failure(str(exc))
    if result.fixed:
        click.echo(f"{result.fixed} problem{'s' if result.fixed != 1 else ''} recorded in {path} no longer"
                   " occur; rewrite it with --write-baseline to lock that in.", err=True)
    return result.new, result.known


def _emit(rendered: str, output: str | None) -> None:
    if output is None:
        try:
            sys.stdout.buffer.write(rendered.encode("utf-8"))
            sys.stdout.buffer.flush()
        except OSError as exc:
            _write_failure("the report to standard output", exc)
        return
    from worker_lint.atomic import write_text

    try:
        write_text(Path(output), rendered)
    except OSError as exc:
        _write_failure(output, exc)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    from worker_lint import catalogue

    rules = sorted(catalogue.rules().values(), key=lambda r: r.code)
    if output_format == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary}
                               for r in rules], indent=2))
        return
    for r in rules:
        click.echo(f"{r.code}  {r.name:<34} {r.severity.value:<8} {r.summary}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print a rule's page: what it catches, why, and a bad and a fixed example."""
    from worker_lint import catalogue

    found = catalogue.find(rule)
    if found is None or found.page is None:
        raise click.UsageError(f"no rule `{rule}`; `worker-lint rules` lists them")
    click.echo(f"{found.code} {found.name} (default severity: {found.severity.value})\n")
    click.echo(found.body.strip() + "\n")


@main.command("schema")
def print_schema() -> None:
    """Print one JSON Schema of Worker and Bundle manifests, for editors (yaml-language-server)."""
    from worker_lint import editor_schema

    sys.stdout.write(editor_schema.render())
