"""Keys handed back to callers of the faces: ``cryptography`` objects when it is installed.

PyJWT and python-jose (with its ``cryptography`` backend) hand their users ``cryptography``
key objects, on which they call ``.public_bytes()`` or ``.public_numbers()``. jwtlite's own key
model is the neutral dataclasses of :mod:`jwtlite.keys`; the faces convert at their edge only,
through DER (which both sides read and write), cached by identity so that a key handed back
and passed in again is not converted twice.
"""

from __future__ import annotations

from typing import Any

from ._cache import IdentityCache
from ._keymodel import KEY_TYPES, PRIVATE_KEY_TYPES
from .algorithms import has_crypto
from .keys import dump_der

__all__ = ["export_key", "is_cryptography_key"]

_EXPORTED = IdentityCache("keys exported as cryptography objects", 256)


def is_cryptography_key(obj: object) -> bool:
    """Whether ``obj`` is an object of the ``cryptography`` package (its keys, mostly)."""
    return type(obj).__module__.startswith("cryptography.")


def export_key(key: Any) -> Any:
    """``key`` as a ``cryptography`` object when the package is installed, else unchanged.

    HMAC secrets (bytes) and anything that is not a jwtlite key pass through unchanged.
    """
    if not has_crypto or not isinstance(key, KEY_TYPES):
        return key
    cached = _EXPORTED.lookup(key)
    if cached is not None:
        return cached
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415 - optional dep

    der = dump_der(key)
    if isinstance(key, PRIVATE_KEY_TYPES):
        exported: Any = serialization.load_der_private_key(der, None)
    else:
        exported = serialization.load_der_public_key(der)
    _EXPORTED.store(key, exported)
    return exported
