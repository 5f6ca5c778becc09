"""Excel without Excel: what the add-in's 校验 click does, simulated with openpyxl.

:func:`build_payload` turns an .xlsx into exactly the JSON xlwings' VBA
``RunServerPython`` (Remote.bas) sends: values from A1 to the end of the used
range as Excel returns them (whole doubles written as ``5``, empty cells as
null, dates as ``yyyy-mm-ddTHH:MM:SS.000Z``), every sheet in order with its
name, and the include handling of Remote.bas (sheets not included are still
listed, with ``[[]]`` as values). :func:`apply_actions` applies the answer the
way Remote.bas and our add-in macros (addin/src/JCNB.bas) would, including
Excel's refusal to write into locked cells of a protected sheet, and returns
the message boxes shown.

For developers: ``python tools/excel_sim.py 年报.xlsx --url http://127.0.0.1:5000 -o 点击后.xlsx``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import urllib.request
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook import Workbook

NOTE_MARK = "【校验】"
ADDIN = "信息公开年报.xlam"
"""The add-in's file name (addin/build_addin.py)."""
UPLOAD_SHEET = "_upload"
REMOTE_ACTIONS = (
    "setValues rangeClearContents rangeClearFormats rangeClear addSheet setSheetName setAutofit setRangeColor "
    "activateSheet addHyperlink setNumberFormat setPictureName setPictureHeight setPictureWidth deletePicture "
    "addPicture updatePicture alert setRangeName namesAdd nameDelete runMacro rangeDelete rangeInsert rangeSelect "
    "addTable setTableName resizeTable showAutofilterTable showHeadersTable showTotalsTable setTableStyle copyRange "
    "sheetDelete sheetClear sheetClearContents sheetClearFormats"
).split()
"""Every action Remote.bas can apply (its Subs called through Application.Run)."""


class ExcelError(RuntimeError):
    """What Excel would raise (run-time error 1004 and the like)."""


# Excel's typed input ------------------------------------------------------------------

MAX_FORMULA = 8192
"""Excel's limit for the length of a formula."""
_NUMBER = re.compile(r"\s*([-+]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE]([-+]?\d+))?\s*(%?)\s*")
_DATE = re.compile(r"\s*(\d{4})\s*(?:[-/]\s*(\d{1,2})\s*[-/]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)\s*")


class Formula(str):
    """A cell holding a formula Excel made from typed text (its text, with the leading ``=``)."""


def typed(value, *, text_format: bool = False):
    """What a cell holds after VBA's ``Range.Value = value``: Excel parses text as if typed.

    ``text_format``: the cell's number format is ``@`` (text), which keeps text as it is.
    """
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    if text_format:
        return value
    if value.startswith("'"):
        return value[1:]
    number = _as_number(value)
    if number is not None:
        return number
    if value[0] in "=+-@" and value.strip() not in {"-", "+", "=", "@"}:
        formula = value if value[0] == "=" else "=" + value
        if len(formula) > MAX_FORMULA:
            raise ExcelError(f"1004: 应用程序定义或对象定义的错误（公式超过 {MAX_FORMULA} 个字符）")
        return Formula(formula)
    moment = _DATE.fullmatch(value)
    if moment:
        year, month, day = (int(part) for part in (moment[1], moment[2] or moment[4], moment[3] or moment[5]))
        try:
            return dt.datetime(year, month, day)
        except ValueError:
            return value
    if value.strip().upper() in {"TRUE", "FALSE"}:
        return value.strip().upper() == "TRUE"
    return value


