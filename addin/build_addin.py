"""Build 信息公开年报.xlam on a Windows PC with Excel, in one Excel instance, then verify it.

Run from the repository root, without activating anything (see addin/README.md for the one-time
Excel setting "信任对 VBA 工程对象模型的访问" and the Chinese system locale):

    py -3.11 -m venv .venv-addin
    .venv-addin\\Scripts\\python -m pip install -r addin\\requirements.txt
    .venv-addin\\Scripts\\python addin\\build_addin.py

Steps, all in this process and in one hidden Excel: xlwings' own add-in template with a ribbon
(the file ``xlwings quickstart --addin --ribbon`` copies) is opened; xlwings' remote modules
(Remote, WebClient, … — exactly what ``--server`` imports) are imported into it; the sample module is removed; addin/src/JCNB.bas is converted from UTF-8 to
the ANSI code page the VBA editor expects (936 on Chinese Windows) and imported; the workbook is
saved and closed and Excel quits. The ribbon addin/customUI.xml then replaces the sample ribbon,
and :func:`verify` reads the result back with oletools (no Excel): every module there, the sample
gone, the Chinese text intact, the xlwings version the server expects, our ribbon inside.

``python addin/build_addin.py --verify FILE`` checks an existing add-in (any OS).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "addin" / "src"
RIBBON = ROOT / "addin" / "customUI.xml"
TARGET = ROOT / "dist" / "信息公开年报.xlam"
TEMPLATE = "quickstart_addin_ribbon.xlam"
"""xlwings' add-in template with a ribbon (what ``xlwings quickstart --addin --ribbon`` copies)."""
SAMPLE_MODULES = ("RibbonMyAddin", "Module1")
REMOTE_MODULES = (
    "Remote.bas",
    "IWebAuthenticator.cls",
    "WebClient.cls",
    "WebRequest.cls",
    "WebResponse.cls",
    "WebHelpers.bas",
)
"""What ``xlwings quickstart --server`` imports (xlwings.cli.import_remote_modules; a test keeps them equal)."""
REQUIRED_MODULES = (
    "xlwings",
    "Dictionary",
    "Remote",
    "WebClient",
    "WebRequest",
    "WebResponse",
    "WebHelpers",
    "IWebAuthenticator",
    "JCNB",
)
"""Modules the add-in needs: xlwings (XLWINGS_VERSION, GetConfig), RunServerPython and its web client, ours."""
CODE_PAGE = 936
"""The ANSI code page of Chinese (Simplified) Windows: the VBA project stores JCNB.bas in it."""
CHINESE_MARKERS = ("【校验】", "信息公开年报校验", "无法连接校验服务")
"""Strings of JCNB.bas that must read back intact (they do not survive another code page)."""


# Checks before building -----------------------------------------------------------------


