"""Strict base64url (RFC 7515 §2) and Base64urlUInt (RFC 7518 §6.1).

RFC 7515 §2 defines base64url "with all trailing '=' characters omitted ... and without the
inclusion of any line breaks, whitespace, or other additional characters". Decoding here accepts
exactly that and nothing else: no padding, no whitespace, no characters outside the URL-safe
alphabet, no length of 1 mod 4 (it cannot encode whole octets) and no non-zero unused trailing bits
(so every byte string has exactly one accepted encoding; a lenient decoder lets an attacker
produce many spellings of one signature; RFC 4648 §3.5, canonical encoding).

The checks are C-speed set operations on the whole string (``bytes.translate``), not per-byte
Python loops, because this runs three times per decoded token.
"""

from __future__ import annotations

import binascii

from .exceptions import DecodeError, InvalidArgumentError, InvalidKeyError

__all__ = ["b64_to_uint", "b64url_decode", "b64url_decode_segments", "b64url_encode", "uint_to_b64"]

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Standard-alphabet twin, so decoding can use binascii's fast path after one translate().
# Every byte outside the URL-safe alphabet (the standard "+", "/" and "=" included) becomes
# "!", which no base64 alphabet holds: one translate both converts and marks bad input.
_TO_STANDARD = bytes(
    {0x2D: 0x2B, 0x5F: 0x2F}.get(b, b) if b in _ALPHABET else 0x21 for b in range(256)
)
_FROM_STANDARD = bytes.maketrans(b"+/", b"-_")
# The same with "." kept, for several segments translated in one pass (b64url_decode_segments).
_TO_STANDARD_KEEP_DOT = _TO_STANDARD[:0x2E] + b"." + _TO_STANDARD[0x2F:]
# The final character of a 2- or 3-character tail carries 4 or 2 unused bits (RFC 4648 §3.5);
# these sets hold the characters whose unused bits are zero, i.e. the canonical ones.
_CANONICAL_LAST: tuple[frozenset[int], ...] = (
    frozenset(),
    frozenset(),
    frozenset(_ALPHABET[i] for i in range(0, 64, 16)),
    frozenset(_ALPHABET[i] for i in range(0, 64, 4)),
)
_PADDING = (b"", b"", b"==", b"=")
#: The widest fixed-width Base64urlUInt written: a 16384-bit RSA value is 2048 octets.
_MAX_UINT_OCTETS = 4096


def b64url_encode(data: bytes) -> str:
    """Encode octets as unpadded base64url text."""
    try:
        encoded = binascii.b2a_base64(data, newline=False)
    except TypeError:  # not bytes-like: caught here, which costs nothing on the way through
        raise InvalidArgumentError(f"base64url encodes bytes, not {type(data).__name__}") from None
    return encoded.translate(_FROM_STANDARD).rstrip(b"=").decode()


def b64url_decode(data: str | bytes, *, allow_padding: bool = False) -> bytes:
    """Decode strict base64url; raise :class:`DecodeError` on any non-canonical input.

    ``allow_padding=True`` tolerates correct trailing ``=`` padding (AWS ALB emits padded
    tokens); everything else stays strict.
    """
    if type(data) is bytes:  # the decode hot path: no copy
        raw = data
    elif isinstance(data, str):
        try:
            raw = data.encode("ascii")
        except UnicodeEncodeError:
            raise DecodeError("Invalid base64url: non-ASCII character") from None
    elif isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    else:
        raise DecodeError(f"Invalid base64url: expected str or bytes, got {type(data).__name__}")
    if allow_padding and raw.endswith(b"="):
        unpadded = raw.rstrip(b"=")
        if len(raw) % 4 or len(raw) - len(unpadded) > 2:
            raise DecodeError("Invalid base64url: bad padding")
        raw = unpadded
    standard = raw.translate(_TO_STANDARD)
    if b"!" in standard:
        raise DecodeError("Invalid base64url: character outside the URL-safe alphabet")
    tail = len(raw) % 4
    if tail == 1:
        raise DecodeError("Invalid base64url: impossible length")
    if tail and raw[-1] not in _CANONICAL_LAST[tail]:
        raise DecodeError("Invalid base64url: non-zero trailing bits (non-canonical encoding)")
    try:
        return binascii.a2b_base64(standard + _PADDING[tail])
    except binascii.Error as exc:  # pragma: no cover - excluded by the checks above
        raise DecodeError(f"Invalid base64url: {exc}") from None


def b64url_decode_segments(data: bytes) -> list[bytes]:
    """Decode the "."-separated segments of ``data``, each as strictly as :func:`b64url_decode`
    (which names the failure: call it on the segments when this raises).

    One alphabet pass over all the segments instead of one per segment: the compact JWE's four
    last segments are decoded this way on every decryption.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidArgumentError(f"base64url segments are bytes, not {type(data).__name__}")
    standard = data.translate(_TO_STANDARD_KEEP_DOT)
    if b"!" in standard:
        raise DecodeError("Invalid base64url: character outside the URL-safe alphabet")
    decoded = []
    for segment in standard.split(b"."):
        tail = len(segment) % 4
        # The canonical final characters are letters and digits, the same in both alphabets.
        if tail and (tail == 1 or segment[-1] not in _CANONICAL_LAST[tail]):
            raise DecodeError("Invalid base64url: impossible length or non-zero trailing bits")
        try:
            decoded.append(binascii.a2b_base64(segment + _PADDING[tail]))
        except binascii.Error as exc:  # pragma: no cover - excluded by the checks above
            raise DecodeError(f"Invalid base64url: {exc}") from None
    return decoded


def uint_to_b64(value: int, length: int | None = None) -> str:
    """Base64urlUInt (RFC 7518 §6.1): big-endian, minimum octets (at least one for zero).

    ``length`` forces a fixed width, as EC coordinates require (RFC 7518 §6.2.1.2).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidKeyError(f"Base64urlUInt encodes an integer, not {type(value).__name__}")
    if value < 0:
        raise InvalidKeyError("Base64urlUInt cannot encode a negative integer")
    if length is not None and not (type(length) is int and 0 < length <= _MAX_UINT_OCTETS):
        # A width is the size of a field or a modulus: a huge one would allocate that much.
        raise InvalidKeyError(f"a Base64urlUInt width must be 1 to {_MAX_UINT_OCTETS} octets")
    if length is not None and value.bit_length() > 8 * length:
        bits = value.bit_length()
        raise InvalidKeyError(f"an integer of {bits} bits does not fit {length} octets")
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(size, "big"))


def b64_to_uint(data: str, *, minimal: bool = True) -> int:
    """Decode a Base64urlUInt; with ``minimal`` (RFC 7518 §6.1) refuse leading zero octets."""
    raw = b64url_decode(data)
    if not raw:
        raise DecodeError("Invalid Base64urlUInt: empty")
    if minimal and len(raw) > 1 and raw[0] == 0:
        raise DecodeError("Invalid Base64urlUInt: leading zero octet (not minimal, RFC 7518 §6.1)")
    return int.from_bytes(raw, "big")
