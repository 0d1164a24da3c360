"""One bounded HTTP GET for the JWKS clients and OpenID discovery, on the standard library.

Every limit here stops a slow or hostile server from holding a verifier:

* **One deadline per request** (``timeout`` seconds) covers name resolution, connect, an HTTPS
  proxy's answer to ``CONNECT``, the TLS handshake, sending, the status line, the headers and
  the body. A socket timeout alone bounds
  each read, so a server sending one byte every half second could hold a request forever; here
  every read gets only the time left until the deadline.
* **No redirects** (PyJWT 2.x refuses them too): a 3xx answer is an error, so credentials given
  in ``headers=`` never reach another host.
* **Size**: bodies over ``max_bytes`` are refused (``Content-Length`` first, then while reading).
* **Schemes**: ``https://`` and ``http://`` only (``require_https=True`` refuses ``http://``);
  ``file:``, ``ftp:`` and ``data:`` URIs, which ``urllib`` would happily open, are refused when
  the client is built.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import IO, Any

from ._escape import TEXT_SHOWN, escape
from .exceptions import PyJWKClientConnectionError, PyJWKClientError

__all__ = ["check_uri", "fetch", "fetch_failed", "is_loopback", "max_age"]

_MAX_TTL = 24 * 3600


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_uri(uri: Any, *, require_https: bool = False) -> str:
    """Return ``uri`` when the transport rules allow it; PyJWKClientError otherwise."""
    if not isinstance(uri, str):
        raise PyJWKClientError(f"JWKS URI must be a string, not {type(uri).__name__}")
    try:
        parts = urllib.parse.urlsplit(uri)
        host = parts.hostname
    except ValueError as exc:
        raise PyJWKClientError(f"Invalid JWKS URI: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise PyJWKClientError(f"Invalid JWKS URI scheme {scheme!r}: use https:// (or http://)")
    if not host:
        raise PyJWKClientError(f"JWKS URI has no host: {uri!r}")
    if require_https and scheme != "https":
        raise PyJWKClientError(f"JWKS URI must use https:// (require_https=True), got {uri!r}")
    return uri


def max_age(cache_control: object) -> float | None:
    """The ``max-age`` (or 0 for ``no-store``/``no-cache``) of a Cache-Control header."""
    if not isinstance(cache_control, str) or not cache_control:
        return None
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            value = value.strip().strip('"')
            if value.isdigit() and value.isascii():
                # RFC 9111 §1.2.2: delta-seconds is 1*DIGIT, so leading zeros count for
                # nothing; past 12 digits the value is far above the cap, and int() of a
                # long text is costly (and refused past 4300 digits).
                digits = value.lstrip("0")
                if len(digits) > 12:
                    return float(_MAX_TTL)
                return float(min(int(digits or "0"), _MAX_TTL))
    return None


def fetch_failed(detail: object) -> PyJWKClientConnectionError:
    """PyJWT's error for a failed fetch. ``detail`` (an exception of the transport, whose text
    may quote what the server sent) is escaped and cut: it must not forge or flood a log line."""
    try:
        text = str(detail)
    except Exception:  # a plugged-in transport's exception whose __str__ fails
        text = type(detail).__name__
    return PyJWKClientConnectionError(
        f'Fail to fetch data from the url, err: "{escape(text, TEXT_SHOWN)}"'
    )


#: What a read or connect that ran out of time raises: before Python 3.10, socket.timeout (and
#: the TLS handshake's timeout) was not yet TimeoutError, and the fetch failed with another text.
_TIMEOUTS = (TimeoutError, socket.timeout)


def _timed_out() -> PyJWKClientConnectionError:
    return PyJWKClientConnectionError('Fail to fetch data from the url, err: "timed out"')


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def _resolve(host: str, port: int, deadline: float) -> list[Any]:
    """getaddrinfo with the deadline: it has no timeout of its own, so it runs in a thread.

    Shared with the Redis store's connections (:mod:`jwtlite._redis_connect`). A resolver that
    hangs keeps its thread (a daemon) until it answers; the caller is not held."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    done = threading.Event()
    result: list[Any] = []

    def resolve() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            result.append(exc)
        finally:
            done.set()

    threading.Thread(target=resolve, name="jwtlite-dns", daemon=True).start()
    if not done.wait(_remaining(deadline)):
        raise TimeoutError("timed out")
    if isinstance(result[0], OSError):
        raise result[0]
    return list(result[0])


