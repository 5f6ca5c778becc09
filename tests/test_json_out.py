"""Answers written by orjson are the exact text Flask's standard-library JSON would write (server/json_out.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import random
import struct
import threading
import uuid

import numpy as np
import pytest
from builders import consistent_values
from builders import header_for
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from server import json_out
from server.forms import get_form
from server.pipeline import validate_values
from server.workbook.layout import layout_for

COMPACT = (",", ":")


def _stdlib(obj, **kwargs) -> str:
    """What Flask's default provider writes with the app's settings."""
    options = {"separators": COMPACT, **kwargs}
    return json.dumps(obj, default=DefaultJSONProvider.default, ensure_ascii=False, sort_keys=True, **options)


def _text(rng: random.Random) -> str:
    alphabet = 'ab e+-.0123456789"\\/\n\t\x00\x1f\x7f表二填报😀\u2028\uffff'
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))


def _number(rng: random.Random):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randint(-1000, 1000)
    if kind == 1:
        return rng.choice([2**53 - 1, -(2**53), 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**70)])
    if kind == 2:
        return round(rng.uniform(-1e6, 1e6), rng.randint(0, 6))
    if kind == 3:
        return rng.randint(1, 10**6) / 10 ** rng.randint(0, 12)  # down to 1e-12: exponent form in Python
    value = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
    return value if value == value and abs(value) != float("inf") else 0.5


def _value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(8 if depth < 4 else 4)
    if kind == 0:
        return _number(rng)
    if kind == 1:
        return _text(rng)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return _number(rng)
    if kind in (4, 5):
        return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]


@pytest.fixture
def provider(app):
    return app.json


def test_the_app_writes_json_with_this_provider(app):
    assert isinstance(app.json, json_out.JSONProvider) and app.json.ensure_ascii is False


@pytest.mark.parametrize("seed", range(40))
def test_random_values_are_written_exactly_as_the_standard_library_writes_them(provider, seed):
    rng = random.Random(seed)
    for _ in range(50):
        obj = _value(rng)
        assert provider.dumps(obj, separators=COMPACT) == _stdlib(obj)
        assert provider.dumps(obj) == _stdlib(obj, separators=None)  # not compact: the standard library


@pytest.mark.parametrize(
    "obj",
    [
        1e-05,  # Python 1e-05, orjson 0.00001
        1.5e-07,  # Python 1.5e-07, orjson 1.5e-7
        [2**64, 1],  # beyond orjson's 64 bits
        {2: "a", 1: "b"},  # keys that are not text
        {"a": "\ud800"},  # a lone surrogate
        "e-mail e+1",  # text that only looks like an exponent
        dt.date(2026, 1, 31),  # Flask's default: an HTTP date
        dt.datetime(2026, 1, 31, 8, 30),
        decimal.Decimal("1.10"),
        uuid.UUID(int=7),
        Markup("<b>粗</b>"),
        np.float64(2.5),  # a float subclass orjson does not write itself
        {"nested": [[[[[[[[[[1]]]]]]]]]]},
    ],
    ids=repr,
)
def test_values_orjson_would_write_differently_are_written_by_the_standard_library(provider, obj):
    assert provider.dumps(obj, separators=COMPACT) == _stdlib(obj)


def test_a_dataclass_goes_through_flasks_default_in_both_paths(provider):
    @dataclasses.dataclass
    class Cell:
        z: int
        a: str

    assert provider.dumps({"cell": Cell(1, "表二")}, separators=COMPACT) == _stdlib({"cell": Cell(1, "表二")})


def test_deep_nesting_falls_back_to_the_standard_library(provider):
    deep = 1
    for _ in range(300):  # deeper than orjson's 254 levels
        deep = [deep]
    assert provider.dumps(deep, separators=COMPACT) == _stdlib(deep)


def test_what_neither_can_write_is_refused_as_before(provider):
    with pytest.raises(TypeError):
        provider.dumps({"a": np.int64(1)}, separators=COMPACT)
    with pytest.raises(TypeError):
        provider.dumps({"a": {1, 2}}, separators=COMPACT)


def test_not_a_number_is_null_the_one_documented_difference():
    assert json_out.compact([float("nan"), float("inf")], DefaultJSONProvider.default) == b"[null,null]"


def test_a_response_holds_the_standard_librarys_bytes(app):
    report = validate_values(
        "2021",
        {**consistent_values("2021", seed=2), "t2.open.c_natural": 1},
        header=header_for(get_form("2021")),
        addresses=layout_for("2021").addresses,
    ).to_dict()
    assert json_out.compact(report, DefaultJSONProvider.default) is not None  # a report takes the fast path
    with app.app_context():
        response = app.json.response(report)
        assert response.get_data() == (_stdlib(report) + "\n").encode("utf-8")
        assert response.mimetype == "application/json"
        assert app.json.response(1, 2).get_data() == b"[1,2]\n" and app.json.response().get_data() == b"null\n"
        with pytest.raises(TypeError):
            app.json.response(1, a=2)


def test_changed_settings_are_honoured(app):
    obj = {"b": [1.5, "表"], "a": None}
    with app.app_context():
        app.debug = True  # Flask indents in debug mode
        assert app.json.response(obj).get_data(as_text=True) == _stdlib(obj, indent=2, separators=None) + "\n"
        app.debug = False
        app.json.sort_keys = False
        assert (
            app.json.response(obj).get_data(as_text=True)
            == json.dumps(obj, ensure_ascii=False, separators=COMPACT) + "\n"
        )


def test_simultaneous_answers_are_each_exact(provider):
    objects = [_value(random.Random(seed)) for seed in range(64)]
    expected = [_stdlib(obj) for obj in objects]
    wrong = []

    def write(offset):
        for _ in range(20):
            for index in range(offset, len(objects), 8):
                if provider.dumps(objects[index], separators=COMPACT) != expected[index]:
                    wrong.append(index)

    threads = [threading.Thread(target=write, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
