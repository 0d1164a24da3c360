"""The JWS JSON Serialization (RFC 7515 §7.2): ``jwtlite.jws.encode_json`` / ``decode_json``.

The published examples verify and, where the algorithm is deterministic (RSASSA-PKCS1-v1_5,
HMAC), re-sign byte for byte, on every backend: RFC 7515 A.6/A.7, RFC 7797 §4.2 and the
JOSE Cookbook (RFC 7520) §4.1-4.8 in both JSON forms. Then every refusal, one test each.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import VECTORS, load_vector

from jwtlite import jws
from jwtlite.b64url import b64url_encode
from jwtlite.backends import Backend
from jwtlite.exceptions import (
    DecodeError,
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    UnusableKeyError,
)
from jwtlite.jwk import PyJWK, PyJWKSet
from jwtlite.jws import Signer, decode_json, encode_json

SECRET = b"k" * 32
COOKBOOK = sorted(p.name for p in (VECTORS / "rfc7520" / "jws").glob("*.json"))

#: Algorithms whose signatures are a function of key and input (RFC 8017 §8.2, RFC 2104).
DETERMINISTIC = ("RS", "HS", "Ed")


def _steps(vector: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(alg, JWK, signing step) for each signature of a cookbook example."""
    keys, algs, steps = vector["input"]["key"], vector["input"]["alg"], vector["signing"]
    if isinstance(steps, dict):
        keys, algs, steps = [keys], [algs], [steps]
    return list(zip(algs, keys, steps))


def _cookbook_documents() -> list[tuple[str, str]]:
    return [
        (name, form)
        for name in COOKBOOK
        for form in ("json", "json_flat")
        if form in load_vector(f"rfc7520/jws/{name}")["output"]
    ]


DOCUMENTS = _cookbook_documents()


def test_every_cookbook_json_output_is_covered() -> None:
    assert len(COOKBOOK) == 8
    # §4.1-4.7 in both forms; §4.8 (three signatures) has only the general form.
    assert len(DOCUMENTS) == 15
    assert ("4_8.multiple_signatures.json", "json") in DOCUMENTS


@pytest.mark.parametrize(("name", "form"), DOCUMENTS)
def test_cookbook_json_outputs_verify(backend: Backend, name: str, form: str) -> None:
    vector = load_vector(f"rfc7520/jws/{name}")
    document = vector["output"][form]
    payload = vector["input"]["payload"].encode("utf-8")
    detached = payload if "payload" not in document else None
    steps = _steps(vector)
    verified_positions = []
    for position, (alg, jwk, _) in enumerate(steps):
        # Each signature with its own key: "one" finds it, wherever it is in the document.
        for key in (jwk, PyJWK(jwk)):
            result = decode_json(
                json.dumps(document),
                key,
                algorithms=[alg],
                require="one",
                detached_payload=detached,
                allow_unprotected_alg=True,  # §4.7 and §4.8's ES512 leave alg unprotected
            )
            assert result.payload == payload
            assert [s.position for s in result.signatures] == [position]
        verified_positions.append(position)
    assert verified_positions == list(range(len(steps)))
    if len(steps) == 1:  # and "all" with the document as a dict
        alg, jwk, step = steps[0]
        result = decode_json(
            document, jwk, algorithms=[alg], detached_payload=detached, allow_unprotected_alg=True
        )
        (signature,) = result.signatures
        assert signature.protected == step.get("protected", {})
        assert signature.unprotected == step.get("unprotected", {})
        assert signature.jose_header == {**step.get("protected", {}), **step.get("unprotected", {})}


def _cookbook_signers(vector: dict[str, Any]) -> list[Signer]:
    return [
        Signer(jwk, alg, protected=step.get("protected"), header=step.get("unprotected"))
        for alg, jwk, step in _steps(vector)
    ]


def _comparable(document: dict[str, Any], signers: list[Signer]) -> str:
    """The document's JSON text with the randomised signatures (ECDSA, RSA-PSS) blanked."""
    document = copy.deepcopy(document)
    entries = document.get("signatures", [document])
    for signer, entry in zip(signers, entries):
        if not signer.algorithm.startswith(DETERMINISTIC):
            entry["signature"] = ""
    return json.dumps(document)


