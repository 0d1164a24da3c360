"""The Flask example's API (login, protected route, refresh rotation, logout) on FastAPI.

Run it (uvicorn is started inside)::

    JWT_SECRET="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \\
    REVOCATION_DB=/tmp/revoked.db python docs/examples/fastapi_app.py

The environment (``PORT``, ``JWT_SECRET``, ``JWT_DEV_SECRET``, ``REVOCATION_DB``, ``REDIS_URL``,
``AUTH_COOKIES``, ``DPOP``, ``DPOP_NONCE_SECRET``), the HTTP contract and the demo user are those
of ``flask_app.py``. In
addition, FastAPI's conventions: ``/login`` takes a pydantic body (shown in ``/docs``), and
without ``AUTH_COOKIES`` the OAuth 2 password flow's ``/token`` lets the **Authorize** button
of ``/docs`` log in as ``admin`` / ``password``.
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
from pydantic import BaseModel, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from jwtlite.starlette import JWTAuth, PasswordForm

# The error word of each status FastAPI or Starlette may answer by itself: 400 is FastAPI's
# "There was an error parsing the body" (JSON nested too deep for its parser, for one).
_ERRORS = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}


class Credentials(BaseModel):
    """The JSON body of ``POST /login``."""

    username: str
    password: str

    @field_validator("username", "password")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        # JSON can carry a lone surrogate ("\ud800"); it cannot be hashed or stored as UTF-8.
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("not valid Unicode text") from None
        return value


def _error(status: int, error: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def create_app(
    env: Mapping[str, str] | None = None, *, clock: Callable[[], float] | None = None
) -> FastAPI:
    """Build the app from ``env`` (default ``os.environ``); ``clock`` is for tests."""
    settings = load_settings(os.environ if env is None else env, clock)
    app = FastAPI(title="jwtlite example")
    # The password flow hands tokens to the client, so it is offered only without cookies.
    token_url = None if settings.cookies else "/token"
    auth = JWTAuth(
        token_service(settings, clock), realm=REALM, cookies=settings.cookies, token_url=token_url,
        dpop=settings.dpop,
    )
    auth.init_app(app)
    throttles = Throttles.default()

    async def check(
        request: Request, username: str, password: str, *, refused: int = 401
    ) -> JSONResponse | None:
        """None when the credentials are good, else the answer: 429, 503, or ``refused``."""
        address = request.client.host if request.client else "unknown"
        # Counted before the password check, so concurrent guesses cannot all slip through.
        wait = throttles.reserve(username, address)
        if wait:
            return _error(429, "too_many_attempts", "too many failed logins; retry later",
                          **{"Retry-After": str(wait)})
        try:
            # scrypt takes tens of milliseconds: off the event loop.
            ok = await run_in_threadpool(check_password, username, password)
        except Busy:
            throttles.cancel(username, address)
            return _error(503, "temporarily_unavailable", "server busy", **{"Retry-After": "1"})
        throttles.settle(username, address, ok=ok)
        return None if ok else _error(refused, "invalid_grant", "bad username or password")

    # json_body: 415 for a body not declared as JSON (login CSRF from a plain HTML form).
    @app.post("/login", dependencies=[Depends(auth.json_body)])
    async def login(credentials: Credentials, request: Request) -> Response:
        """Check the credentials and return a new pair (RFC 6749 §5.1)."""
        refused = await check(request, credentials.username, credentials.password)
        # auth.login sees the request: with DPOP set, its proof binds the pair to a key.
        return refused or await auth.login(request, credentials.username)

    if token_url is not None:

        @app.post(token_url)
        async def token(
            request: Request, form: PasswordForm = Depends(auth.password_form)  # noqa: B008
        ) -> Response:
            """The password grant (RFC 6749 §4.3), as the Authorize button of /docs sends it."""
            # RFC 6749 §5.2: bad resource owner credentials are invalid_grant, with 400.
            refused = await check(request, form.username, form.password, refused=400)
            return refused or await auth.login(request, form.username)

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
        name = _ERRORS.get(exc.status_code, "error")
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
