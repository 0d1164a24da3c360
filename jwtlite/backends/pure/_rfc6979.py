"""Deterministic (and hedged) ECDSA nonces: RFC 6979 §3.2 with the §3.6 variant.

``nonces`` yields the candidate values of k in order (§3.2 step h); the caller takes the first
one and asks for the next only in the negligible case that r or s comes out zero (§3.4).
With ``extra`` empty this is exactly RFC 6979 and reproduces its Appendix A vectors; with
``extra`` set to fresh random bytes it is the hedged variant of §3.6, where the additional
data ``k'`` is appended to the HMAC inputs of steps d and f.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

__all__ = ["bits2int", "bits2octets", "nonces"]


def bits2int(data: bytes, qlen: int) -> int:
    """RFC 6979 §2.3.2: the leftmost ``qlen`` bits of ``data`` as a big-endian integer.

    This is also SEC 1 §4.1.3 step 5, the hash truncation ECDSA applies to the message digest.
    """
    x = int.from_bytes(data, "big")
    blen = 8 * len(data)
    return x >> (blen - qlen) if blen > qlen else x


def bits2octets(data: bytes, q: int) -> bytes:
    """RFC 6979 §2.3.4: bits2int reduced once modulo q (it is below 2q), then int2octets."""
    z1 = bits2int(data, q.bit_length())
    z2 = z1 - q
    return (z1 if z2 < 0 else z2).to_bytes((q.bit_length() + 7) // 8, "big")


def nonces(q: int, x: int, h1: bytes, hash_name: str, extra: bytes = b"") -> Iterator[int]:
    """Candidate nonces k in [1, q-1] for private key x and message digest h1 (§3.2)."""
    qlen = q.bit_length()
    rlen = (qlen + 7) // 8
    hlen = len(h1)
    secret = x.to_bytes(rlen, "big") + bits2octets(h1, q) + extra  # int2octets(x) (§2.3.3)

    def mac(key: bytes, data: bytes) -> bytes:
        return hmac.digest(key, data, hash_name)

    V = b"\x01" * hlen  # step b
    K = b"\x00" * hlen  # step c
    K = mac(K, V + b"\x00" + secret)  # step d
    V = mac(K, V)  # step e
    K = mac(K, V + b"\x01" + secret)  # step f
    V = mac(K, V)  # step g
    while True:  # step h
        T = b""
        while 8 * len(T) < qlen:
            V = mac(K, V)
            T += V
        k = bits2int(T, qlen)
        if 1 <= k < q:
            yield k
        K = mac(K, V + b"\x00")
        V = mac(K, V)
