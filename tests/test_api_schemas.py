"""The API's marshmallow schemas are made once and shared by every request and thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from builders import consistent_values
from builders import header_for
from marshmallow import Schema
from marshmallow import ValidationError

from server.api.schemas import _load_each
from server.api.schemas import _load_values
from server.api.schemas import resolve_addresses
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


# Every kind of value a JSON body can hold: the one-pass check may only take values CellValue returns unchanged.
_VALUES = [
    0,
    7,
    -3,
    2**53 - 1,
    -(2**53 - 1),
    2**53,
    -(2**53),
    10**400,
    0.5,
    70.9851,
    2.0**53,
    -(2.0**53) + 1,
    float("nan"),
    float("inf"),
    float("-inf"),
    True,
    False,
    None,
    "",
    "37个",
    [1],
    {"a": 1},
]


def _outcome(load, data):
    try:
        return "ok", load(data)
    except ValidationError as error:
        return "refused", error.messages


@pytest.mark.parametrize("value", _VALUES, ids=repr)
def test_the_one_pass_values_load_as_each_value_through_its_field(value):
    cells = get_form("2021").cells
    for data in ({"t2.new.c_natural": value}, {**consistent_values("2021", seed=5), "t2.new.c_legal": value}):
        fast = _outcome(lambda d: _load_values("2021", d, "values"), data)
        each = _outcome(lambda d: _load_each(cells, d, "values"), data)
        assert repr(fast) == repr(each)  # repr: NaN is not equal to itself
        assert list(fast[1]) == (list(cells) if fast[0] == "ok" else ["values"])


def test_values_keyed_by_cell_key_are_not_translated_and_addresses_still_are():
    keyed = consistent_values("2021", seed=5)
    assert resolve_addresses("2021", keyed) == keyed and resolve_addresses("2021", keyed) is not keyed
    mixed = {**keyed, "表二!D6": 5}
    del mixed["t2.new.c_natural"]
    assert resolve_addresses("2021", mixed) == {
        **{k: v for k, v in keyed.items() if k != "t2.new.c_natural"},
        "t2.new.c_natural": 5,
    }
