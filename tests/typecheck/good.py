"""Typing at least as precise as PyJWT's: mypy --strict must accept this file as it is."""

from __future__ import annotations

import jwtlite
from jwtlite import PyJWS, PyJWT, generate_key
from jwtlite.jws import Signer, VerifiedSignature, decode_json, encode_json
from jwtlite.keys import ECPublicKey, OKPPublicKey, RSAPrivateKey
from jwtlite.types import FullOptions, Options, SigOptions


def key_generation_is_typed_by_family() -> None:
    ec_public: ECPublicKey = generate_key("ES256").public_key()
    okp_public: OKPPublicKey = generate_key("EdDSA").public_key()
    rsa: RSAPrivateKey = generate_key("PS384", size=3072)
    secret: bytes = generate_key("HS512")
    print(ec_public, okp_public, rsa, secret)
    generate_key("HS256").public_key()  # type: ignore[attr-defined]


def options_are_typed_dicts(token: str) -> None:
    options: Options = {"verify_exp": False, "require": ["exp", "iat"], "strict_aud": True}
    full: FullOptions = PyJWT(options=options).options
    sig: SigOptions = PyJWS(options={"verify_signature": True}).options
    print(full["verify_exp"], sig["verify_signature"])
    jwtlite.decode(token, "k" * 32, algorithms=["HS256"], options={"verify_aud": False})
    jwtlite.decode(token, "k" * 32, algorithms=["HS256"], options={"verify_exp": "no"})  # type: ignore[arg-type]
    jwtlite.decode(token, "k" * 32, algorithms=["HS256"], options={"verfy_exp": False})  # type: ignore[arg-type]
    PyJWS(options={"verify_exp": False})  # type: ignore[arg-type]


def misspelt_module_names_are_errors() -> None:
    print(jwtlite.encode, jwtlite.PyJWKClient, jwtlite.generate_key)
    print(jwtlite.encdoe)  # type: ignore[attr-defined]


def jws_json_is_typed(secret: bytes) -> None:
    document = encode_json(b"p", [Signer(secret, "HS256", header={"kid": "a"})], flattened=False)
    verified = decode_json(document, secret, algorithms=["HS256"], require="one")
    payload: bytes = verified.payload
    first: VerifiedSignature = verified.signatures[0]
    position: int = first.position
    protected: dict[str, object] = first.protected
    print(payload, position, protected, first.jose_header)
    decode_json(document, secret, algorithms=["HS256"], require="any")  # type: ignore[arg-type]
    encode_json("text", Signer(secret, "HS256"))  # type: ignore[arg-type]