@pytest.mark.parametrize("name", COOKBOOK)
def test_cookbook_json_outputs_are_reproduced(backend: Backend, name: str) -> None:
    vector = load_vector(f"rfc7520/jws/{name}")
    payload = vector["input"]["payload"].encode("utf-8")
    detached = name.startswith("4_5")
    signers = _cookbook_signers(vector)
    forms = [("json", False)] + ([("json_flat", True)] if len(signers) == 1 else [])
    exact = 0
    for form, flattened in forms:
        ours = encode_json(payload, signers, flattened=flattened, detached=detached)
        # The same members in the same order, the same JSON text: byte for byte, except the
        # value of a randomised signature, which must verify instead.
        assert _comparable(ours, signers) == _comparable(vector["output"][form], signers)
        exact += sum(s.algorithm.startswith(DETERMINISTIC) for s in signers)
        for position, (alg, jwk, _) in enumerate(_steps(vector)):
            result = decode_json(
                ours,
                jwk,
                algorithms=[alg],
                require="one",
                detached_payload=payload if detached else None,
                allow_unprotected_alg=True,
            )
            assert result.signatures[0].position == position
    assert exact == {"4_2": 0, "4_3": 0, "4_8": 2}.get(name[:3], 2)


def test_cookbook_multiple_signatures_all_or_one(backend: Backend) -> None:
    vector = load_vector("rfc7520/jws/4_8.multiple_signatures.json")
    document = vector["output"]["json"]
    rsa, ec, oct_ = vector["input"]["key"]
    asymmetric = {"keys": [rsa, ec]}
    algorithms = ["RS256", "ES512", "HS256"]
    # RFC 8725 §3.1: no set may mix secrets and public keys, so no single key verifies all
    # three: "all" fails on the HS256 signature, and says which one it was.
    with pytest.raises(UnusableKeyError, match=r"^signatures\[2\]: "):
        decode_json(document, asymmetric, algorithms=algorithms, allow_unprotected_alg=True)
    with pytest.raises(InvalidAlgorithmError, match=r"^signatures\[1\]: .*not integrity"):
        decode_json(document, asymmetric, algorithms=algorithms)
    one = decode_json(
        document, asymmetric, algorithms=algorithms, require="one", allow_unprotected_alg=True
    )
    assert [s.position for s in one.signatures] == [0]
    # Without the HS256 signature, "all" verifies the two others with the set.
    both = copy.deepcopy(document)
    del both["signatures"][2]
    result = decode_json(
        both, PyJWKSet([rsa, ec]), algorithms=algorithms, allow_unprotected_alg=True
    )
    assert [s.position for s in result.signatures] == [0, 1]
    assert result.signatures[1].unprotected == {"alg": "ES512", "kid": ec["kid"]}
    assert result.signatures[1].protected == {}
    # "one": the failures before the signature that verifies do not matter; if none verifies,
    # every reason is given.
    assert (
        decode_json(document, oct_, algorithms=["HS256"], require="one").signatures[0].position == 2
    )
    with pytest.raises(InvalidSignatureError, match=r"No signature verified: signatures\[0\]: .*"):
        decode_json(document, b"x" * 32, algorithms=algorithms, require="one")


def test_rfc7515_a6_a7(backend: Backend) -> None:
    vector = load_vector("rfc/rfc7515_A6_A7_json_serialization.json")
    jwks = {"keys": [{**jwk, "kid": kid} for kid, jwk in vector["keys"].items()]}
    payload = vector["payload"].encode("utf-8")
    general = decode_json(vector["general_json"], jwks, algorithms=["RS256", "ES256"])
    assert general.payload == payload
    assert [s.jose_header for s in general.signatures] == [
        {"alg": "RS256", "kid": "2010-12-29"},
        {"alg": "ES256", "kid": "e9bc097a-ce51-4036-9562-d2ade882db0d"},
    ]
    flat = decode_json(json.dumps(vector["flattened_json"]), jwks, algorithms=["ES256"])
    assert flat.payload == payload
    assert flat.signatures[0].protected == {"alg": "ES256"}
    # A.6's RS256 signature is A.2's, which RSASSA-PKCS1-v1_5 reproduces from A.2's key.
    a2 = load_vector("rfc/rfc7515_A2_rs256.json")
    signer = Signer(a2["jwk"], "RS256", header={"kid": "2010-12-29"})
    assert encode_json(payload, signer) == {
        "payload": vector["payload_b64"],
        "signatures": [vector["general_json"]["signatures"][0]],
    }


def test_rfc7797_unencoded_payload(backend: Backend) -> None:
    vector = load_vector("rfc/rfc7797_4_unencoded_payload.json")
    example = vector["examples"][1]
    payload = vector["payload"].encode("ascii")
    assert payload == bytes(vector["payload_octets"])
    document = example["flattened_json"]
    result = decode_json(document, vector["jwk"], algorithms=["HS256"])
    assert result.payload == payload
    assert result.signatures[0].protected == json.loads(example["protected_header_json"])
    ours = encode_json(payload, Signer(vector["jwk"], "HS256"), flattened=True, b64=False)
    assert json.dumps(ours, sort_keys=True) == json.dumps(document, sort_keys=True)
    # The same signature with the payload detached, and in the general form.
    detached = encode_json(payload, Signer(vector["jwk"], "HS256"), b64=False, detached=True)
    assert detached == {"signatures": [{k: v for k, v in document.items() if k != "payload"}]}
    result = decode_json(detached, vector["jwk"], algorithms=["HS256"], detached_payload=payload)
    assert result.payload == payload
    # §4.1, the same payload encoded: the compact example's signature.
    encoded = encode_json(payload, Signer(vector["jwk"], "HS256"), flattened=True)
    assert encoded["signature"] == vector["examples"][0]["signature_b64"]


