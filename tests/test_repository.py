"""A fresh clone stands on its own: no path outside the repository, working links, scripts that explain themselves."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "instance", "artifacts", "__pycache__", ".ruff_cache", ".pytest_cache", ".hypothesis"}
TEXT_SUFFIXES = {".py", ".sh", ".bat", ".md", ".toml", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".html", ".bas", ".xml"}


def _repository_files():
    for path in ROOT.rglob("*"):
        if path.is_file() and not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            if path.suffix in TEXT_SUFFIXES or path.parent.name == ".ci":
                yield path


def test_nothing_refers_to_a_folder_beside_the_repository():
    outside = re.compile("|".join(re.escape(p) for p in ("../" + "shared", "/work/" + "shared")))
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _repository_files()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
        if outside.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("page", ["README.md", "docs/forms.md", "docs/findings.md", "tests/data/seeds/SOURCES.md"])
def test_relative_links_lead_to_files_in_the_repository(page):
    path = ROOT / page
    links = re.findall(r"\]\(([^)#]+)\)", path.read_text(encoding="utf-8"))
    relative = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert relative or page.startswith("docs/f")
    missing = [link for link in relative if not (path.parent / link).resolve().exists()]
    assert missing == []


def test_readme_points_to_the_form_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in ("docs/forms.md", "docs/cells.md", "docs/rules.md"):
        assert f"]({target})" in readme


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "scripts").glob("*.sh")))
def test_shell_scripts_parse(script):
    subprocess.run(["bash", "-n", str(ROOT / "scripts" / script)], check=True)


def test_apt_goes_through_the_waiting_wrapper_and_says_what_it_installs():
    text = (ROOT / "scripts" / "system-packages.sh").read_text(encoding="utf-8")
    apt = [
        line
        for line in text.splitlines()
        if re.search(r"\bapt[-_.]", line) and not line.lstrip().startswith(("#", "echo"))
    ]
    assert apt == [
        "source scripts/apt.sh",
        "apt_get_waiting update -q",
        'apt_get_waiting install -y -q --no-install-recommends "${need[@]}"',
    ]
    for package in ("libreoffice-calc-nogui", "chromium", "poppler-utils", "fonts-noto-cjk", "postgresql"):
        assert re.search(rf'why\+=\("{package}：\S+', text), package


def _apt(tmp_path: Path, script: str, *args: str, wait: int = 600):
    """apt_get_waiting with a fake apt-get (``script`` is its body) and an instant sleep."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    _fake(bin_dir / "apt-get", f'echo "$*" >> {tmp_path / "calls.txt"}\n{script}')
    _fake(bin_dir / "sleep", "exit 0")
    return subprocess.run(
        ["bash", "-c", f'source {ROOT / "scripts" / "apt.sh"} && apt_get_waiting "$@"', "apt", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "APT_WAIT_SECONDS": str(wait)},
        timeout=60,
    )


LOCKED = 'echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2; exit 100'


def test_apt_waits_while_another_apt_holds_the_lock(tmp_path):
    """Unattended upgrades holding the lock twice, then free: apt-get runs a third time and succeeds."""
    held = f'[ "$(wc -l < {tmp_path / "calls.txt"})" -le 2 ] && {{ {LOCKED}; }}\necho done'
    result = _apt(tmp_path, held, "update", "-q")
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls.txt").read_text(encoding="utf-8").splitlines()
    assert calls == ["-o DPkg::Lock::Timeout=600 update -q"] * 3
    assert result.stdout.count("另一个 apt 正在运行") == 1 and result.stdout.endswith("done\n")


def test_apt_gives_up_after_the_wait_limit(tmp_path):
    result = _apt(tmp_path, LOCKED, "install", "-y", "chromium", wait=10)
    assert result.returncode == 1
    assert len((tmp_path / "calls.txt").read_text(encoding="utf-8").splitlines()) == 3  # at 0, 5 and 10 s
    assert "Could not get lock" in result.stderr and "等待 apt 超过" in result.stderr


def test_apt_fails_at_once_on_any_other_error(tmp_path):
    result = _apt(tmp_path, 'echo "E: Failed to fetch http://deb.debian.org" >&2; exit 100', "update")
    assert result.returncode == 1 and "Failed to fetch" in result.stderr
    assert len((tmp_path / "calls.txt").read_text(encoding="utf-8").splitlines()) == 1
    assert "另一个 apt 正在运行" not in result.stdout


def test_pip_shows_its_progress():
    for script in ("venv.sh", "serve.bat"):
        text = (ROOT / "scripts" / script).read_text(encoding="utf-8")
        [pip] = [line for line in text.splitlines() if "pip install" in line]
        assert " -q" not in pip and "--progress-bar on" in pip
        assert "正在安装依赖" in text


