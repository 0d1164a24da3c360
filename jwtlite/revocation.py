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

import heapq
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from ._redis_store import RedisStore
from .exceptions import InvalidArgumentError, PyJWTError, RevocationStoreUnavailableError

__all__ = ["MemoryStore", "RedisStore", "RevocationStore", "SQLiteStore"]

Clock = Callable[[], float]

#: (jti revoked or spent, family revoked, subject cutoff or None): what :meth:`lookup` returns.
LookupResult = tuple[bool, bool, "float | None"]

# Amortised purge defaults: a purge pass runs after this many writes or seconds, and deletes
# at most this many entries, so no single call pays for a long backlog.
PURGE_EVERY = 1000
PURGE_INTERVAL = 60.0
PURGE_BATCH = 1000


@runtime_checkable
class RevocationStore(Protocol):
    """What the token service needs from a revocation store.

    Times are seconds since the epoch. ``exp`` arguments say when an entry may be forgotten;
    an entry whose ``exp`` has passed reads as absent. Every method must be safe to call
    concurrently from every thread, process and host that shares the store.
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


def _check_purge_policy(every: int, interval: float, batch: int) -> None:
    for name, value in (("purge_every", every), ("purge_batch", batch)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(f"{name} must be a positive integer")
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not interval > 0:
        raise InvalidArgumentError("purge_interval must be a positive number of seconds")


class _PurgeSchedule:
    """Counts writes and decides when an amortised purge pass is due (callers hold a lock)."""

    def __init__(self, clock: Clock, every: int, interval: float, batch: int) -> None:
        _check_purge_policy(every, interval, batch)
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
        self._schedule = _PurgeSchedule(self._clock, purge_every, purge_interval, purge_batch)
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

    def _live(self, table: dict[str, float], key: str) -> bool:
        exp = table.get(key)
        if exp is None:
            return False
        if exp <= self._clock():
            del table[key]
            return False
        return True

    def _wrote(self, table: int, key: str, exp: float) -> None:
        # Called with the lock held, with the entry's resulting expiry.
        heapq.heappush(self._expiries, (exp, table, key))
        if self._schedule.due():
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
        now = self._clock()
        deleted = popped = 0
        while self._expiries and popped < limit and self._expiries[0][0] <= now:
            _, table, key = heapq.heappop(self._expiries)
            popped += 1
            deleted += self._drop_if_expired(table, key, now)
        return deleted

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp``."""
        with self._lock:
            self._jtis[jti] = max(exp, self._jtis.get(jti, exp))
            self._replays.pop(jti, None)
            self._wrote(_JTI, jti, self._jtis[jti])

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""
        with self._lock:
            return self._live(self._jtis, jti)

    def consume(self, jti: str, exp: float) -> bool:
        """Spend ``jti`` once: True the first time, False afterwards."""
        with self._lock:
            if self._live(self._jtis, jti):
                return False
            self._jtis[jti] = exp
            self._replays.pop(jti, None)
            self._wrote(_JTI, jti, exp)
            return True

    def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str | None:
        """Spend ``jti``, or replay its successor within the reuse interval (see the protocol)."""
        with self._lock:
            if self._live(self._jtis, jti):
                replay = self._replays.get(jti)
                if replay is not None and self._clock() < replay[1]:
                    return replay[0]
                return None
            self._jtis[jti] = exp
            self._replays[jti] = (successor, reuse_until)
            heapq.heappush(self._expiries, (reuse_until, _REPLAY, jti))
            self._wrote(_JTI, jti, exp)
            return successor

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp``."""
        with self._lock:
            self._families[family] = max(exp, self._families.get(family, exp))
            self._wrote(_FAMILY, family, self._families[family])

    def is_family_revoked(self, family: str) -> bool:
        """Whether the family is revoked."""
        with self._lock:
            return self._live(self._families, family)

    def revoke_subject(self, subject: str, cutoff: float, exp: float) -> None:
        """Revoke the subject's tokens issued at or before ``cutoff``."""
        # Times are float seconds in every store (SQLite keeps them as REAL), so a cutoff
        # reads back the same whichever store holds it.
        cutoff, exp = float(cutoff), float(exp)
        with self._lock:
            old_cutoff, old_exp = self._subjects.get(subject, (cutoff, exp))
            self._subjects[subject] = (max(cutoff, old_cutoff), max(exp, old_exp))
            self._wrote(_SUBJECT, subject, self._subjects[subject][1])

    def _cutoff_locked(self, subject: str) -> float | None:
        entry = self._subjects.get(subject)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._subjects[subject]
            return None
        return entry[0]

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        with self._lock:
            return self._cutoff_locked(subject)

    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        """The per-request check under one lock acquisition."""
        with self._lock:
            return (
                self._live(self._jtis, jti),
                self._live(self._families, family),
                self._cutoff_locked(subject),
            )

    def purge(self) -> int:
        """Delete every expired entry; return how many."""
        with self._lock:
            return self._purge_locked(math.inf)