# --- round trips and what the headers hold ------------------------------------------------------


def test_round_trip_general_flattened_detached() -> None:
    signers = [
        Signer(SECRET, "HS256", protected={"kid": "a", "nonce": "n1"}),
        Signer(b"j" * 48, "HS384", header={"kid": "b"}),
    ]
    document = encode_json(b"\x00\xffbinary", signers)
    assert [list(e) for e in document["signatures"]] == [
        ["protected", "signature"],
        ["protected", "header", "signature"],
    ]
    jwks = {
        "keys": [
            {"kty": "oct", "kid": "a", "k": b64url_encode(SECRET)},
            {"kty": "oct", "kid": "b", "k": b64url_encode(b"j" * 48)},
        ]
    }
    result = decode_json(document, jwks, algorithms=["HS256", "HS384"])
    assert result.payload == b"\x00\xffbinary"
    assert result.signatures[0].protected == {"alg": "HS256", "kid": "a", "nonce": "n1"}
    assert result.signatures[1].jose_header == {"alg": "HS384", "kid": "b"}
    flat = encode_json(b"x", signers[0], flattened=True, detached=True)
    assert list(flat) == ["protected", "signature"]
    assert decode_json(flat, SECRET, algorithms=["HS256"], detached_payload=b"x").payload == b"x"
    # Any bytes-like content, as the compact form takes it (a memoryview was refused here).
    for content in (bytearray(b"x"), memoryview(b"x")):
        result = decode_json(flat, SECRET, algorithms=["HS256"], detached_payload=content)
        assert result.payload == b"x"
    # An empty "payload" member counts as detached when the content is passed apart.
    result = decode_json(
        {**flat, "payload": ""}, SECRET, algorithms=["HS256"], detached_payload=b"x"
    )
    assert result.payload == b"x"


def test_text_and_bytes_documents() -> None:
    document = encode_json(b"p", Signer(SECRET, "HS256"))
    text = json.dumps(document, indent=2)  # whitespace between tokens is not significant
    for form in (document, text, text.encode(), bytearray(text.encode())):
        assert decode_json(form, SECRET, algorithms=["HS256"]).payload == b"p"


def test_unprotected_alg_only_when_asked() -> None:
    document = encode_json(b"p", Signer(SECRET, "HS256", header={"alg": "HS256"}))
    assert "protected" not in document["signatures"][0]
    with pytest.raises(InvalidAlgorithmError, match="not integrity protected"):
        decode_json(document, SECRET, algorithms=["HS256"])
    result = decode_json(document, SECRET, algorithms=["HS256"], allow_unprotected_alg=True)
    assert result.signatures[0].unprotected == {"alg": "HS256"}


def test_unprotected_members_are_not_covered_but_protected_ones_are() -> None:
    document = encode_json(b"p", Signer(SECRET, "HS256", header={"kid": "a"}), flattened=True)
    changed = {**document, "header": {"kid": "b"}}  # not signed: still verifies, shown as sent
    assert decode_json(changed, SECRET, algorithms=["HS256"]).signatures[0].unprotected == {
        "kid": "b"
    }
    moved = {**document, "protected": b64url_encode(b'{"alg":"HS256","kid":"a"}')}
    del moved["header"]
    with pytest.raises(InvalidSignatureError):
        decode_json(moved, SECRET, algorithms=["HS256"])


def test_key_length_policy_applies_per_signature() -> None:
    with pytest.warns(InsecureKeyLengthWarning):
        document = encode_json(b"p", Signer(b"short", "HS256"), flattened=True)
    with pytest.warns(InsecureKeyLengthWarning):
        decode_json(document, b"short", algorithms=["HS256"])
    with pytest.raises(InvalidKeyError):
        decode_json(
            document, b"short", algorithms=["HS256"], options={"enforce_minimum_key_length": True}
        )
    with pytest.raises(InvalidKeyError):
        encode_json(b"p", Signer(b"short", "HS256"), options={"enforce_minimum_key_length": True})


# --- refusals: one test per rule ----------------------------------------------------------------


def _flat(**changes: Any) -> dict[str, Any]:
    document = encode_json(b"payload", Signer(SECRET, "HS256", header={"kid": "a"}), flattened=True)
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


