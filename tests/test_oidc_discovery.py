"""OpenID Provider discovery against servers on 127.0.0.1: over real TLS (a certificate made for
the test, trusted through ``ssl_context``), and over plain HTTP behind ``allow_http_loopback``.

Covers the issuer check of Discovery 1.0 §4.3 (RFC 8414 §3.3), HTTPS only, no redirects, the
size and time bounds, the cache (lifespan, Cache-Control, stale-if-error, backoff, single
flight), and the whole flow: discovery, then the JWKS, then an ID token.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import importlib.util
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import key_pem
from hypothesis import given, settings
from hypothesis import strategies as st
from property.strategies import json_values

import jwtlite
from jwtlite import oidc
from jwtlite._oidc_metadata import parse_metadata
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    InvalidArgumentError,
    InvalidSignatureError,
    ProviderMetadataError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)
from jwtlite.jwk import key_to_jwk
from jwtlite.keys import load_key

HAVE_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None
NOW = 1_700_000_000  # the ID tokens' clock (epoch seconds); the caches use Clock below
CLIENT = "client-1"
NONCE = "n-0S6_WzA2Mj"
RSA = load_key(key_pem("rsa2048.pem"))
EC = load_key(key_pem("ec_p256.pem"))
WELL_KNOWN = "/.well-known/openid-configuration"


class Clock:
    """Monotonic seconds for the caches; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    location: str = ""


