"""A revocation store in one SQLite file, for the threads and processes of one host.

Re-exported as :class:`jwtlite.revocation.SQLiteStore`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path

from ._store_common import (
    PURGE_BATCH,
    PURGE_EVERY,
    PURGE_INTERVAL,
    Clock,
    LookupResult,
    PurgeSchedule,
    check_id,
    check_time,
    now,
    stored_time,
    unreadable,
)
from ._values import finite, utf8
from .exceptions import InvalidArgumentError, PyJWTError, RevocationStoreUnavailableError

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
_WHERE = "the SQLite database"
# How far SQLite's busy timeout may be from what a call has left before it is set again:
# nearly every call runs one statement in microseconds and so never pays for the PRAGMA.
_SLACK_MS = 10

# The writes never shorten an entry and never lower a cutoff. An old value that is not a
# number (written by someone else) is replaced: what is written now is all that is known, as
# in the other stores.
_REVOKE = (
    "INSERT INTO jwtlite_jti (jti, exp) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE SET"
    " exp = CASE WHEN typeof(exp) IN ('integer', 'real') THEN max(exp, excluded.exp)"
    " ELSE excluded.exp END, successor = NULL, reuse_until = NULL"
)
_REVOKE_FAMILY = (
    "INSERT INTO jwtlite_family (family, exp) VALUES (?, ?) ON CONFLICT (family) DO UPDATE SET"
    " exp = CASE WHEN typeof(exp) IN ('integer', 'real') THEN max(exp, excluded.exp)"
    " ELSE excluded.exp END"
)
_REVOKE_SUBJECT = (
    "INSERT INTO jwtlite_subject (subject, cutoff, exp) VALUES (?, ?, ?)"
    " ON CONFLICT (subject) DO UPDATE SET"
    " cutoff = CASE WHEN typeof(cutoff) IN ('integer', 'real')"
    " AND typeof(exp) IN ('integer', 'real') THEN max(cutoff, excluded.cutoff)"
    " ELSE excluded.cutoff END,"
    " exp = CASE WHEN typeof(cutoff) IN ('integer', 'real')"
    " AND typeof(exp) IN ('integer', 'real') THEN max(exp, excluded.exp) ELSE excluded.exp END"
)
# The upsert inserts a new row, or takes over a row that has expired (and so reads as absent);
# a live row is left alone and the statement changes nothing. One statement, so one atomic
# test-and-set across threads and processes. A row whose exp is not a number is never taken
# over (text sorts after numbers): the caller then finds it unreadable.
_TAKE = (
    "INSERT INTO jwtlite_jti (jti, exp, successor, reuse_until) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (jti) DO UPDATE SET exp = excluded.exp, successor = excluded.successor,"
    " reuse_until = excluded.reuse_until WHERE jwtlite_jti.exp <= ?"
)
# The per-request check in one statement; "IS NOT NULL" tells a missing row from a NULL value.
_LOOKUP = (
    "SELECT j.jti IS NOT NULL, j.exp, f.family IS NOT NULL, f.exp,"
    " s.subject IS NOT NULL, s.cutoff, s.exp FROM (SELECT 1)"
    " LEFT JOIN jwtlite_jti AS j ON j.jti = ?"
    " LEFT JOIN jwtlite_family AS f ON f.family = ?"
    " LEFT JOIN jwtlite_subject AS s ON s.subject = ?"
)


class SQLiteStore:
    """A store in one SQLite file, shared safely by threads and by processes on one host.

    The database runs in WAL mode so readers do not block the writer, with a busy timeout so
    concurrent writers wait instead of failing. One connection is shared by the threads of a
    process behind a lock; SQLite's file locks order the processes. WAL needs shared memory,
    so the file must not live on a network filesystem. ``busy_timeout`` bounds each call as a
    whole: waiting for the process's other threads, for other processes' locks and every
    statement of the call share it. A database that cannot be used within it (locked, disk
    errors), or a row that cannot be read, raises
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
        seconds = finite(busy_timeout)  # 10**400 is no timeout (float() would overflow)
        if seconds is None or seconds <= 0:
            raise InvalidArgumentError("busy_timeout must be a positive number of seconds")
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidArgumentError(f"path must be a str or a Path, not {type(path).__name__}")
        self._clock: Clock = clock or time.time
        self._schedule = PurgeSchedule(self._clock, purge_every, purge_interval, purge_batch)
        self._lock = threading.Lock()
        self._path = str(path)
        utf8(self._path, "path")  # SQLite takes its file name as UTF-8
        self._budget = seconds
        self._armed_ms = int(seconds * 1000)  # SQLite's busy timeout as last set
        try:
            # isolation_level=None: autocommit; each statement below is its own transaction,
            # which is what makes consume() a single atomic test-and-set.
            self._conn = sqlite3.connect(
                self._path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            # A store dropped unclosed closes its connection at once. The connection alone
            # would wait for the cyclic collector: since Python 3.11 it sits in a reference
            # cycle with its own statement cache, and Python 3.13 warns of an unclosed one
            # whenever the collector gets to it, in whatever code runs then. The callback
            # holds the connection, never the store, so it does not keep the store alive.
            self._close = weakref.finalize(self, self._conn.close)
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._create_schema()
            except BaseException:
                # A store that cannot open leaves no connection behind: nobody could close it.
                self._close()
                raise
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
            self._close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _deadline(self) -> float:
        return time.monotonic() + self._budget

    def _acquire(self, deadline: float) -> None:
        # The threads of this process queue here; each waits for what is left of its own
        # call's time, not for the busy timeout of every call ahead of it in turn. The lock
        # is nearly always free: trying without a timeout first is the cheaper call.
        if self._lock.acquire(blocking=False):
            return
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise RevocationStoreUnavailableError("revocation database busy past the busy timeout")

    def _arm(self, deadline: float) -> None:
        # With the lock held, before each statement: SQLite waits for other processes' locks
        # for at most what is left of the call's time.
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            raise RevocationStoreUnavailableError("revocation database busy past the busy timeout")
        if abs(left_ms - self._armed_ms) > _SLACK_MS:
            self._conn.execute(f"PRAGMA busy_timeout = {left_ms}")
            self._armed_ms = left_ms

    def _run(
        self,
        sql: str,
        params: tuple[object, ...],
        *,
        write: bool = False,
        deadline: float | None = None,
    ) -> tuple[int, tuple[object, ...] | None]:
        """Execute one statement; return (rowcount, first row), fetched under the lock."""
        if deadline is None:
            deadline = time.monotonic() + self._budget
        self._acquire(deadline)
        try:
            self._arm(deadline)
            cursor = self._conn.execute(sql, params)
            row: tuple[object, ...] | None = None if write else cursor.fetchone()
            count = cursor.rowcount
            if write and self._schedule.due():
                # Best effort, after the write has committed (autocommit): a pass that cannot
                # get the database in the time left stops, and a later pass goes on. Raising
                # would report a committed consume() as failed, and the client's retry would
                # then look like a reused refresh token.
                with contextlib.suppress(sqlite3.Error, RevocationStoreUnavailableError):
                    self._purge_locked(self._schedule.batch, deadline)
            return count, row
        except _BAD_INPUT as exc:
            raise PyJWTError(f"revocation database error: {exc}") from exc
        except sqlite3.Error as exc:
            raise RevocationStoreUnavailableError(f"revocation database error: {exc}") from exc
        finally:
            self._lock.release()

    def _first(
        self, sql: str, params: tuple[object, ...], deadline: float | None = None
    ) -> tuple[object, ...] | None:
        return self._run(sql, params, deadline=deadline)[1]

    def _purge_locked(self, limit: int, deadline: float) -> int:
        time_now = now(self._clock)
        deleted = 0
        for table in _TABLES:
            self._arm(deadline)
            deleted += self._conn.execute(
                f"DELETE FROM {table} WHERE rowid IN"  # noqa: S608 - table names are constants
                f" (SELECT rowid FROM {table} WHERE exp <= ? LIMIT ?)",
                (time_now, limit),
            ).rowcount
        return deleted

    def _exp(self, sql: str, key: str, deadline: float | None = None) -> float | None:
        row = self._first(sql, (key,), deadline)
        return None if row is None else stored_time(row[0], _WHERE)

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp`` (and end any reuse interval it had)."""
        self._run(_REVOKE, (check_id("jti", jti), check_time("exp", exp)), write=True)

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""
        exp = self._exp("SELECT exp FROM jwtlite_jti WHERE jti = ?", check_id("jti", jti))
        return exp is not None and exp > now(self._clock)

    def _take(
        self, jti: str, exp: float, successor: str | None, reuse_until: float | None
    ) -> tuple[bool, float]:
        # (whether this call took the jti, the call's deadline for what follows)
        check_id("jti", jti)
        deadline = self._deadline()
        params = (jti, exp, successor, reuse_until, now(self._clock))
        count, _ = self._run(_TAKE, params, write=True, deadline=deadline)
        return count == 1, deadline

    def consume(self, jti: str, exp: float) -> bool:
        """Spend ``jti`` once: True the first time, False afterwards (one atomic statement)."""
        taken, deadline = self._take(jti, check_time("exp", exp), None, None)
        if not taken:  # an unreadable row must not read as "already spent": it raises
            self._exp("SELECT exp FROM jwtlite_jti WHERE jti = ?", jti, deadline)
        return taken

    def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str | None:
        """Spend ``jti``, or replay its successor within the reuse interval (see the protocol)."""
        exp, reuse_until = check_time("exp", exp), check_time("reuse_until", reuse_until)
        taken, deadline = self._take(jti, exp, check_id("successor", successor), reuse_until)
        if taken:
            return successor
        # The row that beat us was written whole by one statement, so its successor is
        # either there or was never stored: no half-written state can be read here.
        sql = "SELECT exp, successor, reuse_until FROM jwtlite_jti WHERE jti = ?"
        row = self._first(sql, (jti,), deadline)
        if row is None:
            return None
        time_now = now(self._clock)
        live = stored_time(row[0], _WHERE) > time_now
        if row[1] is None or row[2] is None:  # consumed or revoked: nothing to replay
            return None
        if not isinstance(row[1], str):
            raise unreadable(_WHERE)
        return row[1] if live and time_now < stored_time(row[2], _WHERE) else None

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp``."""
        self._run(_REVOKE_FAMILY, (check_id("family", family), check_time("exp", exp)), write=True)

    def is_family_revoked(self, family: str) -> bool:
        """Whether the family is revoked."""
        sql = "SELECT exp FROM jwtlite_family WHERE family = ?"
        exp = self._exp(sql, check_id("family", family))
        return exp is not None and exp > now(self._clock)

    def revoke_subject(self, subject: str, cutoff: float, exp: float) -> None:
        """Revoke the subject's tokens issued at or before ``cutoff``."""
        subject = check_id("subject", subject)
        params = (subject, check_time("cutoff", cutoff), check_time("exp", exp))
        self._run(_REVOKE_SUBJECT, params, write=True)

    @staticmethod
    def _live_cutoff(cutoff: object, exp: object, time_now: float) -> float | None:
        number, until = stored_time(cutoff, _WHERE), stored_time(exp, _WHERE)
        return number if until > time_now else None

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        sql = "SELECT cutoff, exp FROM jwtlite_subject WHERE subject = ?"
        row = self._first(sql, (check_id("subject", subject),))
        return None if row is None else self._live_cutoff(row[0], row[1], now(self._clock))

    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        """The per-request check in one statement."""
        ids = (check_id("jti", jti), check_id("family", family), check_id("subject", subject))
        row = self._first(_LOOKUP, ids)
        assert row is not None  # noqa: S101 - a SELECT from one row always yields one row
        has_jti, jti_exp, has_family, family_exp, has_subject, cutoff, subject_exp = row
        time_now = now(self._clock)
        return (
            bool(has_jti) and stored_time(jti_exp, _WHERE) > time_now,
            bool(has_family) and stored_time(family_exp, _WHERE) > time_now,
            self._live_cutoff(cutoff, subject_exp, time_now) if has_subject else None,
        )

    def purge(self) -> int:
        """Delete every expired row; return how many."""
        deadline = self._deadline()
        self._acquire(deadline)
        try:
            return self._purge_locked(-1, deadline)  # LIMIT -1: no limit
        except sqlite3.Error as exc:
            raise RevocationStoreUnavailableError(f"revocation database error: {exc}") from exc
        finally:
            self._lock.release()
