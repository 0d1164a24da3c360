"""python-jose's ``jose.backends.native``: keys that need no package beyond the standard
library and jwtlite itself.

``HMACKey`` is python-jose's; ``AESKey`` is the face's addition: python-jose has no AES without
``cryptography`` (or pycryptodome), jwtlite's pure backend has it, so JWE works without either.
"""

from __future__ import annotations

import os

from ..._escape import escape
from ...exceptions import InvalidArgumentError, InvalidValueError
from ._symmetric import AESKeyBase, HMACKeyBase

__all__ = ["AESKey", "HMACKey", "get_random_bytes"]

#: The most octets one call draws (a megabyte): IVs and keys are tens of octets, and a huge
#: count would allocate without end (``os.urandom`` raises OverflowError past sys.maxsize).
_MAX_RANDOM_BYTES = 1 << 20


def get_random_bytes(num_bytes: int) -> bytes:
    """``num_bytes`` from the operating system's CSPRNG (IVs, content encryption keys).

    Raises:
        InvalidArgumentError: (a TypeError, as ``os.urandom`` raises) not an integer.
        InvalidValueError: (a ValueError) negative, or above a megabyte.
    """
    if not isinstance(num_bytes, int) or isinstance(num_bytes, bool):
        raise InvalidArgumentError(f"num_bytes must be an integer, not {type(num_bytes).__name__}")
    if not 0 <= num_bytes <= _MAX_RANDOM_BYTES:
        raise InvalidValueError(
            f"num_bytes must be between 0 and {_MAX_RANDOM_BYTES}, not {escape(num_bytes)}"
        )
    return os.urandom(num_bytes)


class HMACKey(HMACKeyBase):
    """HS256/384/512 with the standard library's ``hmac``."""


class AESKey(AESKeyBase):
    """AES-GCM, AES-CBC and AES key wrap on jwtlite's pure-Python backend."""

    _backend_name = "pure"

    def _random_bytes(self, size: int) -> bytes:
        return get_random_bytes(size)  # this module's, looked up at each call
