"""python-jose's ``jose.backends.native``: keys that need no package beyond the standard
library and jwtlite itself.

``HMACKey`` is python-jose's; ``AESKey`` is the face's addition: python-jose has no AES without
``cryptography`` (or pycryptodome), jwtlite's pure backend has it, so JWE works without either.
"""

from __future__ import annotations

import os

from ._symmetric import AESKeyBase, HMACKeyBase

__all__ = ["AESKey", "HMACKey", "get_random_bytes"]


def get_random_bytes(num_bytes: int) -> bytes:
    """``num_bytes`` from the operating system's CSPRNG (IVs, content encryption keys)."""
    return os.urandom(num_bytes)


class HMACKey(HMACKeyBase):
    """HS256/384/512 with the standard library's ``hmac``."""


class AESKey(AESKeyBase):
    """AES-GCM, AES-CBC and AES key wrap on jwtlite's pure-Python backend."""

    _backend_name = "pure"

    def _random_bytes(self, size: int) -> bytes:
        return get_random_bytes(size)  # this module's, looked up at each call
