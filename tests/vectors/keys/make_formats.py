"""Write other encodings of the pool keys, for the key-loading tests.

Run from anywhere with ``cryptography`` installed and ``openssl`` (1.1.1 or 3.x) on PATH:

    python tests/vectors/keys/make_formats.py

The outputs are committed, so the tests run without either tool. Encodings come from
``cryptography`` and ``openssl``, never from jwtlite, so the tests compare jwtlite against
independent encoders. Certificates and encrypted files embed randomness (ECDSA signatures,
salts), so a re-run changes their bytes but not their meaning.
"""

from __future__ import annotations

import base64
import datetime
import json
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).parent
POOL = [
    "rsa1024",
    "rsa2048",
    "rsa2048_b",
    "rsa2304",
    "rsa2560",
    "rsa3072",
    "rsa3584",
    "rsa4096",
    "ec_p256",
    "ec_p384",
    "ec_p521",
    "ec_secp256k1",
    "ed25519",
    "ed448",
]
PASSWORD = b"jwtlite-test-password"  # documented in README.md
Enc = serialization.Encoding
Pub = serialization.PublicFormat
Priv = serialization.PrivateFormat
NONE = serialization.NoEncryption()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64url_uint(value: int, size: int | None = None) -> str:
    raw = value.to_bytes(size or max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def jwk_public(key: object) -> dict[str, str]:
    if isinstance(key, rsa.RSAPublicKey):
        nums = key.public_numbers()
        return {"kty": "RSA", "n": b64url_uint(nums.n), "e": b64url_uint(nums.e)}
    if isinstance(key, ec.EllipticCurvePublicKey):
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(
            key.curve.name, "secp256k1"
        )
        size = (key.curve.key_size + 7) // 8
        nums = key.public_numbers()
        return {
            "kty": "EC",
            "crv": crv,
            "x": b64url_uint(nums.x, size),
            "y": b64url_uint(nums.y, size),
        }
    raw = key.public_bytes(Enc.Raw, Pub.Raw)  # type: ignore[attr-defined]
    crv = "Ed25519" if isinstance(key, ed25519.Ed25519PublicKey) else "Ed448"
    return {"kty": "OKP", "crv": crv, "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}


def certificate(private: object, name: str) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"jwtlite test {name}")])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private.public_key())  # type: ignore[attr-defined]
        .serial_number(0x1F2E3D4C5B6A)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    algorithm = (
        None
        if isinstance(private, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey))
        else hashes.SHA256()
    )
    return builder.sign(private, algorithm)  # type: ignore[arg-type]


def encodings(name: str) -> dict[str, object]:
    private = serialization.load_pem_private_key((HERE / f"{name}.pem").read_bytes(), None)
    public = private.public_key()
    cert = certificate(private, name)
    out: dict[str, object] = {
        "pkcs8_der": b64(private.private_bytes(Enc.DER, Priv.PKCS8, NONE)),
        "spki_pem": public.public_bytes(Enc.PEM, Pub.SubjectPublicKeyInfo).decode(),
        "spki_der": b64(public.public_bytes(Enc.DER, Pub.SubjectPublicKeyInfo)),
        "cert_pem": cert.public_bytes(Enc.PEM).decode(),
        "cert_der": b64(cert.public_bytes(Enc.DER)),
        "jwk_public": json.dumps(jwk_public(public)),
    }
    if isinstance(private, rsa.RSAPrivateKey):
        out["pkcs1_pem"] = private.private_bytes(Enc.PEM, Priv.TraditionalOpenSSL, NONE).decode()
        out["pkcs1_der"] = b64(private.private_bytes(Enc.DER, Priv.TraditionalOpenSSL, NONE))
        out["pkcs1_public_pem"] = public.public_bytes(Enc.PEM, Pub.PKCS1).decode()
        out["pkcs1_public_der"] = b64(public.public_bytes(Enc.DER, Pub.PKCS1))
    if isinstance(private, ec.EllipticCurvePrivateKey):
        out["sec1_pem"] = private.private_bytes(Enc.PEM, Priv.TraditionalOpenSSL, NONE).decode()
        out["sec1_der"] = b64(private.private_bytes(Enc.DER, Priv.TraditionalOpenSSL, NONE))
    if name not in ("ec_secp256k1", "ed448"):  # OpenSSH has no key type for these
        out["ssh"] = public.public_bytes(Enc.OpenSSH, Pub.OpenSSH).decode() + f" test@{name}"
    return out


def openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def special_files() -> None:
    rsa2048 = (HERE / "rsa2048.pem").read_bytes()
    ec_p256 = (HERE / "ec_p256.pem").read_bytes()
    key = serialization.load_pem_private_key(rsa2048, None)
    best = serialization.BestAvailableEncryption(PASSWORD)
    (HERE / "rsa2048_encrypted.pem").write_bytes(key.private_bytes(Enc.PEM, Priv.PKCS8, best))
    # Explicit curve parameters (RFC 3279 §2.3.5 ECParameters) instead of a named curve.
    (HERE / "ec_p256_explicit.pem").write_bytes(
        openssl("ec", "-param_enc", "explicit", data=ec_p256)
    )
    (HERE / "ec_p256_explicit_pub.pem").write_bytes(
        openssl("ec", "-param_enc", "explicit", "-pubout", data=ec_p256)
    )
    (HERE / "ec_p256_compressed_pub.pem").write_bytes(
        openssl("ec", "-conv_form", "compressed", "-pubout", data=ec_p256)
    )
    # A three-prime RSA key (RFC 8017 §3.2, version 1 RSAPrivateKey with otherPrimeInfos).
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mp.pem"
        openssl(
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-pkeyopt",
            "rsa_keygen_primes:3",
            "-out",
            str(path),
        )
        (HERE / "rsa_multiprime.pem").write_bytes(openssl("rsa", "-traditional", "-in", str(path)))


def main() -> None:
    table = {name: encodings(name) for name in POOL}
    (HERE / "formats.json").write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    special_files()
    print(f"wrote formats.json ({len(table)} keys) and the special files")


if __name__ == "__main__":
    main()
