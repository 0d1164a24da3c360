"""PyJWT's behaviour where applications depend on it, checked side by side with PyJWT itself.

Each test runs the same call on PyJWT (the ``jwt`` package of the test extra) and on jwtlite and
compares the outcome: the exception class name and its text, the returned value, the warnings.
jwtlite may add detail after PyJWT's text, never instead of it. The library never imports
``jwt``; only these tests do.
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Callable

import pytest
from conftest import KEYS, key_pem

import jwtlite
from jwtlite.algorithms import HMACAlgorithm, RSAAlgorithm

jwt = pytest.importorskip("jwt")
#: PyJWT handles asymmetric keys only through ``cryptography``; jwtlite never needs it.
needs_crypto = pytest.mark.skipif(
    importlib.util.find_spec("cryptography") is None,
    reason="PyJWT needs cryptography for asymmetric keys",
)

FORMATS = json.loads((KEYS / "formats.json").read_text())


def public_jwk(name: str) -> dict[str, Any]:
    value = FORMATS[name]["jwk_public"]
    return dict(json.loads(value) if isinstance(value, str) else value)
X25519_JWK = {"kty": "OKP", "crv": "X25519", "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}
SECRET = "a-32-byte-long-secret-for-hs256!"
OTHER = "another-32-byte-secret-for-hs256"
MODULES = (jwt, jwtlite)


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", value) or (exception class name, text); warnings recorded, not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", call()
        except Exception as exc:
            return type(exc).__name__, str(exc)


def assert_same(fn: Callable[[ModuleType], Any], *, values: bool = True) -> tuple[str, Any]:
    """Run ``fn`` on PyJWT and on jwtlite; same class, and jwtlite's text starts with PyJWT's
    (and, with ``values``, the same return value)."""
    theirs, ours = outcome(lambda: fn(jwt)), outcome(lambda: fn(jwtlite))
    assert ours[0] == theirs[0], (theirs, ours)
    if ours[0] == "ok":
        if values:
            assert ours[1] == theirs[1]
    else:
        assert str(ours[1]).startswith(str(theirs[1])), (theirs, ours)
    return ours


def token(claims: dict[str, Any], key: str = SECRET) -> str:
    return str(jwt.encode(claims, key, algorithm="HS256"))


# --- PyJWKSet ---------------------------------------------------------------------------------


@needs_crypto
def test_jwk_set_is_iterable() -> None:
    data = {"keys": [dict(public_jwk("rsa2048"), kid=k) for k in ("a", "b", "c")]}
    kids = [[key.key_id for key in m.PyJWKSet.from_dict(data)] for m in MODULES]
    assert kids == [["a", "b", "c"], ["a", "b", "c"]]


@needs_crypto
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda m: m.PyJWK({"kty": "XX"}), ("InvalidKeyError", "Unsupported kty: XX")),
        (lambda m: m.PyJWK({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}),
         ("InvalidKeyError", "Unsupported crv: P-999")),
        (lambda m: m.PyJWK({"kty": "OKP", "crv": "X25519", "x": "AA"}),
         ("InvalidKeyError", "Unsupported crv: X25519")),
        # A well-formed X25519 key (RFC 8037 A.6) loads in jwtlite since JWE, but is no JWS key.
        (lambda m: m.PyJWK(X25519_JWK), ("InvalidKeyError", "Unsupported crv: X25519")),
        (lambda m: m.algorithms.OKPAlgorithm.from_jwk(X25519_JWK),
         ("InvalidKeyError", "Invalid curve: X25519")),
        (lambda m: m.PyJWK({"kty": "oct", "k": ""}),
         ("InvalidKeyError", "HMAC key must not be empty.")),
        (lambda m: m.PyJWK(dict(public_jwk("rsa2048"), alg="RSA-OAEP")),
         ("PyJWKError", "Unable to find an algorithm for key: ")),
        (lambda m: m.PyJWKSet([]), ("PyJWKSetError", "The JWK Set did not contain any keys")),
        (lambda m: m.PyJWKSet({}), ("PyJWKSetError", "The JWK Set did not contain any keys")),
        (lambda m: m.PyJWKSet([{"kty": "XX"}]),
         ("PyJWKSetError", "The JWK Set did not contain any usable keys")),
    ],
)  # fmt: skip
def test_jwk_failure_texts_match(
    call: Callable[[ModuleType], Any], expected: tuple[str, str]
) -> None:
    theirs, ours = outcome(lambda: call(jwt)), outcome(lambda: call(jwtlite))
    assert theirs[0] == ours[0] == expected[0]
    assert str(theirs[1]).startswith(expected[1])
    assert str(ours[1]).startswith(expected[1])


@needs_crypto
def test_missing_kid_is_a_key_error_in_both() -> None:
    # PyJWT raises KeyError; jwtlite a KeyNotInSetError, which is a KeyError and a jwtlite
    # error (only jwtlite exceptions leave jwtlite), with the same text.
    texts = []
    for module in MODULES:
        jwk_set = module.PyJWKSet([dict(public_jwk("rsa2048"), kid="a")])
        with pytest.raises(KeyError) as caught:
            jwk_set["b"]
        texts.append(str(caught.value))
    assert texts == ["'keyset has no key for kid: b'"] * 2
    assert isinstance(caught.value, jwtlite.exceptions.KeyNotInSetError)


def test_jwk_texts_never_echo_key_material() -> None:
    """PyJWT puts the whole JWK in some texts ("kty is not found: {...}"); jwtlite keeps the
    start of the text and leaves the key out."""
    private = {"d": "c2VjcmV0LWQ", "n": "AQAB"}
    assert "c2VjcmV0LWQ" in outcome(lambda: jwt.PyJWK(private))[1]
    kind, text = outcome(lambda: jwtlite.PyJWK(private))
    assert (kind, text.startswith("kty is not found")) == ("InvalidKeyError", True)
    assert "c2VjcmV0LWQ" not in text


# --- instance options -------------------------------------------------------------------------


def test_instance_verify_signature_off_never_skips_the_check() -> None:
    expired = token({"sub": "x", "exp": 1})
    opts = {"verify_signature": False}
    kind, text = assert_same(lambda m: m.PyJWT(options=opts).decode(expired, OTHER, ["HS256"]))
    assert (kind, text) == ("InvalidSignatureError", "Signature verification failed")
    # ... but, as in PyJWT, it turns the claim checks off by default.
    kind, claims = assert_same(lambda m: m.PyJWT(options=opts).decode(expired, SECRET, ["HS256"]))
    assert (kind, claims) == ("ok", {"sub": "x", "exp": 1})
    both = {"verify_signature": False, "verify_exp": True}
    kind, _ = assert_same(lambda m: m.PyJWT(options=both).decode(expired, SECRET, ["HS256"]))
    assert kind == "ExpiredSignatureError"


@pytest.mark.parametrize(
    "options",
    [None, {}, {"verify_signature": False}, {"verify_exp": False}, {"require": ["exp"]},
     {"verify_signature": False, "verify_aud": True}, {"enforce_minimum_key_length": True}],
)  # fmt: skip
def test_instance_options_dicts_match(options: Any) -> None:
    kind, value = assert_same(lambda m: m.PyJWT(options=options).options)
    assert kind == "ok"
    assert len(value) == 11
    sig = {k: v for k, v in (options or {}).items() if k in value and k in {
        "verify_signature", "enforce_minimum_key_length"}}  # fmt: skip
    kind, value = assert_same(lambda m: m.PyJWS(options=sig).options)
    assert (kind, len(value)) == ("ok", 2)


def test_jwtlite_only_options_show_only_when_set() -> None:
    assert "max_token_size" not in jwtlite.PyJWT().options
    shown = jwtlite.PyJWT(options={"max_token_size": 1000}).options
    assert shown["max_token_size"] == 1000  # type: ignore[typeddict-item]


def test_pyjws_instance_verify_signature_off_skips_as_in_pyjwt() -> None:
    signed = token({"a": 1})
    kind, payload = assert_same(
        lambda m: m.PyJWS(options={"verify_signature": False}).decode(signed, OTHER, ["HS256"])
    )
    assert (kind, payload) == ("ok", b'{"a":1}')


def test_positional_parameters_are_pyjwts() -> None:
    """decode(jwt, key, algorithms, options, verify, detached_payload, audience, subject,
    issuer, leeway) and decode_complete(..., audience, issuer, subject, leeway), in PyJWT's order.
    """
    signed = token({"aud": "a", "iss": "i", "sub": "s"})
    for m in MODULES:
        claims = m.decode(signed, SECRET, ["HS256"], None, None, None, "a", "s", "i", 0)
        assert claims == {"aud": "a", "iss": "i", "sub": "s"}
        whole = m.decode_complete(signed, SECRET, ["HS256"], None, None, None, "a", "i", "s", 0)
        assert whole["payload"] == claims
        with pytest.raises(m.exceptions.InvalidSubjectError):
            m.decode(signed, SECRET, ["HS256"], None, None, None, "a", "x", "i")


def test_legacy_keywords_warn_as_in_pyjwt_and_change_nothing() -> None:
    signed = token({"a": 1})
    for call in (
        lambda m: m.decode(signed, SECRET, algorithms=["HS256"], verify=False),
        lambda m: m.decode(signed, SECRET, algorithms=["HS256"], foo=1),
        lambda m: m.decode_complete(signed, SECRET, algorithms=["HS256"], foo=1)["payload"],
        lambda m: m.PyJWS().decode(signed, SECRET, algorithms=["HS256"], foo=1),
    ):
        seen = []
        for m in MODULES:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = call(m)
            seen.append((result, [(w.category.__name__, str(w.message)) for w in caught]))
        assert seen[1] == seen[0]
        assert len(seen[1][1]) == 1
    # verify=False never switches the signature check off.
    deprecated = pytest.warns(DeprecationWarning, match="does nothing")
    with pytest.raises(jwtlite.InvalidSignatureError), deprecated:
        jwtlite.decode(signed, OTHER, algorithms=["HS256"], verify=False)


# --- error messages ---------------------------------------------------------------------------

_H = "eyJhbGciOiJIUzI1NiJ9"  # {"alg":"HS256"}
MALFORMED = [
    "a.b", "nodots", "", f"{_H}.e30", "!!!.e30.", f"{_H}.!!!.", f"{_H}.e30.!!!", "eyJ.e30.",
    "ey.ey.ey", "bnVsbA.e30.", "W10.e30.", "e30x.e30.", "eyJhIjox.e30.", f"{_H}.W10.",
    f"{_H}.bnVsbA.", f"{_H}.eyJhIjp9.", f"{_H}.e30.YQ=", "a.b.c.d", f"{_H}.e30.e30.e30",
    f"{_H}.e30.é", "é.e30.", 123, None, f"{_H}.!!!.!!!",
]  # fmt: skip


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_token_texts_match(bad: Any) -> None:
    off = {"verify_signature": False}
    kind, _ = assert_same(lambda m: m.decode(bad, SECRET, algorithms=["HS256"], options=off))
    assert kind in ("DecodeError", "InvalidTokenError")
    assert_same(lambda m: m.decode(bad, SECRET, algorithms=["HS256"]))
    assert_same(lambda m: m.get_unverified_header(bad))


_CLAIM_CASES: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    ({"exp": 1}, {}, "Signature has expired"),
    ({"nbf": 9_999_999_999}, {}, "The token is not yet valid (nbf)"),
    ({"iat": 9_999_999_999}, {}, "The token is not yet valid (iat)"),
    ({"aud": "a"}, {"audience": "b"}, "Audience doesn't match"),
    ({"aud": "a"}, {"audience": ["b", "c"]}, "Audience doesn't match"),
    ({"aud": "a"}, {}, "Invalid audience"),
    ({"aud": 1}, {"audience": "a"}, "Invalid claim format in token"),
    ({"aud": "a"}, {"audience": "b", "options": {"strict_aud": True}},
     "Audience doesn't match (strict)"),
    ({}, {"audience": "a"}, 'Token is missing the "aud" claim'),
    ({"iss": "i"}, {"issuer": "x"}, "Invalid issuer"),
    ({}, {"issuer": "x"}, 'Token is missing the "iss" claim'),
    ({"sub": "s"}, {"subject": "x"}, "Invalid subject"),
    ({"sub": 1}, {}, "Subject must be a string"),
    ({"jti": 1}, {}, "JWT ID must be a string"),
    ({}, {"options": {"require": ["exp"]}}, 'Token is missing the "exp" claim'),
    ({"exp": "x"}, {}, "Expiration Time claim (exp) must be an integer."),
    ({"nbf": "x"}, {}, "Not Before claim (nbf) must be an integer."),
    ({"iat": "x"}, {}, "Issued At claim (iat) must be an integer."),
]  # fmt: skip


@pytest.mark.parametrize(("claims", "kwargs", "text"), _CLAIM_CASES)
def test_claim_failure_texts_match(
    claims: dict[str, Any], kwargs: dict[str, Any], text: str
) -> None:
    signed = token(claims)
    kind, got = assert_same(lambda m: m.decode(signed, SECRET, algorithms=["HS256"], **kwargs))
    assert kind != "ok"
    assert got == text


REQUIRED = (
    'It is required that you pass in a value for the "algorithms" argument when calling decode().'
)


def test_signature_and_algorithm_texts_match() -> None:
    signed = token({"a": 1})
    no_alg = "e30." + signed.split(".", 1)[1]
    for call, text in [
        (lambda m: m.decode(signed, OTHER, algorithms=["HS256"]), "Signature verification failed"),
        (lambda m: m.decode(signed, SECRET, algorithms=["HS384"]),
         "The specified alg value is not allowed"),
        (lambda m: m.decode(signed, SECRET), REQUIRED),
        (lambda m: m.decode(no_alg, SECRET, algorithms=["HS256"]), "Algorithm not specified"),
    ]:  # fmt: skip
        kind, got = assert_same(call)
        assert kind != "ok"
        assert got.startswith(text)  # a hint may follow


def _signed_with_header(header: dict[str, Any]) -> str:
    segment = jwtlite.b64url.b64url_encode(json.dumps(header).encode())
    rest = token({}).split(".", 1)[1]  # the signature will not match: only parsing is compared
    return f"{segment}.{rest}"


@pytest.mark.parametrize(
    "header",
    [{"alg": "HS256", "crit": []}, {"alg": "HS256", "crit": "b64"}, {"alg": "HS256", "crit": [1]},
     {"alg": "HS256", "crit": ["exp"], "exp": 1}, {"alg": "HS256", "crit": ["alg"]},
     {"alg": "HS256", "crit": ["b64"]}, {"alg": "HS256", "kid": 5}, {"alg": "none"},
     {"alg": "HS512"}],
)  # fmt: skip
def test_header_failure_texts_match(header: dict[str, Any]) -> None:
    forged = _signed_with_header(header)
    kind, _ = assert_same(lambda m: m.decode(forged, SECRET, algorithms=["HS256"]))
    assert kind in ("InvalidTokenError", "InvalidAlgorithmError")


def test_unknown_algorithm_is_pyjwts_not_implemented_error() -> None:
    calls: list[Callable[[ModuleType], Any]] = [
        lambda m: m.get_algorithm_by_name("XX1"),
        lambda m: m.encode({}, SECRET, algorithm="XX1"),
    ]
    for call in calls:
        assert outcome(lambda: call(jwt)) == ("NotImplementedError", "Algorithm not supported")  # noqa: B023
        with pytest.raises(NotImplementedError, match=r"^Algorithm not supported( \(hint|$)"):
            call(jwtlite)
        with pytest.raises(jwtlite.InvalidAlgorithmError):
            call(jwtlite)


# --- key-length policy ------------------------------------------------------------------------


def _warnings_of(call: Callable[[], Any]) -> list[tuple[str, str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [(w.category.__name__, str(w.message)) for w in caught]


@needs_crypto
@pytest.mark.parametrize(
    ("key", "alg"),
    [("short", "HS256"), ("x" * 40, "HS384"), (key_pem("rsa1024.pem"), "RS256"),
     (key_pem("rsa1024.pem"), "PS256")],
)  # fmt: skip
def test_short_keys_warn_and_enforce_raises_as_in_pyjwt(key: Any, alg: str) -> None:
    theirs = _warnings_of(lambda: jwt.encode({"a": 1}, key, algorithm=alg))
    ours = _warnings_of(lambda: jwtlite.encode({"a": 1}, key, algorithm=alg))
    assert len(ours) == 1
    assert ours == theirs
    assert ours[0][0] == "InsecureKeyLengthWarning"
    strict = {"enforce_minimum_key_length": True}
    kind, text = assert_same(lambda m: m.PyJWT(options=strict).encode({"a": 1}, key, alg))
    assert (kind, text) == ("InvalidKeyError", ours[0][1])


# --- algorithm level --------------------------------------------------------------------------


@needs_crypto
@pytest.mark.parametrize("name", ["rsa2048.pem", "rsa1024.pem"])
def test_rsa_to_jwk_has_key_ops(name: str) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    private = load_pem_private_key(key_pem(name), None)
    for key, ops in ((private, ["sign"]), (private.public_key(), ["verify"])):
        theirs = jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True)
        ours = RSAAlgorithm.to_jwk(key, as_dict=True)
        assert ours == theirs
        assert ours["key_ops"] == ops


_JWKS = {
    "oct": {"kty": "oct", "k": "c2VjcmV0"},
    "RSA": public_jwk("rsa2048"),
    "EC": public_jwk("ec_p256"),
    "OKP": public_jwk("ed25519"),
}


@needs_crypto
@pytest.mark.parametrize("family", ["RSAAlgorithm", "HMACAlgorithm", "ECAlgorithm", "OKPAlgorithm"])
@pytest.mark.parametrize("jwk", [*_JWKS.values(), "not json", "{", '{"kty": ', 5, b"{}"])
def test_from_jwk_refusals_match(family: str, jwk: Any) -> None:
    # Keys are compared by kind only: PyJWT returns cryptography objects.
    kind, _ = assert_same(lambda m: getattr(m.algorithms, family).from_jwk(jwk), values=False)
    assert kind in ("ok", "InvalidKeyError")


def _variants(text: str) -> Iterator[bytes]:
    """The text in every encoding a JSON or PEM reader might be handed."""
    yield text.encode()
    yield b"\xef\xbb\xbf" + text.encode()
    yield ("\n  \t" + text).encode()
    for codec in ("utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        yield text.encode(codec)


_KEY_TEXTS = [
    FORMATS["rsa2048"]["spki_pem"],
    FORMATS["rsa2048"]["cert_pem"],
    key_pem("ec_p256.pem").decode(),
    "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n",
    FORMATS["ed25519"]["ssh"],
    FORMATS["rsa2048"]["ssh"],
    json.dumps(public_jwk("rsa2048")),
    json.dumps({"keys": [public_jwk("ec_p256")]}),
    json.dumps([{"kty": "oct", "k": "c2VjcmV0"}]),
    '{"kty": "oct", "k": 1}',
    '{"a": ' + "[" * 5000 + "]" * 5000 + "}",
]


def test_key_text_is_refused_as_an_hmac_secret_in_every_encoding() -> None:
    """Every variant is refused (PyJWT misses some UTF-16/32 PEM and SSH spellings), with
    PyJWT's text wherever PyJWT refuses it too."""
    pyjwt_hmac = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256)
    refused = same_text = 0
    for text in _KEY_TEXTS:
        for secret in _variants(text):
            theirs = outcome(lambda: pyjwt_hmac.prepare_key(secret))  # noqa: B023
            ours = outcome(lambda: HMACAlgorithm("HS256").prepare_key(secret))  # noqa: B023
            assert ours[0] == "UnusableKeyError", (text[:30], secret[:8], ours)
            refused += 1
            if theirs[0] != "ok":
                assert str(ours[1]).startswith(str(theirs[1]))  # a hint may follow
                same_text += 1
            with pytest.raises(jwtlite.InvalidKeyError):
                jwtlite.decode(token({"a": 1}), secret, algorithms=["HS256"])
    assert refused == len(_KEY_TEXTS) * 9
    # PyJWT 2.15.1 refuses 59 of these on Python <= 3.12 and 50 on 3.13, whose json module
    # parses the 5000-deep text (PyJWT then accepts it; jwtlite refuses it unread everywhere).
    assert same_text >= 50


