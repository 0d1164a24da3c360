"""Property tests over the public API: round trips, tamper evidence, only-our-errors."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from property.strategies import extra_headers, hmac_secrets, json_objects, token_like

import jwtlite
from jwtlite.exceptions import PyJWTError

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
