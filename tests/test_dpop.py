"""DPoP proofs (RFC 9449): making them, and one refusal per check of §4.3, §7, §8 and §11.

Every test that signs or verifies runs on both backends (the ``backend`` fixture). The clock is
injected (``now=``, a FakeClock for the stores); nothing sleeps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock, key_pem, load_vector
from hypothesis import given, settings
from hypothesis import strategies as st

import jwtlite
from jwtlite import dpop
from jwtlite._jwkformat import key_members
from jwtlite.algorithms import get_algorithm_by_name
from jwtlite.b64url import b64url_encode
from jwtlite.backends import Backend
from jwtlite.dpop import (
    DEFAULT_ALGORITHMS,
    DPoPKey,
    DPoPPolicy,
    NonceIssuer,
    access_token_hash,
    bound_jkt,
    make_proof,
    single_proof,
    verify_proof,
    www_authenticate,
)
from jwtlite.exceptions import (
    DPoPBindingError,
    DPoPNonceError,
    DPoPProofError,
    InvalidArgumentError,
    InvalidKeyError,
    PyJWTError,
    RevocationStoreUnavailableError,
)
from jwtlite.jwk import thumbprint
from jwtlite.keys import load_key
from jwtlite.revocation import MemoryStore, RedisStore, RevocationStore, SQLiteStore

NOW = 1_700_000_000.0
HTU = "https://api.example.test/things"
TOKEN = "an-access-token.with~chars+/="
VECTORS = load_vector("rfc/rfc9449_dpop.json")


@pytest.fixture(autouse=True)
def _cold_proof_key_cache() -> None:
    """Each test starts with no proof header remembered, so that it runs the key checks of
    §4.3 itself whatever ran before it (mutmut's clean run, for one, warms the cache)."""
    dpop._PROOF_KEYS.clear()


def _key(name: str = "ec_p256") -> Any:
    return load_key(key_pem(f"{name}.pem"))


def _public_jwk(key: Any) -> dict[str, str]:
    return DPoPKey(key).public_jwk


def _forge(
    key: Any, *, alg: str = "ES256", header: dict[str, Any] | None = None,
    claims: dict[str, Any] | None = None, drop: tuple[str, ...] = (),
) -> str:
    """A proof with a header and claims the test chooses, signed with ``key`` under ``alg``."""
    full_header: dict[str, Any] = {"typ": "dpop+jwt", "alg": alg}
    if not isinstance(key, bytes):
        full_header["jwk"] = _public_jwk(key)
    full_header.update(header or {})
    body: dict[str, Any] = {"jti": "jti-1", "htm": "GET", "htu": HTU, "iat": int(NOW)}
    body.update(claims or {})
    for name in drop:
        full_header.pop(name, None)
        body.pop(name, None)
    segments = [b64url_encode(json.dumps(part).encode()) for part in (full_header, body)]
    signing_input = ".".join(segments).encode()
    signature = get_algorithm_by_name(alg).sign(signing_input, key) if alg != "none" else b""
    return f"{segments[0]}.{segments[1]}.{b64url_encode(signature)}"


def _verify(proof: str, **options: Any) -> dpop.VerifiedProof:
    arguments: dict[str, Any] = {"htm": "GET", "htu": HTU, "store": None, "now": NOW}
    arguments.update(options)
    return verify_proof(proof, **arguments)


# --- round trips and the RFC's examples --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "alg"),
    [("ec_p256", "ES256"), ("ec_p384", "ES384"), ("ec_p521", "ES512"), ("rsa2048", "PS256"),
     ("rsa2048", "RS256"), ("ed25519", "EdDSA"), ("ed25519", "Ed25519")],
)
def test_a_proof_verifies_and_names_its_key(backend: Backend, name: str, alg: str) -> None:
    signer = DPoPKey(_key(name), algorithm=alg)
    proof = signer.proof("GET", HTU + "?page=2#top", access_token=TOKEN, iat=NOW)
    header = jwtlite.get_unverified_header(proof)
    assert header == {"typ": "dpop+jwt", "alg": alg, "jwk": signer.public_jwk}
    result = _verify(proof, access_token=TOKEN, jkt=signer.jkt)
    assert result.jkt == signer.jkt == thumbprint(_key(name))
    assert result.algorithm == alg
    assert result.claims["htu"] == HTU  # query and fragment dropped (§4.2)
    assert result.claims["ath"] == access_token_hash(TOKEN)
    assert len(result.claims["jti"]) >= 16  # 96 bits at least (§4.2)
    assert "d" not in header["jwk"]


def test_default_algorithms_follow_the_key(backend: Backend) -> None:
    expected = {"ec_p256": "ES256", "ec_p384": "ES384", "ec_p521": "ES512",
                "ed25519": "EdDSA", "ed448": "EdDSA", "rsa2048": "PS256"}
    for name, alg in expected.items():
        assert DPoPKey(_key(name)).algorithm == alg
    assert len(expected) == 6


def test_make_proof_is_one_dpop_key_proof(backend: Backend) -> None:
    proof = make_proof(key_pem("ec_p256.pem"), "POST", HTU, nonce="n-1", jti="j", iat=NOW)
    claims = _verify(proof, htm="POST").claims
    assert claims == {"jti": "j", "htm": "POST", "htu": HTU, "iat": int(NOW), "nonce": "n-1"}


def test_rfc9449_example_proofs_verify(backend: Backend) -> None:
    checked = 0
    for example in VECTORS["proofs"]:
        clock = FakeClock(example["iat"] + 2)
        store = MemoryStore(clock=clock)
        token = example.get("access_token")
        result = verify_proof(
            example["proof"], htm=example["htm"], htu=example["htu"], store=store,
            access_token=token, jkt=VECTORS["jkt"] if token else None, now=clock(),
        )
        assert result.jkt == VECTORS["jkt"]
        assert result.claims["jti"] == example["jti"]
        if token is not None:
            assert access_token_hash(token) == example["ath"] == result.claims["ath"]
        with pytest.raises(DPoPProofError, match="already used"):
            verify_proof(example["proof"], htm=example["htm"], htu=example["htu"],
                         store=store, access_token=token, now=clock())
        checked += 1
    assert checked == 3
    # §6.1 Figure 8: the access token these proofs go with is bound to the same key.
    token = VECTORS["bound_access_token"]
    claims = jwtlite.decode(token["jwt"], options={"verify_signature": False})
    assert claims == token["claims"]
    assert bound_jkt(claims) == VECTORS["jkt"]


