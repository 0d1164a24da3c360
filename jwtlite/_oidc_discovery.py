"""OpenID Provider discovery: OpenID Connect Discovery 1.0 §4, and RFC 8414 §3 for OAuth servers.

The issuer is the trust anchor; everything else is derived from it and checked against it:

* **Where.** The document lives at a well-known URI made from the issuer: appended to it for
  OpenID Providers (Discovery §4.1: ``{issuer}/.well-known/openid-configuration``, a trailing
  ``/`` of the issuer removed first), inserted between host and path for OAuth authorization
  servers (RFC 8414 §3.1: ``https://host/.well-known/oauth-authorization-server/{path}``).
* **Whose.** The document's ``issuer`` must be identical to the issuer it was fetched for
  (Discovery §4.3, RFC 8414 §3.3), or nothing in it is used: a provider that could publish
  metadata for another issuer could hand out that issuer's ``jwks_uri`` (mix-up attacks).
* **HTTPS only.** The issuer (Discovery §2: "https scheme ... no query or fragment
  components") and the ``jwks_uri`` must be ``https://`` URLs. Plain ``http://`` is accepted
  only for a loopback host (``localhost``, 127.0.0.0/8, ``::1``) and only with
  ``allow_http_loopback=True``: for tests and local development, never for a real provider.
* **Transport**, as for the JWKS clients (:mod:`jwtlite._jwks_http`): one overall deadline per
  request, no redirects (Discovery §4.2 answers 200 OK), a size cap (64 KiB by default; real
  documents are a few KiB), strict JSON.
* **Cache.** A document is fresh for ``lifespan`` seconds (shortened by the response's
  ``Cache-Control: max-age``, floored at ``refetch_cooldown`` so ``no-store`` cannot make every
  verification cost a request). When a refetch fails the last good document stays in use for up
  to ``max_stale`` seconds (RFC 5861 §4), and the next attempt waits ``refetch_cooldown``
  seconds; with nothing cached, failures are retried after 1, 2, 4, ... seconds (at most the
  cooldown) and lookups in between fail at once with the last error.
* **Single flight, no I/O under a lock.** One fetch runs at a time; while it runs, callers
  keep using the expired document if it may still stand in (``max_stale``), the others wait for
  that fetch (at most ``timeout`` seconds more).

The discovered ``jwks_uri`` feeds a :class:`~jwtlite.jwks_client.PyJWKClient` (or, for
:class:`AsyncOpenIDProvider`, an :class:`~jwtlite.jwks_client_async.AsyncPyJWKClient`) built
with ``require_https=True`` and the provider's clock, timeout and TLS context.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional

from . import _jwks_http
from ._escape import escape
from ._jwks_cache import check_settings
from ._oidc_metadata import (
    MetadataRules,
    ProviderMetadata,
    allowed_url,
    outcome,
    parse_metadata,
    well_known_uri,
)
from ._values import mapping
from .exceptions import (
    ProviderMetadataError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)
from .jwks_client import PyJWKClient, _timed_out
from .jwks_client_async import AsyncPyJWKClient, FetchFunction, _plugged_fetch

__all__ = ["DEFAULT_MAX_METADATA_BYTES", "AsyncOpenIDProvider", "OpenIDProvider"]

#: Default cap on a discovery document. Google's is about 1.3 KiB, Microsoft's and Okta's a
#: few KiB; nothing legitimate comes near this.
DEFAULT_MAX_METADATA_BYTES = 64 * 1024
_DEFAULT_HEADERS = {"Accept": "application/json"}


class _Provider:
    """What both providers share: the checked settings, the rules, parsing."""

    def __init__(
        self,
        issuer: str,
        *,
        well_known: str,
        lifespan: float,
        refetch_cooldown: float,
        max_stale: float,
        timeout: float,
        headers: Mapping[str, str] | None,
        ssl_context: Any,
        max_response_bytes: int,
        allow_http_loopback: bool,
        jwks_options: Mapping[str, Any] | None,
        clock: Callable[[], float],
    ) -> None:
        self.allow_http_loopback = bool(allow_http_loopback)
        #: The issuer identifier: the trust anchor every document is checked against.
        self.issuer = allowed_url(
            issuer, "issuer", allow_http_loopback=self.allow_http_loopback, issuer=True
        )
        #: The URL of the discovery document.
        self.uri = well_known_uri(self.issuer, well_known)
        self._require_jwks_uri = well_known == "openid-configuration"
        durations = check_settings(
            timeout=timeout, refetch_cooldown=refetch_cooldown, max_stale=max_stale
        )
        lifespan = check_settings(lifespan=lifespan)["lifespan"]
        if not lifespan > 0:
            raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
        self.timeout = durations["timeout"]
        self.headers = {**_DEFAULT_HEADERS, **dict(mapping(headers, "headers") or {})}
        self.ssl_context = ssl_context
        self.max_response_bytes = _jwks_http.check_max_bytes(max_response_bytes)
        self.jwks_options = dict(mapping(jwks_options, "jwks_options") or {})
        self._clock = clock
        self._rules = MetadataRules(
            lifespan=lifespan,
            refetch_cooldown=durations["refetch_cooldown"],
            max_stale=durations["max_stale"],
            clock=clock,
        )
        self._jwks: tuple[str, Any] | None = None

    def _parse(self, body: bytes) -> ProviderMetadata:
        return parse_metadata(
            body,
            self.issuer,
            allow_http_loopback=self.allow_http_loopback,
            require_jwks_uri=self._require_jwks_uri,
        )

    def _request(self) -> tuple[bytes, float | None]:
        """The blocking GET of the document: its body and Cache-Control max-age."""
        return _jwks_http.fetch(
            self.uri,
            headers=self.headers,
            timeout=self.timeout,
            ssl_context=self.ssl_context,
            max_bytes=self.max_response_bytes,
            what="discovery document",
        )

    def _cached(self, refresh: bool) -> ProviderMetadata | None:
        """The rules' decision before any fetch: the cached document to return, None to fetch
        (or wait for the fetch in progress); raises while a failure's cooldown runs."""
        usable = self._rules.begin(refresh)
        if isinstance(usable, PyJWKClientError):
            raise type(usable)(str(usable))
        return usable

    def _jwks_settings(self) -> dict[str, Any]:
        # require_https: the jwks_uri was checked already (https, or loopback http with the
        # flag); the client checks again, refusing plain http unless the flag allowed it.
        return {
            "timeout": self.timeout,
            "ssl_context": self.ssl_context,
            "require_https": not self.allow_http_loopback,
            "clock": self._clock,
            **self.jwks_options,
        }

    def _jwks_uri(self, metadata: ProviderMetadata) -> str:
        if metadata.jwks_uri is None:
            raise ProviderMetadataError(
                f"The discovery document of {escape(self.issuer)} has no jwks_uri"
            )
        return metadata.jwks_uri

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.issuer!r})"


