"""The configuration's policies, run as one check over each document.

A policy is not registered with ``@check``: its code is the project's, not a
page under ``rules/``.  The engine asks :func:`policy_check` for a check over
the policies a file's configuration selects, and runs it as it runs any other.

A policy judges a whole document (``resource`` is the document, as Kubernetes'
admission policies see an object): a resource inlined in a Bundle is part of
the Bundle's document, not a document of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from worker_lint.checks import CheckSpec
from worker_lint.core.diagnostic import Finding, JsonPath

if TYPE_CHECKING:
    from pathlib import Path

    from worker_lint.checks.context import Context
    from worker_lint.core.policy import Policy
    from worker_lint.dataos.resource import Resource

#: where a diagnostic about the whole document points: its `type:` line
_TYPE: JsonPath = ("type",)


def policy_check(policies: Sequence[Policy]) -> CheckSpec:
    """One check that runs ``policies`` over each document, reporting under their own codes."""
    chosen = tuple(policies)

    def run(res: Resource, ctx: Context) -> Iterator[Finding]:
        if res.prefix:  # an inlined resource: the policies judged its document
            return
        document = _Document(res, ctx.path)
        for policy in chosen:
            if document.applies(policy):
                yield from _judge(policy, document)

    return CheckSpec(tuple(p.code for p in chosen), run, None)


class _Document:
    """One document as the policies read it, each view made once: its CEL data, its path per configuration."""

    def __init__(self, res: Resource, path: str) -> None:
        self.res = res
        self.path = path
        self._cel: Any = None
        #: the CEL variables by the folder `file` is relative to (one per declaring configuration)
        self._variables: dict[Path, Any] = {}

    def variables(self, policy: Policy) -> Any:
        """What ``policy``'s expressions see: `resource`, and `file` relative to its configuration's folder."""
        found = self._variables.get(policy.base)
        if found is None:
            from worker_lint.config.policy import activation, cel_data, relative_file

            if self._cel is None:
                self._cel = cel_data(self.res.data)
            found = activation(self._cel, relative_file(self.path, policy.base))
            self._variables[policy.base] = found
        return found

    def applies(self, policy: Policy) -> bool:
        if policy.types is not None and self.res.kind not in policy.types:
            return False
        if policy.files:
            if self.path.startswith("<"):  # standard input without a name is in no folder
                return False
            from worker_lint.config.globs import matches

            if not any(matches(self.path, glob) for glob in policy.files):
                return False
        if policy.when is None:
            return True
        from worker_lint.config.policy import evaluate

        # A condition that cannot be evaluated (a field the document lacks) does not hold: the policy
        # is for the documents it describes, as a Spectral rule's `given` that matches nothing.
        return evaluate(policy.when, self.variables(policy)).value


def _judge(policy: Policy, document: _Document) -> Iterator[Finding]:
    if policy.require is not None:
        from worker_lint.config.policy import evaluate

        outcome = evaluate(policy.require, document.variables(policy))
        if outcome.value:
            return
        message = policy.message
        if outcome.error is not None:
            message += f" (the requirement could not be evaluated: {outcome.error})"
        path, at = _place(document.res, policy.at)
        yield Finding(policy.code, path, message, at=at)
        return
    if policy.schema is not None:
        for failure_path, reason in _schema_failures(policy.schema, document.res.data):
            path, at = _place(document.res, failure_path, at_value=True)
            yield Finding(policy.code, path, f"{policy.message}: {reason}", at=at)


def _place(res: Resource, path: JsonPath | None, at_value: bool = False) -> tuple[JsonPath, Any]:
    """Where a policy's finding points: at ``path`` when the document has it (a scalar's value, else the key),
    else at its closest existing parent's key, else at the `type:` line."""
    if not path:
        return _TYPE, "key"
    for depth in range(len(path), 0, -1):
        node_path = path[:depth]
        if res.node_at(*node_path) is not None:
            value = res.get(*node_path)
            scalar = not isinstance(value, (dict, list))
            return node_path, "value" if at_value and scalar and depth == len(path) else "key"
    return _TYPE, "key"


def _schema_failures(schema_text: str, data: Any) -> list[tuple[JsonPath, str]]:
    """Where ``data`` fails the schema, and why, in document order; empty when it passes."""
    from worker_lint.config.policy import validator

    compiled = validator(schema_text)
    if compiled.is_valid(data):
        return []
    return [(tuple(error.instance_path), str(error.message)) for error in compiled.iter_errors(data)]
