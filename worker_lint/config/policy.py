"""Policies: a configuration's `policies:` checked and resolved, and their CEL and JSON Schema compiled and run.

CEL is evaluated with ``cel-expr-python``, the CEL project's own binding of its
C++ implementation: the fastest of the Python bindings measured (a few
microseconds an evaluation, against about a millisecond for the pure-Python
``cel-python``), it imports in milliseconds, depends on nothing, and type-checks
an expression when it compiles, so an unknown function or variable is a
configuration error rather than a failure on every document.  It is an optional
extra (``worker-lint[policies]``, 16 MB, Python 3.11 or later) imported only
when a configuration declares policies.

Compiled expressions and schemas are kept per process, by their text: every
configuration of a run, and every file linted with it, shares them.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from worker_lint.config.globs import anchor
from worker_lint.core.diagnostic import Severity
from worker_lint.core.policy import Policy

#: how to install what CEL policies need
CEL_INSTALL = "pip install 'worker-lint[policies]'"
#: the range of worker-lint's own rule codes, which a policy may never use
BUILT_IN_PREFIX = "WL"

Report = Callable[[Sequence[Any], str, str], None]


class CelError(Exception):
    """An expression that does not compile, or CEL that is not installed: a configuration error."""


# -- resolving a configuration's policies ---------------------------------------------------------------------------


def resolve(entries: Sequence[Mapping[str, Any]], base: Path, source: Path, report: Report) -> tuple[Policy, ...]:
    """The validated `policies:` entries as Policy values; each problem goes to ``report(loc, message, at)``.

    The shape (keys, types, patterns) is the model's and has been checked; what is checked here
    needs more than a schema: the `WL` range, duplicate codes, resource types, `require` xor
    `schema`, and whether each expression and schema compiles.
    """
    uses_cel = [entry.get("when") is not None or entry.get("require") is not None for entry in entries]
    if any(uses_cel):
        missing = cel_missing()
        if missing is not None:
            # an interpreter the evaluator has no build for (Python 3.10): the rest of the run is still worth
            # having, so the CEL policies are left out, loudly, rather than the whole configuration refused
            skipped = [entry["code"] for entry, cel in zip(entries, uses_cel) if cel]
            _say_once(source, f"{', '.join(skipped)} not checked: CEL policies need {missing}")
            entries = [entry for entry, cel in zip(entries, uses_cel) if not cel]
    policies: list[Policy] = []
    first_of: dict[str, int] = {}
    for index, entry in enumerate(entries):
        problems = _problems(entry, first_of.get(entry["code"]))
        first_of.setdefault(entry["code"], index)
        files: list[str] = []
        for i, glob in enumerate(entry.get("files") or ()):
            from worker_lint.config.globs import InvalidGlob

            try:
                files.append(anchor(glob, base))
            except InvalidGlob as exc:
                problems.append((("files", i), str(exc), "value"))
        for where, message, at in problems:
            report(("policies", index, *where), message, at)
        if not problems:
            policies.append(_policy(entry, tuple(files), base, source))
    return tuple(policies)


_SAID: set[tuple[Path, str]] = set()


def _say_once(source: Path, message: str) -> None:
    """A warning about a configuration file on standard error, once per run (or server) and file."""
    if (source, message) in _SAID:
        return
    _SAID.add((source, message))
    from worker_lint.core.safe_text import escape

    try:
        sys.stderr.write(f"worker-lint: warning: {escape(str(source))}: {escape(message)}\n")
    except OSError:  # a closed standard error: the warning has nowhere to go
        pass


def _problems(entry: Mapping[str, Any], duplicate_of: int | None) -> list[tuple[tuple[Any, ...], str, str]]:
    """What is wrong with one entry beyond its shape, as (path within the entry, message, key or value)."""
    from worker_lint.core.suggest import did_you_mean
    from worker_lint.dataos.resource import DATAOS_TYPES

    code = entry["code"]
    out: list[tuple[tuple[Any, ...], str, str]] = []
    if code.startswith(BUILT_IN_PREFIX):
        out.append(
            (
                ("code",),
                f"`{code}` is in the range of worker-lint's own rules; use another prefix such as `ORG`",
                "value",
            )
        )
    elif duplicate_of is not None:
        out.append((("code",), f"duplicate policy code `{code}`: policy {duplicate_of + 1} already uses it", "value"))
    for i, kind in enumerate(entry.get("types") or ()):
        if kind not in DATAOS_TYPES:
            message = f"`{kind}` is not a DataOS resource type" + did_you_mean(kind, sorted(DATAOS_TYPES))
            out.append((("types", i), message, "value"))
    require, schema = entry.get("require"), entry.get("schema")
    if (require is None) == (schema is None):
        said = "both" if require is not None else "neither"
        out.append(((), f"policy `{code}` gives {said} of `require` and `schema`: give exactly one", "key"))
    for key in ("when", "require"):
        if entry.get(key) is not None:
            problem = expression_problem(entry[key])
            if problem is not None:
                out.append(((key,), f"`{key}` of policy `{code}` {problem}", "value"))
    if schema is not None:
        problem = schema_problem(schema)
        if problem is not None:
            out.append((("schema",), f"`schema` of policy `{code}` {problem}", "key"))
    return out


def _policy(entry: Mapping[str, Any], files: tuple[str, ...], base: Path, source: Path) -> Policy:
    types, schema, at = entry.get("types"), entry.get("schema"), entry.get("at")
    return Policy(
        code=entry["code"],
        message=entry["message"],
        name=entry.get("name") or entry["code"],
        severity=Severity(entry.get("severity") or "error"),
        types=None if types is None else tuple(types),
        files=files,
        files_written=tuple(entry.get("files") or ()),
        when=entry.get("when"),
        require=entry.get("require"),
        schema=None if schema is None else json.dumps(schema, sort_keys=True, ensure_ascii=False),
        at=None if at is None else dotted(at),
        base=base,
        source=source,
    )


def dotted(path: str) -> tuple[str | int, ...]:
    """`worker.compute` as a JSON path; a part of digits is a list index (`tags.0`)."""
    return tuple(int(part) if part.isdigit() else part for part in path.split("."))


# -- CEL ----------------------------------------------------------------------------------------------------------


def cel_missing() -> str | None:
    """What is missing to evaluate CEL, as a message's end; None when the evaluator is installed."""
    try:
        _environment()
    except CelError as exc:
        return str(exc)
    return None


