"""The model of OpenID Provider discovery, without I/O: where a provider's document lives, what
it must hold to be used, and when the cached one may be used (see :mod:`jwtlite._oidc_discovery`
for the rules and their reasons, and for the providers that fetch).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable

from ._escape import escape
from ._json import loads_object
from ._jwks_http import is_loopback
from .exceptions import (
    DecodeError,
    InvalidArgumentError,
    ProviderMetadataError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)

__all__ = [
    "MetadataRules",
    "ProviderMetadata",
    "allowed_url",
    "outcome",
    "parse_metadata",
    "well_known_uri",
]

#: The two well-known suffixes (Discovery §4.1; RFC 8414 §3 and §7.3).
_WELL_KNOWN = ("openid-configuration", "oauth-authorization-server")


@dataclass(frozen=True)
class ProviderMetadata:
    """A validated discovery document: the members verification reads, and the whole object.

    ``document`` is the JSON object as the provider sent it (read-only); ``issuer`` is
    identical to the issuer it was fetched for, ``jwks_uri`` is an allowed URL (or None when
    an RFC 8414 server publishes none), ``id_token_signing_alg_values_supported`` is empty when
    the document does not list it.
    """

    issuer: str
    jwks_uri: str | None
    id_token_signing_alg_values_supported: tuple[str, ...]
    document: Mapping[str, Any]


def allowed_url(url: Any, what: str, *, allow_http_loopback: bool, issuer: bool) -> str:
    """``url`` when it is an https URL with a host (or, with the flag, http on loopback)."""
    if not isinstance(url, str):
        raise ProviderMetadataError(f"{what} must be a string, not {type(url).__name__}")
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise ProviderMetadataError(f"{what} is not a URL: {escape(exc)}") from None
    scheme = parts.scheme.lower()
    if not host:
        raise ProviderMetadataError(f"{what} has no host: {escape(url)}")
    plain_ok = allow_http_loopback and is_loopback(host)
    if scheme != "https" and not (scheme == "http" and plain_ok):
        hint = " (http:// only for a loopback host, with allow_http_loopback=True)"
        raise ProviderMetadataError(f"{what} must use https://{hint}: {escape(url)}")
    if parts.fragment or "#" in url or (issuer and (parts.query or "?" in url)):
        # Discovery §2 and RFC 8414 §2: an issuer has no query or fragment components.
        parts_named = "query or fragment" if issuer else "fragment"
        raise ProviderMetadataError(f"{what} must not have a {parts_named}: {escape(url)}")
    return url


def well_known_uri(issuer: str, well_known: str = "openid-configuration") -> str:
    """The URL of ``issuer``'s discovery document.

    ``openid-configuration`` appends the suffix to the issuer (OpenID Connect Discovery 1.0
    §4.1); ``oauth-authorization-server`` inserts it between host and path (RFC 8414 §3.1). A
    trailing ``/`` of the issuer is removed first in both.

    >>> well_known_uri("https://server.example.com/tenant/")
    'https://server.example.com/tenant/.well-known/openid-configuration'
    >>> well_known_uri("https://server.example.com/tenant", "oauth-authorization-server")
    'https://server.example.com/.well-known/oauth-authorization-server/tenant'

    Raises:
        InvalidArgumentError: ``well_known`` is neither of the two names.
    """
    if not isinstance(well_known, str) or well_known not in _WELL_KNOWN:
        raise InvalidArgumentError(
            f'well_known must be one of {_WELL_KNOWN}, not "{escape(well_known)}"'
        )
    if not isinstance(issuer, str):
        raise InvalidArgumentError(f"issuer must be a string, not {type(issuer).__name__}")
    if well_known == "openid-configuration":
        return f"{issuer.rstrip('/')}/.well-known/{well_known}"
    parts = urllib.parse.urlsplit(issuer)
    return f"{parts.scheme}://{parts.netloc}/.well-known/{well_known}{parts.path.rstrip('/')}"


def parse_metadata(
    body: bytes, issuer: str, *, allow_http_loopback: bool, require_jwks_uri: bool
) -> ProviderMetadata:
    """The response body as validated metadata for ``issuer``.

    Raises:
        ProviderMetadataError: not a JSON object, another issuer (Discovery §4.3), or a
            missing or disallowed ``jwks_uri``, or a malformed algorithm list.
    """
    try:
        document = loads_object(body, "discovery document")
    except DecodeError as exc:
        raise ProviderMetadataError(str(exc)) from None
    claimed = document.get("issuer")
    if claimed != issuer or type(claimed) is not str:
        # Discovery §4.3 / RFC 8414 §3.3: "MUST be identical"; a simple string comparison, no
        # normalisation (a trailing slash, a different case of the host: another issuer).
        raise ProviderMetadataError(
            f"The discovery document's issuer {escape(claimed)} is not the issuer it was fetched"
            f" for, {escape(issuer)} (OpenID Connect Discovery 1.0 §4.3): it is not used"
        )
    jwks_uri = document.get("jwks_uri")
    if jwks_uri is not None:
        jwks_uri = allowed_url(
            jwks_uri, "jwks_uri", allow_http_loopback=allow_http_loopback, issuer=False
        )
    elif require_jwks_uri:  # Discovery §3: REQUIRED for an OpenID Provider
        raise ProviderMetadataError("The discovery document has no jwks_uri")
    algs = document.get("id_token_signing_alg_values_supported", [])
    if not isinstance(algs, list) or not all(isinstance(a, str) for a in algs):
        raise ProviderMetadataError(
            "id_token_signing_alg_values_supported must be a list of strings"
        )
    return ProviderMetadata(issuer, jwks_uri, tuple(algs), MappingProxyType(document))


class MetadataRules:
    """When the cached document may be used and when to fetch; no I/O, callers hold a lock."""

    def __init__(
        self, *, lifespan: float, refetch_cooldown: float, max_stale: float, clock: Any
    ) -> None:
        self.lifespan = lifespan
        self.cooldown = refetch_cooldown
        self.max_stale = max_stale
        self.clock: Callable[[], float] = clock
        self.metadata: ProviderMetadata | None = None
        self._fresh_until = 0.0
        self._retry_at: float | None = None  # while failing: no new fetch before this time
        self._backoff = 0.0
        self.error: PyJWKClientError | None = None

    def _stale(self, now: float) -> ProviderMetadata | None:
        if self.metadata is not None and now < self._fresh_until + self.max_stale:
            return self.metadata
        return None

    def stale(self) -> ProviderMetadata | None:
        """The expired document, while it may stand in (a refetch is running or failed)."""
        return self._stale(self.clock())

    def begin(self, refresh: bool) -> ProviderMetadata | PyJWKClientError | None:
        """A usable document, the error to raise at once, or None: fetch."""
        now = self.clock()
        if refresh:
            return None
        if self.metadata is not None and now < self._fresh_until:
            return self.metadata
        if self._retry_at is not None and now < self._retry_at:
            return self._stale(now) or self.error
        return None

    def succeeded(self, metadata: ProviderMetadata, max_age: float | None) -> None:
        ttl = self.lifespan if max_age is None else min(self.lifespan, max(max_age, self.cooldown))
        self.metadata, self._fresh_until = metadata, self.clock() + ttl
        self._retry_at, self._backoff, self.error = None, 0.0, None

    def failed(self, error: PyJWKClientError) -> ProviderMetadata | None:
        """Record a failed fetch; the stale document still usable, if any."""
        now = self.clock()
        stale = self._stale(now)
        if stale is not None:
            self._backoff = self.cooldown
        else:  # nothing to fall back on: retry soon, then less and less often
            self._backoff = min(self.cooldown, max(1.0, 2 * self._backoff))
        self._retry_at, self.error = now + self._backoff, error
        return stale


def outcome(
    metadata: ProviderMetadata | None,
    stale: ProviderMetadata | None,
    error: PyJWKClientError | None,
    refresh: bool,
) -> ProviderMetadata:
    """What a caller gets from a finished fetch; each raiser gets its own exception object."""
    if metadata is not None:
        return metadata
    if stale is not None and not refresh:
        return stale
    error = error or PyJWKClientConnectionError("The discovery fetch failed")
    raise type(error)(str(error))
