"""PyJWT's ``jwt.jwk_set_cache``: :class:`JWKSetCache`, holding this face's ``PyJWKSet``.

The JWKS client keeps its set in jwtlite's own cache (:mod:`jwtlite._jwks_cache`); the
client's ``jwk_set_cache`` attribute is this class viewing that same cache, so what a caller
puts in is what the client reads, and the same set object comes back on every read.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from .. import _jwks_cache
from .. import jwk as _native
from ..exceptions import PyJWKSetError
from .api_jwk import PyJWKSet, native_key

__all__ = ["JWKSetCache", "face_set", "monotonic"]

#: The face object of each native set, so that repeated reads return the same object.
_FACES: weakref.WeakKeyDictionary[_native.PyJWKSet, PyJWKSet] = weakref.WeakKeyDictionary()


def monotonic() -> float:
    """``time.monotonic()``, looked up at each call: tests that patch ``time.monotonic`` (as
    PyJWT's do) move this clock too."""
    return time.monotonic()


def face_set(native: _native.PyJWKSet) -> PyJWKSet:
    """The one face :class:`PyJWKSet` of a native set."""
    face = _FACES.get(native)
    if face is None:
        face = _FACES[native] = PyJWKSet.wrap(native)
    return face


class JWKSetCache:
    """The last JWK Set and how long it stays fresh (``lifespan`` seconds)."""

    def __init__(self, lifespan: float) -> None:
        self._cache = _jwks_cache.JWKSetCache(lifespan, clock=monotonic)

    @classmethod
    def view(cls, cache: _jwks_cache.JWKSetCache) -> JWKSetCache:
        """This class over an existing jwtlite cache (the JWKS client's)."""
        face = cls.__new__(cls)
        face._cache = cache
        return face

    @property
    def lifespan(self) -> float:
        return float(self._cache.lifespan)

    @lifespan.setter
    def lifespan(self, value: float) -> None:
        self._cache.lifespan = value

    @property
    def jwk_set_with_timestamp(self) -> Any:
        return self._cache.jwk_set_with_timestamp

    def put(self, jwk_set: PyJWKSet | _native.PyJWKSet | dict[str, Any] | None) -> None:
        """Store a set (a ``PyJWKSet`` or a JWKS dict), or clear the cache with None."""
        if jwk_set is None:
            self._cache.put(None)
        elif isinstance(jwk_set, PyJWKSet):
            native = native_key(jwk_set)  # its keys as the list holds them now
            _FACES[native] = jwk_set
            self._cache.put(native)
        elif isinstance(jwk_set, _native.PyJWKSet):
            self._cache.put(jwk_set)
        elif isinstance(jwk_set, dict):
            self._cache.put(_native.PyJWKSet.from_dict(jwk_set))
        else:
            raise PyJWKSetError("Invalid JWK Set value")

    def get(self) -> PyJWKSet | None:
        """The stored set while it is fresh, else None."""
        native = self._cache.get()
        return None if native is None else face_set(native)

    def is_expired(self) -> bool:
        return self._cache.is_expired()
