"""Revocation stores: SQLiteStore specifics (files, schema migration, rows it did not write,
several processes, its arguments). Busy timeouts and locks are in
test_revocation_sqlite_busy.py."""

from __future__ import annotations

import gc
import math
import sqlite3
import subprocess
import sys
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _store_support import error_text
from conftest import FakeClock

from jwtlite.exceptions import (
    InvalidArgumentError,
    PyJWTError,
    RevocationStoreUnavailableError,
)
from jwtlite.revocation import SQLiteStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_000_000.0)


def test_sqlite_survives_restart(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rev.db"
    with SQLiteStore(path, clock=clock) as first:
        first.revoke("a", clock.now + 10)
        first.revoke_family("f", clock.now + 10)
        first.revoke_subject("s", 7.0, clock.now + 10)
        assert first.consume("r", clock.now + 10)
    with SQLiteStore(str(path), clock=clock) as second:
        assert second.is_revoked("a")
        assert second.is_family_revoked("f")
        assert second.subject_cutoff("s") == 7.0
        assert not second.consume("r", clock.now + 10)
        mode = second._conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_sqlite_hostile_strings_are_data(tmp_path: Path, clock: FakeClock) -> None:
    nasty = "x'); DROP TABLE jwtlite_jti; --"
    with SQLiteStore(tmp_path / "rev.db", clock=clock) as store:
        store.revoke(nasty, clock.now + 10)
        assert store.is_revoked(nasty)
        assert not store.is_revoked("x")
        store.revoke_family(nasty, clock.now + 10)
        store.revoke_subject(nasty, 1.0, clock.now + 10)
        assert store.is_family_revoked(nasty)
        assert store.subject_cutoff(nasty) == 1.0


def test_sqlite_errors_are_jwtlite_errors(tmp_path: Path, clock: FakeClock) -> None:
    with pytest.raises(PyJWTError, match="cannot open"):
        SQLiteStore(tmp_path / "missing-dir" / "rev.db")
    with SQLiteStore(tmp_path / "rev.db", clock=clock) as store:
        with pytest.raises(PyJWTError, match="database error"):
            store.revoke("\ud800", 1.0)
        with pytest.raises(PyJWTError, match="database error"):
            store.is_revoked("\ud800")
        with pytest.raises(InvalidArgumentError, match="NaN"):
            store.revoke("a", float("nan"))
    with pytest.raises(PyJWTError, match="database error"):
        store.is_revoked("a")
    with pytest.raises(PyJWTError, match="database error"):
        store.revoke("a", 1.0)


_WORKER = """
import sys
import weakref
from jwtlite.revocation import SQLiteStore
store = SQLiteStore(sys.argv[1])
won = [str(i) for i in range(int(sys.argv[2])) if store.consume("jti-%d" % i, 4e9)]
store.revoke("seen-" + sys.argv[3], 4e9)
print(" ".join(won))
"""


def test_sqlite_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    count, workers = 200, 4
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(path), str(count), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    wins: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        wins.extend(out.split())
    # Every jti was spent exactly once across all processes.
    assert sorted(wins, key=int) == [str(i) for i in range(count)]
    with SQLiteStore(path) as store:
        assert all(store.is_revoked(f"seen-{n}") for n in range(workers))


def _first_release_file(path: Path) -> None:
    """A database as the first release made it: jwtlite_jti without the later columns."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE jwtlite_jti (jti TEXT PRIMARY KEY, exp REAL NOT NULL)")
    conn.execute("INSERT INTO jwtlite_jti VALUES ('old', 1e12)")
    conn.commit()
    conn.close()


def test_sqlite_upgrades_a_first_release_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _first_release_file(path)
    with SQLiteStore(path) as store:
        assert store.is_revoked("old")
        assert store.spend("r", 2e12, successor="s", reuse_until=1e12) == "s"
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(jwtlite_jti)")]
    conn.close()
    assert columns == ["jti", "exp", "successor", "reuse_until"]


class _Interloper:
    """A connection that lets another process try to add a column while the store reads the
    table's columns: the moment a check-then-alter migration races."""

    def __init__(self, conn: sqlite3.Connection, path: Path, connect: Any) -> None:
        self._conn = conn
        self._path = path
        self._connect = connect
        self.outcome = ""

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.startswith("PRAGMA table_info"):
            other = self._connect(self._path, timeout=0, isolation_level=None)
            try:
                other.execute("ALTER TABLE jwtlite_jti ADD COLUMN successor TEXT")
                self.outcome = "added"
            except sqlite3.OperationalError as exc:
                self.outcome = str(exc)
            finally:
                other.close()
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_sqlite_migration_holds_the_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes opening an older file at once once both added a column (CI saw
    # "duplicate column name"); the check and the change are now one write transaction.
    path = tmp_path / "old.db"
    _first_release_file(path)
    made: list[_Interloper] = []
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        made.append(_Interloper(real_connect(*args, **kwargs), path, real_connect))
        return made[-1]

    monkeypatch.setattr("jwtlite._sqlite_store.sqlite3.connect", connect)
    store = SQLiteStore(path)
    store.close()
    assert len(made) == 1
    assert made[0].outcome == "database is locked"


def test_sqlite_old_schema_gains_columns(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE jwtlite_jti (jti TEXT PRIMARY KEY, exp REAL NOT NULL)")
    conn.execute("INSERT INTO jwtlite_jti VALUES ('old', ?)", (clock.now + 10,))
    conn.commit()
    conn.close()
    with SQLiteStore(path, clock=clock) as store:
        assert store.is_revoked("old")
        assert store.spend("r", clock.now + 10, successor="s", reuse_until=clock.now + 5) == "s"
        assert store.spend("r", clock.now + 10, successor="t", reuse_until=clock.now + 5) == "s"


def _seed_unreadable_rows(path: Path, later: float, *extra: str) -> None:
    """Write rows the store never writes itself, beside it: a text expiry in each table, a
    blob successor, a text reuse interval, a text cutoff, a blob subject expiry (every one
    expiring at ``later`` where it has a time). ``extra`` statements add more."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("INSERT INTO jwtlite_jti (jti, exp) VALUES ('text', 'soon')")
    raw.execute("INSERT INTO jwtlite_jti VALUES ('spent', ?, x'6869', ?)", (later, later))
    raw.execute("INSERT INTO jwtlite_jti VALUES ('until', ?, 'next', 'soon')", (later,))
    raw.execute("INSERT INTO jwtlite_family VALUES ('text', 'soon')")
    raw.execute("INSERT INTO jwtlite_subject VALUES ('cutoff', 'soon', ?)", (later,))
    raw.execute("INSERT INTO jwtlite_subject VALUES ('exp', 5.0, x'00')")
    for statement in extra:
        raw.execute(statement)
    raw.close()


def test_sqlite_rows_it_cannot_read_fail_closed(tmp_path: Path, clock: FakeClock) -> None:
    # Text and blobs sort after numbers, so they read as revoked, or as "already spent" in
    # consume(); a subject's text cutoff raised ValueError (a 500); a blob successor was
    # replayed as "b'hi'"; and in a table made without NOT NULL, a NULL expiry read as absent.
    path = tmp_path / "rev.db"
    made = sqlite3.connect(path)
    made.execute("CREATE TABLE jwtlite_family (family TEXT PRIMARY KEY, exp REAL)")
    made.commit()
    made.close()
    later = clock.now + 60
    with SQLiteStore(path, clock=clock) as store:
        _seed_unreadable_rows(
            path,
            later,
            "INSERT INTO jwtlite_jti (jti, exp) VALUES ('blob', x'01')",
            "INSERT INTO jwtlite_family VALUES ('null', NULL)",
        )
        calls: list[Callable[[], object]] = [
            lambda: store.is_revoked("text"),
            lambda: store.is_revoked("blob"),
            lambda: store.lookup(jti="text", family="-", subject="-"),
            lambda: store.consume("text", later),
            lambda: store.spend("spent", later, successor="s", reuse_until=later),
            lambda: store.spend("until", later, successor="s", reuse_until=later),
            lambda: store.is_family_revoked("null"),
            lambda: store.is_family_revoked("text"),
            lambda: store.lookup(jti="-", family="null", subject="-"),
            lambda: store.subject_cutoff("cutoff"),
            lambda: store.subject_cutoff("exp"),
            lambda: store.lookup(jti="-", family="-", subject="cutoff"),
        ]
        for call in calls:
            with pytest.raises(RevocationStoreUnavailableError, match="unreadable"):
                call()
        assert len(calls) == 12
        # A revocation replaces what cannot be read: what it writes is all that is known.
        store.revoke("text", later)
        store.revoke_family("null", later)
        store.revoke_subject("cutoff", 7.0, later)
        assert store.lookup(jti="text", family="null", subject="cutoff") == (True, True, 7.0)


def test_sqlite_unreadable_entries_are_named_exactly(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rev.db"
    later = clock.now + 60
    with SQLiteStore(path, clock=clock) as store:
        _seed_unreadable_rows(path, later)
        calls: list[Callable[[], object]] = [
            lambda: store.subject_cutoff("exp"),
            lambda: store.is_revoked("text"),
            lambda: store.consume("text", later),
            lambda: store.spend("text", later, successor="s", reuse_until=later),
            lambda: store.spend("spent", later, successor="s", reuse_until=later),
            lambda: store.spend("until", later, successor="s", reuse_until=later),
            lambda: store.is_family_revoked("text"),
            lambda: store.subject_cutoff("cutoff"),
            lambda: store.lookup(jti="text", family="-", subject="-"),
            lambda: store.lookup(jti="-", family="text", subject="-"),
            lambda: store.lookup(jti="-", family="-", subject="cutoff"),
        ]
        for call in calls:
            assert error_text(call, error=RevocationStoreUnavailableError) == (
                "unreadable revocation entry in the SQLite database"
            )
        assert len(calls) == 11


def test_sqlite_a_successor_without_a_reuse_interval_is_not_replayed(
    tmp_path: Path, clock: FakeClock
) -> None:
    # A row with a successor but no reuse_until (not one this store writes): the token is
    # spent and nothing is replayed, as for a consumed or revoked jti.
    path = tmp_path / "rev.db"
    later = clock.now + 60
    with SQLiteStore(path, clock=clock) as store:
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("INSERT INTO jwtlite_jti VALUES ('half', ?, NULL, ?)", (later, later))
        raw.execute("INSERT INTO jwtlite_jti VALUES ('other', ?, 'next', NULL)", (later,))
        raw.close()
        assert store.spend("half", later, successor="s", reuse_until=later) is None
        assert store.spend("other", later, successor="s", reuse_until=later) is None


def test_sqlite_reads_a_whole_number_written_by_someone_else(
    tmp_path: Path, clock: FakeClock
) -> None:
    # A column without REAL affinity (a table made by hand) gives an int back: a time.
    path = tmp_path / "rev.db"
    made = sqlite3.connect(path)
    made.execute("CREATE TABLE jwtlite_family (family TEXT PRIMARY KEY, exp NOT NULL)")
    made.execute("INSERT INTO jwtlite_family VALUES ('f', 2000000), ('g', 1000000)")
    made.commit()
    made.close()
    with SQLiteStore(path, clock=clock) as store:
        assert store.is_family_revoked("f")
        assert not store.is_family_revoked("g")  # exp == now: expired


def _not_our_table(tmp_path: Path) -> Path:
    """A database whose jwtlite_jti table is not ours: it has no exp column."""
    path = tmp_path / "other.db"
    made = sqlite3.connect(path)
    made.execute("CREATE TABLE jwtlite_jti (jti TEXT PRIMARY KEY)")
    made.commit()
    made.close()
    return path


def test_sqlite_a_schema_that_cannot_be_made_is_rolled_back(tmp_path: Path) -> None:
    # A jwtlite_jti table without an exp column (not ours): the index on exp cannot be made,
    # the migration's transaction is rolled back and the error names the cause.
    path = _not_our_table(tmp_path)
    assert error_text(SQLiteStore, path, error=PyJWTError) == (
        f"cannot open revocation database {str(path)!r}: no such column: exp"
    )
    conn = sqlite3.connect(path)
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
    conn.close()
    assert tables == ["jwtlite_jti", "sqlite_autoindex_jwtlite_jti_1"]


def test_sqlite_a_store_that_cannot_open_closes_its_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The migration fails (not our jwtlite_jti table): the connection opened for it is closed
    # before the error leaves, not left to the collector (Python 3.13 warns then).
    path = _not_our_table(tmp_path)
    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(sqlite3, "connect", connect)
    with pytest.raises(PyJWTError, match="no such column: exp"):
        SQLiteStore(path)
    assert len(opened) == 1
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")


def test_sqlite_a_store_dropped_unclosed_closes_its_connection_at_once(tmp_path: Path) -> None:
    # The connection sits in a reference cycle (with its statement cache): left to itself it
    # closes only when the cyclic collector runs, and Python 3.13 then warns of it in whatever
    # test runs at that moment. Dropping the last reference to the store closes it at once.
    gc.disable()  # nothing here may lean on the collector
    try:
        for path in (":memory:", str(tmp_path / "dropped.db")):
            store = SQLiteStore(path)
            store.revoke("a", 2e9)
            conn, alive = store._conn, weakref.ref(store)
            del store
            assert alive() is None  # the store itself is in no cycle
            with pytest.raises(sqlite3.ProgrammingError, match="closed"):
                conn.execute("SELECT 1")
    finally:
        gc.enable()


def test_sqlite_close_is_idempotent_and_ends_the_store(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "closed.db")
    store.close()
    store.close()
    with pytest.raises(RevocationStoreUnavailableError, match="closed"):
        store.is_revoked("a")


@pytest.mark.parametrize("busy_timeout", [0, -1, math.nan, math.inf, "10", True])
def test_sqlite_bad_busy_timeout(tmp_path: Path, busy_timeout: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="busy_timeout"):
        SQLiteStore(tmp_path / "rev.db", busy_timeout=busy_timeout)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"path": "a\ud800"}, "path is not valid text"), ({"path": 5}, "path must be a str"),
     ({"path": ":memory:", "busy_timeout": 10**400}, "busy_timeout must be a positive")],
)  # fmt: skip
def test_sqlite_store_arguments_raise_invalid_argument(
    arguments: dict[str, Any], message: str
) -> None:
    # UnicodeEncodeError from sqlite3.connect, ValueError from str(), OverflowError from float()
    with pytest.raises(InvalidArgumentError, match=message):
        SQLiteStore(**arguments)


def test_sqlite_store_defaults_and_refusals_are_exact(tmp_path: Path) -> None:
    with SQLiteStore(":memory:") as store:
        assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert error_text(SQLiteStore, 5) == "path must be a str or a Path, not int"
    for bad in (0, -1, math.nan, "10"):
        assert error_text(SQLiteStore, ":memory:", busy_timeout=bad) == (
            "busy_timeout must be a positive number of seconds"
        )


class _ScriptedClock(FakeClock):
    """A clock that first gives the times queued in ``script``, then ``now``."""

    def __init__(self) -> None:
        super().__init__(1_000_000.0)
        self.script: list[float] = []

    def __call__(self) -> float:
        return self.script.pop(0) if self.script else self.now


def test_sqlite_spend_reads_the_winning_row_at_its_own_time() -> None:
    # The row that beat this spend() is read after the test-and-set; if it has expired by
    # then (exp exactly now) it replays nothing, even inside its reuse interval.
    clock = _ScriptedClock()
    with SQLiteStore(":memory:", clock=clock) as store:
        start = clock.now
        assert store.spend("r", start + 10, successor="s", reuse_until=start + 20) == "s"
        clock.script = [start, start]  # the test-and-set, the purge schedule
        clock.now = start + 10
        assert store.spend("r", start + 30, successor="t", reuse_until=start + 40) is None
        clock.script = [start + 9, start + 9]
        clock.now = start + 9.5
        assert store.spend("r", start + 30, successor="t", reuse_until=start + 40) == "s"
