"""The PyJWT-compatible public API: names, signatures, options and behaviour."""

from __future__ import annotations

import functools
import json
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

import jwtlite
from jwtlite.algorithms import HMACAlgorithm
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWTError,
)

KEY = "k" * 64  # long enough for HS512, so no key-length warning
pyjwt = pytest.importorskip("jwt")


def test_every_pyjwt_public_name_exists() -> None:
    missing = [name for name in pyjwt.__all__ if not hasattr(jwtlite, name)]
    assert missing == []
    assert len(pyjwt.__all__) >= 25
    for name in jwtlite.__all__:
        assert hasattr(jwtlite, name), name


def test_exception_hierarchy_matches_pyjwt() -> None:
    names = [n for n in dir(pyjwt.exceptions) if n.endswith("Error")]
    assert len(names) >= 18
    for name in names:
        theirs = getattr(pyjwt.exceptions, name)
        ours = getattr(jwtlite.exceptions, name)
        their_bases = [c.__name__ for c in theirs.__mro__[1:] if c.__module__.startswith("jwt")]
        our_bases = [c.__name__ for c in ours.__mro__[1:] if c.__module__.startswith("jwtlite")]
        assert our_bases == their_bases, name
    assert not issubclass(jwtlite.InvalidKeyError, jwtlite.InvalidTokenError)
    assert issubclass(jwtlite.InsecureKeyLengthWarning, UserWarning)


def test_byte_identical_to_pyjwt_and_interoperable() -> None:
    payload = {"sub": "alice", "iat": 1_700_000_000, "nested": {"b": [1, 2.5, None]}}
    for alg in ("HS256", "HS384", "HS512"):
        key = "s" * 64
        ours = jwtlite.encode(payload, key, algorithm=alg, headers={"kid": "k1"})
        theirs = pyjwt.encode(payload, key, algorithm=alg, headers={"kid": "k1"})
        assert ours == theirs
        assert pyjwt.decode(ours, key, algorithms=[alg]) == payload
        assert jwtlite.decode(theirs, key, algorithms=[alg]) == payload


def test_encode_headers() -> None:
    token = jwtlite.encode({"a": 1}, KEY, headers={"kid": "key-1", "x": [1]})
    header = jwtlite.get_unverified_header(token)
    assert header == {"alg": "HS256", "kid": "key-1", "typ": "JWT", "x": [1]}
    token = jwtlite.encode({"a": 1}, KEY, headers={"typ": None})
    assert jwtlite.get_unverified_header(token) == {"alg": "HS256"}
    token = jwtlite.encode({"a": 1}, KEY, headers={"alg": "HS512"})
    assert jwtlite.get_unverified_header(token)["alg"] == "HS512"
    unsorted = jwtlite.encode({"a": 1}, KEY, headers={"zz": 1}, sort_headers=False)
    assert unsorted.split(".")[0] == jwtlite.b64url.b64url_encode(
        b'{"typ":"JWT","alg":"HS256","zz":1}'
    )
    with pytest.raises(InvalidTokenError, match="Key ID"):
        jwtlite.encode({"a": 1}, KEY, headers={"kid": 1})


