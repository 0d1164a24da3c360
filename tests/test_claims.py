"""Registered-claim validation as pure functions, with an injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jwtlite.claims import encode_time_claims, seconds, validate
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)

NOW = 1_700_000_000.0
ALL_ON: dict[str, Any] = {}


def check(payload: dict[str, Any], **kwargs: Any) -> None:
    options = kwargs.pop("options", ALL_ON)
    validate(payload, options, now=kwargs.pop("now", NOW), **kwargs)


# -- time windows around the leeway (hypothesis, injected clock) --


@given(offset=st.integers(-(10**6), 10**6), leeway=st.integers(0, 10**4))
def test_exp_window(offset: float, leeway: float) -> None:
    payload = {"exp": NOW + offset}
    if offset <= -leeway:  # RFC 7519 §4.1.4: "on or after" exp the token is expired
        with pytest.raises(ExpiredSignatureError):
            check(payload, leeway=leeway)
    else:
        check(payload, leeway=leeway)


@given(offset=st.integers(-(10**6), 10**6), leeway=st.integers(0, 10**4))
def test_nbf_window(offset: float, leeway: float) -> None:
    payload = {"nbf": NOW + offset}
    if offset > leeway:
        with pytest.raises(ImmatureSignatureError):
            check(payload, leeway=leeway)
    else:
        check(payload, leeway=leeway)


@given(offset=st.integers(-(10**6), 10**6), leeway=st.integers(0, 10**4))
def test_iat_in_future(offset: int, leeway: int) -> None:
    payload = {"iat": NOW + offset}
    if offset > leeway:
        with pytest.raises(ImmatureSignatureError):
            check(payload, leeway=leeway)
    else:
        check(payload, leeway=leeway)


@given(exp=st.floats(NOW - 1e5, NOW + 1e5), leeway=st.floats(0, 1e3))
def test_float_times_follow_the_rule(exp: float, leeway: float) -> None:
    if exp <= NOW - leeway:
        with pytest.raises(ExpiredSignatureError):
            check({"exp": exp}, leeway=leeway)
    else:
        check({"exp": exp}, leeway=leeway)


def test_exp_boundary_exact() -> None:
    with pytest.raises(ExpiredSignatureError):
        check({"exp": NOW})
    check({"exp": NOW + 1})
    check({"exp": NOW - 10}, leeway=11)
    check({"exp": NOW - 10}, leeway=timedelta(seconds=11))
    with pytest.raises(ExpiredSignatureError):
        check({"exp": NOW - 10}, leeway=timedelta(seconds=10))


@pytest.mark.parametrize("value", [True, False, "1700000000", None, [1], {"a": 1}])
@pytest.mark.parametrize(
    ("claim", "error"),
    [("exp", DecodeError), ("nbf", DecodeError), ("iat", InvalidIssuedAtError)],
)
def test_time_claims_must_be_numbers(value: Any, claim: str, error: type[Exception]) -> None:
    with pytest.raises(error, match="must be a number"):
        check({claim: value})


def test_switches_disable_checks() -> None:
    check({"exp": NOW - 100}, options={"verify_exp": False})
    check({"nbf": NOW + 100}, options={"verify_nbf": False})
    check({"iat": NOW + 100}, options={"verify_iat": False})
    check({"aud": "x"}, options={"verify_aud": False})
    check({"iss": "x"}, issuer="y", options={"verify_iss": False})
    check({"sub": 1}, options={"verify_sub": False})
    check({"jti": 1}, options={"verify_jti": False})


def test_max_age() -> None:
    check({"iat": NOW - 50}, max_age=60)
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        check({"iat": NOW - 61}, max_age=60)
    check({"iat": NOW - 61}, max_age=60, leeway=5)
    with pytest.raises(MissingRequiredClaimError, match="iat"):
        check({}, max_age=60)


# -- audience --


def test_audience_cases() -> None:
    check({"aud": "api"}, audience="api")
    check({"aud": ["a", "api"]}, audience="api")
    check({"aud": "api"}, audience=["x", "api"])
    check({"aud": ["a", "b"]}, audience={"b"})
    check({}, audience=None)
    with pytest.raises(InvalidAudienceError):
        check({"aud": "api"}, audience="other")
    with pytest.raises(InvalidAudienceError, match="Invalid audience"):
        check({"aud": "api"})  # a token for someone, and the caller named no audience
    with pytest.raises(MissingRequiredClaimError, match="aud"):
        check({}, audience="api")
    with pytest.raises(InvalidAudienceError, match="format"):
        check({"aud": 5}, audience="api")
    with pytest.raises(InvalidAudienceError, match="format"):
        check({"aud": ["a", 5]}, audience="api")
    with pytest.raises(InvalidAudienceError):
        check({"aud": "apis"}, audience="api")  # no substring matching


def test_strict_audience() -> None:
    strict = {"strict_aud": True}
    check({"aud": "api"}, audience="api", options=strict)
    with pytest.raises(InvalidAudienceError, match="strict"):
        check({"aud": ["api"]}, audience="api", options=strict)
    with pytest.raises(InvalidAudienceError, match="strict"):
        check({"aud": "api"}, audience=["api"], options=strict)
    with pytest.raises(InvalidAudienceError, match="strict"):
        check({"aud": "api2"}, audience="api", options=strict)


# -- issuer: exact match only (CVE-2024-53861) --


def test_issuer_exact() -> None:
    check({"iss": "https://a.example"}, issuer="https://a.example")
    check({"iss": "b"}, issuer=["a", "b"])
    check({"iss": "b"}, issuer=("a", "b"))
    with pytest.raises(InvalidIssuerError):
        check({"iss": "https://a.exam"}, issuer="https://a.example")
    with pytest.raises(InvalidIssuerError):
        check({"iss": "_abc_"}, issuer="__abc__")
    with pytest.raises(InvalidIssuerError):
        check({"iss": "a"}, issuer=["ab"])
    with pytest.raises(InvalidIssuerError):
        check({"iss": 123}, issuer="123")
    with pytest.raises(MissingRequiredClaimError, match="iss"):
        check({}, issuer="a")
    check({"iss": 123})  # no issuer expected: an integer iss (GitHub Apps) is fine


# -- sub, jti, require --


def test_subject_and_jti() -> None:
    check({"sub": "alice"}, subject="alice")
    with pytest.raises(InvalidSubjectError, match="Invalid subject"):
        check({"sub": "bob"}, subject="alice")
    with pytest.raises(InvalidSubjectError, match="Invalid subject"):
        check({}, subject="alice")
    with pytest.raises(InvalidSubjectError, match="string"):
        check({"sub": 42})
    check({"jti": "id-1"})
    with pytest.raises(InvalidJTIError):
        check({"jti": 7})


def test_require() -> None:
    check({"exp": NOW + 5, "sub": "a"}, options={"require": ["exp", "sub"]})
    with pytest.raises(MissingRequiredClaimError) as info:
        check({"exp": NOW + 5}, options={"require": ["exp", "sub"]})
    assert info.value.claim == "sub"
    assert str(info.value) == 'Token is missing the "sub" claim'
    with pytest.raises(MissingRequiredClaimError):
        check({"sub": None}, options={"require": ["sub"]})


# -- encoding datetimes --


def test_encode_time_claims() -> None:
    aware = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    naive = datetime(2023, 11, 14, 22, 13, 20)
    plus_one = datetime(2023, 11, 14, 23, 13, 20, tzinfo=timezone(timedelta(hours=1)))
    out = encode_time_claims({"exp": aware, "iat": naive, "nbf": plus_one, "x": aware})
    assert out == {"exp": 1_700_000_000, "iat": 1_700_000_000, "nbf": 1_700_000_000, "x": aware}
    assert all(type(out[k]) is int for k in ("exp", "iat", "nbf"))


def test_seconds() -> None:
    assert seconds(5) == 5.0
    assert seconds(timedelta(minutes=1)) == 60.0
    for bad in ("5", True, None):
        with pytest.raises(InvalidArgumentError):
            seconds(bad)  # type: ignore[arg-type]
