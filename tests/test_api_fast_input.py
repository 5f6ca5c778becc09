"""The usual validate request is read by orjson and loaded without marshmallow: the same answer, byte for byte.

:func:`server.api.schemas.plain_report_input` may only take requests :func:`load_report_input` loads,
and must load them to the same values (same types, same order); every other request goes the
general way. Compared over random request bodies (numbers at and beyond every limit, NaN, booleans,
texts such as ``37个``, nested junk, addresses, unknown fields) and over raw bodies that the two JSON
readers might read differently (number literals, surrogates, byte order marks, UTF-16, duplicate keys).
"""

from __future__ import annotations

import copy
import json
import math
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from builders import consistent_values
from builders import header_for
from marshmallow import ValidationError

from server.api import schemas
from server.api import views
from server.api.schemas import _load_each
from server.api.schemas import load_report_input
from server.api.schemas import plain_report_input
from server.forms import get_form

_ABSENT = object()
_SCALARS = [
    0,
    7,
    -3,
    2**53 - 1,
    -(2**53 - 1),
    2**53,
    -(2**53),
    2**63,
    2**64,
    10**400,
    -(10**400),
    0.5,
    -0.0,
    70.9851,
    2.0**53,
    -(2.0**53) + 1,
    1e300,
    1e-300,
    float("nan"),
    float("inf"),
    float("-inf"),
    True,
    False,
    None,
    "",
    "37个",
    " 12 ",
    "１２",
    "\u200b5",
    "\ud800",
    [1],
    [],
    {"a": 1},
    {},
]


def _value(rng: random.Random, odd: float = 0.1):
    """Mostly what a report holds (small numbers, blanks, text), sometimes anything a JSON body can hold."""
    if rng.random() >= odd:
        return rng.choice([rng.randint(0, 99), rng.randint(0, 9999) / 100, None, "37个"])
    return copy.deepcopy(rng.choice(_SCALARS))


