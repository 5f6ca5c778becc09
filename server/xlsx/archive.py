"""Look at a file before parsing it: is it an .xlsx zip, and is the zip within the limits?

Everything here reads only the file's first bytes and the zip's central
directory (the sizes it declares; Python's zipfile never inflates a part
beyond its declared size), so a zip bomb is refused before anything is
inflated. Each refusal is a :class:`~server.errors.WorkbookUnreadable` that
says what the file is or which limit it passes, and what to do.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from dataclasses import field

from ..errors import WorkbookUnreadable
from .limits import MB
from .limits import RATIO_FROM
from .limits import Limits

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE = "EncryptionInfo".encode("utf-16-le")
_END_OF_DIRECTORY = b"PK\x05\x06"
SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml$")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
SAVE_AS = "请用 Excel 或 WPS 打开后“另存为” Excel 工作簿（.xlsx）再试"
_SIGNATURES = (
    (b"%PDF", "这是 PDF 文件，不是 Excel 工作簿。请上传用模板填写的 .xlsx 文件（不要上传打印或导出的 PDF）。"),
    (b"\x89PNG", "这是图片（PNG），不是 Excel 工作簿。请上传用模板填写的 .xlsx 文件。"),
    (b"\xff\xd8\xff", "这是图片（JPEG），不是 Excel 工作簿。请上传用模板填写的 .xlsx 文件。"),
    (b"GIF8", "这是图片（GIF），不是 Excel 工作簿。请上传用模板填写的 .xlsx 文件。"),
    (b"{\\rtf", "这是 RTF 文档，不是 Excel 工作簿。请上传用模板填写的 .xlsx 文件。"),
    (b"Rar!", "这是 RAR 压缩包，不是 Excel 工作簿。请解压后上传其中的 .xlsx 文件。"),
    (b"7z\xbc\xaf", "这是 7z 压缩包，不是 Excel 工作簿。请解压后上传其中的 .xlsx 文件。"),
)
_OTHER_ZIPS = (
    ("mimetype", "opendocument.spreadsheet", f"这是 OpenDocument 表格（.ods），不是 .xlsx 工作簿。{SAVE_AS}。"),
    ("mimetype", "opendocument", f"这是 OpenDocument 文档（.odt/.odp），不是 Excel 工作簿。{SAVE_AS}。"),
    ("word/document.xml", "", "这是 Word 文档（.docx），不是 Excel 工作簿。请上传用模板填写的 .xlsx 文件。"),
    ("ppt/presentation.xml", "", "这是 PowerPoint 演示文稿，不是 Excel 工作簿。请上传用模板填写的 .xlsx 文件。"),
)


@dataclass
class Parts:
    """What the check inflated: every XML part (name -> bytes), in the zip's order."""

    xml: dict[str, bytes] = field(default_factory=dict)
    crc: dict[str, int] = field(default_factory=dict)
    """The CRC-32 of each XML part, as the zip's directory gives it (and the inflated bytes matched)."""


