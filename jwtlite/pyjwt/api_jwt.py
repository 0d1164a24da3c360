"""PyJWT's ``jwt.api_jwt``: :class:`PyJWT` over jwtlite, and ``encode``/``decode``."""

from __future__ import annotations

import json
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from .. import api as _native
from .. import claims as _claims
from .._options import JWS_OPTION_NAMES
from ..exceptions import InvalidArgumentError, InvalidAudienceError, InvalidIssuerError
from ..types import Options
from .api_jwk import native_key
from .api_jws import _ALGORITHM_UNSET, PyJWS, _jws_global_obj
from .exceptions import _pyjwt_text
from .warnings import unsupported_kwargs

__all__ = ["PyJWT", "decode", "decode_complete", "encode"]


#: What ``str in x`` refuses with a TypeError, though each is a Container.
_BYTES_LIKE = (bytes, bytearray)


class PyJWT(_native.PyJWT):
    """PyJWT's PyJWT: JSON claims over :class:`~jwtlite.pyjwt.api_jws.PyJWS`."""

    _string_claims_on_encode = False  # PyJWT refuses a non-string sub/jti only at decode
    _unknown_options = "warn"  # PyJWT ignores an unknown option name: a typo warns here
    _warn_naive_datetimes = False  # PyJWT reads a naive datetime as UTC without a word

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        given = options if isinstance(options, Mapping) else {}
        jws = PyJWS(options={k: v for k, v in given.items() if k in JWS_OPTION_NAMES})
        super().__init__(cast("Options | None", options), jws=jws)

    @_pyjwt_text
    def encode(
        self,
        payload: Mapping[str, Any],
        key: Any,
        algorithm: str | None = _ALGORITHM_UNSET,
        headers: Mapping[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
    ) -> str:
        if algorithm is _ALGORITHM_UNSET or algorithm is None:
            algorithm = getattr(key, "algorithm_name", None) or algorithm
        if isinstance(payload, Mapping) and not isinstance(payload.get("iss", ""), str):
            raise InvalidArgumentError("Issuer (iss) must be a string.")
        return super().encode(
            payload, native_key(key), algorithm, headers, json_encoder, sort_headers
        )

    def _validate_iss(self, payload: Mapping[str, Any], issuer: Any) -> None:
        """PyJWT's issuer check on its own (its tests call it): jwtlite's exact match. With
        PyJWT's texts, an ``issuer`` collection holding no string matches nothing, and one that
        is no container (bytes are none for a text) is refused as such."""
        try:
            _claims._check_issuer(payload, issuer)
        except InvalidArgumentError:
            if isinstance(issuer, Container) and not isinstance(issuer, _BYTES_LIKE):
                raise InvalidIssuerError("Invalid issuer") from None
            raise InvalidIssuerError('Issuer param must be "str" or "Container[str]"') from None

    @_pyjwt_text
    def decode_complete(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
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
        unsupported_kwargs("decode_complete", kwargs)
        _check_audience(audience)
        return super().decode_complete(
            jwt, native_key(key), algorithms, cast("Options | None", options), verify=verify,
            detached_payload=detached_payload, audience=audience, issuer=issuer,
            subject=subject, leeway=leeway, typ=typ, max_age=max_age, now=now,
        )  # fmt: skip

    @_pyjwt_text
    def decode(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
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
        unsupported_kwargs("decode", kwargs)
        _check_audience(audience)
        return super().decode(
            jwt, native_key(key), algorithms, cast("Options | None", options), verify=verify,
            detached_payload=detached_payload, audience=audience, subject=subject,
            issuer=issuer, leeway=leeway, typ=typ, max_age=max_age, now=now,
        )  # fmt: skip


def _check_audience(audience: object) -> None:
    """PyJWT's reading of the ``audience`` argument, before any claim is looked at: a
    TypeError (jwtlite's InvalidArgumentError) unless it is a string, an iterable or None, and
    bytes match no audience (PyJWT iterates them as integers)."""
    if audience is None or isinstance(audience, str):
        return
    if isinstance(audience, (bytes, bytearray)):
        raise InvalidAudienceError("Audience doesn't match")
    if not isinstance(audience, Iterable):
        raise InvalidArgumentError("audience must be a string, iterable or None")


# As in PyJWT, the module functions share the module-level PyJWS, so an algorithm registered
# with ``jwt.register_algorithm`` is usable by ``jwt.encode``.
_jwt_global_obj = PyJWT()
_jwt_global_obj._jws = _jws_global_obj
encode = _jwt_global_obj.encode
decode_complete = _jwt_global_obj.decode_complete
decode = _jwt_global_obj.decode
