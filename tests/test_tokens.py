"""TokenService: issuing, verifying, rotating with reuse detection, and revoking pairs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock, key_pem
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite.api import PyJWS, PyJWT
from jwtlite.exceptions import (
    ExpiredSignatureError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWTError,
    RevokedTokenError,
    StaleTokenError,
)
from jwtlite.keys import load_key
from jwtlite.revocation import MemoryStore, RedisStore, RevocationStore, SQLiteStore
from jwtlite.tokens import ACCESS_TYP, REFRESH_TYP, TokenPair, TokenService

SECRET = "k" * 32
ISS = "https://issuer.test"
AUD = "https://api.test"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_000_000.0)


@pytest.fixture
def service(clock: FakeClock) -> TokenService:
    return TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock)


def _claims(token: str) -> dict[str, Any]:
    return PyJWT().decode(token, options={"verify_signature": False})


def test_issue_shapes_the_pair(service: TokenService, clock: FakeClock) -> None:
    pair = service.issue("alice", {"scope": "read"})
    assert pair.token_type == "Bearer"
    assert pair.expires_in == 900
    assert PyJWS().get_unverified_header(pair.access_token)["typ"] == ACCESS_TYP
    assert PyJWS().get_unverified_header(pair.refresh_token)["typ"] == REFRESH_TYP
    access, refresh = _claims(pair.access_token), _claims(pair.refresh_token)
    for claims in (access, refresh):
        assert claims["iss"] == ISS
        assert claims["aud"] == AUD
        assert claims["sub"] == "alice"
        assert claims["scope"] == "read"
        assert claims["iat"] == int(clock.now)
    assert access["exp"] == int(clock.now) + 900
    assert refresh["exp"] == int(clock.now) + 14 * 86400
    assert access["fam"] == refresh["fam"]
    assert access["jti"] != refresh["jti"]
    assert len(access["jti"]) >= 43


def test_to_response_is_rfc6749_5_1() -> None:
    pair = TokenPair(access_token="a", refresh_token="r", expires_in=60)
    assert pair.to_response() == {
        "access_token": "a",
        "token_type": "Bearer",
        "expires_in": 60,
        "refresh_token": "r",
    }


def test_ids_are_unique(service: TokenService) -> None:
    pairs = [service.issue("alice") for _ in range(20)]
    jtis = {_claims(t)["jti"] for p in pairs for t in (p.access_token, p.refresh_token)}
    families = {_claims(p.access_token)["fam"] for p in pairs}
    assert len(jtis) == 40
    assert len(families) == 20


def test_verify_access(service: TokenService) -> None:
    pair = service.issue("alice", {"scope": "read"})
    claims = service.verify_access(pair.access_token)
    assert claims["sub"] == "alice"
    assert claims["scope"] == "read"


def test_kinds_do_not_mix(service: TokenService) -> None:
    pair = service.issue("alice")
    with pytest.raises(InvalidTokenError, match="typ"):
        service.verify_access(pair.refresh_token)
    with pytest.raises(InvalidTokenError, match="typ"):
        service.refresh(pair.access_token)


def test_access_token_expires(service: TokenService, clock: FakeClock) -> None:
    pair = service.issue("alice")
    clock.now += 899
    service.verify_access(pair.access_token)
    clock.now += 1
    with pytest.raises(ExpiredSignatureError):
        service.verify_access(pair.access_token)


def test_leeway(clock: FakeClock) -> None:
    service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock, leeway=30)
    pair = service.issue("alice")
    clock.now += 920
    service.verify_access(pair.access_token)
    clock.now += 10
    with pytest.raises(ExpiredSignatureError):
        service.verify_access(pair.access_token)


def test_foreign_tokens_are_refused(service: TokenService, clock: FakeClock) -> None:
    def forge(**changes: Any) -> str:
        claims = {"iss": ISS, "aud": AUD, "sub": "a", "iat": int(clock.now)}
        claims.update(exp=int(clock.now) + 60, jti="j", fam="f")
        claims.update(changes)
        claims = {k: v for k, v in claims.items() if v is not None}
        return PyJWT().encode(claims, SECRET, headers={"typ": ACCESS_TYP})

    service.verify_access(forge())
    with pytest.raises(InvalidIssuerError):
        service.verify_access(forge(iss="https://evil.test"))
    with pytest.raises(InvalidAudienceError):
        service.verify_access(forge(aud="other"))
    for claim in ("exp", "iat", "sub", "jti", "iss", "aud"):
        with pytest.raises(MissingRequiredClaimError):
            service.verify_access(forge(**{claim: None}))
    with pytest.raises(InvalidTokenError, match="fam"):
        service.verify_access(forge(fam=None))
    with pytest.raises(InvalidTokenError, match="fam"):
        service.verify_access(forge(fam=7))
    other_key = PyJWT().encode({"sub": "a"}, "x" * 32, headers={"typ": ACCESS_TYP})
    with pytest.raises(InvalidSignatureError):
        service.verify_access(other_key)
    untyped = PyJWT().encode(_claims(forge()), SECRET)
    with pytest.raises(InvalidTokenError, match="typ"):
        service.verify_access(untyped)


def test_refresh_rotates_in_family(service: TokenService, clock: FakeClock) -> None:
    first = service.issue("alice", {"scope": "read"})
    clock.now += 600
    second = service.refresh(first.refresh_token)
    new_access, new_refresh = _claims(second.access_token), _claims(second.refresh_token)
    assert new_access["fam"] == new_refresh["fam"] == _claims(first.access_token)["fam"]
    assert new_access["scope"] == "read"
    assert new_access["iat"] == int(clock.now)
    assert new_refresh["jti"] != _claims(first.refresh_token)["jti"]
    assert service.verify_access(second.access_token)["sub"] == "alice"
    # The old access token stays valid until it expires: only reuse kills the family.
    service.verify_access(first.access_token)
    third = service.refresh(second.refresh_token)
    service.verify_access(third.access_token)


def test_refresh_reuse_revokes_family(service: TokenService) -> None:
    first = service.issue("alice")
    other = service.issue("alice")
    second = service.refresh(first.refresh_token)
    with pytest.raises(RevokedTokenError, match="reuse"):
        service.refresh(first.refresh_token)
    # Every token of the family is dead now, including the legitimate newest pair.
    for call, token in (
        (service.verify_access, first.access_token),
        (service.verify_access, second.access_token),
        (service.refresh, second.refresh_token),
    ):
        with pytest.raises(RevokedTokenError):
            call(token)
    # Another login of the same user is untouched.
    service.verify_access(other.access_token)
    service.refresh(other.refresh_token)


def test_expired_refresh_token(service: TokenService, clock: FakeClock) -> None:
    pair = service.issue("alice")
    clock.now += 14 * 86400
    with pytest.raises(ExpiredSignatureError):
        service.refresh(pair.refresh_token)


def test_revoke_access_token_logs_out(service: TokenService) -> None:
    pair = service.issue("alice")
    other = service.issue("alice")
    service.revoke(pair.access_token)
    with pytest.raises(RevokedTokenError):
        service.verify_access(pair.access_token)
    with pytest.raises(RevokedTokenError):
        service.refresh(pair.refresh_token)
    service.verify_access(other.access_token)


def test_revoke_single_token_only(service: TokenService) -> None:
    pair = service.issue("alice")
    service.revoke(pair.access_token, family=False)
    with pytest.raises(RevokedTokenError, match="token has been revoked"):
        service.verify_access(pair.access_token)
    fresh = service.refresh(pair.refresh_token)
    service.verify_access(fresh.access_token)


def test_revoke_refresh_token(service: TokenService) -> None:
    pair = service.issue("alice")
    service.revoke(pair.refresh_token)
    with pytest.raises(RevokedTokenError):
        service.refresh(pair.refresh_token)
    with pytest.raises(RevokedTokenError):
        service.verify_access(pair.access_token)


def test_revoke_accepts_expired_but_not_forged(service: TokenService, clock: FakeClock) -> None:
    pair = service.issue("alice")
    clock.now += 3600
    service.revoke(pair.access_token)
    with pytest.raises(RevokedTokenError):
        service.refresh(pair.refresh_token)
    forged = PyJWT().encode(_claims(pair.access_token), "y" * 32, headers={"typ": ACCESS_TYP})
    with pytest.raises(InvalidSignatureError):
        service.revoke(forged)
    with pytest.raises(InvalidTokenError):
        service.revoke("not a token")


def test_revoke_subject(service: TokenService, clock: FakeClock) -> None:
    alice = service.issue("alice")
    bob = service.issue("bob")
    clock.now += 5
    service.revoke_subject("alice")
    for call, token in (
        (service.verify_access, alice.access_token),
        (service.refresh, alice.refresh_token),
    ):
        with pytest.raises(RevokedTokenError, match="subject"):
            call(token)
    service.verify_access(bob.access_token)
    clock.now += 1
    again = service.issue("alice")
    service.verify_access(again.access_token)


def test_store_entries_outlive_tokens(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    service = TokenService(
        SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock, store=store, leeway=10
    )
    assert service.store is store
    pair = service.issue("alice")
    service.refresh(pair.refresh_token)
    service.revoke_subject("bob")
    clock.now += 14 * 86400 + 9
    assert store.purge() == 0
    clock.now += 2
    assert store.purge() == 2  # the spent refresh jti and the subject cutoff


def test_sqlite_store_survives_restart(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rev.db"
    with SQLiteStore(path, clock=clock) as store:
        service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock, store=store)
        pair = service.issue("alice")
        service.revoke(pair.access_token)
    with SQLiteStore(path, clock=clock) as store:
        service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock, store=store)
        with pytest.raises(RevokedTokenError):
            service.verify_access(pair.access_token)
        with pytest.raises(RevokedTokenError):
            service.refresh(pair.refresh_token)


def test_asymmetric_pair(backend: object, clock: FakeClock) -> None:
    private = load_key(key_pem("ec_p256.pem"))
    service = TokenService(
        private, "ES256", issuer=ISS, audience=AUD, clock=clock, verify_key=private.public_key()
    )
    pair = service.issue("alice")
    assert service.verify_access(pair.access_token)["sub"] == "alice"
    service.verify_access(service.refresh(pair.refresh_token).access_token)
    verifier = TokenService(private.public_key(), "ES256", issuer=ISS, audience=AUD, clock=clock)
    verifier.verify_access(pair.access_token)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"algorithm": "none"},
        {"algorithm": None},
        {"issuer": ""},
        {"audience": ""},
        {"audience": ["a", "b"]},
        {"access_ttl": timedelta(0)},
        {"refresh_ttl": 60},
    ],
)
def test_bad_configuration(kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"algorithm": "HS256", "issuer": ISS, "audience": AUD, **kwargs}
    algorithm = args.pop("algorithm")
    with pytest.raises(InvalidArgumentError):
        TokenService(SECRET, algorithm, **args)


def test_bad_issue_arguments(service: TokenService) -> None:
    with pytest.raises(InvalidArgumentError, match="subject"):
        service.issue("")
    with pytest.raises(InvalidArgumentError, match="exp, sub"):
        service.issue("alice", {"sub": "root", "exp": 1})


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_garbage_only_raises_token_errors(garbage: str) -> None:
    service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD)
    for call in (service.verify_access, service.refresh, service.revoke):
        with pytest.raises(InvalidTokenError):
            call(garbage)


def test_same_second_revoke_subject(service: TokenService, clock: FakeClock) -> None:
    clock.now = 1_700_000_100.0  # exactly on a second: iat == cutoff
    before = service.issue("alice")
    service.revoke_subject("alice")
    with pytest.raises(RevokedTokenError, match="subject"):
        service.verify_access(before.access_token)
    clock.now += 0.9  # later in the same second: iat is still <= cutoff
    same_second = service.issue("alice")
    with pytest.raises(RevokedTokenError, match="subject"):
        service.verify_access(same_second.access_token)
    clock.now += 0.1
    service.verify_access(service.issue("alice").access_token)


def test_revoke_refuses_a_foreign_typ(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock, store=store)
    claims = _claims(service.issue("alice").access_token)
    for headers in ({"typ": "JWT"}, {"typ": "id+jwt"}, None):
        foreign = PyJWT().encode(claims, SECRET, headers=headers)
        with pytest.raises(InvalidTokenError, match="typ"):
            service.revoke(foreign)
    assert len(store) == 0
    assert not store.is_family_revoked(claims["fam"])


def test_revocation_inside_the_leeway_window(clock: FakeClock) -> None:
    service = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock, leeway=30)
    pair = service.issue("alice")
    clock.now += 900 + 10  # expired 10 s ago, still accepted within the leeway
    service.verify_access(pair.access_token)
    service.revoke(pair.access_token, family=False)
    clock.now += 19  # the revocation must outlive exp + leeway, not just exp
    with pytest.raises(RevokedTokenError):
        service.verify_access(pair.access_token)
    clock.now += 1
    with pytest.raises(ExpiredSignatureError):
        service.verify_access(pair.access_token)


def test_wrong_verify_key(clock: FakeClock) -> None:
    signer = TokenService(
        SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock, verify_key="w" * 32
    )
    pair = signer.issue("alice")
    for call in (signer.verify_access, signer.refresh, signer.revoke):
        with pytest.raises(InvalidSignatureError):
            call(pair.access_token if call is not signer.refresh else pair.refresh_token)
    # verify_key, not key, is what verifies: a service holding only the right verify_key works.
    checker = TokenService(
        "z" * 32, "HS256", issuer=ISS, audience=AUD, clock=clock, verify_key=SECRET
    )
    assert checker.verify_access(pair.access_token)["sub"] == "alice"


def test_repr_never_shows_the_key(clock: FakeClock) -> None:
    private = load_key(key_pem("ec_p256.pem"))
    for key in (SECRET, private):
        service = TokenService(
            key, "HS256" if key is SECRET else "ES256", issuer=ISS, audience=AUD, clock=clock
        )
        for text in (repr(service), str(service)):
            assert SECRET not in text
            assert "PRIVATE" not in text
            assert text.startswith("TokenService(algorithm=")
            assert "MemoryStore(entries=0" in text


@pytest.fixture(params=["memory", "sqlite", "redis"])
def any_store(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> Iterator[RevocationStore]:
    if request.param == "memory":
        yield MemoryStore(clock=clock)
    elif request.param == "redis":
        with RedisStore(request.getfixturevalue("redis_url"), clock=clock) as redis_store:
            yield redis_store
    else:
        with SQLiteStore(tmp_path / "rev.db", clock=clock) as sqlite_store:
            yield sqlite_store


def _reuse_service(clock: FakeClock, store: RevocationStore, interval: float) -> TokenService:
    return TokenService(
        SECRET,
        "HS256",
        issuer=ISS,
        audience=AUD,
        clock=clock,
        store=store,
        refresh_reuse_interval=interval,
    )


def test_reuse_interval_returns_the_same_pair(any_store: RevocationStore, clock: FakeClock) -> None:
    service = _reuse_service(clock, any_store, 10)
    first = service.issue("alice", {"scope": "read"})
    second = service.refresh(first.refresh_token)
    clock.now += 9.5
    again = service.refresh(first.refresh_token)
    assert again == second  # HS256 is deterministic: the very same strings
    assert service.verify_access(second.access_token)["scope"] == "read"
    third = service.refresh(second.refresh_token)
    service.verify_access(third.access_token)


def test_reuse_after_interval_revokes(any_store: RevocationStore, clock: FakeClock) -> None:
    service = _reuse_service(clock, any_store, 10)
    first = service.issue("alice")
    second = service.refresh(first.refresh_token)
    clock.now += 10
    with pytest.raises(RevokedTokenError, match="reuse"):
        service.refresh(first.refresh_token)
    with pytest.raises(RevokedTokenError, match="family"):
        service.verify_access(second.access_token)
    with pytest.raises(RevokedTokenError):
        service.refresh(second.refresh_token)


def test_reuse_interval_ends_on_logout(clock: FakeClock) -> None:
    service = _reuse_service(clock, MemoryStore(clock=clock), 10)
    first = service.issue("alice")
    second = service.refresh(first.refresh_token)
    service.revoke(second.access_token)
    with pytest.raises(RevokedTokenError, match="family"):
        service.refresh(first.refresh_token)


def test_reuse_interval_off_by_default(service: TokenService) -> None:
    first = service.issue("alice")
    service.refresh(first.refresh_token)
    with pytest.raises(RevokedTokenError, match="reuse"):
        service.refresh(first.refresh_token)


def test_reuse_interval_concurrent_refreshes(any_store: RevocationStore, clock: FakeClock) -> None:
    service = _reuse_service(clock, any_store, 5)
    first = service.issue("alice")
    start = threading.Barrier(8)
    results: list[object] = []
    lock = threading.Lock()

    def tab() -> None:
        start.wait()
        try:
            got: object = service.refresh(first.refresh_token)
        except PyJWTError as exc:  # pragma: no cover - the failure this test guards against
            got = exc
        with lock:
            results.append(got)

    threads = [threading.Thread(target=tab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(isinstance(result, TokenPair) for result in results)
    assert len({result.refresh_token for result in results}) == 1  # type: ignore[attr-defined]


def test_malformed_successor_from_store(clock: FakeClock) -> None:
    class Broken(MemoryStore):
        def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str:
            return "not-a-successor"

    service = _reuse_service(clock, Broken(clock=clock), 5)
    with pytest.raises(PyJWTError, match="malformed refresh successor"):
        service.refresh(service.issue("alice").refresh_token)


@pytest.mark.parametrize("interval", [-1, 301, float("nan"), float("inf"), True, "5", None])
def test_bad_reuse_interval(interval: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="refresh_reuse_interval"):
        TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, refresh_reuse_interval=interval)


def test_fresh_tokens(service: TokenService, clock: FakeClock) -> None:
    login = service.issue("alice")
    assert _claims(login.access_token)["fresh"] is True
    assert "fresh" not in _claims(login.refresh_token)
    assert service.verify_access(login.access_token, fresh=True)["fresh"] is True
    refreshed = service.refresh(login.refresh_token)
    assert _claims(refreshed.access_token)["fresh"] is False
    assert service.verify_access(refreshed.access_token)["fresh"] is False
    with pytest.raises(StaleTokenError, match="fresh"):
        service.verify_access(refreshed.access_token, fresh=True)
    assert issubclass(StaleTokenError, InvalidTokenError)
    # A token without the claim (issued before this feature) is never fresh.
    claims = {k: v for k, v in _claims(login.access_token).items() if k != "fresh"}
    legacy = PyJWT().encode(claims, SECRET, headers={"typ": ACCESS_TYP})
    service.verify_access(legacy)
    with pytest.raises(StaleTokenError):
        service.verify_access(legacy, fresh=True)
    truthy = PyJWT().encode({**claims, "fresh": 1}, SECRET, headers={"typ": ACCESS_TYP})
    with pytest.raises(StaleTokenError):
        service.verify_access(truthy, fresh=True)
    # Revocation wins over staleness: a revoked token says so.
    service.revoke(refreshed.access_token)
    with pytest.raises(RevokedTokenError):
        service.verify_access(refreshed.access_token, fresh=True)
    with pytest.raises(InvalidArgumentError, match="fresh"):
        service.issue("alice", {"fresh": True})


def test_new_errors_are_exported() -> None:
    import jwtlite
    from jwtlite.exceptions import RevocationStoreUnavailableError

    assert jwtlite.StaleTokenError is StaleTokenError
    assert jwtlite.RevocationStoreUnavailableError is RevocationStoreUnavailableError
    assert issubclass(RevocationStoreUnavailableError, PyJWTError)
    # Not a token error: the token may be fine, so an app answers 503, not 401.
    assert not issubclass(RevocationStoreUnavailableError, InvalidTokenError)


# -- exact messages and boundaries (mutation survivors) --


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"algorithm": "none"}, "TokenService needs a signing algorithm, not 'none'"),
        ({"issuer": ""}, "issuer must be a non-empty string"),
        ({"audience": ""}, "audience must be a non-empty string"),
        ({"access_ttl": timedelta(seconds=0.5)},
         "access_ttl must be a timedelta of at least one second"),
        ({"refresh_ttl": 60}, "refresh_ttl must be a timedelta of at least one second"),
        ({"refresh_reuse_interval": "5"}, "refresh_reuse_interval must be a number of seconds"),
        ({"refresh_reuse_interval": 300.5},
         "refresh_reuse_interval must be between 0 and 300 seconds"),
        # math.isfinite(10**400) raised OverflowError
        ({"refresh_reuse_interval": 10**400},
         "refresh_reuse_interval must be between 0 and 300 seconds"),
        ({"clock": 5}, "clock must be a function returning seconds"),
    ],
)  # fmt: skip
def test_configuration_messages(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"algorithm": "HS256", "issuer": ISS, "audience": AUD, **kwargs}
    algorithm = args.pop("algorithm")
    with pytest.raises(InvalidArgumentError) as info:
        TokenService(SECRET, algorithm, **args)
    assert str(info.value) == message


def test_configuration_boundaries(clock: FakeClock) -> None:
    one = TokenService(SECRET, "HS256", issuer=ISS, audience=AUD, clock=clock,
                       access_ttl=timedelta(seconds=1), refresh_ttl=timedelta(seconds=1),
                       refresh_reuse_interval=300)  # fmt: skip
    pair = one.issue("alice")
    assert pair.expires_in == 1
    assert _claims(pair.refresh_token)["exp"] == _claims(pair.refresh_token)["iat"] + 1
    assert len(_claims(pair.access_token)["jti"]) == 43  # 32 random bytes, base64url
    with pytest.raises(InvalidArgumentError) as info:
        one.issue("")
    assert str(info.value) == "subject must be a non-empty string"


def test_token_error_messages(service: TokenService, clock: FakeClock) -> None:
    def message(call: Any, token: str, **kwargs: Any) -> str:
        with pytest.raises(InvalidTokenError) as info:
            call(token, **kwargs)
        return str(info.value)

    pair = service.issue("alice")
    refreshed = service.refresh(pair.refresh_token)
    assert message(service.verify_access, refreshed.access_token, fresh=True) == (
        "a fresh token from a login is required; log in again"
    )
    assert message(service.refresh, pair.refresh_token) == (
        "refresh token reused; its family has been revoked"
    )
    assert message(service.verify_access, refreshed.access_token) == (
        "token family has been revoked"
    )
    other = service.issue("bob")
    service.revoke(other.access_token, family=False)
    assert message(service.verify_access, other.access_token) == "token has been revoked"
    service.revoke_subject("carol")
    carol = service.issue("carol")  # the same second as the revocation
    assert message(service.verify_access, carol.access_token) == (
        "all tokens of this subject have been revoked"
    )
    claims = _claims(carol.access_token)
    no_fam = {k: v for k, v in claims.items() if k != "fam"}
    unfamilied = PyJWT().encode({**no_fam, "sub": "erin"}, SECRET, headers={"typ": ACCESS_TYP})
    assert message(service.verify_access, unfamilied) == "token lacks a string fam or jti claim"


def test_successor_parts_are_read_in_order(clock: FakeClock) -> None:
    seen: list[str] = []

    class Fixed(MemoryStore):
        def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str:
            seen.append(successor)
            return f"{int(clock.now)}.access-id.refresh-id"

    service = _reuse_service(clock, Fixed(clock=clock), 5)
    pair = service.refresh(service.issue("alice").refresh_token)
    assert len(seen) == 1
    access, refresh = _claims(pair.access_token), _claims(pair.refresh_token)
    assert (access["jti"], refresh["jti"]) == ("access-id", "refresh-id")
    assert access["fresh"] is False
    assert access["iat"] == int(clock.now)


@pytest.mark.parametrize(
    "successor", ["not-a-successor", "1..r", "1.a.", "x.a.r", "1.a.r.s", ".a.r", "-1.a.r"]
)
def test_every_malformed_successor_is_refused(clock: FakeClock, successor: str) -> None:
    class Broken(MemoryStore):
        def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str:
            return broken

    broken = successor
    service = _reuse_service(clock, Broken(clock=clock), 5)
    with pytest.raises(PyJWTError) as info:
        service.refresh(service.issue("alice").refresh_token)
    assert str(info.value) == "revocation store returned a malformed refresh successor"
