"""THE JWA table: one row per JWS algorithm, and the one rule that binds a key to a row;
and its JWE half: one row per key-management ``alg`` and per content-encryption ``enc``.

Every other module reads this table; no other module writes down an algorithm's family, hash,
curve or key type. Adding an algorithm is one row here plus its backend operation.

Sources: RFC 7518 §3.1 (HS*, RS*, ES*, PS*, none), RFC 8037 §3.1 (EdDSA), RFC 8812 §3.2
(ES256K) and RFC 9864 §2 (the fully specified Ed25519 and Ed448); for JWE, RFC 7518 §4.1
(``alg``) and §5.1 (``enc``), RFC 8037 §3.2 (ECDH-ES with X25519 and X448) and the IANA JOSE
registry (RSA-OAEP-384 and RSA-OAEP-512).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from .exceptions import UnsupportedHashError

__all__ = [
    "ALGORITHMS",
    "ENCRYPTIONS",
    "JWA",
    "JWE_ALGORITHMS",
    "JWEAlgorithm",
    "JWEEncryption",
    "SIGNATURE_HASHES",
    "curve_algorithm",
    "custom_row",
    "jwe_algorithm",
    "jwe_encryption",
    "row",
    "key_phrase",
    "unfit_reason",
]


@dataclass(frozen=True)
class JWA:
    """One JWS algorithm.

    ``family`` names the operation: ``hmac``, ``rsa-pkcs1``, ``rsa-pss``, ``ecdsa``, ``eddsa``
    or ``none``. ``min_bits`` is the size below which the key is too short (RFC 7518 §3.2:
    an HMAC key "of the same size as the hash output ... or larger"; §3.3 and §3.5: RSA "2048
    bits or larger"). ``keygen`` is what :func:`jwtlite.generate_key` makes by default: bits
    for HMAC and RSA, a curve name for EC and OKP.
    """

    name: str
    family: str
    kty: str
    hash_name: str = ""
    curves: tuple[str, ...] = ()
    min_bits: int = 0
    keygen: int | str = 0

    def fits(self, kty: str | None, curve: str | None) -> bool:
        """Whether a key of this ``kty`` (and ``crv``) may serve this algorithm."""
        return kty == self.kty and (not self.curves or curve in self.curves)


_ROWS = (
    JWA("none", "none", ""),
    JWA("HS256", "hmac", "oct", "sha256", min_bits=256, keygen=256),
    JWA("HS384", "hmac", "oct", "sha384", min_bits=384, keygen=384),
    JWA("HS512", "hmac", "oct", "sha512", min_bits=512, keygen=512),
    JWA("RS256", "rsa-pkcs1", "RSA", "sha256", min_bits=2048, keygen=2048),
    JWA("RS384", "rsa-pkcs1", "RSA", "sha384", min_bits=2048, keygen=2048),
    JWA("RS512", "rsa-pkcs1", "RSA", "sha512", min_bits=2048, keygen=2048),
    JWA("PS256", "rsa-pss", "RSA", "sha256", min_bits=2048, keygen=2048),
    JWA("PS384", "rsa-pss", "RSA", "sha384", min_bits=2048, keygen=2048),
    JWA("PS512", "rsa-pss", "RSA", "sha512", min_bits=2048, keygen=2048),
    JWA("ES256", "ecdsa", "EC", "sha256", ("P-256",), keygen="P-256"),
    JWA("ES384", "ecdsa", "EC", "sha384", ("P-384",), keygen="P-384"),
    JWA("ES512", "ecdsa", "EC", "sha512", ("P-521",), keygen="P-521"),
    JWA("ES256K", "ecdsa", "EC", "sha256", ("secp256k1",), keygen="secp256k1"),
    JWA("EdDSA", "eddsa", "OKP", "", ("Ed25519", "Ed448"), keygen="Ed25519"),
    JWA("Ed25519", "eddsa", "OKP", "", ("Ed25519",), keygen="Ed25519"),
    JWA("Ed448", "eddsa", "OKP", "", ("Ed448",), keygen="Ed448"),
)

#: OKP curves that agree on keys (RFC 7748) and never sign: no row names them.
_AGREEMENT_CURVES = ("X25519", "X448")

#: Algorithm name -> row, in RFC order.
ALGORITHMS: Mapping[str, JWA] = MappingProxyType({r.name: r for r in _ROWS})


#: The hashes (hashlib names) an RSA, RSA-PSS or ECDSA Algorithm object may be built with.
#: The rows above use only SHA-256/384/512, as RFC 7518 §3 defines; the rest serve Algorithm
#: objects a caller builds by hand, as PyJWT's classes allow: oauthlib signs OAuth 1.0a's
#: RSA-SHA1 (RFC 5849 §3.4.3) with ``RSAAlgorithm(hashes.SHA1)``. No row names them, so a
#: token's ``alg`` never reaches them; only a caller who registers such an object does. MD5 is
#: left out on purpose: its collisions take seconds to find, so its signatures can be forged.
#: SHA-1 (chosen-prefix collisions are feasible, at far greater cost) is here only because
#: OAuth 1.0a needs it.
SIGNATURE_HASHES = frozenset(
    {"sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256",
     "sha3_224", "sha3_256", "sha3_384", "sha3_512"}
)  # fmt: skip


def row(name: object) -> JWA | None:
    """The row for ``name``, or None for an unknown (or non-string) name."""
    return ALGORITHMS.get(name) if isinstance(name, str) else None


def custom_row(
    name: str, family: str, *, hash_name: str | None = None, curves: tuple[str, ...] | None = None
) -> JWA:
    """The row for ``name``, or for a caller-named algorithm of a known ``family`` (PyJWT lets
    callers register e.g. ``HMACAlgorithm("XS256", "sha256")``): the family's first row with
    the given name, hash and curves.

    Raises:
        UnsupportedHashError: the hash is not in :data:`SIGNATURE_HASHES` (for HMAC: not a
            fixed-length hash of :mod:`hashlib`).
    """
    base = ALGORITHMS.get(name) or next(r for r in _ROWS if r.family == family)
    if hash_name and not _usable_hash(family, hash_name):
        raise UnsupportedHashError(f"unsupported hash for {name}: {hash_name!r}")
    return replace(
        base,
        name=name,
        hash_name=hash_name or base.hash_name,
        curves=base.curves if curves is None else curves,
    )


def _usable_hash(family: str, hash_name: str) -> bool:
    if family != "hmac":
        return isinstance(hash_name, str) and hash_name in SIGNATURE_HASHES
    # RFC 2104 §2 fits any iterated hash; PyJWT's HMACAlgorithm takes any hashlib constructor.
    try:
        return hashlib.new(hash_name).digest_size > 0  # not an extendable-output function
    except (ValueError, TypeError):
        return False


def curve_algorithm(curve: str) -> str:
    """The first algorithm whose curve list names ``curve`` (ES256 for P-256, EdDSA for
    Ed25519): PyJWT's choice for a JWK that carries no ``alg``."""
    for r in _ROWS:
        if curve in r.curves:
            return r.name
    return ""


def unfit_reason(alg: JWA, kty: str | None, curve: str | None) -> str | None:
    """Why a key of ``kty``/``curve`` may not serve ``alg`` (RFC 8725 §3.1), or None."""
    if alg.fits(kty, curve):
        return None
    if curve in _AGREEMENT_CURVES:
        return (
            f"{key_phrase(kty, curve)} cannot be used for {alg.name}: {curve} is for key "
            "agreement (JWE ECDH-ES, RFC 8037 §3.2), not for signatures"
        )
    return f"{key_phrase(kty, curve)} cannot be used for {alg.name}"


def key_phrase(kty: str | None, curve: str | None) -> str:
    """"an RSA key", "an EC P-384 key", "an oct key": every JWK ``kty`` is read with a vowel."""
    desc = f"{kty} {curve}" if curve else str(kty)
    return f"{'an' if kty in ('RSA', 'EC', 'OKP', 'oct') else 'a'} {desc} key"


# --- JWE (RFC 7516): key management (alg) and content encryption (enc) ------------------------


@dataclass(frozen=True)
class JWEAlgorithm:
    """One JWE key-management algorithm (RFC 7518 §4.1).

    ``family`` names the mode: ``dir``, ``rsa1_5``, ``rsa-oaep``, ``aes-kw``, ``aes-gcm-kw``,
    ``ecdh-es`` (direct key agreement), ``ecdh-es-kw`` or ``pbes2``. ``kek_bytes`` is the AES
    key-encryption key's size (for ECDH-ES+A*KW and PBES2 the size of the derived KEK);
    ``hash_name`` the OAEP or PBKDF2 hash. ``direct``: the CEK is the key (``dir``) or the
    agreed key (``ECDH-ES``), so the JWE Encrypted Key is empty (RFC 7516 §5.2 step 10).
    """

    name: str
    family: str
    ktys: tuple[str, ...]
    hash_name: str = ""
    kek_bytes: int = 0
    curves: tuple[str, ...] = ()
    direct: bool = False

    def fits(self, kty: str | None, curve: str | None) -> bool:
        """Whether a key of this ``kty`` (and ``crv``) may serve this algorithm."""
        return kty in self.ktys and (not self.curves or curve in self.curves)


@dataclass(frozen=True)
class JWEEncryption:
    """One JWE content-encryption algorithm (RFC 7518 §5.1): AES-CBC with HMAC (§5.2) or
    AES-GCM (§5.3). ``key_bytes`` is the CEK's size (for CBC-HMAC, MAC key and AES key
    together); ``iv_bytes`` and ``tag_bytes`` are exact: no other length is accepted."""

    name: str
    family: str
    key_bytes: int
    iv_bytes: int
    tag_bytes: int
    hash_name: str = ""


#: RFC 7518 §4.4 / §4.6 / §4.8: the curves ECDH-ES is defined on here (P-*, RFC 8037 §3.2).
_ECDH_CURVES = ("P-256", "P-384", "P-521", "X25519", "X448")
_JWE_ROWS = (
    JWEAlgorithm("dir", "dir", ("oct",), direct=True),
    JWEAlgorithm("RSA1_5", "rsa1_5", ("RSA",)),
    JWEAlgorithm("RSA-OAEP", "rsa-oaep", ("RSA",), "sha1"),
    JWEAlgorithm("RSA-OAEP-256", "rsa-oaep", ("RSA",), "sha256"),
    JWEAlgorithm("RSA-OAEP-384", "rsa-oaep", ("RSA",), "sha384"),
    JWEAlgorithm("RSA-OAEP-512", "rsa-oaep", ("RSA",), "sha512"),
    JWEAlgorithm("A128KW", "aes-kw", ("oct",), kek_bytes=16),
    JWEAlgorithm("A192KW", "aes-kw", ("oct",), kek_bytes=24),
    JWEAlgorithm("A256KW", "aes-kw", ("oct",), kek_bytes=32),
    JWEAlgorithm("A128GCMKW", "aes-gcm-kw", ("oct",), kek_bytes=16),
    JWEAlgorithm("A192GCMKW", "aes-gcm-kw", ("oct",), kek_bytes=24),
    JWEAlgorithm("A256GCMKW", "aes-gcm-kw", ("oct",), kek_bytes=32),
    JWEAlgorithm("ECDH-ES", "ecdh-es", ("EC", "OKP"), curves=_ECDH_CURVES, direct=True),
    JWEAlgorithm("ECDH-ES+A128KW", "ecdh-es-kw", ("EC", "OKP"), kek_bytes=16, curves=_ECDH_CURVES),
    JWEAlgorithm("ECDH-ES+A192KW", "ecdh-es-kw", ("EC", "OKP"), kek_bytes=24, curves=_ECDH_CURVES),
    JWEAlgorithm("ECDH-ES+A256KW", "ecdh-es-kw", ("EC", "OKP"), kek_bytes=32, curves=_ECDH_CURVES),
    # The password is an octet sequence (RFC 7518 §4.8.1): an ``oct`` key, or bytes / str.
    JWEAlgorithm("PBES2-HS256+A128KW", "pbes2", ("oct",), "sha256", kek_bytes=16),
    JWEAlgorithm("PBES2-HS384+A192KW", "pbes2", ("oct",), "sha384", kek_bytes=24),
    JWEAlgorithm("PBES2-HS512+A256KW", "pbes2", ("oct",), "sha512", kek_bytes=32),
)
_ENC_ROWS = (
    # RFC 7518 §5.2.3-5.2.5: MAC key and AES key of equal size, 128-bit IV, tag = half the HMAC.
    JWEEncryption("A128CBC-HS256", "aes-cbc-hmac", 32, 16, 16, "sha256"),
    JWEEncryption("A192CBC-HS384", "aes-cbc-hmac", 48, 16, 24, "sha384"),
    JWEEncryption("A256CBC-HS512", "aes-cbc-hmac", 64, 16, 32, "sha512"),
    # RFC 7518 §5.3: a 96-bit IV and a 128-bit tag, exactly.
    JWEEncryption("A128GCM", "aes-gcm", 16, 12, 16),
    JWEEncryption("A192GCM", "aes-gcm", 24, 12, 16),
    JWEEncryption("A256GCM", "aes-gcm", 32, 12, 16),
)

#: JWE ``alg`` name -> row, in RFC order.
JWE_ALGORITHMS: Mapping[str, JWEAlgorithm] = MappingProxyType({r.name: r for r in _JWE_ROWS})
#: JWE ``enc`` name -> row, in RFC order.
ENCRYPTIONS: Mapping[str, JWEEncryption] = MappingProxyType({r.name: r for r in _ENC_ROWS})


def jwe_algorithm(name: object) -> JWEAlgorithm | None:
    """The key-management row for ``name``, or None for an unknown (or non-string) name."""
    return JWE_ALGORITHMS.get(name) if isinstance(name, str) else None


def jwe_encryption(name: object) -> JWEEncryption | None:
    """The content-encryption row for ``name``, or None for an unknown (or non-string) name."""
    return ENCRYPTIONS.get(name) if isinstance(name, str) else None
