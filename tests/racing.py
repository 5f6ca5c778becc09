"""Calls racing each other on a cache shared across requests (the reader's remembered parts and forms)."""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def race(
    call: Callable,
    items: list,
    expected: list,
    *,
    rounds: int,
    every: int,
    clear: Callable[[], None],
    fresh: Callable[[], None] | None = None,
    repeat: int = 1,
) -> None:
    """Call ``call(item)`` for each item (``repeat`` times) from 8 threads at once, two by two in the same
    random order (the same item at once), worker 0 dropping the cache (``clear``) every ``every`` calls
    while the others read and fill it; each result must be ``expected`` at the item's index. Each round
    starts from an empty cache (``fresh``, else ``clear``). Threads take turns as often as they can, so
    every race has its chance."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _round in range(rounds):
            (fresh or clear)()
            start = threading.Barrier(8)

            def work(worker: int, start=start) -> list:
                start.wait()
                order = list(range(len(items))) * repeat
                random.Random(worker // 2).shuffle(order)
                results = []
                for step, index in enumerate(order):
                    if worker == 0 and step % every == 0:
                        clear()
                    results.append((index, call(items[index])))
                return results

            with ThreadPoolExecutor(max_workers=8) as pool:
                for results in pool.map(work, range(8)):
                    for index, result in results:
                        assert result == expected[index]
    finally:
        sys.setswitchinterval(interval)
