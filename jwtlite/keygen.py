"""New keys for any supported JWS algorithm.

HMAC secrets come straight from :mod:`secrets`, as long as the hash output (RFC 7518 §3.2: "A
key of the same size as the hash output ... or larger MUST be used"). Asymmetric keys come from
the selected backend; on the pure backend RSA primes are drawn from :mod:`secrets` and tested as
FIPS 186-5 Appendix A.1.3 and B.3 require (see ``backends/pure/rsa.py``).
"""

from __future__ import annotations

import secrets

from .backends import get_backend
from .exceptions import InvalidAlgorithmError, InvalidKeyError
from .keys import AsymmetricKey

__all__ = ["generate_key"]

_HMAC_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
_RSA_ALGS = frozenset(f"{f}{b}" for f in ("RS", "PS") for b in (256, 384, 512))
_EC_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}
_OKP_CURVES = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "Ed448": "Ed448"}
#: RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used with these algorithms."
RSA_DEFAULT_BITS = 2048
_RSA_MAX_BITS = 16384


def generate_key(alg: str, *, size: int | None = None) -> AsymmetricKey | bytes:
    """A new random key for the JWS algorithm ``alg``.

    ``size`` is in bits: for RSA the modulus size (default 2048, at least 2048, a multiple of
    8); for HMAC the secret size (default and minimum: the hash size). Elliptic-curve and
    Edwards keys take the algorithm's curve (``EdDSA`` gives Ed25519) and no ``size``.

    Raises:
        InvalidAlgorithmError: ``alg`` is not a supported signature algorithm.
        InvalidKeyError: ``size`` is not allowed for ``alg``.

    Example::

        key = generate_key("ES256")
        token = jwtlite.encode({"sub": "me"}, key, algorithm="ES256")
    """
    if not isinstance(alg, str):
        raise InvalidAlgorithmError(f"Algorithm must be a string, not {type(alg).__name__}")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
        raise InvalidKeyError("size must be an integer number of bits")
    if alg in _HMAC_BYTES:
        minimum = _HMAC_BYTES[alg] * 8
        bits = minimum if size is None else size
        if bits < minimum or bits % 8:
            raise InvalidKeyError(f"{alg} needs a secret of at least {minimum} bits, in bytes")
        return secrets.token_bytes(bits // 8)
    if alg in _RSA_ALGS:
        bits = RSA_DEFAULT_BITS if size is None else size
        if not RSA_DEFAULT_BITS <= bits <= _RSA_MAX_BITS or bits % 8:
            raise InvalidKeyError(
                f"RSA keys must be {RSA_DEFAULT_BITS}-{_RSA_MAX_BITS} bits and a multiple of 8"
            )
        return get_backend().generate_rsa(bits)
    if size is not None and (alg in _EC_CURVES or alg in _OKP_CURVES):
        raise InvalidKeyError(f"{alg} keys have a fixed size; do not pass size")
    if alg in _EC_CURVES:
        return get_backend().generate_ec(_EC_CURVES[alg])
    if alg in _OKP_CURVES:
        return get_backend().generate_okp(_OKP_CURVES[alg])
    raise InvalidAlgorithmError(f"Cannot generate a key for algorithm {alg!r}")