def _protected(header: Any) -> str:
    return b64url_encode(json.dumps(header).encode())


#: Each refusal with its whole message (the reason is part of the error); a message ending in
#: "..." is a prefix, where the rest is Python's own text.
REFUSED: list[tuple[str, Any, type[Exception], str]] = [
    ("not an object", "[1]", DecodeError, "Invalid JWS JSON document: must be a JSON object"),
    ("not JSON", "{", DecodeError, "Invalid JWS JSON document: Expecting property name..."),
    ("duplicate member", '{"signature":"","signature":""}', DecodeError,
     'Invalid JWS JSON document: duplicate member name "signature"'),
    ("neither form", {"payload": ""}, DecodeError,
     'Not a JWS JSON document: no "signatures" or "signature" member'),
    ("both forms", {**_flat(), "signatures": []}, DecodeError,
     'A JWS JSON document is general ("signatures") or flattened ("protected"), not both'),
    ("no signatures", {"payload": "", "signatures": []}, DecodeError,
     '"signatures" must be a non-empty array'),
    ("signatures not a list", {"signatures": {}}, DecodeError,
     '"signatures" must be a non-empty array'),
    ("entry not an object", {"payload": "", "signatures": ["x"]}, DecodeError,
     'Every member of "signatures" must be a JSON object'),
    ("signature not a string", _flat(signature=1), DecodeError,
     'The "signature" member must be a string'),
    ("signature not base64url", _flat(signature="a+b"), DecodeError,
     "Invalid signature: Invalid base64url: character outside the URL-safe alphabet"),
    ("protected not a string", _flat(protected={"alg": "HS256"}), DecodeError,
     'The "protected" member must be a non-empty string'),
    ("protected empty", _flat(protected=""), DecodeError,
     'The "protected" member must be a non-empty string'),
    ("protected not base64url", _flat(protected="e30="), DecodeError,
     "Invalid protected header: Invalid base64url: character outside the URL-safe alphabet"),
    ("protected not an object", _flat(protected=_protected([1])), DecodeError,
     "Invalid protected header: must be a JSON object"),
    ("protected has duplicates", _flat(protected=b64url_encode(b'{"alg":"HS256","alg":"none"}')),
     DecodeError, 'Invalid protected header: duplicate member name "alg"'),
    ("header not an object", _flat(header=["kid"]), DecodeError,
     'The "header" member must be a JSON object'),
    ("no header at all", {"payload": "cA", "signature": "c2ln"}, DecodeError,
     'A signature needs a "protected" or a "header" member (RFC 7515 §7.2.1)'),
    ("names not disjoint", _flat(header={"alg": "HS256"}), DecodeError,
     ('Header parameter "alg" is both protected and unprotected (RFC 7515 §7.2.1: the names must'
     " be disjoint)")),
    ("crit unprotected", _flat(header={"crit": ["x"], "x": 1}), InvalidTokenError,
     ('The "crit" header parameter must be integrity protected, not in "header" (RFC 7515'
     " §4.1.11, RFC 7797 §3)")),
    ("b64 unprotected", _flat(header={"b64": True}), InvalidTokenError,
     ('The "b64" header parameter must be integrity protected, not in "header" (RFC 7515'
     " §4.1.11, RFC 7797 §3)")),
    ("unknown crit", _flat(protected=_protected({"alg": "HS256", "crit": ["zz"], "zz": 1})),
     InvalidTokenError, "Unsupported critical extension: zz"),
    ("b64 without crit", _flat(protected=_protected({"alg": "HS256", "b64": False})),
     InvalidTokenError, "The 'b64' header parameter requires 'b64' to be listed in 'crit'."),
    ("kid not a string", _flat(header={"kid": 7}), InvalidTokenError,
     "Key ID header parameter must be a string"),
    ("alg none", _flat(protected=_protected({"alg": "none"})), InvalidAlgorithmError,
     "The specified alg value is not allowed (hint: The token is signed with 'none'..."),
    ("alg not allowed", _flat(protected=_protected({"alg": "HS512"})), InvalidAlgorithmError,
     "The specified alg value is not allowed (hint: The token is signed with 'HS512'..."),
    ("alg missing", _flat(protected=None), InvalidAlgorithmError, "Algorithm not specified"),
    ("payload not a string", _flat(payload=5), DecodeError,
     'The "payload" member must be a string'),
    ("payload not base64url", _flat(payload="cGF5bG9hZA="), DecodeError,
     "Invalid payload: Invalid base64url: character outside the URL-safe alphabet"),
    ("payload tampered", _flat(payload="cGF5bG9hZQ"), InvalidSignatureError,
     "Signature verification failed"),
    ("payload absent", _flat(payload=None), DecodeError,
     ('The document has no "payload" (detached content, RFC 7515 Appendix F): pass it as'
     " detached_payload")),
]  # fmt: skip


