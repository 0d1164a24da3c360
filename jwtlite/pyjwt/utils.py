"""PyJWT's ``jwt.utils`` helpers, on jwtlite's strict base64url and DER code.

Differences from PyJWT, on purpose: ``base64url_decode`` is strict (only the URL-safe
alphabet, canonical trailing bits; padding is accepted) and raises
:class:`~jwtlite.exceptions.DecodeError`, where PyJWT silently drops foreign characters.
Bad values raise jwtlite's :class:`~jwtlite.exceptions.InvalidValueError`, a ``ValueError``
as in PyJWT.
"""

from __future__ import annotations

from typing import Any

from .. import _der
from .._escape import escape
from .._values import octets, utf8
from ..b64url import b64url_decode, b64url_encode
from ..exceptions import InvalidArgumentError, InvalidValueError
from ..keys import is_public_key_material

__all__ = [
    "base64url_decode",
    "base64url_encode",
    "bytes_from_int",
    "bytes_to_number",
    "der_to_raw_signature",
    "force_bytes",
    "from_base64url_uint",
    "is_pem_format",
    "is_ssh_key",
    "number_to_bytes",
    "raw_to_der_signature",
    "to_base64url_uint",
]

#: The most bits ``bytes_from_int`` writes (a megabyte): far above any key or signature
#: component, and it keeps a huge ``bit_length`` from allocating memory without end.
_MAX_BITS = 8 << 20

#: OpenSSH public key line prefixes that PyJWT's ``is_ssh_key`` recognises.
_SSH_KEY_FORMATS = (
    b"ssh-ed25519", b"ssh-rsa", b"ssh-dss",
    b"ecdsa-sha2-nistp256", b"ecdsa-sha2-nistp384", b"ecdsa-sha2-nistp521",
)  # fmt: skip


def force_bytes(value: str | bytes) -> bytes:
    """``value`` as bytes (str is UTF-8 encoded); InvalidArgumentError (a TypeError) for
    another type, InvalidValueError (a ValueError, as PyJWT's UnicodeEncodeError is) for a str
    holding a lone surrogate."""
    if isinstance(value, str):
        return utf8(value, "value", InvalidValueError)
    if isinstance(value, bytes):
        return value
    raise InvalidArgumentError("Expected a string or bytes value")


def base64url_decode(input: str | bytes) -> bytes:
    """Decode base64url (RFC 4648 §5), padded or not; DecodeError on anything else."""
    return b64url_decode(force_bytes(input), allow_padding=True)


def base64url_encode(input: bytes) -> bytes:
    """Encode as unpadded base64url bytes (RFC 7515 §2)."""
    return b64url_encode(input).encode("ascii")


def bytes_from_int(val: int, *, bit_length: int | None = None) -> bytes:
    """Big-endian bytes of a non-negative integer, in ``bit_length`` bits if given."""
    _check_int(val, "val")
    if val < 0:
        raise InvalidValueError("Must be a positive integer")
    if bit_length is not None:
        _check_int(bit_length, "bit_length")
        if not 0 <= bit_length <= _MAX_BITS:
            raise InvalidValueError(f"bit_length must be between 0 and {_MAX_BITS}")
    bits = val.bit_length() if bit_length is None else bit_length
    try:
        return val.to_bytes((bits + 7) // 8, "big")
    except OverflowError:
        raise InvalidValueError(f"{escape(val)} does not fit in {bits} bits") from None


def _check_int(value: object, name: str) -> None:
    """InvalidArgumentError (a TypeError, as PyJWT's arithmetic raises) unless ``value`` is an
    int (a bool is not one here)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be an integer, not {type(value).__name__}")


def to_base64url_uint(val: int, *, bit_length: int | None = None) -> bytes:
    """A Base64urlUInt (RFC 7518 §2): at least one octet, big-endian, unpadded."""
    if not isinstance(val, int) or isinstance(val, bool):
        raise InvalidArgumentError("Expected an integer")
    return base64url_encode(bytes_from_int(val, bit_length=bit_length) or b"\x00")


def from_base64url_uint(val: str | bytes) -> int:
    """The integer of a Base64urlUInt."""
    return int.from_bytes(base64url_decode(val), "big")


def number_to_bytes(num: int, num_bytes: int) -> bytes:
    """``num`` big-endian in exactly ``num_bytes`` octets."""
    _check_int(num_bytes, "num_bytes")
    return bytes_from_int(num, bit_length=8 * num_bytes)


def bytes_to_number(string: bytes) -> int:
    """The big-endian unsigned integer of ``string``."""
    return int.from_bytes(octets(string, "string"), "big")


def _curve_bytes(curve: Any) -> int:
    size = getattr(curve, "key_size", None)
    if not isinstance(size, int) or size <= 0:
        raise InvalidArgumentError("curve must be an elliptic curve with a key_size")
    return (size + 7) // 8


def der_to_raw_signature(der_sig: bytes, curve: Any) -> bytes:
    """A DER ``Ecdsa-Sig-Value`` (RFC 3279 §2.2.3) as JWS's fixed-width r || s (RFC 7518
    §3.4) for ``curve`` (any object with ``key_size``, such as cryptography's curves)."""
    width = _curve_bytes(curve)
    der_sig = octets(der_sig, "der_sig")
    try:
        end, body = _der.read_sequence(der_sig, 0)
        pos, r = _der.read_unsigned(body, 0)
        pos, s = _der.read_unsigned(body, pos)
    except _der.DERError as exc:
        raise InvalidValueError(f"Invalid DER signature: {exc}") from None
    if end != len(der_sig) or pos != len(body):
        raise InvalidValueError("Invalid DER signature: trailing data")
    return number_to_bytes(r, width) + number_to_bytes(s, width)


def raw_to_der_signature(raw_sig: bytes, curve: Any) -> bytes:
    """JWS's r || s for ``curve`` as a DER ``Ecdsa-Sig-Value``."""
    width = _curve_bytes(curve)
    raw_sig = octets(raw_sig, "raw_sig")
    if len(raw_sig) != 2 * width:
        raise InvalidValueError("Invalid signature")
    r, s = bytes_to_number(raw_sig[:width]), bytes_to_number(raw_sig[width:])
    return _der.encode_sequence(_der.encode_integer(r), _der.encode_integer(s))


def is_pem_format(key: bytes) -> bool:
    """Whether ``key`` holds a PEM-armoured key or certificate (jwtlite parses to decide)."""
    key = octets(key, "key")
    return b"-----BEGIN " in key and is_public_key_material(key)


def is_ssh_key(key: bytes) -> bool:
    """Whether ``key`` starts like an OpenSSH public key line."""
    return octets(key, "key").startswith(_SSH_KEY_FORMATS)
