"""RedisStore against real Redis servers: layout, one round trip, many processes, faults.

The store contract itself (the same tests as every store) runs in test_revocation_contract.py.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _redis_servers import RedisServer, require_redis
from _resp_server import MisbehavingRedis
from conftest import FakeClock

from jwtlite.exceptions import (
    InvalidArgumentError,
    InvalidTokenError,
    PyJWTError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
)
from jwtlite.revocation import MemoryStore, RedisStore, RevocationStore
from jwtlite.tokens import TokenService

SECRET = "k" * 32
ISS = "https://issuer.test"
AUD = "https://api.test"


def _service(store: RevocationStore, **options: Any) -> TokenService:
    return TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, store=store, **options)


def _client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


@pytest.fixture
def store(redis_url: str) -> Iterator[RedisStore]:
    with RedisStore.from_url(redis_url) as redis_store:
        yield redis_store


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time_out": 1.0}, r'^Unknown RedisStore option "time_out": did you mean "timeout"\?$'),
        ({"deadline": 1.0, "hashtag": "x"}, r'"hashtag": did you mean "hash_tag"\?$'),
        ({"password": "s3cret"}, r'"password": the options are prefix, hash_tag, clock, '),
    ],
)
def test_from_url_names_a_misspelt_option(options: dict[str, Any], message: str) -> None:
    # Refused before any client is built (no server, no redis import needed), as jwtlite's
    # own error (a TypeError too), not as Python's "unexpected keyword argument".
    with pytest.raises(InvalidArgumentError, match=message) as caught:
        RedisStore.from_url("redis://localhost:1/0", **options)
    assert isinstance(caught.value, TypeError)


def test_from_url_knows_every_option_of_the_store() -> None:
    import inspect

    from jwtlite._redis_store import _OPTIONS

    keyword = [
        name
        for name, parameter in inspect.signature(RedisStore.__init__).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    assert tuple(keyword) == _OPTIONS


def test_importing_jwtlite_never_imports_redis() -> None:
    code = (
        "import sys, jwtlite, jwtlite.revocation, jwtlite.tokens\n"
        "assert 'redis' not in sys.modules, 'redis was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_keys_carry_prefix_tag_and_absolute_expiry(redis_url: str) -> None:
    client = _client(redis_url)
    store = RedisStore(client, prefix="app1:", hash_tag="rev")
    assert repr(store) == "RedisStore(client=Redis, keys='app1:{rev}:')"
    exp = time.time() + 100
    store.revoke("a", exp)
    store.revoke_family("f", exp)
    store.revoke_subject("s", 5.0, exp)
    assert store.consume("c", exp)
    keys = sorted(client.keys("*"))
    assert keys == [b"app1:{rev}:f:f", b"app1:{rev}:j:a", b"app1:{rev}:j:c", b"app1:{rev}:s:s"]
    for key in keys:
        # PXAT sets the expiry a minute after exp (for a server clock ahead of the app's).
        assert abs(client.pexpiretime(key) - (exp + 60) * 1000) < 5
    # Another prefix is another store.
    assert not RedisStore(client, prefix="app2:", hash_tag="rev").is_revoked("a")


def test_entries_expire_by_ttl(store: RedisStore, redis_url: str) -> None:
    client = _client(redis_url)
    store.revoke("gone", time.time() - 61)  # expired over a minute ago: Redis must not keep it
    assert client.exists(b"jwtlite:{jwtlite}:j:gone") == 0
    store.revoke("gone", time.time() - 1)  # kept for the margin, but it reads as absent
    assert not store.is_revoked("gone")
    assert store.consume("gone", time.time() + 10)  # and is taken over
    store.revoke("a", time.time() + 100)
    store.revoke("a", time.time() + 5)  # never shortened
    assert client.pttl(b"jwtlite:{jwtlite}:j:a") > 90_000
    assert store.purge() == 0


def test_a_host_clock_behind_the_servers_forgets_nothing_early(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An application host whose wall clock is 30 s behind the Redis server's (one host of
    # many, its NTP broken). PXAT is an instant on the server's clock: set at the token's exp
    # alone, Redis dropped the entry 30 s before the token expired on this host, and for those
    # 30 s a logged-out token worked again and a one-time refresh token could be spent twice.
    import jwtlite._redis_store as module

    real = time
    behind = types.SimpleNamespace(time=lambda: real.time() - 30, monotonic=real.monotonic)
    monkeypatch.setattr(module, "time", behind)
    store = RedisStore(_client(redis_url))
    exp = behind.time() + 5  # the token has 5 s left on this host
    store.revoke("logged-out", exp)
    assert store.is_revoked("logged-out")
    assert store.lookup(jti="logged-out", family="f", subject="s") == (True, False, None)
    assert store.consume("one-time", exp)
    assert not store.consume("one-time", exp)
    store.revoke_family("fam", exp)
    assert store.is_family_revoked("fam")
    store.revoke_subject("sub", behind.time() - 1, exp)
    assert store.subject_cutoff("sub") is not None


def test_hostile_ids_are_data(store: RedisStore) -> None:
    exp = time.time() + 60
    for name in ("{other}", "a|b", "\ud800", "x" * 5000, "", "j:a"):
        store.revoke(name, exp)
        assert store.is_revoked(name)
        store.revoke_family(name, exp)
        store.revoke_subject(name, 3.0, exp)
        assert store.lookup(jti=name, family=name, subject=name) == (True, True, 3.0)
    assert not store.is_revoked("a")
    successor = "s|with|bars\ud800"
    assert store.spend("r", exp, successor=successor, reuse_until=exp) == successor
    assert store.spend("r", exp, successor="other", reuse_until=exp) == successor


def test_unreadable_entries_fail_closed(store: RedisStore, redis_url: str) -> None:
    client = _client(redis_url)
    client.set(b"jwtlite:{jwtlite}:j:x", b"garbage")
    client.set(b"jwtlite:{jwtlite}:s:x", b"7")
    with pytest.raises(RevocationStoreUnavailableError, match="unreadable"):
        store.is_revoked("x")
    with pytest.raises(RevocationStoreUnavailableError, match="unreadable"):
        store.subject_cutoff("x")


def test_stored_times_that_are_not_finite_numbers_fail_closed(
    store: RedisStore, redis_url: str
) -> None:
    # "nan" read by float() made an entry read as "not revoked"; "inf" read as revoked for
    # ever; Lua's tonumber() read "0x10" as 16 and took over "garbage" in consume().
    client = _client(redis_url)
    exp = time.time() + 60
    later = repr(exp)
    jtis = {
        "nan": "nan", "inf": "inf", "big": "1e999", "hex": "0x10", "under": "1_0",
        "junk": "garbage", "reuse": f"{later}|nan|next", "bars": f"{later}|1",
    }  # fmt: skip
    families = {"nan": "nan", "ninf": "-inf", "bar": f"{later}|{later}"}
    subjects = {"nan": f"nan|{later}", "inf": "5|inf", "one": "5", "three": f"5|{later}|x"}
    for kind, entries in ((b"j:", jtis), (b"f:", families), (b"s:", subjects)):
        for name, value in entries.items():
            client.set(b"jwtlite:{jwtlite}:" + kind + name.encode(), value)
    calls: list[Callable[[], object]] = []
    for name in jtis:
        calls += [
            lambda name=name: store.is_revoked(name),
            lambda name=name: store.lookup(jti=name, family="-", subject="-"),
            lambda name=name: store.consume(name, exp),
            lambda name=name: store.spend(name, exp, successor="s", reuse_until=exp),
        ]
    for name in families:
        calls += [
            lambda name=name: store.is_family_revoked(name),
            lambda name=name: store.lookup(jti="-", family=name, subject="-"),
        ]
    for name in subjects:
        calls += [
            lambda name=name: store.subject_cutoff(name),
            lambda name=name: store.lookup(jti="-", family="-", subject=name),
        ]
    for call in calls:
        with pytest.raises(RevocationStoreUnavailableError, match="unreadable"):
            call()
    assert len(calls) == 8 * 4 + 3 * 2 + 4 * 2
    # A revocation replaces an unreadable entry: what it writes is all that is known.
    store.revoke("nan", exp)
    store.revoke("big", exp)
    store.revoke_family("nan", exp)
    store.revoke_subject("nan", 7.0, exp)
    assert store.lookup(jti="nan", family="nan", subject="nan") == (True, True, 7.0)
    assert store.is_revoked("big")


def test_client_with_decode_responses(redis_url: str) -> None:
    # Such a client answers str, not bytes: reads raised TypeError (a 500), and spend() took
    # the replayed successor (a str) for reuse and so revoked the family.
    import redis

    clock = FakeClock(time.time())
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = RedisStore(client, clock=clock)
    exp = clock.now + 60
    store.revoke("a", exp)
    store.revoke_family("f", exp)
    store.revoke_subject("s", 5.0, exp)
    assert store.is_revoked("a")
    assert store.is_family_revoked("f")
    assert store.subject_cutoff("s") == 5.0
    assert store.lookup(jti="a", family="f", subject="s") == (True, True, 5.0)
    assert store.lookup(jti="b", family="g", subject="t") == (False, False, None)
    assert store.spend("r", exp, successor="n\u00e9xt", reuse_until=exp) == "n\u00e9xt"
    assert store.spend("r", exp, successor="other", reuse_until=exp) == "n\u00e9xt"
    assert not store.consume("r", exp)
    service = _service(store, clock=clock, refresh_reuse_interval=5)
    pair = service.issue("alice")
    assert service.refresh(pair.refresh_token) == service.refresh(pair.refresh_token)
    # Bytes such a client cannot decode (someone else's value) fail closed as well.
    _client(redis_url).set(b"jwtlite:{jwtlite}:j:bad", b"\xff\xfe")
    with pytest.raises(RevocationStoreUnavailableError, match="malformed reply"):
        store.is_revoked("bad")
    assert not store.is_revoked("c")  # the connection was replaced, the store still works


def test_close_ends_the_connections_a_store_opened(redis_url: str) -> None:
    # redis-py 4.5.0 (the lowest supported) kept the pool's sockets open after close().
    client = _client(redis_url)
    before = len(client.client_list())
    store = RedisStore.from_url(redis_url)
    store.lookup(jti="a", family="b", subject="c")
    assert len(client.client_list()) == before + 1
    store.close()
    assert len(client.client_list()) == before


def test_verify_is_one_round_trip(redis_url: str) -> None:
    client = _client(redis_url)
    service = _service(RedisStore.from_url(redis_url))
    pairs = [service.issue(f"user{i}") for i in range(50)]
    service.verify_access(pairs[0].access_token)  # connects (HELLO) before counting
    client.config_resetstat()
    for pair in pairs:
        service.verify_access(pair.access_token)
    stats = client.info("commandstats")
    calls = {name: entry["calls"] for name, entry in stats.items()}
    # The reset and this INFO are the test's own commands.
    calls.pop("cmdstat_info", None)
    calls.pop("cmdstat_config|resetstat", None)
    assert calls == {"cmdstat_mget": 50}


def test_reuse_interval_through_redis(store: RedisStore) -> None:
    clock = FakeClock(time.time())
    service = _service(
        RedisStore(store._client, clock=clock), clock=clock, refresh_reuse_interval=5
    )
    first = service.issue("alice")
    second = service.refresh(first.refresh_token)
    clock.now += 4
    assert service.refresh(first.refresh_token) == second
    clock.now += 1
    with pytest.raises(RevokedTokenError, match="reuse"):
        service.refresh(first.refresh_token)
    with pytest.raises(RevokedTokenError, match="family"):
        service.verify_access(second.access_token)


def test_cluster_spreads_nothing_it_cannot_serve(redis_cluster_url: str) -> None:
    # Several hash tags land on different masters; each store works on its own slot.
    stores = [RedisStore(redis_cluster_url, cluster=True, hash_tag=f"t{n}") for n in range(6)]
    exp = time.time() + 60
    for n, store in enumerate(stores):
        service = _service(store)
        pair = service.issue(f"user{n}")
        service.verify_access(pair.access_token)
        service.revoke(pair.access_token)
        with pytest.raises(RevokedTokenError):
            service.verify_access(pair.access_token)
        assert store.spend(f"r{n}", exp, successor="s", reuse_until=exp) == "s"
    import redis.cluster

    client = redis.cluster.RedisCluster.from_url(redis_cluster_url)
    slots = {client.keyslot(f"x{{t{n}}}") for n in range(6)}
    owners = {client.get_node_from_key(f"x{{t{n}}}").port for n in range(6)}
    assert len(slots) == 6
    assert len(owners) >= 2


def test_sentinel_managed_client(redis_url: str, tmp_path: Path) -> None:
    from redis.sentinel import Sentinel

    master_port = int(redis_url.rsplit(":", 1)[1].split("/", maxsplit=1)[0])
    config = tmp_path / "sentinel.conf"
    config.write_text(f"sentinel monitor jwtmaster 127.0.0.1 {master_port} 1\n")
    sentinel_server = RedisServer(
        tmp_path / "sentinel", "--sentinel", config=config, ready=b"+monitor master"
    )
    sentinel_server.start()
    try:
        sentinel = Sentinel([("127.0.0.1", sentinel_server.port)], socket_timeout=1)
        store = RedisStore(sentinel.master_for("jwtmaster", socket_timeout=1))
        service = _service(store)
        pair = service.issue("alice")
        service.revoke(pair.access_token)
        with pytest.raises(RevokedTokenError):
            service.verify_access(pair.access_token)
        assert RedisStore(redis_url).is_family_revoked(_claims_fam(pair.access_token))
    finally:
        sentinel_server.stop()


def _claims_fam(token: str) -> str:
    from jwtlite.api import PyJWT

    family: str = PyJWT().decode(token, options={"verify_signature": False})["fam"]
    return family


def test_bad_arguments(redis_url: str) -> None:
    for options in (
        {"prefix": "a{b"},
        {"hash_tag": ""},
        {"hash_tag": "x}"},
        {"prefix": 7},
        {"timeout": 0},
        {"connect_timeout": True},
        {"timeout": float("inf")},  # socket.settimeout(inf) raised OverflowError on each call
        {"deadline": 0},
        {"deadline": float("nan")},
        {"deadline": "1"},
    ):
        with pytest.raises(InvalidArgumentError):
            RedisStore(redis_url, **options)
    with pytest.raises(InvalidArgumentError):
        RedisStore.from_url(b"redis://127.0.0.1")  # type: ignore[arg-type]
    with pytest.raises(PyJWTError, match="cannot use the Redis URL") as caught:
        RedisStore("http://user:s3cret@example.test/")
    assert "s3cret" not in str(caught.value)


def test_unreachable_server_fails_closed_and_hides_password() -> None:
    require_redis()
    with socket.socket() as sock:  # a port that refuses connections
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = RedisStore(f"redis://:s3cret@127.0.0.1:{port}/0", timeout=0.2, connect_timeout=0.2)
    assert "s3cret" not in repr(store)
    service = _service(store)
    pair = _service(MemoryStore()).issue("alice")  # same key; issuing needs no store
    calls = [
        lambda: store.revoke("a", 1e10),
        lambda: store.is_revoked("a"),
        lambda: store.consume("a", 1e10),
        lambda: store.spend("a", 1e10, successor="s", reuse_until=1e10),
        lambda: store.revoke_family("a", 1e10),
        lambda: store.is_family_revoked("a"),
        lambda: store.revoke_subject("a", 1.0, 1e10),
        lambda: store.subject_cutoff("a"),
        lambda: store.lookup(jti="a", family="b", subject="c"),
        lambda: service.verify_access(pair.access_token),
        lambda: service.refresh(pair.refresh_token),
        lambda: service.revoke(pair.access_token),
        lambda: service.revoke_subject("alice"),
    ]
    for call in calls:
        with pytest.raises(RevocationStoreUnavailableError) as caught:
            call()
        assert not isinstance(caught.value, InvalidTokenError)
        assert "s3cret" not in str(caught.value)
    assert len(calls) == 13


def test_silent_server_times_out_within_bound() -> None:
    require_redis()
    # A listener that accepts connections (the kernel's backlog) but never answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        store = RedisStore(f"redis://127.0.0.1:{port}/0", timeout=0.2, connect_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(RevocationStoreUnavailableError, match="Timeout"):
            store.is_revoked("a")
        # Two attempts of 0.2 s each, with generous room for a loaded machine.
        assert time.monotonic() - started < 2.0


# (command, reply of the wrong type or size, the store call that gets it, a good reply)
_BROKEN_REPLIES = [
    (b"GET", b":5\r\n", "is_revoked", b"$-1\r\n"),  # an integer where a value belongs
    (b"GET", b"*1\r\n$1\r\n5\r\n", "is_family_revoked", b"$-1\r\n"),  # an array
    (b"GET", b":abc\r\n", "subject_cutoff", b"$-1\r\n"),  # not even an integer
    (b"GET", b"*1\r\n" * 5000 + b"$-1\r\n", "is_revoked", b"$-1\r\n"),  # nested too deep
    (b"MGET", b":5\r\n", "lookup", b"*3\r\n$-1\r\n$-1\r\n$-1\r\n"),  # not an array
    (b"MGET", b"*2\r\n$-1\r\n$-1\r\n", "lookup", b"*3\r\n$-1\r\n$-1\r\n$-1\r\n"),
    (b"MGET", b"*4\r\n" + b"$-1\r\n" * 4, "lookup", b"*3\r\n$-1\r\n$-1\r\n$-1\r\n"),
    (b"MGET", b"*3\r\n:1\r\n$-1\r\n$-1\r\n", "lookup", b"*3\r\n$-1\r\n$-1\r\n$-1\r\n"),
    (b"EVALSHA", b"*0\r\n", "consume", b":1\r\n"),  # scripts answer 0 or 1 (or a value)
    (b"EVALSHA", b":7\r\n", "revoke", b":1\r\n"),
    (b"EVALSHA", b"*1\r\n:1\r\n", "spend", b":1\r\n"),
    (b"EVALSHA", b"$-1\r\n", "revoke_subject", b":1\r\n"),
    (b"EVALSHA", b":2\r\n", "revoke_family", b":1\r\n"),
]


def _store_call(store: RedisStore, method: str) -> object:
    exp = time.time() + 60
    calls: dict[str, Callable[[], object]] = {
        "is_revoked": lambda: store.is_revoked("a"),
        "is_family_revoked": lambda: store.is_family_revoked("f"),
        "subject_cutoff": lambda: store.subject_cutoff("s"),
        "lookup": lambda: store.lookup(jti="a", family="f", subject="s"),
        "consume": lambda: store.consume("a", exp),
        "revoke": lambda: store.revoke("a", exp),
        "spend": lambda: store.spend("a", exp, successor="n", reuse_until=exp),
        "revoke_subject": lambda: store.revoke_subject("s", 1.0, exp),
        "revoke_family": lambda: store.revoke_family("f", exp),
    }
    return calls[method]()


@pytest.mark.parametrize(
    ("command", "reply", "method", "good"),
    _BROKEN_REPLIES,
    ids=[f"{case[2]}-{n}" for n, case in enumerate(_BROKEN_REPLIES)],
)
def test_replies_of_the_wrong_type_or_size_fail_closed(
    command: bytes, reply: bytes, method: str, good: bytes
) -> None:
    # They raised ValueError, TypeError, AttributeError or RecursionError (a 500), or were
    # taken for an answer: consume() said "already spent", revoke() reported success.
    require_redis()
    with MisbehavingRedis() as server:
        server.replies[command] = reply
        with RedisStore(server.url, connect_timeout=2, timeout=2) as store:
            with pytest.raises(RevocationStoreUnavailableError) as caught:
                _store_call(store, method)
            assert not isinstance(caught.value, InvalidTokenError)
            server.replies[command] = good
            _store_call(store, method)  # the store goes on working
        assert command in server.commands


@pytest.mark.parametrize(
    ("command", "method", "database"),
    [
        (b"GET", "is_revoked", 0),
        (b"MGET", "lookup", 0),
        (b"EVALSHA", "consume", 0),
        (b"SELECT", "is_revoked", 1),  # the connection's set-up
    ],
)
def test_a_dripping_server_is_cut_off_at_the_deadline(
    command: bytes, method: str, database: int
) -> None:
    # Each byte arrives well within the 0.2 s read timeout, so only an overall deadline can
    # end the call; before it, a call lasted as long as the server kept dripping.
    require_redis()
    with MisbehavingRedis(interval=0.02, drip_for=2.0) as server:
        server.drip[command] = b"$1000\r\n" + b"1" * 1000
        url = server.url[:-1] + str(database)
        with RedisStore(url, connect_timeout=0.2, timeout=0.2, deadline=0.3) as store:
            started = time.monotonic()
            with pytest.raises(RevocationStoreUnavailableError, match="Timeout"):
                _store_call(store, method)
            elapsed = time.monotonic() - started
            assert 0.3 <= elapsed < 1.2, elapsed  # the deadline, with room for a loaded host
            # The connection was dropped with the rest of the drip: a new one reads cleanly.
            del server.drip[command]
            server.replies.update({b"GET": b"$-1\r\n", b"EVALSHA": b":1\r\n"})
            server.replies[b"MGET"] = b"*3\r\n$-1\r\n$-1\r\n$-1\r\n"
            _store_call(store, method)


def test_outage_fails_closed_then_recovers(tmp_path: Path) -> None:
    require_redis()
    server = RedisServer(tmp_path / "redis", "--appendonly", "yes")
    server.start()
    try:
        service = _service(RedisStore(server.url, timeout=0.5, connect_timeout=0.5))
        revoked, live = service.issue("alice"), service.issue("bob")
        service.revoke(revoked.access_token)
        service.verify_access(live.access_token)
        server.stop()
        for _ in range(20):
            with pytest.raises(RevocationStoreUnavailableError):
                service.verify_access(live.access_token)
            with pytest.raises(RevocationStoreUnavailableError):
                service.verify_access(revoked.access_token)
        with pytest.raises(RevocationStoreUnavailableError):
            service.refresh(live.refresh_token)
        server.start()
        assert service.verify_access(live.access_token)["sub"] == "bob"
        with pytest.raises(RevokedTokenError):
            service.verify_access(revoked.access_token)
        service.refresh(live.refresh_token)
    finally:
        server.stop()


def test_no_acknowledged_revocation_lost_after_kill_9(tmp_path: Path) -> None:
    require_redis()
    server = RedisServer(tmp_path / "redis", "--appendonly", "yes", "--appendfsync", "always")
    server.start()
    try:
        service = _service(RedisStore(server.url))
        pairs = [service.issue(f"user{i}") for i in range(200)]
        for pair in pairs[:100]:
            service.revoke(pair.access_token, family=False)
        for pair in pairs[100:150]:
            service.refresh(pair.refresh_token)  # spent: a replay must still be caught
        service.revoke_subject("user199")
        server.kill()
        server.start()
        service = _service(RedisStore(server.url))
        for pair in pairs[:100]:
            with pytest.raises(RevokedTokenError, match="token has been revoked"):
                service.verify_access(pair.access_token)
        for pair in pairs[100:150]:
            with pytest.raises(RevokedTokenError, match="reuse"):
                service.refresh(pair.refresh_token)
        with pytest.raises(RevokedTokenError, match="subject"):
            service.verify_access(pairs[199].access_token)
        service.verify_access(pairs[198].access_token)
    finally:
        server.stop()


_WORKER = """
import json, sys
from jwtlite.exceptions import RevokedTokenError
from jwtlite.revocation import RedisStore
from jwtlite.tokens import TokenService

