"""The public surface as it stood before the architecture reshaping (issue 9).

Every name a module listed in ``__all__`` then must stay importable from that module, and stay
listed. New names may be added; none may disappear.
"""

from __future__ import annotations

import importlib

import pytest

SURFACE: dict[str, tuple[str, ...]] = {
    "jwtlite": (
        "BackendUnavailableError",
        "BearerError",
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
        "PyJWK",
        "PyJWKClient",
        "PyJWKClientConnectionError",
        "PyJWKClientError",
        "PyJWKError",
        "PyJWKSet",
        "PyJWKSetError",
        "PyJWS",
        "PyJWT",
        "PyJWTError",
        "RemovedInPyjwt3Warning",  # issue 10: PyJWT's warning classes, natively
        "RevokedTokenError",
        "UnusableKeyError",
        "__version__",
        "decode",
        "decode_complete",
        "encode",
        "generate_key",
        "get_algorithm_by_name",
        "get_unverified_header",
        "load_key",
        "register_algorithm",
        "unregister_algorithm",
    ),
    "jwtlite.keys": (
        "AsymmetricKey",
        "ECPrivateKey",
        "ECPublicKey",
        "OKPPrivateKey",
        "OKPPublicKey",
        "PrivateKey",
        "PublicKey",
        "RSAPrivateKey",
        "RSAPublicKey",
        "dump_der",
        "dump_pem",
        "dump_ssh_public",
        "is_public_key_material",
        "load_key",
    ),
    "jwtlite.algorithms": (
        "Algorithm",
        "ECAlgorithm",
        "HMACAlgorithm",
        "NoneAlgorithm",
        "OKPAlgorithm",
        "RSAAlgorithm",
        "RSAPSSAlgorithm",
        "default_algorithms",
        "get_algorithm_by_name",
    ),
    "jwtlite.jwk": (
        "ALGORITHM_KEY_TYPES",
        "JWKKey",
        "MAX_KEYS",
        "PyJWK",
        "PyJWKSet",
        "key_from_jwk",
        "key_to_jwk",
        "resolve_key",
        "thumbprint",
        "thumbprint_uri",
    ),
    "jwtlite.jwk_set": (
        "resolve_key",
    ),
    "jwtlite.backends": (
        "BACKEND_NAMES",
        "Backend",
        "available_backends",
        "get_backend",
        "set_backend",
    ),
    "jwtlite.tokens": (
        "ACCESS_TYP",
        "REFRESH_TYP",
        "TokenPair",
        "TokenService",
    ),
    "jwtlite.revocation": (
        "MemoryStore",
        "RevocationStore",
        "SQLiteStore",
    ),
    "jwtlite.bearer": (
        "BearerError",
        "parse_authorization_header",
        "www_authenticate",
    ),
    "jwtlite.jwks_client": (
        "PyJWKClient",
    ),
    "jwtlite.api": (
        "PyJWS",
        "PyJWT",
    ),
    "jwtlite.jws": (
        "DEFAULT_MAX_TOKEN_SIZE",
        "ParsedToken",
        "check_header",
        "parse_compact",
        "typ_matches",
    ),
    "jwtlite.claims": (
        "encode_time_claims",
        "seconds",
        "validate",
    ),
    "jwtlite.exceptions": (
        "BackendUnavailableError",
        "BearerError",
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
        "PyJWKClientConnectionError",
        "PyJWKClientError",
        "PyJWKError",
        "PyJWKSetError",
        "PyJWTError",
        "RevokedTokenError",
        "UnusableKeyError",
        # issue 10: register errors that are also PyJWT's ValueError / KeyError, and warnings
        "AlgorithmAlreadyRegisteredError",
        "AlgorithmNotRegisteredError",
        "AlgorithmNotSupportedError",
        "RemovedInPyjwt3Warning",
    ),
    "jwtlite.types": (  # issue 10: the TypedDicts of options= (PyJWT's jwt.types)
        "FullOptions",
        "HashlibHash",
        "JWKDict",
        "Options",
        "SigOptions",
    ),
    "jwtlite.b64url": (
        "b64_to_uint",
        "b64url_decode",
        "b64url_encode",
        "uint_to_b64",
    ),
    "jwtlite.keygen": (
        "generate_key",
    ),
}


def test_the_snapshot_is_not_empty() -> None:
    assert len(SURFACE) == 17
    assert sum(len(names) for names in SURFACE.values()) == 140


@pytest.mark.parametrize("module_name", sorted(SURFACE))
def test_public_names_stay_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in SURFACE[module_name] if not hasattr(module, name)]
    assert missing == []
    unlisted = sorted(set(SURFACE[module_name]) - set(module.__all__))
    assert unlisted == []
