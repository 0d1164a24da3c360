"""What the two example servers share and the library does not do for them: settings from the
environment, the demo user's password check, and login throttling.

Both ``flask_app.py`` and ``fastapi_app.py`` import this module from their own folder.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from jwtlite.dpop import DPoPPolicy, NonceIssuer
from jwtlite.exceptions import PyJWTError
from jwtlite.revocation import MemoryStore, RevocationStore, SQLiteStore
from jwtlite.tokens import TokenService

ISSUER = "https://auth.example.test"
AUDIENCE = "https://api.example.test"
REALM = "jwtlite-example"

# scrypt cost (RFC 7914): N=2**14, r=8, p=1 uses 16 MiB and tens of milliseconds per guess.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
# At most this many hashes at once: 16 MiB each, so a login flood cannot exhaust memory.
_HASHING = threading.BoundedSemaphore(2)
_HASH_WAIT = 10.0  # seconds a login waits for a hashing slot before getting 503


class ConfigError(Exception):
    """The environment does not describe a runnable server."""


class Busy(Exception):  # noqa: N818 - a condition, answered 503
    """Every password-hashing slot stayed taken."""


def hash_password(password: str, salt: bytes) -> bytes:
    """A salted scrypt hash of ``password``."""
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)


def _make_users() -> dict[str, tuple[bytes, bytes]]:
    salt = secrets.token_bytes(16)
    return {"admin": (salt, hash_password("password", salt))}


_USERS = _make_users()
# Unknown users are checked against this so that the response time does not reveal them.
_DUMMY = (b"\x00" * 16, b"\x00" * 32)


def check_password(username: str, password: str) -> bool:
    """Constant-time check of a username/password pair; :class:`Busy` when overloaded."""
    salt, expected = _USERS.get(username, _DUMMY)
    if not _HASHING.acquire(timeout=_HASH_WAIT):
        raise Busy("too many logins in progress")
    try:
        ok = hmac.compare_digest(hash_password(password, salt), expected)
    finally:
        _HASHING.release()
    return ok and username in _USERS


class LoginThrottle:
    """Failed logins counted per key (a username, a client address) over a sliding window.

    A key with ``limit`` failures in the last ``window`` seconds is refused until the oldest of
    them leaves the window. At most ``max_keys`` keys are tracked; the oldest go first.

    An attempt is counted when it starts (:meth:`reserve`), in the same locked step as the
    check, and given back (:meth:`release`) only when it did not fail. Checking first and
    counting after the password check would let a burst of concurrent guesses all pass the
    check while none is counted yet.
    """

    def __init__(
        self, *, limit: int, window: float, max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit, self._window, self._max_keys = limit, window, max_keys
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _wait(self, key: str, now: float) -> int:
        # Called with the lock held: drops the failures that left the window.
        times = self._failures.get(key)
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times or len(times) < self._limit:
            return 0
        return max(1, math.ceil(times[0] + self._window - now))

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may now."""
        with self._lock:
            return self._wait(key, self._clock())

    def reserve(self, key: str) -> int:
        """Count an attempt for ``key`` now, as a failure until :meth:`release`; or, when
        ``key`` has used up its attempts, count nothing and return the seconds to wait."""
        now = self._clock()
        with self._lock:
            wait = self._wait(key, now)
            if wait:
                return wait
            if key not in self._failures and len(self._failures) >= self._max_keys:
                del self._failures[next(iter(self._failures))]
            self._failures.setdefault(key, deque(maxlen=self._limit)).append(now)
            return 0

    def release(self, key: str) -> None:
        """Give back one reserved attempt of ``key`` (it did not fail)."""
        with self._lock:
            times = self._failures.get(key)
            if times:
                # Entries are only counted, not told apart: dropping the newest leaves the
                # older ones, which leave the window sooner, so this never lengthens a wait.
                times.pop()

    def succeeded(self, key: str) -> None:
        """Forget ``key``'s failures."""
        with self._lock:
            self._failures.pop(key, None)


