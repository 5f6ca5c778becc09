@echo off
rem Quickstart on Windows: set up the virtual environment and start the validator on http://127.0.0.1:5000
cd /d "%~dp0\.."
if not exist .venv\Scripts\python.exe (
    py -3 -m venv .venv || python -m venv .venv
)
.venv\Scripts\python -m pip install -q --disable-pip-version-check -r requirements.txt
.venv\Scripts\python -m server %*
