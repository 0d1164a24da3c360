"""Strict base64url (RFC 7515 §2) and Base64urlUInt (RFC 7518 §6.1)."""

from __future__ import annotations

import base64
import contextlib
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from property.strategies import b64url_text

from jwtlite.b64url import (
    b64_to_uint,
    b64url_decode,
    b64url_decode_segments,
    b64url_encode,
    uint_to_b64,
)
from jwtlite.exceptions import DecodeError, InvalidKeyError


@given(st.binary(max_size=200))
def test_round_trip(data: bytes) -> None:
    encoded = b64url_encode(data)
    assert "=" not in encoded
    assert b64url_decode(encoded) == data
    assert b64url_decode(encoded.encode()) == data


@given(st.binary(min_size=1, max_size=64))
def test_agrees_with_stdlib(data: bytes) -> None:
    assert b64url_encode(data) == base64.urlsafe_b64encode(data).decode().rstrip("=")


@given(b64url_text)
def test_only_canonical_encodings_are_accepted(text: str) -> None:
    # Every accepted text must be the unique encoding of what it decodes to.
    try:
        decoded = b64url_decode(text)
    except DecodeError:
        return
    assert b64url_encode(decoded) == text


@given(st.binary(min_size=1, max_size=40), st.data())
def test_every_non_canonical_tail_is_rejected(data: bytes, draw: st.DataObject) -> None:
    encoded = b64url_encode(data)
    if len(encoded) % 4 == 0:
        return
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = draw.draw(st.sampled_from(alphabet))
    variant = encoded[:-1] + last
    if variant == encoded:
        assert b64url_decode(variant) == data
    else:
        # Either it decodes to other bytes canonically, or it is refused; never the same bytes.
        with contextlib.suppress(DecodeError):
            assert b64url_decode(variant) != data


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("YQ==", "padding"),
        ("YQ=", "padding"),
        ("Y Q", "whitespace"),
        ("YQ\n", "newline"),
        ("YQ+", "standard alphabet +"),
        ("YQ/", "standard alphabet /"),
        ("Y", "length 1 mod 4"),
        ("YQABC", "length 1 mod 4"),
        ("YR", "non-zero trailing bits (2 chars)"),
        ("YWJ", "non-zero trailing bits (3 chars)"),
        ("é", "non-ASCII"),
        ("YQ\x00", "NUL"),
    ],
)
def test_rejects(text: str, reason: str) -> None:
    with pytest.raises(DecodeError):
        b64url_decode(text)


def test_rejects_non_text() -> None:
    with pytest.raises(DecodeError):
        b64url_decode(123)  # type: ignore[arg-type]


def test_padding_opt_in() -> None:
    assert b64url_decode("YQ==", allow_padding=True) == b"a"
    assert b64url_decode("YWI=", allow_padding=True) == b"ab"
    assert b64url_decode("YWJj", allow_padding=True) == b"abc"
    for bad in ("YQ=", "YQ===", "Y===", "YWJj===="):
        with pytest.raises(DecodeError):
            b64url_decode(bad, allow_padding=True)


def test_bytearray_input() -> None:
    assert b64url_decode(bytearray(b"YWI")) == b"ab"


