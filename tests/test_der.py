"""The DER reader's limits and the writer's encodings (X.690 §8, §10)."""

from __future__ import annotations

import contextlib
from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _der
from jwtlite._der import DERError


def test_short_and_long_lengths() -> None:
    assert _der.read_element(b"\x04\x02ab", 0) == (4, 4, b"ab")
    body = bytes(200)
    assert _der.read_element(b"\x04\x81\xc8" + body, 0) == (203, 4, body)
    big = bytes(0x1234)
    assert _der.read_element(b"\x04\x82\x12\x34" + big, 0)[2] == big


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x30\x80\x00\x00", "indefinite"),
        (b"\x04\x81\x05hello", "non-minimal length"),  # fits the short form
        (b"\x04\x82\x00\x85" + bytes(0x85), "non-minimal length"),  # leading zero octet
        (b"\x04\x85\x01\x00\x00\x00\x00", "at most 4"),
        (b"\x04\x82\x01", "length octets run past"),
        (b"\x04\x05abc", "contents run past"),
        (b"\x04", "missing length"),
        (b"", "missing element"),
        (b"\x1f\x01\x00", "high-tag-number"),
    ],
)
def test_malformed_headers_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(DERError, match=message):
        _der.read_element(data, 0)


def test_integers_must_be_minimal() -> None:
    assert _der.read_integer(b"\x02\x01\x7f", 0) == (3, 127)
    assert _der.read_integer(b"\x02\x02\x00\x80", 0) == (4, 128)
    assert _der.read_integer(b"\x02\x01\x80", 0) == (3, -128)
    for bad in (b"\x02\x02\x00\x7f", b"\x02\x02\xff\x80"):
        with pytest.raises(DERError, match="non-minimal INTEGER"):
            _der.read_integer(bad, 0)
    with pytest.raises(DERError, match="empty INTEGER"):
        _der.read_integer(b"\x02\x00", 0)
    with pytest.raises(DERError, match="negative"):
        _der.read_unsigned(b"\x02\x01\xff", 0)
    with pytest.raises(DERError, match="expected INTEGER"):
        _der.read_integer(b"\x04\x01\x00", 0)


@given(st.integers(min_value=-(1 << 600), max_value=1 << 600))
def test_integer_round_trip(value: int) -> None:
    encoded = _der.encode_integer(value)
    assert _der.read_integer(encoded, 0) == (len(encoded), value)


@given(st.binary(max_size=70000))
@settings(max_examples=30)
def test_length_round_trip(contents: bytes) -> None:
    encoded = _der.encode_octet_string(contents)
    assert _der.read_octet_string(encoded, 0) == (len(encoded), contents)
    assert _der.unwrap(encoded, _der.TAG_OCTET_STRING, "x") == contents


@pytest.mark.parametrize(
    "oid", ["1.2.840.10045.2.1", "1.3.132.0.35", "1.3.101.112", "2.999.1", "0.0", "2.5.4.3"]
)
def test_oid_round_trip(oid: str) -> None:
    encoded = _der.encode_oid(oid)
    assert _der.read_oid(encoded, 0) == (len(encoded), oid)


def test_known_oid_bytes() -> None:
    # RFC 5480 §2.1.1: id-ecPublicKey is 06 07 2A 86 48 CE 3D 02 01.
    assert _der.encode_oid("1.2.840.10045.2.1") == bytes.fromhex("06072a8648ce3d0201")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x06\x00", "bad length"),
        (b"\x06\x41" + b"\x01" * 65, "bad length"),
        (b"\x06\x02\x2a\x86", "truncated"),
        (b"\x06\x03\x2a\x80\x01", "non-minimal"),
        (b"\x06\x02\x80\x01", "non-minimal"),
    ],
)
def test_bad_oids(data: bytes, message: str) -> None:
    with pytest.raises(DERError, match=message):
        _der.read_oid(data, 0)


def test_bit_string_null_and_unwrap() -> None:
    assert _der.read_bit_string(_der.encode_bit_string(b"key"), 0)[1] == b"key"
    for bad in (b"\x03\x00", b"\x03\x02\x01\xff"):
        with pytest.raises(DERError, match="whole octets"):
            _der.read_bit_string(bad, 0)
    assert _der.read_null(_der.encode_null(), 0) == 2
    with pytest.raises(DERError, match="NULL with contents"):
        _der.read_null(b"\x05\x01\x00", 0)
    with pytest.raises(DERError, match="trailing"):
        _der.unwrap(b"\x30\x00\x00", _der.TAG_SEQUENCE, "SEQUENCE")
    assert _der.peek_tag(b"\x30\x00", 2) is None
    assert _der.read_sequence(_der.encode_sequence(b"\x05\x00"), 0) == (4, b"\x05\x00")


def _nested(depth: int) -> bytes:
    data = b""
    for _ in range(depth):
        data = _der.encode_sequence(data)
    return data


