"""The compact JWS engine (RFC 7515 §7.1): parse, choose the key, verify, sign.

Parsing follows RFC 7515 §5.2 with RFC 8725's tightening: a size limit before any decoding,
exactly three segments, strict base64url and strict JSON, ``alg`` required, ``crit`` honoured
(§4.1.11), and header members that could name a key (``jwk``, ``jku``, ``x5u``, ``x5c``) are
never used to choose one (RFC 8725 §3.10): trust comes only from the caller's key.

Verification (RFC 8725 §3.1): ``alg`` must be one the caller allows, ``none`` never verifies,
and the key is resolved once (a JWK or JWK Set through :mod:`jwtlite.jwk`'s selection, anything
else through the algorithm's ``prepare_key``) and bound to the algorithm's family before any
cryptography runs. The payload leaves this module as bytes; ``api`` reads it as JSON claims.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Container, Mapping, Sequence
from typing import Any, Callable, NamedTuple

from ._cache import BoundedCache
from ._json import dumps, loads_object
from ._options import DEFAULT_MAX_TOKEN_SIZE, Options
from .algorithms import RSA_LEGACY_MIN_BITS, Algorithm, RSAAlgorithm
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    DecodeError,
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWKSetError,
    UnusableKeyError,
)
from .jwk import PyJWK, PyJWKSet, resolve_key

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
]

#: Looks an ``alg`` name up in the caller's algorithm table (``PyJWS.get_algorithm_by_name``).
GetAlgorithm = Callable[[str], Algorithm]

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

_SCALARS = (str, int, float, bool, type(None))
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class ParsedToken(NamedTuple):
    """The pieces of a compact JWS after strict decoding of header and signature.

    A NamedTuple rather than a frozen dataclass: it is built on every decode, and tuple
    construction is several times cheaper than a frozen dataclass's ``__init__``.
    """

    header: dict[str, Any]
    payload_segment: bytes
    signing_input: bytes
    signature: bytes


class Verified(NamedTuple):
    """A verified (or, with ``verify_signature`` off, merely parsed) compact JWS."""

    header: dict[str, Any]
    payload: bytes
    signature: bytes


# Many tokens share one header (same alg, typ, kid); parsing it once is a measurable share of
# an HS256 decode. Only all-scalar headers are cached, so no caller can mutate a cached value.
# Keyed by the header segment, which is public. Padded segments are never cached: one parsed
# under ``allow_padding`` must not be accepted later by a strict caller from the cache.
_HEADERS: BoundedCache[bytes, dict[str, Any]] = BoundedCache("parsed JWS headers", 256)


def _parse_header(segment: bytes, allow_padding: bool) -> dict[str, Any]:
    cacheable = not segment.endswith(b"=")
    cached = _HEADERS.get(segment) if cacheable else None
    if cached is not None:
        return dict(cached)
    header = loads_object(b64url_decode(segment, allow_padding=allow_padding), "header")
    check_header(header)
    if cacheable and all(isinstance(v, _SCALARS) for v in header.values()):
        _HEADERS.put(segment, header)
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


def unverified_header(token: str | bytes, options: Options) -> dict[str, Any]:
    """The protected header, parsed with the caller's size and padding options, NOT verified."""
    return parse_compact(
        token, max_size=options.max_token_size, allow_padding=options.allow_padding
    ).header


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
    parsed = parse_compact(
        token, max_size=options.max_token_size, allow_padding=options.allow_padding
    )
    header = parsed.header
    signing_input = parsed.signing_input
    encoded = header.get("b64", True)
    if detached_payload is not None:
        if parsed.payload_segment:
            raise DecodeError("A detached payload was given but the token carries one")
        payload = bytes(detached_payload)
        body = b64url_encode(payload).encode() if encoded else payload
        signing_input = signing_input[:-1] + b"." + body
    elif encoded:
        payload = b64url_decode(parsed.payload_segment, allow_padding=options.allow_padding)
    else:
        payload = parsed.payload_segment
    if options.verify_signature:
        _verify(signing_input, header, parsed.signature, key, algorithms, get_algorithm, options)
    return Verified(header, payload, parsed.signature)


