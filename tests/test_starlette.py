"""jwtlite.starlette: the JWTAuth dependency under FastAPI and plain Starlette."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from conftest import COOKIE_AGES, FakeClock, cookie_ages

fastapi = pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from fastapi import Depends, FastAPI, Request  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402
from test_flask import fresh_pair  # noqa: E402

from jwtlite.exceptions import InvalidArgumentError, RevocationStoreUnavailableError  # noqa: E402
from jwtlite.revocation import LookupResult, MemoryStore  # noqa: E402
from jwtlite.starlette import AuthFailure, JWTAuth  # noqa: E402
from jwtlite.tokens import TokenService  # noqa: E402

SECRET = "k" * 40
Claims = dict[str, Any]


def _service(clock: FakeClock, store: Any = None) -> TokenService:
    return TokenService(SECRET, "HS256", issuer="iss", audience="aud", clock=clock, store=store)


def _app(auth: JWTAuth, *, init: bool = True) -> FastAPI:
    app = FastAPI()
    if init:
        auth.init_app(app)

    @app.get("/me")
    async def me(request: Request, claims: Claims = Depends(auth)) -> Any:  # noqa: B008
        return {"sub": claims["sub"], "user": auth.user(request)}

    @app.get("/maybe")
    async def maybe(claims: Any = Depends(auth.required(optional=True))) -> Any:  # noqa: B008
        return {"sub": None if claims is None else claims["sub"]}

    @app.post("/password", dependencies=[Depends(auth.required(fresh=True))])
    async def password() -> Any:
        return {"ok": True}

    @app.post("/refresh", dependencies=[Depends(auth.required(refresh=True))])
    async def refresh(request: Request) -> Response:
        return auth.refresh_response(request)

    @app.post("/logout", dependencies=[Depends(auth)])
    async def logout(request: Request) -> Response:
        return await auth.logout_response(request)

    @app.post("/login")
    async def login(request: Request) -> Response:
        fields = await auth.json_fields(request, "username")
        return auth.login_response(fields["username"], {"scope": "read"})

    return app


Call = Callable[..., Awaitable[Any]]


def _run(app: Any, scenario: Callable[[Any], Awaitable[None]]) -> None:
    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            await scenario(c)

    asyncio.run(main())


_JSON = {"Content-Type": "application/json"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


def test_dependency_variants(clock: FakeClock) -> None:
    service = _service(clock)
    auth = JWTAuth(service, realm="api")
    login = fresh_pair(service)

    async def scenario(c: Any) -> None:
        me = await c.get("/me", headers=_bearer(login.access_token))
        assert me.json() == {"sub": "alice", "user": None}
        assert (await c.get("/maybe")).json() == {"sub": None}
        assert (await c.get("/maybe", headers=_bearer("a.b.c"))).status_code == 401
        missing = await c.get("/me")
        assert (missing.status_code, missing.json()["reason"]) == (401, "missing")
        assert missing.headers["www-authenticate"] == 'Bearer realm="api"'
        bad = await c.get("/me", headers={"Authorization": "Bearer a b"})
        assert (bad.status_code, bad.json()["error"]) == (400, "invalid_request")
        assert (await c.post("/password", headers=_bearer(login.access_token))).status_code == 200
        new = (await c.post("/refresh", json={"refresh_token": login.refresh_token})).json()
        assert set(new) == {"access_token", "refresh_token", "token_type", "expires_in"}
        plain = await c.post("/refresh", json={"refresh_token": service.issue("b").refresh_token})
        stale = await c.post("/password", headers=_bearer(plain.json()["access_token"]))
        assert (stale.status_code, stale.json()["reason"]) == (401, "not_fresh")
        assert 'error="insufficient_user_authentication"' in stale.headers["www-authenticate"]
        reuse = await c.post("/refresh", json={"refresh_token": login.refresh_token})
        assert reuse.json()["reason"] == "revoked"
        deep = await c.post("/refresh", content=b"[" * 100_000, headers=_JSON)
        assert deep.status_code == 400
        out = await c.post("/logout", headers=_bearer(plain.json()["access_token"]))
        assert out.json() == {"revoked": True}
        gone = await c.get("/me", headers=_bearer(plain.json()["access_token"]))
        assert gone.json()["reason"] == "revoked"
        clock.now += 901
        expired = await c.get("/me", headers=_bearer(login.access_token))
        assert expired.json()["reason"] in {"expired", "revoked"}

    _run(_app(auth), scenario)


def test_hooks_and_login(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock))
    auth.user_loader(lambda claims: {"alice": "Alice"}.get(claims["sub"]))
    auth.additional_claims(lambda identity: {"role": identity.upper()})
    seen: list[str] = []

    @auth.error_handler
    def hook(failure: AuthFailure) -> Response | None:
        seen.append(failure.reason)
        return JSONResponse({"custom": True}, status_code=418) if failure.reason == "csrf" else None

    async def scenario(c: Any) -> None:
        pair = (await c.post("/login", json={"username": "alice"})).json()
        assert (await c.get("/me", headers=_bearer(pair["access_token"]))).json()["user"] == "Alice"
        ghost = (await c.post("/login", json={"username": "ghost"})).json()
        refused = await c.get("/me", headers=_bearer(ghost["access_token"]))
        assert (refused.status_code, refused.json()["reason"]) == (401, "user_not_found")
        bad = await c.post("/login", content=b'{"username": "\\ud800"}', headers=_JSON)
        assert (bad.status_code, bad.json()["reason"]) == (400, "bad_request")

    _run(_app(auth), scenario)
    assert seen == ["user_not_found", "bad_request"]


def test_cookies_with_csrf(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock), cookies=True)

    async def scenario(c: Any) -> None:
        login = await c.post("/login", json={"username": "alice"})
        assert set(login.json()) == {"token_type", "expires_in"}
        cookies = login.headers.get_list("set-cookie")
        assert len(cookies) == 4
        assert all("secure" in h.lower() and "samesite=strict" in h.lower() for h in cookies)
        assert cookie_ages(cookies) == COOKIE_AGES
        assert (await c.get("/me")).status_code == 200
        assert (await c.post("/refresh")).json()["reason"] == "csrf"
        csrf = c.cookies.get("csrf_token")
        ok = await c.post("/refresh", headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200
        csrf = ok.cookies.get("csrf_token")
        out = await c.post("/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 200
        assert "access_token=" in out.headers.get_list("set-cookie")[0]

    _run(_app(auth), scenario)


def test_without_init_app_fastapi_renders_detail(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock))

    async def scenario(c: Any) -> None:
        reply = await c.get("/me")
        assert reply.status_code == 401
        assert reply.json() == {"detail": "no access token was sent"}
        assert reply.headers["www-authenticate"].startswith("Bearer")

    _run(_app(auth, init=False), scenario)


def test_openapi_declares_bearer_scheme(clock: FakeClock) -> None:
    schema = _app(JWTAuth(_service(clock))).openapi()
    assert schema["components"]["securitySchemes"]["JWT"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"
    }
    assert schema["paths"]["/me"]["get"]["security"] == [{"JWT": []}]
    assert "security" not in schema["paths"]["/login"]["post"]


class _SlowStore(MemoryStore):
    """Blocks in is_revoked until released: proves the event loop is not the one waiting."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock=clock)
        self.entered = threading.Event()
        self.release = threading.Event()

    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        self.entered.set()
        assert self.release.wait(10)
        return super().lookup(jti=jti, family=family, subject=subject)