def check_parts(data: bytes, limits: Limits) -> tuple[zipfile.ZipFile, Parts]:
    """The file as an open zip after every check (a refusal for anything else), and the XML parts
    inflated on the way, so that a reader need not inflate them again."""
    _check_kind(data, limits)
    _check_entry_count(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as error:
        raise damaged("压缩包的目录已损坏") from error
    _check_entries(archive, infos, limits)
    parts = Parts()
    _check_elements(archive, data, infos, limits, parts)
    return archive, parts


def damaged(detail: str) -> WorkbookUnreadable:
    """The refusal of a workbook whose inside is damaged."""
    return WorkbookUnreadable(
        f"无法读取这个工作簿：文件内部已损坏（{detail}）。{SAVE_AS}；如果 Excel 也打不开，请从原始文件重新制作。"
    )


def too_many_cells(limit: int) -> WorkbookUnreadable:
    """The refusal of a workbook with more cells than the limit."""
    return WorkbookUnreadable(
        f"工作簿中的单元格太多（超过 {limit} 个有内容或格式的单元格），不像是年报工作簿，已拒绝读取。"
        "请只保留“填报信息”和三张统计表，另存为 .xlsx 后再试。"
    )


def _check_kind(data: bytes, limits: Limits) -> None:
    if not data:
        raise WorkbookUnreadable("文件是空的（0 字节）。请重新保存工作簿后再上传。")
    if len(data) > limits.file_bytes:
        raise WorkbookUnreadable(
            f"文件太大（超过 {limits.file_bytes // MB} MB 的上限）。"
            "年报统计表的工作簿一般不到 1 MB：请删除统计表以外的工作表和图片，另存为 .xlsx 后再试。"
        )
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_OLE in data:
            raise WorkbookUnreadable(
                "这个工作簿设置了打开密码（已加密），无法读取。请在 Excel 或 WPS 中取消密码"
                "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 再试。"
            )
        raise WorkbookUnreadable(
            "这是旧版 Excel 97-2003 工作簿（.xls），无法读取。请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再试。"
        )
    for signature, message in _SIGNATURES:
        if data.startswith(signature):
            raise WorkbookUnreadable(message)
    if not data.startswith(b"PK"):
        raise WorkbookUnreadable(_not_a_workbook(data))


def _not_a_workbook(data: bytes) -> str:
    head = data[:2048]
    if b"<html" in head.lower() or b"<?xml" in head:
        return f"这是网页或 XML 文件（可能是另存为“XML 表格”或网页格式的文件），不是 .xlsx 工作簿。{SAVE_AS}。"
    try:
        text = head.decode("utf-8") if not head.startswith(b"\xef\xbb\xbf") else head[3:].decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and ("," in text or "\t" in text) and "\x00" not in text:
        return f"这是 CSV 或文本文件，不是 .xlsx 工作簿。{SAVE_AS}（用模板填写效果最好）。"
    return "这个文件不是 Excel 工作簿（.xlsx）。请上传用模板填写的 .xlsx 文件。"


def _check_entry_count(data: bytes, limits: Limits) -> None:
    """The number of files the zip declares, read from its end record before zipfile builds its directory."""
    at = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65536 - 22))
    if at < 0 or at + 22 > len(data):
        raise damaged("文件不完整，可能没有下载或复制完")
    entries = struct.unpack_from("<H", data, at + 10)[0]
    if entries > limits.parts:
        raise WorkbookUnreadable(
            f"工作簿内部有 {entries} 个文件，超过上限 {limits.parts} 个，不像是年报工作簿，已拒绝读取。{SAVE_AS}。"
        )


