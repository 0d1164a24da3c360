"""AES, the block cipher of FIPS 197, in pure Python: one block at a time, or many at once.

Two forms of the same cipher, chosen by whether a mode's blocks depend on each other:

* One block (CBC encryption and RFC 3394 key wrap, where each block waits for the one before):
  the 32-bit "T-table" form (FIPS 197 §5.2 rounds written as Daemen and Rijmen's table
  lookups, "The Design of Rijndael" §4.2). A round is 16 lookups in four 256-entry tables of
  32-bit words that merge SubBytes, ShiftRows and MixColumns, XORed with the round key words.
* Many blocks (the CTR half of GCM, CBC decryption): byte-sliced. The 16-byte states of N
  blocks become 16 lanes of N bytes (lane ``4r + c`` holds state byte ``s[r, c]``, which is
  input byte ``4c + r``, of every block). SubBytes is then one ``bytes.translate`` over all
  the blocks, ShiftRows a reordering of lanes, and MixColumns and AddRoundKey a few operations
  on one integer of 128N bits, all of which run in C. A round costs the same few operations
  whatever N is, so the cost per block falls as N grows (docs/performance.md has the numbers).

Threat model. Neither form is constant-time, and no AES in pure Python can be:

* The T-tables (4 KB) are indexed by state bytes, which depend on the key and the data, so
  which cache lines a block touches leaks through cache timing. Bernstein (2005) recovered AES
  keys from timings alone; Osvik, Shamir and Tromer (2006) from another process on the same
  machine. The byte-sliced form reads a 256-byte S-box (four cache lines) with the same kind of
  index: a smaller footprint, the same class of leak. CPython's integer operations also take
  time that depends on the size of their values.
* For a JWE server, this means: a party that can run code on the same physical machine (a
  co-tenant VM or container sharing a CPU cache), or time very many decryptions precisely,
  while the server decrypts under a long-lived key (``dir``, ``A*KW``, ``A*GCMKW``, the AES
  key derived for ``ECDH-ES+A*KW`` from a static key), may in principle recover that key and
  then read or forge every token under it. The interpreter's own jitter makes remote timing
  much harder than against C code, but that is noise, not a defence. Decrypt tokens from
  untrusted parties on shared hardware with the ``cryptography`` backend (AES-NI or OpenSSL's
  constant-time code). The modes above this module add no further leak of their own: the GCM
  tag and the key-wrap check are compared with ``hmac.compare_digest``, and the CBC padding
  check has no early exit.

Key schedules are cached (a small bounded FIFO, keyed by a SHA-256 digest of the key, never by
the key itself; ``jwtlite.clear_caches()`` empties it), since a ``dir`` key or a key-wrapping
key is used for every token.
"""

from __future__ import annotations

from ..._cache import BoundedCache, digest_key
from .._aes_sizes import check_key

__all__ = [
    "SCHEDULES",
    "Schedule",
    "decrypt_block",
    "decrypt_many",
    "encrypt_block",
    "encrypt_many",
    "schedule",
]

_M32 = 0xFFFFFFFF


# --- tables (FIPS 197 §4, §5.1.1); built once at import ------------------------------------


def _gf_log_tables() -> tuple[list[int], list[int]]:
    """Powers and logarithms of the generator 3 in GF(2^8) mod x^8 + x^4 + x^3 + x + 1."""
    exp, log = [0] * 255, [0] * 256
    x = 1
    for i in range(255):
        exp[i], log[x] = x, i
        x ^= ((x << 1) ^ (0x11B if x & 0x80 else 0)) & 0xFF  # x * 3 = x * 2 + x
    return exp, log


_EXP, _LOG = _gf_log_tables()


def _mul(a: int, b: int) -> int:
    """a * b in GF(2^8) (FIPS 197 §4.2)."""
    if a == 0 or b == 0:
        return 0
    return _EXP[(_LOG[a] + _LOG[b]) % 255]


