"""Hostile tokens against both guards as resource servers (docs/access-tokens.md): an external
authorization server's RFC 9068 access tokens, its JWKS served on loopback. The same request
gets the same answer from Flask and FastAPI; a token that passes is one the AS signed; every
refusal is 401 ``invalid_token`` (RFC 9068 §4) or 403 ``insufficient_scope``; and tokens with
kids the AS never published do not make the guards fetch the JWKS again and again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

flask = pytest.importorskip("flask")
pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi import Depends, FastAPI  # noqa: E402
from test_access_token import AS, AS_KEY, AS_PUBLIC, NOW, OTHER_KEY, RS, _claims, _token  # noqa: E402
from test_guard_hostile import _SWEEP, _answer, _ASGIClient  # noqa: E402
from test_jwks_client import Clock, Server, _serve  # noqa: E402

from jwtlite.access_token import AccessTokenVerifier  # noqa: E402
from jwtlite.b64url import b64url_encode  # noqa: E402
from jwtlite.flask import JWTManager, current_claims  # noqa: E402
from jwtlite.jwk import key_to_jwk  # noqa: E402
from jwtlite.jwks_client import PyJWKClient  # noqa: E402
from jwtlite.keys import dump_pem  # noqa: E402
from jwtlite.starlette import JWTAuth  # noqa: E402

PUBLIC_JWK = key_to_jwk(AS_PUBLIC, kid="as-1", include_private=False)
ATTACKER_JWK = key_to_jwk(OTHER_KEY, include_private=False)


def _verifier(url: str) -> AccessTokenVerifier:
    # A frozen clock: the refetch cooldown never runs out during the sweep.
    client = PyJWKClient(url, clock=Clock())
    return AccessTokenVerifier(client, issuer=AS, audience=RS, algorithms=["RS256"],
                               clock=lambda: NOW)


def _flask(url: str) -> Any:
    app = flask.Flask("hostile_rs")
    jwt = JWTManager(app, verifier=_verifier(url))

    @app.get("/me")
    @jwt.required()
    def me() -> Any:
        return {"sub": current_claims()["sub"]}  # type: ignore[index]

    @app.get("/admin")
    @jwt.required(scopes=["admin"])
    def admin() -> Any:
        return {"ok": True}

    return app.test_client(use_cookies=False)


def _fastapi(url: str) -> _ASGIClient:
    auth = JWTAuth(verifier=_verifier(url))
    app = FastAPI()
    auth.init_app(app)

    @app.get("/me")
    async def me(claims: dict = Depends(auth)) -> Any:  # type: ignore[type-arg] # noqa: B008
        return {"sub": claims["sub"]}

    @app.get("/admin")
    async def admin(claims: Any = Depends(auth.required(scopes=["admin"]))) -> Any:  # noqa: B008
        return {"ok": True}

    return _ASGIClient(app)


class _Apps:
    def __init__(self, state: Server, url: str) -> None:
        self.state = state
        self.clients = (_flask(url), _fastapi(url))

    def both(self, path: str, token: str) -> Any:
        flask_client, fastapi_client = self.clients
        headers = {"Authorization": f"Bearer {token}"}
        reply = flask_client.get(path, headers=headers)
        flask_answer = _answer(reply, reply.get_json(silent=True) or {}, False)
        other = fastapi_client.request("GET", path, headers=headers)
        assert flask_answer == _answer(other, other.json() if other.content else {}, False)
        return flask_answer


@pytest.fixture(scope="module")
def apps() -> Iterator[_Apps]:
    state = Server()
    state.jwks(PUBLIC_JWK)
    with _serve(state) as base:
        yield _Apps(state, base + "/jwks")


def _hs256(secret: bytes, **header: Any) -> str:
    """Alg confusion: HS256 keyed with what the AS publishes (RFC 8725 §2.1)."""
    fields = {"typ": "at+jwt", "kid": "as-1", **header, "alg": "HS256"}
    signing_input = ".".join(b64url_encode(json.dumps(part).encode())
                             for part in (fields, _claims()))
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url_encode(mac)


def test_the_golden_token_passes_on_both(apps: _Apps) -> None:
    assert apps.both("/me", _token())[0] == 200
    assert apps.both("/admin", _token(_claims(scope="read admin")))[0] == 200
    assert apps.both("/admin", _token())[:2] == (403, "insufficient_scope")


@pytest.mark.parametrize("token", [
    _hs256(dump_pem(AS_PUBLIC).encode()), _hs256(json.dumps(PUBLIC_JWK).encode()),
    _hs256(PUBLIC_JWK["n"].encode()), _hs256(b"", kid=None),
    _token(key=OTHER_KEY, kid=None, jwk=ATTACKER_JWK),
    _token(key=OTHER_KEY, jwk=ATTACKER_JWK),
    _token(key=OTHER_KEY, jwk={**ATTACKER_JWK, "kid": "as-1"}),
    _token(key=OTHER_KEY, kid=None, jku="http://127.0.0.1:9/jwks"),
    _token(key=OTHER_KEY, x5u="http://127.0.0.1:9/cert.pem"),
    _token(key=OTHER_KEY, kid=None, x5c=["MIIB"]),
])
def test_a_header_cannot_choose_the_key(apps: _Apps, token: str) -> None:
    # RFC 8725 §3.10 / §2.1: jwk, jku, x5u, x5c never choose trust; alg is the verifier's.
    assert apps.both("/me", token)[:2] == (401, "invalid_token")


_KIDS = st.one_of(st.sampled_from(["as-1", None, "", "as-2", "AS-1", "as-1 ", "../jwks", 1,
                                   ["as-1"], {"$ne": 1}, True, "a" * 10_000]),
                  st.text(max_size=12))
_TYPS = st.sampled_from(["at+jwt", "application/at+jwt", "AT+JWT", None, "JWT", "jwt",
                         "at+jwt ", "", 1, ["at+jwt"], "dpop+jwt"])
_AUDS = st.sampled_from([RS, [RS], [RS, "other"], ["other"], [], [[RS]], {RS: 1}, RS + " ",
                         None, 1, RS + "/"])
_SCOPES = st.sampled_from(["read admin", "admin", " admin", "admin ", "read  admin", "ADMIN",
                           ["admin"], {"admin": 1}, 1, True, None, "", "adm", "admin\x00",
                           "admin\u00a0"])
_SIGNERS = st.sampled_from(["as", "as", "other", "hs-pem", "none"])


@st.composite
def _tokens(draw: Any) -> tuple[str, bool]:
    """A token, and whether the AS's key signed it with RS256."""
    claims = _claims(aud=draw(_AUDS), scope=draw(_SCOPES))
    if draw(st.booleans()):
        claims["client_id"] = draw(st.sampled_from([1, ["app"], "", None, "app"]))
        claims = {name: value for name, value in claims.items() if value is not None}
    header: dict[str, Any] = {"typ": draw(_TYPS), "kid": draw(_KIDS)}
    extra = draw(st.sampled_from([{}, {"jku": "http://127.0.0.1:9/x"}, {"jwk": ATTACKER_JWK},
                                  {"x5u": "http://127.0.0.1:9/c"}, {"crit": ["exp"]},
                                  {"cty": "JWT"}]))
    signer = draw(_SIGNERS)
    if signer == "hs-pem":
        return _hs256(dump_pem(AS_PUBLIC).encode(), **header, **extra), False
    if signer == "none":
        return _token(claims, key=None, alg="none", **header, **extra), False
    key = AS_KEY if signer == "as" else OTHER_KEY
    return _token(claims, key=key, **header, **extra), signer == "as"


