"""RFC 9068 access tokens, checked the way a resource server must (RFC 9068 §4).

An authorization server (AS) issues JWT access tokens; a resource server (RS) accepts them on
its API. What the RS must refuse, and why:

* a token whose header ``typ`` is not ``at+jwt`` (§2.1, §4 step 1): an OpenID Connect ID token
  signed with the same key has nearly the same claims, and without explicit typing a client
  could spend one as an access token (§5, RFC 8725 §3.11);
* an issuer other than the configured one, compared as whole strings (§4 step 3);
* a token whose ``aud`` does not name this resource server (§4 step 4);
* a signature that does not verify with the AS's keys, and ``alg: none`` whatever the caller
  lists (§4 step 5); keys named by the token itself (``jwk``, ``jku``, ``x5c``) are never used;
* an expired token, with at most a few minutes of leeway (§4 step 6);
* a token lacking one of the claims §2.2 makes REQUIRED (``iss exp aud sub client_id iat jti``).

Refusals raise :class:`~jwtlite.exceptions.InvalidTokenError` subclasses, which the Flask and
Starlette guards answer with 401 ``invalid_token`` as §4 requires (RFC 6750 §3.1). When the
keys come from the AS's JWKS endpoint and it cannot be reached (and no key is cached),
:class:`~jwtlite.exceptions.PyJWKClientConnectionError` says so instead: the token may be fine.

Encrypted access tokens (§4 step 2): a verifier given ``decryption_key`` decrypts the JWE
first and then checks the signed JWT inside it (RFC 9068 §2.1: access tokens MUST be signed;
RFC 7519 §5.2: the JWE says so with ``cty: JWT``), and refuses a token that is not encrypted,
as §4 step 2 advises. Without ``decryption_key`` a JWE is refused as malformed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Callable

from . import _jwa
from . import jwe as _jwe
from .api import PyJWS, PyJWT
from .claims import seconds
from .exceptions import (
    DecodeError,
    InsufficientScopeError,
    InvalidArgumentError,
    InvalidTokenError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    UnusableKeyError,
)
from .jwks_client import PyJWKClient
from .jwks_client_async import AsyncPyJWKClient
from .jws import typ_matches

__all__ = [
    "ACCESS_TOKEN_TYP",
    "MAX_LEEWAY",
    "REQUIRED_CLAIMS",
    "AccessTokenVerifier",
    "authorization_values",
    "require_scopes",
    "scopes",
    "verify_access_token",
    "verify_access_token_async",
]

#: The header ``typ`` of RFC 9068 §2.1 ("application/at+jwt" is accepted as the same type).
ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105 - a media type, not a secret
_TYPES = frozenset({ACCESS_TOKEN_TYP, "application/" + ACCESS_TOKEN_TYP})
#: The claims RFC 9068 §2.2 makes REQUIRED in every JWT access token.
REQUIRED_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
#: The largest leeway accepted, in seconds: §4 step 6 allows "some small leeway, usually no more
#: than a few minutes"; a larger value is a misconfiguration that keeps dead tokens alive.
MAX_LEEWAY = 300.0

# The §2.2 claims are required through the instance's options, so that each decode takes the
# fast path with no per-call options to merge.
_JWT = PyJWT(options={"require": list(REQUIRED_CLAIMS)})
_JWS = PyJWS()
# Authorization claims of §2.2.3.1 (RFC 7643 §4.1.2 attribute names).
_AUTHORIZATION_CLAIMS = frozenset({"groups", "roles", "entitlements"})
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
_SCOPE_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F)) - {'"', "\\"}


class AccessTokenVerifier:
    """The resource server's configuration, checked once; :meth:`verify` checks one token.

    :param key: the AS's verification key(s): a :class:`~jwtlite.PyJWKClient` for its JWKS
        endpoint (the usual case, §4), a :class:`~jwtlite.PyJWKSet`, a public key in any form
        :func:`jwtlite.decode` accepts, or an HMAC secret shared with the AS.
    :param issuer: the AS's issuer identifier; the ``iss`` claim must equal it exactly.
    :param audience: this resource server's identifier (or several): ``aud`` must name one.
    :param algorithms: the ``alg`` values accepted. ``none`` is refused here, and so is a list
        that mixes HMAC with public-key algorithms, or HMAC with a JWKS (a JWKS holds public
        keys: a token "signed" with one as an HMAC secret is the classic forgery).
    :param leeway: seconds of clock skew on ``exp``/``iat``/``nbf``, at most :data:`MAX_LEEWAY`.
    :param clock: seconds since the epoch (``time.time`` if None), for tests.
    :param decryption_key: when the resource server registered for encrypted access tokens
        (§4 step 2), its decryption key (any form :func:`jwtlite.jwe.decrypt` takes); then
        ``decryption_algorithms`` and ``encryptions`` (the JWE ``alg`` and ``enc`` allow-lists)
        are required, and a token that is not encrypted is refused.

    Raises:
        InvalidArgumentError: a parameter breaks the rules above.
    """

    def __init__(
        self,
        key: Any,
        *,
        issuer: str,
        audience: str | Iterable[str],
        algorithms: Sequence[str],
        leeway: float | timedelta = 0,
        clock: Callable[[], float] | None = None,
        decryption_key: Any = None,
        decryption_algorithms: Sequence[str] | None = None,
        encryptions: Sequence[str] | None = None,
    ) -> None:
        if key is None:
            raise InvalidArgumentError("key is required: the authorization server's keys")
        if not isinstance(issuer, str) or not issuer:
            raise InvalidArgumentError("issuer must be a non-empty string (RFC 9068 §4)")
        self.key = key
        self.issuer = issuer
        self.audience = _audience(audience)
        self.algorithms = _algorithms(algorithms, key)
        self.leeway = _leeway(leeway)
        self._clock = clock
        self._decryption = _decryption(decryption_key, decryption_algorithms, encryptions)

    @classmethod
    def from_jwks_uri(
        cls,
        jwks_uri: str,
        *,
        issuer: str,
        audience: str | Iterable[str],
        algorithms: Sequence[str],
        leeway: float | timedelta = 0,
        clock: Callable[[], float] | None = None,
        **client_options: Any,
    ) -> AccessTokenVerifier:
        """A verifier whose keys come from the AS's JWKS endpoint (``jwks_uri`` of its RFC 8414
        metadata), fetched and cached by a :class:`~jwtlite.PyJWKClient`. The URI must be
        ``https://``; ``client_options`` go to the client (``timeout``, ``lifespan``, ...)."""
        client_options.setdefault("require_https", True)
        if client_options["require_https"] is not True:
            raise InvalidArgumentError(
                "from_jwks_uri requires https://; pass a PyJWKClient as key to do otherwise"
            )
        client = PyJWKClient(jwks_uri, **client_options)
        return cls(client, issuer=issuer, audience=audience, algorithms=algorithms,
                   leeway=leeway, clock=clock)

    def __repr__(self) -> str:
        # Never the key: it may be an HMAC secret.
        return (f"AccessTokenVerifier(issuer={self.issuer!r}, audience={self.audience!r},"
                f" algorithms={self.algorithms!r})")

    def verify(
        self, token: str | bytes, *, now: float | datetime | None = None,
        required_scopes: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Check ``token`` as RFC 9068 §4 requires and return its claims.

        ``required_scopes``: scope tokens the ``scope`` claim must all hold
        (:class:`~jwtlite.exceptions.InsufficientScopeError` otherwise).

        Raises:
            InvalidTokenError: the token is refused (a subclass names the reason).
            PyJWKClientError: the AS's JWKS could not be obtained (see the module docstring).
        """
        signed = self._unwrap(token)
        key = self.key
        if isinstance(key, PyJWKClient):
            key = _key_from_client(key, signed)
        elif isinstance(key, AsyncPyJWKClient):
            raise InvalidArgumentError("an AsyncPyJWKClient needs verify_access_token_async")
        return self._check(signed, key, now=now, required_scopes=required_scopes)

    async def verify_async(
        self, token: str | bytes, *, now: float | datetime | None = None,
        required_scopes: Iterable[str] = (),
    ) -> dict[str, Any]:
        """:meth:`verify` for asyncio: an :class:`~jwtlite.AsyncPyJWKClient` key is awaited
        (a blocking :class:`~jwtlite.PyJWKClient` is refused: call :meth:`verify` in a
        thread); the checks are the same."""
        key = self.key
        if isinstance(key, PyJWKClient):
            raise InvalidArgumentError("a PyJWKClient blocks: use verify() in a thread")
        signed = self._unwrap(token)
        if isinstance(key, AsyncPyJWKClient):
            kid = _kid(signed)
            jwk_set = await key.get_jwk_set()  # the AS's keys unavailable: PyJWKClientError
            key = jwk_set if kid is None else await _async_signing_key(key, kid)
        return self._check(signed, key, now=now, required_scopes=required_scopes)

    def verify_with_key(
        self, token: str | bytes, key: Any, *, now: float | datetime | None = None,
        required_scopes: Iterable[str] = (),
    ) -> dict[str, Any]:
        """:meth:`verify` with ``key`` already resolved (for callers that fetch keys their own
        way)."""
        return self._check(self._unwrap(token), key, now=now, required_scopes=required_scopes)

    def _unwrap(self, token: str | bytes) -> str | bytes:
        """The signed JWT: ``token`` itself, or (§4 step 2) the one its JWE holds."""
        if self._decryption is None:
            return token
        key, algorithms, encryptions = self._decryption
        decrypted = _jwe.decrypt_complete(
            token, key, algorithms=algorithms, encryptions=encryptions
        )
        # Only the protected header is integrity protected (the compact form has no other).
        if not typ_matches(decrypted.protected.get("cty"), "JWT"):
            raise InvalidTokenError(
                "an encrypted access token must hold a signed JWT, cty JWT (RFC 9068 §2.1)"
            )
        try:
            return decrypted.plaintext.decode("ascii")
        except UnicodeDecodeError:
            raise DecodeError("the encrypted access token does not hold a compact JWS") from None

    def _check(
        self, token: str | bytes, key: Any, *, now: float | datetime | None,
        required_scopes: Iterable[str],
    ) -> dict[str, Any]:
        if now is None and self._clock is not None:
            now = self._clock()
        # ``typ=`` has the type checked after the signature and before the claims, so that an
        # ID token is refused for what it is; that check forgives case, "application/" and
        # surrounding white space (RFC 7515 §4.1.9), and §4 step 1's "any other value" is held
        # exactly below.
        complete = _JWT.decode_complete(
            token,
            key,
            algorithms=self.algorithms,
            audience=self.audience,
            issuer=self.issuer,
            leeway=self.leeway,
            typ=ACCESS_TOKEN_TYP,
            now=now,
        )
        typ = complete["header"]["typ"]
        if typ.lower() not in _TYPES:
            raise InvalidTokenError(f'The token "typ" header is not {ACCESS_TOKEN_TYP!r}'
                                    " (RFC 9068 §4)")
        claims: dict[str, Any] = complete["payload"]
        _check_claim_types(claims)
        require_scopes(claims, *_checked_scopes(required_scopes))
        return claims


def verify_access_token(
    token: str | bytes,
    key: Any,
    *,
    issuer: str,
    audience: str | Iterable[str],
    algorithms: Sequence[str],
    now: float | datetime | None = None,
    leeway: float | timedelta = 0,
    required_scopes: Iterable[str] = (),
) -> dict[str, Any]:
    """Verify an RFC 9068 access token as a resource server (§4) and return its claims.

    ``key`` is the authorization server's: a :class:`~jwtlite.PyJWKClient` for its JWKS, a
    :class:`~jwtlite.PyJWKSet`, a public key, or a shared HMAC secret. See
    :class:`AccessTokenVerifier` for every parameter; build one to check many tokens.

    >>> import jwtlite
    >>> secret = "a-32-byte-long-secret-for-hs256!"
    >>> claims = {"iss": "https://as.example", "aud": "https://api.example", "sub": "alice",
    ...           "client_id": "app", "iat": 1_700_000_000, "exp": 1_700_000_600, "jti": "1"}
    >>> token = jwtlite.encode(claims, secret, headers={"typ": "at+jwt"})
    >>> verify_access_token(token, secret, issuer="https://as.example",
    ...                     audience="https://api.example", algorithms=["HS256"],
    ...                     now=1_700_000_100)["client_id"]
    'app'
    """
    verifier = AccessTokenVerifier(
        key, issuer=issuer, audience=audience, algorithms=algorithms, leeway=leeway
    )
    return verifier.verify(token, now=now, required_scopes=required_scopes)


async def verify_access_token_async(
    token: str | bytes,
    key: Any,
    *,
    issuer: str,
    audience: str | Iterable[str],
    algorithms: Sequence[str],
    now: float | datetime | None = None,
    leeway: float | timedelta = 0,
    required_scopes: Iterable[str] = (),
) -> dict[str, Any]:
    """:func:`verify_access_token` for asyncio: ``key`` may be an
    :class:`~jwtlite.AsyncPyJWKClient`, whose fetch is awaited; the checks are the same."""
    verifier = AccessTokenVerifier(
        key, issuer=issuer, audience=audience, algorithms=algorithms, leeway=leeway
    )
    return await verifier.verify_async(token, now=now, required_scopes=required_scopes)


def scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    """The scope tokens of the ``scope`` claim (RFC 9068 §2.2.3, RFC 8693 §4.2: one string,
    space-delimited), empty when the claim is absent.

    Raises:
        InvalidTokenError: ``scope`` is not such a string.
    """
    value = _claims(claims).get("scope")
    if value is None:
        return frozenset()
    if not isinstance(value, str) or not _SCOPE_CHARS.issuperset(value.replace(" ", "")):
        raise InvalidTokenError("the scope claim must be a space-delimited string (RFC 8693 §4.2)")
    return frozenset(value.split())


def require_scopes(claims: Mapping[str, Any], *needed: str) -> None:
    """Refuse unless the ``scope`` claim holds every one of ``needed``.

    Raises:
        InsufficientScopeError: one is missing; its ``scope`` is what the request needs,
            for the RFC 6750 §3 challenge (answered 403 ``insufficient_scope``).
        InvalidTokenError: the ``scope`` claim is malformed.
    """
    if not needed:
        return
    _checked_scopes(needed)
    if not scopes(claims).issuperset(needed):
        raise InsufficientScopeError(" ".join(needed))


def _checked_scopes(needed: Iterable[str]) -> tuple[str, ...]:
    """The caller's required scopes, each an RFC 6749 §3.3 scope-token (InvalidArgumentError
    otherwise: they end up in a WWW-Authenticate header)."""
    if isinstance(needed, (str, bytes, Mapping)) or not isinstance(needed, Iterable):
        raise InvalidArgumentError('scopes must be a list of scope tokens, such as ["read"]')
    names = tuple(needed)
    bad = [name for name in names if not isinstance(name, str) or not name
           or not _SCOPE_CHARS.issuperset(name)]
    if bad:
        raise InvalidArgumentError("each required scope must be an RFC 6749 §3.3 scope-token")
    return names


def authorization_values(claims: Mapping[str, Any], name: str) -> frozenset[str]:
    """The values of the authorization claim ``name`` (``groups``, ``roles`` or
    ``entitlements``: RFC 9068 §2.2.3.1, typed as RFC 7643 §4.1.2's multi-valued attributes).

    Each member is a string, or an object whose ``value`` member is one (the SCIM form); an
    absent claim gives an empty set.

    Raises:
        InvalidTokenError: the claim has another shape.
    """
    if not isinstance(name, str) or name not in _AUTHORIZATION_CLAIMS:
        raise InvalidArgumentError("name must be one of groups, roles, entitlements")
    value = _claims(claims).get(name)
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InvalidTokenError(f"the {name} claim must be a list")
    found = set()
    for member in value:
        item = member.get("value") if isinstance(member, dict) else member
        if not isinstance(item, str):
            raise InvalidTokenError(f"each {name} member must be a string or carry a string value")
        found.add(item)
    return frozenset(found)


# --- arguments -----------------------------------------------------------------------------


def _claims(claims: Any) -> Mapping[str, Any]:
    if not isinstance(claims, Mapping):
        raise InvalidArgumentError(f"claims must be a dict, not {type(claims).__name__}")
    return claims


def _audience(audience: str | Iterable[str]) -> str | list[str]:
    if isinstance(audience, str):
        if not audience:
            raise InvalidArgumentError("audience must be a non-empty string (RFC 9068 §4)")
        return audience
    try:
        values = list(audience)
    except TypeError:
        raise InvalidArgumentError("audience must be a string or strings") from None
    if not values or not all(isinstance(value, str) and value for value in values):
        raise InvalidArgumentError("audience must be a string or non-empty strings")
    return values


def _algorithms(algorithms: Sequence[str], key: Any) -> list[str]:
    if isinstance(algorithms, str) or not isinstance(algorithms, Sequence) or not algorithms:
        raise InvalidArgumentError('algorithms must be a non-empty list, such as ["RS256"]')
    names = list(algorithms)
    if not all(isinstance(name, str) for name in names):
        raise InvalidArgumentError("algorithms must be strings")
    if any(name.lower() == "none" for name in names):
        # §2.1: access tokens MUST NOT use "none"; §4 step 5: the RS MUST reject it.
        raise InvalidArgumentError('"none" is never accepted for an access token (RFC 9068 §4)')
    rows = [_jwa.row(name) for name in names]
    hmac = {row is not None and row.kty == "oct" for row in rows}
    if hmac == {True, False}:
        # One key, one family (RFC 8725 §3.1): a list mixing both lets a token signed with the
        # AS's public key as an HMAC secret reach the HMAC check.
        raise InvalidArgumentError("algorithms must not mix HMAC with public-key algorithms")
    if True in hmac and isinstance(key, (PyJWKClient, AsyncPyJWKClient)):
        raise InvalidArgumentError("a JWKS holds public keys: HMAC algorithms cannot use it")
    return names


def _decryption(
    key: Any, algorithms: Sequence[str] | None, encryptions: Sequence[str] | None
) -> tuple[Any, Sequence[str], Sequence[str]] | None:
    if key is None:
        if algorithms is not None or encryptions is not None:
            raise InvalidArgumentError("decryption_algorithms and encryptions need decryption_key")
        return None
    if not algorithms or not encryptions:
        raise InvalidArgumentError(
            "decryption_key needs decryption_algorithms and encryptions (the JWE alg and enc "
            "allow-lists)"
        )
    return key, algorithms, encryptions


def _leeway(leeway: float | timedelta) -> float:
    value = seconds(leeway)
    if not math.isfinite(value) or not 0 <= value <= MAX_LEEWAY:
        raise InvalidArgumentError(
            f"leeway must be between 0 and {MAX_LEEWAY:.0f} seconds (RFC 9068 §4)"
        )
    return value


# --- keys from the AS's JWKS ---------------------------------------------------------------


def _kid(token: str | bytes) -> str | None:
    """The unverified ``kid``, used only to pick which of the AS's keys to verify with."""
    # get_unverified_header refuses a kid that is not a string (InvalidTokenError).
    kid: str | None = _JWS.get_unverified_header(token).get("kid")
    return kid


def _key_from_client(client: PyJWKClient, token: str | bytes) -> Any:
    """The AS key for ``token``: the one its ``kid`` names, else the whole set (chosen by
    ``alg``). A set that cannot be fetched raises :class:`PyJWKClientError` (the AS's fault);
    a ``kid`` the AS does not publish, even after a refetch, :class:`UnusableKeyError` (the
    token's)."""
    kid = _kid(token)
    jwk_set = client.get_jwk_set()
    if kid is None:
        return jwk_set
    try:
        return client.get_signing_key(kid)
    except PyJWKClientConnectionError:
        raise
    except PyJWKClientError as exc:
        raise UnusableKeyError(str(exc)) from None


async def _async_signing_key(client: AsyncPyJWKClient, kid: str) -> Any:
    try:
        return await client.get_signing_key(kid)
    except PyJWKClientConnectionError:
        raise
    except PyJWKClientError as exc:
        raise UnusableKeyError(str(exc)) from None


# --- claims --------------------------------------------------------------------------------


def _check_claim_types(claims: Mapping[str, Any]) -> None:
    """§2.2: ``client_id`` is a string (``sub``, ``jti``, the times and ``iss`` are checked by
    :func:`jwtlite.decode`); the optional §2.2.1/§2.2.3 claims have their OpenID types."""
    if not isinstance(claims["client_id"], str) or not claims["client_id"]:
        raise InvalidTokenError("the client_id claim must be a non-empty string (RFC 9068 §2.2)")
    auth_time = claims.get("auth_time")
    if auth_time is not None and (
        isinstance(auth_time, bool) or not isinstance(auth_time, (int, float))
    ):
        raise InvalidTokenError("the auth_time claim must be a number (RFC 9068 §2.2.1)")
    acr = claims.get("acr")
    if acr is not None and not isinstance(acr, str):
        raise InvalidTokenError("the acr claim must be a string (RFC 9068 §2.2.1)")
    amr = claims.get("amr")
    if amr is not None and not (
        isinstance(amr, list) and all(isinstance(item, str) for item in amr)
    ):
        raise InvalidTokenError("the amr claim must be a list of strings (RFC 9068 §2.2.1)")
    scopes(claims)
