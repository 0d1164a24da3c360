"""Shared timing harness for the benchmark scripts (not a pytest module).

Every contender runs in the same process, in interleaved rounds: each round times one batch of
every contender, in a rotated order, so a burst of load from a neighbour on a shared machine hits
all contenders alike instead of skewing one of them. The garbage collector is off while a batch
runs, so a collection triggered by one contender's garbage is not billed to the next one.

Per contender we keep the per-call time of every batch and report the best (least disturbed,
the usual choice for micro-benchmarks) and the median (how a typical round went). Goals are
judged on the best-of ratio; the median ratio is printed next to it, and a goal whose median
verdict differs is flagged, so a noisy PASS is visible as such.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "Goal",
    "Stats",
    "fmt_time",
    "header_line",
    "machine_info",
    "optional_import",
    "print_goals",
    "print_machine",
    "print_table",
    "run",
]

#: Interleaved rounds per run; more rounds make the median steadier on a noisy machine.
#: ``BENCH_ROUNDS=30 python tests/benchmarks/bench_hmac.py`` overrides it.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))

#: The test key pool and its other encodings (tests/vectors/keys).
KEYS = Path(__file__).resolve().parent.parent / "vectors" / "keys"
FORMATS: dict[str, dict[str, str]] = json.loads((KEYS / "formats.json").read_text())
#: The same claims in every benchmark: ``sub``, ``name``, ``iat``, ``exp``, ``iss``, ``aud``.
NOW = int(time.time())
ISSUER = "https://issuer.example"
AUDIENCE = "https://api.example"
PAYLOAD: dict[str, Any] = {
    "sub": "1234567890",
    "name": "John Doe",
    "iat": NOW,
    "exp": NOW + 3600,
    "iss": ISSUER,
    "aud": AUDIENCE,
}
#: The claim checks every decode contender performs.
CHECKS: dict[str, Any] = {"audience": AUDIENCE, "issuer": ISSUER}
#: Wall time one batch of one contender aims for; long enough to dwarf timer resolution.
BATCH_SECONDS = 0.03


@dataclass(frozen=True)
class Stats:
    """Per-call seconds of one contender over all rounds."""

    name: str
    best: float
    median: float
    calls_per_batch: int


@dataclass(frozen=True)
class Goal:
    """``numerator`` must take at most ``limit`` times ``denominator``'s time."""

    title: str
    numerator: str
    denominator: str
    limit: float
    #: An informational ratio reported next to the goals, with no verdict.
    info: bool = False


def optional_import(name: str, label: str) -> ModuleType | None:
    """Import a peer library, or print that it is skipped and return None."""
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"SKIP: {label} is not installed (import {name!r} failed); its rows are omitted")
        return None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # not Linux
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, str]:
    """What the numbers depend on: interpreter, platform, CPUs and current load."""
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):  # not available on Windows
        load = "unavailable"
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "machine": platform.machine() or "unknown",
        "cpu count": str(os.cpu_count()),
        "load average (1, 5, 15 min)": load,
    }


def print_machine(versions: dict[str, str]) -> None:
    """Print machine info and library versions."""
    print("Machine:")
    for key, value in machine_info().items():
        print(f"  {key}: {value}")
    print("Libraries:")
    for key, value in versions.items():
        print(f"  {key}: {value}")
    print()


def _calibrate(fn: Callable[[], object]) -> int:
    """Calls per batch so that one batch takes about BATCH_SECONDS."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= BATCH_SECONDS / 4 or calls >= 1 << 20:
            break
        calls *= 2
    return max(1, int(calls * BATCH_SECONDS / max(elapsed, 1e-9)))


def _time_batch(fn: Callable[[], object], calls: int) -> float:
    loop = range(calls)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in loop:
            fn()
        elapsed = time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()
    return elapsed / calls


def run(
    contenders: Sequence[tuple[str, Callable[[], object]]], rounds: int | None = None
) -> dict[str, Stats]:
    """Time every contender in interleaved rounds (default ROUNDS); return stats by name."""
    rounds = ROUNDS if rounds is None else rounds
    for _, fn in contenders:
        fn()  # warm caches (key parsing, header cache, lazy imports) before calibrating
    sizes = [_calibrate(fn) for _, fn in contenders]
    samples: list[list[float]] = [[] for _ in contenders]
    count = len(contenders)
    for r in range(rounds):
        for i in range(count):
            j = (i + r) % count  # rotate so no contender always runs first or last
            gc.collect()
            samples[j].append(_time_batch(contenders[j][1], sizes[j]))
    return {
        name: Stats(name, min(times), statistics.median(times), size)
        for (name, _), times, size in zip(contenders, samples, sizes)
    }


def fmt_time(seconds: float) -> str:
    """A per-call time in the unit that reads best."""
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds * 1e6:8.2f} us"


def print_table(title: str, stats: dict[str, Stats], baseline: str | None = None) -> None:
    """Absolute best/median per call, and ratios to ``baseline`` when it was measured."""
    base = stats.get(baseline) if baseline else None
    width = max(len(name) for name in stats)
    print(f"== {title}")
    header = f"  {'contender':<{width}}  {'best':>11}  {'median':>11}"
    if base is not None:
        header += f"  {'ratio (best)':>12}  {'ratio (median)':>14}"
    print(header + (f"   (ratios vs {baseline})" if base is not None else ""))
    for name, s in stats.items():
        line = f"  {name:<{width}}  {fmt_time(s.best):>11}  {fmt_time(s.median):>11}"
        if base is not None:
            line += f"  {s.best / base.best:11.2f}x  {s.median / base.median:13.2f}x"
        print(line)
    print()


def print_goals(goals: Sequence[Goal], stats: dict[str, Stats]) -> None:
    """One PASS/FAIL line per goal; a goal whose contenders were skipped says SKIP."""
    print("Goals (judged on best-of ratios; median ratio shown for the noise):")
    for goal in goals:
        num, den = stats.get(goal.numerator), stats.get(goal.denominator)
        if num is None or den is None:
            print(f"  SKIP  {goal.title}: a contender was not measured")
            continue
        best, median = num.best / den.best, num.median / den.median
        if goal.info:
            print(f"  INFO  {goal.title}: {best:.3f}x (median {median:.3f}x)")
            continue
        verdict = "PASS" if best <= goal.limit else "FAIL"
        flag = ""
        if (median <= goal.limit) != (best <= goal.limit):
            flag = "  [median verdict differs: noisy]"
        print(
            f"  {verdict}  {goal.title}: {best:.3f}x (median {median:.3f}x),"
            f" goal <= {goal.limit}x{flag}"
        )
    print()


def header_line(script: str) -> None:
    """A first line naming the script and the interpreter."""
    print(f"{script} - {sys.executable}")