@settings(_SWEEP, max_examples=120)
@given(token=_tokens(), path=st.sampled_from(["/me", "/admin"]))
def test_hostile_access_tokens(apps: _Apps, token: tuple[str, bool], path: str) -> None:
    text, by_the_as = token
    status, error, _reason, _challenge = apps.both(path, text)
    assert status in {200, 401, 403}
    if status != 200:
        assert error == ("insufficient_scope" if status == 403 else "invalid_token")
    else:
        assert by_the_as
    # The AS published one key; every kid it never published was looked up at most once
    # more per client (the refetch cooldown), not once per token.
    assert apps.state.count <= 4


def test_unknown_kids_do_not_refetch_the_jwks_per_token() -> None:
    # RFC 8725 §3.10's trust rule has a cost side: a kid the AS never published must not make
    # every request a JWKS fetch (a reflected DoS on the AS). One refetch per client, then the
    # cooldown holds while the clock does not move.
    state = Server()
    state.jwks(PUBLIC_JWK)
    with _serve(state) as base:
        local = _Apps(state, base + "/jwks")
        assert local.both("/me", _token())[0] == 200
        assert state.count == 2  # one first fetch per app
        for n in range(50):
            assert local.both("/me", _token(kid=f"kid-{n}"))[:2] == (401, "invalid_token")
        assert state.count == 4  # one forced refetch per app for the first unknown kid
