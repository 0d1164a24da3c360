"""ES256 and Ed25519: the pure backend against python-ecdsa, and the ``cryptography`` backend
against PyJWT (issue 4).

Run: ``python tests/benchmarks/bench_ec.py``. A report, not a test: it always exits 0.

Like is compared with like. The primitive rows time jwtlite's backend functions
(``get_backend("pure").ecdsa_verify(key, "sha256", msg, sig)``) against python-ecdsa's verify
and sign of the same message. python-ecdsa's key objects are built once, outside the timed
loop, because jwtlite's key cache likewise reuses its key objects (and the per-key tables the
pure backend hangs on them). python-ecdsa can also precompute a table for a public key
(``VerifyingKey.precompute()``); that variant is reported as well, as information. Full
``jwtlite.decode`` times, with the PEM string passed on every call, are reported too.
"""

from __future__ import annotations

import hashlib
from typing import Any

import _timing

import jwtlite
from jwtlite.b64url import b64url_decode
from jwtlite.backends import get_backend, set_backend
from jwtlite.keys import ECPrivateKey, ECPublicKey, OKPPrivateKey

KEYS = _timing.KEYS
FORMATS = _timing.FORMATS
EC_PEM = (KEYS / "ec_p256.pem").read_text()
EC_PUBLIC_PEM = FORMATS["ec_p256"]["spki_pem"]
ED_PEM = (KEYS / "ed25519.pem").read_text()
ED_PUBLIC_PEM = FORMATS["ed25519"]["spki_pem"]
PAYLOAD = _timing.PAYLOAD
CHECKS = _timing.CHECKS


def _split(token: str) -> tuple[bytes, bytes]:
    head, body, sig = token.split(".")
    return f"{head}.{body}".encode(), b64url_decode(sig)


