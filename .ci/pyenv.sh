#!/usr/bin/env bash
# Creates the Python virtual environment the export tests run the real tools
# in (Kùzu, rdflib, networkx; pinned in tests/requirements-export.txt).
# Idempotent: does nothing when the venv already has exactly these pins.
#
# Where: $FACTGRAPH_PYENV, else $CARGO_TARGET_DIR/pyenv, else target/pyenv
# (relative paths are relative to the repository root). tests/export.rs
# looks in the same place and runs this script when the venv is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${FACTGRAPH_PYENV:-${CARGO_TARGET_DIR:-target}/pyenv}"
req=tests/requirements-export.txt
stamp="$venv/.requirements-export.txt"

if [ -x "$venv/bin/python" ] && cmp -s "$req" "$stamp"; then
  echo "pyenv: $venv is up to date"
  exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1; then
  echo "pyenv: python3 with the venv module is needed (Debian/Ubuntu: apt-get install python3-venv)" >&2
  exit 1
fi
echo "pyenv: creating $venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
"$venv/bin/python" -c 'import kuzu, rdflib, networkx; print("pyenv: kuzu", kuzu.__version__, "rdflib", rdflib.__version__, "networkx", networkx.__version__)'
