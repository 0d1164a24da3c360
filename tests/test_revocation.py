"""Revocation stores: the protocol contract, run against every store, plus SQLite specifics."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite.exceptions import PyJWTError
from jwtlite.revocation import MemoryStore, RevocationStore, SQLiteStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_000_000.0)


@pytest.fixture(params=["memory", "sqlite-file", "sqlite-memory"])
def store(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> Iterator[RevocationStore]:
    if request.param == "memory":
        yield MemoryStore(clock=clock)
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
        with pytest.raises(PyJWTError, match="database error"):
            store.revoke("a", 2**80)
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
            assert store.subject_cutoff(key) == (float(exp) if live else None)
