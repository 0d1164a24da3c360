"""The whole jwtlite exception and warning hierarchy.

The class names and their inheritance match PyJWT's public ``jwt.exceptions`` module, so that
``except jwt.InvalidTokenError`` written for PyJWT catches the same failures here. Note that
:class:`InvalidKeyError` is *not* an :class:`InvalidTokenError`: a bad key is the caller's bug,
not a bad token.
"""

from __future__ import annotations

from ._escape import escape

__all__ = [
    "AlgorithmAlreadyRegisteredError",
    "AlgorithmNotRegisteredError",
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InsecureKeyLengthWarning",
    "InvalidAlgorithmError",
    "InvalidArgumentError",
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
    "NaiveDatetimeWarning",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
    "RemovedInPyjwt3Warning",
    "RevokedTokenError",
    "UnusableKeyError",
    "BackendUnavailableError",
    "BearerError",
    "UnsupportedHashError",
    "KeyNeedsCryptographyError",
    "RevocationStoreUnavailableError",
    "StaleTokenError",
    "InvalidValueError",
    "ModuleConflictError",
    "UnsupportedAlgorithmError",
    "JWEError",
    "JWEDecryptionError",
    "JWEParseError",
    "UnknownOptionWarning",
    "PrivateKeyRequiredError",
]


class PyJWTError(Exception):
    """Base class of every jwtlite error (named as in PyJWT for drop-in compatibility)."""


class InvalidTokenError(PyJWTError):
    """The token cannot be accepted: malformed, badly signed, expired, or failing a claim."""


class DecodeError(InvalidTokenError):
    """The token is not well-formed: wrong shape, bad base64url, bad JSON, oversized."""


class InvalidSignatureError(DecodeError):
    """The signature does not verify with the given key."""


class ExpiredSignatureError(InvalidTokenError):
    """The ``exp`` claim is in the past (beyond the leeway)."""


class InvalidAudienceError(InvalidTokenError):
    """The ``aud`` claim does not match the expected audience."""


class InvalidIssuerError(InvalidTokenError):
    """The ``iss`` claim does not match the expected issuer."""


class InvalidIssuedAtError(InvalidTokenError):
    """The ``iat`` claim is not a number. (A future ``iat`` raises ImmatureSignatureError and
    one older than ``max_age`` raises ExpiredSignatureError, as their names suggest.)"""


class ImmatureSignatureError(InvalidTokenError):
    """The ``nbf`` (or ``iat``) claim is in the future (beyond the leeway)."""


class InvalidKeyError(PyJWTError):
    """The key is unusable: malformed, too small, or of the wrong type for the algorithm."""


class InvalidAlgorithmError(InvalidTokenError):
    """The algorithm is unknown, not allowed by the caller, or ``none`` while verifying."""


class InvalidSubjectError(InvalidTokenError):
    """The ``sub`` claim is not a string or does not match the expected subject."""


class InvalidJTIError(InvalidTokenError):
    """The ``jti`` claim is not a string."""


class MissingRequiredClaimError(InvalidTokenError):
    """A claim that the caller requires is absent."""

    def __init__(self, claim: str) -> None:
        #: The name of the missing claim.
        self.claim = claim
        super().__init__(claim)

    def __str__(self) -> str:
        return f'Token is missing the "{escape(self.claim)}" claim'


class UnusableKeyError(InvalidKeyError, InvalidTokenError):
    """The token names a key (by ``kid`` or ``alg``) that the caller's JWK or JWK set cannot
    use to verify it. Both an InvalidKeyError and an InvalidTokenError, because the token
    chose it: ``except jwt.InvalidTokenError`` around ``decode`` catches it. jwtlite-specific."""


class BearerError(InvalidTokenError):
    """An ``Authorization`` header or a ``WWW-Authenticate`` parameter breaks RFC 6750."""

    def __init__(self, message: str, error: str | None = "invalid_request") -> None:
        #: The RFC 6750 §3.1 error code to put in the challenge, or None when the request
        #: carried no credentials at all (§3.1: then the challenge SHOULD NOT carry an error).
        self.error = error
        super().__init__(message)


class RevokedTokenError(InvalidTokenError):
    """The token (or its refresh family) has been revoked. jwtlite-specific."""


class PyJWKError(PyJWTError):
    """A JSON Web Key is malformed or unusable."""


class MissingCryptographyError(PyJWKError):
    """An operation needs the optional ``cryptography`` package, which is not installed.

    jwtlite raises it (as :class:`KeyNeedsCryptographyError`) only for encrypted PEM keys,
    which it decrypts through ``cryptography``; everything else works without the package.
    """


class PyJWKSetError(PyJWTError):
    """A JSON Web Key Set is malformed or holds no usable key."""


class PyJWKClientError(PyJWTError):
    """The JWKS client got unusable data, or no key matches the token."""


class PyJWKClientConnectionError(PyJWKClientError):
    """The JWKS endpoint could not be reached or did not answer in time."""


