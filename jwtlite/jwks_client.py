"""Fetch and cache a remote JWK Set: PyJWT's :class:`PyJWKClient`, on the standard library only.

Transport rules: ``https://`` only, except ``http://`` to a loopback host (local development
and tests); redirects may not change the scheme or leave those rules; the body is capped at
``max_response_bytes``; ``timeout`` bounds each socket operation *and* the whole read.

Cache rules, better than PyJWT's on rotation and abuse:

* an unknown ``kid`` forces one refetch, even right after a fetch, so a newly published key
  works on its first token;
* forced refetches are at most one per ``refetch_cooldown`` seconds (counted from the last
  *forced* refetch), and an unknown ``kid`` is remembered for ``negative_cache_ttl`` seconds, so
  a flood of tokens with random ``kid`` values costs a small, bounded number of fetches;
* when a refetch fails, the last good set stays in use for up to ``max_stale`` seconds
  (stale-if-error, RFC 5861 §4), and the next attempt waits ``refetch_cooldown`` seconds;
* ``Cache-Control: max-age`` (RFC 9111 §5.2.2.1) replaces ``lifespan`` when present, clamped to
  [``refetch_cooldown``, 24 hours].

One lock serialises fetches, so concurrent callers wait for a single request instead of each
sending their own. Time comes from ``clock`` (monotonic seconds), so tests never sleep.
"""

from __future__ import annotations

import http.client
import ipaddress
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from typing import IO, Any, Callable

from . import jws
from ._json import loads_object
from .exceptions import (
    DecodeError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
)
from .jwk import PyJWK, PyJWKSet

__all__ = ["PyJWKClient"]

