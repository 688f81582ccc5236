"""Near-duplicate detection: MinHash signatures of normalised word 3-shingles (datasketch).

Signatures are computed once, when an article is stored, and kept in the database, so the LSH
index over a rolling window is rebuilt from bytes without re-reading any text.
"""

from __future__ import annotations

import zlib

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipeline.text.normalize import normalize

NUM_PERM = 64
SEED = 1
SCHEME = "affine32"
SHINGLE = 3
LSH_THRESHOLD = 0.5  # candidate recall: lightly edited copies score 0.5-0.9
CONFIRM_JACCARD = 0.6  # exact Jaccard on shingles that makes a candidate a duplicate


def _hash32(data: bytes) -> int:
    return zlib.crc32(data)


def shingles(text: str) -> set[bytes]:
    words = normalize(text).text.split()
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def signature_of(shingle_set: set[bytes]) -> LeanMinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_hash32, scheme=SCHEME)
    if shingle_set:
        minhash.update_batch(list(shingle_set))
    return LeanMinHash(minhash)


def signature(text: str) -> bytes:
    """The stored form of a text's MinHash signature."""
    return signature_of(shingles(text)).hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(data, dtype=np.uint64), scheme=SCHEME)


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def new_index() -> MinHashLSH:
    return MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
