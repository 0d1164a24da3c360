"""Registered-claim validation (RFC 7519 §4.1) as pure functions of (claims, options, now).

Differences from PyJWT, each deliberate:
- Time claims must be JSON numbers: ``true`` and ``"1700000000"`` are refused (PyJWT coerces
  them with ``int()``; a bool is not a time and a string is not a NumericDate, RFC 7519 §2).
- ``iss`` is compared exactly, against a string or a collection of strings - never with a
  substring test (CVE-2024-53861).
- ``max_age`` bounds the token's age from ``iat``, independently of ``exp``; with it, an
  ``iat`` in the future (beyond the leeway) is refused even when ``verify_iat`` is off.
"""

from __future__ import annotations

import json
import math
import warnings
from calendar import timegm
from collections.abc import Container, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from . import _hints
from ._json import dumps
from ._options import Options
from ._values import finite
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
    NaiveDatetimeWarning,
)

__all__ = [
    "check_string_claims",
    "claims_json",
    "encode_time_claims",
    "seconds",
    "timestamp",
    "utc_seconds",
    "validate",
]

TIME_CLAIMS = ("exp", "iat", "nbf")

_DEFAULT_OPTIONS = Options()


def seconds(value: float | timedelta) -> float:
    """A leeway or age given as seconds or a ``timedelta``, as float seconds.

    NaN is refused: every comparison with it is false, so a NaN leeway would silently turn the
    expiry check off. An integer too large for a float is refused rather than letting
    ``OverflowError`` escape.
    """
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(
            f"expected seconds as a number or timedelta, got {type(value).__name__}"
        )
    try:
        result = float(value)
    except OverflowError:
        raise InvalidArgumentError("seconds value is too large") from None
    if math.isnan(result):
        raise InvalidArgumentError("seconds value must not be NaN")
    return result


#: Claims refused at encode unless they are strings (``sub`` is a StringOrURI, ``jti`` a
#: case-sensitive string, RFC 7519 §4.1.2 and §4.1.7): decode refuses them otherwise, so such a
#: token would be refused by its own issuer. PyJWT checks both only at decode. ``iss`` is
#: deliberately not here: GitHub App tokens carry the numeric app ID (docs/claims.md).
STRING_CLAIMS = {
    "sub": "Subject (sub) must be a string.",
    "jti": "JWT ID (jti) must be a string.",
}


def utc_seconds(moment: datetime) -> int:
    """``moment`` as integer seconds since the epoch; a naive datetime is read as UTC."""
    if not isinstance(moment, datetime):
        raise InvalidArgumentError(f"expected a datetime, got {type(moment).__name__}")
    return timegm(moment.utctimetuple())


def encode_time_claims(payload: Mapping[str, Any], *, warn_naive: bool = True) -> dict[str, Any]:
    """Copy of ``payload`` with datetime ``exp``/``iat``/``nbf`` as integer seconds (UTC).

    A naive datetime is taken to be UTC, as PyJWT does, and warns (:class:`NaiveDatetimeWarning`):
    ``datetime.now()`` without a timezone is local time, so the token would be off by the UTC
    offset. ``warn_naive=False`` keeps quiet, as PyJWT does (the PyJWT face: a suite that turns
    warnings into errors must pass there as under PyJWT).
    """
    out = dict(_claims_mapping(payload))
    for name in TIME_CLAIMS:
        value = out.get(name)
        if isinstance(value, datetime):
            if warn_naive and value.utcoffset() is None:
                warnings.warn(
                    _hints.naive_datetime(name),
                    NaiveDatetimeWarning,
                    stacklevel=_hints.caller_stacklevel(),
                )
            out[name] = utc_seconds(value)
    return out


def claims_json(
    payload: Mapping[str, Any],
    json_encoder: type[json.JSONEncoder] | None = None,
    *,
    string_claims: bool = True,
    warn_naive: bool = True,
) -> bytes:
    """The claims as compact UTF-8 JSON, datetimes as seconds (``encode_time_claims``, with
    its ``warn_naive``), and with ``string_claims`` a non-string ``sub``/``jti`` refused: the
    body of a signed or an encrypted JWT.

    Raises:
        InvalidArgumentError: the claims are not JSON-serialisable (or ``sub``/``jti``).
    """
    claims = encode_time_claims(payload, warn_naive=warn_naive)
    if string_claims:
        check_string_claims(claims)
    try:
        return dumps(claims, cls=json_encoder)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgumentError(
            f"Payload is not JSON-serialisable: {exc}"
            + _hints.unserialisable(claims, "claims", json_encoder)
        ) from None