def _sbox() -> list[int]:
    """FIPS 197 §5.1.1: the multiplicative inverse, then the affine map with c = 0x63."""
    box = []
    for a in range(256):
        b = _EXP[(255 - _LOG[a]) % 255] if a else 0
        s = b
        for shift in (1, 2, 3, 4):
            s ^= ((b << shift) | (b >> (8 - shift))) & 0xFF
        box.append(s ^ 0x63)
    return box


def _rotations(t0: list[int]) -> tuple[list[int], list[int], list[int], list[int]]:
    """T0 and its three byte rotations (T_i[x] = T0[x] rotated right by 8i bits)."""
    t1 = [((t >> 8) | (t << 24)) & _M32 for t in t0]
    t2 = [((t >> 8) | (t << 24)) & _M32 for t in t1]
    t3 = [((t >> 8) | (t << 24)) & _M32 for t in t2]
    return t0, t1, t2, t3


_S = _sbox()
_SI = [0] * 256
for _i, _s in enumerate(_S):
    _SI[_s] = _i
# SubBytes + MixColumns column (2, 1, 1, 3), and the inverses with column (14, 9, 13, 11).
_TE = _rotations([(_mul(s, 2) << 24) | (s << 16) | (s << 8) | _mul(s, 3) for s in _S])
_TD = _rotations(
    [(_mul(s, 14) << 24) | (_mul(s, 9) << 16) | (_mul(s, 13) << 8) | _mul(s, 11) for s in _SI]
)
_SBOX_BYTES = bytes(_S)
_INV_SBOX_BYTES = bytes(_SI)
#: FIPS 197 §5.2: Rcon[i] = x^(i-1), in the leftmost byte of the word.
_RCON = [_EXP[_LOG[2] * i % 255] << 24 for i in range(10)]


# --- key schedule (FIPS 197 §5.2, §5.3.5) ---------------------------------------------------


def _sub_word(w: int) -> int:
    s = _S
    return (s[w >> 24] << 24) | (s[(w >> 16) & 255] << 16) | (s[(w >> 8) & 255] << 8) | s[w & 255]


