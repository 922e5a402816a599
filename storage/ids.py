"""ULIDs for rows born on this replica: 48-bit milliseconds + 80 random bits, Crockford base32.

Made here rather than with python-ulid, whose import (it reads its own package
metadata) costs ~0.14 s — a quarter of the TUI's first-paint budget — for a
function that is a few lines. The strings are standard ULIDs: they sort by time
and any ULID library parses them.
"""

from __future__ import annotations

import os
import time
from typing import Final

CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_MAX_MS: Final = (1 << 48) - 1


def encode_ulid(ms: int, randomness: int) -> str:
    """The 26-character ULID of a timestamp and an 80-bit random number."""
    if not 0 <= ms <= _MAX_MS:
        raise ValueError(f"timestamp {ms} is outside the ULID range")
    value = (ms << 80) | (randomness & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        chars.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_ulid(ms: int | None = None) -> str:
    """A fresh ULID for a row born now (or at ``ms``)."""
    at = time.time_ns() // 1_000_000 if ms is None else ms
    return encode_ulid(at, int.from_bytes(os.urandom(10), "big"))
