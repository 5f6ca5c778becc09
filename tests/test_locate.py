"""Error localisation (Fellegi–Holt minimal change with HiGHS)."""

from __future__ import annotations

import json

from builders import consistent_values
from builders import without_totals
from engine import check
from engine import only

from server.findings import ERROR
from server.forms import get_form
from server.workbook.layout import layout_for


def test_one_mistyped_detail_cell_is_named_as_the_culprit():
    values = consistent_values("2021", seed=21)
    right = values["t2.deny_4.c_natural"]
    values["t2.deny_4.c_natural"] = right + 5
    report = check("2021", values)
    [culprit] = only(report, "locate.culprit")
    assert (culprit.key, culprit.cell, culprit.suggestion, culprit.actual) == (
        "t2.deny_4.c_natural",
        "D13",
        right,
        right + 5,
    )
    assert culprit.severity == ERROR
    assert {f.rule for f in report.findings} == {"locate.culprit", "sum.row_total", "sum.results_total"}


def test_only_culprits_carry_a_suggestion_in_the_json():
    values = consistent_values("2021", seed=22)
    values["t2.open.c_legal"] += 1
    payload = json.loads(json.dumps(check("2021", values).to_dict()))
    with_suggestion = [f for f in payload["findings"] if f["suggestion"] is not None]
    assert [(f["rule"], f["key"]) for f in with_suggestion] == [("locate.culprit", "t2.open.c_legal")]
    identity = next(f for f in payload["findings"] if f["rule"] == "sum.row_total")
    assert identity["expected"] is not None and identity["actual"] is not None


def test_a_wrong_typed_total_is_the_culprit():
    values = consistent_values("2019", seed=23)
    right = values["t2.total.c_natural"]
    values["t2.total.c_natural"] = right + 4
    report = check("2019", values)
    [culprit] = only(report, "locate.culprit")
    assert (culprit.key, culprit.suggestion) == ("t2.total.c_natural", right)
    assert {f.rule for f in report.findings} == {
        "locate.culprit",
        "sum.row_total",
        "sum.results_total",
        "balance.applications",
    }


def test_two_errors_are_both_named():
    values = consistent_values("2021", seed=24)
    values["t2.open.c_natural"] += 1
    values["t2.noproc_2.c_research"] += 2
    report = check("2021", values)
    assert {f.key for f in only(report, "locate.culprit")} == {"t2.open.c_natural", "t2.noproc_2.c_research"}


def test_ambiguity_is_said_when_several_cells_could_be_wrong():
    form = get_form("2021")
    values = without_totals(form, consistent_values(form, seed=25))
    right = values["t2.open.c_welfare"]
    values["t2.open.c_welfare"] += 1
    report = check("2021", values)
    assert not only(report, "locate.culprit")
    [ambiguous] = only(report, "locate.ambiguous")
    assert ambiguous.severity == ERROR  # one mistake, somewhere among the options
    assert ambiguous.suggestion is None
    options = [[(change["key"], change["suggestion"]) for change in option] for option in ambiguous.alternatives]
    # The mistyped cell and 一、本年新收 of the same column both fix the balance (I3) with one change.
    assert [("t2.open.c_welfare", right)] in options
    assert [("t2.new.c_welfare", values["t2.new.c_welfare"] + 1)] in options
    assert len(options) == len({tuple(option) for option in options}) >= 2
    for option in options:  # every option offered really makes every identity hold
        fixed = check("2021", {**values, **dict(option)})
        assert not [f for f in fixed.findings if f.severity == ERROR], option
    cells = [layout_for("2021").addresses[key][1] for ((key, _),) in options]
    assert ambiguous.message.startswith(f"{'、'.join(cells)} 中有一个填错，请逐一核对原始登记")
    for cell, ((_, suggestion),) in zip(cells, options, strict=True):
        assert f" {cell}「" in ambiguous.message and f"它应为 {suggestion}" in ambiguous.message
    assert "改为" not in ambiguous.message
    breaks = [f for f in report.findings if f.rule.startswith(("sum.", "balance."))]
    assert breaks and all(f.explained_by == ambiguous.id for f in breaks)
    assert report.counts[ERROR] == 1


def test_table_three_single_error_is_ambiguous_between_part_and_total():
    values = consistent_values("2021", seed=26)
    values["t3.cases.review_upheld"] += 1
    report = check("2021", values)
    [ambiguous] = only(report, "locate.ambiguous")
    keys = {option[0]["key"] for option in ambiguous.alternatives}
    assert "t3.cases.review_upheld" in keys and "t3.cases.review_total" in keys


def test_a_blank_cell_can_be_one_of_the_options():
    form = get_form("2021")
    values = {key: 0 for key, cell in form.cells.items() if not cell.derived}
    values.update({"t2.new.c_commercial": 3, "t2.open.c_commercial": 5})
    del values["t2.carry_in.c_commercial"]
    del values["t2.deny_1.c_commercial"]
    report = check("2021", values)
    [ambiguous] = only(report, "locate.ambiguous")
    options = {(option[0]["key"], option[0]["suggestion"]) for option in ambiguous.alternatives if len(option) == 1}
    assert {("t2.carry_in.c_commercial", 2), ("t2.new.c_commercial", 5), ("t2.open.c_commercial", 3)} <= options


def test_a_large_set_names_a_few_of_its_other_cells_in_each_message():
    """Six culprits: each message names three of the other five (each has its own finding), not all of them."""
    from builders import with_typos

    values = with_typos("2021", 0, 6, False)
    culprits = only(check("2021", values), "locate.culprit")
    assert len(culprits) == 6
    addresses = {f.key: f.cells[0].cell for f in culprits}
    for finding in culprits:
        others = [cell for key, cell in addresses.items() if key != finding.key]
        named = [cell for cell in others if f"{cell}「" in finding.message]
        assert len(named) == 3 and named == others[:3]
        assert f"等另外 {len(others)} 格一起修改，各格分别列出" in finding.message


def test_a_small_set_names_every_other_cell():
    values = consistent_values("2021", seed=24)
    values["t2.open.c_natural"] += 1
    values["t2.noproc_2.c_research"] += 2
    values["t2.deny_4.c_natural"] += 5
    culprits = only(check("2021", values), "locate.culprit")
    assert len(culprits) == 3
    for finding in culprits:
        others = [f.cells[0].cell for f in culprits if f is not finding]
        assert all(f"{cell}「" in finding.message for cell in others) and "等另外" not in finding.message
