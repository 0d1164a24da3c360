"""PyJWT's module tree over jwtlite: what ``import jwt`` gives after
:func:`jwtlite.install_as_pyjwt`.

Every public module and name of PyJWT 2.x (``jwt.algorithms``, ``jwt.api_jws``,
``jwt.api_jwt``, ``jwt.api_jwk``, ``jwt.types``, ``jwt.utils``, ``jwt.warnings``,
``jwt.jwk_set_cache``, ``jwt.jwks_client``, ``jwt.exceptions``, ``jwt.help``) as thin modules
over jwtlite's own. The differences that remain are listed, each with its reason, in
docs/migrating-from-pyjwt.md. jwtlite's own modules never import this package.
"""

from __future__ import annotations

from ..exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InsecureKeyLengthWarning,
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
from . import (
    algorithms,
    api_jwk,
    api_jws,
    api_jwt,
    exceptions,
    help,
    jwk_set_cache,
    jwks_client,
    types,
    utils,
    warnings,
)
from ._version import PYJWT_API_VERSION, jwtlite_version
from .api_jwk import PyJWK, PyJWKSet
from .api_jws import (
    PyJWS,
    get_algorithm_by_name,
    get_unverified_header,
    register_algorithm,
    unregister_algorithm,
)
from .api_jwt import PyJWT, decode, decode_complete, encode
from .jwks_client import PyJWKClient

__version__ = PYJWT_API_VERSION
__jwtlite_version__ = jwtlite_version

#: The submodules ``install_as_pyjwt`` registers as ``jwt.<name>``.
SUBMODULES = (
    "algorithms", "api_jwk", "api_jws", "api_jwt", "exceptions", "help",
    "jwk_set_cache", "jwks_client", "types", "utils", "warnings",
)  # fmt: skip

__all__ = [
    "__version__",
    "__jwtlite_version__",
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
    "InsecureKeyLengthWarning",
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
    # the submodules
    "algorithms",
    "api_jwk",
    "api_jws",
    "api_jwt",
    "exceptions",
    "help",
    "jwk_set_cache",
    "jwks_client",
    "types",
    "utils",
    "warnings",
]