def _verify(
    signing_input: bytes,
    header: Mapping[str, Any],
    signature: bytes,
    key: Any,
    algorithms: Sequence[str] | None,
    get_algorithm: GetAlgorithm,
    options: Options,
) -> None:
    alg: str = header["alg"]
    if alg == "none":
        raise InvalidAlgorithmError('The "none" algorithm is never accepted for verification')
    if alg not in allowed_algorithms(algorithms, key):
        raise InvalidAlgorithmError("The specified alg value is not allowed")
    alg_obj = get_algorithm(alg)
    if options.allow_small_rsa_verify and isinstance(alg_obj, RSAAlgorithm):
        alg_obj = alg_obj.with_min_bits(RSA_LEGACY_MIN_BITS)
    prepared = alg_obj.prepare_key(_resolve_jwk(key, alg, header.get("kid"), "verify"))
    check_key_length(alg_obj, prepared, options)
    if not alg_obj.verify(signing_input, prepared, signature):
        raise InvalidSignatureError("Signature verification failed")


def allowed_algorithms(algorithms: Sequence[str] | None, key: Any) -> Container[str]:
    """The caller's allowed ``alg`` values; a PyJWK alone may imply its own (as in PyJWT)."""
    if isinstance(algorithms, str):
        return (algorithms,)  # one name; never a substring test
    if algorithms:
        return algorithms
    implied = getattr(key, "algorithm_name", None)
    if isinstance(implied, str) and not isinstance(key, (str, bytes)):
        return (implied,)
    raise DecodeError(
        'It is required that you pass in a value for the "algorithms" argument when calling'
        " decode()."
    )


def _resolve_jwk(key: Any, alg: str, kid: Any, operation: str) -> Any:
    """Keys given as PyJWK, PyJWKSet or a JWK/JWKS dict are chosen and checked by ``jwk``;
    every other form goes to the algorithm's ``prepare_key`` unchanged."""
    if not isinstance(key, (PyJWK, PyJWKSet, Mapping)):
        return key
    if operation != "verify":
        return resolve_key(key, alg=alg, kid=kid, operation=operation)
    try:
        return resolve_key(key, alg=alg, kid=kid, operation=operation)
    except (InvalidKeyError, PyJWKSetError) as exc:
        # The token's kid/alg chose this failure, so it must be catchable as a bad token.
        raise UnusableKeyError(str(exc)) from exc


def check_key_length(alg_obj: Algorithm, prepared: Any, options: Options) -> None:
    """Warn (or, with ``enforce_minimum_key_length``, raise) for a too-short key."""
    message = alg_obj.check_key_length(prepared)
    if message is None:
        return
    if options.enforce_minimum_key_length:
        raise InvalidKeyError(message)
    warnings.warn(message, InsecureKeyLengthWarning, stacklevel=_caller_stacklevel())


def _caller_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside jwtlite."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


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
    check_header(header)
    return header


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
    try:
        header_json = dumps(header, cls=json_encoder, sort_keys=sort_headers)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"Header is not JSON-serialisable: {exc}") from None
    if not isinstance(payload, bytes):
        raise InvalidArgumentError("The JWS payload must be bytes")
    header_b64 = b64url_encode(header_json)
    body = payload if not header.get("b64", True) else b64url_encode(payload).encode()
    signing_input = header_b64.encode() + b"." + body
    signing_key = _resolve_jwk(key, header["alg"], header.get("kid"), "sign")
    prepared = alg_obj.prepare_key(signing_key)
    check_key_length(alg_obj, prepared, options)
    signature = b64url_encode(alg_obj.sign(signing_input, prepared))
    return f"{header_b64}.{'' if detached else body.decode()}.{signature}"