# ValueError covers strings SQLite cannot store (lone surrogates); OverflowError huge integers.
_BAD_INPUT = (ValueError, OverflowError)

_SCHEMA = (
    (
        "CREATE TABLE IF NOT EXISTS jwtlite_jti"
        " (jti TEXT PRIMARY KEY, exp REAL NOT NULL, successor TEXT, reuse_until REAL)"
    ),
    "CREATE TABLE IF NOT EXISTS jwtlite_family (family TEXT PRIMARY KEY, exp REAL NOT NULL)",
    (
        "CREATE TABLE IF NOT EXISTS jwtlite_subject"
        " (subject TEXT PRIMARY KEY, cutoff REAL NOT NULL, exp REAL NOT NULL)"
    ),
    # Indexes on exp make each amortised purge batch a range scan, not a table scan.
    "CREATE INDEX IF NOT EXISTS jwtlite_jti_exp ON jwtlite_jti (exp)",
    "CREATE INDEX IF NOT EXISTS jwtlite_family_exp ON jwtlite_family (exp)",
    "CREATE INDEX IF NOT EXISTS jwtlite_subject_exp ON jwtlite_subject (exp)",
)
# Columns added after the first release; older databases gain them on open.
#: Columns added after the first release: a file made by it gets them on open.
_JTI_COLUMNS = {"successor": "TEXT", "reuse_until": "REAL"}
_TABLES = ("jwtlite_jti", "jwtlite_family", "jwtlite_subject")