class BackendUnavailableError(PyJWTError):
    """The requested crypto backend cannot be used (for example ``cryptography`` is missing)."""


class InsecureKeyLengthWarning(UserWarning):
    """A key is shorter than its algorithm wants: an HMAC secret shorter than the hash output
    (RFC 7518 §3.2) or an RSA modulus under 2048 bits (RFC 7518 §3.3). Raised as
    :class:`InvalidKeyError` instead with ``options={"enforce_minimum_key_length": True}``."""


class RemovedInPyjwt3Warning(DeprecationWarning):
    """A PyJWT 2 usage that PyJWT 3 removes (named as PyJWT names it)."""


class NaiveDatetimeWarning(UserWarning):
    """A time claim (``exp``, ``nbf``, ``iat``) was given as a datetime without a timezone at
    encode; it is read as UTC, which is wrong if it was local time. jwtlite-specific."""


class UnknownOptionWarning(UserWarning):
    """PyJWT's face (``install_as_pyjwt``) was given an ``options`` name it does not know, such
    as ``requires`` for ``require``; it is ignored, as PyJWT ignores it. jwtlite's own API
    refuses such a name with :class:`InvalidArgumentError` instead. jwtlite-specific."""


class InvalidArgumentError(PyJWTError, TypeError):
    """A caller passed an argument of the wrong type or value (also a ``TypeError``, as PyJWT
    raises ``TypeError`` in the same places, so existing handlers keep working)."""


class AlgorithmAlreadyRegisteredError(InvalidArgumentError, ValueError):
    """``register_algorithm`` was given a name the table already holds. Also a ``ValueError``,
    which PyJWT raises here."""


class AlgorithmNotRegisteredError(InvalidArgumentError, KeyError):
    """``unregister_algorithm`` was given a name the table does not hold. Also a ``KeyError``,
    which PyJWT raises here (so ``str()`` quotes the message, as a KeyError's does)."""


class UnsupportedHashError(InvalidAlgorithmError, InvalidKeyError):
    """A backend was asked for a hash it does not implement (one class for every backend).

    An :class:`InvalidAlgorithmError`, since the hash comes from the algorithm; also an
    :class:`InvalidKeyError`, which is what the RSA backends raised for it before.
    """


class KeyNeedsCryptographyError(MissingCryptographyError, InvalidKeyError):
    """An encrypted PEM key was given and ``cryptography`` is not installed to decrypt it.

    Both PyJWT's :class:`MissingCryptographyError` and an :class:`InvalidKeyError`, the error
    every other unloadable key raises.
    """


class RevocationStoreUnavailableError(PyJWTError):
    """The revocation store cannot be reached or did not answer in time, so a token's status
    is unknown and it is refused (fail closed). Deliberately not an InvalidTokenError: the
    token may be fine, so an app answers 503 (try again), not 401. jwtlite-specific."""


class StaleTokenError(InvalidTokenError):
    """A fresh access token (one issued at login, claim ``fresh: true``) is required, and this
    one was issued by a refresh; the user must log in again. jwtlite-specific."""


class InvalidValueError(PyJWTError, ValueError):
    """A caller passed an argument of the right type but an unusable value (also a
    ``ValueError``, as PyJWT raises ``ValueError`` in the same places: a negative integer for
    ``to_base64url_uint``, a raw signature of the wrong length). jwtlite-specific."""


class ModuleConflictError(PyJWTError, ImportError):
    """:func:`jwtlite.install_as_pyjwt` found a different module already imported as ``jwt``
    (PyJWT itself, usually); also an ``ImportError``. jwtlite-specific."""


class UnsupportedAlgorithmError(InvalidAlgorithmError, NotImplementedError):
    """An algorithm the table does not hold (``get_algorithm_by_name``, ``encode``); also a
    ``NotImplementedError``, which is what PyJWT raises there."""


class JWEError(InvalidTokenError):
    """An encrypted token (JWE, RFC 7516) cannot be accepted. jwtlite-specific."""


class JWEDecryptionError(JWEError):
    """The JWE did not decrypt: one class and one message for every cryptographic failure
    (a wrong tag, bad padding, a failed key unwrap, an RSA decryption failure, a CEK of the
    wrong length, an invalid ephemeral key), so an attacker who sees the error learns nothing
    about which step failed (RFC 7516 §11.4, §11.5). jwtlite-specific."""

    def __init__(self, message: str = "Decryption failed") -> None:
        super().__init__(message)


class JWEParseError(JWEError, DecodeError):
    """The JWE is malformed (segments, base64url, JSON, header members) or over one of the
    limits of ``jwtlite.jwe`` (token, header, recipients, PBES2 count, decompressed size),
    found before or around any decryption. Also a :class:`DecodeError`. jwtlite-specific."""


class PrivateKeyRequiredError(InvalidKeyError, AttributeError):
    """A public key was given to sign with; also an ``AttributeError``, which is what PyJWT
    raises there (its public key objects have no ``sign`` method). jwtlite-specific."""