@functools.cache
def _environment() -> Any:
    try:
        from cel_expr_python import cel
        from cel_expr_python.ext import ext_math, ext_strings
    except ImportError:
        raise CelError(
            "the CEL evaluator (cel-expr-python, on Python 3.11 or later), which is not installed;"
            f" install it with `{CEL_INSTALL}`"
        ) from None
    # The string and math extensions, as Kubernetes' admission policies offer them (`lowerAscii`, `split`).
    return cel.NewEnv(
        variables={"resource": cel.Type.DYN, "file": cel.Type.STRING},
        extensions=[ext_strings.ExtStrings(), ext_math.ExtMath()],
    )


@functools.lru_cache(maxsize=1024)
def compiled(expression: str) -> Any:
    """The compiled expression; raises CelError saying why it does not compile."""
    environment = _environment()
    try:
        program = environment.compile(expression)
    except Exception as exc:  # the binding raises RuntimeError with the checker's report
        raise CelError(f"does not compile: {_cel_message(str(exc))}") from None
    kind = str(program.return_type())
    if kind not in ("BOOL", "DYN"):
        raise CelError(f"is not a condition: it gives {kind.lower()}, not true or false")
    return program


def expression_problem(expression: str) -> str | None:
    try:
        compiled(expression)
    except CelError as exc:
        return str(exc)
    return None


def _cel_message(text: str) -> str:
    """The checker's report, one line: `INVALID_ARGUMENT: ERROR: <input>:1:4: undeclared reference to 'foo'`."""
    first = text.strip().split("\n", 1)[0]
    for prefix in ("INVALID_ARGUMENT: ", "ERROR: "):
        first = first.removeprefix(prefix)
    if first.startswith("<input>:"):
        where, _, rest = first[len("<input>:") :].partition(": ")
        line, _, column = where.partition(":")
        return f"{rest.strip()} (column {column})" if line == "1" and column.isdigit() else rest.strip()
    return first


class Outcome(NamedTuple):
    """What an expression gave on one document: true or false, or why it could not be evaluated."""

    value: bool
    error: str | None = None


