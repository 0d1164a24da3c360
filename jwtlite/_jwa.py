"""THE JWA table: one row per JWS algorithm, and the one rule that binds a key to a row.

Every other module reads this table; no other module writes down an algorithm's family, hash,
curve or key type. Adding an algorithm is one row here plus its backend operation.

Sources: RFC 7518 §3.1 (HS*, RS*, ES*, PS*, none), RFC 8037 §3.1 (EdDSA), RFC 8812 §3.2
(ES256K) and RFC 9864 §2 (the fully specified Ed25519 and Ed448).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from .exceptions import UnsupportedHashError

__all__ = [
    "ALGORITHMS",
    "JWA",
    "SIGNATURE_HASHES",
    "curve_algorithm",
    "custom_row",
    "row",
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
    key_desc = f"{kty} {curve}" if curve else str(kty)
    if curve in _AGREEMENT_CURVES:
        return (
            f"a {key_desc} key cannot be used for {alg.name}: {curve} is for key agreement "
            "(JWE ECDH-ES, RFC 8037 §3.2), not for signatures"
        )
    return f"a {key_desc} key cannot be used for {alg.name}"
