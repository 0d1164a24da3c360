"""Backend-neutral key model.

Keys are plain frozen dataclasses of integers and bytes. jwtlite parses every key format itself
(see ``_pem``, ``_der`` and ``jwk``) into these, so every backend receives identical inputs.
``native_cache`` lets a backend keep its own key object next to ours, so repeated use does not
re-import the key; it takes no part in equality or hashing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from .exceptions import InvalidKeyError

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


def _cache() -> dict[str, object]:
    return {}


@dataclass(frozen=True)
class RSAPublicKey:
    """An RSA public key (RFC 8017 §3.1)."""

    n: int
    e: int
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    @property
    def size_bits(self) -> int:
        return self.n.bit_length()

    def public_key(self) -> RSAPublicKey:
        return self


@dataclass(frozen=True)
class RSAPrivateKey:
    """A two-prime RSA private key with its CRT values (RFC 8017 §3.2, second representation)."""

    n: int
    e: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qi: int
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    @property
    def size_bits(self) -> int:
        return self.n.bit_length()

    def public_key(self) -> RSAPublicKey:
        # Cached so a backend's native-key cache on the public half survives repeated verifies.
        public = self.native_cache.get("public")
        if not isinstance(public, RSAPublicKey):
            public = self.native_cache["public"] = RSAPublicKey(self.n, self.e)
        return public


@dataclass(frozen=True)
class ECPublicKey:
    """A point on a short-Weierstrass curve; ``curve`` is the JWK ``crv`` name (``P-256`` ...)."""

    curve: str
    x: int
    y: int
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> ECPublicKey:
        return self


@dataclass(frozen=True)
class ECPrivateKey:
    """An EC private scalar ``d`` with its public point ``(x, y)``."""

    curve: str
    d: int
    x: int
    y: int
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> ECPublicKey:
        public = self.native_cache.get("public")
        if not isinstance(public, ECPublicKey):
            public = self.native_cache["public"] = ECPublicKey(self.curve, self.x, self.y)
        return public


@dataclass(frozen=True)
class OKPPublicKey:
    """An Edwards-curve public key (RFC 8037): ``curve`` is ``Ed25519`` or ``Ed448``."""

    curve: str
    x: bytes
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> OKPPublicKey:
        return self


@dataclass(frozen=True)
class OKPPrivateKey:
    """An Edwards-curve private key: ``d`` is the RFC 8032 seed, ``x`` the public key."""

    curve: str
    d: bytes
    x: bytes
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> OKPPublicKey:
        public = self.native_cache.get("public")
        if not isinstance(public, OKPPublicKey):
            public = self.native_cache["public"] = OKPPublicKey(self.curve, self.x)
        return public


PublicKey = Union[RSAPublicKey, ECPublicKey, OKPPublicKey]
PrivateKey = Union[RSAPrivateKey, ECPrivateKey, OKPPrivateKey]
AsymmetricKey = Union[PublicKey, PrivateKey]


# --- loading and dumping (formats live in _pem, _der, _keyformats and _ssh) -------------------

#: Distinct key inputs whose parsed key is kept. ``decode(token, pem, ...)`` passes the same PEM
#: on every call, so a hit must cost one dict lookup; a service trusts a handful of keys, and the
#: bound keeps a caller that passes many different keys from growing the cache without limit.
LOAD_CACHE_SIZE = 256
#: Largest textual or DER input read. A certificate chain is a few KB; a megabyte is not a key.
MAX_KEY_INPUT = 1 << 20

_KEY_TYPES = (RSAPublicKey, RSAPrivateKey, ECPublicKey, ECPrivateKey, OKPPublicKey, OKPPrivateKey)
_KEY_TYPE_SET = frozenset(_KEY_TYPES)
_FORMATS = {
    # format -> (PEM label of the private form, of the public form); None: not offered.
    "pkcs8": ("PRIVATE KEY", "PUBLIC KEY"),
    "pkcs1": ("RSA PRIVATE KEY", "RSA PUBLIC KEY"),
    "sec1": ("EC PRIVATE KEY", None),
}


def load_key(data: object, *, password: bytes | str | None = None) -> AsymmetricKey:
    """Read a key from any supported encoding into a neutral key object.

    ``data`` may be PEM or DER (PKCS#1, PKCS#8, SPKI, SEC1, an X.509 certificate), an OpenSSH
    public key line, JWK JSON text or a mapping, a ``cryptography`` key object, or a key
    already loaded. Results are cached, so passing the same PEM on every call is cheap.

    Raises:
        InvalidKeyError: the data is malformed, of an unsupported kind, or fails validation.
    """
    # Exact-type tests first: this is the decode hot path, where a tuple isinstance over six
    # classes would cost more than the cache lookup itself.
    kind = type(data)
    if kind in _KEY_TYPE_SET:
        return data  # type: ignore[return-value]
    if (kind is str or kind is bytes) and password is None:
        return _load_cached(data, None)
    if isinstance(data, _KEY_TYPES):
        return data
    secret = _password(password)
    if isinstance(data, (str, bytes)):
        return _load_cached(data, secret)
    if isinstance(data, (bytearray, memoryview)):
        return _load_cached(bytes(data), secret)
    if isinstance(data, Mapping):
        return _from_jwk(data)
    try:
        return _load_object_cached(data)
    except TypeError:  # unhashable: a fresh object on every call, so a cache would not help
        return _from_object(data)


def _password(password: bytes | str | None) -> bytes | None:
    if password is None or isinstance(password, bytes):
        return password
    if isinstance(password, str):
        return password.encode("utf-8")
    raise InvalidKeyError("password must be bytes or str")


def _load_text(data: str | bytes, password: bytes | None) -> AsymmetricKey:
    from ._der import DERError

    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if len(raw) > MAX_KEY_INPUT:
        raise InvalidKeyError(f"key data larger than {MAX_KEY_INPUT} bytes")
    try:
        return _dispatch(raw, password)
    except DERError as exc:
        raise InvalidKeyError(f"malformed key: {exc}") from None


_load_cached = functools.lru_cache(maxsize=LOAD_CACHE_SIZE)(_load_text)


def _dispatch(raw: bytes, password: bytes | None) -> AsymmetricKey:
    from . import _keyformats, _pem, _ssh

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
        from ._json import loads_object
        from .exceptions import DecodeError

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
    try:
        from ._crypto_objects import load_encrypted_pem
    except ImportError:  # pragma: no cover - the module ships with jwtlite
        raise InvalidKeyError(
            "encrypted PEM keys need the optional 'cryptography' package"
        ) from None
    return load_encrypted_pem(pem, password)


def _from_jwk(data: Mapping[str, Any]) -> AsymmetricKey:
    from .jwk import key_from_jwk

    key = key_from_jwk(data)
    if isinstance(key, bytes):
        raise InvalidKeyError("a symmetric ('oct') JWK is not an asymmetric key")
    return key


def _from_object(obj: object) -> AsymmetricKey:
    try:
        from ._crypto_objects import from_cryptography_key
    except ImportError:  # pragma: no cover - the module ships with jwtlite
        key = None
    else:
        key = from_cryptography_key(obj)
    if key is None:
        raise InvalidKeyError(f"unsupported key type: {type(obj).__name__}")
    return key


# Keyed by the object itself: the cache holds a reference, so an id is never reused while cached.
_load_object_cached = functools.lru_cache(maxsize=LOAD_CACHE_SIZE)(_from_object)


def dump_der(key: AsymmetricKey, *, format: str = "pkcs8") -> bytes:
    """DER of ``key``: PKCS#8 (private) or SPKI (public) by default; ``pkcs1`` for RSA and
    ``sec1`` for EC private keys on request.

    Raises:
        InvalidKeyError: ``key`` is not a key, or ``format`` does not apply to it.
    """
    from . import _keyformats

    _labels(key, format)
    if format == "pkcs1" and isinstance(key, (RSAPublicKey, RSAPrivateKey)):
        return _keyformats.pkcs1_der(key)
    if format == "sec1" and isinstance(key, ECPrivateKey):
        return _keyformats.sec1_der(key)
    if isinstance(key, (RSAPrivateKey, ECPrivateKey, OKPPrivateKey)):
        return _keyformats.pkcs8_der(key)
    return _keyformats.spki_der(key)


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
    from ._pem import encode_pem

    return encode_pem(_labels(key, format), dump_der(key, format=format))


def dump_ssh_public(key: AsymmetricKey) -> str:
    """The OpenSSH public key line (``ssh-rsa AAAA...``) of ``key`` or of its public half."""
    from ._ssh import dump_public_line

    if not isinstance(key, _KEY_TYPES):
        raise InvalidKeyError(f"not a jwtlite key: {type(key).__name__}")
    return dump_public_line(key.public_key())


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
        data = bytes(data)
    return _is_key_material_cached(data)


@functools.lru_cache(maxsize=LOAD_CACHE_SIZE)
def _is_key_material_cached(data: bytes) -> bool:
    from . import _der, _keyformats, _pem, _ssh

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
            pass
        else:
            return True
    if (b"ssh-" in text or b"ecdsa-sha2-" in text) and _ssh.is_public_line(text):
        return True
    if text[:1] == b"{":
        from ._json import loads_object
        from .exceptions import DecodeError

        try:
            return "kty" in loads_object(text, "JWK")
        except DecodeError:
            return False
    return False
