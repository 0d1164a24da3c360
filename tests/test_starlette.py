"""jwtlite.starlette: the JWTAuth dependency under FastAPI and plain Starlette."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from conftest import COOKIE_AGES, FakeClock, cookie_ages, run_asgi

fastapi = pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from fastapi import Depends, FastAPI, Request  # noqa: E402
from fastapi.security import APIKeyHeader  # noqa: E402
from pydantic import BaseModel  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402
from test_flask import fresh_pair  # noqa: E402

from jwtlite._options import DEFAULT_MAX_TOKEN_SIZE  # noqa: E402
from jwtlite.exceptions import InvalidArgumentError, RevocationStoreUnavailableError  # noqa: E402
from jwtlite.revocation import LookupResult, MemoryStore  # noqa: E402
from jwtlite.starlette import AuthFailure, JWTAuth, PasswordForm  # noqa: E402
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

    run_asgi(_app(auth), scenario)


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

    run_asgi(_app(auth), scenario)
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

    run_asgi(_app(auth), scenario)


def test_without_init_app_fastapi_renders_detail(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock))

    async def scenario(c: Any) -> None:
        reply = await c.get("/me")
        assert reply.status_code == 401
        assert reply.json() == {"detail": "no access token was sent"}
        assert reply.headers["www-authenticate"] == 'Bearer realm="api"'

    run_asgi(_app(auth, init=False), scenario)


def test_openapi_declares_bearer_scheme(clock: FakeClock) -> None:
    schema = _app(JWTAuth(_service(clock))).openapi()
    assert schema["components"]["securitySchemes"]["JWT"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "An access token (at+jwt)",
    }
    assert schema["paths"]["/me"]["get"]["security"] == [{"JWT": []}]
    assert "security" not in schema["paths"]["/login"]["post"]


def test_refresh_has_its_own_scheme(clock: FakeClock) -> None:
    schema = _app(JWTAuth(_service(clock))).openapi()
    schemes = schema["components"]["securitySchemes"]
    assert set(schemes) == {"JWT", "JWTRefresh"}
    assert schemes["JWTRefresh"]["scheme"] == "bearer"
    assert "refresh" in schemes["JWTRefresh"]["description"]
    assert schema["paths"]["/refresh"]["post"]["security"] == [{"JWTRefresh": []}]
    assert schema["paths"]["/logout"]["post"]["security"] == [{"JWT": []}]
    custom = JWTAuth(_service(clock), scheme_name="Access", refresh_scheme_name="Renew")
    paths = _app(custom).openapi()["paths"]
    assert paths["/refresh"]["post"]["security"] == [{"Renew": []}]
    assert paths["/me"]["get"]["security"] == [{"Access": []}]
    with pytest.raises(InvalidArgumentError, match="name of its own"):
        JWTAuth(_service(clock), refresh_scheme_name="JWT")


def _responses(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    responses: dict[str, Any] = schema["paths"][path][method]["responses"]
    return responses


def test_openapi_lists_the_guards_refusals(clock: FakeClock) -> None:
    app = _app(JWTAuth(_service(clock)))
    fetched: list[dict[str, Any]] = []

    async def scenario(c: Any) -> None:  # what /docs fetches, not just app.openapi()
        fetched.append((await c.get("/openapi.json")).json())

    run_asgi(app, scenario)
    schema = fetched[0]
    me = _responses(schema, "/me", "get")
    assert set(me) == {"200", "400", "401", "503"}
    assert me["401"]["headers"]["WWW-Authenticate"]["schema"] == {"type": "string"}
    assert "Retry-After" in me["503"]["headers"]
    error = {"$ref": "#/components/schemas/JWTAuthError"}
    assert all(me[status]["content"]["application/json"]["schema"] == error
               for status in ("400", "401", "503"))
    assert schema["components"]["schemas"]["JWTAuthError"]["required"] == [
        "error", "reason", "message"
    ]
    # A stale token is a 401 (RFC 9470 §3), said where a fresh token is demanded; 413 and 415
    # only where the guard reads a (JSON) body.
    password = _responses(schema, "/password", "post")
    assert set(password) == {"200", "400", "401", "503"}
    assert "insufficient_user_authentication" in password["401"]["description"]
    assert "insufficient_user_authentication" not in me["401"]["description"]
    assert set(_responses(schema, "/refresh", "post")) == {
        "200", "400", "401", "413", "415", "503"}
    assert set(_responses(schema, "/maybe", "get")) == {"200", "400", "401", "503"}
    assert set(_responses(schema, "/login", "post")) == {"200"}
    # The refresh body is documented, and optional: the token may come in a header or cookie.
    body = schema["paths"]["/refresh"]["post"]["requestBody"]
    assert body["required"] is False
    ref = body["content"]["application/json"]["schema"]["$ref"]
    refresh = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert refresh["properties"] == {"refresh_token": {"type": "string", "title": "Refresh Token"}}
    assert app.openapi() is app.openapi()  # cached, and documenting twice changes nothing
    assert app.openapi()["paths"]["/maybe"]["get"]["security"] == [{"JWT": []}, {}]


def test_optional_routes_have_optional_security(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock))
    app = _app(auth)
    key = APIKeyHeader(name="X-Key", auto_error=False)

    @app.get("/both")
    async def both(
        claims: Any = Depends(auth.required(optional=True)),  # noqa: B008
        api_key: Any = Depends(key),  # noqa: B008
    ) -> Any:
        return {}

    @app.get("/routed", dependencies=[Depends(auth.required(optional=True))])
    async def routed() -> Any:
        return {}

    paths = app.openapi()["paths"]
    # OpenAPI 3.1 §4.8.10: {} in the list means "or no credentials at all".
    assert paths["/maybe"]["get"]["security"] == [{"JWT": []}, {}]
    assert paths["/routed"]["get"]["security"] == [{"JWT": []}, {}]
    assert paths["/me"]["get"]["security"] == [{"JWT": []}]
    # Another scheme on the route stays required: jwtlite does not speak for it.
    assert {} not in paths["/both"]["get"]["security"]


def test_user_responses_and_bodies_are_kept(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock))
    app = FastAPI()
    auth.init_app(app)
    mine = {"description": "mine"}

    renew = auth.required(refresh=True)

    @app.post("/refresh", responses={401: mine}, dependencies=[Depends(renew)])
    async def refresh(body: dict[str, str]) -> Any:
        return body

    operation = app.openapi()["paths"]["/refresh"]["post"]
    assert operation["responses"]["401"] == mine
    assert "JWTRefreshRequest" not in operation["requestBody"]["content"]["application/json"][
        "schema"
    ].get("$ref", "")
    # Without init_app the refusals are FastAPI's {"detail": ...}: nothing is claimed.
    plain = _app(JWTAuth(_service(clock)), init=False).openapi()
    assert set(_responses(plain, "/me", "get")) == {"200"}


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

    run_asgi(_app(auth), scenario)


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

    run_asgi(app, scenario)


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

    run_asgi(app, scenario)


def _token_app(auth: JWTAuth) -> FastAPI:
    """A token endpoint for the OAuth 2 password flow, as Swagger UI's Authorize calls it."""
    app = _app(auth)

    @app.post("/token")
    async def token(form: PasswordForm = Depends(auth.password_form)) -> Response:  # noqa: B008
        if (form.username, form.password) != ("alice", "pw"):
            # RFC 6749 §5.2: bad resource owner credentials are invalid_grant, 400.
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return auth.login_response(form.username, {"scope": " ".join(form.scopes)})

    return app


