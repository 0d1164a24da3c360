"""Starlette and FastAPI integration: one dependency per route (extra ``jwtlite[fastapi]``).

::

    auth = JWTAuth(service)
    auth.init_app(app)          # optional: JSON error bodies in jwtlite's shape

    @app.get("/me")
    async def me(claims: dict = Depends(auth)):
        return {"sub": claims["sub"]}

``Depends(auth)`` yields the verified claims of the access token; :meth:`JWTAuth.required`
builds variants (optional, refresh token, fresh only), and ``Depends(auth.password_form)``
reads an OAuth 2 password grant for a token endpoint. Token verification and the revocation
store run in a worker thread, so a slow store (SQLite on a busy disk, Redis over the network)
never blocks the event loop. A body read before authentication is capped (413).

As a resource server for an external authorization server, build ``JWTAuth(verifier=...)``
with an :class:`~jwtlite.access_token.AccessTokenVerifier` (for example from its JWKS URI)
instead of a service: the dependencies then accept its RFC 9068 access tokens, and
``auth.required(scopes=[...])`` demands scopes of them (403 ``insufficient_scope``).

With ``dpop=`` (a :class:`~jwtlite.dpop.DPoPPolicy`, or True) the dependencies also accept
DPoP-bound tokens (RFC 9449): ``Authorization: DPoP <token>`` with a ``DPoP`` proof of the
request; ``await auth.login(request, identity)`` binds a login's tokens to the key of the
request's proof, and a refresh carrying a proof keeps them bound. When the policy demands
nonces, a request whose nonce has been superseded gets the current one in a ``DPoP-Nonce``
header of its successful answer (RFC 9449 §8.2): jwtlite's own answers (login, refresh,
logout) always, the application's after :meth:`JWTAuth.init_app`, which adds a small ASGI
middleware for it (FastAPI drops a dependency's headers when a route returns a Response).

Under FastAPI every guard declares a security scheme in the OpenAPI document: HTTP bearer, or
with ``token_url`` the OAuth 2 password flow that Swagger UI's **Authorize** button logs in
with; refresh routes have a scheme of their own. After :meth:`JWTAuth.init_app` the document
also lists each guarded route's refusals (400/401/413/415/503), the bodies the guards read,
and optional guards as optional. With ``dpop=``, access routes name the ``DPoP`` HTTP scheme
(``dpop_scheme_name``): alone when DPoP is required, else (after ``init_app``) as an
alternative to the bearer scheme; refresh and ``password_form`` routes, token requests whose
proof binds the new pair, list the ``DPoP`` header as a parameter (after ``init_app``).
"""

# No ``from __future__ import annotations`` here: FastAPI reads the dependencies' signatures at
# run time, and older FastAPI cannot resolve string annotations on a callable instance.
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Optional, Union

# Starlette is an optional dependency: only users of this module need it installed.
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._guard import (
    DEFAULT_MAX_BODY,
    Authenticated,
    AuthFailure,
    AuthRefused,
    BodyCap,
    GuardConfig,
    GuardCore,
    PasswordForm,
    RequestBodyError,
    RequestView,
    classify,
    json_body_fields,
    one_header,
    parse_cookies,
    password_form,
    require_json_body,
)
from ._guard_dpop import policy_of
from ._openapi import OperationGuards
from ._starlette_nonce import NonceMiddleware, offer_nonce, with_nonce
from ._starlette_openapi import (
    SchemeTable,
    SecurityBase,
    check_options,
    declare_scheme,
    document_routes,
)
from .access_token import AccessTokenVerifier
from .dpop import DPoPPolicy
from .exceptions import InvalidArgumentError
from .tokens import TokenPair, TokenService

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["AuthFailure", "JWTAuth", "JWTAuthError", "JWTDependency", "PasswordForm"]

_STATE_KEY = "jwtlite_auth"
# The DPoP proofs this request's guards verified (each is checked once per request).
_VERIFIED_KEY = "jwtlite.dpop_verified"