def test_rfc9449_example_is_refused_out_of_its_time(backend: Backend) -> None:
    example = VECTORS["proofs"][0]
    with pytest.raises(DPoPProofError, match="too old"):
        verify_proof(example["proof"], htm="POST", htu=example["htu"], store=None)


# --- §4.3 check 1: one DPoP header --------------------------------------------------------------


def test_check_1_exactly_one_dpop_header() -> None:
    assert single_proof(["abc.def.ghi"]) == "abc.def.ghi"
    assert single_proof(" abc.def.ghi ") == "abc.def.ghi"
    for values in ([], None, [""], "  "):
        with pytest.raises(DPoPProofError, match="no DPoP proof"):
            single_proof(values)
    for values in (["a.b.c", "d.e.f"], ["a.b.c, d.e.f"]):  # repeated, or folded by a proxy
        with pytest.raises(DPoPProofError, match="more than one"):
            single_proof(values)


# --- §4.3 check 2: a single well-formed JWT -----------------------------------------------------


@pytest.mark.parametrize(
    "proof",
    ["", "abc", "a.b", "a.b.c.d", "e30.e30", "!!!.e30.AA", "W10.e30.AA", '{"payload": "e30"}',
     "x" * (dpop.MAX_PROOF_SIZE + 1), "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.AA"],
)
def test_check_2_malformed_proofs(backend: Backend, proof: str) -> None:
    with pytest.raises(DPoPProofError):
        _verify(proof)


def test_check_2_not_text() -> None:
    with pytest.raises(DPoPProofError, match="compact JWS"):
        _verify(123)  # type: ignore[arg-type]


def test_check_2_unencoded_payload_refused(backend: Backend) -> None:
    proof = _forge(_key(), header={"b64": False, "crit": ["b64"]})
    with pytest.raises(DPoPProofError, match="base64url-encoded payload"):
        _verify(proof)


# --- §4.3 check 3: required claims ---------------------------------------------------------------


@pytest.mark.parametrize("claim", ["jti", "htm", "htu", "iat"])
def test_check_3_each_required_claim(backend: Backend, claim: str) -> None:
    with pytest.raises(DPoPProofError, match=f"lacks a .*{claim}"):
        _verify(_forge(_key(), drop=(claim,)))


@pytest.mark.parametrize(
    "claims",
    [{"jti": 7}, {"jti": ""}, {"htm": ["GET"]}, {"htu": None}, {"iat": "1700000000"},
     {"iat": True}, {"iat": None}],
)
def test_check_3_claims_of_the_wrong_type(backend: Backend, claims: dict[str, Any]) -> None:
    with pytest.raises(DPoPProofError, match="lacks a"):
        _verify(_forge(_key(), claims=claims))


def test_check_3_large_jti_refused(backend: Backend) -> None:
    # §11.1: a tracking server should reject needlessly large jti values.
    _verify(_forge(_key(), claims={"jti": "j" * 256}))
    with pytest.raises(DPoPProofError, match="jti is longer"):
        _verify(_forge(_key(), claims={"jti": "j" * 257}))


def test_check_3_payload_must_be_an_object(backend: Backend) -> None:
    proof = _forge(_key())
    header, _, signature = proof.split(".")
    with pytest.raises(DPoPProofError, match="payload is not a JSON object"):
        _verify(f"{header}.{b64url_encode(b'[1]')}.{signature}")


# --- §4.3 check 4 and §11.5: typ -------------------------------------------------------------


@pytest.mark.parametrize("typ", [None, "JWT", "at+jwt", "dpop", "jwt+dpop", 5])
def test_check_4_typ_must_be_dpop_jwt(backend: Backend, typ: Any) -> None:
    header = {"typ": typ} if typ is not None else {}
    proof = _forge(_key(), header=header, drop=() if typ is not None else ("typ",))
    with pytest.raises(DPoPProofError, match="typ is not dpop"):
        _verify(proof)


def test_check_4_typ_as_a_media_type(backend: Backend) -> None:
    # RFC 7515 §4.1.9: "application/" may be omitted and media types compare case-insensitively.
    for typ in ("application/dpop+jwt", "DPoP+JWT"):
        _verify(_forge(_key(), header={"typ": typ}, claims={"jti": typ}))


def test_11_5_an_access_token_is_not_a_proof(backend: Backend) -> None:
    # Signed JWT swapping: an at+jwt with every proof claim and a jwk is still refused.
    with pytest.raises(DPoPProofError, match="typ is not dpop"):
        _verify(_forge(_key(), header={"typ": "at+jwt"}))


# --- §4.3 check 5 and §11.6: alg --------------------------------------------------------------


def test_check_5_none_is_refused(backend: Backend) -> None:
    with pytest.raises(DPoPProofError, match="not an asymmetric"):
        _verify(_forge(_key(), alg="none"))


def test_check_5_a_mac_is_refused(backend: Backend) -> None:
    secret = b"s" * 32
    proof = _forge(secret, alg="HS256", header={"jwk": {"kty": "oct", "k": b64url_encode(secret)}})
    with pytest.raises(DPoPProofError, match="not an asymmetric"):
        _verify(proof)


@pytest.mark.parametrize("alg", ["HS256", "none", "ES999", "", "RSA-OAEP", 5])
def test_check_5_the_allow_list_holds_only_signatures(alg: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="asymmetric JWS signature"):
        _verify("a.b.c", algorithms=["ES256", alg])
    for bad in ([], "ES256"):
        with pytest.raises(InvalidArgumentError, match="non-empty list"):
            _verify("a.b.c", algorithms=bad)


