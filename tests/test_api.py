"""The JSON API door: values by key or address, workbook upload, forms, OpenAPI, one error shape."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from builders import with_totals
from openapi_spec_validator import validate as validate_openapi

from server import create_app
from server.api.responses import FindingSchema
from server.api.responses import ReportSchema
from server.district.db import dispose
from server.findings import Finding
from server.findings import Report
from server.forms import FORMS
from server.forms import get_form
from server.workbook.layout import RESULT_SHEET
from server.workbook.layout import layout_for
from server.xlsx.template import make_workbook

ROOT = Path(__file__).resolve().parent.parent
ERROR_KEYS = {"ok", "error", "errors", "status"}


def _payload(version="2021", seed=1, **changes):
    form = get_form(version)
    values = {**consistent_values(form, seed=seed), **changes}
    return {"version": version, "values": values, "header": header_for(form)}


def _flat(report_json):
    return sorted((f["rule"], f["key"], f["sheet"], f["cell"], f["severity"]) for f in report_json["findings"])


def _by_address(version, values, spellings=("{sheet}!{cell}", "{table}!{cell}", "{key}!{cell}")):
    """The values keyed by A1 address, cycling through the accepted spellings."""
    form, addresses = get_form(version), layout_for(version).addresses
    out = {}
    for index, (key, value) in enumerate(values.items()):
        sheet, cell = addresses[key]
        table = form.cells[key].table
        out[spellings[index % len(spellings)].format(sheet=sheet, table=table.name, key=table.key, cell=cell)] = value
    return out


# Values ----------------------------------------------------------------------------------


def test_validate_by_cell_keys(client):
    response = client.post("/api/v1/validate", json=_payload(**{"t2.open.c_natural": 99}))
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is False and body["version"] == "2021"
    culprit = next(f for f in body["findings"] if f["rule"] == "locate.culprit")
    assert (culprit["sheet"], culprit["cell"], culprit["key"]) == ("表二 依申请公开", "D8", "t2.open.c_natural")


def test_consistent_values_pass(client):
    body = client.post("/api/v1/validate", json=_payload(seed=3)).get_json()
    assert body["ok"] is True and body["counts"]["error"] == 0


@pytest.mark.parametrize("version", sorted(FORMS))
def test_addresses_give_the_same_findings_as_keys(client, version):
    payload = _payload(version, **{"t2.open.c_natural": 99, "t2.new.c_other": "37个", "t3.cases.review_upheld": None})
    keyed = client.post("/api/v1/validate", json=payload).get_json()
    addressed = client.post("/api/v1/validate", json={**payload, "values": _by_address(version, payload["values"])})
    assert addressed.status_code == 200
    assert _flat(addressed.get_json()) == _flat(keyed)
    assert ("value.text", "t2.new.c_other") in {(f["rule"], f["key"]) for f in keyed["findings"]}


def test_largest_exact_number_is_accepted(client):
    payload = _payload(**{"t2.new.c_natural": 2**53 - 1, "t2.new.c_commercial": -(2**53 - 1)})
    assert client.post("/api/v1/validate", json=payload).status_code == 200


def test_address_spellings_are_forgiving(client):
    spellings = ("'{sheet}'!{cell}", "{table}!${cell}", "{key}!{cell}")
    payload = _payload(**{"t2.open.c_natural": 99})
    keyed = client.post("/api/v1/validate", json=payload).get_json()
    values = {name.replace("!$D", "!$d"): v for name, v in _by_address("2021", payload["values"], spellings).items()}
    addressed = client.post("/api/v1/validate", json={**payload, "values": values})
    assert addressed.status_code == 200
    assert _flat(addressed.get_json()) == _flat(keyed)


def _two_years():
    """Last year's report and this year's, whose 二、上年结转 (自然人) differs from last year's 四."""
    form = get_form("2021")
    last = {
        "version": "2021",
        "values": consistent_values(form, seed=7),
        "header": header_for(form, year=2024, date="2025-01-10"),
    }
    values = consistent_values(form, seed=8)
    for row in ("carry_in", "carry_out"):  # both, so that this year's own balance (I3) still holds
        values[f"t2.{row}.c_natural"] = last["values"]["t2.carry_out.c_natural"] + 5
    this = {**_payload(), "values": with_totals(form, values)}
    return last, this


