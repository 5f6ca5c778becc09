"""Read a workbook's values with python-calamine when that gives exactly what the guarded openpyxl reader gives.

:func:`server.xlsx.load.load_grids` reads with openpyxl (a parser of its own
around openpyxl's sheet reader), more than 20 times slower than
python-calamine. This module is its fast path: :func:`read` gives the same
grids (names and order, hidden flags, every cell value with its Python type)
for the files it can show it reads exactly, and None for every other file,
which then takes the openpyxl path unchanged. It never refuses a file itself:
a file openpyxl would refuse is left to openpyxl, so every refusal keeps its
message. Any error this module did not foresee also leaves the file to openpyxl.

The checks work on the XML :func:`server.xlsx.archive.check_parts` has
already inflated (byte searches and regular expressions, nothing parsed
twice), and they all run before calamine sees anything:

* the parts openpyxl parses are well formed for its (namespace-aware) expat
  parser, without DTD, comment or CDATA; the workbook, its relationships and
  styles are of the usual form (remembered by their bytes: a batch of files
  from one template checks them once);
* openpyxl's own parsers read the workbook-wide parts (content types, workbook,
  relationships, styles, defined names, document properties) as its reader
  does, all but the shared strings and the sheets (remembered by their bytes):
  a well-formed part may still hold an element they refuse; a part written
  with a namespace prefix has no element without it, and no part declares its
  namespace again inside (tools/fuzz_reader.py found each of these);
* calamine allocates a dense grid up to the farthest cell and reserves room
  for as many shared strings as the file announces: every position must be
  within the rows and columns ``load_grids`` reads, the announced count
  within the element limit (a cell at XFD1048576 never reaches calamine);
* each sheet's ``<sheetData>`` is then either of the *plain form* (one
  possessive regular expression: rows in order, every cell with its row's
  number, types n, s, str, inlineStr, cached values, inline text in one
  piece without spaces calamine would trim, no ``_xHHHH_`` escape, no
  character XML forbids, written or referred to (expat refuses the whole sheet
  for one, or for an undefined entity, ``]]>`` or a row attribute given twice,
  even where openpyxl reads no value: calamine reads on), no number openpyxl
  reads as a float or date), whose calamine values map one to one in bulk;
  or it is read *cell by cell* (with the same refusals of expat looked for): the
  XML tokens give each cell's type, style and text, numbers, booleans,
  errors and dates are made from the text with openpyxl's own functions
  (``int`` without ``.``/``E``, ``from_excel`` for the styles openpyxl reads
  as dates, the 1900 or 1904 epoch) and only text comes from calamine; or it
  goes to openpyxl (a formula without cached value, an ISO date cell,
  whitespace between elements, rows out of order, phonetic runs …).

calamine is given a zip of the checked parts, stored uncompressed (they were
inflated already), each sheet reduced to its checked ``<sheetData>`` after an
empty ``<mergeCells>``: python-calamine reads every sheet a second time up
to its merged ranges, which this reader does not use (openpyxl's read-only
reader ignores them too), and the empty element ends that pass at once.
"""

from __future__ import annotations

import html
import io
import math
import pyexpat
import re
import struct
import warnings
import zlib
from collections.abc import Mapping

try:
    import python_calamine
except ImportError:  # without it every file takes the openpyxl path
    python_calamine = None
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.custom import CustomPropertyList
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.styles.numbers import is_date_format
from openpyxl.styles.numbers import is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.constants import ARC_CUSTOM
from openpyxl.xml.functions import fromstring

from ..workbook.grid import Grid
from .archive import SHEET_PART
from .limits import Limits

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_WORKBOOK_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    b"application/vnd.ms-excel.template.macroEnabled.main+xml",
)
_SHARED_STRINGS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

_ROOT = re.compile(rb"<(?:(\w+):)?(\w+)[\s>/]")
_ATTR = re.compile(rb'\s+([\w:.-]+)="([^"<\t\n\r]*)"')
_TAG_ATTRS = re.compile(rb'((?:\s+[\w:.-]+="[^"<\t\n\r]*")*)\s*/?')
_OVERRIDE = re.compile(rb"<Override\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<Relationship\b([^>]*)>")
_SHEET = re.compile(rb"<sheet\b([^>]*)>")
_NUM_FMT = re.compile(rb"<numFmt\b([^>]*)>")
_XF = re.compile(rb"<xf\b([^>]*)>")
_UNIQUE_COUNT = re.compile(rb'\buniqueCount="(\d{1,18})"')
_TOKEN = re.compile(
    rb'<row r="([1-9]\d{0,6})"(?:\s+[\w:.-]+="[^"<]*")*(/?)>'
    rb'|<c r="([A-Z]{1,3})([1-9]\d{0,6})"((?:\s+[\w:.-]+="[^"<]*")*)'
    rb"(?:/>|>(<v>[^<]*</v>)?((?:[^<]++|<(?!/c>|c[\s/>]))*+)</c>)"
    rb"|</row>"
)
"""A row, a cell or a row's end; a cell's content never reaches past the next cell (no quadratic search)."""
_FORMULA = re.compile(rb'<f(?:\s+\w+="[^"<]*")*(?:/>|>[^<]*</f>)(?:<v>([^<]*)</v>)?')
_T = rb'<t(?: xml:space="preserve")?(?:/>|>[^<]*</t>)'
_INLINE = re.compile(
    rb"<is>(?:" + _T + rb")?(?:<r>(?:<rPr>(?:<\w+(?:\s+\w+=\"[^\"<]*\")*/>)*</rPr>)?" + _T + rb"</r>)*</is>"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EDGE = re.compile(
    rb"<t>(?:[ \t\n]|&#(?:9|1[03]|32);"
    rb"|[^<]*+(?:(?<=[ \t\n])|(?<=&#9;)|(?<=&#10;)|(?<=&#13;)|(?<=&#32;))</t>)"
)
_STRAY_TEXT = re.compile(rb"<t[\s/>](?<!<si><t[\s/>])(?<!<r><t[\s/>])(?<!</rPr><t[\s/>])")
"""A shared string's ``<t>`` anywhere but right after ``<si>``, ``<r>`` or ``</rPr>``: after another text
(openpyxl keeps the last, calamine all), inside ``<rPr>`` or another element (calamine reads it, openpyxl not)."""
_CHARACTER_NUMBER = (
    rb"9|1[03]|3[2-9]|[4-9]\d|[1-9]\d{2,3}|[1-4]\d{4}|5[0-4]\d{3}|55[01]\d\d|552[0-8]\d|5529[0-5]"
    rb"|5734[4-9]|573[5-9]\d|57[4-9]\d\d|5[89]\d{3}|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-3]"
    rb"|6553[6-9]|655[4-9]\d|65[6-9]\d\d|6[6-9]\d{3}|[7-9]\d{4}|[1-9]\d{5}"
    rb"|10\d{5}|110\d{4}|111[0-3]\d{3}|11140\d\d|111410\d|111411[01]"
)
"""The characters XML 1.0 allows, in decimal without leading zeros: 9, 10, 13, 32–55295, 57344–65533,
65536–1114111 (not 0–8, 11, 12, 14–31, the surrogates 55296–57343, 65534, 65535, nor beyond)."""
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|]]>")
"""What else expat refuses in a text or an attribute, written as is: a character XML forbids, ``]]>``."""
_REPEATED_ROW_ATTRIBUTE = re.compile(rb'<row\b[^<]*?\s([\w:.-]+)="[^"]*"[^<]*?\s\1="')
"""A row with an attribute twice: expat refuses it (a cell's attributes are checked apart)."""
_OTHER_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#(?:" + _CHARACTER_NUMBER + rb"));)")
"""An ``&`` that is not one of XML's own five entities nor a decimal reference to a character XML allows:
expat refuses the whole sheet for an undefined entity or a forbidden character (openpyxl: "XML 格式错误"),
in an attribute or a formula as much as in a value, where calamine reads on (hexadecimal and padded
references, which expat reads, are left to openpyxl too)."""
_STRING_ITEM = re.compile(rb"<si[\s/>]")
_EMPTY_TEXT = (b"<t/>", b"<t></t>", b'preserve"/>', b'preserve"></t>', b"<is></is>", b"<is/>", b"<si/>", b"<si></si>")
_NO_CACHED_VALUE = re.compile(rb"(?:</f>|<f\b[^>]*/>)</c>")
_DECIMAL = re.compile(rb"<v>(-?\d++\.\d++)</v>")
_REFS = re.compile(rb' r="([A-Z]*\d+)"')
_ROW_TAGS = re.compile(rb'<row r="(\d+)"([^>]*)')
"""Row numbers, and with them the rest of each row's attributes (one of which may be there twice)."""
_ROW_ATTRIBUTE = re.compile(rb' ([\w:]+)="')
_UNPREFIXED = re.compile(rb"</?[A-Za-z_][\w.-]*[\s/>]")
"""An element name without a prefix (the XML declaration, comments and CDATA start otherwise)."""
_ATTRIBUTE_PREFIX = re.compile(rb'\s(\w+):[\w.-]+="')
"""Row numbers and cell references: in a sheetData of the plain form only rows and cells have an r."""
_CELL_TYPES = {None: "n", b"n": "n", b"s": "s", b"str": "str", b"inlineStr": "inlineStr", b"b": "b", b"e": "e"}
_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")
_MAX_HEAD_DEPTH = 12
"""Elements outside ``<sheetData>`` may nest this deep (the openpyxl reader refuses beyond 20 in all)."""