def _cells(rng: random.Random, version: str, consistent: bool = False) -> dict:
    """Random cells of the version with random values; or (``consistent``) a consistent report, whose answer
    is the same on every run (the localisation of many random mistakes may stop at its time limit)."""
    keys = list(get_form(version).cells)
    other = [key for key in get_form("2019" if version == "2021" else "2021").cells if key not in keys]
    if consistent:
        values = consistent_values(version, seed=rng.randint(0, 3))
        picked = list(values)
    else:
        picked = rng.sample(keys, rng.choice([1, 5, len(keys) // 2, len(keys)]))
        values = {key: _value(rng, odd=0) for key in picked}
    if rng.random() < 0.1:
        values[rng.choice(["表二!D6", "t2!D7", "表二 依申请公开!D8", "t9.nothing", *other[:3]])] = 1
    if rng.random() < 0.3:
        values[rng.choice(picked)] = _value(rng, odd=1)
    return values


def _envelope(rng: random.Random, consistent: bool = False) -> object:
    """A random validate request: mostly the usual shape, often a little off (``consistent``: see :func:`_cells`)."""
    if rng.random() < 0.03:
        return rng.choice([[1, 2], "x", None, 3])
    version = rng.choice(["2021"] * 6 + ["2019"] * 3 + ["2030", 2021, None, " 2021", _ABSENT])
    known = version if version in ("2021", "2019") else "2021"
    data = {"version": version}
    roll = rng.random()
    data["values"] = _cells(rng, known, consistent) if roll < 0.93 else rng.choice([_ABSENT, [1], None, "x", {}])
    roll = rng.random()
    if roll < 0.6:
        names = [field.key for field in get_form(known).header_fields]
        header = {name: rng.choice([str(rng.randint(2000, 2030)), "某某局", None, 2025]) for name in names}
        header = dict(rng.sample(sorted(header.items()), rng.randint(0, len(header))))
        if rng.random() < 0.1:
            header[rng.choice(["mayor", names[0]])] = _value(rng)
        data["header"] = header
    elif roll < 0.65:
        data["header"] = rng.choice([None, [1], "x"])
    for name, choices in (
        ("last_year", [None, {"version": known, "values": {}}, [1], "x"]),
        ("autofilled", [{}, {"t2.total.c_total": 3}, None, [1]]),
        ("extra", [1, None]),
    ):
        if rng.random() < 0.15:
            data[name] = copy.deepcopy(rng.choice(choices))
    return {name: value for name, value in data.items() if value is not _ABSENT}


def _general(data):
    try:
        return "ok", load_report_input(data)
    except ValidationError as error:
        return "refused", error.messages


@pytest.fixture
def each_value_through_its_field(monkeypatch):
    """The general way with every value through CellValue (not the one-pass check the short way shares)."""
    monkeypatch.setattr(
        schemas, "_load_values", lambda version, data, where: _load_each(get_form(version).cells, data, where)
    )


@pytest.mark.usefixtures("each_value_through_its_field")
def test_the_short_way_loads_what_the_schemas_load():
    rng = random.Random(11)
    taken = refused_by_both = 0
    for _ in range(3000):
        data = _envelope(rng)
        before = repr(data)
        fast = plain_report_input(data)
        assert repr(data) == before  # the request is not changed
        general = _general(copy.deepcopy(data))
        if fast is None:
            refused_by_both += general[0] == "refused"
            continue
        taken += 1
        assert general[0] == "ok", data
        assert repr(fast) == repr(general[1])  # same values, types (1 vs 1.0, -0.0) and order; NaN-safe
    assert taken > 800 and refused_by_both > 300  # both ways were exercised


@pytest.mark.usefixtures("each_value_through_its_field")
@pytest.mark.parametrize("value", _SCALARS, ids=lambda value: repr(value)[:24])
def test_each_kind_of_value_in_a_full_report(value):
    """A full report with one value of each kind: loaded the short way only where CellValue returns it as is."""
    for version in ("2021", "2019"):
        values = consistent_values(version, seed=7)
        header = {k: str(v) for k, v in header_for(get_form(version)).items()}
        for data in (
            {"version": version, "values": {**values, "t2.new.c_natural": copy.deepcopy(value)}, "header": header},
            {"version": version, "values": values, "header": {**header, "year": copy.deepcopy(value)}},
        ):
            fast = plain_report_input(data)
            general = _general(copy.deepcopy(data))
            assert (fast is not None) == _plain(value)
            if fast is not None:
                assert repr(fast) == repr(general[1])


def _plain(value) -> bool:
    """Written out independently: null, text (valid Unicode) or a finite number within ±(2^53-1), not a boolean."""
    if value is None:
        return True
    if isinstance(value, str):
        return True  # lone surrogates are the body reader's business (orjson refuses them)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return (isinstance(value, int) or math.isfinite(value)) and abs(value) <= 2**53 - 1


# Whole requests: answers of the short way against the general way -----------------------------------


def _answer(client, body: bytes, content_type: str = "application/json") -> tuple:
    response = client.post("/api/v1/validate", data=body, content_type=content_type)
    return response.status_code, sorted(response.headers.items()), response.get_data()


def _general_answer(client, monkeypatch, body: bytes, content_type: str = "application/json") -> tuple:
    with monkeypatch.context() as patch:
        patch.setattr(views, "_plain_input", lambda: None)
        return _answer(client, body, content_type)


def _usual(version: str = "2021", **cells) -> dict:
    values = consistent_values(version, seed=2)
    header = {k: str(v) for k, v in header_for(get_form(version)).items()}
    return {"version": version, "values": {**values, **cells}, "header": header}


_LITERALS = [
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1.0",
    "7",
    "1e5",
    "1E5",
    "1e+2",
    "1.5e-3",
    "2.5E-7",
    "1e15",
    "1e16",
    "1e400",
    "-1e400",
    "1e-400",
    "5e-324",
    "2.2250738585072014e-308",
    "1.7976931348623157e308",
    "0.1",
    "0.30000000000000004",
    "123456789012345.6",
    "999999999999999.9",
    "9007199254740991",
    "-9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "9007199254740991.0",
    "9007199254740991.5",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "1" + "0" * 30,
    "00",
    "01",
    "1.",
    ".5",
    "+1",
    "-",
    "NaN",
    "Infinity",
    "-Infinity",
    "true",
    "null",
    '"37个"',
    '"\\u0033\\u0037"',
    '"\\ud800"',
    '"\\udfff"',
    '"\\ud83d\\ude00"',
    '"\\u0000"',
    '"a\\tb"',
    '"\t"',
    "[]",
    "{}",
    "[" * 500 + "]" * 500,
    "[" * 1100 + "]" * 1100,
]


def _with_literal(literal: str, where: str) -> bytes:
    """The usual body with ``literal`` written as one cell's value or as the report year."""
    body = _usual()
    marker = "__LITERAL__"
    if where == "values":
        body["values"]["t2.new.c_natural"] = marker
    else:
        body["header"]["year"] = marker
    return json.dumps(body, ensure_ascii=False).replace(f'"{marker}"', literal).encode()


def _random_decimal(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 17)))
    point = rng.randint(0, len(digits))
    text = (digits[:point] or "0") + ("." + digits[point:] if point < len(digits) else "")
    text = text.lstrip("0") or "0"
    if text.startswith("."):
        text = "0" + text
    exponent = rng.choice(["", "", f"e{rng.randint(-30, 30)}", f"E+{rng.randint(0, 20)}"])
    return rng.choice(["", "-"]) + text + exponent


def _bodies() -> list[tuple[bytes, str]]:
    rng = random.Random(5)
    usual = json.dumps(_usual(), ensure_ascii=False).encode()
    bodies = [
        (_with_literal(literal, where), "application/json") for literal in _LITERALS for where in ("values", "year")
    ]
    bodies += [(_with_literal(_random_decimal(rng), "values"), "application/json") for _ in range(150)]
    bodies += [
        (json.dumps(_usual()).encode(), "application/json"),  # texts as \\u escapes
        (json.dumps(_usual("2019"), separators=(",", ":")).encode(), "application/json"),
        (usual, "application/json; charset=utf-8"),
        (usual, "application/vnd.example+json"),
        (usual, "text/plain"),
        (b"\xef\xbb\xbf" + usual, "application/json"),  # byte order mark
        (json.dumps(_usual()).encode("utf-16"), "application/json"),
        (json.dumps(_usual()).encode("utf-32-le"), "application/json"),
        (usual + b" x", "application/json"),
        (b"\n\t " + usual + b"\r\n", "application/json"),
        (
            usual.replace(b'"t2.new.c_natural": ', b'"t2.new.c_natural": "\xed\xa0\x80", "t2.new.c_legal": '),
            "application/json",
        ),
        (usual.replace(b'"t2.new.c_natural": ', b'"t2.new.c_natural": 1, "t2.new.c_natural": '), "application/json"),
        (usual.replace(b'{"version": "2021", ', b'{"version": "2019", "version": "2021", '), "application/json"),
        (usual.replace(b'"values": ', b'"values": {"t2.new.c_natural": 1}, "values": '), "application/json"),
        (b"[1, 2]", "application/json"),
        (b"null", "application/json"),
        (b'"x"', "application/json"),
        (b"", "application/json"),
        (b"{", "application/json"),
        (b'{"version": "2021", "values": {}}', "application/json"),
        (b'{"version": "2021", "values": {}, "header": {}, "last_year": null, "autofilled": {}}', "application/json"),
        (b'{"version": "2021", "values": {"\\ud800": 1}}', "application/json"),
    ]
    for _ in range(250):
        data = _envelope(rng, consistent=True)
        text = json.dumps(data, ensure_ascii=rng.random() < 0.5, separators=rng.choice([(",", ":"), (", ", ": ")]))
        bodies.append((text.encode("utf-8", "surrogatepass"), "application/json"))
    return bodies


def test_answers_are_the_general_way_s_byte_for_byte(client, monkeypatch):
    taken = []
    original = views.plain_report_input
    monkeypatch.setattr(views, "plain_report_input", lambda data: taken.append(original(data)) or taken[-1])
    statuses = set()
    for body, content_type in _bodies():
        taken.clear()
        fast = _answer(client, body, content_type)
        general = _general_answer(client, monkeypatch, body, content_type)
        assert fast == general, body[:300]
        statuses.add((fast[0], bool(taken) and taken[-1] is not None))
    assert {(200, True), (200, False), (422, False), (400, False), (415, False)} <= statuses


def test_the_usual_request_does_not_go_through_marshmallow(client, monkeypatch):
    def refuse(data):
        raise AssertionError("loaded the general way")

    monkeypatch.setattr(views, "load_report_input", refuse)
    for version in ("2021", "2019"):
        body = json.dumps(_usual(version)).encode()
        assert client.post("/api/v1/validate", data=body, content_type="application/json").status_code == 200


def test_simultaneous_usual_requests_get_the_answers_of_sequential_ones(client):
    rng = random.Random(3)
    versions = [rng.choice(["2021", "2019"]) for _ in range(40)]
    bodies = [json.dumps(_usual(version, **_cells(rng, version, consistent=True))).encode() for version in versions]

    def answer(body):
        response = client.post("/api/v1/validate", data=body, content_type="application/json")
        return response.status_code, response.get_data()

    sequential = [answer(body) for body in bodies]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(answer, bodies))
    assert parallel == sequential
