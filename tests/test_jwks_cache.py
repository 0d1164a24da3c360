"""A JWK Set that publishes a private key is refused by every JWKS client in every configuration.

Issue 20, item 5: PyJWT's face skipped the refusal with ``cache_jwk_set=False`` or
``cooldown_duration=0``. Every client now chooses its key through ``_jwks_cache.signing_key``;
these tests run each client (threads, asyncio, PyJWT's face) in each configuration against a
loopback HTTP server.
"""

from __future__ import annotations

import asyncio
import math
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import raw_server
from test_jwks_client import PRIVATE, Clock, Server, _public, _serve

import jwtlite
from jwtlite._jwks_cache import (
    MAX_TTL,
    JWKSetCache,
    JWKSRules,
    Mode,
    check_settings,
    make_rules,
    match_kid,
    outcome,
    parse_jwk_set,
    parse_response,
    signing_key,
    signing_keys,
)
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


# --- the rules themselves, on an injected clock (found by mutation testing) ------------------


def _rules(clock: Clock, **settings: Any) -> JWKSRules:
    options: dict[str, Any] = {
        "cache_keys": False,
        "max_cached_keys": 16,
        "cache_jwk_set": True,
        "lifespan": 300,
        "timeout": 30,
        "refetch_cooldown": 30,
        "negative_cache_ttl": None,
        "max_stale": 3600,
        **settings,
    }
    return make_rules(clock=clock, **options)


def _set(*names: str) -> PyJWKSet:
    return PyJWKSet([_public(name) for name in names or ("ec_p256",)])


@pytest.mark.parametrize(
    ("max_age", "fresh_for"),
    [
        (None, 300.0),  # the lifespan
        (100.0, 100.0),  # max-age shortens it
        (10.0, 30.0),  # ... but never below the cooldown
        (0.0, 30.0),  # no-store / no-cache
        (1000.0, 300.0),  # ... and never stretches it
    ],
)
def test_a_set_is_fresh_for_exactly_its_time(max_age: float | None, fresh_for: float) -> None:
    clock = Clock()
    rules = _rules(clock)
    jwk_set = _set()
    rules.succeeded(jwk_set, max_age)
    clock.now += fresh_for - 0.5
    assert rules.begin(Mode.CACHED) is jwk_set
    assert not rules.cache.is_expired()
    clock.now += 0.5
    assert rules.cache.is_expired()
    assert rules.begin(Mode.CACHED) is None  # time to fetch


def test_a_day_caps_the_servers_max_age() -> None:
    clock = Clock()
    rules = _rules(clock, lifespan=10 * MAX_TTL)
    rules.succeeded(_set(), 5 * MAX_TTL)
    clock.now += MAX_TTL - 1
    assert rules.begin(Mode.CACHED) is not None
    clock.now += 1
    assert rules.begin(Mode.CACHED) is None


def test_refresh_always_fetches_and_a_running_fetch_is_joined() -> None:
    clock = Clock()
    rules = _rules(clock)
    jwk_set = _set()
    rules.succeeded(jwk_set, None)
    assert rules.begin(Mode.REFRESH) is None
    assert rules.begin(Mode.FORCED) is None
    rules.in_flight = True
    assert rules.begin(Mode.CACHED) is jwk_set  # fresh: no need to wait
    clock.now += 300
    assert rules.begin(Mode.CACHED) is jwk_set  # expired, but stale-usable while it runs
    assert rules.begin(Mode.FORCED) is None  # join the running fetch
    clock.now += 3600
    assert rules.begin(Mode.CACHED) is None  # past max_stale: wait for the fetch


def test_without_a_set_cache_every_lookup_fetches() -> None:
    clock = Clock()
    rules = _rules(clock, cache_jwk_set=False, lifespan=-1)  # no lifespan is checked
    rules.succeeded(_set(), None)
    assert rules.cache.lifespan == 0.0
    assert rules.begin(Mode.CACHED) is None