def test_last_year_gives_the_cross_year_finding(client):
    last, this = _two_years()
    without = client.post("/api/v1/validate", json=this).get_json()
    body = client.post("/api/v1/validate", json={**this, "last_year": last}).get_json()
    assert "cross.carry_in" not in {f["rule"] for f in without["findings"]}
    carried = [f for f in body["findings"] if f["rule"] == "cross.carry_in"]
    assert "t2.carry_in.c_natural" in {f["key"] for f in carried}
    assert carried[0]["expected"] is not None and carried[0]["sheet"] == "表二 依申请公开"


def test_last_year_by_address(client):
    last, this = _two_years()
    keyed = client.post("/api/v1/validate", json={**this, "last_year": last}).get_json()
    last = {**last, "values": _by_address("2021", last["values"])}
    addressed = client.post("/api/v1/validate", json={**this, "last_year": last}).get_json()
    assert _flat(addressed) == _flat(keyed)


# Workbooks -------------------------------------------------------------------------------


def _xlsx(report: dict) -> bytes:
    """A template workbook holding a report given as in a validate request."""
    out = io.BytesIO()
    make_workbook(report["version"], report["values"], report["header"]).save(out)
    return out.getvalue()


def _workbook_bytes(version="2021", seed=1, **changes):
    return _xlsx(_payload(version, seed, **changes))


def _upload(data, name="某单位.xlsx"):
    return (io.BytesIO(data), name)


@pytest.mark.parametrize("version", sorted(FORMS))
def test_uploaded_workbook_gives_the_same_findings_as_values(client, version):
    changes = {"t2.open.c_natural": 99, "t3.cases.review_upheld": "两件"}
    upload = client.post("/api/v1/workbook", data={"file": _upload(_workbook_bytes(version, **changes))})
    assert upload.status_code == 200
    values = client.post("/api/v1/validate", json=_payload(version, **changes)).get_json()
    assert _flat(upload.get_json()) == _flat(values)
    assert (upload.get_json()["mode"], upload.get_json()["version"]) == ("template", version)


def test_uploaded_last_year_gives_the_same_findings_as_values(client):
    last, this = _two_years()
    data = {"file": _upload(_xlsx(this)), "last_year": _upload(_xlsx(last), "上年.xlsx"), "version": "2021"}
    upload = client.post("/api/v1/workbook", data=data).get_json()
    values = client.post("/api/v1/validate", json={**this, "last_year": last}).get_json()
    assert "cross.carry_in" in {f["rule"] for f in upload["findings"]}
    assert _flat(upload) == _flat(values)


@pytest.mark.parametrize(
    ("filename", "fallback", "name"),
    [
        ("鹿山街道.xlsx", "checked.xlsx", "鹿山街道.checked.xlsx"),
        ("报表/report 2025.XLSX", "report 2025.checked.xlsx", "report 2025.checked.xlsx"),
    ],
    ids=["chinese", "folder"],
)
def test_annotated_download(client, filename, fallback, name):
    data = _workbook_bytes(**{"t2.open.c_natural": 99})
    response = client.post("/api/v1/workbook/annotated", data={"file": _upload(data, filename)})
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert RESULT_SHEET in book.sheetnames
    sheet, cell = layout_for("2021").addresses["t2.open.c_natural"]
    assert book[sheet][cell].value == 99


# Forms -----------------------------------------------------------------------------------


def test_forms_list(client):
    listed = client.get("/api/v1/forms").get_json()
    assert {f["version"] for f in listed} == set(FORMS)
    for entry in listed:
        assert {"version", "name", "basis", "years"} <= set(entry)
        assert entry["years"] == get_form(entry["version"]).years_text