@dataclass
class Throttles:
    """Five failures per username, twenty per client address, in five minutes."""

    users: LoginThrottle
    addresses: LoginThrottle

    @classmethod
    def default(cls) -> Throttles:
        return cls(LoginThrottle(limit=5, window=300), LoginThrottle(limit=20, window=300))

    def reserve(self, username: str, address: str) -> int:
        """Count a login attempt against both keys before the password is checked; 0 when it
        may go ahead, else the seconds to wait (and nothing counted)."""
        wait = self.users.reserve(username)
        if wait:
            return wait
        wait = self.addresses.reserve(address)
        if wait:
            self.users.release(username)
        return wait

    def cancel(self, username: str, address: str) -> None:
        """The reserved attempt did not check any password (the server was busy)."""
        self.users.release(username)
        self.addresses.release(address)

    def settle(self, username: str, address: str, *, ok: bool) -> None:
        """After the password check: a failure keeps both reservations as its count."""
        if ok:
            # A success clears only the username: an attacker's own valid account must not
            # reset the counter of the address it guesses from.
            self.users.succeeded(username)
            self.addresses.release(address)


@dataclass(frozen=True)
class Settings:
    secret: str
    cookies: bool
    store: RevocationStore
    dpop: DPoPPolicy | None = None


def _secret(env: Mapping[str, str]) -> str:
    secret = env.get("JWT_SECRET")
    if not secret:
        if env.get("JWT_DEV_SECRET") != "1":
            raise ConfigError("JWT_SECRET is not set (or set JWT_DEV_SECRET=1 for a dev secret)")
        print("warning: using a random development secret", file=sys.stderr)
        secret = secrets.token_urlsafe(48)
    if len(secret.encode("utf-8")) < 32:
        raise ConfigError("JWT_SECRET must be at least 32 bytes for HS256 (RFC 7518 §3.2)")
    return secret


def _store(env: Mapping[str, str], clock: Callable[[], float] | None) -> RevocationStore:
    if env.get("REDIS_URL"):
        from jwtlite.revocation import RedisStore  # noqa: PLC0415 - needs the optional redis

        store: RevocationStore = RedisStore.from_url(env["REDIS_URL"])
        return store
    path = env.get("REVOCATION_DB")
    if not path:
        return MemoryStore(clock=clock)
    try:
        return SQLiteStore(path, clock=clock)
    except PyJWTError as exc:
        raise ConfigError(f"REVOCATION_DB={path!r} is unusable: {exc}") from None


def _dpop(env: Mapping[str, str], clock: Callable[[], float] | None) -> DPoPPolicy | None:
    """``DPOP`` (``1``: accept DPoP; ``required``: refuse bearer tokens) and
    ``DPOP_NONCE_SECRET`` (demand server nonces, HMAC'd with this secret: every process
    behind the URL must share it)."""
    mode = env.get("DPOP", "")
    if mode not in ("", "0", "1", "required"):
        raise ConfigError(f"DPOP must be 0, 1 or required, not {mode!r}")
    if mode in ("", "0"):
        return None
    if env.get("AUTH_COOKIES") == "1":
        raise ConfigError("DPOP needs tokens in the client's hands: not with AUTH_COOKIES=1")
    nonce_secret = env.get("DPOP_NONCE_SECRET")
    if nonce_secret is not None and len(nonce_secret.encode("utf-8")) < 16:
        raise ConfigError("DPOP_NONCE_SECRET must be at least 16 bytes")
    nonces = NonceIssuer(nonce_secret, clock=clock) if nonce_secret else None
    return DPoPPolicy(required=mode == "required", nonces=nonces, clock=clock)


def load_settings(env: Mapping[str, str], clock: Callable[[], float] | None = None) -> Settings:
    """Read ``JWT_SECRET`` (or ``JWT_DEV_SECRET``), ``AUTH_COOKIES``, ``REDIS_URL``,
    ``REVOCATION_DB``, ``DPOP`` and ``DPOP_NONCE_SECRET``."""
    secret = _secret(env)
    cookies = env.get("AUTH_COOKIES") == "1"
    return Settings(secret, cookies, _store(env, clock), _dpop(env, clock))


def token_service(settings: Settings, clock: Callable[[], float] | None = None) -> TokenService:
    """The HS256 token service both examples use."""
    return TokenService(
        settings.secret, "HS256", issuer=ISSUER, audience=AUDIENCE, store=settings.store,
        clock=clock,
    )


def port(env: Mapping[str, str]) -> int:
    """``PORT`` (default 5000), checked."""
    text = env.get("PORT", "5000")
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"PORT must be a number from 1 to 65535, not {text!r}")
    return int(text)
