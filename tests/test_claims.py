"""Registered-claim validation as pure functions, with an injected clock."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jwtlite
import jwtlite.b64url
import jwtlite.pyjwt
from jwtlite.claims import claims_json, encode_time_claims, seconds, validate
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
    NaiveDatetimeWarning,
    PyJWTError,
)
from jwtlite.jws import DEFAULT_MAX_TOKEN_SIZE

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
    with pytest.raises(error, match=r"must be an integer\.$"):  # PyJWT's text
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


# -- max_age bounds the age: an iat in the future is refused (issue 20, item 5) --

IAT_OFF = {"verify_iat": False}


@given(
    ahead=st.integers(1, 10**9),
    leeway=st.integers(0, 10**4),
    max_age=st.integers(0, 10**9),
)
def test_max_age_refuses_a_future_iat_even_with_verify_iat_off(
    ahead: int, leeway: int, max_age: int
) -> None:
    with pytest.raises(ImmatureSignatureError, match="iat"):
        check({"iat": NOW + leeway + ahead}, max_age=max_age, leeway=leeway, options=IAT_OFF)
    # Within the leeway the token is accepted, as verify_iat would accept it.
    check({"iat": NOW + leeway}, max_age=max_age, leeway=leeway, options=IAT_OFF)
    # Without max_age, verify_iat off still means what it says.
    check({"iat": NOW + leeway + ahead}, options=IAT_OFF)


@pytest.mark.parametrize("face", [False, True])
def test_max_age_refuses_a_future_iat_through_decode(face: bool) -> None:
    lib: Any = jwtlite.pyjwt if face else jwtlite
    token = jwtlite.encode({"iat": int(NOW) + 3600}, "k" * 32)

    def decode(**kwargs: Any) -> dict[str, Any]:
        return dict(lib.decode(token, "k" * 32, algorithms=["HS256"], now=NOW, **kwargs))
    for max_age in (0, 60, 10**6, timedelta(days=3650)):
        with pytest.raises(ImmatureSignatureError):
            decode(max_age=max_age, options=IAT_OFF)
    assert decode(max_age=60, options=IAT_OFF, leeway=3600)["iat"] == int(NOW) + 3600
    assert decode(options=IAT_OFF)["iat"] == int(NOW) + 3600


def test_a_negative_max_age_is_refused() -> None:
    # It bounded nothing sensible: every past token was too old, every future one passed.
    with pytest.raises(InvalidArgumentError, match="max_age must not be negative"):
        check({"iat": NOW}, max_age=-1)
    with pytest.raises(InvalidArgumentError, match="max_age must not be negative"):
        check({"iat": NOW}, max_age=timedelta(seconds=-5))


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
    with pytest.warns(NaiveDatetimeWarning, match="'iat'"):  # read as UTC, and said so
        out = encode_time_claims({"exp": aware, "iat": naive, "nbf": plus_one, "x": aware})
    assert out == {"exp": 1_700_000_000, "iat": 1_700_000_000, "nbf": 1_700_000_000, "x": aware}
    assert all(type(out[k]) is int for k in ("exp", "iat", "nbf"))


def test_claims_json_defaults_refuse_non_string_claims_and_warn_on_naive_datetimes() -> None:
    # The defaults are jwtlite's (the PyJWT face passes both switches off, see api.PyJWT).
    for name in ("sub", "jti"):
        with pytest.raises(InvalidArgumentError, match=rf"\({name}\) must be a string\."):
            claims_json({name: 5})
    assert claims_json({"sub": 5}, string_claims=False) == b'{"sub":5}'
    naive = datetime(2023, 11, 14, 22, 13, 20)
    with pytest.warns(NaiveDatetimeWarning, match="'exp'"):
        assert claims_json({"exp": naive}) == b'{"exp":1700000000}'
    # warn_naive=False is passed on: silent (warnings are errors in this suite).
    assert claims_json({"exp": naive}, warn_naive=False) == b'{"exp":1700000000}'


def test_seconds() -> None:
    assert seconds(5) == 5.0
    assert seconds(timedelta(minutes=1)) == 60.0
    for bad in ("5", True, None):
        with pytest.raises(InvalidArgumentError):
            seconds(bad)  # type: ignore[arg-type]


# -- huge numbers never raise anything but jwtlite errors (issue 11, item 4) --

HUGE = st.one_of(
    st.integers(min_value=2**1023, max_value=10**400),
    st.integers(min_value=-(10**400), max_value=-(2**1023)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**12), 10**12),
)


@given(
    iat=HUGE,
    exp=HUGE,
    nbf=HUGE,
    max_age=st.one_of(HUGE.filter(lambda v: v >= 0), st.timedeltas()),
    leeway=st.one_of(st.integers(0, 10**400), st.floats(0, 1e308)),
)
def test_huge_numbers_raise_only_jwtlite_errors(
    iat: float, exp: float, nbf: float, max_age: Any, leeway: float
) -> None:
    payload = {"iat": iat, "exp": exp, "nbf": nbf}
    with contextlib.suppress(PyJWTError):
        check(payload, max_age=max_age, leeway=leeway)
    with contextlib.suppress(PyJWTError):
        check({"iat": iat}, max_age=max_age)


def test_huge_iat_with_max_age() -> None:
    # Was OverflowError: int too large to convert to float.
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        check({"iat": -(10**400)}, max_age=60)
    with pytest.raises(ImmatureSignatureError):
        check({"iat": 10**400}, max_age=60)
    # With max_age set, a future iat is refused even with verify_iat off (issue 20, item 5).
    with pytest.raises(ImmatureSignatureError):
        check({"iat": 10**400}, max_age=60, options={"verify_iat": False})
    with pytest.raises(InvalidArgumentError, match="too large"):
        check({"iat": NOW}, max_age=10**400)
    with pytest.raises(InvalidArgumentError, match="too large"):
        check({"exp": NOW + 5}, leeway=10**400)


def test_huge_exp_and_nbf_compare_exactly() -> None:
    check({"exp": 10**400, "nbf": -(10**400)})
    with pytest.raises(ExpiredSignatureError):
        check({"exp": -(10**400)})
    with pytest.raises(ImmatureSignatureError):
        check({"nbf": 10**400})


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_time_claims_are_refused(claim: str, value: float) -> None:
    # Not reachable from strict JSON, but validate() also takes dicts: NaN would never expire.
    with pytest.raises((DecodeError, InvalidIssuedAtError), match=r"must be an integer\.$"):
        check({claim: value})


def test_nan_leeway_and_max_age_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="NaN"):
        check({"exp": NOW - 10**6}, leeway=float("nan"))
    with pytest.raises(InvalidArgumentError, match="NaN"):
        check({"iat": NOW - 10**6}, max_age=float("nan"))


def test_max_age_boundary() -> None:
    check({"iat": NOW - 60}, max_age=60)  # exactly max_age old: still accepted
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        check({"iat": NOW - 60.001}, max_age=60)
    check({"iat": NOW - 65}, max_age=60, leeway=5)
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        check({"iat": NOW - 65.001}, max_age=60, leeway=5)
    check({"iat": NOW - 60}, max_age=timedelta(minutes=1))


def test_exp_exactly_now_with_zero_leeway_is_expired() -> None:
    # RFC 7519 §4.1.4: the token MUST NOT be accepted "on or after" exp.
    with pytest.raises(ExpiredSignatureError):
        check({"exp": NOW}, leeway=0)
    with pytest.raises(ExpiredSignatureError):
        check({"exp": int(NOW)}, leeway=timedelta(0))
    check({"exp": NOW + 0.001}, leeway=0)


# -- audience is never matched per character --


@pytest.mark.parametrize("claim", ["a", ["a"], "pi", ["p", "i"], "", ["x", "ap"]])
def test_string_audience_is_one_value_not_characters(claim: Any) -> None:
    # A mutant using `in` on strings ("a" in "api") or list("api") would accept these.
    with pytest.raises((InvalidAudienceError, MissingRequiredClaimError)):
        check({"aud": claim}, audience="api")


def test_audience_claim_string_is_not_split_either() -> None:
    with pytest.raises(InvalidAudienceError):
        check({"aud": "api"}, audience=["a", "p", "i"])
    with pytest.raises(InvalidAudienceError):
        check({"aud": "api"}, audience="ap")


# -- through the public decode() --

SECRET = "s" * 32


def _token(payload: dict[str, Any], **kwargs: Any) -> str:
    return jwtlite.encode(payload, SECRET, algorithm="HS256", **kwargs)


def test_max_age_through_decode() -> None:
    token = _token({"iat": int(NOW) - 60})
    assert jwtlite.decode(token, SECRET, algorithms=["HS256"], max_age=60, now=NOW)
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        jwtlite.decode(token, SECRET, algorithms=["HS256"], max_age=59, now=NOW)
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        jwtlite.decode(token, SECRET, algorithms=["HS256"], max_age=timedelta(seconds=59), now=NOW)
    with pytest.raises(MissingRequiredClaimError, match="iat"):
        jwtlite.decode(_token({"sub": "a"}), SECRET, algorithms=["HS256"], max_age=60, now=NOW)


def test_huge_iat_through_decode_without_signature_check() -> None:
    token = _token({"iat": 0}).split(".")
    body = jwtlite.b64url.b64url_encode(b'{"iat":-' + b"9" * 400 + b"}")
    forged = f"{token[0]}.{body}.{token[2]}"
    with pytest.raises(ExpiredSignatureError):
        jwtlite.decode(forged, options={"verify_signature": False}, max_age=60, now=NOW)


def test_subject_through_decode() -> None:
    token = _token({"sub": "alice"})
    assert jwtlite.decode(token, SECRET, algorithms=["HS256"], subject="alice")["sub"] == "alice"
    with pytest.raises(InvalidSubjectError, match="Invalid subject"):
        jwtlite.decode(token, SECRET, algorithms=["HS256"], subject="alic")
    with pytest.raises(InvalidSubjectError, match="Invalid subject"):
        jwtlite.decode(_token({}), SECRET, algorithms=["HS256"], subject="alice")


def test_audience_through_decode() -> None:
    with pytest.raises(InvalidAudienceError):
        jwtlite.decode(_token({"aud": "a"}), SECRET, algorithms=["HS256"], audience="api")
    with pytest.raises(InvalidAudienceError):
        jwtlite.decode(_token({"aud": ["a"]}), SECRET, algorithms=["HS256"], audience="api")


def test_exp_at_now_through_decode() -> None:
    token = _token({"exp": int(NOW)})
    with pytest.raises(ExpiredSignatureError):
        jwtlite.decode(token, SECRET, algorithms=["HS256"], leeway=0, now=NOW)
    assert jwtlite.decode(token, SECRET, algorithms=["HS256"], now=NOW - 1)


def test_token_of_exactly_max_token_size() -> None:
    # base64url grows 4 characters per 3 bytes: search the padding that lands on the limit.
    pad = 3 * (DEFAULT_MAX_TOKEN_SIZE - len(_token({"pad": ""}))) // 4 - 4
    token = _token({"pad": "x" * pad})
    while len(token) < DEFAULT_MAX_TOKEN_SIZE:
        pad += 1
        token = _token({"pad": "x" * pad})
    assert len(token) == DEFAULT_MAX_TOKEN_SIZE
    assert jwtlite.decode(token, SECRET, algorithms=["HS256"])["pad"] == "x" * pad
    assert jwtlite.get_unverified_header(token)["alg"] == "HS256"
    longer = _token({"pad": "x" * (pad + 1)})
    assert len(longer) > DEFAULT_MAX_TOKEN_SIZE
    with pytest.raises(DecodeError, match="larger than"):
        jwtlite.decode(longer, SECRET, algorithms=["HS256"])
    with pytest.raises(DecodeError, match="larger than"):
        jwtlite.get_unverified_header(longer)


# -- exact messages: PyJWT's wording is part of the drop-in contract (DESIGN.md) --

_NAN = float("nan")
_MESSAGES: list[tuple[dict[str, Any], dict[str, Any], type[Exception], str]] = [
    ({}, {"leeway": "5"}, InvalidArgumentError,
     "expected seconds as a number or timedelta, got str"),
    ({}, {"leeway": 10**400}, InvalidArgumentError, "seconds value is too large"),
    ({}, {"leeway": _NAN}, InvalidArgumentError, "seconds value must not be NaN"),
    # A falsy leeway of a wrong type is as wrong as a truthy one (docs/claims.md, errors).
    ({}, {"leeway": None}, InvalidArgumentError,
     "expected seconds as a number or timedelta, got NoneType"),
    ({}, {"leeway": False}, InvalidArgumentError,
     "expected seconds as a number or timedelta, got bool"),
    ({}, {"leeway": ""}, InvalidArgumentError,
     "expected seconds as a number or timedelta, got str"),
    ({"iat": NOW}, {"max_age": -1}, InvalidArgumentError, "max_age must not be negative"),
    ({"iat": "1"}, {}, InvalidIssuedAtError, "Issued At claim (iat) must be an integer."),
    ({"exp": "1"}, {}, DecodeError, "Expiration Time claim (exp) must be an integer."),
    ({"nbf": True}, {}, DecodeError, "Not Before claim (nbf) must be an integer."),
    ({"exp": NOW}, {}, ExpiredSignatureError, "Signature has expired"),
    ({"nbf": NOW + 1}, {}, ImmatureSignatureError, "The token is not yet valid (nbf)"),
    ({"iat": NOW + 1}, {}, ImmatureSignatureError, "The token is not yet valid (iat)"),
    ({}, {"max_age": 5}, MissingRequiredClaimError, 'Token is missing the "iat" claim'),
    ({"iat": NOW - 6}, {"max_age": 5}, ExpiredSignatureError,
     "Token is older than max_age (by its iat claim)"),
    ({"iat": NOW + 1}, {"max_age": 5, "options": {"verify_iat": False}}, ImmatureSignatureError,
     "The token is not yet valid (iat)"),
    ({"aud": "api"}, {}, InvalidAudienceError, "Invalid audience"),
    ({}, {"audience": "api"}, MissingRequiredClaimError, 'Token is missing the "aud" claim'),
    ({"aud": "a"}, {"audience": "api"}, InvalidAudienceError, "Audience doesn't match"),
    ({"aud": ["a", 5]}, {"audience": "a"}, InvalidAudienceError, "Invalid claim format in token"),
    ({"aud": 5}, {"audience": 5}, InvalidAudienceError, "Invalid claim format in token"),
    ({"aud": "a"}, {"audience": 5}, InvalidArgumentError,
     "audience must be a string or a collection of strings"),
    ({"aud": "a"}, {"audience": ["a", 5]}, InvalidArgumentError,
     "audience must be a string or a collection of strings"),
    ({"aud": "a"}, {"audience": ["a"], "options": {"strict_aud": True}}, InvalidAudienceError,
     "Invalid audience (strict)"),
    ({"aud": ["a"]}, {"audience": "a", "options": {"strict_aud": True}}, InvalidAudienceError,
     "Invalid claim format in token (strict)"),
    ({"aud": "b"}, {"audience": "a", "options": {"strict_aud": True}}, InvalidAudienceError,
     "Audience doesn't match (strict)"),
    ({}, {"issuer": "me"}, MissingRequiredClaimError, 'Token is missing the "iss" claim'),
    ({"iss": 5}, {"issuer": "me"}, InvalidIssuerError, "Invalid issuer"),
    ({"iss": "m"}, {"issuer": "me"}, InvalidIssuerError, "Invalid issuer"),
    ({"iss": "m"}, {"issuer": ["me"]}, InvalidIssuerError, "Invalid issuer"),
    ({"iss": "me"}, {"issuer": 5}, InvalidArgumentError,
     "issuer must be a string or a collection of strings"),
    ({"sub": 5}, {}, InvalidSubjectError, "Subject must be a string"),
    ({"sub": "a"}, {"subject": "b"}, InvalidSubjectError, "Invalid subject"),
    ({"jti": 5}, {}, InvalidJTIError, "JWT ID must be a string"),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "kwargs", "error", "message"), _MESSAGES)
def test_exact_messages(
    payload: dict[str, Any], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        check(payload, **kwargs)
    assert type(info.value) is error
    assert str(info.value) == message


def test_dict_options_never_apply_the_signature_off_rule() -> None:
    # PyJWT's "verify_signature off turns claim checks off" belongs to decode(), not here.
    with pytest.raises(ExpiredSignatureError):
        validate({"exp": NOW}, {"verify_signature": False}, now=NOW)
    validate({"exp": NOW}, {"verify_signature": False, "verify_exp": False}, now=NOW)


@pytest.mark.parametrize(
    "now", [10**400, -(10**400), float("nan"), float("inf")], ids=["huge", "-huge", "nan", "inf"]
)
def test_a_clock_no_float_holds_raises_invalid_argument(now: float) -> None:
    # float(10**400) raised OverflowError; NaN turned every time check off (each comparison
    # with NaN is false), so an expired token passed.
    token = jwtlite.encode({"exp": NOW - 3600}, "k" * 32)
    with pytest.raises(InvalidArgumentError, match="now must be a finite number"):
        jwtlite.decode(token, "k" * 32, algorithms=["HS256"], now=now)
    with pytest.raises(InvalidArgumentError, match="now must be a finite number"):
        validate({"exp": NOW - 3600}, {}, now=now)


@pytest.mark.parametrize("payload", [None, "claims", 5, ["exp"]])
def test_claims_that_are_not_a_dict_raise_invalid_argument(payload: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="claims must be a dict"):
        validate(payload, {}, now=NOW)
    with pytest.raises(InvalidArgumentError, match="claims must be a dict"):
        encode_time_claims(payload)
