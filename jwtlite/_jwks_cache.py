"""The JWKS clients' shared rules: what a fetched set may hold, and when to fetch again.

Both :class:`~jwtlite.jwks_client.PyJWKClient` (threads) and
:class:`~jwtlite.jwks_client_async.AsyncPyJWKClient` (asyncio) keep one :class:`JWKSRules`
and ask it, under their own lock and without any I/O, what to do; they differ only in how they
fetch and how they wait. The rules, each against a named abuse:

* **Lifespan.** A set is fresh for ``lifespan`` seconds (PyJWT's meaning: refetched after
  that), or for less when the response's ``Cache-Control: max-age`` (RFC 9111 §5.2.2.1) says
  so; max-age is floored at ``refetch_cooldown`` so ``no-store`` cannot make every token cost a
  request, and never stretches ``lifespan``.
* **Rotation.** An unknown ``kid`` forces one refetch, even right after a fetch, so a newly
  published key works on its first token.
* **Flood.** Forced refetches happen at most once per ``refetch_cooldown`` seconds, and a
  ``kid`` still unknown afterwards is remembered for ``negative_cache_ttl`` seconds (default:
  the cooldown; ``cooldown_duration=0`` refetches for every unknown kid): a stream of
  random ``kid`` values costs a bounded number of requests.
* **Single flight.** At most one fetch runs at a time; while it runs, callers that hold a usable
  set keep using it, the others wait for that one fetch (bounded by the transport deadline).
* **Stale-if-error** (RFC 5861 §4). When a refetch fails, the last good set stays in use for up
  to ``max_stale`` seconds, and the next attempt waits ``refetch_cooldown`` seconds.
* **Backoff.** With nothing cached, failed fetches are retried after 1, 2, 4, ... seconds (at
  most ``refetch_cooldown``); lookups in between fail at once with the last error instead of
  each sending a request to a server that is already failing.
* **Contents.** Members holding private key material (``d`` and friends) or symmetric keys
  (``kty: oct``) are skipped before they are parsed: a verifier never needs them from a URL, a
  published secret is not a secret, and parsing hostile private RSA members costs seconds.
"""

from __future__ import annotations

import enum
import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Callable

from ._escape import escape, summarise
from ._json import loads_object
from ._keymodel import PRIVATE_KEY_TYPES
from .exceptions import DecodeError, PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError
from .jwk import REFUSED_WHEN_FETCHED, PyJWK, PyJWKSet, skipped_reason

__all__ = [
    "JWKSRules",
    "JWKSetCache",
    "Mode",
    "check_settings",
    "make_rules",
    "match_kid",
    "outcome",
    "parse_jwk_set",
    "parse_response",
    "signing_key",
    "signing_keys",
]

MAX_TTL = 24 * 3600.0
_NEGATIVE_CACHE_SIZE = 1024
_MAX_REMEMBERED_KID = 256  # longer kids are not worth memory; the cooldown still bounds them
_MAX_MEMBERS = 1000  # members looked at before parsing; far above any real provider's set
# RFC 7517 §4 / RFC 7518 §6.2.2, §6.3.2, §6.4: members that only a private or secret key has.
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


class Mode(enum.Enum):
    """Why a caller wants the set."""

    CACHED = "cached"  #: any usable set will do (a normal lookup)
    FORCED = "forced"  #: an unknown kid: fetch, but a failure falls back to the stale set
    REFRESH = "refresh"  #: the caller asked for a new set: a failure is an error


class _Stamped:
    """A set and when it was stored (PyJWT's ``PyJWTSetWithTimestamp`` shape)."""

    __slots__ = ("jwk_set", "timestamp")

    def __init__(self, jwk_set: PyJWKSet, timestamp: float) -> None:
        self.jwk_set = jwk_set
        self.timestamp = timestamp

    def get_jwk_set(self) -> PyJWKSet:
        return self.jwk_set

    def get_timestamp(self) -> float:
        return self.timestamp


