"""One story per mistake: each likely typing mistake with the breaks it explains.

The engine reports every broken identity (勾稽关系) it finds, and error
localisation (:mod:`server.locate`) names the cell most likely mistyped
(``locate.culprit``) or the equally good options (``locate.ambiguous``).
One typo typically breaks three identities; a clerk shown four red errors
"fixes" the three cells that were right. :func:`tell` therefore ties the
findings together after the engine has run:

* every finding gets an ``id`` (``F1`` … in report order) and the Chinese
  ``name`` of its rule;
* a mistake is a culprit or an ambiguity. Every identity break of the same
  table is a consequence of it (``explained_by`` its id; the mistake lists
  them in ``explains``): localisation chose the mistake so that correcting it
  makes every identity of the table hold. With several culprits in a table,
  a break goes to the culprit among its cells (blank totals looked through
  to their parts), else to the table's first mistake;
* text read as a number (``value.text``) on a culprit's cell is one finding
  with the culprit: the culprit's message says both;
* a blank total whose parts include a mistake's cell is held: not filled in
  (removed from ``filled``, listed in ``cleared`` so an earlier fill is
  emptied) until the mistake is corrected, and the mistake says so;
* messages of consequences start with which mistake causes them.

Detection does not change: the same findings with the same rule ids and
cells, only tied together. :func:`stories` gives the doors the grouped
order (mistake, then its consequences); :attr:`Report.counts` counts the
findings that stand alone, so errors count mistakes, not symptoms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .findings import CellRef
from .findings import Finding
from .findings import Report
from .findings import replaced
from .forms.cache import per_form
from .forms.model import Form
from .rules.catalogue import rule_name
from .rules.messages import render

MISTAKES = ("locate.culprit", "locate.ambiguous")
"""Rules whose findings are a mistake (a cause)."""
MERGED = ("value.text", "value.numeric_text")
"""Rules whose finding on a culprit's own cell is told by the culprit's message."""
_BREAKS = ("sum.", "balance.")
HELD = "held"
"""CellRef role of a blank total left unfilled until the mistake is corrected."""
_SHOWN_CELLS = 8
_LOCATE_NOTES = (render("locate.unproven"), render("locate.unlisted"))
"""What localisation says of an answer the time limit cut short: an ambiguity told anew keeps it."""


@dataclass(frozen=True)
class Story:
    """A finding as a clerk reads it: the finding, what it explains, and what its message already says."""

    finding: Finding
    consequences: tuple[Finding, ...] = ()
    merged: tuple[Finding, ...] = ()


def tell(form: Form, report: Report) -> None:
    """Number and name the findings, tie consequences to their mistakes, hold tainted totals."""
    findings = [replaced(f, id=f"F{n}", name=rule_name(f.rule, form)) for n, f in enumerate(report.findings, start=1)]
    mistakes = [f for f in findings if f.rule in MISTAKES]
    if not mistakes:
        report.findings = findings
        return
    refs = _refs(findings)
    reach = _Reach(form, report.filled)
    causes = {f.id: _cause(f, mistakes, reach) for f in findings if f.rule not in MISTAKES}
    causes = {fid: mistake for fid, mistake in causes.items() if mistake is not None}
    held = _held(form, report, mistakes, reach)
    findings = [_retold(f, causes, findings, held, refs, form) for f in findings]
    findings = _without_held(findings, held, refs, form, report)
    report.findings = findings
    for key in held:
        report.filled.pop(key, None)
        if key not in report.cleared:
            report.cleared.append(key)


def stories(report: Report) -> list[Story]:
    """The findings in the order clerks read them: each finding standing alone, then its consequences."""
    by_id = {f.id: f for f in report.findings}
    under: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.explained_by in by_id:
            under.setdefault(finding.explained_by, []).append(finding)
    out = []
    for finding in report.findings:
        if finding.explained_by in by_id:
            continue
        tied = under.get(finding.id, [])
        merged = tuple(f for f in tied if _is_merged(f, finding))
        shown = tuple(f for f in tied if not _is_merged(f, finding))
        out.append(Story(finding, shown, merged))
    return out


def brief(finding: Finding) -> str:
    """A consequence in a few words: ``J8 行合计``."""
    return f"{finding.cell or ''} {finding.name}".strip()


def suspects(mistake: Finding) -> str:
    """The cells a mistake suspects, to go before 很可能填错: ``D8 ``, ``D6、D7、D8 中有一格``."""
    cells = [ref.cell for ref in mistake.cells if ref.role == "candidate" and ref.cell]
    if mistake.rule == "locate.ambiguous" and cells:
        return f"{'、'.join(cells)} 中有一格"
    return f"{mistake.cell or ''} "


def lead(message: str) -> str:
    """A mistake's message without the list of what it breaks (told by :func:`consequences_line`)."""
    marker = render("story.affects", checks="\x00").split("\x00")[0]
    head, _, tail = message.partition(marker)
    rest = tail.split("。", 1)[1] if "。" in tail else ""
    return head + rest


