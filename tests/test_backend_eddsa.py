"""EdDSA (Ed25519, Ed448): the pure-Python modules directly, and every backend via the fixture.

Wycheproof: ``ed25519_test.json`` and ``ed448_test.json`` have no ``acceptable`` cases (asserted
below). Both pass with the cofactorless verification equation that ``_edwards`` documents.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from types import ModuleType
from typing import Any

import pytest
from conftest import BACKEND_NAMES, load_vector
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import _edwards, ed448, ed25519
from jwtlite.exceptions import InvalidKeyError
from jwtlite.keys import OKPPrivateKey, OKPPublicKey

MODULES = {"Ed25519": ed25519, "Ed448": ed448}
SLOW = settings(max_examples=15, deadline=None)


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- Wycheproof -------------------------------------------------------------------------------

WYCHEPROOF = {"ed25519_test.json": ("Ed25519", 88, 63), "ed448_test.json": ("Ed448", 17, 70)}


@pytest.mark.parametrize("filename", sorted(WYCHEPROOF))
def test_wycheproof(backend: Backend, filename: str) -> None:
    curve, n_valid, n_invalid = WYCHEPROOF[filename]
    data: Any = load_vector(f"wycheproof/{filename}")
    seen: Counter[str] = Counter()
    failures = []
    for group in data["testGroups"]:
        assert group["publicKey"]["curve"] == "edwards" + curve[2:]
        key = OKPPublicKey(curve, bytes.fromhex(group["publicKey"]["pk"]))
        for case in group["tests"]:
            seen[case["result"]] += 1
            ok = backend.eddsa_verify(key, bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))
            if ok != (case["result"] == "valid"):
                failures.append((case["tcId"], case["comment"]))
    assert failures == []
    assert seen == {"valid": n_valid, "invalid": n_invalid}
    assert sum(seen.values()) == data["numberOfTests"]


# --- RFC 8032 §7.1 (Ed25519) and §7.4 (Ed448), typed in from the RFC -------------------------

RFC8032 = [
    (  # §7.1 TEST 1
        "Ed25519",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        (
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc6"
            "1e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
    ),
    (  # §7.1 TEST 2
        "Ed25519",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        (
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e45"
            "8f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ),
    (  # §7.1 TEST 3
        "Ed25519",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        (
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae"
            "67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ),
    (  # §7.1 TEST SHA(abc): the message is SHA-512("abc")
        "Ed25519",
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        hashlib.sha512(b"abc").hexdigest(),
        (
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfd"
            "fbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        ),
    ),
    (  # §7.4 Blank
        "Ed448",
        (
            "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39"
            "a3fc5b94492f8f032e7549a20098f95b"
        ),
        (
            "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061b"
            "d6783df1e50f6cd1fa1abeafe8256180"
        ),
        "",
        (
            "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2"
            "fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b410485"
            "2db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600"
        ),
    ),
    (  # §7.4 1 octet
        "Ed448",
        (
            "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e"
            "3bc397a659949ef8021e954e0a12274e"
        ),
        (
            "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8"
            "438ea4cb82169c235160627b4c3a9480"
        ),
        "03",
        (
            "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e1"
            "8f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f"
            "0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00"
        ),
    ),
    (  # §7.4 11 octets
        "Ed448",
        (
            "cd23d24f714274e744343237b93290f511f6425f98e64459ff203e8985083ffdf60500553abc0e05cd"
            "02184bdb89c4ccd67e187951267eb328"
        ),
        (
            "dcea9e78f35a1bf3499a831b10b86c90aac01cd84b67a0109b55a36e9328b1e365fce161d71ce7131a"
            "543ea4cb5f7e9f1d8b00696447001400"
        ),
        "0c3e544074ec63b0265e0c",
        (
            "1f0a8888ce25e8d458a21130879b840a9089d999aaba039eaf3e3afa090a09d389dba82c4ff2ae8ac5"
            "cdfb7c55e94d5d961a29fe0109941e00b8dbdeea6d3b051068df7254c0cdc129cbe62db2dc957dbb47"
            "b51fd3f213fb8698f064774250a5028961c9bf8ffd973fe5d5c206492b140e00"
        ),
    ),
]


@pytest.mark.parametrize(("curve", "seed", "public", "message", "signature"), RFC8032)
def test_rfc8032(
    backend: Backend, curve: str, seed: str, public: str, message: str, signature: str
) -> None:
    mod = MODULES[curve]
    sk, pk, msg, sig = (bytes.fromhex(v) for v in (seed, public, message, signature))
    assert mod.public_key(sk) == pk
    assert mod.sign(sk, msg) == sig
    assert backend.eddsa_sign(OKPPrivateKey(curve, sk, pk), msg) == sig
    assert backend.eddsa_verify(OKPPublicKey(curve, pk), msg, sig)
    assert not backend.eddsa_verify(OKPPublicKey(curve, pk), msg + b"\x00", sig)


def test_rfc8037_a4_signing_reproduces(backend: Backend) -> None:
    vector = load_vector("rfc/rfc8037_A_ed25519.json")
    jwk = vector["A1_private_jwk"]
    key = OKPPrivateKey("Ed25519", b64u_decode(jwk["d"]), b64u_decode(jwk["x"]))
    assert ed25519.public_key(key.d) == key.x
    message = vector["signing_input"].encode()
    signature = backend.eddsa_sign(key, message)
    assert signature == b64u_decode(vector["signature_b64"])
    assert backend.eddsa_verify(key.public_key(), message, signature)  # A.5


# --- strict decoding and verification ---------------------------------------------------------


@pytest.fixture(scope="module")
def signed() -> dict[str, tuple[bytes, bytes, bytes]]:
    """Per curve: (seed, public key, signature of b"msg")."""
    out = {}
    for curve, mod in MODULES.items():
        key = mod.generate()
        out[curve] = (key.d, key.x, mod.sign(key.d, b"msg"))
    return out


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_rejects_s_not_below_l(
    backend: Backend, signed: dict[str, tuple[bytes, bytes, bytes]], curve: str
) -> None:
    _, pk, sig = signed[curve]
    size = len(pk)
    order = MODULES[curve]._CURVE.order
    S = int.from_bytes(sig[size:], "little")
    assert backend.eddsa_verify(OKPPublicKey(curve, pk), b"msg", sig)
    # S + L is the same scalar mod L: only the S < L check rejects it (malleability).
    bad = sig[:size] + (S + order).to_bytes(size, "little")
    assert not backend.eddsa_verify(OKPPublicKey(curve, pk), b"msg", bad)


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_non_canonical_points(curve: str) -> None:
    c = MODULES[curve]._CURVE
    top = 8 * c.size - 1
    identity = (1).to_bytes(c.size, "little")
    assert _edwards.decode_point(c, identity) == (0, 1, 1, 0)
    assert _edwards.decode_point(c, (1 | (1 << top)).to_bytes(c.size, "little")) is None
    assert _edwards.decode_point(c, (c.p + 1).to_bytes(c.size, "little")) is None
    assert _edwards.decode_point(c, (c.p).to_bytes(c.size, "little")) is None
    assert _edwards.decode_point(c, identity[:-1]) is None
    # y = 2 is not on either curve: x^2 would be a non-square.
    assert _edwards.decode_point(c, (2).to_bytes(c.size, "little")) is None
    # A public key that is a non-canonical encoding (y + p) of a valid point is refused.
    ran = 0
    for y in range(2**16):
        point = _edwards.decode_point(c, y.to_bytes(c.size, "little"))
        if point is not None and y + c.p < 2**top:
            alias = (y + c.p).to_bytes(c.size, "little")
            assert _edwards.decode_point(c, alias) is None
            assert not MODULES[curve].verify(alias, b"", b"\x00" * (2 * c.size))
            ran += 1
            break
    assert ran == 1


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_verify_rejects_malformed_input(
    signed: dict[str, tuple[bytes, bytes, bytes]], curve: str
) -> None:
    mod = MODULES[curve]
    _, pk, sig = signed[curve]
    assert mod.verify(pk, b"msg", sig)
    for bad_sig in (b"", sig[:-1], sig + b"\x00", bytearray(sig), None):
        assert not mod.verify(pk, b"msg", bad_sig)  # type: ignore[arg-type]
    for bad_pk in (pk[:-1], pk + b"\x00", bytearray(pk), "pk", b"\xff" * len(pk)):
        assert not mod.verify(bad_pk, b"msg", sig)  # type: ignore[arg-type]
    assert not mod.verify(pk, "msg", sig)  # type: ignore[arg-type]


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_bad_seed_raises_invalid_key(curve: str) -> None:
    mod = MODULES[curve]
    size = mod._CURVE.size
    for seed in (b"", b"\x00" * (size - 1), b"\x00" * (size + 1), "x" * size, None):
        with pytest.raises(InvalidKeyError):
            mod.sign(seed, b"m")  # type: ignore[arg-type]
        with pytest.raises(InvalidKeyError):
            mod.public_key(seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_repeated_verification_uses_comb(curve: str) -> None:
    mod = MODULES[curve]
    key = mod.generate()
    sig = mod.sign(key.d, b"m")
    results = [mod.verify(key.x, b"m", sig) for _ in range(3)]
    results.append(mod.verify(key.x, b"n", sig))
    assert results == [True, True, True, False]
    entry = mod._PUBLIC_CACHE[key.x]
    assert entry is not None
    assert entry.comb is not None
    assert entry.uses == 4


def test_public_cache_is_bounded() -> None:
    cache: dict[bytes, _edwards.PublicEntry | None] = {}
    c = ed25519._CURVE
    for i in range(70):
        _edwards.cached_entry(c, cache, i.to_bytes(32, "little"))
    assert len(cache) == 64
    assert (0).to_bytes(32, "little") not in cache


def test_generate_uses_fresh_seeds() -> None:
    keys = [ed25519.generate() for _ in range(3)] + [ed448.generate() for _ in range(2)]
    assert len({k.d for k in keys}) == 5
    assert [k.curve for k in keys] == ["Ed25519"] * 3 + ["Ed448"] * 2
    assert all(MODULES[k.curve].public_key(k.d) == k.x for k in keys)


# --- properties -------------------------------------------------------------------------------


@SLOW
@given(st.sampled_from(sorted(MODULES)), st.binary(max_size=200), st.data())
def test_round_trip_and_single_bit_flips(curve: str, message: bytes, data: st.DataObject) -> None:
    mod: ModuleType = MODULES[curve]
    seed = data.draw(st.binary(min_size=mod._CURVE.size, max_size=mod._CURVE.size))
    pk = mod.public_key(seed)
    sig = mod.sign(seed, message)
    assert mod.verify(pk, message, sig)
    bit = data.draw(st.integers(0, 8 * len(sig) - 1))
    flipped = bytearray(sig)
    flipped[bit // 8] ^= 1 << (bit % 8)
    assert not mod.verify(pk, message, bytes(flipped))
    if message:
        bit = data.draw(st.integers(0, 8 * len(message) - 1))
        changed = bytearray(message)
        changed[bit // 8] ^= 1 << (bit % 8)
        assert not mod.verify(pk, bytes(changed), sig)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(MODULES)), st.binary(max_size=120), st.binary(max_size=60))
def test_verify_never_raises(curve: str, sig: bytes, pk: bytes) -> None:
    mod = MODULES[curve]
    assert mod.verify(pk, b"m", sig) in (True, False)
    padded = (pk * 60)[: mod._CURVE.size] if pk else pk
    assert mod.verify(padded, b"m", sig) in (True, False)


@pytest.mark.skipif(len(BACKEND_NAMES) < 2, reason="needs the cryptography backend")
@SLOW
@given(st.sampled_from(sorted(MODULES)), st.binary(max_size=100), st.booleans())
def test_cross_backend(curve: str, message: bytes, pure_signs: bool) -> None:
    signer, verifier = get_backend("pure"), get_backend("cryptography")
    if not pure_signs:
        signer, verifier = verifier, signer
    key = MODULES[curve].generate()
    sig = signer.eddsa_sign(key, message)
    assert sig == verifier.eddsa_sign(key, message)  # deterministic on both backends
    assert verifier.eddsa_verify(key.public_key(), message, sig)
