"""The Excel add-in's workbook as xlwings sees it: payload in, actions out.

:func:`server.xlwings_payload.checked_rows` turns what the add-in's ``RunServerPython`` sends
into grid rows for the one pipeline. :func:`apply_report` turns the report into
xlwings actions on the request's book (:class:`PayloadBook`, which keeps them
exactly as ``xw.Book(json=...)`` would) — the same things
:mod:`server.xlsx.annotate` does with openpyxl: totals into blank cells,
red/yellow flags with notes, template fills restored where a flag is gone,
a refreshed 校验结果 sheet, the metadata sheet updated, and a message box.

What xlwings' actions cannot do is done by the add-in's own macros, called
through ``runMacro`` (see addin/src/JCNB.bas): lifting and restoring the
sheet protection (the template's totals are locked), writing notes,
clearing a fill, hiding the metadata sheet.
"""

from __future__ import annotations

import json
import re
import weakref
from functools import lru_cache

from .findings import INFO
from .findings import SEVERITY_TEXT
from .findings import Report
from .stories import consequences_line
from .stories import lead
from .stories import stories
from .workbook.layout import META_MARKER
from .workbook.layout import META_SHEET
from .workbook.layout import RESULT_SHEET
from .workbook.layout import a1
from .workbook.layout import layout_for
from .workbook.layout import parse_a1
from .workbook.reader import WorkbookReading
from .workbook.results import RESULT_HEADER
from .workbook.results import flags
from .workbook.results import hyperlink
from .workbook.results import notes
from .workbook.results import result_entries
from .workbook.results import summary_line
from .workbook.style import FLAG_FILL
from .workbook.style import TEMPLATE_FILL

TITLE = "信息公开年报校验"
NOTE_MARK = "【校验】"
"""Notes the validator writes start with this, so it never deletes the clerk's own notes."""
MACROS = (
    "JCNB_BeginUpdate",
    "JCNB_EndUpdate",
    "JCNB_SetNotes",
    "JCNB_ClearFill",
    "JCNB_HideSheet",
    "JCNB_AskExplanation",
)
"""The add-in macros the server calls (addin/src/JCNB.bas)."""
_RECORD = "\x1e"
_UNIT = "\x1f"
_SHOWN_IN_ALERT = 5


UPLOAD_SHEET = "_upload"
"""Hidden sheet the add-in's 提交 adds for the request only: column A the saved file in
base64 chunks, B1 its file name, C1 the explanation (审核说明)."""


_NOT_TEXT = frozenset({int, float, bool})
_parse_a1 = lru_cache(maxsize=4096)(parse_a1)
"""The same few hundred addresses on every click (template cells, rows of the results sheet)."""


# The book of one request ----------------------------------------------------------------------


class PayloadBook:
    """What the server uses of ``xw.Book(json=payload)``, without xlwings' objects.

    xlwings' remote engine (xlwings/pro/_xlremote.py) keeps the payload as it came and the
    actions as a list of dicts, one per call; Remote.bas applies them in order. This class
    keeps the sheet names and the list in exactly the same way — the same actions, fields and
    values for ``sheets.add``, ``sheet.clear`` and ``append_json_action`` — at a fraction of
    the cost (no Sheet and Range objects; xlwings' engine also looks for Pyodide on every
    open). tests/test_xlwings_payload_book.py holds it to ``xw.Book`` action for action.
    """

    def __init__(self, payload: dict):
        self._actions: list[dict] = []
        self.sheets = _PayloadSheets(self._actions, [sheet["name"] for sheet in payload["sheets"]])

    @property
    def impl(self) -> PayloadBook:
        """The book itself (xlwings' ``book.impl``; a property, not a reference to itself: the book holds
        no reference cycle, so a click's book and its actions are freed as soon as the answer is written,
        without waiting for the garbage collector)."""
        return self

    def append_json_action(self, **kwargs) -> None:
        """One action, as xlwings' remote ``Book.append_json_action`` records it."""
        _append_action(self._actions, kwargs)

    def range_action(
        self, func: str, position: int, row: int, column: int, rows: int, columns: int, *, values=None, args=None
    ) -> None:
        """``append_json_action`` of an action on a block of cells (0-based row and column), without the keywords."""
        self._actions.append(
            {
                "func": func,
                "args": args if isinstance(args, list) else [args],
                "values": values,
                "sheet_position": position,
                "start_row": row,
                "start_column": column,
                "row_count": rows,
                "column_count": columns,
            }
        )

    def json(self) -> dict:
        """The answer: ``{"actions": [...]}`` (what ``book.json()`` gives)."""
        return {"actions": self._actions}

    def close(self) -> None:
        """Nothing to release (``xw.Book`` must be closed; this one is only garbage)."""


