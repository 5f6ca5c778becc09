"""The last refused upload of each unit account, kept for the refusal page.

A clerk whose submission was refused can then download the refused file
annotated, or submit the same file again with the 审核说明 it lacked, without
choosing it again. One file per account (a new refusal replaces it), in the
instance folder, kept at most :data:`KEEP_HOURS`; a submission that goes
through removes it. Written atomically, so simultaneous refusals of one
account leave one whole upload (its name, explanation and bytes in one file), never a mix.
Files older than that of accounts that never come back are swept away by the next refusal
of any account (at most once per :data:`SWEEP_SECONDS`).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from flask import current_app

KEEP_HOURS = 24
SWEEP_SECONDS = 3600
"""Refusals more often than this do not look through the folder again."""
_last_sweep = 0.0


def _path(account_id: int) -> Path:
    return Path(current_app.instance_path) / "pending" / f"{int(account_id)}.kept"


def keep(account_id: int, data: bytes, filename: str, explanation: str) -> None:
    """Keep a refused upload of an account (replacing the one kept before): one line of facts, then the file."""
    path = _path(account_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    facts = json.dumps({"filename": filename, "explanation": explanation, "kept_at": time.time()}, ensure_ascii=True)
    _write(path, facts.encode("ascii") + b"\n" + data)
    _sweep(path.parent)


def load(account_id: int) -> tuple[bytes, str, str] | None:
    """(file bytes, file name, explanation) kept for the account, or None (none, or older than a day)."""
    try:
        facts, _, data = _path(account_id).read_bytes().partition(b"\n")
        facts = json.loads(facts)
    except (OSError, ValueError):
        return None
    if time.time() - float(facts.get("kept_at", 0)) > KEEP_HOURS * 3600:
        drop(account_id)
        return None
    return data, str(facts.get("filename") or "年报.xlsx"), str(facts.get("explanation") or "")


def drop(account_id: int) -> None:
    """Forget the account's kept upload (it was submitted)."""
    _path(account_id).unlink(missing_ok=True)


def _sweep(folder: Path) -> None:
    """Remove kept files (and leftovers of interrupted writes) older than :data:`KEEP_HOURS`."""
    global _last_sweep
    now = time.time()
    if now - _last_sweep < SWEEP_SECONDS:
        return
    _last_sweep = now
    for path in folder.glob("*.kept"):  # the temporary files of _write end in .kept too
        try:
            if now - path.stat().st_mtime > KEEP_HOURS * 3600:
                path.unlink(missing_ok=True)
        except OSError:  # removed meanwhile by another request
            continue


def _write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=path.suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
