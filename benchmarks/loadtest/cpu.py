"""Who used the machine's CPU while the load test measured: gunicorn (master and workers),
Locust, PostgreSQL's processes, and the machine as a whole, sampled from /proc (Linux;
elsewhere nothing is sampled and nothing is said).

The orchestrator samples every half second; the report reads the samples nearest the
moments every user had signed in and the last one finished, which the Locust process
records on the same monotonic clock (time.perf_counter)."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
INTERVAL = 0.5  # seconds between samples


def _stat_fields(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in brackets, may hold spaces: the fields after it are plain.
    return [text[: text.index(" (")], text[text.index("(") + 1 : text.rindex(")")]] + text[
        text.rindex(")") + 2 :
    ].split()


def process_cpu(group: Callable[[list[str]], bool]) -> float:
    """CPU seconds (user and system) of the live processes whose stat fields `group`
    accepts."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fields = _stat_fields(pid)
        if fields is not None and group(fields):
            total += int(fields[13]) + int(fields[14])
    return total / TICK


def machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (None: not Linux)."""
    try:
        line = Path("/proc/stat").read_text().split("\n", 1)[0]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in line.split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


def speed() -> float:
    """Seconds one CPU takes for PBKDF2-SHA256 with 1,000,000 rounds (best of three): how
    fast this machine's CPUs are, so that runs on different machines, or on one machine
    at hours when it is slower, are not compared as if they were alike."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        hashlib.pbkdf2_hmac("sha256", b"perfmon", b"load test", 1_000_000)
        times.append(time.perf_counter() - started)
    return min(times)


class Sampler(threading.Thread):
    """Samples (time, {group: CPU seconds}, machine busy seconds) until stopped."""

    def __init__(self, groups: dict[str, Callable[[list[str]], bool]]):
        super().__init__(daemon=True)
        self.groups = groups
        self.samples: list[tuple[float, dict[str, float], float]] = []
        self._stop_event = threading.Event()
        self.available = Path("/proc/stat").exists()

    def run(self) -> None:
        while self.available and not self._stop_event.is_set():
            self.samples.append(
                (
                    time.perf_counter(),
                    {name: process_cpu(group) for name, group in self.groups.items()},
                    machine_busy() or 0.0,
                )
            )
            self._stop_event.wait(INTERVAL)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def between(self, start: float, end: float) -> tuple[dict[str, float], float] | None:
        """CPU seconds each group and the machine used from `start` to `end`."""
        if len(self.samples) < 2:
            return None
        first = min(self.samples, key=lambda sample: abs(sample[0] - start))
        last = min(self.samples, key=lambda sample: abs(sample[0] - end))
        if last[0] <= first[0]:
            return None
        used = {name: last[1][name] - first[1][name] for name in self.groups}
        return used, last[2] - first[2]
