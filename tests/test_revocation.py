"""Revocation stores: the protocol contract, run against every store, plus SQLite specifics."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite.exceptions import (
    InvalidArgumentError,
    PyJWTError,
    RevocationStoreUnavailableError,
)
from jwtlite.revocation import MemoryStore, RedisStore, RevocationStore, SQLiteStore

MAX_SECONDS = 253_402_300_799.0  # 9999-12-31T23:59:59Z: the latest time a store keeps


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_000_000.0)


@pytest.fixture(params=["memory", "sqlite-file", "sqlite-memory", "redis", "redis-cluster"])
def store(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> Iterator[RevocationStore]:
    if request.param == "memory":
        yield MemoryStore(clock=clock)
        return
    if request.param.startswith("redis"):
        cluster = request.param == "redis-cluster"
        url = request.getfixturevalue("redis_cluster_url" if cluster else "redis_url")
        with RedisStore(url, clock=clock, cluster=cluster) as redis_store:
            yield redis_store
        return
    path = tmp_path / "rev.db" if request.param == "sqlite-file" else ":memory:"
    with SQLiteStore(path, clock=clock) as sqlite_store:
        yield sqlite_store


def test_is_a_revocation_store(store: RevocationStore) -> None:
    assert isinstance(store, RevocationStore)


def test_revoke_and_expire(store: RevocationStore, clock: FakeClock) -> None:
    assert not store.is_revoked("a")
    store.revoke("a", clock.now + 10)
    assert store.is_revoked("a")
    assert not store.is_revoked("b")
    clock.now += 10
    assert not store.is_revoked("a")


def test_revoke_never_shortens(store: RevocationStore, clock: FakeClock) -> None:
    store.revoke("a", clock.now + 100)
    store.revoke("a", clock.now + 5)
    clock.now += 50
    assert store.is_revoked("a")


def test_consume_once(store: RevocationStore, clock: FakeClock) -> None:
    assert store.consume("r", clock.now + 10)
    assert not store.consume("r", clock.now + 10)
    assert store.is_revoked("r")
    clock.now += 10
    # The spent entry has expired: it reads as absent and can be taken again.
    assert store.consume("r", clock.now + 10)
    assert not store.consume("r", clock.now + 10)


def test_consume_refuses_revoked_jti(store: RevocationStore, clock: FakeClock) -> None:
    store.revoke("r", clock.now + 10)
    assert not store.consume("r", clock.now + 10)


def test_family(store: RevocationStore, clock: FakeClock) -> None:
    assert not store.is_family_revoked("f")
    store.revoke_family("f", clock.now + 10)
    store.revoke_family("f", clock.now + 1)
    assert store.is_family_revoked("f")
    assert not store.is_family_revoked("g")
    clock.now += 5
    assert store.is_family_revoked("f")
    clock.now += 5
    assert not store.is_family_revoked("f")


def test_subject_cutoff(store: RevocationStore, clock: FakeClock) -> None:
    assert store.subject_cutoff("alice") is None
    store.revoke_subject("alice", 500.0, clock.now + 10)
    assert store.subject_cutoff("alice") == 500.0
    store.revoke_subject("alice", 400.0, clock.now + 5)
    assert store.subject_cutoff("alice") == 500.0
    store.revoke_subject("alice", 600.0, clock.now + 20)
    assert store.subject_cutoff("alice") == 600.0
    assert store.subject_cutoff("bob") is None
    clock.now += 20
    assert store.subject_cutoff("alice") is None


def test_purge(store: RevocationStore, clock: FakeClock) -> None:
    if isinstance(store, RedisStore):
        pytest.skip("Redis expires entries by TTL: purge() has nothing to do")
    store.revoke("a", clock.now + 1)
    store.revoke("b", clock.now + 100)
    store.consume("c", clock.now + 1)
    store.revoke_family("f", clock.now + 1)
    store.revoke_family("g", clock.now + 100)
    store.revoke_subject("s", 1.0, clock.now + 1)
    store.revoke_subject("t", 1.0, clock.now + 100)
    assert store.purge() == 0
    clock.now += 1
    assert store.purge() == 4
    assert store.purge() == 0
    assert store.is_revoked("b")
    assert store.is_family_revoked("g")
    assert store.subject_cutoff("t") == 1.0


def test_spend_then_replay_within_interval(store: RevocationStore, clock: FakeClock) -> None:
    assert store.spend("r", clock.now + 100, successor="s1", reuse_until=clock.now + 5) == "s1"
    assert store.is_revoked("r")
    assert not store.consume("r", clock.now + 100)
    # Within the interval every later spend gets the FIRST call's successor.
    clock.now += 4.5
    assert store.spend("r", clock.now + 100, successor="s2", reuse_until=clock.now + 5) == "s1"
    clock.now += 0.5
    assert store.spend("r", clock.now + 100, successor="s3", reuse_until=clock.now + 5) is None
    assert store.is_revoked("r")


def test_spend_refuses_consumed_or_revoked(store: RevocationStore, clock: FakeClock) -> None:
    assert store.consume("c", clock.now + 10)
    assert store.spend("c", clock.now + 10, successor="s", reuse_until=clock.now + 5) is None
    store.revoke("v", clock.now + 10)
    assert store.spend("v", clock.now + 10, successor="s", reuse_until=clock.now + 5) is None
    # Revoking a spent token ends its reuse interval at once.
    assert store.spend("x", clock.now + 10, successor="s", reuse_until=clock.now + 5) == "s"
    store.revoke("x", clock.now + 10)
    assert store.spend("x", clock.now + 10, successor="t", reuse_until=clock.now + 5) is None


def test_spend_after_expiry_starts_over(store: RevocationStore, clock: FakeClock) -> None:
    assert store.spend("r", clock.now + 10, successor="s1", reuse_until=clock.now + 20) == "s1"
    clock.now += 10
    assert not store.is_revoked("r")
    assert store.spend("r", clock.now + 10, successor="s2", reuse_until=clock.now + 5) == "s2"


def test_lookup(store: RevocationStore, clock: FakeClock) -> None:
    assert store.lookup(jti="j", family="f", subject="s") == (False, False, None)
    store.revoke("j", clock.now + 10)
    assert store.lookup(jti="j", family="f", subject="s") == (True, False, None)
    store.revoke_family("f", clock.now + 20)
    store.revoke_subject("s", 5.0, clock.now + 30)
    assert store.lookup(jti="j", family="f", subject="s") == (True, True, 5.0)
    assert store.lookup(jti="k", family="g", subject="t") == (False, False, None)
    clock.now += 10
    assert store.lookup(jti="j", family="f", subject="s") == (False, True, 5.0)
    clock.now += 20
    assert store.lookup(jti="j", family="f", subject="s") == (False, False, None)


_NOT_TIMES: list[object] = [float("nan"), "10", None, True, b"1"]


def test_times_that_are_not_numbers_are_refused(store: RevocationStore, clock: FakeClock) -> None:
    # NaN compares false with everything: it meant "never expires" in the memory store (and
    # stopped its purges), "already gone" in Redis, and a 503 from SQLite's NOT NULL.
    later = clock.now + 5
    calls: list[Callable[[Any], object]] = [
        lambda t: store.revoke("a", t),
        lambda t: store.consume("a", t),
        lambda t: store.spend("a", t, successor="s", reuse_until=later),
        lambda t: store.spend("a", later, successor="s", reuse_until=t),
        lambda t: store.revoke_family("f", t),
        lambda t: store.revoke_subject("s", t, later),
        lambda t: store.revoke_subject("s", 1.0, t),
    ]
    refused = 0
    for call in calls:
        for bad in _NOT_TIMES:
            with pytest.raises(InvalidArgumentError):
                call(bad)
            refused += 1
    assert refused == 35
    assert store.lookup(jti="a", family="f", subject="s") == (False, False, None)


def test_far_times_are_kept_as_the_year_9999(store: RevocationStore, clock: FakeClock) -> None:
    # Every store keeps the same finite float, so a time reads back the same from each.
    store.revoke("inf", math.inf)
    store.revoke("huge", 10**400)
    store.revoke_family("f", 2**80)
    store.revoke_subject("s", math.inf, math.inf)
    assert store.lookup(jti="inf", family="f", subject="s") == (True, True, MAX_SECONDS)
    assert store.is_revoked("huge")
    store.revoke_subject("t", -(10**400), clock.now + 10)
    assert store.subject_cutoff("t") == -MAX_SECONDS
    assert store.consume("gone", -math.inf)
    assert store.consume("gone", clock.now + 10)  # the first spend had already expired


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_a_clock_without_a_finite_time_fails_closed(
    store: RevocationStore, clock: FakeClock, bad: float
) -> None:
    # With now = NaN every "exp > now" is false: every revocation would read as absent.
    store.revoke("a", clock.now + 10)
    store.revoke_family("f", clock.now + 10)
    store.revoke_subject("s", 5.0, clock.now + 10)
    clock.now = bad
    reads: list[Callable[[], object]] = [
        lambda: store.is_revoked("a"),
        lambda: store.is_family_revoked("f"),
        lambda: store.subject_cutoff("s"),
        lambda: store.lookup(jti="a", family="f", subject="s"),
        lambda: store.lookup(jti="b", family="g", subject="t"),
        lambda: store.consume("b", 2e9),
        lambda: store.spend("b", 2e9, successor="x", reuse_until=2e9),
    ]
    for read in reads:
        with pytest.raises(RevocationStoreUnavailableError, match="clock"):
            read()
    assert len(reads) == 7


def test_concurrent_spend_threads(store: RevocationStore, clock: FakeClock) -> None:
    answers: list[str | None] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        start.wait()
        got = store.spend("r", clock.now + 60, successor=f"s{n}", reuse_until=clock.now + 5)
        with lock:
            answers.append(got)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8
    # Exactly one call stored its successor; all eight got that one.
    assert len(set(answers)) == 1
    assert answers[0] in {f"s{n}" for n in range(8)}


def test_concurrent_consume_threads(store: RevocationStore, clock: FakeClock) -> None:
    wins: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for i in range(50):
            if store.consume(f"jti-{i}", clock.now + 60):
                with lock:
                    wins.append(f"jti-{i}")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == sorted(f"jti-{i}" for i in range(50))


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


_KEYS = st.text(max_size=40)
_TIMES = st.one_of(st.floats(allow_nan=False), st.integers(min_value=-(2**70), max_value=2**70))


@settings(max_examples=150, deadline=None)
@given(key=_KEYS, exp=_TIMES)
def test_any_input_is_stored_or_refused_cleanly(key: str, exp: float) -> None:
    clock = FakeClock(1_000_000.0)
    with SQLiteStore(":memory:", clock=clock) as sqlite_store:
        for store in (MemoryStore(clock=clock), sqlite_store):
            try:
                store.revoke(key, exp)
                store.revoke_family(key, exp)
                store.revoke_subject(key, exp, exp)
                consumed = store.consume(key + "!", exp)
            except PyJWTError:
                assert isinstance(store, SQLiteStore)
                continue
            live = exp > clock.now
            assert consumed
            assert store.purge() == (0 if live else 4)
            assert store.is_revoked(key) is live
            assert store.is_family_revoked(key) is live
            # Times are kept as floats clamped to the year 9999 in every store.
            kept = max(-MAX_SECONDS, min(float(exp), MAX_SECONDS))
            assert store.subject_cutoff(key) == (kept if live else None)


def _rows(store: MemoryStore | SQLiteStore) -> int:
    if isinstance(store, MemoryStore):
        return len(store)
    return sum(
        store._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        for table in ("jwtlite_jti", "jwtlite_family", "jwtlite_subject")
    )


@pytest.fixture
def make(clock: FakeClock) -> Iterator[Callable[..., MemoryStore | SQLiteStore]]:
    """Build a memory or SQLite store with a purge policy; SQLite stores are closed after."""
    opened: list[SQLiteStore] = []

    def build(kind: str, **policy: Any) -> MemoryStore | SQLiteStore:
        if kind == "memory":
            return MemoryStore(clock=clock, **policy)
        opened.append(SQLiteStore(":memory:", clock=clock, **policy))
        return opened[-1]

    yield build
    for store in opened:
        store.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_expired_rows_go_away_every_n_writes(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    store = make(kind, purge_every=10, purge_interval=3600)
    for i in range(3):
        store.revoke(f"a{i}", clock.now + 1)
        store.revoke_family(f"f{i}", clock.now + 1)
        store.revoke_subject(f"s{i}", 1.0, clock.now + 1)
    assert _rows(store) == 9
    clock.now += 2
    store.revoke("live", clock.now + 100)  # the tenth write: a purge pass runs, no purge() call
    assert _rows(store) == 1
    assert store.is_revoked("live")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_expired_rows_go_away_after_interval(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    store = make(kind, purge_every=1000, purge_interval=60)
    for i in range(5):
        assert store.consume(f"r{i}", clock.now + 1)
    clock.now += 59
    store.revoke("x", clock.now + 1000)
    assert _rows(store) == 6  # not yet 60 s since the last pass
    clock.now += 1
    store.revoke("y", clock.now + 1000)
    assert _rows(store) == 2


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_purge_pass_is_bounded(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    store = make(kind, purge_every=11, purge_interval=3600, purge_batch=3)
    for i in range(10):
        store.revoke(f"a{i}", clock.now + 1 + i / 100)
    clock.now += 2
    store.revoke("live", clock.now + 100)
    assert _rows(store) == 8  # one pass deleted at most purge_batch entries
    assert store.purge() == 7
    assert _rows(store) == 1


def test_memory_purge_skips_extended_entries(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock, purge_every=2)
    store.revoke("a", clock.now + 1)
    store.revoke("a", clock.now + 100)  # second write: a pass runs, nothing has expired
    clock.now += 2
    store.revoke("b", clock.now + 1)
    store.revoke("c", clock.now + 1)  # a pass pops a's stale heap entry but keeps the entry
    assert store.is_revoked("a")
    assert len(store) == 3


@pytest.mark.parametrize(
    "policy",
    [
        {"purge_every": 0},
        {"purge_every": True},
        {"purge_batch": 1.5},
        {"purge_interval": 0},
        {"purge_interval": "60"},
        {"purge_interval": float("nan")},
    ],
)
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_bad_purge_policy(
    kind: str, policy: dict[str, Any], make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    with pytest.raises(InvalidArgumentError):
        make(kind, **policy)


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


def test_sqlite_locked_database_is_unavailable(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rev.db"
    with SQLiteStore(path, clock=clock, busy_timeout=0.05) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(RevocationStoreUnavailableError):
                store.revoke("a", clock.now + 10)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.revoke("a", clock.now + 10)
        assert store.is_revoked("a")


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
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("INSERT INTO jwtlite_jti (jti, exp) VALUES ('text', 'soon'), ('blob', x'01')")
        raw.execute("INSERT INTO jwtlite_jti VALUES ('spent', ?, x'6869', ?)", (later, later))
        raw.execute("INSERT INTO jwtlite_jti VALUES ('until', ?, 'next', 'soon')", (later,))
        raw.execute("INSERT INTO jwtlite_family VALUES ('null', NULL), ('text', 'soon')")
        raw.execute("INSERT INTO jwtlite_subject VALUES ('cutoff', 'soon', ?)", (later,))
        raw.execute("INSERT INTO jwtlite_subject VALUES ('exp', 5.0, x'00')")
        raw.close()
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


def test_sqlite_busy_timeout_bounds_each_call_not_each_statement(
    tmp_path: Path, clock: FakeClock
) -> None:
    # Threads of one process queue on the store's lock; each waited for the busy timeout of
    # every call ahead of it, so the eighth of eight waited 8 x 0.2 s behind a locked file.
    path = tmp_path / "rev.db"
    with SQLiteStore(path, clock=clock, busy_timeout=0.2) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        took: list[float] = []
        refused: list[int] = []

        def write(n: int) -> None:
            started = time.monotonic()
            try:
                store.revoke(f"a{n}", clock.now + 10)
            except RevocationStoreUnavailableError:
                refused.append(n)
            took.append(time.monotonic() - started)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert sorted(refused) == list(range(8))
        assert max(took) < 0.8, took  # one busy timeout each, with room for a loaded host
        store.revoke("a", clock.now + 10)
        assert store.is_revoked("a")


def test_sqlite_a_purge_that_cannot_run_does_not_fail_the_write(
    tmp_path: Path, clock: FakeClock
) -> None:
    # The purge pass runs after the write has committed. When it could not get the database,
    # consume() raised although the jti was spent: the client's retry then read as reuse.
    path = tmp_path / "rev.db"
    with SQLiteStore(path, clock=clock, busy_timeout=0.2, purge_every=1) as store:
        blocker = sqlite3.connect(path, isolation_level=None)

        def lock_before_the_purge(statement: str) -> None:
            # Another process takes the write lock between the write and the purge.
            if statement.startswith("DELETE") and not blocker.in_transaction:
                blocker.execute("BEGIN EXCLUSIVE")

        store._conn.set_trace_callback(lock_before_the_purge)
        try:
            assert store.consume("r", clock.now + 10)
            assert blocker.in_transaction  # the purge did meet a locked database
        finally:
            store._conn.set_trace_callback(None)
            if blocker.in_transaction:
                blocker.execute("ROLLBACK")
            blocker.close()
        assert not store.consume("r", clock.now + 10)


@pytest.mark.parametrize("busy_timeout", [0, -1, math.nan, math.inf, "10", True])
def test_sqlite_bad_busy_timeout(tmp_path: Path, busy_timeout: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="busy_timeout"):
        SQLiteStore(tmp_path / "rev.db", busy_timeout=busy_timeout)


def test_store_reprs_are_short(tmp_path: Path, clock: FakeClock) -> None:
    memory = MemoryStore(clock=clock)
    memory.revoke("secret-jti", clock.now + 10)
    assert repr(memory) == "MemoryStore(entries=1, purge=every=1000, interval=60.0, batch=1000)"
    with SQLiteStore(tmp_path / "rev.db", clock=clock) as store:
        store.revoke("secret-jti", clock.now + 10)
        assert "secret-jti" not in repr(store)
        assert repr(store).startswith("SQLiteStore(")


@pytest.mark.parametrize("bad", [["jti"], {"a": 1}, 5, None, b"jti"])
@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_an_id_that_is_not_a_string_raises_invalid_argument(
    bad: Any, kind: str, request: pytest.FixtureRequest
) -> None:
    # MemoryStore raised TypeError (unhashable) or took an int key, whose heap entry then
    # could not be ordered against the string keys of every later write; SQLiteStore answered
    # RevocationStoreUnavailableError (a 503) for the caller's bug.
    clock = FakeClock()
    if kind == "redis":
        store: Any = RedisStore(request.getfixturevalue("redis_url"), clock=clock)
    elif kind == "sqlite":
        store = SQLiteStore(":memory:", clock=clock)
    else:
        store = MemoryStore(clock=clock)
    for call in (
        lambda: store.revoke(bad, 2e9),
        lambda: store.is_revoked(bad),
        lambda: store.consume(bad, 2e9),
        lambda: store.spend("j", 2e9, successor=bad, reuse_until=2e9),
        lambda: store.revoke_family(bad, 2e9),
        lambda: store.is_family_revoked(bad),
        lambda: store.revoke_subject(bad, 1e9, 2e9),
        lambda: store.subject_cutoff(bad),
        lambda: store.lookup(jti=bad, family="f", subject="s"),
    ):
        with pytest.raises(InvalidArgumentError, match="must be a string"):
            call()
    store.revoke("after", 2e9)  # the store still works
    assert store.is_revoked("after")
    if kind != "memory":
        store.close()


def test_a_clock_that_is_not_callable_raises_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError, match="clock must be a function"):
        MemoryStore(clock=5)  # type: ignore[arg-type]


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


# --- Mutation testing (docs/architecture.md, "Mutation testing"): the exact refusal texts,
# the boundaries of expiry and of the reuse interval, purge counting, the call's deadline.

_ID_CALLS: list[tuple[str, Callable[[Any, Any], object]]] = [
    ("jti", lambda s, b: s.revoke(b, 2e9)),
    ("jti", lambda s, b: s.is_revoked(b)),
    ("jti", lambda s, b: s.consume(b, 2e9)),
    ("jti", lambda s, b: s.spend(b, 2e9, successor="s", reuse_until=2e9)),
    ("successor", lambda s, b: s.spend("j", 2e9, successor=b, reuse_until=2e9)),
    ("family", lambda s, b: s.revoke_family(b, 2e9)),
    ("family", lambda s, b: s.is_family_revoked(b)),
    ("subject", lambda s, b: s.revoke_subject(b, 1e9, 2e9)),
    ("subject", lambda s, b: s.subject_cutoff(b)),
    ("jti", lambda s, b: s.lookup(jti=b, family="f", subject="s")),
    ("family", lambda s, b: s.lookup(jti="j", family=b, subject="s")),
    ("subject", lambda s, b: s.lookup(jti="j", family="f", subject=b)),
]

_TIME_CALLS: list[tuple[str, Callable[[Any, Any], object]]] = [
    ("exp", lambda s, t: s.revoke("a", t)),
    ("exp", lambda s, t: s.consume("a", t)),
    ("exp", lambda s, t: s.spend("a", t, successor="s", reuse_until=2e9)),
    ("reuse_until", lambda s, t: s.spend("a", 2e9, successor="s", reuse_until=t)),
    ("exp", lambda s, t: s.revoke_family("f", t)),
    ("cutoff", lambda s, t: s.revoke_subject("s", t, 2e9)),
    ("exp", lambda s, t: s.revoke_subject("s", 1e9, t)),
]


def _message(
    call: Callable[..., object],
    *args: Any,
    error: type[Exception] = InvalidArgumentError,
    **kwargs: Any,
) -> str:
    """The text of the error ``call(*args, **kwargs)`` raises."""
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_refusals_name_the_argument(
    kind: str, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # The caller's bug is named exactly: which argument, and what was given instead.
    store = make(kind)
    checked = 0
    for name, call in _ID_CALLS:
        assert _message(call, store, 5) == f"{name} must be a string, not int"
        checked += 1
    for name, call in _TIME_CALLS:
        assert _message(call, store, "10") == f"{name} must be a number of seconds"
        assert _message(call, store, math.nan) == f"{name} must not be NaN"
        checked += 1
    assert checked == 19
    assert store.lookup(jti="j", family="f", subject="s") == (False, False, None)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_bad_purge_policy_messages(
    kind: str, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"purge_every": 0}, "purge_every must be a positive integer"),
        ({"purge_every": True}, "purge_every must be a positive integer"),
        ({"purge_every": 2.0}, "purge_every must be a positive integer"),
        ({"purge_batch": 0}, "purge_batch must be a positive integer"),
        ({"purge_batch": False}, "purge_batch must be a positive integer"),
        ({"purge_batch": 1.5}, "purge_batch must be a positive integer"),
        ({"purge_interval": 0}, "purge_interval must be a positive number of seconds"),
        ({"purge_interval": -1.0}, "purge_interval must be a positive number of seconds"),
        ({"purge_interval": True}, "purge_interval must be a positive number of seconds"),
        ({"purge_interval": "60"}, "purge_interval must be a positive number of seconds"),
        ({"purge_interval": math.nan}, "purge_interval must be a positive number of seconds"),
    ]
    for policy, message in cases:
        assert _message(make, kind, **policy) == message
    assert len(cases) == 11
    # The smallest policy is accepted: one write, one entry, a fraction of a second.
    store = make(kind, purge_every=1, purge_batch=1, purge_interval=0.001)
    store.revoke("a", 2e9)
    assert store.is_revoked("a")


def test_a_clock_that_is_not_callable_is_named() -> None:
    assert _message(lambda: MemoryStore(clock=5)) == (  # type: ignore[arg-type]
        "clock must be a function returning seconds"
    )


def test_a_clock_that_fails_is_named_exactly(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    clock.now = math.nan
    assert _message(lambda: store.is_revoked("a"), error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )
    clock.now = True  # type: ignore[assignment]
    assert _message(lambda: store.lookup(jti="a", family="f", subject="s"),
                    error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_clock_in_whole_seconds_is_read_as_such(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # An int clock is a time like any other; one past the year 9999 is clamped, not refused.
    store = make(kind)
    clock.now = 1_000  # type: ignore[assignment]
    store.revoke("a", 1_001)
    store.revoke_subject("s", 3.0, 1_000)
    assert store.lookup(jti="a", family="f", subject="s") == (True, False, None)
    clock.now = 1_001  # type: ignore[assignment]
    assert not store.is_revoked("a")
    clock.now = 10**400  # type: ignore[assignment]
    store.revoke("b", math.inf)  # kept as the year 9999, which the clock has reached
    assert not store.is_revoked("b")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_lookup_at_the_instant_each_entry_expires(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # An entry whose exp is exactly now has expired (as in is_revoked): each of the three
    # parts of lookup() on its own boundary.
    store = make(kind)
    store.revoke("j", clock.now + 10)
    store.revoke_family("f", clock.now + 20)
    store.revoke_subject("s", 5.0, clock.now + 30)
    clock.now += 10
    assert store.lookup(jti="j", family="f", subject="s") == (False, True, 5.0)
    clock.now += 10
    assert store.lookup(jti="j", family="f", subject="s") == (False, False, 5.0)
    clock.now += 10
    assert store.lookup(jti="j", family="f", subject="s") == (False, False, None)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_purge_counts_a_spent_jti_once(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # A spent refresh jti and its successor are one entry, whichever expires first.
    store = make(kind)
    assert store.spend("r", clock.now + 10, successor="s", reuse_until=clock.now + 5) == "s"
    assert store.spend("q", clock.now + 10, successor="t", reuse_until=clock.now + 20) == "t"
    clock.now += 5
    assert store.purge() == 0
    assert store.spend("r", clock.now + 10, successor="x", reuse_until=clock.now + 5) is None
    clock.now += 5
    assert store.purge() == 2
    assert store.spend("q", clock.now + 10, successor="u", reuse_until=clock.now + 5) == "u"


def test_memory_purge_forgets_the_successors_it_no_longer_needs(clock: FakeClock) -> None:
    # The successor of a spent jti is kept only for its reuse interval: purge() forgets it,
    # or a busy refresh endpoint would grow without bound.
    store = MemoryStore(clock=clock)
    store.spend("r", clock.now + 100, successor="s", reuse_until=clock.now + 5)
    store.spend("q", clock.now + 100, successor="t", reuse_until=clock.now + 6)
    clock.now += 5
    assert store.purge() == 0
    assert list(store._replays) == ["q"]
    clock.now += 1
    store.purge()
    assert store._replays == {}
    assert store.is_revoked("r")
    assert store.is_revoked("q")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_purge_schedule_restarts_after_each_pass(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # After a pass the count of writes and the interval start again from that pass.
    store = make(kind, purge_every=3, purge_interval=100)
    store.revoke("a", clock.now + 1)
    store.revoke("b", clock.now + 1)
    clock.now += 50
    store.revoke("c", clock.now + 1000)  # third write: a pass (a and b go)
    assert _rows(store) == 1
    store.revoke("d", clock.now + 1)
    clock.now += 60  # 110 s since the store was made, 60 s since the pass
    store.revoke("e", clock.now + 1000)  # second write since the pass: none yet
    assert _rows(store) == 3
    clock.now += 40
    store.revoke("f", clock.now + 1000)  # 100 s since the pass (and a third write)
    assert _rows(store) == 3  # d went; c, e, f stay


def test_sqlite_unreadable_entries_are_named_exactly(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rev.db"
    later = clock.now + 60
    with SQLiteStore(path, clock=clock) as store:
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("INSERT INTO jwtlite_jti (jti, exp) VALUES ('text', 'soon')")
        raw.execute("INSERT INTO jwtlite_jti VALUES ('spent', ?, x'6869', ?)", (later, later))
        raw.execute("INSERT INTO jwtlite_jti VALUES ('until', ?, 'next', 'soon')", (later,))
        raw.execute("INSERT INTO jwtlite_family VALUES ('text', 'soon')")
        raw.execute("INSERT INTO jwtlite_subject VALUES ('cutoff', 'soon', ?)", (later,))
        raw.execute("INSERT INTO jwtlite_subject VALUES ('exp', 5.0, x'00')")
        raw.close()
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
            assert _message(call, error=RevocationStoreUnavailableError) == (
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


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_write_is_not_failed_by_the_purge_schedule_reading_a_bad_clock(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # The purge schedule read the raw clock after the write was stored: a clock giving text
    # raised TypeError there (out of the public API, and after SQLite had committed).
    store = make(kind, purge_every=3)
    clock.now = "soon"  # type: ignore[assignment]
    store.revoke("a", 2e9)
    store.revoke_family("f", 2e9)
    assert _message(lambda: store.is_revoked("a"), error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )
    clock.now = 1_000_000.0
    store.revoke("b", clock.now + 1)
    assert _rows(store) == 3  # the third write ran a pass (the count rule still holds)
    clock.now += 100
    store.revoke("c", clock.now + 1)  # 100 s after a pass whose clock worked: a pass
    assert _rows(store) == 3  # b went; a, f, c stay


class _SteppingClock(FakeClock):
    """A store clock whose every reading also moves the SQLite store's monotonic clock (the
    one its busy-timeout deadlines are on) by ``step``: time passes inside one call."""

    def __init__(self, monotonic: list[float], step: float) -> None:
        super().__init__(1_000_000.0)
        self.monotonic, self.step = monotonic, step

    def __call__(self) -> float:
        self.monotonic[0] += self.step
        return self.now


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SQLite store's time.monotonic(), by hand: [seconds]."""
    value = [0.0]
    fake = type("FakeTime", (), {"monotonic": staticmethod(lambda: value[0])})
    monkeypatch.setattr("jwtlite._sqlite_store.time", fake)
    return value


