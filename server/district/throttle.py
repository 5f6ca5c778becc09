"""Login throttling: too many wrong passwords for one login name, or from one address, pause logging in.

Counts are kept in the memory of the server process (one waitress process
with several threads, hence the lock) and forgotten on restart. Each attempt
reserves its place *before* the password is checked, so that simultaneous
requests cannot all slip through while the slow hash runs: with a limit of 5,
at most 5 passwords are ever tried for a login name within the window.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass
from dataclasses import field

MAX_KEYS = 100_000
"""Counters kept at most; beyond this, expired ones are swept (an attacker inventing names cannot grow memory)."""


@dataclass
class _Counter:
    failures: deque = field(default_factory=deque)
    """Times (``clock()``) of the failures still inside the window, oldest first."""
    pending: int = 0
    """Attempts whose password is being checked right now."""


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was not even checked, and from when on trying again can work."""

    by_address: bool
    retry_at: float
    """``clock()`` time."""


@dataclass(frozen=True)
class Attempt:
    """A reserved attempt: report its outcome with :meth:`LoginThrottle.finish`."""

    keys: tuple


class LoginThrottle:
    """Failure counters per login name and per client address over a sliding window."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, object], _Counter] = {}

    def begin(
        self,
        login: str,
        address: str,
        *,
        per_login: int,
        per_address: int,
        window: float,
        generation: int | None = None,
    ) -> Attempt | Refusal:
        """Reserve an attempt, or refuse it when either counter is full.

        ``generation`` is the account's password generation (it moves on with every password reset, also one
        made from the command line in another process): a login name's failures count per generation, so a
        reset lifts the pause at once.
        """
        keys = (("login", (login_key(login), generation)), ("address", address or "?"))
        with self._lock:
            now = self.clock()
            self._sweep(now, window)
            for key, limit in zip(keys, (per_login, per_address), strict=True):
                counter = self._counter(key, now, window)
                if len(counter.failures) + counter.pending >= limit:
                    return Refusal(key[0] == "address", self._free_at(counter, limit, now, window))
            for key in keys:
                self._counters[key].pending += 1
        return Attempt(keys)

    def finish(self, attempt: Attempt, success: bool) -> None:
        """Record the outcome: a failure counts for both keys; a success clears the login name's failures."""
        with self._lock:
            now = self.clock()
            for kind, value in attempt.keys:
                counter = self._counters.setdefault((kind, value), _Counter())
                counter.pending = max(0, counter.pending - 1)
                if not success:
                    counter.failures.append(now)
                elif kind == "login":
                    counter.failures.clear()

    # Inside the lock ----------------------------------------------------------------------------

    def _counter(self, key: tuple[str, object], now: float, window: float) -> _Counter:
        counter = self._counters.setdefault(key, _Counter())
        while counter.failures and counter.failures[0] <= now - window:
            counter.failures.popleft()
        return counter

    @staticmethod
    def _free_at(counter: _Counter, limit: int, now: float, window: float) -> float:
        """When the counter drops below its limit again (failures expire one by one)."""
        expire = len(counter.failures) + counter.pending - limit + 1
        if expire <= len(counter.failures):
            return counter.failures[expire - 1] + window
        return now + 1  # only checks in progress: they end within a second

    def _sweep(self, now: float, window: float) -> None:
        if len(self._counters) < MAX_KEYS:
            return
        for key in list(self._counters):
            counter = self._counter(key, now, window)
            if not counter.failures and not counter.pending:
                del self._counters[key]


def login_key(login: str) -> str:
    """A login name as counted: variants in width, case or spacing count as one name."""
    return unicodedata.normalize("NFKC", login or "").strip().casefold()
