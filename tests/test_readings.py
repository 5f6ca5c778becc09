"""Reading what clerks type into number cells (FORMS.md §6.2, §6.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.forms.model import Domain
from server.readings import BLANK
from server.readings import NUMBER
from server.readings import REASONS
from server.readings import TEXT
from server.readings import UNREADABLE
from server.readings import fits_domain
from server.readings import read

COUNT, SIGNED, AMOUNT = Domain.COUNT, Domain.SIGNED, Domain.AMOUNT

CASES = [
    (None, COUNT, BLANK, None, ""),
    ("", COUNT, BLANK, None, ""),
    ("   ", COUNT, BLANK, None, ""),
    (5.0, COUNT, NUMBER, 5, ""),
    (7, COUNT, NUMBER, 7, ""),
    (3.5, COUNT, NUMBER, 3.5, ""),
    ("37个", COUNT, TEXT, 37, "unit"),
    ("37 个", COUNT, TEXT, 37, "unit"),
    ("170批次", COUNT, TEXT, 170, "unit"),
    ("46.3万元", AMOUNT, TEXT, 46.3, "wan_yuan"),
    ("251000元", AMOUNT, TEXT, 25.1, "yuan"),
    ("184719元", AMOUNT, TEXT, 18.4719, "yuan"),
    ("46.3万元", COUNT, UNREADABLE, None, "wan_in_count"),
    ("0%", SIGNED, TEXT, 0, "percent_zero"),
    ("5%", SIGNED, UNREADABLE, None, "percent"),
    ("减4", SIGNED, TEXT, -4, "sign_word"),
    ("增72", SIGNED, TEXT, 72, "sign_word"),
    ("+1", SIGNED, TEXT, 1, "numeric_text"),
    ("-2", SIGNED, TEXT, -2, "numeric_text"),
    ("/", COUNT, TEXT, 0, "placeholder"),
    ("—", COUNT, TEXT, 0, "placeholder"),
    ("-", COUNT, TEXT, 0, "placeholder"),
    ("无", COUNT, TEXT, 0, "placeholder"),
    ("１２", COUNT, TEXT, 12, "fullwidth"),
    ("０．５", AMOUNT, TEXT, 0.5, "fullwidth"),
    (" 7 ", COUNT, TEXT, 7, "numeric_text"),
    ("5", COUNT, TEXT, 5, "numeric_text"),
    ("1,234", COUNT, TEXT, 1234, "thousands"),
    ("十二", COUNT, TEXT, 12, "chinese_numeral"),
    ("一百零三", COUNT, TEXT, 103, "chinese_numeral"),
    ("三件", COUNT, TEXT, 3, "unit"),
    ("3 5", COUNT, UNREADABLE, None, "several_numbers"),
    ("abc", COUNT, UNREADABLE, None, "not_a_number"),
    ("#REF!", COUNT, UNREADABLE, None, "error_value"),
    (True, COUNT, UNREADABLE, None, "bool"),
    (dt.datetime(2025, 1, 1), COUNT, UNREADABLE, None, "date"),
    (float("nan"), COUNT, UNREADABLE, None, "not_a_number"),
    (1e300, COUNT, UNREADABLE, None, "too_large"),
    (10**400, COUNT, UNREADABLE, None, "too_large"),
    ("9" * 400, COUNT, UNREADABLE, None, "too_large"),
    ("9" * 20 + "万元", AMOUNT, UNREADABLE, None, "too_large"),
]


@pytest.mark.parametrize(("raw", "domain", "kind", "value", "reason"), CASES, ids=[repr(c[0]) for c in CASES])
def test_read(raw, domain, kind, value, reason):
    reading = read(raw, domain)
    assert (reading.kind, reading.value, reading.reason) == (kind, value, reason)
    assert reading.raw is raw or reading.raw == raw
    if kind == TEXT:
        assert reading.suggestion == value
    if reason:
        assert reason in REASONS


@pytest.mark.parametrize(
    ("value", "domain", "fits"),
    [
        (3, COUNT, True),
        (-1, COUNT, False),
        (2.5, COUNT, False),
        (-3, SIGNED, True),
        (0.25, AMOUNT, True),
        (-0.1, AMOUNT, False),
    ],
)
def test_fits_domain(value, domain, fits):
    assert fits_domain(value, domain) is fits
