"""The cache registry (``jwtlite._cache``): the size bound and its first-in-first-out eviction,
the identity cache's weak references, the digest keys, and which caches ``clear_caches`` and
``set_backend`` (``clear_backend_caches``) empty."""

from __future__ import annotations

import gc
import hashlib
import sys
from typing import Any

import pytest

from jwtlite import _cache
from jwtlite._cache import (
    BoundedCache,
    IdentityCache,
    cache_sizes,
    clear_backend_caches,
    clear_caches,
    digest_key,
)


class _Thing:
    """An object that allows a weak reference."""


def test_a_bounded_cache_drops_its_oldest_entry_when_full() -> None:
    cache: BoundedCache[str, int] = BoundedCache("test fifo", 3)
    assert (cache.name, cache.maxsize, len(cache)) == ("test fifo", 3, 0)
    assert cache.get("a") is None
    for i, key in enumerate("abc"):
        assert cache.put(key, i) == i
    assert len(cache) == 3
    assert cache.get("a") == 0
    assert cache["c"] == 2
    # Full: a new key pushes out the first one put, and only that one.
    assert cache.put("d", 3) == 3
    assert len(cache) == 3
    assert "a" not in cache
    assert cache.get("a") is None
    assert [k for k in "bcd" if k in cache] == ["b", "c", "d"]
    # A key already held is written over in place: nothing is dropped.
    assert cache.put("b", 10) == 10
    assert len(cache) == 3
    assert (cache["b"], cache["c"], cache["d"]) == (10, 2, 3)
    # The dropped order stays the insertion order: "b" was first in, so it goes first.
    cache.put("e", 4)
    assert [k for k in "bcde" if k in cache] == ["c", "d", "e"]
    cache.clear()
    assert len(cache) == 0
    assert cache.get("c") is None


def test_a_cache_of_one_holds_the_latest_entry() -> None:
    cache: BoundedCache[str, int] = BoundedCache("test one", 1)
    cache.put("a", 1)
    cache.put("b", 2)
    assert len(cache) == 1
    assert "b" in cache
    assert "a" not in cache


def test_every_cache_is_listed_and_cleared() -> None:
    plain: BoundedCache[str, int] = BoundedCache("test listed", 5)
    bound: BoundedCache[str, int] = BoundedCache("test backend listed", 7, backend_bound=True)
    plain.put("a", 1)
    bound.put("a", 1)
    bound.put("b", 2)
    sizes = cache_sizes()
    assert sizes["test listed"] == (1, 5)
    assert sizes["test backend listed"] == (2, 7)
    clear_caches()
    assert (len(plain), len(bound)) == (0, 0)
    assert cache_sizes()["test backend listed"] == (0, 7)


def test_set_backend_empties_only_the_backend_bound_caches() -> None:
    # A backend-bound cache keeps what the previous backend built (a verifier bound to it):
    # set_backend() must empty it. The other caches hold no backend object and stay.
    plain: BoundedCache[str, int] = BoundedCache("test kept", 4)
    bound: BoundedCache[str, int] = BoundedCache("test dropped", 4, backend_bound=True)
    plain.put("k", 1)
    bound.put("k", 1)
    clear_backend_caches()
    assert (len(plain), len(bound)) == (1, 0)
    assert sum(ref() is bound for ref in _cache._BACKEND_BOUND) == 1
    assert sum(ref() is plain for ref in _cache._BACKEND_BOUND) == 0
    assert sum(ref() is plain for ref in _cache._REGISTRY) == 1
    assert sum(ref() is bound for ref in _cache._REGISTRY) == 1


def test_set_backend_empties_an_identity_cache_made_backend_bound() -> None:
    cache = IdentityCache("test identity bound", 4, backend_bound=True)
    thing = _Thing()
    cache.store(thing, "verifier")
    clear_backend_caches()
    assert len(cache) == 0
    assert cache.lookup(thing) is None
    assert cache._refs == {}


