"""DPoP in the Flask and Starlette/FastAPI guards (RFC 9449 §5, §7, §8, §9): the same HTTP
contract on both, one test per rule, through each framework's own test client."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from conftest import FakeClock, key_pem

from jwtlite._guard import GuardConfig

try:  # FastAPI reads the endpoints' annotations by name: the names must be module globals.
    from starlette.requests import Request
except ImportError:  # pragma: no cover - the FastAPI tests skip
    Request = Any  # type: ignore[misc,assignment]
from jwtlite.dpop import DEFAULT_ALGORITHMS, DPoPKey, DPoPPolicy, NonceIssuer
from jwtlite.exceptions import InvalidArgumentError
from jwtlite.revocation import MemoryStore
from jwtlite.tokens import TokenService

NOW = 1_700_000_000.0
KEY = DPoPKey(key_pem("ec_p256.pem"))
THIEF = DPoPKey(key_pem("ed25519.pem"))
ALGS = " ".join(DEFAULT_ALGORITHMS)


class Reply:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.json: Any = json.loads(body) if body else None

    @property
    def challenge(self) -> str:
        return str(self.headers.get("WWW-Authenticate", ""))


Send = Callable[..., Reply]


def _flask_app(service: TokenService, policy: Any, **_options: Any) -> tuple[Send, str, Any]:
    flask = pytest.importorskip("flask")
    from jwtlite.flask import JWTManager, current_claims

    app = flask.Flask("dpop")
    jwt = JWTManager(app, service, dpop=policy)

    @app.post("/login")
    def login() -> Any:
        return jwt.login_response("alice")

    @app.get("/me")
    @jwt.required()
    def me() -> Any:
        return {"sub": current_claims()["sub"], "cnf": current_claims().get("cnf")}

    @app.post("/refresh")
    @jwt.required(refresh=True)
    def refresh() -> Any:
        return jwt.refresh_response()

    @app.post("/logout")
    @jwt.required()
    def logout() -> Any:
        return jwt.logout_response()

    @app.get("/maybe")
    @jwt.required(optional=True)
    def maybe() -> Any:
        return {"claims": current_claims()}

    client = app.test_client()

    def send(method: str, path: str, **options: Any) -> Reply:
        reply = client.open(path, method=method, **options)
        return Reply(reply.status_code, reply.headers, reply.data)

    return send, "http://localhost", app


def _fastapi_app(
    service: TokenService, policy: Any, *, init_app: bool = True
) -> tuple[Send, str, Any]:
    pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from fastapi import Depends, FastAPI

    from jwtlite.starlette import JWTAuth

    app = FastAPI()
    auth = JWTAuth(service, dpop=policy)
    if init_app:
        auth.init_app(app)

    @app.post("/login")
    async def login(request: Request) -> Any:
        return await auth.login(request, "alice")

    @app.get("/me")
    async def me(claims: dict[str, Any] = Depends(auth)) -> Any:  # noqa: B008
        return {"sub": claims["sub"], "cnf": claims.get("cnf")}

    @app.post("/refresh", dependencies=[Depends(auth.required(refresh=True))])
    async def refresh(request: Request) -> Any:
        return auth.refresh_response(request)

    @app.post("/logout", dependencies=[Depends(auth)])
    async def logout(request: Request) -> Any:
        return await auth.logout_response(request)

    @app.get("/maybe")
    async def maybe(claims: Any = Depends(auth.required(optional=True))) -> Any:  # noqa: B008
        return {"claims": claims}

    async def call(method: str, path: str, **options: Any) -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, **options)

    def send(method: str, path: str, **options: Any) -> Reply:
        reply = asyncio.run(call(method, path, **options))
        return Reply(reply.status_code, reply.headers, reply.content)

    return send, "http://testserver", app


FRAMEWORKS = {"flask": _flask_app, "fastapi": _fastapi_app}


class Harness:
    """One app under test, with a client holding a DPoP key."""

    def __init__(self, framework: str, *, clock: FakeClock | None = None,
                 app_options: dict[str, Any] | None = None, **policy: Any) -> None:
        self.clock = FakeClock(NOW) if clock is None else clock
        self.service = TokenService("k" * 32, "HS256", issuer="https://as.test",
                                    audience="https://rs.test", clock=self.clock,
                                    store=MemoryStore(clock=self.clock))
        self.policy = DPoPPolicy(clock=self.clock, **policy)
        self.send, self.base, self.app = FRAMEWORKS[framework](
            self.service, self.policy, **(app_options or {}))

    def proof(self, method: str, path: str, *, key: DPoPKey = KEY, **options: Any) -> str:
        return key.proof(method, self.base + path, iat=self.clock.now, **options)

    def login(self, **options: Any) -> Reply:
        headers = {"DPoP": self.proof("POST", "/login", **options)}
        return self.send("POST", "/login", headers=headers)

    def me(self, token: str, proof: str | None = None, scheme: str = "DPoP") -> Reply:
        headers = {"Authorization": f"{scheme} {token}"}
        if proof is not None:
            headers["DPoP"] = proof
        return self.send("GET", "/me", headers=headers)


@pytest.fixture(params=sorted(FRAMEWORKS))
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# --- §5: token requests -------------------------------------------------------------------------


def test_5_a_login_with_a_proof_gets_bound_tokens(framework: str) -> None:
    app = Harness(framework)
    reply = app.login()
    assert reply.status == 200, reply.json
    assert reply.json["token_type"] == "DPoP"
    token = reply.json["access_token"]
    me = app.me(token, app.proof("GET", "/me", access_token=token))
    assert me.status == 200, me.json
    assert me.json == {"sub": "alice", "cnf": {"jkt": KEY.jkt}}


def test_5_a_login_without_a_proof_gets_bearer_tokens(framework: str) -> None:
    app = Harness(framework)
    reply = app.send("POST", "/login")
    assert reply.json["token_type"] == "Bearer"
    assert app.me(reply.json["access_token"], scheme="Bearer").status == 200


def test_5_a_bad_proof_at_the_token_endpoint_is_a_400(framework: str) -> None:
    app = Harness(framework)
    proof = app.proof("POST", "/elsewhere")
    reply = app.send("POST", "/login", headers={"DPoP": proof})
    assert reply.status == 400
    assert reply.json["error"] == "invalid_dpop_proof"
    assert "WWW-Authenticate" not in reply.headers  # RFC 6749 §5.2: an OAuth error


def test_5_a_bound_refresh_token_needs_its_key(framework: str) -> None:
    app = Harness(framework)
    pair = app.login().json
    body = {"refresh_token": pair["refresh_token"]}
    # The access token may ride along with the DPoP scheme: the body carries the refresh token.
    headers = {"DPoP": app.proof("POST", "/refresh", key=THIEF),
               "Authorization": f"DPoP {pair['access_token']}"}
    refused = app.send("POST", "/refresh", json=body, headers=headers)
    assert refused.status == 401
    assert refused.json["reason"] == "dpop_binding"
    refused = app.send("POST", "/refresh", json=body)
    assert refused.json["reason"] == "dpop_binding"
    headers["DPoP"] = app.proof("POST", "/refresh")
    renewed = app.send("POST", "/refresh", json=body, headers=headers)
    assert renewed.status == 200, renewed.json
    assert renewed.json["token_type"] == "DPoP"
    token = renewed.json["access_token"]
    assert app.me(token, app.proof("GET", "/me", access_token=token)).status == 200


# --- §7.1: resource requests -----------------------------------------------------------------


def test_7_1_the_proof_must_come_with_the_token(framework: str) -> None:
    app = Harness(framework)
    token = app.login().json["access_token"]
    reply = app.me(token)
    assert reply.status == 401
    assert reply.json["error"] == "invalid_dpop_proof"
    assert reply.challenge == (
        'Bearer realm="api", DPoP realm="api", error="invalid_dpop_proof", '
        f'error_description="the request has no DPoP proof", algs="{ALGS}"'
    )


def test_4_3_check_1_one_dpop_header(framework: str) -> None:
    app = Harness(framework)
    token = app.login().json["access_token"]
    proof = app.proof("GET", "/me", access_token=token)
    headers = [("Authorization", f"DPoP {token}"), ("DPoP", proof), ("DPoP", proof)]
    reply = app.send("GET", "/me", headers=headers)
    assert reply.status == 401
    assert "more than one DPoP header" in reply.json["message"]


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [("POST", "/me", "another HTTP method"), ("GET", "/other", "another URI")],
)
def test_4_3_a_proof_for_another_request(framework: str, method: str, path: str,
                                         message: str) -> None:
    app = Harness(framework)
    token = app.login().json["access_token"]
    reply = app.me(token, app.proof(method, path, access_token=token))
    assert (reply.status, reply.json["error"]) == (401, "invalid_dpop_proof")
    assert message in reply.json["message"]


def test_4_3_check_12_ath(framework: str) -> None:
    app = Harness(framework)
    token = app.login().json["access_token"]
    reply = app.me(token, app.proof("GET", "/me"))
    assert reply.json["error"] == "invalid_dpop_proof"
    assert "ath" in reply.json["message"]


def test_11_1_a_replayed_proof(framework: str) -> None:
    app = Harness(framework)
    token = app.login().json["access_token"]
    proof = app.proof("GET", "/me", access_token=token)
    assert app.me(token, proof).status == 200
    replay = app.me(token, proof)
    assert (replay.status, replay.json["error"]) == (401, "invalid_dpop_proof")
    assert "already used" in replay.json["message"]


def test_6_a_stolen_token_with_the_thiefs_proof(framework: str) -> None:
    app = Harness(framework)
    token = app.login().json["access_token"]
    reply = app.me(token, app.proof("GET", "/me", key=THIEF, access_token=token))
    assert (reply.status, reply.json["error"], reply.json["reason"]) == (
        401, "invalid_token", "dpop_binding")
    # RFC 9449 Figure 16: the DPoP challenge carries the error.
    assert reply.challenge.startswith('Bearer realm="api", DPoP realm="api", error="invalid_token"')


def test_7_2_a_bound_token_as_a_bearer_token(framework: str) -> None:
    app = Harness(framework)
    token = app.login().json["access_token"]
    reply = app.me(token, scheme="Bearer")
    assert (reply.status, reply.json["reason"]) == (401, "dpop_binding")
    assert reply.challenge == (
        'Bearer realm="api", error="invalid_token", error_description="the access token is '
        f'DPoP-bound: present it with a DPoP proof", DPoP realm="api", algs="{ALGS}"'
    )


def test_7_1_an_unbound_token_with_the_dpop_scheme(framework: str) -> None:
    app = Harness(framework)
    token = app.send("POST", "/login").json["access_token"]
    reply = app.me(token, app.proof("GET", "/me", access_token=token))
    assert (reply.status, reply.json["reason"]) == (401, "dpop_binding")


def test_7_2_no_credentials_offers_both_schemes(framework: str) -> None:
    app = Harness(framework)
    reply = app.send("GET", "/me")
    assert reply.status == 401
    assert reply.challenge == f'Bearer realm="api", DPoP realm="api", algs="{ALGS}"'  # Fig. 17
    assert app.send("GET", "/maybe").json == {"claims": None}


def test_7_1_required_refuses_bearer_tokens(framework: str) -> None:
    app = Harness(framework, required=True)
    reply = app.send("POST", "/login")
    assert (reply.status, reply.json["error"]) == (400, "invalid_dpop_proof")
    bearer = app.service.issue("alice").access_token
    reply = app.me(bearer, scheme="Bearer")
    assert reply.status == 401
    assert reply.challenge.startswith('DPoP realm="api", error="invalid_token"')
    assert "Bearer" not in reply.challenge
    assert app.send("GET", "/me").challenge == f'DPoP realm="api", algs="{ALGS}"'
    token = app.login().json["access_token"]
    assert app.me(token, app.proof("GET", "/me", access_token=token)).status == 200


# --- §8, §9: nonces ---------------------------------------------------------------------------


def test_8_the_token_endpoint_demands_a_nonce(framework: str) -> None:
    app = Harness(framework, nonces=NonceIssuer(b"n" * 32, clock=FakeClock(NOW)))
    first = app.login()
    assert (first.status, first.json["error"]) == (400, "use_dpop_nonce")  # Figure 20
    nonce = first.headers["DPoP-Nonce"]
    assert nonce == app.policy.nonces.issue(now=NOW)
    reply = app.login(nonce=nonce)
    assert reply.status == 200, reply.json
    # §9: the resource demands one too (the same issuer here), with a 401 challenge.
    token = reply.json["access_token"]
    refused = app.me(token, app.proof("GET", "/me", access_token=token))
    assert refused.status == 401
    assert refused.challenge.startswith(
        'Bearer realm="api", DPoP realm="api", error="use_dpop_nonce"')  # Figure 24
    assert refused.headers["DPoP-Nonce"] == nonce
    ok = app.me(token, app.proof("GET", "/me", access_token=token, nonce=nonce))
    assert ok.status == 200
    # Two periods later the nonce has rotated out: a new one comes with the refusal.
    app.clock.now += 120
    token = app.service.issue("alice", jkt=KEY.jkt).access_token
    stale = app.me(token, app.proof("GET", "/me", access_token=token, nonce=nonce))
    assert stale.json["error"] == "use_dpop_nonce"
    assert stale.headers["DPoP-Nonce"] != nonce


def _rotating(framework: str, **options: Any) -> tuple[Harness, NonceIssuer]:
    """An app demanding nonces from an issuer whose clock (shared with the app) the test
    moves: a nonce is current for its 60 s period and accepted during the next."""
    clock = FakeClock(NOW)
    issuer = NonceIssuer(b"n" * 32, interval=60, clock=clock)
    return Harness(framework, clock=clock, nonces=issuer, **options), issuer


def test_8_2_a_superseded_nonce_gets_the_current_one_on_success(framework: str) -> None:
    app, issuer = _rotating(framework)
    old = issuer.issue()
    login = app.login(nonce=old)
    assert login.status == 200, login.json
    assert "DPoP-Nonce" not in login.headers  # current: no needless header
    token = login.json["access_token"]
    same = app.me(token, app.proof("GET", "/me", access_token=token, nonce=old))
    assert same.status == 200
    assert "DPoP-Nonce" not in same.headers
    app.clock.now += 60  # the next period: the old nonce is still accepted, not current
    new = issuer.issue()
    assert new != old
    ok = app.me(token, app.proof("GET", "/me", access_token=token, nonce=old))
    assert ok.status == 200, ok.json
    assert ok.headers["DPoP-Nonce"] == new
    # With the new nonce: no header again.
    ok = app.me(token, app.proof("GET", "/me", access_token=token, nonce=new))
    assert (ok.status, ok.headers.get("DPoP-Nonce")) == (200, None)


def test_8_2_token_requests_get_the_current_nonce_too(framework: str) -> None:
    app, issuer = _rotating(framework)
    old = issuer.issue()
    pair = app.login(nonce=old).json
    app.clock.now += 60
    login = app.login(nonce=old)  # §8.2: the token endpoint's 200 carries the next nonce
    assert (login.status, login.headers.get("DPoP-Nonce")) == (200, issuer.issue())
    headers = {"DPoP": app.proof("POST", "/refresh", nonce=old)}
    renewed = app.send("POST", "/refresh", json={"refresh_token": pair["refresh_token"]},
                       headers=headers)
    assert renewed.status == 200, renewed.json
    assert renewed.headers["DPoP-Nonce"] == issuer.issue()


def test_8_2_a_logout_gets_the_current_nonce_too(framework: str) -> None:
    app, issuer = _rotating(framework)
    old = issuer.issue()
    token = app.login(nonce=old).json["access_token"]
    app.clock.now += 60
    proof = app.proof("POST", "/logout", access_token=token, nonce=old)
    out = app.send("POST", "/logout", headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert (out.status, out.json, out.headers.get("DPoP-Nonce")) == (
        200, {"revoked": True}, issuer.issue())


def test_8_2_an_expired_nonce_is_still_refused_with_the_current_one(framework: str) -> None:
    app, issuer = _rotating(framework)
    old = issuer.issue()
    token = app.login(nonce=old).json["access_token"]
    app.clock.now += 120  # two periods on: rotated out
    stale = app.me(token, app.proof("GET", "/me", access_token=token, nonce=old))
    assert (stale.status, stale.json["error"]) == (401, "use_dpop_nonce")
    assert stale.headers["DPoP-Nonce"] == issuer.issue() != old


def test_8_2_no_nonce_header_without_nonces_or_proof(framework: str) -> None:
    app, _issuer = _rotating(framework)
    bearer = app.send("POST", "/login")  # no proof: bearer tokens, no nonce involved
    assert (bearer.status, bearer.headers.get("DPoP-Nonce")) == (200, None)
    app.clock.now += 60
    me = app.me(bearer.json["access_token"], scheme="Bearer")
    assert (me.status, me.headers.get("DPoP-Nonce")) == (200, None)
    plain = Harness(framework)  # no NonceIssuer
    token = plain.login().json["access_token"]
    me = plain.me(token, plain.proof("GET", "/me", access_token=token))
    assert (me.status, me.headers.get("DPoP-Nonce")) == (200, None)


def test_8_2_fastapi_without_init_app_jwtlites_own_answers_carry_it() -> None:
    app, issuer = _rotating("fastapi", app_options={"init_app": False})
    old = issuer.issue()
    pair = app.login(nonce=old).json
    app.clock.now += 60
    assert app.login(nonce=old).headers["DPoP-Nonce"] == issuer.issue()
    headers = {"DPoP": app.proof("POST", "/refresh", nonce=old)}
    renewed = app.send("POST", "/refresh", json={"refresh_token": pair["refresh_token"]},
                       headers=headers)
    assert renewed.headers["DPoP-Nonce"] == issuer.issue()


def test_8_2_fastapi_without_init_app_a_logout_carries_it() -> None:
    app, issuer = _rotating("fastapi", app_options={"init_app": False})
    old = issuer.issue()
    token = app.login(nonce=old).json["access_token"]
    app.clock.now += 60
    proof = app.proof("POST", "/logout", access_token=token, nonce=old)
    out = app.send("POST", "/logout", headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert (out.status, out.headers.get("DPoP-Nonce")) == (200, issuer.issue())


def test_8_2_a_nonce_header_the_view_set_is_kept() -> None:
    flask = pytest.importorskip("flask")
    from jwtlite.flask import JWTManager

    clock = FakeClock(NOW)
    issuer = NonceIssuer(b"n" * 32, clock=clock)
    service = TokenService("k" * 32, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock))
    app = flask.Flask("own")
    jwt = JWTManager(app, service, dpop=DPoPPolicy(nonces=issuer, clock=clock))

    @app.get("/own")
    @jwt.required()
    def own() -> Any:
        return {}, 200, {"DPoP-Nonce": "the-apps-own"}

    old = issuer.issue()
    token = service.issue("alice", jkt=KEY.jkt).access_token
    clock.now += 60
    proof = KEY.proof("GET", "http://localhost/own", access_token=token, iat=clock.now,
                      nonce=old)
    reply = app.test_client().get("/own", headers={"Authorization": f"DPoP {token}",
                                                   "DPoP": proof})
    assert reply.status_code == 200
    assert reply.headers.getlist("DPoP-Nonce") == ["the-apps-own"]


def test_8_2_the_nonce_middleware_hides_nothing_from_the_middleware_around_it() -> None:
    """The router writes the matched route, endpoint and path parameters into the scope it
    is given, and middleware outside (metrics, tracing, error reporting: added after
    init_app, or wrapping the whole app) read them back once the app returns: the DPoP-Nonce
    middleware must pass its caller's scope on, not a copy of it."""
    app, issuer = _rotating("fastapi")
    seen: list[tuple[Any, Any]] = []

    class Outer:
        def __init__(self, app: Any) -> None:  # Starlette 0.27 passes it as app=
            self.inner = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.inner(scope, receive, send)
            if scope["type"] == "http":
                seen.append((getattr(scope.get("route"), "path", None), scope.get("endpoint")))

    app.app.add_middleware(Outer)
    old = issuer.issue()
    token = app.login(nonce=old).json["access_token"]
    app.clock.now += 60  # superseded: the answer carries the current nonce
    reply = app.me(token, app.proof("GET", "/me", access_token=token, nonce=old))
    assert (reply.status, reply.headers["DPoP-Nonce"]) == (200, issuer.issue())
    assert [path for path, _endpoint in seen] == ["/login", "/me"]
    assert all(endpoint is not None for _path, endpoint in seen)