class _NotFast(Exception):
    """This file is read by openpyxl; the reason, for tests and debugging."""


def read(
    data: bytes, parts: Mapping[str, bytes], limits: Limits, crc: Mapping[str, int] | None = None
) -> list[Grid] | None:
    """The grids openpyxl would give, or None when this file must be read by openpyxl.

    ``parts`` are the file's XML parts as :func:`~server.xlsx.archive.check_parts` inflated them,
    ``crc`` their CRC-32 if known.
    """
    if python_calamine is None:
        return None
    try:
        return _read(data, parts, limits, crc or {})
    except _NotFast:
        return None
    except Exception:  # a case this module did not foresee: openpyxl reads the file, as it always did
        return None


def why_not(data: bytes, parts: Mapping[str, bytes], limits: Limits) -> str | None:
    """Why :func:`read` leaves this file to openpyxl (None: it does not)."""
    if python_calamine is None:
        return "python-calamine is not installed"
    try:
        _read(data, parts, limits, {})
    except _NotFast as reason:
        return str(reason)
    except Exception as error:
        return f"unforeseen: {type(error).__name__}: {error}"
    return None


_BOOK_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml")
_Book = tuple[list[tuple[str, bool, str]], object, bool, tuple[frozenset[int], frozenset[int]]]
_BOOKS: dict[tuple[bytes | None, ...], _Book | str] = {}
"""What the workbook-wide parts say, by their bytes: a batch of files from one template parses them once."""
_CACHED_BYTES = 128 * 1024
"""Parts larger than this are checked each time, not remembered."""


_FAST_BYTES = 1024 * 1024
"""XML parts larger than this together are left to openpyxl: a report workbook has well under 0.3 MB, and
the checks cost up to ~30 ms per MB of a hostile part (a 10 MB sheet in a 0.5 MB file, found by fuzzing)."""


def _read(data: bytes, parts: Mapping[str, bytes], limits: Limits, crc: Mapping[str, int]) -> list[Grid]:
    if sum(map(len, parts.values())) > _FAST_BYTES:
        raise _NotFast("XML parts larger than a report workbook's")
    key = tuple(parts.get(name) for name in _BOOK_PARTS)
    book = _BOOKS.get(key)
    if book is None:
        try:
            book = _book(parts)
        except _NotFast as reason:
            book = str(reason)
        if sum(len(content or b"") for content in key) <= _CACHED_BYTES:
            if len(_BOOKS) >= 64:
                _BOOKS.clear()
            _BOOKS[key] = book
    if isinstance(book, str):
        raise _NotFast(book)
    sheets, epoch, has_strings, date_styles = book
    if len(sheets) > limits.sheets:
        raise _NotFast("too many sheets")
    for name, content in parts.items():
        if name not in _BOOK_PARTS and not name.startswith("xl/theme/") and not SHEET_PART.match(name):
            _check_other_part(content, name)
    if _openpyxl_reads_book(parts) != sheets:
        raise _NotFast("openpyxl finds other sheets")  # <sheets> holding another element, say
    strings = parts.get("xl/sharedStrings.xml") if has_strings else None
    if has_strings and strings is None:
        raise _NotFast("shared strings declared, not there")  # openpyxl refuses the file
    items = 0
    if strings is not None:
        strings = _unprefixed(strings, "shared strings")
        _check_strings(strings, limits)
        items = len(_STRING_ITEM.findall(strings))
    bodies = []
    for name, _hidden, part in sheets:
        content = parts.get(part)
        if content is None:
            raise _NotFast(f"{name}: no sheet part {part}")
        bodies.append(_sheet_body(part, content))
    empty_strings = strings is not None and _has_empty_text(strings)
    plain, templates = [], []
    for (_, _, part), body in zip(sheets, bodies, strict=True):
        spent, key, remembered = _plain(body, date_styles[0], empty_strings, limits)
        if spent is None:
            _check_positions(part, body, limits)
        plain.append(spent)
        key = None if key is None else (*key, limits.text)
        templates.append((key, _TEMPLATES.get(key) if remembered else None, remembered))
    values = [None] * len(sheets)
    wanted = [index for index, (_, template, _) in enumerate(templates) if template is None]
    if wanted:
        # Only now, every position in every sheet within the limits, may calamine see the file
        sheet_parts = {
            part: _SHEET_START + body + _SHEET_END for (_, _, part), body in zip(sheets, bodies, strict=True)
        }
        values = _calamine(_stored_zip({**parts, **sheet_parts}, crc, list(sheet_parts)), sheets, wanted)
    grids = []
    budget = limits.cells
    for (name, hidden, part), body, grid, spent, (key, template, remembered) in zip(
        sheets, bodies, values, plain, templates, strict=True
    ):
        if template is not None:
            rows = _filled(template, body)
        else:
            rows = None if spent is None else _plain_rows(part, body, grid, limits)
            if rows is not None and remembered:
                _remember_template(key, body, rows, limits)
        if rows is None:
            rows, spent = _rows(part, body, grid, date_styles, epoch, limits, items)
        budget -= spent
        grids.append(Grid(name, rows, hidden=hidden))
    if budget < 0:
        raise _NotFast("cells and rows beyond the budget of the openpyxl reader")
    return grids