def test_stale_if_error_keeps_the_set_for_one_cooldown_then_retries() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=30, max_stale=1000)
    jwk_set = _set()
    rules.succeeded(jwk_set, None)
    clock.now += 300
    assert rules.begin(Mode.CACHED) is None  # expired: fetch
    error = PyJWKClientConnectionError("down")
    assert rules.failed(error) is jwk_set
    clock.now += 29.5
    assert rules.begin(Mode.CACHED) is jwk_set  # extended by the cooldown: no request
    assert rules.begin(Mode.FORCED) is jwk_set  # nor for an unknown kid
    clock.now += 0.5
    assert rules.begin(Mode.CACHED) is None  # the cooldown is over: try again
    assert rules.failed(error) is jwk_set
    clock.now = 1000 + 1000  # the set's age is exactly max_stale: still used
    assert rules.failed(error) is jwk_set
    clock.now += 0.5
    assert rules.failed(error) is None  # too old to stand in


def _held_back(rules: JWKSRules) -> bool:
    """Whether a lookup is refused without a request (the backoff after a failure)."""
    try:
        rules.begin(Mode.CACHED)
    except PyJWKClientConnectionError:
        return True
    return False


def test_failures_with_nothing_cached_back_off_doubling_up_to_the_cooldown() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=20)
    waits = []
    for _ in range(7):
        assert rules.begin(Mode.CACHED) is None
        rules.failed(PyJWKClientConnectionError("HTTP 500"))
        started = clock.now
        while _held_back(rules):
            clock.now += 0.5
        waits.append(clock.now - started)
    assert waits == [1, 2, 4, 8, 16, 20, 20]


def test_the_backoff_error_says_when_the_next_attempt_is() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=20)
    for _ in range(4):  # the fourth failure waits 8 s
        rules.failed(PyJWKClientError("HTTP 503"))
    clock.now += 2.4
    with pytest.raises(PyJWKClientError) as info:
        rules.begin(Mode.CACHED)
    assert type(info.value) is PyJWKClientError
    assert str(info.value) == "HTTP 503 (next attempt in 6 s)"
    assert rules.begin(Mode.REFRESH) is None  # an explicit refresh is not held back
    rules.succeeded(_set(), None)  # a success ends the backoff
    clock.now += 300
    assert rules.begin(Mode.CACHED) is None
    rules.failed(PyJWKClientError("HTTP 503"))
    clock.now += 30  # stale-if-error: one cooldown, then a new attempt
    assert rules.begin(Mode.CACHED) is None


def test_the_backoff_exponent_is_bounded() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=MAX_TTL)
    for _ in range(2000):  # 2.0 ** 1999 would overflow
        rules.failed(PyJWKClientError("down"))
    with pytest.raises(PyJWKClientError) as info:
        rules.begin(Mode.CACHED)
    assert str(info.value) == "down (next attempt in 86400 s)"


def test_an_unknown_kid_forces_one_refetch_per_cooldown() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=10, negative_cache_ttl=0)
    rules.succeeded(_set(), None)
    generation = rules.generation
    assert rules.may_force_after("a", generation)
    rules.succeeded(_set(), None)  # the forced refetch
    assert not rules.may_force_after("b", generation)  # a fetch finished since it looked
    generation = rules.generation
    clock.now += 9.5
    assert not rules.may_force_after("b", generation)  # inside the cooldown
    clock.now += 0.5
    assert rules.may_force_after("b", generation)  # exactly one cooldown later
    assert not rules.may_force_after("c", generation)  # that one used it


def test_an_unknown_kid_is_remembered_for_its_ttl_and_no_longer() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=0, negative_cache_ttl=50)
    rules.succeeded(_set(), None)
    error = rules.unknown("gone")
    assert type(error) is PyJWKClientError
    assert str(error) == 'Unable to find a signing key that matches: "gone"'
    clock.now += 49.5
    assert not rules.may_force_after("gone", rules.generation)
    rules.unknown("gone")  # asking again does not extend the memory
    clock.now += 0.5
    assert rules.may_force_after("gone", rules.generation)
    rules.unknown("gone")  # a new memory once the old one ended
    clock.now += 49.5
    assert not rules.may_force_after("gone", rules.generation)
    rules.found("gone")
    assert rules.may_force_after("gone", rules.generation)


def test_the_negative_cache_defaults_to_the_cooldown() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=7)
    assert rules.negative_cache_ttl == 7
    assert _rules(clock, refetch_cooldown=7, negative_cache_ttl=0).negative_cache_ttl == 0


@pytest.mark.parametrize(("length", "remembered"), [(256, True), (257, False)])
def test_only_kids_up_to_256_characters_are_remembered(length: int, remembered: bool) -> None:
    rules = _rules(Clock())
    rules.unknown("k" * length)
    assert ("k" * length in rules._unknown) is remembered


