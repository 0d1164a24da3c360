"""How a guard answers a refused request: each failure classified into its RFC 6750 answer
(status, ``error`` code, a stable ``reason`` word, a message that never echoes the token) and
the headers that go with it (``WWW-Authenticate``, with DPoP's challenge and nonce, RFC 9449
§7.1; ``Retry-After`` for a 503; ``Accept`` for a 415).

Nothing here imports a web framework or reads a request; :mod:`jwtlite._guard` raises
:class:`AuthRefused` and the integrations turn its :class:`AuthFailure` into their response.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _guard_dpop
from ._guard_bodies import (
    _JSON_MEDIA_TYPE,
    RequestBodyError,
    _BodyTooLargeError,
    _MediaTypeError,
    _UnsupportedGrantError,
)
from ._guard_dpop import DPoPChallenge
from .api import PyJWS
from .bearer import www_authenticate
from .exceptions import (
    BearerError,
    DecodeError,
    ExpiredSignatureError,
    InsufficientScopeError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWKClientError,
    PyJWTError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    StaleTokenError,
)
from .tokens import ACCESS_TYP, REFRESH_TYP

__all__ = ["AuthFailure", "AuthRefused", "classify"]

# Seconds a client should wait before retrying when the revocation store is down.
_RETRY_AFTER = "5"


class _CSRFError(BearerError):
    """A cookie-authenticated, state-changing request lacks the double-submit header."""


class _CookieTokenError(BearerError):
    """The token cookie is sent twice or holds no token: malformed, said of the cookie (no
    ``Authorization`` header was read)."""


class _UnknownUserError(InvalidTokenError):
    """The user loader found no user for the token's subject."""


@dataclass(frozen=True)
class AuthFailure:
    """Why a request was refused and how to answer it (RFC 6750 §3).

    ``reason`` is a stable word for clients and logs: ``missing``, ``malformed``, ``bad_request``,
    ``unsupported_media_type``, ``csrf``, ``expired``, ``revoked``, ``wrong_token_type``,
    ``not_fresh``, ``user_not_found``, ``insufficient_scope``, ``invalid`` or ``unavailable``;
    with DPoP also ``invalid_dpop_proof``, ``dpop_nonce`` and ``dpop_binding``. ``message``
    never echoes token contents. ``scope`` is, for ``insufficient_scope``, what the request
    needs (the challenge's ``scope`` attribute, RFC 6750 §3). ``dpop``: the DPoP challenge and
    nonce to add, when DPoP is on.
    """

    status: int
    error: str | None
    reason: str
    message: str
    scope: str | None = None
    dpop: DPoPChallenge | None = None
    #: For a 415, the media type the body must have (the ``Accept`` header); JSON if None.
    accept: str | None = None

    def body(self) -> dict[str, str]:
        """The JSON body: ``{"error", "reason", "message"}``."""
        return {"error": self.error or "invalid_token", "reason": self.reason,
                "message": self.message}

    def headers(self, realm: str) -> dict[str, str]:
        """``WWW-Authenticate`` (RFC 6750 §3, with DPoP RFC 9449 §7.1), or ``Retry-After`` for
        a 503; with DPoP, a ``DPoP-Nonce`` when the server demands nonces."""
        headers = self._bearer_headers(realm)
        if self.dpop is None:
            return headers
        return self.dpop.headers(
            headers, error=self.error, message=self.message, realm=realm, scope=self.scope
        )

    def _bearer_headers(self, realm: str) -> dict[str, str]:
        if self.status == 503:
            return {"Retry-After": _RETRY_AFTER}
        if self.reason == "unsupported_media_type":
            # RFC 9110 §15.5.16: Accept can say which media types would have been accepted.
            return {"Accept": self.accept or _JSON_MEDIA_TYPE}
        if self.reason == "bad_request":
            # A bad body parameter is an OAuth error (RFC 6749 §5.2), not a bearer challenge.
            return {}
        if self.error is None:
            # RFC 6750 §3.1: no error code when the request carried no credentials.
            return {"WWW-Authenticate": www_authenticate(realm=realm)}
        challenge = www_authenticate(
            realm=realm, error=self.error, description=self.message, scope=self.scope
        )
        return {"WWW-Authenticate": challenge}