def _overlapping_flask(service: TokenService, policy: DPoPPolicy, count: int) -> Any:
    flask = pytest.importorskip("flask")
    from jwtlite.flask import JWTManager

    app = flask.Flask("overlap")
    jwt = JWTManager(app, service, dpop=policy)
    inside = threading.Barrier(count, timeout=10)

    @app.get("/me")
    @jwt.required()
    def me() -> Any:
        inside.wait()  # every request is in its view before any answer is made
        return {}

    def send(headers: dict[str, str]) -> tuple[int, str | None]:
        reply = app.test_client().get("/me", headers=headers)
        return reply.status_code, reply.headers.get("DPoP-Nonce")

    def run(requests: list[dict[str, str]]) -> list[tuple[int, str | None]]:
        results: list[Any] = [None] * len(requests)

        def one(index: int) -> None:
            results[index] = send(requests[index])

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(requests))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    return run


def _overlapping_fastapi(service: TokenService, policy: DPoPPolicy, count: int) -> Any:
    pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from fastapi import Depends, FastAPI

    from jwtlite.starlette import JWTAuth

    app = FastAPI()
    auth = JWTAuth(service, dpop=policy)
    auth.init_app(app)
    arrived: list[int] = []
    # Made inside the running loop: Python 3.9 binds an Event to the loop current at creation.
    events: dict[str, asyncio.Event] = {}

    @app.get("/me")
    async def me(claims: dict[str, Any] = Depends(auth)) -> Any:  # noqa: B008
        arrived.append(1)
        if len(arrived) == count:
            events["everyone"].set()
        await events["everyone"].wait()  # every request is in its view before any answer
        return {}

    async def run_all(requests: list[dict[str, str]]) -> list[tuple[int, str | None]]:
        events["everyone"] = asyncio.Event()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            replies = await asyncio.gather(*(client.get("/me", headers=h) for h in requests))
        return [(reply.status_code, reply.headers.get("DPoP-Nonce")) for reply in replies]

    return lambda requests: asyncio.run(run_all(requests))


