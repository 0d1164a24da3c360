"""The public encode/decode API, shaped like PyJWT's (``PyJWS``, ``PyJWT`` and module functions).

A thin face over :mod:`jwtlite.jws` (the compact JWS engine): this module turns PyJWT-style
arguments into one :class:`~jwtlite._options.Options` object per call, owns each instance's
algorithm table, and for JWTs reads the verified payload as JSON claims and validates them
(:mod:`jwtlite.claims`). Data flow (docs/architecture.md): ``api`` -> ``jws`` (parse, key,
verify) -> back in ``api`` once: payload JSON -> claim checks. Only jwtlite exceptions leave.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, cast

from . import _hints
from . import claims as _claims
from . import jws as _jws
from ._escape import quoted
from ._json import loads_object
from ._options import (
    JWS_OPTION_NAMES,
    JWS_PYJWT_NAMES,
    JWT_PYJWT_NAMES,
    FullOptions,
    Options,
    OptionsDict,
    SigOptions,
    Unknown,
)
from ._values import mapping, names, text
from .algorithms import Algorithm, default_algorithms
from .exceptions import (
    AlgorithmAlreadyRegisteredError,
    AlgorithmNotRegisteredError,
    InvalidArgumentError,
    InvalidTokenError,
    RemovedInPyjwt3Warning,
    UnsupportedAlgorithmError,
)

__all__ = ["PyJWS", "PyJWT"]

_DEFAULTS = Options()
#: PyJWS options: PyJWT's two, plus jwtlite's size limit, padding opt-in and legacy-RSA opt-in.
JWS_DEFAULT_OPTIONS: Mapping[str, Any] = MappingProxyType(_DEFAULTS.only(JWS_OPTION_NAMES))
#: PyJWT options (the claim switches use PyJWT's names and defaults).
JWT_DEFAULT_OPTIONS: Mapping[str, Any] = MappingProxyType(_DEFAULTS.as_dict())
#: "No algorithm given": HS256, unless the key is a PyJWK, which names its own (as in PyJWT).
_DEFAULT_ALGORITHM: Any = type("_DefaultAlgorithm", (), {"__repr__": lambda _: '"HS256"'})()


class PyJWS:
    """Compact JWS over raw bytes payloads, with its own algorithm table and options."""

    header_typ = "JWT"
    #: An ``options`` name PyJWS does not read is refused (a claim option too: PyJWS checks no
    #: claims); the PyJWT face warns instead, and accepts PyJWT's claim options, as PyJWT does.
    _unknown_options: ClassVar[Unknown] = "refuse"
    _option_names: ClassVar[Collection[str]] = JWS_OPTION_NAMES

    def __init__(
        self, algorithms: Sequence[str] | None = None, options: SigOptions | None = None
    ) -> None:
        table = default_algorithms()
        if algorithms is not None:
            table = {name: table[name] for name in names(algorithms, "algorithms") if name in table}
        self._algorithms: dict[str, Algorithm] = table
        # PyJWS(options={"verify_signature": False}) skips the check on this instance, as
        # in PyJWT; PyJWT (below) never lets an instance option do that.
        self._options = self._merge(_DEFAULTS, options, signature_off_disables_claims=False)

    def _merge(
        self, base: Options, options: Any, *, signature_off_disables_claims: bool
    ) -> Options:
        """``base`` with ``options`` applied, under this class's rule for unknown names."""
        return base.merged(
            options,
            signature_off_disables_claims=signature_off_disables_claims,
            names=self._option_names,
            unknown=self._unknown_options,
        )

    @property
    def options(self) -> SigOptions:
        """This instance's options as PyJWT's dict (a copy: pass changes per call).

        PyJWT's keys, plus any jwtlite option given a value other than its default.
        """
        return self._options.pyjwt_dict(JWS_PYJWT_NAMES)  # type: ignore[return-value]

    # -- the algorithm table (per instance: registering here never affects another PyJWS) --
    def register_algorithm(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Add an algorithm to this instance's table."""
        text(alg_id, "alg_id")
        if alg_id in self._algorithms:
            raise AlgorithmAlreadyRegisteredError("Algorithm already has a handler.")
        if not isinstance(alg_obj, Algorithm):
            raise InvalidArgumentError("Object is not of type `Algorithm`")
        self._algorithms[alg_id] = alg_obj

    def unregister_algorithm(self, alg_id: str) -> None:
        """Remove an algorithm from this instance's table."""
        if not isinstance(alg_id, str) or alg_id not in self._algorithms:
            raise AlgorithmNotRegisteredError(
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
            hint = _hints.did_you_mean(alg_name, self._algorithms)
            raise UnsupportedAlgorithmError("Algorithm not supported" + hint) from None

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
        headers = mapping(headers, "headers")
        if headers is not None and headers.get("alg"):
            algorithm = headers["alg"]  # PyJWT lets an explicit header "alg" win
        if algorithm is _DEFAULT_ALGORITHM:
            algorithm = getattr(key, "algorithm_name", None) or "HS256"
        elif algorithm is None:
            algorithm = getattr(key, "algorithm_name", None)
        header = _jws.build_header(
            algorithm=algorithm, headers=headers, typ=self.header_typ, detached=is_payload_detached
        )
        self.get_algorithm_by_name(header["alg"])  # an unknown alg fails before any work
        return _jws.sign(
            payload,
            key,
            header=header,
            get_algorithm=self.get_algorithm_by_name,
            options=self._options,
            json_encoder=json_encoder,
            sort_headers=sort_headers,
            detached=is_payload_detached,
        )

    # -- decoding --
    def decode_complete(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Verify a compact JWS; return ``{"payload", "header", "signature"}`` (payload bytes).

        Extra keyword arguments are ignored with a ``RemovedInPyjwt3Warning``, as in PyJWT.
        """
        _legacy_arguments("decode_complete", kwargs)
        header, payload, signature = self._decode(jwt, key, algorithms, options, detached_payload)
        return {"payload": payload, "header": header, "signature": signature}

    def decode(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> bytes:
        """Verify a compact JWS and return its payload bytes (extra keywords: see above)."""
        _legacy_arguments("decode", kwargs)
        return self._decode(jwt, key, algorithms, options, detached_payload)[1]

    def _decode(
        self,
        jwt: str | bytes,
        key: Any,
        algorithms: Sequence[str] | None,
        options: SigOptions | None,
        detached_payload: bytes | None,
    ) -> _jws.Verified:
        return _jws.decode(
            jwt,
            key,
            algorithms=algorithms,
            get_algorithm=self.get_algorithm_by_name,
            options=self._merge(self._options, options, signature_off_disables_claims=False),
            detached_payload=detached_payload,
        )

    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        """The protected header, strictly parsed but NOT verified: never trust it."""
        return _jws.unverified_header(jwt, self._options)


class PyJWT:
    """JWTs: JSON claims over :class:`PyJWS`, with registered-claim validation."""

    #: Refuse a non-string ``sub``/``jti`` at encode (jwtlite); the PyJWT face turns it off,
    #: since PyJWT writes such a token and refuses it only when decoding.
    _string_claims_on_encode: ClassVar[bool] = True
    _unknown_options: ClassVar[Unknown] = "refuse"  # the face: "warn" (see PyJWS)
    #: Warn when a time claim is a naive datetime (jwtlite); the PyJWT face turns it off, as
    #: PyJWT warns nothing there.
    _warn_naive_datetimes: ClassVar[bool] = True

    def __init__(
        self, options: OptionsDict | None = None, *, jws: PyJWS | None = None
    ) -> None:
        if jws is None:
            # Each PyJWT has its own PyJWS (and algorithm table), as in PyJWT: registering an
            # algorithm on the module never changes another instance.
            given: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
            sig = {k: v for k, v in given.items() if k in JWS_OPTION_NAMES}
            jws = PyJWS(options=cast("SigOptions", sig))
        elif not isinstance(jws, PyJWS):
            raise InvalidArgumentError(f"jws must be a PyJWS, not {type(jws).__name__}")
        self._jws = jws
        # The PyJWS's options are the base, so PyJWT(jws=PyJWS(options=...)) keeps them. As in
        # PyJWT, ``verify_signature: False`` here turns the claim checks off by default (and is
        # shown in ``options``), but never the signature check: only a decode call can do that.
        self._options = jws._options.merged(options, unknown=self._unknown_options)

    @property
    def options(self) -> FullOptions:
        """This instance's options as PyJWT's dict (a copy: pass changes per call).

        PyJWT's keys, plus any jwtlite option given a value other than its default.
        """
        return self._options.pyjwt_dict(JWT_PYJWT_NAMES)  # type: ignore[return-value]

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
        body = _claims.claims_json(
            payload,
            json_encoder,
            string_claims=self._string_claims_on_encode,
            warn_naive=self._warn_naive_datetimes,
        )
        return self._jws.encode(
            body, key, algorithm, headers, json_encoder, sort_headers=sort_headers
        )

    def decode_complete(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: OptionsDict | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Container[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        *,
        typ: str | None = None,
        max_age: float | timedelta | None = None,
        now: float | datetime | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Like :meth:`decode`, returning ``{"header", "payload", "signature"}``."""
        _legacy_arguments("decode_complete", kwargs, verify, options)
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
        options: OptionsDict | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        subject: str | None = None,
        issuer: str | Container[str] | None = None,
        leeway: float | timedelta = 0,
        *,
        typ: str | None = None,
        max_age: float | timedelta | None = None,
        now: float | datetime | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Verify ``jwt`` and its claims; return the claims.

        ``algorithms`` is required when verifying. ``typ`` requires that header value
        (RFC 8725 §3.11); ``max_age`` bounds the age from ``iat``; ``now`` injects the clock.
        The positional parameters are PyJWT's, in PyJWT's order; ``verify`` does nothing (pass
        ``options={"verify_signature": False}``) and other keywords are ignored, each with
        PyJWT's warning.

        >>> secret = "a-32-byte-long-secret-for-hs256!"
        >>> token = PyJWT().encode({"sub": "alice", "aud": "api"}, secret)
        >>> PyJWT().decode(token, secret, algorithms=["HS256"], audience="api")["sub"]
        'alice'
        """
        if kwargs or verify is not None:
            _legacy_arguments("decode", kwargs, verify, options)
        return self._decode(
            jwt, key, algorithms, options, audience, issuer, subject, leeway,
            detached_payload, typ, max_age, now,
        )[1]  # fmt: skip

    def _decode(
        self,
        jwt: str | bytes,
        key: Any,
        algorithms: Sequence[str] | None,
        options: OptionsDict | None,
        audience: str | Iterable[str] | None,
        issuer: str | Container[str] | None,
        subject: str | None,
        leeway: float | timedelta,
        detached_payload: bytes | None,
        typ: str | None,
        max_age: float | timedelta | None,
        now: float | datetime | None,
    ) -> tuple[dict[str, Any], dict[str, Any], bytes]:
        if not options and self._options.verify_signature:
            opts = self._options  # the usual call: nothing to merge (saves a copy per decode)
        elif options and not isinstance(options, Mapping):
            raise InvalidArgumentError(f"options must be a dict, not {type(options).__name__}")
        else:
            # PyJWT: an instance option never turns the signature check off; only the call can.
            call = {"verify_signature": True, **(options or {})}
            opts = self._options.merged(call, unknown=self._unknown_options)
        header, body, signature = _jws.decode(
            jwt,
            key,
            algorithms=algorithms,
            get_algorithm=self._jws.get_algorithm_by_name,
            options=opts,
            detached_payload=detached_payload,
        )
        if typ is not None and not _jws.typ_matches(header.get("typ"), typ):
            raise InvalidTokenError(
                f'The token "typ" header is not {quoted(typ)} (RFC 8725 §3.11)'
            )
        payload = loads_object(body, "payload")
        _claims.validate(
            payload,
            opts,
            now=time.time() if now is None else _claims.timestamp(now),
            leeway=leeway,
            audience=audience,
            issuer=issuer,
            subject=subject,
            max_age=None if max_age is None else _claims.seconds(max_age),
        )
        return header, payload, signature


def _legacy_arguments(
    method: str,
    kwargs: Mapping[str, Any],
    verify: bool | None = None,
    options: Mapping[str, Any] | None = None,
) -> None:
    """PyJWT 2's warnings for arguments it accepts and ignores (never a change of behaviour)."""
    if kwargs:
        warnings.warn(
            f"passing additional kwargs to {method}() is deprecated and will be removed in pyjwt"
            f" version 3. Unsupported kwargs: {tuple(kwargs)}",
            RemovedInPyjwt3Warning,
            stacklevel=3,
        )
    wanted = options.get("verify_signature", True) if isinstance(options, Mapping) else True
    if verify is not None and verify != wanted:
        warnings.warn(
            "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer. The"
            " equivalent is setting `verify_signature` to False in the `options` dictionary."
            " This invocation has a mismatch between the kwarg and the option entry.",
            DeprecationWarning,
            stacklevel=3,
        )


_jws_global_obj = PyJWS()
_jwt_global_obj = PyJWT(jws=_jws_global_obj)