class AuthRefused(Exception):  # noqa: N818 - a control-flow signal, caught by the integrations
    """Raised by :meth:`GuardCore.authenticate`; the integration answers with ``failure``."""

    def __init__(self, failure: AuthFailure) -> None:
        self.failure = failure
        super().__init__(failure.message)


def _unverified_typ(token: str | None) -> object:
    """The header ``typ`` without verifying anything; used only to word an error message."""
    if token is None:
        return None
    try:
        return PyJWS().get_unverified_header(token).get("typ")
    except PyJWTError:
        return None


_SIMPLE: tuple[tuple[type[Exception], int, str | None, str, str], ...] = (
    (_UnsupportedGrantError, 400, "unsupported_grant_type", "bad_request", ""),
    (_BodyTooLargeError, 413, "invalid_request", "bad_request", ""),
    (RequestBodyError, 400, "invalid_request", "bad_request", ""),
    (_CSRFError, 401, "invalid_token", "csrf", "missing or wrong CSRF token"),
    (ExpiredSignatureError, 401, "invalid_token", "expired", "the token has expired"),
    (RevokedTokenError, 401, "invalid_token", "revoked", "the token has been revoked"),
    # RFC 9470 §3: the token is valid, but the login behind it does not meet the route's
    # authentication requirement (recentness here): 401, so the client logs in again.
    (StaleTokenError, 401, "insufficient_user_authentication", "not_fresh",
     "this action needs a fresh login"),
    (_UnknownUserError, 401, "invalid_token", "user_not_found", "the user no longer exists"),
)


def classify(exc: PyJWTError, token: str | None, expected_typ: str) -> AuthFailure:
    """The answer to one failure, naming it without echoing token contents."""
    dpop = _guard_dpop.classify_dpop(exc)
    if dpop is not None:
        return AuthFailure(*dpop)
    if isinstance(exc, RevocationStoreUnavailableError):
        # Not invalid_token: the token may be fine, and a client told so would throw it away
        # instead of retrying (RFC 6749 §4.1.2.1 names this condition).
        return AuthFailure(503, "temporarily_unavailable", "unavailable",
                           "the revocation store is unavailable")
    if isinstance(exc, PyJWKClientError):
        # The authorization server's JWKS cannot be fetched (and none is cached): as above,
        # the token may be fine. A kid it does not publish is UnusableKeyError: invalid_token.
        return AuthFailure(503, "temporarily_unavailable", "unavailable",
                           "the authorization server's keys are unavailable")
    if isinstance(exc, InsufficientScopeError):
        # RFC 6750 §3.1: insufficient_scope is answered 403, with the scope needed.
        return AuthFailure(403, "insufficient_scope", "insufficient_scope",
                           "the token lacks a scope this request needs", exc.scope)
    if isinstance(exc, BearerError) and not isinstance(exc, (_CSRFError, RequestBodyError)):
        if exc.error is None:
            return AuthFailure(401, None, "missing", "no access token was sent")
        # RFC 6750 §3.1: a malformed request is invalid_request (400), not invalid_token.
        message = (str(exc) if isinstance(exc, _CookieTokenError)
                   else "the Authorization header is not 'Bearer <token>'")
        return AuthFailure(400, "invalid_request", "malformed", message)
    if isinstance(exc, _MediaTypeError):
        return AuthFailure(415, "invalid_request", "unsupported_media_type", str(exc),
                           accept=exc.accepted)
    for kind, status, error, reason, message in _SIMPLE:
        if isinstance(exc, kind):
            return AuthFailure(status, error, reason, message or str(exc))
    typ = _unverified_typ(token)
    if typ == REFRESH_TYP and expected_typ == ACCESS_TYP:
        return AuthFailure(401, "invalid_token", "wrong_token_type",
                           "a refresh token cannot be used as an access token")
    if typ == ACCESS_TYP and expected_typ == REFRESH_TYP:
        return AuthFailure(401, "invalid_token", "wrong_token_type",
                           "an access token cannot be used to refresh")
    if isinstance(exc, DecodeError) and not isinstance(exc, InvalidSignatureError):
        return AuthFailure(401, "invalid_token", "malformed", "the token is malformed")
    return AuthFailure(401, "invalid_token", "invalid", "the token is not valid")