def test_8_2_a_nonce_goes_only_to_the_request_it_was_chosen_for(framework: str) -> None:
    """Overlapping requests (Flask's threads, Starlette's tasks), half with a superseded
    nonce and half with the current one: only the first half's answers carry a nonce."""
    clock = FakeClock(NOW)
    issuer = NonceIssuer(b"n" * 32, interval=60, clock=clock)
    service = TokenService("k" * 32, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock))
    policy = DPoPPolicy(clock=clock, nonces=issuer)
    count = 6
    build = _overlapping_flask if framework == "flask" else _overlapping_fastapi
    run = build(service, policy, count)
    base = "http://localhost" if framework == "flask" else "http://testserver"
    old = issuer.issue()
    clock.now += 60
    token = service.issue("alice", jkt=KEY.jkt).access_token
    nonces = [old if i % 2 == 0 else issuer.issue() for i in range(count)]
    requests = [
        {"Authorization": f"DPoP {token}",
         "DPoP": KEY.proof("GET", base + "/me", access_token=token, iat=clock.now, nonce=n)}
        for n in nonces
    ]  # fmt: skip
    results = run(requests)
    expected = [(200, issuer.issue() if n == old else None) for n in nonces]
    assert results == expected
    assert sum(1 for _status, nonce in results if nonce is not None) == count // 2