def _expand(key: bytes) -> list[int]:
    """KeyExpansion: 4 * (Nr + 1) words for Nk = 4, 6 or 8 key words."""
    nk = len(key) // 4
    words = [int.from_bytes(key[4 * i : 4 * i + 4], "big") for i in range(nk)]
    for i in range(nk, 4 * (nk + 7)):
        t = words[-1]
        if i % nk == 0:
            t = _sub_word(((t << 8) | (t >> 24)) & _M32) ^ _RCON[i // nk - 1]
        elif nk > 6 and i % nk == 4:
            t = _sub_word(t)
        words.append(words[i - nk] ^ t)
    return words


def _inv_mix_word(w: int) -> int:
    """InvMixColumns of one column: the Td tables undo SubBytes, so feed them S[b]."""
    s, (d0, d1, d2, d3) = _S, _TD
    return d0[s[w >> 24]] ^ d1[s[(w >> 16) & 255]] ^ d2[s[(w >> 8) & 255]] ^ d3[s[w & 255]]


_Words = tuple[int, int, int, int]
#: Byte-sliced state: lane 4r + c holds state byte s[r, c], input byte 4c + r (FIPS 197 §3.4).
_LANE_ORDER = [4 * c + r for r in range(4) for c in range(4)]


class Schedule:
    """The expanded key of one AES key; decryption and byte-sliced forms made on first use."""

    __slots__ = ("_inverse", "_lane_tables", "rounds", "words")

    def __init__(self, key: bytes) -> None:
        words = _expand(key)
        self.rounds = len(words) // 4 - 1
        #: Round keys as 4-word tuples, round 0 first.
        self.words: tuple[_Words, ...] = tuple(
            (words[i], words[i + 1], words[i + 2], words[i + 3]) for i in range(0, len(words), 4)
        )
        self._inverse: tuple[_Words, ...] | None = None
        self._lane_tables: tuple[bytes, ...] | None = None

    @property
    def inverse(self) -> tuple[_Words, ...]:
        """Round keys of the equivalent inverse cipher (FIPS 197 §5.3.5), in the order used."""
        if self._inverse is None:
            inner = [
                (_inv_mix_word(a), _inv_mix_word(b), _inv_mix_word(c), _inv_mix_word(d))
                for a, b, c, d in self.words[-2:0:-1]
            ]
            self._inverse = (self.words[-1], *inner, self.words[0])
        return self._inverse

    @property
    def lane_tables(self) -> tuple[bytes, ...]:
        """Each round key as a ``bytes.translate`` table mapping lane index -> key byte."""
        if self._lane_tables is None:
            tables = []
            for words in self.words:
                raw = b"".join(w.to_bytes(4, "big") for w in words)
                tables.append(bytes(raw[i] for i in _LANE_ORDER) + bytes(240))
            self._lane_tables = tuple(tables)
        return self._lane_tables


#: Expanded keys by key digest. A service uses a handful of long-lived keys; per-token content
#: keys pass through and are evicted first in, first out.
SCHEDULES: BoundedCache[bytes, Schedule] = BoundedCache("pure AES key schedules", 32)


def schedule(key: bytes) -> Schedule:
    """The (cached) key schedule of a 16, 24 or 32-byte key; InvalidKeyError otherwise."""
    check_key(key)
    digest = digest_key(key)
    found = SCHEDULES.get(digest)
    if found is None:
        found = SCHEDULES.put(digest, Schedule(key))
    return found


# --- one block: T-tables (FIPS 197 §5.1, §5.3.5) --------------------------------------------


def encrypt_block(schedule: Schedule, block: int) -> int:
    """Cipher(): one 128-bit block, as a big-endian integer."""
    t0, t1, t2, t3 = _TE
    s = _S
    words = schedule.words
    k0, k1, k2, k3 = words[0]
    s0, s1 = (block >> 96) ^ k0, ((block >> 64) & _M32) ^ k1
    s2, s3 = ((block >> 32) & _M32) ^ k2, (block & _M32) ^ k3
    for k0, k1, k2, k3 in words[1:-1]:
        s0, s1, s2, s3 = (
            t0[s0 >> 24] ^ t1[(s1 >> 16) & 255] ^ t2[(s2 >> 8) & 255] ^ t3[s3 & 255] ^ k0,
            t0[s1 >> 24] ^ t1[(s2 >> 16) & 255] ^ t2[(s3 >> 8) & 255] ^ t3[s0 & 255] ^ k1,
            t0[s2 >> 24] ^ t1[(s3 >> 16) & 255] ^ t2[(s0 >> 8) & 255] ^ t3[s1 & 255] ^ k2,
            t0[s3 >> 24] ^ t1[(s0 >> 16) & 255] ^ t2[(s1 >> 8) & 255] ^ t3[s2 & 255] ^ k3,
        )
    # The last round has no MixColumns: plain S-box bytes (§5.1).
    k0, k1, k2, k3 = words[-1]
    return (
        (((s[s0 >> 24] << 24) | (s[(s1 >> 16) & 255] << 16) | (s[(s2 >> 8) & 255] << 8)
          | s[s3 & 255]) ^ k0) << 96
        | (((s[s1 >> 24] << 24) | (s[(s2 >> 16) & 255] << 16) | (s[(s3 >> 8) & 255] << 8)
            | s[s0 & 255]) ^ k1) << 64
        | (((s[s2 >> 24] << 24) | (s[(s3 >> 16) & 255] << 16) | (s[(s0 >> 8) & 255] << 8)
            | s[s1 & 255]) ^ k2) << 32
        | (((s[s3 >> 24] << 24) | (s[(s0 >> 16) & 255] << 16) | (s[(s1 >> 8) & 255] << 8)
            | s[s2 & 255]) ^ k3)
    )  # fmt: skip


def decrypt_block(schedule: Schedule, block: int) -> int:
    """InvCipher() in the equivalent form of FIPS 197 §5.3.5 (InvShiftRows: row r from c - r)."""
    t0, t1, t2, t3 = _TD
    s = _SI
    words = schedule.inverse
    k0, k1, k2, k3 = words[0]
    s0, s1 = (block >> 96) ^ k0, ((block >> 64) & _M32) ^ k1
    s2, s3 = ((block >> 32) & _M32) ^ k2, (block & _M32) ^ k3
    for k0, k1, k2, k3 in words[1:-1]:
        s0, s1, s2, s3 = (
            t0[s0 >> 24] ^ t1[(s3 >> 16) & 255] ^ t2[(s2 >> 8) & 255] ^ t3[s1 & 255] ^ k0,
            t0[s1 >> 24] ^ t1[(s0 >> 16) & 255] ^ t2[(s3 >> 8) & 255] ^ t3[s2 & 255] ^ k1,
            t0[s2 >> 24] ^ t1[(s1 >> 16) & 255] ^ t2[(s0 >> 8) & 255] ^ t3[s3 & 255] ^ k2,
            t0[s3 >> 24] ^ t1[(s2 >> 16) & 255] ^ t2[(s1 >> 8) & 255] ^ t3[s0 & 255] ^ k3,
        )
    k0, k1, k2, k3 = words[-1]
    return (
        (((s[s0 >> 24] << 24) | (s[(s3 >> 16) & 255] << 16) | (s[(s2 >> 8) & 255] << 8)
          | s[s1 & 255]) ^ k0) << 96
        | (((s[s1 >> 24] << 24) | (s[(s0 >> 16) & 255] << 16) | (s[(s3 >> 8) & 255] << 8)
            | s[s2 & 255]) ^ k1) << 64
        | (((s[s2 >> 24] << 24) | (s[(s1 >> 16) & 255] << 16) | (s[(s0 >> 8) & 255] << 8)
            | s[s3 & 255]) ^ k2) << 32
        | (((s[s3 >> 24] << 24) | (s[(s2 >> 16) & 255] << 16) | (s[(s1 >> 8) & 255] << 8)
            | s[s0 & 255]) ^ k3)
    )  # fmt: skip


# --- many independent blocks: byte-sliced ---------------------------------------------------

#: Below this many blocks the T-table form is faster; at and above it, the byte-sliced form
#: (measured with tests/benchmarks/bench_aes.py, CPython 3.11).
SLICED_MIN_BLOCKS = 4
#: Blocks per byte-sliced batch: larger batches stop paying off and hold more memory.
SLICED_MAX_BLOCKS = 1024


class _Lanes:
    """The shape of one byte-sliced batch of n blocks: sizes and masks, made once per batch."""

    __slots__ = ("bits", "keys", "low", "low7", "mask", "n", "row", "size")

    def __init__(self, schedule: Schedule, n: int) -> None:
        self.n, self.size = n, 16 * n
        self.row = 32 * n  # bits in one row of four lanes
        self.bits = 128 * n
        self.mask = (1 << self.bits) - 1
        #: The low bit of every byte: b"\x01" * size.
        self.low = int.from_bytes(b"\x01" * self.size, "big")
        self.low7 = self.low * 0x7F
        # Round keys spread over the lanes: lane j is n copies of the key's byte j.
        template = b"".join(bytes((j,)) * n for j in range(16))
        self.keys = [int.from_bytes(template.translate(t), "big") for t in schedule.lane_tables]

    def to_state(self, data: bytes) -> int:
        return int.from_bytes(b"".join(data[i::16] for i in _LANE_ORDER), "big")

    def from_state(self, state: bytes) -> bytes:
        n, out = self.n, bytearray(self.size)
        for lane, i in enumerate(_LANE_ORDER):
            out[i::16] = state[lane * n : lane * n + n]
        return bytes(out)

    def rotate(self, x: int, rows: int) -> int:
        """Row r of the result is row r + rows (mod 4) of x: the MixColumns neighbours."""
        shift = rows * self.row
        return ((x << shift) & self.mask) | (x >> (self.bits - shift))

    def xtime(self, x: int) -> int:
        """Every byte times x (i.e. 2) in GF(2^8), FIPS 197 §4.2.1."""
        return ((x & self.low7) << 1) ^ (((x >> 7) & self.low) * 0x1B)

    def mix_columns(self, a: int) -> int:
        """2a_r + 3a_(r+1) + a_(r+2) + a_(r+3) = 2b + a + t, b = a_r + a_(r+1), t = column sum."""
        b = a ^ self.rotate(a, 1)
        return self.xtime(b) ^ a ^ b ^ self.rotate(b, 2)


def _shift_rows(state: bytes, n: int) -> bytes:
    """ShiftRows (§5.1.2): row r of lanes rotated left by r lanes."""
    return b"".join((
        state[: 4 * n],
        state[5 * n : 8 * n], state[4 * n : 5 * n],
        state[10 * n : 12 * n], state[8 * n : 10 * n],
        state[15 * n :], state[12 * n : 15 * n],
    ))  # fmt: skip


def _inv_shift_rows(state: bytes, n: int) -> bytes:
    """InvShiftRows (§5.3.1): row r of lanes rotated right by r lanes."""
    return b"".join((
        state[: 4 * n],
        state[7 * n : 8 * n], state[4 * n : 7 * n],
        state[10 * n : 12 * n], state[8 * n : 10 * n],
        state[13 * n :], state[12 * n : 13 * n],
    ))  # fmt: skip


def _encrypt_sliced(lanes: _Lanes, data: bytes) -> bytes:
    n, size, keys, fb = lanes.n, lanes.size, lanes.keys, int.from_bytes
    state = (lanes.to_state(data) ^ keys[0]).to_bytes(size, "big")
    for key in keys[1:-1]:
        a = fb(_shift_rows(state, n).translate(_SBOX_BYTES), "big")
        state = (lanes.mix_columns(a) ^ key).to_bytes(size, "big")
    last = fb(_shift_rows(state, n).translate(_SBOX_BYTES), "big") ^ keys[-1]
    return lanes.from_state(last.to_bytes(size, "big"))


def _decrypt_sliced(lanes: _Lanes, data: bytes) -> bytes:
    # The direct InvCipher of §5.3 (AddRoundKey before InvMixColumns), so it shares the
    # encryption round keys. InvMixColumns = MixColumns after 5a_r + 4a_(r+2), since the
    # matrix (14 11 13 9) is (2 3 1 1) times (5 0 4 0), both circulant.
    n, size, keys, fb = lanes.n, lanes.size, lanes.keys, int.from_bytes
    state = (lanes.to_state(data) ^ keys[-1]).to_bytes(size, "big")
    for key in keys[-2:0:-1]:
        a = fb(_inv_shift_rows(state, n).translate(_INV_SBOX_BYTES), "big") ^ key
        a ^= lanes.xtime(lanes.xtime(a ^ lanes.rotate(a, 2)))
        state = lanes.mix_columns(a).to_bytes(size, "big")
    last = fb(_inv_shift_rows(state, n).translate(_INV_SBOX_BYTES), "big") ^ keys[0]
    return lanes.from_state(last.to_bytes(size, "big"))


def _many(schedule: Schedule, data: bytes, *, decrypt: bool) -> bytes:
    count = len(data) // 16
    if count < SLICED_MIN_BLOCKS:
        one = decrypt_block if decrypt else encrypt_block
        return b"".join(
            one(schedule, int.from_bytes(data[i : i + 16], "big")).to_bytes(16, "big")
            for i in range(0, 16 * count, 16)
        )
    sliced = _decrypt_sliced if decrypt else _encrypt_sliced
    out = []
    lanes: _Lanes | None = None
    for start in range(0, count, SLICED_MAX_BLOCKS):
        n = min(SLICED_MAX_BLOCKS, count - start)
        if lanes is None or lanes.n != n:
            lanes = _Lanes(schedule, n)
        out.append(sliced(lanes, data[16 * start : 16 * (start + n)]))
    return b"".join(out)


def encrypt_many(schedule: Schedule, data: bytes) -> bytes:
    """Each 16-byte block of ``data`` encrypted on its own (ECB: a building block, not a mode)."""
    return _many(schedule, data, decrypt=False)


def decrypt_many(schedule: Schedule, data: bytes) -> bytes:
    """Each 16-byte block of ``data`` decrypted on its own."""
    return _many(schedule, data, decrypt=True)
