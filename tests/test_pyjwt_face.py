"""jwtlite.pyjwt, PyJWT's module tree, and install_as_pyjwt().

Everything that touches ``sys.modules["jwt"]`` runs in a subprocess, so this test run keeps its
own modules (PyJWT itself is installed in the test environment, for comparisons).
"""

from __future__ import annotations

import array
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import jwtlite
from jwtlite.pyjwt import algorithms as face_algorithms
from jwtlite.pyjwt import utils as face_utils

HAS_CRYPTOGRAPHY = face_algorithms.has_crypto
#: PyJWT 2.15.1's ``requires_cryptography``, written out so the test can fail.
PYJWT_REQUIRES_CRYPTOGRAPHY = {
    "RS256", "RS384", "RS512", "ES256", "ES256K", "ES384", "ES521", "ES512",
    "PS256", "PS384", "PS512", "EdDSA",
}  # fmt: skip

FRAMEWORK = '''\
"""A stand-in for a framework integration built on PyJWT."""
import jwt
from jwt.algorithms import has_crypto, requires_cryptography
from jwt.types import Options
from jwt.utils import base64url_decode

DEFAULT_OPTIONS: Options = {"verify_aud": False, "require": ["exp"]}


def algorithms_for(secret_is_key: bool) -> list:
    wanted = ["RS256", "ES256"] if secret_is_key else ["HS256"]
    if not has_crypto:
        wanted = [a for a in wanted if a not in requires_cryptography]
    return wanted


def verify(token: str, secret: str) -> dict:
    header = base64url_decode(token.split(".")[0])
    assert b'"alg"' in header
    return jwt.decode(token, secret, algorithms=algorithms_for(False), options=DEFAULT_OPTIONS)
'''


def _run(code: str, tmp_path: Path, *, files: dict[str, str] | None = None) -> str:
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_package_built_on_pyjwt_works_after_install(tmp_path: Path) -> None:
    out = _run(
        """
        import json, time
        import jwtlite
        jwtlite.install_as_pyjwt()
        import framework, jwt
        secret = "k" * 32
        token = jwt.encode({"sub": "a", "exp": time.time() + 60}, secret, algorithm="HS256")
        claims = framework.verify(token, secret)
        print(json.dumps({
            "sub": claims["sub"],
            "face": jwt.__name__,
            "has_crypto": jwt.algorithms.has_crypto,
            "requires": sorted(jwt.algorithms.requires_cryptography),
            "options": sorted(jwt.types.Options.__annotations__),
            "b64": jwt.utils.base64url_decode("AQAB").hex(),
        }))
        """,
        tmp_path,
        files={"framework.py": FRAMEWORK},
    )
    seen = json.loads(out)
    assert seen["sub"] == "a"
    assert seen["face"] == "jwtlite.pyjwt"
    assert seen["has_crypto"] is HAS_CRYPTOGRAPHY
    assert set(seen["requires"]) == PYJWT_REQUIRES_CRYPTOGRAPHY
    assert {"verify_signature", "require", "verify_aud", "strict_aud"} <= set(seen["options"])
    assert seen["b64"] == "010001"


def test_install_registers_every_submodule_and_is_idempotent(tmp_path: Path) -> None:
    out = _run(
        """
        import sys, jwtlite
        jwtlite.install_as_pyjwt()
        first = {k: id(v) for k, v in sys.modules.items() if k == "jwt" or k.startswith("jwt.")}
        jwtlite.install_as_pyjwt()
        second = {k: id(v) for k, v in sys.modules.items() if k == "jwt" or k.startswith("jwt.")}
        import jwt.jwks_client, jwt.help
        from jwt.jwk_set_cache import JWKSetCache
        from jwt.warnings import RemovedInPyjwt3Warning
        assert first == second
        print(" ".join(sorted(first)))
        """,
        tmp_path,
    )
    names = out.split()
    assert len(names) == 12
    assert names[0] == "jwt"
    assert {"jwt.algorithms", "jwt.api_jwk", "jwt.jwk_set_cache", "jwt.warnings"} <= set(names)


def test_install_refuses_a_different_jwt(tmp_path: Path) -> None:
    out = _run(
        """
        import sys, types, jwtlite
        sys.modules["jwt"] = types.ModuleType("jwt")
        try:
            jwtlite.install_as_pyjwt()
        except jwtlite.ModuleConflictError as exc:
            print(type(exc).__name__, isinstance(exc, ImportError), "before anything" in str(exc))
        """,
        tmp_path,
    )
    assert out == "ModuleConflictError True True"


