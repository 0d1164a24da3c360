"""Algorithm objects for the rows of the JWA table (``_jwa``): algorithm name -> Algorithm.

Algorithm objects have PyJWT's shape (``prepare_key``, ``sign``, ``verify``, ``to_jwk``,
``from_jwk``) and are immutable. HMAC runs on the standard library; every other family calls the
selected backend (:func:`jwtlite.backends.get_backend`) with jwtlite's neutral key objects.

``prepare_key`` binds a key to the algorithm's family *before* any cryptography runs
(RFC 8725 §3.1 and §2.1): an RSA key never verifies ES256, a P-384 key never verifies ES256, and
asymmetric key material is never accepted as an HMAC secret (CVE-2017-11424, CVE-2022-29217,
CVE-2024-33663). Such a mismatch raises :class:`UnusableKeyError`: an InvalidKeyError that is
also an InvalidTokenError, since when decoding it is the token's ``alg`` that chose it.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
from collections.abc import Mapping
from functools import partial
from types import MappingProxyType
from typing import Any, Callable, ClassVar

from . import _hints, _hmac_guard, _jwa
from ._cache import IdentityCache
from ._escape import escape
from ._json import dumps, loads_object
from ._jwkformat import key_from_jwk, key_to_jwk
from ._keymodel import KEY_TYPES, PRIVATE_KEY_TYPES, key_curve, key_kty
from ._values import octets, utf8
from .backends import get_backend
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    PrivateKeyRequiredError,
    UnusableKeyError,
)
from .keys import is_public_key_material, load_key

__all__ = [
    "Algorithm",
    "ECAlgorithm",
    "HMACAlgorithm",
    "NoneAlgorithm",
    "OKPAlgorithm",
    "RSAAlgorithm",
    "RSAPSSAlgorithm",
    "default_algorithms",
    "get_algorithm_by_name",
    "has_crypto",
    "requires_cryptography",
]


def _cryptography_installed() -> bool:
    # find_spec looks for the package without importing it: importing jwtlite never imports
    # cryptography (DESIGN.md), yet code written for PyJWT reads ``jwt.algorithms.has_crypto``.
    try:
        return importlib.util.find_spec("cryptography") is not None
    except (ImportError, ValueError):  # a broken or half-removed installation
        return False


#: Whether the optional ``cryptography`` package is installed (PyJWT's name). jwtlite runs
#: every algorithm without it; the flag tells PyJWT-era code that keys it is handed back may
#: be ``cryptography`` objects.
has_crypto: bool = _cryptography_installed()

#: PyJWT's set of the algorithm names that need ``cryptography`` there: every asymmetric
#: algorithm, including its ``ES521`` alias of ES512. jwtlite implements them all without it.
requires_cryptography: frozenset[str] = frozenset(
    {"RS256", "RS384", "RS512", "ES256", "ES256K", "ES384", "ES521", "ES512",
     "PS256", "PS384", "PS512", "EdDSA"}
)  # fmt: skip

#: RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used with these algorithms."
RSA_MIN_BITS = _jwa.ALGORITHMS["RS256"].min_bits
#: Floor when a caller explicitly allows legacy keys for *verification* only.
RSA_LEGACY_MIN_BITS = 1024

#: A verification with its key bound: ``verifier(signing_input, signature) -> bool``.
Verifier = Callable[[bytes, bytes], bool]

#: HMAC secrets already checked, by the identity of the object the caller passed (never by
#: the secret's value), shared by the HMAC algorithms of every table.
_HMAC_SECRETS = IdentityCache("checked HMAC secrets", 256)


_IPAD = bytes(byte ^ 0x36 for byte in range(256))  # RFC 2104 §2, as translate() tables
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


def keyed_hmac(secret: bytes, hash_name: str) -> Callable[[bytes], bytes]:
    """HMAC (RFC 2104 §2) under one key: ``H(K ^ opad || H(K ^ ipad || text))``, with the two
    key blocks hashed once, here, and copied for each text. Equal to ``hmac.digest(secret,
    text, hash_name)``; for a key that verifies many tokens it saves the key schedule (about
    1 µs of an HS256 decode)."""
    block_size = hashlib.new(hash_name).block_size
    if len(secret) > block_size:
        secret = hashlib.new(hash_name, secret).digest()
    padded = secret.ljust(block_size, b"\0")
    inner = hashlib.new(hash_name, padded.translate(_IPAD))
    outer = hashlib.new(hash_name, padded.translate(_OPAD))

    def mac(text: bytes) -> bytes:
        digest = inner.copy()
        digest.update(text)
        result = outer.copy()
        result.update(digest.digest())
        return result.digest()

    return mac


def _to_neutral(key: Any) -> Any:
    """Resolve any accepted key form to a neutral key (``load_key`` caches the parse)."""
    inner = getattr(key, "key", None)  # PyJWK carries its parsed key in ``.key``
    if isinstance(inner, KEY_TYPES):
        return inner
    return load_key(key)


def _jwk_output(key: Any, as_dict: bool) -> Any:
    data = key_to_jwk(key)
    return data if as_dict else dumps(data).decode("utf-8")


class Algorithm:
    """Base class: one JWS ``alg`` value with PyJWT's method names."""

    name: str = ""
    #: Key family this algorithm accepts: "oct", "RSA", "EC" or "OKP" (RFC 7518 §6.1).
    kty: str = ""
    hash_name: str = ""

    def prepare_key(self, key: Any) -> Any:
        """Normalise and type-check ``key`` for this algorithm; raise InvalidKeyError."""
        raise NotImplementedError

    def sign(self, msg: bytes, key: Any) -> bytes:
        """Sign ``msg``; ``key`` may be raw or already prepared."""
        raise NotImplementedError

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        """True when ``sig`` is valid for ``msg``; never raises for a bad signature."""
        raise NotImplementedError

    def check_key_length(self, key: Any) -> str | None:
        """A warning text when ``key`` is shorter than this algorithm wants, else None."""
        return None

    def _verifier(self, prepared: Any) -> Verifier:
        """:meth:`verify` with ``prepared`` (a result of :meth:`prepare_key`) bound, for a
        key that verifies many tokens. The built-in classes do their per-key work here, once;
        the answers are exactly :meth:`verify`'s. Callers use it only on an instance of a
        built-in class itself (:data:`BINDABLE`): a subclass may override ``verify``."""
        return lambda msg, sig: self.verify(msg, prepared, sig)

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        """The algorithm's hash of ``bytestr`` (PyJWT compatibility; used for at_hash etc.)."""
        if not self.hash_name:
            raise InvalidAlgorithmError(f"{self.name} has no hash function")
        return hashlib.new(self.hash_name, octets(bytestr, "bytestr")).digest()

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        """Export an asymmetric key (any form ``load_key`` reads) as a JWK: JSON text, or a
        dict with ``as_dict``. :class:`HMACAlgorithm` overrides this for secrets."""
        return _jwk_output(_to_neutral(key_obj), as_dict)

    #: The JWK ``kty`` that :meth:`from_jwk` accepts ("" for any) and PyJWT's text otherwise.
    _jwk_kty: ClassVar[str] = ""
    _not_my_kty: ClassVar[str] = ""

    @classmethod
    def from_jwk(cls, jwk: str | Mapping[str, Any]) -> Any:
        """Import a JWK (JSON text or dict) as a key this library can use.

        Raises:
            InvalidKeyError: the text is not a JSON object, or the JWK's ``kty`` is not this
                algorithm's (PyJWT's texts: "Key is not valid JSON", "Not an RSA key", ...).
        """
        if isinstance(jwk, str):
            try:
                data: Mapping[str, Any] = loads_object(jwk.encode("utf-8", "replace"), "JWK")
            except DecodeError as exc:
                raise InvalidKeyError("Key is not valid JSON") from exc
        elif isinstance(jwk, Mapping):
            data = jwk
        else:
            raise InvalidKeyError("Key is not valid JSON")
        if cls._jwk_kty and data.get("kty") != cls._jwk_kty:
            raise InvalidKeyError(cls._not_my_kty)
        return key_from_jwk(data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class NoneAlgorithm(Algorithm):
    """``none`` (RFC 7518 §3.6): produces an empty signature and never verifies anything."""

    name = "none"

    def prepare_key(self, key: Any) -> None:
        if key not in (None, "", b""):
            raise InvalidKeyError('When alg = "none", key value must be None.')

    def sign(self, msg: bytes, key: Any) -> bytes:
        self.prepare_key(key)
        return b""

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        return False


class HMACAlgorithm(Algorithm):
    """HS256/384/512 (RFC 7518 §3.2) on the standard library's ``hmac``."""

    _jwk_kty = "oct"
    _not_my_kty = "Not an HMAC key"

    def __init__(self, name: str, hash_name: str | None = None) -> None:
        row = _jwa.custom_row(name, "hmac", hash_name=hash_name)
        self.name = name
        self.kty = row.kty
        self.hash_name = row.hash_name
        self.digest_size = hashlib.new(self.hash_name).digest_size

    def prepare_key(self, key: Any) -> bytes:
        secret = _HMAC_SECRETS.lookup(key)
        if secret is not None:
            return secret  # type: ignore[return-value]
        secret = self._secret_bytes(key)
        if isinstance(key, (str, bytes)):
            _HMAC_SECRETS.store(key, secret)
            _HMAC_SECRETS.store(secret, secret)  # a prepared key passed back in is a hit too
        return secret

    def _secret_bytes(self, key: Any) -> bytes:
        if isinstance(key, str):
            secret = utf8(key, "the HMAC secret", InvalidKeyError)
        elif isinstance(key, (bytes, bytearray, memoryview)):
            secret = bytes(key)
        else:
            inner = getattr(key, "key", None)  # a PyJWK of kty "oct"
            if isinstance(inner, bytes):
                return self._secret_bytes(inner)
            raise UnusableKeyError(
                f"{self.name} needs a secret as str or bytes, not {type(key).__name__}"
            )
        if not secret:
            raise InvalidKeyError(f"{self.name} secret must not be empty")
        refused = _hmac_guard.refusal(secret)
        if refused is not None:
            raise UnusableKeyError(refused + _hints.key_text(secret))
        if is_public_key_material(secret):
            raise UnusableKeyError(
                "The specified key is an asymmetric key or x509 certificate and"
                " should not be used as an HMAC secret." + _hints.key_text(secret)
            )
        return secret

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        """Export an HMAC secret (str or bytes) as an ``oct`` JWK."""
        if isinstance(key_obj, str):
            key_obj = utf8(key_obj, "the HMAC secret", InvalidKeyError)
        # PyJWT raises TypeError for a secret of another type: InvalidArgumentError is one.
        return _jwk_output(octets(key_obj, "the HMAC secret"), as_dict)

    def check_key_length(self, key: Any) -> str | None:
        secret = key if isinstance(key, bytes) else self.prepare_key(key)
        size = len(secret)
        if size < self.digest_size:
            return (
                f"The HMAC key is {size} bytes long, which is below the minimum recommended"
                f" length of {self.digest_size} bytes for {self.hash_name.upper()}."
                " See RFC 7518 Section 3.2." + _hints.key_text(secret)
            )
        return None

    def sign(self, msg: bytes, key: Any) -> bytes:
        return hmac.digest(self.prepare_key(key), octets(msg, "msg"), self.hash_name)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        mac = hmac.digest(self.prepare_key(key), octets(msg, "msg"), self.hash_name)
        return hmac.compare_digest(mac, octets(sig, "sig"))

    def _verifier(self, prepared: Any) -> Verifier:
        mac = keyed_hmac(prepared, self.hash_name)
        return lambda msg, sig: hmac.compare_digest(mac(msg), sig)


class _AsymmetricAlgorithm(Algorithm):
    """A public-key algorithm: keys are bound to its JWA row before any cryptography runs."""

    def __init__(self, row: _jwa.JWA) -> None:
        self.name = row.name
        self._row = row
        self.kty = row.kty
        self.hash_name = row.hash_name

    def prepare_key(self, key: Any) -> Any:
        resolved = _to_neutral(key)
        reason = _jwa.unfit_reason(self._row, key_kty(resolved), key_curve(resolved))
        if reason is not None:
            raise UnusableKeyError(reason)
        return resolved

    def _private_key(self, key: Any) -> Any:
        prepared = self.prepare_key(key)
        if not isinstance(prepared, PRIVATE_KEY_TYPES):
            raise PrivateKeyRequiredError(f"{self.name} signing needs a private key")
        return prepared

    def _public_key(self, key: Any) -> Any:
        return self.prepare_key(key).public_key()


class RSAAlgorithm(_AsymmetricAlgorithm):
    """RS256/384/512: RSASSA-PKCS1-v1_5 (RFC 7518 §3.3)."""

    _family: ClassVar[str] = "rsa-pkcs1"
    _jwk_kty = "RSA"
    _not_my_kty = "Not an RSA key"

    def __init__(
        self, name: str, hash_name: str | None = None, *, min_bits: int | None = None
    ) -> None:
        super().__init__(_jwa.custom_row(name, self._family, hash_name=hash_name))
        self.min_bits = self._row.min_bits if min_bits is None else min_bits

    def check_key_length(self, key: Any) -> str | None:
        # RFC 7518 §3.3 says 2048 bits MUST be used; PyJWT warns below that (and raises only
        # with enforce_minimum_key_length), and applications depend on 1024-bit keys working.
        bits = _to_neutral(key).size_bits
        if bits < self.min_bits:
            return (
                f"The RSA key is {bits} bits long, which is below the minimum recommended size"
                f" of {self.min_bits} bits. See NIST SP 800-131A."
            )
        return None

    def sign(self, msg: bytes, key: Any) -> bytes:
        msg = octets(msg, "msg")
        return get_backend().rsa_pkcs1v15_sign(self._private_key(key), self.hash_name, msg)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        public = self._public_key(key)
        msg, sig = octets(msg, "msg"), octets(sig, "sig")
        return get_backend().rsa_pkcs1v15_verify(public, self.hash_name, msg, sig)

    def _verifier(self, prepared: Any) -> Verifier:
        public = self._public_key(prepared)
        return get_backend().rsa_verifier(public, self.hash_name, pss=self._family == "rsa-pss")

    def prepare_key(self, key: Any) -> Any:
        try:
            return super().prepare_key(key)
        except InvalidKeyError as exc:
            if type(exc) is not InvalidKeyError or not isinstance(key, (str, bytes)):
                raise  # a key of the wrong family, or one that needs cryptography: as it is
            # PyJWT's text for key text it cannot load, then jwtlite's reason.
            raise InvalidKeyError(f"Could not parse the provided public key. {exc}") from exc

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        """Export an RSA key as a JWK with ``key_ops`` (``sign`` for a private key, ``verify``
        for a public one), as PyJWT does."""
        key = _to_neutral(key_obj)
        data = key_to_jwk(key)
        if data.get("kty") == "RSA":
            ops = ["sign"] if isinstance(key, PRIVATE_KEY_TYPES) else ["verify"]
            data = {"kty": "RSA", "key_ops": ops, **data}
        return data if as_dict else dumps(data).decode("utf-8")

    def with_min_bits(self, min_bits: int) -> RSAAlgorithm:
        """A copy that warns only below ``min_bits`` (used for opt-in legacy verification)."""
        return type(self)(self.name, self.hash_name, min_bits=min_bits)


class RSAPSSAlgorithm(RSAAlgorithm):
    """PS256/384/512: RSASSA-PSS, MGF1 with the same hash, salt = hash length (RFC 7518 §3.5)."""

    _family: ClassVar[str] = "rsa-pss"

    def sign(self, msg: bytes, key: Any) -> bytes:
        msg = octets(msg, "msg")
        return get_backend().rsa_pss_sign(self._private_key(key), self.hash_name, msg)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        public = self._public_key(key)
        msg, sig = octets(msg, "msg"), octets(sig, "sig")
        return get_backend().rsa_pss_verify(public, self.hash_name, msg, sig)


class ECAlgorithm(_AsymmetricAlgorithm):
    """ES256/384/512 (RFC 7518 §3.4) and ES256K (RFC 8812): one curve per algorithm."""

    _jwk_kty = "EC"
    _not_my_kty = "Not an Elliptic curve key"

    def __init__(self, name: str, hash_name: str | None = None, curve: str | None = None) -> None:
        curves = None if curve is None else (curve,)
        super().__init__(_jwa.custom_row(name, "ecdsa", hash_name=hash_name, curves=curves))
        self.curve = self._row.curves[0]

    def sign(self, msg: bytes, key: Any) -> bytes:
        msg = octets(msg, "msg")
        return get_backend().ecdsa_sign(self._private_key(key), self.hash_name, msg)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        public = self._public_key(key)
        msg, sig = octets(msg, "msg"), octets(sig, "sig")
        return get_backend().ecdsa_verify(public, self.hash_name, msg, sig)

    def _verifier(self, prepared: Any) -> Verifier:
        return partial(get_backend().ecdsa_verify, self._public_key(prepared), self.hash_name)


class OKPAlgorithm(_AsymmetricAlgorithm):
    """EdDSA (RFC 8037) and the fully-specified Ed25519 / Ed448 (RFC 9864)."""

    _jwk_kty = "OKP"
    _not_my_kty = "Not an Octet Key Pair"

    def __init__(self, name: str, curves: tuple[str, ...] | None = None) -> None:
        super().__init__(_jwa.custom_row(name, "eddsa", curves=curves))
        self.curves = self._row.curves

    @classmethod
    def from_jwk(cls, jwk: str | Mapping[str, Any]) -> Any:
        """Import an Ed25519 or Ed448 JWK; an X25519/X448 key (key agreement, RFC 8037 §3.2)
        is refused with PyJWT's text, "Invalid curve: X25519"."""
        key = super().from_jwk(jwk)
        curve = key_curve(key)
        if curve not in ("Ed25519", "Ed448"):
            raise InvalidKeyError(f"Invalid curve: {curve}")
        return key

    def sign(self, msg: bytes, key: Any) -> bytes:
        return get_backend().eddsa_sign(self._private_key(key), octets(msg, "msg"))

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        public = self._public_key(key)
        return get_backend().eddsa_verify(public, octets(msg, "msg"), octets(sig, "sig"))

    def _verifier(self, prepared: Any) -> Verifier:
        return partial(get_backend().eddsa_verify, self._public_key(prepared))


#: The class that implements each family of the JWA table.
_FAMILIES: Mapping[str, Callable[[str], Algorithm]] = {
    "none": lambda _name: NoneAlgorithm(),
    "hmac": HMACAlgorithm,
    "rsa-pkcs1": RSAAlgorithm,
    "rsa-pss": RSAPSSAlgorithm,
    "ecdsa": ECAlgorithm,
    "eddsa": OKPAlgorithm,
}


#: The classes whose :meth:`Algorithm._verifier` is their ``verify`` bound (exact types only).
BINDABLE: frozenset[type[Algorithm]] = frozenset(
    {HMACAlgorithm, RSAAlgorithm, RSAPSSAlgorithm, ECAlgorithm, OKPAlgorithm}
)


def default_algorithms() -> dict[str, Algorithm]:
    """A fresh name -> Algorithm table with every algorithm jwtlite implements."""
    return {name: _FAMILIES[row.family](name) for name, row in _jwa.ALGORITHMS.items()}


_DEFAULTS: Mapping[str, Algorithm] = MappingProxyType(default_algorithms())


def get_algorithm_by_name(name: str) -> Algorithm:
    """The built-in Algorithm object for ``name``; InvalidAlgorithmError if unknown."""
    try:
        return _DEFAULTS[name]
    except (KeyError, TypeError):
        hint = _hints.did_you_mean(name, _DEFAULTS)
        shown = f"'{escape(name)}'" if isinstance(name, str) else escape(name)
        raise InvalidAlgorithmError(f"Algorithm not supported: {shown}{hint}") from None
