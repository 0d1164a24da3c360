"""An attacker's review of JWE (issue 21): each test is one attack on ``jwtlite.jwe``,
``jwtlite.jwe_jwt`` or the key handling beneath them.

Tests named ``test_..._was_...`` failed on the code as it landed and hold the fix; the others
pin what already held (the RSA1_5 countermeasure down to the exception's cause and traceback,
invalid ephemeral keys, key binding, fresh IVs), so a later change cannot loosen it unseen.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import statistics
import time
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from _jwe_support import require
from conftest import key_pem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property.strategies import json_values

import jwtlite
import jwtlite._hmac_guard
from jwtlite import PyJWKSet, _jwe_crypto, _jwe_keymgmt, jwe
from jwtlite._jwe_crypto import inject
from jwtlite._jwkformat import key_members
from jwtlite._jwks_cache import parse_jwk_set
from jwtlite._keymodel import ECPublicKey
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.backends import Backend
from jwtlite.exceptions import (
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    JWEDecryptionError,
    JWEParseError,
    PyJWTError,
    UnusableKeyError,
)
from jwtlite.jwe_jwt import decrypt_jwt
from jwtlite.keys import load_key

KEY = bytes(range(32))
DIR = {"algorithms": ["dir"], "encryptions": ["A256GCM"]}


# --- nested JWTs: the inner signature is always verified ---------------------------------------


@pytest.mark.parametrize("off", [False, 0, None, "", [], 0.0])
def test_no_falsy_verify_signature_skips_the_inner_signature_was_only_false(
    off: Any, backend: Backend
) -> None:
    """``options={"verify_signature": 0}`` (or None, "", []) reads as off to the claims layer;
    decrypt_jwt refused only ``False`` itself, so a nested JWT signed by anyone passed."""
    require(backend, ["dir"], ["A256GCM"])
    forged = jwtlite.encode({"sub": "admin"}, b"attacker's own key, 32 bytes long", "HS256")
    token = jwe.encrypt(forged, KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})
    honest = b"the verifier's key, 32 bytes long!"
    with pytest.raises(InvalidArgumentError, match="always verifies"):
        decrypt_jwt(token, KEY, verify_key=honest, verify_algorithms=["HS256"],
                    options={"verify_signature": off}, **DIR)  # fmt: skip
    with pytest.raises(InvalidSignatureError):
        decrypt_jwt(token, KEY, verify_key=honest, verify_algorithms=["HS256"], **DIR)


# --- a wrapped key can only have one length: checked before any work ---------------------------

_WRAPPING = [
    ("A128KW", KEY[:16]),
    ("A128GCMKW", KEY[:16]),
    ("PBES2-HS256+A128KW", b"correct horse battery staple"),
    ("ECDH-ES+A128KW", "ec"),
]


@pytest.mark.parametrize(("alg", "key"), _WRAPPING, ids=[alg for alg, _ in _WRAPPING])
def test_an_oversized_encrypted_key_costs_no_unwrap_was_1_4_s_on_pure(
    alg: str, key: Any, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RFC 3394 unwraps 8n octets in 6n AES blocks: a 190 KB JWE Encrypted Key (inside the
    token limit) cost 1.4 s on the pure backend, a thousand times an honest token, though a
    wrapped CEK has exactly one length (the CEK's, plus 8 for A*KW). Refused first now."""
    require(backend, [alg], ["A128GCM"])
    if key == "ec":
        key = load_key(key_pem("ec_p256.pem"))
    token = jwe.encrypt(b"x", key, alg=alg, enc="A128GCM")
    protected, _, iv, ciphertext, tag = token.split(".")
    calls: list[str] = []
    for name in ("aes_key_unwrap", "aes_gcm_decrypt", "ecdh"):
        original = getattr(backend, name)
        monkeypatch.setattr(backend, name, _spy(calls, name, original))
    monkeypatch.setattr(_jwe_keymgmt, "pbes2_kek", _spy(calls, "pbkdf2", _jwe_keymgmt.pbes2_kek))
    for size in (8 * 24_000, 16 + 16, 16 + 8 - 1, 16 - 8):
        if size == 16 + (0 if alg == "A128GCMKW" else 8):
            continue  # the one right length
        forged = ".".join([protected, b64url_encode(bytes(size)), iv, ciphertext, tag])
        start = time.thread_time()
        with pytest.raises(JWEDecryptionError, match=r"^Decryption failed$"):
            jwe.decrypt(forged, key, algorithms=[alg], encryptions=["A128GCM"])
        assert time.thread_time() - start < 0.2
    assert calls == []
    assert jwe.decrypt(token, key, algorithms=[alg], encryptions=["A128GCM"]) == b"x"
    assert calls  # the spies do see an honest token's work


