"""Shared fixtures: the per-backend fixture and paths to the vectors."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.util
import json
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _redis_servers import (  # noqa: F401 - fixtures for the Redis store tests
    redis_cluster,
    redis_cluster_url,
    redis_server,
    redis_url,
)
from hypothesis import settings

from jwtlite.backends import Backend, set_backend
from jwtlite.keys import AsymmetricKey, load_key

VECTORS = Path(__file__).parent / "vectors"
KEYS = VECTORS / "keys"

BACKEND_NAMES = ["pure"]
if importlib.util.find_spec("cryptography") is not None:
    BACKEND_NAMES.append("cryptography")


# For mutation testing (pyproject.toml [tool.mutmut]): every mutant reruns the property tests,
# so fewer examples, a fixed seed for comparable runs, and no deadline (mutmut's trampolines
# slow each call; a timed-out example would wrongly count as a killed mutant).
settings.register_profile("mutation", max_examples=20, derandomize=True, deadline=None)


class FakeClock:
    """An injectable clock (seconds since the epoch) that tests move by hand; never sleep."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# Each cookie lives as long as the token it carries or serves: the access cookie as the access
# token (15 min), the refresh cookies and the CSRF cookie as the refresh token (14 days).
COOKIE_AGES = {"access_token;/": "900", "refresh_token;/refresh": "1209600",
               "refresh_token;/logout": "1209600", "csrf_token;/": "1209600"}


def cookie_ages(set_cookies: list[str]) -> dict[str, str]:
    """``name;path`` -> ``Max-Age`` of each ``Set-Cookie`` value (RFC 6265 §4.1.1), "" if none."""
    ages: dict[str, str] = {}
    for value in set_cookies:
        name, *attributes = value.split(";")
        parsed = {key.strip().lower(): item for key, _, item in
                  (attribute.partition("=") for attribute in attributes)}
        ages[name.split("=", 1)[0] + ";" + parsed.get("path", "")] = parsed.get("max-age", "")
    return ages


class SetEncoder(json.JSONEncoder):
    """A caller's ``json_encoder`` that writes sets as sorted lists (tests of that argument)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)


def load_vector(relative: str) -> Any:
    """Parse one JSON vector file under tests/vectors."""
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def wycheproof_cases(filename: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every ``(group, case)`` of one Wycheproof file under tests/vectors/wycheproof; once they
    are all taken, checks that their number is the file's ``numberOfTests``."""
    data: Any = load_vector(f"wycheproof/{filename}")
    total = 0
    for group in data["testGroups"]:
        for case in group["tests"]:
            total += 1
            yield group, case
    assert total == data["numberOfTests"]


@contextlib.contextmanager
def raw_server(answer: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A loopback TCP server for replies no HTTP server library sends; yields its /jwks URL.

    Each connection's request is read, then ``answer(conn, stop)`` writes what it likes;
    ``stop`` is set when the test is done (an answer that drips waits on it, so it ends at
    once). A client that hangs up first ends the answer.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while True:
            conn, _ = listener.accept()
            with conn:
                if stop.is_set():  # the connection below, made to wake accept() up
                    return
                conn.recv(65536)
                with contextlib.suppress(OSError):
                    answer(conn, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/jwks"
    finally:
        stop.set()
        # Closing the listener does not wake a thread blocked in accept(); a connection does.
        socket.create_connection(listener.getsockname(), timeout=5).close()
        thread.join(5)
        listener.close()


def run_asgi(app: Any, scenario: Callable[[Any], Awaitable[None]]) -> None:
    """Run ``await scenario(client)`` with an httpx client calling the ASGI ``app`` in process,
    over https (so ``Secure`` cookies come back)."""
    import httpx  # the FastAPI tests skip without it; the other tests never need it

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            await scenario(c)

    asyncio.run(main())


def key_pem(name: str) -> bytes:
    """The bytes of one key file from the fixed pool in tests/vectors/keys."""
    return (KEYS / name).read_bytes()


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Run the test once per available backend, with that backend selected process-wide."""
    chosen = set_backend(request.param)
    assert chosen is not None
    try:
        yield chosen
    finally:
        set_backend(None)


#: Every test key in every text encoding (tests/vectors/keys/formats.json).
FORMATS: dict[str, dict[str, str]] = json.loads((KEYS / "formats.json").read_text())

#: The keys under tests/vectors/keys that the key tests load in every format.
POOL = [
    "rsa1024", "rsa2048", "rsa2048_b", "rsa2304", "rsa2560", "rsa3072", "rsa3584", "rsa4096",
    "ec_p256", "ec_p384", "ec_p521", "ec_secp256k1", "ed25519", "ed448",
]  # fmt: skip


@pytest.fixture(scope="session")
def pool() -> dict[str, AsymmetricKey]:
    return {name: load_key(key_pem(f"{name}.pem")) for name in POOL}



@functools.cache
def openssl_rsa_signs_with(hash_name: str) -> bool:
    """Whether the installed cryptography can RSA-sign with ``hash_name`` (a hashlib name).

    Old builds cannot with some of the hashes only hand-built algorithm objects use (cryptography
    3.4 on OpenSSL 1.1.1: SHA-512/224 and SHA-512/256); the cryptography backend then raises
    UnsupportedHashError, and tests that compare it with the pure backend skip those hashes.
    """
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives.asymmetric import padding
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
    except ImportError:
        return False
    from jwtlite.backends.cryptography import _HASHES

    native = load_pem_private_key(key_pem("rsa2048.pem"), None)
    try:
        native.sign(b"probe", padding.PKCS1v15(), _HASHES[hash_name])  # type: ignore[union-attr]
    except UnsupportedAlgorithm:
        return False
    return True
