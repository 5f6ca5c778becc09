"""Plain-text published reports: the five seed texts and generated variations of the printed tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from published_docs import text_report
from published_docs import zeros
from seeds import SEEDS
from seeds import seed_values

from server.errors import UnknownFormVersion
from server.forms import get_form
from server.forms.derive import expand
from server.published import read_published
from server.published import validate_published

SEED_DIR = Path(__file__).parent / "data" / "seeds"


def _seed_bytes(seed) -> bytes:
    return (SEED_DIR / f"{seed.name}.txt").read_bytes()


def _pairs(report, form):
    """(rule, cell key) of every finding; (rule, table name) for findings on no cell."""
    return {(f.rule, f.key or f.sheet) for f in report.findings}


def _expected(seed):
    form = get_form(seed.version)
    by_sheet = {table.sheet: table.name for table in form.tables}
    return {(rule, where if isinstance(where, str) else by_sheet[where[0]]) for rule, where in seed.expected}


# The seeds --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_seed_text_reads_into_exactly_the_transcribed_values(seed):
    reading = read_published(_seed_bytes(seed), f"{seed.name}.txt")
    values, _ = seed_values(seed)
    assert reading.form.version == seed.version
    assert reading.values == values


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_seed_text_gives_the_predicted_findings(seed):
    reading, report = validate_published(_seed_bytes(seed), f"{seed.name}.txt")
    assert (report.unit, report.year) == (seed.header["unit"], seed.header["year"])
    assert {k: v for k, v in reading.header.items() if k in seed.header} == seed.header
    assert _pairs(report, reading.form) == _expected(seed)


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_every_value_names_the_line_it_is_printed_on(seed):
    reading = read_published(_seed_bytes(seed), f"{seed.name}.txt")
    lines = _seed_bytes(seed).decode("utf-8").split("\n")
    assert set(reading.addresses) >= set(reading.form.cells)
    for key in reading.form.cells:
        sheet, where = reading.addresses[key]
        assert sheet == reading.form.cells[key].table.name
        match = re.fullmatch(r"第(\d+)行(?:第(\d+)个数)?", where)
        assert match, where
        printed = lines[int(match.group(1)) - 1]
        value = reading.values[key]
        if match.group(2) is None:
            assert printed.strip() == ("" if value is None else str(value)), (key, where)
        else:
            assert str(value) in printed.split("\t"), (key, where)


def test_seed_001_extra_value_of_table_three_is_named_by_its_line():
    seed = next(s for s in SEEDS if s.name.startswith("001"))
    _, report = validate_published(_seed_bytes(seed), "001.txt")
    [stray] = [f for f in report.findings if f.rule == "layout.stray"]
    assert (stray.sheet, stray.cell, stray.actual) == ("表三", "第102行第16个数", 0)
    assert "只有 15 列，却印有 16 个数" in stray.message


def test_seed_002_third_value_in_the_fees_row():
    seed = next(s for s in SEEDS if s.name.startswith("002"))
    _, report = validate_published(_seed_bytes(seed), "002.txt")
    [stray] = [f for f in report.findings if f.rule == "layout.stray"]
    assert (stray.sheet, stray.cell) == ("表一", "第73行")
    assert "行政事业性收费" in stray.message


def test_seed_003_blank_total_stays_blank_and_is_named_by_its_line():
    seed = next(s for s in SEEDS if s.name.startswith("003"))
    reading, report = validate_published(_seed_bytes(seed), "003.txt")
    assert reading.values["t2.total.c_other"] is None
    assert reading.values["t2.total.c_natural"] == 1
    [filled] = [f for f in report.findings if f.rule == "total.filled"]
    assert (filled.sheet, filled.cell) == ("表二", "第351行")
    assert report.values["t2.total.c_other"] == 0


def test_seed_000_signature_date_and_seed_001_phone_come_from_the_text():
    by_name = {s.name[:3]: s for s in SEEDS}
    assert read_published(_seed_bytes(by_name["000"]), "000.txt").header["date"] == "2020年12月30日"
    reading = read_published(_seed_bytes(by_name["001"]), "001.txt")
    assert reading.header["phone"] == "0469-2651289"
    assert reading.addresses["header.unit"] == ("文档", "第3行")


# Table styles and version ---------------------------------------------------------------------


@pytest.mark.parametrize("style", ["tab", "cells", "pipe", "spaces"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_every_table_style_reads_back_every_cell(style, version):
    form = get_form(version)
    values = {key: index % 7 for index, key in enumerate(form.cells) if not form.cells[key].derived}
    if style == "spaces":  # blanks cannot be printed with spaces: print the totals too
        for key in form.definitions:
            values[key] = sum(coef * values[part] for part, coef in expand(key, form.definitions).items())
    year = form.first_year + 1
    reading = read_published(text_report(version, values, style=style, year=year).encode(), "r.txt")
    assert reading.form is form
    assert {k: v for k, v in reading.values.items() if v is not None} == values


def test_version_comes_from_the_labels_not_the_year():
    """A 2022 report printed in the 2019 format (S-rfs) is read as 2019 and gets P10."""
    text = text_report("2019", zeros("2019"), year=2022)
    reading, report = validate_published(text.encode(), "r.txt")
    assert reading.form.version == "2019"
    assert ("header.version_year", "header.year") in {(f.rule, f.key) for f in report.findings}


def test_gb18030_text_is_read():
    text = text_report("2021", zeros("2021"))
    reading = read_published(text.encode("gb18030"), "r.txt")
    assert reading.header["unit"] == "某某区某某街道办事处"


def test_a_document_without_tables_is_refused_in_chinese():
    with pytest.raises(UnknownFormVersion) as caught:
        read_published("某某街道2021年政府信息公开工作年度报告\n本年度未收到申请。\n".encode(), "r.txt")
    assert "没有找到" in caught.value.message


# Layout findings --------------------------------------------------------------------------------


def _validate(text: str):
    return validate_published(text.encode(), "r.txt")


def test_misprinted_label_is_matched_with_a_notice():
    values = zeros("2021") | {"t2.deny_2.c_natural": 1, "t2.deny_2.c_total": 1}
    values |= {"t2.new.c_natural": 1, "t2.new.c_total": 1, "t2.total.c_natural": 1, "t2.total.c_total": 1}
    text = text_report("2021", values, labels={"deny_2": "（三）不予公开2.其他法律行政止公开"})
    reading, report = _validate(text)
    assert reading.values["t2.deny_2.c_natural"] == 1
    [notice] = [f for f in report.findings if f.rule == "layout.label_fuzzy"]
    assert notice.severity == "info"
    assert "2.其他法律行政止公开" in notice.message and "2.其他法律行政法规禁止公开" in notice.message
    assert report.ok


def test_alias_label_gets_no_notice():
    text = text_report("2021", zeros("2021"), labels={"deny_2": "2.其他法律法规禁止公开"})
    _, report = _validate(text)
    assert not [f for f in report.findings if f.rule.startswith("layout.")]


def test_2019_other_row_in_a_2021_report_is_reported_and_counted_as_other():
    values = zeros("2021") | {"t2.new.c_natural": 2, "t2.new.c_total": 2, "t2.total.c_natural": 2}
    values |= {"t2.total.c_total": 2}
    lines = text_report("2021", values, labels={"other_1": "（六）其他处理", "other_2": None, "other_3": None})
    lines = lines.replace("（六）其他处理\t0\t0\t0\t0\t0\t0\t0", "（六）其他处理\t2\t0\t0\t0\t0\t0\t2")
    reading, report = _validate(lines)
    [other] = [f for f in report.findings if f.rule == "layout.other_version"]
    assert "2019年版" in other.message and "3.其他" in other.message
    assert reading.values["t2.other_3.c_natural"] == 2
    assert not [f for f in report.findings if f.rule == "layout.missing_row"]
    assert not [f for f in report.findings if f.rule.startswith(("sum.", "balance."))]


def test_2021_sub_rows_in_a_2019_report_add_up_in_the_single_row():
    text = text_report("2019", zeros("2019"), year=2020, labels={"other": None})
    extra = "".join(
        f"{label}\t1\t0\t0\t0\t0\t0\t1\n"
        for label in ("（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "3.其他")
    )
    text = text.replace("（七）总计", extra + "（七）总计", 1)
    reading, report = _validate(text)
    assert reading.values["t2.other.c_natural"] == 2
    assert len([f for f in report.findings if f.rule == "layout.other_version"]) == 2


def test_row_of_the_other_version_without_counterpart_is_not_read():
    text = text_report("2021", zeros("2021"))
    text = text.replace("行政许可\t0\n", "行政许可\t0\n其他对外管理服务事项\t5\t1\t3\n")
    reading, report = _validate(text)
    [other] = [f for f in report.findings if f.rule == "layout.other_version"]
    assert "数字未读取" in other.message
    assert 5 not in reading.values.values()


def test_missing_value_in_a_row_is_an_error_naming_the_line():
    text = text_report("2021", zeros("2021"))
    text = text.replace(
        "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0", "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0"
    )
    reading, report = _validate(text)
    [missing] = [f for f in report.findings if f.rule == "layout.missing_value"]
    assert missing.severity == "error"
    assert re.fullmatch(r"第\d+行", missing.cell)
    assert "只印有 6 个数，应有 7 个" in missing.message and "“总计”" in missing.message
    assert reading.values["t2.carry_in.c_total"] is None


def test_blank_cell_is_not_a_printed_zero():
    values = zeros("2021") | {"t1.rules.repealed": None}
    reading, report = _validate(text_report("2021", values))
    assert reading.values["t1.rules.repealed"] is None
    assert reading.values["t1.rules.issued"] == 0
    [blank] = [f for f in report.findings if f.rule == "value.blank"]
    assert re.search(r"（第\d+行第2个数）", blank.message)


def test_unknown_row_with_numbers_inside_a_table_is_reported():
    text = text_report("2021", zeros("2021")).replace("行政处罚\t0\n", "行政处罚\t0\n其他主动公开文件\t7\n")
    _, report = _validate(text)
    [unknown] = [f for f in report.findings if f.rule == "layout.unknown_row"]
    assert "其他主动公开文件" in unknown.message and unknown.sheet == "表一"


def test_row_not_printed_is_reported_missing():
    _, report = _validate(text_report("2021", zeros("2021"), labels={"unable_2": None}))
    [missing] = [f for f in report.findings if f.rule == "layout.missing_row"]
    assert "2.没有现成信息需要另行制作" in missing.message


def test_label_cut_by_a_page_break_is_completed_without_notice():
    """Seed 001: ``1. 信访举报投诉`` … next line ``不予处理 类申请``."""
    text = text_report("2019", zeros("2019"), year=2020)
    text = text.replace("（五）不予处理1.信访举报投诉类申请\t", "(五)\t1. 信访举报投诉\t").replace(
        "（五）不予处理2.重复申请", "不予处理\t类申请\n（五）不予处理2.重复申请"
    )
    reading, report = _validate(text)
    assert reading.values["t2.noproc_1.c_natural"] == 0
    assert not [f for f in report.findings if f.rule.startswith("layout.")]


def test_row_broken_by_a_page_with_its_numbers_on_the_second_part():
    text = text_report("2021", zeros("2021") | {"t2.other_1.c_natural": 4})
    old = "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t4"
    assert old in text
    new = "（六）其他处理\t1.申请人无正当理由逾期不补正、\n第 3 页\n行政机关不再处理其政府信息公开申请\t4"
    reading = read_published(text.replace(old, new).encode(), "r.txt")
    assert reading.values["t2.other_1.c_natural"] == 4
    assert not reading.findings


def test_label_printed_on_the_line_above_its_numbers():
    text = text_report("2021", zeros("2021") | {"t2.new.c_natural": 3})
    old = "一、本年新收政府信息公开申请数量\t3"
    text = text.replace(old, "一、本年新收政府信息公开申请数量\t\n\t3")
    reading = read_published(text.encode(), "r.txt")
    assert reading.values["t2.new.c_natural"] == 3
    assert not reading.findings


def test_piece_of_a_group_label_beside_a_row_is_left_out():
    """PDF text of a group label spanning rows lands beside one of them: ``年度办 | （一）予以公开``."""
    text = text_report("2021", zeros("2021") | {"t2.open.c_natural": 2})
    text = text.replace("三、本年度办理结果（一）予以公开\t2", "年度办\t（一）予以公开\t2")
    reading = read_published(text.encode(), "r.txt")
    assert reading.values["t2.open.c_natural"] == 2
    assert not reading.findings


def test_year_in_chinese_digits_in_the_title():
    text = text_report("2021", zeros("2021"), year=2021).replace("2021年政府信息公开", "二〇二一年政府信息公开", 1)
    reading = read_published(text.encode(), "r.txt")
    assert (reading.header["unit"], reading.header["year"]) == ("某某区某某街道办事处", 2021)


@pytest.mark.parametrize("name", ["年报.doc", "年报.wps"])
def test_old_word_files_are_refused_with_how_to_convert(name):
    from server.errors import DocumentUnreadable

    with pytest.raises(DocumentUnreadable) as caught:
        read_published(b"\xd0\xcf\x11\xe0 old word", name)
    assert "另存为 .docx" in caught.value.message


def test_title_without_a_unit_gives_way_to_one_with_it():
    """A web page titled “2023年度政府信息公开工作年度报告” names its unit in the heading below."""
    text = "2023年度政府信息公开工作年度报告\n\n某某区市场监督管理局2023年政府信息公开工作年度报告\n"
    text += "\n".join(text_report("2021", zeros("2021"), year=2023).split("\n")[1:])
    reading = read_published(text.encode(), "r.txt")
    assert (reading.header["unit"], reading.header["year"]) == ("某某区市场监督管理局", 2023)


def test_web_page_publication_date_stands_in_for_a_missing_signature_date():
    text = text_report("2021", zeros("2021"), year=2021) + "发布时间：2022-02-15 09:30\n网站标识码 1234\n"
    text = text.replace("某某区某某街道办事处2021年", "关于某某区某某街道办事处2021年", 1)
    reading, report = validate_published(text.encode(), "r.txt")
    assert reading.header["date"] == "2022-02-15" and reading.header["unit"] == "某某区某某街道办事处"
    assert report.year == 2021 and not [f for f in report.findings if f.rule.startswith("header.")]
    signed = text.replace("发布时间", "2022年1月20日\n发布时间")
    assert read_published(signed.encode(), "r.txt").header["date"] == "2022年1月20日"


def test_added_subtotal_column_of_organisations_is_left_out_with_one_error():
    """A report that prints a “法人或其他组织 小计” column the form does not have (FORMS.md N1)."""
    values = zeros("2021") | {"t2.new.c_natural": 2, "t2.new.c_commercial": 3, "t2.new.c_legal": 1}
    values |= {"t2.new.c_total": 6, "t2.open.c_natural": 2, "t2.open.c_commercial": 3, "t2.open.c_legal": 1}
    values |= {"t2.open.c_total": 6, "t2.total.c_natural": 2, "t2.total.c_commercial": 3, "t2.total.c_legal": 1}
    values |= {"t2.total.c_total": 6}
    lines = []
    for line in text_report("2021", values).split("\n"):
        fields = line.split("\t")
        if len(fields) == 8 and all(f.isdigit() for f in fields[1:]):
            fields.insert(7, str(sum(int(f) for f in fields[2:7])))
        lines.append("\t".join(fields))
    reading, report = validate_published("\n".join(lines).encode(), "r.txt")
    assert {k: v for k, v in reading.values.items() if k.startswith("t2.")} == {
        k: v for k, v in values.items() if k.startswith("t2.")
    }
    [stray] = [f for f in report.findings if f.rule == "layout.stray"]
    assert "“法人或其他组织”的小计（25 行" in stray.message and stray.cell.endswith("第7个数")
    assert [f.rule for f in report.findings] == ["layout.stray"]


def test_unit_from_the_signature_when_the_title_names_none():
    text = text_report("2021", zeros("2021"), year=2021).replace("某某区某某街道办事处2021年", "2021年", 1)
    text += "\n某某区某某街道办事处\n2022年1月20日\n"
    reading = read_published(text.encode(), "r.txt")
    assert reading.header["unit"] == "某某区某某街道办事处" and reading.header["year"] == 2021
