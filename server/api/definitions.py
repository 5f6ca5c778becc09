"""The form definitions as the forms endpoints describe them: cells, header fields, identities."""

from __future__ import annotations

from ..forms.model import Form
from ..workbook.layout import layout_for
from .responses import FormDetailSchema
from .responses import FormSummarySchema


def form_summary(form: Form) -> dict:
    """Version, name, basis and report years of a format version."""
    return FormSummarySchema().dump(_summary(form))


def form_detail(form: Form) -> dict:
    """Every cell (with its template address), header field and identity of a format version."""
    addresses = layout_for(form.version).addresses
    cells = [
        {
            "key": key,
            "table": cell.table.key,
            "table_name": cell.table.name,
            "label": cell.label,
            "domain": cell.domain.value,
            "unit": cell.column.unit,
            "derived": cell.derived,
            "sheet": addresses[key][0],
            "cell": addresses[key][1],
        }
        for key, cell in form.cells.items()
    ]
    header = [
        {
            "key": f.key,
            "label": f.label,
            "required": f.required,
            "sheet": addresses[f"header.{f.key}"][0],
            "cell": addresses[f"header.{f.key}"][1],
        }
        for f in form.header_fields
    ]
    identities = [
        {"id": i.id, "check": i.name, "rule": i.rule, "label": i.label, "left": i.left, "right": i.right}
        for i in form.identities
    ]
    return FormDetailSchema().dump({**_summary(form), "cells": cells, "header": header, "identities": identities})


def _summary(form: Form) -> dict:
    return {
        "version": form.version,
        "name": form.name,
        "basis": form.basis,
        "years": form.years_text,
        "first_year": form.first_year,
        "last_year": form.last_year,
    }
