"""Files rendered to PDF by LibreOffice, for the tests that check printing and reading back PDFs.

scripts/system-packages.sh installs LibreOffice (Calc and Writer); a missing one fails the test with
that hint rather than skipping it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def to_pdf(*sources: Path, folder: Path, timeout: int = 180) -> list[Path]:
    """The PDFs of ``sources`` (in ``folder``, under their own names), made in one LibreOffice run.

    LibreOffice keeps its profile in ``folder``, so runs of simultaneous tests never share one.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed for this test: bash scripts/system-packages.sh"
    command = [soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf"]
    command += ["--outdir", str(folder), *map(str, sources)]
    subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    pdfs = [folder / f"{Path(source).stem}.pdf" for source in sources]
    missing = [pdf.name for pdf in pdfs if not pdf.exists()]
    assert not missing, (
        f"LibreOffice did not convert {missing} (Writer is needed for .docx: bash scripts/system-packages.sh)"
    )
    return pdfs
