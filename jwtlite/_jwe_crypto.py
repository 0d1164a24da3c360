"""The JWE compositions above the backend seam: content encryption (RFC 7518 §5), the
Concat KDF (§4.6.2), the PBES2 key derivation (§4.8), and the random values JWE draws.

The backends provide raw AES-GCM, AES-CBC and key wrap; what JWE builds from them is here,
written once for both backends. AES-CBC-HMAC-SHA2 (§5.2) checks its tag with
``hmac.compare_digest`` *before* the ciphertext is decrypted and unpadded, so a padding
failure can never be observed apart from a tag failure (the padding-oracle attack on
MAC-then-encrypt does not apply to this encrypt-then-MAC composition).

Test seam: :func:`inject` (tests only) makes the next CEK, IV, GCMKW IV, PBES2 salt and
ephemeral key chosen values, so RFC 7520's examples are reproduced byte for byte. It is a
context variable, so it never leaks into another thread or task.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ._jwa import JWEAlgorithm, JWEEncryption
from ._keymodel import ECPrivateKey, OKPPrivateKey
from .backends import get_backend
from .exceptions import InvalidArgumentError, InvalidKeyError

__all__ = [
    "EPHEMERAL",
    "concat_kdf",
    "content_decrypt",
    "content_encrypt",
    "ephemeral_key",
    "inject",
    "injected_flag",
    "pbes2_kek",
    "pbkdf2",
    "random_bytes",
]

#: Test-only injected values, by name: queues of values to hand out instead of fresh ones.
_INJECTED: ContextVar[dict[str, list[Any]] | None] = ContextVar(
    "jwtlite_jwe_injected", default=None
)
#: The names :func:`inject` accepts: content ``cek`` and ``iv``, the A*GCMKW ``kw_iv``, the
#: PBES2 ``p2s``, the ECDH-ES ``epk`` (a private key object), and ``rsa1_5`` (a flag that lets
#: tests produce the legacy RSA1_5 tokens of RFC 7520 §5.1 and §5.13; jwtlite never does).
EPHEMERAL = frozenset({"cek", "iv", "kw_iv", "p2s", "epk", "rsa1_5"})


@contextmanager
def inject(**values: Any) -> Iterator[None]:
    """TESTS ONLY: hand out these values instead of random ones inside the ``with`` block.

    A list gives one value per draw, in order (several recipients); a single value is used
    once. Never use this outside tests: a fixed CEK or IV destroys JWE's security.
    """
    unknown = set(values) - EPHEMERAL
    if unknown:
        raise InvalidArgumentError(f"cannot inject {sorted(unknown)}")
    queues = {name: list(v) if isinstance(v, list) else [v] for name, v in values.items()}
    token = _INJECTED.set(queues)
    try:
        yield
    finally:
        _INJECTED.reset(token)


def _take(name: str) -> Any:
    queues = _INJECTED.get()
    if queues and queues.get(name):
        return queues[name].pop(0)
    return None


def injected_flag(name: str) -> bool:
    """Whether a test injected the flag ``name`` (read, never consumed)."""
    queues = _INJECTED.get()
    return bool(queues and queues.get(name) and queues[name][0])


def random_bytes(name: str, size: int) -> bytes:
    """``size`` random octets from the OS CSPRNG (or the injected value named ``name``)."""
    value = _take(name)
    if value is None:
        return os.urandom(size)
    if not isinstance(value, bytes) or len(value) != size:
        raise InvalidArgumentError(f"the injected {name} must be {size} bytes")
    return value


def ephemeral_key(curve: str) -> ECPrivateKey | OKPPrivateKey:
    """A fresh key pair on ``curve`` for ECDH-ES (RFC 7518 §4.6.1.1), or the injected one."""
    value = _take("epk")
    if value is None:
        backend = get_backend()
        if curve in ("X25519", "X448"):
            return backend.generate_okp(curve)
        return backend.generate_ec(curve)
    if not isinstance(value, (ECPrivateKey, OKPPrivateKey)) or value.curve != curve:
        raise InvalidArgumentError(f"the injected epk must be a {curve} private key")
    return value


# --- key derivation ---------------------------------------------------------------------------


def _length_prefixed(data: bytes) -> bytes:
    # RFC 7518 §4.6.2: "a 32-bit big-endian counter ... prepended" to each variable field.
    return len(data).to_bytes(4, "big") + data


#: OtherInfo without PartyUInfo and PartyVInfo (the usual case), by AlgorithmID and keydatalen:
#: at most one entry per ``alg`` and ``enc`` name of the tables, so it needs no bound.
_OTHER_INFO: dict[tuple[str, int], bytes] = {}


def concat_kdf(z: bytes, size: int, algorithm_id: str, apu: bytes, apv: bytes) -> bytes:
    """The Concat KDF of NIST SP 800-56A §5.8.1 as RFC 7518 §4.6.2 uses it, with SHA-256.

    ``size`` is keydatalen in octets. OtherInfo = AlgorithmID || PartyUInfo || PartyVInfo ||
    SuppPubInfo (keydatalen in bits, 32-bit big-endian); SuppPrivInfo is empty.
    """
    other = _OTHER_INFO.get((algorithm_id, size)) if not apu and not apv else None
    if other is None:
        other = b"".join((
            _length_prefixed(algorithm_id.encode("ascii")), _length_prefixed(apu),
            _length_prefixed(apv), struct.pack(">I", 8 * size),
        ))  # fmt: skip
        if not apu and not apv:
            _OTHER_INFO[algorithm_id, size] = other
    # Round i hashes counter(i) || Z || OtherInfo; one round makes the 32 bytes of the usual
    # key, a second the 64 of A256CBC-HS512 (the longest here).
    out = hashlib.sha256(b"\x00\x00\x00\x01" + z + other).digest()
    counter = 2
    while len(out) < size:
        out += hashlib.sha256(struct.pack(">I", counter) + z + other).digest()
        counter += 1
    return out[:size]


def pbkdf2(hash_name: str, password: bytes, salt: bytes, iterations: int, size: int) -> bytes:
    """PBKDF2 with HMAC (RFC 8018 §5.2), the standard library's on every backend."""
    return hashlib.pbkdf2_hmac(hash_name, password, salt, iterations, size)


