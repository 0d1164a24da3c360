"""JWK conversion: strict import and export of single keys (RFC 7517, RFC 7518 §6, RFC 8037).

Import is strict because a JWK is often fetched from the network: every member is type-checked,
sizes are exact, EC points must lie on the curve, private values must match the public ones, and
nothing but a jwtlite exception ever leaves :func:`key_from_jwk`, whatever the dict holds. The
value checks are the ones PEM/DER loading uses (``_keyformats``); the RSA size policy (2048
bits, RFC 7518 §3.3) is applied by the algorithms, as for every other key source.

Base64urlUInt (RFC 7518 §6.1) "MUST utilize the minimum number of octets": RSA members with a
leading zero octet are refused. Every RSA JWK in RFC 7520 and in Project Wycheproof is minimal
(the tests import them all), and accepting two spellings of one key would give one key two
RFC 7638 thumbprints. EC ``x``, ``y`` and ``d`` are the opposite: fixed-width octet strings of
the full field size (RFC 7518 §6.2.1.2, §6.2.2.1), so their leading zeros are required.

This module is a key format, like PEM: :mod:`jwtlite.jwk` builds ``PyJWK``/``PyJWKSet`` and key
selection on it, and :func:`jwtlite.keys.load_key` reads JWKs through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Union

from . import _jwa
from ._curves import CURVES
from ._escape import escape
from ._keyformats import (
    OKP_SIZES,
    XDH_CURVES,
    check_curve,
    ec_private,
    ec_public_xy,
    okp_private,
    okp_public,
    rsa_private,
    rsa_public,
)
from ._keymodel import (
    AsymmetricKey,
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    RSAPrivateKey,
    RSAPublicKey,
    thumbprint_of,
)
from ._rsacheck import recover_primes, refuse_roca
from ._values import utf8
from .b64url import b64_to_uint, b64url_decode, b64url_encode, uint_to_b64
from .exceptions import DecodeError, InvalidKeyError

__all__ = [
    "ALGORITHM_KEY_TYPES",
    "JWKKey",
    "check_alg_fits",
    "check_key_ops",
    "key_from_jwk",
    "peer_key_from_jwk",
    "key_members",
    "key_to_jwk",
]

#: What :func:`key_from_jwk` returns: a neutral asymmetric key, or the octets of an ``oct`` key.
JWKKey = Union[AsymmetricKey, bytes]

#: JWS algorithm -> (kty, allowed crv values or None): a view of the JWA table, kept for
#: callers of the earlier ``jwtlite.jwk.ALGORITHM_KEY_TYPES``.
ALGORITHM_KEY_TYPES: Mapping[str, tuple[str, frozenset[str] | None]] = {
    r.name: (r.kty, frozenset(r.curves) if r.curves else None)
    for r in _jwa.ALGORITHMS.values()
    if r.kty
}

#: Longest base64url member accepted: a 16384-bit RSA modulus is 2731 characters. Bounding
#: the text first keeps hostile JWKs from costing more than a few bytes of arithmetic each.
_MAX_B64_CHARS = 4096
_RSA_CRT = ("p", "q", "dp", "dq", "qi")

# --- member access ----------------------------------------------------------------------------


def _str_member(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        what = "missing" if value is None else f"not a string ({type(value).__name__})"
        # PyJWT's text for kty/crv, without the JWK itself: it may hold private key material.
        prefix = f"{name} is not found: " if value is None and name in ("kty", "crv") else ""
        raise InvalidKeyError(f'{prefix}JWK member "{name}" is {what}')
    return value


def _octets(data: Mapping[str, Any], name: str, size: int | None = None) -> bytes:
    text = _str_member(data, name)
    if len(text) > _MAX_B64_CHARS:
        raise InvalidKeyError(f'JWK member "{name}" is too long')
    try:
        raw = b64url_decode(text)
    except DecodeError as exc:
        raise InvalidKeyError(f'JWK member "{name}": {exc}') from None
    if size is not None and len(raw) != size:
        raise InvalidKeyError(f'JWK member "{name}" must be {size} octets, got {len(raw)}')
    return raw


def _uint(data: Mapping[str, Any], name: str) -> int:
    text = _str_member(data, name)
    if len(text) > _MAX_B64_CHARS:
        raise InvalidKeyError(f'JWK member "{name}" is too long')
    try:
        return b64_to_uint(text)
    except DecodeError as exc:
        raise InvalidKeyError(f'JWK member "{name}": {exc}') from None


def _check_metadata(data: Mapping[str, Any]) -> None:
    """RFC 7517 §4.2-4.5: the optional members, when present, have the right JSON types."""
    for name in ("kid", "use", "alg"):
        if name in data and not isinstance(data[name], str):
            raise InvalidKeyError(f'JWK member "{name}" must be a string')
    if "key_ops" in data:
        check_key_ops(data["key_ops"])


def check_key_ops(ops: Any) -> list[str]:
    # RFC 7517 §4.3: an array of strings; "Duplicate key operation values MUST NOT be present".
    if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
        raise InvalidKeyError('JWK member "key_ops" must be an array of strings')
    if len(set(ops)) != len(ops):
        raise InvalidKeyError('JWK member "key_ops" has duplicate values')
    return list(ops)


# --- import -------------------------------------------------------------------------------------


def key_from_jwk(data: Mapping[str, Any], *, allow_roca: bool = False) -> JWKKey:
    """Import one JWK as a neutral key (or ``bytes`` for ``kty: oct``).

    Metadata (``kid``, ``use``, ``key_ops``, ``alg``) is type-checked here but enforced by
    :func:`resolve_key`, which knows the operation and algorithm. An RSA modulus with the
    ROCA fingerprint (CVE-2017-15361) is refused unless ``allow_roca`` is true; even then such
    a key only verifies, the backends never sign with it.

    Raises:
        InvalidKeyError: for anything malformed, inconsistent or unsupported.
    """
    if type(data) is not dict and not isinstance(data, Mapping):
        raise InvalidKeyError(f"A JWK must be a JSON object, not {type(data).__name__}")
    _check_metadata(data)
    kty = _str_member(data, "kty")
    parser = _PARSERS.get(kty)
    if parser is None:
        raise InvalidKeyError(f"Unsupported kty: {escape(kty, 40)}")  # PyJWT's text
    key = parser(data)
    if not allow_roca and isinstance(key, (RSAPublicKey, RSAPrivateKey)):
        refuse_roca(key.n)
    return key


def peer_key_from_jwk(data: Mapping[str, Any]) -> ECPublicKey | OKPPublicKey:
    """A peer's public key for one key agreement: a JWE ``epk`` (RFC 7518 §4.6.1.1), which is
    an EC key or an X25519/X448 key (RFC 8037 §3.2), never a private one.

    Members are checked as :func:`key_from_jwk` checks them (types, exact sizes, an EC point
    on its curve: the invalid-curve attack is stopped here, and again by ``backend.ecdh`` on
    both backends); only what a peer's key cannot hold is skipped (metadata, private parts).

    Raises:
        InvalidKeyError: anything else.
    """
    if type(data) is not dict and not isinstance(data, Mapping):
        raise InvalidKeyError(f"A JWK must be a JSON object, not {type(data).__name__}")
    if "d" in data:
        raise InvalidKeyError("A key agreement's public key must not hold a private member")
    kty, crv = _str_member(data, "kty"), _str_member(data, "crv")
    if kty == "EC" and crv in CURVES:
        return _ec_public_from_jwk(data, crv, CURVES[crv].size)
    if kty == "OKP" and crv in XDH_CURVES:
        return okp_public(crv, _octets(data, "x", OKP_SIZES[crv]))
    raise InvalidKeyError(f"Not a key-agreement key: {escape(kty, 20)} {escape(crv, 20)}")


def _oct_from_jwk(data: Mapping[str, Any]) -> bytes:
    secret = _octets(data, "k")
    if not secret:
        raise InvalidKeyError("HMAC key must not be empty.")  # PyJWT's text
    return secret


def _rsa_from_jwk(data: Mapping[str, Any]) -> RSAPublicKey | RSAPrivateKey:
    public = rsa_public(_uint(data, "n"), _uint(data, "e"))
    if "oth" in data:
        # RFC 7518 §6.3.2.7: multi-prime keys; jwtlite's key model is two-prime only.
        raise InvalidKeyError('RSA JWK with "oth" (more than two primes) is not supported')
    present = [name for name in _RSA_CRT if name in data]
    if "d" not in data:
        if present:
            raise InvalidKeyError(f"RSA JWK has {', '.join(present)} but no d")
        return public
    n, e, d = public.n, public.e, _uint(data, "d")
    if len(present) == len(_RSA_CRT):
        crt = {name: _uint(data, name) for name in _RSA_CRT}
        return rsa_private(n=n, e=e, d=d, **crt)
    if present:
        # RFC 7518 §6.3.2: "If the producer includes any of the other private key parameters,
        # then all of the others MUST be present".
        missing = ", ".join(name for name in _RSA_CRT if name not in data)
        raise InvalidKeyError(f"RSA JWK has some CRT members but not {missing}")
    # Only n, e and d: recover p and q in microseconds, or refuse (``_rsacheck``).
    p, q = recover_primes(n, e, d)
    try:
        qi = pow(q, -1, p)
    except ValueError:  # pragma: no cover - p and q are distinct primes whose product is n
        raise InvalidKeyError("RSA JWK private exponent d does not match n and e") from None
    return rsa_private(n=n, e=e, d=d, p=p, q=q, dp=d % (p - 1), dq=d % (q - 1), qi=qi)


def _ec_from_jwk(data: Mapping[str, Any]) -> ECPublicKey | ECPrivateKey:
    crv = _str_member(data, "crv")
    curve = CURVES.get(crv)
    if curve is None:
        raise InvalidKeyError(f"Unsupported crv: {escape(crv, 40)}")
    if "d" not in data:
        return _ec_public_from_jwk(data, crv, curve.size)
    point = b"\x04" + _octets(data, "x", curve.size) + _octets(data, "y", curve.size)
    # RFC 7518 §6.2.2.1: d "MUST be ceiling(log-base-2(n)/8) octets" (= the coordinate size).
    d = int.from_bytes(_octets(data, "d", curve.size), "big")
    return ec_private(crv, d, point)


def _ec_public_from_jwk(data: Mapping[str, Any], crv: str, size: int) -> ECPublicKey:
    # RFC 7518 §6.2.1.2: "the full coordinate size ... even if leading zero octets". Every
    # curve here has cofactor 1, so a point on the curve is in the prime-order group: the
    # on-curve check alone stops invalid-curve attacks.
    x, y = _octets(data, "x", size), _octets(data, "y", size)
    return ec_public_xy(crv, int.from_bytes(x, "big"), int.from_bytes(y, "big"))


def _okp_from_jwk(data: Mapping[str, Any]) -> OKPPublicKey | OKPPrivateKey:
    crv = _str_member(data, "crv")
    # RFC 8037 §2: Ed25519/Ed448 sign (JWS); X25519/X448 agree on keys (JWE's ECDH-ES).
    size = OKP_SIZES.get(crv)
    if size is None:
        raise InvalidKeyError(
            f"Unsupported crv: {escape(crv, 40)} (OKP curves: Ed25519, Ed448, X25519, X448)"
        )
    x = _octets(data, "x", size)
    if "d" not in data:
        return okp_public(crv, x)
    return okp_private(crv, _octets(data, "d", size), x)


_PARSERS: dict[str, Callable[[Mapping[str, Any]], JWKKey]] = {
    "oct": _oct_from_jwk,
    "RSA": _rsa_from_jwk,
    "EC": _ec_from_jwk,
    "OKP": _okp_from_jwk,
}


# --- export ------------------------------------------------------------------------------------


def key_members(key: Any, include_private: bool) -> dict[str, str]:
    """The key-material members of ``key`` (RFC 7518 §6, RFC 8037 §2), public ones first."""
    check_curve(key)
    if isinstance(key, (RSAPublicKey, RSAPrivateKey)):
        out = {"kty": "RSA", "n": uint_to_b64(key.n), "e": uint_to_b64(key.e)}
        if include_private and isinstance(key, RSAPrivateKey):
            for name in ("d", "p", "q", "dp", "dq", "qi"):
                out[name] = uint_to_b64(getattr(key, name))
        return out
    if isinstance(key, (ECPublicKey, ECPrivateKey)):
        size = CURVES[key.curve].size
        out = {"kty": "EC", "crv": key.curve}
        out.update(x=uint_to_b64(key.x, size), y=uint_to_b64(key.y, size))
        if include_private and isinstance(key, ECPrivateKey):
            out["d"] = uint_to_b64(key.d, size)
        return out
    if isinstance(key, (OKPPublicKey, OKPPrivateKey)):
        out = {"kty": "OKP", "crv": key.curve, "x": b64url_encode(key.x)}
        if include_private and isinstance(key, OKPPrivateKey):
            out["d"] = b64url_encode(key.d)
        return out
    if isinstance(key, (bytes, bytearray, str)):
        if not include_private:
            raise InvalidKeyError("A symmetric (oct) key has no public part to export")
        secret = utf8(key, "the key", InvalidKeyError) if isinstance(key, str) else bytes(key)
        return {"kty": "oct", "k": b64url_encode(secret)}
    raise InvalidKeyError(f"Cannot export {type(key).__name__} as a JWK")


def key_to_jwk(
    key: Any,
    *,
    kid: str | bool | None = None,
    alg: str | None = None,
    use: str | None = None,
    key_ops: list[str] | None = None,
    include_private: bool = True,
) -> dict[str, Any]:
    """Export a neutral key (or ``bytes``/``str`` secret, as ``oct``) as a JWK dict.

    ``kid=True`` sets the kid to the key's RFC 7638 SHA-256 thumbprint. ``include_private=False``
    exports only the public part (refused for ``oct``). A known JWS ``alg`` must suit the key.

    Raises:
        InvalidKeyError: for an unsupported key or inconsistent metadata.
    """
    members = key_members(key, include_private)
    out: dict[str, Any] = {"kty": members.pop("kty")}
    if kid is True:
        # key_members() above has refused a str that is not valid UTF-8
        out["kid"] = thumbprint_of(key.encode("utf-8") if isinstance(key, str) else key)
    elif isinstance(kid, str):
        out["kid"] = kid
    elif kid is not None and kid is not False:
        raise InvalidKeyError("kid must be a string, True (thumbprint) or None")
    if use is not None:
        out["use"] = use
    if key_ops is not None:
        out["key_ops"] = check_key_ops(key_ops)
    if alg is not None:
        check_alg_fits(alg, out["kty"], members.get("crv"))
        out["alg"] = alg
    _check_metadata(out)
    out.update(members)
    return out


def check_alg_fits(alg: str, kty: str, crv: str | None) -> None:
    """A known signature ``alg`` must match the key type and curve; other names pass through
    (RFC 7520 §3.6 labels an oct key ``A256GCM``)."""
    if not isinstance(alg, str):
        raise InvalidKeyError('JWK member "alg" must be a string')
    row = _jwa.row(alg)
    if row is None or row.family == "none":
        return
    if not row.fits(kty, crv):
        raise InvalidKeyError(f"{alg} cannot be used with {_jwa.key_phrase(kty, crv)}")
