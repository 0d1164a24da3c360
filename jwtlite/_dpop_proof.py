"""DPoP proofs as a client makes them (RFC 9449 §4.2): :class:`DPoPKey` and :func:`make_proof`.

What the client and the server sides share lives here too: the proof's ``typ``, which JWS
algorithms may sign a proof (asymmetric signatures only, §4.2 and §11.6), the syntax of nonces
(§8.1) and the ``ath`` hash (§4.2). :mod:`jwtlite.dpop` re-exports the public names and adds
the checks a server runs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from . import _jwa
from ._escape import quoted
from ._jwkformat import key_members
from ._keymodel import PRIVATE_KEY_TYPES, key_curve, key_kty, thumbprint_of
from ._uri import normalize_http_uri
from .api import PyJWT
from .b64url import b64url_encode
from .exceptions import DPoPBindingError, DPoPProofError, InvalidArgumentError, InvalidKeyError
from .keys import load_key

__all__ = [
    "ASYMMETRIC_FAMILIES",
    "DPOP_TYP",
    "NONCE_SYNTAX",
    "DPoPKey",
    "access_token_hash",
    "make_proof",
]

#: The ``typ`` of a proof (RFC 9449 §4.2; the media type ``application/dpop+jwt``, §12.5).
DPOP_TYP = "dpop+jwt"
#: JWA families that may sign a proof: asymmetric signatures, never "none" or a MAC (§4.2).
ASYMMETRIC_FAMILIES = frozenset({"rsa-pkcs1", "rsa-pss", "ecdsa", "eddsa"})
#: RFC 9449 §8.1: nonce = 1*NQCHAR.
NONCE_SYNTAX = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
# RFC 9110 §9.1 and §5.6.2: a method is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def access_token_hash(access_token: str) -> str:
    """The ``ath`` of an access token (RFC 9449 §4.2): base64url of the SHA-256 of its ASCII.

    Raises:
        InvalidArgumentError: the token is not ASCII text (no access token is, RFC 6750 §2.1).
    """
    if not isinstance(access_token, str) or not access_token.isascii():
        raise InvalidArgumentError("an access token is ASCII text")
    return b64url_encode(hashlib.sha256(access_token.encode("ascii")).digest())


def check_token(
    claims: Mapping[str, Any], access_token: str, key_jkt: str, jkt: str | None
) -> None:
    """§4.3 check 12 and §7: ``ath`` is the token's hash, the key is the one it is bound to."""
    if not isinstance(access_token, str) or not access_token.isascii():
        raise DPoPProofError("the access token is not ASCII text: no ath can match it")
    if claims.get("ath") != access_token_hash(access_token):
        raise DPoPProofError("the DPoP proof's ath is not the hash of the access token")
    if jkt is not None and key_jkt != jkt:
        raise DPoPBindingError("the DPoP proof's key is not the key the token is bound to")


def _default_algorithm(key: Any) -> str:
    if key_kty(key) == "RSA":
        return "PS256"  # FAPI 2.0's choice among RSA signatures; RS256 may be asked for
    return _jwa.curve_algorithm(key_curve(key) or "")


class DPoPKey:
    """A client's DPoP key: signs proofs, knows its public JWK and thumbprint.

    :param key: a private key in any form :func:`jwtlite.load_key` reads (PEM, a JWK, a key
        from :func:`jwtlite.generate_key`, a ``cryptography`` key object).
    :param algorithm: the proof ``alg``; by default ES256/ES384/ES512 for EC keys by curve,
        EdDSA for Ed25519 and Ed448, PS256 for RSA.

    Raises:
        InvalidKeyError: the key is not a private asymmetric key, or does not fit ``algorithm``.
    """

    def __init__(self, key: Any, *, algorithm: str | None = None) -> None:
        loaded = load_key(key)
        if not isinstance(loaded, PRIVATE_KEY_TYPES):
            raise InvalidKeyError("a DPoP key must be a private asymmetric key")
        alg = algorithm if algorithm is not None else _default_algorithm(loaded)
        row = _jwa.row(alg)
        if row is None or row.family not in ASYMMETRIC_FAMILIES:
            raise InvalidKeyError(f"{quoted(alg)} is not an asymmetric JWS signature algorithm")
        reason = _jwa.unfit_reason(row, key_kty(loaded), key_curve(loaded))
        if reason is not None:
            raise InvalidKeyError(reason)
        self._key = loaded
        self.algorithm: str = alg
        #: The public JWK sent in every proof's header.
        self.public_jwk: dict[str, str] = key_members(loaded, include_private=False)
        #: The RFC 7638 SHA-256 thumbprint: the ``cnf.jkt`` of tokens bound to this key.
        self.jkt: str = thumbprint_of(loaded)
        self._jwt = PyJWT()

    def __repr__(self) -> str:
        return f"DPoPKey(algorithm={self.algorithm!r}, jkt={self.jkt!r})"

    def proof(
        self,
        htm: str,
        htu: str,
        *,
        access_token: str | None = None,
        nonce: str | None = None,
        jti: str | None = None,
        iat: float | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> str:
        """A proof for one request: method ``htm``, URI ``htu`` (its query and fragment are
        dropped, §4.2); ``ath`` when ``access_token`` is given, ``nonce`` when given. ``jti``
        (128 random bits) and ``iat`` (now) are for tests; ``claims`` adds others (§4.2 allows
        them), and may not set the ones above."""
        if not isinstance(htm, str) or not _TOKEN.fullmatch(htm):
            raise InvalidArgumentError("htm must be an HTTP method")
        target = htu.split("#", 1)[0].split("?", 1)[0] if isinstance(htu, str) else None
        if normalize_http_uri(target) is None:
            raise InvalidArgumentError("htu must be an absolute http or https URI")
        payload: dict[str, Any] = dict(claims or {})
        clash = sorted({"jti", "htm", "htu", "iat", "ath", "nonce"}.intersection(payload))
        if clash:
            raise InvalidArgumentError(f"claims may not set {', '.join(clash)}")
        payload.update(
            jti=secrets.token_urlsafe(16) if jti is None else jti,
            htm=htm,
            htu=target,
            iat=int(time.time()) if iat is None else iat,
        )
        if access_token is not None:
            payload["ath"] = access_token_hash(access_token)
        if nonce is not None:
            if not isinstance(nonce, str) or not NONCE_SYNTAX.fullmatch(nonce):
                raise InvalidArgumentError("a nonce is 1*NQCHAR (RFC 9449 §8.1)")
            payload["nonce"] = nonce
        return self._jwt.encode(
            payload, self._key, algorithm=self.algorithm,
            headers={"typ": DPOP_TYP, "jwk": self.public_jwk},
        )


def make_proof(
    key: Any,
    htm: str,
    htu: str,
    *,
    access_token: str | None = None,
    nonce: str | None = None,
    algorithm: str | None = None,
    jti: str | None = None,
    iat: float | None = None,
) -> str:
    """A DPoP proof for one request (RFC 9449 §4.2), signed with the private ``key``.

    A client sending many requests should build one :class:`DPoPKey` and call
    :meth:`DPoPKey.proof`; this is that, once.

    >>> import jwtlite
    >>> proof = make_proof(jwtlite.generate_key("ES256"), "GET", "https://api.example/me")
    >>> jwtlite.get_unverified_header(proof)["typ"]
    'dpop+jwt'
    """
    signer = DPoPKey(key, algorithm=algorithm)
    return signer.proof(htm, htu, access_token=access_token, nonce=nonce, jti=jti, iat=iat)
