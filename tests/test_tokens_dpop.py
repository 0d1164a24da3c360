"""TokenService with DPoP (RFC 9449): bound pairs (§5, §6.1), bound refresh tokens for public
clients (§5), and a bound access token refused as a bearer token (§7.2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import FakeClock, key_pem

from jwtlite.api import PyJWT
from jwtlite.dpop import DPoPKey, bound_jkt, verify_proof
from jwtlite.exceptions import (
    DPoPBindingError,
    InvalidArgumentError,
    InvalidTokenError,
    RevokedTokenError,
)
from jwtlite.revocation import MemoryStore
from jwtlite.tokens import TokenPair, TokenService

SECRET = "k" * 32
ISS = "https://issuer.test"
AUD = "https://api.test"
NOW = 1_700_000_000.0
KEY = DPoPKey(key_pem("ec_p256.pem"))
OTHER = DPoPKey(key_pem("ed25519.pem"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def service(clock: FakeClock) -> TokenService:
    return TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock,
                        store=MemoryStore(clock=clock))


def _claims(token: str) -> dict[str, Any]:
    return PyJWT().decode(token, options={"verify_signature": False})


def test_a_proof_binds_both_tokens(service: TokenService) -> None:
    pair = service.issue("alice", {"scope": "read"}, jkt=KEY.jkt)
    assert pair.token_type == "DPoP"
    assert pair.to_response()["token_type"] == "DPoP"  # RFC 9449 §5, Figure 6
    for token in (pair.access_token, pair.refresh_token):
        assert _claims(token)["cnf"] == {"jkt": KEY.jkt}
    claims = service.verify_access(pair.access_token, jkt=KEY.jkt)
    assert bound_jkt(claims) == KEY.jkt
    assert claims["scope"] == "read"


def test_without_a_proof_nothing_is_bound(service: TokenService) -> None:
    pair = service.issue("alice")
    assert pair.token_type == "Bearer"
    assert "cnf" not in _claims(pair.access_token)
    assert "cnf" not in _claims(pair.refresh_token)
    service.verify_access(pair.access_token)
    assert service.refresh(pair.refresh_token).token_type == "Bearer"


def test_7_2_a_bound_token_is_not_a_bearer_token(service: TokenService) -> None:
    pair = service.issue("alice", jkt=KEY.jkt)
    with pytest.raises(DPoPBindingError, match="is DPoP-bound: present it with a DPoP proof"):
        service.verify_access(pair.access_token)
    assert issubclass(DPoPBindingError, InvalidTokenError)


def test_6_a_proof_by_another_key_is_refused(service: TokenService) -> None:
    pair = service.issue("alice", jkt=KEY.jkt)
    with pytest.raises(DPoPBindingError, match="not the key the access token is bound to"):
        service.verify_access(pair.access_token, jkt=OTHER.jkt)


def test_7_1_an_unbound_token_with_the_dpop_scheme(service: TokenService) -> None:
    pair = service.issue("alice")
    with pytest.raises(DPoPBindingError, match="access token is not DPoP-bound"):
        service.verify_access(pair.access_token, jkt=KEY.jkt)


def test_binding_is_checked_before_revocation_and_freshness(service: TokenService) -> None:
    pair = service.issue("alice", jkt=KEY.jkt)
    service.verify_access(pair.access_token, fresh=True, jkt=KEY.jkt)
    service.revoke(pair.access_token)
    with pytest.raises(RevokedTokenError):
        service.verify_access(pair.access_token, jkt=KEY.jkt)
    with pytest.raises(DPoPBindingError):
        service.verify_access(pair.access_token)


def test_5_a_bound_refresh_token_needs_its_key(service: TokenService) -> None:
    pair = service.issue("alice", jkt=KEY.jkt)
    for jkt, message in (
        (None, "the refresh token is DPoP-bound: present it with a DPoP proof"),
        (OTHER.jkt, "the DPoP proof's key is not the key the refresh token is bound to"),
    ):
        with pytest.raises(DPoPBindingError) as info:
            service.refresh(pair.refresh_token, jkt=jkt)
        assert str(info.value) == message
    # Refused before being spent: the holder of the key can still use it, once.
    renewed = service.refresh(pair.refresh_token, jkt=KEY.jkt)
    assert renewed.token_type == "DPoP"
    assert _claims(renewed.access_token)["cnf"] == {"jkt": KEY.jkt}
    assert _claims(renewed.refresh_token)["cnf"] == {"jkt": KEY.jkt}
    assert _claims(renewed.access_token)["fresh"] is False
    service.verify_access(renewed.access_token, jkt=KEY.jkt)
    with pytest.raises(RevokedTokenError, match="reused"):
        service.refresh(pair.refresh_token, jkt=KEY.jkt)


def test_an_unbound_refresh_token_may_take_a_binding(service: TokenService) -> None:
    pair = service.issue("alice")
    renewed = service.refresh(pair.refresh_token, jkt=KEY.jkt)
    assert renewed.token_type == "DPoP"
    assert bound_jkt(_claims(renewed.refresh_token)) == KEY.jkt
    with pytest.raises(DPoPBindingError):
        service.refresh(renewed.refresh_token)


def test_reuse_interval_replays_the_bound_successor(clock: FakeClock) -> None:
    service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock,
                           refresh_reuse_interval=30)
    pair = service.issue("alice", jkt=KEY.jkt)
    first = service.refresh(pair.refresh_token, jkt=KEY.jkt)
    assert first.token_type == "DPoP"  # the successor is bound too (RFC 9449 §5)
    for token in (first.access_token, first.refresh_token):
        assert bound_jkt(_claims(token)) == KEY.jkt
    clock.now += 5
    again = service.refresh(pair.refresh_token, jkt=KEY.jkt)
    assert again == first
    assert isinstance(again, TokenPair)
    with pytest.raises(DPoPBindingError):
        service.refresh(pair.refresh_token, jkt=OTHER.jkt)


@pytest.mark.parametrize("jkt", ["", "short", "x" * 44, "a" * 42 + "=", 43, b"a" * 43])
def test_jkt_must_be_a_thumbprint(service: TokenService, jkt: Any) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        service.issue("alice", jkt=jkt)
    assert str(info.value) == "jkt must be an RFC 7638 SHA-256 thumbprint (43 characters)"
    pair = service.issue("alice")
    with pytest.raises(InvalidArgumentError, match="RFC 7638"):
        service.refresh(pair.refresh_token, jkt=jkt)


def test_cnf_is_the_services_own_claim(service: TokenService) -> None:
    with pytest.raises(InvalidArgumentError, match="may not set cnf"):
        service.issue("alice", {"cnf": {"jkt": KEY.jkt}})


def test_a_foreign_confirmation_method_is_refused(clock: FakeClock) -> None:
    # A token bound by mTLS (RFC 8705 cnf.x5t#S256) cannot be honoured by a DPoP check.
    service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock)
    claims = {"iss": ISS, "aud": AUD, "sub": "a", "iat": int(NOW), "exp": int(NOW) + 60,
              "jti": "j", "fam": "f", "cnf": {"x5t#S256": "abc"}}
    token = PyJWT().encode(claims, SECRET, algorithm="HS256", headers={"typ": "at+jwt"})
    with pytest.raises(DPoPBindingError, match="not a DPoP key binding"):
        service.verify_access(token)


def test_end_to_end_with_proofs(service: TokenService, clock: FakeClock) -> None:
    # What a guard does: check the token request's proof, issue bound; then each request's.
    store = MemoryStore(clock=clock)
    login = KEY.proof("POST", "https://as.test/login", iat=NOW)
    proof = verify_proof(login, htm="POST", htu="https://as.test/login", store=store, now=NOW)
    pair = service.issue("alice", jkt=proof.jkt)
    request = KEY.proof("GET", "https://rs.test/me", access_token=pair.access_token, iat=NOW)
    checked = verify_proof(request, htm="GET", htu="https://rs.test/me", store=store, now=NOW,
                           access_token=pair.access_token)
    assert service.verify_access(pair.access_token, jkt=checked.jkt)["sub"] == "alice"
    # A stolen token with the thief's own proof: the proof is fine, the binding is not.
    stolen = OTHER.proof("GET", "https://rs.test/me", access_token=pair.access_token, iat=NOW)
    thief = verify_proof(stolen, htm="GET", htu="https://rs.test/me", store=store, now=NOW,
                         access_token=pair.access_token)
    with pytest.raises(DPoPBindingError):
        service.verify_access(pair.access_token, jkt=thief.jkt)


def test_lifetimes_unchanged(clock: FakeClock) -> None:
    service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock,
                           access_ttl=timedelta(minutes=5))
    pair = service.issue("alice", jkt=KEY.jkt)
    assert (pair.expires_in, pair.refresh_expires_in) == (300, 14 * 86400)
