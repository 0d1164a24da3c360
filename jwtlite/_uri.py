"""RFC 3986 §6 normalisation of ``http`` and ``https`` URIs, without query and fragment.

A DPoP proof names the request it was made for by its ``htu``: the target URI "without query
and fragment parts" (RFC 9449 §4.2), which the server compares with the URI of the request in
hand (§4.3 check 9) after syntax-based (RFC 3986 §6.2.2) and scheme-based (§6.2.3)
normalisation, so that two spellings of one URI agree:

- case: the scheme and host are lowercased, percent-encoded hex digits uppercased (§6.2.2.1);
- percent-encoding: an encoded unreserved character is decoded (§6.2.2.2), and a character
  outside RFC 3986's set (a space, a non-ASCII letter) is encoded as UTF-8 octets, so that the
  raw and the encoded spelling of a path compare equal (the IRI mapping of RFC 3987 §3.1);
- path segments: ``.`` and ``..`` are removed (§6.2.2.3, the algorithm of §5.2.4);
- scheme: the default port (80, 443) and an empty port are dropped, an empty path becomes ``/``
  (§6.2.3).

Anything that is not an absolute ``http(s)`` URI with a host (another scheme, userinfo, which
RFC 9110 §4.2.4 forbids senders to generate, a bad port, a stray ``%``) gives None: it names no
request this server can receive. Every step is one linear pass over at most
:data:`MAX_URI_LENGTH` characters.
"""

from __future__ import annotations

import string

from ._cache import BoundedCache

__all__ = ["MAX_URI_LENGTH", "normalize_http_uri"]

#: Longest URI considered. Servers commonly refuse request lines above 8 KiB (RFC 9112 §3
#: recommends supporting at least 8,000 octets), so no request this long can be answered.
MAX_URI_LENGTH = 8192

_HEX = frozenset(string.hexdigits)
# RFC 3986 §2.3 unreserved; §2.2 sub-delims.
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
# §3.3: path = segments of pchar (unreserved / pct-encoded / sub-delims / ":" / "@") and "/".
_PATH_CHARS = _UNRESERVED | _SUB_DELIMS | frozenset(":@/")
# §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ).
_HOST_CHARS = _UNRESERVED | _SUB_DELIMS
_IP_LITERAL_CHARS = frozenset(string.hexdigits + ":.")
_DEFAULT_PORTS = {"http": 80, "https": 443}

# A server normalises its own request URI on every request and a client's proofs repeat one
# htu: both hit. Keyed by the (public) URI text; FIFO-bounded like every cache here.
_NORMALIZED: BoundedCache[str, str] = BoundedCache("normalised DPoP URIs", 256)


def normalize_http_uri(uri: object) -> str | None:
    """``uri`` normalised per RFC 3986 §6.2.2 and §6.2.3, without query and fragment; None when
    it is not an absolute ``http`` or ``https`` URI with a host."""
    if not isinstance(uri, str) or len(uri) > MAX_URI_LENGTH:
        return None
    cached = _NORMALIZED.get(uri)
    if cached is not None:
        return cached
    normalized = _normalize(uri)
    if normalized is not None:
        _NORMALIZED.put(uri, normalized)
    return normalized


def _normalize(uri: str) -> str | None:
    # §3: the query starts at the first "?", the fragment at the first "#"; neither takes part.
    end = len(uri)
    for mark in "?#":
        found = uri.find(mark, 0, end)
        if found != -1:
            end = found
    scheme, colon, rest = uri[:end].partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in _DEFAULT_PORTS or not rest.startswith("//"):
        return None
    slash = rest.find("/", 2)
    authority, path = (rest[2:], "") if slash == -1 else (rest[2:slash], rest[slash:])
    host_port = _authority(authority, _DEFAULT_PORTS[scheme])
    normal_path = _percent(path, _PATH_CHARS)
    if host_port is None or normal_path is None:
        return None
    return f"{scheme}://{host_port}{_remove_dot_segments(normal_path)}"


def _authority(authority: str, default_port: int) -> str | None:
    """``host[:port]`` normalised, or None (userinfo, no host, a bad port or host)."""
    if "@" in authority:
        return None
    if authority.startswith("["):  # §3.2.2 IP-literal: "[" IPv6address / IPvFuture "]"
        close = authority.find("]")
        # No "]" (-1), or fewer than two characters inside: the shortest IPv6address is "::"
        # (RFC 4291 §2.2), and an IPvFuture ("v" 1*HEXDIG "." 1*...) is longer.
        if close < 3 or not set(authority[1:close]) <= _IP_LITERAL_CHARS:
            return None
        host, after = authority[: close + 1], authority[close + 1 :]
        if after and not after.startswith(":"):
            return None
        port = after[1:]
    else:
        host_text, _sep, port = authority.partition(":")
        host = _percent(host_text, _HOST_CHARS, strict=True) or ""
    # §6.2.2.1: the host is case-insensitive (the hex of any percent-encoding too, as both
    # sides are lowercased alike).
    host = host.lower()
    if not host or len(port) > 5 or not (port.isascii() and (port.isdigit() or not port)):
        return None
    # §6.2.3: an empty port, or the scheme's default, is omitted; leading zeros say nothing.
    if not port or int(port) == default_port:
        return host
    if int(port) > 65535:
        return None
    return f"{host}:{int(port)}"


def _percent(text: str, allowed: frozenset[str], *, strict: bool = False) -> str | None:
    """§6.2.2.1-2: encoded unreserved characters decoded, other encodings' hex uppercased;
    characters outside ``allowed`` encoded as UTF-8 (None with ``strict``, or for a lone
    surrogate or a ``%`` not followed by two hex digits)."""
    out: list[str] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) != 2 or not set(pair) <= _HEX:
                return None
            decoded = chr(int(pair, 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + pair.upper())
            i += 3
            continue
        if char in allowed:
            out.append(char)
        elif strict:
            return None
        else:
            try:
                octets = char.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate names no octets
                return None
            out.append("".join(f"%{octet:02X}" for octet in octets))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """§5.2.4 on an absolute path (or the empty path, which §6.2.3 makes ``/``)."""
    if not path:
        return "/"
    segments = path.split("/")[1:]
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    result = "/" + "/".join(kept)
    # A final "." or ".." leaves the path ending in "/" (§5.2.4's "/a/b/." -> "/a/b/").
    if segments[-1] in (".", "..") and not result.endswith("/"):
        result += "/"
    return result
