"""PyJWT's ``jwt.algorithms`` module over :mod:`jwtlite.algorithms`.

The classes take PyJWT's constructor arguments (``HMACAlgorithm(HMACAlgorithm.SHA256)``,
``RSAAlgorithm(RSAAlgorithm.SHA256)``, ``ECAlgorithm(hash, expected_curve=SECP256R1)``,
``OKPAlgorithm()``) and keep them as PyJWT's attributes (``hash_alg``, ``expected_curve``);
signing, verification and key checks are jwtlite's. Keys handed back (``prepare_key``,
``from_jwk``) are ``cryptography`` objects when that package is installed, as in PyJWT.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import import_module
from typing import Any, ClassVar, Union

from .. import _jwa
from .. import algorithms as _native
from .._escape import escape
from .._keymodel import KEY_TYPES, PRIVATE_KEY_TYPES, key_curve
from .._values import utf8
from ..algorithms import has_crypto, requires_cryptography
from ..exceptions import (
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    PrivateKeyRequiredError,
    UnsupportedAlgorithmError,
)
from ._keys import export_key, is_cryptography_key

__all__ = [
    "AllowedECKeys",
    "AllowedKeys",
    "AllowedOKPKeys",
    "AllowedPrivateKeys",
    "AllowedPublicKeys",
    "AllowedRSAKeys",
    "Algorithm",
    "ECAlgorithm",
    "HMACAlgorithm",
    "NoneAlgorithm",
    "OKPAlgorithm",
    "RSAAlgorithm",
    "RSAPSSAlgorithm",
    "get_default_algorithms",
    "has_crypto",
    "requires_cryptography",
]

#: The ``cryptography`` modules PyJWT's ``jwt.algorithms`` imports besides the key classes.
#: ``import jwt`` must leave them loaded as PyJWT does: packages written for PyJWT reach them
#: as attributes (``cryptography.hazmat.primitives.serialization.Encoding``) without
#: importing them. ``import jwtlite`` alone still imports no ``cryptography``.
_PYJWT_CRYPTOGRAPHY_IMPORTS = (
    "cryptography.x509",
    "cryptography.hazmat.backends",
    "cryptography.hazmat.primitives.asymmetric.padding",
    "cryptography.hazmat.primitives.serialization",
)

if has_crypto:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    for _module in _PYJWT_CRYPTOGRAPHY_IMPORTS:
        import_module(_module)

    AllowedRSAKeys = Union[rsa.RSAPrivateKey, rsa.RSAPublicKey]
    AllowedECKeys = Union[ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey]
    AllowedOKPKeys = Union[
        ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey,
        ed448.Ed448PrivateKey, ed448.Ed448PublicKey,
    ]  # fmt: skip
    AllowedKeys = Union[AllowedRSAKeys, AllowedECKeys, AllowedOKPKeys]
    AllowedPrivateKeys = Union[
        rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey,
        ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey,
    ]  # fmt: skip
    AllowedPublicKeys = Union[
        rsa.RSAPublicKey, ec.EllipticCurvePublicKey,
        ed25519.Ed25519PublicKey, ed448.Ed448PublicKey,
    ]  # fmt: skip
    _SHA256: Any = hashes.SHA256
    _SHA384: Any = hashes.SHA384
    _SHA512: Any = hashes.SHA512
    _RSA_TYPES: tuple[type, ...] = (rsa.RSAPrivateKey, rsa.RSAPublicKey)
    _EC_TYPES: tuple[type, ...] = (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)
    _OKP_TYPES: tuple[type, ...] = (
        ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey,
        ed448.Ed448PrivateKey, ed448.Ed448PublicKey,
    )  # fmt: skip
else:
    # Without cryptography PyJWT's aliases are ``Never``; ``Any`` keeps annotations working.
    AllowedRSAKeys = AllowedECKeys = AllowedOKPKeys = Any
    AllowedKeys = AllowedPrivateKeys = AllowedPublicKeys = Any

    class _HashName:
        """Stands in for a ``cryptography.hazmat.primitives.hashes`` class: its ``name``."""

        name: ClassVar[str] = ""

    class _SHA256(_HashName):  # type: ignore[no-redef]
        name = "sha256"

    class _SHA384(_HashName):  # type: ignore[no-redef]
        name = "sha384"

    class _SHA512(_HashName):  # type: ignore[no-redef]
        name = "sha512"

    _RSA_TYPES = _EC_TYPES = _OKP_TYPES = ()

#: cryptography's curve names (SEC 2) -> JWK ``crv`` (RFC 7518 §6.2.1.1, RFC 8812 §3.1).
_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521",
           "secp256k1": "secp256k1"}  # fmt: skip
_SEC_NAMES = {crv: sec for sec, crv in _CURVES.items()}


def _hash_name(hash_alg: Any) -> str:
    """The hashlib name of a hashlib constructor or of a cryptography hash (class or
    instance): ``sha256`` for ``hashlib.sha256`` and ``hashes.SHA256``, ``sha3_256`` for
    ``hashes.SHA3_256``."""
    name = getattr(hash_alg, "name", None)
    if not isinstance(name, str) and callable(hash_alg):
        try:
            name = getattr(hash_alg(), "name", None)  # a hashlib constructor
        except TypeError:
            name = None
    if not isinstance(name, str):
        raise InvalidArgumentError(f"not a hash function: {escape(hash_alg)}")
    # cryptography spells "sha512-224" and "sha3-256" what hashlib calls "sha512_224" and
    # "sha3_256"; other spellings of SHA-2 ("SHA-256") drop the hyphen.
    lowered = name.lower()
    underscored = lowered.replace("-", "_")
    return underscored if underscored in hashlib.algorithms_available else lowered.replace("-", "")


class Algorithm(_native.Algorithm):
    """PyJWT's base class: subclass it to register your own algorithm."""

    #: The ``cryptography`` key classes this algorithm accepts (PyJWT's pyjwt-964 check).
    _crypto_key_types: ClassVar[tuple[type, ...] | None] = None

    def check_crypto_key_type(self, key: Any) -> None:
        """Raise InvalidKeyError unless ``key`` is a ``cryptography`` key of this family.

        Raises InvalidValueError (a ValueError, as in PyJWT) without ``cryptography`` or for
        an algorithm that does not use it.
        """
        if not has_crypto or not self._crypto_key_types:
            raise InvalidValueError(
                "This method requires the cryptography library, and should only be used by"
                " cryptography-based algorithms."
            )
        if not isinstance(key, self._crypto_key_types):
            valid = ", ".join(cls.__name__ for cls in self._crypto_key_types)
            raise InvalidKeyError(
                f"Expected one of ({valid}), got: {type(key).__name__}."
                f" Invalid Key type for {type(self).__name__}"
            )


