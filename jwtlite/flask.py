"""Flask integration: protect a route with one decorator (extra ``jwtlite[flask]``).

>>> from flask import Flask
>>> from jwtlite.tokens import TokenService
>>> app = Flask("demo")
>>> jwt = JWTManager(app, TokenService("a" * 32, "HS256", issuer="me", audience="api"))
>>> @app.get("/me")
... @jwt.required()
... def me():
...     return {"sub": current_identity()}

The manager reads the access token from ``Authorization: Bearer`` (RFC 6750 §2.1) or, when
``cookies=True``, from a cookie with CSRF double-submit protection, verifies it with the bound
:class:`~jwtlite.tokens.TokenService` (signature, ``typ``, claims, revocation), and answers every
failure with a JSON body and an RFC 6750 ``WWW-Authenticate`` challenge.

As a resource server for an external authorization server, pass ``verifier=`` (an
:class:`~jwtlite.access_token.AccessTokenVerifier`, for example from the server's JWKS URI)
instead of a service: the guard then accepts its RFC 9068 access tokens, and
``required(scopes=[...])`` demands scopes of them (403 ``insufficient_scope`` otherwise).

With ``dpop=`` (a :class:`~jwtlite.dpop.DPoPPolicy`, or True for the defaults) the manager
also accepts DPoP-bound tokens (RFC 9449): ``Authorization: DPoP <token>`` with a ``DPoP``
proof of the request, and binds the tokens of a login or refresh that carries a proof to its
key; ``DPoPPolicy(required=True)`` refuses bearer tokens. When the policy demands nonces, a
request whose nonce has been superseded gets the current one in a ``DPoP-Nonce`` header of its
successful answer (RFC 9449 §8.2), whatever the view returns.

One manager may serve several apps (an application factory calling :meth:`JWTManager.init_app`
per app): each app keeps its own service in ``app.extensions["jwtlite"]``, as Flask extensions
keep per-app state, and the manager's options and hooks apply to all of them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

# Flask is an optional dependency: only users of this module need it installed.
from flask import (
    Flask,
    Response,
    after_this_request,
    current_app,
    g,
    has_app_context,
    jsonify,
    request,
)

from ._guard import (
    DEFAULT_MAX_BODY,
    Authenticated,
    AuthFailure,
    AuthRefused,
    BodyCap,
    GuardConfig,
    GuardCore,
    GuardHooks,
    RequestBodyError,
    RequestView,
    classify,
    json_body_fields,
    parse_cookies,
)
from ._guard_dpop import policy_of
from .access_token import AccessTokenVerifier
from .dpop import DPoPPolicy
from .exceptions import InvalidArgumentError
from .tokens import TokenPair, TokenService

__all__ = [
    "AuthFailure",
    "JWTManager",
    "RequestBodyError",
    "current_claims",
    "current_identity",
    "current_pair",
    "current_token",
    "current_user",
    "json_fields",
]

F = TypeVar("F", bound=Callable[..., Any])
_EXTENSION = "jwtlite"
_G_KEY = "_jwtlite_auth"
# The DPoP proofs this request's guards verified (each is checked once per request).
_VERIFIED_KEY = "jwtlite.dpop_verified"
# How much of a body is asked of the WSGI input at a time (never more than the cap allows).
_READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class _AppState:
    """What ``app.extensions["jwtlite"]`` holds: the manager registered with the app and the
    guard bound to that app's own service."""

    manager: JWTManager
    core: GuardCore


