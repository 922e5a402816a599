"""Deterministic ULIDs: the row's own timestamp plus 80 bits from the seeded generator.

``python-ulid`` would draw its randomness from the OS, and its encoder costs several
microseconds per id; a million-ticket workspace needs millions of ids, so they are
encoded here with lookup tables. The output is a standard 26-character Crockford
base32 ULID (``ULID.from_str`` parses it back, timestamp included).
"""

from __future__ import annotations

import random
from typing import Final

CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Two base32 characters for every 10-bit value: a 48-bit timestamp is five lookups.
_PAIRS: Final = tuple(CROCKFORD[i >> 5] + CROCKFORD[i & 31] for i in range(1024))
# Each random byte becomes one character from its low 5 bits (256 is a multiple of 32,
# so every character stays equally likely).
_RANDOM_CHARS: Final = bytes(CROCKFORD.encode("ascii")[b & 31] for b in range(256))

_MAX_MS: Final = (1 << 48) - 1


_CHUNK_IDS: Final = 4096


class UlidFactory:
    """Makes ULID strings whose random part comes from one seeded ``random.Random``.

    Random characters are drawn a few thousand ids at a time (one ``randbytes``
    call instead of one per id); the sequence depends only on the generator's state.
    """

    __slots__ = ("_buffer", "_pos", "_randbytes")

    def __init__(self, rng: random.Random) -> None:
        self._randbytes = rng.randbytes
        self._buffer = ""
        self._pos = 0

    def __call__(self, ms: int) -> str:
        """A ULID for a row born at ``ms`` (epoch milliseconds)."""
        if not 0 <= ms <= _MAX_MS:
            raise ValueError(f"timestamp {ms} is outside the ULID range")
        pos = self._pos
        if pos == len(self._buffer):
            self._buffer = self._randbytes(16 * _CHUNK_IDS).translate(_RANDOM_CHARS).decode("ascii")
            pos = 0
        self._pos = pos + 16
        pairs = _PAIRS
        return (
            pairs[ms >> 40]
            + pairs[(ms >> 30) & 1023]
            + pairs[(ms >> 20) & 1023]
            + pairs[(ms >> 10) & 1023]
            + pairs[ms & 1023]
            + self._buffer[pos : pos + 16]
        )
