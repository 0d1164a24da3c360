"""The guards as resource servers (_guard, flask, starlette): an external authorization
server's RFC 9068 access tokens, its keys fetched from a JWKS served on loopback. RFC 9068 §4:
every failed check is answered with the error code invalid_token (RFC 6750 §3.1)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_access_token import AS, AS_PUBLIC, NOW, OTHER_KEY, RS, _claims, _token
from test_jwks_client import Clock, Server, _serve

from jwtlite._guard import AuthRefused, GuardConfig, GuardCore, RequestView, classify
from jwtlite.access_token import AccessTokenVerifier
from jwtlite.exceptions import (
    InsufficientScopeError,
    InvalidArgumentError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    UnusableKeyError,
)
from jwtlite.jwk import key_to_jwk
from jwtlite.jwks_client import PyJWKClient
from jwtlite.tokens import ACCESS_TYP, TokenService

# One token per MUST of RFC 9068 §4 (and §2.2's required claims), each refused.
BAD_TOKENS = {
    "typ is not at+jwt": lambda: _token(typ="JWT"),
    "typ is absent": lambda: _token(typ=None),
    "iss does not match": lambda: _token(_claims(iss="https://evil.example")),
    "aud does not name us": lambda: _token(_claims(aud="https://other.example")),
    "signed by another key": lambda: _token(key=OTHER_KEY),
    "kid the AS does not publish": lambda: _token(kid="unknown"),
    "alg none": lambda: _token(alg="none", key=None),
    "expired": lambda: _token(_claims(exp=NOW - 1)),
    "client_id missing": lambda: _token(_claims(client_id=None)),
    "jti missing": lambda: _token(_claims(jti=None)),
}


@pytest.fixture
def jwks() -> Iterator[tuple[Server, str]]:
    state = Server()
    state.jwks(key_to_jwk(AS_PUBLIC, kid="as-1", include_private=False))
    with _serve(state) as base:
        yield state, base + "/jwks"


def _verifier(url: str, **kwargs: Any) -> AccessTokenVerifier:
    client = PyJWKClient(url, clock=Clock(), **kwargs)
    return AccessTokenVerifier(client, issuer=AS, audience=RS, algorithms=["RS256"],
                               clock=lambda: NOW)


def _view(token: str | None) -> RequestView:
    return RequestView("GET", None if token is None else f"Bearer {token}", {}, None)


def _challenge_error(header: str) -> str | None:
    found = re.search(r'error="([^"]*)"', header)
    return None if found is None else found.group(1)


# --- the core ------------------------------------------------------------------------------


def test_the_core_accepts_the_as_tokens_and_refuses_the_rest(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    core = GuardCore(None, GuardConfig(), verifier=_verifier(url))
    assert core.authenticate(_view(_token())).claims == _claims()
    assert core.authenticate(_view(None), optional=True).claims is None
    ran = 0
    for name, make in BAD_TOKENS.items():
        with pytest.raises(AuthRefused) as refused:
            core.authenticate(_view(make()))
        failure = refused.value.failure
        assert (failure.status, failure.error) == (401, "invalid_token"), name
        assert _challenge_error(failure.headers("api")["WWW-Authenticate"]) == "invalid_token"
        ran += 1
    assert ran == len(BAD_TOKENS) == 10


def test_scopes_are_required_with_403(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    core = GuardCore(None, GuardConfig(), verifier=_verifier(url))
    assert core.authenticate(_view(_token()), scopes=["read", "write"]).claims is not None
    with pytest.raises(AuthRefused) as refused:
        core.authenticate(_view(_token()), scopes=["read", "admin"])
    failure = refused.value.failure
    assert (failure.status, failure.error, failure.reason) == (
        403, "insufficient_scope", "insufficient_scope")
    challenge = failure.headers("api")["WWW-Authenticate"]
    assert 'scope="read admin"' in challenge
    assert 'error="insufficient_scope"' in challenge


def test_an_unreachable_jwks_is_503_not_invalid_token(jwks: tuple[Server, str]) -> None:
    state, url = jwks
    state.status = 503
    core = GuardCore(None, GuardConfig(), verifier=_verifier(url))
    with pytest.raises(AuthRefused) as refused:
        core.authenticate(_view(_token()))
    failure = refused.value.failure
    assert (failure.status, failure.reason) == (503, "unavailable")
    assert failure.headers("api") == {"Retry-After": "5"}


def test_classify_tells_the_as_fault_from_the_token() -> None:
    answers = {
        PyJWKClientConnectionError("down"): (503, "temporarily_unavailable"),
        PyJWKClientError("not json"): (503, "temporarily_unavailable"),
        UnusableKeyError("unknown kid"): (401, "invalid_token"),
        InsufficientScopeError("admin"): (403, "insufficient_scope"),
    }
    for exc, answer in answers.items():
        failure = classify(exc, None, ACCESS_TYP)
        assert (failure.status, failure.error) == answer


def test_a_resource_server_core_only_verifies(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    verifier = _verifier(url)
    core = GuardCore(None, GuardConfig(), verifier=verifier)
    for variant in ({"refresh": True}, {"fresh": True}):
        with pytest.raises(InvalidArgumentError, match="resource server"):
            core.authenticate(_view(_token()), **variant)
    with pytest.raises(InvalidArgumentError, match="authorization server"):
        core.issue("alice")
    with pytest.raises(InvalidArgumentError, match="authorization server"):
        core.logout(_token())
    with pytest.raises(InvalidArgumentError, match="not both"):
        GuardCore(TokenService("k" * 40, "HS256", issuer="i", audience="a"), GuardConfig(),
                  verifier=verifier)
    with pytest.raises(InvalidArgumentError, match="TokenService"):
        GuardCore(None, GuardConfig()).require_bound()
    for scopes in ("read", [""], ["two words"], ['q"']):
        with pytest.raises(InvalidArgumentError, match="scope"):
            core.check_variant(refresh=False, fresh=False, scopes=scopes)
    own = GuardCore(TokenService("k" * 40, "HS256", issuer="i", audience="a"), GuardConfig())
    with pytest.raises(InvalidArgumentError, match="no scopes"):
        own.check_variant(refresh=True, fresh=False, scopes=["read"])


def test_scopes_work_for_our_own_tokens_too() -> None:
    service = TokenService("k" * 40, "HS256", issuer="i", audience="a", clock=lambda: NOW)
    core = GuardCore(service, GuardConfig())
    pair = service.issue("alice", {"scope": "read"})
    assert core.authenticate(_view(pair.access_token), scopes=["read"]).claims is not None
    with pytest.raises(AuthRefused) as refused:
        core.authenticate(_view(pair.access_token), scopes=["write"])
    assert refused.value.failure.status == 403


# --- Flask ---------------------------------------------------------------------------------


def test_flask_resource_server(jwks: tuple[Server, str]) -> None:
    flask = pytest.importorskip("flask")
    from jwtlite.flask import JWTManager, current_claims, current_user

    _state, url = jwks
    app = flask.Flask("rs")
    jwt = JWTManager(app, verifier=_verifier(url))
    jwt.user_loader(lambda claims: {"name": claims["sub"]})

    @app.get("/me")
    @jwt.required()
    def me() -> Any:
        return {"claims": current_claims(), "user": current_user()}

    @app.get("/admin")
    @jwt.required(scopes=["admin"])
    def admin() -> Any:
        return {"ok": True}

    client = app.test_client()
    good = client.get("/me", headers={"Authorization": f"Bearer {_token()}"})
    assert good.status_code == 200
    assert good.json == {"claims": _claims(), "user": {"name": "alice"}}
    ran = 0
    for name, make in BAD_TOKENS.items():
        refused = client.get("/me", headers={"Authorization": f"Bearer {make()}"})
        assert refused.status_code == 401, name
        assert _challenge_error(refused.headers["WWW-Authenticate"]) == "invalid_token", name
        ran += 1
    assert ran == 10
    scoped = client.get("/admin", headers={"Authorization": f"Bearer {_token()}"})
    assert scoped.status_code == 403
    assert 'scope="admin"' in scoped.headers["WWW-Authenticate"]
    assert client.get("/admin", headers={
        "Authorization": f"Bearer {_token(_claims(scope='admin'))}"}).status_code == 200
    with app.app_context(), pytest.raises(InvalidArgumentError, match="authorization server"):
        jwt.login_response("alice")
    for variant in ({"refresh": True}, {"fresh": True}):
        with pytest.raises(InvalidArgumentError, match="resource server"):
            jwt.required(**variant)
    service = TokenService("k" * 40, "HS256", issuer="i", audience="a")
    with pytest.raises(InvalidArgumentError, match="not both"):
        JWTManager(flask.Flask("both"), service, verifier=_verifier(url))
    with pytest.raises(InvalidArgumentError, match="not both"):
        JWTManager(verifier=_verifier(url)).init_app(flask.Flask("late"), service)


# --- Starlette / FastAPI -------------------------------------------------------------------


def test_starlette_resource_server(jwks: tuple[Server, str]) -> None:
    fastapi = pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from jwtlite.starlette import JWTAuth

    state, url = jwks
    auth = JWTAuth(verifier=_verifier(url))
    app = fastapi.FastAPI()
    auth.init_app(app)

    @app.get("/me")
    async def me(claims: dict[str, Any] = fastapi.Depends(auth)) -> Any:  # noqa: B008
        return claims

    @app.get("/admin", dependencies=[fastapi.Depends(auth.required(scopes=["admin"]))])
    async def admin() -> Any:
        return {"ok": True}

    async def scenario() -> list[tuple[int, str | None]]:
        transport = httpx.ASGITransport(app=app)
        answers = []
        async with httpx.AsyncClient(transport=transport, base_url="https://rs") as client:
            good = await client.get("/me", headers={"Authorization": f"Bearer {_token()}"})
            assert good.json() == _claims()
            for make in BAD_TOKENS.values():
                bad = await client.get("/me", headers={"Authorization": f"Bearer {make()}"})
                answers.append((bad.status_code, _challenge_error(bad.headers["www-authenticate"])))
            scoped = await client.get("/admin", headers={"Authorization": f"Bearer {_token()}"})
            assert scoped.status_code == 403
            assert scoped.json()["reason"] == "insufficient_scope"
            assert 'scope="admin"' in scoped.headers["www-authenticate"]
            state.status = 500
            down = JWTAuth(verifier=_verifier(url))
            app.dependency_overrides[auth] = down
            unavailable = await client.get("/me", headers={"Authorization": f"Bearer {_token()}"})
            assert unavailable.status_code == 503
            assert unavailable.headers["retry-after"] == "5"
        return answers

    assert asyncio.run(scenario()) == [(401, "invalid_token")] * len(BAD_TOKENS)
    app.dependency_overrides.clear()
    paths = app.openapi()["paths"]
    assert set(paths["/admin"]["get"]["responses"]) == {"200", "400", "401", "403", "503"}
    assert "admin" in paths["/admin"]["get"]["responses"]["403"]["description"]
    assert "403" not in paths["/me"]["get"]["responses"]
    with pytest.raises(InvalidArgumentError, match="TokenService"):
        JWTAuth()
    for variant in ({"refresh": True}, {"fresh": True}):
        with pytest.raises(InvalidArgumentError, match="resource server"):
            auth.required(**variant)