def _two_guards_flask(service: TokenService, policy: DPoPPolicy) -> Any:
    flask = pytest.importorskip("flask")
    from jwtlite.flask import JWTManager, current_claims

    app = flask.Flask("two")
    jwt = JWTManager(app, service, dpop=policy)

    @app.get("/both")
    @jwt.required()
    @jwt.required(optional=True)
    def both() -> Any:
        return {"sub": current_claims()["sub"]}

    client = app.test_client()

    def send(headers: dict[str, str]) -> tuple[int, Any]:
        reply = client.get("/both", headers=headers)
        return reply.status_code, reply.get_json()

    return send


def _two_guards_fastapi(service: TokenService, policy: DPoPPolicy) -> Any:
    pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from fastapi import APIRouter, Depends, FastAPI

    from jwtlite.starlette import JWTAuth

    app = FastAPI()
    auth = JWTAuth(service, dpop=policy)
    auth.init_app(app)
    router = APIRouter(dependencies=[Depends(auth)])  # the router's guard, then the route's

    @router.get("/both")
    async def both(claims: Any = Depends(auth.required(optional=True))) -> Any:  # noqa: B008
        return {"sub": claims["sub"]}

    app.include_router(router)

    async def call(headers: dict[str, str]) -> tuple[int, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            reply = await client.get("/both", headers=headers)
        return reply.status_code, reply.json()

    return lambda headers: asyncio.run(call(headers))


def test_11_1_two_guards_on_one_request_check_its_proof_once(framework: str) -> None:
    """A router's guard and a route's (or two stacked decorators) both check the request's
    one proof: its jti is recorded once, so the second guard must not see a replay (§11.1)
    in the very request the proof was made for; a second request with it is still one."""
    clock = FakeClock(NOW)
    service = TokenService("k" * 32, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock))
    build = _two_guards_flask if framework == "flask" else _two_guards_fastapi
    send = build(service, DPoPPolicy(clock=clock))
    token = service.issue("alice", jkt=KEY.jkt).access_token
    statuses = []
    for _ in range(2):
        proof = KEY.proof("GET", "http://localhost/both", access_token=token, iat=NOW)
        headers = {"Authorization": f"DPoP {token}", "DPoP": proof}
        status, body = send(headers)
        assert (status, body) == (200, {"sub": "alice"})
        status, body = send(headers)  # the same proof in another request
        assert "jti replay" in body["message"]
        statuses += [200, status]
    assert statuses == [200, 401, 200, 401]


