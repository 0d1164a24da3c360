"""The typed dict forms of decode and encode options, with PyJWT's names (``jwt.types``).

``options=`` arguments are typed with these, so a misspelt option name or a wrong value type is
a type error. Each PyJWT TypedDict also lists jwtlite's three limits (``max_token_size``,
``allow_padding``, ``allow_small_rsa_verify``), which PyJWT code never sets.
"""

from __future__ import annotations

from typing import Any, Callable, TypedDict

__all__ = ["FullOptions", "HashlibHash", "JWKDict", "Options", "SigOptions"]

#: A JSON Web Key as a parsed JSON object.
JWKDict = dict[str, Any]
#: A hashlib constructor such as ``hashlib.sha256``.
HashlibHash = Callable[..., Any]


class SigOptions(TypedDict, total=False):
    """Options of :class:`jwtlite.PyJWS` (signature layer only)."""

    verify_signature: bool
    enforce_minimum_key_length: bool
    max_token_size: int
    allow_padding: bool
    allow_small_rsa_verify: bool


class Options(SigOptions, total=False):
    """Options of :class:`jwtlite.PyJWT` and ``jwtlite.decode``: every key optional."""

    require: list[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool


class FullOptions(TypedDict):
    """``PyJWT().options``: PyJWT's keys, every one present."""

    verify_signature: bool
    require: list[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
