"""Narrative vs tables (FORMS.md P9): passing, failing, undecided and not-applicable statements."""

from __future__ import annotations

from pathlib import Path

import pytest
from published_docs import text_report
from published_docs import zeros

from server.published import validate_published
from server.published.document import Paragraph
from server.published.narrative import find_statements

SEED_DIR = Path(__file__).parent / "data" / "seeds"


def _seed(prefix: str) -> str:
    [path] = SEED_DIR.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _run(text: str):
    return validate_published(text.encode("utf-8"), "r.txt")[1]


def _narrative(report):
    return [f for f in report.findings if f.rule == "narrative.mismatch"]


def _outcome(report):
    outcome = report.outcomes.get("narrative.mismatch")
    return outcome.to_dict() if outcome else None


# The seeds' own text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "passed"),
    [("001", 5), ("003", 3), ("004", 2)],
    ids=["001 未收到 规范性文件 复议诉讼", "003 会商机制办理1件 复议诉讼", "004 个人申请0件 法人申请0件"],
)
def test_seed_statements_agree_with_the_tables(prefix, passed):
    report = _run(_seed(prefix))
    assert _narrative(report) == []
    assert _outcome(report) == {"passed": passed, "failed": 0, "undecided": 0}


@pytest.mark.parametrize("prefix", ["000", "002"])
def test_seed_without_statements_is_not_applicable(prefix):
    assert _outcome(_run(_seed(prefix))) is None


def test_seed_004_information_fee_is_not_the_administrative_fee_cell():
    """“无收取信息处理费情况” is about applications, not 表一 行政事业性收费: not compared."""
    text = _seed("004").replace("行政事业性收费\t0", "行政事业性收费\t2.5")
    report = _run(text)
    assert _narrative(report) == []


def test_seed_001_denial_of_applications_fails_when_the_table_has_one():
    text = _seed("001").replace(
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
        "一、本年新收政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1",
    )
    report = _run(text)
    found = _narrative(report)
    assert [(f.cell, f.key, f.expected, f.actual) for f in found] == [
        ("第23行", "t2.new.c_total", 1, 0),
        ("第63行", "t2.new.c_total", 1, 0),
    ]
    assert "“本年度我办未收到依申请公开信息。”" in found[0].message
    assert "表二第69行第7个数「一、本年新收政府信息公开申请数量·总计」为 1" in found[0].message
    assert found[0].severity == "warning"


def test_seed_001_denial_of_review_fails_when_table_three_has_a_case():
    text = _seed("001").replace("0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0", "1\t0\t0\t0\t1" + "\t0" * 11)
    report = _run(text)
    [found] = _narrative(report)
    assert found.key == "t3.cases.review_total"
    assert "没有因信息公开而被提起行政复议或行政诉讼" in found.message
    assert _outcome(report) == {"passed": 4, "failed": 1, "undecided": 0}


def test_seed_003_narrower_scope_is_asked_about_with_its_wording():
    text = _seed("003").replace("通过会商机制办理信息公开申请1件", "通过会商机制办理信息公开申请3件")
    [found] = _narrative(_run(text))
    assert found.key == "t2.total.c_total" and (found.expected, found.actual) == (1, 3)
    assert "该句说的是“今年以来,我街道已通过会商机制办理信息公开申请”" in found.message


def test_seed_004_applicant_kind_names_the_natural_person_column():
    text = _seed("004").replace("受理个人申请政府信息公开申请 0 件", "受理个人申请政府信息公开申请 2 件")
    [found] = _narrative(_run(text))
    assert found.key == "t2.new.c_natural"
    assert "「一、本年新收政府信息公开申请数量·自然人」为 0" in found.message


# Generated reports ---------------------------------------------------------------------------------


def _applications(received=21, natural=15, answered=20, carried=1, open_=12, denied=3):
    values = zeros("2021")
    values |= {"t2.new.c_natural": natural, "t2.new.c_commercial": received - natural, "t2.new.c_total": received}
    values |= {"t2.open.c_natural": open_, "t2.open.c_total": open_}
    values |= {"t2.deny_4.c_natural": denied, "t2.deny_4.c_total": denied}
    rest = answered - open_ - denied
    values |= {"t2.unable_1.c_commercial": rest, "t2.unable_1.c_total": rest}
    values |= {"t2.total.c_natural": open_ + denied, "t2.total.c_commercial": rest, "t2.total.c_total": answered}
    values |= {"t2.carry_out.c_commercial": carried, "t2.carry_out.c_total": carried}
    return values


SENTENCE = (
    "本年度共收到政府信息公开申请21件，其中自然人申请15件，法人或其他组织申请6件；"
    "办结20件，其中予以公开12件，不予公开3件；结转下年度继续办理1件。"
)


def test_consistent_sentence_passes_every_statement():
    report = _run(text_report("2021", _applications(), narrative=(SENTENCE,)))
    assert _narrative(report) == []
    assert _outcome(report) == {"passed": 7, "failed": 0, "undecided": 0}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"received": 22, "natural": 16}, "t2.new.c_total"),
        ({"answered": 19}, "t2.total.c_total"),
        ({"carried": 2, "received": 22, "natural": 16}, "t2.carry_out.c_total"),
        ({"open_": 11}, "t2.open.c_total"),
    ],
    ids=["received", "answered", "carried", "open"],
)
def test_each_mismatch_names_its_cell(change, key):
    report = _run(text_report("2021", _applications(**change), narrative=(SENTENCE,)))
    assert key in {f.key for f in _narrative(report)}


