"""python-jose's ``jose.jws``: sign and verify compact JWS strings.

Parsing is jwtlite's (:func:`jwtlite.jws.parse_compact`: a size limit first, strict
base64url and JSON, ``crit`` honoured); python-jose's error texts come out. A key may be one
key or several (a list, a JWK Set, a dict of certificates, or JSON text of those), tried in
turn as python-jose does, with three differences, each a safety one:

- ``algorithms=None`` lets the token's ``alg`` choose only among the algorithms the key itself
  can serve (a secret: HS256/384/512; an RSA key: RS256/384/512; an EC key: the ES algorithm
  of its curve). python-jose used the key with whatever ``alg`` the token named.
- A JWK in a set is skipped when the token's ``kid`` names another key, or when its ``alg``,
  ``use`` or ``key_ops`` forbid verification (RFC 7517 §4); a set holds at most 256 keys.
- The ``alg`` written into a header is always the algorithm that signed (a ``headers`` entry
  cannot replace it), and only a list or string of names allows algorithms (never a
  substring test on a string). A key object signs and verifies only with the algorithm it
  was built for.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import _hints
from .. import jws as _jws
from .._escape import escape
from .._json import dumps
from .._values import utf8
from ..b64url import b64url_decode, b64url_encode
from ..exceptions import DecodeError, InvalidTokenError, PyJWTError
from ..jwk import MAX_KEYS, resolve_key
from . import jwk
from .backends.base import Key
from .constants import ALGORITHMS
from .exceptions import JWKError, JWSError

__all__ = [
    "get_unverified_claims",
    "get_unverified_header",
    "get_unverified_headers",
    "sign",
    "verify",
]


def sign(
    payload: bytes | str | Mapping[str, Any],
    key: Any,
    headers: Mapping[str, Any] | None = None,
    algorithm: str = ALGORITHMS.HS256,
) -> str:
    """A compact JWS of ``payload`` (bytes, str, or a mapping written as JSON).

    Raises:
        JWSError: the algorithm is not supported, or the key cannot sign with it.
    """
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS.SUPPORTED:
        raise JWSError(f"Algorithm {escape(algorithm)} not supported.")
    encoded_header = _encode_header(algorithm, additional_headers=headers)
    encoded_payload = _encode_payload(payload)
    return _sign_header_and_claims(encoded_header, encoded_payload, algorithm, key)


def verify(token: str | bytes, key: Any, algorithms: Any, verify: bool = True) -> bytes:
    """The payload of ``token`` (bytes) once its signature verifies with ``key``.

    Raises:
        JWSError: the token is malformed, its ``alg`` is not allowed, or no key verifies it.
        JWKError: the one key given cannot serve the token's ``alg``.
    """
    header, payload, signing_input, signature = _load(token)
    if verify:
        _verify_signature(signing_input, header, signature, key, algorithms)
    return payload


def get_unverified_header(token: str | bytes) -> dict[str, Any]:
    """The header of ``token``, NOT verified."""
    return _load(token)[0]


def get_unverified_headers(token: str | bytes) -> dict[str, Any]:
    """The header of ``token``, NOT verified (python-jose's older name)."""
    return get_unverified_header(token)


def get_unverified_claims(token: str | bytes) -> bytes:
    """The payload of ``token`` as bytes, NOT verified."""
    return _load(token)[1]


# --- producing ------------------------------------------------------------------------------


def _encode_header(algorithm: str, additional_headers: Mapping[str, Any] | None = None) -> bytes:
    try:
        header = _jws.build_header(
            algorithm=algorithm, headers=additional_headers, typ="JWT", detached=False
        )
        return b64url_encode(dumps(header, sort_keys=True)).encode("ascii")
    except (PyJWTError, TypeError, ValueError) as exc:
        raise JWSError(f"Invalid header: {exc}") from exc


def _encode_payload(payload: Any) -> bytes:
    if isinstance(payload, Mapping):
        try:
            payload = dumps(payload)
        except (TypeError, ValueError) as exc:
            raise JWSError(f"Invalid payload: {exc}") from exc
    elif isinstance(payload, str):
        payload = utf8(payload, "Invalid payload: the payload", JWSError)
    elif not isinstance(payload, bytes):
        raise JWSError(f"Invalid payload: expected bytes, str or a mapping, not {type(payload)}")
    return b64url_encode(payload).encode("ascii")


def _sign_header_and_claims(
    encoded_header: bytes, encoded_claims: bytes, algorithm: str, key: Any
) -> str:
    signing_input = encoded_header + b"." + encoded_claims
    if isinstance(key, Key) and not _serves(key, algorithm):
        # It would sign with its own algorithm under a header naming another (RFC 8725 §3.1).
        own = escape(getattr(key, "_algorithm", None))
        raise JWSError(f"The key object is built for {own}, not {escape(algorithm)}")
    try:
        if not isinstance(key, Key):
            key = _key_for(key, algorithm, "sign")
        signature = key.sign(signing_input)
    except (PyJWTError, NotImplementedError) as exc:
        # python-jose's contract: any failure to sign is a JWSError.
        raise JWSError(str(exc) or type(exc).__name__) from exc
    return (signing_input + b"." + b64url_encode(signature).encode("ascii")).decode("ascii")


def _key_for(key: Any, algorithm: str, operation: str) -> Key:
    """``jwk.construct`` for one key; a JWK must also allow ``operation`` with ``algorithm``
    (its ``alg``, ``use`` and ``key_ops``, RFC 7517 §4.2-4.4, checked by jwtlite)."""
    if isinstance(key, Mapping) and "kty" in key and algorithm in _JWS_ALGORITHMS:
        try:
            resolve_key(key, alg=algorithm, kid=None, operation=operation)
        except PyJWTError as exc:
            raise JWKError(str(exc)) from exc
    return jwk.construct(key, algorithm)


#: The signature algorithms python-jose has (what a JWK's metadata is checked against).
_JWS_ALGORITHMS = frozenset(ALGORITHMS.HMAC | ALGORITHMS.RSA_DS | ALGORITHMS.EC_DS)


# --- reading --------------------------------------------------------------------------------


def _load(jwt: str | bytes) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """``(header, payload, signing_input, signature)`` of a compact JWS, strictly decoded."""
    try:
        parsed = _jws.parse_compact(jwt)
        if parsed.header.get("b64", True) is not True:
            raise DecodeError("Unencoded payloads (RFC 7797 'b64': false) are not supported")
        try:
            payload = b64url_decode(parsed.payload_segment)
        except DecodeError as exc:
            raise DecodeError("Invalid payload padding") from exc
    except InvalidTokenError as exc:
        _hints.detach(exc)
        raise JWSError(str(exc)) from exc
    return parsed.header, payload, parsed.signing_input, parsed.signature


def _get_keys(key: Any) -> Iterable[Any]:
    """The keys ``key`` stands for, as python-jose reads it: a Key object; JSON text (read
    first); a JWK Set (its ``keys``); one JWK; another mapping (its values: Firebase's
    ``{kid: certificate}``); any other collection; else the key alone."""
    if isinstance(key, Key):
        return (key,)
    if isinstance(key, (str, bytes)):
        # python-jose's reading: numbers stay text, so a secret "1234" is the text "1234".
        with contextlib.suppress(ValueError, RecursionError):
            key = json.loads(key, parse_int=str, parse_float=str)
    if isinstance(key, Mapping):
        if "keys" in key:
            members: Iterable[Any] = key["keys"]
            return members
        if "kty" in key:
            return (key,)
        values = key.values()
        return values if values else (key,)
    if isinstance(key, Iterable) and not isinstance(key, (str, bytes)):
        return key
    return (key,)


def _candidates(key: Any, kid: Any) -> list[Any]:
    """The keys to try, at most :data:`~jwtlite.jwk.MAX_KEYS`; with the token's ``kid``, a
    JWK naming another ``kid`` is left out."""
    found = _get_keys(key)
    if isinstance(found, (str, bytes)) or not isinstance(found, Iterable):
        found = (found,)
    keys = list(itertools.islice(found, MAX_KEYS + 1))
    if len(keys) > MAX_KEYS:
        raise JWSError(f"More than {MAX_KEYS} keys to try")
    if isinstance(kid, str):
        keys = [k for k in keys if not (isinstance(k, Mapping) and k.get("kid", kid) != kid)]
    return keys


def _sig_matches_keys(
    keys: Sequence[Any], signing_input: bytes, signature: bytes, alg: str
) -> bool:
    for candidate in keys:
        if isinstance(candidate, Key) and not _serves(candidate, alg):
            continue  # it would verify with its own algorithm, not the token's
        try:
            key = candidate if isinstance(candidate, Key) else _key_for(candidate, alg, "verify")
        except JWKError:
            if len(keys) == 1:
                raise  # the caller's one key cannot serve this alg: say why (python-jose)
            continue  # one member of a set that does not fit this alg
        if _verifies(key, signing_input, signature):
            return True
    return False


def _serves(key: Key, alg: str) -> bool:
    """Whether a key object may verify a token of ``alg``: the face's key classes verify with
    the algorithm they were built for (``_algorithm``), whatever the header says, so another
    ``alg`` would pass the allow-list while a different algorithm signed (an HS256 key object
    accepting a token labelled RS256). A registered class without ``_algorithm`` decides."""
    own = getattr(key, "_algorithm", None)
    return not isinstance(own, str) or own == alg


def _verifies(key: Key, signing_input: bytes, signature: bytes) -> bool:
    try:
        return bool(key.verify(signing_input, signature))
    except Exception:
        return False


def _allowed(algorithms: Any) -> Sequence[Any] | None:
    if algorithms is None or (
        isinstance(algorithms, Sequence) and not isinstance(algorithms, (str, bytes))
    ):
        return algorithms
    if isinstance(algorithms, (str, bytes)):
        return (algorithms,)  # one name; never a substring test
    try:
        return list(algorithms)
    except TypeError:
        raise JWSError("algorithms must be a list of algorithm names") from None


def _verify_signature(
    signing_input: bytes,
    header: Mapping[str, Any],
    signature: bytes,
    key: Any = "",
    algorithms: Any = None,
) -> None:
    alg = header.get("alg")
    if not alg:
        raise JWSError("No algorithm was specified in the JWS header.")
    allowed = _allowed(algorithms)
    if allowed is not None and alg not in allowed:
        raise JWSError("The specified alg value is not allowed")
    if not _sig_matches_keys(_candidates(key, header.get("kid")), signing_input, signature, alg):
        raise JWSError("Signature verification failed.")
