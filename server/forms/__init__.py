"""The report forms as data: one module per format version, and the registry.

Every module of this package named ``v<year>`` (v2019.py, v2021.py, …)
defines one ``FORM``; ``FORMS`` maps each version string to it. Adding a
format version means adding its module (and its tests): nothing else lists
versions.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from .model import Form


def _discover() -> dict[str, Form]:
    forms = {}
    for module in pkgutil.iter_modules(__path__):
        if re.fullmatch(r"v\d{4}", module.name):
            form = importlib.import_module(f"{__name__}.{module.name}").FORM
            forms[form.version] = form
    return dict(sorted(forms.items()))


FORMS: dict[str, Form] = _discover()


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
