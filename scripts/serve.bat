@echo off
rem Quickstart on Windows: set up the virtual environment and start the validator on http://127.0.0.1:5000
chcp 65001 >nul
cd /d "%~dp0\.."
if not exist .venv\Scripts\python.exe (
    echo 正在建立虚拟环境 .venv ……
    py -3 -m venv .venv || python -m venv .venv
)
if not exist .venv\Scripts\python.exe (
    echo 无法建立虚拟环境：请先从 https://www.python.org/downloads/ 安装 Python 3.11 或更高版本（安装时勾选“Add python.exe to PATH”），然后重新运行本脚本。
    pause
    exit /b 1
)
echo 正在安装依赖……首次运行要从网络下载，约需 1-3 分钟，请稍候。
.venv\Scripts\python -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt || (
    echo 依赖安装失败，请检查网络连接后重新运行本脚本。
    pause
    exit /b 1
)
echo 正在启动校验服务……
.venv\Scripts\python -m server %*
