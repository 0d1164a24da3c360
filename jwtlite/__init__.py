"""jwtlite: JSON Web Tokens in pure Python, a strict drop-in for PyJWT's public API.

>>> import jwtlite as jwt
>>> token = jwt.encode({"sub": "alice"}, "a-32-byte-long-secret-for-hs256!", algorithm="HS256")
>>> jwt.decode(token, "a-32-byte-long-secret-for-hs256!", algorithms=["HS256"])
{'sub': 'alice'}
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._cache import clear_caches
from .api import PyJWS, PyJWT, _jws_global_obj, _jwt_global_obj
from .exceptions import (
    BackendUnavailableError,
    BearerError,
    DecodeError,
    DPoPBindingError,
    DPoPNonceError,
    DPoPProofError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InsecureKeyLengthWarning,
    InsufficientScopeError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidCertificateChainError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    InvalidValueError,
    JWEDecryptionError,
    JWEError,
    JWEParseError,
    MissingCryptographyError,
    MissingRequiredClaimError,
    ModuleConflictError,
    NaiveDatetimeWarning,
    PrivateKeyRequiredError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
    RemovedInPyjwt3Warning,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    StaleTokenError,
    UnknownOptionWarning,
    UnsupportedAlgorithmError,
    UnsupportedHashError,
    UnusableKeyError,
)

if TYPE_CHECKING:
    from .jwe_jwt import decrypt_jwt, encrypt_jwt
    from .jwk import PyJWK, PyJWKSet
    from .jwks_client import PyJWKClient
    from .jwks_client_async import AsyncPyJWKClient
    from .keygen import generate_key
    from .keys import load_key

__version__ = "0.1.0"

# Module-level functions are the methods of one default PyJWT / PyJWS pair, as in PyJWT.
encode = _jwt_global_obj.encode
decode = _jwt_global_obj.decode
decode_complete = _jwt_global_obj.decode_complete
get_unverified_header = _jws_global_obj.get_unverified_header
register_algorithm = _jws_global_obj.register_algorithm
unregister_algorithm = _jws_global_obj.unregister_algorithm
get_algorithm_by_name = _jws_global_obj.get_algorithm_by_name

_LAZY = {
    "PyJWK": "jwk",
    "PyJWKSet": "jwk",
    "PyJWKClient": "jwks_client",
    "generate_key": "keygen",
    "load_key": "keys",
    "AsyncPyJWKClient": "jwks_client_async",
    # Encrypted JWTs (issue 21): the JWE engine loads on first use.
    "encrypt_jwt": "jwe_jwt",
    "decrypt_jwt": "jwe_jwt",
}


def install_as_pyjwt() -> None:
    """Make ``import jwt`` give jwtlite's PyJWT face (:mod:`jwtlite.pyjwt`), for packages
    written for PyJWT. Call it before they are imported; calling it again does nothing.

    >>> import jwtlite
    >>> jwtlite.install_as_pyjwt()  # doctest: +SKIP

    Raises:
        ModuleConflictError: a different ``jwt`` (PyJWT itself) is already imported.
    """
    # The face sits above this package (docs/architecture.md), so it is looked up by name,
    # like the lazy names below, and only when a caller installs it.
    import_module(".pyjwt._install", __name__).install_as_pyjwt()


def install_as_jose() -> None:
    """Make ``import jose`` give jwtlite's python-jose face (:mod:`jwtlite.jose`), for code and
    packages written for python-jose. Call it before they are imported; calling it again does
    nothing. No dependency is added: no ``ecdsa``, ``rsa`` or ``pyasn1``.

    >>> import jwtlite
    >>> jwtlite.install_as_jose()  # doctest: +SKIP

    Raises:
        ModuleConflictError: a different ``jose`` (python-jose itself) is already imported.
    """
    # The face sits above this package, like the PyJWT face: looked up by name, on demand.
    import_module(".jose._install", __name__).install_as_jose()


if not TYPE_CHECKING:
    # Hidden from type checkers, so that a misspelt name (``jwtlite.encdoe``) is a type error;
    # the lazy names are declared for them in the TYPE_CHECKING block above.

    def __getattr__(name: str) -> Any:
        # The JWKS client (http.client, ssl, urllib: about 25 ms) and key generation are
        # imported on first use, so ``import jwtlite`` for HS256 stays small and fast (PEP 562).
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'jwtlite' has no attribute {name!r}")
        value = getattr(import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value


__all__ = [
    "__version__",
    # PyJWT's API
    "PyJWK",
    "PyJWKClient",
    "PyJWKSet",
    "PyJWS",
    "PyJWT",
    "decode",
    "decode_complete",
    "encode",
    "get_algorithm_by_name",
    "get_unverified_header",
    "register_algorithm",
    "unregister_algorithm",
    # jwtlite additions
    "clear_caches",
    "install_as_pyjwt",
    "install_as_jose",
    "generate_key",
    "load_key",
    "encrypt_jwt",
    "decrypt_jwt",
    # exceptions and warnings
    "BackendUnavailableError",
    "BearerError",
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InsecureKeyLengthWarning",
    "InsufficientScopeError",
    "RemovedInPyjwt3Warning",
    "InvalidAlgorithmError",
    "InvalidArgumentError",
    "InvalidAudienceError",
    "InvalidCertificateChainError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "JWEDecryptionError",
    "JWEError",
    "JWEParseError",
    "MissingCryptographyError",
    "MissingRequiredClaimError",
    "NaiveDatetimeWarning",
    "UnknownOptionWarning",
    "ModuleConflictError",
    "InvalidValueError",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
    "RevokedTokenError",
    "UnusableKeyError",
    "UnsupportedHashError",
    "PrivateKeyRequiredError",
    "UnsupportedAlgorithmError",
    # asyncio
    "AsyncPyJWKClient",
    "RevocationStoreUnavailableError",
    "StaleTokenError",
    # DPoP (RFC 9449)
    "DPoPBindingError",
    "DPoPNonceError",
    "DPoPProofError",
]