class JWTAuthError(HTTPException):
    """A refused request: status, ``WWW-Authenticate`` and :attr:`failure` (the JSON body).

    Without :meth:`JWTAuth.init_app` FastAPI renders it as ``{"detail": message}``; with it,
    as ``{"error", "reason", "message"}`` (or whatever the error hook returns).
    """

    def __init__(self, failure: AuthFailure, realm: str) -> None:
        self.failure = failure
        super().__init__(failure.status, failure.message, failure.headers(realm))


@contextmanager
def _answering_body_errors(realm: str) -> Iterator[None]:
    """A body the guard cannot take (too large, not JSON, not the expected fields) becomes
    the :class:`JWTAuthError` that answers it."""
    try:
        yield
    except RequestBodyError as exc:
        raise JWTAuthError(classify(exc, None, ""), realm) from None


async def _capped_body(request: Request, limit: int) -> bytes:
    """The body, held to ``limit`` bytes by :class:`BodyCap` (a 413 :class:`RequestBodyError`
    from ``Content-Length`` before reading, else after reading at most one chunk past it)."""
    cap = BodyCap(limit, request.headers.get("content-length"))
    stream = request.stream()
    try:
        async for chunk in stream:
            cap.add(chunk)
    finally:
        await stream.aclose()
    body = cap.body()
    # Starlette's Request.body() keeps the body here once read, so the endpoint (and FastAPI)
    # can read it again after this dependency consumed the stream.
    request._body = body
    return body


class JWTDependency(SecurityBase):
    """One guard variant; ``await dependency(request)`` returns the verified claims."""

    def __init__(
        self, auth: "JWTAuth", *, optional: bool, refresh: bool, fresh: bool,
        scopes: tuple[str, ...] = (),
    ) -> None:
        self._auth = auth
        self._options = {"optional": optional, "refresh": refresh, "fresh": fresh}
        self._scopes = scopes
        declare_scheme(self, auth._scheme(refresh=refresh))

    def _describe(self) -> OperationGuards:
        return OperationGuards(guarded=True, **self._options, scopes=self._scopes)

    async def __call__(self, request: Request) -> Optional[dict[str, Any]]:
        auth = self._auth
        core = auth.core
        body = b""
        if self._options["refresh"]:
            with _answering_body_errors(core.config.realm):
                body = await _capped_body(request, auth.max_body)
        view = _request_view(request, core, body)
        try:
            result: Authenticated = await run_in_threadpool(
                lambda: core.authenticate(view, **self._options, scopes=self._scopes)
            )
        except AuthRefused as refused:
            raise JWTAuthError(refused.failure, core.config.realm) from None
        setattr(request.state, _STATE_KEY, result)
        offer_nonce(request, result.dpop_nonce)
        return result.claims


def _content_type(request: Request) -> Optional[str]:
    return one_header(request.headers.getlist("content-type"))


def _target(request: Request) -> str:
    """``request.url`` after its authority, cut where Starlette built it: the same scope less
    its path and query gives the scheme and authority alone (a ``Host`` of "rs.example/x"
    stays in the authority). Starlette's releases build the URL differently; this follows."""
    origin = str(URL(scope={**request.scope, "root_path": "", "path": "", "query_string": b""}))
    url = str(request.url)
    return url[len(origin) :] if url.startswith(origin) else url


def _request_view(request: Request, core: GuardCore, body: bytes = b"") -> RequestView:
    # Every line of each header, and the cookies parsed by the guard's own rules, as in
    # jwtlite.flask: Starlette's headers.get() reads the first line and request.cookies keeps
    # the last of a repeated name, either of which would let this app and a proxy disagree.
    headers = request.headers
    cookies = core.config.cookies
    return RequestView(
        method=request.method,
        authorization=one_header(headers.getlist("authorization")),
        cookies=parse_cookies(headers.getlist("cookie")) if cookies else {},
        csrf_header=one_header(headers.getlist(core.config.csrf_header)) if cookies else None,
        body=lambda: body,
        content_type=_content_type(request),
        # Every value: two DPoP headers are refused (RFC 9449 §4.3 check 1).
        dpop=tuple(request.headers.getlist("dpop")) if core.config.dpop is not None else (),
        url=lambda: str(request.url),
        target=lambda: _target(request),
        dpop_verified=request.scope.setdefault(_VERIFIED_KEY, {}) if core.config.dpop else None,
    )