def test_check_5_alg_outside_local_policy(backend: Backend) -> None:
    proof = _forge(_key("ec_p384"), alg="ES384")
    _verify(proof, algorithms=["ES384"])
    with pytest.raises(DPoPProofError, match="ES384 is not accepted"):
        _verify(proof, algorithms=["ES256", "EdDSA"])
    # The verdict is per call, not cached with the key.
    _verify(_forge(_key("ec_p384"), alg="ES384", claims={"jti": "2"}), algorithms=["ES384"])


def test_check_5_es256k_only_when_listed(backend: Backend) -> None:
    proof = _forge(_key("ec_secp256k1"), alg="ES256K")
    assert "ES256K" not in DEFAULT_ALGORITHMS
    with pytest.raises(DPoPProofError, match="not accepted"):
        _verify(proof)
    _verify(proof, algorithms=["ES256K"])


def test_check_5_key_must_fit_alg(backend: Backend) -> None:
    jwk = _public_jwk(_key("ec_p384"))
    with pytest.raises(DPoPProofError, match="does not fit its alg"):
        _verify(_forge(_key(), header={"jwk": jwk}))
    rsa = _forge(_key("rsa2048"), alg="RS256", header={"jwk": _public_jwk(_key())})
    with pytest.raises(DPoPProofError, match="does not fit"):
        _verify(rsa)


# --- §4.3 check 6: the signature --------------------------------------------------------------


def test_check_6_signature_by_the_embedded_key(backend: Backend) -> None:
    other = _forge(_key(), header={"jwk": _public_jwk(load_key(jwtlite.generate_key("ES256")))})
    with pytest.raises(DPoPProofError, match="signature does not verify"):
        _verify(other)
    header, payload, signature = _forge(_key()).split(".")
    tampered = b64url_encode(json.dumps(
        {"jti": "jti-1", "htm": "GET", "htu": HTU, "iat": int(NOW) + 1}).encode())
    with pytest.raises(DPoPProofError, match="signature does not verify"):
        _verify(f"{header}.{tampered}.{signature}")
    with pytest.raises(DPoPProofError, match="signature does not verify"):
        _verify(f"{header}.{payload}.")


# --- §4.3 check 7: a public key in jwk ------------------------------------------------------


@pytest.mark.parametrize("name", ["ec_p256", "rsa2048", "ed25519"])
def test_check_7_private_jwk_refused(backend: Backend, name: str) -> None:
    key = _key(name)
    alg = DPoPKey(key).algorithm
    jwk = key_members(key, include_private=True)
    with pytest.raises(DPoPProofError, match="holds a private key"):
        _verify(_forge(key, alg=alg, header={"jwk": jwk}))


def test_check_7_symmetric_and_missing_jwk(backend: Backend) -> None:
    for jwk in ({"kty": "oct", "k": "c2VjcmV0"}, None, "not an object", ["EC"]):
        header = {"jwk": jwk} if jwk is not None else {}
        drop = ("jwk",) if jwk is None else ()
        with pytest.raises(DPoPProofError, match=r"private key|no jwk"):
            _verify(_forge(_key(), header=header, drop=drop))


def test_check_7_jwk_metadata(backend: Backend) -> None:
    jwk = _public_jwk(_key())
    with pytest.raises(DPoPProofError, match="not a signature key"):
        _verify(_forge(_key(), header={"jwk": {**jwk, "use": "enc"}}))
    with pytest.raises(DPoPProofError, match="names another alg"):
        _verify(_forge(_key(), header={"jwk": {**jwk, "alg": "ES384"}}))
    _verify(_forge(_key(), header={"jwk": {**jwk, "use": "sig", "alg": "ES256"}}))
    with pytest.raises(DPoPProofError, match="not a usable key"):
        _verify(_forge(_key(), header={"jwk": {**jwk, "x": jwk["y"]}}))  # off the curve


def test_check_7_rsa_size_is_bounded(backend: Backend) -> None:
    _verify(_forge(_key("rsa4096"), alg="PS256"))
    big = {"kty": "RSA", "e": "AQAB", "n": b64url_encode(b"\xc5" * 1025)}
    with pytest.raises(DPoPProofError, match="over 4096 bits"):
        _verify(_forge(_key("rsa2048"), alg="PS256", header={"jwk": big}))
    with pytest.raises(DPoPProofError, match="too short"):
        _verify(_forge(_key("rsa1024"), alg="PS256"))


# --- §4.3 checks 8 and 9: htm and htu -------------------------------------------------------------


def test_check_8_method(backend: Backend) -> None:
    proof = _forge(_key(), claims={"htm": "POST"})
    _verify(proof, htm="POST")
    for method in ("GET", "post", "PUT"):
        with pytest.raises(DPoPProofError, match="another HTTP method"):
            _verify(proof, htm=method)


@pytest.mark.parametrize(
    "request_uri",
    ["https://API.example.test:443/things", "https://api.example.test/./things?x=1#f",
     "https://api.example.test/a/../things", "HTTPS://api.example.test/%74hings"],
)
def test_check_9_uri_compared_after_normalisation(backend: Backend, request_uri: str) -> None:
    _verify(_forge(_key(), claims={"jti": request_uri}), htu=request_uri)


@pytest.mark.parametrize(
    "request_uri",
    ["https://api.example.test/other", "http://api.example.test/things",
     "https://evil.example.test/things", "https://api.example.test:8443/things",
     "https://api.example.test/things/", "https://api.example.test/Things"],
)
def test_check_9_other_uri_refused(backend: Backend, request_uri: str) -> None:
    with pytest.raises(DPoPProofError, match="another URI"):
        _verify(_forge(_key()), htu=request_uri)


def test_check_9_unusable_uris(backend: Backend) -> None:
    with pytest.raises(DPoPProofError, match="another URI"):
        _verify(_forge(_key(), claims={"htu": "ftp://api.example.test/things"}))
    with pytest.raises(DPoPProofError, match="not an absolute http"):
        _verify(_forge(_key()), htu="https://user@api.example.test/things")  # a Host header