def _check_entries(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.parts:
        raise WorkbookUnreadable(
            f"工作簿内部有 {len(infos)} 个文件，超过上限 {limits.parts} 个，已拒绝读取。{SAVE_AS}。"
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise WorkbookUnreadable(_other_zip(archive, names))
    if any(info.flag_bits & 0x1 for info in infos):
        raise WorkbookUnreadable("这个工作簿的内容已加密，无法读取。请取消密码后另存为 .xlsx 再试。")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.part_bytes:
            raise WorkbookUnreadable(
                f"工作簿中的“{info.filename}”解压后有 {info.file_size / MB:.0f} MB，超过单个部件的上限 "
                f"{limits.part_bytes // MB} MB，已拒绝读取。请删除统计表以外的内容后，用 Excel 或 WPS 另存为 .xlsx 再试。"
            )
        if info.file_size > RATIO_FROM and info.file_size > limits.ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise WorkbookUnreadable(
                f"工作簿中的“{info.filename}”压缩比异常（{ratio} 倍，上限 {limits.ratio} 倍），"
                f"可能是恶意构造的文件，已拒绝读取。{SAVE_AS}。"
            )
    if total > limits.uncompressed_bytes:
        raise WorkbookUnreadable(
            f"工作簿解压后共有 {total / MB:.0f} MB，超过上限 {limits.uncompressed_bytes // MB} MB，已拒绝读取。"
            "请删除统计表以外的工作表和图片后，用 Excel 或 WPS 另存为 .xlsx 再试。"
        )


def _check_elements(
    archive: zipfile.ZipFile, data: bytes, infos: list[zipfile.ZipInfo], limits: Limits, parts: Parts
) -> None:
    """Parts openpyxl reads whole (styles, shared strings …) cost time and memory by element: count them first.

    Cells and elements are first bounded by the part's size, then by one byte count (``<c`` and
    ``:c`` for the cells, ``<`` for the elements); they are counted exactly only when the bound
    passes the limit, so the refusals are the same as counting each part exactly, at the same part.
    """
    sheets: list[bytes] = []
    bound = 0
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        content = _inflate(archive, data, info)
        parts.xml[info.filename] = content
        parts.crc[info.filename] = info.CRC
        if SHEET_PART.match(info.filename):
            sheets.append(content)
            bound += len(content) // 3  # each counted cell starts with three bytes of its own: "<c " or "<c>" …
            if bound > limits.cells:
                bound = sum(sheet.count(b"<c") + sheet.count(b":c") for sheet in sheets)
            if bound > limits.cells:
                bound = sum(len(_CELL.findall(sheet)) for sheet in sheets)
                if bound > limits.cells:
                    raise too_many_cells(limits.cells)
            continue  # a sheet's other elements are dropped unread by the parser of server.xlsx.load
        if len(content) <= limits.elements or content.count(b"<") <= limits.elements:
            continue
        elements = content.count(b"<") - content.count(b"</") - content.count(b"<?") - content.count(b"<!")
        if elements > limits.elements:
            raise WorkbookUnreadable(
                f"工作簿中的“{info.filename}”有 {elements} 个条目（上限 {limits.elements} 个），"
                "常见原因是单元格格式或文字条目过多，读取会很慢，已拒绝读取。"
                "请新建一份标准模板，把统计表的数字复制后“选择性粘贴 → 数值”进去，再校验。"
            )


def _inflate(archive: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The part's bytes, exactly what ``archive.read(info)`` gives, without its overhead when the entry is plain.

    A plain entry is deflated or stored, unencrypted, with a local header naming it as the
    directory does; its bytes are inflated (never beyond the declared size and one byte) and
    taken only when size and CRC match the directory. Anything else is read by zipfile
    itself, so every damaged entry is refused as before.
    """
    start = info.header_offset
    try:
        if (
            info.compress_type in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)
            and not info.flag_bits & 0x61
            and data[start : start + 4] == b"PK\x03\x04"
            and struct.unpack_from("<H", data, start + 6)[0] == info.flag_bits
        ):
            name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
            name = info.orig_filename
            name = (
                name.encode("ascii") if name.isascii() else name.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
            )
            if data[start + 30 : start + 30 + name_length] == name:
                begin = start + 30 + name_length + extra_length
                raw = data[begin : begin + info.compress_size]
                if len(raw) == info.compress_size:
                    shared = info.file_size <= _SHARED_BYTES and not info.filename.startswith(_OWN_PARTS)
                    if shared:
                        key = (info.compress_type, info.file_size, info.CRC, raw)
                        content = _INFLATED.get(key)
                        if content is not None:
                            return content
                    if info.compress_type == zipfile.ZIP_STORED:
                        content = raw
                    else:
                        content = zlib.decompressobj(-15).decompress(raw, info.file_size + 1)
                    if len(content) == info.file_size and zlib.crc32(content) == info.CRC:
                        if shared:
                            if len(_INFLATED) >= 64:
                                _INFLATED.clear()
                            _INFLATED[key] = content
                        return content
    except (zlib.error, struct.error, UnicodeEncodeError, ValueError):
        pass
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError) as error:
        raise damaged("压缩数据校验失败") from error


_INFLATED: dict[tuple[int, int, int, bytes], bytes] = {}
"""Parts inflated before, by their method, size, CRC-32 and compressed bytes (the same bytes inflate to the
same part, whose size and CRC matched): the workbook-wide parts of a template (styles, theme, workbook,
relationships) are inflated once for a batch of its files. A part whose CRC or size differs, even with the
same compressed bytes, is inflated and checked again."""
_SHARED_BYTES = 64 * 1024
_OWN_PARTS = ("xl/worksheets/", "xl/sharedStrings.xml", "docProps/")
"""Parts that differ from file to file of one template: not remembered."""


def _other_zip(archive: zipfile.ZipFile, names: set[str]) -> str:
    for name, marker, message in _OTHER_ZIPS:
        if name not in names:
            continue
        if not marker:
            return message
        if archive.getinfo(name).file_size > 1000:
            continue
        try:
            content = archive.read(name).decode("ascii", "replace")
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError):
            continue
        if marker in content:
            return message
    return "这是一个压缩包（zip），但不是 Excel 工作簿（.xlsx）。请上传用模板填写的 .xlsx 文件。"
