"""Fetch and cache a remote JWK Set: PyJWT's :class:`PyJWKClient`, on the standard library only.

Transport (see :mod:`jwtlite._jwks_http`): one overall deadline per request (``timeout``,
covering connect, status line, headers and body), no redirects, a response-size cap,
``https://`` and ``http://`` URIs (``require_https=True`` refuses ``http://``).

Cache (see :mod:`jwtlite._jwks_cache`, shared with the asyncio client): rotation picks up a new
key on its first token, a flood of random ``kid`` values costs a bounded number of fetches,
failed fetches back off, a down server does not stop verification (stale-if-error), and
private or symmetric members of a fetched set are skipped.

Threads: no network I/O ever happens under the client's lock. One fetch runs at a time; while
it runs, callers with a usable cached set keep using it and the others wait for that one fetch,
at most ``timeout`` seconds. Time comes from ``clock`` (monotonic seconds), so tests never sleep.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from . import _jwks_http, jws
from ._jwks_cache import (
    MAX_TTL,
    JWKSetCache,
    Mode,
    make_rules,
    match_kid,
    outcome,
    parse_jwk_set,
    parse_response,
    signing_key,
    signing_keys,
)
from ._jwks_http import _NoRedirectHandler  # noqa: F401 - PyJWT's tests import it from here
from ._values import mapping
from .exceptions import PyJWKClientConnectionError, PyJWKClientError
from .jwk import PyJWK, PyJWKSet

__all__ = ["JWKSetCache", "PyJWKClient"]

#: Default response-size cap. Large real-world sets are a few tens of KiB.
DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024
# Kept importable under its old name for callers and PyJWT's tests.
_max_age = _jwks_http.max_age


def _timed_out(detail: str = "") -> PyJWKClientConnectionError:
    """The deadline error of every JWKS and discovery lookup (the async ones and the
    discovery provider use it too); ``detail`` says when a waiter gave up on another fetch."""
    return PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "timed out"{detail}')


class _Flight:
    """One fetch in progress: its waiters block on ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.jwk_set: PyJWKSet | None = None
        self.stale: PyJWKSet | None = None
        self.error: PyJWKClientError | None = None