class JWKSetCache:
    """The last fetched JWK Set and how long it stays fresh; PyJWT's class of the same name.

    ``get()`` returns the set while it is fresh, else None; ``put(None)`` empties the cache.
    ``lifespan`` may be changed after construction, as in PyJWT.
    """

    def __init__(self, lifespan: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifespan = lifespan
        self.jwk_set_with_timestamp: _Stamped | None = None
        self._clock = clock
        self._ttl: float | None = None  # the server's max-age for the stored set, if any

    def put(self, jwk_set: PyJWKSet | None, *, ttl: float | None = None) -> None:
        """Store ``jwk_set`` as fetched now, fresh for ``ttl`` (default: ``lifespan``)."""
        self._ttl = ttl
        self.jwk_set_with_timestamp = None if jwk_set is None else _Stamped(jwk_set, self._clock())

    def get(self) -> PyJWKSet | None:
        """The stored set while it is fresh, else None."""
        stamped = self.jwk_set_with_timestamp
        if stamped is None or self.is_expired():
            return None
        return stamped.jwk_set

    def is_expired(self) -> bool:
        """Whether a set is stored and its freshness has run out."""
        stamped = self.jwk_set_with_timestamp
        ttl = self.lifespan if self._ttl is None else self._ttl
        return stamped is not None and self._clock() >= stamped.timestamp + ttl

    def extend(self, seconds: float) -> None:
        """Keep the stored set fresh for ``seconds`` from now (stale-if-error's retry wait)."""
        stamped = self.jwk_set_with_timestamp
        if stamped is not None:
            self._ttl = self._clock() + seconds - stamped.timestamp


def _skip_reason(member: Any) -> str | None:
    """Why a fetched member is skipped before parsing, or None to parse it."""
    if not isinstance(member, Mapping):
        return None  # PyJWKSet reports it
    if member.get("kty") == "oct":
        return f"symmetric (oct) key {REFUSED_WHEN_FETCHED}: a published secret is not secret"
    private = [name for name in _PRIVATE_MEMBERS if name in member]
    if private:
        return f"private key member {private[0]!r} {REFUSED_WHEN_FETCHED}"
    return None


def parse_response(body: bytes) -> dict[str, Any]:
    """The JWKS response body as a JSON object (strict JSON).

    Raises:
        PyJWKClientError: not JSON, or not an object (then with PyJWT's text).
    """
    try:
        return loads_object(body, "JWKS response")
    except DecodeError as exc:
        if str(exc) == _NOT_AN_OBJECT:
            raise PyJWKClientError("The JWKS endpoint did not return a JSON object") from None
        raise PyJWKClientError(str(exc)) from None


_NOT_AN_OBJECT = "Invalid JWKS response: must be a JSON object"


def parse_jwk_set(data: Any) -> PyJWKSet:
    """The fetched JWKS document as a PyJWKSet, without its private and symmetric members.

    Raises:
        PyJWKClientError: not a JSON object, no list of keys, or no usable public key.
    """
    if not isinstance(data, Mapping):
        raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
    members = data.get("keys", [])
    if not isinstance(members, list):
        raise PyJWKClientError("Invalid JWK Set value: keys must be a list")
    if len(members) > _MAX_MEMBERS:
        raise PyJWKClientError(f"The JWK Set has {len(members)} keys; at most {_MAX_MEMBERS}")
    kept: list[Any] = []
    skipped: list[tuple[Any, str]] = []
    for member in members:
        reason = _skip_reason(member)
        if reason is None:
            kept.append(member)
        else:
            skipped.append((member, reason))
    if members and not kept:
        reasons = summarise(reason for _, reason in skipped)
        raise PyJWKClientError(f"The JWK Set did not contain any usable keys ({reasons})")
    try:
        jwk_set = PyJWKSet(kept)
    except PyJWKSetError as exc:
        raise PyJWKClientError(str(exc)) from None
    jwk_set.skipped.extend(skipped)
    return jwk_set


def match_kid(keys: list[PyJWK], kid: str | None) -> PyJWK | None:
    """The first key whose ``kid`` is ``kid``; with no ``kid``, the only key if there is one."""
    if kid is None:
        return keys[0] if len(keys) == 1 else None
    return next((key for key in keys if key.key_id == kid), None)


def signing_key(jwk_set: PyJWKSet, kid: str) -> PyJWK | None:
    """The key a client hands out for ``kid``, or None when the set has none.

    Every JWKS client, in every configuration (set cache on or off, any cooldown, sync, asyncio
    and PyJWT's face), chooses its key here, so no path can skip these refusals:

    * a set holding private or secret key material among its usable keys (one put into the
      cache by hand: fetched sets have such members skipped already) is refused whole;
    * a ``kid`` that names a usable key and a skipped member (a leaked private key, a
      symmetric key, a malformed one) is refused: which one the issuer meant is unknown, and
      the skipped one may be its real, rotated-in key.
    """
    key = match_kid(signing_keys(jwk_set), kid)
    if key is not None:
        reason = skipped_reason(jwk_set, kid)
        if reason is not None:
            raise PyJWKClientError(
                f'kid "{escape(kid)}" names a usable key and a skipped member ({reason}); '
                "refusing an ambiguous JWK Set"
            )
    return key


def signing_keys(jwk_set: PyJWKSet) -> list[PyJWK]:
    """Keys usable for verification: ``use`` absent or ``sig``, ``key_ops`` allowing it.

    Raises:
        PyJWKClientError: none is, or the set publishes private or secret key material.
    """
    for jwk in jwk_set.keys:
        if jwk.key_type == "oct" or isinstance(jwk.key, PRIVATE_KEY_TYPES):
            # RFC 7517 §9.2: a JWK Set served to verifiers holds public keys only; one that
            # publishes a private key has leaked it, and anyone may sign with it.
            raise PyJWKClientError(
                "The JWK Set publishes private or secret key material"
                f' (kid "{escape(jwk.key_id)}"); refusing it'
            )
    keys = [
        k
        for k in jwk_set.keys
        if k.public_key_use in ("sig", None) and (k.key_ops is None or "verify" in k.key_ops)
    ]
    if not keys:
        raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
    return keys


class JWKSRules:
    """The cache, rotation, flood, backoff and stale-if-error state of one JWKS client.

    Not thread-safe by itself and never does I/O: the client calls it under its lock (or from
    its event loop) and does the fetching and waiting.
    """

    def __init__(
        self,
        *,
        lifespan: float,
        cache_jwk_set: bool,
        refetch_cooldown: float,
        negative_cache_ttl: float,
        max_stale: float,
        cache_keys: bool,
        max_cached_keys: int,
        clock: Callable[[], float],
    ) -> None:
        self.cache = JWKSetCache(lifespan, clock=clock)
        self.cache_jwk_set = cache_jwk_set
        self.refetch_cooldown = refetch_cooldown
        self.negative_cache_ttl = negative_cache_ttl
        self.max_stale = max_stale
        self.cache_keys = cache_keys
        self.max_cached_keys = max_cached_keys
        self.clock = clock
        self.in_flight = False
        #: Counts successful fetches, so a lookup can tell whether the set it searched was
        #: fetched after it started (then a forced refetch would only repeat that fetch).
        self.generation = 0
        self._last_forced: float | None = None
        self._failures = 0
        self._retry_at = -math.inf
        self._last_error: PyJWKClientError | None = None
        self._unknown: OrderedDict[str, float] = OrderedDict()
        #: kid -> (the cached set's stamp when the key was found, the key).
        self._keys: OrderedDict[str, tuple[_Stamped, PyJWK]] = OrderedDict()

    # --- the set -------------------------------------------------------------------------------

    def _stale(self) -> PyJWKSet | None:
        """The last good set while it is younger than ``max_stale``, else None."""
        stamped = self.cache.jwk_set_with_timestamp
        if stamped is None or self.clock() - stamped.timestamp > self.max_stale:
            return None
        return stamped.jwk_set

    def begin(self, mode: Mode) -> PyJWKSet | None:
        """A set the caller may use now, or None: then it starts a fetch or joins the running one.

        Raises:
            PyJWKClientError: the last fetch failed, nothing usable is cached and the backoff
                has not yet run out (no request is sent).
        """
        if mode is Mode.CACHED and self.cache_jwk_set:
            fresh = self.cache.get()
            if fresh is not None:
                return fresh
            if self.in_flight:  # someone is refreshing: keep serving what we have meanwhile
                return self._stale()
        if self.in_flight or mode is Mode.REFRESH:
            return None
        if self.clock() < self._retry_at:
            stale = self._stale()
            if stale is not None:
                return stale
            assert self._last_error is not None  # noqa: S101 - set together with _retry_at
            wait = self._retry_at - self.clock()
            raise type(self._last_error)(f"{self._last_error} (next attempt in {wait:.0f} s)")
        return None

    def succeeded(self, jwk_set: PyJWKSet, max_age: float | None) -> None:
        """Install a newly fetched set."""
        # Cache-Control may shorten the lifespan (never below the cooldown) but never stretch
        # it: the set is refetched after ``lifespan`` seconds at the latest, as in PyJWT.
        ttl = None
        if max_age is not None:
            ttl = min(max(max_age, self.refetch_cooldown), MAX_TTL, self.cache.lifespan)
        self.cache.put(jwk_set, ttl=ttl)
        self.generation += 1
        self._failures, self._retry_at, self._last_error = 0, -math.inf, None
        self._keys.clear()  # a key removed from the set must stop working

    def failed(self, error: PyJWKClientError) -> PyJWKSet | None:
        """Record a failed fetch; return the stale set callers may fall back to, if any."""
        self._failures += 1
        self._last_error = error
        stale = self._stale()
        if stale is not None:
            delay = self.refetch_cooldown
            self.cache.extend(delay)
        else:
            delay = min(self.refetch_cooldown, 2.0 ** min(self._failures - 1, 32))
        self._retry_at = self.clock() + delay
        return stale

    # --- kids ----------------------------------------------------------------------------------

    def cached_key(self, kid: str) -> PyJWK | None:
        """The remembered PyJWK for ``kid`` while the set it came from is cached and fresh."""
        entry = self._keys.get(kid) if self.cache_keys else None
        # A set stored by hand (PyJWT's jwk_set_cache.put) replaces the fetched one without a
        # fetch: keys remembered from the old set must not outlive it.
        if (
            entry is None
            or entry[0] is not self.cache.jwk_set_with_timestamp
            or self.cache.is_expired()
        ):
            return None
        self._keys.move_to_end(kid)
        return entry[1]

    def remember_key(self, kid: str, key: PyJWK, found_in: PyJWKSet) -> None:
        """Remember ``key``, found in ``found_in``, while that set is the cached one."""
        stamped = self.cache.jwk_set_with_timestamp
        # The lookup ran outside the lock: another fetch or a put may have replaced the set
        # it searched. Stamped with the new set, a key rotated out would outlive its set.
        if self.cache_keys and stamped is not None and stamped.jwk_set is found_in:
            self._keys[kid] = (stamped, key)
            while len(self._keys) > self.max_cached_keys:
                self._keys.popitem(last=False)

    def may_force_after(self, kid: str, generation: int) -> bool:
        """Whether an unknown ``kid`` may trigger a refetch now (marks the refetch as used).

        ``generation`` is :attr:`generation` when the lookup started: if a fetch finished
        since, the set just searched is as new as a refetch would bring.
        """
        if generation != self.generation:
            return False
        now = self.clock()
        expires = self._unknown.get(kid)
        if expires is not None and now < expires:
            return False
        if self._last_forced is not None and now - self._last_forced < self.refetch_cooldown:
            return False
        self._last_forced = now
        return True

    def unknown(self, kid: str) -> PyJWKClientError:
        """Remember ``kid`` as unknown; the error to raise for it."""
        now = self.clock()
        expires = self._unknown.pop(kid, None)
        if len(kid) <= _MAX_REMEMBERED_KID:
            # Asking again does not extend the memory: the kid may refetch once it ends.
            if expires is None or expires <= now:
                expires = now + self.negative_cache_ttl
            self._unknown[kid] = expires
            while len(self._unknown) > _NEGATIVE_CACHE_SIZE:
                self._unknown.popitem(last=False)
        return PyJWKClientError(f'Unable to find a signing key that matches: "{escape(kid)}"')

    def found(self, kid: str) -> None:
        self._unknown.pop(kid, None)


def _lifespan(value: float) -> float:
    # Not _seconds(): PyJWT takes an infinite lifespan (cache for ever), and so does its face.
    try:
        return float(value)
    except OverflowError:
        raise PyJWKClientError("Lifespan is too large") from None


def _seconds(name: str, value: Any, *, positive: bool = False) -> float:
    """A duration setting as float seconds; NaN, infinities, negatives and non-numbers are
    refused (a NaN or infinite bound would silently disable the limit it sets)."""
    label = _LABELS.get(name, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PyJWKClientError(f"{label} must be a number of seconds, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:
        raise PyJWKClientError(f"{label} is too large") from None
    if positive and not seconds > 0:
        raise PyJWKClientError(f'{label} must be greater than 0, the input is "{value}"')
    if seconds < 0:
        # PyJWT's texts, for cooldown_duration.
        raise PyJWKClientError(
            f'{label} must be greater than or equal to 0, the input is "{value}"'
        )
    if not math.isfinite(seconds):
        raise PyJWKClientError(f'{label} must be finite, the input is "{value}"')
    return seconds


#: Names used in error messages (PyJWT's for its own argument).
_LABELS = {"cooldown_duration": "Cooldown duration"}


def check_settings(**settings: Any) -> dict[str, float]:
    """The durations ``timeout``, ``refetch_cooldown``, ... as validated floats."""
    positive = {"timeout"}
    return {
        name: _seconds(name, value, positive=name in positive) for name, value in settings.items()
    }


def outcome(
    jwk_set: PyJWKSet | None,
    stale: PyJWKSet | None,
    error: PyJWKClientError | None,
    mode: Mode,
) -> PyJWKSet:
    """What a caller of ``mode`` gets from a finished fetch: the new set, the stale one, or raise.

    Each waiter gets its own exception instance (one raised in many threads or tasks would
    share and grow a single traceback).
    """
    if jwk_set is not None:
        return jwk_set
    if stale is not None and mode is not Mode.REFRESH:
        return stale
    error = error or PyJWKClientConnectionError("The JWKS fetch failed")
    raise type(error)(str(error))


def make_rules(
    *,
    cache_keys: bool,
    max_cached_keys: int,
    cache_jwk_set: bool,
    lifespan: Any,
    timeout: Any,
    refetch_cooldown: Any,
    negative_cache_ttl: Any,
    max_stale: Any,
    clock: Callable[[], float],
) -> JWKSRules:
    """The shared rules, after checking every duration (NaN would disable a bound silently)."""
    if cache_jwk_set and not (isinstance(lifespan, (int, float)) and lifespan > 0):
        raise PyJWKClientError(
            f'Lifespan must be greater than 0, the input is "{escape(lifespan)}"'
        )
    cooldown = check_settings(cooldown_duration=refetch_cooldown)["cooldown_duration"]
    durations = check_settings(
        timeout=timeout,
        # By default an unknown kid is remembered as long as the cooldown lasts, so that
        # cooldown_duration alone decides when it may refetch (0: every time, as in PyJWT).
        negative_cache_ttl=cooldown if negative_cache_ttl is None else negative_cache_ttl,
        max_stale=max_stale,
    )
    return JWKSRules(
        lifespan=_lifespan(lifespan) if cache_jwk_set else 0.0,
        cache_jwk_set=cache_jwk_set,
        refetch_cooldown=cooldown,
        negative_cache_ttl=durations["negative_cache_ttl"],
        max_stale=durations["max_stale"],
        cache_keys=cache_keys,
        max_cached_keys=max_cached_keys,
        clock=clock,
    )
