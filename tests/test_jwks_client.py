"""PyJWKClient against a real HTTP server on 127.0.0.1: transport rules, cache, rotation, abuse."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from _sweep_support import address_space_bound
from conftest import KEYS, raw_server

import jwtlite
from jwtlite import _jwks_http
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    InvalidTokenError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)
from jwtlite.jwk import PyJWK, key_to_jwk
from jwtlite.jwks_client import DEFAULT_MAX_RESPONSE_BYTES, JWKSetCache, PyJWKClient, _max_age
from jwtlite.jwks_client_async import AsyncPyJWKClient
from jwtlite.keys import load_key
from jwtlite.oidc import AsyncOpenIDProvider, OpenIDProvider

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
        self.arrived = threading.Event()  # set when a request arrives
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
            state.arrived.set()
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


class _Server(ThreadingHTTPServer):
    """A loopback server that does not print a client's hang-up: the size-cap and deadline
    tests stop reading on purpose, and the write of the rest then meets a closed socket."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def _serve(state: Server) -> Iterator[str]:
    """Serve ``state`` on a loopback port; yield the base URL."""
    httpd = _Server(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    state = Server()
    with _serve(state) as base:
        yield state, base


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
    state.headers["Cache-Control"] = "public, max-age=100"
    client = _client(base, clock, lifespan=300)
    client.get_jwk_set()
    clock.now += 99
    client.get_jwk_set()
    assert state.count == 1
    clock.now += 2  # max-age shortened the lifespan
    client.get_jwk_set()
    assert state.count == 2
    # A longer max-age never stretches the lifespan (PyJWT refetches after ``lifespan``).
    state.headers["Cache-Control"] = "public, max-age=1000"
    clock.now += 101
    client.get_jwk_set()
    assert state.count == 3
    clock.now += 299
    client.get_jwk_set()
    assert state.count == 3
    state.headers["Cache-Control"] = "no-store"
    clock.now += 2
    client.get_jwk_set()
    assert state.count == 4
    # max-age=0 / no-store cannot make every call fetch: the floor is the refetch cooldown.
    clock.now += 29
    client.get_jwk_set()
    assert state.count == 4
    clock.now += 2
    client.get_jwk_set()
    assert state.count == 5


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
        ("private,max-age=60", 60.0),  # directives split at commas, spaces or not
        ("max-age=60,private", 60.0),
        ("MAX-AGE=7", 7.0),  # directive names are case-insensitive (RFC 9111 §5.2)
        ("no-store, max-age=60", 0.0),
        ("max-age=60, no-cache", 60.0),  # the first of them decides
        ("max-age=0", 0.0),
        ("max-age=86400", 86400.0),
        ("max-age=86401", 86400.0),  # capped at a day
        ("max-age=1234567890123456", 86400.0),  # capped without building a huge int
        ("max-age=" + "9" * 5000, 86400.0),  # past int()'s 4300-digit limit
        ("max-age=0000000000000060", 60.0),  # RFC 9111 §1.2.2: 1*DIGIT, leading zeros too
        ("max-age=" + "0" * 5000 + "7", 7.0),
        ("max-age=X60", None),  # only quotes are stripped
        ("max-age=\u0661\u0662", None),  # Arabic-Indic digits are digits, but not ASCII
        ("max-age=", None),
        ('max-age=" 60 "', None),
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
    httpd = _Server(("127.0.0.1", 0), _handler(state))
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


@pytest.mark.parametrize("send_length", [True, False])
def test_the_largest_size_cap_allocates_within_bounds(
    server: tuple[Server, str], clock: Clock, send_length: bool
) -> None:
    # Without Content-Length, read(cap + 1) makes the buffered reader allocate the whole cap
    # first: a cap of 2**40 was a MemoryError (not a jwtlite error) before a byte arrived.
    state, base = server
    state.send_length = send_length
    largest = _jwks_http.MAX_RESPONSE_BYTES_LIMIT
    client = _client(base, clock, max_response_bytes=largest)
    with address_space_bound(4 * largest):
        assert len(client.get_jwk_set().keys) == 1


@pytest.mark.parametrize(
    "cap", [0, -1, None, True, 1.5, float("nan"), "4096", (16 << 20) + 1, 2**40]
)
def test_the_size_cap_is_checked_at_construction(cap: Any) -> None:
    # Each was stored as given, then a TypeError, or a MemoryError, at the first fetch.
    for make in (PyJWKClient, AsyncPyJWKClient):
        with pytest.raises(PyJWKClientError, match="max_response_bytes must be an integer"):
            make("https://x/jwks", max_response_bytes=cap)
    for provider in (OpenIDProvider, AsyncOpenIDProvider):
        with pytest.raises(PyJWKClientError, match="max_response_bytes must be an integer"):
            provider("https://as", max_response_bytes=cap)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Invalid JWKS response"),
        (b"[]", "^The JWKS endpoint did not return a JSON object$"),  # PyJWT's text
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
        "ftp://127.0.0.1/jwks",
        "file:///etc/passwd",
        'data:application/json,{"keys":[]}',
        "ldap://internal.test/jwks",
        "/etc/passwd",
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
    [
        "https://example.com/jwks",
        "HTTPS://Example.Test/jwks.json",
        "http://example.com/jwks",  # as in PyJWT; require_https=True refuses it
        "http://localhost:8080/j",
        "http://[::1]/j",
        "http://127.8.0.1/",
    ],
)
def test_allowed_uris(uri: str) -> None:
    assert PyJWKClient(uri).uri == uri


