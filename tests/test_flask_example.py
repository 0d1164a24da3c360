"""The two example servers (Flask, FastAPI) keep one HTTP contract, tested over real HTTP.

Each test starts the server as its own process on 127.0.0.1 and talks to it with urllib:
login, the protected route, refresh rotation, reuse revoking the family, logout, wrong token
types, malformed input, throttling, configuration errors, and a restart that keeps revocations,
with revocations in SQLite (``REVOCATION_DB``) and in a real Redis server (``REDIS_URL``).
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import COOKIE_AGES, cookie_ages

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
SECRET = "s" * 40
CREDS = {"username": "admin", "password": "password"}
SERVERS = ["flask_app.py", "fastapi_app.py"]
_NEEDS = {"flask_app.py": "flask", "fastapi_app.py": "fastapi"}


class Reply:
    """One HTTP answer: status, headers, parsed JSON body."""

    def __init__(self, status: int, headers: Any, raw: bytes) -> None:
        self.status = status
        self.headers = headers
        self.json: Any = json.loads(raw)

    @property
    def challenge(self) -> str:
        return str(self.headers.get("WWW-Authenticate", ""))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _http(
    port: int, method: str, path: str, body: Any = None, *, token: str | None = None,
    raw: bytes | None = None, headers: dict[str, str] | None = None,
) -> Reply:
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=sent, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read())


class Server:
    """Starts and stops one example server process; every start gets a new port."""

    def __init__(self, script: str, env: dict[str, str], logs: Path) -> None:
        self.script = script
        self.env = env
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def run(self, **env: str) -> subprocess.CompletedProcess[str]:
        """Run to completion (for configuration errors)."""
        return subprocess.run(
            [sys.executable, str(EXAMPLES / self.script)], env={**self.env, **env},
            capture_output=True, text=True, timeout=60, check=False,
        )

    def start(self) -> int:
        port = _free_port()
        log_path = self.logs / f"server-{port}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, str(EXAMPLES / self.script)],
                env={**self.env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()
            try:
                _http(port, "GET", "/protected")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # waiting for a real process to bind; nothing to inject
                continue
            return port
        pytest.fail(f"{self.script} did not start")

    def stop(self) -> None:
        proc = self.procs[-1]
        proc.terminate()
        proc.wait(timeout=10)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    pytest.importorskip(_NEEDS[request.param])
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "AUTH_COOKIES"}},
        "JWT_SECRET": SECRET,
        "REVOCATION_DB": str(tmp_path / "rev.db"),
    }
    env.pop("JWT_DEV_SECRET", None)
    srv = Server(request.param, env, tmp_path)
    try:
        yield srv
    finally:
        srv.close()


def _assert_refused(reply: Reply, status: int, reason: str) -> None:
    assert (reply.status, reply.json["reason"]) == (status, reason), reply.json
    assert reply.challenge.startswith('Bearer realm="jwtlite-example"')
    error = {400: "invalid_request", 401: "invalid_token"}[status]
    assert reply.json["error"] == error
    if reason == "missing":
        assert "error=" not in reply.challenge
    else:
        assert f'error="{error}"' in reply.challenge
    assert SECRET not in json.dumps(reply.json)


def _check_login_and_errors(port: int) -> dict[str, Any]:
    reply = _http(port, "POST", "/login", CREDS)
    assert reply.status == 200
    pair: dict[str, Any] = reply.json
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert (pair["token_type"], pair["expires_in"]) == ("Bearer", 900)
    bad = _http(port, "POST", "/login", {"username": "root", "password": "password"})
    assert (bad.status, bad.json["error"]) == (401, "invalid_grant")
    bodies = [b"not json", b"[]", b'{"username": "admin"}', b'{"username": 1, "password": "x"}',
              b"", b"[" * 100_000, b'{"username": "\\ud800", "password": "x"}', b"\xff\xfe"]
    for raw in bodies:
        reply = _http(port, "POST", "/login", raw=raw)
        assert (reply.status, reply.json["error"]) == (400, "invalid_request"), raw[:20]
    _check_media_types(port, pair)
    return pair


# What a plain HTML form, or a no-cors fetch, on another site sends without a CORS preflight:
# a login or refresh taking these would let any page log the browser in (login CSRF).
_FORM_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x")


def _check_media_types(port: int, pair: dict[str, Any]) -> None:
    bodies = {"/login": CREDS, "/refresh": {"refresh_token": pair["refresh_token"]}}
    for path, body in bodies.items():
        for content_type in _FORM_TYPES:
            reply = _http(port, "POST", path, body, headers={"Content-Type": content_type})
            assert (reply.status, reply.json["error"]) == (415, "invalid_request"), content_type
            assert reply.json["reason"] == "unsupported_media_type"
            assert reply.headers["Accept"] == "application/json"
            assert reply.headers.get_all("Set-Cookie") is None


def _check_protected(port: int, pair: dict[str, Any]) -> None:
    reply = _http(port, "GET", "/protected", token=pair["access_token"])
    assert (reply.status, reply.json) == (200, {"message": "hello, admin", "sub": "admin"})
    _assert_refused(_http(port, "GET", "/protected"), 401, "missing")
    for header in ("Basic abc", "Bearer", "Bearer a b", "Bearer {}"):
        reply = _http(port, "GET", "/protected", headers={"Authorization": header})
        _assert_refused(reply, 400, "malformed")  # RFC 6750 §3.1
    _assert_refused(_http(port, "GET", "/protected", token="a.b.c"), 401, "malformed")
    reply = _http(port, "GET", "/protected", token=pair["refresh_token"])
    _assert_refused(reply, 401, "wrong_token_type")
    reply = _http(port, "POST", "/refresh", {"refresh_token": pair["access_token"]})
    _assert_refused(reply, 401, "wrong_token_type")
    for raw in (b"{}", b"[", b"[" * 100_000, b'{"refresh_token": "\\udc00"}'):
        reply = _http(port, "POST", "/refresh", raw=raw)
        assert (reply.status, reply.json["error"]) == (400, "invalid_request")
    for method, path, status in (("GET", "/nowhere", 404), ("GET", "/login", 405)):
        reply = _http(port, method, path)
        assert reply.status == status
        assert isinstance(reply.json["error"], str)


@pytest.fixture(params=["sqlite", "redis"])
def store_env(request: pytest.FixtureRequest, server: Server) -> Server:
    """The server with revocations in SQLite (``REVOCATION_DB``) or in Redis (``REDIS_URL``)."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")  # a real server, flushed for this test
        server.env = {k: v for k, v in server.env.items() if k != "REVOCATION_DB"}
        server.env["REDIS_URL"] = url
    return server