#: Default response-size cap. Large real-world sets are a few tens of KiB.
DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024
_MAX_TTL = 24 * 3600.0
_NEGATIVE_CACHE_SIZE = 1024
_MAX_REMEMBERED_KID = 256  # longer kids are not worth memory; the cooldown still bounds them
_CHUNK = 64 * 1024
_MAX_REDIRECTS = 3


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_uri(uri: Any) -> str:
    """Return ``uri`` when the transport rules allow it; PyJWKClientError otherwise."""
    if not isinstance(uri, str):
        raise PyJWKClientError(f"JWKS URI must be a string, not {type(uri).__name__}")
    try:
        parts = urllib.parse.urlsplit(uri)
        host = parts.hostname
    except ValueError as exc:
        raise PyJWKClientError(f"Invalid JWKS URI: {exc}") from None
    if not host:
        raise PyJWKClientError(f"JWKS URI has no host: {uri!r}")
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and _is_loopback(host)):
        return uri
    raise PyJWKClientError(
        f"JWKS URI must use https:// (http:// only to a loopback host), got {uri!r}"
    )


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow a few redirects, each to a URI that keeps the scheme and passes the rules."""

    max_redirections = _MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        old_scheme = urllib.parse.urlsplit(req.full_url).scheme.lower()
        try:
            new_scheme = urllib.parse.urlsplit(newurl).scheme.lower()
            allowed = new_scheme == old_scheme and _check_uri(newurl) == newurl
        except PyJWKClientError:
            allowed = False
        if not allowed:
            fp.close()
            raise PyJWKClientConnectionError(f"JWKS redirect to {newurl!r} refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _max_age(cache_control: str | None) -> float | None:
    """The ``max-age`` (or 0 for ``no-store``/``no-cache``) of a Cache-Control header."""
    if not cache_control:
        return None
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            value = value.strip().strip('"')
            if value.isdigit() and value.isascii():
                return float(min(int(value[:12]), int(_MAX_TTL)))
    return None


def _read_limited(response: Any, limit: int, deadline: float) -> bytes:
    """Read the body, refusing more than ``limit`` bytes or a read slower than the deadline."""
    length = response.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > limit:
        raise PyJWKClientError(f"JWKS response is larger than {limit} bytes")
    # read1 returns whatever has arrived, so the deadline is checked while a body trickles in;
    # read(n) would block until n bytes came, however slowly.
    read = getattr(response, "read1", response.read)
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise PyJWKClientError(f"JWKS response is larger than {limit} bytes")
        if time.monotonic() > deadline:
            # A server trickling bytes resets the socket timeout on every byte.
            raise PyJWKClientConnectionError("Fail to fetch data from the url, err: timed out")


class PyJWKClient:
    """PyJWT-compatible JWKS client; see the module docstring for the transport and cache rules.

    The positional parameters are PyJWT's. Keyword-only extras: ``max_response_bytes``,
    ``refetch_cooldown``, ``negative_cache_ttl``, ``max_stale`` (seconds) and ``clock``.

    Raises:
        PyJWKClientError: at construction, for a URI the transport rules refuse or a
            ``lifespan`` that is not positive.
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
        negative_cache_ttl: float = 30.0,
        max_stale: float = _MAX_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.uri = _check_uri(uri)
        if cache_jwk_set and lifespan <= 0:
            raise PyJWKClientError("Lifespan must be greater than 0")
        self.cache_keys = cache_keys
        self.max_cached_keys = max_cached_keys
        self.cache_jwk_set = cache_jwk_set
        self.lifespan = float(lifespan)
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.max_response_bytes = max_response_bytes
        # PyJWT names the minimum gap between forced refetches ``cooldown_duration``.
        self.refetch_cooldown = cooldown_duration if refetch_cooldown is None else refetch_cooldown
        self.negative_cache_ttl = negative_cache_ttl
        self.max_stale = max_stale
        self._clock = clock
        self._lock = threading.RLock()
        self._set: PyJWKSet | None = None
        self._fetched_at = 0.0
        self._fresh_until = 0.0
        self._last_forced: float | None = None
        self._last_max_age: float | None = None
        self._unknown: OrderedDict[str, float] = OrderedDict()
        self._key_cache: OrderedDict[str, PyJWK] = OrderedDict()
        self._opener = self._build_opener()

    def _build_opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = [_RedirectHandler()]
        handlers.append(urllib.request.HTTPSHandler(context=self.ssl_context))
        if urllib.parse.urlsplit(self.uri).scheme.lower() == "http":
            handlers.append(urllib.request.ProxyHandler({}))  # loopback never goes via a proxy
        return urllib.request.build_opener(*handlers)

    # --- transport ------------------------------------------------------------------------

    def fetch_data(self) -> Any:
        """GET the JWKS URI and return the parsed JSON object (no caching here).

        Raises:
            PyJWKClientConnectionError: the request failed, timed out or was redirected badly.
            PyJWKClientError: the body is too large or not a JSON object.
        """
        # The scheme was checked by _check_uri; redirects are checked by _RedirectHandler.
        request = urllib.request.Request(self.uri, headers=self.headers)  # noqa: S310
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = _read_limited(response, self.max_response_bytes, deadline)
                self._last_max_age = _max_age(response.headers.get("Cache-Control"))
        except PyJWKClientError:
            raise
        except urllib.error.HTTPError as exc:
            exc.close()
            raise PyJWKClientConnectionError(
                f'Fail to fetch data from the url, err: "HTTP {exc.code}"'
            ) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            # URLError and socket timeouts are OSErrors; ValueError covers malformed URLs.
            raise PyJWKClientConnectionError(
                f'Fail to fetch data from the url, err: "{exc}"'
            ) from exc
        try:
            return loads_object(body, "JWKS response")
        except DecodeError as exc:
            raise PyJWKClientError(str(exc)) from None

    # --- the cached set ---------------------------------------------------------------------

    def _refresh(self) -> PyJWKSet:
        """Fetch and install a new set; on failure fall back to the last good one if allowed."""
        now = self._clock()
        self._last_max_age = None
        try:
            data = self.fetch_data()
            if not isinstance(data, dict):
                raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
            try:
                jwk_set = PyJWKSet.from_dict(data)
            except PyJWKSetError as exc:
                raise PyJWKClientError(str(exc)) from None
        except PyJWKClientError:
            if self._set is None or now - self._fetched_at > self.max_stale:
                raise
            self._fresh_until = now + self.refetch_cooldown  # stale-if-error, retry later
            return self._set
        ttl = self.lifespan if self._last_max_age is None else self._last_max_age
        self._set, self._fetched_at = jwk_set, now
        self._fresh_until = now + min(max(ttl, self.refetch_cooldown), _MAX_TTL)
        self._key_cache.clear()  # a key removed from the set must stop working
        return jwk_set

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The JWK Set, from the cache while it is fresh (always fetched without a cache)."""
        with self._lock:
            current = self._set
            if current is None or refresh or not self.cache_jwk_set:
                return self._refresh()
            return current if self._clock() < self._fresh_until else self._refresh()

    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """Keys usable for verification: ``use`` absent or ``sig``, and a ``kid``."""
        jwk_set = self.get_jwk_set(refresh)
        keys = [
            k
            for k in jwk_set.keys
            if k.public_key_use in ("sig", None)
            and k.key_id
            and (k.key_ops is None or "verify" in k.key_ops)
        ]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    @staticmethod
    def match_kid(signing_keys: list[PyJWK], kid: str) -> PyJWK | None:
        """The first key whose ``kid`` is ``kid``, or None."""
        return next((key for key in signing_keys if key.key_id == kid), None)

    def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key with this ``kid``, refetching the set once if it is unknown.

        Raises:
            PyJWKClientError: no key has this ``kid`` (also after the allowed refetch).
            PyJWKClientConnectionError: the set could not be fetched and none is cached.
        """
        if not isinstance(kid, str):
            raise PyJWKClientError(f"kid must be a string, not {type(kid).__name__}")
        with self._lock:
            cached = self._key_cache.get(kid) if self.cache_keys else None
            if cached is not None and self._clock() < self._fresh_until:
                self._key_cache.move_to_end(kid)
                return cached
            key = self.match_kid(self.get_signing_keys(), kid) or self._refetch_for(kid)
            if self.cache_keys:
                self._key_cache[kid] = key
                while len(self._key_cache) > self.max_cached_keys:
                    self._key_cache.popitem(last=False)
            return key

    def _refetch_for(self, kid: str) -> PyJWK:
        """Handle an unknown kid: one forced refetch per cooldown, then a negative cache."""
        now = self._clock()
        expires = self._unknown.get(kid)
        recently_unknown = expires is not None and now < expires
        cooled = self._last_forced is None or now - self._last_forced >= self.refetch_cooldown
        if not recently_unknown and cooled:
            self._last_forced = now
            key = self.match_kid(self.get_signing_keys(refresh=True), kid)
            if key is not None:
                self._unknown.pop(kid, None)
                return key
        if len(kid) <= _MAX_REMEMBERED_KID:
            self._unknown[kid] = now + self.negative_cache_ttl
            self._unknown.move_to_end(kid)
            while len(self._unknown) > _NEGATIVE_CACHE_SIZE:
                self._unknown.popitem(last=False)
        raise PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')

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