class _PasswordFormDependency:
    """``Depends(auth.password_form)``: the password grant a token endpoint receives."""

    def __init__(self, auth: "JWTAuth") -> None:
        self._auth = auth

    async def __call__(self, request: Request) -> PasswordForm:
        auth = self._auth
        if auth.core.config.cookies:
            # A cross-site HTML form can post this body; in cookie mode the answer would log
            # the victim's browser in (login CSRF). The password flow hands tokens to clients.
            raise InvalidArgumentError("password_form is for header mode (cookies=False)")
        with _answering_body_errors(auth.core.config.realm):
            body = await _capped_body(request, auth.max_body)
            return password_form(_content_type(request), body)


class JWTAuth(SecurityBase):
    """Binds a :class:`TokenService` to Starlette/FastAPI routes (or, with ``verifier=``, an
    external authorization server's access tokens: a resource server).

    Takes the same options as :class:`jwtlite.flask.JWTManager`. The instance itself is the
    plain dependency (a valid access token required); :meth:`required` builds the others.
    FastAPI's OpenAPI document names the access scheme ``scheme_name`` (HTTP bearer, or with
    ``token_url`` the OAuth 2 password flow) and the refresh scheme ``refresh_scheme_name``;
    with ``dpop=``, ``dpop_scheme_name`` is the DPoP scheme of access routes (RFC 9449 §7.1). A
    body read before authentication (refresh token, password grant) is refused with 413 above
    ``max_body`` bytes (default: the largest token jwtlite verifies, plus 4 KiB).
    """

    def __init__(
        self,
        service: Optional[TokenService] = None,
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
        refresh_scheme_name: str = "JWTRefresh",
        token_url: Optional[str] = None,
        max_body: int = DEFAULT_MAX_BODY,
        verifier: Optional[AccessTokenVerifier] = None,
        dpop: Optional[Union[DPoPPolicy, bool]] = None,
        dpop_scheme_name: str = "DPoP",
    ) -> None:
        names = (scheme_name, refresh_scheme_name) + ((dpop_scheme_name,) if dpop else ())
        check_options(cookies, names, token_url)
        config = GuardConfig(
            realm=realm, cookies=cookies, cookie_secure=cookie_secure,
            access_cookie=access_cookie, refresh_cookie=refresh_cookie,
            csrf_cookie=csrf_cookie, csrf_header=csrf_header, refresh_paths=refresh_paths,
            max_body=max_body,
            dpop=policy_of(dpop),
        )
        self.core = GuardCore(service, config, verifier=verifier)
        self.core.require_bound()
        self._schemes = SchemeTable(
            access=scheme_name, refresh=refresh_scheme_name, dpop=dpop_scheme_name,
            token_url=token_url, policy=config.dpop,
        )
        declare_scheme(self, self._scheme(refresh=False))
        self._error_hook: Optional[Callable[[AuthFailure], Optional[Response]]] = None
        self._default = self.required()
        #: ``Depends(auth.password_form)``: the :class:`PasswordForm` of a token endpoint (the
        #: ``token_url`` of Swagger UI's Authorize button), or 400/413/415 :class:`JWTAuthError`
        #: (415: a body not sent as ``application/x-www-form-urlencoded``, RFC 6749 §4.3.2).
        self.password_form = _PasswordFormDependency(self)

    @property
    def service(self) -> TokenService:
        """The bound token service."""
        return self.core.require_service()

    @property
    def max_body(self) -> int:
        """The largest body read before authentication, in bytes."""
        return self.core.config.max_body

    def required(
        self, *, optional: bool = False, refresh: bool = False, fresh: bool = False,
        scopes: Iterable[str] = (),
    ) -> JWTDependency:
        """A dependency: ``optional`` lets a request without any token through (claims None);
        ``refresh`` spends a refresh token (cookie, header or JSON ``refresh_token``) and
        leaves the new pair for :meth:`pair`; ``fresh`` admits only login-issued tokens;
        ``scopes`` must all be in the access token's ``scope`` claim (403 otherwise)."""
        needed = self.core.check_variant(refresh=refresh, fresh=fresh, scopes=scopes)
        return JWTDependency(self, optional=optional, refresh=refresh, fresh=fresh,
                             scopes=needed)

    def _scheme(self, *, refresh: bool) -> tuple[str, Any]:
        """(name, OpenAPI model) of the access or the refresh scheme."""
        return self._schemes.scheme(refresh=refresh)

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
        ``{"detail": ...}``; under FastAPI, also document them in the OpenAPI document."""

        async def handler(_request: Request, exc: Exception) -> Response:
            assert isinstance(exc, JWTAuthError)  # noqa: S101 - registered for this type only
            return self.error_response(exc.failure)

        app.add_exception_handler(JWTAuthError, handler)
        dpop = self.core.config.dpop
        if dpop is not None and dpop.nonces is not None:
            app.add_middleware(NonceMiddleware)
        document_routes(app, self._schemes, self._guards)

    def _guards(self, calls: Iterator[Any]) -> OperationGuards:
        """What this instance's dependencies among ``calls`` do, together."""
        guards = []
        form = False
        for call in calls:
            dependency = self._default if call is self else call
            if isinstance(dependency, JWTDependency) and dependency._auth is self:
                guards.append(dependency._describe())
            form = form or call is self.password_form
        return OperationGuards(
            guarded=bool(guards),
            optional=bool(guards) and all(guard.optional for guard in guards),
            fresh=any(guard.fresh for guard in guards),
            refresh=any(guard.refresh for guard in guards),
            password_form=form,
            scopes=tuple(dict.fromkeys(s for guard in guards for s in guard.scopes)),
        )

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
        is missing or not a clean string, 413 when it is longer than ``max_body``."""
        with _answering_body_errors(self.core.config.realm):
            raw = await _capped_body(request, self.max_body)
            return json_body_fields(_content_type(request), raw, *names)

    async def json_body(self, request: Request) -> None:
        """A route dependency for a JSON body that FastAPI parses itself (a pydantic model):
        :class:`JWTAuthError` 415 unless the request declares a JSON media type (see
        :meth:`json_fields` for why), 413 above ``max_body``. FastAPI solves dependencies
        before it validates the body, so the refusal comes first::

            @app.post("/login", dependencies=[Depends(auth.json_body)])
            async def login(credentials: Credentials) -> Response: ...
        """
        with _answering_body_errors(self.core.config.realm):
            raw = await _capped_body(request, self.max_body)
            require_json_body(_content_type(request), raw)

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
        """Issue a pair and answer with it (RFC 6749 §5.1), or set it in cookies. It sees no
        request, so no DPoP proof: with DPoP, use :meth:`login`."""
        return self.token_response(self.core.issue(identity, claims))

    async def login(
        self, request: Request, identity: str, claims: Optional[Mapping[str, Any]] = None
    ) -> Response:
        """:meth:`login_response` for ``request``: with DPoP, a proof on the request binds the
        pair to its key (RFC 9449 §5), checked in a worker thread; a bad one is answered 400
        ``invalid_dpop_proof`` or ``use_dpop_nonce``."""
        core = self.core
        jkt = nonce = None
        if core.config.dpop is not None:
            view = _request_view(request, core)
            try:
                jkt, nonce = await run_in_threadpool(lambda: core.token_request_proof(view))
            except AuthRefused as refused:
                return self.error_response(refused.failure)
        return with_nonce(self.token_response(core.issue(identity, claims, jkt=jkt)), nonce)

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
        auth = self._state(request)
        nonce = None if auth is None else auth.dpop_nonce
        return with_nonce(self.token_response(self.pair(request)), nonce)

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
        response = with_nonce(JSONResponse({"revoked": True}), auth.dpop_nonce)
        if self.core.config.cookies:
            for name, path in self.core.cookies_to_clear():
                response.delete_cookie(
                    name, path=path, secure=self.core.config.cookie_secure, samesite="strict"
                )
        return response

