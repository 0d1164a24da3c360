"""Access/refresh token pairs with refresh rotation, reuse detection and revocation.

Access tokens follow the JWT profile for OAuth 2.0 access tokens (RFC 9068): header
``typ: at+jwt`` and the claims ``iss sub aud exp iat jti``. Refresh tokens carry their own
``typ`` (``rt+jwt``), so neither kind verifies as the other (RFC 8725 §3.11). Every token of one
login shares a *family* id (claim ``fam``); refreshing spends the refresh token, and presenting a
spent one again revokes the whole family (RFC 9700 §4.14.2), unless an opt-in reuse interval
says it is an honest retry. Access tokens issued at login carry ``fresh: true``; those issued by
a refresh carry ``fresh: false``, and ``verify_access(token, fresh=True)`` accepts only the
former (for password changes and other sensitive actions).

DPoP (RFC 9449): a login or refresh that came with a valid proof passes the proof key's
thumbprint as ``jkt``; both tokens of the pair then carry ``cnf.jkt`` (§6.1) and the pair's
``token_type`` is ``DPoP`` (§5). Such an access token verifies only with a proof by that key
(``verify_access(token, jkt=...)``), never as a bearer token (§7.2), and such a refresh token
refreshes only with a proof by that key (§5: public clients' refresh tokens are bound).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn

from ._values import finite
from .api import PyJWS, PyJWT
from .dpop import bound_jkt, check_binding
from .exceptions import (
    InvalidArgumentError,
    InvalidTokenError,
    PyJWTError,
    RevokedTokenError,
    StaleTokenError,
)
from .revocation import LookupResult, MemoryStore, RevocationStore

__all__ = ["ACCESS_TYP", "REFRESH_TYP", "TokenPair", "TokenService"]

ACCESS_TYP = "at+jwt"
REFRESH_TYP = "rt+jwt"

# Claims the service sets itself; extra claims may not override them.
_RESERVED = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "fam", "fresh", "cnf"}
)
_REQUIRED = ["exp", "iat", "sub", "jti", "iss", "aud"]
# RFC 7638 SHA-256 thumbprint, base64url without padding: 43 characters.
_JKT = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class TokenPair:
    """An access token, its refresh token, and their lifetimes in seconds.

    ``refresh_expires_in`` is not part of the RFC 6749 §5.1 response; the integrations use it
    as the ``Max-Age`` of the refresh cookie (None when unknown: a session cookie).
    """

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6750 token type, not a secret
    refresh_expires_in: int | None = None

    def to_response(self) -> dict[str, Any]:
        """The successful token response body of RFC 6749 §5.1."""
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
        }


def _positive_seconds(name: str, value: timedelta) -> int:
    if not isinstance(value, timedelta) or value.total_seconds() < 1:
        raise InvalidArgumentError(f"{name} must be a timedelta of at least one second")
    return int(value.total_seconds())


def _new_id() -> str:
    # 256 bits from the OS CSPRNG: collisions and guessing are out of reach.
    return secrets.token_urlsafe(32)


def _reuse_seconds(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError("refresh_reuse_interval must be a number of seconds")
    seconds = finite(value)
    if seconds is None or not 0 <= seconds <= 300:
        raise InvalidArgumentError("refresh_reuse_interval must be between 0 and 300 seconds")
    return seconds


def _checked_jkt(jkt: str | None) -> str | None:
    if jkt is not None and not (isinstance(jkt, str) and _JKT.fullmatch(jkt)):
        raise InvalidArgumentError("jkt must be an RFC 7638 SHA-256 thumbprint (43 characters)")
    return jkt


def _parse_successor(text: str) -> tuple[int, str, str]:
    # The store hands back what TokenService wrote: "iat.access_jti.refresh_jti" (token_urlsafe
    # ids never contain a dot). Anything else means the store was tampered with or is broken.
    parts = text.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1] or not parts[2]:
        raise PyJWTError("revocation store returned a malformed refresh successor")
    return int(parts[0]), parts[1], parts[2]


class TokenService:
    """Issues, verifies, refreshes and revokes access/refresh token pairs.

    :param key: the signing key (an HMAC secret, or a private key in any form
        :func:`jwtlite.encode` accepts).
    :param algorithm: the JWS ``alg``; the only one accepted when verifying.
    :param issuer: the ``iss`` claim, required to match exactly.
    :param audience: the ``aud`` claim, required to match.
    :param access_ttl: access token lifetime (15 minutes by default).
    :param refresh_ttl: refresh token lifetime (14 days by default).
    :param store: where revocations live; a fresh :class:`MemoryStore` if None.
    :param clock: seconds since the epoch; :func:`time.time` if None.
    :param verify_key: the verification key, when it differs from ``key`` (the public half).
    :param leeway: seconds of clock skew tolerated on ``exp``/``iat``.
    :param refresh_reuse_interval: seconds (0, the default, turns it off; at most 300) during
        which presenting a just-spent refresh token again returns the same successor pair
        instead of revoking the family: two tabs refreshing at once, or a retried request
        whose answer was lost. After it, reuse revokes the family as before.

    ``repr()`` shows the algorithm, issuer, audience and store, never a key.
    """

    def __init__(
        self,
        key: Any,
        algorithm: str,
        *,
        issuer: str,
        audience: str,
        access_ttl: timedelta = timedelta(minutes=15),
        refresh_ttl: timedelta = timedelta(days=14),
        store: RevocationStore | None = None,
        clock: Callable[[], float] | None = None,
        verify_key: Any = None,
        leeway: float = 0,
        refresh_reuse_interval: float = 0,
    ) -> None:
        if not isinstance(algorithm, str) or algorithm.lower() == "none":
            raise InvalidArgumentError("TokenService needs a signing algorithm, not 'none'")
        if not isinstance(issuer, str) or not issuer:
            raise InvalidArgumentError("issuer must be a non-empty string")
        if not isinstance(audience, str) or not audience:
            raise InvalidArgumentError("audience must be a non-empty string")
        self._key = key
        self._verify_key = key if verify_key is None else verify_key
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience
        self._access_ttl = _positive_seconds("access_ttl", access_ttl)
        self._refresh_ttl = _positive_seconds("refresh_ttl", refresh_ttl)
        self._clock: Callable[[], float] = clock or time.time
        self._store: RevocationStore = store if store is not None else MemoryStore(clock=clock)
        self._leeway = leeway
        self._reuse_interval = _reuse_seconds(refresh_reuse_interval)
        self._jwt = PyJWT()

    def __repr__(self) -> str:
        # Never the key or verify_key: HMAC secrets and private keys must not reach logs.
        return (
            f"TokenService(algorithm={self._algorithm!r}, issuer={self._issuer!r},"
            f" audience={self._audience!r}, store={self._store!r})"
        )

    __str__ = __repr__

    @property
    def store(self) -> RevocationStore:
        """The revocation store in use."""
        return self._store

    def issue(
        self,
        subject: str,
        extra_claims: Mapping[str, Any] | None = None,
        *,
        jkt: str | None = None,
    ) -> TokenPair:
        """Issue a new access + refresh pair for ``subject`` starting a new family.

        ``extra_claims`` (for example ``scope`` or RFC 9068's ``client_id``) go into both
        tokens and survive refreshes; they may not name a claim the service sets itself.
        ``jkt``: the thumbprint of the key of the token request's valid DPoP proof
        (:attr:`jwtlite.dpop.VerifiedProof.jkt`); both tokens are then bound to it.
        """
        if not isinstance(subject, str) or not subject:
            raise InvalidArgumentError("subject must be a non-empty string")
        extra = dict(extra_claims or {})
        clash = sorted(_RESERVED.intersection(extra))
        if clash:
            raise InvalidArgumentError(f"extra_claims may not set {', '.join(clash)}")
        return self._pair(subject, _new_id(), extra, fresh=True, jkt=_checked_jkt(jkt))

    def _pair(
        self,
        subject: str,
        family: str,
        extra: dict[str, Any],
        *,
        fresh: bool,
        ids: tuple[int, str, str] | None = None,
        jkt: str | None = None,
    ) -> TokenPair:
        # ids = (iat, access jti, refresh jti); given when replaying a remembered successor, so
        # the replay carries the same claims (byte-identical tokens for deterministic algs).
        iat, access_jti, refresh_jti = ids or (int(self._clock()), _new_id(), _new_id())
        base = {**extra, "iss": self._issuer, "sub": subject, "aud": self._audience}
        base.update(iat=iat, fam=family)
        if jkt is not None:
            base["cnf"] = {"jkt": jkt}  # RFC 9449 §6.1; the refresh token too (§5)
        access = {**base, "exp": iat + self._access_ttl, "jti": access_jti, "fresh": fresh}
        refresh = {**base, "exp": iat + self._refresh_ttl, "jti": refresh_jti}
        return TokenPair(
            access_token=self._sign(access, ACCESS_TYP),
            refresh_token=self._sign(refresh, REFRESH_TYP),
            expires_in=self._access_ttl,
            token_type="Bearer" if jkt is None else "DPoP",  # RFC 9449 §5
            refresh_expires_in=self._refresh_ttl,
        )

    def _sign(self, claims: dict[str, Any], typ: str) -> str:
        return self._jwt.encode(claims, self._key, algorithm=self._algorithm, headers={"typ": typ})

    def _decode(self, token: str, typ: str, *, verify_exp: bool = True) -> dict[str, Any]:
        claims = self._jwt.decode(
            token,
            self._verify_key,
            algorithms=[self._algorithm],
            options={"require": _REQUIRED, "verify_exp": verify_exp},
            audience=self._audience,
            issuer=self._issuer,
            leeway=self._leeway,
            typ=typ,
            now=self._clock(),
        )
        if not isinstance(claims.get("fam"), str) or not isinstance(claims.get("jti"), str):
            raise InvalidTokenError("token lacks a string fam or jti claim")
        return claims

    def _lookup(self, claims: Mapping[str, Any]) -> LookupResult:
        # One store call (one round trip for a networked store) per verification.
        return self._store.lookup(jti=claims["jti"], family=claims["fam"], subject=claims["sub"])

    @staticmethod
    def _raise_if_revoked(claims: Mapping[str, Any], state: LookupResult, *, jti: bool) -> None:
        jti_revoked, family_revoked, cutoff = state
        if jti and jti_revoked:
            raise RevokedTokenError("token has been revoked")
        if family_revoked:
            raise RevokedTokenError("token family has been revoked")
        if cutoff is not None and claims["iat"] <= cutoff:
            raise RevokedTokenError("all tokens of this subject have been revoked")

    def verify_access(
        self, token: str, *, fresh: bool = False, jkt: str | None = None
    ) -> dict[str, Any]:
        """Verify an access token (signature, ``typ``, every claim, revocation); return claims.

        With ``fresh=True`` only an access token issued at login (claim ``fresh: true``) is
        accepted, for actions that should need a recent password (OWASP's re-authentication
        advice); one issued by :meth:`refresh` raises
        :class:`~jwtlite.exceptions.StaleTokenError`.

        ``jkt`` is the thumbprint of the key of the request's valid DPoP proof, None for a
        bearer token. A DPoP-bound token needs a proof by its key, and an unbound one must
        not come with a proof (:class:`~jwtlite.exceptions.DPoPBindingError`, RFC 9449 §7.2).

        Raises a :class:`~jwtlite.exceptions.InvalidTokenError` subclass;
        :class:`~jwtlite.exceptions.RevokedTokenError` when revoked. Raises
        :class:`~jwtlite.exceptions.RevocationStoreUnavailableError` (not an InvalidTokenError:
        answer 503) when the store cannot be asked.
        """
        claims = self._decode(token, ACCESS_TYP)
        check_binding(claims, jkt, what="access token")
        self._raise_if_revoked(claims, self._lookup(claims), jti=True)
        if fresh and claims.get("fresh") is not True:
            raise StaleTokenError("a fresh token from a login is required; log in again")
        return claims

    def refresh(self, refresh_token: str, *, jkt: str | None = None) -> TokenPair:
        """Spend ``refresh_token`` and return a new pair in the same family.

        A refresh token that was already spent means two parties hold it, so the whole family is
        revoked (RFC 9700 §4.14.2) and :class:`~jwtlite.exceptions.RevokedTokenError` raised.
        Within ``refresh_reuse_interval`` seconds of the first spend, the same successor pair
        is returned instead. The access token of the new pair is not fresh.

        ``jkt``: the thumbprint of the key of the token request's valid DPoP proof. A bound
        refresh token refreshes only with a proof by its key (RFC 9449 §5), and is refused
        before it is spent; the new pair is bound to ``jkt`` (an unbound refresh token's new
        pair too: the client has just proved it holds that key).
        """
        jkt = _checked_jkt(jkt)
        claims = self._decode(refresh_token, REFRESH_TYP)
        if bound_jkt(claims) is not None:
            check_binding(claims, jkt, what="refresh token")
        # The jti itself is decided by consume/spend below: a spent one may still replay.
        self._raise_if_revoked(claims, self._lookup(claims), jti=False)
        extra = {name: value for name, value in claims.items() if name not in _RESERVED}
        expiry = claims["exp"] + self._leeway
        if not self._reuse_interval:
            if not self._store.consume(claims["jti"], expiry):
                self._reused(claims)
            return self._pair(claims["sub"], claims["fam"], extra, fresh=False, jkt=jkt)
        now = self._clock()
        successor = f"{int(now)}.{_new_id()}.{_new_id()}"
        chosen = self._store.spend(
            claims["jti"], expiry, successor=successor, reuse_until=now + self._reuse_interval
        )
        if chosen is None:
            self._reused(claims)
        ids = _parse_successor(chosen)
        return self._pair(claims["sub"], claims["fam"], extra, fresh=False, ids=ids, jkt=jkt)

    def _reused(self, claims: Mapping[str, Any]) -> NoReturn:
        self._store.revoke_family(claims["fam"], self._family_expiry())
        raise RevokedTokenError("refresh token reused; its family has been revoked")

    def _family_expiry(self) -> float:
        # The newest token of any family alive now expires within the longest lifetime.
        return self._clock() + max(self._access_ttl, self._refresh_ttl) + self._leeway

    def revoke(self, token: str, *, family: bool = True) -> None:
        """Revoke one token (logout); by default also every token of its family (its login).

        The token's signature is checked, its expiry is not: a client may log out with an
        access token that has just expired while its refresh token is still alive.
        """
        # The unverified typ only picks which kind to verify the token as; _decode then
        # checks that same typ under the signature.
        typ = PyJWS().get_unverified_header(token).get("typ")
        kind = REFRESH_TYP if typ == REFRESH_TYP else ACCESS_TYP
        claims = self._decode(token, kind, verify_exp=False)
        self._store.revoke(claims["jti"], claims["exp"] + self._leeway)
        if family:
            self._store.revoke_family(claims["fam"], self._family_expiry())

    def revoke_subject(self, subject: str) -> None:
        """Revoke every token of ``subject`` issued up to now (for example on password change).

        Tokens are stamped with whole-second ``iat``, so tokens issued later in the same
        second are revoked too.
        """
        now = self._clock()
        self._store.revoke_subject(subject, now, self._family_expiry())
