"""The docs say what the code does: settings, generated pages, the JSON shape."""

from __future__ import annotations

import re
from pathlib import Path

from server.config import SETTINGS
from server.docs import generated_pages
from server.findings import Finding
from server.findings import Report

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert re.search(rf"^\| `{setting.name}` \|", readme, re.MULTILINE), setting.name


def test_generated_reference_pages_are_up_to_date():
    for name, text in generated_pages().items():
        assert (ROOT / "docs" / name).read_text(encoding="utf-8") == text, f"docs/{name}: run python -m server docs"


def test_findings_page_documents_every_json_field():
    page = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    report_fields = Report(version="2021").to_dict().keys()
    finding_fields = Finding(rule="x", severity="error", message="m").to_dict().keys()
    for field in [*report_fields, *finding_fields]:
        assert f"| `{field}` |" in page, field
