"""Header fields found by their labels, or in a report title.

``填报单位 | 某某街道`` (label, value in the next cell), ``填报单位：某某街道``
(both in one cell) and, as a last resort, a title such as
``某某街道办事处2025年政府信息公开工作年度报告``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

from ..forms.model import Form
from ..rules.header import parse_year
from .normalize import normalize_label

_REACH = 4
"""How many cells right of a label its value may be."""
_TITLES = (
    re.compile(r"^(?P<unit>.+?)\s*(?P<year>\d{4})\s*年度?\s*(政府)?信息公开.*报\s*告"),
    re.compile(r"^(?P<year>\d{4})\s*年度?\s*(?P<unit>.+?)\s*(政府)?信息公开.*报\s*告"),
)


@dataclass
class HeaderFound:
    """Header field positions and values found by labels."""

    positions: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        """The report year, when found in a title or a one-cell label."""
        return parse_year(self.values.get("year"))


def locate_header(form: Form, index) -> HeaderFound:
    """Find every header field of the form in the indexed workbook."""
    found = HeaderFound()
    for header_field in form.header_fields:
        for label in (header_field.label, *header_field.aliases):
            if _by_label(index, header_field.key, label, found):
                break
    if "unit" not in found.positions or "year" not in found.positions:
        _from_title(index, found)
    return found


def _by_label(index, key: str, label: str, found: HeaderFound) -> bool:
    norm = normalize_label(label)
    for text in index.find([label]):
        found.positions[key] = _value_position(index, text)
        return True
    for text in index.texts:
        if text.norm.startswith(norm + ":") and len(text.norm) > len(norm) + 1:
            raw = str(index.value(text.sheet, text.row, text.col))
            found.values[key] = re.split(r"[:：]", raw, maxsplit=1)[1].strip()
            found.positions[key] = (text.sheet, text.row, text.col)
            return True
    return False


def _value_position(index, text) -> tuple[str, int, int]:
    for col in range(text.col + 1, text.col + 1 + _REACH):
        value = index.value(text.sheet, text.row, col)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return (text.sheet, text.row, col)
    return (text.sheet, text.row, text.col + 1)


def _from_title(index, found: HeaderFound) -> None:
    for text in index.texts:
        raw = str(index.value(text.sheet, text.row, text.col)).strip()
        for pattern in _TITLES:
            match = pattern.match(raw)
            if match and len(match.group("unit")) <= 40:
                found.values.setdefault("unit", re.sub(r"\s+", "", match.group("unit")))
                found.values.setdefault("year", int(match.group("year")))
                return
