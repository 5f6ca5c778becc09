"""Reading what a clerk typed into a number cell (FORMS.md §6.2, §6.4).

:func:`read` turns one raw cell value — whatever a door received: a float
from Excel, text such as ``37个``, ``46.3万元``, ``0%``, ``减4``, ``—`` or
full-width ``１２`` — into a :class:`Reading`: the number to use in the
checks, how it was recognised, and the number to suggest to the clerk. It
never raises; what cannot be understood comes back as ``unreadable``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from .forms.model import Domain

BLANK = "blank"
NUMBER = "number"
TEXT = "text"
UNREADABLE = "unreadable"

_COUNT_UNITS = ("批次", "件", "个", "项", "宗", "条", "次", "家", "起", "人", "份")
_PLACEHOLDERS = {"-", "--", "—", "——", "–", "/", "／", "\\", "无", "没有", "暂无", "空", "×", "x", "X", "null", "none"}
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!", "#SPILL!", "#CALC!"}
_INCREASE = ("增加", "增长", "新增", "增", "多")
_DECREASE = ("减少", "下降", "减", "少")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
LARGEST = 1e12
"""No count or 万元 amount of a report comes near this; larger numbers are typing accidents."""
INVISIBLE = {
    "\u00ad": "软连字符",
    "\u061c": "阿拉伯字母标记",
    "\u180e": "蒙古文元音分隔符",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u202a": "从左到右嵌入",
    "\u202b": "从右到左嵌入",
    "\u202c": "方向格式结束",
    "\u202d": "从左到右强制",
    "\u202e": "从右到左强制",
    "\u2060": "字连接符",
    "\u2061": "不可见的函数应用符",
    "\u2062": "不可见的乘号",
    "\u2063": "不可见的分隔符",
    "\u2064": "不可见的加号",
    "\u2066": "从左到右隔离",
    "\u2067": "从右到左隔离",
    "\u2068": "首强隔离",
    "\u2069": "方向隔离结束",
    "\ufeff": "字节顺序标记",
}
"""Characters that show nothing (zero width, text direction), named in words for the clerk."""


class Formula(str):
    """A formula whose result the file does not hold (saved by a tool that does not calculate).

    The text is the formula (``=1+2``); it is never read as blank.
    """


@dataclass(frozen=True)
class Reading:
    """One cell's raw value and what it was read as."""

    raw: object
    """Exactly what the door received."""
    kind: str
    """blank | number | text (text whose number was recognised) | unreadable."""
    value: int | float | None = None
    """The number used in the checks (None for blank and unreadable)."""
    reason: str = ""
    """Why text was recognised or not (a code, see :data:`REASONS`)."""
    suggestion: int | float | None = None
    """The number the clerk most likely meant (text only)."""
    hidden: str = ""
    """The invisible characters removed before reading, named in words (e.g. 零宽空格)."""

    @property
    def is_number(self) -> bool:
        """True when the cell holds a real number."""
        return self.kind == NUMBER

    @property
    def usable(self) -> bool:
        """True when the checks can use :attr:`value`."""
        return self.value is not None


REASONS = {
    "numeric_text": "以文本形式保存的数字",
    "unit": "数字后带有单位",
    "wan_yuan": "金额后带有“万元”",
    "yuan": "金额以“元”为单位，已换算为万元",
    "percent_zero": "填写了百分数“0%”（应填增减的事项数）",
    "percent": "填写了百分数，无法换算为数量",
    "placeholder": "用符号或“无”表示没有",
    "sign_word": "用“增/减”等文字表示正负",
    "fullwidth": "使用了全角数字或符号",
    "thousands": "数字中带有千位分隔符",
    "chinese_numeral": "使用了汉字数字",
    "spaces": "数字前后或中间有空格",
    "error_value": "单元格显示公式错误",
    "date": "单元格是日期，不是数字",
    "bool": "单元格是逻辑值，不是数字",
    "not_a_number": "不是数字",
    "several_numbers": "单元格中有多个数字",
    "wan_in_count": "数量单元格中填写了金额",
    "too_large": "数字大得不合常理（超过一万亿）",
    "formula": "公式没有计算结果",
}


def reason_text(reading: Reading) -> str:
    """Why a cell was read as it was, in words; invisible characters are named first."""
    if not reading.hidden:
        return REASONS[reading.reason]
    hidden = f"含有看不见的字符（{reading.hidden}）"
    return hidden if reading.reason == "numeric_text" else f"{hidden}；{REASONS[reading.reason]}"


_BLANK_READING = Reading(None, BLANK)
_INTS: dict[int, Reading] = {}
"""Readings of the whole numbers from −:data:`_CACHED_INTS` to :data:`_CACHED_INTS`, each made once
(readings are immutable; at most ~4 MB however many different numbers arrive)."""
_CACHED_INTS = 10_000


def read(raw: object, domain: Domain = Domain.COUNT) -> Reading:
    """Read one raw cell value for a cell of the given domain."""
    if raw is None:
        return _BLANK_READING
    if raw.__class__ is int and -_CACHED_INTS <= raw <= _CACHED_INTS:
        reading = _INTS.get(raw)
        if reading is None:
            reading = _INTS.setdefault(raw, Reading(raw, NUMBER, value=raw))
        return reading
    if isinstance(raw, Formula):
        return Reading(raw, UNREADABLE, reason="formula")
    if isinstance(raw, bool):
        return Reading(raw, UNREADABLE, reason="bool")
    if isinstance(raw, (int, float)):
        return _read_number(raw)
    if isinstance(raw, (dt.date, dt.time, dt.datetime)):
        return Reading(raw, UNREADABLE, reason="date")
    if isinstance(raw, str):
        return _read_text(raw, domain)
    return Reading(raw, UNREADABLE, reason="not_a_number")