def timestamp(now: float | datetime) -> float:
    """An injected clock value as seconds: a number, or a datetime (naive is read as UTC)."""
    if isinstance(now, datetime):
        return now.timestamp() if now.tzinfo else float(utc_seconds(now))
    if isinstance(now, bool) or not isinstance(now, (int, float)):
        raise InvalidArgumentError("now must be a number of seconds or a datetime")
    seconds_now = finite(now)
    if seconds_now is None:
        # NaN would turn every time check off (each comparison is false), an infinity would
        # expire every token or none, and an integer no float holds is no clock reading.
        raise InvalidArgumentError("now must be a finite number of seconds or a datetime")
    return seconds_now


def _claims_mapping(payload: Any) -> Mapping[str, Any]:
    if type(payload) is not dict and not isinstance(payload, Mapping):
        raise InvalidArgumentError(f"claims must be a dict, not {type(payload).__name__}")
    return payload


def check_string_claims(payload: Mapping[str, Any]) -> None:
    """Refuse, at encode, a non-string ``sub`` or ``jti`` (InvalidArgumentError)."""
    _claims_mapping(payload)
    for name in ("sub", "jti"):
        value = payload.get(name, "")  # absent is fine: "" stands for it
        if type(value) is not str and not isinstance(value, str):
            raise InvalidArgumentError(STRING_CLAIMS[name] + _hints.claim_type(name))


def _number(payload: Mapping[str, Any], name: str) -> float | None:
    """The NumericDate (RFC 7519 §2) ``name``: an int (any size) or a finite float, or None.

    Callers only *compare* it with floats: int/float comparisons are exact in Python and never
    overflow, whereas arithmetic on a huge int would raise ``OverflowError``.
    """
    value = payload.get(name)
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return value  # the common case, and never a bool
    if name not in payload:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or type(value) is float:
        # Non-finite floats never come from strict JSON, but validate() also takes dicts.
        if name == "iat":
            raise InvalidIssuedAtError("Issued At claim (iat) must be an integer.")
        label = "Expiration Time" if name == "exp" else "Not Before"
        raise DecodeError(f"{label} claim ({name}) must be an integer.")
    return value


def _check_times(payload: Mapping[str, Any], options: Options, now: float, leeway: float) -> None:
    if "iat" in payload and options.verify_iat:
        iat = _number(payload, "iat")
        if iat is not None and iat > now + leeway:
            raise ImmatureSignatureError("The token is not yet valid (iat)")
    if "nbf" in payload and options.verify_nbf:
        nbf = _number(payload, "nbf")
        if nbf is not None and nbf > now + leeway:
            raise ImmatureSignatureError("The token is not yet valid (nbf)")
    if "exp" in payload and options.verify_exp:
        exp = _number(payload, "exp")
        if exp is not None and exp <= now - leeway:
            raise ExpiredSignatureError("Signature has expired")


def _check_max_age(payload: Mapping[str, Any], max_age: float, now: float, leeway: float) -> None:
    iat = _number(payload, "iat")
    if iat is None:
        raise MissingRequiredClaimError("iat")
    # An age is only bounded if it cannot be negative: a token "issued" in the future would
    # pass any max_age for as long as its iat lies ahead. So a future iat is refused whenever
    # max_age is set, even with verify_iat off (as panva/jose does with maxTokenAge).
    if iat > now + leeway:
        raise ImmatureSignatureError("The token is not yet valid (iat)")
    # Rearranged from ``now - iat > max_age + leeway`` so a huge integer iat is only compared.
    if iat < now - (max_age + leeway):
        raise ExpiredSignatureError("Token is older than max_age (by its iat claim)")


