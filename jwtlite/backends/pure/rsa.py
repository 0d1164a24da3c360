"""Pure-Python RSA signatures (RFC 8017): RSASSA-PKCS1-v1_5, RSASSA-PSS, and key generation.

What this module defends against, and what it cannot:

- Signature forgery through lenient parsing (Bleichenbacher 2006): PKCS#1 v1.5 verification
  never parses the recovered block; it builds the one canonical encoding (RFC 8017 §8.2.2
  step 3) and compares bytes.
- Malleable or non-canonical signatures: a signature must be exactly ``k`` bytes (a stripped
  leading zero fails) and its integer must be below ``n`` (§8.2.2 step 1, §5.2.2 step 1).
- Fault attacks on CRT (Bellcore): every signature is checked with the public exponent before
  it is released; a mismatch raises :class:`InvalidKeyError` instead of leaking a factor.
- Hostile keys: a public exponent above 2^256 or a modulus above 16384 bits fails
  verification before any exponentiation (``_rsacheck``), whoever built the key object; signing
  refuses those and ROCA moduli (CVE-2017-15361) with :class:`InvalidKeyError`.
- Timing: CPython integers are not constant-time, so the private exponentiation is blinded
  (see :func:`_fresh_blinding`). Blinding hides the message-dependent part of the timing; it
  does not make the code constant-time, and nothing in pure Python can.

Verification never raises on malformed input: it returns False.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from functools import lru_cache, partial
from typing import Callable

from ..._keymodel import RSAPrivateKey, RSAPublicKey
from ..._rsacheck import check_signing_modulus, public_ok
from ...exceptions import InvalidKeyError, UnsupportedHashError
from ._primes import random_prime

__all__ = [
    "generate",
    "mgf1",
    "pkcs1v15_sign",
    "pkcs1v15_verify",
    "private_op",
    "pss_sign",
    "pss_verify",
    "xor_bytes",
]

_HashFn = Callable[[bytes], "hashlib._Hash"]

#: DER of the DigestInfo ``SEQUENCE { AlgorithmIdentifier { OID, NULL }, OCTET STRING }``
#: up to the digest itself, for every hash of ``_jwa.SIGNATURE_HASHES``: RFC 8017 §9.2 note 1
#: for SHA-1 and SHA-2; the same shape for SHA-3 with its OIDs, id-sha3-224 to id-sha3-512
#: (2.16.840.1.101.3.4.2.7 to .10, NIST CSOR), as OpenSSL writes them. Only this canonical
#: form, with the NULL parameters, is ever accepted: the legacy "missing NULL" form is
#: rejected.
_DIGEST_INFO_PREFIX = {
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha224": bytes.fromhex("302d300d06096086480165030402040500041c"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
    "sha512_224": bytes.fromhex("302d300d06096086480165030402050500041c"),
    "sha512_256": bytes.fromhex("3031300d060960864801650304020605000420"),
    "sha3_224": bytes.fromhex("302d300d06096086480165030402070500041c"),
    "sha3_256": bytes.fromhex("3031300d060960864801650304020805000420"),
    "sha3_384": bytes.fromhex("3041300d060960864801650304020905000430"),
    "sha3_512": bytes.fromhex("3051300d060960864801650304020a05000440"),
}

#: The hash functions, by hashlib name (a named constructor where hashlib has one: faster),
#: leaving out any this Python's OpenSSL lacks (SHA-512/t, on some builds).
_HASHES: dict[str, _HashFn] = {
    name: getattr(hashlib, name, None) or partial(hashlib.new, name)
    for name in _DIGEST_INFO_PREFIX
    if name in hashlib.algorithms_available
}

_PUBLIC_EXPONENT = 65537

#: Key sizes :func:`generate` accepts. Below 1024 the FIPS 186-5 A.1.3 bound on |p - q| is
#: meaningless; above 16384 generation takes minutes in pure Python.
_MIN_GENERATE_BITS = 1024
_MAX_GENERATE_BITS = 16384


def _hash(hash_name: str) -> _HashFn:
    fn = _HASHES.get(hash_name)
    if fn is None:
        raise UnsupportedHashError(f"unsupported hash for RSA: {hash_name!r}")
    return fn


def _byte_len(n: int) -> int:
    return (n.bit_length() + 7) >> 3


@lru_cache(maxsize=64)
def _pkcs1_prefix(k: int, hash_name: str) -> bytes | None:
    """:func:`_build_pkcs1_prefix`, kept per modulus length and hash."""
    return _build_pkcs1_prefix(k, hash_name)


def _build_pkcs1_prefix(k: int, hash_name: str) -> bytes | None:
    """``EM`` of EMSA-PKCS1-v1_5 (RFC 8017 §9.2) up to the digest, for a ``k``-byte modulus.

    None when the hash is unknown or ``k < tLen + 11`` (§9.2 step 3). Undecorated, apart from
    its cache, so that mutation testing reaches it (mutmut leaves decorated functions alone).
    """
    digest_info = _DIGEST_INFO_PREFIX.get(hash_name)
    if digest_info is None:
        return None
    t_len = len(digest_info) + _HASHES[hash_name](b"").digest_size
    if k < t_len + 11:
        return None
    # §9.2 steps 4-5: EM = 0x00 || 0x01 || PS (0xff * (k - tLen - 3)) || 0x00 || T.
    return b"\x00\x01" + b"\xff" * (k - t_len - 3) + b"\x00" + digest_info


# --- RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) ------------------------------------------------------


def pkcs1v15_sign(key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
    """RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.1): ``k`` bytes, deterministic.

    Raises:
        InvalidKeyError: unknown hash, modulus too small for the encoding, or an
            inconsistent private key (the signature failed its public-exponent check).
    """
    hash_fn = _hash(hash_name)
    k = _byte_len(key.n)
    prefix = _pkcs1_prefix(k, hash_name)
    if prefix is None:
        raise InvalidKeyError("RSA modulus too short for a PKCS#1 v1.5 signature with this hash")
    em = prefix + hash_fn(message).digest()
    return private_op(key, int.from_bytes(em, "big")).to_bytes(k, "big")


def pkcs1v15_verify(key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2); False on any malformed input."""
    try:
        n = key.n
        if not public_ok(n, key.e):
            return False
        k = (n.bit_length() + 7) >> 3
        prefix = _pkcs1_prefix(k, hash_name)
        # §8.2.2 step 1: the signature is exactly k octets; §5.2.2 step 1: s < n.
        if prefix is None or len(signature) != k:
            return False
        s = int.from_bytes(signature, "big")
        if s >= n:
            return False
        em = pow(s, key.e, n).to_bytes(k, "big")
        # §8.2.2 steps 3-4: compare with the one encoding we would have produced.
        return hmac.compare_digest(em, prefix + _HASHES[hash_name](message).digest())
    except (TypeError, ValueError, OverflowError):
        return False


