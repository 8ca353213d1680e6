"""Find the shipped ``rules/`` and ``schemas/`` folders, installed or in a checkout."""

from __future__ import annotations

import functools
from pathlib import Path

#: the ``worker_lint`` package folder (this module sits in its ``core`` sub-package)
#: the configuration file's JSON Schema under schemas/, generated from ``config.model.LintConfig``
CONFIG_SCHEMA_FILE = "worker-lint-config.schema.json"

#: the ``worker_lint`` package folder (this module sits in its ``core`` sub-package)
_PACKAGE = Path(__file__).resolve().parent.parent


def package_dir() -> Path:
    """The installed ``worker_lint`` package's folder."""
    return _PACKAGE


@functools.cache
def data_dir(name: str) -> Path:
    """Return the folder ``name`` ("rules" or "schemas").

    A wheel carries both under ``worker_lint/_data/`` (force-included by the
    build); an editable install or a checkout reads them from the project root.
    """
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"worker-lint's {name}/ folder is missing from {installed} and {checkout}")