@pytest.mark.parametrize("version", sorted(FORMS))
def test_form_detail(client, version):
    detail = client.get(f"/api/v1/forms/{version}").get_json()
    form, addresses = get_form(version), layout_for(version).addresses
    assert [c["key"] for c in detail["cells"]] == list(form.cells)
    for cell in detail["cells"]:
        assert (cell["sheet"], cell["cell"]) == addresses[cell["key"]]
        assert cell["derived"] is form.cells[cell["key"]].derived
    assert [h["key"] for h in detail["header"]] == [f.key for f in form.header_fields]
    assert len(detail["identities"]) == len(form.identities) > 0


# OpenAPI and docs ------------------------------------------------------------------------


def test_openapi_document_is_valid(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate_openapi(document)
    assert {"/api/v1/validate", "/api/v1/workbook", "/api/v1/workbook/annotated", "/api/v1/forms"} <= set(
        document["paths"]
    )
    schemas = document["components"]["schemas"]
    for version, form in FORMS.items():
        assert set(schemas[f"Values{version}"]["properties"]) == set(form.cells)
        assert schemas[f"Values{version}"]["additionalProperties"] is False


def test_documented_shapes_match_the_report():
    report_fields = set(Report(version="2021").to_dict()) | {"mode"}
    finding_fields = set(Finding(rule="x", severity="error", message="m").to_dict())
    assert set(ReportSchema().fields) == report_fields
    assert set(FindingSchema().fields) == finding_fields


def test_docs_page_is_self_contained(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for path in client.get("/api/v1/openapi.json").get_json()["paths"]:
        assert path in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_docs_examples_are_accepted(client):
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    examples = re.findall(r"-d '(\{.*?\})'", page, re.DOTALL)
    assert examples
    for example in examples:
        assert client.post("/api/v1/validate", json=json.loads(example)).status_code == 200
    for field in Finding(rule="x", severity="error", message="m").to_dict():
        assert f"| `{field}` |" in page, field


# Errors: one shape -----------------------------------------------------------------------


@pytest.fixture
def small_client(tmp_path):
    """A client whose request size limit is small (every failing request below fits)."""
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 4096}, instance_path=str(tmp_path))
    yield app.test_client()
    dispose(app)


def _post_values(values, **more):
    return lambda c: c.post("/api/v1/validate", json={"version": "2021", "values": values, **more})


def _post_raw(data, content_type="application/json"):
    return lambda c: c.post("/api/v1/validate", data=data, content_type=content_type)


