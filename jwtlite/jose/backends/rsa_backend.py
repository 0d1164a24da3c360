"""python-jose's ``jose.backends.rsa_backend``, on jwtlite's pure-Python backend.

python-jose used the ``rsa`` and ``pyasn1`` packages here; jwtlite's pure backend stands in,
so the same key class signs, verifies and wraps keys (RSA1_5, RSA-OAEP, RSA-OAEP-256) without
any package, and python-jose's cross-backend tests run against jwtlite's two backends.

python-jose before 3.1 wrote RSA private keys as a malformed PKCS#8 (a fixed, wrong outer
length); python-jose 3.x still reads them, so this class does too: only that exact prefix, and
the PKCS#1 key after it is read strictly.
"""

from __future__ import annotations

from typing import Any

from ... import _der, _keyformats, _pem
from ..._keymodel import AsymmetricKey
from ...exceptions import InvalidKeyError, InvalidValueError
from ..constants import ALGORITHMS
from ..exceptions import JWKError
from ._asymmetric import RSAKeyBase, load_asymmetric

__all__ = [
    "ASN1_SEQUENCE_ID",
    "LEGACY_INVALID_PKCS8_RSA_HEADER",
    "RSA_ENCRYPTION_ASN1_OID",
    "RSAKey",
    "pem_to_spki",
]

#: The PKCS#8 prefix python-jose < 3.1 wrote: a SEQUENCE claiming 1213 octets (whatever the
#: key's size), version 0, and the rsaEncryption AlgorithmIdentifier (RFC 8017 A.1).
LEGACY_INVALID_PKCS8_RSA_HEADER = bytes.fromhex("308204bd020100300d06092a864886f70d0101010500")
ASN1_SEQUENCE_ID = b"\x30"
RSA_ENCRYPTION_ASN1_OID = "1.2.840.113549.1.1.1"


def _legacy_private_key_pkcs8_to_pkcs1(pkcs8_key: bytes) -> bytes:
    """The PKCS#1 key inside python-jose's legacy PKCS#8 (InvalidValueError otherwise)."""
    if not pkcs8_key.startswith(LEGACY_INVALID_PKCS8_RSA_HEADER + ASN1_SEQUENCE_ID):
        raise InvalidValueError("Invalid private key encoding")
    return pkcs8_key[len(LEGACY_INVALID_PKCS8_RSA_HEADER) :]


def _legacy_key(key: Any) -> AsymmetricKey | None:
    """The key of a legacy ``PRIVATE KEY`` PEM, or None when ``key`` is not one."""
    if isinstance(key, str):
        key = key.encode("utf-8", "replace")  # a lone surrogate: not a legacy PEM either
    if not isinstance(key, bytes) or b"-----BEGIN PRIVATE KEY-----" not in key:
        return None
    try:
        block = _pem.find_key_block(key.strip())
        if not block.der.startswith(LEGACY_INVALID_PKCS8_RSA_HEADER):
            return None
        return _keyformats.parse_pkcs1_private(_legacy_private_key_pkcs8_to_pkcs1(block.der))
    except (InvalidKeyError, InvalidValueError, _der.DERError) as exc:
        raise JWKError("Invalid private key encoding") from exc


class RSAKey(RSAKeyBase):
    """RS256/384/512 and RSA1_5 / RSA-OAEP / RSA-OAEP-256, on jwtlite's pure backend."""

    SHA256 = "SHA-256"
    SHA384 = "SHA-384"
    SHA512 = "SHA-512"
    _backend_name = "pure"

    @classmethod
    def _load(cls, key: Any) -> AsymmetricKey:
        try:
            return load_asymmetric(key, cls._kty, cls._what)
        except JWKError:
            legacy = _legacy_key(key)
            if legacy is None:
                raise
            return legacy


def pem_to_spki(pem: Any, fmt: str = "PKCS8") -> bytes:
    """The public key of an RSA key in PEM, as PEM (``PKCS8``: SPKI, or ``PKCS1``)."""
    return RSAKey(pem, ALGORITHMS.RS256).public_key().to_pem(fmt)