def consequences_line(story: Story) -> str:
    """One line under a mistake: what it breaks, and that those cells stay as they are."""
    cells = "、".join(dict.fromkeys(brief(f) for f in story.consequences))
    return render("story.consequences_line", count=len(story.consequences), checks=cells)


def mistake_cells(finding: Finding) -> list[str]:
    """Cell keys a mistake is about: the culprit, or every candidate of an ambiguity."""
    if finding.rule == "locate.ambiguous":
        keys = [ref.key for ref in finding.cells if ref.role == "candidate" and ref.key]
        return keys or [finding.key]
    return [finding.key] if finding.key else []


# Which mistake explains what -------------------------------------------------------------------


class _Reach:
    """The cells a value depends on: engine-computed totals are looked through to their parts."""

    def __init__(self, form: Form, filled: dict):
        self.form = form
        self.filled = filled
        self.memo: dict[str, frozenset[str]] = {}
        self.trees = _trees(form)
        self.every_total = filled.keys() >= form.definitions.keys()
        """Every total was computed (totals left blank): each is looked through to all of its cells."""

    def __call__(self, key: str | None) -> frozenset[str]:
        if key is None:
            return frozenset()
        if self.every_total and key in self.trees:
            return self.trees[key][0]
        found = self.memo.get(key)
        if found is None:
            tree = self.trees.get(key)
            if tree is not None and all(total in self.filled for total in tree[1]):
                found = tree[0]  # every total below was computed: all of it is looked through
            else:
                parts = self.form.definitions.get(key)
                out = {key}
                if parts is not None and key in self.filled:
                    for part in parts:
                        out |= self(part)
                found = frozenset(out)
            self.memo[key] = found
        return found

    def of(self, keys: Iterable[str | None]) -> frozenset[str]:
        """Everything several cells depend on."""
        out: set[str] = set()
        for key in keys:
            out |= self(key)
        return frozenset(out)