class NoneAlgorithm(_native.NoneAlgorithm, Algorithm):
    """``none``: signs with an empty signature; jwtlite never accepts it when verifying."""

    # PyJWT raises NotImplementedError (its tests expect it): UnsupportedAlgorithmError is one.
    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        raise UnsupportedAlgorithmError("the none algorithm has no keys")

    @staticmethod
    def from_jwk(jwk: str | Mapping[str, Any]) -> Any:
        raise UnsupportedAlgorithmError("the none algorithm has no keys")


def _is_key_input(key: Any) -> bool:
    """Whether ``key`` has a form an asymmetric algorithm reads: PEM/DER/SSH/JWK text or
    bytes, a JWK dict, a jwtlite key, a PyJWK or a ``cryptography`` key."""
    return (
        isinstance(key, (str, bytes, bytearray, memoryview, Mapping, *KEY_TYPES))
        or hasattr(key, "key")
        or is_cryptography_key(key)
    )


def _native_class(cls: type) -> Any:
    """The first class of :mod:`jwtlite.algorithms` that ``cls`` derives from."""
    return next(c for c in cls.__mro__ if c.__module__ == _native.__name__)


class _CryptoFace(Algorithm):
    """Asymmetric algorithms: jwtlite does the work, callers get ``cryptography`` keys back."""

    _native_prepare: Any
    #: What PyJWT raises for a key of no usable type: a TypeError (jwtlite's
    #: InvalidArgumentError is one) for RSA and EC, InvalidKeyError for OKP.
    _bad_type_error: ClassVar[type[Exception]] = InvalidArgumentError

    def prepare_key(self, key: Any) -> Any:
        if not _is_key_input(key):
            raise self._bad_type_error("Expecting a PEM-formatted key.")
        prepared = self._native_prepare(key)
        return key if is_cryptography_key(key) else export_key(prepared)

    def _private_key(self, key: Any) -> Any:
        prepared = self._native_prepare(key)
        if not isinstance(prepared, PRIVATE_KEY_TYPES):
            raise PrivateKeyRequiredError(f"{self.name} signing needs a private key")
        return prepared

    def _public_key(self, key: Any) -> Any:
        return self._native_prepare(key).public_key()

    def check_key_length(self, key: Any) -> str | None:
        return super().check_key_length(self._native_prepare(key))

    @classmethod
    def from_jwk(cls, jwk: str | Mapping[str, Any]) -> Any:
        # The native class's own from_jwk (it checks the JWK's family), then PyJWT's key type.
        return export_key(_native_class(cls).from_jwk(jwk))


