"""The Redis store's logic that runs without a server: how a stored entry is read back, the
argument checks. (Its file name avoids "redis": the mutation run deselects tests by that word,
since the other Redis tests need a server.) Everything that talks to Redis is tested in
tests/test_redis_store.py and tests/test_revocation_contract.py, against real servers."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import re
import socket
import time
from typing import Any

import pytest

from jwtlite import _redis_connect as rc
from jwtlite import _redis_store as rs
from jwtlite.exceptions import (
    InvalidArgumentError,
    PyJWTError,
    RevocationStoreUnavailableError,
)
from jwtlite.revocation import RedisStore

_UNREADABLE = "unreadable revocation entry in Redis"


def _redis_package() -> None:
    # These build redis-py clients (no server): skipped without the package, failed in CI,
    # as the Redis server tests are (tests/_redis_servers.py).
    if importlib.util.find_spec("redis") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the redis Python package is required here (CI=true)")
        pytest.skip("needs the redis Python package")


needs_redis_package = pytest.mark.usefixtures("redis_package")


@pytest.fixture
def redis_package() -> None:
    _redis_package()


def _refusal(call: Any, *args: Any, error: type[Exception] = InvalidArgumentError) -> str:
    with pytest.raises(error) as caught:
        call(*args)
    return str(caught.value)


def test_a_stored_time_is_a_decimal_number() -> None:
    assert rs._time(b"1700000000.5") == 1_700_000_000.5
    assert rs._time(b"-2e3") == -2000.0
    assert rs._time(b"7") == 7.0
    bad = [b"", b"nan", b"inf", b"-inf", b"1_0", b"0x10", b" 1", b"1 ", b"1e400", b"1.2.3", b"e"]
    for text in bad:
        assert _refusal(rs._time, text, error=RevocationStoreUnavailableError) == _UNREADABLE
    assert len(bad) == 11


def test_a_jti_entry_is_an_expiry_or_expiry_reuse_until_and_successor() -> None:
    assert rs._jti_exp(None) is None
    assert rs._jti_exp(b"100.5") == 100.5
    assert rs._jti_exp(b"100.5|50|next") == 100.5
    assert rs._jti_exp(b"100.5|50|a|b") == 100.5  # the successor may hold "|"
    bad = [b"100|50", b"x|50|next", b"100|x|next", b"100|", b"|50|s"]
    for raw in bad:
        assert _refusal(rs._jti_exp, raw, error=RevocationStoreUnavailableError) == _UNREADABLE
    assert len(bad) == 5


def test_a_family_entry_is_an_expiry() -> None:
    assert rs._family_exp(None) is None
    assert rs._family_exp(b"9.25") == 9.25
    assert _refusal(rs._family_exp, b"9|1", error=RevocationStoreUnavailableError) == (
        _UNREADABLE
    )


def test_a_subject_entry_is_a_cutoff_and_an_expiry() -> None:
    assert rs._cutoff(None, 10.0) is None
    assert rs._cutoff(b"5.5|11", 10.0) == 5.5
    assert rs._cutoff(b"5.5|10", 10.0) is None  # expires exactly now: gone
    assert rs._cutoff(b"5.5|9", 10.0) is None
    bad = [b"5.5", b"5.5|11|x", b"x|11", b"5.5|x"]
    for raw in bad:
        assert _refusal(rs._cutoff, raw, 10.0, error=RevocationStoreUnavailableError) == (
            _UNREADABLE
        )
    assert len(bad) == 4


def test_replies_are_bytes_or_flags() -> None:
    assert rs._value(None) is None
    assert rs._value(b"1|2") == b"1|2"
    assert rs._value("1|\ud800") == b"1|\xed\xa0\x80"  # decode_responses=True, surrogatepass
    assert rs._flag(0) == 0
    assert rs._flag(1) == 1
    unexpected = "revocation store unavailable: unexpected reply"
    for reply in (2, -1, True, 1.0, b"1", None):
        assert _refusal(rs._flag, reply, error=RevocationStoreUnavailableError) == unexpected
    assert _refusal(rs._value, 5, error=RevocationStoreUnavailableError) == unexpected


def test_the_remaining_time_picks_the_shorter() -> None:
    assert rc._shorter(None, None) is None
    assert rc._shorter(3.0, None) == 3.0
    assert rc._shorter(None, 2.0) == 2.0
    assert rc._shorter(3.0, 2.0) == 2.0
    assert rc._shorter(2.0, 3.0) == 2.0
    assert rc._shorter(2.0, 2.0) == 2.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"prefix": "a{b"}, "prefix must be a string without braces"),
        ({"prefix": "a}"}, "prefix must be a string without braces"),
        ({"prefix": 5}, "prefix must be a string without braces"),
        ({"hash_tag": ""}, "hash_tag must be a string without braces"),
        ({"hash_tag": "{x"}, "hash_tag must be a string without braces"),
        ({"connect_timeout": 0}, "connect_timeout must be a positive number of seconds"),
        ({"timeout": math.inf}, "timeout must be a positive number of seconds"),
        ({"timeout": True}, "timeout must be a positive number of seconds"),
        ({"deadline": -1.0}, "deadline must be a positive number of seconds"),
        ({"deadline": "2"}, "deadline must be a positive number of seconds"),
        ({"deadline": math.nan}, "deadline must be a positive number of seconds"),
    ],
)
def test_store_arguments_are_refused_by_name(options: dict[str, Any], message: str) -> None:
    # Checked before any client is built or any server is reached.
    assert _refusal(lambda: RedisStore("redis://127.0.0.1:1/0", **options)) == message


@needs_redis_package
def test_an_empty_prefix_and_small_times_are_accepted() -> None:
    store = RedisStore("redis://127.0.0.1:1/0", prefix="", connect_timeout=0.001,
                       timeout=0.001, deadline=1e-6)  # fmt: skip
    assert repr(store) == "RedisStore(client=Redis, keys='{jwtlite}:')"
    store.close()


@needs_redis_package
def test_from_url_refuses_what_it_cannot_use_by_name() -> None:
    url = "redis://127.0.0.1:1/0"
    assert _refusal(lambda: RedisStore.from_url(b"redis://x")) == "url must be a string"
    assert _refusal(lambda: RedisStore.from_url(url, time_out=1.0)) == (
        'Unknown RedisStore option "time_out": did you mean "timeout"?'
    )
    # The first unknown name in sorted order; one close to no option lists them all.
    assert _refusal(lambda: RedisStore.from_url(url, zz=1, password="s3cret")) == (
        'Unknown RedisStore option "password": the options are prefix, hash_tag, clock, '
        "connect_timeout, timeout, deadline, cluster"
    )
    long = "hash_tag" + "x" * 60  # shown cut at 40 characters; too far from any option
    assert _refusal(lambda: RedisStore.from_url(url, **{long: 1})) == (
        f'Unknown RedisStore option "{long[:40]}...": the options are prefix, hash_tag, clock, '
        "connect_timeout, timeout, deadline, cluster"
    )
    store = RedisStore.from_url(url, prefix="p:", hash_tag="t")
    assert repr(store) == "RedisStore(client=Redis, keys='p:{t}:')"
    store.close()


@needs_redis_package
def test_store_built_from_a_url_without_a_server() -> None:
    # A URL gives a client with the store's timeouts; no connection is made until a call.
    store = RedisStore("redis://127.0.0.1:1/0")
    kwargs = store._client.connection_pool.connection_kwargs
    assert (kwargs["socket_connect_timeout"], kwargs["socket_timeout"]) == (1.0, 1.0)
    assert store._deadline == 2.0
    assert repr(store) == "RedisStore(client=Redis, keys='jwtlite:{jwtlite}:')"
    assert store._clock is time.time
    # EVALSHA names each script by the SHA-1 of its text (what SCRIPT LOAD answers).
    for script in (rs._EXTEND, rs._TAKE, rs._SUBJECT):
        assert store._shas[script] == hashlib.sha1(script.encode()).hexdigest()  # noqa: S324
    closed: list[str] = []
    store._client.close = lambda: closed.append("closed")
    store.close()
    assert closed == ["closed"]  # the store built the client, so it closes it
    other = RedisStore(
        "redis://127.0.0.1:1/0", connect_timeout=0.25, timeout=0.5, deadline=0.75,
        clock=lambda: 42.0,
    )  # fmt: skip
    kwargs = other._client.connection_pool.connection_kwargs
    assert (kwargs["socket_connect_timeout"], kwargs["socket_timeout"]) == (0.25, 0.5)
    assert other._deadline == 0.75
    assert other._now() == 42.0
    given = RedisStore(other._client)
    other._client.close = lambda: closed.append("closed again")
    given.close()
    assert closed == ["closed"]  # a client given to the store is the caller's to close
    other._client.close = lambda: None
    other.close()


@needs_redis_package
def test_an_unusable_url_is_refused_without_showing_it() -> None:
    assert _refusal(lambda: RedisStore("ftp://user:s3cret@x/0"), error=PyJWTError) == (
        "cannot use the Redis URL: ValueError"
    )


def test_a_successor_may_hold_the_separator_but_reuse_until_is_checked() -> None:
    # Only the first two "|" separate: "100|x|a|b" has an unreadable reuse_until.
    assert _refusal(rs._jti_exp, b"100|x|a|b", error=RevocationStoreUnavailableError) == (
        _UNREADABLE
    )


@needs_redis_package
def test_a_cluster_url_builds_a_cluster_client() -> None:
    # A cluster client asks a node for the slot map as it is built: with nothing listening,
    # building it fails (a plain client would connect only on the first call).
    message = _refusal(
        lambda: RedisStore("redis://127.0.0.1:1/0", cluster=True), error=PyJWTError
    )
    assert re.fullmatch(r"cannot use the Redis URL: RedisCluster\w*(Error|Exception)", message)


@needs_redis_package
def test_a_client_built_from_a_url_retries_once_at_once_within_the_deadline() -> None:
    from redis.backoff import NoBackoff
    from redis.connection import Connection

    store = RedisStore("redis://127.0.0.1:1/0")
    pool = store._client.connection_pool
    retry = pool.connection_kwargs["retry"]
    assert retry._retries == 1
    assert isinstance(retry._backoff, NoBackoff)
    assert pool.connection_class.__name__ == "DeadlineConnection"
    assert issubclass(pool.connection_class, rc._DeadlineConnection)
    assert issubclass(pool.connection_class, Connection)
    store.close()


class _Closable:
    def __init__(self, log: list[str], *, pool: bool) -> None:
        self.log = log
        if pool:
            self.connection_pool = self

    def close(self) -> None:
        self.log.append("close")

    def disconnect(self) -> None:
        self.log.append("disconnect")


@needs_redis_package
def test_close_also_ends_the_pool_s_connections() -> None:
    # redis-py 4.5.0's close() left the pool's connections open; a client without a pool
    # attribute (a cluster client) is only closed.
    for pool, expected in ((True, ["close", "disconnect"]), (False, ["close"])):
        log: list[str] = []
        store = RedisStore("redis://127.0.0.1:1/0")
        store._client.close()
        store._client = _Closable(log, pool=pool)
        store.close()
        assert log == expected


def test_time_left_in_a_store_call(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(rc, "time", type("T", (), {"monotonic": staticmethod(lambda: clock[0])}))
    assert rc._time_left() is None  # outside a store call
    token = rc.DEADLINE.set(101.5)
    try:
        assert rc._time_left() == 1.5
        clock[0] = 101.0
        assert rc._time_left() == 0.5
        clock[0] = 101.5
        with pytest.raises(socket.timeout) as caught:
            rc._time_left()
        assert str(caught.value) == "the revocation store call ran out of time"
    finally:
        rc.DEADLINE.reset(token)


class _Connection:
    """What _connect_by_address reads and sets of a redis-py connection."""

    def __init__(self, host: str, connect_timeout: float) -> None:
        self.host, self.port, self.socket_connect_timeout = host, 6379, connect_timeout


def _addresses(*hosts: str) -> list[Any]:
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, 6379)) for host in hosts]


def test_each_connect_gets_only_what_resolving_left(monkeypatch: pytest.MonkeyPatch) -> None:
    # A call with 1 s left whose name takes 0.2 s to resolve: the connect, given the address
    # in the place of the name, may wait only what is left, not the whole second again.
    def slow(host: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)
        return _addresses("127.0.0.1")

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    connection = _Connection("redis.example.test", 1.0)
    seen: list[tuple[str, float | None]] = []

    def connect() -> str:
        seen.append((connection.host, connection.socket_connect_timeout))
        return "connected"

    token = rc.DEADLINE.set(time.monotonic() + 1.0)
    try:
        assert rc._connect_by_address(connection, connect) == "connected"
    finally:
        rc.DEADLINE.reset(token)
    ((host, timeout),) = seen
    assert host == "127.0.0.1"
    assert timeout is not None
    assert 0 < timeout <= 0.8  # the 0.2 s slept is gone
    assert (connection.host, connection.socket_connect_timeout) == ("redis.example.test", 1.0)


def test_each_address_is_tried_and_the_last_error_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [_addresses("127.0.0.2", "127.0.0.1"), _addresses("127.0.0.3", "127.0.0.4"), []]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers.pop(0))
    connection = _Connection("redis.example.test", 1.0)
    tried: list[str] = []

    def connect() -> str:
        tried.append(connection.host)
        if connection.host != "127.0.0.1":
            raise ConnectionRefusedError(f"refused by {connection.host}")
        return "connected"

    assert rc._connect_by_address(connection, connect) == "connected"
    assert tried == ["127.0.0.2", "127.0.0.1"]
    with pytest.raises(ConnectionRefusedError, match=r"^refused by 127\.0\.0\.4$"):
        rc._connect_by_address(connection, connect)
    # getaddrinfo raises rather than answer nothing; an empty answer is refused all the same.
    with pytest.raises(OSError, match=r"^no address for the Redis host \(0 found\)$"):
        rc._connect_by_address(connection, connect)
    assert tried == ["127.0.0.2", "127.0.0.1", "127.0.0.3", "127.0.0.4"]
    assert connection.host == "redis.example.test"
