"""Options dicts: an unknown name is refused by jwtlite's API and warned about by PyJWT's face.

Issue 20, item 4: ``options={"requires": ["exp"]}`` (a typo for ``require``) was ignored, so a
token without ``exp`` was accepted.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

import jwtlite
import jwtlite.pyjwt as face
from jwtlite import claims
from jwtlite._options import DEFAULT_MAX_TOKEN_SIZE, OPTION_NAMES, Options
from jwtlite.exceptions import (
    InvalidArgumentError,
    MissingRequiredClaimError,
    UnknownOptionWarning,
)

SECRET = "a-32-byte-long-secret-for-hs256!"
NO_EXP = jwtlite.encode({"sub": "alice"}, SECRET)
TYPO = {"requires": ["exp"]}

def _option_takers(api: Any) -> dict[str, Callable[[Any], Any]]:
    """Every place of ``api`` (jwtlite, or PyJWT's face) that takes an options dict, as a call
    with ``options``; each decode verifies NO_EXP."""

    def decoding(make: Callable[[], Any], method: str) -> Callable[[Any], Any]:
        return lambda o: getattr(make(), method)(NO_EXP, SECRET, algorithms=["HS256"], options=o)

    return {
        "decode": decoding(lambda: api, "decode"),
        "decode_complete": decoding(lambda: api, "decode_complete"),
        "PyJWT()": lambda o: api.PyJWT(options=o),
        "PyJWT().decode": decoding(api.PyJWT, "decode"),
        "PyJWS()": lambda o: api.PyJWS(options=o),
        "PyJWS().decode": decoding(api.PyJWS, "decode"),
        "PyJWS().decode_complete": decoding(api.PyJWS, "decode_complete"),
    }


#: Every place of jwtlite's own API that takes an options dict, called with ``options``.
NATIVE: dict[str, Callable[[Any], Any]] = {
    **_option_takers(jwtlite),
    "claims.validate": lambda o: claims.validate({"sub": "alice"}, o, now=0),
}


@pytest.mark.parametrize("where", NATIVE)
def test_a_misspelt_option_is_refused_with_the_closest_name(where: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        NATIVE[where](TYPO)
    assert str(info.value).startswith('Unknown option "requires": did you mean "require"?')
    if where.startswith("PyJWS"):
        assert str(info.value).endswith(
            "(PyJWS verifies the signature only; pass claim options to PyJWT or jwtlite.decode)"
        )
    assert isinstance(info.value, TypeError)  # what a wrong argument raises in Python


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("verify_expiry", "verify_exp"),
        ("VERIFY_AUD", "verify_aud"),
        ("verify_signatures", "verify_signature"),
        ("strict_audience", "strict_aud"),
        ("max_token_length", "max_token_size"),
    ],
)
def test_near_misses_name_the_option_they_miss(name: str, closest: str) -> None:
    with pytest.raises(InvalidArgumentError, match=f'"{name}": did you mean "{closest}"'):
        jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options={name: False})


def test_a_name_like_no_option_lists_them_all() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options={"leeway": 30})
    assert str(info.value) == (
        'Unknown option "leeway"; the options are ' + ", ".join(sorted(OPTION_NAMES))
    )


def test_odd_and_hostile_names_are_refused_and_quoted_safely() -> None:
    with pytest.raises(InvalidArgumentError, match='Unknown option "1"; the options are'):
        jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options={1: True})  # type: ignore[dict-item]
    with pytest.raises(InvalidArgumentError) as info:
        jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options={"x\r\n" * 5000: 1})  # type: ignore[misc]
    assert "\r" not in str(info.value)
    assert str(info.value).startswith('Unknown option "x\\x0d\\x0ax')
    assert len(str(info.value)) < 400


def test_a_claim_option_given_to_pyjws_is_refused() -> None:
    # PyJWS checks no claims: {"require": ["exp"]} there would do nothing, silently.
    for call in (
        lambda: jwtlite.PyJWS(options={"require": ["exp"]}),  # type: ignore[typeddict-unknown-key]
        lambda: jwtlite.PyJWS().decode(
            NO_EXP,
            SECRET,
            algorithms=["HS256"],
            options={"verify_exp": True},  # type: ignore[typeddict-unknown-key]
        ),
    ):
        with pytest.raises(InvalidArgumentError, match="PyJWS verifies the signature only"):
            call()


def test_valid_options_still_work_everywhere() -> None:
    with pytest.raises(MissingRequiredClaimError):
        jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options={"require": ["exp"]})
    assert jwtlite.PyJWS(options={"allow_padding": True}).decode(
        NO_EXP, SECRET, algorithms=["HS256"], options={"max_token_size": 1000}
    )
    jwt = jwtlite.PyJWT(options={"verify_signature": False, "strict_aud": True})
    assert jwt.options["strict_aud"] is True
    assert Options().merged(None) == Options()


def test_a_options_value_that_is_not_a_dict_is_refused() -> None:
    # It was read as "no options": decode(..., options=("require", "exp")) checked nothing.
    for call in (
        lambda: jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options="require"),  # type: ignore[arg-type]
        lambda: jwtlite.PyJWT().decode_complete(
            NO_EXP,
            SECRET,
            algorithms=["HS256"],
            options=[("require", ["exp"])],  # type: ignore[arg-type]
        ),
    ):
        with pytest.raises(InvalidArgumentError, match="options must be a dict, not"):
            call()
    assert jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options={}) == {"sub": "alice"}


# --- PyJWT's face: PyJWT ignores unknown names, so the face warns and goes on -----------------

FACE = _option_takers(face)


@pytest.mark.parametrize("where", FACE)
def test_the_face_warns_and_ignores_a_misspelt_option(where: str) -> None:
    with pytest.warns(UnknownOptionWarning) as record:
        FACE[where](TYPO)
    assert len(record) == 1
    assert str(record[0].message) == 'Unknown option "requires" is ignored: did you mean "require"?'


# The name ends in "warning_points_at_the_callers_line": mutation runs deselect it by that name
# (mutmut's trampolines add frames between the caller and jwtlite).
@pytest.mark.parametrize("where", FACE)
def test_the_face_unknown_option_warning_points_at_the_callers_line(where: str) -> None:
    with pytest.warns(UnknownOptionWarning) as record:
        FACE[where](TYPO)
    assert record[0].filename == __file__


def test_the_face_accepts_claim_options_on_pyjws_as_pyjwt_does() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert face.PyJWS(options={"verify_exp": False}).decode(
            NO_EXP, SECRET, algorithms=["HS256"], options={"require": ["exp"]}
        )


def test_the_face_matches_pyjwt_on_a_misspelt_option() -> None:
    pyjwt = pytest.importorskip("jwt")
    if pyjwt is face:  # pragma: no cover - another test installed the face as jwt
        pytest.skip("PyJWT itself is not importable as jwt here")
    assert pyjwt.decode(NO_EXP, SECRET, algorithms=["HS256"], options=TYPO) == {"sub": "alice"}
    with pytest.warns(UnknownOptionWarning):
        assert face.decode(NO_EXP, SECRET, algorithms=["HS256"], options=TYPO) == {"sub": "alice"}


# --- The options object's own rules, text for text (mutation testing) ------------------------

_SIZE_TEXT = 'options["max_token_size"] must be a positive integer'
_REQUIRE_TEXT = 'options["require"] must be a list of claim names'


@pytest.mark.parametrize("value", [0, -1, True, False, 1.0, 2.5, "5", None])
def test_max_token_size_must_be_a_positive_integer(value: Any) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({"max_token_size": value})
    assert str(info.value) == _SIZE_TEXT


def test_max_token_size_of_one_is_a_limit_like_any_other() -> None:
    assert Options().merged({"max_token_size": 1}).max_token_size == 1
    with pytest.raises(jwtlite.DecodeError):
        jwtlite.decode(NO_EXP, SECRET, algorithms=["HS256"], options={"max_token_size": 1})


@pytest.mark.parametrize("value", ["exp", b"exp", {"exp": True}, 5, [1], ["exp", None], [b"exp"]])
def test_require_must_be_a_list_of_names(value: Any) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({"require": value})
    assert str(info.value) == _REQUIRE_TEXT


def test_require_takes_any_iterable_of_names_and_none() -> None:
    assert Options().merged({"require": ["exp", "iat"]}).require == ("exp", "iat")
    assert Options().merged({"require": ("exp",)}).require == ("exp",)
    assert Options().merged({"require": (n for n in ["sub"])}).require == ("sub",)
    assert Options(require=("exp",)).merged({"require": None}).require == ()
    assert Options().merged({"require": []}).require == ()


def test_signature_off_turns_every_claim_check_off_unless_asked_for() -> None:
    off = Options().merged({"verify_signature": False})
    assert off.verify_signature is False
    for name in ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss",
                 "verify_sub", "verify_jti"):  # fmt: skip
        assert getattr(off, name) is False, name
    kept = Options().merged({"verify_signature": False, "verify_exp": True})
    assert kept.verify_exp is True
    assert kept.verify_nbf is False
    # Only False turns them off (PyJWT compares with False too), and only when asked to.
    assert Options().merged({"verify_signature": 0}).verify_exp is True
    instance = Options().merged({"verify_signature": False}, signature_off_disables_claims=False)
    assert instance.verify_exp is True
    assert instance.verify_signature is False
    # Options that are not claim checks stay as they were.
    assert off.max_token_size == Options().max_token_size
    assert off.require == ()


def test_a_signature_off_token_without_exp_is_refused_when_exp_is_required() -> None:
    # The claim switches go off; "require" is no switch and still applies.
    with pytest.raises(MissingRequiredClaimError):
        jwtlite.decode(NO_EXP, options={"verify_signature": False, "require": ["exp"]})


def test_merged_reads_only_the_names_given() -> None:
    base = Options()
    assert base.merged({"allow_padding": True}, names=("allow_padding",)).allow_padding is True
    with pytest.raises(InvalidArgumentError) as info:
        base.merged({"allow_padding": True}, names=("verify_signature",))
    assert str(info.value) == (
        'Option "allow_padding" does nothing here: PyJWS verifies the signature only; pass'
        " claim options to PyJWT or jwtlite.decode"
    )
    assert base.merged({}) is base
    assert base.merged(None) is base


def test_an_unknown_name_is_refused_or_warned_about_with_its_closest_name() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({"requires": ["exp"], "verify_exp": False})
    assert str(info.value) == 'Unknown option "requires": did you mean "require"?'
    # Compared in lower case: a capital letter is a near miss too.
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({"Verify_Exp": False})
    assert str(info.value) == 'Unknown option "Verify_Exp": did you mean "verify_exp"?'
    with pytest.warns(UnknownOptionWarning) as record:
        merged = Options().merged({"requires": ["exp"], "strict_aud": True}, unknown="warn")
    assert [str(w.message) for w in record] == [
        'Unknown option "requires" is ignored: did you mean "require"?'
    ]
    assert merged == Options(strict_aud=True)
    with pytest.warns(UnknownOptionWarning) as record:
        Options().merged({"leeway": 1}, unknown="warn")
    assert str(record[0].message) == (
        'Unknown option "leeway" is ignored; the options are ' + ", ".join(sorted(OPTION_NAMES))
    )


def test_a_near_miss_of_a_claim_option_given_to_pyjws_says_where_it_belongs() -> None:
    names = ("verify_signature", "allow_padding")
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({"verify_expp": True}, names=names)
    assert str(info.value) == (
        'Unknown option "verify_expp": did you mean "verify_exp"? (PyJWS verifies the signature'
        " only; pass claim options to PyJWT or jwtlite.decode)"
    )
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({"allow_paddin": True}, names=names)
    assert str(info.value) == 'Unknown option "allow_paddin": did you mean "allow_padding"?'
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({"zzz": True}, names=names)
    assert str(info.value) == (
        'Unknown option "zzz"; the options are allow_padding, verify_signature'
    )


def test_a_long_name_is_compared_up_to_forty_characters() -> None:
    # A name of 40 characters may still be a misspelling; one of 41 is not compared, and is
    # cut after 40 characters in the message.
    forty = "enforce_minimum_key_length" + "x" * 14
    assert len(forty) == 40
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({forty: 1})
    assert str(info.value) == (
        f'Unknown option "{forty}": did you mean "enforce_minimum_key_length"?'
    )
    with pytest.raises(InvalidArgumentError) as info:
        Options().merged({forty + "x": 1})
    assert str(info.value) == (
        f'Unknown option "{forty}..."; the options are ' + ", ".join(sorted(OPTION_NAMES))
    )
    with pytest.warns(UnknownOptionWarning) as record:
        Options().merged({forty + "x": 1}, unknown="warn")
    assert str(record[0].message) == (
        f'Unknown option "{forty}..." is ignored; the options are '
        + ", ".join(sorted(OPTION_NAMES))
    )


def test_an_options_value_that_is_not_a_dict_is_named() -> None:
    for value, kind in (("require", "str"), ([("require", ["exp"])], "list"), (5, "int")):
        with pytest.raises(InvalidArgumentError) as info:
            Options().merged(value)
        assert str(info.value) == f"options must be a dict, not {kind}"


def test_pyjwt_s_options_dict_shows_require_as_a_list_and_jwtlite_s_limits_when_set() -> None:
    jwt = jwtlite.PyJWT(options={"require": ["exp", "iat"], "max_token_size": 5000})
    options = jwt.options
    assert list(options) == [
        "verify_signature", "require", "strict_aud", "verify_aud", "verify_exp", "verify_iat",
        "verify_iss", "verify_jti", "verify_nbf", "verify_sub", "enforce_minimum_key_length",
        "max_token_size",
    ]  # fmt: skip
    assert options["require"] == ["exp", "iat"]
    assert type(options["require"]) is list
    assert options["max_token_size"] == 5000
    assert jwtlite.PyJWT().options["require"] == []
    # The PyJWS dict has PyJWT's two keys, then each jwtlite option that differs from its default.
    jws = jwtlite.PyJWS(options={"allow_padding": True, "allow_small_rsa_verify": True,
                                 "max_token_size": DEFAULT_MAX_TOKEN_SIZE})  # fmt: skip
    assert jws.options == {
        "verify_signature": True, "enforce_minimum_key_length": False, "allow_padding": True,
        "allow_small_rsa_verify": True,
    }  # fmt: skip
    plain = {"verify_signature": True, "enforce_minimum_key_length": False}
    assert jwtlite.PyJWS().options == plain


def test_the_dict_view_holds_every_option_with_require_as_a_list() -> None:
    options = Options(require=("exp",), strict_aud=True, max_token_size=7)
    view = options.as_dict()
    assert view == {
        "verify_signature": True, "enforce_minimum_key_length": False, "max_token_size": 7,
        "allow_padding": False, "allow_small_rsa_verify": False, "verify_exp": True,
        "verify_nbf": True, "verify_iat": True, "verify_aud": True, "verify_iss": True,
        "verify_sub": True, "verify_jti": True, "require": ["exp"], "strict_aud": True,
    }  # fmt: skip
    assert type(view["require"]) is list
    assert Options().merged(view) == options