def test_http_contract_and_restart(store_env: Server) -> None:
    server = store_env
    port = server.start()
    first = _check_login_and_errors(port)
    _check_protected(port, first)
    reply = _http(port, "POST", "/refresh", {"refresh_token": first["refresh_token"]})
    assert reply.status == 200
    second = reply.json
    assert second["refresh_token"] != first["refresh_token"]
    assert _http(port, "GET", "/protected", token=second["access_token"]).status == 200
    # Reuse of the spent refresh token revokes the whole family (RFC 9700 §4.14.2).
    reuse = _http(port, "POST", "/refresh", {"refresh_token": first["refresh_token"]})
    _assert_refused(reuse, 401, "revoked")
    _assert_refused(_http(port, "GET", "/protected", token=second["access_token"]), 401, "revoked")
    third = _http(port, "POST", "/login", CREDS).json
    other = _http(port, "POST", "/login", CREDS).json
    reply = _http(port, "POST", "/logout", token=third["access_token"])
    assert (reply.status, reply.json) == (200, {"revoked": True})
    _assert_refused(_http(port, "GET", "/protected", token=third["access_token"]), 401, "revoked")
    _assert_refused(_http(port, "POST", "/logout", token=third["access_token"]), 401, "revoked")
    _assert_refused(_http(port, "POST", "/logout"), 401, "missing")
    server.stop()
    port = server.start()
    for token in (third["access_token"], second["access_token"]):
        _assert_refused(_http(port, "GET", "/protected", token=token), 401, "revoked")
    reply = _http(port, "POST", "/refresh", {"refresh_token": third["refresh_token"]})
    _assert_refused(reply, 401, "revoked")
    assert _http(port, "GET", "/protected", token=other["access_token"]).status == 200


