"""PyJWT's ``jwt.exceptions``: jwtlite's exception classes, which carry PyJWT's names."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar, cast

from .. import _hints
from ..exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingCryptographyError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
)

__all__ = [
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "MissingCryptographyError",
    "MissingRequiredClaimError",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
]


_F = TypeVar("_F", bound=Callable[..., Any])


def _pyjwt_text(method: _F) -> _F:
    """Errors leave ``method`` with PyJWT's exact message: jwtlite's hints move to a note.

    Framework integrations return ``str(exc)`` to API clients, and their tests compare it
    (flask-jwt-extended: ``{"msg": "The specified alg value is not allowed"}``). The hint is
    still shown in a traceback (Python 3.11 and later), as a PEP 678 note.
    """

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except PyJWTError as exc:
            _hints.detach(exc)
            raise

    return cast("_F", wrapper)

