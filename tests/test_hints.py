"""Errors that say what to do (issue 12, item 7): one test per mistake, plus the hint rules.

Each message keeps its PyJWT-compatible leading text, and the hint follows it; no hint quotes a
secret, a key or a token.
"""

from __future__ import annotations

import json
import warnings
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import key_pem

import jwtlite
from jwtlite import _hints
from jwtlite.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    NaiveDatetimeWarning,
    PyJWKSetError,
    UnusableKeyError,
)
from jwtlite.keys import dump_pem, load_key

SECRET = "a-32-byte-long-secret-for-hs256!"
EC_PRIVATE = key_pem("ec_p256.pem")
EC_PUBLIC = dump_pem(load_key(EC_PRIVATE).public_key())
HS_TOKEN = jwtlite.encode({"sub": "alice"}, SECRET)
ES_TOKEN = jwtlite.encode({"sub": "alice"}, EC_PRIVATE, algorithm="ES256")
ALGORITHMS_REQUIRED = (
    'It is required that you pass in a value for the "algorithms" argument when calling decode().'
)


def _message(excinfo: pytest.ExceptionInfo[Exception]) -> str:
    return str(excinfo.value)


def _hint_of(message: str, leading: str) -> str:
    """The hint after ``leading``, which must be the message's unchanged beginning."""
    assert message.startswith(leading + " (hint: "), message
    assert message.endswith(")")
    return message[len(leading) :]


# --- forgetting algorithms= -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "key", "example"),
    [
        (HS_TOKEN, SECRET, 'algorithms=["HS256"]'),
        (ES_TOKEN, EC_PUBLIC, 'algorithms=["ES256"]'),
        (ES_TOKEN, load_key(EC_PRIVATE), 'algorithms=["ES256"]'),
        (ES_TOKEN, key_pem("ec_p384.pem"), 'algorithms=["ES384"]'),
        (ES_TOKEN, key_pem("rsa2048.pem"), 'algorithms=["RS256"]'),
        (ES_TOKEN, key_pem("ed25519.pem"), 'algorithms=["EdDSA"]'),
    ],
)
def test_missing_algorithms_shows_an_example_that_fits_the_key(
    token: str, key: Any, example: str
) -> None:
    with pytest.raises(DecodeError) as excinfo:
        jwtlite.decode(token, key)
    assert example in _hint_of(_message(excinfo), ALGORITHMS_REQUIRED)


# --- a token that still starts with "Bearer " -----------------------------------------------------


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", "BEARER "])
def test_bearer_prefix_gets_a_hint(prefix: str) -> None:
    with pytest.raises(DecodeError) as excinfo:
        jwtlite.decode(prefix + HS_TOKEN, SECRET, algorithms=["HS256"])
    message = _message(excinfo)
    assert "hint: The token still starts with 'Bearer '" in message
    assert "removeprefix" in message
    assert HS_TOKEN.split(".")[1] not in message  # the token is never echoed


def test_bearer_prefix_as_bytes_and_in_get_unverified_header() -> None:
    with pytest.raises(DecodeError, match="starts with 'Bearer '"):
        jwtlite.decode(b"Bearer " + HS_TOKEN.encode(), SECRET, algorithms=["HS256"])
    with pytest.raises(DecodeError, match="starts with 'Bearer '"):
        jwtlite.get_unverified_header("Bearer " + HS_TOKEN)


def test_quotes_and_whitespace_around_a_token_get_a_hint() -> None:
    with pytest.raises(DecodeError, match="wrapped in quotes"):
        jwtlite.decode(f'"{HS_TOKEN}"', SECRET, algorithms=["HS256"])
    with pytest.raises(DecodeError, match="whitespace"):
        jwtlite.decode(f" {HS_TOKEN}\n", SECRET, algorithms=["HS256"])


def test_a_broken_token_without_a_known_cause_gets_no_hint() -> None:
    with pytest.raises(DecodeError) as excinfo:
        jwtlite.decode(HS_TOKEN + ".x", SECRET, algorithms=["HS256"])
    assert "hint" not in _message(excinfo)