# --- §4.3 check 10, §8, §9, §11.3: nonces -------------------------------------------------------


def test_check_10_demanded_nonce(backend: Backend) -> None:
    issuer = NonceIssuer(b"n" * 32, interval=60, clock=lambda: NOW)
    nonce = issuer.issue()
    _verify(_forge(_key(), claims={"nonce": nonce}), nonce=issuer)
    # §11.3: once a nonce was provided, a proof without one is refused.
    with pytest.raises(DPoPNonceError, match="requires a nonce"):
        _verify(_forge(_key()), nonce=issuer)
    for bad in ("forged", NonceIssuer(b"m" * 32).issue(now=NOW), 17, ""):
        with pytest.raises(DPoPNonceError, match="not valid or has expired"):
            _verify(_forge(_key(), claims={"nonce": bad}), nonce=issuer)
    # One interval later it still passes; two later it has rotated out.
    _verify(_forge(_key(), claims={"nonce": nonce, "iat": NOW + 60}), nonce=issuer,
            now=NOW + 60)
    with pytest.raises(DPoPNonceError, match="expired"):
        _verify(_forge(_key(), claims={"nonce": nonce, "iat": NOW + 120}), nonce=issuer,
                now=NOW + 120)


def test_check_10_exact_nonce(backend: Backend) -> None:
    _verify(_forge(_key(), claims={"nonce": "abc"}), nonce="abc")
    with pytest.raises(DPoPNonceError):
        _verify(_forge(_key(), claims={"nonce": "abd"}), nonce="abc")
    # Without a demand, a nonce claim is the client's business.
    _verify(_forge(_key(), claims={"nonce": "whatever"}))


def test_nonce_errors_are_proof_errors() -> None:
    assert issubclass(DPoPNonceError, DPoPProofError)
    assert DPoPNonceError.error == "use_dpop_nonce"
    assert DPoPProofError.error == "invalid_dpop_proof"
    assert DPoPBindingError.error == "invalid_token"


# --- §4.3 check 11 and §11.1: iat window ----------------------------------------------------------


def test_check_11_iat_window(backend: Backend) -> None:
    proof = _forge(_key())
    _verify(proof, now=NOW + 65)  # max_age 60 + leeway 5
    with pytest.raises(DPoPProofError, match="too old"):
        _verify(proof, now=NOW + 65.5)
    _verify(proof, now=NOW - 5)
    with pytest.raises(DPoPProofError, match="from the future"):
        _verify(proof, now=NOW - 5.5)
    _verify(proof, now=NOW + 300, max_age=295)
    with pytest.raises(DPoPProofError, match="too old"):
        _verify(proof, now=NOW + 2, max_age=1, leeway=0)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), True, "5"])
def test_window_arguments_checked(bad: Any) -> None:
    for name in ("max_age", "leeway", "now"):
        with pytest.raises(InvalidArgumentError, match=name):
            _verify("a.b.c", **{name: bad})


# --- §4.3 check 12 and §7: ath and the token's key ---------------------------------------------


def test_check_12_ath(backend: Backend) -> None:
    signer = DPoPKey(_key())
    with pytest.raises(DPoPProofError, match="ath is not the hash"):
        _verify(signer.proof("GET", HTU, iat=NOW), access_token=TOKEN)  # §7: ath required
    with pytest.raises(DPoPProofError, match="ath is not the hash"):
        _verify(signer.proof("GET", HTU, access_token="another", iat=NOW), access_token=TOKEN)
    with pytest.raises(DPoPProofError, match="ath is not the hash"):
        _verify(_forge(_key(), claims={"ath": 5}), access_token=TOKEN)
    with pytest.raises(DPoPProofError, match="not ASCII"):
        _verify(signer.proof("GET", HTU, iat=NOW), access_token="tökén")
    # At a token endpoint no access token comes along: an ath is then not looked at.
    _verify(signer.proof("GET", HTU, access_token="x", iat=NOW))


def test_check_12_token_bound_to_another_key(backend: Backend) -> None:
    signer = DPoPKey(_key())
    proof = signer.proof("GET", HTU, access_token=TOKEN, iat=NOW)
    with pytest.raises(DPoPBindingError, match="not the key the token is bound to"):
        _verify(proof, access_token=TOKEN, jkt=thumbprint(_key("ec_p384")))
    with pytest.raises(InvalidArgumentError, match="needs the access_token"):
        _verify(proof, jkt=signer.jkt)


def test_bound_jkt_reads_cnf() -> None:
    assert bound_jkt({"sub": "a"}) is None
    assert bound_jkt({"cnf": {"jkt": "abc"}}) == "abc"
    for cnf in ({"x5t#S256": "abc"}, {"jkt": 5}, "abc", {"jkt": "a", "x5t#S256": "b"}, {}):
        with pytest.raises(DPoPBindingError, match="not a DPoP key binding"):
            bound_jkt({"cnf": cnf})


# --- §11.1: replay, through every store -----------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    clock = FakeClock(NOW)
    if request.param == "memory":
        yield MemoryStore(clock=clock), clock
    elif request.param == "sqlite":
        with SQLiteStore(tmp_path / "replay.db", clock=clock) as sqlite_store:
            yield sqlite_store, clock
    else:
        with RedisStore(request.getfixturevalue("redis_url"), clock=clock) as redis_store:
            yield redis_store, clock


def test_11_1_replay_refused_within_the_window(backend: Backend, store: Any) -> None:
    replay, clock = store
    signer = DPoPKey(_key())
    proof = signer.proof("GET", HTU, iat=NOW)
    _verify(proof, store=replay)
    with pytest.raises(DPoPProofError, match="already used"):
        _verify(proof, store=replay, now=NOW + 1)
    # A proof refused for another reason is not remembered: it may not have been this key's.
    refused = signer.proof("GET", HTU, iat=NOW, jti="fresh")
    with pytest.raises(DPoPProofError, match="another HTTP method"):
        _verify(refused, store=replay, htm="POST")
    _verify(refused, store=replay)
    # The same jti from another key is another proof; the entry outlives the window.
    _verify(DPoPKey(_key("ed25519")).proof("GET", HTU, iat=NOW, jti="fresh"), store=replay)
    clock.now = NOW + 70
    with pytest.raises(DPoPProofError, match=r"already used|too old"):
        _verify(proof, store=replay, now=clock.now)


