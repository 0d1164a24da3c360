"""Choosing the key for one JWS signature, binding it to the algorithm, verifying, signing.

RFC 8725 §3.1: ``alg`` must be one the caller allows, ``none`` never verifies, and the key is
resolved once (a JWK or JWK Set through :mod:`jwtlite.jwk`'s selection by ``kid`` and ``alg``,
anything else through the algorithm's ``prepare_key``) and bound to the algorithm's family
before any cryptography runs. The compact engine (:mod:`jwtlite.jws`) and the JSON
serialization (:mod:`jwtlite._jws_json`) verify and sign every signature through here.
"""

from __future__ import annotations

import warnings
from collections.abc import Container, Mapping, Sequence
from typing import Any, Callable, NamedTuple

from . import _hints
from ._cache import IdentityCache
from ._keymodel import KEY_TYPES, key_curve, key_kty
from ._options import Options
from ._values import names
from .algorithms import BINDABLE, RSA_LEGACY_MIN_BITS, Algorithm, RSAAlgorithm, Verifier
from .backends import get_backend
from .exceptions import (
    DecodeError,
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    PyJWKSetError,
    PyJWTError,
    UnusableKeyError,
)
from .jwk import PyJWK, PyJWKSet, resolve_key
from .keys import is_public_key_material, load_key

__all__ = [
    "BINDABLE_KEYS",
    "GetAlgorithm",
    "allowed_algorithms",
    "check_key_length",
    "resolve_jwk",
    "sign",
    "verify",
]

#: Looks an ``alg`` name up in the caller's algorithm table (``PyJWS.get_algorithm_by_name``).
GetAlgorithm = Callable[[str], Algorithm]


def verify(
    signing_input: bytes,
    header: Mapping[str, Any],
    signature: bytes,
    key: Any,
    algorithms: Sequence[str] | None,
    get_algorithm: GetAlgorithm,
    options: Options,
) -> None:
    alg = header.get("alg")
    if alg is None:
        raise InvalidAlgorithmError("Algorithm not specified")
    allowed = allowed_algorithms(algorithms, key)
    if alg not in allowed:
        raise InvalidAlgorithmError(
            "The specified alg value is not allowed" + _hints.not_allowed(alg, allowed)
        )
    if alg == "none":
        raise InvalidAlgorithmError('The "none" algorithm is never accepted for verification')
    try:
        alg_obj = get_algorithm(alg)
    except InvalidAlgorithmError as exc:
        # PyJWT's exact text when verifying; the hint (a near-miss name) rides on the cause.
        raise InvalidAlgorithmError("Algorithm not supported") from exc
    if options.allow_small_rsa_verify and isinstance(alg_obj, RSAAlgorithm):
        alg_obj = alg_obj.with_min_bits(RSA_LEGACY_MIN_BITS)
    if type(alg_obj) in BINDABLE and type(key) in BINDABLE_KEYS:
        verified = _bound_verifier(alg_obj, key, options)(signing_input, signature)
    else:
        prepared = alg_obj.prepare_key(resolve_jwk(key, alg, header.get("kid"), "verify"))
        check_key_length(alg_obj, prepared, options)
        verified = alg_obj.verify(signing_input, prepared, signature)
    if not verified:
        raise InvalidSignatureError("Signature verification failed")


#: Key forms that cannot change after they are passed: the caller's object may key a cache.
#: (Mappings, PyJWK and PyJWKSet choose a member per token, by its ``kid`` and ``alg``.)
BINDABLE_KEYS = frozenset({str, bytes, *KEY_TYPES})


class _Bound(NamedTuple):
    """What :func:`_bound_verifier` keeps per key object: valid for this algorithm object and
    backend only."""

    algorithm: Algorithm
    backend: object
    short_key: str | None  # the key-length warning, re-applied on every decode
    verify: Verifier


#: Per key object the caller passes. A service that verifies with one configured key (a PEM
#: string, say) prepares it once, not on every request; entries die with the caller's object
#: (or the bound of 256).
#: Each entry also records its backend, which every lookup checks; set_backend() empties the
#: cache as well (backend_bound), so the old backend's key objects are not kept for nothing.
_VERIFIERS = IdentityCache("bound verifiers", 256, backend_bound=True)