class Server:
    """What the test server answers per path, and the paths it was asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.delay = 0.0
        self.release = threading.Event()
        self.arrived = threading.Event()  # set by every request
        self.base = ""

    def json(self, path: str, document: Any, **headers: str) -> None:
        self.routes[path] = Route(json.dumps(document).encode(), headers=dict(headers))

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for requested, _ in self.requests if requested == path)

    def publish(self, issuer: str | None = None, **members: Any) -> None:
        """A provider at ``self.base``: discovery document and JWKS with the RSA and EC keys."""
        issuer = self.base if issuer is None else issuer
        document = {
            "issuer": issuer,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": f"{self.base}/jwks",
            "response_types_supported": ["code", "id_token", "code id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            **members,
        }
        self.json(WELL_KNOWN, {k: v for k, v in document.items() if v is not None})
        keys = [key_to_jwk(RSA, kid="rsa", include_private=False),
                key_to_jwk(EC, kid="ec", include_private=False)]  # fmt: skip
        self.json("/jwks", {"keys": keys})


def _handler(state: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.requests.append((self.path, dict(self.headers)))
            state.arrived.set()
            if state.delay:
                state.release.wait(state.delay)
            route = state.routes.get(self.path, Route(b"not found", 404))
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def serve(state: Server, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    state.base = f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state.base
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@dataclass
class TLS:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TLS:
    """A self-signed certificate for 127.0.0.1, made with cryptography for this test run."""
    if not HAVE_CRYPTOGRAPHY:
        pytest.skip("making a test certificate needs cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwtlite test provider")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    folder: Path = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    client = ssl.create_default_context(cafile=str(folder / "cert.pem"))
    return TLS(server, client)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def https(tls: TLS) -> Iterator[Server]:
    state = Server()
    with serve(state, tls.server):
        state.publish()
        yield state


@pytest.fixture
def http() -> Iterator[Server]:
    state = Server()
    with serve(state):
        state.publish()
        yield state


def id_token(
    issuer: str, key: Any = RSA, alg: str = "RS256", kid: str = "rsa", **extra: Any
) -> str:
    payload = {"iss": issuer, "sub": "alice", "aud": CLIENT, "iat": NOW - 5, "exp": NOW + 300,
               "nonce": NONCE, **extra}  # fmt: skip
    return jwtlite.encode(payload, key, algorithm=alg, headers={"kid": kid})


def provider(
    state: Server, clock: Clock, tls: TLS | None = None, **kwargs: Any
) -> oidc.OpenIDProvider:
    if tls is not None:
        kwargs.setdefault("ssl_context", tls.client)
    else:
        kwargs.setdefault("allow_http_loopback", True)
    return oidc.OpenIDProvider(state.base, clock=clock, **kwargs)


# --- where the document is ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "well_known", "uri"),
    [
        ("https://server.example.com", "openid-configuration",
         "https://server.example.com/.well-known/openid-configuration"),
        ("https://server.example.com/", "openid-configuration",
         "https://server.example.com/.well-known/openid-configuration"),
        ("https://example.com/issuer1/", "openid-configuration",
         "https://example.com/issuer1/.well-known/openid-configuration"),  # Discovery §4.1
        ("https://example.com", "oauth-authorization-server",
         "https://example.com/.well-known/oauth-authorization-server"),
        ("https://example.com/issuer1", "oauth-authorization-server",
         "https://example.com/.well-known/oauth-authorization-server/issuer1"),  # RFC 8414 §3.1
        ("https://example.com:8443/a/b/", "oauth-authorization-server",
         "https://example.com:8443/.well-known/oauth-authorization-server/a/b"),
    ],
)  # fmt: skip
def test_well_known_uri(issuer: str, well_known: str, uri: str) -> None:
    assert oidc.well_known_uri(issuer, well_known) == uri
    assert oidc.OpenIDProvider(issuer, well_known=well_known).uri == uri


def test_well_known_names_are_checked() -> None:
    with pytest.raises(InvalidArgumentError, match="well_known"):
        oidc.well_known_uri("https://example.com", "jwks")


# --- HTTPS only ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "issuer",
    ["http://op.example.com", "http://127.0.0.1:8080", "ftp://op.example.com", "op.example.com",
     "https://", "https://op.example.com?tenant=1", "https://op.example.com#x",
     "https://op.example.com/?", "https://[::1", 42],
)  # fmt: skip
def test_issuers_that_are_not_https_urls_are_refused(issuer: Any) -> None:
    with pytest.raises(ProviderMetadataError):
        oidc.OpenIDProvider(issuer)


def test_plain_http_only_on_loopback_and_only_with_the_flag() -> None:
    for issuer in ("http://127.0.0.1:8080", "http://localhost", "http://[::1]:9"):
        with pytest.raises(ProviderMetadataError, match="allow_http_loopback"):
            oidc.OpenIDProvider(issuer)
        assert oidc.OpenIDProvider(issuer, allow_http_loopback=True).issuer == issuer
    for issuer in ("http://op.example.com", "http://10.0.0.1", "http://127.0.0.1.nip.io"):
        with pytest.raises(ProviderMetadataError, match="https"):
            oidc.OpenIDProvider(issuer, allow_http_loopback=True)


def test_a_plain_http_jwks_uri_is_refused(https: Server, clock: Clock, tls: TLS) -> None:
    https.publish(jwks_uri="http://keys.example.com/jwks")
    with pytest.raises(ProviderMetadataError, match="jwks_uri must use https"):
        provider(https, clock, tls).get_metadata()
    https.publish(jwks_uri="http://127.0.0.1/jwks")  # loopback, but no flag
    with pytest.raises(ProviderMetadataError, match="jwks_uri must use https"):
        provider(https, clock, tls).get_metadata()


# --- the whole flow -------------------------------------------------------------------------------


def test_discovery_jwks_and_id_token_over_tls(https: Server, clock: Clock, tls: TLS) -> None:
    op = provider(https, clock, tls)
    token = id_token(https.base)
    claims = oidc.verify_id_token(token, op, client_id=CLIENT, nonce=NONCE, now=NOW)
    assert claims["sub"] == "alice"
    # the provider's published algorithms are the default: ES256 works without algorithms=
    ec_token = id_token(https.base, EC, "ES256", kid="ec")
    assert oidc.verify_id_token(ec_token, op, client_id=CLIENT, nonce=NONCE, now=NOW)
    assert (https.count(WELL_KNOWN), https.count("/jwks")) == (1, 1)
    clock.now += 299  # both still fresh (the JWKS client's lifespan is 300 s): no request
    assert oidc.verify_id_token(token, op, client_id=CLIENT, nonce=NONCE, now=NOW)
    assert (https.count(WELL_KNOWN), https.count("/jwks")) == (1, 1)
    accept = [headers.get("Accept") for path, headers in https.requests if path == WELL_KNOWN]
    assert accept == ["application/json"]


def test_discovery_flow_over_plain_http_with_the_flag(http: Server, clock: Clock) -> None:
    op = provider(http, clock)
    claims = oidc.verify_id_token(id_token(http.base), op, client_id=CLIENT, nonce=NONCE, now=NOW)
    assert claims["iss"] == http.base
    with pytest.raises(ProviderMetadataError, match="allow_http_loopback"):
        oidc.OpenIDProvider(http.base)


def test_a_token_of_another_issuer_is_refused(https: Server, clock: Clock, tls: TLS) -> None:
    op = provider(https, clock, tls)
    with pytest.raises(jwtlite.InvalidIssuerError):
        oidc.verify_id_token(id_token("https://evil.example"), op, client_id=CLIENT, nonce=NONCE,
                             now=NOW)  # fmt: skip
    with pytest.raises(InvalidArgumentError, match="not the provider's issuer"):
        oidc.verify_id_token(id_token(https.base), op, issuer="https://evil.example",
                             client_id=CLIENT, nonce=NONCE, now=NOW)  # fmt: skip
    assert oidc.verify_id_token(id_token(https.base), op, issuer=https.base, client_id=CLIENT,
                                nonce=NONCE, now=NOW)  # fmt: skip


def test_the_provider_list_never_adds_none_or_a_mac(https: Server, clock: Clock, tls: TLS) -> None:
    https.publish(id_token_signing_alg_values_supported=["none", "HS256", "XS999"])
    op = provider(https, clock, tls)
    hs = jwtlite.encode({"iss": https.base, "sub": "a", "aud": CLIENT, "iat": NOW, "exp": NOW + 9},
                        "k" * 32, algorithm="HS256", headers={"kid": "rsa"})  # fmt: skip
    with pytest.raises(jwtlite.InvalidAlgorithmError, match="not allowed"):
        oidc.verify_id_token(hs, op, client_id=CLIENT, now=NOW)
    assert oidc.verify_id_token(id_token(https.base), op, client_id=CLIENT, nonce=NONCE, now=NOW)


def test_a_token_without_kid_uses_the_set(https: Server, clock: Clock, tls: TLS) -> None:
    op = provider(https, clock, tls)
    token = jwtlite.encode({"iss": https.base, "sub": "a", "aud": CLIENT, "iat": NOW,
                            "exp": NOW + 9}, EC, algorithm="ES256")  # fmt: skip
    assert oidc.verify_id_token(token, op, client_id=CLIENT, algorithms=["ES256"], now=NOW)
    other = load_key(key_pem("ec_p384.pem"))
    forged = jwtlite.encode({"iss": https.base, "sub": "a", "aud": CLIENT, "iat": NOW,
                             "exp": NOW + 9}, other, algorithm="ES384")  # fmt: skip
    with pytest.raises(jwtlite.InvalidTokenError):
        oidc.verify_id_token(forged, op, client_id=CLIENT, algorithms=["ES384"], now=NOW)
    bad_kid = ".".join((b64url_encode(b'{"alg":"ES256","kid":7}'), token.split(".", 1)[1]))
    with pytest.raises(jwtlite.InvalidTokenError, match="Key ID"):
        oidc.verify_id_token(bad_kid, op, client_id=CLIENT, algorithms=["ES256"], now=NOW)


def test_a_jwks_client_as_the_key(https: Server, clock: Clock, tls: TLS) -> None:
    client = jwtlite.PyJWKClient(f"{https.base}/jwks", ssl_context=tls.client, clock=clock)
    claims = oidc.verify_id_token(id_token(https.base), client, issuer=https.base,
                                  client_id=CLIENT, nonce=NONCE, now=NOW)  # fmt: skip
    assert claims["sub"] == "alice"
    with pytest.raises(InvalidSignatureError):
        oidc.verify_id_token(id_token(https.base, load_key(key_pem("rsa2048_b.pem"))), client,
                             issuer=https.base, client_id=CLIENT, nonce=NONCE, now=NOW)  # fmt: skip


# --- Discovery §4.3: the issuer check ------------------------------------------------------------


@pytest.mark.parametrize(
    "claimed",
    ["{base}/", "{base}/other", "https://evil.example", "{BASE}", None, ["{base}"], 42, ""],
)
def test_4_3_a_document_for_another_issuer_is_not_used(
    https: Server, clock: Clock, tls: TLS, claimed: Any
) -> None:
    if isinstance(claimed, str):
        claimed = claimed.format(base=https.base, BASE=https.base.upper())
    elif isinstance(claimed, list):
        claimed = [https.base]
    https.publish(issuer=claimed, jwks_uri="https://evil.example/jwks")
    if claimed is None:
        https.json(WELL_KNOWN, {"jwks_uri": f"{https.base}/jwks"})
    op = provider(https, clock, tls)
    with pytest.raises(ProviderMetadataError, match=r"§4\.3"):
        op.get_metadata()
    with pytest.raises(ProviderMetadataError, match=r"§4\.3"):
        oidc.verify_id_token(id_token(https.base), op, client_id=CLIENT, nonce=NONCE, now=NOW)
    assert https.count("/jwks") == 0


def test_rfc_8414_metadata_is_found_and_checked_the_same_way(
    https: Server, clock: Clock, tls: TLS
) -> None:
    document = {"issuer": https.base + "/tenant", "response_types_supported": ["code"]}
    https.json("/.well-known/oauth-authorization-server/tenant", document)
    op = oidc.OpenIDProvider(https.base + "/tenant", well_known="oauth-authorization-server",
                             ssl_context=tls.client, clock=clock)  # fmt: skip
    metadata = op.get_metadata()
    assert metadata.issuer == https.base + "/tenant"
    assert metadata.jwks_uri is None
    assert metadata.document["response_types_supported"] == ["code"]
    with pytest.raises(ProviderMetadataError, match="no jwks_uri"):
        op.get_jwks_client()
    https.json("/.well-known/oauth-authorization-server/tenant", {**document, "issuer": https.base})
    with pytest.raises(ProviderMetadataError, match=r"§4\.3"):
        op.get_metadata(refresh=True)


# --- what the document may hold ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "not valid JSON|Invalid"),
        (b"[]", "object"),
        (b'{"issuer": "a", "issuer": "a"}', "uplicate"),
        (b"\xff", "UTF-8"),
        (b'{"a": NaN}', "NaN"),
    ],
)
def test_documents_that_are_not_json_objects(
    https: Server, clock: Clock, tls: TLS, body: bytes, match: str
) -> None:
    https.routes[WELL_KNOWN] = Route(body)
    with pytest.raises(ProviderMetadataError, match=match):
        provider(https, clock, tls).get_metadata()


def test_a_missing_jwks_uri_or_a_bad_algorithm_list(https: Server, clock: Clock, tls: TLS) -> None:
    https.publish(jwks_uri=None)
    with pytest.raises(ProviderMetadataError, match="no jwks_uri"):
        provider(https, clock, tls).get_metadata()
    for algs in ("RS256", ["RS256", 1], {"RS256": 1}):
        https.publish(id_token_signing_alg_values_supported=algs)
        with pytest.raises(ProviderMetadataError, match="list of strings"):
            provider(https, clock, tls).get_metadata()


def test_redirects_are_not_followed(https: Server, clock: Clock, tls: TLS) -> None:
    https.routes[WELL_KNOWN] = Route(status=302, location=f"{https.base}/elsewhere")
    https.json("/elsewhere", {"issuer": https.base, "jwks_uri": f"{https.base}/jwks"})
    with pytest.raises(PyJWKClientConnectionError, match="redirects are not followed"):
        provider(https, clock, tls).get_metadata()
    assert https.count("/elsewhere") == 0


def test_the_size_is_bounded(https: Server, clock: Clock, tls: TLS) -> None:
    https.publish(padding="x" * 70_000)
    with pytest.raises(PyJWKClientError, match="discovery document is larger than 65536 bytes"):
        provider(https, clock, tls).get_metadata()
    assert provider(https, clock, tls, max_response_bytes=100_000).get_metadata()


def test_the_time_is_bounded(https: Server, clock: Clock, tls: TLS) -> None:
    https.delay = 5.0
    started = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match="timed out"):
        provider(https, clock, tls, timeout=0.3).get_metadata()
    assert time.monotonic() - started < 3


def test_an_http_error_status(https: Server, clock: Clock, tls: TLS) -> None:
    https.routes[WELL_KNOWN] = Route(b"{}", status=500)
    with pytest.raises(PyJWKClientConnectionError, match="HTTP 500"):
        provider(https, clock, tls).get_metadata()


def test_an_untrusted_certificate_is_refused(https: Server, clock: Clock) -> None:
    with pytest.raises(PyJWKClientConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        oidc.OpenIDProvider(https.base, clock=clock).get_metadata()


# --- the cache ------------------------------------------------------------------------------------


def test_lifespan_and_cache_control(http: Server, clock: Clock) -> None:
    op = provider(http, clock, lifespan=600)
    op.get_metadata()
    clock.now += 599
    op.get_metadata()
    assert http.count(WELL_KNOWN) == 1
    clock.now += 1
    op.get_metadata()
    assert http.count(WELL_KNOWN) == 2
    http.routes[WELL_KNOWN].headers["Cache-Control"] = "max-age=120"
    op.get_metadata(refresh=True)
    clock.now += 120
    op.get_metadata()
    assert http.count(WELL_KNOWN) == 4
    http.routes[WELL_KNOWN].headers["Cache-Control"] = "no-store"  # floored at the cooldown
    op.get_metadata(refresh=True)
    clock.now += 59
    op.get_metadata()
    assert http.count(WELL_KNOWN) == 5


def test_stale_if_error_and_backoff(http: Server, clock: Clock) -> None:
    op = provider(http, clock, lifespan=600, refetch_cooldown=60, max_stale=3600)
    good = op.get_metadata()
    http.routes[WELL_KNOWN].status = 503
    clock.now += 600
    assert op.get_metadata() is good  # the refetch failed; the stale document is used
    assert op.get_metadata() is good  # ... without asking again during the cooldown
    assert http.count(WELL_KNOWN) == 2
    with pytest.raises(PyJWKClientConnectionError, match="503"):
        op.get_metadata(refresh=True)  # an explicit refresh reports the failure
    clock.now += 3600
    with pytest.raises(PyJWKClientConnectionError, match="503"):
        op.get_metadata()  # too stale to use
    http.routes[WELL_KNOWN].status = 200
    clock.now += 60
    assert op.get_metadata() == good


def test_backoff_with_nothing_cached(http: Server, clock: Clock) -> None:
    http.routes[WELL_KNOWN].status = 500
    op = provider(http, clock, refetch_cooldown=10)
    attempts = []
    for _ in range(6):
        with pytest.raises(PyJWKClientConnectionError):
            op.get_metadata()
        attempts.append(http.count(WELL_KNOWN))
        clock.now += 1.5
    assert attempts == [1, 2, 2, 3, 3, 3]  # retried 1, then 2, then 4 seconds after a failure


def test_a_new_jwks_uri_gets_a_new_client(http: Server, clock: Clock) -> None:
    op = provider(http, clock)
    first = op.get_jwks_client()
    assert op.get_jwks_client() is first
    http.publish(jwks_uri=f"{http.base}/keys2")
    http.routes["/keys2"] = http.routes.pop("/jwks")
    op.get_metadata(refresh=True)
    second = op.get_jwks_client()
    assert second is not first
    assert second.uri == f"{http.base}/keys2"
    assert oidc.verify_id_token(id_token(http.base), op, client_id=CLIENT, nonce=NONCE, now=NOW)


def test_jwks_options_reach_the_client(http: Server, clock: Clock) -> None:
    op = provider(http, clock, jwks_options={"lifespan": 5, "cache_keys": True})
    client = op.get_jwks_client()
    assert (client.lifespan, client.cache_keys) == (5, True)


def test_threads_share_one_fetch(http: Server, clock: Clock) -> None:
    http.delay = 0.3
    op = provider(http, clock)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(op.get_metadata()))
               for _ in range(10)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 10
    assert all(result is results[0] for result in results)
    assert http.count(WELL_KNOWN) == 1


@pytest.mark.parametrize(
    "settings_",
    [{"lifespan": 0}, {"lifespan": float("nan")}, {"timeout": 0}, {"max_stale": -1},
     {"refetch_cooldown": "1"}],
)  # fmt: skip
def test_bad_settings(settings_: dict[str, Any]) -> None:
    with pytest.raises(PyJWKClientError):
        oidc.OpenIDProvider("https://op.example.com", **settings_)


def test_repr_names_the_issuer() -> None:
    assert repr(oidc.OpenIDProvider("https://op.example.com")) == (
        "OpenIDProvider('https://op.example.com')"
    )


# --- asyncio -------------------------------------------------------------------------------------


def test_async_flow_over_tls(https: Server, clock: Clock, tls: TLS) -> None:
    async def scenario() -> list[Any]:
        op = oidc.AsyncOpenIDProvider(https.base, ssl_context=tls.client, clock=clock)
        token = id_token(https.base)
        results: list[Any] = await asyncio.gather(*(
            oidc.verify_id_token_async(token, op, client_id=CLIENT, nonce=NONCE, now=NOW)
            for _ in range(20)))  # fmt: skip
        return results

    results = asyncio.run(scenario())
    assert [claims["sub"] for claims in results] == ["alice"] * 20
    assert (https.count(WELL_KNOWN), https.count("/jwks")) == (1, 1)


def test_async_issuer_check_and_errors(https: Server, clock: Clock, tls: TLS) -> None:
    https.publish(issuer="https://evil.example")

    async def scenario() -> None:
        op = oidc.AsyncOpenIDProvider(https.base, ssl_context=tls.client, clock=clock)
        with pytest.raises(ProviderMetadataError, match=r"§4\.3"):
            await oidc.verify_id_token_async(id_token(https.base), op, client_id=CLIENT,
                                             nonce=NONCE, now=NOW)  # fmt: skip
        with pytest.raises(ProviderMetadataError, match=r"§4\.3"):  # backing off: no new request
            await op.get_metadata()

    asyncio.run(scenario())
    assert https.count(WELL_KNOWN) == 1


def test_async_with_a_plugged_transport(clock: Clock) -> None:
    issuer = "https://op.example.com"
    jwks = {"keys": [key_to_jwk(RSA, kid="rsa", include_private=False)]}
    documents = {
        f"{issuer}{WELL_KNOWN}": {"issuer": issuer, "jwks_uri": f"{issuer}/jwks"},
        f"{issuer}/jwks": jwks,
    }
    asked: list[str] = []

    async def fetch(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        asked.append(uri)
        return json.dumps(documents[uri]).encode()

    async def scenario() -> dict[str, Any]:
        op = oidc.AsyncOpenIDProvider(issuer, fetch=fetch, clock=clock)
        assert (await op.fetch_metadata()).jwks_uri == f"{issuer}/jwks"
        client = jwtlite.AsyncPyJWKClient(f"{issuer}/jwks", fetch=fetch, clock=clock)
        await oidc.verify_id_token_async(id_token(issuer), client, issuer=issuer,
                                         client_id=CLIENT, nonce=NONCE, now=NOW)  # fmt: skip
        return await oidc.verify_id_token_async(id_token(issuer), op, client_id=CLIENT,
                                                nonce=NONCE, now=NOW)  # fmt: skip

    assert asyncio.run(scenario())["iss"] == issuer
    assert asked.count(f"{issuer}{WELL_KNOWN}") == 2


@pytest.mark.parametrize(
    ("answer", "error", "match"),
    [
        (b"x" * 70_000, PyJWKClientError, "larger than"),
        (42, PyJWKClientError, "not bytes"),
        (OSError("boom"), PyJWKClientConnectionError, "boom"),
        ("slow", PyJWKClientConnectionError, "timed out"),
    ],
)
def test_async_plugged_transport_failures(
    clock: Clock, answer: Any, error: type[Exception], match: str
) -> None:
    async def fetch(uri: str, headers: Mapping[str, str], timeout: float) -> Any:
        if answer == "slow":
            await asyncio.sleep(5)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def scenario() -> None:
        op = oidc.AsyncOpenIDProvider("https://op.example.com", fetch=fetch, timeout=0.2,
                                      clock=clock)  # fmt: skip
        with pytest.raises(error, match=match):
            await op.get_metadata()

    asyncio.run(scenario())


def test_async_default_transport_timeout(https: Server, clock: Clock, tls: TLS) -> None:
    https.delay = 5.0

    async def scenario() -> None:
        op = oidc.AsyncOpenIDProvider(https.base, ssl_context=tls.client, timeout=0.3,
                                      clock=clock)  # fmt: skip
        with pytest.raises(PyJWKClientConnectionError, match="timed out"):
            await op.get_metadata()

    asyncio.run(scenario())


# --- hostile documents ----------------------------------------------------------------------------

_MEMBERS = st.sampled_from(["issuer", "jwks_uri", "id_token_signing_alg_values_supported", "x"])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64) | st.dictionaries(_MEMBERS, json_values, max_size=4).map(
    lambda d: json.dumps(d).encode()))  # fmt: skip
def test_any_document_raises_only_provider_metadata_errors(body: bytes) -> None:
    try:
        metadata = parse_metadata(body, "https://op.example.com", allow_http_loopback=False,
                                  require_jwks_uri=True)  # fmt: skip
    except ProviderMetadataError:
        return
    assert metadata.issuer == "https://op.example.com"
    assert metadata.jwks_uri is not None
    assert metadata.jwks_uri.startswith("https://")


def test_while_a_refetch_runs_the_others_use_the_stale_document(http: Server, clock: Clock) -> None:
    op = provider(http, clock, lifespan=600)
    first = op.get_metadata()
    clock.now += 600
    http.delay = 5.0
    http.arrived.clear()
    refetch = threading.Thread(target=op.get_metadata)
    refetch.start()
    assert http.arrived.wait(5)  # the refetch reached the server, which holds it
    started = time.monotonic()
    assert op.get_metadata() is first  # not blocked behind the slow refetch
    assert time.monotonic() - started < 1
    http.release.set()
    refetch.join(10)
    assert http.count(WELL_KNOWN) == 2


def test_async_while_a_refetch_runs_the_others_use_the_stale_document(clock: Clock) -> None:
    issuer = "https://op.example.com"
    gates: list[asyncio.Event] = []  # made inside the loop: Python 3.9 binds an Event to one
    calls = []

    async def fetch(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        calls.append(uri)
        if len(calls) > 1:
            await gates[0].wait()
        return json.dumps({"issuer": issuer, "jwks_uri": f"{issuer}/jwks"}).encode()

    async def scenario() -> None:
        gates.append(asyncio.Event())
        gate = gates[0]
        op = oidc.AsyncOpenIDProvider(issuer, fetch=fetch, lifespan=600, clock=clock)
        first = await op.get_metadata()
        clock.now += 600
        refetch = asyncio.ensure_future(op.get_metadata())
        await asyncio.sleep(0)
        # answered at once, not after the held refetch (which the gate keeps for 10 s)
        assert await asyncio.wait_for(op.get_metadata(), 1.0) is first
        gate.set()
        assert (await refetch) == first
        assert len(calls) == 2

    asyncio.run(scenario())


# --- settings, texts and the provider's own waits (found by mutation testing) -----------------

TIMED_OUT = 'Fail to fetch data from the url, err: "timed out"'


def test_settings_reach_the_request_and_the_jwks_client(http: Server, clock: Clock) -> None:
    op = provider(
        http,
        clock,
        timeout=7,
        headers={"Accept": "application/jwk-set+json", "X-Tenant": "a"},
        jwks_options={"lifespan": 5},
    )
    client = op.get_jwks_client()
    assert (client.timeout, client.lifespan, client.ssl_context) == (7.0, 5.0, None)
    assert client._rules.clock is clock  # the provider's clock, so tests move both
    (_, headers), *_ = http.requests
    assert (headers["Accept"], headers["X-Tenant"]) == ("application/jwk-set+json", "a")
    assert op.headers == {"Accept": "application/jwk-set+json", "X-Tenant": "a"}
    assert op.jwks_options == {"lifespan": 5}
    assert op.timeout == 7.0
    assert provider(http, clock, jwks_options={"timeout": 3}).get_jwks_client().timeout == 3
    assert oidc.OpenIDProvider("https://op.example.com").headers == {"Accept": "application/json"}


def test_the_jwks_client_of_an_https_provider_refuses_plain_http(
    https: Server, clock: Clock, tls: TLS
) -> None:
    op = provider(https, clock, tls)
    assert op._jwks_settings()["require_https"] is True
    loopback = oidc.OpenIDProvider("http://127.0.0.1:9", allow_http_loopback=True)
    assert loopback._jwks_settings()["require_https"] is False


def test_discovery_texts_are_whole(https: Server, clock: Clock, tls: TLS) -> None:
    op = oidc.OpenIDProvider(
        https.base, well_known="oauth-authorization-server", ssl_context=tls.client, clock=clock
    )
    # RFC 8414: a document without jwks_uri is fine until a JWKS client is asked for.
    https.json("/.well-known/oauth-authorization-server", {"issuer": https.base, "x": 1})
    with pytest.raises(ProviderMetadataError) as info:
        op.get_jwks_client()
    assert str(info.value) == f"The discovery document of {https.base} has no jwks_uri"
    https.publish(padding="x" * 70_000)
    with pytest.raises(PyJWKClientError) as size:
        provider(https, clock, tls, max_response_bytes=1000).get_metadata()
    assert str(size.value) == "discovery document is larger than 1000 bytes"
    with pytest.raises(PyJWKClientError) as bad:
        oidc.OpenIDProvider("https://op.example.com", lifespan=0)
    assert str(bad.value) == 'Lifespan must be greater than 0, the input is "0.0"'


def test_a_waiter_gives_up_on_a_discovery_fetch_that_overruns(clock: Clock) -> None:
    entered, release = threading.Event(), threading.Event()
    document = json.dumps(
        {"issuer": "https://op.example.com", "jwks_uri": "https://op.example.com/j"}
    )

    class Hanging(oidc.OpenIDProvider):
        def _request(self) -> tuple[bytes, float | None]:
            entered.set()
            release.wait(10)
            return document.encode(), None

    op = Hanging("https://op.example.com", timeout=0.1, clock=clock)
    leader = threading.Thread(target=op.get_metadata, daemon=True)
    leader.start()
    try:
        assert entered.wait(5)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError) as info:
            op.get_metadata()
        elapsed = time.monotonic() - started
    finally:
        release.set()
        leader.join(5)
    assert str(info.value) == TIMED_OUT
    assert 1.05 <= elapsed < 1.9
    assert op.get_metadata().issuer == "https://op.example.com"  # the leader's fetch landed


def test_an_unexpected_error_in_a_discovery_fetch_is_backed_off(clock: Clock) -> None:
    calls: list[int] = []

    class Broken(oidc.OpenIDProvider):
        def _request(self) -> tuple[bytes, float | None]:
            calls.append(1)
            raise RuntimeError("a bug")

    op = Broken("https://op.example.com", clock=clock)
    with pytest.raises(RuntimeError, match="a bug"):
        op.get_metadata()
    with pytest.raises(PyJWKClientConnectionError) as info:
        op.get_metadata()
    assert str(info.value) == "The discovery fetch failed unexpectedly"
    assert len(calls) == 1


def test_async_settings_reach_the_jwks_client(clock: Clock) -> None:
    issuer = "https://op.example.com"

    async def fetch(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        return json.dumps({"issuer": issuer, "jwks_uri": f"{issuer}/jwks"}).encode()

    async def other(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        raise AssertionError("not this one")

    async def scenario() -> None:
        op = oidc.AsyncOpenIDProvider(issuer, fetch=fetch, timeout=7, clock=clock)
        client = await op.get_jwks_client()
        assert client is await op.get_jwks_client()
        assert (client.uri, client.timeout, client._fetch) == (f"{issuer}/jwks", 7.0, fetch)
        assert client._rules.clock is clock
        chosen = oidc.AsyncOpenIDProvider(
            issuer, fetch=fetch, jwks_options={"fetch": other}, clock=clock
        )
        assert (await chosen.get_jwks_client())._fetch is other  # jwks_options win
        plain = oidc.AsyncOpenIDProvider(issuer, clock=clock)
        plain._rules.succeeded(await op.get_metadata(), None)
        assert (await plain.get_jwks_client())._fetch is None

    asyncio.run(scenario())


def test_async_an_override_bug_is_reported(clock: Clock) -> None:
    class Broken(oidc.AsyncOpenIDProvider):
        async def _body(self) -> tuple[bytes, float | None]:
            raise RuntimeError("a bug")

    op = Broken("https://op.example.com", clock=clock)
    with pytest.raises(PyJWKClientConnectionError) as info:
        asyncio.run(op.get_metadata())
    assert str(info.value) == 'Fail to fetch data from the url, err: "a bug"'


def test_async_a_plugged_transports_max_age_is_none(clock: Clock) -> None:
    issuer = "https://op.example.com"

    async def fetch(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        return json.dumps({"issuer": issuer, "jwks_uri": f"{issuer}/j"}).encode()

    op = oidc.AsyncOpenIDProvider(issuer, fetch=fetch, lifespan=100, clock=clock)
    assert asyncio.run(op._body())[1] is None
    asyncio.run(op.get_metadata())
    clock.now += 99.5
    assert op._rules.begin(False) is not None  # fresh for the whole lifespan


@pytest.mark.parametrize("kind", [oidc.OpenIDProvider, oidc.AsyncOpenIDProvider])
def test_the_providers_defaults(kind: Any) -> None:
    op = kind("https://op.example.com")
    rules = op._rules
    assert (rules.lifespan, rules.cooldown, rules.max_stale) == (3600.0, 60.0, 24 * 3600.0)
    assert (op.timeout, op.max_response_bytes, op.ssl_context) == (10.0, 64 * 1024, None)
    assert op.uri == "https://op.example.com/.well-known/openid-configuration"
    assert (op.allow_http_loopback, op.jwks_options, rules.clock) == (False, {}, time.monotonic)
    assert op._require_jwks_uri is True
    oauth = kind("https://op.example.com", well_known="oauth-authorization-server")
    assert oauth._require_jwks_uri is False


@pytest.mark.parametrize("name", ["headers", "jwks_options"])
def test_mappings_that_are_no_dict_are_named(name: str) -> None:
    settings: dict[str, Any] = {name: [1]}
    with pytest.raises(InvalidArgumentError) as info:
        oidc.OpenIDProvider("https://op.example.com", **settings)
    assert str(info.value) == f"{name} must be a dict, not list"


# --- the asyncio provider's settings, waits and failures (found by mutation testing) -----------


def test_async_settings_are_kept(clock: Clock) -> None:
    op = oidc.AsyncOpenIDProvider(
        "http://127.0.0.1:9", allow_http_loopback=True, headers={"X-A": "1"}, clock=clock
    )
    assert op.issuer == "http://127.0.0.1:9"
    assert op.headers == {"Accept": "application/json", "X-A": "1"}


def test_sync_fetch_metadata_bypasses_the_cache(http: Server, clock: Clock) -> None:
    op = provider(http, clock)
    cached = op.get_metadata()
    fetched = op.fetch_metadata()
    assert fetched == cached
    assert fetched is not cached
    assert http.count(WELL_KNOWN) == 2


def test_async_a_plugged_transport_gets_the_timeout_and_the_size_cap(clock: Clock) -> None:
    issuer = "https://op.example.com"
    calls: list[float] = []
    document = json.dumps({"issuer": issuer, "jwks_uri": f"{issuer}/j"}).encode()

    async def fetch(uri: str, headers: Mapping[str, str], timeout: float) -> bytes:
        calls.append(timeout)
        return document

    small = oidc.AsyncOpenIDProvider(
        issuer, fetch=fetch, timeout=7, max_response_bytes=len(document) - 1, clock=clock
    )
    with pytest.raises(PyJWKClientError) as info:
        asyncio.run(small.get_metadata())
    assert str(info.value) == f"discovery document is larger than {len(document) - 1} bytes"
    assert calls == [7.0]


def test_async_refresh_fetches_anew_and_reports_its_failure(http: Server, clock: Clock) -> None:
    async def scenario() -> None:
        op = oidc.AsyncOpenIDProvider(http.base, allow_http_loopback=True, clock=clock)
        first = await op.get_metadata()
        assert await op.get_metadata() is first
        assert (await op.get_metadata(refresh=True)) is not first
        assert http.count(WELL_KNOWN) == 2
        http.routes[WELL_KNOWN].status = 503
        with pytest.raises(PyJWKClientConnectionError, match="HTTP 503"):
            await op.get_metadata(refresh=True)  # even with a document cached

    asyncio.run(scenario())


def test_async_cache_control_is_honoured(http: Server, clock: Clock) -> None:
    http.routes[WELL_KNOWN].headers["Cache-Control"] = "max-age=120"

    async def scenario() -> list[int]:
        op = oidc.AsyncOpenIDProvider(
            http.base, allow_http_loopback=True, lifespan=600, clock=clock
        )
        counts = []
        for advance in (0, 119, 1):
            clock.now += advance
            await op.get_metadata()
            counts.append(http.count(WELL_KNOWN))
        return counts

    assert asyncio.run(scenario()) == [1, 1, 2]


def test_async_an_override_bug_is_backed_off(clock: Clock) -> None:
    calls: list[int] = []

    class Broken(oidc.AsyncOpenIDProvider):
        async def _body(self) -> tuple[bytes, float | None]:
            calls.append(1)
            raise RuntimeError("a bug")

    op = Broken("https://op.example.com", clock=clock)
    for _ in range(2):
        with pytest.raises(PyJWKClientConnectionError) as info:
            asyncio.run(op.get_metadata())
        assert str(info.value) == 'Fail to fetch data from the url, err: "a bug"'
    assert len(calls) == 1  # the second lookup is answered from the backoff


def test_async_a_waiter_gives_up_on_a_fetch_that_overruns(clock: Clock) -> None:
    class Hanging(oidc.AsyncOpenIDProvider):
        async def _body(self) -> tuple[bytes, float | None]:
            await asyncio.Event().wait()
            return b"", None

    async def scenario() -> tuple[str, float]:
        op = Hanging("https://op.example.com", timeout=0.1, clock=clock)
        started = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError) as info:
            await asyncio.wait_for(op.get_metadata(), 5)
        return str(info.value), time.monotonic() - started

    message, elapsed = asyncio.run(scenario())
    assert message == TIMED_OUT
    assert 1.05 <= elapsed < 1.9


def test_async_a_fetch_the_executor_never_starts_is_given_up(clock: Clock) -> None:
    async def scenario() -> tuple[str, float]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        gate = threading.Event()
        busy = loop.run_in_executor(None, gate.wait, 10)  # the only worker is taken
        op = oidc.AsyncOpenIDProvider(
            "http://127.0.0.1:9", allow_http_loopback=True, timeout=0.1, clock=clock
        )
        started = time.monotonic()
        try:
            with pytest.raises(PyJWKClientConnectionError) as info:
                await asyncio.wait_for(op.fetch_metadata(), 5)
            elapsed = time.monotonic() - started
        finally:
            gate.set()
            await busy
        return str(info.value), elapsed

    message, elapsed = asyncio.run(scenario())
    assert message == TIMED_OUT
    assert 1.05 <= elapsed < 1.9


class _WatchedEvent(threading.Event):
    """A flight's ``done`` event that says when someone waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        return super().wait(timeout)