def test_the_negative_cache_keeps_the_latest_1024_kids() -> None:
    rules = _rules(Clock())
    for i in range(1025):
        rules.unknown(f"kid-{i}")
    assert list(rules._unknown)[:1] == ["kid-1"]
    assert len(rules._unknown) == 1024
    rules.unknown("kid-1")  # asked again: now the most recent
    assert list(rules._unknown)[-1] == "kid-1"


def test_remembered_keys_follow_the_set_and_its_lifetime() -> None:
    clock = Clock()
    rules = _rules(clock, cache_keys=True, max_cached_keys=2)
    jwk_set = _set("ec_p256", "ec_p384", "ed25519")
    assert rules.cached_key("ec_p256") is None  # nothing fetched yet
    rules.succeeded(jwk_set, None)
    first, second, third = jwk_set.keys
    rules.remember_key("ec_p256", first, jwk_set)
    rules.remember_key("ec_p384", second, jwk_set)
    assert rules.cached_key("ec_p256") is first  # now the most recently used
    rules.remember_key("ed25519", third, jwk_set)  # evicts the least recently used: ec_p384
    assert rules.cached_key("ec_p384") is None
    assert rules.cached_key("ec_p256") is first
    assert rules.cached_key("ed25519") is third
    clock.now += 299.5
    assert rules.cached_key("ed25519") is third
    clock.now += 0.5
    assert rules.cached_key("ed25519") is None  # the set it came from has expired
    rules.succeeded(jwk_set, None)
    assert rules.cached_key("ed25519") is None  # a new set: keys are looked up again
    rules.remember_key("ed25519", third, jwk_set)
    rules.cache.put(None)
    assert rules.cached_key("ed25519") is None  # the cache was emptied
    rules.succeeded(_set("ed25519"), None)
    rules.remember_key("ed25519", third, jwk_set)  # found in a set no longer cached
    assert rules.cached_key("ed25519") is None
    assert not rules._keys


def test_keys_are_not_remembered_unless_asked() -> None:
    rules = _rules(Clock())
    jwk_set = _set()
    rules.succeeded(jwk_set, None)
    rules.remember_key("ec_p256", jwk_set.keys[0], jwk_set)
    assert rules.cached_key("ec_p256") is None
    assert not rules._keys