def test_encode_json_encoder_and_errors() -> None:
    class Encoder(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            if isinstance(o, (Decimal, uuid.UUID)):
                return str(o)
            return super().default(o)

    value = uuid.UUID(int=5)
    token = jwtlite.encode({"id": value, "d": Decimal("1.5")}, KEY, json_encoder=Encoder)
    assert jwtlite.decode(token, KEY, algorithms=["HS256"]) == {"id": str(value), "d": "1.5"}
    with pytest.raises(InvalidArgumentError, match="JSON"):
        jwtlite.encode({"id": value}, KEY)
    with pytest.raises(TypeError):  # still a TypeError, as PyJWT raises
        jwtlite.encode({"id": value}, KEY)
    with pytest.raises(InvalidArgumentError, match="dict"):
        jwtlite.encode(["not", "a", "dict"], KEY)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        jwtlite.encode({"a": float("nan")}, KEY)
    with pytest.raises(InvalidArgumentError):
        jwtlite.PyJWS().encode("text", KEY)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        jwtlite.encode({"a": 1}, KEY, headers={"x": object()})


def test_encode_datetimes_and_integer_iss() -> None:
    exp = datetime.now(tz=timezone.utc) + timedelta(minutes=5)
    token = jwtlite.encode({"exp": exp, "iss": 123456}, KEY)
    claims = jwtlite.decode(token, KEY, algorithms=["HS256"])
    assert claims == {"exp": int(exp.timestamp()), "iss": 123456}


def test_algorithm_none_only_when_named() -> None:
    with pytest.raises(InvalidAlgorithmError, match="none"):
        jwtlite.encode({"a": 1}, KEY, algorithm=None)
    token = jwtlite.encode({"a": 1}, None, algorithm="none")
    assert token.endswith(".")
    with pytest.raises(InvalidKeyError):
        jwtlite.encode({"a": 1}, KEY, algorithm="none")
    assert jwtlite.decode(token, options={"verify_signature": False}) == {"a": 1}
    for algorithms in (["none"], ["HS256", "none"], "none"):
        with pytest.raises(InvalidAlgorithmError):
            jwtlite.decode(token, KEY, algorithms=algorithms)
    assert jwtlite.get_algorithm_by_name("none").verify(b"x", None, b"") is False


def test_algorithms_argument() -> None:
    token = jwtlite.encode({"a": 1}, KEY, algorithm="HS384")
    with pytest.raises(DecodeError, match='"algorithms"'):
        jwtlite.decode(token, KEY)
    with pytest.raises(DecodeError, match='"algorithms"'):
        jwtlite.decode(token, KEY, algorithms=[])
    with pytest.raises(InvalidAlgorithmError, match="not allowed"):
        jwtlite.decode(token, KEY, algorithms=["HS256"])
    with pytest.raises(InvalidAlgorithmError, match="not allowed"):
        jwtlite.decode(token, KEY, algorithms="HS3845")  # a str is one name, not a substring set
    assert jwtlite.decode(token, KEY, algorithms="HS384") == {"a": 1}
    assert jwtlite.decode(token, KEY, algorithms=("HS256", "HS384")) == {"a": 1}
    with pytest.raises(InvalidAlgorithmError, match="not supported"):
        jwtlite.encode({"a": 1}, KEY, algorithm="HS1024")


def test_unknown_alg_in_token_header() -> None:
    import hmac

    from jwtlite.b64url import b64url_encode

    h = b64url_encode(b'{"alg":"HS999"}')
    p = b64url_encode(b'{"a":1}')
    s = b64url_encode(hmac.digest(KEY.encode(), f"{h}.{p}".encode(), "sha256"))
    with pytest.raises(InvalidAlgorithmError, match="not supported"):
        jwtlite.decode(f"{h}.{p}.{s}", KEY, algorithms=["HS999"])


def test_verify_signature_false_turns_claim_checks_off_unless_asked() -> None:
    token = jwtlite.encode({"exp": 1, "aud": "x", "iss": "i"}, KEY)
    opts = {"verify_signature": False}
    assert jwtlite.decode(token, options=opts)["exp"] == 1
    assert jwtlite.decode(token, "wrong-key", options=opts, audience="y")["aud"] == "x"
    with pytest.raises(ExpiredSignatureError):
        jwtlite.decode(token, options={**opts, "verify_exp": True})
    with pytest.raises(jwtlite.MissingRequiredClaimError):
        jwtlite.decode(token, options={**opts, "require": ["sub"]})


def test_decode_complete_shape() -> None:
    token = jwtlite.encode({"a": 1}, KEY)
    decoded = jwtlite.decode_complete(token, KEY, algorithms=["HS256"])
    assert set(decoded) == {"header", "payload", "signature"}
    assert decoded["payload"] == {"a": 1}
    assert isinstance(decoded["signature"], bytes)
    assert len(decoded["signature"]) == 32


def test_pyjwt_class_options_and_clock() -> None:
    token = jwtlite.encode({"exp": 1_000, "nbf": 900}, KEY)
    lenient = jwtlite.PyJWT(options={"verify_exp": False})
    assert lenient.decode(token, KEY, algorithms=["HS256"])["exp"] == 1_000
    with pytest.raises(ExpiredSignatureError):
        jwtlite.PyJWT().decode(token, KEY, algorithms=["HS256"])
    assert jwtlite.decode(token, KEY, algorithms=["HS256"], now=950) == {"exp": 1_000, "nbf": 900}
    moment = datetime.fromtimestamp(950, tz=timezone.utc)
    assert jwtlite.decode(token, KEY, algorithms=["HS256"], now=moment)["exp"] == 1_000
    naive = datetime(1970, 1, 1, 0, 15, 50)  # naive means UTC, as on encode
    assert jwtlite.decode(token, KEY, algorithms=["HS256"], now=naive)["exp"] == 1_000
    assert jwtlite.decode(token, KEY, algorithms=["HS256"], now=1_005, leeway=10)["nbf"] == 900
    assert (
        jwtlite.decode(token, KEY, algorithms=["HS256"], now=1_005, leeway=timedelta(seconds=10))
        is not None
    )
    with pytest.raises(InvalidArgumentError):
        jwtlite.decode(token, KEY, algorithms=["HS256"], now="soon")  # type: ignore[arg-type]


def test_wrong_key_and_tampering() -> None:
    token = jwtlite.encode({"a": 1}, KEY)
    with pytest.raises(InvalidSignatureError):
        jwtlite.decode(token, "x" * 64, algorithms=["HS256"])
    with pytest.raises(PyJWTError):
        jwtlite.decode(token[:-2], KEY, algorithms=["HS256"])


def test_register_algorithm_is_per_instance() -> None:
    class Custom(HMACAlgorithm):
        pass

    mine = jwtlite.PyJWS()
    other = jwtlite.PyJWS()
    mine.register_algorithm("XS256", Custom("XS256", "sha256"))
    assert "XS256" in mine.get_algorithms()
    assert "XS256" not in other.get_algorithms()
    assert "XS256" not in jwtlite.PyJWS().get_algorithms()
    token = mine.encode(b"hi", KEY, "XS256")
    assert mine.decode(token, KEY, ["XS256"]) == b"hi"
    with pytest.raises(InvalidAlgorithmError):
        other.decode(token, KEY, ["XS256"])
    with pytest.raises(InvalidArgumentError):
        mine.register_algorithm("XS256", Custom("XS256", "sha256"))
    with pytest.raises(InvalidArgumentError):
        mine.register_algorithm("YS256", object())  # type: ignore[arg-type]
    mine.unregister_algorithm("XS256")
    with pytest.raises(InvalidArgumentError):
        mine.unregister_algorithm("XS256")
    other.unregister_algorithm("HS256")
    assert "HS256" in jwtlite.PyJWS().get_algorithms()


def test_module_register_affects_only_the_default_instance() -> None:
    jwtlite.register_algorithm("ZS256", HMACAlgorithm("ZS256", "sha256"))
    try:
        token = jwtlite.encode({"a": 1}, KEY, algorithm="ZS256")
        assert jwtlite.decode(token, KEY, algorithms=["ZS256"]) == {"a": 1}
        assert jwtlite.get_algorithm_by_name("ZS256").name == "ZS256"
        assert "ZS256" not in jwtlite.PyJWS().get_algorithms()
    finally:
        jwtlite.unregister_algorithm("ZS256")
    with pytest.raises(InvalidAlgorithmError):
        jwtlite.get_algorithm_by_name("ZS256")


def test_pyjws_restricted_algorithms() -> None:
    jws = jwtlite.PyJWS(algorithms=["HS512"])
    assert jws.get_algorithms() == ["HS512"]
    with pytest.raises(InvalidAlgorithmError):
        jws.encode(b"x", KEY, "HS256")


def test_lazy_attributes() -> None:
    with pytest.raises(AttributeError):
        jwtlite.no_such_thing  # noqa: B018
    assert callable(jwtlite.load_key)


def test_version() -> None:
    assert isinstance(jwtlite.__version__, str)
    assert jwtlite.__version__.count(".") == 2


def test_each_pyjwt_instance_has_its_own_algorithm_table() -> None:
    jwtlite.register_algorithm("QS256", HMACAlgorithm("QS256", "sha256"))
    try:
        assert jwtlite.encode({"a": 1}, KEY, algorithm="QS256")
        with pytest.raises(InvalidAlgorithmError):
            jwtlite.PyJWT().encode({"a": 1}, KEY, algorithm="QS256")
    finally:
        jwtlite.unregister_algorithm("QS256")


def test_pyjwt_options_reach_its_jws() -> None:
    strict = jwtlite.PyJWT(options={"enforce_minimum_key_length": True})
    with pytest.raises(InvalidKeyError, match="below the minimum"):
        strict.encode({"a": 1}, "short-secret", algorithm="HS256")


def test_encode_with_pyjwk_takes_its_algorithm() -> None:
    jwk = jwtlite.PyJWK(
        {"kty": "oct", "k": jwtlite.b64url.b64url_encode(b"s" * 64), "alg": "HS512"}
    )
    token = jwtlite.encode({"a": 1}, jwk)
    assert jwtlite.get_unverified_header(token)["alg"] == "HS512"
    assert jwtlite.decode(token, jwk) == {"a": 1}  # a PyJWK names its own algorithm


@pytest.mark.parametrize(("argument", "value"), [("audience", 5), ("issuer", 5), ("audience", [1])])
def test_bad_expected_claim_arguments(argument: str, value: Any) -> None:
    claim = {"audience": "aud", "issuer": "iss"}[argument]
    token = jwtlite.encode({claim: "x"}, KEY)
    with pytest.raises(InvalidArgumentError):
        jwtlite.decode(token, KEY, algorithms=["HS256"], **{argument: value})


def test_key_warning_points_at_the_callers_line() -> None:
    with pytest.warns(jwtlite.InsecureKeyLengthWarning) as record:
        token = jwtlite.encode({"a": 1}, "short", algorithm="HS256")
    assert record[0].filename == __file__
    with pytest.warns(jwtlite.InsecureKeyLengthWarning) as record:
        jwtlite.decode(token, "short", algorithms=["HS256"])
    assert record[0].filename == __file__


def test_token_chosen_key_mismatch_is_an_invalid_token() -> None:
    """With a mixed algorithms list, the token's alg picks the family; a mismatch it causes
    must be catchable as a bad token (and is still an InvalidKeyError)."""
    import hmac

    from conftest import KEYS

    public = json.loads((KEYS / "formats.json").read_text())["rsa2048"]["spki_pem"]
    header = jwtlite.b64url.b64url_encode(b'{"alg":"HS256"}')
    body = jwtlite.b64url.b64url_encode(b'{"admin":true}')
    mac = hmac.digest(public.encode(), f"{header}.{body}".encode(), "sha256")
    forged = f"{header}.{body}.{jwtlite.b64url.b64url_encode(mac)}"
    with pytest.raises(jwtlite.InvalidTokenError) as info:
        jwtlite.decode(forged, public, algorithms=["RS256", "HS256"])
    assert isinstance(info.value, InvalidKeyError)
    assert isinstance(info.value, jwtlite.UnusableKeyError)


# -- exact messages, argument pass-through and option layering (mutation survivors of api) --


def _message(error: type[Exception], call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(error) as info:
        call(*args, **kwargs)
    return str(info.value)


def test_default_key_is_empty() -> None:
    token = jwtlite.encode({"a": 1}, KEY)
    calls = [
        jwtlite.PyJWS().decode,
        jwtlite.PyJWS().decode_complete,
        jwtlite.PyJWT().decode,
        jwtlite.PyJWT().decode_complete,
    ]
    for call in calls:
        assert _message(InvalidKeyError, call, token, algorithms=["HS256"]) == (
            "HS256 secret must not be empty"
        )
    assert len(calls) == 4


def test_algorithm_table_messages() -> None:
    jws = jwtlite.PyJWS()
    assert _message(
        InvalidArgumentError, jws.register_algorithm, "HS256", HMACAlgorithm("HS256")
    ) == ("Algorithm already has a handler.")
    assert _message(InvalidArgumentError, jws.register_algorithm, "X1", object()) == (
        "Object is not of type `Algorithm`"
    )
    # PyJWT raises a KeyError here, whose str() quotes the text.
    assert _message(InvalidArgumentError, jws.unregister_algorithm, "X1") == (
        "'The specified algorithm could not be removed because it is not registered.'"
    )
    assert _message(InvalidAlgorithmError, jws.get_algorithm_by_name, "X1") == (
        "Algorithm not supported (hint: Supported algorithms: HS256, HS384, HS512, RS256, RS384,"
        " RS512, PS256, PS384, PS512, ES256, ES384, ES512, ES256K, EdDSA, Ed25519, Ed448.)"
    )
    assert _message(InvalidArgumentError, jwtlite.encode, [1], KEY) == (
        "Expecting a dict object, as JWT only supports JSON objects as payloads."
    )
    valid = jwtlite.encode({}, KEY)
    now_message = _message(
        InvalidArgumentError, jwtlite.decode, valid, KEY, algorithms=["HS256"], now="soon"
    )
    assert now_message == "now must be a number of seconds or a datetime"
    body = jwtlite.PyJWS().encode(b"[1]", KEY, "HS256")
    assert _message(DecodeError, jwtlite.decode, body, KEY, algorithms=["HS256"]) == (
        "Invalid payload string: must be a json object"
    )


class _SetEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return sorted(o) if isinstance(o, set) else super().default(o)


def test_encode_passes_its_arguments_on() -> None:
    jws = jwtlite.PyJWS()
    token = jws.encode(b"x", KEY, "HS256", headers={"b": 1})
    assert jwtlite.b64url.b64url_decode(token.split(".")[0]) == b'{"alg":"HS256","b":1,"typ":"JWT"}'
    jwk = jwtlite.PyJWK(
        {"kty": "oct", "k": jwtlite.b64url.b64url_encode(KEY.encode()), "alg": "HS384"}
    )
    assert jws.get_unverified_header(jws.encode(b"x", jwk, None))["alg"] == "HS384"
    jwt_token = jwtlite.encode({"a": 1}, KEY, headers={"s": {2, 1}}, json_encoder=_SetEncoder)
    assert jwtlite.get_unverified_header(jwt_token)["s"] == [1, 2]


def test_instance_options_never_turn_checks_off() -> None:
    expired = jwtlite.encode({"exp": 1}, KEY)
    forged = jwtlite.encode({"a": 1}, "x" * 64)
    off = {"verify_signature": False}
    # PyJWT: only a decode call may turn the signature check off. An instance's
    # verify_signature=False turns its claim checks off by default (as PyJWT's does), unless
    # the same options turn one back on; a PyJWS given with jws= leaves the claim checks on.
    lenient = jwtlite.PyJWT(options=off)
    assert lenient.decode(expired, KEY, algorithms=["HS256"]) == {"exp": 1}
    with pytest.raises(ExpiredSignatureError):
        jwtlite.PyJWT(options={**off, "verify_exp": True}).decode(expired, KEY, ["HS256"])
    with pytest.raises(ExpiredSignatureError):
        jwtlite.PyJWT(jws=jwtlite.PyJWS(options=off)).decode(expired, KEY, algorithms=["HS256"])
    for jwt in (lenient, jwtlite.PyJWT(jws=jwtlite.PyJWS(options=off))):
        with pytest.raises(InvalidSignatureError):
            jwt.decode(forged, KEY, algorithms=["HS256"])
    assert jwtlite.PyJWS(options=off).decode(forged, KEY, ["HS256"]) == b'{"a":1}'


def test_decode_complete_passes_every_argument_on() -> None:
    jwt = jwtlite.PyJWT()
    token = jwtlite.encode({"aud": "a", "iss": "i", "sub": "s", "iat": 100, "exp": 200}, KEY,
                           headers={"typ": "at+jwt"})  # fmt: skip
    kwargs: dict[str, Any] = {"algorithms": ["HS256"], "now": 150}
    assert jwt.decode_complete(token, KEY, audience="a", **kwargs)["payload"]["sub"] == "s"
    checks: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"audience": "b"}, InvalidAudienceError),
        ({"audience": "a", "issuer": "j"}, jwtlite.InvalidIssuerError),
        ({"audience": "a", "subject": "t"}, jwtlite.InvalidSubjectError),
        ({"audience": "a", "typ": "rt+jwt"}, InvalidTokenError),
        ({"audience": "a", "max_age": 10}, ExpiredSignatureError),
        ({"audience": "a", "now": 200}, ExpiredSignatureError),
        ({"audience": "a", "options": {"require": ["jti"]}}, jwtlite.MissingRequiredClaimError),
    ]
    for extra, error in checks:
        with pytest.raises(error):
            jwt.decode_complete(token, KEY, **{**kwargs, **extra})
    assert len(checks) == 7
    late = {**kwargs, "now": 200, "audience": "a"}
    assert jwt.decode_complete(token, KEY, leeway=1, **late)["payload"]["exp"] == 200
    with pytest.raises(ExpiredSignatureError):
        jwt.decode_complete(token, KEY, **late)  # the default leeway is zero


