"""Recognising the form in a workbook by its labels (being written)."""