# --- a file path where key text is expected -------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["private.pem", "/etc/keys/key.pem", "./jwks.json", "keys/pub.key", "C:\\k\\a.pem"]
)
def test_file_path_as_key_gets_a_hint(path: str) -> None:
    for call in (
        lambda: jwtlite.decode(ES_TOKEN, path, algorithms=["ES256"]),
        lambda: jwtlite.encode({"sub": "a"}, path, algorithm="ES256"),
        lambda: load_key(path.encode()),
    ):
        with pytest.raises(InvalidKeyError) as excinfo:
            call()
        assert "hint: This looks like a file path" in _message(excinfo)
        assert "Read the file first" in _message(excinfo)
        assert path not in _message(excinfo)  # a mistaken secret is never echoed


def test_file_path_as_jwk_set_or_hmac_secret_gets_a_hint() -> None:
    with pytest.raises(PyJWKSetError, match="looks like a file path"):
        jwtlite.PyJWKSet.from_json("./jwks.json")
    # As an HMAC secret a path is a valid (if short) secret; the length warning says why.
    with pytest.warns(jwtlite.InsecureKeyLengthWarning, match="looks like a file path"):
        jwtlite.encode({"sub": "a"}, "/etc/keys/hmac.key")


def test_key_text_that_is_no_path_gets_no_path_hint() -> None:
    for text in ("not a key at all", "ssh-rsa AAAA", '{"kty": "EC"}', "-----BEGIN X-----"):
        assert "file path" not in _hints.key_text(text)


# --- a PEM with literal \n ------------------------------------------------------------------------


ESCAPED = EC_PUBLIC.replace("\n", "\\n")


def test_escaped_pem_is_refused_with_a_hint() -> None:
    with pytest.raises(InvalidKeyError) as excinfo:
        jwtlite.decode(ES_TOKEN, ESCAPED, algorithms=["ES256"])
    message = _message(excinfo)
    assert message.startswith("PEM PUBLIC KEY: invalid base64 (hint: ")
    assert "literal '\\n' (backslash-n)" in message
    assert ESCAPED.split("\\n")[1] not in message  # the key body is not echoed


def test_escaped_pem_is_never_an_hmac_secret() -> None:
    # Were it a secret, anyone holding the public key could sign HS256 tokens with it.
    forged = jwtlite.PyJWS().encode(b'{"sub":"admin"}', b"placeholder-secret-32-bytes-long!")
    for key in (ESCAPED, ESCAPED.encode(), ESCAPED.replace("\\n", "\\r\\n")):
        with pytest.raises(UnusableKeyError) as excinfo:
            jwtlite.decode(forged, key, algorithms=["HS256"])
        _hint_of(
            _message(excinfo),
            "The specified key is an asymmetric key or x509 certificate and should not be used"
            " as an HMAC secret.",
        )
        with pytest.raises(UnusableKeyError):
            jwtlite.encode({"sub": "admin"}, key, algorithm="HS256")


def test_the_fix_the_hint_suggests_works() -> None:
    fixed = ESCAPED.replace("\\n", "\n")
    assert jwtlite.decode(ES_TOKEN, fixed, algorithms=["ES256"]) == {"sub": "alice"}


# --- algorithm="hs256" and near misses ------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "meant"),
    [("hs256", "HS256"), ("Hs512", "HS512"), ("es256k", "ES256K"), ("HS265", "HS256"),
     ("eddsa", "EdDSA"), ("RS-256", "RS256")],
)  # fmt: skip
def test_wrong_case_and_near_misses_suggest_the_spelling(given: str, meant: str) -> None:
    with pytest.raises(InvalidAlgorithmError) as excinfo:
        jwtlite.encode({"sub": "a"}, SECRET, algorithm=given)
    hint = _hint_of(_message(excinfo), "Algorithm not supported")
    assert f"Did you mean {meant!r}?" in hint
    with pytest.raises(InvalidAlgorithmError, match=f"Did you mean {meant!r}"):
        jwtlite.get_algorithm_by_name(given)


def test_an_unknown_name_lists_the_supported_ones() -> None:
    with pytest.raises(InvalidAlgorithmError) as excinfo:
        jwtlite.encode({"sub": "a"}, SECRET, algorithm="XYZ")
    hint = _hint_of(_message(excinfo), "Algorithm not supported")
    assert "HS256" in hint
    assert "EdDSA" in hint
    assert "'none'" not in hint


# --- a valid algorithm not in algorithms= ---------------------------------------------------------


def test_alg_not_allowed_names_the_allowed_list() -> None:
    with pytest.raises(InvalidAlgorithmError) as excinfo:
        jwtlite.decode(ES_TOKEN, EC_PUBLIC, algorithms=["RS256", "PS256"])
    hint = _hint_of(_message(excinfo), "The specified alg value is not allowed")
    assert "'ES256'" in hint
    assert "['RS256', 'PS256']" in hint


