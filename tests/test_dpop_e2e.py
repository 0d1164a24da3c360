"""DPoP acceptance (issue 24): the httpx client against both example servers over real HTTP,
nonce retries included; proofs made by an independent implementation (joserfc); a replayed
proof refused across four processes sharing one Redis, and across a restart with SQLite."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import key_pem
from test_flask_example import _NEEDS, CREDS, SECRET, SERVERS, Server

from jwtlite.dpop import DPoPKey, access_token_hash

httpx = pytest.importorskip("httpx")

from jwtlite.dpop_client import DPoPHTTPXAuth  # noqa: E402

NONCE_SECRET = "nonce-secret-for-the-tests"


@pytest.fixture(params=SERVERS)
def dpop_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    pytest.importorskip(_NEEDS[request.param])
    env = {
        **{k: v for k, v in os.environ.items()
           if k not in {"REDIS_URL", "AUTH_COOKIES", "JWT_DEV_SECRET"}},
        "JWT_SECRET": SECRET, "REVOCATION_DB": str(tmp_path / "rev.db"),
        "DPOP": "1", "DPOP_NONCE_SECRET": NONCE_SECRET,
    }
    server = Server(request.param, env, tmp_path)
    try:
        yield server
    finally:
        server.close()


def _joserfc_proof(key: Any, method: str, url: str, **claims: Any) -> str:
    """A proof made by joserfc alone: its key, its JWK, its JWS serialisation."""
    from joserfc import jws

    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    payload = {"jti": secrets.token_urlsafe(16), "htm": method, "htu": url,
               "iat": int(time.time()), **claims}
    return str(jws.serialize_compact(header, json.dumps(payload).encode(), key))


def test_httpx_client_against_the_example_server(dpop_server: Server) -> None:
    port = dpop_server.start()
    base = f"http://127.0.0.1:{port}"
    auth = DPoPHTTPXAuth(key_pem("ec_p256.pem"))
    with httpx.Client(base_url=base, auth=auth, timeout=30) as client:
        # §8: the first token request has no nonce; the server's 400 use_dpop_nonce names one,
        # and the client sends the request again with it.
        login = client.post("/login", json=CREDS)
        assert login.status_code == 200, login.text
        assert [(r.status_code, r.json()["error"]) for r in login.history] == [
            (400, "use_dpop_nonce")]
        pair = login.json()
        assert pair["token_type"] == "DPoP"
        auth.access_token = pair["access_token"]
        me = client.get("/protected")
        assert (me.status_code, me.json()["sub"], me.history) == (200, "admin", [])
        # §9: a client that has no nonce yet gets the resource server's 401 and retries.
        fresh = DPoPHTTPXAuth(auth.key, access_token=pair["access_token"])
        again = client.get("/protected", auth=fresh)
        assert again.status_code == 200
        assert [r.status_code for r in again.history] == [401]
        assert 'error="use_dpop_nonce"' in again.history[0].headers["WWW-Authenticate"]
        # §7.2: the bound token is no bearer token.
        bearer = client.get("/protected", auth=None,
                            headers={"Authorization": f"Bearer {pair['access_token']}"})
        assert (bearer.status_code, bearer.json()["reason"]) == (401, "dpop_binding")
        # §11.1: a proof seen once is refused the second time.
        nonce = auth.nonce(base)
        proof = auth.key.proof("GET", f"{base}/protected", access_token=pair["access_token"],
                               nonce=nonce)
        headers = {"Authorization": f"DPoP {pair['access_token']}", "DPoP": proof}
        assert client.get("/protected", auth=None, headers=headers).status_code == 200
        replay = client.get("/protected", auth=None, headers=headers)
        assert (replay.status_code, replay.json()["error"]) == (401, "invalid_dpop_proof")
        # §5: a refresh with a proof by the same key keeps the pair bound.
        renewed = client.post("/refresh", json={"refresh_token": pair["refresh_token"]})
        assert renewed.status_code == 200, renewed.text
        assert renewed.json()["token_type"] == "DPoP"
        stranger = DPoPHTTPXAuth(DPoPKey(key_pem("ed25519.pem")))
        refused = client.post("/refresh", auth=stranger,
                              json={"refresh_token": renewed.json()["refresh_token"]})
        assert (refused.status_code, refused.json()["reason"]) == (401, "dpop_binding")
        auth.access_token = renewed.json()["access_token"]
        assert client.get("/protected").status_code == 200

    async def async_client() -> int:
        async with httpx.AsyncClient(base_url=base, auth=auth, timeout=30) as client:
            return (await client.get("/protected")).status_code

    assert asyncio.run(async_client()) == 200


def test_a_joserfc_proof_is_accepted(dpop_server: Server) -> None:
    pytest.importorskip("joserfc")
    from joserfc.jwk import ECKey

    port = dpop_server.start()
    base = f"http://127.0.0.1:{port}"
    key = ECKey.generate_key("P-256")
    with httpx.Client(base_url=base, timeout=30) as client:
        nonce = client.post("/login", json=CREDS,
                            headers={"DPoP": _joserfc_proof(key, "POST", f"{base}/login")}
                            ).headers["DPoP-Nonce"]
        login = client.post("/login", json=CREDS, headers={
            "DPoP": _joserfc_proof(key, "POST", f"{base}/login", nonce=nonce)})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        # The binding is joserfc's own RFC 7638 thumbprint of its key.
        claims = json.loads(_b64(token.split(".")[1]))
        assert claims["cnf"] == {"jkt": key.thumbprint()}
        ath = access_token_hash(token)

        def protected(method: str, url: str) -> Any:
            proof = _joserfc_proof(key, method, url, nonce=nonce, ath=ath)
            headers = {"Authorization": f"DPoP {token}", "DPoP": proof}
            return client.get("/protected", headers=headers)

        assert protected("GET", f"{base}/protected").status_code == 200
        for method, url in (("GET", f"{base}/login"), ("POST", f"{base}/protected"),
                            ("GET", f"http://127.0.0.1:{port + 1}/protected")):
            refused = protected(method, url)
            assert (refused.status_code, refused.json()["error"]) == (401, "invalid_dpop_proof")


def _b64(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_dpop_required_refuses_bearer_logins(dpop_server: Server) -> None:
    dpop_server.env.update(DPOP="required")
    dpop_server.env.pop("DPOP_NONCE_SECRET")
    port = dpop_server.start()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        reply = client.post("/login", json=CREDS)
        assert (reply.status_code, reply.json()["error"]) == (400, "invalid_dpop_proof")
        missing = client.get("/protected")
        assert missing.headers["WWW-Authenticate"].startswith('DPoP realm="jwtlite-example"')


@pytest.mark.parametrize(
    ("env", "message"),
    [({"DPOP": "yes"}, "DPOP must be"), ({"AUTH_COOKIES": "1"}, "not with AUTH_COOKIES"),
     ({"DPOP_NONCE_SECRET": "short"}, "at least 16 bytes")],
)
def test_dpop_configuration_errors_exit_2(
    dpop_server: Server, env: dict[str, str], message: str
) -> None:
    result = dpop_server.run(**env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


# --- replay across processes --------------------------------------------------------------------

_WORKER = """
import json, sys
from jwtlite.dpop import DPoPPolicy
from jwtlite.exceptions import DPoPProofError
from jwtlite.revocation import RedisStore, SQLiteStore