def _spy(calls: list[str], name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    def spy(*args: Any) -> Any:
        calls.append(name)
        return call(*args)

    return spy


# --- key confusion: key text is never a symmetric key or a password -----------------------------

_PEM = key_pem("rsa2048.pem")
_KEY_TEXT = {
    "UTF-16 PEM": _PEM.decode("ascii").encode("utf-16"),
    "PEM with a damaged body": b"-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----",
    "an OpenSSH line that does not parse": b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI",
    "a JWK in an array": b'[{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]',
    "a PEM certificate that does not parse": (
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
    ),
}


@pytest.mark.parametrize("text", list(_KEY_TEXT.values()), ids=list(_KEY_TEXT))
def test_key_text_jws_refuses_as_an_hmac_secret_is_no_jwe_password_was_accepted(
    text: bytes, backend: Backend
) -> None:
    """JWS refuses key text by its look (``_hmac_guard``) as well as by parsing; JWE only
    parsed, so text that looks like someone's key but does not parse became a PBES2 password
    (or an A*KW key when 16, 24 or 32 bytes long) on both sides."""
    require(backend, ["PBES2-HS256+A128KW", "A128KW"], ["A128GCM"])
    with pytest.raises(UnusableKeyError):
        jwtlite.decode(jwtlite.encode({}, b"k" * 32), text, algorithms=["HS256"])
    pbes2 = {"algorithms": ["PBES2-HS256+A128KW"], "encryptions": ["A128GCM"]}
    with pytest.raises(InvalidKeyError, match=r"key material \(PEM, SSH or JWK text\)"):
        jwe.encrypt(b"x", text, alg="PBES2-HS256+A128KW", enc="A128GCM")
    token = jwe.encrypt(b"x", b"a password", alg="PBES2-HS256+A128KW", enc="A128GCM")
    with pytest.raises(UnusableKeyError, match=r"key material \(PEM, SSH or JWK text\)"):
        jwe.decrypt(token, text, **pbes2)
    if not text.startswith(b"\xff\xfe"):  # as a str password too (UTF-16 is no UTF-8 text)
        with pytest.raises(UnusableKeyError, match=r"key material \(PEM, SSH or JWK text\)"):
            jwe.decrypt(token, text.decode("utf-8"), **pbes2)
    sixteen = text[:16]
    if jwtlite._hmac_guard.refusal(sixteen) is not None:
        with pytest.raises(InvalidKeyError, match=r"key material \(PEM, SSH or JWK text\)"):
            jwe.encrypt(b"x", sixteen, alg="A128KW", enc="A128GCM")


# --- what a fetched JWK Set refused stays refused --------------------------------------------


def test_a_fetched_set_s_published_secret_never_decrypts_was_read_from_skipped(
    backend: Backend,
) -> None:
    """A JWKS client skips a fetched set's ``oct`` members and private keys ("a published
    secret is not secret"). JWE re-reads a set's skipped members (PyJWK has no JWE algorithms),
    and so took those too: anyone could encrypt a ``dir`` token to the published secret."""
    require(backend, ["dir", "RSA-OAEP-256"], ["A256GCM"])
    rsa = load_key(key_pem("rsa2048.pem"))
    public = {**key_members(rsa.public_key(), include_private=False), "kid": "enc",
              "alg": "RSA-OAEP-256", "use": "enc"}  # fmt: skip
    private = {**key_members(rsa, include_private=True), "kid": "leaked", "alg": "RSA-OAEP-256"}
    fetched = parse_jwk_set({"keys": [
        {**key_members(load_key(key_pem("ec_p256.pem")).public_key(), include_private=False),
         "kid": "sig"},
        {"kty": "oct", "k": b64url_encode(KEY), "kid": "published"},
        public,
        private,
    ]})  # fmt: skip
    assert len(fetched.skipped) == 3
    forged = jwe.encrypt(b"from anyone", KEY, alg="dir", enc="A256GCM",
                         headers={"kid": "published"})  # fmt: skip
    with pytest.raises(UnusableKeyError, match='No key in the JWK Set has kid "published"'):
        jwe.decrypt(forged, fetched, **DIR)
    with pytest.raises(InvalidKeyError, match='No key in the JWK Set has kid "published"'):
        jwe.encrypt(b"x", fetched, alg="dir", enc="A256GCM", headers={"kid": "published"})
    to_leaked = jwe.encrypt(b"x", rsa, alg="RSA-OAEP-256", enc="A256GCM",
                            headers={"kid": "leaked"})  # fmt: skip
    oaep = {"algorithms": ["RSA-OAEP-256"], "encryptions": ["A256GCM"]}
    with pytest.raises(UnusableKeyError, match='No key in the JWK Set has kid "leaked"'):
        jwe.decrypt(to_leaked, fetched, **oaep)
    # A published public encryption key is what a fetched set is for: encrypting to it.
    token = jwe.encrypt(b"x", fetched, alg="RSA-OAEP-256", enc="A256GCM",
                        headers={"kid": "enc"})  # fmt: skip
    assert jwe.decrypt(token, rsa, **oaep) == b"x"
    # The same members in a set the caller built are the caller's own keys, and are used.
    own = PyJWKSet.from_dict({"keys": [{"kty": "oct", "k": b64url_encode(KEY), "kid": "s",
                                        "alg": "HS256"}, private]})  # fmt: skip
    assert jwe.decrypt(to_leaked, own, **oaep) == b"x"


# --- an already parsed JWE (a mapping) is held to JSON's rules -----------------------------------


def test_header_names_of_a_mapping_token_must_be_strings_was_a_type_error(
    backend: Backend,
) -> None:
    """A token passed as a mapping (a framework parsed the JSON) may come from a parser that
    keeps integer names (YAML, msgpack). ``{1: ...}`` in two headers raised Python's
    TypeError from the duplicate-name check, comparing 1 with "x"."""
    require(backend, ["dir"], ["A256GCM"])
    token = json.loads(jwe.encrypt_json(b"x", [jwe.Recipient(KEY, "dir")], enc="A256GCM"))
    clash = {**token, "unprotected": {1: "a", "x": 1},
             "recipients": [{"header": {1: "b", "x": 2, "alg": "dir"}}]}  # fmt: skip
    for hostile in (clash, {**token, "unprotected": {1: "a"}},
                    {**token, "recipients": [{"header": {"alg": "dir", None: 1}}]}):  # fmt: skip
        with pytest.raises(JWEParseError, match=r"names in the JWE \"\w+\" member must be strings"):
            jwe.decrypt(hostile, KEY, **DIR)


_NAMES = st.one_of(st.text(max_size=3), st.integers(), st.none(), st.booleans(), st.floats())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unprotected=st.dictionaries(_NAMES, json_values, max_size=3),
       own=st.dictionaries(_NAMES, json_values, max_size=3))  # fmt: skip
