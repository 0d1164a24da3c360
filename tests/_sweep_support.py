"""One call of the hostile-input sweeps, bounded in errors, time and memory.

``tests/test_only_our_errors.py`` and ``tests/test_only_our_errors_faces.py`` call every public
entry point with hostile values. Each call may succeed or raise a jwtlite exception; anything
else fails the test, and so does a call that is slow or that allocates much. Two memory bounds:

* **tracemalloc**, per call: the peak of the Python-level allocations (``bytes``, ``int``,
  lists, ...) made during the call may not pass :data:`MAX_TRACED`. It sees a missing cap
  that asked for tens of megabytes and survived: a size taken from the caller or the token
  and allocated before it was checked. It counts only allocations that succeeded.
* **RLIMIT_AS**, per call, as the backstop: the address space may grow by at most
  :data:`AS_HEADROOM` during the call, so an allocation of gigabytes fails at once with a
  ``MemoryError`` (a test failure, here) instead of succeeding, being filled, and getting the
  whole test run killed by the kernel's OOM killer (a clean-clone CI row died at 24 GB so).
  The old limit is restored after each call. The limit also bounds thread stacks and
  mmaps: the headroom (a gigabyte) is far above a thread's stack (8 MiB), glibc's per-thread
  arena (64 MiB) and Python's arenas. It is set only where ``resource`` exists and
  ``/proc/self/statm`` tells the current size (Linux); elsewhere tracemalloc alone bounds.

A ``MemoryError`` that a jwtlite exception wraps (``raise ... from``, or raised while handling
one) fails the call too: the backstop must not be hidden by the library's translation of errors.

Where tracing is off, and why: hypothesis values and JWK members that are not integers
(:func:`sizelike`), and the face sweep's deep-nesting inputs (7 s traced, 0.7 s not). The
pure backend's one-time table building is timed again untraced (see :func:`call_quietly`).
"""

from __future__ import annotations

import contextlib
import os
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from jwtlite.exceptions import PyJWTError

try:
    import resource
except ImportError:  # pragma: no cover - Windows: tracemalloc alone bounds the calls
    resource = None  # type: ignore[assignment]

#: A call on a small input slower than this is a finding (an unbounded loop or exponent):
#: seconds of the calling thread's CPU time, which other processes on a loaded CI machine do
#: not inflate (wall-clock time did: a 0.5 s bound once failed at 0.65 s under load). The calls
#: take microseconds to milliseconds.
SLOW = 0.5
#: A call may take this many times :data:`SLOW` of wall-clock time, waiting and not computing
#: (a blocking read, a sleep), before that is a finding too: the CPU clock does not see waits.
WALL_SLACK = 10
#: The most one call may allocate at its peak (Python-level, traced). The largest honest call
#: of the sweeps peaks near 2 MiB (a 2,000,000-character token, a 1 MiB inflation cap); a
#: size that slipped past its cap allocates far more.
MAX_TRACED = 32 * 2**20
#: How much the address space may grow during one call before an allocation fails.
AS_HEADROOM = 2**30
#: How many times slower a call may run traced than untraced (measured: 4.5 times on the
#: pure backend's EC table building; most calls allocate little and barely slow down).
TRACE_SLOWDOWN = 6


#: pid -> descriptor of ``/proc/self/statm``, kept open: reading it through ``open()`` on
#: every call cost 60 microseconds (more, traced), ``os.pread`` costs 5.
_STATM: dict[int, int] = {}


def _address_space() -> int | None:
    """The process's current virtual size in bytes (Linux), or None where unknown."""
    pid = os.getpid()  # a forked child opens its own
    try:
        if pid not in _STATM:
            _STATM[pid] = os.open("/proc/self/statm", os.O_RDONLY)
        pages = int(os.pread(_STATM[pid], 64, 0).split()[0])
    except (OSError, ValueError, IndexError, AttributeError):  # pragma: no cover - not Linux
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


#: Whether :func:`address_space_bound` bounds anything on this platform.
ADDRESS_SPACE_BOUNDED = resource is not None and _address_space() is not None


@contextlib.contextmanager
def address_space_bound(headroom: int = AS_HEADROOM) -> Iterator[None]:
    """Let the address space grow by at most ``headroom`` bytes inside the block."""
    size = _address_space() if resource is not None else None
    if size is None:  # pragma: no cover - no resource module or no /proc
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + headroom
    if soft != resource.RLIM_INFINITY and soft <= limit:  # pragma: no cover - already tighter
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _wraps_memory_error(error: BaseException) -> bool:
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, MemoryError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def sizelike(value: object) -> bool:
    """Whether a hostile value could be taken as a size or a count that matters: an integer
    above 1,024 (a bool, zero or a negative count asks for nothing).

    The sweeps of hostile arguments and JWK members (fixed and hypothesis) trace only these:
    their other values are a few bytes that nothing reads as a length, and many of their calls
    sign or verify with the pure backend, whose arithmetic tracemalloc slows fourfold (without
    cryptography the two sweeps took 27 s of CPU traced throughout, 9 s before the bounds).
    Tokens and key texts (the zip bomb among them) are traced. Every call keeps the
    address-space bound.
    """
    return isinstance(value, int) and not isinstance(value, bool) and value > 1024


def _timed(call: Callable[[Any], object], value: Any, what: str) -> float:
    """The seconds ``call(value)`` took under the address-space bound, as compared with
    :data:`SLOW`: its thread's CPU time, or its wall-clock time over :data:`WALL_SLACK` when
    that is more. Only a jwtlite exception (with no MemoryError behind it) may leave it."""
    with address_space_bound():
        start, cpu_start = time.perf_counter(), time.thread_time()
        try:
            call(value)
        except PyJWTError as error:
            if _wraps_memory_error(error):
                raise AssertionError(f"{what}: a MemoryError behind {error!r}") from error
        except MemoryError as error:
            raise AssertionError(f"{what}: MemoryError (a runaway allocation)") from error
        cpu, wall = time.thread_time() - cpu_start, time.perf_counter() - start
        return max(cpu, wall / WALL_SLACK)


def call_quietly(
    call: Callable[[Any], object], value: Any, name: str, *, trace: bool = True
) -> None:
    """Call ``call(value)``: only a jwtlite exception may leave it, within :data:`SLOW`
    seconds of its thread's CPU time (and :data:`WALL_SLACK` times that of wall-clock time),
    :data:`MAX_TRACED` bytes traced (when ``trace``) and :data:`AS_HEADROOM` bytes of new
    address space.

    tracemalloc slows allocation-heavy code (big-integer arithmetic: the pure backend's
    first EC signature builds its tables in 0.2 s, 0.9 s traced) by up to about
    :data:`TRACE_SLOWDOWN` times; a traced call slower than :data:`SLOW` but within that
    factor is timed once more, untraced, and that time counts.
    """
    what = f"{name} with {type(value).__name__}"
    tracing = trace and not tracemalloc.is_tracing()
    if tracing:
        tracemalloc.start()
    try:
        elapsed = _timed(call, value, what)
        peak = tracemalloc.get_traced_memory()[1] if tracing else 0
    finally:
        if tracing:
            tracemalloc.stop()
    assert peak <= MAX_TRACED, f"{what} allocated {peak / 2**20:.1f} MiB at its peak"
    if tracing and SLOW <= elapsed < SLOW * TRACE_SLOWDOWN:
        elapsed = _timed(call, value, what)
    assert elapsed < SLOW, f"{what} took {elapsed:.2f} s"