def test_password_flow_logs_in(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock), token_url="/token")
    app = _token_app(auth)
    schema = app.openapi()
    # FastAPI's OAuth2PasswordBearer shape: Swagger UI's Authorize posts to tokenUrl.
    assert schema["components"]["securitySchemes"]["JWT"] == {
        "type": "oauth2", "flows": {"password": {"tokenUrl": "/token", "scopes": {}}},
        "description": "An access token (at+jwt)",
    }
    assert schema["paths"]["/me"]["get"]["security"] == [{"JWT": []}]
    token_op = schema["paths"]["/token"]["post"]
    assert "security" not in token_op
    form = token_op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form == {"$ref": "#/components/schemas/JWTPasswordForm"}
    assert schema["components"]["schemas"]["JWTPasswordForm"]["required"] == [
        "grant_type", "username", "password"
    ]
    assert set(token_op["responses"]) == {"200", "400", "413", "415"}

    async def scenario(c: Any) -> None:
        # What Swagger UI sends: the form of RFC 6749 §4.3.2, empty client fields included.
        grant = {"grant_type": "password", "username": "alice", "password": "pw",
                 "scope": "read  write", "client_id": "", "client_secret": ""}
        reply = await c.post("/token", data=grant)
        assert reply.status_code == 200, reply.text
        pair = reply.json()
        assert pair["token_type"] == "Bearer"
        me = await c.get("/me", headers=_bearer(pair["access_token"]))
        assert me.json()["sub"] == "alice"
        claims = auth.service.verify_access(pair["access_token"])
        assert claims["scope"] == "read write"
        wrong = await c.post("/token", data={**grant, "password": "no"})
        assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_grant"})
        other = await c.post("/token", data={**grant, "grant_type": "client_credentials"})
        assert (other.status_code, other.json()["error"]) == (400, "unsupported_grant_type")
        assert "www-authenticate" not in other.headers
        for raw in (b"username=alice&password=pw", b"grant_type=password&username=alice",
                    b'{"username": "alice"}', b"grant_type=password&username=%ff&password=pw",
                    b"grant_type=password&username=a&username=alice&password=pw"):
            bad = await c.post("/token", content=raw,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert (bad.status_code, bad.json()["error"]) == (400, "invalid_request"), raw

    run_asgi(app, scenario)


def test_password_flow_is_not_for_cookie_mode(clock: FakeClock) -> None:
    with pytest.raises(InvalidArgumentError, match="not with cookies"):
        JWTAuth(_service(clock), cookies=True, token_url="/token")
    auth = JWTAuth(_service(clock), cookies=True)
    app = _token_app(auth)

    async def scenario(c: Any) -> None:
        with pytest.raises(InvalidArgumentError, match="header mode"):
            await c.post("/token", data={"grant_type": "password", "username": "alice",
                                         "password": "pw"})

    run_asgi(app, scenario)


class _Chunks:
    """A request body sent in chunks, counting how many the server pulled."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size, self.pulled = count, size, 0

    async def __aiter__(self) -> Any:
        for _ in range(self.count):
            self.pulled += 1
            yield b"x" * self.size


def test_refresh_body_is_capped_before_authentication(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock), max_body=4096)
    calls: list[Any] = []
    real = auth.core.authenticate
    auth.core.authenticate = lambda *a, **k: calls.append(a) or real(*a, **k)  # type: ignore[method-assign]
    app = _app(auth)

    @app.post("/echo", dependencies=[Depends(auth.required(refresh=True))])
    async def echo(request: Request) -> Any:
        return {"read_again": len(await request.body())}  # the capped read left it readable

    async def scenario(c: Any) -> None:
        # Without Content-Length (chunked): refused after at most the cap was read.
        chunked = _Chunks(count=1000, size=1024)
        reply = await c.post("/refresh", content=chunked)
        assert (reply.status_code, reply.json()["error"]) == (413, "invalid_request")
        assert reply.json()["message"] == "the request body is larger than 4096 bytes"
        assert "www-authenticate" not in reply.headers
        assert chunked.pulled <= 5
        # A declared length above the cap: refused before reading anything.
        declared = _Chunks(count=1000, size=1024)
        reply = await c.post("/refresh", content=declared,
                             headers={"Content-Length": str(1000 * 1024)})
        assert reply.status_code == 413
        assert declared.pulled == 0
        assert calls == []  # no token was looked at
        # At the cap it is read, and authentication decides.
        token = auth.service.issue("alice").refresh_token
        body = b'{"refresh_token": "' + token.encode() + b'"}'
        reply = await c.post("/echo", content=body.ljust(4096), headers=_JSON)
        assert reply.json() == {"read_again": 4096}
        assert len(calls) == 1
        reply = await c.post("/refresh", content=b"x" * 4097)
        assert reply.status_code == 413

    run_asgi(app, scenario)
    for bad in (0, -1, True, 1.5):
        with pytest.raises(InvalidArgumentError, match="max_body"):
            JWTAuth(_service(clock), max_body=bad)  # type: ignore[arg-type]


def test_default_body_cap_fits_the_largest_token(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock))
    assert auth.max_body == DEFAULT_MAX_TOKEN_SIZE + 4096

    async def scenario(c: Any) -> None:
        reply = await c.post("/refresh", content=b" " * auth.max_body, headers=_JSON)
        assert (reply.status_code, reply.json()["reason"]) == (400, "bad_request")
        reply = await c.post("/refresh", content=b" " * (auth.max_body + 1))
        assert reply.status_code == 413
        form = await c.post("/token", content=b"x" * (auth.max_body + 1),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert form.status_code == 413

    run_asgi(_token_app(auth), scenario)


def test_json_fields_body_is_capped(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock), max_body=1024)

    async def scenario(c: Any) -> None:
        chunked = _Chunks(count=1000, size=512)
        reply = await c.post("/login", content=chunked, headers=_JSON)
        assert (reply.status_code, reply.json()["error"]) == (413, "invalid_request")
        assert chunked.pulled <= 3
        ok = await c.post("/login", content=b'{"username": "alice"}'.ljust(1024), headers=_JSON)
        assert ok.status_code == 200

    run_asgi(_app(auth), scenario)


def test_password_form_needs_the_form_media_type(clock: FakeClock) -> None:
    # RFC 6749 §4.3.2: the grant is sent as application/x-www-form-urlencoded. The body was
    # parsed as a form whatever Content-Type said: typed as text, JSON or multipart, or not
    # typed at all, the same bytes logged in.
    auth = JWTAuth(_service(clock), token_url="/token")
    grant = b"grant_type=password&username=alice&password=pw"
    form = "application/x-www-form-urlencoded"

    async def scenario(c: Any) -> None:
        refused = 0
        for headers in ([("Content-Type", "text/plain")], [("Content-Type", "application/json")],
                        [("Content-Type", "multipart/form-data; boundary=x")], [],
                        [("Content-Type", form + "x")], [("Content-Type", form)] * 2,
                        # Two lines, the first with a parameter: it hid the second one.
                        [("Content-Type", form + "; charset=utf-8"),
                         ("Content-Type", "text/plain")]):
            reply = await c.post("/token", content=grant, headers=headers)
            assert (reply.status_code, reply.json()) == (415, {
                "error": "invalid_request", "reason": "unsupported_media_type",
                "message": "the body must be sent as Content-Type: " + form}), headers
            assert reply.headers["accept"] == form
            assert "www-authenticate" not in reply.headers
            refused += 1
        assert refused == 7
        for content_type in (form, "Application/X-WWW-Form-URLencoded ; charset=UTF-8"):
            reply = await c.post("/token", content=grant, headers={"Content-Type": content_type})
            assert reply.status_code == 200, (content_type, reply.text)
        # An empty body has no format to refuse: the parameters are missing (400).
        empty = await c.post("/token", headers={"Content-Type": "text/plain"})
        assert (empty.status_code, empty.json()["reason"]) == (400, "bad_request")

    run_asgi(_token_app(auth), scenario)


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

    run_asgi(_app(auth), scenario)


# --- found by mutation testing ------------------------------------------------------------------


def _set_cookies(reply: Any) -> dict[tuple[str, str], list[str]]:
    """Each Set-Cookie line by (name, Path=...), its other attributes lower-cased."""
    found = {}
    for header in reply.headers.get_list("set-cookie"):
        fields = [field.strip() for field in header.split(";")]
        name = fields[0].split("=", 1)[0]
        path = next(f for f in fields if f.lower().startswith("path="))
        found[(name, "path=" + path[5:])] = sorted(f.lower() for f in fields[1:] if f != path)
    return found


def test_every_cookie_and_challenge_option_is_used(clock: FakeClock) -> None:
    service = _service(clock)
    auth = JWTAuth(service, cookies=True, realm="shop", cookie_secure=False, access_cookie="at",
                   refresh_cookie="rt", csrf_cookie="xsrf", csrf_header="X-XSRF",
                   refresh_paths=("/refresh",))
    auth.additional_claims(lambda identity: {"role": "admin"})

    async def scenario(c: Any) -> None:
        login = await c.post("/login", json={"username": "alice"})
        cookies = _set_cookies(login)
        assert set(cookies) == {("at", "path=/"), ("rt", "path=/refresh"), ("xsrf", "path=/")}
        assert not any("secure" in attributes for attributes in cookies.values())
        assert {"httponly", "samesite=strict"} <= set(cookies[("at", "path=/")])
        assert "httponly" not in cookies[("xsrf", "path=/")]  # the page's script reads it
        claims = service.verify_access(c.cookies.get("at"))
        assert (claims["role"], claims["scope"]) == ("admin", "read")
        csrf = c.cookies.get("xsrf")
        wrong = await c.post("/refresh", headers={"X-CSRF-Token": csrf})
        assert wrong.json()["reason"] == "csrf"
        assert (await c.post("/refresh", headers={"X-XSRF": csrf})).status_code == 200
        out = await c.post("/logout", headers={"X-XSRF": c.cookies.get("xsrf")})
        cleared = _set_cookies(out)
        assert set(cleared) == {("at", "path=/"), ("rt", "path=/refresh"), ("xsrf", "path=/")}
        assert all("samesite=strict" in attributes and "max-age=0" in attributes
                   for attributes in cleared.values())
        missing = await c.get("/me")
        assert missing.headers["www-authenticate"] == 'Bearer realm="shop"'

    run_asgi(_app(auth), scenario)


def test_logout_clears_secure_cookies(clock: FakeClock) -> None:
    auth = JWTAuth(_service(clock), cookies=True)

    async def scenario(c: Any) -> None:
        await c.post("/login", json={"username": "alice"})
        out = await c.post("/logout", headers={"X-CSRF-Token": c.cookies.get("csrf_token")})
        cleared = _set_cookies(out)
        assert set(cleared) == {("access_token", "path=/"), ("csrf_token", "path=/"),
                                ("refresh_token", "path=/refresh"),
                                ("refresh_token", "path=/logout")}
        assert all({"secure", "samesite=strict"} <= set(attributes)
                   for attributes in cleared.values())

    run_asgi(_app(auth), scenario)


class _RevokeDownStore(MemoryStore):
    def revoke(self, jti: str, exp: float) -> None:
        raise RevocationStoreUnavailableError("store down")


def test_logout_with_the_store_down_is_503_and_a_plain_login_has_no_binding(
    clock: FakeClock,
) -> None:
    service = _service(clock, store=_RevokeDownStore(clock=clock))
    auth = JWTAuth(service)

    async def scenario(c: Any) -> None:
        login = await c.post("/login", json={"username": "alice"})
        assert "dpop-nonce" not in login.headers  # no DPoP: no nonce, no key binding
        token = login.json()["access_token"]
        assert "cnf" not in service.verify_access(token)
        out = await c.post("/logout", headers=_bearer(token))
        assert (out.status_code, out.json()["reason"]) == (503, "unavailable")
        assert out.headers["retry-after"] == "5"

    run_asgi(_app(auth), scenario)


def test_misuse_texts(clock: FakeClock) -> None:
    from starlette.requests import Request as PlainRequest

    auth = JWTAuth(_service(clock))
    request = PlainRequest({"type": "http", "method": "GET", "path": "/", "headers": []})
    for call, message in (
        (lambda: auth.pair(request), "pair() needs a required(refresh=True) dependency"),
        (lambda: auth.refresh_response(request),
         "pair() needs a required(refresh=True) dependency"),
        (lambda: asyncio.run(auth.logout_response(request)),
         "logout_response() needs a required() dependency"),
        (lambda: asyncio.run(JWTAuth(_service(clock), cookies=True).password_form(request)),
         "password_form is for header mode (cookies=False)"),
    ):
        with pytest.raises(InvalidArgumentError) as refused:
            call()
        assert str(refused.value) == message


def test_target_is_the_url_after_its_authority() -> None:
    # What a DPoPPolicy with base_url puts under its origin: the path the app was reached at
    # (a mount's root_path included) and the query, never the scheme or authority.
    from starlette.requests import Request as PlainRequest

    from jwtlite.starlette import _target

    def scope(root_path: str, path: str, query: bytes) -> dict[str, Any]:
        return {
            "type": "http", "method": "GET", "scheme": "https", "server": ("rs.test", 443),
            "root_path": root_path, "path": path, "query_string": query,
            "headers": [(b"host", b"rs.example:8443")],
        }

    # Starlette before 0.33 (older ASGI servers too) took "path" as the part after root_path
    # and put root_path in front; later ones take "path" whole (the ASGI spec's reading).
    mounted = "/api/me"
    if "/api/api/" in str(PlainRequest(scope("/api", "/api/me", b"")).url):
        mounted = "/me"
    for root_path, path, query, target in (
        ("", "/me", b"", "/me"),
        ("", "/me", b"q=1", "/me?q=1"),
        ("/api", mounted, b"q=1", "/api/me?q=1"),
    ):
        assert _target(PlainRequest(scope(root_path, path, query))) == target


def test_nonce_middleware_at_the_asgi_level() -> None:
    from starlette.requests import Request as PlainRequest

    from jwtlite._starlette_nonce import NonceMiddleware, offer_nonce, with_nonce

    seen: list[Any] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope, receive, send))
        if scope["type"] == "http":
            offer_nonce(PlainRequest(scope), "n1")
            # ASGI: "headers" is optional in http.response.start.
            await send({"type": "http.response.start", "status": 200})

    async def receive() -> Any:
        return {"type": "lifespan.startup"}

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    middleware = NonceMiddleware(inner)
    lifespan = {"type": "lifespan"}
    asyncio.run(middleware(lifespan, receive, send))
    assert seen == [(lifespan, receive, send)]  # passed through untouched
    asyncio.run(middleware({"type": "http", "headers": []}, receive, send))
    assert sent == [{"type": "http.response.start", "status": 200,
                     "headers": [(b"dpop-nonce", b"n1")]}]
    # A DPoP-Nonce the application set itself is kept.
    assert with_nonce(Response(headers={"DPoP-Nonce": "app"}), "n2").headers["dpop-nonce"] == "app"
    assert with_nonce(Response(), "n2").headers["dpop-nonce"] == "n2"
    assert "dpop-nonce" not in with_nonce(Response(), None).headers


class Credentials(BaseModel):  # FastAPI resolves the annotation by name: a module global
    username: str


def test_json_body_refuses_before_fastapi_parses(clock: FakeClock) -> None:
    # auth.json_body guards a route whose pydantic model FastAPI parses itself: 415 for a body
    # not declared as JSON (FastAPI would parse it anyway), 413 above max_body.
    auth = JWTAuth(_service(clock), max_body=64)
    app = FastAPI()
    auth.init_app(app)

    @app.post("/login", dependencies=[Depends(auth.json_body)])
    async def login(credentials: Credentials) -> Any:
        return {"username": credentials.username}

    async def scenario(c: Any) -> None:
        ok = await c.post("/login", json={"username": "alice"})
        assert (ok.status_code, ok.json()) == (200, {"username": "alice"})
        typed = await c.post("/login", content=b'{"username": "alice"}',
                             headers={"Content-Type": "text/plain"})
        assert (typed.status_code, typed.json()["reason"]) == (415, "unsupported_media_type")
        assert typed.headers["accept"] == "application/json"
        large = await c.post("/login", json={"username": "a" * 100})
        assert (large.status_code, large.json()["message"]) == (
            413, "the request body is larger than 64 bytes")

    run_asgi(app, scenario)


def test_login_without_dpop_binds_nothing_and_keeps_the_claims(clock: FakeClock) -> None:
    service = _service(clock)
    auth = JWTAuth(service)
    app = FastAPI()
    auth.init_app(app)

    @app.post("/login")
    async def login(request: Request) -> Response:
        return await auth.login(request, "alice", {"role": "admin"})

    async def scenario(c: Any) -> None:
        reply = await c.post("/login")
        assert "dpop-nonce" not in reply.headers
        claims = service.verify_access(reply.json()["access_token"])
        assert (claims["sub"], claims["role"], "cnf" in claims) == ("alice", "admin", False)

    run_asgi(app, scenario)
