"""The choice of one key, from a JWK or a JWK Set, for one JWS operation.

Selection never tries every key in turn: the token's ``kid`` picks the key, and only without a
``kid`` does the algorithm (its ``kty`` and ``crv``) pick, and then only a unique match. Trying
keys until one verifies would let an attacker probe a set and multiply the cost of every bad
token. Key metadata is enforced (RFC 7517 §4.2-4.4): ``use`` other than ``sig``, ``key_ops``
lacking the operation, or an ``alg`` other than the token's, each refuse the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .exceptions import InvalidKeyError, PyJWKError, PyJWKSetError
from .jwk import ALGORITHM_KEY_TYPES, JWKKey, PyJWK, PyJWKSet
from .keys import ECPrivateKey, OKPPrivateKey, RSAPrivateKey

__all__ = ["resolve_key"]

_PRIVATE = (RSAPrivateKey, ECPrivateKey, OKPPrivateKey)
#: RFC 7517 §4.3 key_ops values for the two JWS operations.
_OPERATIONS = ("sign", "verify")


def _unusable_reason(jwk: PyJWK, alg: str, operation: str) -> str | None:
    """Why ``jwk`` may not perform ``operation`` with ``alg``, or None when it may."""
    want = ALGORITHM_KEY_TYPES.get(alg)
    if want is None:
        return f"{alg!r} is not a JWS signature algorithm"
    kty, curves = want
    crv = getattr(jwk.key, "curve", None)
    if jwk.key_type != kty or (curves is not None and crv not in curves):
        return f"a {jwk.key_type}{' ' + crv if crv else ''} key cannot be used for {alg}"
    if jwk.has_explicit_alg and jwk.algorithm_name != alg:
        return f"the key is for {jwk.algorithm_name} only, not {alg}"
    if jwk.public_key_use is not None and jwk.public_key_use != "sig":
        return f'the key\'s "use" is {jwk.public_key_use!r}, not "sig"'
    if jwk.key_ops is not None and operation not in jwk.key_ops:
        return f'the key\'s "key_ops" do not include "{operation}"'
    if operation == "sign" and kty != "oct" and not isinstance(jwk.key, _PRIVATE):
        return "a public key cannot sign"
    return None


def _checked(jwk: PyJWK, alg: str, operation: str) -> JWKKey:
    reason = _unusable_reason(jwk, alg, operation)
    if reason is not None:
        raise InvalidKeyError(f"JWK {jwk.key_id!r} refused: {reason}")
    if operation == "verify" and not isinstance(jwk.key, bytes):
        return jwk.key.public_key()
    return jwk.key


def _select(keys: PyJWKSet, alg: str, kid: str | None, operation: str) -> JWKKey:
    if kid is None:
        fits = [k for k in keys.keys if _unusable_reason(k, alg, operation) is None]
        if len(fits) == 1:
            return _checked(fits[0], alg, operation)
        if not fits:
            raise InvalidKeyError(f"No key in the JWK Set can {operation} {alg}")
        raise InvalidKeyError(
            f"The token has no kid and {len(fits)} keys in the JWK Set fit {alg}; refusing to guess"
        )
    named = [k for k in keys.keys if k.key_id == kid]
    if not named:
        skipped = [why for member, why in keys.skipped if _member_kid(member) == kid]
        detail = f" (it was skipped: {skipped[0]})" if skipped else ""
        raise PyJWKSetError(f"No usable key in the JWK Set has kid {kid!r}{detail}")
    if len(named) == 1:
        return _checked(named[0], alg, operation)
    # RFC 7517 §4.5 lets keys of different types share a kid; the algorithm separates them.
    fits = [k for k in named if _unusable_reason(k, alg, operation) is None]
    if len(fits) != 1:
        raise InvalidKeyError(
            f"{len(named)} keys share kid {kid!r} and {len(fits)} of them fit {alg}"
        )
    return _checked(fits[0], alg, operation)


def _member_kid(member: Any) -> Any:
    return member.get("kid") if isinstance(member, Mapping) else None


def resolve_key(key: Any, *, alg: str, kid: str | None, operation: str) -> JWKKey:
    """The key to ``operation`` (``"sign"`` or ``"verify"``) a JWS with ``alg`` and ``kid``.

    ``key`` is a :class:`PyJWK`, a :class:`PyJWKSet`, a JWK dict, or a JWK Set dict (a mapping
    with a ``keys`` list). For verification the public half of a private key is returned.

    Raises:
        PyJWKSetError: a set has no usable key with this ``kid``, or the set itself is unusable.
        InvalidKeyError: the chosen key's type, ``alg``, ``use`` or ``key_ops`` forbid this
            use, or (without a ``kid``) no single key in the set fits.
    """
    if operation not in _OPERATIONS:
        raise InvalidKeyError(f"operation must be 'sign' or 'verify', not {operation!r}")
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
