"""The RSA and EC key classes of the python-jose face, over jwtlite's key model and backends.

A key is read by jwtlite (PEM, DER, certificates, JWKs, ``cryptography`` objects: strict
parsers, RSA bounds, ROCA refused) into its neutral model and held there; python-jose's methods
(``sign``, ``verify``, ``wrap_key`` ...) call one backend primitive each. The algorithm a key is
built for is checked when it is used, as python-jose does, and then strictly: an EC key serves
only the one ES algorithm of its curve (RFC 7518 §3.4, RFC 8725 §3.1), where python-jose signs
ES256 with a P-521 key.

Subclasses choose the backend (``_backend_name``: None for jwtlite's selected one, ``"pure"``
for the classes that stand where python-jose used the ``rsa`` and ``ecdsa`` packages) and the
form ``prepared_key`` hands back (``cryptography`` objects for the ``cryptography_backend``
classes, as python-jose's users get them).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Callable, ClassVar, TypeVar

from ... import _jwa
from ..._escape import escape
from ..._jwkformat import key_from_jwk, key_members
from ..._jws_keys import check_key_length
from ..._keymodel import (
    KEY_TYPES,
    PRIVATE_KEY_TYPES,
    AsymmetricKey,
    ECPrivateKey,
    RSAPrivateKey,
    RSAPublicKey,
    key_curve,
    key_kty,
)
from ..._options import Options
from ...algorithms import get_algorithm_by_name
from ...backends import Backend, get_backend
from ...exceptions import InvalidValueError, PyJWTError
from ...keys import dump_pem, load_key
from ..constants import ALGORITHMS
from ..exceptions import JWEError, JWKError
from ..utils import ensure_binary
from ._keys import incorrect_kty
from .base import Key

__all__ = ["AsymmetricKeyBase", "ECKeyBase", "RSAKeyBase", "load_asymmetric"]

_OPTIONS = Options()
#: JWE key management with RSA (RFC 7518 §4.2, §4.3): None for RSAES-PKCS1-v1_5, else the
#: OAEP hash (MGF1 uses the same one, the label is empty).
_RSA_WRAP = {"RSA1_5": None, "RSA-OAEP": "sha1", "RSA-OAEP-256": "sha256"}
_Key = TypeVar("_Key", bound="AsymmetricKeyBase")
_PRIVATE_VERIFY = "Attempting to verify a message with a private key. This is not recommended."


def load_asymmetric(key: Any, kty: str, what: str) -> AsymmetricKey:
    """A key of ``kty`` from python-jose's forms: another face key, a JWK dict, PEM or DER
    text, or a ``cryptography`` key object."""
    if isinstance(key, Key):
        key = getattr(key, "_key", None)
        if not isinstance(key, KEY_TYPES):
            raise JWKError(f"Unable to parse an {what} from this {type(key).__name__}")
    if isinstance(key, Mapping):
        if key.get("kty") != kty:
            raise JWKError(incorrect_kty(kty, key.get("kty")))
        loader: Callable[[Any], Any] = key_from_jwk
    else:
        loader = load_key  # text, DER, cryptography objects; anything else is refused
    try:
        model = loader(key)
    except PyJWTError as exc:
        raise JWKError(str(exc)) from exc
    if key_kty(model) != kty:
        raise JWKError(incorrect_kty(kty, key_kty(model)))
    return model  # type: ignore[no-any-return]


class AsymmetricKeyBase(Key):
    """What the RSA and EC classes share: the model key, its algorithm and its backend."""

    #: jwtlite's backend that computes for this class: None for the selected one.
    _backend_name: ClassVar[str | None] = None
    #: The JWK ``kty`` and python-jose's name for the key kind (in messages).
    _kty: ClassVar[str] = ""
    _what: ClassVar[str] = ""
    _algorithms: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, key: Any, algorithm: str) -> None:
        if not isinstance(algorithm, str) or algorithm not in self._algorithms:
            raise JWKError(f"hash_alg: {escape(algorithm)} is not a valid hash algorithm")
        self._algorithm = algorithm
        self._key = self._load(key)

    @classmethod
    def _load(cls, key: Any) -> AsymmetricKey:
        return load_asymmetric(key, cls._kty, cls._what)

    @staticmethod
    def _export(key: AsymmetricKey) -> Any:
        """``prepared_key`` as this class hands it back (the model key here)."""
        return key

    @property
    def prepared_key(self) -> Any:
        """The key as python-jose's backend held it."""
        return self._export(self._key)

    @prepared_key.setter
    def prepared_key(self, value: Any) -> None:
        self._key = self._load(value)

    def _backend(self) -> Backend:
        return get_backend(self._backend_name)

    def _row(self) -> _jwa.JWA:
        """The JWS row of this key's algorithm, bound to the key (JWKError otherwise)."""
        row = _jwa.row(self._algorithm)
        if row is None or row.family not in ("rsa-pkcs1", "ecdsa"):
            raise JWKError(f"{escape(self._algorithm)} is not a signature algorithm")
        reason = _jwa.unfit_reason(row, key_kty(self._key), key_curve(self._key))
        if reason is not None:
            raise JWKError(reason)
        check_key_length(get_algorithm_by_name(row.name), self._key, _OPTIONS)
        return row

    def _private(self) -> Any:
        if not isinstance(self._key, PRIVATE_KEY_TYPES):
            raise JWKError(f"{escape(self._algorithm)} signing needs a private key")
        return self._key

    def is_public(self) -> bool:
        return not isinstance(self._key, PRIVATE_KEY_TYPES)

    def public_key(self: _Key) -> _Key:
        if self.is_public():
            return self
        return type(self)(self._key.public_key(), self._algorithm)

    def to_dict(self) -> dict[str, Any]:
        return {"alg": self._algorithm, **key_members(self._key, include_private=True)}

    def sign(self, msg: bytes) -> bytes:
        row = self._row()
        try:
            return self._sign(row.hash_name, self._private(), ensure_binary(msg))
        except PyJWTError as exc:
            raise JWKError(str(exc)) from exc

    def verify(self, msg: bytes, sig: bytes) -> bool:
        try:
            row = self._row()
            return self._verify(
                row.hash_name, self._key.public_key(), ensure_binary(msg), ensure_binary(sig)
            )
        except PyJWTError:
            return False  # python-jose's contract: verify answers, it does not raise

    def _sign(self, hash_name: str, key: Any, msg: bytes) -> bytes:
        raise NotImplementedError

    def _verify(self, hash_name: str, key: Any, msg: bytes, sig: bytes) -> bool:
        raise NotImplementedError


