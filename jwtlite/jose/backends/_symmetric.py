"""The HMAC and AES key classes of the python-jose face.

HMAC runs on jwtlite's HMAC (the standard library): a secret that is public-key material in any
encoding jwtlite reads (PEM, DER, a certificate, an OpenSSH line, JWK text) is refused, on top
of python-jose's own look-based refusal (CVE-2024-33663, whose DER variant python-jose 3.5.0
still accepts). AES runs on the selected backend's AES primitives (GCM, CBC, RFC 3394 key wrap).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Callable, ClassVar

from ..._escape import escape
from ..._jws_keys import check_key_length
from ..._options import Options
from ...algorithms import HMACAlgorithm, get_algorithm_by_name
from ...b64url import b64url_encode
from ...backends import Backend, get_backend
from ...exceptions import PyJWTError
from ..constants import ALGORITHMS
from ..exceptions import JWEError, JWKError
from ..utils import ensure_binary, is_pem_format, is_ssh_key
from ._keys import secret_bytes
from .base import Key

__all__ = ["AESKeyBase", "HMACKeyBase"]

_OPTIONS = Options()
#: python-jose's refusal text, for key text offered as a secret.
_ASYMMETRIC = (
    "The specified key is an asymmetric key or x509 certificate and"
    " should not be used as an HMAC secret."
)


class HMACKeyBase(Key):
    """HS256/384/512 (RFC 7518 §3.2) with a secret given as str, bytes or an ``oct`` JWK."""

    HASHES: ClassVar[dict[str, Callable[..., Any]]] = {
        ALGORITHMS.HS256: hashlib.sha256,
        ALGORITHMS.HS384: hashlib.sha384,
        ALGORITHMS.HS512: hashlib.sha512,
    }

    def __init__(self, key: Any, algorithm: str) -> None:
        if not isinstance(algorithm, str) or algorithm not in ALGORITHMS.HMAC:
            raise JWKError(f"hash_alg: {escape(algorithm)} is not a valid hash algorithm")
        self._algorithm = algorithm
        self._hash_alg = self.HASHES[algorithm]
        self._alg_obj: HMACAlgorithm = get_algorithm_by_name(algorithm)  # type: ignore[assignment]
        from_jwk = isinstance(key, Mapping)
        secret = secret_bytes(key)
        if not from_jwk and (is_pem_format(secret) or is_ssh_key(secret)):
            raise JWKError(_ASYMMETRIC)
        try:
            # jwtlite's own refusal: key material that parses in any encoding, DER included.
            self.prepared_key: bytes = self._alg_obj.prepare_key(secret)
        except PyJWTError as exc:
            raise JWKError(str(exc)) from exc

    def sign(self, msg: bytes) -> bytes:
        try:
            check_key_length(self._alg_obj, self.prepared_key, _OPTIONS)
            return self._alg_obj.sign(ensure_binary(msg), self.prepared_key)
        except PyJWTError as exc:
            raise JWKError(str(exc)) from exc

    def verify(self, msg: bytes, sig: bytes) -> bool:
        try:
            check_key_length(self._alg_obj, self.prepared_key, _OPTIONS)
            return self._alg_obj.verify(ensure_binary(msg), self.prepared_key, ensure_binary(sig))
        except PyJWTError:
            return False

    def to_dict(self) -> dict[str, Any]:
        return {"alg": self._algorithm, "kty": "oct", "k": b64url_encode(self.prepared_key)}


#: Key sizes in bytes by algorithm (python-jose's table): the AES key itself, or for the
#: AES-CBC-HMAC-SHA2 encryptions (RFC 7518 §5.2) the MAC and AES keys together.
_KEY_SIZES = {
    **dict.fromkeys(("A128GCM", "A128GCMKW", "A128KW", "A128CBC"), 16),
    **dict.fromkeys(("A192GCM", "A192GCMKW", "A192KW", "A192CBC"), 24),
    **dict.fromkeys(("A256GCM", "A256GCMKW", "A256KW", "A128CBC-HS256", "A256CBC"), 32),
    "A192CBC-HS384": 48,
    "A256CBC-HS512": 64,
}
_GCM_IV = 12  # 96 bits (RFC 7518 §5.3)
_CBC_IV = 16  # one AES block


def _mode(algorithm: str) -> str | None:
    if "GCM" in algorithm:
        return "GCM"
    return "CBC" if "CBC" in algorithm else None  # None: a key-wrap key


class AESKeyBase(Key):
    """python-jose's AES key: GCM or CBC encryption of bytes, and RFC 3394 key wrap."""

    _backend_name: ClassVar[str | None] = None

    def __init__(self, key: Any, algorithm: str) -> None:
        if not isinstance(algorithm, str) or algorithm not in ALGORITHMS.AES:
            raise JWKError(f"{escape(algorithm)} is not a valid AES algorithm")
        if algorithm not in ALGORITHMS.SUPPORTED | ALGORITHMS.AES_PSEUDO:
            raise JWKError(f"{escape(algorithm)} is not a supported algorithm")
        secret = secret_bytes(key)
        size = _KEY_SIZES[algorithm]
        if len(secret) != size:
            raise JWKError(f"Key must be {size * 8} bit for alg {algorithm}")
        self._algorithm = algorithm
        self._mode = _mode(algorithm)
        self._key = secret

    def _backend(self) -> Backend:
        return get_backend(self._backend_name)

    def _random_bytes(self, size: int) -> bytes:
        raise NotImplementedError  # each concrete class draws from its module's source

    def to_dict(self) -> dict[str, Any]:
        return {"alg": self._algorithm, "kty": "oct", "k": b64url_encode(self._key)}

    def encrypt(self, plain_text: bytes, aad: bytes | None = None) -> tuple[bytes, bytes, Any]:
        """``(iv, ciphertext, tag)``: AES-GCM with a 128-bit tag, or AES-CBC with PKCS#7
        padding and no tag (None). A fresh random IV each time."""
        try:
            data = ensure_binary(plain_text)
            if self._mode == "GCM":
                iv = self._random_bytes(_GCM_IV)
                aad = b"" if aad is None else ensure_binary(aad)
                ciphertext, tag = self._backend().aes_gcm_encrypt(self._key, iv, data, aad)
                return iv, ciphertext, tag
            if self._mode == "CBC":
                iv = self._random_bytes(_CBC_IV)
                return iv, self._backend().aes_cbc_encrypt(self._key, iv, data), None
        except PyJWTError as exc:
            raise JWEError(str(exc)) from exc
        raise JWEError(f"{self._algorithm} does not encrypt content")

    def decrypt(
        self,
        cipher_text: bytes,
        iv: bytes | None = None,
        aad: bytes | None = None,
        tag: bytes | None = None,
    ) -> bytes:
        """The plaintext; JWEError when the tag (GCM) or the padding (CBC) is wrong."""
        if not isinstance(iv, bytes) or not isinstance(cipher_text, bytes):
            raise JWEError("cipher text and iv must be bytes")
        try:
            if self._mode == "GCM":
                if not isinstance(tag, bytes):
                    raise JWEError("tag cannot be None")
                aad = b"" if aad is None else ensure_binary(aad)
                plain = self._backend().aes_gcm_decrypt(self._key, iv, cipher_text, aad, tag)
                if plain is None:
                    raise JWEError("Invalid JWE Auth Tag")
                return plain
            if self._mode == "CBC":
                plain = self._backend().aes_cbc_decrypt(self._key, iv, cipher_text)
                if plain is None:
                    raise JWEError("Invalid padding")
                return plain
        except JWEError:
            raise
        except PyJWTError as exc:
            raise JWEError(str(exc)) from exc
        raise JWEError(f"{self._algorithm} does not decrypt content")

    def wrap_key(self, key_data: bytes) -> bytes:
        """``key_data`` wrapped under this key encryption key (RFC 3394)."""
        try:
            return self._backend().aes_key_wrap(self._key, ensure_binary(key_data))
        except PyJWTError as exc:
            raise JWEError(str(exc)) from exc

    def unwrap_key(self, wrapped_key: bytes) -> bytes:
        """The key inside ``wrapped_key``; JWEError when its integrity check fails."""
        try:
            plain = self._backend().aes_key_unwrap(self._key, ensure_binary(wrapped_key))
        except PyJWTError as exc:
            raise JWEError(str(exc)) from exc
        if plain is None:
            raise JWEError("Key unwrap failed")
        return plain
