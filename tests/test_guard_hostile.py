"""Hostile HTTP against both guards: the same request gets the same answer from the Flask and the
FastAPI integration, never a 500, never an exception out of the app, and every refusal is an
RFC 6750-shaped 400/401/403 (or the documented 413/415) whose challenge the attacker's text
cannot break.

The apps are built the way docs/integrations.md builds them: an access route, an optional one,
a scoped one, a JSON login through the built-in helpers, a refresh route; in header mode and in
cookie mode (CSRF double-submit). Requests go through each framework's own test client.
"""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

flask = pytest.importorskip("flask")
pytest.importorskip("fastapi")
pytest.importorskip("httpx")

import asyncio  # noqa: E402

import httpx  # noqa: E402
from fastapi import Depends, FastAPI, Request  # noqa: E402
from fastapi.responses import Response  # noqa: E402

from jwtlite.flask import JWTManager, current_claims, json_fields  # noqa: E402
from jwtlite.revocation import MemoryStore  # noqa: E402
from jwtlite.starlette import JWTAuth, PasswordForm  # noqa: E402
from jwtlite.tokens import TokenService  # noqa: E402

Headers = list[tuple[str, Any]]

SERVICE = TokenService(b"k" * 32, "HS256", issuer="https://auth.example", audience="api",
                       store=MemoryStore())
PAIR = SERVICE.issue("alice")
ACCESS = PAIR.access_token
CSRF = "c" * 43


def _flask(**options: Any) -> Any:
    app = flask.Flask("hostile")
    jwt = JWTManager(app, SERVICE, cookie_secure=False, **options)

    @app.route("/me", methods=["GET", "POST", "HEAD", "OPTIONS", "DELETE"])
    @jwt.required()
    def me() -> Any:
        return {"sub": current_claims()["sub"]}  # type: ignore[index]

    @app.get("/maybe")
    @jwt.required(optional=True)
    def maybe() -> Any:
        claims = current_claims()
        return {"sub": None if claims is None else claims["sub"]}

    @app.get("/admin")
    @jwt.required(scopes=["admin"])
    def admin() -> Any:
        return {"ok": True}

    @app.post("/login")
    def login() -> Any:
        return jwt.login_response(json_fields("username", "password")["username"])

    # No cookie jar: the Cookie header lines a test sends are the ones the app sees.
    return app.test_client(use_cookies=False)