def test_detached_payload_reaches_the_jws_layer() -> None:
    h = jwtlite.PyJWS().encode(b'{"a":1}', KEY, "HS256", is_payload_detached=True)
    for call in (
        jwtlite.PyJWT().decode,
        lambda *a, **k: jwtlite.PyJWT().decode_complete(*a, **k)["payload"],
    ):
        assert call(h, KEY, algorithms=["HS256"], detached_payload=b'{"a":1}') == {"a": 1}


def test_now_as_an_aware_datetime_keeps_its_fraction() -> None:
    token = jwtlite.encode({"iat": 100}, KEY)
    moment = datetime.fromtimestamp(110.5, tz=timezone.utc)
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        jwtlite.decode(token, KEY, algorithms=["HS256"], now=moment, max_age=10)
    assert jwtlite.decode(token, KEY, algorithms=["HS256"], now=110, max_age=10) == {"iat": 100}


def test_now_as_a_naive_datetime_is_utc_whatever_the_local_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX-only")
    monkeypatch.setenv("TZ", "EST+05EDT,M3.2.0,M11.1.0")
    time.tzset()
    try:
        token = jwtlite.encode({"exp": 1_000}, KEY)
        naive = datetime(1970, 1, 1, 0, 16, 39)  # 999 seconds after the epoch, in UTC
        assert jwtlite.decode(token, KEY, algorithms=["HS256"], now=naive) == {"exp": 1_000}
        with pytest.raises(ExpiredSignatureError):
            jwtlite.decode(token, KEY, algorithms=["HS256"], now=naive + timedelta(seconds=1))
    finally:
        monkeypatch.undo()
        time.tzset()


