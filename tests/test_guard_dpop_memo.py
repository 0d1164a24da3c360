"""DPoP in the Flask and Starlette/FastAPI guards, §11.1 within one request: a request's proof
is verified once and that verification reused by every later check of the same request, in
either order (a token request's check before a resource guard's, or after it), keyed to the
exact proof and request, with each caller's own checks (``ath``) still run. Another request
with the proof is a replay. The other orders (two guards, a guarded login) are in
``test_guard_dpop.py``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import FakeClock
from test_guard_dpop import KEY, NOW

from jwtlite._guard import GuardConfig

try:  # FastAPI reads the endpoints' annotations by name: the names must be module globals.
    from starlette.requests import Request
except ImportError:  # pragma: no cover - the FastAPI tests skip
    Request = Any  # type: ignore[misc,assignment]
from jwtlite.dpop import DPoPPolicy
from jwtlite.revocation import MemoryStore
from jwtlite.tokens import TokenService


@pytest.fixture(params=["fastapi", "flask"])
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)



def _token_request_first_flask(service: TokenService, policy: DPoPPolicy) -> Any:
    """Two routes where a token request's check of the proof runs before a resource guard's:
    a refresh guard outside an access guard, and a login whose view then calls a guarded
    function."""
    flask = pytest.importorskip("flask")
    from jwtlite.flask import JWTManager, current_claims

    app = flask.Flask("token-first")
    jwt = JWTManager(app, service, dpop=policy)

    @app.post("/renew")
    @jwt.required(refresh=True)
    @jwt.required()
    def renew() -> Any:
        return {"sub": current_claims()["sub"]}

    @jwt.required()
    def guarded_answer(response: Any) -> Any:
        return response

    @app.post("/relogin")
    def relogin() -> Any:
        response = jwt.login_response("alice")
        return response if response.status_code != 200 else guarded_answer(response)

    client = app.test_client()

    def send(path: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
        reply = client.post(path, headers=headers, json=body)
        return reply.status_code, reply.get_json()

    return send


def _token_request_first_fastapi(service: TokenService, policy: DPoPPolicy) -> Any:
    pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from fastapi import Depends, FastAPI
    from fastapi.responses import Response

    from jwtlite.starlette import JWTAuth

    app = FastAPI()
    auth = JWTAuth(service, dpop=policy)
    auth.init_app(app)

    # FastAPI solves a route's dependencies in the order listed: the refresh guard first.
    @app.post("/renew", dependencies=[Depends(auth.required(refresh=True)), Depends(auth)])
    async def renew(request: Request) -> Any:
        state = auth._state(request)  # the access guard's, which ran last
        assert state is not None
        assert state.claims is not None
        return {"sub": state.claims["sub"]}

    async def log_in(request: Request) -> Response:
        return await auth.login(request, "alice")

    @app.post("/relogin", dependencies=[Depends(log_in), Depends(auth)])
    async def relogin(response: Response = Depends(log_in)) -> Response:  # noqa: B008
        return response

    async def call(path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            reply = await client.post(path, headers=headers, json=body)
        return reply.status_code, reply.json()

    return lambda path, headers, body=None: asyncio.run(call(path, headers, body))


def _token_request_first(framework: str) -> tuple[Any, TokenService]:
    clock = FakeClock(NOW)
    service = TokenService("k" * 32, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock))
    build = _token_request_first_flask if framework == "flask" else _token_request_first_fastapi
    return build(service, DPoPPolicy(clock=clock)), service


def test_11_1_a_refresh_before_a_guard_checks_the_request_s_proof_once(framework: str) -> None:
    """The other order of the guarded login: the refresh guard's check of the proof (a token
    request's: no ath) runs first, and the access guard after it reuses that verification,
    checking ath itself; the proof in another request is a replay (§11.1)."""
    send, service = _token_request_first(framework)
    answers = []
    for _ in range(2):
        pair = service.issue("alice", jkt=KEY.jkt)
        token = pair.access_token
        headers = {"Authorization": f"DPoP {token}",
                   "DPoP": KEY.proof("POST", "http://localhost/renew", access_token=token,
                                     iat=NOW)}
        body = {"refresh_token": pair.refresh_token}
        status, reply = send("/renew", headers, body)
        assert (status, reply) == (200, {"sub": "alice"})
        status, reply = send("/renew", headers, body)  # the same proof in another request
        assert "jti replay" in reply["message"]
        answers += [200, status]
    assert answers == [200, 400, 200, 400]  # at a token request, a bad proof is a 400 (§5)


def test_11_1_a_login_before_a_guard_checks_the_request_s_proof_once(framework: str) -> None:
    send, service = _token_request_first(framework)
    token = service.issue("alice", jkt=KEY.jkt).access_token
    headers = {"Authorization": f"DPoP {token}",
               "DPoP": KEY.proof("POST", "http://localhost/relogin", access_token=token,
                                 iat=NOW)}
    status, body = send("/relogin", headers)
    assert status == 200, body
    assert (body["token_type"], service.verify_access(body["access_token"], jkt=KEY.jkt)["sub"]) \
        == ("DPoP", "alice")
    status, body = send("/relogin", headers)  # another request
    # Flask's view answers the login's 400; a FastAPI dependency that returns the login's
    # refusal does not stop the route, and the guard after it raises its own 401.
    assert (status, body["error"]) == (400 if framework == "flask" else 401, "invalid_dpop_proof")
    assert "jti replay" in body["message"]


@pytest.mark.parametrize("ath", ["none", "another token's"])
def test_11_1_the_reused_verification_still_checks_ath(framework: str, ath: str) -> None:
    """What the token request did not check, the guard after it still does: a proof that
    passes a login or a refresh (no ath there) but does not carry the hash of the access token
    the request presents is refused by the access guard (§4.3 check 12), not let through."""
    send, service = _token_request_first(framework)
    pair = service.issue("alice", jkt=KEY.jkt)
    other = service.issue("alice", jkt=KEY.jkt).access_token
    proofs = {}
    for path in ("/renew", "/relogin"):
        proofs[path] = KEY.proof("POST", "http://localhost" + path, iat=NOW,
                                 access_token=None if ath == "none" else other)
    status, body = send("/renew", {"Authorization": f"DPoP {pair.access_token}",
                                   "DPoP": proofs["/renew"]},
                        {"refresh_token": pair.refresh_token})
    assert (status, body["error"]) == (401, "invalid_dpop_proof")
    assert body["message"] == "the DPoP proof's ath is not the hash of the access token"
    status, body = send("/relogin", {"Authorization": f"DPoP {pair.access_token}",
                                     "DPoP": proofs["/relogin"]})
    assert (status, body["error"]) == (401, "invalid_dpop_proof")
    assert body["message"] == "the DPoP proof's ath is not the hash of the access token"


def test_11_1_a_verification_is_reused_only_for_the_same_proof_and_request() -> None:
    """The memo of a request's verified proofs is keyed to the exact proof text, method and
    URI: another proof in the same request (here one already used by an earlier request) is
    checked on its own, and the same proof against another method or URI is checked again
    (and refused: its htm/htu is this request's), whichever caller looks."""
    from jwtlite._guard import AuthRefused, GuardCore, RequestView

    clock = FakeClock(NOW)
    service = TokenService("k" * 32, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock))
    core = GuardCore(service, GuardConfig(dpop=DPoPPolicy(clock=clock)))
    token = service.issue("alice", jkt=KEY.jkt).access_token
    url = "https://rs.test/me"

    def view(proof: str, memo: dict[Any, Any], method: str = "GET", at: str = url) -> RequestView:
        return RequestView(method, f"DPoP {token}", {}, None, dpop=(proof,),
                           url=lambda: at, dpop_verified=memo)

    used = KEY.proof("GET", url, access_token=token, iat=NOW)
    core.authenticate(view(used, {}))  # an earlier request
    proof = KEY.proof("GET", url, access_token=token, iat=NOW)
    memo: dict[Any, Any] = {}
    assert core.authenticate(view(proof, memo)).claims["sub"] == "alice"
    assert core.token_request_proof(view(proof, memo)).jkt == KEY.jkt  # reused
    assert core.authenticate(view(proof, memo)).claims["sub"] == "alice"  # reused
    refusals = {
        "another proof, replayed": (view(used, memo), "jti replay"),
        "another method": (view(proof, memo, method="POST"), "(htm)"),
        "another URI": (view(proof, memo, at="https://rs.test/other"), "(htu)"),
    }
    for name, (refused_view, why) in refusals.items():
        for check in (core.authenticate, core.token_request_proof):
            with pytest.raises(AuthRefused) as refused:
                check(refused_view)
            assert why in refused.value.failure.message, name
    assert len(refusals) == 3
    assert len(memo) == 1  # one entry per verified proof; a refused check leaves none
