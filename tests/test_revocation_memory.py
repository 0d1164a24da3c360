"""Revocation stores: MemoryStore specifics (its purge heap, its clock argument)."""

from __future__ import annotations

import math

import pytest
from _store_support import error_text
from conftest import FakeClock

from jwtlite.exceptions import (
    InvalidArgumentError,
    RevocationStoreUnavailableError,
)
from jwtlite.revocation import MemoryStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_000_000.0)


def test_memory_purge_skips_extended_entries(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock, purge_every=2)
    store.revoke("a", clock.now + 1)
    store.revoke("a", clock.now + 100)  # second write: a pass runs, nothing has expired
    clock.now += 2
    store.revoke("b", clock.now + 1)
    store.revoke("c", clock.now + 1)  # a pass pops a's stale heap entry but keeps the entry
    assert store.is_revoked("a")
    assert len(store) == 3


def test_a_clock_that_is_not_callable_raises_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError, match="clock must be a function"):
        MemoryStore(clock=5)  # type: ignore[arg-type]


def test_a_clock_that_is_not_callable_is_named() -> None:
    assert error_text(lambda: MemoryStore(clock=5)) == (  # type: ignore[arg-type]
        "clock must be a function returning seconds"
    )


def test_a_clock_that_fails_is_named_exactly(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    clock.now = math.nan
    assert error_text(lambda: store.is_revoked("a"), error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )
    clock.now = True  # type: ignore[assignment]
    assert error_text(lambda: store.lookup(jti="a", family="f", subject="s"),
                    error=RevocationStoreUnavailableError) == (
        "the revocation store's clock gave no finite time"
    )  # fmt: skip


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
