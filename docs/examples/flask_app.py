"""A small Flask API with login, protected route, refresh rotation and logout, on jwtlite.flask.

Run it::

    JWT_SECRET="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \\
    REVOCATION_DB=/tmp/revoked.db python docs/examples/flask_app.py

Environment:

- ``PORT``: the port on 127.0.0.1 (default 5000).
- ``JWT_SECRET``: the HS256 secret, at least 32 bytes. Required unless ``JWT_DEV_SECRET=1``,
  which uses a random per-process secret (every restart logs everyone out).
- ``REVOCATION_DB``: an SQLite file for revocations that survive restarts (default: memory).
- ``REDIS_URL``: a Redis server for revocations shared by several hosts (needs ``redis``).
- ``AUTH_COOKIES=1``: carry tokens in ``Secure; HttpOnly; SameSite=Strict`` cookies instead of
  the response body; every state-changing request must then echo the ``csrf_token`` cookie in
  an ``X-CSRF-Token`` header (double-submit); see docs/integrations.md.
- ``DPOP=1``: also accept DPoP-bound tokens (RFC 9449, docs/dpop.md): a login or refresh with
  a ``DPoP`` proof gets tokens bound to its key; ``DPOP=required`` refuses bearer tokens.
  ``DPOP_NONCE_SECRET``: demand server nonces as well (at least 16 bytes, shared by every
  process). Not with ``AUTH_COOKIES=1``.

The demo user is ``admin`` / ``password``, kept only as a salted scrypt hash. Failed logins are
throttled per username and per client address (429 with ``Retry-After``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from demo_support import (
    REALM,
    Busy,
    ConfigError,
    Throttles,
    check_password,
    load_settings,
    port,
    token_service,
)
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from jwtlite.flask import JWTManager, current_identity, json_fields


def _error(status: int, error: str, message: str, **headers: str) -> Response:
    response = jsonify(error=error, message=message)
    response.status_code = status
    response.headers.update(headers)
    return response


def create_app(
    env: Mapping[str, str] | None = None, *, clock: Callable[[], float] | None = None
) -> Flask:
    """Build the app from ``env`` (default ``os.environ``); ``clock`` is for tests."""
    settings = load_settings(os.environ if env is None else env, clock)
    app = Flask(__name__)
    jwt = JWTManager(
        app, token_service(settings, clock), realm=REALM, cookies=settings.cookies,
        dpop=settings.dpop,
    )
    throttles = Throttles.default()

    @app.post("/login")
    def login() -> Response:
        """Check the credentials and return a new pair (RFC 6749 §5.1)."""
        fields = json_fields("username", "password")
        username, address = fields["username"], request.remote_addr or "unknown"
        # Counted before the password check, so concurrent guesses cannot all slip through.
        wait = throttles.reserve(username, address)
        if wait:
            return _error(429, "too_many_attempts", "too many failed logins; retry later",
                          **{"Retry-After": str(wait)})
        try:
            ok = check_password(username, fields["password"])
        except Busy:
            throttles.cancel(username, address)
            return _error(503, "temporarily_unavailable", "server busy", **{"Retry-After": "1"})
        throttles.settle(username, address, ok=ok)
        if not ok:
            return _error(401, "invalid_grant", "bad username or password")
        return jwt.login_response(username)

    @app.get("/protected")
    @jwt.required()
    def protected() -> Response:
        """Needs a valid access token."""
        return jsonify(message=f"hello, {current_identity()}", sub=current_identity())

    @app.post("/refresh")
    @jwt.required(refresh=True)
    def refresh() -> Response:
        """Spend a refresh token for a new pair (rotation, reuse detection)."""
        return jwt.refresh_response()

    @app.post("/logout")
    @jwt.required()
    def logout() -> Response:
        """Revoke the presented access token and its login's refresh family."""
        return jwt.logout_response()

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """404, 405 and friends answer JSON like every other error."""
        name = (exc.name or "error").lower().replace(" ", "_")
        response = _error(exc.code or 500, name, exc.description or name)
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response

    return app


def main() -> int:
    """Run the development server on 127.0.0.1:$PORT."""
    try:
        app = create_app()
        listen = port(os.environ)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app.run(host="127.0.0.1", port=listen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
