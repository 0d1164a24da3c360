"""``jwtlite._jwe_serial``: the strict reading of a JWE, pinned where mutation testing found
the suite silent (docs/architecture.md, "Mutation testing"): each limit at its exact boundary,
each error message whole, the header cache that must never hand out a shared object, and the
input kinds (bytes, bytearray, JSON text with leading white space) of ``jwe.decrypt``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from jwtlite import jwe
from jwtlite._json import dumps
from jwtlite._jwe_limits import JWELimits
from jwtlite._jwe_serial import ParsedRecipient, parse
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.exceptions import JWEParseError

KEY16 = bytes(range(16))
DIR: dict[str, Any] = {"algorithms": ["dir"], "encryptions": ["A128GCM"]}
OUTSIDE = "Invalid base64url: character outside the URL-safe alphabet"


def _compact(headers: dict[str, Any] | None = None) -> str:
    return jwe.encrypt(b"x", KEY16, alg="dir", enc="A128GCM", headers=headers)


def _flattened(**kwargs: Any) -> dict[str, Any]:
    text = jwe.encrypt_json(b"x", [(KEY16, "dir")], enc="A128GCM", flattened=True, **kwargs)
    token: dict[str, Any] = json.loads(text)
    return token


def _general(count: int) -> dict[str, Any]:
    recipients = [jwe.Recipient(bytes([n]) * 16, "A128KW", {"kid": str(n)}) for n in range(count)]
    token: dict[str, Any] = json.loads(jwe.encrypt_json(b"x", recipients, enc="A128GCM"))
    return token


def _refused(token: Any, message: str, **limits: Any) -> None:
    """``token`` is refused with exactly ``message``."""
    with pytest.raises(JWEParseError, match=f"^{re.escape(message)}$"):
        jwe.decrypt(token, KEY16, **DIR, **limits)


# --- input kinds ----------------------------------------------------------------------------------


def test_bytes_and_bytearray_tokens_decrypt_like_text() -> None:
    token = _compact()
    assert jwe.decrypt(token.encode(), KEY16, **DIR) == b"x"
    assert jwe.decrypt(bytearray(token.encode()), KEY16, **DIR) == b"x"  # type: ignore[arg-type]
    assert jwe.decrypt(json.dumps(_flattened()).encode(), KEY16, **DIR) == b"x"


def test_json_text_may_start_with_white_space() -> None:
    # RFC 8259 §2: insignificant white space before the object; the "{" decides the form.
    assert jwe.decrypt(" \n\t" + json.dumps(_flattened()), KEY16, **DIR) == b"x"


def test_a_token_of_another_type_is_named_in_the_error() -> None:
    _refused(12, "A JWE must be str, bytes or a JSON object, not int")
    _refused(None, "A JWE must be str, bytes or a JSON object, not NoneType")


def test_non_ascii_text_is_refused_with_its_message() -> None:
    _refused("é" + _compact(), "Invalid JWE: non-ASCII character")


def test_malformed_json_text_is_named_jwe_json() -> None:
    _refused('{"ciphertext": ', "Invalid JWE JSON: Expecting value: line 1 column 16 (char 15)")


def test_parse_gives_the_compact_form_empty_unprotected_headers() -> None:
    parsed = parse(_compact(), JWELimits())
    assert parsed.unprotected == {}
    assert parsed.recipients == [ParsedRecipient({}, b"")]
    assert parsed.aad_segment is None


# --- limits, at their exact boundaries ------------------------------------------------------------


def test_the_token_size_limit_admits_a_token_of_exactly_that_size() -> None:
    token = _compact()
    assert jwe.decrypt(token, KEY16, max_token_size=len(token), **DIR) == b"x"
    size = len(token) - 1
    _refused(token, f"The JWE is larger than the {size}-character limit", max_token_size=size)


def test_the_size_limit_of_a_json_mapping_counts_its_string_members_exactly() -> None:
    token = _flattened(aad=b"some additional data")
    size = sum(len(value) for value in token.values() if isinstance(value, str))
    assert jwe.decrypt(token, KEY16, max_token_size=size, **DIR) == b"x"
    message = f"The JWE is larger than the {size - 1}-character limit"
    _refused(token, message, max_token_size=size - 1)


@pytest.mark.parametrize("padding", [10, 11, 12])  # the three residues of the size modulo 3
def test_a_protected_header_of_exactly_the_limit_is_read(padding: int) -> None:
    token = _compact({"x": "p" * padding})
    size = len(b64url_decode(token.split(".")[0]))
    assert jwe.decrypt(token, KEY16, max_header_size=size, **DIR) == b"x"
    message = f"The JWE protected header is over {size - 1} bytes"
    _refused(token, message, max_header_size=size - 1)


@pytest.mark.parametrize("limit", [30, 31, 32])
def test_a_protected_segment_one_character_too_long_is_refused_for_its_size(limit: int) -> None:
    # The bound is the encoded length of `limit` octets; one character more is refused by
    # size, whatever it holds (here a length no base64url text can have, when limit % 3 == 0).
    longest = (limit * 4 + 2) // 3
    rest = _compact().split(".", 1)[1]
    _refused("A" * (longest + 1) + "." + rest, f"The JWE protected header is over {limit} bytes",
             max_header_size=limit)  # fmt: skip


def test_an_unprotected_header_of_exactly_the_limit_is_read() -> None:
    token = _flattened(unprotected={"x": "p" * 200})
    size = len(dumps(token["unprotected"]))
    assert size > len(b64url_decode(token["protected"]))  # the unprotected header decides
    assert jwe.decrypt(token, KEY16, max_header_size=size, **DIR) == b"x"
    message = f'The JWE "unprotected" header is over {size - 1} bytes'
    _refused(token, message, max_header_size=size - 1)


def test_exactly_max_recipients_are_read() -> None:
    token = _general(3)
    assert jwe.decrypt(token, bytes([2]) * 16, algorithms=["A128KW"], encryptions=["A128GCM"],
                       max_recipients=3) == b"x"  # fmt: skip
    with pytest.raises(JWEParseError, match=r"^The JWE has 3 recipients; at most 2 allowed$"):
        jwe.decrypt(token, bytes([2]) * 16, algorithms=["A128KW"], encryptions=["A128GCM"],
                    max_recipients=2)  # fmt: skip


# --- the header cache hands out copies -----------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "change"),
    [
        ({"ext": {"a": 1}}, lambda header: header["ext"].update(a=2)),
        ({"ext": [1]}, lambda header: header["ext"].append(2)),
        ({"ext": 1}, lambda header: header.update(ext=2)),
    ],
    ids=["nested object", "array", "scalar"],
)
def test_a_header_changed_by_one_caller_is_unchanged_for_the_next(
    extra: dict[str, Any], change: Any, request: pytest.FixtureRequest
) -> None:
    # A segment of its own, so no other test filled the cache with it (and no bracket in it,
    # which alone would keep it out of the cache).
    token = _compact({"test": request.node.callspec.id, **extra})
    first = parse(token, JWELimits())
    change(first.protected)
    assert parse(token, JWELimits()).protected["ext"] == extra["ext"]
    assert jwe.decrypt_complete(token, KEY16, **DIR).header["ext"] == extra["ext"]


# --- error messages -------------------------------------------------------------------------------


def test_a_malformed_protected_header_is_named() -> None:
    rest = _compact().split(".", 1)[1]
    message = f"Invalid JWE protected header: {OUTSIDE}"
    _refused("e!J9." + rest, message)
    not_an_object = b64url_encode(b"[1]")
    _refused(f"{not_an_object}.{rest}", "Invalid JWE protected header: must be a JSON object")


def test_a_non_ascii_protected_member_is_refused_as_base64url() -> None:
    token = _flattened()
    token["protected"] = "é" + token["protected"]
    message = f"Invalid JWE protected header: {OUTSIDE}"
    _refused(token, message)


@pytest.mark.parametrize(
    ("member", "name"),
    [
        ("iv", "initialization vector"),
        ("ciphertext", "ciphertext"),
        ("tag", "authentication tag"),
        ("aad", "AAD"),
        ("encrypted_key", "encrypted key"),
    ],
)
def test_a_malformed_json_member_is_named(member: str, name: str) -> None:
    token = _flattened()
    token[member] = "a!"
    message = f"Invalid JWE {name}: {OUTSIDE}"
    _refused(token, message)


def test_a_recipient_s_malformed_encrypted_key_is_named() -> None:
    token = _general(2)
    token["recipients"][1]["encrypted_key"] = "a!"
    message = f"Invalid JWE encrypted key: {OUTSIDE}"
    _refused(token, message)


@pytest.mark.parametrize("member", ["iv", "tag"])
def test_a_missing_iv_or_tag_is_empty_and_refused_for_its_length(member: str) -> None:
    # RFC 7516 §7.2.1: the member is absent when the value is empty; no enc has an empty one.
    token = _flattened()
    del token[member]
    _refused(token, "A128GCM needs a 96-bit IV and a 128-bit tag")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ciphertext": None}, 'The JWE has no "ciphertext" member'),
        ({"protected": ""}, 'The JWE "protected" member must not be empty'),
        ({"header": []}, 'The JWE "header" member must be a JSON object'),
        ({"unprotected": {"a": {1, 2}}}, 'The JWE "unprotected" member is not JSON'),
        ({"recipients": []}, 'The JWE "recipients" member must be a non-empty array'),
        ({"recipients": ["a"]}, "Each JWE recipient must be a JSON object"),
    ],
)
def test_a_malformed_json_jwe_is_refused_with_its_message(
    change: dict[str, Any], message: str
) -> None:
    token = _flattened()
    if "recipients" in change:
        del token["header"]
    token.update(change)
    if change.get("ciphertext", "") is None:
        del token["ciphertext"]
    _refused(token, message)


@pytest.mark.parametrize("member", ["header", "encrypted_key"])
def test_recipients_beside_a_top_level_recipient_member_are_refused(member: str) -> None:
    token = _general(1)
    token[member] = {} if member == "header" else ""
    _refused(token, 'A JWE has "recipients" or a top-level "header"/"encrypted_key"')


@pytest.mark.parametrize("name", ["alg", "enc"])
def test_a_non_string_alg_or_enc_is_refused_with_its_message(name: str) -> None:
    token = _flattened()
    del token["protected"]  # "enc" moves to the recipient's header
    token["header"] = {"alg": "dir", "enc": "A128GCM", name: 1}
    _refused(token, f'The JWE header "{name}" member must be a string')


def test_a_non_string_kid_is_refused_with_pyjwt_s_message() -> None:
    token = _flattened()
    token["header"] = {"alg": "dir", "kid": 7}
    _refused(token, "Key ID header parameter must be a string")


@pytest.mark.parametrize(
    ("crit", "message"),
    [
        ("[]", "Invalid 'crit' header: must be a non-empty list of strings"),
        ('["b","b"]', "Invalid 'crit' header: values must be unique"),
    ],
)
def test_a_malformed_crit_is_refused_with_its_message(crit: str, message: str) -> None:
    # Written by hand: jwe.encrypt refuses such a header itself.
    header = b64url_encode(b'{"alg":"dir","enc":"A128GCM","b":1,"crit":%s}' % crit.encode())
    _refused(header + "." + _compact().split(".", 1)[1], message)
