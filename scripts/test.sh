#!/usr/bin/env bash
# Quickstart for developers: install everything the tests need, then lint and run every test.
# .ci/run calls exactly this script. Extra arguments go to pytest (e.g. -k seeds, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "【1/6】检查测试所需的系统软件包"
bash scripts/system-packages.sh
echo "【2/6】准备 Python 虚拟环境和测试依赖"
bash scripts/venv.sh requirements-dev.txt
echo "【3/6】启动测试用的临时 PostgreSQL"
source scripts/postgres.sh
start_test_postgres
trap stop_test_postgres EXIT
echo "【4/6】代码检查（ruff check、ruff format --check）"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "【5/6】检查 docs/cells.md、docs/rules.md 是否最新"
.venv/bin/python -m server docs --check
echo "【6/6】运行全部测试（pytest，空闲的两核机器上约 5 分钟）"
.venv/bin/python -m pytest "$@"