class _Archive:
    """The inflated parts, as openpyxl's reader reads a zip (a part not there: KeyError, as zipfile)."""

    def __init__(self, parts: Mapping[str, bytes]):
        self.parts = parts

    def read(self, name: str) -> bytes:
        return self.parts[name]

    def namelist(self) -> list[str]:
        return list(self.parts)

    def open(self, name: str) -> io.BytesIO:
        """A read-only sheet reads its dimension when made: not here (the sheets are checked apart)."""
        if name not in self.parts:
            raise KeyError(name)
        return io.BytesIO(b'<worksheet xmlns="' + MAIN_NS + b'"/>')


_OPENPYXL_BOOKS: dict[tuple[tuple[str, bytes], ...], str | list[tuple[str, bool, str]]] = {}
_OWN_FILE = ("xl/sharedStrings.xml", ARC_CORE, ARC_CUSTOM, "docProps/app.xml")
"""Parts that differ from file to file of one template (openpyxl does not read app.xml)."""
_CHECKED_PROPERTIES: set[bytes] = set()


def _openpyxl_reads_book(parts: Mapping[str, bytes]) -> list[tuple[str, bool, str]]:
    """openpyxl reads the workbook-wide parts (content types, workbook, relationships, styles, names,
    properties …) with its own parsers, which refuse elements a well-formed part may still hold where
    they expect others (found by tools/fuzz_reader.py): run them, as openpyxl's reader does, all but
    the shared strings and the sheets; any error leaves the file to openpyxl (remembered by the bytes).
    The sheets openpyxl finds: (name, hidden, part) of each, in order."""
    key = tuple(
        (name, content)
        for name, content in parts.items()
        if name not in _OWN_FILE and not SHEET_PART.match(name) and not name.startswith("xl/theme/")
    ) + tuple((name, b"") for name in parts if SHEET_PART.match(name))  # openpyxl skips a sheet not there
    for name, parse in ((ARC_CORE, DocumentProperties), (ARC_CUSTOM, CustomPropertyList)):
        content = parts.get(name)
        if content is not None and content not in _CHECKED_PROPERTIES:
            try:
                parse.from_tree(fromstring(content))
            except Exception as error:
                raise _NotFast(f"openpyxl refuses {name}: {type(error).__name__}") from None
            if len(_CHECKED_PROPERTIES) >= 256:
                _CHECKED_PROPERTIES.clear()
            _CHECKED_PROPERTIES.add(content)
    verdict = _OPENPYXL_BOOKS.get(key)
    if verdict is None:
        reader = ExcelReader.__new__(ExcelReader)
        reader.archive = _Archive(parts)
        reader.valid_files = list(parts)
        reader.read_only, reader.keep_vba, reader.data_only, reader.keep_links, reader.rich_text = (
            True,
            False,
            True,
            True,
            False,
        )
        reader.shared_strings = []
        reader.read_strings = lambda: None  # read by calamine, checked apart
        reader.read_properties = reader.read_custom = lambda: None  # each file's own: parsed above
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reader.read()
            verdict = [(ws.title, ws.sheet_state != "visible", ws._worksheet_path) for ws in reader.wb._sheets]
        except Exception as error:  # what makes openpyxl refuse the file
            verdict = f"openpyxl refuses the workbook parts: {type(error).__name__}"
        if sum(len(content) for _, content in key) <= _CACHED_BYTES:
            if len(_OPENPYXL_BOOKS) >= 64:
                _OPENPYXL_BOOKS.clear()
            _OPENPYXL_BOOKS[key] = verdict
    if isinstance(verdict, str):
        raise _NotFast(verdict)
    return verdict


def _book(parts: Mapping[str, bytes]) -> _Book:
    for name in _BOOK_PARTS:
        content = parts.get(name)
        if content is not None:
            _check_other_part(content, name)
    sheets, epoch, has_strings = _workbook(parts)
    return sheets, epoch, has_strings, _date_styles(parts.get("xl/styles.xml"))


_CHECKED: set[bytes] = set()


def _check_other_part(content: bytes, what: str) -> None:
    """openpyxl parses this part with expat and refuses the file if it is not well formed, or has a DTD."""
    if content in _CHECKED:
        return
    if b"<!" in content:
        raise _NotFast(f"{what}: DTD, comment or CDATA")
    declaration = content[: content.find(b"?>")] if content.startswith(b"<?xml") else b""
    encoding = re.search(rb"encoding=[\"']([\w-]+)", declaration)
    if encoding is not None and encoding.group(1).lower() != b"utf-8":  # expat reads "utf8" as ASCII
        raise _NotFast(f"{what}: encoding {encoding.group(1)!r}")
    try:
        pyexpat.ParserCreate(None, "}").Parse(content, True)  # as ElementTree parses: namespaces processed
    except pyexpat.ExpatError as error:
        raise _NotFast(f"{what}: not well formed ({error})") from None
    if len(content) <= _CACHED_BYTES // 16:
        if len(_CHECKED) >= 256:
            _CHECKED.clear()
        _CHECKED.add(content)


# Workbook -------------------------------------------------------------------------------------


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    """The attributes of a tag (its text after the name), only in the plain form; otherwise not fast."""
    match = _TAG_ATTRS.fullmatch(raw)
    if match is None:
        raise _NotFast(f"attributes not in plain form: {raw[:80]!r}")
    found = _ATTR.findall(match.group(1))
    attrs = dict(found)
    if len(attrs) != len(found):
        raise _NotFast("repeated attribute")
    return attrs


