"""AES key wrap (RFC 3394, NIST SP 800-38F §6.2 "KW"), pure Python: JWE's ``A*KW`` and the
key wrapping step of ``PBES2-*`` and ``ECDH-ES+A*KW`` (RFC 7518 §4.4, §4.6, §4.8).

Only the default initial value A6A6A6A6A6A6A6A6 (RFC 3394 §2.2.3.1) is used; RFC 5649's
padded variant is not part of JWE. Unwrapping compares the recovered value with
``hmac.compare_digest`` and returns None on a mismatch or a length that is not 8 * (n + 1)
bytes with n >= 2, without saying which.

Both directions run 6n single-block AES operations one after the other (each depends on the
last), so they use the one-block T-table cipher; its cache-timing leak is that of ``aes``:
here what leaks is about the key-encryption key, the long-lived one.
"""

from __future__ import annotations

import hmac

from .._aes_sizes import check_key, check_wrap_input
from . import aes

__all__ = ["unwrap", "wrap"]

_IV = bytes.fromhex("A6A6A6A6A6A6A6A6")
_M64 = (1 << 64) - 1


def wrap(kek: bytes, key: bytes) -> bytes:
    """RFC 3394 §2.2.1, index-based form: A = IV, then six passes over R[1..n]."""
    check_key(kek, "AES key-encryption key")
    check_wrap_input(key)
    schedule = aes.schedule(kek)
    n = len(key) // 8
    r = [int.from_bytes(key[8 * i : 8 * i + 8], "big") for i in range(n)]
    a = int.from_bytes(_IV, "big")
    encrypt_block = aes.encrypt_block
    t = 0
    for _ in range(6):
        for i in range(n):
            t += 1  # t = n*j + i, counting from 1
            b = encrypt_block(schedule, (a << 64) | r[i])
            a, r[i] = (b >> 64) ^ t, b & _M64
    return b"".join(v.to_bytes(8, "big") for v in (a, *r))


def unwrap(kek: bytes, wrapped: bytes) -> bytes | None:
    """RFC 3394 §2.2.2, index-based form, then the integrity check of §2.2.3."""
    check_key(kek, "AES key-encryption key")
    if len(wrapped) % 8 or len(wrapped) < 24:
        return None
    schedule = aes.schedule(kek)
    n = len(wrapped) // 8 - 1
    a = int.from_bytes(wrapped[:8], "big")
    r = [int.from_bytes(wrapped[8 * i : 8 * i + 8], "big") for i in range(1, n + 1)]
    decrypt_block = aes.decrypt_block
    t = 6 * n
    for _ in range(6):
        for i in range(n - 1, -1, -1):
            b = decrypt_block(schedule, ((a ^ t) << 64) | r[i])
            a, r[i] = b >> 64, b & _M64
            t -= 1
    if not hmac.compare_digest(a.to_bytes(8, "big"), _IV):
        return None
    return b"".join(v.to_bytes(8, "big") for v in r)