def test_alg_not_allowed_because_of_case() -> None:
    with pytest.raises(InvalidAlgorithmError) as excinfo:
        jwtlite.decode(HS_TOKEN, SECRET, algorithms=["hs256"])
    hint = _hint_of(_message(excinfo), "The specified alg value is not allowed")
    assert "case-sensitive" in hint
    assert "'HS256'" in hint


def test_alg_not_allowed_with_an_unusual_sequence_or_a_long_list() -> None:
    class Names:  # a Sequence-like object that is not a list or tuple
        def __contains__(self, item: object) -> bool:
            return False

        def __bool__(self) -> bool:
            return True

    with pytest.raises(InvalidAlgorithmError, match="which algorithms= does not list"):
        jwtlite.decode(HS_TOKEN, SECRET, algorithms=Names())  # type: ignore[arg-type]
    many = [f"X{i}" for i in range(20)]
    with pytest.raises(InvalidAlgorithmError, match=r"'X7', \.\.\.\]"):
        jwtlite.decode(HS_TOKEN, SECRET, algorithms=many)


def test_a_hostile_alg_is_quoted_short() -> None:
    header = jwtlite.b64url.b64url_encode(json.dumps({"alg": "X" * 5000}).encode())
    token = f"{header}.e30.c2ln"
    with pytest.raises(InvalidAlgorithmError) as excinfo:
        jwtlite.decode(token, SECRET, algorithms=["HS256"])
    assert len(_message(excinfo)) < 300


# --- a naive datetime in exp/nbf/iat --------------------------------------------------------------


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_naive_datetime_warns_and_is_read_as_utc(claim: str) -> None:
    naive = datetime(2030, 1, 1, 12, 0, 0)
    with pytest.warns(NaiveDatetimeWarning, match=f"'{claim}' claim is a naive datetime") as rec:
        token = jwtlite.encode({claim: naive}, SECRET)
    assert rec[0].filename == __file__  # the warning points at the caller's line
    payload = jwtlite.decode(token, options={"verify_signature": False})
    assert payload[claim] == int(naive.replace(tzinfo=timezone.utc).timestamp())


def test_aware_datetimes_and_other_claims_do_not_warn() -> None:
    aware = datetime.now(timezone.utc) + timedelta(minutes=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jwtlite.encode({"exp": aware, "iat": aware - timedelta(minutes=5)}, SECRET)
        jwtlite.encode({"created": "2030-01-01", "exp": 1_900_000_000}, SECRET)
        # A naive "now" at decode is an injected clock, not a claim: no warning there.
        jwtlite.decode(jwtlite.encode({"sub": "a"}, SECRET), SECRET, algorithms=["HS256"],
                       now=datetime(2030, 1, 1))  # fmt: skip
    assert issubclass(jwtlite.NaiveDatetimeWarning, UserWarning)
    assert "NaiveDatetimeWarning" in jwtlite.__all__


# --- a non-string sub or jti at encode ------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "value", "leading"),
    [
        ("sub", 42, "Subject (sub) must be a string."),
        ("sub", None, "Subject (sub) must be a string."),
        ("sub", ["a"], "Subject (sub) must be a string."),
        ("jti", 7, "JWT ID (jti) must be a string."),
        ("jti", b"id", "JWT ID (jti) must be a string."),
    ],
)
def test_non_string_sub_and_jti_are_refused_at_encode(claim: str, value: Any, leading: str) -> None:
    with pytest.raises(InvalidArgumentError) as excinfo:
        jwtlite.encode({claim: value}, SECRET)
    assert isinstance(excinfo.value, TypeError)  # where PyJWT's callers catch a TypeError
    assert "str(value)" in _hint_of(_message(excinfo), leading)


def test_string_sub_and_integer_iss_still_encode() -> None:
    token = jwtlite.encode({"sub": "42", "jti": "j", "iss": 123456}, SECRET)
    claims = jwtlite.decode(token, SECRET, algorithms=["HS256"])
    assert claims == {"sub": "42", "jti": "j", "iss": 123456}


