"""The district at scale, end to end: units import, two years collected, one 提交, the 汇总 (issue 11, targets 3–5).

    .venv/bin/python benchmarks/district_bench.py [--units 10000] [--small] [--database-url URL] [--jobs 2]

A synthetic district of N units (benchmarks/district_synth.py, made once and
reused) goes through what a district office does with it:

1. ``units import`` of the unit list (target: 10,000 units ≤ 60 s);
2. ``collect`` of the first year's folder, then of the second year's, whose
   files are checked against the first year's reports (each ≤ 60 s);
3. one 提交 at N units against one at 10 units, interleaved (≤ 2×);
4. the 汇总 workbook of the second year in a fresh process: time (≤ 10 s)
   and peak memory (< 300 MB, and flat: against the same at 10 units).

Wall time and CPU time (this process and its worker processes) are both
printed: the machine is shared, and CPU time is what the work costs. The
database is a new SQLite file unless ``--database-url`` names an empty
PostgreSQL database (its tables are dropped first).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from district_synth import YEARS  # noqa: E402
from district_synth import default_folder  # noqa: E402
from district_synth import make_district  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402
from timing import machine  # noqa: E402

from server.district import service  # noqa: E402
from server.district.aggregate import aggregate_workbook  # noqa: E402
from server.district.cli import cli_actor  # noqa: E402
from server.district.cli import import_unit_rows  # noqa: E402
from server.district.cli import read_unit_list  # noqa: E402
from server.district.collect import collect_files  # noqa: E402
from server.district.collect import workbook_files  # noqa: E402
from server.district.db import make_engine  # noqa: E402
from server.district.db import upgrade  # noqa: E402
from server.district.models import UNIT  # noqa: E402
from server.district.models import Account  # noqa: E402
from server.district.models import Base  # noqa: E402

SMALL_UNITS = 300
SUBMIT_RUNS = 15


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work):
    """(result, wall seconds, CPU seconds) of a call."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = work()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def fresh_database(url: str | None, folder: Path, name: str):
    """A session factory on an empty, migrated database, and its URL."""
    url = url or f"sqlite:///{folder / (name + '.sqlite3')}"
    engine = make_engine(url)
    if not url.startswith("sqlite"):
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False), engine, url


def load_district(sessions, district: Path, units: int | None, jobs: int) -> dict:
    """Import the units and collect both years; the figures of each step."""
    rows = read_unit_list((district / "units.csv").read_bytes(), "units.csv")[:units]
    figures = {}
    with sessions() as session:
        _, wall, cpu = timed(lambda: import_unit_rows(session, rows))
        figures["import"] = {"units": len(rows), "wall": wall, "cpu": cpu}
        for year in YEARS:
            files = workbook_files(district / str(year))
            if units is not None:
                files = [path for path in files if int(path.stem) < units]
            results, wall, cpu = timed(lambda f=files, y=year: list(collect_files(session, cli_actor(), f, y, jobs)))
            statuses = Counter(result.status for result in results)
            figures[f"collect {year}"] = {"files": len(files), "wall": wall, "cpu": cpu, "statuses": dict(statuses)}
    return figures


def submit_times(big, small, district: Path) -> dict:
    """Median wall and CPU ms of one 提交 (a second-year workbook, checked against the first year) in each database."""
    data = next(path for path in workbook_files(district / str(YEARS[1])) if path.stem == "00000").read_bytes()
    sessions = {"big": big, "small": small}
    accounts = {}
    for name, factory in sessions.items():
        with factory() as session:
            unit = service.unit_by_name(session, _header_unit(data))
            accounts[name] = session.scalar(select(Account.id).where(Account.unit_id == unit.id, Account.role == UNIT))
    samples = {name: {"wall": [], "cpu": []} for name in sessions}
    for run in range(SUBMIT_RUNS + 2):
        for name, factory in sessions.items():
            with factory() as session:
                account = session.get(Account, accounts[name])
                wall, cpu = time.perf_counter(), time.thread_time()
                service.submit(session, account, data, "提交.xlsx", "已核实：本年数字与台账一致。", "web")
                if run >= 2:  # two warm-up rounds
                    samples[name]["wall"].append(time.perf_counter() - wall)
                    samples[name]["cpu"].append(time.thread_time() - cpu)
    return {name: {kind: 1000 * statistics.median(v) for kind, v in s.items()} for name, s in samples.items()}


