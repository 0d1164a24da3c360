"""x5c chains (RFC 7515 §4.1.6) verified to the caller's trust anchors, with certificates built
here by cryptography's x509 builder (root CA -> intermediate CA -> leaf) at a fixed time."""

from __future__ import annotations

import base64
import builtins
import hashlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwtlite
from jwtlite import x5c
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidCertificateChainError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingCryptographyError,
)


def _can_verify() -> bool:
    try:
        x5c._verification()
    except MissingCryptographyError:
        return False
    return True


HAVE_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None
CAN_VERIFY = HAVE_CRYPTOGRAPHY and _can_verify()
needs_verification = pytest.mark.skipif(
    not CAN_VERIFY, reason="cryptography 45 or newer verifies chains"
)

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
EPOCH = NOW.timestamp()


@dataclass
class PKI:
    """A root CA, an intermediate CA and a leaf, with their keys and a second, untrusted root."""

    root: Any
    root_key: Any
    inter: Any
    inter_key: Any
    leaf: Any
    leaf_key: Any
    other_root: Any
    other_key: Any
    make: Callable[..., Any]


def _build_pki() -> PKI:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def make(key: Any, subject: str, issuer_key: Any, issuer: str, *, ca: bool,
             usage: str | None = "sign", days: tuple[int, int] = (-30, 365)) -> Any:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)])
        builder = (
            x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW + timedelta(days=days[0]))
            .not_valid_after(NOW + timedelta(days=days[1]))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        if usage is not None:
            bits = dict.fromkeys(
                ("digital_signature", "content_commitment", "key_encipherment",
                 "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                 "encipher_only", "decipher_only"), False)
            wanted = {"ca": ("key_cert_sign", "crl_sign"), "sign": ("digital_signature",),
                      "encrypt": ("key_encipherment",)}[usage]
            bits.update(dict.fromkeys(wanted, True))
            builder = builder.add_extension(x509.KeyUsage(**bits), critical=True)
        return builder.sign(issuer_key, hashes.SHA256())

    root_key, inter_key, leaf_key, other_key = (
        ec.generate_private_key(ec.SECP256R1()) for _ in range(4)
    )
    root = make(root_key, "Test Root", root_key, "Test Root", ca=True, usage="ca")
    inter = make(inter_key, "Test Intermediate", root_key, "Test Root", ca=True, usage="ca")
    leaf = make(leaf_key, "Test Signer", inter_key, "Test Intermediate", ca=False)
    other_root = make(other_key, "Test Root", other_key, "Test Root", ca=True, usage="ca")
    return PKI(root, root_key, inter, inter_key, leaf, leaf_key, other_root, other_key, make)


@pytest.fixture(scope="module")
def pki() -> PKI:
    if not HAVE_CRYPTOGRAPHY:
        pytest.skip("the test certificates are built with cryptography")
    return _build_pki()


def _der(cert: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(cert.public_bytes(Encoding.DER))


def _b64(cert: Any) -> str:
    return base64.b64encode(_der(cert)).decode()


def _token(pki: PKI, chain: Sequence[Any] | None = None, *, key: Any = None,
           alg: str = "ES256", **header: Any) -> str:
    certs = [pki.leaf, pki.inter] if chain is None else chain
    fields = {"x5c": [_b64(cert) for cert in certs], **header}
    claims = {"iss": "https://vendor.example", "iat": int(EPOCH) - 60,
              "exp": int(EPOCH) + 600, "notificationType": "TEST"}
    return jwtlite.encode(claims, key or pki.leaf_key, algorithm=alg, headers=fields)


def _decode(pki: PKI, token: str, trust: Any = None, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"algorithms": ["ES256"], "now": NOW, **kwargs}
    return x5c.decode(token, [pki.root] if trust is None else trust, **options)


# --- the chain verifies ----------------------------------------------------------------------


@needs_verification
def test_a_chain_to_a_trust_anchor_verifies(pki: PKI) -> None:
    assert _decode(pki, _token(pki))["notificationType"] == "TEST"
    complete = x5c.decode_complete(_token(pki), x5c.TrustStore([pki.root]),
                                   algorithms=["ES256"], now=EPOCH)
    assert [cert.subject for cert in complete["chain"]] == [
        pki.leaf.subject, pki.inter.subject, pki.root.subject
    ]
    assert set(complete) == {"header", "payload", "signature", "chain"}


@needs_verification
def test_trust_anchors_may_be_pem_or_der(pki: PKI) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = pki.root.public_bytes(Encoding.PEM)
    for trust in ([pem], pem, [pem.decode()], [_der(pki.root)], [pki.other_root, pki.root],
                  pki.other_root.public_bytes(Encoding.PEM) + pem):
        assert _decode(pki, _token(pki), trust)["iss"] == "https://vendor.example"
    assert "Test Root" in repr(x5c.TrustStore(pem))


@needs_verification
def test_matching_thumbprints_pass(pki: PKI) -> None:
    leaf = _der(pki.leaf)
    token = _token(pki, **{"x5t#S256": b64url_encode(hashlib.sha256(leaf).digest()),
                           "x5t": b64url_encode(hashlib.sha1(leaf).digest())})  # noqa: S324
    assert _decode(pki, token)["notificationType"] == "TEST"


@needs_verification
def test_a_leaf_issued_by_the_anchor_needs_no_intermediate(pki: PKI) -> None:
    leaf = pki.make(pki.leaf_key, "Direct", pki.root_key, "Test Root", ca=False)
    assert _decode(pki, _token(pki, [leaf]))["notificationType"] == "TEST"


# --- refusals: trust ---------------------------------------------------------------------------


@needs_verification
def test_an_untrusted_root_is_refused(pki: PKI) -> None:
    with pytest.raises(InvalidCertificateChainError, match="does not verify"):
        _decode(pki, _token(pki), [pki.other_root])
    # The attacker's own chain, ending in a root of the same name, is not the anchor either.
    fake_inter = pki.make(pki.inter_key, "Test Intermediate", pki.other_key, "Test Root", ca=True,
                          usage="ca")
    with pytest.raises(InvalidCertificateChainError):
        _decode(pki, _token(pki, [pki.leaf, fake_inter, pki.other_root]))


@needs_verification
def test_a_chain_missing_its_intermediate_is_refused(pki: PKI) -> None:
    with pytest.raises(InvalidCertificateChainError):
        _decode(pki, _token(pki, [pki.leaf]))


def test_there_is_no_verification_without_a_trust_store() -> None:
    token = "e30.e30.sig"
    if not CAN_VERIFY:
        with pytest.raises(MissingCryptographyError):
            x5c.decode(token, [], algorithms=["ES256"])
        return
    for trust in ([], (), None, [None], [7], ["not a certificate"], [b"\x30\x03\x02\x01\x01"]):
        with pytest.raises(InvalidArgumentError, match="anchor"):
            x5c.decode(token, trust, algorithms=["ES256"])
        with pytest.raises(InvalidArgumentError, match="anchor"):
            x5c.TrustStore(trust)


@needs_verification
def test_plain_decode_never_uses_the_header_chain(pki: PKI) -> None:
    # jwtlite.decode takes the caller's key only; the x5c leaf is never picked up.
    with pytest.raises((InvalidKeyError, InvalidTokenError)):
        jwtlite.decode(_token(pki), "", algorithms=["ES256"])


# --- refusals: validity, key usage, role ---------------------------------------------------------


@needs_verification
def test_an_expired_leaf_is_refused(pki: PKI) -> None:
    expired = pki.make(pki.leaf_key, "Old", pki.inter_key, "Test Intermediate", ca=False,
                       days=(-400, -1))
    with pytest.raises(InvalidCertificateChainError, match="not valid"):
        _decode(pki, _token(pki, [expired, pki.inter]))


@needs_verification
def test_validity_is_judged_at_the_injected_time(pki: PKI) -> None:
    later = NOW + timedelta(days=366)  # the leaf has expired by then, the token's exp aside
    with pytest.raises(InvalidCertificateChainError, match="not valid"):
        _decode(pki, _token(pki), now=later)
    earlier = NOW - timedelta(days=31)  # before the leaf was valid
    with pytest.raises(InvalidCertificateChainError, match="not valid"):
        _decode(pki, _token(pki), now=earlier.timestamp(), options={"verify_iat": False})
    assert _decode(pki, _token(pki), now=NOW.replace(tzinfo=None))["iss"]  # naive is UTC


@needs_verification
def test_an_expired_intermediate_is_refused(pki: PKI) -> None:
    old = pki.make(pki.inter_key, "Test Intermediate", pki.root_key, "Test Root", ca=True,
                   usage="ca", days=(-400, -1))
    with pytest.raises(InvalidCertificateChainError, match="not valid"):
        _decode(pki, _token(pki, [pki.leaf, old]))


@needs_verification
@pytest.mark.parametrize("usage", ["encrypt", "ca", None])
def test_a_leaf_without_digital_signature_is_refused(pki: PKI, usage: str | None) -> None:
    leaf = pki.make(pki.leaf_key, "Test Signer", pki.inter_key, "Test Intermediate", ca=False,
                    usage=usage)
    with pytest.raises(InvalidCertificateChainError, match=r"keyUsage|digitalSignature"):
        _decode(pki, _token(pki, [leaf, pki.inter]))


@needs_verification
def test_a_ca_certificate_cannot_be_the_leaf(pki: PKI) -> None:
    with pytest.raises(InvalidCertificateChainError):
        _decode(pki, _token(pki, [pki.inter], key=pki.inter_key))


# --- refusals: thumbprints, the header's shape, the signature ---------------------------------


@needs_verification
def test_a_thumbprint_that_does_not_match_is_refused(pki: PKI) -> None:
    other = _der(pki.inter)
    bad = {
        "x5t#S256": [b64url_encode(hashlib.sha256(other).digest()), "not base64url!", 7,
                     b64url_encode(hashlib.sha256(_der(pki.leaf)).digest()[:16])],
        "x5t": [b64url_encode(hashlib.sha1(other).digest()), ""],  # noqa: S324
    }
    ran = 0
    for name, values in bad.items():
        for value in values:
            with pytest.raises(InvalidCertificateChainError, match=name.replace("#", ".")):
                _decode(pki, _token(pki, **{name: value}))
            ran += 1
    assert ran == 6


@needs_verification
@pytest.mark.parametrize("value", [
    None, [], "MIIB", {"0": "MIIB"}, [7], ["not base64!"], ["TUlJQg"], ["TUlJQg=="],
    ["\u00e9"], ["-_-_"], ["AAAA"],
])
def test_a_malformed_x5c_is_refused(pki: PKI, value: Any) -> None:
    header = {"alg": "ES256"} if value is None else {"alg": "ES256", "x5c": value}
    with pytest.raises(InvalidCertificateChainError, match="x5c"):
        x5c.verify_chain(header, [pki.root], now=NOW)


@needs_verification
def test_an_oversized_chain_is_refused_unread(pki: PKI) -> None:
    header = {"x5c": [_b64(pki.leaf)] * (x5c.MAX_CHAIN_LENGTH + 1)}
    with pytest.raises(InvalidCertificateChainError, match="at most"):
        x5c.verify_chain(header, [pki.root], now=NOW)


@needs_verification
def test_a_token_not_signed_by_the_leaf_is_refused(pki: PKI) -> None:
    with pytest.raises(InvalidSignatureError):
        _decode(pki, _token(pki, key=pki.inter_key))


@needs_verification
def test_the_signature_check_cannot_be_turned_off(pki: PKI) -> None:
    # A valid chain copied from a real token, around a payload of the attacker's choosing.
    header, _payload, signature = _token(pki).split(".")
    body = b64url_encode(b'{"notificationType": "REFUND"}')
    forged = f"{header}.{body}.{signature}"
    with pytest.raises(InvalidSignatureError):
        _decode(pki, forged)
    with pytest.raises(InvalidArgumentError, match="verify_signature"):
        _decode(pki, forged, options={"verify_signature": False})


@needs_verification
def test_the_leaf_key_is_bound_to_its_algorithm_family(pki: PKI) -> None:
    with pytest.raises((InvalidAlgorithmError, InvalidKeyError)):
        _decode(pki, _token(pki), algorithms=["RS256"])
    with pytest.raises(InvalidAlgorithmError):
        _decode(pki, _token(pki), algorithms=["HS256"])


@needs_verification
def test_now_must_be_a_time(pki: PKI) -> None:
    for now in ("now", True, 1e300):
        with pytest.raises(InvalidArgumentError, match="now"):
            _decode(pki, _token(pki), now=now)


# --- without cryptography 45 ---------------------------------------------------------------------


def _block_cryptography(monkeypatch: pytest.MonkeyPatch, *, keep: bool = False) -> None:
    """Make ``import cryptography...`` fail (or, with ``keep``, fail only for the module that
    old releases lack), as on a machine without it."""
    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        fromlist = args[2] if len(args) > 2 else kwargs.get("fromlist") or ()
        blocked = (name == "cryptography.x509" and "verification" in fromlist) if keep else (
            name.partition(".")[0] == "cryptography")
        if blocked:
            raise ImportError(f"No module named {name!r} (blocked by the test)")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


def test_without_cryptography_the_error_is_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    _block_cryptography(monkeypatch)
    header = {"x5c": ["AAAA"]}
    for call in (lambda: x5c.verify_chain(header, [b"anchor"]),
                 lambda: x5c.TrustStore([b"anchor"]),
                 lambda: x5c.decode("e30.e30.sig", [b"anchor"], algorithms=["ES256"])):
        with pytest.raises(MissingCryptographyError, match=r"cryptography 45\.0 or newer") as e:
            call()
        assert "installed: none" in str(e.value)
        assert not isinstance(e.value, InvalidTokenError)  # not the token's fault: a 500


@pytest.mark.skipif(not HAVE_CRYPTOGRAPHY, reason="simulates an old cryptography release")
def test_an_old_cryptography_gets_the_same_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import cryptography
    import cryptography.x509

    # Releases before 42 have no cryptography.x509.verification at all (3.4.8, our lower
    # bound); 42 to 44 have it without the extension policies the leaf check needs.
    _block_cryptography(monkeypatch, keep=True)
    monkeypatch.delattr(cryptography.x509, "verification", raising=False)
    with pytest.raises(MissingCryptographyError, match=cryptography.__version__):
        x5c.TrustStore([b"anchor"])
    monkeypatch.undo()

    class OldPolicyBuilder:
        def build_server_verifier(self) -> None: ...

    old = type(cryptography)("cryptography.x509.verification")
    old.PolicyBuilder = OldPolicyBuilder  # type: ignore[attr-defined]
    monkeypatch.setattr(cryptography.x509, "verification", old, raising=False)
    monkeypatch.setitem(__import__("sys").modules, "cryptography.x509.verification", old)
    with pytest.raises(MissingCryptographyError, match=r"45\.0 or newer"):
        x5c.verify_chain({"x5c": ["AAAA"]}, [b"anchor"])


@pytest.mark.skipif(CAN_VERIFY or not HAVE_CRYPTOGRAPHY, reason="for cryptography before 45")
def test_the_installed_old_cryptography_is_named() -> None:
    import cryptography

    with pytest.raises(MissingCryptographyError, match=cryptography.__version__):
        x5c.TrustStore([b"anchor"])


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=12,
)
B64_TEXT = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_",
                   max_size=80)


@needs_verification
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JSON_VALUES, st.lists(B64_TEXT, max_size=4), JSON_VALUES)
def test_hostile_x5c_headers_raise_only_the_chain_error(
    pki: PKI, value: Any, members: list[str], thumbprint: Any
) -> None:
    for header in ({"x5c": value}, {"x5c": members}, {"x5c": [_b64(pki.leaf)],
                                                       "x5t#S256": thumbprint}):
        with pytest.raises(InvalidCertificateChainError):
            x5c.verify_chain(header, [pki.other_root], now=NOW)
