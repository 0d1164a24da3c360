"""DPoP for HTTP clients (RFC 9449): ``httpx`` and ``requests`` auth that sign every request.

::

    from jwtlite.dpop_client import DPoPHTTPXAuth

    auth = DPoPHTTPXAuth(jwtlite.generate_key("ES256"))
    with httpx.Client(auth=auth) as client:
        tokens = client.post("https://as.example/token", data=grant).json()  # a DPoP token request
        auth.access_token = tokens["access_token"]  # token_type "DPoP"
        client.get("https://api.example/me")  # Authorization: DPoP ... and a proof with ath

Each request gets a fresh proof (RFC 9449 §7.3: never reused, even for a retry) for its method
and URI, with ``ath`` when it carries an access token: :attr:`access_token`, or an
``Authorization: DPoP`` header the caller set. The nonce each server last sent in a
``DPoP-Nonce`` header is remembered per origin (§8.2: a client keeps one per server and uses it
until the server sends another; §9: an authorization server's and a resource server's are
different), and a request the server refused with ``use_dpop_nonce`` (a 400 from an
authorization server, §8; a 401 challenge from a resource server, §9) is sent again, once, with
a proof carrying the new nonce.

A proof never follows a redirect to another origin: the HTTP clients drop ``Authorization``
there but copy every other header. A redirect within the origin gets a fresh proof for its own
method and URL (the old one names another ``htu``), and once a chain of redirects has left the
origin nothing more is signed in it, even back at the origin (the other server chose that URL).
``requests`` runs the response hook for each redirect, so :class:`DPoPRequestsAuth` does this by
itself; httpx follows redirects where an ``httpx.Auth`` cannot see them, so a client with
``follow_redirects=True`` needs :meth:`DPoPHTTPXAuth.redirect_hook` (or
:meth:`~DPoPHTTPXAuth.async_redirect_hook`) among its ``"request"`` event hooks.

:class:`DPoPHTTPXAuth` is an ``httpx.Auth``: one object serves ``httpx.Client`` and
``httpx.AsyncClient``. :class:`DPoPRequestsAuth` is a ``requests`` auth callable. Neither
``httpx`` nor ``requests`` is imported by jwtlite: this module names ``httpx`` only when
:class:`DPoPHTTPXAuth` is first looked up, and needs nothing from ``requests``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import AsyncGenerator, Generator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ._json import loads_object
from ._uri import normalize_http_uri
from .dpop import DPoPKey
from .exceptions import DecodeError, InvalidArgumentError

if TYPE_CHECKING:
    import httpx

__all__ = ["DPoPHTTPXAuth", "DPoPRequestsAuth"]

# RFC 9449 §8.1: nonce = 1*NQCHAR. A folded pair of headers ("a, b") is not one.
_NONCE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
# RFC 9110 §11.6.1 auth-param: error="use_dpop_nonce" (quoted or a bare token).
_USE_NONCE = re.compile(r'(?:^|[\s,])error\s*=\s*"?use_dpop_nonce"?(?:$|[\s,])')
# An authorization server's error body is small JSON (RFC 6749 §5.2); a larger one is not read.
_MAX_ERROR_BODY = 65_536
# The httpx request extension a signed request's redirects share (httpx copies extensions).
_CHAIN = "jwtlite.dpop_chain"


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, the key nonces are kept under (RFC 6454 §4)."""
    normalized = normalize_http_uri(url)
    if normalized is None:
        raise InvalidArgumentError("DPoP needs an absolute http or https request URL")
    return normalized[: normalized.index("/", len("https://"))]


def _within(url: str, origin: str) -> bool:
    """Whether ``url`` is at ``origin`` (a URL that names no http(s) origin is not)."""
    try:
        return _origin(url) == origin
    except InvalidArgumentError:
        return False


def _redirect_method(method: str, status: int) -> str:
    """The method ``requests`` follows a redirect with (RFC 9110 §15.4: a 303 is a GET, and
    clients also turn a 302's, and a 301's POST, into one)."""
    if status in (302, 303) and method != "HEAD":
        return "GET"
    return "GET" if status == 301 and method == "POST" else method


class _Chain:
    """What the redirects of one request signed by httpx's flow share: the auth that signed it,
    its origin, the request the flow signed, and whether a redirect has left the origin."""

    __slots__ = ("auth", "left", "origin", "signed")

    def __init__(self, auth: _DPoPClient, origin: str, signed: object) -> None:
        self.auth, self.origin, self.signed = auth, origin, signed
        self.left = False


