"""AES-GCM (NIST SP 800-38D), pure Python: the ``A*GCM`` content encryption and the ``A*GCMKW``
key wrapping of RFC 7518 §5.3 and §4.7.

Decryption checks the tag (with ``hmac.compare_digest``) before it decrypts a single block:
a forged ciphertext returns None and no keystream is made for it, so nothing about its
plaintext can leak (SP 800-38D §7.2 step 8 says no plaintext is released; this goes further).
A tag of any length other than 16 bytes is refused: JWE always uses the full 128-bit tag, and
shorter tags would make forgeries easier (SP 800-38D Appendix C).

GHASH, multiplication by H in GF(2^128), uses tables made from H, in two sizes:

* 256 entries (the products of H with every byte value, Shoup's 8-bit method): made in a few
  tens of microseconds; a block costs 16 table steps with a reduction each.
* 16 x 256 entries, one table per byte position, so a block is 16 lookups XORed together with
  no reduction at all: about three times faster per block, but ten times as long to make. They
  are made for a key seen a second time (a ``dir`` key or a key-wrapping key stays in the
  cache below) or for a long message; a per-token content key, used once, never pays for them.

Threat model (see ``aes`` for the cipher's): the GHASH tables are indexed by bytes of
``Y xor X``, which depend on H and on the data, so their cache footprint leaks in the same
way as the T-tables', and what leaks is about H, the hash key: whoever learns H can forge
tags for the key (SP 800-38D Appendix C). CPython's integers are not constant-time either. The
tag comparison itself is constant-time. Use the ``cryptography`` backend to decrypt tokens
from untrusted parties on shared hardware.

The module accepts IVs of any non-zero length (§7.1 step 2: J0 is GHASH of the IV); the
backends take only the 96-bit IV that JWE uses (RFC 7518 §5.3).
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Iterable
from itertools import chain

from ..._cache import BoundedCache, digest_key
from ...exceptions import InvalidKeyError, InvalidValueError
from .._aes_sizes import GCM_TAG_SIZE, check_key
from . import aes

__all__ = ["GCM_KEYS", "decrypt", "encrypt"]

#: R of §6.3: x^128 = x^7 + x^2 + x + 1, with the bits in GCM's reflected order.
_R = 0xE1 << 120
_M32 = 0xFFFFFFFF
#: §5.2.1.1: at most 2^39 - 256 bits of text, so that the 32-bit counter never wraps to J0.
MAX_TEXT_BYTES = (1 << 36) - 32
#: A message this long (in blocks of text plus AAD) is worth the 16 tables on first use.
FULL_TABLES_MIN_BLOCKS = 128


def _times_x(v: int) -> int:
    """v * x in GF(2^128): one bit to the right in the reflected order, reduced (§6.3)."""
    return (v >> 1) ^ _R if v & 1 else v >> 1


def _reduction_table() -> list[int]:
    """``(z >> 8) ^ _REDUCE8[z & 255]`` is ``z * x^8``: the reduction of the 8 dropped bits."""
    table = [0]
    for bit in range(8):  # linear in the dropped bits: XOR the reductions of each one
        v = 1 << bit
        for _ in range(8):
            v = _times_x(v)
        table += [t ^ v for t in table]
    return table


_REDUCE8 = _reduction_table()


def _byte_table(h: int) -> list[int]:
    """``table[b]`` = (b as the first byte of a block) * H: the bits of b are x^0 .. x^7."""
    powers = [h]  # H * x^i for i = 0..7, the products with the eight bits of b
    for _ in range(7):
        powers.append(_times_x(powers[-1]))
    table = [0]
    for power in reversed(powers):  # the low bit of b is x^7
        table += [v ^ power for v in table]
    return table


def _position_tables(first: list[int]) -> list[list[int]]:
    """Table k gives the product for byte k of a block: table k-1 times x^8."""
    reduce8 = _REDUCE8
    tables = [first]
    for _ in range(15):
        tables.append([(v >> 8) ^ reduce8[v & 255] for v in tables[-1]])
    return tables


def _ghash_bytewise(table: list[int], data: bytes, y: int) -> int:
    """GHASH (§6.4) with one 256-entry table: Horner's rule over the bytes of each block."""
    reduce8, fb = _REDUCE8, int.from_bytes
    for i in range(0, len(data), 16):
        x = (y ^ fb(data[i : i + 16], "big")).to_bytes(16, "big")
        y = table[x[15]]
        for b in x[14::-1]:
            y = (y >> 8) ^ reduce8[y & 255] ^ table[b]
    return y


def _ghash_tables(tables: list[list[int]], data: bytes, y: int) -> int:
    """GHASH with one table per byte position: Y = sum of T_k[byte k of Y xor X]."""
    t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15 = tables
    fb = int.from_bytes
    for i in range(0, len(data), 16):
        b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15 = (
            y ^ fb(data[i : i + 16], "big")
        ).to_bytes(16, "big")
        y = (
            t0[b0] ^ t1[b1] ^ t2[b2] ^ t3[b3] ^ t4[b4] ^ t5[b5] ^ t6[b6] ^ t7[b7]
            ^ t8[b8] ^ t9[b9] ^ t10[b10] ^ t11[b11] ^ t12[b12] ^ t13[b13] ^ t14[b14] ^ t15[b15]
        )  # fmt: skip
    return y