class PyJWKClient:
    """PyJWT-compatible JWKS client; see the module docstring for the transport and cache rules.

    The positional parameters are PyJWT's. Keyword-only extras: ``max_response_bytes``,
    ``refetch_cooldown``, ``negative_cache_ttl``, ``max_stale`` (seconds), ``require_https``
    and ``clock``.

    Raises:
        PyJWKClientError: at construction, for a URI the transport rules refuse, a
            ``lifespan`` that is not positive, or a duration that is NaN or negative.
    """

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        ssl_context: Any = None,
        cooldown_duration: float = 30.0,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        refetch_cooldown: float | None = None,
        negative_cache_ttl: float | None = None,
        max_stale: float = MAX_TTL,
        require_https: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.uri = _jwks_http.check_uri(uri, require_https=require_https)
        self.headers = dict(mapping(headers, "headers") or {})
        self.ssl_context = ssl_context
        self.max_response_bytes = _jwks_http.check_max_bytes(max_response_bytes)
        self._rules = make_rules(
            cache_keys=cache_keys,
            max_cached_keys=max_cached_keys,
            cache_jwk_set=cache_jwk_set,
            lifespan=lifespan,
            timeout=timeout,
            # PyJWT names the minimum gap between forced refetches ``cooldown_duration``.
            refetch_cooldown=cooldown_duration if refetch_cooldown is None else refetch_cooldown,
            negative_cache_ttl=negative_cache_ttl,
            max_stale=max_stale,
            clock=clock,
        )
        self.timeout = timeout
        #: PyJWT's cache object (None with ``cache_jwk_set=False``).
        self.jwk_set_cache: JWKSetCache | None = self._rules.cache if cache_jwk_set else None
        self._lock = threading.Lock()
        self._flight: _Flight | None = None
        self._local = threading.local()

    # PyJWT exposes these as plain attributes; they live in the shared rules.
    @property
    def cache_keys(self) -> bool:
        return self._rules.cache_keys

    @property
    def lifespan(self) -> float:
        return float(self._rules.cache.lifespan)

    @property
    def refetch_cooldown(self) -> float:
        return self._rules.refetch_cooldown

    # --- transport ------------------------------------------------------------------------

    def fetch_data(self) -> Any:
        """GET the JWKS URI and return the parsed JSON object (no caching here).

        Raises:
            PyJWKClientConnectionError: the request failed, timed out, was redirected or got
                an HTTP error status.
            PyJWKClientError: the body is too large or not a JSON object.
        """
        body, max_age = _jwks_http.fetch(
            self.uri,
            headers=self.headers,
            timeout=self.timeout,
            ssl_context=self.ssl_context,
            max_bytes=self.max_response_bytes,
        )
        self._local.max_age = max_age  # read by the fetch that called us, in this thread
        return parse_response(body)

    # --- the cached set ---------------------------------------------------------------------

    def _set(self, mode: Mode) -> PyJWKSet:
        """A set for ``mode``: from the cache, from the running fetch, or from a new one."""
        with self._lock:
            usable = self._rules.begin(mode)
            if usable is not None:
                return usable
            flight = self._flight
            leader = flight is None
            if flight is None:
                flight = self._flight = _Flight()
                self._rules.in_flight = True
        if leader:
            self._fly(flight)
        elif not flight.done.wait(self.timeout + 1.0):
            raise _timed_out(" (waiting for another fetch)")
        return outcome(flight.jwk_set, flight.stale, flight.error, mode)

    def _fly(self, flight: _Flight) -> None:
        """Run the one fetch, outside the lock, and publish its outcome to the waiters."""
        try:
            self._local.max_age = None
            jwk_set = parse_jwk_set(self.fetch_data())
        except PyJWKClientError as exc:
            with self._lock:
                flight.error, flight.stale = exc, self._rules.failed(exc)
        except BaseException:
            with self._lock:
                flight.error = PyJWKClientConnectionError("The JWKS fetch failed unexpectedly")
                self._rules.failed(flight.error)
            raise
        else:
            with self._lock:
                self._rules.succeeded(jwk_set, getattr(self._local, "max_age", None))
                flight.jwk_set = jwk_set
        finally:
            with self._lock:
                self._flight = None
                self._rules.in_flight = False
            flight.done.set()

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The JWK Set, from the cache while it is fresh (always fetched without a cache).

        With ``refresh=True`` a new set is fetched, and a failure raises even when a stale set
        is cached.
        """
        return self._set(Mode.REFRESH if refresh else Mode.CACHED)

    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """Keys usable for verification: ``use`` absent or ``sig``, ``key_ops`` allowing it."""
        return signing_keys(self.get_jwk_set(refresh))

    #: PyJWT's static method: the first key with this ``kid`` (the only key, for None).
    match_kid = staticmethod(match_kid)

    def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key with this ``kid``, refetching the set once if it is unknown.

        Raises:
            PyJWKClientError: no key has this ``kid`` (also after the allowed refetch).
            PyJWKClientConnectionError: the set could not be fetched and none is cached.
        """
        if not isinstance(kid, str):
            raise PyJWKClientError(f"kid must be a string, not {type(kid).__name__}")
        with self._lock:
            cached = self._rules.cached_key(kid)
            generation = self._rules.generation
        if cached is not None:
            return cached
        searched = self._set(Mode.CACHED)
        key = signing_key(searched, kid)
        if key is None:
            with self._lock:
                force = self._flight is not None or self._rules.may_force_after(kid, generation)
            if force:
                searched = self._set(Mode.FORCED)
                key = signing_key(searched, kid)
        with self._lock:
            if key is None:
                raise self._rules.unknown(kid)
            self._rules.found(kid)
            self._rules.remember_key(kid, key, searched)
        return key

    def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """The signing key named by the (unverified) ``kid`` header of a compact JWS.

        Raises:
            DecodeError: the token is malformed.
            PyJWKClientError: the header has no string ``kid`` or no key matches it.
        """
        header = jws.parse_compact(token).header
        kid = header.get("kid")
        if kid is None:
            raise PyJWKClientError("The token header has no kid")
        return self.get_signing_key(kid)