def test_require_https_refuses_http() -> None:
    assert PyJWKClient("https://example.com/jwks", require_https=True)
    for uri in ("http://example.com/jwks", "http://127.0.0.1/jwks"):
        with pytest.raises(PyJWKClientError, match="require_https"):
            PyJWKClient(uri, require_https=True)


def test_invalid_scheme_message_matches_pyjwt() -> None:
    with pytest.raises(PyJWKClientError, match="Invalid JWKS URI scheme"):
        PyJWKClient("file:///etc/passwd")


def test_redirects_are_not_followed(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.redirect_to = base + "/jwks"  # even to the same origin
    client = _client(base, clock, path="/redirect", headers={"Authorization": "Bearer secret"})
    with pytest.raises(PyJWKClientConnectionError, match="HTTP 302: redirects are not followed"):
        client.get_jwk_set()
    assert [path for path, _ in state.requests] == ["/redirect"]


def test_credentials_never_reach_a_redirect_target(clock: Clock) -> None:
    origin, target = Server(), Server()
    with _serve(origin) as origin_base, _serve(target) as target_base:
        origin.redirect_to = target_base + "/jwks"
        client = PyJWKClient(
            origin_base + "/redirect", headers={"Authorization": "Bearer secret"}, clock=clock
        )
        with pytest.raises(PyJWKClientConnectionError, match="302"):
            client.get_jwk_set()
    assert origin.requests[0][1]["Authorization"] == "Bearer secret"
    assert target.count == 0


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
    assert len(client._rules._unknown) == 1024
    assert "kid-0" not in client._rules._unknown
    assert "kid-1099" in client._rules._unknown
    assert len(fetches) == 2


def test_pyjwt_cooldown_duration_argument() -> None:
    """PyJWT's ninth positional argument names the forced-refetch cooldown."""
    from jwtlite.jwks_client import PyJWKClient

    client = PyJWKClient("https://issuer.example/jwks", False, 16, True, 300, None, 30, None, 7.5)
    assert client.refetch_cooldown == 7.5
    explicit = PyJWKClient("https://issuer.example/jwks", refetch_cooldown=3.0)
    assert explicit.refetch_cooldown == 3.0


# --- one deadline per request (issue 11, item 5) -------------------------------------------------


#: The text of every fetch that ran out of time, on every Python (3.9's socket.timeout, not yet
#: TimeoutError, gave "<urlopen error timed out>" or the TLS module's handshake text).
_TIMED_OUT = '^Fail to fetch data from the url, err: "timed out"$'


def _trickling_server(
    response: bytes, every: float = 0.5
) -> contextlib.AbstractContextManager[str]:
    """A raw loopback server that sends ``response`` one byte every ``every`` seconds."""

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        for i in range(len(response)):
            conn.sendall(response[i : i + 1])
            if stop.wait(every):
                return

    return raw_server(answer)


@pytest.mark.parametrize(
    "response",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}",  # the status line
        b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 100 + b"\r\n\r\n{}",  # the headers
    ],
)
def test_one_deadline_covers_status_line_and_headers(response: bytes, clock: Clock) -> None:
    # One byte every 0.5 s beats any per-read socket timeout; the deadline must still hold.
    with _trickling_server(response) as uri:
        client = PyJWKClient(uri, timeout=1, clock=clock)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError, match=_TIMED_OUT):
            client.get_jwk_set()
        elapsed = time.monotonic() - started
    assert elapsed < 1.9  # was 20 s and more


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_proxy_that_trickles_is_under_the_deadline(
    scheme: str, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    # With HTTPS_PROXY set, the answer to CONNECT was read from the bare socket, each read
    # with the time left when it connected: a proxy sending a byte at a time held the fetch
    # for as long as its answer was long (over 100 s here, against a 1 s timeout).
    answer = b"HTTP/1.1 200 Connection established\r\nX-Pad: " + b"a" * 1000 + b"\r\n\r\n"
    with _trickling_server(answer, every=0.1) as proxy_uri:
        proxy = proxy_uri.rsplit("/", 1)[0]
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("https_proxy", proxy)
        monkeypatch.setenv("http_proxy", proxy)
        # Not a loopback host: the transport sends it through the proxy, which never
        # resolves the name (nothing leaves this machine).
        client = PyJWKClient(f"{scheme}://jwks.invalid/jwks", timeout=1, clock=clock)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError, match=_TIMED_OUT):
            client.get_jwk_set()
        elapsed = time.monotonic() - started
    assert elapsed < 1.9


def test_name_resolution_is_under_the_deadline(
    monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    release = threading.Event()
    real = socket.getaddrinfo

    def hanging_resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "jwks.example.test":
            release.wait(10)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging_resolver)
    client = PyJWKClient("http://jwks.example.test/jwks", timeout=0.3, clock=clock)
    started = time.monotonic()
    try:
        with pytest.raises(PyJWKClientConnectionError, match="timed out"):
            client.get_jwk_set()
        assert time.monotonic() - started < 1.5
    finally:
        release.set()