def test_install_refuses_pyjwt_itself(tmp_path: Path) -> None:
    pytest.importorskip("jwt")  # the test extra installs PyJWT
    out = _run(
        """
        import jwt, jwtlite
        try:
            jwtlite.install_as_pyjwt()
        except jwtlite.ModuleConflictError:
            print("refused", jwt.__name__)
        """,
        tmp_path,
    )
    assert out == "refused jwt"


def test_the_native_package_never_imports_the_face(tmp_path: Path) -> None:
    out = _run(
        """
        import sys, jwtlite, jwtlite.algorithms, jwtlite.api, jwtlite.jwks_client
        jwtlite.encode({"a": 1}, "k" * 32)
        print(any(name.startswith("jwtlite.pyjwt") for name in sys.modules))
        """,
        tmp_path,
    )
    assert out == "False"


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="needs cryptography")
def test_import_jwt_leaves_cryptography_as_pyjwt_leaves_it(tmp_path: Path) -> None:
    # PyJWT's algorithms module imports x509, hazmat.backends, padding and serialization, and
    # packages reach them by attribute (``cryptography.hazmat.primitives.serialization``).
    pytest.importorskip("jwt")
    loaded = "sorted(m for m in sys.modules if m.split('.')[0] == 'cryptography')"
    theirs = _run(f"import sys, jwt; print({loaded})", tmp_path)
    ours = _run(
        f"""
        import sys, jwtlite
        before = {loaded}
        jwtlite.install_as_pyjwt()
        import jwt
        import cryptography
        print(before, {loaded}, callable(cryptography.x509.load_pem_x509_certificate),
              callable(cryptography.hazmat.primitives.serialization.load_pem_public_key))
        """,
        tmp_path,
    )
    assert ours.startswith("[] ")  # ``import jwtlite`` alone still imports no cryptography
    assert ours[3:] == f"{theirs} True True"
    assert "cryptography.x509" in theirs


def test_requires_cryptography_matches_pyjwt() -> None:
    assert set(jwtlite.algorithms.requires_cryptography) == PYJWT_REQUIRES_CRYPTOGRAPHY
    assert jwtlite.algorithms.has_crypto is HAS_CRYPTOGRAPHY
    assert face_algorithms.requires_cryptography is jwtlite.algorithms.requires_cryptography


def test_algorithm_classes_take_pyjwt_constructor_arguments() -> None:
    hs = face_algorithms.HMACAlgorithm(face_algorithms.HMACAlgorithm.SHA384)
    assert (hs.name, hs.hash_alg) == ("HS384", face_algorithms.HMACAlgorithm.SHA384)
    rs = face_algorithms.RSAAlgorithm(face_algorithms.RSAAlgorithm.SHA512)
    ps = face_algorithms.RSAPSSAlgorithm(face_algorithms.RSAPSSAlgorithm.SHA256)
    assert (rs.name, ps.name) == ("RS512", "PS256")
    assert face_algorithms.OKPAlgorithm().name == "EdDSA"
    table = face_algorithms.get_default_algorithms()
    assert table["ES521"] is table["ES512"]
    assert {"none", "HS256", "RS256", "PS512", "ES256K", "EdDSA"} <= set(table)


def test_sign_and_verify_round_trip_through_the_face_table() -> None:
    key = jwtlite.generate_key("ES256")
    table = face_algorithms.get_default_algorithms()
    signature = table["ES256"].sign(b"msg", key)
    assert table["ES256"].verify(b"msg", key.public_key(), signature)
    assert not table["ES256"].verify(b"other", key.public_key(), signature)


