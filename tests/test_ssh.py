"""jwtlite._ssh: OpenSSH public key lines, refused shapes and round trips."""

from __future__ import annotations

import base64

import pytest
from conftest import FORMATS

from jwtlite import _cache, _keyformats, _ssh
from jwtlite.exceptions import InvalidKeyError
from jwtlite.keys import (
    AsymmetricKey,
    OKPPublicKey,
    RSAPublicKey,
    dump_ssh_public,
    load_key,
)

# --- OpenSSH -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _cold_key_caches() -> None:
    """Each test starts with no parsed key remembered, so that it runs the parsers and the RSA
    checks itself whatever ran before it (mutmut's clean run, for one, warms the caches)."""
    _cache.clear_caches()


def _ssh_line(*fields: bytes, name: str = "ssh-rsa") -> bytes:
    blob = b"".join(len(f).to_bytes(4, "big") + f for f in fields)
    return f"{name} ".encode() + base64.b64encode(blob)


def test_ssh_refusals(pool: dict[str, AsymmetricKey]) -> None:
    rsa = pool["rsa2048"].public_key()
    assert isinstance(rsa, RSAPublicKey)
    n = rsa.n.to_bytes(257, "big")
    e = b"\x01\x00\x01"
    assert load_key(_ssh_line(b"ssh-rsa", e, n)) == rsa
    assert load_key(b"  " + _ssh_line(b"ssh-rsa", e, n) + b" comment with spaces\n") == rsa
    cases = {
        "does not match the type": _ssh_line(b"ssh-dss", e, n),
        "negative mpint": _ssh_line(b"ssh-rsa", e, b"\x80" + n),
        "non-minimal mpint": _ssh_line(b"ssh-rsa", e, b"\x00" + n),
        "truncated": _ssh_line(b"ssh-rsa", e)[:-4],
        "unexpected bytes": _ssh_line(b"ssh-rsa", e, n, b""),
        "curve identifier": _ssh_line(
            b"ecdsa-sha2-nistp256", b"nistp384", b"", name="ecdsa-sha2-nistp256"
        ),
        "must be 32 bytes": _ssh_line(b"ssh-ed25519", bytes(31), name="ssh-ed25519"),
        "needs a key type": b"ssh-rsa",
        "too long": b"ssh-rsa " + b"A" * 9000,
        "invalid base64": b"ssh-rsa AAAA*",
    }
    for message, line in cases.items():
        with pytest.raises(InvalidKeyError, match=message):
            load_key(line)
    assert load_key(_ssh_line(b"ssh-ed448", bytes(57), name="ssh-ed448")) == OKPPublicKey(
        "Ed448", bytes(57)
    )
    with pytest.raises(InvalidKeyError, match="unrecognised"):
        load_key(b"ssh-dss AAAA")


def test_ssh_parser_edges() -> None:
    with pytest.raises(InvalidKeyError, match="unsupported SSH key type"):
        _ssh.parse_public_line(b"ssh-foo AAAA")
    with pytest.raises(InvalidKeyError, match="not ASCII"):
        _ssh.parse_public_line(b"\xff\xfe AAAA")
    line = FORMATS["ed25519"]["ssh"].encode()
    assert _ssh.is_public_line(line)
    assert not _ssh.is_public_line(line + b" " * _ssh.MAX_LINE)
    with pytest.raises(InvalidKeyError, match="unsupported curve"):
        _keyformats.ec_public("P-224", b"\x04")


def test_ssh_round_trip(pool: dict[str, AsymmetricKey]) -> None:
    ran = 0
    for name, key in pool.items():
        if name == "ec_secp256k1":
            continue
        assert load_key(dump_ssh_public(key)) == key.public_key()
        ran += 1
    assert ran == 13


# --- mutation testing: mpint edges, whole texts, the line bound --------------------------------


def _refusal(line: bytes) -> str:
    with pytest.raises(InvalidKeyError) as info:
        _ssh.parse_public_line(line)
    return str(info.value)


def test_mpint_edges(pool: dict[str, AsymmetricKey]) -> None:
    rsa = pool["rsa2048"].public_key()
    assert isinstance(rsa, RSAPublicKey)
    n = rsa.n.to_bytes(257, "big")
    # 0x8001 needs a zero octet before 0x80 (RFC 4251 §5): minimal, and positive.
    key = _ssh.parse_public_line(_ssh_line(b"ssh-rsa", b"\x00\x80\x01", n))
    assert key == RSAPublicKey(rsa.n, 0x8001)
    assert _refusal(_ssh_line(b"ssh-rsa", b"\x80\x01", n)) == "negative mpint in SSH key"
    assert _refusal(_ssh_line(b"ssh-rsa", b"\x00\x01\x00\x01", n)) == (
        "non-minimal mpint in SSH key (RFC 4251 §5)"
    )
    # Zero is the empty string; a lone zero octet is a second, non-minimal spelling of it.
    assert _refusal(_ssh_line(b"ssh-rsa", b"\x00", n)) == (
        "non-minimal mpint in SSH key (RFC 4251 §5)"
    )
    assert _refusal(_ssh_line(b"ssh-rsa", b"", n)) == (
        "RSA public exponent must be odd, at least 3 and less than n"
    )
    assert _ssh._put_mpint(0) == bytes(4)
    assert _ssh._put_mpint(0x80) == b"\x00\x00\x00\x02\x00\x80"


