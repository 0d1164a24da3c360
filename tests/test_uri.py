"""RFC 3986 §6 normalisation of http(s) URIs (jwtlite._uri), as DPoP's htu check uses it."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._uri import MAX_URI_LENGTH, normalize_http_uri


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with no normalised URI remembered, so that it runs the normalisation
    itself whatever ran before it (mutmut's clean run, for one, warms the cache)."""
    _cache.clear_caches()

EQUAL = [
    # §6.2.2.1 case: scheme and host are case-insensitive, percent-encoding hex is uppercased.
    ("HTTPS://Server.Example.COM/a", "https://server.example.com/a"),
    ("https://h/%c3%a9", "https://h/%C3%A9"),
    # §6.2.2.2: an encoded unreserved character is the character.
    ("https://h/%7Euser/%41%2d", "https://h/~user/A-"),
    ("https://%68/", "https://h/"),
    # §6.2.2.3: dot segments (the examples of §5.4.1 / §5.2.4).
    ("https://h/a/b/c/./../../g", "https://h/a/g"),
    ("https://h/mid/content=5/../6", "https://h/mid/6"),
    ("https://h/a/b/.", "https://h/a/b/"),
    ("https://h/a/..", "https://h/"),
    ("https://h/..", "https://h/"),
    ("https://h/a/%2e%2E/b", "https://h/b"),  # encoded dots are dots (§6.2.2.2 first)
    # §6.2.3: default and empty ports, the empty path.
    ("https://h:443/x", "https://h/x"),
    ("http://h:80/x", "http://h/x"),
    ("http://h:/x", "http://h/x"),
    ("https://h", "https://h/"),
    ("https://h:0443", "https://h/"),
    # Query and fragment take no part (RFC 9449 §4.2, §4.3 check 9).
    ("https://h/p?q=1#frag", "https://h/p"),
    ("https://h/p#frag?not-a-query", "https://h/p"),
    ("https://h?q", "https://h/"),
    # Characters outside RFC 3986 are compared in their UTF-8 percent-encoded form.
    ("https://h/é s", "https://h/%C3%A9%20s"),
    ("https://[::1]:8443/p", "https://[::1]:8443/p"),
    ("https://[2001:DB8::1]/", "https://[2001:db8::1]/"),
]

DIFFERENT = [
    ("https://h/a", "http://h/a"),
    ("https://h/a", "https://h/A"),  # paths are case-sensitive
    ("https://h/a", "https://h/a/"),
    ("https://h/a", "https://h:8443/a"),
    ("https://h/a%2Fb", "https://h/a/b"),  # "/" is reserved: its encoding stays distinct
    ("https://h//a", "https://h/a"),  # empty segments are kept
]

NONE = [
    "", "/path", "h/path", "ftp://h/", "mailto:a@b", "https:h/p", "https:/h/p",
    "https://user@h/", "https://user:pw@h/", "https://h:99999/", "https://h:8a/",
    "https://h:123456/", "https://h/%zz", "https://h/%4", "https://%zz/", "https:///p",
    "https://[::1/", "https://[::1]x/", "https://[::g]/", "https://h h/", "https://\ud800/",
    "https://h/\ud800", 5, None, b"https://h/", "https://h/" + "a" * MAX_URI_LENGTH,
]


@pytest.mark.parametrize(("given_uri", "expected"), EQUAL)
def test_spellings_of_one_uri_agree(given_uri: str, expected: str) -> None:
    assert normalize_http_uri(given_uri) == expected
    assert normalize_http_uri(expected) == expected


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_uris_stay_different(one: str, other: str) -> None:
    assert normalize_http_uri(one) is not None
    assert normalize_http_uri(one) != normalize_http_uri(other)


@pytest.mark.parametrize("uri", NONE)
def test_what_names_no_http_request(uri: object) -> None:
    assert normalize_http_uri(uri) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_fixed_point_or_none(text: str) -> None:
    for candidate in (text, "https://h/" + text, "http://" + text):
        normalized = normalize_http_uri(candidate)
        if normalized is not None:
            assert normalize_http_uri(normalized) == normalized
            assert normalized.startswith(("http://", "https://"))
            assert "?" not in normalized
            assert "#" not in normalized


def test_linear_time() -> None:
    # Dot segments and encodings at the size limit cost no more than a linear pass. CPU time
    # of this thread, which a loaded machine does not inflate (wall-clock time failed once).
    for body in ("../" * 2700, "%41" * 2700, "a/" * 4000, "é" * 4000):
        uri = ("https://h/" + body)[:MAX_URI_LENGTH]
        start = time.thread_time()
        normalize_http_uri(uri)
        assert time.thread_time() - start < 0.05


def test_limits_taken_exactly() -> None:
    longest = "https://h/" + "a" * (MAX_URI_LENGTH - len("https://h/"))
    assert len(longest) == MAX_URI_LENGTH
    assert normalize_http_uri(longest) == longest
    assert normalize_http_uri(longest + "a") is None
    # Ports: five digits at most (leading zeros count), 65535 the largest.
    assert normalize_http_uri("https://h:65535/") == "https://h:65535/"
    assert normalize_http_uri("https://h:65536/") is None
    assert normalize_http_uri("https://h:08443/") == "https://h:8443/"
    assert normalize_http_uri("https://h:000443/") is None


def test_query_and_fragment_start_at_the_first_mark() -> None:
    assert normalize_http_uri("https://h/p?q?r") == "https://h/p"
    assert normalize_http_uri("https://h/p#f#g") == "https://h/p"
    assert normalize_http_uri("https://h/aXb/X") == "https://h/aXb/X"


def test_ip_literals() -> None:
    # Every hex digit, ":" and "." may appear; anything else, in any position, may not.
    every = "https://[0123456789abcdefABCDEF:.]/"
    assert normalize_http_uri(every) == "https://[0123456789abcdefabcdef:.]/"
    assert normalize_http_uri("https://[g::1]/") is None
    assert normalize_http_uri("https://[::1]:8080/x") == "https://[::1]:8080/x"
    # An empty or one-character literal names no address (RFC 3986 §3.2.2: IPv6address /
    # IPvFuture; the shortest IPv6 address is "::", RFC 4291 §2.2).
    assert normalize_http_uri("https://[]/") is None
    assert normalize_http_uri("https://[]:80/") is None
    assert normalize_http_uri("https://[1]/") is None
    assert normalize_http_uri("https://[:]/") is None
    assert normalize_http_uri("https://[::]/") == "https://[::]/"
    assert normalize_http_uri("https://[::]:8080") == "https://[::]:8080/"


def test_a_final_dot_dot_leaves_a_trailing_slash() -> None:
    assert normalize_http_uri("https://h/a/b/..") == "https://h/a/"
    assert normalize_http_uri("https://h/a/b/.") == "https://h/a/b/"
