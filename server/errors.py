"""Errors that stop a request or a command, with a Chinese message for the clerk.

Rules never raise (they report findings); these are only for "cannot
proceed": a file that is not a workbook, a workbook of no known format
version, a refused submission. Each door turns them into its own output
(a JSON error body, an error page, an Excel message box, a CLI message);
:func:`error_body` is the one JSON shape.
"""

from __future__ import annotations


class ServerError(Exception):
    """Base class: ``message`` is shown to the clerk as is."""

    status = 400
    code = "error"

    def __init__(self, message: str, *, errors: list | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        if status is not None:
            self.status = status


class WorkbookUnreadable(ServerError):
    """The file is not an .xlsx workbook that can be opened."""

    status = 422
    code = "workbook_unreadable"


class DocumentUnreadable(ServerError):
    """A published report (PDF, web page, Word, text) that cannot be read: no text layer, damaged, no tables."""

    status = 422
    code = "document_unreadable"


class UnknownFormVersion(ServerError):
    """The workbook holds none of the known report forms."""

    status = 422
    code = "unknown_form"


class SubmissionRejected(ServerError):
    """A submission the district does not accept (errors, missing explanation …)."""

    status = 409
    code = "submission_rejected"


class NotAllowed(ServerError):
    """The caller may not do this (another unit's data, wrong token)."""

    status = 403
    code = "forbidden"


class NotFound(ServerError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class ConfigurationError(ServerError):
    """A setting has a value the service cannot use (found when starting)."""

    status = 500
    code = "configuration"


def error_body(message: str, status: int, errors: list | None = None) -> dict:
    """The one JSON error shape of every endpoint."""
    return {"ok": False, "error": message, "errors": errors or [], "status": status}
