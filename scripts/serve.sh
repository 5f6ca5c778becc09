#!/usr/bin/env bash
# Quickstart: set up the virtual environment and start the validator on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
echo "【1/2】准备 Python 虚拟环境和依赖"
bash scripts/venv.sh requirements.txt
echo "【2/2】正在启动校验服务……"
exec .venv/bin/python -m server "$@"