def pbes2_kek(row: JWEAlgorithm, password: bytes, p2s: bytes, p2c: int) -> bytes:
    """The PBES2 key-encryption key (RFC 7518 §4.8.1.1): PBKDF2 with HMAC-SHA-2 over the salt
    ``UTF8(alg) || 0x00 || p2s``, ``p2c`` iterations, as long as the A*KW key."""
    salt = row.name.encode("ascii") + b"\x00" + p2s
    return pbkdf2(row.hash_name, password, salt, p2c, row.kek_bytes)


# --- content encryption (RFC 7518 §5) ---------------------------------------------------------


def _check_cek(enc: JWEEncryption, cek: bytes) -> None:
    if len(cek) != enc.key_bytes:
        raise InvalidKeyError(f"{enc.name} needs a {enc.key_bytes}-byte key, not {len(cek)} bytes")


def _cbc_hmac_tag(enc: JWEEncryption, mac_key: bytes, aad: bytes, iv: bytes, ct: bytes) -> bytes:
    # RFC 7518 §5.2.2.1 steps 4-6: AL is the AAD's length in bits as a 64-bit big-endian
    # integer; M = HMAC(MAC_KEY, A || IV || E || AL); T is M's first T_LEN octets.
    al = struct.pack(">Q", 8 * len(aad))
    return hmac.digest(mac_key, aad + iv + ct + al, enc.hash_name)[: enc.tag_bytes]


def content_encrypt(
    enc: JWEEncryption, cek: bytes, iv: bytes, plaintext: bytes, aad: bytes
) -> tuple[bytes, bytes]:
    """(ciphertext, tag) of ``plaintext`` under ``enc`` (RFC 7518 §5.2.2.1 or §5.3)."""
    _check_cek(enc, cek)
    backend = get_backend()
    if enc.family == "aes-gcm":
        return backend.aes_gcm_encrypt(cek, iv, plaintext, aad)
    # §5.2.2.1 step 1: the first half of K is the MAC key, the second the AES key.
    half = enc.key_bytes // 2
    ciphertext = backend.aes_cbc_encrypt(cek[half:], iv, plaintext)
    return ciphertext, _cbc_hmac_tag(enc, cek[:half], aad, iv, ciphertext)


def content_decrypt(
    enc: JWEEncryption, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes
) -> bytes | None:
    """The plaintext, or None when the tag (or, after it, the padding) does not check out.

    The caller has checked the IV and tag lengths against the row; ``cek`` must fit it.
    """
    _check_cek(enc, cek)
    backend = get_backend()
    if enc.family == "aes-gcm":
        return backend.aes_gcm_decrypt(cek, iv, ciphertext, aad, tag)
    half = enc.key_bytes // 2
    expected = _cbc_hmac_tag(enc, cek[:half], aad, iv, ciphertext)
    # §5.2.2.2: the tag is checked, in constant time, before anything is decrypted.
    if not hmac.compare_digest(expected, tag):
        return None
    return backend.aes_cbc_decrypt(cek[half:], iv, ciphertext)
