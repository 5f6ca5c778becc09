"""A synthetic district: N units, their unit list, and their workbooks for two report years.

    .venv/bin/python benchmarks/district_synth.py --units 10000 [--out DIR] [--seed 1]

Every workbook is written by the project's own template writer
(:func:`server.xlsx.template.build_template`, values at the layout's
addresses, as :func:`~server.xlsx.template.make_workbook` does) with values
from the test builders: consistent reports whose plausibility rules hold,
and in the second year the cross-year rules too (上年结转 = last year's
结转下年, 现行有效 chained, :func:`district_data.next_year_values`). Like a
real district's mailbox, a few files are not clean:

* about 3 % carry a warning (规章 reported by a 街道 or 乡镇, P4): stored as 有提示待说明;
* about 1 % have a typo breaking an identity: refused;
* about 0.5 % name a unit that is not registered (a misspelt name): reported;
* about 5 % write the unit's name with full-width letters or extra spaces: still matched.

The district is written once per (N, seed) and reused (a marker file says
it is complete): ``DIR/units.csv``, ``DIR/2024/*.xlsx``, ``DIR/2025/*.xlsx``.
Workbooks are made in worker processes, one per core.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from builders import consistent_values  # noqa: E402
from builders import header_for  # noqa: E402
from district_data import next_year_values  # noqa: E402

from server.forms import get_form  # noqa: E402
from server.workbook.layout import layout_for  # noqa: E402
from server.xlsx.template import build_template  # noqa: E402

YEARS = (2024, 2025)
WARNING_SHARE, ERROR_SHARE, UNKNOWN_SHARE, VARIANT_SHARE = 0.03, 0.01, 0.005, 0.05
_PLACES = "东南西北中新老上下长安永兴和平康宁福寿金银青华春秋明光德仁义礼智信泰丰盛隆昌茂"
_KINDS = (("街道办事处", "街道办事处", 5), ("镇人民政府", "乡镇", 3), ("乡人民政府", "乡镇", 1), ("", "区政府部门", 1))
_OFFICES = (
    "教育局",
    "民政局",
    "财政局",
    "卫生健康局",
    "市场监督管理局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
)


def default_folder(units: int, seed: int) -> Path:
    """Where the district of this size and seed is kept between runs."""
    return Path(tempfile.gettempdir()) / f"jcnb-district-{units}-seed{seed}"


def unit_names(count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` distinct (name, kind) pairs: 街道, 乡镇 and 区 departments in realistic shares."""
    rng = random.Random(seed)
    weights = [weight for _, _, weight in _KINDS]
    names: dict[str, str] = {}
    while len(names) < count:
        suffix, kind, _ = rng.choices(_KINDS, weights)[0]
        place = "".join(rng.choice(_PLACES) for _ in range(rng.choice((2, 2, 3))))
        if kind == "区政府部门":
            name = f"{place}区{rng.choice(_OFFICES)}"
        else:
            name = f"{place}{suffix}"
        names.setdefault(name, kind)
    return list(names.items())


def make_district(units: int, folder: Path, seed: int = 1, jobs: int | None = None) -> dict:
    """Write the district (or reuse it); returns its description (also in ``DIR/district.json``)."""
    marker = folder / "district.json"
    if marker.exists():
        return json.loads(marker.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    registered = unit_names(units, seed)
    with open(folder / "units.csv", "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["单位名称", "单位类型", "登录名"])
        for number, (name, kind) in enumerate(registered, start=1):
            writer.writerow([name, kind, f"u{number:05d}"])
    plans = [_plan(number, name, seed) for number, (name, _) in enumerate(registered)]
    for year in YEARS:
        (folder / str(year)).mkdir(exist_ok=True)
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs or os.cpu_count(), mp_context=context) as pool:
        counts = list(pool.map(_write_unit, [(folder, plan) for plan in plans], chunksize=32))
    description = {
        "units": units,
        "seed": seed,
        "years": list(YEARS),
        "files": sum(counts),
        "kinds": {key: sum(1 for plan in plans for year in YEARS if plan[year] == key) for key in _OUTCOMES},
        "seconds": round(time.perf_counter() - started, 1),
    }
    marker.write_text(json.dumps(description, ensure_ascii=False, indent=1), encoding="utf-8")
    return description


_OUTCOMES = ("clean", "warning", "error", "unknown", "variant")


def _plan(number: int, name: str, seed: int) -> dict:
    rng = random.Random(f"{seed}-{number}")
    plan = {"number": number, "name": name, "seed": seed * 100_000 + number}
    for year in YEARS:
        draw = rng.random()
        shares = (WARNING_SHARE, ERROR_SHARE, UNKNOWN_SHARE, VARIANT_SHARE)
        edges = [sum(shares[: index + 1]) for index in range(len(shares))]
        plan[year] = next((kind for kind, edge in zip(_OUTCOMES[1:], edges, strict=True) if draw < edge), "clean")
    return plan


_TEMPLATE = {}


def _write_unit(job: tuple[Path, dict]) -> int:
    """Both years' workbooks of one unit (in a worker process); the number of files written."""
    folder, plan = job
    form = get_form("2021")
    last = None
    for year in YEARS:
        values = _values(form, plan["seed"], year, last)
        last = values
        name, kind = plan["name"], plan[year]
        if kind == "warning":
            values = {**values, "t1.rules.issued": 1, "t1.rules.in_force": 1}
        elif kind == "error":
            values = {**values, "t2.open.c_natural": values["t2.open.c_natural"] + 7}
        if kind == "unknown":
            name = name[:-2] + "某" + name[-2:]
        elif kind == "variant":
            name = " ".join(name[:2]) + "　" + name[2:]  # spaces and an ideographic space
        header = header_for(form, unit=name, year=year, date=f"{year + 1}-01-15")
        (folder / str(year) / f"{plan['number']:05d}.xlsx").write_bytes(_workbook(values, header))
    return len(YEARS)


def _values(form, seed: int, year: int, last: dict | None) -> dict:
    if last is None:
        values = consistent_values(form, seed=seed)
        return {key: 0 if key.startswith("t1.rules.") else value for key, value in values.items()}
    return next_year_values(year, seed, last)


def _workbook(values: dict, header: dict) -> bytes:
    """The template with these values (one template per process, every value cell written each time)."""
    if "book" not in _TEMPLATE:
        _TEMPLATE["book"] = build_template("2021")
        _TEMPLATE["addresses"] = layout_for("2021").addresses
    book, addresses = _TEMPLATE["book"], _TEMPLATE["addresses"]
    for key, value in {**values, **{f"header.{k}": v for k, v in header.items()}}.items():
        sheet, cell = addresses[key]
        book[sheet][cell].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="folder (default: the system temp folder)")
    args = parser.parse_args()
    folder = args.out or default_folder(args.units, args.seed)
    description = make_district(args.units, folder, args.seed)
    print(f"{folder}: {json.dumps(description, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