def test_11_1_a_guarded_login_checks_the_request_s_proof_once(framework: str) -> None:
    """A login answered behind a guard (re-authentication of a signed-in client): the guard's
    check of the proof (with ``ath``, the stricter one) also serves the login's (§5)."""
    clock = FakeClock(NOW)
    service = TokenService("k" * 32, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock))
    policy = DPoPPolicy(clock=clock)
    token = service.issue("alice", jkt=KEY.jkt).access_token
    proof = KEY.proof("POST", "http://localhost/relogin", access_token=token, iat=NOW)
    headers = {"Authorization": f"DPoP {token}", "DPoP": proof}
    if framework == "flask":
        flask = pytest.importorskip("flask")
        from jwtlite.flask import JWTManager

        app = flask.Flask("relogin")
        jwt = JWTManager(app, service, dpop=policy)

        @app.post("/relogin")
        @jwt.required()
        def relogin() -> Any:
            return jwt.login_response("alice")

        reply = app.test_client().post("/relogin", headers=headers)
        status, body = reply.status_code, reply.get_json()
    else:
        pytest.importorskip("fastapi")
        httpx = pytest.importorskip("httpx")
        from fastapi import Depends, FastAPI

        from jwtlite.starlette import JWTAuth

        api = FastAPI()
        auth = JWTAuth(service, dpop=policy)

        @api.post("/relogin", dependencies=[Depends(auth)])
        async def relogin_api(request: Request) -> Any:
            return await auth.login(request, "alice")

        async def call() -> Any:
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
                return await c.post("/relogin", headers=headers)

        answer = asyncio.run(call())
        status, body = answer.status_code, answer.json()
    assert status == 200, body
    assert (body["token_type"], service.verify_access(body["access_token"], jkt=KEY.jkt)["sub"]) \
        == ("DPoP", "alice")


