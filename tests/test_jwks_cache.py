"""A JWK Set that publishes a private key is refused by every JWKS client in every configuration.

Issue 20, item 5: PyJWT's face skipped the refusal with ``cache_jwk_set=False`` or
``cooldown_duration=0``. Every client now chooses its key through ``_jwks_cache.signing_key``;
these tests run each client (threads, asyncio, PyJWT's face) in each configuration against a
loopback HTTP server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import raw_server
from test_jwks_client import PRIVATE, Clock, Server, _public, _serve

import jwtlite
from jwtlite.exceptions import PyJWKClientConnectionError, PyJWKClientError
from jwtlite.jwk import PyJWKSet, key_to_jwk
from jwtlite.jwks_client import PyJWKClient
from jwtlite.jwks_client_async import AsyncPyJWKClient
from jwtlite.pyjwt.jwks_client import PyJWKClient as FacePyJWKClient

#: Client settings that change which code path a lookup takes.
CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    "no-set-cache": {"cache_jwk_set": False},
    "cooldown-0": {"cooldown_duration": 0},
    "no-cache-cooldown-0": {"cache_jwk_set": False, "cooldown_duration": 0},
    "lifespan-1": {"lifespan": 1},
    "cache-keys": {"cache_keys": True},
}
KINDS = ("sync", "async", "face")


def _private(name: str, kid: str) -> dict[str, Any]:
    return key_to_jwk(PRIVATE[name], kid=kid, include_private=True)


def _token(kid: str) -> str:
    return jwtlite.encode({}, PRIVATE["ec_p256"], algorithm="ES256", headers={"kid": kid})


class Lookup:
    """One client of one kind, with its two lookups as plain calls."""

    def __init__(self, kind: str, uri: str, clock: Clock, **settings: Any) -> None:
        self.kind = kind
        if kind == "async":
            self.client: Any = AsyncPyJWKClient(uri, clock=clock, **settings)
        elif kind == "face":
            self.client = FacePyJWKClient(uri, **settings)
        else:
            self.client = PyJWKClient(uri, clock=clock, **settings)

    def _run(self, call: Callable[[], Any]) -> Any:
        result = call()
        return asyncio.run(result) if self.kind == "async" else result

    def key(self, kid: str) -> Any:
        return self._run(lambda: self.client.get_signing_key(kid))

    def key_from_jwt(self, token: str) -> Any:
        return self._run(lambda: self.client.get_signing_key_from_jwt(token))


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    state = Server()
    with _serve(state) as base:
        yield state, base + "/jwks"


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_kid_shared_with_a_leaked_private_key_is_refused(
    server: tuple[Server, str], kind: str, config: str
) -> None:
    state, uri = server
    # The same kid names a public key and a leaked private one: which did the issuer mean?
    state.jwks(_public("ec_p256", kid="shared"), _private("ec_p384", "shared"), _public("ed25519"))
    lookup = Lookup(kind, uri, Clock(), **CONFIGS[config])
    for _ in range(2):  # a refusal is never remembered as a found key
        with pytest.raises(PyJWKClientError, match='kid "shared" names a usable key and a skipped'):
            lookup.key("shared")
        with pytest.raises(PyJWKClientError, match="private key member 'd'"):
            lookup.key_from_jwt(_token("shared"))
    assert lookup.key("ed25519").key_id == "ed25519"  # the rest of the set still works


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_leaked_private_key_is_never_handed_out(
    server: tuple[Server, str], kind: str, config: str
) -> None:
    state, uri = server
    state.jwks(_private("ec_p256", "leaked"), _public("ed25519"))
    lookup = Lookup(kind, uri, Clock(), **CONFIGS[config])
    with pytest.raises(PyJWKClientError, match='matches: "leaked"'):
        lookup.key("leaked")
    with pytest.raises(PyJWKClientError, match='matches: "leaked"'):
        lookup.key_from_jwt(_token("leaked"))


@pytest.mark.parametrize(
    "config", [name for name, settings in CONFIGS.items() if "cache_jwk_set" not in settings]
)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("member", ["private", "secret"])
def test_a_set_put_in_the_cache_by_hand_is_checked_too(
    server: tuple[Server, str], kind: str, config: str, member: str
) -> None:
    # A set stored in the client's cache (PyJWT's jwk_set_cache.put) was never fetched, so
    # the fetch-time skipping never saw it: the lookup refuses it all the same.
    state, uri = server
    leaked = (
        _private("ec_p256", "k")
        if member == "private"
        else {"kty": "oct", "kid": "k", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}
    )
    lookup = Lookup(kind, uri, Clock(), **CONFIGS[config])
    cache = lookup.client.jwk_set_cache
    cache.put({"keys": [leaked]} if kind == "face" else PyJWKSet([leaked]))
    with pytest.raises(PyJWKClientError, match="publishes private or secret key material"):
        lookup.key("k")
    assert state.count == 0  # refused from the cache, before any request


# --- what the server sends back is escaped and cut in the message ------------------------------


@pytest.fixture
def garbage_server() -> Iterator[str]:
    """A loopback server whose status line is 20 KB of text with CR/LF and an escape code."""

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        line = b"HTTP/1.1 \x1b[31mFORGED\rINFO: logged in" + b"A" * 20000
        conn.sendall(line + b"\r\n\r\n")

    with raw_server(answer) as uri:
        yield uri


@pytest.mark.parametrize("kind", KINDS)
def test_a_servers_garbage_reaches_the_message_escaped_and_cut(
    garbage_server: str, kind: str
) -> None:
    lookup = Lookup(kind, garbage_server, Clock(), timeout=5)
    with pytest.raises(PyJWKClientConnectionError) as info:
        lookup.key("k")
    message = str(info.value)
    assert message.startswith('Fail to fetch data from the url, err: "')
    assert "\r" not in message
    assert "\x1b" not in message
    assert "\\x1b[31mFORGED\\x0dINFO" in message
    assert len(message) < 300