class _GcmKey:
    """One key's AES schedule and GHASH tables (H = E(K, 0^128), §6.4)."""

    __slots__ = ("schedule", "table", "tables")

    def __init__(self, key: bytes) -> None:
        self.schedule = aes.Schedule(key)
        self.table = _byte_table(aes.encrypt_block(self.schedule, 0))
        self.tables: list[list[int]] | None = None

    def ghash(self, data: bytes, *, full: bool = False) -> int:
        """GHASH_H(data) for ``len(data)`` a multiple of 16; ``full`` makes the 16 tables."""
        if self.tables is None and (full or len(data) >= 16 * FULL_TABLES_MIN_BLOCKS):
            self.tables = _position_tables(self.table)
        if self.tables is None:
            return _ghash_bytewise(self.table, data, 0)
        return _ghash_tables(self.tables, data, 0)


#: Per-key state by key digest. Each entry with 16 tables holds about 200 KB, hence few.
GCM_KEYS: BoundedCache[bytes, _GcmKey] = BoundedCache("pure AES-GCM keys", 8)


def _gcm_key(key: bytes) -> tuple[_GcmKey, bool]:
    """The key's state, and whether it was cached (a key used more than once)."""
    check_key(key)
    digest = digest_key(key)
    found = GCM_KEYS.get(digest)
    if found is not None:
        return found, True
    return GCM_KEYS.put(digest, _GcmKey(key)), False


def _pad16(data: bytes) -> bytes:
    return bytes(-len(data) % 16)


def _j0(state: _GcmKey, iv: bytes, *, full: bool) -> int:
    """The pre-counter block J0 (§7.1 step 2)."""
    if len(iv) == 12:
        return (int.from_bytes(iv, "big") << 32) | 1
    if not iv:
        # §5.2.1.1: the IV is at least one bit long. Only the module takes other lengths.
        raise InvalidKeyError("an AES-GCM IV cannot be empty")
    block = _pad16(iv) + bytes(8) + (8 * len(iv)).to_bytes(8, "big")
    return state.ghash(iv + block, full=full)


def _counter_blocks(j0: int, first: int, count: int) -> bytes:
    """inc32 applied ``first`` .. ``first + count - 1`` times to J0 (§6.2, §6.5)."""
    start = ((j0 & _M32) + first) & _M32
    end = start + count
    counters: Iterable[int] = range(start, end)
    if end > 1 << 32:  # inc32 wraps the low 32 bits alone; J0's other 96 bits stay
        counters = chain(range(start, 1 << 32), range(end - (1 << 32)))
    packed = struct.pack(f">{count}I", *counters)
    blocks = bytearray(((j0 >> 32).to_bytes(12, "big") + bytes(4)) * count)
    for j in range(4):
        blocks[12 + j :: 16] = packed[j::4]
    return bytes(blocks)


def _xor(data: bytes, stream: bytes) -> bytes:
    n = len(data)
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream[:n], "big")).to_bytes(n, "big")


def _hash_input(aad: bytes, ciphertext: bytes) -> bytes:
    """§7.1 step 5: A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64."""
    lengths = (8 * len(aad)).to_bytes(8, "big") + (8 * len(ciphertext)).to_bytes(8, "big")
    return b"".join((aad, _pad16(aad), ciphertext, _pad16(ciphertext), lengths))


def encrypt(key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """GCM-AE (§7.1): ``(ciphertext, 16-byte tag)``."""
    if len(plaintext) > MAX_TEXT_BYTES:
        raise InvalidValueError("AES-GCM encrypts at most 2^36 - 32 bytes under one IV")
    state, seen = _gcm_key(key)
    j0 = _j0(state, iv, full=seen)
    # E(K, J0) for the tag, then the keystream from inc32(J0), in one batch.
    stream = aes.encrypt_many(state.schedule, _counter_blocks(j0, 0, 1 + -(-len(plaintext) // 16)))
    ciphertext = _xor(plaintext, stream[16:])
    s = state.ghash(_hash_input(aad, ciphertext), full=seen)
    return ciphertext, (s ^ int.from_bytes(stream[:16], "big")).to_bytes(16, "big")


def decrypt(key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes) -> bytes | None:
    """GCM-AD (§7.2): the plaintext, or None when the tag does not match."""
    check_key(key)
    if len(tag) != GCM_TAG_SIZE or len(ciphertext) > MAX_TEXT_BYTES:
        return None
    state, seen = _gcm_key(key)
    j0 = _j0(state, iv, full=seen)
    s = state.ghash(_hash_input(aad, ciphertext), full=seen)
    expected = (s ^ aes.encrypt_block(state.schedule, j0)).to_bytes(16, "big")
    if not hmac.compare_digest(expected, tag):
        return None
    count = -(-len(ciphertext) // 16)
    return _xor(ciphertext, aes.encrypt_many(state.schedule, _counter_blocks(j0, 1, count)))
