"""The public encode/decode API, shaped like PyJWT's (``PyJWS``, ``PyJWT`` and module functions).

Data flow (DESIGN.md): encode = claims -> compact JSON -> base64url -> sign; decode = size limit
-> three segments -> strict base64url/JSON header -> ``alg`` allowed -> key bound to the
algorithm family -> verify -> strict JSON payload -> claim checks. Only jwtlite exceptions leave.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from . import claims as _claims
from ._json import dumps, loads_object
from .algorithms import RSA_LEGACY_MIN_BITS, Algorithm, RSAAlgorithm, default_algorithms
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    DecodeError,
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWKSetError,
    UnusableKeyError,
)
from .jws import DEFAULT_MAX_TOKEN_SIZE, check_header, parse_compact, typ_matches

__all__ = ["PyJWS", "PyJWT"]

#: PyJWS options: PyJWT's two, plus jwtlite's size limit, padding opt-in and legacy-RSA opt-in.
JWS_DEFAULT_OPTIONS: Mapping[str, Any] = {
    "verify_signature": True,
    "enforce_minimum_key_length": False,
    "max_token_size": DEFAULT_MAX_TOKEN_SIZE,
    "allow_padding": False,
    "allow_small_rsa_verify": False,
}
#: PyJWT options (the claim switches use PyJWT's names and defaults).
JWT_DEFAULT_OPTIONS: Mapping[str, Any] = {
    **JWS_DEFAULT_OPTIONS,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "require": [],
    "strict_aud": False,
}
#: "No algorithm given": HS256, unless the key is a PyJWK, which names its own (as in PyJWT).
_DEFAULT_ALGORITHM: Any = type("_DefaultAlgorithm", (), {"__repr__": lambda _: '"HS256"'})()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_CLAIM_SWITCHES = tuple(
    k for k in JWT_DEFAULT_OPTIONS if k.startswith("verify_") and k != "verify_signature"
)


def _resolve_jwk(key: Any, alg: str, kid: Any, operation: str) -> Any:
    """Keys given as PyJWK, PyJWKSet or a JWK/JWKS dict are chosen and checked by ``jwk``."""
    if isinstance(key, (str, bytes)):
        return key
    from . import jwk  # imported late: most callers never pass JWKs

    if not isinstance(key, (jwk.PyJWK, jwk.PyJWKSet, Mapping)):
        return key
    if operation != "verify":
        return jwk.resolve_key(key, alg=alg, kid=kid, operation=operation)
    try:
        return jwk.resolve_key(key, alg=alg, kid=kid, operation=operation)
    except (InvalidKeyError, PyJWKSetError) as exc:
        # The token's kid/alg chose this failure, so it must be catchable as a bad token.
        raise UnusableKeyError(str(exc)) from exc


class PyJWS:
    """Compact JWS over raw bytes payloads, with its own algorithm table and options."""

    header_typ = "JWT"

    def __init__(
        self, algorithms: Sequence[str] | None = None, options: Mapping[str, Any] | None = None
    ) -> None:
        table = default_algorithms()
        if algorithms is not None:
            table = {name: table[name] for name in algorithms if name in table}
        self._algorithms: dict[str, Algorithm] = table
        self.options: dict[str, Any] = {**JWS_DEFAULT_OPTIONS, **(options or {})}

    # -- the algorithm table (per instance: registering here never affects another PyJWS) --
    def register_algorithm(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Add an algorithm to this instance's table."""
        if alg_id in self._algorithms:
            raise InvalidArgumentError("Algorithm already has a handler.")
        if not isinstance(alg_obj, Algorithm):
            raise InvalidArgumentError("Object is not of type `Algorithm`")
        self._algorithms[alg_id] = alg_obj

    def unregister_algorithm(self, alg_id: str) -> None:
        """Remove an algorithm from this instance's table."""
        if alg_id not in self._algorithms:
            raise InvalidArgumentError(
                "The specified algorithm could not be removed because it is not registered."
            )
        del self._algorithms[alg_id]

    def get_algorithms(self) -> list[str]:
        """Names of the algorithms this instance can use."""
        return list(self._algorithms)

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        """This instance's Algorithm for ``alg_name``; InvalidAlgorithmError if unknown."""
        try:
            return self._algorithms[alg_name]
        except (KeyError, TypeError):
            raise InvalidAlgorithmError("Algorithm not supported") from None

    # -- encoding --
    def encode(
        self,
        payload: bytes,
        key: Any,
        algorithm: str | None = _DEFAULT_ALGORITHM,
        headers: Mapping[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        """Sign ``payload`` (bytes) and return the compact JWS."""
        header = self._build_header(key, algorithm, headers, is_payload_detached)
        alg_obj = self.get_algorithm_by_name(header["alg"])
        try:
            header_json = dumps(header, cls=json_encoder, sort_keys=sort_headers)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"Header is not JSON-serialisable: {exc}") from None
        if not isinstance(payload, bytes):
            raise InvalidArgumentError("The JWS payload must be bytes")
        header_b64 = b64url_encode(header_json)
        body = payload if not header.get("b64", True) else b64url_encode(payload).encode()
        signing_input = header_b64.encode() + b"." + body
        signing_key = _resolve_jwk(key, header["alg"], header.get("kid"), "sign")
        prepared = alg_obj.prepare_key(signing_key)
        self._check_key_length(alg_obj, prepared, self.options)
        signature = b64url_encode(alg_obj.sign(signing_input, prepared))
        return f"{header_b64}.{'' if is_payload_detached else body.decode()}.{signature}"

    def _build_header(
        self, key: Any, algorithm: str | None, headers: Mapping[str, Any] | None, detached: bool
    ) -> dict[str, Any]:
        if headers is not None and headers.get("alg"):
            algorithm = headers["alg"]  # PyJWT lets an explicit header "alg" win
        if algorithm is _DEFAULT_ALGORITHM:
            algorithm = getattr(key, "algorithm_name", None) or "HS256"
        if algorithm is None:
            # PyJWT falls back to "none" here; an unsecured token must be asked for by name.
            algorithm = getattr(key, "algorithm_name", None)
            if algorithm is None:
                raise InvalidAlgorithmError(
                    'No algorithm given; pass algorithm="none" explicitly for an unsecured token'
                )
        header: dict[str, Any] = {"typ": self.header_typ, "alg": algorithm}
        if headers:
            if "kid" in headers and not isinstance(headers["kid"], str):
                raise InvalidTokenError("Key ID header parameter must be a string")
            header.update(headers)
            header["alg"] = algorithm
        if not header.get("typ"):
            header.pop("typ", None)
        if detached:
            # RFC 7797 §6: an unencoded payload must be declared critical.
            header["b64"] = False
            header["crit"] = sorted({*header.get("crit", ()), "b64"})
        check_header(header)
        return header

    @staticmethod
    def _check_key_length(alg_obj: Algorithm, prepared: Any, options: Mapping[str, Any]) -> None:
        message = alg_obj.check_key_length(prepared)
        if message is None:
            return
        if options.get("enforce_minimum_key_length"):
            raise InvalidKeyError(message)
        warnings.warn(message, InsecureKeyLengthWarning, stacklevel=_caller_stacklevel())

    # -- decoding --
    def decode_complete(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
    ) -> dict[str, Any]:
        """Verify a compact JWS; return ``{"payload", "header", "signature"}`` (payload bytes)."""
        opts = {**self.options, **options} if options else self.options
        header, payload, signature = self._decode_parts(
            jwt, key, algorithms, opts, detached_payload
        )
        return {"payload": payload, "header": header, "signature": signature}

    def decode(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
    ) -> bytes:
        """Verify a compact JWS and return its payload bytes."""
        opts = {**self.options, **options} if options else self.options
        return self._decode_parts(jwt, key, algorithms, opts, detached_payload)[1]

    def _decode_parts(
        self,
        jwt: str | bytes,
        key: Any,
        algorithms: Sequence[str] | None,
        opts: Mapping[str, Any],
        detached_payload: bytes | None,
    ) -> tuple[dict[str, Any], bytes, bytes]:
        parsed = parse_compact(
            jwt, max_size=opts["max_token_size"], allow_padding=opts["allow_padding"]
        )
        header = parsed.header
        signing_input = parsed.signing_input
        encoded = header.get("b64", True)
        if detached_payload is not None:
            if parsed.payload_segment:
                raise DecodeError("A detached payload was given but the token carries one")
            payload = bytes(detached_payload)
            body = b64url_encode(payload).encode() if encoded else payload
            signing_input = signing_input[:-1] + b"." + body
        elif encoded:
            payload = b64url_decode(parsed.payload_segment, allow_padding=opts["allow_padding"])
        else:
            payload = parsed.payload_segment
        if opts["verify_signature"]:
            self._verify(signing_input, header, parsed.signature, key, algorithms, opts)
        return header, payload, parsed.signature

    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        """The protected header, strictly parsed but NOT verified: never trust it."""
        return parse_compact(jwt).header

    def _verify(
        self,
        signing_input: bytes,
        header: Mapping[str, Any],
        signature: bytes,
        key: Any,
        algorithms: Sequence[str] | None,
        options: Mapping[str, Any],
    ) -> None:
        alg: str = header["alg"]
        if alg == "none":
            raise InvalidAlgorithmError('The "none" algorithm is never accepted for verification')
        allowed = self._allowed(algorithms, key)
        if alg not in allowed:
            raise InvalidAlgorithmError("The specified alg value is not allowed")
        alg_obj = self.get_algorithm_by_name(alg)
        if options.get("allow_small_rsa_verify") and isinstance(alg_obj, RSAAlgorithm):
            alg_obj = alg_obj.with_min_bits(RSA_LEGACY_MIN_BITS)
        prepared = alg_obj.prepare_key(_resolve_jwk(key, alg, header.get("kid"), "verify"))
        self._check_key_length(alg_obj, prepared, options)
        if not alg_obj.verify(signing_input, prepared, signature):
            raise InvalidSignatureError("Signature verification failed")

    @staticmethod
    def _allowed(algorithms: Sequence[str] | None, key: Any) -> Container[str]:
        if isinstance(algorithms, str):
            return (algorithms,)  # one name; never a substring test
        if algorithms:
            return algorithms
        implied = getattr(key, "algorithm_name", None)  # a PyJWK names its own algorithm
        if isinstance(implied, str) and not isinstance(key, (str, bytes)):
            return (implied,)
        raise DecodeError(
            'It is required that you pass in a value for the "algorithms" argument when calling'
            " decode()."
        )


class PyJWT:
    """JWTs: JSON claims over :class:`PyJWS`, with registered-claim validation."""

    def __init__(
        self, options: Mapping[str, Any] | None = None, *, jws: PyJWS | None = None
    ) -> None:
        self.options: dict[str, Any] = {**JWT_DEFAULT_OPTIONS, **(options or {})}
        if jws is None:
            # Each PyJWT has its own PyJWS (and algorithm table), as in PyJWT: registering an
            # algorithm on the module never changes another instance.
            jws = PyJWS(options={k: self.options[k] for k in JWS_DEFAULT_OPTIONS})
        self._jws = jws

    def encode(
        self,
        payload: Mapping[str, Any],
        key: Any,
        algorithm: str | None = _DEFAULT_ALGORITHM,
        headers: Mapping[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
    ) -> str:
        """Encode ``payload`` as a signed JWT.

        >>> token = PyJWT().encode({"sub": "alice"}, "a-32-byte-long-secret-for-hs256!")
        >>> PyJWT().decode(token, "a-32-byte-long-secret-for-hs256!", algorithms=["HS256"])
        {'sub': 'alice'}
        """
        if not isinstance(payload, Mapping):
            raise InvalidArgumentError(
                "Expecting a dict object, as JWT only supports JSON objects as payloads."
            )
        try:
            body = dumps(_claims.encode_time_claims(payload), cls=json_encoder)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"Payload is not JSON-serialisable: {exc}") from None
        return self._jws.encode(
            body, key, algorithm, headers, json_encoder, sort_headers=sort_headers
        )

    def _merge_options(self, options: Mapping[str, Any] | None) -> Mapping[str, Any]:
        if not options:
            return self.options
        if options.get("verify_signature") is False:
            # PyJWT: without a signature check, claim checks are off unless asked for.
            options = {**dict.fromkeys(_CLAIM_SWITCHES, False), **options}
        return {**self.options, **options}

    def decode_complete(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Container[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        *,
        detached_payload: bytes | None = None,
        typ: str | None = None,
        max_age: float | timedelta | None = None,
        now: float | datetime | None = None,
    ) -> dict[str, Any]:
        """Like :meth:`decode`, returning ``{"header", "payload", "signature"}``."""
        header, payload, signature = self._decode(
            jwt, key, algorithms, options, audience, issuer, subject, leeway,
            detached_payload, typ, max_age, now,
        )  # fmt: skip
        return {"header": header, "payload": payload, "signature": signature}

    def decode(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Container[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        *,
        detached_payload: bytes | None = None,
        typ: str | None = None,
        max_age: float | timedelta | None = None,
        now: float | datetime | None = None,
    ) -> dict[str, Any]:
        """Verify ``jwt`` and its claims; return the claims.

        ``algorithms`` is required when verifying. ``typ`` requires that header value
        (RFC 8725 §3.11); ``max_age`` bounds the age from ``iat``; ``now`` injects the clock.

        >>> secret = "a-32-byte-long-secret-for-hs256!"
        >>> token = PyJWT().encode({"sub": "alice", "aud": "api"}, secret)
        >>> PyJWT().decode(token, secret, algorithms=["HS256"], audience="api")["sub"]
        'alice'
        """
        return self._decode(
            jwt, key, algorithms, options, audience, issuer, subject, leeway,
            detached_payload, typ, max_age, now,
        )[1]  # fmt: skip

    def _decode(
        self,
        jwt: str | bytes,
        key: Any,
        algorithms: Sequence[str] | None,
        options: Mapping[str, Any] | None,
        audience: str | Iterable[str] | None,
        issuer: str | Container[str] | None,
        subject: str | None,
        leeway: float | timedelta,
        detached_payload: bytes | None,
        typ: str | None,
        max_age: float | timedelta | None,
        now: float | datetime | None,
    ) -> tuple[dict[str, Any], dict[str, Any], bytes]:
        opts = self._merge_options(options)
        header, body, signature = self._jws._decode_parts(
            jwt, key, algorithms, opts, detached_payload
        )
        if typ is not None and not typ_matches(header.get("typ"), typ):
            raise InvalidTokenError(f'The token "typ" header is not {typ!r} (RFC 8725 §3.11)')
        payload = loads_object(body, "payload")
        _claims.validate(
            payload,
            opts,
            now=time.time() if now is None else _timestamp(now),
            leeway=leeway,
            audience=audience,
            issuer=issuer,
            subject=subject,
            max_age=None if max_age is None else _claims.seconds(max_age),
        )
        return header, payload, signature


def _caller_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside jwtlite."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _timestamp(now: float | datetime) -> float:
    if isinstance(now, datetime):
        return (
            now.timestamp()
            if now.tzinfo
            else float(_claims.encode_time_claims({"exp": now})["exp"])
        )
    if isinstance(now, bool) or not isinstance(now, (int, float)):
        raise InvalidArgumentError("now must be a number of seconds or a datetime")
    return float(now)


_jws_global_obj = PyJWS()
_jwt_global_obj = PyJWT(jws=_jws_global_obj)
