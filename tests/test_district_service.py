"""The district's collection as service functions, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from district_data import setup
from district_data import values_of
from district_data import values_with_carry_in
from district_data import workbook
from district_data import workbook_of
from sqlalchemy import func
from sqlalchemy import select

from server.district import service
from server.district.aggregate import aggregate
from server.district.board import status_board
from server.district.models import ACCEPTED
from server.district.models import CellValue
from server.district.models import Submission
from server.errors import NotAllowed
from server.errors import ServerError
from server.errors import SubmissionRejected


def _status(board, name):
    return next(row.status for row in board.rows if row.unit.name == name)


def test_units_get_their_own_login_and_token(session):
    unit, credentials = service.register_unit(session, " 丙街道 ", "街道")
    session.commit()
    assert unit.name == "丙街道" and credentials.password and credentials.token.startswith("jcnb_")
    account = service.authenticate(session, credentials.login, credentials.password)
    assert account.unit_id == unit.id
    assert service.account_for_token(session, credentials.token).id == account.id
    assert service.authenticate(session, credentials.login, "wrong") is None
    assert service.account_for_token(session, "jcnb_nope") is None
    with pytest.raises(ServerError):
        service.register_unit(session, "丙街道")


def test_submission_stores_file_cells_findings_and_hash(session):
    district, a, _ = setup(session)
    data = workbook("甲街道办事处")
    submission = service.submit(session, a, data, "甲.xlsx", None, "web")
    stored = session.get(Submission, submission.id)
    assert stored.content == data and stored.year == 2025 and stored.form_version == "2021"
    assert stored.version_no == 1 and stored.state == ACCEPTED and stored.channel == "web"
    assert len(stored.sha256) == 64 and stored.submitted_by == a.id
    cells = {cell.key: cell.value for cell in stored.cells}
    assert cells["t2.new.c_natural"] == values_of()["t2.new.c_natural"]
    assert stored.report["ok"] is True


def test_errors_are_refused_with_the_list(session):
    _, a, _ = setup(session)
    with pytest.raises(SubmissionRejected) as refused:
        service.submit(session, a, workbook("甲街道办事处", **{"t2.open.c_natural": 999}), "甲.xlsx", None, "web")
    assert refused.value.errors and all(error["severity"] == "error" for error in refused.value.errors)
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_warnings_need_an_explanation(session):
    _, a, _ = setup(session)
    data = workbook("甲街道办事处", **{"t1.rules.issued": 1, "t1.rules.in_force": 1})
    with pytest.raises(SubmissionRejected) as refused:
        service.submit(session, a, data, "甲.xlsx", "好的", "web")
    assert "审核说明" in refused.value.message
    submission = service.submit(session, a, data, "甲.xlsx", "本街道转发了市政府规章，已核实。", "web")
    assert submission.warnings >= 1 and submission.explanation.startswith("本街道")


def test_nobody_submits_for_another_unit(session):
    district, a, b = setup(session)
    with pytest.raises(SubmissionRejected) as refused:
        service.submit(session, a, workbook("乙镇人民政府"), "乙.xlsx", None, "web")
    assert "不能替其他单位提交" in refused.value.message
    with pytest.raises(NotAllowed):
        service.submit(session, district, workbook("甲街道办事处"), "甲.xlsx", None, "web")


def test_units_see_only_their_own_reports(session):
    district, a, b = setup(session)
    submission = service.submit(session, a, workbook("甲街道办事处"), "甲.xlsx", None, "web")
    assert service.get_submission(session, a, submission.id).id == submission.id
    assert service.get_submission(session, district, submission.id).id == submission.id
    with pytest.raises(NotAllowed):
        service.get_submission(session, b, submission.id)
    with pytest.raises(NotAllowed):
        service.history(session, b, a.unit_id)
    with pytest.raises(NotAllowed):
        service.return_submission(session, b, submission.id, "不行")
    with pytest.raises(NotAllowed):
        status_board(session, a, 2025)


def test_resubmission_is_a_new_version_and_the_latest_counts(session):
    _, a, _ = setup(session)
    original = workbook("甲街道办事处", seed=1)
    first = service.submit(session, a, original, "v1.xlsx", None, "web")
    second = service.submit(session, a, workbook("甲街道办事处", seed=2), "v2.xlsx", None, "excel")
    assert (first.version_no, second.version_no) == (1, 2)
    assert [s.version_no for s in service.history(session, a, a.unit_id, 2025)] == [2, 1]
    assert service.latest_accepted(session, 2025)[a.unit_id].id == second.id
    assert session.get(Submission, first.id).content == original


def test_return_with_a_reason_the_unit_sees(session):
    district, a, _ = setup(session)
    submission = service.submit(session, a, workbook("甲街道办事处"), "甲.xlsx", None, "web")
    service.return_submission(session, district, submission.id, "上年结转与去年报告不一致，请核实。")
    seen = service.get_submission(session, a, submission.id)
    assert seen.state == "returned" and seen.returned_reason.startswith("上年结转")
    assert _status(status_board(session, district, 2025), "甲街道办事处") == "已退回"
    assert a.unit_id not in service.latest_accepted(session, 2025)
    again = service.submit(session, a, workbook("甲街道办事处", seed=3), "甲2.xlsx", None, "web")
    assert again.version_no == 2 and service.latest_accepted(session, 2025)[a.unit_id].id == again.id


def test_cross_year_check_runs_against_last_years_submission_across_the_format_change(session):
    _, a, _ = setup(session)
    service.submit(session, a, workbook("甲街道办事处", year=2020, seed=4), "2020.xlsx", None, "web")
    last = values_of(2020, seed=4)
    carry = {key.rsplit(".", 1)[1]: value for key, value in last.items() if key.startswith("t2.carry_out.")}
    matching = values_with_carry_in(2021, 5, carry)
    _, report = service.check_workbook(session, a.unit, workbook_of("甲街道办事处", 2021, matching))
    assert report.outcomes["cross.carry_in"].passed == 7
    carry["c_natural"] += 3
    _, report = service.check_workbook(
        session, a.unit, workbook_of("甲街道办事处", 2021, values_with_carry_in(2021, 5, carry))
    )
    assert {f.key for f in report.findings if f.rule == "cross.carry_in"} == {
        "t2.carry_in.c_natural",
        "t2.carry_in.c_total",
    }


def test_board_progress_filter_sort_and_exports(session):
    district, a, b = setup(session)
    service.submit(session, a, workbook("甲街道办事处"), "甲.xlsx", None, "web")
    board = status_board(session, district, 2025)
    assert (board.submitted, board.total) == (1, 2)
    assert (_status(board, "甲街道办事处"), _status(board, "乙镇人民政府")) == ("已提交", "未提交")
    assert [row.unit.name for row in status_board(session, district, 2025, status="未提交").rows] == ["乙镇人民政府"]
    assert status_board(session, district, 2025, sort="status").rows[0].status == "未提交"
    from server.district.board import board_csv
    from server.district.board import board_xlsx

    assert "甲街道办事处" in board_csv(board).decode("utf-8-sig")
    assert board_xlsx(board)[:2] == b"PK"


def test_units_are_listed_by_pinyin_and_the_board_can_keep_the_registered_order(session):
    district, _, _ = setup(session)  # registers 甲街道办事处, then 乙镇人民政府
    for name in ("重庆路街道办事处", "长安镇人民政府", "区教育局"):
        service.register_unit(session, name, None)
    session.commit()
    by_name = ["长安镇人民政府", "重庆路街道办事处", "甲街道办事处", "区教育局", "乙镇人民政府"]  # chang, chong, jia …
    assert [unit.name for unit in service.units(session)] == by_name
    assert [row.unit.name for row in status_board(session, district, 2025).rows] == by_name
    registered = [row.unit.name for row in status_board(session, district, 2025, sort="registered").rows]
    assert registered == ["甲街道办事处", "乙镇人民政府", "重庆路街道办事处", "长安镇人民政府", "区教育局"]
    # ties in another order keep the pinyin order
    assert [row.unit.name for row in status_board(session, district, 2025, sort="status").rows] == by_name


def test_aggregation_sums_the_latest_accepted_reports(session):
    district, a, b = setup(session)
    service.submit(session, a, workbook("甲街道办事处", seed=6), "甲.xlsx", None, "web")
    service.submit(session, b, workbook("乙镇人民政府", seed=7), "乙.xlsx", None, "web")
    result = aggregate(session, district, 2025)
    expected = values_of(seed=6)["t2.new.c_total"] + values_of(seed=7)["t2.new.c_total"]
    assert result.values["t2.new.c_total"] == expected
    assert [s.unit.name for s in result.included] == ["甲街道办事处", "乙镇人民政府"]  # jia before yi


def test_a_crash_mid_submit_leaves_no_partial_submission(session, monkeypatch):
    _, a, _ = setup(session)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "cell_rows", broken)
    with pytest.raises(RuntimeError):
        service.submit(session, a, workbook("甲街道办事处"), "甲.xlsx", None, "web")
    assert session.scalar(select(func.count()).select_from(Submission)) == 0
    assert session.scalar(select(func.count()).select_from(CellValue)) == 0


def test_district_can_reset_password_and_token(session):
    district, a, _ = setup(session)
    credentials = service.reset_password(session, district, a.unit_id)
    assert service.authenticate(session, a.login, credentials.password).id == a.id
    token = service.renew_token(session, district, a.unit_id).token
    assert service.account_for_token(session, token).id == a.id
    with pytest.raises(NotAllowed):
        service.reset_password(session, a, a.unit_id)
