"""Build 信息公开年报.xlam on a Windows PC with Excel, using xlwings' own tooling.

Run from the repository root (see addin/README.md for the one-time Excel setting
"信任对 VBA 工程对象模型的访问"):

    py -3.11 -m venv .venv-addin
    .venv-addin\\Scripts\\pip install -r requirements.txt pywin32
    .venv-addin\\Scripts\\python addin\\build_addin.py

Steps: ``xlwings quickstart --addin --ribbon --server`` makes an add-in that
already holds xlwings' VBA modules for ``RunServerPython`` (the same xlwings
version as the server — xw.Book refuses a payload from another version); our
module addin/src/JCNB.bas is converted from UTF-8 to the ANSI code page the
VBA editor expects and imported; the quickstart's sample module is removed;
the ribbon addin/customUI.xml replaces the sample ribbon. The result is
written to dist/信息公开年报.xlam.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "addin" / "src"
RIBBON = ROOT / "addin" / "customUI.xml"
TARGET = ROOT / "dist" / "信息公开年报.xlam"
SAMPLE_MODULES = ("RibbonMyAddin", "Module1")


def pinned_xlwings() -> str:
    """The xlwings version the server uses (requirements.txt)."""
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.lower().startswith("xlwings=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit("requirements.txt pins no xlwings version")


def check_platform() -> None:
    """Stop early with a clear message where the build cannot run."""
    import xlwings

    if not sys.platform.startswith("win"):
        raise SystemExit("只能在安装了 Excel 的 Windows 电脑上构建加载项。")
    if xlwings.__version__ != pinned_xlwings():
        raise SystemExit(
            f"xlwings 版本 {xlwings.__version__} 与服务端 {pinned_xlwings()} 不一致，请先 pip install -r requirements.txt"
        )


def quickstart(work: Path) -> Path:
    """xlwings' add-in template with its remote (RunServerPython) modules."""
    subprocess.run(["xlwings", "quickstart", "jcnb_addin", "--addin", "--ribbon", "--server"], cwd=work, check=True)
    return work / "jcnb_addin" / "jcnb_addin.xlam"


def import_modules(xlam: Path, work: Path) -> None:
    """Import our VBA (in the ANSI code page) and drop the sample module."""
    import xlwings as xw

    app = xw.App(visible=False, add_book=False)
    try:
        book = app.books.open(str(xlam))
        components = book.api.VBProject.VBComponents
        names = [component.Name for component in components]
        for sample in SAMPLE_MODULES:
            if sample in names:
                components.Remove(components(sample))
        if "Dictionary" not in names:
            components.Import(str(Path(xw.__file__).parent / "addin" / "Dictionary.cls"))
        for source in sorted(SOURCE.glob("*.bas")):
            ansi = work / source.name
            ansi.write_bytes(source.read_text(encoding="utf-8").replace("\n", "\r\n").encode("mbcs"))
            components.Import(str(ansi))
        book.save()
        book.close()
    finally:
        app.quit()


def replace_ribbon(xlam: Path, target: Path) -> None:
    """Copy the add-in with our ribbon as customUI/customUI.xml."""
    target.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(xlam) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = RIBBON.read_bytes() if item.filename == "customUI/customUI.xml" else source.read(item.filename)
            out.writestr(item, data)


def main() -> None:
    """Build dist/信息公开年报.xlam."""
    check_platform()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        xlam = quickstart(work)
        import_modules(xlam, work)
        replace_ribbon(xlam, TARGET)
    shutil.rmtree(ROOT / "dist" / "jcnb_addin", ignore_errors=True)
    print(f"已生成 {TARGET}")


if __name__ == "__main__":
    main()
