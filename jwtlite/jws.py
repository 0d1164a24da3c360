"""The compact JWS engine (RFC 7515 §7.1): parse, choose the key, verify, sign.

Parsing follows RFC 7515 §5.2 with RFC 8725's tightening: a size limit before any decoding,
exactly three segments, strict base64url and strict JSON, ``alg`` required, ``crit`` honoured
(§4.1.11), and header members that could name a key (``jwk``, ``jku``, ``x5u``, ``x5c``) are
never used to choose one (RFC 8725 §3.10): trust comes only from the caller's key.

Verification (RFC 8725 §3.1): ``alg`` must be one the caller allows, ``none`` never verifies,
and the key is resolved once (a JWK or JWK Set through :mod:`jwtlite.jwk`'s selection, anything
else through the algorithm's ``prepare_key``) and bound to the algorithm's family before any
cryptography runs. The payload leaves this module as bytes; ``api`` reads it as JSON claims.

The header rules (:mod:`jwtlite._jws_header`) and the key choice, verification and signing of
one signature (:mod:`jwtlite._jws_keys`) sit below this module, shared with the JSON
serialization, which this module re-exports (:func:`encode_json`, :func:`decode_json`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from . import _hints
from ._cache import BoundedCache
from ._json import dumps, loads_object
from ._jws_header import check_header
from ._jws_json import (
    MAX_HEADER_SIZE,
    MAX_SIGNATURES,
    Signer,
    VerifiedJSON,
    VerifiedSignature,
    decode_json,
    encode_json,
)
from ._jws_keys import GetAlgorithm
from ._jws_keys import sign as _sign_input
from ._jws_keys import verify as _verify
from ._options import DEFAULT_MAX_TOKEN_SIZE, Options
from ._values import octets, text
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidTokenError,
)

__all__ = [
    "DEFAULT_MAX_TOKEN_SIZE",
    "ParsedToken",
    "Verified",
    "build_header",
    "check_header",
    "decode",
    "parse_compact",
    "sign",
    "typ_matches",
    "unverified_header",
    # the JSON serialization (RFC 7515 §7.2), from jwtlite._jws_json
    "MAX_HEADER_SIZE",
    "MAX_SIGNATURES",
    "Signer",
    "VerifiedJSON",
    "VerifiedSignature",
    "decode_json",
    "encode_json",
]

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


#: A verified (or, with ``verify_signature`` off, merely parsed) compact JWS: ``(header,
#: payload, signature)``. A plain tuple: :func:`decode` builds one per token.
Verified = tuple[dict[str, Any], bytes, bytes]


# Many tokens share one header (same alg, typ, kid); parsing it once is a measurable share of
# an HS256 decode. Only all-scalar headers are cached, so no caller can mutate a cached value.
# Keyed by the header segment, which is public. Padded segments are never cached: one parsed
# under ``allow_padding`` must not be accepted later by a strict caller from the cache.
_HEADERS: BoundedCache[bytes, dict[str, Any]] = BoundedCache("parsed JWS headers", 256)


def _segment(segment: bytes, name: str, allow_padding: bool) -> bytes:
    """Strict base64url, failing with PyJWT's text ("Invalid header padding", ...); the exact
    reason stays on the exception's ``__cause__``."""
    try:
        return b64url_decode(segment, allow_padding=allow_padding)
    except DecodeError as exc:
        raise DecodeError(f"Invalid {name} padding") from exc


def _parse_header(segment: bytes, allow_padding: bool) -> dict[str, Any]:
    cacheable = not segment.endswith(b"=")
    cached = _HEADERS.get(segment) if cacheable else None
    if cached is not None:
        return dict(cached)
    header = loads_object(_segment(segment, "header", allow_padding), "header")
    check_header(header)
    if cacheable and all(isinstance(v, _SCALARS) for v in header.values()):
        _HEADERS.put(segment, header)
        return dict(header)
    return header


def parse_compact(
    token: str | bytes, *, max_size: int = DEFAULT_MAX_TOKEN_SIZE, allow_padding: bool = False
) -> ParsedToken:
    """Split and decode a compact JWS; raise DecodeError on any malformation.

    Error texts are PyJWT's for the same failure, checked in PyJWT's order (segments, header,
    payload, signature), since applications return and compare them.
    """
    return ParsedToken(*_split(token, max_size, allow_padding))