class HMACAlgorithm(_native.HMACAlgorithm, Algorithm):
    """HS256/384/512: ``HMACAlgorithm(HMACAlgorithm.SHA256)``."""

    SHA256: ClassVar[Any] = hashlib.sha256
    SHA384: ClassVar[Any] = hashlib.sha384
    SHA512: ClassVar[Any] = hashlib.sha512

    def __init__(self, hash_alg: Any) -> None:
        name = _hash_name(hash_alg)
        super().__init__(f"HS{name[3:]}" if name.startswith("sha") else f"HMAC-{name}", name)
        self.hash_alg = hash_alg

    def prepare_key(self, key: Any) -> bytes:
        if not isinstance(key, (str, bytes, bytearray, memoryview)) and not hasattr(key, "key"):
            raise InvalidArgumentError("Expected a string or bytes value")
        return super().prepare_key(key)


class RSAAlgorithm(_CryptoFace, _native.RSAAlgorithm):
    """RS256/384/512: ``RSAAlgorithm(RSAAlgorithm.SHA256)``."""

    SHA256: ClassVar[Any] = _SHA256
    SHA384: ClassVar[Any] = _SHA384
    SHA512: ClassVar[Any] = _SHA512
    _crypto_key_types = _RSA_TYPES
    _prefix: ClassVar[str] = "RS"

    def __init__(self, hash_alg: Any) -> None:
        name = _hash_name(hash_alg)
        _native.RSAAlgorithm.__init__(self, f"{self._prefix}{name[3:]}", name)
        self.hash_alg = hash_alg

    def _native_prepare(self, key: Any) -> Any:
        return _native.RSAAlgorithm.prepare_key(self, key)

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        """The RSA JWK, with PyJWT's ``key_ops`` (``sign`` for private keys, else ``verify``)."""
        data = dict(_native.RSAAlgorithm.to_jwk(key_obj, as_dict=True))
        data.setdefault("key_ops", ["sign"] if "d" in data else ["verify"])
        return data if as_dict else json.dumps(data)

    def with_min_bits(self, min_bits: int) -> _native.RSAAlgorithm:
        copy = type(self)(self.hash_alg)
        copy.min_bits = min_bits
        return copy


class RSAPSSAlgorithm(RSAAlgorithm, _native.RSAPSSAlgorithm):
    """PS256/384/512: ``RSAPSSAlgorithm(RSAPSSAlgorithm.SHA256)``."""

    _prefix = "PS"
    _family = "rsa-pss"


class ECAlgorithm(_CryptoFace, _native.ECAlgorithm):
    """ES256/384/512 and ES256K: ``ECAlgorithm(ECAlgorithm.SHA256, expected_curve=...)``.

    Without ``expected_curve`` any supported curve is accepted, as in PyJWT.
    """

    SHA256: ClassVar[Any] = _SHA256
    SHA384: ClassVar[Any] = _SHA384
    SHA512: ClassVar[Any] = _SHA512
    _crypto_key_types = _EC_TYPES

    def __init__(self, hash_alg: Any, expected_curve: Any = None) -> None:
        name = _hash_name(hash_alg)
        curve = None
        if expected_curve is not None:
            curve = _CURVES.get(getattr(expected_curve, "name", ""))
            if curve is None:
                raise InvalidKeyError(f"unsupported curve: {escape(expected_curve)}")
        alg = "ES256K" if curve == "secp256k1" else f"ES{name[3:]}"
        _native.ECAlgorithm.__init__(self, alg, name, curve)
        if curve is None:
            curves = tuple(_CURVES.values())
            self._row = _jwa.custom_row(alg, "ecdsa", hash_name=name, curves=curves)
        self.hash_alg = hash_alg
        self.expected_curve = expected_curve

    def _native_prepare(self, key: Any) -> Any:
        if self.expected_curve is not None:
            try:
                neutral = None if isinstance(key, Mapping) else _native._to_neutral(key)
            except InvalidKeyError:
                self._refuse_foreign_curve(key)
                raise
            crv = key.get("crv") if isinstance(key, Mapping) else key_curve(neutral)
            if crv is not None and crv != self.curve:
                raise InvalidKeyError(
                    f"The key's curve '{_SEC_NAMES.get(crv, crv)}' does not match the expected"
                    f" curve '{self.expected_curve.name}' for this algorithm"
                )
        return _native.ECAlgorithm.prepare_key(self, key)


    def _refuse_foreign_curve(self, key: Any) -> None:
        """PyJWT names the curve of a key jwtlite cannot load (secp192r1, say); ask
        ``cryptography`` for that name when it is installed, to give PyJWT's message."""
        if not has_crypto or not isinstance(key, (str, bytes)):
            return
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415 - optional dep

        try:
            data = key.encode("utf-8") if isinstance(key, str) else key
        except UnicodeEncodeError:
            return  # a lone surrogate: no PEM, so no curve to name
        try:
            loaded: Any = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            try:
                loaded = serialization.load_pem_private_key(data, None)
            except (ValueError, TypeError):
                return
        curve = getattr(loaded, "curve", None)
        if curve is not None:
            raise InvalidKeyError(
                f"The key's curve '{curve.name}' does not match the expected curve"
                f" '{self.expected_curve.name}' for this algorithm"
            )


