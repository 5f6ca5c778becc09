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


# Payload ------------------------------------------------------------------------------


def _json_value(value):
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
        [_json_value(cell.value) for cell in row]
        for row in sheet.iter_rows(min_row=1, min_col=1, max_row=sheet.max_row, max_col=sheet.max_column)
    ]


def build_payload(
    book: Workbook, *, name: str = "年报.xlsx", include: str = "", exclude: str = "", version: str | None = None
) -> dict:
    """The JSON Remote.bas sends for this workbook (after a JSON round trip)."""
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
        "book": {"name": name, "active_sheet_index": book.worksheets.index(book.active), "selection": "A1"},
        "names": [],
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
        self.asked: list[str] = []
        """Prompts of JCNB_AskExplanation (the InputBox asking for the 审核说明)."""

    def apply(self, actions: list[dict]) -> None:
        """Apply every action in order."""
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
            value = action["values"][r][c]
            cell.value = None if value == "" else value

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
        self.alerts.append(action["args"][0])

    # Our add-in's macros (addin/src/JCNB.bas)
    def _runMacro(self, action: dict) -> None:
        name, *args = action["args"]
        if "!" in name and name.rsplit("!", 1)[0] != f"'{self.addin}'":
            raise ExcelError(f"1004: 无法运行宏“{name}”：没有打开名为 {name.rsplit('!', 1)[0]} 的工作簿")
        getattr(self, "macro_" + name.split("!")[-1])(*args)

    def macro_JCNB_BeginUpdate(self) -> None:
        self.unprotected = [s.title for s in self.book.worksheets if s.protection.sheet and not s.protection.password]
        for title in self.unprotected:
            self.book[title].protection.sheet = False

    def macro_JCNB_EndUpdate(self) -> None:
        for title in self.unprotected:
            self.book[title].protection.sheet = True
            self.book[title].protection.formatCells = False
        self.unprotected = []

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
    """Apply a server answer to the workbook; the message boxes shown."""
    simulator = Simulator(book, addin)
    simulator.apply(answer["actions"])
    return simulator.alerts


def _saved_copy(book: Workbook) -> bytes:
    import io

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _add_upload_sheet(book: Workbook, data: bytes, name: str, explanation: str) -> None:
    """What the 提交 macro adds: the saved copy in base64 chunks of 30000 characters."""
    import base64

    encoded = base64.b64encode(data).decode("ascii")
    sheet = book.create_sheet(UPLOAD_SHEET)
    for row, start in enumerate(range(0, len(encoded), 30000), start=1):
        sheet.cell(row, 1, encoded[start : start + 30000])
    sheet["B1"], sheet["C1"] = name, explanation
    sheet.sheet_state = "hidden"


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
        simulator.apply(response["actions"])  # RunServerPython applies the actions …
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
