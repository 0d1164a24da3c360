"""What the revocation stores share: the rule for times, the lookup result, the purge schedule.

The stores live in :mod:`jwtlite.revocation` (the protocol, :class:`MemoryStore`),
:mod:`jwtlite._sqlite_store` and :mod:`jwtlite._redis_store`; this module sits under all three.

**Times.** Every store compares expiries and cutoffs with its clock, and a comparison with NaN
is always false. A NaN written as an expiry meant "never expires" in one store (``exp <= now``
is never true), "already gone" in another (``exp > now`` is never true), and in the memory
store it sat at the root of the expiry heap and stopped every purge pass. A NaN read back (a
value someone else wrote, or a broken clock) turned "revoked" into "not revoked". So:

* **going in**, a time is an ``int`` or ``float`` (not a bool) and not NaN, else
  :class:`~jwtlite.exceptions.InvalidArgumentError`; it is clamped to the years -9999..9999
  (``MAX_SECONDS``): infinity or a huge integer means "for ever", which the year 9999 already
  is, and every store holds a finite float (SQLite as REAL, Redis as text and as a 64-bit
  millisecond expiry), so all three read back the same value;
* **coming out**, a stored time that is not a finite number was written by someone else or
  the store is damaged: the entry's status is unknown, so it is *unreadable* and the call
  fails closed with :class:`~jwtlite.exceptions.RevocationStoreUnavailableError`;
* **the clock** must give a finite time, or the call fails closed the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .exceptions import InvalidArgumentError, RevocationStoreUnavailableError

__all__ = [
    "Clock",
    "LookupResult",
    "MAX_SECONDS",
    "PURGE_BATCH",
    "PURGE_EVERY",
    "PURGE_INTERVAL",
    "PurgeSchedule",
    "check_id",
    "check_purge_policy",
    "check_time",
    "now",
    "stored_time",
    "unreadable",
]

Clock = Callable[[], float]

#: (jti revoked or spent, family revoked, subject cutoff or None): what ``lookup`` returns.
LookupResult = tuple[bool, bool, "float | None"]

# Amortised purge defaults: a purge pass runs after this many writes or seconds, and deletes
# at most this many entries, so no single call pays for a long backlog.
PURGE_EVERY = 1000
PURGE_INTERVAL = 60.0
PURGE_BATCH = 1000


def check_purge_policy(every: int, interval: float, batch: int) -> None:
    for name, value in (("purge_every", every), ("purge_batch", batch)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(f"{name} must be a positive integer")
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not interval > 0:
        raise InvalidArgumentError("purge_interval must be a positive number of seconds")


class PurgeSchedule:
    """Counts writes and decides when an amortised purge pass is due (callers hold a lock)."""

    def __init__(self, clock: Clock, every: int, interval: float, batch: int) -> None:
        if not callable(clock):
            raise InvalidArgumentError("clock must be a function returning seconds")
        check_purge_policy(every, interval, batch)
        self.clock, self.every, self.interval, self.batch = clock, every, interval, batch
        self.writes = 0
        self.last = self._reading()

    def _reading(self) -> float | None:
        # Read through now(), as every store call does: the raw clock() may be a huge int
        # (float arithmetic on it raised OverflowError) or no number at all (TypeError), and
        # due() runs after a write is stored, where raising would report it as failed. A
        # clock without a finite time skips the interval rule; the count rule still holds.
        try:
            return now(self.clock)
        except RevocationStoreUnavailableError:
            return None

    def due(self) -> bool:
        """Count one write; True when a purge pass should run now (and restart the count)."""
        self.writes += 1
        time_now = self._reading()
        late = False  # without a finite time now, the count rule alone
        if time_now is not None:
            if self.last is None:  # the clock had no finite time before: the interval starts now
                self.last = time_now
            late = time_now - self.last >= self.interval
        if self.writes < self.every and not late:
            return False
        self.writes = 0
        if time_now is not None:
            self.last = time_now
        return True

    def __repr__(self) -> str:
        return f"every={self.every}, interval={self.interval}, batch={self.batch}"


#: 9999-12-31T23:59:59Z: the largest time a store holds. Redis expiries are 64-bit
#: milliseconds and its Lua cannot read "inf"; the year 9999 is "for ever" for a deny list.
MAX_SECONDS = 253_402_300_799.0


def check_time(name: str, value: object) -> float:
    """``value`` as float seconds clamped to +-``MAX_SECONDS``; InvalidArgumentError if it is
    not a number or is NaN."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(f"{name} must be a number of seconds")
    if isinstance(value, int):
        # Clamp before float(): a huge integer would raise OverflowError there.
        return float(max(-int(MAX_SECONDS), min(value, int(MAX_SECONDS))))
    if math.isnan(value):
        raise InvalidArgumentError(f"{name} must not be NaN")
    return max(-MAX_SECONDS, min(value, MAX_SECONDS))


def check_id(name: str, value: object) -> str:
    """A jti, family or subject: a string (any string; a store keeps lone surrogates too).

    Anything else is the caller's bug, refused before it reaches the store: an unhashable one
    would raise TypeError, and an int key in the memory store's expiry heap would break its
    ordering against the string keys for every later write.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, not {type(value).__name__}")
    return value


def unreadable(where: str) -> RevocationStoreUnavailableError:
    """The error for an entry whose status cannot be known (fail closed)."""
    return RevocationStoreUnavailableError(f"unreadable revocation entry in {where}")


def stored_time(value: object, where: str) -> float:
    """A time read back from a store: a finite int or float, else the entry is unreadable."""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return float(value)
    raise unreadable(where)


def now(clock: Clock) -> float:
    """The clock's time; a non-finite one would make every entry read as absent (or as
    revoked for ever), so the call fails closed."""
    value = clock()
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return check_time("the clock's time", value)
    raise RevocationStoreUnavailableError("the revocation store's clock gave no finite time")