def _as_number(text: str):
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    number = float(match[1] + match[2].replace(",", "") + (f"e{match[3]}" if match[3] else ""))
    if match[4]:
        number /= 100
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def parse_iso(text: str):
    """WebHelpers.ParseIso as Remote.bas's setValues calls it first: a date, or None when it fails."""
    if not isinstance(text, str):
        return None
    date_part, _, time_part = text.partition("T")
    parts = date_part.split("-")
    try:
        year, month, day = (_cint(part) for part in parts[:3])
        moment = dt.datetime(year, month, day) if len(parts) >= 3 else None
    except (ValueError, OverflowError):
        return None
    if moment is None:
        return None
    if time_part:
        clock = time_part.replace("Z", "").split("+")[0].split(":")
        try:
            hours, minutes = _cint(clock[0]), _cint(clock[1]) if len(clock) > 1 else 0
            seconds = int(float(clock[2])) if len(clock) > 2 else 0
            moment = moment.replace(hour=hours, minute=minutes, second=seconds)
        except (ValueError, IndexError):
            return None
    return moment


def _cint(text: str) -> int:
    """VBA's CInt: surrounding spaces allowed, decimals rounded, anything else an error."""
    number = round(float(text.strip()))
    if not -32768 <= number <= 32767:
        raise OverflowError(text)
    return number


def from_json(value):
    """A string of the answer as VBA-JSON parses it: ``\n`` becomes CR+LF."""
    return value.replace("\n", "\r\n") if isinstance(value, str) else value


def store(cell, value) -> None:
    """Put what Excel holds into an openpyxl cell (text starting with = stays text unless a Formula)."""
    cell.value = value
    if isinstance(value, str) and not isinstance(value, Formula) and value.startswith("="):
        cell.data_type = "s"


# Payload ------------------------------------------------------------------------------


def _json_value(cell):
    value = cell.value
    if cell.data_type == "f" or isinstance(value, Formula):
        raise NotImplementedError(f"the simulator cannot compute the formula {str(value)[:40]!r}")
    if isinstance(value, (dt.datetime, dt.date)):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sheet_values(sheet) -> list[list]:
    if sheet.max_row == 1 and sheet.max_column == 1 and sheet["A1"].value is None:
        return [[]]
    return [
        [_json_value(cell) for cell in row]
        for row in sheet.iter_rows(min_row=1, min_col=1, max_row=sheet.max_row, max_col=sheet.max_column)
    ]


def _names(book: Workbook) -> list[dict]:
    """Remote.bas's ``names``: every name that refers to a range, as Excel lists them (print areas too)."""
    names = []
    for index, sheet in enumerate(book.worksheets):
        if sheet.print_area:
            quoted = f"'{sheet.title}'" if not sheet.title.isidentifier() else sheet.title
            address = ",".join(part.split("!")[-1].replace("$", "") for part in sheet.print_area.split(","))
            names.append(
                {
                    "name": f"{quoted}!Print_Area",
                    "sheet_index": index,
                    "address": address,
                    "book_scope": False,
                    "scope_sheet_name": sheet.title,
                    "scope_sheet_index": index,
                }
            )
    return names


def build_payload(
    book: Workbook,
    *,
    name: str = "年报.xlsx",
    include: str = "",
    exclude: str = "",
    version: str | None = None,
    selection: str | None = "A1",
) -> dict:
    """The JSON Remote.bas sends for this workbook (after a JSON round trip).

    ``selection`` None: a shape or chart is selected (Remote.bas sends null).
    """
    import xlwings

    included = [part.strip() for part in include.split(",")] if include else []
    excluded = [part.strip() for part in exclude.split(",")] if exclude else []
    sheets = []
    for sheet in book.worksheets:
        skip = (included and sheet.title not in included) or sheet.title in excluded
        sheets.append(
            {"name": sheet.title, "pictures": [], "tables": [], "values": [[]] if skip else _sheet_values(sheet)}
        )
    payload = {
        "client": "VBA",
        "version": version or xlwings.__version__,
        "book": {"name": name, "active_sheet_index": book.worksheets.index(book.active), "selection": selection},
        "names": _names(book),
        "sheets": sheets,
    }
    return json.loads(json.dumps(payload, ensure_ascii=False))


def include_of(book: Workbook) -> str:
    """What our add-in passes as ``include``: the template's sheet list plus _meta, else all sheets."""
    if "_meta" not in book.sheetnames:
        return ""
    listed = book["_meta"]["B5"].value
    return f"{listed},_meta" if listed and "_meta" not in listed.split(",") else (listed or "")


