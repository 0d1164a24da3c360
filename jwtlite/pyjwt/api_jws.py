"""PyJWT's ``jwt.api_jws``: :class:`PyJWS` over jwtlite's engine, and its module functions.

The algorithm table holds the classes of ``jwt.algorithms``; keys given as this face's
:class:`~jwtlite.pyjwt.api_jwk.PyJWK` or ``PyJWKSet`` are handed to the engine as jwtlite's own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from .. import api as _native
from .._options import OPTION_NAMES
from .._values import mapping
from ..b64url import b64url_decode
from ..exceptions import DecodeError, UnsupportedAlgorithmError
from ..types import SigOptions
from .algorithms import get_default_algorithms
from .api_jwk import native_key
from .exceptions import _pyjwt_text
from .warnings import unsupported_kwargs

__all__ = [
    "PyJWS",
    "decode",
    "decode_complete",
    "encode",
    "get_algorithm_by_name",
    "get_unverified_header",
    "register_algorithm",
    "unregister_algorithm",
]

_ALGORITHM_UNSET: Any = _native._DEFAULT_ALGORITHM


class PyJWS(_native.PyJWS):
    """PyJWT's PyJWS: compact JWS over bytes payloads, with its own algorithm table."""

    # PyJWT takes any options dict and ignores the names it does not read; an unknown name
    # (a typo) warns here instead of being refused, and claim options pass, as in PyJWT.
    _unknown_options = "warn"
    _option_names = OPTION_NAMES

    def __init__(
        self, algorithms: Sequence[str] | None = None, options: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(algorithms, cast("SigOptions | None", options))
        table: dict[str, Any] = get_default_algorithms()
        if algorithms is not None:
            table = {name: table[name] for name in algorithms if name in table}
        self._algorithms = table

    @_pyjwt_text
    def encode(
        self,
        payload: bytes,
        key: Any,
        algorithm: str | None = _ALGORITHM_UNSET,
        headers: Mapping[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        if algorithm is _ALGORITHM_UNSET or algorithm is None:
            algorithm = getattr(key, "algorithm_name", None) or algorithm
        headers = mapping(headers, "headers")  # InvalidArgumentError, a TypeError as in PyJWT
        if headers is not None and "b64" in headers:
            # PyJWT: "b64": false means an unencoded, detached payload (RFC 7797), and
            # "b64": true is the default, so the member is dropped.
            is_payload_detached = is_payload_detached or headers["b64"] is False
            headers = {k: v for k, v in headers.items() if k != "b64" or v is not True}
        chosen = (headers or {}).get("alg") or algorithm
        if isinstance(chosen, str) and chosen not in self._algorithms:
            raise UnsupportedAlgorithmError("Algorithm not supported")
        return super().encode(
            payload, native_key(key), algorithm, headers, json_encoder, is_payload_detached,
            sort_headers,
        )  # fmt: skip

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        """One base64url segment of a compact JWS, padded or not, with PyJWT's error text
        ("Invalid <name> padding"); jwtlite's decoder is strict about everything else."""
        try:
            return b64url_decode(segment, allow_padding=True)
        except DecodeError as exc:
            raise DecodeError(f"Invalid {name} padding") from exc

    @_pyjwt_text
    def decode_complete(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        unsupported_kwargs("decode_complete", kwargs)
        return super().decode_complete(
            jwt, native_key(key), algorithms, cast("SigOptions | None", options), detached_payload
        )

    @_pyjwt_text
    def decode(
        self,
        jwt: str | bytes,
        key: Any = "",
        algorithms: Sequence[str] | None = None,
        options: Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> bytes:
        unsupported_kwargs("decode", kwargs)
        sig = cast("SigOptions | None", options)
        return super().decode(jwt, native_key(key), algorithms, sig, detached_payload)

    @_pyjwt_text
    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        return super().get_unverified_header(jwt)


_jws_global_obj = PyJWS()
encode = _jws_global_obj.encode
decode_complete = _jws_global_obj.decode_complete
decode = _jws_global_obj.decode
register_algorithm = _jws_global_obj.register_algorithm
unregister_algorithm = _jws_global_obj.unregister_algorithm
get_algorithm_by_name = _jws_global_obj.get_algorithm_by_name
get_unverified_header = _jws_global_obj.get_unverified_header
