"""Statements of numbers in a report's narrative (FORMS.md P9): what the text says, about which target.

A statement is a number with a unit (“受理申请21件”) or a denial without a number
(“未收到依申请公开”, “没有…行政复议或行政诉讼”). The clause nearest before a number names
its target; breakdowns (“其中自然人申请15件”) keep the previous target with an applicant kind;
clauses about consultations, proposals, comparisons or other years say nothing about the
tables, and a clause naming both “受理” and “办结” is left alone as ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..readings import read
from .document import Paragraph

_SENTENCE_END = re.compile(r"(?<=[。！!？?])")
_CLAUSE = re.compile(r"[，,。；;：:、（）()]")
_AMOUNT = re.compile(r"(?P<number>\d+|[零〇一二两三四五六七八九十百千]+)\s*(?P<unit>件|宗|起|个|份)")
_GENERIC = ("新收", "办理")
"""Targets named by common verbs (受理, 办理): they give way to the specific ones."""
_AMBIGUOUS_STOP = "其中"
"""A clause starting a breakdown: targets before it belong to the total, not to the number after it."""
_SKIP = re.compile(r"咨询|信访|建议|提案|热线|留言|来电|同比|增长|下降|上升|较上年|较去年|去年|比上年|占|%|％")
_SCOPE = re.compile(r"代表|通过|网上|网络|当面|信函|邮寄|传真|电子邮件|平台")
_NATURAL = re.compile(r"自然人|个人|公民|群众")
_ORGS = re.compile(r"法人|企业|组织|单位")
_ISSUE = re.compile(r"制发|制定|出台|印发|发布|制作")


@dataclass(frozen=True)
class Target:
    """What a statement talks about and how to find its cells in a form."""

    name: str
    words: re.Pattern
    """Words in the text that name it."""
    table: str
    row_label: str = ""
    """A row whose own label contains this, or a group label containing it."""
    column_label: str = "总计"
    needs: str = "申请"
    """A word the sentence must contain (applications) or the clause itself (cases, documents)."""


TARGETS = (
    Target("上年结转", re.compile(r"上年(度)?结转|结转上(一)?年|上一年度?结转|往年结转"), "t2", "上年结转"),
    Target(
        "结转下年度",
        re.compile(r"结转(至|到|入)?下(一)?年|转入下(一)?年|下(一)?年度?继续办理|结转(至|到|入)?\d{4}年"),
        "t2",
        "结转下年度",
    ),
    Target("予以公开", re.compile(r"(?<!不)予以公开|同意公开"), "t2", "予以公开"),
    Target("部分公开", re.compile(r"部分公开"), "t2", "部分公开"),
    Target("不予公开", re.compile(r"不予公开"), "t2", "不予公开"),
    Target("无法提供", re.compile(r"无法提供"), "t2", "无法提供"),
    Target("不予处理", re.compile(r"不予处理"), "t2", "不予处理"),
    Target("办理", re.compile(r"办结|答复|办理完毕|已办理|办理"), "t2", "（七）总计"),
    Target("新收", re.compile(r"收到|受理|新收|接收|接到|共有|提出"), "t2", "本年新收"),
    Target("行政复议", re.compile(r"行政复议"), "t3", column_label="行政复议", needs="行政复议"),
    Target("行政诉讼", re.compile(r"行政诉讼|提起诉讼|起诉"), "t3", column_label="行政诉讼", needs="诉讼"),
    Target("规章", re.compile(r"规章"), "t1", "规章", column_label="制", needs="规章"),
    Target("规范性文件", re.compile(r"规范性文件"), "t1", "规范性文件", column_label="制", needs="规范性文件"),
)

_DENIALS = (
    (
        re.compile(
            r"(未|没有|无)(收到|受理|接到|接收|发生)[^，。；]{0,20}申请|无(政府信息公开|依申请公开|依申请)申请?"
        ),
        "新收",
    ),
    (re.compile(r"(未|没有|无)[^，。；]{0,40}行政复议"), "行政复议"),
    (re.compile(r"(未|没有|无)[^，。；]{0,40}行政诉讼"), "行政诉讼"),
    (re.compile(r"(未|没有|无)(制发|制定|出台|印发)[^，。；]{0,12}规范性"), "规范性文件"),
    (re.compile(r"(未|没有|无)(制发|制定|出台|印发)[^，。；]{0,12}规章"), "规章"),
)
FEES = Target("收费", re.compile(r"收费"), "t1", "收费", column_label="", needs="")
_NO_FEES = re.compile(r"(未|没有|无|不)(收取|收)[^，。；]{0,10}费|收费[^，。；]{0,6}(无|为零|为0)|无[^，。；]{0,6}收费")


@dataclass(frozen=True)
class Statement:
    """A number the text states about one target."""

    target: Target
    stated: int | float
    sentence: str
    where: str
    scope: str = ""
    """The clause's wording when it speaks of a narrower scope."""
    applicants: str = ""
    """自然人 or 法人或其他组织 when the clause names one kind of applicant."""
    at: int = -1
    """Where the stated number ends in the sentence (-1 for a denial)."""