def _header_unit(data: bytes) -> str:
    from server.rules.header import parse_header
    from server.workbook import read_workbook
    from server.xlsx.load import load_grids

    return parse_header(read_workbook(load_grids(data)).header).unit


def aggregate_in_fresh_process(url: str, year: int) -> dict:
    """Run the 汇总 in a new process (so that its peak memory is its own)."""
    command = [sys.executable, __file__, "--aggregate-only", url, str(year)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def aggregate_only(url: str, year: int) -> None:
    """The --aggregate-only mode: one 汇总, then time, CPU and peak memory as JSON."""
    engine = make_engine(url)
    with sessionmaker(engine)() as session:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        data, wall, cpu = timed(lambda: aggregate_workbook(session, cli_actor(), year, "某区"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "rss_before": before, "rss_peak": peak, "bytes": len(data)}))


def report(units: int, figures: dict, submit: dict, aggregates: dict, load: str) -> None:
    """Print every figure, with its target."""
    print(f"# machine: {machine()}; load before the run: {load}")
    imp = figures["import"]
    print(f"units import: {imp['units']} units in {imp['wall']:.1f} s wall, {imp['cpu']:.1f} s CPU", end="")
    print(f" ({1000 * imp['wall'] / imp['units']:.2f} ms per unit; target at 10,000: ≤ 60 s)")
    for year in YEARS:
        step = figures[f"collect {year}"]
        print(
            f"collect {year}: {step['files']} files in {step['wall']:.1f} s wall, {step['cpu']:.1f} s CPU"
            f" ({1000 * step['wall'] / step['files']:.1f} ms per file; target at 10,000: ≤ 60 s); {step['statuses']}"
        )
    big, small = submit["big"], submit["small"]
    print(
        f"提交 at N = {units}: {big['wall']:.1f} ms wall, {big['cpu']:.1f} ms CPU; at N = 10: {small['wall']:.1f} ms wall,"
        f" {small['cpu']:.1f} ms CPU; ratio {big['wall'] / small['wall']:.2f} wall, {big['cpu'] / small['cpu']:.2f} CPU"
        " (target ≤ 2)"
    )
    for name, result in aggregates.items():
        print(
            f"汇总 at N = {name}: {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, peak memory"
            f" {result['rss_peak']:.0f} MB ({result['rss_before']:.0f} MB before), {result['bytes'] / 1e6:.1f} MB workbook"
            " (target at 10,000: ≤ 10 s, < 300 MB)"
        )
    big_rss, small_rss = (aggregates[k]["rss_peak"] for k in aggregates)
    print(f"汇总 peak memory, N = {units} against N = 10: {big_rss / small_rss:.2f}× (flat in N: close to 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--small", action="store_true", help=f"{SMALL_UNITS} units (a quick run)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a new SQLite file)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="collect's worker processes")
    parser.add_argument("--aggregate-only", nargs=2, metavar=("URL", "YEAR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.aggregate_only:
        aggregate_only(args.aggregate_only[0], int(args.aggregate_only[1]))
        return
    units = SMALL_UNITS if args.small else args.units
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    district = default_folder(units, 1)
    made, wall, _ = timed(lambda: make_district(units, district))
    print(f"district: {district} ({made['files']} workbooks, {made['kinds']}; ready in {wall:.1f} s)")
    with tempfile.TemporaryDirectory() as work:
        big, big_engine, big_url = fresh_database(args.database_url, Path(work), "big")
        figures = load_district(big, district, None, args.jobs)
        small, small_engine, small_url = fresh_database(None, Path(work), "small")
        load_district(small, district, 10, 1)
        submit = submit_times(big, small, district)
        aggregates = {str(units): aggregate_in_fresh_process(big_url, YEARS[1])}
        aggregates["10"] = aggregate_in_fresh_process(small_url, YEARS[1])
        big_engine.dispose()
        small_engine.dispose()
    report(units, figures, submit, aggregates, load)


if __name__ == "__main__":
    main()