def _says(error: BaseException, message: str) -> None:
    """``error``'s text is ``message``, or starts with it when it ends in "..."."""
    if message.endswith("..."):
        assert str(error).startswith(message[:-3]), str(error)
    else:
        assert str(error) == message


@pytest.mark.parametrize(
    ("what", "document", "error", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_refused(what: str, document: Any, error: type[Exception], message: str) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(error) as info:
        decode_json(text, SECRET, algorithms=["HS256"])
    _says(info.value, message)
    if not isinstance(document, str):
        with pytest.raises(error) as info:
            decode_json(document, SECRET, algorithms=["HS256"])
        _says(info.value, message)


def test_b64_must_agree_across_signatures() -> None:
    one = encode_json(b"p", Signer(SECRET, "HS256"))
    other = encode_json(b"p", Signer(SECRET, "HS256"), b64=False)
    mixed = {"payload": one["payload"], "signatures": one["signatures"] + other["signatures"]}
    with pytest.raises(InvalidTokenError, match="same for every signature"):
        decode_json(mixed, SECRET, algorithms=["HS256"], require="one")


def test_limits() -> None:
    entry = encode_json(b"p", Signer(SECRET, "HS256"))["signatures"][0]
    many = {"payload": "cA", "signatures": [entry] * (jws.MAX_SIGNATURES + 1)}
    with pytest.raises(DecodeError, match="17 signatures; at most 16"):
        decode_json(many, SECRET, algorithms=["HS256"])
    assert len(decode_json(many, SECRET, algorithms=["HS256"], max_signatures=17).signatures) == 17
    with pytest.raises(DecodeError, match=r"at most 1$"):
        decode_json(
            {**many, "signatures": [entry] * 2}, SECRET, algorithms=["HS256"], max_signatures=1
        )
    big = "x" * jws.MAX_HEADER_SIZE
    with pytest.raises(DecodeError, match="unprotected header is larger"):
        decode_json(_flat(header={"kid": big}), SECRET, algorithms=["HS256"])
    with pytest.raises(DecodeError, match="protected header is larger"):
        decode_json(
            _flat(protected=_protected({"alg": "HS256", "x": big})), SECRET, algorithms=["HS256"]
        )
    # The document's size is checked before it is parsed: this is not even JSON.
    huge = "[" * (jws.DEFAULT_MAX_TOKEN_SIZE + 1)
    for form in (huge, huge.encode()):
        with pytest.raises(DecodeError, match="larger than the 262144-character limit"):
            decode_json(form, SECRET, algorithms=["HS256"])
    with pytest.raises(DecodeError, match="100-character limit"):
        decode_json(_flat(), SECRET, algorithms=["HS256"], options={"max_token_size": 100})
    with pytest.raises(DecodeError, match="100-character limit"):
        decode_json(
            json.dumps(_flat()), SECRET, algorithms=["HS256"], options={"max_token_size": 100}
        )


def test_detached_payload_rules() -> None:
    with pytest.raises(DecodeError, match='has a "payload"'):
        decode_json(_flat(), SECRET, algorithms=["HS256"], detached_payload=b"payload")
    with pytest.raises(InvalidArgumentError, match="must be bytes"):
        decode_json(_flat(payload=None), SECRET, algorithms=["HS256"], detached_payload="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidSignatureError):
        decode_json(_flat(payload=None), SECRET, algorithms=["HS256"], detached_payload=b"other")


@pytest.mark.parametrize(
    "document",
    [
        None,
        5,
        ["signatures"],
        "\ud800",
        b"\xff{}",
        {"payload": float("nan"), "signature": ""},
        {1: 2},
    ],
)
def test_documents_that_are_not_json(document: Any) -> None:
    with pytest.raises(DecodeError):
        decode_json(document, SECRET, algorithms=["HS256"])


def test_unencoded_payload_must_be_utf8_in_the_document() -> None:
    document = encode_json(b"p", Signer(SECRET, "HS256"), flattened=True, b64=False)
    with pytest.raises(DecodeError, match="not UTF-8"):
        decode_json(json.dumps({**document, "payload": "\ud800"}), SECRET, algorithms=["HS256"])
    with pytest.raises(InvalidArgumentError, match="must be UTF-8"):
        encode_json(b"\xff", Signer(SECRET, "HS256"), b64=False)
    detached = encode_json(b"\xff", Signer(SECRET, "HS256"), b64=False, detached=True)
    assert (
        decode_json(detached, SECRET, algorithms=["HS256"], detached_payload=b"\xff").payload
        == b"\xff"
    )


def test_caller_errors() -> None:
    document = _flat()
    with pytest.raises(DecodeError, match='"algorithms" argument'):
        decode_json(document, SECRET, algorithms=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="require must be"):
        decode_json(document, SECRET, algorithms=["HS256"], require="any")  # type: ignore[arg-type]
    for wrong in (True, 0, -1, 2.0):
        with pytest.raises(InvalidArgumentError, match="max_signatures"):
            decode_json(document, SECRET, algorithms=["HS256"], max_signatures=wrong)  # type: ignore[arg-type]
    from types import MappingProxyType

    assert decode_json(MappingProxyType(document), SECRET, algorithms=["HS256"]).payload
    with pytest.raises(InvalidArgumentError, match="does nothing in decode_json"):
        decode_json(document, SECRET, algorithms=["HS256"], options={"verify_signature": False})
    with pytest.raises(InvalidArgumentError, match="allow_padding"):
        decode_json(document, SECRET, algorithms=["HS256"], options={"allow_padding": True})


def _hs(**headers: Any) -> Signer:
    return Signer(SECRET, "HS256", **headers)


PUBLIC_PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"
ENCODE_REFUSED: list[tuple[Any, dict[str, Any], type[Exception], str]] = [
    ("text", {}, InvalidArgumentError, "The JWS payload must be bytes"),
    (b"p", {"signers": []}, InvalidArgumentError,
     "signers must be a Signer or a non-empty list of them"),
    (b"p", {"signers": "HS256"}, InvalidArgumentError,
     "signers must be a Signer or a non-empty list of them"),
    (b"p", {"signers": [SECRET]}, InvalidArgumentError,
     "Every member of signers must be a jwtlite.jws.Signer"),
    (b"p", {"signers": [_hs()] * 2, "flattened": True}, InvalidArgumentError,
     "A flattened JWS has exactly one signature, not 2"),
    (b"p", {"signers": Signer(SECRET, 256)}, InvalidArgumentError,
     "Signer.algorithm must be a string, not int"),
    (b"p", {"signers": Signer(SECRET, "HS999")}, InvalidAlgorithmError,
     "Algorithm not supported: 'HS999'..."),
    (b"p", {"signers": _hs(protected={"alg": "HS512"})}, InvalidArgumentError,
     'The header "alg" (HS512) differs from Signer.algorithm (HS256)'),
    (b"p", {"signers": _hs(header={"alg": "none"})}, InvalidArgumentError,
     'The header "alg" (none) differs from Signer.algorithm (HS256)'),
    (b"p", {"signers": _hs(protected={"kid": "a"}, header={"kid": "a"})}, InvalidArgumentError,
     ('Header parameter "kid" is both protected and unprotected (RFC 7515 §7.2.1: the names'
     " must be disjoint)")),
    (b"p", {"signers": _hs(protected={"alg": "HS256"}, header={"alg": "HS256"})},
     InvalidArgumentError,
     ('Header parameter "alg" is both protected and unprotected (RFC 7515 §7.2.1: the names'
     " must be disjoint)")),
    (b"p", {"signers": _hs(header={"crit": ["x"], "x": 1})}, InvalidArgumentError,
     ('"crit" must be integrity protected: give it in protected=, not header= (RFC 7515'
     " §4.1.11, RFC 7797 §3)")),
    (b"p", {"signers": _hs(header={"b64": False})}, InvalidArgumentError,
     ('"b64" must be integrity protected: give it in protected=, not header= (RFC 7515'
     " §4.1.11, RFC 7797 §3)")),
    (b"p", {"signers": _hs(protected={"b64": False})}, InvalidArgumentError,
     'Pass b64=False instead of a "b64" header parameter'),
    (b"p", {"signers": _hs(protected={"crit": []})}, InvalidTokenError,
     "Invalid 'crit' header: must be a non-empty list"),
    (b"p", {"signers": _hs(protected={"crit": ["alg"]})}, InvalidTokenError,
     "Unsupported critical extension: alg (RFC 7515 defines it; it must not be listed)"),
    (b"p", {"signers": _hs(protected={"kid": 1})}, InvalidTokenError,
     "Key ID header parameter must be a string"),
    (b"p", {"signers": _hs(protected=["kid"])}, InvalidArgumentError,
     "Signer.protected must be a dict with string keys"),
    (b"p", {"signers": _hs(header={1: "x"})}, InvalidArgumentError,
     "Signer.header must be a dict with string keys"),
    (b"p", {"signers": _hs(protected={"x": {1, 2}})}, InvalidArgumentError,
     ("The protected header is not JSON-serialisable: Object of type set is not JSON"
     " serializable")),
    (b"p", {"signers": _hs(header={"x": float("inf")})}, InvalidArgumentError,
     "The unprotected header is not JSON-serialisable: Out of range float values..."),
    (b"p", {"signers": Signer(PUBLIC_PEM, "HS256")}, InvalidKeyError,
     ("The specified key is an asymmetric key or x509 certificate and should not be used as an"
     " HMAC secret.")),
    (b"p", {"options": {"max_token_size": 5}}, InvalidArgumentError,
     ('Option "max_token_size" does nothing in encode_json; its options are'
     " enforce_minimum_key_length")),
    (b"p", {"options": ["x"]}, InvalidArgumentError, "options must be a dict, not list"),
    (b"\xff", {"b64": False}, InvalidArgumentError,
     ("With b64=False the payload travels as a JSON string and must be UTF-8; pass"
     " detached=True to send other octets apart (RFC 7797 §5.2)")),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "kwargs", "error", "message"), ENCODE_REFUSED)
def test_encode_refused(
    payload: Any, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs = {"signers": _hs(), **kwargs}
    with pytest.raises(error) as info:
        encode_json(payload, **kwargs)
    _says(info.value, message)


def test_encode_header_placement_and_json_encoder() -> None:
    from conftest import SetEncoder

    document = encode_json(
        b"p",
        Signer(SECRET, "HS256", protected={"roles": {"b", "a"}}, header={"kid": "k"}),
        flattened=True,
        json_encoder=SetEncoder,
    )
    assert decode_json_header(document["protected"]) == {"alg": "HS256", "roles": ["a", "b"]}
    # alg given where the caller wants it stays there; crit gains b64 for an unencoded payload
    document = encode_json(
        b"p",
        Signer(SECRET, "HS256", protected={"crit": ["exp1"], "exp1": 1, "alg": "HS256"}),
        b64=False,
        flattened=True,
    )
    header = decode_json_header(document["protected"])
    assert header == {"crit": ["b64", "exp1"], "exp1": 1, "alg": "HS256", "b64": False}


def decode_json_header(segment: str) -> dict[str, Any]:
    from jwtlite.b64url import b64url_decode

    return json.loads(b64url_decode(segment))


def test_signer_repr_hides_the_key() -> None:
    assert "kkkk" not in repr(Signer(SECRET, "HS256"))
    assert "HS256" in repr(Signer(SECRET, "HS256"))


# --- exact texts, limits at their boundary, and the key choice by kid (mutation testing) -------


def test_decode_caller_errors_say_exactly_what() -> None:
    document = _flat()
    calls: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"options": {"verify_signature": False}}, InvalidArgumentError,
         ('Option "verify_signature" does nothing in decode_json; its options are'
         " enforce_minimum_key_length, max_token_size, allow_small_rsa_verify")),
        ({"require": "any"}, InvalidArgumentError, "require must be 'all' or 'one', not any"),
        ({"max_signatures": 0}, InvalidArgumentError, "max_signatures must be a positive integer"),
        ({"detached_payload": b"payload"}, DecodeError,
         'detached_payload was given, but the document has a "payload"'),
        ({"detached_payload": "payload", "document": _flat(payload=None)}, InvalidArgumentError,
         "detached_payload must be bytes, not str"),
        ({"document": 5}, DecodeError, "A JWS JSON document must be a dict, str or bytes, not int"),
        ({"document": "\ud800"}, DecodeError, "Invalid JWS JSON document: not UTF-8"),
        ({"document": {"x": {1, 2}}}, DecodeError,
         "Invalid JWS JSON document: not JSON (Object of type set is not JSON serializable)"),
    ]  # fmt: skip
    for kwargs, error, message in calls:
        given = {"document": document, "key": SECRET, "algorithms": ["HS256"], **kwargs}
        with pytest.raises(error) as info:
            decode_json(**given)
        assert str(info.value) == message