# --- PyJWT 2's warnings for ignored arguments (never a change of behaviour) --------------------

_MISMATCH = "This invocation has a mismatch between the kwarg and the option entry."


def _caught(call: Any) -> list[tuple[type[Warning], str]]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [(w.category, str(w.message)) for w in caught]


def test_verify_argument_warns_only_when_it_disagrees_with_the_options() -> None:
    token = jwtlite.encode({"a": 1}, KEY)
    off = {"verify_signature": False}
    for method in (jwtlite.decode, jwtlite.decode_complete):
        quiet = [
            lambda: method(token, KEY, ["HS256"], verify=True),  # noqa: B023
            lambda: method(token, KEY, ["HS256"], options=off, verify=False),  # noqa: B023
            lambda: method(token, KEY, ["HS256"], options={}, verify=True),  # noqa: B023
        ]
        for call in quiet:
            assert _caught(call) == []
        loud = [
            lambda: method(token, KEY, ["HS256"], verify=False),  # noqa: B023
            lambda: method(token, KEY, ["HS256"], options=off, verify=True),  # noqa: B023
            lambda: method(token, KEY, ["HS256"], options={"verify_exp": True}, verify=False),  # noqa: B023
        ]
        for call in loud:
            [(category, message)] = _caught(call)
            assert category is DeprecationWarning
            assert message.startswith("The `verify` argument to `decode` does nothing")
            assert message.endswith(_MISMATCH)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda t: jwtlite.decode(t, KEY, ["HS256"], extra=1), "decode"),
        (lambda t: jwtlite.decode_complete(t, KEY, ["HS256"], extra=1), "decode_complete"),
        (lambda t: jwtlite.PyJWS().decode(t, KEY, ["HS256"], extra=1), "decode"),
        (lambda t: jwtlite.PyJWS().decode_complete(t, KEY, ["HS256"], extra=1), "decode_complete"),
    ],
)
def test_unknown_keyword_arguments_warn_with_the_method_name(call: Any, name: str) -> None:
    token = jwtlite.encode({"a": 1}, KEY)
    [(category, message)] = _caught(lambda: call(token))
    assert category is jwtlite.RemovedInPyjwt3Warning
    assert message == (
        f"passing additional kwargs to {name}() is deprecated and will be removed in pyjwt"
        " version 3. Unsupported kwargs: ('extra',)"
    )