@per_form
def _trees(form: Form) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Total -> (it and every cell below it, the totals among them): what :class:`_Reach` gives
    when all those totals were computed."""
    out: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def tree(key: str) -> tuple[frozenset[str], frozenset[str]]:
        if key not in out:
            parts = form.definitions.get(key)
            if parts is None:
                return frozenset({key}), frozenset()
            cells, totals = {key}, {key}
            for part in parts:
                below, below_totals = tree(part)
                cells |= below
                totals |= below_totals
            out[key] = (frozenset(cells), frozenset(totals))
        return out[key]

    for key in form.definitions:
        tree(key)
    return out


def _cause(finding: Finding, mistakes: list[Finding], reach: _Reach) -> Finding | None:
    if finding.rule.startswith(_BREAKS):
        mine = [m for m in mistakes if m.table == finding.table]
        if not mine:
            return None
        cells = reach.of([finding.key, *(ref.key for ref in finding.cells)])
        return next((m for m in mine if cells.intersection(mistake_cells(m))), mine[0])
    if finding.rule in MERGED:
        return next((m for m in mistakes if m.rule == "locate.culprit" and m.key == finding.key), None)
    return None


def _is_merged(finding: Finding, mistake: Finding) -> bool:
    return finding.rule in MERGED and finding.key == mistake.key


def _held(form: Form, report: Report, mistakes: list[Finding], reach: _Reach) -> dict[str, Finding]:
    """Blank totals filled from a mistake's cell -> that mistake."""
    out = {}
    suspected = [(m, mistake_cells(m)) for m in mistakes]
    every = frozenset().union(*(keys for _, keys in suspected))
    for key in report.filled:
        if key not in form.definitions:
            continue
        cells = reach(key)
        if cells.isdisjoint(every):  # no mistake's cell below it (most totals)
            continue
        mistake = next((m for m, keys in suspected if cells.intersection(keys)), None)
        if mistake is not None:
            out[key] = mistake
    return out


# Messages -------------------------------------------------------------------------------------


def _refs(findings: list[Finding]) -> dict[str, CellRef]:
    """Cell key -> a reference naming it: one with an A1 address where any has one, else its label."""
    out: dict[str, CellRef] = {}
    for finding in findings:
        for ref in finding.cells:
            if ref.key and (ref.key not in out or (ref.cell and not out[ref.key].cell)):
                out[ref.key] = ref
    return out


def _retold(
    finding: Finding,
    causes: dict[str, Finding],
    findings: list[Finding],
    held: dict[str, Finding],
    refs: dict[str, CellRef],
    form: Form,
) -> Finding:
    if finding.id in causes:
        mistake = causes[finding.id]
        if _is_merged(finding, mistake):
            return replaced(finding, explained_by=mistake.id)
        own = finding.key in mistake_cells(mistake)
        prefix = render("story.consequence_own" if own else "story.consequence", mistake=mistake_text(mistake))
        message = _held_as_provisional(_without_advice(finding.message), finding, held)
        return replaced(finding, explained_by=mistake.id, message=prefix + message)
    if finding.rule not in MISTAKES:
        return finding
    tied = [f for f in findings if causes.get(f.id) is finding]
    message = finding.message if finding.rule == "locate.culprit" else _ambiguity(finding, refs, form)
    for merged in (f for f in tied if _is_merged(f, finding)):
        message = _with_text(message, finding, merged)
    shown = [f for f in tied if not _is_merged(f, finding)]
    if shown:
        message += render("story.affects", checks="、".join(dict.fromkeys(brief(f) for f in shown)))
    mine = [key for key, mistake in held.items() if mistake is finding]
    cells = finding.cells
    if mine:
        message += render("story.held", cells=_cells_text(mine, refs))
        cells += tuple(replaced(refs[k], role=HELD, value=None) for k in mine if k in refs)
    return replaced(finding, message=message, explains=tuple(f.id for f in tied), cells=cells)


def _held_as_provisional(message: str, finding: Finding, held: dict[str, Finding]) -> str:
    """A held total quoted in a consequence (``D29 35``) is said to be provisional: the sheet leaves it blank."""
    for ref in finding.cells:
        if ref.key in held and ref.cell and isinstance(ref.value, int | float):
            shown = int(ref.value) if float(ref.value).is_integer() else ref.value
            pattern = rf"(?<![A-Z0-9]){re.escape(f'{ref.cell} {shown}')}(?=[）)+，、 ])"
            message = re.sub(pattern, f"{ref.cell} 暂算作 {shown}", message)
    return message


def _without_advice(message: str) -> str:
    """A break's message without its own advice: the mistake's advice replaces it."""
    for key in ("advice.sum", "advice.balance"):
        message = message.replace(render(key), "")
    return message


