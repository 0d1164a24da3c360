"""AsyncPyJWKClient: the event loop keeps running, single flight, the shared rules, fetch=."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
from test_jwks_client import PRIVATE, Clock, Server, _public, _serve

import jwtlite
from jwtlite.exceptions import DecodeError, PyJWKClientConnectionError, PyJWKClientError
from jwtlite.jwk import PyJWK
from jwtlite.jwks_client import JWKSetCache
from jwtlite.jwks_client_async import AsyncPyJWKClient


@pytest.fixture
def clock() -> Clock:
    return Clock()


# --- the event loop is never blocked ---------------------------------------------------------


def test_event_loop_keeps_serving_other_tasks_during_a_fetch(clock: Clock) -> None:
    state = Server()
    state.delay = 0.6  # the JWKS server answers slowly

    async def scenario(base: str) -> tuple[list[float], float]:
        client = AsyncPyJWKClient(base + "/jwks", timeout=5, clock=clock)
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        task = asyncio.ensure_future(ticker())
        started = time.monotonic()
        key = await client.get_signing_key("ec_p256")
        elapsed = time.monotonic() - started
        done.set()
        await task
        assert key.key_id == "ec_p256"
        return ticks, elapsed

    with _serve(state) as base:
        ticks, elapsed = asyncio.run(scenario(base))
    assert elapsed >= 0.5  # the fetch really was slow ...
    assert len(ticks) >= 10  # ... and other tasks ran all along
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < 0.25  # a blocked loop would show one gap as long as the fetch


# --- single flight -----------------------------------------------------------------------------


def test_100_concurrent_lookups_of_an_unknown_kid_cause_one_fetch(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> list[Any]:
        client = AsyncPyJWKClient(base + "/jwks", clock=clock)
        await client.get_jwk_set()  # warm: the set is cached and fresh
        state.delay = 0.2
        lookups = [client.get_signing_key("rotated-in") for _ in range(100)]
        return await asyncio.gather(*lookups, return_exceptions=True)

    with _serve(state) as base:
        results = asyncio.run(scenario(base))
    assert len(results) == 100
    assert all(isinstance(r, PyJWKClientError) for r in results)
    assert state.count == 2  # the warm-up fetch and exactly one forced refetch


def test_100_concurrent_lookups_share_the_fetch_that_finds_the_new_key(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> list[PyJWK]:
        client = AsyncPyJWKClient(base + "/jwks", clock=clock)
        await client.get_jwk_set()
        state.jwks(_public("ec_p256"), _public("ed25519"))
        state.delay = 0.2
        return await asyncio.gather(*(client.get_signing_key("ed25519") for _ in range(100)))

    with _serve(state) as base:
        keys = asyncio.run(scenario(base))
    assert [k.key_id for k in keys] == ["ed25519"] * 100
    assert state.count == 2


def test_cold_start_concurrent_lookups_cause_one_fetch(clock: Clock) -> None:
    state = Server()
    state.delay = 0.2

    async def scenario(base: str) -> list[Any]:
        client = AsyncPyJWKClient(base + "/jwks", clock=clock)
        lookups = [client.get_signing_key(kid) for kid in ["ec_p256", "unknown"] * 50]
        return await asyncio.gather(*lookups, return_exceptions=True)

    with _serve(state) as base:
        results = asyncio.run(scenario(base))
    assert [isinstance(r, PyJWK) for r in results] == [True, False] * 50
    assert state.count == 1


def test_cached_key_is_served_while_a_refetch_is_in_flight(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> float:
        client = AsyncPyJWKClient(base + "/jwks", timeout=10, clock=clock)
        await client.get_jwk_set()
        clock.now += 301  # expired: the next lookup refreshes
        state.delay = 10.0
        refresh = asyncio.ensure_future(client.get_jwk_set())
        await asyncio.sleep(0)  # let the refresh start
        started = time.monotonic()
        key = await client.get_signing_key("ec_p256")  # served from the expired set
        elapsed = time.monotonic() - started
        assert key.key_id == "ec_p256"
        state.release.set()
        await refresh
        return elapsed

    with _serve(state) as base:
        elapsed = asyncio.run(scenario(base))
    assert elapsed < 0.25
    assert state.count == 2


# --- the shared rules ----------------------------------------------------------------------


def test_rotation_flood_and_stale_if_error(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> None:
        client = AsyncPyJWKClient(base + "/jwks", clock=clock, refetch_cooldown=30)
        assert (await client.get_signing_key("ec_p256")).key_id == "ec_p256"
        for i in range(50):  # flood: one forced refetch per cooldown
            with pytest.raises(PyJWKClientError, match="Unable to find"):
                await client.get_signing_key(f"random-{i}")
        assert state.count == 2
        state.status = 500  # down: the stale set keeps working
        clock.now += 301
        assert (await client.get_signing_key("ec_p256")).key_id == "ec_p256"
        assert state.count == 3
        with pytest.raises(PyJWKClientConnectionError, match="HTTP 500"):
            await client.get_jwk_set(refresh=True)

    with _serve(state) as base:
        asyncio.run(scenario(base))


def test_backoff_with_nothing_cached(clock: Clock) -> None:
    state = Server()
    state.status = 500

    async def scenario(base: str) -> None:
        client = AsyncPyJWKClient(base + "/jwks", clock=clock)
        for _ in range(20):
            with pytest.raises(PyJWKClientConnectionError, match="HTTP 500"):
                await client.get_signing_key("ec_p256")

    with _serve(state) as base:
        asyncio.run(scenario(base))
    assert state.count == 1


def test_transport_limits_and_deadline(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> None:
        state.body = json.dumps({"keys": [_public("ec_p256")], "pad": "x" * 5000}).encode()
        small = AsyncPyJWKClient(base + "/jwks", clock=clock, max_response_bytes=4096)
        with pytest.raises(PyJWKClientError, match="larger than 4096"):
            await small.get_jwk_set()
        state.jwks(_public("ec_p256"))
        with pytest.raises(PyJWKClientConnectionError, match="redirects are not followed"):
            await AsyncPyJWKClient(base + "/redirect", clock=clock).get_jwk_set()
        state.delay = 10.0
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError, match="timed out"):
            await AsyncPyJWKClient(base + "/jwks", timeout=0.3, clock=clock).get_jwk_set()
        assert time.monotonic() - started < 1.5

    with _serve(state) as base:
        state.redirect_to = base + "/jwks"
        asyncio.run(scenario(base))


def test_cache_control_max_age_is_used(clock: Clock) -> None:
    state = Server()
    state.headers["Cache-Control"] = "max-age=100"

    async def scenario(base: str) -> None:
        client = AsyncPyJWKClient(base + "/jwks", clock=clock, lifespan=300)
        await client.get_jwk_set()
        clock.now += 99
        await client.get_jwk_set()
        assert state.count == 1
        clock.now += 2  # max-age shortens the lifespan ...
        await client.get_jwk_set()
        assert state.count == 2
        state.headers["Cache-Control"] = "max-age=1000"
        clock.now += 101
        await client.get_jwk_set()
        clock.now += 299
        await client.get_jwk_set()
        assert state.count == 3
        clock.now += 2  # ... but never stretches it
        await client.get_jwk_set()
        assert state.count == 4

    with _serve(state) as base:
        asyncio.run(scenario(base))


# --- an injected fetch function ---------------------------------------------------------------


def _fetcher(body: Any, calls: list[tuple[str, dict[str, str], float]]) -> Any:
    async def fetch(uri: str, headers: Mapping[str, str], timeout: float) -> Any:
        calls.append((uri, dict(headers), timeout))
        await asyncio.sleep(0)
        return body

    return fetch


def test_injected_fetch_function(clock: Clock) -> None:
    calls: list[tuple[str, dict[str, str], float]] = []
    body = json.dumps({"keys": [_public("ed25519")]}).encode()
    client = AsyncPyJWKClient(
        "https://issuer.example/jwks",
        headers={"Authorization": "Bearer x"},
        timeout=7,
        fetch=_fetcher(body, calls),
        clock=clock,
    )
    token = jwtlite.encode(
        {"sub": "a"}, PRIVATE["ed25519"], algorithm="EdDSA", headers={"kid": "ed25519"}
    )

    async def scenario() -> PyJWK:
        return await client.get_signing_key_from_jwt(token)

    key = asyncio.run(scenario())
    assert jwtlite.decode(token, key, algorithms=["EdDSA"]) == {"sub": "a"}
    assert calls == [("https://issuer.example/jwks", {"Authorization": "Bearer x"}, 7.0)]
    assert isinstance(client.jwk_set_cache, JWKSetCache)


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (b"{not json", PyJWKClientError, "Invalid JWKS response"),
        (b"x" * 600_000, PyJWKClientError, "larger than"),
        (42, PyJWKClientError, "not bytes"),
        (b'{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', PyJWKClientError, "symmetric"),
    ],
)
def test_injected_fetch_results_are_checked(
    body: Any, error: type[Exception], message: str, clock: Clock
) -> None:
    client = AsyncPyJWKClient("https://i.example/j", fetch=_fetcher(body, []), clock=clock)
    with pytest.raises(error, match=message):
        asyncio.run(client.get_jwk_set())


def test_injected_fetch_errors_and_hangs_become_jwtlite_errors(clock: Clock) -> None:
    async def broken(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        raise OSError("connection reset")

    async def hanging(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        await asyncio.Event().wait()
        return b""

    client = AsyncPyJWKClient("https://i.example/j", fetch=broken, clock=clock)
    with pytest.raises(PyJWKClientConnectionError, match="connection reset"):
        asyncio.run(client.get_jwk_set())
    slow = AsyncPyJWKClient("https://i.example/j", fetch=hanging, timeout=0.2, clock=clock)
    started = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match="timed out"):
        asyncio.run(slow.get_jwk_set())
    assert time.monotonic() - started < 1.5


def test_bad_tokens_and_arguments(clock: Clock) -> None:
    body = json.dumps({"keys": [_public("ec_p256")]}).encode()
    client = AsyncPyJWKClient("https://i.example/j", fetch=_fetcher(body, []), clock=clock)
    no_kid = jwtlite.encode({"sub": "a"}, PRIVATE["ec_p256"], algorithm="ES256")
    with pytest.raises(PyJWKClientError, match="no kid"):
        asyncio.run(client.get_signing_key_from_jwt(no_kid))
    with pytest.raises(DecodeError):
        asyncio.run(client.get_signing_key_from_jwt("not.a-token"))
    with pytest.raises(PyJWKClientError, match="kid must be a string"):
        asyncio.run(client.get_signing_key(7))  # type: ignore[arg-type]
    with pytest.raises(PyJWKClientError, match="Invalid JWKS URI scheme"):
        AsyncPyJWKClient("file:///etc/passwd")
    with pytest.raises(PyJWKClientError):
        AsyncPyJWKClient("https://i.example/j", cooldown_duration=float("nan"))
    with pytest.raises(PyJWKClientError, match="require_https"):
        AsyncPyJWKClient("http://i.example/j", require_https=True)


def test_one_client_across_event_loops(clock: Clock) -> None:
    """asyncio.run() per request (scripts, tests) must not leave the client stuck."""
    body = json.dumps({"keys": [_public("ec_p256")]}).encode()
    calls: list[Any] = []
    client = AsyncPyJWKClient(
        "https://i.example/j", fetch=_fetcher(body, calls), clock=clock, cache_jwk_set=False
    )
    for _ in range(3):
        assert asyncio.run(client.get_signing_key("ec_p256")).key_id == "ec_p256"
    assert len(calls) == 3


def test_lazy_export() -> None:
    assert jwtlite.AsyncPyJWKClient is AsyncPyJWKClient
    assert "AsyncPyJWKClient" in jwtlite.__all__


def test_kid_shared_with_a_skipped_member_is_refused(clock: Clock) -> None:
    broken = {**_public("ec_p384", kid="shared"), "x": "AAAA"}
    body = json.dumps({"keys": [_public("ec_p256", kid="shared"), broken]}).encode()
    client = AsyncPyJWKClient("https://i.example/j", fetch=_fetcher(body, []), clock=clock)
    with pytest.raises(PyJWKClientError, match='kid "shared" names a usable key and a skipped'):
        asyncio.run(client.get_signing_key("shared"))


# --- a plugged-in transport's errors (found by mutation testing) ---------------------------------


class _UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text")


@pytest.mark.parametrize(
    ("raised", "shown"),
    [
        (_UnprintableError(), "_UnprintableError"),  # its __str__ fails: the class name stands in
        (OSError("x" * 500), "x" * 200 + "..."),  # a long text is cut at 200 characters
        (OSError("a\r\nINFO forged"), "a\\x0d\\x0aINFO forged"),
    ],
)
def test_a_plugged_transports_error_is_shown_escaped_and_cut(
    clock: Clock, raised: Exception, shown: str
) -> None:
    async def failing(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        raise raised

    client = AsyncPyJWKClient("https://i.example/j", fetch=failing, clock=clock)
    with pytest.raises(PyJWKClientConnectionError) as info:
        asyncio.run(client.get_jwk_set())
    assert str(info.value) == f'Fail to fetch data from the url, err: "{shown}"'


# --- the client's own waits and texts (found by mutation testing) --------------------------------

TIMED_OUT = 'Fail to fetch data from the url, err: "timed out"'


def test_a_fetch_that_overruns_its_deadline_is_given_up_after_one_more_second(
    clock: Clock,
) -> None:
    # An overridden fetch_data has no transport deadline of its own.
    gates: list[asyncio.Event] = []  # made inside the loop: Python 3.9 binds an Event to one

    class Hanging(AsyncPyJWKClient):
        async def fetch_data(self) -> Any:
            await gates[0].wait()
            return {"keys": [_public("ec_p256")]}

    async def scenario() -> tuple[str, float]:
        gates.append(asyncio.Event())
        client = Hanging("https://i.example/j", timeout=0.1, clock=clock)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError) as info:
            await client.get_jwk_set()
        elapsed = time.monotonic() - started
        gates[0].set()  # let the shielded fetch end, then see it was published
        await asyncio.sleep(0.01)
        assert len((await client.get_jwk_set()).keys) == 1
        return str(info.value), elapsed

    message, elapsed = asyncio.run(scenario())
    assert message == TIMED_OUT + " (waiting for another fetch)"
    assert 1.05 <= elapsed < 1.9


def test_a_short_timeout_still_lets_a_quick_fetch_finish(clock: Clock) -> None:
    state = Server()
    with _serve(state) as base:
        client = AsyncPyJWKClient(base + "/jwks", timeout=0.5, clock=clock)
        assert asyncio.run(client.get_signing_key("ec_p256")).key_id == "ec_p256"


def test_an_overridden_fetch_datas_bug_is_reported_and_backed_off(clock: Clock) -> None:
    calls: list[int] = []

    class Broken(AsyncPyJWKClient):
        async def fetch_data(self) -> Any:
            calls.append(1)
            raise RuntimeError("a bug in an override")

    client = Broken("https://i.example/j", clock=clock)
    with pytest.raises(PyJWKClientConnectionError) as info:
        asyncio.run(client.get_jwk_set())
    assert str(info.value) == 'Fail to fetch data from the url, err: "a bug in an override"'
    with pytest.raises(PyJWKClientConnectionError) as info:
        asyncio.run(client.get_jwk_set())
    assert str(info.value).endswith('"a bug in an override" (next attempt in 1 s)')
    assert len(calls) == 1


def test_async_lookup_refusals_have_their_whole_text(clock: Clock) -> None:
    body = json.dumps({"keys": [_public("ec_p256")]}).encode()
    client = AsyncPyJWKClient("https://i.example/j", fetch=_fetcher(body, []), clock=clock)
    with pytest.raises(PyJWKClientError) as info:
        asyncio.run(client.get_signing_key(7))  # type: ignore[arg-type]
    assert str(info.value) == "kid must be a string, not int"
    no_kid = jwtlite.encode({"sub": "a"}, PRIVATE["ec_p256"], algorithm="ES256")
    with pytest.raises(PyJWKClientError) as info:
        asyncio.run(client.get_signing_key_from_jwt(no_kid))
    assert str(info.value) == "The token header has no kid"
    for result in (42, "text"):
        plugged = AsyncPyJWKClient("https://i.example/j", fetch=_fetcher(result, []), clock=clock)
        with pytest.raises(PyJWKClientError) as info:
            asyncio.run(plugged.get_jwk_set())
        expected = (
            "fetch= returned int, not bytes"
            if result == 42
            else "Invalid JWKS response: Expecting value: line 1 column 1 (char 0)"
        )
        assert str(info.value) == expected
    big = AsyncPyJWKClient(
        "https://i.example/j", fetch=_fetcher(body, []), max_response_bytes=len(body) - 1
    )
    with pytest.raises(PyJWKClientError) as info:
        asyncio.run(big.get_jwk_set())
    assert str(info.value) == f"JWKS response is larger than {len(body) - 1} bytes"
    exact = AsyncPyJWKClient(
        "https://i.example/j", fetch=_fetcher(body, []), max_response_bytes=len(body)
    )
    assert asyncio.run(exact.get_signing_key("ec_p256")).key_id == "ec_p256"
    text = AsyncPyJWKClient("https://i.example/j", fetch=_fetcher(body.decode(), []))
    assert asyncio.run(text.get_signing_key("ec_p256")).key_id == "ec_p256"  # str is encoded


def test_the_async_clients_settings_are_kept(clock: Clock) -> None:
    client = AsyncPyJWKClient(
        "https://i.example/j",
        headers={"X-A": "1"},
        timeout=7,
        ssl_context="ctx",
        max_response_bytes=99,
        clock=clock,
    )
    assert client.uri == "https://i.example/j"
    assert client.headers == {"X-A": "1"}
    assert (client.timeout, client.ssl_context, client.max_response_bytes) == (7.0, "ctx", 99)
    assert type(client.timeout) is float
    assert AsyncPyJWKClient("https://i.example/j").headers == {}


def test_the_async_defaults_are_the_sync_clients() -> None:
    client = AsyncPyJWKClient("https://i.example/j")
    rules = client._rules
    assert (rules.cache_keys, rules.max_cached_keys, client.jwk_set_cache is not None) == (
        False,
        16,
        True,
    )
    assert (rules.cache.lifespan, client.timeout, rules.refetch_cooldown) == (300.0, 30.0, 30.0)
    assert (rules.negative_cache_ttl, rules.max_stale) == (30.0, 24 * 3600.0)
    assert client.max_response_bytes == 512 * 1024
    assert (client.ssl_context, client._fetch) == (None, None)
    assert rules.clock is time.monotonic
    assert AsyncPyJWKClient("https://i.example/j", cache_jwk_set=False).jwk_set_cache is None
    explicit = AsyncPyJWKClient("https://i.example/j", cooldown_duration=5, refetch_cooldown=3)
    assert explicit._rules.refetch_cooldown == 3.0
    assert AsyncPyJWKClient("https://i.example/j", cooldown_duration=5)._rules.refetch_cooldown == 5


def test_async_get_signing_keys_with_refresh_fetches_anew(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> list[list[str | None]]:
        client = AsyncPyJWKClient(base + "/jwks", clock=clock)
        first = await client.get_signing_keys()
        state.jwks(_public("ed25519"))
        cached = await client.get_signing_keys()
        fresh = await client.get_signing_keys(refresh=True)
        return [[key.key_id for key in keys] for keys in (first, cached, fresh)]

    with _serve(state) as base:
        assert asyncio.run(scenario(base)) == [["ec_p256"], ["ec_p256"], ["ed25519"]]
    assert state.count == 2


def test_async_a_kid_found_again_is_forgotten_as_unknown(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> list[int]:
        client = AsyncPyJWKClient(
            base + "/jwks", clock=clock, refetch_cooldown=0, negative_cache_ttl=1000
        )
        await client.get_jwk_set()
        with pytest.raises(PyJWKClientError):
            await client.get_signing_key("x")  # forced refetch; remembered for 1000 s
        counts = [state.count]
        state.jwks(_public("ec_p256"), _public("ed25519", kid="x"))
        clock.now += 301
        assert (await client.get_signing_key("x")).key_id == "x"
        counts.append(state.count)
        state.jwks(_public("ec_p256"))
        clock.now += 301
        await client.get_jwk_set()
        with pytest.raises(PyJWKClientError):
            await client.get_signing_key("x")  # no longer remembered: may force a refetch
        counts.append(state.count)
        return counts

    with _serve(state) as base:
        assert asyncio.run(scenario(base)) == [2, 3, 5]


def test_async_remembered_keys_are_served_from_the_key_cache(clock: Clock) -> None:
    body = json.dumps({"keys": [_public("ec_p256")]}).encode()
    calls: list[Any] = []
    client = AsyncPyJWKClient(
        "https://i.example/j", fetch=_fetcher(body, calls), cache_keys=True, clock=clock
    )

    async def scenario() -> None:
        first = await client.get_signing_key("ec_p256")
        assert await client.get_signing_key("ec_p256") is first
        assert client._rules.cached_key("ec_p256") is first

    asyncio.run(scenario())
    assert len(calls) == 1


def test_async_an_unknown_kid_is_remembered_past_the_cooldown(clock: Clock) -> None:
    state = Server()

    async def scenario(base: str) -> list[int]:
        client = AsyncPyJWKClient(
            base + "/jwks", clock=clock, refetch_cooldown=10, negative_cache_ttl=100
        )
        await client.get_jwk_set()
        counts = []
        for kid in ("x", "x", "y"):
            with pytest.raises(PyJWKClientError):
                await client.get_signing_key(kid)
            counts.append(state.count)
            clock.now += 11  # past the cooldown, inside x's memory
        return counts

    with _serve(state) as base:
        assert asyncio.run(scenario(base)) == [2, 2, 3]


def test_a_hanging_plugged_transport_times_out_at_its_own_deadline(clock: Clock) -> None:
    async def hanging(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        await asyncio.Event().wait()
        return b""

    client = AsyncPyJWKClient("https://i.example/j", fetch=hanging, timeout=0.2, clock=clock)
    started = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError) as info:
        asyncio.run(client.get_jwk_set())
    assert str(info.value) == TIMED_OUT  # not the waiter's bound, one second later
    assert time.monotonic() - started < 1.0


def test_a_fetch_the_executor_never_starts_is_given_up_after_one_more_second(
    clock: Clock,
) -> None:
    async def scenario() -> tuple[str, float]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        gate = threading.Event()
        busy = loop.run_in_executor(None, gate.wait, 10)  # the only worker is taken
        client = AsyncPyJWKClient("http://127.0.0.1:9/jwks", timeout=0.1, clock=clock)
        started = time.monotonic()
        try:
            with pytest.raises(PyJWKClientConnectionError) as info:
                await asyncio.wait_for(client.fetch_data(), 5)
            elapsed = time.monotonic() - started
        finally:
            gate.set()
            await busy
        return str(info.value), elapsed

    message, elapsed = asyncio.run(scenario())
    assert message == TIMED_OUT
    assert 1.05 <= elapsed < 1.9


def test_a_fetch_left_behind_by_a_closed_loop_is_not_waited_for(clock: Clock) -> None:
    # A loop closed while its fetch still ran (the waiter gave up) leaves the flight behind.
    answers: list[Any] = [{"keys": [_public("ec_p256")]}, None, {"keys": [_public("ed25519")]}]

    class Scripted(AsyncPyJWKClient):
        async def fetch_data(self) -> Any:
            answer = answers.pop(0)
            if answer is None:
                await asyncio.Event().wait()  # never answers
            return answer

    client = Scripted("https://i.example/j", timeout=0.1, clock=clock)
    assert asyncio.run(client.get_signing_key("ec_p256")).key_id == "ec_p256"
    clock.now += 301  # expired: the next lookup fetches
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(PyJWKClientConnectionError, match="waiting for another fetch"):
            loop.run_until_complete(client.get_jwk_set())
    finally:
        loop.close()  # the hanging fetch is left behind, never finished
    fresh = asyncio.run(client.get_jwk_set())  # a new loop starts its own fetch
    assert [key.key_id for key in fresh.keys] == ["ed25519"]