def test_header_and_payload_rules_say_exactly_what() -> None:
    one = encode_json(b"p", Signer(SECRET, "HS256"))
    other = encode_json(b"p", Signer(SECRET, "HS256"), b64=False)
    mixed = {"payload": one["payload"], "signatures": one["signatures"] + other["signatures"]}
    with pytest.raises(InvalidTokenError) as b64:
        decode_json(mixed, SECRET, algorithms=["HS256"])
    assert str(b64.value) == '"b64" must be the same for every signature (RFC 7797 §3)'
    unprotected = encode_json(b"p", Signer(SECRET, "HS256", header={"alg": "HS256"}))
    with pytest.raises(InvalidAlgorithmError) as alg:
        decode_json(unprotected, SECRET, algorithms=["HS256"])
    assert str(alg.value) == (
        'The "alg" header parameter is not integrity protected (it is in "header"); pass'
        " allow_unprotected_alg=True to accept that (RFC 7515 §10.7)"
    )
    unencoded = encode_json(b"p", Signer(SECRET, "HS256"), flattened=True, b64=False)
    with pytest.raises(DecodeError) as text:
        decode_json(json.dumps({**unencoded, "payload": "\ud800"}), SECRET, algorithms=["HS256"])
    assert str(text.value) == "Invalid payload: not UTF-8"


