"""Narrative vs tables (FORMS.md P9): placeholder."""

from __future__ import annotations


def narrative_check(form, document, addresses):
    """Placeholder."""

    def check(report):
        return []

    return check