def _split(
    token: str | bytes, max_size: int, allow_padding: bool
) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """:func:`parse_compact` as a plain tuple, for :func:`decode` (one per token)."""
    if isinstance(token, str):
        if len(token) > max_size:
            raise DecodeError(f"Token is larger than the {max_size}-character limit")
        try:
            raw = token.encode("ascii")
        except UnicodeEncodeError:
            # PyJWT reads the token as UTF-8 and then finds no valid base64url in it.
            raise DecodeError(_non_ascii_part(token)) from DecodeError(
                "Invalid token: non-ASCII character"
            )
    elif isinstance(token, (bytes, bytearray)):
        if len(token) > max_size:
            raise DecodeError(f"Token is larger than the {max_size}-character limit")
        raw = bytes(token)
    else:
        raise DecodeError(f"Invalid token type. Token must be a {bytes} (or a {str})")
    parts = raw.split(b".")
    try:
        if len(parts) < 3:
            raise DecodeError("Not enough segments")
        header_segment, payload_segment = parts[0], parts[1]
        header = _parse_header(header_segment, allow_padding)
        if len(parts) > 3:
            # PyJWT reads everything between the first and the last dot as the payload, which
            # then holds a "." and is not base64url.
            raise DecodeError("Invalid payload padding") from DecodeError(
                f"A compact JWS has 3 segments, this one has {len(parts)}"
            )
        try:  # inline rather than _segment(): this runs on every decode
            signature = b64url_decode(parts[2], allow_padding=allow_padding)
        except DecodeError as exc:
            if header.get("b64", True):
                _segment(payload_segment, "payload", allow_padding)  # PyJWT reports it first
            raise DecodeError("Invalid crypto padding") from exc
    except InvalidTokenError as exc:
        _hints.append(exc, _hints.token_text(raw))  # a "Bearer " prefix, quotes, spaces
        raise
    signing_input = raw[: len(header_segment) + 1 + len(payload_segment)]
    return header, payload_segment, signing_input, signature


def _non_ascii_part(token: str) -> str:
    parts = token.split(".")
    if len(parts) < 3:
        return "Not enough segments"
    names = ("header", "payload", "crypto")
    bad = next(i for i, part in enumerate(parts) if not part.isascii())
    return f"Invalid {names[min(bad, 1) if bad < len(parts) - 1 else 2]} padding"


def typ_matches(actual: Any, expected: str) -> bool:
    """RFC 7515 §4.1.9: media types compare case-insensitively, "application/" optional."""
    text(expected, "typ")  # the caller's; ``actual`` is the token's, and any value may fail
    if not isinstance(actual, str):
        return False

    def norm(value: str) -> str:
        value = value.strip().lower()
        return value[len("application/") :] if value.startswith("application/") else value

    return norm(actual) == norm(expected)


def unverified_header(token: str | bytes, options: Options) -> dict[str, Any]:
    """The protected header, parsed with the caller's size and padding options, NOT verified.

    The payload segment must be valid base64url too (as in PyJWT, which reads the whole token).
    """
    parsed = parse_compact(
        token, max_size=options.max_token_size, allow_padding=options.allow_padding
    )
    if parsed.header.get("b64", True):
        _segment(parsed.payload_segment, "payload", options.allow_padding)
    return parsed.header


# --- verification -----------------------------------------------------------------------------


