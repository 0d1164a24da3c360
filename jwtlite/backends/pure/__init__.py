"""The pure-Python backend: always available, no dependencies.

Not constant-time (CPython integers are not); see docs/backends.md for what it defends against.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable

from ...exceptions import InvalidKeyError
from . import ec, ed448, ed25519, rsa, rsa_encryption, xdh

if TYPE_CHECKING:
    from ..._keymodel import (
        ECPrivateKey,
        ECPublicKey,
        OKPPrivateKey,
        OKPPublicKey,
        RSAPrivateKey,
        RSAPublicKey,
    )

__all__ = ["PureBackend"]


class PureBackend:
    """Backend protocol implementation over the modules in this package."""

    name = "pure"

    def rsa_pkcs1v15_sign(self, key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
        return rsa.pkcs1v15_sign(key, hash_name, message)

    def rsa_pkcs1v15_verify(
        self, key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        return rsa.pkcs1v15_verify(key, hash_name, message, signature)

    def rsa_verifier(
        self, key: RSAPublicKey, hash_name: str, *, pss: bool
    ) -> Callable[[bytes, bytes], bool]:
        # Nothing worth doing once: the exponentiation dominates every verification.
        return partial(rsa.pss_verify if pss else rsa.pkcs1v15_verify, key, hash_name)

    def rsa_pss_sign(self, key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
        return rsa.pss_sign(key, hash_name, message)

    def rsa_pss_verify(
        self, key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        return rsa.pss_verify(key, hash_name, message, signature)

    def ecdsa_sign(self, key: ECPrivateKey, hash_name: str, message: bytes) -> bytes:
        return ec.ecdsa_sign(key, hash_name, message)

    def ecdsa_verify(
        self, key: ECPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        return ec.ecdsa_verify(key, hash_name, message, signature)

    def eddsa_sign(self, key: OKPPrivateKey, message: bytes) -> bytes:
        if key.curve == "Ed25519":
            return ed25519.sign(key.d, message)
        if key.curve == "Ed448":
            return ed448.sign(key.d, message)
        # X25519 / X448 keys share the OKP model but are key-agreement keys (RFC 8037 §3.2).
        raise InvalidKeyError(f"unsupported OKP curve for EdDSA {key.curve!r}")

    def eddsa_verify(self, key: OKPPublicKey, message: bytes, signature: bytes) -> bool:
        if key.curve == "Ed25519":
            return ed25519.verify(key.x, message, signature)
        if key.curve == "Ed448":
            return ed448.verify(key.x, message, signature)
        return False

    def ec_public_point(self, curve: str, d: int) -> tuple[int, int]:
        return ec.public_point(curve, d)

    def eddsa_public_key(self, curve: str, seed: bytes) -> bytes:
        if curve == "Ed25519":
            return ed25519.public_key(seed)
        if curve == "Ed448":
            return ed448.public_key(seed)
        raise InvalidKeyError(f"unsupported OKP curve {curve!r}")

    def generate_rsa(self, bits: int) -> RSAPrivateKey:
        return rsa.generate(bits)

    def generate_ec(self, curve: str) -> ECPrivateKey:
        return ec.generate(curve)

    def generate_okp(self, curve: str) -> OKPPrivateKey:
        if curve == "Ed25519":
            return ed25519.generate()
        if curve == "Ed448":
            return ed448.generate()
        if curve in ("X25519", "X448"):
            return xdh.generate(curve)
        raise InvalidKeyError(f"unsupported OKP curve {curve!r}")

    # --- JWE: RSA encryption and key agreement ---------------------------------------------

    def rsa_oaep_encrypt(self, key: RSAPublicKey, hash_name: str, plaintext: bytes) -> bytes:
        return rsa_encryption.oaep_encrypt(key, hash_name, plaintext)

    def rsa_oaep_decrypt(
        self, key: RSAPrivateKey, hash_name: str, ciphertext: bytes
    ) -> bytes | None:
        return rsa_encryption.oaep_decrypt(key, hash_name, ciphertext)

    def rsa_pkcs1v15_encrypt(self, key: RSAPublicKey, plaintext: bytes) -> bytes:
        return rsa_encryption.pkcs1v15_encrypt(key, plaintext)

    def rsa_pkcs1v15_decrypt(self, key: RSAPrivateKey, ciphertext: bytes) -> bytes | None:
        return rsa_encryption.pkcs1v15_decrypt(key, ciphertext)

    def ecdh(self, private: ECPrivateKey, public: ECPublicKey) -> bytes | None:
        return ec.ecdh(private, public)

    def xdh(self, private: OKPPrivateKey, public: OKPPublicKey) -> bytes | None:
        return xdh.shared_secret(private, public)

    def xdh_public_key(self, curve: str, private: bytes) -> bytes:
        return xdh.public_key(curve, private)
