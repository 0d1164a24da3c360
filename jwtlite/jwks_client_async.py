"""The JWKS client for asyncio code: :class:`AsyncPyJWKClient`.

Same rules as :class:`~jwtlite.jwks_client.PyJWKClient`, from the same code
(:mod:`jwtlite._jwks_cache`): lifespan and ``Cache-Control``, one forced refetch per unknown
``kid`` and cooldown, a negative cache against ``kid`` floods, backoff while nothing is cached,
stale-if-error, private and symmetric members skipped. Same transport and limits
(:mod:`jwtlite._jwks_http`): one overall deadline, no redirects, a size cap.

The event loop never blocks: the default transport runs the standard-library request in the
loop's default executor (one thread per fetch, and at most one fetch at a time), under the same
overall deadline. ``fetch=`` plugs in any async HTTP client instead: an ``async`` function
``(uri, headers, timeout) -> bytes`` whose result goes through the same size cap and strict
JSON; the deadline is enforced around it too.

Single flight: at most one fetch runs; while it runs, lookups that have a usable cached set
keep using it and the others await that one fetch, so 100 concurrent lookups of an unknown
``kid`` cost one request.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Awaitable, Mapping
from typing import Any, Callable, Optional

from . import _jwks_http, jws
from ._jwks_cache import (
    MAX_TTL,
    JWKSetCache,
    Mode,
    make_rules,
    outcome,
    parse_jwk_set,
    parse_response,
    signing_key,
    signing_keys,
)
from ._values import mapping
from .exceptions import PyJWKClientError
from .jwk import PyJWK, PyJWKSet
from .jwks_client import DEFAULT_MAX_RESPONSE_BYTES, PyJWKClient, _timed_out

__all__ = ["AsyncPyJWKClient", "FetchFunction"]

#: An injectable transport: ``await fetch(uri, headers, timeout)`` returns the response body.
FetchFunction = Callable[[str, Mapping[str, str], float], Awaitable[bytes]]

# The Cache-Control max-age of the response fetch_data() just read, handed to the flight that
# called it: a context variable, because each flight is its own task.
_MAX_AGE: contextvars.ContextVar[float | None] = contextvars.ContextVar("_MAX_AGE", default=None)

_Outcome = tuple[Optional[PyJWKSet], Optional[PyJWKSet], Optional[PyJWKClientError]]


async def _plugged_fetch(
    fetch: FetchFunction,
    uri: str,
    headers: Mapping[str, str],
    timeout: float,
    max_bytes: int,
    what: str,
) -> bytes:
    """The body from a plugged-in transport, under the same deadline and size cap as the
    standard-library one, its errors turned into ours (also the discovery provider's)."""
    try:
        body: Any = await asyncio.wait_for(fetch(uri, dict(headers), timeout), timeout)
    except PyJWKClientError:
        raise
    except asyncio.TimeoutError:
        raise _timed_out() from None
    except Exception as exc:  # a plugged-in client's errors become ours
        raise _jwks_http.fetch_failed(exc) from exc
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray)):
        raise PyJWKClientError(f"fetch= returned {type(body).__name__}, not bytes")
    if len(body) > max_bytes:
        raise PyJWKClientError(f"{what} is larger than {max_bytes} bytes")
    return bytes(body)