def mistake_text(mistake: Finding) -> str:
    """A mistake in a few words: ``D8 填错``, ``D6、D7、D8 中某一格填错``."""
    cells = [ref.cell for ref in mistake.cells if ref.role == "candidate" and ref.cell]
    if mistake.rule == "locate.ambiguous" and cells:
        return f"{'、'.join(cells)} 中某一格填错"
    return f"{mistake.cell or '上一条的单元格'} 填错"


def _with_text(message: str, culprit: Finding, merged: Finding) -> str:
    """The culprit's message, saying also that the cell holds text read as a number."""
    said = render("story.text", raw=merged.actual, value=merged.suggestion)
    plain = f" 现为 {culprit.actual}，"
    if plain in message:
        return message.replace(plain, f" {said}", 1)
    return f"{culprit.cell or ''} {said.rstrip('，')}。{message}"


def _ambiguity(finding: Finding, refs: dict[str, CellRef], form: Form) -> str:
    """Choices as a clerk checks them: "D8、D6、D7 中有一个填错", with what each would be."""
    options = finding.alternatives
    if not options:
        return finding.message
    note = next((note for note in _LOCATE_NOTES if note in finding.message), "")  # kept: said of the whole answer
    if all(len(option) == 1 for option in options):
        cells = "、".join(option[0]["cell"] or "" for option in options)
        hints = "；".join(_hint(option[0], refs, first=index == 0) for index, option in enumerate(options))
        return render("locate.ambiguous_cells", cells=cells, hints=hints) + note
    described = []
    for number, option in enumerate(options, start=1):
        cells = "和".join(step["cell"] or "" for step in option)
        values = "、".join(_value_text(step["suggestion"]) for step in option)
        described.append(f"（{number}）{cells} 都填错（应分别为 {values}）")
    table = form.table(finding.table).name if finding.table else "表格"
    return render("locate.ambiguous_sets", table=table, options="；".join(described)) + note


def _hint(step: dict, refs: dict[str, CellRef], *, first: bool) -> str:
    ref = refs.get(step["key"])
    label = f"「{ref.label}」" if ref is not None else ""
    lead = "如果错的是" if first else "如果是"
    return f"{lead} {step['cell']}{label}，它应为 {_value_text(step['suggestion'])}"


def _value_text(value: object) -> str:
    return "（无法推算）" if value is None else str(value)


def _cells_text(keys: list[str], refs: dict[str, CellRef]) -> str:
    shown = [(refs[k].cell or refs[k].label) if k in refs else k for k in keys[:_SHOWN_CELLS]]  # no A1: the label
    more = f" 等 {len(keys)} 个" if len(keys) > _SHOWN_CELLS else ""
    return "、".join(shown) + more


# Held totals ----------------------------------------------------------------------------------


def _without_held(
    findings: list[Finding], held: dict[str, Finding], refs: dict[str, CellRef], form: Form, report: Report
) -> list[Finding]:
    """The ``total.filled`` notices without the held totals (a notice left with none is dropped)."""
    if not held:
        return findings
    out = []
    for finding in findings:
        if finding.rule != "total.filled" or not any(ref.key in held for ref in finding.cells):
            out.append(finding)
            continue
        kept = [ref for ref in finding.cells if ref.key not in held]
        if kept:
            out.append(_filled_notice(finding, kept, form, report))
    return out


def _filled_notice(finding: Finding, kept: list[CellRef], form: Form, report: Report) -> Finding:
    first = kept[0]
    value = report.filled.get(first.key)
    if len(kept) == 1:
        where = f"{first.cell}「{first.label}」" if first.cell else f"「{first.label}」"
        message = render("total.filled", where=where, value=value)
    else:
        table = form.table(finding.table).name if finding.table else ""
        refs = {ref.key: ref for ref in kept}
        message = render("total.filled_many", table=table, count=len(kept), cells=_cells_text(list(refs), refs))
    return replaced(
        finding, message=message, key=first.key, sheet=first.sheet, cell=first.cell, expected=value, cells=tuple(kept)
    )