# --- RSASSA-PSS (RFC 8017 §8.1, EMSA-PSS §9.1), sLen = hLen (RFC 7518 §3.5) ---------------


def mgf1(seed: bytes, length: int, hash_fn: _HashFn) -> bytes:
    """MGF1 (RFC 8017 §B.2.1)."""
    h_len = hash_fn(b"").digest_size
    blocks = (length + h_len - 1) // h_len
    return b"".join(hash_fn(seed + i.to_bytes(4, "big")).digest() for i in range(blocks))[:length]


def xor_bytes(a: bytes, b: bytes) -> bytes:
    """``a XOR b`` for two strings of the same length."""
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def _emsa_pss_encode(m_hash: bytes, em_bits: int, hash_fn: _HashFn, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen; the caller checked emLen."""
    h_len = len(m_hash)
    em_len = (em_bits + 7) >> 3
    # Steps 5-6: H = Hash(0x00 * 8 || mHash || salt).
    h = hash_fn(b"\x00" * 8 + m_hash + salt).digest()
    # Steps 7-8: DB = PS || 0x01 || salt.
    db = b"\x00" * (em_len - len(salt) - h_len - 2) + b"\x01" + salt
    masked_db = bytearray(xor_bytes(db, mgf1(h, em_len - h_len - 1, hash_fn)))
    # Step 11: clear the leftmost 8 * emLen - emBits bits.
    masked_db[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked_db) + h + b"\xbc"


def _emsa_pss_verify(m_hash: bytes, em: bytes, em_bits: int, hash_fn: _HashFn) -> bool:
    """EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen."""
    h_len = s_len = len(m_hash)
    em_len = len(em)
    zero_bits = 8 * em_len - em_bits
    # Steps 3-4: room for the encoding, and the 0xbc trailer.
    if em_len < h_len + s_len + 2 or em[-1] != 0xBC:
        return False
    # Step 5: maskedDB || H.
    masked_db, h = em[: em_len - h_len - 1], em[em_len - h_len - 1 : -1]
    # Step 6: the leftmost 8 * emLen - emBits bits of maskedDB must be zero.
    if masked_db[0] >> (8 - zero_bits):
        return False
    # Steps 7-9: DB = maskedDB xor MGF(H), with those same bits cleared.
    db = bytearray(xor_bytes(masked_db, mgf1(h, em_len - h_len - 1, hash_fn)))
    db[0] &= 0xFF >> zero_bits
    # Step 10: PS is all zero octets, then a 0x01 separator.
    ps_len = em_len - h_len - s_len - 2
    if any(db[:ps_len]) or db[ps_len] != 0x01:
        return False
    # Steps 11-14: recompute H' from the recovered salt.
    salt = bytes(db[-s_len:])
    return hmac.compare_digest(h, hash_fn(b"\x00" * 8 + m_hash + salt).digest())


def pss_sign(key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
    """RSASSA-PSS signature (RFC 8017 §8.1.1), MGF1 over the same hash, salt of hash length.

    Raises:
        InvalidKeyError: unknown hash, modulus too small, or an inconsistent private key.
    """
    hash_fn = _hash(hash_name)
    m_hash = hash_fn(message).digest()
    h_len = len(m_hash)
    mod_bits = key.n.bit_length()
    em_bits = mod_bits - 1
    # §9.1.1 step 3: emLen >= hLen + sLen + 2.
    if (em_bits + 7) >> 3 < 2 * h_len + 2:
        raise InvalidKeyError("RSA modulus too short for a PSS signature with this hash")
    em = _emsa_pss_encode(m_hash, em_bits, hash_fn, secrets.token_bytes(h_len))
    return private_op(key, int.from_bytes(em, "big")).to_bytes((mod_bits + 7) >> 3, "big")


def pss_verify(key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes) -> bool:
    """RSASSA-PSS verification (RFC 8017 §8.1.2); False on any malformed input."""
    try:
        hash_fn = _HASHES.get(hash_name)
        n = key.n
        if not public_ok(n, key.e):
            return False
        mod_bits = n.bit_length()
        k = (mod_bits + 7) >> 3
        # §8.1.2 step 1: exactly k octets; §5.2.2 step 1: s < n.
        if hash_fn is None or len(signature) != k:
            return False
        s = int.from_bytes(signature, "big")
        if s >= n or mod_bits < 2:
            return False
        # Step 2c: EM = I2OSP(m, emLen) fails ("integer too large") when m needs more octets.
        em_bits = mod_bits - 1
        em_len = (em_bits + 7) >> 3
        m = pow(s, key.e, n)
        if m >> (8 * em_len):
            return False
        return _emsa_pss_verify(
            hash_fn(message).digest(), m.to_bytes(em_len, "big"), em_bits, hash_fn
        )
    except (TypeError, ValueError, OverflowError):
        return False


# --- The private-key operation ---------------------------------------------------------------


def _fresh_blinding(n: int, e: int) -> tuple[int, int]:
    """A blinding pair from a fresh random ``r`` coprime to ``n`` (drawn from :mod:`secrets`):
    ``vi = r**e mod n`` blinds the input, ``vf = r**-1 mod n`` unblinds the result. A new
    ``r`` for every signature costs a public exponentiation and an inverse, about 10% of a
    2048-bit signature, and leaves no blinding state to share across threads or forks."""
    while True:
        r = secrets.randbelow(n - 2) + 2
        if math.gcd(r, n) == 1:
            return pow(r, e, n), pow(r, -1, n)


def private_op(key: RSAPrivateKey, m: int) -> int:
    """RSASP1 (RFC 8017 §5.2.1), which is also RSADP (§5.1.2): ``m^d mod n`` for ``m < n``,
    by CRT, blinded, and checked with ``e`` before release."""
    n = key.n
    check_signing_modulus(n, key.e)
    # The CRT values bound the work: a hand-built key's 20000-bit p made each exponentiation
    # cost a second before the public-key check below caught it (RFC 8017 §3.2: p, q < n,
    # dP < p, dQ < q). Values in range but wrong are left to that check.
    if not (0 < key.p < n and 0 < key.q < n and 0 <= key.dp < key.p and 0 <= key.dq < key.q):
        raise InvalidKeyError("RSA private key values are out of range (RFC 8017 §3.2)")
    try:
        vi, vf = _fresh_blinding(n, key.e)
        c = m * vi % n
        # §5.2.1 step 2b: Garner's recombination from the two half-size exponentiations.
        s_p = pow(c, key.dp, key.p)
        s_q = pow(c, key.dq, key.q)
        h = (s_p - s_q) * key.qi % key.p
        s = (s_q + key.q * h) * vf % n
        consistent = pow(s, key.e, n) == m
    except (ValueError, ZeroDivisionError) as exc:
        raise InvalidKeyError("RSA private key values are unusable") from exc
    if not consistent:
        # Bellcore: a faulty CRT half would let anyone factor n from the released signature.
        raise InvalidKeyError("RSA signature failed its public-key check; the key is inconsistent")
    return s


# --- Key generation (FIPS 186-5 A.1.3) --------------------------------------------------------


def generate(bits: int) -> RSAPrivateKey:
    """A new two-prime RSA key of exactly ``bits`` bits with ``e = 65537``.

    Raises:
        InvalidKeyError: ``bits`` is odd or outside 1024..16384.
    """
    if not _MIN_GENERATE_BITS <= bits <= _MAX_GENERATE_BITS or bits % 2:
        raise InvalidKeyError(
            f"RSA key size must be even and between {_MIN_GENERATE_BITS} and "
            f"{_MAX_GENERATE_BITS} bits, not {bits}"
        )
    half = bits // 2
    e = _PUBLIC_EXPONENT
    while True:
        p = random_prime(half, e)
        q = random_prime(half, e)
        # A.1.3 step 5.4: p and q must not be close, or Fermat's method factors n.
        if abs(p - q) <= 1 << (half - 100):
            continue
        lcm = (p - 1) // math.gcd(p - 1, q - 1) * (q - 1)
        d = pow(e, -1, lcm)
        # FIPS 186-5 A.1.1: 2**(nlen/2) < d < LCM(p - 1, q - 1), else start again.
        if d > 1 << half:
            break
    return RSAPrivateKey(
        n=p * q, e=e, d=d, p=p, q=q, dp=d % (p - 1), dq=d % (q - 1), qi=pow(q, -1, p)
    )