def test_the_set_cache_extends_only_a_stored_set() -> None:
    clock = Clock()
    cache = JWKSetCache(60, clock=clock)
    cache.extend(100)
    assert cache.get() is None
    assert not cache.is_expired()
    jwk_set = _set()
    cache.put(jwk_set)
    clock.now += 50
    cache.extend(100)  # fresh until 100 s from now, past the lifespan
    clock.now += 99.5
    assert cache.get() is jwk_set
    clock.now += 0.5
    assert cache.get() is None


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timeout": "30"}, "timeout must be a number of seconds, not str"),
        ({"timeout": True}, "timeout must be a number of seconds, not bool"),
        ({"timeout": 0}, 'timeout must be greater than 0, the input is "0"'),
        ({"timeout": -1.5}, 'timeout must be greater than 0, the input is "-1.5"'),
        ({"timeout": float("inf")}, 'timeout must be finite, the input is "inf"'),
        ({"timeout": 10**400}, "timeout is too large"),
        ({"refetch_cooldown": -1},
         'Cooldown duration must be greater than or equal to 0, the input is "-1"'),
        ({"refetch_cooldown": None}, "Cooldown duration must be a number of seconds, not NoneType"),
        ({"max_stale": float("nan")}, 'max_stale must be finite, the input is "nan"'),
        ({"negative_cache_ttl": -0.5},
         'negative_cache_ttl must be greater than or equal to 0, the input is "-0.5"'),
        ({"lifespan": 0}, 'Lifespan must be greater than 0, the input is "0"'),
        ({"lifespan": "300"}, "Lifespan must be greater than 0, the input is \"300\""),
        ({"lifespan": 10**400}, "Lifespan is too large"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_with_the_whole_reason(
    settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(PyJWKClientError) as info:
        _rules(Clock(), **settings)
    assert str(info.value) == message


def test_durations_are_kept_as_floats() -> None:
    rules = _rules(Clock(), timeout=1, refetch_cooldown=0, max_stale=0, lifespan=float("inf"))
    assert (rules.refetch_cooldown, rules.max_stale, rules.cache.lifespan) == (0.0, 0.0, math.inf)
    assert check_settings(timeout=2) == {"timeout": 2.0}
    assert type(check_settings(timeout=2)["timeout"]) is float


def test_an_outcome_without_an_error_still_raises_one() -> None:
    jwk_set = _set()
    assert outcome(jwk_set, None, None, Mode.REFRESH) is jwk_set
    assert outcome(None, jwk_set, None, Mode.FORCED) is jwk_set
    with pytest.raises(PyJWKClientConnectionError) as info:
        outcome(None, jwk_set, None, Mode.REFRESH)
    assert str(info.value) == "The JWKS fetch failed"
    error = PyJWKClientError("boom")
    with pytest.raises(PyJWKClientError) as raised:
        outcome(None, None, error, Mode.CACHED)
    assert raised.value is not error  # each waiter gets its own
    assert type(raised.value) is PyJWKClientError
    assert str(raised.value) == "boom"


# --- what a fetched document may be ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1]", "The JWKS endpoint did not return a JSON object"),
        (b"{", ("Invalid JWKS response: Expecting property name enclosed in double quotes: "
                "line 1 column 2 (char 1)")),
    ],
)  # fmt: skip
def test_a_response_that_is_no_json_object(body: bytes, message: str) -> None:
    with pytest.raises(PyJWKClientError) as info:
        parse_response(body)
    assert str(info.value) == message
    assert parse_response(b'{"keys": []}') == {"keys": []}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "The JWKS endpoint did not return a JSON object"),
        ({"keys": {}}, "Invalid JWK Set value: keys must be a list"),
        ({}, "The JWK Set did not contain any keys"),
        ({"keys": [{"kty": "oct", "k": "AA"}] * 1001}, "The JWK Set has 1001 keys; at most 1000"),
        ({"keys": [{"kty": "oct", "k": "AA"}, {"kty": "EC", "d": "AA"}]},
         ("The JWK Set did not contain any usable keys (private key member 'd' in a fetched JWK "
          "Set; symmetric (oct) key in a fetched JWK Set: a published secret is not secret)")),
    ],
)  # fmt: skip
def test_a_document_that_is_no_jwk_set(document: Any, message: str) -> None:
    with pytest.raises(PyJWKClientError) as info:
        parse_jwk_set(document)
    assert str(info.value) == message


def test_a_thousand_members_are_looked_at() -> None:
    members = [{"kty": "oct", "k": "AA"}] * 999 + [_public("ec_p256")]
    jwk_set = parse_jwk_set({"keys": members})
    assert [key.key_id for key in jwk_set.keys] == ["ec_p256"]
    assert len(jwk_set.skipped) == 999


@pytest.mark.parametrize("member", ["d", "p", "q", "dp", "dq", "qi", "oth", "k"])
def test_every_private_member_is_skipped_by_its_name(member: str) -> None:
    leaked = {**_public("ec_p384"), member: "AAAA"}
    jwk_set = parse_jwk_set({"keys": [leaked, _public("ec_p256")]})
    assert [key.key_id for key in jwk_set.keys] == ["ec_p256"]
    assert jwk_set.skipped == [(leaked, f"private key member '{member}' in a fetched JWK Set")]


def test_members_that_are_no_objects_are_left_to_the_set() -> None:
    jwk_set = parse_jwk_set({"keys": ["d", _public("ec_p256")]})
    assert [key.key_id for key in jwk_set.keys] == ["ec_p256"]
    assert [member for member, _ in jwk_set.skipped] == ["d"]


def test_match_kid() -> None:
    one, two = _set("ec_p256", "ed25519").keys
    assert match_kid([one], None) is one  # no kid: the only key
    assert match_kid([one, two], None) is None
    assert match_kid([], None) is None
    assert match_kid([one, two], "ed25519") is two
    assert match_kid([one, two], "nope") is None


def test_signing_keys_by_use_and_key_ops() -> None:
    members = [
        _public("ec_p256", kid="enc", use="enc"),
        _public("ec_p256", kid="sig", use="sig"),
        _public("ec_p384", kid="sign-only", key_ops=["sign"]),
        _public("ec_p384", kid="verify", key_ops=["verify"]),
        _public("ed25519", kid="plain"),
    ]
    keys = signing_keys(PyJWKSet(members))
    assert [key.key_id for key in keys] == ["sig", "verify", "plain"]
    with pytest.raises(PyJWKClientError) as info:
        signing_keys(PyJWKSet(members[:1]))
    assert str(info.value) == "The JWKS endpoint did not contain any signing keys"


