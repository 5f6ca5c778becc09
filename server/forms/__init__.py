"""The report forms as data: one module per format version, and the registry.

``FORMS`` maps a version string to its :class:`~server.forms.model.Form`.
Adding a format version means adding its module here; nothing else lists
versions.
"""

from __future__ import annotations

from . import v2019
from . import v2021
from .model import Form

FORMS: dict[str, Form] = {form.version: form for form in (v2019.FORM, v2021.FORM)}


class UnknownFormVersion(LookupError):
    """A version string that names no known form."""


def get_form(version: str | int) -> Form:
    """The form of a version ("2019", "2021")."""
    try:
        return FORMS[str(version).strip()]
    except KeyError:
        known = "、".join(FORMS)
        raise UnknownFormVersion(f"未知的报表格式版本“{version}”，可用的版本：{known}") from None


def form_for_year(year: int) -> Form | None:
    """The form a report year must use (FORMS.md §1), or None before 2019."""
    for form in FORMS.values():
        if form.applies_to(year):
            return form
    return None


def latest_form() -> Form:
    """The newest format version."""
    return max(FORMS.values(), key=lambda form: form.first_year)
