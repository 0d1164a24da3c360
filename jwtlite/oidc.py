"""OpenID Connect ID tokens: the checks a relying party must make, in one call.

:func:`verify_id_token` applies OpenID Connect Core 1.0 §3.1.3.7 (the Authorization Code Flow),
§3.2.2.11 (Implicit) and §3.3.2.12 (Hybrid) on top of jwtlite's JWS and claim checks:

* the signature, always, with the issuer's keys (§3.1.3.7 step 6): a key, a JWK Set, a
  :class:`~jwtlite.jwks_client.PyJWKClient`, or a discovered :class:`OpenIDProvider`; the
  algorithms default to RS256 (step 7) or to the provider's published ones, never ``none``;
* ``iss`` identical to the issuer (step 2), ``aud`` containing the client id, and no other
  audience the client does not trust (step 3); with several audiences an ``azp`` (step 4 of
  Core 1.0 and its first errata set; certified relying parties keep it) and, when ``azp`` is
  present, equal to the client id (§2: "it MUST contain the OAuth 2.0 Client ID of this party");
  a MAC-signed token with several audiences is refused (step 8 leaves it unspecified);
* ``exp`` (step 9), ``iat`` not in the future and, with ``max_iat_age``, not too old (step 10);
  ``iss``, ``sub``, ``aud``, ``exp`` and ``iat`` are required (§2);
* ``nonce`` equal to the one sent (step 11); a token carrying a nonce when the caller passed
  none is refused too (the caller sent one and forgot it here), and the Implicit and Hybrid
  flows require one (§3.2.2.11, §3.3.2.11);
* ``acr`` among the accepted values (step 12); ``auth_time`` within ``max_age`` (step 13, §2:
  the claim is REQUIRED when ``max_age`` was sent);
* ``at_hash`` and ``c_hash``: the left half of the hash of the access token or code, with the
  hash of the ``alg`` (§3.1.3.6, §3.2.2.9, §3.3.2.10-11), REQUIRED when the token came from
  the Authorization Endpoint with an access token or code (``response_type``);
* a ``typ`` header naming another JWT profile (an RFC 9068 access token, a logout token, ...)
  is refused (RFC 8725 §3.11: explicit typing stops one kind of token passing for another).

For EdDSA the hash is the one of the curve's signature scheme, as the OpenID Connect working
group settled (openid/connect issue 1125) and implementations do: SHA-512 for Ed25519 and
SHAKE256 with a 114-byte output for Ed448 (RFC 8032 §5.1, §5.2). Under the legacy ``EdDSA``
name the curve is that of the key that verified the token, read from the signature's length
(64 or 114 bytes, RFC 8032 §5.1.6 and §5.2.6); RFC 9864's ``Ed25519`` and ``Ed448`` name it.

Encrypted ID tokens (step 1) are decrypted with ``decryption_key`` (and the ``jwe_algorithms``
and ``jwe_encryptions`` agreed at registration) through :mod:`jwtlite.jwe`; the plaintext must be
a signed ID token (§2: "signed and then encrypted"), which is then checked as above. With
``decryption_key`` an unencrypted token is refused (step 1: encryption was negotiated); without
it an encrypted one is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from . import _jwa, jwe, jws
from ._escape import escape
from ._oidc_claims import Checks, check_claims, prepare, token_hash
from ._oidc_discovery import AsyncOpenIDProvider, OpenIDProvider
from ._oidc_metadata import ProviderMetadata, well_known_uri
from .api import PyJWT
from .exceptions import (
    DecodeError,
    InvalidACRError,
    InvalidArgumentError,
    InvalidAuthorizedPartyError,
    InvalidAuthTimeError,
    InvalidHashClaimError,
    InvalidNonceError,
    InvalidTokenError,
    ProviderMetadataError,
)
from .jwks_client import PyJWKClient
from .jwks_client_async import AsyncPyJWKClient

__all__ = [
    "AsyncOpenIDProvider",
    "OpenIDProvider",
    "ProviderMetadata",
    "token_hash",
    "verify_id_token",
    "verify_id_token_async",
    "well_known_uri",
    # the errors these raise beyond the JWT ones
    "InvalidACRError",
    "InvalidAuthTimeError",
    "InvalidAuthorizedPartyError",
    "InvalidHashClaimError",
    "InvalidNonceError",
    "ProviderMetadataError",
]

#: §2: the claims every ID token carries. A private PyJWT instance, so that an algorithm a
#: caller registers on the module-level functions never reaches ID token verification.
_JWT = PyJWT(options={"require": ["iss", "sub", "aud", "exp", "iat"]})
#: §3.1.3.7 step 7: "The alg value SHOULD be the default of RS256".
_DEFAULT_ALGORITHMS = ("RS256",)


def _issuer(given: str | None, provider: ProviderMetadata | None) -> str:
    if provider is None:
        if given is None:
            raise InvalidArgumentError("issuer is required (or pass a discovered provider)")
        return given
    if given is not None and given != provider.issuer:
        raise InvalidArgumentError(
            f"issuer {escape(given)} is not the provider's issuer {escape(provider.issuer)}"
        )
    return provider.issuer


def _algorithms(checks: Checks, provider: ProviderMetadata | None) -> list[str]:
    if checks.algorithms is not None:
        return list(checks.algorithms)
    if provider is not None:
        # The provider's published algorithms, but never none or a MAC (its keys are public).
        published = [
            alg
            for alg in provider.id_token_signing_alg_values_supported
            if (row := _jwa.row(alg)) is not None and row.family not in ("none", "hmac")
        ]
        if published:
            return published
    return list(_DEFAULT_ALGORITHMS)


def _verify(
    token: str | bytes, key: Any, checks: Checks, provider: ProviderMetadata | None
) -> dict[str, Any]:
    now = time.time() if checks.now is None else checks.now
    complete = _JWT.decode_complete(
        token,
        key,
        algorithms=_algorithms(checks, provider),
        audience=checks.client_id,
        issuer=_issuer(checks.issuer, provider),
        leeway=checks.leeway,
        max_age=checks.max_iat_age,
        now=now,
    )
    header: dict[str, Any] = complete["header"]
    payload: dict[str, Any] = complete["payload"]
    signature: bytes = complete["signature"]
    check_claims(header, payload, signature, checks, now)
    return payload


# --- encrypted ID tokens (§3.1.3.7 step 1) ---------------------------------------------------


#: Three base64url segments (RFC 7515 §7.1); a JSON claims set never matches (``{``, quotes).
_COMPACT_JWS = re.compile(rb"[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


def _is_jwe(token: Any) -> bool:
    """A compact JWE has five segments (RFC 7516 §7.1), a JWS three."""
    if isinstance(token, str):
        return token.count(".") == 4
    return isinstance(token, (bytes, bytearray)) and token.count(b".") == 4


def _decrypted(token: str | bytes, key: Any, algorithms: Any, encryptions: Any) -> str | bytes:
    """The signed ID token inside an encrypted one; ``token`` itself when none is expected."""
    if key is None:
        if _is_jwe(token):
            raise DecodeError(
                "The ID token is encrypted: pass decryption_key, jwe_algorithms and"
                " jwe_encryptions (OpenID Connect Core §3.1.3.7 step 1)"
            )
        return token
    if not _is_jwe(token):
        # Step 1: "If encryption was negotiated ... and the ID Token is not encrypted, the RP
        # SHOULD reject it": an attacker who can inject a token need not know the client's key.
        raise InvalidTokenError(
            "The ID token is not encrypted, though encryption was agreed (decryption_key)"
        )
    plaintext = jwe.decrypt_complete(
        token, key, algorithms=algorithms, encryptions=encryptions
    ).plaintext
    if not _COMPACT_JWS.fullmatch(plaintext):
        # §2: ID tokens are signed, and "optionally both signed and then encrypted": claims
        # that were only encrypted (with the client's public key, by anyone) are not trusted.
        raise InvalidTokenError("An encrypted ID token must hold a signed one (a JWS)")
    return plaintext


def _check_decryption(key: Any, algorithms: Any, encryptions: Any) -> None:
    if key is not None and (algorithms is None or encryptions is None):
        raise InvalidArgumentError(
            "decryption_key needs jwe_algorithms and jwe_encryptions (the id_token_encrypted_"
            "response_alg and _enc agreed at registration)"
        )


# --- keys from clients and providers ---------------------------------------------------------


def _kid(token: str | bytes) -> str | None:
    """The (unverified) ``kid`` header, which only chooses among the issuer's keys (the header
    check of ``jws`` has refused a ``kid`` that is not a string)."""
    kid: str | None = jws.parse_compact(token).header.get("kid")
    return kid


def _from_client(token: str | bytes, client: PyJWKClient) -> Any:
    kid = _kid(token)
    # Without a kid the whole set goes to decode, which takes its one key that fits the alg.
    return client.get_jwk_set() if kid is None else client.get_signing_key(kid)


async def _from_async_client(token: str | bytes, client: AsyncPyJWKClient) -> Any:
    kid = _kid(token)
    return await client.get_jwk_set() if kid is None else await client.get_signing_key(kid)


def verify_id_token(
    token: str | bytes,
    key: Any,
    *,
    client_id: str,
    issuer: str | None = None,
    nonce: str | None = None,
    access_token: str | bytes | None = None,
    code: str | bytes | None = None,
    max_age: float | timedelta | None = None,
    response_type: str | None = None,
    algorithms: Sequence[str] | None = None,
    acr_values: Collection[str] | None = None,
    trusted_audiences: Collection[str] = (),
    require_azp_with_several_audiences: bool = True,
    max_iat_age: float | timedelta | None = None,
    leeway: float | timedelta = 0,
    now: float | datetime | None = None,
    decryption_key: Any = None,
    jwe_algorithms: Sequence[str] | None = None,
    jwe_encryptions: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Verify an ID token as OpenID Connect Core §3.1.3.7 (and §3.2.2.11, §3.3.2.12) asks;
    return its claims.

    Args:
        token: the compact JWS ``id_token``.
        key: the issuer's key (any form :func:`jwtlite.decode` takes, a JWK Set included; the
            client secret for HS256), a :class:`~jwtlite.jwks_client.PyJWKClient`, or an
            :class:`OpenIDProvider` (then the issuer, keys and algorithms come from discovery).
        client_id: this relying party's client id: ``aud`` must hold it.
        issuer: the issuer identifier ``iss`` must equal (required unless ``key`` is a
            provider; if both are given they must agree).
        nonce: the nonce sent in the authentication request.
        access_token: the access token that came with the ID token: checked against
            ``at_hash`` when the token has one (or must, see ``response_type``).
        code: the authorization code that came with it, checked against ``c_hash`` likewise.
        max_age: the ``max_age`` sent in the request: ``auth_time`` is then required and must
            be at most this many seconds ago.
        response_type: for an ID token from the Authorization Endpoint (Implicit or Hybrid
            flow), the request's ``response_type``: a nonce is then required, and ``at_hash``
            / ``c_hash`` when an access token / code came too. Leave it out for an ID token
            from the Token Endpoint.
        algorithms: the accepted ``alg`` values (default: RS256, or the provider's).
        acr_values: the acceptable ``acr`` values; the claim is then required.
        trusted_audiences: audiences besides ``client_id`` that the client trusts.
        require_azp_with_several_audiences: refuse a token with several audiences and no
            ``azp`` (default True).
        max_iat_age: refuse a token issued longer ago than this.
        leeway: seconds of clock skew allowed on every time check.
        now: the current time (seconds since the epoch or a datetime), for tests.
        decryption_key: for encrypted ID tokens, the client's private (or shared) key; the
            token must then be encrypted, and hold a signed ID token.
        jwe_algorithms, jwe_encryptions: the JWE ``alg`` and ``enc`` values accepted (as
            :func:`jwtlite.jwe.decrypt`'s ``algorithms`` and ``encryptions``).

    Raises:
        InvalidTokenError: the token fails a check; the subclasses say which
            (:class:`InvalidNonceError`, :class:`InvalidHashClaimError`,
            :class:`InvalidAuthorizedPartyError`, :class:`InvalidAuthTimeError`,
            :class:`InvalidACRError`, and those of :func:`jwtlite.decode`).
        PyJWKClientError: the provider's document or keys could not be fetched or used.
        InvalidArgumentError: an argument is malformed, or missing where the flow needs it.
    """
    checks = prepare(
        client_id, issuer, nonce, access_token, code, max_age, response_type, algorithms,
        acr_values, trusted_audiences, require_azp_with_several_audiences, max_iat_age,
        leeway, now,
    )  # fmt: skip
    _check_decryption(decryption_key, jwe_algorithms, jwe_encryptions)
    if isinstance(key, (AsyncOpenIDProvider, AsyncPyJWKClient)):
        raise InvalidArgumentError(
            f"{type(key).__name__} is for asyncio code: use verify_id_token_async"
        )
    token = _decrypted(token, decryption_key, jwe_algorithms, jwe_encryptions)
    if isinstance(key, OpenIDProvider):
        provider = key.get_metadata()
        return _verify(token, _from_client(token, key.get_jwks_client()), checks, provider)
    if isinstance(key, PyJWKClient):
        key = _from_client(token, key)
    return _verify(token, key, checks, None)


