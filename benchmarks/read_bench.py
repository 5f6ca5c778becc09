"""Batch reading against python-calamine's bare read (issue 11, target 2).

    .venv/bin/python benchmarks/read_bench.py [--files 200] [--small]

On the workbooks of the synthetic district (benchmarks/district_synth.py:
the 10,000-unit district if it was made, else a small one made once), in
CPU milliseconds of this thread per file (each round reads every file once
per measure, the measures interleaved round by round; medians of the rounds):

(a) python-calamine's bare read: the file's bytes, every sheet to Python lists;
(b) ``load_grids`` (the one reading path of every door) on the file's path;
(c) the engine's own time on grids already read: ``validate_grids`` and the
    report as JSON, what ``python -m server validate FOLDER --json`` does after
    reading;
(d) ``load_grids`` forced onto its openpyxl path, for the record.

Target: (b + c) ÷ (2 × a + c) ≤ 1. Also counts how many files the fast path
read (server.xlsx.fast) and how many it left to openpyxl.

The rounds read the same files again, and the reader remembers what files of
one template share (workbook-wide parts, each sheet's form) and, up to a few
hundred entries, what a file has of its own (its unit's name in the first
sheet, say): with 40 files (``--small``) that stays remembered from round to
round, with 200 it mostly does not. So the files of the other year, which
this process never read, are also read once each, as a batch of new
uploads is (b*, with calamine's read of the same files a*), and that ratio
is printed too.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

import python_calamine  # noqa: E402
from district_synth import default_folder  # noqa: E402
from district_synth import make_district  # noqa: E402
from timing import machine  # noqa: E402

from server.workbook import validate_grids  # noqa: E402
from server.xlsx import fast  # noqa: E402
from server.xlsx.archive import check_parts  # noqa: E402
from server.xlsx.limits import Limits  # noqa: E402
from server.xlsx.load import load_grids  # noqa: E402
from server.xlsx.load import load_with_openpyxl  # noqa: E402

SMALL_UNITS = 40


def calamine_bare(path: Path) -> list:
    """What python-calamine costs on its own: read the file, every sheet as lists."""
    with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())) as book:
        return [book.get_sheet_by_index(index).to_python() for index in range(len(book.sheet_names))]


def engine(grids) -> str:
    """What the validator does with grids already read (as ``validate FOLDER --json`` does)."""
    _, report = validate_grids(grids)
    return json.dumps(report.to_dict(), ensure_ascii=False, default=str)


def openpyxl_path(path: Path) -> list:
    return load_with_openpyxl(path.read_bytes(), Limits())


def typed(grids) -> list:
    """The grids with each value's type (5 == 5.0 in Python, not for the checks)."""
    return [(grid.name, grid.hidden, [[(type(value), value) for value in row] for row in grid.rows]) for grid in grids]


def files_of(count: int, small: bool, year: str = "2025") -> list[Path]:
    big = default_folder(10000, 1)
    if not small and (big / "district.json").exists():
        folder = big
    else:
        folder = default_folder(SMALL_UNITS, 1)
        make_district(SMALL_UNITS, folder)
    return sorted((folder / year).glob("*.xlsx"))[:count]


def first_sight(calls: dict, paths: list[Path], chunk: int = 10) -> dict[str, float]:
    """CPU milliseconds per file of each call on files it never saw, a few files at a time, interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for start in range(0, len(paths), chunk):
        for name, call in calls.items():
            samples[name].append(per_file(call, paths[start : start + chunk]))
    return {name: statistics.median(values) for name, values in samples.items()}


def per_file(call, paths: list[Path]) -> float:
    """CPU milliseconds per file of one pass over the files."""
    start = time.thread_time()
    for path in paths:
        call(path)
    return (time.thread_time() - start) * 1000 / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--small", action="store_true", help="a small district, fewer files and rounds")
    args = parser.parse_args()
    count, rounds = (40, 3) if args.small else (args.files, args.rounds)
    paths = files_of(count, args.small)
    print(f"# {machine()}")
    print(f"# {len(paths)} workbooks of {paths[0].parent}")

    limits = Limits()
    taken = sum(
        fast.read(path.read_bytes(), check_parts(path.read_bytes(), limits)[1].xml, limits) is not None
        for path in paths
    )
    grids = {path: load_grids(path, limits) for path in paths}
    for path in paths:  # the same grids both ways, or the comparison means nothing
        if typed(grids[path]) != typed(openpyxl_path(path)):
            raise SystemExit(f"{path}: the fast path and the openpyxl path read different grids")

    calls = {
        "calamine": calamine_bare,
        "load_grids": lambda path: load_grids(path, limits),
        "engine": lambda path: engine(grids[path]),
        "openpyxl": openpyxl_path,
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():  # warm-up
        per_file(call, paths[:10])
    for _ in range(rounds):
        for name, call in calls.items():
            samples[name].append(per_file(call, paths))
    ms = {name: statistics.median(values) for name, values in samples.items()}
    new = files_of(count, args.small, "2024")  # never read by this process
    for path in new:
        path.read_bytes()  # from the disk once, outside the measure
    once = first_sight({"calamine": calamine_bare, "load_grids": calls["load_grids"]}, new)

    print(f"fast path taken: {taken} of {len(paths)} files")
    print(f"(a) python-calamine bare read   {ms['calamine']:7.3f} ms/file")
    print(f"(b) load_grids                  {ms['load_grids']:7.3f} ms/file")
    print(f"(c) engine (validate + JSON)    {ms['engine']:7.3f} ms/file")
    print(f"(d) openpyxl path, for the record {ms['openpyxl']:5.3f} ms/file")
    print(f"load_grids ÷ calamine: {ms['load_grids'] / ms['calamine']:.2f}")
    ratio = (ms["load_grids"] + ms["engine"]) / (2 * ms["calamine"] + ms["engine"])
    print(f"(b + c) ÷ (2a + c) = {ratio:.2f}  (target ≤ 1)")
    first = (once["load_grids"] + ms["engine"]) / (2 * once["calamine"] + ms["engine"])
    print(
        f"{len(new)} files of {new[0].parent.name} read once each: (a*) {once['calamine']:.3f}, "
        f"(b*) {once['load_grids']:.3f} ms/file; (b* + c) ÷ (2a* + c) = {first:.2f}"
    )


if __name__ == "__main__":
    main()
