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
    ExpiredSignatureError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidCertificateChainError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingCryptographyError,
    MissingRequiredClaimError,
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
             usage: str | None = "sign", days: tuple[float, float] = (-30, 365)) -> Any:
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


# --- whole texts, exact limits and every argument passed on (mutation testing) ------------------


def _chain_message(header: dict[str, Any], trust: Any, now: Any = NOW) -> str:
    with pytest.raises(InvalidCertificateChainError) as info:
        x5c.verify_chain(header, trust, now=now)
    return str(info.value)


@needs_verification
def test_the_header_refusals_say_why(pki: PKI) -> None:
    trust = [pki.root]
    cases = [
        ({}, "the token header has no x5c chain"),
        ({"x5c": []}, "x5c must be a non-empty array (RFC 7515 §4.1.6)"),
        ({"x5c": [7]}, "each x5c member must be a base64 string"),
        ({"x5c": ["AAAA"]}, "an x5c member is not a base64 DER certificate (RFC 7515 §4.1.6)"),
    ]
    for header, message in cases:
        assert _chain_message(header, trust) == message
    assert len(cases) == 4


@needs_verification
def test_x5c_members_are_strict_base64(pki: PKI) -> None:
    # RFC 7515 §4.1.6: base64 (RFC 4648 §4) of the DER; a line break or any character outside
    # the alphabet is refused, not skipped.
    text = _b64(pki.leaf)
    for member in (text[:40] + "\n" + text[40:], text[:40] + "!" + text[40:], " " + text):
        assert _chain_message({"x5c": [member, _b64(pki.inter)]}, [pki.root]) == (
            "an x5c member is not a base64 DER certificate (RFC 7515 §4.1.6)"
        )


@needs_verification
def test_a_chain_of_exactly_the_limit_is_read(pki: PKI) -> None:
    # MAX_CHAIN_LENGTH certificates are parsed and handed to the verifier (which refuses this
    # one for its repeated leaf); one more is refused unread.
    header = {"x5c": [_b64(pki.leaf)] * x5c.MAX_CHAIN_LENGTH}
    assert _chain_message(header, [pki.root]).startswith("the x5c chain does not verify: ")
    header = {"x5c": [_b64(pki.leaf)] * (x5c.MAX_CHAIN_LENGTH + 1)}
    assert _chain_message(header, [pki.root]) == "x5c holds 11 certificates; at most 10 are read"


@needs_verification
def test_a_thumbprint_must_be_a_string(pki: PKI) -> None:
    # A caller's header mapping could hold bytes; JSON never does, and only text is base64url.
    digest = b64url_encode(hashlib.sha256(_der(pki.leaf)).digest())
    header = {"x5c": [_b64(pki.leaf), _b64(pki.inter)], "x5t#S256": digest.encode()}
    assert _chain_message(header, [pki.root]) == (
        "the x5t#S256 thumbprint does not match the first x5c certificate"
    )
    assert len(x5c.verify_chain({**header, "x5t#S256": digest}, [pki.root], now=NOW)) == 3


