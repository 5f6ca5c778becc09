"""The JSON every door answers with: Flask's own text, written by orjson where that gives the same text.

Flask writes JSON with the standard library (keys sorted, ``ensure_ascii`` off,
compact separators). A report is 7–30 KB of it, and writing it cost as much as
some validation stages. orjson writes the same text about six times faster for
what reports hold (text, whole numbers, ordinary decimals, true/false/null,
lists, dicts with text keys). Where the two could differ the standard library
writes it, so every answer keeps its exact bytes:

* orjson refuses the value (a whole number beyond 64 bits, a dict key that is
  not text, a lone surrogate, nesting deeper than 254, anything it cannot
  write and Flask's ``default`` cannot turn into something it can);
* the text holds ``e-`` or ``e+`` (a number in exponent form, written
  ``1e-9`` by orjson and ``1e-09`` by Python; also words such as ``e-mail``,
  which only cost the slower path) or ``0.0000`` (a decimal below 0.0001,
  which orjson writes out in full and Python in exponent form).

Dates, dataclasses and decimals go through Flask's ``default`` in both paths.
One difference is left: a NaN or infinite number is ``null`` from orjson and
``NaN``/``Infinity`` from Python, which is not JSON at all; no door produces
one (every reader refuses non-finite numbers).
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_COMPACT = {"separators": (",", ":")}


def compact(obj: Any, default) -> bytes | None:
    """``obj`` as compact JSON with sorted keys in UTF-8, exactly as the standard library writes it,
    or None where orjson cannot be trusted to (the caller then uses the standard library)."""
    try:
        out = orjson.dumps(obj, default=default, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError included
        return None
    if _may_differ(out):
        return None
    return out


def _may_differ(out: bytes) -> bool:
    """Whether the text holds ``e-``, ``e+`` or ``0.0000``. Searching 20 KB for a two-byte mark takes longer
    than orjson took to write it; a lone ``-`` or ``+`` is found at memchr speed and is rare in answers."""
    return (b"-" in out and b"e-" in out) or (b"+" in out and b"e+" in out) or b"0.0000" in out


class JSONProvider(DefaultJSONProvider):
    """Flask's default provider; compact answers with sorted keys and no ASCII escaping take orjson."""

    ensure_ascii = False  # readable Chinese in every JSON answer

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs == _COMPACT and self._fast():
            out = compact(obj, self.default)
            if out is not None:
                return out.decode("utf-8")
        return super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any):
        if self._fast() and not (self.compact is None and self._app.debug) and self.compact is not False:
            out = compact(self._prepare_response_obj(args, kwargs), self.default)
            if out is not None:
                return self._app.response_class(out + b"\n", mimetype=self.mimetype)
        return super().response(*args, **kwargs)

    def _fast(self) -> bool:
        """Whether the settings are the ones orjson writes (someone may have changed them on the app)."""
        return self.sort_keys and not self.ensure_ascii and self.default is DefaultJSONProvider.default