def test_8_2_a_route_s_own_nonce_header_survives_one_pass_headers() -> None:
    """ASGI lets ``headers`` be any iterable: a response that sends a generator, with a
    ``DPoP-Nonce`` of its own, keeps all its headers when the middleware looks at them."""
    pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from fastapi import Depends, FastAPI
    from starlette.responses import Response

    from jwtlite.starlette import JWTAuth

    class OnePass(Response):
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            own = [(b"dpop-nonce", b"the-apps-own"), (b"x-kept", b"1")]
            await send({"type": "http.response.start", "status": 200,
                        "headers": (pair for pair in own)})
            await send({"type": "http.response.body", "body": b"{}"})

    app, issuer = _rotating("fastapi")
    api = FastAPI()
    auth = JWTAuth(app.service, dpop=app.policy)
    auth.init_app(api)

    @api.get("/own")
    async def own(claims: Any = Depends(auth)) -> Any:  # noqa: B008
        return OnePass()

    old = issuer.issue()
    app.clock.now += 60
    token = app.service.issue("alice", jkt=KEY.jkt).access_token
    proof = KEY.proof("GET", "http://testserver/own", access_token=token, iat=app.clock.now,
                      nonce=old)

    async def call() -> Any:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get("/own", headers={"Authorization": f"DPoP {token}", "DPoP": proof})

    reply = asyncio.run(call())
    assert reply.status_code == 200
    assert (reply.headers.get_list("DPoP-Nonce"), reply.headers.get("X-Kept")) == (
        ["the-apps-own"], "1")


class _ClockedKey(DPoPKey):
    """KEY, signing proofs at the test's clock (the client's clock agrees with the server's)."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(key_pem("ec_p256.pem"))
        self._clock = clock

    def proof(self, htm: str, htu: str, **options: Any) -> str:
        return super().proof(htm, htu, iat=self._clock.now, **options)


def _client_requests(
    framework: str, app: Harness, auth: Any, calls: list[tuple[str, str]]
) -> list[Any]:
    """Send ``calls`` (method, path) through httpx with jwtlite's DPoP auth (the access token
    of the login's answer set on it), moving the clock one period after each; every final
    response (the retries are in each one's ``history``)."""
    httpx = pytest.importorskip("httpx")

    def learn(reply: Any, path: str) -> None:
        if path == "/login":
            auth.access_token = reply.json()["access_token"]
        app.clock.now += 60

    if framework == "flask":
        replies = []
        with httpx.Client(transport=httpx.WSGITransport(app=app.app), base_url=app.base,
                          auth=auth) as client:
            for method, path in calls:
                replies.append(client.request(method, path))
                learn(replies[-1], path)
        return replies

    async def run() -> list[Any]:
        replies = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app.app),
                                     base_url=app.base, auth=auth) as client:
            for method, path in calls:
                replies.append(await client.request(method, path))
                learn(replies[-1], path)
        return replies

    return asyncio.run(run())


def test_8_2_jwtlites_client_rolls_over_without_a_refusal(framework: str) -> None:
    pytest.importorskip("httpx")
    from jwtlite.dpop_client import DPoPHTTPXAuth

    app, issuer = _rotating(framework)
    auth = DPoPHTTPXAuth(_ClockedKey(app.clock))
    calls = [("POST", "/login"), ("GET", "/me"), ("GET", "/me"), ("GET", "/me")]
    replies = _client_requests(framework, app, auth, calls)
    assert [r.status_code for r in replies] == [200] * len(calls)
    # Only the first request, which had no nonce at all, was refused (§8) and sent again;
    # each later one used the nonce the previous answer carried, one period old but
    # accepted, and its answer carried the next (§8.2).
    assert [[h.status_code for h in r.history] for r in replies] == [[400], [], [], []]
    sent = sum(1 + len(r.history) for r in replies)
    assert sent == len(calls) + 1 == 5
    assert [r.headers.get("DPoP-Nonce") is not None for r in replies[1:]] == [True] * 3
    assert auth.nonce(app.base) == issuer.issue(now=app.clock.now - 60)


def test_base_url_names_the_public_origin(framework: str) -> None:
    app = Harness(framework, base_url="https://api.example.test")
    public = "https://api.example.test/login"
    reply = app.send("POST", "/login", headers={"DPoP": KEY.proof("POST", public, iat=NOW)})
    assert reply.status == 200, reply.json
    # A proof naming the host the server happens to see is not one for its public URI.
    assert app.login().status == 400


def test_dpop_and_cookies_do_not_mix() -> None:
    with pytest.raises(InvalidArgumentError, match="not cookies"):
        GuardConfig(cookies=True, dpop=DPoPPolicy())


