"""Framework-neutral request authentication behind jwtlite.flask and jwtlite.starlette.

Each framework module turns its request into a :class:`RequestView`, calls
:meth:`GuardCore.authenticate` and turns an :class:`AuthRefused` into its own response. Nothing
here imports a web framework, so the token rules (where a token may come from, the CSRF
double-submit check) are written once; :mod:`jwtlite._guard_failures` says which failure gets
which RFC 6750 answer.

A guard either serves its own :class:`~jwtlite.tokens.TokenService` (it issues, refreshes and
revokes) or is a resource server for an external authorization server: an
:class:`~jwtlite.access_token.AccessTokenVerifier` checks RFC 9068 access tokens with the
server's keys, and the guard only accepts or refuses them.

With a :class:`~jwtlite.dpop.DPoPPolicy` in the config, ``Authorization: DPoP`` tokens are
accepted with their proofs and token requests may bind their tokens to a key (RFC 9449);
:mod:`jwtlite._guard_dpop` holds those rules.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

from . import _guard_dpop
from ._guard_bodies import (
    DEFAULT_MAX_BODY,
    BodyCap,
    PasswordForm,
    RequestBodyError,
    json_body_fields,
    password_form,
    require_json_body,
    string_fields,
)
from ._guard_dpop import DPoPRequest, ProofKey, Proven
from ._guard_failures import (
    AuthFailure,
    AuthRefused,
    _CookieTokenError,
    _CSRFError,
    _UnknownUserError,
    classify,
)
from .access_token import AccessTokenVerifier, _checked_scopes, require_scopes
from .bearer import authorization_scheme, parse_authorization_header
from .dpop import DPoPPolicy, VerifiedProof, check_binding
from .exceptions import (
    BearerError,
    InvalidArgumentError,
    InvalidTokenError,
    PyJWKClientError,
    PyJWTError,
    RevocationStoreUnavailableError,
)
from .revocation import RevocationStore
from .tokens import ACCESS_TYP, REFRESH_TYP, TokenPair, TokenService

__all__ = [
    "DEFAULT_MAX_BODY",
    "AuthFailure",
    "AuthRefused",
    "Authenticated",
    "BodyCap",
    "GuardConfig",
    "GuardCore",
    "GuardHooks",
    "PasswordForm",
    "RequestBodyError",
    "RequestView",
    "classify",
    "json_body_fields",
    "one_header",
    "parse_cookies",
    "password_form",
    "require_json_body",
    "string_fields",
]

# RFC 9110 §9.2.1: only these methods are safe; every other one changes state and, when it is
# authenticated by a cookie the browser attached on its own, needs the CSRF double-submit.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
@dataclass(frozen=True)
class GuardConfig:
    """Where tokens travel. Cookies are opt-in; when on, tokens go in ``Secure; HttpOnly;
    SameSite=Strict`` cookies and the readable ``csrf_cookie`` must be echoed in ``csrf_header``
    on every state-changing request (double-submit)."""

    realm: str = "api"
    cookies: bool = False
    access_cookie: str = "access_token"
    refresh_cookie: str = "refresh_token"
    csrf_cookie: str = "csrf_token"
    csrf_header: str = "X-CSRF-Token"
    refresh_paths: tuple[str, ...] = ("/refresh", "/logout")
    cookie_secure: bool = True
    #: The largest body the guards read before authenticating (see :class:`BodyCap`).
    max_body: int = DEFAULT_MAX_BODY
    #: Accept DPoP (RFC 9449) under this policy; None: bearer tokens only.
    dpop: DPoPPolicy | None = None

    def __post_init__(self) -> None:
        max_body = self.max_body
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1:
            raise InvalidArgumentError("max_body must be a positive number of bytes")
        if self.dpop is not None and self.cookies:
            # A proof carries the access token's hash (ath): the client's code must hold the
            # token, which an HttpOnly cookie keeps from it.
            raise InvalidArgumentError("DPoP needs tokens in the client's hands: not cookies")


def one_header(values: Sequence[str]) -> str | None:
    """The value of a header that is no list (``Authorization``, ``Content-Type``, a CSRF
    header), from every line the request carried: None without one, and several lines joined
    by ", " as a WSGI server joins them (RFC 9110 §5.3), so that the joined value is refused as
    malformed instead of one framework reading the first line and another the last."""
    if not values:
        return None
    return values[0] if len(values) == 1 else ", ".join(values)


def parse_cookies(values: Iterable[str]) -> dict[str, str | None]:
    """The cookies of the ``Cookie`` header lines (RFC 6265 §5.4: ``name=value`` pairs split
    by ";", a value possibly in double quotes), read the same way under every framework. A
    name sent twice maps to None: a sibling subdomain can toss a second cookie of that name
    (RFC 6265 §8.6), and the frameworks disagree on which one wins, so neither is trusted."""
    cookies: dict[str, str | None] = {}
    for line in values:
        for pair in line.split(";"):
            name, equals, value = pair.partition("=")
            name, value = name.strip(" \t"), value.strip(" \t")
            if not equals or not name:
                continue
            if len(value) > 1 and value[0] == value[-1] == '"':
                value = value[1:-1]
            cookies[name] = None if name in cookies else value
    return cookies


@dataclass(frozen=True)
class RequestView:
    """The parts of an HTTP request the guard reads. ``body`` is called only when needed;
    ``content_type`` is the raw ``Content-Type`` header (None when absent); ``cookies`` maps a
    name sent more than once to None (see :func:`parse_cookies`)."""

    method: str
    authorization: str | None
    cookies: Mapping[str, str | None]
    csrf_header: str | None
    body: Callable[[], bytes] = lambda: b""
    content_type: str | None = None
    #: Every ``DPoP`` header value, and the request's URI (called only to check a proof).
    dpop: tuple[str, ...] = ()
    url: Callable[[], str] = lambda: ""
    #: What follows the authority in ``url`` (path and query), cut where the framework built
    #: it, not where a parser finds it: ``Host`` is the client's to write, "/" and all.
    target: Callable[[], str] = lambda: "/"
    #: A dict that lives as long as the request (its guards verify its proof once), or None.
    dpop_verified: MutableMapping[ProofKey, VerifiedProof] | None = None


@dataclass
class Authenticated:
    """The outcome of a guarded request: claims (None when optional and absent), the token the
    request presented, the new pair when a refresh token was spent, the loaded user, and the
    ``DPoP-Nonce`` the successful answer carries (RFC 9449 §8.2; None when none is due)."""

    claims: dict[str, Any] | None
    token: str | None = None
    pair: TokenPair | None = None
    user: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    dpop_nonce: str | None = None


class _Jkt(TypedDict, total=False):
    jkt: str


def _bound(jkt: str | None) -> _Jkt:
    """``jkt=`` for the service's calls only when a DPoP key is in play, so that a service
    (or a subclass) written before DPoP keeps its signatures."""
    return {} if jkt is None else {"jkt": jkt}


def new_csrf_token() -> str:
    """A fresh double-submit value: 256 bits from the OS CSPRNG."""
    return secrets.token_urlsafe(32)


@dataclass
class GuardHooks:
    """The application's callbacks. Several cores may share one (the Flask manager's hooks
    apply to every app it is registered with)."""

    user_loader: Callable[[dict[str, Any]], Any] | None = None
    claims_hook: Callable[[str], Mapping[str, Any]] | None = None


class GuardCore:
    """The state and rules of one integration for one service: service (or, for a resource
    server, the verifier of an external authorization server's tokens), config and hooks."""

    def __init__(
        self, service: TokenService | None, config: GuardConfig,
        hooks: GuardHooks | None = None, *, verifier: AccessTokenVerifier | None = None,
    ) -> None:
        if service is not None and verifier is not None:
            raise InvalidArgumentError(
                "pass a TokenService (tokens of our own) or a verifier (an external "
                "authorization server's), not both"
            )
        if verifier is not None and config.dpop is not None and config.dpop.store is None:
            # No TokenService, so no store to borrow: replays must be remembered somewhere.
            raise InvalidArgumentError("a resource server's DPoPPolicy needs a store")
        self.service = service
        self.verifier = verifier
        self.config = config
        self.hooks = hooks if hooks is not None else GuardHooks()

    def require_service(self) -> TokenService:
        """The bound service; an :class:`InvalidArgumentError` before one is bound."""
        if self.service is None:
            if self.verifier is not None:
                raise InvalidArgumentError(
                    "this guard is a resource server: tokens are issued, refreshed and "
                    "revoked by the authorization server"
                )
            raise InvalidArgumentError("no TokenService is bound: pass one or call init_app()")
        return self.service

    def require_bound(self) -> None:
        """An :class:`InvalidArgumentError` unless a service or a verifier is bound."""
        if self.verifier is None:
            self.require_service()

    def check_variant(
        self, *, refresh: bool, fresh: bool, scopes: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """Refuse, when the route is declared, a guard variant this core cannot serve; the
        route's required scopes, checked."""
        if refresh and fresh:
            raise InvalidArgumentError("a refresh guard cannot also demand a fresh token")
        if self.verifier is not None and (refresh or fresh):
            raise InvalidArgumentError(
                "a resource server guard verifies access tokens only: no refresh or fresh"
            )
        needed = _checked_scopes(scopes)
        if needed and refresh:
            raise InvalidArgumentError("a refresh guard spends a refresh token: no scopes")
        return needed

    def _verify_access(self, token: str, *, fresh: bool, jkt: str | None) -> dict[str, Any]:
        """The token's claims; ``jkt``, the thumbprint of its DPoP proof's key (None: a bearer
        token), must fit its binding (RFC 9449 §6, §7.2)."""
        if self.verifier is not None:
            claims = self.verifier.verify(token)
            check_binding(claims, jkt, what="access token")
            return claims
        return self.require_service().verify_access(token, fresh=fresh, **_bound(jkt))

    def issue(
        self, identity: str, claims: Mapping[str, Any] | None = None, *, jkt: str | None = None
    ) -> TokenPair:
        """A new pair for ``identity`` with the hook's claims, then ``claims``, added; bound
        to ``jkt`` (a DPoP key's thumbprint) when given."""
        hook = self.hooks.claims_hook
        extra = dict(hook(identity)) if hook is not None else {}
        extra.update(claims or {})
        return self.require_service().issue(identity, extra, **_bound(jkt))

    def _csrf_ok(self, view: RequestView) -> bool:
        cookie = view.cookies.get(self.config.csrf_cookie) or ""
        header = view.csrf_header or ""
        return bool(cookie) and hmac.compare_digest(cookie.encode(), header.encode())

    def _from_cookie(self, view: RequestView, name: str) -> str | None:
        """The token in cookie ``name`` when cookies are on and no header was sent."""
        if not self.config.cookies or view.authorization is not None:
            return None
        if name not in view.cookies:
            return None
        if view.method.upper() not in _SAFE_METHODS and not self._csrf_ok(view):
            raise _CSRFError("missing or wrong CSRF token")
        value = view.cookies[name]
        if value is None:
            raise _CookieTokenError(f"the {name} cookie is sent more than once")
        try:
            # The value is the token itself: the spaces RFC 6750 allows after "Bearer" are
            # the header's, not the cookie's (RFC 6265 §4.1.1: a cookie-octet is no space).
            if value.startswith((" ", "\t")):
                raise BearerError("a space before the token")
            return parse_authorization_header("Bearer " + value)
        except BearerError:
            raise _CookieTokenError(f"the {name} cookie does not hold a token") from None

    def access_token(self, view: RequestView) -> str:
        """The access token: the ``Authorization`` header or, when enabled, the cookie."""
        token = self._from_cookie(view, self.config.access_cookie)
        return token if token is not None else parse_authorization_header(view.authorization)

    def refresh_token(self, view: RequestView) -> str:
        """The refresh token: the cookie, the ``Authorization`` header, or the JSON body's
        ``refresh_token`` member (RFC 6749 §6)."""
        token = self._from_cookie(view, self.config.refresh_cookie)
        if token is not None:
            return token
        # With DPoP, an "Authorization: DPoP" header carries the client's access token, not
        # the refresh token: the body does (RFC 6749 §6).
        dpop_header = self.config.dpop is not None and (
            authorization_scheme(view.authorization) == "dpop"
        )
        if view.authorization is not None and not dpop_header:
            return parse_authorization_header(view.authorization)
        return json_body_fields(view.content_type, view.body(), "refresh_token")["refresh_token"]

    def authenticate(
        self, view: RequestView, *, optional: bool = False, refresh: bool = False,
        fresh: bool = False, scopes: Iterable[str] = (),
    ) -> Authenticated:
        """Verify the request's token; :class:`AuthRefused` with the answer when it fails.

        ``scopes``: scope tokens the access token's ``scope`` claim must all hold (403
        ``insufficient_scope`` otherwise, RFC 6750 §3.1).
        """
        self.require_bound()
        if refresh or fresh or scopes:  # the integrations checked these at declaration
            scopes = self.check_variant(refresh=refresh, fresh=fresh, scopes=scopes)
        token = None
        expected = REFRESH_TYP if refresh else ACCESS_TYP
        try:
            if refresh:
                service = self.require_service()
                token = self.refresh_token(view)
                proven = self._token_request_proof(view)
                pair = service.refresh(token, **_bound(proven.jkt))
                claims = service.verify_access(pair.access_token, **_bound(proven.jkt))
                result = Authenticated(claims, token, pair, dpop_nonce=proven.nonce)
            else:
                token, proven = self._presented(view)
                claims = self._verify_access(token, fresh=fresh, jkt=proven.jkt)
                result = Authenticated(claims, token, dpop_nonce=proven.nonce)
            if scopes and result.claims is not None:
                require_scopes(result.claims, *scopes)
            loader = self.hooks.user_loader
            if loader is not None and result.claims is not None:
                result.user = loader(result.claims)
                if result.user is None:
                    raise _UnknownUserError("the user loader returned None")
        except BearerError as exc:
            if optional and exc.error is None:
                return Authenticated(None)
            raise self._refused(exc, token, expected, view, token_endpoint=refresh) from None
        except (InvalidTokenError, RevocationStoreUnavailableError, PyJWKClientError) as exc:
            raise self._refused(exc, token, expected, view, token_endpoint=refresh) from None
        return result

    # --- DPoP (RFC 9449) ------------------------------------------------------------------

    def _dpop_request(self, view: RequestView) -> DPoPRequest:
        return DPoPRequest(
            view.method, view.dpop, view.url, view.authorization, view.dpop_verified,
            view.target,
        )

    def _replay_store(self) -> RevocationStore:
        policy = self.config.dpop
        if policy is not None and policy.store is not None:
            return policy.store
        return self.require_service().store

    def _presented(self, view: RequestView) -> tuple[str, Proven]:
        """The access token, and what its DPoP proof gives (no key: a bearer token)."""
        if self.config.dpop is None:
            return self.access_token(view), Proven()
        return _guard_dpop.presented(
            self.config.dpop, self._dpop_request(view), lambda: self.access_token(view),
            self._replay_store,
        )

    def _token_request_proof(self, view: RequestView) -> Proven:
        """The key a token request's proof binds its tokens to (RFC 9449 §5), and the nonce
        its answer carries."""
        if self.config.dpop is None:
            return Proven()
        return _guard_dpop.token_request_proof(
            self.config.dpop, self._dpop_request(view), self._replay_store
        )

    def token_request_proof(self, view: RequestView) -> Proven:
        """For a login: the thumbprint of the request's valid DPoP proof (None without DPoP,
        or without a proof when none is required) and the ``DPoP-Nonce`` its answer carries
        (§8.2); :class:`AuthRefused` (400 ``invalid_dpop_proof`` / ``use_dpop_nonce``) when
        the proof fails."""
        try:
            return self._token_request_proof(view)
        except (InvalidTokenError, RevocationStoreUnavailableError) as exc:
            raise self._refused(exc, None, ACCESS_TYP, view, token_endpoint=True) from None

    def _refused(
        self, exc: PyJWTError, token: str | None, expected: str, view: RequestView, *,
        token_endpoint: bool,
    ) -> AuthRefused:
        failure = classify(exc, token, expected)
        policy = self.config.dpop
        if policy is not None:
            status, challenge = _guard_dpop.refusal(
                policy, exc, failure.status, view.authorization, token_endpoint=token_endpoint
            )
            failure = replace(failure, status=status, dpop=challenge)
            if failure.reason == "malformed" and failure.status == 400:
                # Cookies never carry DPoP tokens: a 400 malformed is the header's.
                message = _guard_dpop.malformed_description(policy, view.authorization)
                failure = replace(failure, message=message)
        return AuthRefused(failure)

    def logout(self, token: str) -> None:
        """Revoke ``token`` and its login's refresh family."""
        try:
            self.require_service().revoke(token)
        except (InvalidTokenError, RevocationStoreUnavailableError) as exc:
            # revoke() takes either kind of token, so no answer may call it the wrong kind:
            # without the token, classify never words one as wrong_token_type.
            raise AuthRefused(classify(exc, None, ACCESS_TYP)) from None

    def pair_body(self, pair: TokenPair) -> dict[str, Any]:
        """The token response body (RFC 6749 §5.1); without the tokens in cookie mode."""
        if self.config.cookies:
            return {"token_type": pair.token_type, "expires_in": pair.expires_in}
        return pair.to_response()

    def cookies_to_set(self, pair: TokenPair) -> list[tuple[str, str, str, bool, int | None]]:
        """``(name, value, path, httponly, max_age)`` for every cookie a login sets.

        Each ``Max-Age`` (RFC 6265 §5.2.2) is the lifetime of the token the cookie serves: a
        browser keeps the refresh cookie across restarts for as long as the refresh token
        works, and the CSRF cookie as long, since spending the refresh cookie needs it. None
        (a session cookie) only for a pair that does not say its refresh lifetime.
        """
        cfg = self.config
        refresh_age = pair.refresh_expires_in
        cookies: list[tuple[str, str, str, bool, int | None]] = [
            (cfg.access_cookie, pair.access_token, "/", True, pair.expires_in)
        ]
        # The refresh token is sent only to the paths that spend or revoke it.
        cookies += [(cfg.refresh_cookie, pair.refresh_token, p, True, refresh_age)
                    for p in cfg.refresh_paths]
        # Readable by the page's JavaScript on purpose: it echoes it in the CSRF header.
        cookies.append((cfg.csrf_cookie, new_csrf_token(), "/", False, refresh_age))
        return cookies

    def cookies_to_clear(self) -> list[tuple[str, str]]:
        """``(name, path)`` of every cookie a logout deletes."""
        cfg = self.config
        return [(cfg.access_cookie, "/"), (cfg.csrf_cookie, "/")] + [
            (cfg.refresh_cookie, p) for p in cfg.refresh_paths
        ]
