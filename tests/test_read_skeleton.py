"""The fast reader remembers each sheet's form by its skeleton (server.xlsx.fast._SKELETONS).

A sheet's ``<sheetData>`` is of the plain form or not; the answer is remembered for its skeleton, the
sheet with its numbers replaced by placeholders, so that the files of one template, which differ in
their numbers, check the form once. The answer for any sheet must be what checking the sheet itself
gives, whatever was remembered before: the cache is compared with the check it replaces
(:func:`plain_check_alone`, the check as it was before the cache) over the sheets of the suite's
workbooks and thousands of variants with other values and cell types, read one after another (each
sharing its skeleton with many others) and from several threads at once.
"""

from __future__ import annotations

import random
import re

from district_data import workbook
from racing import race
from test_read_fast import ODD
from test_read_fast import PLAIN

from server.xlsx import fast
from server.xlsx.archive import check_parts
from server.xlsx.limits import Limits

_ROWS = re.compile(rb'<row r="(\d+)"')


def _plain_check(body: bytes, dates, empty_strings: bool, limits: Limits) -> int | None:
    """What the fast path's plain-form check says of a sheet, with the skeleton cache."""
    return fast._plain(body, dates, empty_strings, limits)[0]


def plain_check_alone(body: bytes, dates, empty_strings: bool, limits: Limits) -> int | None:
    """The plain-form check (``fast._plain``) as it was before the skeleton cache: everything checked on the
    sheet itself."""
    if body and fast._plain_sheet(limits.columns).fullmatch(body) is None or b"&#6553" in body:
        return None
    references = fast._REFS.findall(body)
    if len(set(references)) != len(references):
        return None
    rows = list(map(int, _ROWS.findall(body)))
    if rows and (rows[-1] > limits.rows or rows != sorted(rows)):
        return None
    for text in fast._DECIMAL.findall(body):
        if float(text).is_integer():
            return None
    if empty_strings and b't="s"' in body:
        return None
    if 0 in dates:
        return None
    for style in dates:
        if b' s="%d"' % style in body:
            return None
    return len(references)


VALUES = [
    b"0", b"7", b"-0", b"-3", b"123456789", b"1234567890", b"999999999999999", b"1234567890123456",
    b"2.5", b"-2.50", b"0.1", b"5.0", b"-7.000", b"0.99999999999999999999", b"123456789012345.5",
    b"1234567890123456.5", b"1e5", b"1E5", b"", b" 1", b"1 ", b"+1", b"00012", b"12.", b".5", b"1.2.3",
    b"abc", b"a&amp;b", b"&#65534;", b"_x000D_", b"\r", b"\xef\xbc\x91", b'"', b' r="A1"', b"-", b"#N/A",
]  # fmt: skip
"""Values put into the sheets: each class of number the skeleton tells apart, and all that is neither."""
TYPES = [b"", b' t="n"', b' t="s"', b' t="str"', b' t="b"', b' t="inlineStr"', b' t="e"']
LIMITS = [Limits(), Limits(rows=5), Limits(columns=3), Limits(rows=12, columns=30)]
DATES = [frozenset(), frozenset({1}), frozenset({0}), frozenset({10, 7})]
_VALUE = re.compile(rb"<v>[^<]*</v>")
_TYPE = re.compile(rb'(<c r="[A-Z]+\d+")((?: s="\d+")?)((?: t="\w+")?)')


def sheets() -> list[bytes]:
    """The ``<sheetData>`` of the district's workbooks and the suite's handmade sheets."""
    bodies = [body.encode() for body in {**PLAIN, **ODD}.values()]
    for unit, seed in (("甲街道办事处", 1), ("乙镇人民政府", 2)):
        parts = check_parts(workbook(unit, year=2025, seed=seed), Limits())[1].xml
        bodies += [fast._sheet_body(name, content) for name, content in parts.items() if fast.SHEET_PART.match(name)]
    bodies.append(bodies[-1] + bodies[-1])  # every cell twice
    return bodies


def variants(body: bytes, rng: random.Random, count: int) -> list[bytes]:
    """The sheet with other values and other cell types in some of its cells."""
    found = list(_VALUE.finditer(body))
    kinds = list(_TYPE.finditer(body))
    out = []
    for _ in range(count):
        variant = body
        if found:
            picked = {
                match.start(): rng.choice(VALUES) for match in rng.sample(found, min(len(found), rng.randint(1, 2)))
            }
            variant = _VALUE.sub(lambda m, p=picked: b"<v>" + p[m.start()] + b"</v>" if m.start() in p else m[0], body)
        if kinds and rng.random() < 0.3:
            where = rng.choice(kinds).start()
            kind = rng.choice(TYPES)
            variant = _TYPE.sub(lambda m, w=where, k=kind: m[1] + m[2] + k if m.start() == w else m[0], variant)
        out.append(variant)
    return out


def cases(seed: int, per_sheet: int) -> list[tuple[bytes, frozenset, bool, Limits]]:
    rng = random.Random(seed)
    found = []
    for body in sheets():
        for variant in [body, *variants(body, rng, per_sheet)]:
            dates = rng.choice(DATES) if rng.random() < 0.3 else frozenset()
            limits = rng.choice(LIMITS) if rng.random() < 0.3 else Limits()
            found.append((variant, dates, rng.random() < 0.2, limits))
    return found


def test_the_remembered_form_is_the_form_of_each_sheet():
    found = cases(seed=11, per_sheet=60)
    fast._SKELETONS.clear()
    plain = other = 0
    for _round in range(2):  # first filling the cache, then with every skeleton remembered
        for body, dates, empty, limits in found:
            expected = plain_check_alone(body, dates, empty, limits)
            assert _plain_check(body, dates, empty, limits) == expected, (body[:300], dates, empty, limits)
            plain += expected is not None
            other += expected is None
    assert plain > 500 and other > 500, (plain, other)  # both answers, many times


def test_skeletons_shared_by_sheets_of_either_form():
    """Sheets that differ in one value share a skeleton; each gets its own answer, in either order."""
    cell = b'<row r="1"><c r="A1"%s><v>%s</v></c></row>'
    limits = Limits()
    for kind in (b"", b' t="s"', b' t="str"'):
        for first, second in (
            (b"5", b"1234567890"),
            (b"-3", b"3.0"),
            (b"2.5", b"-2.5"),
            (b"7", b"00012"),
            (b"123456789012345", b"1234567890123456"),
        ):
            for order in ((first, second), (second, first)):
                fast._SKELETONS.clear()
                for value in order:
                    body = cell % (kind, value)
                    expected = plain_check_alone(body, frozenset(), False, limits)
                    assert _plain_check(body, frozenset(), False, limits) == expected, body


def test_simultaneous_checks_get_what_each_gets_alone():
    found = cases(seed=12, per_sheet=15)
    alone = [plain_check_alone(*case) for case in found]
    race(lambda case: _plain_check(*case), found, alone, rounds=6, every=97, clear=fast._SKELETONS.clear)
