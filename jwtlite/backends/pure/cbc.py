"""AES-CBC with PKCS#7 padding (NIST SP 800-38A §6.2, RFC 5652 §6.3), pure Python: the cipher
half of JWE's ``A*CBC-HS*`` content encryption (RFC 7518 §5.2).

CBC alone is not authenticated: RFC 7518 §5.2.2.2 has the JWE layer check the HMAC tag over
the ciphertext before it decrypts, so :func:`decrypt` only ever sees authentic ciphertexts
there and its padding verdict cannot become a padding oracle (Vaudenay 2002). Even so, the
padding is checked without an early exit: one table lookup by the pad byte and a few integer
operations over the last block, whatever is wrong with it. CPython's integers are not
constant-time, and the cipher itself leaks through cache timing (see ``aes``).

Encryption is sequential (each block is chained to the one before) and uses the one-block
cipher; decryption runs every block at once through the byte-sliced cipher.
"""

from __future__ import annotations

from .._aes_sizes import BLOCK_SIZE
from . import aes

__all__ = ["decrypt", "encrypt"]

_FLAG = 1 << 128
_ONES = int.from_bytes(b"\x01" * 16, "big")


def _padding_checks() -> list[int]:
    """Per last byte p: a mask of the p bytes that must equal p, or the flag bit for a bad p."""
    checks = [_FLAG] * 256  # p = 0 or p > 16 (RFC 5652 §6.3: 1 <= p <= block size)
    for p in range(1, BLOCK_SIZE + 1):
        checks[p] = (1 << (8 * p)) - 1
    return checks


_PADDING_CHECKS = _padding_checks()


def encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """Pad with p bytes of value p (1 <= p <= 16), then C_i = E(K, P_i xor C_(i-1)), C_0 = IV."""
    schedule = aes.schedule(key)
    pad = BLOCK_SIZE - len(plaintext) % BLOCK_SIZE
    data = plaintext + bytes((pad,)) * pad
    encrypt_block, fb = aes.encrypt_block, int.from_bytes
    chained = fb(iv, "big")
    out = []
    for i in range(0, len(data), BLOCK_SIZE):
        chained = encrypt_block(schedule, chained ^ fb(data[i : i + BLOCK_SIZE], "big"))
        out.append(chained.to_bytes(BLOCK_SIZE, "big"))
    return b"".join(out)


def decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
    """P_i = D(K, C_i) xor C_(i-1), then the padding removed; None for a bad length or padding."""
    schedule = aes.schedule(key)
    size = len(ciphertext)
    if size == 0 or size % BLOCK_SIZE:
        return None
    chain = int.from_bytes(iv + ciphertext[:-BLOCK_SIZE], "big")
    raw = int.from_bytes(aes.decrypt_many(schedule, ciphertext), "big") ^ chain
    last = raw & ((1 << 128) - 1)
    pad = last & 0xFF
    # Zero in every byte that equals the pad byte; the check keeps the bytes that must.
    if ((last ^ (pad * _ONES)) | _FLAG) & _PADDING_CHECKS[pad]:
        return None
    return raw.to_bytes(size, "big")[:-pad]
