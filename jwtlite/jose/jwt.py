"""python-jose's ``jose.jwt``: encode and decode JWTs, with python-jose's claim options.

The signature is :mod:`jwtlite.jose.jws`'s; the registered claims are checked by jwtlite's
:func:`jwtlite.claims.validate` (time claims must be JSON numbers, issuers compared exactly)
and OpenID Connect's ``at_hash`` here; python-jose's exception classes and texts come out.
Differences from python-jose, on purpose (docs/migrating-from-python-jose.md):

- ``audience`` given and no ``aud`` in the token: refused (RFC 7519 §4.1.3). python-jose
  accepted a token issued for no audience in particular, so one meant for another service.
- An ``iat`` in the future (beyond the leeway) is refused, as in jwtlite and PyJWT.
- ``encode`` leaves the caller's ``claims`` dict unchanged (python-jose wrote the converted
  times and ``at_hash`` into it).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Callable

from .. import claims as _claims
from .._json import loads_object
from .._options import Options
from .._values import utf8
from ..exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
)
from . import jws
from .constants import ALGORITHMS
from .exceptions import ExpiredSignatureError as JoseExpiredSignatureError
from .exceptions import JWSError, JWTClaimsError, JWTError
from .utils import calculate_at_hash, timedelta_total_seconds

__all__ = [
    "decode",
    "encode",
    "get_unverified_claims",
    "get_unverified_header",
    "get_unverified_headers",
]

#: The clock (seconds since the epoch); tests replace it.
_now: Callable[[], float] = time.time

#: python-jose's decode options and their defaults.
_DEFAULTS: dict[str, Any] = {
    "verify_signature": True,
    "verify_aud": True,
    "verify_iat": True,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "verify_at_hash": True,
    "require_aud": False,
    "require_iat": False,
    "require_exp": False,
    "require_nbf": False,
    "require_iss": False,
    "require_sub": False,
    "require_jti": False,
    "require_at_hash": False,
    "leeway": 0,
}


def encode(
    claims: Mapping[str, Any],
    key: Any,
    algorithm: str = ALGORITHMS.HS256,
    headers: Mapping[str, Any] | None = None,
    access_token: str | None = None,
) -> str:
    """A signed JWT of ``claims`` (``datetime`` values of ``exp``, ``iat``, ``nbf`` become
    NumericDates; with ``access_token``, the ``at_hash`` claim is added).

    Raises:
        JWSError: the claims or headers are not JSON, or the key cannot sign.
    """
    if not isinstance(claims, Mapping):
        raise JWSError(f"claims must be a mapping, not {type(claims).__name__}")
    payload = _claims.encode_time_claims(claims, warn_naive=False)
    if access_token is not None and not isinstance(access_token, str):
        raise InvalidArgumentError("access_token must be a string")
    if access_token:
        utf8(access_token, "access_token", JWTError)  # python-jose leaks UnicodeEncodeError
        hash_alg = ALGORITHMS.HASHES.get(algorithm) if isinstance(algorithm, str) else None
        if hash_alg is None:
            raise JWSError(f"at_hash needs a signature algorithm, not {algorithm!r:.40}")
        payload["at_hash"] = calculate_at_hash(access_token, hash_alg)
    return jws.sign(payload, key, headers=headers, algorithm=algorithm)


def decode(
    token: str | bytes,
    key: Any,
    algorithms: Any = None,
    options: Mapping[str, Any] | None = None,
    audience: str | None = None,
    issuer: Any = None,
    subject: str | None = None,
    access_token: str | None = None,
) -> dict[str, Any]:
    """The claims of ``token`` once its signature and registered claims are verified.

    Raises:
        JWTError: the token is malformed or its signature does not verify.
        ExpiredSignatureError: ``exp`` is past.
        JWTClaimsError: another claim fails its check.
        JWKError: the one key given cannot serve the token's ``alg``.
    """
    if options is not None and not isinstance(options, Mapping):
        raise InvalidArgumentError(f"options must be a dict, not {type(options).__name__}")
    opts = {**_DEFAULTS, **(options or {})}
    try:
        payload = jws.verify(token, key, algorithms, verify=bool(opts["verify_signature"]))
    except JWSError as exc:
        raise JWTError(str(exc)) from exc
    algorithm = jws.get_unverified_header(token).get("alg")  # for at_hash
    try:
        claims = loads_object(payload, "payload")
    except DecodeError as exc:
        raise JWTError(str(exc)) from exc
    _validate_claims(
        claims,
        audience=audience,
        issuer=issuer,
        subject=subject,
        algorithm=algorithm,
        access_token=access_token,
        options=opts,
    )
    return claims


def get_unverified_header(token: str | bytes) -> dict[str, Any]:
    """The header of ``token``, NOT verified."""
    try:
        return jws.get_unverified_headers(token)
    except JWSError as exc:
        raise JWTError("Error decoding token headers.") from exc


def get_unverified_headers(token: str | bytes) -> dict[str, Any]:
    """The header of ``token``, NOT verified (python-jose's older name)."""
    return get_unverified_header(token)


def get_unverified_claims(token: str | bytes) -> dict[str, Any]:
    """The claims of ``token``, NOT verified."""
    try:
        payload = jws.get_unverified_claims(token)
    except JWSError as exc:
        raise JWTError("Error decoding token claims.") from exc
    try:
        return loads_object(payload, "claims")
    except DecodeError as exc:
        # python-jose's texts: "Invalid claims string: must be a json object" ...
        text = str(exc).replace("Invalid claims:", "Invalid claims string:")
        raise JWTError(text.replace("a JSON object", "a json object")) from exc


# --- claims -----------------------------------------------------------------------------------


def _validate_claims(
    claims: dict[str, Any],
    audience: Any = None,
    issuer: Any = None,
    subject: Any = None,
    algorithm: Any = None,
    access_token: Any = None,
    options: dict[str, Any] | None = None,
) -> None:
    opts = dict(_DEFAULTS if options is None else options)
    leeway = opts.get("leeway", 0)
    if isinstance(leeway, timedelta):
        leeway = timedelta_total_seconds(leeway)
    for name, value in list(opts.items()):
        if isinstance(name, str) and name.startswith("require_") and value:
            claim = name[len("require_") :]
            if claim not in claims:
                raise JWTError(f'missing required key "{claim}" among claims')
            opts["verify_" + claim] = True  # python-jose: a required claim is also verified
    if not isinstance(audience, (str, type(None))):
        raise JWTError("audience must be a string or None")
    checks = Options(
        verify_exp=bool(opts.get("verify_exp")),
        verify_nbf=bool(opts.get("verify_nbf")),
        verify_iat=bool(opts.get("verify_iat")),
        verify_aud=bool(opts.get("verify_aud")),
        verify_iss=bool(opts.get("verify_iss")),
        verify_sub=bool(opts.get("verify_sub")),
        verify_jti=bool(opts.get("verify_jti")),
    )
    try:
        _claims.validate(
            claims, checks, now=_now(), leeway=leeway, audience=audience, issuer=issuer,
            subject=subject,
        )  # fmt: skip
    except InvalidArgumentError as exc:
        raise JWTError(str(exc)) from exc
    except InvalidTokenError as exc:
        raise _claims_error(exc) from exc
    if opts.get("verify_at_hash"):
        _validate_at_hash(claims, access_token, algorithm)


def _claims_error(exc: InvalidTokenError) -> JWTError:
    """python-jose's class and text for a claim jwtlite refused."""
    if isinstance(exc, ExpiredSignatureError):
        return JoseExpiredSignatureError("Signature has expired.")
    if isinstance(exc, InvalidIssuerError) or (
        isinstance(exc, MissingRequiredClaimError) and exc.claim == "iss"
    ):
        return JWTClaimsError("Invalid issuer")
    text = str(exc)
    if isinstance(exc, InvalidAudienceError) and "format" not in text:
        text = "Invalid audience"
    elif isinstance(exc, InvalidSubjectError) and "string" in text:
        text = "Subject must be a string."
    elif isinstance(exc, InvalidJTIError):
        text = "JWT ID must be a string."
    return JWTClaimsError(text)


def _validate_at_hash(claims: Mapping[str, Any], access_token: Any, algorithm: Any) -> None:
    """OpenID Connect Core §3.1.3.6: ``at_hash`` must be the hash of the access token."""
    if "at_hash" not in claims:
        return
    if not access_token:
        raise JWTClaimsError("No access_token provided to compare against at_hash claim.")
    hash_alg = ALGORITHMS.HASHES.get(algorithm) if isinstance(algorithm, str) else None
    if hash_alg is None or not isinstance(access_token, str):
        raise JWTClaimsError("Unable to calculate at_hash to verify against token claims.")
    utf8(access_token, "access_token", JWTClaimsError)  # python-jose: UnicodeEncodeError
    expected = calculate_at_hash(access_token, hash_alg)
    actual = claims["at_hash"]
    if not isinstance(actual, str) or not hmac.compare_digest(actual, expected):
        raise JWTClaimsError("at_hash claim does not match access_token.")