def test_any_header_mapping_raises_only_jwtlite_errors(
    unprotected: dict[Any, Any], own: dict[Any, Any]
) -> None:
    token = {"protected": b64url_encode(b'{"enc":"A256GCM"}'), "unprotected": unprotected,
             "recipients": [{"header": {"alg": "dir", **own}}, {"header": own}],
             "iv": b64url_encode(bytes(12)), "ciphertext": "",
             "tag": b64url_encode(bytes(16))}  # fmt: skip
    with contextlib.suppress(PyJWTError):
        jwe.decrypt(token, KEY, **DIR)


# --- secrets stay out of reprs and messages -------------------------------------------------------


def test_a_recipient_s_repr_hides_its_key_was_printed() -> None:
    """``Recipient`` is what a caller logs when encrypt_json fails; its repr printed the
    ``dir``/A*KW key or the PBES2 password (a NamedTuple's repr shows every field)."""
    for secret in (b"sixteen byte key", "a PBES2 password"):
        recipient = jwe.Recipient(secret, "A128KW", {"kid": "k1"})
        for text in (repr(recipient), str(recipient), f"{[recipient]}"):
            assert str(secret) not in text
            assert "sixteen" not in text
            assert "password" not in text
            assert "A128KW" in text
            assert "k1" in text
        assert recipient.key == secret  # still a tuple of its fields
        assert recipient == (secret, "A128KW", {"kid": "k1"})


