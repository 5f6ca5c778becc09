#!/usr/bin/env bash
# Create .venv if missing and install the given requirements file into it.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
python_cmd="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python_cmd" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
