"""python-jose's ``jose.jwe``: encrypt and decrypt compact JWE strings, on :mod:`jwtlite.jwe`.

Everything cryptographic is jwtlite's JWE engine: strict parsing under size limits, the key
bound to its algorithm with exact lengths, the tag checked before any plaintext is used,
RSA1_5 with the RFC 7516 §11.5 countermeasure, and inflation of ``zip: "DEF"`` content under a
cap (``jose.constants.JWE_SIZE_LIMIT``, read at each call, as python-jose does since its fix for
CVE-2024-33664). Differences from python-jose, on purpose:

- python-jose's ``decrypt`` takes no allow-lists: the token's ``alg`` and ``enc`` are taken
  from python-jose's supported set (``dir``, RSA1_5, RSA-OAEP, RSA-OAEP-256, A128KW, A192KW,
  A256KW; the six ``enc``), and the key decides among them as for JWS: an RSA key serves only
  the RSA algorithms, octets only ``dir`` and the key wraps of their exact length. A key object
  built for one algorithm (``jwk.construct(key, "A256KW")``) serves only that one, to encrypt
  and to decrypt; one built for a signature algorithm (HS256) serves none.
- ``encrypt`` refuses RSA1_5 (RFC 8725 §3.2: its padding is an oracle waiting to happen); such
  tokens from others are still decrypted.
- ``decrypt`` returns the plaintext or raises; it never returns None.
"""

from __future__ import annotations

from typing import Any

from .. import jwe as _jwe
from .._escape import escape
from .._jwe_limits import JWELimits
from .._jwe_serial import parse
from .._values import utf8
from ..exceptions import DecodeError, JWEParseError, PyJWTError
from . import constants
from .backends.base import Key
from .constants import ALGORITHMS, ZIPS
from .exceptions import JWEError
from .exceptions import JWEParseError as JoseJWEParseError
from .utils import ensure_binary

__all__ = ["decrypt", "encrypt", "get_unverified_header"]

#: python-jose's key management algorithms (``ALGORITHMS.SUPPORTED``, the JWE part).
_KEY_MANAGEMENT = frozenset({ALGORITHMS.DIR} | ALGORITHMS.RSA_KW | ALGORITHMS.AES_KW)
#: Algorithms whose key is octets: a str key is its UTF-8 octets, as in python-jose.
_OCTET_KEYS = frozenset({ALGORITHMS.DIR} | ALGORITHMS.AES_KW)


def encrypt(
    plaintext: bytes | str,
    key: Any,
    encryption: str = ALGORITHMS.A256GCM,
    algorithm: str = ALGORITHMS.DIR,
    zip: str | None = None,
    cty: str | None = None,
    kid: str | None = None,
) -> bytes:
    """The compact JWE of ``plaintext`` for ``key`` (bytes, as python-jose returns it).

    Raises:
        JWEError: an unsupported algorithm, encryption or ``zip``, or a key that does not fit.
    """
    for name in (algorithm, encryption):
        if not isinstance(name, str) or name not in ALGORITHMS.SUPPORTED:
            raise JWEError(f"Algorithm {escape(name)} not supported.")
    if zip is not None and zip != ZIPS.DEF:
        raise JWEError(f"ZIP {escape(zip)} is not supported!")
    headers = {name: value for name, value in (("cty", cty), ("kid", kid)) if value}
    if isinstance(key, Key) and algorithm not in _allowed(key):
        own = escape(getattr(key, "_algorithm", None))
        raise JWEError(f"The key object is built for {own}, not {escape(algorithm)}")
    try:
        token = _jwe.encrypt(
            ensure_binary(plaintext),
            _engine_key(key, algorithm),
            alg=algorithm,
            enc=encryption,
            headers=headers,
            zip=zip,
        )
    except PyJWTError as exc:
        raise JWEError(str(exc)) from exc
    return token.encode("ascii")


