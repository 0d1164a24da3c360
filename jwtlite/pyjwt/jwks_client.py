"""PyJWT's ``jwt.jwks_client``: :class:`PyJWKClient` handing back this face's key objects.

Fetching, caching, cooldowns and every limit are jwtlite's (:mod:`jwtlite.jwks_client`). The
clock is read through ``time.monotonic`` at each call, so tests that patch
``jwt.jwks_client.time.monotonic`` move it as they would PyJWT's.
"""

from __future__ import annotations

import time  # noqa: F401 - PyJWT's tests patch jwt.jwks_client.time.monotonic
from typing import Any

from .. import jwks_client as _native
from .._escape import escape
from .._jwks_cache import signing_key, signing_keys
from .._jwks_http import _NoRedirectHandler
from ..exceptions import PyJWKClientError
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import _pyjwt_text
from .jwk_set_cache import JWKSetCache, face_set, monotonic

__all__ = ["PyJWKClient", "_NoRedirectHandler"]


class PyJWKClient(_native.PyJWKClient):
    """PyJWT's JWKS client; keys come back as :class:`~jwtlite.pyjwt.api_jwk.PyJWK`."""

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
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("clock", monotonic)
        # PyJWT has no negative cache: an unknown kid may refetch once per cooldown. Bounding
        # jwtlite's negative cache by the cooldown keeps that rule (the cooldown still caps
        # the refetches a flood of random kids can cause).
        if isinstance(cooldown_duration, (int, float)) and cooldown_duration >= 0:
            kwargs.setdefault("negative_cache_ttl", min(cooldown_duration, 30.0))
        super().__init__(
            uri, cache_keys, max_cached_keys, cache_jwk_set, lifespan, headers, timeout,
            ssl_context, cooldown_duration, **kwargs,
        )  # fmt: skip
        native_cache = self.jwk_set_cache
        #: PyJWT's cache object over the client's own (None with ``cache_jwk_set=False``).
        self.jwk_set_cache = None if native_cache is None else JWKSetCache.view(native_cache)  # type: ignore[assignment]

    @_pyjwt_text
    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:  # type: ignore[override]
        return face_set(super().get_jwk_set(refresh))

    @_pyjwt_text
    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:  # type: ignore[override]
        native = _native.PyJWKClient.get_jwk_set(self, refresh)
        return [PyJWK.wrap(key) for key in signing_keys(native)]

    @_pyjwt_text
    def get_signing_key(self, kid: str) -> PyJWK:  # type: ignore[override]
        if (self.jwk_set_cache is not None and self.refetch_cooldown > 0) or not isinstance(
            kid, str
        ):
            return PyJWK.wrap(super().get_signing_key(kid))
        # Without a set cache every lookup fetches, and ``cooldown_duration=0`` turns the
        # cooldown off: then, as in PyJWT, a kid that is not found refetches the set once.
        for refresh in (False, True):
            key = signing_key(_native.PyJWKClient.get_jwk_set(self, refresh), kid)
            if key is not None:
                return PyJWK.wrap(key)
        raise PyJWKClientError(f'Unable to find a signing key that matches: "{escape(kid)}"')

    @_pyjwt_text
    def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:  # type: ignore[override]
        return PyJWK.wrap(super().get_signing_key_from_jwt(token))
