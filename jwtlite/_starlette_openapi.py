"""The FastAPI side of :mod:`jwtlite.starlette`: the security schemes its guards declare, and the
wrapper of ``app.openapi`` that :meth:`JWTAuth.init_app <jwtlite.starlette.JWTAuth.init_app>`
installs so that each guarded operation says what it answers and reads.

FastAPI lists a security dependency by the ``scheme_name`` and ``model`` it carries: access
guards name the access scheme (HTTP bearer, or with ``token_url`` the OAuth 2 password flow
Swagger UI's **Authorize** button logs in with; the ``DPoP`` HTTP scheme of RFC 9449 §7.1 when
DPoP is required), refresh guards a scheme of their own. What the document says beyond that is
written by :func:`jwtlite._openapi.document_operation`, which imports no framework.

FastAPI is optional: under plain Starlette the guards derive from ``object``, declare no model,
and :func:`document_routes` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ._openapi import DPOP_SCHEME, OperationGuards, document_operation
from .dpop import DPoPPolicy
from .exceptions import InvalidArgumentError

try:  # FastAPI is optional: with it, dependencies declare an OpenAPI security scheme.
    from fastapi import FastAPI as _FastAPI
    from fastapi.openapi.models import HTTPBase as _HTTPModel
    from fastapi.openapi.models import HTTPBearer as _BearerModel
    from fastapi.openapi.models import OAuth2 as _OAuth2Model
    from fastapi.openapi.models import OAuthFlowPassword as _PasswordFlow
    from fastapi.openapi.models import OAuthFlows as _OAuthFlows
    from fastapi.routing import APIRoute as _APIRoute
    from fastapi.security.base import SecurityBase
except ImportError:  # pragma: no cover - plain Starlette
    SecurityBase = object  # type: ignore[misc,assignment]
    _BearerModel = None  # type: ignore[misc,assignment]
    _FastAPI = None  # type: ignore[misc,assignment]

__all__ = ["SchemeTable", "SecurityBase", "check_options", "declare_scheme", "document_routes"]

#: ``(name, model)``: a security scheme as FastAPI reads it off a dependency.
Scheme = tuple[str, Any]


def _models(token_url: str | None) -> tuple[Any, Any]:
    """The OpenAPI security scheme models (access, refresh) FastAPI lists for the guards."""
    if _BearerModel is None:  # pragma: no cover - plain Starlette has no OpenAPI document
        return None, None
    refresh = _BearerModel(
        bearerFormat="JWT", description="A refresh token (rt+jwt): spent, answered by a new pair"
    )
    if token_url is None:
        return _BearerModel(bearerFormat="JWT", description="An access token (at+jwt)"), refresh
    # The model of FastAPI's OAuth2PasswordBearer: Swagger UI posts the password grant to
    # tokenUrl and sends the access_token it gets back as a bearer token (RFC 6749 §4.3).
    flows = _OAuthFlows(password=_PasswordFlow(tokenUrl=token_url, scopes={}))
    return _OAuth2Model(flows=flows, description="An access token (at+jwt)"), refresh


def _dpop_model() -> Any:
    """The OpenAPI model of the ``DPoP`` HTTP authentication scheme (RFC 9449 §7.1)."""
    if _BearerModel is None:  # pragma: no cover - plain Starlette has no OpenAPI document
        return None
    return _HTTPModel(scheme=DPOP_SCHEME["scheme"], description=DPOP_SCHEME["description"])


def check_options(cookies: bool, names: tuple[str, ...], token_url: str | None) -> None:
    """``names``: the access, refresh and (with DPoP) DPoP scheme names."""
    if len(set(names)) != len(names):
        what = "refresh" if names[0] == names[1] else "DPoP"
        raise InvalidArgumentError(f"the {what} scheme needs a name of its own")
    if cookies and token_url is not None:
        raise InvalidArgumentError(
            "token_url (the OAuth 2 password flow) hands tokens to the client: not with cookies"
        )


def declare_scheme(dependency: Any, scheme: Scheme) -> None:
    """What FastAPI reads to list a security scheme in OpenAPI."""
    dependency.scheme_name, model = scheme
    if model is not None:
        dependency.model = model


class SchemeTable:
    """The security schemes of one :class:`~jwtlite.starlette.JWTAuth`: the access and the
    refresh scheme, and where DPoP stands among them (``policy``, None without DPoP)."""

    def __init__(
        self, *, access: str, refresh: str, dpop: str, token_url: str | None,
        policy: DPoPPolicy | None,
    ) -> None:
        access_model, refresh_model = _models(token_url)
        self._by_kind: dict[bool, Scheme] = {
            False: (access, access_model), True: (refresh, refresh_model),
        }
        #: (bearer, DPoP) scheme names when access routes take either (documented by init_app).
        self.dpop_alternative: tuple[str, str] | None = None
        #: With DPoP, whether a token request (refresh, password grant) must carry a proof.
        self.token_proof = None if policy is None else policy.required
        if policy is not None and policy.required:
            self._by_kind[False] = (dpop, _dpop_model())
        elif policy is not None:
            self.dpop_alternative = (access, dpop)

    def scheme(self, *, refresh: bool) -> Scheme:
        """(name, OpenAPI model) of the access or the refresh scheme."""
        return self._by_kind[refresh]

    def own(self) -> frozenset[str]:
        """Every scheme name these guards may put in a requirement."""
        names = {name for name, _model in self._by_kind.values()}
        return frozenset(names | set(self.dpop_alternative or ()))


def _dependency_calls(route: Any) -> Iterator[Any]:
    """Every dependency callable of a FastAPI route, sub-dependencies included."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        yield dependant.call
        pending.extend(dependant.dependencies)


def document_routes(
    app: Any, schemes: SchemeTable, guards: Callable[[Iterator[Any]], OperationGuards]
) -> None:
    """Under FastAPI, wrap ``app.openapi`` (FastAPI's documented way to extend the document)
    so that each operation says what its guards answer and read; routes added later are
    included. ``guards(calls)``: what the jwtlite dependencies among a route's ``calls`` do.
    Any other application: nothing to document."""
    if _FastAPI is None or not isinstance(app, _FastAPI):
        return
    generate = app.openapi
    alternative = schemes.dpop_alternative
    own = schemes.own()

    def openapi() -> dict[str, Any]:
        schema: dict[str, Any] = generate()
        for route in app.routes:
            if not isinstance(route, _APIRoute) or not route.include_in_schema:
                continue
            described = guards(_dependency_calls(route))
            path = schema.get("paths", {}).get(route.path_format, {})
            for method in route.methods or ():
                operation = path.get(method.lower())
                if operation is not None:
                    document_operation(
                        schema, operation, described, own_schemes=own,
                        dpop_alternative=alternative, token_proof=schemes.token_proof,
                    )
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
