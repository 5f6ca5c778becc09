"""addin/build_addin.py checked without Windows: one Excel, no subprocess, and its verification.

The build itself needs Excel; what it produces is checked by ``verify`` (oletools reads the VBA
project), which the build runs at its end and which these tests run on real Excel-made files.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import shutil
import zipfile
from pathlib import Path

import pytest
import xlwings

ROOT = Path(__file__).resolve().parent.parent
XLWINGS = Path(xlwings.__file__).parent


def _load_build():
    spec = importlib.util.spec_from_file_location("build_addin", ROOT / "addin" / "build_addin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_addin = _load_build()


def test_the_build_runs_in_this_process_in_one_excel():
    tree = ast.parse((ROOT / "addin" / "build_addin.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "subprocess" not in imported, "no `xlwings` executable: it is not on PATH in an unactivated venv"
    source = inspect.getsource(build_addin.build)
    assert source.count("xw.App(") == 1 and "app.quit()" in source and "book.close()" in source
    assert "xw.Book(" not in source, "xw.Book would attach to (or start) another Excel instance"


def test_the_remote_modules_are_those_xlwings_server_quickstart_imports():
    from xlwings.cli import import_remote_modules

    tree = ast.parse(inspect.getsource(import_remote_modules))
    listed = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    strings = [value for value in listed if value.endswith((".bas", ".cls"))]
    assert tuple(strings) == build_addin.REMOTE_MODULES
    for module in build_addin.REMOTE_MODULES:
        assert (XLWINGS / "addin" / module).exists()


def test_the_template_the_build_starts_from_exists():
    assert (XLWINGS / build_addin.TEMPLATE).exists()


def test_the_vba_module_survives_the_chinese_code_page(tmp_path):
    copy = build_addin._ansi_copy(ROOT / "addin" / "src" / "JCNB.bas", tmp_path)
    data = copy.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("cp936")
    assert text.replace("\r\n", "\n") == (ROOT / "addin" / "src" / "JCNB.bas").read_text(encoding="utf-8")
    assert build_addin._jcnb_problems(text) == []


def test_chinese_lost_in_another_code_page_is_reported():
    source = (ROOT / "addin" / "src" / "JCNB.bas").read_text(encoding="utf-8")
    garbled = source.encode("cp1252", errors="replace").decode("cp1252")
    [problem] = build_addin._jcnb_problems(garbled)
    assert "简体中文" in problem


def test_a_module_missing_a_procedure_is_reported():
    source = (ROOT / "addin" / "src" / "JCNB.bas").read_text(encoding="utf-8")
    cut = source.replace("Public Sub JCNB_SetNotes(", "Public Sub SomethingElse(")
    [problem] = build_addin._jcnb_problems(cut)
    assert "JCNB_SetNotes" in problem


def test_verify_lists_what_the_unbuilt_template_lacks():
    """xlwings' add-in template (what the build starts from) is a real Excel-made file: nothing of ours in it."""
    problems = build_addin.verify(XLWINGS / build_addin.TEMPLATE)
    for module in ("Remote", "WebClient", "WebHelpers", "JCNB"):
        assert f"缺少模块 {module}" in problems
    assert "示例模块 RibbonMyAddin 没有删除" in problems
    assert "加载项中的功能区不是 addin/customUI.xml" in problems
    assert "缺少模块 xlwings" not in problems and "缺少模块 Dictionary" not in problems


def test_verify_accepts_our_ribbon_and_reads_remote_modules_from_an_excel_file(tmp_path):
    """xlwings' own add-in holds Remote, WebClient … (Excel-made): with our ribbon only JCNB and xlwings are missing."""
    xlam = tmp_path / "xlwings.xlam"
    shutil.copyfile(XLWINGS / "addin" / "xlwings.xlam", xlam)
    with zipfile.ZipFile(xlam) as book:
        if "customUI/customUI.xml" not in book.namelist():
            pytest.skip("xlwings.xlam has no ribbon part to replace")
    target = tmp_path / "built.xlam"
    build_addin.replace_ribbon(xlam, target)
    problems = build_addin.verify(target)
    assert not [p for p in problems if "功能区" in p]
    assert not [p for p in problems if any(f"缺少模块 {m.split('.')[0]}" == p for m in build_addin.REMOTE_MODULES)]
    assert "缺少模块 JCNB" in problems


def test_verify_from_the_command_line_fails_on_an_incomplete_add_in(capsys):
    assert build_addin.main(["--verify", str(XLWINGS / build_addin.TEMPLATE)]) == 1
    assert "缺少模块 JCNB" in capsys.readouterr().out


def test_a_file_that_is_no_office_file_is_reported(tmp_path):
    junk = tmp_path / "junk.xlam"
    junk.write_bytes(b"not an add-in")
    [problem] = build_addin.verify(junk)
    assert "无法读取" in problem


def test_the_windows_requirements_pin_the_servers_xlwings_and_the_checker():
    lines = (ROOT / "addin" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-r ../requirements.txt" in lines
    assert any(line.startswith("pywin32==") and 'sys_platform == "win32"' in line for line in lines)
    assert any(line.startswith("oletools==") for line in lines)
