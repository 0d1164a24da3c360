"""What the revocation stores share: the lookup result and the amortised purge schedule.

The stores live in :mod:`jwtlite.revocation` (the protocol, :class:`MemoryStore`),
:mod:`jwtlite._sqlite_store` and :mod:`jwtlite._redis_store`; this module sits under all three.
"""

from __future__ import annotations

from collections.abc import Callable

from .exceptions import InvalidArgumentError

__all__ = [
    "Clock",
    "LookupResult",
    "PURGE_BATCH",
    "PURGE_EVERY",
    "PURGE_INTERVAL",
    "PurgeSchedule",
    "check_purge_policy",
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
        check_purge_policy(every, interval, batch)
        self.clock, self.every, self.interval, self.batch = clock, every, interval, batch
        self.writes = 0
        self.last = clock()

    def due(self) -> bool:
        """Count one write; True when a purge pass should run now (and restart the count)."""
        self.writes += 1
        now = self.clock()
        if self.writes < self.every and now - self.last < self.interval:
            return False
        self.writes, self.last = 0, now
        return True

    def __repr__(self) -> str:
        return f"every={self.every}, interval={self.interval}, batch={self.batch}"
