"""Pure-Python RSA encryption (RFC 8017 §7): RSAES-OAEP and RSAES-PKCS1-v1_5, for JWE.

The label of OAEP is always empty (RFC 7518 §4.3) and MGF1 uses the OAEP hash. The private-key
operation is the one signing uses (``rsa.private_op``): blinded with a fresh random value per
call and checked with the public exponent before its result is used.

What this module defends against, and what it cannot:

- Padding oracles. Decryption returns None for every failure, whatever the cause. OAEP decoding
  (Manger 2001, the note of RFC 8017 §7.1.2) computes every check over the whole block, the
  leading octet, ``lHash`` (compared with :func:`hmac.compare_digest`) and the scan for the
  0x01 separator, without stopping at the first failure, and folds them into one flag before
  the only branch. PKCS#1 v1.5 decoding (Bleichenbacher 1998) does the same; above it, JWE
  replaces a failed RSA1_5 decryption by a random key (RFC 7516 §11.5), so an attacker learns
  nothing until the content tag fails, whichever step failed.
- Hostile ciphertexts. Checks that need no secret come first and are cheap: the ciphertext
  must be exactly ``k`` octets and its integer below ``n`` (§7.1.2 step 1, §5.1.2 step 1), so
  a long ciphertext never reaches an exponentiation.
- Timing: CPython integers and byte loops are not constant-time. Blinding hides the
  ciphertext-dependent part of the exponentiation's timing and the decoders above avoid
  early exits, but interpreter timing can still depend on the data; nothing in pure Python
  can promise more. Use the ``cryptography`` backend where that matters.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Callable

from ..._keymodel import RSAPrivateKey, RSAPublicKey
from ..._rsacheck import check_signing_modulus
from ...exceptions import InvalidKeyError, UnsupportedHashError
from .rsa import mgf1, private_op, xor_bytes

__all__ = ["oaep_decrypt", "oaep_encrypt", "pkcs1v15_decrypt", "pkcs1v15_encrypt"]

_HashFn = Callable[[bytes], "hashlib._Hash"]

#: The OAEP hashes of JWE: SHA-1 for RSA-OAEP (RFC 7518 §4.3), SHA-256 for RSA-OAEP-256,
#: SHA-384 and SHA-512 for RSA-OAEP-384/-512 (registered by the IANA JOSE registry).
_HASHES: dict[str, _HashFn] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
#: RFC 8017 §7.2.1 step 1: PS holds at least 8 non-zero octets, so EM has 11 fixed octets.
_PKCS1_OVERHEAD = 11


def _hash(hash_name: str) -> _HashFn:
    fn = _HASHES.get(hash_name) if isinstance(hash_name, str) else None
    if fn is None:
        raise UnsupportedHashError(f"unsupported hash for RSA-OAEP: {hash_name!r}")
    return fn


def _byte_len(n: int) -> int:
    return (n.bit_length() + 7) >> 3


def _rsaep(key: RSAPublicKey, em: bytes) -> bytes:
    """RSAEP (§5.1.1) on an encoded message that starts with 0x00, so ``m < n``."""
    check_signing_modulus(key.n, key.e)  # public bounds, and no ROCA key (anyone could decrypt)
    k = _byte_len(key.n)
    return pow(int.from_bytes(em, "big"), key.e, key.n).to_bytes(k, "big")


def _rsadp(key: RSAPrivateKey, ciphertext: bytes) -> bytes | None:
    """RSADP (§5.1.2) as ``k`` octets, or None for a ciphertext of the wrong length or >= n."""
    n = key.n
    k = _byte_len(n)
    if not isinstance(ciphertext, bytes) or len(ciphertext) != k:
        return None
    c = int.from_bytes(ciphertext, "big")
    if c >= n:
        return None
    return private_op(key, c).to_bytes(k, "big")


def _is_zero(octet: int) -> int:
    """1 when ``octet`` (0..255) is zero, else 0, by arithmetic rather than a comparison."""
    return ((octet - 1) >> 8) & 1


# --- RSAES-OAEP (RFC 8017 §7.1) ----------------------------------------------------------------


def oaep_encrypt(key: RSAPublicKey, hash_name: str, plaintext: bytes) -> bytes:
    """RSAES-OAEP-ENCRYPT (§7.1.1) with MGF1 over ``hash_name`` and an empty label.

    Raises:
        UnsupportedHashError: ``hash_name`` is not sha1, sha256, sha384 or sha512.
        InvalidKeyError: the key is unusable, or too small for ``plaintext`` (step 1b).
    """
    hash_fn = _hash(hash_name)
    h_len = hash_fn(b"").digest_size
    k = _byte_len(key.n)
    if len(plaintext) > k - 2 * h_len - 2:
        raise InvalidKeyError("RSA key too small for this RSA-OAEP plaintext and hash")
    # Steps 2a-2i: DB = lHash || PS || 0x01 || M; the seed masks DB, DB masks the seed.
    db = hash_fn(b"").digest() + bytes(k - len(plaintext) - 2 * h_len - 2) + b"\x01" + plaintext
    seed = secrets.token_bytes(h_len)
    masked_db = xor_bytes(db, mgf1(seed, k - h_len - 1, hash_fn))
    masked_seed = xor_bytes(seed, mgf1(masked_db, h_len, hash_fn))
    return _rsaep(key, b"\x00" + masked_seed + masked_db)


def oaep_decrypt(key: RSAPrivateKey, hash_name: str, ciphertext: bytes) -> bytes | None:
    """RSAES-OAEP-DECRYPT (§7.1.2), or None on any failure (one result for every cause).

    Raises:
        UnsupportedHashError: ``hash_name`` is not sha1, sha256, sha384 or sha512.
        InvalidKeyError: the private key is inconsistent (its result failed the check with e).
    """
    hash_fn = _hash(hash_name)
    h_len = hash_fn(b"").digest_size
    # Step 1c: the key must hold an encoding at all (public, so an early answer leaks nothing).
    if _byte_len(key.n) < 2 * h_len + 2:
        return None
    em = _rsadp(key, ciphertext)
    if em is None:
        return None
    return _oaep_decode(em, hash_fn, h_len)


def _oaep_decode(em: bytes, hash_fn: _HashFn, h_len: int) -> bytes | None:
    """EME-OAEP decoding (§7.1.2 step 3) with every check computed before the one branch."""
    masked_seed, masked_db = em[1 : 1 + h_len], em[1 + h_len :]
    seed = xor_bytes(masked_seed, mgf1(masked_db, h_len, hash_fn))
    db = xor_bytes(masked_db, mgf1(seed, len(masked_db), hash_fn))
    good = _is_zero(em[0]) & int(hmac.compare_digest(db[:h_len], hash_fn(b"").digest()))
    # DB = lHash' || PS || 0x01 || M: find the first non-zero octet after lHash' and require
    # it to be 0x01, scanning to the end whatever is found (no early exit, no index()).
    looking, start, bad = 1, 0, 0
    for i in range(h_len, len(db)):
        octet = db[i]
        zero, one = _is_zero(octet), _is_zero(octet ^ 1)
        start += (i + 1) * (looking & one)
        bad |= looking & (1 - zero) & (1 - one)
        looking &= zero
    good &= 1 - (bad | looking)
    if not good:
        return None
    return db[start:]


# --- RSAES-PKCS1-v1_5 (RFC 8017 §7.2) ----------------------------------------------------------


def _nonzero_octets(count: int) -> bytes:
    """``count`` random non-zero octets (§7.2.1 step 2a: "pseudo-randomly generated")."""
    out = b""
    while len(out) < count:
        out += secrets.token_bytes(count - len(out) + 8).replace(b"\x00", b"")
    return out[:count]


def pkcs1v15_encrypt(key: RSAPublicKey, plaintext: bytes) -> bytes:
    """RSAES-PKCS1-V1_5-ENCRYPT (§7.2.1).

    Raises:
        InvalidKeyError: the key is unusable, or too small for ``plaintext`` (step 1).
    """
    k = _byte_len(key.n)
    if len(plaintext) > k - _PKCS1_OVERHEAD:
        raise InvalidKeyError("RSA key too small for this RSA1_5 plaintext")
    # Step 2: EM = 0x00 || 0x02 || PS || 0x00 || M.
    ps = _nonzero_octets(k - len(plaintext) - 3)
    return _rsaep(key, b"\x00\x02" + ps + b"\x00" + plaintext)


def pkcs1v15_decrypt(key: RSAPrivateKey, ciphertext: bytes) -> bytes | None:
    """RSAES-PKCS1-V1_5-DECRYPT (§7.2.2), or None on any failure (one result for every cause).

    Returning None is not the whole defence: JWE's RSA1_5 continues with a random key when
    this fails (RFC 7516 §11.5), so the failure never shows before the content tag check.

    Raises:
        InvalidKeyError: the private key is inconsistent (its result failed the check with e).
    """
    if _byte_len(key.n) < _PKCS1_OVERHEAD:  # step 1: public, so an early answer leaks nothing
        return None
    em = _rsadp(key, ciphertext)
    if em is None:
        return None
    # Step 3: EM = 0x00 || 0x02 || PS || 0x00 || M with at least 8 octets of PS; every
    # check is computed over the whole block before the one branch.
    good = _is_zero(em[0]) & _is_zero(em[1] ^ 2)
    looking, start = 1, 0
    for i in range(2, len(em)):
        zero = _is_zero(em[i])
        start += (i + 1) * (looking & zero)
        looking &= 1 - zero
    # No separator, or one inside the first 8 octets of PS (start - 1 is its index).
    good &= (1 - looking) & (1 - (((start - 1 - 10) >> 16) & 1))
    if not good:
        return None
    return em[start:]