def _unprefixed(content: bytes, what: str) -> bytes:
    """The part with its root's namespace prefix removed (``<x:c>`` → ``<c>``), the main namespace checked."""
    match = _ROOT.search(content, 0, 400)
    if match is None:
        raise _NotFast(f"{what}: no root element")
    prefix = match.group(1)
    head = content[: content.find(b">", match.start()) + 1]
    if prefix is None:
        if b'xmlns="' + MAIN_NS + b'"' not in head:
            raise _NotFast(f"{what}: not in the main namespace")
        if content.find(b'xmlns="', len(head)) >= 0:
            raise _NotFast(f"{what}: the default namespace declared again inside")
        return content
    if b"xmlns:" + prefix + b'="' + MAIN_NS + b'"' not in head:
        raise _NotFast(f"{what}: prefix not bound to the main namespace")
    if _UNPREFIXED.search(content) or content.find(b"xmlns:" + prefix + b"=", len(head)) >= 0:
        raise _NotFast(f"{what}: an element without the prefix (in no namespace or another)")
    return content.replace(b"<" + prefix + b":", b"<").replace(b"</" + prefix + b":", b"</")


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotFast(f"{what}: not UTF-8") from None


def _workbook(parts: Mapping[str, bytes]) -> tuple[list[tuple[str, bool, str]], object, bool]:
    """(name, hidden, part) of each sheet in order, the date epoch, and whether openpyxl reads shared strings."""
    types = parts.get("[Content_Types].xml", b"")
    overrides = {}
    for raw in _OVERRIDE.findall(types):
        attrs = _attrs(raw)
        overrides[attrs.get(b"PartName")] = attrs.get(b"ContentType")
    workbook_parts = [name for name, kind in overrides.items() if kind in _WORKBOOK_TYPES]
    if workbook_parts != [b"/xl/workbook.xml"]:
        raise _NotFast("workbook part not /xl/workbook.xml")
    string_parts = [name for name, kind in overrides.items() if kind == _SHARED_STRINGS_TYPE]
    if string_parts not in ([], [b"/xl/sharedStrings.xml"]):
        raise _NotFast("shared strings elsewhere than /xl/sharedStrings.xml")
    if not string_parts and "xl/sharedStrings.xml" in parts:
        raise _NotFast("shared strings part without its content type")
    if "xl/workbook.xml" not in parts or "xl/_rels/workbook.xml.rels" not in parts:
        raise _NotFast("no workbook or workbook relationships")
    workbook = _unprefixed(parts["xl/workbook.xml"], "workbook")
    epoch = CALENDAR_WINDOWS_1900
    properties = re.search(rb"<workbookPr\b([^>]*)>", workbook)
    if properties is not None:
        flag = _attrs(properties.group(1)).get(b"date1904")
        if flag is not None and flag not in (b"false", b"f", b"0", b""):
            epoch = CALENDAR_MAC_1904
    targets = {}
    for raw in _RELATIONSHIP.findall(parts["xl/_rels/workbook.xml.rels"]):
        attrs = _attrs(raw)
        targets[attrs.get(b"Id")] = (_text(attrs.get(b"Type", b""), "type"), attrs.get(b"Target", b""))
    sheets = []
    seen = set()
    for raw in _SHEET.findall(workbook):
        attrs = _attrs(raw)
        name = html.unescape(_text(attrs.get(b"name", b""), "sheet name"))
        if not name or _TITLE_FORBIDDEN.search(name) or name.lower() in seen:
            raise _NotFast(f"sheet name {name!r} openpyxl may refuse or rename")
        seen.add(name.lower())
        state = attrs.get(b"state", b"visible")
        if state not in (b"visible", b"hidden", b"veryHidden"):
            raise _NotFast(f"sheet state {state!r}")
        ids = [value for key, value in attrs.items() if key.endswith(b":id")]
        if len(ids) != 1 or ids[0] not in targets:
            raise _NotFast(f"sheet {name}: no relationship")
        kind, target = targets[ids[0]]
        if kind != _REL_NS + "worksheet":
            raise _NotFast(f"sheet {name}: {kind}")
        part = html.unescape(_text(target[1:] if target.startswith(b"/") else b"xl/" + target, "target"))
        if ".." in part or "//" in part or "\\" in part:
            raise _NotFast(f"sheet {name}: target {part}")
        sheets.append((name, state != b"visible", part))
    return sheets, epoch, bool(string_parts)


def _check_strings(strings: bytes, limits: Limits) -> None:
    """Shared strings calamine reads as openpyxl does (and a count it can reserve room for)."""
    match = _UNIQUE_COUNT.search(strings, 0, 400)
    if match is not None and int(match.group(1)) > limits.elements:
        raise _NotFast("uniqueCount beyond the element limit")
    for marker, what in ((b"_x00", "_xHHHH_ escape"), (b"<rPh", "phonetic run"), (b"\r", "carriage return")):
        if marker in strings:
            raise _NotFast(f"shared strings: {what}")
    if _STRAY_TEXT.search(strings):  # (openpyxl's expat has parsed the part: references are valid)
        raise _NotFast("shared strings: a text after another in one item or inside another element")
    _check_edges(strings, "shared strings")


def _check_edges(content: bytes, what: str) -> None:
    """calamine trims the spaces around a ``<t>`` without ``xml:space="preserve"``; openpyxl keeps them."""
    if b"&#x" in content or b"&#X" in content or b"&#0" in content:
        raise _NotFast(f"{what}: hexadecimal or padded character reference")
    if _EDGE.search(content):
        raise _NotFast(f"{what}: text starting or ending with a space calamine trims")


def _has_empty_text(content: bytes) -> bool:
    return any(marker in content for marker in _EMPTY_TEXT)


def _date_styles(styles: bytes | None) -> tuple[frozenset[int], frozenset[int]]:
    """The style numbers openpyxl reads as dates, and those among them it reads as durations."""
    if styles is None:
        raise _NotFast("no styles part")
    content = _unprefixed(styles, "styles")
    custom = {}
    for raw in _NUM_FMT.findall(content):
        attrs = _attrs(raw)
        number = attrs.get(b"numFmtId", b"")
        if not number.isdigit():
            raise _NotFast("numFmtId not a number")
        custom[int(number)] = html.unescape(_text(attrs.get(b"formatCode", b""), "format"))
    dates, durations = set(), set()
    if content.count(b"<cellXfs") > 1:
        raise _NotFast("several cellXfs")
    start = content.find(b"<cellXfs")
    if start >= 0:
        end = content.find(b"</cellXfs>", start)
        if end < 0:
            raise _NotFast("cellXfs not closed")
        for index, raw in enumerate(_XF.findall(content, start, end)):
            number = _attrs(raw).get(b"numFmtId", b"0")
            if not number.isdigit():
                raise _NotFast("numFmtId not a number")
            number = int(number)
            code = custom[number] if number in custom else BUILTIN_FORMATS.get(number)
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return frozenset(dates), frozenset(durations)


