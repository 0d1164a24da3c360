"""Revocation (deny-list) stores for the token service.

A store remembers three kinds of facts, each with an expiry after which it no longer matters
(the token it concerns has expired by then) and may be purged:

- a ``jti`` that is revoked or, for refresh tokens, already spent;
- a refresh *family* (every token descended from one login) that is revoked;
- a per-subject cutoff: every token of that subject with ``iat <= cutoff`` is revoked.

:class:`RevocationStore` is the contract. :class:`MemoryStore` serves one process;
:class:`SQLiteStore` serves several threads and processes on one host. A store for several hosts
(Redis, a SQL server) implements the same eight methods; the one hard requirement is that
:meth:`RevocationStore.consume` is atomic across every host (``SET key value NX PX ttl`` in Redis,
``INSERT`` against a primary key in SQL): refresh-token reuse detection (RFC 9700 §4.14.2) is only
as good as that single test-and-set.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from .exceptions import PyJWTError

__all__ = ["MemoryStore", "RevocationStore", "SQLiteStore"]

Clock = Callable[[], float]


@runtime_checkable
class RevocationStore(Protocol):
    """What the token service needs from a revocation store.

    Times are seconds since the epoch. ``exp`` arguments say when an entry may be forgotten;
    an entry whose ``exp`` has passed reads as absent. Every method must be safe to call
    concurrently from every thread, process and host that shares the store.
    """

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp`` (idempotent; a later ``exp`` extends it)."""

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""

    def consume(self, jti: str, exp: float) -> bool:
        """Atomically spend ``jti``: True the first time, False if it was already present.

        Must be a single test-and-set across all users of the store; two concurrent calls with
        the same ``jti`` must not both return True.
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

    def purge(self) -> int:
        """Delete expired entries; return how many were deleted."""


class MemoryStore:
    """A thread-safe in-process store. Revocations are lost when the process exits.

    ``clock`` defaults to :func:`time.time`; tests inject their own.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock: Clock = clock or time.time
        self._lock = threading.Lock()
        self._jtis: dict[str, float] = {}
        self._families: dict[str, float] = {}
        # subject -> (cutoff, exp)
        self._subjects: dict[str, tuple[float, float]] = {}

    def _live(self, table: dict[str, float], key: str) -> bool:
        exp = table.get(key)
        if exp is None:
            return False
        if exp <= self._clock():
            del table[key]
            return False
        return True

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp``."""
        with self._lock:
            self._jtis[jti] = max(exp, self._jtis.get(jti, exp))

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
            return True

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp``."""
        with self._lock:
            self._families[family] = max(exp, self._families.get(family, exp))

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

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        with self._lock:
            entry = self._subjects.get(subject)
            if entry is None:
                return None
            if entry[1] <= self._clock():
                del self._subjects[subject]
                return None
            return entry[0]

    def purge(self) -> int:
        """Delete expired entries; return how many."""
        with self._lock:
            now = self._clock()
            count = 0
            for table in (self._jtis, self._families):
                dead = [key for key, exp in table.items() if exp <= now]
                for key in dead:
                    del table[key]
                count += len(dead)
            dead = [key for key, (_, exp) in self._subjects.items() if exp <= now]
            for key in dead:
                del self._subjects[key]
            return count + len(dead)


# ValueError covers strings SQLite cannot store (lone surrogates); OverflowError huge integers.
_DB_ERRORS = (sqlite3.Error, ValueError, OverflowError)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS jwtlite_jti (jti TEXT PRIMARY KEY, exp REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS jwtlite_family (family TEXT PRIMARY KEY, exp REAL NOT NULL)",
    (
        "CREATE TABLE IF NOT EXISTS jwtlite_subject"
        " (subject TEXT PRIMARY KEY, cutoff REAL NOT NULL, exp REAL NOT NULL)"
    ),
)


class SQLiteStore:
    """A store in one SQLite file, shared safely by threads and by processes on one host.

    The database runs in WAL mode so readers do not block the writer, with a busy timeout so
    concurrent writers wait instead of failing. One connection is shared by the threads of a
    process behind a lock; SQLite's file locks order the processes. WAL needs shared memory,
    so the file must not live on a network filesystem. Any sqlite3 failure is raised as
    :class:`~jwtlite.exceptions.PyJWTError`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Clock | None = None,
        busy_timeout: float = 10.0,
    ) -> None:
        self._clock: Clock = clock or time.time
        self._lock = threading.Lock()
        try:
            # isolation_level=None: autocommit; each statement below is its own transaction,
            # which is what makes consume() a single atomic test-and-set.
            self._conn = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            for statement in _SCHEMA:
                self._conn.execute(statement)
        except sqlite3.Error as exc:
            raise PyJWTError(f"cannot open revocation database: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, sql: str, params: tuple[object, ...]) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._conn.execute(sql, params)
        except _DB_ERRORS as exc:
            raise PyJWTError(f"revocation database error: {exc}") from exc

    def _first(self, sql: str, params: tuple[object, ...]) -> tuple[float, ...] | None:
        try:
            with self._lock:
                row: tuple[float, ...] | None = self._conn.execute(sql, params).fetchone()
        except _DB_ERRORS as exc:
            raise PyJWTError(f"revocation database error: {exc}") from exc
        return row

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp``."""
        self._run(
            "INSERT INTO jwtlite_jti (jti, exp) VALUES (?, ?)"
            " ON CONFLICT (jti) DO UPDATE SET exp = max(exp, excluded.exp)",
            (jti, exp),
        )

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""
        sql = "SELECT 1 FROM jwtlite_jti WHERE jti = ? AND exp > ?"
        return self._first(sql, (jti, self._clock())) is not None

    def consume(self, jti: str, exp: float) -> bool:
        """Spend ``jti`` once: True the first time, False afterwards (one atomic statement)."""
        # The upsert inserts a new row, or takes over a row that has expired (and so reads as
        # absent); a live row is left alone and the statement changes nothing.
        cursor = self._run(
            "INSERT INTO jwtlite_jti (jti, exp) VALUES (?, ?)"
            " ON CONFLICT (jti) DO UPDATE SET exp = excluded.exp WHERE jwtlite_jti.exp <= ?",
            (jti, exp, self._clock()),
        )
        return cursor.rowcount == 1

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp``."""
        self._run(
            "INSERT INTO jwtlite_family (family, exp) VALUES (?, ?)"
            " ON CONFLICT (family) DO UPDATE SET exp = max(exp, excluded.exp)",
            (family, exp),
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
        )

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        sql = "SELECT cutoff FROM jwtlite_subject WHERE subject = ? AND exp > ?"
        row = self._first(sql, (subject, self._clock()))
        return None if row is None else float(row[0])

    def purge(self) -> int:
        """Delete expired rows; return how many."""
        now = self._clock()
        return sum(
            self._run(statement, (now,)).rowcount
            for statement in (
                "DELETE FROM jwtlite_jti WHERE exp <= ?",
                "DELETE FROM jwtlite_family WHERE exp <= ?",
                "DELETE FROM jwtlite_subject WHERE exp <= ?",
            )
        )