def test_dpop_argument(framework: str) -> None:
    flask = pytest.importorskip("flask")
    from jwtlite.flask import JWTManager

    service = TokenService("k" * 32, "HS256", issuer="i", audience="a")
    assert JWTManager(flask.Flask("x"), service, dpop=True)._config.dpop == DPoPPolicy()
    assert JWTManager(flask.Flask("x"), service, dpop=False)._config.dpop is None
    with pytest.raises(InvalidArgumentError, match=r"^dpop must be a DPoPPolicy, True or None$"):
        JWTManager(flask.Flask("x"), service, dpop="yes")  # type: ignore[arg-type]


# --- a resource server for an external authorization server (RFC 9068 tokens, its JWKS) -------


def test_resource_server_accepts_the_as_dpop_bound_tokens() -> None:
    from test_access_token import AS_PUBLIC, _claims, _token
    from test_access_token import NOW as AS_NOW
    from test_jwks_client import Server, _serve
    from test_resource_server import _verifier

    from jwtlite._guard import AuthRefused, GuardCore, RequestView
    from jwtlite.jwk import key_to_jwk

    state = Server()
    state.jwks(key_to_jwk(AS_PUBLIC, kid="as-1", include_private=False))
    url = "https://rs.example.test/things"
    with _serve(state) as base:
        clock = FakeClock(AS_NOW)
        with pytest.raises(InvalidArgumentError, match="needs a store"):
            GuardCore(None, GuardConfig(dpop=DPoPPolicy()), verifier=_verifier(base + "/jwks"))
        policy = DPoPPolicy(store=MemoryStore(clock=clock), clock=clock)
        core = GuardCore(None, GuardConfig(dpop=policy), verifier=_verifier(base + "/jwks"))
        bound = _token(_claims(cnf={"jkt": KEY.jkt}))

        def view(token: str, scheme: str, proof: str | None) -> RequestView:
            return RequestView("GET", f"{scheme} {token}", {}, None,
                               dpop=() if proof is None else (proof,), url=lambda: url)

        proof = KEY.proof("GET", url, access_token=bound, iat=AS_NOW)
        assert core.authenticate(view(bound, "DPoP", proof)).claims["cnf"] == {"jkt": KEY.jkt}
        refusals = {
            "the access token is DPoP-bound: present it with a DPoP proof":
                view(bound, "Bearer", None),
            "the DPoP proof's key is not the key the access token is bound to":
                view(bound, "DPoP", THIEF.proof("GET", url, access_token=bound, iat=AS_NOW)),
            "the access token is not DPoP-bound": view(_token(), "DPoP", KEY.proof(
                "GET", url, access_token=_token(), iat=AS_NOW)),
        }
        for message, refused_view in refusals.items():
            with pytest.raises(AuthRefused) as refused:
                core.authenticate(refused_view)
            failure = refused.value.failure
            assert (failure.status, failure.reason, failure.message) == (
                401, "dpop_binding", message)
        assert len(refusals) == 3



# --- the core itself, without a framework (found by mutation testing) -------------------------

URL = "https://rs.test/me"


def _core_for(policy: DPoPPolicy, *, store: MemoryStore | None = None,
              clock: FakeClock | None = None) -> tuple[TokenService, Any]:
    from jwtlite._guard import GuardCore

    clock = FakeClock(NOW) if clock is None else clock
    service = TokenService("k" * 32, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock) if store is None else store)
    return service, GuardCore(service, GuardConfig(dpop=policy))


def _view(token: str, proof: str | None = None, *, scheme: str = "DPoP",
          memo: dict[Any, Any] | None = None, url: str = URL, target: str = "/me") -> Any:
    from jwtlite._guard import RequestView

    return RequestView("GET", f"{scheme} {token}", {}, None,
                       dpop=() if proof is None else (proof,), url=lambda: url,
                       target=lambda: target, dpop_verified=memo)


def _failure(core: Any, view: Any, **options: Any) -> Any:
    from jwtlite._guard import AuthRefused

    with pytest.raises(AuthRefused) as refused:
        core.authenticate(view, **options)
    return refused.value.failure


def test_core_nonces_are_judged_and_issued_by_the_policy_clock() -> None:
    # The issuer's own clock (here an hour ahead) is not the moment a proof was checked at:
    # the policy's clock is, for the nonce's currency and for the next nonce (§8.2).
    clock = FakeClock(NOW)
    issuer = NonceIssuer(b"n" * 32, interval=60, clock=FakeClock(NOW + 3600))
    policy = DPoPPolicy(clock=clock, nonces=issuer)
    service, core = _core_for(policy, clock=clock)
    token = service.issue("alice", jkt=KEY.jkt).access_token
    nonce = issuer.issue(now=NOW)
    proof = KEY.proof("GET", URL, access_token=token, iat=NOW, nonce=nonce)
    assert core.authenticate(_view(token, proof)).dpop_nonce is None  # current: no header
    clock.now += 60  # the next period: accepted, superseded
    proof = KEY.proof("GET", URL, access_token=token, iat=clock.now, nonce=nonce)
    assert core.authenticate(_view(token, proof)).dpop_nonce == issuer.issue(now=clock.now)
    failure = _failure(core, _view(token))  # no proof: refused with the policy clock's nonce
    assert failure.headers("api")["DPoP-Nonce"] == issuer.issue(now=clock.now)


