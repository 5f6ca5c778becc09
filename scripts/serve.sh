#!/usr/bin/env bash
# Quickstart: set up the virtual environment and start the validator on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh requirements.txt
exec .venv/bin/python -m server "$@"