def _append_action(actions: list[dict], fields: dict) -> None:
    args = fields.get("args")
    actions.append(
        {
            "func": fields.get("func"),
            "args": args if isinstance(args, list) else [args],
            "values": fields.get("values"),
            "sheet_position": fields.get("sheet_position"),
            "start_row": fields.get("start_row"),
            "start_column": fields.get("start_column"),
            "row_count": fields.get("row_count"),
            "column_count": fields.get("column_count"),
        }
    )


class _PayloadSheet:
    """A sheet of a :class:`PayloadBook`: its name and 1-based place (its book's sheets held weakly:
    no reference cycle)."""

    __slots__ = ("_sheets", "name")

    def __init__(self, sheets: _PayloadSheets, name: str):
        self._sheets = weakref.ref(sheets)
        self.name = name

    @property
    def index(self) -> int:
        return self._sheets().items.index(self) + 1

    def clear(self) -> None:
        """``sheet.clear()``: contents and formats."""
        _append_action(self._sheets().actions, {"func": "sheetClear", "sheet_position": self.index - 1})


class _PayloadSheets:
    __slots__ = ("__weakref__", "actions", "items")

    def __init__(self, actions: list[dict], names: list[str]):
        self.actions = actions
        self.items = [_PayloadSheet(self, name) for name in names]

    def __iter__(self):
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> _PayloadSheet:
        return self.items[index]

    def add(self, name: str, after: _PayloadSheet) -> _PayloadSheet:
        """``sheets.add(name, after=sheet)``: a new sheet right after ``after``."""
        if name.lower() in (sheet.name.lower() for sheet in self.items):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        position = after.index
        sheet = _PayloadSheet(self, name)
        self.items.insert(position, sheet)
        _append_action(self.actions, {"func": "addSheet", "args": [position, name]})
        return sheet


