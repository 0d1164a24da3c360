"""The revocation check per request, and TokenService.verify_access end to end, per store.

Run: ``python tests/benchmarks/bench_revocation.py``. A report, not a test: it always exits 0.
It needs ``redis-server`` on PATH and the ``redis`` package for the Redis rows (it starts its
own server on a free loopback port in a temporary directory, with default persistence off);
without them those rows are skipped.

Every store holds 10 000 revoked jtis, 1 000 revoked families and 1 000 subject cutoffs, so
the lookups run against a populated deny list, and the token checked is not on it (the common
case). ``lookup`` is what ``verify_access`` asks the store once per request. The last table
counts the commands the Redis server executed per verified request, from its own
``INFO commandstats``, to show that one verification is one round trip.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _timing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for _redis_servers

from jwtlite.revocation import MemoryStore, RedisStore, RevocationStore, SQLiteStore
from jwtlite.tokens import TokenService

SECRET = "b" * 32
FAR = time.time() + 3600


class NoStore(MemoryStore):
    """The floor: a verification that asks no store at all."""

    def lookup(self, *, jti: str, family: str, subject: str) -> tuple[bool, bool, float | None]:
        return False, False, None


def _fill(store: RevocationStore) -> RevocationStore:
    for i in range(10_000):
        store.revoke(f"jti-{i}", FAR)
    for i in range(1_000):
        store.revoke_family(f"fam-{i}", FAR)
        store.revoke_subject(f"user-{i}", 1.0, FAR)
    return store


def _service(store: RevocationStore) -> TokenService:
    return TokenService(
        SECRET, "HS256", issuer=_timing.ISSUER, audience=_timing.AUDIENCE, store=store
    )


def _start_redis(directory: Path) -> Any:
    if shutil.which("redis-server") is None or _timing.optional_import("redis", "redis") is None:
        print("SKIP: redis-server or the redis package is missing; the Redis rows are omitted")
        return None
    from _redis_servers import RedisServer

    server = RedisServer(directory / "redis")
    server.start()
    return server


def _commands_per_verify(store: RedisStore, url: str, token: str, service: TokenService) -> float:
    import redis

    client = redis.Redis.from_url(url)
    service.verify_access(token)
    client.config_resetstat()
    count = 1000
    for _ in range(count):
        service.verify_access(token)
    stats = client.info("commandstats")
    client.close()
    ours = {
        k: v["calls"]
        for k, v in stats.items()
        if k not in ("cmdstat_info", "cmdstat_config|resetstat")
    }
    print("== Redis commands per verified request (INFO commandstats, 1000 verifications)")
    for name, calls in sorted(ours.items()):
        print(
            f"  {name[len('cmdstat_') :]:<10} {calls:>6} calls  = {calls / count:.2f} per request"
        )
    total = sum(ours.values()) / count
    print(f"  total      {total:.2f} commands (one round trip each) per verified request\n")
    return total


def main() -> None:
    _timing.header_line(__file__)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        server = _start_redis(directory)
        try:
            stores: dict[str, RevocationStore] = {
                "MemoryStore": _fill(MemoryStore()),
                "SQLiteStore": _fill(SQLiteStore(directory / "rev.db")),
            }
            if server is not None:
                stores["RedisStore"] = _fill(RedisStore.from_url(server.url))
            versions = {"python": sys.version.split()[0]}
            if server is not None:
                import redis

                versions["redis (client)"] = redis.__version__
            _timing.print_machine(versions)
            lookups = [
                (name, lambda s=store: s.lookup(jti="absent", family="absent", subject="nobody"))
                for name, store in stores.items()
            ]
            _timing.print_table("store.lookup (the per-request check)", _timing.run(lookups))
            token = _service(MemoryStore()).issue("alice").access_token
            services = {"no store (floor)": _service(NoStore())}
            services.update({name: _service(store) for name, store in stores.items()})
            verifies = [
                (name, lambda s=svc: s.verify_access(token)) for name, svc in services.items()
            ]
            _timing.print_table(
                "TokenService.verify_access end to end (HS256)",
                _timing.run(verifies),
                baseline="no store (floor)",
            )
            if server is not None:
                redis_store = stores["RedisStore"]
                assert isinstance(redis_store, RedisStore)
                _commands_per_verify(redis_store, server.url, token, services["RedisStore"])
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