# --- a claim that JSON cannot serialise -----------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "path", "kind"),
    [
        ({"user": {"created": date(2030, 1, 1)}}, 'claims["user"]["created"]', "a date"),
        ({"roles": ["a", {1, 2}]}, 'claims["roles"][1]', "a set"),
        ({"a": 1, "score": float("nan")}, 'claims["score"]', "not finite"),
        ({"m": {(1, 2): "x"}}, 'claims["m"]', "a dict with a tuple key"),
        ({"when": datetime(2030, 1, 1)}, 'claims["when"]', "a datetime"),
    ],
)
def test_unserialisable_claim_is_named(claims: dict[str, Any], path: str, kind: str) -> None:
    with pytest.raises(InvalidArgumentError) as excinfo:
        jwtlite.encode(claims, SECRET)
    message = _message(excinfo)
    assert message.startswith("Payload is not JSON-serialisable: ")
    hint = message[message.index(" (hint: ") :]
    assert path in hint
    assert kind in hint


def test_a_cycle_is_named_and_a_custom_encoder_is_honoured() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(InvalidArgumentError, match=r'claims\["outer"\]\["self"\] is a reference'):
        jwtlite.encode({"outer": loop}, SECRET)

    class DateEncoder(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            return o.isoformat() if isinstance(o, date) else super().default(o)

    with pytest.raises(InvalidArgumentError) as excinfo:
        jwtlite.encode(
            {"d": date(2030, 1, 1), "s": {1}}, SECRET, json_encoder=DateEncoder
        )  # the date is fine with this encoder; the set is not
    assert 'claims["s"] is a set' in _message(excinfo)


def test_an_encoder_that_raises_something_else_does_not_break_the_hint() -> None:
    class PickyEncoder(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            if isinstance(o, date):
                raise KeyError("no dates here")
            return super().default(o)

    # The header is written with sorted keys, so "a" (a set) fails first, and is named.
    with pytest.raises(InvalidArgumentError, match=r'headers\["a"\] is a set'):
        jwtlite.encode({}, SECRET, headers={"b": date(2030, 1, 1), "a": {1}},
                       json_encoder=PickyEncoder)  # fmt: skip
    # Unsorted, the first member written is the one named.
    with pytest.raises(InvalidArgumentError, match=r'headers\["b"\] is a set'):
        jwtlite.encode({}, SECRET, headers={"b": {1}, "a": {2}}, sort_headers=False)
    # The probe's own KeyError (from the caller's encoder) counts as a failure, never escapes.
    assert 'x["b"] is a date' in _hints.unserialisable({"b": date(2030, 1, 1)}, "x", PickyEncoder)


def test_unserialisable_header_is_named() -> None:
    with pytest.raises(InvalidArgumentError, match=r'headers\["x"\] is an object'):
        jwtlite.encode({"a": 1}, SECRET, headers={"x": object()})


# --- the rules every hint keeps -------------------------------------------------------------------


def test_secrets_are_never_echoed() -> None:
    secret = "/run/secrets/very-secret-value.key"  # looks like a path, is the secret itself
    with pytest.raises(InvalidKeyError) as excinfo:
        jwtlite.decode(ES_TOKEN, secret, algorithms=["ES256"])
    assert "very-secret-value" not in _message(excinfo)
    with pytest.raises(DecodeError) as missing:
        jwtlite.decode(HS_TOKEN, SECRET)
    assert SECRET not in _message(missing)


def test_append_only_touches_one_message_exceptions() -> None:
    plain = DecodeError("leading text")
    _hints.append(plain, " (hint: x)")
    assert str(plain) == "leading text (hint: x)"
    claim = jwtlite.MissingRequiredClaimError("iss")
    _hints.append(claim, " (hint: x)")
    assert str(claim) == 'Token is missing the "iss" claim'
    _hints.append(plain, "")
    assert str(plain) == "leading text (hint: x)"


# --- the hint functions on their own (mutation testing) ------------------------------------------


@pytest.mark.parametrize("token", ["", '"', "'", b"", b'"'])
def test_an_empty_or_one_quote_token_is_not_called_wrapped_in_quotes(token: Any) -> None:
    # A token of no characters, or of one quote, is not wrapped in anything: "" started and
    # ended with the empty string, which every text contains.
    assert _hints.token_text(token) == ""
    with pytest.raises(DecodeError) as excinfo:
        jwtlite.decode(token, SECRET, algorithms=["HS256"])
    assert _message(excinfo) == "Not enough segments"


def test_append_leaves_other_arguments_and_messages_that_are_not_text() -> None:
    two = DecodeError("leading", "second")
    _hints.append(two, " (hint: x)")
    assert two.args == ("leading (hint: x)", "second")
    number = DecodeError(5)
    _hints.append(number, " (hint: x)")
    assert number.args == (5,)
    for hint in (" (hint: x)", ""):
        bare = DecodeError()
        _hints.append(bare, hint)
        assert bare.args == ()


def test_detach_moves_every_hint_into_one_note() -> None:
    exc = DecodeError("leading (hint: one) (hint: two)", "second")
    _hints.detach(exc)
    assert exc.args == ("leading", "second")
    assert vars(exc)["__notes__"] == ["(hint: one) (hint: two)"]
    only = DecodeError(" (hint: all of it)")
    _hints.detach(only)
    assert only.args == ("",)
    assert vars(only)["__notes__"] == ["(hint: all of it)"]
    for untouched in (DecodeError(), DecodeError(5), DecodeError("no hint here")):
        args = untouched.args
        _hints.detach(untouched)
        assert untouched.args == args
        assert not hasattr(untouched, "__notes__")


@pytest.mark.parametrize("notes", [None, ["earlier"]])
def test_detach_before_python_3_11_sets_the_notes_attribute(
    notes: list[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.9 and 3.10 have no add_note(): the note goes where 3.11 would read it.
    class _OldSys:
        version_info = (3, 10, 14, "final", 0)

    monkeypatch.setattr(_hints, "sys", _OldSys)
    exc = DecodeError("leading (hint: do this)")
    if notes is not None:
        vars(exc)["__notes__"] = list(notes)
    _hints.detach(exc)
    assert exc.args == ("leading",)
    assert vars(exc)["__notes__"] == [*(notes or []), "(hint: do this)"]


def test_an_unknown_curve_is_shown_an_hmac_example() -> None:
    assert _hints.example_algorithm("EC", "P-999") == "HS256"
    assert _hints.example_algorithm("EC", "P-384") == "ES384"
    assert _hints.example_algorithm("RSA", None) == "RS256"
    assert _hints.example_algorithm(None, None) == "HS256"


def test_did_you_mean_texts() -> None:
    assert _hints.did_you_mean(5, []) == " (hint: Algorithm names are strings, such as ''.)"
    assert _hints.did_you_mean(5, ["none", "HS256"]) == (
        " (hint: Algorithm names are strings, such as 'HS256'.)"
    )
    # A name of the same letters in another case wins over a closer spelling.
    assert _hints.did_you_mean("aB", ["ab", "AB"]) == (
        " (hint: Did you mean 'ab'? Algorithm names are case-sensitive.)"
    )
    assert _hints.did_you_mean("AB", ["xy", "ab"]) == (
        " (hint: Did you mean 'ab'? Algorithm names are case-sensitive.)"
    )
    # A name up to 40 characters is compared for a misspelling; a longer one is not.
    forty = "A" * 40
    assert _hints.did_you_mean("a" * 39 + "b", [forty]) == (
        f" (hint: Did you mean '{forty}'? Algorithm names are case-sensitive.)"
    )
    assert _hints.did_you_mean("a" * 40 + "b", ["A" * 41, "XXXX"]) == (
        f" (hint: Supported algorithms: {'A' * 41}, XXXX.)"
    )


def test_not_allowed_texts() -> None:
    assert _hints.not_allowed("hs256", ["RS256", "HS256"]) == (
        " (hint: algorithms= lists 'HS256', but names are case-sensitive: write 'hs256'.)"
    )
    assert _hints.not_allowed("HS256", []) == (
        " (hint: The token is signed with 'HS256', which algorithms= does not list.)"
    )
    tail = (
        " Add it only if your key is meant for that algorithm; otherwise the token is not for"
        " you.)"
    )
    eight = [f"A{i}" for i in range(8)]
    shown = ", ".join(f"'{n}'" for n in eight)
    assert _hints.not_allowed("HS256", eight) == (
        f" (hint: The token is signed with 'HS256', and algorithms= allows only [{shown}]." + tail
    )
    assert _hints.not_allowed("HS256", [*eight, "A8"]) == (
        f" (hint: The token is signed with 'HS256', and algorithms= allows only [{shown}, ...]."
        + tail
    )


def test_token_text_hints() -> None:
    assert _hints.token_text(5) == ""
    assert _hints.token_text("abca") == ""  # begins and ends alike, but not with a quote
    assert _hints.token_text("XabcX") == ""
    assert _hints.token_text(bytearray(b"Bearer \xe9")) == (
        " (hint: The token still starts with 'Bearer '. Strip the prefix, e.g."
        ' token.removeprefix("Bearer "), or read the header with'
        " jwtlite.bearer.parse_authorization_header().)"
    )
    assert _hints.token_text("'a.b.c'") == " (hint: The token is wrapped in quotes; strip them.)"
    assert _hints.token_text('""') == " (hint: The token is wrapped in quotes; strip them.)"
    assert _hints.token_text(" a.b.c") == (
        " (hint: The token has leading or trailing whitespace; strip it.)"
    )


@pytest.mark.parametrize(
    ("text", "is_path"),
    [
        ("mykey.pem", True),  # the suffix is in the last six characters
        ("x.keyabc", False),  # a suffix further back is no file name's
        ("./" + "a" * 4094, True),  # 4,096 characters
        ("./" + "a" * 4095, False),  # 4,097: no path is that long
        ("./a\nb.pem", False),
        ("./-----.pem", False),
        ("-----x.pem", False),
        ("{x.pem", False),
        ("   ", False),
    ],
)
def test_what_looks_like_a_key_path(text: str, is_path: bool) -> None:
    hint = (
        " (hint: This looks like a file path, not key text. Read the file first, e.g."
        " pathlib.Path(path).read_text(), and pass its contents.)"
    )
    assert _hints.key_text(text) == (hint if is_path else "")
    assert _hints.key_text(text.encode()) == (hint if is_path else "")


def test_key_text_hints() -> None:
    assert _hints.key_text("\ud800./a") == ""  # a lone surrogate is no error
    assert _hints.key_text("-----BEGIN KEY-----\\nabc") == (
        " (hint: The PEM contains literal '\\n' (backslash-n) instead of line breaks, as"
        " environment variables often do. Turn them into newlines first, e.g."
        " key.replace('\\\\n', '\\n').)"
    )


def test_claim_hint_texts() -> None:
    assert _hints.naive_datetime("exp") == (
        "The 'exp' claim is a naive datetime, which is read as UTC (hint: Pass an aware"
        " datetime, e.g. datetime.now(timezone.utc) + timedelta(minutes=15).)"
    )
    assert _hints.claim_type("iss") == (
        " (hint: Convert it first, e.g. {'iss': str(value)} (RFC 7519 §4.1).)"
    )


def test_unserialisable_paths() -> None:
    two = {"b": {1}, "a": {2}}
    assert _hints.unserialisable(two, "claims", None).startswith(' (hint: claims["b"] is a set;')
    assert _hints.unserialisable(two, "claims", None, sort_keys=True).startswith(
        ' (hint: claims["a"] is a set;'
    )
    assert _hints.unserialisable({"a": 1}, "claims", None) == ""
    assert _hints.unserialisable({"x": float("nan")}, "claims", None) == (
        ' (hint: claims["x"] is a float that is not finite (JSON has no NaN or Infinity); convert'
        " it to a string, number, list or dict first, or pass json_encoder=.)"
    )
    looped: list[Any] = []
    looped.append(looped)
    assert _hints.unserialisable({"l": looped}, "claims", None).startswith(
        ' (hint: claims["l"][0] is a reference back to an enclosing container (a cycle);'
    )
    long = "k" * 100
    assert _hints.unserialisable({long: {1}}, "claims", None).startswith(
        f' (hint: claims["{"k" * 40}...'
    )


def test_unserialisable_searches_32_levels_deep() -> None:
    def nested(depth: int) -> Any:
        value: Any = {1}
        for _ in range(depth):
            value = [value]
        return value

    found = _hints.unserialisable(nested(32), "c", None)
    assert found.startswith(" (hint: c" + "[0]" * 32 + " is a set;")
    assert _hints.unserialisable(nested(33), "c", None) == ""


def test_unserialisable_keys_that_cannot_be_sorted() -> None:
    class _Odd:
        def __lt__(self, other: object) -> bool:
            raise ValueError("no order")

    mixed: dict[Any, Any] = {"b": 1, 2: {1}}
    assert _hints.unserialisable(mixed, "claims", None, sort_keys=True).startswith(
        ' (hint: claims["2"] is a set;'
    )
    odd: dict[Any, Any] = {_Odd(): 1, _Odd(): 2}
    assert _hints.unserialisable(odd, "claims", None, sort_keys=True).startswith(
        " (hint: claims is a dict with a _Odd key (keys must be strings);"
    )
