"""Encrypted JWTs (RFC 7519 §5.2, §7.1, §7.2): claims in a JWE, and nested JWTs.

:func:`encrypt_jwt` encrypts a claims set; with ``sign_key`` it signs first and encrypts the
JWS, ``cty: "JWT"`` in the JWE header (a nested JWT, RFC 7519 §5.2 and Appendix A.2).
:func:`decrypt_jwt` decrypts, verifies the inner signature when the token is nested, and
validates the registered claims in one call, with jwtlite's own claim checks
(:mod:`jwtlite.claims`, through :class:`~jwtlite.api.PyJWT` for the nested case).

Whether a signature is expected is the caller's decision, never the token's: with
``verify_key`` only a nested JWT is accepted, and without it a nested JWT is refused. A JWE
made with a public key (RSA-OAEP, ECDH-ES) can be made by anyone who has that key, so a token
that had to be signed must not pass for one that was merely encrypted (the downgrade RFC 8725
§3.4 warns about for nested tokens).
"""

from __future__ import annotations

import json
import time
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from . import claims as _claims
from . import jwe as _jwe
from ._escape import quoted
from ._json import loads_object
from ._values import mapping
from .api import PyJWT
from .exceptions import InvalidArgumentError, InvalidTokenError
from .jws import typ_matches

__all__ = ["decrypt_jwt", "encrypt_jwt"]


def _is_nested(cty: Any) -> bool:
    # RFC 7519 §5.2: "JWT" is RECOMMENDED, compared like a media type (RFC 7515 §4.1.10).
    return typ_matches(cty, "JWT")


def encrypt_jwt(
    claims: Mapping[str, Any],
    key: Any,
    *,
    alg: str,
    enc: str,
    headers: Mapping[str, Any] | None = None,
    zip: str | None = None,
    json_encoder: type[json.JSONEncoder] | None = None,
    sign_key: Any = None,
    sign_algorithm: str | None = None,
    sign_headers: Mapping[str, Any] | None = None,
) -> str:
    """Encrypt a claims set as a compact JWE; with ``sign_key``, sign it first (nested).

    ``alg``, ``enc``, ``headers`` and ``zip`` are :func:`jwtlite.jwe.encrypt`'s; datetimes in
    ``exp``/``nbf``/``iat`` become seconds as in :func:`jwtlite.encode`. ``sign_key`` and
    ``sign_algorithm`` (with ``sign_headers``) make the inner JWS, as :func:`jwtlite.encode`.

    >>> from jwtlite.jwe_jwt import decrypt_jwt, encrypt_jwt
    >>> token = encrypt_jwt({"sub": "alice"}, bytes(32), alg="dir", enc="A256GCM")
    >>> decrypt_jwt(token, bytes(32), algorithms=["dir"], encryptions=["A256GCM"])
    {'sub': 'alice'}

    Raises:
        InvalidArgumentError: only one of ``sign_key`` and ``sign_algorithm``, or claims that
            are not a JSON object; and whatever ``jwe.encrypt`` or ``encode`` raise.
    """
    if (sign_key is None) != (sign_algorithm is None):
        raise InvalidArgumentError("pass both sign_key and sign_algorithm, or neither")
    if not isinstance(claims, Mapping):
        raise InvalidArgumentError("the claims of a JWT must be a JSON object (a mapping)")
    given = dict(mapping(headers, "headers") or {})
    if sign_key is None:
        plaintext = _claims.claims_json(claims, json_encoder)
        if _is_nested(given.get("cty")):
            raise InvalidArgumentError('cty "JWT" announces a nested JWT: pass sign_key')
    else:
        plaintext = PyJWT().encode(
            claims, sign_key, sign_algorithm, headers=sign_headers, json_encoder=json_encoder
        ).encode("ascii")
        # RFC 7519 §5.2: with nested signing or encryption, "cty" MUST be present, "JWT".
        if given.setdefault("cty", "JWT") != "JWT":
            raise InvalidArgumentError('a nested JWT\'s JWE header must say cty "JWT"')
    return _jwe.encrypt(plaintext, key, alg=alg, enc=enc, headers=given, zip=zip)


