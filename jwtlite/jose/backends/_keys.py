"""Helpers the face's key classes share: reading keys given in python-jose's forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._escape import escape
from ..._jwkformat import key_from_jwk
from ..._values import utf8
from ...exceptions import PyJWTError
from ..exceptions import JWKError

__all__ = ["incorrect_kty", "secret_bytes"]


def secret_bytes(key: Any) -> bytes:
    """A symmetric key given as str (UTF-8), bytes, or an ``oct`` JWK dict (RFC 7518 §6.4)."""
    if isinstance(key, str):
        return utf8(key, "the key", JWKError)  # python-jose leaks UnicodeEncodeError
    if isinstance(key, (bytes, bytearray)):
        return bytes(key)
    if isinstance(key, Mapping):
        if key.get("kty") != "oct":
            raise JWKError(incorrect_kty("oct", key.get("kty")))
        try:
            secret = key_from_jwk(key)
        except PyJWTError as exc:
            raise JWKError(str(exc)) from exc
        if isinstance(secret, bytes):  # always, for kty "oct"
            return secret
    raise JWKError("Expecting a string- or bytes-formatted key.")


def incorrect_kty(expected: str, received: Any) -> str:
    """python-jose's text for a JWK of another ``kty``."""
    return f"Incorrect key type. Expected: '{expected}', Received: {escape(received)}"