def test_a_waiter_on_a_discovery_fetch_that_crashed_gets_a_client_error(clock: Clock) -> None:
    entered, release = threading.Event(), threading.Event()

    class Crashing(oidc.OpenIDProvider):
        def _request(self) -> tuple[bytes, float | None]:
            entered.set()
            release.wait(10)
            raise RuntimeError("a bug")

    op = Crashing("https://op.example.com", clock=clock)
    led: list[Any] = []
    waited: list[Any] = []

    def call(into: list[Any]) -> None:
        try:
            into.append(op.get_metadata())
        except Exception as exc:
            into.append(exc)

    leader = threading.Thread(target=call, args=(led,), daemon=True)
    leader.start()
    assert entered.wait(5)
    assert op._flight is not None
    done = op._flight.done = _WatchedEvent()
    waiter = threading.Thread(target=call, args=(waited,), daemon=True)
    waiter.start()
    assert done.waiting.wait(5)
    release.set()
    leader.join(5)
    waiter.join(5)
    assert isinstance(led[0], RuntimeError)
    assert type(waited[0]) is PyJWKClientConnectionError
    assert str(waited[0]) == "The discovery fetch failed unexpectedly"


def test_async_a_fetch_left_behind_by_a_closed_loop_is_not_waited_for(clock: Clock) -> None:
    issuer = "https://op.example.com"
    answers: list[bytes | None] = [
        json.dumps({"issuer": issuer, "jwks_uri": f"{issuer}/a"}).encode(),
        None,
        json.dumps({"issuer": issuer, "jwks_uri": f"{issuer}/b"}).encode(),
    ]

    class Scripted(oidc.AsyncOpenIDProvider):
        async def _body(self) -> tuple[bytes, float | None]:
            answer = answers.pop(0)
            if answer is None:
                await asyncio.Event().wait()  # never answers
            assert answer is not None
            return answer, None

    op = Scripted(issuer, timeout=0.1, lifespan=600, max_stale=0, clock=clock)
    assert asyncio.run(op.get_metadata()).jwks_uri == f"{issuer}/a"
    clock.now += 600  # expired and too old to stand in: the next lookup waits for a fetch
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(PyJWKClientConnectionError):
            loop.run_until_complete(op.get_metadata())
    finally:
        loop.close()  # the hanging fetch is left behind, never finished
    assert asyncio.run(op.get_metadata()).jwks_uri == f"{issuer}/b"


def test_the_issuer_is_named_in_its_refusal_and_a_short_lifespan_is_kept() -> None:
    with pytest.raises(ProviderMetadataError) as info:
        oidc.OpenIDProvider("https://op.example.com?x=1")
    assert str(info.value) == "issuer must not have a query or fragment: https://op.example.com?x=1"
    assert oidc.OpenIDProvider("https://op.example.com", lifespan=0.5)._rules.lifespan == 0.5
