"""Which format version a published report prints: judged by the labels only one version has."""

from __future__ import annotations

from ..forms import FORMS
from ..forms import form_for_year
from ..forms import latest_form
from ..forms.model import Form
from ..workbook.labels import fingerprint
from ..workbook.labels import shared_labels
from ..workbook.normalize import normalize_label
from .document import Document
from .labels import INDEX
from .rows import split_line


def detect_form(doc: Document, year: int | None) -> Form | None:
    """The format version whose own labels the document prints; by year when the labels do not tell.

    None when the document prints no table of any version.
    """
    norms = _printed_labels(doc)
    scores = {version: len(norms & fingerprint(version)) for version in FORMS}
    best = max(scores.values())
    winners = [version for version, score in scores.items() if score == best]
    if best > 0 and len(winners) == 1:
        return FORMS[winners[0]]
    if best == 0 and len(norms & shared_labels()) < 3:
        return None
    return (form_for_year(year) if year else None) or latest_form()


def _printed_labels(doc: Document) -> set[str]:
    norms = set()
    for line in doc.lines:
        labels, _ = split_line(line)
        for cell in line.cells:
            norms.update(INDEX.variants(normalize_label(cell.text)))
        norms.update(INDEX.variants(normalize_label("".join(c.text for c in labels))))
    norms.discard("")
    return norms
