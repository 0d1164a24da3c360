"""A minimal DER reader and writer: only what key formats need, with explicit limits.

DER is the distinguished subset of BER (ITU-T X.690 §10): definite lengths only, in the fewest
octets, and INTEGERs in the fewest octets. Every reader here is a pure function
``(data, pos) -> (pos, value)`` over one ``bytes`` object that ends exactly where the enclosing
element ends, so a length can never reach past its parent. The only error raised is
:class:`DERError`; ``keys.py`` translates it to ``InvalidKeyError`` at the API boundary.
"""

from __future__ import annotations

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH_OCTETS",
    "MAX_OID_OCTETS",
    "TAG_BIT_STRING",
    "TAG_INTEGER",
    "TAG_NULL",
    "TAG_OCTET_STRING",
    "TAG_OID",
    "TAG_SEQUENCE",
    "DERError",
    "check_tree",
    "context_tag",
    "encode_bit_string",
    "encode_integer",
    "encode_null",
    "encode_octet_string",
    "encode_oid",
    "encode_sequence",
    "encode_tlv",
    "peek_tag",
    "read_bit_string",
    "read_element",
    "read_integer",
    "read_null",
    "read_octet_string",
    "read_oid",
    "read_sequence",
    "read_unsigned",
    "skip_element",
    "unwrap",
]

#: Deepest nesting of constructed elements that :func:`check_tree` walks. The deepest structure
#: jwtlite reads is an X.509 Name inside a certificate (Certificate > TBSCertificate > Name >
#: RDN SET > AttributeTypeAndValue > value: 6 levels); 16 admits unusual but legal certificates
#: while keeping the recursion far below the interpreter's limit on hostile input.
MAX_DEPTH = 16
#: Octets in a long-form length. 4 octets allow 4 GiB, far beyond any key or certificate; more
#: would only let a hostile length claim memory it does not have (X.690 §8.1.3.5).
MAX_LENGTH_OCTETS = 4
#: Octets in one OBJECT IDENTIFIER body. The longest OID jwtlite knows is 9 octets; X.509
#: extensions in the wild stay well under 64.
MAX_OID_OCTETS = 64

TAG_INTEGER = 0x02
TAG_BIT_STRING = 0x03
TAG_OCTET_STRING = 0x04
TAG_NULL = 0x05
TAG_OID = 0x06
TAG_SEQUENCE = 0x30
_CONSTRUCTED = 0x20
_HIGH_TAG = 0x1F


class DERError(Exception):
    """The bytes are not the DER structure that was expected."""