def test_redis_down_is_503_not_401(server: Server) -> None:
    """With ``REDIS_URL`` set and nothing listening, verification fails closed with 503."""
    pytest.importorskip("redis")
    server.env = {k: v for k, v in server.env.items() if k != "REVOCATION_DB"}
    server.env["REDIS_URL"] = f"redis://127.0.0.1:{_free_port()}/0"
    port = server.start()
    pair = _http(port, "POST", "/login", CREDS)
    assert pair.status == 200, pair.json
    reply = _http(port, "GET", "/protected", token=pair.json["access_token"])
    assert (reply.status, reply.json["reason"]) == (503, "unavailable"), reply.json
    assert "Retry-After" in reply.headers
    reply = _http(port, "POST", "/refresh", {"refresh_token": pair.json["refresh_token"]})
    assert reply.status == 503, reply.json


def test_login_throttling(server: Server) -> None:
    port = server.start()
    for _ in range(5):
        reply = _http(port, "POST", "/login", {"username": "admin", "password": "guess"})
        assert reply.status == 401
    # Throttled now, even with the right password.
    reply = _http(port, "POST", "/login", CREDS)
    assert reply.status == 429
    assert 1 <= int(reply.headers["Retry-After"]) <= 300
    # Per address: twenty failures over many usernames lock the address out.
    for n in range(15):
        reply = _http(port, "POST", "/login", {"username": f"user{n}", "password": "x"})
        assert reply.status == 401
    assert _http(port, "POST", "/login", {"username": "fresh", "password": "x"}).status == 429


def test_cookie_mode_cookies_and_login_csrf(server: Server) -> None:
    """``AUTH_COOKIES=1``: every cookie carries the ``Max-Age`` of its token, and a login body
    that a cross-site form could send is refused before any password is checked."""
    server.env["AUTH_COOKIES"] = "1"
    port = server.start()
    reply = _http(port, "POST", "/login", CREDS)
    assert (reply.status, set(reply.json)) == (200, {"token_type", "expires_in"})
    cookies = reply.headers.get_all("Set-Cookie")
    assert cookie_ages(cookies) == COOKIE_AGES
    assert all("httponly" in c.lower() for c in cookies if not c.startswith("csrf_token="))
    for content_type in _FORM_TYPES:
        reply = _http(port, "POST", "/login", CREDS, headers={"Content-Type": content_type})
        assert (reply.status, reply.json["reason"]) == (415, "unsupported_media_type")
        assert reply.headers.get_all("Set-Cookie") is None


def _import_example(name: str) -> Any:
    """The example module ``name`` imported in this process (its folder is not a package)."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(EXAMPLES))


class _Gate:
    """Stands in for the password check: every caller blocks until the test opens the gate,
    so a burst of logins is all in flight at once, then each is told its password is wrong."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.entered = 0
        self.throttled = 0
        self.opened = False

    def check_password(self, username: str, password: str) -> bool:
        with self.cond:
            self.entered += 1
            self.cond.notify_all()
            assert self.cond.wait_for(lambda: self.opened, timeout=60)
        return False


def _example_client(script: str) -> Callable[[dict[str, str]], int]:
    """POST /login on an in-process app of ``script``; returns the status."""
    module = _import_example(script.removesuffix(".py"))
    app = module.create_app({"JWT_SECRET": SECRET})
    if script == "flask_app.py":
        flask_client = app.test_client()
        return lambda body: int(flask_client.post("/login", json=body).status_code)
    testclient = pytest.importorskip("starlette.testclient")
    fastapi_client = testclient.TestClient(app)
    return lambda body: int(fastapi_client.post("/login", json=body).status_code)


