"""The add-in's VBA and ribbon, checked without Excel: names, wiring, callbacks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from server.config import DEFAULTS
from server.workbook.layout import META_ROWS
from server.workbook.layout import META_SHEET
from server.xlwings_book import MACROS
from server.xlwings_book import NOTE_MARK

ADDIN = Path(__file__).resolve().parent.parent / "addin"
VBA = (ADDIN / "src" / "JCNB.bas").read_text(encoding="utf-8")
RIBBON_NS = "{http://schemas.microsoft.com/office/2006/01/customui}"


def _subs() -> dict[str, str]:
    """Public Sub name -> parameter list."""
    return dict(re.findall(r"^Public Sub (\w+)\(([^)]*)\)", VBA, re.MULTILINE))


def _constant(name: str) -> str:
    return re.search(rf'^Private Const {name} As \w+ = "?([^"\n]*)"?', VBA, re.MULTILINE).group(1)


def test_module_name_and_buttons():
    assert VBA.startswith('Attribute VB_Name = "JCNB"')
    assert {"Validate", "Settings", "OpenWebPage"} <= set(_subs())


@pytest.mark.parametrize("macro", MACROS)
def test_every_macro_the_server_calls_exists_and_takes_the_workbook_first(macro):
    assert _subs()[macro].startswith("wb As Workbook")


def _calls() -> list[str]:
    return re.findall(r"^\s+RunServerPython (.+)", VBA, re.MULTILINE)


def test_validate_calls_run_server_python_with_the_report_sheets():
    validate = next(call for call in _calls() if "ServerUrl() & path" in call)
    assert (
        "include:=ReportSheets(wb)" in validate and "headers:=headers" in validate and "timeout:=TIMEOUT_MS" in validate
    )
    assert _constant("VALIDATE_PATH") == "/xlwings/validate"
    assert re.search(r"CallServer wb, VALIDATE_PATH", VBA)


def test_submit_sends_the_token_and_the_uploaded_copy(app):
    from server.xlwings_book import UPLOAD_SHEET

    submit = next(call for call in _calls() if "SUBMIT_PATH" in call)
    assert "auth:=Token()" in submit and "include:=include" in submit
    assert _constant("SUBMIT_PATH") == "/xlwings/submit"
    assert "/xlwings/submit" in {rule.rule for rule in app.url_map.iter_rules()}
    assert _constant("UPLOAD_SHEET") == UPLOAD_SHEET
    assert 'include = include & "," & UPLOAD_SHEET' in VBA
    assert "wb.SaveCopyAs copyPath" in VBA


def test_default_address_matches_the_service_defaults():
    assert _constant("DEFAULT_URL") == f"http://{DEFAULTS['HOST']}:{DEFAULTS['PORT']}"


def test_metadata_sheet_and_sheet_list_cell_match_the_layout():
    assert _constant("META_SHEET") == META_SHEET
    row = META_ROWS.index("sheets") + 1
    assert f'meta.Range("B{row}")' in VBA


def test_note_mark_matches_the_server():
    assert _constant("NOTE_MARK") == NOTE_MARK


def test_server_url_is_a_setting_the_clerk_can_change():
    assert 'GetSetting(APP_NAME, "Settings", "ServerUrl", DEFAULT_URL)' in VBA
    assert 'SaveSetting APP_NAME, "Settings", "ServerUrl"' in VBA


def test_ribbon_is_well_formed_and_every_callback_exists():
    root = ET.parse(ADDIN / "customUI.xml").getroot()
    tab = root.find(f"{RIBBON_NS}ribbon/{RIBBON_NS}tabs/{RIBBON_NS}tab")
    assert tab.get("label") == "信息公开年报"
    buttons = list(tab.iter(f"{RIBBON_NS}button"))
    assert {b.get("label") for b in buttons} >= {"校验"}
    for button in buttons:
        module, callback = button.get("onAction").split(".")
        assert module == "JCNB"
        assert _subs()[callback] == "control As IRibbonControl"
        assert button.get("imageMso")


def test_every_button_that_calls_the_server_has_its_endpoint(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    callbacks = {
        b.get("label"): b.get("onAction").split(".")[1]
        for b in ET.parse(ADDIN / "customUI.xml").getroot().iter(f"{RIBBON_NS}button")
    }
    assert callbacks["校验"] == "RibbonValidate" and callbacks["提交"] == "RibbonSubmit"
    for path in ("VALIDATE_PATH", "SUBMIT_PATH", "PING_PATH"):
        assert _constant(path) in rules


def test_failures_are_reported_apart_and_protection_is_always_restored():
    report = re.search(r"Private Sub ReportFailure\((.+?)End Sub", VBA, re.S).group(1)
    assert "If m_Applying Then" in report and "m_Locked" in report
    for caller in ("Private Sub CallServer", "Private Sub SendForSubmission"):
        body = VBA[VBA.index(caller) :]
        body = body[: body.index("End Sub")]
        assert body.index("On Error GoTo Failed") < body.index("RunServerPython")
        handler = body[body.index("Failed:") :]
        assert "RestoreProtection wb" in handler and "ReportFailure" in handler
    begin = re.search(r"Public Sub JCNB_BeginUpdate\((.+?)End Sub", VBA, re.S).group(1)
    assert 'ws.Unprotect Password:=""' in begin and "m_Applying = True" in begin
    for button in ("Public Sub Validate()", "Public Sub Submit()"):
        body = VBA[VBA.index(button) :]
        body = body[: body.index("End Sub")]
        assert "If Not Reachable() Then Exit Sub" in body


def test_the_add_in_sends_its_name_as_the_server_decodes_it():
    from server.xlwings_bridge import ADDIN_HEADER
    from tools.excel_sim import addin_header

    assert _constant("ADDIN_HEADER") == ADDIN_HEADER
    assert VBA.count("headers.Add ADDIN_HEADER, HexName(ThisWorkbook.Name)") == 2
    # HexName: four hex digits per UTF-16 code unit, as the simulator (and the server) expect
    body = re.search(r"Private Function HexName\(text As String\) As String(.+?)End Function", VBA, re.S).group(1)
    assert 'Right("000" & Hex(AscW(Mid(text, i, 1)) And &HFFFF&), 4)' in body
    assert re.fullmatch(r"(?:[0-9A-F]{4})+", addin_header())


def test_settings_checks_the_address_with_the_ping_the_server_answers(app):
    from server.xlwings_bridge import PING_ANSWER

    assert _constant("PING_PATH") == "/xlwings/ping"
    assert "/xlwings/ping" in {rule.rule for rule in app.url_map.iter_rules()}
    assert _constant("PING_ANSWER") == PING_ANSWER
    settings = re.search(r"Public Sub Settings\(\)(.+?)End Sub", VBA, re.S).group(1)
    assert settings.index("Answers(answer)") < settings.index('SaveSetting APP_NAME, "Settings", "ServerUrl"')
