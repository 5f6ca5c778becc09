"""Label normalisation for matching what a workbook says against the form (FORMS.md §6.4).

Real documents show stray spaces and line breaks inside labels, ASCII
brackets, ``1、`` or ``1．`` for ``1.``, and different quotes. Two labels
match when their normalised forms are equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..readings import strip_invisible

_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'"})


_SPACES = re.compile(r"\s+")
_NUMBERING = re.compile(r"^(\d+)[、.．]")
_KEPT = 200
"""Labels up to this long are normalised once and kept (every workbook prints the same labels)."""


def normalize_label(text: object) -> str:
    """Canonical form of a label: NFKC, no whitespace, 1、→1., unified quotes and colons."""
    if text is None:
        return ""
    if text.__class__ is str and len(text) <= _KEPT:
        return _kept(text)
    return _normalize(str(text))


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", strip_invisible(text)).translate(_QUOTES)
    folded = _SPACES.sub("", folded)
    folded = _NUMBERING.sub(r"\1.", folded)
    return folded.rstrip(":")


_kept = lru_cache(maxsize=1 << 13)(_normalize)
