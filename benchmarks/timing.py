"""Timing shared by the benchmarks: interleaved runs, CPU time of the calling thread, medians.

The machine these run on is shared (2 cores, several busy processes), so wall
time swings by 5× from one second to the next. Each benchmark therefore
compares things measured in the same run, interleaved call by call, and
counts the CPU time of the thread (``time.thread_time``): time spent waiting
for a core is not counted, work done is. The ratios are what is reported.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def medians(calls: dict[str, Callable[[], object]], runs: int, warmup: int = 3) -> dict[str, float]:
    """Median milliseconds of CPU time per call, the calls interleaved round by round."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            start = time.thread_time()
            call()
            samples[name].append((time.thread_time() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def machine() -> str:
    """Cores, CPU model and Python version, for the record."""
    import os
    import platform

    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"
