"""Revocation stores: the purge policy and schedule of the memory and SQLite stores (Redis
expires entries by TTL). The MemoryStore's own heap rules are in test_revocation_memory.py."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _store_support import error_text, store_maker
from conftest import FakeClock

from jwtlite.exceptions import (
    InvalidArgumentError,
    RevocationStoreUnavailableError,
)
from jwtlite.revocation import MemoryStore, SQLiteStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_000_000.0)


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
    yield from store_maker(clock)


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
        assert error_text(make, kind, **policy) == message
    assert len(cases) == 11
    # The smallest policy is accepted: one write, one entry, a fraction of a second.
    store = make(kind, purge_every=1, purge_batch=1, purge_interval=0.001)
    store.revoke("a", 2e9)
    assert store.is_revoked("a")


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
    assert error_text(lambda: store.is_revoked("a"), error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )
    clock.now = 1_000_000.0
    store.revoke("b", clock.now + 1)
    assert _rows(store) == 3  # the third write ran a pass (the count rule still holds)
    clock.now += 100
    store.revoke("c", clock.now + 1)  # 100 s after a pass whose clock worked: a pass
    assert _rows(store) == 3  # b went; a, f, c stay


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
    assert error_text(store.is_revoked, "a", error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )
    clock.now = 1_000_000.0
    assert store.lookup(jti="a", family="f", subject="s") == (True, True, 5.0)


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


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_write_without_a_clock_counts_toward_the_next_pass(
    kind: str, clock: FakeClock, make: Callable[..., MemoryStore | SQLiteStore]
) -> None:
    # A write while the clock gives no finite time is one write of the count, not a pass: the
    # third write runs the pass, as with a working clock (and the schedule is not restarted).
    store = make(kind, purge_every=3, purge_interval=3600)
    store.revoke("old", clock.now + 1)
    clock.now += 2
    working = clock.now
    clock.now = math.nan
    store.revoke("a", 2e9)
    clock.now = working
    assert _rows(store) == 2  # no pass yet: "old" has expired but is still kept
    store.revoke("b", 2e9)
    assert _rows(store) == 2  # the third write: a pass, and "old" went
