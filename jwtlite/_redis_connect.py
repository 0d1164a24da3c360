"""The connections of a :class:`~jwtlite._redis_store.RedisStore` built from a URL: one
deadline per store call over name resolution, connecting, the TLS handshake and every send and
receive.

redis-py's own timeouts bound each socket operation alone: a server sending one byte at a time
could hold a call for as long as its reply is long, and ``getaddrinfo`` has no timeout at all.
The store sets :data:`DEADLINE` around each call; the connection classes made here read it
before every blocking operation. The ``redis`` package is imported only when a store is built.
"""

from __future__ import annotations

import contextvars
import functools
import socket
import time
from collections.abc import Callable
from typing import Any

from ._jwks_http import _resolve

__all__ = ["DEADLINE", "client_from_url"]

# The deadline (on time.monotonic()) of the store call running in this thread or task; the
# sockets of a client built from a URL read it before every blocking operation.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "jwtlite_redis_deadline", default=None
)


def _time_left() -> float | None:
    """Seconds left for the current store call (None outside one); at the deadline, a socket
    timeout, which redis-py turns into its TimeoutError after dropping the connection."""
    deadline = DEADLINE.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("the revocation store call ran out of time")
    return left


def _shorter(timeout: float | None, left: float | None) -> float | None:
    return timeout if left is None or (timeout is not None and timeout <= left) else left


class _DeadlineSocket:
    """A connected socket whose every send and receive ends by the store call's deadline.

    A socket timeout alone bounds each read: a server sending one byte at a time could hold
    a request for as long as its reply is long. Each operation here waits at most the
    shorter of redis-py's timeout and the time left.
    """

    def __init__(self, sock: Any, timeout: float | None) -> None:
        self._sock = sock
        self._timeout = self._armed = timeout  # what redis-py asked for, what is set
        sock.settimeout(timeout)

    def settimeout(self, value: float | None) -> None:
        self._sock.settimeout(value)
        self._timeout = self._armed = value

    def gettimeout(self) -> float | None:
        return self._timeout

    def _arm(self) -> None:
        wanted = _shorter(self._timeout, _time_left())
        if wanted != self._armed:  # a system call saved on most operations
            self._sock.settimeout(wanted)
            self._armed = wanted

    def recv(self, *args: Any) -> Any:
        self._arm()
        return self._sock.recv(*args)

    def recv_into(self, *args: Any) -> Any:
        self._arm()
        return self._sock.recv_into(*args)

    def send(self, *args: Any) -> Any:
        self._arm()
        return self._sock.send(*args)

    def sendall(self, *args: Any) -> Any:
        self._arm()  # since Python 3.5 the timeout bounds the whole sendall
        return self._sock.sendall(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _DeadlineConnection:
    """Mixed into redis-py's connection classes for a client built from a URL.

    Connecting (and a TLS handshake, which CPython bounds as a whole by the socket timeout)
    gets at most the time left, and the connected socket is a :class:`_DeadlineSocket`. Name
    resolution is bounded too, one layer down (:func:`_resolving_connection`).
    """

    socket_timeout: float | None
    socket_connect_timeout: float | None

    def _connect(self) -> Any:
        left = _time_left()
        timeouts = (self.socket_connect_timeout, self.socket_timeout)
        self.socket_connect_timeout = _shorter(timeouts[0], left)
        self.socket_timeout = _shorter(timeouts[1], left)
        try:
            sock = super()._connect()  # type: ignore[misc]  # from the redis-py class mixed in
        finally:
            self.socket_connect_timeout, self.socket_timeout = timeouts
        return _DeadlineSocket(sock, self.socket_timeout)


def _connect_by_address(connection: Any, connect: Callable[[], Any]) -> Any:
    """Resolve ``connection.host`` under the deadline, then ``connect()`` (redis-py's TCP
    connect) to each address in turn, the address in the place of the name meanwhile."""
    # The connect timeout is already the shorter of its own and the time left
    # (_DeadlineConnection).
    name, limit = connection.host, connection.socket_connect_timeout
    assert limit is not None  # noqa: S101 - a client built from a URL always has one
    addresses = _resolve(name, connection.port, time.monotonic() + limit)
    error = OSError(f"no address for the Redis host ({len(addresses)} found)")
    try:
        for *_, address in addresses:
            connection.host = address[0]
            connection.socket_connect_timeout = _shorter(limit, _time_left())
            try:
                return connect()
            except OSError as exc:
                error = exc
    finally:
        connection.host, connection.socket_connect_timeout = name, limit
    raise error


@functools.lru_cache(maxsize=1)
def _resolving_connection() -> type:
    """redis-py's TCP connection, with the host name resolved under the store call's deadline.

    ``getaddrinfo`` has no timeout of its own: a dead DNS server would hold a store call for
    the resolver's own timeout (tens of seconds). The name is resolved in a thread, as the
    JWKS fetchers do, for at most the shorter of the connect timeout and the time left (the
    connect timeout alone outside a store call, as when a cluster client discovers its nodes
    while the store is built); redis-py then connects to each address in turn, given as a
    number (no second lookup), each attempt within what is left. This class sits below the
    TLS layer, which still reads the name, for SNI and the certificate check.
    """
    # redis is an optional dependency: imported only by RedisStore.
    from redis.connection import Connection  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used

    class ResolvingConnection(Connection):
        def _connect(self) -> Any:
            return _connect_by_address(self, super()._connect)

    return ResolvingConnection


@functools.lru_cache(maxsize=8)
def _with_deadline(base: type) -> type:
    # One subclass per redis-py connection class (TCP, TLS, Unix socket). A TCP one (a
    # subclass of redis-py's Connection) resolves its host under the deadline: the resolving
    # class goes right above Connection, so a TLS class wraps the socket it makes.
    from redis.connection import Connection  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used

    bases: tuple[type, ...] = (_DeadlineConnection, base)
    if issubclass(base, Connection):
        resolving = _resolving_connection()
        bases = (_DeadlineConnection, resolving) if base is Connection else (*bases, resolving)
    return type(f"Deadline{base.__name__}", bases, {})


@functools.lru_cache(maxsize=1)
def _deadline_pool() -> type:
    # RedisCluster builds a pool per node from the connection class a URL names (a rediss://
    # URL names its own, over any we pass), so the pool class is where ours goes in.
    from redis.connection import Connection, ConnectionPool  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used

    class DeadlinePool(ConnectionPool):
        def __init__(self, connection_class: type = Connection, **kwargs: Any) -> None:
            super().__init__(connection_class=_with_deadline(connection_class), **kwargs)

    return DeadlinePool


def client_from_url(url: str, *, cluster: bool, connect_timeout: float, timeout: float) -> Any:
    # redis is an optional dependency (extra jwtlite[redis]): imported only by RedisStore.
    import redis  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used
    from redis.backoff import NoBackoff  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used
    from redis.cluster import RedisCluster  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used
    from redis.retry import Retry  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used

    options: dict[str, Any] = {"socket_connect_timeout": connect_timeout, "socket_timeout": timeout}
    # One immediate retry reconnects a pooled connection the server closed (a restart); the
    # store call's deadline bounds both attempts together. Without it, RedisCluster would
    # retry with a growing backoff, sleeping past any deadline.
    retry = Retry(NoBackoff(), 1)
    if cluster:
        return RedisCluster.from_url(
            url, retry=retry, connection_pool_class=_deadline_pool(), **options
        )
    client = redis.Redis.from_url(url, retry=retry, **options)
    pool = client.connection_pool  # no connection made yet: every one will have the deadline
    pool.connection_class = _with_deadline(pool.connection_class)
    return client