class Actions:
    """Builds the answer to one click on a :class:`PayloadBook` (or an ``xw.Book``: the same actions)."""

    def __init__(self, book, reading: WorkbookReading, report: Report, addin: str | None):
        self.book = book
        self.reading = reading
        self.report = report
        self.prefix = f"'{addin}'!" if addin else ""
        self._sheets: dict[str, object] = {}
        self._positions: dict[str, int] = {}
        self._ranges = book.range_action if isinstance(book, PayloadBook) else None
        self.told = stories(report)
        """The report's findings as stories, worked out once for the notes, the rows and the message box."""
        for sheet in book.sheets:
            self._sheets.setdefault(sheet.name, sheet)

    def macro(self, name: str, *args) -> None:
        """Call one of the add-in's macros."""
        run_macro(self.book, self.prefix + name, *args)

    def sheet(self, name: str):
        """An xlwings sheet by name, or None."""
        return self._sheets.get(name)

    def add_sheet(self, name: str):
        """A new sheet after the last one."""
        sheets = self.book.sheets
        sheet = sheets.add(name, after=sheets[len(sheets) - 1])
        self._sheets.setdefault(name, sheet)
        return sheet

    def put(self, sheet, first: str, rows: list[list]) -> None:
        """Write a block of values at ``first`` (``raw_value``: no conversion, empty as "").

        Text is written so that Excel keeps it as text (:func:`excel_text`).
        """
        target = self.sheet(sheet) if isinstance(sheet, str) else sheet
        row, col = _parse_a1(first)
        values = [[_cell_text(value) for value in line] for line in rows]
        self._on_range(target, row, col, len(rows), len(rows[0]), "setValues", values=values)

    def colour(self, sheet, address: str, colour: str) -> None:
        """Fill a cell or a range (``D5``, ``A3:J3``) with a ``#RRGGBB`` colour (``range.color = …``)."""
        first, _, last = address.partition(":")
        row, col = _parse_a1(first)
        last_row, last_col = _parse_a1(last) if last else (row, col)
        self._on_range(sheet, row, col, last_row - row + 1, last_col - col + 1, "setRangeColor", args=colour)

    def link(self, sheet, address: str, target: str, text: str, tip: str) -> None:
        """A hyperlink in one cell (``range.add_hyperlink(target, text, tip)``)."""
        row, col = _parse_a1(address)
        self._on_range(sheet, row, col, 1, 1, "addHyperlink", args=[target, text, tip])

    def _on_range(self, sheet, row: int, col: int, rows: int, cols: int, func: str, **fields) -> None:
        """One action on a block of cells, exactly as an xlwings ``Range`` of this sheet adds it
        (without building the Range: a click makes dozens of them)."""
        position = self._positions.get(sheet.name)
        if position is None:  # sheets are only ever added after the last one: a position, once known, holds
            position = self._positions[sheet.name] = sheet.index - 1
        if self._ranges is not None:
            self._ranges(func, position, row - 1, col - 1, rows, cols, **fields)
            return
        self.book.impl.append_json_action(
            func=func,
            sheet_position=position,
            start_row=row - 1,
            start_column=col - 1,
            row_count=rows,
            column_count=cols,
            **fields,
        )

    # Values ------------------------------------------------------------------------

    def values(self) -> dict:
        """Write totals and deductions into blank cells (or our own earlier fills); clear stale fills."""
        autofilled = dict(self.reading.meta.autofilled)
        writes: dict[tuple[str, str], object] = {}
        for key, value in self.report.filled.items():
            if key not in self.reading.addresses:
                continue  # a table the workbook lacks: nothing to fill
            current = self.reading.values.get(key)
            if current is None or autofilled.get(key) == current:
                writes[self.reading.addresses[key]] = value
                autofilled[key] = value
        for key in self.report.cleared:
            if key in self.reading.addresses:
                writes[self.reading.addresses[key]] = None
            autofilled.pop(key, None)
        for sheet, first, column in _column_runs(writes):
            self.put(sheet, first, column)
        return {key: value for key, value in autofilled.items() if key in self.report.filled}

    # Flags and notes ---------------------------------------------------------------

    def flags(self) -> list[tuple[str, str]]:
        """Colour flagged cells, restore those flagged last time but fine now; write notes."""
        wanted = {where: severity for where, severity in flags(self.report).items() if self.sheet(where[0]) is not None}
        texts = notes(self.report, self.told)
        stale = [tuple(item) for item in self.reading.meta.flagged if tuple(item) not in wanted and self.sheet(item[0])]
        unknown_fill = [item for item in stale if not self._restore(*item)]
        if unknown_fill:
            self.macro("JCNB_ClearFill", _records(unknown_fill))
        for (sheet, cell), severity in wanted.items():
            self.colour(self.sheet(sheet), cell, FLAG_FILL[severity])
        records = [(s, c, "") for s, c in stale] + [(s, c, NOTE_MARK + texts.get((s, c), "")) for s, c in wanted]
        if records:
            self.macro("JCNB_SetNotes", _records(records))
        return sorted(wanted)

    def _restore(self, sheet: str, cell: str) -> bool:
        fill = self._template_fill(sheet, cell)
        if fill is None:
            return False
        self.colour(self.sheet(sheet), cell, fill)
        return True

    def _template_fill(self, sheet: str, cell: str) -> str | None:
        if self.reading.mode != "template":
            return None
        for sheet_layout in layout_for(self.reading.form.version).sheets:
            if sheet_layout.name == sheet:
                return next((TEMPLATE_FILL[s.kind] for s in sheet_layout.slots if s.address == cell), None)
        return None

    # The results sheet -----------------------------------------------------------------

    def results(self) -> None:
        """Create or refresh the 校验结果 sheet: summary, one row per finding, links to cells."""
        sheet = self.sheet(RESULT_SHEET)
        if sheet is None:
            sheet = self.add_sheet(RESULT_SHEET)
        else:
            sheet.clear()
        rows = [
            [summary_line(self.report)] + [""] * (len(RESULT_HEADER) - 1),
            [""] * len(RESULT_HEADER),
            list(RESULT_HEADER),
        ]
        entries = result_entries(self.report, self.told)
        rows += [list(entry.row) for entry in entries]
        self.put(sheet, "A1", rows)
        self.colour(sheet, f"A3:{chr(64 + len(RESULT_HEADER))}3", "#DDEBF7")
        self._severity_colours(sheet, [entry.mark for entry in entries])
        for offset, entry in enumerate(entries):
            finding = entry.finding
            if finding.sheet and finding.cell:
                self.link(
                    sheet, f"D{4 + offset}", hyperlink(finding.sheet, finding.cell), finding.cell, finding.message[:200]
                )

    def _severity_colours(self, sheet, marks: list[str | None]) -> None:
        """Colour the 类别 cells, one action per run of rows with the same colour."""
        start = 0
        for index in range(1, len(marks) + 1):
            if index == len(marks) or marks[index] != marks[start]:
                if marks[start] is not None:
                    self.colour(sheet, f"B{4 + start}:B{4 + index - 1}", FLAG_FILL[marks[start]])
                start = index

    # Metadata --------------------------------------------------------------------------

    def meta(self, filled: dict, flagged: list) -> None:
        """Record what was filled and flagged in the (hidden) metadata sheet."""
        sheet = self.sheet(META_SHEET)
        if sheet is None:
            sheet = self.add_sheet(META_SHEET)
            self.put(sheet, "A1", [[META_MARKER, self.reading.form.version], ["revision", 0]])
            self.macro("JCNB_HideSheet", META_SHEET)
        rows = [
            ["autofilled", json.dumps(filled, ensure_ascii=False)],
            ["flagged", json.dumps([list(item) for item in flagged], ensure_ascii=False)],
        ]
        self.put(sheet, "A3", rows)

    # The message box ------------------------------------------------------------------------

    def alert(self) -> None:
        """The summary message box: each mistake with its consequences in one line."""
        report = self.report
        lines = [report.summary()]
        problems = [story for story in self.told if story.finding.severity != INFO]
        for story in problems[:_SHOWN_IN_ALERT]:
            finding = story.finding
            place = f"{finding.sheet or ''} {finding.cell or ''}".strip()
            lines.append(f"[{SEVERITY_TEXT[finding.severity]}] {place}：{lead(finding.message)}")
            if story.consequences:
                lines.append(consequences_line(story))
        if len(problems) > _SHOWN_IN_ALERT:
            lines.append(f"……共 {len(problems)} 条，全部列在“{RESULT_SHEET}”工作表中。")
        filled = len(report.filled)
        if filled:
            lines.append(f"已自动填入 {filled} 个单元格（合计或推算值）。")
        show_alert(self.book, "\n".join(lines), critical=not report.ok)


