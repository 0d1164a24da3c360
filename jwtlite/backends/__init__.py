"""The crypto backend seam: one narrow protocol, two implementations.

A backend is a stateless object whose operations take jwtlite's neutral key dataclasses and
bytes, and return bytes (or a bool for verification). It never parses key formats: jwtlite
does that, so both backends see identical inputs and can be tested against each other.

Selection order: :func:`set_backend` in code, else the ``JWTLITE_BACKEND`` environment variable
(``pure`` or ``cryptography``), else ``cryptography`` when it imports, else ``pure``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Protocol

from .._cache import clear_backend_caches
from ..exceptions import BackendUnavailableError

if TYPE_CHECKING:
    from .._keymodel import (
        ECPrivateKey,
        ECPublicKey,
        OKPPrivateKey,
        OKPPublicKey,
        RSAPrivateKey,
        RSAPublicKey,
    )

__all__ = ["BACKEND_NAMES", "Backend", "available_backends", "get_backend", "set_backend"]

BACKEND_NAMES = ("pure", "cryptography")


class Backend(Protocol):
    """Signature and JWE primitives over neutral keys. ``hash_name`` is a hashlib name
    (``sha256``).

    Decryption and key agreement return None when an authenticity, padding or point check
    fails, never saying which; sizes that the layer above checks before calling (keys, IVs)
    may raise :class:`~jwtlite.exceptions.InvalidKeyError` instead.
    """

    name: str

    def rsa_pkcs1v15_sign(self, key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1); the signature is ``k`` bytes long."""

    def rsa_pkcs1v15_verify(
        self, key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        """RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2)."""

    def rsa_verifier(
        self, key: RSAPublicKey, hash_name: str, *, pss: bool
    ) -> Callable[[bytes, bytes], bool]:
        """``(message, signature) -> bool`` for one key: the answers of
        :meth:`rsa_pkcs1v15_verify` (or :meth:`rsa_pss_verify` with ``pss``), with the work
        that depends only on the key done once, here (verifying a token per request)."""

    def rsa_pss_sign(self, key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
        """RSASSA-PSS with MGF1(hash) and salt length = hash length (RFC 7518 §3.5)."""

    def rsa_pss_verify(
        self, key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        """RSASSA-PSS verification with the same fixed parameters."""

    def ecdsa_sign(self, key: ECPrivateKey, hash_name: str, message: bytes) -> bytes:
        """ECDSA; returns the fixed-width ``R || S`` of RFC 7518 §3.4."""

    def ecdsa_verify(
        self, key: ECPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        """ECDSA verification of a raw ``R || S`` signature; any other length is False."""

    def eddsa_sign(self, key: OKPPrivateKey, message: bytes) -> bytes:
        """Pure EdDSA (RFC 8032 §5.1.6 / §5.2.6), empty context for Ed448."""

    def eddsa_verify(self, key: OKPPublicKey, message: bytes, signature: bytes) -> bool:
        """Pure EdDSA verification."""

    def ec_public_point(self, curve: str, d: int) -> tuple[int, int]:
        """The public point ``d * G`` of a private scalar (SEC 1 §3.2.1), for key loading."""

    def eddsa_public_key(self, curve: str, seed: bytes) -> bytes:
        """The encoded public key of an RFC 8032 seed (§5.1.5 / §5.2.5), for key loading."""

    def generate_rsa(self, bits: int) -> RSAPrivateKey:
        """A new RSA key with e = 65537."""

    def generate_ec(self, curve: str) -> ECPrivateKey:
        """A new key on the named curve (JWK ``crv`` name)."""

    def generate_okp(self, curve: str) -> OKPPrivateKey:
        """A new ``Ed25519``, ``Ed448``, ``X25519`` or ``X448`` key."""

    # --- JWE: RSA encryption (RFC 8017 §7) and key agreement --------------------------------
    # hash_name for OAEP is "sha1", "sha256", "sha384" or "sha512"; MGF1 uses the same hash
    # and the label is empty (RFC 7518 §4.3).

    def rsa_oaep_encrypt(self, key: RSAPublicKey, hash_name: str, plaintext: bytes) -> bytes:
        """RSAES-OAEP (RFC 8017 §7.1.1); the ciphertext is ``k`` bytes long.

        Raises InvalidKeyError when the key is unusable or too small for the plaintext, and
        UnsupportedHashError for another hash.
        """

    def rsa_oaep_decrypt(
        self, key: RSAPrivateKey, hash_name: str, ciphertext: bytes
    ) -> bytes | None:
        """RSAES-OAEP decryption (RFC 8017 §7.1.2): the plaintext, or None for any failure (a
        ciphertext that is not ``k`` bytes or not below ``n``, or any decoding check)."""

    def rsa_pkcs1v15_encrypt(self, key: RSAPublicKey, plaintext: bytes) -> bytes:
        """RSAES-PKCS1-v1_5 (RFC 8017 §7.2.1); raises InvalidKeyError like OAEP."""

    def rsa_pkcs1v15_decrypt(self, key: RSAPrivateKey, ciphertext: bytes) -> bytes | None:
        """RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2): the plaintext, or None for a
        failure.

        OpenSSL 3.2 and later (the ``cryptography`` backend) apply *implicit rejection*: for
        bad padding they return a synthetic message derived from the key and the ciphertext
        instead of failing, so a caller cannot count on None. JWE's RSA1_5 treats None, a
        result of the wrong length and a wrong key alike (RFC 7516 §11.5: continue with a
        random key and let the content tag fail), which is correct with either behaviour.
        """

    def ecdh(self, private: ECPrivateKey, public: ECPublicKey) -> bytes | None:
        """The ECDH shared secret Z (SEC 1 §3.3.1): the x-coordinate of ``d * Q``, as wide as
        the curve (32, 48, 66 bytes for P-256, P-384, P-521). None when the curves differ or
        the public point is not on the curve (the invalid-curve attack); InvalidKeyError for
        an unusable private key."""

    def xdh(self, private: OKPPrivateKey, public: OKPPublicKey) -> bytes | None:
        """X25519 / X448 (RFC 7748 §5, §6): the shared secret, or None when it is all zero (a
        low-order public point, RFC 7748 §6.1), the curves differ, or the public key has the
        wrong length; InvalidKeyError for a private key that is not X25519/X448."""

    def xdh_public_key(self, curve: str, private: bytes) -> bytes:
        """The public key of an X25519/X448 private key (RFC 7748 §6), for key loading."""

    # --- JWE: AES (FIPS 197). A key is 16, 24 or 32 bytes. A wrong key or IV size is the
    # caller's bug and raises InvalidKeyError; a failed authenticity, integrity or padding
    # check returns None and never says which check failed.

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes
    ) -> tuple[bytes, bytes]:
        """AES-GCM (NIST SP 800-38D) with a 96-bit IV: ``(ciphertext, 128-bit tag)``."""

    def aes_gcm_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes
    ) -> bytes | None:
        """The plaintext, or None when the tag does not match or is not 16 bytes long; the tag
        is checked before any plaintext is produced."""

    def aes_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        """AES-CBC (NIST SP 800-38A §6.2) with PKCS#7 padding (RFC 5652 §6.3), 16-byte IV."""

    def aes_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
        """The unpadded plaintext, or None for a length that is not a non-zero multiple of 16
        or bad padding. Not authenticated: RFC 7518 §5.2.2.2 checks the HMAC first."""

    def aes_key_wrap(self, kek: bytes, key: bytes) -> bytes:
        """RFC 3394 key wrap with the default IV A6A6A6A6A6A6A6A6; ``key`` is a multiple of 8
        bytes, at least 16 (InvalidKeyError otherwise)."""

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes) -> bytes | None:
        """RFC 3394 unwrap, or None when the integrity check fails or the length is not
        8 * (n + 1) bytes with n >= 2."""


_chosen: Backend | None = None
_instances: dict[str, Backend] = {}


def _load(name: str) -> Backend:
    backend = _instances.get(name)
    if backend is not None:
        return backend
    if name == "pure":
        # Lazy: about 3.5 ms of imports and tables, never needed where cryptography is used.
        from .pure import PureBackend  # noqa: PLC0415 - measured import cost, see comment

        backend = PureBackend()
    elif name == "cryptography":
        try:
            from .cryptography import CryptographyBackend  # noqa: PLC0415 - optional dependency
        except ImportError as exc:
            raise BackendUnavailableError(
                "the 'cryptography' backend was requested but the cryptography package is not "
                "installed (pip install 'jwtlite[crypto]')"
            ) from exc
        backend = CryptographyBackend()
    else:
        raise BackendUnavailableError(
            f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}"
        )
    _instances[name] = backend
    return backend


def get_backend(name: str | None = None) -> Backend:
    """The backend named ``name``, or the process-wide choice when ``name`` is None."""
    global _chosen  # noqa: PLW0603 - the process-wide choice is the point of this function
    if name is not None:
        return _load(name)
    if _chosen is None:
        env = os.environ.get("JWTLITE_BACKEND", "").strip().lower()
        if env:
            _chosen = _load(env)
        else:
            try:
                _chosen = _load("cryptography")
            except BackendUnavailableError:
                _chosen = _load("pure")
    return _chosen


def set_backend(name: str | None) -> Backend | None:
    """Choose the backend for this process (None returns to automatic selection).

    A change of choice empties the caches of verifiers the previous backend built (a DPoP
    proof header's, a key's bound verifier), so every later verification runs on the new one.
    """
    global _chosen  # noqa: PLW0603
    chosen = None if name is None else _load(name)
    if chosen is not _chosen:
        clear_backend_caches()
    _chosen = chosen
    return _chosen


def available_backends() -> list[str]:
    """Names of the backends that can be loaded here, ``pure`` first."""
    names = []
    for name in BACKEND_NAMES:
        try:
            _load(name)
        except BackendUnavailableError:
            continue
        names.append(name)
    return names