def _check_arguments(
    options: Mapping[str, Any] | None, verify_key: Any, verify_algorithms: Any
) -> None:
    """decrypt_jwt()'s arguments that contradict each other or its promise to verify."""
    # Any false value, not only False: the claims layer reads 0, None or "" as off, and a
    # nested JWT whose signature went unchecked could have been signed by anyone.
    if isinstance(options, Mapping) and not options.get("verify_signature", True):
        raise InvalidArgumentError("decrypt_jwt() always verifies; verify_signature cannot be off")
    if (verify_key is None) != (verify_algorithms is None):
        raise InvalidArgumentError("pass both verify_key and verify_algorithms, or neither")


def _header_says_nested(protected: Mapping[str, Any], typ: str | None, *, signed: bool) -> bool:
    """Whether the JWE holds a nested JWT, refused unless that is what the caller expects
    (``signed``: a verify key was given); and the ``typ`` the caller requires."""
    # Only the protected header is integrity protected: in the JSON forms anyone could add a
    # "typ" or "cty" to an unprotected header, so neither decides anything from there.
    if typ is not None and not typ_matches(protected.get("typ"), typ):
        raise InvalidTokenError(f'The token "typ" header is not {quoted(typ)} (RFC 8725 §3.11)')
    nested = _is_nested(protected.get("cty"))
    if nested != signed:
        raise InvalidTokenError(
            "The JWE holds a signed JWT (cty JWT): pass verify_key and verify_algorithms"
            if nested
            else "A signed (nested) JWT was expected, but the JWE holds bare claims"
        )
    return nested


def decrypt_jwt(
    token: str | bytes | Mapping[str, Any],
    key: Any,
    *,
    algorithms: Sequence[str] | None = None,
    encryptions: Sequence[str] | None = None,
    verify_key: Any = None,
    verify_algorithms: Sequence[str] | None = None,
    options: Mapping[str, Any] | None = None,
    audience: str | Iterable[str] | None = None,
    issuer: str | Container[str] | None = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    typ: str | None = None,
    max_age: float | timedelta | None = None,
    now: float | datetime | None = None,
) -> dict[str, Any]:
    """Decrypt an encrypted JWT, verify its inner signature if nested, and return its claims.

    ``algorithms``/``encryptions`` are :func:`jwtlite.jwe.decrypt`'s (required). With
    ``verify_key`` and ``verify_algorithms`` the token must be a nested JWT whose JWS verifies
    (as :func:`jwtlite.decode`); without them it must not be nested. ``options``,
    ``audience``, ``issuer``, ``subject``, ``leeway``, ``max_age`` and ``now`` are
    :func:`jwtlite.decode`'s claim checks; ``typ`` requires that value in the JWE's protected
    header. ``cty`` and ``typ`` count only in the protected header, which the tag covers.

    Raises:
        InvalidTokenError: the JWE, the inner JWS or a claim fails (every subclass of
            ``jwtlite.jwe.decrypt`` and ``jwtlite.decode``).
        InvalidArgumentError: ``options`` turns verification off, or the verify arguments
            come alone.
    """
    _check_arguments(options, verify_key, verify_algorithms)
    decrypted = _jwe.decrypt_complete(token, key, algorithms=algorithms, encryptions=encryptions)
    if _header_says_nested(decrypted.protected, typ, signed=verify_key is not None):
        inner = decrypted.plaintext.decode("ascii", "replace")
        return PyJWT().decode(
            inner, verify_key, algorithms=verify_algorithms, options=cast("Any", options),
            audience=audience, issuer=issuer, subject=subject, leeway=leeway, max_age=max_age,
            now=now,
        )  # fmt: skip
    payload = loads_object(decrypted.plaintext, "payload")
    _claims.validate(
        payload, options or {}, now=time.time() if now is None else _claims.timestamp(now),
        leeway=leeway, audience=audience, issuer=issuer, subject=subject, max_age=max_age,
    )  # fmt: skip
    return payload
