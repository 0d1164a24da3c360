"""A small Flask API with login, protected route, refresh rotation and logout, on jwtlite.

Run it::

    JWT_SECRET="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \\
    REVOCATION_DB=/tmp/revoked.db python docs/examples/flask_app.py

Environment:

- ``PORT``: the port on 127.0.0.1 (default 5000).
- ``JWT_SECRET``: the HS256 secret, at least 32 bytes. Required unless ``JWT_DEV_SECRET=1``,
  which uses a random per-process secret (every restart logs everyone out).
- ``REVOCATION_DB``: an SQLite file for revocations that survive restarts (default: memory).
- ``AUTH_COOKIES=1``: carry tokens in ``Secure; HttpOnly; SameSite=Strict`` cookies instead of
  the response body. Cookies are sent by the browser automatically, so every state-changing
  request that authenticates by cookie must also echo the ``csrf_token`` cookie in an
  ``X-CSRF-Token`` header (double-submit); see docs/auth-flow.md.

The demo user is ``admin`` / ``password``, kept only as a salted scrypt hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, current_app, jsonify, request

from jwtlite.bearer import BearerError, parse_authorization_header, www_authenticate
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWTError,
    RevokedTokenError,
)
from jwtlite.revocation import MemoryStore, RevocationStore, SQLiteStore
from jwtlite.tokens import ACCESS_TYP, REFRESH_TYP, TokenService

ISSUER = "https://auth.example.test"
AUDIENCE = "https://api.example.test"
REALM = "jwtlite-example"
CSRF_HEADER = "X-CSRF-Token"

# scrypt cost (RFC 7914): N=2**14, r=8, p=1 uses 16 MiB and tens of milliseconds per guess.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class ConfigError(Exception):
    """The environment does not describe a runnable server."""


class CSRFError(BearerError):
    """A cookie-authenticated, state-changing request lacks the double-submit header."""


def hash_password(password: str, salt: bytes) -> bytes:
    """A salted scrypt hash of ``password``."""
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)


def _make_users() -> dict[str, tuple[bytes, bytes]]:
    salt = secrets.token_bytes(16)
    return {"admin": (salt, hash_password("password", salt))}


_USERS = _make_users()
# Unknown users are checked against this so that the response time does not reveal them.
_DUMMY = (b"\x00" * 16, b"\x00" * 32)


def check_password(username: str, password: str) -> bool:
    """Constant-time check of a username/password pair."""
    salt, expected = _USERS.get(username, _DUMMY)
    ok = hmac.compare_digest(hash_password(password, salt), expected)
    return ok and username in _USERS


def _unverified_typ(token: str) -> object:
    """The header ``typ`` without verifying anything; used only to word an error message."""
    try:
        head = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        return header.get("typ") if isinstance(header, dict) else None
    except (ValueError, RecursionError):
        return None


def _classify(exc: PyJWTError, token: str | None, expected_typ: str) -> tuple[str, str]:
    """A (reason, message) pair naming the failure without echoing token contents."""
    if isinstance(exc, CSRFError):
        return "csrf", "missing or wrong CSRF token"
    if isinstance(exc, BearerError):
        if exc.error is None:
            return "missing", "no access token was sent"
        return "malformed", "the Authorization header is not 'Bearer <token>'"
    if isinstance(exc, ExpiredSignatureError):
        return "expired", "the token has expired"
    if isinstance(exc, RevokedTokenError):
        return "revoked", "the token has been revoked"
    typ = None if token is None else _unverified_typ(token)
    if typ == REFRESH_TYP and expected_typ == ACCESS_TYP:
        return "wrong_token_type", "a refresh token cannot be used as an access token"
    if typ == ACCESS_TYP and expected_typ == REFRESH_TYP:
        return "wrong_token_type", "an access token cannot be used to refresh"
    if isinstance(exc, DecodeError) and not isinstance(exc, InvalidSignatureError):
        return "malformed", "the token is malformed"
    return "invalid", "the token is not valid"


def _unauthorized(reason: str, message: str) -> Response:
    response = jsonify(error="invalid_token", reason=reason, message=message)
    response.status_code = 401
    if reason == "missing":
        # RFC 6750 §3.1: no error code when the request carried no credentials.
        response.headers["WWW-Authenticate"] = www_authenticate(realm=REALM)
    else:
        response.headers["WWW-Authenticate"] = www_authenticate(
            realm=REALM, error="invalid_token", description=message
        )
    return response


def _bad_request(message: str) -> Response:
    response = jsonify(error="invalid_request", message=message)
    response.status_code = 400
    return response


def _json_fields(*names: str) -> dict[str, str] | Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad_request("the body must be a JSON object")
    values = {name: body.get(name) for name in names}
    missing = [name for name, value in values.items() if not isinstance(value, str)]
    if missing:
        return _bad_request(f"missing or non-string field(s): {', '.join(missing)}")
    return values  # type: ignore[return-value]


def _load_settings(env: Mapping[str, str]) -> tuple[str, str | None, bool]:
    secret = env.get("JWT_SECRET")
    if not secret:
        if env.get("JWT_DEV_SECRET") != "1":
            raise ConfigError("JWT_SECRET is not set (or set JWT_DEV_SECRET=1 for a dev secret)")
        print("warning: using a random development secret", file=sys.stderr)
        secret = secrets.token_urlsafe(48)
    if len(secret.encode("utf-8")) < 32:
        raise ConfigError("JWT_SECRET must be at least 32 bytes for HS256 (RFC 7518 §3.2)")
    return secret, env.get("REVOCATION_DB") or None, env.get("AUTH_COOKIES") == "1"


def create_app(
    env: Mapping[str, str] | None = None, *, clock: Callable[[], float] | None = None
) -> Flask:
    """Build the app from ``env`` (default ``os.environ``); ``clock`` is for tests."""
    secret, db, cookies = _load_settings(os.environ if env is None else env)
    store: RevocationStore = SQLiteStore(db, clock=clock) if db else MemoryStore(clock=clock)
    service = TokenService(
        secret, "HS256", issuer=ISSUER, audience=AUDIENCE, store=store, clock=clock
    )
    app = Flask(__name__)
    app.config["TOKENS"] = service
    app.config["AUTH_COOKIES"] = cookies
    app.add_url_rule("/login", view_func=login, methods=["POST"])
    app.add_url_rule("/protected", view_func=protected, methods=["GET"])
    app.add_url_rule("/refresh", view_func=refresh, methods=["POST"])
    app.add_url_rule("/logout", view_func=logout, methods=["POST"])
    return app


_COOKIE_PATHS = (
    ("access_token", "/"),
    ("csrf_token", "/"),
    ("refresh_token", "/refresh"),
    ("refresh_token", "/logout"),
)


def _set_cookies(response: Response, pair_response: dict[str, Any]) -> None:
    common: dict[str, Any] = {"secure": True, "samesite": "Strict"}
    response.set_cookie(
        "access_token",
        pair_response["access_token"],
        httponly=True,
        path="/",
        max_age=pair_response["expires_in"],
        **common,
    )
    # The refresh token is only ever sent to /refresh and /logout.
    for path in ("/refresh", "/logout"):
        response.set_cookie(
            "refresh_token", pair_response["refresh_token"], httponly=True, path=path, **common
        )
    # Readable by the page's JavaScript on purpose: it echoes it in X-CSRF-Token.
    response.set_cookie("csrf_token", secrets.token_urlsafe(32), path="/", **common)


def _csrf_ok() -> bool:
    cookie = request.cookies.get("csrf_token", "")
    header = request.headers.get(CSRF_HEADER, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), header.encode())


def _access_token(cookies: bool, *, state_changing: bool) -> str:
    """The access token from the Authorization header or, in cookie mode, the cookie."""
    header = request.headers.get("Authorization")
    if cookies and header is None and "access_token" in request.cookies:
        if state_changing and not _csrf_ok():
            raise CSRFError("missing or wrong CSRF token")
        return parse_authorization_header("Bearer " + request.cookies["access_token"])
    return parse_authorization_header(header)


def _pair_response(pair_body: dict[str, Any], cookies: bool) -> Response:
    if not cookies:
        return jsonify(pair_body)
    response = jsonify(token_type="Bearer", expires_in=pair_body["expires_in"])
    _set_cookies(response, pair_body)
    return response


def _service() -> TokenService:
    service: TokenService = current_app.config["TOKENS"]
    return service


def _cookies() -> bool:
    return bool(current_app.config["AUTH_COOKIES"])


def login() -> Response:
    """POST /login: check the credentials and return a new pair (RFC 6749 §5.1)."""
    fields = _json_fields("username", "password")
    if isinstance(fields, Response):
        return fields
    if not check_password(fields["username"], fields["password"]):
        response = jsonify(error="invalid_grant", message="bad username or password")
        response.status_code = 401
        return response
    return _pair_response(_service().issue(fields["username"]).to_response(), _cookies())


def protected() -> Response:
    """GET /protected: needs a valid access token."""
    token = None
    try:
        token = _access_token(_cookies(), state_changing=False)
        claims = _service().verify_access(token)
    except InvalidTokenError as exc:
        return _unauthorized(*_classify(exc, token, ACCESS_TYP))
    return jsonify(message=f"hello, {claims['sub']}", sub=claims["sub"])


def refresh() -> Response:
    """POST /refresh: spend a refresh token for a new pair."""
    if _cookies() and "refresh_token" in request.cookies:
        if not _csrf_ok():
            return _unauthorized("csrf", "missing or wrong CSRF token")
        token = request.cookies["refresh_token"]
    else:
        fields = _json_fields("refresh_token")
        if isinstance(fields, Response):
            return fields
        token = fields["refresh_token"]
    try:
        pair = _service().refresh(token)
    except InvalidTokenError as exc:
        return _unauthorized(*_classify(exc, token, REFRESH_TYP))
    return _pair_response(pair.to_response(), _cookies())


def logout() -> Response:
    """POST /logout: revoke the presented access token and its login's refresh family."""
    token = None
    try:
        token = _access_token(_cookies(), state_changing=True)
        _service().verify_access(token)
        _service().revoke(token)
    except InvalidTokenError as exc:
        return _unauthorized(*_classify(exc, token, ACCESS_TYP))
    response = jsonify(revoked=True)
    if _cookies():
        for name, path in _COOKIE_PATHS:
            response.delete_cookie(name, path=path, secure=True, samesite="Strict")
    return response


def main() -> int:
    """Run the development server on 127.0.0.1:$PORT."""
    try:
        app = create_app()
        port = int(os.environ.get("PORT", "5000"))
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app.run(host="127.0.0.1", port=port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
