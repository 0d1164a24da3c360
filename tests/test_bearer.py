"""Bearer header parsing and RFC 6750 challenges."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jwtlite.bearer import (
    BearerError,
    authorization_scheme,
    parse_authorization_header,
    www_authenticate,
)
from jwtlite.exceptions import InvalidArgumentError, InvalidTokenError

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_scheme_is_case_insensitive(scheme: str) -> None:
    assert parse_authorization_header(f"{scheme} {TOKEN}") == TOKEN


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_authorization_header(f" \tBearer {TOKEN} ") == TOKEN


def test_b64token_padding_allowed() -> None:
    assert parse_authorization_header("Bearer abc+/~-._==") == "abc+/~-._=="


@pytest.mark.parametrize("value", [None, "", "   ", b"Bearer x", 42])
def test_missing_header_has_no_error_code(value: object) -> None:
    with pytest.raises(BearerError, match=r"missing|empty") as info:
        parse_authorization_header(value)  # type: ignore[arg-type]
    assert info.value.error is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"Basic {TOKEN}", "not Bearer"),
        (TOKEN, "not Bearer"),
        ("Bearer", "exactly"),
        ("Bearer ", "exactly"),
        (f"Bearer {TOKEN} extra", "exactly"),
        (f"Bearer\t{TOKEN}", "not Bearer"),
        ("Bearer a=b", "b64token"),
        ("Bearer a\x00b", "b64token"),
        ("Bearer é", "b64token"),
    ],
)
def test_malformed_header(value: str, message: str) -> None:
    with pytest.raises(BearerError, match=message) as info:
        parse_authorization_header(value)
    assert info.value.error == "invalid_request"
    assert isinstance(info.value, InvalidTokenError)


@given(st.one_of(st.none(), st.text(), st.binary(), st.integers()))
def test_parse_only_raises_bearer_error(value: object) -> None:
    try:
        token = parse_authorization_header(value)  # type: ignore[arg-type]
    except BearerError:
        return
    assert re.fullmatch(r"[A-Za-z0-9\-._~+/]+=*", token)


@given(st.from_regex(r"[A-Za-z0-9\-._~+/]+=*", fullmatch=True))
def test_every_b64token_round_trips(token: str) -> None:
    assert parse_authorization_header("Bearer " + token) == token


def test_challenge_without_parameters() -> None:
    assert www_authenticate() == "Bearer"


def test_challenge_full() -> None:
    value = www_authenticate(
        realm='api "v1" \\ x',
        scope="read write",
        error="insufficient_scope",
        description="Needs the write scope",
        error_uri="https://example.com/errors#scope",
    )
    assert value == (
        'Bearer realm="api \\"v1\\" \\\\ x", scope="read write", error="insufficient_scope", '
        'error_description="Needs the write scope", error_uri="https://example.com/errors#scope"'
    )


def test_challenge_invalid_token() -> None:
    assert www_authenticate(error="invalid_token", description="The token expired") == (
        'Bearer error="invalid_token", error_description="The token expired"'
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"error": "invalid_token", "description": 'say "hi"'},
        {"error": "invalid_token", "description": "back\\slash"},
        {"error": "invalid_token", "description": "line\r\nSet-Cookie: x=1"},
        {"error": "invalid_token", "description": "caf\u00e9"},
        {"error": 'bad"code'},
        {"error": ""},
        {"error": "invalid_token", "error_uri": "has space"},
        {"scope": ""},
        {"scope": "a  b"},
        {"scope": "a\tb"},
        {"realm": "a\nb"},
        {"realm": "caf\u00e9"},
        {"description": "no error code"},
        {"error_uri": "https://example.com"},
    ],
)
def test_challenge_rejects_bad_parameters(kwargs: dict[str, str]) -> None:
    with pytest.raises(BearerError):
        www_authenticate(**kwargs)


@given(
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.text(max_size=20)),
)
def test_challenge_is_always_a_safe_header(
    error: str | None, description: str | None, realm: str | None, scope: str | None
) -> None:
    try:
        value = www_authenticate(error=error, description=description, realm=realm, scope=scope)
    except BearerError:
        return
    assert value.startswith("Bearer")
    assert re.fullmatch(r"[\t\x20-\x7e]*", value)


def test_the_dpop_scheme_has_the_same_token_syntax() -> None:
    # RFC 9449 §7.1: credentials = "DPoP" 1*SP token68, token68 being RFC 6750's b64token.
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    assert parse_authorization_header(f"DPoP {token}", scheme="DPoP") == token
    assert parse_authorization_header("dpop abc", scheme="DPoP") == "abc"
    with pytest.raises(BearerError, match="scheme is not DPoP"):
        parse_authorization_header("Bearer abc", scheme="DPoP")
    with pytest.raises(BearerError, match="exactly 'DPoP <token>'"):
        parse_authorization_header("DPoP a b", scheme="DPoP")
    with pytest.raises(BearerError, match="DPoP token has characters"):
        parse_authorization_header("DPoP a,b", scheme="DPoP")


def test_authorization_scheme() -> None:
    assert authorization_scheme("DPoP abc") == "dpop"
    assert authorization_scheme("  Bearer abc") == "bearer"
    for value in (None, "", "   ", 5):
        assert authorization_scheme(value) is None  # type: ignore[arg-type]


# --- whole refusal texts and the exact white space rule (mutation testing) ---------------------


def _message(call: object) -> str:
    assert callable(call)
    with pytest.raises(Exception) as info:  # noqa: PT011 - the type is checked by the caller
        call()
    return str(info.value)


def test_missing_and_empty_headers_say_which() -> None:
    assert _message(lambda: parse_authorization_header(None)) == "missing Authorization header"
    assert _message(lambda: parse_authorization_header(" \t ")) == "empty Authorization header"


def test_a_scheme_of_the_wrong_type_is_named() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        parse_authorization_header("Bearer abc", scheme=5)  # type: ignore[arg-type]
    assert str(info.value) == "scheme must be a string, not int"


@pytest.mark.parametrize(
    "value", ["Bearer abc\n", "\r\nBearer abc", "Bearer abc\x0b", "\x0cBearer abc", "XBearer abc"]
)
def test_only_spaces_and_tabs_around_the_header_are_ignored(value: str) -> None:
    # RFC 9110 §5.5: OWS around a field value is SP / HTAB; a CR, LF, VT, FF or any other
    # character is part of the value, and no b64token or scheme holds it.
    with pytest.raises(BearerError) as info:
        parse_authorization_header(value)
    assert info.value.error == "invalid_request"


def test_a_token_is_returned_whole() -> None:
    # Trailing characters that are valid b64token content stay in the token.
    assert parse_authorization_header("Bearer abcX") == "abcX"
    assert parse_authorization_header("Bearer X.Y.Z\t") == "X.Y.Z"


@pytest.mark.parametrize(
    ("value", "scheme"),
    [("Bearer a b", "bearer"), ("\nBearer abc", "\nbearer"), ("\tbearer abc ", "bearer"),
     ("XBearer abc", "xbearer"), ("Bearer", "bearer"), ("DPoP a b c", "dpop")],
)  # fmt: skip
def test_authorization_scheme_is_the_first_word(value: str, scheme: str | None) -> None:
    assert authorization_scheme(value) == scheme


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"error": ""}, "error must not be empty"),
        ({"description": "x"}, "error_description and error_uri need an error code"),
        ({"error_uri": "https://e.example"}, "error_description and error_uri need an error code"),
        ({"error": 'a"b'}, "error has characters not allowed by RFC 6750 §3"),
        ({"scope": "a  b"}, "scope has characters not allowed by RFC 6750 §3"),
        ({"realm": "a\nb"}, "realm has characters not allowed by RFC 6750 §3"),
    ],
)
def test_challenge_refusals_say_why(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(BearerError) as info:
        www_authenticate(**kwargs)
    assert str(info.value) == message


def test_a_challenge_parameter_of_the_wrong_type_is_named() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        www_authenticate(realm=5)  # type: ignore[arg-type]
    assert str(info.value) == "realm must be a string, not int"


@pytest.mark.parametrize("spaces", [1, 2, 7])
def test_one_or_more_spaces_separate_scheme_and_token(spaces: int) -> None:
    # RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; RFC 9449 §7.1: "DPoP" 1*SP token68.
    gap = " " * spaces
    assert parse_authorization_header(f"Bearer{gap}{TOKEN}") == TOKEN
    assert parse_authorization_header(f"dpop{gap}abc", scheme="DPoP") == "abc"
    for value in (f"Bearer{gap}", f"Bearer{gap}a{gap}b", f"Bearer{gap}\tabc"):
        with pytest.raises(BearerError) as info:
            parse_authorization_header(value)
        assert info.value.error == "invalid_request"


def test_a_long_run_of_spaces_costs_linear_time() -> None:
    import time

    started = time.process_time()
    assert parse_authorization_header("Bearer" + " " * 200_000 + "abc") == "abc"
    with pytest.raises(BearerError, match="exactly"):
        parse_authorization_header("Bearer a" + " " * 200_000 + "b")
    # A few string scans of 200 KB: well under a millisecond each; a quadratic rescan of the
    # spaces would take minutes. The bound is generous for a loaded machine.
    assert time.process_time() - started < 0.5