kind, where, seen_as = sys.argv[1], sys.argv[2], sys.argv[3]
store = RedisStore.from_url(where) if kind == "redis" else SQLiteStore(where)
# Every host sees itself under its own address; clients know the public origin.
policy = DPoPPolicy(store=store, base_url="https://api.example.test")
print("ready", flush=True)
for line in sys.stdin:
    answers = []
    for proof in json.loads(line):
        try:
            policy.verify(proof, htm="GET", htu=seen_as + "/things")
            answers.append("ok")
        except DPoPProofError as exc:
            answers.append(str(exc))
    print(json.dumps(answers), flush=True)
"""


class Workers:
    """Processes that each check proofs against one shared store, as separate hosts would."""

    def __init__(self, kind: str, where: str, count: int) -> None:
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, kind, where, f"http://10.0.0.{n}:8080"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
            for n in range(count)
        ]
        for proc in self.procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"

    def ask(self, batches: list[list[str]]) -> list[list[str]]:
        # Every batch is written before any answer is read: the processes race.
        for proc, batch in zip(self.procs, batches):
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(batch) + "\n")
            proc.stdin.flush()
        answers = []
        for proc in self.procs[: len(batches)]:
            assert proc.stdout is not None
            answers.append(json.loads(proc.stdout.readline()))
        return answers

    def close(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.close()
            proc.wait(timeout=30)
            proc.stdout.close()


def _proofs(count: int) -> list[str]:
    key = DPoPKey(key_pem("ec_p256.pem"))
    return [key.proof("GET", "https://api.example.test/things") for _ in range(count)]


def test_a_replayed_proof_is_refused_across_four_processes_sharing_redis(redis_url: str) -> None:
    proofs = _proofs(120)
    workers = Workers("redis", redis_url, 4)
    try:
        # Each host gets every proof, from a different starting point: they collide everywhere.
        orders = [proofs[n * 30 :] + proofs[: n * 30] for n in range(4)]
        answers = workers.ask(orders)
        accepted: dict[int, int] = {}
        for n, answer in enumerate(answers):
            assert len(answer) == 120
            for position, result in enumerate(answer):
                index = (position + n * 30) % 120
                if result == "ok":
                    accepted[index] = accepted.get(index, 0) + 1
                else:
                    assert result == "the DPoP proof was already used (jti replay)"
        assert sorted(accepted) == list(range(120))  # each proof accepted ...
        assert set(accepted.values()) == {1}  # ... by exactly one host
        # Fresh proofs still pass, once, wherever they land.
        fresh = _proofs(4)
        assert workers.ask([[proof] for proof in fresh]) == [["ok"]] * 4
    finally:
        workers.close()


def test_a_replayed_proof_is_refused_across_a_restart_with_sqlite(tmp_path: Path) -> None:
    database = str(tmp_path / "replay.db")
    proofs = _proofs(20)
    first = Workers("sqlite", database, 1)
    try:
        assert first.ask([proofs]) == [["ok"] * 20]
    finally:
        first.close()
    restarted = Workers("sqlite", database, 2)
    try:
        answers = restarted.ask([proofs, proofs[:5] + _proofs(1)])
        assert answers[0] == ["the DPoP proof was already used (jti replay)"] * 20
        assert answers[1][:5] == answers[0][:5]
        assert answers[1][5] == "ok"
    finally:
        restarted.close()


def test_the_replay_check_is_one_round_trip(redis_url: str) -> None:
    import redis

    from jwtlite.dpop import verify_proof
    from jwtlite.revocation import RedisStore

    client = redis.Redis.from_url(redis_url)
    store = RedisStore.from_url(redis_url)
    proofs = _proofs(51)
    url = "https://api.example.test/things"
    verify_proof(proofs[0], htm="GET", htu=url, store=store)  # connects (HELLO) first
    client.config_resetstat()
    for proof in proofs[1:]:
        verify_proof(proof, htm="GET", htu=url, store=store)
    calls = {name: entry["calls"] for name, entry in client.info("commandstats").items()}
    calls.pop("cmdstat_info", None)
    calls.pop("cmdstat_config|resetstat", None)
    # One command per proof from the client: the script of RevocationStore.consume, whose
    # test-and-set (a SET NX inside it) runs on the server.
    assert calls == {"cmdstat_evalsha": 50, "cmdstat_set": 50}
    client.close()
    store.close()
