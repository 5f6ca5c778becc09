"""Hostile files against the 10 s / 400 MB budget of issue 9 (tests/hostile_files.py).

    .venv/bin/python benchmarks/hostile_bench.py [--adversarial]

Server: every corpus file posted to ``/api/v1/workbook`` and
``/api/v1/workbook/annotated`` through the Flask test client in one process;
prints the slowest answer per file and the process's peak RSS. CLI: one
``python -m server validate FILE -o COPY`` child per file, measured with
its own VmHWM (wall time including interpreter start-up, and the child's peak
RSS). ``--adversarial`` adds files built to sit just under each limit
(30 000 cells, a 9 MB sheet of whitespace, styles at the element limit).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from hostile_files import PEAK  # noqa: E402
from hostile_files import TABLE_SHEET  # noqa: E402
from hostile_files import _edit_part  # noqa: E402
from hostile_files import corpus  # noqa: E402
from hostile_files import good  # noqa: E402

SECONDS, MEGABYTES = 10, 400


def adversarial() -> dict[str, bytes]:
    """Files just under the limits: the slowest ones a limit still lets through."""
    from openpyxl.utils import get_column_letter

    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{get_column_letter(c)}{r}" t="n"><v>{c}</v></c>' for c in range(1, 101))
        + "</row>"
        for r in range(40, 320)
    )
    xf = '<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    styles = "".join(xf.format(n=n % 200) for n in range(19_500))
    return {
        "cells_at_limit": _edit_part(
            good(), TABLE_SHEET, lambda t: t.replace("</sheetData>", rows + "</sheetData>", 1)
        ),
        "whitespace_9mb": _edit_part(
            good(), TABLE_SHEET, lambda t: t.replace("<sheetData>", "<sheetData>" + " " * (9 * 2**20), 1)
        ),
        "styles_at_limit": _edit_part(
            good(), "xl/styles.xml", lambda t: re.sub(r'<cellXfs count="\d+">', f'<cellXfs count="19500">{styles}', t)
        ),
    }


def server(files: dict[str, bytes]) -> None:
    from server import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}, instance_path=folder)
        client = app.test_client()
        print(f"{'file':<28} {'server s':>8}  status")
        for name, data in files.items():
            slowest, statuses = 0.0, []
            for url in ("/api/v1/workbook", "/api/v1/workbook/annotated"):
                start = time.perf_counter()
                response = client.post(url, data={"file": (io.BytesIO(data), f"{name}.xlsx")})
                slowest = max(slowest, time.perf_counter() - start)
                statuses.append(response.status_code)
            print(f"{name:<28} {slowest:8.2f}  {statuses}")
    with open("/proc/self/status") as status:  # VmHWM: ru_maxrss would include the parent shell's, inherited at exec
        peak = int(next(line.split()[1] for line in status if line.startswith("VmHWM"))) // 1024
    print(f"server process peak RSS: {peak} MB (budget {MEGABYTES} MB)")


def cli(files: dict[str, bytes]) -> None:
    print(f"\n{'file':<28} {'CLI s':>8} {'peak MB':>8}  exit")
    worst_time = worst_rss = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, data in files.items():
            path = Path(folder) / f"{name}.xlsx"
            path.write_bytes(data)
            start = time.perf_counter()
            command = ["server", "validate", str(path), "-o", str(Path(folder) / "copy.xlsx")]
            peak = Path(folder) / "peak"
            child = subprocess.run(
                [sys.executable, "-c", PEAK, *command],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PEAK_FILE": str(peak)},
            )
            seconds, rss = time.perf_counter() - start, int(peak.read_text()) // 1024
            worst_time, worst_rss = max(worst_time, seconds), max(worst_rss, rss)
            print(f"{name:<28} {seconds:8.2f} {rss:8d}  {child.returncode}")
    print(f"CLI worst: {worst_time:.2f} s (budget {SECONDS} s), {worst_rss} MB (budget {MEGABYTES} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adversarial", action="store_true", help="add files just under each limit")
    options = parser.parse_args()
    files = dict(corpus())
    if options.adversarial:
        files.update(adversarial())
    server(files)
    cli(files)


if __name__ == "__main__":
    main()
