"""Compact JWS (RFC 7515 §7.1): parse, check the protected header, sign and verify.

Parsing follows RFC 7515 §5.2 with RFC 8725's tightening: a size limit before any decoding,
exactly three segments, strict base64url and strict JSON, ``alg`` required, ``crit`` honoured
(§4.1.11), and header members that could name a key (``jwk``, ``jku``, ``x5u``, ``x5c``) are
never used to choose one (RFC 8725 §3.10): trust comes only from the caller's key.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._json import loads_object
from .b64url import b64url_decode
from .exceptions import DecodeError, InvalidTokenError

__all__ = ["DEFAULT_MAX_TOKEN_SIZE", "ParsedToken", "check_header", "parse_compact", "typ_matches"]

#: Default upper bound on a token's length in characters, checked before any decoding.
DEFAULT_MAX_TOKEN_SIZE = 256 * 1024

#: Header Parameters registered by RFC 7515 §4.1 and RFC 7518 §4.1 (JWE ones too, since a
#: producer may not list them in ``crit`` either).
REGISTERED_HEADERS = frozenset(
    [
        "alg",
        "jku",
        "jwk",
        "kid",
        "x5u",
        "x5c",
        "x5t",
        "x5t#S256",
        "typ",
        "cty",
        "crit",
        "enc",
        "zip",
        "epk",
        "apu",
        "apv",
        "iv",
        "tag",
        "p2s",
        "p2c",
    ]
)
#: Extensions this implementation understands when they appear in ``crit`` (RFC 7797).
UNDERSTOOD_CRITICAL = frozenset({"b64"})

_HEADER_CACHE_LIMIT = 256
_SCALARS = (str, int, float, bool, type(None))


class ParsedToken(NamedTuple):
    """The pieces of a compact JWS after strict decoding of header and signature.

    A NamedTuple rather than a frozen dataclass: it is built on every decode, and tuple
    construction is several times cheaper than a frozen dataclass's ``__init__``.
    """

    header: dict[str, Any]
    payload_segment: bytes
    signing_input: bytes
    signature: bytes


# Many tokens share one header (same alg, typ, kid); parsing it once is a measurable share of
# an HS256 decode. Only all-scalar headers are cached, so no caller can mutate a cached value.
_header_cache: dict[bytes, dict[str, Any]] = {}


def _parse_header(segment: bytes, allow_padding: bool) -> dict[str, Any]:
    cached = _header_cache.get(segment)
    if cached is not None:
        return dict(cached)
    header = loads_object(b64url_decode(segment, allow_padding=allow_padding), "header")
    check_header(header)
    if all(isinstance(v, _SCALARS) for v in header.values()):
        if len(_header_cache) >= _HEADER_CACHE_LIMIT:
            _header_cache.clear()
        _header_cache[segment] = header
        return dict(header)
    return header


def parse_compact(
    token: str | bytes, *, max_size: int = DEFAULT_MAX_TOKEN_SIZE, allow_padding: bool = False
) -> ParsedToken:
    """Split and decode a compact JWS; raise DecodeError on any malformation."""
    if isinstance(token, str):
        if len(token) > max_size:
            raise DecodeError(f"Token is larger than the {max_size}-character limit")
        try:
            raw = token.encode("ascii")
        except UnicodeEncodeError:
            raise DecodeError("Invalid token: non-ASCII character") from None
    elif isinstance(token, (bytes, bytearray)):
        if len(token) > max_size:
            raise DecodeError(f"Token is larger than the {max_size}-character limit")
        raw = bytes(token)
    else:
        raise DecodeError(f"Invalid token type. Token must be a {str!r} or {bytes!r}")
    parts = raw.split(b".")
    if len(parts) != 3:
        raise DecodeError(f"Wrong number of segments: a compact JWS has 3, this has {len(parts)}")
    header_segment, payload_segment, signature_segment = parts
    header = _parse_header(header_segment, allow_padding)
    signature = b64url_decode(signature_segment, allow_padding=allow_padding)
    signing_input = raw[: len(header_segment) + 1 + len(payload_segment)]
    return ParsedToken(header, payload_segment, signing_input, signature)


def check_header(header: dict[str, Any]) -> None:
    """Header rules that hold for every token, verified or not (RFC 7515 §4.1)."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise InvalidTokenError('The header "alg" member must be present and a string')
    if "kid" in header and not isinstance(header["kid"], str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    if "crit" in header:
        _check_crit(header)
    elif "b64" in header:
        # RFC 7797 §6: "b64" MUST be listed in "crit" wherever it is used.
        raise InvalidTokenError('The "b64" header parameter must be listed in "crit"')
    if "b64" in header and not isinstance(header["b64"], bool):
        raise InvalidTokenError('The "b64" header parameter must be a boolean')


def _check_crit(header: dict[str, Any]) -> None:
    crit = header["crit"]
    # RFC 7515 §4.1.11: an array of names; "Producers MUST NOT use the empty list"; names
    # defined by RFC 7515/7518 MUST NOT be listed; unknown names make the JWS invalid.
    if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
        raise InvalidTokenError('The "crit" header parameter must be a non-empty list of names')
    if len(set(crit)) != len(crit):
        raise InvalidTokenError('The "crit" header parameter lists a name twice')
    for name in crit:
        if name in REGISTERED_HEADERS:
            raise InvalidTokenError(f'The "crit" header parameter must not list {name!r}')
        if name not in UNDERSTOOD_CRITICAL:
            raise InvalidTokenError(f"Unsupported critical header parameter {name!r}")
        if name not in header:
            raise InvalidTokenError(f"Critical header parameter {name!r} is missing")


def typ_matches(actual: Any, expected: str) -> bool:
    """RFC 7515 §4.1.9: media types compare case-insensitively, "application/" optional."""
    if not isinstance(actual, str):
        return False

    def norm(value: str) -> str:
        value = value.strip().lower()
        return value[len("application/") :] if value.startswith("application/") else value

    return norm(actual) == norm(expected)