# Sheets ---------------------------------------------------------------------------------------

_OUTSIDE = re.compile(rb"<!|<(?:row|c)[\s/>]|<sheetData")
_AROUND: dict[tuple[bytes, bytes], str] = {}
"""What is around a sheet's ``<sheetData>`` (identical in a batch of files from one template): "" when fine."""


def _sheet_body(part: str, content: bytes) -> bytes:
    """The sheet's ``<sheetData>`` content after the checks of everything around it."""
    content = _unprefixed(content, part)
    start = content.find(b"<sheetData")
    if start < 0:
        raise _NotFast(f"{part}: no sheetData")
    opening = content.find(b">", start) + 1
    if content[opening - 2 : opening] == b"/>":
        body, tail = b"", content[opening:]
    else:
        end = content.rfind(b"</sheetData>")
        if end < opening:
            raise _NotFast(f"{part}: sheetData not closed")
        body, tail = content[opening:end], content[end + len(b"</sheetData>") :]
    head = content[:opening]
    key = head, tail
    verdict = _AROUND.get(key)
    if verdict is None:
        try:
            _check_around(head, tail, part)
            verdict = ""
        except _NotFast as reason:
            verdict = str(reason)
        if len(head) + len(tail) <= _CACHED_BYTES // 16:
            if len(_AROUND) >= 256:
                _AROUND.clear()
            _AROUND[key] = verdict
    if verdict:
        raise _NotFast(verdict)
    if b":" in body:
        for prefix in set(_ATTRIBUTE_PREFIX.findall(body)):
            if prefix != b"xml" and b"xmlns:" + prefix + b"=" not in head:
                raise _NotFast(f"{part}: attribute prefix {prefix!r} not declared")
    return body


def _check_around(head: bytes, tail: bytes, part: str) -> None:
    """openpyxl parses the whole sheet: what surrounds ``<sheetData>`` must not make it refuse or read more."""
    before = head[: head.rfind(b"<sheetData")]
    for text in (before, tail):
        marker = _OUTSIDE.search(text)
        if marker is not None:  # openpyxl's parser reads a row wherever it is (an empty one first hides row 1)
            raise _NotFast(f"{part}: {marker.group().decode()} outside sheetData")
    closing = b"" if head.endswith(b"/>") else b"</sheetData>"
    _check_other_part(head + closing + tail, part)
    _check_dimension(before, part)
    # openpyxl refuses nesting beyond 20 levels; inside sheetData the checked forms nest at most 8
    if before.count(b"</") + tail.count(b"</") > _MAX_HEAD_DEPTH and _depth(before + tail) > _MAX_HEAD_DEPTH:
        raise _NotFast(f"{part}: deep nesting outside sheetData")


def _check_body(part: str, body: bytes) -> None:
    """What the plain form excludes, for a sheet read cell by cell."""
    if b"_x00" in body:
        raise _NotFast(f"{part}: _xHHHH_ escape (calamine unescapes it, openpyxl keeps it in inline text)")
    if b"\r" in body:
        raise _NotFast(f"{part}: carriage return")
    _check_edges(body, part)
    if b"&" in body and _OTHER_REFERENCE.search(body):
        raise _NotFast(f"{part}: an entity or a character reference openpyxl refuses (XML 格式错误)")
    if _NOT_XML.search(body) or _REPEATED_ROW_ATTRIBUTE.search(body):
        raise _NotFast(f"{part}: a character, ]]> or an attribute twice, which openpyxl refuses (XML 格式错误)")
    if b"<f" in body and _NO_CACHED_VALUE.search(body):
        raise _NotFast(f"{part}: formula without cached value")


_DIMENSIONS: dict[bytes, bool] = {}


def _check_dimension(head: bytes, part: str) -> None:
    """openpyxl's read-only sheet reads ``<dimension ref>`` first and refuses the file if it cannot."""
    match = re.search(rb"<dimension\b([^>]*)>", head)
    if match is None:
        return
    raw = match.group(1)
    good = _DIMENSIONS.get(raw)
    if good is None:
        try:
            ref = _attrs(raw).get(b"ref")
            _ = SheetDimension(ref=None if ref is None else ref.decode("ascii")).boundaries
        except _NotFast:
            raise
        except Exception:
            good = False
        else:
            good = True
        if len(_DIMENSIONS) < 1024:
            _DIMENSIONS[raw] = good
    if not good:
        raise _NotFast(f"{part}: dimension openpyxl refuses")


def _depth(content: bytes) -> int:
    depth = deepest = 0
    for closing, self_closing in re.findall(rb"<(/?)(?:[^>!?]*?)(/?)>", content):
        if closing:
            depth -= 1
        elif not self_closing:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _stored_zip(parts: Mapping[str, bytes], crc: Mapping[str, int], sheet_parts: list[str]) -> bytes:
    """A zip of the parts calamine needs, stored uncompressed: check_parts inflated them already."""
    names = [name for name in _CALAMINE_PARTS if name in parts] + sheet_parts
    sheets = set(sheet_parts)
    local, central, offset = [], [], 0
    for name in names:
        content, encoded = parts[name], name.encode()
        check = None if name in sheets else crc.get(name)
        if check is None:
            check = zlib.crc32(content)
        size = len(content)
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0x800, 0, 0, 0, check, size, size, len(encoded), 0) + encoded
        local += (header, content)
        central.append(
            _CENTRAL.pack(b"PK\x01\x02", 20, 20, 0x800, 0, 0, 0, check, size, size, len(encoded), 0, 0, 0, 0, 0, offset)
            + encoded
        )
        offset += len(header) + size
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(names), len(names), len(directory), offset, 0)
    return b"".join(local) + directory + end


_CALAMINE_PARTS = ("_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml")
"""What calamine reads besides the sheets. Not the styles: the fast path takes no number from calamine
for a cell openpyxl reads as a date, and without styles calamine reads every number as a number."""
_SHEET_START = b'<worksheet xmlns="' + MAIN_NS + b'"><mergeCells></mergeCells><sheetData>'
_SHEET_END = b"</sheetData></worksheet>"
"""What calamine is given of a sheet: its checked ``<sheetData>`` (without namespace prefixes), nothing else.

python-calamine reads every sheet twice: its values, then its events up to ``<mergeCells>`` for
the merged ranges (which this reader does not use; openpyxl's read-only reader ignores them too).
An empty one first ends that second pass at once; calamine's value reader skips it."""


_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")


