"""A run on a plain Worker loads only what a plain Worker needs.

Every run of the command line is a fresh process, so whatever it imports or reads is paid again on
each run over one file.  What only some documents need (the shell-script checker and its process
modules, the Bento catalogue, the checks of other resource types, policies, the explaining
validator, fixes) must stay out of a run whose documents need none of it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from worker_lint import checks

PLAIN_WORKER = """\
version: v2alpha
name: plain-worker
type: worker
tags:
  - worker
description: A Worker with neither a Bento stack nor a shell script
spec:
  compute: runnable-default
  replicas: 1
  resources:
    requests: {cpu: 100m, memory: 128Mi}
    limits: {cpu: 200m, memory: 256Mi}
  stack: container
  stackSpec:
    image: docker.io/library/alpine:3.20
    command: ["/app/server"]
    arguments: ["--port", "8080"]
"""

#: modules a plain Worker without findings never needs, and who needs them
NOT_NEEDED = (
    # shellcheck's process: a Worker that runs a shell script (on Python 3.10 the command-line library
    # imports `uuid`, which imports `platform` and with it `subprocess`, whatever is linted)
    *(("subprocess",) if sys.version_info >= (3, 11) else ()),
    "worker_lint.dataos.shellcheck",
    "worker_lint.dataos.bundle",  # Bundles
    "worker_lint.dataos.product_refs",  # Data Products
    "worker_lint.checks.policies",  # a configuration with policies
    "worker_lint.core.policy",
    "worker_lint.config.policy",
    "pydantic",  # a configuration file
    "jsonschema",  # explaining a schema error
    "referencing",
    "worker_lint.core.fix",  # a finding with a fix
    "worker_lint.document.edits",
)

_PROBE = """\
import json, sys
from worker_lint.cli import main
try:
    main(["check", "--no-cache", "w.yaml"])
except SystemExit:
    pass
from worker_lint.dataos import bento, schema
print(json.dumps({
    "modules": sorted(sys.modules),
    "catalogue read": bento._catalogue.cache_info().currsize,
    "schemas": sorted(schema._contents()),
}))
"""


def test_the_modules_named_exist() -> None:
    assert [name for name in NOT_NEEDED if importlib.util.find_spec(name) is None] == []


def test_a_plain_worker_loads_nothing_only_other_documents_need(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(PLAIN_WORKER, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    lines = run.stdout.splitlines()
    assert lines[:1] == ["No problems found in 1 file."], run.stdout + run.stderr
    seen = json.loads(lines[-1])
    modules = set(seen["modules"])
    assert [name for name in NOT_NEEDED if name in modules] == []
    other_types = {name for name, kinds in checks.MODULE_KINDS.items() if kinds and "worker" not in kinds}
    assert sorted(m for m in modules if m.startswith("worker_lint.checks.") and m.split(".")[2] in other_types) == []
    assert seen["catalogue read"] == 0
    assert [name for name in seen["schemas"] if name.startswith("bento/")] == []
