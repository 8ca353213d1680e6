"""An organisation's policy, as a configuration declares it: a rule written as data.

A policy is a frozen value, so that Settings can hold a tuple of them and its
fingerprint (the cache key) covers every part of every policy.  Compiling the
expressions and schemas is done where they are used (``config.policy``), once
per process and text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from worker_lint.core.diagnostic import Severity


@dataclass(frozen=True)
class Policy:
    """One entry of a configuration's `policies:` list, resolved (globs anchored, schema as canonical JSON)."""

    code: str
    message: str
    #: kebab-case name shown as a rule's name; the code when the configuration gives none
    name: str
    severity: Severity = Severity.ERROR
    #: DataOS resource types it applies to; None for every one
    types: tuple[str, ...] | None = None
    #: anchored globs (see ``config.globs``) of the files it applies to; empty for every file
    files: tuple[str, ...] = ()
    #: the globs as written, for `worker-lint explain`
    files_written: tuple[str, ...] = ()
    #: a CEL condition: the policy applies only where it is true
    when: str | None = None
    #: a CEL expression that must be true
    require: str | None = None
    #: a JSON Schema the whole document must satisfy, as canonical JSON text (sorted keys)
    schema: str | None = None
    #: the path the diagnostic points at (`at: worker.compute`); None for the document's `type:` line
    at: tuple[str | int, ...] | None = None
    #: the folder of the configuration that declares it: `file` is relative to it
    base: Path = Path()
    #: the configuration file that declares it, for messages
    source: Path | None = None