async def verify_id_token_async(
    token: str | bytes,
    key: Any,
    *,
    client_id: str,
    issuer: str | None = None,
    nonce: str | None = None,
    access_token: str | bytes | None = None,
    code: str | bytes | None = None,
    max_age: float | timedelta | None = None,
    response_type: str | None = None,
    algorithms: Sequence[str] | None = None,
    acr_values: Collection[str] | None = None,
    trusted_audiences: Collection[str] = (),
    require_azp_with_several_audiences: bool = True,
    max_iat_age: float | timedelta | None = None,
    leeway: float | timedelta = 0,
    now: float | datetime | None = None,
    decryption_key: Any = None,
    jwe_algorithms: Sequence[str] | None = None,
    jwe_encryptions: Sequence[str] | None = None,
) -> dict[str, Any]:
    """:func:`verify_id_token` for asyncio: ``key`` may be an :class:`AsyncOpenIDProvider` or an
    :class:`~jwtlite.jwks_client_async.AsyncPyJWKClient` (or a key, as there). The blocking
    ``OpenIDProvider`` and ``PyJWKClient`` are refused: they would stall the event loop.
    """
    checks = prepare(
        client_id, issuer, nonce, access_token, code, max_age, response_type, algorithms,
        acr_values, trusted_audiences, require_azp_with_several_audiences, max_iat_age,
        leeway, now,
    )  # fmt: skip
    _check_decryption(decryption_key, jwe_algorithms, jwe_encryptions)
    if isinstance(key, (OpenIDProvider, PyJWKClient)):
        raise InvalidArgumentError(
            f"{type(key).__name__} blocks the event loop: use its asyncio counterpart"
            " (AsyncOpenIDProvider, AsyncPyJWKClient) or verify_id_token"
        )
    token = _decrypted(token, decryption_key, jwe_algorithms, jwe_encryptions)
    if isinstance(key, AsyncOpenIDProvider):
        provider = await key.get_metadata()
        material = await _from_async_client(token, await key.get_jwks_client())
        return _verify(token, material, checks, provider)
    if isinstance(key, AsyncPyJWKClient):
        key = await _from_async_client(token, key)
    return _verify(token, key, checks, None)