FAILURES = [
    ("unknown key", _post_values({"t2.nope.c_total": 1}), 422, "values.t2.nope.c_total"),
    ("unknown address", _post_values({"表二!Z99": 1}), 422, "values.表二!Z99"),
    ("same cell twice", _post_values({"t2.new.c_natural": 1, "表二!D6": 1}), 422, "values.表二!D6"),
    ("wrong type", _post_values({"t2.new.c_natural": [1]}), 422, "values.t2.new.c_natural"),
    ("boolean", _post_values({"t2.new.c_natural": True}), 422, "values.t2.new.c_natural"),
    (
        "not a number",
        _post_raw('{"version": "2021", "values": {"t2.new.c_natural": NaN}}'),
        422,
        "values.t2.new.c_natural",
    ),
    ("number too large", _post_values({"t2.new.c_natural": 2**53}), 422, "values.t2.new.c_natural"),
    ("huge integer", _post_values({"t2.new.c_natural": 10**400}), 422, "values.t2.new.c_natural"),
    ("huge header number", _post_values({}, header={"year": -(10**20)}), 422, "header.year"),
    ("values not an object", _post_values([1]), 422, "values"),
    ("unknown header field", _post_values({}, header={"mayor": "x"}), 422, "header.mayor"),
    ("unknown autofilled key", _post_values({}, autofilled={"t2.nope": 1}), 422, "autofilled.t2.nope"),
    ("autofilled text", _post_values({}, autofilled={"t2.total.c_total": "x"}), 422, "autofilled.t2.total.c_total"),
    ("autofilled huge", _post_values({}, autofilled={"t2.total.c_total": 1e300}), 422, "autofilled.t2.total.c_total"),
    (
        "last year unknown key",
        _post_values({}, last_year={"version": "2021", "values": {"x": 1}}),
        422,
        "last_year.values.x",
    ),
    ("last year not an object", _post_values({}, last_year=[1]), 422, "last_year"),
    ("unknown version", lambda c: c.post("/api/v1/validate", json={"version": "2030", "values": {}}), 422, "version"),
    ("missing values", lambda c: c.post("/api/v1/validate", json={"version": "2021"}), 422, "values"),
    ("unknown top field", _post_values({}, extra=1), 422, "extra"),
    ("malformed json", _post_raw("{x"), 400, None),
    ("empty body", _post_raw(""), 400, None),
    ("nested too deep", _post_raw("[" * 2000 + "]" * 2000), 400, None),
    ("not json", _post_raw("x=1", "text/plain"), 415, None),
    ("json array", lambda c: c.post("/api/v1/validate", json=[1, 2]), 422, None),
    ("too large", _post_values({"t2.new.c_natural": "x" * 5000}), 413, None),
    ("no file", lambda c: c.post("/api/v1/workbook", data={}), 422, "file"),
    ("file as text", lambda c: c.post("/api/v1/workbook", data={"file": "abc"}), 422, "file"),
    ("not a workbook", lambda c: c.post("/api/v1/workbook", data={"file": _upload(b"hello", "a.xlsx")}), 422, "file"),
    (
        "last year not a workbook",
        lambda c: c.post("/api/v1/workbook", data={"file": _upload(b"x"), "last_year": _upload(b"y")}),
        422,
        "last_year",
    ),
    (
        "unknown upload field",
        lambda c: c.post("/api/v1/workbook", data={"file": _upload(b"x"), "mode": "x"}),
        422,
        "mode",
    ),
    (
        "upload unknown version",
        lambda c: c.post("/api/v1/workbook/annotated", data={"file": _upload(b"x"), "version": "1999"}),
        422,
        "version",
    ),
    ("upload too large", lambda c: c.post("/api/v1/workbook", data={"file": _upload(b"x" * 5000)}), 413, None),
    ("unknown form", lambda c: c.get("/api/v1/forms/1999"), 404, None),
    ("unknown path", lambda c: c.get("/api/v1/nothing"), 404, None),
    ("wrong method", lambda c: c.get("/api/v1/validate"), 405, None),
]


@pytest.mark.parametrize(("request_", "status", "field"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_every_failure_has_the_one_error_shape(small_client, request_, status, field):
    response = request_(small_client)
    body = response.get_json()
    assert response.status_code == status
    assert set(body) == ERROR_KEYS
    assert body["ok"] is False and body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])
    assert all(set(e) == {"field", "message"} for e in body["errors"])
    if field:
        assert field in [e["field"] for e in body["errors"]]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"t2.nope": 1}, "未知字段：不是本版本表格的单元格键或地址。"),
        ({"t2.new.c_natural": {"a": 1}}, "应为数字、文字或空值。"),
    ],
    ids=["unknown cell", "wrong type"],
)
def test_request_messages_are_chinese(client, values, message):
    body = client.post("/api/v1/validate", json={"version": "2021", "values": values}).get_json()
    assert [e["message"] for e in body["errors"]] == [message]
    assert body["error"].endswith(message)


def test_missing_field_message(client):
    body = client.post("/api/v1/validate", json={"values": {}}).get_json()
    assert body["errors"] == [{"field": "version", "message": "缺少必填字段。"}]


def test_unexpected_error_shows_no_traceback(client, monkeypatch):
    def _boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("server.api.views.validate_values", _boom)
    client.application.logger.disabled = True
    response = client.post("/api/v1/validate", json=_payload())
    body = response.get_json()
    assert response.status_code == 500 and set(body) == ERROR_KEYS
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)