@pytest.mark.parametrize("step", [0.5, 0.6])
def test_sqlite_one_deadline_bounds_the_whole_call(monotonic: list[float], step: float) -> None:
    # spend() and consume() that lose the test-and-set read the row that won with what is
    # left of the call's busy timeout, not with a fresh one. Each clock reading here costs
    # `step` seconds of a 1 s budget: two readings use it up (exactly, for step 0.5).
    clock = _SteppingClock(monotonic, 0.0)
    with SQLiteStore(":memory:", clock=clock, busy_timeout=1.0) as store:
        assert store.spend("r", 2e9, successor="s", reuse_until=2e9) == "s"
        assert store.consume("c", 2e9)
        clock.step = step
        for call in (
            lambda: store.spend("r", 2e9, successor="t", reuse_until=2e9),
            lambda: store.consume("c", 2e9),
        ):
            assert _message(call, error=RevocationStoreUnavailableError) == (
                "revocation database busy past the busy timeout"
            )
        clock.step = 0.0
        assert store.spend("r", 2e9, successor="t", reuse_until=2e9) == "s"
        assert not store.consume("c", 2e9)


def test_sqlite_a_call_runs_with_a_millisecond_left_and_waits_no_longer(
    monotonic: list[float],
) -> None:
    clock = _SteppingClock(monotonic, 0.999)
    with SQLiteStore(":memory:", clock=clock, busy_timeout=1.0) as store:
        assert store.consume("c", 2e9)  # 1 ms left when the statement runs
        # All of the budget gone before the store's lock is taken, while another thread
        # holds it: the call gives up at once, it does not wait for the lock.
        clock.step = 1.0
        outcome, took = _while_locked(store, lambda: store.consume("d", 2e9))
        assert outcome == _BUSY
        assert took < 0.5