class _DPoPClient:
    """What both auth classes share: the key, the token, and the nonces servers sent."""

    def __init__(
        self, key: Any, *, algorithm: str | None = None, access_token: str | None = None
    ) -> None:
        self.key: DPoPKey = key if isinstance(key, DPoPKey) else DPoPKey(key, algorithm=algorithm)
        #: The DPoP-bound access token sent as ``Authorization: DPoP`` (None: only a proof).
        self.access_token = access_token
        self._nonces: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        # Never the token: it is a credential.
        token = "set" if self.access_token is not None else "none"
        return f"{type(self).__name__}(key={self.key!r}, access_token={token})"

    def nonce(self, url: str) -> str | None:
        """The nonce last sent by the server at ``url``'s origin."""
        with self._lock:
            return self._nonces.get(_origin(url))

    def _headers(self, method: str, url: str, authorization: str | None) -> dict[str, str]:
        """``DPoP`` (and ``Authorization``) for one request."""
        headers: dict[str, str] = {}
        token = self.access_token
        if token is not None:
            headers["Authorization"] = f"DPoP {token}"
        elif authorization is not None and authorization[:5].lower() == "dpop ":
            token = authorization[5:].strip()
        headers["DPoP"] = self.key.proof(
            method, url, access_token=token, nonce=self.nonce(url)
        )
        return headers

    def _learn(self, url: str, headers: Mapping[str, str]) -> str | None:
        """Remember the ``DPoP-Nonce`` of a response (any status: §8.2); return it."""
        nonce = headers.get("DPoP-Nonce")
        if nonce is None or not _NONCE.fullmatch(nonce):
            return None
        with self._lock:
            self._nonces[_origin(url)] = nonce
        return nonce

    @staticmethod
    def _challenged(status: int, headers: Mapping[str, str]) -> bool:
        """A resource server's ``use_dpop_nonce`` (§9: 401 with a DPoP challenge)."""
        return status == 401 and bool(_USE_NONCE.search(headers.get("WWW-Authenticate", "")))

    @staticmethod
    def _error_is_use_nonce(body: bytes) -> bool:
        """An authorization server's ``use_dpop_nonce`` (§8: a 400 RFC 6749 §5.2 body)."""
        if len(body) > _MAX_ERROR_BODY:
            return False
        try:
            # The strict reader, as for every JSON from elsewhere: json.loads raised
            # RecursionError out of the client for a body nested past the recursion limit.
            error = loads_object(body, "error response")
        except DecodeError:  # not a JSON object, not UTF-8, too deep or too many brackets
            return False
        return error.get("error") == "use_dpop_nonce"


class _HTTPXFlow(_DPoPClient):
    """The ``httpx.Auth`` flows; :class:`DPoPHTTPXAuth` puts ``httpx.Auth`` under them."""

    # A request sent twice (the nonce retry) needs its body at hand.
    requires_request_body = True
    requires_response_body = False

    def _sign(self, request: httpx.Request) -> None:
        url = str(request.url)
        request.headers.update(
            self._headers(request.method, url, request.headers.get("Authorization"))
        )
        request.extensions[_CHAIN] = _Chain(self, _origin(url), request)

    def redirect_hook(self, request: httpx.Request) -> None:
        """An ``event_hooks={"request": [auth.redirect_hook]}`` hook for a client that follows
        redirects: drops the proof from a redirect that leaves the origin, signs a fresh one
        for a redirect within it (httpx copies every header but ``Authorization`` to the next
        request, after the auth flow)."""
        chain = request.extensions.get(_CHAIN)
        if not isinstance(chain, _Chain) or chain.auth is not self or chain.signed is request:
            return  # not a redirect of a request this object signed
        if chain.left or not _within(str(request.url), chain.origin):
            chain.left = True
            request.headers.pop("DPoP", None)
            return
        url = str(request.url)
        request.headers.update(
            self._headers(request.method, url, request.headers.get("Authorization"))
        )

    async def async_redirect_hook(self, request: httpx.Request) -> None:
        """:meth:`redirect_hook` for ``httpx.AsyncClient``."""
        self.redirect_hook(request)

    def _retry_wanted(self, request: httpx.Request, response: httpx.Response) -> bool:
        """Whether the answer was ``use_dpop_nonce`` with a new nonce (the body, for a 400,
        has been read by the caller)."""
        # The flow sees the answer after httpx's redirects: a nonce is filed under the origin
        # that sent it, and another origin's use_dpop_nonce is no reason to resend ours.
        answered = str(response.request.url)
        if self._learn(answered, response.headers) is None:
            return False
        if _origin(answered) != _origin(str(request.url)):
            return False
        chain = request.extensions.get(_CHAIN)
        if isinstance(chain, _Chain) and chain.left:
            return False  # back at the origin by way of another server
        if response.status_code == 400:
            return self._error_is_use_nonce(response.content)
        return self._challenged(response.status_code, response.headers)

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """One request, and once more with the server's new nonce if it asks (§8, §9)."""
        self._sign(request)
        response = yield request
        if response.status_code == 400 and "DPoP-Nonce" in response.headers:
            response.read()
        if self._retry_wanted(request, response):
            self._sign(request)
            retried = yield request
            self._learn(str(retried.request.url), retried.headers)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """:meth:`sync_auth_flow` for ``httpx.AsyncClient``."""
        self._sign(request)
        response = yield request
        if response.status_code == 400 and "DPoP-Nonce" in response.headers:
            await response.aread()
        if self._retry_wanted(request, response):
            self._sign(request)
            retried = yield request
            self._learn(str(retried.request.url), retried.headers)


