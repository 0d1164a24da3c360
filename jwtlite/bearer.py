"""Bearer token transport (RFC 6750): read the ``Authorization`` header, build the challenge."""

from __future__ import annotations

import re

from .exceptions import BearerError, InvalidArgumentError

__all__ = [
    "BearerError",
    "authorization_scheme",
    "parse_authorization_header",
    "www_authenticate",
]


# RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
# RFC 6750 §3: error and error_description: %x20-21 / %x23-5B / %x5D-7E
_ERROR_TEXT = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")
# RFC 6750 §3: error_uri: %x21 / %x23-5B / %x5D-7E (a URI, so no space)
_ERROR_URI = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]*")
# RFC 6750 §3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*")
# RFC 9110 §5.6.4 quoted-string content, restricted to printable ASCII and HTAB; anything
# else (notably CR and LF) would let a caller inject headers.
_QDTEXT = re.compile(r"[\t\x20-\x7e]*")


def parse_authorization_header(value: str | None, *, scheme: str = "Bearer") -> str:
    """Return the token from an ``Authorization: Bearer <token>`` header value.

    The scheme is matched case-insensitively (RFC 9110 §11.1). Raises :class:`BearerError`
    when the header is missing or empty (``error`` None), or uses another scheme, carries
    extra parts, or a token with characters outside RFC 6750 §2.1 (``invalid_request``).
    ``scheme="DPoP"`` reads RFC 9449 §7.1's ``Authorization: DPoP <token>``, whose token68
    syntax is the same.

    >>> parse_authorization_header("bearer abc.def.ghi")
    'abc.def.ghi'
    """
    if value is None or not isinstance(value, str):
        raise BearerError("missing Authorization header", error=None)
    if not isinstance(scheme, str):
        raise InvalidArgumentError(f"scheme must be a string, not {type(scheme).__name__}")
    text = value.strip(" \t")
    if not text:
        raise BearerError("empty Authorization header", error=None)
    name, _, credentials = text.partition(" ")
    if name.lower() != scheme.lower():
        raise BearerError(f"Authorization scheme is not {scheme}")
    # RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token (RFC 9449 §7.1: "DPoP" 1*SP token68),
    # so one or more spaces before the token, and nothing after it.
    token = credentials.lstrip(" ")
    if not token or " " in token:
        raise BearerError(f"Authorization header must be exactly '{scheme} <token>'")
    if not _B64TOKEN.fullmatch(token):
        raise BearerError(f"{scheme} token has characters outside RFC 6750 b64token")
    return token


def authorization_scheme(value: str | None) -> str | None:
    """The scheme of an ``Authorization`` header value, lowercased (RFC 9110 §11.1); None
    without one."""
    if not isinstance(value, str):
        return None
    return value.strip(" \t").split(" ", 1)[0].lower() or None


def _param(name: str, value: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, not {type(value).__name__}")
    if not pattern.fullmatch(value):
        raise BearerError(f"{name} has characters not allowed by RFC 6750 §3")
    if pattern is _QDTEXT:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{name}="{value}"'


def www_authenticate(
    *,
    error: str | None = None,
    description: str | None = None,
    realm: str | None = None,
    scope: str | None = None,
    error_uri: str | None = None,
) -> str:
    """Build an RFC 6750 §3 ``WWW-Authenticate`` value, e.g. ``Bearer error="invalid_token"``.

    ``error`` is usually ``invalid_request``, ``invalid_token`` or ``insufficient_scope``
    (§3.1); leave it None when the request had no credentials. ``realm`` is quoted and escaped;
    ``error``, ``description``, ``error_uri`` and ``scope`` must stay within the characters §3
    allows (no ``"`` or ``\\``), else :class:`BearerError` is raised.
    """
    params: list[str] = []
    if realm is not None:
        params.append(_param("realm", realm, _QDTEXT))
    if scope is not None:
        params.append(_param("scope", scope, _SCOPE))
    if error is not None:
        if not error:
            raise BearerError("error must not be empty")
        params.append(_param("error", error, _ERROR_TEXT))
    elif description is not None or error_uri is not None:
        raise BearerError("error_description and error_uri need an error code")
    if description is not None:
        params.append(_param("error_description", description, _ERROR_TEXT))
    if error_uri is not None:
        params.append(_param("error_uri", error_uri, _ERROR_URI))
    if not params:
        return "Bearer"
    return "Bearer " + ", ".join(params)
