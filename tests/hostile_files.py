"""A corpus of hostile and broken files, generated from one good workbook (issue 9).

Each entry is a file an attacker or an unlucky clerk could send: damaged
workbook internals, XML entity bombs, zip bombs, rows touching column XFD,
and the ordinary wrong files (renamed PDF/PNG/CSV, .xls, .ods, encrypted,
empty, truncated). :func:`corpus` maps a name to the bytes; :data:`READABLE`
names the files that are read and validated (their oddities are skipped or
reported as findings) rather than refused.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from functools import cache

import openpyxl
from district_data import workbook

UNIT = "甲街道办事处"
TABLE_SHEET = "xl/worksheets/sheet3.xml"
"""表二 依申请公开 in the generated workbooks; D8 holds t2.open.c_natural."""
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

READABLE = {"xfd_columns", "far_rows", "style_index_out_of_range", "merged_data_cell", "formula_in_input"}
"""Files that are validated (their oddities are not read or are findings), not refused."""


PEAK = """
import atexit, os, runpy, sys

def _peak():  # VmHWM: this process's own peak RSS (ru_maxrss would include the parent's, inherited at exec)
    with open("/proc/self/status") as status:
        kilobytes = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    with open(os.environ["PEAK_FILE"], "w") as out:
        out.write(kilobytes)

atexit.register(_peak)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-c":
    sys.argv = sys.argv[1:]
    exec(compile(sys.argv[0], "<measured>", "exec"), {"__name__": "__main__"})
else:
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""
"""Run as ``python -c PEAK server validate …`` (or ``-c PEAK -c SCRIPT …``): the child writes its own peak RSS
(VmHWM, kB) to ``$PEAK_FILE``."""


def good() -> bytes:
    """The good workbook every damaged one is made from."""
    return workbook(UNIT)


@cache
def corpus() -> dict[str, bytes]:
    """Every hostile file by name."""
    return {
        **_damaged_cells(),
        **_entity_bombs(),
        **_size_bombs(),
        **_wrong_files(),
        "flipped_deflate": _flip_deflate(good()),
        "lying_sizes": _lying_sizes(good()),
        "style_index_out_of_range": _with_cell(good(), '<c r="D8" s="99999" t="n"><v>3</v></c>'),
        "merged_data_cell": _merged(good()),
        "formula_in_input": _with_cell(good(), '<c r="D8"><f>1+2</f></c>'),
    }


# Damaged cells ---------------------------------------------------------------------------------


def _damaged_cells() -> dict[str, bytes]:
    cells = {
        "number_abc": '<c r="D8" t="n"><v>abc</v></c>',
        "number_nan": '<c r="D8"><v>NaN</v></c>',
        "number_inf": '<c r="D8"><v>inf</v></c>',
        "number_1e999": '<c r="D8"><v>1e999</v></c>',
        "date_garbage": '<c r="D8" t="d"><v>garbage</v></c>',
        "bool_garbage": '<c r="D8" t="b"><v>yes</v></c>',
        "shared_string_out_of_range": '<c r="D8" t="s"><v>99</v></c>',
        "bad_reference": '<c r="D8ZZ" t="n"><v>1</v></c>',
        "style_not_a_number": '<c r="D8" s="abc" t="n"><v>1</v></c>',
    }
    return {name: _with_cell(good(), xml) for name, xml in cells.items()}


def _with_cell(data: bytes, xml: str) -> bytes:
    """The workbook with cell D8 of 表二 replaced by ``xml``."""
    return _edit_part(data, TABLE_SHEET, lambda text: re.sub(r'<c r="D8"[^>]*>.*?</c>', xml, text, count=1))


def _merged(data: bytes) -> bytes:
    """I8:J8 merged and the total J8 left blank: the annotated copy cannot fill J8 (a merged cell)."""

    def edit(text: str) -> str:
        text = re.sub(r'<c r="J8"[^>]*>.*?</c>', "", text, count=1)
        return re.sub(r"(<mergeCells[^>]*>)", r'\1<mergeCell ref="I8:J8"/>', text, count=1)

    return _edit_part(data, TABLE_SHEET, edit)


# XML entities ----------------------------------------------------------------------------------


