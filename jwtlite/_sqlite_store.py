"""A revocation store in one SQLite file, for the threads and processes of one host.

Re-exported as :class:`jwtlite.revocation.SQLiteStore`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from ._store_common import (
    PURGE_BATCH,
    PURGE_EVERY,
    PURGE_INTERVAL,
    Clock,
    LookupResult,
    PurgeSchedule,
    check_time,
    now,
)
from .exceptions import PyJWTError, RevocationStoreUnavailableError

__all__ = ["SQLiteStore"]

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
        self._schedule = PurgeSchedule(self._clock, purge_every, purge_interval, purge_batch)
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
        time_now = now(self._clock)
        return sum(
            self._conn.execute(
                f"DELETE FROM {table} WHERE rowid IN"  # noqa: S608 - table names are constants
                f" (SELECT rowid FROM {table} WHERE exp <= ? LIMIT ?)",
                (time_now, limit),
            ).rowcount
            for table in _TABLES
        )

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp`` (and end any reuse interval it had)."""
        self._run(
            "INSERT INTO jwtlite_jti (jti, exp) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE"
            " SET exp = max(exp, excluded.exp), successor = NULL, reuse_until = NULL",
            (jti, check_time("exp", exp)),
            write=True,
        )

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""
        sql = "SELECT 1 FROM jwtlite_jti WHERE jti = ? AND exp > ?"
        return self._first(sql, (jti, now(self._clock))) is not None

    def _take(self, jti: str, exp: float, successor: str | None, reuse_until: float | None) -> bool:
        # The upsert inserts a new row, or takes over a row that has expired (and so reads as
        # absent); a live row is left alone and the statement changes nothing. One statement,
        # so one atomic test-and-set across threads and processes.
        count, _ = self._run(
            "INSERT INTO jwtlite_jti (jti, exp, successor, reuse_until) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (jti) DO UPDATE SET exp = excluded.exp, successor = excluded.successor,"
            " reuse_until = excluded.reuse_until WHERE jwtlite_jti.exp <= ?",
            (jti, exp, successor, reuse_until, now(self._clock)),
            write=True,
        )
        return count == 1

    def consume(self, jti: str, exp: float) -> bool:
        """Spend ``jti`` once: True the first time, False afterwards (one atomic statement)."""
        return self._take(jti, check_time("exp", exp), None, None)

    def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str | None:
        """Spend ``jti``, or replay its successor within the reuse interval (see the protocol)."""
        exp, reuse_until = check_time("exp", exp), check_time("reuse_until", reuse_until)
        if self._take(jti, exp, successor, reuse_until):
            return successor
        # The row that beat us was written whole by one statement, so its successor is
        # either there or was never stored: no half-written state can be read here.
        time_now = now(self._clock)
        row = self._first(
            "SELECT successor FROM jwtlite_jti WHERE jti = ? AND exp > ?"
            " AND reuse_until > ? AND successor IS NOT NULL",
            (jti, time_now, time_now),
        )
        return None if row is None else str(row[0])

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp``."""
        self._run(
            "INSERT INTO jwtlite_family (family, exp) VALUES (?, ?)"
            " ON CONFLICT (family) DO UPDATE SET exp = max(exp, excluded.exp)",
            (family, check_time("exp", exp)),
            write=True,
        )

    def is_family_revoked(self, family: str) -> bool:
        """Whether the family is revoked."""
        sql = "SELECT 1 FROM jwtlite_family WHERE family = ? AND exp > ?"
        return self._first(sql, (family, now(self._clock))) is not None

    def revoke_subject(self, subject: str, cutoff: float, exp: float) -> None:
        """Revoke the subject's tokens issued at or before ``cutoff``."""
        self._run(
            "INSERT INTO jwtlite_subject (subject, cutoff, exp) VALUES (?, ?, ?)"
            " ON CONFLICT (subject) DO UPDATE SET"
            " cutoff = max(cutoff, excluded.cutoff), exp = max(exp, excluded.exp)",
            (subject, check_time("cutoff", cutoff), check_time("exp", exp)),
            write=True,
        )

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        sql = "SELECT cutoff FROM jwtlite_subject WHERE subject = ? AND exp > ?"
        row = self._first(sql, (subject, now(self._clock)))
        return None if row is None else float(row[0])  # type: ignore[arg-type]

    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        """The per-request check in one statement."""
        time_now = now(self._clock)
        row = self._first(
            "SELECT (SELECT 1 FROM jwtlite_jti WHERE jti = ? AND exp > ?),"
            " (SELECT 1 FROM jwtlite_family WHERE family = ? AND exp > ?),"
            " (SELECT cutoff FROM jwtlite_subject WHERE subject = ? AND exp > ?)",
            (jti, time_now, family, time_now, subject, time_now),
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
