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

One cause, one diagnostic: a check declared with ``hides=`` says which codes
its findings explain away at the paths they explain (see ``Finding.explains``),
so a value reported as a placeholder is not also reported for its type.
Nothing recognises a finding by its message.  The YAML layer's findings hide
what ``YAML_LAYER_HIDES`` says.

A check whose rule asks an external program (shellcheck) may declare
``prepare=``: a function the engine calls on each resource before any check
runs, which starts that program in the background, so that it works while the
other checks do; the check then reads its answer.

A stream check (``@stream_check``) reads the whole stream instead of one
resource: what only the raw text can show once the parser has stopped.

A run imports a check module only when a resource it checks comes up:
``MODULE_KINDS`` names the resource types of the modules whose checks do not
run on every type, so that linting a Worker never loads the Bundle checks and
what they import.  A module it does not name is imported for every run.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from worker_lint.checks.schema_keywords import SHAPE_CODES

if TYPE_CHECKING:
    from worker_lint.checks.context import Context, Stream
    from worker_lint.core.diagnostic import Finding
    from worker_lint.dataos.resource import Resource

CheckFunc = Callable[["Resource", "Context"], Iterable["Finding"]]
PrepareFunc = Callable[["Resource", "Context"], None]
StreamCheckFunc = Callable[["Stream"], Iterable["Finding"]]


class CheckSpec(NamedTuple):
    codes: tuple[str, ...]
    func: CheckFunc
    #: resource types the check runs on; None means every DataOS resource
    kinds: frozenset[str] | None
    #: codes this check's findings explain away at the paths they explain (one cause, one diagnostic)
    hides: frozenset[str] = frozenset()
    #: called on each resource before the checks run, to start work the check will read the result of
    prepare: PrepareFunc | None = None


class StreamCheckSpec(NamedTuple):
    codes: tuple[str, ...]
    func: StreamCheckFunc


#: what a finding of the YAML layer explains away at its path: a tag DataOS ignores (WL005) or a
#: collection as a key (WL006) is the cause of the wrong shape there
YAML_LAYER_HIDES: dict[str, frozenset[str]] = {"WL005": SHAPE_CODES, "WL006": SHAPE_CODES}

_WORKER = frozenset({"worker"})
_BUNDLE = frozenset({"bundle"})
#: the resource types the checks of a module run on, for the modules whose checks do not all run on every
#: type; a module not named here is imported for every run.  The contract tests hold each module's own
#: ``@check`` declarations to this table.
MODULE_KINDS: Mapping[str, frozenset[str]] = {
    "autoscaling_bounds": _WORKER,
    "bento_components": _WORKER,
    "body_type_mismatch": _WORKER,
    "bundle_conditions": _BUNDLE,
    "bundle_files": _BUNDLE,
    "bundle_graph": _BUNDLE,
    "bundle_schedule": _BUNDLE,
    "bundle_sources": _BUNDLE,
    "bundle_workspaces": _BUNDLE,
    "context": frozenset(),  # what a check may read: no check of its own
    "legacy_stack_key": _WORKER,
    "policies": frozenset(),  # the configuration's policies, made into a check by the engine
    "product_refs": frozenset({"data"}),
    "python_projection": _WORKER,
    "resource_quantities": _WORKER,
    "schema_keywords": frozenset(),  # the schema check's findings by keyword: no check of its own
    "shell_script": _WORKER,
    "stack_reference": _WORKER,
    "stack_schema": frozenset({"stack"}),
    "stack_spec": _WORKER,
    "worker_version": _WORKER,
    "workflow_dag": frozenset({"workflow"}),
}

_REGISTRY: list[CheckSpec] = []
_STREAM_REGISTRY: list[StreamCheckSpec] = []
#: the modules of this package imported so far, by name (``context``, ``shell_script``)
_imported: set[str] = set()


class CheckDeclarationError(Exception):
    """A check declared with a code that has no rule page, or a resource type DataOS does not have."""


def check(
    *codes: str, kinds: Iterable[str] | None, hides: Iterable[str] = (), prepare: PrepareFunc | None = None
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check that may yield findings with any of ``codes``, on resources of ``kinds`` (None: all).

    ``kinds`` has no default: a Bundle check that forgot it would silently run on Workers only.
    ``hides`` are the codes its findings explain away where they are, and ``prepare`` starts what the
    check will wait for (see the module's docstring).
    The declaration is checked here, when the check registers, so a mistake fails every run at once.
    """
    from worker_lint.dataos.resource import DATAOS_TYPES

    _documented(codes, hides)
    unknown = sorted(set(kinds or ()) - DATAOS_TYPES)
    if unknown or (kinds is not None and not set(kinds)):
        raise CheckDeclarationError(f"a check runs on DataOS resource types; {unknown or 'none'} given")

    def register(func: CheckFunc) -> CheckFunc:
        kind_set = None if kinds is None else frozenset(kinds)
        _REGISTRY.append(CheckSpec(tuple(codes), func, kind_set, frozenset(hides), prepare))
        return func

    return register


def stream_check(*codes: str) -> Callable[[StreamCheckFunc], StreamCheckFunc]:
    """Register a check of the whole stream that may yield findings with any of ``codes``."""
    _documented(codes, ())

    def register(func: StreamCheckFunc) -> StreamCheckFunc:
        _STREAM_REGISTRY.append(StreamCheckSpec(tuple(codes), func))
        return func

    return register


def _documented(codes: Iterable[str], hides: Iterable[str]) -> None:
    from worker_lint import catalogue

    undocumented = sorted((set(codes) | set(hides)) - catalogue.codes())
    if not codes or undocumented:
        raise CheckDeclarationError(
            f"a check needs rule codes with a page under rules/; {undocumented or 'none'} given"
        )


def all_checks() -> list[CheckSpec]:
    """Every registered check, every module of this package imported once."""
    _import_modules(lambda kinds: True)
    return _in_module_order(_REGISTRY)


def checks_for(kind: str) -> list[CheckSpec]:
    """The registered checks that run on resources of ``kind``; only the modules that may hold one are imported."""
    _import_modules(lambda kinds: kinds is None or kind in kinds)
    return [spec for spec in _in_module_order(_REGISTRY) if spec.kinds is None or kind in spec.kinds]


def stream_checks() -> list[StreamCheckSpec]:
    """Every registered stream check (they run only on text that did not parse: every module is imported)."""
    _import_modules(lambda kinds: True)
    return _in_module_order(_STREAM_REGISTRY)


def _import_modules(wanted: Callable[[frozenset[str] | None], bool]) -> None:
    """Import, in name order, each module of this package not imported yet whose resource types are ``wanted``."""
    for name in _module_names():
        if name not in _imported and wanted(MODULE_KINDS.get(name)):
            importlib.import_module(f"{__name__}.{name}")
            _imported.add(name)


@functools.cache
def _module_names() -> list[str]:
    # The package's folder, listed: pkgutil would be two more modules to import on every start-up.
    names = {entry[:-3] for folder in __path__ for entry in os.listdir(folder) if entry.endswith(".py")}
    return sorted(names - {"__init__"})


_Spec = TypeVar("_Spec", CheckSpec, StreamCheckSpec)


def _in_module_order(registry: list[_Spec]) -> list[_Spec]:
    """The checks in the order of their modules' names, then of their declarations: the same order
    whichever modules a run happened to import first."""
    return sorted(registry, key=lambda spec: spec.func.__module__)