# Actions --------------------------------------------------------------------------------


def addin_header(name: str = ADDIN) -> str:
    """The X-JCNB-Addin header as the add-in's HexName sends it: hex UTF-16 code units."""
    return name.encode("utf-16-be").hex().upper()


class Simulator:
    """Applies xlwings actions to an openpyxl workbook as Excel would."""

    def __init__(self, book: Workbook, addin: str = ADDIN):
        self.book = book
        self.addin = addin
        self.alerts: list[str] = []
        self.active = book.worksheets.index(book.active)
        self.unprotected: list[str] = []
        self.locked: list[str] = []
        """Sheets protected with a password: JCNB_BeginUpdate leaves them protected (never prompts)."""
        self.applying = False
        """JCNB_BeginUpdate ran: a failure from now on is one of applying the answer, not of the request."""
        self.asked: list[str] = []
        """Prompts of JCNB_AskExplanation (the InputBox asking for the 审核说明)."""

    def apply(self, actions: list[dict]) -> None:
        """Apply every action in order (an :class:`ExcelError` stops it, as in Excel)."""
        for action in actions:
            func = action["func"]
            if func not in REMOTE_ACTIONS:
                raise ExcelError(f"Remote.bas has no action {func!r}")
            handler = getattr(self, f"_{func}", None)
            if handler is None:
                raise NotImplementedError(f"simulator lacks {func}")
            handler(action)

    # Ranges
    def _cells(self, action: dict):
        sheet = self.book.worksheets[action["sheet_position"]]
        for r in range(action["row_count"]):
            for c in range(action["column_count"]):
                yield sheet, sheet.cell(action["start_row"] + 1 + r, action["start_column"] + 1 + c), r, c

    def _setValues(self, action: dict) -> None:
        for sheet, cell, r, c in self._cells(action):
            if sheet.protection.sheet and cell.protection.locked:
                raise ExcelError(f"1004: 单元格 {sheet.title}!{cell.coordinate} 受保护，无法写入")
            value = from_json(action["values"][r][c])
            moment = parse_iso(value)  # Remote.bas tries ParseIso on every value first
            store(cell, moment if moment is not None else typed(value, text_format=cell.number_format == "@"))

    def _setRangeColor(self, action: dict) -> None:
        for sheet, cell, _, _ in self._cells(action):
            if sheet.protection.sheet and sheet.protection.formatCells is not False:
                raise ExcelError(f"1004: 工作表 {sheet.title} 受保护，不能设置格式")
            cell.fill = PatternFill("solid", fgColor=action["args"][0].lstrip("#").upper())

    def _addHyperlink(self, action: dict) -> None:
        for _, cell, _, _ in self._cells(action):
            address, text = action["args"][0], action["args"][1]
            cell.hyperlink = address
            if text is not None:
                cell.value = text

    def _rangeClear(self, action: dict) -> None:
        for _, cell, _, _ in self._cells(action):
            cell.value, cell.fill, cell.hyperlink = None, PatternFill(fill_type=None), None

    def _rangeClearContents(self, action: dict) -> None:
        for _, cell, _, _ in self._cells(action):
            cell.value = None

    def _setNumberFormat(self, action: dict) -> None:
        for _, cell, _, _ in self._cells(action):
            cell.number_format = action["args"][0]

    def _setAutofit(self, action: dict) -> None:
        """Column widths: nothing to check without Excel's fonts."""

    def _rangeSelect(self, action: dict) -> None:
        """Selection has no effect on the file."""

    # Sheets
    def _addSheet(self, action: dict) -> None:
        position, name = action["args"][0], action["args"][1]
        sheet = self.book.create_sheet(name, self.active)  # Sheets.Add puts it before the active sheet
        target = self.book.worksheets[position]  # then Move After:=Worksheets(args(1) + 1), 1-based
        order = self.book._sheets
        order.remove(sheet)
        order.insert(order.index(target) + 1, sheet)
        self.active = self.book.worksheets.index(sheet)

    def _setSheetName(self, action: dict) -> None:
        self.book.worksheets[action["sheet_position"]].title = action["args"][0]

    def _activateSheet(self, action: dict) -> None:
        self.active = action["args"][0]

    def _sheetClear(self, action: dict) -> None:
        sheet = self.book.worksheets[action["sheet_position"]]
        for row in sheet.iter_rows():
            for cell in row:
                cell.value, cell.fill, cell.hyperlink, cell.comment = None, PatternFill(fill_type=None), None, None

    def _sheetClearContents(self, action: dict) -> None:
        for row in self.book.worksheets[action["sheet_position"]].iter_rows():
            for cell in row:
                cell.value = None

    def _alert(self, action: dict) -> None:
        self.alerts.append(from_json(action["args"][0]))

    # Our add-in's macros (addin/src/JCNB.bas)
    def _runMacro(self, action: dict) -> None:
        name, *args = (from_json(arg) for arg in action["args"])
        if "!" in name and name.rsplit("!", 1)[0] != f"'{self.addin}'":
            raise ExcelError(f"1004: 无法运行宏“{name}”：没有打开名为 {name.rsplit('!', 1)[0]} 的工作簿")
        getattr(self, "macro_" + name.split("!")[-1])(*args)

    def macro_JCNB_BeginUpdate(self) -> None:
        self.applying = True
        protected = [s for s in self.book.worksheets if s.protection.sheet]
        self.unprotected = [s.title for s in protected if not s.protection.password]
        self.locked = [s.title for s in protected if s.protection.password]
        for title in self.unprotected:
            self.book[title].protection.sheet = False

    def macro_JCNB_EndUpdate(self) -> None:
        self.restore_protection()
        self.applying, self.locked = False, []

    def restore_protection(self) -> None:
        """RestoreProtection: put back what BeginUpdate lifted (also after a failure)."""
        for title in self.unprotected:
            self.book[title].protection.sheet = True
            self.book[title].protection.formatCells = False
        self.unprotected = []

    def run(self, actions: list[dict]) -> None:
        """RunServerPython inside the add-in's error handler (CallServer/SendForSubmission → ReportFailure)."""
        try:
            self.apply(actions)
        except ExcelError as error:
            self.restore_protection()
            self.alerts.append(self.failure(error))
            self.applying, self.locked = False, []

    def failure(self, error: ExcelError) -> str:
        """The message box of ReportFailure for an error while applying the answer."""
        if not self.applying:
            return f"校验服务没有完成这次请求。（{error}）"
        if self.locked:
            names = "、".join(f"“{name}”" for name in self.locked)
            return f"校验结果没能全部写入工作簿：工作表 {names} 设有密码保护，无法写入合计和标记。（{error}）"
        return f"校验服务已经答复，但把结果写入工作簿时出错，标记和合计可能不完整。（{error}）"

    def macro_JCNB_SetNotes(self, records: str) -> None:
        for sheet, address, text in _records(records, 3):
            cell = self.book[sheet][address]
            if cell.comment is not None and cell.comment.text.startswith(NOTE_MARK):
                cell.comment = None
            if text and cell.comment is None:
                cell.comment = Comment(text, "Excel")

    def macro_JCNB_ClearFill(self, records: str) -> None:
        for sheet, address in _records(records, 2):
            self.book[sheet][address].fill = PatternFill(fill_type=None)

    def macro_JCNB_HideSheet(self, name: str) -> None:
        self.book[name].sheet_state = "hidden"

    def macro_JCNB_AskExplanation(self, prompt: str) -> None:
        self.asked.append(prompt)
        self.alerts.append(prompt)