_BUSY = "RevocationStoreUnavailableError: revocation database busy past the busy timeout"


def _while_locked(store: SQLiteStore, call: Callable[[], object]) -> tuple[str, float]:
    """Run ``call`` in a thread while this one holds the store's lock: what it returned or
    raised, and how long it took. A call that waits for the lock for ever does not hang the
    test: after 3 s the lock is released and the call's outcome is "returned"."""
    outcome: list[str] = []

    def run() -> None:
        try:
            call()
            outcome.append("returned")
        except Exception as exc:  # the test reports whatever the call raised
            outcome.append(f"{type(exc).__name__}: {exc}")

    store._lock.acquire()
    started = time.monotonic()
    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=3)
    took = time.monotonic() - started
    store._lock.release()
    thread.join()
    return outcome[0], took


@pytest.mark.parametrize(
    ("budget", "step", "armed"), [(1.0, 0.010, 1000), (1.0, 0.011, 989), (10.0, 1.0, 9000)]
)
def test_sqlite_busy_timeout_is_set_again_only_past_the_slack(
    monotonic: list[float], budget: float, step: float, armed: int
) -> None:
    # Setting SQLite's busy timeout costs a statement: it is set again (to the milliseconds
    # the call has left) only when that differs from the last setting by more than 10 ms.
    clock = _SteppingClock(monotonic, 0.0)
    with SQLiteStore(":memory:", clock=clock, busy_timeout=budget) as store:
        clock.step = step
        assert store.consume("c", 2e9)  # one clock reading between the deadline and SQL
        clock.step = 0.0
        assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] == armed