# --- no network I/O under the lock; single flight --------------------------------------------


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a thread; its result or exception lands in the returned list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_cached_key_is_served_while_a_refetch_hangs(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock, timeout=10)
    client.get_signing_key("ec_p256")
    state.delay, state.arrived = 10.0, threading.Event()
    fetcher, outcome = _in_thread(lambda: client.get_signing_key("rotated-in"))
    assert state.arrived.wait(5)  # the forced refetch is now hanging on the server
    started = time.monotonic()
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert time.monotonic() - started < 0.25  # was: waiting behind the lock for the fetch
    state.release.set()
    fetcher.join(5)
    assert isinstance(outcome[0], PyJWKClientError)
    assert state.count == 2


def test_expired_set_is_served_while_its_refresh_is_in_flight(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock, timeout=10)
    client.get_jwk_set()
    clock.now += 301
    state.delay, state.arrived = 10.0, threading.Event()
    refresher, outcome = _in_thread(client.get_jwk_set)
    assert state.arrived.wait(5)
    started = time.monotonic()
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert time.monotonic() - started < 0.25
    state.release.set()
    refresher.join(5)
    assert len(outcome[0].keys) == 1
    assert state.count == 2


def test_waiters_share_one_fetch_of_an_unknown_kid(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    state.delay = 0.3
    client = _client(base, clock)
    barrier = threading.Barrier(12)

    def worker() -> Any:
        barrier.wait()
        return client.get_signing_key("nobody-has-this")

    runs = [_in_thread(worker) for _ in range(12)]
    for thread, _ in runs:
        thread.join(10)
    assert [type(outcome[0]) for _, outcome in runs] == [PyJWKClientError] * 12
    assert state.count == 1  # the set fetched for these lookups is as new as any refetch


def test_waiting_for_a_fetch_is_bounded_by_the_deadline(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    state.delay = 10.0
    client = _client(base, clock, timeout=0.3)
    started = time.monotonic()
    runs = [_in_thread(client.get_jwk_set) for _ in range(4)]
    for thread, _ in runs:
        thread.join(5)
    assert all(isinstance(outcome[0], PyJWKClientConnectionError) for _, outcome in runs)
    assert time.monotonic() - started < 2.5
    assert state.count == 1


# --- backoff with nothing cached -------------------------------------------------------------


def test_failed_fetches_back_off_when_nothing_is_cached(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    state.status = 500
    client = _client(base, clock)
    for _ in range(20):
        with pytest.raises(PyJWKClientConnectionError, match="HTTP 500"):
            client.get_signing_key("ec_p256")
    assert state.count == 1  # was 20
    for _ in range(20):  # one lookup a second: retries after 1, 2, 4, 8 s
        clock.now += 1
        with pytest.raises(PyJWKClientConnectionError, match="HTTP 500"):
            client.get_signing_key("ec_p256")
    assert state.count == 5  # t = 0, 1, 3, 7, 15
    state.status = 200
    clock.now += 30
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert state.count == 6


def test_backoff_is_capped_by_the_cooldown(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.status = 500
    client = _client(base, clock, refetch_cooldown=3)
    for _ in range(12):
        with contextlib.suppress(PyJWKClientConnectionError):
            client.get_jwk_set()
        clock.now += 3
    assert state.count == 12  # never more than 3 s apart


def test_explicit_refresh_failure_raises_even_with_a_stale_set(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock)
    first = client.get_jwk_set()
    state.status = 503
    with pytest.raises(PyJWKClientConnectionError, match="HTTP 503"):
        client.get_jwk_set(refresh=True)
    assert client.jwk_set_cache is not None
    assert client.jwk_set_cache.get() is first  # the cache survives the failure
    assert client.get_jwk_set() is first
    assert state.count == 2


# --- PyJWT parity: lifespan, cooldown_duration, jwk_set_cache ---------------------------------


def test_lifespan_is_not_stretched_by_the_cooldown(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock, lifespan=1, cooldown_duration=30)
    client.get_jwk_set()
    clock.now += 0.9
    client.get_jwk_set()
    assert state.count == 1
    clock.now += 0.1
    client.get_jwk_set()
    assert state.count == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cooldown_duration": float("nan")},
        {"refetch_cooldown": float("nan")},
        {"cooldown_duration": -1},
        {"negative_cache_ttl": float("nan")},
        {"max_stale": float("nan")},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"lifespan": float("nan")},
        {"lifespan": -1},
        {"cooldown_duration": "30"},
    ],
)
def test_bad_durations_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(PyJWKClientError):
        PyJWKClient("https://example.com/jwks", **kwargs)


def _pyjwt_count(
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock,
    steps: list[tuple[float, str]],
    url: str,
    state: Server,
    **kwargs: Any,
) -> list[int]:
    """Run ``steps`` ((seconds to advance, kid or "" for the set)) on PyJWT's client; the
    request count after each step."""
    jwt = pytest.importorskip("jwt")
    monkeypatch.setattr(time, "monotonic", clock)  # PyJWT reads time.monotonic() at call time
    client = jwt.PyJWKClient(url, **kwargs)
    return _run_steps(client, clock, steps, state)


def _run_steps(
    client: Any, clock: Clock, steps: list[tuple[float, str]], state: Server
) -> list[int]:
    counts = []
    for advance, kid in steps:
        clock.now += advance
        if kid:
            with contextlib.suppress(Exception):
                client.get_signing_key(kid)
        else:
            client.get_jwk_set()
        counts.append(state.count)
    return counts


@pytest.mark.skipif(
    importlib.util.find_spec("cryptography") is None,
    reason="PyJWT reads EC keys only through cryptography",
)
@pytest.mark.parametrize(
    ("kwargs", "steps"),
    [
        # lifespan=1 with the default 30 s cooldown: refetched once a second, as in PyJWT.
        ({"lifespan": 1}, [(0, ""), (0.9, ""), (0.2, ""), (0.5, ""), (0.6, ""), (5, "")]),
        ({"lifespan": 10, "cooldown_duration": 30},
         [(0, "ec_p256"), (9, "ec_p256"), (2, "ec_p256"), (11, "ec_p256")]),
        # cooldown_duration=0: every unknown kid refetches.
        ({"cooldown_duration": 0}, [(0, "")] + [(0.1, "nope")] * 5),
    ],
)  # fmt: skip
def test_fetch_counts_match_pyjwt(
    monkeypatch: pytest.MonkeyPatch,
    kwargs: dict[str, Any],
    steps: list[tuple[float, str]],
) -> None:
    counts = []
    for which in ("pyjwt", "jwtlite"):
        state = Server()
        clock = Clock()
        with _serve(state) as base:
            if which == "pyjwt":
                url = base + "/jwks"
                counts.append(_pyjwt_count(monkeypatch, clock, steps, url, state, **kwargs))
            else:
                client = _client(base, clock, **kwargs)
                counts.append(_run_steps(client, clock, steps, state))
    assert counts[1] == counts[0]
    assert counts[1][-1] > 1


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), -1, -0.5])
def test_bad_cooldown_is_refused_with_pyjwts_text(value: float) -> None:
    jwt = pytest.importorskip("jwt")
    with pytest.raises(jwt.PyJWKClientError) as theirs:
        jwt.PyJWKClient("https://example.com/jwks", cooldown_duration=value)
    with pytest.raises(PyJWKClientError) as ours:
        PyJWKClient("https://example.com/jwks", cooldown_duration=value)
    assert str(ours.value) == str(theirs.value)


