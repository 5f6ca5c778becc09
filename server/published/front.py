"""The header fields of a published report: unit and year from the title, 统计期限, date and phone.

A report's title names the unit and the year (``某某街道办事处2025年政府信息公开
工作年度报告``, also ``2025年某某街道…`` and titles broken over two lines);
the statistics period (``统计期限自2025年1月1日起至2025年12月31日止``) gives
the year when the title does not; the signature date is a line of its own
near the end; the phone number follows 电话.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field

from .document import Document
from .document import Paragraph

DOCUMENT = "文档"
"""The ``sheet`` of header addresses: a published report has no sheets."""

_TITLE_LINES = 40
_TITLES = (
    re.compile(r"^(?P<unit>.{2,40}?)(?P<year>\d{4})年度?(的)?(政府|政务)?信息公开(工作)?(年度)?(工作)?报告"),
    re.compile(r"^(?P<year>\d{4})年度?(?P<unit>.{2,40}?)(政府|政务)?信息公开(工作)?(年度)?(工作)?报告"),
)
_ORGANISATION = re.compile(
    r"(区|县|市|州|盟|旗|镇|乡|街道|办事处|局|委员会|委|办公室|办|中心|院|所|馆|站|队|政府|公司|会|厅|部|署|处|园区)$"
)
"""How the name of a 编制主体 ends; a title such as “2023年度政府信息公开工作年度报告” names none."""
_NO_UNIT = {"政府", "人民政府", "政务", "本机关", "本单位", "我单位"}
_PERIOD = re.compile(r"(统计|期限|时限|期间|时间).{0,20}?(?P<year>\d{4})年0?1月0?1日")
_DATE_LINE = re.compile(r"^(?P<date>\d{4}年\d{1,2}月\d{1,2}日)$")
_PUBLISHED = re.compile(r"(发布|发文|成文)(时间|日期)[:：]?(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)")
_PHONE = re.compile(r"电话\s*(号码)?\s*[:：]?\s*(?P<phone>\(?0\d{2,3}\)?[-\s]?\d{7,8}|1\d{10})")


@dataclass
class FrontMatter:
    """Header field values and where each was found."""

    values: dict[str, object] = field(default_factory=dict)
    addresses: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        """The report year, when found."""
        year = self.values.get("year")
        return year if isinstance(year, int) else None


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _squash(text: str) -> str:
    """Text without spaces; a year in Chinese digits (二〇二三年) in Arabic digits."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"[〇零一二三四五六七八九]{4}(?=年)", lambda m: m.group(0).translate(_CN_DIGITS), text)


def read_front(doc: Document) -> FrontMatter:
    """Unit, year, date and phone of a published report."""
    front = FrontMatter()
    _title(doc.paragraphs[:_TITLE_LINES], front)
    if "year" not in front.values:
        _period(doc.paragraphs, front)
    _date(doc.paragraphs, front)
    if "unit" not in front.values:
        _signature(doc.paragraphs, front)
    _phone(doc.paragraphs, front)
    return front


def _signature(paragraphs: list[Paragraph], front: FrontMatter) -> None:
    """The unit signing above the date (落款), when no title names it."""
    where = front.addresses.get("header.date", (None, None))[1]
    for index, paragraph in enumerate(paragraphs):
        if paragraph.where == where and index > 0:
            name = _squash(paragraphs[index - 1].text)
            if len(name) <= 30 and _ORGANISATION.search(name) and name not in _NO_UNIT:
                front.values["unit"] = name
                front.addresses["header.unit"] = (DOCUMENT, paragraphs[index - 1].where)
            return


def _title(paragraphs: list[Paragraph], front: FrontMatter) -> None:
    """A title on one line, else broken over two lines."""
    texts = [_squash(p.text) for p in paragraphs]
    candidates = [(texts[i], p) for i, p in enumerate(paragraphs)]
    candidates += [(texts[i] + texts[i + 1], p) for i, p in enumerate(paragraphs[:-1])]
    found = [
        (re.sub(r"^(关于|印发)", "", match.group("unit").strip('《》“”"')), int(match.group("year")), paragraph)
        for text, paragraph in candidates
        for pattern in _TITLES
        if (match := pattern.match(text))
    ]
    named = [item for item in found if _ORGANISATION.search(item[0]) and item[0] not in _NO_UNIT]
    named = named or [item for item in found if item[0] not in _NO_UNIT]
    if named:
        unit, year, paragraph = named[0]
        front.values["unit"] = unit
        front.addresses["header.unit"] = (DOCUMENT, paragraph.where)
    elif found:
        _, year, paragraph = found[0]  # “2021年政府信息公开工作年度报告”: the year, but no unit
    else:
        return
    front.values["year"] = year
    front.addresses["header.year"] = (DOCUMENT, paragraph.where)


def _period(paragraphs: list[Paragraph], front: FrontMatter) -> None:
    for paragraph in paragraphs:
        match = _PERIOD.search(_squash(paragraph.text))
        if match:
            front.values["year"] = int(match.group("year"))
            front.addresses["header.year"] = (DOCUMENT, paragraph.where)
            return


def _date(paragraphs: list[Paragraph], front: FrontMatter) -> None:
    """The signature date (the last line holding only a date), else a web page's 发布日期."""
    for pattern, search in ((_DATE_LINE, False), (_PUBLISHED, True)):
        for paragraph in reversed(paragraphs):
            text = _squash(paragraph.text)
            match = pattern.search(text) if search else pattern.match(text)
            if match:
                front.values["date"] = match.group("date")
                front.addresses["header.date"] = (DOCUMENT, paragraph.where)
                return


def _phone(paragraphs: list[Paragraph], front: FrontMatter) -> None:
    for paragraph in paragraphs:
        match = _PHONE.search(unicodedata.normalize("NFKC", paragraph.text))
        if match:
            front.values["phone"] = re.sub(r"\s", "", match.group("phone"))
            front.addresses["header.phone"] = (DOCUMENT, paragraph.where)
            return