def test_11_1_store_holds_only_a_hash(backend: Backend) -> None:
    seen: list[tuple[str, float]] = []

    class Recorder(MemoryStore):

        def consume(self, jti: str, exp: float) -> bool:
            seen.append((jti, exp))
            return super().consume(jti, exp)

    recorder = Recorder(clock=FakeClock(NOW))
    _verify(DPoPKey(_key()).proof("GET", HTU, iat=NOW, jti="x" * 200), store=recorder)
    ((key, exp),) = seen
    assert key.startswith("dpop:")
    assert len(key) == 5 + 43
    assert "x" not in key[5:9]
    assert exp == NOW + 60 + 2 * 5  # the last moment the proof could pass the iat check


def test_11_1_a_store_that_cannot_answer_fails_closed(backend: Backend) -> None:
    class Down(MemoryStore):
        def consume(self, jti: str, exp: float) -> bool:
            raise RevocationStoreUnavailableError("down")

    with pytest.raises(RevocationStoreUnavailableError):
        _verify(DPoPKey(_key()).proof("GET", HTU, iat=NOW), store=Down())


# --- the client side ---------------------------------------------------------------------------


def test_dpop_key_refuses_what_cannot_sign(backend: Backend) -> None:
    with pytest.raises(InvalidKeyError, match="private asymmetric"):
        DPoPKey(_key().public_key())
    with pytest.raises(InvalidKeyError):
        DPoPKey(b"s" * 32)
    with pytest.raises(InvalidKeyError, match="asymmetric"):
        DPoPKey(_key(), algorithm="HS256")
    with pytest.raises(InvalidKeyError, match="cannot be used"):
        DPoPKey(_key(), algorithm="ES384")
    assert "d" not in repr(DPoPKey(_key()))
    assert "jkt=" in repr(DPoPKey(_key()))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"htm": "G ET"}, "HTTP method"), ({"htu": "/relative"}, "absolute http"),
     ({"htu": "mailto:a@b"}, "absolute http"), ({"nonce": 'a"b'}, "NQCHAR"),
     ({"claims": {"htu": "x"}}, "may not set htu"), ({"access_token": "é"}, "ASCII")],
)
def test_proof_arguments_checked(arguments: dict[str, Any], message: str) -> None:
    signer = DPoPKey(_key())
    call: dict[str, Any] = {"htm": "GET", "htu": HTU}
    call.update(arguments)
    with pytest.raises(InvalidArgumentError, match=message):
        signer.proof(call.pop("htm"), call.pop("htu"), **call)


def test_extra_claims_ride_along(backend: Backend) -> None:
    proof = DPoPKey(_key()).proof("GET", HTU, iat=NOW, claims={"htb": "body-hash"})
    assert _verify(proof).claims["htb"] == "body-hash"


# --- challenges and the policy object ------------------------------------------------------------


def test_www_authenticate_challenges() -> None:
    # RFC 9449 Figures 15, 16 and 24.
    assert www_authenticate(["ES256", "PS256"]) == 'DPoP algs="ES256 PS256"'
    assert www_authenticate(
        ["ES256"], error="invalid_token", description="Invalid DPoP key binding"
    ) == 'DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"'
    assert www_authenticate(["ES256"], error="use_dpop_nonce", realm="api") == (
        'DPoP realm="api", error="use_dpop_nonce", algs="ES256"'
    )
    with pytest.raises(PyJWTError):
        www_authenticate(["ES256"], error='x"y')
    with pytest.raises(InvalidArgumentError):
        www_authenticate(["HS256"])


def test_policy_settings(backend: Backend) -> None:
    clock = FakeClock(NOW)
    policy = DPoPPolicy(store=MemoryStore(clock=clock), clock=clock,
                        base_url="https://API.example.test:443")
    assert policy.base_url == "https://api.example.test"
    proof = DPoPKey(_key()).proof("GET", HTU, iat=NOW)
    # Behind a proxy the server sees another origin; the path is what counts.
    assert policy.verify(proof, htm="GET", htu="http://10.0.0.7:8080/things").jkt
    with pytest.raises(DPoPProofError, match="already used"):
        policy.verify(proof, htm="GET", htu="http://10.0.0.7:8080/things")
    assert policy.challenge(error="invalid_dpop_proof").startswith('DPoP error="invalid_dpop')
    with pytest.raises(InvalidArgumentError, match="needs a store"):
        DPoPPolicy().verify(proof, htm="GET", htu=HTU)
    for bad in ({"base_url": "https://a.test/path"}, {"base_url": "ftp://a"},
                {"algorithms": ("HS256",)}, {"max_age": -1}):
        with pytest.raises(InvalidArgumentError):
            DPoPPolicy(**bad)
    assert DPoPPolicy().request_uri("https://x.test/a?b") == "https://x.test/a?b"


# --- hostile input -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_garbage_raises_only_proof_errors(garbage: str | bytes) -> None:
    with pytest.raises(DPoPProofError):
        _verify(garbage)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["typ", "alg", "jwk", "crit", "b64", "kid"]),
                       st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                                 st.lists(st.text(max_size=3), max_size=2),
                                 st.dictionaries(st.text(max_size=3), st.text(max_size=3),
                                                 max_size=3))))
def test_hostile_headers_raise_only_proof_errors(header: dict[str, Any]) -> None:
    segment = b64url_encode(json.dumps(header).encode())
    with pytest.raises(DPoPProofError):
        _verify(f"{segment}.e30.AAAA")


def test_module_is_not_imported_by_jwtlite() -> None:
    import subprocess
    import sys

    code = "import sys, jwtlite; assert 'jwtlite.dpop' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_revocation_store_protocol_is_what_replay_uses() -> None:
    assert isinstance(MemoryStore(), RevocationStore)