class RSAKeyBase(AsymmetricKeyBase):
    """python-jose's RSA key: RS256/384/512 signatures and RSA1_5/RSA-OAEP(-256) key wrap."""

    _kty = "RSA"
    _what = "RSA_JWK"
    _algorithms = frozenset(ALGORITHMS.RSA)

    def _sign(self, hash_name: str, key: Any, msg: bytes) -> bytes:
        return self._backend().rsa_pkcs1v15_sign(key, hash_name, msg)

    def _verify(self, hash_name: str, key: Any, msg: bytes, sig: bytes) -> bool:
        return self._backend().rsa_pkcs1v15_verify(key, hash_name, msg, sig)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        if not self.is_public():
            warnings.warn(_PRIVATE_VERIFY, stacklevel=2)
        return super().verify(msg, sig)

    def to_pem(self, pem_format: str = "PKCS8") -> bytes:
        formats = {"PKCS8": "pkcs8", "PKCS1": "pkcs1"}
        if not isinstance(pem_format, str) or pem_format not in formats:
            raise InvalidValueError(f"Invalid format specified: {escape(pem_format)}")
        return dump_pem(self._key, format=formats[pem_format]).encode("ascii")

    def wrap_key(self, key_data: bytes) -> bytes:
        """``key_data`` encrypted to this key (its public half) with RSA1_5 or RSA-OAEP."""
        if self._algorithm not in _RSA_WRAP:
            raise JWEError(f"{escape(self._algorithm)} does not wrap keys")
        oaep_hash = _RSA_WRAP[self._algorithm]
        public = self._key.public_key()
        if not isinstance(public, RSAPublicKey):  # pragma: no cover - RSA keys only
            raise JWEError("not an RSA key")
        backend = self._backend()
        try:
            data = ensure_binary(key_data)
            if oaep_hash is None:
                return backend.rsa_pkcs1v15_encrypt(public, data)
            return backend.rsa_oaep_encrypt(public, oaep_hash, data)
        except PyJWTError as exc:
            raise JWEError(str(exc)) from exc

    def unwrap_key(self, wrapped_key: bytes) -> bytes:
        """The key data inside ``wrapped_key``; JWEError for any failure, saying no more."""
        if self._algorithm not in _RSA_WRAP or not isinstance(self._key, RSAPrivateKey):
            raise JWEError(f"unwrapping with {escape(self._algorithm)} needs an RSA private key")
        oaep_hash = _RSA_WRAP[self._algorithm]
        backend = self._backend()
        try:
            data = ensure_binary(wrapped_key)
            if oaep_hash is None:
                plain = backend.rsa_pkcs1v15_decrypt(self._key, data)
            else:
                plain = backend.rsa_oaep_decrypt(self._key, oaep_hash, data)
        except PyJWTError as exc:
            raise JWEError("Decryption failed") from exc
        if plain is None:
            raise JWEError("Decryption failed")
        return plain


class ECKeyBase(AsymmetricKeyBase):
    """python-jose's EC key: ES256/384/512 (each on its own curve, RFC 7518 §3.4)."""

    _kty = "EC"
    _what = "ECKey"
    _algorithms = frozenset(ALGORITHMS.EC)

    def _sign(self, hash_name: str, key: Any, msg: bytes) -> bytes:
        return self._backend().ecdsa_sign(key, hash_name, msg)

    def _verify(self, hash_name: str, key: Any, msg: bytes, sig: bytes) -> bool:
        return self._backend().ecdsa_verify(key, hash_name, msg, sig)

    def to_pem(self) -> bytes:
        """SubjectPublicKeyInfo, or the SEC 1 ``EC PRIVATE KEY`` (as OpenSSL writes it)."""
        fmt = "sec1" if isinstance(self._key, ECPrivateKey) else "pkcs8"
        return dump_pem(self._key, format=fmt).encode("ascii")