class SQLiteStore:
    """A store in one SQLite file, shared safely by threads and by processes on one host.

    The database runs in WAL mode so readers do not block the writer, with a busy timeout so
    concurrent writers wait instead of failing. One connection is shared by the threads of a
    process behind a lock; SQLite's file locks order the processes. WAL needs shared memory,
    so the file must not live on a network filesystem. A database that cannot be used (locked
    past the busy timeout, disk errors) raises
    :class:`~jwtlite.exceptions.RevocationStoreUnavailableError`; input SQLite cannot store
    raises :class:`~jwtlite.exceptions.PyJWTError`. Expired rows are purged in batches of at
    most ``purge_batch`` per table every ``purge_every`` writes or ``purge_interval`` seconds.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Clock | None = None,
        busy_timeout: float = 10.0,
        purge_every: int = PURGE_EVERY,
        purge_interval: float = PURGE_INTERVAL,
        purge_batch: int = PURGE_BATCH,
    ) -> None:
        self._clock: Clock = clock or time.time
        self._schedule = _PurgeSchedule(self._clock, purge_every, purge_interval, purge_batch)
        self._lock = threading.Lock()
        self._path = str(path)
        try:
            # isolation_level=None: autocommit; each statement below is its own transaction,
            # which is what makes consume() a single atomic test-and-set.
            self._conn = sqlite3.connect(
                self._path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._create_schema()
        except sqlite3.Error as exc:
            raise PyJWTError(f"cannot open revocation database {self._path!r}: {exc}") from exc

    def _create_schema(self) -> None:
        """Tables, indexes and missing columns, in one write transaction: processes that open
        the same new (or older) file at once take turns, so none adds a column twice."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
            have = {row[1] for row in conn.execute("PRAGMA table_info(jwtlite_jti)")}
            for column, kind in _JTI_COLUMNS.items():
                if column not in have:
                    conn.execute(f"ALTER TABLE jwtlite_jti ADD COLUMN {column} {kind}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def __repr__(self) -> str:
        return f"SQLiteStore({self._path!r}, purge={self._schedule!r})"

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(
        self, sql: str, params: tuple[object, ...], *, write: bool = False
    ) -> tuple[int, tuple[object, ...] | None]:
        """Execute one statement; return (rowcount, first row), fetched under the lock."""
        try:
            with self._lock:
                cursor = self._conn.execute(sql, params)
                row: tuple[object, ...] | None = None if write else cursor.fetchone()
                count = cursor.rowcount
                if write and self._schedule.due():
                    self._purge_locked(self._schedule.batch)
                return count, row
        except _BAD_INPUT as exc:
            raise PyJWTError(f"revocation database error: {exc}") from exc
        except sqlite3.Error as exc:
            raise RevocationStoreUnavailableError(f"revocation database error: {exc}") from exc

    def _first(self, sql: str, params: tuple[object, ...]) -> tuple[object, ...] | None:
        return self._run(sql, params)[1]

    def _purge_locked(self, limit: int) -> int:
        now = self._clock()
        return sum(
            self._conn.execute(
                f"DELETE FROM {table} WHERE rowid IN"  # noqa: S608 - table names are constants
                f" (SELECT rowid FROM {table} WHERE exp <= ? LIMIT ?)",
                (now, limit),
            ).rowcount
            for table in _TABLES
        )

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp`` (and end any reuse interval it had)."""
        self._run(
            "INSERT INTO jwtlite_jti (jti, exp) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE"
            " SET exp = max(exp, excluded.exp), successor = NULL, reuse_until = NULL",
            (jti, exp),
            write=True,
        )

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""
        sql = "SELECT 1 FROM jwtlite_jti WHERE jti = ? AND exp > ?"
        return self._first(sql, (jti, self._clock())) is not None

    def _take(self, jti: str, exp: float, successor: str | None, reuse_until: float | None) -> bool:
        # The upsert inserts a new row, or takes over a row that has expired (and so reads as
        # absent); a live row is left alone and the statement changes nothing. One statement,
        # so one atomic test-and-set across threads and processes.
        count, _ = self._run(
            "INSERT INTO jwtlite_jti (jti, exp, successor, reuse_until) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (jti) DO UPDATE SET exp = excluded.exp, successor = excluded.successor,"
            " reuse_until = excluded.reuse_until WHERE jwtlite_jti.exp <= ?",
            (jti, exp, successor, reuse_until, self._clock()),
            write=True,
        )
        return count == 1

    def consume(self, jti: str, exp: float) -> bool:
        """Spend ``jti`` once: True the first time, False afterwards (one atomic statement)."""
        return self._take(jti, exp, None, None)

    def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str | None:
        """Spend ``jti``, or replay its successor within the reuse interval (see the protocol)."""
        if self._take(jti, exp, successor, reuse_until):
            return successor
        # The row that beat us was written whole by one statement, so its successor is
        # either there or was never stored: no half-written state can be read here.
        now = self._clock()
        row = self._first(
            "SELECT successor FROM jwtlite_jti WHERE jti = ? AND exp > ?"
            " AND reuse_until > ? AND successor IS NOT NULL",
            (jti, now, now),
        )
        return None if row is None else str(row[0])

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp``."""
        self._run(
            "INSERT INTO jwtlite_family (family, exp) VALUES (?, ?)"
            " ON CONFLICT (family) DO UPDATE SET exp = max(exp, excluded.exp)",
            (family, exp),
            write=True,
        )

    def is_family_revoked(self, family: str) -> bool:
        """Whether the family is revoked."""
        sql = "SELECT 1 FROM jwtlite_family WHERE family = ? AND exp > ?"
        return self._first(sql, (family, self._clock())) is not None

    def revoke_subject(self, subject: str, cutoff: float, exp: float) -> None:
        """Revoke the subject's tokens issued at or before ``cutoff``."""
        self._run(
            "INSERT INTO jwtlite_subject (subject, cutoff, exp) VALUES (?, ?, ?)"
            " ON CONFLICT (subject) DO UPDATE SET"
            " cutoff = max(cutoff, excluded.cutoff), exp = max(exp, excluded.exp)",
            (subject, cutoff, exp),
            write=True,
        )

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        sql = "SELECT cutoff FROM jwtlite_subject WHERE subject = ? AND exp > ?"
        row = self._first(sql, (subject, self._clock()))
        return None if row is None else float(row[0])  # type: ignore[arg-type]

    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        """The per-request check in one statement."""
        now = self._clock()
        row = self._first(
            "SELECT (SELECT 1 FROM jwtlite_jti WHERE jti = ? AND exp > ?),"
            " (SELECT 1 FROM jwtlite_family WHERE family = ? AND exp > ?),"
            " (SELECT cutoff FROM jwtlite_subject WHERE subject = ? AND exp > ?)",
            (jti, now, family, now, subject, now),
        )
        assert row is not None  # noqa: S101 - a SELECT of scalars always yields one row
        cutoff = row[2]
        return row[0] is not None, row[1] is not None, None if cutoff is None else float(cutoff)  # type: ignore[arg-type]

    def purge(self) -> int:
        """Delete every expired row; return how many."""
        try:
            with self._lock:
                return self._purge_locked(-1)  # LIMIT -1: no limit
        except sqlite3.Error as exc:
            raise RevocationStoreUnavailableError(f"revocation database error: {exc}") from exc
