#!/usr/bin/env bash
# Create bench/.venv with the tools the speed comparison runs side by side:
# worker-lint (this checkout, editable), yamllint, check-jsonschema, and the
# floor tool's dependencies (pyyaml, jsonschema-rs).  Re-running it upgrades
# nothing it does not have to; pass --fresh to rebuild the venv from scratch.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [[ "${1:-}" == "--fresh" ]]; then
    rm -rf "$venv"
fi
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet yamllint check-jsonschema pyyaml jsonschema-rs
if "$venv/bin/python" -m pip install --quiet -e "$root"; then
    # a path entry left by an earlier fallback would shadow nothing, but keep one way in
    rm -f "$venv"/lib/python3*/site-packages/worker_lint_checkout.pth
else
    # An unbuildable checkout (say, mid-change) still gets benchmarked: its
    # dependencies plus a path entry, and run.py falls back to `python -m worker_lint`.
    echo "warning: editable install of $root failed; using a path entry instead" >&2
    "$venv/bin/python" - "$root" <<'PY'
import pathlib, subprocess, sys, sysconfig, tomllib
root = pathlib.Path(sys.argv[1])
deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *deps])
pathlib.Path(sysconfig.get_paths()["purelib"], "worker_lint_checkout.pth").write_text(f"{root}\n")
PY
fi

echo "bench venv ready: $venv"
"$venv/bin/python" - <<'PY'
from importlib.metadata import version
from importlib.metadata import PackageNotFoundError
for name in ("worker-lint", "yamllint", "check-jsonschema", "pyyaml", "jsonschema-rs", "ruamel.yaml"):
    try:
        print(f"  {name} {version(name)}")
    except PackageNotFoundError:
        print(f"  {name} (checkout on the path)" if name == "worker-lint" else f"  {name} MISSING")
PY