def activation(resource: Any, file: str) -> Any:
    """The variables an expression sees, converted to CEL once for every expression run on one document.

    ``resource`` is the document as plain data (see :func:`cel_data`); converting it is most of
    the cost of an evaluation, so the policies of a document share one activation.
    """
    return _environment().Activation({"resource": resource, "file": file})


def evaluate(expression: str, variables: Any) -> Outcome:
    """``expression`` with the :func:`activation` ``variables``: true or false, or why it could not be evaluated."""
    try:
        result = compiled(expression).eval(variables)
        kind = str(result.type())
        value = result.value()
    except Exception as exc:  # a value the binding cannot carry: the requirement is not met, and this is why
        return Outcome(False, str(exc) or type(exc).__name__)
    if kind == "BOOL":
        return Outcome(bool(value))
    if kind == "ERROR":
        return Outcome(False, _runtime_message(str(value)))
    return Outcome(False, f"it gave {kind.lower()}, not true or false")


def _runtime_message(text: str) -> str:
    """`NOT_FOUND: Key not found in map : "spec"` as a sentence: `no field `spec``."""
    head, _, rest = text.partition(": ")
    if head == "NOT_FOUND" and "Key not found in map" in rest:
        key = rest.rsplit(":", 1)[-1].strip().strip('"')
        return f"there is no `{key}` (test it with `has()` first)"
    return rest or text


#: CEL's integers are 64-bit; a larger one is a number, as Go's YAML decoder reads it
_INT_RANGE = (-(2**63), 2**63 - 1)


def cel_data(data: Any) -> Any:
    """``data`` as CEL can carry it: integers beyond 64 bits as floats, shared (aliased) values converted once."""
    memo: dict[int, Any] = {}

    def convert(value: Any) -> Any:
        if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
            return value
        if isinstance(value, int):
            return value if _INT_RANGE[0] <= value <= _INT_RANGE[1] else float(value)
        known = memo.get(id(value))
        if known is not None:
            return known
        if isinstance(value, dict):
            out: Any = {str(k): convert(v) for k, v in value.items()}
        elif isinstance(value, list):
            out = [convert(v) for v in value]
        else:
            out = str(value)
        memo[id(value)] = out
        return out

    return convert(data)


def relative_file(path: str, base: Path) -> str:
    """The file as `file` gives it to an expression: relative to the declaring configuration's folder."""
    if path.startswith("<") and path.endswith(">"):
        return path
    absolute = os.path.abspath(path)
    folder = os.path.join(base, "")
    if absolute.startswith(folder):  # the common case, without relpath's second look at the working folder
        return Path(absolute[len(folder) :]).as_posix()
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


# -- JSON Schema --------------------------------------------------------------------------------------------------


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a JSON Schema a policy can use (valid for the draft it names, 2020-12 by default).

    Checked with the compiled validator that evaluates it (jsonschema-rs): the explaining
    ``jsonschema`` costs a fifth of a second to import, which a run should not pay to read its
    configuration.
    """
    import jsonschema_rs

    if not isinstance(schema, dict):
        return "must be a JSON Schema object"
    if _refers_outside(schema):
        return "refers to a schema outside itself; worker-lint never fetches schemas, so inline it under `$defs`"
    try:
        jsonschema_rs.meta.validate(schema)
        validator(json.dumps(schema, sort_keys=True, ensure_ascii=False))
    except jsonschema_rs.ValidationError as exc:
        where = "/".join(str(p) for p in exc.instance_path)
        return f"is not a valid JSON Schema{f' at `{where}`' if where else ''}: {exc.message}"
    except Exception as exc:  # a schema the meta-schema allows but the validator cannot build (a bad pattern)
        return f"is not a usable JSON Schema: {exc}"
    return None


@functools.lru_cache(maxsize=256)
def validator(text: str) -> Any:
    """The compiled validator of a policy's schema (canonical JSON text), built once per process."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(text), retriever=_refuse)


def _refuse(uri: str) -> Any:
    raise ValueError(f"worker-lint never fetches schemas ({uri})")


def _refers_outside(schema: Any) -> bool:
    stack = [schema]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("$ref", "$dynamicRef") and isinstance(item, str) and not item.startswith("#"):
                    return True
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return False