@pytest.mark.parametrize("name", ["EdDSA", "Ed25519", "Ed448"])
def test_okp_signs_and_verifies_text_as_pyjwt_does(name: str) -> None:
    # PyJWT's OKPAlgorithm takes ``msg`` and ``sig`` as ``str | bytes`` (text UTF-8 encoded):
    # the face raised TypeError (InvalidArgumentError since the type checks) for text.
    key = jwtlite.generate_key("Ed448" if name == "Ed448" else "Ed25519")
    okp = face_algorithms.get_default_algorithms()[name]
    signature = okp.sign("h\u00e9.p", key)
    assert signature == okp.sign("h\u00e9.p".encode(), key)  # EdDSA is deterministic
    assert okp.verify("h\u00e9.p", key.public_key(), signature)
    assert okp.verify(b"h\xc3\xa9.p", key, signature)
    assert not okp.verify("h\u00e9.p", key.public_key(), "not the signature")
    with pytest.raises(jwtlite.InvalidValueError):  # PyJWT: UnicodeEncodeError, a ValueError
        okp.sign("\ud800", key)
    with pytest.raises(jwtlite.InvalidArgumentError):  # neither text nor bytes-like
        okp.sign(5, key)


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="needs cryptography")
def test_keys_handed_back_are_cryptography_objects() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from jwtlite.pyjwt.api_jwk import PyJWK

    rs = face_algorithms.RSAAlgorithm(face_algorithms.RSAAlgorithm.SHA256)
    private = rs.prepare_key(jwtlite.keys.dump_pem(jwtlite.generate_key("RS256")))
    assert isinstance(private, rsa.RSAPrivateKey)
    jwk = rs.to_jwk(private.public_key(), as_dict=True)
    assert jwk["key_ops"] == ["verify"]
    assert isinstance(rs.from_jwk(jwk), rsa.RSAPublicKey)
    ec_jwk = json.loads(face_algorithms.ECAlgorithm.to_jwk(jwtlite.generate_key("ES256")))
    assert isinstance(PyJWK(ec_jwk).key, ec.EllipticCurvePrivateKey)


@pytest.mark.skipif(HAS_CRYPTOGRAPHY, reason="only without cryptography")
def test_keys_handed_back_are_native_without_cryptography() -> None:
    rs = face_algorithms.RSAAlgorithm(face_algorithms.RSAAlgorithm.SHA256)
    key = jwtlite.generate_key("RS256")
    assert isinstance(rs.prepare_key(jwtlite.keys.dump_pem(key)), jwtlite.keys.RSAPrivateKey)


def test_utils_follow_pyjwt() -> None:
    assert face_utils.to_base64url_uint(65537) == b"AQAB"
    assert face_utils.to_base64url_uint(0) == b"AA"
    assert face_utils.from_base64url_uint(b"B1vNFQ") == 123456789
    assert face_utils.base64url_encode(b"\xfb\xff") == b"-_8"
    assert face_utils.base64url_decode("-_8=") == b"\xfb\xff"
    with pytest.raises(ValueError, match="positive"):
        face_utils.to_base64url_uint(-1)
    with pytest.raises(TypeError):
        face_utils.force_bytes({})  # type: ignore[arg-type]
    with pytest.raises(jwtlite.DecodeError):
        face_utils.base64url_decode("a")
    # Any buffer, as PyJWT's binascii and re take it (the type checks refused array.array).
    assert face_utils.bytes_to_number(array.array("B", b"\x01\x00")) == 256
    assert face_utils.is_pem_format(array.array("B", b"-----BEGIN PUBLIC KEY-----")) is False


def test_der_and_raw_signatures_convert_both_ways() -> None:
    class P256:
        key_size = 256

    raw = (5).to_bytes(32, "big") + (2**255 + 7).to_bytes(32, "big")
    der = face_utils.raw_to_der_signature(raw, P256())
    assert der[:2] == b"\x30\x26"  # SEQUENCE of INTEGER 5 and a 33-octet INTEGER
    assert face_utils.der_to_raw_signature(der, P256()) == raw
    with pytest.raises(jwtlite.InvalidValueError):
        face_utils.raw_to_der_signature(raw[:-1], P256())
    with pytest.raises(jwtlite.InvalidValueError):
        face_utils.der_to_raw_signature(der + b"\x00", P256())


def test_flask_jwt_extended_runs_on_the_face(tmp_path: Path) -> None:
    pytest.importorskip("flask_jwt_extended")
    out = _run(
        """
        import jwtlite
        jwtlite.install_as_pyjwt()
        from flask import Flask
        from flask_jwt_extended import (
            JWTManager, create_access_token, decode_token, get_jwt_identity, jwt_required)
        import jwt

        app = Flask("t")
        app.config["JWT_SECRET_KEY"] = "k" * 32
        JWTManager(app)

        @app.get("/me")
        @jwt_required()
        def me():
            return {"id": get_jwt_identity()}

        with app.app_context():
            token = create_access_token(identity="alice")
            assert decode_token(token)["sub"] == "alice"
        client = app.test_client()
        good = client.get("/me", headers={"Authorization": "Bearer " + token})
        forged = client.get("/me", headers={"Authorization": "Bearer " + token[:-2] + "AA"})
        print(jwt.__name__, good.json["id"], forged.status_code)
        """,
        tmp_path,
    )
    assert out == "jwtlite.pyjwt alice 422"