@pytest.mark.parametrize("secret", [SECRET, "{not json but a fine secret}", "[1, 2, 3]"])
def test_ordinary_secrets_still_work(secret: str) -> None:
    kind, claims = assert_same(
        lambda m: m.decode(m.encode({"a": 1}, secret), secret, algorithms=["HS256"])
    )
    assert (kind, claims) == ("ok", {"a": 1})


def test_register_and_unregister_errors_are_pyjwts_builtins() -> None:
    for module in MODULES:
        instance = module.PyJWS()
        existing = instance.get_algorithm_by_name("HS256")
        with pytest.raises(ValueError, match=r"^Algorithm already has a handler\.$"):
            instance.register_algorithm("HS256", existing)
        with pytest.raises(KeyError, match="could not be removed because it is not registered"):
            instance.unregister_algorithm("XX999")
        with pytest.raises(TypeError, match="Object is not of type `Algorithm`"):
            instance.register_algorithm("XX999", object())
    # ... and still jwtlite's own errors.
    with pytest.raises(jwtlite.PyJWTError):
        jwtlite.PyJWS().register_algorithm("HS256", HMACAlgorithm("HS256"))
    with pytest.raises(jwtlite.PyJWTError):
        jwtlite.PyJWS().unregister_algorithm("XX999")