def decrypt(jwe_str: str | bytes, key: Any) -> bytes:
    """The plaintext of a compact JWE, once its tag is verified.

    Raises:
        JWEParseError: the JWE is malformed.
        JWEError: it is too large, its algorithms are not supported, the key does not fit,
            or decryption failed (one message for every cryptographic cause).
    """
    limit = constants.JWE_SIZE_LIMIT
    if isinstance(jwe_str, (str, bytes)) and len(jwe_str) > limit:
        raise JWEError(f"JWE string {len(jwe_str)} bytes exceeds {limit} bytes")
    header = get_unverified_header(jwe_str)
    alg, enc = header.get("alg"), header.get("enc")
    if alg is None or enc is None:
        raise JoseJWEParseError("alg and enc headers are required!")
    for name in (alg, enc):
        if not isinstance(name, str) or name not in ALGORITHMS.SUPPORTED:
            raise JWEError(f"Algorithm {escape(name)} not supported.")
    try:
        return _jwe.decrypt(
            jwe_str,
            _engine_key(key, alg),
            algorithms=sorted(_allowed(key)),
            encryptions=sorted(ALGORITHMS.AES_JWE_ENC & ALGORITHMS.SUPPORTED),
            max_token_size=limit,
            max_decompressed_size=limit,
        )
    except JWEParseError as exc:
        if "inflates to more than" in str(exc):
            raise JWEError(f"Decompressed JWE string exceeds {limit} bytes") from exc
        raise JoseJWEParseError(str(exc)) from exc
    except PyJWTError as exc:
        raise JWEError(str(exc)) from exc


def get_unverified_header(jwe_str: str | bytes) -> dict[str, Any]:
    """The protected header of a compact JWE, NOT verified (the other four segments are only
    counted: python-jose reads the header of a JWE whose tag is damaged).

    Raises:
        JWEParseError: the JWE is malformed.
    """
    try:
        raw = jwe_str.encode("ascii") if isinstance(jwe_str, str) else jwe_str
        if not isinstance(raw, bytes) or len(raw) > _LIMITS.max_token_size:
            raise JWEParseError("A compact JWE is str or bytes, under the size limit")
        parts = raw.split(b".")
        if len(parts) != 5:
            raise JWEParseError(f"A compact JWE has 5 segments, this one has {len(parts)}")
        return parse(parts[0] + b"....", _LIMITS).protected
    except (DecodeError, UnicodeEncodeError) as exc:
        raise JoseJWEParseError(str(exc)) from exc


_LIMITS = JWELimits()


def _allowed(key: Any) -> frozenset[str]:
    """The key management algorithms ``key`` may serve: a key object's own (``dir`` for an AES
    key built for a content encryption), else python-jose's set (the key's type and length
    then decide, in jwtlite's key choice).

    Raises:
        JWEError: a key object built for an algorithm that is no JWE one (HS256: a signing
            secret is not an encryption key, RFC 8725 §3.1).
    """
    supported = _KEY_MANAGEMENT & ALGORITHMS.SUPPORTED
    own = getattr(key, "_algorithm", None) if isinstance(key, Key) else None
    if not isinstance(own, str):
        return supported  # not a key object, or a registered class that does not say
    if own in ALGORITHMS.AES_JWE_ENC:
        own = ALGORITHMS.DIR  # the content encryption key itself
    if own not in supported:
        raise JWEError(f"The key object is built for {escape(own)}, not for JWE")
    return frozenset({own})


def _engine_key(key: Any, algorithm: str) -> Any:
    """``key`` in a form jwtlite's JWE engine reads: a face key's own key, and a str key for
    an octet algorithm as its UTF-8 octets (python-jose's reading)."""
    if isinstance(key, Key):
        key = getattr(key, "_key", getattr(key, "prepared_key", key))
    if isinstance(key, str) and algorithm in _OCTET_KEYS:
        return utf8(key, "the key", JWEError)  # python-jose leaks UnicodeEncodeError
    return key