def _records(text: str, width: int):
    if not text:
        return []
    return [record.split("\x1f", width - 1) for record in text.split("\x1e")]


def apply_actions(book: Workbook, answer: dict, addin: str = ADDIN) -> list[str]:
    """Apply a server answer to the workbook as the add-in does; the message boxes shown."""
    simulator = Simulator(book, addin)
    simulator.run(answer["actions"])
    return simulator.alerts


def _saved_copy(book: Workbook) -> bytes:
    import io

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _add_upload_sheet(book: Workbook, data: bytes, name: str, explanation: str, *, text_format: bool = True) -> None:
    """What the 提交 macro (AddUploadSheet) adds: the saved copy in base64 chunks of 30000 characters.

    Like the macro, columns A:C are formatted as text (``@``) before anything is written, so that
    Excel keeps a chunk or an explanation starting with ``+``, ``=`` or ``-`` as text;
    ``text_format=False`` shows what Excel does without that.
    """
    import base64

    encoded = base64.b64encode(data).decode("ascii")
    sheet = book.create_sheet(UPLOAD_SHEET)
    chunks = [encoded[start : start + 30000] for start in range(0, len(encoded), 30000)]
    for row, chunk in enumerate(chunks, start=1):
        _type_into(sheet.cell(row, 1), chunk, text_format)
    _type_into(sheet["B1"], name, text_format)
    _type_into(sheet["C1"], explanation, text_format)
    sheet.sheet_state = "hidden"


