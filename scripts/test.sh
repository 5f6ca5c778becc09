#!/usr/bin/env bash
# Quickstart for developers: install everything the tests need, then lint and run every test.
# .ci/run calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/venv.sh requirements-dev.txt
source scripts/postgres.sh
start_test_postgres
trap stop_test_postgres EXIT
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m server docs --check
.venv/bin/python -m pytest "$@"