def _bound_verifier(alg_obj: Algorithm, key: Any, options: Options) -> Verifier:
    backend = get_backend()
    bound = _VERIFIERS.lookup(key)
    if (
        not isinstance(bound, _Bound)
        or bound.algorithm is not alg_obj
        or bound.backend is not backend
    ):
        prepared = alg_obj.prepare_key(key)
        length = alg_obj.check_key_length(prepared)
        bound = _Bound(alg_obj, backend, length, alg_obj._verifier(prepared))
        _VERIFIERS.store(key, bound)
    if bound.short_key is not None:
        _length_verdict(bound.short_key, options)
    return bound.verify


_OCTETS = (bytes, bytearray, memoryview)


def allowed_algorithms(algorithms: Sequence[str] | None, key: Any) -> Container[str]:
    """The caller's allowed ``alg`` values; a PyJWK alone may imply its own (as in PyJWT)."""
    if isinstance(algorithms, str):
        return (algorithms,)  # one name; never a substring test
    if type(algorithms) in (list, tuple, set, frozenset) and algorithms:
        return algorithms  # the usual call: membership needs no copy
    if algorithms:
        if isinstance(algorithms, Container) and not isinstance(algorithms, _OCTETS):
            return algorithms  # anything that answers "in" (PyJWT only ever asks that)
        # ``"HS256" in b"HS256"`` or ``in 5`` raises TypeError: any other truthy value must
        # be an iterable of names (a generator).
        return names(algorithms, "algorithms")
    implied = getattr(key, "algorithm_name", None)
    if isinstance(implied, str) and not isinstance(key, (str, bytes)):
        return (implied,)
    raise DecodeError(
        'It is required that you pass in a value for the "algorithms" argument when calling'
        " decode()." + _hints.missing_algorithms(*_key_shape(key))
    )


def _key_shape(key: Any) -> tuple[str | None, str | None]:
    """The ``kty`` and curve of the caller's key, for a hint; ``oct`` for a secret."""
    if isinstance(key, PyJWKSet):
        key = key.keys[0] if key.keys else None
    key = getattr(key, "key", key)  # a PyJWK carries its parsed key
    if isinstance(key, (str, bytes)) and not is_public_key_material(key):
        return "oct", None
    try:
        loaded = load_key(key)
    except PyJWTError:
        return None, None
    return key_kty(loaded), key_curve(loaded)


def resolve_jwk(key: Any, alg: str, kid: Any, operation: str) -> Any:
    """Keys given as PyJWK, PyJWKSet or a JWK/JWKS dict are chosen and checked by ``jwk``;
    every other form goes to the algorithm's ``prepare_key`` unchanged."""
    if type(key) is str or type(key) is bytes:  # the common forms; Mapping's check is slow
        return key
    if not isinstance(key, (PyJWK, PyJWKSet, Mapping)):
        return key
    if operation != "verify":
        return resolve_key(key, alg=alg, kid=kid, operation=operation)
    try:
        return resolve_key(key, alg=alg, kid=kid, operation=operation)
    except (InvalidKeyError, PyJWKSetError) as exc:
        # The token's kid/alg chose this failure, so it must be catchable as a bad token.
        raise UnusableKeyError(str(exc)) from exc


def check_key_length(alg_obj: Algorithm, prepared: Any, options: Options) -> None:
    """Warn (or, with ``enforce_minimum_key_length``, raise) for a too-short key."""
    _length_verdict(alg_obj.check_key_length(prepared), options)


def _length_verdict(message: str | None, options: Options) -> None:
    if message is None:
        return
    if options.enforce_minimum_key_length:
        raise InvalidKeyError(message)
    warnings.warn(message, InsecureKeyLengthWarning, stacklevel=_hints.caller_stacklevel())


def sign(
    signing_input: bytes, key: Any, *, alg_obj: Algorithm, alg: str, kid: Any, options: Options
) -> bytes:
    """The signature of ``signing_input`` under ``alg`` with the caller's ``key`` (a JWK Set
    chooses its member by ``kid`` and ``alg``); too-short keys warn or fail as on verify."""
    prepared = alg_obj.prepare_key(resolve_jwk(key, alg, kid, "sign"))
    check_key_length(alg_obj, prepared, options)
    return alg_obj.sign(signing_input, prepared)