class AsyncPyJWKClient:
    """:class:`~jwtlite.jwks_client.PyJWKClient` for asyncio; every lookup is a coroutine.

    Parameters are those of ``PyJWKClient`` (keyword-only here) plus ``fetch``, an optional
    async transport (see the module docstring). Share one client per JWKS URI.

    Example::

        client = AsyncPyJWKClient("https://issuer.example/.well-known/jwks.json")
        key = await client.get_signing_key_from_jwt(token)
        claims = jwtlite.decode(token, key, algorithms=["RS256"], audience="api")

    Raises:
        PyJWKClientError: at construction, for a URI the transport rules refuse, a
            ``lifespan`` that is not positive, or a duration that is NaN or negative.
    """

    def __init__(
        self,
        uri: str,
        *,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30,
        ssl_context: Any = None,
        cooldown_duration: float = 30.0,
        refetch_cooldown: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        negative_cache_ttl: float | None = None,
        max_stale: float = MAX_TTL,
        require_https: bool = False,
        fetch: FetchFunction | None = None,
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
            refetch_cooldown=cooldown_duration if refetch_cooldown is None else refetch_cooldown,
            negative_cache_ttl=negative_cache_ttl,
            max_stale=max_stale,
            clock=clock,
        )
        self.timeout = float(timeout)
        self._fetch = fetch
        #: PyJWT-style cache object (None with ``cache_jwk_set=False``).
        self.jwk_set_cache: JWKSetCache | None = self._rules.cache if cache_jwk_set else None
        self._flight: asyncio.Future[_Outcome] | None = None

    # --- transport ------------------------------------------------------------------------

    async def _body(self) -> bytes:
        """The raw response body, within the deadline, from ``fetch=`` or the stdlib transport."""
        if self._fetch is not None:
            return await self._plugged_body(self._fetch)
        request = functools.partial(
            _jwks_http.fetch,
            self.uri,
            headers=self.headers,
            timeout=self.timeout,
            ssl_context=self.ssl_context,
            max_bytes=self.max_response_bytes,
        )
        # The thread stops at its own deadline; waiting a little longer only covers the
        # executor's start-up, so the transport's precise error is what surfaces.
        loop = asyncio.get_running_loop()
        body, max_age = await asyncio.wait_for(
            loop.run_in_executor(None, request), self.timeout + 1.0
        )
        _MAX_AGE.set(max_age)
        return body

    async def _plugged_body(self, fetch: FetchFunction) -> bytes:
        """The body from a plugged-in transport, under the same deadline and size cap."""
        return await _plugged_fetch(
            fetch, self.uri, self.headers, self.timeout, self.max_response_bytes, "JWKS response"
        )

    async def fetch_data(self) -> Any:
        """GET the JWKS URI and return the parsed JSON object (no caching here).

        Raises:
            PyJWKClientConnectionError: the request failed, timed out, was redirected or got
                an HTTP error status.
            PyJWKClientError: the body is too large or not a JSON object.
        """
        try:
            body = await self._body()
        except asyncio.TimeoutError:
            raise _timed_out() from None
        return parse_response(body)

    # --- the cached set ---------------------------------------------------------------------

    async def _fly(self) -> _Outcome:
        """The one fetch: its outcome for every waiter. Never raises but for cancellation."""
        try:
            _MAX_AGE.set(None)
            jwk_set = parse_jwk_set(await self.fetch_data())
        except PyJWKClientError as exc:
            return None, self._rules.failed(exc), exc
        except Exception as exc:  # an overridden fetch_data's bug, reported
            error = _jwks_http.fetch_failed(exc)
            return None, self._rules.failed(error), error
        else:
            self._rules.succeeded(jwk_set, _MAX_AGE.get())
            return jwk_set, None, None
        finally:
            self._flight = None
            self._rules.in_flight = False

    async def _set(self, mode: Mode) -> PyJWKSet:
        """A set for ``mode``: from the cache, from the running fetch, or from a new one."""
        flight = self._flight
        if flight is not None and flight.get_loop() is not asyncio.get_running_loop():
            self._flight = flight = None  # left behind by a loop that has ended
            self._rules.in_flight = False
        usable = self._rules.begin(mode)
        if usable is not None:
            return usable
        if flight is None:
            self._rules.in_flight = True
            flight = self._flight = asyncio.ensure_future(self._fly())
        try:
            # shield: a waiter that gives up (or is cancelled) does not cancel the others' fetch.
            result = await asyncio.wait_for(asyncio.shield(flight), self.timeout + 1.0)
        except asyncio.TimeoutError:
            raise _timed_out(" (waiting for another fetch)") from None
        return outcome(*result, mode)

    async def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The JWK Set, from the cache while it is fresh; ``refresh=True`` fetches a new one."""
        return await self._set(Mode.REFRESH if refresh else Mode.CACHED)

    async def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """Keys usable for verification: ``use`` absent or ``sig``, ``key_ops`` allowing it."""
        return signing_keys(await self.get_jwk_set(refresh))

    match_kid = staticmethod(PyJWKClient.match_kid)

    async def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key with this ``kid``, refetching the set once if it is unknown.

        Raises:
            PyJWKClientError: no key has this ``kid`` (also after the allowed refetch).
            PyJWKClientConnectionError: the set could not be fetched and none is cached.
        """
        if not isinstance(kid, str):
            raise PyJWKClientError(f"kid must be a string, not {type(kid).__name__}")
        cached = self._rules.cached_key(kid)
        if cached is not None:
            return cached
        generation = self._rules.generation
        searched = await self._set(Mode.CACHED)
        key = signing_key(searched, kid)
        if key is None and (
            self._flight is not None or self._rules.may_force_after(kid, generation)
        ):
            searched = await self._set(Mode.FORCED)
            key = signing_key(searched, kid)
        if key is None:
            raise self._rules.unknown(kid)
        self._rules.found(kid)
        self._rules.remember_key(kid, key, searched)
        return key

    async def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """The signing key named by the (unverified) ``kid`` header of a compact JWS.

        Raises:
            DecodeError: the token is malformed.
            PyJWKClientError: the header has no string ``kid`` or no key matches it.
        """
        header = jws.parse_compact(token).header
        kid = header.get("kid")
        if kid is None:
            raise PyJWKClientError("The token header has no kid")
        return await self.get_signing_key(kid)