def _counting_client(**settings: object) -> object:
    from jwtlite.pyjwt.jwks_client import PyJWKClient

    public = face_algorithms.ECAlgorithm.to_jwk(
        jwtlite.generate_key("ES256").public_key(), as_dict=True
    )
    jwks = {"keys": [{**public, "kid": "known"}]}

    class Counting(PyJWKClient):
        fetches = 0

        def fetch_data(self) -> object:
            type(self).fetches += 1
            return jwks

    return Counting("https://issuer.example/jwks.json", **settings)


@pytest.mark.parametrize(
    ("settings", "fetches"),
    [
        ({}, 1),  # the first fetch starts the cooldown (30 s): no refetch for an unknown kid
        ({"cooldown_duration": 0}, 3),  # a refetch for each miss, as in PyJWT
        ({"cache_jwk_set": False}, 4),  # no cache: each lookup fetches, and refetches once
    ],
)
def test_unknown_kid_refetches_as_in_pyjwt(settings: dict[str, object], fetches: int) -> None:
    client = _counting_client(**settings)
    for _ in range(2):
        with pytest.raises(jwtlite.PyJWKClientError, match="unknown"):
            client.get_signing_key("unknown")  # type: ignore[attr-defined]
    assert type(client).fetches == fetches
    assert client.get_signing_key("known").key_id == "known"  # type: ignore[attr-defined]


def test_jwks_client_hands_back_face_objects_and_one_cached_set() -> None:
    from jwtlite.pyjwt.api_jwk import PyJWK, PyJWKSet

    client = _counting_client()
    first = client.get_jwk_set()  # type: ignore[attr-defined]
    assert isinstance(first, PyJWKSet)
    assert client.get_jwk_set() is first  # type: ignore[attr-defined]
    assert client.jwk_set_cache.get() is first  # type: ignore[attr-defined]
    assert [k.key_id for k in first] == ["known"]
    key = client.get_signing_key("known")  # type: ignore[attr-defined]
    assert isinstance(key, PyJWK)
    assert type(key.key).__module__.startswith("cryptography" if HAS_CRYPTOGRAPHY else "jwtlite")


def test_a_key_removed_from_a_jwk_sets_keys_no_longer_verifies() -> None:
    """``PyJWKSet.keys`` is a list the caller may edit (drop a compromised key, keep only the
    kids it trusts). The face handed decode the native set it was parsed into, so a key
    removed from ``keys``, and no longer shown there, still verified; a key appended did not."""
    from jwtlite.jwk import key_to_jwk
    from jwtlite.pyjwt import api_jwt
    from jwtlite.pyjwt.api_jwk import PyJWK, PyJWKSet

    old, new = jwtlite.generate_key("ES256"), jwtlite.generate_key("ES256")
    members = [key_to_jwk(key.public_key(), kid=kid, alg="ES256")
               for key, kid in ((old, "old"), (new, "new"))]  # fmt: skip
    by_old = api_jwt.encode({"a": 1}, old, "ES256", headers={"kid": "old"})
    by_new = api_jwt.encode({"a": 2}, new, "ES256", headers={"kid": "new"})

    def edited(edit: str) -> PyJWKSet:
        jwk_set = PyJWKSet.from_dict({"keys": members})
        assert api_jwt.decode(by_old, jwk_set, algorithms=["ES256"]) == {"a": 1}  # warm
        if edit == "remove":
            jwk_set.keys.remove(jwk_set["old"])
        elif edit == "reassign":
            jwk_set.keys = [key for key in jwk_set.keys if key.key_id != "old"]
        else:  # a set of the new key only, to which the old one is appended back
            jwk_set = PyJWKSet.from_dict({"keys": members[1:]})
            jwk_set.keys.append(PyJWK(members[0]))
        return jwk_set

    for edit in ("remove", "reassign"):
        jwk_set = edited(edit)
        assert [key.key_id for key in jwk_set.keys] == ["new"]
        with pytest.raises(jwtlite.InvalidTokenError, match='kid "old"'):
            api_jwt.decode(by_old, jwk_set, algorithms=["ES256"])
        assert api_jwt.decode(by_new, jwk_set, algorithms=["ES256"]) == {"a": 2}
    appended = edited("append")
    assert api_jwt.decode(by_old, appended, algorithms=["ES256"]) == {"a": 1}
    assert api_jwt.decode(by_new, appended, algorithms=["ES256"]) == {"a": 2}
    appended.keys.append(members[0])  # a dict is no key: said, not ignored
    with pytest.raises(jwtlite.PyJWKSetError, match="PyJWK objects, not dict"):
        api_jwt.decode(by_new, appended, algorithms=["ES256"])


