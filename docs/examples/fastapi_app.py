"""The Flask example's API (login, protected route, refresh rotation, logout) on FastAPI.

Run it (uvicorn is started inside)::

    JWT_SECRET="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \\
    REVOCATION_DB=/tmp/revoked.db python docs/examples/fastapi_app.py

The environment (``PORT``, ``JWT_SECRET``, ``JWT_DEV_SECRET``, ``REVOCATION_DB``, ``REDIS_URL``,
``AUTH_COOKIES``), the HTTP contract and the demo user are those of ``flask_app.py``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

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
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from jwtlite.starlette import JWTAuth


def _error(status: int, error: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def create_app(
    env: Mapping[str, str] | None = None, *, clock: Callable[[], float] | None = None
) -> FastAPI:
    """Build the app from ``env`` (default ``os.environ``); ``clock`` is for tests."""
    settings = load_settings(os.environ if env is None else env, clock)
    app = FastAPI(title="jwtlite example")
    auth = JWTAuth(token_service(settings, clock), realm=REALM, cookies=settings.cookies)
    auth.init_app(app)
    throttles = Throttles.default()

    @app.post("/login")
    async def login(request: Request) -> Response:
        """Check the credentials and return a new pair (RFC 6749 §5.1)."""
        fields = await auth.json_fields(request, "username", "password")
        username = fields["username"]
        address = request.client.host if request.client else "unknown"
        # Counted before the password check, so concurrent guesses cannot all slip through.
        wait = throttles.reserve(username, address)
        if wait:
            return _error(429, "too_many_attempts", "too many failed logins; retry later",
                          **{"Retry-After": str(wait)})
        try:
            # scrypt takes tens of milliseconds: off the event loop.
            ok = await run_in_threadpool(check_password, username, fields["password"])
        except Busy:
            throttles.cancel(username, address)
            return _error(503, "temporarily_unavailable", "server busy", **{"Retry-After": "1"})
        throttles.settle(username, address, ok=ok)
        if not ok:
            return _error(401, "invalid_grant", "bad username or password")
        return auth.login_response(username)

    @app.get("/protected")
    async def protected(claims: dict[str, Any] = Depends(auth)) -> dict[str, Any]:  # noqa: B008
        """Needs a valid access token."""
        return {"message": f"hello, {claims['sub']}", "sub": claims["sub"]}

    @app.post("/refresh", dependencies=[Depends(auth.required(refresh=True))])
    async def refresh(request: Request) -> Response:
        """Spend a refresh token for a new pair (rotation, reuse detection)."""
        return auth.refresh_response(request)

    @app.post("/logout", dependencies=[Depends(auth)])
    async def logout(request: Request) -> Response:
        """Revoke the presented access token and its login's refresh family."""
        return await auth.logout_response(request)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> Response:
        """404, 405 and friends answer JSON like every other error (refused tokens have their
        own, more specific handler from auth.init_app)."""
        name = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return _error(exc.status_code, name, str(exc.detail), **(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: Exception) -> Response:
        return _error(400, "invalid_request", "the request is malformed")

    return app


def main() -> int:
    """Run uvicorn on 127.0.0.1:$PORT."""
    try:
        app = create_app()
        listen = port(os.environ)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import uvicorn  # noqa: PLC0415 - only running the server (not importing the app) needs it

    uvicorn.run(app, host="127.0.0.1", port=listen, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