def test_depth_limit() -> None:
    _der.check_tree(_nested(_der.MAX_DEPTH))
    _der.skip_element(_nested(_der.MAX_DEPTH), 0)
    with pytest.raises(DERError, match="deeper than"):
        _der.check_tree(_nested(_der.MAX_DEPTH + 1))
    with pytest.raises(DERError, match="deeper than"):
        _der.skip_element(_nested(_der.MAX_DEPTH + 1), 0)
    # Very deep input must fail on the limit, not on the interpreter's recursion limit.
    with pytest.raises(DERError):
        _der.check_tree(b"\x30\x84\x00\x00\xff\xff" * 5000)


def test_skip_element_checks_tag_and_subtree() -> None:
    seq = _der.encode_sequence(_der.encode_integer(5))
    assert _der.skip_element(seq + b"rest", 0, _der.TAG_SEQUENCE) == len(seq)
    with pytest.raises(DERError, match="expected tag"):
        _der.skip_element(seq, 0, _der.TAG_INTEGER)
    with pytest.raises(DERError):
        _der.skip_element(b"\x30\x02\x02\x05", 0)


def test_context_tags() -> None:
    assert _der.context_tag(0) == 0xA0
    assert _der.context_tag(1, constructed=False) == 0x81


_READERS: list[Callable[[bytes], object]] = [
    lambda d: _der.read_integer(d, 0),
    lambda d: _der.read_unsigned(d, 0),
    lambda d: _der.read_oid(d, 0),
    lambda d: _der.read_bit_string(d, 0),
    lambda d: _der.read_octet_string(d, 0),
    lambda d: _der.read_null(d, 0),
    lambda d: _der.read_sequence(d, 0),
    lambda d: _der.skip_element(d, 0),
    _der.check_tree,
]


@given(st.binary(max_size=64), st.sampled_from(range(len(_READERS))))
@settings(max_examples=400)
def test_only_der_error_escapes(data: bytes, which: int) -> None:
    with contextlib.suppress(DERError):
        _READERS[which](data)


# --- whole refusal texts and exact limits (mutation testing: a fragment lets a changed text by) --


@pytest.mark.parametrize(
    ("read", "data", "message"),
    [
        (_der.read_element, b"", "truncated: missing element"),
        (_der.read_element, b"\x04", "truncated: missing length"),
        (_der.read_element, b"\x30\x80\x00\x00", "indefinite length is not DER (X.690 §10.1)"),
        (_der.read_element, b"\x04\x85" + bytes(5), "length uses 5 octets; at most 4 are allowed"),
        (_der.read_element, b"\x04\x82\x01", "truncated: length octets run past the end"),
        (_der.read_element, b"\x04\x81\x7f" + bytes(0x7F), "non-minimal length encoding"),
        (_der.read_element, b"\x04\x05abc", "truncated: contents run past the end"),
        (
            _der.read_element,
            b"\x3f\x01\x00",
            "high-tag-number identifiers do not occur in key formats",
        ),
        (_der.read_integer, b"\x04\x01\x00", "expected INTEGER (tag 0x02), found tag 0x04"),
        (_der.read_integer, b"\x02\x00", "empty INTEGER"),
        (_der.read_integer, b"\x02\x02\x00\x7f", "non-minimal INTEGER encoding"),
        (
            _der.read_unsigned,
            b"\x02\x01\xff",
            "negative INTEGER where a non-negative one is required",
        ),
        (_der.read_sequence, b"\x31\x00", "expected SEQUENCE (tag 0x30), found tag 0x31"),
        (_der.read_octet_string, b"\x24\x00", "expected OCTET STRING (tag 0x04), found tag 0x24"),
        (_der.read_bit_string, b"\x03\x00", "BIT STRING must hold whole octets (no unused bits)"),
        (_der.read_bit_string, b"\x04\x01\x00", "expected BIT STRING (tag 0x03), found tag 0x04"),
        (_der.read_null, b"\x05\x01\x00", "NULL with contents"),
        (_der.read_null, b"\x04\x00", "expected NULL (tag 0x05), found tag 0x04"),
        (_der.read_oid, b"\x06\x00", "OBJECT IDENTIFIER of bad length"),
        (_der.read_oid, b"\x06\x02\x2a\x86", "truncated OBJECT IDENTIFIER"),
        (_der.read_oid, b"\x06\x03\x2a\x80\x01", "non-minimal OBJECT IDENTIFIER arc"),
        (_der.read_oid, b"\x04\x00", "expected OBJECT IDENTIFIER (tag 0x06), found tag 0x04"),
    ],
)
def test_refusal_texts(read: Callable[[bytes, int], object], data: bytes, message: str) -> None:
    with pytest.raises(DERError) as info:
        read(data, 0)
    assert str(info.value) == message