def test_store_runs_off_the_event_loop(clock: FakeClock) -> None:
    store = _SlowStore(clock)
    service = _service(clock, store=store)
    auth = JWTAuth(service)
    token = service.issue("a").access_token

    async def scenario(c: Any) -> None:
        pending = asyncio.ensure_future(c.get("/me", headers=_bearer(token)))
        # The loop keeps running other tasks while the store blocks its worker thread.
        while not store.entered.is_set():
            await asyncio.sleep(0)
        ticks = 0
        for _ in range(50):
            await asyncio.sleep(0)
            ticks += 1
        assert not pending.done()
        store.release.set()
        assert (await pending).status_code == 200
        assert ticks == 50

    _run(_app(auth), scenario)


class _DownStore(MemoryStore):
    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        raise RevocationStoreUnavailableError("down")


def test_store_unavailable_and_plain_starlette(clock: FakeClock) -> None:
    service = _service(clock, store=_DownStore(clock=clock))
    auth = JWTAuth(service)

    async def endpoint(request: Request) -> Response:
        claims = await auth(request)
        return JSONResponse({"sub": None if claims is None else claims["sub"]})

    app = Starlette(routes=[Route("/x", endpoint)])
    auth.init_app(app)

    async def scenario(c: Any) -> None:
        reply = await c.get("/x", headers=_bearer(service.issue("a").access_token))
        assert (reply.status_code, reply.json()["reason"]) == (503, "unavailable")
        assert reply.headers["retry-after"] == "5"
        assert (await c.get("/x")).json()["reason"] == "missing"

    _run(app, scenario)


def test_misuse(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock))
    assert auth.service is not None
    with pytest.raises(InvalidArgumentError):
        auth.required(refresh=True, fresh=True)
    app = FastAPI()

    @app.get("/p")
    async def p(request: Request) -> Any:
        with pytest.raises(InvalidArgumentError):
            auth.pair(request)
        with pytest.raises(InvalidArgumentError):
            await auth.logout_response(request)
        return {"user": auth.user(request)}

    async def scenario(c: Any) -> None:
        assert (await c.get("/p")).json() == {"user": None}

    _run(app, scenario)


@pytest.mark.parametrize("cookies", [False, True])
def test_json_bodies_need_a_json_media_type(clock: FakeClock, cookies: bool) -> None:
    service = _service(clock)
    auth = JWTAuth(service, cookies=cookies)
    body = b'{"username": "mallory"}'
    refresh = json.dumps({"refresh_token": service.issue("mallory").refresh_token}).encode()

    async def scenario(c: Any) -> None:
        # What a plain HTML form (or a no-cors fetch) on another site sends without preflight.
        for content_type in ("text/plain", "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x", None, "text/json"):
            headers = {} if content_type is None else {"Content-Type": content_type}
            for path, content in (("/login", body), ("/refresh", refresh)):
                reply = await c.post(path, content=content, headers=headers)
                assert (reply.status_code, reply.json()["reason"]) == (
                    415, "unsupported_media_type"), (path, content_type)
                assert reply.headers["accept"] == "application/json"
                assert "www-authenticate" not in reply.headers
                assert reply.headers.get_list("set-cookie") == []
        empty = await c.post("/refresh")
        assert (empty.status_code, empty.json()["reason"]) == (400, "bad_request")
        for content_type in ("application/json; charset=UTF-8", "application/problem+json"):
            reply = await c.post("/login", content=body, headers={"Content-Type": content_type})
            assert reply.status_code == 200, content_type

    _run(_app(auth), scenario)