def test_arguments_of_the_wrong_shape_are_named_in_invalid_argument_errors() -> None:
    # Each raised TypeError, AttributeError or KeyError from deep inside before (the sweep of
    # tests/test_only_our_errors.py holds every entry point to it).
    token = jwtlite.encode({}, KEY)
    decode = functools.partial(jwtlite.decode, token, KEY)
    assert _message(InvalidArgumentError, decode, algorithms=5) == (
        "algorithms must be a list of strings, not int"
    )
    assert _message(InvalidArgumentError, decode, algorithms=b"HS256") == (
        "algorithms must be a list of strings, not bytes"
    )
    assert _message(InvalidArgumentError, decode, algorithms=["HS256"], typ=5) == (
        "typ must be a string, not int"
    )
    assert _message(
        InvalidArgumentError, decode, algorithms=["HS256"], options={"require": 5}
    ) == 'options["require"] must be a list of claim names'
    assert _message(InvalidArgumentError, jwtlite.encode, {}, KEY, headers="kid") == (
        "headers must be a dict, not str"
    )
    assert _message(InvalidArgumentError, jwtlite.PyJWS, algorithms=5) == (
        "algorithms must be a list of strings, not int"
    )
    assert _message(InvalidArgumentError, jwtlite.PyJWT, jws=5) == "jws must be a PyJWS, not int"
    # sort_headers is read by its truth value, as json.dumps and PyJWT read it
    assert jwtlite.encode({}, KEY, sort_headers=None) == jwtlite.encode({}, KEY, sort_headers=False)
    # algorithms given as any iterable of names still works
    assert jwtlite.decode(token, KEY, algorithms=(a for a in ["HS256"])) == {}


