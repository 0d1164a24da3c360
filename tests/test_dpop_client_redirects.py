"""DPoP clients and redirects: a proof never follows a redirect to another origin, and a
same-origin redirect gets a fresh proof for its own method and URL (RFC 9449 §4.2, §7.3).

Two real HTTP servers on loopback, in process: ``127.0.0.1`` and ``localhost`` on different
ports are different origins. Each records what it received.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import key_pem

import jwtlite
from jwtlite.dpop import verify_proof
from jwtlite.exceptions import DPoPProofError

httpx = pytest.importorskip("httpx")
requests = pytest.importorskip("requests")

from jwtlite.dpop_client import DPoPHTTPXAuth, DPoPRequestsAuth  # noqa: E402

Reply = tuple[int, dict[str, str]]
BODY = "x-test-body"  # a reply "header" sent as the body


class Loopback:
    """An HTTP server on loopback: ``route(method, path, headers)`` answers each request."""

    def __init__(self, host: str, route: Callable[[str, str, dict[str, str]], Reply]) -> None:
        self.received: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                outer.received.append((self.command, self.path, headers))
                status, reply = route(self.command, self.path, headers)
                reply = dict(reply)
                body = reply.pop(BODY, "").encode()
                self.send_response(status)
                for name, value in reply.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._handle()

            def do_HEAD(self) -> None:
                self._handle()

            def do_PUT(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[list[Loopback]]:
    made: list[Loopback] = []
    yield made
    for server in made:
        server.close()


def _checks_proofs(base: list[str]) -> Callable[[str, str, dict[str, str]], Reply]:
    """A resource server: 200 for a proof made for this very request, else 401."""

    def route(method: str, path: str, headers: dict[str, str]) -> Reply:
        token = headers.get("authorization", "DPoP ").partition(" ")[2] or None
        try:
            verify_proof(
                headers.get("dpop", ""),
                htm=method,
                htu=base[0] + path,
                store=None,
                access_token=token,
            )
        except DPoPProofError as exc:
            return 401, {"WWW-Authenticate": f'DPoP error="{exc.error}"'}
        return 200, {}

    return route


def _redirecting(target: Callable[[], str], status: int = 302) -> Callable[..., Reply]:
    def route(method: str, path: str, headers: dict[str, str]) -> Reply:
        return status, {"Location": target()}

    return route


def _other_origin(servers: list[Loopback]) -> tuple[Loopback, Loopback]:
    """An API on 127.0.0.1 that redirects to a server on localhost (another origin)."""
    other = Loopback("localhost", lambda *_: (200, {}))
    api = Loopback("127.0.0.1", _redirecting(lambda: other.base + "/elsewhere"))
    servers += [other, api]
    return api, other


def _same_origin(servers: list[Loopback], status: int = 302) -> Loopback:
    """A server whose /old redirects to /new and whose /new checks the proof."""
    base: list[str] = []
    checks = _checks_proofs(base)

    def route(method: str, path: str, headers: dict[str, str]) -> Reply:
        if path == "/old":
            return status, {"Location": "/new"}
        return checks(method, path, headers)

    server = Loopback("127.0.0.1", route)
    base.append(server.base)
    servers.append(server)
    return server


_USE_NONCE = {"WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "n1"}


def _back_and_forth(servers: list[Loopback], back: Reply = (200, {})) -> tuple[Loopback, Loopback]:
    """127.0.0.1 /start -> localhost /bounce -> 127.0.0.1 /back (which answers ``back``)."""
    api_base: list[str] = []

    def api_route(method: str, path: str, headers: dict[str, str]) -> Reply:
        if path == "/start":
            return 302, {"Location": other.base + "/bounce"}
        return back

    other = Loopback("localhost", _redirecting(lambda: api_base[0] + "/back"))
    api = Loopback("127.0.0.1", api_route)
    api_base.append(api.base)
    servers += [other, api]
    return api, other


def _key() -> str:
    return key_pem("ec_p256.pem")


# --- requests ---------------------------------------------------------------------------------


def _session() -> Any:
    session = requests.Session()
    session.trust_env = False  # no proxy, no netrc
    return session


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_requests_sends_no_proof_to_another_origin(servers: list[Loopback], status: int) -> None:
    # requests drops Authorization when a redirect leaves the host, but copies every other
    # header: the proof made for the API went to the redirect target.
    other = Loopback("localhost", lambda *_: (200, {}))
    api = Loopback("127.0.0.1", _redirecting(lambda: other.base + "/elsewhere", status))
    servers += [other, api]
    auth = DPoPRequestsAuth(_key(), access_token="secret-token")
    with _session() as session:
        reply = session.post(api.base + "/me", data=b"x", auth=auth)
    assert reply.status_code == 200
    assert [path for _, path, _ in other.received] == ["/elsewhere"]
    assert "dpop" not in other.received[0][2]
    assert "authorization" not in other.received[0][2]
    # The API got its proof, and the history still shows what was sent to it.
    assert "dpop" in api.received[0][2]
    assert reply.history[0].request.headers["DPoP"] == api.received[0][2]["dpop"]


@pytest.mark.parametrize(
    ("status", "method", "then"),
    [
        (302, "GET", "GET"),
        (302, "POST", "GET"),
        (303, "POST", "GET"),
        (303, "HEAD", "HEAD"),
        (302, "HEAD", "HEAD"),
        (307, "POST", "POST"),
        (301, "POST", "GET"),
        (301, "PUT", "PUT"),
    ],
)
def test_requests_signs_a_same_origin_redirect_for_its_own_url(
    servers: list[Loopback], status: int, method: str, then: str
) -> None:
    # The proof made for /old does not match /new (htu), nor the method a 303 turns a POST
    # into (htm): the server at /new refused it.
    server = _same_origin(servers, status)
    auth = DPoPRequestsAuth(_key(), access_token="tok")
    with _session() as session:
        reply = session.request(method, server.base + "/old", data=b"x", auth=auth)
    assert reply.status_code == 200, reply.headers
    assert [(m, path) for m, path, _ in server.received] == [(method, "/old"), (then, "/new")]
    first, second = (headers["dpop"] for _, _, headers in server.received)
    assert first != second


def test_requests_signs_nothing_after_the_chain_left_the_origin(
    servers: list[Loopback],
) -> None:
    api, other = _back_and_forth(servers)
    auth = DPoPRequestsAuth(_key(), access_token="tok")
    with _session() as session:
        reply = session.get(api.base + "/start", auth=auth)
    assert reply.status_code == 200
    assert [path for _, path, _ in api.received] == ["/start", "/back"]
    assert "dpop" not in other.received[0][2]
    assert "dpop" not in api.received[1][2]  # the other server chose this URL


def test_requests_resends_nothing_that_came_back_through_another_server(
    servers: list[Loopback],
) -> None:
    api, _ = _back_and_forth(servers, (401, _USE_NONCE))
    auth = DPoPRequestsAuth(_key(), access_token="tok")
    with _session() as session:
        reply = session.get(api.base + "/start", auth=auth)
    assert reply.status_code == 401
    assert [path for _, path, _ in api.received] == ["/start", "/back"]
    assert auth.nonce(api.base) == "n1"  # learned all the same


def test_requests_retries_a_same_origin_redirect_with_the_nonce(
    servers: list[Loopback],
) -> None:
    calls: list[str] = []

    def route(method: str, path: str, headers: dict[str, str]) -> Reply:
        calls.append(path)
        if path == "/old":
            return 302, {"Location": "/new"}
        return (401, _USE_NONCE) if len(calls) == 2 else (200, {})

    server = Loopback("127.0.0.1", route)
    servers.append(server)
    auth = DPoPRequestsAuth(_key(), access_token="tok")
    with _session() as session:
        reply = session.get(server.base + "/old", auth=auth)
    assert reply.status_code == 200
    assert calls == ["/old", "/new", "/new"]
    assert "dpop" in server.received[2][2]


def test_requests_a_redirect_not_followed_keeps_no_stale_proof(
    servers: list[Loopback],
) -> None:
    api, _ = _other_origin(servers)
    auth = DPoPRequestsAuth(_key(), access_token="tok")
    with _session() as session:
        reply = session.get(api.base + "/me", auth=auth, allow_redirects=False)
    assert reply.status_code == 302
    assert reply.request.headers["DPoP"] == api.received[0][2]["dpop"]
    assert "DPoP" not in reply.next.headers


# --- httpx ------------------------------------------------------------------------------------


def _httpx_client(auth: Any) -> Any:
    return httpx.Client(
        auth=auth,
        follow_redirects=True,
        trust_env=False,
        event_hooks={"request": [auth.redirect_hook]},
    )


def _httpx_async_client(auth: Any) -> Any:
    return httpx.AsyncClient(
        auth=auth,
        follow_redirects=True,
        trust_env=False,
        event_hooks={"request": [auth.async_redirect_hook]},
    )


def _fetch(asynchronous: bool, auth: Any, method: str, url: str) -> Any:
    if not asynchronous:
        with _httpx_client(auth) as client:
            return client.request(method, url, content=b"x")

    async def main() -> Any:
        async with _httpx_async_client(auth) as client:
            return await client.request(method, url, content=b"x")

    return asyncio.run(main())


@pytest.mark.parametrize("asynchronous", [False, True])
def test_httpx_sends_no_proof_to_another_origin(
    servers: list[Loopback], asynchronous: bool
) -> None:
    api, other = _other_origin(servers)
    auth = DPoPHTTPXAuth(_key(), access_token="secret-token")
    reply = _fetch(asynchronous, auth, "GET", api.base + "/me")
    assert reply.status_code == 200
    assert [path for _, path, _ in other.received] == ["/elsewhere"]
    assert "dpop" not in other.received[0][2]
    assert "authorization" not in other.received[0][2]
    assert "dpop" in api.received[0][2]
    assert reply.history[0].request.headers["DPoP"] == api.received[0][2]["dpop"]


@pytest.mark.parametrize("asynchronous", [False, True])
@pytest.mark.parametrize(
    ("status", "method", "then"), [(302, "GET", "GET"), (303, "POST", "GET"), (307, "POST", "POST")]
)
def test_httpx_signs_a_same_origin_redirect_for_its_own_url(
    servers: list[Loopback], asynchronous: bool, status: int, method: str, then: str
) -> None:
    server = _same_origin(servers, status)
    auth = DPoPHTTPXAuth(_key(), access_token="tok")
    reply = _fetch(asynchronous, auth, method, server.base + "/old")
    assert reply.status_code == 200, reply.headers
    assert [(m, path) for m, path, _ in server.received] == [(method, "/old"), (then, "/new")]
    first, second = (headers["dpop"] for _, _, headers in server.received)
    assert first != second


@pytest.mark.parametrize("asynchronous", [False, True])
def test_httpx_signs_nothing_after_the_chain_left_the_origin(
    servers: list[Loopback], asynchronous: bool
) -> None:
    api, other = _back_and_forth(servers)
    auth = DPoPHTTPXAuth(_key(), access_token="tok")
    reply = _fetch(asynchronous, auth, "GET", api.base + "/start")
    assert reply.status_code == 200
    assert [path for _, path, _ in api.received] == ["/start", "/back"]
    assert "dpop" not in other.received[0][2]
    assert "dpop" not in api.received[1][2]


@pytest.mark.parametrize("asynchronous", [False, True])
def test_httpx_resends_nothing_that_came_back_through_another_server(
    servers: list[Loopback], asynchronous: bool
) -> None:
    api, _ = _back_and_forth(servers, (401, _USE_NONCE))
    auth = DPoPHTTPXAuth(_key(), access_token="tok")
    reply = _fetch(asynchronous, auth, "GET", api.base + "/start")
    assert reply.status_code == 401
    assert [path for _, path, _ in api.received] == ["/start", "/back"]
    assert auth.nonce(api.base) == "n1"


def test_httpx_hook_leaves_other_requests_alone(servers: list[Loopback]) -> None:
    # A request this auth did not sign (another auth, or none) goes as it is.
    server = Loopback("127.0.0.1", lambda *_: (200, {}))
    servers.append(server)
    auth, other = DPoPHTTPXAuth(_key()), DPoPHTTPXAuth(_key())
    with _httpx_client(auth) as client:
        client.get(server.base + "/a", auth=other)
        client.get(server.base + "/b", auth=None, headers={"DPoP": "mine"})
    assert server.received[1][2]["dpop"] == "mine"
    verify_proof(server.received[0][2]["dpop"], htm="GET", htu=server.base + "/a", store=None)


@pytest.mark.parametrize("client", ["requests", "httpx", "httpx-async"])
def test_a_same_origin_redirect_keeps_the_callers_token_in_the_proof(
    servers: list[Loopback], client: str
) -> None:
    # No access_token on the auth: the caller's own Authorization header names the token, and
    # the fresh proof for the new URL carries its ath (the server checks it).
    server = _same_origin(servers)
    url, headers = server.base + "/old", {"Authorization": "DPoP callers-token"}
    if client == "requests":
        with _session() as session:
            reply = session.get(url, headers=headers, auth=DPoPRequestsAuth(_key()))
    else:
        auth = DPoPHTTPXAuth(_key())

        async def main() -> Any:
            async with _httpx_async_client(auth) as session:
                return await session.get(url, headers=headers)

        if client == "httpx":
            with _httpx_client(auth) as session:
                reply = session.get(url, headers=headers)
        else:
            reply = asyncio.run(main())
    assert reply.status_code == 200, reply.headers
    assert [path for _, path, _ in server.received] == ["/old", "/new"]


def test_httpx_sends_no_proof_to_a_url_that_names_no_origin(servers: list[Loopback]) -> None:
    # userinfo in a redirect: normalize_http_uri names no origin for it, so it is not ours.
    base: list[str] = []
    server = Loopback(
        "127.0.0.1",
        lambda m, path, h: (302, {"Location": base[0] + "/new"}) if path == "/old" else (200, {}),
    )
    base.append(server.base.replace("//", "//user@"))
    servers.append(server)
    auth = DPoPHTTPXAuth(_key())
    with _httpx_client(auth) as client:
        assert client.get(server.base + "/old").status_code == 200
    assert [path for _, path, _ in server.received] == ["/old", "/new"]
    assert "dpop" not in server.received[1][2]


def test_httpx_hook_leaves_the_request_the_flow_signed() -> None:
    auth = DPoPHTTPXAuth(_key())
    request = httpx.Request("GET", "https://rs.example.test/x")
    auth._sign(request)
    proof = request.headers["DPoP"]
    auth.redirect_hook(request)
    assert request.headers["DPoP"] == proof


_AS_USE_NONCE = {
    "DPoP-Nonce": "n1",
    "Content-Type": "application/json",
    BODY: '{"error": "use_dpop_nonce"}',
}


@pytest.mark.parametrize("asynchronous", [False, True])
def test_httpx_reads_an_authorization_servers_400_off_the_wire(
    servers: list[Loopback], asynchronous: bool
) -> None:
    # httpx hands the flow a response whose body is not read yet: the flow reads a 400's
    # (MockTransport's responses come read).
    server = Loopback(
        "127.0.0.1",
        lambda m, p, headers: (200, {}) if "nonce" in _claims(headers) else (400, _AS_USE_NONCE),
    )
    servers.append(server)
    auth = DPoPHTTPXAuth(_key())
    reply = _fetch(asynchronous, auth, "POST", server.base + "/token")
    assert reply.status_code == 200
    assert len(server.received) == 2


@pytest.mark.parametrize("asynchronous", [False, True])
def test_httpx_leaves_a_streamed_answer_unread(servers: list[Loopback], asynchronous: bool) -> None:
    # A nonce on a 200 is learned without reading the body the caller streams.
    server = Loopback("127.0.0.1", lambda *_: (200, {"DPoP-Nonce": "n1", BODY: "data"}))
    servers.append(server)
    auth = DPoPHTTPXAuth(_key())
    url = server.base + "/big"
    if asynchronous:

        async def main() -> tuple[bool, bytes]:
            async with _httpx_async_client(auth) as client, client.stream("GET", url) as reply:
                return reply.is_stream_consumed, await reply.aread()

        consumed, body = asyncio.run(main())
    else:
        with _httpx_client(auth) as client, client.stream("GET", url) as reply:
            consumed, body = reply.is_stream_consumed, reply.read()
    assert (consumed, body) == (False, b"data")
    assert auth.nonce(url) == "n1"


def _claims(headers: dict[str, str]) -> dict[str, Any]:
    """The claims of the request's proof (its signature is not the point here)."""
    claims: dict[str, Any] = jwtlite.decode(headers["dpop"], options={"verify_signature": False})
    return claims
