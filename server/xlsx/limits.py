"""How much of a workbook file the validator agrees to read, checked before parsing.

A report workbook is a few dozen rows and columns on four sheets, well under
1 MB. Files far beyond that are either not report workbooks or built to
exhaust the server (zip bombs, rows touching column XFD, gigabytes of
whitespace), so they are refused with a message that names the limit, or,
for rows and columns, simply not read beyond the limit. The configurable
limits are settings (``WORKBOOK_MAX_*`` in :mod:`server.config`); the
service reads them from the app's configuration, the command line from the
environment.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits of one read; every size in bytes."""

    file_bytes: int = 16 * MB
    """The .xlsx file itself (the service also has MAX_CONTENT_LENGTH per request)."""
    uncompressed_bytes: int = 50 * MB
    """All parts of the zip together, uncompressed."""
    part_bytes: int = 10 * MB
    """One part (a sheet, the shared strings …), uncompressed."""
    ratio: int = 200
    """Uncompressed ÷ compressed size of one part larger than :data:`RATIO_FROM`."""
    rows: int = 1000
    """Rows read per sheet; rows below are not read."""
    columns: int = 100
    """Columns read per sheet; cells further right are not read."""
    sheets: int = 100
    parts: int = 2000
    """Files inside the zip."""
    cells: int = 30_000
    """Cells (with a value or only a format) read in the whole workbook; bounds the reading time."""
    elements: int = 20_000
    """XML elements in one part other than a sheet (styles, shared strings …): openpyxl builds an object of each."""
    text: int = 32767
    """Characters in one cell: Excel's own limit, so longer text means a damaged or forged file."""


RATIO_FROM = 1 * MB
"""Parts smaller than this are not checked for their compression ratio (tiny XML compresses a lot)."""

SETTING_FIELDS = {
    "WORKBOOK_MAX_MB": ("file_bytes", MB),
    "WORKBOOK_MAX_UNCOMPRESSED_MB": ("uncompressed_bytes", MB),
    "WORKBOOK_MAX_PART_MB": ("part_bytes", MB),
    "WORKBOOK_MAX_RATIO": ("ratio", 1),
    "WORKBOOK_MAX_ROWS": ("rows", 1),
    "WORKBOOK_MAX_COLUMNS": ("columns", 1),
    "WORKBOOK_MAX_SHEETS": ("sheets", 1),
    "WORKBOOK_MAX_CELLS": ("cells", 1),
}
"""Setting name -> (field, unit); the defaults of the settings are :class:`Limits`' defaults."""


def from_settings(config: Mapping[str, object]) -> Limits:
    """Limits from settings (missing ones keep their default)."""
    changes = {}
    for name, (attribute, unit) in SETTING_FIELDS.items():
        if config.get(name) not in (None, ""):
            changes[attribute] = int(config[name]) * unit
    return Limits(**changes)


def current() -> Limits:
    """The configured limits: the app's configuration in a request, else the environment."""
    from flask import current_app
    from flask import has_app_context

    if has_app_context():
        return from_settings(current_app.config)
    return _from_environment(tuple((name, os.environ.get(name)) for name in _variables()))


@functools.cache
def _variables() -> tuple[str, ...]:
    """The environment variables of the limit settings."""
    from ..config import SETTINGS

    return tuple(setting.env_name for setting in SETTINGS if setting.name in SETTING_FIELDS)


@functools.lru_cache(maxsize=8)
def _from_environment(variables: tuple[tuple[str, str | None], ...]) -> Limits:
    """Limits from the values of the limit settings' environment variables (remembered: read once per file)."""
    from ..config import from_environment

    return from_settings(from_environment({name: value for name, value in variables if value is not None}))