def test_sqlite_a_held_lock_is_waited_for_within_the_budget(clock: FakeClock) -> None:
    # Another thread of the process holds the store past this call's busy timeout: the call
    # gives up with the timeout's error (run in a thread, so a call that waited for ever
    # fails the test instead of hanging it).
    with SQLiteStore(":memory:", clock=clock, busy_timeout=0.05) as store:
        calls: list[Callable[[], object]] = [
            store.purge,
            lambda: store.is_revoked("a"),
            lambda: store.revoke("a", 2e9),
        ]
        for call in calls:
            assert _while_locked(store, call)[0] == _BUSY
        assert len(calls) == 3


def test_memory_purge_keeps_every_extended_entry(clock: FakeClock) -> None:
    # Each write leaves a heap entry with the expiry it wrote; a later write may extend the
    # entry. A pass that pops the older heap entry must keep (and not count) the entry.
    store = MemoryStore(clock=clock)
    store.revoke("j", clock.now + 1)
    store.revoke_family("f", clock.now + 1)
    store.revoke_subject("s", 5.0, clock.now + 1)
    store.revoke("j", clock.now + 100)
    store.revoke_family("f", clock.now + 100)
    store.revoke_subject("s", 5.0, clock.now + 100)
    clock.now += 1
    assert store.purge() == 0
    assert store.lookup(jti="j", family="f", subject="s") == (True, True, 5.0)
    clock.now += 99
    assert store.purge() == 3
    assert len(store) == 0


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_consume_after_an_expired_spend_replays_nothing(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # A reuse interval longer than the spent entry: once the entry has expired and the jti
    # is consumed, the old successor must not be handed out by a later spend().
    store = make(kind)
    assert store.spend("r", clock.now + 10, successor="s", reuse_until=clock.now + 100) == "s"
    clock.now += 10
    assert store.consume("r", clock.now + 10)
    assert store.spend("r", clock.now + 10, successor="t", reuse_until=clock.now + 5) is None


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


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_purge_pass_without_a_clock_does_not_fail_the_write(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # Every write runs a pass here; the pass needs the time, which the clock cannot give.
    # The write is stored and reported as such; the reads fail closed.
    store = make(kind, purge_every=1)
    clock.now = math.nan
    store.revoke("a", 2e9)
    store.revoke_family("f", 2e9)
    store.revoke_subject("s", 5.0, 2e9)
    assert _message(store.is_revoked, "a", error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )
    clock.now = 1_000_000.0
    assert store.lookup(jti="a", family="f", subject="s") == (True, True, 5.0)


def test_sqlite_a_schema_that_cannot_be_made_is_rolled_back(tmp_path: Path) -> None:
    # A jwtlite_jti table without an exp column (not ours): the index on exp cannot be made,
    # the migration's transaction is rolled back and the error names the cause.
    path = tmp_path / "other.db"
    made = sqlite3.connect(path)
    made.execute("CREATE TABLE jwtlite_jti (jti TEXT PRIMARY KEY)")
    made.commit()
    made.close()
    assert _message(SQLiteStore, path, error=PyJWTError) == (
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
    path = tmp_path / "other.db"
    made = sqlite3.connect(path)
    made.execute("CREATE TABLE jwtlite_jti (jti TEXT PRIMARY KEY)")
    made.commit()
    made.close()
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


def test_sqlite_a_call_with_time_to_spare_sets_no_busy_timeout(monotonic: list[float]) -> None:
    # The busy timeout set when the store opens is what a call with its whole budget left
    # needs: no PRAGMA statement before its own.
    statements: list[str] = []
    with SQLiteStore(":memory:", clock=FakeClock(), busy_timeout=20.0) as store:
        assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 20_000
        store._conn.set_trace_callback(statements.append)
        assert store.consume("c", 2e9)
        store._conn.set_trace_callback(None)
    assert [s.split()[0] for s in statements] == ["INSERT"]


def test_sqlite_store_defaults_and_refusals_are_exact(tmp_path: Path) -> None:
    with SQLiteStore(":memory:") as store:
        assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert _message(SQLiteStore, 5) == "path must be a str or a Path, not int"
    for bad in (0, -1, math.nan, "10"):
        assert _message(SQLiteStore, ":memory:", busy_timeout=bad) == (
            "busy_timeout must be a positive number of seconds"
        )


def test_memory_purge_keeps_a_later_reuse_interval(clock: FakeClock) -> None:
    # A jti spent again after its first entry expired has a new successor and interval; the
    # first interval's heap entry, popped later, must not drop them. A revoked jti has no
    # successor left when its interval's heap entry pops.
    store = MemoryStore(clock=clock)
    assert store.spend("r", clock.now + 10, successor="s1", reuse_until=clock.now + 5) == "s1"
    assert store.spend("x", clock.now + 10, successor="y", reuse_until=clock.now + 5) == "y"
    store.revoke("x", clock.now + 10)
    clock.now += 10
    assert store.spend("r", clock.now + 10, successor="s2", reuse_until=clock.now + 5) == "s2"
    assert store.purge() == 1  # x; r was spent again
    assert store.spend("r", clock.now + 10, successor="s3", reuse_until=clock.now + 5) == "s2"


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


def test_sqlite_purge_of_a_locked_database_names_the_cause(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "rev.db"
    with SQLiteStore(path, clock=clock, busy_timeout=0.05) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            assert _message(store.purge, error=RevocationStoreUnavailableError) == (
                "revocation database error: database is locked"
            )
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.purge() == 0


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_purge_interval_starts_when_the_store_is_made(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # ... or, if the clock had no finite time then, at the first write that reads one.
    for bad_clock_at_first in (False, True):
        start = clock.now
        if bad_clock_at_first:
            clock.now = math.nan
        store = make(kind, purge_every=1000, purge_interval=60)
        if bad_clock_at_first:
            clock.now = start
            store.revoke("first", start + 1000)  # the interval starts here
        clock.now = start + 59
        store.revoke("a", clock.now + 0.5)
        clock.now = start + 60
        store.revoke("b", clock.now + 1000)  # 60 s: a pass, and a has expired
        assert _rows(store) == (2 if bad_clock_at_first else 1)  # (a read would drop a too)
        clock.now = start + 1000