def _calamine(data: bytes, sheets: list[tuple[str, bool, str]], wanted: list[int]) -> list[list[list[object]] | None]:
    """Each wanted sheet's dense grid from A1 (None for the others), read by calamine (only after the checks above)."""
    try:
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            metadata = book.sheets_metadata
            if [sheet.name for sheet in metadata] != [name for name, _, _ in sheets]:
                raise _NotFast("calamine sees other sheets")
            for sheet, (_, hidden, _) in zip(metadata, sheets, strict=True):
                if sheet.typ != python_calamine.SheetTypeEnum.WorkSheet:
                    raise _NotFast("calamine sees a sheet that is not a worksheet")
                if (sheet.visible != python_calamine.SheetVisibleEnum.Visible) != hidden:
                    raise _NotFast("calamine sees another visibility")
            grids: list[list[list[object]] | None] = [None] * len(sheets)
            for index in wanted:
                grids[index] = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            return grids
    except _NotFast:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # a calamine error (or a Rust panic) leaves the file to openpyxl
        raise _NotFast(f"calamine: {type(error).__name__}: {error}") from None


class _Odd(Exception):
    """calamine gave a value of a type the plain mapping does not make (a date, say)."""


def _odd(value: object) -> object:
    raise _Odd(type(value).__name__)


_PLAIN_SHEETS: dict[int, re.Pattern[bytes]] = {}
_TEXT = (
    rb"(?:[^<&_\]\xef\x00-\x08\x0b\x0c\r\x0e-\x1f]++|(?:&#[1-46-9]\d{2,5};)++"
    rb"|&#5(?:\d{2,3}|[0-489]\d{3}|\d{5});"
    rb"|&#(?:9|10|13|3[2-9]|[4-9]\d);|&(?:amp|lt|gt|quot|apos);|_(?!x00)|](?!]>)|\xef(?!\xbf[\xbe\xbf]))"
)
"""A piece of text both readers read alike: no character XML forbids, written or referred to (the
surrogates: no reference from 55000 to 57999; &#65534; and &#65535; looked for apart), no ``]]>``
(expat refuses each, calamine reads on), no ``_xHHHH_`` escape (calamine unescapes it, openpyxl does
not), no raw carriage return, only XML's own entities, references in decimal without leading zeros."""
_SPACE_REF = rb"&#(?:9|10|13|32);"


def _plain_sheet(columns: int) -> re.Pattern[bytes]:
    """A ``<sheetData>`` of the plain form, where calamine's values map one to one to openpyxl's.

    Rows in which every cell has its row's number and a column within the limit; cells of type
    n, s, str or inlineStr; numbers written as integers of at most 15 digits or as decimals with
    a fraction (not whole: checked after); no formula without its cached value; inline text in one piece,
    not empty, without spaces at its ends unless ``xml:space="preserve"`` (calamine trims them).
    Possessive repeats: one pass, no backtracking."""
    pattern = _PLAIN_SHEETS.get(columns)
    if pattern is None:
        letters = _letters_up_to(columns)
        formula = rb'<f(?: [a-z]+="[\w:$]*")*+(?:/>|>' + _TEXT + rb"*+</f>)"
        number = rb"<v>-?\d{1,15}+(?:\.\d++)?+</v>"
        text = rb"<v>" + _TEXT + rb"*+</v>"
        inline = (
            rb"<is>(?:<t>(?![ \t\n]|" + _SPACE_REF + rb")" + _TEXT + rb"++"
            rb"(?<![ \t\n])(?<!&#9;)(?<!&#10;)(?<!&#13;)(?<!&#32;)</t>"
            rb'|<t xml:space="preserve">' + _TEXT + rb"++</t>)</is>"
        )
        cell = (
            rb'<c r="(?:' + letters + rb')\1"(?: s="(?:0|[1-9]\d{0,8})")?+'
            rb'(?:(?: t="n")?+(?:/>|>(?:(?:' + formula + rb")?+" + number + rb")?+</c>)"
            rb'| t="inlineStr"(?:/>|>(?:' + inline + rb")?+</c>)"
            rb'| t="s"(?:/>|>(?:<v>\d{1,9}+</v>)?+</c>)'
            rb'| t="str"(?:/>|>(?:(?:' + formula + rb")?+" + text + rb")?+</c>))"
        )
        row = rb'<row r="([1-9]\d{0,8})"(?: (?:x14ac:)?\w+="[\w:. -]*")*+(?:/>|>(?:' + cell + rb")*+</row>)"
        pattern = _PLAIN_SHEETS[columns] = re.compile(rb"(?:" + row + rb")*+")
    return pattern


def _letters_up_to(columns: int) -> bytes:
    """A regular expression for the column letters A … of the given column number."""

    def first(count: int, length: int) -> str:
        if count >= 26**length:
            return f"[A-Z]{{{length}}}"
        whole, rest = divmod(count, 26 ** (length - 1))
        parts = []
        if whole:
            parts.append(f"[A-{chr(64 + whole)}]" + (f"[A-Z]{{{length - 1}}}" if length > 1 else ""))
        if rest:
            parts.append(chr(65 + whole) + "(?:" + first(rest, length - 1) + ")")
        return "|".join(parts)

    parts = []
    for length in (1, 2, 3):
        below = sum(26**k for k in range(1, length))
        if columns > below:
            parts.append(first(min(columns - below, 26**length), length))
    return "|".join(parts).encode()


def _plain(body: bytes, dates, empty_strings: bool, limits: Limits) -> tuple[int | None, tuple | None, bool]:
    """For a sheet of the plain form, the cells and rows the openpyxl reader would count; None for another form;
    with the key of its skeleton in :data:`_SKELETONS` and whether it was remembered from another file.

    In the plain form calamine's values map one to one to openpyxl's: calamine's ``""`` is
    openpyxl's None (no empty strings in the sheet), a whole float is openpyxl's int (every
    whole number written without ``.`` or ``E``), and no cell has a style openpyxl reads as a date
    (nor has the default style 0 a date format).
    Every position is within the limits (checked before calamine sees the file)."""
    if 0 in dates:
        return None, None, False  # a cell without s has style 0: a date then
    skeleton, numbers = _SMALL_NUMBER.subn(b"<v>0</v>", body)
    decimals = numbers != body.count(b"<v>")
    if decimals:
        skeleton = _OTHER_NUMBER.sub(b"<v>-1.5</v>", skeleton)
    key = (limits.columns, limits.rows, skeleton)
    spent = _SKELETONS.get(key, _UNKNOWN)
    remembered = spent is not _UNKNOWN
    if not remembered:
        spent = _plain_form(skeleton, limits)
        if len(skeleton) <= _SKELETON_BYTES:
            if len(_SKELETONS) >= 128:
                _SKELETONS.clear()
            _SKELETONS[key] = spent
    if spent is None:
        return None, None, False
    if decimals:  # (every value written as at most 9 digits has no decimal point)
        for text in _DECIMAL.findall(body):
            if float(text).is_integer():
                return None, None, False  # 5.0: openpyxl reads a float, calamine's 5.0 would become 5
    if empty_strings and b't="s"' in body:
        return None, None, False  # an empty shared string: calamine's "" is then not always openpyxl's None
    for style in dates:
        if b' s="%d"' % style in body:
            return None, None, False
    return spent, key, remembered


