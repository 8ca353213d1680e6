"""The registry of semantic checks: one small module per rule in this package.

A check is a generator bound to its rule code by ``@check``::

    @check("WL210", kinds={"worker"})
    def min_replicas_above_max(res: Resource, ctx: Context) -> Iterator[Finding]:
        ...
        yield Finding("WL210", ("autoscaling", "minReplicas"), "...")

``res`` is one DataOS resource (a whole document, or a resource inlined in a
Bundle); the paths a check yields are relative to it, and the engine turns
them into positions.  A check reads plain data through ``res.get(...)`` and
must tolerate any shape: the schema pass reports wrong shapes, a check simply
returns when the data is not what it expects.  Rule metadata (name, severity,
docs) lives in the rule's page under ``rules/``, never here.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.core.diagnostic import Finding
    from worker_lint.dataos.resource import Resource

CheckFunc = Callable[["Resource", "Context"], Iterable["Finding"]]


class CheckSpec(NamedTuple):
    codes: tuple[str, ...]
    func: CheckFunc
    #: resource types the check runs on; None means every DataOS resource
    kinds: frozenset[str] | None


_REGISTRY: list[CheckSpec] = []
_loaded = False


class CheckDeclarationError(Exception):
    """A check declared with a code that has no rule page, or a resource type DataOS does not have."""


def check(*codes: str, kinds: Iterable[str] | None) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check that may yield findings with any of ``codes``, on resources of ``kinds`` (None: all).

    ``kinds`` has no default: a Bundle check that forgot it would silently run on Workers only.
    The declaration is checked here, when the check registers, so a mistake fails every run at once.
    """
    from worker_lint import catalogue
    from worker_lint.dataos.resource import DATAOS_TYPES

    undocumented = sorted(set(codes) - catalogue.codes())
    if not codes or undocumented:
        raise CheckDeclarationError(
            f"a check needs rule codes with a page under rules/; {undocumented or 'none'} given"
        )
    unknown = sorted(set(kinds or ()) - DATAOS_TYPES)
    if unknown or (kinds is not None and not set(kinds)):
        raise CheckDeclarationError(f"a check runs on DataOS resource types; {unknown or 'none'} given")

    def register(func: CheckFunc) -> CheckFunc:
        _REGISTRY.append(CheckSpec(tuple(codes), func, None if kinds is None else frozenset(kinds)))
        return func

    return register


def all_checks() -> list[CheckSpec]:
    """Import every module of this package once and return the registered checks."""
    global _loaded
    if not _loaded:
        # The package's folder, listed: pkgutil would be two more modules to import on every start-up.
        names = {entry[:-3] for folder in __path__ for entry in os.listdir(folder) if entry.endswith(".py")}
        for name in sorted(names - {"__init__"}):
            importlib.import_module(f"{__name__}.{name}")
        _loaded = True
    return list(_REGISTRY)