def test_core_nonces_without_a_policy_clock_use_the_issuers() -> None:
    issuer_clock = FakeClock(NOW)
    issuer = NonceIssuer(b"n" * 32, interval=60, clock=issuer_clock)
    store = MemoryStore()  # the real clock, as the policy's and the proof's
    service, core = _core_for(DPoPPolicy(nonces=issuer, store=store))
    token = service.issue("alice", jkt=KEY.jkt).access_token
    nonce = issuer.issue()
    assert core.authenticate(_view(token, KEY.proof("GET", URL, access_token=token,
                                                    nonce=nonce))).dpop_nonce is None
    issuer_clock.now += 60
    reply = core.authenticate(_view(token, KEY.proof("GET", URL, access_token=token,
                                                     nonce=nonce)))
    assert reply.dpop_nonce == issuer.issue() != nonce
    failure = _failure(core, _view(token))
    assert failure.headers("api")["DPoP-Nonce"] == issuer.issue()


def test_core_required_dpop_refuses_a_bearer_token_with_its_challenge() -> None:
    policy = DPoPPolicy(clock=FakeClock(NOW), required=True)
    service, core = _core_for(policy)
    token = service.issue("alice").access_token
    failure = _failure(core, _view(token, scheme="Bearer"))
    message = "this resource takes DPoP-bound tokens with a DPoP proof"
    assert (failure.status, failure.reason, failure.message) == (401, "dpop_binding", message)
    assert failure.headers("api") == {"WWW-Authenticate": policy.challenge(
        realm="api", error="invalid_token", description=message)}


def test_core_dpop_challenges_with_scope_and_nonce() -> None:
    # RFC 9449 §7.2 with RFC 6750 §3: the error and the needed scope ride on the challenge of
    # the scheme the request used; the other challenge is bare.
    clock = FakeClock(NOW)
    issuer = NonceIssuer(b"n" * 32, clock=clock)
    policy = DPoPPolicy(clock=clock, nonces=issuer)
    service, core = _core_for(policy, clock=clock)
    bound = service.issue("alice", jkt=KEY.jkt).access_token
    nonce = issuer.issue()
    lacks = "the token lacks a scope this request needs"
    proof = KEY.proof("GET", URL, access_token=bound, iat=NOW, nonce=nonce)
    failure = _failure(core, _view(bound, proof), scopes=["admin"])
    assert (failure.status, failure.reason) == (403, "insufficient_scope")
    assert failure.headers("api") == {"WWW-Authenticate": 'Bearer realm="api", ' + policy.challenge(
        realm="api", error="insufficient_scope", description=lacks, scope="admin")}
    bearer = service.issue("bob").access_token
    failure = _failure(core, _view(bearer, scheme="Bearer"), scopes=["admin"])
    assert failure.headers("api") == {"WWW-Authenticate": (
        f'Bearer realm="api", scope="admin", error="insufficient_scope", '
        f'error_description="{lacks}", ' + policy.challenge(realm="api"))}
    failure = _failure(core, _view(bound))  # no proof: a DPoP refusal carries a nonce
    assert failure.reason == "invalid_dpop_proof"
    assert failure.headers("api") == {
        "WWW-Authenticate": 'Bearer realm="api", ' + policy.challenge(
            realm="api", error="invalid_dpop_proof", description=failure.message),
        "DPoP-Nonce": nonce,
    }


def test_core_dpop_refusals_without_a_challenge() -> None:
    # A 415 or a 400 body refusal has no WWW-Authenticate to extend, DPoP or not.
    from jwtlite._guard import RequestView

    _service, core = _core_for(DPoPPolicy(clock=FakeClock(NOW)))
    for content_type, answer in (("text/plain", {"Accept": "application/json"}),
                                 ("application/json", {})):
        view = RequestView("POST", None, {}, None, content_type=content_type,
                           body=lambda: b'{"refresh_token": 1}')
        assert _failure(core, view, refresh=True).headers("api") == answer


def test_core_proof_memo_is_kept_per_policy_and_store() -> None:
    # Two guards of one request under another policy (here one demanding nonces) or another
    # replay store each check the proof: a verification is reused only by its own kind.
    clock = FakeClock(NOW)
    store = MemoryStore(clock=clock)
    service, plain = _core_for(DPoPPolicy(clock=clock), store=store, clock=clock)
    _, strict = _core_for(DPoPPolicy(clock=clock, nonces=NonceIssuer(b"n" * 32, clock=clock)),
                          store=store, clock=clock)
    token = service.issue("alice", jkt=KEY.jkt).access_token
    memo: dict[Any, Any] = {}
    proof = KEY.proof("GET", URL, access_token=token, iat=NOW)
    assert plain.authenticate(_view(token, proof, memo=memo)).claims["sub"] == "alice"
    assert _failure(strict, _view(token, proof, memo=memo)).reason == "dpop_nonce"
    # One policy, two services with their own replay stores: each store records the proof.
    policy = DPoPPolicy(clock=clock)
    _, first = _core_for(policy, clock=clock)
    _, second = _core_for(policy, clock=clock)
    proof = KEY.proof("GET", URL, access_token=token, iat=NOW)
    memo = {}
    for core in (first, second):
        assert core.authenticate(_view(token, proof, memo=memo)).claims["sub"] == "alice"
    assert "jti replay" in _failure(second, _view(token, proof)).message


def test_core_base_url_takes_the_framework_target_not_a_parse_of_the_url() -> None:
    # A Host header with a "/" in it ("rs.test/x") makes the URL's path "/x/me"; the request's
    # own path, as the framework cut it, is "/me", and the proof names the public origin's.
    policy = DPoPPolicy(clock=FakeClock(NOW), base_url="https://api.example")
    service, core = _core_for(policy)
    token = service.issue("alice", jkt=KEY.jkt).access_token
    proof = KEY.proof("GET", "https://api.example/me", access_token=token, iat=NOW)
    view = _view(token, proof, url="http://rs.test/x/me", target="/me")
    assert core.authenticate(view).claims["sub"] == "alice"