def _long_named_leaf(pki: PKI) -> Any:
    """A leaf without digitalSignature whose subject is long (the verifier's error names it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "C" * 64),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "O" * 64),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "U" * 64),
    ])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Intermediate")])
    usage = x509.KeyUsage(digital_signature=False, content_commitment=False,
                          key_encipherment=True, data_encipherment=False, key_agreement=False,
                          key_cert_sign=False, crl_sign=False, encipher_only=False,
                          decipher_only=False)  # fmt: skip
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
        .public_key(pki.leaf_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            pki.inter_key.public_key()), critical=False)
        .add_extension(usage, critical=True)
        .sign(pki.inter_key, hashes.SHA256())
    )  # fmt: skip


@needs_verification
def test_the_verifiers_message_is_cut_at_300_characters(pki: PKI) -> None:
    message = _chain_message({"x5c": [_b64(_long_named_leaf(pki)), _b64(pki.inter)]},
                             [pki.root])  # fmt: skip
    prefix = "the x5c chain does not verify: "
    assert message.startswith(prefix + "validation failed: ")
    assert "the leaf's keyUsage does not allow digitalSignature" in message
    assert message.endswith("...")
    assert len(message) == len(prefix) + 300 + len("...")


@needs_verification
def test_aware_times_keep_their_offset(pki: PKI) -> None:
    # The leaf is valid from NOW - 30 days: an hour later, written in UTC-5, is still valid;
    # read as UTC wall-clock time it would be four hours too early.
    start = NOW - timedelta(days=30) + timedelta(hours=1)
    local = start.astimezone(timezone(timedelta(hours=-5)))
    header = {"x5c": [_b64(pki.leaf), _b64(pki.inter)]}
    assert len(x5c.verify_chain(header, [pki.root], now=local)) == 3
    assert len(x5c.verify_chain(header, [pki.root], now=start.timestamp())) == 3
    assert _chain_message(header, [pki.root], now=local.replace(tzinfo=None)).startswith(
        "the x5c chain does not verify: "
    )


@needs_verification
def test_the_default_time_is_now_in_utc(pki: PKI, monkeypatch: pytest.MonkeyPatch) -> None:
    # A certificate valid for the next hour verifies with now=None, whatever the local zone:
    # a naive local time read as UTC would be 14 hours late in UTC+14.
    import time

    real = datetime.now(timezone.utc)
    day = timedelta(days=1)
    days = ((real - timedelta(minutes=5) - NOW) / day, (real + timedelta(hours=1) - NOW) / day)
    root = pki.make(pki.root_key, "Fresh Root", pki.root_key, "Fresh Root", ca=True, usage="ca",
                    days=days)  # fmt: skip
    leaf = pki.make(pki.leaf_key, "Now", pki.root_key, "Fresh Root", ca=False, days=days)
    # POSIX TZ strings (the sign is POSIX's: "UTC-14" is UTC+14) need no tzdata, which a
    # machine may lack (an unknown zone name is silently UTC, and the test would test nothing).
    monkeypatch.setenv("TZ", "UTC-14")
    time.tzset()
    assert time.localtime().tm_gmtoff == 14 * 3600
    try:
        assert len(x5c.verify_chain({"x5c": [_b64(leaf)]}, [root])) == 2
        # seconds since the epoch are a UTC instant too, not a local wall-clock time
        start = (NOW - timedelta(days=30) + timedelta(hours=1)).timestamp()
        header = {"x5c": [_b64(pki.leaf), _b64(pki.inter)]}
        monkeypatch.setenv("TZ", "UTC+5")
        time.tzset()
        assert time.localtime().tm_gmtoff == -5 * 3600
        assert len(x5c.verify_chain(header, [pki.root], now=start)) == 3
    finally:
        monkeypatch.undo()
        time.tzset()


@needs_verification
def test_trust_store_refusals_say_why(pki: PKI) -> None:
    cases = [
        ([], "a TrustStore needs at least one trust anchor"),
        ([7], "a trust anchor must be a certificate, PEM or DER, not int"),
        ([b"\x30\x03\x02\x01\x01"], "a trust anchor is not a readable X.509 certificate"),
        # non-ASCII text is no PEM: refused as unreadable, never a UnicodeEncodeError
        (["caf\u00e9 -----BEGIN CERTIFICATE-----"],
         "a trust anchor is not a readable X.509 certificate"),
        ("\u00e9", "a trust anchor is not a readable X.509 certificate"),
    ]
    for trust, message in cases:
        with pytest.raises(InvalidArgumentError) as info:
            x5c.TrustStore(trust)
        assert str(info.value) == message
    assert len(cases) == 5


@needs_verification
def test_the_trust_store_repr_names_three_anchors(pki: PKI) -> None:
    names = [pki.make(pki.root_key, f"Root {n}", pki.root_key, f"Root {n}", ca=True, usage="ca")
             for n in range(4)]  # fmt: skip
    assert repr(x5c.TrustStore(names[:1])) == "TrustStore(['CN=Root 0'])"
    assert repr(x5c.TrustStore(names[:3])) == (
        "TrustStore(['CN=Root 0', 'CN=Root 1', 'CN=Root 2'])"
    )
    assert repr(x5c.TrustStore(names)) == (
        "TrustStore(['CN=Root 0', 'CN=Root 1', 'CN=Root 2', ... (4 anchors)])"
    )


def test_a_cryptography_without_a_version_is_named_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not HAVE_CRYPTOGRAPHY:
        pytest.skip("simulates a cryptography release")
    import cryptography

    _block_cryptography(monkeypatch, keep=True)
    monkeypatch.delattr(cryptography, "__version__")
    with pytest.raises(MissingCryptographyError) as info:
        x5c.TrustStore([b"anchor"])
    assert str(info.value) == (
        "verifying an x5c chain needs cryptography 45.0 or newer (installed: unknown);"
        " pip install 'cryptography>=45.0'"
    )


@needs_verification
def test_the_signature_switch_refusal_says_why(pki: PKI) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        _decode(pki, _token(pki), options={"verify_signature": False})
    assert str(info.value) == "x5c.decode always verifies; verify_signature cannot be off"


@needs_verification
def test_now_refusals_say_why(pki: PKI) -> None:
    for now, message in (("now", "now must be a number of seconds or a datetime"),
                         (1e300, "now is not a representable time")):  # fmt: skip
        with pytest.raises(InvalidArgumentError) as info:
            _decode(pki, _token(pki), now=now)
        assert str(info.value) == message


@needs_verification
def test_no_leeway_by_default(pki: PKI) -> None:
    late = EPOCH + 600  # the token's exp: expired at that very second (RFC 7519 §4.1.4)
    complete = x5c.decode_complete
    for call in (lambda **kw: _decode(pki, _token(pki), **kw),
                 lambda **kw: complete(_token(pki), [pki.root], algorithms=["ES256"], **kw)):
        with pytest.raises(ExpiredSignatureError):
            call(now=late)
        assert call(now=late, leeway=1)


@needs_verification
def test_every_claim_check_is_passed_on(pki: PKI) -> None:
    """x5c.decode refuses what jwtlite.decode would, argument by argument."""
    token = _token(pki)
    refusals: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"audience": "https://app.example"}, MissingRequiredClaimError),
        ({"issuer": "https://other.example"}, InvalidIssuerError),
        ({"subject": "user-1"}, InvalidSubjectError),
        ({"typ": "at+jwt"}, InvalidTokenError),
        ({"max_age": 30}, ExpiredSignatureError),
        ({"options": {"require": ["sub"]}}, MissingRequiredClaimError),
    ]
    for kwargs, error in refusals:
        with pytest.raises(error):
            _decode(pki, token, **kwargs)
        with pytest.raises(error):
            x5c.decode_complete(token, [pki.root], algorithms=["ES256"], now=NOW, **kwargs)
        assert _decode(pki, token)  # the same token passes without that argument
    assert len(refusals) == 6
    assert _decode(pki, token, issuer="https://vendor.example", max_age=120)["iss"]


@needs_verification
def test_the_leaf_usage_rule_says_why(pki: PKI) -> None:
    from cryptography import x509

    bits = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                          "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                          "encipher_only", "decipher_only"), False)  # fmt: skip
    with pytest.raises(ValueError, match=r"^the leaf's keyUsage does not allow digitalSignature$"):
        x5c._signs(None, pki.leaf, x509.KeyUsage(**{**bits, "key_encipherment": True}))
    assert x5c._signs(None, pki.leaf, x509.KeyUsage(**{**bits, "digital_signature": True})) is None


@pytest.mark.skipif(not HAVE_CRYPTOGRAPHY, reason="simulates an old cryptography release")
def test_a_client_verifier_without_extension_policies_is_too_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # cryptography 43 and 44 verify client chains but cannot require the leaf's keyUsage.
    import cryptography.x509

    class PolicyBuilder:
        def build_client_verifier(self) -> None: ...

    old = type(cryptography)("cryptography.x509.verification")
    old.PolicyBuilder = PolicyBuilder  # type: ignore[attr-defined]
    monkeypatch.setattr(cryptography.x509, "verification", old, raising=False)
    monkeypatch.setitem(__import__("sys").modules, "cryptography.x509.verification", old)
    with pytest.raises(MissingCryptographyError, match=r"45\.0 or newer"):
        x5c.TrustStore([b"anchor"])