def test_no_failure_message_quotes_the_key(backend: Backend) -> None:
    require(backend, ["dir", "PBES2-HS256+A128KW"], ["A256GCM"])
    password = "hunter2-the-password"
    token = jwe.encrypt(b"x", password, alg="PBES2-HS256+A128KW", enc="A256GCM")
    messages = []
    pbes2 = ["PBES2-HS256+A128KW"]
    for key, algs in ((KEY[:31], ["dir"]), (b"x" * 31, ["dir"]), (password[:-1], ["dir"]),
                      (password[:-1], pbes2), (KEY, pbes2)):  # fmt: skip
        with pytest.raises(PyJWTError) as caught:
            jwe.decrypt(token, key, algorithms=algs, encryptions=["A256GCM"])
        messages.append(str(caught.value))
    assert len(messages) == 5
    for message in messages:
        assert "hunter2" not in message
        assert "xxxx" not in message
        assert repr(KEY[:8])[2:-1] not in message


# --- what held: the RSA1_5 countermeasure, to the exception's last attribute ---------------------

_RSA = load_key(key_pem("rsa2048.pem"))
_RSA1_5 = {"algorithms": ["RSA1_5"], "encryptions": ["A128CBC-HS256"]}


def _rsa1_5_probes(backend: Backend) -> dict[str, str]:
    """A legacy RSA1_5 token, and Bleichenbacher's probes of it: every way to fail."""
    with inject(rsa1_5=True):
        token = jwe.encrypt(b"x", _RSA.public_key(), alg="RSA1_5", enc="A128CBC-HS256")
    protected, _, iv, ciphertext, tag = token.split(".")
    k = (_RSA.n.bit_length() + 7) // 8
    public = _RSA.public_key()
    em = b"\x00\x01" + b"\xff" * (k - 3 - 32) + b"\x00" + bytes(32)  # a signature block
    probes = {
        "bad padding": pow(int.from_bytes(em, "big"), _RSA.e, _RSA.n).to_bytes(k, "big"),
        "no padding at all": bytes(k),
        "a 16-octet CEK": backend.rsa_pkcs1v15_encrypt(public, bytes(16)),
        "a 64-octet CEK": backend.rsa_pkcs1v15_encrypt(public, bytes(64)),
        "a wrong 32-octet CEK": backend.rsa_pkcs1v15_encrypt(public, bytes(32)),
        "one octet short": bytes(k - 1),
        "not below n": b"\xff" * k,
        "empty": b"",
    }
    out = {name: ".".join([protected, b64url_encode(value), iv, ciphertext, tag])
           for name, value in probes.items()}  # fmt: skip
    out["the right CEK, a wrong tag"] = ".".join([*token.split(".")[:4], b64url_encode(bytes(16))])
    out["valid"] = token
    return out


