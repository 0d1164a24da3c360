"""PyJWT's ``jwt.types``: the TypedDicts of the ``options`` arguments, and two aliases.

No ``from __future__ import annotations`` here, on purpose: as in PyJWT, the TypedDicts carry
evaluated annotations for the tools that read them at run time (``list[str]`` is valid on 3.9).
"""

from typing import Any, Callable, TypedDict

__all__ = ["FullOptions", "HashlibHash", "JWKDict", "Options", "SigOptions"]

#: A JWK as a parsed JSON object.
JWKDict = dict[str, Any]
#: A ``hashlib`` constructor such as ``hashlib.sha256``.
HashlibHash = Callable[..., Any]


class SigOptions(TypedDict, total=False):
    """Options of :class:`~jwtlite.pyjwt.api_jws.PyJWS`."""

    verify_signature: bool
    enforce_minimum_key_length: bool


class Options(TypedDict, total=False):
    """Options of ``decode`` and ``decode_complete`` (every key optional)."""

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


class FullOptions(TypedDict):
    """Every option, as :attr:`PyJWT.options` holds them."""

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
