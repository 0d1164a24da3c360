"""The Flask example in docs/examples: every route and error path, then the real server."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite.api import PyJWT
from jwtlite.revocation import SQLiteStore

pytest.importorskip("flask")

APP_PATH = Path(__file__).resolve().parent.parent / "docs" / "examples" / "flask_app.py"
SECRET = "s" * 40
ENV = {"JWT_SECRET": SECRET}


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("jwtlite_flask_example", APP_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _load()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def client(clock: FakeClock) -> Any:
    return example.create_app(ENV, clock=clock).test_client()


def _login(client: Any) -> dict[str, Any]:
    response = client.post("/login", json={"username": "admin", "password": "password"})
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_401(response: Any, reason: str) -> None:
    assert response.status_code == 401
    body = response.get_json()
    assert body["reason"] == reason
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="jwtlite-example"')
    if reason == "missing":
        assert "error=" not in challenge
    else:
        assert 'error="invalid_token"' in challenge
    assert SECRET not in response.get_data(as_text=True)


def test_login(client: Any) -> None:
    body = _login(client)
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900


@pytest.mark.parametrize(
    ("username", "password"), [("admin", "wrong"), ("root", "password"), ("", "")]
)
def test_login_bad_credentials(client: Any, username: str, password: str) -> None:
    response = client.post("/login", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "not json", "content_type": "application/json"},
        {"data": "{}", "content_type": "text/plain"},
        {"json": ["admin", "password"]},
        {"json": {"username": "admin"}},
        {"json": {"password": "password"}},
        {"json": {"username": "admin", "password": 12345}},
        {},
    ],
)
def test_login_bad_body(client: Any, kwargs: dict[str, Any]) -> None:
    response = client.post("/login", **kwargs)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_protected(client: Any) -> None:
    body = _login(client)
    response = client.get("/protected", headers=_bearer(body["access_token"]))
    assert response.status_code == 200
    assert response.get_json()["sub"] == "admin"


def test_protected_errors(client: Any, clock: FakeClock) -> None:
    body = _login(client)
    _assert_401(client.get("/protected"), "missing")
    _assert_401(client.get("/protected", headers={"Authorization": ""}), "missing")
    _assert_401(client.get("/protected", headers={"Authorization": "Basic abc"}), "malformed")
    _assert_401(client.get("/protected", headers=_bearer("abc")), "malformed")
    _assert_401(client.get("/protected", headers=_bearer("a.b.c")), "malformed")
    _assert_401(
        client.get("/protected", headers=_bearer(body["refresh_token"])), "wrong_token_type"
    )
    claims = PyJWT().decode(body["access_token"], options={"verify_signature": False})
    forged = PyJWT().encode(claims, "f" * 40, headers={"typ": "at+jwt"})
    _assert_401(client.get("/protected", headers=_bearer(forged)), "invalid")
    clock.now += 901
    _assert_401(client.get("/protected", headers=_bearer(body["access_token"])), "expired")


def test_refresh_rotation_and_reuse(client: Any) -> None:
    first = _login(client)
    response = client.post("/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/protected", headers=_bearer(second["access_token"])).status_code == 200
    reuse = client.post("/refresh", json={"refresh_token": first["refresh_token"]})
    _assert_401(reuse, "revoked")
    _assert_401(client.get("/protected", headers=_bearer(second["access_token"])), "revoked")
    again = client.post("/refresh", json={"refresh_token": second["refresh_token"]})
    _assert_401(again, "revoked")


def test_refresh_errors(client: Any) -> None:
    body = _login(client)
    _assert_401(
        client.post("/refresh", json={"refresh_token": body["access_token"]}), "wrong_token_type"
    )
    _assert_401(client.post("/refresh", json={"refresh_token": "x"}), "malformed")
    assert client.post("/refresh", json={}).status_code == 400
    assert client.post("/refresh", data="[", content_type="application/json").status_code == 400


def test_logout(client: Any) -> None:
    body = _login(client)
    other = _login(client)
    assert client.post("/logout", headers=_bearer(body["access_token"])).get_json() == {
        "revoked": True
    }
    _assert_401(client.get("/protected", headers=_bearer(body["access_token"])), "revoked")
    _assert_401(client.post("/logout", headers=_bearer(body["access_token"])), "revoked")
    _assert_401(client.post("/refresh", json={"refresh_token": body["refresh_token"]}), "revoked")
    _assert_401(client.post("/logout"), "missing")
    assert client.get("/protected", headers=_bearer(other["access_token"])).status_code == 200


def test_logout_survives_restart(tmp_path: Path, clock: FakeClock) -> None:
    env = {**ENV, "REVOCATION_DB": str(tmp_path / "rev.db")}
    app = example.create_app(env, clock=clock)
    assert isinstance(app.config["TOKENS"].store, SQLiteStore)
    body = _login(app.test_client())
    response = app.test_client().post("/logout", headers=_bearer(body["access_token"]))
    assert response.status_code == 200
    app.config["TOKENS"].store.close()
    restarted = example.create_app(env, clock=clock)
    client = restarted.test_client()
    _assert_401(client.get("/protected", headers=_bearer(body["access_token"])), "revoked")
    _assert_401(client.post("/refresh", json={"refresh_token": body["refresh_token"]}), "revoked")
    restarted.config["TOKENS"].store.close()


# --- the cookie variant --------------------------------------------------------------------


@pytest.fixture
def cookie_client(clock: FakeClock) -> Any:
    app = example.create_app({**ENV, "AUTH_COOKIES": "1"}, clock=clock)
    return app.test_client()


def _cookie_headers(response: Any) -> dict[str, str]:
    return {
        h.split("=", 1)[0] + "@" + h.split("Path=")[1].split(";")[0]: h
        for h in response.headers.getlist("Set-Cookie")
    }


def test_cookie_login_sets_hardened_cookies(cookie_client: Any) -> None:
    response = cookie_client.post(
        "/login", json={"username": "admin", "password": "password"}, base_url="https://localhost"
    )
    assert response.status_code == 200
    assert set(response.get_json()) == {"token_type", "expires_in"}
    cookies = _cookie_headers(response)
    assert set(cookies) == {
        "access_token@/",
        "refresh_token@/refresh",
        "refresh_token@/logout",
        "csrf_token@/",
    }
    for name, header in cookies.items():
        assert "Secure" in header
        assert "SameSite=Strict" in header
        assert ("HttpOnly" in header) == (not name.startswith("csrf_token"))


def _cookie_login(client: Any) -> str:
    client.post(
        "/login", json={"username": "admin", "password": "password"}, base_url="https://localhost"
    )
    cookie = client.get_cookie("csrf_token", domain="localhost")
    assert cookie is not None
    value: str = cookie.value
    return value


def test_cookie_flow_with_csrf(cookie_client: Any) -> None:
    https = {"base_url": "https://localhost"}
    csrf = _cookie_login(cookie_client)
    assert cookie_client.get("/protected", **https).status_code == 200
    _assert_401(cookie_client.post("/refresh", **https), "csrf")
    _assert_401(cookie_client.post("/refresh", headers={"X-CSRF-Token": "nope"}, **https), "csrf")
    old_access = cookie_client.get_cookie("access_token", domain="localhost").value
    refreshed = cookie_client.post("/refresh", headers={"X-CSRF-Token": csrf}, **https)
    assert refreshed.status_code == 200
    assert "refresh_token" not in refreshed.get_json()
    csrf = cookie_client.get_cookie("csrf_token", domain="localhost").value
    _assert_401(cookie_client.post("/logout", **https), "csrf")
    response = cookie_client.post("/logout", headers={"X-CSRF-Token": csrf}, **https)
    assert response.status_code == 200
    assert cookie_client.get_cookie("access_token", domain="localhost") is None
    _assert_401(cookie_client.get("/protected", **https), "missing")
    _assert_401(cookie_client.get("/protected", headers=_bearer(old_access), **https), "revoked")


# --- configuration -------------------------------------------------------------------------


def test_config_errors(tmp_path: Path) -> None:
    with pytest.raises(example.ConfigError, match="JWT_SECRET is not set"):
        example.create_app({})
    with pytest.raises(example.ConfigError, match="at least 32 bytes"):
        example.create_app({"JWT_SECRET": "short"})


def test_dev_secret(capsys: pytest.CaptureFixture[str]) -> None:
    app = example.create_app({"JWT_DEV_SECRET": "1"})
    assert "development secret" in capsys.readouterr().err
    assert _login(app.test_client())["token_type"] == "Bearer"


def test_main_reports_config_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("JWT_DEV_SECRET", raising=False)
    assert example.main() == 2
    assert "JWT_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("JWT_SECRET", SECRET)
    monkeypatch.setenv("PORT", "not-a-port")
    assert example.main() == 2


def test_password_check() -> None:
    assert example.check_password("admin", "password")
    assert not example.check_password("admin", "Password")
    assert not example.check_password("nobody", "password")
    salt = b"0" * 16
    assert example.hash_password("x", salt) != example.hash_password("y", salt)


@pytest.mark.parametrize("token", ["", "....", "!!!.x.y", "WzFd.x.y", "e30.x.y"])
def test_unverified_typ_never_raises(token: str) -> None:
    assert example._unverified_typ(token) is None


# --- the real server over HTTP ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _http(
    port: int, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, dict[str, Any], str]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), ""
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read()), error.headers.get("WWW-Authenticate", "")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    procs: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "JWT_SECRET": SECRET, "REVOCATION_DB": str(tmp_path / "rev.db")}

    def start() -> int:
        port = _free_port()
        log = (tmp_path / f"server-{port}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, str(APP_PATH)],
            env={**env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        procs.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / f"server-{port}.log").read_text()
            try:
                _http(port, "GET", "/protected")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # waiting for a real process to bind; nothing to inject
                continue
            return port
        pytest.fail("the example server did not start")

    def stop() -> None:
        proc = procs[-1]
        proc.terminate()
        proc.wait(timeout=10)

    try:
        yield start, stop
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def test_real_server_life_cycle(server: Any) -> None:
    start, stop = server
    port = start()
    creds = {"username": "admin", "password": "password"}
    status, first, _ = _http(port, "POST", "/login", creds)
    assert status == 200
    assert _http(port, "GET", "/protected", token=first["access_token"])[0] == 200
    status, second, _ = _http(port, "POST", "/refresh", {"refresh_token": first["refresh_token"]})
    assert status == 200
    status, body, challenge = _http(
        port, "POST", "/refresh", {"refresh_token": first["refresh_token"]}
    )
    assert (status, body["reason"]) == (401, "revoked")
    assert 'error="invalid_token"' in challenge
    assert _http(port, "GET", "/protected", token=second["access_token"])[0] == 401
    status, third, _ = _http(port, "POST", "/login", creds)
    assert _http(port, "POST", "/logout", token=third["access_token"])[:2] == (
        200,
        {"revoked": True},
    )
    assert _http(port, "GET", "/protected", token=third["access_token"])[0] == 401
    stop()
    port = start()
    for token in (third["access_token"], second["access_token"]):
        status, body, challenge = _http(port, "GET", "/protected", token=token)
        assert (status, body["reason"]) == (401, "revoked")
        assert challenge.startswith("Bearer ")
    status, body, _ = _http(port, "POST", "/refresh", {"refresh_token": third["refresh_token"]})
    assert (status, body["reason"]) == (401, "revoked")
    status, fresh, _ = _http(port, "POST", "/login", creds)
    assert _http(port, "GET", "/protected", token=fresh["access_token"])[0] == 200


_PRINTABLE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=8,
)
_fuzz_app = example.create_app(ENV)


@settings(max_examples=60, deadline=None)
@given(
    authorization=st.one_of(st.none(), _PRINTABLE, _PRINTABLE.map("Bearer ".__add__)),
    body=st.one_of(
        _JSON,
        st.fixed_dictionaries({"username": _JSON, "password": _JSON}),
        st.fixed_dictionaries({"refresh_token": _JSON}),
    ),
)
def test_no_input_makes_a_500(authorization: str | None, body: Any) -> None:
    client = _fuzz_app.test_client()
    headers = {} if authorization is None else {"Authorization": authorization}
    statuses = {
        client.get("/protected", headers=headers).status_code,
        client.post("/logout", headers=headers).status_code,
        client.post("/login", json=body).status_code,
        client.post("/refresh", json=body).status_code,
        client.post(
            "/refresh", data=json.dumps(body)[:-1], content_type="application/json"
        ).status_code,
    }
    assert statuses <= {200, 400, 401}