def _entity_bombs() -> dict[str, bytes]:
    laughs = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    quadratic = f'<!ENTITY a "{"a" * 50000}">'
    doctypes = {
        "billion_laughs": (laughs, "&lol9;"),
        "quadratic_blowup": (quadratic, "&a;" * 2000),
        "xxe_file": ('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;"),
    }
    out = {}
    for name, (entities, use) in doctypes.items():

        def edit(text: str, entities=entities, use=use) -> str:
            text = text.replace("<worksheet ", f"<!DOCTYPE worksheet [{entities}]><worksheet ", 1)
            return re.sub(
                r'<c r="D8"[^>]*>.*?</c>', f'<c r="D8" t="inlineStr"><is><t>{use}</t></is></c>', text, count=1
            )

        out[name] = _edit_part(good(), TABLE_SHEET, edit)
    return out


# Sizes -----------------------------------------------------------------------------------------


def _size_bombs() -> dict[str, bytes]:
    far_right = "".join(f'<row r="{n}"><c r="XFD{n}" t="n"><v>1</v></c></row>' for n in range(40, 4000))
    far_down = "".join(f'<row r="{n}"><c r="A{n}" t="n"><v>1</v></c></row>' for n in range(40_000, 1_048_576, 97))
    return {
        "xfd_columns": _edit_part(
            good(), TABLE_SHEET, lambda t: t.replace("</sheetData>", far_right + "</sheetData>", 1)
        ),
        "far_rows": _edit_part(good(), TABLE_SHEET, lambda t: t.replace("</sheetData>", far_down + "</sheetData>", 1)),
        "whitespace_bomb": _whitespace_bomb(good(), 120 * 1024 * 1024),
        "huge_inline_string": _with_cell(
            good(), f'<c r="D8" t="inlineStr"><is><t>{"1" * (24 * 1024 * 1024)}</t></is></c>'
        ),
        "long_text": _with_cell(good(), f'<c r="D8" t="inlineStr"><is><t>{"字" * 40000}</t></is></c>'),
        "many_sheets": _many_sheets(150),
        "many_parts": _many_parts(good(), 3000),
    }


def _whitespace_bomb(data: bytes, size: int) -> bytes:
    """``size`` bytes of spaces inside <sheetData>, deflated (a few hundred KB)."""
    text = _parts(data)[TABLE_SHEET].decode()
    head, tail = text.split("<sheetData>", 1)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1024 * 1024)
    body = [compressor.compress(head.encode() + b"<sheetData>")]
    body += [compressor.compress(chunk) for _ in range(size // len(chunk))]
    body.append(compressor.compress(tail.encode()) + compressor.flush())
    raw = head.encode() + b"<sheetData>" + tail.encode()
    crc = zlib.crc32(b" " * 0)  # the real CRC is irrelevant: the size refusal comes first
    return _replace_raw(data, TABLE_SHEET, b"".join(body), len(raw) + size, crc)


def _many_sheets(count: int) -> bytes:
    book = openpyxl.Workbook()
    for index in range(count - 1):
        book.create_sheet(f"S{index}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _many_parts(data: bytes, count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in _parts(data).items():
            target.writestr(name, content)
        for index in range(count):
            target.writestr(f"xl/media/x{index}.bin", b"")
    return out.getvalue()


# Wrong files -----------------------------------------------------------------------------------


def _wrong_files() -> dict[str, bytes]:
    data = good()
    return {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "pdf_renamed": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        "png_renamed": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "csv_renamed": "单位,年度,新收申请\n甲街道办事处,2025,12\n".encode(),
        "xls_real": OLE + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 512,
        "encrypted": OLE + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512,
        "ods": _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
        "docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        "random_bytes": bytes(range(256)) * 8,
        "zip_of_nothing": _zip({"a.txt": b"hello"}),
        "encrypted_entries": _encrypted_entries(data),
    }


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def _encrypted_entries(data: bytes) -> bytes:
    """The workbook with the "encrypted" flag set on every entry (as a zip tool with a password writes it)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        while at >= 0:
            flags = struct.unpack_from("<H", out, at + offset)[0]
            struct.pack_into("<H", out, at + offset, flags | 1)
            at = out.find(signature, at + 4)
    return bytes(out)


# Zip surgery ---------------------------------------------------------------------------------------


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _edit_part(data: bytes, name: str, edit) -> bytes:
    parts = _parts(data)
    parts[name] = edit(parts[name].decode()).encode()
    return _zip(parts)


def _flip_deflate(data: bytes) -> bytes:
    """40 bytes flipped in the middle of the 表二 sheet's deflate stream."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(TABLE_SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    out = bytearray(data)
    for index in range(middle, middle + 40):
        out[index] ^= 0xFF
    return bytes(out)


def _lying_sizes(data: bytes) -> bytes:
    """The sheet's declared uncompressed size set to 100 bytes in both headers (its real size is larger)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(TABLE_SHEET)
    struct.pack_into("<L", out, info.header_offset + 22, 100)
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_length]) == TABLE_SHEET.encode():
            struct.pack_into("<L", out, central + 24, 100)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def _replace_raw(data: bytes, name: str, deflated: bytes, size: int, crc: int) -> bytes:
    """The workbook with part ``name`` replaced by an already deflated stream of ``size`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part, content in _parts(data).items():
            if part != name:
                target.writestr(part, content)
    archive = out.getvalue()
    local = (
        struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated), size, len(name.encode()), 0)
        + name.encode()
    )
    directory_at = archive.find(b"PK\x01\x02")
    end_at = archive.rfind(b"PK\x05\x06")
    entries, directory_size, _ = struct.unpack_from("<HLL", archive, end_at + 10)
    offset = directory_at
    central = (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(deflated),
            size,
            len(name.encode()),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + name.encode()
    )
    body = archive[:directory_at] + local + deflated
    directory = archive[directory_at:end_at] + central
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries + 1, entries + 1, len(directory), len(body), 0)
    return body + directory + end
