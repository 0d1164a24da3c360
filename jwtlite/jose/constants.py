"""python-jose's ``jose.constants``: the algorithm names, their groups and the JWE limits.

``ALGORITHMS.SUPPORTED`` is what the face signs, verifies, encrypts and decrypts with; it is
python-jose's set (``jose.jwk.register_key`` adds to it, as in python-jose). jwtlite's own API
offers more (PS256, EdDSA, ECDH-ES, PBES2 ...): see docs/migrating-from-python-jose.md.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, ClassVar

__all__ = ["ALGORITHMS", "JWE_SIZE_LIMIT", "ZIPS", "Algorithms", "Zips"]


class Algorithms:
    """The JOSE algorithm names python-jose knows, one attribute each, and their groups."""

    # JWS (RFC 7518 §3.1); "none" is a name only: the face never signs or verifies with it.
    NONE = "none"
    HS256 = "HS256"
    HS384 = "HS384"
    HS512 = "HS512"
    RS256 = "RS256"
    RS384 = "RS384"
    RS512 = "RS512"
    ES256 = "ES256"
    ES384 = "ES384"
    ES512 = "ES512"

    # JWE content encryption (RFC 7518 §5.1)
    A128CBC_HS256 = "A128CBC-HS256"
    A192CBC_HS384 = "A192CBC-HS384"
    A256CBC_HS512 = "A256CBC-HS512"
    A128GCM = "A128GCM"
    A192GCM = "A192GCM"
    A256GCM = "A256GCM"

    # python-jose's names for plain AES-CBC keys (no JOSE algorithm has them)
    A128CBC = "A128CBC"
    A192CBC = "A192CBC"
    A256CBC = "A256CBC"

    # JWE key management (RFC 7518 §4.1)
    DIR = "dir"
    RSA1_5 = "RSA1_5"
    RSA_OAEP = "RSA-OAEP"
    RSA_OAEP_256 = "RSA-OAEP-256"
    A128KW = "A128KW"
    A192KW = "A192KW"
    A256KW = "A256KW"
    ECDH_ES = "ECDH-ES"
    ECDH_ES_A128KW = "ECDH-ES+A128KW"
    ECDH_ES_A192KW = "ECDH-ES+A192KW"
    ECDH_ES_A256KW = "ECDH-ES+A256KW"
    A128GCMKW = "A128GCMKW"
    A192GCMKW = "A192GCMKW"
    A256GCMKW = "A256GCMKW"
    PBES2_HS256_A128KW = "PBES2-HS256+A128KW"
    PBES2_HS384_A192KW = "PBES2-HS384+A192KW"
    PBES2_HS512_A256KW = "PBES2-HS512+A256KW"

    # JWE compression (RFC 7516 §4.1.3)
    DEF = "DEF"

    HMAC: ClassVar[set[str]] = {HS256, HS384, HS512}
    RSA_DS: ClassVar[set[str]] = {RS256, RS384, RS512}
    RSA_KW: ClassVar[set[str]] = {RSA1_5, RSA_OAEP, RSA_OAEP_256}
    RSA: ClassVar[set[str]] = RSA_DS | RSA_KW
    EC_DS: ClassVar[set[str]] = {ES256, ES384, ES512}
    EC_KW: ClassVar[set[str]] = {ECDH_ES, ECDH_ES_A128KW, ECDH_ES_A192KW, ECDH_ES_A256KW}
    EC: ClassVar[set[str]] = EC_DS | EC_KW
    AES_PSEUDO: ClassVar[set[str]] = {A128CBC, A192CBC, A256CBC, A128GCM, A192GCM, A256GCM}
    AES_JWE_ENC: ClassVar[set[str]] = {
        A128CBC_HS256, A192CBC_HS384, A256CBC_HS512, A128GCM, A192GCM, A256GCM
    }  # fmt: skip
    AES_ENC: ClassVar[set[str]] = AES_JWE_ENC | AES_PSEUDO
    AES_KW: ClassVar[set[str]] = {A128KW, A192KW, A256KW}
    AEC_GCM_KW: ClassVar[set[str]] = {A128GCMKW, A192GCMKW, A256GCMKW}  # python-jose's spelling
    AES: ClassVar[set[str]] = AES_ENC | AES_KW
    PBES2_KW: ClassVar[set[str]] = {PBES2_HS256_A128KW, PBES2_HS384_A192KW, PBES2_HS512_A256KW}

    HMAC_AUTH_TAG: ClassVar[set[str]] = {A128CBC_HS256, A192CBC_HS384, A256CBC_HS512}
    GCM: ClassVar[set[str]] = {A128GCM, A192GCM, A256GCM}

    SUPPORTED: ClassVar[set[str]] = HMAC | RSA_DS | EC_DS | {DIR} | AES_JWE_ENC | RSA_KW | AES_KW
    ALL: ClassVar[set[str]] = SUPPORTED | {NONE} | AEC_GCM_KW | EC_KW | PBES2_KW

    #: The hash of each signature algorithm (``at_hash`` uses it, OpenID Connect Core §3.1.3.6).
    HASHES: ClassVar[dict[str, Callable[..., Any]]] = {
        HS256: hashlib.sha256,
        HS384: hashlib.sha384,
        HS512: hashlib.sha512,
        RS256: hashlib.sha256,
        RS384: hashlib.sha384,
        RS512: hashlib.sha512,
        ES256: hashlib.sha256,
        ES384: hashlib.sha384,
        ES512: hashlib.sha512,
    }

    #: Key classes registered with ``jose.jwk.register_key``, by algorithm name.
    KEYS: ClassVar[dict[str, type]] = {}


ALGORITHMS = Algorithms()


class Zips:
    """The JWE ``zip`` values: DEFLATE (RFC 1951) or none."""

    DEF = "DEF"
    NONE = None
    SUPPORTED: ClassVar[set[str | None]] = {DEF, NONE}


ZIPS = Zips()

#: Largest compact JWE the face decrypts, and largest plaintext it inflates, in bytes
#: (python-jose's limit; read at each call, so a caller may lower it).
JWE_SIZE_LIMIT = 250 * 1024
