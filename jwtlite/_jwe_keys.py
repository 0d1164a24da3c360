"""Choosing and preparing the key for one JWE operation (RFC 7516 §5.1 step 1, §5.2 step 8).

Keys come as for JWS: a JWK or JWK Set (dict, :class:`~jwtlite.jwk.PyJWK`,
:class:`~jwtlite.jwk.PyJWKSet`), PEM/DER text, a ``cryptography`` object or a model key; and
for the ``oct`` algorithms, the key's octets (``dir``, A*KW, A*GCMKW) or a password (PBES2).

Selection follows ``jwk``'s rules, with JWE's meanings (RFC 7517 §4.2-4.4): the token's
``kid`` picks the key, and only without one does the algorithm pick, and then only a unique
match (never trying keys in turn). A JWK's ``use`` must be ``enc`` when present, its
``key_ops`` must include the operation, and its own ``alg`` binds it: a key labelled
``RSA-OAEP-256`` never decrypts ``RSA1_5``. (RFC 7520 §3.6 labels a ``dir`` key with the
``enc`` it serves, so for ``dir`` either name binds.) Key lengths are exact: a 32-byte key is
no A128KW key, and a ``dir`` key is as long as the ``enc`` needs.

PyJWT's PyJWK has no JWE algorithms, so a :class:`PyJWKSet` keeps a JWK labelled
``RSA-OAEP`` (or an X25519 key) among its ``skipped`` members; they are read from there, except
those a JWKS client refused in a fetched set (``oct`` secrets and private keys published on
the web: anyone could encrypt a token to them, or read them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import _hmac_guard
from ._cache import IdentityCache
from ._escape import escape_kid, quoted
from ._jwa import JWEAlgorithm, JWEEncryption, key_phrase
from ._jwe_keymgmt import PreparedKey
from ._jwe_limits import RSA_MIN_BITS
from ._jwkformat import JWKKey, key_from_jwk
from ._keymodel import (
    KEY_TYPES,
    PRIVATE_KEY_TYPES,
    RSAPrivateKey,
    RSAPublicKey,
    key_curve,
    key_kty,
)
from ._values import utf8
from .exceptions import InvalidKeyError, PyJWTError, UnusableKeyError
from .jwk import MAX_KEYS, REFUSED_WHEN_FETCHED, PyJWK, PyJWKSet
from .keys import is_public_key_material, load_key

__all__ = ["prepare_key"]

#: RFC 7517 §4.3 ``key_ops`` values that allow each family's operation.
_OPERATIONS: dict[tuple[str, str], frozenset[str]] = {
    ("dir", "encrypt"): frozenset({"encrypt"}),
    ("dir", "decrypt"): frozenset({"decrypt"}),
    ("wrap", "encrypt"): frozenset({"wrapKey", "encrypt"}),
    ("wrap", "decrypt"): frozenset({"unwrapKey", "decrypt"}),
    ("derive", "encrypt"): frozenset({"deriveKey", "deriveBits", "wrapKey", "encrypt"}),
    ("derive", "decrypt"): frozenset({"deriveKey", "deriveBits", "unwrapKey", "decrypt"}),
}
_FAMILY_OPS = {
    "dir": "dir",
    "rsa1_5": "wrap",
    "rsa-oaep": "wrap",
    "aes-kw": "wrap",
    "aes-gcm-kw": "wrap",
    "ecdh-es": "derive",
    "ecdh-es-kw": "derive",
    "pbes2": "derive",
}


def _fail(message: str, operation: str) -> InvalidKeyError:
    # On decryption the token's header chose the key: catchable as a bad token too.
    return UnusableKeyError(message) if operation == "decrypt" else InvalidKeyError(message)


def prepare_key(
    key: Any, alg: JWEAlgorithm, enc: JWEEncryption, *, kid: str | None, operation: str
) -> tuple[PreparedKey, str | None]:
    """The key to ``operation`` (``"encrypt"`` or ``"decrypt"``) with ``alg``/``enc``, and the
    ``kid`` of the JWK it came from (None for other forms).

    For encryption the public half of a private key is used; decryption needs the private key.

    Raises:
        InvalidKeyError: no key fits (UnusableKeyError when decrypting: the token chose it).
    """
    kind = type(key)
    if kind in _FIXED:
        cached = _PREPARED.lookup(key)
        entry = (alg.name, enc.name, operation)
        if isinstance(cached, dict) and entry in cached:
            return cached[entry], None
        prepared = _prepare_fixed(key, alg, enc, operation)
        table = cached if isinstance(cached, dict) else {}
        table[entry] = prepared
        _PREPARED.store(key, table)
        return prepared, None
    members = _members(key)
    if members is not None:
        # A single JWK is the caller's choice, as for JWS: the token's kid picks within sets.
        single = isinstance(key, PyJWK) or (isinstance(key, Mapping) and "keys" not in key)
        jwk, chosen = _select(members, alg, enc, None if single else kid, operation)
        return _finish(chosen, alg, enc, operation), _kid_of(jwk)
    return _prepare_fixed(key, alg, enc, operation), None


#: Key forms that cannot change once passed (``docs/architecture.md``, per-key caching): their
#: prepared form is kept per object, so a service decrypting with one configured key reads
#: and checks it once, not on every token.
_FIXED = frozenset({str, bytes, *KEY_TYPES})
#: Per key object: ``{(alg, enc, operation): prepared key}``. Bounded; emptied by
#: ``jwtlite.clear_caches()``.
_PREPARED = IdentityCache("prepared JWE keys", 256)


def _prepare_fixed(key: Any, alg: JWEAlgorithm, enc: JWEEncryption, operation: str) -> PreparedKey:
    """A key given as octets, a password, a key text, a key object: no JWK metadata."""
    if alg.ktys == ("oct",):
        return _secret(key, alg, enc, operation)
    if isinstance(key, (str, bytes, bytearray)) and not is_public_key_material(key):
        raise _fail(f"{alg.name} needs an asymmetric key (PEM, DER, JWK or key object)", operation)
    try:
        loaded = load_key(key)
    except InvalidKeyError as exc:
        raise _fail(str(exc), operation) from None
    return _finish(loaded, alg, enc, operation)


def _kid_of(jwk: Mapping[str, Any]) -> str | None:
    kid = jwk.get("kid")
    return kid if isinstance(kid, str) else None


def _members(key: Any) -> list[tuple[Mapping[str, Any], JWKKey | None]] | None:
    """The JWKs in ``key`` with their parsed key where known, or None if it is no JWK form."""
    if isinstance(key, PyJWK):
        return [(key._jwk_data, key.key)]
    if isinstance(key, PyJWKSet):
        kept: list[tuple[Mapping[str, Any], JWKKey | None]] = [(k._jwk_data, k.key) for k in key]
        # Not what a JWKS client refused in a fetched set: a published secret, a leaked key.
        return kept + [(m, None) for m, why in key.skipped
                       if isinstance(m, Mapping) and isinstance(why, str)
                       and REFUSED_WHEN_FETCHED not in why]  # fmt: skip
    if not isinstance(key, Mapping):
        return None
    if "keys" not in key:
        return [(key, None)]
    keys = key["keys"]
    if not isinstance(keys, list) or len(keys) > MAX_KEYS:
        raise InvalidKeyError(f'A JWK Set\'s "keys" must be a list of at most {MAX_KEYS} keys')
    return [(m, None) for m in keys if isinstance(m, Mapping)]


def _select(
    members: list[tuple[Mapping[str, Any], JWKKey | None]],
    alg: JWEAlgorithm,
    enc: JWEEncryption,
    kid: str | None,
    operation: str,
) -> tuple[Mapping[str, Any], JWKKey]:
    if kid is not None:
        members = [(m, k) for m, k in members if m.get("kid") == kid]
        if not members:
            raise _fail(f'No key in the JWK Set has kid "{escape_kid(kid)}"', operation)
    fits: list[tuple[Mapping[str, Any], JWKKey]] = []
    reasons: list[str] = []
    for data, parsed in members:
        try:
            loaded = key_from_jwk(data) if parsed is None else parsed
        except PyJWTError as exc:
            reasons.append(str(exc))
            continue
        why = _unusable(data, loaded, alg, enc, operation)
        if why is None:
            fits.append((data, loaded))
        else:
            reasons.append(why)
    if len(fits) == 1:
        return fits[0]
    if not fits:
        detail = f" ({'; '.join(sorted(set(reasons)))})" if reasons else ""
        raise _fail(f"No JWK can {operation} with {alg.name}{detail}", operation)
    named = f'share kid "{escape_kid(kid)}"' if kid is not None else "fit and the token has no kid"
    raise _fail(f"{len(fits)} JWKs {named} for {alg.name}; refusing to guess", operation)


def _unusable(
    data: Mapping[str, Any], key: JWKKey, alg: JWEAlgorithm, enc: JWEEncryption, operation: str
) -> str | None:
    """Why this JWK may not ``operation`` with ``alg``, or None when it may."""
    if not alg.fits(key_kty(key), key_curve(key)):
        return f"{key_phrase(key_kty(key), key_curve(key))} cannot be used for {alg.name}"
    use = data.get("use")
    if use is not None and use != "enc":
        return f'the key\'s "use" is {quoted(use)}, not "enc"'
    ops = data.get("key_ops")
    allowed = _OPERATIONS[_FAMILY_OPS[alg.family], operation]
    if ops is not None and not allowed.intersection(ops):
        return f'the key\'s "key_ops" allow none of {", ".join(sorted(allowed))}'
    own = data.get("alg")
    if own is not None and own != alg.name and not (alg.name == "dir" and own == enc.name):
        return f"the key is for {own} only, not {alg.name}"
    if operation == "decrypt" and alg.ktys != ("oct",) and not isinstance(key, PRIVATE_KEY_TYPES):
        return "a public key cannot decrypt"
    wanted = _secret_size(alg, enc)
    if isinstance(key, bytes) and wanted and len(key) != wanted:
        return f"the key is {len(key)} bytes, {alg.name} with {enc.name} needs {wanted}"
    return None


def _secret_size(alg: JWEAlgorithm, enc: JWEEncryption) -> int:
    """The exact key size (RFC 7518 §4.4, §4.7, §5.2.3-5.3), or 0: a password has any size."""
    if alg.family == "dir":
        return enc.key_bytes
    return 0 if alg.family == "pbes2" else alg.kek_bytes


def _finish(key: JWKKey, alg: JWEAlgorithm, enc: JWEEncryption, operation: str) -> PreparedKey:
    """The key as ``alg`` uses it: checked against the row, public half for encryption."""
    if isinstance(key, bytes):
        return _secret(key, alg, enc, operation)
    unfit = _unusable({}, key, alg, enc, operation)
    if unfit is not None:
        raise _fail(unfit, operation)
    if isinstance(key, (RSAPublicKey, RSAPrivateKey)) and key.n.bit_length() < RSA_MIN_BITS:
        # RFC 7518 §4.2 / §4.3: "A key of size 2048 bits or larger MUST be used".
        raise _fail(f"{alg.name} needs an RSA key of {RSA_MIN_BITS} bits or more", operation)
    return key.public_key() if operation == "encrypt" else key


def _secret(key: Any, alg: JWEAlgorithm, enc: JWEEncryption, operation: str) -> bytes:
    if alg.ktys != ("oct",):
        raise _fail(f"{alg.name} cannot use a symmetric key", operation)
    if alg.family == "pbes2" and isinstance(key, str):
        # RFC 7518 §4.8.1: the password as UTF-8 octets
        secret = utf8(key, "the PBES2 password", InvalidKeyError)
    elif isinstance(key, (bytes, bytearray)):
        secret = bytes(key)
    elif isinstance(key, str):
        raise _fail(f"pass the {alg.name} key as bytes, not str (a text key is no AES key)",
                    operation)  # fmt: skip
    else:
        raise _fail(f"{alg.name} needs a key as bytes, not {type(key).__name__}", operation)
    if not secret:
        raise _fail(f"the {alg.name} key is empty", operation)
    if _hmac_guard.refusal(secret) is not None or is_public_key_material(secret):
        # RFC 8725 §3.1 key confusion: a PEM, SSH or JWK text is someone's key, never a secret;
        # by its look too, as for an HMAC secret (a UTF-16 or damaged PEM, say, does not parse).
        raise _fail(f"key material (PEM, SSH or JWK text) cannot be a {alg.name} secret", operation)
    wanted = _secret_size(alg, enc)
    if wanted and len(secret) != wanted:
        what = f"{alg.name} with {enc.name}" if alg.family == "dir" else alg.name
        raise _fail(f"{what} needs a {wanted}-byte key, not {len(secret)} bytes", operation)
    return secret
