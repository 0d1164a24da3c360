"""The sizes the AES primitives accept, checked alike by both backends.

A wrong size here is a bug of the caller above the backend seam (the JWE layer checks every
size against the ``alg``/``enc`` before it calls), so it raises :class:`InvalidKeyError`
instead of returning None: None is kept for "this ciphertext is not authentic".
"""

from __future__ import annotations

from typing import Literal

from ..exceptions import InvalidKeyError

__all__ = [
    "BLOCK_SIZE",
    "GCM_IV_SIZE",
    "GCM_TAG_SIZE",
    "KEY_SIZES",
    "check_key",
    "check_key_and_iv",
    "check_wrap_input",
]

#: FIPS 197 §5: AES-128, AES-192 and AES-256.
KEY_SIZES = (16, 24, 32)
BLOCK_SIZE = 16
#: RFC 7518 §5.3 and §4.7: JWE uses a 96-bit IV and a 128-bit tag for every GCM use.
GCM_IV_SIZE = 12
GCM_TAG_SIZE = 16
#: RFC 3394 §2: at least two 64-bit blocks of key data.
_WRAP_MIN = 16


def check_key(key: bytes, what: str = "AES key") -> None:
    """Refuse a key that is not 128, 192 or 256 bits long."""
    if len(key) not in KEY_SIZES:
        raise InvalidKeyError(f"an {what} must be 16, 24 or 32 bytes, not {len(key)}")


def check_key_and_iv(key: bytes, iv: bytes, mode: Literal["GCM", "CBC"]) -> None:
    """Refuse a key (:func:`check_key`), then an IV of another length than ``mode``'s
    (``"GCM"``: :data:`GCM_IV_SIZE`, ``"CBC"``: one block). Both backends check in this
    order, so a call with both wrong gets the same error on either."""
    check_key(key)
    size = GCM_IV_SIZE if mode == "GCM" else BLOCK_SIZE
    if len(iv) != size:
        raise InvalidKeyError(f"an AES-{mode} IV must be {size} bytes, not {len(iv)}")


def check_wrap_input(key: bytes) -> None:
    """Refuse key data RFC 3394 §2.2.1 cannot wrap: n >= 2 blocks of 64 bits."""
    if len(key) < _WRAP_MIN or len(key) % 8:
        raise InvalidKeyError(
            f"AES key wrap takes a multiple of 8 bytes, at least 16, not {len(key)} bytes"
        )
