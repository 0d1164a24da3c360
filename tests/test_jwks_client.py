"""PyJWKClient against a real HTTP server on 127.0.0.1: transport rules, cache, rotation, abuse."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import KEYS

import jwtlite
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    InvalidTokenError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)
from jwtlite.jwk import PyJWK, key_to_jwk
from jwtlite.jwks_client import PyJWKClient, _max_age
from jwtlite.keys import load_key

PRIVATE = {
    name: load_key((KEYS / f"{name}.pem").read_bytes())
    for name in ("ec_p256", "ec_p384", "ed25519")
}


def _public(name: str, kid: str | None = None, **meta: Any) -> dict[str, Any]:
    return key_to_jwk(PRIVATE[name], kid=kid or name, include_private=False, **meta)


class Clock:
    """An injectable monotonic clock: tests move time instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Server:
    """What the test HTTP server answers, and a count of the requests it received."""

    def __init__(self) -> None:
        self.body: bytes = b""
        self.status = 200
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self.trickle = False
        self.send_length = True
        self.redirect_to = ""
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.jwks(_public("ec_p256"))

    def jwks(self, *keys: dict[str, Any]) -> None:
        self.body = json.dumps({"keys": list(keys)}).encode()

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)


def _handler(state: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.requests.append((self.path, dict(self.headers)))
            if state.delay:
                state.release.wait(state.delay)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            if state.send_length:
                self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            if state.trickle:
                for i in range(len(state.body)):
                    self.wfile.write(state.body[i : i + 1])
                    self.wfile.flush()
                    if state.release.wait(0.05):
                        return
            else:
                self.wfile.write(state.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _client(base: str, clock: Clock, path: str = "/jwks", **kwargs: Any) -> PyJWKClient:
    return PyJWKClient(base + path, clock=clock, **kwargs)


# --- fetch and cache -------------------------------------------------------------------------


def test_fetch_and_cache(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    client = _client(base, clock, lifespan=300, headers={"X-Test": "yes"})
    key = client.get_signing_key("ec_p256")
    assert isinstance(key, PyJWK)
    assert key.key == PRIVATE["ec_p256"].public_key()
    client.get_signing_key("ec_p256")
    assert len(client.get_signing_keys()) == 1
    assert state.count == 1
    assert state.requests[0][1]["X-Test"] == "yes"
    clock.now += 299
    client.get_jwk_set()
    assert state.count == 1
    clock.now += 2
    client.get_jwk_set()
    assert state.count == 2
    client.get_jwk_set(refresh=True)
    assert state.count == 3


def test_without_set_cache_every_call_fetches(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    client = _client(base, clock, cache_jwk_set=False)
    client.get_jwk_set()
    client.get_jwk_set()
    assert state.count == 2


def test_fetch_data_returns_the_document(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    assert _client(base, clock).fetch_data() == json.loads(state.body)


def test_cache_control_max_age_is_honoured(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.headers["Cache-Control"] = "public, max-age=1000"
    client = _client(base, clock, lifespan=300)
    client.get_jwk_set()
    clock.now += 999
    client.get_jwk_set()
    assert state.count == 1
    state.headers["Cache-Control"] = "no-store"
    clock.now += 2
    client.get_jwk_set()
    assert state.count == 2
    # max-age=0 / no-store cannot make every call fetch: the floor is the refetch cooldown.
    clock.now += 29
    client.get_jwk_set()
    assert state.count == 2
    clock.now += 2
    client.get_jwk_set()
    assert state.count == 3


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("max-age=60", 60.0),
        ('public, max-age="120"', 120.0),
        ("max-age=-5", None),
        ("max-age=abc", None),
        ("max-age=99999999999999", 86400.0),
        ("no-cache", 0.0),
        ("private", None),
    ],
)
def test_max_age_parsing(header: str | None, expected: float | None) -> None:
    assert _max_age(header) == expected


def test_lifespan_must_be_positive() -> None:
    with pytest.raises(PyJWKClientError, match="Lifespan must be greater than 0"):
        PyJWKClient("https://example.com/jwks", lifespan=0)


# --- rotation and abuse ----------------------------------------------------------------------


def test_new_key_is_found_on_its_first_unknown_kid(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock)
    client.get_signing_key("ec_p256")
    state.jwks(_public("ec_p256"), _public("ec_p384"))
    # Right after a fetch: the unknown kid still forces one refetch.
    assert client.get_signing_key("ec_p384").key == PRIVATE["ec_p384"].public_key()
    assert state.count == 2


def test_unknown_kid_flood_causes_bounded_fetches(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    client = _client(base, clock, refetch_cooldown=30, negative_cache_ttl=30)
    client.get_signing_key("ec_p256")
    for i in range(200):
        with pytest.raises(PyJWKClientError, match="Unable to find a signing key"):
            client.get_signing_key(f"random-{i}")
        clock.now += 0.1  # 20 seconds in all, inside one cooldown
    assert state.count == 2  # the first fetch and one forced refetch
    clock.now += 11
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("another")
    assert state.count == 3
    # A good key is still served from the cache throughout.
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert state.count == 3


def test_negative_cache_outlives_the_cooldown(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    client = _client(base, clock, refetch_cooldown=10, negative_cache_ttl=100)
    client.get_jwk_set()
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("x")
    clock.now += 11
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("x")  # remembered as unknown: no fetch
    assert state.count == 2
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("y")  # a new kid after the cooldown may force a fetch
    assert state.count == 3
    state.jwks(_public("ec_p256"), _public("ec_p384", kid="x"))
    clock.now += 100
    assert client.get_signing_key("x").key_id == "x"


def test_cached_keys_are_dropped_when_the_set_changes(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock, cache_keys=True, max_cached_keys=1)
    state.jwks(_public("ec_p256"), _public("ec_p384"))
    assert client.get_signing_key("ec_p256") is client.get_signing_key("ec_p256")
    client.get_signing_key("ec_p384")  # evicts ec_p256 from the one-entry cache
    assert state.count == 1
    state.jwks(_public("ec_p384"))
    clock.now += 301
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("ec_p256")  # removed from the set: no longer accepted
    assert client.get_signing_key("ec_p384").key_id == "ec_p384"


def test_concurrent_callers_share_one_fetch(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.delay = 0.3
    client = _client(base, clock)
    results: list[Any] = []
    barrier = threading.Barrier(12)

    def worker() -> None:
        barrier.wait()
        results.append(client.get_signing_key("ec_p256").key_id)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == ["ec_p256"] * 12
    assert state.count == 1


# --- failures --------------------------------------------------------------------------------


def test_stale_set_is_used_when_the_server_goes_down(clock: Clock) -> None:
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    client = PyJWKClient(
        f"http://127.0.0.1:{httpd.server_address[1]}/jwks", clock=clock, max_stale=3600
    )
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)
    clock.now += 301  # the set has expired; the refetch fails
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert state.count == 1
    clock.now += 3600  # beyond max_stale: the failure shows
    with pytest.raises(PyJWKClientConnectionError, match="Fail to fetch data"):
        client.get_signing_key("ec_p256")


def test_stale_set_is_used_after_a_bad_response(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    client = _client(base, clock, refetch_cooldown=30)
    client.get_jwk_set()
    state.body = b"not json"
    clock.now += 301
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert state.count == 2
    clock.now += 10  # within the cooldown after the failure: no retry
    client.get_signing_key("ec_p256")
    assert state.count == 2
    state.jwks(_public("ec_p384"))
    clock.now += 21
    assert client.get_signing_key("ec_p384").key_id == "ec_p384"
    assert state.count == 3


def test_connection_refused(clock: Clock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = PyJWKClient(f"http://127.0.0.1:{port}/jwks", clock=clock)
    with pytest.raises(PyJWKClientConnectionError, match="Fail to fetch data"):
        client.get_jwk_set()


def test_slow_server_times_out(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.delay = 5.0
    client = _client(base, clock, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match="timed out"):
        client.get_jwk_set()
    assert time.monotonic() - started < 2


def test_trickling_server_hits_the_total_deadline(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.trickle = True  # one byte every 50 ms: each read beats the socket timeout
    client = _client(base, clock, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match="timed out"):
        client.get_jwk_set()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("send_length", [True, False])
def test_oversized_response_is_refused(
    server: tuple[Server, str], clock: Clock, send_length: bool
) -> None:
    state, base = server
    state.send_length = send_length
    state.body = json.dumps({"keys": [_public("ec_p256")], "pad": "x" * 5000}).encode()
    client = _client(base, clock, max_response_bytes=4096)
    with pytest.raises(PyJWKClientError, match="larger than 4096 bytes") as info:
        client.get_jwk_set()
    assert not isinstance(info.value, PyJWKClientConnectionError)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Invalid JWKS response"),
        (b"[]", "must be a JSON object"),
        (b'{"keys": [], "keys": []}', "duplicate"),
        (b'{"keys": []}', "did not contain any keys"),
        (b'{"keys": [{"kty": "nope"}]}', "did not contain any usable keys"),
    ],
)
def test_bad_documents(server: tuple[Server, str], clock: Clock, body: bytes, message: str) -> None:
    state, base = server
    state.body = body
    with pytest.raises(PyJWKClientError, match=message) as info:
        _client(base, clock).get_jwk_set()
    assert not isinstance(info.value, PyJWKClientConnectionError)


def test_no_signing_keys(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.jwks(_public("ec_p256", use="enc"), key_to_jwk(PRIVATE["ec_p384"]))  # no kid
    with pytest.raises(PyJWKClientError, match="did not contain any signing keys"):
        _client(base, clock).get_signing_keys()


def test_http_error_status(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.status = 503
    with pytest.raises(PyJWKClientConnectionError, match="HTTP 503"):
        _client(base, clock).get_jwk_set()


def test_overridden_fetch_data_is_used(clock: Clock) -> None:
    class Fixed(PyJWKClient):
        def fetch_data(self) -> Any:
            return {"keys": [_public("ed25519")]}

    client = Fixed("https://jwks.invalid/keys", clock=clock)
    assert client.get_signing_key("ed25519").algorithm_name == "EdDSA"
    with pytest.raises(PyJWKClientError, match="JSON object"):
        type("Listy", (PyJWKClient,), {"fetch_data": lambda self: []})(
            "https://jwks.invalid/keys"
        ).get_jwk_set()


# --- transport rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "http://example.com/jwks",
        "http://10.0.0.1/jwks",
        "http://localhost.example.com/jwks",
        "ftp://127.0.0.1/jwks",
        "file:///etc/passwd",
        "https:///jwks",
        "https://[::1/jwks",
        "jwks.json",
        b"https://example.com/jwks",
    ],
)
def test_refused_uris_make_no_network_traffic(uri: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    with pytest.raises(PyJWKClientError):
        PyJWKClient(uri)


@pytest.mark.parametrize(
    "uri",
    ["https://example.com/jwks", "http://localhost:8080/j", "http://[::1]/j", "http://127.8.0.1/"],
)
def test_allowed_uris(uri: str) -> None:
    assert PyJWKClient(uri).uri == uri


def test_redirect_within_the_rules_is_followed(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.redirect_to = base + "/jwks"
    client = _client(base, clock, path="/redirect")
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert [path for path, _ in state.requests] == ["/redirect", "/jwks"]


@pytest.mark.parametrize(
    "target", ["http://example.com/jwks", "https://127.0.0.1/jwks", "file:///etc/passwd"]
)
def test_redirect_off_the_rules_is_refused(
    server: tuple[Server, str], clock: Clock, target: str
) -> None:
    state, base = server
    state.redirect_to = target
    # urllib itself refuses non-HTTP schemes (as an HTTP 302 error) before our handler runs.
    with pytest.raises(PyJWKClientConnectionError, match=r"redirect .* refused|HTTP 302"):
        _client(base, clock, path="/redirect").get_jwk_set()
    assert state.count == 1


# --- tokens ------------------------------------------------------------------------------------


def test_get_signing_key_from_jwt_end_to_end(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.jwks(_public("ec_p256"), _public("ed25519"))
    client = _client(base, clock)
    token = jwtlite.encode(
        {"sub": "a"}, PRIVATE["ed25519"], algorithm="EdDSA", headers={"kid": "ed25519"}
    )
    key = client.get_signing_key_from_jwt(token)
    assert jwtlite.decode(token, key, algorithms=["EdDSA"]) == {"sub": "a"}
    assert jwtlite.decode(token, key.key, algorithms=["EdDSA"]) == {"sub": "a"}


def test_get_signing_key_from_bad_tokens(server: tuple[Server, str], clock: Clock) -> None:
    _, base = server
    client = _client(base, clock)
    no_kid = jwtlite.encode({"sub": "a"}, PRIVATE["ec_p256"], algorithm="ES256")
    with pytest.raises(PyJWKClientError, match="no kid"):
        client.get_signing_key_from_jwt(no_kid)
    int_kid = b64url_encode(b'{"alg":"ES256","kid":7}') + ".e30.AAAA"
    with pytest.raises(InvalidTokenError, match="must be a string"):
        client.get_signing_key_from_jwt(int_kid)
    with pytest.raises(PyJWKClientError, match="kid must be a string"):
        client.get_signing_key(7)  # type: ignore[arg-type]
    with pytest.raises(DecodeError):
        client.get_signing_key_from_jwt("not.a-token")


def test_negative_cache_is_bounded(clock: Clock) -> None:
    fetches: list[int] = []

    class Counting(PyJWKClient):
        def fetch_data(self) -> Any:
            fetches.append(1)
            return {"keys": [_public("ec_p256")]}

    client = Counting("https://jwks.invalid/keys", clock=clock, negative_cache_ttl=1e9)
    for i in range(1100):
        with pytest.raises(PyJWKClientError):
            client.get_signing_key(f"kid-{i}")
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("x" * 300)  # too long to remember
    assert len(client._unknown) == 1024
    assert "kid-0" not in client._unknown
    assert "kid-1099" in client._unknown
    assert len(fetches) == 2


def test_pyjwt_cooldown_duration_argument() -> None:
    """PyJWT's ninth positional argument names the forced-refetch cooldown."""
    from jwtlite.jwks_client import PyJWKClient

    client = PyJWKClient("https://issuer.example/jwks", False, 16, True, 300, None, 30, None, 7.5)
    assert client.refetch_cooldown == 7.5
    explicit = PyJWKClient("https://issuer.example/jwks", refetch_cooldown=3.0)
    assert explicit.refetch_cooldown == 3.0