_SMALL_NUMBER = re.compile(rb"<v>\d{1,9}</v>")
_OTHER_NUMBER = re.compile(rb"<v>(?:-?\d{1,15}\.\d++|-\d{1,15}|\d{10,15})</v>")
_SKELETONS: dict[tuple[int, int, bytes], int | None] = {}
"""What :func:`_plain_form` says of a sheet's skeleton: its ``<sheetData>`` with every value written as
at most 9 digits made ``0`` and every other number of the plain form made ``-1.5``. The sheets of one
template differ from file to file in their numbers only (and a name or two), so a batch of files checks
each sheet's form once; only the decimals, read apart, are looked at in each file."""
_SKELETON_BYTES = 64 * 1024
"""Skeletons larger than this are checked each time, not remembered (a report sheet has about 15 kB)."""
_UNKNOWN = object()


def _plain_form(body: bytes, limits: Limits) -> int | None:
    """The cells and rows of a ``<sheetData>`` of the plain form (None: another form), all but what the
    values themselves decide. A skeleton (see :data:`_SKELETONS`) gives what its sheet gives: a value
    of at most 9 digits has the place of ``0`` (a number, a shared string's index, a formula's text),
    one of the other numbers the place of ``-1.5`` (a number or a formula's text, never an index), and
    no ``<``, ``"`` or ``&`` of its own that the rest could see."""
    if body and _plain_sheet(limits.columns).fullmatch(body) is None or b"&#6553" in body:
        return None
    references = _REFS.findall(body)
    if len(set(references)) != len(references):
        return None  # a cell twice
    found = _ROW_TAGS.findall(body)
    for attributes in {attributes for _, attributes in found}:
        if attributes.count(b"=") > 1 or b"r=" in attributes:
            names = _ROW_ATTRIBUTE.findall(attributes)
            if b"r" in names or len(set(names)) != len(names):
                return None  # a row attribute twice: expat refuses the sheet
    rows = [int(number) for number, _ in found]
    if rows and (rows[-1] > limits.rows or rows != sorted(rows)):
        return None
    return len(references)


def _plain_rows(part: str, body: bytes, grid: list[list[object]], limits: Limits) -> list[list[object]] | None:
    """The rows of a sheet of the plain form, mapped from calamine's grid in bulk (None: a value of another type)."""
    lines = []
    try:
        for values in grid:
            line = [
                (value or None)
                if (kind := value.__class__) is str
                else (int(value) if value.is_integer() else value)
                if kind is float
                else _odd(value)
                for value in values
            ]
            while line and line[-1] is None:
                line.pop()
            lines.append(line)
    except _Odd:
        return None
    while lines and not lines[-1]:
        lines.pop()
    _check_texts(part, body, lines, limits)
    return lines


_TEMPLATES: dict[tuple, tuple[tuple[tuple[object, ...], ...], tuple[tuple[int, int], ...]]] = {}
"""The rows of a sheet of the plain form whose only values are numbers, by its skeleton (and limits): every cell
but the numbers is the same in each sheet of that skeleton, so a batch of files from one template reads these
sheets without calamine, each number made from its text as openpyxl makes it (``int`` without ``.``, else
``float``; the plain form has no exponent and no whole decimal). Made from a sheet calamine read, the second
time its skeleton is seen, and only when each number calamine gave is the one made from the text."""
_VALUE_TEXT = re.compile(rb"<v>([^<]*)</v>")
_NUMBER_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([1-9]\d*)"(?: s="\d+")?+(?: t="(\w+)")?+>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?<v>'
)


def _number(text: bytes) -> int | float:
    """A number of the plain form as openpyxl reads it."""
    return float(text) if b"." in text else int(text)


def _remember_template(key: tuple, body: bytes, rows: list[list[object]], limits: Limits) -> None:
    """Remember the rows of this sheet (of the plain form, read by calamine) for its skeleton if its values
    are all numbers (no shared string, no formula's text) and each is the number its text makes."""
    skeleton = key[2]
    if key in _TEMPLATES or len(skeleton) > _SKELETON_BYTES:
        return
    columns = _COLUMNS.get(limits.columns)
    if columns is None:
        columns = _COLUMNS[limits.columns] = _column_numbers(limits.columns)
    slots = []
    for cell in _NUMBER_CELL.finditer(skeleton):
        if cell.group(3) not in (None, b"n") or cell.group(1) not in columns:
            return
        slots.append((int(cell.group(2)) - 1, columns[cell.group(1)] - 1))
    texts = _VALUE_TEXT.findall(body)
    if len(slots) != skeleton.count(b"<v>") or len(texts) != len(slots):
        return
    for (row, column), text in zip(slots, texts, strict=True):
        value = _number(text)
        try:
            read = rows[row][column]
        except IndexError:
            return
        if read.__class__ is not value.__class__ or read != value:
            return
    template = tuple(tuple(line) for line in rows), tuple(slots)
    if len(_TEMPLATES) >= 64:
        _TEMPLATES.clear()
    _TEMPLATES[key] = template


def _filled(template, body: bytes) -> list[list[object]]:
    """The rows of a sheet of a remembered skeleton: the template's, with this sheet's numbers."""
    lines, slots = template
    texts = _VALUE_TEXT.findall(body)
    if len(texts) != len(slots):
        raise _NotFast("numbers not where the skeleton has them")  # (the same skeleton: never)
    rows = [list(line) for line in lines]
    for (row, column), text in zip(slots, texts, strict=True):
        rows[row][column] = float(text) if b"." in text else int(text)  # _number, written out: every number
    return rows


_ANY_R = re.compile(rb"""[\s:]r\s*=\s*(["'])([^"'<>]{0,12})\1""")
_R_ATTRIBUTE = re.compile(rb"[\s:]r\s*=")
_POSITION = re.compile(rb"([A-Z]{0,3})([0-9]{1,7})")


def _check_positions(part: str, body: bytes, limits: Limits) -> None:
    """Every row and cell position in the sheet within the limits (calamine allocates up to the largest)."""
    columns = _COLUMNS.get(limits.columns)
    if columns is None:
        columns = _COLUMNS[limits.columns] = _column_numbers(limits.columns)
    found = _ANY_R.findall(body)
    if len(found) != len(_R_ATTRIBUTE.findall(body)):
        raise _NotFast(f"{part}: a position not in plain form")
    for _, value in found:
        position = _POSITION.fullmatch(value)
        if (
            position is None
            or int(position.group(2)) > limits.rows
            or (position.group(1) and position.group(1) not in columns)
        ):
            raise _NotFast(f"{part}: position {value[:20]!r} beyond the limits or not plain")
    if body.count(b"<c") > limits.cells or body.count(b"<row") > limits.rows:
        raise _NotFast(f"{part}: more cells or rows than the limits")


