"""The pure-Python backend: always available, no dependencies.

Not constant-time (CPython integers are not); see docs/backends.md for what it defends against.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable

from ...exceptions import InvalidKeyError
from .._aes_sizes import check_key_and_iv
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

    # --- JWE: AES. The AES modules build about 1 ms of tables when imported, which a JWS-only
    # process never needs, so they are imported on first use.

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes
    ) -> tuple[bytes, bytes]:
        from . import gcm  # noqa: PLC0415 - measured import cost (AES tables), see above

        check_key_and_iv(key, iv, "GCM")
        return gcm.encrypt(key, iv, plaintext, aad)

    def aes_gcm_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes
    ) -> bytes | None:
        from . import gcm  # noqa: PLC0415 - measured import cost (AES tables), see above

        check_key_and_iv(key, iv, "GCM")
        return gcm.decrypt(key, iv, ciphertext, aad, tag)

    def aes_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        from . import cbc  # noqa: PLC0415 - measured import cost (AES tables), see above

        check_key_and_iv(key, iv, "CBC")
        return cbc.encrypt(key, iv, plaintext)

    def aes_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
        from . import cbc  # noqa: PLC0415 - measured import cost (AES tables), see above

        check_key_and_iv(key, iv, "CBC")
        return cbc.decrypt(key, iv, ciphertext)

    def aes_key_wrap(self, kek: bytes, key: bytes) -> bytes:
        from . import keywrap  # noqa: PLC0415 - measured import cost (AES tables), see above

        return keywrap.wrap(kek, key)

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes) -> bytes | None:
        from . import keywrap  # noqa: PLC0415 - measured import cost (AES tables), see above

        return keywrap.unwrap(kek, wrapped)