service = TokenService("k" * 32, "HS256", issuer=sys.argv[2], audience=sys.argv[3],
                       store=RedisStore.from_url(sys.argv[1], cluster=sys.argv[4] == "1"))
print("ready", flush=True)
for line in sys.stdin:
    command = json.loads(line)
    results = []
    for token in command["tokens"]:
        try:
            if command["op"] == "refresh":
                results.append(service.refresh(token).access_token)
            elif command["op"] == "verify":
                service.verify_access(token)
                results.append("ok")
            else:
                service.revoke(token, family=False)
                results.append("ok")
        except RevokedTokenError as exc:
            results.append("revoked: " + str(exc))
    print(json.dumps(results), flush=True)
"""


def _ask(workers: list[subprocess.Popen[str]], commands: list[dict[str, Any]]) -> list[Any]:
    # Write every command before reading any answer, so the workers race.
    for worker, command in zip(workers, commands):
        assert worker.stdin is not None
        worker.stdin.write(json.dumps(command) + "\n")
        worker.stdin.flush()
    answers = []
    for worker in workers:
        assert worker.stdout is not None
        answers.append(json.loads(worker.stdout.readline()))
    return answers


@pytest.mark.parametrize("cluster", [False, True], ids=["server", "cluster"])
def test_four_processes_share_one_deny_list(cluster: bool, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("redis_cluster_url" if cluster else "redis_url")
    issuer = _service(RedisStore.from_url(url, cluster=cluster))
    pairs = [issuer.issue(f"user{i}") for i in range(200)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, ISS, AUD, "1" if cluster else "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        refresh_tokens = [pair.refresh_token for pair in pairs]
        # Each worker walks the list from a different point, so they collide everywhere.
        orders = [refresh_tokens[n * 50 :] + refresh_tokens[: n * 50] for n in range(4)]
        answers = _ask(workers, [{"op": "refresh", "tokens": order} for order in orders])
        winners: dict[int, list[str]] = {}
        for n, answer in enumerate(answers):
            assert len(answer) == 200
            for position, result in enumerate(answer):
                index = (position + n * 50) % 200
                if not result.startswith("revoked"):
                    winners.setdefault(index, []).append(result)
        # Exactly one success per token across the four processes.
        assert sorted(winners) == list(range(200))
        assert all(len(won) == 1 for won in winners.values())
        # Every token was replayed by the losers, so every family is dead, in every process.
        new_access = [winners[i][0] for i in range(200)]
        for answer in _ask(workers, [{"op": "verify", "tokens": new_access}] * 4):
            assert answer == ["revoked: token family has been revoked"] * 200
        # A token revoked in one process is refused by the others on their next request.
        fresh = [issuer.issue(f"late{i}").access_token for i in range(20)]
        for answer in _ask(workers, [{"op": "verify", "tokens": fresh}] * 4):
            assert answer == ["ok"] * 20
        assert _ask(workers[:1], [{"op": "revoke", "tokens": fresh}]) == [["ok"] * 20]
        for answer in _ask(workers[1:], [{"op": "verify", "tokens": fresh}] * 3):
            assert answer == ["revoked: token has been revoked"] * 20
    finally:
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.close()
            worker.wait(timeout=30)
            assert worker.stdout is not None
            worker.stdout.close()


def test_missing_redis_skips_here_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import _redis_servers

    monkeypatch.setattr(_redis_servers.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("JWTLITE_REQUIRE_REDIS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="redis-server, redis-cli"):
        require_redis()
    for name, value in (("CI", "true"), ("JWTLITE_REQUIRE_REDIS", "1")):
        with monkeypatch.context() as env:
            env.setenv(name, value)
            with pytest.raises(pytest.fail.Exception, match="required here"):
                require_redis()


def test_a_server_whose_port_is_taken_leaves_no_open_pipe(tmp_path: Path) -> None:
    """The test servers' own hygiene: CI runs suites side by side, so a port can be taken
    between free_port() and redis-server's bind; the failed start must close its log pipe
    (else a ResourceWarning surfaces in whichever test the garbage collector runs next)."""
    require_redis()
    import gc
    import warnings

    from _redis_servers import _PortTakenError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = RedisServer(tmp_path / "taken")
        server.port = taken.getsockname()[1]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(_PortTakenError):
                server._start()
            gc.collect()
    assert server.process is None
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


# --- Mutation-testing gaps (docs/architecture.md, "Mutation testing", the Redis store) ---


def test_an_injected_clock_shifts_the_expiry_onto_the_servers_time(redis_url: str) -> None:
    # With a clock of its own (1000 s behind the wall clock here), the store's exp is an
    # instant on that clock: Redis must keep the entry until exp + 1000 s + the minute's margin
    # on its own (wall) clock. A shift of the wrong sign dropped the entry 2000 s early (a
    # revoked token alive again); one added twice kept it for ever.
    # The shift is taken from the wall clock at each call, so it grows by the time the calls
    # take (56 ms once on a loaded machine): each expiry lies between the shift at the start
    # and the shift at the end, give or take Redis's whole milliseconds.
    client = _client(redis_url)
    started = time.time()
    clock = FakeClock(started - 1000)
    store = RedisStore(client, clock=clock)
    exp = clock.now + 100
    store.revoke("a", exp)
    store.revoke_family("f", exp)
    store.revoke_subject("s", clock.now, exp)
    assert store.consume("c", exp)
    assert store.spend("r", exp, successor="n", reuse_until=exp) == "n"
    took = time.time() - started
    expected = (exp + 1000 + 60) * 1000
    for key in (b"j:a", b"f:f", b"s:s", b"j:c", b"j:r"):
        at = client.pexpiretime(b"jwtlite:{jwtlite}:" + key)
        assert -2 <= at - expected <= took * 1000 + 2, (key, at - expected, took)


def test_a_loaded_script_runs_in_one_round_trip(redis_url: str) -> None:
    # EVALSHA sends the script's digest; only a server that lacks the script (a restart) is
    # sent the script itself. A wrong digest read as "no such script" every time: every
    # revocation and refresh paid a second round trip with the whole script.
    client = _client(redis_url)
    store = RedisStore(client)
    exp = time.time() + 60
    store.revoke("warm", exp)  # loads the script (EVALSHA, then EVAL)
    store.consume("warm-c", exp)
    store.revoke_subject("warm-s", 1.0, exp)
    client.config_resetstat()
    store.revoke("a", exp)
    store.revoke_family("f", exp)
    assert store.consume("c", exp)
    assert store.spend("r", exp, successor="n", reuse_until=exp) == "n"
    store.revoke_subject("s", 1.0, exp)
    stats = client.info("commandstats")
    # (The scripts' own GET and SET count too; only what the client sent matters here.)
    sent = {
        name: stats.get(name, {}).get("calls", 0) for name in ("cmdstat_evalsha", "cmdstat_eval")
    }
    assert sent == {"cmdstat_evalsha": 5, "cmdstat_eval": 0}


def test_a_replayed_successor_with_a_lone_surrogate_through_decoding_client(
    redis_url: str,
) -> None:
    # A client that decodes replies with surrogatepass hands back the successor as a str
    # holding the lone surrogate it was stored with; it must come back unchanged, not as a
    # UnicodeEncodeError (a 500) on the replay a reuse interval exists for.
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True, encoding_errors="surrogatepass")
    store = RedisStore(client)
    exp = time.time() + 60
    successor = "next\ud800"
    assert store.spend("r", exp, successor=successor, reuse_until=exp) == successor
    assert store.spend("r", exp, successor="other", reuse_until=exp) == successor


def test_the_errors_say_what_failed(redis_url: str) -> None:
    # The refusal names the client's error class (a 503 with its cause) or the broken reply's.
    require_redis()
    with socket.socket() as sock:  # a port that refuses connections
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0", timeout=0.2, connect_timeout=0.2)
    with pytest.raises(RevocationStoreUnavailableError) as caught:
        store.is_revoked("a")
    assert str(caught.value).startswith("revocation store unavailable: ConnectionError: ")
    import redis

    _client(redis_url).set(b"jwtlite:{jwtlite}:j:bad", b"\xff\xfe")
    decoding = RedisStore(redis.Redis.from_url(redis_url, decode_responses=True))
    with pytest.raises(RevocationStoreUnavailableError) as caught:
        decoding.is_revoked("bad")
    assert str(caught.value) == (
        "revocation store unavailable: malformed reply (UnicodeDecodeError)"
    )


def test_every_write_leaves_the_key_its_expiry(store: RedisStore, redis_url: str) -> None:
    # Each way a script writes a key keeps an absolute expiry a minute past the exp that key
    # now holds: taking over an expired jti, replacing an unreadable entry, keeping a later
    # exp. A key left without one stayed in Redis for ever.
    client = _client(redis_url)
    now = time.time()
    store.consume("c", now - 1)  # kept for the margin, expired by the store's clock
    assert store.consume("c", now + 100)  # taken over
    store.spend("r", now - 1, successor="s", reuse_until=now - 1)
    assert store.spend("r", now + 100, successor="t", reuse_until=now + 5) == "t"
    client.set(b"jwtlite:{jwtlite}:j:u", b"nan")
    store.revoke("u", now + 100)  # replaces an unreadable entry
    client.set(b"jwtlite:{jwtlite}:s:u", b"nan|nan")
    store.revoke_subject("u", 1.0, now + 100)
    store.revoke_subject("s", 1.0, now + 100)
    store.revoke_subject("s", 2.0, now + 5)  # a higher cutoff, the later exp kept
    assert store.subject_cutoff("s") == 2.0
    for key in (b"j:c", b"j:r", b"j:u", b"s:u", b"s:s"):
        at = client.pexpiretime(b"jwtlite:{jwtlite}:" + key)
        assert abs(at - (now + 160) * 1000) < 50, (key, at)


def _time_a_call(store: RedisStore) -> float:
    started = time.monotonic()
    with pytest.raises(RevocationStoreUnavailableError, match="Timeout"):
        store.is_revoked("a")
    return time.monotonic() - started


def test_connecting_is_bounded_by_the_deadline_and_by_its_own_timeout() -> None:
    # A listener whose accept queue is full (backlog 0, one connection waiting): the kernel
    # drops further SYNs, so connecting hangs. Each attempt waits at most the shorter of
    # connect_timeout and the time left; a connect that ignored the deadline took 2 s per
    # attempt, one that took the read timeout (or only the deadline) 3 s.
    require_redis()
    with socket.socket() as listener, socket.socket() as waiting:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        waiting.connect(("127.0.0.1", port))
        url = f"redis://127.0.0.1:{port}/0"
        with RedisStore(url, connect_timeout=2.0, timeout=2.0, deadline=0.3) as store:
            assert 0.3 <= _time_a_call(store) < 1.0
        with RedisStore(url, connect_timeout=0.2, timeout=3.0, deadline=3.0) as store:
            assert 0.4 <= _time_a_call(store) < 1.5  # two attempts of 0.2 s


_NAME = "redis.example.test"


def _resolver(monkeypatch: pytest.MonkeyPatch, answer: Callable[[], str]) -> list[tuple[str, str]]:
    """Resolve _NAME to the loopback address ``answer()`` gives (it may block); every other
    host as before. Returns the names looked up, with the thread that asked."""
    real = socket.getaddrinfo
    asked: list[tuple[str, str]] = []

    def resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append((host, threading.current_thread().name))
        return real(answer() if host == _NAME else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return asked


def test_name_resolution_is_under_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # A dead DNS server: getaddrinfo, which has no timeout of its own, hangs. The store call
    # fails closed at its deadline instead of waiting the resolver out (10 s here).
    require_redis()
    release = threading.Event()

    def hang() -> str:
        release.wait(10)
        return "127.0.0.1"

    asked = _resolver(monkeypatch, hang)
    try:
        url = f"redis://{_NAME}:6379/0"
        with RedisStore(url, connect_timeout=2.0, timeout=2.0, deadline=0.3) as store:
            started = time.monotonic()
            with pytest.raises(RevocationStoreUnavailableError, match=r"^revocation store una"):
                store.is_revoked("a")
            elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 2.0, elapsed
        assert asked == [(_NAME, "jwtlite-dns")]  # the retry found the deadline passed
    finally:
        release.set()


def test_a_host_name_is_resolved_once_then_connected_to_by_address(
    monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer
) -> None:
    asked = _resolver(monkeypatch, lambda: "127.0.0.1")
    with RedisStore(f"redis://{_NAME}:{redis_server.port}/0") as store:
        store.revoke("resolved", time.time() + 60)
        assert store.is_revoked("resolved")
        # The connection the calls used, back in the pool (get_connection's arguments differ
        # between redis-py releases).
        connection = store._client.connection_pool._available_connections[-1]
        assert connection.host == _NAME  # given back after connecting: error texts name it
    # In a thread, under the deadline; redis-py then connects to the number (no second lookup).
    assert asked[:2] == [(_NAME, "jwtlite-dns"), ("127.0.0.1", "MainThread")], asked
    assert [name for name, _ in asked].count(_NAME) == 1


def test_tls_still_checks_the_host_name_not_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    # The address goes to redis-py's TCP connect only: the TLS layer above it sends the name
    # (SNI) and checks the certificate against it. A listener that accepts is enough: the
    # handshake is stopped before it starts.
    require_redis()
    import ssl

    hostnames: list[str | None] = []

    def wrap_socket(self: Any, sock: Any, *args: Any, server_hostname: Any, **kw: Any) -> Any:
        hostnames.append(server_hostname)
        sock.close()  # as the TLS socket that takes it over would be (redis-py 4.5 leaves it)
        raise ssl.SSLError("handshake stopped by the test")

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)
    asked = _resolver(monkeypatch, lambda: "127.0.0.1")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        url = f"rediss://{_NAME}:{listener.getsockname()[1]}/0"
        store = RedisStore(url, connect_timeout=1.0, timeout=1.0, deadline=2.0)
        with store, pytest.raises(RevocationStoreUnavailableError):
            store.is_revoked("a")
    # The call, and with some redis-py releases its one retry.
    assert hostnames in ([_NAME], [_NAME, _NAME]), hostnames
    assert (_NAME, "jwtlite-dns") in asked


def test_a_read_waits_no_longer_than_the_time_left() -> None:
    # A server that answers after 1.5 s, under a read timeout of 2 s and a deadline of 0.3 s:
    # the read itself must end at the deadline, not at the first byte.
    require_redis()
    with MisbehavingRedis(interval=1.5, drip_for=3.0) as server:
        server.drip[b"GET"] = b"$-1\r\n"
        with RedisStore(server.url, connect_timeout=2, timeout=2, deadline=0.3) as store:
            assert 0.3 <= _time_a_call(store) < 1.0


def _one_node_cluster(server: MisbehavingRedis) -> None:
    # Enough of a cluster for redis-py's RedisCluster: one node owning every slot, and the
    # command table entry for GET (its key is the first argument).
    server.replies[b"CLUSTER"] = (
        b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$9\r\n127.0.0.1\r\n:%d\r\n" % server.port
    )
    server.replies[b"COMMAND"] = (
        b"*1\r\n*6\r\n$3\r\nget\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n"
    )
    # redis-py before 4.6 asks INFO whether cluster mode is on before it asks for the slots.
    info = b"cluster_enabled:1\r\n"
    server.replies[b"INFO"] = b"$%d\r\n%s\r\n" % (len(info), info)


@pytest.mark.parametrize(
    ("interval", "timeout", "deadline", "within"),
    [(0.02, 0.2, 0.3, (0.3, 1.2)), (1.5, 0.2, 2.0, (0.4, 1.2))],
    ids=["dripping-deadline", "silent-timeout"],
)
def test_a_cluster_client_from_a_url_keeps_the_deadline_and_the_timeouts(
    interval: float, timeout: float, deadline: float, within: tuple[float, float]
) -> None:
    # A cluster node that drips its reply is cut off at the deadline (the pool class carries
    # it to every node's connections); one that stays silent, at the read timeout (two
    # attempts of 0.2 s), not at the 2 s deadline.
    require_redis()
    with MisbehavingRedis(interval=interval, drip_for=3.0) as server:
        _one_node_cluster(server)
        server.drip[b"GET"] = b"$1000\r\n" + b"1" * 1000
        with RedisStore(
            server.url, cluster=True, connect_timeout=timeout, timeout=timeout, deadline=deadline
        ) as store:
            started = time.monotonic()
            with pytest.raises(RevocationStoreUnavailableError) as info:
                store.is_revoked("a")
            elapsed = time.monotonic() - started
        # Some redis-py releases (4.5, and 7.0 on Python 3.9) answer a node's read timeout by
        # rebuilding the slot map at once, which the one-threaded fake node, still dripping,
        # leaves unanswered: the call then fails as "cannot be connected" after one attempt.
        rebuilt = "cannot be connected" in str(info.value)
        assert rebuilt or "Timeout" in str(info.value), str(info.value)
        low = min(within[0], timeout) if rebuilt else within[0]
        assert low <= elapsed < within[1], elapsed
