"""The command line: `worker-lint check | rules | explain`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from worker_lint import __version__

FORMATS = ("text", "json")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="worker-lint")
def main() -> None:
    """A position-exact linter for DataOS Worker and Bundle manifests."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
              help="Report format (default: text).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--stdin-filename", help="The path to report for input read from `-`.")
@click.option("--select", multiple=True, help="Only these codes or prefixes (repeatable, or comma-separated).")
@click.option("--ignore", multiple=True, help="Never these codes or prefixes.")
@click.option("--extend-select", multiple=True, help="Codes or prefixes added to the selection.")
@click.option("--root", type=click.Path(file_okay=False), help="Project root for Bundle `file:` references.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--statistics", is_flag=True, help="Print the number of diagnostics per rule.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal, unless NO_COLOR).")
def check(paths: tuple[str, ...], output_format: str | None, output: str | None, stdin_filename: str | None,
          select: tuple[str, ...], ignore: tuple[str, ...], extend_select: tuple[str, ...], root: str | None,
          exit_zero: bool, strict: bool, statistics: bool, color: bool | None) -> None:
    """Lint manifests: files, or directories searched for *.yaml and *.yml (default: .); `-` reads stdin."""
    from worker_lint import engine, report
    from worker_lint.diagnostic import Severity
    from worker_lint.settings import Settings

    settings = Settings(select=_codes(select), ignore=_codes(ignore), extend_select=_codes(extend_select),
                        root=Path(root) if root else None)
    paths = paths or (".",)
    for given in paths:
        if given != "-" and not os.path.lexists(given):
            raise click.UsageError(f"path does not exist: {given}")
    diagnostics = []
    sources: dict[str, str] = {}
    files_checked = 0
    file_paths = [p for p in paths if p != "-"]
    if "-" in paths:
        name = stdin_filename or "<stdin>"
        data = sys.stdin.buffer.read()
        diagnostics.extend(engine.lint_text(data, name, settings))
        sources[name] = data.decode("utf-8", errors="replace")
        files_checked += 1
    for display, found in engine.lint_paths(file_paths, settings):
        files_checked += 1
        diagnostics.extend(found)
        if found and (output_format or "text") == "text":
            sources[display] = _read_text(display)
    # the same inputs give the same bytes, whatever the order of the paths on the command line
    diagnostics.sort(key=lambda d: d.sort_key())
    fmt = output_format or "text"
    if fmt == "json":
        rendered = report.json_report(diagnostics)
    else:
        colour = color if color is not None else (output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        rendered = report.text(diagnostics, sources, files_checked, colour=bool(colour))
    if statistics:
        rendered += report.statistics(diagnostics)
    _emit(rendered, output)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if not exit_zero and any(d.severity in failing for d in diagnostics):
        sys.exit(1)


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())


def _read_text(path: str) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _emit(rendered: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(rendered)
        return
    from worker_lint.atomic import write_text

    write_text(Path(output), rendered)


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
