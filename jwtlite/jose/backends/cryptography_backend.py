"""python-jose's ``jose.backends.cryptography_backend``: keys that hand back ``cryptography``
objects.

Importable only where ``cryptography`` is installed (an ImportError otherwise, as in
python-jose, so ``jose.backends`` falls back to the pure classes). ``prepared_key`` is the
``cryptography`` key object python-jose's users get; loading, checking and every operation are
jwtlite's, on jwtlite's selected backend (``cryptography``, unless ``JWTLITE_BACKEND=pure``).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ..._curves import CURVES
from ..._key_export import export_key
from ..._keymodel import AsymmetricKey, ECPrivateKey, ECPublicKey
from ...exceptions import InvalidValueError
from . import native
from ._asymmetric import ECKeyBase, RSAKeyBase
from ._symmetric import AESKeyBase, HMACKeyBase
from .base import Key

__all__ = [
    "CryptographyAESKey",
    "CryptographyECKey",
    "CryptographyHMACKey",
    "CryptographyRSAKey",
    "Key",
    "get_random_bytes",
]

get_random_bytes = native.get_random_bytes


class _CryptographyObjects:
    """What both asymmetric keys hand back: ``cryptography``'s hash classes (python-jose's
    ``SHA256`` ... attributes) and ``cryptography`` key objects as ``prepared_key``."""

    SHA256 = hashes.SHA256
    SHA384 = hashes.SHA384
    SHA512 = hashes.SHA512

    @staticmethod
    def _export(key: AsymmetricKey) -> Any:
        return export_key(key)


class CryptographyECKey(_CryptographyObjects, ECKeyBase):
    """ES256/384/512; ``prepared_key`` is a ``cryptography`` EC key."""

    def _sig_component_length(self) -> int:
        """The octets of r and of s in a JWS signature: the curve's size (RFC 7518 §3.4)."""
        key = self._key
        if not isinstance(key, (ECPublicKey, ECPrivateKey)):  # pragma: no cover - EC only
            raise InvalidValueError("not an EC key")
        return CURVES[key.curve].size

    def _der_to_raw(self, der_signature: bytes) -> bytes:
        """A DER ``Ecdsa-Sig-Value`` (RFC 3279 §2.2.3) as JWS's fixed-width ``r || s``."""
        r, s = decode_dss_signature(der_signature)
        size = self._sig_component_length()
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def _raw_to_der(self, raw_signature: bytes) -> bytes:
        """JWS's ``r || s`` as a DER ``Ecdsa-Sig-Value``."""
        size = self._sig_component_length()
        if len(raw_signature) != 2 * size:
            raise InvalidValueError("Invalid signature")
        r = int.from_bytes(raw_signature[:size], "big")
        s = int.from_bytes(raw_signature[size:], "big")
        return bytes(encode_dss_signature(r, s))


class CryptographyRSAKey(_CryptographyObjects, RSAKeyBase):
    """RS256/384/512 and RSA key wrap; ``prepared_key`` is a ``cryptography`` RSA key."""


class CryptographyAESKey(AESKeyBase):
    """AES-GCM, AES-CBC and AES key wrap on jwtlite's selected backend."""

    def _random_bytes(self, size: int) -> bytes:
        return get_random_bytes(size)  # this module's, looked up at each call


class CryptographyHMACKey(HMACKeyBase):
    """HS256/384/512 (jwtlite's HMAC: the standard library)."""