def context_tag(number: int, *, constructed: bool = True) -> int:
    """The identifier octet of ``[number]`` in the context-specific class (X.690 §8.1.2)."""
    return 0x80 | (_CONSTRUCTED if constructed else 0) | number


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise DERError("truncated: missing length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return pos, first
    if first == 0x80:
        raise DERError("indefinite length is not DER (X.690 §10.1)")
    count = first & 0x7F
    if count > MAX_LENGTH_OCTETS:
        raise DERError(f"length uses {count} octets; at most {MAX_LENGTH_OCTETS} are allowed")
    if pos + count > len(data):
        raise DERError("truncated: length octets run past the end")
    length = int.from_bytes(data[pos : pos + count], "big")
    # X.690 §10.1: the definite form in the minimum number of octets.
    if length < 0x80 or data[pos] == 0:
        raise DERError("non-minimal length encoding")
    return pos + count, length


def read_element(data: bytes, pos: int) -> tuple[int, int, bytes]:
    """Read one TLV at ``pos``; return ``(next_pos, tag, contents)``."""
    if pos >= len(data):
        raise DERError("truncated: missing element")
    tag = data[pos]
    if tag & _HIGH_TAG == _HIGH_TAG:
        raise DERError("high-tag-number identifiers do not occur in key formats")
    pos, length = _read_length(data, pos + 1)
    end = pos + length
    if end > len(data):
        raise DERError("truncated: contents run past the end")
    return end, tag, data[pos:end]


def peek_tag(data: bytes, pos: int) -> int | None:
    """The identifier octet at ``pos``, or None at the end of ``data``."""
    return data[pos] if pos < len(data) else None


def _expect(data: bytes, pos: int, tag: int, what: str) -> tuple[int, bytes]:
    pos, got, contents = read_element(data, pos)
    if got != tag:
        raise DERError(f"expected {what} (tag 0x{tag:02x}), found tag 0x{got:02x}")
    return pos, contents


def read_sequence(data: bytes, pos: int) -> tuple[int, bytes]:
    """A SEQUENCE; returns its contents for the caller to read from position 0."""
    return _expect(data, pos, TAG_SEQUENCE, "SEQUENCE")


def read_integer(data: bytes, pos: int) -> tuple[int, int]:
    """A signed INTEGER in the fewest octets (X.690 §8.3.2)."""
    pos, body = _expect(data, pos, TAG_INTEGER, "INTEGER")
    if not body:
        raise DERError("empty INTEGER")
    if len(body) > 1 and (
        (body[0] == 0x00 and body[1] < 0x80) or (body[0] == 0xFF and body[1] >= 0x80)
    ):
        raise DERError("non-minimal INTEGER encoding")
    return pos, int.from_bytes(body, "big", signed=True)


def read_unsigned(data: bytes, pos: int) -> tuple[int, int]:
    """An INTEGER that must not be negative (moduli, exponents, scalars)."""
    pos, value = read_integer(data, pos)
    if value < 0:
        raise DERError("negative INTEGER where a non-negative one is required")
    return pos, value


def read_octet_string(data: bytes, pos: int) -> tuple[int, bytes]:
    """A primitive OCTET STRING (constructed strings are BER, not DER: X.690 §10.2)."""
    return _expect(data, pos, TAG_OCTET_STRING, "OCTET STRING")


def read_bit_string(data: bytes, pos: int) -> tuple[int, bytes]:
    """A BIT STRING holding whole octets, as every key and signature field is."""
    pos, body = _expect(data, pos, TAG_BIT_STRING, "BIT STRING")
    if not body or body[0] != 0:
        raise DERError("BIT STRING must hold whole octets (no unused bits)")
    return pos, body[1:]


def read_null(data: bytes, pos: int) -> int:
    """A NULL, which has empty contents (X.690 §8.8)."""
    pos, body = _expect(data, pos, TAG_NULL, "NULL")
    if body:
        raise DERError("NULL with contents")
    return pos


def read_oid(data: bytes, pos: int) -> tuple[int, str]:
    """An OBJECT IDENTIFIER as dotted text (X.690 §8.19)."""
    pos, body = _expect(data, pos, TAG_OID, "OBJECT IDENTIFIER")
    if not body or len(body) > MAX_OID_OCTETS:
        raise DERError("OBJECT IDENTIFIER of bad length")
    if body[-1] & 0x80:
        raise DERError("truncated OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    fresh = True
    for octet in body:
        if fresh and octet == 0x80:
            # X.690 §8.19.2: subidentifiers use the fewest octets (no leading 0x80).
            raise DERError("non-minimal OBJECT IDENTIFIER arc")
        value = (value << 7) | (octet & 0x7F)
        fresh = not octet & 0x80
        if fresh:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)  # §8.19.4: the first subidentifier packs two arcs
    return pos, ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def skip_element(data: bytes, pos: int, tag: int | None = None) -> int:
    """Step over one element, checking that its whole subtree is well-formed DER."""
    end, got, contents = read_element(data, pos)
    if tag is not None and got != tag:
        raise DERError(f"expected tag 0x{tag:02x}, found tag 0x{got:02x}")
    if got & _CONSTRUCTED:
        check_tree(contents, depth=1)
    return end


def check_tree(data: bytes, *, depth: int = 0) -> None:
    """Raise unless ``data`` is a run of well-formed TLVs nested at most MAX_DEPTH deep.

    ``depth`` is how many constructed elements enclose ``data``.
    """
    pos = 0
    while pos < len(data):
        pos, tag, contents = read_element(data, pos)
        if tag & _CONSTRUCTED:
            if depth >= MAX_DEPTH:
                raise DERError(f"nested deeper than {MAX_DEPTH} levels")
            check_tree(contents, depth=depth + 1)


def unwrap(data: bytes, tag: int, what: str) -> bytes:
    """The contents of the single element that must make up all of ``data``."""
    end, contents = _expect(data, 0, tag, what)
    if end != len(data):
        raise DERError(f"{len(data) - end} trailing bytes after {what}")
    return contents


# --- writer -------------------------------------------------------------------------------


def encode_tlv(tag: int, contents: bytes) -> bytes:
    """One element with a minimal definite length (X.690 §10.1)."""
    n = len(contents)
    if n < 0x80:
        return bytes((tag, n)) + contents
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(body))) + body + contents


def encode_integer(value: int) -> bytes:
    """An INTEGER in two's complement, fewest octets."""
    size = (value + (value < 0)).bit_length() // 8 + 1
    return encode_tlv(TAG_INTEGER, value.to_bytes(size, "big", signed=True))


def encode_sequence(*parts: bytes) -> bytes:
    """A SEQUENCE of already-encoded elements."""
    return encode_tlv(TAG_SEQUENCE, b"".join(parts))


def encode_octet_string(value: bytes) -> bytes:
    """A primitive OCTET STRING."""
    return encode_tlv(TAG_OCTET_STRING, value)


def encode_bit_string(value: bytes) -> bytes:
    """A BIT STRING of whole octets."""
    return encode_tlv(TAG_BIT_STRING, b"\x00" + value)


def encode_null() -> bytes:
    """NULL."""
    return b"\x05\x00"


def encode_oid(dotted: str) -> bytes:
    """An OBJECT IDENTIFIER from dotted text (arcs are trusted constants of this package)."""
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        rest = arc >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out += bytes(reversed(chunk))
    return encode_tlv(TAG_OID, bytes(out))
