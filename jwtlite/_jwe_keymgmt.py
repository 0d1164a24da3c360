"""JWE key management (RFC 7518 §4): how each ``alg`` produces and recovers the CEK.

Keys arrive prepared (``_jwe_keys``): the octets of an ``oct`` key or a password, or a model
key of the right type, size and curve. Header parameters arrive as the token holds them and
are checked here, strictly (base64url, exact lengths, bounds) before any costly work.

Every cryptographic failure raises :class:`~jwtlite.exceptions.JWEDecryptionError` with one
message. RSA1_5 follows RFC 7516 §11.5: a random CEK of the right length is drawn *before*
the RSA decryption and used whenever it fails or yields a value of the wrong length, so the
failure only shows, later, as a content-decryption failure like any other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple, Union

from ._jwa import JWEAlgorithm, JWEEncryption
from ._jwe_crypto import concat_kdf, ephemeral_key, pbes2_kek, random_bytes
from ._jwe_limits import (
    DEFAULT_P2C,
    MAX_PRODUCED_P2C,
    MIN_P2S_BYTES,
    MIN_PRODUCED_P2C,
    P2S_BYTES,
)
from ._jwkformat import key_members, peer_key_from_jwk
from ._keymodel import ECPrivateKey, ECPublicKey, OKPPrivateKey, OKPPublicKey, RSAPrivateKey
from ._keymodel import RSAPublicKey as _RSAPublic
from .b64url import b64url_decode, b64url_encode
from .backends import get_backend
from .exceptions import (
    DecodeError,
    InvalidArgumentError,
    InvalidKeyError,
    JWEDecryptionError,
    JWEParseError,
    PyJWTError,
)

__all__ = ["Produced", "PreparedKey", "produce", "recover"]

#: What ``_jwe_keys`` hands over: secret octets (``oct`` keys, passwords) or a model key.
PreparedKey = Union[bytes, _RSAPublic, RSAPrivateKey, ECPublicKey, ECPrivateKey, OKPPublicKey,
                    OKPPrivateKey]  # fmt: skip
_GCMKW_IV = 12  # RFC 7518 §4.7.1.1: "a 96-bit IV"
_GCMKW_TAG = 16  # §4.7.1.2: "a 128-bit ... Authentication Tag"
#: Octets a wrapping ``alg`` adds to the CEK in the JWE Encrypted Key: RFC 3394's 64-bit
#: integrity check value (A*KW, and after PBES2 or ECDH-ES, RFC 7518 §4.4, §4.6, §4.8);
#: nothing for A*GCMKW, whose tag is a header parameter (§4.7.1.2).
_WRAPPED_EXTRA = {"aes-kw": 8, "pbes2": 8, "ecdh-es-kw": 8, "aes-gcm-kw": 0}


class Produced(NamedTuple):
    """The CEK, the JWE Encrypted Key, and the header parameters the ``alg`` adds."""

    cek: bytes
    encrypted_key: bytes
    params: dict[str, Any]


# --- header parameters ------------------------------------------------------------------------


def _b64_param(header: Mapping[str, Any], name: str, size: int | None = None) -> bytes:
    value = header.get(name)
    if not isinstance(value, str):
        raise JWEParseError(f'The "{name}" header parameter must be a base64url string')
    try:
        raw = b64url_decode(value)
    except DecodeError as exc:
        raise JWEParseError(f'The "{name}" header parameter: {exc}') from None
    if size is not None and len(raw) != size:
        raise JWEParseError(f'The "{name}" header parameter must be {size} octets')
    return raw


def _party_info(header: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """``apu`` and ``apv`` (RFC 7518 §4.6.1.2-3), empty when absent."""
    apu = _b64_param(header, "apu") if "apu" in header else b""
    apv = _b64_param(header, "apv") if "apv" in header else b""
    return apu, apv


def _p2c(header: Mapping[str, Any], low: int, high: int) -> int:
    value = header.get("p2c")
    if type(value) is not int or not low <= value <= high:  # bool is not an int here
        raise JWEParseError(f'The "p2c" header parameter must be an integer from {low} to {high}')
    return value


def _rows_key_size(alg: JWEAlgorithm, enc: JWEEncryption) -> tuple[int, str]:
    """Keydatalen and AlgorithmID of the Concat KDF (RFC 7518 §4.6.2): the ``enc`` for direct
    key agreement, the ``alg`` when the agreed key wraps the CEK."""
    if alg.direct:
        return enc.key_bytes, enc.name
    return alg.kek_bytes, alg.name


# --- producing --------------------------------------------------------------------------------


def produce(
    alg: JWEAlgorithm, enc: JWEEncryption, key: PreparedKey, header: Mapping[str, Any],
    cek: bytes,
) -> Produced:  # fmt: skip
    """Key management on the producer's side (RFC 7516 §5.1 steps 1-7).

    ``cek`` is the random CEK for the wrapping modes; ``dir`` and ``ECDH-ES`` determine their
    own. ``header`` holds the producer's choices (``apu``, ``apv``, ``p2c``).
    """
    backend = get_backend()
    family = alg.family
    if family == "dir":
        return Produced(_secret(key), b"", {})
    if family in ("ecdh-es", "ecdh-es-kw"):
        return _produce_ecdh(alg, enc, key, header, cek)
    if family == "rsa-oaep":
        return Produced(cek, backend.rsa_oaep_encrypt(_public(key), alg.hash_name, cek), {})
    if family == "rsa1_5":
        return Produced(cek, backend.rsa_pkcs1v15_encrypt(_public(key), cek), {})
    if family == "aes-kw":
        return Produced(cek, backend.aes_key_wrap(_secret(key), cek), {})
    if family == "aes-gcm-kw":
        iv = random_bytes("kw_iv", _GCMKW_IV)
        wrapped, tag = backend.aes_gcm_encrypt(_secret(key), iv, cek, b"")
        # RFC 7520 §5.7 writes "tag" before "iv"; the order is kept for byte-exact output.
        return Produced(cek, wrapped, {"tag": b64url_encode(tag), "iv": b64url_encode(iv)})
    # pbes2
    try:
        p2c = _p2c(header, MIN_PRODUCED_P2C, MAX_PRODUCED_P2C) if "p2c" in header else DEFAULT_P2C
    except JWEParseError as exc:
        raise InvalidArgumentError(str(exc)) from None
    p2s = random_bytes("p2s", P2S_BYTES)
    kek = pbes2_kek(alg, _secret(key), p2s, p2c)
    return Produced(cek, backend.aes_key_wrap(kek, cek), {"p2s": b64url_encode(p2s), "p2c": p2c})


def _secret(key: PreparedKey) -> bytes:
    if not isinstance(key, bytes):  # pragma: no cover - _jwe_keys prepares by the row's kty
        raise InvalidKeyError("this algorithm needs a symmetric key")
    return key


def _public(key: PreparedKey) -> _RSAPublic:
    if not isinstance(key, _RSAPublic):  # pragma: no cover - _jwe_keys prepares by the row
        raise InvalidKeyError("this algorithm needs an RSA public key")
    return key


def _agree(
    private: ECPrivateKey | OKPPrivateKey, public: ECPublicKey | OKPPublicKey
) -> bytes | None:
    backend = get_backend()
    if isinstance(private, ECPrivateKey) and isinstance(public, ECPublicKey):
        return backend.ecdh(private, public)
    if isinstance(private, OKPPrivateKey) and isinstance(public, OKPPublicKey):
        return backend.xdh(private, public)
    return None


def _produce_ecdh(
    alg: JWEAlgorithm, enc: JWEEncryption, key: PreparedKey, header: Mapping[str, Any],
    cek: bytes,
) -> Produced:  # fmt: skip
    if not isinstance(key, (ECPublicKey, OKPPublicKey)):  # pragma: no cover - see _public
        raise InvalidKeyError("ECDH-ES needs an EC or OKP public key")
    try:
        apu, apv = _party_info(header)
    except JWEParseError as exc:
        raise InvalidArgumentError(str(exc)) from None
    ephemeral = ephemeral_key(key.curve)
    z = _agree(ephemeral, key)
    if z is None:
        # RFC 7748 §6.1: an all-zero secret means the recipient's key is a low-order point.
        raise InvalidKeyError("key agreement with the recipient's public key failed")
    size, algorithm_id = _rows_key_size(alg, enc)
    derived = concat_kdf(z, size, algorithm_id, apu, apv)
    epk = key_members(ephemeral.public_key(), include_private=False)
    if alg.direct:
        return Produced(derived, b"", {"epk": epk})
    return Produced(cek, get_backend().aes_key_wrap(derived, cek), {"epk": epk})


# --- recovering -------------------------------------------------------------------------------


def recover(
    alg: JWEAlgorithm, enc: JWEEncryption, key: PreparedKey, header: Mapping[str, Any],
    encrypted_key: bytes, max_p2c: int,
) -> bytes:  # fmt: skip
    """The CEK (RFC 7516 §5.2 steps 9-11), of exactly ``enc``'s length.

    Raises:
        JWEParseError: a header parameter of this ``alg`` is missing or malformed.
        JWEDecryptionError: anything cryptographic failed.
    """
    if alg.direct and encrypted_key:
        # RFC 7516 §5.2 step 10: with direct encryption or key agreement, the JWE Encrypted
        # Key MUST be empty.
        raise JWEParseError("The JWE Encrypted Key must be empty for " + alg.name)
    if alg.family == "rsa1_5":
        return _recover_rsa1_5(enc, key, encrypted_key)
    wrapped = _WRAPPED_EXTRA.get(alg.family)
    if wrapped is not None and len(encrypted_key) != enc.key_bytes + wrapped:
        # A wrapped CEK has one length, public, so refusing any other first tells nothing; it
        # spares the PBKDF2 count, the key agreement and RFC 3394's 6n AES blocks for 8n
        # octets (1.4 s on the pure backend for a 190 KB JWE Encrypted Key).
        raise JWEDecryptionError
    cek = _unwrap(alg, enc, key, header, encrypted_key, max_p2c)
    if cek is None or len(cek) != enc.key_bytes:
        raise JWEDecryptionError
    return cek


def _unwrap(
    alg: JWEAlgorithm, enc: JWEEncryption, key: PreparedKey, header: Mapping[str, Any],
    encrypted_key: bytes, max_p2c: int,
) -> bytes | None:  # fmt: skip
    backend = get_backend()
    family = alg.family
    if family == "dir":
        return _secret(key)
    if family in ("ecdh-es", "ecdh-es-kw"):
        return _recover_ecdh(alg, enc, key, header, encrypted_key)
    if family == "rsa-oaep":
        if not isinstance(key, RSAPrivateKey):  # pragma: no cover - _jwe_keys prepares it
            raise InvalidKeyError("RSA-OAEP decryption needs an RSA private key")
        return backend.rsa_oaep_decrypt(key, alg.hash_name, encrypted_key)
    if family == "aes-kw":
        return backend.aes_key_unwrap(_secret(key), encrypted_key)
    if family == "aes-gcm-kw":
        iv = _b64_param(header, "iv", _GCMKW_IV)
        tag = _b64_param(header, "tag", _GCMKW_TAG)
        return backend.aes_gcm_decrypt(_secret(key), iv, encrypted_key, b"", tag)
    # pbes2: the count is checked before a single iteration runs (docs/security.md).
    p2c = _p2c(header, 1, max_p2c)
    p2s = _b64_param(header, "p2s")
    if len(p2s) < MIN_P2S_BYTES:
        raise JWEParseError(f'The "p2s" header parameter must be {MIN_P2S_BYTES} or more octets')
    return backend.aes_key_unwrap(pbes2_kek(alg, _secret(key), p2s, p2c), encrypted_key)


def _recover_rsa1_5(enc: JWEEncryption, key: PreparedKey, encrypted_key: bytes) -> bytes:
    if not isinstance(key, RSAPrivateKey):  # pragma: no cover - _jwe_keys prepares it
        raise InvalidKeyError("RSA1_5 decryption needs an RSA private key")
    # RFC 7516 §11.5: the random CEK exists before the RSA operation, and the choice below is
    # the only place the outcome shows. (CPython cannot make this branch constant-time; the
    # backend's own decryption is where OpenSSL does so, docs/security.md.)
    fallback = os.urandom(enc.key_bytes)
    cek = get_backend().rsa_pkcs1v15_decrypt(key, encrypted_key)
    if cek is None or len(cek) != enc.key_bytes:
        return fallback
    return cek


def _epk(header: Mapping[str, Any]) -> ECPublicKey | OKPPublicKey:
    epk = header.get("epk")
    if type(epk) is not dict and not isinstance(epk, Mapping):
        raise JWEParseError('The "epk" header parameter must be a JSON object')
    # Not a point of the curve (the invalid-curve attack), a wrong size, an unknown curve: the
    # key agreement cannot be done, like any other decryption failure (raised below, outside
    # the handler, so the error carries no trace of its cause).
    try:
        return peer_key_from_jwk(epk)  # nor is a private key or an RSA/oct key an ephemeral key
    except PyJWTError:
        pass
    raise JWEDecryptionError


def _recover_ecdh(
    alg: JWEAlgorithm, enc: JWEEncryption, key: PreparedKey, header: Mapping[str, Any],
    encrypted_key: bytes,
) -> bytes | None:  # fmt: skip
    if not isinstance(key, (ECPrivateKey, OKPPrivateKey)):  # pragma: no cover - _jwe_keys
        raise InvalidKeyError("ECDH-ES decryption needs an EC or OKP private key")
    epk = _epk(header)
    apu, apv = _party_info(header)
    if epk.curve != key.curve:
        return None
    z = _agree(key, epk)
    if z is None:  # off the curve, a low-order point, an all-zero secret
        return None
    size, algorithm_id = _rows_key_size(alg, enc)
    derived = concat_kdf(z, size, algorithm_id, apu, apv)
    if alg.direct:
        return derived
    return get_backend().aes_key_unwrap(derived, encrypted_key)
