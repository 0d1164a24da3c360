"""Property tests over the public API: round trips, tamper evidence, only-our-errors."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from property.strategies import extra_headers, hmac_secrets, json_objects, token_like

import jwtlite
from jwtlite.exceptions import PyJWTError
from jwtlite.jws import DEFAULT_MAX_TOKEN_SIZE

ALGS = ["HS256", "HS384", "HS512"]


@given(payload=json_objects, headers=extra_headers, key=hmac_secrets, alg=st.sampled_from(ALGS))
def test_round_trip(payload: dict[str, Any], headers: dict[str, Any], key: bytes, alg: str) -> None:
    token = jwtlite.encode(payload, key, algorithm=alg, headers=headers)
    decoded = jwtlite.decode_complete(token, key, algorithms=[alg])
    assert decoded["payload"] == payload
    assert decoded["header"] == {"alg": alg, "typ": "JWT", **headers}


SECRET = b"s" * 64
TOKEN = jwtlite.encode({"sub": "alice", "role": "user", "n": 12345}, SECRET, algorithm="HS256")


@given(index=st.integers(0, len(TOKEN) - 1), char=st.characters(codec="ascii"))
def test_any_single_character_change_fails(index: int, char: str) -> None:
    assume(TOKEN[index] != char)
    tampered = TOKEN[:index] + char + TOKEN[index + 1 :]
    with pytest.raises(PyJWTError):
        jwtlite.decode(tampered, SECRET, algorithms=["HS256"])


@given(index=st.integers(0, len(TOKEN)), char=st.characters(codec="ascii"))
def test_any_insertion_fails(index: int, char: str) -> None:
    tampered = TOKEN[:index] + char + TOKEN[index:]
    with pytest.raises(PyJWTError):
        jwtlite.decode(tampered, SECRET, algorithms=["HS256"])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(token_like, st.text(max_size=200), st.binary(max_size=200)))
def test_garbage_raises_only_jwtlite_errors(data: str | bytes) -> None:
    for call in (
        lambda: jwtlite.decode(data, SECRET, algorithms=["HS256"]),
        lambda: jwtlite.decode(data, options={"verify_signature": False}),
        lambda: jwtlite.get_unverified_header(data),
        lambda: jwtlite.PyJWS().decode(data, SECRET, ["HS256"]),
    ):
        with contextlib.suppress(PyJWTError):
            call()


segment = st.one_of(
    st.binary(max_size=60).map(jwtlite.b64url.b64url_encode),
    st.text(max_size=60).map(lambda t: jwtlite.b64url.b64url_encode(t.encode("utf-8", "replace"))),
    st.sampled_from(["e30", "eyJhbGciOiJIUzI1NiJ9", "W10", "bnVsbA", "eyJhIjoxLCJhIjoyfQ"]),
)


@given(header=segment, payload=segment, signature=segment)
def test_well_formed_segments_raise_only_jwtlite_errors(
    header: str, payload: str, signature: str
) -> None:
    token = f"{header}.{payload}.{signature}"
    with contextlib.suppress(PyJWTError):
        jwtlite.decode(token, SECRET, algorithms=["HS256", "RS256", "ES256", "EdDSA"])
    with contextlib.suppress(PyJWTError):
        jwtlite.decode(token, options={"verify_signature": False})


json_texts = st.recursive(
    st.sampled_from(["1", "-0", "1e999", "NaN", '"x"', "true", "null", "[]", "{}", "1" * 5000]),
    lambda inner: (
        st.builds(
            lambda a, b: f'{{"{a}":{b}}}',
            st.sampled_from(["exp", "aud", "iss", "nbf", "iat", "sub", "jti", "x"]),
            inner,
        )
        | st.builds(lambda a: f"[{a}]", inner)
    ),
    max_leaves=8,
)


@given(json_texts, json_texts)
def test_hostile_json_claims_raise_only_jwtlite_errors(header_extra: str, payload: str) -> None:
    import hmac

    from jwtlite.b64url import b64url_encode

    h = b64url_encode(b'{"alg":"HS256","x":' + header_extra.encode() + b"}")
    p = b64url_encode(payload.encode())
    s = b64url_encode(hmac.digest(SECRET, f"{h}.{p}".encode(), "sha256"))
    with contextlib.suppress(PyJWTError):
        jwtlite.decode(f"{h}.{p}.{s}", SECRET, algorithms=["HS256"], audience="a", issuer="i")


@pytest.mark.filterwarnings("ignore::jwtlite.InsecureKeyLengthWarning")
@given(st.one_of(st.text(max_size=80), st.binary(max_size=80), st.integers(), st.none()))
def test_garbage_keys_raise_only_jwtlite_errors(key: Any) -> None:
    for alg in ("HS256", "RS256", "ES256", "EdDSA", "PS256"):
        with contextlib.suppress(PyJWTError):
            jwtlite.decode(TOKEN, key, algorithms=[alg])
        with contextlib.suppress(PyJWTError):
            jwtlite.encode({"a": 1}, key, algorithm=alg)


# --- parsing time is linear in the input (issue 11, item 1) -------------------------------------

#: The longest header or payload JSON text that fits in a token at the default size limit.
_MAX_JSON_TEXT = (DEFAULT_MAX_TOKEN_SIZE - 16) // 4 * 3
_HEADER = jwtlite.b64url.b64url_encode(b'{"alg":"HS256"}')


def _best_of_two(call: Any) -> float:
    """Wall time of ``call`` (the faster of two runs, to shed scheduler noise), which must fail."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        with contextlib.suppress(PyJWTError):
            call()
        best = min(best, time.perf_counter() - started)
    return best


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(prefix=65, unit='\\"')
@example(prefix=65, unit='"\\"')
@example(prefix=0, unit='[{"a":')
@example(prefix=70, unit="]")
@given(prefix=st.integers(0, 80), unit=st.text(alphabet='[]{}"\\:,a1 ', min_size=1, max_size=8))
def test_parsing_time_is_linear_in_the_input(prefix: int, unit: str) -> None:
    """Any JSON text up to the size limit is parsed (or refused) within a generous bound.

    The text is the worst shape for a rescanning parser: a short unit repeated to the size
    limit after a run of brackets. 0.25 s for ~190 KB allows ~1 microsecond per character, far
    above linear C-speed parsing and far below anything quadratic (the old pre-check took 12 s
    for a 53 KB header).
    """
    text = ("[" * prefix + unit * (_MAX_JSON_TEXT // len(unit)))[:_MAX_JSON_TEXT]
    segment = jwtlite.b64url.b64url_encode(text.encode())
    as_header = f"{segment}.e30.AAAA"
    as_payload = f"{_HEADER}.{segment}.AAAA"
    assert len(as_header) <= DEFAULT_MAX_TOKEN_SIZE
    assert _best_of_two(lambda: jwtlite.get_unverified_header(as_header)) < 0.25
    assert (
        _best_of_two(lambda: jwtlite.decode(as_payload, options={"verify_signature": False})) < 0.25
    )
