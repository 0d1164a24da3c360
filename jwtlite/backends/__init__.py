"""The crypto backend seam: one narrow protocol, two implementations.

A backend is a stateless object whose operations take jwtlite's neutral key dataclasses and
bytes, and return bytes (or a bool for verification). It never parses key formats: jwtlite
does that, so both backends see identical inputs and can be tested against each other.

Selection order: :func:`set_backend` in code, else the ``JWTLITE_BACKEND`` environment variable
(``pure`` or ``cryptography``), else ``cryptography`` when it imports, else ``pure``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Protocol, cast

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
    """Signature primitives over neutral keys. ``hash_name`` is a hashlib name (``sha256``)."""

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

    # --- JWE primitives (issue 21; docs/architecture.md, the JWE backend contract) ----------
    # Bytes in, bytes out. A failed authenticity, padding or integrity check returns None and
    # never says which check failed; a key or IV of the wrong size is the caller's bug (the
    # JWE layer checks sizes first) and may raise InvalidKeyError.

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes
    ) -> tuple[bytes, bytes]:
        """AES-GCM (NIST SP 800-38D) with a 96-bit IV: (ciphertext, 128-bit tag)."""

    def aes_gcm_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes
    ) -> bytes | None:
        """The plaintext, or None when the 128-bit tag does not match."""

    def aes_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        """AES-CBC with PKCS#7 padding (RFC 5652 §6.3), 16-byte IV."""

    def aes_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
        """The unpadded plaintext, or None for a bad length or bad padding."""

    def aes_key_wrap(self, kek: bytes, key: bytes) -> bytes:
        """RFC 3394 key wrap with the default IV (key: a multiple of 8 bytes, >= 16)."""

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes) -> bytes | None:
        """RFC 3394 unwrap, or None when the integrity check or the length is wrong."""

    def rsa_oaep_encrypt(self, key: RSAPublicKey, hash_name: str, plaintext: bytes) -> bytes:
        """RSAES-OAEP (RFC 8017 §7.1) with MGF1 of the same hash and an empty label."""

    def rsa_oaep_decrypt(
        self, key: RSAPrivateKey, hash_name: str, ciphertext: bytes
    ) -> bytes | None:
        """RSAES-OAEP decryption, or None on any failure."""

    def rsa_pkcs1v15_encrypt(self, key: RSAPublicKey, plaintext: bytes) -> bytes:
        """RSAES-PKCS1-v1_5 (RFC 8017 §7.2)."""

    def rsa_pkcs1v15_decrypt(self, key: RSAPrivateKey, ciphertext: bytes) -> bytes | None:
        """RSAES-PKCS1-v1_5 decryption, or None on any failure (the RFC 7516 §11.5
        countermeasure is the JWE layer's)."""

    def ecdh(self, private: ECPrivateKey, public: ECPublicKey) -> bytes | None:
        """The ECDH shared secret Z (SEC 1 §3.3.1), fixed width; None when the curves differ,
        the point is not on the curve or the result is the point at infinity."""

    def xdh(self, private: OKPPrivateKey, public: OKPPublicKey) -> bytes | None:
        """X25519 / X448 (RFC 7748 §5, §6); None when the secret is all zero (a low-order
        point, RFC 7748 §6.1) or the curves differ."""

    def xdh_public_key(self, curve: str, private: bytes) -> bytes:
        """The public key of an X25519/X448 private key (RFC 7748 §6), for key loading."""


_chosen: Backend | None = None
_instances: dict[str, Backend] = {}


def _load(name: str) -> Backend:
    backend = _instances.get(name)
    if backend is not None:
        return backend
    if name == "pure":
        # Lazy: about 3.5 ms of imports and tables, never needed where cryptography is used.
        from .pure import PureBackend  # noqa: PLC0415 - measured import cost, see comment

        # The cast stands until the pure JWE primitives (issue 21, the aes and kex branches)
        # land: PureBackend does not have them yet. Remove it at that merge.
        backend = cast("Backend", PureBackend())
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
    """Choose the backend for this process (None returns to automatic selection)."""
    global _chosen  # noqa: PLW0603
    _chosen = None if name is None else _load(name)
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