# Text as Excel keeps it -------------------------------------------------------------------
# Remote.bas writes every value with ``Range.Value = …``, which Excel treats as typed input:
# ``=1+2`` or ``-4`` or ``2025-01-15`` would become a formula, a number or a date (a clerk's
# ``=SUM(…)`` quoted in 实为 would even be computed). A leading apostrophe keeps text as text.
# VBA-JSON turns ``\n`` into CR+LF, which a cell shows as a stray character: cells get spaces.
_TYPED_AS_SOMETHING_ELSE = re.compile(r"[\d\s.,%eE+\-/:年月日TZ]*\d[\d\s.,%eE+\-/:年月日TZ]*|(?i:true|false)")


def excel_text(value):
    """A value for ``setValues``: text Excel would turn into something else gets an apostrophe."""
    if not isinstance(value, str) or not value:
        return value
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if value[0] in "'=+-@" or _TYPED_AS_SOMETHING_ELSE.fullmatch(value):
        return "'" + value
    return value


_excel_str = lru_cache(maxsize=4096)(excel_text)
""":func:`excel_text` of a plain ``str`` (headers, names and messages repeat from click to click)."""


def _cell_text(value):
    """A cell of ``setValues``: empty as "", text through :func:`excel_text`."""
    if value is None:
        return ""
    kind = value.__class__
    if kind in _NOT_TEXT:
        return value
    return _excel_str(value) if kind is str else excel_text(value)


