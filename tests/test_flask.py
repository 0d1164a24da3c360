"""jwtlite.flask: the JWTManager guard, its hooks, cookies with CSRF, and endpoint helpers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import COOKIE_AGES, FakeClock, cookie_ages
from hypothesis import given, settings
from hypothesis import strategies as st

flask = pytest.importorskip("flask")

from jwtlite.api import PyJWT  # noqa: E402
from jwtlite.exceptions import InvalidArgumentError, RevocationStoreUnavailableError  # noqa: E402
from jwtlite.flask import (  # noqa: E402
    AuthFailure,
    JWTManager,
    current_claims,
    current_identity,
    current_pair,
    current_token,
    current_user,
    json_fields,
)
from jwtlite.revocation import LookupResult, MemoryStore  # noqa: E402
from jwtlite.tokens import TokenPair, TokenService  # noqa: E402

SECRET = "k" * 40


def _service(clock: FakeClock, store: Any = None) -> TokenService:
    return TokenService(SECRET, "HS256", issuer="iss", audience="aud", clock=clock, store=store)


def fresh_pair(service: TokenService, subject: str = "alice") -> TokenPair:
    """A login pair whose access token is fresh, whether or not the service marks it itself."""
    pair = service.issue(subject)
    claims = PyJWT().decode(pair.access_token, options={"verify_signature": False})
    return pair if claims.get("fresh") is True else service.issue(subject, {"fresh": True})


def _app(service: TokenService, **options: Any) -> tuple[Any, JWTManager]:
    app = flask.Flask("t")
    jwt = JWTManager(app, service, **options)

    @app.get("/me")
    @jwt.required()
    def me() -> Any:
        return {"sub": current_identity(), "claims": current_claims(), "user": current_user()}

    @app.get("/maybe")
    @jwt.required(optional=True)
    def maybe() -> Any:
        return {"sub": current_identity(), "token": current_token() is not None}

    @app.post("/password")
    @jwt.required(fresh=True)
    def password() -> Any:
        return {"ok": True}

    @app.post("/refresh")
    @jwt.required(refresh=True)
    def refresh() -> Any:
        assert current_pair() is not None
        return jwt.refresh_response()

    @app.post("/logout")
    @jwt.required()
    def logout() -> Any:
        return jwt.logout_response()

    @app.post("/login")
    def login() -> Any:
        fields = json_fields("username")
        if not fields["username"]:  # TokenService refuses an empty subject
            return {"error": "invalid_request"}, 400
        return jwt.login_response(fields["username"], {"scope": "read"})

    return app, jwt


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


def test_required_optional_and_errors(clock: FakeClock) -> None:
    service = _service(clock)
    app, _ = _app(service)
    client = app.test_client()
    pair = service.issue("alice")
    reply = client.get("/me", headers=_bearer(pair.access_token))
    assert reply.status_code == 200
    assert reply.get_json()["sub"] == "alice"
    assert reply.get_json()["claims"]["aud"] == "aud"
    assert client.get("/maybe").get_json() == {"sub": None, "token": False}
    assert client.get("/maybe", headers=_bearer(pair.access_token)).get_json()["sub"] == "alice"
    # optional still refuses a bad token
    assert client.get("/maybe", headers=_bearer("a.b.c")).status_code == 401
    missing = client.get("/me")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert missing.get_json() == {
        "error": "invalid_token", "reason": "missing", "message": "no access token was sent"
    }
    malformed = client.get("/me", headers={"Authorization": "Token x"})
    assert (malformed.status_code, malformed.get_json()["error"]) == (400, "invalid_request")
    assert 'error="invalid_request"' in malformed.headers["WWW-Authenticate"]
    clock.now += 901
    expired = client.get("/me", headers=_bearer(pair.access_token))
    assert (expired.status_code, expired.get_json()["reason"]) == (401, "expired")


def test_fresh_refresh_and_logout(clock: FakeClock) -> None:
    service = _service(clock)
    app, _ = _app(service)
    client = app.test_client()
    login = fresh_pair(service)
    assert client.post("/password", headers=_bearer(login.access_token)).status_code == 200
    refreshed = client.post("/refresh", json={"refresh_token": login.refresh_token})
    assert refreshed.status_code == 200
    new = refreshed.get_json()
    # A pair made by a refresh is never fresh (issued without the marker, then refreshed).
    plain = client.post("/refresh", json={"refresh_token": service.issue("al").refresh_token})
    stale = client.post("/password", headers=_bearer(plain.get_json()["access_token"]))
    # RFC 9470 §3: the login behind the token is not recent enough, so log in again.
    assert (stale.status_code, stale.get_json()["reason"]) == (401, "not_fresh")
    assert stale.get_json()["error"] == "insufficient_user_authentication"
    assert 'error="insufficient_user_authentication"' in stale.headers["WWW-Authenticate"]
    # A refresh token in the Authorization header works too (RFC 6750 §2.1).
    second = client.post("/refresh", headers=_bearer(new["refresh_token"]))
    assert second.status_code == 200
    reuse = client.post("/refresh", json={"refresh_token": login.refresh_token})
    assert reuse.get_json()["reason"] == "revoked"
    bad = client.post("/refresh", data="[", content_type="application/json")
    assert (bad.status_code, bad.get_json()["reason"]) == (400, "bad_request")
    assert "WWW-Authenticate" not in bad.headers
    other = service.issue("bob")
    out = client.post("/logout", headers=_bearer(other.access_token))
    assert out.get_json() == {"revoked": True}
    assert client.get("/me", headers=_bearer(other.access_token)).get_json()["reason"] == "revoked"


def test_login_helper_and_hooks(clock: FakeClock) -> None:
    service = _service(clock)
    app, jwt = _app(service)
    users = {"alice": {"name": "Alice"}}
    jwt.user_loader(lambda claims: users.get(claims["sub"]))
    jwt.additional_claims(lambda identity: {"role": "admin" if identity == "alice" else "user"})
    client = app.test_client()
    pair = client.post("/login", json={"username": "alice"}).get_json()
    body = client.get("/me", headers=_bearer(pair["access_token"])).get_json()
    assert body["user"] == {"name": "Alice"}
    assert (body["claims"]["role"], body["claims"]["scope"]) == ("admin", "read")
    ghost = client.post("/login", json={"username": "ghost"}).get_json()
    refused = client.get("/me", headers=_bearer(ghost["access_token"]))
    assert (refused.status_code, refused.get_json()["reason"]) == (401, "user_not_found")
    deep = client.post("/login", data=b"[" * 100_000, content_type="application/json")
    assert deep.status_code == 400

    seen: list[AuthFailure] = []

    @jwt.error_handler
    def custom(failure: AuthFailure) -> Any:
        seen.append(failure)
        if failure.reason == "missing":
            return flask.jsonify(msg="log in first"), 401
        return None

    assert client.get("/me").get_json() == {"msg": "log in first"}
    assert client.get("/me", headers=_bearer("x.y.z")).get_json()["reason"] == "malformed"
    assert [f.reason for f in seen] == ["missing", "malformed"]


def _cookie(client: Any, name: str) -> Any:
    return client.get_cookie(name, domain="localhost")


def test_cookies_with_csrf(clock: FakeClock) -> None:
    service = _service(clock)
    app, _ = _app(service, cookies=True)
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    login = client.post("/login", json={"username": "alice"}, **https)
    assert set(login.get_json()) == {"token_type", "expires_in"}
    headers = login.headers.getlist("Set-Cookie")
    assert len(headers) == 4
    assert all("Secure" in h and "SameSite=Strict" in h for h in headers)
    assert sum("HttpOnly" in h for h in headers) == 3
    assert cookie_ages(headers) == COOKIE_AGES
    assert client.get("/me", **https).status_code == 200  # GET needs no CSRF header
    csrf = _cookie(client, "csrf_token").value
    no_csrf = client.post("/refresh", **https)
    assert (no_csrf.status_code, no_csrf.get_json()["reason"]) == (401, "csrf")
    wrong = client.post("/refresh", headers={"X-CSRF-Token": "nope"}, **https)
    assert wrong.get_json()["reason"] == "csrf"
    ok = client.post("/refresh", headers={"X-CSRF-Token": csrf}, **https)
    assert ok.status_code == 200
    assert "refresh_token" not in ok.get_json()
    csrf = _cookie(client, "csrf_token").value
    assert client.post("/logout", **https).get_json()["reason"] == "csrf"
    out = client.post("/logout", headers={"X-CSRF-Token": csrf}, **https)
    assert out.status_code == 200
    assert _cookie(client, "access_token") is None
    assert client.get("/me", **https).get_json()["reason"] == "missing"


class _DownStore(MemoryStore):
    def lookup(self, *, jti: str, family: str, subject: str) -> LookupResult:
        raise RevocationStoreUnavailableError("store down")


def test_store_unavailable_is_503(clock: FakeClock) -> None:
    service = _service(clock, store=_DownStore(clock=clock))
    app, _ = _app(service)
    reply = app.test_client().get("/me", headers=_bearer(service.issue("a").access_token))
    assert (reply.status_code, reply.get_json()["reason"]) == (503, "unavailable")
    assert reply.headers["Retry-After"] == "5"
    assert "WWW-Authenticate" not in reply.headers


def test_init_app_and_misuse(clock: FakeClock) -> None:
    jwt = JWTManager(realm="r")
    with pytest.raises(InvalidArgumentError, match="no TokenService"):
        _ = jwt.service
    app = flask.Flask("late")
    service = _service(clock)
    jwt.init_app(app, service)
    with app.app_context():
        assert jwt.service is service
    assert app.extensions["jwtlite"].manager is jwt
    with pytest.raises(InvalidArgumentError):
        jwt.required(refresh=True, fresh=True)
    with app.test_request_context("/"):
        assert (current_claims(), current_identity(), current_user()) == (None, None, None)
        assert (current_token(), current_pair()) == (None, None)
        with pytest.raises(InvalidArgumentError) as refused:
            jwt.refresh_response()
        assert str(refused.value) == "refresh_response() needs @required(refresh=True)"
        with pytest.raises(InvalidArgumentError) as refused:
            jwt.logout_response()
        assert str(refused.value) == "logout_response() needs a token: use @required()"


def test_logout_of_a_revoked_token_in_view(clock: FakeClock) -> None:
    service = _service(clock)
    app = flask.Flask("t")
    jwt = JWTManager(app, service)

    @app.post("/twice")
    @jwt.required()
    def twice() -> Any:
        jwt.logout_response()
        return jwt.logout_response()

    reply = app.test_client().post("/twice", headers=_bearer(service.issue("a").access_token))
    assert reply.status_code == 200  # revoking twice is idempotent



def test_async_view_goes_through_ensure_sync(clock: FakeClock) -> None:
    import asyncio
    import inspect

    service = _service(clock)
    app = flask.Flask("t")
    jwt = JWTManager(app, service)
    # Flask's own ensure_sync needs asgiref (flask[async]); any runner will do here.
    def ensure_sync(fn: Any) -> Any:
        if not inspect.iscoroutinefunction(fn):
            return fn
        return lambda *a, **k: asyncio.run(fn(*a, **k))

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]

    @app.get("/a")
    @jwt.required()
    async def view() -> Any:
        return {"sub": current_identity()}

    reply = app.test_client().get("/a", headers=_bearer(service.issue("a").access_token))
    assert reply.get_json() == {"sub": "a"}


_PRINTABLE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=8,
)
_fuzz_app, _ = _app(_service(FakeClock(1_800_000_000.0)), cookies=True)


@settings(max_examples=60, deadline=None)
@given(
    authorization=st.one_of(st.none(), _PRINTABLE, _PRINTABLE.map("Bearer ".__add__)),
    cookie=st.one_of(st.none(), _PRINTABLE),
    body=st.one_of(
        _JSON,
        st.fixed_dictionaries({"username": _JSON}),
        st.fixed_dictionaries({"refresh_token": _JSON}),
    ),
)
def test_no_input_makes_a_500(authorization: str | None, cookie: str | None, body: Any) -> None:
    client = _fuzz_app.test_client()
    headers = {} if authorization is None else {"Authorization": authorization}
    if cookie is not None:
        client.set_cookie("access_token", cookie)
        client.set_cookie("refresh_token", cookie, path="/refresh")
    statuses = {
        client.get("/me", headers=headers).status_code,
        client.post("/logout", headers=headers).status_code,
        client.post("/login", json=body).status_code,
        client.post("/refresh", json=body, headers=headers).status_code,
        client.post(
            "/refresh", data=json.dumps(body)[:-1], content_type="application/json"
        ).status_code,
    }
    assert statuses <= {200, 400, 401}


# --- application factories: one module-level manager, state per app -------------------------

# As an application factory uses it (Flask's extension pattern): one manager and one blueprint
# at module level, each app built by the factory with its own service (its own secret).
_FACTORY_JWT = JWTManager()
_FACTORY_VIEWS = flask.Blueprint("factory_views", __name__)


@_FACTORY_VIEWS.get("/me")
@_FACTORY_JWT.required()
def _factory_me() -> Any:
    return {"sub": current_identity()}


@_FACTORY_VIEWS.post("/login")
def _factory_login() -> Any:
    return _FACTORY_JWT.login_response(json_fields("username")["username"])


@_FACTORY_VIEWS.post("/refresh")
@_FACTORY_JWT.required(refresh=True)
def _factory_refresh() -> Any:
    return _FACTORY_JWT.refresh_response()


@_FACTORY_VIEWS.post("/logout")
@_FACTORY_JWT.required()
def _factory_logout() -> Any:
    return _FACTORY_JWT.logout_response()


def _factory(secret: str, clock: FakeClock) -> tuple[Any, TokenService]:
    app = flask.Flask(f"factory-{secret[0]}")
    service = TokenService(secret, "HS256", issuer="iss", audience="aud", clock=clock)
    _FACTORY_JWT.init_app(app, service)
    app.register_blueprint(_FACTORY_VIEWS)
    return app, service


def test_two_apps_from_one_factory_keep_their_own_service(clock: FakeClock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    (app_a, service_a), (app_b, service_b) = _factory("a" * 40, clock), _factory("b" * 40, clock)
    apps = {"a": app_a, "b": app_b}
    issued = {"a": service_a.issue("a").to_response(), "b": service_b.issue("b").to_response()}
    # Tokens handed out by each app's own login endpoint: issue() uses that app's service too.
    pairs = {
        name: app.test_client().post("/login", json={"username": name}).get_json()
        for name, app in apps.items()
    }

    def call(job: tuple[str, str, str]) -> tuple[str, str, str, int]:
        server, holder, source = job
        token = (issued if source == "service" else pairs)[holder]["access_token"]
        reply = apps[server].test_client().get("/me", headers=_bearer(token))
        return server, holder, source, reply.status_code

    # Both apps serve at once from a pool of threads; each accepts its own tokens only.
    jobs = [(server, holder, source) for server in "ab" for holder in "ab"
            for source in ("service", "login")] * 25
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, jobs))
    assert len(results) == 200
    for server, holder, source, status in results:
        assert status == (200 if server == holder else 401), (server, holder, source, status)
    with app_a.app_context():
        assert _FACTORY_JWT.service is service_a
    with app_b.app_context():
        assert _FACTORY_JWT.service is service_b
    assert app_a.extensions["jwtlite"].manager is _FACTORY_JWT
    # Refresh and logout also go to the app's own service.
    for name, app in apps.items():
        client = app.test_client()
        new = client.post("/refresh", json={"refresh_token": pairs[name]["refresh_token"]})
        assert new.status_code == 200, (name, new.get_json())
        out = client.post("/logout", headers=_bearer(new.get_json()["access_token"]))
        assert out.get_json() == {"revoked": True}
    foreign = {"refresh_token": pairs["b"]["refresh_token"]}
    other = app_a.test_client().post("/refresh", json=foreign)
    assert (other.status_code, other.get_json()["reason"]) == (401, "invalid")


def test_manager_misuse_across_apps(clock: FakeClock) -> None:
    jwt = JWTManager()
    with pytest.raises(InvalidArgumentError, match="no TokenService"):
        jwt.init_app(flask.Flask("none"))
    app = flask.Flask("x")
    jwt.init_app(app, _service(clock))
    # Outside an application context there is no single service to pick.
    with pytest.raises(InvalidArgumentError) as refused:
        _ = jwt.service
    assert str(refused.value) == (
        "no TokenService outside an application context: this manager has one per app, so "
        "use it inside `with app.app_context():`")
    # Another app that never called init_app does not borrow a registered app's service.
    stranger = flask.Flask("stranger")
    with stranger.app_context(), pytest.raises(InvalidArgumentError) as refused:
        jwt.issue("alice")
    assert str(refused.value) == (
        "the app 'stranger' is not registered with this JWTManager: call init_app(app)")
    # One app, one manager: a second manager on the same app is refused.
    with pytest.raises(InvalidArgumentError, match="already"):
        JWTManager(app, _service(clock))


# --- JSON bodies: only a JSON media type (login CSRF) ----------------------------------------


@pytest.mark.parametrize("cookies", [False, True])
def test_json_bodies_need_a_json_media_type(clock: FakeClock, cookies: bool) -> None:
    service = _service(clock)
    app, _ = _app(service, cookies=cookies)
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    body = json.dumps({"username": "mallory"})
    # What a plain HTML form (or a no-cors fetch) on another site can send without a preflight.
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", None, "application/jsonx",
                         "text/json"):
        reply = client.post("/login", data=body, content_type=content_type, **https)
        assert (reply.status_code, reply.get_json()["reason"]) == (
            415, "unsupported_media_type"), content_type
        assert reply.get_json()["error"] == "invalid_request"
        assert reply.headers["Accept"] == "application/json"
        assert "WWW-Authenticate" not in reply.headers
        assert reply.headers.getlist("Set-Cookie") == []
    refresh = json.dumps({"refresh_token": service.issue("mallory").refresh_token})
    reply = client.post("/refresh", data=refresh, content_type="text/plain", **https)
    assert (reply.status_code, reply.get_json()["reason"]) == (415, "unsupported_media_type")
    assert reply.headers.getlist("Set-Cookie") == []
    # No content at all is a missing parameter (400), not content in a wrong format.
    reply = client.post("/refresh", **https)
    assert (reply.status_code, reply.get_json()["reason"]) == (400, "bad_request")
    for content_type in ("application/json", "Application/JSON; charset=utf-8",
                         "application/vnd.example+json"):
        reply = client.post("/login", data=body, content_type=content_type, **https)
        assert reply.status_code == 200, content_type


# --- the body read before authentication is capped (issue 20 item 3) -------------------------

_JSON_TYPE = {"Content-Type": "application/json"}


class _Drip:
    """A request body stream of ``size`` bytes that counts how many were read from it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.pulled = 0

    def read(self, n: int | None = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        self.pulled += n
        return b"x" * n


def _post_stream(client: Any, path: str, stream: _Drip, declared: int | None = None) -> Any:
    """POST ``stream`` as a JSON body: with a declared ``Content-Length``, or none at all, as a
    WSGI server passes a chunked body it has de-chunked (``wsgi.input_terminated``)."""
    environ: dict[str, Any] = {"wsgi.input": stream}
    if declared is None:
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(declared)
    return client.post(path, headers=_JSON_TYPE, environ_overrides=environ)


def test_refresh_body_is_capped_before_authentication(clock: FakeClock) -> None:
    service = _service(clock)
    app, jwt = _app(service, max_body=4096)
    spent: list[str] = []
    real = service.refresh
    service.refresh = lambda token: spent.append(token) or real(token)  # type: ignore[method-assign]

    @app.post("/echo")
    @jwt.required(refresh=True)
    def echo() -> Any:
        return {"read_again": len(flask.request.get_data())}  # the capped read left it readable

    client = app.test_client()
    # Without Content-Length (chunked): refused after at most the cap (and one byte) was read.
    chunked = _Drip(1_000_000)
    reply = _post_stream(client, "/refresh", chunked)
    assert (reply.status_code, reply.get_json()["error"]) == (413, "invalid_request")
    assert reply.get_json() == {"error": "invalid_request", "reason": "bad_request",
                                "message": "the request body is larger than 4096 bytes"}
    assert "WWW-Authenticate" not in reply.headers
    assert chunked.pulled <= 4097
    # A declared length above the cap: refused before reading anything.
    declared = _Drip(1_000_000)
    reply = _post_stream(client, "/refresh", declared, declared=1_000_000)
    assert reply.status_code == 413
    assert declared.pulled == 0
    assert spent == []  # no token was looked at
    # At the cap it is read, and authentication decides; the view can read it again.
    token = service.issue("alice").refresh_token
    body = (b'{"refresh_token": "' + token.encode() + b'"}').ljust(4096)
    reply = client.post("/echo", data=body, headers=_JSON_TYPE)
    assert reply.get_json() == {"read_again": 4096}
    assert spent == [token]
    reply = client.post("/refresh", data=b"x" * 4097, headers=_JSON_TYPE)
    assert reply.status_code == 413
    for bad in (0, -1, True, 1.5):
        with pytest.raises(InvalidArgumentError, match="max_body"):
            JWTManager(flask.Flask("bad"), service, max_body=bad)


def test_default_body_cap_fits_the_largest_token(clock: FakeClock) -> None:
    from jwtlite._options import DEFAULT_MAX_TOKEN_SIZE

    app, _ = _app(_service(clock))
    client = app.test_client()
    cap = DEFAULT_MAX_TOKEN_SIZE + 4096
    reply = client.post("/refresh", data=b" " * cap, headers=_JSON_TYPE)
    assert (reply.status_code, reply.get_json()["reason"]) == (400, "bad_request")
    for path in ("/refresh", "/login"):
        stream = _Drip(cap + 1_000_000)
        reply = _post_stream(client, path, stream)
        assert (reply.status_code, reply.get_json()["error"]) == (413, "invalid_request"), path
        assert stream.pulled <= cap + 1, path


def test_json_fields_body_is_capped(clock: FakeClock) -> None:
    app, _ = _app(_service(clock), max_body=1024)
    client = app.test_client()
    chunked = _Drip(1_000_000)
    reply = _post_stream(client, "/login", chunked)
    assert (reply.status_code, reply.get_json()["error"]) == (413, "invalid_request")
    assert chunked.pulled <= 1025
    declared = _Drip(1_000_000)
    reply = _post_stream(client, "/login", declared, declared=1_000_000)
    assert (reply.status_code, declared.pulled) == (413, 0)
    ok = client.post("/login", data=b'{"username": "alice"}'.ljust(1024), headers=_JSON_TYPE)
    assert ok.status_code == 200
    # A body some earlier code of the app already read in full is held to the cap too.
    eager, _ = _app(_service(clock), max_body=1024)

    @eager.before_request
    def read_early() -> None:
        flask.request.get_data()

    reply = eager.test_client().post("/login", data=b'{"username": "alice"}'.ljust(1025),
                                     headers=_JSON_TYPE)
    assert reply.status_code == 413


# --- found by mutation testing ------------------------------------------------------------------


def test_issue_applies_the_hook_then_the_claims(clock: FakeClock) -> None:
    service = _service(clock)
    app, jwt = _app(service)
    jwt.additional_claims(lambda identity: {"role": identity.upper(), "scope": "read"})
    with app.app_context():
        pair = jwt.issue("alice", {"scope": "write"})
    claims = service.verify_access(pair.access_token)
    assert (claims["sub"], claims["role"], claims["scope"]) == ("alice", "ALICE", "write")


def test_logout_clears_each_cookie_where_it_was_set(clock: FakeClock) -> None:
    service = _service(clock)
    app, _ = _app(service, cookies=True)
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    client.post("/login", json={"username": "alice"}, **https)
    out = client.post("/logout", headers={"X-CSRF-Token": _cookie(client, "csrf_token").value},
                      **https)
    cleared = set()
    for header in out.headers.getlist("Set-Cookie"):
        fields = [field.strip() for field in header.split(";")]
        name = fields[0].split("=", 1)[0]
        assert fields[0] == f"{name}="
        assert {"Secure", "SameSite=Strict", "Max-Age=0"} <= set(fields), header
        cleared.add((name, next(f for f in fields if f.startswith("Path="))))
    assert cleared == {("access_token", "Path=/"), ("csrf_token", "Path=/"),
                       ("refresh_token", "Path=/refresh"), ("refresh_token", "Path=/logout")}


class _RevokeDownStore(MemoryStore):
    def revoke(self, jti: str, exp: float) -> None:
        raise RevocationStoreUnavailableError("store down")


def test_logout_with_the_store_down_is_503(clock: FakeClock) -> None:
    service = _service(clock, store=_RevokeDownStore(clock=clock))
    app, _ = _app(service)
    reply = app.test_client().post("/logout", headers=_bearer(service.issue("a").access_token))
    assert (reply.status_code, reply.get_json()["reason"]) == (503, "unavailable")
    assert reply.headers["Retry-After"] == "5"


def test_every_cookie_and_challenge_option_is_used(clock: FakeClock) -> None:
    service = _service(clock)
    app, _ = _app(service, cookies=True, realm="shop", cookie_secure=False, access_cookie="at",
                  refresh_cookie="rt", csrf_cookie="xsrf", csrf_header="X-XSRF",
                  refresh_paths=("/refresh",))
    client = app.test_client()
    login = client.post("/login", json={"username": "alice"})
    cookies = {(h.split("=", 1)[0], next(f.strip() for f in h.split(";") if "Path=" in f))
               for h in login.headers.getlist("Set-Cookie")}
    assert cookies == {("at", "Path=/"), ("rt", "Path=/refresh"), ("xsrf", "Path=/")}
    assert not any("Secure" in h for h in login.headers.getlist("Set-Cookie"))
    assert client.get("/me").status_code == 200
    csrf = client.get_cookie("xsrf", domain="localhost").value
    assert client.post("/refresh", headers={"X-CSRF-Token": csrf}).get_json()["reason"] == "csrf"
    assert client.post("/refresh", headers={"X-XSRF": csrf}).status_code == 200
    client.delete_cookie("at", domain="localhost")
    assert client.get("/me").headers["WWW-Authenticate"] == 'Bearer realm="shop"'


def test_the_managers_hooks_serve_outside_an_app_context(clock: FakeClock) -> None:
    service = _service(clock)
    jwt = JWTManager(None, service)
    jwt.additional_claims(lambda identity: {"role": "admin"})
    assert service.verify_access(jwt.issue("alice").access_token)["role"] == "admin"


def test_init_app_again_or_over_a_foreign_extension(clock: FakeClock) -> None:
    service, other = _service(clock), _service(clock)
    app = flask.Flask("again")
    jwt = JWTManager(app, service)
    jwt.init_app(app, other)  # the same manager may bind the app to another service
    with app.app_context():
        assert jwt.service is other
    foreign = flask.Flask("foreign")
    foreign.extensions["jwtlite"] = object()
    with pytest.raises(InvalidArgumentError) as refused:
        jwt.init_app(foreign)
    assert str(refused.value) == "another JWTManager is already registered with this app"


def test_json_fields_after_the_view_read_the_body(clock: FakeClock) -> None:
    # A body the view (or a before_request hook) already read is taken from Werkzeug's cache,
    # and still held to the cap; an app without a manager uses the default cap.
    app, _ = _app(_service(clock), max_body=100)

    @app.post("/read-first")
    def read_first() -> Any:
        flask.request.get_data()
        return json_fields("a")

    bare = flask.Flask("bare")
    bare.add_url_rule("/fields", "fields", lambda: json_fields("a"), methods=["POST"])
    client = app.test_client()
    assert client.post("/read-first", json={"a": "x"}).get_json() == {"a": "x"}
    large = client.post("/read-first", json={"a": "x" * 200})
    assert (large.status_code, large.get_json()["message"]) == (
        413, "the request body is larger than 100 bytes")
    assert bare.test_client().post("/fields", json={"a": "y"}).get_json() == {"a": "y"}