def decode(
    token: str | bytes,
    key: Any,
    *,
    algorithms: Sequence[str] | None,
    get_algorithm: GetAlgorithm,
    options: Options,
    detached_payload: bytes | None = None,
) -> Verified:
    """Parse ``token`` and (unless ``options.verify_signature`` is off) verify it.

    Raises:
        DecodeError: the token is malformed (InvalidSignatureError: the signature is wrong).
        InvalidAlgorithmError: ``alg`` is ``none``, not allowed, or not in the table.
        InvalidKeyError: the key is unusable (UnusableKeyError when the token chose it).
    """
    header, payload_segment, signing_input, signature = _split(
        token, options.max_token_size, options.allow_padding
    )
    encoded = header.get("b64", True)
    if detached_payload is not None:
        if payload_segment:  # PyJWT's texts for the two ways this goes wrong
            raise DecodeError(
                "Payload segment must be empty when 'b64' is false."
                if not encoded
                else 'It is only valid to pass "detached_payload" when the protected header has'
                ' "b64" set to false.'
            )
        payload = octets(detached_payload, "detached_payload")  # never bytes(n) of an int
        body = b64url_encode(payload).encode() if encoded else payload
        signing_input = signing_input[:-1] + b"." + body
    elif encoded:
        try:
            payload = b64url_decode(payload_segment, allow_padding=options.allow_padding)
        except DecodeError as exc:
            raise DecodeError("Invalid payload padding") from exc
    elif not payload_segment:
        raise DecodeError(
            'It is required that you pass in a value for the "detached_payload" argument to'
            " decode a message having the b64 header set to false."
        )
    else:
        payload = payload_segment  # RFC 7797 §5.2: an unencoded payload in the token
    if options.verify_signature:
        _verify(signing_input, header, signature, key, algorithms, get_algorithm, options)
    return header, payload, signature


# --- signing ----------------------------------------------------------------------------------


def build_header(
    *,
    algorithm: str | None,
    headers: Mapping[str, Any] | None,
    typ: str,
    detached: bool,
) -> dict[str, Any]:
    """The protected header for signing: ``typ`` first, then the caller's, then ``alg``."""
    if algorithm is None:
        # PyJWT falls back to "none" here; an unsecured token must be asked for by name.
        raise InvalidAlgorithmError(
            'No algorithm given; pass algorithm="none" explicitly for an unsecured token'
        )
    header: dict[str, Any] = {"typ": typ, "alg": algorithm}
    if headers:
        if "kid" in headers and not isinstance(headers["kid"], str):
            raise InvalidTokenError("Key ID header parameter must be a string")
        header.update(headers)
        header["alg"] = algorithm
    if not header.get("typ"):
        header.pop("typ", None)
    if detached:
        # RFC 7797 §6: an unencoded payload must be declared critical.
        header["b64"] = False
        header["crit"] = sorted({*header.get("crit", ()), "b64"})
    check_header(header, producing=True)
    return header


#: Encoded headers of the form almost every token has, ``{"typ": ..., "alg": ...}`` with
#: string values and the default encoder, keyed by those items and the sort switch.
_HEADER_SEGMENTS: BoundedCache[tuple[Any, ...], str] = BoundedCache("encoded JWS headers", 64)


def _header_segment(
    header: dict[str, Any], json_encoder: type[json.JSONEncoder] | None, sort_headers: bool
) -> str:
    """The base64url of the header's JSON (``InvalidArgumentError`` if it has none)."""
    plain = (
        json_encoder is None
        and len(header) <= 2
        and all(type(value) is str for value in header.values())
    )
    if plain:
        cache_key = (bool(sort_headers), *header.items())
        cached = _HEADER_SEGMENTS.get(cache_key)
        if cached is not None:
            return cached
    try:
        header_json = dumps(header, cls=json_encoder, sort_keys=sort_headers)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"Header is not JSON-serialisable: {exc}"
            + _hints.unserialisable(header, "headers", json_encoder, sort_keys=sort_headers)
        ) from None
    segment = b64url_encode(header_json)
    if plain:
        _HEADER_SEGMENTS.put(cache_key, segment)
    return segment


def sign(
    payload: bytes,
    key: Any,
    *,
    header: dict[str, Any],
    get_algorithm: GetAlgorithm,
    options: Options,
    json_encoder: type[json.JSONEncoder] | None = None,
    sort_headers: bool = True,
    detached: bool = False,
) -> str:
    """Sign ``payload`` under ``header`` (from :func:`build_header`); the compact JWS."""
    alg_obj = get_algorithm(header["alg"])
    header_b64 = _header_segment(header, json_encoder, sort_headers)
    if not isinstance(payload, bytes):
        raise InvalidArgumentError("The JWS payload must be bytes")
    body = payload if not header.get("b64", True) else b64url_encode(payload).encode()
    signing_input = header_b64.encode() + b"." + body
    signature = b64url_encode(
        _sign_input(
            signing_input,
            key,
            alg_obj=alg_obj,
            alg=header["alg"],
            kid=header.get("kid"),
            options=options,
        )
    )
    return f"{header_b64}.{'' if detached else body.decode()}.{signature}"