def _connect(address: tuple[str, int], deadline: float) -> socket.socket:
    """socket.create_connection, with resolution and each attempt bounded by the deadline."""
    error: OSError = OSError(f"cannot resolve {address[0]}")
    for family, kind, proto, _, sockaddr in _resolve(address[0], address[1], deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(sockaddr)
            sock.settimeout(_remaining(deadline))  # what is left bounds the TLS handshake
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error


class _DeadlineReader(io.RawIOBase):
    """The response side of a socket; every read waits at most until the deadline."""

    def __init__(self, owner: _DeadlineSocket) -> None:
        super().__init__()
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        sock = self._owner.sock
        sock.settimeout(_remaining(self._owner.deadline))
        return sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._owner.reader_closed()


class _DeadlineSocket:
    """A connected (maybe TLS) socket whose reads and writes share one deadline.

    ``http.client`` reads the status line and headers through ``makefile()``; the reader given
    out here resets the socket timeout to the time left before each read. Like a real socket,
    closing it while a reader is open defers the close until the reader is closed (``urllib``
    closes the connection before the body is read).
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self._readers = 0
        self._close_pending = False

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> IO[bytes]:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def sendall(self, data: bytes) -> None:
        self.sock.settimeout(_remaining(self.deadline))
        self.sock.sendall(data)

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._close_pending and not self._readers:
            self.sock.close()

    def close(self) -> None:
        if self._readers:
            self._close_pending = True
        else:
            self.sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


class _DeadlineHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self._create_connection = lambda address, *_: _connect(address, deadline)

    def connect(self) -> None:
        self.timeout = _remaining(self._deadline)
        super().connect()  # for HTTPS this includes the handshake, bounded by self.timeout
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _DeadlineHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self._create_connection = lambda address, *_: _connect(address, deadline)

    def connect(self) -> None:
        self.timeout = _remaining(self._deadline)
        super().connect()  # CPython bounds the whole TLS handshake by the socket timeout
        self.sock = _DeadlineSocket(self.sock, self._deadline)

    def _tunnel(self) -> None:
        # Through an HTTPS proxy, the answer to CONNECT is read before the TLS handshake,
        # from the bare socket: under the deadline too, or a proxy sending a byte at a time
        # holds the fetch for as long as its answer is long. The bare socket goes back for
        # the handshake.
        raw = self.sock
        self.sock = _DeadlineSocket(raw, self._deadline)
        try:
            super()._tunnel()  # type: ignore[misc]  # private, in every CPython since 3.0
        finally:
            self.sock = raw


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_factory(_DeadlineHTTPConnection, self._deadline), req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float, context: Any) -> None:
        super().__init__(context=context)
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            _factory(_DeadlineHTTPSConnection, self._deadline),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


def _factory(cls: type[http.client.HTTPConnection], deadline: float) -> Any:
    def build(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        return cls(*args, deadline=deadline, **kwargs)  # type: ignore[call-arg]

    return build


class _NoRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: a 3xx answer becomes an HTTPError, nothing is sent onwards."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


#: The largest ``max_response_bytes`` a client takes (16 MiB, 32 times the JWKS default): a
#: body without ``Content-Length`` is read by a buffered reader that allocates the whole
#: amount asked for up front, so a cap of 2**40 failed with MemoryError before a byte arrived.
MAX_RESPONSE_BYTES_LIMIT = 16 << 20


def check_max_bytes(value: Any) -> int:
    """A client's ``max_response_bytes``: an integer from 1 to 16 MiB (a bool is not one).

    Raises:
        PyJWKClientError: anything else (it used to fail at the first fetch: TypeError, or
            MemoryError for a huge cap).
    """
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 1 <= value <= MAX_RESPONSE_BYTES_LIMIT
    ):
        raise PyJWKClientError(
            f"max_response_bytes must be an integer from 1 to {MAX_RESPONSE_BYTES_LIMIT},"
            f" not {escape(value)}"
        )
    return value


def _read_body(response: Any, limit: int, what: str) -> bytes:
    length = response.headers.get("Content-Length")
    if isinstance(length, str) and length.strip().isdigit() and int(length) > limit:
        raise PyJWKClientError(f"{what} is larger than {limit} bytes")
    # One read, as PyJWT's test doubles expect; it may allocate limit + 1 bytes up front.
    body = response.read(limit + 1)  # every underlying read is bounded by the deadline
    if isinstance(body, str):  # a test double's read(); real responses give bytes
        body = body.encode("utf-8")
    if len(body) > limit:
        raise PyJWKClientError(f"{what} is larger than {limit} bytes")
    return bytes(body)


def _handlers(uri: str, timeout: float, ssl_context: Any) -> list[urllib.request.BaseHandler]:
    """The opener's handlers for one fetch: no redirects, every read bounded by one deadline
    ``timeout`` seconds from now, and no proxy for a loopback host."""
    deadline = time.monotonic() + timeout
    handlers: list[urllib.request.BaseHandler] = [
        _NoRedirectHandler(),
        _DeadlineHTTPHandler(deadline),
        _DeadlineHTTPSHandler(deadline, ssl_context),
    ]
    host = urllib.parse.urlsplit(uri).hostname or ""
    if is_loopback(host):
        handlers.append(urllib.request.ProxyHandler({}))  # loopback never goes via a proxy
    return handlers


def fetch(
    uri: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
    ssl_context: Any,
    max_bytes: int,
    what: str = "JWKS response",
) -> tuple[bytes, float | None]:
    """GET ``uri``: the body and the response's Cache-Control max-age (if any).

    ``what`` names the document in the size error (the OpenID discovery client fetches here
    too).

    Raises:
        PyJWKClientConnectionError: the request failed, timed out, was redirected or got an
            HTTP error status.
        PyJWKClientError: the body is larger than ``max_bytes``.
    """
    handlers = _handlers(uri, timeout, ssl_context)
    request = urllib.request.Request(uri, headers=dict(headers))  # noqa: S310 - scheme checked
    try:
        opener = urllib.request.build_opener(*handlers)
        with opener.open(request, timeout=timeout) as response:
            body = _read_body(response, max_bytes, what)
            return body, max_age(response.headers.get("Cache-Control"))
    except PyJWKClientError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            detail = f"HTTP {exc.code}: redirects are not followed"
        else:
            detail = f"HTTP {exc.code}"
        raise fetch_failed(detail) from None
    except _TIMEOUTS:
        raise _timed_out() from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, _TIMEOUTS):
            raise _timed_out() from None
        raise fetch_failed(exc) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # Socket errors are OSErrors; ValueError covers malformed URLs and bad chunk sizes.
        raise fetch_failed(exc) from exc