def _check(contenders: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    for name, fn in contenders:
        if fn() not in (PAYLOAD, True, None):  # python-ecdsa's verify returns True
            raise SystemExit(f"{name} did not do the job")
    return contenders


def _es256_verify(key: ECPrivateKey, ecdsa: Any) -> dict[str, _timing.Stats]:
    backend = get_backend("pure")
    token = jwtlite.encode(PAYLOAD, key, algorithm="ES256")
    msg, sig = _split(token)
    public = key.public_key()
    contenders: list[tuple[str, Any]] = [
        ("pure ecdsa_verify", lambda: backend.ecdsa_verify(public, "sha256", msg, sig)),
        ("pure jwtlite.decode", lambda: jwtlite.decode(
            token, EC_PUBLIC_PEM, algorithms=["ES256"], **CHECKS)),
    ]  # fmt: skip
    if ecdsa is not None:
        raw = key.x.to_bytes(32, "big") + key.y.to_bytes(32, "big")
        vk = ecdsa.VerifyingKey.from_string(raw, curve=ecdsa.NIST256p, hashfunc=hashlib.sha256)
        # from_string leaves the point without its order, which precompute() needs.
        point = ecdsa.ellipticcurve.Point(ecdsa.NIST256p.curve, key.x, key.y, ecdsa.NIST256p.order)
        vk_pre = ecdsa.VerifyingKey.from_public_point(
            point, curve=ecdsa.NIST256p, hashfunc=hashlib.sha256
        )
        vk_pre.precompute()
        decode = ecdsa.util.sigdecode_string
        contenders += [
            ("python-ecdsa verify", lambda: vk.verify(sig, msg, sigdecode=decode)),
            ("python-ecdsa verify, precomputed", lambda: vk_pre.verify(
                sig, msg, sigdecode=decode)),
        ]  # fmt: skip
    stats = _timing.run(_check(contenders))
    _timing.print_table("ES256 verify (P-256), pure backend", stats, "pure ecdsa_verify")
    return stats


def _es256_verify_cold(key: ECPrivateKey, ecdsa: Any) -> None:
    """Information only: a key object built for every call, so no per-key table is reused."""
    backend = get_backend("pure")
    msg, sig = _split(jwtlite.encode(PAYLOAD, key, algorithm="ES256"))
    curve, x, y = key.curve, key.x, key.y
    contenders: list[tuple[str, Any]] = [
        ("pure ecdsa_verify, new ECPublicKey", lambda: backend.ecdsa_verify(
            ECPublicKey(curve, x, y), "sha256", msg, sig)),
    ]  # fmt: skip
    if ecdsa is not None:
        raw = x.to_bytes(32, "big") + y.to_bytes(32, "big")
        decode = ecdsa.util.sigdecode_string
        contenders.append(
            ("python-ecdsa from_string + verify", lambda: ecdsa.VerifyingKey.from_string(
                raw, curve=ecdsa.NIST256p, hashfunc=hashlib.sha256
            ).verify(sig, msg, sigdecode=decode)),
        )  # fmt: skip
    stats = _timing.run(_check(contenders), rounds=max(3, _timing.ROUNDS // 3))
    _timing.print_table(
        "ES256 verify with a cold key (information, no goal)",
        stats,
        "pure ecdsa_verify, new ECPublicKey",
    )


def _es256_sign(key: ECPrivateKey, ecdsa: Any) -> dict[str, _timing.Stats]:
    backend = get_backend("pure")
    msg, _ = _split(jwtlite.encode(PAYLOAD, key, algorithm="ES256"))
    contenders: list[tuple[str, Any]] = [
        ("pure ecdsa_sign", lambda: backend.ecdsa_sign(key, "sha256", msg)),
        ("pure jwtlite.encode", lambda: jwtlite.encode(PAYLOAD, EC_PEM, algorithm="ES256")),
    ]
    if ecdsa is not None:
        sk = ecdsa.SigningKey.from_secret_exponent(
            key.d, curve=ecdsa.NIST256p, hashfunc=hashlib.sha256
        )
        encode = ecdsa.util.sigencode_string
        contenders.append(
            ("python-ecdsa sign_deterministic", lambda: sk.sign_deterministic(
                msg, hashfunc=hashlib.sha256, sigencode=encode)),
        )  # fmt: skip
    stats = _timing.run(contenders)
    _timing.print_table("ES256 sign (P-256), pure backend", stats, "pure ecdsa_sign")
    return stats


def _ed25519_verify(key: OKPPrivateKey, ecdsa: Any) -> dict[str, _timing.Stats]:
    backend = get_backend("pure")
    token = jwtlite.encode(PAYLOAD, key, algorithm="EdDSA")
    msg, sig = _split(token)
    public = key.public_key()
    contenders: list[tuple[str, Any]] = [
        ("pure eddsa_verify", lambda: backend.eddsa_verify(public, msg, sig)),
        ("pure jwtlite.decode", lambda: jwtlite.decode(
            token, ED_PUBLIC_PEM, algorithms=["EdDSA"], **CHECKS)),
    ]  # fmt: skip
    if ecdsa is not None:
        vk = ecdsa.VerifyingKey.from_string(key.x, curve=ecdsa.Ed25519)
        vk_pre = ecdsa.VerifyingKey.from_string(key.x, curve=ecdsa.Ed25519)
        vk_pre.precompute()
        contenders += [
            ("python-ecdsa verify", lambda: vk.verify(sig, msg)),
            ("python-ecdsa verify, precomputed", lambda: vk_pre.verify(sig, msg)),
        ]
    stats = _timing.run(_check(contenders))
    _timing.print_table("Ed25519 verify, pure backend", stats, "pure eddsa_verify")
    return stats


def _cryptography_es256(key: ECPrivateKey, pyjwt: Any) -> dict[str, _timing.Stats] | None:
    try:
        set_backend("cryptography")
    except jwtlite.exceptions.BackendUnavailableError:
        print("SKIP: the cryptography backend is unavailable; its rows are omitted\n")
        return None
    backend = get_backend("cryptography")
    token = jwtlite.encode(PAYLOAD, key, algorithm="ES256")
    msg, sig = _split(token)
    public = key.public_key()
    contenders: list[tuple[str, Any]] = [
        ("cryptography jwtlite.decode", lambda: jwtlite.decode(
            token, EC_PUBLIC_PEM, algorithms=["ES256"], **CHECKS)),
        ("cryptography ecdsa_verify", lambda: backend.ecdsa_verify(public, "sha256", msg, sig)),
    ]  # fmt: skip
    if pyjwt is not None:
        contenders.append(
            ("PyJWT decode", lambda: pyjwt.decode(
                token, EC_PUBLIC_PEM, algorithms=["ES256"], **CHECKS)),
        )  # fmt: skip
    stats = _timing.run(_check(contenders))
    _timing.print_table(
        "ES256 decode, PEM string passed on every call", stats, "cryptography jwtlite.decode"
    )
    return stats


def _goals(
    verify: dict[str, _timing.Stats],
    sign: dict[str, _timing.Stats],
    ed: dict[str, _timing.Stats],
    remote: dict[str, _timing.Stats] | None,
) -> None:
    goal = _timing.Goal
    _timing.print_goals(
        [
            goal("pure ES256 verify <= 0.5x python-ecdsa", "pure ecdsa_verify",
                 "python-ecdsa verify", 0.5),
            goal("pure ES256 verify vs python-ecdsa with precompute()", "pure ecdsa_verify",
                 "python-ecdsa verify, precomputed", 0, info=True),
        ],
        verify,
    )  # fmt: skip
    _timing.print_goals(
        [
            goal("pure Ed25519 verify <= 0.5x python-ecdsa", "pure eddsa_verify",
                 "python-ecdsa verify", 0.5),
            goal("pure Ed25519 verify vs python-ecdsa with precompute()", "pure eddsa_verify",
                 "python-ecdsa verify, precomputed", 0, info=True),
        ],
        ed,
    )  # fmt: skip
    _timing.print_goals(
        [goal("pure ES256 sign <= 0.5x python-ecdsa", "pure ecdsa_sign",
              "python-ecdsa sign_deterministic", 0.5)],
        sign,
    )  # fmt: skip
    _timing.print_goals(
        [goal("cryptography ES256 decode vs PyJWT (no goal)", "cryptography jwtlite.decode",
              "PyJWT decode", 0, info=True)],
        remote or {},
    )  # fmt: skip


def main() -> None:
    _timing.header_line("bench_ec.py: ES256 (P-256) and Ed25519")
    pyjwt = _timing.optional_import("jwt", "PyJWT")
    ecdsa = _timing.optional_import("ecdsa", "python-ecdsa")
    crypto = _timing.optional_import("cryptography", "cryptography")
    versions = {"jwtlite": jwtlite.__version__}
    for label, mod in (("PyJWT", pyjwt), ("python-ecdsa", ecdsa), ("cryptography", crypto)):
        if mod is not None:
            versions[label] = mod.__version__
    _timing.print_machine(versions)
    print(
        "python-ecdsa key objects are built once, outside the timed loop, as jwtlite's key\n"
        "cache reuses its key objects; 'precomputed' rows also call VerifyingKey.precompute().\n"
    )

    ec_key, ed_key = jwtlite.load_key(EC_PEM), jwtlite.load_key(ED_PEM)
    assert isinstance(ec_key, ECPrivateKey)
    assert isinstance(ed_key, OKPPrivateKey)
    set_backend("pure")
    verify = _es256_verify(ec_key, ecdsa)
    _es256_verify_cold(ec_key, ecdsa)
    sign = _es256_sign(ec_key, ecdsa)
    ed = _ed25519_verify(ed_key, ecdsa)
    remote = _cryptography_es256(ec_key, pyjwt)
    set_backend(None)
    _goals(verify, sign, ed, remote)


if __name__ == "__main__":
    main()
