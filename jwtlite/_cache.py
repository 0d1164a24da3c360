"""The library's caches: bounded, owned by objects, and all cleared by one call.

A cache here never uses a secret in plain form as its key: callers key by identity
(:class:`IdentityCache`, which holds the object only weakly where it can) or by a digest
(:func:`digest_key`). Every cache registers itself at creation, so
:func:`jwtlite.clear_caches` empties them all, for tests, for key rotation in a long-lived
process, and for callers who want no parsed key material kept in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = [
    "BoundedCache",
    "IdentityCache",
    "cache_sizes",
    "clear_backend_caches",
    "clear_caches",
    "digest_key",
]

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")

_REGISTRY: list[weakref.ReferenceType[BoundedCache[object, object]]] = []
# The caches whose values a backend built (a verifier bound to the backend chosen when it was
# made), emptied by jwtlite.backends.set_backend(). They live in modules above the backends
# (dpop, _jws_keys), which the backends may not import (the layers, tests/test_architecture.py):
# so they register here, at the bottom, where both sides can reach them.
_BACKEND_BOUND: list[weakref.ReferenceType[BoundedCache[object, object]]] = []


class BoundedCache(Generic[_K, _V]):
    """A dict with a size bound: when full, the oldest entry is dropped (first in, first out).

    FIFO rather than LRU keeps the hit path a bare dict lookup (no bookkeeping on reads), which
    matters on the decode hot path; a service's few hot keys are re-added at once if evicted.
    """

    def __init__(self, name: str, maxsize: int, *, backend_bound: bool = False) -> None:
        """``backend_bound``: the values hold objects of the backend in use when they were
        made, so :func:`clear_backend_caches` (``set_backend``) empties the cache."""
        self.name = name
        self.maxsize = maxsize
        self._data: dict[_K, _V] = {}
        #: The value for ``key``, or None: the dict's own ``get``, so a hit costs no Python
        #: frame (``_data`` is never replaced, only cleared).
        self.get: Callable[[_K], _V | None] = self._data.get
        _register(_REGISTRY, self)
        if backend_bound:
            _register(_BACKEND_BOUND, self)

    def put(self, key: _K, value: _V) -> _V:
        data = self._data
        if key not in data:
            while len(data) >= self.maxsize:
                del data[next(iter(data))]
        data[key] = value
        return value

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]


class IdentityCache(BoundedCache[int, object]):
    """A value per live object, keyed by ``id``; an entry dies with its object.

    The object itself is held through a weak reference when it allows one, so the cache never
    keeps a key (or a secret) alive; a strong reference is kept only for objects that do not
    support weak references, which the size bound then limits.
    """

    def __init__(self, name: str, maxsize: int, *, backend_bound: bool = False) -> None:
        super().__init__(name, maxsize, backend_bound=backend_bound)
        self._refs: dict[int, object] = {}

    def lookup(self, obj: object) -> object | None:
        ident = id(obj)
        ref = self._refs.get(ident)
        if ref is None:
            return None
        held = ref() if isinstance(ref, weakref.ref) else ref
        if held is not obj:  # the id was reused by a new object: a miss
            return None
        return self._data.get(ident)

    def store(self, obj: object, value: object) -> object:
        ident = id(obj)
        ref: object
        try:
            ref = weakref.ref(obj, self._forgetter(ident))
        except TypeError:  # no __weakref__ slot (bytes, str, int)
            ref = obj
        if len(self._data) >= self.maxsize:
            self.clear()
        self._refs[ident] = ref
        self._data[ident] = value
        return value

    def _forgetter(self, ident: int) -> Callable[[object], None]:
        def forget(_ref: object) -> None:
            self._refs.pop(ident, None)
            self._data.pop(ident, None)

        return forget

    def clear(self) -> None:
        super().clear()
        self._refs.clear()


def digest_key(*parts: bytes | None) -> bytes:
    """A cache key for secret-bearing inputs: SHA-256 over the length-prefixed parts."""
    h = hashlib.sha256()
    for part in parts:
        if part is None:
            h.update(b"\xff")
        else:
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)
    return h.digest()


def _register(registry: list[weakref.ReferenceType[BoundedCache[object, object]]],
              cache: BoundedCache[_K, _V]) -> None:
    # The reference takes itself out of the list when its cache dies. The lists are only ever
    # appended to and removed from, never rebuilt from a copy: a rebuild dropped every cache
    # that another thread made (a module imported lazily) while this one listed or cleared them.
    def forget(ref: weakref.ReferenceType[BoundedCache[object, object]]) -> None:
        with contextlib.suppress(ValueError):
            registry.remove(ref)

    registry.append(weakref.ref(cache, forget))  # type: ignore[arg-type]


def _alive(registry: list[weakref.ReferenceType[BoundedCache[object, object]]]
           ) -> list[BoundedCache[object, object]]:
    # list() copies in one step: another thread may append or remove meanwhile.
    return [c for c in (ref() for ref in list(registry)) if c is not None]


def _live() -> list[BoundedCache[object, object]]:
    return _alive(_REGISTRY)


def clear_caches() -> None:
    """Empty every cache jwtlite keeps (parsed keys, headers, backend key objects)."""
    for cache in _live():
        cache.clear()


def clear_backend_caches() -> None:
    """Empty the caches registered as ``backend_bound``: what the previous backend built must
    not answer for the next one (called by ``jwtlite.backends.set_backend``)."""
    for cache in _alive(_BACKEND_BOUND):
        cache.clear()


def cache_sizes() -> dict[str, tuple[int, int]]:
    """``{name: (entries, bound)}`` for every live cache, as documented in performance.md."""
    return {c.name: (len(c), c.maxsize) for c in _live()}