class _Flight:
    """One fetch in progress; waiters block on ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.metadata: ProviderMetadata | None = None
        self.stale: ProviderMetadata | None = None
        self.error: PyJWKClientError | None = None


class OpenIDProvider(_Provider):
    """An OpenID Provider (or an RFC 8414 OAuth server) found by discovery; thread-safe.

    Pass it as the ``key`` of :func:`jwtlite.oidc.verify_id_token`: the issuer, the signing
    keys (from the discovered ``jwks_uri``) and the default algorithms come from it.

    Args:
        issuer: the issuer identifier, an ``https://`` URL without query or fragment.
        well_known: ``"openid-configuration"`` (Discovery 1.0) or
            ``"oauth-authorization-server"`` (RFC 8414).
        lifespan: seconds a document stays fresh (shortened by ``Cache-Control: max-age``).
        refetch_cooldown: the least time between fetches after a failure, in seconds.
        max_stale: how long a document stays in use while refetches fail, in seconds.
        timeout: the overall deadline of one request, in seconds.
        headers: extra request headers; ``Accept: application/json`` is sent by default.
        ssl_context: the TLS context for the document and the JWKS requests.
        max_response_bytes: the size cap of the document.
        allow_http_loopback: accept ``http://`` issuers and ``jwks_uri`` values on a loopback
            host (tests and local development only).
        jwks_options: keyword arguments for the :class:`~jwtlite.jwks_client.PyJWKClient`
            built for the ``jwks_uri`` (``lifespan``, ``cache_keys``, ...).
        clock: monotonic seconds, injected by tests; shared with the JWKS client.

    Raises:
        ProviderMetadataError: the issuer is not an https URL (or is one with a query or
            fragment).
        PyJWKClientError: a duration is negative, NaN or not a number.
    """

    def __init__(
        self,
        issuer: str,
        *,
        well_known: str = "openid-configuration",
        lifespan: float = 3600.0,
        refetch_cooldown: float = 60.0,
        max_stale: float = 24 * 3600.0,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        ssl_context: Any = None,
        max_response_bytes: int = DEFAULT_MAX_METADATA_BYTES,
        allow_http_loopback: bool = False,
        jwks_options: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            issuer,
            well_known=well_known,
            lifespan=lifespan,
            refetch_cooldown=refetch_cooldown,
            max_stale=max_stale,
            timeout=timeout,
            headers=headers,
            ssl_context=ssl_context,
            max_response_bytes=max_response_bytes,
            allow_http_loopback=allow_http_loopback,
            jwks_options=jwks_options,
            clock=clock,
        )
        self._lock = threading.Lock()
        self._flight: _Flight | None = None

    def fetch_metadata(self) -> ProviderMetadata:
        """GET and validate the document now, bypassing the cache.

        Raises:
            PyJWKClientConnectionError: the request failed, timed out, was redirected or got
                an HTTP error status.
            ProviderMetadataError: the document is unusable (another issuer, no jwks_uri, ...).
            PyJWKClientError: the document is larger than ``max_response_bytes``.
        """
        return self._fetch()[0]

    def _fetch(self) -> tuple[ProviderMetadata, float | None]:
        """The validated document and the response's Cache-Control max-age."""
        body, max_age = self._request()
        return self._parse(body), max_age

    def get_metadata(self, refresh: bool = False) -> ProviderMetadata:
        """The document, from the cache while it is fresh; ``refresh=True`` fetches anew (and a
        failure then raises even when a stale document is cached). Errors: as
        :meth:`fetch_metadata`."""
        with self._lock:
            cached = self._cached(refresh)
            if cached is not None:
                return cached
            flight = self._flight
            leader = flight is None
            if flight is None:
                flight = self._flight = _Flight()
            elif not refresh and (stale := self._rules.stale()) is not None:
                return stale  # another thread is refetching: no need to wait for it
        if leader:
            self._fly(flight)
        elif not flight.done.wait(self.timeout + 1.0):
            raise _timed_out()
        return outcome(flight.metadata, flight.stale, flight.error, refresh)

    def _fly(self, flight: _Flight) -> None:
        """Run the one fetch, outside the lock, and publish its outcome."""
        try:
            metadata, max_age = self._fetch()
        except PyJWKClientError as exc:
            with self._lock:
                flight.error, flight.stale = exc, self._rules.failed(exc)
        except BaseException:
            with self._lock:
                flight.error = PyJWKClientConnectionError("The discovery fetch failed unexpectedly")
                self._rules.failed(flight.error)
            raise
        else:
            with self._lock:
                self._rules.succeeded(metadata, max_age)
                flight.metadata = metadata
        finally:
            with self._lock:
                self._flight = None
            flight.done.set()

    def get_jwks_client(self) -> PyJWKClient:
        """The JWKS client for the discovered ``jwks_uri`` (a new one when the URI changes).

        Raises:
            ProviderMetadataError: the document has no ``jwks_uri`` (an RFC 8414 server).
            PyJWKClientError: as :meth:`get_metadata`.
        """
        uri = self._jwks_uri(self.get_metadata())
        with self._lock:
            if self._jwks is None or self._jwks[0] != uri:
                self._jwks = (uri, PyJWKClient(uri, **self._jwks_settings()))
            client: PyJWKClient = self._jwks[1]
        return client


