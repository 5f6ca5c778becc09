"""The JSON API door: validation by keys or addresses, workbook upload, forms, OpenAPI, one error shape."""

from __future__ import annotations

import io

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from openapi_spec_validator import validate as validate_openapi

from server import create_app
from server.forms import get_form
from server.workbook.layout import RESULT_SHEET
from server.workbook.layout import layout_for
from server.xlsx.template import make_workbook


def _payload(version="2021", seed=1, **changes):
    form = get_form(version)
    values = {**consistent_values(form, seed=seed), **changes}
    return {"version": version, "values": values, "header": header_for(form)}


def _flat(report_json):
    return sorted((f["rule"], f["key"], f["severity"]) for f in report_json["findings"])


def test_validate_by_cell_keys(client):
    response = client.post("/api/v1/validate", json=_payload(**{"t2.open.c_natural": 99}))
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is False
    culprit = next(f for f in body["findings"] if f["rule"] == "locate.culprit")
    assert (culprit["sheet"], culprit["cell"], culprit["key"]) == ("表二 依申请公开", "D8", "t2.open.c_natural")


def test_addresses_give_the_same_findings_as_keys(client):
    payload = _payload(**{"t2.open.c_natural": 99, "t1.fees.fee_amount": "251000元"})
    addresses = layout_for("2021").addresses
    spellings = ["{sheet}!{cell}", "{table}!{cell}", "{key}!{cell}"]
    by_address = {}
    for index, (key, value) in enumerate(payload["values"].items()):
        sheet, cell = addresses[key]
        table = get_form("2021").cells[key].table
        by_address[spellings[index % 3].format(sheet=sheet, table=table.name, key=table.key, cell=cell)] = value
    keyed = client.post("/api/v1/validate", json=payload).get_json()
    addressed = client.post("/api/v1/validate", json={**payload, "values": by_address}).get_json()
    assert _flat(keyed) == _flat(addressed)


def test_last_year_enables_the_carry_in_check(client):
    form = get_form("2021")
    last = {
        "version": "2021",
        "values": consistent_values(form, seed=7),
        "header": header_for(form, year=2024, date="2025-01-10"),
    }
    body = client.post("/api/v1/validate", json={**_payload(seed=8), "last_year": last}).get_json()
    assert body["outcomes"]["cross.carry_in"]["passed"] + body["outcomes"]["cross.carry_in"]["failed"] == 7


def _workbook_bytes(version="2021", seed=1, **changes):
    form = get_form(version)
    book = make_workbook(version, {**consistent_values(form, seed=seed), **changes}, header_for(form))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_uploaded_workbook_gives_the_same_findings_as_values(client):
    changes = {"t2.open.c_natural": 99, "t3.cases.review_upheld": "两件"}
    upload = client.post("/api/v1/workbook", data={"file": (io.BytesIO(_workbook_bytes(**changes)), "某单位.xlsx")})
    assert upload.status_code == 200
    values = client.post("/api/v1/validate", json=_payload(**changes)).get_json()
    assert _flat(upload.get_json()) == _flat(values)
    assert upload.get_json()["mode"] == "template"


def test_annotated_download(client):
    response = client.post(
        "/api/v1/workbook/annotated",
        data={"file": (io.BytesIO(_workbook_bytes(**{"t2.open.c_natural": 99})), "鹿山街道.xlsx")},
    )
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert RESULT_SHEET in book.sheetnames


def test_forms_endpoints(client):
    assert {f["version"] for f in client.get("/api/v1/forms").get_json()} == {"2019", "2021"}
    detail = client.get("/api/v1/forms/2021").get_json()
    assert len(detail["cells"]) == len(get_form("2021").cells)
    assert next(c for c in detail["cells"] if c["key"] == "t2.new.c_natural")["cell"] == "D6"


def test_openapi_document_is_valid(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate_openapi(document)
    assert "/api/v1/validate" in document["paths"]
    assert "t2.other_1.c_total" in document["components"]["schemas"]["Values2021"]["properties"]
    assert client.get("/api/v1/docs").status_code == 200


# Errors: one shape ---------------------------------------------------------------------------


@pytest.fixture
def small_client(tmp_path):
    """A client whose request size limit is tiny."""
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 2000}, instance_path=str(tmp_path))
    return app.test_client()


FAILURES = [
    (
        "unknown key",
        lambda c: c.post("/api/v1/validate", json={"version": "2021", "values": {"t2.nope.c_total": 1}}),
        422,
        "values.t2.nope.c_total",
    ),
    (
        "same cell twice",
        lambda c: c.post("/api/v1/validate", json={"version": "2021", "values": {"t2.new.c_natural": 1, "表二!D6": 1}}),
        422,
        "values.表二!D6",
    ),
    (
        "wrong type",
        lambda c: c.post("/api/v1/validate", json={"version": "2021", "values": {"t2.new.c_natural": [1]}}),
        422,
        "values.t2.new.c_natural",
    ),
    ("unknown version", lambda c: c.post("/api/v1/validate", json={"version": "2030", "values": {}}), 422, "version"),
    ("missing values", lambda c: c.post("/api/v1/validate", json={"version": "2021"}), 422, "values"),
    (
        "unknown top field",
        lambda c: c.post("/api/v1/validate", json={"version": "2021", "values": {}, "extra": 1}),
        422,
        "extra",
    ),
    ("malformed json", lambda c: c.post("/api/v1/validate", data="{x", content_type="application/json"), 400, None),
    ("not json", lambda c: c.post("/api/v1/validate", data="x=1", content_type="text/plain"), 415, None),
    ("json array", lambda c: c.post("/api/v1/validate", json=[1, 2]), 422, None),
    ("no file", lambda c: c.post("/api/v1/workbook", data={}), 422, None),
    (
        "not a workbook",
        lambda c: c.post("/api/v1/workbook", data={"file": (io.BytesIO(b"hello"), "a.xlsx")}),
        422,
        None,
    ),
    ("unknown form", lambda c: c.get("/api/v1/forms/1999"), 404, None),
    ("unknown path", lambda c: c.get("/api/v1/nothing"), 404, None),
    ("wrong method", lambda c: c.get("/api/v1/validate"), 405, None),
]


@pytest.mark.parametrize(("request_", "status", "field"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_every_failure_has_the_one_error_shape(client, request_, status, field):
    response = request_(client)
    body = response.get_json()
    assert response.status_code == status
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])
    if field:
        assert field in [e["field"] for e in body["errors"]]


def test_too_large_body_is_413(small_client):
    response = small_client.post(
        "/api/v1/validate", json={"version": "2021", "values": {"t2.new.c_natural": "x" * 5000}}
    )
    assert response.status_code == 413
    assert set(response.get_json()) == {"ok", "error", "errors", "status"}