def _type_into(cell, value, text_format: bool) -> None:
    if text_format:
        cell.number_format = "@"
    store(cell, typed(value, text_format=text_format))


def submit_click(post, book: Workbook, token: str, *, answer: str = "", name: str = "年报.xlsx", addin: str = ADDIN):
    """The 提交 button: send the saved copy with the token; answer the 审核说明 InputBox with ``answer``.

    Returns (status, message boxes, prompts asking for an explanation).
    """
    explanation, alerts, asked = "", [], []
    while True:
        _add_upload_sheet(book, _saved_copy(book), name, explanation)
        include = include_of(book)
        payload = build_payload(book, name=name, include=f"{include},{UPLOAD_SHEET}" if include else "")
        status, response = post(
            "/xlwings/submit", payload, {"X-JCNB-Addin": addin_header(addin), "Authorization": token}
        )
        if status != 200:
            del book[UPLOAD_SHEET]
            return status, [str(response)], asked
        simulator = Simulator(book, addin)
        simulator.run(response["actions"])  # RunServerPython applies the actions …
        del book[UPLOAD_SHEET]  # … then the macro removes the upload sheet
        alerts += simulator.alerts
        asked += simulator.asked
        if not simulator.asked or not answer or explanation:
            return status, alerts, asked
        explanation = answer


def click(
    post,
    book: Workbook,
    *,
    path: str = "/xlwings/validate",
    name: str = "年报.xlsx",
    addin: str = ADDIN,
    version: str | None = None,
):
    """One click: build the payload, POST it with ``post(path, json, headers)``, apply the answer.

    Returns (status, alerts, answer). ``post`` can wrap a Flask test client or urllib.
    """
    payload = build_payload(book, name=name, include=include_of(book), version=version)
    status, answer = post(path, payload, {"X-JCNB-Addin": addin_header(addin)})
    if status != 200:
        return status, [answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)], answer
    return status, apply_actions(book, answer, addin), answer


def flask_post(client):
    """A ``post`` for :func:`click` on a Flask test client."""

    def post(path, payload, headers):
        response = client.post(path, json=payload, headers=headers)
        body = response.get_json(silent=True)
        return response.status_code, body if body is not None else response.get_data(as_text=True)

    return post


def url_post(base: str):
    """A ``post`` for :func:`click` against a running server."""

    def post(path, payload, headers):
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            base.rstrip("/") + path, data=data, headers={"Content-Type": "application/json", **headers}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    return post


def main(argv: list[str] | None = None) -> int:
    """Command line: click 校验 on a workbook against a running server."""
    parser = argparse.ArgumentParser(description="模拟在 Excel 中点击“校验”按钮")
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("-o", "--output", type=Path, help="写出点击后的工作簿")
    args = parser.parse_args(argv)
    book = openpyxl.load_workbook(args.workbook)
    status, alerts, _ = click(url_post(args.url), book, name=args.workbook.name)
    for text in alerts:
        print(text)
    if args.output:
        book.save(args.output)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