def pinned_xlwings() -> str:
    """The xlwings version the server uses (requirements.txt)."""
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.lower().startswith("xlwings=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit("requirements.txt 中没有固定 xlwings 版本")


def check_platform() -> None:
    """Stop early, with a clear message, where the build cannot run."""
    import xlwings

    if not sys.platform.startswith("win"):
        raise SystemExit("只能在安装了 Excel 的 Windows 电脑上构建加载项（校验已构建的文件可用 --verify）。")
    if xlwings.__version__ != pinned_xlwings():
        raise SystemExit(
            f"xlwings 版本 {xlwings.__version__} 与服务端 {pinned_xlwings()} 不一致，"
            "请先运行 python -m pip install -r addin\\requirements.txt"
        )
    import ctypes

    code_page = ctypes.windll.kernel32.GetACP()
    if code_page != CODE_PAGE:
        raise SystemExit(
            f"这台电脑的非 Unicode 程序语言（ANSI 代码页 {code_page}）不是简体中文（936），"
            "加载项中的中文会变成乱码。请在“控制面板 → 区域 → 管理 → 更改系统区域设置”中选择“中文(简体，中国)”，"
            "重启后再构建。"
        )


# Building (Windows, Excel) ----------------------------------------------------------------


def build(work: Path) -> Path:
    """The add-in with every module, saved by Excel (sample ribbon still inside)."""
    import xlwings as xw

    xlam = work / "jcnb_addin.xlam"
    shutil.copyfile(Path(xw.__file__).parent / TEMPLATE, xlam)
    app = xw.App(visible=False, add_book=False)
    try:
        app.display_alerts = False
        book = app.books.open(str(xlam))
        try:
            components = _vb_components(book)
            for module in REMOTE_MODULES:  # str paths: COM takes no pathlib objects
                components.Import(str(Path(xw.__file__).parent / "addin" / module))
            names = [component.Name for component in components]
            for sample in SAMPLE_MODULES:
                if sample in names:
                    components.Remove(components(sample))
            if "Dictionary" not in names:
                components.Import(str(Path(xw.__file__).parent / "addin" / "Dictionary.cls"))
            for source in sorted(SOURCE.glob("*.bas")):
                components.Import(str(_ansi_copy(source, work)))
            book.save()
        finally:
            book.close()
    finally:
        try:
            app.quit()
        except Exception:  # Excel already gone or hanging: make sure no hidden instance stays behind
            app.kill()
    return xlam


def _vb_components(book):
    """The VBA project's components, or a clear message when Excel refuses access to them."""
    try:
        return book.api.VBProject.VBComponents
    except Exception as error:
        raise SystemExit(
            "Excel 不允许程序访问 VBA 工程。请在 Excel 中打开“文件 → 选项 → 信任中心 → 信任中心设置 → 宏设置”，"
            f"勾选“信任对 VBA 工程对象模型的访问”，然后重新运行。（{error}）"
        ) from error


def _ansi_copy(source: Path, work: Path) -> Path:
    """The module in the ANSI code page with CR+LF, as the VBA editor imports it."""
    target = work / source.name
    text = source.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    target.write_bytes(text.encode(f"cp{CODE_PAGE}"))
    return target


def replace_ribbon(xlam: Path, target: Path) -> None:
    """Copy the add-in with our ribbon as customUI/customUI.xml."""
    target.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(xlam) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = RIBBON.read_bytes() if item.filename == "customUI/customUI.xml" else source.read(item.filename)
            out.writestr(item, data)


# Verifying (any OS) ---------------------------------------------------------------------------


def modules(xlam: Path) -> dict[str, str]:
    """Module name → VBA source, read from the add-in's vbaProject.bin with oletools (no Excel)."""
    with warnings.catch_warnings():  # oletools 0.60 calls pyparsing names that newer pyparsing deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

        parser = VBA_Parser(str(xlam))
        try:
            if not parser.detect_vba_macros():
                return {}
            return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
        finally:
            parser.close()


def verify(xlam: Path) -> list[str]:
    """What is wrong with a built add-in, in words; empty when it is complete."""
    if not zipfile.is_zipfile(xlam):
        return [f"无法读取 {xlam.name}：不是 Excel 加载项文件（.xlam）"]
    try:
        found = modules(xlam)
    except Exception as error:  # oletools raises on anything that is not an Office file
        return [f"无法读取 {xlam.name} 中的 VBA 工程：{error}"]
    problems = [f"缺少模块 {name}" for name in REQUIRED_MODULES if name not in found]
    problems += [f"示例模块 {name} 没有删除" for name in SAMPLE_MODULES if name in found]
    problems += _jcnb_problems(found.get("JCNB"))
    version = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', found.get("xlwings", ""))
    if version and version.group(1) != pinned_xlwings():
        problems.append(f"加载项中的 xlwings 版本 {version.group(1)} 与服务端 {pinned_xlwings()} 不一致")
    problems += _ribbon_problems(xlam)
    return problems


def _jcnb_problems(code: str | None) -> list[str]:
    if code is None:
        return []
    lost = [marker for marker in CHINESE_MARKERS if marker not in code]
    if lost:
        return [f"JCNB 模块中的中文没有保留（{'、'.join(lost)}）：构建时系统区域设置不是简体中文"]
    ours = SOURCE / "JCNB.bas"
    expected = set(re.findall(r"^(?:Public|Private) (?:Sub|Function) (\w+)", ours.read_text("utf-8"), re.M))
    present = set(re.findall(r"^(?:Public|Private) (?:Sub|Function) (\w+)", code, re.M))
    missing = sorted(expected - present)
    return [f"JCNB 模块与 addin/src/JCNB.bas 不一致（缺少 {'、'.join(missing)}）"] if missing else []


def _ribbon_problems(xlam: Path) -> list[str]:
    with zipfile.ZipFile(xlam) as book:
        try:
            ribbon = book.read("customUI/customUI.xml")
        except KeyError:
            return ["加载项中没有功能区（customUI/customUI.xml）"]
    return [] if ribbon == RIBBON.read_bytes() else ["加载项中的功能区不是 addin/customUI.xml"]


def main(argv: list[str] | None = None) -> int:
    """Build dist/信息公开年报.xlam and verify it, or only verify a given file."""
    parser = argparse.ArgumentParser(description="构建并检查“信息公开年报”Excel 加载项")
    parser.add_argument("--verify", type=Path, metavar="FILE", help="只检查已构建的加载项")
    args = parser.parse_args(argv)
    target = args.verify
    if target is None:
        check_platform()
        with tempfile.TemporaryDirectory() as folder:
            replace_ribbon(build(Path(folder)), TARGET)
        target = TARGET
    problems = verify(target)
    for problem in problems:
        print(f"✗ {problem}")
    if problems:
        return 1
    print(f"✓ {target}：{len(REQUIRED_MODULES)} 个模块齐全，中文完好，xlwings {pinned_xlwings()}，功能区已替换。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