def test_check_3_an_iat_no_float_holds_is_refused(backend: Backend) -> None:
    # math.isfinite(10**400) raises OverflowError: the proof's sender chose that number.
    for iat in (10**400, -(10**400), 10**309):
        with pytest.raises(DPoPProofError, match="lacks a numeric iat"):
            _verify(_forge(_key(), claims={"iat": iat}))


@pytest.mark.parametrize(
    "arguments",
    [{"now": 10**400}, {"max_age": 10**400}, {"leeway": -(10**400)}, {"algorithms": 5},
     {"algorithms": 1.5}, {"store": True}],
)  # fmt: skip
def test_caller_arguments_of_the_wrong_shape_raise_invalid_argument(
    arguments: dict[str, Any],
) -> None:
    with pytest.raises(InvalidArgumentError):
        _verify(_forge(_key()), **arguments)


def test_single_proof_and_bound_jkt_refuse_values_that_are_not_text() -> None:
    for values in (5, 1.5, [b"x"], [1], {1: 2}):
        with pytest.raises(InvalidArgumentError, match="DPoP header values"):
            single_proof(values)  # type: ignore[arg-type]
    for claim_set in (None, "cnf", 5):
        with pytest.raises(InvalidArgumentError, match="claims must be a dict"):
            bound_jkt(claim_set)  # type: ignore[arg-type]


# --- mutation testing (docs/architecture.md): the client side, held exactly ---------------------


def _unverified(proof: str) -> dict[str, Any]:
    return jwtlite.decode(proof, options={"verify_signature": False})


def test_proof_refusals_whole_texts() -> None:
    signer = DPoPKey(_key())
    cases: list[tuple[dict[str, Any], str]] = [
        ({"htm": "G ET"}, "htm must be an HTTP method"),
        ({"htu": "/relative"}, "htu must be an absolute http or https URI"),
        ({"htu": 5}, "htu must be an absolute http or https URI"),
        ({"nonce": 'a"b'}, "a nonce is 1*NQCHAR (RFC 9449 §8.1)"),
        ({"access_token": "é"}, "an access token is ASCII text"),
        ({"claims": {"jti": "x", "htm": "GET"}}, "claims may not set htm, jti"),
    ]
    cases += [({"claims": {name: "x"}}, f"claims may not set {name}")
              for name in ("jti", "htm", "htu", "iat", "ath", "nonce")]
    for arguments, message in cases:
        call: dict[str, Any] = {"htm": "GET", "htu": HTU, **arguments}
        with pytest.raises(InvalidArgumentError) as caught:
            signer.proof(call.pop("htm"), call.pop("htu"), **call)
        assert str(caught.value) == message
    assert len(cases) == 12
    with pytest.raises(InvalidArgumentError) as caught:
        access_token_hash(b"bytes")  # type: ignore[arg-type]
    assert str(caught.value) == "an access token is ASCII text"


def test_dpop_key_refusals_whole_texts() -> None:
    with pytest.raises(InvalidKeyError) as caught:
        DPoPKey(_key().public_key())
    assert str(caught.value) == "a DPoP key must be a private asymmetric key"
    with pytest.raises(InvalidKeyError) as caught:
        DPoPKey(_key(), algorithm="HS256")
    assert str(caught.value) == "'HS256' is not an asymmetric JWS signature algorithm"


@pytest.mark.parametrize(
    "htu", ["https://api.example.test/things#top", "https://api.example.test/things?a?b",
            "https://api.example.test/things#a#b", "https://api.example.test/things?a#b?c"],
)
def test_htu_drops_every_query_and_fragment(htu: str) -> None:
    # §4.2: htu is the URI "without query and fragment parts": cut at the first "?" or "#".
    assert _unverified(DPoPKey(_key()).proof("GET", htu))["htu"] == HTU


def test_a_generated_jti_holds_128_random_bits() -> None:
    jtis = {_unverified(DPoPKey(_key()).proof("GET", HTU))["jti"] for _ in range(3)}
    assert len(jtis) == 3
    for jti in jtis:  # 16 octets in base64url: 22 characters
        assert len(jti) == 22
        assert set(jti) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_make_proof_passes_every_argument(backend: Backend) -> None:
    proof = make_proof(_key("rsa2048"), "GET", HTU, access_token=TOKEN, algorithm="RS256",
                       iat=NOW)
    assert jwtlite.get_unverified_header(proof)["alg"] == "RS256"
    assert _unverified(proof)["ath"] == access_token_hash(TOKEN)
    assert _verify(proof, access_token=TOKEN).algorithm == "RS256"


# --- mutation testing: the server side, every refusal's whole text --------------------------------


def _refusal(proof: Any, **options: Any) -> str:
    with pytest.raises(PyJWTError) as caught:
        _verify(proof, **options)
    return str(caught.value)


