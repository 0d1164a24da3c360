"""A pytest plugin that keeps a dependent's suite off the network (loaded with ``-p``).

A suite that reached a real server would pass or fail with the network, not with jwtlite, and
its tokens could come from a live issuer instead of the code under test. So every connection,
datagram and name lookup that is not for this host is refused as an offline machine would
refuse it (``OSError``, ``socket.gaierror``), and written to the file named by
``JWTLITE_OFFLINE_LOG``: the runner fails a dependent whose log is not empty, so a suite that
catches the error and goes on is still seen. Loopback stays open: suites start their own
servers there. Copied next to the suite by tests/compat/run_dependent_suites.py; it imports
only the standard library.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from typing import Any

LOG_VARIABLE = "JWTLITE_OFFLINE_LOG"
_LOCAL_NAMES = frozenset({"", "localhost", "localhost.localdomain", "ip6-localhost"})


def is_local(host: Any) -> bool:
    """Whether ``host`` (a name or an address, as a socket call takes it) is this machine."""
    if host is None:  # getaddrinfo(None, port): the local wildcard
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").rstrip(".").lower()
    if name in _LOCAL_NAMES or name.endswith(".localhost"):  # RFC 6761 §6.3
        return True
    if name == socket.gethostname().lower():  # socket.getfqdn() looks this machine's name up
        return True
    try:
        address = ipaddress.ip_address(name.partition("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _refuse(what: str) -> None:
    path = os.environ.get(LOG_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(what + "\n")


def _remote(address: Any) -> bool:
    # AF_UNIX addresses are paths (str or bytes); AF_INET/AF_INET6 ones are tuples.
    return isinstance(address, tuple) and not is_local(address[0] if address else None)


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_sendmsg = socket.socket.sendmsg
_getaddrinfo = socket.getaddrinfo
_gethostbyname = socket.gethostbyname
_gethostbyname_ex = socket.gethostbyname_ex
_gethostbyaddr = socket.gethostbyaddr
_getnameinfo = socket.getnameinfo


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if _remote(address):
        _refuse(f"connect {address!r}")
        raise OSError(f"jwtlite's dependent runner is offline: connect to {address!r} refused")
    _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if _remote(address):
        _refuse(f"connect {address!r}")
        return errno.ENETUNREACH
    return _connect_ex(self, address)


def _guarded_sendto(self: socket.socket, data: Any, *args: Any) -> int:
    if args and _remote(args[-1]):
        _refuse(f"sendto {args[-1]!r}")
        raise OSError(f"jwtlite's dependent runner is offline: datagram to {args[-1]!r} refused")
    return _sendto(self, data, *args)  # type: ignore[arg-type]


def _guarded_sendmsg(self: socket.socket, buffers: Any, *args: Any) -> int:
    # sendmsg(buffers[, ancdata[, flags[, address]]]): a datagram's address comes last.
    if len(args) >= 3 and _remote(args[2]):
        _refuse(f"sendmsg {args[2]!r}")
        raise OSError(f"jwtlite's dependent runner is offline: datagram to {args[2]!r} refused")
    return _sendmsg(self, buffers, *args)


def _host(host: Any, *_: Any, **__: Any) -> Any:
    return host


def _lookup_guard(name: str, lookup: Any, host_of: Any = _host) -> Any:
    """``lookup`` refusing (``socket.gaierror``) and logging a name or address not for this
    host. getaddrinfo is not the only way to a resolver: gethostbyname(_ex), gethostbyaddr
    and getnameinfo query it too."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        host = host_of(*args, **kwargs)
        if not is_local(host):
            _refuse(f"{name} {host!r}")
            offline = f"jwtlite's dependent runner is offline: {host!r}"
            raise socket.gaierror(socket.EAI_NONAME, offline)
        return lookup(*args, **kwargs)

    return guarded


def _sockaddr_host(sockaddr: Any, *_: Any, **__: Any) -> Any:
    return sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.socket.sendto = _guarded_sendto  # type: ignore[assignment]
socket.socket.sendmsg = _guarded_sendmsg  # type: ignore[method-assign]
socket.getaddrinfo = _lookup_guard("getaddrinfo", _getaddrinfo)
socket.gethostbyname = _lookup_guard("gethostbyname", _gethostbyname)
socket.gethostbyname_ex = _lookup_guard("gethostbyname_ex", _gethostbyname_ex)
socket.gethostbyaddr = _lookup_guard("gethostbyaddr", _gethostbyaddr)
socket.getnameinfo = _lookup_guard("getnameinfo", _getnameinfo, _sockaddr_host)