def test_unknown_kid_waits_for_the_cooldown_by_default(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock, cooldown_duration=5)
    client.get_jwk_set()
    for _ in range(4):  # one forced refetch, then none inside the 5 s
        with pytest.raises(PyJWKClientError):
            client.get_signing_key("nope")
        clock.now += 1
    assert state.count == 2
    clock.now += 1.5  # the cooldown (and the unknown-kid memory, which follows it) is over
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("nope")
    assert state.count == 3


def test_jwk_set_cache_attribute(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    client = _client(base, clock, lifespan=60)
    cache = client.jwk_set_cache
    assert isinstance(cache, JWKSetCache)
    assert cache.lifespan == 60
    assert cache.get() is None
    jwk_set = client.get_jwk_set()
    assert cache.get() is jwk_set
    assert cache.jwk_set_with_timestamp is not None
    assert cache.jwk_set_with_timestamp.get_jwk_set() is jwk_set
    assert cache.jwk_set_with_timestamp.get_timestamp() == clock.now
    cache.put(None)  # PyJWT's way to empty the cache
    client.get_jwk_set()
    assert state.count == 2
    clock.now += 60
    assert cache.is_expired()
    assert cache.get() is None
    assert _client(base, clock, cache_jwk_set=False).jwk_set_cache is None


def test_pyjwt_style_mocked_transport(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> None:
    """PyJWT's own tests replace urllib.request.build_opener; that seam still works."""
    import ssl
    from unittest import mock

    context = ssl.create_default_context()
    response = mock.MagicMock()
    response.__enter__.return_value = response
    response.read.return_value = json.dumps({"keys": [_public("ec_p256")]})
    opener = mock.Mock()
    opener.open.return_value = response
    build = mock.Mock(return_value=opener)
    monkeypatch.setattr("urllib.request.build_opener", build)
    client = PyJWKClient(
        "https://issuer.example/jwks", headers={"User-agent": "x"}, ssl_context=context
    )
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    request = opener.open.call_args[0][0]
    assert request.full_url == "https://issuer.example/jwks"
    assert request.headers == {"User-agent": "x"}
    assert any(getattr(h, "_context", None) is context for h in build.call_args.args)


# --- what a fetched set may hold (issue 11, items 2 and 7) -----------------------------------


def test_private_members_are_skipped_before_parsing(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    rng = random.Random(7)
    # Private RSA members with only n, e, d: parsing one meant factoring n (seconds each).
    hostile = [
        {
            "kty": "RSA",
            "kid": f"evil-{i}",
            "n": b64url_encode(rng.getrandbits(2048).to_bytes(256, "big")),
            "e": "AQAB",
            "d": b64url_encode(rng.getrandbits(2040).to_bytes(255, "big")),
        }
        for i in range(300)
    ]
    state.jwks(*hostile, _public("ec_p256"))
    assert len(state.body) < DEFAULT_MAX_RESPONSE_BYTES
    client = _client(base, clock)
    started = time.monotonic()
    assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    assert time.monotonic() - started < 0.25
    jwk_set = client.get_jwk_set()
    reasons = [reason for _, reason in jwk_set.skipped]
    assert len(reasons) == 300
    assert all("private key member 'd'" in reason for reason in reasons)
    with pytest.raises(PyJWKClientError, match="Unable to find"):
        client.get_signing_key("evil-1")


def test_private_ec_member_is_skipped(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.jwks(key_to_jwk(PRIVATE["ec_p384"], kid="ec_p384"), _public("ec_p256"))
    jwk_set = _client(base, clock).get_jwk_set()
    assert [key.key_id for key in jwk_set.keys] == ["ec_p256"]
    assert jwk_set.skipped[0][1] == "private key member 'd' in a fetched JWK Set"


def test_symmetric_members_are_skipped_with_a_reason(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    oct_key = {"kty": "oct", "kid": "hmac", "k": b64url_encode(b"s" * 32), "alg": "HS256"}
    state.jwks(oct_key, _public("ec_p256"))
    client = _client(base, clock)
    jwk_set = client.get_jwk_set()
    assert [key.key_id for key in jwk_set.keys] == ["ec_p256"]
    assert len(jwk_set.skipped) == 1
    assert "symmetric (oct)" in jwk_set.skipped[0][1]
    with pytest.raises(PyJWKClientError, match="Unable to find"):
        client.get_signing_key("hmac")
    state.jwks(oct_key)
    with pytest.raises(PyJWKClientError, match=r"no usable keys|any usable keys \(symmetric"):
        _client(base, clock).get_jwk_set()


@pytest.mark.parametrize("kid", ["a\r\nINFO forged line", "x\x1b[31mred", "\u2028z", 'q"\\'])
def test_control_characters_in_kid_are_escaped(
    server: tuple[Server, str], clock: Clock, kid: str
) -> None:
    _, base = server
    client = _client(base, clock)
    with pytest.raises(PyJWKClientError) as info:
        client.get_signing_key(kid)
    message = str(info.value)
    assert message.startswith("Unable to find a signing key that matches:")
    assert not any(c in message for c in "\r\n\x1b\u2028")
    token = jwtlite.encode({}, PRIVATE["ec_p256"], algorithm="ES256", headers={"kid": kid})
    with pytest.raises(PyJWKClientError) as info:
        client.get_signing_key_from_jwt(token)
    assert str(info.value) == message


def test_long_kid_is_cut_in_messages(server: tuple[Server, str], clock: Clock) -> None:
    _, base = server
    with pytest.raises(PyJWKClientError) as info:
        _client(base, clock).get_signing_key("k" * 5000)
    assert len(str(info.value)) < 200


# --- ambiguous kids (issue #11 item 7) ------------------------------------------------------


@pytest.mark.parametrize(
    "shadow",
    [
        {"x": "AAAA"},  # malformed: the point is too short
        {"d": "AAAA"},  # private material: skipped by the client's policy
    ],
    ids=["malformed", "private"],
)
def test_kid_shared_with_a_skipped_member_is_refused(
    server: tuple[Server, str], clock: Clock, shadow: dict[str, str]
) -> None:
    state, base = server
    usable = _public("ec_p256", kid="shared")
    state.jwks(usable, {**_public("ec_p384", kid="shared"), **shadow}, _public("ed25519"))
    client = _client(base, clock)
    with pytest.raises(PyJWKClientError, match='kid "shared" names a usable key and a skipped'):
        client.get_signing_key("shared")
    token = jwtlite.encode({}, PRIVATE["ec_p256"], algorithm="ES256", headers={"kid": "shared"})
    with pytest.raises(PyJWKClientError, match="ambiguous"):
        client.get_signing_key_from_jwt(token)
    assert client.get_signing_key("ed25519").key_id == "ed25519"  # the rest of the set works


# --- the transport at its edges (found by mutation testing) -----------------------------------

TIMED_OUT = 'Fail to fetch data from the url, err: "timed out"'


def test_a_timeout_has_pyjwts_whole_text(server: tuple[Server, str], clock: Clock) -> None:
    state, base = server
    state.delay = 5.0
    with pytest.raises(PyJWKClientConnectionError) as info:
        _client(base, clock, timeout=0.2).get_jwk_set()
    assert str(info.value) == TIMED_OUT


def test_max_age_of_a_header_that_is_not_text() -> None:
    # A test double's headers may hold anything; only a str is a Cache-Control header.
    assert _max_age(60) is None
    assert _max_age(b"max-age=60") is None
    assert _max_age(["max-age=60"]) is None


def test_the_deadline_socket_stands_in_for_the_socket() -> None:
    from jwtlite._jwks_http import _DeadlineSocket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        wrapped = _DeadlineSocket(sock, time.monotonic() + 5)
        assert wrapped.getsockname() == sock.getsockname()
        assert wrapped.fileno() == sock.fileno()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LocalHost"])
def test_a_loopback_host_is_never_fetched_through_a_proxy(
    server: tuple[Server, str], clock: Clock, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    state, base = server
    with socket.socket() as sock:  # a proxy that is not there: using it would fail
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{dead}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    uri = base.replace("127.0.0.1", host) + "/jwks"
    assert PyJWKClient(uri, clock=clock).get_signing_key("ec_p256").key_id == "ec_p256"
    assert state.count == 1


def test_an_announced_oversized_body_is_refused_before_it_is_read(clock: Clock) -> None:
    # Content-Length says 1 GB and no body follows: the refusal must not wait for it.
    def announce(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n{")
        stop.wait(10)

    with raw_server(announce) as uri:
        client = PyJWKClient(uri, timeout=5, clock=clock, max_response_bytes=4096)
        started = time.monotonic()
        with pytest.raises(PyJWKClientError) as info:
            client.get_jwk_set()
        assert time.monotonic() - started < 2
    assert str(info.value) == "JWKS response is larger than 4096 bytes"


def test_an_endless_body_is_refused_at_the_cap(clock: Clock) -> None:
    # No Content-Length and a body that never ends: reading stops one byte past the cap.
    def endless(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        while not stop.wait(0.01):  # about 6 MB a second: a reader without a cap fills up
            conn.sendall(b" " * 65536)

    with raw_server(endless) as uri:
        client = PyJWKClient(uri, timeout=3, clock=clock, max_response_bytes=4096)
        started = time.monotonic()
        with pytest.raises(PyJWKClientError) as info:
            client.get_jwk_set()
        assert time.monotonic() - started < 2
    assert str(info.value) == "JWKS response is larger than 4096 bytes"


@pytest.mark.parametrize("send_length", [True, False])
def test_a_body_of_exactly_the_cap_is_accepted(
    server: tuple[Server, str], clock: Clock, send_length: bool
) -> None:
    state, base = server
    state.send_length = send_length
    size = len(state.body)
    assert _client(base, clock, max_response_bytes=size).get_signing_key("ec_p256")
    with pytest.raises(PyJWKClientError) as info:
        _client(base, clock, max_response_bytes=size - 1).get_jwk_set()
    assert str(info.value) == f"JWKS response is larger than {size - 1} bytes"


@pytest.mark.parametrize(
    ("uri", "require_https", "message"),
    [
        (b"https://e.example/j", False, "JWKS URI must be a string, not bytes"),
        ("https://[::1/j", False, "Invalid JWKS URI: Invalid IPv6 URL"),
        ("file:///etc/passwd", False, "Invalid JWKS URI scheme 'file': use https:// (or http://)"),
        ("FTP://e.example/j", False, "Invalid JWKS URI scheme 'ftp': use https:// (or http://)"),
        ("jwks.json", False, "Invalid JWKS URI scheme '': use https:// (or http://)"),
        ("https:///j", False, "JWKS URI has no host: 'https:///j'"),
        ("http://e.example/j", True,
         "JWKS URI must use https:// (require_https=True), got 'http://e.example/j'"),
    ],
)  # fmt: skip
def test_refused_uris_are_named_with_the_whole_reason(
    uri: Any, require_https: bool, message: str
) -> None:
    with pytest.raises(PyJWKClientError) as info:
        PyJWKClient(uri, require_https=require_https)
    assert str(info.value) == message


def test_require_https_takes_the_scheme_in_any_case() -> None:
    assert PyJWKClient("HTTPS://e.example/j", require_https=True).uri == "HTTPS://e.example/j"


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (300, "HTTP 300: redirects are not followed"),
        (308, "HTTP 308: redirects are not followed"),
        (399, "HTTP 399: redirects are not followed"),
        (400, "HTTP 400"),
        (404, "HTTP 404"),
        (503, "HTTP 503"),
    ],
)
def test_an_error_status_is_named_whole(
    server: tuple[Server, str], clock: Clock, status: int, detail: str
) -> None:
    state, base = server
    state.status = status
    with pytest.raises(PyJWKClientConnectionError) as info:
        _client(base, clock).get_jwk_set()
    assert str(info.value) == f'Fail to fetch data from the url, err: "{detail}"'
    assert state.count == 1


def test_a_refused_connection_is_named(clock: Clock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(PyJWKClientConnectionError) as info:
        PyJWKClient(f"http://127.0.0.1:{port}/jwks", clock=clock).get_jwk_set()
    message = str(info.value)
    assert message.startswith('Fail to fetch data from the url, err: "<urlopen error [Errno ')
    assert message.endswith('] Connection refused>"')


# --- the client's own waits and texts (found by mutation testing) --------------------------------


def test_a_waiter_gives_up_on_a_fetch_that_overruns_its_deadline(clock: Clock) -> None:
    # An overridden fetch_data has no transport deadline; a waiter waits timeout + 1 s at most.
    entered, release = threading.Event(), threading.Event()

    class Hanging(PyJWKClient):
        def fetch_data(self) -> Any:
            entered.set()
            release.wait(10)
            return {"keys": [_public("ec_p256")]}

    client = Hanging("https://jwks.invalid/keys", timeout=0.1, clock=clock)
    leader, outcome = _in_thread(client.get_jwk_set)
    try:
        assert entered.wait(5)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError) as info:
            client.get_jwk_set()
        elapsed = time.monotonic() - started
    finally:
        release.set()
        leader.join(5)
    assert str(info.value) == TIMED_OUT + " (waiting for another fetch)"
    assert 1.05 <= elapsed < 1.9
    assert len(outcome[0].keys) == 1  # the leader's own fetch still finished


def test_an_unexpected_error_in_a_fetch_backs_off_like_any_failure(clock: Clock) -> None:
    calls: list[int] = []

    class Broken(PyJWKClient):
        def fetch_data(self) -> Any:
            calls.append(1)
            raise RuntimeError("a bug in an override")

    client = Broken("https://jwks.invalid/keys", clock=clock)
    with pytest.raises(RuntimeError, match="a bug in an override"):
        client.get_jwk_set()  # the leader sees the bug itself
    with pytest.raises(PyJWKClientConnectionError) as info:
        client.get_jwk_set()
    assert str(info.value) == "The JWKS fetch failed unexpectedly (next attempt in 1 s)"
    assert len(calls) == 1
    clock.now += 1
    with pytest.raises(RuntimeError):
        client.get_jwk_set()
    assert len(calls) == 2


def test_lookup_refusals_have_their_whole_text(server: tuple[Server, str], clock: Clock) -> None:
    _, base = server
    client = _client(base, clock)
    with pytest.raises(PyJWKClientError) as info:
        client.get_signing_key(7)  # type: ignore[arg-type]
    assert str(info.value) == "kid must be a string, not int"
    no_kid = jwtlite.encode({"sub": "a"}, PRIVATE["ec_p256"], algorithm="ES256")
    with pytest.raises(PyJWKClientError) as info:
        client.get_signing_key_from_jwt(no_kid)
    assert str(info.value) == "The token header has no kid"
    with pytest.raises(PyJWKClientError) as info:
        client.get_signing_key("nope")
    assert str(info.value) == 'Unable to find a signing key that matches: "nope"'


def test_the_clients_settings_are_kept(clock: Clock) -> None:
    client = PyJWKClient(
        "https://jwks.invalid/keys",
        headers={"X-A": "1"},
        timeout=7,
        ssl_context="ctx",
        max_response_bytes=99,
        lifespan=60,
        cache_keys=True,
        clock=clock,
    )
    assert client.uri == "https://jwks.invalid/keys"
    assert client.headers == {"X-A": "1"}
    assert (client.timeout, client.ssl_context, client.max_response_bytes) == (7, "ctx", 99)
    assert (client.lifespan, client.cache_keys, client.refetch_cooldown) == (60.0, True, 30.0)
    assert PyJWKClient("https://jwks.invalid/keys").headers == {}


def test_an_ip_literal_is_connected_to_as_written(clock: Clock) -> None:
    # 127.0.0.2 is loopback on Linux, but not where "localhost" (or no host) resolves to.
    state = Server()
    try:
        httpd = _Server(("127.0.0.2", 0), _handler(state))
    except OSError:
        pytest.skip("127.0.0.2 is not a local address here")
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        client = PyJWKClient(f"http://127.0.0.2:{httpd.server_address[1]}/jwks", clock=clock)
        assert client.get_signing_key("ec_p256").key_id == "ec_p256"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
    assert state.count == 1


def test_the_deadline_covers_sending_the_request(clock: Clock) -> None:
    # A server that never reads: a request larger than the socket buffers (a few MB on
    # loopback) cannot all be sent. Building the 8 MB request costs a fraction of a second.
    def deaf(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(10)

    with raw_server(deaf) as uri:
        client = PyJWKClient(uri, headers={"X-Pad": "a" * (8 << 20)}, timeout=2, clock=clock)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError) as info:
            client.get_jwk_set()
        elapsed = time.monotonic() - started
    assert str(info.value) == TIMED_OUT
    assert elapsed < 3.5  # was: held until the server hung up


def test_a_deadline_reached_exactly_has_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    from jwtlite import _jwks_http

    monkeypatch.setattr(time, "monotonic", lambda: 50.0)  # the module _jwks_http reads
    assert _jwks_http._remaining(50.5) == 0.5
    with pytest.raises(TimeoutError):
        _jwks_http._remaining(50.0)


def test_a_name_that_does_not_resolve_is_a_connection_error(
    monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    threads: list[tuple[str, bool]] = []
    kinds: list[Any] = []

    def failing_resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append((threading.current_thread().name, threading.current_thread().daemon))
        kinds.append(kwargs.get("type"))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", failing_resolver)
    client = PyJWKClient("http://jwks.example.test/jwks", timeout=5, clock=clock)
    with pytest.raises(PyJWKClientConnectionError) as info:
        client.get_jwk_set()
    assert str(info.value) == (
        'Fail to fetch data from the url, err: "<urlopen error '
        f'[Errno {socket.EAI_NONAME}] Name or service not known>"'
    )
    # Resolved in its own named thread, a daemon: a resolver that never returns must not
    # keep the interpreter from exiting.
    assert threads == [("jwtlite-dns", True)]
    assert kinds == [socket.SOCK_STREAM]  # TCP addresses only: no datagram socket is tried


def test_the_defaults_are_pyjwts() -> None:
    client = PyJWKClient("https://jwks.invalid/keys")
    rules = client._rules
    assert (client.cache_keys, rules.max_cached_keys, client.jwk_set_cache is not None) == (
        False,
        16,
        True,
    )
    assert (client.lifespan, client.timeout, client.refetch_cooldown) == (300.0, 30, 30.0)
    assert (rules.negative_cache_ttl, rules.max_stale) == (30.0, 24 * 3600.0)
    assert client.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 512 * 1024
    assert client.ssl_context is None
    assert rules.clock is time.monotonic


def test_the_deadline_covers_connecting(clock: Clock) -> None:
    # A listener whose accept queue is full drops new SYNs: connect() would hang for minutes.
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        for _ in range(3):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(listener.getsockname())
        port = listener.getsockname()[1]
        client = PyJWKClient(f"http://127.0.0.1:{port}/jwks", timeout=0.5, clock=clock)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError) as info:
            client.get_jwk_set()
        elapsed = time.monotonic() - started
    assert str(info.value) == TIMED_OUT
    assert elapsed < 2


def test_a_resolver_that_returns_no_address(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: [])
    client = PyJWKClient("http://jwks.example.test:8080/jwks", timeout=5, clock=clock)
    with pytest.raises(PyJWKClientConnectionError) as info:
        client.get_jwk_set()
    assert str(info.value) == (
        'Fail to fetch data from the url, err: "<urlopen error cannot resolve jwks.example.test>"'
    )


def test_the_deadline_covers_the_tls_handshake(clock: Clock) -> None:
    # The server accepts the connection and never answers the ClientHello.
    def deaf(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(10)

    with raw_server(deaf) as uri:
        client = PyJWKClient(uri.replace("http://", "https://"), timeout=0.5, clock=clock)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError) as info:
            client.get_jwk_set()
        elapsed = time.monotonic() - started
    assert str(info.value) == TIMED_OUT
    assert elapsed < 2


def test_get_signing_keys_with_refresh_fetches_anew(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock)
    assert [key.key_id for key in client.get_signing_keys()] == ["ec_p256"]
    state.jwks(_public("ed25519"))
    assert [key.key_id for key in client.get_signing_keys()] == ["ec_p256"]  # cached
    assert [key.key_id for key in client.get_signing_keys(refresh=True)] == ["ed25519"]
    assert state.count == 2


def test_a_kid_found_again_is_forgotten_as_unknown(
    server: tuple[Server, str], clock: Clock
) -> None:
    state, base = server
    client = _client(base, clock, refetch_cooldown=0, negative_cache_ttl=1000)
    client.get_jwk_set()
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("x")  # a forced refetch; remembered as unknown for 1000 s
    assert state.count == 2
    state.jwks(_public("ec_p256"), _public("ed25519", kid="x"))
    clock.now += 301  # the set expires; its refetch brings "x"
    assert client.get_signing_key("x").key_id == "x"
    assert state.count == 3
    state.jwks(_public("ec_p256"))  # "x" is gone again: its next lookup may force a refetch
    clock.now += 301
    client.get_jwk_set()
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("x")
    assert state.count == 5  # the expired set's refetch, then the forced one


class _WatchedEvent(threading.Event):
    """A flight's ``done`` event that says when someone waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        return super().wait(timeout)


def test_a_waiter_on_a_fetch_that_crashed_gets_a_jwkclient_error(clock: Clock) -> None:
    entered, release = threading.Event(), threading.Event()

    class Crashing(PyJWKClient):
        def fetch_data(self) -> Any:
            entered.set()
            release.wait(10)
            raise RuntimeError("a bug in an override")

    client = Crashing("https://jwks.invalid/keys", clock=clock)
    leader, led = _in_thread(client.get_jwk_set)
    assert entered.wait(5)
    assert client._flight is not None
    done = client._flight.done = _WatchedEvent()
    waiter, waited = _in_thread(client.get_jwk_set)
    assert done.waiting.wait(5)
    release.set()
    leader.join(5)
    waiter.join(5)
    assert isinstance(led[0], RuntimeError)  # the leader sees the bug itself
    assert type(waited[0]) is PyJWKClientConnectionError
    assert str(waited[0]) == "The JWKS fetch failed unexpectedly"


def test_headers_that_are_no_dict_are_named() -> None:
    from jwtlite.exceptions import InvalidArgumentError
    from jwtlite.jwks_client_async import AsyncPyJWKClient

    for kind in (PyJWKClient, AsyncPyJWKClient):
        with pytest.raises(InvalidArgumentError) as info:
            kind("https://jwks.invalid/keys", headers=[("X-A", "1")])  # type: ignore[arg-type]
        assert str(info.value) == "headers must be a dict, not list"