def test_verify_proof_refusals_whole_texts(backend: Backend) -> None:
    key, jwk = _key(), _public_jwk(_key())
    signer = DPoPKey(key)
    header, payload, _ = _forge(key).split(".")
    issuer = NonceIssuer(b"n" * 32, clock=lambda: NOW)
    cases: list[tuple[Any, dict[str, Any], str]] = [
        (123, {}, "a DPoP proof is a compact JWS (text)"),
        ("abc", {}, "the DPoP proof is not a well-formed JWT: Not enough segments"),
        (_forge(key, header={"typ": "JWT"}), {}, "the DPoP proof's typ is not dpop+jwt"),
        (_forge(key, alg="none"), {},
         "the DPoP proof alg is not an asymmetric signature algorithm"),
        (_forge(key, header={"b64": False, "crit": ["b64"]}), {},
         "a DPoP proof has a base64url-encoded payload (RFC 7797 is out)"),
        (_forge(key, drop=("jwk",)), {}, "the DPoP proof has no jwk header"),
        (_forge(key, header={"jwk": key_members(key, include_private=True)}), {},
         "the DPoP proof's jwk holds a private key"),
        (_forge(_key("rsa1024"), alg="PS256"), {}, "the DPoP proof's key is too short for its alg"),
        (_forge(key, header={"jwk": {**jwk, "use": "enc"}}), {},
         "the DPoP proof's jwk is not a signature key (use)"),
        (_forge(key, header={"jwk": {**jwk, "alg": "ES384"}}), {},
         "the DPoP proof's jwk names another alg"),
        (f"{header}.{b64url_encode(b'[1]')}.AA", {},
         ("the DPoP proof's payload is not a JSON object: Invalid DPoP proof payload: must be"
          " a JSON object")),
        (_forge(key, claims={"iat": "1"}), {}, "the DPoP proof lacks a numeric iat claim"),
        (_forge(key), {"htm": "POST"}, "the DPoP proof is for another HTTP method (htm)"),
        (_forge(key), {"htu": "https://user@api.example.test/things"},
         "the request's URI is not an absolute http(s) URI"),
        (_forge(key), {"htu": HTU + "/x"}, "the DPoP proof is for another URI (htu)"),
        (_forge(key), {"now": NOW + 66}, "the DPoP proof is too old (iat)"),
        (_forge(key), {"now": NOW - 6}, "the DPoP proof is from the future (iat)"),
        (f"{header}.{payload}.AA", {}, "the DPoP proof's signature does not verify with its jwk"),
        (_forge(key), {"nonce": issuer}, "the server requires a nonce in the DPoP proof"),
        (_forge(key, claims={"nonce": "n"}), {"nonce": issuer},
         "the DPoP proof's nonce is not valid or has expired"),
        (_forge(key), {"access_token": "tökén"},
         "the access token is not ASCII text: no ath can match it"),
        (_forge(key), {"access_token": TOKEN},
         "the DPoP proof's ath is not the hash of the access token"),
        (signer.proof("GET", HTU, access_token=TOKEN, iat=NOW),
         {"access_token": TOKEN, "jkt": thumbprint(_key("ec_p384"))},
         "the DPoP proof's key is not the key the token is bound to"),
        (_forge(key), {"jkt": signer.jkt}, "jkt (a token's binding) needs the access_token"),
        (_forge(key), {"store": True}, "store must be a RevocationStore, not bool"),
        (_forge(key), {"algorithms": []}, "algorithms must be a non-empty list of JWS alg names"),
        (_forge(key), {"algorithms": ["ES256", "HS256"]},
         '"HS256" is not an asymmetric JWS signature algorithm'),
        (_forge(key), {"now": -1}, "now must be a non-negative number of seconds"),
        (_forge(key), {"max_age": -1}, "max_age must be a non-negative number of seconds"),
        (_forge(key), {"leeway": -1}, "leeway must be a non-negative number of seconds"),
    ]
    for proof, options, message in cases:
        assert _refusal(proof, **options) == message
    assert len(cases) == 30
    store = MemoryStore(clock=FakeClock(NOW))
    _verify(_forge(key), store=store)
    assert _refusal(_forge(key), store=store) == "the DPoP proof was already used (jti replay)"


def test_a_proof_is_bounded_in_size_before_it_is_decoded(backend: Backend) -> None:
    padded = _forge(_key(), claims={"pad": "x" * dpop.MAX_PROOF_SIZE})
    assert _refusal(padded) == (
        "the DPoP proof is not a well-formed JWT: Token is larger than the 8192-character limit"
    )


def test_an_rsa_modulus_is_bounded_before_it_is_decoded(backend: Backend) -> None:
    # A modulus longer than a 4096-bit one is refused by its length, before key_from_jwk
    # decodes it (which would refuse these two for other reasons: not base64url, and a
    # leading zero octet).
    over = "the DPoP proof's RSA key is over 4096 bits"
    huge = {"kty": "RSA", "e": "AQAB", "n": "!" * 700}
    leading_zero = {"kty": "RSA", "e": "AQAB", "n": b64url_encode(b"\x00" + b"\xc5" * 512)}
    assert len(leading_zero["n"]) == 684
    for jwk in (huge, leading_zero):
        assert _refusal(_forge(_key("rsa2048"), alg="PS256", header={"jwk": jwk})) == over
    # The bound is the RSA rule only: an EC key's JWK may carry an unrelated long "n".
    jwk = {**_public_jwk(_key()), "n": "x" * 700}
    assert _verify(_forge(_key(), header={"jwk": jwk})).jkt == thumbprint(_key())


def test_a_4096_bit_key_with_use_sig_is_accepted(backend: Backend) -> None:
    key = _key("rsa4096")
    jwk = {**_public_jwk(key), "use": "sig"}
    assert _verify(_forge(key, alg="PS256", header={"jwk": jwk})).jkt == thumbprint(key)


def test_replay_detection_takes_any_jti_json_can_carry(backend: Backend) -> None:
    # A lone surrogate is valid JSON text ("\\ud800"); its hash is taken with surrogatepass.
    store = MemoryStore(clock=FakeClock(NOW))
    proof = _forge(_key(), claims={"jti": "\ud800"})
    assert _verify(proof, store=store).claims["jti"] == "\ud800"
    assert _refusal(proof, store=store) == "the DPoP proof was already used (jti replay)"


def test_single_proof_whole_texts_and_trimming() -> None:
    assert single_proof({"abc.def.ghi"}) == "abc.def.ghi"  # any collection of strings
    # Only optional white space (SP, HTAB: RFC 9110 §5.6.3) is trimmed.
    assert single_proof(" \tXa.b.cX\t ") == "Xa.b.cX"
    assert single_proof("\x0ba.b.c\n") == "\x0ba.b.c\n"
    cases: list[tuple[Any, str]] = [
        (5, "the DPoP header values must be a list of strings, not int"),
        ([1], "the DPoP header values must be strings"),
    ]
    for values, message in cases:
        with pytest.raises(InvalidArgumentError) as caught:
            single_proof(values)
        assert str(caught.value) == message
    for values, message in [([], "the request has no DPoP proof"),
                            (" ", "the request has no DPoP proof"),
                            (["a.b.c", "d.e.f"], "the request has more than one DPoP header")]:
        with pytest.raises(DPoPProofError) as refused:
            single_proof(values)
        assert str(refused.value) == message


