"""RFC 9449 §8.2 on Starlette: the ``DPoP-Nonce`` a guard chose travels on the successful answer.

A guard that accepted a proof whose nonce has been superseded hands the current nonce to the
answer, so that the client rolls over without a refused request. FastAPI drops the headers a
dependency sets when the route returns its own Response, so :meth:`JWTAuth.init_app
<jwtlite.starlette.JWTAuth.init_app>` adds :class:`NonceMiddleware`, and a dependency hands it the
nonce through the request's ASGI scope (:func:`offer_nonce`). jwtlite's own answers (login,
refresh, logout) add it themselves (:func:`with_nonce`).

Starlette is named only for the type checker: this module imports no optional package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["NonceMiddleware", "offer_nonce", "with_nonce"]

# The scope member through which a dependency hands the DPoP-Nonce of a successful answer to
# NonceMiddleware: a list the middleware made for this request alone.
_NONCE_KEY = "jwtlite.dpop_nonce"
_NONCE_HEADER = b"dpop-nonce"


class NonceMiddleware:
    """RFC 9449 §8.2: adds the ``DPoP-Nonce`` a guard chose for this request to its answer,
    whichever response class the route returned; a header the route set itself is kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonces: list[str] = []

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and nonces:
                # Any iterable (ASGI), maybe a one-pass one: the list read is what is sent.
                headers = list(message.get("headers", ()))
                if all(name.lower() != _NONCE_HEADER for name, _value in headers):
                    headers.append((_NONCE_HEADER, nonces[-1].encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        # In the caller's scope, not a copy: the router writes the matched route, endpoint and
        # path parameters into the scope it gets, and middleware outside read them back
        # (metrics, tracing). Each request has its own scope, so its own list.
        scope[_NONCE_KEY] = nonces
        await self.app(scope, receive, answer)


def offer_nonce(request: Request, nonce: str | None) -> None:
    """Hand ``nonce`` to :class:`NonceMiddleware`, when it runs around this request."""
    holder = request.scope.get(_NONCE_KEY)
    if nonce is not None and isinstance(holder, list):
        holder.append(nonce)


def with_nonce(response: Response, nonce: str | None) -> Response:
    """``response`` with a ``DPoP-Nonce`` header (§8.2) when one is due and it has none."""
    if nonce is not None and "dpop-nonce" not in response.headers:
        response.headers["DPoP-Nonce"] = nonce
    return response