@pytest.mark.parametrize("script", SERVERS)
def test_login_throttle_holds_under_a_concurrent_burst(
    script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/security.md: five failures per username and twenty per address in five minutes,
    also when the guesses arrive at once (each attempt is counted before the password check)."""
    pytest.importorskip(_NEEDS[script])
    gate = _Gate()
    monkeypatch.setattr(_import_example(script.removesuffix(".py")), "check_password",
                        gate.check_password)
    login = _example_client(script)
    bodies = [{"username": "admin", "password": f"guess{n}"} for n in range(10)]
    bodies += [{"username": f"user{n}", "password": "x"} for n in range(20)]
    results: dict[int, int] = {}

    def attempt(n: int) -> None:
        status = login(bodies[n])
        with gate.cond:
            results[n] = status
            gate.throttled += status == 429
            gate.cond.notify_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    try:
        with gate.cond:
            # Every request is either inside the password check or already refused.
            assert gate.cond.wait_for(
                lambda: gate.entered + gate.throttled == len(bodies), timeout=60
            ), (gate.entered, gate.throttled)
    finally:
        with gate.cond:
            gate.opened = True
            gate.cond.notify_all()
        for thread in threads:
            thread.join(timeout=60)
    assert len(results) == 30
    statuses = list(results.values())
    assert set(statuses) == {401, 429}
    # The address allows twenty failures in all, the username "admin" five of them.
    assert (statuses.count(401), statuses.count(429), gate.entered) == (20, 10, 20)
    assert [results[n] for n in range(10)].count(401) <= 5


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REVOCATION_DB": "/nonexistent-dir/sub/rev.db"}, "REVOCATION_DB"),
        ({"JWT_SECRET": ""}, "JWT_SECRET is not set"),
        ({"JWT_SECRET": "short"}, "at least 32 bytes"),
        ({"PORT": "not-a-port"}, "PORT"),
    ],
)
def test_configuration_errors_exit_2(server: Server, env: dict[str, str], message: str) -> None:
    result = server.run(**env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_throttle_window_moves() -> None:
    demo_support = _import_example("demo_support")
    now = [1000.0]
    clock: Callable[[], float] = lambda: now[0]  # noqa: E731
    throttle = demo_support.LoginThrottle(limit=2, window=60, max_keys=2, clock=clock)
    assert throttle.reserve("a") == 0
    assert throttle.retry_after("a") == 0
    assert throttle.reserve("a") == 0
    assert throttle.retry_after("a") == 60
    assert throttle.reserve("a") == 60  # refused: nothing more is counted
    now[0] += 30
    assert throttle.retry_after("a") == 30
    now[0] += 30
    assert throttle.retry_after("a") == 0
    throttle.reserve("b")
    throttle.reserve("c")  # evicts the oldest key
    throttle.reserve("c")
    assert throttle.retry_after("c") > 0
    throttle.succeeded("c")
    assert throttle.retry_after("c") == 0
    throttle.reserve("c")
    throttle.reserve("c")
    throttle.release("c")  # an attempt that did not fail gives its place back
    assert throttle.retry_after("c") == 0
    throttle.release("gone")  # nothing to give back: no error


def test_throttles_settle_each_outcome() -> None:
    demo_support = _import_example("demo_support")
    throttle = demo_support.LoginThrottle
    throttles = demo_support.Throttles(throttle(limit=2, window=60), throttle(limit=3, window=60))
    assert throttles.reserve("u", "ip") == 0
    throttles.cancel("u", "ip")  # busy: no password was checked, nothing counts
    assert throttles.reserve("u", "ip") == 0
    throttles.settle("u", "ip", ok=False)
    assert throttles.reserve("u", "ip") == 0
    throttles.settle("u", "ip", ok=True)  # clears the username only, not the address
    assert throttles.users.retry_after("u") == 0
    for user in ("v", "w"):
        assert throttles.reserve(user, "ip") == 0
        throttles.settle(user, "ip", ok=False)
    # The address has its three failures (u, v, w): a fourth user is refused, and the refusal
    # gives the username's reservation back.
    assert throttles.reserve("x", "ip") > 0
    assert throttles.users.retry_after("x") == 0
    assert throttles.reserve("x", "other") == 0
