"""Invariants of the form definitions (docs/forms.md §2–§5), and the definitions against the hand-written oracle."""

from __future__ import annotations

import oracle
import pytest

from server.forms import FORMS
from server.forms import form_for_year
from server.forms import get_form
from server.forms.derive import expand
from server.rules.catalogue import RULES
from server.rules.messages import template_for
from server.workbook.layout import layout_for

VERSIONS = sorted(FORMS)


def _table_counts(form, table_key):
    cells = [c for c in form.cells.values() if c.table.key == table_key]
    return len(cells), sum(not c.derived for c in cells), sum(c.derived for c in cells)


@pytest.mark.parametrize(
    ("version", "table", "cells", "inputs", "derived"),
    [
        ("2019", "t1", 22, 22, 0),
        ("2019", "t2", 161, 132, 29),
        ("2019", "t3", 15, 12, 3),
        ("2021", "t1", 10, 10, 0),
        ("2021", "t2", 175, 144, 31),
        ("2021", "t3", 15, 12, 3),
    ],
    ids=lambda value: str(value),
)
def test_cell_counts_match_the_specification(version, table, cells, inputs, derived):
    assert _table_counts(get_form(version), table) == (cells, inputs, derived)


@pytest.mark.parametrize("version", VERSIONS)
def test_keys_are_unique_and_well_formed(version):
    form = get_form(version)
    keys = [cell.key for cell in form.cells.values()]
    assert len(keys) == len(set(keys))
    assert all(key.count(".") == 2 for key in keys)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_derived_cell_expands_to_inputs(version):
    form = get_form(version)
    for key, cell in form.cells.items():
        if cell.derived:
            leaves = expand(key, form.definitions)
            assert leaves and all(not form.cells[leaf].derived for leaf in leaves)
            assert all(coef == 1 for coef in leaves.values())


@pytest.mark.parametrize("version", VERSIONS)
def test_identity_counts(version):
    form = get_form(version)
    rows = len(form.table("t2").rows)
    names = [identity.name for identity in form.identities]
    assert names.count("I1") == rows
    assert names.count("I2") == 7
    assert names.count("I3") == 7
    assert names.count("I4") == 3


@pytest.mark.parametrize("version", VERSIONS)
def test_results_total_sums_every_result_row(version):
    form = get_form(version)
    identity = next(i for i in form.identities if i.id == "I2:t2.total.c_natural")
    expected_terms = 19 if version == "2019" else 21
    assert len(identity.right) == expected_terms


def test_the_oracle_has_the_term_counts_of_the_specification():
    assert (len(oracle.RESULT_ROWS["2019"]), len(oracle.RESULT_ROWS["2021"])) == (19, 21)
    assert (len(oracle.T2_ROWS["2019"]), len(oracle.T2_ROWS["2021"])) == (23, 25)
    assert sorted(oracle.VERSIONS) == VERSIONS


def _identity_set(items):
    return sorted((name, tuple(sorted(left)), tuple(sorted(right))) for name, left, right in items)


@pytest.mark.parametrize("version", VERSIONS)
def test_identities_derived_from_the_definitions_are_the_hand_written_ones(version):
    """I1 per 表二 row, I2 (19/21 terms) and I3 per column, I4 per 表三 group: nothing more, nothing less."""
    derived = [(i.name, i.left, i.right) for i in get_form(version).identities]
    assert _identity_set(derived) == _identity_set(oracle.identities(version))


@pytest.mark.parametrize("version", VERSIONS)
def test_derived_cells_are_the_hand_written_ones(version):
    form = get_form(version)
    assert {key for key, cell in form.cells.items() if cell.derived} == oracle.derived(version)
    assert set(form.definitions) == oracle.derived(version)
    assert [row.key for row in form.table("t2").rows] == list(oracle.T2_ROWS[version])
    assert [column.key for column in form.table("t2").columns] == list(oracle.T2_COLUMNS)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_definitions_sum_the_hand_written_parts(version):
    """Each total, expanded down to typed cells, is the same sum in the definitions and in the oracle."""
    form = get_form(version)
    sums = dict(oracle.sums(version))
    for total in sums:
        assert expand(total, form.definitions) == expand(total, sums)


@pytest.mark.parametrize("version", VERSIONS)
def test_only_the_total_column_copies_are_implied(version):
    implied = [i.id for i in get_form(version).identities if i.implied_by]
    assert implied == ["I2:t2.total.c_total", "I3:t2.c_total"]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_label_appears_in_the_template_layout(version):
    form = get_form(version)
    texts = {region.text for sheet in layout_for(version).sheets for region in sheet.regions}
    printed = {column.display_label for column in form.table("t1").columns}
    missing = {
        label
        for label in form.labels
        if label not in texts and label not in {c.label for c in form.table("t1").columns}
    }
    assert not missing
    assert printed <= texts


@pytest.mark.parametrize("version", VERSIONS)
def test_every_rule_a_form_declares_has_a_template(version):
    form = get_form(version)
    for identity in form.identities:
        assert template_for(identity.rule)
    for special in form.specials:
        assert template_for(special.rule)
        assert special.rule in RULES
    for check in form.checks:
        assert check.label and check.advice and check.severity in ("error", "warning", "info")


def test_official_labels_of_the_2021_format():
    form = get_form("2021")
    labels = form.labels
    for label in (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "行政规范性文件",
        "本年处理决定数量",
        "本年收费金额（单位：万元）",
    ):
        assert label in labels
    assert "2.其他法律行政法规禁止公开" in labels
    assert "3.其他" in labels
    assert "第二十条第（九）项" not in labels


def test_official_labels_of_the_2019_format():
    labels = get_form("2019").labels
    for label in (
        "本年新制作数量",
        "上一年项目数量",
        "本年增/减",
        "第二十条第（九）项",
        "政府集中采购",
        "（六）其他处理",
    ):
        assert label in labels


@pytest.mark.parametrize(("year", "version"), [(2019, "2019"), (2020, "2019"), (2021, "2021"), (2025, "2021")])
def test_version_by_report_year(year, version):
    assert form_for_year(year).version == version


def test_form_for_a_year_before_the_forms_is_none():
    assert form_for_year(2018) is None


def test_versions_are_discovered_from_their_modules():
    import pkgutil

    import server.forms

    modules = [m.name for m in pkgutil.iter_modules(server.forms.__path__) if m.name.startswith("v")]
    assert sorted(FORMS) == sorted(m[1:] for m in modules)


def test_versions_cover_every_year_once():
    for year in range(2019, 2040):
        assert sum(form.applies_to(year) for form in FORMS.values()) == 1