class JWTManager:
    """Binds a :class:`TokenService` to Flask apps (directly or through :meth:`init_app`).

    The service given here is the default for :meth:`init_app` and the one used outside an
    application context; inside one, every method uses the current app's service.

    :param realm: the ``realm`` of the ``WWW-Authenticate`` challenge.
    :param cookies: also read tokens from cookies (and set them at login); state-changing
        requests authenticated by cookie must echo ``csrf_cookie`` in ``csrf_header``.
    :param cookie_secure: the ``Secure`` cookie attribute (leave True outside local tests).
    :param max_body: the largest body read before authentication (a refresh token in JSON,
        :func:`json_fields`), in bytes; a larger one is refused with 413 without being read in
        full. Default: the largest token jwtlite verifies, plus 4 KiB.
    :param verifier: instead of a service, the verifier of an external authorization server's
        access tokens (a resource server: no login, refresh or logout here).
    :param dpop: accept DPoP (RFC 9449) under this policy (True: the defaults); not with
        cookies.
    """

    def __init__(
        self,
        app: Flask | None = None,
        service: TokenService | None = None,
        *,
        realm: str = "api",
        cookies: bool = False,
        cookie_secure: bool = True,
        access_cookie: str = "access_token",
        refresh_cookie: str = "refresh_token",
        csrf_cookie: str = "csrf_token",
        csrf_header: str = "X-CSRF-Token",
        refresh_paths: tuple[str, ...] = ("/refresh", "/logout"),
        max_body: int = DEFAULT_MAX_BODY,
        verifier: AccessTokenVerifier | None = None,
        dpop: DPoPPolicy | bool | None = None,
    ) -> None:
        config = GuardConfig(
            realm=realm, cookies=cookies, cookie_secure=cookie_secure,
            access_cookie=access_cookie, refresh_cookie=refresh_cookie,
            csrf_cookie=csrf_cookie, csrf_header=csrf_header, refresh_paths=refresh_paths,
            max_body=max_body,
            dpop=policy_of(dpop),
        )
        self._config = config
        self._hooks = GuardHooks()
        # Options and hooks are shared by every app; the service here is only the default.
        self._default = GuardCore(service, config, self._hooks, verifier=verifier)
        self._error_hook: Callable[[AuthFailure], Response | None] | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, service: TokenService | None = None) -> None:
        """Register with ``app``, which is then served by ``service`` (default: the one given
        to the constructor). Other apps of this manager keep their own services."""
        bound = service if service is not None else self._default.service
        core = GuardCore(bound, self._config, self._hooks, verifier=self._default.verifier)
        core.require_bound()
        registered = app.extensions.get(_EXTENSION)
        if registered is not None and getattr(registered, "manager", None) is not self:
            raise InvalidArgumentError("another JWTManager is already registered with this app")
        app.extensions[_EXTENSION] = _AppState(self, core)
        app.register_error_handler(RequestBodyError, self._body_error)

    def _core(self) -> GuardCore:
        """The current app's guard; outside an application context, the constructor's."""
        if not has_app_context():
            if self._default.service is None and self._default.verifier is None:
                raise InvalidArgumentError(
                    "no TokenService outside an application context: this manager has one "
                    "per app, so use it inside `with app.app_context():`"
                )
            return self._default
        registered = current_app.extensions.get(_EXTENSION)
        if not isinstance(registered, _AppState) or registered.manager is not self:
            raise InvalidArgumentError(
                f"the app {current_app.name!r} is not registered with this JWTManager: "
                "call init_app(app)"
            )
        return registered.core

    def _body_error(self, exc: RequestBodyError) -> Response:
        return self.error_response(classify(exc, None, ""))

    @property
    def service(self) -> TokenService:
        """The current app's token service (the constructor's outside an app context)."""
        return self._core().require_service()

    # --- hooks --------------------------------------------------------------------------

    def user_loader(self, callback: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        """Decorator: ``callback(claims)`` returns the user for :func:`current_user`, or None
        to refuse the request (401 ``user_not_found``)."""
        self._hooks.user_loader = callback
        return callback

    def additional_claims(
        self, callback: Callable[[str], Mapping[str, Any]]
    ) -> Callable[..., Any]:
        """Decorator: ``callback(identity)`` returns extra claims for every pair issued."""
        self._hooks.claims_hook = callback
        return callback

    def error_handler(
        self, callback: Callable[[AuthFailure], Response | None]
    ) -> Callable[..., Any]:
        """Decorator: ``callback(failure)`` may return a custom response; None keeps ours."""
        self._error_hook = callback
        return callback

    # --- the guard ----------------------------------------------------------------------

    def required(
        self, *, optional: bool = False, refresh: bool = False, fresh: bool = False,
        scopes: Iterable[str] = (),
    ) -> Callable[[F], F]:
        """Decorator guarding a view.

        ``optional``: a request without any token passes with :func:`current_claims` None (a
        bad token is still refused). ``refresh``: the view takes a refresh token (cookie,
        header, or JSON ``refresh_token``), which is spent; :func:`current_pair` is the new
        pair. ``fresh``: only an access token issued by a login passes (reason ``not_fresh``,
        answered as docs/integrations.md's error table says). ``scopes``: scope tokens the
        access token's ``scope`` claim must all hold (403 ``insufficient_scope`` otherwise).
        """
        needed = self._default.check_variant(refresh=refresh, fresh=fresh, scopes=scopes)

        def decorate(view: F) -> F:
            # Flask runs a coroutine view through ensure_sync; a plain one is called directly.
            call = view if not inspect.iscoroutinefunction(view) else None

            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                core = self._core()
                try:
                    auth = core.authenticate(
                        _request_view(core.config), optional=optional,
                        refresh=refresh, fresh=fresh, scopes=needed,
                    )
                except AuthRefused as refused:
                    return self.error_response(refused.failure)
                setattr(g, _G_KEY, auth)
                if auth.dpop_nonce is not None:
                    _send_nonce(auth.dpop_nonce)
                if call is not None:
                    return call(*args, **kwargs)
                return current_app.ensure_sync(view)(*args, **kwargs)

            return cast("F", wrapper)

        return decorate

    def error_response(self, failure: AuthFailure) -> Response:
        """The response for ``failure``: the error hook's, else JSON + ``WWW-Authenticate``."""
        if self._error_hook is not None:
            custom = self._error_hook(failure)
            if custom is not None:
                return custom
        response = jsonify(failure.body())
        response.status_code = failure.status
        response.headers.update(failure.headers(self._config.realm))
        return response

    # --- endpoint helpers ---------------------------------------------------------------

    def issue(self, identity: str, claims: Mapping[str, Any] | None = None) -> TokenPair:
        """A new pair for ``identity`` (a login), with the additional-claims hook applied."""
        return self._core().issue(identity, claims)

    def login_response(
        self, identity: str, claims: Mapping[str, Any] | None = None
    ) -> Response:
        """Issue a pair and answer with it (RFC 6749 §5.1), or set it in cookies. With DPoP,
        a proof on the request binds the pair to its key (RFC 9449 §5); a bad one is
        answered 400 ``invalid_dpop_proof`` or ``use_dpop_nonce``."""
        core = self._core()
        jkt = None
        if core.config.dpop is not None:
            try:
                jkt, nonce = core.token_request_proof(_request_view(core.config))
            except AuthRefused as refused:
                return self.error_response(refused.failure)
            if nonce is not None:
                _send_nonce(nonce)
        return self.token_response(core.issue(identity, claims, jkt=jkt))

    def token_response(self, pair: TokenPair) -> Response:
        """Answer with ``pair``: the JSON body, or cookies plus ``token_type``/``expires_in``."""
        # Only the options are needed here, and they are the same for every app.
        response = jsonify(self._default.pair_body(pair))
        if self._config.cookies:
            for name, value, path, httponly, max_age in self._default.cookies_to_set(pair):
                response.set_cookie(
                    name, value, path=path, httponly=httponly, max_age=max_age,
                    secure=self._config.cookie_secure, samesite="Strict",
                )
        return response

    def refresh_response(self) -> Response:
        """Inside ``required(refresh=True)``: answer with the new pair."""
        pair = current_pair()
        if pair is None:
            raise InvalidArgumentError("refresh_response() needs @required(refresh=True)")
        return self.token_response(pair)

    def logout_response(self) -> Response:
        """Inside ``required()``: revoke the request's token and its login, clear cookies."""
        token = current_token()
        if token is None:
            raise InvalidArgumentError("logout_response() needs a token: use @required()")
        try:
            self._core().logout(token)
        except AuthRefused as refused:
            return self.error_response(refused.failure)
        response = jsonify(revoked=True)
        if self._config.cookies:
            for name, path in self._default.cookies_to_clear():
                response.delete_cookie(
                    name, path=path, secure=self._config.cookie_secure, samesite="Strict"
                )
        return response


def _send_nonce(nonce: str) -> None:
    """RFC 9449 §8.2: ``nonce`` in a ``DPoP-Nonce`` header of this request's answer, whatever
    the view returns (a dict, a tuple, a Response). Flask keeps ``after_this_request``
    functions in the request's own context, so concurrent requests never see each other's."""

    def add(response: Response) -> Response:
        # A header the view set itself is the application's choice: kept.
        response.headers.setdefault("DPoP-Nonce", nonce)
        return response

    after_this_request(add)


def _request_view(config: GuardConfig) -> RequestView:
    headers = request.headers
    # Parsing the Cookie header costs more than verifying an HS256 token: only in cookie mode.
    cookies = config.cookies
    # A WSGI server joins repeated header lines with ", " (PEP 3333, RFC 9110 §5.3), so get()
    # already sees every line, as one_header() gives jwtlite.starlette, at the cost of one
    # environ lookup (getlist() walks the whole environ). Cookies are parsed by the guard's own
    # rules, so that a repeated name is refused under both frameworks.
    cookie_line = headers.get("Cookie") if cookies else None
    return RequestView(
        method=request.method,
        authorization=headers.get("Authorization"),
        cookies=parse_cookies(() if cookie_line is None else (cookie_line,)),
        csrf_header=headers.get(config.csrf_header) if cookies else None,
        body=lambda: _capped_data(config.max_body),
        content_type=headers.get("Content-Type"),
        # Every value: two DPoP headers are refused (RFC 9449 §4.3 check 1).
        dpop=tuple(headers.getlist("DPoP")) if config.dpop is not None else (),
        url=lambda: request.base_url,
        # Werkzeug builds both from one host: base_url is host_url less its "/", then the path.
        target=lambda: request.base_url[len(request.host_url) - 1 :],
        # In the WSGI environ, which is this request's alone (g may outlive it).
        dpop_verified=request.environ.setdefault(_VERIFIED_KEY, {}) if config.dpop else None,
    )


def _capped_data(limit: int) -> bytes:
    """The request body, held to ``limit`` bytes by :class:`BodyCap` whatever the app's
    ``MAX_CONTENT_LENGTH`` (a 413 :class:`RequestBodyError` from ``Content-Length`` before
    reading, else after reading one byte past the cap); then readable again by the view."""
    cap = BodyCap(limit, request.headers.get("Content-Length"))
    # Werkzeug keeps a body that get_data() read here; it is already in memory, but the cap
    # still decides, so the answer does not depend on what the app read first.
    cached: bytes | None = getattr(request, "_cached_data", None)
    if cached is not None:
        cap.add(cached)
        return cached
    stream = request.stream
    while True:
        chunk = stream.read(min(cap.room(), _READ_SIZE))
        if not chunk:
            break
        cap.add(chunk)
    body = cap.body()
    # Where get_data() would have kept it: get_data(), get_json() and form parsing read it again.
    request._cached_data = body
    return body


def json_fields(*names: str) -> dict[str, str]:
    """The named string members of the request's JSON object body.

    Raises :class:`RequestBodyError`, answered by the manager with 415 when the request does
    not declare ``Content-Type: application/json`` (a cross-site HTML form cannot send that),
    400 ``invalid_request`` when the body is not a JSON object, nests too deep, or a member
    is missing or not a clean string, or 413 when the body is longer than the app's manager's
    ``max_body`` (the default cap in an app without a manager).
    """
    registered = current_app.extensions.get(_EXTENSION)
    config = registered.core.config if isinstance(registered, _AppState) else GuardConfig()
    content_type = request.headers.get("Content-Type")  # repeated lines: joined by WSGI
    return json_body_fields(content_type, _capped_data(config.max_body), *names)


def _auth() -> Authenticated | None:
    auth: Authenticated | None = g.get(_G_KEY)
    return auth


def current_claims() -> dict[str, Any] | None:
    """The verified claims of this request (None outside a guard, or optional and absent)."""
    auth = _auth()
    return None if auth is None else auth.claims


def current_identity() -> str | None:
    """The ``sub`` claim of this request's token."""
    claims = current_claims()
    return None if claims is None else cast("str", claims["sub"])


def current_user() -> Any:
    """What the user loader returned for this request (None without a loader)."""
    auth = _auth()
    return None if auth is None else auth.user


def current_token() -> str | None:
    """The raw token this request presented."""
    auth = _auth()
    return None if auth is None else auth.token


def current_pair() -> TokenPair | None:
    """The new pair, inside ``required(refresh=True)``."""
    auth = _auth()
    return None if auth is None else auth.pair
