"""The add-in door reads its JSON body with orjson where that gives Flask's own value (issue 11, the click).

``_request_json`` must give exactly what ``request.get_json(silent=True)`` gives — the same types
(a whole number stays an int, however long), the same floats to the bit, the same texts — for every
body: ordinary payloads, numbers of every shape, lone surrogates, NaN, byte order marks, UTF-16,
broken JSON, other content types. It says the texts are valid Unicode only when they are.
"""

from __future__ import annotations

import codecs
import json
import math
import random
from functools import cache

from builders import consistent_values
from builders import header_for
from builders import with_typos

from server.forms import get_form
from server.readings import encodable
from server.xlsx.template import make_workbook
from server.xlwings_bridge import _request_json
from tools.excel_sim import build_payload
from tools.excel_sim import include_of


def _typed(value):
    """A value with every type spelled out (``1 == 1.0 == True`` in Python; here they differ)."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value.hex())
    return (type(value).__name__, value)


def _payload(version: str, values: dict) -> dict:
    form = get_form(version)
    book = make_workbook(version, values, header_for(form))
    return build_payload(book, include=include_of(book))


def _numbers(rng: random.Random) -> list[str]:
    """Number literals of every shape JSON allows: long whole numbers, many digits, exponents."""
    out = ["0", "-0", "0.0", "-0.0", "1e400", "-1e400", "1e-400", "2.2250738585072014e-308", "5e-324"]
    out += [str(2**63 - 1), str(2**63), str(2**64 - 1), str(2**64), str(-(2**63)), str(-(2**63) - 1)]
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 25))).lstrip("0") or "0"
        text = rng.choice(["", "-"]) + digits
        if rng.random() < 0.6:
            text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20)))
        if rng.random() < 0.4:
            text += rng.choice("eE") + rng.choice(["", "+", "-"]) + str(rng.randint(0, 330))
        out.append(text)
    return out


@cache
def _bodies() -> list[tuple[bytes, str]]:
    rng = random.Random(11)
    payloads = [
        _payload(version, with_typos(version, seed, 3, seed % 2 == 0))
        for version in ("2019", "2021")
        for seed in range(3)
    ]
    plain = json.dumps(payloads[0]).encode()
    cases = [(json.dumps(p).encode(), "application/json") for p in payloads]
    cases.append(
        (json.dumps(_payload("2021", consistent_values(get_form("2021"), seed=1))).encode(), "application/json")
    )
    cases += [(json.dumps(p, ensure_ascii=False).encode(), "application/json") for p in payloads[:2]]
    numbers = _numbers(rng)
    for start in range(0, len(numbers), 50):  # a few number literals per body: a long one falls back for all
        cases.append((("[" + ",".join(numbers[start : start + 50]) + "]").encode(), "application/json"))
    cases += [(f"[{number}]".encode(), "application/json") for number in numbers[:300]]
    cases += [
        (b'{"sheets": [{"name": "\\ud800", "values": [["\\udfff", "a\\ud83d"]]}]}', "application/json"),
        (b'{"a": "\\ud83d\\ude00", "b": "\\u0000\\n\\t\\"\\\\"}', "application/json"),
        (b'{"a": NaN, "b": Infinity, "c": -Infinity}', "application/json"),
        (b'{"a": 1, "a": 2}', "application/json"),
        (codecs.BOM_UTF8 + plain, "application/json"),
        (json.dumps(payloads[1]).encode("utf-16"), "application/json"),
        (json.dumps({"a": "统计"}, ensure_ascii=False).encode("utf-16-le"), "application/json"),
        (b'{"a": "\xed\xa0\x80"}', "application/json"),  # a surrogate written as UTF-8 bytes
        (b'{"a": "\xff"}', "application/json"),
        (b'{"phone": "1234567890123456789012", "n": 5}', "application/json"),
        (b"", "application/json"),
        (b"{", "application/json"),
        (b"[1,]", "application/json"),
        (b" \n [1, 2] \t", "application/json"),
        (b"[" * 2000 + b"]" * 2000, "application/json"),
        (plain, "text/plain"),
        (plain, "application/vnd.api+json"),
    ]
    return cases


def test_every_body_is_read_as_flask_reads_it(app):
    for body, content_type in _bodies():
        with app.test_request_context("/xlwings/validate", method="POST", data=body, content_type=content_type):
            expected = _flask_value()
        with app.test_request_context("/xlwings/validate", method="POST", data=body, content_type=content_type):
            value, valid_text = _request_json()
        assert _typed(value) == _typed(expected), body[:200]
        if valid_text:
            assert all(encodable(text) for text in _texts(value))


def test_what_orjson_reads_is_said_to_hold_valid_text_and_the_rest_is_not(app):
    readings = {}
    for body, content_type in _bodies():
        with app.test_request_context("/xlwings/validate", method="POST", data=body, content_type=content_type):
            readings[body] = _request_json()[1]
    assert readings[json.dumps(_payload("2021", consistent_values(get_form("2021"), seed=1))).encode()] is True
    assert readings[b'{"sheets": [{"name": "\\ud800", "values": [["\\udfff", "a\\ud83d"]]}]}'] is False
    assert readings[b'{"phone": "1234567890123456789012", "n": 5}'] is False
    assert readings[b'{"a": 1, "a": 2}'] is True


def test_a_body_nested_too_deep_is_no_payload_not_an_internal_error(app):
    body = b"[" * 100_000 + b"]" * 100_000
    answer = app.test_client().post("/xlwings/validate", data=body, content_type="application/json")
    assert answer.status_code == 400 and "加载项" in answer.get_data(as_text=True)
    answer = app.test_client().post(
        "/xlwings/validate", data=body, content_type="application/json", headers={"X-JCNB-Addin": "a.xlam"}
    )
    [action] = answer.get_json()["actions"]
    assert action["func"] == "alert" and "无法传送" in action["args"][0]


def _flask_value():
    """Flask's value; None where the standard library gives up on nesting (the door takes it as no payload)."""
    from flask import request

    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
