"""python-jose's ``jose.jwk``: the key class for an algorithm, and ``construct``.

``construct(key_data, algorithm)`` builds the key class ``get_key(algorithm)`` names (see
:mod:`jwtlite.jose.backends`); keys registered with ``register_key`` come first, as in
python-jose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import InvalidArgumentError
from .backends import AESKey, DIRKey, ECKey, HMACKey, RSAKey
from .backends.base import Key
from .constants import ALGORITHMS
from .exceptions import JWKError

__all__ = [
    "AESKey",
    "DIRKey",
    "ECKey",
    "HMACKey",
    "Key",
    "RSAKey",
    "construct",
    "get_key",
    "register_key",
]


def get_key(algorithm: object) -> type[Key] | None:
    """The key class for ``algorithm``, or None when there is none."""
    if not isinstance(algorithm, str):
        return None
    if algorithm in ALGORITHMS.KEYS:
        return ALGORITHMS.KEYS[algorithm]
    if algorithm in ALGORITHMS.HMAC:
        return HMACKey
    if algorithm in ALGORITHMS.RSA:
        return RSAKey
    if algorithm in ALGORITHMS.EC:
        return ECKey
    if algorithm in ALGORITHMS.AES:
        return AESKey
    if algorithm == ALGORITHMS.DIR:
        return DIRKey
    return None


def register_key(algorithm: str, key_class: type[Key]) -> bool:
    """Use ``key_class`` for ``algorithm`` from now on (and count the algorithm supported).

    Raises:
        InvalidArgumentError: (a TypeError, as in python-jose) ``key_class`` is not a Key class,
            or ``algorithm`` is not a string.
    """
    if not isinstance(key_class, type) or not issubclass(key_class, Key):
        raise InvalidArgumentError("Key class is not a subclass of jwk.Key")
    if not isinstance(algorithm, str):
        raise InvalidArgumentError("algorithm must be a string")
    ALGORITHMS.KEYS[algorithm] = key_class
    ALGORITHMS.SUPPORTED.add(algorithm)
    return True


def construct(key_data: Any, algorithm: str | None = None) -> Key:
    """The key object for ``key_data`` and ``algorithm`` (a JWK dict may name its own ``alg``).

    Raises:
        JWKError: no algorithm, an unknown one, or key data that does not suit it.
    """
    if not algorithm and isinstance(key_data, Mapping):
        algorithm = key_data.get("alg")
    if not algorithm:
        raise JWKError("Unable to find an algorithm for key")
    key_class = get_key(algorithm)
    if key_class is None:
        raise JWKError("Unable to find an algorithm for key")  # python-jose's one text
    return key_class(key_data, algorithm)
