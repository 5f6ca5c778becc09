"""Value sets for tests: consistent reports and deliberate breaks.

Which cells are totals, what they sum and the balance come from the hand-written oracle
(tests/oracle.py), never from the form definitions the engine checks: a wrong definition then
makes the property tests fail instead of agreeing with itself. The single-year plausibility
rules the builders keep quiet (P2, P3, P5, P7, P8) are written out here by hand too.
"""

from __future__ import annotations

import random

import oracle

from server.forms import get_form
from server.forms.model import Domain
from server.forms.model import Form

PLAUSIBLE_UNIT = "某某市某某局"
"""A unit name that triggers no unit-based plausibility rule (P4, P6)."""


def header_for(form: Form, **changes) -> dict:
    """A complete, plausible header for a report year the form applies to."""
    year = form.last_year or form.first_year + 4
    header = {
        "unit": PLAUSIBLE_UNIT,
        "year": year,
        "preparer": "张三",
        "phone": "0571-12345678",
        "date": f"{year + 1}-01-15",
    }
    header.update(changes)
    return header


def zero_values(form: Form, *, totals: bool = True) -> dict:
    """Every input 0; totals 0 too when ``totals``, else left out (blank)."""
    derived = oracle.derived(form.version)
    return {key: 0 for key in form.cells if totals or key not in derived}


def with_totals(form: Form, values: dict) -> dict:
    """The values with every total set to the sum of its parts (a blank part counts 0)."""
    out = dict(values)
    for total, parts in oracle.sums(form.version):
        out[total] = sum(out.get(part) or 0 for part in parts)
    return out


def without_totals(form: Form, values: dict) -> dict:
    """The values with every total removed (blank)."""
    derived = oracle.derived(form.version)
    return {key: value for key, value in values.items() if key not in derived}


def with_typos(version: str, seed: int, typos: int, blank_totals: bool) -> dict:
    """A consistent report with ``typos`` detail cells of 表二 changed by a few (totals typed or blank).

    The typo reports of the localisation tests, the recorded answers and benchmarks/click_bench.py.
    """
    form = get_form(version)
    rng = random.Random(seed)
    values = consistent_values(form, seed=seed)
    keys = sorted(k for k, cell in form.cells.items() if k.startswith("t2.") and not cell.derived)
    for key in rng.sample(keys, typos):
        values[key] += rng.choice([1, 2, 3, 5, 10, 40])
    return without_totals(form, values) if blank_totals else values


def consistent_values(form: Form | str, seed: int = 0, high: int = 9) -> dict:
    """A random report whose identities and plausibility rules all hold, totals typed."""
    form = get_form(form) if isinstance(form, str) else form
    rng = random.Random(seed)
    derived = oracle.derived(form.version)
    values = {key: _random(rng, cell.domain, high) for key, cell in form.cells.items() if key not in derived}
    _make_plausible(form.version, values)
    _balance(form.version, values)
    _cases_need_applications(form.version, values)
    values = with_totals(form, values)
    for name, left, right in oracle.identities(form.version):
        assert sum(values[k] for k in left) == sum(values[k] for k in right), f"builder broke {name}"
    return values


def _random(rng: random.Random, domain: Domain, high: int):
    if domain is Domain.AMOUNT:
        return round(rng.uniform(0, high * 10), 4)
    return rng.randint(0, high)


def _balance(version: str, values: dict) -> None:
    """I3 per applicant column: 一 = 三（七） + 四 − 二, keeping 二 and 四 at most 1 (P7 quiet) and 一 ≥ 0."""
    for column in oracle.T2_PARTS:
        for row in ("carry_in", "carry_out"):
            values[f"t2.{row}.{column}"] = min(values[f"t2.{row}.{column}"], 1)
        results = sum(values[f"t2.{row}.{column}"] for row in oracle.RESULT_ROWS[version])
        right = results + values[f"t2.carry_out.{column}"]
        if right < values[f"t2.carry_in.{column}"]:
            values[f"t2.carry_in.{column}"] = 0
        values[f"t2.new.{column}"] = right - values[f"t2.carry_in.{column}"]


def _make_plausible(version: str, values: dict) -> None:
    """Adjust random inputs so that no single-year plausibility rule of 表一 fires."""
    if version == "2019":
        for row in ("rules", "normative"):  # P2: 本年新公开数量 ≤ 对外公开总数量
            values[f"t1.{row}.total_public"] = max(values[f"t1.{row}.total_public"], values[f"t1.{row}.published"])
        for row in ("licensing", "other_services", "penalty", "enforcement"):
            # P5: 处理决定数量 = 上一年项目数量 + 本年增/减 looks like item counts typed as decisions
            values[f"t1.{row}.decisions"] = values[f"t1.{row}.prev_items"] + values[f"t1.{row}.change"] + 1
    else:
        for row in ("rules", "normative"):  # P3: 现行有效件数 ≥ 本年制发件数
            values[f"t1.{row}.in_force"] = max(values[f"t1.{row}.in_force"], values[f"t1.{row}.issued"])


def _cases_need_applications(version: str, values: dict) -> None:
    """P8: without any application (一 and 二 all 0), report no 复议/诉讼 case either."""
    if not any(values[f"t2.{row}.{column}"] for row in ("new", "carry_in") for column in oracle.T2_PARTS):
        for group in oracle.T3_GROUPS:
            for outcome in oracle.T3_OUTCOMES:
                values[f"t3.cases.{group}_{outcome}"] = 0
