"""What FastAPI's OpenAPI document says about DPoP-bound routes (jwtlite._openapi, through
jwtlite.starlette): the ``DPoP`` HTTP authentication scheme (RFC 9449 §7.1), alone where DPoP
is required, an alternative to the bearer scheme where it is accepted."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FakeClock

pytest.importorskip("fastapi")
from fastapi import Depends, FastAPI, Header

from jwtlite._openapi import DPOP_SCHEME
from jwtlite.dpop import DPoPPolicy
from jwtlite.exceptions import InvalidArgumentError
from jwtlite.starlette import JWTAuth, PasswordForm
from jwtlite.tokens import TokenService

_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _app(dpop: Any, *, init: bool = True, **options: Any) -> FastAPI:
    service = TokenService("k" * 40, "HS256", issuer="iss", audience="aud", clock=FakeClock())
    auth = JWTAuth(service, dpop=dpop, **options)
    app = FastAPI()
    if init:
        auth.init_app(app)

    @app.get("/me")
    async def me(claims: Any = Depends(auth)) -> Any:  # noqa: B008
        return {}

    @app.get("/maybe", dependencies=[Depends(auth.required(optional=True))])
    async def maybe() -> Any:
        return {}

    @app.post("/refresh", dependencies=[Depends(auth.required(refresh=True))])
    async def refresh() -> Any:
        return {}

    @app.post("/login")
    async def login() -> Any:
        return {}

    @app.post("/token")
    async def token(form: PasswordForm = Depends(auth.password_form)) -> Any:  # noqa: B008
        return {}

    return app


def _security(schema: dict[str, Any]) -> dict[str, Any]:
    """``path -> security`` of every operation (None: it has none)."""
    return {path: operation.get("security")
            for path, item in schema["paths"].items() for operation in item.values()}


def _check_document(schema: dict[str, Any]) -> int:
    """openapi-spec-validator is not installed here: the rules it would apply to security,
    by hand (OpenAPI 3.1 §4.8.27, §4.8.30): every scheme a requirement names is defined,
    scopes are lists (empty outside OAuth 2 and OpenID Connect), an ``http`` scheme has a
    string ``scheme`` and only the members the specification defines. The number of
    requirements checked."""
    assert schema["openapi"].startswith("3.")
    schemes = schema["components"]["securitySchemes"]
    for scheme in schemes.values():
        assert scheme["type"] in {"apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"}
        if scheme["type"] == "http":
            assert isinstance(scheme["scheme"], str)
            assert set(scheme) <= {"type", "scheme", "bearerFormat", "description"}
    checked = 0
    for item in schema["paths"].values():
        for method, operation in item.items():
            assert method in _METHODS
            for requirement in operation.get("security", []):
                for name, scopes in requirement.items():
                    assert name in schemes, name
                    assert isinstance(scopes, list)
                    if schemes[name]["type"] not in {"oauth2", "openIdConnect"}:
                        assert scopes == []
                checked += 1
    return checked


def test_a_route_that_accepts_dpop_lists_both_schemes() -> None:
    app = _app(True)
    schema = app.openapi()
    assert _security(schema) == {
        # OpenAPI 3.1 §4.8.10: requirements in the list are alternatives (OR).
        "/me": [{"JWT": []}, {"DPoP": []}],
        "/maybe": [{"JWT": []}, {"DPoP": []}, {}],
        "/refresh": [{"JWTRefresh": []}],  # the refresh token is a bearer token (or a body)
        "/login": None,
        "/token": None,
    }
    dpop = schema["components"]["securitySchemes"]["DPoP"]
    assert dpop == DPOP_SCHEME
    assert (dpop["type"], dpop["scheme"]) == ("http", "DPoP")
    assert "`DPoP` header" in dpop["description"]
    assert "RFC 9449 §4" in dpop["description"]
    assert _check_document(schema) == 6
    assert _security(app.openapi())["/me"] == [{"JWT": []}, {"DPoP": []}]  # idempotent


def test_a_route_that_requires_dpop_lists_only_that_scheme() -> None:
    for init in (True, False):  # FastAPI's own document says it, init_app or not
        schema = _app(DPoPPolicy(required=True), init=init).openapi()
        assert _security(schema)["/me"] == [{"DPoP": []}], init
        assert schema["components"]["securitySchemes"]["DPoP"] == DPOP_SCHEME
        assert set(schema["components"]["securitySchemes"]) == {"DPoP", "JWTRefresh"}
    schema = _app(DPoPPolicy(required=True)).openapi()
    assert _security(schema)["/maybe"] == [{"DPoP": []}, {}]
    assert _check_document(schema) == 4


def test_dpop_beside_the_password_flow_and_documenting_twice() -> None:
    app = _app(True, token_url="/token", dpop_scheme_name="PoP")
    schema = app.openapi()
    assert _security(schema)["/me"] == [{"JWT": []}, {"PoP": []}]
    assert schema["components"]["securitySchemes"]["JWT"]["type"] == "oauth2"
    assert schema["components"]["securitySchemes"]["PoP"] == DPOP_SCHEME
    assert _check_document(schema) == 6
    # Documenting again (a cached or regenerated document) adds nothing twice.
    assert _security(app.openapi())["/me"] == [{"JWT": []}, {"PoP": []}]


def test_without_init_app_an_accepting_route_keeps_its_bearer_scheme() -> None:
    # The alternative is added where jwtlite documents the routes: init_app.
    assert _security(_app(True, init=False).openapi())["/me"] == [{"JWT": []}]


def test_the_dpop_scheme_needs_a_name_of_its_own() -> None:
    service = TokenService("k" * 40, "HS256", issuer="iss", audience="aud")
    with pytest.raises(InvalidArgumentError, match="DPoP scheme needs a name of its own"):
        JWTAuth(service, dpop=True, dpop_scheme_name="JWT")
    with pytest.raises(InvalidArgumentError, match="refresh scheme needs a name of its own"):
        JWTAuth(service, dpop=True, refresh_scheme_name="JWT")
    # Without DPoP the name is free: an existing application's "DPoP" scheme keeps working.
    assert JWTAuth(service, scheme_name="DPoP").scheme_name == "DPoP"


def _proof_headers(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", [])
            if p.get("in") == "header" and p["name"].lower() == "dpop"]


def test_token_routes_document_the_dpop_proof_they_take() -> None:
    """A refresh (RFC 9449 §5) and a password grant answered by ``auth.login`` take a ``DPoP``
    proof that binds the new tokens to its key: their operations name the header, optional
    unless DPoP is required, and their 400 names the proof's refusals. Access routes carry it
    in the DPoP scheme's description; routes without a token request, and apps without DPoP,
    get no header."""
    for policy, required in ((True, False), (DPoPPolicy(required=True), True)):
        paths = _app(policy).openapi()["paths"]
        for path in ("/refresh", "/token"):
            operation = paths[path]["post"]
            (header,) = _proof_headers(operation)
            assert (header["name"], header["required"], header["schema"]) == (
                "DPoP", required, {"type": "string"}), path
            assert "RFC 9449 §4" in header["description"]
            assert "invalid_dpop_proof" in operation["responses"]["400"]["description"]
        for path, method in (("/me", "get"), ("/maybe", "get"), ("/login", "post")):
            assert _proof_headers(paths[path][method]) == [], path
        assert "invalid_dpop_proof" not in paths["/me"]["get"]["responses"]["400"]["description"]
    for app in (_app(None), _app(True, init=False)):
        paths = app.openapi()["paths"]
        assert _proof_headers(paths["/refresh"]["post"]) == []
        assert _proof_headers(paths["/token"]["post"]) == []
    assert "invalid_dpop_proof" not in (
        _app(None).openapi()["paths"]["/refresh"]["post"]["responses"]["400"]["description"])


def test_a_dpop_header_the_route_declares_is_kept_and_documenting_twice_adds_none() -> None:
    service = TokenService("k" * 40, "HS256", issuer="iss", audience="aud", clock=FakeClock())
    auth = JWTAuth(service, dpop=True)
    app = FastAPI()
    auth.init_app(app)

    @app.post("/refresh", dependencies=[Depends(auth.required(refresh=True))])
    async def refresh(dpop: str = Header(alias="DPoP", description="mine")) -> Any:
        return {}

    app.openapi()
    operation = app.openapi()["paths"]["/refresh"]["post"]
    assert [p["description"] for p in _proof_headers(operation)] == ["mine"]
    plain = _app(True)
    plain.openapi()
    assert len(_proof_headers(plain.openapi()["paths"]["/token"]["post"])) == 1
