"""Loading and dumping keys, and telling key material apart from secrets.

:func:`load_key` reads every encoding jwtlite knows (PEM, DER, OpenSSH lines, JWKs,
``cryptography`` objects) into the neutral key model of ``_keymodel``, whose classes are
re-exported here so ``jwtlite.keys.RSAPublicKey`` and friends keep their import path. The
formats themselves live one layer down (``_pem``, ``_der``, ``_keyformats``, ``_ssh``,
``_jwkformat``); this module only dispatches, caches and validates inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import _der, _hints, _keyformats, _pem, _ssh
from ._cache import BoundedCache, IdentityCache, digest_key
from ._crypto_objects import from_cryptography_key, load_encrypted_pem
from ._json import loads_object
from ._jwkformat import key_from_jwk
from ._keymodel import (
    KEY_TYPES,
    AsymmetricKey,
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    PrivateKey,
    PublicKey,
    RSAPrivateKey,
    RSAPublicKey,
)
from ._rsacheck import check_public, is_roca_modulus, refuse_roca
from ._values import utf8
from .exceptions import DecodeError, InvalidArgumentError, InvalidKeyError

__all__ = [
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
]


# --- loading and dumping (formats live in _pem, _der, _keyformats and _ssh) -------------------

#: Distinct key inputs whose parsed key is kept. ``decode(token, pem, ...)`` passes the same PEM
#: on every call, so a hit must cost one dict lookup; a service trusts a handful of keys, and the
#: bound keeps a caller that passes many different keys from growing the cache without limit.
LOAD_CACHE_SIZE = 256
#: Largest textual or DER input read. A certificate chain is a few KB; a megabyte is not a key.
MAX_KEY_INPUT = 1 << 20

_KEY_TYPES = KEY_TYPES
_KEY_TYPE_SET = frozenset(_KEY_TYPES)
#: Parsed keys by a digest of (input, password): a private PEM or a password is never a key.
#: Each with its ROCA verdict, so a cache hit costs no arithmetic on the modulus.
_TEXT_CACHE: BoundedCache[bytes, tuple[AsymmetricKey, bool]] = BoundedCache(
    "parsed key texts", LOAD_CACHE_SIZE
)
#: Keys converted from ``cryptography`` objects, by the object's identity (held weakly).
_OBJECT_CACHE = IdentityCache("converted cryptography keys", LOAD_CACHE_SIZE)
#: Whether a secret is key material, by its digest (HMAC secrets are never kept).
_MATERIAL_CACHE: BoundedCache[bytes, bool] = BoundedCache("key-material checks", LOAD_CACHE_SIZE)
_FORMATS = {
    # format -> (PEM label of the private form, of the public form); None: not offered.
    "pkcs8": ("PRIVATE KEY", "PUBLIC KEY"),
    "pkcs1": ("RSA PRIVATE KEY", "RSA PUBLIC KEY"),
    "sec1": ("EC PRIVATE KEY", None),
}


def load_key(
    data: object, *, password: bytes | str | None = None, allow_roca: bool = False
) -> AsymmetricKey:
    """Read a key from any supported encoding into a neutral key object.

    ``data`` may be PEM or DER (PKCS#1, PKCS#8, SPKI, SEC1, an X.509 certificate), an OpenSSH
    public key line, JWK JSON text or a mapping, a ``cryptography`` key object, or a key
    already loaded (returned as it is: it was checked when it was loaded). Results are cached,
    so passing the same PEM on every call is cheap.

    An RSA modulus with the ROCA fingerprint (CVE-2017-15361) is refused. ``allow_roca=True``
    loads it anyway, so tokens signed by such a key can still be verified while it is being
    replaced; the backends never sign with it.

    Raises:
        InvalidKeyError: the data is malformed, of an unsupported kind, or fails validation.
    """
    # Exact-type tests first: this is the decode hot path, where a tuple isinstance over six
    # classes would cost more than the cache lookup itself.
    kind = type(data)
    if kind in _KEY_TYPE_SET:
        return data  # type: ignore[return-value]
    if isinstance(data, _KEY_TYPES):
        return data
    key, roca = _load(data, password)
    if roca and not allow_roca and isinstance(key, (RSAPublicKey, RSAPrivateKey)):
        refuse_roca(key.n)
    return key


def _load(data: object, password: bytes | str | None) -> tuple[AsymmetricKey, bool]:
    """The key, and whether it is a ROCA modulus."""
    secret = _password(password)
    if isinstance(data, str):
        return _load_cached(data.encode("utf-8", "replace"), secret)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return _load_cached(bytes(data), secret)
    if isinstance(data, Mapping):
        key = _from_jwk(data)
    else:
        cached = _OBJECT_CACHE.lookup(data)
        if cached is not None:
            key = cached  # type: ignore[assignment]
        else:
            key = _from_object(data)
            _OBJECT_CACHE.store(data, key)
    return key, _vet(key)


def _vet(key: AsymmetricKey) -> bool:
    """RSA bounds (``_rsacheck``) for every source, and the ROCA verdict.

    The parsers checked ``(n, e)`` already; ``cryptography`` objects and encrypted PEMs did not
    pass through them, and the checks are a few comparisons.
    """
    if not isinstance(key, (RSAPublicKey, RSAPrivateKey)):
        return False
    check_public(key.n, key.e)
    return is_roca_modulus(key.n)


def _password(password: bytes | str | None) -> bytes | None:
    if password is None or isinstance(password, bytes):
        return password
    if isinstance(password, str):
        return utf8(password, "password", InvalidKeyError)
    raise InvalidKeyError("password must be bytes or str")


def _load_cached(raw: bytes, password: bytes | None) -> tuple[AsymmetricKey, bool]:
    if len(raw) > MAX_KEY_INPUT:
        raise InvalidKeyError(f"key data larger than {MAX_KEY_INPUT} bytes")
    digest = digest_key(raw, password)
    found = _TEXT_CACHE.get(digest)
    if found is None:
        try:
            key = _dispatch(raw, password)
        except _der.DERError as exc:
            raise InvalidKeyError(f"malformed key: {exc}{_hints.key_text(raw)}") from None
        except InvalidKeyError as exc:
            _hints.append(exc, _hints.key_text(raw))  # escaped line breaks, a file path
            raise
        found = _TEXT_CACHE.put(digest, (key, _vet(key)))
    return found


def _dispatch(raw: bytes, password: bytes | None) -> AsymmetricKey:
    if raw[:1] == b"\x30":  # DER: never strip, whitespace bytes may end a DER key
        if _keyformats.der_shape(raw) == _pem.ENCRYPTED_LABEL:
            return _decrypt(_pem.encode_pem(_pem.ENCRYPTED_LABEL, raw).encode(), password)
        _no_password(password)
        return _keyformats.parse_der(raw)
    text = raw.strip()
    if _pem.has_pem_armour(text):
        block = _pem.find_key_block(text)
        if block.encrypted:
            return _decrypt(text, password)
        _no_password(password)
        if block.label not in _pem.KEY_LABELS:
            raise InvalidKeyError(f"PEM {block.label!r} keys are not supported")
        return _keyformats.PARSERS[_pem.KEY_LABELS[block.label]](block.der)
    _no_password(password)
    if text[:1] == b"{":
        try:
            return _from_jwk(loads_object(text, "JWK"))
        except DecodeError as exc:
            raise InvalidKeyError(str(exc)) from None
    first_word = text.split(None, 1)[0] if text else b""
    if first_word.decode("latin-1") in _ssh.SSH_NAMES:
        return _ssh.parse_public_line(text)
    raise InvalidKeyError(
        "unrecognised key format: expected PEM, DER, an OpenSSH public key line or a JWK"
    )


def _no_password(password: bytes | None) -> None:
    if password is not None:
        raise InvalidKeyError("a password was given but the key is not encrypted")


def _decrypt(pem: bytes, password: bytes | None) -> AsymmetricKey:
    return load_encrypted_pem(pem, password)


def _from_jwk(data: Mapping[str, Any]) -> AsymmetricKey:
    # The ROCA check is load_key's, which knows whether the caller allows such keys.
    key = key_from_jwk(data, allow_roca=True)
    if isinstance(key, bytes):
        raise InvalidKeyError("a symmetric ('oct') JWK is not an asymmetric key")
    return key


def _from_object(obj: object) -> AsymmetricKey:
    key = from_cryptography_key(obj)
    if key is None:
        raise InvalidKeyError(f"unsupported key type: {type(obj).__name__}")
    return key


def dump_der(key: AsymmetricKey, *, format: str = "pkcs8") -> bytes:
    """DER of ``key``: PKCS#8 (private) or SPKI (public) by default; ``pkcs1`` for RSA and
    ``sec1`` for EC private keys on request.

    Raises:
        InvalidKeyError: ``key`` is not a key, or ``format`` does not apply to it.
    """
    _labels(key, format)
    try:
        if format == "pkcs1" and isinstance(key, (RSAPublicKey, RSAPrivateKey)):
            return _keyformats.pkcs1_der(key)
        if format == "sec1" and isinstance(key, ECPrivateKey):
            return _keyformats.sec1_der(key)
        if isinstance(key, (RSAPrivateKey, ECPrivateKey, OKPPrivateKey)):
            return _keyformats.pkcs8_der(key)
        return _keyformats.spki_der(key)
    except OverflowError:
        raise _out_of_range(key) from None


def _out_of_range(key: object) -> InvalidKeyError:
    # The model classes are public and check nothing; a hand-built key whose value does not fit
    # its encoding (an EC coordinate wider than the field, a negative integer) ends here.
    return InvalidKeyError(f"a value of this {type(key).__name__} does not fit its encoding")


def _labels(key: object, format: str) -> str:
    if not isinstance(key, _KEY_TYPES):
        raise InvalidKeyError(f"not a jwtlite key: {type(key).__name__}")
    labels = _FORMATS.get(format)
    private = isinstance(key, (RSAPrivateKey, ECPrivateKey, OKPPrivateKey))
    label = None if labels is None else labels[0 if private else 1]
    wanted = {"pkcs1": (RSAPublicKey, RSAPrivateKey), "sec1": (ECPrivateKey,)}.get(format)
    if label is None or (wanted is not None and not isinstance(key, wanted)):
        raise InvalidKeyError(f"format {format!r} does not apply to {type(key).__name__}")
    return label


def dump_pem(key: AsymmetricKey, *, format: str = "pkcs8") -> str:
    """PEM of ``key`` (RFC 7468), in the same formats as :func:`dump_der`."""
    return _pem.encode_pem(_labels(key, format), dump_der(key, format=format))


def dump_ssh_public(key: AsymmetricKey) -> str:
    """The OpenSSH public key line (``ssh-rsa AAAA...``) of ``key`` or of its public half."""
    if not isinstance(key, _KEY_TYPES):
        raise InvalidKeyError(f"not a jwtlite key: {type(key).__name__}")
    try:
        return _ssh.dump_public_line(key.public_key())
    except OverflowError:
        raise _out_of_range(key) from None


def is_public_key_material(data: bytes | bytearray | str) -> bool:
    """True when ``data`` parses as a key or certificate in any encoding jwtlite knows.

    Used to refuse key material as an HMAC secret (the algorithm-confusion attacks of
    CVE-2017-11424, CVE-2022-29217 and CVE-2024-33663). Detection is by parsing: PEM blocks with
    a key or certificate label, OpenSSH public key lines, DER key structures and certificates,
    and JSON objects with a ``kty`` member. Private keys count too.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    elif not isinstance(data, bytes):
        if not isinstance(data, (bytearray, memoryview)):  # bytes(10**20) would allocate
            raise InvalidArgumentError(f"expected bytes or str, not {type(data).__name__}")
        data = bytes(data)
    digest = digest_key(data)
    found = _MATERIAL_CACHE.get(digest)
    if found is None:
        found = _MATERIAL_CACHE.put(digest, _is_key_material(data))
    return found


def _is_key_material(data: bytes) -> bool:
    if data[:1] == b"\x30" and _keyformats.der_shape(data) is not None:
        try:
            _der.check_tree(data)
        except _der.DERError:
            pass
        else:
            return True
    text = data.strip()
    if _pem.has_pem_armour(text):
        try:
            _pem.find_key_block(text)
        except InvalidKeyError:
            # PEM whose line breaks were escaped on the way (an environment variable) is still
            # someone's key: never a secret, even though it cannot be read as it is.
            if _hints.is_escaped_pem(text):
                return True
        else:
            return True
    if (b"ssh-" in text or b"ecdsa-sha2-" in text) and _ssh.is_public_line(text):
        return True
    if text[:1] == b"{":
        try:
            return "kty" in loads_object(text, "JWK")
        except DecodeError:
            return False
    return False