def _fingerprint(error: BaseException) -> tuple[Any, ...]:
    """All an attacker who sees the exception could compare."""
    frames = [(frame.name, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)]
    return (type(error), error.args, str(error), repr(error), error.__cause__,
            error.__context__, error.__suppress_context__, getattr(error, "__notes__", None),
            tuple(frames[1:]))  # fmt: skip


def test_every_rsa1_5_failure_is_the_same_exception_down_to_its_traceback(
    backend: Backend,
) -> None:
    """RFC 7516 §11.5: bad padding, a CEK of the wrong length, a wrong CEK and a wrong tag
    must not differ in type, message, cause, context, notes or the frames it was raised in."""
    require(backend, ["RSA1_5"], ["A128CBC-HS256"])
    probes = _rsa1_5_probes(backend)
    assert jwe.decrypt(probes.pop("valid"), _RSA, **_RSA1_5) == b"x"
    seen = {}
    for name, token in probes.items():
        with pytest.raises(JWEDecryptionError) as caught:
            jwe.decrypt(token, _RSA, **_RSA1_5)
        seen[name] = _fingerprint(caught.value)
    assert len(seen) == 9
    assert len(set(seen.values())) == 1, seen


def test_a_probe_among_several_recipients_tells_nothing(backend: Backend) -> None:
    """Recipients are tried in turn: a probe before the real recipient does not stop the
    search, and probes alone fail as one probe does."""
    require(backend, ["RSA1_5"], ["A128CBC-HS256"])
    probes = _rsa1_5_probes(backend)
    valid = probes.pop("valid").split(".")

    def json_token(*encrypted_keys: str) -> str:
        return json.dumps({"protected": valid[0], "iv": valid[2], "ciphertext": valid[3],
                           "tag": valid[4], "recipients": [{"encrypted_key": k}
                                                           for k in encrypted_keys]})  # fmt: skip

    bad, short = probes["bad padding"].split(".")[1], probes["one octet short"].split(".")[1]
    assert jwe.decrypt(json_token(bad, short, valid[1]), _RSA, **_RSA1_5) == b"x"
    seen = set()
    for keys in ((bad,), (short,), (bad, short), (short, bad, bad)):
        with pytest.raises(JWEDecryptionError) as caught:
            jwe.decrypt(json_token(*keys), _RSA, **_RSA1_5)
        seen.add(_fingerprint(caught.value)[:8])
    assert len(seen) == 1


def test_rsa1_5_failures_take_the_same_time_with_cryptography(backend: Backend) -> None:
    """Roughly, with OpenSSL: a bad padding goes on to content decryption with a random CEK,
    like a wrong tag (an early exit would be ten times faster). The pure backend makes no
    timing promise (docs/security.md)."""
    if backend.name != "cryptography":
        pytest.skip("the pure backend is not constant-time, and says so")
    probes = _rsa1_5_probes(backend)
    compared = ("bad padding", "a 16-octet CEK", "the right CEK, a wrong tag")
    times: dict[str, list[float]] = {name: [] for name in compared}
    for _ in range(40):
        for name in compared:  # interleaved, so drift hits all alike
            start = time.perf_counter()
            with contextlib.suppress(JWEDecryptionError):
                jwe.decrypt(probes[name], _RSA, **_RSA1_5)
            times[name].append(time.perf_counter() - start)
    medians = [statistics.median(samples) for samples in times.values()]
    assert max(medians) < 3 * min(medians), dict(zip(compared, medians))


# --- what held: ephemeral keys --------------------------------------------------------------------

_P256 = load_key(key_pem("ec_p256.pem"))
_MEMBERS = key_members(_P256.public_key(), include_private=False)


