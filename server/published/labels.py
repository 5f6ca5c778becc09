"""Matching printed row labels against the forms' rows (FORMS.md §6.3–§6.4).

Everything matched comes from the form definitions: each row's own label and
aliases, the form's label aliases, and the group labels above the rows
(``三、本年度办理结果``, ``（三）不予公开``), which a printed row may carry in
front of its own label. A label found only in another format version's form
is reported as such; a label that is close to one of the form's rows (a
misprint such as ``2.其他法律行政止公开``) is matched with a notice; a label
cut off by a page break (``1.信访举报投诉`` … ``类申请``) is completed from
the next printed line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..forms import FORMS
from ..forms.model import Block
from ..forms.model import Form
from ..forms.model import Row
from ..forms.model import Table
from ..workbook.normalize import normalize_label

EXACT = "exact"
FUZZY = "fuzzy"
CUT = "cut"
"""A label printed only in part, its end on a following line."""

_FUZZY_RATIO = 0.75
_PLAIN_MIN = 4
"""Labels matched without their item number (属于国家秘密) must be this long: 其他 alone names no row."""
_CUT_SHARE = 0.5
"""A label cut short without its end on the next line must keep this share to be matched (with a notice)."""
_CUT_SHARE_SEEN = 0.15
"""A label whose end is printed on the next line (a row broken by a page) may be cut this short."""
_GROUP_NUMBER = re.compile(r"^(\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、)")
_ITEM_NUMBER = re.compile(r"^\d+\.")


@dataclass(frozen=True)
class RowRef:
    """A row of a form, with the table and block it belongs to."""

    form: Form
    table: Table
    block: Block
    row: Row

    @property
    def official(self) -> str:
        """The row's own label as the form prints it."""
        return self.row.label


@dataclass(frozen=True)
class Match:
    """A printed label matched to a row."""

    ref: RowRef
    how: str
    printed: str
    rest: str = ""
    """For a cut label: the part expected on a following line."""


def _refs(form: Form) -> list[RowRef]:
    return [RowRef(form, table, block, row) for table in form.tables for block in table.blocks for row in block.rows]


class LabelIndex:
    """Every row label of every form, normalised, for matching printed labels."""

    def __init__(self) -> None:
        self.exact: dict[str, list[RowRef]] = {}
        self.plain: dict[str, list[RowRef]] = {}
        groups: set[str] = set()
        for form in FORMS.values():
            aliases = {normalize_label(official): normalize_label(alias) for alias, official in form.label_aliases}
            for ref in _refs(form):
                if not ref.row.labels:
                    continue
                for label in (ref.row.label, *ref.row.aliases):
                    self._add(normalize_label(label), ref)
                if normalize_label(ref.row.label) in aliases:
                    self._add(aliases[normalize_label(ref.row.label)], ref)
                groups.update(normalize_label(g) for g in ref.row.labels[:-1])
        numbers = {m.group(0) for g in groups if (m := _GROUP_NUMBER.match(g))}
        self.prefixes = sorted(groups | numbers, key=len, reverse=True)
        self.groups = groups

    def _add(self, norm: str, ref: RowRef) -> None:
        self.exact.setdefault(norm, []).append(ref)
        plain = _ITEM_NUMBER.sub("", norm)
        if plain != norm and len(plain) >= _PLAIN_MIN:
            self.plain.setdefault(plain, []).append(ref)

    def variants(self, norm: str) -> list[str]:
        """The printed label, then with the group labels in front of it removed one by one."""
        out = [norm]
        changed = True
        while changed and norm:
            changed = False
            for prefix in self.prefixes:
                if norm.startswith(prefix) and len(norm) > len(prefix):
                    norm = norm[len(prefix) :]
                    out.append(norm)
                    changed = True
                    break
        return out

    def is_group(self, norm: str) -> bool:
        """Whether a printed label is only group labels (三、本年度办理结果（三）不予公开)."""
        return norm not in self.exact and any(variant in self.groups for variant in self.variants(norm))

    def match(self, printed: str, form: Form, following: str = "") -> Match | None:
        """The row of ``form`` (or, failing that, of another version) a printed label names."""
        norm = normalize_label(printed)
        if not norm:
            return None
        variants = self.variants(norm)
        plain = [_ITEM_NUMBER.sub("", variant) for variant in variants]
        for table, keys in ((self.exact, variants), (self.plain, plain)):
            found = _pick(table, keys, form)
            if found is not None:
                return Match(found, EXACT, printed)
        return self._cut(variants, form, printed, following) or self._fuzzy(variants, form, printed)

    def _cut(self, variants: list[str], form: Form, printed: str, following: str) -> Match | None:
        text = variants[-1]
        nxt = normalize_label(following)
        for ref in _refs(form):
            for label in (ref.row.label, *ref.row.aliases):
                full = normalize_label(label)
                if not full.startswith(text) or full == text or len(text) < 4:
                    continue
                rest = full[len(text) :]
                if rest in nxt and len(text) >= _CUT_SHARE_SEEN * len(full):
                    return Match(ref, CUT, printed, rest)
                if len(text) >= _CUT_SHARE * len(full):
                    return Match(ref, FUZZY, printed, rest)
        return None

    def _fuzzy(self, variants: list[str], form: Form, printed: str) -> Match | None:
        best, best_ratio = None, _FUZZY_RATIO
        text = variants[-1]
        if len(text) < 3:
            return None
        for ref in _refs(form):
            for label in (ref.row.label, *ref.row.aliases):
                full = normalize_label(label)
                if _ITEM_NUMBER.match(full) and _ITEM_NUMBER.match(text):
                    if _ITEM_NUMBER.match(full).group(0) != _ITEM_NUMBER.match(text).group(0):
                        continue
                ratio = SequenceMatcher(None, text, full).ratio()
                if ratio > best_ratio:
                    best, best_ratio = ref, ratio
        return Match(best, FUZZY, printed) if best is not None else None


def _pick(table: dict[str, list[RowRef]], variants: list[str], form: Form) -> RowRef | None:
    """The first variant naming a row: of ``form`` if possible, else of another version."""
    for variant in variants:
        refs = table.get(variant, [])
        own = [ref for ref in refs if ref.form is form]
        if own:
            return own[0]
    for variant in variants:
        refs = table.get(variant, [])
        if refs:
            return refs[0]
    return None


INDEX = LabelIndex()