@given(st.integers(min_value=0, max_value=2**4096))
def test_uint_round_trip(value: int) -> None:
    text = uint_to_b64(value)
    assert b64_to_uint(text) == value
    # Minimal length (RFC 7518 §6.1): one octet for zero, no leading zero octet otherwise.
    assert len(b64url_decode(text)) == max(1, (value.bit_length() + 7) // 8)


def test_uint_fixed_length_and_minimality() -> None:
    assert b64url_decode(uint_to_b64(1, length=32)) == b"\x00" * 31 + b"\x01"
    padded = b64url_encode(b"\x00\x01")
    with pytest.raises(DecodeError):
        b64_to_uint(padded)
    assert b64_to_uint(padded, minimal=False) == 1
    with pytest.raises(DecodeError):
        b64_to_uint("")
    with pytest.raises(InvalidKeyError):
        uint_to_b64(-1)


# -- exact messages: the reason a segment was refused is part of the error --

_DECODE_MESSAGES = [
    ("é", {}, "Invalid base64url: non-ASCII character"),
    (5, {}, "Invalid base64url: expected str or bytes, got int"),
    ("QQ=", {"allow_padding": True}, "Invalid base64url: bad padding"),
    ("A===", {"allow_padding": True}, "Invalid base64url: bad padding"),
    ("QQ===", {"allow_padding": True}, "Invalid base64url: bad padding"),
    ("AX==", {"allow_padding": True},
     "Invalid base64url: non-zero trailing bits (non-canonical encoding)"),
    ("QQ==", {}, "Invalid base64url: character outside the URL-safe alphabet"),
    ("a+b/", {}, "Invalid base64url: character outside the URL-safe alphabet"),
    ("AAAAA", {}, "Invalid base64url: impossible length"),
    ("QR", {}, "Invalid base64url: non-zero trailing bits (non-canonical encoding)"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "kwargs", "message"), _DECODE_MESSAGES)
def test_decode_messages(data: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(DecodeError) as info:
        b64url_decode(data, **kwargs)
    assert str(info.value) == message


def test_padding_allowed_only_where_it_belongs() -> None:
    assert b64url_decode("QQ==", allow_padding=True) == b"A"
    assert b64url_decode("QUI=", allow_padding=True) == b"AB"
    assert b64url_decode(b"QUI=", allow_padding=True) == b"AB"
    assert b64url_decode(bytearray(b"QUI"), allow_padding=True) == b"AB"


def test_uint_messages() -> None:
    with pytest.raises(InvalidKeyError) as negative:
        uint_to_b64(-1)
    assert str(negative.value) == "Base64urlUInt cannot encode a negative integer"
    with pytest.raises(DecodeError) as empty:
        b64_to_uint("")
    assert str(empty.value) == "Invalid Base64urlUInt: empty"
    with pytest.raises(DecodeError) as leading:
        b64_to_uint("AAE")
    assert str(leading.value) == (
        "Invalid Base64urlUInt: leading zero octet (not minimal, RFC 7518 §6.1)"
    )
    assert b64_to_uint("AAE", minimal=False) == 1
    assert b64_to_uint("AA") == 0
    assert b64_to_uint("AQAB") == 65537
    assert uint_to_b64(65537) == "AQAB"
    assert uint_to_b64(1, 3) == "AAAB"


@pytest.mark.parametrize(("value", "length"), [(256, 1), (2**256, 32), (2**16, 2)])
def test_uint_too_wide_for_its_fixed_length(value: int, length: int) -> None:
    # One bit more than the octets hold (RFC 7518 §6.2.1.2: a coordinate has its curve's
    # width): a jwtlite error naming both sizes, never to_bytes()'s OverflowError.
    with pytest.raises(InvalidKeyError) as info:
        uint_to_b64(value, length)
    bits = value.bit_length()
    assert str(info.value) == f"an integer of {bits} bits does not fit {length} octets"
    assert uint_to_b64(value - 1, length) == b64url_encode((value - 1).to_bytes(length, "big"))


@given(st.lists(st.one_of(b64url_text, st.text(max_size=12)), min_size=1, max_size=5))
def test_segments_decode_as_each_segment_alone(segments: list[str]) -> None:
    """b64url_decode_segments (the compact JWE's one-pass decoder) accepts exactly what
    b64url_decode accepts segment by segment, with the same octets."""
    joined = ".".join(segments).encode("utf-8")
    try:
        expected: list[bytes] | None = [b64url_decode(s.encode("utf-8")) for s in segments]
    except DecodeError:
        expected = None
    if "." in "".join(segments):  # a dot inside a segment is a separator to the joined form
        return
    if expected is None:
        with pytest.raises(DecodeError):
            b64url_decode_segments(joined)
    else:
        assert b64url_decode_segments(joined) == expected


@pytest.mark.parametrize(
    ("text", "count"), [(b"", 1), (b"..", 3), (b"AQ.AQI.AQID", 3), (b"AQID.", 2)]
)
def test_segments_keep_empty_ones(text: bytes, count: int) -> None:
    decoded = b64url_decode_segments(text)
    assert len(decoded) == count
    assert decoded == [b64url_decode(part) for part in text.split(b".")]


@pytest.mark.parametrize("text", [b"AQ.A", b"AR.AQ", b"AQ.A=", b"AQ.+Q", b"AQ\xff.AQ"])
def test_segments_refuse_what_one_segment_refuses(text: bytes) -> None:
    with pytest.raises(DecodeError):
        b64url_decode_segments(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Four characters outside the alphabet: dropped, they would leave a valid length.
        (b"AAAA.$$$$AAAA", "Invalid base64url: character outside the URL-safe alphabet"),
        (b"AAAA.A", "Invalid base64url: impossible length or non-zero trailing bits"),
        (b"AB.AAAA", "Invalid base64url: impossible length or non-zero trailing bits"),
    ],
)
def test_segments_refuse_with_their_message(text: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=f"^{re.escape(message)}$"):
        b64url_decode_segments(text)