def _check_audience(
    payload: Mapping[str, Any], audience: str | Iterable[str] | None, strict: bool
) -> None:
    claim = payload.get("aud")
    if type(claim) is str and claim == audience and not strict:
        return  # the common case: one audience on each side, equal
    if audience is None:
        if claim:  # RFC 7519 §4.1.3: a recipient that is not named must reject
            raise InvalidAudienceError("Invalid audience")
        return
    if not claim:
        raise MissingRequiredClaimError("aud")
    if strict:
        if not isinstance(audience, str):
            raise InvalidAudienceError("Invalid audience (strict)")
        if not isinstance(claim, str):
            raise InvalidAudienceError("Invalid claim format in token (strict)")
        if claim != audience:
            raise InvalidAudienceError("Audience doesn't match (strict)")
        return
    claims = [claim] if isinstance(claim, str) else claim
    if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
        raise InvalidAudienceError("Invalid claim format in token")
    wanted = [audience] if isinstance(audience, str) else _strings(audience, "audience")
    if not any(aud in claims for aud in wanted):
        raise InvalidAudienceError("Audience doesn't match")


def _strings(value: Any, name: str) -> list[str]:
    """The caller's expected audience/issuer collection as a list of strings."""
    try:
        items = list(value)
    except TypeError:
        raise InvalidArgumentError(f"{name} must be a string or a collection of strings") from None
    if not all(isinstance(item, str) for item in items):
        raise InvalidArgumentError(f"{name} must be a string or a collection of strings")
    return items


def _check_issuer(payload: Mapping[str, Any], issuer: str | Container[str] | None) -> None:
    if issuer is None:
        return
    if "iss" not in payload:
        raise MissingRequiredClaimError("iss")
    claim = payload["iss"]
    if not isinstance(claim, str):
        raise InvalidIssuerError("Invalid issuer")
    # Exact comparison of whole strings, never `claim in "some string"` (CVE-2024-53861).
    wanted = [issuer] if isinstance(issuer, str) else _strings(issuer, "issuer")
    if claim not in wanted:
        raise InvalidIssuerError("Invalid issuer")


def _check_subject_and_jti(
    payload: Mapping[str, Any], options: Options, subject: str | None
) -> None:
    if options.verify_sub:
        if "sub" in payload and not isinstance(payload["sub"], str):
            raise InvalidSubjectError("Subject must be a string")
        if subject is not None and payload.get("sub") != subject:
            raise InvalidSubjectError("Invalid subject")
    if options.verify_jti and "jti" in payload and not isinstance(payload["jti"], str):
        raise InvalidJTIError("JWT ID must be a string")


def validate(
    payload: Mapping[str, Any],
    options: Options | Mapping[str, Any],
    *,
    now: float,
    leeway: float | timedelta = 0.0,
    audience: str | Iterable[str] | None = None,
    issuer: str | Container[str] | None = None,
    subject: str | None = None,
    max_age: float | timedelta | None = None,
) -> None:
    """Check the registered claims of ``payload``; raise the matching InvalidTokenError.

    ``options`` is the decode's :class:`~jwtlite._options.Options`: ``require`` (claim names)
    and the switches ``verify_exp``, ``verify_nbf``, ``verify_iat``, ``verify_aud``,
    ``verify_iss``, ``verify_sub``, ``verify_jti`` and ``strict_aud``.
    """
    if not isinstance(options, Options):  # the public dict form (PyJWT's names)
        options = _DEFAULT_OPTIONS.merged(options, signature_off_disables_claims=False)
    _claims_mapping(payload)
    if type(now) is not float or not math.isfinite(now):
        # decode passes a finite float; a direct caller may pass anything (NaN would turn
        # every time check off: each comparison with it is false).
        now = timestamp(now)
    leeway = seconds(leeway)  # None, False or "" are refused too, not read as no leeway
    for name in options.require:
        if payload.get(name) is None:
            raise MissingRequiredClaimError(name)
    _check_times(payload, options, now, leeway)
    if max_age is not None:
        age = seconds(max_age)
        if age < 0:
            raise InvalidArgumentError("max_age must not be negative")
        _check_max_age(payload, age, now, leeway)
    if options.verify_aud:
        _check_audience(payload, audience, options.strict_aud)
    if options.verify_iss:
        _check_issuer(payload, issuer)
    _check_subject_and_jti(payload, options, subject)
