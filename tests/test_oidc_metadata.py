"""jwtlite._oidc_metadata: the discovery model without I/O (URLs, the document's checks, the cache
rules). Fast and server-free, so that mutation testing covers the module; the fetching
providers are tested in tests/test_oidc_discovery.py against a loopback server.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from jwtlite._json import loads_object
from jwtlite._oidc_metadata import (
    MetadataRules,
    ProviderMetadata,
    allowed_url,
    outcome,
    parse_metadata,
    well_known_uri,
)
from jwtlite.exceptions import (
    DecodeError,
    InvalidArgumentError,
    ProviderMetadataError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)

ISSUER = "https://op.example.com"
JWKS_URI = f"{ISSUER}/jwks"


# --- allowed_url ---------------------------------------------------------------------------------


def _url(url: Any, *, loopback: bool = False, issuer: bool = False) -> str:
    return allowed_url(url, "jwks_uri", allow_http_loopback=loopback, issuer=issuer)


def _url_refusal(url: Any, *, loopback: bool = False, issuer: bool = False) -> str:
    with pytest.raises(ProviderMetadataError) as info:
        _url(url, loopback=loopback, issuer=issuer)
    return str(info.value)


def test_https_urls_are_allowed() -> None:
    for url in (JWKS_URI, "HTTPS://op.example.com/jwks", "https://op.example.com:8443/k?v=1"):
        assert _url(url) == url


def test_plain_http_only_on_loopback_with_the_flag() -> None:
    for url in ("http://127.0.0.1:8080/jwks", "http://localhost/jwks", "HTTP://[::1]/jwks"):
        assert _url(url, loopback=True) == url
        assert _url_refusal(url) == (
            "jwks_uri must use https:// (http:// only for a loopback host, with"
            f" allow_http_loopback=True): {url}"
        )
    for url in ("http://op.example.com/jwks", "ftp://127.0.0.1/jwks", "ws://localhost/jwks"):
        assert _url_refusal(url, loopback=True).startswith("jwks_uri must use https://")


def test_url_refusals_say_why() -> None:
    cases: list[tuple[Any, bool, str]] = [
        (5, False, "jwks_uri must be a string, not int"),
        ("https://[::1/jwks", False, "jwks_uri is not a URL: ValueError('Invalid IPv6 URL')"),
        ("https:///jwks", False, "jwks_uri has no host: https:///jwks"),
        ("/jwks", False, "jwks_uri has no host: /jwks"),
        (JWKS_URI + "#k", False, f"jwks_uri must not have a fragment: {JWKS_URI}#k"),
        (JWKS_URI + "#", False, f"jwks_uri must not have a fragment: {JWKS_URI}#"),
        (ISSUER + "?t=1", True, f"jwks_uri must not have a query or fragment: {ISSUER}?t=1"),
        (ISSUER + "?", True, f"jwks_uri must not have a query or fragment: {ISSUER}?"),
        (ISSUER + "#x", True, f"jwks_uri must not have a query or fragment: {ISSUER}#x"),
    ]
    for url, issuer, message in cases:
        assert _url_refusal(url, issuer=issuer) == message
    assert len(cases) == 9
    # Discovery §2: only an issuer is refused a query; a jwks_uri may have one.
    assert _url(JWKS_URI + "?v=2") == JWKS_URI + "?v=2"


# --- well_known_uri ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "well_known", "uri"),
    [
        ("https://op.example.com", "openid-configuration",
         "https://op.example.com/.well-known/openid-configuration"),
        ("https://op.example.com/t/", "openid-configuration",
         "https://op.example.com/t/.well-known/openid-configuration"),
        ("https://op.example.com:8443/a/b//", "oauth-authorization-server",
         "https://op.example.com:8443/.well-known/oauth-authorization-server/a/b"),
        ("https://op.example.com/", "oauth-authorization-server",
         "https://op.example.com/.well-known/oauth-authorization-server"),
        # only slashes are trimmed, never the path's last letters
        ("https://op.example.com/taX", "openid-configuration",
         "https://op.example.com/taX/.well-known/openid-configuration"),
        ("https://op.example.com/taX/", "oauth-authorization-server",
         "https://op.example.com/.well-known/oauth-authorization-server/taX"),
    ],
)  # fmt: skip
def test_well_known_uris(issuer: str, well_known: str, uri: str) -> None:
    assert well_known_uri(issuer, well_known) == uri


def test_the_default_well_known_is_openid_configuration() -> None:
    assert well_known_uri(ISSUER) == f"{ISSUER}/.well-known/openid-configuration"


def test_well_known_refusals_say_why() -> None:
    names = "('openid-configuration', 'oauth-authorization-server')"
    cases: list[tuple[Any, Any, str]] = [
        (ISSUER, "jwks", f'well_known must be one of {names}, not "jwks"'),
        (ISSUER, 5, f'well_known must be one of {names}, not "5"'),
        (ISSUER, "OPENID-CONFIGURATION",
         f'well_known must be one of {names}, not "OPENID-CONFIGURATION"'),
        (5, "openid-configuration", "issuer must be a string, not int"),
        (None, "oauth-authorization-server", "issuer must be a string, not NoneType"),
    ]  # fmt: skip
    for issuer, well_known, message in cases:
        with pytest.raises(InvalidArgumentError) as info:
            well_known_uri(issuer, well_known)
        assert str(info.value) == message
    assert len(cases) == 5


# --- parse_metadata ------------------------------------------------------------------------------


def _parse(
    document: Any, *, loopback: bool = False, require: bool = True, raw: bytes | None = None
) -> ProviderMetadata:
    body = json.dumps(document).encode() if raw is None else raw
    return parse_metadata(body, ISSUER, allow_http_loopback=loopback, require_jwks_uri=require)


def _parse_refusal(document: Any, **kwargs: Any) -> str:
    with pytest.raises(ProviderMetadataError) as info:
        _parse(document, **kwargs)
    return str(info.value)


def test_a_document_is_parsed() -> None:
    document = {"issuer": ISSUER, "jwks_uri": JWKS_URI,
                "id_token_signing_alg_values_supported": ["RS256", "ES256"], "x": [1]}  # fmt: skip
    metadata = _parse(document)
    assert metadata == ProviderMetadata(ISSUER, JWKS_URI, ("RS256", "ES256"), document)
    assert dict(metadata.document) == document
    with pytest.raises(TypeError):
        metadata.document["issuer"] = "https://evil.example"  # type: ignore[index]
    bare = _parse({"issuer": ISSUER, "jwks_uri": JWKS_URI})
    assert bare.id_token_signing_alg_values_supported == ()


def test_jwks_uri_is_required_only_when_asked() -> None:
    for document in ({"issuer": ISSUER}, {"issuer": ISSUER, "jwks_uri": None}):
        assert _parse_refusal(document) == "The discovery document has no jwks_uri"
        assert _parse(document, require=False).jwks_uri is None


def test_jwks_uri_follows_the_url_rules() -> None:
    local = "http://127.0.0.1:8080/jwks"
    assert _parse({"issuer": ISSUER, "jwks_uri": local}, loopback=True).jwks_uri == local
    assert _parse_refusal({"issuer": ISSUER, "jwks_uri": local}).startswith(
        "jwks_uri must use https://"
    )
    # The issuer's stricter rule (no query) is not the jwks_uri's.
    assert _parse({"issuer": ISSUER, "jwks_uri": JWKS_URI + "?v=1"}).jwks_uri == JWKS_URI + "?v=1"
    assert _parse_refusal({"issuer": ISSUER, "jwks_uri": 7}) == "jwks_uri must be a string, not int"


@pytest.mark.parametrize("claimed", ["https://other.example", ISSUER + "/", None, 5, [ISSUER]])
def test_another_issuer_is_refused(claimed: Any) -> None:
    # Discovery §4.3: the issuer must be identical to the one the document was fetched for.
    document = {"jwks_uri": JWKS_URI} if claimed is None else {"issuer": claimed,
                                                                "jwks_uri": JWKS_URI}
    shown = {None: "None", 5: "5"}.get(claimed, claimed) if not isinstance(claimed, list) else (
        f"['{ISSUER}']")
    assert _parse_refusal(document) == (
        f"The discovery document's issuer {shown} is not the issuer it was fetched for,"
        f" {ISSUER} (OpenID Connect Discovery 1.0 §4.3): it is not used"
    )


@pytest.mark.parametrize("algs", ["RS256", [5], ["RS256", None], {"RS256": 1}])
def test_a_malformed_algorithm_list_is_refused(algs: Any) -> None:
    document = {"issuer": ISSUER, "jwks_uri": JWKS_URI,
                "id_token_signing_alg_values_supported": algs}  # fmt: skip
    assert _parse_refusal(document) == (
        "id_token_signing_alg_values_supported must be a list of strings"
    )


@pytest.mark.parametrize("raw", [b"[]", b"{", b"\xff", b'{"issuer": 1, "issuer": 2}'])
def test_a_body_that_is_no_json_object_is_refused(raw: bytes) -> None:
    with pytest.raises(DecodeError) as expected:
        loads_object(raw, "discovery document")
    with pytest.raises(ProviderMetadataError) as info:
        _parse(None, raw=raw)
    assert str(info.value) == str(expected.value)
    assert type(info.value) is ProviderMetadataError


# --- MetadataRules and outcome -------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


METADATA = ProviderMetadata(ISSUER, JWKS_URI, (), {})
OTHER = ProviderMetadata(ISSUER, JWKS_URI + "2", (), {})
ERROR = PyJWKClientConnectionError("down")


def _rules(clock: Clock, *, lifespan: float = 100.0, cooldown: float = 10.0,
           max_stale: float = 50.0) -> MetadataRules:  # fmt: skip
    return MetadataRules(lifespan=lifespan, refetch_cooldown=cooldown, max_stale=max_stale,
                         clock=clock)  # fmt: skip


def test_the_rules_start_with_nothing() -> None:
    clock = Clock()
    clock.now = 0.0  # a monotonic clock may start near zero
    rules = _rules(clock)
    assert (rules.metadata, rules.error, rules.stale()) == (None, None, None)
    assert rules.begin(False) is None
    assert rules.failed(ERROR) is None  # nothing stale to fall back on
    assert _wait(rules, clock) == 1.0


def test_a_document_is_fresh_for_its_lifespan() -> None:
    clock = Clock()
    rules = _rules(clock)
    assert rules.begin(False) is None  # nothing cached: fetch
    rules.succeeded(METADATA, None)
    assert rules.metadata is METADATA
    clock.now += 99.5
    assert rules.begin(False) is METADATA
    assert rules.begin(True) is None  # refresh always fetches
    clock.now += 0.5
    assert rules.begin(False) is None  # expired at lifespan exactly


@pytest.mark.parametrize(
    ("max_age", "fresh_for"), [(None, 100.0), (30.0, 30.0), (5.0, 10.0), (500.0, 100.0)]
)
def test_cache_control_max_age_within_cooldown_and_lifespan(
    max_age: float | None, fresh_for: float
) -> None:
    clock = Clock()
    rules = _rules(clock)
    rules.succeeded(METADATA, max_age)
    clock.now += fresh_for - 0.25
    assert rules.begin(False) is METADATA
    clock.now += 0.25
    assert rules.begin(False) is None


def test_failures_back_off_without_a_stale_document() -> None:
    clock = Clock()
    rules = _rules(clock, cooldown=10.0)
    waits = []
    for _ in range(6):
        assert rules.failed(ERROR) is None
        assert rules.error is ERROR
        start = clock.now
        while rules.begin(False) is ERROR:
            clock.now += 0.25
        waits.append(clock.now - start)
    assert waits == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]  # doubling from 1 s, capped at the cooldown
    rules.succeeded(METADATA, None)
    assert rules.error is None
    assert rules.begin(False) is METADATA
    clock.now += 100.0
    assert rules.failed(ERROR) is METADATA  # the stale one stands in, retried after the cooldown
    assert _wait(rules, clock) == 10.0
    clock.now += 100.0
    assert rules.failed(ERROR) is None  # too stale now
    assert _wait(rules, clock) == 10.0


def _wait(rules: MetadataRules, clock: Clock) -> float:
    """How long begin() keeps answering the error (or the stale document) before a fetch."""
    start = clock.now
    while rules.begin(False) is not None:
        clock.now += 0.25
    return clock.now - start


def test_a_success_resets_the_back_off() -> None:
    clock = Clock()
    rules = _rules(clock, max_stale=0.0)
    for wait in (1.0, 2.0):
        assert rules.failed(ERROR) is None
        assert _wait(rules, clock) == wait
    rules.succeeded(METADATA, None)
    clock.now += 100.0
    assert rules.failed(ERROR) is None
    assert _wait(rules, clock) == 1.0


def test_a_stale_document_stands_in_for_max_stale() -> None:
    clock = Clock()
    rules = _rules(clock, lifespan=100.0, cooldown=10.0, max_stale=50.0)
    rules.succeeded(METADATA, None)
    assert rules.stale() is METADATA
    clock.now += 120.0
    assert rules.stale() is METADATA
    assert rules.failed(ERROR) is METADATA
    assert rules.begin(False) is METADATA  # during the cooldown the stale document is used
    clock.now += 9.75
    assert rules.begin(False) is METADATA
    clock.now += 0.25
    assert rules.begin(False) is None  # cooldown over: fetch again
    clock.now += 19.75  # 149.75 s after the success: still within lifespan + max_stale
    assert rules.stale() is METADATA
    clock.now += 0.25
    assert rules.stale() is None
    assert rules.failed(ERROR) is None
    assert rules.begin(False) is ERROR  # nothing to stand in: the error, until the retry


def test_outcome() -> None:
    assert outcome(METADATA, OTHER, ERROR, False) is METADATA
    assert outcome(METADATA, None, None, True) is METADATA
    assert outcome(None, OTHER, ERROR, False) is OTHER
    for stale in (None, OTHER):
        with pytest.raises(PyJWKClientConnectionError) as info:
            outcome(None, stale, ERROR, True)
        assert str(info.value) == "down"
        assert info.value is not ERROR  # each raiser gets its own exception object
    with pytest.raises(PyJWKClientError) as other:
        outcome(None, None, PyJWKClientError("bad document"), False)
    assert type(other.value) is PyJWKClientError
    assert str(other.value) == "bad document"
    with pytest.raises(PyJWKClientConnectionError) as none:
        outcome(None, None, None, False)
    assert str(none.value) == "The discovery fetch failed"
