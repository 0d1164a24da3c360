"""New keys for any supported JWS algorithm, and X25519/X448 keys for JWE's ECDH-ES.

HMAC secrets come straight from :mod:`secrets`, as long as the hash output (RFC 7518 §3.2: "A
key of the same size as the hash output ... or larger MUST be used"). Asymmetric keys come from
the selected backend; on the pure backend RSA primes are drawn from :mod:`secrets` and tested as
FIPS 186-5 Appendix A.1.3 and B.3 require (see ``backends/pure/rsa.py``), and X25519/X448
private keys are random octets (RFC 7748 §6).
"""

from __future__ import annotations

import secrets
from typing import Literal, overload

from . import _jwa
from ._keyformats import XDH_CURVES
from ._keymodel import AsymmetricKey, ECPrivateKey, HMACSecret, OKPPrivateKey, RSAPrivateKey
from .backends import get_backend
from .exceptions import InvalidAlgorithmError, InvalidKeyError

__all__ = ["generate_key"]

#: Largest RSA key generated: key generation time grows with the fourth power of the size.
_RSA_MAX_BITS = 16384
#: RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used with these algorithms."
RSA_DEFAULT_BITS = _jwa.ALGORITHMS["RS256"].keygen


#: Algorithm names by key family, for the overloads of :func:`generate_key`.
HMACName = Literal["HS256", "HS384", "HS512"]
RSAName = Literal["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
ECName = Literal["ES256", "ES384", "ES512", "ES256K"]
OKPName = Literal["EdDSA", "Ed25519", "Ed448"]
#: Key-agreement curves, named by curve: no JWS algorithm uses them (RFC 8037 §3.2).
XDHName = Literal["X25519", "X448"]


#: The largest HMAC secret generated: 8 KiB, many times any hash's block, past which RFC 2104
#: §3 hashes the key anyway (so more bytes add nothing).
_HMAC_MAX_BITS = 65536


@overload
def generate_key(alg: HMACName, *, size: int | None = None) -> bytes: ...
@overload
def generate_key(alg: RSAName, *, size: int | None = None) -> RSAPrivateKey: ...
@overload
def generate_key(alg: ECName, *, size: None = None) -> ECPrivateKey: ...
@overload
def generate_key(alg: OKPName, *, size: None = None) -> OKPPrivateKey: ...
@overload
def generate_key(alg: XDHName, *, size: None = None) -> OKPPrivateKey: ...
@overload
def generate_key(alg: str, *, size: int | None = None) -> AsymmetricKey | bytes: ...


def generate_key(alg: str, *, size: int | None = None) -> AsymmetricKey | bytes:
    """A new random key for the JWS algorithm ``alg``, or for the curve ``X25519`` or ``X448``.

    ``size`` is in bits: for RSA the modulus size (default 2048, at least 2048, a multiple of
    8); for HMAC the secret size (default and minimum: the hash size). Elliptic-curve and
    Edwards keys take the algorithm's curve (``EdDSA`` gives Ed25519) and no ``size``.
    ``X25519`` and ``X448`` are curve names, not algorithms: their keys agree on keys for
    JWE's ECDH-ES (RFC 8037 §3.2) and cannot sign.

    Raises:
        InvalidAlgorithmError: ``alg`` is neither a supported signature algorithm nor
            ``X25519``/``X448``.
        InvalidKeyError: ``size`` is not allowed for ``alg``.

    Example::

        key = generate_key("ES256")
        token = jwtlite.encode({"sub": "me"}, key, algorithm="ES256")
    """
    if not isinstance(alg, str):
        raise InvalidAlgorithmError(f"Algorithm must be a string, not {type(alg).__name__}")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
        raise InvalidKeyError("size must be an integer number of bits")
    row = _jwa.row(alg)
    if row is None and alg in XDH_CURVES:
        if size is not None:
            raise InvalidKeyError(f"{alg} keys have a fixed size; do not pass size")
        return get_backend().generate_okp(alg)
    if row is None or row.family == "none":
        raise InvalidAlgorithmError(f"Cannot generate a key for algorithm {alg!r}")
    if row.kty == "oct":
        minimum = row.min_bits
        bits = minimum if size is None else size
        if bits < minimum or bits % 8:
            raise InvalidKeyError(f"{alg} needs a secret of at least {minimum} bits, in bytes")
        if bits > _HMAC_MAX_BITS:  # size=2**64 asked for that many random bytes
            raise InvalidKeyError(f"{alg} secrets are at most {_HMAC_MAX_BITS} bits")
        return HMACSecret(secrets.token_bytes(bits // 8))
    if row.kty == "RSA":
        bits = int(row.keygen) if size is None else size
        if not row.min_bits <= bits <= _RSA_MAX_BITS or bits % 8:
            raise InvalidKeyError(
                f"RSA keys must be {row.min_bits}-{_RSA_MAX_BITS} bits and a multiple of 8"
            )
        return get_backend().generate_rsa(bits)
    if size is not None:
        raise InvalidKeyError(f"{alg} keys have a fixed size; do not pass size")
    if row.kty == "EC":
        return get_backend().generate_ec(str(row.keygen))
    return get_backend().generate_okp(str(row.keygen))
