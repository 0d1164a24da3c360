"""DPoP client auth for httpx (sync and async) and requests: proofs on every request, the
nonce remembered per server, one retry on ``use_dpop_nonce`` (RFC 9449 §7.3, §8, §9).

The servers here are in-process transports that check each proof with ``verify_proof``; the
example servers are driven over real HTTP in tests/test_dpop_e2e.py.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import threading
from typing import Any

import pytest
from conftest import key_pem

from jwtlite.dpop import DPoPKey, NonceIssuer, access_token_hash, verify_proof
from jwtlite.exceptions import DPoPProofError, InvalidArgumentError
from jwtlite.revocation import MemoryStore

httpx = pytest.importorskip("httpx")
requests = pytest.importorskip("requests")

from jwtlite.dpop_client import DPoPHTTPXAuth, DPoPRequestsAuth  # noqa: E402

AS = "https://as.example.test/token"
RS = "https://rs.example.test/things"


class Server:
    """Checks every request's proof as one server would; demands nonces when asked to."""

    def __init__(self, *, nonce_style: str | None = None) -> None:
        self.nonces = NonceIssuer(b"n" * 32)
        self.nonce_style = nonce_style  # None, "as" (400 + JSON) or "rs" (401 challenge)
        self.store = MemoryStore()
        self.seen: list[dict[str, Any]] = []

    def answer(
        self, method: str, url: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        token = None
        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, _, token = authorization.partition(" ")
            assert scheme == "DPoP"
        try:
            proof = verify_proof(
                headers["dpop"], htm=method, htu=url, store=self.store, access_token=token,
                nonce=self.nonces if self.nonce_style else None,
            )
        except DPoPProofError as exc:
            fresh = {"DPoP-Nonce": self.nonces.issue()}
            if self.nonce_style == "as":
                body = json.dumps({"error": exc.error, "error_description": str(exc)})
                return 400, {**fresh, "Content-Type": "application/json"}, body.encode()
            challenge = f'DPoP error="{exc.error}", algs="ES256"'
            return 401, {**fresh, "WWW-Authenticate": challenge}, b"{}"
        self.seen.append(proof.claims)
        return 200, {"Content-Type": "application/json"}, json.dumps(proof.claims).encode()


def _httpx_transport(server: Server) -> Any:
    def handle(request: Any) -> Any:
        status, headers, body = server.answer(
            request.method, str(request.url), dict(request.headers)
        )
        return httpx.Response(status, headers=headers, content=body)

    return httpx.MockTransport(handle)


def _key() -> DPoPKey:
    return DPoPKey(key_pem("ec_p256.pem"))


# --- httpx, sync ------------------------------------------------------------------------------


def test_httpx_token_request_then_resource_request() -> None:
    server = Server()
    auth = DPoPHTTPXAuth(_key())
    with httpx.Client(transport=_httpx_transport(server), auth=auth) as client:
        reply = client.post(AS, data={"grant_type": "password"})
        assert reply.status_code == 200
        assert "ath" not in reply.json()
        auth.access_token = "the-access-token"
        reply = client.get(RS + "?page=2")
        assert reply.status_code == 200
        assert reply.json()["ath"] == access_token_hash("the-access-token")
        assert reply.json()["htu"] == RS
    assert [claims["htm"] for claims in server.seen] == ["POST", "GET"]
    assert len({claims["jti"] for claims in server.seen}) == 2


def test_httpx_uses_an_authorization_header_the_caller_set() -> None:
    server = Server()
    with httpx.Client(transport=_httpx_transport(server), auth=DPoPHTTPXAuth(_key())) as client:
        reply = client.get(RS, headers={"Authorization": "DPoP tok"})
    assert reply.json()["ath"] == access_token_hash("tok")


@pytest.mark.parametrize("style", ["as", "rs"])
def test_httpx_retries_once_with_the_servers_nonce(style: str) -> None:
    server = Server(nonce_style=style)
    auth = DPoPHTTPXAuth(_key())
    with httpx.Client(transport=_httpx_transport(server), auth=auth) as client:
        reply = client.post(AS if style == "as" else RS, json={"a": 1})
        assert reply.status_code == 200, reply.text
        assert len(reply.history) == 1  # the refused first try
        assert reply.json()["nonce"] == server.nonces.issue()
        # The nonce is remembered: the next request needs no retry.
        again = client.post(AS if style == "as" else RS, json={"a": 2})
        assert again.status_code == 200
        assert again.history == []
    assert auth.nonce(AS if style == "as" else RS) == server.nonces.issue()


def test_httpx_nonces_are_per_server() -> None:
    server = Server(nonce_style="rs")
    auth = DPoPHTTPXAuth(_key())
    with httpx.Client(transport=_httpx_transport(server), auth=auth) as client:
        assert client.get(RS).status_code == 200
        assert auth.nonce(RS) is not None
        assert auth.nonce(AS) is None
        assert auth.nonce("https://RS.example.test:443/other") == auth.nonce(RS)
        assert auth.nonce("https://rs.example.test/a/b/c") == auth.nonce(RS)
        assert auth.nonce("https://rs.example.test:8443/") is None


def test_httpx_gives_up_after_one_retry() -> None:
    calls: list[str] = []

    def handle(request: Any) -> Any:
        calls.append(request.headers["DPoP"])
        challenge = 'DPoP error="use_dpop_nonce"'
        return httpx.Response(401, headers={"WWW-Authenticate": challenge, "DPoP-Nonce": "n"})

    with httpx.Client(transport=httpx.MockTransport(handle), auth=DPoPHTTPXAuth(_key())) as client:
        assert client.get(RS).status_code == 401
    assert len(calls) == 2
    assert calls[0] != calls[1]  # a new proof (new jti), not the refused one again (§7.3)


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (401, {"WWW-Authenticate": 'DPoP error="use_dpop_nonce"'}, b""),  # no nonce given
        (401, {"WWW-Authenticate": 'DPoP error="invalid_dpop_proof"', "DPoP-Nonce": "n"}, b""),
        (400, {"DPoP-Nonce": "n"}, b'{"error": "invalid_grant"}'),
        (400, {"DPoP-Nonce": "n"}, b"not json"),
        (400, {"DPoP-Nonce": "n"}, b'["use_dpop_nonce"]'),
        # A server's body nested past the recursion limit: json.loads raised RecursionError
        # out of the client instead of giving the response back.
        (400, {"DPoP-Nonce": "n"}, b"[" * 60_000),
        (400, {"DPoP-Nonce": "n"},
         b'{"error": "use_dpop_nonce", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"),
        (403, {"WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "n"}, b""),
        (401, {"DPoP-Nonce": "n"}, b""),  # no challenge at all
        # An error body past 64 KiB is not read, whatever it says.
        (400, {"DPoP-Nonce": "n"}, b'{"error": "use_dpop_nonce", "pad": "' + b"x" * 65_536 + b'"}'),
        (401, {"WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "a, b"}, b""),
    ],
)
def test_httpx_does_not_retry_other_answers(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    calls: list[Any] = []

    def handle(request: Any) -> Any:
        calls.append(request)
        return httpx.Response(status, headers=headers, content=body)

    with httpx.Client(transport=httpx.MockTransport(handle), auth=DPoPHTTPXAuth(_key())) as client:
        assert client.get(RS).status_code == status
    assert len(calls) == 1


def test_httpx_learns_a_nonce_from_a_success() -> None:
    # §8.2: a 200 may carry the next nonce; the client uses it from then on.
    proofs: list[str] = []

    def handle(request: Any) -> Any:
        proofs.append(request.headers["DPoP"])
        return httpx.Response(200, headers={"DPoP-Nonce": f"next-{len(proofs)}"})

    auth = DPoPHTTPXAuth(_key())
    with httpx.Client(transport=httpx.MockTransport(handle), auth=auth) as client:
        client.get(RS)
        client.get(RS)
    first = verify_proof(proofs[0], htm="GET", htu=RS, store=None).claims
    second = verify_proof(proofs[1], htm="GET", htu=RS, store=None).claims
    assert "nonce" not in first
    assert second["nonce"] == "next-1"


def test_httpx_reads_an_error_body_of_64_kib_exactly() -> None:
    body = b'{"error": "use_dpop_nonce", "pad": "'
    body += b"x" * (65_536 - len(body) - 2) + b'"}'
    assert len(body) == 65_536
    calls: list[Any] = []

    def handle(request: Any) -> Any:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(400, headers={"DPoP-Nonce": "n"}, content=body)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handle), auth=DPoPHTTPXAuth(_key())) as client:
        assert client.post(AS).status_code == 200
    assert len(calls) == 2


# --- httpx, async -----------------------------------------------------------------------------


def test_httpx_async_client_and_nonce_retry() -> None:
    server = Server(nonce_style="as")
    auth = DPoPHTTPXAuth(_key(), access_token="tok")

    async def main() -> list[Any]:
        transport = _httpx_transport(server)
        async with httpx.AsyncClient(transport=transport, auth=auth) as client:
            return [await client.get(RS), await client.get(RS)]

    first, second = asyncio.run(main())
    assert first.status_code == 200
    assert len(first.history) == 1
    assert first.json()["ath"] == access_token_hash("tok")
    assert second.history == []


def test_httpx_async_learns_the_nonce_of_the_retried_answer() -> None:
    answers = [
        httpx.Response(401, headers={"WWW-Authenticate": 'DPoP error="use_dpop_nonce"',
                                     "DPoP-Nonce": "first"}),
        httpx.Response(200, headers={"DPoP-Nonce": "second"}),
    ]
    auth = DPoPHTTPXAuth(_key())

    async def main() -> int:
        transport = httpx.MockTransport(lambda request: answers.pop(0))
        async with httpx.AsyncClient(transport=transport, auth=auth) as client:
            return (await client.get(RS)).status_code

    assert asyncio.run(main()) == 200
    assert answers == []
    assert auth.nonce(RS) == "second"


# --- requests ---------------------------------------------------------------------------------


class _Adapter(requests.adapters.BaseAdapter):  # type: ignore[misc]
    """A transport adapter answering from a :class:`Server`, as requests' own would."""

    def __init__(self, server: Server) -> None:
        super().__init__()
        self.server = server
        self.sent: list[Any] = []
        self.options: list[dict[str, Any]] = []

    def send(self, request: Any, **options: Any) -> Any:
        self.sent.append(request)
        self.options.append(options)
        headers = {name.lower(): value for name, value in request.headers.items()}
        status, reply_headers, body = self.server.answer(request.method, request.url, headers)
        response = requests.Response()
        response.status_code = status
        response.headers = requests.structures.CaseInsensitiveDict(reply_headers)
        response.raw = io.BytesIO(body)
        response.url = request.url
        response.request = request
        response.connection = self
        return response

    def close(self) -> None:
        pass


def _session(server: Server) -> tuple[Any, _Adapter]:
    session = requests.Session()
    adapter = _Adapter(server)
    session.mount("https://", adapter)
    return session, adapter


@pytest.mark.parametrize("style", [None, "as", "rs"])
def test_requests_auth(style: str | None) -> None:
    server = Server(nonce_style=style)
    session, adapter = _session(server)
    auth = DPoPRequestsAuth(key_pem("ec_p256.pem"), access_token="tok")
    reply = session.post(RS, json={"a": 1}, auth=auth)
    assert reply.status_code == 200, reply.text
    assert reply.json()["ath"] == access_token_hash("tok")
    assert reply.request.headers["Authorization"] == "DPoP tok"
    retried = style is not None
    assert len(reply.history) == int(retried)
    assert len(adapter.sent) == 1 + int(retried)
    again = session.post(RS, json={"a": 2}, auth=auth)
    assert again.status_code == 200
    assert again.history == []


@pytest.mark.parametrize("style", [None, "as", "rs"])
def test_requests_uses_an_authorization_header_the_caller_set(style: str | None) -> None:
    # The first proof and the nonce retry's both carry the ath of the caller's token.
    server = Server(nonce_style=style)
    session, adapter = _session(server)
    reply = session.get(
        RS, headers={"Authorization": "DPoP tok"}, auth=DPoPRequestsAuth(_key()), timeout=7
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["ath"] == access_token_hash("tok")
    assert len(adapter.sent) == 1 + (style is not None)
    for sent in adapter.sent:
        proof = verify_proof(sent.headers["DPoP"], htm="GET", htu=RS, store=None)
        assert proof.claims["ath"] == access_token_hash("tok")
    # The retry goes with the options of the first send (timeout, TLS, proxies).
    assert adapter.options[-1] == adapter.options[0]
    assert adapter.options[-1]["timeout"] == 7


def _loopback(handle: Any) -> Any:
    """A real HTTP server on 127.0.0.1 answering every GET with ``handle(handler)``."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


def test_requests_never_resends_the_token_to_a_redirect_target() -> None:
    # requests drops Authorization when a redirect leaves the host; the response hook runs for
    # the redirect target's answer too, and its nonce retry put "Authorization: DPoP <token>"
    # back on: any server the API redirected to got the access token by answering 401
    # use_dpop_nonce.
    received: list[str | None] = []

    def target(handler: Any) -> None:
        received.append(handler.headers.get("Authorization"))
        handler.send_response(401)
        handler.send_header("WWW-Authenticate", 'DPoP error="use_dpop_nonce"')
        handler.send_header("DPoP-Nonce", "planted")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    other = _loopback(target)
    other_url = f"http://localhost:{other.server_address[1]}/steal"

    def api(handler: Any) -> None:
        handler.send_response(302)
        handler.send_header("Location", other_url)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = _loopback(api)
    try:
        auth = DPoPRequestsAuth(key_pem("ec_p256.pem"), access_token="secret-token")
        with requests.Session() as session:
            session.trust_env = False  # no proxy, no netrc
            reply = session.get(f"http://127.0.0.1:{server.server_address[1]}/me", auth=auth)
        assert reply.status_code == 401
        assert received == [None]  # asked once, without the token, and not asked again
        assert auth.nonce(f"http://127.0.0.1:{server.server_address[1]}/") is None
        assert auth.nonce(other_url) == "planted"
    finally:
        server.shutdown()
        other.shutdown()
        server.server_close()
        other.server_close()


def test_httpx_a_redirect_targets_answer_is_not_taken_as_the_apis() -> None:
    # httpx hands the flow the answer after its redirects, so a 401 use_dpop_nonce from the
    # redirect target was read as the API's own: its nonce was filed under the API's origin
    # (every later proof to the API carried it) and the API request was sent again for it.
    received: list[str | None] = []

    def target(handler: Any) -> None:
        received.append(handler.headers.get("Authorization"))
        handler.send_response(401)
        handler.send_header("WWW-Authenticate", 'DPoP error="use_dpop_nonce"')
        handler.send_header("DPoP-Nonce", "planted")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    other = _loopback(target)
    other_url = f"http://localhost:{other.server_address[1]}/steal"
    api_calls: list[str] = []

    def api(handler: Any) -> None:
        api_calls.append(handler.path)
        handler.send_response(302)
        handler.send_header("Location", other_url)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = _loopback(api)
    api_url = f"http://127.0.0.1:{server.server_address[1]}/me"
    try:
        auth = DPoPHTTPXAuth(key_pem("ec_p256.pem"), access_token="secret-token")
        with httpx.Client(auth=auth, follow_redirects=True, trust_env=False) as client:
            reply = client.get(api_url)
        assert reply.status_code == 401
        assert received == [None]
        assert api_calls == ["/me"]
        assert auth.nonce(api_url) is None
        assert auth.nonce(other_url) == "planted"  # the target's nonce, for the target
    finally:
        server.shutdown()
        other.shutdown()
        server.server_close()
        other.server_close()


def test_requests_gives_up_after_one_retry() -> None:
    class Refusing(_Adapter):
        def send(self, request: Any, **_options: Any) -> Any:
            self.sent.append(request)
            response = requests.Response()
            response.status_code = 401
            response.headers = requests.structures.CaseInsensitiveDict(
                {"WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "n"}
            )
            response.raw = io.BytesIO(b"")
            response.request, response.connection = request, self
            return response

    session = requests.Session()
    adapter = Refusing(Server())
    session.mount("https://", adapter)
    reply = session.get(RS, auth=DPoPRequestsAuth(_key()))
    assert reply.status_code == 401
    assert len(adapter.sent) == 2
    assert adapter.sent[0].headers["DPoP"] != adapter.sent[1].headers["DPoP"]


# --- what the classes are ---------------------------------------------------------------------


def test_auth_objects() -> None:
    auth = DPoPHTTPXAuth(key_pem("ec_p256.pem"), algorithm="ES256", access_token="secret")
    assert isinstance(auth, httpx.Auth)
    assert "secret" not in repr(auth)
    assert repr(auth).startswith("DPoPHTTPXAuth(key=DPoPKey(algorithm='ES256'")
    assert DPoPHTTPXAuth.__module__ == "jwtlite.dpop_client"
    assert DPoPRequestsAuth(_key()).key.jkt == _key().jkt
    assert "access_token=set)" in repr(auth)
    assert repr(DPoPRequestsAuth(_key())).endswith("access_token=none)")
    # PS256 is the default for RSA: the algorithm asked for is passed on.
    assert DPoPRequestsAuth(key_pem("rsa2048.pem"), algorithm="RS256").key.algorithm == "RS256"
    with pytest.raises(InvalidArgumentError) as refused:
        auth.nonce("/relative")
    assert str(refused.value) == "DPoP needs an absolute http or https request URL"
    import jwtlite.dpop_client as module

    # The class is made once per process (on first lookup): make one afresh.
    made = module._httpx_class()
    assert made.__module__ == "jwtlite.dpop_client"
    assert issubclass(made, httpx.Auth)

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        module.Nope  # noqa: B018


def test_importing_jwtlite_imports_no_http_client() -> None:
    code = (
        "import sys, jwtlite, jwtlite.dpop, jwtlite.dpop_client\n"
        "assert 'httpx' not in sys.modules and 'requests' not in sys.modules\n"
        "jwtlite.dpop_client.DPoPRequestsAuth\n"
        "assert 'requests' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
