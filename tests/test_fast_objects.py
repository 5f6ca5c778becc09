"""Findings and cell references built without the frozen dataclasses' ``__init__`` (issue 11) are the same objects."""

from __future__ import annotations

import pickle
from dataclasses import fields

import pytest

from server.findings import CellRef
from server.findings import Finding
from server.rules.base import cell_ref
from server.rules.base import new_finding

VALUES = [None, 0, 1.5, "文字", ("t2", "t3"), (CellRef("k", "表二", "D5", "标签", 3, "part"),)]


def _same(quick, general) -> None:
    assert quick == general and hash(quick) == hash(general) and repr(quick) == repr(general)
    assert list(quick.__dict__.items()) == list(general.__dict__.items())  # same fields, same order
    assert type(quick) is type(general)
    assert pickle.loads(pickle.dumps(quick)) == general
    with pytest.raises(AttributeError):
        quick.key = "other"  # still frozen


def test_a_cell_reference_is_the_dataclass_one():
    for value in VALUES[:4]:
        for role in ("part", "total", "culprit"):
            args = ("t2.open.c_natural", "表二 依申请公开", "D8", "（一）予以公开·自然人", value, role)
            _same(cell_ref(*args), CellRef(*args))
            _same(cell_ref(None, None, None, "", value, role), CellRef(None, None, None, "", value, role))


def test_a_finding_is_the_dataclass_one_whatever_fields_are_given():
    names = [f.name for f in fields(Finding) if f.name not in ("rule", "severity", "message")]
    for start in range(len(names)):
        chosen = names[start:] + names[: start // 2]
        given = {name: VALUES[i % len(VALUES)] for i, name in enumerate(chosen)}
        given.update(rule="sum.total", severity="error", message="消息")
        _same(new_finding(**given), Finding(**given))
    _same(new_finding(rule="r", severity="info", message="m"), Finding(rule="r", severity="info", message="m"))


def test_a_wrong_field_fails_as_the_dataclass_does():
    with pytest.raises(TypeError):
        new_finding(rule="r", severity="info", message="m", colour="red")
    with pytest.raises(TypeError):
        new_finding(rule="r", message="m")


def test_references_named_together_are_those_named_one_by_one():
    """``Context.refs`` (one loop) gives what ``Context.ref`` gives for each key: addresses known or not,
    values used, raw text of unreadable cells, blanks, header fields, keys of no cell."""
    from builders import consistent_values

    from server.findings import CellRef
    from server.findings import Report
    from server.forms import get_form
    from server.readings import read
    from server.rules.base import Context
    from server.rules.header import parse_header

    form = get_form("2021")
    raw = consistent_values(form, seed=4)
    keys = list(form.cells)
    raw[keys[3]], raw[keys[5]], raw[keys[8]] = "见附件", None, "12件"
    readings = {key: read(raw.get(key), cell.domain) for key, cell in form.cells.items()}
    addresses = {key: ("表二", f"D{n}") for n, key in enumerate(keys[::2])}
    addresses["header.unit"] = ("填报信息", "B3")
    ctx = Context(form, readings, parse_header({"unit": "某局"}), addresses, Report(version="2021"))
    ctx.values.update({key: r.value for key, r in readings.items() if r.value is not None and key != keys[10]})
    asked = [*keys, "header.unit", "header.year", "no.such.cell"]

    def ref(key, role="part", **shown):  # a CellRef spelled out from the context's own lookups
        value = ctx.shown(key) if "value" not in shown else shown["value"]
        return CellRef(key, *ctx.address(key), ctx.label(key), value, role)

    for role, shown in (("part", {}), ("cell", {}), ("cell", {"value": None}), ("total", {"value": 0})):
        assert ctx.refs(asked, role, **shown) == tuple(ref(key, role, **shown) for key in asked)
        assert [ctx.ref(key, role, **shown) for key in asked] == [ref(key, role, **shown) for key in asked]
    assert ctx.refs(asked) == tuple(ref(key) for key in asked)
