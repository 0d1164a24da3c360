"""python-jose's ``jose.backends._asn1``: RSA keys between PKCS#1 and PKCS#8 / SPKI DER.

python-jose wrote these with ``pyasn1``; here jwtlite's strict DER readers and writers do the
work: each function reads the key (RFC 8017 A.1, RFC 5208 §5, RFC 5280 §4.1.2.7) and writes
the other structure. Malformed input raises :class:`~jwtlite.exceptions.InvalidValueError`
(a ``ValueError``, as python-jose's functions raise).
"""

from __future__ import annotations

from typing import Any, Callable

from ... import _der, _keyformats
from ..._keymodel import RSAPrivateKey, RSAPublicKey
from ...exceptions import InvalidArgumentError, InvalidKeyError, InvalidValueError

__all__ = [
    "RSA_ENCRYPTION_ASN1_OID",
    "rsa_private_key_pkcs1_to_pkcs8",
    "rsa_private_key_pkcs8_to_pkcs1",
    "rsa_public_key_pkcs1_to_pkcs8",
    "rsa_public_key_pkcs8_to_pkcs1",
]

RSA_ENCRYPTION_ASN1_OID = _keyformats.OID_RSA


def _read(parse: Callable[[bytes], Any], der: bytes, kind: type, what: str) -> Any:
    if not isinstance(der, (bytes, bytearray, memoryview)):
        # bytes(n) of an integer would make n zero octets; pyasn1 refuses other types too.
        raise InvalidArgumentError(f"Invalid {what} encoding: expected bytes")
    try:
        key = parse(bytes(der))
    except (InvalidKeyError, _der.DERError) as exc:
        raise InvalidValueError(f"Invalid {what} encoding: {exc}") from None
    if not isinstance(key, kind):
        raise InvalidValueError(f"Invalid {what} encoding: not an RSA key")
    return key


def rsa_private_key_pkcs8_to_pkcs1(pkcs8_key: bytes) -> bytes:
    """The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo."""
    key = _read(_keyformats.parse_pkcs8, pkcs8_key, RSAPrivateKey, "private key")
    return _keyformats.pkcs1_der(key)


def rsa_private_key_pkcs1_to_pkcs8(pkcs1_key: bytes) -> bytes:
    """An RSAPrivateKey wrapped in a PKCS#8 PrivateKeyInfo (rsaEncryption, NULL parameters)."""
    key = _read(_keyformats.parse_pkcs1_private, pkcs1_key, RSAPrivateKey, "private key")
    return _keyformats.pkcs8_der(key)


def rsa_public_key_pkcs1_to_pkcs8(pkcs1_key: bytes) -> bytes:
    """An RSAPublicKey wrapped in a SubjectPublicKeyInfo."""
    key = _read(_keyformats.parse_pkcs1_public, pkcs1_key, RSAPublicKey, "public key")
    return _keyformats.spki_der(key)


def rsa_public_key_pkcs8_to_pkcs1(pkcs8_key: bytes) -> bytes:
    """The RSAPublicKey inside a SubjectPublicKeyInfo."""
    key = _read(_keyformats.parse_spki, pkcs8_key, RSAPublicKey, "public key")
    return _keyformats.pkcs1_der(key)