class DPoPRequestsAuth(_DPoPClient):
    """DPoP for ``requests``: ``requests.get(url, auth=DPoPRequestsAuth(key))``.

    :param key: a private key (any form :func:`jwtlite.load_key` reads) or a
        :class:`~jwtlite.dpop.DPoPKey`; :param algorithm: the proof ``alg`` (see ``DPoPKey``).
    :param access_token: the DPoP-bound access token to present (settable later).
    """

    def __call__(self, request: Any) -> Any:
        request.headers.update(
            self._headers(request.method, request.url, request.headers.get("Authorization"))
        )
        request.register_hook("response", functools.partial(self._answer, _origin(request.url)))
        return request

    def _answer(self, origin: str, response: Any, **send_options: Any) -> Any:
        """The response hook: re-sign a redirect, learn the nonce; resend once on
        ``use_dpop_nonce``."""
        if response.is_redirect:
            self._redirected(origin, response)
        url = response.request.url
        if self._learn(url, response.headers) is None:
            return response
        if _origin(url) != origin or "DPoP" not in response.request.headers:
            # requests runs the hook for a redirect target's answer too, after dropping our
            # Authorization for the new host: a resend would put the token back on. Nor is a
            # request resent that came back to the origin through another server.
            return response
        wanted = (
            self._error_is_use_nonce(response.content)
            if response.status_code == 400
            else self._challenged(response.status_code, response.headers)
        )
        if not wanted:
            return response
        response.content  # noqa: B018 - read it all, so the connection can be reused
        response.close()
        retry = response.request.copy()
        retry.headers.update(
            self._headers(retry.method, retry.url, retry.headers.get("Authorization"))
        )
        # The transport adapter, as requests' own HTTPDigestAuth resends: no hooks run
        # again, so this is the only retry.
        answer = response.connection.send(retry, **send_options)
        answer.history.append(response)
        answer.request = retry
        self._learn(url, answer.headers)
        return answer

    def _redirected(self, origin: str, response: Any) -> None:
        """Before ``requests`` copies the request for a redirect: no proof for another origin
        (nor after one), a fresh one for the new method and URL within the origin."""
        sent = response.request
        if "DPoP" not in sent.headers:
            return  # the chain has left the origin already
        response.request = sent.copy()  # what was sent stays on record
        del sent.headers["DPoP"]  # the request requests copies for the next one
        location = response.headers["Location"]
        if not location.isascii():
            return  # requests reads it again as UTF-8: where it leads is not certain
        target = urljoin(sent.url, location)
        if _within(target, origin):
            method = _redirect_method(sent.method, response.status_code)
            sent.headers.update(
                self._headers(method, target, sent.headers.get("Authorization"))
            )


def _httpx_class() -> type:
    import httpx  # noqa: PLC0415 - httpx is optional: only this class needs it

    class DPoPHTTPXAuth(_HTTPXFlow, httpx.Auth):
        """DPoP for ``httpx`` (``httpx.Client(auth=...)`` and ``httpx.AsyncClient``).

        :param key: a private key (any form :func:`jwtlite.load_key` reads) or a
            :class:`~jwtlite.dpop.DPoPKey`; :param algorithm: the proof ``alg``.
        :param access_token: the DPoP-bound access token to present (settable later).
        """

    DPoPHTTPXAuth.__module__ = __name__
    return DPoPHTTPXAuth


if TYPE_CHECKING:

    class DPoPHTTPXAuth(_HTTPXFlow, httpx.Auth):
        """DPoP for ``httpx``: built on first use (see the module's docstring)."""

else:

    def __getattr__(name: str) -> Any:
        # PEP 562: the class needs httpx.Auth as its base, so it is made when first asked for.
        if name != "DPoPHTTPXAuth":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        cls = globals()[name] = _httpx_class()
        return cls
