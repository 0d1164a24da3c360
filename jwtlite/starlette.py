"""Starlette and FastAPI integration: one dependency per route (extra ``jwtlite[fastapi]``).

::

    auth = JWTAuth(service)
    auth.init_app(app)          # optional: JSON error bodies in jwtlite's shape

    @app.get("/me")
    async def me(claims: dict = Depends(auth)):
        return {"sub": claims["sub"]}

``Depends(auth)`` yields the verified claims of the access token; :meth:`JWTAuth.required`
builds variants (optional, refresh token, fresh only). Token verification and the revocation
store run in a worker thread, so a slow store (SQLite on a busy disk, Redis over the network)
never blocks the event loop. Under FastAPI every dependency declares an HTTP bearer security
scheme in the OpenAPI document.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the dependencies' signatures at
# run time, and older FastAPI cannot resolve string annotations on a callable instance.
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Optional

# Starlette is an optional dependency: only users of this module need it installed.
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._guard import (
    Authenticated,
    AuthFailure,
    AuthRefused,
    GuardConfig,
    GuardCore,
    RequestBodyError,
    RequestView,
    classify,
    json_body_fields,
)
from .exceptions import InvalidArgumentError
from .tokens import TokenPair, TokenService

if TYPE_CHECKING:
    from starlette.applications import Starlette

try:  # FastAPI is optional: with it, dependencies declare an OpenAPI security scheme.
    from fastapi.openapi.models import HTTPBearer as _BearerModel
    from fastapi.security.base import SecurityBase as _SecurityBase
except ImportError:  # pragma: no cover - plain Starlette
    _SecurityBase = object  # type: ignore[misc,assignment]
    _BearerModel = None  # type: ignore[misc,assignment]

__all__ = ["AuthFailure", "JWTAuth", "JWTAuthError", "JWTDependency"]

_STATE_KEY = "jwtlite_auth"


class JWTAuthError(HTTPException):
    """A refused request: status, ``WWW-Authenticate`` and :attr:`failure` (the JSON body).

    Without :meth:`JWTAuth.init_app` FastAPI renders it as ``{"detail": message}``; with it,
    as ``{"error", "reason", "message"}`` (or whatever the error hook returns).
    """

    def __init__(self, failure: AuthFailure, realm: str) -> None:
        self.failure = failure
        super().__init__(failure.status, failure.message, failure.headers(realm))


def _declare_scheme(dependency: Any, scheme_name: str) -> None:
    """What FastAPI reads to list an HTTP bearer scheme in OpenAPI (RFC 6750 over JWT)."""
    dependency.scheme_name = scheme_name
    if _BearerModel is not None:
        dependency.model = _BearerModel(bearerFormat="JWT")


class JWTDependency(_SecurityBase):
    """One guard variant; ``await dependency(request)`` returns the verified claims."""

    def __init__(
        self, auth: "JWTAuth", *, optional: bool, refresh: bool, fresh: bool, scheme_name: str
    ) -> None:
        self._auth = auth
        self._options = {"optional": optional, "refresh": refresh, "fresh": fresh}
        _declare_scheme(self, scheme_name)

    async def __call__(self, request: Request) -> Optional[dict[str, Any]]:
        core = self._auth.core
        body = await request.body() if self._options["refresh"] else b""
        view = RequestView(
            method=request.method,
            authorization=request.headers.get("authorization"),
            cookies=request.cookies,
            csrf_header=request.headers.get(core.config.csrf_header),
            body=lambda: body,
            content_type=request.headers.get("content-type"),
        )
        try:
            auth: Authenticated = await run_in_threadpool(
                lambda: core.authenticate(view, **self._options)
            )
        except AuthRefused as refused:
            raise JWTAuthError(refused.failure, core.config.realm) from None
        setattr(request.state, _STATE_KEY, auth)
        return auth.claims


class JWTAuth(_SecurityBase):
    """Binds a :class:`TokenService` to Starlette/FastAPI routes.

    Takes the same options as :class:`jwtlite.flask.JWTManager`. The instance itself is the
    plain dependency (a valid access token required); :meth:`required` builds the others.
    """

    def __init__(
        self,
        service: TokenService,
        *,
        realm: str = "api",
        cookies: bool = False,
        cookie_secure: bool = True,
        access_cookie: str = "access_token",
        refresh_cookie: str = "refresh_token",
        csrf_cookie: str = "csrf_token",
        csrf_header: str = "X-CSRF-Token",
        refresh_paths: tuple[str, ...] = ("/refresh", "/logout"),
        scheme_name: str = "JWT",
    ) -> None:
        config = GuardConfig(
            realm=realm, cookies=cookies, cookie_secure=cookie_secure,
            access_cookie=access_cookie, refresh_cookie=refresh_cookie,
            csrf_cookie=csrf_cookie, csrf_header=csrf_header, refresh_paths=refresh_paths,
        )
        self.core = GuardCore(service, config)
        self._scheme_name = scheme_name
        _declare_scheme(self, scheme_name)
        self._error_hook: Optional[Callable[[AuthFailure], Optional[Response]]] = None
        self._default = self.required()

    @property
    def service(self) -> TokenService:
        """The bound token service."""
        return self.core.require_service()

    def required(
        self, *, optional: bool = False, refresh: bool = False, fresh: bool = False
    ) -> JWTDependency:
        """A dependency: ``optional`` lets a request without any token through (claims None);
        ``refresh`` spends a refresh token (cookie, header or JSON ``refresh_token``) and
        leaves the new pair for :meth:`pair`; ``fresh`` admits only login-issued tokens."""
        if refresh and fresh:
            raise InvalidArgumentError("a refresh guard cannot also demand a fresh token")
        return JWTDependency(
            self, optional=optional, refresh=refresh, fresh=fresh, scheme_name=self._scheme_name
        )

    async def __call__(self, request: Request) -> Optional[dict[str, Any]]:
        return await self._default(request)

    # --- hooks --------------------------------------------------------------------------

    def user_loader(self, callback: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        """Decorator: ``callback(claims)`` (run in a worker thread) returns the user for
        :meth:`user`, or None to refuse the request (401 ``user_not_found``)."""
        self.core.hooks.user_loader = callback
        return callback

    def additional_claims(
        self, callback: Callable[[str], Mapping[str, Any]]
    ) -> Callable[..., Any]:
        """Decorator: ``callback(identity)`` returns extra claims for every pair issued."""
        self.core.hooks.claims_hook = callback
        return callback

    def error_handler(
        self, callback: Callable[[AuthFailure], Optional[Response]]
    ) -> Callable[..., Any]:
        """Decorator: ``callback(failure)`` may return a custom response; None keeps ours."""
        self._error_hook = callback
        return callback

    def init_app(self, app: "Starlette") -> None:
        """Answer refusals with jwtlite's JSON body (and the error hook) instead of FastAPI's
        ``{"detail": ...}``."""

        async def handler(_request: Request, exc: Exception) -> Response:
            assert isinstance(exc, JWTAuthError)  # noqa: S101 - registered for this type only
            return self.error_response(exc.failure)

        app.add_exception_handler(JWTAuthError, handler)

    def error_response(self, failure: AuthFailure) -> Response:
        """The response for ``failure``: the error hook's, else JSON + ``WWW-Authenticate``."""
        if self._error_hook is not None:
            custom = self._error_hook(failure)
            if custom is not None:
                return custom
        return JSONResponse(
            failure.body(), status_code=failure.status,
            headers=failure.headers(self.core.config.realm),
        )

    async def json_fields(self, request: Request, *names: str) -> dict[str, str]:
        """The named string members of the JSON object body; :class:`JWTAuthError`: 415 when
        the request does not declare ``Content-Type: application/json`` (login CSRF), 400
        ``invalid_request`` when the body is not a JSON object, nests too deep, or a member
        is missing or not a clean string."""
        raw = await request.body()
        try:
            return json_body_fields(request.headers.get("content-type"), raw, *names)
        except RequestBodyError as exc:
            raise JWTAuthError(classify(exc, None, ""), self.core.config.realm) from None

    # --- per-request state and endpoint helpers -------------------------------------------

    @staticmethod
    def _state(request: Request) -> Optional[Authenticated]:
        auth: Optional[Authenticated] = getattr(request.state, _STATE_KEY, None)
        return auth

    def user(self, request: Request) -> Any:
        """What the user loader returned for this request."""
        auth = self._state(request)
        return None if auth is None else auth.user

    def pair(self, request: Request) -> TokenPair:
        """The new pair, after a ``required(refresh=True)`` dependency ran."""
        auth = self._state(request)
        if auth is None or auth.pair is None:
            raise InvalidArgumentError("pair() needs a required(refresh=True) dependency")
        return auth.pair

    def login_response(
        self, identity: str, claims: Optional[Mapping[str, Any]] = None
    ) -> Response:
        """Issue a pair and answer with it (RFC 6749 §5.1), or set it in cookies."""
        return self.token_response(self.core.issue(identity, claims))

    def token_response(self, pair: TokenPair) -> Response:
        """Answer with ``pair``: the JSON body, or cookies plus ``token_type``/``expires_in``."""
        response = JSONResponse(self.core.pair_body(pair))
        if self.core.config.cookies:
            for name, value, path, httponly, max_age in self.core.cookies_to_set(pair):
                response.set_cookie(
                    name, value, path=path, httponly=httponly, max_age=max_age,
                    secure=self.core.config.cookie_secure, samesite="strict",
                )
        return response

    def refresh_response(self, request: Request) -> Response:
        """After a ``required(refresh=True)`` dependency: answer with the new pair."""
        return self.token_response(self.pair(request))

    async def logout_response(self, request: Request) -> Response:
        """After a ``required()`` dependency: revoke the token and its login, clear cookies."""
        auth = self._state(request)
        if auth is None or auth.token is None:
            raise InvalidArgumentError("logout_response() needs a required() dependency")
        token = auth.token
        try:
            await run_in_threadpool(lambda: self.core.logout(token))
        except AuthRefused as refused:
            return self.error_response(refused.failure)
        response = JSONResponse({"revoked": True})
        if self.core.config.cookies:
            for name, path in self.core.cookies_to_clear():
                response.delete_cookie(
                    name, path=path, secure=self.core.config.cookie_secure, samesite="strict"
                )
        return response
