"""The API's marshmallow schemas are made once and shared by every request and thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from builders import consistent_values
from builders import header_for
from marshmallow import Schema

from server.forms import get_form


def _bodies() -> list[dict]:
    form = get_form("2021")
    header = {k: str(v) for k, v in header_for(form).items()}
    clean = consistent_values(form, seed=3)
    return [
        {"version": "2021", "values": clean, "header": header},
        {"version": "2021", "values": {**clean, "t2.open.c_natural": clean["t2.open.c_natural"] + 1}},
        {
            "version": "2021",
            "values": {"t2.new.c_natural": "37个", "表二!D9": 4},
            "autofilled": {"t2.total.c_total": 3},
        },
        {"version": "2021", "values": {"t9.nothing": 1, "t2.new.c_natural": [1]}},
        {
            "version": "2019",
            "values": consistent_values("2019", seed=4),
            "last_year": {"version": "2019", "values": {}},
        },
        {"version": "2021", "values": {"t2.new.c_natural": 1}, "autofilled": {"t2.nothing": 1}},
    ]


def test_no_schema_is_made_per_request(client, monkeypatch):
    for body in _bodies():  # the first requests make each schema once
        client.post("/api/v1/validate", json=body)
    made = []
    original = Schema.__init__

    def counting(self, *args, **kwargs):
        made.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Schema, "__init__", counting)
    for body in _bodies():
        client.post("/api/v1/validate", json=body)
    assert made == []


def test_simultaneous_requests_get_the_answers_of_sequential_ones(client):
    bodies = _bodies() * 4

    def answer(body):
        response = client.post("/api/v1/validate", json=body)
        return response.status_code, response.get_json()

    sequential = [answer(body) for body in bodies]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(answer, bodies))
    assert parallel == sequential
    assert {status for status, _ in sequential} == {200, 422}


def test_values_load_like_the_generated_schema(client):
    """The one-pass loading of values gives the messages the per-version schema would."""
    response = client.post(
        "/api/v1/validate",
        json={"version": "2021", "values": {"t9.nothing": 1, "t2.new.c_natural": [1], "t2.new.c_legal": float("inf")}},
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert errors == {
        "values.t9.nothing": "未知字段：不是本版本表格的单元格键或地址。",
        "values.t2.new.c_natural": "应为数字、文字或空值。",
        "values.t2.new.c_legal": "应为有限的数字（不能是 NaN 或无穷大）。",
    }
