"""Label normalisation for matching what a workbook says against the form (FORMS.md §6.4).

Real documents show stray spaces and line breaks inside labels, ASCII
brackets, ``1、`` or ``1．`` for ``1.``, and different quotes. Two labels
match when their normalised forms are equal.
"""

from __future__ import annotations

import re
import unicodedata

from ..readings import strip_invisible

_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'"})


def normalize_label(text: object) -> str:
    """Canonical form of a label: NFKC, no whitespace, 1、→1., unified quotes and colons."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", strip_invisible(str(text))).translate(_QUOTES)
    folded = re.sub(r"\s+", "", folded)
    folded = re.sub(r"^(\d+)[、.．]", r"\1.", folded)
    return folded.rstrip(":")
