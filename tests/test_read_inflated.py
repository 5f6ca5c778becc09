"""The archive check remembers the workbook-wide parts it inflated (server.xlsx.archive._INFLATED).

The styles, theme, workbook and relationships of one template are the same bytes in every file made
from it; they are inflated once and then taken by their compressed bytes, size and CRC-32. Every file
must be checked exactly as without the cache — the same parts, the same refusals — whatever was
inflated before, and a part with the same compressed bytes but another declared CRC or size is still
refused. Also from several threads at once.
"""

from __future__ import annotations

import io
import struct
import zipfile
from functools import cache

from district_data import workbook
from hostile_files import corpus
from hostile_files import good
from racing import race

from server.errors import WorkbookUnreadable
from server.xlsx import archive
from server.xlsx.archive import check_parts
from server.xlsx.limits import Limits

LIMITS = Limits()
THEME = "xl/theme/theme1.xml"
STYLES = "xl/styles.xml"


def checked(data: bytes):
    """The parts and CRCs the check gives, or its refusal."""
    try:
        opened, parts = check_parts(data, LIMITS)
    except WorkbookUnreadable as error:
        return ("refused", error.message)
    opened.close()
    return parts.xml, parts.crc


def alone(data: bytes):
    archive._INFLATED.clear()
    return checked(data)


def with_header_field(data: bytes, name: str, local_at: int, central_at: int, change) -> bytes:
    """The file with one 4-byte field of ``name``'s local header and directory entry changed (compressed bytes kept)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as opened:
        info = opened.getinfo(name)
    struct.pack_into(
        "<L",
        out,
        info.header_offset + local_at,
        change(struct.unpack_from("<L", out, info.header_offset + local_at)[0]),
    )
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + length]) == name.encode():
            struct.pack_into(
                "<L", out, central + central_at, change(struct.unpack_from("<L", out, central + central_at)[0])
            )
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def wrong_crc(data: bytes, name: str) -> bytes:
    return with_header_field(data, name, 14, 16, lambda crc: crc ^ 1)


def wrong_size(data: bytes, name: str, change) -> bytes:
    return with_header_field(data, name, 22, 24, change)


@cache
def files() -> dict[str, bytes]:
    found = {
        "good": good(),
        "another_unit": workbook("乙镇人民政府", year=2025, seed=2),
        "2020": workbook("丙街道", year=2020, seed=3),
        **corpus(),
    }
    for name in (THEME, STYLES, "xl/workbook.xml", "[Content_Types].xml"):
        found[f"wrong_crc {name}"] = wrong_crc(good(), name)
        found[f"smaller {name}"] = wrong_size(good(), name, lambda size: size - 1)
        found[f"larger {name}"] = wrong_size(good(), name, lambda size: size + 1)
    return found


def test_remembered_parts_give_what_inflating_gives():
    found = files()
    expected = {name: alone(data) for name, data in found.items()}
    for name in (THEME, STYLES, "xl/workbook.xml", "[Content_Types].xml"):
        for changed in ("wrong_crc", "smaller"):  # (zipfile reads a part shorter than declared)
            assert expected[f"{changed} {name}"][0] == "refused", (changed, name)
    archive._INFLATED.clear()
    for name, data in [*found.items(), *reversed(found.items())]:  # the good parts remembered first, then last
        assert checked(data) == expected[name], name
    assert archive._INFLATED  # the cache was used


def test_a_part_remembered_with_its_crc_is_not_taken_for_another_crc():
    archive._INFLATED.clear()
    assert checked(good())[0] != "refused"
    for name in (THEME, STYLES):
        for broken in (wrong_crc(good(), name), wrong_size(good(), name, lambda size: size - 1)):
            result = checked(broken)
            assert result[0] == "refused" and "压缩数据校验失败" in result[1]


def test_simultaneous_checks_get_what_each_gets_alone():
    found = [data for data in files().values() if len(data) < 100_000]
    expected = [alone(data) for data in found]
    race(checked, found, expected, rounds=4, every=13, clear=archive._INFLATED.clear)
