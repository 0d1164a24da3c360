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
    "InsufficientScopeError",
    "InvalidCertificateChainError",
    "UnsupportedAlgorithmError",
    "JWEError",
    "JWEDecryptionError",
    "JWEParseError",
    "UnknownOptionWarning",
    "PrivateKeyRequiredError",
    "KeyNotInSetError",
    # OpenID Connect (jwtlite.oidc)
    "InvalidACRError",
    "InvalidAuthTimeError",
    "InvalidAuthorizedPartyError",
    "InvalidHashClaimError",
    "InvalidNonceError",
    "ProviderMetadataError",
    # DPoP (jwtlite.dpop)
    "DPoPBindingError",
    "DPoPNonceError",
    "DPoPProofError",
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


class InsufficientScopeError(InvalidTokenError):
    """The access token verified, but its ``scope`` claim lacks a scope the request needs
    (RFC 6750 §3.1 ``insufficient_scope``: the guards answer 403). jwtlite-specific."""

    def __init__(self, scope: str) -> None:
        #: The scope tokens the request needs, space-delimited: the ``scope`` attribute of
        #: the RFC 6750 §3 challenge.
        self.scope = scope
        super().__init__(f"the token lacks a scope this request needs: {scope}")


class InvalidCertificateChainError(InvalidTokenError):
    """The ``x5c`` certificate chain of a token's header does not verify to the caller's trust
    anchors (RFC 7515 §4.1.6), or its ``x5t``/``x5t#S256`` thumbprint does not match the
    first certificate. jwtlite-specific."""


class RevokedTokenError(InvalidTokenError):
    """The token (or its refresh family) has been revoked. jwtlite-specific."""


class DPoPProofError(InvalidTokenError):
    """A DPoP proof (RFC 9449 §4) is missing, malformed, or fails a check of §4.3: answered
    with the ``invalid_dpop_proof`` error (§12.2). jwtlite-specific."""

    #: The OAuth error code (RFC 9449 §12.2) to answer with.
    error = "invalid_dpop_proof"


class DPoPNonceError(DPoPProofError):
    """The server demands a DPoP nonce (RFC 9449 §8, §9) and the proof has none, or one that is
    not (or no longer) valid: answered with ``use_dpop_nonce`` and a fresh ``DPoP-Nonce``.
    jwtlite-specific."""

    error = "use_dpop_nonce"


class DPoPBindingError(InvalidTokenError):
    """A DPoP-bound access token was presented without its key: as a bearer token (RFC 9449
    §7.2), or with a proof by another key (§6); or an unbound token came with the DPoP scheme.
    Answered with ``invalid_token`` (§7.1, Figure 16). jwtlite-specific."""

    error = "invalid_token"


class PyJWKError(PyJWTError):
    """A JSON Web Key is malformed or unusable."""


class MissingCryptographyError(PyJWKError):
    """An operation needs the optional ``cryptography`` package, which is not installed.

    jwtlite raises it for encrypted PEM keys (as :class:`KeyNeedsCryptographyError`), which it
    decrypts through ``cryptography``, and for ``x5c`` chains (:mod:`jwtlite.x5c`), which it
    verifies through ``cryptography``'s X.509 path validation (45.0 or newer); everything
    else works without the package.
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


class KeyNotInSetError(PyJWKSetError, KeyError):
    """``jwk_set[kid]`` found no key with that ``kid``. Also a ``KeyError``, which PyJWT raises
    there and dict-style lookup promises (so ``str()`` quotes the message). jwtlite-specific."""


class PrivateKeyRequiredError(InvalidKeyError, AttributeError):
    """A public key was given to sign with; also an ``AttributeError``, which is what PyJWT
    raises there (its public key objects have no ``sign`` method). jwtlite-specific."""


# --- OpenID Connect (jwtlite.oidc): the ID token checks and provider discovery ----------------


class InvalidNonceError(InvalidTokenError):
    """An ID token's ``nonce`` claim is absent, or differs from the nonce the relying party sent
    (OpenID Connect Core §3.1.3.7 step 11): a replayed or injected token. jwtlite-specific."""


class InvalidHashClaimError(InvalidTokenError):
    """An ID token's ``at_hash`` or ``c_hash`` does not match the access token or code that came
    with it (OpenID Connect Core §3.2.2.9, §3.3.2.10): one of them was swapped. jwtlite-specific."""


class InvalidAuthorizedPartyError(InvalidAudienceError):
    """An ID token's ``azp`` is not the client's id, or is absent from a token with several
    audiences (OpenID Connect Core §2, §3.1.3.7 steps 4-5). jwtlite-specific."""


class InvalidAuthTimeError(InvalidTokenError):
    """An ID token's ``auth_time`` is not a number, lies in the future, or is older than the
    ``max_age`` the relying party asked for (OpenID Connect Core §3.1.3.7 step 13): the
    End-User must authenticate again. jwtlite-specific."""


class InvalidACRError(InvalidTokenError):
    """An ID token's ``acr`` is not one the relying party accepts (OpenID Connect Core
    §3.1.3.7 step 12). jwtlite-specific."""


class ProviderMetadataError(PyJWKClientError):
    """A provider's discovery document is unusable: not a JSON object, an ``issuer`` that is not
    the one it was fetched for (OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3), or a
    ``jwks_uri`` that is missing or not HTTPS. jwtlite-specific."""
