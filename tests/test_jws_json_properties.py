"""Properties of the JWS JSON Serialization: round trips, tamper evidence, only jwtlite errors
for hostile documents, and parsing time linear in the document's size."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from property.strategies import (
    extra_headers,
    hmac_secrets,
    jws_json_documents,
    token_like,
)

from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import PyJWTError
from jwtlite.jws import DEFAULT_MAX_TOKEN_SIZE, Signer, decode_json, encode_json

SECRET = b"s" * 64


def _every_reading(document: Any, key: Any = SECRET) -> None:
    """Decode ``document`` every way a caller may; only jwtlite errors may leave."""
    for require in ("all", "one"):
        for allow in (False, True):
            with contextlib.suppress(PyJWTError):
                decode_json(
                    document,
                    key,
                    algorithms=["HS256", "ES256", "none"],
                    require=require,  # type: ignore[arg-type]
                    allow_unprotected_alg=allow,
                )
    with contextlib.suppress(PyJWTError):
        decode_json(document, key, algorithms=["HS256"], detached_payload=b"x")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(jws_json_documents)
def test_hostile_documents_raise_only_jwtlite_errors(document: dict[str, Any]) -> None:
    _every_reading(document)
    _every_reading(json.dumps(document))
    _every_reading(document, {"keys": [{"kty": "oct", "k": b64url_encode(SECRET), "kid": "x"}]})


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(token_like, st.text(max_size=200), st.binary(max_size=200), st.integers()))
def test_garbage_raises_only_jwtlite_errors(data: Any) -> None:
    _every_reading(data)


@given(
    payload=st.binary(max_size=64),
    protected=extra_headers,
    unprotected=extra_headers,
    flattened=st.booleans(),
    detached=st.booleans(),
    b64=st.booleans(),
    key=hmac_secrets,
)
def test_round_trip(
    payload: bytes,
    protected: dict[str, Any],
    unprotected: dict[str, Any],
    flattened: bool,
    detached: bool,
    b64: bool,
    key: bytes,
) -> None:
    unprotected = {k: v for k, v in unprotected.items() if k not in protected}
    if not b64 and not detached:
        payload = payload.decode("utf-8", "replace").encode("utf-8")  # it travels as JSON text
    signer = Signer(key, "HS256", protected=protected, header=unprotected)
    document = encode_json(payload, signer, flattened=flattened, detached=detached, b64=b64)
    result = decode_json(
        json.dumps(document),
        key,
        algorithms=["HS256"],
        detached_payload=payload if detached else None,
    )
    assert result.payload == payload
    (signature,) = result.signatures
    extension = {} if b64 else {"b64": False, "crit": ["b64"]}
    assert signature.protected == {"alg": "HS256", **protected, **extension}
    assert signature.unprotected == unprotected


_SIGNED = json.dumps(
    encode_json(
        b'{"sub":"alice"}',
        [
            Signer(SECRET, "HS256", protected={"kid": "a"}, header={"note": "x"}),
            Signer(SECRET, "HS512", header={"kid": "b"}),
        ],
    )
)


@given(index=st.integers(0, len(_SIGNED) - 1), char=st.characters(codec="ascii"))
def test_a_changed_character_fails_or_changes_only_what_is_unprotected(
    index: int, char: str
) -> None:
    tampered = _SIGNED[:index] + char + _SIGNED[index + 1 :]
    try:
        result = decode_json(tampered, SECRET, algorithms=["HS256", "HS512"])
    except PyJWTError:
        return
    assert result.payload == b'{"sub":"alice"}'
    assert [s.protected for s in result.signatures] == [
        {"alg": "HS256", "kid": "a"},
        {"alg": "HS512"},
    ]


# --- parsing time is linear in the document's size ----------------------------------------------


def _best_of_two(call: Any) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        with contextlib.suppress(PyJWTError):
            call()
        best = min(best, time.perf_counter() - started)
    return best


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(member="header", unit='{"a":')
@example(member="payload", unit='\\"')
@example(member="signatures", unit='{"header":{"kid":"x"},"signature":"AA"},')
@given(
    member=st.sampled_from(["header", "payload", "signatures", "protected"]),
    unit=st.text(alphabet='[]{}"\\:,a1 ', min_size=1, max_size=8),
)
def test_parsing_time_is_linear_in_the_document(member: str, unit: str) -> None:
    """A document at the size limit, one member made of a repeated unit, is parsed (or
    refused) within the compact form's bound: about a microsecond per character."""
    room = DEFAULT_MAX_TOKEN_SIZE - 40
    text = f'{{"signature":"AA","{member}":{(unit * (room // len(unit)))[:room]}}}'
    assert len(text) <= DEFAULT_MAX_TOKEN_SIZE
    assert _best_of_two(lambda: decode_json(text, SECRET, algorithms=["HS256"])) < 0.25


def test_many_signatures_are_refused_before_any_is_verified() -> None:
    entry = {"header": {"alg": "HS256"}, "signature": "AA"}
    document = {"payload": "AA", "signatures": [entry] * 3000}
    with pytest.raises(PyJWTError, match="3000 signatures; at most 16"):
        decode_json(document, SECRET, algorithms=["HS256"])