# Actions of this book only ------------------------------------------------------------------
# xlwings' ``book.app.alert`` and ``book.app.macro`` add their action to ``books.active``: the
# book opened last in the whole process, which under a multithreaded server is another clerk's
# request. These two append to the request's own book instead.


def run_macro(book, name: str, *args) -> None:
    """A ``runMacro`` action on this book (what ``book.app.macro(name)(*args)`` means)."""
    book.impl.append_json_action(func="runMacro", args=[name, *args])


def show_alert(book, prompt: str, *, title: str = TITLE, critical: bool = True) -> None:
    """An ``alert`` action (a message box) on this book (what ``book.app.alert`` means)."""
    book.impl.append_json_action(func="alert", args=[prompt, title, "ok", "critical" if critical else "info", ""])


def _column_runs(writes: dict[tuple[str, str], object]):
    """Group single-cell writes into vertical runs: (sheet, first A1, [[v], [v], …])."""
    by_column: dict[tuple[str, int], dict[int, object]] = {}
    for (sheet, cell), value in writes.items():
        row, col = _parse_a1(cell)
        by_column.setdefault((sheet, col), {})[row] = value
    for (sheet, col), rows in by_column.items():
        ordered = sorted(rows)
        start = ordered[0]
        for index, row in enumerate(ordered):
            last = index == len(ordered) - 1
            if last or ordered[index + 1] != row + 1:
                yield sheet, a1(start, col), [[rows[r]] for r in range(start, row + 1)]
                if not last:
                    start = ordered[index + 1]


def _records(items) -> str:
    """Rows of text for a macro argument: fields joined by US, records by RS."""
    return _RECORD.join(_UNIT.join(str(part) for part in item) for item in items)


def apply_report(
    book, reading: WorkbookReading, report: Report, addin: str | None = None, *, alert: bool = True
) -> Actions:
    """Every action of one click, in order (the summary message box unless ``alert`` is False)."""
    actions = Actions(book, reading, report, addin)
    actions.macro("JCNB_BeginUpdate")
    filled = actions.values()
    flagged = actions.flags()
    actions.results()
    actions.meta(filled, flagged)
    actions.macro("JCNB_EndUpdate")
    if alert:
        actions.alert()
    return actions


UPLOAD_DAMAGED = (
    "提交的文件在传送中不完整，没有提交。请再点一次“提交”；如果仍然如此，请登录校验网页上传提交，并联系区政务公开办。"
)


def uploaded_file(payload: dict) -> tuple[bytes, str, str] | None:
    """(file bytes, file name, explanation) the 提交 macro put into the upload sheet.

    None when there is no upload sheet (an add-in too old to submit); a damaged one is refused
    with a message box (:class:`~server.xlwings_payload.PayloadRefused`).
    """
    import base64
    import binascii

    from .xlwings_payload import PayloadRefused

    sheet = next((s for s in payload.get("sheets", []) if s.get("name") == UPLOAD_SHEET), None)
    rows = (sheet or {}).get("values") or [[]]
    if not rows or not rows[0]:
        return None
    chunks = [row[0] for row in rows if row and row[0] is not None]
    if not all(isinstance(chunk, str) for chunk in chunks):
        raise PayloadRefused(UPLOAD_DAMAGED)
    try:
        data = base64.b64decode("".join(chunks), validate=True)
    except (binascii.Error, ValueError) as error:
        raise PayloadRefused(UPLOAD_DAMAGED) from error
    if not data:
        raise PayloadRefused(UPLOAD_DAMAGED)
    first = rows[0] + [None, None]
    return data, _text(first[1]) or "年报.xlsx", _text(first[2])


def _text(value) -> str:
    """A cell of the upload sheet as text (a number the clerk typed as the explanation stays readable)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def alert_only(message: str, *, critical: bool = True) -> dict:
    """An answer with just a message box, built without a book (when the payload cannot be opened)."""
    action = {
        "func": "alert",
        "args": [message, TITLE, "ok", "critical" if critical else "info", ""],
        "values": None,
        "sheet_position": None,
        "start_row": None,
        "start_column": None,
        "row_count": None,
        "column_count": None,
    }
    return {"actions": [action]}