def test_a_leaked_key_is_named_in_the_refusal() -> None:
    with pytest.raises(PyJWKClientError) as info:
        signing_keys(PyJWKSet([_public("ec_p256"), _private("ec_p384", 'x"\n')]))
    assert str(info.value) == (
        'The JWK Set publishes private or secret key material (kid "x\\"\\x0a"); refusing it'
    )


def test_an_ambiguous_kid_is_refused_whole() -> None:
    jwk_set = parse_jwk_set({"keys": [_public("ec_p256", kid="s"), _private("ec_p384", "s")]})
    with pytest.raises(PyJWKClientError) as info:
        signing_key(jwk_set, "s")
    assert str(info.value) == (
        "kid \"s\" names a usable key and a skipped member (private key member 'd' in a "
        "fetched JWK Set); refusing an ambiguous JWK Set"
    )
    assert signing_key(jwk_set, "other") is None


def test_a_fetch_since_the_lookup_began_is_never_repeated() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=0, negative_cache_ttl=0)
    rules.succeeded(_set(), None)
    began = rules.generation
    for _ in range(3):  # other lookups' fetches land while this one searched
        rules.succeeded(_set(), None)
        assert not rules.may_force_after("x", began)
    assert rules.may_force_after("x", rules.generation)


def test_a_success_starts_the_backoff_afresh() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=20, max_stale=0)
    for _ in range(3):
        rules.failed(PyJWKClientError("down"))  # waits 1, 2, 4 s
    clock.now += 4
    rules.succeeded(_set(), None)
    clock.now += 300  # expired, and too old to stand in
    rules.failed(PyJWKClientError("down"))
    clock.now += 0.5
    assert _held_back_any(rules)
    clock.now += 0.5
    assert rules.begin(Mode.CACHED) is None  # one second, as after a first failure


def test_the_backoff_stops_doubling_at_2_to_the_32_seconds() -> None:
    clock = Clock()
    rules = _rules(clock, refetch_cooldown=1e12)
    for _ in range(40):
        rules.failed(PyJWKClientError("down"))
    with pytest.raises(PyJWKClientError) as info:
        rules.begin(Mode.CACHED)
    assert str(info.value) == "down (next attempt in 4294967296 s)"


def _held_back_any(rules: JWKSRules) -> bool:
    try:
        rules.begin(Mode.CACHED)
    except PyJWKClientError:
        return True
    return False


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_set_put_in_the_cache_by_hand_replaces_the_remembered_keys(
    server: tuple[Server, str], kind: str
) -> None:
    _, uri = server
    lookup = Lookup(kind, uri, Clock(), cache_keys=True)
    first = lookup.key("ec_p256")  # fetched, and remembered
    assert lookup.key("ec_p256") is first
    replacement = PyJWKSet([_public("ec_p384", kid="ec_p256")])
    lookup.client.jwk_set_cache.put(replacement)
    assert lookup.key("ec_p256") is replacement.keys[0]  # was: the key of the old set


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_key_found_in_a_set_replaced_meanwhile_is_not_remembered(
    server: tuple[Server, str], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, uri = server
    lookup = Lookup(kind, uri, Clock(), cache_keys=True)
    replacement = PyJWKSet([_public("ec_p384", kid="ec_p256")])
    module = "jwtlite.jwks_client_async" if kind == "async" else "jwtlite.jwks_client"

    def replaced_meanwhile(jwk_set: Any, kid: str) -> Any:
        # Another thread (or task) installs a new set while this lookup searches the old one.
        found = signing_key(jwk_set, kid)
        lookup.client.jwk_set_cache.put(replacement)
        return found

    monkeypatch.setattr(f"{module}.signing_key", replaced_meanwhile)
    old = lookup.key("ec_p256")  # found in the set it searched: right for this call
    monkeypatch.undo()
    assert old is not replacement.keys[0]
    # Remembered under the new set, the old set's key outlived it (a key rotated out stayed
    # usable for as long as the new set is fresh).
    assert lookup.key("ec_p256") is replacement.keys[0]
