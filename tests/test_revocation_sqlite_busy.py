"""Revocation stores: SQLiteStore under contention: a locked database, the busy timeout as one
deadline per call, the store's own lock held by another thread."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from _store_support import error_text
from conftest import FakeClock

from jwtlite.exceptions import (
    RevocationStoreUnavailableError,
)
from jwtlite.revocation import SQLiteStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_000_000.0)


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


def test_sqlite_purge_of_a_locked_database_names_the_cause(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "rev.db"
    with SQLiteStore(path, clock=clock, busy_timeout=0.05) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            assert error_text(store.purge, error=RevocationStoreUnavailableError) == (
                "revocation database error: database is locked"
            )
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.purge() == 0


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
            assert error_text(call, error=RevocationStoreUnavailableError) == (
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