def test_size_limits_hold_at_their_boundary() -> None:
    # A header of exactly MAX_HEADER_SIZE characters is accepted, one more is not.
    fill = jws.MAX_HEADER_SIZE * 3 // 4 - len('{"alg":"HS256","x":""}')
    kid = "k" * (jws.MAX_HEADER_SIZE - len('{"kid":""}'))
    big = Signer(SECRET, "HS256", protected={"alg": "HS256", "x": "x" * fill}, header={"kid": kid})
    document = encode_json(b"p", big, flattened=True)
    assert len(document["protected"]) == jws.MAX_HEADER_SIZE
    assert len(json.dumps(document["header"], separators=(",", ":"))) == jws.MAX_HEADER_SIZE
    assert decode_json(document, SECRET, algorithms=["HS256"]).payload == b"p"
    # The document's own size limit: exactly max_token_size passes, in each form.
    small = _flat()
    text = json.dumps(small, separators=(",", ":"))
    for form in (small, text, text.encode()):
        exact = {"max_token_size": len(text)}
        assert decode_json(form, SECRET, algorithms=["HS256"], options=exact).payload == b"payload"
        with pytest.raises(DecodeError) as info:
            decode_json(
                form, SECRET, algorithms=["HS256"], options={"max_token_size": len(text) - 1}
            )
        assert str(info.value) == (
            f"JWS JSON document is larger than the {len(text) - 1}-character limit"
        )