def find_statements(paragraphs: list[Paragraph], year: int | None = None) -> list[Statement]:
    """Every statement of a number the narrative makes about a target."""
    out: list[Statement] = []
    for paragraph in paragraphs:
        text = unicodedata.normalize("NFKC", paragraph.text).replace(" ", "")
        for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(text))):
            out.extend(_numbers(sentence, paragraph.where, year))
            out.extend(_denials(sentence, paragraph.where))
    return out


def _numbers(sentence: str, where: str, year: int | None) -> list[Statement]:
    out: list[Statement] = []
    start, previous = 0, None
    for match in _AMOUNT.finditer(sentence):
        segment = re.split(r"[；;]", sentence[start : match.start()])[-1]
        start = match.end()
        clause = _CLAUSE.split(segment)[-1] if _CLAUSE.split(segment)[-1] else segment
        if _SKIP.search(segment) or _other_year(segment, year):
            previous = None
            continue
        targets = _nearest_targets(segment, sentence) or ([previous] if previous and _breakdown(segment) else [])
        stated = read(match.group("number")).value
        if stated is None:
            continue
        for target in targets:
            scope = segment.strip("，,。；;") if _SCOPE.search(segment) else ""
            out.append(Statement(target, stated, sentence, where, scope, _applicants(clause), match.end()))
        previous = targets[0] if len(targets) == 1 else None
    return out


def _nearest_targets(segment: str, sentence: str) -> list[Target]:
    """The targets of the clause nearest before the number that names any (“…审核、答复等环节，共收到申请21件”)."""
    clauses = [c for c in _CLAUSE.split(segment) if c]
    for start in range(len(clauses) - 1, -1, -1):
        found = _targets("".join(clauses[start:]), sentence)
        if found:
            return found
        if _AMBIGUOUS_STOP in clauses[start]:
            break
    return []


def _targets(segment: str, sentence: str) -> list[Target]:
    found = []
    for target in TARGETS:
        haystack = sentence if target.needs == "申请" else segment
        if target.words.search(segment) and target.needs in haystack:
            if target.table == "t1" and not _ISSUE.search(segment):
                continue
            found.append(target)
    if not found:
        return []
    t3 = [t for t in found if t.table == "t3"]
    if t3:
        return t3
    specific = [t for t in found if t.name not in _GENERIC]
    if specific:  # “结转下年度继续办理1件”: the specific words name the row
        return [max(specific, key=lambda t: _last_end(t.words, segment))]
    if len(found) > 1:
        return []  # “受理并办结…”: received or answered, not said
    return found


def _last_end(words: re.Pattern, segment: str) -> int:
    """Where the last mention of a target ends: the one nearest the number names it."""
    return max(match.end() for match in words.finditer(segment))


def _breakdown(segment: str) -> bool:
    """A clause that continues the previous statement: “其中自然人申请…”, “法人…”."""
    return bool(_NATURAL.search(segment) or _ORGS.search(segment))


def _applicants(clause: str) -> str:
    if _NATURAL.search(clause):
        return "自然人"
    if _ORGS.search(clause):
        return "法人或其他组织"
    return ""


def _other_year(segment: str, year: int | None) -> bool:
    """A clause about another year (“2020年收到…”); carrying over to the next year is about this one."""
    if year is None:
        return False
    allowed = {year, year + 1} if "结转" in segment else {year}
    return any(int(y) not in allowed for y in re.findall(r"(\d{4})年", segment))


def _denials(sentence: str, where: str) -> list[Statement]:
    if _AMOUNT.search(sentence):
        return []
    by_name = {target.name: target for target in TARGETS}
    out = []
    for pattern, name in _DENIALS:
        if pattern.search(sentence):
            out.append(Statement(by_name[name], 0, sentence, where))
    if _NO_FEES.search(sentence) and "信息处理费" not in sentence:
        out.append(Statement(FEES, 0, sentence, where))
    return out
