"""Near-duplicate detection: MinHash signatures of normalised word 3-shingles, and a banded LSH
index over them.

Signatures are computed once, when an article is stored, and kept in the database, so the LSH
index over a rolling window is rebuilt from bytes without re-reading any text. The index is
plain banding (16 bands of 4 rows: pairs above ~0.5 Jaccard collide in some band); building it
is a dictionary insert per band, which is what keeps a window of many thousand articles cheap.
"""

from __future__ import annotations

import zlib

import numpy as np

from pipeline.text.normalize import normalize

NUM_PERM = 64
SEED = 1
SHINGLE = 3
BANDS, ROWS = 16, 4  # (1/16) ** (1/4) = 0.5: the similarity at which a pair likely collides
CONFIRM_JACCARD = 0.6  # exact Jaccard on shingles that makes a candidate a duplicate


_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_rng = np.random.RandomState(SEED)
# One affine permutation (a*h + b mod p, truncated to 32 bits) per signature slot.
_A = _rng.randint(1, int(_PRIME), size=NUM_PERM, dtype=np.uint64).reshape(NUM_PERM, 1)
_B = _rng.randint(0, int(_PRIME), size=NUM_PERM, dtype=np.uint64).reshape(NUM_PERM, 1)
EMPTY = np.full(NUM_PERM, _MAX32, dtype=np.uint64)


def shingles(text: str) -> set[bytes]:
    words = normalize(text).text.split()
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def signature_values(shingle_set: set[bytes]) -> np.ndarray:
    """The MinHash signature: per permutation, the least permuted 32-bit hash of any shingle."""
    if not shingle_set:
        return EMPTY.copy()
    hashes = np.fromiter((zlib.crc32(s) for s in shingle_set), dtype=np.uint64, count=len(shingle_set))
    with np.errstate(over="ignore"):
        permuted = ((_A * hashes + _B) % _PRIME) & _MAX32
    return permuted.min(axis=1)


def signature(text: str) -> bytes:
    """The stored form of a text's MinHash signature."""
    return signature_values(shingles(text)).tobytes()


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """(n, BANDS) band hashes of (n, NUM_PERM) signatures; the band number is mixed in so equal
    values in different bands never collide."""
    bands = signatures.reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        mixed = np.bitwise_xor.reduce(bands * _MIX, axis=2)
        return mixed ^ (np.arange(BANDS, dtype=np.uint64) * np.uint64(0xFF51AFD7ED558CCD))


class BandIndex:
    """LSH by banding over stored signatures: candidates share at least one whole band.

    The window's articles are indexed in bulk (numpy: hash, sort, binary search); articles added
    one by one during a run go to a small dictionary beside it."""

    def __init__(self, pairs: list[tuple[int, bytes]] | None = None) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._ids = np.empty(0, dtype=np.int64)
        self._recent: dict[int, list[int]] = {}
        if pairs:
            signatures = np.frombuffer(b"".join(sig for _, sig in pairs), dtype=np.uint64).reshape(len(pairs), NUM_PERM)
            keys = band_keys(signatures).ravel()
            ids = np.repeat(np.array([key for key, _ in pairs], dtype=np.int64), BANDS)
            order = np.argsort(keys, kind="stable")
            self._keys, self._ids = keys[order], ids[order]

    def insert(self, key: int, signature_bytes: bytes) -> None:
        for band in band_keys(np.frombuffer(signature_bytes, dtype=np.uint64).reshape(1, NUM_PERM))[0]:
            self._recent.setdefault(int(band), []).append(key)

    def query(self, signature_bytes: bytes) -> set[int]:
        bands = band_keys(np.frombuffer(signature_bytes, dtype=np.uint64).reshape(1, NUM_PERM))[0]
        found: set[int] = set()
        if len(self._keys):
            left = np.searchsorted(self._keys, bands, side="left")
            right = np.searchsorted(self._keys, bands, side="right")
            for low, high in zip(left.tolist(), right.tolist(), strict=True):
                if high > low:
                    found.update(self._ids[low:high].tolist())
        for band in bands.tolist():
            found.update(self._recent.get(band, ()))
        return found


def new_index(pairs: list[tuple[int, bytes]] | None = None) -> BandIndex:
    return BandIndex(pairs)
