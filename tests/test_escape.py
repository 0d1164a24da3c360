"""escape: attacker-chosen text in messages (CWE-117), the one helper every message uses."""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property.strategies import hostile_text, json_scalars

import jwtlite
import jwtlite.pyjwt as face
from jwtlite._escape import KID_SHOWN, SHOWN, escape, escape_kid, quoted, summarise
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import DecodeError, InvalidTokenError, PyJWKSetError, PyJWTError
from jwtlite.jwk import PyJWKSet


@pytest.mark.parametrize(
    ("kid", "shown"),
    [
        ("plain-kid_1", "plain-kid_1"),
        ("a\r\nb", "a\\x0d\\x0ab"),
        ("\x1b[31m", "\\x1b[31m"),
        ("\x7f\x85", "\\x7f\\x85"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("bidi\u202e", "bidi\\u202e"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone\ud800", "lone\\ud800"),
        ('q"\\', 'q\\"\\\\'),
        ("é ü 鍵", "é ü 鍵"),
    ],
)
def test_escapes(kid: str, shown: str) -> None:
    assert escape_kid(kid) == shown


def test_long_kids_are_cut_and_non_strings_shown_by_repr() -> None:
    assert escape_kid is escape  # the old names, for existing imports
    assert KID_SHOWN == SHOWN
    assert escape("k" * 5000) == "k" * SHOWN + "..."
    assert escape(42) == "42"
    assert escape(None) == "None"
    assert escape(["a\n", 1]) == "['a\\\\n', 1]"
    assert escape("abc", 2) == "ab..."


def test_the_bound_counts_escapes() -> None:
    # 20 KB of CR/LF once made a 40 KB message; the bound is on what is shown.
    out = escape("\r\n" * 10_000)
    assert out == "\\x0d\\x0a" * 12 + "\\x0d" + "..."
    assert len(out) <= SHOWN + 3


def test_huge_and_hostile_objects() -> None:
    assert escape(10**5000) == "<an integer of 16610 bits>"  # repr would raise past 4300 digits
    assert escape(-(2**200)) == str(-(2**200))

    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert escape(Broken()).startswith("<Broken instance at 0x")
    assert len(escape(list(range(10_000)))) <= SHOWN + 3


def test_summarise_bounds_a_list_of_reasons() -> None:
    assert summarise(["b", "a", "b"]) == "a; b"
    assert summarise(f"r{i}" for i in range(50)) == "r0; r1; r10; and 47 more"


@given(st.text(max_size=200))
def test_no_unprintable_survives(kid: str) -> None:
    out = escape_kid(kid)
    assert all(unicodedata.category(c)[0] not in "C" for c in out)
    assert all(unicodedata.category(c) not in ("Zl", "Zp") for c in out)
    assert len(out) <= SHOWN + 3


# --- every refusal, with hostile header and claim values (issue 20, item 5) -----------------


#: Longest message any refusal may have, hints included: a quoted value takes at most
#: ``SHOWN + 3`` characters, and the texts around it are short.
MESSAGE_BOUND = 1000
SECRET = b"s" * 64
NOW = 1_700_000_000
_HEADER_MEMBERS = ("kid", "typ", "cty", "enc", "zip", "jku", "x5u", "b64", "x5t")
_CLAIMS = ("iss", "aud", "sub", "jti", "exp", "nbf", "iat", "scope")


@st.composite
def hostile_tokens(draw: st.DrawFn) -> str:
    """A compact JWS whose header and claims hold attacker text, HMAC-signed with SECRET."""
    header: dict[str, Any] = {"alg": draw(st.just("HS256") | hostile_text)}
    for name in draw(st.sets(st.sampled_from(_HEADER_MEMBERS))):
        header[name] = draw(hostile_text | json_scalars)
    if draw(st.booleans()):
        crit = draw(st.lists(hostile_text, min_size=1, max_size=3, unique=True))
        header["crit"] = crit
        header.update({name: 1 for name in crit if draw(st.booleans())})
    if draw(st.booleans()):
        header[draw(hostile_text)] = 1
    names = draw(st.sets(st.sampled_from(_CLAIMS)))
    claims = {name: draw(hostile_text | json_scalars) for name in names}
    signing_input = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(claims).encode())
    )
    signature = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url_encode(signature)


_JWKS = {
    "keys": [
        {"kty": "oct", "kid": "a", "k": b64url_encode(SECRET)},
        {"kty": "oct", "kid": "b", "k": b64url_encode(b"t" * 64)},
    ]
}
_CHECKS = {"audience": "api", "issuer": "me", "subject": "alice", "now": NOW}
#: Every way a token is refused: unverified reads, both faces, a secret and a JWK Set as key,
#: and every claim check.
REFUSALS: dict[str, Callable[[str], Any]] = {
    "get_unverified_header": jwtlite.get_unverified_header,
    "decode": lambda t: jwtlite.decode(
        t,
        SECRET,
        algorithms=["HS256"],
        typ="JWT",
        max_age=60,
        options={"require": ["exp"]},
        **_CHECKS,
    ),
    "decode_complete, JWK Set": lambda t: jwtlite.decode_complete(t, _JWKS, algorithms=["HS256"]),
    "decode, no checks": lambda t: jwtlite.decode(t, options={"verify_signature": False}),
    "PyJWS.decode": lambda t: jwtlite.PyJWS().decode(t, SECRET, algorithms=["HS256", "HS384"]),
    "face decode": lambda t: face.decode(t, SECRET, algorithms=["HS256"], **_CHECKS),
    "face get_unverified_header": face.get_unverified_header,
    "face decode, PyJWKSet": lambda t: face.decode(
        t, face.PyJWKSet.from_dict(_JWKS), algorithms=["HS256"], **_CHECKS
    ),
}