def test_element_limits_at_their_exact_values() -> None:
    # The shortest long form (0x80 octets) and the longest length field (4 octets).
    body = bytes(0x80)
    assert _der.read_element(b"\x04\x81\x80" + body, 0) == (131, 4, body)
    with pytest.raises(DERError) as info:
        _der.read_element(b"\x04\x84\x00\x00\x00\x80" + body, 0)
    assert str(info.value) == "non-minimal length encoding"
    four = b"\x04\x84\x01\x00\x00\x00"
    with pytest.raises(DERError) as info:
        _der.read_element(four, 0)  # four length octets are read, then the contents are missing
    assert str(info.value) == "truncated: contents run past the end"
    # A length whose octets end exactly at the end of the data, and contents that do too.
    with pytest.raises(DERError) as info:
        _der.read_element(b"\x04\x82\x01\x00", 0)
    assert str(info.value) == "truncated: contents run past the end"
    assert _der.read_element(b"\x04\x03abc", 0) == (5, 4, b"abc")
    assert _der.read_element(b"xx\x04\x01a", 2) == (5, 4, b"a")
    # Only the low five bits all set mark a high tag number; 0x1e is an ordinary tag.
    assert _der.read_element(b"\x1e\x00", 0) == (2, 0x1E, b"")
    assert _der.peek_tag(b"\x30\x00", 1) == 0x00
    assert _der.peek_tag(b"\x30\x00", 0) == 0x30


def test_integer_signs_and_sizes() -> None:
    assert _der.read_integer(b"\x02\x01\x00", 0) == (3, 0)
    assert _der.read_integer(b"\x02\x01\xff", 0) == (3, -1)
    assert _der.read_integer(b"\x02\x02\xff\x7f", 0) == (4, -129)
    assert _der.read_integer(b"\x02\x02\x01\x00", 0) == (4, 256)
    assert _der.read_unsigned(b"\x02\x01\x00", 0) == (3, 0)
    with pytest.raises(DERError) as info:
        _der.read_integer(b"\x02\x02\xff\xff", 0)
    assert str(info.value) == "non-minimal INTEGER encoding"
    for value, encoded in [
        (0, "020100"),
        (127, "02017f"),
        (128, "02020080"),
        (-128, "020180"),
        (-129, "0202ff7f"),
        (255, "020200ff"),
        (256, "02020100"),
        (-1, "0201ff"),
    ]:
        assert _der.encode_integer(value).hex() == encoded


def test_bit_string_and_oid_details() -> None:
    assert _der.read_bit_string(b"\x03\x01\x00", 0) == (3, b"")
    assert _der.read_bit_string(b"\x03\x03\x00ab", 0) == (5, b"ab")
    longest = b"\x06\x40" + b"\x2a" + b"\x01" * 63
    assert _der.read_oid(longest, 0) == (66, "1.2" + ".1" * 63)
    assert _der.read_oid(b"\x06\x01\x00", 0) == (3, "0.0")
    assert _der.read_oid(b"\x06\x01\x4f", 0) == (3, "1.39")
    assert _der.read_oid(b"\x06\x01\x50", 0) == (3, "2.0")
    assert _der.read_oid(b"\x06\x02\x81\x00", 0) == (4, "2.48")  # the first arc may pass 2*40
    assert _der.read_oid(b"\x06\x03\x2a\x81\x00", 0) == (5, "1.2.128")
    # 0x80 opens a non-minimal arc only at the start of an arc; inside one it is a zero group.
    assert _der.read_oid(b"\x06\x04\x2a\x81\x80\x00", 0) == (6, "1.2.16384")


def test_tree_texts_and_depth() -> None:
    with pytest.raises(DERError) as info:
        _der.skip_element(_der.encode_sequence(), 0, _der.TAG_INTEGER)
    assert str(info.value) == "expected tag 0x02, found tag 0x30"
    with pytest.raises(DERError) as info:
        _der.check_tree(_nested(_der.MAX_DEPTH + 1))
    assert str(info.value) == "nested deeper than 16 levels"
    with pytest.raises(DERError) as info:
        _der.unwrap(b"\x30\x00\x00\x00", _der.TAG_SEQUENCE, "RSAPublicKey")
    assert str(info.value) == "2 trailing bytes after RSAPublicKey"
    with pytest.raises(DERError) as info:
        _der.unwrap(b"\x02\x01\x00", _der.TAG_SEQUENCE, "RSAPublicKey")
    assert str(info.value) == "expected RSAPublicKey (tag 0x30), found tag 0x02"
    # A primitive element is not walked; a constructed one is, from depth 1 (skip_element) or 0.
    assert _der.skip_element(b"\x04\x02\x30\x05", 0) == 4
    _der.check_tree(b"\x04\x02\x30\x05")
    with pytest.raises(DERError):
        _der.check_tree(b"\x30\x02\x30\x05")
    assert _der.skip_element(_nested(_der.MAX_DEPTH), 0) == len(_nested(_der.MAX_DEPTH))
    # A run of several elements is checked to its end.
    _der.check_tree(b"\x05\x00\x05\x00")
    with pytest.raises(DERError):
        _der.check_tree(b"\x05\x00\x05")
    assert _der.context_tag(3) == 0xA3
    assert _der.context_tag(2, constructed=False) == 0x82