# -- each face's rule for option names, and its naive-datetime warning (mutation testing) --

_SIGNATURE_ONLY = (
    'Option "verify_exp" does nothing here: PyJWS verifies the signature only; pass claim'
    " options to PyJWT or jwtlite.decode"
)


def test_pyjws_refuses_a_claim_option_by_name() -> None:
    with pytest.raises(InvalidArgumentError) as at_init:
        jwtlite.PyJWS(options={"verify_exp": False})  # type: ignore[typeddict-unknown-key]
    assert str(at_init.value) == _SIGNATURE_ONLY
    token = jwtlite.PyJWS().encode(b"x", KEY, "HS256")
    with pytest.raises(InvalidArgumentError) as at_decode:
        jwtlite.PyJWS().decode(token, KEY, ["HS256"], options={"verify_exp": True})  # type: ignore[typeddict-unknown-key]
    assert str(at_decode.value) == _SIGNATURE_ONLY


def test_the_pyjwt_face_warns_where_jwtlite_refuses_an_unknown_option() -> None:
    import jwtlite.pyjwt as face

    token = jwtlite.encode({"a": 1}, KEY)
    typo = {"verify_sig": True}
    face_decode = functools.partial(face.PyJWT().decode, token, KEY, ["HS256"])
    for make in (face.PyJWS, face.PyJWT, face_decode):
        [(category, message)] = _caught(lambda: make(options=typo))  # noqa: B023
        assert category is jwtlite.UnknownOptionWarning
        assert message.startswith('Unknown option "verify_sig" is ignored')
    own_decode = functools.partial(jwtlite.decode, token, KEY, ["HS256"])
    for make in (jwtlite.PyJWS, jwtlite.PyJWT, own_decode):
        with pytest.raises(InvalidArgumentError, match=r'^Unknown option "verify_sig"'):
            make(options=typo)


def test_decode_options_that_are_not_a_dict_are_refused_by_type() -> None:
    token = jwtlite.encode({"a": 1}, KEY)
    with pytest.raises(InvalidArgumentError) as info:
        jwtlite.decode(token, KEY, ["HS256"], options=["verify_exp"])  # type: ignore[arg-type]
    assert str(info.value) == "options must be a dict, not list"


def test_naive_datetimes_warn_in_jwtlite_and_not_in_the_pyjwt_face() -> None:
    import jwtlite.pyjwt as face

    naive = datetime(2023, 11, 14, 22, 13, 20)
    with pytest.warns(jwtlite.NaiveDatetimeWarning, match="'exp'"):
        token = jwtlite.encode({"exp": naive}, KEY)
    assert face.encode({"exp": naive}, KEY) == token  # silent: warnings are errors here
