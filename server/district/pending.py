"""The last refused upload of each unit account, kept for the refusal page.

A clerk whose submission was refused can then download the refused file
annotated, or submit the same file again with the 审核说明 it lacked, without
choosing it again. One file per account (a new refusal replaces it), in the
instance folder, kept at most :data:`KEEP_HOURS`; a submission that goes
through removes it. Written atomically, so simultaneous refusals of one
account leave one whole file, never a mix.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from flask import current_app

KEEP_HOURS = 24


def _paths(account_id: int) -> tuple[Path, Path]:
    folder = Path(current_app.instance_path) / "pending"
    return folder / f"{int(account_id)}.xlsx", folder / f"{int(account_id)}.json"


def keep(account_id: int, data: bytes, filename: str, explanation: str) -> None:
    """Keep a refused upload of an account (replacing the one kept before)."""
    content, about = _paths(account_id)
    content.parent.mkdir(parents=True, exist_ok=True)
    _write(about, json.dumps({"filename": filename, "explanation": explanation, "kept_at": time.time()}).encode())
    _write(content, data)


def load(account_id: int) -> tuple[bytes, str, str] | None:
    """(file bytes, file name, explanation) kept for the account, or None (none, or older than a day)."""
    content, about = _paths(account_id)
    try:
        facts = json.loads(about.read_text(encoding="utf-8"))
        data = content.read_bytes()
    except (OSError, ValueError):
        return None
    if time.time() - float(facts.get("kept_at", 0)) > KEEP_HOURS * 3600:
        drop(account_id)
        return None
    return data, str(facts.get("filename") or "年报.xlsx"), str(facts.get("explanation") or "")


def drop(account_id: int) -> None:
    """Forget the account's kept upload (it was submitted)."""
    for path in _paths(account_id):
        path.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=path.suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
