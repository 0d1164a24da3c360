"""Revocation (deny-list) stores for the token service.

A store remembers three kinds of facts, each with an expiry after which it no longer matters
(the token it concerns has expired by then) and may be forgotten:

- a ``jti`` that is revoked or, for refresh tokens, already spent;
- a refresh *family* (every token descended from one login) that is revoked;
- a per-subject cutoff: every token of that subject with ``iat <= cutoff`` is revoked.

:class:`RevocationStore` is the contract. :class:`MemoryStore` serves one process;
:class:`SQLiteStore` serves several threads and processes on one host; :class:`RedisStore`
serves many hosts. The hard requirement is that :meth:`RevocationStore.consume` and
:meth:`RevocationStore.spend` are atomic across every user of the store: refresh-token reuse
detection (RFC 9700 §4.14.2) is only as good as that single test-and-set.

Expired entries are forgotten without anyone calling :meth:`~RevocationStore.purge`: the memory
and SQLite stores purge a bounded batch every ``purge_every`` writes or ``purge_interval``
seconds, whichever comes first; Redis expires entries by TTL.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import threading
import time
from typing import Protocol, runtime_checkable

from ._redis_store import RedisStore
from ._sqlite_store import SQLiteStore
from ._store_common import (
    PURGE_BATCH,
    PURGE_EVERY,
    PURGE_INTERVAL,
    Clock,
    PurgeSchedule,
    check_id,
    check_time,
    now,
)
from ._store_common import LookupResult as _LookupResult
from .exceptions import RevocationStoreUnavailableError

__all__ = ["MemoryStore", "RedisStore", "RevocationStore", "SQLiteStore"]

#: (jti revoked or spent, family revoked, subject cutoff or None): what :meth:`lookup` returns.
LookupResult = _LookupResult


@runtime_checkable
class RevocationStore(Protocol):
    """What the token service needs from a revocation store.

    Times are seconds since the epoch. ``exp`` arguments say when an entry may be forgotten;
    an entry whose ``exp`` has passed reads as absent. Every method must be safe to call
    concurrently from every thread, process and host that shares the store. The stores here
    refuse a time that is NaN or not a number (:class:`~jwtlite.exceptions.InvalidArgumentError`)
    and keep times as floats clamped to the year 9999; an entry they cannot read back raises
    :class:`~jwtlite.exceptions.RevocationStoreUnavailableError` (fail closed).
    """

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp`` (idempotent; a later ``exp`` extends it).

        A revoked ``jti`` can no longer be replayed through :meth:`spend`.
        """

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""

    def consume(self, jti: str, exp: float) -> bool:
        """Atomically spend ``jti``: True the first time, False if it was already present.

        Must be a single test-and-set across all users of the store; two concurrent calls with
        the same ``jti`` must not both return True.
        """

    def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str | None:
        """Spend ``jti`` and remember what replaced it, for a refresh reuse interval.

        Atomically: when ``jti`` is absent, store it (until ``exp``) together with
        ``successor`` and return ``successor``. When it was spent by an earlier ``spend``
        whose ``reuse_until`` has not passed, return *that* call's successor. Otherwise
        (revoked, consumed, or the interval is over) return None: the token is being reused.
        """

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke every token of one refresh family until ``exp``."""

    def is_family_revoked(self, family: str) -> bool:
        """Whether the family is revoked."""

    def revoke_subject(self, subject: str, cutoff: float, exp: float) -> None:
        """Revoke every token of ``subject`` with ``iat <= cutoff``; keep the entry until ``exp``.

        A later call never lowers an existing cutoff.
        """

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None when none is in force."""

    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        """The per-request check in one call (one round trip for a networked store):
        ``(is_revoked(jti), is_family_revoked(family), subject_cutoff(subject))``."""

    def purge(self) -> int:
        """Delete every expired entry now; return how many were deleted."""


# Table ids in MemoryStore's expiry heap.
_JTI, _FAMILY, _SUBJECT, _REPLAY = 0, 1, 2, 3