def test_denied_total_is_the_sum_of_its_rows():
    values = _applications()
    values |= {"t2.deny_4.c_natural": 2, "t2.deny_5.c_natural": 1, "t2.deny_4.c_total": 2, "t2.deny_5.c_total": 1}
    assert _narrative(_run(text_report("2021", values, narrative=(SENTENCE,)))) == []
    values |= {"t2.deny_5.c_natural": 2, "t2.deny_5.c_total": 2, "t2.total.c_natural": 16, "t2.total.c_total": 21}
    [found] = [f for f in _narrative(_run(text_report("2021", values, narrative=(SENTENCE,)))) if f.key is None]
    assert found.key is None and len(found.cells) == 8 and found.expected == 4
    assert "「不予公开」各行“总计”之和（8个单元格）为 4" in found.message


def test_representative_office_wording_is_quoted():
    text = text_report("2021", _applications(), narrative=("区政府办代表区政府受理政府信息公开申请5件。",))
    [found] = _narrative(_run(text))
    assert "代表区政府受理政府信息公开申请" in found.message and found.actual == 5


def test_no_fees_sentence_fails_when_the_fee_cell_is_above_zero():
    values = zeros("2021") | {"t1.fees.fee_amount": 2.5}
    [found] = _narrative(_run(text_report("2021", values, narrative=("本年度未收取行政事业性收费。",))))
    assert found.key == "t1.fees.fee_amount" and found.expected == 2.5
    assert _narrative(_run(text_report("2021", zeros("2021"), narrative=("本年度未收取行政事业性收费。",)))) == []


def test_issued_normative_documents_compare_with_table_one():
    values = zeros("2021") | {"t1.normative.issued": 3, "t1.normative.in_force": 3}
    ok = _run(text_report("2021", values, narrative=("全年制发行政规范性文件3件。",)))
    assert _narrative(ok) == [] and _outcome(ok)["passed"] == 1
    [found] = _narrative(_run(text_report("2021", values, narrative=("全年制发行政规范性文件2件。",))))
    assert found.key == "t1.normative.issued"


def test_review_and_suit_counts_compare_with_table_three_totals():
    values = zeros("2021") | {"t3.cases.review_upheld": 2, "t3.cases.review_total": 2}
    values |= {"t3.cases.suit_after_pending": 1, "t3.cases.suit_after_total": 1}
    ok = _run(text_report("2021", values, narrative=("本年度发生行政复议2件、行政诉讼1件。",)))
    assert _narrative(ok) == []
    bad = _run(text_report("2021", values, narrative=("行政复议和行政诉讼均为0件。",)))
    assert {f.key for f in _narrative(bad)} == {"t3.cases.review_total", None}


def test_unreadable_cell_leaves_the_statement_undecided():
    values = _applications() | {"t2.new.c_natural": "若干"}
    report = _run(text_report("2021", values, narrative=("受理个人申请15件。",)))
    assert _narrative(report) == []
    assert _outcome(report)["undecided"] == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "收到区人大代表建议 0 件、区政协委员提案 5 件。",
        "依申请公开数量同比增长5件。",
        "2020年收到政府信息公开申请5件。",
        "受理并办结政府信息公开申请21件。",
        "接听政务热线咨询申请事项30件。",
        "主动公开政府信息314条。",
    ],
)
def test_ambiguous_or_unrelated_sentences_are_not_compared(sentence):
    assert find_statements([Paragraph(sentence, "第1行")], 2021) == []


def test_carrying_over_to_the_next_year_by_its_number():
    """“结转至2022年度继续办理1件” in a 2021 report is about this year's 四、结转下年度."""
    statements = find_statements([Paragraph("本年度收到申请5件，结转至2022年度继续办理1件。", "第1行")], 2021)
    assert [(s.target.name, s.stated) for s in statements] == [("新收", 5), ("结转下年度", 1)]
    assert find_statements([Paragraph("2022年收到政府信息公开申请3件。", "第1行")], 2021) == []


def test_the_clause_nearest_the_number_names_it():
    """An earlier “审核、答复等环节” does not make “共收到申请21件” ambiguous."""
    text = "我办规范受理、登记、审核、答复等各个环节，全年共收到政府信息公开申请21件，其中自然人申请15件。"
    statements = find_statements([Paragraph(text, "第1行")], 2021)
    assert [(s.target.name, s.stated, s.applicants) for s in statements] == [("新收", 21, ""), ("新收", 15, "自然人")]
    assert [s.target.name for s in find_statements([Paragraph("关于行政复议，本年度共2件。", "第1行")])] == ["行政复议"]


def test_organisation_applicants_are_named_as_such():
    text = text_report("2021", _applications(), narrative=("本年度受理法人或其他组织申请5件。",))
    [found] = _narrative(_run(text))
    assert "「一、本年新收政府信息公开申请数量·法人或其他组织」（5个单元格之和）为 6" in found.message


def test_statement_about_a_table_the_document_does_not_print_is_undecided():
    """表三 printed as an image (or left out): “没有行政复议” cannot be compared with blanks counted as 0."""
    values = {key: value for key, value in zeros("2021").items() if not key.startswith("t3.")}
    text = text_report("2021", values, narrative=("本年度发生行政复议2件。",))
    report = _run(text)
    assert _narrative(report) == [] and _outcome(report)["undecided"] == 1
    assert "layout.missing_table" in {f.rule for f in report.findings}
