"""PyJWT's ``jwt.api_jwk``: :class:`PyJWK` and :class:`PyJWKSet` whose keys are handed back
as ``cryptography`` objects when that package is installed.

Each face object wraps the native :class:`jwtlite.jwk.PyJWK` / :class:`jwtlite.jwk.PyJWKSet`
that did the parsing and checking; the face's encode and decode hand the native object to
jwtlite's engine, so key selection and its rules are jwtlite's.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Mapping
from typing import Any

from .. import jwk as _native
from .._escape import escape
from ..exceptions import InvalidKeyError, KeyNotInSetError, PyJWKSetError
from ._keys import export_key
from .algorithms import Algorithm, get_default_algorithms

__all__ = ["PyJWK", "PyJWKSet", "PyJWTSetWithTimestamp", "native_key"]

#: The algorithm objects ``PyJWK.Algorithm`` hands out (they are immutable, so shared).
_ALGORITHMS = get_default_algorithms()


class PyJWK:
    """One JWK (PyJWT's class); ``key`` is a ``cryptography`` key when it is installed."""

    def __init__(self, jwk_data: Mapping[str, Any], algorithm: str | None = None) -> None:
        self._attach(_native.PyJWK(jwk_data, algorithm))

    def _attach(self, native: _native.PyJWK) -> None:
        self._native = native
        self._jwk_data = native._jwk_data
        self.key: Any = export_key(native.key)
        self.key_type: str = native.key_type
        self.key_id: str | None = native.key_id
        self.algorithm_name: str = native.algorithm_name
        self.public_key_use: str | None = native.public_key_use
        self.key_ops: list[str] | None = native.key_ops

    @classmethod
    def wrap(cls, native: _native.PyJWK | PyJWK) -> PyJWK:
        """The face object for a native PyJWK (a face object is returned unchanged)."""
        if isinstance(native, PyJWK):
            return native
        face = cls.__new__(cls)
        face._attach(native)
        return face

    @property
    def Algorithm(self) -> Algorithm:  # noqa: N802 - PyJWT's attribute name
        """The algorithm object for :attr:`algorithm_name` (of ``jwt.algorithms``)."""
        try:
            return _ALGORITHMS[self.algorithm_name]
        except KeyError:
            raise InvalidKeyError(f"Unsupported algorithm: {escape(self.algorithm_name)}") from None

    @staticmethod
    def from_dict(obj: Mapping[str, Any], algorithm: str | None = None) -> PyJWK:
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data: str | bytes, algorithm: str | None = None) -> PyJWK:
        return PyJWK.wrap(_native.PyJWK.from_json(data, algorithm))

    def __repr__(self) -> str:
        return repr(self._native)


class PyJWKSet:
    """A JWK Set (PyJWT's class): ``keys`` are :class:`PyJWK`; iterable and indexable by kid."""

    def __init__(self, keys: list[Any]) -> None:
        self._attach(_native.PyJWKSet(keys))

    def _attach(self, native: _native.PyJWKSet) -> None:
        self._native = native
        self.keys: list[PyJWK] = [PyJWK.wrap(key) for key in native.keys]
        self.skipped = native.skipped

    @classmethod
    def wrap(cls, native: _native.PyJWKSet | PyJWKSet) -> PyJWKSet:
        """The face object for a native PyJWKSet (a face object is returned unchanged)."""
        if isinstance(native, PyJWKSet):
            return native
        face = cls.__new__(cls)
        face._attach(native)
        return face

    @staticmethod
    def from_dict(obj: Mapping[str, Any]) -> PyJWKSet:
        return PyJWKSet.wrap(_native.PyJWKSet.from_dict(obj))

    @staticmethod
    def from_json(data: str | bytes) -> PyJWKSet:
        return PyJWKSet.wrap(_native.PyJWKSet.from_json(data))

    def __getitem__(self, kid: str) -> PyJWK:
        # PyJWT raises KeyError here, and dict-style lookup promises it: KeyNotInSetError is
        # one, and a jwtlite error too.
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyNotInSetError(f"keyset has no key for kid: {escape(kid)}")

    def __iter__(self) -> Iterator[PyJWK]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return repr(self._native)


class PyJWTSetWithTimestamp:
    """A JWK Set and the monotonic time it was stored (PyJWT's cache entry)."""

    def __init__(self, jwk_set: PyJWKSet) -> None:
        self.jwk_set = jwk_set
        self.timestamp = time.monotonic()

    def get_jwk_set(self) -> PyJWKSet:
        return self.jwk_set

    def get_timestamp(self) -> float:
        return self.timestamp


def native_key(key: Any) -> Any:
    """The object jwtlite's engine reads for ``key``: face JWK objects become native ones."""
    if isinstance(key, PyJWK):
        return key._native
    if isinstance(key, PyJWKSet):
        return _current_set(key)
    return key


def _current_set(face: PyJWKSet) -> _native.PyJWKSet:
    """The native set of the keys in ``face.keys`` now. The list is the caller's to edit (drop
    a compromised key, keep the kids it trusts); the native set it was parsed into would still
    hold a key removed from it."""
    members = [_native_member(key) for key in face.keys]
    parsed = face._native
    if len(members) == len(parsed.keys) and all(a is b for a, b in zip(members, parsed.keys)):
        return parsed
    edited = copy.copy(parsed)  # the same skipped members; only the keys differ
    edited.keys = members
    return edited


def _native_member(key: Any) -> _native.PyJWK:
    if isinstance(key, PyJWK):
        return key._native
    if isinstance(key, _native.PyJWK):
        return key
    raise PyJWKSetError(f"A JWK Set's keys are PyJWK objects, not {type(key).__name__}")