def _messages(exc: BaseException) -> Iterator[str]:
    """The message, the notes and every message down the cause chain (what a log shows)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield from getattr(current, "__notes__", [])
        current = current.__cause__ or current.__context__


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token=hostile_tokens(), refusal=st.sampled_from(sorted(REFUSALS)))
def test_no_refusal_message_holds_raw_attacker_text(token: str, refusal: str) -> None:
    try:
        REFUSALS[refusal](token)
    except PyJWTError as exc:
        for message in _messages(exc):
            assert len(message) <= MESSAGE_BOUND, (refusal, message[:200])
            bad = [c for c in message if unicodedata.category(c) in ("Cc", "Zl", "Zp")]
            assert not bad, (refusal, message[:300])
            assert "\u202e" not in message  # a bidi override could disguise the line


def test_the_reported_crit_values_are_escaped_and_cut() -> None:
    name = "x\r\nINFO forged line" + "A" * 20_000
    header = b64url_encode(json.dumps({"alg": "HS256", "crit": [name], name: 1}).encode())
    token = f"{header}.e30.c2ln"
    for read in (jwtlite.get_unverified_header, face.get_unverified_header):
        with pytest.raises(InvalidTokenError) as info:
            read(token)
        assert str(info.value) == (
            "Unsupported critical extension: x\\x0d\\x0aINFO forged line" + "A" * 75 + "..."
        )
    missing = b64url_encode(json.dumps({"alg": "HS256", "crit": ["b64\n"]}).encode())
    with pytest.raises(InvalidTokenError) as info:
        jwtlite.decode(f"{missing}.e30.c2ln", SECRET, algorithms=["HS256"])
    assert str(info.value) == "Unsupported critical extension: b64\\x0a"


def test_a_json_member_name_is_escaped_and_cut() -> None:
    name = "k\r\n" * 10_000
    member = json.dumps(name)
    header = b64url_encode(f'{{"alg":"HS256",{member}:1,{member}:2}}'.encode())
    with pytest.raises(DecodeError) as info:
        jwtlite.decode(f"{header}.e30.c2ln", SECRET, algorithms=["HS256"])
    message = str(info.value)
    assert message.startswith('Invalid header string: duplicate member name "k\\x0d\\x0ak')
    assert len(message) < 200


def test_a_hostile_jwk_set_makes_a_short_message() -> None:
    # A thousand members, each wrong in its own way, used to list a thousand reasons.
    members = [{"kty": f"bad-{i}\r\n" + "x" * 500} for i in range(200)]
    with pytest.raises(PyJWKSetError) as info:
        PyJWKSet(members)
    message = str(info.value)
    assert message.endswith("; and 197 more)")
    assert "\r" not in message
    assert len(message) < 400


def test_quoted_is_repr_made_safe() -> None:
    assert quoted("HS256") == "'HS256'"
    assert quoted("it's\n") == "'it\\'s\\x0a'"
    assert quoted(256) == "256"
    # repr() of an integer of more than 4300 digits raises ValueError: messages that showed a
    # caller's alg, enc, hash name or operation with {value!r} raised it.
    assert quoted(10**5000) == "<an integer of 16610 bits>"
    assert quoted("x" * 500).endswith("...'")


# --- the helpers' limits at their exact values (mutation testing of _escape) -----------------


def test_quoted_cuts_at_the_limit_it_is_given() -> None:
    assert quoted("a" * 50, 10) == "'" + "a" * 10 + "...'"
    assert quoted("it's", 10) == "'it\\'s'"
    assert quoted(12345678901234, 5) == "12345..."
    assert quoted(["x" * 20], 8) == "['xxxxxx..."


def test_summarise_counts_only_the_reasons_it_leaves_out() -> None:
    assert summarise(["c", "a", "b", "a"]) == "a; b; c"
    assert summarise(["d", "c", "a", "b"]) == "a; b; c; and 1 more"
    assert summarise(["e", "d", "c", "a", "b"]) == "a; b; c; and 2 more"


def test_integers_up_to_256_bits_are_written_out() -> None:
    assert escape(2**256 - 1, 200) == str(2**256 - 1)
    assert escape(2**255, 200) == str(2**255)
    assert escape(2**256) == "<an integer of 257 bits>"
    assert escape(-(2**256)) == "<an integer of 257 bits>"