class MemoryStore:
    """A thread-safe in-process store. Revocations are lost when the process exits.

    ``clock`` defaults to :func:`time.time`; tests inject their own. Expired entries are
    purged in batches of at most ``purge_batch`` every ``purge_every`` writes or
    ``purge_interval`` seconds (checked on writes: only writes make the store grow). A heap
    ordered by expiry makes each pass cost O(batch log n), not a scan of every entry.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        purge_every: int = PURGE_EVERY,
        purge_interval: float = PURGE_INTERVAL,
        purge_batch: int = PURGE_BATCH,
    ) -> None:
        self._clock: Clock = clock or time.time
        self._schedule = PurgeSchedule(self._clock, purge_every, purge_interval, purge_batch)
        self._lock = threading.Lock()
        self._jtis: dict[str, float] = {}
        self._families: dict[str, float] = {}
        # subject -> (cutoff, exp)
        self._subjects: dict[str, tuple[float, float]] = {}
        # jti -> (successor, reuse_until), for spend()
        self._replays: dict[str, tuple[str, float]] = {}
        # (exp, table id, key): one entry per write; stale ones are skipped when popped.
        self._expiries: list[tuple[float, int, str]] = []

    def __repr__(self) -> str:
        return f"MemoryStore(entries={len(self)}, purge={self._schedule!r})"

    def __len__(self) -> int:
        """How many jti, family and subject entries are held (expired or not)."""
        return len(self._jtis) + len(self._families) + len(self._subjects)

    def _live(self, table: dict[str, float], key: str, time_now: float) -> bool:
        exp = table.get(key)
        if exp is None:
            return False
        if exp <= time_now:
            del table[key]
            return False
        return True

    def _wrote(self, table: int, key: str, exp: float) -> None:
        # Called with the lock held, with the entry's resulting expiry.
        heapq.heappush(self._expiries, (exp, table, key))
        if self._schedule.due():
            # Best effort, as in SQLiteStore: the write is done. A clock without a finite
            # time fails the reads (closed), not a write that has been stored.
            with contextlib.suppress(RevocationStoreUnavailableError):
                self._purge_locked(self._schedule.batch)

    def _drop_if_expired(self, table: int, key: str, now: float) -> bool:
        # A later write may have extended the entry: then a newer heap entry covers it.
        if table == _SUBJECT:
            entry = self._subjects.get(key)
            if entry is None or entry[1] > now:
                return False
            del self._subjects[key]
            return True
        if table == _REPLAY:
            replay = self._replays.get(key)
            if replay is not None and replay[1] <= now:
                del self._replays[key]
            return False  # part of a jti entry, not an entry of its own
        plain = self._jtis if table == _JTI else self._families
        exp = plain.get(key)
        if exp is None or exp > now:
            return False
        del plain[key]
        return True

    def _purge_locked(self, limit: float) -> int:
        time_now = now(self._clock)
        deleted = popped = 0
        while self._expiries and popped < limit and self._expiries[0][0] <= time_now:
            _, table, key = heapq.heappop(self._expiries)
            popped += 1
            deleted += self._drop_if_expired(table, key, time_now)
        return deleted

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp``."""
        jti, exp = check_id("jti", jti), check_time("exp", exp)
        with self._lock:
            self._jtis[jti] = max(exp, self._jtis.get(jti, exp))
            self._replays.pop(jti, None)
            self._wrote(_JTI, jti, self._jtis[jti])

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""
        check_id("jti", jti)
        with self._lock:
            return self._live(self._jtis, jti, now(self._clock))

    def consume(self, jti: str, exp: float) -> bool:
        """Spend ``jti`` once: True the first time, False afterwards."""
        jti, exp = check_id("jti", jti), check_time("exp", exp)
        with self._lock:
            if self._live(self._jtis, jti, now(self._clock)):
                return False
            self._jtis[jti] = exp
            self._replays.pop(jti, None)
            self._wrote(_JTI, jti, exp)
            return True

    def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str | None:
        """Spend ``jti``, or replay its successor within the reuse interval (see the protocol)."""
        exp, reuse_until = check_time("exp", exp), check_time("reuse_until", reuse_until)
        check_id("jti", jti)
        check_id("successor", successor)
        with self._lock:
            time_now = now(self._clock)
            if self._live(self._jtis, jti, time_now):
                replay = self._replays.get(jti)
                if replay is not None and time_now < replay[1]:
                    return replay[0]
                return None
            self._jtis[jti] = exp
            self._replays[jti] = (successor, reuse_until)
            heapq.heappush(self._expiries, (reuse_until, _REPLAY, jti))
            self._wrote(_JTI, jti, exp)
            return successor

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp``."""
        family, exp = check_id("family", family), check_time("exp", exp)
        with self._lock:
            self._families[family] = max(exp, self._families.get(family, exp))
            self._wrote(_FAMILY, family, self._families[family])

    def is_family_revoked(self, family: str) -> bool:
        """Whether the family is revoked."""
        check_id("family", family)
        with self._lock:
            return self._live(self._families, family, now(self._clock))

    def revoke_subject(self, subject: str, cutoff: float, exp: float) -> None:
        """Revoke the subject's tokens issued at or before ``cutoff``."""
        # Times are float seconds in every store (SQLite keeps them as REAL), so a cutoff
        # reads back the same whichever store holds it.
        cutoff, exp = check_time("cutoff", cutoff), check_time("exp", exp)
        check_id("subject", subject)
        with self._lock:
            old_cutoff, old_exp = self._subjects.get(subject, (cutoff, exp))
            self._subjects[subject] = (max(cutoff, old_cutoff), max(exp, old_exp))
            self._wrote(_SUBJECT, subject, self._subjects[subject][1])

    def _cutoff_locked(self, subject: str, time_now: float) -> float | None:
        entry = self._subjects.get(subject)
        if entry is None:
            return None
        if entry[1] <= time_now:
            del self._subjects[subject]
            return None
        return entry[0]

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        check_id("subject", subject)
        with self._lock:
            return self._cutoff_locked(subject, now(self._clock))

    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        """The per-request check under one lock acquisition."""
        for name, value in (("jti", jti), ("family", family), ("subject", subject)):
            check_id(name, value)
        with self._lock:
            # One reading of the clock, taken even when nothing is stored: a broken clock
            # fails every call alike.
            time_now = now(self._clock)
            return (
                self._live(self._jtis, jti, time_now),
                self._live(self._families, family, time_now),
                self._cutoff_locked(subject, time_now),
            )

    def purge(self) -> int:
        """Delete every expired entry; return how many."""
        with self._lock:
            return self._purge_locked(math.inf)
