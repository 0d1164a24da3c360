"""PyJWKSet and key selection with metadata enforcement (RFC 7517 §4-5)."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from conftest import KEYS, load_vector
from hypothesis import given, settings
from hypothesis import strategies as st

import jwtlite
from jwtlite import jwk_set
from jwtlite._escape import escape_kid
from jwtlite.exceptions import InvalidAlgorithmError, InvalidKeyError, PyJWKError, PyJWKSetError
from jwtlite.jwk import MAX_KEYS, PyJWK, PyJWKSet, key_from_jwk, key_to_jwk, resolve_key
from jwtlite.keys import ECPrivateKey, ECPublicKey, RSAPublicKey, load_key

RSA_PRIVATE = load_vector("rfc7520/jwk/3_4.rsa_private_key.json")
RSA_PUBLIC = load_vector("rfc7520/jwk/3_3.rsa_public_key.json")
EC_PUBLIC = load_vector("rfc7520/jwk/3_1.ec_public_key.json")
HMAC = load_vector("rfc7520/jwk/3_5.symmetric_key_mac_computation.json")
ENC = load_vector("rfc7520/jwk/3_6.symmetric_key_encryption.json")


def _jwk(pem: str, **meta: Any) -> dict[str, Any]:
    key = load_key((KEYS / pem).read_bytes())
    return key_to_jwk(key, include_private=False, **meta)


P256_A = _jwk("ec_p256.pem", kid="p256")
P384 = _jwk("ec_p384.pem", kid="p384")
RSA_B = _jwk("rsa2048_b.pem", kid="rsa-b")


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out.update(changes)
    return out


# --- PyJWKSet ------------------------------------------------------------------------------


def test_set_parses_and_skips_unusable_keys_with_reasons() -> None:
    members = [RSA_PUBLIC, ENC, {"kty": "EC", "crv": "P-256"}, "junk", P384]
    keys = PyJWKSet.from_dict({"keys": members})
    assert [k.key_id for k in keys.keys] == [RSA_PUBLIC["kid"], "p384"]
    assert len(keys) == 2
    reasons = {json.dumps(m): why for m, why in keys.skipped}
    assert len(reasons) == 3
    assert "Unable to find an algorithm" in reasons[json.dumps(ENC)]
    assert '"x" is missing' in reasons[json.dumps({"kty": "EC", "crv": "P-256"})]
    assert "must be a JSON object" in reasons[json.dumps("junk")]
    assert "keys=2 skipped=3" in repr(keys)


def test_set_lookup_by_kid_is_pyjwt_compatible() -> None:
    keys = PyJWKSet([RSA_PUBLIC, P384])
    assert keys["p384"].key == key_from_jwk(P384)
    with pytest.raises(KeyError, match="keyset has no key for kid: nope"):
        keys["nope"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"keys": []}, "did not contain any keys"),
        ({}, "did not contain any keys"),
        ({"keys": {"kty": "oct"}}, "^Invalid JWK Set value$"),  # PyJWT's text
        ({"keys": [ENC, {"kty": "nope"}]}, "any usable keys.*Unsupported kty: nope"),
        ({"keys": [HMAC] * (MAX_KEYS + 1)}, "at most 256"),
        ([HMAC], "must be a JSON object"),
    ],
)
def test_set_refusals(value: Any, message: str) -> None:
    with pytest.raises(PyJWKSetError, match=message):
        PyJWKSet.from_dict(value)


def test_set_from_json() -> None:
    keys = PyJWKSet.from_json(json.dumps({"keys": [HMAC]}))
    assert keys.keys[0].key == key_from_jwk(HMAC)
    assert len(PyJWKSet.from_json(json.dumps({"keys": [HMAC]}).encode())) == 1
    with pytest.raises(PyJWKSetError, match="duplicate"):
        PyJWKSet.from_json('{"keys": [], "keys": []}')
    with pytest.raises(PyJWKSetError, match="not UTF-8"):
        PyJWKSet.from_json(b"\xff")


# --- resolve_key ------------------------------------------------------------------------------

SET = {"keys": [RSA_PUBLIC, P256_A, P384, RSA_B]}
#: Secrets beside public keys: refused for verification (issue #11 item 7), usable for signing.
MIXED = {"keys": [*SET["keys"], HMAC]}


def test_kid_chooses_the_key() -> None:
    key = resolve_key(SET, alg="ES384", kid="p384", operation="verify")
    assert key == key_from_jwk(P384)
    assert resolve_key(PyJWKSet.from_dict(SET), alg="PS256", kid="rsa-b", operation="verify") == (
        key_from_jwk(RSA_B)
    )
    assert resolve_key(MIXED, alg="HS256", kid=HMAC["kid"], operation="sign") == key_from_jwk(HMAC)


def test_unknown_kid_raises_set_error_and_never_falls_back() -> None:
    with pytest.raises(PyJWKSetError, match='No usable key in the JWK Set has kid "other"'):
        resolve_key(SET, alg="ES256", kid="other", operation="verify")


def test_unknown_kid_names_the_reason_a_key_was_skipped() -> None:
    bad = _with(P256_A, kid="broken", x="AAAA")
    with pytest.raises(PyJWKSetError, match=r"skipped: .*32 octets"):
        resolve_key({"keys": [bad, P384]}, alg="ES256", kid="broken", operation="verify")


def test_without_kid_a_unique_key_type_match_is_used() -> None:
    assert resolve_key(SET, alg="ES256", kid=None, operation="verify") == key_from_jwk(P256_A)
    secrets = {"keys": [HMAC, ENC]}  # ENC is skipped: A256GCM is no JWS algorithm
    assert resolve_key(secrets, alg="HS256", kid=None, operation="verify") == key_from_jwk(HMAC)


def test_without_kid_ambiguity_is_refused() -> None:
    with pytest.raises(InvalidKeyError, match="2 keys in the JWK Set fit RS256; refusing"):
        resolve_key(SET, alg="RS256", kid=None, operation="verify")
    with pytest.raises(InvalidKeyError, match="No key in the JWK Set can verify ES512"):
        resolve_key(SET, alg="ES512", kid=None, operation="verify")


def test_shared_kid_is_split_by_algorithm() -> None:
    # RFC 7517 §4.5: keys of different types may share a kid.
    keys = {"keys": [_with(P256_A, kid="same"), _with(RSA_B, kid="same")]}
    assert resolve_key(keys, alg="ES256", kid="same", operation="verify") == key_from_jwk(P256_A)
    assert isinstance(resolve_key(keys, alg="RS256", kid="same", operation="verify"), RSAPublicKey)
    with pytest.raises(InvalidKeyError, match=r'^2 keys share kid "same" and 0 of them fit ES384$'):
        resolve_key(keys, alg="ES384", kid="same", operation="verify")
    twins = {"keys": [_with(RSA_PUBLIC, kid="t"), _with(RSA_B, kid="t")]}
    with pytest.raises(InvalidKeyError, match="2 of them fit"):
        resolve_key(twins, alg="RS256", kid="t", operation="verify")


@pytest.mark.parametrize(
    ("data", "alg", "operation", "message"),
    [
        (_with(RSA_PUBLIC, use="enc"), "RS256", "verify", "\"use\" is 'enc'"),
        (_with(RSA_PUBLIC, use="other"), "RS256", "verify", "\"use\" is 'other'"),
        (_with(RSA_PUBLIC, key_ops=["sign"]), "RS256", "verify", 'do not include "verify"'),
        (_with(RSA_PRIVATE, key_ops=["verify"]), "RS256", "sign", 'do not include "sign"'),
        (RSA_PUBLIC, "ES256", "verify", "an RSA key cannot be used for ES256"),
        (P384, "ES256", "verify", "an EC P-384 key cannot be used for ES256"),
        (RSA_PUBLIC, "RS256", "sign", "a public key cannot sign"),
        (RSA_PUBLIC, "none", "verify", "'none' is not a JWS signature algorithm$"),
        (RSA_PUBLIC, "A256GCM", "verify", "'A256GCM' is not a JWS signature algorithm$"),
        (ENC, "HS256", "verify", "Unable to find an algorithm"),
    ],
)
def test_metadata_is_enforced(data: Any, alg: str, operation: str, message: str) -> None:
    with pytest.raises(InvalidKeyError, match=message):
        resolve_key(data, alg=alg, kid=None, operation=operation)
    if "Unable" not in message:
        with pytest.raises(InvalidKeyError, match=message):
            resolve_key({"keys": [_with(data, kid="k")]}, alg=alg, kid="k", operation=operation)


def test_a_set_that_is_not_a_list_says_why_on_the_cause() -> None:
    with pytest.raises(PyJWKSetError, match=r"^Invalid JWK Set value$") as caught:
        PyJWKSet.from_dict({"keys": {"kty": "oct"}})
    assert str(caught.value.__cause__) == "keys must be a list"


def test_jwk_alg_other_than_the_tokens_is_an_algorithm_error() -> None:
    """PyJWT raises InvalidAlgorithmError, with this text, when a JWK's alg is not the token's."""
    text = "Token algorithm 'RS256' does not match the key's algorithm 'PS256'"
    data = _with(RSA_PUBLIC, alg="PS256")
    in_set = {"keys": [_with(data, kid="k")]}
    for key in (data, PyJWK(data), in_set, PyJWK(RSA_PUBLIC, "PS256")):
        kid = "k" if key is in_set else None
        with pytest.raises(InvalidAlgorithmError, match=text):
            resolve_key(key, alg="RS256", kid=kid, operation="verify")


def test_allowed_metadata_passes() -> None:
    signing = _with(RSA_PRIVATE, use="sig", key_ops=["sign"], alg="PS512")
    key = resolve_key(PyJWK(signing), alg="PS512", kid=None, operation="sign")
    assert key == key_from_jwk(RSA_PRIVATE)
    public = resolve_key(
        signing | {"key_ops": ["verify"]}, alg="PS512", kid=None, operation="verify"
    )
    assert public == key_from_jwk(RSA_PUBLIC)


def test_verify_gets_the_public_half() -> None:
    ec_private = load_vector("rfc7520/jwk/3_2.ec_private_key.json")
    key = resolve_key(ec_private, alg="ES512", kid=None, operation="verify")
    assert isinstance(key, ECPublicKey)
    signer = resolve_key(ec_private, alg="ES512", kid=None, operation="sign")
    assert isinstance(signer, ECPrivateKey)


@pytest.mark.parametrize(
    ("key", "kwargs", "message"),
    [
        (RSA_PUBLIC, {"operation": "encrypt"}, "operation must be"),
        (RSA_PUBLIC, {"kid": 5}, "kid must be a string"),
        (RSA_PUBLIC, {"alg": ["RS256"]}, "alg must be a string"),
        (b"secret", {}, "Expected a JWK, JWK Set or PyJWK, not bytes"),
        ({"keys": "x"}, {}, "^Invalid JWK Set value$"),
    ],
)
def test_resolve_key_argument_errors(key: Any, kwargs: dict[str, Any], message: str) -> None:
    call: dict[str, Any] = {"alg": "RS256", "kid": None, "operation": "verify", **kwargs}
    with pytest.raises((InvalidKeyError, PyJWKSetError), match=message):
        resolve_key(key, **call)


def test_jwk_set_module_is_the_implementation() -> None:
    assert jwk_set.resolve_key(SET, alg="ES256", kid="p256", operation="verify") == (
        key_from_jwk(P256_A)
    )


@settings(max_examples=150, deadline=None)
@given(
    members=st.lists(st.sampled_from([RSA_PUBLIC, P256_A, P384, RSA_B, HMAC, ENC]), max_size=6),
    alg=st.sampled_from(["RS256", "ES256", "ES384", "HS256", "PS256", "EdDSA"]),
    kid=st.none() | st.sampled_from(["p256", "p384", "rsa-b", "x", RSA_PUBLIC["kid"]]),
)
def test_selection_is_unique_or_refused(
    members: list[dict[str, Any]], alg: str, kid: str | None
) -> None:
    try:
        key = resolve_key({"keys": members}, alg=alg, kid=kid, operation="verify")
    except (InvalidKeyError, PyJWKSetError):
        return
    # Whatever was chosen is the only member that matches the kid (or, without one, the alg).
    chosen = [m for m in members if key_from_jwk(m) == key]
    assert chosen
    if kid is not None:
        assert all(m.get("kid") == kid for m in chosen)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    document=_JSON
    | st.fixed_dictionaries({"keys": st.lists(_JSON | st.sampled_from([HMAC, P384]), max_size=4)}),
    alg=st.sampled_from(["HS256", "ES384", "RS256", "x"]),
    kid=st.none() | st.text(max_size=4),
)
def test_hostile_sets_raise_only_jwtlite_errors(document: Any, alg: str, kid: str | None) -> None:
    # Anything else (KeyError, TypeError ...) escapes and fails the test.
    with contextlib.suppress(PyJWKSetError):
        PyJWKSet.from_dict(document)
    with contextlib.suppress(InvalidKeyError, PyJWKSetError):
        resolve_key(document, alg=alg, kid=kid, operation="verify")


# --- mixed and ambiguous sets, escaped kids (issue #11 item 7) -----------------------------


def test_a_set_mixing_secrets_and_public_keys_is_refused_for_verification() -> None:
    token_hs = jwtlite.encode(
        {"a": 1}, key_from_jwk(HMAC), algorithm="HS256", headers={"kid": HMAC["kid"]}
    )
    refused = 0
    for keys in (MIXED, PyJWKSet.from_dict(MIXED), {"keys": [HMAC, P384]}):
        for alg, kid in (("HS256", HMAC["kid"]), ("ES384", "p384"), ("HS256", None)):
            with pytest.raises(PyJWKSetError, match="mixes symmetric"):
                resolve_key(keys, alg=alg, kid=kid, operation="verify")
            refused += 1
        with pytest.raises(jwtlite.UnusableKeyError, match="mixes symmetric"):
            jwtlite.decode(token_hs, keys, algorithms=["HS256"])
    assert refused == 9
    # Signing from such a set is the signer's own business; a set of secrets alone verifies.
    signing = resolve_key(MIXED, alg="HS256", kid=HMAC["kid"], operation="sign")
    assert signing == key_from_jwk(HMAC)
    assert jwtlite.decode(token_hs, {"keys": [HMAC]}, algorithms=["HS256"]) == {"a": 1}


@pytest.mark.parametrize("operation", ["verify", "sign"])
def test_a_kid_shared_by_a_usable_and_a_skipped_member_is_refused(operation: str) -> None:
    broken = _with(P384, kid="p256", x="AAAA")  # malformed, skipped, same kid as P256_A
    keys = PyJWKSet.from_dict({"keys": [P256_A, broken, P384]})
    assert [k.key_id for k in keys.keys] == ["p256", "p384"]
    assert len(keys.skipped) == 1
    with pytest.raises(PyJWKSetError, match='kid "p256" names a usable key and a skipped member'):
        resolve_key(keys, alg="ES256", kid="p256", operation=operation)
    assert resolve_key(keys, alg="ES384", kid="p384", operation="verify") == key_from_jwk(P384)


KIDS = ["a\r\nINFO forged", "x\x1b[31m", "\u2028z", "bidi\u202etxt", 'q"\\', "\x00", "\U000e0041"]


@pytest.mark.parametrize("kid", KIDS)
def test_kids_are_escaped_in_every_selection_message(kid: str) -> None:
    raw = [c for c in kid if not c.isprintable() or c in '"\\']
    assert raw
    messages = []
    for call in (
        lambda: resolve_key(SET, alg="ES256", kid=kid, operation="verify"),
        lambda: resolve_key(
            {"keys": [_with(P256_A, kid=kid), _with(P384, kid=kid)]},
            alg="ES512",
            kid=kid,
            operation="verify",
        ),
        lambda: resolve_key(
            _with(P256_A, kid=kid, use="enc"), alg="ES256", kid=kid, operation="verify"
        ),
        lambda: resolve_key(
            {"keys": [_with(P256_A, kid=kid), _with(P384, kid=kid, x="A")]},
            alg="ES256",
            kid=kid,
            operation="verify",
        ),
        lambda: PyJWK(_with(P256_A, kid=kid, alg="ES256"), algorithm="ES384"),
        lambda: PyJWK(_with(ENC, kid=kid)),
        lambda: PyJWKSet.from_dict(SET)[kid],
    ):
        with pytest.raises((InvalidKeyError, PyJWKError, PyJWKSetError, KeyError)) as info:
            call()
        error = info.value
        messages.append(str(error.args[0] if isinstance(error, KeyError) else error))
    messages.append(repr(PyJWK(_with(P256_A, kid=kid))))
    assert len(messages) == 8
    for message in messages:
        assert escape_kid(kid) in message
        assert not any(c in message for c in kid if not c.isprintable()), message


# -- exact messages and boundaries (mutation survivors of jwk) --

_K = HMAC["k"]
_NO_USABLE_KEYS = (
    "The JWK Set did not contain any usable keys"
    " (A JWK must be a JSON object, not int; Unsupported kty: nope)"
)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: PyJWK({"kty": "oct", "k": _K, "alg": "none", "kid": "n"}), PyJWKError,
         "Unable to find an algorithm for key: kid=\"n\", alg='none'"),
        (lambda: PyJWK({"kty": "oct", "k": _K, "alg": "HS512", "kid": "k"}, algorithm="HS256"),
         PyJWKError, 'JWK "k" is for HS512, not HS256'),
        (lambda: PyJWK.from_json('{"kty":"oct","k":"\ud800"}'), InvalidKeyError,
         "Invalid JWK: not UTF-8"),
        (lambda: PyJWK.from_json(5), InvalidKeyError, "JWK JSON must be str or bytes, not int"),
        (lambda: PyJWKSet.from_json("[1]"), PyJWKSetError,
         "Invalid JWK Set: must be a JSON object"),
        (lambda: PyJWKSet.from_json(b'{"keys":[1,{"kty":"nope"}]}'), PyJWKSetError,
         _NO_USABLE_KEYS),
        (lambda: PyJWKSet.from_dict({"keys": {}}), PyJWKSetError,
         "The JWK Set did not contain any keys"),  # PyJWT: an empty value is checked first
        (lambda: PyJWKSet.from_dict({"keys": []}), PyJWKSetError,
         "The JWK Set did not contain any keys"),
        (lambda: PyJWKSet.from_dict([]), PyJWKSetError, "A JWK Set must be a JSON object"),
        (lambda: resolve_key(HMAC, alg=5, kid=None, operation="verify"), InvalidKeyError,
         "alg must be a string"),
        (lambda: resolve_key(HMAC, alg="HS256", kid=5, operation="verify"), InvalidKeyError,
         "kid must be a string"),
        (lambda: resolve_key({"keys": [HMAC]}, alg="HS256", kid="two", operation="verify"),
         PyJWKSetError, 'No usable key in the JWK Set has kid "two"'),
        (lambda: resolve_key(P256_A, alg="ES256", kid=None, operation="sign"), InvalidKeyError,
         'JWK "p256" refused: a public key cannot sign'),
    ],
)  # fmt: skip
def test_exact_messages(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        build()
    assert type(info.value) is error
    assert str(info.value) == message


def test_algorithm_argument_fills_a_jwk_without_alg() -> None:
    bare = {k: v for k, v in HMAC.items() if k != "alg"}
    assert PyJWK(bare, algorithm="HS384").algorithm_name == "HS384"
    assert PyJWK(bare).algorithm_name == "HS256"
    assert PyJWK({**bare, "alg": "HS512"}, algorithm="HS512").algorithm_name == "HS512"


def test_a_set_of_exactly_max_keys() -> None:
    assert len(PyJWKSet([HMAC] * MAX_KEYS)) == MAX_KEYS == 256


def test_thumbprints_of_secrets_and_their_messages() -> None:
    from jwtlite.jwk import thumbprint, thumbprint_uri

    assert thumbprint("a-secret-text-key") == thumbprint(b"a-secret-text-key")
    with pytest.raises(InvalidKeyError) as info:
        thumbprint(5)
    assert str(info.value) == "Cannot export int as a JWK"
    uri = thumbprint_uri(P384, "sha384")
    assert uri == f"urn:ietf:params:oauth:jwk-thumbprint:sha-384:{thumbprint(P384, 'sha384')}"
    assert thumbprint(P384, "sha384") != thumbprint(P384)


def test_from_json_passes_the_algorithm_on() -> None:
    bare = json.dumps({k: v for k, v in HMAC.items() if k != "alg"})
    assert PyJWK.from_json(bare, algorithm="HS384").algorithm_name == "HS384"
    assert PyJWK.from_json(bare).algorithm_name == "HS256"


def test_refusals_of_mixed_and_ambiguous_sets_say_why_in_full() -> None:
    with pytest.raises(PyJWKSetError) as mixed:
        resolve_key(MIXED, alg="ES384", kid="p384", operation="verify")
    assert str(mixed.value) == (
        "The JWK Set mixes symmetric (oct) and asymmetric keys; refusing to verify with it"
    )
    broken = _with(P384, kid="p256", x="AAAA")
    keys = PyJWKSet.from_dict({"keys": [P256_A, broken]})
    with pytest.raises(PyJWKSetError) as ambiguous:
        resolve_key(keys, alg="ES256", kid="p256", operation="verify")
    assert str(ambiguous.value).startswith('kid "p256" names a usable key and a skipped member (')
    assert str(ambiguous.value).endswith("); refusing an ambiguous JWK Set")


def test_pyjwk_repr_names_a_missing_kid() -> None:
    bare = {k: v for k, v in P256_A.items() if k != "kid"}
    assert repr(PyJWK(bare)) == "<PyJWK kty=EC alg=ES256 kid=None>"
    assert repr(PyJWK(P256_A)) == '<PyJWK kty=EC alg=ES256 kid="p256">'
