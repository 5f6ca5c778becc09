"""Server time of one 校验 click, as the add-in sends it: prints median and p95 (ms).

    .venv/bin/python benchmarks/xlwings_bench.py [--runs 200]

Workbooks: a clean full 2021 workbook (totals typed), the template as clerks
leave it (totals blank, filled by the click), one typo with totals typed (the
culprit is located), and one typo with blank totals (ambiguous: several
options are searched). Target for the first two: ≤ 10 ms median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from builders import consistent_values  # noqa: E402
from builders import header_for  # noqa: E402
from builders import without_totals  # noqa: E402

from server import create_app  # noqa: E402
from server.forms import get_form  # noqa: E402
from server.xlsx.template import make_workbook  # noqa: E402
from tools.excel_sim import build_payload  # noqa: E402
from tools.excel_sim import include_of  # noqa: E402


def cases() -> dict[str, dict]:
    """Name -> xlwings payload."""
    form = get_form("2021")
    full = consistent_values(form, seed=1)
    typo = {"t2.open.c_natural": full["t2.open.c_natural"] + 2}
    books = {
        "clean, totals typed": full,
        "clean, totals blank": without_totals(form, full),
        "one typo, totals typed": {**full, **typo},
        "one typo, totals blank": {**without_totals(form, full), **typo},
    }
    out = {}
    for name, values in books.items():
        book = make_workbook("2021", values, header_for(form))
        out[name] = build_payload(book, include=include_of(book))
    return out


def measure(client, payload: dict, runs: int) -> list[float]:
    """Milliseconds per request, after a warm-up."""
    client.post("/xlwings/validate", json=payload)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.post("/xlwings/validate", json=payload)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return sorted(times)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--small", action="store_true", help="20 runs per workbook")
    args = parser.parse_args()
    if args.small:
        args.runs = 20
    client = create_app({"TESTING": True}, instance_path=str(ROOT / "instance")).test_client()
    print(f"{'workbook':<26} {'median ms':>10} {'p95 ms':>8}")
    for name, payload in cases().items():
        times = measure(client, payload, args.runs)
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{name:<26} {statistics.median(times):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
