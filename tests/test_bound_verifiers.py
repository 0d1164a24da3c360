"""Verification with a prepared key bound (``Algorithm._verifier``, ``Backend.rsa_verifier``)
and the per-key-object cache of ``_jws_keys.verify``: the answers are those of the unbound path,
whatever the key form, backend, warning policy or algorithm subclass."""

from __future__ import annotations

import gc
import json
import sys
import threading
import warnings
from typing import Any

import pytest
from conftest import KEYS

import jwtlite
from jwtlite import _cache, _jws_keys
from jwtlite._cache import BoundedCache, cache_sizes, clear_backend_caches
from jwtlite.algorithms import RSAAlgorithm
from jwtlite.backends import Backend, get_backend, set_backend
from jwtlite.exceptions import InsecureKeyLengthWarning, InvalidKeyError, InvalidSignatureError
from jwtlite.keys import RSAPrivateKey, RSAPublicKey, load_key

PRIVATE_PEM = (KEYS / "rsa2048.pem").read_text()
OTHER_PEM = (KEYS / "rsa2048_b.pem").read_text()
_PRIVATE = load_key(PRIVATE_PEM)
assert isinstance(_PRIVATE, RSAPrivateKey)
PUBLIC = _PRIVATE.public_key()
PUBLIC_JWK = jwtlite.algorithms.RSAAlgorithm.to_jwk(PUBLIC, as_dict=True)
CLAIMS = {"sub": "alice"}


def _token(key: Any = PRIVATE_PEM, alg: str = "RS256") -> str:
    return jwtlite.encode(CLAIMS, key, algorithm=alg)


