"""What is worked out once per form and kept: the per-request code reads it, never rebuilds it.

:func:`per_form` turns a function of a form into one computed once per form object and
kept on it (like ``functools.cached_property``, but for functions living next to their
users). The value is built under a lock, so simultaneous first requests build it once;
callers must treat it as read-only (tuples, frozensets, dicts nobody writes to).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from .model import Form

T = TypeVar("T")
_LOCK = threading.RLock()
"""Re-entrant: a builder may use other per-form values."""


def per_form(build: Callable[[Form], T]) -> Callable[[Form], T]:
    """``build(form)`` computed on first use for each form and kept on the form."""
    name = f"_per_form:{build.__module__}.{build.__qualname__}"

    @wraps(build)
    def get(form: Form) -> T:
        try:
            return form.__dict__[name]
        except KeyError:
            with _LOCK:
                if name not in form.__dict__:
                    form.__dict__[name] = build(form)
                return form.__dict__[name]

    return get


def forget(form: Form) -> None:
    """Drop what :func:`per_form` kept on a form (tests start from a cold cache with it)."""
    with _LOCK:
        for name in [name for name in form.__dict__ if name.startswith("_per_form:")]:
            del form.__dict__[name]