def _read_number(raw: int | float) -> Reading:
    if isinstance(raw, float) and not math.isfinite(raw):
        return Reading(raw, UNREADABLE, reason="not_a_number")
    if abs(raw) > LARGEST:
        return Reading(raw, UNREADABLE, reason="too_large")
    return Reading(raw, NUMBER, value=_tidy(raw))


def _tidy(number: float) -> int | float:
    """5.0 -> 5; keep real fractions (rounded to 10 decimals against float noise)."""
    if isinstance(number, int):
        return number
    rounded = round(number, 10)
    return int(rounded) if rounded == int(rounded) else rounded


def _read_text(raw: str, domain: Domain) -> Reading:
    text, hidden = _without_invisible(raw)
    text = text.strip()
    if not text:
        return Reading(raw, BLANK)
    if text.upper() in _EXCEL_ERRORS:
        return Reading(raw, UNREADABLE, reason="error_value", hidden=hidden)
    number, reason = _interpret(text, domain)
    if number is None:
        return Reading(raw, UNREADABLE, reason=reason, hidden=hidden)
    if abs(number) > LARGEST:
        return Reading(raw, UNREADABLE, reason="too_large", hidden=hidden)
    return Reading(raw, TEXT, value=number, reason=reason, suggestion=number, hidden=hidden)


def encodable(text: str) -> bool:
    """Whether text is valid Unicode that UTF-8 can hold (not a lone surrogate such as ``\\ud800``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def strip_invisible(text: str) -> str:
    """The text without zero-width and direction characters (for names, years and labels)."""
    return _without_invisible(text)[0]


def _without_invisible(raw: str) -> tuple[str, str]:
    """The text without invisible characters, and their names (in order of appearance)."""
    names = []
    for ch in raw:
        if ch in INVISIBLE or unicodedata.category(ch) == "Cf":
            name = INVISIBLE.get(ch) or f"不可见的格式字符 U+{ord(ch):04X}"
            if name not in names:
                names.append(name)
    if not names:
        return raw, ""
    kept = "".join(ch for ch in raw if ch not in INVISIBLE and unicodedata.category(ch) != "Cf")
    return kept, "、".join(names)


def _interpret(text: str, domain: Domain) -> tuple[int | float | None, str]:
    """The number a piece of text stands for, with the main reason code."""
    reasons = []
    folded = unicodedata.normalize("NFKC", text)
    if folded != text:
        reasons.append("fullwidth")
    folded = folded.replace("。", ".").replace("．", ".").strip()
    if re.search(r"\d\s+\d", folded) and not re.fullmatch(r"\d{1,3}( \d{3})+", folded):
        return None, "several_numbers"
    compact = re.sub(r"\s+", "", folded)
    if compact != folded:
        reasons.append("spaces")
    if compact.lower() in _PLACEHOLDERS:
        return 0, "placeholder"
    sign, compact, sign_reason = _strip_sign_words(compact)
    if sign_reason:
        reasons.append(sign_reason)
    if compact.endswith("%"):
        return _percent(compact[:-1])
    compact, scale, unit_reason = _strip_unit(compact, domain)
    if unit_reason == "wan_in_count":
        return None, unit_reason
    if unit_reason:
        reasons.append(unit_reason)
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", compact):
        compact = compact.replace(",", "")
        reasons.append("thousands")
    value = _parse_plain(compact)
    if value is None:
        value = _parse_chinese(compact)
        if value is None:
            return None, "several_numbers" if len(_NUMBER.findall(compact)) > 1 else "not_a_number"
        reasons.append("chinese_numeral")
    if not math.isfinite(value) or abs(value) > LARGEST:
        return None, "too_large"
    value = _tidy(round(sign * value * scale, 6))
    return value, _main_reason(reasons)


def _main_reason(reasons: list[str]) -> str:
    for code in ("yuan", "wan_yuan", "unit", "sign_word", "chinese_numeral", "thousands", "fullwidth", "spaces"):
        if code in reasons:
            return code
    return "numeric_text"


def _strip_sign_words(text: str) -> tuple[int, str, str]:
    for word in _DECREASE:
        if text.startswith(word) and len(text) > len(word):
            return -1, text[len(word) :], "sign_word"
    for word in _INCREASE:
        if text.startswith(word) and len(text) > len(word):
            return 1, text[len(word) :], "sign_word"
    return 1, text, ""


def _percent(number_text: str) -> tuple[int | None, str]:
    value = _parse_plain(number_text)
    if value == 0:
        return 0, "percent_zero"
    return None, "percent"


def _strip_unit(text: str, domain: Domain) -> tuple[str, float, str]:
    """Remove a trailing unit; returns (text, factor to 万元 or 1, reason)."""
    if text.endswith("万元"):
        if domain is not Domain.AMOUNT:
            return text, 1, "wan_in_count"
        return text[:-2], 1, "wan_yuan"
    if text.endswith("元") and domain is Domain.AMOUNT:
        return text[:-1], 1 / 10000, "yuan"
    for unit in _COUNT_UNITS:
        if text.endswith(unit) and len(text) > len(unit):
            return text[: -len(unit)], 1, "unit"
    return text, 1, ""


def _parse_plain(text: str) -> float | None:
    if _NUMBER.fullmatch(text):
        return float(text)
    return None


def _parse_chinese(text: str) -> int | None:
    """Small Chinese numerals: 零, 三, 十二, 二十五, 一百零三, 两千 (up to 万)."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            continue
        unit = _CN_UNITS[ch]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def fits_domain(value: int | float, domain: Domain) -> bool:
    """Whether a number is allowed in a cell of the domain."""
    if domain.integral and value != int(value):
        return False
    bound = domain.lower_bound
    return bound is None or value >= bound