def test_a_jwk_set_put_in_the_client_cache_is_used_as_edited() -> None:
    """``client.jwk_set_cache.put(jwk_set)`` stored the set as parsed: with a key removed from
    its ``keys``, ``get_jwk_set()`` showed the edit while ``get_signing_key`` still found the
    removed key."""
    from jwtlite.jwk import key_to_jwk
    from jwtlite.pyjwt.api_jwk import PyJWKSet

    old, new = jwtlite.generate_key("ES256"), jwtlite.generate_key("ES256")
    jwk_set = PyJWKSet.from_dict({"keys": [key_to_jwk(old.public_key(), kid="old", alg="ES256"),
                                           key_to_jwk(new.public_key(), kid="new", alg="ES256")]})
    jwk_set.keys.remove(jwk_set["old"])
    client = _counting_client()
    client.jwk_set_cache.put(jwk_set)  # type: ignore[attr-defined]
    assert client.get_jwk_set() is jwk_set  # type: ignore[attr-defined]
    assert client.get_signing_key("new").key_id == "new"  # type: ignore[attr-defined]
    assert type(client).fetches == 0  # the cached set answered, without a fetch
    with pytest.raises(jwtlite.PyJWKClientError, match="old"):
        client.get_signing_key("old")  # type: ignore[attr-defined]


# --- messages: PyJWT's exact text, jwtlite's hint as a note ------------------------------------

SECRET = "a-32-byte-long-secret-for-hs256!"


def _notes(exc: BaseException) -> list[str]:
    return list(getattr(exc, "__notes__", []))


def test_face_errors_carry_pyjwt_text_and_the_hint_as_a_note() -> None:
    from jwtlite import pyjwt as face
    from jwtlite.pyjwt.api_jws import PyJWS as FacePyJWS
    from jwtlite.pyjwt.api_jwt import PyJWT as FacePyJWT

    token = face.encode({"sub": "x"}, SECRET, algorithm="HS256")
    calls = [
        lambda: face.decode(token, SECRET, algorithms=["RS256"]),
        lambda: FacePyJWT().decode_complete(token, SECRET, algorithms=["RS256"]),
        lambda: FacePyJWS().decode(token, SECRET, algorithms=["RS256"]),
        lambda: FacePyJWS().decode_complete(token, SECRET, algorithms=["RS256"]),
    ]
    for call in calls:
        with pytest.raises(face.InvalidAlgorithmError) as caught:
            call()
        assert str(caught.value) == "The specified alg value is not allowed"
        [note] = _notes(caught.value)
        assert note.startswith("(hint: The token is signed with 'HS256'")
    assert len(calls) == 4
    # jwtlite's own API keeps the hint in the message, after PyJWT's text.
    with pytest.raises(jwtlite.InvalidAlgorithmError) as native:
        jwtlite.decode(token, SECRET, algorithms=["RS256"])
    assert str(native.value).startswith("The specified alg value is not allowed (hint: ")
    assert _notes(native.value) == []


def test_face_unverified_header_and_jwks_client_errors_are_pyjwt_text() -> None:
    from jwtlite import pyjwt as face

    with pytest.raises(face.DecodeError) as caught:
        face.get_unverified_header("Bearer abc.def.ghi")
    assert str(caught.value) == "Invalid header padding"
    assert any("Bearer" in note for note in _notes(caught.value))
    client = face.PyJWKClient("https://issuer.example/jwks")
    with pytest.raises(face.DecodeError) as jwks:
        client.get_signing_key_from_jwt("Bearer abc.def.ghi")
    assert str(jwks.value) == "Invalid header padding"


def test_detach_moves_only_the_hint() -> None:
    from jwtlite import _hints

    plain = jwtlite.DecodeError("Not enough segments")
    _hints.detach(plain)
    assert (str(plain), _notes(plain)) == ("Not enough segments", [])
    hinted = jwtlite.DecodeError("Invalid header padding (hint: remove the 'Bearer ' prefix)")
    _hints.detach(hinted)
    _hints.detach(hinted)  # a second pass finds nothing more to move
    assert str(hinted) == "Invalid header padding"
    assert _notes(hinted) == ["(hint: remove the 'Bearer ' prefix)"]
    claim = jwtlite.MissingRequiredClaimError("exp")  # its message is not its first argument
    _hints.detach(claim)
    assert str(claim) == 'Token is missing the "exp" claim'
