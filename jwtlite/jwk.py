"""JSON Web Keys as objects: PyJWT's :class:`PyJWK` and :class:`PyJWKSet`, RFC 7638
thumbprints and RFC 9278 thumbprint URIs, and the choice of one key for one JWS operation.

Conversion between JWK JSON and keys lives one layer down, in ``_jwkformat`` (a key format like
PEM); this module adds what a JWK means to a JWS: its algorithm, its metadata, and selection.

Selection never tries every key in turn: the token's ``kid`` picks the key, and only without a
``kid`` does the algorithm (its ``kty`` and ``crv``) pick, and then only a unique match. Trying
keys until one verifies would let an attacker probe a set and multiply the cost of every bad
token. Key metadata is enforced (RFC 7517 §4.2-4.4): ``use`` other than ``sig``, ``key_ops``
lacking the operation, or an ``alg`` other than the token's, each refuse the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import _hints, _jwa
from ._escape import escape, quoted, summarise
from ._json import loads_object
from ._jwkformat import (
    ALGORITHM_KEY_TYPES,
    JWKKey,
    check_alg_fits,
    key_from_jwk,
    key_to_jwk,
)
from ._keyformats import XDH_CURVES
from ._keymodel import PRIVATE_KEY_TYPES, key_curve, key_kty, thumbprint_of
from ._values import utf8
from .algorithms import Algorithm, get_algorithm_by_name
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    KeyNotInSetError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
)

__all__ = [
    "ALGORITHM_KEY_TYPES",
    "JWKKey",
    "MAX_KEYS",
    "PyJWK",
    "PyJWKSet",
    "REFUSED_WHEN_FETCHED",
    "key_from_jwk",
    "key_to_jwk",
    "resolve_key",
    "skipped_reason",
    "thumbprint",
    "thumbprint_uri",
]

#: The words in every reason a JWKS client gives for a fetched member it refuses (a published
#: secret, a leaked private key): such a member is never used, not even by JWE, which re-reads
#: the other skipped members (PyJWK has no JWE algorithms).
REFUSED_WHEN_FETCHED = "in a fetched JWK Set"
#: Most keys accepted in one set. Real sets hold a handful; the bound caps the parsing work a
#: hostile or broken JWKS endpoint can cause.
MAX_KEYS = 256
_THUMBPRINT_HASHES = {"sha256": "sha-256", "sha384": "sha-384", "sha512": "sha-512"}
#: RFC 7517 §4.3 key_ops values for the two JWS operations.
_OPERATIONS = ("sign", "verify")


# --- thumbprints (RFC 7638, RFC 9278) ---------------------------------------------------------


def _as_key(key_or_jwk: Any) -> Any:
    if isinstance(key_or_jwk, PyJWK):
        return key_or_jwk.key
    if isinstance(key_or_jwk, Mapping):
        # A thumbprint is a hash of public members, no use of the key: ROCA does not matter.
        return key_from_jwk(key_or_jwk, allow_roca=True)
    if isinstance(key_or_jwk, str):
        return utf8(key_or_jwk, "the key", InvalidKeyError)
    return key_or_jwk


def thumbprint(key_or_jwk: Any, hash_name: str = "sha256") -> str:
    """The RFC 7638 JWK thumbprint of a key, JWK dict or :class:`PyJWK`, base64url-encoded.

    Only the required public members take part (RFC 7638 §3.2), in lexicographic order with no
    whitespace (§3.3), so a private key and its public key share one thumbprint.

    Raises:
        InvalidKeyError: for a bad key or a hash other than sha256, sha384 or sha512.
    """
    if not isinstance(hash_name, str) or hash_name not in _THUMBPRINT_HASHES:
        raise InvalidKeyError(f"Unsupported thumbprint hash: {quoted(hash_name)}")
    key = _as_key(key_or_jwk)
    if key_kty(key) is None:
        raise InvalidKeyError(f"Cannot export {type(key).__name__} as a JWK")
    return thumbprint_of(key, hash_name)


def thumbprint_uri(key_or_jwk: Any, hash_name: str = "sha256") -> str:
    """The RFC 9278 JWK thumbprint URI, ``urn:ietf:params:oauth:jwk-thumbprint:sha-256:...``."""
    value = thumbprint(key_or_jwk, hash_name)
    return f"urn:ietf:params:oauth:jwk-thumbprint:{_THUMBPRINT_HASHES[hash_name]}:{value}"


# --- PyJWK ----------------------------------------------------------------------------------


def _default_algorithm(key: JWKKey) -> str:
    """PyJWT's choice for a JWK without ``alg``: the first algorithm of the JWA table that
    fits the key (RS256, ES256 for P-256, EdDSA, HS256)."""
    kty, crv = key_kty(key), key_curve(key)
    return next((r.name for r in _jwa.ALGORITHMS.values() if r.fits(kty, crv)), "HS256")


def _refuse_agreement_key(data: Any) -> None:
    """PyJWT's refusal of an X25519/X448 JWK that names no algorithm, before its members are
    read (PyJWT's order and text): such a key agrees on keys (RFC 8037 §3.2), no JWS algorithm
    signs with it, and with no ``alg`` there is nothing else it could be for here."""
    if not isinstance(data, Mapping) or data.get("alg") is not None or data.get("kty") != "OKP":
        return
    crv = data.get("crv")
    if isinstance(crv, str) and crv in XDH_CURVES:
        raise InvalidKeyError(
            f"Unsupported crv: {crv} (a key-agreement key: JWS signs with Ed25519 or Ed448)"
        )


class PyJWK:
    """One JWK, parsed and checked; PyJWT-compatible.

    ``key`` is jwtlite's neutral key (``bytes`` for ``oct``). ``algorithm_name`` is the JWK's
    ``alg``, else ``algorithm``, else inferred from ``kty``/``crv`` as PyJWT does.

    Raises:
        InvalidKeyError: the key material is malformed or does not suit the algorithm.
        PyJWKError: no JWS algorithm can use this key (for example ``alg: A256GCM``).
    """

    def __init__(
        self,
        jwk_data: Mapping[str, Any],
        algorithm: str | None = None,
        *,
        allow_roca: bool = False,
    ) -> None:
        if algorithm is None:
            _refuse_agreement_key(jwk_data)
        self.key: JWKKey = key_from_jwk(jwk_data, allow_roca=allow_roca)
        self._jwk_data = dict(jwk_data)
        kid = self._jwk_data.get("kid")
        jwk_alg = self._jwk_data.get("alg")
        #: Whether the algorithm was named (by the JWK's ``alg`` or by the caller), not inferred.
        self._alg_named = algorithm is not None or jwk_alg is not None
        if algorithm is None:
            algorithm = jwk_alg
        elif jwk_alg is not None and jwk_alg != algorithm:
            raise PyJWKError(
                f'JWK "{escape(kid)}" is for {escape(jwk_alg)}, not {escape(algorithm)}'
            )
        self.key_type: str = self._jwk_data["kty"]
        if algorithm is None:
            algorithm = _default_algorithm(self.key)
        row = _jwa.row(algorithm)
        if row is None or row.family == "none":
            raise PyJWKError(  # PyJWT's text, then the kid and alg (not the whole JWK)
                "Unable to find an algorithm for key:"
                f" kid=\"{escape(kid)}\", alg='{escape(algorithm)}'"
            )
        check_alg_fits(algorithm, self.key_type, self._jwk_data.get("crv"))
        self.algorithm_name: str = algorithm
        self.key_id: str | None = kid
        self.public_key_use: str | None = self._jwk_data.get("use")
        self.key_ops: list[str] | None = self._jwk_data.get("key_ops")

    @property
    def Algorithm(self) -> Algorithm:  # noqa: N802 - PyJWT's attribute name
        """The :mod:`jwtlite.algorithms` object for :attr:`algorithm_name`."""
        return get_algorithm_by_name(self.algorithm_name)

    @property
    def has_explicit_alg(self) -> bool:
        """True when the JWK itself names its algorithm (and so may be used for no other)."""
        return "alg" in self._jwk_data

    @staticmethod
    def from_dict(
        obj: Mapping[str, Any], algorithm: str | None = None, *, allow_roca: bool = False
    ) -> PyJWK:
        """Build from a parsed JWK object."""
        return PyJWK(obj, algorithm, allow_roca=allow_roca)

    @staticmethod
    def from_json(
        data: str | bytes, algorithm: str | None = None, *, allow_roca: bool = False
    ) -> PyJWK:
        """Build from JWK JSON text (strict JSON: duplicate members are refused)."""
        return PyJWK(_loads(data, "JWK", InvalidKeyError), algorithm, allow_roca=allow_roca)

    def __repr__(self) -> str:
        kid = "None" if self.key_id is None else f'"{escape(self.key_id)}"'
        return f"<PyJWK kty={self.key_type} alg={escape(self.algorithm_name)} kid={kid}>"


def _loads(data: Any, what: str, error: type[Exception]) -> dict[str, Any]:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if not isinstance(raw, (bytes, bytearray)):
        raise error(f"{what} JSON must be str or bytes, not {type(data).__name__}")
    try:
        return loads_object(bytes(raw), what)
    except DecodeError as exc:
        raise error(str(exc) + _hints.key_text(bytes(raw))) from None


class PyJWKSet:
    """A parsed JWK Set; PyJWT-compatible, with a record of the keys it could not use.

    Attributes:
        keys: the usable keys, as :class:`~jwtlite.jwk.PyJWK`, in set order.
        skipped: ``(member, reason)`` for every member that was not usable.

    ``allow_roca`` lets members with a ROCA modulus in (CVE-2017-15361), for verification only.

    Raises:
        PyJWKSetError: the value is not a list, is empty or too long, or no member is usable.
    """

    def __init__(self, keys: list[Any], *, allow_roca: bool = False) -> None:
        if not keys:  # checked first, as PyJWT does: its text for any empty value
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value") from PyJWKSetError("keys must be a list")
        if len(keys) > MAX_KEYS:
            raise PyJWKSetError(f"The JWK Set has {len(keys)} keys; at most {MAX_KEYS} allowed")
        self.keys: list[PyJWK] = []
        self.skipped: list[tuple[Any, str]] = []
        for member in keys:
            parsed = _parse_member(member, allow_roca)
            if isinstance(parsed, PyJWK):
                self.keys.append(parsed)
            else:
                self.skipped.append((member, parsed))
        if not self.keys:
            reasons = summarise(reason for _, reason in self.skipped)
            raise PyJWKSetError(f"The JWK Set did not contain any usable keys ({reasons})")

    @staticmethod
    def from_dict(obj: Mapping[str, Any], *, allow_roca: bool = False) -> PyJWKSet:
        """Build from a parsed ``{"keys": [...]}`` object."""
        if not isinstance(obj, Mapping):
            raise PyJWKSetError("A JWK Set must be a JSON object")
        return PyJWKSet(obj.get("keys", []), allow_roca=allow_roca)

    @staticmethod
    def from_json(data: str | bytes, *, allow_roca: bool = False) -> PyJWKSet:
        """Build from JWK Set JSON text (strict JSON)."""
        return PyJWKSet.from_dict(_loads(data, "JWK Set", PyJWKSetError), allow_roca=allow_roca)

    def __getitem__(self, kid: str) -> PyJWK:
        # PyJWT raises KeyError here, and dict-style lookup promises it: KeyNotInSetError is
        # one, and a jwtlite error too.
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyNotInSetError(f"keyset has no key for kid: {escape(kid)}")

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[PyJWK]:
        """The usable keys in set order, as PyJWT's ``for key in keyset``."""
        return iter(self.keys)

    def __repr__(self) -> str:
        return f"<PyJWKSet keys={len(self.keys)} skipped={len(self.skipped)}>"


def _parse_member(member: Any, allow_roca: bool) -> PyJWK | str:
    """The member as a PyJWK, or why it cannot be one."""
    try:
        return PyJWK(member, allow_roca=allow_roca)
    except PyJWTError as exc:
        return str(exc)


# --- choosing a key for one operation ------------------------------------------------------


def _unusable_reason(jwk: PyJWK, alg: str, operation: str) -> str | None:
    """Why ``jwk`` may not perform ``operation`` with ``alg``, or None when it may."""
    row = _jwa.row(alg)
    if row is None or row.family == "none":
        return f"'{escape(alg)}' is not a JWS signature algorithm"
    unfit = _jwa.unfit_reason(row, jwk.key_type, key_curve(jwk.key))
    if unfit is not None:
        return unfit
    if jwk.has_explicit_alg and jwk.algorithm_name != alg:
        return f"the key is for {escape(jwk.algorithm_name)} only, not {escape(alg)}"
    if jwk.public_key_use is not None and jwk.public_key_use != "sig":
        return f'the key\'s "use" is \'{escape(jwk.public_key_use)}\', not "sig"'
    if jwk.key_ops is not None and operation not in jwk.key_ops:
        return f'the key\'s "key_ops" do not include "{operation}"'
    if operation == "sign" and row.kty != "oct" and not isinstance(jwk.key, PRIVATE_KEY_TYPES):
        return "a public key cannot sign"
    return None


def _checked(jwk: PyJWK, alg: str, operation: str) -> JWKKey:
    if jwk._alg_named and jwk.algorithm_name != alg:
        # PyJWT's error and text: the key's algorithm, not the token's, decides.
        raise InvalidAlgorithmError(
            f"Token algorithm '{escape(alg)}' does not match the key's algorithm"
            f" '{escape(jwk.algorithm_name)}'"
        )
    reason = _unusable_reason(jwk, alg, operation)
    if reason is not None:
        raise InvalidKeyError(f'JWK "{escape(jwk.key_id)}" refused: {reason}')
    if operation == "verify" and not isinstance(jwk.key, bytes):
        return jwk.key.public_key()
    return jwk.key


def _select(keys: PyJWKSet, alg: str, kid: str | None, operation: str) -> JWKKey:
    if operation == "verify":
        _refuse_mixed(keys)
    if kid is None:
        fits = [k for k in keys.keys if _unusable_reason(k, alg, operation) is None]
        if len(fits) == 1:
            return _checked(fits[0], alg, operation)
        if not fits:
            raise InvalidKeyError(f"No key in the JWK Set can {operation} {escape(alg)}")
        raise InvalidKeyError(
            f"The token has no kid and {len(fits)} keys in the JWK Set fit {escape(alg)};"
            " refusing to guess"
        )
    named = [k for k in keys.keys if k.key_id == kid]
    skipped = skipped_reason(keys, kid)
    if not named:
        detail = f" (it was skipped: {skipped})" if skipped else ""
        raise PyJWKSetError(f'No usable key in the JWK Set has kid "{escape(kid)}"{detail}')
    if skipped is not None:
        raise PyJWKSetError(
            f'kid "{escape(kid)}" names a usable key and a skipped member ({skipped}); '
            "refusing an ambiguous JWK Set"
        )
    if len(named) == 1:
        return _checked(named[0], alg, operation)
    # RFC 7517 §4.5 lets keys of different types share a kid; the algorithm separates them.
    fits = [k for k in named if _unusable_reason(k, alg, operation) is None]
    if len(fits) != 1:
        raise InvalidKeyError(
            f'{len(named)} keys share kid "{escape(kid)}" and {len(fits)} of them fit'
            f" {escape(alg)}"
        )
    return _checked(fits[0], alg, operation)


def _refuse_mixed(keys: PyJWKSet) -> None:
    """A set holding secrets and public keys is refused for verification (RFC 8725 §2.1, §3.1).

    Such a set has published (or is about to publish) a secret beside the public keys, and it
    makes every key-confusion attempt a matter of picking the right ``kid``.
    """
    symmetric = {jwk.key_type == "oct" for jwk in keys.keys}
    if len(symmetric) > 1:
        raise PyJWKSetError(
            "The JWK Set mixes symmetric (oct) and asymmetric keys; refusing to verify with it"
        )


def skipped_reason(keys: PyJWKSet, kid: str) -> str | None:
    """Why a skipped member of ``keys`` with this ``kid`` was skipped, or None if there is none."""
    return next((why for member, why in keys.skipped if _member_kid(member) == kid), None)


def _member_kid(member: Any) -> Any:
    return member.get("kid") if isinstance(member, Mapping) else None


def resolve_key(key: Any, *, alg: str, kid: str | None, operation: str) -> JWKKey:
    """The key to ``operation`` (``"sign"`` or ``"verify"``) a JWS with ``alg`` and ``kid``.

    ``key`` is a :class:`PyJWK`, a :class:`PyJWKSet`, a JWK dict, or a JWK Set dict (a mapping
    with a ``keys`` list). For verification the public half of a private key is returned.

    Raises:
        InvalidAlgorithmError: the chosen key names an algorithm other than ``alg`` (PyJWT).
        PyJWKSetError: a set has no usable key with this ``kid``, or the set itself is unusable.
        InvalidKeyError: the chosen key's type, ``alg``, ``use`` or ``key_ops`` forbid this
            use, or (without a ``kid``) no single key in the set fits.
    """
    if operation not in _OPERATIONS:
        raise InvalidKeyError(f"operation must be 'sign' or 'verify', not {quoted(operation)}")
    if kid is not None and not isinstance(kid, str):
        raise InvalidKeyError("kid must be a string")
    if not isinstance(alg, str):
        raise InvalidKeyError("alg must be a string")
    if isinstance(key, Mapping):
        if "keys" in key:
            key = PyJWKSet.from_dict(key)
        else:
            try:
                key = PyJWK(key)
            except PyJWKError as exc:
                raise InvalidKeyError(str(exc)) from None
    if isinstance(key, PyJWKSet):
        return _select(key, alg, kid, operation)
    if isinstance(key, PyJWK):
        return _checked(key, alg, operation)
    raise InvalidKeyError(f"Expected a JWK, JWK Set or PyJWK, not {type(key).__name__}")
