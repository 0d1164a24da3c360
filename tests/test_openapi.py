"""What FastAPI's OpenAPI document says about DPoP-bound routes (jwtlite._openapi, through
jwtlite.starlette): the ``DPoP`` HTTP authentication scheme (RFC 9449 §7.1), alone where DPoP
is required, an alternative to the bearer scheme where it is accepted."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FakeClock

pytest.importorskip("fastapi")
from fastapi import Depends, FastAPI, Header

from jwtlite._openapi import _SCHEMAS, DPOP_SCHEME, OperationGuards, document_operation
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


# --- document_operation's texts and shapes, word for word --------------------------------------

_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/JWTAuthError"}}}
_CHALLENGE = {"WWW-Authenticate": {"description": "the RFC 6750 §3 challenge",
                                   "schema": {"type": "string"}}}
_400 = ("invalid_request: a malformed Authorization header (RFC 6750 §3.1) or request body "
        "(RFC 6749 §5.2)")
_400_PROOF = (_400 + "; invalid_dpop_proof or use_dpop_nonce: the DPoP proof is refused "
              "(RFC 9449 §5, §8; with use_dpop_nonce, the DPoP-Nonce header names the nonce "
              "to use)")
_401 = ("invalid_token: the token is missing, malformed, invalid, expired, revoked or of the "
        "wrong type (RFC 6750 §3.1)")
_401_STALE = (_401 + "; insufficient_user_authentication: this route needs a token issued by "
              "a login, not by a refresh (RFC 9470 §3)")
_413 = "the request body is larger than the guard reads"
_415_FORM = ("a password grant in a body not sent as Content-Type: "
             "application/x-www-form-urlencoded (RFC 6749 §4.3.2)")
_415_JSON = "a refresh token in a body not sent as Content-Type: application/json (login CSRF)"
_503 = {
    "description": "temporarily_unavailable: the revocation store, or the authorization "
    "server's JWKS, cannot be reached",
    "content": _ERROR_REF,
    "headers": {"Retry-After": {"description": "seconds to wait before retrying",
                                "schema": {"type": "string"}}},
}
_PROOF = ("A DPoP proof (RFC 9449 §4) of this request, signed by the client's key: the tokens "
          "issued are bound to that key (RFC 9449 §5)")


def _answer(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = {"description": description, "content": _ERROR_REF}
    return answer if headers is None else {**answer, "headers": headers}


def _document(guards: OperationGuards, operation: dict[str, Any] | None = None,
              **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """document_operation on a bare document (no components, no responses): the schema and
    the operation it wrote."""
    schema: dict[str, Any] = {}
    operation = {} if operation is None else operation
    options.setdefault("own_schemes", frozenset({"JWT", "JWTRefresh"}))
    document_operation(schema, operation, guards, **options)
    return schema, operation


def test_an_access_route_is_documented_word_for_word() -> None:
    guards = OperationGuards(guarded=True, fresh=True, scopes=("read", "write"))
    schema, operation = _document(guards)
    assert operation == {"responses": {
        "400": _answer(_400),
        "401": _answer(_401_STALE, _CHALLENGE),
        "403": _answer("insufficient_scope: the token lacks a scope this route needs: "
                       "read write (RFC 6750 §3.1)", _CHALLENGE),
        "503": _503,
    }}
    assert schema == {"components": {"schemas": {"JWTAuthError": _SCHEMAS["JWTAuthError"]}}}
    # Without DPoP, a token request's 400 says nothing of proofs; a route that is not fresh
    # says nothing of insufficient_user_authentication.
    _, plain = _document(OperationGuards(guarded=True, refresh=True))
    assert plain["responses"]["400"] == _answer(_400)
    assert plain["responses"]["401"] == _answer(_401, _CHALLENGE)


def test_token_requests_are_documented_word_for_word() -> None:
    schema, refresh = _document(OperationGuards(guarded=True, refresh=True), token_proof=False)
    assert refresh == {
        "responses": {
            "400": _answer(_400_PROOF),
            "401": _answer(_401, _CHALLENGE),
            "413": _answer(_413),
            "415": _answer(_415_JSON),
            "503": _503,
        },
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/JWTRefreshRequest"}}}},
        "parameters": [{"name": "DPoP", "in": "header", "required": False,
                        "description": _PROOF + "; without one they are bearer tokens.",
                        "schema": {"type": "string"}}],
    }
    assert set(schema["components"]["schemas"]) == {"JWTAuthError", "JWTRefreshRequest"}
    schema, grant = _document(OperationGuards(password_form=True), token_proof=True)
    assert grant == {
        "responses": {
            "400": _answer(_400_PROOF),
            "413": _answer(_413),
            "415": _answer(_415_FORM),
        },
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"$ref": "#/components/schemas/JWTPasswordForm"}}}},
        "parameters": [{"name": "DPoP", "in": "header", "required": True,
                        "description": _PROOF + ".", "schema": {"type": "string"}}],
    }
    assert schema["components"]["schemas"]["JWTPasswordForm"] == _SCHEMAS["JWTPasswordForm"]


def test_only_a_header_named_dpop_counts_as_the_routes_own_proof_parameter() -> None:
    others = [{"name": "dpop", "in": "query"}, {"name": "X-Request-Id", "in": "header"},
              {"in": "header"}]
    _, operation = _document(OperationGuards(password_form=True), {"parameters": list(others)},
                             token_proof=False)
    assert [p["name"] for p in operation["parameters"][3:]] == ["DPoP"]
    assert operation["parameters"][:3] == others
    mine = {"name": "dPoP", "in": "header"}
    _, operation = _document(OperationGuards(password_form=True), {"parameters": [mine]},
                             token_proof=False)
    assert operation["parameters"] == [mine]


def test_the_dpop_alternative_follows_each_requirement_of_the_own_scheme() -> None:
    # OpenAPI 3.1 §4.8.10: each requirement naming the bearer scheme gets its DPoP twin right
    # after it, other schemes of that requirement kept; requirements without it are left.
    security = [{"JWT": [], "Key": []}, {"JWT": []}, {"Key": []}]
    schema, operation = _document(
        OperationGuards(guarded=True), {"security": security}, dpop_alternative=("JWT", "DPoP"))
    assert operation["security"] == [
        {"JWT": [], "Key": []}, {"DPoP": [], "Key": []}, {"JWT": []}, {"DPoP": []}, {"Key": []}]
    assert schema["components"]["securitySchemes"] == {"DPoP": DPOP_SCHEME}
    assert schema["components"]["securitySchemes"]["DPoP"] is not DPOP_SCHEME


def test_optional_security_when_a_requirement_names_every_own_scheme() -> None:
    # A requirement naming exactly the guards' schemes is still only ours: {} is added.
    own = frozenset({"JWT", "JWTRefresh"})
    _, operation = _document(OperationGuards(guarded=True, optional=True),
                             {"security": [{"JWT": [], "JWTRefresh": []}]}, own_schemes=own)
    assert operation["security"] == [{"JWT": [], "JWTRefresh": []}, {}]


def test_the_documents_schemas_are_copies_the_application_may_change() -> None:
    schema, _ = _document(OperationGuards(password_form=True))
    schema["components"]["schemas"]["JWTPasswordForm"]["properties"]["scope"]["title"] = "x"
    schema["components"]["schemas"]["JWTAuthError"]["properties"]["error"]["type"] = "x"
    assert _SCHEMAS["JWTPasswordForm"]["properties"]["scope"]["title"] == "Scope"
    assert _SCHEMAS["JWTAuthError"]["properties"]["error"]["type"] == "string"


def test_the_refresh_scheme_and_the_cookie_refusal_word_for_word() -> None:
    schema = _app(None).openapi()
    assert schema["components"]["securitySchemes"]["JWTRefresh"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A refresh token (rt+jwt): spent, answered by a new pair",
    }
    service = TokenService("k" * 40, "HS256", issuer="iss", audience="aud")
    with pytest.raises(InvalidArgumentError) as info:
        JWTAuth(service, cookies=True, token_url="/token")
    assert str(info.value) == (
        "token_url (the OAuth 2 password flow) hands tokens to the client: not with cookies")


def test_routes_outside_the_generated_document_are_left_alone() -> None:
    # A plain Starlette route (no dependencies to read), and a document an application's own
    # openapi() trimmed (a path left out, or no paths at all): nothing to document, no error.
    for trimmed in ({"paths": {}}, {}):
        app = FastAPI()
        app.add_route("/plain", lambda request: None)
        app.openapi = lambda trimmed=trimmed: {"openapi": "3.1.0", **trimmed}  # type: ignore[method-assign]
        service = TokenService("k" * 40, "HS256", issuer="iss", audience="aud")
        auth = JWTAuth(service)
        auth.init_app(app)

        @app.get("/me")
        async def me(claims: Any = Depends(auth)) -> Any:  # noqa: B008
            return {}

        assert app.openapi() == {"openapi": "3.1.0", **trimmed}