def test_is_public_line_edges() -> None:
    line = FORMATS["ed25519"]["ssh"].encode()
    exact = line + b" " + b"c" * (_ssh.MAX_LINE - len(line) - 1)
    assert len(exact) == _ssh.MAX_LINE
    assert _ssh.is_public_line(exact)
    assert not _ssh.is_public_line(exact + b"c")
    # A pair that is no key (bad base64 after a key name) does not end the search.
    assert _ssh.is_public_line(b"ssh-rsa AAAA* " + line)
    assert _ssh.is_public_line(b"ssh-rsa AAAA " + line)


def test_dump_refusals_are_whole_texts() -> None:
    from jwtlite.keys import ECPublicKey

    for key, message in [
        (ECPublicKey("P-999", 1, 2), "unsupported curve 'P-999'"),
        (OKPPublicKey("Ed999", bytes(32)), "unsupported curve 'Ed999'"),
        (ECPublicKey("secp256k1", 1, 2), "OpenSSH has no key type for curve secp256k1"),
        (OKPPublicKey("X25519", bytes(32)), "OpenSSH has no key type for curve X25519"),
        (
            ECPublicKey("P-256", 1 << 300, 1),
            "a value of this ECPublicKey does not fit its encoding",
        ),
    ]:
        with pytest.raises(InvalidKeyError) as info:
            dump_ssh_public(key)
        assert str(info.value) == message
    with pytest.raises(InvalidKeyError) as info:
        dump_ssh_public("ssh-rsa AAAA")  # type: ignore[arg-type]
    assert str(info.value) == "not a jwtlite key: str"


def test_blob_framing_texts(pool: dict[str, AsymmetricKey]) -> None:
    rsa = pool["rsa2048"].public_key()
    assert isinstance(rsa, RSAPublicKey)
    n = rsa.n.to_bytes(257, "big")
    e = b"\x01\x00\x01"
    # An empty last string ends exactly at the end of the blob: framed, so the value decides.
    assert _refusal(_ssh_line(b"ssh-rsa", e, b"")) == "RSA modulus must be odd and positive"
    truncated = "SSH key blob is truncated"
    assert _refusal(_ssh_line(b"ssh-rsa", e)) == truncated  # no length for n
    framed = b"\x00\x00\x00\x07ssh-rsa\x00\x00\x00\x03\x01\x00\x01"
    assert _refusal(b"ssh-rsa " + base64.b64encode(framed + b"\x00\x00\x01")) == truncated
    # A length of 2^32 - 1 is unsigned (RFC 4251 §5 uint32), not a negative one.
    assert _refusal(b"ssh-rsa " + base64.b64encode(framed + b"\xff\xff\xff\xff")) == truncated
    assert _refusal(b"ssh-rsa AAAA*") == "SSH public key: invalid base64"
    assert _refusal(b"ssh-rsa") == "SSH public key line needs a key type and a base64 blob"
    assert _refusal(b"\xff\xfe AAAA") == "SSH key type is not ASCII"
    assert _refusal(_ssh_line(b"ssh-dss", e, n)) == (
        "SSH key type does not match the type inside the blob"
    )
    assert _refusal(_ssh_line(b"ssh-rsa", e, n, b"")) == "unexpected bytes after the SSH public key"
    assert _refusal(
        _ssh_line(b"ecdsa-sha2-nistp256", b"nistp384", b"", name="ecdsa-sha2-nistp256")
    ) == ("SSH ECDSA curve identifier does not match the key type")
    name = "x" * 50
    assert _refusal(f"{name} AAAA".encode()) == f"unsupported SSH key type {name[:40]!r}"


def test_line_length_bound(pool: dict[str, AsymmetricKey]) -> None:
    line = FORMATS["ed25519"]["ssh"].encode()
    exact = line + b" " + b"c" * (_ssh.MAX_LINE - len(line) - 1)
    assert _ssh.parse_public_line(exact) == pool["ed25519"].public_key()
    assert _refusal(exact + b"c") == "SSH public key line is too long"