def test_jwk_alg_other_than_the_tokens_is_an_algorithm_error() -> None:
    data = {"kty": "oct", "k": jwtlite.b64url.b64url_encode(SECRET.encode()), "alg": "HS384"}
    signed = token({"a": 1})
    kind, text = assert_same(
        lambda m: m.decode(signed, m.PyJWK(data), algorithms=["HS256", "HS384"])
    )
    assert kind == "InvalidAlgorithmError"
    assert text == "Token algorithm 'HS256' does not match the key's algorithm 'HS384'"


def test_the_library_never_imports_pyjwt() -> None:
    """Only these tests import PyJWT: loading every jwtlite module leaves ``jwt`` unimported."""
    names = sorted(
        m.name for m in pkgutil.walk_packages(jwtlite.__path__, "jwtlite.")
        if not m.name.startswith(("jwtlite.flask", "jwtlite.starlette", "jwtlite.__main__"))
    )  # fmt: skip
    assert len(names) >= 40
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError as exc:  # an optional package that is not installed\n"
        "        if (exc.name or '').split('.')[0] not in ('cryptography', 'redis'):\n"
        "            raise\n"
    )
    code += "print(sorted(m for m in sys.modules if m == 'jwt' or m.startswith('jwt.')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def test_unknown_token_algorithm_when_verifying_is_pyjwts_exact_text() -> None:
    """PyJWT's suite compares this text with ==; the near-miss hint stays on ``__cause__``."""
    forged = _signed_with_header({"alg": "hs256"})
    for m in MODULES:
        with pytest.raises(m.InvalidAlgorithmError) as caught:
            m.PyJWS().decode(forged, SECRET, algorithms=["hs256"])
        assert str(caught.value) == "Algorithm not supported"
    assert "HS256" in str(caught.value.__cause__)


def test_the_pyjwt_face_writes_a_numeric_sub_as_pyjwt_does() -> None:
    """jwtlite refuses ``{"sub": 1}`` at encode; under the face, as in PyJWT, only decode does."""
    import jwtlite.pyjwt as face

    with pytest.raises(jwtlite.InvalidArgumentError):
        jwtlite.encode({"sub": 1}, SECRET)
    for m in (jwt, face):
        signed = m.encode({"sub": 1, "jti": 2}, SECRET, algorithm="HS256")
        with pytest.raises(m.exceptions.InvalidSubjectError):
            m.decode(signed, SECRET, algorithms=["HS256"])