_AsyncOutcome = tuple[
    Optional[ProviderMetadata], Optional[ProviderMetadata], Optional[PyJWKClientError]
]


class AsyncOpenIDProvider(_Provider):
    """:class:`OpenIDProvider` for asyncio: every lookup is a coroutine; share one per issuer.

    Parameters are those of :class:`OpenIDProvider` plus ``fetch``, an optional async
    transport ``(uri, headers, timeout) -> bytes`` (as for
    :class:`~jwtlite.jwks_client_async.AsyncPyJWKClient`, which gets it too); its result goes
    through the same size cap, deadline and checks. Without it the standard-library request
    runs in the loop's default executor, so the event loop never blocks.
    """

    def __init__(
        self,
        issuer: str,
        *,
        well_known: str = "openid-configuration",
        lifespan: float = 3600.0,
        refetch_cooldown: float = 60.0,
        max_stale: float = 24 * 3600.0,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        ssl_context: Any = None,
        max_response_bytes: int = DEFAULT_MAX_METADATA_BYTES,
        allow_http_loopback: bool = False,
        jwks_options: Mapping[str, Any] | None = None,
        fetch: FetchFunction | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            issuer,
            well_known=well_known,
            lifespan=lifespan,
            refetch_cooldown=refetch_cooldown,
            max_stale=max_stale,
            timeout=timeout,
            headers=headers,
            ssl_context=ssl_context,
            max_response_bytes=max_response_bytes,
            allow_http_loopback=allow_http_loopback,
            jwks_options=jwks_options,
            clock=clock,
        )
        self._fetch = fetch
        self._flight: asyncio.Future[_AsyncOutcome] | None = None

    async def _body(self) -> tuple[bytes, float | None]:
        if self._fetch is not None:
            body = await _plugged_fetch(
                self._fetch,
                self.uri,
                self.headers,
                self.timeout,
                self.max_response_bytes,
                "discovery document",
            )
            return body, None
        loop = asyncio.get_running_loop()
        try:  # the thread stops at its own deadline; the margin covers the executor's start
            return await asyncio.wait_for(
                loop.run_in_executor(None, self._request), self.timeout + 1
            )
        except asyncio.TimeoutError:
            raise _timed_out() from None

    async def fetch_metadata(self) -> ProviderMetadata:
        """GET and validate the document now, bypassing the cache (errors: as the sync one)."""
        body, _ = await self._body()
        return self._parse(body)

    async def _fly(self) -> _AsyncOutcome:
        """The one fetch; its outcome for every waiter. Never raises but for cancellation."""
        try:
            body, max_age = await self._body()
            metadata = self._parse(body)
        except PyJWKClientError as exc:
            return None, self._rules.failed(exc), exc
        except Exception as exc:  # a plugged-in transport's bug, reported
            error = _jwks_http.fetch_failed(exc)
            return None, self._rules.failed(error), error
        else:
            self._rules.succeeded(metadata, max_age)
            return metadata, None, None
        finally:
            self._flight = None

    async def get_metadata(self, refresh: bool = False) -> ProviderMetadata:
        """The document, from the cache while it is fresh; ``refresh=True`` fetches anew."""
        flight = self._flight
        if flight is not None and flight.get_loop() is not asyncio.get_running_loop():
            self._flight = flight = None  # left behind by a loop that has ended
        cached = self._cached(refresh)
        if cached is not None:
            return cached
        if flight is None:
            flight = self._flight = asyncio.ensure_future(self._fly())
        elif not refresh and (stale := self._rules.stale()) is not None:
            return stale  # another task is refetching: no need to wait for it
        try:
            # shield: a waiter that gives up does not cancel the others' fetch
            result = await asyncio.wait_for(asyncio.shield(flight), self.timeout + 1.0)
        except asyncio.TimeoutError:
            raise _timed_out() from None
        return outcome(*result, refresh)

    async def get_jwks_client(self) -> AsyncPyJWKClient:
        """The async JWKS client for the discovered ``jwks_uri`` (errors: as the sync one)."""
        uri = self._jwks_uri(await self.get_metadata())
        if self._jwks is None or self._jwks[0] != uri:
            settings = self._jwks_settings()
            if self._fetch is not None:
                settings.setdefault("fetch", self._fetch)
            self._jwks = (uri, AsyncPyJWKClient(uri, **settings))
        client: AsyncPyJWKClient = self._jwks[1]
        return client