def test_a_jwk_set_signs_with_the_member_the_kid_names() -> None:
    jwks = PyJWKSet.from_dict(
        {"keys": [
            {"kty": "oct", "kid": "a", "k": b64url_encode(SECRET)},
            {"kty": "oct", "kid": "b", "k": b64url_encode(b"j" * 32)},
        ]}
    )  # fmt: skip
    for where in ("protected", "header"):
        document = encode_json(b"p", Signer(jwks, "HS256", **{where: {"kid": "b"}}), flattened=True)
        assert decode_json(document, b"j" * 32, algorithms=["HS256"]).payload == b"p"
        with pytest.raises(InvalidSignatureError):
            decode_json(document, SECRET, algorithms=["HS256"])


def test_the_unprotected_header_is_checked_with_the_callers_encoder() -> None:
    from conftest import SetEncoder

    signer = Signer(SECRET, "HS256", header={"roles": {"a"}})
    document = encode_json(b"p", signer, flattened=True, json_encoder=SetEncoder)
    assert document["header"] == {"roles": {"a"}}  # the caller serialises it, with its encoder


def test_an_alg_the_caller_placed_keeps_its_place() -> None:
    signer = Signer(SECRET, "HS256", protected={"kid": "a", "alg": "HS256"})
    header = decode_json_header(encode_json(b"p", signer, flattened=True)["protected"])
    assert list(header) == ["kid", "alg"]
    added = encode_json(b"p", _hs(protected={"kid": "a"}), flattened=True)
    header = decode_json_header(added["protected"])
    assert list(header) == ["alg", "kid"]


def test_a_pyjwk_alone_names_the_algorithm_for_decode_json() -> None:
    jwk = PyJWK({"kty": "oct", "k": b64url_encode(SECRET), "alg": "HS256"})
    assert decode_json(_flat(), jwk, algorithms=None).payload == b"payload"  # type: ignore[arg-type]


def test_which_signature_failed_is_named_only_among_several() -> None:
    with pytest.raises(InvalidSignatureError) as single:
        decode_json(_flat(), b"x" * 32, algorithms=["HS256"])
    assert str(single.value) == "Signature verification failed"
    with pytest.raises(InvalidSignatureError) as single_one:
        decode_json(_flat(), b"x" * 32, algorithms=["HS256"], require="one")
    assert str(single_one.value) == "Signature verification failed"
    two = encode_json(b"p", [Signer(SECRET, "HS256"), Signer(b"j" * 32, "HS256")])
    with pytest.raises(InvalidSignatureError) as second:
        decode_json(two, SECRET, algorithms=["HS256"])
    assert str(second.value) == "signatures[1]: Signature verification failed"
    both_bad = encode_json(b"p", [Signer(b"x" * 32, "HS256"), Signer(b"j" * 48, "HS384")])
    with pytest.raises(InvalidSignatureError) as none:
        decode_json(both_bad, SECRET, algorithms=["HS256"], require="one")
    assert str(none.value).startswith(
        "No signature verified: signatures[0]: Signature verification failed; signatures[1]:"
        " The specified alg value is not allowed"
    )
    assert type(none.value.__cause__) is InvalidSignatureError  # the first failure