@pytest.mark.parametrize(
    "epk",
    [
        key_members(load_key(key_pem("ec_p256.pem")), include_private=True),  # carries its d
        {**_MEMBERS, "y": b64url_encode((_P256.y ^ 1).to_bytes(32, "big"))},  # off the curve
        {**_MEMBERS, "x": b64url_encode(bytes(32)), "y": b64url_encode(bytes(32))},
        {**_MEMBERS, "x": b64url_encode(b"\xff" * 32)},  # x >= p
        {**_MEMBERS, "crv": "P-384"},  # P-256 coordinates called P-384
        {"kty": "OKP", "crv": "X25519", "x": b64url_encode(bytes(range(32)))},  # wrong kty
        {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(bytes(32))},  # a signing key
        {"kty": "oct", "k": b64url_encode(bytes(32))},
    ],
    ids=["d", "off-curve", "zero", "x>=p", "P-384", "X25519", "Ed25519", "oct"],
)  # fmt: skip
def test_no_unfit_ephemeral_key_reaches_the_key_agreement(
    epk: dict[str, Any], backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(backend, ["ECDH-ES"], ["A128GCM"])
    token = jwe.encrypt(b"x", _P256.public_key(), alg="ECDH-ES", enc="A128GCM")
    header = json.loads(b64url_decode(token.split(".")[0]))
    header["epk"] = epk
    forged = ".".join([b64url_encode(json.dumps(header).encode()), *token.split(".")[1:]])
    calls: list[str] = []
    for name in ("ecdh", "xdh"):
        if hasattr(backend, name):
            monkeypatch.setattr(backend, name, _spy(calls, name, getattr(backend, name)))
    with pytest.raises(JWEDecryptionError, match=r"^Decryption failed$"):
        jwe.decrypt(forged, _P256, algorithms=["ECDH-ES"], encryptions=["A128GCM"])
    assert calls == []  # refused when the epk is read, before any multiplication
    # Both backends' ecdh refuse an off-curve point too (a second line of defence).
    off = ECPublicKey("P-256", _P256.x, _P256.y ^ 1)
    assert backend.ecdh(_P256, off) is None


# --- what held: keys are bound to their algorithm ------------------------------------------------


@pytest.mark.parametrize(
    ("own", "alg", "enc"),
    [
        ("RS256", "A256KW", "A256GCM"),  # a JWS label on an oct key
        ("HS256", "dir", "A256GCM"),
        ("dir", "A256KW", "A256GCM"),  # a dir key used to wrap
        ("A256GCM", "A256KW", "A256GCM"),  # dir keys may carry their enc (RFC 7520 §3.6)
        ("A256GCM", "dir", "A128CBC-HS256"),  # ... and serve no other enc
        ("A256KW", "dir", "A256GCM"),
        ("A256KW", "A256GCMKW", "A256GCM"),
        ("PBES2-HS512+A256KW", "A256KW", "A256GCM"),
    ],
)  # fmt: skip
def test_a_jwk_s_own_alg_binds_it(own: str, alg: str, enc: str, backend: Backend) -> None:
    require(backend, [alg], [enc])
    token = jwe.encrypt(b"x", KEY, alg=alg, enc=enc)
    jwk = {"kty": "oct", "k": b64url_encode(KEY), "alg": own}
    for key in (jwk, {"keys": [jwk]}):
        with pytest.raises(UnusableKeyError, match=re.escape(f"the key is for {own} only")):
            jwe.decrypt(token, key, algorithms=[alg], encryptions=[enc])
    assert jwe.decrypt(token, {**jwk, "alg": alg}, algorithms=[alg], encryptions=[enc]) == b"x"


# --- what held: fresh randomness for every message -----------------------------------------------


def test_every_message_draws_a_fresh_cek_and_iv_from_the_os(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GCM with a repeated IV under one key loses both confidentiality and integrity: the IV
    (and the CEK of a wrapping alg) are drawn from os.urandom for every message."""
    require(backend, ["A128KW", "dir"], ["A128GCM"])
    sizes: list[int] = []
    real = os.urandom

    def urandom(size: int) -> bytes:
        sizes.append(size)
        return real(size)

    monkeypatch.setattr(_jwe_crypto.os, "urandom", urandom)
    tokens = [jwe.encrypt(b"same", KEY[:16], alg="A128KW", enc="A128GCM") for _ in range(3)]
    assert sizes == [16, 12] * 3  # CEK, then IV, per message
    assert len({token.split(".")[1] for token in tokens}) == 3  # wrapped CEKs
    assert len({token.split(".")[2] for token in tokens}) == 3  # IVs
    sizes.clear()
    dir_tokens = [jwe.encrypt(b"same", KEY[:16], alg="dir", enc="A128GCM") for _ in range(3)]
    assert sizes == [12] * 3
    assert len({token.split(".")[2] for token in dir_tokens}) == 3


# --- what held: nested tokens ---------------------------------------------------------------------


def test_an_unsigned_inner_token_never_passes(backend: Backend) -> None:
    require(backend, ["dir"], ["A256GCM"])
    inner = b64url_encode(b'{"alg":"none"}') + "." + b64url_encode(b'{"sub":"admin"}') + "."
    token = jwe.encrypt(inner, KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})
    with pytest.raises(InvalidAlgorithmError):
        decrypt_jwt(token, KEY, verify_key=KEY, verify_algorithms=["none"], **DIR)
    with pytest.raises(InvalidAlgorithmError):
        decrypt_jwt(token, KEY, verify_key=KEY, verify_algorithms=["HS256"], **DIR)
    with pytest.raises(InvalidTokenError, match="pass verify_key"):
        decrypt_jwt(token, KEY, **DIR)


# --- what held: strict base64url in every member and parameter ------------------------------------


@pytest.mark.parametrize("member", ["protected", "encrypted_key", "iv", "ciphertext", "tag",
                                    "aad"])  # fmt: skip
@pytest.mark.parametrize("spelling", ["padded", "trailing bits", "standard alphabet"])
def test_every_json_member_is_strict_base64url(member: str, spelling: str) -> None:
    token = json.loads(jwe.encrypt_json(b"x", [jwe.Recipient(KEY[:16], "A128KW")],
                                        enc="A128GCM", aad=b"aad"))  # fmt: skip
    holder = token["recipients"][0] if member == "encrypted_key" else token
    holder[member] = _misspell(holder[member], spelling)
    with pytest.raises(JWEParseError, match="base64url"):
        jwe.decrypt(token, KEY[:16], algorithms=["A128KW"], encryptions=["A128GCM"])


_PARAMETERS = [("A128GCMKW", "iv"), ("A128GCMKW", "tag"), ("PBES2-HS256+A128KW", "p2s"),
               ("ECDH-ES", "apu")]  # fmt: skip


@pytest.mark.parametrize(("alg", "name"), _PARAMETERS)
@pytest.mark.parametrize("spelling", ["padded", "trailing bits", "standard alphabet"])
def test_every_header_parameter_is_strict_base64url(alg: str, name: str, spelling: str) -> None:
    key: Any = {"A128GCMKW": KEY[:16], "ECDH-ES": _P256}.get(alg, b"a password")
    headers = {"apu": b64url_encode(b"Alice!")} if name == "apu" else None
    token = jwe.encrypt(b"x", key, alg=alg, enc="A128GCM", headers=headers)
    header = json.loads(b64url_decode(token.split(".")[0]))
    header[name] = _misspell(header[name], spelling)
    forged = ".".join([b64url_encode(json.dumps(header).encode()), *token.split(".")[1:]])
    with pytest.raises(JWEParseError, match="base64url"):
        jwe.decrypt(forged, key, algorithms=[alg], encryptions=["A128GCM"])


def _misspell(value: str, spelling: str) -> str:
    """The same octets, or near them, in a spelling RFC 7515 §2 does not allow."""
    if spelling == "padded":
        return value + "=" * (-len(value) % 4 or 4)
    if spelling == "trailing bits":
        tail = len(value) % 4
        if tail == 0:  # no unused bits: one more octet, then set its unused bits
            value = b64url_encode(b64url_decode(value) + b"\x00")
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return value[:-1] + alphabet[alphabet.index(value[-1]) + 1]
    return value.replace("-", "+").replace("_", "/") + "+/"