def _count_prepares(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    original = RSAAlgorithm.prepare_key

    def counting(self: RSAAlgorithm, key: Any) -> Any:
        seen.append(key)
        return original(self, key)

    monkeypatch.setattr(RSAAlgorithm, "prepare_key", counting)
    return seen


def test_a_key_object_is_prepared_once(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    jwtlite.clear_caches()
    token = _token()
    pem = "".join(list(PRIVATE_PEM))  # an object of this test's own
    seen = _count_prepares(monkeypatch)
    assert jwtlite.decode(token, pem, algorithms=["RS256"]) == CLAIMS
    assert seen[0] is pem
    per_bind = len(seen)
    for _ in range(3):
        assert jwtlite.decode(token, pem, algorithms=["RS256"]) == CLAIMS
    assert len(seen) == per_bind
    # An equal text in another object is another cache entry (identity, never content).
    copy = "".join(list(PRIVATE_PEM))
    assert copy == pem
    assert copy is not pem
    assert jwtlite.decode(token, copy, algorithms=["RS256"]) == CLAIMS
    assert len(seen) == 2 * per_bind
    assert seen[per_bind] is copy
    jwtlite.clear_caches()
    assert jwtlite.decode(token, pem, algorithms=["RS256"]) == CLAIMS
    assert len(seen) == 3 * per_bind


def test_the_cache_is_listed_and_cleared() -> None:
    jwtlite.decode(_token(), PUBLIC, algorithms=["RS256"])
    entries, bound = cache_sizes()["bound verifiers"]
    assert entries >= 1
    assert bound == 256
    jwtlite.clear_caches()
    assert cache_sizes()["bound verifiers"] == (0, 256)


def test_a_cache_made_while_another_thread_clears_stays_registered() -> None:
    # The registries were rebuilt from a copy on every clear_caches(), cache_sizes() and
    # set_backend(): a cache made meanwhile in another thread (a module imported lazily) fell
    # out, and was never emptied again. Measured on the old code: 900 to 3,000 of 3,000 lost.
    made: list[BoundedCache[int, int]] = []
    stop = threading.Event()

    def clearing() -> None:
        while not stop.is_set():
            clear_backend_caches()
            cache_sizes()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    other = threading.Thread(target=clearing)
    other.start()
    try:
        made.extend(BoundedCache(f"made {i}", 1, backend_bound=True) for i in range(3000))
    finally:
        stop.set()
        other.join()
        sys.setswitchinterval(interval)
    for registry in (_cache._REGISTRY, _cache._BACKEND_BOUND):
        held = {id(ref()) for ref in registry}
        assert sum(id(cache) not in held for cache in made) == 0
    # A cache that dies leaves both registries by itself.
    count = len(_cache._REGISTRY), len(_cache._BACKEND_BOUND)
    made.clear()
    gc.collect()
    assert (len(_cache._REGISTRY), len(_cache._BACKEND_BOUND)) == (count[0] - 3000, count[1] - 3000)


def test_a_cached_key_still_refuses_other_signatures(backend: Backend) -> None:
    good, forged = _token(), _token(OTHER_PEM)
    for _ in range(2):
        assert jwtlite.decode(good, PUBLIC, algorithms=["RS256"]) == CLAIMS
        with pytest.raises(InvalidSignatureError, match=r"^Signature verification failed$"):
            jwtlite.decode(forged, PUBLIC, algorithms=["RS256"])
    # The same key object for another algorithm of its family, and for a wrong family.
    ps = _token(alg="PS256")
    assert jwtlite.decode(ps, PUBLIC, algorithms=["PS256"]) == CLAIMS
    with pytest.raises(InvalidSignatureError):
        jwtlite.decode(good[:-4] + "AAAA", PUBLIC, algorithms=["RS256"])
    es = jwtlite.encode(CLAIMS, (KEYS / "ec_p256.pem").read_text(), algorithm="ES256")
    with pytest.raises(InvalidKeyError, match="cannot be used for ES256"):
        jwtlite.decode(es, PUBLIC, algorithms=["ES256"])


def test_switching_the_backend_rebinds(monkeypatch: pytest.MonkeyPatch) -> None:
    token = _token()
    jwtlite.clear_caches()
    key = RSAPublicKey(PUBLIC.n, PUBLIC.e)  # an object no earlier test has bound
    bound: list[str] = []
    for name in jwtlite.backends.available_backends():
        backend = get_backend(name)
        original = type(backend).rsa_verifier

        def recording(self: Any, *args: Any, _orig: Any = original, **kw: Any) -> Any:
            bound.append(self.name)
            return _orig(self, *args, **kw)

        monkeypatch.setattr(type(backend), "rsa_verifier", recording)
    try:
        for name in [*jwtlite.backends.available_backends(), "pure"]:
            set_backend(name)
            assert jwtlite.decode(token, key, algorithms=["RS256"]) == CLAIMS
            assert jwtlite.decode(token, key, algorithms=["RS256"]) == CLAIMS
    finally:
        set_backend(None)
    names = jwtlite.backends.available_backends()
    expected = [*names, "pure"] if names != ["pure"] else ["pure"]
    assert bound == expected


def _short_key_token() -> tuple[RSAPrivateKey, str]:
    """A 1024-bit key and an RS256 token of :data:`CLAIMS` signed by it, quietly (through an
    algorithm object whose floor is 1024 bits)."""
    small = load_key((KEYS / "rsa1024.pem").read_bytes())
    assert isinstance(small, RSAPrivateKey)
    legacy = RSAAlgorithm("RS256", min_bits=1024)
    header = jwtlite.b64url.b64url_encode(b'{"alg":"RS256"}')
    body = jwtlite.b64url.b64url_encode(b'{"sub":"alice"}')
    signature = legacy.sign(f"{header}.{body}".encode(), small)
    return small, f"{header}.{body}.{jwtlite.b64url.b64url_encode(signature)}"


def test_short_key_warns_on_every_decode_and_enforcement_still_refuses() -> None:
    small, token = _short_key_token()
    public = small.public_key()
    for _ in range(3):
        with pytest.warns(InsecureKeyLengthWarning, match="1024 bits"):
            assert jwtlite.decode(token, public, algorithms=["RS256"]) == CLAIMS
    enforce: Any = {"enforce_minimum_key_length": True}
    for _ in range(2):
        with pytest.raises(InvalidKeyError, match="1024 bits"):
            jwtlite.decode(token, public, algorithms=["RS256"], options=enforce)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opts: Any = {"allow_small_rsa_verify": True}
        assert jwtlite.decode(token, public, algorithms=["RS256"], options=opts) == CLAIMS


def test_a_mutable_jwk_is_read_on_every_decode() -> None:
    other = load_key(OTHER_PEM).public_key()
    jwk = dict(PUBLIC_JWK)
    token, other_token = _token(), _token(OTHER_PEM)
    assert jwtlite.decode(token, jwk, algorithms=["RS256"]) == CLAIMS
    jwk.update(RSAAlgorithm.to_jwk(other, as_dict=True))  # the same dict object, another key
    assert jwtlite.decode(other_token, jwk, algorithms=["RS256"]) == CLAIMS
    with pytest.raises(InvalidSignatureError):
        jwtlite.decode(token, jwk, algorithms=["RS256"])
    mutable = bytearray(PRIVATE_PEM.encode())
    assert jwtlite.decode(token, mutable, algorithms=["RS256"]) == CLAIMS
    mutable[:] = OTHER_PEM.encode()
    assert jwtlite.decode(other_token, mutable, algorithms=["RS256"]) == CLAIMS


def test_a_subclass_that_overrides_verify_is_called() -> None:
    calls: list[bytes] = []

    class Audited(RSAAlgorithm):
        def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
            calls.append(msg)
            return False  # refuses everything: a bypass would let the token through

    codec = jwtlite.PyJWS()
    codec.unregister_algorithm("RS256")
    codec.register_algorithm("RS256", Audited("RS256"))
    token = _token()
    for _ in range(2):
        with pytest.raises(InvalidSignatureError):
            codec.decode(token, PRIVATE_PEM, algorithms=["RS256"])
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("alg", "pem"),
    [
        ("HS256", None),
        ("RS256", "rsa2048.pem"),
        ("PS384", "rsa2048.pem"),
        ("ES256", "ec_p256.pem"),
        ("ES512", "ec_p521.pem"),
        ("EdDSA", "ed25519.pem"),
        ("Ed448", "ed448.pem"),
    ],
)
def test_bound_and_unbound_verification_agree(backend: Backend, alg: str, pem: str | None) -> None:
    key: Any = b"k" * 64 if pem is None else load_key((KEYS / pem).read_bytes())
    alg_obj = jwtlite.PyJWS().get_algorithm_by_name(alg)
    prepared = alg_obj.prepare_key(key)
    verify = alg_obj._verifier(prepared)
    message = b"header.payload"
    signature = alg_obj.sign(message, prepared)
    altered = bytes([signature[0] ^ 1]) + signature[1:]
    cases = [
        (message, signature),
        (message + b"x", signature),
        (message, altered),
        (message, signature[:-1]),
        (message, b""),
    ]
    answers = [verify(m, s) for m, s in cases]
    assert answers == [alg_obj.verify(m, prepared, s) for m, s in cases]
    assert answers == [True, False, False, False, False]


def test_only_exact_builtin_classes_and_immutable_keys_are_bound() -> None:
    assert {str, bytes, type(PUBLIC)} <= _jws_keys.BINDABLE_KEYS
    assert not _jws_keys.BINDABLE_KEYS & {bytearray, memoryview, dict}


def test_a_short_key_given_as_a_jwk_warns_and_is_refused_when_enforced() -> None:
    # A JWK dict is never bound (its key is resolved per token): the unbound path applies the
    # same key-length policy.
    small, token = _short_key_token()
    jwk = RSAAlgorithm.to_jwk(small.public_key(), as_dict=True)
    with pytest.warns(InsecureKeyLengthWarning, match="1024 bits"):
        assert jwtlite.decode(token, jwk, algorithms=["RS256"]) == CLAIMS
    enforce: Any = {"enforce_minimum_key_length": True}
    with pytest.raises(InvalidKeyError, match="1024 bits"):
        jwtlite.decode(token, jwk, algorithms=["RS256"], options=enforce)


class _Unescaped(json.JSONEncoder):
    """A caller's encoder that writes non-ASCII text as it is."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(**kwargs)


def test_the_encoded_header_cache_never_stands_in_for_a_callers_encoder() -> None:
    codec = jwtlite.PyJWS()
    headers = {"typ": "café"}
    plain = codec.encode(b"x", "k" * 32, "HS256", headers=headers).split(".")[0]
    own = codec.encode(b"x", "k" * 32, "HS256", headers=headers, json_encoder=_Unescaped)
    assert b"caf\\u00e9" in jwtlite.b64url.b64url_decode(plain)
    assert "café".encode() in jwtlite.b64url.b64url_decode(own.split(".")[0])
    # And the cached default form is still the default encoder's, and another encoder class
    # gets its own output, not the previous caller's.
    again = codec.encode(b"x", "k" * 32, "HS256", headers=headers).split(".")[0]
    assert again == plain
    stock = codec.encode(b"x", "k" * 32, "HS256", headers=headers, json_encoder=json.JSONEncoder)
    assert b"caf\\u00e9" in jwtlite.b64url.b64url_decode(stock.split(".")[0])
