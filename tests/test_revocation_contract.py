"""Revocation stores: the protocol contract, run against every store (memory, SQLite file and
in-memory, Redis and Redis Cluster: the Redis variants carry "redis" in their ids), and the
contract tests that need a fresh memory or SQLite store (exact refusal texts, boundaries)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _store_support import error_text, store_maker
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
    # Also when the revocation ends before the spent entry (which keeps the later exp): the
    # successor must go, or a replay within the interval still gets a fresh token pair.
    assert store.spend("y", clock.now + 10, successor="s", reuse_until=clock.now + 5) == "s"
    store.revoke("y", clock.now + 3)
    assert store.spend("y", clock.now + 10, successor="t", reuse_until=clock.now + 5) is None
    assert store.is_revoked("y")
    clock.now += 9.5
    assert store.is_revoked("y")  # the later exp is kept


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


@pytest.fixture
def make(clock: FakeClock, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Build a memory or SQLite store with a purge policy, or a Redis store on the shared
    test server (kind "redis"); every store is closed after."""
    builders = store_maker(clock)
    build = next(builders)
    opened: list[RedisStore] = []

    def any_store(kind: str, **policy: Any) -> RevocationStore:
        if kind != "redis":
            return build(kind, **policy)
        opened.append(RedisStore(request.getfixturevalue("redis_url"), clock=clock, **policy))
        return opened[-1]

    yield any_store
    for store in opened:
        store.close()
    next(builders, None)  # closes the SQLite stores


def test_store_reprs_are_short(tmp_path: Path, clock: FakeClock) -> None:
    memory = MemoryStore(clock=clock)
    memory.revoke("secret-jti", clock.now + 10)
    assert repr(memory) == "MemoryStore(entries=1, purge=every=1000, interval=60.0, batch=1000)"
    with SQLiteStore(tmp_path / "rev.db", clock=clock) as store:
        store.revoke("secret-jti", clock.now + 10)
        assert "secret-jti" not in repr(store)
        assert repr(store).startswith("SQLiteStore(")


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


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_refusals_name_the_argument(kind: str, make: Callable[..., Any]) -> None:
    # The caller's bug is named exactly: which argument, and what was given instead.
    store = make(kind)
    checked = 0
    for name, call in _ID_CALLS:
        assert error_text(call, store, 5) == f"{name} must be a string, not int"
        checked += 1
    for name, call in _TIME_CALLS:
        assert error_text(call, store, "10") == f"{name} must be a number of seconds"
        assert error_text(call, store, math.nan) == f"{name} must not be NaN"
        checked += 1
    assert checked == 19
    assert store.lookup(jti="j", family="f", subject="s") == (False, False, None)


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_a_clock_in_whole_seconds_is_read_as_such(
    kind: str, clock: FakeClock, make: Callable[..., Any]
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


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_lookup_at_the_instant_each_entry_expires(
    kind: str, clock: FakeClock, make: Callable[..., Any]
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


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_consume_after_an_expired_spend_replays_nothing(
    kind: str, clock: FakeClock, make: Callable[..., Any]
) -> None:
    # A reuse interval longer than the spent entry: once the entry has expired and the jti
    # is consumed, the old successor must not be handed out by a later spend().
    store = make(kind)
    assert store.spend("r", clock.now + 10, successor="s", reuse_until=clock.now + 100) == "s"
    clock.now += 10
    assert store.consume("r", clock.now + 10)
    assert store.spend("r", clock.now + 10, successor="t", reuse_until=clock.now + 5) is None