def _sandbox(tmp_path: Path) -> Path:
    """A project folder with scripts/venv.sh and a requirements file, but no .venv."""
    (tmp_path / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "venv.sh", tmp_path / "scripts" / "venv.sh")
    (tmp_path / "requirements.txt").write_text("demo==1.0\n", encoding="utf-8")
    return tmp_path


def _fake(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def _venv_sh(project: Path, **env):
    return subprocess.run(
        ["bash", str(project / "scripts" / "venv.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_a_python_without_venv_gets_a_clear_message(tmp_path):
    """Debian's python3 without the python3-venv package: say what to install, create nothing."""
    project = _sandbox(tmp_path / "project")
    python = _fake(tmp_path / "python3", f'case "$*" in *ensurepip*) exit 1;; esac\nexec {sys.executable} "$@"')
    result = _venv_sh(project, PYTHON=str(python))
    assert result.returncode == 1
    assert "sudo apt-get install python3-venv" in result.stderr and "缺少 venv/ensurepip" in result.stderr
    assert not (project / ".venv").exists()


def test_a_missing_or_old_python_gets_a_clear_message(tmp_path):
    project = _sandbox(tmp_path / "project")
    result = _venv_sh(project, PYTHON=str(tmp_path / "no-such-python"))
    assert result.returncode == 1 and "找不到 Python" in result.stderr
    old = _fake(tmp_path / "python3", 'case "$*" in -V) echo "Python 3.9.2";; *) exit 1;; esac')
    result = _venv_sh(project, PYTHON=str(old))
    assert result.returncode == 1 and "需要 Python 3.11 或更高版本" in result.stderr and "3.9.2" in result.stderr


def test_pip_runs_again_only_when_the_requirements_change(tmp_path):
    project = _sandbox(tmp_path)
    (project / ".venv" / "bin").mkdir(parents=True)
    calls = tmp_path / "calls.txt"
    _fake(project / ".venv" / "bin" / "python", f'echo "$*" >> {calls}')
    first = _venv_sh(project)
    assert first.returncode == 0 and "依赖有变化，正在更新（requirements.txt）" in first.stdout
    assert "-m pip install" in calls.read_text(encoding="utf-8")
    again = _venv_sh(project)
    assert again.returncode == 0 and "依赖已是最新" in again.stdout
    assert calls.read_text(encoding="utf-8").count("pip install") == 1
    (project / "requirements.txt").write_text("demo==1.1\n", encoding="utf-8")
    assert "正在更新" in _venv_sh(project).stdout
    assert calls.read_text(encoding="utf-8").count("pip install") == 2


def test_a_first_run_creates_the_venv_and_says_the_download_takes_minutes(tmp_path):
    project = _sandbox(tmp_path / "project")
    calls = tmp_path / "calls.txt"
    venv_python = f'#!/bin/sh\necho "$*" >> {calls}'
    python = _fake(
        tmp_path / "python3",
        f"""case "$1" in
  -V) echo "Python 3.11.9";;
  -m) mkdir -p "$3/bin"; printf '%s\\n' '{venv_python}' > "$3/bin/python"; chmod +x "$3/bin/python";;
esac""",
    )
    result = _venv_sh(project, PYTHON=str(python))
    assert result.returncode == 0, result.stderr
    assert "正在建立虚拟环境 .venv（Python 3.11.9）" in result.stdout
    assert "正在安装依赖（requirements.txt）……首次运行要从网络下载" in result.stdout
    assert "-m pip install --disable-pip-version-check --progress-bar on -r requirements.txt" in calls.read_text(
        encoding="utf-8"
    )


def test_a_failed_install_is_tried_again_next_time(tmp_path):
    project = _sandbox(tmp_path)
    (project / ".venv" / "bin").mkdir(parents=True)
    _fake(project / ".venv" / "bin" / "python", "exit 1")
    assert _venv_sh(project).returncode != 0
    assert not list((project / ".venv").glob(".installed-*"))


def test_each_step_of_the_test_script_is_announced():
    lines = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8").splitlines()
    commands = [i for i, line in enumerate(lines) if re.match(r"(bash |start_test_postgres|\.venv/bin/)", line)]
    steps = [i for i, line in enumerate(lines) if re.match(r'echo "【\d/\d】', line)]
    assert len(steps) == 6
    for command in commands:  # every command comes after a step announcement
        assert any(step < command for step in steps)
    assert [int(re.search(r"【(\d)/", lines[i]).group(1)) for i in steps] == list(range(1, 7))