class _ASGIClient:
    """httpx's in-process ASGI transport, one event loop per request; the app's exceptions
    are raised here (``raise_app_exceptions``), never turned into a 500."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self._app, raise_app_exceptions=True)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(send())


def _fastapi(**options: Any) -> _ASGIClient:
    auth = JWTAuth(SERVICE, cookie_secure=False, **options)
    app = FastAPI()
    auth.init_app(app)

    @app.api_route("/me", methods=["GET", "POST", "HEAD", "OPTIONS", "DELETE"])
    async def me(claims: dict = Depends(auth)) -> Any:  # type: ignore[type-arg] # noqa: B008
        return {"sub": claims["sub"]}

    @app.get("/maybe")
    async def maybe(claims: Any = Depends(auth.required(optional=True))) -> Any:  # noqa: B008
        return {"sub": None if claims is None else claims["sub"]}

    @app.get("/admin")
    async def admin(claims: Any = Depends(auth.required(scopes=["admin"]))) -> Any:  # noqa: B008
        return {"ok": True}

    @app.post("/login")
    async def login(request: Request) -> Response:
        fields = await auth.json_fields(request, "username", "password")
        return auth.login_response(fields["username"])

    if not auth.core.config.cookies:  # password_form is for header mode
        @app.post("/token")
        async def token(form: PasswordForm = Depends(auth.password_form)) -> Any:  # noqa: B008
            return {"username": form.username, "scopes": list(form.scopes)}

    return _ASGIClient(app)


CLIENTS = {mode: (_flask(cookies=cookies), _fastapi(cookies=cookies))
           for mode, cookies in (("header", False), ("cookie", True))}

# RFC 9110 §11.6.1 / RFC 6750 §3: a challenge is the scheme, then comma-separated auth-params
# whose values are tokens or quoted-strings; nothing the attacker sent may change that shape.
_PARAM = r'[a-z_]+=(?:"(?:[\t\x20\x21\x23-\x5b\x5d-\x7e]|\\[\t\x20-\x7e])*"|[A-Za-z0-9._~+/-]+)'
_CHALLENGE = re.compile(rf"(?:Bearer|DPoP)(?: {_PARAM}(?:, {_PARAM})*)?")
_CHALLENGES = re.compile(rf"{_CHALLENGE.pattern}(?:, {_CHALLENGE.pattern})*")
_REFUSALS = {400, 401, 403, 413, 415}


def _answer(reply: Any, body: Any, head: bool) -> tuple[int, str | None, str | None, str | None]:
    status = reply.status_code
    if head:  # the refusal's body is not sent (RFC 9110 §9.3.2): only its status and headers
        body = {"error": None, "reason": None, "message": ""} if status >= 400 else {}
    challenge = reply.headers.get("WWW-Authenticate")
    if status >= 400:
        assert status in _REFUSALS, (status, body)
        assert isinstance(body, dict), body
        assert set(body) == {"error", "reason", "message"}, body
        if challenge is not None:
            assert _CHALLENGES.fullmatch(challenge), challenge
        if status == 401:
            assert challenge is not None
    else:
        assert status == 200, status
    return status, body.get("error"), body.get("reason"), challenge


def _both(mode: str, method: str, path: str, headers: Headers, body: bytes = b"") -> Any:
    """Send one request to both apps; their answers must be the same, and well-shaped."""
    flask_client, fastapi_client = CLIENTS[mode]
    started = time.process_time()
    # Werkzeug takes text (a WSGI environ holds latin-1 str), httpx bytes for non-ASCII values.
    text = [(name, v.decode("latin-1") if isinstance(v, bytes) else v) for name, v in headers]
    raw = [(name, v.encode("latin-1") if isinstance(v, str) else v) for name, v in headers]
    # The body as a byte stream: Werkzeug's ``data=`` re-encodes a body declared multipart
    # (an empty one became a 77-byte form with a boundary of its own), so Flask saw another body.
    reply = flask_client.open(path, method=method, headers=text,
                              input_stream=io.BytesIO(body), content_length=len(body))
    flask_answer = _answer(reply, reply.get_json(silent=True) or {}, method == "HEAD")
    other = fastapi_client.request(method, path, headers=raw, content=body)
    fastapi_answer = _answer(other, other.json() if other.content else {}, method == "HEAD")
    assert time.process_time() - started < 1.0  # both apps; a generous bound for a slow CI
    assert flask_answer == fastapi_answer
    return flask_answer


# --- the findings, one request each --------------------------------------------------------

def test_two_authorization_headers_are_refused_by_both() -> None:
    # RFC 9110 §5.3: Authorization is no list; RFC 6750 §2: one method per request. A proxy
    # checking one line and an app reading the other must not disagree on who is calling.
    headers: Headers = [("Authorization", f"Bearer {ACCESS}"), ("Authorization", "Bearer x.y.z")]
    assert _both("header", "GET", "/me", headers)[:3] == (400, "invalid_request", "malformed")
    same = [("Authorization", f"Bearer {ACCESS}")] * 2
    assert _both("header", "GET", "/me", same)[:3] == (400, "invalid_request", "malformed")
    assert _both("header", "GET", "/maybe", same)[0] == 400


def test_two_csrf_headers_are_no_double_submit() -> None:
    cookie = f"access_token={ACCESS}; csrf_token={CSRF}"
    headers: Headers = [("Cookie", cookie), ("X-CSRF-Token", CSRF), ("X-CSRF-Token", "other")]
    assert _both("cookie", "POST", "/me", headers)[:3] == (401, "invalid_token", "csrf")


@pytest.mark.parametrize("cookie", [
    f"access_token={ACCESS}; csrf_token={CSRF}; csrf_token=tossed",
    f"access_token={ACCESS}; csrf_token=tossed; csrf_token={CSRF}",
])
def test_a_repeated_csrf_cookie_is_refused(cookie: str) -> None:
    # A sibling subdomain can toss a second csrf_token cookie (RFC 6265 §8.6): which one the
    # framework keeps differs (Werkzeug the first, Starlette the last); neither is trusted.
    for echoed in (CSRF, "tossed"):
        headers: Headers = [("Cookie", cookie), ("X-CSRF-Token", echoed)]
        assert _both("cookie", "POST", "/me", headers)[:3] == (401, "invalid_token", "csrf")


@pytest.mark.parametrize("cookie", [
    f"access_token=junk; access_token={ACCESS}", f"access_token={ACCESS}; access_token=junk",
])
def test_a_repeated_token_cookie_is_refused(cookie: str) -> None:
    answer = _both("cookie", "GET", "/me", [("Cookie", cookie)])
    assert answer[:3] == (400, "invalid_request", "malformed")
    # No Authorization header was sent: the description names the cookie, not the header.
    reply = CLIENTS["cookie"][0].get("/me", headers={"Cookie": cookie})
    assert reply.get_json()["message"] == "the access_token cookie is sent more than once"


@pytest.mark.parametrize("cookie", ["access_token=a b", "access_token=", "access_token=%%",
                                    # Quoted: the spaces Bearer allows are not the cookie's.
                                    f'access_token="  {ACCESS}"', f'access_token=" {ACCESS}"'])
def test_a_malformed_token_cookie_is_described_as_a_cookie(cookie: str) -> None:
    assert _both("cookie", "GET", "/me", [("Cookie", cookie)])[:3] == (
        400, "invalid_request", "malformed")
    reply = CLIENTS["cookie"][0].get("/me", headers={"Cookie": cookie})
    assert reply.get_json()["message"] == "the access_token cookie does not hold a token"
    assert "Authorization" not in reply.headers["WWW-Authenticate"]


@pytest.mark.parametrize("value", ['\u00e9\x01 "x"', "a b", "a,b"])
def test_a_hostile_token_cookie_gets_one_answer(value: str) -> None:
    cookie = f"access_token={value}".encode("latin-1")
    assert _both("cookie", "GET", "/me", [("Cookie", cookie)])[0] in {400, 401}


def test_two_content_types_are_not_json() -> None:
    # A WSGI server keeps one Content-Type line (CONTENT_TYPE is no HTTP_ variable), so only
    # the ASGI app sees both: they are joined, and the joined type is no JSON type.
    headers: Headers = [("Content-Type", "application/json"), ("Content-Type", "text/plain")]
    body = b'{"username": "alice", "password": "pw"}'
    reply = CLIENTS["header"][1].request("POST", "/login", headers=headers, content=body)
    assert (reply.status_code, reply.json()["reason"]) == (415, "unsupported_media_type")


# --- the sweeps -----------------------------------------------------------------------------

_SCHEMES = st.sampled_from(["Bearer", "bearer", "BEARER", "DPoP", "Basic", "", "Bearer Bearer"])
_TOKEN_TEXT = st.one_of(
    st.just(ACCESS), st.just(PAIR.refresh_token), st.just(ACCESS + "x"),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60),
    st.text(alphabet="abcAB0._-~+/=\t ,\";\\", max_size=60),
    st.sampled_from(['{"payload":"e30","signature":"x"}', "a.b.c.d.e", "a" * 70_000, "."]),
)
_SPACES = st.sampled_from([" ", "  ", "\t", " \t", ""])


def _latin1(text: str) -> bytes:
    return text.encode("latin-1")


@st.composite
def _authorizations(draw: Any) -> Headers:
    values = draw(st.lists(st.builds(lambda s, sp, t: _latin1(f"{s}{sp}{t}"),
                                     _SCHEMES, _SPACES, _TOKEN_TEXT), min_size=0, max_size=2))
    return [("Authorization", value) for value in values]


_SWEEP = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SWEEP
@given(headers=_authorizations(), path=st.sampled_from(["/me", "/maybe", "/admin"]),
       method=st.sampled_from(["GET", "HEAD", "OPTIONS"]))
def test_hostile_authorization_headers(headers: Headers, path: str, method: str) -> None:
    if path != "/me":
        method = "GET"
    status = _both("header", method, path, headers)[0]
    if status == 200 and path != "/maybe":
        assert headers == [("Authorization", f"Bearer {ACCESS}".encode())] or (
            len(headers) == 1 and headers[0][1].split()[-1] == ACCESS.encode())


_COOKIE_VALUE = st.one_of(
    st.just(ACCESS), st.just(CSRF), st.just(""), st.just(f'"{ACCESS}"'),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters=";"),
            max_size=30),
)


@st.composite
def _cookies(draw: Any) -> Headers:
    names = st.sampled_from(["access_token", "csrf_token", "refresh_token", "other"])
    pairs = draw(st.lists(st.tuples(names, _COOKIE_VALUE), max_size=4))
    headers: Headers = []
    if pairs:
        headers.append(("Cookie", _latin1("; ".join(f"{n}={v}" for n, v in pairs))))
    for value in draw(st.lists(_COOKIE_VALUE, max_size=2)):
        headers.append(("X-CSRF-Token", _latin1(value)))
    return headers


@_SWEEP
@given(headers=_cookies(), method=st.sampled_from(["GET", "POST", "DELETE", "HEAD"]))
def test_hostile_cookies_and_csrf(headers: Headers, method: str) -> None:
    _both("cookie", method, "/me", headers)


_MULTIPART = (b'--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice\r\n'
              b'--x\r\nContent-Disposition: form-data; name="password"\r\n\r\npw\r\n--x--\r\n')
_BODIES = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", _MULTIPART, b"--x--\r\n", b"a=1&" * 10_000, b"\xff\xfe{}",
                     b'{"username":"\xc3\x28","password":"x"}', b'{"username":"a"}' * 2]),
    st.sampled_from([b"[]", b"1e999999", b"9" * 5000, b"[" * 5000, b'{"a":' * 3000,
                     b"\xef\xbb\xbf{}",
                     b'{"username":"\\ud800","password":"x"}', b'{"username":1,"password":"x"}',
                     b'{"username":"a","password":"b","username":"c"}']),
)
_CONTENT_TYPES = st.lists(st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/a+json",
     "application/json; charset=latin-1", "APPLICATION/JSON", "", "multipart/form-data",
     "multipart/form-data; boundary=x"]),
    max_size=1)


@_SWEEP
@given(body=_BODIES, types=_CONTENT_TYPES)
def test_hostile_login_bodies(body: bytes, types: list[str]) -> None:
    headers: Headers = [("Content-Type", value) for value in types]
    _both("header", "POST", "/login", headers, body)


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=x",
                                          "text/plain", "application/x-www-form-urlencoded"])
def test_an_empty_body_of_any_type_is_a_missing_parameter(content_type: str) -> None:
    # Seen as 415 (Flask) against 400 (FastAPI): Werkzeug's test client had turned the empty
    # multipart body into a non-empty one. An empty body has no format: 400 on both.
    answer = _both("header", "POST", "/login", [("Content-Type", content_type)], b"")
    assert answer[:3] == (400, "invalid_request", "bad_request")


_FORM_FIELDS = st.sampled_from(["grant_type=password", "grant_type=client_credentials",
                                "grant_type=", "username=alice", "password=pw", "scope=a%20b",
                                "username=%C3%28", "username=%ff", "password=\u00e9", "a", "=",
                                "grant_type=password&grant_type=password", "client_id=c", "&"])
_FORM_BODIES = st.one_of(
    st.lists(_FORM_FIELDS, max_size=10).map(lambda fields: "&".join(fields).encode()),
    st.sampled_from([b"", _MULTIPART, b"username=a&" * 10_000, b"\xff=\xfe", b"{}",
                     b"grant_type=password&username=alice&password=pw&" + b"x" * 300_000]),
    st.binary(max_size=100),
)


@_SWEEP
@given(body=_FORM_BODIES, types=_CONTENT_TYPES)
def test_hostile_password_forms(body: bytes, types: list[str]) -> None:
    # FastAPI only: Flask has no password_form (its login is json_fields, swept above).
    headers = [(name, value) for name, value in [("Content-Type", t) for t in types]]
    started = time.process_time()
    reply = CLIENTS["header"][1].request("POST", "/token", headers=headers, content=body)
    assert time.process_time() - started < 1.0
    status, error, reason, challenge = _answer(reply, reply.json(), False)
    assert challenge is None  # RFC 6749 §5.2: an OAuth error, no bearer challenge
    # RFC 6749 §4.3.2: a body within the cap is read only when declared as a form.
    form = [t.split(";")[0].strip().lower() for t in types] == ["application/x-www-form-urlencoded"]
    if status == 415:
        assert (error, reason, reply.headers["accept"]) == (
            "invalid_request", "unsupported_media_type", "application/x-www-form-urlencoded")
        assert body
        assert not form
    elif status != 200:
        assert (status, error, reason) in {
            (400, "invalid_request", "bad_request"), (413, "invalid_request", "bad_request"),
            (400, "unsupported_grant_type", "bad_request")}
        assert status == 413 or form or not body
    else:
        assert form
        fields = dict(pair.split(b"=", 1) for pair in body.split(b"&"))
        assert fields[b"grant_type"] == b"password"
        assert len(body.split(b"&")) == len(fields)  # no parameter was repeated