class OKPAlgorithm(_CryptoFace, _native.OKPAlgorithm):
    """EdDSA over Ed25519 or Ed448 (RFC 8037): ``OKPAlgorithm()``."""

    _crypto_key_types = _OKP_TYPES
    _bad_type_error = InvalidKeyError

    def __init__(self, **kwargs: Any) -> None:
        _native.OKPAlgorithm.__init__(self, "EdDSA")

    def _native_prepare(self, key: Any) -> Any:
        return _native.OKPAlgorithm.prepare_key(self, key)

    # PyJWT's OKPAlgorithm takes msg and sig as ``str | bytes``, text UTF-8 encoded (its other
    # algorithms do not); a lone surrogate raises InvalidValueError (PyJWT: UnicodeEncodeError).
    def sign(self, msg: str | bytes, key: Any) -> bytes:
        return super().sign(_text_octets(msg, "msg"), key)

    def verify(self, msg: str | bytes, key: Any, sig: str | bytes) -> bool:
        return super().verify(_text_octets(msg, "msg"), key, _text_octets(sig, "sig"))


def _text_octets(value: Any, name: str) -> Any:
    return utf8(value, name, InvalidValueError) if isinstance(value, str) else value


def get_default_algorithms() -> dict[str, Algorithm]:
    """PyJWT's table: every algorithm jwtlite implements, as the classes of this module.

    Unlike PyJWT, the asymmetric algorithms are present without ``cryptography`` too.
    """
    table: dict[str, Any] = {
        "none": NoneAlgorithm(),
        "HS256": HMACAlgorithm(HMACAlgorithm.SHA256),
        "HS384": HMACAlgorithm(HMACAlgorithm.SHA384),
        "HS512": HMACAlgorithm(HMACAlgorithm.SHA512),
    }
    for name in ("RS256", "RS384", "RS512"):
        table[name] = RSAAlgorithm(_SHA_BY_SIZE[name[2:]])
    for name in ("PS256", "PS384", "PS512"):
        table[name] = RSAPSSAlgorithm(_SHA_BY_SIZE[name[2:]])
    for name, size, crv in (("ES256", "256", "P-256"), ("ES384", "384", "P-384"),
                            ("ES512", "512", "P-521"), ("ES256K", "256", "secp256k1")):  # fmt: skip
        table[name] = _ec(name, _SHA_BY_SIZE[size], crv)
    table["ES521"] = table["ES512"]  # PyJWT's alias (its issue #219)
    table["EdDSA"] = OKPAlgorithm()
    for name in ("Ed25519", "Ed448"):
        table[name] = _okp(name)
    return table


_SHA_BY_SIZE = {"256": _SHA256, "384": _SHA384, "512": _SHA512}


def _ec(name: str, hash_alg: Any, crv: str) -> ECAlgorithm:
    if has_crypto:
        curve = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1,
                 "secp256k1": ec.SECP256K1}[crv]  # fmt: skip
        return ECAlgorithm(hash_alg, curve)
    alg = ECAlgorithm(hash_alg)
    # No cryptography, so no curve classes: bind the curve through jwtlite's own table.
    _native.ECAlgorithm.__init__(alg, name)
    return alg


def _okp(name: str) -> OKPAlgorithm:
    alg = OKPAlgorithm()
    _native.OKPAlgorithm.__init__(alg, name)
    return alg
