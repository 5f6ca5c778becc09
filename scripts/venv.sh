#!/usr/bin/env bash
# Create .venv if missing and install the given requirements file into it, saying what it does.
# PYTHON names the interpreter to build .venv with (default python3). pip runs again only when a
# requirements file changed since the last successful install (stamp in .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
python_cmd="${PYTHON:-python3}"

venv_help() {
    echo "Debian/Ubuntu 上请先安装：sudo apt-get install python3-venv" >&2
    echo "（如果 python3 不是默认版本，安装对应的包，例如 python3.11-venv），然后重新运行本脚本。" >&2
}

created=""
if [ ! -x .venv/bin/python ]; then
    created=yes
    if ! command -v "$python_cmd" >/dev/null 2>&1; then
        echo "找不到 Python（$python_cmd）。请先安装 Python 3.11 或更高版本：sudo apt-get install python3 python3-venv" >&2
        exit 1
    fi
    if ! "$python_cmd" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        echo "需要 Python 3.11 或更高版本，$python_cmd 是 $("$python_cmd" -V 2>&1)。可用 PYTHON=python3.11 指定其他版本。" >&2
        exit 1
    fi
    if ! "$python_cmd" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        echo "无法建立虚拟环境：$python_cmd 缺少 venv/ensurepip 模块（Debian/Ubuntu 把它们放在单独的 python3-venv 包中）。" >&2
        venv_help
        exit 1
    fi
    echo "正在建立虚拟环境 .venv（$("$python_cmd" -V 2>&1)）……"
    if ! "$python_cmd" -m venv .venv; then
        rm -rf .venv
        echo "建立虚拟环境失败。" >&2
        venv_help
        exit 1
    fi
fi

stamp=".venv/.installed-$(basename "$requirements")"
digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    echo "依赖已是最新（$requirements）。"
    exit 0
fi
if [ -n "$created" ]; then
    echo "正在安装依赖（$requirements）……首次运行要从网络下载，约需 1–3 分钟（视网速而定），请稍候。"
else
    echo "依赖有变化，正在更新（$requirements）……"
fi
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar on -r "$requirements"
echo "$digest" >"$stamp"
echo "依赖安装完成。"
