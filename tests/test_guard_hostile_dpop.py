"""Hostile DPoP (RFC 9449) against both guards, the sibling of test_guard_hostile.py: the same
request gets the same answer from the Flask and the FastAPI integration, never a 500, and every
refusal is a well-shaped 400/401 whose challenges (``Bearer`` and ``DPoP``) the attacker's text
cannot break; with the required policy and a nonce issuer, and with the optional policy.

Each framework gets its own TokenService (one secret, one clock, separate replay stores): a
proof accepted by one app is then also new to the other, so replay detection answers alike.
``base_url`` pins the URI a proof must name, whatever host each test client sends.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FakeClock, key_pem
from hypothesis import given, settings
from hypothesis import strategies as st

flask = pytest.importorskip("flask")
pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi import Depends, FastAPI, Request  # noqa: E402
from fastapi.responses import Response  # noqa: E402
from test_guard_hostile import _SWEEP, Headers, _answer, _ASGIClient  # noqa: E402

import jwtlite  # noqa: E402
from jwtlite.b64url import b64url_encode  # noqa: E402
from jwtlite.dpop import DPoPKey, DPoPPolicy, NonceIssuer  # noqa: E402
from jwtlite.flask import JWTManager, current_claims  # noqa: E402
from jwtlite.revocation import MemoryStore  # noqa: E402
from jwtlite.starlette import JWTAuth  # noqa: E402
from jwtlite.tokens import TokenService  # noqa: E402

NOW = 1_700_000_000.0
CLOCK = FakeClock(NOW)
ORIGIN = "https://rs.example"
KEY_PEM = key_pem("ec_p256.pem")
KEY = DPoPKey(KEY_PEM)
NONCES = NonceIssuer(b"n" * 32, clock=CLOCK)
NONCE = NONCES.issue(now=NOW)


def _service() -> TokenService:
    return TokenService(b"k" * 32, "HS256", issuer="https://auth.example", audience="api",
                        clock=CLOCK, store=MemoryStore(clock=CLOCK))


BOUND = _service().issue("alice", jkt=KEY.jkt).access_token
UNBOUND = _service().issue("alice").access_token
POLICIES = {
    "required": lambda: DPoPPolicy(required=True, nonces=NONCES, base_url=ORIGIN, clock=CLOCK),
    "optional": lambda: DPoPPolicy(base_url=ORIGIN, clock=CLOCK),
}


def _flask(policy: DPoPPolicy) -> Any:
    app = flask.Flask("hostile_dpop")
    jwt = JWTManager(app, _service(), dpop=policy)

    @app.route("/me", methods=["GET", "POST"])
    @jwt.required()
    def me() -> Any:
        return {"sub": current_claims()["sub"]}  # type: ignore[index]

    @app.get("/maybe")
    @jwt.required(optional=True)
    def maybe() -> Any:
        claims = current_claims()
        return {"sub": None if claims is None else claims["sub"]}

    @app.post("/login")
    def login() -> Any:
        return jwt.login_response("alice")

    return app.test_client(use_cookies=False)


def _fastapi(policy: DPoPPolicy) -> _ASGIClient:
    auth = JWTAuth(_service(), dpop=policy)
    app = FastAPI()
    auth.init_app(app)

    @app.api_route("/me", methods=["GET", "POST"])
    async def me(claims: dict = Depends(auth)) -> Any:  # type: ignore[type-arg] # noqa: B008
        return {"sub": claims["sub"]}

    @app.get("/maybe")
    async def maybe(claims: Any = Depends(auth.required(optional=True))) -> Any:  # noqa: B008
        return {"sub": None if claims is None else claims["sub"]}

    @app.post("/login")
    async def login(request: Request) -> Response:
        return await auth.login(request, "alice")

    return _ASGIClient(app)


CLIENTS = {name: (_flask(make()), _fastapi(make())) for name, make in POLICIES.items()}


def _both(policy: str, method: str, path: str, headers: Headers) -> Any:
    """One request to both apps: the same, well-shaped answer, with the same ``DPoP-Nonce``."""
    flask_client, fastapi_client = CLIENTS[policy]
    text = [(name, v.decode("latin-1") if isinstance(v, bytes) else v) for name, v in headers]
    raw = [(name, v.encode("latin-1") if isinstance(v, str) else v) for name, v in headers]
    reply = flask_client.open(path, method=method, headers=text)
    flask_answer = (*_answer(reply, reply.get_json(silent=True) or {}, False),
                    reply.headers.get("DPoP-Nonce"))
    other = fastapi_client.request(method, path, headers=raw)
    fastapi_answer = (*_answer(other, other.json() if other.content else {}, False),
                      other.headers.get("DPoP-Nonce"))
    assert flask_answer == fastapi_answer
    return flask_answer


def _proof(method: str = "GET", path: str = "/me", **options: Any) -> str:
    return KEY.proof(method, ORIGIN + path, iat=NOW, **options)


def _signed(header: dict[str, Any], claims: dict[str, Any] | None = None) -> str:
    """A proof signed by KEY whatever its header claims the key is."""
    payload = {"jti": "j" + str(len(json.dumps(header))), "htm": "GET", "htu": ORIGIN + "/me",
               "iat": NOW, "ath": jwtlite.dpop.access_token_hash(BOUND), "nonce": NONCE,
               **(claims or {})}
    return jwtlite.encode(payload, KEY_PEM, algorithm="ES256",
                          headers={"typ": "dpop+jwt", **header})


def _unsigned(header: dict[str, Any]) -> str:
    body = {"jti": "u", "htm": "GET", "htu": ORIGIN + "/me", "iat": NOW}
    parts = [b64url_encode(json.dumps(part).encode()) for part in (header, body)]
    return ".".join([*parts, b64url_encode(b"s" * 32)])


# --- the findings ---------------------------------------------------------------------------

@pytest.mark.parametrize(("policy", "authorization", "named"), [
    ("optional", "DPoP a b", "'DPoP <token>'"),
    ("optional", "DPoP", "'DPoP <token>'"),
    ("optional", "Bearer a b", "'Bearer <token>'"),
    ("optional", "Basic YWxpY2U=", "'Bearer <token>' or 'DPoP <token>'"),
    ("required", "DPoP a b", "'DPoP <token>'"),
    ("required", "Bearer a b", "'DPoP <token>'"),
    ("required", "Basic YWxpY2U=", "'DPoP <token>'"),
])
def test_a_malformed_authorization_is_described_by_the_schemes_accepted(
    policy: str, authorization: str, named: str
) -> None:
    # RFC 6750 §3.1 / RFC 9449 §7.1: the description must not send a DPoP client to Bearer.
    answer = _both(policy, "GET", "/me", [("Authorization", authorization),
                                          ("DPoP", _proof(access_token=BOUND, nonce=NONCE))])
    assert answer[:3] == (400, "invalid_request", "malformed")
    flask_client = CLIENTS[policy][0]
    reply = flask_client.get("/me", headers={"Authorization": authorization})
    assert reply.get_json()["message"] == f"the Authorization header is not {named}"
    assert f'error_description="the Authorization header is not {named}"' in (
        reply.headers["WWW-Authenticate"])


def test_the_golden_requests_pass_on_both() -> None:
    # The sweeps below would be vacuous if nothing could pass: a valid request does.
    for policy, nonce in (("required", NONCE), ("optional", None)):
        headers: Headers = [("Authorization", f"DPoP {BOUND}"),
                            ("DPoP", _proof(access_token=BOUND, nonce=nonce))]
        assert _both(policy, "GET", "/me", headers)[0] == 200
        assert _both(policy, "POST", "/login", [("DPoP", _proof("POST", "/login",
                                                                 nonce=nonce))])[0] == 200
    assert _both("optional", "GET", "/me", [("Authorization", f"Bearer {UNBOUND}")])[0] == 200


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_a_token_in_the_wrong_scheme_is_refused_by_both(policy: str) -> None:
    # RFC 9449 §7.2: a bound token as a bearer token, an unbound one with the DPoP scheme.
    nonce = NONCE if policy == "required" else None
    as_bearer: Headers = [("Authorization", f"Bearer {BOUND}"),
                          ("DPoP", _proof(access_token=BOUND, nonce=nonce))]
    assert _both(policy, "GET", "/me", as_bearer)[:3] == (401, "invalid_token", "dpop_binding")
    as_dpop: Headers = [("Authorization", f"DPoP {UNBOUND}"),
                        ("DPoP", _proof(access_token=UNBOUND, nonce=nonce))]
    assert _both(policy, "GET", "/me", as_dpop)[:3] == (401, "invalid_token", "dpop_binding")


# --- the sweeps -----------------------------------------------------------------------------

_PUBLIC = KEY.public_jwk
_X, _Y = _PUBLIC["x"], _PUBLIC["y"]
_OFF_CURVE_Y = _Y[:-2] + ("AA" if _Y[-2:] != "AA" else "AB")
_HOSTILE_JWKS: list[Any] = [
    {**_PUBLIC, "d": "AAAA"}, {**_PUBLIC, "k": "AAAA"}, {**_PUBLIC, "p": "AAAA"},
    {"kty": "RSA", "n": "A" * 400, "e": "AQAB"}, {"kty": "RSA", "n": "A" * 100_000, "e": "AQAB"},
    {"kty": "EC", "crv": "P-256", "x": _X, "y": _OFF_CURVE_Y},
    {"kty": "EC", "crv": "P-384", "x": _X, "y": _Y}, {"kty": "OKP", "crv": "Ed25519", "x": _X},
    {"kty": "oct", "k": "c2VjcmV0"}, {**_PUBLIC, "use": "enc"}, {**_PUBLIC, "alg": "ES384"},
    {**_PUBLIC, "x": 1}, {**_PUBLIC, "crv": ["P-256"]}, "jwk", [_PUBLIC], None, {},
    {"kty": "EC", "crv": "P-256", "x": "A" * 70_000, "y": _Y}, {"a": {"b": {"c": [[[]]]}}},
]
_HEADER_PROOFS = [_signed({"jwk": jwk}) for jwk in _HOSTILE_JWKS] + [
    _unsigned({"alg": "none", "typ": "dpop+jwt", "jwk": _PUBLIC}),
    _unsigned({"alg": "HS256", "typ": "dpop+jwt", "jwk": {"kty": "oct", "k": "c2VjcmV0"}}),
    _unsigned({"alg": "HS256", "typ": "dpop+jwt", "jwk": _PUBLIC}),
    _signed({"jwk": _PUBLIC, "typ": "JWT"}), _signed({"jwk": _PUBLIC, "typ": None}),
    _unsigned({"alg": "ES256", "typ": "dpop+jwt", "jwk": _PUBLIC, "crit": ["exp"]}),
    _unsigned({"alg": "ES256", "typ": "dpop+jwt", "jwk": _PUBLIC, "b64": False}),
    _signed({"jwk": _PUBLIC, "jku": "https://evil.example/jwks"}),
    _signed({"jwk": _PUBLIC}, {"htu": ORIGIN + "/other"}),
    _signed({"jwk": _PUBLIC}, {"htm": "POST"}), _signed({"jwk": _PUBLIC}, {"iat": "now"}),
    _signed({"jwk": _PUBLIC}, {"iat": 10**400}), _signed({"jwk": _PUBLIC}, {"jti": "j" * 5000}),
    _signed({"jwk": _PUBLIC}, {"ath": "x"}), _signed({"jwk": _PUBLIC}, {"nonce": "x" * 500}),
]
_REFUSED_PROOFS = _HEADER_PROOFS[:len(_HOSTILE_JWKS) + 7]  # the jwk, alg, typ, crit, b64 ones


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_a_proof_with_a_hostile_header_is_refused_by_both(policy: str) -> None:
    # RFC 9449 §4.3 checks 4, 5, 7 (typ, an asymmetric alg, a public jwk that fits it): the
    # proof is signed by KEY, so only the header checks stand between it and a 200.
    ran = 0
    for proof in _REFUSED_PROOFS:
        headers: Headers = [("Authorization", f"DPoP {BOUND}"), ("DPoP", proof)]
        answer = _both(policy, "GET", "/me", headers)
        assert answer[:3] == (401, "invalid_dpop_proof", "invalid_dpop_proof"), proof[:80]
        ran += 1
    assert ran == 26


_PROOFS = st.one_of(
    st.builds(lambda m, p, t, n: _proof(m, p, access_token=t, nonce=n),
              st.sampled_from(["GET", "POST", "get"]), st.sampled_from(["/me", "/login", "/x"]),
              st.sampled_from([BOUND, UNBOUND, None]), st.sampled_from([NONCE, None, "bad"])),
    st.sampled_from(_HEADER_PROOFS),
    st.sampled_from(["", "a" * 70_000, "a.b.c", "{}", '{"alg":"ES256"}', "e30.e30.", "...",
                     "Bearer x", ",", _proof(access_token=BOUND) + ", x"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40),
)
_AUTHORIZATIONS = st.one_of(
    st.builds(lambda s, t: f"{s} {t}", st.sampled_from(["DPoP", "dpop", "Bearer", "bearer"]),
              st.sampled_from([BOUND, UNBOUND, BOUND + "x", "a b", "", "%%"])),
    st.sampled_from(["DPoP", "Basic YWxpY2U=", "DPoP  x", "DPoP\tx", f"DPoP {BOUND}, DPoP x"]),
)


@st.composite
def _dpop_requests(draw: Any) -> Headers:
    headers: Headers = [("Authorization", draw(_AUTHORIZATIONS).encode("latin-1"))
                        for _ in range(draw(st.integers(0, 2)))]
    proofs = draw(st.lists(_PROOFS, max_size=3))
    return headers + [("DPoP", proof.encode("latin-1")) for proof in proofs]


@settings(_SWEEP, max_examples=200)  # ~3 ms an example
@given(headers=_dpop_requests(), policy=st.sampled_from(sorted(POLICIES)),
       route=st.sampled_from([("GET", "/me"), ("GET", "/maybe"), ("POST", "/login")]))
def test_hostile_dpop_requests(headers: Headers, policy: str, route: tuple[str, str]) -> None:
    status, _error, reason, _challenge, _nonce = _both(policy, *route, headers)
    if status == 200 and route[1] == "/me":
        # Only the bound token passes with the DPoP scheme, and a bearer token only when
        # DPoP is optional and the token is not bound (RFC 9449 §7.1, §7.2).
        authorization = dict(headers)["Authorization"]
        assert authorization in {f"DPoP {BOUND}".encode(), f"dpop {BOUND}".encode()} or (
            policy == "optional" and authorization.split()[-1] == UNBOUND.encode())
    if route[1] == "/login" and status >= 400:
        assert status == 400
        assert reason in {"invalid_dpop_proof", "dpop_nonce"}, reason


@pytest.mark.parametrize("host", ["rs.example?", "rs.example#", "rs.example/extra",
                                  "evil.example/extra", "rs.example?x=/other"])
def test_a_forged_host_does_not_move_the_uri_a_proof_must_name(host: str) -> None:
    # base_url pins the origin, and the request's own path goes under it: the authority a
    # framework built from Host ("/", "?" and "#" included) is not the path's. A proof made
    # for "/" or another path is refused at /me; the proof for /me passes.
    for path in ("/", "/extra/me", "/other", "/x=/other"):
        headers: Headers = [("Host", host), ("Authorization", f"DPoP {BOUND}"),
                            ("DPoP", _proof(path=path, access_token=BOUND))]
        assert _both("optional", "GET", "/me", headers)[:2] == (401, "invalid_dpop_proof"), path
    headers = [("Host", host), ("Authorization", f"DPoP {BOUND}"),
               ("DPoP", _proof(access_token=BOUND))]
    assert _both("optional", "GET", "/me", headers)[0] == 200