def _unraisable(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What a weak reference's callback raised: Python prints it and goes on (never the
    caller's exception), so a test must collect it to see it."""
    seen: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    return seen


def test_a_dead_cache_leaves_the_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    raised = _unraisable(monkeypatch)
    BoundedCache("test short-lived", 2, backend_bound=True)
    gc.collect()
    assert "test short-lived" not in cache_sizes()
    for registry in (_cache._REGISTRY, _cache._BACKEND_BOUND):
        assert all(ref() is not None for ref in registry)
    # A reference already out of its list (its forgetter runs only once) is no error.
    cache: BoundedCache[str, int] = BoundedCache("test removed", 2)
    ref = next(r for r in _cache._REGISTRY if r() is cache)
    _cache._REGISTRY.remove(ref)
    del cache
    gc.collect()
    assert ref() is None
    assert raised == []


def test_the_live_list_skips_a_dead_reference() -> None:
    # Between an object's death and its callback (another thread, or a cycle collected late),
    # a registry may hold a dead reference: listing and clearing must skip it.
    class _Dead:
        def __call__(self) -> None:
            return None

    dead = _Dead()
    _cache._REGISTRY.append(dead)  # type: ignore[arg-type]
    _cache._BACKEND_BOUND.append(dead)  # type: ignore[arg-type]
    try:
        cache: BoundedCache[str, int] = BoundedCache("test beside", 2, backend_bound=True)
        cache.put("a", 1)
        assert cache_sizes()["test beside"] == (1, 2)
        clear_backend_caches()
        assert len(cache) == 0
        cache.put("a", 1)
        clear_caches()
        assert len(cache) == 0
    finally:
        _cache._REGISTRY.remove(dead)  # type: ignore[arg-type]
        _cache._BACKEND_BOUND.remove(dead)  # type: ignore[arg-type]


def test_an_identity_cache_answers_for_the_same_object_only() -> None:
    cache = IdentityCache("test identity", 4)
    thing, other = _Thing(), _Thing()
    assert (cache.name, cache.maxsize) == ("test identity", 4)
    assert cache.lookup(thing) is None
    assert cache.store(thing, "value") == "value"
    assert cache.lookup(thing) == "value"
    assert cache.lookup(other) is None
    assert len(cache) == 1
    clear_backend_caches()  # not made backend_bound: set_backend() keeps it
    assert cache.lookup(thing) == "value"
    # An entry recorded at the id of an object that is gone (the id now reused) is a miss.
    cache._refs[id(other)] = cache._refs[id(thing)]
    cache._data[id(other)] = "stale"
    assert cache.lookup(other) is None
    cache.clear()
    assert (len(cache), cache._refs) == (0, {})
    assert cache.lookup(thing) is None


def test_an_identity_cache_entry_dies_with_its_object() -> None:
    cache = IdentityCache("test weak", 4)
    thing, kept = _Thing(), _Thing()
    cache.store(thing, "value")
    cache.store(kept, "kept")
    ident = id(thing)
    del thing
    gc.collect()
    assert ident not in cache._refs
    assert ident not in cache
    assert len(cache) == 1
    assert cache.lookup(kept) == "kept"


def test_an_object_that_dies_after_a_clear_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # clear() drops the weak reference with its entry, so its callback never runs.
    raised = _unraisable(monkeypatch)
    cache = IdentityCache("test cleared", 4)
    thing = _Thing()
    cache.store(thing, "value")
    cache.clear()
    del thing
    gc.collect()
    assert raised == []
    assert len(cache) == 0


def test_an_identity_cache_holds_objects_without_weak_references() -> None:
    cache = IdentityCache("test strong", 4)
    secret = bytes(range(32))
    cache.store(secret, "prepared")
    assert cache._refs[id(secret)] is secret
    assert cache.lookup(secret) == "prepared"
    assert cache.lookup(bytes(range(32))) is None  # equal, but another object


def test_a_full_identity_cache_starts_again() -> None:
    cache = IdentityCache("test identity full", 2)
    things = [_Thing() for _ in range(3)]
    cache.store(things[0], 0)
    cache.store(things[1], 1)
    assert len(cache) == 2
    cache.store(things[2], 2)
    assert len(cache) == 1
    assert list(cache._refs) == [id(things[2])]
    assert [cache.lookup(t) for t in things] == [None, None, 2]


def test_digest_keys_are_sha256_over_length_prefixed_parts() -> None:
    expected = hashlib.sha256(
        (2).to_bytes(8, "big") + b"ab" + b"\xff" + (0).to_bytes(8, "big")
    ).digest()
    assert digest_key(b"ab", None, b"") == expected
    assert digest_key() == hashlib.sha256(b"").digest()
    # The length prefix keeps the parts apart: no two splits of one text share a key.
    keys = {digest_key(b"ab", b"c"), digest_key(b"a", b"bc"), digest_key(b"abc"),
            digest_key(b"abc", None), digest_key(b"abc", b""), digest_key(None, b"abc")}
    assert len(keys) == 6
