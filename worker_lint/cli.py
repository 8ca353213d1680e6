"""The command line: `worker-lint check | graph | rules | explain | schema | server`."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, NoReturn

import click

from worker_lint import __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from worker_lint.config import Resolver
    from worker_lint.config.keys import Key
    from worker_lint.core.diagnostic import Diagnostic, Finding
    from worker_lint.core.policy import Policy
    from worker_lint.core.settings import Settings
    from worker_lint.run.fixing import Fixer

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "rdjson")


def configuration_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options of the configuration keys that `check` offers one for (config.keys), in the table's order."""
    from worker_lint.config import keys

    for option in reversed(key_options(keys.KEYS)):
        command = option(command)
    return command


def key_options(declared: Sequence[Key]) -> list[Callable[[Callable[..., Any]], Callable[..., Any]]]:
    """A click option for each key `check` offers one for: its value is passed under the key's Python name."""
    from worker_lint.config.keys import Kind

    shapes: dict[Kind, dict[str, Any]] = {
        Kind.SELECTORS: {"multiple": True},
        Kind.SELECTORS_BY_GLOB: {"multiple": True},
        Kind.SEVERITIES: {"multiple": True},
        Kind.GLOBS: {"multiple": True},
        Kind.FOLDER: {"type": click.Path(file_okay=False)},
        Kind.FOLDERS: {"multiple": True, "type": click.Path(file_okay=False)},
        Kind.COUNT: {"type": click.IntRange(min=1)},
    }
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = []
    for key in declared:
        if key.has_option and key.flag is not None:
            flag = key.flag
            options.append(click.option(flag.name, key.attr, metavar=flag.metavar, help=flag.help, **shapes[key.kind]))
    return options


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="worker-lint")
def main() -> None:
    """A position-exact linter for DataOS Worker and Bundle manifests."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "--output-format",  # ruff's name for it
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Report format (default: text; github inside GitHub Actions).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--stdin-filename", help="The path to report for input read from `-`.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Read this configuration instead of the closest .worker-lint.yaml or pyproject.toml.",
)
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@configuration_options
@click.option(
    "--changed-since",
    metavar="REF",
    help="Lint only the files changed since this git revision (committed, staged, unstaged, untracked)"
    " and the Bundles that name them.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    help="Report only diagnostics that are not recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=click.Path(dir_okay=False),
    help="Record the current diagnostics in this baseline file and exit 0.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--statistics", is_flag=True, help="Print the number of diagnostics per rule.")
@click.option("--quiet", "-q", is_flag=True, help="Print diagnostics, but no summary or notes.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text report (default: on a terminal, unless NO_COLOR)."
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="Substitute this apply-time variable, as dataos-ctl does, and check the result (repeatable).",
)
@click.option("--env-file", type=click.Path(dir_okay=False), help="Substitute the variables of this dotenv file.")
@click.option("--use-env", is_flag=True, help="Substitute variables from the environment.")
@click.option(
    "--jobs", "-j", default="auto", metavar="N|auto", help="Processes to lint with (default: auto, one for small runs)."
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Where to keep the result cache (default: .worker-lint-cache in the project root).",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes, in place (with `-`: print the fixed text).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, --diff or --fix-only: apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 if any.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing that remains.")
@click.option("--show-fixes", is_flag=True, help="List what was fixed, per file and rule.")
@click.option(
    "--exit-non-zero-on-fix", is_flag=True, help="With --fix: exit 1 when something was fixed, even if nothing is left."
)
def check(**given: Any) -> None:
    """Lint manifests: files, or directories searched for *.yaml and *.yml (default: .); `-` reads stdin."""
    args = CheckArgs.of(given)
    if args.baseline_path and args.write_baseline_path:
        raise click.UsageError("--baseline and --write-baseline cannot be combined")
    settings = _settings(args)
    files, buffers = _inputs(args, settings)
    if not files and not buffers and not args.quiet:
        if args.changed_since is not None:
            click.echo(f"warning: no manifest changed since {args.changed_since} under the paths given", err=True)
        else:
            click.echo("warning: no manifests found (no *.yaml or *.yml file under the paths given)", err=True)
    fixer = _fixer(args, settings, files, buffers)
    checked, diagnostics, suppressed = _lint(args, settings, files, buffers, fixer)
    _refuse_writes_over(args, checked)  # the files Bundles refer to are known only now
    if args.write_baseline_path:
        _write_baseline(Path(args.write_baseline_path), diagnostics)
        return
    known: list[Diagnostic] = []
    if args.baseline_path:
        diagnostics, known = _apply_baseline(Path(args.baseline_path), diagnostics, args.quiet)
    rendered = _render(args, checked, diagnostics, suppressed, known, settings.policies())
    status = None
    if fixer is not None:
        rendered, status = fixer.finish(diagnostics, rendered, args.output_format or _default_format())
        if args.exit_non_zero_on_fix and fixer.fixed_count:
            status = 1  # ruff's meaning: a hook that fixed something fails, so the fix is looked at before committing
    _emit(rendered, args.output, to_stderr=fixer is not None and fixer.report_to_stderr)
    sys.exit(_exit_status(args, diagnostics) if status is None else status)


class CheckArgs(NamedTuple):  # not a dataclass: created on every start-up, a named tuple costs a third as much
    """The options of `worker-lint check`, as click parsed them."""

    paths: tuple[str, ...]
    output_format: str | None
    output: str | None
    stdin_filename: str | None
    config_path: str | None
    isolated: bool
    changed_since: str | None
    baseline_path: str | None
    write_baseline_path: str | None
    exit_zero: bool
    strict: bool
    statistics: bool
    quiet: bool
    color: bool | None
    variables: tuple[str, ...]
    env_file: str | None
    use_env: bool
    jobs: str
    no_cache: bool
    cache_dir: str | None
    fix: bool
    unsafe_fixes: bool
    diff: bool
    fix_only: bool
    show_fixes: bool
    exit_non_zero_on_fix: bool
    #: the configuration keys given as options (`configuration_options`), by their Python names (`extend_select`)
    overrides: dict[str, Any]

    @classmethod
    def of(cls, given: dict[str, Any]) -> CheckArgs:
        """The arguments click parsed, those of `configuration_options` gathered as the overrides."""
        from worker_lint.config import keys

        generated = {key.attr for key in keys.KEYS if key.has_option}
        own = {name: value for name, value in given.items() if name not in generated}
        return cls(**own, overrides={name: value for name, value in given.items() if name in generated})


def _settings(args: CheckArgs) -> Resolver:
    """Each file's settings: its folder's configuration file (or --config), then flags, then apply-time variables."""
    from worker_lint import config

    overrides = dict(args.overrides)
    if args.variables or args.env_file or args.use_env:
        from worker_lint.dataos.variables import load_variables

        loaded = load_variables(list(args.variables), args.env_file, args.use_env)
        overrides["variables"] = loaded
        typed = {item.partition("=")[0] for item in args.variables}  # shown: they are on the command line already
        overrides["hidden_variables"] = frozenset(name for name in loaded if name not in typed)
    with _usage_errors(args):
        resolver = config.Resolver(
            Path.cwd(), Path(args.config_path) if args.config_path else None, args.isolated, overrides
        )
        _ = resolver.here  # the working folder's configuration holds the cache folder: read it first
    return resolver


@contextlib.contextmanager
def _usage_errors(args: CheckArgs) -> Iterator[None]:
    """A configuration found on the way (a folder walked into, a file named, standard input's name) that is
    broken, or a glob no path can match, is a usage error: exit 2 with where it is."""
    from worker_lint import config
    from worker_lint.config.globs import InvalidGlob

    try:
        yield
    except config.ConfigError as exc:
        _usage_failure(str(exc))
    except InvalidGlob as exc:
        raise click.UsageError(
            f"{_glob_source(exc.pattern, args.overrides['exclude'], args.overrides['per_file_ignores'])}{exc}"
        ) from None


def _inputs(args: CheckArgs, settings: Resolver) -> tuple[list[str], dict[str, bytes | Finding]]:
    """The files to lint, and standard input by the name it is reported under."""
    from worker_lint.run.files import collect

    paths = args.paths or (".",)
    for given in paths:
        if given != "-" and not os.path.lexists(given):
            raise click.UsageError(f"path does not exist: {given}")
    with _usage_errors(args):
        files = collect([p for p in paths if p != "-"], settings)
        if args.changed_since is not None:
            files = _changed(args.changed_since, paths, files, settings)
    name = args.stdin_filename or "<stdin>"
    _refuse_writes_over(args, [*files, *([name] if "-" in paths else [])])
    if "-" not in paths:
        return files, {}
    from worker_lint.document.reading import read_stream

    # the bytes, or why they cannot be linted (too big): reported as a file's problem is
    with _usage_errors(args):
        limit = settings.for_file(name).max_file_size
    return files, {name: read_stream(sys.stdin.buffer, limit)}


def _changed(ref: str, paths: Sequence[str], files: list[str], settings: Resolver) -> list[str]:
    """``files`` narrowed to those changed since ``ref`` and the Bundles naming them (`--changed-since`)."""
    from worker_lint.run import changed

    if "-" in paths:
        raise click.UsageError("--changed-since cannot be combined with `-`: standard input has no history")
    try:
        since = changed.changed_since(ref, Path.cwd())
    except changed.ChangedSinceError as exc:
        raise click.UsageError(str(exc)) from None
    return changed.select(files, since, settings.for_file)


def _fixer(args: CheckArgs, settings: Resolver, files: list[str], buffers: dict[str, bytes | Finding]) -> Fixer | None:
    """What fixes the run's results, when a fixing option asks for it (a plain `check` imports none of it)."""
    if not (args.fix or args.unsafe_fixes or args.diff or args.fix_only or args.show_fixes):
        return None
    from worker_lint.run.fixing import Fixer

    return Fixer(
        settings,
        fix=args.fix,
        unsafe=args.unsafe_fixes,
        diff=args.diff,
        fix_only=args.fix_only,
        show=args.show_fixes,
        quiet=args.quiet,
        files=files,
        buffers=buffers,
    )


def _lint(
    args: CheckArgs, settings: Resolver, files: list[str], buffers: dict[str, bytes | Finding], fixer: Fixer | None
) -> tuple[list[str], list[Diagnostic], list[Diagnostic]]:
    """Every result of the run, in an order that does not depend on the order of the paths given."""
    from worker_lint import api

    cache_dir = None if args.no_cache else _cache_dir(args.cache_dir, settings.here)
    checked: list[str] = []
    diagnostics: list[Diagnostic] = []
    suppressed: list[Diagnostic] = []
    with _usage_errors(args):
        results = api.lint(
            files, buffers=buffers, settings=settings, jobs=_jobs(args.jobs), cache_dir=cache_dir, collected=True
        )
        if args.changed_since is not None:
            # the files the chosen Bundles name are linted with them, as in every run, but neither fixed nor reported
            chosen = {os.path.realpath(f) for f in files}
            results = ((display, result) for display, result in results if os.path.realpath(display) in chosen)
        for display, result in fixer.fixed(results) if fixer is not None else results:
            checked.append(display)
            diagnostics.extend(result.diagnostics)
            suppressed.extend(result.suppressed)
    diagnostics.sort(key=lambda d: d.sort_key())
    checked.sort()
    return checked, diagnostics, suppressed


def _render(
    args: CheckArgs,
    checked: list[str],
    diagnostics: list[Diagnostic],
    suppressed: list[Diagnostic],
    known: list[Diagnostic],
    policies: Sequence[Policy] = (),
) -> str:
    from worker_lint.report import text as report

    fmt = args.output_format or _default_format()
    if fmt == "json":
        rendered = report.json_report(diagnostics)
    elif fmt == "text":
        colour = (
            args.color
            if args.color is not None
            else (args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        )
        rendered = report.text(
            diagnostics, len(checked), colour=bool(colour), unsafe=args.unsafe_fixes, summary=not args.quiet
        )
    else:
        from worker_lint import catalogue
        from worker_lint import report as formats

        rendered = formats.render(
            fmt,
            diagnostics,
            catalogue.rules(policies),
            base=_report_base(),
            files=checked,
            baselined=known,
            suppressed=suppressed,
        )
    if args.statistics:
        if fmt == "text":
            rendered += report.statistics(diagnostics)
        else:  # a machine-readable report must stay parseable
            sys.stderr.write(report.statistics(diagnostics))
    return rendered


def _exit_status(args: CheckArgs, diagnostics: list[Diagnostic]) -> int:
    """1 when a diagnostic fails the run (errors; warnings too with --strict), else 0."""
    from worker_lint.core.diagnostic import Severity

    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    return int(not args.exit_zero and any(d.severity in failing for d in diagnostics))


def _glob_source(pattern: str, exclude: tuple[str, ...], per_file_ignores: tuple[str, ...]) -> str:
    """Where a glob came from, for its error: an option, or else the configuration."""
    if any(pattern in value for value in exclude):
        return "--exclude: "
    if any(pattern in value for value in per_file_ignores):
        return "--per-file-ignores: "
    return "configuration: "


def _jobs(value: str) -> int | Literal["auto"]:
    if value == "auto":
        return "auto"
    # ASCII digits, few enough for int(): `²` passes isdigit(), and 5,000 digits make int() raise
    if 0 < len(value) <= 9 and all("0" <= c <= "9" for c in value) and int(value) >= 1:
        return int(value)
    raise click.BadParameter(
        f"`{value}` is not a number of processes; use a positive integer or `auto`", param_hint="--jobs"
    )


def _cache_dir(given: str | None, settings: Settings) -> Path:
    """The cache folder: as given, else in the project root (`Settings.project_root`), else here."""
    from worker_lint.run.cache import resolve_dir

    return resolve_dir(settings.project_root(Path.cwd()) or Path.cwd(), given)


def _usage_failure(message: str) -> NoReturn:
    """A usage error whose lines already say where (`file:line:col: message`): printed as is, exit 2."""
    click.echo(message, err=True)
    sys.exit(2)


def _default_format() -> str:
    from worker_lint.report import default_format

    return default_format() or "text"


def _report_base() -> Path:
    """File names in CI reports are relative to the repository root (GitHub and GitLab resolve them so)."""
    from worker_lint.core.paths import repo_top

    cwd = Path.cwd()
    return repo_top(cwd) or cwd


def _refuse_writes_over(args: CheckArgs, linted: list[str]) -> None:
    """A report or baseline must never replace a manifest: one named, walked, read from stdin or referred to."""
    for target in (args.output, args.write_baseline_path):
        if target:
            _refuse_writes_over_files(target, linted)


def _refuse_writes_over_files(target: str, read: list[str], what: str = "linted") -> None:
    from worker_lint.core.atomic import same_file
    from worker_lint.core.safe_text import escape

    if same_file(target, read) is not None:
        raise click.UsageError(f"{escape(target)} is one of the files being {what}; write the report elsewhere")


def _write_failure(target: str, exc: OSError) -> None:
    """Writing the report failed (a full disk, a missing folder): one line, exit 2, whatever --exit-zero says."""
    import errno

    from worker_lint.core.safe_text import escape

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
    from worker_lint.run.parallel import end_workers

    end_workers()  # ending at once skips every cleanup: no worker may outlive the run
    os._exit(2)  # standard output may hold what could not be written: flushing it again at exit would fail again


def _write_baseline(path: Path, diagnostics: list[Diagnostic]) -> None:
    from worker_lint.run import baseline

    try:
        count = baseline.write(path, diagnostics)
    except OSError as exc:
        _write_failure(str(path), exc)
        return
    click.echo(
        f"Recorded {len(diagnostics)} diagnostic{'s' if len(diagnostics) != 1 else ''}"
        f" ({count} entr{'ies' if count != 1 else 'y'}) in {path}.",
        err=True,
    )


def _apply_baseline(
    path: Path, diagnostics: list[Diagnostic], quiet: bool
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    from worker_lint.run import baseline

    try:
        result = baseline.load(path).filter(diagnostics)
    except baseline.BaselineError as exc:
        _usage_failure(str(exc))
    if quiet:
        return result.new, result.known
    if result.known:  # so a clean-looking report never hides that problems remain
        click.echo(
            f"{len(result.known)} diagnostic{'s' if len(result.known) != 1 else ''} recorded in {path}"
            f" {'were' if len(result.known) != 1 else 'was'} not reported.",
            err=True,
        )
    if result.fixed:
        click.echo(
            f"{result.fixed} problem{'s' if result.fixed != 1 else ''} recorded in {path} no longer"
            " occur; rewrite it with --write-baseline to lock that in.",
            err=True,
        )
    return result.new, result.known


def _emit(rendered: str, output: str | None, to_stderr: bool = False) -> None:
    if output is None:
        stream = sys.stderr if to_stderr else sys.stdout
        try:
            stream.buffer.write(rendered.encode("utf-8"))
            stream.buffer.flush()
        except OSError as exc:
            _write_failure("the report to standard " + ("error" if to_stderr else "output"), exc)
        return
    from worker_lint.core.atomic import write_text

    try:
        write_text(Path(output), rendered)
    except OSError as exc:
        _write_failure(output, exc)


@main.command("graph")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format", "output_format", type=click.Choice(("mermaid", "dot")), default="mermaid", help="Picture format."
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the picture to this file.")
def graph(paths: tuple[str, ...], output_format: str, output: str | None) -> None:
    """Draw the dependency graphs of the Bundles in files or directories (default: .), and the Data Products
    they build, as Mermaid or DOT."""
    from worker_lint import config
    from worker_lint.config.globs import InvalidGlob
    from worker_lint.report import graph as pictures
    from worker_lint.run.bundles import graph_of, product_of, read_bundles, read_resources
    from worker_lint.run.files import collect

    for given in paths:
        if not os.path.lexists(given):
            raise click.UsageError(f"path does not exist: {given}")
    try:
        resolver = config.Resolver(Path.cwd())
        files = collect(list(paths or (".",)), resolver)
        roots: dict[Path, Path] = {}
        graphs = [
            graph_of(display, res, resolver.for_file(display), roots)
            for display in files
            for res in read_bundles(display, resolver.for_file(display))
        ]
        products = [
            product_of(display, res, graphs)
            for display in files
            for res in read_resources(display, resolver.for_file(display), "data")
        ]
    except config.ConfigError as exc:
        _usage_failure(str(exc))
    except InvalidGlob as exc:
        raise click.UsageError(f"configuration: {exc}") from None
    if not graphs:
        click.echo("warning: no Bundle found under the paths given", err=True)
    if output is not None:
        _refuse_writes_over_files(output, files, "drawn")
    _emit(pictures.render(output_format, graphs, products), output)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary; then this folder's configuration's policies."""
    from worker_lint import catalogue

    policies = _folder_policies()
    built_in = sorted(catalogue.rules().values(), key=lambda r: r.code)
    rules = built_in + [catalogue.policy_rule(p) for p in policies]
    if output_format == "json":
        import json

        click.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity.value,
                        "summary": r.summary,
                        **({"policy": True} if r.policy is not None else {}),
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return
    for r in rules:
        mark = "  (this project's policy)" if r.policy is not None else ""
        click.echo(f"{r.code}  {r.name:<34} {r.severity.value:<8} {r.summary}{mark}")


def _folder_policies() -> tuple[Policy, ...]:
    """The policies the configuration of the working folder declares (none without one); a broken one exits 2."""
    from worker_lint import config

    try:
        return config.Resolver(Path.cwd()).here.policies
    except config.ConfigError as exc:
        _usage_failure(str(exc))


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print a rule's page: what it catches, why, and a bad and a fixed example; or a policy's declaration."""
    from worker_lint import catalogue

    found = catalogue.find(rule)
    if found is None:
        found = catalogue.find(rule, _folder_policies())
    if found is None or (found.page is None and found.policy is None):
        raise click.UsageError(f"no rule `{rule}`; `worker-lint rules` lists them")
    click.echo(_readable_page(found.body.strip(), found.severity.value) + "\n")


def _readable_page(body: str, severity: str) -> str:
    """A rule page as a reader wants it: its title once, then its default severity, and code fences
    without the markers the test suite reads (```` ```yaml fix=before applicability=safe ```` is ```` ```yaml ````)."""
    import re

    body = re.sub(r"^(```\w*)[ \t].*$", r"\1", body, flags=re.MULTILINE)
    title, _, rest = body.partition("\n")
    return f"{title}\n\nDefault severity: {severity}.\n{rest}"


@main.command("schema")
def print_schema() -> None:
    """Print one JSON Schema of Worker and Bundle manifests, for editors (yaml-language-server)."""
    from worker_lint.dataos import editor_schema

    sys.stdout.write(editor_schema.render())


#: how to get what `worker-lint server` needs; the command line itself never imports it
LSP_INSTALL = "pip install 'worker-lint[lsp]'"


@main.command("server")
@click.option("--stdio", is_flag=True, help="Speak over standard input and output (the default and only transport).")
def server(stdio: bool) -> None:
    """Run the language server over standard input and output (needs the `lsp` extra)."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        click.echo(
            "worker-lint server needs the language server's libraries (pygls, lsprotocol); install"
            f" them with:\n\n    {LSP_INSTALL}\n",
            err=True,
        )
        sys.exit(2)
    from worker_lint.lsp.server import serve

    serve()
