"""District commands: units, district-user, collect (batch import), aggregate."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from district_data import workbook

from server.cli import main


@pytest.fixture
def run(db_url, tmp_path):
    """Invoke a command against a fresh database."""
    runner = CliRunner()
    env = {"SERVER_DATABASE_URL": db_url, "SERVER_INSTANCE_PATH": str(tmp_path / "instance")}

    def invoke(*args):
        return runner.invoke(main, list(args), env=env)

    return invoke


def test_units_add_list_reset_and_token(run):
    result = run("units", "add", "甲街道办事处", "--kind", "街道办事处", "--login", "jia")
    assert result.exit_code == 0 and "登录名 jia" in result.output and "jcnb_" in result.output
    assert run("units", "add", "甲街道办事处").exit_code != 0
    assert "甲街道办事处" in run("units", "list").output
    assert "密码" in run("units", "reset-password", "甲街道办事处").output
    assert "jcnb_" in run("units", "new-token", "甲街道办事处").output
    assert run("units", "reset-password", "不存在").exit_code != 0


def test_units_import_from_xlsx_reports_bad_rows(run, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["单位名称", "单位类型", "登录名"],
        ["甲街道办事处", "街道", "jia"],
        ["", "", ""],
        ["乙镇人民政府", "乡镇", "jia"],
    ):
        sheet.append(row)
    book.save(tmp_path / "名单.xlsx")
    output = run("units", "import", str(tmp_path / "名单.xlsx")).output
    assert "第 2 行：甲街道办事处" in output and "未登记：登录名“jia”已被使用" in output


def test_collect_a_folder_with_good_bad_and_unknown_files(run, tmp_path):
    run("units", "add", "甲街道办事处")
    run("units", "add", "乙镇人民政府")
    run("units", "add", "丙街道")
    folder = tmp_path / "邮件附件"
    folder.mkdir()
    (folder / "甲.xlsx").write_bytes(workbook("甲街道办事处"))
    (folder / "乙.xlsx").write_bytes(workbook("乙镇人民政府", **{"t2.open.c_natural": 999}))
    (folder / "丙.xlsx").write_bytes(workbook("丙街道", **{"t1.rules.issued": 2, "t1.rules.in_force": 2}))
    (folder / "丁.xlsx").write_bytes(workbook("丁镇"))
    (folder / "坏.xlsx").write_bytes(b"not a workbook")
    (folder / "旧.xlsx").write_bytes(workbook("甲街道办事处", year=2024))
    result = run("collect", str(folder), "--year", "2025")
    assert result.exit_code == 0, result.output
    lines = {
        line.split()[0]: line
        for line in result.output.splitlines()
        if line.split() and line.split()[0].endswith(".xlsx")
    }
    assert "已入库" in lines["甲.xlsx"]
    assert "有错误未入库" in lines["乙.xlsx"]
    assert "有提示待说明" in lines["丙.xlsx"]
    assert "未登记单位" in lines["丁.xlsx"]
    assert "无法读取" in lines["坏.xlsx"]
    assert "年度不符" in lines["旧.xlsx"]
    assert "共 6 个文件，入库 2 个。" in result.output
    again = run("collect", str(folder), "--year", "2025")
    assert "内容相同，未重复入库" in again.output


def test_aggregate_command_writes_the_workbook(run, tmp_path):
    run("units", "add", "甲街道办事处")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "甲.xlsx").write_bytes(workbook("甲街道办事处"))
    run("collect", str(folder), "--year", "2025")
    result = run("aggregate", "2025", "-o", str(tmp_path / "汇总.xlsx"))
    assert result.exit_code == 0, result.output
    assert "汇总单位" in openpyxl.load_workbook(tmp_path / "汇总.xlsx").sheetnames


def test_district_user_and_init_db(run):
    result = run("district-user", "admin2")
    assert result.exit_code == 0 and "密码" in result.output
    assert run("init-db").exit_code == 0
