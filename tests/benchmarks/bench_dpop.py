"""The time DPoP adds per request to a protected Flask route, next to the Bearer cost.

Run: ``python tests/benchmarks/bench_dpop.py`` (needs ``flask``); ``JWTLITE_BACKEND=pure`` for
the pure backend; ``REDIS_URL=redis://...`` adds a row with the replay check in Redis. A report,
not a test: it always exits 0.

Apps in one process serve ``GET /me`` returning ``{"sub": ...}`` through Flask's test client:

- ``unprotected``: Flask and the test client alone;
- ``Bearer``: ``@jwt.required()`` on a ``TokenService`` (HS256, memory revocation store);
- ``DPoP``: the same guard with ``dpop=DPoPPolicy(...)``, a DPoP-bound token and, per request,
  a fresh ES256 proof with ``ath``: one proof verification (parse, key from the cached header,
  ``htm``/``htu``/``iat``/``ath``, the signature) and one replay check (one ``consume`` on the
  memory store, or on Redis);

and, without any framework, ``verify_proof`` alone. Proofs are made before the timing starts
(a client's cost, not the server's): each request presents a proof never seen before, as the
replay check demands. The time DPoP adds is the DPoP row minus the Bearer row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from importlib.metadata import version
from typing import Any

import _timing

import jwtlite
from jwtlite.backends import get_backend
from jwtlite.dpop import DPoPKey, DPoPPolicy, verify_proof
from jwtlite.revocation import MemoryStore, RevocationStore
from jwtlite.tokens import TokenService

SECRET = "jwtlite benchmark secret, 32+ bytes long"
URL = "http://localhost/me"
# Each contender makes about (ROUNDS + 1) batches of ~30 ms; a proof pool this large lasts a
# 100 us request through the whole run.
POOL = 6000 * max(1, _timing.ROUNDS // 15)


def _app(flask: Any, service: TokenService, policy: DPoPPolicy | None, *, guard: bool) -> Any:
    # jwtlite.flask imports Flask, which is optional: imported only once Flask was found.
    from jwtlite.flask import JWTManager, current_identity

    app = flask.Flask("bench")
    if not guard:

        @app.get("/me")
        def open_me() -> Any:
            return {"sub": "alice"}

        return app
    jwt = JWTManager(app, service, dpop=policy)

    @app.get("/me")
    @jwt.required()
    def me() -> Any:
        return {"sub": current_identity()}

    return app


def _proofs(key: DPoPKey, token: str) -> Iterator[str]:
    pool = [key.proof("GET", URL, access_token=token) for _ in range(POOL)]
    return iter(pool)


def _route(app: Any, headers: Callable[[], dict[str, str]], name: str) -> Callable[[], Any]:
    client = app.test_client()

    def call() -> Any:
        return client.get("/me", headers=headers())

    reply = call()
    if reply.status_code != 200 or reply.get_json() != {"sub": "alice"}:
        raise SystemExit(f"{name} refused the request: {reply.get_data(as_text=True)}")
    return call


def _stores() -> list[tuple[str, RevocationStore]]:
    stores: list[tuple[str, RevocationStore]] = [("memory", MemoryStore())]
    url = os.environ.get("REDIS_URL")
    if url:
        from jwtlite.revocation import RedisStore

        stores.append(("Redis", RedisStore.from_url(url)))
    return stores


def _contenders(flask: Any) -> list[tuple[str, Callable[[], Any]]]:
    key = DPoPKey(jwtlite.generate_key("ES256"))
    contenders = []
    service = TokenService(SECRET, "HS256", issuer=_timing.ISSUER, audience=_timing.AUDIENCE,
                           access_ttl=timedelta(hours=1))
    bearer = service.issue("alice").access_token
    bearer_headers = {"Authorization": f"Bearer {bearer}"}
    contenders.append(("unprotected", _route(_app(flask, service, None, guard=False),
                                            lambda: bearer_headers, "unprotected")))
    contenders.append(("Bearer", _route(_app(flask, service, None, guard=True),
                                       lambda: bearer_headers, "Bearer")))
    for label, store in _stores():
        policy = DPoPPolicy(store=store)
        bound = service.issue("alice", jkt=key.jkt).access_token
        proofs = _proofs(key, bound)
        app = _app(flask, service, policy, guard=True)

        def headers(proofs: Iterator[str] = proofs, bound: str = bound) -> dict[str, str]:
            return {"Authorization": f"DPoP {bound}", "DPoP": next(proofs)}

        contenders.append((f"DPoP ({label} replay store)", _route(app, headers, label)))
    token = service.issue("alice", jkt=key.jkt).access_token
    alone = _proofs(key, token)
    store = MemoryStore()

    def verify_alone() -> Any:
        return verify_proof(next(alone), htm="GET", htu=URL, access_token=token, jkt=key.jkt,
                            store=store)

    contenders.append(("verify_proof alone", verify_alone))
    return contenders


def main() -> None:
    _timing.header_line("bench_dpop.py: the time DPoP adds to a protected Flask route")
    flask = _timing.optional_import("flask", "Flask")
    if flask is None:
        return
    _timing.print_machine({"jwtlite": jwtlite.__version__, "flask": version("flask"),
                           "backend": get_backend().name})
    print(f"proof pool: {POOL} ES256 proofs per DPoP contender, made before timing\n")
    stats = _timing.run(_contenders(flask))
    _timing.print_table("GET /me through the Flask test client", stats, "unprotected")
    base, bearer = stats["unprotected"], stats["Bearer"]
    print("Time each adds per request:")
    for name, s in stats.items():
        if name.startswith("DPoP"):
            print(f"  {name:<28} over Bearer: best {_timing.fmt_time(s.best - bearer.best)}"
                  f"   median {_timing.fmt_time(s.median - bearer.median)}")  # fmt: skip
    print(f"  {'Bearer':<28} over none:   best {_timing.fmt_time(bearer.best - base.best)}"
          f"   median {_timing.fmt_time(bearer.median - base.median)}")  # fmt: skip


if __name__ == "__main__":
    main()
