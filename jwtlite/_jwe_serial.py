"""Reading a JWE (RFC 7516 §7): the compact form and both JSON forms, strictly, and the
header rules that hold before any key is touched.

Strict at every step, in linear time: the size limit before any decoding; exactly five
segments in the compact form; strict base64url (RFC 7515 §2) in every segment and member;
strict JSON (duplicate names refused) for every header; each header under its own size limit;
at most :data:`~jwtlite._jwe_limits.MAX_RECIPIENTS` recipients; no Header Parameter name in
more than one of the protected, shared unprotected and per-recipient headers (RFC 7516
§7.2.1); ``zip`` and ``crit`` only where they are integrity protected (§4.1.3, RFC 7515
§4.1.11), and ``crit`` honoured. Every failure is a
:class:`~jwtlite.exceptions.JWEParseError` (a :class:`~jwtlite.exceptions.DecodeError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ._cache import BoundedCache
from ._json import dumps, loads_object
from ._jwe_limits import JWELimits
from ._jws_header import REGISTERED_HEADERS
from .b64url import b64url_decode, b64url_decode_segments
from .exceptions import DecodeError, JWEParseError

__all__ = ["ParsedJWE", "ParsedRecipient", "joint_header", "parse"]

#: The members of a JSON-serialized JWE (RFC 7516 §7.2.1); others are ignored, as it says.
_STRING_MEMBERS = ("protected", "iv", "ciphertext", "tag", "aad", "encrypted_key")


class ParsedRecipient(NamedTuple):
    """One recipient: its per-recipient unprotected header and its JWE Encrypted Key."""

    header: dict[str, Any]
    encrypted_key: bytes


class ParsedJWE(NamedTuple):
    """A JWE after strict decoding, before any key is touched."""

    protected: dict[str, Any]
    #: The Encoded Protected Header as the token holds it ("" when there is none).
    protected_segment: str
    unprotected: dict[str, Any]
    recipients: list[ParsedRecipient]
    iv: bytes
    ciphertext: bytes
    tag: bytes
    #: BASE64URL(JWE AAD) as the token holds it, or None.
    aad_segment: str | None

    def additional_data(self) -> bytes:
        """The AAD of content encryption (RFC 7516 §5.1 step 14): ASCII(Encoded Protected
        Header), followed by "." and the encoded JWE AAD when there is one."""
        if self.aad_segment is None:
            return self.protected_segment.encode("ascii")
        return f"{self.protected_segment}.{self.aad_segment}".encode("ascii")


#: The compact form's segments after the protected header, as error messages name them.
_COMPACT_SEGMENTS = ("encrypted key", "initialization vector", "ciphertext", "authentication tag")


def _b64(value: str | bytes, name: str) -> bytes:
    try:
        return b64url_decode(value)
    except DecodeError as exc:
        raise JWEParseError(f"Invalid JWE {name}: {exc}") from None


#: Parsed protected headers by their encoded segment (public data): a service reads tokens of a
#: handful of headers, and parsing one is a measurable part of a ``dir`` decryption. Only
#: all-scalar headers are kept (an ``epk`` header is new with every token), and callers get a
#: copy, so no one can change a cached header.
_HEADERS: BoundedCache[bytes, dict[str, Any]] = BoundedCache("parsed JWE headers", 256)


def _header(segment: bytes, limits: JWELimits) -> dict[str, Any]:
    # The bound is checked on the encoded text, before decoding: 4 characters per 3 octets
    # (and before the cache, since each call may bring its own bound).
    if len(segment) > (limits.max_header_size * 4 + 2) // 3:
        raise JWEParseError(f"The JWE protected header is over {limits.max_header_size} bytes")
    cached = _HEADERS.get(segment)
    if cached is not None:
        return dict(cached)
    text = _b64(segment, "protected header")
    try:
        header = loads_object(text, "JWE protected header")
    except DecodeError as exc:
        raise JWEParseError(str(exc)) from None
    # All scalars: one object and no array in the text (a brace or bracket inside a string
    # only means the header is not kept; two C-speed scans instead of a loop over the values).
    if text.count(b"{") == 1 and b"[" not in text:
        _HEADERS.put(segment, dict(header))
    return header


def parse(token: Any, limits: JWELimits) -> ParsedJWE:
    """Decode a compact or JSON-serialized JWE (str, bytes, or an already parsed mapping)."""
    if isinstance(token, (str, bytes, bytearray)) and len(token) > limits.max_token_size:
        raise JWEParseError(f"The JWE is larger than the {limits.max_token_size}-character limit")
    if isinstance(token, str):
        if not token.isascii():
            raise JWEParseError("Invalid JWE: non-ASCII character")
        raw = token.encode("ascii")
    elif isinstance(token, (bytes, bytearray)):
        raw = bytes(token)
    elif isinstance(token, Mapping):
        return _parse_json(token, limits)
    else:
        kind = type(token).__name__
        raise JWEParseError(f"A JWE must be str, bytes or a JSON object, not {kind}")
    if raw.lstrip()[:1] == b"{":
        try:
            return _parse_json(loads_object(raw, "JWE JSON"), limits)
        except JWEParseError:
            raise
        except DecodeError as exc:
            raise JWEParseError(str(exc)) from None
    return _parse_compact(raw, limits)


def _parse_compact(raw: bytes, limits: JWELimits) -> ParsedJWE:
    parts = raw.split(b".")
    if len(parts) != 5:
        # RFC 7516 §7.1: five segments; a JWS (three) is a different kind of token.
        raise JWEParseError(f"A compact JWE has 5 segments, this one has {len(parts)}")
    protected = _header(parts[0], limits)
    try:  # the four segments in one pass (the hot path); the failing one is named below
        encrypted_key, iv, ciphertext, tag = b64url_decode_segments(raw[len(parts[0]) + 1 :])
    except DecodeError:
        for name, segment in zip(_COMPACT_SEGMENTS, parts[1:]):
            _b64(segment, name)
        raise  # pragma: no cover - one of the four raised above
    return ParsedJWE(
        protected, parts[0].decode("ascii"), {}, [ParsedRecipient({}, encrypted_key)],
        iv, ciphertext, tag, None,
    )  # fmt: skip


def _object_member(obj: Mapping[str, Any], name: str, limits: JWELimits) -> dict[str, Any]:
    value = obj.get(name, {})
    if not isinstance(value, Mapping):
        raise JWEParseError(f'The JWE "{name}" member must be a JSON object')
    if not all(isinstance(key, str) for key in value):
        # A mapping handed in by the caller may come from a parser that keeps other names
        # (YAML, msgpack); JSON's are strings (RFC 8259 §4), and the header rules compare them.
        raise JWEParseError(f'The names in the JWE "{name}" member must be strings')
    try:
        size = len(dumps(dict(value)))
    except (TypeError, ValueError, RecursionError):
        raise JWEParseError(f'The JWE "{name}" member is not JSON') from None
    if size > limits.max_header_size:
        raise JWEParseError(f'The JWE "{name}" header is over {limits.max_header_size} bytes')
    return dict(value)


def _string_members(obj: Mapping[str, Any]) -> None:
    for name in _STRING_MEMBERS:
        if name in obj and not isinstance(obj[name], str):
            raise JWEParseError(f'The JWE "{name}" member must be a string')


def _recipients(obj: Mapping[str, Any], limits: JWELimits) -> list[ParsedRecipient]:
    if "recipients" not in obj:
        # Flattened (RFC 7516 §7.2.2): "header" and "encrypted_key" sit at the top level.
        key = _b64(obj.get("encrypted_key", ""), "encrypted key")
        return [ParsedRecipient(_object_member(obj, "header", limits), key)]
    if "header" in obj or "encrypted_key" in obj:
        raise JWEParseError('A JWE has "recipients" or a top-level "header"/"encrypted_key"')
    members = obj["recipients"]
    if not isinstance(members, list) or not members:
        raise JWEParseError('The JWE "recipients" member must be a non-empty array')
    if len(members) > limits.max_recipients:
        raise JWEParseError(
            f"The JWE has {len(members)} recipients; at most {limits.max_recipients} allowed"
        )
    out = []
    for member in members:
        if not isinstance(member, Mapping):
            raise JWEParseError("Each JWE recipient must be a JSON object")
        _string_members(member)
        key = _b64(member.get("encrypted_key", ""), "encrypted key")
        out.append(ParsedRecipient(_object_member(member, "header", limits), key))
    return out


def _parse_json(obj: Mapping[str, Any], limits: JWELimits) -> ParsedJWE:
    _string_members(obj)
    if "ciphertext" not in obj:
        raise JWEParseError('The JWE has no "ciphertext" member')
    if sum(len(v) for v in obj.values() if isinstance(v, str)) > limits.max_token_size:
        raise JWEParseError(f"The JWE is larger than the {limits.max_token_size}-character limit")
    recipients = _recipients(obj, limits)
    segment = obj.get("protected")
    if segment == "":
        # RFC 7516 §7.2.1: "protected" MUST be absent when the protected header is empty.
        raise JWEParseError('The JWE "protected" member must not be empty')
    aad = obj.get("aad")
    if aad is not None:
        _b64(aad, "AAD")
    return ParsedJWE(
        protected={} if segment is None else _header(segment.encode("ascii", "replace"), limits),
        protected_segment=segment or "",
        unprotected=_object_member(obj, "unprotected", limits),
        recipients=recipients,
        iv=_b64(obj.get("iv", ""), "initialization vector"),
        ciphertext=_b64(obj["ciphertext"], "ciphertext"),
        tag=_b64(obj.get("tag", ""), "authentication tag"),
        aad_segment=aad,
    )


# --- the JOSE Header of one recipient ---------------------------------------------------------


def _check_unprotected(
    protected: dict[str, Any], shared: dict[str, Any], own: dict[str, Any]
) -> None:
    # RFC 7516 §7.2.1: "the Header Parameter names in the three locations MUST be disjoint".
    clash = (protected.keys() & shared.keys()) | (protected.keys() & own.keys())
    clash |= shared.keys() & own.keys()
    if clash:
        raise JWEParseError(f"Header Parameter {min(clash)!r} occurs in more than one JWE header")
    for name in ("zip", "crit"):
        if name in shared or name in own:
            # §4.1.3 (zip) and RFC 7515 §4.1.11 (crit): "MUST be integrity protected".
            raise JWEParseError(f'The "{name}" Header Parameter must be in the protected header')


def joint_header(parsed: ParsedJWE, recipient: ParsedRecipient) -> dict[str, Any]:
    """The union of the three headers for one recipient (RFC 7516 §5.2 step 5), checked.

    Raises:
        JWEParseError: a name in two headers, ``zip`` or ``crit`` outside the protected
            header, a malformed ``crit``, ``alg``, ``enc`` or ``kid``.
    """
    protected, shared, own = parsed.protected, parsed.unprotected, recipient.header
    if shared or own:  # the compact form has the protected header alone
        _check_unprotected(protected, shared, own)
        header = {**protected, **shared, **own}
    else:
        header = dict(protected)
    for name in ("alg", "enc"):
        if not isinstance(header.get(name), str):
            raise JWEParseError(f'The JWE header "{name}" member must be a string')
    if "kid" in header and not isinstance(header["kid"], str):
        raise JWEParseError("Key ID header parameter must be a string")
    if "crit" in header:
        check_crit(header, understood=frozenset())
    return header


def check_crit(header: Mapping[str, Any], *, understood: frozenset[str]) -> None:
    """RFC 7515 §4.1.11 (by RFC 7516 §4.1.13): a non-empty array of distinct extension names,
    none defined by the JOSE RFCs, each present in the header and each understood."""
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
        raise JWEParseError("Invalid 'crit' header: must be a non-empty list of strings")
    if len(set(crit)) != len(crit):
        raise JWEParseError("Invalid 'crit' header: values must be unique")
    for name in crit:
        if name in REGISTERED_HEADERS:
            raise JWEParseError(f"Unsupported critical extension: {name} (a registered name)")
        if name not in header:
            raise JWEParseError(f"Critical extension '{name}' is missing from headers")
        if name not in understood:
            raise JWEParseError(f"Unsupported critical extension: {name}")
