"""python-jose's ``jose.exceptions``: its hierarchy, as jwtlite exceptions.

Every class derives from :class:`~jwtlite.exceptions.PyJWTError`, so code that catches
jwtlite's base class catches the face's errors too, and only jwtlite exceptions leave the face.
The face raises python-jose's classes with python-jose's messages; the jwtlite error that
decided the refusal stays on ``__cause__``.
"""

from __future__ import annotations

from ..exceptions import PyJWTError

__all__ = [
    "ExpiredSignatureError",
    "JOSEError",
    "JWEAlgorithmUnsupportedError",
    "JWEError",
    "JWEInvalidAuth",
    "JWEParseError",
    "JWKError",
    "JWSAlgorithmError",
    "JWSError",
    "JWSSignatureError",
    "JWTClaimsError",
    "JWTError",
]


class JOSEError(PyJWTError):
    """Base class of python-jose's errors."""


class JWSError(JOSEError):
    """A JWS could not be signed, parsed or verified."""


class JWSSignatureError(JWSError):
    """A JWS signature did not verify."""


class JWSAlgorithmError(JWSError):
    """A JWS algorithm is not supported."""


class JWTError(JOSEError):
    """A JWT could not be decoded or verified."""


class JWTClaimsError(JWTError):
    """A registered claim failed its check."""


class ExpiredSignatureError(JWTError):
    """The ``exp`` claim is in the past."""


class JWKError(JOSEError):
    """A key could not be loaded, or does not suit the algorithm."""


class JWEError(JOSEError):
    """Base class of the JWE errors."""


class JWEParseError(JWEError):
    """A JWE string could not be parsed."""


class JWEInvalidAuth(JWEError):  # noqa: N818 - python-jose's name
    """A JWE authentication tag did not match."""


class JWEAlgorithmUnsupportedError(JWEError):
    """A JWE algorithm is not supported."""