def test_binding_whole_texts() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        bound_jkt([])  # type: ignore[arg-type]
    assert str(caught.value) == "claims must be a dict, not list"
    cases: list[tuple[dict[str, Any], str | None, str]] = [
        ({"cnf": {"jkt": 5}}, None, "the token's cnf claim is not a DPoP key binding (cnf.jkt)"),
        ({"sub": "a"}, "jkt", "the token is not DPoP-bound"),
        ({"cnf": {"jkt": "a"}}, None, "the token is DPoP-bound: present it with a DPoP proof"),
        ({"cnf": {"jkt": "a"}}, "b", "the DPoP proof's key is not the key the token is bound to"),
    ]
    for claims, jkt, message in cases:
        with pytest.raises(DPoPBindingError) as refused:
            dpop.check_binding(claims, jkt)
        assert str(refused.value) == message
    assert len(cases) == 4


def test_www_authenticate_carries_the_scope() -> None:
    assert www_authenticate(["ES256"], scope="read write") == (
        'DPoP scope="read write", algs="ES256"'
    )


def test_policy_holds_its_settings_exactly(backend: Backend) -> None:
    policy = DPoPPolicy(algorithms=["ES256"])  # type: ignore[arg-type]
    assert policy.algorithms == ("ES256",)
    assert policy.challenge(error="invalid_token", description="d", realm="r", scope="s") == (
        'DPoP realm="r", scope="s", error="invalid_token", error_description="d", algs="ES256"'
    )
    for arguments, message in [
        ({"max_age": -1}, "max_age must be a non-negative number of seconds"),
        ({"leeway": -1}, "leeway must be a non-negative number of seconds"),
        ({"base_url": "https://a.test/path"}, "base_url must be an origin: scheme://host[:port]"),
    ]:
        with pytest.raises(InvalidArgumentError) as caught:
            DPoPPolicy(**arguments)
        assert str(caught.value) == message
    with pytest.raises(InvalidArgumentError) as caught:
        DPoPPolicy().verify("a.b.c", htm="GET", htu=HTU)
    assert str(caught.value) == "DPoPPolicy needs a store for replay detection"


@pytest.mark.parametrize(
    ("url", "expected"),
    [("http://10.0.0.7:8080/a//b", "/a//b"), ("http://10.0.0.7:8080", "/"),
     ("http://h/a/b?c=/d", "/a/b?c=/d"), ("http:///things", "/things"),
     ("http://h/a?next=https://x.test/y", "/a?next=https://x.test/y"),
     ("/things", "/things"), ("/a//b", "/a//b"), ("things", "/things"),
     ("/cb?next=https://x.test/y", "/cb?next=https://x.test/y"),
     ("/cb?next=//x.test/y", "/cb?next=//x.test/y"), ("HTTPS://h/p", "/p"),
     # The authority runs to the first "/": a Host of "h?" or "h#" leaves the path alone.
     ("https://rs.example?/me", "/me"), ("https://rs.example#/me", "/me"),
     ("http://h?q=1", "/"), ("http://h#f", "/")],
)
def test_policy_request_uri_keeps_the_path(url: str, expected: str) -> None:
    policy = DPoPPolicy(base_url="https://api.example.test")
    assert policy.request_uri(url) == "https://api.example.test" + expected


def test_policy_verify_passes_every_setting(backend: Backend) -> None:
    clock = FakeClock(NOW)
    issuer = NonceIssuer(b"n" * 32, clock=clock)
    own, given = MemoryStore(clock=clock), MemoryStore(clock=clock)
    policy = DPoPPolicy(store=own, nonces=issuer, clock=clock, algorithms=("ES256",),
                        max_age=10, leeway=1)
    signer = DPoPKey(_key())

    def proof(**claims: Any) -> str:
        return signer.proof("GET", HTU, access_token=TOKEN, nonce=issuer.issue(), **claims)

    # The store given to verify() is the one used, not the policy's.
    done = policy.verify(proof(jti="j1", iat=NOW), htm="GET", htu=HTU, access_token=TOKEN,
                         jkt=signer.jkt, store=given)
    assert done.jkt == signer.jkt
    assert not given.consume(dpop._replay_key(signer.jkt, "j1"), NOW + 100)
    assert own.consume(dpop._replay_key(signer.jkt, "j1"), NOW + 100)
    refusals: list[tuple[str, dict[str, Any], str]] = [
        (signer.proof("GET", HTU, access_token=TOKEN, iat=NOW), {"access_token": TOKEN},
         "the server requires a nonce in the DPoP proof"),
        (signer.proof("GET", HTU, access_token="other", nonce=issuer.issue(), iat=NOW),
         {"access_token": TOKEN}, "the DPoP proof's ath is not the hash of the access token"),
        (proof(iat=NOW), {"access_token": TOKEN, "jkt": thumbprint(_key("ec_p384"))},
         "the DPoP proof's key is not the key the token is bound to"),
        (proof(iat=NOW - 11.5), {"access_token": TOKEN}, "the DPoP proof is too old (iat)"),
        (proof(iat=NOW + 1.5), {"access_token": TOKEN},
         "the DPoP proof is from the future (iat)"),
        (DPoPKey(_key("ec_p384")).proof("GET", HTU, access_token=TOKEN, nonce=issuer.issue(),
                                        iat=NOW),
         {"access_token": TOKEN}, "the DPoP proof alg ES384 is not accepted here"),
    ]
    for sent, options, message in refusals:
        with pytest.raises(PyJWTError) as caught:
            policy.verify(sent, htm="GET", htu=HTU, **options)
        assert str(caught.value) == message
    assert len(refusals) == 6
    policy.verify(proof(iat=NOW - 11), htm="GET", htu=HTU, access_token=TOKEN)
    policy.verify(proof(iat=NOW + 1), htm="GET", htu=HTU, access_token=TOKEN)