def _check_texts(part: str, body: bytes, lines: list[list[object]], limits: Limits) -> None:
    """Text longer than Excel allows is refused by the openpyxl reader: not fast."""
    if len(body) > limits.text:
        for line in lines:
            if any(isinstance(value, str) and len(value) > limits.text for value in line):
                raise _NotFast(f"{part}: text beyond the limit")


def _column_numbers(columns: int) -> dict[bytes, int]:
    numbers = {}
    for number in range(1, columns + 1):
        letters, rest = "", number
        while rest:
            rest, digit = divmod(rest - 1, 26)
            letters = chr(65 + digit) + letters
        numbers[letters.encode()] = number
    return numbers


_COLUMNS: dict[int, dict[bytes, int]] = {}
_CELL_ATTRS: dict[bytes, tuple[str, int]] = {}


def _cell_attrs(raw: bytes) -> tuple[str, int]:
    """(type, style number) of a cell's attributes after ``r``, as openpyxl reads them."""
    known = _CELL_ATTRS.get(raw)
    if known is not None:
        return known
    attrs = _attrs(raw)
    kind = _CELL_TYPES.get(attrs.get(b"t"))
    if kind is None:
        raise _NotFast(f"cell type {attrs.get(b't')!r}")
    style = attrs.get(b"s", b"")
    if style and not style.isdigit():
        raise _NotFast("style not a number")
    known = kind, int(style) if style else 0
    if len(_CELL_ATTRS) < 4096:
        _CELL_ATTRS[raw] = known
    return known


def _rows(part, body, grid, date_styles, epoch, limits, items=0) -> tuple[list[list[object]], int]:
    """The sheet's rows as the openpyxl reader gives them (values from the XML text or calamine's grid),
    and the cells and rows the openpyxl reader would count against its budget."""
    columns = _COLUMNS.get(limits.columns)
    if columns is None:
        columns = _COLUMNS[limits.columns] = _column_numbers(limits.columns)
    _check_body(part, body)
    dates, durations = date_styles
    rows: list[list[object]] = []
    line: list[object] | None = None
    row = b""
    row_number = count = row_count = position = 0
    last_column = 0
    for match in _TOKEN.finditer(body):
        if match.start() != position:
            raise _NotFast(f"{part}: unexpected content in sheetData at {position}")
        position = match.end()
        number, row_closed, letters, digits, attrs, value_tag, inner = match.groups()
        if letters is None:
            if number is None:  # </row>
                if line is None:
                    raise _NotFast(f"{part}: </row> outside a row")
                line = None
                continue
            if line is not None:
                raise _NotFast(f"{part}: row inside a row")
            new_number = int(number)
            if new_number <= row_number or new_number > limits.rows:
                raise _NotFast(f"{part}: row {new_number} out of order or beyond the limit")
            row_count += 1
            rows.extend([] for _ in range(row_number, new_number - 1))
            row_number, row, last_column = new_number, number, 0
            line = []
            rows.append(line)
            if row_closed:
                line = None
            continue
        count += 1
        column = columns.get(letters)
        if line is None or digits != row or column is None or column <= last_column:
            raise _NotFast(f"{part}: cell {letters!r}{digits!r} outside its row, out of order or beyond the limit")
        last_column = column
        kind, style = _CELL_ATTRS.get(attrs) or _cell_attrs(attrs)
        if inner:
            if value_tag is not None:
                raise _NotFast(f"{part}: content after the value")
            if inner.startswith(b"<f"):
                formula = _FORMULA.fullmatch(inner)
                if formula is None or formula.group(1) is None or kind == "inlineStr":
                    raise _NotFast(f"{part}: formula without cached value or of another form")
                text = formula.group(1)
            elif kind == "inlineStr" and _INLINE.fullmatch(inner):
                value = _grid_value(grid, row_number, column)
                if len(value) > limits.text:
                    raise _NotFast(f"{part}: text beyond the limit")
                line.extend([None] * (column - 1 - len(line)))
                line.append(value)
                continue
            else:
                raise _NotFast(f"{part}: cell content of another form")
        elif value_tag is None:
            continue  # no value: None, like a cell that is not there
        else:
            text = value_tag[3:-4]
        if not text or kind == "inlineStr":
            continue  # openpyxl: an empty <v> is no value; inlineStr reads only <is>
        if kind == "n":
            if b"&" in text:
                raise _NotFast(f"{part}: entity in a number")
            try:
                value = float(text) if b"." in text or b"e" in text or b"E" in text else int(text)
            except ValueError:
                raise _NotFast(f"{part}: number openpyxl may refuse") from None
            if isinstance(value, float) and not math.isfinite(value):
                raise _NotFast(f"{part}: infinite number")
            if style in dates:
                try:
                    value = from_excel(value, epoch, timedelta=style in durations)
                except (OverflowError, ValueError):
                    value = "#VALUE!"
        elif kind == "s":
            if not text.isdigit() or int(text) >= items:
                raise _NotFast(f"{part}: shared string index {text[:20]!r} (of {items})")
            value = _grid_value(grid, row_number, column)
        elif kind == "str":
            value = _grid_value(grid, row_number, column)
            if not value:
                raise _NotFast(f"{part}: formula text calamine reads as empty")
        elif kind == "b":
            if text not in (b"0", b"1"):
                raise _NotFast(f"{part}: boolean {text!r}")
            value = text == b"1"
        else:  # "e"
            if b"&" in text or not text.isascii() or not text.decode("ascii").isprintable():
                raise _NotFast(f"{part}: error text {text!r}")
            value = text.decode("ascii")
        if isinstance(value, str) and len(value) > limits.text:
            raise _NotFast(f"{part}: text beyond the limit")
        line.extend([None] * (column - 1 - len(line)))
        line.append(value)
    if position != len(body) or line is not None:
        raise _NotFast(f"{part}: unexpected content at the end of sheetData")
    while rows and not rows[-1]:
        rows.pop()
    return rows, count + row_count


def _grid_value(grid: list[list[object]], row: int, column: int) -> str:
    """calamine's text at a cell (empty where calamine keeps no value: an empty string)."""
    try:
        value = grid[row - 1][column - 1]
    except IndexError:
        return ""
    if not isinstance(value, str):
        raise _NotFast(f"calamine reads a {type(value).__name__} where the file has text")
    if not value.isprintable() and _CONTROL.search(value):
        raise _NotFast("a character XML forbids")
    return value
